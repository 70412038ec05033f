/*
 * db_pg.c: the PostgreSQL backend, libpq non-blocking on the event loop.
 *
 * Connections.  A pool of N connections per database per worker process
 * (`--db-pool N`), opened at start without blocking (PQconnectStartParams,
 * then PQconnectPoll driven by socket readiness, under a connect timeout).
 * Every connection runs in pipeline mode: a statement not yet prepared on
 * it is sent as Parse + Bind/Execute + Sync in one write (prepare and run
 * in one round trip, then only Bind/Execute), and when every connection is
 * busy, autocommit statements of other requests queue on the least busy
 * one (up to PG_PIPELINE_DEPTH) instead of waiting for it to go idle.  Each
 * statement ends with its own Sync, so one failing never aborts another's.
 * A transaction pins an idle connection until COMMIT/ROLLBACK; nothing else
 * is sent on a pinned connection.
 *
 * Outages.  A connection that fails (socket closed, server shut down) fails
 * its statements with RF_DB_UNAVAILABLE.  When connecting fails, the
 * database is marked down for a short backoff (PG_BACKOFF_MIN_MS doubling
 * up to PG_BACKOFF_MAX_MS): meanwhile statements fail at once (the request
 * answers 503 without waiting), then the next statement probes with one
 * connection attempt.  When it succeeds the pool refills: recovery needs
 * no restart.
 *
 * Host names are resolved by libpq inside PQconnectPoll, which blocks the
 * loop for the DNS lookup: a URL with an IP address (or hostaddr=) or a
 * unix socket avoids it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "db_internal.h"
#include "internal.h"

#define PG_DEFAULT_POOL 4
#define PG_PIPELINE_DEPTH 4
#define PG_CONNECT_TIMEOUT_S 3
#define PG_BACKOFF_MIN_MS 100
#define PG_BACKOFF_MAX_MS 2000
#define PG_CACHE_BUCKETS 64
#define PG_CACHE_MAX 256        /* prepared statements kept per connection */

typedef enum conn_state { PC_DOWN = 0, PC_CONNECTING, PC_READY } conn_state;

typedef struct pg_cached {
    struct pg_cached *next;
    char *sql;                  /* the `?` text, the key */
    char *numbered;             /* with $1, $2, ... */
    char name[64];
    bool prepared;              /* Parse sent on this connection */
} pg_cached;

/* Where a sent statement is in its sequence of results:
 *   [Parse: result, NULL]  Execute: result, NULL  Sync */
typedef enum phase {
    PH_PREPARE = 0, PH_PREPARE_END, PH_EXEC, PH_EXEC_END, PH_SYNC
} phase;

typedef struct pg_sent {
    struct pg_sent *next;
    rf_db_op *op;
    phase phase;
    pg_cached *stmt;            /* NULL: sent unnamed */
    PGresult *res;              /* the Execute's result */
    PGresult *prepare_error;
} pg_sent;

typedef struct pg_db pg_db;

typedef struct pg_conn {
    pg_db *db;
    PGconn *pq;
    conn_state state;
    int fd;
    struct event *connect_ev;   /* one readiness wait of PQconnectPoll */
    struct event *timeout_ev;   /* the connect timeout */
    struct event *read_ev;      /* READY: persistent */
    struct event *write_ev;     /* READY: while PQflush has more to send */
    pg_sent *sent_head, *sent_tail;
    int inflight;
    rf_db_txn *pinned;
    pg_cached *cache[PG_CACHE_BUCKETS];
    int ncached, next_id;
} pg_conn;

typedef struct op_queue {
    rf_db_op *head, *tail;
} op_queue;

struct pg_db {
    rf_db *db;
    char *url;
    pg_conn *conns;
    int nconns;
    op_queue waiting;
    bool down;
    bool closing;
    uint64_t retry_at_ms;
    int backoff_ms;
    char last_error[256];
};

static void pump(pg_db *p);
static void connect_poll(pg_conn *c, PostgresPollingStatusType status);

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------------
 * Results.
 */
static rf_db_error error_kind(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (!state)
        return RF_DB_UNAVAILABLE;   /* libpq's own: the connection failed */
    if (strcmp(state, "23505") == 0)
        return RF_DB_UNIQUE;
    if (strcmp(state, "23503") == 0)
        return RF_DB_FOREIGN_KEY;
    /* connection exceptions, admin/crash shutdown, cannot connect now,
     * too many connections */
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
        strcmp(state, "53300") == 0)
        return RF_DB_UNAVAILABLE;
    return RF_DB_FAILED;
}

static bool command_is(const PGresult *res, const char *word)
{
    return strncmp(PQcmdStatus((PGresult *)res), word, strlen(word)) == 0;
}

/* Wrap a PGresult; the rf_result owns it from here. */
static rf_result *wrap_result(const rf_db_op *op, PGresult *res)
{
    rf_result *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->pg = (struct pg_result *)res;
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        r->error = error_kind(res);
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        r->message = primary ? primary : PQresultErrorMessage(res);
        return r;
    }
    r->nrows = PQntuples(res);
    r->ncols = PQnfields(res);
    if (!command_is(res, "SELECT"))
        r->affected = strtoll(PQcmdTuples(res), NULL, 10);
    if (r->affected == 0 && (command_is(res, "UPDATE") || command_is(res, "DELETE"))) {
        r->error = RF_DB_NOT_FOUND;
        r->message = "no row matched";
    } else if (op->kind == RF_OP_COMMIT && command_is(res, "ROLLBACK")) {
        /* COMMIT of a transaction a failed statement aborted */
        r->error = RF_DB_FAILED;
        r->message = "the transaction was rolled back after an error";
    }
    return r;
}

/* ---------------------------------------------------------------------
 * Statement cache, per connection, keyed by the `?` text.
 */
/* The cache entry for sql, created on first use; NULL when the cache is
 * full (the statement then goes unnamed). */
static pg_cached *cached_statement(pg_conn *c, const rf_db_op *op)
{
    pg_cached **slot = &c->cache[op->sql_hash % PG_CACHE_BUCKETS];
    while (*slot && strcmp((*slot)->sql, op->sql) != 0)
        slot = &(*slot)->next;
    if (*slot || c->ncached >= PG_CACHE_MAX)
        return *slot;
    pg_cached *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    e->sql = strdup(op->sql);
    e->numbered = rf_sql_number_placeholders(op->sql);
    /* a fixed statement keeps its name (readable in pg_stat_statements) */
    if (op->name && strlen(op->name) < sizeof e->name - 8)
        snprintf(e->name, sizeof e->name, "%s", op->name);
    else
        snprintf(e->name, sizeof e->name, "rf_%d", ++c->next_id);
    *slot = e;
    c->ncached++;
    return e;
}

static void cache_clear(pg_conn *c)
{
    for (int i = 0; i < PG_CACHE_BUCKETS; i++) {
        while (c->cache[i]) {
            pg_cached *e = c->cache[i];
            c->cache[i] = e->next;
            free(e->sql);
            free(e->numbered);
            free(e);
        }
    }
    c->ncached = 0;
}

/* ---------------------------------------------------------------------
 * Parameters, as text (types inferred by the server).
 */
static const char *param_text(rf_arena *a, const rf_value *v)
{
    char when[32];
    rf_buf day;
    switch (v->type) {
    case RF_V_NULL:
        return NULL;
    case RF_V_INT:
        return rf_sprintf(a, "%lld", (long long)v->u.i);
    case RF_V_BOOL:
        return v->u.i ? "true" : "false";
    case RF_V_FLOAT:
        return rf_sprintf(a, "%.17g", v->u.f);
    case RF_V_DATETIME:
        rf_format_datetime_sql(when, v->u.i);
        return rf_sprintf(a, "%s+00", when);
    case RF_V_DATE:
        rf_buf_init(&day, a, 16);
        rf_json_date(&day, (int32_t)v->u.i);   /* "YYYY-MM-DD", quoted */
        return rf_strndup(a, day.data + 1, day.len - 2);
    default:
        return v->u.s ? v->u.s : "";
    }
}

/* ---------------------------------------------------------------------
 * Sending.
 */
static void conn_broken(pg_conn *c, const char *why);

static void flush(pg_conn *c)
{
    int rc = PQflush(c->pq);
    if (rc < 0)
        conn_broken(c, PQerrorMessage(c->pq));
    else if (rc > 0)
        event_add(c->write_ev, NULL);
}

static void sent_push(pg_conn *c, pg_sent *s)
{
    if (c->sent_tail)
        c->sent_tail->next = s;
    else
        c->sent_head = s;
    c->sent_tail = s;
    c->inflight++;
}

static bool send_statement(pg_conn *c, pg_sent *s, const char *const *values)
{
    rf_db_op *op = s->op;
    pg_cached *stmt = s->stmt;
    if (!stmt) {
        char *numbered = rf_sql_number_placeholders(op->sql);
        int ok = PQsendQueryParams(c->pq, numbered, op->nparams, NULL, values, NULL, NULL, 0);
        free(numbered);
        s->phase = PH_EXEC;
        return ok;
    }
    s->phase = PH_EXEC;
    if (!stmt->prepared) {
        if (!PQsendPrepare(c->pq, stmt->name, stmt->numbered, 0, NULL))
            return false;
        rf_db_count_prepare(c->db->db);
        stmt->prepared = true;
        s->phase = PH_PREPARE;
    }
    return PQsendQueryPrepared(c->pq, stmt->name, op->nparams, values, NULL, NULL, 0);
}

static void send_op(pg_conn *c, rf_db_op *op)
{
    pg_sent *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->op = op;
    s->stmt = cached_statement(c, op);
    op->conn = c;
    rf_db_count_trip(op->db);
    rf_arena *a = rf_arena_new(0);
    const char **values = rf_alloc(a, (size_t)(op->nparams + 1) * sizeof *values);
    for (int i = 0; i < op->nparams; i++)
        values[i] = param_text(a, &op->params[i]);
    bool ok = send_statement(c, s, values) && PQpipelineSync(c->pq);
    rf_arena_free(a);
    sent_push(c, s);
    if (!ok)
        conn_broken(c, PQerrorMessage(c->pq));
    else
        flush(c);
}

/* ---------------------------------------------------------------------
 * Receiving.
 */
static void complete(pg_conn *c, pg_sent *s)
{
    rf_db_op *op = s->op;
    if (s->prepare_error) {
        op->res = wrap_result(op, s->prepare_error);
        PQclear(s->res);
    } else if (s->res) {
        op->res = wrap_result(op, s->res);
    } else {
        op->res = rf_result_of(NULL, RF_DB_FAILED, "no result");
    }
    bool ends_txn = op->kind == RF_OP_COMMIT || op->kind == RF_OP_ROLLBACK ||
                    (op->kind == RF_OP_BEGIN && op->res->error != RF_DB_OK);
    if (ends_txn && c->pinned) {
        c->pinned->conn = NULL;
        c->pinned = NULL;
    }
    free(s);
    rf_db_op_done(op);
}

static pg_sent *sent_pop(pg_conn *c)
{
    pg_sent *s = c->sent_head;
    c->sent_head = s->next;
    if (!c->sent_head)
        c->sent_tail = NULL;
    c->inflight--;
    return s;
}

/* Feed one PQgetResult answer to the oldest statement on the wire.  True
 * when that statement is complete. */
static bool feed(pg_sent *s, PGresult *res)
{
    switch (s->phase) {
    case PH_PREPARE:
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            s->prepare_error = res;
            s->stmt->prepared = false;
        } else {
            PQclear(res);
        }
        s->phase = PH_PREPARE_END;
        return false;
    case PH_EXEC:
        if (s->res)
            PQclear(s->res);
        s->res = res;
        s->phase = PH_EXEC_END;
        return false;
    case PH_PREPARE_END: case PH_EXEC_END:
        if (res) {           /* a second result for one command: keep the last */
            PQclear(s->res);
            s->res = res;
            return false;
        }
        s->phase = s->phase == PH_PREPARE_END ? PH_EXEC : PH_SYNC;
        return false;
    case PH_SYNC:
        PQclear(res);       /* PGRES_PIPELINE_SYNC */
        return true;
    }
    return false;
}

/* A completion's callback may send more on this connection, or lose it. */
static void drain_results(pg_conn *c)
{
    while (c->state == PC_READY && c->sent_head && !PQisBusy(c->pq)) {
        pg_sent *s = c->sent_head;
        PGresult *res = PQgetResult(c->pq);
        /* NULL ends a command's results; anywhere else it means nothing
         * more is coming for now */
        if (!res && s->phase != PH_PREPARE_END && s->phase != PH_EXEC_END)
            break;
        if (feed(s, res))
            complete(c, sent_pop(c));
    }
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pg_conn *c = arg;
    if (!PQconsumeInput(c->pq) || PQstatus(c->pq) == CONNECTION_BAD) {
        conn_broken(c, PQerrorMessage(c->pq));
        return;
    }
    drain_results(c);
    if (c->state != PC_READY)
        return;
    if (PQstatus(c->pq) == CONNECTION_BAD)
        conn_broken(c, PQerrorMessage(c->pq));
    else
        pump(c->db);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    flush(arg);
}

/* ---------------------------------------------------------------------
 * Connection life.
 */
static void free_events(pg_conn *c)
{
    struct event **evs[] = { &c->connect_ev, &c->timeout_ev, &c->read_ev, &c->write_ev };
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
        if (*evs[i])
            event_free(*evs[i]);
        *evs[i] = NULL;
    }
}

static void conn_close(pg_conn *c)
{
    free_events(c);
    if (c->pq)
        PQfinish(c->pq);
    c->pq = NULL;
    c->state = PC_DOWN;
    cache_clear(c);
}

/* Fail what was sent on a lost connection; a transaction pinned to it is
 * lost with it (the server rolled it back). */
static void conn_broken(pg_conn *c, const char *why)
{
    char reason[256];
    snprintf(reason, sizeof reason, "connection lost: %s", why ? why : "");
    if (c->pinned) {
        c->pinned->broken = true;
        c->pinned->conn = NULL;
        c->pinned = NULL;
    }
    conn_close(c);
    while (c->sent_head) {
        pg_sent *s = sent_pop(c);
        PQclear(s->res);
        PQclear(s->prepare_error);
        rf_db_op *op = s->op;
        free(s);
        op->res = rf_result_of(NULL, RF_DB_UNAVAILABLE, reason);
        rf_db_op_done(op);
    }
    pump(c->db);
}

/* Answer what waits for a connection with the last error: from the loop
 * (now: while closing, when the loop will not run again). */
static void fail_waiting(pg_db *p, bool now)
{
    while (p->waiting.head) {
        rf_db_op *op = p->waiting.head;
        p->waiting.head = op->next;
        if (!now) {
            rf_db_op_answer_later(op, RF_DB_UNAVAILABLE, p->last_error);
            continue;
        }
        op->res = rf_result_of(NULL, RF_DB_UNAVAILABLE, p->last_error);
        rf_db_op_done(op);
    }
    p->waiting.tail = NULL;
}

static bool any_in_state(const pg_db *p, conn_state state)
{
    for (int i = 0; i < p->nconns; i++)
        if (p->conns[i].state == state)
            return true;
    return false;
}

/* libpq's messages end in a newline, some span several lines: one line
 * for the log and the results. */
static void one_line(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = '\0';
}

static void connect_failed(pg_conn *c, const char *why)
{
    pg_db *p = c->db;
    snprintf(p->last_error, sizeof p->last_error, "cannot connect: %s", why ? why : "");
    one_line(p->last_error);
    conn_close(c);
    if (!p->down && !p->closing)
        rf_log_error("database %s unavailable: %s", p->db->label, p->last_error);
    p->down = true;
    p->backoff_ms = p->backoff_ms ? p->backoff_ms * 2 : PG_BACKOFF_MIN_MS;
    if (p->backoff_ms > PG_BACKOFF_MAX_MS)
        p->backoff_ms = PG_BACKOFF_MAX_MS;
    p->retry_at_ms = now_ms() + (uint64_t)p->backoff_ms;
    if (!any_in_state(p, PC_READY))
        fail_waiting(p, false);
}

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void connected(pg_conn *c)
{
    pg_db *p = c->db;
    free_events(c);
    if (PQsetnonblocking(c->pq, 1) != 0 || !PQenterPipelineMode(c->pq)) {
        connect_failed(c, PQerrorMessage(c->pq));
        return;
    }
    PQsetNoticeProcessor(c->pq, quiet_notices, NULL);
    c->fd = PQsocket(c->pq);
    c->read_ev = event_new(p->db->base, c->fd, EV_READ | EV_PERSIST, on_read, c);
    rf_event_first(c->read_ev);
    c->write_ev = event_new(p->db->base, c->fd, EV_WRITE, on_write, c);
    event_add(c->read_ev, NULL);
    c->state = PC_READY;
    if (p->down)
        rf_log_error("database %s: connected again", p->db->label);
    p->down = false;
    p->backoff_ms = 0;
    pump(p);
}

static void on_connect_ready(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pg_conn *c = arg;
    connect_poll(c, PQconnectPoll(c->pq));
}

/* The loop may have been busy past the deadline while the server answered:
 * look once more before giving up. */
static void on_connect_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pg_conn *c = arg;
    PostgresPollingStatusType status = PQconnectPoll(c->pq);
    if (status == PGRES_POLLING_OK)
        connected(c);
    else
        connect_failed(c, status == PGRES_POLLING_FAILED ? PQerrorMessage(c->pq) : "timeout");
}

/* Wait for the socket as PQconnectPoll asks; the socket may change between
 * attempts (several hosts or addresses), so the event is made anew. */
static void connect_poll(pg_conn *c, PostgresPollingStatusType status)
{
    if (status == PGRES_POLLING_OK) {
        connected(c);
        return;
    }
    if (status == PGRES_POLLING_FAILED || PQsocket(c->pq) < 0) {
        connect_failed(c, PQerrorMessage(c->pq));
        return;
    }
    if (c->connect_ev)
        event_free(c->connect_ev);
    short what = status == PGRES_POLLING_READING ? EV_READ : EV_WRITE;
    c->connect_ev = event_new(c->db->db->base, PQsocket(c->pq), what, on_connect_ready, c);
    event_add(c->connect_ev, NULL);
}

static void conn_start(pg_conn *c)
{
    pg_db *p = c->db;
    /* Timestamps are read as ISO text with an offset; the URL's own
     * options, which come after, may still set other things. */
    static const char *const keywords[] = {
        "options", "fallback_application_name", "dbname", "client_encoding", NULL
    };
    const char *values[] = { "-c DateStyle=ISO -c TimeZone=UTC", "restflow", p->url, "UTF8",
                             NULL };
    c->pq = PQconnectStartParams(keywords, values, 1);
    if (!c->pq || PQstatus(c->pq) == CONNECTION_BAD) {
        connect_failed(c, c->pq ? PQerrorMessage(c->pq) : "out of memory");
        return;
    }
    c->state = PC_CONNECTING;
    c->timeout_ev = evtimer_new(p->db->base, on_connect_timeout, c);
    struct timeval tv = { PG_CONNECT_TIMEOUT_S, 0 };
    evtimer_add(c->timeout_ev, &tv);
    connect_poll(c, PGRES_POLLING_WRITING);
}

/* ---------------------------------------------------------------------
 * Placing statements on connections.
 */
/* An idle connection for a transaction; for a statement, an idle one or
 * else the least busy one with room in its pipeline. */
static pg_conn *pick(pg_db *p, bool exclusive)
{
    pg_conn *best = NULL;
    for (int i = 0; i < p->nconns; i++) {
        pg_conn *c = &p->conns[i];
        if (c->state != PC_READY || c->pinned)
            continue;
        if (c->inflight == 0)
            return c;
        if (!exclusive && c->inflight < PG_PIPELINE_DEPTH && (!best || c->inflight < best->inflight))
            best = c;
    }
    return best;
}

/* Open what is closed: all of it while the database is up, a single probe
 * once the backoff of a down database has passed. */
static void reconnect(pg_db *p)
{
    if (p->down && (any_in_state(p, PC_CONNECTING) || now_ms() < p->retry_at_ms))
        return;
    for (int i = 0; i < p->nconns; i++) {
        if (p->conns[i].state == PC_DOWN) {
            conn_start(&p->conns[i]);
            if (p->down)
                return;
        }
    }
}

static void pump(pg_db *p)
{
    if (p->closing)
        return;
    while (p->waiting.head) {
        rf_db_op *op = p->waiting.head;
        pg_conn *c = pick(p, op->kind == RF_OP_BEGIN);
        if (!c)
            break;
        p->waiting.head = op->next;
        if (!p->waiting.head)
            p->waiting.tail = NULL;
        if (op->kind == RF_OP_BEGIN) {
            c->pinned = op->txn;
            op->txn->conn = c;
        }
        send_op(c, op);
    }
    if (p->waiting.head)
        reconnect(p);
}

static void pg_submit(rf_db *db, rf_db_op *op)
{
    pg_db *p = db->impl;
    if (op->txn && op->txn->conn) {
        send_op(op->txn->conn, op);
        return;
    }
    if (p->down && now_ms() < p->retry_at_ms && !any_in_state(p, PC_READY)) {
        rf_db_op_answer_later(op, RF_DB_UNAVAILABLE, p->last_error);
        return;
    }
    op->next = NULL;
    if (p->waiting.tail)
        p->waiting.tail->next = op;
    else
        p->waiting.head = op;
    p->waiting.tail = op;
    pump(p);
}

/* ---------------------------------------------------------------------
 * Opening and closing.
 */
static bool pg_open(rf_db *db, const char *target, int pool_size,
                    char *err, size_t errlen)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(target, &perr);
    if (!opts) {
        snprintf(err, errlen, "%s: %s", target, perr ? perr : "invalid URL");
        PQfreemem(perr);
        return false;
    }
    PQconninfoFree(opts);
    pg_db *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->db = db;
    p->url = strdup(target);
    p->nconns = pool_size > 0 ? pool_size : PG_DEFAULT_POOL;
    p->conns = calloc((size_t)p->nconns, sizeof *p->conns);
    for (int i = 0; i < p->nconns; i++)
        p->conns[i].db = p;
    db->impl = p;
    reconnect(p);
    return true;
}

static void pg_close(rf_db *db)
{
    pg_db *p = db->impl;
    p->closing = true;
    snprintf(p->last_error, sizeof p->last_error, "the database is closing");
    for (int i = 0; i < p->nconns; i++)
        conn_broken(&p->conns[i], "closing");
    fail_waiting(p, true);
    free(p->conns);
    free(p->url);
    free(p);
}

const rf_db_backend rf_pg_backend = { pg_open, pg_close, pg_submit };
