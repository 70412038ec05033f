/*
 * test_outage.c (PostgreSQL): the server stops mid-run.  Statements fail
 * with RF_DB_UNAVAILABLE at once (a request answers 503), a transaction
 * that lost its connection rolls back cleanly, and when the server is back
 * the same rf_db recovers without being reopened.
 */
#include <unistd.h>

#include "fixture.h"

static void outage_teardown(void)
{
    fx_cluster("start");
    fx_teardown();
}

static rf_db_error select_one(void)
{
    return rf_result_error(fx_exec(F.db, "SELECT 1", NULL, 0));
}

/* Statements fail while the database is down; probe until it answers.
 * The bound only keeps a broken run from hanging. */
static void wait_for_recovery(void)
{
    for (int attempt = 0; attempt < 600 && select_one() != RF_DB_OK; attempt++)
        usleep(50 * 1000);
    ck_assert_int_eq(select_one(), RF_DB_OK);
}

START_TEST(down_database_answers_503_then_recovers)
{
    ck_assert_int_eq(select_one(), RF_DB_OK);
    fx_cluster("stop");
    ck_assert_int_eq(select_one(), RF_DB_UNAVAILABLE);
    ck_assert_int_eq(select_one(), RF_DB_UNAVAILABLE);

    rf_ctx *ctx = fx_ctx();
    rf_result *r = fx_begin(ctx, F.db);
    ck_assert_int_eq(rf_result_error(r), RF_DB_UNAVAILABLE);
    rf_db_fail(ctx, rf_result_error(r));
    fx_expect_response(ctx, 503, "{\"detail\":\"Service temporarily unavailable.\"}");
    rf_test_ctx_free(ctx);

    fx_cluster("start");
    wait_for_recovery();
    fx_owner("after");
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 1);
}
END_TEST

START_TEST(transaction_cut_by_an_outage_leaves_nothing)
{
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    rf_value name = RF_VTEXT("half");
    rf_result *r = fx_exec_in(ctx, F.db, "INSERT INTO \"t_owner\" (\"username\") VALUES (?)",
                              &name, 1);
    ck_assert_int_eq(rf_result_error(r), RF_DB_OK);
    fx_cluster("stop");
    r = fx_exec_in(ctx, F.db, "INSERT INTO \"t_owner\" (\"username\") VALUES (?)", &name, 1);
    ck_assert_int_eq(rf_result_error(r), RF_DB_UNAVAILABLE);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_UNAVAILABLE);
    rf_test_ctx_free(ctx);

    fx_cluster("start");
    wait_for_recovery();
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 0);
    ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    rf_test_ctx_free(ctx);
}
END_TEST

Suite *make_db_outage_suite(void)
{
    Suite *s = suite_create("db_outage");
    TCase *tc = tcase_create("outage");
    tcase_add_checked_fixture(tc, fx_setup, outage_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, down_database_answers_503_then_recovers);
    tcase_add_test(tc, transaction_cut_by_an_outage_leaves_nothing);
    suite_add_tcase(s, tc);
    return s;
}
