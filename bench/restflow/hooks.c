/*
 * The bench spec's one hand-written view: Ping, an AsyncAPIView whose GET
 * answers {"ok":true}, as the peers' small JSON views do.  It runs on the
 * event loop and finishes at once (nothing to wait for).
 */
#include "bench_hooks.h"

rf_rc bench_ping_get(rf_ctx *ctx)
{
    rf_buf *body = rf_ctx_body_buf(ctx);
    rf_buf_lit(body, "{\"ok\":true}");
    return rf_respond_json(ctx, 200, body);
}
