/*
 * emit_hooks.c: <spec>_hooks.h, the exact prototype of every C hook the
 * spec names with a comment on when it is called and in which form, and
 * the `--stubs` starter file <spec>_hooks.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emit_internal.h"

static const char *const prototypes[] = {
    [MODEL_SIG_CTX] = "rf_rc %s(rf_ctx *ctx)",
    [MODEL_SIG_OBJ] = "rf_rc %s(rf_ctx *ctx, void *obj)",
    [MODEL_SIG_QUERY] = "rf_rc %s(rf_ctx *ctx, rf_query *q)",
};

typedef struct role_text {
    const char *role;
    const char *when;
} role_text;

static const role_text roles[] = {
    { "authenticate", "For each request of a view that lists this authenticator, in chain order.\n"
      "Set a user (rf_ctx_set_user) and return RF_OK; return RF_OK without a user\n"
      "when the request carries no credentials of this kind (the next one runs);\n"
      "or fail with `return rf_auth_failed(ctx, \"message\");`." },
    { "has_permission", "Before the handler, in the permission check (with &, |, ~ as\n"
      "the spec combines it).  RF_OK grants, RF_ERROR denies." },
    { "has_object_permission", "When get_object has found the instance (obj: its record,\n"
      "rf_ctx_resource(ctx) describes it).  RF_OK grants, RF_ERROR denies." },
    { "perform_create", "After the request serializer validated the body; obj is the\n"
      "validated record before the INSERT: set fields on it, or refuse." },
    { "perform_update", "After validation of an update; obj is the record about to be\n"
      "written by the UPDATE: set fields on it, or refuse." },
    { "perform_destroy", "Before the DELETE; obj is the instance." },
    { "get_queryset", "For list and get_object: q holds the queryset's conditions; add\n"
      "conditions with rf_query_where / rf_query_where_eq." },
    { "get_object", "Inside get_object, after the lookup's condition, before the fetch;\n"
      "q may be narrowed further." },
    { "get_serializer_context", "Before validation or rendering; hand values to other hooks\n"
      "with rf_ctx_set_var." },
    { "validators", "Object-level validation, once every field passed; obj is the\n"
      "validated record.  Refuse with `return rf_raise(ctx, NULL, \"message\");`." },
    { "validate", "Serializer.validate, after the `validators`, once every field\n"
      "passed; obj is the validated record.  Refuse with rf_raise(ctx, NULL, msg)." },
};

static const char *role_when(const char *role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(roles[i].role, role))
            return roles[i].when;
    if (!strncmp(role, "validate_", 9))
        return "Field validation, when this field converted without error; obj is the\n"
               "record being validated.  Refuse with rf_raise(ctx, \"<field>\", msg).";
    return "The action's handler: it answers the request with the helpers of\n"
           "restflow/http.h (rf_serialized_response, rf_paginated_response, ...).";
}

static const char *form_text(model_hook_form f)
{
    switch (f) {
    case MODEL_HOOK_ASYNC:
        return "async: runs on the event loop; may return RF_PENDING and then call\n"
               "rf_resume(ctx, rc) exactly once, later, on the loop (async helpers).";
    case MODEL_HOOK_BLOCKING:
        return "blocking: runs on the worker pool and may block; the sync helpers\n"
               "(rf_validated_serializer, rf_save, ...) are for this form.";
    default:
        return "sync: runs on the event loop and must not block; never RF_PENDING.";
    }
}

static void comment_lines(emitter *e, const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        em_line(e, " *   %.*s", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

/* One place the spec names a hook function. */
typedef struct hook_use {
    const model_hook *hook;
    char where[160];        /* "ProductSerializer.validate_price" */
    char record[160];       /* the C type obj points to, "" when it varies */
} hook_use;

typedef struct hook_uses {
    hook_use *items;
    uint32_t n, cap;
} hook_uses;

static void add_use(hook_uses *u, const model_hook *h, const char *owner, const char *what,
                    const char *record)
{
    if (!h)
        return;
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 32;
        u->items = realloc(u->items, u->cap * sizeof *u->items);
        if (!u->items)
            abort();
    }
    hook_use *x = &u->items[u->n++];
    x->hook = h;
    snprintf(x->where, sizeof x->where, "%s.%s", owner, what);
    snprintf(x->record, sizeof x->record, "%s", record ? record : "");
}

/* The record type a serializer validates into. */
static const char *serializer_record(const model *m, const model_serializer *s, char *buf,
                                     size_t n)
{
    if (s->instance)
        snprintf(buf, n, "%s_%s", m->name, s->instance->name);
    else
        snprintf(buf, n, "%s_%s", m->name, s->name);
    return buf;
}

/* Every hook reference of the model, in declaration order. */
static void collect_uses(const model *m, hook_uses *u)
{
    for (uint32_t i = 0; i < m->nauthentications; i++)
        add_use(u, m->authentications[i]->authenticate, m->authentications[i]->name,
                "authenticate", NULL);
    for (uint32_t i = 0; i < m->npermissions; i++) {
        const model_permission *p = m->permissions[i];
        add_use(u, p->has_permission, p->name, "has_permission", NULL);
        add_use(u, p->has_object_permission, p->name, "has_object_permission", NULL);
    }
    for (uint32_t i = 0; i < m->nserializers; i++) {
        const model_serializer *s = m->serializers[i];
        char rec[160];
        serializer_record(m, s, rec, sizeof rec);
        for (uint32_t k = 0; k < s->nfields; k++)
            if (s->fields[k]->validate_hook)
                add_use(u, s->fields[k]->validate_hook, s->name,
                        s->fields[k]->validate_hook->role, rec);
        for (uint32_t k = 0; k < s->nvalidators; k++)
            add_use(u, s->validators[k], s->name, s->validators[k]->role, rec);
    }
    for (uint32_t i = 0; i < m->nviews; i++) {
        const model_view *v = m->views[i];
        const model_view_hooks *h = &v->hooks;
        char rec[160] = "";
        if (v->model)
            snprintf(rec, sizeof rec, "%s_%s", m->name, v->model->name);
        const model_hook *hooks[] = { h->get_queryset, h->get_object, h->get_serializer_context,
                                      h->perform_create, h->perform_update, h->perform_destroy };
        for (size_t k = 0; k < sizeof hooks / sizeof hooks[0]; k++)
            if (hooks[k])
                add_use(u, hooks[k], v->name, hooks[k]->role, rec);
        for (uint32_t k = 0; k < v->nactions; k++)
            add_use(u, v->actions[k]->handler, v->name, v->actions[k]->name, NULL);
    }
}

static void hook_comment(emitter *e, const model *m, const hook_uses *u, const char *function)
{
    em_line(e, "/* %s", function);
    for (uint32_t i = 0; i < u->n; i++) {
        const model_hook *h = u->items[i].hook;
        if (strcmp(h->function, function) != 0)
            continue;
        em_line(e, " *");
        em_line(e, " * %s (%s:%u):", u->items[i].where, em_spec_file(m), h->loc.line);
        comment_lines(e, role_when(h->role));
        if (h->sig == MODEL_SIG_OBJ && u->items[i].record[0])
            em_line(e, " *   obj is a %s *.", u->items[i].record);
        comment_lines(e, form_text(h->form));
    }
    em_line(e, " */");
}

bool emit_hooks_header(const model *m, const char *dir)
{
    emitter e;
    em_begin(&e, m, "", "%s_hooks.h: the C hooks %s names; the user writes them.", m->name,
             em_spec_file(m));
    em_line(&e, "#ifndef %s_HOOKS_H", em_upper(m->name));
    em_line(&e, "#define %s_HOOKS_H", em_upper(m->name));
    em_blank(&e);
    em_line(&e, "#include \"%s.h\"", m->name);
    hook_uses uses = { 0 };
    collect_uses(m, &uses);
    for (uint32_t i = 0; i < m->nhooks; i++) {
        const model_hook *h = m->hooks[i];
        em_blank(&e);
        hook_comment(&e, m, &uses, h->function);
        em_printf(&e, prototypes[h->sig], h->function);
        em_line(&e, ";");
    }
    free(uses.items);
    em_blank(&e);
    em_line(&e, "#endif");
    return em_finish(&e, dir, em_file(m, "_hooks.h"));
}

bool emit_hooks_stubs(const model *m, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s_hooks.c", dir, m->name);
    struct stat st;
    if (stat(path, &st) == 0) {
        fprintf(stderr, "rflowc: %s exists; --stubs leaves it alone\n", path);
        return true;
    }
    emitter e;
    em_init(&e);
    em_line(&e, "/*");
    em_line(&e, " * %s_hooks.c: the C hooks of %s, to be written.  rflowc build --stubs",
            m->name, em_spec_file(m));
    em_line(&e, " * made this starter file once; it is yours now.  Every hook refuses the");
    em_line(&e, " * request with a 500 until it is implemented.");
    em_line(&e, " */");
    em_line(&e, "#include \"%s_hooks.h\"", m->name);
    for (uint32_t i = 0; i < m->nhooks; i++) {
        const model_hook *h = m->hooks[i];
        em_blank(&e);
        em_printf(&e, prototypes[h->sig], h->function);
        em_blank(&e);
        em_line(&e, "{");
        em_indent(&e);
        if (h->sig == MODEL_SIG_OBJ)
            em_line(&e, "(void)obj;");
        if (h->sig == MODEL_SIG_QUERY)
            em_line(&e, "(void)q;");
        em_line(&e, "return rf_error(ctx, 500, \"%s is not implemented yet.\");", h->function);
        em_dedent(&e);
        em_line(&e, "}");
    }
    return em_finish(&e, dir, em_file(m, "_hooks.c"));
}
