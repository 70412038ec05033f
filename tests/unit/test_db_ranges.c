/*
 * test_db_ranges.c: the column ranges Django gives integer model fields on
 * PostgreSQL (connection.ops.integer_field_range, appended to the model
 * field's validators unless its own are as tight), which DRF's
 * ModelSerializer turns into the built field's max_value / min_value: the
 * validation messages and the OPTIONS limits with db_ranges (the default
 * database is PostgreSQL) and without (SQLite: no range), against what
 * DRF 3.14 on Django 3.2's postgresql and sqlite3 backends answers
 * (tests/vectors/db_ranges.json, gen_db_ranges.py).
 */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "restflow.h"
#include "serializer.h"
#include "vectors.h"

#define VECTORS "tests/vectors/db_ranges.json"

#define NO_LIMITS .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1

/* gen_db_ranges.py's RangeSerializer, as rflowc emits it: fields built
 * from i = IntegerField(), b = BigIntegerField(), own = IntegerField(
 * max_value = 100), loose = IntegerField(max_value = 1000000000000), and a
 * field declared on the serializer, `declared = IntegerField()` (no
 * RF_SF_DB_RANGE: DRF adds no range to it). */
static const rf_sfield range_fields[] = {
    { .name = "i", .label = "I", .type = RF_F_INTEGER,
      .flags = RF_SF_REQUIRED | RF_SF_DB_RANGE, .limits = { NO_LIMITS }, .index = 0,
      .offset = 8 },
    { .name = "b", .label = "B", .type = RF_F_BIGINTEGER,
      .flags = RF_SF_REQUIRED | RF_SF_DB_RANGE, .limits = { NO_LIMITS }, .index = 1,
      .offset = 16 },
    { .name = "own", .label = "Own", .type = RF_F_INTEGER,
      .flags = RF_SF_REQUIRED | RF_SF_DB_RANGE, .limits = { NO_LIMITS, .max_value = "100" },
      .index = 2, .offset = 24 },
    { .name = "loose", .label = "Loose", .type = RF_F_INTEGER,
      .flags = RF_SF_REQUIRED | RF_SF_DB_RANGE,
      .limits = { NO_LIMITS, .max_value = "1000000000000" }, .index = 3, .offset = 32 },
    { .name = "declared", .label = "Declared", .type = RF_F_INTEGER,
      .flags = RF_SF_REQUIRED, .limits = { NO_LIMITS }, .index = 4, .offset = 40 },
};
static const rf_serializer range_serializer = {
    .name = "RangeSerializer", .fields = range_fields, .nfields = 5, .rec_size = 48,
};

static json_t *vectors;

static void load_vectors(void)
{
    vectors = load_test_vectors(VECTORS);
}

static void free_vectors(void)
{
    json_decref(vectors);
}

/* The errors of validating the JSON object `input`, rendered. */
static const char *errors_of(rf_arena *a, const char *input, bool db_ranges)
{
    json_t *data = json_loads(input, 0, NULL);
    ck_assert_ptr_nonnull(data);
    rf_vstate *vs = rf_vstate_new(a, &range_serializer, data, false, RF_VM_CREATE);
    vs->db_ranges = db_ranges;
    char rec[48] = { 0 };
    ck_assert(rf_validate_sync(vs, rec));
    rf_buf got;
    rf_buf_init(&got, a, 128);
    rf_verrs_render(&got, vs->errs);
    json_decref(data);
    return got.data;
}

static const char *info_of(rf_arena *a, bool db_ranges)
{
    rf_buf got;
    rf_buf_init(&got, a, 512);
    rf_serializer_info(&got, &range_serializer, db_ranges);
    return got.data;
}

/* Every case of one backend's vectors: the same errors, the same OPTIONS. */
static void check_backend(const char *backend, bool db_ranges)
{
    rf_arena *a = rf_arena_new(0);
    const json_t *cases = json_object_get(vectors, backend);
    ck_assert_ptr_nonnull(cases);
    const char *name;
    json_t *c;
    json_object_foreach((json_t *)cases, name, c) {
        if (strcmp(name, "options") == 0)
            continue;
        ck_assert_msg(strcmp(errors_of(a, json_string_value(json_object_get(c, "in")),
                                       db_ranges),
                             json_string_value(json_object_get(c, "errors"))) == 0,
                      "%s %s: %s", backend, name,
                      errors_of(a, json_string_value(json_object_get(c, "in")), db_ranges));
    }
    ck_assert_str_eq(info_of(a, db_ranges),
                     json_string_value(json_object_get(cases, "options")));
    rf_arena_free(a);
}

START_TEST(postgresql_as_drf_on_postgresql)
{
    check_backend("postgresql", true);
}
END_TEST

START_TEST(sqlite_as_drf_on_sqlite)
{
    check_backend("sqlite3", false);
}
END_TEST

/* Past int64 on SQLite DRF validates and the database then fails; restflow
 * cannot hold the value and refuses it (docs/differential.md, deliberate
 * 6).  On PostgreSQL BigIntegerField's range refuses it first (vectors). */
START_TEST(sqlite_past_int64_is_not_an_integer)
{
    rf_arena *a = rf_arena_new(0);
    ck_assert_str_eq(errors_of(a, "{\"i\":0,\"b\":\"9223372036854775808\",\"own\":0,"
                                  "\"loose\":0,\"declared\":0}", false),
                     "{\"b\":[\"A valid integer is required.\"]}");
    rf_arena_free(a);
}
END_TEST

Suite *make_db_ranges_suite(void)
{
    Suite *s = suite_create("db_ranges");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, load_vectors, free_vectors);
    tcase_add_test(tc, postgresql_as_drf_on_postgresql);
    tcase_add_test(tc, sqlite_as_drf_on_sqlite);
    tcase_add_test(tc, sqlite_past_int64_is_not_an_integer);
    suite_add_tcase(s, tc);
    return s;
}
