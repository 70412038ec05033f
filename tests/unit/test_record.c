/*
 * test_record.c: records through their descriptors (typed get and set,
 * field lookup) and loading them from results, with the conversions both
 * backends need: decimals to the field's places, UUIDs to the canonical
 * form, JSON compacted, booleans and timestamps from either backend's text.
 */
#include <check.h>
#include <stddef.h>
#include <string.h>

#include "db_internal.h"

typedef struct thing {
    uint8_t rf_state[9];
    int64_t id;
    const char *price;
    bool active;
    double ratio;
    int32_t day;
    int64_t at;
    const char *uid;
    const char *data;
    int64_t parent;
} thing;

#define NOLIMITS { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 }
#define F(n, col, T, member, idx) \
    { .name = n, .column = col, .type = T, .index = idx, .offset = offsetof(thing, member), \
      .limits = NOLIMITS }

static const rf_field fields[] = {
    F("id", "id", RF_F_AUTO, id, 0),
    { .name = "price", .column = "price", .type = RF_F_DECIMAL, .index = 1,
      .offset = offsetof(thing, price),
      .limits = { .max_length = -1, .min_length = -1, .max_digits = 8, .decimal_places = 2 } },
    F("active", "active", RF_F_BOOLEAN, active, 2),
    F("ratio", "ratio", RF_F_FLOAT, ratio, 3),
    F("day", "day", RF_F_DATE, day, 4),
    F("at", "at", RF_F_DATETIME, at, 5),
    F("uid", "uid", RF_F_UUID, uid, 6),
    F("data", "data", RF_F_JSON, data, 7),
    F("parent", "parent_id", RF_F_FOREIGNKEY, parent, 8),
};

static const rf_resource thing_res = {
    .name = "Thing", .table = "things", .fields = fields, .nfields = 9, .pk = 0,
    .rec_size = sizeof(thing),
};

static rf_arena *a;

static void setup(void) { a = rf_arena_new(0); }
static void teardown(void) { rf_arena_free(a); }

START_TEST(fields_by_name_column_or_pk)
{
    ck_assert_ptr_eq(rf_resource_field(&thing_res, "price"), &fields[1]);
    ck_assert_ptr_eq(rf_resource_field(&thing_res, "parent"), &fields[8]);
    ck_assert_ptr_eq(rf_resource_field(&thing_res, "parent_id"), &fields[8]);
    ck_assert_ptr_eq(rf_resource_field(&thing_res, "pk"), &fields[0]);
    ck_assert_ptr_null(rf_resource_field(&thing_res, "nope"));
}
END_TEST

START_TEST(set_and_read_every_kind_of_member)
{
    thing *t = rf_record_new(a, &thing_res);
    ck_assert(!RF_IS_SET(t, 1));
    ck_assert_int_eq(rf_record_value(t, &fields[1]).type, RF_V_NULL);

    char text[] = "19.99";
    rf_record_set(a, t, &fields[1], (rf_value){ .type = RF_V_DECIMAL, .u.s = text });
    text[0] = '2';                       /* the record kept a copy */
    rf_record_set(a, t, &fields[0], RF_VINT(42));
    rf_record_set(a, t, &fields[2], RF_VBOOL(true));
    rf_record_set(a, t, &fields[3], (rf_value){ .type = RF_V_FLOAT, .u.f = 0.5 });
    rf_record_set(a, t, &fields[4], (rf_value){ .type = RF_V_DATE, .u.i = 20424 });
    rf_record_set(a, t, &fields[5], (rf_value){ .type = RF_V_DATETIME, .u.i = 123 });
    rf_record_set(a, t, &fields[8], RF_VNULL);

    ck_assert_str_eq(t->price, "19.99");
    ck_assert_int_eq(t->id, 42);
    ck_assert(t->active);
    ck_assert(t->ratio == 0.5);
    ck_assert_int_eq(t->day, 20424);
    ck_assert_int_eq(t->at, 123);
    ck_assert(RF_IS_SET(t, 8) && RF_IS_NULL(t, 8));

    rf_value v = rf_record_value(t, &fields[1]);
    ck_assert_int_eq(v.type, RF_V_DECIMAL);
    ck_assert_str_eq(v.u.s, "19.99");
    ck_assert_int_eq(rf_record_value(t, &fields[2]).type, RF_V_BOOL);
    ck_assert_int_eq(rf_record_value(t, &fields[4]).type, RF_V_DATE);
    ck_assert_int_eq(rf_record_value(t, &fields[5]).type, RF_V_DATETIME);
    ck_assert_int_eq(rf_record_value(t, &fields[8]).type, RF_V_NULL);
    ck_assert_int_eq(rf_field_vtype(&fields[8]), RF_V_INT);
}
END_TEST

START_TEST(obj_getters_check_type_and_presence)
{
    thing *t = rf_record_new(a, &thing_res);
    rf_obj o = { .res = &thing_res, .rec = t };
    int64_t i;
    const char *s;
    bool b;
    ck_assert(!rf_obj_get_int(&o, "id", &i));            /* unset */
    rf_record_set(a, t, &fields[0], RF_VINT(7));
    rf_record_set(a, t, &fields[1], (rf_value){ .type = RF_V_DECIMAL, .u.s = "1.00" });
    rf_record_set(a, t, &fields[2], RF_VBOOL(false));
    rf_record_set(a, t, &fields[8], RF_VNULL);
    ck_assert(rf_obj_get_int(&o, "pk", &i) && i == 7);
    ck_assert(rf_obj_get_text(&o, "price", &s));
    ck_assert_str_eq(s, "1.00");
    ck_assert(rf_obj_get_bool(&o, "active", &b) && !b);
    ck_assert(!rf_obj_get_int(&o, "parent", &i));        /* NULL */
    ck_assert(!rf_obj_get_int(&o, "price", &i));         /* not an integer */
    ck_assert(!rf_obj_get_text(&o, "nope", &s));
}
END_TEST

/* A result as the SQLite backend materialises it: one row of cells. */
static rf_result *one_row(const rf_cell *cells, int ncols)
{
    rf_result *r = rf_result_of(NULL, RF_DB_OK, NULL);
    r->nrows = 1;
    r->ncols = ncols;
    r->cells = rf_alloc(r->own, (size_t)ncols * sizeof *cells);
    memcpy(r->cells, cells, (size_t)ncols * sizeof *cells);
    return r;
}

#define TEXT(x) { .type = RF_CELL_TEXT, .s = (x) }

START_TEST(load_converts_what_the_backends_answer)
{
    const rf_cell cells[] = {
        { .type = RF_CELL_INT, .i = 3, .s = "3" },
        { .type = RF_CELL_FLOAT, .f = 19.9, .s = "19.9" },
        { .type = RF_CELL_INT, .i = 1, .s = "1" },
        { .type = RF_CELL_FLOAT, .f = 0.25, .s = "0.25" },
        TEXT("2025-12-02"),
        TEXT("2026-12-02 12:00:00.123456"),
        TEXT("0f0e0d0c0b0a09080706050403020100"),
        TEXT("{\"a\": \"x\\\" y: z\", \"b\": [1, 2]}"),
        { .type = RF_CELL_NULL },
    };
    rf_result *r = one_row(cells, 9);
    thing *t = rf_record_new(a, &thing_res);
    ck_assert_int_eq(rf_result_load(r, 0, 0, a, &thing_res, t, NULL, 0), 9);
    ck_assert_int_eq(t->id, 3);
    ck_assert_str_eq(t->price, "19.90");
    ck_assert(t->active);
    ck_assert(t->ratio == 0.25);
    ck_assert_int_eq(t->day, 20424);
    ck_assert_int_eq(t->at, INT64_C(1796212800123456));
    ck_assert_str_eq(t->uid, "0f0e0d0c-0b0a-0908-0706-050403020100");
    ck_assert_str_eq(t->data, "{\"a\":\"x\\\" y: z\",\"b\":[1,2]}");
    ck_assert(RF_IS_SET(t, 8) && RF_IS_NULL(t, 8));
    rf_result_release(r);
}
END_TEST

START_TEST(load_reads_postgres_text)
{
    const rf_cell cells[] = {
        TEXT("5"), TEXT("t"), TEXT("2026-12-02 13:00:00.5+01"),
        TEXT("0f0e0d0c-0b0a-0908-0706-050403020100"),
    };
    static const uint16_t only[] = { 1, 2, 5, 6 };
    rf_result *r = one_row(cells, 4);
    thing *t = rf_record_new(a, &thing_res);
    ck_assert_int_eq(rf_result_load(r, 0, 0, a, &thing_res, t, only, 4), 4);
    ck_assert_str_eq(t->price, "5.00");
    ck_assert(t->active);
    ck_assert_int_eq(t->at, INT64_C(1796212800500000));
    ck_assert_str_eq(t->uid, "0f0e0d0c-0b0a-0908-0706-050403020100");
    ck_assert(!RF_IS_SET(t, 0) && !RF_IS_SET(t, 3));     /* only the listed fields */
    rf_result_release(r);
}
END_TEST

START_TEST(result_accessors_out_of_range_are_null)
{
    const rf_cell cells[] = { TEXT("f") };
    rf_result *r = one_row(cells, 1);
    ck_assert(!rf_result_bool(r, 0, 0));
    ck_assert(rf_result_isnull(r, 1, 0));
    ck_assert(rf_result_isnull(r, 0, 1));
    ck_assert_ptr_null(rf_result_text(r, 0, 5));
    ck_assert_int_eq(rf_result_int(r, 3, 0), 0);
    ck_assert_str_eq(rf_result_message(r), "");
    rf_result_release(r);
}
END_TEST

Suite *make_record_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("record");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fields_by_name_column_or_pk);
    tcase_add_test(tc, set_and_read_every_kind_of_member);
    tcase_add_test(tc, obj_getters_check_type_and_presence);
    tcase_add_test(tc, load_converts_what_the_backends_answer);
    tcase_add_test(tc, load_reads_postgres_text);
    tcase_add_test(tc, result_accessors_out_of_range_are_null);
    suite_add_tcase(s, tc);
    return s;
}
