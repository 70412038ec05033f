/*
 * test_db_ranges.c: the column ranges Django gives integer model fields on
 * PostgreSQL (connection.ops.integer_field_range, appended to the model
 * field's validators unless its own are as tight), which DRF's
 * ModelSerializer turns into the built field's max_value / min_value: the
 * validation messages and the OPTIONS limits with db_ranges (the default
 * database is PostgreSQL) and without (SQLite: no range).
 *
 * The expectations are DRF 3.14 with Django 3.2's postgresql and sqlite3
 * backends (tests/vectors/gen_db_ranges.py prints them: building the
 * serializer's fields needs no connection).
 */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "restflow.h"
#include "serializer.h"

#define NO_LIMITS .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1

/* gen_db_ranges.py's model: i = IntegerField(), b = BigIntegerField(),
 * own = IntegerField(validators=[MaxValueValidator(100)]), loose =
 * IntegerField(validators=[MaxValueValidator(10**12)]); and a field
 * declared on the serializer, `declared = serializers.IntegerField()`
 * (no RF_SF_DB_RANGE: DRF adds no range to it). */
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

/* One past each end of each range; what DRF says on each backend. */
#define PAST_MAX "{\"i\":2147483648,\"b\":\"9223372036854775808\",\"own\":2147483648," \
                 "\"loose\":2147483648,\"declared\":2147483648}"
#define PAST_MIN "{\"i\":-2147483649,\"b\":\"-9223372036854775809\",\"own\":-2147483649," \
                 "\"loose\":-2147483649,\"declared\":-2147483649}"
#define AT_EDGES "{\"i\":2147483647,\"b\":\"-9223372036854775808\",\"own\":-2147483648," \
                 "\"loose\":-2147483648,\"declared\":0}"

START_TEST(postgresql_refuses_past_the_column_range)
{
    rf_arena *a = rf_arena_new(0);
    ck_assert_str_eq(errors_of(a, PAST_MAX, true),
                     "{\"i\":[\"Ensure this value is less than or equal to 2147483647.\"],"
                     "\"b\":[\"Ensure this value is less than or equal to "
                     "9223372036854775807.\"],"
                     "\"own\":[\"Ensure this value is less than or equal to 100.\"]}");
    ck_assert_str_eq(errors_of(a, PAST_MIN, true),
                     "{\"i\":[\"Ensure this value is greater than or equal to -2147483648.\"],"
                     "\"b\":[\"Ensure this value is greater than or equal to "
                     "-9223372036854775808.\"],"
                     "\"own\":[\"Ensure this value is greater than or equal to "
                     "-2147483648.\"],"
                     "\"loose\":[\"Ensure this value is greater than or equal to "
                     "-2147483648.\"]}");
    ck_assert_str_eq(errors_of(a, AT_EDGES, true), "{}");
    rf_arena_free(a);
}
END_TEST

/* SQLite has no range: only the field's own limits; past int64 is not an
 * integer restflow can store (docs/differential.md, deliberate). */
START_TEST(sqlite_keeps_the_fields_own_limits)
{
    rf_arena *a = rf_arena_new(0);
    ck_assert_str_eq(errors_of(a, PAST_MAX, false),
                     "{\"b\":[\"A valid integer is required.\"],"
                     "\"own\":[\"Ensure this value is less than or equal to 100.\"]}");
    ck_assert_str_eq(errors_of(a, PAST_MIN, false),
                     "{\"b\":[\"A valid integer is required.\"]}");
    ck_assert_str_eq(errors_of(a, AT_EDGES, false), "{}");
    rf_arena_free(a);
}
END_TEST

static const char *info_of(rf_arena *a, bool db_ranges)
{
    rf_buf got;
    rf_buf_init(&got, a, 512);
    rf_serializer_info(&got, &range_serializer, db_ranges);
    return got.data;
}

#define INFO(name, label, limits) \
    "\"" name "\":{\"type\":\"integer\",\"required\":true,\"read_only\":false," \
    "\"label\":\"" label "\"" limits "}"

START_TEST(options_show_the_range_on_postgresql_only)
{
    rf_arena *a = rf_arena_new(0);
    ck_assert_str_eq(
        info_of(a, true),
        "{" INFO("i", "I", ",\"min_value\":-2147483648,\"max_value\":2147483647") ","
        INFO("b", "B", ",\"min_value\":-9223372036854775808,"
                       "\"max_value\":9223372036854775807") ","
        INFO("own", "Own", ",\"min_value\":-2147483648,\"max_value\":100") ","
        INFO("loose", "Loose", ",\"min_value\":-2147483648,\"max_value\":1000000000000") ","
        INFO("declared", "Declared", "") "}");
    ck_assert_str_eq(info_of(a, false),
                     "{" INFO("i", "I", "") "," INFO("b", "B", "") ","
                     INFO("own", "Own", ",\"max_value\":100") ","
                     INFO("loose", "Loose", ",\"max_value\":1000000000000") ","
                     INFO("declared", "Declared", "") "}");
    rf_arena_free(a);
}
END_TEST

Suite *make_db_ranges_suite(void)
{
    Suite *s = suite_create("db_ranges");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, postgresql_refuses_past_the_column_range);
    tcase_add_test(tc, sqlite_keeps_the_fields_own_limits);
    tcase_add_test(tc, options_show_the_range_on_postgresql_only);
    suite_add_tcase(s, tc);
    return s;
}
