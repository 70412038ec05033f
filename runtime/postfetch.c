/*
 * postfetch.c: attach related rows to a page of base rows, with one query
 * per PostFetch whatever the page size.  On PostgreSQL, a window over the
 * page's keys:
 *
 *   SELECT s."id", s."rating", s."comment", s.rf_key FROM (
 *     SELECT t."id", t."rating", t."comment", t."product_id" AS rf_key,
 *            row_number() OVER (PARTITION BY t."product_id"
 *                               ORDER BY t."created_at" DESC, t."id") AS rf_rn
 *     FROM "review" t
 *     WHERE t."product_id" = ANY(?)
 *       AND (the PostFetch queryset's conditions)
 *   ) s WHERE s.rf_rn <= ? ORDER BY s.rf_key, s.rf_rn
 *
 * On SQLite the same rows by a subquery per key (sqlite_sql), which costs
 * SQLite less than the window's sorters.
 *
 * The page's keys travel as one parameter (a JSON array for SQLite, an
 * array literal for PostgreSQL), so the text is the same for every page
 * size and is prepared once per connection.  The related primary key ends
 * every window ordering, so ties are broken the same way on every backend.
 * The PostFetches of one request run concurrently, each on its own
 * database (`using`).
 */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

typedef struct pf_run {
    rf_ctx *ctx;
    rf_arena *a;
    rf_rowset *rows;
    int pending;
    bool abandoned;             /* failed to start: the request answered */
    rf_db_error error;
    void (*k)(rf_ctx *, rf_rc);
} pf_run;

typedef struct pf_call {
    pf_run *run;
    const rf_postfetch *pf;
} pf_call;

/* ---------------------------------------------------------------------
 * Keys.
 */
/* SQLite keeps UUIDs as Django does (32 hex digits), PostgreSQL as uuid:
 * keys are compared without dashes on both sides. */
static const char *key_text(rf_arena *a, const rf_field *f, const char *s)
{
    if (rf_field_key_type(f) != RF_F_UUID || !strchr(s, '-'))
        return s;
    char *out = rf_alloc(a, strlen(s) + 1), *o = out;
    for (; *s; s++)
        if (*s != '-')
            *o++ = *s;
    *o = '\0';
    return out;
}

static void write_pg_element(rf_buf *b, const char *s)
{
    rf_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            rf_buf_putc(b, '\\');
        rf_buf_putc(b, *s);
    }
    rf_buf_putc(b, '"');
}

/* One key of the keys parameter (a = the buffer's arena). */
static void write_key(rf_buf *b, rf_arena *a, const rf_field *key, rf_value v, rf_dialect d)
{
    if (v.type == RF_V_INT)
        rf_buf_printf(b, "%lld", (long long)v.u.i);
    else if (d == RF_SQLITE)
        rf_json_str(b, key_text(a, key, v.u.s));
    else
        write_pg_element(b, v.u.s);
}

/* The page's keys as one parameter: a JSON array for SQLite's json_each,
 * an array literal ({1,2} or {"a","b\"c"}) for PostgreSQL's ANY. */
static void write_keys(rf_buf *b, const pf_run *run, const rf_field *key, rf_dialect d)
{
    rf_buf_putc(b, d == RF_SQLITE ? '[' : '{');
    int written = 0;
    for (int i = 0; i < run->rows->n; i++) {
        rf_value v = rf_record_value(run->rows->rows[i].rec, key);
        if (v.type == RF_V_NULL)
            continue;
        if (written++)
            rf_buf_putc(b, ',');
        write_key(b, run->a, key, v, d);
    }
    rf_buf_putc(b, d == RF_SQLITE ? ']' : '}');
}

static bool page_has_keys(const rf_rowset *rows, const rf_field *key)
{
    for (int i = 0; i < rows->n; i++)
        if (rf_record_value(rows->rows[i].rec, key).type != RF_V_NULL)
            return true;
    return false;
}

/* ---------------------------------------------------------------------
 * The query.
 */
static bool ordered_by(const rf_postfetch *pf, const rf_field *f)
{
    for (uint16_t i = 0; i < pf->norder; i++)
        if (pf->order[i].field == f)
            return true;
    return false;
}

/* The PostFetch's ordering on `alias`, its primary key last (ties break
 * the same way on every backend). */
static void pf_order(rf_buf *b, const rf_postfetch *pf, const char *alias)
{
    const rf_field *pk = &pf->res->fields[pf->res->pk];
    for (uint16_t i = 0; i < pf->norder; i++) {
        if (i)
            rf_buf_lit(b, ", ");
        rf_sql_column(b, alias, pf->order[i].field);
        if (pf->order[i].desc)
            rf_buf_lit(b, " DESC");
    }
    if (!ordered_by(pf, pk)) {
        if (pf->norder)
            rf_buf_lit(b, ", ");
        rf_sql_column(b, alias, pk);
    }
}

static void value_columns(rf_buf *b, const rf_postfetch *pf, const char *alias)
{
    for (uint16_t i = 0; i < pf->nvalues; i++) {
        rf_sql_column(b, alias, &pf->res->fields[pf->values[i]]);
        rf_buf_lit(b, ", ");
    }
}

static void conditions(rf_buf *b, const rf_postfetch *pf)
{
    for (uint16_t i = 0; i < pf->nconds; i++)
        rf_buf_printf(b, " AND (%s)", pf->conds[i].sql);
}

/* `"review" t WHERE t."product_id" <match> AND (conditions)` */
static void related_rows(rf_buf *b, const rf_postfetch *pf, const char *match)
{
    rf_sql_ident(b, pf->res->table);
    rf_buf_lit(b, " t WHERE ");
    rf_sql_column(b, "t", pf->related_key);
    rf_buf_puts(b, match);
    conditions(b, pf);
}

/* PostgreSQL: a window over the page's keys (the header's query). */
static const char *windowed_sql(rf_buf *b, const rf_postfetch *pf)
{
    rf_buf_lit(b, "SELECT ");
    value_columns(b, pf, "s");
    rf_buf_lit(b, "s.rf_key FROM (SELECT ");
    value_columns(b, pf, "t");
    rf_sql_column(b, "t", pf->related_key);
    rf_buf_lit(b, " AS rf_key, row_number() OVER (PARTITION BY ");
    rf_sql_column(b, "t", pf->related_key);
    rf_buf_lit(b, " ORDER BY ");
    pf_order(b, pf, "t");
    rf_buf_lit(b, ") AS rf_rn FROM ");
    related_rows(b, pf, " = ANY(?)");
    rf_buf_lit(b, ") s");
    if (pf->limit > 0)
        rf_buf_lit(b, " WHERE s.rf_rn <= ?");
    rf_buf_lit(b, " ORDER BY s.rf_key, s.rf_rn");
    return b->data;
}

/* SQLite: the same rows without a window, whose sorters and transient
 * tables cost it more than the rows themselves (bench/README.md).  With a
 * limit, each key takes its first rows by an indexed subquery:
 *
 *   SELECT o."id", ..., o."product_id" AS rf_key
 *   FROM json_each(?) k, "review" o
 *   WHERE o."id" IN (SELECT t."id" FROM "review" t
 *                    WHERE t."product_id" = k.value AND (conditions)
 *                    ORDER BY t."created_at" DESC, t."id" LIMIT ?)
 *   ORDER BY rf_key, o."created_at" DESC, o."id"
 *
 * (the keys made distinct first when the base key is not unique; `=` for
 * `IN` when the limit is 1).
 * Without a limit, the rows of the keys in order.  Same parameters, in the
 * same order, as the windowed query. */
static const char *sqlite_sql(rf_buf *b, const rf_postfetch *pf)
{
    const rf_field *pk = &pf->res->fields[pf->res->pk];
    const char *alias = pf->limit > 0 ? "o" : "t";
    rf_buf_lit(b, "SELECT ");
    value_columns(b, pf, alias);
    rf_sql_column(b, alias, pf->related_key);
    rf_buf_lit(b, " AS rf_key FROM ");
    if (pf->limit > 0) {
        /* A page's primary keys are distinct already; DISTINCT would cost
         * SQLite a transient index, more than the rest of a retrieve's query. */
        if (pf->base_key->flags & (RF_FF_PK | RF_FF_UNIQUE))
            rf_buf_lit(b, "json_each(?) k, ");
        else
            rf_buf_lit(b, "(SELECT DISTINCT value FROM json_each(?)) k, ");
        rf_sql_ident(b, pf->res->table);
        rf_buf_lit(b, " o WHERE ");
        rf_sql_column(b, "o", pk);
        /* One row per key: a scalar subquery, which spares SQLite the
         * transient table an IN list needs. */
        rf_buf_puts(b, pf->limit == 1 ? " = (SELECT " : " IN (SELECT ");
        rf_sql_column(b, "t", pk);
        rf_buf_lit(b, " FROM ");
        related_rows(b, pf, " = k.value");
        rf_buf_lit(b, " ORDER BY ");
        pf_order(b, pf, "t");
        rf_buf_lit(b, " LIMIT ?)");
    } else {
        related_rows(b, pf, " IN (SELECT value FROM json_each(?))");
    }
    rf_buf_lit(b, " ORDER BY rf_key, ");
    pf_order(b, pf, alias);
    return b->data;
}

static const char *postfetch_sql(rf_arena *a, const rf_postfetch *pf, rf_dialect d)
{
    rf_buf b;
    rf_buf_init(&b, a, 512);
    return d == RF_SQLITE ? sqlite_sql(&b, pf) : windowed_sql(&b, pf);
}

/* The keys (left NULL for the caller), the conditions' arguments, the
 * limit; NULL when an argument (a URL argument) does not convert. */
static rf_value *postfetch_params(rf_ctx *ctx, rf_arena *a, const rf_postfetch *pf, int *n)
{
    int total = 2;
    for (uint16_t i = 0; i < pf->nconds; i++)
        total += pf->conds[i].nargs;
    rf_value *params = rf_alloc(a, (size_t)total * sizeof *params);
    int k = 0;
    params[k++] = (rf_value){ .type = RF_V_NULL };
    for (uint16_t i = 0; i < pf->nconds; i++)
        for (uint16_t j = 0; j < pf->conds[i].nargs; j++)
            if (!rf_qarg_resolve(ctx, a, &pf->conds[i].args[j], &params[k++]))
                return NULL;
    if (pf->limit > 0)
        params[k++] = RF_VINT(pf->limit);
    *n = k;
    return params;
}

/* ---------------------------------------------------------------------
 * Attaching.
 */
typedef struct keyed_row {
    int64_t i;
    const char *s;
    int row;
} keyed_row;

static int compare_keys(const keyed_row *x, const keyed_row *y)
{
    if (x->s || y->s)
        return strcmp(x->s ? x->s : "", y->s ? y->s : "");
    return (x->i > y->i) - (x->i < y->i);
}

static int compare_keyed(const void *x, const void *y)
{
    int c = compare_keys(x, y);
    return c ? c : ((const keyed_row *)x)->row - ((const keyed_row *)y)->row;
}

/* The base rows sorted by key (rows with a NULL key left out). */
static keyed_row *sort_base_rows(pf_run *run, const rf_field *key, int *n)
{
    keyed_row *keyed = rf_alloc(run->a, (size_t)(run->rows->n + 1) * sizeof *keyed);
    int k = 0;
    for (int i = 0; i < run->rows->n; i++) {
        rf_value v = rf_record_value(run->rows->rows[i].rec, key);
        if (v.type == RF_V_NULL)
            continue;
        keyed[k] = (keyed_row){ .row = i };
        if (v.type == RF_V_INT)
            keyed[k].i = v.u.i;
        else
            keyed[k].s = key_text(run->a, key, v.u.s);
        k++;
    }
    qsort(keyed, (size_t)k, sizeof *keyed, compare_keyed);
    *n = k;
    return keyed;
}

static keyed_row result_key(pf_run *run, const rf_result *r, int row, int col,
                            const rf_field *key)
{
    keyed_row kr = { .row = -1 };
    if (rf_field_vtype(key) == RF_V_INT)
        kr.i = rf_result_int(r, row, col);
    else
        kr.s = key_text(run->a, key, rf_result_text(r, row, col));
    return kr;
}

/* The first base row whose key is not below k. */
static int lower_bound(const keyed_row *keyed, int n, const keyed_row *k)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (compare_keys(&keyed[mid], k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Results come grouped by key: load each group once and share its records
 * among the base rows with that key. */
static void attach_results(pf_run *run, const rf_postfetch *pf, const rf_result *r)
{
    int nkeyed;
    keyed_row *keyed = sort_base_rows(run, pf->base_key, &nkeyed);
    int nres = rf_result_nrows(r);
    for (int start = 0; start < nres;) {
        keyed_row k = result_key(run, r, start, pf->nvalues, pf->related_key);
        int end = start + 1;
        while (end < nres) {
            keyed_row next = result_key(run, r, end, pf->nvalues, pf->related_key);
            if (compare_keys(&k, &next) != 0)
                break;
            end++;
        }
        void **recs = rf_alloc(run->a, (size_t)(end - start) * sizeof *recs);
        for (int i = start; i < end; i++) {
            recs[i - start] = rf_record_new(run->a, pf->res);
            rf_result_load(r, i, 0, run->a, pf->res, recs[i - start], pf->values, pf->nvalues);
        }
        for (int b = lower_bound(keyed, nkeyed, &k);
             b < nkeyed && compare_keys(&keyed[b], &k) == 0; b++)
            run->rows->rows[keyed[b].row].attach[pf->slot] =
                (rf_attach){ .n = end - start, .recs = recs };
        start = end;
    }
}

/* ---------------------------------------------------------------------
 * Running.
 */
static void finish(pf_run *run)
{
    if (--run->pending > 0 || run->abandoned)
        return;
    if (run->error != RF_DB_OK)
        run->k(run->ctx, rf_db_fail(run->ctx, run->error));
    else
        run->k(run->ctx, RF_OK);
}

static void take_answer(pf_run *run, const rf_postfetch *pf, const rf_result *res)
{
    rf_db_error err = rf_result_error(res);
    if (err != RF_DB_OK)
        run->error = err;
    else
        attach_results(run, pf, res);
}

static void fetched(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    pf_call *call = arg;
    take_answer(call->run, call->pf, res);
    finish(call->run);
}

static const rf_result *prefetched_answer(const rf_rowset *rows, const rf_postfetch *pf)
{
    const rf_prefetched *pre = rows->prefetched;
    for (int i = 0; pre && i < pre->n; i++)
        if (pre->pfs[i] == pf)
            return pre->results[i];
    return NULL;
}

static void ensure_attach(pf_run *run, int nslots)
{
    for (int i = 0; i < run->rows->n; i++)
        if (!run->rows->rows[i].attach)
            run->rows->rows[i].attach = rf_calloc(run->a, (size_t)nslots * sizeof(rf_attach));
}

/* Start one PostFetch's query; RF_ERROR (the response set) when it cannot
 * start. */
static rf_rc start_one(pf_run *run, const rf_postfetch *pf)
{
    rf_db *db = rf_db_open_for(run->ctx, pf->db);
    if (!db)
        return rf_db_fail(run->ctx, RF_DB_FAILED);
    rf_dialect d = rf_db_dialect(db);
    int n;
    rf_value *params = postfetch_params(run->ctx, run->a, pf, &n);
    if (!params)
        return rf_error(run->ctx, 404, "Not found.");
    rf_buf keys;
    rf_buf_init(&keys, run->a, 256);
    write_keys(&keys, run, pf->base_key, d);
    params[0] = RF_VTEXT(keys.data);
    rf_stmt stmt = { .name = NULL };
    stmt.sql[d] = postfetch_sql(run->a, pf, d);
    pf_call *call = rf_alloc(run->a, sizeof *call);
    *call = (pf_call){ .run = run, .pf = pf };
    run->pending++;
    return rf_db_exec(run->ctx, db, &stmt, params, n, fetched, call);
}

rf_rc rf_postfetch_run(rf_ctx *ctx, const rf_postfetch *const *pfs, int n,
                       rf_rowset *rows, int nslots, void (*k)(rf_ctx *, rf_rc))
{
    pf_run *run = rf_calloc(rf_ctx_arena(ctx), sizeof *run);
    *run = (pf_run){ .ctx = ctx, .a = rf_ctx_arena(ctx), .rows = rows, .k = k };
    if (nslots > 0)
        ensure_attach(run, nslots);
    /* Callbacks never run before rf_db_exec returns: counting as they
     * start is safe. */
    for (int i = 0; i < n; i++) {
        if (!page_has_keys(rows, pfs[i]->base_key))
            continue;
        const rf_result *answer = prefetched_answer(rows, pfs[i]);
        if (answer) {
            take_answer(run, pfs[i], answer);
        } else if (start_one(run, pfs[i]) == RF_ERROR) {
            run->abandoned = true;   /* those started answer to no one */
            return RF_ERROR;
        }
    }
    /* an empty page, no keys, or every answer here already */
    if (run->pending)
        return RF_PENDING;
    return run->error != RF_DB_OK ? rf_db_fail(ctx, run->error) : RF_OK;
}

/* ---------------------------------------------------------------------
 * Going along with the fetch (chained reads, db_internal.h).
 */
typedef struct pf_chained {
    const rf_postfetch *pf;
    int key_col;                /* the base key's column in the fetched rows */
} pf_chained;

/* The fetched rows' keys, as write_keys writes them from the records
 * (SQLite; on the pool thread). */
static void derive_keys(rf_value *first, const rf_result *head, rf_arena *a, const void *arg)
{
    const pf_chained *c = arg;
    const rf_field *key = c->pf->base_key;
    bool ints = rf_field_vtype(key) == RF_V_INT;
    rf_buf b;
    rf_buf_init(&b, a, 256);
    rf_buf_putc(&b, '[');
    int written = 0;
    for (int row = 0; row < rf_result_nrows(head); row++) {
        if (rf_result_isnull(head, row, c->key_col))
            continue;
        if (written++)
            rf_buf_putc(&b, ',');
        rf_value v = ints ? RF_VINT(rf_result_int(head, row, c->key_col))
                          : RF_VTEXT(rf_result_text(head, row, c->key_col));
        write_key(&b, a, key, v, RF_SQLITE);
    }
    rf_buf_putc(&b, ']');
    *first = RF_VTEXT(b.data);
}

static void keep_answer(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    *(rf_result **)arg = res;
}

/* The base key's column in a fetch of `base` rows (its fields in order
 * come first), or -1 when the key is not one of them. */
static int key_column(const rf_resource *base, const rf_field *key)
{
    for (uint16_t i = 0; i < base->nfields; i++)
        if (&base->fields[i] == key)
            return i;
    return -1;
}

int rf_postfetch_chain(rf_ctx *ctx, const rf_resource *base,
                       const rf_postfetch *const *pfs, int n, int follows,
                       rf_db_then *t, rf_prefetched **out)
{
    rf_arena *a = rf_ctx_arena(ctx);
    rf_prefetched *pre = rf_calloc(a, sizeof *pre);
    pre->pfs = rf_alloc(a, (size_t)n * sizeof *pre->pfs);
    pre->results = rf_calloc(a, (size_t)n * sizeof *pre->results);
    for (int i = 0; i < n; i++) {
        const rf_postfetch *pf = pfs[i];
        int col = key_column(base, pf->base_key), nparams;
        rf_value *params = postfetch_params(ctx, a, pf, &nparams);
        if (pf->db != base->db || col < 0 || !params)
            continue;
        pf_chained *c = rf_alloc(a, sizeof *c);
        *c = (pf_chained){ .pf = pf, .key_col = col };
        t[pre->n] = (rf_db_then){
            .sql = postfetch_sql(a, pf, RF_SQLITE), .params = params, .nparams = nparams,
            .follows = follows, .derive = derive_keys, .derive_arg = c,
            .cb = keep_answer, .arg = &pre->results[pre->n],
        };
        pre->pfs[pre->n++] = pf;
    }
    *out = pre;
    return pre->n;
}
