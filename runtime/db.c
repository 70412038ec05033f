/*
 * db.c: the async query interface common to both backends: opening by URL,
 * statements and their parameters copied into ops, transactions pinned to
 * the request (with savepoints when nested, as Django's atomic()), delivery
 * of results on the loop thread, and typed access to results.
 *
 * A request may go away while one of its statements runs (the core frees
 * its arena, e.g. when the client disconnected).  Each op registers a
 * cleanup on that arena that marks it, so the callback is then skipped and
 * the result freed; a transaction the request left open is rolled back.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "db_internal.h"
#include "internal.h"

static void spare_ops_free(rf_db *db);

/* ---------------------------------------------------------------------
 * Opening.
 */
static const rf_db_backend *backend_for(const char *url, const char **target)
{
    if (strncmp(url, "sqlite:", 7) == 0) {
        *target = url + 7;
        return &rf_sqlite_backend;
    }
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        *target = url;
        return &rf_pg_backend;
    }
    return NULL;
}

/* A PostgreSQL URL may carry a password: the log names host, port and
 * database only. */
static char *log_label(const rf_db *db, const char *url)
{
    if (db->dialect == RF_SQLITE)
        return strdup(url);
    const char *host = "", *port = "", *dbname = "";
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
        else if (strcmp(o->keyword, "dbname") == 0)
            dbname = o->val;
    }
    char label[512];
    snprintf(label, sizeof label, "postgresql://%s%s%s/%s", host, *port ? ":" : "", port, dbname);
    PQconninfoFree(opts);
    return strdup(label);
}

rf_db *rf_db_open(struct event_base *base, const char *url, int pool_size,
                  char *err, size_t errlen)
{
    const char *target;
    const rf_db_backend *backend = backend_for(url, &target);
    if (!backend) {
        snprintf(err, errlen, "unsupported database URL '%s' (use sqlite:PATH, "
                 "sqlite::memory: or postgresql://...)", url);
        return NULL;
    }
    rf_db *db = calloc(1, sizeof *db);
    if (!db)
        abort();
    db->backend = backend;
    db->dialect = backend == &rf_sqlite_backend ? RF_SQLITE : RF_POSTGRES;
    db->base = base;
    db->url = strdup(url);
    db->label = log_label(db, url);
    if (!backend->open(db, target, pool_size, err, errlen)) {
        free(db->label);
        free(db->url);
        free(db);
        return NULL;
    }
    return db;
}

void rf_db_close(rf_db *db)
{
    if (!db)
        return;
    db->backend->close(db);
    spare_ops_free(db);
    free(db->label);
    free(db->url);
    free(db);
}

rf_dialect rf_db_dialect(const rf_db *db)
{
    return db->dialect;
}

uint64_t rf_db_statements(const rf_db *db)
{
    return db->statements;
}

void rf_db_count_prepare(rf_db *db)
{
    __atomic_fetch_add(&db->prepares, 1, __ATOMIC_RELAXED);
}

uint64_t rf_db_prepares(const rf_db *db)
{
    return __atomic_load_n(&db->prepares, __ATOMIC_RELAXED);
}

void rf_db_count_trip(rf_db *db)
{
    db->trips++;
}

uint64_t rf_db_trips(const rf_db *db)
{
    return db->trips;
}

void rf_db_count_snapshot(rf_db *db)
{
    db->snapshots++;
}

uint64_t rf_db_snapshots(const rf_db *db)
{
    return db->snapshots;
}

rf_db *rf_db_for(rf_ctx *ctx, int index)
{
    return rf_ctx_db(ctx, index);
}

rf_db *rf_db_open_for(rf_ctx *ctx, int index)
{
    rf_db *db = rf_ctx_db(ctx, index);
    if (!db)
        rf_log_error("database %d is not open in this worker", index);
    return db;
}

/* ---------------------------------------------------------------------
 * Ops.  One block holds the op, its SQL and its parameters' text.  Ops
 * live on the loop thread from rf_db_exec to their delivery; those that
 * fit OP_SPARE_SIZE are kept for the next statements rather than freed.
 */
#define OP_SPARE_SIZE 1024
#define OP_SPARES_MAX 64

static size_t params_text_size(const rf_value *params, int n)
{
    size_t size = 0;
    for (int i = 0; i < n; i++) {
        rf_vtype t = params[i].type;
        if ((t == RF_V_TEXT || t == RF_V_DECIMAL || t == RF_V_JSON) && params[i].u.s)
            size += strlen(params[i].u.s) + 1;
    }
    return size;
}

static char *copy_text(char **cursor, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = memcpy(*cursor, s, n);
    *cursor += n;
    return p;
}

static rf_db_op *op_alloc(rf_db *db, size_t size)
{
    rf_db_op *op;
    if (size <= OP_SPARE_SIZE)
        size = OP_SPARE_SIZE;
    if (size == OP_SPARE_SIZE && db->spare_ops) {
        op = db->spare_ops;
        db->spare_ops = op->next;
        db->nspare_ops--;
        memset(op, 0, sizeof *op);
    } else if (!(op = calloc(1, size))) {
        abort();
    }
    op->size = size;
    return op;
}

static void op_free(rf_db_op *op)
{
    rf_db *db = op->db;
    if (op->size == OP_SPARE_SIZE && db->nspare_ops < OP_SPARES_MAX) {
        op->next = db->spare_ops;
        db->spare_ops = op;
        db->nspare_ops++;
        return;
    }
    free(op);
}

static void spare_ops_free(rf_db *db)
{
    while (db->spare_ops) {
        rf_db_op *op = db->spare_ops;
        db->spare_ops = op->next;
        free(op);
    }
}

static rf_db_op *op_new(rf_db *db, rf_op_kind kind, const char *sql,
                        const rf_value *params, int nparams)
{
    size_t size = sizeof(rf_db_op) + (size_t)nparams * sizeof(rf_value) +
                  strlen(sql) + 1 + params_text_size(params, nparams);
    rf_db_op *op = op_alloc(db, size);
    op->db = db;
    op->kind = kind;
    op->params = (rf_value *)(op + 1);
    op->nparams = nparams;
    char *cursor = (char *)(op->params + nparams);
    for (int i = 0; i < nparams; i++) {
        op->params[i] = params[i];
        rf_vtype t = params[i].type;
        if ((t == RF_V_TEXT || t == RF_V_DECIMAL || t == RF_V_JSON) && params[i].u.s)
            op->params[i].u.s = copy_text(&cursor, params[i].u.s);
    }
    op->sql = copy_text(&cursor, sql);
    op->sql_hash = rf_sql_hash(op->sql);
    op->writes = rf_sql_writes(op->sql);
    return op;
}

/* The request that started an op may go away while it runs (the core
 * frees its arena, e.g. when the client disconnected): the arena's cleanup
 * tells the op, whose answer is then dropped.  An op answered first
 * cancels the cleanup. */
static void op_owner_gone(void *arg)
{
    rf_db_op *op = arg;
    op->owner_gone = true;
    op->owner_watch = NULL;
}

static void op_bind_owner(rf_db_op *op, void *owner, rf_arena *arena,
                          rf_db_cb cb, void *arg)
{
    op->owner = owner;
    op->cb = cb;
    op->arg = arg;
    if (arena) {
        op->arena = arena;
        op->owner_watch = rf_arena_on_free_cancelable(arena, op_owner_gone, op);
    }
}

static void answer_now(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rf_db_op_done(arg);
}

void rf_db_op_answer_later(rf_db_op *op, rf_db_error kind, const char *message)
{
    op->res = rf_result_of(NULL, kind, message);
    static const struct timeval now = { 0, 0 };
    event_base_once(op->db->base, -1, EV_TIMEOUT, answer_now, op, &now);
}

static void release_result(void *arg)
{
    rf_result_release(arg);
}

/* Violations and misses are answers; a failure is a bug or an outage
 * worth a line in the log (outages are logged once by the backend). */
static void deliver(rf_db_op *op)
{
    rf_result *res = op->res;
    if (res->error == RF_DB_FAILED && !op->source)   /* a chained read's is its source's */
        rf_log_error("database %s: %s", op->db->label, rf_result_message(res));
    bool present = !op->owner_gone;
    if (op->owner_watch)
        rf_cleanup_cancel(op->owner_watch);
    if (!present || !op->cb) {
        rf_result_release(res);
        return;
    }
    if (op->arena)
        rf_arena_on_free(op->arena, release_result, res);
    op->cb(op->owner, res, op->arg);
    if (!op->arena)
        rf_result_release(res);
}

/* ---------------------------------------------------------------------
 * Transactions.
 */
static rf_db_txn *txn_find(rf_db *db, void *owner)
{
    if (!owner)
        return NULL;
    for (rf_db_txn *t = db->txns; t; t = t->next)
        if (t->owner == owner)
            return t;
    return NULL;
}

static void txn_unlink(rf_db_txn *t)
{
    for (rf_db_txn **p = &t->db->txns; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->closed = true;
}

static void txn_unref(rf_db_txn *t)
{
    if (--t->refs == 0)
        free(t);
}

static const char *control_sql(rf_dialect d, rf_op_kind kind)
{
    switch (kind) {
    case RF_OP_BEGIN:
        /* Every transaction here writes: take SQLite's write lock up front,
         * so it never fails half-way on a lock another writer holds. */
        return d == RF_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN";
    case RF_OP_COMMIT:
        return "COMMIT";
    default:
        return "ROLLBACK";
    }
}

static void txn_submit(rf_db_txn *t, rf_db_op *op)
{
    op->txn = t;
    t->busy = true;
    t->db->backend->submit(t->db, op);
}

/* The request ended with its transaction open: roll back on its own. */
static void txn_abandon(rf_db_txn *t)
{
    t->depth = 1;
    rf_db_op *op = op_new(t->db, RF_OP_ROLLBACK, control_sql(t->db->dialect, RF_OP_ROLLBACK),
                          NULL, 0);
    if (t->broken) {
        op->txn = t;
        t->busy = true;
        rf_db_op_answer_later(op, RF_DB_UNAVAILABLE, "connection lost");
        return;
    }
    txn_submit(t, op);
}

static void txn_owner_gone(void *arg)
{
    rf_db_txn *t = arg;
    t->owner = NULL;
    if (!t->closed) {
        if (t->busy)
            t->rollback_pending = true;
        else
            txn_abandon(t);
    }
    txn_unref(t);
}

static rf_db_txn *txn_new(rf_db *db, void *owner, rf_arena *arena)
{
    rf_db_txn *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->db = db;
    t->owner = owner;
    t->depth = 1;
    t->refs = 1;
    t->next = db->txns;
    db->txns = t;
    if (arena) {
        t->refs++;
        rf_arena_on_free(arena, txn_owner_gone, t);
    }
    return t;
}

/* Book-keeping once a statement of a transaction is back. */
static void txn_after(rf_db_op *op)
{
    rf_db_txn *t = op->txn;
    t->busy = false;
    bool failed = op->res->error != RF_DB_OK;
    if (op->res->error == RF_DB_UNAVAILABLE)
        t->broken = true;
    if (op->savepoint && failed)
        t->depth--;
    bool ends = op->kind == RF_OP_COMMIT || op->kind == RF_OP_ROLLBACK ||
                (op->kind == RF_OP_BEGIN && failed) || op->txn_never_began ||
                op->txn_ended_along;
    if (ends && !t->closed) {
        txn_unlink(t);
        txn_unref(t);
    } else if (t->rollback_pending && !t->closed) {
        t->rollback_pending = false;
        txn_abandon(t);
    }
}

/* A chained read the backend did not run (the statement failed, or was
 * answered before reaching a connection) gets the statement's error. */
static void answer_unrun(rf_db_op *then, const rf_result *head)
{
    if (!then->res)
        then->res = rf_result_of(NULL, head->error == RF_DB_OK ? RF_DB_FAILED : head->error,
                                 "not run: the statement it follows failed");
}

void rf_db_op_done(rf_db_op *op)
{
    if (op->txn)
        txn_after(op);
    /* The chained reads first: their callbacks keep the results that the
     * statement's callback then goes on with. */
    for (rf_db_op *t = op->then, *next; t; t = next) {
        next = t->then;
        answer_unrun(t, op->res);
        deliver(t);
        op_free(t);
    }
    deliver(op);
    op_free(op);
}

/* ---------------------------------------------------------------------
 * The engine.
 */
static rf_arena *arena_of(rf_ctx *ctx)
{
    return ctx ? rf_ctx_arena(ctx) : NULL;
}

static rf_rc start(rf_db *db, rf_db_op *op, rf_db_txn *t)
{
    if (t && t->busy) {
        rf_db_op_answer_later(op, RF_DB_FAILED, "a statement of this transaction is still running");
    } else if (t && t->broken) {
        rf_db_op_answer_later(op, RF_DB_UNAVAILABLE, "the transaction's connection was lost");
    } else if (t) {
        txn_submit(t, op);
    } else {
        db->backend->submit(db, op);
    }
    return RF_PENDING;
}

rf_rc rf_db_exec_as(rf_db *db, void *owner, rf_arena *arena, const rf_stmt *stmt,
                    const rf_value *params, int nparams, rf_db_cb cb, void *arg)
{
    rf_db_op *op = op_new(db, RF_OP_EXEC, stmt->sql[db->dialect], params, nparams);
    op->name = stmt->name;
    op_bind_owner(op, owner, arena, cb, arg);
    db->statements++;
    return start(db, op, txn_find(db, owner));
}

bool rf_db_can_chain(const rf_db *db)
{
    return db->dialect == RF_SQLITE;
}

/* The k-th (1-based) read chained after op so far. */
static rf_db_op *chained_at(rf_db_op *op, int k)
{
    rf_db_op *t = op->then;
    while (--k > 0)
        t = t->then;
    return t;
}

bool rf_db_can_chain_commit(rf_ctx *ctx, rf_db *db)
{
    rf_db_txn *t = txn_find(db, ctx);
    return rf_db_can_chain(db) && t && t->depth == 1 && !t->busy && !t->broken;
}

static rf_db_op *chained_op(rf_db *db, const rf_db_then *then)
{
    if (!then->commit)
        return op_new(db, RF_OP_EXEC, then->sql, then->params, then->nparams);
    rf_db_op *t = op_new(db, RF_OP_COMMIT, control_sql(db->dialect, RF_OP_COMMIT), NULL, 0);
    t->commit_budget = then->commit_budget;
    return t;
}

/* The chained reads (and a COMMIT), in order, after op. */
static void chain_reads(rf_db_op *op, void *owner, rf_arena *arena, const rf_db_txn *txn,
                        const rf_db_then *then, int nthen)
{
    rf_db_op **tail = &op->then;
    for (int i = 0; i < nthen; i++) {
        if (then[i].commit && (!txn || txn->depth != 1))
            abort();    /* a caller's bug: rf_db_can_chain_commit says who may */
        rf_db_op *t = chained_op(op->db, &then[i]);
        int from = then[i].follows;
        t->source = from > 0 && from <= i ? chained_at(op, from) : op;
        t->derive = then[i].derive;
        t->derive_arg = then[i].derive_arg;
        op_bind_owner(t, owner, arena, then[i].cb, then[i].arg);
        op->db->statements++;
        *tail = t;
        tail = &t->then;
    }
}

rf_rc rf_db_exec_chained(rf_ctx *ctx, rf_db *db, const rf_stmt *stmt,
                         const rf_value *params, int nparams, rf_db_cb cb, void *arg,
                         const rf_db_then *then, int nthen)
{
    if (!rf_db_can_chain(db))
        abort();        /* a caller's bug: rf_db_can_chain says who may */
    rf_db_op *op = op_new(db, RF_OP_EXEC, stmt->sql[db->dialect], params, nparams);
    op->name = stmt->name;
    op_bind_owner(op, ctx, arena_of(ctx), cb, arg);
    rf_db_txn *txn = txn_find(db, ctx);
    chain_reads(op, ctx, arena_of(ctx), txn, then, nthen);
    db->statements++;
    return start(db, op, txn);
}

static rf_db_op *savepoint_op(rf_db *db, const char *verb, int depth)
{
    char sql[64];
    snprintf(sql, sizeof sql, "%s rf_sp%d", verb, depth);
    return op_new(db, RF_OP_EXEC, sql, NULL, 0);
}

rf_rc rf_db_begin_as(rf_db *db, void *owner, rf_arena *arena, rf_db_cb cb, void *arg)
{
    rf_db_txn *t = txn_find(db, owner);
    if (t) {
        /* Nested: a savepoint, as Django's atomic() inside atomic(). */
        rf_db_op *op = savepoint_op(db, "SAVEPOINT", t->depth + 1);
        op->savepoint = true;
        op_bind_owner(op, owner, arena, cb, arg);
        if (!t->busy && !t->broken)
            t->depth++;
        return start(db, op, t);
    }
    rf_db_op *op = op_new(db, RF_OP_BEGIN, control_sql(db->dialect, RF_OP_BEGIN), NULL, 0);
    op_bind_owner(op, owner, arena, cb, arg);
    txn_submit(txn_new(db, owner, arena), op);
    return RF_PENDING;
}

static rf_rc finish(rf_db *db, rf_op_kind kind, void *owner, rf_arena *arena,
                    rf_db_cb cb, void *arg)
{
    rf_db_txn *t = txn_find(db, owner);
    rf_db_op *op;
    if (t && t->depth > 1) {
        op = savepoint_op(db, kind == RF_OP_COMMIT ? "RELEASE SAVEPOINT"
                                                   : "ROLLBACK TO SAVEPOINT", t->depth);
        if (!t->busy && !t->broken)
            t->depth--;
    } else {
        op = op_new(db, kind, control_sql(db->dialect, kind), NULL, 0);
    }
    op_bind_owner(op, owner, arena, cb, arg);
    if (!t) {
        rf_db_op_answer_later(op, RF_DB_FAILED, "no transaction is open");
    } else if (t->broken && !t->busy && op->kind == RF_OP_ROLLBACK) {
        /* Nothing to undo: the server dropped the transaction with the
         * connection, so the rollback asked for has happened. */
        op->txn = t;
        t->busy = true;
        rf_db_op_answer_later(op, RF_DB_OK, NULL);
    } else {
        start(db, op, t);
    }
    return RF_PENDING;
}

rf_rc rf_db_commit_as(rf_db *db, void *owner, rf_arena *arena, rf_db_cb cb, void *arg)
{
    return finish(db, RF_OP_COMMIT, owner, arena, cb, arg);
}

rf_rc rf_db_rollback_as(rf_db *db, void *owner, rf_arena *arena, rf_db_cb cb, void *arg)
{
    return finish(db, RF_OP_ROLLBACK, owner, arena, cb, arg);
}

/* ---------------------------------------------------------------------
 * The public functions: the request is the owner, its arena the lifetime.
 */
rf_rc rf_db_exec(rf_ctx *ctx, rf_db *db, const rf_stmt *stmt,
                 const rf_value *params, int nparams, rf_db_cb cb, void *arg)
{
    return rf_db_exec_as(db, ctx, arena_of(ctx), stmt, params, nparams, cb, arg);
}

rf_rc rf_db_begin(rf_ctx *ctx, rf_db *db, rf_db_cb cb, void *arg)
{
    return rf_db_begin_as(db, ctx, arena_of(ctx), cb, arg);
}

rf_rc rf_db_commit(rf_ctx *ctx, rf_db *db, rf_db_cb cb, void *arg)
{
    return rf_db_commit_as(db, ctx, arena_of(ctx), cb, arg);
}

rf_rc rf_db_rollback(rf_ctx *ctx, rf_db *db, rf_db_cb cb, void *arg)
{
    return rf_db_rollback_as(db, ctx, arena_of(ctx), cb, arg);
}

rf_rc rf_db_fail(rf_ctx *ctx, rf_db_error err)
{
    switch (err) {
    case RF_DB_UNAVAILABLE:
        return rf_error(ctx, 503, "Service temporarily unavailable.");
    case RF_DB_NOT_FOUND:
        return rf_error(ctx, 404, "Not found.");
    default:
        return rf_error(ctx, 500, "A server error occurred.");
    }
}

/* ---------------------------------------------------------------------
 * Results.
 */
rf_result *rf_result_of(rf_arena *own, rf_db_error kind, const char *message)
{
    if (!own)
        own = rf_arena_new(0);
    rf_result *r = rf_calloc(own, sizeof *r);
    r->own = own;
    r->error = kind;
    r->message = message ? rf_strdup(own, message) : NULL;
    return r;
}

void rf_result_release(rf_result *r)
{
    if (!r)
        return;
    if (r->pg)
        PQclear((PGresult *)r->pg);
    /* the result itself lives in its arena */
    if (r->own && r->recycle)
        r->recycle(r->home, r->own);
    else if (r->own)
        rf_arena_free(r->own);
    else
        free(r);
}

rf_db_error rf_result_error(const rf_result *r)
{
    return r->error;
}

const char *rf_result_message(const rf_result *r)
{
    return r->message ? r->message : "";
}

int rf_result_nrows(const rf_result *r)
{
    return r->nrows;
}

int rf_result_ncols(const rf_result *r)
{
    return r->ncols;
}

int64_t rf_result_affected(const rf_result *r)
{
    return r->affected;
}

static bool in_range(const rf_result *r, int row, int col)
{
    return row >= 0 && row < r->nrows && col >= 0 && col < r->ncols;
}

static const rf_cell *cell(const rf_result *r, int row, int col)
{
    return &r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

/* A float that JSON cannot hold.  PostgreSQL's text of float4 and float8
 * (types 700 and 701) spells them NaN, Infinity and -Infinity. */
static bool unrenderable(const rf_result *r, int row, int col, const char *text)
{
    if (!r->pg) {
        const rf_cell *c = cell(r, row, col);
        return c->type == RF_CELL_FLOAT && !isfinite(c->f);
    }
    Oid type = PQftype((const PGresult *)r->pg, col);
    return (type == 700 || type == 701) && (text[0] == 'N' || text[0] == 'I' || text[0] == '-');
}

/* Per cell: its text JSON-escaped (at most 6 bytes a byte, as \u001f) and
 * 64 bytes for what a renderer writes around it or instead of it (quotes,
 * a number, true, false or null, a datetime's T and Z).  Times 4: a buffer
 * grows by doubling, so all it allocated is under twice its capacity,
 * which is under twice its content. */
size_t rf_result_render_bound(const rf_result *r)
{
    size_t bound = 0;
    for (int row = 0; row < r->nrows; row++) {
        for (int col = 0; col < r->ncols; col++) {
            const char *text = rf_result_text(r, row, col);
            if (text && unrenderable(r, row, col, text))
                return SIZE_MAX;
            bound += 6 * (text ? strlen(text) : 0) + 64;
        }
    }
    return 4 * bound;
}

bool rf_result_isnull(const rf_result *r, int row, int col)
{
    if (!in_range(r, row, col))
        return true;
    if (r->pg)
        return PQgetisnull((const PGresult *)r->pg, row, col);
    return cell(r, row, col)->type == RF_CELL_NULL;
}

const char *rf_result_text(const rf_result *r, int row, int col)
{
    if (rf_result_isnull(r, row, col))
        return NULL;
    if (r->pg)
        return PQgetvalue((const PGresult *)r->pg, row, col);
    return cell(r, row, col)->s;
}

int64_t rf_result_int(const rf_result *r, int row, int col)
{
    const char *s = rf_result_text(r, row, col);
    if (!s)
        return 0;
    if (!r->pg) {
        const rf_cell *c = cell(r, row, col);
        if (c->type == RF_CELL_INT)
            return c->i;
        if (c->type == RF_CELL_FLOAT)
            return (int64_t)c->f;
    }
    return strtoll(s, NULL, 10);
}

double rf_result_float(const rf_result *r, int row, int col)
{
    const char *s = rf_result_text(r, row, col);
    if (!s)
        return 0;
    if (!r->pg) {
        const rf_cell *c = cell(r, row, col);
        if (c->type == RF_CELL_INT)
            return (double)c->i;
        if (c->type == RF_CELL_FLOAT)
            return c->f;
    }
    return strtod(s, NULL);
}

/* SQLite stores booleans as 0/1, PostgreSQL answers "t"/"f". */
bool rf_result_bool(const rf_result *r, int row, int col)
{
    const char *s = rf_result_text(r, row, col);
    if (!s)
        return false;
    if (!r->pg && cell(r, row, col)->type != RF_CELL_TEXT)
        return rf_result_int(r, row, col) != 0;
    return strchr("tTyY1", s[0]) != NULL && s[0] != '\0';
}

const char *rf_result_decimal(const rf_result *r, int row, int col)
{
    return rf_result_text(r, row, col);
}

/* Both backends answer ISO text: "2026-11-29 12:00:00.123456" (SQLite,
 * UTC as Django stores it) or with an offset (PostgreSQL's timestamptz). */
int64_t rf_result_datetime(const rf_result *r, int row, int col)
{
    const char *s = rf_result_text(r, row, col);
    int64_t usec = 0;
    if (s && !rf_parse_datetime(s, &usec))
        usec = 0;
    return usec;
}

int32_t rf_result_date(const rf_result *r, int row, int col)
{
    const char *s = rf_result_text(r, row, col);
    char day[11];
    int32_t days = 0;
    if (s && strlen(s) >= 10) {
        memcpy(day, s, 10);
        day[10] = '\0';
        if (!rf_parse_date(day, &days))
            days = 0;
    }
    return days;
}

/* ---------------------------------------------------------------------
 * SQL text helpers.
 */
/* Length of the quoted run starting at s (a '...' literal or "..."
 * identifier, the quote doubled to escape it). */
static size_t quoted_len(const char *s)
{
    char q = s[0];
    size_t i = 1;
    for (;;) {
        if (s[i] == '\0')
            return i;
        if (s[i] == q) {
            if (s[i + 1] != q)
                return i + 1;
            i++;
        }
        i++;
    }
}

char *rf_sql_number_placeholders(const char *sql)
{
    size_t n = strlen(sql), count = 0;
    for (size_t i = 0; i < n; i++)
        count += sql[i] == '?';
    rf_buf out;
    rf_buf_init(&out, NULL, n + count * 4 + 1);
    int next = 1;
    for (size_t i = 0; i < n;) {
        if (sql[i] == '\'' || sql[i] == '"') {
            size_t len = quoted_len(sql + i);
            rf_buf_append(&out, sql + i, len);
            i += len;
        } else if (sql[i] == '?') {
            rf_buf_printf(&out, "$%d", next++);
            i++;
        } else {
            rf_buf_putc(&out, sql[i++]);
        }
    }
    return out.data;
}

/* The statement caches' buckets, eight bytes a step: statement texts run to a few hundred bytes, and a
 * read hashes its own and its chained reads' on every run (a byte at a
 * time, 4 % of a retrieve's instructions). */
unsigned rf_sql_hash(const char *sql)
{
    const uint64_t mul = 0xff51afd7ed558ccdu;
    size_t n = strlen(sql);
    uint64_t h = 0x9e3779b97f4a7c15u ^ n, word;
    for (; n >= 8; n -= 8, sql += 8) {
        memcpy(&word, sql, 8);
        h = (h ^ word) * mul;
        h ^= h >> 32;
    }
    word = 0;
    memcpy(&word, sql, n);
    h = (h ^ word) * mul;
    return (unsigned)(h ^ (h >> 29));
}

bool rf_sql_writes(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
        sql++;
    static const char *const reads[] = { "SELECT", "VALUES" };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        size_t n = strlen(reads[i]);
        if (strncasecmp(sql, reads[i], n) == 0 &&
            (sql[n] == ' ' || sql[n] == '\n' || sql[n] == '\t' || sql[n] == '\0'))
            return false;
    }
    return true;
}
