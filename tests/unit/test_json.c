/*
 * test_json.c: the JSON writers and calendar helpers against vectors that
 * real DRF 3.14 produced (tests/vectors/json.json, made by gen_json.py).
 * Every comparison is byte for byte.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "restflow.h"
#include "serializer.h"
#include "vectors.h"

#define VECTORS "tests/vectors/json.json"

static json_t *vectors;
static rf_arena *arena;

static void load_vectors(void)
{
    vectors = load_test_vectors(VECTORS);
    arena = rf_arena_new(0);
}

static void free_vectors(void)
{
    json_decref(vectors);
    rf_arena_free(arena);
}

static json_t *section(const char *name)
{
    json_t *list = json_object_get(vectors, name);
    ck_assert_msg(json_is_array(list) && json_array_size(list) > 0, "no vectors: %s", name);
    return list;
}

static rf_buf *fresh_buf(void)
{
    rf_buf *b = rf_alloc(arena, sizeof *b);
    rf_buf_init(b, arena, 16);   /* small: growth is exercised too */
    return b;
}

#define ck_assert_buf_eq(b, expected_json, what)                                  \
    do {                                                                          \
        const char *exp_ = json_string_value(expected_json);                     \
        size_t explen_ = json_string_length(expected_json);                      \
        ck_assert_msg((b)->len == explen_ && memcmp((b)->data, exp_, explen_) == 0, \
                      "%s: got [%s] want [%s]", (what), (b)->data, exp_);         \
    } while (0)

START_TEST(strings_as_drf_renders_them)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("strings"), i, v) {
        json_t *in = json_object_get(v, "in");
        rf_buf *b = fresh_buf();
        rf_json_strn(b, json_string_value(in), json_string_length(in));
        ck_assert_buf_eq(b, json_object_get(v, "out"), json_string_value(in));
    }
}
END_TEST

START_TEST(floats_as_python_repr)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("floats"), i, v) {
        const char *hex = json_string_value(json_object_get(v, "in"));
        rf_buf *b = fresh_buf();
        rf_json_f64(b, strtod(hex, NULL));
        ck_assert_buf_eq(b, json_object_get(v, "out"), hex);
    }
    ck_assert(!rf_json_take_nonfinite());
}
END_TEST

START_TEST(decimals_quantized_half_even)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("decimals"), i, v) {
        const char *text = json_string_value(json_object_get(v, "in"));
        rf_buf *b = fresh_buf();
        rf_json_decimal(b, text, (int)json_integer_value(json_object_get(v, "places")));
        ck_assert_buf_eq(b, json_object_get(v, "out"), text);
    }
}
END_TEST

START_TEST(datetimes_iso_with_z)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("datetimes"), i, v) {
        int64_t usec = json_integer_value(json_object_get(v, "in"));
        rf_buf *b = fresh_buf();
        rf_json_datetime(b, usec);
        ck_assert_buf_eq(b, json_object_get(v, "out"), "datetime");
    }
}
END_TEST

START_TEST(dates_iso)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("dates"), i, v) {
        rf_buf *b = fresh_buf();
        rf_json_date(b, (int32_t)json_integer_value(json_object_get(v, "in")));
        ck_assert_buf_eq(b, json_object_get(v, "out"), "date");
    }
}
END_TEST

START_TEST(datetime_inputs_as_drf_parses_them)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("datetime_inputs"), i, v) {
        const char *text = json_string_value(json_object_get(v, "in"));
        int64_t usec = -1;
        rf_dt_parse r = rf_parse_datetime_ex(text, &usec);
        if (json_is_true(json_object_get(v, "ok"))) {
            ck_assert_msg(r == RF_DT_OK, "rejected [%s]", text);
            ck_assert_int_eq(usec, json_integer_value(json_object_get(v, "value")));
        } else {
            const char *err = json_string_value(json_object_get(v, "error"));
            rf_dt_parse want = strstr(err, "out of range") ? RF_DT_OVERFLOW : RF_DT_INVALID;
            ck_assert_msg(r == want, "[%s]: got %d, DRF says %s", text, (int)r, err);
        }
    }
}
END_TEST

START_TEST(date_inputs_as_drf_parses_them)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("date_inputs"), i, v) {
        const char *text = json_string_value(json_object_get(v, "in"));
        int32_t days = -1;
        bool ok = rf_parse_date(text, &days);
        ck_assert_msg(ok == json_is_true(json_object_get(v, "ok")), "[%s]", text);
        if (ok)
            ck_assert_int_eq(days, json_integer_value(json_object_get(v, "value")));
    }
}
END_TEST

START_TEST(reindent_as_json_dumps_indent)
{
    size_t i;
    json_t *v;
    json_array_foreach(section("reindent"), i, v) {
        json_t *in = json_object_get(v, "in");
        rf_buf *b = fresh_buf();
        rf_json_reindent(b, json_string_value(in), json_string_length(in),
                         (int)json_integer_value(json_object_get(v, "indent")));
        ck_assert_buf_eq(b, json_object_get(v, "out"), json_string_value(in));
    }
}
END_TEST

/* Not from DRF (a Python str cannot hold them): bytes that are not UTF-8
 * come out as U+FFFD so the body stays valid JSON. */
START_TEST(invalid_utf8_becomes_replacement_character)
{
    rf_buf *b = fresh_buf();
    rf_json_str(b, "a\xff" "b\xC0\x80" "c\xED\xA0\x80" "d\xE2\x82");
    ck_assert_str_eq(b->data, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD"
                              "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                              "d\xEF\xBF\xBD\xEF\xBF\xBD\"");
}
END_TEST

/* DRF's renderer refuses NaN and infinities (allow_nan=False: a 500); the
 * writer writes null and reports it to the renderer. */
START_TEST(nonfinite_float_is_reported)
{
    rf_buf *b = fresh_buf();
    ck_assert(!rf_json_take_nonfinite());
    rf_json_f64(b, strtod("nan", NULL));
    rf_json_f64(b, strtod("-inf", NULL));
    ck_assert_str_eq(b->data, "nullnull");
    ck_assert(rf_json_take_nonfinite());
    ck_assert(!rf_json_take_nonfinite());
}
END_TEST

START_TEST(integers_and_constants)
{
    rf_buf *b = fresh_buf();
    rf_json_i64(b, INT64_MIN);
    rf_buf_putc(b, ',');
    rf_json_i64(b, 0);
    rf_buf_putc(b, ',');
    rf_json_bool(b, true);
    rf_json_bool(b, false);
    rf_json_null(b);
    ck_assert_str_eq(b->data, "-9223372036854775808,0,truefalsenull");
}
END_TEST

/* Django's text: a zero fraction is left out (a cursor over rows Django
 * wrote at whole seconds repeated its boundary row when it was kept). */
START_TEST(datetime_sql_text_is_djangos)
{
    char out[32];
    rf_format_datetime_sql(out, INT64_C(1795953600000000));
    ck_assert_str_eq(out, "2026-11-29 12:00:00");
    rf_format_datetime_sql(out, INT64_C(1795953600000001));
    ck_assert_str_eq(out, "2026-11-29 12:00:00.000001");
    rf_format_datetime_sql(out, INT64_C(-1));
    ck_assert_str_eq(out, "1969-12-31 23:59:59.999999");
    /* Python's range, written by hand; past it, by printf */
    rf_format_datetime_sql(out, INT64_C(-62135596800000000));
    ck_assert_str_eq(out, "0001-01-01 00:00:00");
    rf_format_datetime_sql(out, INT64_C(253402300799999999));
    ck_assert_str_eq(out, "9999-12-31 23:59:59.999999");
    rf_format_datetime_sql(out, INT64_C(253402300800000000));
    ck_assert_str_eq(out, "10000-01-01 00:00:00");
}
END_TEST

Suite *make_json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("writers");
    tcase_add_unchecked_fixture(tc, load_vectors, free_vectors);
    tcase_add_test(tc, strings_as_drf_renders_them);
    tcase_add_test(tc, floats_as_python_repr);
    tcase_add_test(tc, decimals_quantized_half_even);
    tcase_add_test(tc, datetimes_iso_with_z);
    tcase_add_test(tc, dates_iso);
    tcase_add_test(tc, datetime_inputs_as_drf_parses_them);
    tcase_add_test(tc, date_inputs_as_drf_parses_them);
    tcase_add_test(tc, reindent_as_json_dumps_indent);
    tcase_add_test(tc, invalid_utf8_becomes_replacement_character);
    tcase_add_test(tc, nonfinite_float_is_reported);
    tcase_add_test(tc, integers_and_constants);
    tcase_add_test(tc, datetime_sql_text_is_djangos);
    suite_add_tcase(s, tc);
    return s;
}
