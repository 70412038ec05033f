/*
 * validation.c: the asynchronous validation pipeline (serializer.h).
 *
 *   1. sync: the input's shape, then every field (serializer.c);
 *   2. one database round per database: every UniqueValidator and every
 *      PrimaryKeyRelatedField lookup of the fields that converted, as one
 *      SELECT of scalar subqueries;
 *   3. validate_<field> hooks, in field order, for the fields that hold a
 *      value and no error;
 *   4. when no field failed: the serializer's validators, in order.
 *
 * DRF interleaves these per field (each field's lookup, validators and
 * validate_<field> run before the next field's); the answer is the same
 * because every error is filed at its field's rank.
 */
#include <string.h>
#include <strings.h>

#include "db_internal.h"
#include "internal.h"
#include "serializer.h"

#define VALIDATION_VAR "rf.validation"

typedef struct vrun {
    rf_ctx *ctx;
    const rf_serializer *s;
    rf_vstate *vs;
    void *rec;
    const void *instance;
    rf_cont k;              /* for an answer after RF_PENDING */
    int stage;              /* 0 database, 1 field hooks, 2 validators, 3 done */
    int db_next;            /* next database index to check */
    int hook_next;          /* next field for a validate_<field> hook */
    int validator_next;
    bool stop_validators;   /* a validator raised field errors: DRF stops */
    bool unique_only;       /* rf_validate_unique_again: the database round only */
} vrun;

bool rf_body_is_html(rf_ctx *ctx)
{
    const char *ct = rf_ctx_header(ctx, "Content-Type");
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
           strncasecmp(ct, "multipart/form-data", 19) == 0;
}

/* ---------------------------------------------------------------------
 * The database round.
 */
typedef enum check_kind { CHECK_FK, CHECK_UNIQUE } check_kind;

typedef struct check {
    check_kind kind;
    int field;              /* serializer field position */
} check;

/* The table a check asks: the related resource, or the serializer's model. */
static const rf_resource *check_resource(const vrun *r, const check *c)
{
    const rf_sfield *f = &r->s->fields[c->field];
    return c->kind == CHECK_FK ? rf_sfield_related(f) : r->s->model;
}

static int check_db(const vrun *r, const check *c)
{
    return check_resource(r, c)->db;
}

static bool has_value(const vrun *r, const rf_sfield *f)
{
    return r->vs->status[f - r->s->fields] == RF_FS_CONVERTED &&
           RF_IS_SET(r->rec, f->index) && !RF_IS_NULL(r->rec, f->index);
}

/* The checks the converted fields need, in field order. */
static int collect_checks(const vrun *r, check *out)
{
    int n = 0;
    for (int i = 0; i < r->s->nfields; i++) {
        const rf_sfield *f = &r->s->fields[i];
        if (!has_value(r, f))
            continue;
        if (f->type == RF_F_FOREIGNKEY && rf_sfield_related(f))
            out[n++] = (check){ CHECK_FK, i };
        if ((f->flags & RF_SF_UNIQUE) && f->model_field && r->s->model)
            out[n++] = (check){ CHECK_UNIQUE, i };
    }
    return n;
}

/* The value a field validated into rec: read through its model field, or
 * (a plain Serializer's own record) as the column it is compared with. */
static rf_value sfield_value(const void *rec, const rf_sfield *f, const rf_field *col)
{
    if (f->model_field)
        return rf_record_value(rec, f->model_field);
    rf_field own = { .type = rf_field_key_type(col), .index = f->index, .offset = f->offset };
    return rf_record_value(rec, &own);
}

/* `"column" op ?`; SQLite keeps UUIDs as Django does, without dashes. */
static void compare(rf_buf *b, const rf_field *col, const char *op, rf_dialect d)
{
    rf_sql_ident(b, col->column);
    rf_buf_puts(b, op);
    if (rf_field_key_type(col) == RF_F_UUID && d == RF_SQLITE)
        rf_buf_lit(b, "replace(?, '-', '')");
    else
        rf_buf_putc(b, '?');
}

/* (SELECT 1 FROM "table" WHERE "column" = ? [AND "pk" <> ?] LIMIT 1) */
static void check_sql(rf_buf *b, const vrun *r, const check *c, rf_dialect d,
                      rf_value *params, int *np)
{
    const rf_sfield *f = &r->s->fields[c->field];
    const rf_resource *res = check_resource(r, c);
    const rf_field *col = c->kind == CHECK_FK ? &res->fields[res->pk] : f->model_field;
    rf_buf_lit(b, "(SELECT 1 FROM ");
    rf_sql_ident(b, res->table);
    rf_buf_lit(b, " WHERE ");
    compare(b, col, " = ", d);
    params[(*np)++] = sfield_value(r->rec, f, col);
    const rf_field *pk = &res->fields[res->pk];
    if (c->kind == CHECK_UNIQUE && r->instance && RF_IS_SET(r->instance, pk->index)) {
        rf_buf_lit(b, " AND ");
        compare(b, pk, " <> ", d);
        params[(*np)++] = rf_record_value(r->instance, pk);
    }
    rf_buf_lit(b, " LIMIT 1)");
}

static void file_check_result(vrun *r, const check *c, bool exists)
{
    const rf_sfield *f = &r->s->fields[c->field];
    rf_arena *a = r->vs->arena;
    if (c->kind == CHECK_FK && !exists) {
        rf_verrs_add_ranked(r->vs->errs, c->field, f->name,
                            rf_sprintf(a, "Invalid pk \"%s\" - object does not exist.",
                                       r->vs->pk_text[c->field]), false);
        r->vs->status[c->field] = RF_FS_FAILED;
    } else if (c->kind == CHECK_UNIQUE && exists &&
               r->vs->status[c->field] != RF_FS_FAILED) {
        /* DRF's get_unique_error_message: the verbose names as declared. */
        rf_verrs_add_ranked(r->vs->errs, c->field, f->name,
                            rf_sprintf(a, "%s with this %s already exists.",
                                       r->s->model->verbose_name, f->model_field->verbose_name),
                            true);
    }
}

static rf_rc advance(vrun *r);

static void finish_async(vrun *r, rf_rc rc)
{
    if (rc != RF_PENDING)
        r->k(r->ctx, rc);
}

typedef struct db_round {
    vrun *run;
    check *checks;
    int n;
} db_round;

static void checked(rf_ctx *ctx, rf_result *res, void *arg)
{
    db_round *round = arg;
    vrun *r = round->run;
    rf_db_error err = rf_result_error(res);
    if (err != RF_DB_OK) {
        finish_async(r, rf_db_fail(ctx, err));
        return;
    }
    for (int i = 0; i < round->n; i++)
        file_check_result(r, &round->checks[i], !rf_result_isnull(res, 0, i));
    finish_async(r, advance(r));
}

/* One SELECT for the checks of the next database that has any. */
static rf_rc database_round(vrun *r)
{
    check *all = rf_alloc(r->vs->arena, (2u * r->s->nfields + 1) * sizeof *all);
    int n = collect_checks(r, all);
    int db = -1;
    for (int i = 0; i < n; i++) {
        int d = check_db(r, &all[i]);
        if (d >= r->db_next && (db < 0 || d < db))
            db = d;
    }
    if (db < 0)
        return RF_OK;
    r->db_next = db + 1;
    db_round *round = rf_calloc(r->vs->arena, sizeof *round);
    round->run = r;
    round->checks = rf_alloc(r->vs->arena, (size_t)n * sizeof *round->checks);
    rf_value *params = rf_alloc(r->vs->arena, (size_t)(2 * n) * sizeof *params);
    int np = 0;
    rf_db *handle = rf_db_for(r->ctx, db);
    rf_dialect dialect = rf_db_dialect(handle);
    rf_buf sql;
    rf_buf_init(&sql, r->vs->arena, 256);
    rf_buf_lit(&sql, "SELECT ");
    for (int i = 0; i < n; i++) {
        if (check_db(r, &all[i]) != db)
            continue;
        if (round->n)
            rf_buf_lit(&sql, ", ");
        check_sql(&sql, r, &all[i], dialect, params, &np);
        round->checks[round->n++] = all[i];
    }
    rf_stmt stmt = { .name = NULL };
    stmt.sql[dialect] = sql.data;
    return rf_db_exec(r->ctx, handle, &stmt, params, np, checked, round);
}

/* ---------------------------------------------------------------------
 * Hooks.  An RF_ERROR with errors raised (rf_raise) is a validation error;
 * one without is an error response that ends the request.
 */
static vrun *current(rf_ctx *ctx)
{
    return (vrun *)rf_ctx_var(ctx, VALIDATION_VAR);
}

/* File what a hook raised; false when it failed without raising. */
static bool take_raised(vrun *r, rf_rc rc, int field)
{
    rf_ctx *ctx = r->ctx;
    if (rc == RF_OK)
        return true;
    if (!ctx->raised || rf_verrs_empty(ctx->raised))
        return false;
    if (field >= 0) {
        /* A validate_<field> hook's errors belong to its field. */
        rf_verrs_merge(r->vs->errs, field, r->s->fields[field].name, ctx->raised);
    } else {
        rf_verrs_merge(r->vs->errs, 0, NULL, ctx->raised);
        for (int i = 0; i < r->s->nfields; i++)
            r->stop_validators |= rf_verrs_field_failed(ctx->raised, r->s->fields[i].name);
    }
    ctx->raised = NULL;
    return true;
}

static void after_hook(rf_ctx *ctx, rf_rc rc)
{
    vrun *r = current(ctx);
    int field = r->stage == 1 ? r->hook_next - 1 : -1;
    if (!take_raised(r, rc, field)) {
        finish_async(r, RF_ERROR);
        return;
    }
    finish_async(r, advance(r));
}

static const rf_hook *field_hook(const vrun *r, int i)
{
    if (!r->s->field_hooks || !r->s->field_hooks[i])
        return NULL;
    rf_fstatus st = r->vs->status[i];
    bool ok = (st == RF_FS_EMPTY || st == RF_FS_CONVERTED) &&
              !rf_verrs_field_failed(r->vs->errs, r->s->fields[i].name);
    return ok ? r->s->field_hooks[i] : NULL;
}

/* Run hooks from where the last one left off; RF_OK when none is left. */
static rf_rc run_hooks(vrun *r)
{
    while (r->stage == 1 ? r->hook_next < r->s->nfields
                         : r->validator_next < r->s->nvalidators && !r->stop_validators) {
        const rf_hook *h;
        int field = -1;
        if (r->stage == 1) {
            field = r->hook_next++;
            h = field_hook(r, field);
        } else {
            h = r->s->validators[r->validator_next++];
        }
        if (!h)
            continue;
        rf_rc rc = rf_run_hook_obj(r->ctx, h, r->rec, after_hook);
        if (rc == RF_PENDING)
            return RF_PENDING;
        if (!take_raised(r, rc, field))
            return RF_ERROR;
    }
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * The stages.
 */
static rf_rc failed(vrun *r)
{
    r->stage = 3;
    return rf_validation_failed(r->ctx, r->vs->errs);
}

static rf_rc advance(vrun *r)
{
    rf_rc rc;
    if (r->stage == 0) {
        rc = database_round(r);
        if (rc != RF_OK)
            return rc;
        if (r->unique_only)
            return rf_verrs_empty(r->vs->errs) ? RF_OK : failed(r);
        r->stage = 1;
    }
    if (r->stage == 1) {
        rc = run_hooks(r);
        if (rc != RF_OK)
            return rc;
        if (!rf_verrs_empty(r->vs->errs))
            return failed(r);
        r->stage = 2;
    }
    if (r->stage == 2) {
        rc = run_hooks(r);
        if (rc != RF_OK)
            return rc;
        if (!rf_verrs_empty(r->vs->errs))
            return failed(r);
        r->stage = 3;
    }
    return RF_OK;
}

static vrun *new_run(rf_ctx *ctx, const rf_serializer *s, const json_t *data, bool html,
                     rf_vmode mode, void *rec, const void *instance, rf_cont k)
{
    vrun *r = rf_calloc(ctx->arena, sizeof *r);
    r->ctx = ctx;
    r->s = s;
    r->rec = rec;
    r->instance = instance;
    r->k = k;
    r->vs = rf_vstate_new(ctx->arena, s, data, html, mode);
    r->vs->db_ranges = rf_db_ranges(ctx);
    rf_ctx_set_var(ctx, VALIDATION_VAR, r);
    return r;
}

rf_rc rf_validate(rf_ctx *ctx, const rf_serializer *s, const json_t *data, bool html,
                  rf_vmode mode, void *rec, const void *instance, rf_cont k)
{
    vrun *r = new_run(ctx, s, data, html, mode, rec, instance, k);
    if (!rf_validate_sync(r->vs, rec))
        return failed(r);
    return advance(r);
}

rf_rc rf_validate_unique_again(rf_ctx *ctx, const rf_serializer *s, void *rec,
                               const void *instance, rf_cont k)
{
    vrun *r = new_run(ctx, s, NULL, false, RF_VM_PARTIAL, rec, instance, k);
    r->unique_only = true;
    for (int i = 0; i < s->nfields; i++) {
        const rf_sfield *f = &s->fields[i];
        if ((f->flags & RF_SF_UNIQUE) && f->model_field && RF_IS_SET(rec, f->index) &&
            !RF_IS_NULL(rec, f->index))
            r->vs->status[i] = RF_FS_CONVERTED;
    }
    return advance(r);
}
