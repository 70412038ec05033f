/*
 * test_redis_store.c: the Redis throttle store against a real redis-server
 * (tests/ecosystem/run_redis.py starts one and passes its URL in
 * RESTFLOW_TEST_REDIS).
 *
 * The store must answer exactly as the in-process store does: DRF's
 * timelines (tests/vectors/policy.json) replayed through it, whole
 * throttle checks through the dispatcher's path, and a long random
 * sequence compared verdict for verdict with the memory store.  Then what
 * only a remote store has: prefixed keys with DRF's expiry, a flushed
 * script cache, and 503 when Redis is unreachable or silent.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../unit/policy_test.h"

static const char *redis_url(void)
{
    const char *url = getenv("RESTFLOW_TEST_REDIS");
    ck_assert_msg(url != NULL, "RESTFLOW_TEST_REDIS is not set (run tests/ecosystem/run_redis.py)");
    return url;
}

/* A plain blocking connection, to look at what the store wrote. */
static redisContext *inspect(void)
{
    const char *url = redis_url();
    const char *colon = strrchr(url, ':');
    redisContext *c = redisConnect("127.0.0.1", atoi(colon + 1));
    ck_assert_msg(c && !c->err, "cannot connect to %s", url);
    return c;
}

static rf_test_env *env;

static void setup(void)
{
    env = rf_test_env_new(NULL, 1);
}

static void teardown(void)
{
    rf_test_env_free(env);
}

static rf_throttle_store *redis_store(const char *url)
{
    char err[256];
    rf_throttle_store *s = rf_throttle_store_redis(rf_test_env_base(env), url, "test",
                                                   err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

/* One allow() through the loop: the wait, or -2 when the store failed (the
 * context then holds the error). */
typedef struct verdict {
    bool done;
    double wait;
} verdict;

static void on_verdict(rf_ctx *ctx, double wait, void *arg)
{
    verdict *v = arg;
    v->done = true;
    v->wait = rf_test_status(ctx) ? -2 : wait;
}

static double ask(rf_throttle_store *s, rf_ctx *ctx, const char *key, int32_t num,
                  int32_t duration, double now)
{
    verdict v = { false, 0 };
    double wait = -3;
    rf_rc rc = s->allow(s, ctx, key, num, duration, now, &wait, on_verdict, &v);
    if (rc == RF_ERROR)
        return -2;
    if (rc == RF_OK)
        return wait;
    while (!v.done)
        event_base_loop(rf_test_env_base(env), EVLOOP_ONCE);
    return v.wait;
}

static double ask_fresh(rf_throttle_store *s, const char *key, int32_t num, int32_t duration,
                        double now)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    double wait = ask(s, ctx, key, num, duration, now);
    rf_test_ctx_free(ctx);
    return wait;
}

/* A key of its own for each test run, so runs never share a log. */
static const char *unique_key(const char *name)
{
    static char key[128];
    static unsigned counter;
    snprintf(key, sizeof key, "%s_%d_%u", name, (int)getpid(), counter++);
    return key;
}

START_TEST(histories_match_drf)
{
    rf_throttle_store *s = redis_store(redis_url());
    size_t i, k;
    json_t *v, *e;
    json_array_foreach(policy_section("throttle_histories"), i, v) {
        int32_t num, duration;
        ck_assert(rf_throttle_parse_rate(vstr(v, "rate"), &num, &duration));
        char key[128];
        snprintf(key, sizeof key, "%s", unique_key("history"));
        json_array_foreach(json_object_get(v, "events"), k, e) {
            double now = json_number_value(json_object_get(e, "now"));
            double wait = ask_fresh(s, key, num, duration, now);
            double want = vbool(e, "allowed") ? 0 : json_number_value(json_object_get(e, "wait"));
            ck_assert_msg(wait == want, "%s at %g: wait %.17g, DRF %.17g", vstr(v, "rate"), now,
                          wait, want);
        }
    }
    s->close(s);
}
END_TEST

/* Whole checks (every throttle of a view, the 429's text and Retry-After)
 * with the store in the worker, as a server with --throttle-store runs. */
static double fake_now;

static double fake_clock(void)
{
    return fake_now;
}

static const rf_user alice = { .id = 7, .username = "alice", .is_active = true };

static const char *checked_request(const rf_throttle *const *ts, int n, const rf_user *user,
                                   const char *peer)
{
    static char out[160];
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET, .user = user,
                                                        .peer = peer });
    rf_rc rc = rf_test_wait(env, ctx, rf_check_throttles(ctx, ts, n, NULL, rf_resume));
    snprintf(out, sizeof out, "%d %s", rc == RF_OK ? 200 : rf_test_status(ctx),
             rc == RF_OK ? "" : rf_test_body(ctx));
    rf_test_ctx_free(ctx);
    return out;
}

START_TEST(sequences_match_drf)
{
    double (*real_clock)(void) = rf_throttle_clock;
    rf_throttle_clock = fake_clock;
    size_t i, k;
    json_t *v, *e;
    json_array_foreach(policy_section("throttle_sequences"), i, v) {
        char url[512];
        snprintf(url, sizeof url, "%s?prefix=%s:", redis_url(), unique_key("sequence"));
        rf_worker *w = rf_test_env_worker(env);
        w->throttle_store->close(w->throttle_store);
        w->throttle_store = redis_store(url);
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
            const char *got = checked_request(ptrs, n, vstr(e, "user") ? &alice : NULL,
                                              "10.0.0.9");
            char want[160];
            if (vint(e, "status") == 200)
                snprintf(want, sizeof want, "200 ");
            else
                snprintf(want, sizeof want, "429 {\"detail\":\"%s\"}", vstr(e, "detail"));
            ck_assert_msg(strcmp(got, want) == 0, "scenario %zu at %lld: %s, DRF %s", i,
                          vint(e, "now"), got, want);
        }
    }
    rf_throttle_clock = real_clock;
}
END_TEST

/* Verdict for verdict, the memory store's, over a long random sequence:
 * several keys with their own rates, times moving on irregularly. */
START_TEST(random_sequences_match_the_memory_store)
{
    rf_throttle_store *redis = redis_store(redis_url());
    rf_throttle_store *memory = rf_throttle_store_memory();
    static const struct { int32_t num, duration; } rates[] = {
        { 1, 1 }, { 3, 60 }, { 5, 60 }, { 0, 60 }, { 10, 3600 },
    };
    char keys[5][128];
    for (int i = 0; i < 5; i++)
        snprintf(keys[i], sizeof keys[i], "%s", unique_key("random"));
    srand(20261129);
    double now = 5000;
    for (int i = 0; i < 1500; i++) {
        int k = rand() % 5;
        now += (rand() % 4 == 0) ? (rand() % 7000) / 100.0 : (rand() % 100) / 100.0;
        double want = -3;
        memory->allow(memory, NULL, keys[k], rates[k].num, rates[k].duration, now, &want,
                      NULL, NULL);
        double got = ask_fresh(redis, keys[k], rates[k].num, rates[k].duration, now);
        ck_assert_msg(got == want, "step %d, key %d at %.2f: redis %.17g, memory %.17g", i, k,
                      now, got, want);
    }
    memory->close(memory);
    redis->close(redis);
}
END_TEST

START_TEST(keys_are_prefixed_and_expire_as_drf_cache_entries)
{
    rf_throttle_store *s = redis_store(redis_url());
    const char *key = unique_key("throttle_user");
    ck_assert(ask_fresh(s, key, 5, 60, 100) == 0);
    ck_assert(ask_fresh(s, key, 5, 60, 101.5) == 0);
    redisContext *c = inspect();
    redisReply *r = redisCommand(c, "LRANGE restflow:test:%s 0 -1", key);
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq((int)r->elements, 2);
    ck_assert_str_eq(r->element[0]->str, "101.5");      /* newest first, as DRF */
    ck_assert_str_eq(r->element[1]->str, "100");
    freeReplyObject(r);
    r = redisCommand(c, "TTL restflow:test:%s", key);
    ck_assert(r->integer > 0 && r->integer <= 60);
    freeReplyObject(r);
    redisFree(c);
    s->close(s);
}
END_TEST

START_TEST(a_flushed_script_cache_is_refilled)
{
    rf_throttle_store *s = redis_store(redis_url());
    const char *key = unique_key("flush");
    ck_assert(ask_fresh(s, key, 1, 60, 100) == 0);
    redisContext *c = inspect();
    freeReplyObject(redisCommand(c, "SCRIPT FLUSH"));
    redisFree(c);
    ck_assert(ask_fresh(s, key, 1, 60, 110) == 50);
    ck_assert(ask_fresh(s, key, 1, 60, 120) == 40);
    s->close(s);
}
END_TEST

static void assert_unavailable(rf_throttle_store *s)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    ck_assert(ask(s, ctx, unique_key("down"), 1, 60, 100) == -2);
    ck_assert_int_eq(rf_test_status(ctx), 503);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"Service temporarily unavailable.\"}");
    rf_test_ctx_free(ctx);
}

/* A port nobody listens on: bound, then closed. */
static int dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

START_TEST(an_unreachable_redis_answers_503)
{
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", dead_port());
    rf_throttle_store *s = redis_store(url);
    assert_unavailable(s);     /* queued before the connect failed */
    assert_unavailable(s);     /* disconnected: refused at once */
    s->close(s);
}
END_TEST

/* A server that accepts and never answers: the call gives up after the
 * URL's timeout. */
START_TEST(a_silent_redis_answers_503_after_the_timeout)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    char url[96];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0?timeout=50", ntohs(a.sin_port));
    rf_throttle_store *s = redis_store(url);
    assert_unavailable(s);
    s->close(s);
    close(fd);
}
END_TEST

START_TEST(urls_are_checked)
{
    static const char *const good[] = {
        "redis://localhost", "redis://127.0.0.1:6380/2", "redis://:secret@h:1/0",
        "redis://user:p%40ss@h", "redis://[::1]:6379", "redis://h/?prefix=api:&timeout=250",
    };
    static const char *const bad[] = {
        "http://h", "redis://", "redis://h:0", "redis://h:70000", "redis://h/x",
        "redis://h?colour=red", "redis://h?timeout=0", "redis://[::1", "redis://h:12ab",
    };
    char err[256];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(rf_throttle_store_url_check(good[i], err, sizeof err), "%s: %s", good[i], err);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!rf_throttle_store_url_check(bad[i], err, sizeof err), "%s", bad[i]);
}
END_TEST

static Suite *make_redis_store_suite(void)
{
    Suite *s = suite_create("redis_store");
    TCase *tc = tcase_create("redis");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, histories_match_drf);
    tcase_add_test(tc, sequences_match_drf);
    tcase_add_test(tc, random_sequences_match_the_memory_store);
    tcase_add_test(tc, keys_are_prefixed_and_expire_as_drf_cache_entries);
    tcase_add_test(tc, a_flushed_script_cache_is_refilled);
    tcase_add_test(tc, an_unreachable_redis_answers_503);
    tcase_add_test(tc, a_silent_redis_answers_503_after_the_timeout);
    tcase_add_test(tc, urls_are_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(make_redis_store_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
