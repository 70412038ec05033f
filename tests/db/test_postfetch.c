/*
 * test_postfetch.c: one windowed query per PostFetch and request, whatever
 * the page size (statements counted on the PostFetch's database), `values`
 * only, `limit` rows per key, from the base rows' database or another one.
 */
#include <event2/event.h>

#include "fixture.h"

#define T0 INT64_C(1796212800000000)
#define NPRODUCTS 120

/* Product i (1-based, ids in order) has i % 4 reviews, written at
 * increasing times; latest[i] and second[i] are the newest two. */
static int64_t latest[NPRODUCTS + 1], second[NPRODUCTS + 1];

static void reviews_in(rf_db *db)
{
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    for (int i = 1; i <= NPRODUCTS; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%03d", i);
        rf_value v[] = {
            RF_VTEXT(name), { .type = RF_V_DECIMAL, .u.s = "1" }, RF_VBOOL(false), RF_VNULL,
            { .type = RF_V_DATETIME, .u.i = T0 },
        };
        rf_result *r = fx_exec_in(ctx, F.db,
            "INSERT INTO \"t_product\" (\"name\", \"price\", \"is_top\", \"owner_id\", "
            "\"created_at\") VALUES (?, ?, ?, ?, ?)", v, 5);
        ck_assert_int_eq(rf_result_error(r), RF_DB_OK);
    }
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    rf_test_ctx_free(ctx);
    for (int i = 1; i <= NPRODUCTS; i++) {
        latest[i] = second[i] = 0;
        for (int k = 0; k < i % 4; k++) {
            second[i] = latest[i];
            /* the newest has the lowest rating: order is by time, not id
             * or rating */
            latest[i] = fx_review(db, i, 5 - k, "fine", T0 + k * 1000);
        }
    }
}

static const uint16_t review_values[] = { R_ID, R_RATING, R_COMMENT };
static const rf_order newest_first[] = { { .field = &t_review_fields[R_CREATED_AT],
                                           .desc = true } };

static const rf_postfetch latest_review = {
    .name = "LatestReview", .res = &t_review_res,
    .related_key = &t_review_fields[R_PRODUCT], .base_key = &t_product_fields[P_ID],
    .values = review_values, .nvalues = 3, .order = newest_first, .norder = 1,
    .limit = 1, .slot = 0, .db = 0,
};

static const rf_postfetch recent_reviews = {
    .name = "RecentReviews", .res = &t_review_res,
    .related_key = &t_review_fields[R_PRODUCT], .base_key = &t_product_fields[P_ID],
    .values = review_values, .nvalues = 3, .order = newest_first, .norder = 1,
    .limit = 2, .slot = 1, .db = 0,
};

/* `using = reviews`: the same, read from the second database. */
static const rf_postfetch latest_review_elsewhere = {
    .name = "LatestReviewElsewhere", .res = &t_review2_res,
    .related_key = &t_review_fields[R_PRODUCT], .base_key = &t_product_fields[P_ID],
    .values = review_values, .nvalues = 3, .order = newest_first, .norder = 1,
    .limit = 1, .slot = 1, .db = 1,
};

static const rf_qarg rating_arg[] = { { .kind = RF_QA_LITERAL, .value = RF_VINT(4) } };
static const rf_qcond good_only[] = { { .sql = "t.\"rating\" >= ?", .args = rating_arg,
                                        .nargs = 1 } };

static const rf_postfetch good_reviews = {
    .name = "GoodReviews", .res = &t_review_res,
    .related_key = &t_review_fields[R_PRODUCT], .base_key = &t_product_fields[P_ID],
    .values = review_values, .nvalues = 3, .conds = good_only, .nconds = 1,
    .order = newest_first, .norder = 1, .limit = 10, .slot = 0, .db = 0,
};

typedef struct fetched {
    bool done;
    rf_rowset *rows;
} fetched;

static void on_rows(rf_ctx *ctx, rf_db_error err, rf_rowset *rows, void *arg)
{
    (void)ctx;
    ck_assert_int_eq(err, RF_DB_OK);
    fetched *f = arg;
    f->rows = rows;
    f->done = true;
}

/* The first page of products, by id. */
static rf_rowset *page(rf_ctx *ctx, int size)
{
    rf_query *q = rf_query_new(ctx, &t_product_res);
    rf_query_order_by(q, &t_product_fields[P_ID], false);
    rf_query_limit(q, size, 0);
    fetched f = { 0 };
    rf_query_fetch(ctx, q, on_rows, &f);
    fx_wait(&f.done);
    ck_assert_int_eq(f.rows->n, size);
    return f.rows;
}

static rf_rc run_postfetch(rf_ctx *ctx, const rf_postfetch *const *pfs, int n, rf_rowset *rows)
{
    return rf_test_wait(F.env, ctx, rf_postfetch_run(ctx, pfs, n, rows, 2, rf_resume));
}

static void check_latest(const rf_rowset *rows, int slot)
{
    for (int i = 0; i < rows->n; i++) {
        const t_product *p = rows->rows[i].rec;
        const rf_attach *at = &rows->rows[i].attach[slot];
        ck_assert_int_eq(at->n, p->id % 4 ? 1 : 0);
        if (!at->n)
            continue;
        const t_review *r = at->recs[0];
        ck_assert_int_eq(r->id, latest[p->id]);
        ck_assert(RF_IS_SET(r, R_RATING) && RF_IS_SET(r, R_COMMENT));
        ck_assert_str_eq(r->comment, "fine");
        /* values only */
        ck_assert(!RF_IS_SET(r, R_PRODUCT) && !RF_IS_SET(r, R_CREATED_AT));
    }
}

START_TEST(one_query_whatever_the_page_size)
{
    reviews_in(F.db);
    static const int sizes[] = { 1, 20, 100 };
    const rf_postfetch *pfs[] = { &latest_review };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        rf_ctx *ctx = fx_ctx();
        rf_rowset *rows = page(ctx, sizes[s]);
        uint64_t before = rf_db_statements(F.db);
        ck_assert_int_eq(run_postfetch(ctx, pfs, 1, rows), RF_OK);
        ck_assert_int_eq(rf_db_statements(F.db) - before, 1);
        check_latest(rows, 0);
        rf_test_ctx_free(ctx);
    }
}
END_TEST

START_TEST(limit_two_gives_a_list_newest_first)
{
    reviews_in(F.db);
    const rf_postfetch *pfs[] = { &latest_review, &recent_reviews };
    rf_ctx *ctx = fx_ctx();
    rf_rowset *rows = page(ctx, 20);
    uint64_t before = rf_db_statements(F.db);
    ck_assert_int_eq(run_postfetch(ctx, pfs, 2, rows), RF_OK);
    ck_assert_int_eq(rf_db_statements(F.db) - before, 2);
    check_latest(rows, 0);
    for (int i = 0; i < rows->n; i++) {
        const t_product *p = rows->rows[i].rec;
        const rf_attach *at = &rows->rows[i].attach[1];
        int expected = p->id % 4 < 2 ? (int)(p->id % 4) : 2;
        ck_assert_int_eq(at->n, expected);
        if (expected >= 1)
            ck_assert_int_eq(((t_review *)at->recs[0])->id, latest[p->id]);
        if (expected == 2)
            ck_assert_int_eq(((t_review *)at->recs[1])->id, second[p->id]);
    }
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(from_a_second_database)
{
    reviews_in(F.db2);
    static const int sizes[] = { 1, 20, 100 };
    const rf_postfetch *pfs[] = { &latest_review_elsewhere };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        rf_ctx *ctx = fx_ctx();
        rf_rowset *rows = page(ctx, sizes[s]);
        uint64_t main_before = rf_db_statements(F.db), before = rf_db_statements(F.db2);
        ck_assert_int_eq(run_postfetch(ctx, pfs, 1, rows), RF_OK);
        ck_assert_int_eq(rf_db_statements(F.db2) - before, 1);
        ck_assert_int_eq(rf_db_statements(F.db) - main_before, 0);
        check_latest(rows, 1);
        rf_test_ctx_free(ctx);
    }
}
END_TEST

START_TEST(conditions_filter_the_related_rows)
{
    reviews_in(F.db);
    const rf_postfetch *pfs[] = { &good_reviews };
    rf_ctx *ctx = fx_ctx();
    rf_rowset *rows = page(ctx, 8);
    ck_assert_int_eq(run_postfetch(ctx, pfs, 1, rows), RF_OK);
    /* product 3 has ratings 5, 4, 3: the two good ones, newest first */
    const rf_attach *at = &rows->rows[2].attach[0];
    ck_assert_int_eq(at->n, 2);
    ck_assert_int_eq(((t_review *)at->recs[0])->rating, 4);
    ck_assert_int_eq(((t_review *)at->recs[1])->rating, 5);
    ck_assert_int_eq(rows->rows[3].attach[0].n, 0);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(empty_page_runs_no_query)
{
    const rf_postfetch *pfs[] = { &latest_review };
    rf_ctx *ctx = fx_ctx();
    rf_rowset empty = { 0 };
    uint64_t before = rf_db_statements(F.db);
    ck_assert_int_eq(rf_postfetch_run(ctx, pfs, 1, &empty, 2, rf_resume), RF_OK);
    ck_assert_int_eq(rf_db_statements(F.db), before);
    rf_test_ctx_free(ctx);
}
END_TEST

static const rf_postfetch latest_review_nowhere = {
    .name = "Nowhere", .res = &t_review_res,
    .related_key = &t_review_fields[R_PRODUCT], .base_key = &t_product_fields[P_ID],
    .values = review_values, .nvalues = 3, .limit = 1, .slot = 0, .db = 5,
};

static const rf_qarg min_rating_kwarg[] = { { .kind = RF_QA_URL_KWARG, .name = "min",
                                              .type = RF_V_INT } };
static const rf_qcond rated_at_least[] = { { .sql = "t.\"rating\" >= ?",
                                             .args = min_rating_kwarg, .nargs = 1 } };
static const rf_postfetch rated_reviews = {
    .name = "RatedReviews", .res = &t_review_res,
    .related_key = &t_review_fields[R_PRODUCT], .base_key = &t_product_fields[P_ID],
    .values = review_values, .nvalues = 3, .conds = rated_at_least, .nconds = 1,
    .order = newest_first, .norder = 1, .limit = 10, .slot = 0, .db = 0,
};

START_TEST(url_arguments_in_conditions)
{
    reviews_in(F.db);
    const rf_postfetch *pfs[] = { &rated_reviews };
    rf_ctx *ctx = rf_test_ctx(F.env, &(rf_test_request){
        .method = RF_GET, .kwargs = (const char *[]){ "min", "5", NULL } });
    rf_rowset *rows = page(ctx, 3);
    ck_assert_int_eq(run_postfetch(ctx, pfs, 1, rows), RF_OK);
    ck_assert_int_eq(rows->rows[2].attach[0].n, 1);
    ck_assert_int_eq(((t_review *)rows->rows[2].attach[0].recs[0])->rating, 5);
    rf_test_ctx_free(ctx);

    ctx = rf_test_ctx(F.env, &(rf_test_request){
        .method = RF_GET, .kwargs = (const char *[]){ "min", "five", NULL } });
    rows = page(ctx, 3);
    ck_assert_int_eq(rf_postfetch_run(ctx, pfs, 1, rows, 2, rf_resume), RF_ERROR);
    fx_expect_response(ctx, 404, "{\"detail\":\"Not found.\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

/* Text keys, quotes and backslashes included: owners whose username is
 * the product's name. */
static const uint16_t owner_values[] = { 0, 1 };
static const rf_postfetch namesakes = {
    .name = "Namesakes", .res = &t_owner_res,
    .related_key = &t_owner_fields[1], .base_key = &t_product_fields[P_NAME],
    .values = owner_values, .nvalues = 2, .limit = 5, .slot = 0, .db = 0,
};

START_TEST(text_keys)
{
    static const char *const names[] = { "plain", "a\"b\\c", "caf\xc3\xa9, {x}" };
    for (int i = 0; i < 3; i++) {
        fx_product(names[i], "1", 0, T0);
        fx_owner(names[i]);
    }
    fx_owner("nobody's");
    const rf_postfetch *pfs[] = { &namesakes };
    rf_ctx *ctx = fx_ctx();
    rf_rowset *rows = page(ctx, 3);
    ck_assert_int_eq(run_postfetch(ctx, pfs, 1, rows), RF_OK);
    for (int i = 0; i < 3; i++) {
        const rf_attach *at = &rows->rows[i].attach[0];
        ck_assert_int_eq(at->n, 1);
        ck_assert_str_eq(((t_owner *)at->recs[0])->username, names[i]);
    }
    rf_test_ctx_free(ctx);
}
END_TEST

/* A base key that repeats on the page (several products of one owner):
 * each product still gets its owner once (regression: SQLite's query
 * walks the keys, so repeated keys must be made distinct first). */
static const rf_postfetch owners = {
    .name = "Owners", .res = &t_owner_res,
    .related_key = &t_owner_fields[0], .base_key = &t_product_fields[P_OWNER],
    .values = owner_values, .nvalues = 2, .limit = 5, .slot = 0, .db = 0,
};

START_TEST(repeated_base_keys)
{
    int64_t ann = fx_owner("ann"), bob = fx_owner("bob");
    fx_product("lamp", "1", ann, T0);
    fx_product("desk", "2", bob, T0);
    fx_product("mug", "3", ann, T0);
    fx_product("rug", "4", 0, T0);
    const rf_postfetch *pfs[] = { &owners };
    rf_ctx *ctx = fx_ctx();
    rf_rowset *rows = page(ctx, 4);
    ck_assert_int_eq(run_postfetch(ctx, pfs, 1, rows), RF_OK);
    static const char *const expected[] = { "ann", "bob", "ann", NULL };
    for (int i = 0; i < 4; i++) {
        const rf_attach *at = &rows->rows[i].attach[0];
        ck_assert_int_eq(at->n, expected[i] ? 1 : 0);
        if (expected[i])
            ck_assert_str_eq(((t_owner *)at->recs[0])->username, expected[i]);
    }
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(database_not_open_is_a_server_error)
{
    fx_product("lamp", "1", 0, T0);
    const rf_postfetch *pfs[] = { &latest_review_nowhere };
    rf_ctx *ctx = fx_ctx();
    rf_rowset *rows = page(ctx, 1);
    ck_assert_int_eq(rf_postfetch_run(ctx, pfs, 1, rows, 2, rf_resume), RF_ERROR);
    fx_expect_response(ctx, 500, "{\"detail\":\"A server error occurred.\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

/* ---------------------------------------------------------------------
 * Going along with the fetch (rf_query_prefetch): on SQLite the PostFetch
 * queries run in the fetch's trip, so rf_postfetch_run has every answer at
 * hand and returns RF_OK at once; PostgreSQL runs them as before.
 */
static rf_rowset *prefetched_page(rf_ctx *ctx, int size, const rf_postfetch *const *pfs, int n)
{
    rf_query *q = rf_query_new(ctx, &t_product_res);
    rf_query_order_by(q, &t_product_fields[P_ID], false);
    rf_query_limit(q, size, 0);
    rf_query_prefetch(q, pfs, n);
    fetched f = { 0 };
    rf_query_fetch(ctx, q, on_rows, &f);
    fx_wait(&f.done);
    ck_assert_int_eq(f.rows->n, size);
    return f.rows;
}

/* What rf_postfetch_run does with prefetched rows: no statement and no
 * wait on SQLite (the answers came with the rows), one statement per
 * PostFetch on PostgreSQL. */
static void run_prefetched(rf_ctx *ctx, const rf_postfetch *const *pfs, int n, rf_rowset *rows)
{
    uint64_t before = rf_db_statements(F.db);
    if (rf_db_can_chain(F.db)) {
        ck_assert_int_eq(rf_postfetch_run(ctx, pfs, n, rows, 2, rf_resume), RF_OK);
        ck_assert_int_eq(rf_db_statements(F.db) - before, 0);
    } else {
        ck_assert_int_eq(run_postfetch(ctx, pfs, n, rows), RF_OK);
        ck_assert_int_eq(rf_db_statements(F.db) - before, (uint64_t)n);
    }
}

START_TEST(prefetched_with_the_rows)
{
    reviews_in(F.db);
    static const int sizes[] = { 1, 20, 100 };
    const rf_postfetch *pfs[] = { &latest_review, &recent_reviews };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        rf_ctx *ctx = fx_ctx();
        uint64_t before = rf_db_statements(F.db);
        rf_rowset *rows = prefetched_page(ctx, sizes[s], pfs, 2);
        /* the fetch and its PostFetches: three statements either way */
        uint64_t fetch = rf_db_statements(F.db) - before;
        ck_assert_int_eq(fetch, rf_db_can_chain(F.db) ? 3 : 1);
        run_prefetched(ctx, pfs, 2, rows);
        check_latest(rows, 0);
        for (int i = 0; i < rows->n; i++) {
            const t_product *p = rows->rows[i].rec;
            int expected = p->id % 4 < 2 ? (int)(p->id % 4) : 2;
            ck_assert_int_eq(rows->rows[i].attach[1].n, expected);
        }
        rf_test_ctx_free(ctx);
    }
}
END_TEST

/* Another database, or a URL argument that does not convert: those
 * PostFetches do not go along, and answer as without prefetching. */
START_TEST(prefetch_leaves_what_cannot_go_along)
{
    reviews_in(F.db2);      /* the main database has no reviews */
    const rf_postfetch *pfs[] = { &latest_review, &latest_review_elsewhere };
    rf_ctx *ctx = fx_ctx();
    rf_rowset *rows = prefetched_page(ctx, 20, pfs, 2);
    uint64_t before = rf_db_statements(F.db2);
    ck_assert_int_eq(run_postfetch(ctx, pfs, 2, rows), RF_OK);
    ck_assert_int_eq(rf_db_statements(F.db2) - before, 1);
    for (int i = 0; i < rows->n; i++)
        ck_assert_int_eq(rows->rows[i].attach[0].n, 0);
    check_latest(rows, 1);
    rf_test_ctx_free(ctx);

    const rf_postfetch *rated[] = { &rated_reviews };
    ctx = rf_test_ctx(F.env, &(rf_test_request){
        .method = RF_GET, .kwargs = (const char *[]){ "min", "five", NULL } });
    rows = prefetched_page(ctx, 3, rated, 1);
    ck_assert_int_eq(rf_postfetch_run(ctx, rated, 1, rows, 2, rf_resume), RF_ERROR);
    fx_expect_response(ctx, 404, "{\"detail\":\"Not found.\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

/* Keys derived from the fetched cells are written as from the records:
 * quotes, backslashes and UTF-8 in text keys. */
START_TEST(prefetched_text_keys)
{
    static const char *const names[] = { "plain", "a\"b\\c", "caf\xc3\xa9, {x}" };
    for (int i = 0; i < 3; i++) {
        fx_product(names[i], "1", 0, T0);
        fx_owner(names[i]);
    }
    const rf_postfetch *pfs[] = { &namesakes };
    rf_ctx *ctx = fx_ctx();
    rf_rowset *rows = prefetched_page(ctx, 3, pfs, 1);
    run_prefetched(ctx, pfs, 1, rows);
    for (int i = 0; i < 3; i++) {
        const rf_attach *at = &rows->rows[i].attach[0];
        ck_assert_int_eq(at->n, 1);
        ck_assert_str_eq(((t_owner *)at->recs[0])->username, names[i]);
    }
    rf_test_ctx_free(ctx);
}
END_TEST

/* rf_db_exec_chained itself (SQLite only: PostgreSQL does not chain, and
 * there this test has nothing to check). */
typedef struct answers {
    int order[2];               /* 1: the chained read, 2: the statement */
    int n;
    rf_db_error errors[2];
    int64_t chained_rows;
} answers;

static void note_chained(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    answers *a = arg;
    a->errors[0] = rf_result_error(res);
    a->chained_rows = rf_result_nrows(res) ? rf_result_int(res, 0, 0) : -1;
    a->order[a->n++] = 1;
}

static void note_statement(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    answers *a = arg;
    a->errors[1] = rf_result_error(res);
    a->order[a->n++] = 2;
}

/* The chained read's parameter: how many rows the statement returned. */
static void row_count(rf_value *first, const rf_result *head, rf_arena *a, const void *arg)
{
    (void)a;
    (void)arg;
    *first = RF_VINT(rf_result_nrows(head));
}

static answers exec_chained(rf_ctx *ctx, const char *head_sql)
{
    answers got = { .n = 0 };
    static const rf_value no_key = { .type = RF_V_NULL };
    rf_db_then then = { .sql = "SELECT ?", .params = &no_key, .nparams = 1,
                        .derive = row_count, .cb = note_chained, .arg = &got };
    rf_stmt stmt = { .name = NULL };
    stmt.sql[RF_SQLITE] = head_sql;
    ck_assert_int_eq(rf_db_exec_chained(ctx, F.db, &stmt, NULL, 0, note_statement, &got,
                                        &then, 1), RF_PENDING);
    while (got.n < 2)
        event_base_loop(rf_test_env_base(F.env), EVLOOP_ONCE);
    return got;
}

START_TEST(chained_reads_answer_first_and_not_after_a_failure)
{
    if (!rf_db_can_chain(F.db))
        return;
    fx_product("lamp", "1", 0, T0);
    fx_product("desk", "2", 0, T0);
    rf_ctx *ctx = fx_ctx();
    answers ok = exec_chained(ctx, "SELECT \"id\" FROM \"t_product\"");
    ck_assert_int_eq(ok.order[0], 1);
    ck_assert_int_eq(ok.order[1], 2);
    ck_assert_int_eq(ok.errors[0], RF_DB_OK);
    ck_assert_int_eq(ok.errors[1], RF_DB_OK);
    ck_assert_int_eq(ok.chained_rows, 2);       /* derived from the statement's rows */

    answers failed = exec_chained(ctx, "SELECT \"id\" FROM \"no_such_table\"");
    ck_assert_int_eq(failed.order[0], 1);
    ck_assert_int_eq(failed.errors[1], RF_DB_FAILED);
    ck_assert_int_eq(failed.errors[0], RF_DB_FAILED);  /* not run: its statement's error */
    ck_assert_int_eq(failed.chained_rows, -1);
    rf_test_ctx_free(ctx);
}
END_TEST

Suite *make_db_postfetch_suite(void)
{
    Suite *s = suite_create("db_postfetch");
    TCase *tc = tcase_create("postfetch");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, one_query_whatever_the_page_size);
    tcase_add_test(tc, limit_two_gives_a_list_newest_first);
    tcase_add_test(tc, from_a_second_database);
    tcase_add_test(tc, conditions_filter_the_related_rows);
    tcase_add_test(tc, empty_page_runs_no_query);
    tcase_add_test(tc, url_arguments_in_conditions);
    tcase_add_test(tc, text_keys);
    tcase_add_test(tc, repeated_base_keys);
    tcase_add_test(tc, database_not_open_is_a_server_error);
    tcase_add_test(tc, prefetched_with_the_rows);
    tcase_add_test(tc, prefetch_leaves_what_cannot_go_along);
    tcase_add_test(tc, prefetched_text_keys);
    tcase_add_test(tc, chained_reads_answer_first_and_not_after_a_failure);
    suite_add_tcase(s, tc);
    return s;
}
