/*
 * testing.h (internal, core): request contexts without a socket, for unit
 * tests of every runtime area.
 *
 * An environment is what a worker process has: an event loop, a worker
 * pool, the throttle store, the app's route table and, when opened, its
 * databases.  A context is built from a request description, either bound
 * directly to a view and action (to test one stage: a pipeline, a policy)
 * or dispatched through the whole request life (router, negotiation,
 * authentication, permissions, throttles, handler).
 *
 *   rf_test_env *env = rf_test_env_new(&app, 2);
 *   rf_test_env_open_db(env, 0, "sqlite::memory:");
 *   rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
 *       .method = RF_POST, .target = "/api/products/?x=1",
 *       .headers = (const char *[]){ "Content-Type: application/json", NULL },
 *       .body = "{\"name\":\"x\"}", .view = &products, .action = &create });
 *   rf_rc rc = rf_test_run(env, ctx, rf_generic_action);
 *   ck_assert_int_eq(rf_test_status(ctx), 201);
 *   ck_assert_str_eq(rf_test_body(ctx), "{\"id\":1,...}");
 *   rf_test_ctx_free(ctx);
 *   rf_test_env_free(env);
 *
 * For a function that takes a continuation, pass rf_resume as k and wait:
 *   rc = rf_test_wait(env, ctx, rf_check_permissions(ctx, p, 1, NULL, rf_resume));
 */
#ifndef RF_TESTING_H
#define RF_TESTING_H

#include "internal.h"

typedef struct rf_test_env rf_test_env;

/* app NULL: an app with no routes and no databases.  threads: pool size. */
rf_test_env *rf_test_env_new(const rf_app *app, int threads);
void rf_test_env_free(rf_test_env *env);
/* Open the app's database `index` at url (index may exceed the app's
 * ndatabases, up to 7, for tests without an app).  false on failure, with
 * the reason on stderr. */
bool rf_test_env_open_db(rf_test_env *env, int index, const char *url);
rf_db *rf_test_env_db(rf_test_env *env, int index);
struct event_base *rf_test_env_base(rf_test_env *env);
rf_pool *rf_test_env_pool(rf_test_env *env);
/* The worker configuration (limits) the contexts see; change before
 * building contexts. */
rf_config *rf_test_env_config(rf_test_env *env);
/* The worker the contexts belong to (router, spare arenas, live count). */
rf_worker *rf_test_env_worker(rf_test_env *env);

typedef struct rf_test_request {
    rf_method method;
    const char *target;                  /* "/path/?query"; default "/" */
    const char *const *headers;          /* "Name: value" ..., NULL */
    const char *body;                    /* NULL: none */
    size_t body_len;                     /* 0: strlen(body) */
    const char *peer;                    /* REMOTE_ADDR, default "127.0.0.1" */
    /* rf_test_ctx only: */
    const rf_view *view;
    const rf_action *action;
    const rf_route *route;               /* optional: Allow on the response */
    const char *const *kwargs;           /* "name", "value", ..., NULL */
    const rf_user *user;                 /* NULL: anonymous */
} rf_test_request;

/* A context bound to r->view/r->action, as dispatch would hand it to the
 * handler (negotiated to compact JSON).  Nothing runs yet. */
rf_ctx *rf_test_ctx(rf_test_env *env, const rf_test_request *r);
/* Given what a call on ctx returned: when RF_PENDING, run the loop until
 * rf_resume(ctx, rc) reaches the context's outermost continuation (or the
 * response is sent) and return that rc; otherwise return rc as is. */
rf_rc rf_test_wait(rf_test_env *env, rf_ctx *ctx, rf_rc rc);
/* rf_test_wait(env, ctx, stage(ctx)). */
rf_rc rf_test_run(rf_test_env *env, rf_ctx *ctx, rf_rc (*stage)(rf_ctx *));
/* Apply finalize (Content-Type, Allow, indent) to a context built by
 * rf_test_ctx, as the server does before sending. */
void rf_test_finalize(rf_ctx *ctx);

/* The whole request life through the app's routes; returns once the
 * response is sent (finalized). */
rf_ctx *rf_test_dispatch(rf_test_env *env, const rf_test_request *r);

/* The response. */
int rf_test_status(const rf_ctx *ctx);
const char *rf_test_body(const rf_ctx *ctx);   /* NUL-terminated; "" when none */
size_t rf_test_body_len(const rf_ctx *ctx);
const char *rf_test_header(const rf_ctx *ctx, const char *name);  /* NULL: absent */
bool rf_test_sent(const rf_ctx *ctx);          /* finalized and handed over */

void rf_test_ctx_free(rf_ctx *ctx);

#endif
