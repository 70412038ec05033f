/*
 * test_concurrency.c: many writers at once, in one process and in several
 * processes on the same database: every transaction commits, nothing is
 * lost, no "database is locked" reaches anyone.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "fixture.h"

#define WRITERS 40
#define PROCESSES 3

static const char *const counter_ddl =
    "CREATE TABLE \"t_counter\" (\"id\" integer NOT NULL PRIMARY KEY, \"n\" integer NOT NULL)";

static void counter_setup(void)
{
    fx_setup();
    fx_exec(F.db, "DROP TABLE IF EXISTS \"t_counter\"", NULL, 0);
    ck_assert_int_eq(rf_result_error(fx_exec(F.db, counter_ddl, NULL, 0)), RF_DB_OK);
    ck_assert_int_eq(rf_result_error(fx_exec(F.db, "INSERT INTO \"t_counter\" VALUES (1, 0)",
                                             NULL, 0)), RF_DB_OK);
}

/* One request: BEGIN, insert a row, bump the counter, COMMIT. */
typedef struct writer {
    rf_ctx *ctx;
    rf_db *db;
    char name[32];
    int step;
    rf_db_error err;
    int *running;
} writer;

static void writer_step(rf_ctx *ctx, rf_result *res, void *arg)
{
    writer *w = arg;
    if (res && rf_result_error(res) != RF_DB_OK) {
        w->err = rf_result_error(res);
        w->step = 4;
    }
    rf_value name = RF_VTEXT(w->name);
    rf_stmt insert = { .sql = { "INSERT INTO \"t_owner\" (\"username\") VALUES (?)",
                                "INSERT INTO \"t_owner\" (\"username\") VALUES (?)" } };
    rf_stmt bump = { .sql = { "UPDATE \"t_counter\" SET \"n\" = \"n\" + 1 WHERE \"id\" = 1",
                              "UPDATE \"t_counter\" SET \"n\" = \"n\" + 1 WHERE \"id\" = 1" } };
    switch (w->step++) {
    case 0:
        rf_db_begin(ctx, w->db, writer_step, w);
        break;
    case 1:
        rf_db_exec(ctx, w->db, &insert, &name, 1, writer_step, w);
        break;
    case 2:
        rf_db_exec(ctx, w->db, &bump, NULL, 0, writer_step, w);
        break;
    case 3:
        rf_db_commit(ctx, w->db, writer_step, w);
        break;
    default:
        (*w->running)--;
        break;
    }
}

/* Start WRITERS requests at once on env's database 0; true when every one
 * committed. */
static bool run_writers(rf_test_env *env, const char *prefix)
{
    writer ws[WRITERS];
    int running = WRITERS;
    for (int i = 0; i < WRITERS; i++) {
        ws[i] = (writer){ .ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_POST }),
                          .db = rf_test_env_db(env, 0), .running = &running };
        snprintf(ws[i].name, sizeof ws[i].name, "%s%d", prefix, i);
        writer_step(ws[i].ctx, NULL, &ws[i]);
    }
    while (running > 0)
        event_base_loop(rf_test_env_base(env), EVLOOP_ONCE);
    bool ok = true;
    for (int i = 0; i < WRITERS; i++) {
        if (ws[i].err != RF_DB_OK) {
            fprintf(stderr, "writer %s: error kind %d\n", ws[i].name, ws[i].err);
            ok = false;
        }
        rf_test_ctx_free(ws[i].ctx);
    }
    return ok;
}

static int64_t counter(void)
{
    rf_result *r = fx_exec(F.db, "SELECT \"n\" FROM \"t_counter\"", NULL, 0);
    return rf_result_int(r, 0, 0);
}

START_TEST(concurrent_writers_in_one_process)
{
    ck_assert(run_writers(F.env, "w"));
    ck_assert_int_eq(fx_count(F.db, "t_owner"), WRITERS);
    ck_assert_int_eq(counter(), WRITERS);
}
END_TEST

/* A child process: its own loop, pool and connections on the same
 * database, as a --workers N server has. */
static int child_writers(int index)
{
    rf_test_env *env = rf_test_env_new(NULL, 4);
    if (!rf_test_env_open_db(env, 0, getenv("RF_TEST_DB")))
        return 2;
    char prefix[16];
    snprintf(prefix, sizeof prefix, "c%d-", index);
    bool ok = run_writers(env, prefix);
    rf_test_env_free(env);
    return ok ? 0 : 1;
}

START_TEST(concurrent_writers_in_several_processes)
{
    pid_t pids[PROCESSES];
    for (int i = 0; i < PROCESSES; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0)
            _exit(child_writers(i));
    }
    for (int i = 0; i < PROCESSES; i++) {
        int status;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "process %d failed (status %d)", i, status);
    }
    ck_assert_int_eq(fx_count(F.db, "t_owner"), WRITERS * PROCESSES);
    ck_assert_int_eq(counter(), WRITERS * PROCESSES);
}
END_TEST

typedef struct reader {
    int *running;
    rf_db_error err;
    int64_t count;
} reader;

static void on_read(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    reader *r = arg;
    r->err = rf_result_error(res);
    r->count = rf_result_int(res, 0, 0);
    (*r->running)--;
}

/* More statements at once than connections: they wait, or share a
 * connection's pipeline (PostgreSQL), and all answer. */
START_TEST(many_readers_at_once)
{
    fx_owner("ann");
    enum { READERS = 100 };
    reader rs[READERS];
    int running = READERS;
    rf_stmt count = { .sql = { "SELECT COUNT(*) FROM \"t_owner\"",
                               "SELECT COUNT(*) FROM \"t_owner\"" } };
    for (int i = 0; i < READERS; i++) {
        rs[i] = (reader){ .running = &running };
        rf_db_exec(F.ctx, F.db, &count, NULL, 0, on_read, &rs[i]);
    }
    while (running > 0)
        event_base_loop(rf_test_env_base(F.env), EVLOOP_ONCE);
    for (int i = 0; i < READERS; i++) {
        ck_assert_int_eq(rs[i].err, RF_DB_OK);
        ck_assert_int_eq(rs[i].count, 1);
    }
}
END_TEST

Suite *make_db_concurrency_suite(void)
{
    Suite *s = suite_create("db_concurrency");
    TCase *tc = tcase_create("writers");
    tcase_add_checked_fixture(tc, counter_setup, fx_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, concurrent_writers_in_one_process);
    tcase_add_test(tc, concurrent_writers_in_several_processes);
    tcase_add_test(tc, many_readers_at_once);
    suite_add_tcase(s, tc);
    return s;
}
