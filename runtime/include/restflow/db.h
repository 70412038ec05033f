/*
 * restflow/db.h: one async query interface over SQLite (embedded; queries
 * run on the worker thread pool) and PostgreSQL (libpq non-blocking on the
 * event loop).  Results always come back on the loop thread.
 *
 * SQL is written once with `?` placeholders; the PostgreSQL backend numbers
 * them ($1, $2, ...).  User input reaches SQL only as bound parameters, or
 * as identifiers taken from descriptors (whitelisted by the compiler).
 */
#ifndef RESTFLOW_DB_H
#define RESTFLOW_DB_H

#include "base.h"
#include "model.h"

struct event_base;

typedef struct rf_db rf_db;          /* one database: URL, dialect, pool */
typedef struct rf_result rf_result;  /* a materialised result */

typedef enum rf_dialect { RF_SQLITE = 0, RF_POSTGRES = 1 } rf_dialect;

typedef enum rf_db_error {
    RF_DB_OK = 0,
    RF_DB_UNIQUE,        /* unique violation */
    RF_DB_FOREIGN_KEY,   /* foreign-key violation (PROTECT, missing row) */
    RF_DB_NOT_FOUND,     /* an UPDATE/DELETE matched nothing */
    RF_DB_UNAVAILABLE,   /* cannot reach the database: 503 */
    RF_DB_FAILED         /* anything else: 500, details logged only */
} rf_db_error;

/* Opening and closing, for the server and for tests.  URLs:
 * "sqlite:PATH", "sqlite::memory:", "postgresql://...". */
rf_db *rf_db_open(struct event_base *base, const char *url, int pool_size,
                  char *err, size_t errlen);
void rf_db_close(rf_db *db);
rf_dialect rf_db_dialect(const rf_db *db);
/* Count of statements executed so far (tests count PostFetch queries). */
uint64_t rf_db_statements(const rf_db *db);

/* A statement: its SQL per dialect.  `name` non-NULL marks a fixed
 * statement the compiler emitted (prepared once per connection under that
 * name); dynamic SQL is cached per connection by its text. */
typedef struct rf_stmt {
    const char *name;
    const char *sql[2];
} rf_stmt;

/* Continuation of a query: the result (never NULL; check rf_result_error).
 * It is released with the request's arena. */
typedef void (*rf_db_cb)(rf_ctx *ctx, rf_result *res, void *arg);

/* Run one statement.  Inside rf_db_begin ... rf_db_commit it runs on the
 * request's transaction connection; otherwise in autocommit.  Returns
 * RF_PENDING; cb runs later on the loop thread. */
rf_rc rf_db_exec(rf_ctx *ctx, rf_db *db, const rf_stmt *stmt,
                 const rf_value *params, int nparams, rf_db_cb cb, void *arg);

/* The sync form, for blocking hooks (on a pool thread): runs the statement
 * through the loop and waits, blocking only that thread; *out is the result
 * (check rf_result_error).  On the loop thread it fails the request with
 * 500, as the helpers' sync forms do. */
rf_rc rf_db_exec_sync(rf_ctx *ctx, rf_db *db, const rf_stmt *stmt,
                      const rf_value *params, int nparams, rf_result **out);

/* Transactions pin one connection to the request.  Writes on SQLite start
 * with BEGIN IMMEDIATE.  A request that ends with a transaction still open
 * is rolled back. */
rf_rc rf_db_begin(rf_ctx *ctx, rf_db *db, rf_db_cb cb, void *arg);
rf_rc rf_db_commit(rf_ctx *ctx, rf_db *db, rf_db_cb cb, void *arg);
rf_rc rf_db_rollback(rf_ctx *ctx, rf_db *db, rf_db_cb cb, void *arg);

/* Set the response a failed query deserves and return RF_ERROR:
 * RF_DB_UNAVAILABLE 503 {"detail":"Service temporarily unavailable."},
 * RF_DB_NOT_FOUND 404 {"detail":"Not found."}, any other kind 500
 * {"detail":"A server error occurred."} (DRF's APIException text; the
 * cause goes to the log only).  Callers that give unique or foreign-key
 * violations a meaning of their own check the kind first. */
rf_rc rf_db_fail(rf_ctx *ctx, rf_db_error err);

/* Results. */
rf_db_error rf_result_error(const rf_result *r);
const char *rf_result_message(const rf_result *r);  /* for the log only */
int rf_result_nrows(const rf_result *r);
int rf_result_ncols(const rf_result *r);
int64_t rf_result_affected(const rf_result *r);     /* rows changed */
bool rf_result_isnull(const rf_result *r, int row, int col);
int64_t rf_result_int(const rf_result *r, int row, int col);
double rf_result_float(const rf_result *r, int row, int col);
bool rf_result_bool(const rf_result *r, int row, int col);
const char *rf_result_text(const rf_result *r, int row, int col);
const char *rf_result_decimal(const rf_result *r, int row, int col);
int64_t rf_result_datetime(const rf_result *r, int row, int col);
int32_t rf_result_date(const rf_result *r, int row, int col);
/* Load the resource's fields from consecutive columns starting at col, in
 * field order; only the fields in `only` when it is non-NULL (n of them).
 * Returns the next column. */
int rf_result_load(const rf_result *r, int row, int col, rf_arena *a,
                   const rf_resource *res, void *rec,
                   const uint16_t *only, int n);

/* ---------------------------------------------------------------------
 * Querysets, as the compiler resolves them from
 *   Product.filter(is_top = true, price.gte = 10).exclude(...).order_by(...)
 * A condition is an SQL fragment over alias t (the base table) with `?`
 * placeholders, and where each placeholder's value comes from.
 */
typedef enum rf_qarg_kind {
    RF_QA_LITERAL = 0,   /* value is fixed */
    RF_QA_URL_KWARG,     /* the URL keyword argument `name`, converted to type */
    RF_QA_USER_ID        /* the authenticated user's id */
} rf_qarg_kind;

typedef struct rf_qarg {
    rf_qarg_kind kind;
    rf_value value;      /* RF_QA_LITERAL */
    const char *name;    /* RF_QA_URL_KWARG */
    rf_vtype type;       /* RF_QA_URL_KWARG: convert to this; failure is 404 */
} rf_qarg;

typedef struct rf_qcond {
    const char *sql;     /* e.g. `t."is_top" = ?`, or NOT (...) for exclude */
    const rf_qarg *args;
    uint16_t nargs;
} rf_qcond;

typedef struct rf_order {
    const rf_field *field;  /* of the base resource */
    bool desc;
} rf_order;

typedef struct rf_queryset {
    const rf_resource *res;
    const rf_qcond *conds;
    uint16_t nconds;
    const rf_order *order;
    uint16_t norder;
} rf_queryset;

/* ---------------------------------------------------------------------
 * A query description: what list and retrieve build per request (queryset,
 * filter backends, ordering, lookup, pagination) and compile to a dialect.
 * Lives in the request arena.
 */
typedef struct rf_query rf_query;
typedef struct rf_postfetch rf_postfetch;

rf_query *rf_query_new(rf_ctx *ctx, const rf_resource *res);
/* Apply a queryset's conditions and default ordering; RF_ERROR (404 set on
 * the context) when a URL argument does not convert. */
rf_rc rf_query_apply_queryset(rf_query *q, rf_ctx *ctx, const rf_queryset *qs);
void rf_query_joins(rf_query *q, const rf_join *joins, int njoins);
/* AND a fragment over alias t with `?` placeholders; params are copied. */
void rf_query_where(rf_query *q, const char *sql, const rf_value *params, int n);
void rf_query_where_eq(rf_query *q, const rf_field *f, rf_value v);
/* Replace (clear) or extend the ORDER BY. */
void rf_query_clear_order(rf_query *q);
void rf_query_order_by(rf_query *q, const rf_field *f, bool desc);
int rf_query_norder(const rf_query *q);
const rf_order *rf_query_order(const rf_query *q);
void rf_query_limit(rf_query *q, int64_t limit, int64_t offset);

/* The PostFetches that will run on the fetched rows (rf_postfetch_run):
 * on SQLite their queries go along with the fetch, in the same trip to the
 * database's threads, much as Django's prefetch_related runs when the
 * queryset is evaluated.  The array must outlive the request. */
void rf_query_prefetch(rf_query *q, const rf_postfetch *const *pfs, int n);
/* Run the SELECT (rows loaded into records and joins) or the COUNT. */
typedef void (*rf_rows_cb)(rf_ctx *ctx, rf_db_error err, rf_rowset *rows, void *arg);
typedef void (*rf_count_cb)(rf_ctx *ctx, rf_db_error err, int64_t count, void *arg);
rf_rc rf_query_fetch(rf_ctx *ctx, rf_query *q, rf_rows_cb cb, void *arg);
rf_rc rf_query_count(rf_ctx *ctx, rf_query *q, rf_count_cb cb, void *arg);
/* The SQL text a query compiles to, for tests and the debug log. */
const char *rf_query_sql(rf_query *q, rf_dialect d, bool count);

/* ---------------------------------------------------------------------
 * PostFetch: attach related rows to a page of base rows with one windowed
 * query per PostFetch, whatever the page size:
 *   SELECT ... FROM (SELECT cols, row_number() OVER (PARTITION BY key
 *   ORDER BY ...) AS rn FROM related WHERE key IN (page keys) AND conds)
 *   WHERE rn <= limit
 */
struct rf_postfetch {
    const char *name;
    const rf_resource *res;        /* the related resource (Review) */
    const rf_field *related_key;   /* Review.product (column product_id) */
    const rf_field *base_key;      /* Product.id */
    const uint16_t *values;        /* field indexes of res to fetch */
    uint16_t nvalues;
    const rf_qcond *conds;         /* the PostFetch queryset's filters */
    uint16_t nconds;
    const rf_order *order;
    uint16_t norder;
    int32_t limit;                 /* 1: an object (or null); else a list */
    uint16_t slot;                 /* to_attr slot in rf_row.attach */
    uint16_t db;                   /* `using`: database index */
};

rf_rc rf_postfetch_run(rf_ctx *ctx, const rf_postfetch *const *pfs, int n,
                       rf_rowset *rows, int nslots, void (*k)(rf_ctx *, rf_rc));

#endif
