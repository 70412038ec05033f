/*
 * apiroot.c: DefaultRouter's API root view: {prefix: absolute list URL} in
 * registration order, each URL built from the request's Host as DRF's
 * reverse(..., request=request) does.
 */
#include "internal.h"

rf_rc rf_api_root(rf_ctx *ctx)
{
    const rf_route *r = ctx->route;
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_putc(b, '{');
    for (int i = 0; i < r->nroot; i++) {
        if (i)
            rf_buf_putc(b, ',');
        rf_json_str(b, r->root[i].prefix);
        rf_buf_putc(b, ':');
        rf_json_str(b, rf_ctx_absolute_url(ctx, rf_sprintf(ctx->arena, "/%s",
                                                           r->root[i].list_path)));
    }
    rf_buf_putc(b, '}');
    return rf_respond_json(ctx, 200, b);
}
