/*
 * db_sqlite.c: the embedded SQLite backend.
 *
 * Threads and connections.  Each SQLite database gets N connections and a
 * thread pool of its own with N threads (N = the pool size).  A connection
 * is checked out on the loop thread, for one statement (autocommit) or for
 * a whole transaction (BEGIN ... COMMIT, across several trips through the
 * loop), and the statement runs on whichever pool thread is free.  At most
 * N connections are out, so every submitted job finds a thread: nothing
 * ever waits inside a thread for a connection.  The pool is not the
 * server's shared one because a blocking hook on that pool may wait, in
 * rf_sync_call, for a query: sharing would let such hooks take every thread
 * and starve the query they wait for.
 *
 * Writers.  SQLite admits one writer at a time.  Within a process, writers
 * queue on the loop for the write gate (one write transaction or one
 * autocommit write at a time), so they never spin in SQLite's busy handler
 * holding a thread while the writer they wait for needs one.  Readers never
 * wait for the gate (WAL: readers and the writer do not block each other).
 * A transaction holds nothing until its first statement, which takes the
 * gate; transactions that are one job (their COMMIT chained along) and
 * autocommit writes that wait at the gate together run as one write
 * group (below).
 * Across processes (--workers N on one file) SQLite's busy timeout makes a
 * writer wait for the other process's transaction; write transactions take
 * the write lock up front (BEGIN IMMEDIATE), so a busy error can only come
 * at the start, where retrying is safe.  What still fails after the retries
 * is reported as RF_DB_UNAVAILABLE (503), never as "database is locked".
 *
 * Results are materialised on the worker thread into the result's own
 * arena, then handed to the loop.  Result arenas are recycled: the loop
 * takes one when an op gets a connection and gets it back, reset, when the
 * request releases the result, so a steady load allocates nothing here.
 *
 * ":memory:" is one database per connection in SQLite, so an in-memory
 * database has a single connection: every statement takes its turn.
 *
 * Reads on the loop (--sqlite-loop-read-steps, docs/persistence.md).  A
 * hop to a pool thread and back costs two context switches and about ten
 * system calls, more than an indexed read; so an autocommit read runs on a
 * connection of the loop's own, on the loop thread, and its answer is
 * delivered from the loop's active queue (never from inside submit).  The
 * loop waits for that read, so it has a budget of SQLite steps: past it
 * the read is interrupted, dropped, and run again in the loop's slow lane
 * (on one CPU) or on the pool, where its statement goes for a while.  That
 * connection never waits for a lock (no busy timeout): a read SQLite
 * answers busy goes to the pool too.  Writes and transactions always run
 * on the pool.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include <event2/event.h>

#include "db_internal.h"
#include "pool.h"
#include "serializer.h"
#include "sqlite_regexp.h"

#define SQ_DEFAULT_POOL 4
#define SQ_BUSY_TIMEOUT_MS 5000
#define SQ_BUSY_RETRIES 3
#define SQ_CACHE_BUCKETS 64
#define SQ_CACHE_MAX 256        /* statements kept per connection */
#define SQ_GROUP_MAX 64         /* transactions in one write group */
#define SQ_SPARE_RESULTS 256    /* result arenas kept for reuse: one per request
                                   in flight, as the worker keeps its own */

typedef struct sq_cached {
    struct sq_cached *next;
    char *sql;
    sqlite3_stmt *stmt;
    int pool_turns;             /* loop connection: reads sent to the pool
                                   before this statement tries the loop again */
    int slow_turns;             /* loop connection: reads run in the slow
                                   lane before it tries the quick one again */
} sq_cached;

typedef struct sq_conn {
    struct sq_conn *next_free;
    bool begin_owed;            /* pinned by a transaction whose BEGIN IMMEDIATE
                                   runs with its first statement (pump) */
    sqlite3 *handle;
    sq_cached *cache[SQ_CACHE_BUCKETS];
    int ncached;
} sq_conn;

typedef struct op_queue {
    rf_db_op *head, *tail;
} op_queue;

/* The spare result arenas (loop thread only).  Results may be released
 * after the database closed (with the request that holds them), so the
 * home lives until the last of them came back. */
typedef struct sq_home {
    int refs;                   /* the database's, and one per result out */
    bool closed;
    int nspare;
    rf_arena *spare[SQ_SPARE_RESULTS];
} sq_home;

typedef struct sq_db {
    sq_home *home;
    rf_pool *pool;
    sq_conn *conns;
    int nconns;
    sq_conn *free_conns;
    bool write_gate_taken;
    bool closing;
    op_queue readers, writers;  /* waiting for a connection (and the gate) */
    char *path;                 /* what the connections opened */
    sq_conn *loop_conn;         /* reads on the loop; NULL: off */
    int loop_max_steps;         /* a loop read's budget; 0: none */
    int slow_max_steps;         /* a slow-lane read's budget; 0: no lane */
    int loop_limit;             /* the budget of the loop read under way */
    int loop_steps;             /* what the loop read under way took */
    op_queue loop_reads;        /* to run on the loop, this pass */
    op_queue slow_reads;        /* to run on the loop, a budget a pass */
    struct event *slow_ev;      /* pending while slow_reads is not empty */
    op_queue answered;          /* answered on the loop, waiting for delivery */
    struct event *deliver_ev;   /* activated while either is not empty */
} sq_db;

/* ---------------------------------------------------------------------
 * Statement cache, per connection, keyed by the SQL text.
 */
static sq_cached **cache_slot(sq_conn *c, const char *sql, unsigned hash)
{
    sq_cached **p = &c->cache[hash % SQ_CACHE_BUCKETS];
    while (*p && strcmp((*p)->sql, sql) != 0)
        p = &(*p)->next;
    return p;
}

/* The prepared statement for sql, prepared on first use.  *temporary tells
 * the caller to finalize it: the cache is full (dynamic SQL of unusual
 * shapes should not grow it without bound). */
static int cached_statement(rf_db *db, sq_conn *c, const char *sql, unsigned hash,
                            sqlite3_stmt **stmt, bool *temporary)
{
    sq_cached **slot = cache_slot(c, sql, hash);
    *temporary = false;
    if (*slot) {
        *stmt = (*slot)->stmt;
        return SQLITE_OK;
    }
    bool keep = c->ncached < SQ_CACHE_MAX;
    int rc = sqlite3_prepare_v3(c->handle, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0,
                                stmt, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rf_db_count_prepare(db);
    if (!keep) {
        *temporary = true;
        return SQLITE_OK;
    }
    sq_cached *e = malloc(sizeof *e);
    if (!e)
        abort();
    e->next = NULL;
    e->sql = strdup(sql);
    e->stmt = *stmt;
    e->pool_turns = 0;
    e->slow_turns = 0;
    *slot = e;
    c->ncached++;
    return SQLITE_OK;
}

static void cache_clear(sq_conn *c)
{
    for (int i = 0; i < SQ_CACHE_BUCKETS; i++) {
        while (c->cache[i]) {
            sq_cached *e = c->cache[i];
            c->cache[i] = e->next;
            sqlite3_finalize(e->stmt);
            free(e->sql);
            free(e);
        }
    }
    c->ncached = 0;
}

/* ---------------------------------------------------------------------
 * Result arenas.
 */
static sq_home *home_new(void)
{
    sq_home *h = calloc(1, sizeof *h);
    if (!h)
        abort();
    h->refs = 1;
    return h;
}

static void home_unref(sq_home *h)
{
    if (--h->refs > 0)
        return;
    while (h->nspare > 0)
        rf_arena_free(h->spare[--h->nspare]);
    free(h);
}

static rf_arena *home_take(sq_home *h)
{
    h->refs++;
    return h->nspare > 0 ? h->spare[--h->nspare] : rf_arena_new(0);
}

static void home_give_back(void *home, rf_arena *a)
{
    sq_home *h = home;
    if (!h->closed && h->nspare < SQ_SPARE_RESULTS) {
        rf_arena_reset(a);
        h->spare[h->nspare++] = a;
    } else {
        rf_arena_free(a);
    }
    home_unref(h);
}

static void home_close(sq_home *h)
{
    h->closed = true;
    home_unref(h);
}

/* ---------------------------------------------------------------------
 * Running one statement (on a pool thread).
 */
static void bind_param(sqlite3_stmt *stmt, int i, const rf_value *v)
{
    char text[32];
    rf_buf day;
    switch (v->type) {
    case RF_V_NULL:
        sqlite3_bind_null(stmt, i);
        break;
    case RF_V_INT: case RF_V_BOOL:
        sqlite3_bind_int64(stmt, i, v->u.i);
        break;
    case RF_V_FLOAT:
        sqlite3_bind_double(stmt, i, v->u.f);
        break;
    case RF_V_DATETIME:
        /* Django's SQLite format: naive UTC text */
        rf_format_datetime_sql(text, v->u.i);
        sqlite3_bind_text(stmt, i, text, -1, SQLITE_TRANSIENT);
        break;
    case RF_V_DATE:
        rf_buf_init(&day, NULL, 16);
        rf_json_date(&day, (int32_t)v->u.i);   /* "YYYY-MM-DD", quoted */
        sqlite3_bind_text(stmt, i, day.data + 1, (int)day.len - 2, SQLITE_TRANSIENT);
        rf_buf_release(&day);
        break;
    default:
        sqlite3_bind_text(stmt, i, v->u.s ? v->u.s : "", -1, SQLITE_STATIC);
        break;
    }
}

static rf_db_error error_kind(int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE: case SQLITE_CONSTRAINT_PRIMARYKEY:
        return RF_DB_UNIQUE;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return RF_DB_FOREIGN_KEY;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_CANTOPEN: case SQLITE_FULL:
    case SQLITE_IOERR:
        return RF_DB_UNAVAILABLE;
    default:
        return RF_DB_FAILED;
    }
}

static const char *int_text(rf_arena *a, int64_t v)
{
    rf_buf text;
    rf_buf_init(&text, a, 24);
    rf_json_i64(&text, v);
    return text.data;
}

/* One cell: the native value and its text.  A REAL's text is written out
 * in full ("1e+20" becomes "100000000000000000000") so that decimal columns,
 * which SQLite keeps as REAL, read back as plain decimal text. */
static void read_cell(sqlite3_stmt *stmt, int col, rf_arena *a, rf_cell *c)
{
    rf_buf text;
    switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_NULL:
        c->type = RF_CELL_NULL;
        return;
    case SQLITE_INTEGER:
        c->type = RF_CELL_INT;
        c->i = sqlite3_column_int64(stmt, col);
        c->s = int_text(a, c->i);
        return;
    case SQLITE_FLOAT:
        c->type = RF_CELL_FLOAT;
        c->f = sqlite3_column_double(stmt, col);
        rf_buf_init(&text, a, 32);
        rf_decimal_format(&text, (const char *)sqlite3_column_text(stmt, col), -1);
        c->s = text.data;
        return;
    default:
        c->type = RF_CELL_TEXT;
        c->s = rf_strndup(a, (const char *)sqlite3_column_text(stmt, col),
                          (size_t)sqlite3_column_bytes(stmt, col));
        return;
    }
}

static bool starts_with_word(const char *sql, const char *word)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    size_t n = strlen(word);
    return strncasecmp(sql, word, n) == 0 && (sql[n] == ' ' || sql[n] == '\n');
}

/* Step through every row, materialising the cells. */
static int collect_rows(sqlite3_stmt *stmt, rf_result *r)
{
    rf_buf cells;
    rf_buf_init(&cells, r->own, 16 * sizeof(rf_cell));
    r->ncols = sqlite3_column_count(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_buf_reserve(&cells, (size_t)r->ncols * sizeof(rf_cell));
        rf_cell *row = (rf_cell *)(void *)(cells.data + cells.len);
        for (int col = 0; col < r->ncols; col++)
            read_cell(stmt, col, r->own, &row[col]);
        cells.len += (size_t)r->ncols * sizeof(rf_cell);
        r->nrows++;
    }
    r->cells = (rf_cell *)(void *)cells.data;
    return rc;
}

/* A result in the arena the op brought from the loop, which goes back to
 * the spares when the result is released. */
static rf_result *home_result(const rf_db_op *op, rf_db_error kind, const char *message)
{
    sq_db *s = op->db->impl;
    rf_result *r = rf_result_of(op->res_arena, kind, message);
    r->recycle = home_give_back;
    r->home = s->home;
    return r;
}

static rf_result *run_statement(sq_conn *c, const rf_db_op *op, int *code)
{
    rf_result *r = home_result(op, RF_DB_OK, NULL);
    sqlite3_stmt *stmt = NULL;
    *code = SQLITE_OK;
    bool temporary;
    int rc = cached_statement(op->db, c, op->sql, op->sql_hash, &stmt, &temporary);
    if (rc == SQLITE_OK) {
        for (int i = 0; i < op->nparams; i++)
            bind_param(stmt, i + 1, &op->params[i]);
        rc = collect_rows(stmt, r);
        if (rc == SQLITE_DONE && !sqlite3_stmt_readonly(stmt))
            r->affected = sqlite3_changes64(c->handle);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        rc = sqlite3_extended_errcode(c->handle);
        *code = rc;
        r->error = error_kind(rc);
        r->message = rf_strdup(r->own, sqlite3_errmsg(c->handle));
        r->nrows = 0;
    } else if (r->affected == 0 &&
               (starts_with_word(op->sql, "UPDATE") || starts_with_word(op->sql, "DELETE"))) {
        r->error = RF_DB_NOT_FOUND;
        r->message = "no row matched";
    }
    if (stmt) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        if (temporary)
            sqlite3_finalize(stmt);
    }
    return r;
}

static void run_plain(sq_conn *c, const char *sql)
{
    sqlite3_exec(c->handle, sql, NULL, NULL, NULL);
}

/* A statement without parameters or rows, from the cache: SQLITE_OK or
 * the error. */
static int run_control(rf_db *db, sq_conn *c, const char *sql)
{
    sqlite3_stmt *stmt;
    bool temporary;
    int rc = cached_statement(db, c, sql, rf_sql_hash(sql), &stmt, &temporary);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (temporary)
        sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A busy error can only reach the first statement of a writer (a
 * transaction's BEGIN IMMEDIATE, or an autocommit write), after SQLite's
 * busy handler waited its timeout: nothing was done yet, so trying again
 * is safe. */
static bool retryable(const rf_db_op *op, int code, int attempt)
{
    bool autocommit_write = op->kind == RF_OP_EXEC && !op->txn && op->writes;
    return autocommit_write && (code & 0xff) == SQLITE_BUSY && attempt < SQ_BUSY_RETRIES;
}

/* An autocommit read and the reads chained after it share one read
 * transaction: one snapshot for the rows and what is attached to them, and
 * one WAL read lock (two fcntl calls) instead of one per statement. */
static bool begin_shared_read(sq_conn *c, const rf_db_op *op)
{
    return op->then && !op->txn && !op->writes && run_control(op->db, c, "BEGIN") == SQLITE_OK;
}

static void end_shared_read(sq_conn *c, const rf_db_op *op, bool began)
{
    if (began)
        run_control(op->db, c, "COMMIT");
}

/* A COMMIT chained after op's reads (rf_db_then.commit): run when the
 * rows it follows fit its budget, else the transaction stays open and
 * its answer says so (affected 0).  A failed COMMIT (a deferred
 * constraint) leaves SQLite's transaction open: rolled back here, and the
 * transaction is over all the same.  In a write group the group's COMMIT
 * is the one that counts: here it is only promised (write_group_run). */
static void run_chained_commit(sq_conn *c, rf_db_op *op, rf_db_op *commit, bool in_group)
{
    commit->res = home_result(commit, RF_DB_OK, NULL);
    if (rf_result_render_bound(commit->source->res) > commit->commit_budget)
        return;
    op->txn_ended_along = true;
    if (in_group || run_control(op->db, c, "COMMIT") == SQLITE_OK) {
        commit->res->affected = 1;
        return;
    }
    int rc = sqlite3_extended_errcode(c->handle);
    commit->res->error = error_kind(rc);
    commit->res->message = rf_strdup(commit->res->own, sqlite3_errmsg(c->handle));
    run_plain(c, "ROLLBACK");
}

/* The reads chained after op (db_internal.h), on its connection, in
 * order, each after the one it follows.  Each brought its arena. */
static void run_chained(sq_conn *c, rf_db_op *op, bool in_group)
{
    for (rf_db_op *t = op->then; t; t = t->then) {
        const rf_result *source = t->source->res;
        int code;
        if (source->error != RF_DB_OK) {
            t->res = home_result(t, source->error, "not run: the statement it follows failed");
            continue;
        }
        if (t->kind == RF_OP_COMMIT) {
            run_chained_commit(c, op, t, in_group);
            continue;
        }
        if (t->derive)
            t->derive(&t->params[0], source, t->res_arena, t->derive_arg);
        t->res = run_statement(c, t, &code);
    }
}

/* A write transaction takes SQLite's write lock up front, retried while
 * another process holds it (its busy timeout each time). */
static bool begin_immediate(rf_db *db, sq_conn *c)
{
    int rc = SQLITE_BUSY;
    for (int attempt = 0; (rc & 0xff) == SQLITE_BUSY && attempt < SQ_BUSY_RETRIES; attempt++)
        rc = run_control(db, c, "BEGIN IMMEDIATE");
    return rc == SQLITE_OK;
}

/* The transaction op was to begin could not (its BEGIN IMMEDIATE failed):
 * op gets the error, what is chained to it is not run, and the
 * transaction is over, as after a failed BEGIN. */
static void never_began(sq_conn *c, rf_db_op *op)
{
    int rc = sqlite3_extended_errcode(c->handle);
    op->res = home_result(op, error_kind(rc), sqlite3_errmsg(c->handle));
    op->txn_never_began = true;
    run_chained(c, op, false);
}

static void job_run(void *arg)
{
    rf_db_op *op = arg;
    sq_conn *c = op->conn;
    if (c->begin_owed) {
        c->begin_owed = false;
        if (!begin_immediate(op->db, c)) {
            never_began(c, op);
            return;
        }
    }
    bool shared_read = begin_shared_read(c, op);
    for (int attempt = 1;; attempt++) {
        int code;
        op->res = run_statement(c, op, &code);
        if (!retryable(op, code, attempt))
            break;
        rf_arena_reset(op->res_arena);
    }
    /* A failed COMMIT (a deferred constraint) leaves SQLite's transaction
     * open; the connection goes back to the pool clean. */
    if (op->kind == RF_OP_COMMIT && op->res->error != RF_DB_OK)
        run_plain(c, "ROLLBACK");
    run_chained(c, op, false);
    end_shared_read(c, op, shared_read);
}

/* ---------------------------------------------------------------------
 * Write groups (pool thread).  A transaction that is one job, its first
 * statement taking its COMMIT along (a create, an update), and an
 * autocommit write of rows (a destroy) may share one SQLite transaction
 * with the others of their kind waiting at the write gate: one trip, one
 * write lock, one COMMIT (one sync of the WAL, the shared pages written
 * once) for the group.  Each member runs in a savepoint of its own, and
 * is kept only if it ends as it would have alone: its statement and reads
 * answered, its COMMIT within budget, no deferred foreign key left
 * unresolved (its COMMIT would have failed).  An autocommit write that
 * fails is undone and answered so: alone it would have left nothing
 * either.  Otherwise a member is rolled back to its savepoint, and runs
 * again alone (op->alone), where it ends however it would have ended:
 * nothing it did was answered, so nobody saw it run twice.  Every
 * member is answered after the group's COMMIT, which made its row
 * durable.  If the group itself fails (its COMMIT, a savepoint), all of
 * it is rolled back and every member runs again alone.
 */
typedef enum { MEMBER_KEEP, MEMBER_UNDO, MEMBER_ALONE } sq_member;

/* What becomes of a member's work: kept (it ended as it would have
 * alone), undone and answered as it is (an autocommit write that failed:
 * alone it would have left nothing either), or undone to run alone. */
static sq_member member_outcome(sq_conn *c, const rf_db_op *op)
{
    if (!op->txn) {
        if (op->res->error != RF_DB_OK)
            return MEMBER_UNDO;
    } else {
        if (!op->txn_ended_along)
            return MEMBER_ALONE;        /* failed before its COMMIT, or over budget */
        for (const rf_db_op *t = op; t; t = t->then)
            if (t->res->error != RF_DB_OK)
                return MEMBER_ALONE;
    }
    int deferred = 0, highwater;
    sqlite3_db_status(c->handle, SQLITE_DBSTATUS_DEFERRED_FKS, &deferred, &highwater, 0);
    return deferred == 0 ? MEMBER_KEEP : MEMBER_ALONE;
}

/* One member in its savepoint; false when the group's transaction can no
 * longer be trusted (a savepoint failed). */
static bool run_member(sq_conn *c, rf_db_op *op)
{
    if (run_control(op->db, c, "SAVEPOINT rf_group") != SQLITE_OK)
        return false;
    int code;
    op->res = run_statement(c, op, &code);
    run_chained(c, op, true);
    sq_member outcome = member_outcome(c, op);
    if (outcome == MEMBER_KEEP)
        return run_control(op->db, c, "RELEASE rf_group") == SQLITE_OK;
    op->alone = outcome == MEMBER_ALONE;
    return run_control(op->db, c, "ROLLBACK TO rf_group") == SQLITE_OK &&
           run_control(op->db, c, "RELEASE rf_group") == SQLITE_OK;
}

/* The members are linked by `next`, from the first (the job's argument). */
static void write_group_run(void *arg)
{
    rf_db_op *first = arg;
    sq_conn *c = first->conn;
    if (!begin_immediate(first->db, c)) {
        for (rf_db_op *m = first; m; m = m->next)
            never_began(c, m);
        return;
    }
    bool intact = true;
    for (rf_db_op *m = first; m && intact; m = m->next)
        intact = run_member(c, m);
    if (intact && run_control(first->db, c, "COMMIT") == SQLITE_OK)
        return;
    run_plain(c, "ROLLBACK");
    for (rf_db_op *m = first; m; m = m->next)
        m->alone = true;
}

/* ---------------------------------------------------------------------
 * Checking connections out and in (loop thread).
 */
static void queue_push(op_queue *q, rf_db_op *op)
{
    op->next = NULL;
    if (q->tail)
        q->tail->next = op;
    else
        q->head = op;
    q->tail = op;
}

/* front's ops, in their order, ahead of q's. */
static void queue_prepend(op_queue *q, const op_queue *front)
{
    if (!front->head)
        return;
    front->tail->next = q->head;
    q->head = front->head;
    if (!q->tail)
        q->tail = front->tail;
}

static rf_db_op *queue_pop(op_queue *q)
{
    rf_db_op *op = q->head;
    q->head = op->next;
    if (!q->head)
        q->tail = NULL;
    return op;
}

static sq_conn *checkout(sq_db *s)
{
    sq_conn *c = s->free_conns;
    s->free_conns = c->next_free;
    return c;
}

static void checkin(sq_db *s, sq_conn *c)
{
    c->next_free = s->free_conns;
    s->free_conns = c;
}

/* Every statement of a transaction writes (or reads what it will write
 * by): its first takes the gate, its connection keeps it. */
static bool takes_gate(const rf_db_op *op)
{
    return op->txn || (op->kind == RF_OP_EXEC && op->writes);
}

static void job_done(void *arg);
static void write_group_done(void *arg);
static void deliver_answered(evutil_socket_t fd, short what, void *arg);

/* Result arenas for the chained reads (loop thread: the spares are the
 * loop's). */
static void take_chained_arenas(sq_db *s, rf_db_op *op)
{
    for (rf_db_op *t = op->then; t; t = t->then)
        t->res_arena = home_take(s->home);
}

static void run_on(sq_db *s, rf_db_op *op, sq_conn *c)
{
    op->conn = c;
    op->res_arena = home_take(s->home);
    take_chained_arenas(s, op);
    rf_db_count_trip(op->db);
    rf_pool_submit(s->pool, job_run, job_done, op);
}

/* Delivered from the loop's active queue, in the same pass (never from
 * inside the call that started the op). */
static void answer_on_loop(sq_db *s, rf_db_op *op)
{
    queue_push(&s->answered, op);
    event_active(s->deliver_ev, EV_READ, 0);
}

/* The statements a transaction begins or ends with while it has no
 * connection take no trip.  Its BEGIN is answered at once, before any
 * lock: the BEGIN IMMEDIATE runs with its first statement, which waits
 * for the write gate, on the pool (a busy error there ends it as a failed
 * BEGIN would); a COMMIT or ROLLBACK with nothing before it ends an empty
 * transaction. */
static bool answered_without_connection(sq_db *s, rf_db_op *op)
{
    if (!op->txn || op->txn->conn || op->kind == RF_OP_EXEC)
        return false;
    op->res_arena = home_take(s->home);
    op->res = home_result(op, RF_DB_OK, NULL);
    answer_on_loop(s, op);
    return true;
}

/* What may run in a write group: an autocommit write of rows (not DDL,
 * nor a PRAGMA, which a transaction would change or refuse), and a
 * transaction that is one job: its first statement, with its COMMIT
 * chained along (rf_db_then.commit). */
static bool groupable(const rf_db_op *op)
{
    if (op->alone || op->kind != RF_OP_EXEC)
        return false;
    if (!op->txn)
        return op->writes && (starts_with_word(op->sql, "INSERT") ||
                              starts_with_word(op->sql, "UPDATE") ||
                              starts_with_word(op->sql, "DELETE"));
    if (op->txn->conn || !op->then)
        return false;
    const rf_db_op *last = op->then;
    while (last->then)
        last = last->then;
    return last->kind == RF_OP_COMMIT;
}

/* The groupable writers waiting after first, linked after it by `next`,
 * in their order, up to SQ_GROUP_MAX in all: how many. */
static int gather_group(sq_db *s, rf_db_op *first)
{
    rf_db_op *last = first;
    int n = 1;
    op_queue rest = { NULL, NULL };
    while (s->writers.head) {
        rf_db_op *op = queue_pop(&s->writers);
        if (n < SQ_GROUP_MAX && groupable(op)) {
            last->next = op;
            last = op;
            n++;
        } else {
            queue_push(&rest, op);
        }
    }
    last->next = NULL;
    s->writers = rest;
    return n;
}

/* The group's members on one connection, in one job. */
static void run_write_group(sq_db *s, rf_db_op *first, sq_conn *c)
{
    for (rf_db_op *m = first; m; m = m->next) {
        m->conn = c;
        m->res_arena = home_take(s->home);
        take_chained_arenas(s, m);
    }
    rf_db_count_trip(first->db);
    rf_pool_submit(s->pool, write_group_run, write_group_done, first);
}

/* Give waiting ops the free connections: the writers' next one when the
 * gate is free (its group with it), then readers, each queue in arrival
 * order.  A transaction's first statement pins the connection and the
 * gate until the transaction ends. */
static void pump(sq_db *s)
{
    if (s->closing)
        return;
    if (s->writers.head && s->free_conns && !s->write_gate_taken) {
        s->write_gate_taken = true;
        rf_db_op *op = queue_pop(&s->writers);
        sq_conn *c = checkout(s);
        /* A group of one runs as a transaction of its own: no savepoint. */
        if (groupable(op) && gather_group(s, op) > 1) {
            run_write_group(s, op, c);
        } else {
            if (op->txn) {
                op->txn->conn = c;
                c->begin_owed = true;
            }
            run_on(s, op, c);
        }
    }
    while (s->readers.head && s->free_conns)
        run_on(s, queue_pop(&s->readers), checkout(s));
}

/* After the op: what it checked out goes back, unless its transaction
 * goes on (the connection and the gate stay pinned to it). */
static void release_after(sq_db *s, rf_db_op *op)
{
    sq_conn *c = op->conn;
    if (op->txn) {
        bool ends = op->kind == RF_OP_COMMIT || op->kind == RF_OP_ROLLBACK ||
                    op->txn_never_began || op->txn_ended_along;
        if (!ends)
            return;
        op->txn->conn = NULL;
    } else if (!op->writes) {
        checkin(s, c);          /* a plain read never took the gate */
        return;
    }
    s->write_gate_taken = false;
    checkin(s, c);
}

static void job_done(void *arg)
{
    rf_db_op *op = arg;
    sq_db *s = op->db->impl;
    release_after(s, op);
    rf_db_op_done(op);
    pump(s);
}

/* What op and its chained ops got, undone (loop thread): they run again
 * elsewhere, where they take arenas afresh. */
static void undo_results(sq_db *s, rf_db_op *op)
{
    for (rf_db_op *t = op; t; t = t->then) {
        if (t->res)
            rf_result_release(t->res);
        else if (t->res_arena)
            home_give_back(s->home, t->res_arena);
        t->res = NULL;
        t->res_arena = NULL;
    }
    op->conn = NULL;
    op->txn_ended_along = false;
}

/* The members that must run alone go back to the head of the writers, in
 * their order, before the others are answered (whose callbacks may queue
 * more writers). */
static void write_group_done(void *arg)
{
    rf_db_op *first = arg;
    sq_db *s = first->db->impl;
    s->write_gate_taken = false;
    checkin(s, first->conn);
    op_queue again = { NULL, NULL }, answered = { NULL, NULL };
    for (rf_db_op *m = first, *next; m; m = next) {
        next = m->next;
        if (m->alone)
            undo_results(s, m);
        queue_push(m->alone ? &again : &answered, m);
    }
    queue_prepend(&s->writers, &again);
    while (answered.head)
        rf_db_op_done(queue_pop(&answered));
    pump(s);
}

/* ---------------------------------------------------------------------
 * Reads on the loop thread, in two lanes.
 *
 * The quick lane: the reads a pass queued run together, in one read
 * transaction, each within --sqlite-loop-read-steps.  A read that outruns
 * that budget is dropped, and its statement skips the lane for its next
 * SQ_LANE_TURNS runs (its cost may depend on its parameters, or the data
 * may shrink): to the slow lane when there is one, else to the pool.
 *
 * The slow lane (--sqlite-loop-slow-read-steps; on by default when the
 * process may run on one CPU only, where a pool thread cannot run beside
 * the loop and its trip is pure cost) runs after the poll that let new
 * requests in, and each pass only about its budget's worth of reads: a
 * request whose reads are quick waits for that much at most, never for
 * all the slow reads queued.  A read past the slow lane's budget goes to
 * the pool.
 */

/* SQLite's progress handler, every SQ_STEP_GRAIN steps of a loop read:
 * non-zero interrupts the read (SQLITE_INTERRUPT). */
#define SQ_STEP_GRAIN 100
/* How many runs of a statement skip the lane whose budget it outran. */
#define SQ_LANE_TURNS 64

static const struct timeval no_delay = { 0, 0 };

typedef enum { LANE_QUICK, LANE_SLOW, LANE_POOL } sq_lane;
typedef enum { READ_DONE, READ_BUSY, READ_OVER } sq_loop_read;

static int over_budget(void *arg)
{
    sq_db *s = arg;
    s->loop_steps += SQ_STEP_GRAIN;
    return s->loop_steps > s->loop_limit;
}

/* The lane of a read, by what its statement took lately. */
static sq_lane lane_of(sq_db *s, const rf_db_op *op)
{
    sq_cached *e = *cache_slot(s->loop_conn, op->sql, op->sql_hash);
    if (e && e->pool_turns > 0) {
        e->pool_turns--;
        return LANE_POOL;
    }
    if (e && e->slow_turns > 0) {
        e->slow_turns--;
        return LANE_SLOW;
    }
    return LANE_QUICK;
}

/* op's statement outran the budget of the lane it ran in: the next lane,
 * which takes its next runs too. */
static sq_lane demote(sq_db *s, const rf_db_op *op, bool in_slow_lane)
{
    sq_lane next = !in_slow_lane && s->slow_max_steps ? LANE_SLOW : LANE_POOL;
    sq_cached *e = *cache_slot(s->loop_conn, op->sql, op->sql_hash);
    if (e) {
        e->slow_turns = next == LANE_SLOW ? SQ_LANE_TURNS : 0;
        e->pool_turns = next == LANE_POOL ? SQ_LANE_TURNS : 0;
    }
    return next;
}

/* The read, with what is chained to it, on the loop's connection, inside
 * the snapshot begun for it, within limit steps (0: none).  Only what
 * came READ_DONE is kept. */
static sq_loop_read read_on_loop(sq_db *s, rf_db_op *op, int limit)
{
    int code;
    s->loop_steps = 0;
    s->loop_limit = limit;
    op->conn = s->loop_conn;
    op->res_arena = home_take(s->home);
    op->res = run_statement(s->loop_conn, op, &code);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
        undo_results(s, op);
        return READ_BUSY;
    }
    /* A chained read answered busy is answered so (503), not retried: on
     * the loop's connection, which waits for no lock, WAL readers are busy
     * only while another connection recovers the WAL index. */
    take_chained_arenas(s, op);
    run_chained(s->loop_conn, op, false);
    if (s->loop_steps > s->loop_limit) {        /* counted only with a limit */
        undo_results(s, op);
        return READ_OVER;
    }
    return READ_DONE;
}

static void queue_slow(sq_db *s, rf_db_op *op)
{
    queue_push(&s->slow_reads, op);
    evtimer_add(s->slow_ev, &no_delay);
}

/* Where a read goes after its try in a lane: answered, the slow lane or
 * the pool. */
static void after_loop_read(sq_db *s, rf_db_op *op, sq_loop_read got, bool in_slow_lane)
{
    if (got == READ_DONE) {
        queue_push(&s->answered, op);
        return;
    }
    if (got == READ_OVER && demote(s, op, in_slow_lane) == LANE_SLOW) {
        queue_slow(s, op);
        return;
    }
    queue_push(&s->readers, op);
}

static void begin_loop_snapshot(sq_db *s, rf_db *db)
{
    if (run_control(db, s->loop_conn, "BEGIN") == SQLITE_OK)
        rf_db_count_snapshot(db);
}

/* A read has nothing to keep; whatever happened, the snapshot ends, so
 * the loop's connection never holds an old one while the loop waits. */
static void end_loop_snapshot(sq_db *s)
{
    if (!sqlite3_get_autocommit(s->loop_conn->handle))
        run_plain(s->loop_conn, "ROLLBACK");
}

/* The quick lane: the reads queued for the loop since the last pass over
 * them, in one read transaction, one snapshot.  Every request they serve
 * was read from its socket before the transaction began (they were
 * queued by callbacks that ran earlier), so whatever their clients saw
 * committed before they sent them is in that snapshot: one snapshot is
 * as fresh as each of them needs.  SQLite's WAL read lock (two fcntl)
 * and its check of the file (an fstat) are then paid once a pass, not
 * once a read. */
static void run_loop_reads(sq_db *s)
{
    if (!s->loop_reads.head)
        return;
    begin_loop_snapshot(s, s->loop_reads.head->db);
    while (s->loop_reads.head) {
        rf_db_op *op = queue_pop(&s->loop_reads);
        after_loop_read(s, op, read_on_loop(s, op, s->loop_max_steps), false);
    }
    end_loop_snapshot(s);
    pump(s);
}

static void deliver(sq_db *s)
{
    while (s->answered.head)
        rf_db_op_done(queue_pop(&s->answered));
}

/* From the loop's active queue, after the events already active, in the
 * same pass as the callback that asked: statements a callback starts are
 * run and answered before the loop polls again.  (A BEGIN answered here
 * holds nothing yet: its first statement takes the gate.)  Reads queued by
 * the callbacks it runs activate it again: they run in a later turn of the
 * same pass. */
static void deliver_answered(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sq_db *s = arg;
    run_loop_reads(s);
    deliver(s);
}

/* The slow lane's reads of this pass: a timer of no delay, so they run
 * after the next poll, beside the requests that poll brought in.  They
 * share one snapshot, as the quick lane's do, and start while the pass
 * has spent fewer than slow_max_steps on them: the reads of a busy pass
 * are batched (their snapshot, their answers' writes), and a request
 * whose reads are quick waits for about one slow read's budget at most. */
static void run_slow_reads(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sq_db *s = arg;
    if (!s->slow_reads.head)
        return;
    begin_loop_snapshot(s, s->slow_reads.head->db);
    for (int spent = 0; s->slow_reads.head && spent < s->slow_max_steps;) {
        rf_db_op *op = queue_pop(&s->slow_reads);
        after_loop_read(s, op, read_on_loop(s, op, s->slow_max_steps), true);
        spent += s->loop_steps;
    }
    end_loop_snapshot(s);
    if (s->slow_reads.head)
        evtimer_add(s->slow_ev, &no_delay);
    pump(s);
    deliver(s);
}

static void sqlite_submit(rf_db *db, rf_db_op *op)
{
    sq_db *s = db->impl;
    if (op->txn && op->txn->conn) {
        run_on(s, op, op->txn->conn);
        return;
    }
    if (answered_without_connection(s, op))
        return;
    bool plain_read = !op->txn && !takes_gate(op);
    if (plain_read && s->loop_conn && !s->closing) {
        sq_lane lane = lane_of(s, op);
        if (lane == LANE_QUICK) {
            queue_push(&s->loop_reads, op);
            event_active(s->deliver_ev, EV_READ, 0);
            return;
        }
        if (lane == LANE_SLOW) {
            queue_slow(s, op);
            return;
        }
    }
    queue_push(takes_gate(op) ? &s->writers : &s->readers, op);
    pump(s);
}

/* ---------------------------------------------------------------------
 * Opening and closing.
 */
static bool is_memory(const char *path)
{
    return strcmp(path, ":memory:") == 0 || strstr(path, "mode=memory") != NULL;
}

/* temp_store = MEMORY: the transient tables SQLite builds for a window
 * function or a sort (the PostFetch query) live in memory rather than in
 * a temporary file; the file cost the retrieve's one-key PostFetch about
 * 0.4 ms of CPU (page faults and system time), the memory form 20 us.
 * Considered and not set: mmap_size (no CPU gain measured on the bench;
 * mapped pages of a file on tmpfs count in the server's RSS, and an I/O
 * error on a mapped page is a SIGBUS instead of an error code) and
 * cache_size (the default 2 MB per connection holds the bench's working
 * set; pages it misses cost a pread, not a wait). */
#define CONN_PRAGMAS \
    "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA temp_store = MEMORY"

static bool conn_open(sq_conn *c, const char *path, int busy_timeout_ms,
                      char *err, size_t errlen)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                SQLITE_OPEN_URI;
    if (sqlite3_open_v2(path, &c->handle, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite:%s: %s", path, sqlite3_errmsg(c->handle));
        return false;
    }
    sqlite3_busy_timeout(c->handle, busy_timeout_ms);
    if (rf_sqlite_regexp_register(c->handle) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite:%s: %s", path, sqlite3_errmsg(c->handle));
        return false;
    }
    char *msg = NULL;
    if (sqlite3_exec(c->handle, CONN_PRAGMAS, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite:%s: %s", path, msg ? msg : "cannot configure");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static void conns_close(sq_db *s)
{
    for (int i = 0; i < s->nconns; i++) {
        cache_clear(&s->conns[i]);
        sqlite3_close_v2(s->conns[i].handle);
    }
    free(s->conns);
}

/* SQLite counts every allocation under a global mutex unless told not to
 * (SQLITE_CONFIG_MEMSTATUS); nothing here reads the counts, and the pool
 * threads would contend for that mutex on every malloc.  Only possible
 * before SQLite initialises, so done before the process's first open. */
static void configure_library(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static bool sqlite_open(rf_db *db, const char *target, int pool_size,
                        char *err, size_t errlen)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, configure_library);
    /* sqlite:///abs/path, as Django-style URLs write it, is sqlite:/abs/path */
    if (strncmp(target, "//", 2) == 0)
        target += 2;
    if (!*target) {
        snprintf(err, errlen, "sqlite: URL without a path (use sqlite:PATH or sqlite::memory:)");
        return false;
    }
    sq_db *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->nconns = is_memory(target) ? 1 : pool_size > 0 ? pool_size : SQ_DEFAULT_POOL;
    s->conns = calloc((size_t)s->nconns, sizeof *s->conns);
    for (int i = 0; i < s->nconns; i++) {
        if (!conn_open(&s->conns[i], target, SQ_BUSY_TIMEOUT_MS, err, errlen)) {
            s->nconns = i + 1;
            conns_close(s);
            free(s);
            return false;
        }
        checkin(s, &s->conns[i]);
    }
    s->pool = rf_pool_new(db->base, s->nconns);
    /* At the priority of the connections' events, not first (pool.h):
     * activated from a connection's callback, an event of a higher
     * priority makes libevent poll again before it runs, so every request
     * answered on the loop cost one more epoll_wait and the requests of
     * one poll were no longer handled together (at 128 connections, 2
     * epoll_wait per retrieve against 0.4 on the pool). */
    s->deliver_ev = event_new(db->base, -1, 0, deliver_answered, s);
    s->home = home_new();
    s->path = strdup(target);
    db->impl = s;
    return true;
}

/* A slow lane only with a quick lane's budget, and a larger budget of its
 * own. */
bool rf_db_sqlite_reads_on_loop(rf_db *db, int max_steps, int slow_max_steps,
                                char *err, size_t errlen)
{
    if (db->backend != &rf_sqlite_backend)
        return true;
    sq_db *s = db->impl;
    if (s->loop_conn || is_memory(s->path))
        return true;
    sq_conn *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    if (!conn_open(c, s->path, 0, err, errlen)) {
        sqlite3_close_v2(c->handle);
        free(c);
        return false;
    }
    s->loop_conn = c;
    s->loop_max_steps = max_steps;
    if (max_steps)
        sqlite3_progress_handler(c->handle, SQ_STEP_GRAIN, over_budget, s);
    if (max_steps && slow_max_steps > max_steps) {
        s->slow_max_steps = slow_max_steps;
        s->slow_ev = evtimer_new(db->base, run_slow_reads, s);
    }
    return true;
}

void rf_db_sqlite_busy_timeout(rf_db *db, int ms)
{
    if (db->backend != &rf_sqlite_backend)
        return;
    sq_db *s = db->impl;
    for (int i = 0; i < s->nconns; i++)
        sqlite3_busy_timeout(s->conns[i].handle, ms);
}

static void loop_reads_close(sq_db *s)
{
    if (!s->loop_conn)
        return;
    cache_clear(s->loop_conn);
    sqlite3_close_v2(s->loop_conn->handle);
    free(s->loop_conn);
}

/* Jobs already on the pool finish (rf_pool_free delivers their
 * completions); what still waits for a connection is answered
 * RF_DB_UNAVAILABLE. */
static void sqlite_close(rf_db *db)
{
    sq_db *s = db->impl;
    s->closing = true;
    rf_pool_free(s->pool);
    deliver_answered(-1, 0, s);
    event_free(s->deliver_ev);
    if (s->slow_ev)
        event_free(s->slow_ev);
    loop_reads_close(s);
    op_queue *queues[] = { &s->writers, &s->readers, &s->slow_reads };
    for (int i = 0; i < 3; i++) {
        while (queues[i]->head) {
            rf_db_op *op = queue_pop(queues[i]);
            op->res = rf_result_of(NULL, RF_DB_UNAVAILABLE, "the database is closing");
            rf_db_op_done(op);
        }
    }
    conns_close(s);
    home_close(s->home);
    free(s->path);
    free(s);
}

const rf_db_backend rf_sqlite_backend = { sqlite_open, sqlite_close, sqlite_submit };
