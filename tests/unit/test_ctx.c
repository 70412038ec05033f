/* The request context: accessors, client address, absolute URLs, arena
 * reuse; the hook runner in its three forms and the sync bridge. */
#include <check.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "testing.h"

static rf_test_env *env;
static void setup(void) { env = rf_test_env_new(NULL, 2); }
static void teardown(void) { rf_test_env_free(env); }

static rf_ctx *ctx_for(const char *target, const char *const *headers)
{
    return rf_test_ctx(env, &(rf_test_request){ .target = target, .headers = headers });
}

START_TEST(query_parameters_as_query_dict)
{
    rf_ctx *ctx = ctx_for("/p/?page=1&q=a+b&page=2&flag&e=%C3%A9", NULL);
    ck_assert_str_eq(rf_ctx_query(ctx, "page"), "2");   /* the last value */
    ck_assert_str_eq(rf_ctx_query(ctx, "q"), "a b");
    ck_assert_str_eq(rf_ctx_query(ctx, "flag"), "");
    ck_assert_str_eq(rf_ctx_query(ctx, "e"), "\xC3\xA9");
    ck_assert_ptr_null(rf_ctx_query(ctx, "missing"));
    ck_assert_int_eq(rf_ctx_query_count(ctx), 5);
    const char *name, *value;
    rf_ctx_query_at(ctx, 2, &name, &value);
    ck_assert_str_eq(name, "page");
    ck_assert_str_eq(value, "2");
    ck_assert_str_eq(rf_ctx_raw_query(ctx), "page=1&q=a+b&page=2&flag&e=%C3%A9");
    ck_assert_str_eq(rf_ctx_path(ctx), "/p/");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(headers_kwargs_vars_user)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .headers = (const char *[]){ "X-Api-Key:  k1", NULL },
        .kwargs = (const char *[]){ "pk", "7", "slug", "a-b", NULL } });
    ck_assert_str_eq(rf_ctx_header(ctx, "x-api-key"), "k1");
    ck_assert_ptr_null(rf_ctx_header(ctx, "Authorization"));
    ck_assert_str_eq(rf_ctx_kwarg(ctx, "slug"), "a-b");
    ck_assert_ptr_null(rf_ctx_kwarg(ctx, "id"));
    static int one = 1, two = 2;
    rf_ctx_set_var(ctx, "k", &one);
    rf_ctx_set_var(ctx, "k", &two);
    ck_assert_ptr_eq(rf_ctx_var(ctx, "k"), &two);
    ck_assert_ptr_null(rf_ctx_user(ctx));
    char name[] = "alice";
    rf_ctx_set_user(ctx, &(rf_user){ .id = 3, .username = name, .is_active = true });
    name[0] = 'X';   /* the context keeps its own copy */
    ck_assert_str_eq(rf_ctx_user(ctx)->username, "alice");
    ck_assert_int_eq(rf_ctx_user(ctx)->id, 3);
    rf_ctx_set_user(ctx, NULL);
    ck_assert_ptr_null(rf_ctx_user(ctx));
    rf_test_ctx_free(ctx);
}
END_TEST

/* BaseThrottle.get_ident, for NUM_PROXIES None, 0, 1 and 2. */
static const char *ident(int num_proxies, const char *xff)
{
    static char out[64];
    rf_app app = { .abi = RF_ABI_VERSION, .name = "t", .num_proxies = num_proxies };
    rf_test_env *e = rf_test_env_new(&app, 1);
    char header[128];
    snprintf(header, sizeof header, "X-Forwarded-For: %s", xff ? xff : "");
    rf_ctx *ctx = rf_test_ctx(e, &(rf_test_request){
        .peer = "10.0.0.9", .headers = xff ? (const char *[]){ header, NULL } : NULL });
    snprintf(out, sizeof out, "%s", rf_ctx_client_ip(ctx));
    rf_test_ctx_free(ctx);
    rf_test_env_free(e);
    return out;
}

START_TEST(client_ip_as_drf_get_ident)
{
    ck_assert_str_eq(ident(-1, NULL), "10.0.0.9");
    ck_assert_str_eq(ident(-1, "1.1.1.1, 2.2.2.2"), "1.1.1.1,2.2.2.2");
    ck_assert_str_eq(ident(0, "1.1.1.1"), "10.0.0.9");
    ck_assert_str_eq(ident(1, "1.1.1.1, 2.2.2.2 "), "2.2.2.2");
    ck_assert_str_eq(ident(2, "1.1.1.1, 2.2.2.2"), "1.1.1.1");
    ck_assert_str_eq(ident(5, "1.1.1.1, 2.2.2.2"), "1.1.1.1");
    ck_assert_str_eq(ident(1, NULL), "10.0.0.9");
}
END_TEST

START_TEST(absolute_urls_from_the_host_header)
{
    rf_ctx *ctx = ctx_for("/api/a%20b/~x/?page=2&q=%C3%A9",
                          (const char *[]){ "Host: example.com:8080", NULL });
    ck_assert_str_eq(rf_ctx_absolute_url(ctx, "/api/"), "http://example.com:8080/api/");
    ck_assert_str_eq(rf_ctx_absolute_url(ctx, NULL),
                     "http://example.com:8080/api/a%20b/~x/?page=2&q=%C3%A9");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(arenas_are_reused)
{
    rf_worker *w = rf_test_env_worker(env);
    rf_ctx *ctx = ctx_for("/", NULL);
    rf_arena *a = rf_ctx_arena(ctx);
    ck_assert_uint_eq(w->live, 1);
    rf_test_ctx_free(ctx);
    ck_assert_uint_eq(w->live, 0);
    ctx = ctx_for("/", NULL);
    ck_assert_ptr_eq(rf_ctx_arena(ctx), a);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(responses_last_setting_wins_and_finalize_adds_headers)
{
    rf_ctx *ctx = ctx_for("/", NULL);
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"a\":[1,2]}");
    rf_respond_json(ctx, 200, b);
    ck_assert_int_eq(rf_error(ctx, 409, "Conflict \"here\"."), RF_ERROR);
    rf_ctx_add_header(ctx, "Retry-After", "3");
    ctx->indent = 2;
    rf_test_finalize(ctx);
    ck_assert(rf_test_sent(ctx));
    ck_assert_int_eq(rf_test_status(ctx), 409);
    ck_assert_str_eq(rf_test_body(ctx), "{\n  \"detail\": \"Conflict \\\"here\\\".\"\n}");
    ck_assert_str_eq(rf_test_header(ctx, "content-type"), "application/json");
    ck_assert_str_eq(rf_test_header(ctx, "Retry-After"), "3");
    rf_test_ctx_free(ctx);

    ctx = ctx_for("/", NULL);
    rf_respond_empty(ctx, 204);
    rf_test_finalize(ctx);
    ck_assert_int_eq(rf_test_status(ctx), 204);
    ck_assert_ptr_null(rf_test_header(ctx, "Content-Type"));
    ck_assert_uint_eq(rf_test_body_len(ctx), 0);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(no_response_is_500_and_exhausted_arena_is_503)
{
    rf_ctx *ctx = ctx_for("/", NULL);
    rf_test_finalize(ctx);
    ck_assert_int_eq(rf_test_status(ctx), 500);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"A server error occurred.\"}");
    rf_test_ctx_free(ctx);

    rf_test_env *limited = rf_test_env_new(NULL, 1);
    rf_test_env_config(limited)->max_request_memory = 64 * 1024;
    ctx = rf_test_ctx(limited, &(rf_test_request){ .target = "/" });
    rf_alloc(rf_ctx_arena(ctx), 100 * 1024);
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{}");
    rf_respond_json(ctx, 200, b);
    rf_test_finalize(ctx);
    ck_assert_int_eq(rf_test_status(ctx), 503);
    ck_assert_str_eq(rf_test_body(ctx),
                     "{\"detail\":\"Service temporarily unavailable, try again later.\"}");
    rf_test_ctx_free(ctx);
    rf_test_env_free(limited);
}
END_TEST

/* ---------------------------------------------------------------------
 * Hooks.
 */
static pthread_t loop_thread;
static bool ran_on_loop;

static rf_rc sync_hook(rf_ctx *ctx)
{
    ran_on_loop = pthread_equal(pthread_self(), loop_thread);
    return rf_error(ctx, 403, "no");
}

static rf_rc blocking_hook(rf_ctx *ctx)
{
    ran_on_loop = pthread_equal(pthread_self(), loop_thread);
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "[1]");
    return rf_respond_json(ctx, 200, b);
}

static void later(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rf_resume(arg, RF_OK);
}

static rf_rc async_hook(rf_ctx *ctx)
{
    ran_on_loop = pthread_equal(pthread_self(), loop_thread);
    event_base_once(rf_ctx_base(ctx), -1, EV_TIMEOUT, later, ctx, &(struct timeval){ 0, 1000 });
    return RF_PENDING;
}

static rf_rc lying_sync_hook(rf_ctx *ctx)
{
    (void)ctx;
    return RF_PENDING;
}

static int k_calls;
static rf_rc k_rc;
static void k(rf_ctx *ctx, rf_rc rc)
{
    k_calls++;
    k_rc = rc;
    rf_resume(ctx, rc);   /* on to the test's outermost continuation */
}

static rf_rc run_hook(const rf_hook *h, rf_ctx **out)
{
    loop_thread = pthread_self();
    k_calls = 0;
    rf_ctx *ctx = ctx_for("/", NULL);
    rf_rc rc = rf_test_wait(env, ctx, rf_run_hook_ctx(ctx, h, k));
    *out = ctx;
    return rc;
}

START_TEST(sync_hook_runs_on_the_loop_and_answers_directly)
{
    rf_hook h = { "sync_hook", RF_SYNC, { .ctx = sync_hook } };
    rf_ctx *ctx;
    ck_assert_int_eq(run_hook(&h, &ctx), RF_ERROR);
    ck_assert(ran_on_loop);
    ck_assert_int_eq(k_calls, 0);
    ck_assert_int_eq(rf_test_status(ctx), 403);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(blocking_hook_runs_on_a_pool_thread)
{
    rf_hook h = { "blocking_hook", RF_BLOCKING, { .ctx = blocking_hook } };
    rf_ctx *ctx;
    ck_assert_int_eq(run_hook(&h, &ctx), RF_OK);
    ck_assert(!ran_on_loop);
    ck_assert_int_eq(k_calls, 1);
    ck_assert_str_eq(rf_test_body(ctx), "[1]");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(async_hook_resumes_through_k)
{
    rf_hook h = { "async_hook", RF_ASYNC, { .ctx = async_hook } };
    rf_ctx *ctx;
    ck_assert_int_eq(run_hook(&h, &ctx), RF_OK);
    ck_assert(ran_on_loop);
    ck_assert_int_eq(k_calls, 1);
    ck_assert_int_eq(k_rc, RF_OK);
    rf_test_ctx_free(ctx);
}
END_TEST

static void respond_and_resume(rf_ctx *ctx, rf_rc rc)
{
    rf_respond_empty(ctx, 204);
    rf_resume(ctx, rc);
}

/* An async hook whose step finished at once still ends through rf_resume. */
static rf_rc chaining_hook(rf_ctx *ctx)
{
    return rf_then(ctx, RF_OK, respond_and_resume);
}

START_TEST(rf_then_continues_a_step_that_finished_at_once)
{
    rf_hook h = { "chaining_hook", RF_ASYNC, { .ctx = chaining_hook } };
    rf_ctx *ctx;
    ck_assert_int_eq(run_hook(&h, &ctx), RF_OK);
    ck_assert_int_eq(k_calls, 1);
    ck_assert_int_eq(rf_test_status(ctx), 204);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(pending_from_a_sync_hook_is_a_500)
{
    rf_hook h = { "lying_sync_hook", RF_SYNC, { .ctx = lying_sync_hook } };
    rf_ctx *ctx;
    ck_assert_int_eq(run_hook(&h, &ctx), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 500);
    rf_test_ctx_free(ctx);
}
END_TEST

/* The sync bridge: a blocking hook waits for an async operation. */
static rf_rc start_async(rf_ctx *ctx, void *arg, rf_cont cont)
{
    ck_assert(pthread_equal(pthread_self(), loop_thread));
    *(int *)arg += 1;
    rf_push_cont(ctx, cont);
    event_base_once(rf_ctx_base(ctx), -1, EV_TIMEOUT, later, ctx, &(struct timeval){ 0, 1000 });
    return RF_PENDING;
}

static rf_rc start_done_at_once(rf_ctx *ctx, void *arg, rf_cont cont)
{
    (void)cont;
    *(int *)arg += 10;
    return rf_error(ctx, 400, "bad");
}

static rf_rc bridging_hook(rf_ctx *ctx)
{
    static int calls;
    calls = 0;
    rf_rc a = rf_sync_call(ctx, start_async, &calls);
    rf_rc b = rf_sync_call(ctx, start_done_at_once, &calls);
    return a == RF_OK && b == RF_ERROR && calls == 11 ? rf_respond_empty(ctx, 204)
                                                      : rf_error(ctx, 500, "bridge");
}

START_TEST(sync_bridge_waits_for_the_loop)
{
    rf_hook h = { "bridging_hook", RF_BLOCKING, { .ctx = bridging_hook } };
    rf_ctx *ctx;
    run_hook(&h, &ctx);
    ck_assert_int_eq(rf_test_status(ctx), 204);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(sync_bridge_refuses_the_loop_thread)
{
    int calls = 0;
    rf_ctx *ctx = ctx_for("/", NULL);
    ck_assert_int_eq(rf_sync_call(ctx, start_done_at_once, &calls), RF_ERROR);
    ck_assert_int_eq(calls, 0);
    ck_assert_int_eq(rf_test_status(ctx), 500);
    rf_test_ctx_free(ctx);
}
END_TEST

Suite *make_ctx_suite(void)
{
    Suite *s = suite_create("ctx");
    TCase *tc = tcase_create("accessors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, query_parameters_as_query_dict);
    tcase_add_test(tc, headers_kwargs_vars_user);
    tcase_add_test(tc, client_ip_as_drf_get_ident);
    tcase_add_test(tc, absolute_urls_from_the_host_header);
    tcase_add_test(tc, arenas_are_reused);
    tcase_add_test(tc, responses_last_setting_wins_and_finalize_adds_headers);
    tcase_add_test(tc, no_response_is_500_and_exhausted_arena_is_503);
    suite_add_tcase(s, tc);
    tc = tcase_create("hooks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sync_hook_runs_on_the_loop_and_answers_directly);
    tcase_add_test(tc, blocking_hook_runs_on_a_pool_thread);
    tcase_add_test(tc, async_hook_resumes_through_k);
    tcase_add_test(tc, rf_then_continues_a_step_that_finished_at_once);
    tcase_add_test(tc, pending_from_a_sync_hook_is_a_500);
    tcase_add_test(tc, sync_bridge_waits_for_the_loop);
    tcase_add_test(tc, sync_bridge_refuses_the_loop_thread);
    suite_add_tcase(s, tc);
    return s;
}
