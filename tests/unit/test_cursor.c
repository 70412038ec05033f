/*
 * test_cursor.c: CursorPagination against DRF 3.14: cursor decoding and
 * encoding, and whole walks (forward to the end, back to the start, turns
 * in the middle) over a table with repeated positions, where every page,
 * link and 404 must be DRF's.  The "database" is an array filtered, sorted
 * and sliced as the planned query says.
 */
#include <stdlib.h>

#include "policy_test.h"
#include "testing.h"

typedef struct item {
    uint8_t rf_state[2];
    int64_t id, pos;
} item;

static const rf_field item_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = offsetof(item, id) },
    { .name = "pos", .column = "pos", .type = RF_F_INTEGER, .index = 1,
      .offset = offsetof(item, pos) },
};
static const rf_resource items = {
    .name = "Item", .table = "items", .fields = item_fields, .nfields = 2,
    .rec_size = sizeof(item), .select_columns = "t.\"id\", t.\"pos\"",
};

START_TEST(decoding_matches_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("cursor_decode"), i, v) {
        rf_arena *a = rf_arena_new(0);
        rf_cursor c;
        bool ok = rf_cursor_decode(a, vbytes(v, "in"), &c);
        rf_str want = vbytes(v, "position");
        if (vbool(v, "ok") && want.s && memchr(want.s, '\0', want.n)) {
            /* Deliberate: a NUL in a position never reaches SQL text. */
            ck_assert(!ok);
            rf_arena_free(a);
            continue;
        }
        ck_assert_msg(ok == vbool(v, "ok"), "%s: ok %d", vstr(v, "in"), ok);
        if (ok) {
            ck_assert_int_eq(c.offset, vint(v, "offset"));
            ck_assert_int_eq(c.reverse, vbool(v, "reverse"));
            if (want.s)
                ck_assert(c.position && strlen(c.position) == want.n &&
                          memcmp(c.position, want.s, want.n) == 0);
            else
                ck_assert_ptr_null(c.position);
        }
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(encoding_matches_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("cursor_encode"), i, v) {
        rf_arena *a = rf_arena_new(0);
        rf_cursor c = { vint(v, "offset"), vbool(v, "reverse"), vstr(v, "position") };
        rf_qs none = { NULL, 0 };
        rf_qs qs = rf_qs_with(a, &none, "cursor", rf_cursor_encode(a, &c));
        ck_assert_str_eq(rf_url_build(a, "http://testserver/x/", &qs), vstr(v, "url"));
        rf_arena_free(a);
    }
}
END_TEST

/* ---------------------------------------------------------------------
 * Walks.
 */
typedef struct walk {
    item *rows;
    int nrows;
    rf_order order[2];
    bool reverse;
} walk;

static walk *current;

static int cmp_items(const void *x, const void *y)
{
    const item *a = x, *b = y;
    for (int k = 0; k < 2; k++) {
        const rf_order *o = &current->order[k];
        int64_t va = RF_MEMBER(a, o->field->offset, int64_t);
        int64_t vb = RF_MEMBER(b, o->field->offset, int64_t);
        if (va != vb)
            return (va < vb) == (o->desc != current->reverse) ? 1 : -1;
    }
    return 0;
}

/* The planned query on the array: the bound, the order, the window. */
static rf_rowset run_query(rf_arena *a, walk *w, rf_page *pg)
{
    const char *op;
    rf_value bound;
    ck_assert(rf_cursor_bound(pg, &op, &bound));
    item *sel = rf_alloc(a, sizeof *sel * (size_t)w->nrows);
    int n = 0;
    for (int i = 0; i < w->nrows; i++) {
        int64_t pos = w->rows[i].pos;
        if (!op || (op[0] == '<' ? pos < bound.u.i : pos > bound.u.i))
            sel[n++] = w->rows[i];
    }
    w->reverse = pg->cursor.reverse;
    current = w;
    qsort(sel, (size_t)n, sizeof *sel, cmp_items);
    int64_t limit, offset;
    rf_page_window(pg, &limit, &offset);
    rf_rowset rows = { .rows = rf_calloc(a, sizeof(rf_row) * (size_t)(limit + 1)) };
    for (int64_t i = offset; i < n && i < offset + limit; i++)
        rows.rows[rows.n++].rec = &sel[i];
    return rows;
}

static void render_id(rf_buf *b, const rf_row *row)
{
    rf_json_i64(b, ((const item *)row->rec)->id);
}

static void check_step(walk *w, int64_t page_size, const json_t *step)
{
    rf_arena *a = rf_arena_new(0);
    rf_paginator p = { .name = "Feed", .kind = RF_CURSOR, .page_size = (int32_t)page_size };
    const char *query = vstr(step, "query");
    rf_page pg = { .p = &p, .arena = a, .base_url = "http://testserver/api/items/",
                   .qs = rf_qs_parse(a, query, strlen(query)), .ordering = w->order,
                   .nordering = 2 };
    bool paginated, needs_count;
    const char *err = rf_page_prepare(&pg, &paginated, &needs_count);
    const char *op;
    rf_value v;
    if (!err && !rf_cursor_bound(&pg, &op, &v))
        err = RF_INVALID_CURSOR;
    if (vint(step, "status") == 404) {
        ck_assert_msg(err, "%s: expected 404", query);
        ck_assert_str_eq(err, vstr(step, "detail"));
        rf_arena_free(a);
        return;
    }
    ck_assert_msg(!err && paginated && !needs_count, "%s: %s", query, err);
    rf_rowset rows = run_query(a, w, &pg);
    rf_buf b;
    rf_buf_init(&b, a, 128);
    rf_page_write(&pg, &b, &rows, render_id);
    json_t *want = json_pack("{s:O,s:O,s:O}", "next", json_object_get(step, "next"),
                             "previous", json_object_get(step, "previous"),
                             "results", json_object_get(step, "results"));
    const char *want_text = vjson(a, want);
    json_decref(want);
    ck_assert_msg(strcmp(buf_text(&b), want_text) == 0, "%s:\n got  %s\n want %s", query,
                  buf_text(&b), want_text);
    rf_arena_free(a);
}

START_TEST(walks_match_drf)
{
    size_t i, k;
    json_t *v, *step;
    json_array_foreach(policy_section("cursor_walks"), i, v) {
        json_t *rows = json_object_get(v, "rows");
        walk w = { .nrows = (int)json_array_size(rows) };
        w.rows = calloc((size_t)w.nrows, sizeof *w.rows);
        for (int r = 0; r < w.nrows; r++) {
            json_t *row = json_array_get(rows, (size_t)r);
            w.rows[r] = (item){ { RF_SET, RF_SET }, json_integer_value(json_array_get(row, 0)),
                                json_integer_value(json_array_get(row, 1)) };
        }
        json_t *ordering = json_object_get(v, "ordering");
        for (int o = 0; o < 2; o++) {
            const char *name = json_string_value(json_array_get(ordering, (size_t)o));
            bool desc = name[0] == '-';
            w.order[o] = (rf_order){ rf_resource_field(&items, name + desc), desc };
        }
        json_array_foreach(json_object_get(v, "steps"), k, step)
            check_step(&w, vint(v, "page_size"), step);
        free(w.rows);
    }
}
END_TEST

/* ---------------------------------------------------------------------
 * Positions: str() of a Django model attribute, and back.
 */
typedef struct typed {
    uint8_t rf_state[6];
    int64_t when;
    int32_t day;
    bool flag;
    const char *price;
    double ratio;
} typed;

static const rf_field typed_fields[] = {
    { .name = "when", .column = "when", .type = RF_F_DATETIME, .index = 0,
      .offset = offsetof(typed, when) },
    { .name = "day", .column = "day", .type = RF_F_DATE, .index = 1,
      .offset = offsetof(typed, day) },
    { .name = "flag", .column = "flag", .type = RF_F_BOOLEAN, .index = 2,
      .offset = offsetof(typed, flag) },
    { .name = "price", .column = "price", .type = RF_F_DECIMAL, .index = 3,
      .offset = offsetof(typed, price), .limits = { .decimal_places = 2 } },
    { .name = "ratio", .column = "ratio", .type = RF_F_FLOAT, .index = 4,
      .offset = offsetof(typed, ratio) },
};

START_TEST(positions_are_python_str_and_convert_back)
{
    rf_arena *a = rf_arena_new(0);
    typed t = { { RF_SET, RF_SET, RF_SET, RF_SET, RF_SET }, INT64_C(1795953600123456),
                20786, true, "19.9", 0.1 };
    static const char *const want[] = {
        "2026-11-29 12:00:00.123456+00:00", "2026-11-29", "True", "19.90", "0.1",
    };
    for (int i = 0; i < 5; i++) {
        char *pos = rf_cursor_position(a, &t, &typed_fields[i]);
        ck_assert_str_eq(pos, want[i]);
        rf_value v;
        ck_assert(rf_cursor_position_value(a, &typed_fields[i], pos, &v));
    }
    t.when = INT64_C(1795953600000000);
    ck_assert_str_eq(rf_cursor_position(a, &t, &typed_fields[0]), "2026-11-29 12:00:00+00:00");
    t.rf_state[2] = RF_SET | RF_NULL;
    ck_assert_str_eq(rf_cursor_position(a, &t, &typed_fields[2]), "None");
    rf_value v;
    ck_assert(!rf_cursor_position_value(a, &typed_fields[2], "None", &v));
    ck_assert(!rf_cursor_position_value(a, &typed_fields[0], "yesterday", &v));
    /* Django's DateTimeField.to_python reads a date alone as its midnight
     * (tests/differential/events listing.cursor#hand-made-position). */
    ck_assert(rf_cursor_position_value(a, &typed_fields[0], "2026-11-29", &v));
    ck_assert(v.type == RF_V_DATETIME && v.u.i == INT64_C(1795910400000000));
    ck_assert(!rf_cursor_position_value(a, &typed_fields[0], "2026-11-31", &v));
    ck_assert(!rf_cursor_position_value(a, &typed_fields[3], "1.2.3", &v));
    ck_assert(!rf_cursor_position_value(a, &item_fields[1], "12abc", &v));
    ck_assert(rf_cursor_position_value(a, &item_fields[1], " 1_2 ", &v));
    ck_assert_int_eq(v.u.i, 12);
    rf_arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------------
 * Through a request: the query it plans.
 */
static const rf_order feed_order[] = { { &item_fields[1], true }, { &item_fields[0], true } };

START_TEST(plan_orders_bounds_and_fetches_one_extra_row)
{
    rf_test_env *env = rf_test_env_new(NULL, 1);
    rf_paginator p = { .name = "Feed", .kind = RF_CURSOR, .page_size = 5,
                       .ordering = feed_order, .nordering = 2 };
    /* o=2&r=1&p=7: a reverse cursor over a descending ordering. */
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_GET, .target = "/items/?cursor=bz0yJnI9MSZwPTc%3D" });
    rf_query *q = rf_query_new(ctx, &items);
    rf_page *page;
    bool needs_count;
    ck_assert_int_eq(rf_page_plan(ctx, &p, q, &page, &needs_count), RF_OK);
    ck_assert(page && !needs_count);
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, false),
                     "SELECT t.\"id\", t.\"pos\" FROM \"items\" t WHERE (t.\"pos\" > ?) "
                     "ORDER BY t.\"pos\", t.\"id\" LIMIT ? OFFSET ?");
    rf_test_ctx_free(ctx);

    ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET,
                                                .target = "/items/?cursor=cD1hYmM%3D" });
    ck_assert_int_eq(rf_page_plan(ctx, &p, rf_query_new(ctx, &items), &page, &needs_count),
                     RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 404);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"Invalid cursor\"}");
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

Suite *make_cursor_suite(void)
{
    Suite *s = suite_create("cursor");
    TCase *tc = tcase_create("cursor");
    tcase_add_test(tc, decoding_matches_drf);
    tcase_add_test(tc, encoding_matches_drf);
    tcase_add_test(tc, walks_match_drf);
    tcase_add_test(tc, positions_are_python_str_and_convert_back);
    tcase_add_test(tc, plan_orders_bounds_and_fetches_one_extra_row);
    suite_add_tcase(s, tc);
    return s;
}
