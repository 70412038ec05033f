/*
 * db_internal.h (internal, persistence area): what db.c shares with the two
 * backends (db_sqlite.c, db_pg.c), the query builder and PostFetch.
 *
 * The life of one statement:
 *   rf_db_exec (loop)  -> an op: SQL and parameters copied, so it outlives
 *                         whatever the caller built them in
 *   backend->submit    -> the backend places it on a connection (waiting in
 *                         FIFO order when none is free) and runs it
 *   rf_db_op_done      -> on the loop: the result is handed to the callback
 *                         (or dropped when the request went away meanwhile)
 * Transactions pin one connection: BEGIN checks a connection out for the
 * transaction, every statement of the transaction runs on it, COMMIT or
 * ROLLBACK gives it back.
 */
#ifndef RF_DB_INTERNAL_H
#define RF_DB_INTERNAL_H

#include "restflow.h"

typedef struct rf_db_op rf_db_op;
typedef struct rf_db_txn rf_db_txn;

/* Sets a chained read's first parameter from the result of the statement
 * it follows; runs on whatever thread ran that statement (a pool thread),
 * so it may only read its arguments and allocate in `a`. */
typedef void (*rf_db_derive)(rf_value *first_param, const rf_result *head,
                             rf_arena *a, const void *arg);

/* ---------------------------------------------------------------------
 * Results.  SQLite results are materialised cell by cell on the worker
 * thread into the result's own arena; PostgreSQL results keep the PGresult
 * (text format) and read it in place.
 */
typedef enum rf_cell_type {
    RF_CELL_NULL = 0, RF_CELL_INT, RF_CELL_FLOAT, RF_CELL_TEXT
} rf_cell_type;

typedef struct rf_cell {
    rf_cell_type type;
    int64_t i;          /* RF_CELL_INT */
    double f;           /* RF_CELL_FLOAT */
    const char *s;      /* the text form of every non-NULL cell */
} rf_cell;

struct rf_result {
    rf_db_error error;
    const char *message;
    int nrows, ncols;
    int64_t affected;
    rf_cell *cells;                 /* SQLite: nrows * ncols, row-major */
    struct pg_result *pg;           /* PostgreSQL */
    rf_arena *own;                  /* SQLite: the result's own arena */
    /* Where `own` goes when the result is released (the backend's spare
     * arenas, loop thread); NULL: it is freed. */
    void (*recycle)(void *home, rf_arena *own);
    void *home;
};

/* A result without rows: an error kind and its message, or RF_DB_OK for a
 * bare success.  Allocated in `own` (a fresh arena when NULL). */
rf_result *rf_result_of(rf_arena *own, rf_db_error kind, const char *message);
/* Free what a result owns (its arena, its PGresult). */
void rf_result_release(rf_result *r);

/* ---------------------------------------------------------------------
 * Backends.
 */
typedef enum rf_op_kind {
    RF_OP_EXEC = 0,     /* one statement, autocommit or in op->txn */
    RF_OP_BEGIN,        /* check a connection out for op->txn, then BEGIN */
    RF_OP_COMMIT,       /* COMMIT, then give the connection back */
    RF_OP_ROLLBACK      /* ROLLBACK, then give the connection back */
} rf_op_kind;

typedef struct rf_db_backend {
    /* target: the URL after its scheme prefix ("sqlite:" is removed, a
     * PostgreSQL URL is passed whole).  Fills db->impl. */
    bool (*open)(rf_db *db, const char *target, int pool_size,
                 char *err, size_t errlen);
    void (*close)(rf_db *db);
    /* Run the op; call rf_db_op_done(op) later, on the loop thread, with
     * op->res set.  Never calls back before returning. */
    void (*submit)(rf_db *db, rf_db_op *op);
} rf_db_backend;

extern const rf_db_backend rf_sqlite_backend;

/* Autocommit reads of an SQLite database run on a connection of the loop
 * thread's own (db_sqlite.c says why and within what limits): a read that
 * takes more than max_steps steps of SQLite's virtual machine (0: no
 * limit) is interrupted and runs again, in the slow lane (one read a
 * loop pass, within slow_max_steps; 0: no slow lane) or on the pool.
 * Loop thread; no effect on PostgreSQL or an in-memory database.  false
 * with err when that connection cannot be opened. */
bool rf_db_sqlite_reads_on_loop(rf_db *db, int max_steps, int slow_max_steps,
                                char *err, size_t errlen);
/* How long an SQLite pool connection waits for a lock another process
 * holds before its attempt fails busy (default 5000 ms; three attempts
 * for the first statement of a writer).  For tests that hold a lock
 * from outside: loop thread, while no statement runs; no effect on
 * PostgreSQL. */
void rf_db_sqlite_busy_timeout(rf_db *db, int ms);
extern const rf_db_backend rf_pg_backend;

struct rf_db {
    const rf_db_backend *backend;
    rf_dialect dialect;
    struct event_base *base;
    char *url;
    char *label;                /* for the log: the URL without credentials */
    uint64_t statements;
    uint64_t prepares;          /* statements prepared, all connections (atomic) */
    uint64_t trips;             /* rf_db_count_trip */
    uint64_t snapshots;         /* rf_db_count_snapshot */
    rf_db_txn *txns;            /* open transactions, by owner */
    void *impl;                 /* the backend's state */
    rf_db_op *spare_ops;        /* finished ops kept for reuse (loop thread) */
    int nspare_ops;
};

/* A transaction: the request (owner) it belongs to and the connection it
 * pins.  Savepoints give nested begin/commit Django's atomic() meaning. */
struct rf_db_txn {
    rf_db_txn *next;
    rf_db *db;
    void *owner;                /* the rf_ctx; NULL once the request ended */
    void *conn;                 /* the backend's pinned connection */
    int depth;                  /* 1: the outer transaction; >1 savepoints */
    int refs;                   /* the open list, the request's cleanup */
    bool closed;                /* committed or rolled back */
    bool busy;                  /* a statement of it is running */
    bool rollback_pending;      /* the request ended while busy */
    bool broken;                /* its connection was lost */
};

struct rf_db_op {
    rf_db_op *next;             /* the backend's queues */
    rf_db *db;
    rf_op_kind kind;
    rf_db_txn *txn;             /* NULL: autocommit */
    const char *name;           /* prepared statement name, or NULL */
    const char *sql;            /* in the backend's dialect, `?` placeholders */
    unsigned sql_hash;          /* rf_sql_hash(sql): the statement caches' key */
    bool writes;                /* not a plain SELECT (SQLite's write gate) */
    bool savepoint;             /* a SAVEPOINT that nests a transaction */
    rf_value *params;
    int nparams;
    rf_db_cb cb;
    void *arg;
    void *owner;                /* passed to cb as the rf_ctx */
    rf_arena *arena;            /* the owner's: releases the result */
    struct rf_cleanup *owner_watch; /* on arena: sets owner_gone */
    bool owner_gone;            /* the request went away meanwhile */
    rf_result *res;
    void *conn;                 /* the backend's connection running it */
    rf_arena *res_arena;        /* where the backend builds res, or NULL */
    size_t size;                /* bytes allocated for the op */
    /* Reads chained after this op (rf_db_exec_chained), linked by `then`;
     * a chained op itself has derive set and no transaction of its own. */
    rf_db_op *then;
    rf_db_op *source;           /* the op whose answer feeds a chained read */
    rf_db_derive derive;
    const void *derive_arg;
    /* Set by a backend whose BEGIN was deferred to the transaction's first
     * statement (SQLite) when that BEGIN failed with this op: the
     * transaction is over, as after a failed RF_OP_BEGIN. */
    bool txn_never_began;
    /* A COMMIT chained after this op ran (it committed, or it failed and
     * the transaction was rolled back): the transaction is over. */
    bool txn_ended_along;
    /* SQLite: the op left the write group it ran in (db_sqlite.c) and is
     * to run again as a transaction of its own. */
    bool alone;
    size_t commit_budget;       /* a chained COMMIT's (rf_db_then) */
};

void rf_db_op_done(rf_db_op *op);
/* Trips to the database: a job sent to SQLite's pool (with what is chained
 * to it), a statement sent to the PostgreSQL server.  Counted by the
 * backends on the loop thread; read back by tests of what goes along. */
void rf_db_count_trip(rf_db *db);
uint64_t rf_db_trips(const rf_db *db);
/* Read transactions SQLite's loop reads began: one per pass that had
 * reads to run (db_sqlite.c, run_loop_reads).  Read back by tests. */
void rf_db_count_snapshot(rf_db *db);
uint64_t rf_db_snapshots(const rf_db *db);
/* Count a statement prepared on a connection (any thread); read back by
 * tests that check "prepared once per connection". */
void rf_db_count_prepare(rf_db *db);
uint64_t rf_db_prepares(const rf_db *db);
/* Answer an op without running it (an error found before it reached a
 * connection): rf_db_op_done runs from the loop, soon, never from inside
 * the call that started the op. */
void rf_db_op_answer_later(rf_db_op *op, rf_db_error kind, const char *message);

/* ---------------------------------------------------------------------
 * The engine under the public functions.  `owner` is what the callback
 * receives as its rf_ctx and what a transaction is keyed by; `arena`
 * (may be NULL) is where the result is released, and whose end rolls back
 * a transaction left open.  Management commands and tests without a
 * request pass their own owner and arena.
 */
rf_rc rf_db_exec_as(rf_db *db, void *owner, rf_arena *arena, const rf_stmt *stmt,
                    const rf_value *params, int nparams, rf_db_cb cb, void *arg);
rf_rc rf_db_begin_as(rf_db *db, void *owner, rf_arena *arena, rf_db_cb cb, void *arg);
rf_rc rf_db_commit_as(rf_db *db, void *owner, rf_arena *arena, rf_db_cb cb, void *arg);
rf_rc rf_db_rollback_as(rf_db *db, void *owner, rf_arena *arena, rf_db_cb cb, void *arg);

/* ---------------------------------------------------------------------
 * Chained reads.  A hop to SQLite's pool thread and back costs more than
 * an indexed read (two context switches, about ten system calls), so the
 * reads known to come after a statement (a COUNT, then the page, then its
 * PostFetches keyed by the page's rows) can go along with it: they run
 * right after it, in order, on the same connection, in the same trip.
 * Each follows the statement or an earlier chained read: it does not run
 * when that one failed (it is answered with its error), and `derive`, when
 * set, gives it its first parameter from that one's answer.  Results are
 * delivered on the loop, the chained reads' first, then the statement's.
 * PostgreSQL does not chain (rf_db_can_chain is false): callers run the
 * reads themselves.
 */
typedef struct rf_db_then {
    const char *sql;            /* in the database's dialect */
    const rf_value *params;     /* params[0] is derive's, when set */
    int nparams;
    int follows;                /* 0: the statement; k: the k-th chained read */
    rf_db_derive derive;        /* or NULL */
    const void *derive_arg;
    rf_db_cb cb;
    void *arg;
    /* Set: not a read but the transaction's COMMIT, which runs only when
     * the rows of the read it follows provably render in commit_budget
     * bytes (rf_result_render_bound).  Its answer: RF_DB_OK with
     * rf_result_affected 1 when it committed, 0 when it left the
     * transaction open for the caller to end as usual; an error when the
     * COMMIT failed (the transaction was rolled back and is over).  Only
     * where rf_db_can_chain_commit says so. */
    bool commit;
    size_t commit_budget;
} rf_db_then;

bool rf_db_can_chain(const rf_db *db);
/* The caller's statement may take its transaction's COMMIT along: it
 * chains, and the caller is in an outer transaction (not a savepoint)
 * with nothing running. */
bool rf_db_can_chain_commit(rf_ctx *ctx, rf_db *db);
/* An upper bound of the bytes that rendering r's rows (by the rows' own
 * cells: text JSON-escaped, numbers, nulls) can allocate, over what the
 * serializer's names and punctuation add; SIZE_MAX when a cell cannot be
 * rendered (a float that is NaN or infinite, which JSON cannot hold). */
size_t rf_result_render_bound(const rf_result *r);
rf_rc rf_db_exec_chained(rf_ctx *ctx, rf_db *db, const rf_stmt *stmt,
                         const rf_value *params, int nparams, rf_db_cb cb, void *arg,
                         const rf_db_then *then, int nthen);

/* A fetch of q as a chained read (query.c): its SQL and parameters into
 * *then, whose derive, cb and arg the caller sets; the answer's rows are
 * then rf_query_rows_of's, as rf_query_fetch would have loaded them. */
void rf_query_chain(rf_query *q, rf_dialect d, rf_db_then *then);
rf_rowset *rf_query_rows_of(rf_ctx *ctx, rf_query *q, const rf_result *res);
/* The COUNT of q, and (SQLite) its page at the window q has now, with the
 * PostFetches of rf_query_prefetch, in one trip: the window the count is
 * expected to confirm (rf_page_expected_window).  rf_query_page_at_hand
 * then gives that page (true: *rows, or *err) if q's window is still the
 * one it was read at; false: fetch it. */
rf_rc rf_query_count_and_fetch(rf_ctx *ctx, rf_query *q, rf_count_cb cb, void *arg);
bool rf_query_page_at_hand(rf_ctx *ctx, rf_query *q, rf_db_error *err, rf_rowset **rows);

/* PostFetch answers that came with the rows they attach to (postfetch.c),
 * by PostFetch; a result is NULL until its chained read is delivered. */
struct rf_prefetched {
    const rf_postfetch **pfs;
    rf_result **results;
    int n;
};

/* The chained reads that run pfs along with a fetch of `base` rows on its
 * database (rf_db_can_chain true), following the fetch (`follows`, as in
 * rf_db_then): their count, written to then[0..n) with *out set; those
 * that cannot go along (another database, a URL argument that does not
 * convert) are left to rf_postfetch_run. */
int rf_postfetch_chain(rf_ctx *ctx, const rf_resource *base,
                       const rf_postfetch *const *pfs, int n, int follows,
                       rf_db_then *then, rf_prefetched **out);

/* SQL with `?` rewritten to $1, $2, ... (quoted text left alone). */
char *rf_sql_number_placeholders(const char *sql);
/* A hash of the SQL text, for the per-connection statement caches. */
unsigned rf_sql_hash(const char *sql);
/* Whether a statement may write: anything but SELECT / VALUES / a
 * parenthesised SELECT.  Used by SQLite to serialise writers. */
bool rf_sql_writes(const char *sql);

/* A quoted identifier ("name", quotes doubled), and alias."column". */
void rf_sql_ident(rf_buf *b, const char *name);
void rf_sql_column(rf_buf *b, const char *alias, const rf_field *f);

/* AND `t.<f> <op> v` (op "<", ">", ...; v not NULL), v bound as the
 * field's key is stored: a UUID without its dashes on SQLite (query.c). */
void rf_query_where_cmp(rf_query *q, const rf_field *f, const char *op, rf_value v);

/* The type of rf_value a field's record member holds (record.c). */
rf_vtype rf_field_vtype(const rf_field *f);

/* ---------------------------------------------------------------------
 * Schema (schema.c).
 */
/* The built-in tables' names: the app's, or Django's defaults. */
const char *rf_schema_user_table(const rf_app *app);
const char *rf_schema_token_table(const rf_app *app);
/* CREATE TABLE IF NOT EXISTS for the user and token tables, in Django's
 * column layout.  Returns the count; statements in *out. */
int rf_schema_auth_statements(rf_arena *a, const rf_app *app, rf_dialect d,
                              const char ***out);
/* The index of the app's database named name[0..len), or -1. */
int rf_schema_database_index(const rf_app *app, const char *name, size_t len);
/* The statements of app->schema_sql[d] that belong to database db. */
int rf_schema_app_statements(rf_arena *a, const rf_app *app, rf_dialect d, int db,
                             const char ***out);
/* The table a `CREATE TABLE IF NOT EXISTS` statement creates, else NULL. */
const char *rf_schema_created_table(rf_arena *a, const char *stmt);
/* One row when the table named by the parameter exists. */
const char *rf_schema_table_exists_sql(rf_dialect d);

/* The database an index of the app names, for a request. */
rf_db *rf_db_for(rf_ctx *ctx, int index);
/* The same, logging when the worker has not opened it (NULL then). */
rf_db *rf_db_open_for(rf_ctx *ctx, int index);

/* The value a queryset argument takes in this request (query.c): false
 * when a URL argument is missing or does not convert. */
bool rf_qarg_resolve(rf_ctx *ctx, rf_arena *a, const rf_qarg *arg, rf_value *out);

#endif
