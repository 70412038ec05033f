/*
 * apiroot.c: DefaultRouter's API root view: {prefix: absolute list URL} in
 * registration order, each URL built from the request's Host as DRF's
 * reverse(..., request=request) does, with the request's format suffix.
 */
#include <string.h>

#include "internal.h"

/* reverse(url_name, format=...): with a format suffix the list URL is
 * the suffixed one, "api/products.json". */
static const char *list_location(rf_ctx *ctx, const char *list_path, const char *format)
{
    if (!format)
        return rf_sprintf(ctx->arena, "/%s", list_path);
    size_t n = strlen(list_path);
    if (n && list_path[n - 1] == '/')
        n--;
    return rf_sprintf(ctx->arena, "/%.*s.%s", (int)n, list_path, format);
}

rf_rc rf_api_root(rf_ctx *ctx)
{
    const rf_route *r = ctx->route;
    const char *format = rf_ctx_kwarg(ctx, "format");
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_putc(b, '{');
    for (int i = 0; i < r->nroot; i++) {
        if (i)
            rf_buf_putc(b, ',');
        rf_json_str(b, r->root[i].prefix);
        rf_buf_putc(b, ':');
        rf_json_str(b, rf_ctx_absolute_url(ctx, list_location(ctx, r->root[i].list_path, format)));
    }
    rf_buf_putc(b, '}');
    return rf_respond_json(ctx, 200, b);
}
