/*
 * fuzz_router: request targets through the whole request life of an app
 * whose routes use every converter (rf_test_dispatch: percent-decoding,
 * route matching, APPEND_SLASH, negotiation, the checks, 405, OPTIONS).
 *
 * Input: the first byte picks the method, the rest is the request target
 * ("/path?query", up to the first NUL, as a request line carries it).
 * Checked beyond memory safety:
 *   - the status is one routing can give (200, 301, 404, 405);
 *   - a handler only ever sees a capture its converter allows (an int of
 *     digits, a lookup without '.' or '/', a canonical UUID, ...);
 *   - a 301 points at the same path with a slash added.
 *
 * fuzz-links: @runtime
 * fuzz-libs: $(PKG_LIBS)
 */
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool only(const char *s, const char *set)
{
    return *s && strspn(s, set) == strlen(s);
}

#define DIGITS "0123456789"
#define SLUG "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "_"

static bool is_uuid(const char *s)
{
    static const char *const pattern = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++)
        if (pattern[i] == '-' ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || !s[i])
            return false;
    return true;
}

static bool is_code(const char *s)
{
    static regex_t re;
    static bool compiled;
    if (!compiled)
        compiled = regcomp(&re, "^[A-Z]{2}-[0-9]+$", REG_EXTENDED | REG_NOSUB) == 0;
    return regexec(&re, s, 0, NULL, 0) == 0;
}

/* Each handler checks what its route's converter promises. */
static rf_rc ok_if(rf_ctx *ctx, bool promise_kept)
{
    if (!promise_kept)
        abort();
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{}");
    return rf_respond_json(ctx, 200, b);
}

static rf_rc plain(rf_ctx *ctx) { return ok_if(ctx, true); }
static rf_rc by_int(rf_ctx *ctx) { return ok_if(ctx, only(rf_ctx_kwarg(ctx, "n"), DIGITS)); }
static rf_rc by_slug(rf_ctx *ctx) { return ok_if(ctx, only(rf_ctx_kwarg(ctx, "s"), SLUG)); }
static rf_rc by_uuid(rf_ctx *ctx) { return ok_if(ctx, is_uuid(rf_ctx_kwarg(ctx, "u"))); }
static rf_rc by_code(rf_ctx *ctx) { return ok_if(ctx, is_code(rf_ctx_kwarg(ctx, "code"))); }

static rf_rc by_lookup(rf_ctx *ctx)
{
    const char *pk = rf_ctx_kwarg(ctx, "pk");
    return ok_if(ctx, *pk && !strpbrk(pk, "./"));
}

static rf_rc by_str(rf_ctx *ctx)
{
    const char *name = rf_ctx_kwarg(ctx, "name");
    return ok_if(ctx, *name && !strchr(name, '/'));
}

#define ACTION(var, f) \
    static const rf_action var = { .name = #f, .kind = RF_ACT_HANDLER, \
                                   .handler = { #f, RF_SYNC, { .ctx = f } } }
ACTION(a_plain, plain);
ACTION(a_int, by_int);
ACTION(a_slug, by_slug);
ACTION(a_uuid, by_uuid);
ACTION(a_code, by_code);
ACTION(a_lookup, by_lookup);
ACTION(a_str, by_str);

static const rf_view items = { .name = "ItemViewSet", .kind = RF_VIEW_VIEWSET };
static const rf_view api = { .name = "ThingView", .kind = RF_VIEW_API };
static const rf_root_entry root[] = { { "items", "api/items/" } };

static const rf_route routes[] = {
    { .pattern = "api/", .kind = RF_ROUTE_API_ROOT, .root = root, .nroot = 1 },
    { .pattern = "api/items/", .view = &items, .name_suffix = "List",
      .by_method = { [RF_GET] = &a_plain, [RF_POST] = &a_plain } },
    { .pattern = "api/items/{pk:lookup}/", .view = &items, .name_suffix = "Instance",
      .detail = true, .by_method = { [RF_GET] = &a_lookup, [RF_PUT] = &a_lookup,
                                     [RF_DELETE] = &a_lookup } },
    { .pattern = "api/items/{pk:lookup}/publish/", .view = &items, .view_name = "Publish",
      .detail = true, .by_method = { [RF_POST] = &a_lookup } },
    { .pattern = "int/{n:int}/", .view = &api, .by_method = { [RF_GET] = &a_int } },
    { .pattern = "slug/{s:slug}/", .view = &api, .by_method = { [RF_GET] = &a_slug } },
    { .pattern = "uuid/{u:uuid}/", .view = &api, .by_method = { [RF_GET] = &a_uuid } },
    { .pattern = "code/{code:re:[A-Z]{2}-\\d+}/", .view = &api,
      .by_method = { [RF_GET] = &a_code } },
    { .pattern = "v{n:int}/ping/", .view = &api, .by_method = { [RF_GET] = &a_int } },
    { .pattern = "files/{name}.txt", .view = &api, .by_method = { [RF_GET] = &a_str } },
};

static const rf_app app = {
    .abi = RF_ABI_VERSION, .name = "fuzz", .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0], .num_proxies = -1,
};

static void check_redirect(const rf_ctx *ctx, const char *target)
{
    const char *location = rf_test_header(ctx, "Location");
    size_t plen = strcspn(target, "?");
    if (!location || strncmp(location, target, plen) != 0 || location[plen] != '/')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rf_test_env *env;
    if (!env)
        env = rf_test_env_new(&app, 1);
    if (size == 0)
        return 0;
    size_t n = strnlen((const char *)data + 1, size - 1);
    char *target = malloc(n + 2);
    target[0] = '/';
    memcpy(target + 1, data + 1, n);
    target[n + 1] = '\0';
    const char *t = target[1] == '/' ? target + 1 : target;
    rf_ctx *ctx = rf_test_dispatch(env, &(rf_test_request){
        .method = (rf_method)(data[0] % RF_METHOD_COUNT), .target = t });
    int status = rf_test_status(ctx);
    if (status == 301)
        check_redirect(ctx, t);
    else if (status != 200 && status != 404 && status != 405)
        abort();
    rf_test_ctx_free(ctx);
    free(target);
    return 0;
}
