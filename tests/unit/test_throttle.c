/*
 * test_throttle.c: rates, the sliding log and its waits, DRF's get_ident
 * and 429 texts (against tests/vectors/policy.json), the rules for which
 * throttle applies to whom, every throttle recording, and a concurrent
 * burst on the in-process store.
 */
#include <event2/event.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "policy_test.h"
#include "testing.h"

START_TEST(rates_parse_as_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("throttle_rates"), i, v) {
        int32_t num = -7, duration = -7;
        bool ok = rf_throttle_parse_rate(vstr(v, "rate"), &num, &duration);
        bool want = vbool(v, "ok") && vint(v, "num") >= 0;   /* negatives: refused */
        ck_assert_msg(ok == want, "%s", vstr(v, "rate"));
        if (ok) {
            ck_assert_int_eq(num, vint(v, "num"));
            ck_assert_int_eq(duration, vint(v, "duration"));
        }
    }
}
END_TEST

START_TEST(sliding_log_matches_drf_timelines)
{
    size_t i, k;
    json_t *v, *e;
    json_array_foreach(policy_section("throttle_histories"), i, v) {
        rf_throttle_store *s = rf_throttle_store_memory();
        int32_t num, duration;
        ck_assert(rf_throttle_parse_rate(vstr(v, "rate"), &num, &duration));
        json_array_foreach(json_object_get(v, "events"), k, e) {
            double now = json_number_value(json_object_get(e, "now")), wait = -2;
            ck_assert_int_eq(s->allow(s, NULL, "k", num, duration, now, &wait, NULL, NULL), RF_OK);
            if (vbool(e, "allowed"))
                ck_assert_msg(wait == 0, "%s at %g", vstr(v, "rate"), now);
            else
                ck_assert_msg(wait == json_number_value(json_object_get(e, "wait")),
                              "%s at %g: wait %.17g", vstr(v, "rate"), now, wait);
        }
        s->close(s);
    }
}
END_TEST

START_TEST(idents_match_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("idents"), i, v) {
        rf_arena *a = rf_arena_new(0);
        json_t *proxies = json_object_get(v, "num_proxies");
        const char *ident = rf_throttle_ident(a, vstr(v, "xff"), vstr(v, "remote"),
                                              json_is_null(proxies) ? -1 : (int32_t)json_integer_value(proxies));
        ck_assert_str_eq(ident, vstr(v, "ident"));
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(responses_match_drf)
{
    rf_test_env *env = rf_test_env_new(NULL, 1);
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("throttle_waits"), i, v) {
        rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
        json_t *wait = json_object_get(v, "wait");
        ck_assert_int_eq(rf_throttled(ctx, json_is_null(wait) ? -1 : json_number_value(wait)),
                         RF_ERROR);
        ck_assert_int_eq(rf_test_status(ctx), 429);
        char *body = rf_sprintf(rf_ctx_arena(ctx), "{\"detail\":\"%s\"}", vstr(v, "detail"));
        ck_assert_str_eq(rf_test_body(ctx), body);
        const char *retry = rf_test_header(ctx, "Retry-After");
        if (vstr(v, "retry_after"))
            ck_assert_str_eq(retry, vstr(v, "retry_after"));
        else
            ck_assert_ptr_null(retry);
        rf_test_ctx_free(ctx);
    }
    rf_test_env_free(env);
}
END_TEST

/* ---------------------------------------------------------------------
 * Whole checks on a context, with a clock the test moves.
 */
static double fake_now;

static double fake_clock(void)
{
    return fake_now;
}

static rf_test_env *env;
static double (*real_clock)(void);

static void setup(void)
{
    env = rf_test_env_new(NULL, 1);
    real_clock = rf_throttle_clock;
    rf_throttle_clock = fake_clock;
    fake_now = 1000;
}

static void teardown(void)
{
    rf_throttle_clock = real_clock;
    rf_test_env_free(env);
}

static const rf_user alice = { .id = 7, .username = "alice", .is_active = true };

/* Run the throttles for one request; "" when allowed, else the 429's
 * Retry-After. */
static const char *request(const rf_throttle *const *ts, int n, const char *scope,
                           const rf_user *user, const char *peer)
{
    static char out[64];
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET, .user = user,
                                                        .peer = peer });
    rf_rc rc = rf_check_throttles(ctx, ts, n, scope, NULL);
    ck_assert(rc != RF_PENDING);
    snprintf(out, sizeof out, "%s", rc == RF_OK ? "" : rf_test_header(ctx, "Retry-After"));
    if (rc != RF_OK)
        ck_assert_int_eq(rf_test_status(ctx), 429);
    rf_test_ctx_free(ctx);
    return out;
}

static const rf_throttle anon2 = { "Anon", RF_THROTTLE_ANON, "anon", 2, 60 };
static const rf_throttle user1 = { "User", RF_THROTTLE_USER, "user", 1, 60 };
static const rf_throttle burst = { "Burst", RF_THROTTLE_USER, "burst", 1, 10 };
static const rf_throttle sustained = { "Sustained", RF_THROTTLE_USER, "sustained", 3, 3600 };
static const rf_throttle scoped = { "Scoped", RF_THROTTLE_SCOPED, "uploads", 1, 60 };
static const rf_throttle unlimited = { "None", RF_THROTTLE_USER, "user", -1, 0 };

START_TEST(anon_throttle_skips_users_and_keys_by_ip)
{
    const rf_throttle *ts[] = { &anon2 };
    ck_assert_str_eq(request(ts, 1, NULL, NULL, "10.0.0.1"), "");
    ck_assert_str_eq(request(ts, 1, NULL, NULL, "10.0.0.1"), "");
    ck_assert_str_eq(request(ts, 1, NULL, NULL, "10.0.0.1"), "60");
    ck_assert_str_eq(request(ts, 1, NULL, NULL, "10.0.0.2"), "");
    for (int i = 0; i < 5; i++)
        ck_assert_str_eq(request(ts, 1, NULL, &alice, "10.0.0.1"), "");
}
END_TEST

START_TEST(user_throttle_keys_by_id_else_ip)
{
    const rf_throttle *ts[] = { &user1 };
    ck_assert_str_eq(request(ts, 1, NULL, &alice, "10.0.0.1"), "");
    ck_assert_str_eq(request(ts, 1, NULL, &alice, "10.0.0.2"), "60");
    ck_assert_str_eq(request(ts, 1, NULL, NULL, "10.0.0.1"), "");
    ck_assert_str_eq(request(ts, 1, NULL, NULL, "10.0.0.1"), "60");
    fake_now += 59.5;
    ck_assert_str_eq(request(ts, 1, NULL, &alice, "10.0.0.1"), "1");
    fake_now += 0.5;
    ck_assert_str_eq(request(ts, 1, NULL, &alice, "10.0.0.1"), "");
}
END_TEST

START_TEST(scoped_throttle_needs_the_views_scope)
{
    const rf_throttle *ts[] = { &scoped };
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(request(ts, 1, NULL, &alice, NULL), "");
    ck_assert_str_eq(request(ts, 1, "uploads", &alice, NULL), "");
    ck_assert_str_eq(request(ts, 1, "uploads", &alice, NULL), "60");
    ck_assert_str_eq(request(ts, 1, "uploads", NULL, "10.1.1.1"), "");
}
END_TEST

START_TEST(no_rate_allows_everything)
{
    const rf_throttle *ts[] = { &unlimited };
    for (int i = 0; i < 10; i++)
        ck_assert_str_eq(request(ts, 1, NULL, &alice, NULL), "");
}
END_TEST

/* views.check_throttles: every throttle is asked, each allowing one records
 * the request even when another refuses, and the longest wait wins. */
START_TEST(every_throttle_runs_and_the_longest_wait_wins)
{
    const rf_throttle *ts[] = { &burst, &sustained };
    ck_assert_str_eq(request(ts, 2, NULL, &alice, NULL), "");     /* both record */
    fake_now += 1;
    ck_assert_str_eq(request(ts, 2, NULL, &alice, NULL), "9");    /* sustained records */
    fake_now += 1;
    ck_assert_str_eq(request(ts, 2, NULL, &alice, NULL), "8");    /* sustained: 3 of 3 */
    fake_now += 10;
    /* burst would allow, sustained refuses: wait = 3600 - 12 */
    ck_assert_str_eq(request(ts, 2, NULL, &alice, NULL), "3588");
    /* burst recorded that refused request: it refuses now, the longer wait
     * is still sustained's */
    fake_now += 1;
    ck_assert_str_eq(request(ts, 2, NULL, &alice, NULL), "3587");
    const rf_throttle *only_burst[] = { &burst };
    ck_assert_str_eq(request(only_burst, 1, NULL, &alice, NULL), "9");
}
END_TEST

/* Several throttles on one view, replayed against DRF's verdicts. */
START_TEST(sequences_match_drf)
{
    size_t i, k;
    json_t *v, *e;
    json_array_foreach(policy_section("throttle_sequences"), i, v) {
        rf_test_env_free(env);
        env = rf_test_env_new(NULL, 1);    /* a fresh store per scenario */
        json_t *list = json_object_get(v, "throttles");
        rf_throttle ts[4];
        const rf_throttle *ptrs[4];
        int n = (int)json_array_size(list);
        for (int t = 0; t < n; t++) {
            json_t *spec = json_array_get(list, (size_t)t);
            const char *kind = json_string_value(json_array_get(spec, 0));
            ts[t] = (rf_throttle){ .name = "T", .scope = json_string_value(json_array_get(spec, 1)),
                                   .kind = strcmp(kind, "anon") == 0 ? RF_THROTTLE_ANON
                                                                     : RF_THROTTLE_USER };
            ck_assert(rf_throttle_parse_rate(json_string_value(json_array_get(spec, 2)),
                                             &ts[t].num_requests, &ts[t].duration));
            ptrs[t] = &ts[t];
        }
        json_array_foreach(json_object_get(v, "events"), k, e) {
            fake_now = 1000 + json_number_value(json_object_get(e, "now"));
            const char *got = request(ptrs, n, NULL, vstr(e, "user") ? &alice : NULL,
                                      "10.0.0.9");
            const char *want = vstr(e, "retry_after") ? vstr(e, "retry_after") : "";
            ck_assert_msg(strcmp(got, want) == 0, "scenario %zu at %lld: %s, DRF %s", i,
                          vint(e, "now"), got, want);
        }
    }
}
END_TEST

/* A shared store answers later, through the callback: the memory store's
 * verdicts, delivered from the loop. */
typedef struct later_answer {
    rf_ctx *ctx;
    double wait;
    rf_throttle_cb cb;
    void *arg;
} later_answer;

static rf_throttle_store *behind;

static void deliver(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    later_answer *a = arg;
    a->cb(a->ctx, a->wait, a->arg);
}

static rf_rc async_allow(rf_throttle_store *s, rf_ctx *ctx, const char *key, int32_t num,
                         int32_t duration, double now, double *wait, rf_throttle_cb cb,
                         void *arg)
{
    (void)s;
    later_answer *a = rf_calloc(rf_ctx_arena(ctx), sizeof *a);
    *a = (later_answer){ ctx, 0, cb, arg };
    behind->allow(behind, ctx, key, num, duration, now, &a->wait, NULL, NULL);
    (void)wait;
    struct timeval tv = { 0, 1000 };
    event_base_once(rf_ctx_base(ctx), -1, EV_TIMEOUT, deliver, a, &tv);
    return RF_PENDING;
}

START_TEST(a_shared_store_can_answer_later)
{
    static rf_throttle_store async_store = { .allow = async_allow };
    behind = rf_throttle_store_memory();
    rf_throttle_store *own = rf_test_env_worker(env)->throttle_store;
    rf_test_env_worker(env)->throttle_store = &async_store;
    const rf_throttle *ts[] = { &burst, &sustained };
    const char *results[3];
    for (int i = 0; i < 3; i++) {
        rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET, .user = &alice });
        rf_rc rc = test_wait(rf_test_env_base(env), rf_check_throttles(ctx, ts, 2, NULL, test_k));
        ck_assert_int_eq(rf_test_status(ctx), rc == RF_OK ? 0 : 429);
        results[i] = strdup(rc == RF_OK ? "" : rf_test_header(ctx, "Retry-After"));
        rf_test_ctx_free(ctx);
        fake_now += 1;
    }
    ck_assert_str_eq(results[0], "");
    ck_assert_str_eq(results[1], "9");
    ck_assert_str_eq(results[2], "8");
    for (int i = 0; i < 3; i++)
        free((void *)results[i]);
    rf_test_env_worker(env)->throttle_store = own;
    behind->close(behind);
}
END_TEST

/* Concurrent allow() calls on one key: exactly num_requests get through. */
#define THREADS 8
#define CALLS 500
#define LIMIT 1234

static rf_throttle_store *shared;
static atomic_int allowed;

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < CALLS; i++) {
        double wait;
        shared->allow(shared, NULL, "throttle_user_1", LIMIT, 3600, 5000.0 + i * 1e-3, &wait,
                      NULL, NULL);
        if (wait == 0)
            atomic_fetch_add(&allowed, 1);
    }
    return NULL;
}

START_TEST(concurrent_burst_is_exact)
{
    shared = rf_throttle_store_memory();
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, hammer, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(atomic_load(&allowed), LIMIT);
    shared->close(shared);
}
END_TEST

START_TEST(many_keys_expire_and_are_swept)
{
    rf_throttle_store *s = rf_throttle_store_memory();
    double wait;
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "throttle_anon_%d", i);
        s->allow(s, NULL, key, 1, 1, 100.0 + i * 1e-3, &wait, NULL, NULL);
        ck_assert(wait == 0);
    }
    /* An old key has expired: allowed again; a fresh one still refuses. */
    s->allow(s, NULL, "throttle_anon_0", 1, 1, 200.0, &wait, NULL, NULL);
    ck_assert(wait == 0);
    s->allow(s, NULL, "throttle_anon_0", 1, 1, 200.5, &wait, NULL, NULL);
    ck_assert(wait == 0.5);
    s->close(s);
}
END_TEST

Suite *make_throttle_suite(void)
{
    Suite *s = suite_create("throttle");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, rates_parse_as_drf);
    tcase_add_test(tc, sliding_log_matches_drf_timelines);
    tcase_add_test(tc, idents_match_drf);
    tcase_add_test(tc, responses_match_drf);
    tcase_add_test(tc, concurrent_burst_is_exact);
    tcase_add_test(tc, many_keys_expire_and_are_swept);
    suite_add_tcase(s, tc);
    TCase *ctx = tcase_create("requests");
    tcase_add_checked_fixture(ctx, setup, teardown);
    tcase_add_test(ctx, anon_throttle_skips_users_and_keys_by_ip);
    tcase_add_test(ctx, user_throttle_keys_by_id_else_ip);
    tcase_add_test(ctx, scoped_throttle_needs_the_views_scope);
    tcase_add_test(ctx, no_rate_allows_everything);
    tcase_add_test(ctx, every_throttle_runs_and_the_longest_wait_wins);
    tcase_add_test(ctx, sequences_match_drf);
    tcase_add_test(ctx, a_shared_store_can_answer_later);
    suite_add_tcase(s, ctx);
    return s;
}
