/*
 * test_core.c: CRUD, typed round-trips, violations mapped to kinds,
 * transactions.  Run against both backends (see fixture.h).
 */
#include <string.h>

#include <event2/event.h>

#include "fixture.h"

#define T0 INT64_C(1796212800123456)      /* 2026-12-02T12:00:00.123456Z */

typedef struct fetched {
    bool done;
    rf_db_error err;
    rf_rowset *rows;
} fetched;

static void on_rows(rf_ctx *ctx, rf_db_error err, rf_rowset *rows, void *arg)
{
    (void)ctx;
    fetched *f = arg;
    f->err = err;
    f->rows = rows;
    f->done = true;
}

/* The product with this id, loaded through a query description. */
static t_product *load_product(int64_t id)
{
    rf_query *q = rf_query_new(F.ctx, &t_product_res);
    rf_query_where_eq(q, &t_product_fields[P_ID], RF_VINT(id));
    fetched f = { 0 };
    ck_assert_int_eq(rf_query_fetch(F.ctx, q, on_rows, &f), RF_PENDING);
    fx_wait(&f.done);
    ck_assert_int_eq(f.err, RF_DB_OK);
    ck_assert_int_eq(f.rows->n, 1);
    return f.rows->rows[0].rec;
}

static const char *insert_full_sqlite =
    "INSERT INTO \"t_product\" (\"name\", \"price\", \"is_top\", \"owner_id\", \"created_at\", "
    "\"released\", \"weight\", \"meta\", \"uid\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
    "replace(?, '-', '')) RETURNING \"id\"";
static const char *insert_full_pg =
    "INSERT INTO \"t_product\" (\"name\", \"price\", \"is_top\", \"owner_id\", \"created_at\", "
    "\"released\", \"weight\", \"meta\", \"uid\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING \"id\"";

static int64_t insert_full(const char *name, const char *price, int64_t created_at,
                           double weight)
{
    rf_value v[] = {
        RF_VTEXT(name), { .type = RF_V_DECIMAL, .u.s = price }, RF_VBOOL(true), RF_VNULL,
        { .type = RF_V_DATETIME, .u.i = created_at }, { .type = RF_V_DATE, .u.i = 20424 },
        { .type = RF_V_FLOAT, .u.f = weight },
        { .type = RF_V_JSON, .u.s = "{\"a\": [1, 2], \"b\": \"x, y: z\"}" },
        RF_VTEXT("12345678-9abc-def0-1234-56789abcdef0"),
    };
    rf_result *r = fx_exec2(F.db, insert_full_sqlite, insert_full_pg, v, 9);
    ck_assert_msg(rf_result_error(r) == RF_DB_OK, "%s", rf_result_message(r));
    return rf_result_int(r, 0, 0);
}

START_TEST(typed_values_round_trip)
{
    int64_t id = insert_full("Caf\xc3\xa9 \xe2\x98\x83 \"quoted\"", "12345678.90", T0, 0.1);
    t_product *p = load_product(id);
    ck_assert_int_eq(p->id, id);
    ck_assert_str_eq(p->name, "Caf\xc3\xa9 \xe2\x98\x83 \"quoted\"");
    ck_assert_str_eq(p->price, "12345678.90");
    ck_assert(p->is_top);
    ck_assert(RF_IS_SET(p, P_OWNER) && RF_IS_NULL(p, P_OWNER));
    ck_assert_int_eq(p->created_at, T0);
    ck_assert_int_eq(p->released, 20424);
    ck_assert(p->weight == 0.1);
    ck_assert_str_eq(p->meta, "{\"a\":[1,2],\"b\":\"x, y: z\"}");
    ck_assert_str_eq(p->uid, "12345678-9abc-def0-1234-56789abcdef0");
}
END_TEST

START_TEST(decimals_keep_their_places)
{
    static const char *const prices[][2] = {
        { "0.10", "0.10" }, { "5", "5.00" }, { "-3.5", "-3.50" }, { "99999999.99", "99999999.99" },
        { "0.01", "0.01" },
    };
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%zu", i);
        t_product *p = load_product(fx_product(name, prices[i][0], 0, T0));
        ck_assert_str_eq(p->price, prices[i][1]);
    }
}
END_TEST

START_TEST(timestamps_keep_microseconds)
{
    static const int64_t times[] = {
        T0, T0 - 123456, 1, 0, -INT64_C(1234567890123456), INT64_C(253402300799999999),
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%zu", i);
        t_product *p = load_product(fx_product(name, "1", 0, times[i]));
        ck_assert_int_eq(p->created_at, times[i]);
    }
}
END_TEST

START_TEST(crud)
{
    int64_t id = fx_product("lamp", "19.99", 0, T0);
    ck_assert_str_eq(load_product(id)->name, "lamp");

    rf_value upd[] = { RF_VTEXT("desk lamp"), RF_VINT(id) };
    rf_result *r = fx_exec(F.db, "UPDATE \"t_product\" SET \"name\" = ? WHERE \"id\" = ?", upd, 2);
    ck_assert_int_eq(rf_result_error(r), RF_DB_OK);
    ck_assert_int_eq(rf_result_affected(r), 1);
    ck_assert_str_eq(load_product(id)->name, "desk lamp");

    rf_value key = RF_VINT(id);
    r = fx_exec(F.db, "DELETE FROM \"t_product\" WHERE \"id\" = ?", &key, 1);
    ck_assert_int_eq(rf_result_error(r), RF_DB_OK);
    ck_assert_int_eq(rf_result_affected(r), 1);
    ck_assert_int_eq(fx_count(F.db, "t_product"), 0);
}
END_TEST

START_TEST(update_or_delete_of_nothing_is_not_found)
{
    rf_value key = RF_VINT(404);
    rf_result *r = fx_exec(F.db, "DELETE FROM \"t_product\" WHERE \"id\" = ?", &key, 1);
    ck_assert_int_eq(rf_result_error(r), RF_DB_NOT_FOUND);
    ck_assert_int_eq(rf_result_affected(r), 0);
    rf_value upd[] = { RF_VTEXT("x"), RF_VINT(404) };
    r = fx_exec(F.db, "UPDATE \"t_product\" SET \"name\" = ? WHERE \"id\" = ?", upd, 2);
    ck_assert_int_eq(rf_result_error(r), RF_DB_NOT_FOUND);
}
END_TEST

START_TEST(unique_violation_is_mapped)
{
    fx_product("lamp", "1", 0, T0);
    rf_value v[] = {
        RF_VTEXT("lamp"), { .type = RF_V_DECIMAL, .u.s = "2" }, RF_VBOOL(false), RF_VNULL,
        { .type = RF_V_DATETIME, .u.i = T0 },
    };
    rf_result *r = fx_exec(F.db, "INSERT INTO \"t_product\" (\"name\", \"price\", \"is_top\", "
                                 "\"owner_id\", \"created_at\") VALUES (?, ?, ?, ?, ?)", v, 5);
    ck_assert_int_eq(rf_result_error(r), RF_DB_UNIQUE);
    ck_assert_int_eq(fx_count(F.db, "t_product"), 1);
}
END_TEST

START_TEST(foreign_key_violation_is_mapped)
{
    rf_value v[] = {
        RF_VINT(999), RF_VINT(5), RF_VTEXT("no such product"),
        { .type = RF_V_DATETIME, .u.i = T0 },
    };
    rf_result *r = fx_exec(F.db, "INSERT INTO \"t_review\" (\"product_id\", \"rating\", "
                                 "\"comment\", \"created_at\") VALUES (?, ?, ?, ?)", v, 4);
    ck_assert_int_eq(rf_result_error(r), RF_DB_FOREIGN_KEY);
    ck_assert_int_eq(fx_count(F.db, "t_review"), 0);
}
END_TEST

START_TEST(on_delete_cascade_and_set_null)
{
    int64_t owner = fx_owner("ann");
    int64_t p = fx_product("lamp", "1", owner, T0);
    fx_review(F.db, p, 5, "great", T0);
    rf_value key = RF_VINT(owner);
    ck_assert_int_eq(rf_result_error(fx_exec(F.db, "DELETE FROM \"t_owner\" WHERE \"id\" = ?",
                                             &key, 1)), RF_DB_OK);
    ck_assert(RF_IS_NULL(load_product(p), P_OWNER));
    key = RF_VINT(p);
    ck_assert_int_eq(rf_result_error(fx_exec(F.db, "DELETE FROM \"t_product\" WHERE \"id\" = ?",
                                             &key, 1)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_review"), 0);
}
END_TEST

/* ---------------------------------------------------------------------
 * Transactions.
 */
static rf_db_error insert_owner_in(rf_ctx *ctx, const char *name)
{
    rf_value v = RF_VTEXT(name);
    return rf_result_error(fx_exec_in(ctx, F.db, "INSERT INTO \"t_owner\" (\"username\") "
                                                 "VALUES (?)", &v, 1));
}

START_TEST(rollback_discards_and_commit_keeps)
{
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "ann"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_rollback(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 0);

    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "bob"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 1);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(failed_request_leaves_nothing_half_written)
{
    fx_owner("taken");
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "first"), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "taken"), RF_DB_UNIQUE);
    ck_assert_int_eq(rf_result_error(fx_rollback(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 1);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(nested_begin_is_a_savepoint)
{
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "outer"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "inner"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_rollback(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "kept"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    rf_result *r = fx_exec(F.db, "SELECT \"username\" FROM \"t_owner\" ORDER BY \"id\"", NULL, 0);
    ck_assert_int_eq(rf_result_nrows(r), 2);
    ck_assert_str_eq(rf_result_text(r, 0, 0), "outer");
    ck_assert_str_eq(rf_result_text(r, 1, 0), "kept");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(request_ending_in_a_transaction_rolls_back)
{
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "abandoned"), RF_DB_OK);
    rf_test_ctx_free(ctx);
    /* the connection (and SQLite's write gate) came back: another request
     * can write, and sees nothing of the abandoned one */
    rf_ctx *next = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(next, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(next, "next"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(next, F.db)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 1);
    rf_test_ctx_free(next);
}
END_TEST

/* SQLite defers a transaction's BEGIN IMMEDIATE to its first statement
 * (db_sqlite.c, begin_on_loop): transactions with no statement, or that
 * start with a savepoint, or that a request leaves right after beginning,
 * end as any other. */
START_TEST(transactions_without_a_statement_end_cleanly)
{
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_rollback(ctx, F.db)), RF_DB_OK);
    /* a savepoint first */
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(ctx, "inner"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 1);
    /* the request goes away right after BEGIN */
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    rf_test_ctx_free(ctx);
    rf_ctx *next = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(next, F.db)), RF_DB_OK);
    ck_assert_int_eq(insert_owner_in(next, "next"), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_commit(next, F.db)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 2);
    /* and after that no transaction is open */
    ck_assert_int_eq(rf_result_error(fx_commit(next, F.db)), RF_DB_FAILED);
    rf_test_ctx_free(next);
}
END_TEST

START_TEST(commit_without_begin_fails)
{
    ck_assert_int_eq(rf_result_error(fx_commit(F.ctx, F.db)), RF_DB_FAILED);
    ck_assert_int_eq(rf_result_error(fx_rollback(F.ctx, F.db)), RF_DB_FAILED);
}
END_TEST

typedef struct answer2 {
    bool done;
    rf_db_error err;
} answer2;

static void on_answer(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    answer2 *a = arg;
    a->err = rf_result_error(res);
    a->done = true;
}

START_TEST(a_transaction_runs_one_statement_at_a_time)
{
    rf_ctx *ctx = fx_ctx();
    ck_assert_int_eq(rf_result_error(fx_begin(ctx, F.db)), RF_DB_OK);
    rf_stmt stmt = { .sql = { "SELECT 1", "SELECT 1" } };
    answer2 first = { 0 }, second = { 0 };
    rf_db_exec(ctx, F.db, &stmt, NULL, 0, on_answer, &first);
    rf_db_exec(ctx, F.db, &stmt, NULL, 0, on_answer, &second);
    fx_wait(&first.done);
    fx_wait(&second.done);
    ck_assert_int_eq(first.err, RF_DB_OK);
    ck_assert_int_eq(second.err, RF_DB_FAILED);
    ck_assert_int_eq(rf_result_error(fx_commit(ctx, F.db)), RF_DB_OK);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(failed_query_answers_per_kind)
{
    static const struct { rf_db_error err; int status; const char *body; } cases[] = {
        { RF_DB_UNAVAILABLE, 503, "{\"detail\":\"Service temporarily unavailable.\"}" },
        { RF_DB_NOT_FOUND, 404, "{\"detail\":\"Not found.\"}" },
        { RF_DB_FAILED, 500, "{\"detail\":\"A server error occurred.\"}" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_ctx *ctx = fx_ctx();
        ck_assert_int_eq(rf_db_fail(ctx, cases[i].err), RF_ERROR);
        fx_expect_response(ctx, cases[i].status, cases[i].body);
        rf_test_ctx_free(ctx);
    }
}
END_TEST

START_TEST(statements_are_prepared_once_per_connection)
{
    fx_owner("ann");
    rf_test_env *env = rf_test_env_new(NULL, 1);        /* one connection */
    ck_assert(rf_test_env_open_db(env, 0, getenv("RF_TEST_DB")));
    rf_db *db = rf_test_env_db(env, 0);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    uint64_t before = rf_db_prepares(db);
    for (int i = 0; i < 5; i++) {
        rf_value id = RF_VINT(i);
        rf_result *r = fx_exec_in(ctx, db, "SELECT \"username\" FROM \"t_owner\" WHERE \"id\" = ?",
                                  &id, 1);
        ck_assert_int_eq(rf_result_nrows(r), i == 1 ? 1 : 0);
    }
    ck_assert_int_eq(rf_db_prepares(db) - before, 1);
    if (rf_db_dialect(db) == RF_POSTGRES) {
        rf_result *r = fx_exec_in(ctx, db, "SELECT COUNT(*) FROM pg_prepared_statements WHERE "
                                  "statement = 'SELECT \"username\" FROM \"t_owner\" WHERE "
                                  "\"id\" = $1'", NULL, 0);
        ck_assert_int_eq(rf_result_int(r, 0, 0), 1);
    }
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

/* The PostFetch's window query builds a transient table: in a temporary
 * file it cost ten times the query (runtime/db_sqlite.c, CONN_PRAGMAS). */
START_TEST(sqlite_keeps_transient_tables_in_memory)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    rf_result *r = fx_exec(F.db, "PRAGMA temp_store", NULL, 0);
    ck_assert_int_eq(rf_result_int(r, 0, 0), 2);   /* MEMORY */
}
END_TEST

/* What a chained COMMIT checks before it runs (generic.c, commit_budget):
 * each cell's text JSON-escaped (six bytes a byte) and 64 bytes around it,
 * times 4 for a buffer's growth; a float JSON cannot hold has no bound. */
START_TEST(render_bound_counts_cells_and_refuses_nonfinite_floats)
{
    rf_result *r = fx_exec(F.db, "SELECT 'ab', NULL, 5", NULL, 0);
    ck_assert_uint_eq(rf_result_render_bound(r), 4 * ((6 * 2 + 64) + 64 + (6 * 1 + 64)));
    r = fx_exec2(F.db, "SELECT 1e999, 'x'", "SELECT 'Infinity'::float8, 'x'", NULL, 0);
    ck_assert_uint_eq(rf_result_render_bound(r), SIZE_MAX);
    r = fx_exec2(F.db, "SELECT -1e999", "SELECT 'NaN'::float8", NULL, 0);
    ck_assert_uint_eq(rf_result_render_bound(r), SIZE_MAX);
    r = fx_exec2(F.db, "SELECT 1.5", "SELECT 1.5::float8", NULL, 0);
    ck_assert_uint_eq(rf_result_render_bound(r), 4 * (6 * 3 + 64));
}
END_TEST

typedef struct loop_answer {
    bool done;
    rf_result *res;
    int order;                  /* answered order-th, counting from 1 */
} loop_answer;

static void loop_answered(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    static int answers;
    loop_answer *a = arg;
    a->res = res;
    a->done = true;
    a->order = ++answers;
}

/* --sqlite-reads-on-loop: an autocommit read runs on the loop's own
 * connection.  It is answered while the only pool connection is pinned by
 * an open transaction (on the pool it would wait for the COMMIT), never
 * from inside rf_db_exec, and it sees what was committed; the
 * transaction's own reads stay on its connection and see its writes. */
START_TEST(sqlite_reads_on_the_loop)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    fx_owner("ann");
    rf_test_env *env = rf_test_env_new(NULL, 1);        /* one pool connection */
    ck_assert(rf_test_env_open_db(env, 0, getenv("RF_TEST_DB")));
    rf_db *db = rf_test_env_db(env, 0);
    char err[256];
    ck_assert_msg(rf_db_sqlite_reads_on_loop(db, 0, 0, err, sizeof err), "%s", err);
    rf_ctx *writer = rf_test_ctx(env, &(rf_test_request){ .method = RF_POST });
    rf_ctx *reader = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    loop_answer begun = { 0 };
    ck_assert_int_eq(rf_db_begin(writer, db, loop_answered, &begun), RF_PENDING);
    while (!begun.done)
        event_base_loop(db->base, EVLOOP_ONCE);
    rf_value bob = RF_VTEXT("bob");
    fx_exec_in(writer, db, "INSERT INTO \"t_owner\" (\"username\") VALUES (?)", &bob, 1);

    const char *count = "SELECT COUNT(*) FROM \"t_owner\"";
    rf_stmt stmt = { .sql = { count, count } };
    loop_answer read = { 0 };
    ck_assert_int_eq(rf_db_exec(reader, db, &stmt, NULL, 0, loop_answered, &read), RF_PENDING);
    ck_assert(!read.done);
    while (!read.done)
        event_base_loop(db->base, EVLOOP_ONCE);
    ck_assert_int_eq(rf_result_int(read.res, 0, 0), 1);
    ck_assert_int_eq(rf_result_int(fx_exec_in(writer, db, count, NULL, 0), 0, 0), 2);

    loop_answer committed = { 0 };
    ck_assert_int_eq(rf_db_commit(writer, db, loop_answered, &committed), RF_PENDING);
    while (!committed.done)
        event_base_loop(db->base, EVLOOP_ONCE);
    ck_assert_int_eq(rf_result_error(committed.res), RF_DB_OK);
    ck_assert_int_eq(rf_result_int(fx_exec_in(reader, db, count, NULL, 0), 0, 0), 2);
    rf_test_ctx_free(writer);
    rf_test_ctx_free(reader);
    rf_test_env_free(env);
}
END_TEST

/* A test env whose database reads on the loop within max_steps, and in
 * a slow lane within slow_max_steps (0: none). */
static rf_test_env *loop_reading_env(int max_steps, int slow_max_steps, rf_db **db)
{
    rf_test_env *env = rf_test_env_new(NULL, 2);
    ck_assert(rf_test_env_open_db(env, 0, getenv("RF_TEST_DB")));
    *db = rf_test_env_db(env, 0);
    char err[256];
    ck_assert_msg(rf_db_sqlite_reads_on_loop(*db, max_steps, slow_max_steps, err, sizeof err),
                  "%s", err);
    return env;
}

/* A JSON array of n zeros, for json_each to count: about 5 steps each. */
static rf_value zeros(rf_ctx *ctx, int n)
{
    rf_buf list;
    rf_buf_init(&list, rf_ctx_arena(ctx), (size_t)n * 2 + 2);
    rf_buf_putc(&list, '[');
    for (int i = 0; i < n; i++)
        rf_buf_puts(&list, i ? ",0" : "0");
    rf_buf_putc(&list, ']');
    return RF_VTEXT(list.data);
}

/* The default: loop reads with a budget of SQLite steps.  A read within
 * it stays on the loop (no trip to the pool); one that outruns it is
 * interrupted and answered from the pool, whole; its statement then goes
 * straight to the pool a while, and the loop's connection keeps no
 * snapshot from the interrupted read: it sees what is committed next. */
START_TEST(sqlite_reads_over_their_budget_go_to_the_pool)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    rf_db *db;
    rf_test_env *env = loop_reading_env(500, 0, &db);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    const char *cheap = "SELECT COUNT(*) FROM \"t_owner\"";
    const char *costly = "SELECT COUNT(*) FROM json_each(?)";
    rf_value numbers = zeros(ctx, 5000);
    uint64_t trips = rf_db_trips(db);
    ck_assert_int_eq(rf_result_int(fx_exec_in(ctx, db, cheap, NULL, 0), 0, 0), 0);
    ck_assert_int_eq(rf_db_trips(db) - trips, 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(rf_result_int(fx_exec_in(ctx, db, costly, &numbers, 1), 0, 0), 5000);
        ck_assert_int_eq(rf_db_trips(db) - trips, i + 1);
    }
    rf_value bob = RF_VTEXT("bob");
    fx_exec_in(ctx, db, "INSERT INTO \"t_owner\" (\"username\") VALUES (?)", &bob, 1);
    trips = rf_db_trips(db);
    ck_assert_int_eq(rf_result_int(fx_exec_in(ctx, db, cheap, NULL, 0), 0, 0), 1);
    ck_assert_int_eq(rf_db_trips(db) - trips, 0);
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

/* The reads a pass queues for the loop run in one read transaction (one
 * snapshot, SQLite's read lock taken once), started after every one of
 * them was asked for; the next pass's reads get a new one, which sees
 * what was committed in between. */
START_TEST(sqlite_loop_reads_of_one_pass_share_a_snapshot)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    rf_db *db;
    rf_test_env *env = loop_reading_env(1000, 0, &db);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    const char *count = "SELECT COUNT(*) FROM \"t_owner\"";
    rf_stmt stmt = { .sql = { count, count } };
    loop_answer reads[3] = { { 0 } };
    uint64_t snapshots = rf_db_snapshots(db), trips = rf_db_trips(db);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(rf_db_exec(ctx, db, &stmt, NULL, 0, loop_answered, &reads[i]), RF_PENDING);
    while (!reads[2].done)
        event_base_loop(db->base, EVLOOP_ONCE);
    for (int i = 0; i < 3; i++) {
        ck_assert(reads[i].done);
        ck_assert_int_eq(rf_result_int(reads[i].res, 0, 0), 0);
    }
    ck_assert_int_eq(rf_db_snapshots(db) - snapshots, 1);
    ck_assert_int_eq(rf_db_trips(db) - trips, 0);
    rf_value bob = RF_VTEXT("bob");
    fx_exec_in(ctx, db, "INSERT INTO \"t_owner\" (\"username\") VALUES (?)", &bob, 1);
    ck_assert_int_eq(rf_result_int(fx_exec_in(ctx, db, count, NULL, 0), 0, 0), 1);
    ck_assert_int_eq(rf_db_snapshots(db) - snapshots, 2);
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

/* The slow lane: a read past the quick lane's budget runs again on the
 * loop, whole, within the slow lane's (no trip), and its statement goes
 * straight there next time; one past the slow lane's budget goes to the
 * pool. */
START_TEST(sqlite_slow_reads_stay_on_the_loop_within_their_budget)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    rf_db *db;
    rf_test_env *env = loop_reading_env(500, 20000, &db);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    const char *slow = "SELECT COUNT(*) FROM json_each(?)";
    const char *slower = "SELECT COUNT(*) AS n FROM json_each(?)";
    rf_value some = zeros(ctx, 1000), many = zeros(ctx, 20000);
    uint64_t trips = rf_db_trips(db), snapshots = rf_db_snapshots(db);
    ck_assert_int_eq(rf_result_int(fx_exec_in(ctx, db, slow, &some, 1), 0, 0), 1000);
    ck_assert_int_eq(rf_db_trips(db) - trips, 0);
    ck_assert_int_eq(rf_db_snapshots(db) - snapshots, 2);      /* quick, then slow */
    ck_assert_int_eq(rf_result_int(fx_exec_in(ctx, db, slow, &some, 1), 0, 0), 1000);
    ck_assert_int_eq(rf_db_trips(db) - trips, 0);
    ck_assert_int_eq(rf_db_snapshots(db) - snapshots, 3);      /* slow only */
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(rf_result_int(fx_exec_in(ctx, db, slower, &many, 1), 0, 0), 20000);
        ck_assert_int_eq(rf_db_trips(db) - trips, i + 1);
    }
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

/* The slow lane runs after the quick reads of the pass, and starts reads
 * while the pass spent less than its budget on them: with a budget of
 * 10,000 steps and reads of 6,000, two a pass.  A quick read asked with
 * three slow ones is answered first, and the third slow read waits for
 * the next pass. */
START_TEST(sqlite_slow_lane_takes_a_budget_of_reads_a_pass_after_the_quick_ones)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    rf_db *db;
    rf_test_env *env = loop_reading_env(500, 10000, &db);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    const char *slow = "SELECT COUNT(*) FROM json_each(?)";
    const char *quick = "SELECT COUNT(*) FROM \"t_owner\"";
    rf_value some = zeros(ctx, 3000);
    fx_exec_in(ctx, db, slow, &some, 1);        /* now known to be slow */
    rf_stmt slow_stmt = { .sql = { slow, slow } }, quick_stmt = { .sql = { quick, quick } };
    loop_answer slows[3] = { { 0 } }, quick_one = { 0 };
    uint64_t trips = rf_db_trips(db), snapshots = rf_db_snapshots(db);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(rf_db_exec(ctx, db, &slow_stmt, &some, 1, loop_answered, &slows[i]),
                         RF_PENDING);
    ck_assert_int_eq(rf_db_exec(ctx, db, &quick_stmt, NULL, 0, loop_answered, &quick_one),
                     RF_PENDING);
    event_base_loop(db->base, EVLOOP_ONCE);
    ck_assert(quick_one.done && slows[0].done && slows[1].done && !slows[2].done);
    ck_assert_int_lt(quick_one.order, slows[0].order);
    ck_assert_int_eq(rf_db_snapshots(db) - snapshots, 2);      /* quick lane, slow lane */
    event_base_loop(db->base, EVLOOP_ONCE);
    ck_assert(slows[2].done);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(rf_result_int(slows[i].res, 0, 0), 3000);
    ck_assert_int_eq(rf_result_int(quick_one.res, 0, 0), 0);
    ck_assert_int_eq(rf_db_trips(db) - trips, 0);
    ck_assert_int_eq(rf_db_snapshots(db) - snapshots, 3);
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

Suite *make_db_core_suite(void)
{
    Suite *s = suite_create("db_core");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, typed_values_round_trip);
    tcase_add_test(tc, decimals_keep_their_places);
    tcase_add_test(tc, timestamps_keep_microseconds);
    tcase_add_test(tc, crud);
    tcase_add_test(tc, update_or_delete_of_nothing_is_not_found);
    tcase_add_test(tc, unique_violation_is_mapped);
    tcase_add_test(tc, foreign_key_violation_is_mapped);
    tcase_add_test(tc, on_delete_cascade_and_set_null);
    tcase_add_test(tc, rollback_discards_and_commit_keeps);
    tcase_add_test(tc, failed_request_leaves_nothing_half_written);
    tcase_add_test(tc, nested_begin_is_a_savepoint);
    tcase_add_test(tc, request_ending_in_a_transaction_rolls_back);
    tcase_add_test(tc, transactions_without_a_statement_end_cleanly);
    tcase_add_test(tc, commit_without_begin_fails);
    tcase_add_test(tc, a_transaction_runs_one_statement_at_a_time);
    tcase_add_test(tc, failed_query_answers_per_kind);
    tcase_add_test(tc, statements_are_prepared_once_per_connection);
    tcase_add_test(tc, sqlite_keeps_transient_tables_in_memory);
    tcase_add_test(tc, sqlite_reads_on_the_loop);
    tcase_add_test(tc, sqlite_reads_over_their_budget_go_to_the_pool);
    tcase_add_test(tc, sqlite_loop_reads_of_one_pass_share_a_snapshot);
    tcase_add_test(tc, sqlite_slow_reads_stay_on_the_loop_within_their_budget);
    tcase_add_test(tc, sqlite_slow_lane_takes_a_budget_of_reads_a_pass_after_the_quick_ones);
    tcase_add_test(tc, render_bound_counts_cells_and_refuses_nonfinite_floats);
    suite_add_tcase(s, tc);
    return s;
}
