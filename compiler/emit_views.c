/*
 * emit_views.c: the policies (authenticators, permissions and their
 * expressions, throttles, paginators), and per view its filters, one
 * rf_action per action carrying the resolved ActionConfig, and the rf_view.
 */
#include <stdio.h>
#include <string.h>

#include "emit_internal.h"

void em_field_ref(emitter *e, const model *m, const model_field *f);

/* ---------------------------------------------------------------------
 * Authenticators and permissions.
 */

/* Declared classes no view uses are left out (they would be unused
 * statics). */
static bool auth_used(const model *m, const model_authentication *a)
{
    for (uint32_t i = 0; i < m->nviews; i++)
        for (uint32_t k = 0; k < m->views[i]->nauthentication_classes; k++)
            if (m->views[i]->authentication_classes[k] == a)
                return true;
    return false;
}

static bool expr_uses(const model_perm_expr *x, const model_permission *p)
{
    if (!x)
        return false;
    return x->leaf == p || expr_uses(x->a, p) || expr_uses(x->b, p);
}

static bool perm_used(const model *m, const model_permission *p)
{
    for (uint32_t i = 0; i < m->nviews; i++)
        for (uint32_t k = 0; k < m->views[i]->nactions; k++) {
            const model_action_config *c = &m->views[i]->actions[k]->config;
            for (uint32_t j = 0; j < c->npermissions; j++)
                if (expr_uses(c->permissions[j], p))
                    return true;
        }
    return false;
}

static void authenticator(emitter *e, const model *m, const model_authentication *a)
{
    if (a->builtin == MODEL_AUTH_TOKEN || a->builtin == MODEL_AUTH_BASIC || !auth_used(m, a))
        return;
    em_loc(e, m, a->loc);
    em_printf(e, "static const rf_authenticator %s_%s_auth = { .name = ", m->name, a->name);
    em_cstr(e, a->name);
    em_printf(e, ", .www_authenticate = ");
    em_cstr(e, a->www_authenticate);
    em_printf(e, ",\n    .authenticate = ");
    if (a->builtin == MODEL_AUTH_SESSION)
        em_printf(e, "{ \"SessionAuthentication\", RF_SYNC, { .ctx = %s_session_not_attempted } }",
                  m->name);
    else
        em_hook(e, a->authenticate);
    em_line(e, " };");
}

static void authenticator_ref(emitter *e, const model *m, const model_authentication *a)
{
    if (a->builtin == MODEL_AUTH_TOKEN)
        em_printf(e, "&rf_token_authentication");
    else if (a->builtin == MODEL_AUTH_BASIC)
        em_printf(e, "&rf_basic_authentication");
    else
        em_printf(e, "&%s_%s_auth", m->name, a->name);
}

static void permission(emitter *e, const model *m, const model_permission *p)
{
    if (p->builtin != MODEL_PERM_CUSTOM || !perm_used(m, p))
        return;
    em_loc(e, m, p->loc);
    em_printf(e, "static const rf_permission %s_%s_perm = { .name = ", m->name, p->name);
    em_cstr(e, p->name);
    em_printf(e, ", .message = ");
    em_cstr(e, p->message);
    em_line(e, ",");
    em_indent(e);
    em_line(e, ".has_permission_set = %s, .has_object_permission_set = %s,",
            p->has_permission ? "true" : "false", p->has_object_permission ? "true" : "false");
    if (p->has_permission) {
        em_printf(e, ".has_permission = ");
        em_hook(e, p->has_permission);
        em_line(e, ",");
    }
    if (p->has_object_permission) {
        em_printf(e, ".has_object_permission = ");
        em_hook(e, p->has_object_permission);
        em_line(e, ",");
    }
    em_dedent(e);
    em_line(e, "};");
}

static void permission_ref(emitter *e, const model *m, const model_permission *p)
{
    static const char *const builtin[] = {
        [MODEL_PERM_ALLOW_ANY] = "rf_allow_any",
        [MODEL_PERM_IS_AUTHENTICATED] = "rf_is_authenticated",
        [MODEL_PERM_IS_ADMIN_USER] = "rf_is_admin_user",
        [MODEL_PERM_IS_AUTHENTICATED_OR_READ_ONLY] = "rf_is_authenticated_or_read_only",
    };
    if (p->builtin == MODEL_PERM_CUSTOM)
        em_printf(e, "&%s_%s_perm", m->name, p->name);
    else
        em_printf(e, "&%s", builtin[p->builtin]);
}

/* An expression tree as static nodes named <sym>_<n>, leaves first;
 * returns the number of the node written for x. */
static int perm_expr(emitter *e, const model *m, const char *sym, const model_perm_expr *x,
                     int *next)
{
    int a = -1, b = -1;
    if (x->op != MODEL_P_LEAF)
        a = perm_expr(e, m, sym, x->a, next);
    if (x->op == MODEL_P_AND || x->op == MODEL_P_OR)
        b = perm_expr(e, m, sym, x->b, next);
    int me = (*next)++;
    static const char *const ops[] = { "RF_P_LEAF", "RF_P_AND", "RF_P_OR", "RF_P_NOT" };
    em_printf(e, "static const rf_perm_expr %s_%d = { .op = %s", sym, me, ops[x->op]);
    if (x->op == MODEL_P_LEAF) {
        em_printf(e, ", .leaf = ");
        permission_ref(e, m, x->leaf);
    }
    if (a >= 0)
        em_printf(e, ", .a = &%s_%d", sym, a);
    if (b >= 0)
        em_printf(e, ", .b = &%s_%d", sym, b);
    em_line(e, " };");
    return me;
}

/* ---------------------------------------------------------------------
 * Paginators: one per (view, pagination), since a cursor's ordering names
 * fields of the rows paged (model_paginated_resource of the first action
 * that uses it).
 */
static void paginator(emitter *e, const model *m, const model_view *v, const model_action *a)
{
    const model_pagination *p = a->config.paginator;
    const model_resource *rows = model_paginated_resource(v, a);
    static const char *const kinds[] = { "RF_PAGE_NUMBER", "RF_LIMIT_OFFSET", "RF_CURSOR" };
    char sym[256];
    snprintf(sym, sizeof sym, "%s_%s_%s", m->name, v->name, p->name);
    em_loc(e, m, p->loc);
    if (p->nlast_page_strings) {
        em_printf(e, "static const char *const %s_last[] = { ", sym);
        for (uint32_t i = 0; i < p->nlast_page_strings; i++) {
            em_cstr(e, p->last_page_strings[i]);
            em_printf(e, ", ");
        }
        em_line(e, "NULL };");
    }
    uint32_t norder = 0;
    const model_field *order[MODEL_MAX_LIST_ITEMS];
    bool desc[MODEL_MAX_LIST_ITEMS];
    for (uint32_t i = 0; p->kind == MODEL_CURSOR && rows && i < p->nordering; i++) {
        const model_field *f = model_find_field(rows, p->ordering[i]->name);
        if (f) {
            desc[norder] = p->ordering[i]->desc;
            order[norder++] = f;
        }
    }
    if (norder) {
        em_line(e, "static const rf_order %s_order[] = {", sym);
        for (uint32_t i = 0; i < norder; i++) {
            em_printf(e, "    { ");
            em_field_ref(e, m, order[i]);
            em_line(e, ", %s },", desc[i] ? "true" : "false");
        }
        em_line(e, "};");
    }
    em_line(e, "static const rf_paginator %s = {", sym);
    em_indent(e);
    em_printf(e, ".name = ");
    em_cstr(e, p->name);
    em_line(e, ", .kind = %s,", kinds[p->kind]);
    em_line(e, ".page_size = %d, .max_page_size = %d, .default_limit = %d, .max_limit = %d,",
            p->page_size > 0 ? (int)p->page_size : 0, p->max_page_size > 0 ? (int)p->max_page_size : 0,
            p->default_limit > 0 ? (int)p->default_limit : 0, p->max_limit > 0 ? (int)p->max_limit : 0);
    em_printf(e, ".page_query_param = ");
    em_cstr(e, p->page_query_param);
    em_printf(e, ", .page_size_query_param = ");
    em_cstr(e, p->page_size_query_param);
    em_line(e, ",");
    em_printf(e, ".limit_query_param = ");
    em_cstr(e, p->limit_query_param);
    em_printf(e, ", .offset_query_param = ");
    em_cstr(e, p->offset_query_param);
    em_printf(e, ", .cursor_query_param = ");
    em_cstr(e, p->cursor_query_param);
    em_line(e, ",");
    if (p->nlast_page_strings)
        em_line(e, ".last_page_strings = %s_last,", sym);
    if (norder)
        em_line(e, ".ordering = %s_order, .nordering = %u,", sym, norder);
    em_dedent(e);
    em_line(e, "};");
}

/* ---------------------------------------------------------------------
 * Filters.
 */
static const char *backend_const(model_filter_backend b)
{
    return b == MODEL_FILTER_DJANGO ? "RF_FILTER_DJANGO"
         : b == MODEL_FILTER_SEARCH ? "RF_FILTER_SEARCH" : "RF_FILTER_ORDERING";
}

static void filters(emitter *e, const model *m, const model_view *v)
{
    const model_filters *f = &v->filters;
    char sym[256];
    snprintf(sym, sizeof sym, "%s_%s_filters", m->name, v->name);
    em_printf(e, "static const uint8_t %s_order[] = {", sym);
    for (uint32_t i = 0; i < f->nbackends; i++)
        em_printf(e, "%s%s", i ? ", " : " ", backend_const(f->backends[i]));
    em_line(e, " };");
    if (f->nfilterset_fields) {
        em_line(e, "static const rf_field *const %s_fields[] = {", sym);
        for (uint32_t i = 0; i < f->nfilterset_fields; i++) {
            em_printf(e, "    ");
            em_field_ref(e, m, f->filterset_fields[i]);
            em_line(e, ",");
        }
        em_line(e, "};");
    }
    if (f->nsearch_fields) {
        em_line(e, "static const rf_search_field %s_search[] = {", sym);
        for (uint32_t i = 0; i < f->nsearch_fields; i++) {
            char prefix = f->search_fields[i]->prefix;
            em_printf(e, "    { ");
            em_field_ref(e, m, f->search_fields[i]->field);
            if (prefix)
                em_line(e, ", '%c' },", prefix);
            else
                em_line(e, ", 0 },");
        }
        em_line(e, "};");
    }
    if (f->nordering_fields && !f->ordering_all) {
        em_line(e, "static const rf_field *const %s_ordering_fields[] = {", sym);
        for (uint32_t i = 0; i < f->nordering_fields; i++) {
            em_printf(e, "    ");
            em_field_ref(e, m, f->ordering_fields[i]);
            em_line(e, ",");
        }
        em_line(e, "};");
    }
    if (f->nordering) {
        em_line(e, "static const rf_order %s_ordering[] = {", sym);
        for (uint32_t i = 0; i < f->nordering; i++) {
            em_printf(e, "    { ");
            em_field_ref(e, m, f->ordering[i]->field);
            em_line(e, ", %s },", f->ordering[i]->desc ? "true" : "false");
        }
        em_line(e, "};");
    }
    em_line(e, "static const rf_filters %s = {", sym);
    em_indent(e);
    em_printf(e, ".backends = ");
    for (uint32_t i = 0; i < f->nbackends; i++)
        em_printf(e, "%s%s", i ? " | " : "", backend_const(f->backends[i]));
    em_line(e, ", .order = %s_order, .norder = %u,", sym, f->nbackends);
    if (f->nfilterset_fields)
        em_line(e, ".filterset_fields = %s_fields, .nfilterset_fields = %u,", sym,
                f->nfilterset_fields);
    if (f->nsearch_fields)
        em_line(e, ".search_fields = %s_search, .nsearch_fields = %u,", sym, f->nsearch_fields);
    em_printf(e, ".search_param = ");
    em_cstr(e, f->search_param);
    em_printf(e, ", .ordering_param = ");
    em_cstr(e, f->ordering_param);
    em_line(e, ",");
    if (f->ordering_all)
        em_line(e, ".ordering_all = true,");
    else if (f->nordering_fields)
        em_line(e, ".ordering_fields = %s_ordering_fields, .nordering_fields = %u,", sym,
                f->nordering_fields);
    if (f->nordering)
        em_line(e, ".ordering = %s_ordering, .nordering = %u,", sym, f->nordering);
    em_dedent(e);
    em_line(e, "};");
}

/* ---------------------------------------------------------------------
 * Actions.
 */
static const char *const action_kinds[] = {
    "RF_ACT_HANDLER", "RF_ACT_LIST", "RF_ACT_CREATE", "RF_ACT_RETRIEVE", "RF_ACT_UPDATE",
    "RF_ACT_PARTIAL_UPDATE", "RF_ACT_DESTROY",
};

static void mask(emitter *e, const char *const *names, const unsigned *items, uint32_t n)
{
    if (!n) {
        em_printf(e, "0");
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        em_printf(e, "%s%s", i ? " | " : "", names[items[i]]);
}

/* The config tables of one action: permissions, throttles. */
static void action_tables(emitter *e, const model *m, const char *sym, const model_action_config *c)
{
    int next = 0;
    int roots[MODEL_MAX_LIST_ITEMS];
    for (uint32_t i = 0; i < c->npermissions; i++)
        roots[i] = perm_expr(e, m, sym, c->permissions[i], &next);
    if (c->npermissions) {
        em_printf(e, "static const rf_perm_expr *const %s_perms[] = {", sym);
        for (uint32_t i = 0; i < c->npermissions; i++)
            em_printf(e, " &%s_%d,", sym, roots[i]);
        em_line(e, " };");
    }
    static const char *const kinds[] = { "RF_THROTTLE_ANON", "RF_THROTTLE_USER", "RF_THROTTLE_SCOPED" };
    for (uint32_t i = 0; i < c->nthrottles; i++) {
        const model_throttle_use *t = c->throttles[i];
        em_printf(e, "static const rf_throttle %s_throttle%u = { .name = ", sym, i);
        em_cstr(e, t->throttle->name);
        em_printf(e, ", .kind = %s, .scope = ", kinds[t->throttle->kind]);
        em_cstr(e, t->scope);
        em_line(e, ", .num_requests = %d, .duration = %d };",
                t->active ? (int)t->num_requests : -1, t->active ? (int)t->duration : 1);
    }
    if (c->nthrottles) {
        em_printf(e, "static const rf_throttle *const %s_throttles[] = {", sym);
        for (uint32_t i = 0; i < c->nthrottles; i++)
            em_printf(e, " &%s_throttle%u,", sym, i);
        em_line(e, " };");
    }
}

static void action(emitter *e, const model *m, const model_view *v, const model_action *a,
                   const char *sym, const char *name)
{
    const model_action_config *c = &a->config;
    static const char *const parsers[] = { "RF_PARSE_JSON", "RF_PARSE_FORM", "RF_PARSE_MULTIPART" };
    static const char *const renderers[] = { "RF_RENDER_JSON", "RF_RENDER_BROWSABLE" };
    action_tables(e, m, sym, c);
    /* Views and actions have external linkage: a view no route reaches
     * must not be an unused static. */
    em_line(e, "const rf_action %s = {", sym);
    em_indent(e);
    em_printf(e, ".name = ");
    em_cstr(e, name);
    em_line(e, ", .kind = %s,", name ? action_kinds[a->kind] : "RF_ACT_HANDLER");
    if (name && a->kind == MODEL_ACT_HANDLER && a->handler) {
        em_printf(e, ".handler = ");
        em_hook(e, a->handler);
        em_line(e, ",");
    }
    if (c->request_serializer)
        em_line(e, ".request_serializer = &%s_%s_serializer,", m->name, c->request_serializer->name);
    if (c->response_serializer)
        em_line(e, ".response_serializer = &%s_%s_serializer,", m->name,
                c->response_serializer->name);
    if (c->npermissions)
        em_line(e, ".permissions = %s_perms, .npermissions = %u,", sym, c->npermissions);
    if (c->nthrottles)
        em_line(e, ".throttles = %s_throttles, .nthrottles = %u,", sym, c->nthrottles);
    em_printf(e, ".parsers = ");
    mask(e, parsers, (const unsigned *)c->parsers, c->nparsers);
    em_printf(e, ", .renderers = ");
    mask(e, renderers, (const unsigned *)c->renderers, c->nrenderers);
    em_line(e, ",");
    if (c->paginator)
        em_line(e, ".paginator = &%s_%s_%s,", m->name, v->name, c->paginator->name);
    if (c->queryset) {
        em_printf(e, ".queryset = ");
        em_queryset_sym(e, m, c->queryset);
        em_line(e, ",");
    }
    if (v->npost_fetches)
        em_line(e, ".post_fetches = %s_%s_post_fetches, .npost_fetches = %u,", m->name, v->name,
                v->npost_fetches);
    em_dedent(e);
    em_line(e, "};");
}

/* An action whose configuration does not override any of `keys`
 * (MODEL_AC_*): standard actions first, then extra ones; NULL when every
 * action overrides one of them. */
static const model_action *action_without(const model_view *v, unsigned keys)
{
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < v->nactions; i++)
            if (v->actions[i]->extra == (pass == 1) && !(v->actions[i]->overridden & keys))
                return v->actions[i];
    return NULL;
}

/* DRF's configuration when no action applies (OPTIONS, 405): the view's
 * own attributes.  Each key is taken from an action that does not override
 * it, where the merged value is the view's; a key every action overrides
 * keeps the first action's. */
static model_action_config view_level_config(const model_view *v)
{
    static const unsigned serializers = MODEL_AC_SERIALIZER_CLASS |
                                        MODEL_AC_REQUEST_SERIALIZER_CLASS |
                                        MODEL_AC_RESPONSE_SERIALIZER_CLASS;
    const model_action *first = v->actions[0];
    const model_action *a;
    model_action_config c = first->config;
    if ((a = action_without(v, serializers))) {
        c.serializer = a->config.serializer;
        c.request_serializer = a->config.request_serializer;
        c.response_serializer = a->config.response_serializer;
    }
    if ((a = action_without(v, MODEL_AC_PERMISSION_CLASSES))) {
        c.permissions = a->config.permissions;
        c.npermissions = a->config.npermissions;
    }
    if ((a = action_without(v, MODEL_AC_THROTTLE_CLASSES))) {
        c.throttles = a->config.throttles;
        c.nthrottles = a->config.nthrottles;
    }
    if ((a = action_without(v, MODEL_AC_PARSER_CLASSES))) {
        c.parsers = a->config.parsers;
        c.nparsers = a->config.nparsers;
    }
    if ((a = action_without(v, MODEL_AC_RENDERER_CLASSES))) {
        c.renderers = a->config.renderers;
        c.nrenderers = a->config.nrenderers;
    }
    if ((a = action_without(v, MODEL_AC_QUERYSET)))
        c.queryset = a->config.queryset;
    c.paginator = NULL;   /* no action: nothing is listed */
    return c;
}

static void view_hook(emitter *e, const model *m, const model_view *v, const char *role,
                      const model_hook *h)
{
    if (!h)
        return;
    em_printf(e, "static const rf_hook %s_%s_%s = ", m->name, v->name, role);
    em_hook(e, h);
    em_line(e, ";");
}

/* The rf_view of v; `suffix` non-empty names a copy for one extra action
 * (<spec>_<View>_<action>_view) with that action's description. */
static void view_struct(emitter *e, const model *m, const model_view *v, const char *suffix,
                        const char *description)
{
    const model_view_hooks *h = &v->hooks;
    const model_hook *hooks[] = {
        h->get_queryset, h->get_object, h->get_serializer_context,
        h->perform_create, h->perform_update, h->perform_destroy,
    };
    static const char *const roles[] = {
        "get_queryset", "get_object", "get_serializer_context",
        "perform_create", "perform_update", "perform_destroy",
    };
    static const char *const kinds[] = { "RF_VIEW_API", "RF_VIEW_GENERIC", "RF_VIEW_VIEWSET" };
    em_line(e, "const rf_view %s_%s%s%s_view = {", m->name, v->name, *suffix ? "_" : "",
            suffix);
    em_indent(e);
    em_printf(e, ".name = ");
    em_cstr(e, v->name);
    em_printf(e, ", .description = ");
    em_cstr(e, description);
    em_line(e, ",");
    em_line(e, ".kind = %s, .is_async = %s,", kinds[v->kind], v->is_async ? "true" : "false");
    if (v->model)
        em_line(e, ".model = &%s_%s_resource,", m->name, v->model->name);
    if (v->nauthentication_classes)
        em_line(e, ".authenticators = %s_%s_auth, .nauthenticators = %u,", m->name, v->name,
                v->nauthentication_classes);
    if (v->filters.nbackends)
        em_line(e, ".filters = &%s_%s_filters,", m->name, v->name);
    if (v->lookup_field) {
        em_printf(e, ".lookup_field = ");
        em_field_ref(e, m, v->lookup_field);
        em_line(e, ",");
    }
    if (v->lookup_url_kwarg) {
        em_printf(e, ".lookup_url_kwarg = ");
        em_cstr(e, v->lookup_url_kwarg);
        em_line(e, ",");
    }
    if (v->throttle_scope) {
        em_printf(e, ".throttle_scope = ");
        em_cstr(e, v->throttle_scope);
        em_line(e, ",");
    }
    em_line(e, ".nslots = %d,", em_nslots(m));
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++)
        if (hooks[i])
            em_line(e, ".%s = &%s_%s_%s,", roles[i], m->name, v->name, roles[i]);
    if (v->nactions)
        em_line(e, ".default_action = &%s_%s_default,", m->name, v->name);
    em_dedent(e);
    em_line(e, "};");
}


static void view(emitter *e, const model *m, const model_view *v)
{
    em_loc(e, m, v->loc);
    const model_view_hooks *h = &v->hooks;
    struct { const char *role; const model_hook *hook; } hooks[] = {
        { "get_queryset", h->get_queryset }, { "get_object", h->get_object },
        { "get_serializer_context", h->get_serializer_context },
        { "perform_create", h->perform_create }, { "perform_update", h->perform_update },
        { "perform_destroy", h->perform_destroy },
    };
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++)
        view_hook(e, m, v, hooks[i].role, hooks[i].hook);
    if (v->nauthentication_classes) {
        em_printf(e, "static const rf_authenticator *const %s_%s_auth[] = {", m->name, v->name);
        for (uint32_t i = 0; i < v->nauthentication_classes; i++) {
            em_printf(e, " ");
            authenticator_ref(e, m, v->authentication_classes[i]);
            em_printf(e, ",");
        }
        em_line(e, " };");
    }
    if (v->filters.nbackends)
        filters(e, m, v);
    for (uint32_t i = 0; i < v->nactions; i++) {
        const model_pagination *p = v->actions[i]->config.paginator;
        bool earlier = false;
        for (uint32_t k = 0; k < i; k++)
            earlier |= v->actions[k]->config.paginator == p;
        if (p && !earlier)
            paginator(e, m, v, v->actions[i]);
    }
    if (v->npost_fetches) {
        em_printf(e, "static const rf_postfetch *const %s_%s_post_fetches[] = {", m->name, v->name);
        for (uint32_t i = 0; i < v->npost_fetches; i++)
            em_printf(e, " &%s_%s_postfetch,", m->name, v->post_fetches[i]->name);
        em_line(e, " };");
    }
    char sym[256];
    for (uint32_t i = 0; i < v->nactions; i++) {
        em_loc(e, m, v->actions[i]->loc);
        snprintf(sym, sizeof sym, "%s_%s_%s", m->name, v->name, v->actions[i]->name);
        action(e, m, v, v->actions[i], sym, v->actions[i]->name);
    }
    if (v->nactions) {
        model_action level = { .kind = MODEL_ACT_HANDLER, .config = view_level_config(v) };
        snprintf(sym, sizeof sym, "%s_%s_default", m->name, v->name);
        action(e, m, v, &level, sym, NULL);
    }
    view_struct(e, m, v, "", v->description);
    /* DRF gives an extra action's view the action's description when it
     * has one; the runtime reads it from the route's view, so such a
     * route gets a copy of the view carrying it. */
    for (uint32_t i = 0; i < v->nactions; i++) {
        const model_action *a = v->actions[i];
        if (a->extra && a->description && *a->description)
            view_struct(e, m, v, a->name, a->description);
    }
    em_blank(e);
}

/* The action of a view by model pointer: its symbol. */
void em_action_sym(emitter *e, const model *m, const model_view *v, const model_action *a)
{
    em_printf(e, "&%s_%s_%s", m->name, v->name, a->name);
}

void emit_c_policies(emitter *e, const model *m)
{
    em_line(e, "/* ---------------------------------------------------------------------");
    em_line(e, " * Authentication and permission classes.");
    em_line(e, " */");
    const model_authentication *session = NULL;
    for (uint32_t i = 0; i < m->nauthentications; i++)
        if (m->authentications[i]->builtin == MODEL_AUTH_SESSION && auth_used(m, m->authentications[i]))
            session = m->authentications[i];
    if (session) {
        em_line(e, "/* SessionAuthentication: restflow has no sessions, so it never authenticates;");
        em_line(e, " * it stays in the chain because, first, it makes a denial 403 (no");
        em_line(e, " * WWW-Authenticate), as in DRF. */");
        em_line(e, "static rf_rc %s_session_not_attempted(rf_ctx *ctx)", m->name);
        em_line(e, "{");
        em_line(e, "    (void)ctx;");
        em_line(e, "    return RF_OK;");
        em_line(e, "}");
    }
    for (uint32_t i = 0; i < m->nauthentications; i++)
        authenticator(e, m, m->authentications[i]);
    for (uint32_t i = 0; i < m->npermissions; i++)
        permission(e, m, m->permissions[i]);
    em_blank(e);
}

/* DefaultRouter's APIRootView is a plain APIView: the settings' defaults
 * authenticate, check, throttle and negotiate its requests.  Its GET is
 * the runtime's; this describes the rest (OPTIONS, 405s after the
 * checks). */
static void api_root_view(emitter *e, const model *m)
{
    const model_settings *st = &m->settings;
    model_throttle_use uses[MODEL_MAX_LIST_ITEMS];
    model_throttle_use *puses[MODEL_MAX_LIST_ITEMS];
    for (uint32_t i = 0; i < st->nthrottle_classes; i++) {
        const model_throttle *t = st->throttle_classes[i];
        /* A ScopedRateThrottle applies only under a throttle_scope, which
         * the root view has not. */
        bool active = t->kind != MODEL_THROTTLE_SCOPED && t->rate.text;
        uses[i] = (model_throttle_use){ .throttle = (model_throttle *)t, .active = active,
                                        .scope = t->scope, .num_requests = t->rate.num_requests,
                                        .duration = t->rate.duration };
        puses[i] = &uses[i];
    }
    model_action root = {
        .name = "api_root", .kind = MODEL_ACT_HANDLER,
        .config = {
            .permissions = st->permission_classes, .npermissions = st->npermission_classes,
            .throttles = puses, .nthrottles = st->nthrottle_classes,
            .parsers = st->parsers, .nparsers = st->nparsers,
            .renderers = st->renderers, .nrenderers = st->nrenderers,
        },
    };
    model_view view = { .name = "api_root" };
    char root_sym[160];
    snprintf(root_sym, sizeof root_sym, "%s_api_root_default", m->name);
    em_line(e, "/* DefaultRouter's API root: the settings' policies. */");
    if (st->nauthentication_classes) {
        em_printf(e, "static const rf_authenticator *const %s_api_root_auth[] = {", m->name);
        for (uint32_t i = 0; i < st->nauthentication_classes; i++) {
            em_printf(e, " ");
            authenticator_ref(e, m, st->authentication_classes[i]);
            em_printf(e, ",");
        }
        em_line(e, " };");
    }
    action(e, m, &view, &root, root_sym, NULL);
    em_line(e, "const rf_view %s_api_root_view = {", m->name);
    em_indent(e);
    em_line(e, ".name = \"APIRootView\", .kind = RF_VIEW_API,");
    if (st->nauthentication_classes)
        em_line(e, ".authenticators = %s_api_root_auth, .nauthenticators = %u,", m->name,
                st->nauthentication_classes);
    em_line(e, ".default_action = &%s_api_root_default,", m->name);
    em_dedent(e);
    em_line(e, "};");
    em_blank(e);
}

void emit_c_views(emitter *e, const model *m)
{
    em_line(e, "/* ---------------------------------------------------------------------");
    em_line(e, " * Views: per action its ActionConfig, so dispatch never branches on a name.");
    em_line(e, " */");
    for (uint32_t i = 0; i < m->nviews; i++)
        view(e, m, m->views[i]);
    for (uint32_t i = 0; i < m->nroutes; i++)
        if (m->routes[i]->kind == MODEL_ROUTE_API_ROOT) {
            api_root_view(e, m);
            break;
        }
}
