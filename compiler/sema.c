/*
 * sema.c: the driver of semantic analysis and the helpers every pass uses
 * (symbols, members, value readers, hooks).
 *
 * Passes, in order (each needs what the previous ones built):
 *   1. spec, databases, and the symbol table of every declaration;
 *   2. resources and their fields (foreign keys resolved after all exist);
 *   3. settings scalars (PAGE_SIZE, rates), then paginations, throttles,
 *      permissions, authenticators, then the settings' class lists;
 *   4. PostFetches, serializers;
 *   5. views and viewsets with every action's ActionConfig;
 *   6. PostFetch bases and serializer bindings that depend on the views;
 *   7. routers, urls and the route table (routes.c), then the url.NAME
 *      converters of querysets.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "names.h"
#include "sema.h"
#include "sema_internal.h"

/* ---------------------------------------------------------------------
 * Strings and locations.
 */
char *sema_strdup(const sema *s, const char *text)
{
    return rf_strdup(s->a, text);
}

char *sema_printf(const sema *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = rf_alloc(s->a, (size_t)n + 1);
    vsnprintf(out, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return out;
}

model_loc sema_loc(const sema *s, span at)
{
    source_pos p = source_locate(s->src, at.off);
    return (model_loc){ .file = s->src->name, .line = p.line, .col = p.col, .span = at };
}

model_loc sema_builtin_loc(const sema *s)
{
    return (model_loc){ .file = s->src->name };
}

/* ---------------------------------------------------------------------
 * Symbols: one namespace.
 */
sym *sym_find(const sema *s, const char *name)
{
    return strmap_get(&s->names, name);
}

sym *sym_add(sema *s, const char *name, sym_kind kind, const ast_block *block)
{
    sym *y = rf_calloc(s->a, sizeof *y);
    y->name = name;
    y->kind = kind;
    y->block = block;
    y->builtin = block == NULL;
    VPUSH(s, s->syms, s->nsyms, y);
    strmap_put(s->a, &s->names, name, y);
    return y;
}

const char *sym_kind_noun(sym_kind kind)
{
    switch (kind) {
    case SYM_RESOURCE: return "resource";
    case SYM_SERIALIZER: return "serializer";
    case SYM_POSTFETCH: return "postfetch";
    case SYM_PAGINATION: return "pagination";
    case SYM_THROTTLE: return "throttle";
    case SYM_PERMISSION: return "permission";
    case SYM_AUTHENTICATION: return "authentication";
    case SYM_VIEW: return "view";
    case SYM_VIEWSET: return "viewset";
    case SYM_ROUTER: return "router";
    case SYM_FILTER_BACKEND: return "filter backend";
    case SYM_PARSER: return "parser";
    case SYM_RENDERER: return "renderer";
    case SYM_MIXIN: return "mixin";
    }
    return "name";
}

span sym_span(const sym *y)
{
    return y->block->name ? y->block->name->span : y->block->span;
}

void note_declared(sema *s, const sym *y)
{
    if (y->builtin)
        return;
    diag_note(s->d, sym_span(y), "'%s' declared here", y->name);
}

static bool kind_wanted(sym_kind k, const sym_kind *wants)
{
    for (; *wants; wants++)
        if (*wants == k)
            return true;
    return false;
}

const char *sema_article(const char *noun)
{
    return strchr("aeiouAEIOU", noun[0]) ? "an" : "a";
}

sym *resolve_sym_of(sema *s, const char *text, span at, const sym_kind *wants,
                    const char *noun)
{
    sym *y = sym_find(s, text);
    if (y && kind_wanted(y->kind, wants))
        return y;
    if (y) {
        const char *kn = sym_kind_noun(y->kind);
        if (y->builtin)
            diag_error(s->d, at, "'%s' is a built-in %s, not %s %s", text, kn,
                       sema_article(noun), noun);
        else
            diag_error(s->d, at, "'%s' is %s %s, not %s %s", text, sema_article(kn), kn,
                       sema_article(noun), noun);
        note_declared(s, y);
        return NULL;
    }
    diag_error(s->d, at, "unknown %s '%s'", noun, text);
    if (diag_stopped(s->d))
        return NULL;   /* nobody will read the hint: skip the search */
    names_suggester sg;
    names_suggest_init(&sg, text);
    sym *best = NULL;
    for (uint32_t i = 0; i < s->nsyms; i++) {
        if (!kind_wanted(s->syms[i]->kind, wants))
            continue;
        const char *before = names_suggest_best(&sg);
        names_suggest_consider(&sg, s->syms[i]->name);
        if (names_suggest_best(&sg) != before)
            best = s->syms[i];
    }
    if (best) {
        diag_hint(s->d, "did you mean '%s'?", best->name);
        note_declared(s, best);
    }
    return NULL;
}

sym *resolve_sym(sema *s, const ast_ident *name, sym_kind want)
{
    sym_kind wants[2] = { want, 0 };
    return resolve_sym_of(s, name->text, name->span, wants, sym_kind_noun(want));
}

const char *suggest_word(const char *goal, const char *const *words)
{
    names_suggester sg;
    names_suggest_init(&sg, goal);
    for (; *words; words++)
        names_suggest_consider(&sg, *words);
    return names_suggest_best(&sg);
}

/* ---------------------------------------------------------------------
 * Members.
 */
void members_init(sema *s, members *ms, const ast_block *b)
{
    memset(ms, 0, sizeof *ms);
    ms->block = b;
    for (uint32_t i = 0; i < b->members.count; i++) {
        const ast_member *m = b->members.items[i];
        if (m->kind != AST_ASSIGN)
            continue;
        uintptr_t first = (uintptr_t)strmap_get(&ms->index, m->key->text);
        if (first) {
            diag_error(s->d, m->key->span, "'%s' is set twice", m->key->text);
            diag_note(s->d, ms->items[first - 1]->key->span, "first set here");
            continue;
        }
        VPUSH(s, ms->items, ms->n, m);
        strmap_put(s->a, &ms->index, m->key->text, (void *)(uintptr_t)ms->n);
    }
    ms->taken = rf_calloc(s->a, (ms->n ? ms->n : 1) * sizeof *ms->taken);
}

const ast_member *members_take(members *ms, const char *key)
{
    uintptr_t i = (uintptr_t)strmap_get(&ms->index, key);
    if (!i)
        return NULL;
    ms->taken[i - 1] = true;
    return ms->items[i - 1];
}

const ast_member *block_member(const ast_block *b, const char *key)
{
    for (uint32_t i = 0; i < b->members.count; i++) {
        const ast_member *m = b->members.items[i];
        if (m->kind == AST_ASSIGN && strcmp(m->key->text, key) == 0)
            return m;
    }
    return NULL;
}

void members_reject_rest(sema *s, members *ms, const char *what,
                         const char *const *known)
{
    for (uint32_t i = 0; i < ms->n; i++) {
        if (ms->taken[i])
            continue;
        ms->taken[i] = true;
        const ast_ident *k = ms->items[i]->key;
        diag_error(s->d, k->span, "unknown attribute '%s' in %s", k->text, what);
        const char *best = known ? suggest_word(k->text, known) : NULL;
        if (best)
            diag_hint(s->d, "did you mean '%s'?", best);
    }
}

/* ---------------------------------------------------------------------
 * Value readers.
 */
const char *expr_desc(const ast_expr *e)
{
    switch (e->kind) {
    case AST_NAME: return e->u.name.parts.count > 1 ? "a dotted name" : "a name";
    case AST_STRING: return "a string";
    case AST_INT: return "an integer";
    case AST_DECIMAL: return "a decimal number";
    case AST_BOOL: return e->u.boolean ? "true" : "false";
    case AST_NULL: return "null";
    case AST_LIST: return "a list";
    case AST_MAP: return "a map";
    case AST_CALL: return "a call";
    case AST_NEG: return "a descending name";
    case AST_NOT: case AST_AND: case AST_OR: return "a permission expression";
    }
    return "an expression";
}

const ast_ident *expr_ident(const ast_expr *e)
{
    if (e->kind == AST_NAME && e->u.name.parts.count == 1)
        return e->u.name.parts.items[0];
    return NULL;
}

const ast_ident *expr_field_name(sema *s, const ast_expr *e)
{
    const ast_ident *id = expr_ident(e);
    if (id || e->kind != AST_STRING)
        return id;
    ast_ident *from_string = rf_calloc(s->a, sizeof *from_string);
    from_string->text = e->u.string.text;
    from_string->span = e->span;
    return from_string;
}

static void expects(sema *s, const ast_member *m, const char *what)
{
    diag_error(s->d, m->value->span, "'%s' expects %s, not %s", m->key->text,
               what, expr_desc(m->value));
}

bool read_bool(sema *s, const ast_member *m, bool *out)
{
    if (m->value->kind != AST_BOOL) {
        expects(s, m, "true or false");
        return false;
    }
    *out = m->value->u.boolean;
    return true;
}

bool read_int(sema *s, const ast_member *m, int64_t lo, int64_t hi, int64_t *out)
{
    if (m->value->kind != AST_INT) {
        expects(s, m, "an integer");
        return false;
    }
    int64_t v = m->value->u.integer;
    if (v < lo || v > hi) {
        if (hi >= INT32_MAX)
            diag_error(s->d, m->value->span, "'%s' must be at least %lld",
                       m->key->text, (long long)lo);
        else
            diag_error(s->d, m->value->span, "'%s' must be between %lld and %lld",
                       m->key->text, (long long)lo, (long long)hi);
        return false;
    }
    *out = v;
    return true;
}

bool read_string(sema *s, const ast_member *m, const char **out)
{
    if (m->value->kind != AST_STRING) {
        expects(s, m, "a string");
        return false;
    }
    *out = m->value->u.string.text;
    return true;
}

const ast_ident *read_ident(sema *s, const ast_member *m)
{
    const ast_ident *id = expr_ident(m->value);
    if (!id)
        expects(s, m, "a name");
    return id;
}

const ast_expr_array *read_list(sema *s, const ast_member *m)
{
    if (m->value->kind != AST_LIST) {
        expects(s, m, "a list");
        return NULL;
    }
    if (m->value->u.list.count > MODEL_MAX_LIST_ITEMS) {
        diag_error(s->d, m->value->span, "'%s' has %u items; the limit is %d",
                   m->key->text, m->value->u.list.count, MODEL_MAX_LIST_ITEMS);
        return NULL;
    }
    return &m->value->u.list;
}

/* ---------------------------------------------------------------------
 * Hooks.
 */
bool check_c_identifier(sema *s, const char *text, span at, const char *what)
{
    if (!names_is_c_identifier(text)) {
        diag_error(s->d, at, "%s '%s' is not a valid C identifier", what, text);
        return false;
    }
    const char *why = names_c_reserved_reason(text);
    if (why) {
        diag_error(s->d, at, "%s '%s' cannot name a C function: it %s", what, text, why);
        return false;
    }
    return true;
}

static const char *const hook_form_words[] = { "sync", "blocking", "async", NULL };

/* `async(fn)`: the form word and the one name inside. */
static const ast_ident *hook_call(sema *s, const ast_expr *e, model_hook_form *form)
{
    const ast_call *c = &e->u.call;
    const char *w = c->callee->text;
    int which = -1;
    for (int i = 0; hook_form_words[i]; i++)
        if (strcmp(w, hook_form_words[i]) == 0)
            which = i;
    if (which < 0 || c->target) {
        diag_error(s->d, c->callee->span, "unknown hook form '%s'", w);
        const char *best = suggest_word(w, hook_form_words);
        if (best)
            diag_hint(s->d, "did you mean '%s'?", best);
        else
            diag_hint(s->d, "expected sync(...), blocking(...) or async(...)");
        return NULL;
    }
    const ast_ident *fn = c->args.count == 1 ? expr_ident(c->args.items[0]) : NULL;
    if (!fn || c->kwargs.count) {
        diag_error(s->d, c->args_span, "%s(...) takes one C function name", w);
        return NULL;
    }
    *form = (model_hook_form)which;
    return fn;
}

model_hook *read_hook(sema *s, const ast_expr *e, const char *role,
                      model_hook_sig sig, model_hook_form form)
{
    const ast_ident *fn = expr_ident(e);
    bool explicit_form = false;
    if (!fn && e->kind == AST_CALL) {
        fn = hook_call(s, e, &form);
        if (!fn)
            return NULL;
        explicit_form = true;
    } else if (!fn) {
        diag_error(s->d, e->span, "'%s' expects a C function name, not %s", role,
                   expr_desc(e));
        return NULL;
    }
    sym *y = sym_find(s, fn->text);
    if (y) {
        diag_error(s->d, fn->span, "'%s' names %s %s, not a C function", fn->text,
                   y->builtin ? "a built-in" : sema_article(sym_kind_noun(y->kind)),
                   sym_kind_noun(y->kind));
        note_declared(s, y);
        return NULL;
    }
    if (!check_c_identifier(s, fn->text, fn->span, "hook"))
        return NULL;
    model_hook *h = rf_calloc(s->a, sizeof *h);
    h->function = fn->text;
    h->role = role;
    h->form = form;
    h->form_explicit = explicit_form;
    h->sig = sig;
    h->loc = sema_loc(s, fn->span);
    /* One C function, one prototype: every use must agree on it. */
    model_hook *o = strmap_get(&s->hooks, h->function);
    if (o && o->sig != h->sig) {
        diag_error(s->d, fn->span, "C function '%s' is used as '%s' here and as '%s' "
                   "elsewhere; they need different prototypes", h->function, role, o->role);
        diag_note(s->d, o->loc.span, "used as '%s' here", o->role);
    }
    if (!o) {
        strmap_put(s->a, &s->hooks, h->function, h);
        VPUSH(s, s->m->hooks, s->m->nhooks, h);
    }
    return h;
}

model_hook_form read_decl_form(sema *s, members *ms, model_hook_form dflt,
                               bool *explicit_out)
{
    const ast_member *am = members_take(ms, "async");
    const ast_member *bm = members_take(ms, "blocking");
    bool is_async = false, is_blocking = false;
    if (am)
        read_bool(s, am, &is_async);
    if (bm)
        read_bool(s, bm, &is_blocking);
    *explicit_out = am || bm;
    if (is_async && is_blocking) {
        diag_error(s->d, bm->key->span, "a declaration cannot be both async and blocking");
        diag_note(s->d, am->key->span, "async set here");
        return dflt;
    }
    if (is_async)
        return MODEL_HOOK_ASYNC;
    if (is_blocking)
        return MODEL_HOOK_BLOCKING;
    if (am || bm)
        return MODEL_HOOK_SYNC;   /* async = false: the plain sync form */
    return dflt;
}

/* ---------------------------------------------------------------------
 * The spec block and the symbol table.
 */
static sym_kind sym_kind_of_block(ast_block_kind k)
{
    switch (k) {
    case AST_RESOURCE: return SYM_RESOURCE;
    case AST_SERIALIZER: return SYM_SERIALIZER;
    case AST_POSTFETCH: return SYM_POSTFETCH;
    case AST_PAGINATION: return SYM_PAGINATION;
    case AST_THROTTLE: return SYM_THROTTLE;
    case AST_PERMISSION: return SYM_PERMISSION;
    case AST_AUTHENTICATION: return SYM_AUTHENTICATION;
    case AST_VIEW: return SYM_VIEW;
    case AST_VIEWSET: return SYM_VIEWSET;
    case AST_ROUTER: return SYM_ROUTER;
    default: return 0;
    }
}

static bool check_decl_name(sema *s, const ast_ident *name)
{
    if (strlen(name->text) > MODEL_MAX_NAME_BYTES) {
        diag_error(s->d, name->span, "name '%s' is longer than %d bytes",
                   name->text, MODEL_MAX_NAME_BYTES);
        return false;
    }
    return true;
}

static void declare(sema *s, const ast_block *b, uint32_t *per_kind)
{
    sym_kind k = sym_kind_of_block(b->kind);
    if (!k || !check_decl_name(s, b->name))
        return;
    if (++per_kind[k] > MODEL_MAX_DECLARATIONS) {
        if (per_kind[k] == MODEL_MAX_DECLARATIONS + 1)
            diag_error(s->d, b->name->span, "more than %d %s declarations",
                       MODEL_MAX_DECLARATIONS, b->kind_word->text);
        return;
    }
    sym *old = sym_find(s, b->name->text);
    if (old) {
        if (old->builtin) {
            diag_error(s->d, b->name->span, "'%s' is the name of a built-in %s",
                       b->name->text, sym_kind_noun(old->kind));
        } else {
            diag_error(s->d, b->name->span, "redefinition of '%s'", b->name->text);
            diag_note(s->d, sym_span(old), "previously declared here");
        }
        return;
    }
    sym_add(s, b->name->text, k, b);
}

/* Blocks that may appear once: spec, settings, databases, urls. */
static const ast_block *single_block(sema *s, ast_block_kind kind, bool required)
{
    const ast_block *found = NULL;
    for (uint32_t i = 0; i < s->file->blocks.count; i++) {
        const ast_block *b = s->file->blocks.items[i];
        if (b->kind != kind)
            continue;
        if (found) {
            diag_error(s->d, b->kind_word->span, "more than one '%s' block",
                       ast_block_kind_name(kind));
            diag_note(s->d, found->kind_word->span, "first one here");
            continue;
        }
        found = b;
    }
    if (!found && required)
        diag_error_file(s->d, "no 'spec' block: a spec starts with `spec NAME { ... }`");
    return found;
}

static void spec_block(sema *s)
{
    model *m = s->m;
    m->title = "";
    m->version = "";
    m->name = "spec";
    const ast_block *b = single_block(s, AST_SPEC, true);
    if (!b)
        return;
    m->loc = sema_loc(s, b->span);
    if (check_decl_name(s, b->name) &&
        check_c_identifier(s, b->name->text, b->name->span, "spec name"))
        m->name = b->name->text;
    members ms;
    members_init(s, &ms, b);
    const ast_member *t = members_take(&ms, "title");
    if (t)
        read_string(s, t, &m->title);
    const ast_member *v = members_take(&ms, "version");
    if (v)
        read_string(s, v, &m->version);
    static const char *const known[] = { "title", "version", NULL };
    members_reject_rest(s, &ms, "the spec block", known);
}

/* Nested blocks and statements are the business of the kinds that take
 * them; anywhere else they are errors. */
void sema_reject_nested(sema *s, const ast_block *b, const char *what)
{
    for (uint32_t i = 0; i < b->members.count; i++) {
        const ast_member *m = b->members.items[i];
        if (m->kind == AST_NESTED)
            diag_error(s->d, m->block->kind_word->span, "'%s' blocks belong in views "
                       "and viewsets, not in %s", m->block->kind_word->text, what);
        else if (m->kind == AST_STATEMENT)
            diag_error(s->d, m->span, "statements belong in routers and urls, not in %s",
                       what);
    }
}

model *sema_check(rf_arena *a, const ast_file *file, diag *d)
{
    sema s = { .a = a, .d = d, .file = file, .src = file->src,
               .errors_at_start = d->errors };
    s.m = rf_calloc(a, sizeof *s.m);
    s.m->file = file->src->name;
    s.m->src = file->src;

    spec_block(&s);
    builtins_declare(&s);
    uint32_t per_kind[SYM_MIXIN + 1] = { 0 };
    for (uint32_t i = 0; i < file->blocks.count; i++)
        declare(&s, file->blocks.items[i], per_kind);
    s.settings_block = single_block(&s, AST_SETTINGS, false);
    single_block(&s, AST_URLS, false);

    static void (*const passes[])(sema *) = {
        sema_databases, sema_resources, sema_settings_scalars, sema_policies,
        sema_settings_classes, sema_postfetches, sema_serializers, sema_views,
        sema_postfetch_bases, sema_serializer_bindings, sema_routes,
    };
    for (size_t i = 0; i < sizeof passes / sizeof *passes; i++) {
        if (diag_stopped(d))
            break;
        passes[i](&s);
    }
    diag_flush(d);
    return d->errors == s.errors_at_start ? s.m : NULL;
}
