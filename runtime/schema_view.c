/*
 * schema_view.c: the OpenAPI document (`rflowc openapi`), served by every
 * generated server, as DRF's get_schema_view would.
 *
 * The compiler puts the document into the app (rf_app.openapi); each
 * worker adds one route for it after the spec's routes, so a route of the
 * spec at the same path wins.  The path is `<API root>schema/` (the first
 * DefaultRouter root: "api/schema/"), or "schema/" without a root;
 * `--schema-path PATH` moves it and `--schema-path none` turns it off.
 *
 * The route runs the policies of the API root (DRF's schema view takes
 * DEFAULT_AUTHENTICATION_CLASSES and DEFAULT_PERMISSION_CLASSES, as the
 * root does): authenticators, permissions, throttles.  Without a root it
 * is public.  It answers GET (HEAD, OPTIONS) with the document as
 * application/json, compact as every JSON response (`Accept:
 * application/json; indent=2` indents it).
 *
 * Where the default database is PostgreSQL, Django gives integer model
 * fields their column's range, and DRF's schema shows it (minimum /
 * maximum): the compiler writes that document as inserts into the SQLite
 * one (rf_app.openapi_postgres); both are built here once, at startup, and
 * each request picks one by rf_db_ranges, the test validation and OPTIONS
 * use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "serializer.h"

struct rf_schema_route {
    rf_route route;
    rf_view view;                /* the root's, answering OPTIONS as JSON */
    rf_action action;
    char *document;              /* compact */
    size_t len;
    char *postgres_document;     /* compact; NULL: the same as document */
    size_t postgres_len;
};

static rf_rc schema_view(rf_ctx *ctx)
{
    const rf_schema_route *s = ctx->worker->schema;
    if (s->postgres_document && rf_db_ranges(ctx))
        return rf_respond_text(ctx, 200, s->postgres_document, s->postgres_len);
    return rf_respond_text(ctx, 200, s->document, s->len);
}

/* Drop the whitespace between tokens of a JSON text. */
static char *compact(const char *json, size_t *len)
{
    char *out = malloc(strlen(json) + 1);
    if (!out)
        abort();
    size_t n = 0;
    bool in_string = false;
    for (const char *p = json; *p; p++) {
        if (in_string) {
            out[n++] = *p;
            if (*p == '\\' && p[1])
                out[n++] = *++p;
            else if (*p == '"')
                in_string = false;
        } else if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
            out[n++] = *p;
            in_string = *p == '"';
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

/* The PostgreSQL document: app->openapi with the inserts put in. */
static char *postgres_document(const rf_app *app)
{
    size_t n = strlen(app->openapi), extra = 0;
    for (size_t i = 0; i < app->nopenapi_postgres; i++)
        extra += strlen(app->openapi_postgres[i].text);
    char *out = malloc(n + extra + 1), *w = out;
    if (!out)
        abort();
    size_t from = 0;
    for (size_t i = 0; i < app->nopenapi_postgres; i++) {
        const rf_openapi_insert *ins = &app->openapi_postgres[i];
        memcpy(w, app->openapi + from, ins->offset - from);
        w += ins->offset - from;
        w = stpcpy(w, ins->text);
        from = ins->offset;
    }
    memcpy(w, app->openapi + from, n - from + 1);
    return out;
}

const rf_route *rf_api_root_route(const rf_app *app)
{
    for (int i = 0; i < app->nroutes; i++)
        if (app->routes[i].kind == RF_ROUTE_API_ROOT)
            return &app->routes[i];
    return NULL;
}

/* --schema-path as the route pattern: no leading slash. */
static char *pattern_of(const rf_app *app, const char *configured)
{
    if (configured)
        return strdup(configured + (configured[0] == '/'));
    const rf_route *root = rf_api_root_route(app);
    size_t n = root ? strlen(root->pattern) : 0;
    char *p = malloc(n + sizeof "schema/");
    if (!p)
        abort();
    memcpy(p, root ? root->pattern : "", n);
    strcpy(p + n, "schema/");
    return p;
}

bool rf_schema_install(rf_worker *w, char *err, size_t errlen)
{
    const rf_app *app = w->app;
    const char *configured = w->cfg ? w->cfg->schema_path : NULL;
    if (!app->openapi || (configured && strcmp(configured, "none") == 0))
        return true;
    rf_schema_route *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    const rf_route *root = rf_api_root_route(app);
    const rf_action *policies = root ? root->by_method[RF_GET] : NULL;
    if (policies)
        s->action = *policies;
    s->action.name = "schema";
    s->action.kind = RF_ACT_HANDLER;
    s->action.handler = (rf_hook){ "rf_schema_view", RF_SYNC, { .ctx = schema_view } };
    s->action.renderers = RF_RENDER_JSON;
    s->route.pattern = pattern_of(app, configured);
    if (root && root->view) {
        s->view = *root->view;
        s->view.default_action = &s->action;
        s->route.view = &s->view;
    }
    s->route.by_method[RF_GET] = &s->action;
    s->route.view_name = "Schema";
    s->document = compact(app->openapi, &s->len);
    if (app->nopenapi_postgres) {
        char *full = postgres_document(app);
        s->postgres_document = compact(full, &s->postgres_len);
        free(full);
    }
    w->schema = s;
    const char *why;
    if (!rf_router_append(w->router, &s->route, &why)) {
        snprintf(err, errlen, "--schema-path \"%s\": %s", s->route.pattern, why);
        return false;
    }
    return true;
}

void rf_schema_uninstall(rf_worker *w)
{
    rf_schema_route *s = w->schema;
    if (!s)
        return;
    free((char *)s->route.pattern);
    free(s->document);
    free(s->postgres_document);
    free(s);
    w->schema = NULL;
}
