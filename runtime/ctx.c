/*
 * ctx.c: the request context and its accessors.
 *
 * A context lives in its request's arena.  Arenas come from the worker's
 * spare list and go back to it reset (rf_arena_reset keeps the first
 * block), so a request that fits in one block costs no malloc here.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

/* Spares kept per worker: enough for a burst of concurrent requests; more
 * are freed rather than hoarded. */
#define MAX_SPARE_ARENAS 256

static rf_arena *take_arena(rf_worker *w)
{
    if (w->nspare > 0)
        return w->spare_arenas[--w->nspare];
    size_t limit = w->cfg ? w->cfg->max_request_memory : 0;
    return rf_arena_new(limit);
}

static void give_back_arena(rf_worker *w, rf_arena *a)
{
    if (w->nspare == MAX_SPARE_ARENAS) {
        rf_arena_free(a);
        return;
    }
    rf_arena_reset(a);
    if (w->nspare == w->spare_cap) {
        w->spare_cap = w->spare_cap ? w->spare_cap * 2 : 16;
        w->spare_arenas = realloc(w->spare_arenas,
                                  (size_t)w->spare_cap * sizeof *w->spare_arenas);
        if (!w->spare_arenas)
            abort();
    }
    w->spare_arenas[w->nspare++] = a;
}

rf_ctx *rf_ctx_new(rf_worker *w)
{
    rf_arena *a = take_arena(w);
    rf_ctx *ctx = rf_calloc(a, sizeof *ctx);
    ctx->arena = a;
    ctx->worker = w;
    ctx->app = w->app;
    ctx->resp_tail = &ctx->resp_headers;
    ctx->start_usec = rf_now_usec();
    rf_buf_init(&ctx->out, a, 1024);
    w->live++;
    return ctx;
}

void rf_ctx_release(rf_ctx *ctx)
{
    rf_worker *w = ctx->worker;
    w->live--;
    give_back_arena(w, ctx->arena);
}

uint64_t rf_now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---------------------------------------------------------------------
 * Plain accessors.
 */
rf_arena *rf_ctx_arena(rf_ctx *ctx) { return ctx->arena; }
const rf_app *rf_ctx_app(const rf_ctx *ctx) { return ctx->app; }
const rf_view *rf_ctx_view(const rf_ctx *ctx) { return ctx->view; }
const rf_action *rf_ctx_action(const rf_ctx *ctx) { return ctx->action; }
rf_method rf_ctx_method(const rf_ctx *ctx) { return ctx->method; }

const char *rf_ctx_method_name(const rf_ctx *ctx)
{
    return ctx->method_name ? ctx->method_name : rf_method_name(ctx->method);
}
const char *rf_ctx_path(const rf_ctx *ctx) { return ctx->path; }
const char *rf_ctx_raw_query(const rf_ctx *ctx) { return ctx->raw_query; }
rf_pool *rf_ctx_pool(rf_ctx *ctx) { return ctx->worker->pool; }
struct event_base *rf_ctx_base(rf_ctx *ctx) { return ctx->worker->base; }
rf_throttle_store *rf_ctx_throttle_store(rf_ctx *ctx) { return ctx->worker->throttle_store; }

const rf_resource *rf_ctx_resource(const rf_ctx *ctx)
{
    return ctx->view ? ctx->view->model : NULL;
}

rf_db *rf_ctx_db(rf_ctx *ctx, int index)
{
    const rf_worker *w = ctx->worker;
    if (index < 0 || index >= w->ndbs)
        return NULL;
    return w->dbs[index];
}

const char *rf_ctx_header(const rf_ctx *ctx, const char *name)
{
    for (int i = 0; i < ctx->nheaders; i++)
        if (strcasecmp(ctx->headers[i].name, name) == 0)
            return ctx->headers[i].value;
    return NULL;
}

/* ---------------------------------------------------------------------
 * URL captures and query parameters.
 */
void rf_ctx_add_kwarg(rf_ctx *ctx, const char *name, const char *value)
{
    rf_kv *kv = rf_alloc(ctx->arena, (size_t)(ctx->nkwargs + 1) * sizeof *kv);
    if (ctx->nkwargs)
        memcpy(kv, ctx->kwargs, (size_t)ctx->nkwargs * sizeof *kv);
    kv[ctx->nkwargs].name = name;
    kv[ctx->nkwargs].value = value;
    ctx->kwargs = kv;
    ctx->nkwargs++;
}

const char *rf_ctx_kwarg(const rf_ctx *ctx, const char *name)
{
    for (int i = 0; i < ctx->nkwargs; i++)
        if (strcmp(ctx->kwargs[i].name, name) == 0)
            return ctx->kwargs[i].value;
    return NULL;
}

int rf_ctx_query_params(rf_ctx *ctx, const rf_kv **out)
{
    if (!ctx->query_parsed) {
        ctx->query_parsed = true;
        if (ctx->raw_query)
            ctx->nquery = rf_parse_qs(ctx->arena, ctx->raw_query,
                                      strlen(ctx->raw_query), &ctx->query);
    }
    *out = ctx->query;
    return ctx->nquery;
}

/* Django's QueryDict.get returns the last value of a repeated key. */
const char *rf_ctx_query(const rf_ctx *cctx, const char *name)
{
    rf_ctx *ctx = (rf_ctx *)cctx;   /* parsing on first use is a cache fill */
    const rf_kv *kv;
    int n = rf_ctx_query_params(ctx, &kv);
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(kv[i].name, name) == 0)
            return kv[i].value;
    return NULL;
}

int rf_ctx_query_count(const rf_ctx *ctx)
{
    const rf_kv *kv;
    return rf_ctx_query_params((rf_ctx *)ctx, &kv);
}

void rf_ctx_query_at(const rf_ctx *ctx, int i, const char **name, const char **value)
{
    const rf_kv *kv;
    rf_ctx_query_params((rf_ctx *)ctx, &kv);
    *name = kv[i].name;
    *value = kv[i].value;
}

/* ---------------------------------------------------------------------
 * Client address: DRF's BaseThrottle.get_ident.
 */
static const char *strip_spaces(rf_arena *a, const char *s, size_t n)
{
    char *out = rf_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\n\r\f\v", s[i]))
            *o++ = s[i];
    *o = '\0';
    return out;
}

static const char *trimmed(rf_arena *a, const char *s, size_t n)
{
    while (n && strchr(" \t\n\r\f\v", *s))
        s++, n--;
    while (n && strchr(" \t\n\r\f\v", s[n - 1]))
        n--;
    return rf_strndup(a, s, n);
}

/* addrs[-min(num_proxies, len(addrs))] of xff.split(',') */
static const char *nth_from_right(rf_arena *a, const char *xff, int num_proxies)
{
    int count = 1;
    for (const char *p = xff; *p; p++)
        count += *p == ',';
    int want = count - (num_proxies < count ? num_proxies : count);
    const char *start = xff;
    for (int i = 0; i < want; i++)
        start = strchr(start, ',') + 1;
    const char *end = strchr(start, ',');
    return trimmed(a, start, end ? (size_t)(end - start) : strlen(start));
}

const char *rf_ctx_client_ip(const rf_ctx *ctx)
{
    const char *xff = rf_ctx_header(ctx, "X-Forwarded-For");
    const char *remote = ctx->peer ? ctx->peer : "";
    int num_proxies = ctx->app ? ctx->app->num_proxies : -1;
    if (num_proxies >= 0) {
        if (num_proxies == 0 || !xff)
            return remote;
        return nth_from_right(ctx->arena, xff, num_proxies);
    }
    return xff && *xff ? strip_spaces(ctx->arena, xff, strlen(xff)) : remote;
}

/* ---------------------------------------------------------------------
 * User, auth token, vars.
 */
const rf_user *rf_ctx_user(const rf_ctx *ctx)
{
    return ctx->has_user ? &ctx->user : NULL;
}

static const char *dup_or_null(rf_arena *a, const char *s)
{
    return s ? rf_strdup(a, s) : NULL;
}

void rf_ctx_set_user(rf_ctx *ctx, const rf_user *user)
{
    ctx->has_user = user != NULL;
    if (!user)
        return;
    ctx->user = *user;
    ctx->user.username = dup_or_null(ctx->arena, user->username);
    ctx->user.email = dup_or_null(ctx->arena, user->email);
}

const char *rf_ctx_auth_token(const rf_ctx *ctx) { return ctx->auth_token; }

void rf_ctx_set_auth_token(rf_ctx *ctx, const char *token)
{
    ctx->auth_token = dup_or_null(ctx->arena, token);
}

void rf_ctx_set_var(rf_ctx *ctx, const char *key, const void *value)
{
    for (rf_header *v = ctx->vars; v; v = v->next)
        if (strcmp(v->name, key) == 0) {
            v->value = value;
            return;
        }
    rf_header *v = rf_alloc(ctx->arena, sizeof *v);
    v->name = rf_strdup(ctx->arena, key);
    v->value = value;
    v->next = ctx->vars;
    ctx->vars = v;
}

const void *rf_ctx_var(const rf_ctx *ctx, const char *key)
{
    for (const rf_header *v = ctx->vars; v; v = v->next)
        if (strcmp(v->name, key) == 0)
            return v->value;
    return NULL;
}

/* ---------------------------------------------------------------------
 * Methods.
 */
const char *rf_method_name(rf_method m)
{
    static const char *const names[RF_METHOD_COUNT] = {
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"
    };
    return (unsigned)m < RF_METHOD_COUNT ? names[m] : "?";
}

/* ---------------------------------------------------------------------
 * Absolute URLs: Django's build_absolute_uri.
 */

/* urllib.parse.quote(s, safe): unreserved characters and `safe` stay,
 * every other byte becomes %XX. */
static void quote_into(rf_buf *b, const char *s, const char *safe)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p) || strchr(safe, *p)) {
            rf_buf_putc(b, (char)*p);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            rf_buf_append(b, esc, 3);
        }
    }
}

/* get_host(): the Host header, else the address the server listens on. */
static void put_host(rf_buf *b, const rf_ctx *ctx)
{
    const char *host = rf_ctx_header(ctx, "Host");
    if (host && *host) {
        rf_buf_puts(b, host);
        return;
    }
    const rf_config *cfg = ctx->worker->cfg;
    rf_buf_puts(b, cfg && cfg->host ? cfg->host : "localhost");
    if (cfg && cfg->port && cfg->port != 80)
        rf_buf_printf(b, ":%d", cfg->port);
}

char *rf_ctx_absolute_url(rf_ctx *ctx, const char *location)
{
    rf_buf b;
    rf_buf_init(&b, ctx->arena, 128);
    rf_buf_lit(&b, "http://");
    put_host(&b, ctx);
    if (location) {
        rf_buf_puts(&b, location);
        return b.data;
    }
    /* get_full_path(): escape_uri_path(path) + '?' + iri_to_uri(query) */
    quote_into(&b, ctx->path ? ctx->path : "/", "/:@&+$,!*'()");
    if (ctx->raw_query && *ctx->raw_query) {
        rf_buf_putc(&b, '?');
        quote_into(&b, ctx->raw_query, "/#%[]=:;$&()+,!?*@'");
    }
    return b.data;
}
