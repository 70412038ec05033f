/* The router: converters, DefaultRouter's order, Allow, bad patterns. */
#include <check.h>
#include <string.h>

#include "testing.h"

static const rf_action get = { .name = "get" };
static const rf_action post = { .name = "post" };
static const rf_action del = { .name = "delete" };
static const rf_view view = { .name = "Things" };

#define R(pat, ...) { .pattern = pat, .view = &view, .by_method = { __VA_ARGS__ } }

static const rf_route routes[] = {
    R("api/things/", [RF_GET] = &get, [RF_POST] = &post),
    R("api/things/recent/", [RF_GET] = &get),
    R("api/things/{pk:lookup}/", [RF_GET] = &get, [RF_DELETE] = &del),
    R("api/things/{pk:lookup}/publish/", [RF_POST] = &post),
    R("n/{id:int}/", [RF_GET] = &get),
    R("s/{slug:slug}/", [RF_GET] = &get),
    R("u/{id:uuid}/", [RF_GET] = &get),
    R("x/{name}.json", [RF_GET] = &get),
    R("h/{key:re:[0-9a-f]{4}}/", [RF_GET] = &get),
    R("d/{n:re:\\d+}/", [RF_GET] = &get),
    R("", [RF_GET] = &get),
    { .pattern = "f/", .kind = RF_ROUTE_API_ROOT, .format_suffix = true },
    { .pattern = "f/items/", .view = &view, .format_suffix = true, .by_method = { [RF_GET] = &get } },
    { .pattern = "f/items/{pk:lookup}/", .view = &view, .format_suffix = true,
      .by_method = { [RF_GET] = &get } },
};

static const rf_app app = {
    .abi = RF_ABI_VERSION, .name = "t", .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0], .num_proxies = -1,
};

static rf_test_env *env;
static void setup(void) { env = rf_test_env_new(&app, 1); }
static void teardown(void) { rf_test_env_free(env); }

/* Index of the matching route, -1 for none; kwarg `name` into *value. */
static int match(const char *path, const char *name, const char **value)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .target = path });
    const rf_route *r;
    int found = -1;
    if (rf_router_match(rf_test_env_worker(env)->router, ctx, ctx->path, &r))
        found = (int)(r - routes);
    static char kept[64];
    const char *v = name ? rf_ctx_kwarg(ctx, name) : NULL;
    if (value) {
        *value = v ? strncpy(kept, v, sizeof kept - 1) : NULL;
    }
    rf_test_ctx_free(ctx);
    return found;
}

START_TEST(default_router_order_and_lookup)
{
    const char *pk;
    ck_assert_int_eq(match("/api/things/", NULL, NULL), 0);
    ck_assert_int_eq(match("/api/things/recent/", NULL, NULL), 1);
    ck_assert_int_eq(match("/api/things/42/", "pk", &pk), 2);
    ck_assert_str_eq(pk, "42");
    ck_assert_int_eq(match("/api/things/a%20b/publish/", "pk", &pk), 3);
    ck_assert_str_eq(pk, "a b");
    ck_assert_int_eq(match("/api/things/4.2/", NULL, NULL), -1);   /* [^/.]+ */
    ck_assert_int_eq(match("/api/things/1%00/", "pk", &pk), 2);   /* not cut at a NUL */
    ck_assert_str_eq(pk, "1%00");
    ck_assert_int_eq(match("/api/things", NULL, NULL), -1);
    ck_assert_int_eq(match("/api/things/42", NULL, NULL), -1);
    ck_assert_int_eq(match("/api/things/42/x/", NULL, NULL), -1);
    ck_assert_int_eq(match("/api/things//", NULL, NULL), -1);
    ck_assert_int_eq(match("/", NULL, NULL), 10);
}
END_TEST

START_TEST(converters)
{
    const char *v;
    ck_assert_int_eq(match("/n/007/", "id", &v), 4);
    ck_assert_str_eq(v, "007");
    ck_assert_int_eq(match("/n/-1/", NULL, NULL), -1);
    ck_assert_int_eq(match("/s/a-b_C9/", NULL, NULL), 5);
    ck_assert_int_eq(match("/s/a.b/", NULL, NULL), -1);
    ck_assert_int_eq(match("/u/12345678-1234-1234-1234-123456789abc/", NULL, NULL), 6);
    ck_assert_int_eq(match("/u/12345678-1234-1234-1234-123456789ABC/", NULL, NULL), -1);
    ck_assert_int_eq(match("/x/a.b.json", "name", &v), 7);
    ck_assert_str_eq(v, "a.b");
    ck_assert_int_eq(match("/x/.json", NULL, NULL), -1);
    ck_assert_int_eq(match("/h/beef/", "key", &v), 8);
    ck_assert_int_eq(match("/h/beefy/", NULL, NULL), -1);
    ck_assert_int_eq(match("/d/123/", "n", &v), 9);
    ck_assert_int_eq(match("/d/12a/", NULL, NULL), -1);
}
END_TEST

/* DRF's format_suffix_patterns: \.(?P<format>[a-z0-9]+)/?$ instead of the
 * trailing slash; for the API root, after "f/". */
START_TEST(format_suffixes)
{
    const char *fmt;
    ck_assert_int_eq(match("/f/items.json", "format", &fmt), 12);
    ck_assert_str_eq(fmt, "json");
    ck_assert_int_eq(match("/f/items.json/", "format", &fmt), 12);
    ck_assert_int_eq(match("/f/items/", "format", &fmt), 12);
    ck_assert_ptr_null(fmt);
    ck_assert_int_eq(match("/f/items.JSON", NULL, NULL), -1);
    ck_assert_int_eq(match("/f/items.", NULL, NULL), -1);
    ck_assert_int_eq(match("/f/items/7.api", "format", &fmt), 13);
    ck_assert_str_eq(fmt, "api");
    ck_assert_int_eq(match("/f/items/1.5/", "pk", &fmt), 13);   /* pk 1, format 5 */
    ck_assert_str_eq(fmt, "1");
    ck_assert_int_eq(match("/f/.json", "format", &fmt), 11);
    ck_assert_str_eq(fmt, "json");
    ck_assert_int_eq(match("/api/things.json", NULL, NULL), -1);   /* no suffixes there */
}
END_TEST

START_TEST(allow_lists_handled_methods_in_drf_order)
{
    const rf_router *r = rf_test_env_worker(env)->router;
    ck_assert_str_eq(rf_router_allow(r, &routes[0]), "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(rf_router_allow(r, &routes[2]), "GET, DELETE, HEAD, OPTIONS");
    ck_assert_str_eq(rf_router_allow(r, &routes[3]), "POST, OPTIONS");
}
END_TEST

START_TEST(bad_patterns_are_refused)
{
    const char *err;
    ck_assert(!rf_route_pattern_valid("a/{x:bogus}/", &err));
    ck_assert_str_eq(err, "unknown converter");
    ck_assert(!rf_route_pattern_valid("a/{x}{y}/", &err));
    ck_assert(!rf_route_pattern_valid("a/{x/", &err));
    ck_assert(!rf_route_pattern_valid("a/{:int}/", &err));
    ck_assert(!rf_route_pattern_valid("/a/", &err));
    ck_assert(!rf_route_pattern_valid("a/{x:re:(}/", &err));
    ck_assert(rf_route_pattern_valid("a/{x:re:[a-z]{2,3}}/b/", &err));
}
END_TEST

Suite *make_router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("match");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, default_router_order_and_lookup);
    tcase_add_test(tc, converters);
    tcase_add_test(tc, format_suffixes);
    tcase_add_test(tc, allow_lists_handled_methods_in_drf_order);
    tcase_add_test(tc, bad_patterns_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
