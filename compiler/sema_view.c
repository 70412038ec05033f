/*
 * sema_view.c: views and viewsets, their actions, and every action's
 * resolved ActionConfig.
 *
 * Which actions a view has comes from its base class (and `mixins` on
 * GenericAPIView/GenericViewSet), from handler members (APIView methods
 * `get = fn;`, ViewSet actions `list = fn;`) and from extra_action blocks.
 * Each action's configuration is the action block's value for a key, else
 * the view's, else the setting's default (model.h, model_action_config).
 *
 * Hook forms: a hook written bare takes its declaration's default.  In an
 * Async* view every hook defaults to async (it runs on the loop and may
 * suspend); in a sync view to blocking (it runs on the worker pool, as DRF
 * runs a sync view in a thread).  `async = true;` or `blocking = true;` in
 * the view changes the default for all its hooks; async(...), blocking(...)
 * and sync(...) choose per hook.
 */
#include <ctype.h>
#include <stdio.h>

#include "names.h"
#include "sema_internal.h"

/* ---------------------------------------------------------------------
 * Base classes.
 */
#define A(k) (1u << (k))
#define ALL_MODEL_ACTIONS (A(MODEL_ACT_LIST) | A(MODEL_ACT_CREATE) | A(MODEL_ACT_RETRIEVE) \
                           | A(MODEL_ACT_UPDATE) | A(MODEL_ACT_PARTIAL_UPDATE)            \
                           | A(MODEL_ACT_DESTROY))

typedef struct base_info {
    const char *name;          /* the sync name; "Async" + name is the async one */
    model_base base;
    model_view_kind kind;
    unsigned actions;          /* A(MODEL_ACT_*) the class's mixins give */
    bool takes_mixins;
} base_info;

static const base_info bases[] = {
    { "APIView", MODEL_BASE_API_VIEW, MODEL_VIEW_API, 0, false },
    { "GenericAPIView", MODEL_BASE_GENERIC_API_VIEW, MODEL_VIEW_GENERIC, 0, true },
    { "CreateAPIView", MODEL_BASE_CREATE, MODEL_VIEW_GENERIC, A(MODEL_ACT_CREATE), false },
    { "ListAPIView", MODEL_BASE_LIST, MODEL_VIEW_GENERIC, A(MODEL_ACT_LIST), false },
    { "RetrieveAPIView", MODEL_BASE_RETRIEVE, MODEL_VIEW_GENERIC, A(MODEL_ACT_RETRIEVE),
      false },
    { "DestroyAPIView", MODEL_BASE_DESTROY, MODEL_VIEW_GENERIC, A(MODEL_ACT_DESTROY), false },
    { "UpdateAPIView", MODEL_BASE_UPDATE, MODEL_VIEW_GENERIC,
      A(MODEL_ACT_UPDATE) | A(MODEL_ACT_PARTIAL_UPDATE), false },
    { "ListCreateAPIView", MODEL_BASE_LIST_CREATE, MODEL_VIEW_GENERIC,
      A(MODEL_ACT_LIST) | A(MODEL_ACT_CREATE), false },
    { "RetrieveUpdateAPIView", MODEL_BASE_RETRIEVE_UPDATE, MODEL_VIEW_GENERIC,
      A(MODEL_ACT_RETRIEVE) | A(MODEL_ACT_UPDATE) | A(MODEL_ACT_PARTIAL_UPDATE), false },
    { "RetrieveDestroyAPIView", MODEL_BASE_RETRIEVE_DESTROY, MODEL_VIEW_GENERIC,
      A(MODEL_ACT_RETRIEVE) | A(MODEL_ACT_DESTROY), false },
    { "RetrieveUpdateDestroyAPIView", MODEL_BASE_RETRIEVE_UPDATE_DESTROY, MODEL_VIEW_GENERIC,
      A(MODEL_ACT_RETRIEVE) | A(MODEL_ACT_UPDATE) | A(MODEL_ACT_PARTIAL_UPDATE)
      | A(MODEL_ACT_DESTROY), false },
    { "ViewSet", MODEL_BASE_VIEWSET, MODEL_VIEW_VIEWSET, 0, false },
    { "GenericViewSet", MODEL_BASE_GENERIC_VIEWSET, MODEL_VIEW_VIEWSET, 0, true },
    { "ReadOnlyModelViewSet", MODEL_BASE_READ_ONLY_MODEL_VIEWSET, MODEL_VIEW_VIEWSET,
      A(MODEL_ACT_LIST) | A(MODEL_ACT_RETRIEVE), false },
    { "ModelViewSet", MODEL_BASE_MODEL_VIEWSET, MODEL_VIEW_VIEWSET, ALL_MODEL_ACTIONS, false },
};
#define NBASES (sizeof bases / sizeof *bases)

static const base_info *find_base(const char *name, bool *is_async)
{
    *is_async = strncmp(name, "Async", 5) == 0;
    const char *plain = *is_async ? name + 5 : name;
    for (size_t i = 0; i < NBASES; i++)
        if (strcmp(bases[i].name, plain) == 0)
            return &bases[i];
    return NULL;
}

static void unknown_base(sema *s, const ast_block *b, bool viewset)
{
    const char *names[2 * NBASES + 1];
    size_t n = 0;
    for (size_t i = 0; i < NBASES; i++) {
        if ((bases[i].kind == MODEL_VIEW_VIEWSET) != viewset)
            continue;
        names[n++] = bases[i].name;
        names[n++] = sema_printf(s, "Async%s", bases[i].name);
    }
    names[n] = NULL;
    if (!b->base) {
        diag_error(s->d, b->name->span, "%s '%s' needs a base class, such as %s",
                   b->kind_word->text, b->name->text,
                   viewset ? "AsyncModelViewSet" : "AsyncAPIView");
        return;
    }
    diag_error(s->d, b->base->span, "unknown %s base class '%s'", b->kind_word->text,
               b->base->text);
    const char *best = suggest_word(b->base->text, names);
    if (best)
        diag_hint(s->d, "did you mean '%s'?", best);
}

/* ---------------------------------------------------------------------
 * Standard actions.
 */
static const struct {
    const char *name;
    unsigned method;
    bool detail;
} std_actions[] = {
    [MODEL_ACT_LIST] = { "list", MODEL_GET, false },
    [MODEL_ACT_CREATE] = { "create", MODEL_POST, false },
    [MODEL_ACT_RETRIEVE] = { "retrieve", MODEL_GET, true },
    [MODEL_ACT_UPDATE] = { "update", MODEL_PUT, true },
    [MODEL_ACT_PARTIAL_UPDATE] = { "partial_update", MODEL_PATCH, true },
    [MODEL_ACT_DESTROY] = { "destroy", MODEL_DELETE, true },
};

static const char *const method_names[] = { "get", "post", "put", "patch", "delete", NULL };

const char *model_method_name(unsigned bit_index)
{
    static const char *const upper[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
    return bit_index < MODEL_NMETHODS ? upper[bit_index] : "?";
}

static int std_action_index(const char *name)
{
    for (int k = MODEL_ACT_LIST; k <= MODEL_ACT_DESTROY; k++)
        if (strcmp(std_actions[k].name, name) == 0)
            return k;
    return -1;
}

static int method_index(const char *name)
{
    for (int i = 0; method_names[i]; i++)
        if (strcmp(method_names[i], name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------
 * The overridable keys: a view's, an action block's, an extra action's.
 */
typedef struct ac_values {
    unsigned set;              /* MODEL_AC_* */
    unsigned failed;           /* written but not resolved: stay quiet about them */
    model_serializer *serializer, *request, *response;
    model_perm_expr **perms;
    uint32_t nperms;
    model_throttle **throttles;
    uint32_t nthrottles;
    model_parser *parsers;
    uint32_t nparsers;
    model_renderer *renderers;
    uint32_t nrenderers;
    model_pagination *pagination;
    model_queryset *queryset;
    span queryset_at;
} ac_values;

static const char *const ac_keys[] = {
    "serializer_class", "request_serializer_class", "response_serializer_class",
    "permission_classes", "throttle_classes", "parser_classes", "renderer_classes",
    "pagination_class", "queryset", NULL
};

static model_serializer *serializer_ref(sema *s, const ast_member *m)
{
    const ast_ident *id = read_ident(s, m);
    sym *y = id ? resolve_sym(s, id, SYM_SERIALIZER) : NULL;
    return y ? y->entity : NULL;
}

static void read_ac_values(sema *s, members *ms, ac_values *v)
{
    memset(v, 0, sizeof *v);
    const ast_member *m;
    for (int k = 0; ac_keys[k]; k++) {
        if (!(m = members_take(ms, ac_keys[k])))
            continue;
        bool ok = true;
        switch (k) {
        case 0: ok = (v->serializer = serializer_ref(s, m)) != NULL; break;
        case 1: ok = (v->request = serializer_ref(s, m)) != NULL; break;
        case 2: ok = (v->response = serializer_ref(s, m)) != NULL; break;
        case 3: ok = sema_perm_list(s, m, &v->perms, &v->nperms); break;
        case 4: ok = sema_throttle_list(s, m, &v->throttles, &v->nthrottles); break;
        case 5: ok = sema_parser_list(s, m, &v->parsers, &v->nparsers); break;
        case 6: ok = sema_renderer_list(s, m, &v->renderers, &v->nrenderers); break;
        case 7: ok = sema_pagination_ref(s, m, &v->pagination); break;
        case 8:
            v->queryset = sema_queryset(s, m->value, "'queryset'");
            v->queryset_at = m->value->span;
            ok = v->queryset != NULL;
            break;
        }
        if (ok)
            v->set |= 1u << k;
        else
            v->failed |= 1u << k;
    }
}

/* ---------------------------------------------------------------------
 * View construction context.
 */
/* An action block's (or extra action's) values, kept until configs are
 * resolved. */
typedef struct action_values {
    model_action *action;
    ac_values values;
} action_values;

typedef struct view_ctx {
    model_view *v;
    const ast_block *block;
    const base_info *base;
    members ms;
    ac_values values;          /* view level */
    model_hook_form form;      /* default hook form */
    unsigned std;              /* A(MODEL_ACT_*) from base and mixins */
    const ast_member *mixins;
    action_values *avs;
    uint32_t navs;
    bool handlers_written;     /* some handler member, even a failed one */
    /* Reported once per view: scoped throttles that never apply, a
     * throttle_scope without a rate. */
    model_throttle **idle_scoped;
    uint32_t nidle_scoped;
    bool scope_rate_reported;
} view_ctx;

static model_action *action_new(sema *s, model_view *v, const char *name,
                                model_action_kind kind, model_loc loc)
{
    model_action *a = rf_calloc(s->a, sizeof *a);
    a->name = name;
    a->kind = kind;
    a->loc = loc;
    a->description = "";
    VPUSH(s, v->actions, v->nactions, a);
    return a;
}

static void read_mixins(sema *s, view_ctx *c)
{
    c->mixins = members_take(&c->ms, "mixins");
    if (!c->mixins)
        return;
    if (!c->base->takes_mixins) {
        diag_error(s->d, c->mixins->key->span, "'mixins' compose GenericAPIView or "
                   "GenericViewSet; '%s' already has its actions", c->v->base_name);
        return;
    }
    const ast_expr_array *list = read_list(s, c->mixins);
    for (uint32_t i = 0; list && i < list->count; i++) {
        const ast_ident *id = expr_ident(list->items[i]);
        sym *y = id ? resolve_sym(s, id, SYM_MIXIN) : NULL;
        if (!id)
            diag_error(s->d, list->items[i]->span, "'mixins' lists mixin names, not %s",
                       expr_desc(list->items[i]));
        if (!y)
            continue;
        if (c->std & (unsigned)y->code)
            diag_error(s->d, id->span, "'%s' is listed twice", id->text);
        c->std |= (unsigned)y->code;
    }
}

/* The standard actions the base and mixins give, in DRF's order. */
static void standard_actions(sema *s, view_ctx *c)
{
    for (int k = MODEL_ACT_LIST; k <= MODEL_ACT_DESTROY; k++) {
        if (!(c->std & A(k)))
            continue;
        model_action *a = action_new(s, c->v, std_actions[k].name, (model_action_kind)k,
                                     c->v->loc);
        a->methods = std_actions[k].method;
        a->detail = std_actions[k].detail;
    }
}

/* Handler members: `get = fn;` (APIView, GenericAPIView), `list = fn;`
 * (ViewSet, GenericViewSet). */
static void handler_actions(sema *s, view_ctx *c)
{
    bool viewset = c->v->kind == MODEL_VIEW_VIEWSET;
    bool takes = c->v->kind == MODEL_VIEW_API || c->base->takes_mixins
                 || c->v->base == MODEL_BASE_VIEWSET;
    for (int k = 0; k < (viewset ? 6 : 5); k++) {
        const char *name = viewset ? std_actions[k + 1].name : method_names[k];
        const ast_member *m = members_take(&c->ms, name);
        if (!m)
            continue;
        c->handlers_written = true;
        if (!takes) {
            diag_error(s->d, m->key->span, "'%s' already provides its actions; a "
                       "handler '%s' belongs to %s", c->v->base_name, name,
                       viewset ? "a ViewSet or GenericViewSet"
                               : "an APIView or GenericAPIView");
            continue;
        }
        int std = viewset ? k + 1 : -1;
        if (std > 0 && (c->std & A(std))) {
            diag_error(s->d, m->key->span, "'%s' is both a mixin action and a handler",
                       name);
            continue;
        }
        model_hook *h = read_hook(s, m->value, name, MODEL_SIG_CTX, c->form);
        if (!h)
            continue;
        model_action *a = action_new(s, c->v, name, MODEL_ACT_HANDLER,
                                     sema_loc(s, m->key->span));
        a->handler = h;
        a->methods = viewset ? std_actions[std].method : 1u << k;
        a->detail = viewset && std_actions[std].detail;
    }
}

/* In a GenericAPIView, each method reaches one action. */
static void check_method_clashes(sema *s, view_ctx *c)
{
    if (c->v->kind == MODEL_VIEW_VIEWSET)
        return;
    for (uint32_t i = 0; i < c->v->nactions; i++)
        for (uint32_t j = 0; j < i; j++) {
            model_action *a = c->v->actions[i], *b = c->v->actions[j];
            if (!(a->methods & b->methods))
                continue;
            diag_error(s->d, c->mixins ? c->mixins->value->span : a->loc.span,
                       "actions '%s' and '%s' of view '%s' both answer %s; a view routes "
                       "each method to one action (a viewset routes list and detail "
                       "URLs apart)", b->name, a->name, c->v->name,
                       model_method_name((unsigned)__builtin_ctz(a->methods & b->methods)));
        }
}

/* ---------------------------------------------------------------------
 * Extra actions.
 */
static unsigned read_methods(sema *s, const ast_member *m)
{
    const ast_expr_array *list = read_list(s, m);
    unsigned bits = 0;
    for (uint32_t i = 0; list && i < list->count; i++) {
        const ast_expr *e = list->items[i];
        const char *text = expr_ident(e) ? expr_ident(e)->text
                         : e->kind == AST_STRING ? e->u.string.text : NULL;
        char lower[16] = "";
        if (text && strlen(text) < sizeof lower)
            names_lower(text, lower);
        int k = method_index(lower);
        if (k < 0) {
            diag_error(s->d, e->span, "'methods' lists HTTP methods: GET, POST, PUT, "
                       "PATCH, DELETE");
            continue;
        }
        bits |= 1u << k;
    }
    if (list && !list->count)
        diag_error(s->d, m->value->span, "'methods' cannot be empty");
    return bits;
}

static bool valid_url_path(const char *p)
{
    if (!*p || *p == '/' || p[strlen(p) - 1] == '/' || strstr(p, "//"))
        return false;
    for (; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("-._~/", *p)))
            return false;
    return true;
}

static const char *const extra_keys[] = {
    "detail", "methods", "handler", "url_path", "url_name", "description",
    "serializer_class", "request_serializer_class", "response_serializer_class",
    "permission_classes", "throttle_classes", "parser_classes", "renderer_classes",
    "pagination_class", "queryset", NULL
};

static void extra_action(sema *s, view_ctx *c, const ast_block *b)
{
    const char *name = b->name->text;
    if (std_action_index(name) >= 0 || model_find_action(c->v, name)) {
        diag_error(s->d, b->name->span, "extra action '%s' clashes with %s action", name,
                   std_action_index(name) >= 0 ? "a standard" : "another");
        return;
    }
    members ms;
    members_init(s, &ms, b);
    sema_reject_nested(s, b, "an extra action");
    model_action *a = action_new(s, c->v, name, MODEL_ACT_HANDLER, sema_loc(s, b->name->span));
    a->extra = true;
    a->methods = MODEL_GET;
    a->url_path = name;
    char *dashed = rf_alloc(s->a, strlen(name) + 1);
    names_dashed(name, dashed);
    a->url_name = dashed;
    char *pretty = rf_alloc(s->a, NAMES_BUF(strlen(name)));
    names_pretty(name, pretty);
    a->display_name = pretty;
    const ast_member *m;
    if (!(m = members_take(&ms, "detail")))
        diag_error(s->d, b->name->span, "extra action '%s' needs 'detail' (true: on one "
                   "object, false: on the list)", name);
    else
        read_bool(s, m, &a->detail);
    if ((m = members_take(&ms, "methods")))
        a->methods = read_methods(s, m);
    if ((m = members_take(&ms, "url_path")) && read_string(s, m, &a->url_path)
        && !valid_url_path(a->url_path))
        diag_error(s->d, m->value->span, "'url_path' \"%s\" is not a URL path segment",
                   a->url_path);
    if ((m = members_take(&ms, "url_name")))
        read_string(s, m, &a->url_name);
    if ((m = members_take(&ms, "description")))
        read_string(s, m, &a->description);
    if (!(m = members_take(&ms, "handler")))
        diag_error(s->d, b->name->span, "extra action '%s' needs a 'handler'", name);
    else
        a->handler = read_hook(s, m->value, "handler", MODEL_SIG_CTX, c->form);
    action_values av = { .action = a };
    read_ac_values(s, &ms, &av.values);
    a->overridden = av.values.set;
    VPUSH(s, c->avs, c->navs, av);
    members_reject_rest(s, &ms, sema_printf(s, "extra action '%s'", name), extra_keys);
}

/* ---------------------------------------------------------------------
 * Action blocks: `action NAME { overrides }`.
 */
static void unknown_action(sema *s, view_ctx *c, const ast_ident *name)
{
    diag_error(s->d, name->span, "view '%s' has no action '%s'", c->v->name, name->text);
    names_suggester sg;
    names_suggest_init(&sg, name->text);
    for (uint32_t i = 0; i < c->v->nactions; i++)
        names_suggest_consider(&sg, c->v->actions[i]->name);
    if (names_suggest_best(&sg))
        diag_hint(s->d, "did you mean '%s'?", names_suggest_best(&sg));
    else if (std_action_index(name->text) >= 0)
        diag_hint(s->d, "%s gives no %s action", c->v->base_name, name->text);
}

static void reject_non_overridable(sema *s, members *ms)
{
    for (uint32_t i = 0; i < ms->n; i++) {
        if (ms->taken[i])
            continue;
        ms->taken[i] = true;
        const ast_ident *k = ms->items[i]->key;
        diag_error(s->d, k->span, "'%s' cannot be set per action", k->text);
        const char *best = suggest_word(k->text, ac_keys);
        if (best)
            diag_hint(s->d, "did you mean '%s'?", best);
        else
            diag_hint(s->d, "an action block sets serializer_class, "
                      "request_serializer_class, response_serializer_class, "
                      "permission_classes, throttle_classes, parser_classes, "
                      "renderer_classes, pagination_class or queryset");
    }
}

static void action_block(sema *s, view_ctx *c, const ast_block *b)
{
    model_action *a = model_find_action(c->v, b->name->text);
    if (!a) {
        unknown_action(s, c, b->name);
        return;
    }
    if (a->extra) {
        diag_error(s->d, b->name->span, "'%s' is an extra action: set its options in its "
                   "extra_action block", a->name);
        return;
    }
    for (uint32_t i = 0; i < c->navs; i++) {
        if (c->avs[i].action == a) {
            diag_error(s->d, b->name->span, "a second action block for '%s'", a->name);
            return;
        }
    }
    sema_reject_nested(s, b, "an action block");
    members ms;
    members_init(s, &ms, b);
    action_values av = { .action = a };
    read_ac_values(s, &ms, &av.values);
    a->overridden = av.values.set;
    a->loc = sema_loc(s, b->name->span);
    VPUSH(s, c->avs, c->navs, av);
    reject_non_overridable(s, &ms);
}

/* ---------------------------------------------------------------------
 * The hooks block.
 */
static const struct {
    const char *name;
    model_hook_sig sig;
} view_hooks[] = {
    { "get_queryset", MODEL_SIG_QUERY }, { "get_object", MODEL_SIG_QUERY },
    { "get_serializer_context", MODEL_SIG_CTX }, { "perform_create", MODEL_SIG_OBJ },
    { "perform_update", MODEL_SIG_OBJ }, { "perform_destroy", MODEL_SIG_OBJ },
};
#define NVIEW_HOOKS (sizeof view_hooks / sizeof *view_hooks)

static bool has_action_kind(const model_view *v, model_action_kind k)
{
    for (uint32_t i = 0; i < v->nactions; i++)
        if (v->actions[i]->kind == k)
            return true;
    return false;
}

static bool has_detail_action(const model_view *v)
{
    for (uint32_t i = 0; i < v->nactions; i++)
        if (v->actions[i]->detail)
            return true;
    return false;
}

/* Why a view never calls the hook, or NULL when it does. */
static const char *hook_unused(const model_view *v, int which)
{
    if (v->kind == MODEL_VIEW_API || v->base == MODEL_BASE_VIEWSET)
        return "it has no generic actions";
    switch (which) {
    case 1: return has_detail_action(v) ? NULL : "it has no action on one object";
    case 3: return has_action_kind(v, MODEL_ACT_CREATE) ? NULL : "it has no create action";
    case 4: return has_action_kind(v, MODEL_ACT_UPDATE)
                || has_action_kind(v, MODEL_ACT_PARTIAL_UPDATE) ? NULL
                : "it has no update action";
    case 5: return has_action_kind(v, MODEL_ACT_DESTROY) ? NULL : "it has no destroy action";
    default: return NULL;
    }
}

static void hooks_block(sema *s, view_ctx *c, const ast_block *b)
{
    sema_reject_nested(s, b, "a hooks block");
    members ms;
    members_init(s, &ms, b);
    model_hook **slots[NVIEW_HOOKS] = {
        &c->v->hooks.get_queryset, &c->v->hooks.get_object,
        &c->v->hooks.get_serializer_context, &c->v->hooks.perform_create,
        &c->v->hooks.perform_update, &c->v->hooks.perform_destroy,
    };
    const char *names[NVIEW_HOOKS + 1];
    for (size_t i = 0; i < NVIEW_HOOKS; i++) {
        names[i] = view_hooks[i].name;
        const ast_member *m = members_take(&ms, view_hooks[i].name);
        if (!m)
            continue;
        const char *why = hook_unused(c->v, (int)i);
        if (why) {
            diag_error(s->d, m->key->span, "view '%s' never calls %s: %s", c->v->name,
                       view_hooks[i].name, why);
            continue;
        }
        *slots[i] = read_hook(s, m->value, view_hooks[i].name, view_hooks[i].sig, c->form);
    }
    names[NVIEW_HOOKS] = NULL;
    members_reject_rest(s, &ms, "a hooks block", names);
}

static void nested_blocks(sema *s, view_ctx *c)
{
    const ast_block *hooks = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < c->block->members.count; i++) {
            const ast_member *m = c->block->members.items[i];
            if (m->kind == AST_STATEMENT && pass == 0)
                diag_error(s->d, m->span, "statements belong in routers and urls");
            if (m->kind != AST_NESTED)
                continue;
            const ast_block *b = m->block;
            /* Extra actions first, so action blocks and hooks see them all. */
            if (pass == 0 && b->kind == AST_EXTRA_ACTION) {
                if (c->v->kind != MODEL_VIEW_VIEWSET)
                    diag_error(s->d, b->kind_word->span, "extra actions belong to "
                               "viewsets; '%s' is a view", c->v->name);
                else
                    extra_action(s, c, b);
            } else if (pass == 1 && b->kind == AST_ACTION) {
                action_block(s, c, b);
            } else if (pass == 1 && b->kind == AST_HOOKS) {
                if (hooks) {
                    diag_error(s->d, b->kind_word->span, "a second hooks block");
                    diag_note(s->d, hooks->kind_word->span, "first hooks block here");
                    continue;
                }
                hooks = b;
                hooks_block(s, c, b);
            }
        }
    }
}

/* ---------------------------------------------------------------------
 * View attributes.
 */
static void lookup_attributes(sema *s, view_ctx *c)
{
    model_view *v = c->v;
    const ast_member *lf = members_take(&c->ms, "lookup_field");
    const ast_member *lk = members_take(&c->ms, "lookup_url_kwarg");
    const ast_member *lr = members_take(&c->ms, "lookup_value_regex");
    v->lookup_field_name = "pk";
    if (lf) {
        const ast_ident *id = expr_field_name(s, lf->value);
        if (!id)
            diag_error(s->d, lf->value->span, "'lookup_field' expects a field name, not %s",
                       expr_desc(lf->value));
        else if (v->model && (v->lookup_field = sema_resolve_field(s, v->model, id)))
            v->lookup_field_name = id->text;
    } else if (v->model) {
        v->lookup_field = v->model->pk;
    }
    v->lookup_url_kwarg = v->lookup_field_name;
    if (lk && read_string(s, lk, &v->lookup_url_kwarg)
        && !names_is_c_identifier(v->lookup_url_kwarg))
        diag_error(s->d, lk->value->span, "'lookup_url_kwarg' must be an identifier "
                   "(a URL keyword argument name)");
    if (lr && read_string(s, lr, &v->lookup_value_regex) && strchr(v->lookup_value_regex, '/'))
        diag_error(s->d, lr->value->span, "'lookup_value_regex' must not match '/': it "
                   "matches one path segment");
}

static bool has_backend(const model_filters *f, model_filter_backend b)
{
    for (uint32_t i = 0; i < f->nbackends; i++)
        if (f->backends[i] == b)
            return true;
    return false;
}

static model_field *field_name_ref(sema *s, model_resource *r, const ast_expr *e,
                                   const char *what)
{
    const ast_ident *id = expr_field_name(s, e);
    if (!id) {
        diag_error(s->d, e->span, "%s lists field names, not %s", what, expr_desc(e));
        return NULL;
    }
    if (e->kind == AST_NAME && e->u.name.parts.count > 1) {
        diag_error(s->d, e->span, "%s across relations is not supported; list fields of "
                   "'%s'", what, r->name);
        return NULL;
    }
    return sema_resolve_field(s, r, id);
}

static void search_fields(sema *s, view_ctx *c, const ast_member *m)
{
    const ast_expr_array *list = read_list(s, m);
    model_filters *f = &c->v->filters;
    for (uint32_t i = 0; list && i < list->count; i++) {
        const ast_expr *e = list->items[i];
        model_search_field *sf = rf_calloc(s->a, sizeof *sf);
        sf->loc = sema_loc(s, e->span);
        ast_ident id = { .span = e->span };
        if (e->kind == AST_STRING && e->u.string.len) {
            const char *t = e->u.string.text;
            if (strchr("^=@$", t[0]))
                sf->prefix = *t++;
            id.text = t;
            if (strchr(t, '.') || strstr(t, "__")) {
                diag_error(s->d, e->span, "searching across relations is not supported; "
                           "list fields of '%s'", c->v->model->name);
                continue;
            }
            sf->field = sema_resolve_field(s, c->v->model, &id);
        } else {
            sf->field = field_name_ref(s, c->v->model, e, "'search_fields'");
        }
        if (sf->field && sf->field->type == MODEL_T_FOREIGNKEY) {
            diag_error(s->d, e->span, "cannot search the ForeignKey '%s' itself",
                       sf->field->name);
            continue;
        }
        if (sf->field)
            VPUSH(s, f->search_fields, f->nsearch_fields, sf);
    }
}

static void field_list(sema *s, view_ctx *c, const ast_member *m, model_field ***out,
                       uint32_t *n)
{
    const ast_expr_array *list = read_list(s, m);
    for (uint32_t i = 0; list && i < list->count; i++) {
        model_field *f = field_name_ref(s, c->v->model, list->items[i],
                                        sema_printf(s, "'%s'", m->key->text));
        if (f)
            VPUSH(s, *out, *n, f);
    }
}

static void warn_without_backend(sema *s, view_ctx *c, const ast_member *m,
                                 model_filter_backend b, const char *backend)
{
    if (m && !has_backend(&c->v->filters, b))
        diag_warning(s->d, m->key->span, "'%s' has no effect: %s is not among the "
                     "filter backends of '%s'", m->key->text, backend, c->v->name);
}

static void filter_attributes(sema *s, view_ctx *c)
{
    model_filters *f = &c->v->filters;
    const model_settings *st = &s->m->settings;
    f->backends = st->filter_backends;
    f->nbackends = st->nfilter_backends;
    f->search_param = st->search_param;
    f->ordering_param = st->ordering_param;
    const ast_member *fb = members_take(&c->ms, "filter_backends");
    const ast_member *ff = members_take(&c->ms, "filterset_fields");
    const ast_member *sf = members_take(&c->ms, "search_fields");
    const ast_member *of = members_take(&c->ms, "ordering_fields");
    const ast_member *od = members_take(&c->ms, "ordering");
    const ast_member *first = fb ? fb : ff ? ff : sf ? sf : of ? of : od;
    if (first && !c->v->model) {
        diag_error(s->d, first->key->span, "'%s' needs a queryset: view '%s' has no "
                   "resource", first->key->text, c->v->name);
        return;
    }
    if (fb)
        sema_filter_list(s, fb, &f->backends, &f->nbackends);
    if (ff)
        field_list(s, c, ff, &f->filterset_fields, &f->nfilterset_fields);
    if (sf)
        search_fields(s, c, sf);
    if (of && of->value->kind == AST_STRING && !strcmp(of->value->u.string.text, "__all__"))
        f->ordering_all = true;
    else if (of)
        field_list(s, c, of, &f->ordering_fields, &f->nordering_fields);
    if (od)
        sema_ordering(s, c->v->model, od, &f->ordering, &f->nordering);
    f->ordering_fields_defaulted = !of && has_backend(f, MODEL_FILTER_ORDERING);
    warn_without_backend(s, c, ff, MODEL_FILTER_DJANGO, "DjangoFilterBackend");
    warn_without_backend(s, c, sf, MODEL_FILTER_SEARCH, "SearchFilter");
    warn_without_backend(s, c, of, MODEL_FILTER_ORDERING, "OrderingFilter");
    warn_without_backend(s, c, od, MODEL_FILTER_ORDERING, "OrderingFilter");
}

static void post_fetches(sema *s, view_ctx *c)
{
    const ast_member *m = members_take(&c->ms, "post_fetches");
    const ast_expr_array *list = m ? read_list(s, m) : NULL;
    for (uint32_t i = 0; list && i < list->count; i++) {
        const ast_ident *id = expr_ident(list->items[i]);
        if (!id) {
            diag_error(s->d, list->items[i]->span, "'post_fetches' lists postfetch "
                       "names, not %s", expr_desc(list->items[i]));
            continue;
        }
        sym *y = resolve_sym(s, id, SYM_POSTFETCH);
        model_postfetch *pf = y ? y->entity : NULL;
        if (!pf)
            continue;
        bool clash = false;
        for (uint32_t j = 0; j < c->v->npost_fetches; j++) {
            if (strcmp(c->v->post_fetches[j]->to_attr, pf->to_attr) == 0) {
                diag_error(s->d, id->span, "'%s' and '%s' both attach to '%s'",
                           c->v->post_fetches[j]->name, pf->name, pf->to_attr);
                clash = true;
            }
        }
        if (!clash)
            VPUSH(s, c->v->post_fetches, c->v->npost_fetches, pf);
    }
}

static void view_scalars(sema *s, view_ctx *c)
{
    const ast_member *m;
    c->v->description = "";
    if ((m = members_take(&c->ms, "description")))
        read_string(s, m, &c->v->description);
    if ((m = members_take(&c->ms, "throttle_scope")) && read_string(s, m, &c->v->throttle_scope)
        && !*c->v->throttle_scope)
        diag_error(s->d, m->value->span, "'throttle_scope' cannot be empty");
    c->v->authentication_classes = s->m->settings.authentication_classes;
    c->v->nauthentication_classes = s->m->settings.nauthentication_classes;
    if ((m = members_take(&c->ms, "authentication_classes")))
        sema_auth_list(s, m, &c->v->authentication_classes, &c->v->nauthentication_classes);
}

/* Attributes that need a resource are refused on views without one. */
static void reject_model_attributes(sema *s, view_ctx *c)
{
    static const char *const model_keys[] = {
        "lookup_field", "lookup_url_kwarg", "lookup_value_regex", "filter_backends",
        "filterset_fields", "search_fields", "ordering_fields", "ordering", NULL
    };
    for (int i = 0; model_keys[i]; i++) {
        const ast_member *m = members_take(&c->ms, model_keys[i]);
        if (m)
            diag_error(s->d, m->key->span, "'%s' applies to generic views and viewsets "
                       "with a queryset; '%s' is %s", model_keys[i], c->v->name,
                       c->v->kind == MODEL_VIEW_API ? "an APIView" : "a plain ViewSet");
    }
}

/* ---------------------------------------------------------------------
 * ActionConfig resolution.
 */
/* DRF's throttle semantics, per view: a scoped throttle takes the view's
 * throttle_scope and DEFAULT_THROTTLE_RATES[throttle_scope]. */
/* Where an action's throttles were written: its block, the view's
 * throttle_classes, or the view itself when they come from settings. */
static span throttles_at(const view_ctx *c, const model_action *a)
{
    if (a->overridden & MODEL_AC_THROTTLE_CLASSES)
        return a->loc.span;
    const ast_member *m = block_member(c->block, "throttle_classes");
    return m ? m->key->span : c->block->name->span;
}

static void idle_scoped_throttle(sema *s, view_ctx *c, model_throttle *t,
                                 const model_action *a)
{
    for (uint32_t i = 0; i < c->nidle_scoped; i++)
        if (c->idle_scoped[i] == t)
            return;
    VPUSH(s, c->idle_scoped, c->nidle_scoped, t);
    diag_warning(s->d, throttles_at(c, a), "throttle '%s' never limits '%s': a "
                 "ScopedRateThrottle applies only to views that set throttle_scope",
                 t->name, c->v->name);
}

static model_throttle_use *throttle_use(sema *s, view_ctx *c, model_throttle *t,
                                        const model_action *a)
{
    model_throttle_use *u = rf_calloc(s->a, sizeof *u);
    u->throttle = t;
    u->scope = t->scope;
    u->num_requests = t->rate.num_requests;
    u->duration = t->rate.duration;
    u->active = t->rate.text != NULL;
    if (t->kind != MODEL_THROTTLE_SCOPED)
        return u;
    u->scope = c->v->throttle_scope;
    u->active = false;
    if (!u->scope) {
        idle_scoped_throttle(s, c, t, a);
        return u;
    }
    model_rate *r = sema_rate_for_scope(s, u->scope);
    if (!r) {
        const ast_member *m = block_member(c->block, "throttle_scope");
        if (!c->scope_rate_reported)
            diag_error(s->d, m->value->span, "throttle_scope '%s' has no rate in "
                       "DEFAULT_THROTTLE_RATES", u->scope);
        c->scope_rate_reported = true;
        return u;
    }
    u->active = r->text != NULL;
    u->num_requests = r->num_requests;
    u->duration = r->duration;
    return u;
}

static const ac_values *values_of(const view_ctx *c, const model_action *a)
{
    for (uint32_t i = 0; i < c->navs; i++)
        if (c->avs[i].action == a)
            return &c->avs[i].values;
    return NULL;
}

/* The layer that sets `bit`: the action block, else the view, else NULL
 * (the settings' default applies). */
static const ac_values *layer(const ac_values *av, const ac_values *vv, unsigned bit)
{
    if (av && (av->set & bit))
        return av;
    return (vv->set & bit) ? vv : NULL;
}

static void resolve_config(sema *s, view_ctx *c, model_action *a)
{
    const ac_values *av = values_of(c, a), *vv = &c->values, *l;
    const model_settings *st = &s->m->settings;
    model_action_config *cfg = &a->config;
    l = layer(av, vv, MODEL_AC_SERIALIZER_CLASS);
    cfg->serializer = l ? l->serializer : NULL;
    l = layer(av, vv, MODEL_AC_REQUEST_SERIALIZER_CLASS);
    cfg->request_serializer = l ? l->request : cfg->serializer;
    l = layer(av, vv, MODEL_AC_RESPONSE_SERIALIZER_CLASS);
    cfg->response_serializer = l ? l->response : cfg->serializer;
    l = layer(av, vv, MODEL_AC_QUERYSET);
    cfg->queryset = l ? l->queryset : NULL;

    l = layer(av, vv, MODEL_AC_PERMISSION_CLASSES);
    cfg->permissions = l ? l->perms : st->permission_classes;
    cfg->npermissions = l ? l->nperms : st->npermission_classes;

    l = layer(av, vv, MODEL_AC_THROTTLE_CLASSES);
    model_throttle **ts = l ? l->throttles : st->throttle_classes;
    uint32_t nts = l ? l->nthrottles : st->nthrottle_classes;
    for (uint32_t i = 0; i < nts; i++) {
        model_throttle_use *u = throttle_use(s, c, ts[i], a);
        VPUSH(s, cfg->throttles, cfg->nthrottles, u);
    }

    l = layer(av, vv, MODEL_AC_PARSER_CLASSES);
    cfg->parsers = l ? l->parsers : st->parsers;
    cfg->nparsers = l ? l->nparsers : st->nparsers;
    l = layer(av, vv, MODEL_AC_RENDERER_CLASSES);
    cfg->renderers = l ? l->renderers : st->renderers;
    cfg->nrenderers = l ? l->nrenderers : st->nrenderers;
    l = layer(av, vv, MODEL_AC_PAGINATION_CLASS);
    cfg->paginator = l ? l->pagination : st->pagination_class;
}

/* What the generic pipelines need of an action's serializers. */
static void check_action_serializers(sema *s, view_ctx *c, model_action *a)
{
    model_action_config *cfg = &a->config;
    span at = a->loc.span;
    const ac_values *av = values_of(c, a);
    unsigned failed = c->values.failed | (av ? av->failed : 0);
    if (failed & (MODEL_AC_SERIALIZER_CLASS | MODEL_AC_REQUEST_SERIALIZER_CLASS
                  | MODEL_AC_RESPONSE_SERIALIZER_CLASS | MODEL_AC_QUERYSET))
        return;
    bool reads = a->kind != MODEL_ACT_HANDLER && a->kind != MODEL_ACT_DESTROY;
    bool writes = a->kind == MODEL_ACT_CREATE || a->kind == MODEL_ACT_UPDATE
                  || a->kind == MODEL_ACT_PARTIAL_UPDATE;
    if (reads && !cfg->response_serializer) {
        diag_error(s->d, at, "action '%s' of '%s' has no serializer: set serializer_class",
                   a->name, c->v->name);
        return;
    }
    model_serializer *out[2] = { writes ? cfg->request_serializer : NULL,
                                 reads ? cfg->response_serializer : NULL };
    for (int i = 0; i < 2; i++) {
        model_serializer *ser = out[i];
        if (!ser)
            continue;
        if (i == 0 && ser->kind != MODEL_MODEL_SERIALIZER) {
            diag_error(s->d, at, "action '%s' of '%s' saves with '%s', a plain Serializer "
                       "(DRF's Serializer.%s raises NotImplementedError); use a "
                       "ModelSerializer", a->name, c->v->name, ser->name,
                       a->kind == MODEL_ACT_CREATE ? "create" : "update");
            continue;
        }
        if (ser->model && c->v->model && ser->model != c->v->model)
            diag_error(s->d, at, "action '%s' of '%s' uses '%s', a serializer of '%s', on "
                       "'%s' rows", a->name, c->v->name, ser->name, ser->model->name,
                       c->v->model->name);
    }
    if (cfg->queryset && c->v->model && cfg->queryset->resource != c->v->model)
        diag_error(s->d, cfg->queryset->loc.span, "the queryset of action '%s' is over "
                   "'%s', the view's over '%s'", a->name, cfg->queryset->resource->name,
                   c->v->model->name);
}

/* CursorPagination orders by fields of the rows it pages: the view's
 * resource, or an APIView's response serializer's model. */
static void check_cursor_ordering(sema *s, view_ctx *c, const model_action *a)
{
    const model_pagination *p = a->config.paginator;
    const model_resource *rows = model_paginated_resource(c->v, a);
    if (!p || p->kind != MODEL_CURSOR || !rows)
        return;
    const ast_member *pm = block_member(c->block, "pagination_class");
    span at = (a->overridden & MODEL_AC_PAGINATION_CLASS) ? a->loc.span
            : pm ? pm->value->span : c->v->loc.span;
    for (uint32_t i = 0; i < p->nordering; i++) {
        if (model_find_field(rows, p->ordering[i]->name))
            continue;
        diag_error(s->d, at, "view '%s' paginates with '%s', which orders by "
                   "'%s', and '%s' has no such field", c->v->name, p->name,
                   p->ordering[i]->name, rows->name);
        if (p->loc.line)
            diag_note(s->d, p->ordering[i]->loc.span, "ordering set here");
        else
            diag_hint(s->d, "DRF's CursorPagination orders by '-created'; declare a "
                      "pagination with its own ordering");
    }
}

/* OrderingFilter's default valid fields: the serializer's readable model
 * fields (the list action's serializer, else the view's). */
static void default_ordering_fields(sema *s, view_ctx *c)
{
    model_filters *f = &c->v->filters;
    if (!f->ordering_fields_defaulted)
        return;
    model_action *list = model_find_action(c->v, "list");
    model_serializer *ser = list ? list->config.serializer : c->values.serializer;
    for (uint32_t i = 0; ser && i < ser->nfields; i++) {
        model_sfield *sf = ser->fields[i];
        if (!sf->write_only && sf->source_kind == MODEL_SRC_FIELD && sf->model_field)
            VPUSH(s, f->ordering_fields, f->nordering_fields, sf->model_field);
    }
}

static void resolve_configs(sema *s, view_ctx *c)
{
    bool scoped_used = false;
    for (uint32_t i = 0; i < c->v->nactions; i++) {
        model_action *a = c->v->actions[i];
        resolve_config(s, c, a);
        check_action_serializers(s, c, a);
        /* list, the one generic action that paginates; and an APIView's
         * GET handler, which pages its response serializer's rows. */
        if (a->kind == MODEL_ACT_LIST
            || (!c->v->model && a->kind == MODEL_ACT_HANDLER && (a->methods & MODEL_GET)))
            check_cursor_ordering(s, c, a);
        for (uint32_t j = 0; j < a->config.nthrottles; j++)
            scoped_used |= a->config.throttles[j]->throttle->kind == MODEL_THROTTLE_SCOPED;
    }
    if (c->v->throttle_scope && !scoped_used)
        diag_warning(s->d, block_member(c->block, "throttle_scope")->key->span,
                     "throttle_scope has no effect: no action of '%s' uses a "
                     "ScopedRateThrottle", c->v->name);
    default_ordering_fields(s, c);
}

/* ---------------------------------------------------------------------
 * Views.
 */
static const char *const view_keys[] = {
    "queryset", "serializer_class", "request_serializer_class",
    "response_serializer_class", "lookup_field", "lookup_url_kwarg", "lookup_value_regex",
    "authentication_classes", "permission_classes", "throttle_classes", "throttle_scope",
    "pagination_class", "filter_backends", "filterset_fields", "search_fields",
    "ordering_fields", "ordering", "parser_classes", "renderer_classes", "post_fetches",
    "mixins", "description", "async", "blocking", "get", "post", "put", "patch", "delete",
    "list", "create", "retrieve", "update", "partial_update", "destroy", NULL
};

static bool view_base(sema *s, view_ctx *c, sym *y)
{
    const ast_block *b = y->block;
    bool is_async = false;
    const base_info *bi = b->base ? find_base(b->base->text, &is_async) : NULL;
    bool want_viewset = y->kind == SYM_VIEWSET;
    if (!bi) {
        unknown_base(s, b, want_viewset);
        return false;
    }
    if ((bi->kind == MODEL_VIEW_VIEWSET) != want_viewset) {
        diag_error(s->d, b->base->span, "%s is a %s base; declare '%s' with `%s`",
                   b->base->text, want_viewset ? "view" : "viewset", y->name,
                   want_viewset ? "view" : "viewset");
        return false;
    }
    c->base = bi;
    c->v->base = bi->base;
    c->v->base_name = b->base->text;
    c->v->kind = bi->kind;
    c->v->is_async = is_async;
    c->std = bi->actions;
    return true;
}

static void view_model(sema *s, view_ctx *c)
{
    model_view *v = c->v;
    if (c->values.queryset)
        v->model = c->values.queryset->resource;
    v->queryset = c->values.queryset;
    bool needs = v->kind == MODEL_VIEW_GENERIC || v->base == MODEL_BASE_GENERIC_VIEWSET
                 || v->base == MODEL_BASE_READ_ONLY_MODEL_VIEWSET
                 || v->base == MODEL_BASE_MODEL_VIEWSET;
    if (needs && !v->model && !block_member(c->block, "queryset"))
        diag_error(s->d, c->block->name->span, "%s '%s' needs a queryset (at least its "
                   "resource: `queryset = Resource;`)", c->block->kind_word->text, v->name);
    if (!needs && block_member(c->block, "queryset") && v->kind == MODEL_VIEW_API)
        diag_error(s->d, block_member(c->block, "queryset")->key->span, "an APIView has no "
                   "queryset; use a generic view, or build the query in the handler");
}

static void view_body(sema *s, sym *y)
{
    view_ctx c = { .block = y->block };
    model_view *v = rf_calloc(s->a, sizeof *v);
    c.v = v;
    v->name = y->name;
    v->loc = sema_loc(s, sym_span(y));
    char *display = rf_alloc(s->a, NAMES_BUF(strlen(y->name)));
    names_view_display(y->name, display);
    v->display_name = display;
    if (!view_base(s, &c, y))
        return;
    y->entity = v;
    v->index = s->m->nviews;
    VPUSH(s, s->m->views, s->m->nviews, v);
    members_init(s, &c.ms, c.block);
    bool explicit_form;
    c.form = read_decl_form(s, &c.ms, v->is_async ? MODEL_HOOK_ASYNC : MODEL_HOOK_BLOCKING,
                            &explicit_form);
    read_ac_values(s, &c.ms, &c.values);
    view_model(s, &c);
    view_scalars(s, &c);
    if (v->model) {
        lookup_attributes(s, &c);
        filter_attributes(s, &c);
    } else {
        reject_model_attributes(s, &c);
    }
    post_fetches(s, &c);
    read_mixins(s, &c);
    standard_actions(s, &c);
    handler_actions(s, &c);
    check_method_clashes(s, &c);
    nested_blocks(s, &c);
    members_reject_rest(s, &c.ms, sema_printf(s, "%s '%s'", c.block->kind_word->text, v->name),
                        view_keys);
    if (!v->nactions && !c.handlers_written)
        diag_error(s->d, c.block->name->span, "%s '%s' has no actions: give it %s",
                   c.block->kind_word->text, v->name,
                   v->kind == MODEL_VIEW_API ? "handlers (get = fn;)"
                   : c.base->takes_mixins ? "mixins" : "handlers or extra actions");
    resolve_configs(s, &c);
}

void sema_views(sema *s)
{
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_VIEW || s->syms[i]->kind == SYM_VIEWSET)
            view_body(s, s->syms[i]);
}

model_view *model_find_view(const model *m, const char *name)
{
    for (uint32_t i = 0; i < m->nviews; i++)
        if (strcmp(m->views[i]->name, name) == 0)
            return m->views[i];
    return NULL;
}

model_action *model_find_action(const model_view *v, const char *name)
{
    for (uint32_t i = 0; i < v->nactions; i++)
        if (strcmp(v->actions[i]->name, name) == 0)
            return v->actions[i];
    return NULL;
}

const model_resource *model_paginated_resource(const model_view *v, const model_action *a)
{
    if (v->model)
        return v->model;
    const model_serializer *out = a->config.response_serializer;
    return out ? out->model : NULL;
}
