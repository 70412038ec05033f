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

#include "policy_internal.h"

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

#endif
