/*
 * response.c: setting a request's response, and finalizing it (DRF's
 * finalize_response: the renderer's finish and Content-Type, Allow, Vary)
 * before the transport sends it.
 *
 * Setting a response twice before it is sent keeps the last one (an error
 * raised after a handler started writing replaces what it wrote); sending
 * happens once, in rf_finalize.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

rf_buf *rf_ctx_body_buf(rf_ctx *ctx)
{
    return &ctx->out;
}

/* Name and value must outlive the request (constants, arena strings). */
static void add_header_nocopy(rf_ctx *ctx, const char *name, const char *value)
{
    rf_header *h = rf_alloc(ctx->arena, sizeof *h);
    h->name = name;
    h->value = value;
    h->next = NULL;
    *ctx->resp_tail = h;
    ctx->resp_tail = &h->next;
}

void rf_ctx_add_header(rf_ctx *ctx, const char *name, const char *value)
{
    add_header_nocopy(ctx, rf_strdup(ctx->arena, name), rf_strdup(ctx->arena, value));
}

const char *rf_ctx_response_header(const rf_ctx *ctx, const char *name)
{
    for (const rf_header *h = ctx->resp_headers; h; h = h->next)
        if (strcasecmp(h->name, name) == 0)
            return h->value;
    return NULL;
}

static void set_body(rf_ctx *ctx, int status, const char *data, size_t len)
{
    ctx->status = status;
    ctx->resp_body = data;
    ctx->resp_len = len;
    ctx->resp_empty = false;
}

rf_rc rf_respond_json(rf_ctx *ctx, int status, rf_buf *body)
{
    set_body(ctx, status, body->data, body->len);
    return RF_OK;
}

rf_rc rf_respond_text(rf_ctx *ctx, int status, const char *json, size_t len)
{
    set_body(ctx, status, rf_strndup(ctx->arena, json, len), len);
    return RF_OK;
}

rf_rc rf_respond_empty(rf_ctx *ctx, int status)
{
    set_body(ctx, status, "", 0);
    ctx->resp_empty = true;
    return RF_OK;
}

rf_rc rf_error_json(rf_ctx *ctx, int status, const char *json)
{
    rf_respond_text(ctx, status, json, strlen(json));
    return RF_ERROR;
}

rf_rc rf_error(rf_ctx *ctx, int status, const char *detail)
{
    rf_buf b;
    rf_buf_init(&b, ctx->arena, 64 + strlen(detail));
    rf_buf_lit(&b, "{\"detail\":");
    rf_json_str(&b, detail);
    rf_buf_putc(&b, '}');
    set_body(ctx, status, b.data, b.len);
    return RF_ERROR;
}

rf_rc rf_validation_failed(rf_ctx *ctx, const rf_verrs *errs)
{
    rf_buf b;
    rf_buf_init(&b, ctx->arena, 256);
    rf_verrs_render(&b, errs);
    set_body(ctx, 400, b.data, b.len);
    return RF_ERROR;
}

rf_rc rf_raise(rf_ctx *ctx, const char *field, const char *message)
{
    if (!ctx->raised)
        ctx->raised = rf_verrs_new(ctx->arena);
    rf_verrs_add(ctx->raised, field, message);
    return RF_ERROR;
}

const char *rf_status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default:  return status < 400 ? "OK" : "Error";
    }
}

/* ---------------------------------------------------------------------
 * Finalize.
 */

/* A stage that ended without a response is a bug in a hook; DRF would
 * raise too.  An exhausted arena means the request outgrew
 * --max-request-memory: whatever it produced is dropped. */
static void settle_status(rf_ctx *ctx)
{
    if (rf_arena_exhausted(ctx->arena)) {
        rf_log_error("request %s %s exceeded its memory limit (%zu bytes)",
                     rf_method_name(ctx->method), ctx->path ? ctx->path : "",
                     rf_arena_used(ctx->arena));
        rf_error(ctx, 503, "Service temporarily unavailable, try again later.");
    } else if (ctx->status == 0) {
        rf_log_error("request %s %s ended without a response",
                     rf_method_name(ctx->method), ctx->path ? ctx->path : "");
        rf_error(ctx, 500, "A server error occurred.");
    }
}

/* DRF's default_response_headers: Vary: Accept when the view has more
 * than one renderer class. */
static bool several_renderers(const rf_ctx *ctx)
{
    uint32_t r = ctx->route && ctx->action ? ctx->action->renderers : 0;
    return r & (r - 1);
}

void rf_finalize(rf_ctx *ctx)
{
    if (ctx->finalized) {
        rf_log_error("a second response for %s %s was ignored",
                     rf_method_name(ctx->method), ctx->path ? ctx->path : "");
        return;
    }
    ctx->finalized = true;
    settle_status(ctx);
    /* Before negotiation (404, 406), DRF forces the first renderer. */
    const rf_renderer *r = ctx->renderer ? ctx->renderer : &rf_json_renderer;
    if ((!ctx->resp_empty && ctx->resp_len) || r->pages_empty)
        r->finish(ctx);
    if (!ctx->resp_empty)
        add_header_nocopy(ctx, "Content-Type",
                          ctx->content_type ? ctx->content_type : r->media_type);
    if (ctx->route && ctx->worker->router)
        add_header_nocopy(ctx, "Allow", rf_router_allow(ctx->worker->router, ctx->route));
    if (several_renderers(ctx))
        add_header_nocopy(ctx, "Vary", "Accept");
    ctx->send(ctx);
}
