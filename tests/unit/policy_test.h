/*
 * policy_test.h: what the policies' suites share: the vectors that real
 * Django/DRF/django-filter produced (tests/vectors/policy.json, made by
 * gen_policy.py) and a few builders.
 */
#ifndef RF_POLICY_TEST_H
#define RF_POLICY_TEST_H

#include <check.h>
#include <jansson.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "policy_internal.h"
#include "testing.h"

#define POLICY_VECTORS "tests/vectors/policy.json"

/* The vectors, loaded once per process (Check forks per test by default,
 * so each test process loads its own copy). */
static inline json_t *policy_vectors(void)
{
    static json_t *vectors;
    if (!vectors) {
        json_error_t err;
        vectors = json_load_file(POLICY_VECTORS, JSON_ALLOW_NUL, &err);
        if (!vectors)
            ck_abort_msg("cannot load %s: %s (line %d)", POLICY_VECTORS, err.text, err.line);
    }
    return vectors;
}

static inline json_t *policy_section(const char *name)
{
    json_t *list = json_object_get(policy_vectors(), name);
    ck_assert_msg(json_is_array(list) && json_array_size(list) > 0, "no vectors: %s", name);
    return list;
}

static inline const char *vstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* A string member with its length (vectors may hold NULs). */
static inline rf_str vbytes(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return (rf_str){ json_string_value(v), json_string_length(v) };
}

static inline long long vint(const json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

static inline bool vbool(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

/* Compact JSON of a vector value, as DRF's renderer wrote it. */
static inline char *vjson(rf_arena *a, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *copy = rf_strdup(a, s);
    free(s);
    return copy;
}

/* The buffer's text, NUL-terminated. */
static inline const char *buf_text(rf_buf *b)
{
    rf_buf_putc(b, '\0');
    b->len--;
    return b->data;
}

/* Waiting for a continuation-taking call on a test context: pass
 * test_k as the continuation, then test_wait() on what the call returned.
 * (rf_test_wait serves one wait per context; these serve any number.) */
static bool test_k_done;
static rf_rc test_k_rc;

static inline void test_k(rf_ctx *ctx, rf_rc rc)
{
    (void)ctx;
    test_k_done = true;
    test_k_rc = rc;
}

struct event_base;
int event_base_loop(struct event_base *, int);

static inline rf_rc test_wait(struct event_base *base, rf_rc rc)
{
    if (rc != RF_PENDING)
        return rc;
    while (!test_k_done)
        event_base_loop(base, 0x01 /* EVLOOP_ONCE */);
    test_k_done = false;
    return test_k_rc;
}

/* A test environment with database 0 in a fresh SQLite file (a file, not
 * :memory:, so the pool's connections share it), or in the PostgreSQL
 * database $RESTFLOW_TEST_PG names (`make policy-tests-pg` starts one). */
static rf_test_env *policy_env;
static char policy_db_path[64];
static char policy_db_url[512];

static inline void policy_db_exec_done(rf_ctx *ctx, rf_result *res, void *arg)
{
    *(rf_db_error *)arg = rf_result_error(res);
    test_k(ctx, RF_OK);
}

static inline void policy_db_exec(const char *sql, const rf_value *params, int n)
{
    rf_ctx *ctx = rf_test_ctx(policy_env, &(rf_test_request){ .method = RF_GET });
    rf_stmt stmt = { .sql = { sql, sql } };
    rf_db_error err = RF_DB_FAILED;
    test_wait(rf_test_env_base(policy_env),
              rf_db_exec(ctx, rf_ctx_db(ctx, 0), &stmt, params, n, policy_db_exec_done, &err));
    ck_assert_msg(err == RF_DB_OK, "%s", sql);
    rf_test_ctx_free(ctx);
}

static inline void policy_db_open(const char *name)
{
    const char *pg = getenv("RESTFLOW_TEST_PG");
    snprintf(policy_db_path, sizeof policy_db_path, "/tmp/restflow-%s-%d.db", name,
             (int)getpid());
    if (pg && *pg) {
        snprintf(policy_db_url, sizeof policy_db_url, "%s", pg);
    } else {
        unlink(policy_db_path);
        snprintf(policy_db_url, sizeof policy_db_url, "sqlite:%s", policy_db_path);
    }
    policy_env = rf_test_env_new(NULL, 2);
    ck_assert(rf_test_env_open_db(policy_env, 0, policy_db_url));
}

static inline rf_dialect policy_db_dialect(void)
{
    return rf_db_dialect(rf_test_env_db(policy_env, 0));
}

static inline void policy_db_close(void)
{
    rf_test_env_free(policy_env);
    static const char *const suffix[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char path[80];
        snprintf(path, sizeof path, "%s%s", policy_db_path, suffix[i]);
        unlink(path);
    }
}

#endif
