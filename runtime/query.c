/*
 * query.c: query descriptions built per request (queryset, filter backends,
 * ordering, lookup, pagination) and compiled to SQLite's or PostgreSQL's
 * SQL.  The text depends only on the shape of the query, never on the
 * values, which are always bound: so each shape is prepared once per
 * connection (LIMIT and OFFSET are parameters too).
 *
 *   SELECT t."id", ..., j0."id", ... FROM "products" t
 *     LEFT JOIN "auth_user" j0 ON j0."id" = t."owner_id"
 *     WHERE (cond) AND (cond) ORDER BY t."created_at" DESC LIMIT ? OFFSET ?
 *   SELECT COUNT(*) FROM "products" t WHERE (cond) AND (cond)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

typedef struct qcond {
    const char *sql;            /* a fragment over alias t, or NULL: */
    const rf_field *eq;         /* t.<eq> <op> ? (IS NULL for = NULL) */
    const char *op;
    rf_value *params;
    int nparams;
} qcond;

struct rf_query {
    rf_ctx *ctx;
    rf_arena *a;
    const rf_resource *res;
    const rf_join *joins;
    int njoins;
    qcond *conds;
    int nconds, cconds;
    rf_order *order;
    int norder, corder;
    int64_t limit;              /* -1: none */
    int64_t offset;
    const rf_postfetch *const *pfs;     /* to go along with the fetch */
    int npfs;
    /* The page read along with the COUNT (rf_query_count_and_fetch), at
     * the window it was read at. */
    rf_result *came;
    rf_prefetched *came_prefetched;
    int64_t came_limit, came_offset;
};

rf_query *rf_query_new(rf_ctx *ctx, const rf_resource *res)
{
    rf_arena *a = rf_ctx_arena(ctx);
    rf_query *q = rf_calloc(a, sizeof *q);
    q->ctx = ctx;
    q->a = a;
    q->res = res;
    q->limit = -1;
    return q;
}

/* Grow an arena array of `size`-byte items to hold one more. */
static void *grow(rf_arena *a, void *items, int n, int *cap, size_t size)
{
    if (n < *cap)
        return items;
    int ncap = *cap ? *cap * 2 : 8;
    void *p = rf_alloc(a, (size_t)ncap * size);
    if (n)
        memcpy(p, items, (size_t)n * size);
    *cap = ncap;
    return p;
}

static qcond *add_cond(rf_query *q, const rf_value *params, int n)
{
    q->conds = grow(q->a, q->conds, q->nconds, &q->cconds, sizeof(qcond));
    qcond *c = &q->conds[q->nconds++];
    memset(c, 0, sizeof *c);
    c->params = rf_alloc(q->a, (size_t)(n ? n : 1) * sizeof(rf_value));
    for (int i = 0; i < n; i++) {
        c->params[i] = params[i];
        rf_vtype t = params[i].type;
        if ((t == RF_V_TEXT || t == RF_V_DECIMAL || t == RF_V_JSON) && params[i].u.s)
            c->params[i].u.s = rf_strdup(q->a, params[i].u.s);
    }
    c->nparams = n;
    return c;
}

void rf_query_where(rf_query *q, const char *sql, const rf_value *params, int n)
{
    add_cond(q, params, n)->sql = rf_strdup(q->a, sql);
}

void rf_query_where_eq(rf_query *q, const rf_field *f, rf_value v)
{
    rf_query_where_cmp(q, f, "=", v);
}

void rf_query_where_cmp(rf_query *q, const rf_field *f, const char *op, rf_value v)
{
    qcond *c = add_cond(q, &v, 1);
    c->eq = f;
    c->op = op;
}

void rf_query_joins(rf_query *q, const rf_join *joins, int njoins)
{
    q->joins = joins;
    q->njoins = njoins;
}

void rf_query_clear_order(rf_query *q)
{
    q->norder = 0;
}

void rf_query_order_by(rf_query *q, const rf_field *f, bool desc)
{
    q->order = grow(q->a, q->order, q->norder, &q->corder, sizeof(rf_order));
    q->order[q->norder++] = (rf_order){ .field = f, .desc = desc };
}

int rf_query_norder(const rf_query *q)
{
    return q->norder;
}

const rf_order *rf_query_order(const rf_query *q)
{
    return q->order;
}

void rf_query_limit(rf_query *q, int64_t limit, int64_t offset)
{
    q->limit = limit;
    q->offset = offset;
}

/* ---------------------------------------------------------------------
 * Querysets.
 */
static bool parse_int64(const char *s, int64_t *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || s[0] == ' ' || s[0] == '+')
        return false;
    *out = v;
    return true;
}

/* A URL keyword argument as the type its condition compares it with. */
static bool convert_kwarg(rf_arena *a, const char *s, rf_vtype type, rf_value *out)
{
    int32_t days;
    switch (type) {
    case RF_V_INT:
        out->type = RF_V_INT;
        return parse_int64(s, &out->u.i);
    case RF_V_FLOAT: case RF_V_DECIMAL: {
        char *end;
        double f = strtod(s, &end);
        if (!*s || *end)
            return false;
        *out = type == RF_V_FLOAT ? (rf_value){ .type = RF_V_FLOAT, .u.f = f }
                                  : (rf_value){ .type = RF_V_DECIMAL, .u.s = rf_strdup(a, s) };
        return true;
    }
    case RF_V_BOOL:
        /* Django's BooleanField.to_python */
        if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "t") || !strcmp(s, "1"))
            *out = RF_VBOOL(true);
        else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "f") || !strcmp(s, "0"))
            *out = RF_VBOOL(false);
        else
            return false;
        return true;
    case RF_V_DATE:
        out->type = RF_V_DATE;
        if (!rf_parse_date(s, &days))
            return false;
        out->u.i = days;
        return true;
    case RF_V_DATETIME:
        out->type = RF_V_DATETIME;
        return rf_parse_datetime(s, &out->u.i);
    default:
        *out = RF_VTEXT(rf_strdup(a, s));
        return true;
    }
}

/* The value one queryset argument takes in this request.  An anonymous
 * user has no id: the condition compares with NULL and matches nothing. */
bool rf_qarg_resolve(rf_ctx *ctx, rf_arena *a, const rf_qarg *arg, rf_value *out)
{
    switch (arg->kind) {
    case RF_QA_URL_KWARG: {
        const char *s = rf_ctx_kwarg(ctx, arg->name);
        return s && convert_kwarg(a, s, arg->type, out);
    }
    case RF_QA_USER_ID: {
        const rf_user *user = rf_ctx_user(ctx);
        *out = user ? RF_VINT(user->id) : RF_VNULL;
        return true;
    }
    default:
        *out = arg->value;
        return true;
    }
}

rf_rc rf_query_apply_queryset(rf_query *q, rf_ctx *ctx, const rf_queryset *qs)
{
    for (uint16_t i = 0; i < qs->nconds; i++) {
        const rf_qcond *c = &qs->conds[i];
        rf_value *params = rf_alloc(q->a, (size_t)(c->nargs ? c->nargs : 1) * sizeof *params);
        for (uint16_t k = 0; k < c->nargs; k++)
            if (!rf_qarg_resolve(ctx, q->a, &c->args[k], &params[k]))
                return rf_error(ctx, 404, "Not found.");
        rf_query_where(q, c->sql, params, c->nargs);
    }
    if (qs->norder) {
        rf_query_clear_order(q);
        for (uint16_t i = 0; i < qs->norder; i++)
            rf_query_order_by(q, qs->order[i].field, qs->order[i].desc);
    }
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * Compiling.
 */
void rf_sql_ident(rf_buf *b, const char *name)
{
    rf_buf_putc(b, '"');
    for (const char *quote; (quote = strchr(name, '"')); name = quote + 1) {
        rf_buf_append(b, name, (size_t)(quote + 1 - name));
        rf_buf_putc(b, '"');    /* doubled */
    }
    rf_buf_puts(b, name);
    rf_buf_putc(b, '"');
}

void rf_sql_column(rf_buf *b, const char *alias, const rf_field *f)
{
    rf_buf_puts(b, alias);
    rf_buf_putc(b, '.');
    rf_sql_ident(b, f->column ? f->column : f->name);
}

/* Every field of res under alias, in field order. */
static void select_list(rf_buf *b, const rf_resource *res, const char *alias)
{
    for (uint16_t i = 0; i < res->nfields; i++) {
        if (i)
            rf_buf_lit(b, ", ");
        rf_sql_column(b, alias, &res->fields[i]);
    }
}

static const char *join_alias(rf_arena *a, int index)
{
    return index < 0 ? "t" : rf_sprintf(a, "j%d", index);
}

/* COUNT needs no join: conditions are over t. */
static void compile_from(rf_buf *b, const rf_query *q, bool count)
{
    rf_buf_lit(b, " FROM ");
    rf_sql_ident(b, q->res->table);
    rf_buf_lit(b, " t");
    int njoins = count ? 0 : q->njoins;
    for (int i = 0; i < njoins; i++) {
        const rf_join *j = &q->joins[i];
        const char *alias = join_alias(q->a, i);
        rf_buf_lit(b, " LEFT JOIN ");
        rf_sql_ident(b, j->target->table);
        rf_buf_printf(b, " %s ON ", alias);
        rf_sql_column(b, alias, &j->target->fields[j->target->pk]);
        rf_buf_lit(b, " = ");
        rf_sql_column(b, join_alias(q->a, j->from), j->fk);
    }
}

/* SQLite keeps UUIDs as Django does, 32 hex digits without dashes (a
 * ForeignKey to a UUID key too); their order is the uuid type's. */
static void compile_eq(rf_buf *b, const qcond *c, rf_dialect d)
{
    rf_sql_column(b, "t", c->eq);
    if (c->params[0].type == RF_V_NULL) {
        rf_buf_lit(b, " IS NULL");
        return;
    }
    rf_buf_printf(b, " %s ", c->op);
    if (rf_field_key_type(c->eq) == RF_F_UUID && d == RF_SQLITE)
        rf_buf_lit(b, "replace(?, '-', '')");
    else
        rf_buf_putc(b, '?');
}

static void compile_where(rf_buf *b, const rf_query *q, rf_dialect d)
{
    for (int i = 0; i < q->nconds; i++) {
        rf_buf_puts(b, i ? " AND (" : " WHERE (");
        if (q->conds[i].eq)
            compile_eq(b, &q->conds[i], d);
        else
            rf_buf_puts(b, q->conds[i].sql);
        rf_buf_putc(b, ')');
    }
}

static void compile_order(rf_buf *b, const rf_query *q)
{
    for (int i = 0; i < q->norder; i++) {
        rf_buf_puts(b, i ? ", " : " ORDER BY ");
        rf_sql_column(b, "t", q->order[i].field);
        if (q->order[i].desc)
            rf_buf_lit(b, " DESC");
    }
}

/* SQLite accepts OFFSET only after a LIMIT, where -1 means none. */
static void compile_limit(rf_buf *b, const rf_query *q, rf_dialect d)
{
    if (q->limit >= 0)
        rf_buf_lit(b, " LIMIT ? OFFSET ?");
    else if (q->offset > 0)
        rf_buf_puts(b, d == RF_SQLITE ? " LIMIT -1 OFFSET ?" : " OFFSET ?");
}

const char *rf_query_sql(rf_query *q, rf_dialect d, bool count)
{
    rf_buf b;
    rf_buf_init(&b, q->a, 256);
    if (count) {
        rf_buf_lit(&b, "SELECT COUNT(*)");
    } else {
        rf_buf_lit(&b, "SELECT ");
        if (q->res->select_columns)
            rf_buf_puts(&b, q->res->select_columns);
        else
            select_list(&b, q->res, "t");
        for (int i = 0; i < q->njoins; i++) {
            rf_buf_lit(&b, ", ");
            select_list(&b, q->joins[i].target, join_alias(q->a, i));
        }
    }
    compile_from(&b, q, count);
    compile_where(&b, q, d);
    if (!count) {
        compile_order(&b, q);
        compile_limit(&b, q, d);
    }
    return b.data;
}

/* The parameters in the order of their placeholders. */
static rf_value *query_params(const rf_query *q, bool count, int *n)
{
    int total = 2;
    for (int i = 0; i < q->nconds; i++)
        total += q->conds[i].nparams;
    rf_value *params = rf_alloc(q->a, (size_t)total * sizeof *params);
    int k = 0;
    for (int i = 0; i < q->nconds; i++) {
        const qcond *c = &q->conds[i];
        if (c->eq && c->params[0].type == RF_V_NULL)
            continue;
        for (int p = 0; p < c->nparams; p++)
            params[k++] = c->params[p];
    }
    if (!count && q->limit >= 0) {
        params[k++] = RF_VINT(q->limit);
        params[k++] = RF_VINT(q->offset);
    } else if (!count && q->offset > 0) {
        params[k++] = RF_VINT(q->offset);
    }
    *n = k;
    return params;
}

/* ---------------------------------------------------------------------
 * Running.
 */
typedef struct fetch_call {
    rf_query *q;
    rf_rows_cb rows_cb;
    rf_count_cb count_cb;
    void *arg;
    rf_prefetched *prefetched;  /* PostFetch answers coming with the rows */
} fetch_call;

static int view_slots(rf_ctx *ctx)
{
    const rf_view *v = rf_ctx_view(ctx);
    return v ? v->nslots : 0;
}

static void load_row(const rf_query *q, const rf_result *r, int i, rf_row *row, int nslots)
{
    row->rec = rf_record_new(q->a, q->res);
    int col = rf_result_load(r, i, 0, q->a, q->res, row->rec, NULL, 0);
    row->joined = q->njoins ? rf_alloc(q->a, (size_t)q->njoins * sizeof(void *)) : NULL;
    for (int j = 0; j < q->njoins; j++) {
        const rf_resource *target = q->joins[j].target;
        void *rec = rf_record_new(q->a, target);
        col = rf_result_load(r, i, col, q->a, target, rec, NULL, 0);
        /* LEFT JOIN with no row (NULL key): the primary key came back NULL */
        row->joined[j] = RF_IS_NULL(rec, target->pk) ? NULL : rec;
    }
    row->attach = nslots ? rf_calloc(q->a, (size_t)nslots * sizeof(rf_attach)) : NULL;
}

rf_rowset *rf_query_rows_of(rf_ctx *ctx, rf_query *q, const rf_result *res)
{
    rf_rowset *rows = rf_calloc(q->a, sizeof *rows);
    rows->n = rf_result_nrows(res);
    rows->rows = rf_calloc(q->a, (size_t)(rows->n ? rows->n : 1) * sizeof(rf_row));
    int nslots = view_slots(ctx);
    for (int i = 0; i < rows->n; i++)
        load_row(q, res, i, &rows->rows[i], nslots);
    return rows;
}

static void fetched(rf_ctx *ctx, rf_result *res, void *arg)
{
    fetch_call *call = arg;
    rf_db_error err = rf_result_error(res);
    if (err != RF_DB_OK) {
        call->rows_cb(ctx, err, NULL, call->arg);
        return;
    }
    rf_rowset *rows = rf_query_rows_of(ctx, call->q, res);
    rows->prefetched = call->prefetched;
    call->rows_cb(ctx, RF_DB_OK, rows, call->arg);
}

static void counted(rf_ctx *ctx, rf_result *res, void *arg)
{
    fetch_call *call = arg;
    rf_db_error err = rf_result_error(res);
    int64_t count = err == RF_DB_OK ? rf_result_int(res, 0, 0) : 0;
    call->count_cb(ctx, err, count, call->arg);
}

/* Room for the reads chained to a statement: the page, its PostFetches. */
static rf_db_then *chain_room(const rf_query *q)
{
    return rf_alloc(q->a, (size_t)(q->npfs + 1) * sizeof(rf_db_then));
}

static rf_rc run(rf_ctx *ctx, rf_query *q, bool count, fetch_call *call)
{
    rf_db *db = rf_db_open_for(ctx, q->res->db);
    if (!db)
        return rf_db_fail(ctx, RF_DB_FAILED);
    rf_stmt stmt = { .name = NULL };
    stmt.sql[rf_db_dialect(db)] = rf_query_sql(q, rf_db_dialect(db), count);
    int n;
    rf_value *params = query_params(q, count, &n);
    if (!count && q->npfs && rf_db_can_chain(db)) {
        rf_db_then *then = chain_room(q);
        int nthen = rf_postfetch_chain(ctx, q->res, q->pfs, q->npfs, 0, then, &call->prefetched);
        if (nthen)
            return rf_db_exec_chained(ctx, db, &stmt, params, n, fetched, call, then, nthen);
    }
    return rf_db_exec(ctx, db, &stmt, params, n, count ? counted : fetched, call);
}

static void keep_page(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    ((rf_query *)arg)->came = res;
}

rf_rc rf_query_count_and_fetch(rf_ctx *ctx, rf_query *q, rf_count_cb cb, void *arg)
{
    rf_db *db = rf_db_open_for(ctx, q->res->db);
    if (!db || !rf_db_can_chain(db))
        return rf_query_count(ctx, q, cb, arg);
    fetch_call *call = rf_calloc(q->a, sizeof *call);
    *call = (fetch_call){ .q = q, .count_cb = cb, .arg = arg };
    rf_dialect d = rf_db_dialect(db);
    rf_stmt stmt = { .name = NULL };
    stmt.sql[d] = rf_query_sql(q, d, true);
    int n;
    rf_value *params = query_params(q, true, &n);
    rf_db_then *then = chain_room(q);
    then[0] = (rf_db_then){ .cb = keep_page, .arg = q };
    rf_query_chain(q, d, &then[0]);
    q->came_limit = q->limit;
    q->came_offset = q->offset;
    int nthen = 1;
    if (q->npfs)    /* the PostFetches follow the page (chained read 1) */
        nthen += rf_postfetch_chain(ctx, q->res, q->pfs, q->npfs, 1, then + 1,
                                    &q->came_prefetched);
    return rf_db_exec_chained(ctx, db, &stmt, params, n, counted, call, then, nthen);
}

bool rf_query_page_at_hand(rf_ctx *ctx, rf_query *q, rf_db_error *err, rf_rowset **rows)
{
    rf_result *res = q->came;
    q->came = NULL;
    if (!res || q->limit != q->came_limit || q->offset != q->came_offset)
        return false;
    *err = rf_result_error(res);
    *rows = NULL;
    if (*err == RF_DB_OK) {
        *rows = rf_query_rows_of(ctx, q, res);
        (*rows)->prefetched = q->came_prefetched;
    }
    return true;
}

void rf_query_chain(rf_query *q, rf_dialect d, rf_db_then *then)
{
    int n;
    then->sql = rf_query_sql(q, d, false);
    then->params = query_params(q, false, &n);
    then->nparams = n;
}

void rf_query_prefetch(rf_query *q, const rf_postfetch *const *pfs, int n)
{
    q->pfs = pfs;
    q->npfs = n;
}

rf_rc rf_query_fetch(rf_ctx *ctx, rf_query *q, rf_rows_cb cb, void *arg)
{
    fetch_call *call = rf_calloc(q->a, sizeof *call);
    *call = (fetch_call){ .q = q, .rows_cb = cb, .arg = arg };
    return run(ctx, q, false, call);
}

rf_rc rf_query_count(rf_ctx *ctx, rf_query *q, rf_count_cb cb, void *arg)
{
    fetch_call *call = rf_calloc(q->a, sizeof *call);
    *call = (fetch_call){ .q = q, .count_cb = cb, .arg = arg };
    return run(ctx, q, true, call);
}
