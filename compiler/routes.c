/*
 * routes.c: routers, the urls block and the route table (the last sema
 * pass), and the printer behind `rflowc routes`.
 *
 * The table follows Django's resolver over the urls block in order: a
 * path() is one route; an include() of a router inserts the router's
 * routes, built as DRF 3.14's SimpleRouter.get_routes builds them: per
 * registration, in registration order,
 *     ^prefix/$                 list, create              basename-list
 *     ^prefix/url_path/$        list extra actions        basename-url_name
 *     ^prefix/{lookup}/$        retrieve, update, partial_update, destroy
 *                                                         basename-detail
 *     ^prefix/{lookup}/url_path/$   detail extra actions  basename-url_name
 * (extra actions sorted by name, as inspect.getmembers returns them; a
 * route whose methods the viewset does not implement is left out), then
 * DefaultRouter's API root ^$ (api-root).
 *
 * Not reproduced: DefaultRouter's format-suffix variants
 * (^products\.(?P<format>[a-z0-9]+)/?$); restflow answers JSON by content
 * negotiation only (docs/language.md).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "names.h"
#include "routes.h"
#include "sema_internal.h"

/* ---------------------------------------------------------------------
 * Path patterns: "api/products/<int:product_id>/reviews/".
 */
typedef struct converter_info {
    const char *name;
    const char *regex;
} converter_info;

static const converter_info converters[] = {
    { "int", "[0-9]+" },
    { "str", "[^/]+" },
    { "slug", "[-a-zA-Z0-9_]+" },
    { "uuid", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" },
};

static const converter_info *find_converter(const char *name)
{
    for (size_t i = 0; i < sizeof converters / sizeof *converters; i++)
        if (strcmp(converters[i].name, name) == 0)
            return &converters[i];
    return NULL;
}

/* What a prefix or route contributes: the runtime pattern, the Django text
 * and the captures. */
typedef struct url_part {
    const char *pattern;
    const char *django;
    model_capture **captures;
    uint32_t ncaptures;
} url_part;

static bool add_capture(sema *s, url_part *u, const char *name, const char *conv,
                        const char *regex, span at)
{
    for (uint32_t i = 0; i < u->ncaptures; i++) {
        if (strcmp(u->captures[i]->name, name) == 0) {
            diag_error(s->d, at, "URL parameter '%s' is captured twice", name);
            return false;
        }
    }
    model_capture *c = rf_calloc(s->a, sizeof *c);
    c->name = name;
    c->converter = conv;
    c->regex = regex;
    VPUSH(s, u->captures, u->ncaptures, c);
    return true;
}

static bool parse_capture(sema *s, const char *body, url_part *u, rf_buf *pat, span at)
{
    const char *colon = strchr(body, ':');
    const char *name = colon ? colon + 1 : body;
    const char *conv_name = colon ? rf_strndup(s->a, body, (size_t)(colon - body)) : "str";
    const converter_info *conv = find_converter(conv_name);
    if (!conv) {
        static const char *const names[] = { "int", "str", "slug", "uuid", NULL };
        diag_error(s->d, at, "unknown path converter '%s'", conv_name);
        const char *best = suggest_word(conv_name, names);
        diag_hint(s->d, best ? "did you mean '%s'?" : "restflow takes int, str, slug and "
                  "uuid%s", best ? best : "");
        return false;
    }
    if (!names_is_c_identifier(name)) {
        diag_error(s->d, at, "URL parameter name '%s' is not an identifier", name);
        return false;
    }
    rf_buf_printf(pat, "{%s:%s}", name, conv->name);
    return add_capture(s, u, name, conv->name, conv->regex, at);
}

/* Parse a Django path() route (or an include() prefix) into u. */
static bool parse_path(sema *s, const char *text, span at, url_part *u)
{
    memset(u, 0, sizeof *u);
    u->django = text;
    if (text[0] == '/') {
        diag_error(s->d, at, "URL patterns start without '/': write \"%s\"", text + 1);
        return false;
    }
    rf_buf pat;
    rf_buf_init(&pat, s->a, strlen(text) + 16);
    for (const char *p = text; *p; p++) {
        if (*p == '<') {
            const char *end = strchr(p, '>');
            if (!end) {
                diag_error(s->d, at, "unclosed '<' in URL pattern \"%s\"", text);
                return false;
            }
            if (!parse_capture(s, rf_strndup(s->a, p + 1, (size_t)(end - p - 1)), u, &pat, at))
                return false;
            p = end;
        } else if (*p == '>' || *p == '{' || *p == '}' || (unsigned char)*p <= ' ') {
            diag_error(s->d, at, "'%c' is not allowed in URL pattern \"%s\"",
                       (unsigned char)*p <= ' ' ? ' ' : *p, text);
            return false;
        } else {
            rf_buf_putc(&pat, *p);
        }
    }
    rf_buf_putc(&pat, '\0');
    u->pattern = pat.data;
    return true;
}

static url_part join_parts(sema *s, const url_part *a, const url_part *b, span at, bool *ok)
{
    url_part u = { .pattern = sema_printf(s, "%s%s", a->pattern, b->pattern),
                   .django = b->django };
    for (uint32_t i = 0; i < a->ncaptures; i++)
        VPUSH(s, u.captures, u.ncaptures, a->captures[i]);
    for (uint32_t i = 0; i < b->ncaptures; i++)
        *ok &= add_capture(s, &u, b->captures[i]->name, b->captures[i]->converter,
                           b->captures[i]->regex, at);
    return u;
}

/* ---------------------------------------------------------------------
 * Routers.
 */
static const char *const router_bases[] = { "SimpleRouter", "DefaultRouter", NULL };

static bool valid_prefix(const char *p)
{
    if (*p == '/' || (*p && p[strlen(p) - 1] == '/') || strstr(p, "//"))
        return false;
    for (; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("-._~/", *p)))
            return false;
    return true;
}

static const char *call_string_arg(sema *s, const ast_call *c, uint32_t i, const char *what)
{
    if (c->args.count <= i || c->args.items[i]->kind != AST_STRING) {
        diag_error(s->d, c->args.count > i ? c->args.items[i]->span : c->args_span,
                   "%s() takes %s as argument %u", c->callee->text, what, i + 1);
        return NULL;
    }
    return c->args.items[i]->u.string.text;
}

static const ast_ident *call_name_arg(sema *s, const ast_call *c, uint32_t i, const char *what)
{
    const ast_ident *id = c->args.count > i ? expr_ident(c->args.items[i]) : NULL;
    if (!id)
        diag_error(s->d, c->args.count > i ? c->args.items[i]->span : c->args_span,
                   "%s() takes %s as argument %u", c->callee->text, what, i + 1);
    return id;
}

/* Keyword arguments of register()/path(): only `name`/`basename`. */
static const char *call_kwarg(sema *s, const ast_call *c, const char *key)
{
    const char *value = NULL;
    for (uint32_t i = 0; i < c->kwargs.count; i++) {
        const ast_kwarg *k = c->kwargs.items[i];
        const char *kt = ast_dotted_text(s->a, &k->key);
        if (strcmp(kt, key) != 0) {
            diag_error(s->d, k->key_span, "%s() takes no '%s' argument", c->callee->text, kt);
            continue;
        }
        if (k->value->kind != AST_STRING)
            diag_error(s->d, k->value->span, "'%s' expects a string", key);
        else
            value = k->value->u.string.text;
    }
    return value;
}

static void register_call(sema *s, model_router *r, const ast_call *c)
{
    if (c->args.count != 2) {
        diag_error(s->d, c->args_span, "register() takes a prefix and a viewset: "
                   "register(\"products\", Products)");
        return;
    }
    const char *prefix = call_string_arg(s, c, 0, "the URL prefix");
    const ast_ident *vs = call_name_arg(s, c, 1, "a viewset");
    const char *basename = call_kwarg(s, c, "basename");
    if (!prefix || !vs)
        return;
    if (!valid_prefix(prefix)) {
        diag_error(s->d, c->args.items[0]->span, "router prefix \"%s\" is not a URL path "
                   "(no leading or trailing '/')", prefix);
        return;
    }
    sym_kind wants[] = { SYM_VIEWSET, 0 };
    sym *y = sym_find(s, vs->text);
    if (y && y->kind == SYM_VIEW) {
        diag_error(s->d, vs->span, "'%s' is a view; route it with path() in the urls block",
                   vs->text);
        note_declared(s, y);
        return;
    }
    y = resolve_sym_of(s, vs->text, vs->span, wants, "viewset");
    model_view *v = y ? y->entity : NULL;
    if (!v)
        return;
    for (uint32_t i = 0; i < r->nregistrations; i++) {
        if (strcmp(r->registrations[i]->prefix, prefix) == 0) {
            diag_error(s->d, c->args.items[0]->span, "prefix \"%s\" is registered twice",
                       prefix);
            diag_note(s->d, r->registrations[i]->loc.span, "first registered here");
            return;
        }
    }
    if (!basename && !v->model) {
        if (block_member(y->block, "queryset"))
            return;   /* its queryset failed, and said so */
        diag_error(s->d, c->args_span, "register() needs basename = \"...\": viewset '%s' "
                   "has no queryset to name it after", v->name);
        return;
    }
    model_registration *reg = rf_calloc(s->a, sizeof *reg);
    reg->prefix = prefix;
    reg->viewset = v;
    reg->loc = sema_loc(s, c->callee->span);
    if (basename) {
        reg->basename = basename;
    } else {
        char *lower = rf_alloc(s->a, strlen(v->model->name) + 1);
        names_lower(v->model->name, lower);
        reg->basename = lower;
    }
    VPUSH(s, r->registrations, r->nregistrations, reg);
}

static void router_decl(sema *s, sym *y)
{
    const ast_block *b = y->block;
    int kind = -1;
    for (int i = 0; b->base && router_bases[i]; i++)
        if (strcmp(b->base->text, router_bases[i]) == 0)
            kind = i;
    if (kind < 0) {
        diag_error(s->d, b->base ? b->base->span : b->name->span, "router '%s' needs the "
                   "base SimpleRouter or DefaultRouter", y->name);
        if (b->base && suggest_word(b->base->text, router_bases))
            diag_hint(s->d, "did you mean '%s'?", suggest_word(b->base->text, router_bases));
        return;
    }
    model_router *r = rf_calloc(s->a, sizeof *r);
    r->name = y->name;
    r->kind = (model_router_kind)kind;
    r->loc = sema_loc(s, sym_span(y));
    y->entity = r;
    VPUSH(s, s->m->routers, s->m->nrouters, r);
    for (uint32_t i = 0; i < b->members.count; i++) {
        const ast_member *m = b->members.items[i];
        if (m->kind == AST_STATEMENT && !strcmp(m->call->u.call.callee->text, "register"))
            register_call(s, r, &m->call->u.call);
        else if (m->kind == AST_STATEMENT)
            diag_error(s->d, m->call->u.call.callee->span, "a router takes register(...) "
                       "statements, not %s()", m->call->u.call.callee->text);
        else
            diag_error(s->d, m->kind == AST_ASSIGN ? m->key->span : m->block->kind_word->span,
                       "a router takes only register(\"prefix\", Viewset) statements");
    }
}

/* ---------------------------------------------------------------------
 * Routes.
 */
typedef struct route_ctx {
    sema *s;
    url_part prefix;           /* of the include */
    const char *django_prefix;
    model_loc loc;
} route_ctx;

static model_route *route_new(sema *s, model_route_kind kind, model_loc loc)
{
    model_route *r = rf_calloc(s->a, sizeof *r);
    r->kind = kind;
    r->loc = loc;
    return r;
}

static void add_route(sema *s, model_route *r)
{
    if (s->m->nroutes >= MODEL_MAX_ROUTES) {
        if (s->m->nroutes == MODEL_MAX_ROUTES)
            diag_error(s->d, r->loc.span, "more than %d routes", MODEL_MAX_ROUTES);
        s->m->nroutes++;
        return;
    }
    for (uint32_t i = 0; i < s->m->nroutes; i++) {
        const char *other = s->m->routes[i]->url_name;
        if (r->url_name && other && strcmp(other, r->url_name) == 0) {
            diag_warning(s->d, r->loc.span, "URL name '%s' is already taken; Django's "
                         "reverse() finds only one of them", r->url_name);
            diag_note(s->d, s->m->routes[i]->loc.span, "'%s' first named here", other);
        }
        if (strcmp(s->m->routes[i]->pattern, r->pattern) == 0) {
            diag_warning(s->d, r->loc.span, "route '%s' is shadowed by an earlier route "
                         "with the same pattern", r->django);
            diag_note(s->d, s->m->routes[i]->loc.span, "the earlier route");
            break;
        }
    }
    VPUSH(s, s->m->routes, s->m->nroutes, r);
}

static bool map_action(model_route *r, model_action *a)
{
    if (!a)
        return false;
    bool any = false;
    for (unsigned k = 0; k < MODEL_NMETHODS; k++)
        if (a->methods & (1u << k)) {
            r->by_method[k] = a;
            any = true;
        }
    return any;
}

/* A router route: the include prefix, the router regex, and the route's
 * own captures (the lookup). */
static void router_route(route_ctx *rc, model_route *r, const char *regex_body,
                         const url_part *own)
{
    sema *s = rc->s;
    bool ok = true;
    url_part full = join_parts(s, &rc->prefix, own, r->loc.span, &ok);
    r->pattern = full.pattern;
    r->captures = full.captures;
    r->ncaptures = full.ncaptures;
    r->django = sema_printf(s, "%s%s^%s$", rc->django_prefix, *rc->django_prefix ? " " : "",
                            regex_body);
    if (ok)
        add_route(s, r);
}

static int cmp_action_names(const void *a, const void *b)
{
    return strcmp((*(model_action *const *)a)->name, (*(model_action *const *)b)->name);
}

static void extra_routes(route_ctx *rc, model_registration *reg, bool detail,
                         const url_part *lookup, const char *lookup_regex)
{
    sema *s = rc->s;
    model_view *v = reg->viewset;
    model_action **extras = NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < v->nactions; i++)
        if (v->actions[i]->extra && v->actions[i]->detail == detail)
            VPUSH(s, extras, n, v->actions[i]);
    if (n)
        qsort(extras, n, sizeof *extras, cmp_action_names);
    const char *sep = *reg->prefix ? "/" : "";
    for (uint32_t i = 0; i < n; i++) {
        model_route *r = route_new(s, MODEL_ROUTE_VIEW, reg->loc);
        r->view = v;
        r->registration = reg;
        r->detail = detail;
        r->url_name = sema_printf(s, "%s-%s", reg->basename, extras[i]->url_name);
        r->display_name = extras[i]->display_name;
        map_action(r, extras[i]);
        url_part own = { .pattern = detail
                             ? sema_printf(s, "%s%s%s/%s/", reg->prefix, sep, lookup->pattern,
                                           extras[i]->url_path)
                             : sema_printf(s, "%s%s%s/", reg->prefix, sep, extras[i]->url_path) };
        own.captures = lookup->captures;
        own.ncaptures = detail ? lookup->ncaptures : 0;
        router_route(rc, r, detail ? sema_printf(s, "%s%s%s/%s/", reg->prefix, sep,
                                                 lookup_regex, extras[i]->url_path)
                                   : sema_printf(s, "%s%s%s/", reg->prefix, sep,
                                                 extras[i]->url_path), &own);
    }
}

/* ^prefix/$ or ^prefix/{lookup}/$ with the standard actions. */
static void standard_route(route_ctx *rc, model_registration *reg, bool detail,
                           const url_part *lookup, const char *lookup_regex)
{
    sema *s = rc->s;
    model_view *v = reg->viewset;
    model_route *r = route_new(s, MODEL_ROUTE_VIEW, reg->loc);
    r->view = v;
    r->registration = reg;
    r->detail = detail;
    static const char *const list_names[] = { "list", "create", NULL };
    static const char *const detail_names[] = { "retrieve", "update", "partial_update",
                                                "destroy", NULL };
    bool any = false;
    for (const char *const *n = detail ? detail_names : list_names; *n; n++)
        any |= map_action(r, model_find_action(v, *n));
    if (!any)
        return;
    r->url_name = sema_printf(s, "%s-%s", reg->basename, detail ? "detail" : "list");
    r->name_suffix = detail ? "Instance" : "List";
    r->display_name = sema_printf(s, "%s %s", v->display_name, r->name_suffix);
    const char *sep = *reg->prefix ? "/" : "";
    url_part own = { .pattern = detail ? sema_printf(s, "%s%s%s/", reg->prefix, sep,
                                                     lookup->pattern)
                                       : sema_printf(s, "%s%s", reg->prefix, sep) };
    own.captures = lookup->captures;
    own.ncaptures = detail ? lookup->ncaptures : 0;
    router_route(rc, r, detail ? sema_printf(s, "%s%s%s/", reg->prefix, sep, lookup_regex)
                               : sema_printf(s, "%s%s", reg->prefix, sep), &own);
}

static void registration_routes(route_ctx *rc, model_registration *reg)
{
    sema *s = rc->s;
    model_view *v = reg->viewset;
    const char *value = v->lookup_value_regex ? v->lookup_value_regex : "[^/.]+";
    const char *kwarg = v->lookup_url_kwarg ? v->lookup_url_kwarg : "pk";
    model_capture *cap = rf_calloc(s->a, sizeof *cap);
    cap->name = kwarg;
    cap->converter = v->lookup_value_regex ? "re" : "lookup";
    cap->regex = value;
    url_part lookup = { .pattern = v->lookup_value_regex
                            ? sema_printf(s, "{%s:re:%s}", kwarg, value)
                            : sema_printf(s, "{%s:lookup}", kwarg) };
    VPUSH(s, lookup.captures, lookup.ncaptures, cap);
    const char *lookup_regex = sema_printf(s, "(?P<%s>%s)", kwarg, value);
    standard_route(rc, reg, false, &lookup, lookup_regex);
    extra_routes(rc, reg, false, &lookup, lookup_regex);
    standard_route(rc, reg, true, &lookup, lookup_regex);
    extra_routes(rc, reg, true, &lookup, lookup_regex);
}

/* DefaultRouter's API root: {prefix: list URL} for registrations with a
 * list route. */
static void api_root(route_ctx *rc, model_router *router, uint32_t first_route)
{
    sema *s = rc->s;
    model_route *r = route_new(s, MODEL_ROUTE_API_ROOT, rc->loc);
    r->router = router;
    r->url_name = "api-root";
    r->display_name = "Api Root";
    for (uint32_t i = 0; i < router->nregistrations; i++) {
        model_registration *reg = router->registrations[i];
        for (uint32_t j = first_route; j < s->m->nroutes; j++) {
            model_route *lr = s->m->routes[j];
            if (lr->registration != reg || lr->detail || !lr->name_suffix)
                continue;
            model_root_entry *e = rf_calloc(s->a, sizeof *e);
            e->prefix = reg->prefix;
            e->url_name = lr->url_name;
            e->list_route = lr;
            VPUSH(s, r->root, r->nroot, e);
        }
    }
    url_part own = { .pattern = "" };
    router_route(rc, r, "", &own);
}

static void include_call(sema *s, const ast_call *c)
{
    const char *prefix = call_string_arg(s, c, 0, "the URL prefix");
    const ast_ident *rn = call_name_arg(s, c, 1, "a router");
    call_kwarg(s, c, "");
    if (!prefix || !rn)
        return;
    if (c->args.count != 2) {
        diag_error(s->d, c->args_span, "include() takes a prefix and a router: "
                   "include(\"api/\", api)");
        return;
    }
    route_ctx rc = { .s = s, .django_prefix = prefix, .loc = sema_loc(s, c->callee->span) };
    if (!parse_path(s, prefix, c->args.items[0]->span, &rc.prefix))
        return;
    if (*prefix && prefix[strlen(prefix) - 1] != '/')
        diag_warning(s->d, c->args.items[0]->span, "include prefix \"%s\" does not end "
                     "with '/', so it runs into the router's patterns", prefix);
    sym *y = resolve_sym(s, rn, SYM_ROUTER);
    model_router *router = y ? y->entity : NULL;
    if (!router)
        return;
    y->aux = y;   /* included */
    uint32_t first = s->m->nroutes;
    for (uint32_t i = 0; i < router->nregistrations; i++)
        registration_routes(&rc, router->registrations[i]);
    if (router->kind == MODEL_DEFAULT_ROUTER)
        api_root(&rc, router, first);
}

/* A generic view on one object needs the lookup in its URL (DRF asserts
 * "Expected view ... to be called with a URL keyword argument named ..."). */
static void check_lookup_capture(sema *s, model_route *r, span at)
{
    model_view *v = r->view;
    bool detail = false;
    for (unsigned k = 0; k < MODEL_NMETHODS; k++)
        detail |= r->by_method[k] && r->by_method[k]->detail;
    r->detail = detail;
    if (!detail || !v->lookup_url_kwarg)
        return;
    for (uint32_t i = 0; i < r->ncaptures; i++)
        if (strcmp(r->captures[i]->name, v->lookup_url_kwarg) == 0)
            return;
    diag_error(s->d, at, "view '%s' looks objects up by the URL parameter '%s', which "
               "this pattern does not capture", v->name, v->lookup_url_kwarg);
    diag_hint(s->d, "add <int:%s> (or set lookup_url_kwarg)", v->lookup_url_kwarg);
}

static void path_call(sema *s, const ast_call *c)
{
    const char *pattern = call_string_arg(s, c, 0, "the URL pattern");
    const ast_ident *vn = call_name_arg(s, c, 1, "a view");
    const char *name = call_kwarg(s, c, "name");
    if (!pattern || !vn)
        return;
    if (c->args.count != 2) {
        diag_error(s->d, c->args_span, "path() takes a pattern and a view: "
                   "path(\"api/things/\", Things)");
        return;
    }
    sym *y = sym_find(s, vn->text);
    if (y && y->kind == SYM_VIEWSET) {
        diag_error(s->d, vn->span, "'%s' is a viewset; register it on a router and "
                   "include() the router", vn->text);
        note_declared(s, y);
        return;
    }
    sym_kind wants[] = { SYM_VIEW, 0 };
    y = resolve_sym_of(s, vn->text, vn->span, wants, "view");
    model_view *v = y ? y->entity : NULL;
    url_part u;
    if (!parse_path(s, pattern, c->args.items[0]->span, &u) || !v)
        return;
    model_route *r = route_new(s, MODEL_ROUTE_VIEW, sema_loc(s, c->callee->span));
    r->pattern = u.pattern;
    r->django = u.django;
    r->captures = u.captures;
    r->ncaptures = u.ncaptures;
    r->view = v;
    r->url_name = name;
    r->display_name = v->display_name;
    for (uint32_t i = 0; i < v->nactions; i++)
        map_action(r, v->actions[i]);
    check_lookup_capture(s, r, c->args.items[0]->span);
    add_route(s, r);
}

static void urls_block(sema *s)
{
    for (uint32_t i = 0; i < s->file->blocks.count; i++) {
        const ast_block *b = s->file->blocks.items[i];
        if (b->kind != AST_URLS)
            continue;
        for (uint32_t j = 0; j < b->members.count; j++) {
            const ast_member *m = b->members.items[j];
            const char *callee = m->kind == AST_STATEMENT ? m->call->u.call.callee->text : "";
            if (!strcmp(callee, "path"))
                path_call(s, &m->call->u.call);
            else if (!strcmp(callee, "include"))
                include_call(s, &m->call->u.call);
            else if (m->kind == AST_STATEMENT)
                diag_error(s->d, m->call->u.call.callee->span, "the urls block takes "
                           "path(...) and include(...), not %s()", callee);
            else
                diag_error(s->d, m->kind == AST_ASSIGN ? m->key->span
                                                       : m->block->kind_word->span,
                           "the urls block takes only path(...) and include(...)");
        }
        return;   /* a second urls block was reported already */
    }
}

/* ---------------------------------------------------------------------
 * url.NAME in querysets: captured by every route that reaches the action.
 */
static const model_capture *find_capture(const model_route *r, const char *name)
{
    for (uint32_t i = 0; i < r->ncaptures; i++)
        if (strcmp(r->captures[i]->name, name) == 0)
            return r->captures[i];
    return NULL;
}

static void check_url_kwargs(sema *s, model_route *r, model_action *a)
{
    model_queryset *q = a->config.queryset;
    for (uint32_t i = 0; q && i < q->nconds; i++) {
        model_value *v = &q->conds[i]->value;
        if (v->kind != MODEL_V_URL_KWARG)
            continue;
        const model_capture *c = find_capture(r, v->text);
        if (!c) {
            diag_error(s->d, v->loc.span, "url.%s is not captured by the route '%s' of "
                       "action '%s'", v->text, r->django, a->name);
            diag_note(s->d, r->loc.span, "routed here");
            continue;
        }
        if (v->converter && strcmp(v->converter, c->converter) != 0) {
            diag_error(s->d, v->loc.span, "url.%s is captured as <%s:...> by one route and "
                       "as <%s:...> by another", v->text, v->converter, c->converter);
            continue;
        }
        v->converter = c->converter;
    }
}

/* Reachability warnings only make sense in a spec without errors: a
 * failed register() or path() would make them noise. */
static void check_routed(sema *s)
{
    bool quiet = s->d->errors > s->errors_at_start;
    for (uint32_t i = 0; i < s->m->nviews; i++) {
        model_view *v = s->m->views[i];
        bool routed = false;
        for (uint32_t j = 0; j < s->m->nroutes && j < MODEL_MAX_ROUTES; j++) {
            model_route *r = s->m->routes[j];
            if (r->view != v)
                continue;
            routed = true;
            for (unsigned k = 0; k < MODEL_NMETHODS; k++)
                if (r->by_method[k] && (k == 0 || r->by_method[k] != r->by_method[k - 1]))
                    check_url_kwargs(s, r, r->by_method[k]);
        }
        if (!routed && !quiet)
            diag_warning(s->d, v->loc.span, "%s '%s' is not reachable: no route leads to it",
                         v->kind == MODEL_VIEW_VIEWSET ? "viewset" : "view", v->name);
    }
    for (uint32_t i = 0; i < s->nsyms; i++) {
        sym *y = s->syms[i];
        if (y->kind == SYM_ROUTER && y->entity && !y->aux && !quiet)
            diag_warning(s->d, sym_span(y), "router '%s' is never included in the urls "
                         "block", y->name);
    }
}

void sema_routes(sema *s)
{
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_ROUTER && !s->syms[i]->builtin)
            router_decl(s, s->syms[i]);
    urls_block(s);
    if (s->m->nroutes > MODEL_MAX_ROUTES)
        s->m->nroutes = MODEL_MAX_ROUTES;
    check_routed(s);
}

/* ---------------------------------------------------------------------
 * The printer.
 */
static void print_line(FILE *out, int width, const char *pattern, const char *method,
                       const char *target, const char *name)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "%-*s  %-6s  %-32s  %s", width, pattern, method,
                     target, name);
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1;
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    fprintf(out, "%s\n", line);
}

void routes_print(const model *m, FILE *out)
{
    int width = 7;
    for (uint32_t i = 0; i < m->nroutes; i++) {
        int w = (int)strlen(m->routes[i]->django);
        if (w > width)
            width = w;
    }
    if (width > 200)
        width = 200;
    print_line(out, width, "PATTERN", "METHOD", "VIEW.ACTION", "NAME");
    for (uint32_t i = 0; i < m->nroutes; i++) {
        const model_route *r = m->routes[i];
        bool first = true;
        for (unsigned k = 0; k < MODEL_NMETHODS; k++) {
            bool root_get = r->kind == MODEL_ROUTE_API_ROOT && k == 0;
            if (!r->by_method[k] && !root_get)
                continue;
            char target[256];
            if (root_get)
                snprintf(target, sizeof target, "%s (API root)", r->router->name);
            else
                snprintf(target, sizeof target, "%s.%s", r->view->name,
                         r->by_method[k]->name);
            print_line(out, width, first ? r->django : "", model_method_name(k), target,
                       !first ? "" : r->url_name ? r->url_name : "-");
            first = false;
        }
    }
}
