/*
 * server.c: the per-process worker (loop, pool, databases, store, routes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool rf_worker_init(rf_worker *w, const rf_app *app, const rf_config *cfg,
                    struct event_base *base, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->app = app;
    w->cfg = cfg;
    w->base = base;
    w->router = rf_router_new(app);
    if (!w->router) {
        snprintf(err, errlen, "the route table of %s is invalid", app->name);
        return false;
    }
    w->pool = rf_pool_new(base, cfg->threads);
    w->throttle_store = app->throttle_store ? (rf_throttle_store *)app->throttle_store()
                                            : rf_throttle_store_memory();
    w->ndbs = app->ndatabases;
    w->dbs = calloc((size_t)w->ndbs + 1, sizeof *w->dbs);
    return true;
}

bool rf_worker_open_dbs(rf_worker *w, char *err, size_t errlen)
{
    for (int i = 0; i < w->ndbs; i++) {
        const char *url = w->cfg->db_urls && w->cfg->db_urls[i] ? w->cfg->db_urls[i]
                                                                : w->app->databases[i].url;
        if (!url) {
            snprintf(err, errlen, "no URL for database \"%s\" (use --db %s=URL)",
                     w->app->databases[i].name, w->app->databases[i].name);
            return false;
        }
        char why[256];
        w->dbs[i] = rf_db_open(w->base, url, w->cfg->db_pool ? w->cfg->db_pool : w->cfg->threads,
                               why, sizeof why);
        if (!w->dbs[i]) {
            snprintf(err, errlen, "database \"%s\": %s", w->app->databases[i].name, why);
            return false;
        }
    }
    return true;
}

void rf_worker_fini(rf_worker *w)
{
    for (int i = 0; i < w->ndbs; i++)
        if (w->dbs[i])
            rf_db_close(w->dbs[i]);
    free(w->dbs);
    rf_pool_free(w->pool);
    if (w->throttle_store && w->throttle_store->close)
        w->throttle_store->close(w->throttle_store);
    rf_router_free(w->router);
    for (int i = 0; i < w->nspare; i++)
        rf_arena_free(w->spare_arenas[i]);
    free(w->spare_arenas);
    memset(w, 0, sizeof *w);
}
