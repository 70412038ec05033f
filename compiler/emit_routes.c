/*
 * emit_routes.c: the route table (in match order, as sema resolved it),
 * the API root entries, the databases and the rf_app.
 */
#include <stdio.h>
#include <string.h>

#include "emit_internal.h"
#include "openapi.h"

void em_action_sym(emitter *e, const model *m, const model_view *v, const model_action *a);

static void root_entries(emitter *e, const model *m, const model_route *r, uint32_t index)
{
    em_line(e, "static const rf_root_entry %s_root%u[] = {", m->name, index);
    em_indent(e);
    for (uint32_t i = 0; i < r->nroot; i++) {
        em_printf(e, "{ ");
        em_cstr(e, r->root[i]->prefix);
        em_printf(e, ", ");
        em_cstr(e, r->root[i]->list_route->pattern);
        em_line(e, " },");
    }
    em_dedent(e);
    em_line(e, "};");
}

/* DefaultRouter's format_suffix_patterns (products.json, api/.json): its
 * root and every route of a registration it holds. */
static bool format_suffixed(const model *m, const model_route *r)
{
    if (r->kind == MODEL_ROUTE_API_ROOT)
        return true;
    for (uint32_t i = 0; r->registration && i < m->nrouters; i++)
        for (uint32_t k = 0; k < m->routers[i]->nregistrations; k++)
            if (m->routers[i]->registrations[k] == r->registration)
                return m->routers[i]->kind == MODEL_DEFAULT_ROUTER;
    return false;
}

static void route(emitter *e, const model *m, const model_route *r, uint32_t index)
{
    static const char *const methods[] = { "RF_GET", "RF_POST", "RF_PUT", "RF_PATCH", "RF_DELETE" };
    em_loc(e, m, r->loc);
    em_printf(e, "{ .pattern = ");
    em_cstr(e, r->pattern);
    em_line(e, ", .kind = %s,", r->kind == MODEL_ROUTE_API_ROOT ? "RF_ROUTE_API_ROOT"
                                                                  : "RF_ROUTE_VIEW");
    em_indent(e);
    if (r->kind == MODEL_ROUTE_API_ROOT)
        em_line(e, ".view = &%s_api_root_view,", m->name);
    if (r->view) {
        const model_action *described = NULL;
        for (unsigned k = 0; k < MODEL_NMETHODS; k++) {
            const model_action *a = r->by_method[k];
            if (a && a->extra && a->description && *a->description)
                described = a;
        }
        if (described)
            em_line(e, ".view = &%s_%s_%s_view,", m->name, r->view->name, described->name);
        else
            em_line(e, ".view = &%s_%s_view,", m->name, r->view->name);
        em_printf(e, ".by_method = {");
        for (unsigned k = 0; k < MODEL_NMETHODS; k++) {
            if (!r->by_method[k])
                continue;
            em_printf(e, " [%s] = ", methods[k]);
            em_action_sym(e, m, r->view, r->by_method[k]);
            em_printf(e, ",");
        }
        em_line(e, " },");
    }
    em_printf(e, ".url_name = ");
    em_cstr(e, r->url_name);
    em_printf(e, ", .name_suffix = ");
    em_cstr(e, r->name_suffix);
    em_printf(e, ", .view_name = ");
    em_cstr(e, r->display_name);
    em_line(e, ",");
    em_printf(e, ".detail = %s", r->detail ? "true" : "false");
    if (format_suffixed(m, r))
        em_printf(e, ", .format_suffix = true");
    if (r->kind == MODEL_ROUTE_API_ROOT)
        em_printf(e, ", .root = %s_root%u, .nroot = %u", m->name, index, r->nroot);
    em_line(e, " },");
    em_dedent(e);
}

void emit_c_routes(emitter *e, const model *m)
{
    em_line(e, "/* ---------------------------------------------------------------------");
    em_line(e, " * Routes, in the order requests are matched.");
    em_line(e, " */");
    for (uint32_t i = 0; i < m->nroutes; i++)
        if (m->routes[i]->kind == MODEL_ROUTE_API_ROOT)
            root_entries(e, m, m->routes[i], i);
    em_line(e, "static const rf_route %s_routes[] = {", m->name);
    em_indent(e);
    for (uint32_t i = 0; i < m->nroutes; i++)
        route(e, m, m->routes[i], i);
    em_dedent(e);
    em_line(e, "};");
    em_blank(e);
    em_line(e, "static const rf_database_def %s_databases[] = {", m->name);
    for (uint32_t i = 0; i < m->ndatabases; i++) {
        em_printf(e, "    { ");
        em_cstr(e, m->databases[i]->name);
        em_printf(e, ", ");
        em_cstr(e, m->databases[i]->url);
        em_line(e, " },");
    }
    em_line(e, "};");
    em_blank(e);
    uint32_t nres = 0;
    em_line(e, "static const rf_resource *const %s_resources[] = {", m->name);
    for (uint32_t i = 0; i < m->nresources; i++) {
        if (m->resources[i]->builtin)
            continue;
        em_line(e, "    &%s_%s_resource,", m->name, m->resources[i]->name);
        nres++;
    }
    if (!nres)
        em_line(e, "    NULL,");
    em_line(e, "};");
    em_blank(e);
    for (int d = RF_SQLITE; d <= RF_POSTGRES; d++) {
        rf_buf b;
        rf_buf_init(&b, NULL, 4096);
        sql_schema(&b, m, (rf_dialect)d);
        em_line(e, "static const char %s_schema_%s[] =", m->name, d == RF_SQLITE ? "sqlite" : "postgres");
        em_indent(e);
        em_cstr_lines(e, b.data);
        em_dedent(e);
        em_line(e, ";");
        rf_buf_release(&b);
    }
    em_blank(e);
    bool postgres_inserts = emit_c_openapi(e, m);
    em_blank(e);
    const model_resource *user = model_find_resource(m, "User");
    em_loc(e, m, m->loc);
    em_line(e, "const rf_app %s_app = {", m->name);
    em_indent(e);
    em_printf(e, ".abi = RF_ABI_VERSION, .name = ");
    em_cstr(e, m->name);
    em_printf(e, ", .title = ");
    em_cstr(e, m->title);
    em_printf(e, ", .version = ");
    em_cstr(e, m->version);
    em_line(e, ",");
    em_line(e, ".routes = %s_routes, .nroutes = %u,", m->name, m->nroutes);
    em_line(e, ".databases = %s_databases, .ndatabases = %u,", m->name, m->ndatabases);
    em_line(e, ".resources = %s_resources, .nresources = %u,", m->name, nres);
    em_line(e, ".schema_sql = { %s_schema_sqlite, %s_schema_postgres },", m->name, m->name);
    em_line(e, ".auth_tables = { \"auth_user\", \"authtoken_token\", %u },",
            user ? user->database->index : 0);
    em_line(e, ".num_proxies = %d,", (int)m->settings.num_proxies);
    em_line(e, ".openapi = %s_openapi,", m->name);
    if (postgres_inserts) {
        em_line(e, ".openapi_postgres = %s_openapi_postgres,", m->name);
        em_line(e, ".nopenapi_postgres = sizeof %s_openapi_postgres / sizeof *%s_openapi_postgres,",
                m->name, m->name);
    }
    em_dedent(e);
    em_line(e, "};");
}
