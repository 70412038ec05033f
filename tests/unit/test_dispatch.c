/* The dispatch state machine: DRF's order of stages, the authentication
 * chain, 405 after the checks, HEAD and OPTIONS, the API root, redirects,
 * and the request's single response. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "testing.h"

static char trace[256];

static void note(const char *what)
{
    if (trace[0])
        strcat(trace, ",");
    strcat(trace, what);
}

static void resume_later(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rf_resume(arg, RF_OK);
}

static rf_rc later(rf_ctx *ctx)
{
    event_base_once(rf_ctx_base(ctx), -1, EV_TIMEOUT, resume_later, ctx,
                    &(struct timeval){ 0, 1000 });
    return RF_PENDING;
}

/* Authenticators: "A-pass" (async, not attempted), "B-user" (blocking,
 * authenticates when X-User is set), "C-fail" (sync, fails when
 * X-Fail is set). */
static rf_rc a_pass(rf_ctx *ctx)
{
    note("a");
    return later(ctx);
}

static rf_rc b_user(rf_ctx *ctx)
{
    note("b");
    const char *name = rf_ctx_header(ctx, "X-User");
    if (name)
        rf_ctx_set_user(ctx, &(rf_user){ .id = 1, .username = name, .is_active = true });
    return RF_OK;
}

static rf_rc c_fail(rf_ctx *ctx)
{
    note("c");
    return rf_ctx_header(ctx, "X-Fail") ? rf_auth_failed(ctx, "Nope.") : RF_OK;
}

static const rf_authenticator auth_a = { "A", "A realm", { "a_pass", RF_ASYNC, { .ctx = a_pass } } };
static const rf_authenticator auth_b = { "B", NULL, { "b_user", RF_BLOCKING, { .ctx = b_user } } };
static const rf_authenticator auth_c = { "C", NULL, { "c_fail", RF_SYNC, { .ctx = c_fail } } };
static const rf_authenticator *const chain[] = { &auth_a, &auth_c, &auth_b };

static rf_rc perm_hook(rf_ctx *ctx)
{
    note("perm");
    return rf_ctx_header(ctx, "X-Deny") ? RF_ERROR : RF_OK;
}
static const rf_permission recorded = {
    .name = "Recorded", .has_permission_set = true,
    .has_permission = { "perm_hook", RF_SYNC, { .ctx = perm_hook } },
};
static const rf_perm_expr recorded_expr = { .op = RF_P_LEAF, .leaf = &recorded };
static const rf_perm_expr *const perms[] = { &recorded_expr };

static rf_rc handler(rf_ctx *ctx)
{
    note("handler");
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_printf(b, "{\"user\":\"%s\"}", rf_ctx_user(ctx) ? rf_ctx_user(ctx)->username : "");
    return rf_respond_json(ctx, 200, b);
}

static rf_rc async_handler(rf_ctx *ctx)
{
    note("async");
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "[]");
    rf_respond_json(ctx, 201, b);
    return later(ctx);
}

static rf_rc silent_handler(rf_ctx *ctx)
{
    (void)ctx;
    return RF_OK;
}

static rf_rc hungry_handler(rf_ctx *ctx)
{
    rf_alloc(rf_ctx_arena(ctx), 1 << 20);
    return rf_respond_empty(ctx, 204);
}

#define ACT(var, fn, form) static const rf_action var = { .name = #fn, \
    .handler = { #fn, form, { .ctx = fn } }, .permissions = perms, .npermissions = 1 }
ACT(get_act, handler, RF_SYNC);
ACT(post_act, async_handler, RF_ASYNC);
ACT(silent_act, silent_handler, RF_BLOCKING);
ACT(hungry_act, hungry_handler, RF_SYNC);

static const rf_view view = {
    .name = "ThingsViewSet", .description = "Things.", .kind = RF_VIEW_VIEWSET,
    .authenticators = chain, .nauthenticators = 3,
};
static const rf_view quiet = { .name = "QuietView", .kind = RF_VIEW_API };
static const rf_root_entry root[] = { { "things", "api/things/" } };

static const rf_route routes[] = {
    { .pattern = "api/", .kind = RF_ROUTE_API_ROOT, .root = root, .nroot = 1 },
    { .pattern = "api/things/", .view = &view, .name_suffix = "List",
      .by_method = { [RF_GET] = &get_act, [RF_POST] = &post_act } },
    { .pattern = "silent/", .view = &quiet, .by_method = { [RF_GET] = &silent_act } },
    { .pattern = "hungry/", .view = &quiet, .by_method = { [RF_GET] = &hungry_act } },
};
static const rf_app app = {
    .abi = RF_ABI_VERSION, .name = "d", .routes = routes, .nroutes = 4, .num_proxies = -1,
};

static rf_test_env *env;
static void setup(void)
{
    trace[0] = '\0';
    env = rf_test_env_new(&app, 2);
}
static void teardown(void) { rf_test_env_free(env); }

static rf_ctx *dispatch(rf_method m, const char *target, const char *header)
{
    const char *headers[] = { header, NULL };
    return rf_test_dispatch(env, &(rf_test_request){
        .method = m, .target = target, .headers = header ? headers : NULL });
}

static void assert_response(rf_ctx *ctx, int status, const char *body, const char *allow)
{
    ck_assert(rf_test_sent(ctx));
    ck_assert_int_eq(rf_test_status(ctx), status);
    ck_assert_str_eq(rf_test_body(ctx), body);
    if (allow)
        ck_assert_str_eq(rf_test_header(ctx, "Allow"), allow);
    else
        ck_assert_ptr_null(rf_test_header(ctx, "Allow"));
    rf_test_ctx_free(ctx);
}

START_TEST(stages_run_in_drf_order)
{
    assert_response(dispatch(RF_GET, "/api/things/", "X-User: ann"), 200, "{\"user\":\"ann\"}",
                    "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(trace, "a,c,b,perm,handler");
}
END_TEST

START_TEST(anonymous_after_the_whole_chain)
{
    assert_response(dispatch(RF_GET, "/api/things/", NULL), 200, "{\"user\":\"\"}",
                    "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(trace, "a,c,b,perm,handler");
}
END_TEST

START_TEST(a_failing_authenticator_stops_everything)
{
    rf_ctx *ctx = dispatch(RF_GET, "/api/things/", "X-Fail: 1");
    ck_assert_str_eq(rf_test_header(ctx, "WWW-Authenticate"), "A realm");
    assert_response(ctx, 401, "{\"detail\":\"Nope.\"}", "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(trace, "a,c");
}
END_TEST

START_TEST(denied_before_405)
{
    assert_response(dispatch(RF_DELETE, "/api/things/", "X-Deny: 1"), 401,
                    "{\"detail\":\"Authentication credentials were not provided.\"}",
                    "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(trace, "a,c,b,perm");
    trace[0] = '\0';
    assert_response(dispatch(RF_DELETE, "/api/things/", NULL), 405,
                    "{\"detail\":\"Method \\\"DELETE\\\" not allowed.\"}",
                    "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(trace, "a,c,b,perm");
}
END_TEST

START_TEST(async_handler_and_head)
{
    assert_response(dispatch(RF_POST, "/api/things/", NULL), 201, "[]", "GET, POST, HEAD, OPTIONS");
    trace[0] = '\0';
    assert_response(dispatch(RF_HEAD, "/api/things/", NULL), 200, "{\"user\":\"\"}",
                    "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(trace, "a,c,b,perm,handler");
}
END_TEST

START_TEST(options_is_metadata_after_the_checks)
{
    assert_response(dispatch(RF_OPTIONS, "/api/things/", NULL), 200,
                    "{\"name\":\"Things List\",\"description\":\"Things.\","
                    "\"renders\":[\"application/json\"],\"parses\":[\"application/json\","
                    "\"application/x-www-form-urlencoded\",\"multipart/form-data\"]}",
                    "GET, POST, HEAD, OPTIONS");
    ck_assert_str_eq(trace, "a,c,b,perm");
}
END_TEST

START_TEST(handler_without_a_response_is_500)
{
    assert_response(dispatch(RF_GET, "/silent/", NULL), 500,
                    "{\"detail\":\"A server error occurred.\"}", "GET, HEAD, OPTIONS");
}
END_TEST

START_TEST(exhausted_arena_is_503)
{
    rf_test_env_config(env)->max_request_memory = 256 * 1024;
    assert_response(dispatch(RF_GET, "/hungry/", NULL), 503,
                    "{\"detail\":\"Service temporarily unavailable, try again later.\"}",
                    "GET, HEAD, OPTIONS");
}
END_TEST

START_TEST(not_found_and_append_slash)
{
    assert_response(dispatch(RF_GET, "/nope/", NULL), 404, "{\"detail\":\"Not found.\"}", NULL);
    rf_ctx *ctx = dispatch(RF_GET, "/api/things?x=%20", NULL);
    ck_assert_str_eq(rf_test_header(ctx, "Location"), "/api/things/?x=%20");
    ck_assert_str_eq(rf_test_header(ctx, "Content-Type"), "text/html; charset=utf-8");
    assert_response(ctx, 301, "", NULL);
    ck_assert_str_eq(trace, "");
}
END_TEST

START_TEST(api_root)
{
    assert_response(dispatch(RF_GET, "/api/", "Host: h"), 200,
                    "{\"things\":\"http://h/api/things/\"}", "GET, HEAD, OPTIONS");
    assert_response(dispatch(RF_POST, "/api/", NULL), 405,
                    "{\"detail\":\"Method \\\"POST\\\" not allowed.\"}", "GET, HEAD, OPTIONS");
}
END_TEST

Suite *make_dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("order");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stages_run_in_drf_order);
    tcase_add_test(tc, anonymous_after_the_whole_chain);
    tcase_add_test(tc, a_failing_authenticator_stops_everything);
    tcase_add_test(tc, denied_before_405);
    tcase_add_test(tc, async_handler_and_head);
    tcase_add_test(tc, options_is_metadata_after_the_checks);
    tcase_add_test(tc, handler_without_a_response_is_500);
    tcase_add_test(tc, exhausted_arena_is_503);
    tcase_add_test(tc, not_found_and_append_slash);
    tcase_add_test(tc, api_root);
    suite_add_tcase(s, tc);
    return s;
}
