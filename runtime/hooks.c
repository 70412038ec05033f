/*
 * hooks.c: running user hooks in their three forms, rf_resume, and the
 * bridge that lets a blocking hook (on a pool thread) wait for an async
 * operation that runs on the loop.
 *
 *   RF_SYNC      called on the loop thread; its answer is the result.
 *   RF_BLOCKING  submitted to the pool; its answer comes back to the loop
 *                through the pool's completion queue, then k runs.
 *   RF_ASYNC     called on the loop thread with a continuation frame
 *                pushed; when it answers RF_PENDING, its later rf_resume()
 *                pops the frame and runs k.
 */
#include <pthread.h>
#include <string.h>

#include "internal.h"

typedef enum hook_shape { SHAPE_CTX, SHAPE_OBJ, SHAPE_QUERY } hook_shape;

typedef struct hook_call {
    rf_ctx *ctx;
    const rf_hook *hook;
    hook_shape shape;
    void *arg;                   /* obj or query */
    rf_cont k;
    rf_rc rc;                    /* RF_BLOCKING: the answer from the pool */
} hook_call;

static rf_rc invoke(const hook_call *c)
{
    switch (c->shape) {
    case SHAPE_OBJ:   return c->hook->fn.obj(c->ctx, c->arg);
    case SHAPE_QUERY: return c->hook->fn.query(c->ctx, c->arg);
    case SHAPE_CTX:   break;
    }
    return c->hook->fn.ctx(c->ctx);
}

/* A sync or blocking hook has no way to resume later: RF_PENDING from it is
 * a bug in the hook, reported as a server error rather than a hung request. */
static rf_rc sync_answer(rf_ctx *ctx, const rf_hook *h, rf_rc rc)
{
    if (rc != RF_PENDING)
        return rc;
    rf_log_error("hook %s returned RF_PENDING but is not declared async",
                 h->name ? h->name : "?");
    return rf_error(ctx, 500, "A server error occurred.");
}

void rf_push_cont(rf_ctx *ctx, rf_cont k)
{
    rf_frame *f = rf_alloc(ctx->arena, sizeof *f);
    f->k = k;
    f->prev = ctx->frames;
    ctx->frames = f;
}

void rf_resume(rf_ctx *ctx, rf_rc rc)
{
    rf_frame *f = ctx->frames;
    if (!f) {
        rf_log_error("rf_resume without a pending async call (%s %s)",
                     rf_method_name(ctx->method), ctx->path ? ctx->path : "");
        return;
    }
    ctx->frames = f->prev;
    f->k(ctx, rc);
}

/* Push k, call; if the call finished at once, k will never be resumed:
 * take it off again. */
static rf_rc with_frame(rf_ctx *ctx, rf_cont k, rf_rc (*call)(rf_ctx *, void *), void *arg)
{
    rf_push_cont(ctx, k);
    rf_frame *mine = ctx->frames;
    rf_rc rc = call(ctx, arg);
    if (rc != RF_PENDING && ctx->frames == mine)
        ctx->frames = mine->prev;
    return rc;
}

static rf_rc invoke_call(rf_ctx *ctx, void *arg)
{
    (void)ctx;
    return invoke(arg);
}

rf_rc rf_then(rf_ctx *ctx, rf_rc rc, rf_cont k)
{
    if (rc != RF_PENDING)
        k(ctx, rc);
    return RF_PENDING;
}

static rf_rc run_async(hook_call *c)
{
    return with_frame(c->ctx, c->k, invoke_call, c);
}

typedef struct plain_call { rf_rc (*fn)(rf_ctx *); } plain_call;

static rf_rc invoke_plain(rf_ctx *ctx, void *arg)
{
    return ((plain_call *)arg)->fn(ctx);
}

rf_rc rf_call_async(rf_ctx *ctx, rf_rc (*fn)(rf_ctx *), rf_cont k)
{
    plain_call pc = { fn };
    return with_frame(ctx, k, invoke_plain, &pc);
}

static void blocking_work(void *arg)
{
    hook_call *c = arg;
    c->rc = invoke(c);
}

static void blocking_done(void *arg)
{
    hook_call *c = arg;
    c->k(c->ctx, sync_answer(c->ctx, c->hook, c->rc));
}

static rf_rc run(rf_ctx *ctx, const rf_hook *h, hook_shape shape, void *arg, rf_cont k)
{
    hook_call local = { ctx, h, shape, arg, k, RF_OK };
    switch (h->form) {
    case RF_ASYNC:
        return run_async(&local);
    case RF_BLOCKING: {
        hook_call *c = rf_alloc(ctx->arena, sizeof *c);
        *c = local;
        rf_pool_submit(ctx->worker->pool, blocking_work, blocking_done, c);
        return RF_PENDING;
    }
    case RF_SYNC:
        break;
    }
    return sync_answer(ctx, h, invoke(&local));
}

rf_rc rf_run_hook_ctx(rf_ctx *ctx, const rf_hook *h, rf_cont k)
{
    return run(ctx, h, SHAPE_CTX, NULL, k);
}

rf_rc rf_run_hook_obj(rf_ctx *ctx, const rf_hook *h, void *obj, rf_cont k)
{
    return run(ctx, h, SHAPE_OBJ, obj, k);
}

rf_rc rf_run_hook_query(rf_ctx *ctx, const rf_hook *h, rf_query *q, rf_cont k)
{
    return run(ctx, h, SHAPE_QUERY, q, k);
}

/* ---------------------------------------------------------------------
 * The sync bridge.  The waiting state lives in the request's arena, not on
 * the pool thread's stack: a misbehaving operation that both answers and
 * calls k must not touch a stack frame that is gone.
 */
struct rf_sync_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    rf_rc rc;
    rf_async_start start;
    void *arg;
    rf_ctx *ctx;
};

bool rf_on_pool_thread(void)
{
    return rf_pool_thread_index() >= 0;
}

static void sync_wait_destroy(void *arg)
{
    rf_sync_wait *w = arg;
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

static void sync_signal(rf_sync_wait *w, rf_rc rc)
{
    pthread_mutex_lock(&w->lock);
    if (!w->done) {
        w->done = true;
        w->rc = rc;
        pthread_cond_signal(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
}

static void sync_k(rf_ctx *ctx, rf_rc rc)
{
    sync_signal(ctx->sync_wait, rc);
}

static void sync_start_on_loop(void *arg)
{
    rf_sync_wait *w = arg;
    rf_rc rc = w->start(w->ctx, w->arg, sync_k);
    if (rc != RF_PENDING)
        sync_signal(w, rc);
}

static rf_sync_wait *sync_wait_new(rf_ctx *ctx, rf_async_start start, void *arg)
{
    rf_sync_wait *w = rf_calloc(ctx->arena, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    rf_arena_on_free(ctx->arena, sync_wait_destroy, w);
    w->start = start;
    w->arg = arg;
    w->ctx = ctx;
    return w;
}

rf_rc rf_sync_call(rf_ctx *ctx, rf_async_start start, void *arg)
{
    if (!rf_on_pool_thread()) {
        rf_log_error("a sync helper was called on the loop thread; declare the "
                     "hook blocking or use the async helper");
        return rf_error(ctx, 500, "A server error occurred.");
    }
    rf_sync_wait *w = sync_wait_new(ctx, start, arg);
    ctx->sync_wait = w;
    rf_pool_post(ctx->worker->pool, sync_start_on_loop, w);
    pthread_mutex_lock(&w->lock);
    while (!w->done)
        pthread_cond_wait(&w->cond, &w->lock);
    rf_rc rc = w->rc;
    pthread_mutex_unlock(&w->lock);
    ctx->sync_wait = NULL;
    return rc;
}
