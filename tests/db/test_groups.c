/*
 * test_groups.c: SQLite's write groups (db_sqlite.c).  A transaction that
 * is one job (BEGIN, a write with its reload and its COMMIT chained along,
 * as a create or an update) shares one SQLite transaction and one trip
 * with the others waiting at the write gate; a member that would not have
 * ended as it does alone runs again alone.  SQLite only: PostgreSQL does
 * not chain.
 */
#include <string.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "fixture.h"

#define NJOBS 5

/* One transaction that is one job, and what it was answered. */
typedef struct one_job {
    rf_ctx *ctx;
    bool begun, written;
    rf_result *write, *reload, *commit;
} one_job;

static void on_begun(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    one_job *j = arg;
    ck_assert_int_eq(rf_result_error(res), RF_DB_OK);
    j->begun = true;
}

static void on_written(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    one_job *j = arg;
    j->write = res;
    j->written = true;
}

static void on_reloaded(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    ((one_job *)arg)->reload = res;
}

static void on_committed(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    ((one_job *)arg)->commit = res;
}

/* The reload's key: the id the write returned. */
static void returned_id(rf_value *first, const rf_result *head, rf_arena *a, const void *arg)
{
    (void)a;
    (void)arg;
    *first = RF_VINT(rf_result_int(head, 0, 0));
}

static const char *insert_owner = "INSERT INTO \"t_owner\" (\"username\") VALUES (?) RETURNING \"id\"";
static const char *reload_owner = "SELECT \"username\" FROM \"t_owner\" WHERE \"id\" = ?";

/* BEGIN, answered on the loop without a trip (the transaction holds no
 * connection and no lock before its first statement). */
static void begin_job(rf_db *db, one_job *j)
{
    uint64_t trips = rf_db_trips(db);
    j->ctx = fx_ctx();
    ck_assert_int_eq(rf_db_begin(j->ctx, db, on_begun, j), RF_PENDING);
    fx_wait(&j->begun);
    ck_assert_int_eq(rf_db_trips(db) - trips, 0);
}

/* The job's write, its reload and its COMMIT, in one call; the COMMIT
 * runs when the reloaded row renders within budget bytes. */
static void submit_job(rf_db *db, one_job *j, const char *insert, const char *reload,
                       rf_value value, size_t budget)
{
    rf_value key = RF_VNULL;
    rf_db_then then[] = {
        { .sql = reload, .nparams = 1, .params = &key, .derive = returned_id,
          .cb = on_reloaded, .arg = j },
        { .commit = true, .follows = 1, .commit_budget = budget, .cb = on_committed, .arg = j },
    };
    ck_assert(rf_db_can_chain_commit(j->ctx, db));
    rf_stmt stmt = { .sql = { insert, insert } };
    ck_assert_int_eq(rf_db_exec_chained(j->ctx, db, &stmt, &value, 1, on_written, j, then, 2),
                     RF_PENDING);
}

/* NJOBS jobs: all begun, then all submitted at once (the first finds the
 * gate free and runs alone; the others wait for it, then go together),
 * then waited for. */
static void run_jobs(rf_db *db, one_job *jobs, const char *insert, const char *reload,
                     const rf_value *values, const size_t *budgets)
{
    for (int i = 0; i < NJOBS; i++)
        begin_job(db, &jobs[i]);
    for (int i = 0; i < NJOBS; i++)
        submit_job(db, &jobs[i], insert, reload, values[i], budgets ? budgets[i] : SIZE_MAX);
    for (int i = 0; i < NJOBS; i++)
        fx_wait(&jobs[i].written);
}

static void assert_committed(const one_job *j, const char *name)
{
    ck_assert_msg(rf_result_error(j->write) == RF_DB_OK, "%s", rf_result_message(j->write));
    ck_assert_str_eq(rf_result_text(j->reload, 0, 0), name);
    ck_assert_int_eq(rf_result_error(j->commit), RF_DB_OK);
    ck_assert_int_eq(rf_result_affected(j->commit), 1);
}

/* Every job committed with its write, but the one at `except` (-1: none). */
static void assert_all_committed_but(const one_job *jobs, const rf_value *values, int except)
{
    for (int i = 0; i < NJOBS; i++)
        if (i != except)
            assert_committed(&jobs[i], values[i].u.s);
}

static void free_jobs(one_job *jobs)
{
    for (int i = 0; i < NJOBS; i++)
        rf_test_ctx_free(jobs[i].ctx);
}

static const rf_value names[NJOBS] = {
    RF_VTEXT("ann"), RF_VTEXT("bob"), RF_VTEXT("cid"), RF_VTEXT("dee"), RF_VTEXT("eve"),
};

/* The four that waited for the first went in one trip, each answered as
 * alone, and all of them are committed. */
START_TEST(one_job_transactions_waiting_at_the_gate_share_one_trip)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    one_job jobs[NJOBS] = { 0 };
    uint64_t trips = rf_db_trips(F.db);
    run_jobs(F.db, jobs, insert_owner, reload_owner, names, NULL);
    ck_assert_int_eq(rf_db_trips(F.db) - trips, 2);
    assert_all_committed_but(jobs, names, -1);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), NJOBS);
    free_jobs(jobs);
}
END_TEST

/* A member whose write fails is rolled back to its savepoint and runs
 * again alone (one more trip), where it fails as it always did: the
 * unique violation, its reload and COMMIT not run, its transaction still
 * open for the request to roll back.  The others are committed. */
START_TEST(a_failing_member_runs_again_alone_and_fails_as_alone)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    fx_owner("taken");
    rf_value values[NJOBS] = {
        RF_VTEXT("ann"), RF_VTEXT("bob"), RF_VTEXT("taken"), RF_VTEXT("dee"), RF_VTEXT("eve"),
    };
    one_job jobs[NJOBS] = { 0 };
    uint64_t trips = rf_db_trips(F.db);
    run_jobs(F.db, jobs, insert_owner, reload_owner, values, NULL);
    ck_assert_int_eq(rf_db_trips(F.db) - trips, 3);
    ck_assert_int_eq(rf_result_error(jobs[2].write), RF_DB_UNIQUE);
    ck_assert_int_ne(rf_result_error(jobs[2].reload), RF_DB_OK);
    ck_assert_int_ne(rf_result_error(jobs[2].commit), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_rollback(jobs[2].ctx, F.db)), RF_DB_OK);
    assert_all_committed_but(jobs, values, 2);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), NJOBS);
    free_jobs(jobs);
}
END_TEST

/* A member whose row does not fit its COMMIT's budget cannot stay open
 * inside the group: it runs again alone, where its transaction stays open
 * (affected 0) with the row written, for the request to commit. */
START_TEST(a_member_over_its_commit_budget_runs_again_alone_and_stays_open)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    size_t budgets[NJOBS] = { SIZE_MAX, SIZE_MAX, SIZE_MAX, 0, SIZE_MAX };
    one_job jobs[NJOBS] = { 0 };
    uint64_t trips = rf_db_trips(F.db);
    run_jobs(F.db, jobs, insert_owner, reload_owner, names, budgets);
    ck_assert_int_eq(rf_db_trips(F.db) - trips, 3);
    ck_assert_int_eq(rf_result_error(jobs[3].write), RF_DB_OK);
    ck_assert_str_eq(rf_result_text(jobs[3].reload, 0, 0), "dee");
    ck_assert_int_eq(rf_result_error(jobs[3].commit), RF_DB_OK);
    ck_assert_int_eq(rf_result_affected(jobs[3].commit), 0);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), NJOBS - 1);
    ck_assert_int_eq(rf_result_error(fx_commit(jobs[3].ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), NJOBS);
    assert_all_committed_but(jobs, names, 3);
    free_jobs(jobs);
}
END_TEST

/* A table whose key is checked at COMMIT, as Django makes them. */
static void create_notes(void)
{
    fx_exec(F.db, "CREATE TABLE \"t_note\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
                  "\"owner_id\" integer NOT NULL REFERENCES \"t_owner\" (\"id\") "
                  "DEFERRABLE INITIALLY DEFERRED)", NULL, 0);
}

/* A deferred foreign key fails at COMMIT, not at the write.  A member
 * that leaves one unresolved would fail the group's COMMIT: it is rolled
 * back to its savepoint at once and runs again alone, where its COMMIT
 * fails (and its transaction ends); the group commits the others in its
 * one trip. */
START_TEST(a_member_with_a_deferred_key_unresolved_commits_alone_and_fails)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    create_notes();
    int64_t ann = fx_owner("ann");
    rf_value owners[NJOBS] = {
        RF_VINT(ann), RF_VINT(ann), RF_VINT(ann + 99), RF_VINT(ann), RF_VINT(ann),
    };
    one_job jobs[NJOBS] = { 0 };
    uint64_t trips = rf_db_trips(F.db);
    run_jobs(F.db, jobs, "INSERT INTO \"t_note\" (\"owner_id\") VALUES (?) RETURNING \"id\"",
             "SELECT CAST(\"owner_id\" AS text) FROM \"t_note\" WHERE \"id\" = ?", owners, NULL);
    ck_assert_int_eq(rf_db_trips(F.db) - trips, 3);
    ck_assert_int_eq(rf_result_error(jobs[2].write), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(jobs[2].commit), RF_DB_FOREIGN_KEY);
    ck_assert_int_eq(fx_count(F.db, "t_note"), NJOBS - 1);
    for (int i = 0; i < NJOBS; i++) {
        if (i == 2)
            continue;
        ck_assert_int_eq(rf_result_error(jobs[i].commit), RF_DB_OK);
        ck_assert_int_eq(rf_result_affected(jobs[i].commit), 1);
    }
    free_jobs(jobs);
}
END_TEST

/* A transaction holds nothing before its first statement: an autocommit
 * write goes through while it is open, and its COMMIT with nothing before
 * it takes no trip. */
START_TEST(a_transaction_holds_the_gate_from_its_first_statement)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    one_job open = { 0 };
    begin_job(F.db, &open);
    fx_owner("ann");
    uint64_t trips = rf_db_trips(F.db);
    ck_assert_int_eq(rf_result_error(fx_commit(open.ctx, F.db)), RF_DB_OK);
    ck_assert_int_eq(rf_db_trips(F.db) - trips, 0);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 1);
    rf_test_ctx_free(open.ctx);
}
END_TEST

/* Autocommit writes waiting at the gate group too.  One that fails is
 * undone and answered with its error from the group, with no trip more
 * (alone it would have left nothing either); one leaving a deferred key
 * unresolved runs again alone, where its COMMIT fails. */
START_TEST(autocommit_writes_waiting_at_the_gate_share_one_trip)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    create_notes();
    int64_t ann = fx_owner("ann");
    const char *owner = "INSERT INTO \"t_owner\" (\"username\") VALUES (?)";
    const char *gone = "DELETE FROM \"t_owner\" WHERE \"username\" = ?";
    const char *note = "INSERT INTO \"t_note\" (\"owner_id\") VALUES (?)";
    struct { const char *sql; rf_value value; rf_db_error expect; } writes[] = {
        { owner, RF_VTEXT("bob"), RF_DB_OK },           /* alone: the gate is free */
        { owner, RF_VTEXT("cid"), RF_DB_OK },
        { owner, RF_VTEXT("ann"), RF_DB_UNIQUE },
        { gone, RF_VTEXT("nobody"), RF_DB_NOT_FOUND },
        { note, RF_VINT(ann + 99), RF_DB_FOREIGN_KEY },  /* again alone */
        { note, RF_VINT(ann), RF_DB_OK },
    };
    enum { NWRITES = sizeof writes / sizeof writes[0] };
    fx_answer answers[NWRITES] = { 0 };
    uint64_t trips = rf_db_trips(F.db);
    for (int i = 0; i < NWRITES; i++) {
        rf_stmt stmt = { .sql = { writes[i].sql, writes[i].sql } };
        ck_assert_int_eq(rf_db_exec(F.ctx, F.db, &stmt, &writes[i].value, 1, fx_answered,
                                    &answers[i]), RF_PENDING);
    }
    for (int i = 0; i < NWRITES; i++) {
        fx_wait(&answers[i].done);
        ck_assert_msg(rf_result_error(answers[i].res) == writes[i].expect, "write %d: %s", i,
                      rf_result_message(answers[i].res));
    }
    ck_assert_int_eq(rf_db_trips(F.db) - trips, 3);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 3);
    ck_assert_int_eq(fx_count(F.db, "t_note"), 1);
}
END_TEST

/* Another process's hold on the write lock, on the test database. */
static sqlite3 *hold_write_lock(void)
{
    const char *url = getenv("RF_TEST_DB");
    sqlite3 *other;
    ck_assert_int_eq(sqlite3_open(url + strlen("sqlite:"), &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    return other;
}

/* Writers whose BEGIN IMMEDIATE stays busy past its retries fail the
 * same way alone (the first) and in a group (the others): the write
 * answered unavailable (503), its reload and COMMIT not run, the
 * transaction over, nothing written.  Each answer is built in a result
 * arena the writer took, which goes back to the database's spares (the
 * arenas of the reload and the COMMIT used to leak here: valgrind on this
 * test showed them lost). */
START_TEST(writers_that_cannot_begin_fail_alone_or_grouped)
{
    if (rf_db_dialect(F.db) != RF_SQLITE)
        return;
    rf_db_sqlite_busy_timeout(F.db, 10);
    sqlite3 *other = hold_write_lock();
    one_job jobs[NJOBS] = { 0 };
    uint64_t trips = rf_db_trips(F.db);
    run_jobs(F.db, jobs, insert_owner, reload_owner, names, NULL);
    ck_assert_int_eq(rf_db_trips(F.db) - trips, 2);
    for (int i = 0; i < NJOBS; i++) {
        ck_assert_int_eq(rf_result_error(jobs[i].write), RF_DB_UNAVAILABLE);
        ck_assert_int_eq(rf_result_error(jobs[i].reload), RF_DB_UNAVAILABLE);
        ck_assert_int_eq(rf_result_error(jobs[i].commit), RF_DB_UNAVAILABLE);
        ck_assert_int_eq(rf_result_error(fx_commit(jobs[i].ctx, F.db)), RF_DB_FAILED);
    }
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    ck_assert_int_eq(fx_count(F.db, "t_owner"), 0);
    free_jobs(jobs);
}
END_TEST

Suite *make_db_groups_suite(void)
{
    Suite *s = suite_create("db_write_groups");
    TCase *tc = tcase_create("groups");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_job_transactions_waiting_at_the_gate_share_one_trip);
    tcase_add_test(tc, a_failing_member_runs_again_alone_and_fails_as_alone);
    tcase_add_test(tc, a_member_over_its_commit_budget_runs_again_alone_and_stays_open);
    tcase_add_test(tc, a_member_with_a_deferred_key_unresolved_commits_alone_and_fails);
    tcase_add_test(tc, a_transaction_holds_the_gate_from_its_first_statement);
    tcase_add_test(tc, writers_that_cannot_begin_fail_alone_or_grouped);
    tcase_add_test(tc, autocommit_writes_waiting_at_the_gate_share_one_trip);
    suite_add_tcase(s, tc);
    return s;
}
