/*
 * testing.c: contexts without a socket (see testing.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "testing.h"

#define TEST_MAX_DBS 8

struct rf_test_env {
    rf_worker w;
    rf_config cfg;
    rf_app empty_app;
};

typedef struct test_state {
    bool done;        /* the outermost continuation ran, or the response went */
    bool sent;
    rf_rc rc;
} test_state;

rf_test_env *rf_test_env_new(const rf_app *app, int threads)
{
    rf_test_env *env = calloc(1, sizeof *env);
    if (!env)
        abort();
    env->empty_app = (rf_app){ .abi = RF_ABI_VERSION, .name = "test", .num_proxies = -1 };
    env->cfg = (rf_config){ .host = "127.0.0.1", .workers = 1, .threads = threads,
                            .max_body = 1 << 20, .max_header = 8192, .timeout = 60 };
    char err[256];
    if (!rf_worker_init(&env->w, app ? app : &env->empty_app, &env->cfg,
                        event_base_new(), err, sizeof err)) {
        fprintf(stderr, "rf_test_env_new: %s\n", err);
        abort();
    }
    if (env->w.ndbs < TEST_MAX_DBS) {
        env->w.dbs = realloc(env->w.dbs, TEST_MAX_DBS * sizeof *env->w.dbs);
        memset(env->w.dbs + env->w.ndbs, 0,
               (size_t)(TEST_MAX_DBS - env->w.ndbs) * sizeof *env->w.dbs);
        env->w.ndbs = TEST_MAX_DBS;
    }
    return env;
}

void rf_test_env_free(rf_test_env *env)
{
    struct event_base *base = env->w.base;
    rf_worker_fini(&env->w);
    event_base_free(base);
    free(env);
}

bool rf_test_env_open_db(rf_test_env *env, int index, const char *url)
{
    char err[256];
    if (index < 0 || index >= env->w.ndbs)
        return false;
    env->w.dbs[index] = rf_db_open(env->w.base, url, env->cfg.threads, err, sizeof err);
    if (!env->w.dbs[index])
        fprintf(stderr, "rf_test_env_open_db(%s): %s\n", url, err);
    return env->w.dbs[index] != NULL;
}

rf_db *rf_test_env_db(rf_test_env *env, int index)
{
    return index >= 0 && index < env->w.ndbs ? env->w.dbs[index] : NULL;
}

struct event_base *rf_test_env_base(rf_test_env *env) { return env->w.base; }
rf_pool *rf_test_env_pool(rf_test_env *env) { return env->w.pool; }
rf_config *rf_test_env_config(rf_test_env *env) { return &env->cfg; }
rf_worker *rf_test_env_worker(rf_test_env *env) { return &env->w; }

/* ---------------------------------------------------------------------
 * Building contexts.
 */
static void add_headers(rf_ctx *ctx, const char *const *lines)
{
    int n = 0;
    while (lines && lines[n])
        n++;
    rf_kv *kv = rf_alloc(ctx->arena, (size_t)(n ? n : 1) * sizeof *kv);
    ctx->headers = kv;
    for (; lines && *lines; lines++) {
        const char *colon = strchr(*lines, ':');
        if (!colon)
            continue;
        const char *value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        kv[ctx->nheaders].name = rf_strndup(ctx->arena, *lines, (size_t)(colon - *lines));
        kv[ctx->nheaders].value = rf_strdup(ctx->arena, value);
        ctx->nheaders++;
    }
}

static void test_send(rf_ctx *ctx)
{
    test_state *st = ctx->transport;
    st->sent = st->done = true;
}

static rf_ctx *new_ctx(rf_test_env *env, const rf_test_request *r)
{
    rf_ctx *ctx = rf_ctx_new(&env->w);
    test_state *st = rf_calloc(ctx->arena, sizeof *st);
    ctx->transport = st;
    ctx->send = test_send;
    ctx->method = r->method;
    const char *target = r->target ? r->target : "/";
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);
    ctx->raw_path = rf_strndup(ctx->arena, target, plen);
    ctx->path = rf_url_decode(ctx->arena, target, plen, false);
    ctx->raw_query = q ? rf_strdup(ctx->arena, q + 1) : NULL;
    add_headers(ctx, r->headers);
    if (r->body) {
        ctx->body_len = r->body_len ? r->body_len : strlen(r->body);
        ctx->body = rf_strndup(ctx->arena, r->body, ctx->body_len);
    }
    ctx->peer = rf_strdup(ctx->arena, r->peer ? r->peer : "127.0.0.1");
    return ctx;
}

static void test_outermost(rf_ctx *ctx, rf_rc rc)
{
    test_state *st = ctx->transport;
    st->done = true;
    st->rc = rc;
}

rf_ctx *rf_test_ctx(rf_test_env *env, const rf_test_request *r)
{
    rf_ctx *ctx = new_ctx(env, r);
    ctx->view = r->view;
    ctx->action = r->action;
    ctx->route = r->route;
    for (const char *const *kw = r->kwargs; kw && kw[0] && kw[1]; kw += 2)
        rf_ctx_add_kwarg(ctx, rf_strdup(ctx->arena, kw[0]), rf_strdup(ctx->arena, kw[1]));
    rf_ctx_set_user(ctx, r->user);
    ctx->renderer = &rf_json_renderer;
    rf_push_cont(ctx, test_outermost);
    return ctx;
}

static void run_until_done(rf_test_env *env, const test_state *st)
{
    while (!st->done)
        event_base_loop(env->w.base, EVLOOP_ONCE);
}

rf_rc rf_test_wait(rf_test_env *env, rf_ctx *ctx, rf_rc rc)
{
    if (rc != RF_PENDING)
        return rc;
    test_state *st = ctx->transport;
    run_until_done(env, st);
    return st->rc;
}

rf_rc rf_test_run(rf_test_env *env, rf_ctx *ctx, rf_rc (*stage)(rf_ctx *))
{
    return rf_test_wait(env, ctx, stage(ctx));
}

void rf_test_finalize(rf_ctx *ctx)
{
    rf_finalize(ctx);
}

rf_ctx *rf_test_dispatch(rf_test_env *env, const rf_test_request *r)
{
    rf_ctx *ctx = new_ctx(env, r);
    test_state *st = ctx->transport;
    rf_dispatch(ctx);
    while (!st->sent)
        event_base_loop(env->w.base, EVLOOP_ONCE);
    return ctx;
}

/* ---------------------------------------------------------------------
 * Reading the response.
 */
int rf_test_status(const rf_ctx *ctx) { return ctx->status; }
size_t rf_test_body_len(const rf_ctx *ctx) { return ctx->resp_len; }

const char *rf_test_body(const rf_ctx *ctx)
{
    return ctx->resp_body ? ctx->resp_body : "";
}

const char *rf_test_header(const rf_ctx *ctx, const char *name)
{
    return rf_ctx_response_header(ctx, name);
}

bool rf_test_sent(const rf_ctx *ctx)
{
    const test_state *st = ctx->transport;
    return st->sent;
}

void rf_test_ctx_free(rf_ctx *ctx)
{
    rf_ctx_release(ctx);
}
