/*
 * test_query.c: query descriptions run against the database: conditions,
 * ordering, LIMIT/OFFSET, COUNT, joins, querysets with URL arguments and
 * the user.
 */
#include "fixture.h"

#define T0 INT64_C(1796212800000000)

typedef struct fetched {
    bool done;
    rf_db_error err;
    rf_rowset *rows;
    int64_t count;
} fetched;

static void on_rows(rf_ctx *ctx, rf_db_error err, rf_rowset *rows, void *arg)
{
    (void)ctx;
    fetched *f = arg;
    f->err = err;
    f->rows = rows;
    f->done = true;
}

static void on_count(rf_ctx *ctx, rf_db_error err, int64_t count, void *arg)
{
    (void)ctx;
    fetched *f = arg;
    f->err = err;
    f->count = count;
    f->done = true;
}

static rf_rowset *fetch(rf_ctx *ctx, rf_query *q)
{
    fetched f = { 0 };
    ck_assert_int_eq(rf_query_fetch(ctx, q, on_rows, &f), RF_PENDING);
    fx_wait(&f.done);
    ck_assert_int_eq(f.err, RF_DB_OK);
    return f.rows;
}

static int64_t count(rf_ctx *ctx, rf_query *q)
{
    fetched f = { 0 };
    ck_assert_int_eq(rf_query_count(ctx, q, on_count, &f), RF_PENDING);
    fx_wait(&f.done);
    ck_assert_int_eq(f.err, RF_DB_OK);
    return f.count;
}

static const char *name_of(const rf_rowset *rows, int i)
{
    return ((t_product *)rows->rows[i].rec)->name;
}

static void five_products(int64_t owner)
{
    static const char *const names[] = { "a", "b", "c", "d", "e" };
    char price[8];
    for (int i = 0; i < 5; i++) {
        snprintf(price, sizeof price, "%d.50", i + 1);
        fx_product(names[i], price, i % 2 ? owner : 0, T0 + i);
    }
}

START_TEST(where_order_limit_offset_count)
{
    five_products(0);
    rf_query *q = rf_query_new(F.ctx, &t_product_res);
    rf_value min = { .type = RF_V_DECIMAL, .u.s = "2.5" };
    rf_query_where(q, "t.\"price\" >= ?", &min, 1);
    rf_query_order_by(q, &t_product_fields[P_PRICE], true);
    rf_query_limit(q, 2, 1);
    ck_assert_int_eq(count(F.ctx, q), 4);
    rf_rowset *rows = fetch(F.ctx, q);
    ck_assert_int_eq(rows->n, 2);
    ck_assert_str_eq(name_of(rows, 0), "d");
    ck_assert_str_eq(name_of(rows, 1), "c");
    ck_assert_str_eq(((t_product *)rows->rows[0].rec)->price, "4.50");
}
END_TEST

START_TEST(offset_past_the_end_is_empty)
{
    five_products(0);
    rf_query *q = rf_query_new(F.ctx, &t_product_res);
    rf_query_limit(q, 10, 50);
    ck_assert_int_eq(fetch(F.ctx, q)->n, 0);
}
END_TEST

START_TEST(where_eq_null_and_clear_order)
{
    five_products(fx_owner("ann"));
    rf_query *q = rf_query_new(F.ctx, &t_product_res);
    rf_query_where_eq(q, &t_product_fields[P_OWNER], RF_VNULL);
    rf_query_order_by(q, &t_product_fields[P_NAME], true);
    rf_query_clear_order(q);
    rf_query_order_by(q, &t_product_fields[P_NAME], false);
    ck_assert_int_eq(rf_query_norder(q), 1);
    rf_rowset *rows = fetch(F.ctx, q);
    ck_assert_int_eq(rows->n, 3);
    ck_assert_str_eq(name_of(rows, 0), "a");
    ck_assert_str_eq(name_of(rows, 2), "e");
}
END_TEST

START_TEST(where_eq_uuid)
{
    rf_value v[] = { RF_VTEXT("0f0e0d0c-0b0a-0908-0706-050403020100") };
    fx_product("u", "1", 0, T0);
    fx_exec2(F.db, "UPDATE \"t_product\" SET \"uid\" = replace(?, '-', '')",
             "UPDATE \"t_product\" SET \"uid\" = ?", v, 1);
    rf_query *q = rf_query_new(F.ctx, &t_product_res);
    rf_query_where_eq(q, &t_product_fields[P_UID], v[0]);
    rf_rowset *rows = fetch(F.ctx, q);
    ck_assert_int_eq(rows->n, 1);
    ck_assert_str_eq(((t_product *)rows->rows[0].rec)->uid, v[0].u.s);
}
END_TEST

static const rf_join owner_join[] = { { .from = -1, .fk = &t_product_fields[P_OWNER],
                                        .target = &t_owner_res } };

START_TEST(joins_load_related_records)
{
    five_products(fx_owner("ann"));
    rf_query *q = rf_query_new(F.ctx, &t_product_res);
    rf_query_joins(q, owner_join, 1);
    rf_query_order_by(q, &t_product_fields[P_NAME], false);
    rf_rowset *rows = fetch(F.ctx, q);
    ck_assert_int_eq(rows->n, 5);
    ck_assert_ptr_null(rows->rows[0].joined[0]);
    t_owner *owner = rows->rows[1].joined[0];
    ck_assert_ptr_nonnull(owner);
    ck_assert_str_eq(owner->username, "ann");
    ck_assert_int_eq(owner->id, ((t_product *)rows->rows[1].rec)->owner);
}
END_TEST

static const rf_qarg by_owner_kwarg[] = { { .kind = RF_QA_URL_KWARG, .name = "owner",
                                            .type = RF_V_INT } };
static const rf_qcond owner_cond[] = { { .sql = "t.\"owner_id\" = ?", .args = by_owner_kwarg,
                                         .nargs = 1 } };
static const rf_order by_name_desc[] = { { .field = &t_product_fields[P_NAME], .desc = true } };
static const rf_queryset by_owner = { .res = &t_product_res, .conds = owner_cond, .nconds = 1,
                                      .order = by_name_desc, .norder = 1 };

START_TEST(queryset_with_url_argument)
{
    int64_t owner = fx_owner("ann");
    five_products(owner);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)owner);
    rf_ctx *ctx = rf_test_ctx(F.env, &(rf_test_request){
        .method = RF_GET, .kwargs = (const char *[]){ "owner", id, NULL } });
    rf_query *q = rf_query_new(ctx, &t_product_res);
    ck_assert_int_eq(rf_query_apply_queryset(q, ctx, &by_owner), RF_OK);
    rf_rowset *rows = fetch(ctx, q);
    ck_assert_int_eq(rows->n, 2);
    ck_assert_str_eq(name_of(rows, 0), "d");
    ck_assert_str_eq(name_of(rows, 1), "b");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(queryset_url_argument_of_wrong_type_is_404)
{
    rf_ctx *ctx = rf_test_ctx(F.env, &(rf_test_request){
        .method = RF_GET, .kwargs = (const char *[]){ "owner", "abc", NULL } });
    rf_query *q = rf_query_new(ctx, &t_product_res);
    ck_assert_int_eq(rf_query_apply_queryset(q, ctx, &by_owner), RF_ERROR);
    fx_expect_response(ctx, 404, "{\"detail\":\"Not found.\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

static const rf_qarg by_user_arg[] = { { .kind = RF_QA_USER_ID } };
static const rf_qcond user_cond[] = { { .sql = "t.\"owner_id\" = ?", .args = by_user_arg,
                                        .nargs = 1 } };
static const rf_queryset mine = { .res = &t_product_res, .conds = user_cond, .nconds = 1 };

START_TEST(queryset_of_the_user)
{
    int64_t owner = fx_owner("ann");
    five_products(owner);
    rf_user ann = { .id = owner, .username = "ann", .is_active = true };
    rf_ctx *ctx = rf_test_ctx(F.env, &(rf_test_request){ .method = RF_GET, .user = &ann });
    rf_query *q = rf_query_new(ctx, &t_product_res);
    ck_assert_int_eq(rf_query_apply_queryset(q, ctx, &mine), RF_OK);
    ck_assert_int_eq(fetch(ctx, q)->n, 2);
    rf_test_ctx_free(ctx);

    rf_ctx *anon = fx_ctx();
    q = rf_query_new(anon, &t_product_res);
    ck_assert_int_eq(rf_query_apply_queryset(q, anon, &mine), RF_OK);
    ck_assert_int_eq(fetch(anon, q)->n, 0);
    rf_test_ctx_free(anon);
}
END_TEST

static const rf_view two_slots = { .name = "Products", .nslots = 2 };

START_TEST(rows_have_the_views_attach_slots)
{
    five_products(0);
    rf_ctx *ctx = rf_test_ctx(F.env, &(rf_test_request){ .method = RF_GET, .view = &two_slots });
    rf_rowset *rows = fetch(ctx, rf_query_new(ctx, &t_product_res));
    ck_assert_int_eq(rows->n, 5);
    ck_assert_ptr_nonnull(rows->rows[4].attach);
    ck_assert_int_eq(rows->rows[4].attach[1].n, 0);
    rf_test_ctx_free(ctx);
}
END_TEST

Suite *make_db_query_suite(void)
{
    Suite *s = suite_create("db_query");
    TCase *tc = tcase_create("query");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, where_order_limit_offset_count);
    tcase_add_test(tc, offset_past_the_end_is_empty);
    tcase_add_test(tc, where_eq_null_and_clear_order);
    tcase_add_test(tc, where_eq_uuid);
    tcase_add_test(tc, joins_load_related_records);
    tcase_add_test(tc, queryset_with_url_argument);
    tcase_add_test(tc, queryset_url_argument_of_wrong_type_is_404);
    tcase_add_test(tc, queryset_of_the_user);
    tcase_add_test(tc, rows_have_the_views_attach_slots);
    suite_add_tcase(s, tc);
    return s;
}
