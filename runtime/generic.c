/*
 * generic.c: DRF's mixins (list, create, retrieve, update, partial_update,
 * destroy) driven by the descriptors of the context's view and action, as
 * lists of steps over one state (generic.h).
 *
 *   list      queryset -> get_queryset -> filter backends -> paginate
 *             (COUNT when the paginator needs it) -> fetch with the response
 *             serializer's joins -> PostFetch, once -> envelope or plain list
 *   retrieve  get_object -> PostFetch on the one row -> 200
 *   create    body -> validate (request serializer) -> perform_create ->
 *             BEGIN, INSERT, reload, render (response serializer), COMMIT
 *             -> 201 (the COMMIT goes along with the INSERT and the reload
 *             when the row provably renders within the request's memory:
 *             commit_budget)
 *   update    get_object -> body -> validate into the instance (PATCH:
 *             partial) -> perform_update -> BEGIN, UPDATE, reload, render,
 *             COMMIT -> 200
 *   destroy   get_object -> perform_destroy -> DELETE -> 204
 *
 * get_object is DRF's: the queryset, get_queryset, every filter backend,
 * the lookup (a value of the wrong type is a 404, as get_object_or_404
 * turns ValueError into Http404), then object permissions.  The body is
 * parsed only after get_object, so a 404 beats a 415 or a 400.
 *
 * perform_create / perform_update hooks get the validated record before
 * it is written (they may change it or refuse); perform_destroy gets the
 * instance before the DELETE.  The runtime does the write itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"
#include "generic.h"
#include "internal.h"
#include "policy_internal.h"
#include "serializer.h"

#define GEN_VAR "rf.generic"
#define SERVER_ERROR "A server error occurred."

/* ---------------------------------------------------------------------
 * Running steps.
 */
rf_gen *rf_gen_new(rf_ctx *ctx, rf_cont done)
{
    rf_gen *g = rf_calloc(ctx->arena, sizeof *g);
    g->ctx = ctx;
    g->done = done;
    g->outer = rf_ctx_var(ctx, GEN_VAR);
    g->view = ctx->view;
    g->action = ctx->action;
    if (g->action) {
        g->request = g->action->request_serializer;
        g->response = g->action->response_serializer;
        g->pfs = g->action->post_fetches;
        g->npfs = g->action->npost_fetches;
    }
    const rf_queryset *qs = g->action ? g->action->queryset : NULL;
    g->res = qs ? qs->res : g->view ? g->view->model : NULL;
    return g;
}

/* The state continuations find is the running list's; a list that ends
 * hands it back to the one it runs inside (a helper called from a hook of
 * a pipeline). */
static rf_rc run_steps(rf_gen *g)
{
    rf_rc rc = RF_OK;
    while (g->steps[g->next]) {
        rf_ctx_set_var(g->ctx, GEN_VAR, g);
        rc = g->steps[g->next](g);
        if (rc != RF_OK)
            break;
        g->next++;
    }
    if (rc != RF_PENDING)
        rf_ctx_set_var(g->ctx, GEN_VAR, g->outer);
    return rc;
}

rf_rc rf_gen_run(rf_gen *g, const rf_gen_step *steps)
{
    g->steps = steps;
    g->next = 0;
    for (const rf_gen_step *s = steps; *s; s++)
        if (*s == rf_gen_step_postfetch)
            g->postfetch_follows = true;
    return run_steps(g);
}

/* The continuation of a step that went PENDING. */
static void resume_steps(rf_gen *g, rf_rc rc)
{
    if (rc == RF_OK) {
        g->next++;
        rc = run_steps(g);
    }
    if (rc != RF_PENDING) {
        rf_ctx_set_var(g->ctx, GEN_VAR, g->outer);
        g->done(g->ctx, rc);
    }
}

/* For hooks and policies, whose continuations carry only the context. */
static void step_k(rf_ctx *ctx, rf_rc rc)
{
    resume_steps((rf_gen *)rf_ctx_var(ctx, GEN_VAR), rc);
}

static rf_rc server_error(rf_gen *g, const char *why)
{
    rf_log_error("%s %s: %s", rf_method_name(g->ctx->method), g->ctx->path, why);
    return rf_error(g->ctx, 500, SERVER_ERROR);
}

static rf_rc run_hook(rf_gen *g, const rf_hook *h, void *obj)
{
    if (!h)
        return RF_OK;
    return obj ? rf_run_hook_obj(g->ctx, h, obj, step_k) : rf_run_hook_ctx(g->ctx, h, step_k);
}

/* ---------------------------------------------------------------------
 * Querying.
 */
rf_rc rf_gen_step_query(rf_gen *g)
{
    if (!g->res)
        return server_error(g, "the view has no queryset");
    g->q = rf_query_new(g->ctx, g->res);
    const rf_queryset *qs = g->action ? g->action->queryset : NULL;
    return qs ? rf_query_apply_queryset(g->q, g->ctx, qs) : RF_OK;
}

rf_rc rf_gen_step_get_queryset(rf_gen *g)
{
    const rf_hook *h = g->view ? g->view->get_queryset : NULL;
    return h ? rf_run_hook_query(g->ctx, h, g->q, step_k) : RF_OK;
}

rf_rc rf_gen_step_filter(rf_gen *g)
{
    const rf_filters *f = g->view ? g->view->filters : NULL;
    return f ? rf_filters_apply_async(g->ctx, f, g->q, step_k) : RF_OK;
}

/* The URL's lookup value as the lookup field's type, as Django's
 * get_prep_value reads it; false where Django raises (then 404). */
static bool lookup_value(rf_gen *g, const rf_field *f, const char *s, rf_value *out)
{
    rf_arena *a = g->ctx->arena;
    size_t n = strlen(s);
    int overflow;
    char uuid[37];
    switch (rf_field_key_type(f)) {
    case RF_F_AUTO: case RF_F_BIGAUTO: case RF_F_INTEGER: case RF_F_BIGINTEGER:
    case RF_F_FOREIGNKEY:
        out->type = RF_V_INT;
        return rf_py_int(a, s, n, &out->u.i, &overflow) && !overflow;
    case RF_F_FLOAT:
        out->type = RF_V_FLOAT;
        return rf_py_float(a, s, n, &out->u.f);
    case RF_F_DECIMAL:
        out->type = RF_V_DECIMAL;
        return rf_py_decimal(a, s, n, &out->u.s);
    case RF_F_BOOLEAN:   /* BooleanField.to_python */
        if (!strcmp(s, "t") || !strcmp(s, "True") || !strcmp(s, "1"))
            *out = RF_VBOOL(true);
        else if (!strcmp(s, "f") || !strcmp(s, "False") || !strcmp(s, "0"))
            *out = RF_VBOOL(false);
        else
            return false;
        return true;
    case RF_F_UUID:
        if (!rf_parse_uuid(a, s, n, uuid))
            return false;
        *out = RF_VTEXT(rf_strdup(a, uuid));
        return true;
    case RF_F_DATE:
        out->type = RF_V_DATE;
        int32_t days;
        if (!rf_parse_date(s, &days))
            return false;
        out->u.i = days;
        return true;
    case RF_F_DATETIME:
        out->type = RF_V_DATETIME;
        return rf_parse_datetime(s, &out->u.i);
    default:
        *out = RF_VTEXT(s);
        return true;
    }
}

rf_rc rf_gen_step_lookup(rf_gen *g)
{
    const rf_view *v = g->view;
    const rf_field *f = v && v->lookup_field ? v->lookup_field : &g->res->fields[g->res->pk];
    const char *kwarg = v && v->lookup_url_kwarg ? v->lookup_url_kwarg : f->name;
    const char *text = rf_ctx_kwarg(g->ctx, kwarg);
    rf_value value;
    if (!text)
        return server_error(g, "no lookup value in the URL");
    if (!lookup_value(g, f, text, &value))
        return rf_error(g->ctx, 404, "Not found.");
    rf_query_where_eq(g->q, f, value);
    return RF_OK;
}

rf_rc rf_gen_step_get_object_hook(rf_gen *g)
{
    const rf_hook *h = g->view ? g->view->get_object : NULL;
    return h ? rf_run_hook_query(g->ctx, h, g->q, step_k) : RF_OK;
}

/* The joins are the response serializer's, over its own model (the one
 * queried). */
static void response_joins(rf_gen *g)
{
    if (g->response && g->response->njoins && g->response->model == g->res)
        rf_query_joins(g->q, g->response->joins, g->response->njoins);
}

static rf_rc take_one(rf_gen *g, rf_db_error err, rf_rowset *rows)
{
    if (err != RF_DB_OK)
        return rf_db_fail(g->ctx, err);
    if (rows->n == 0)
        return rf_error(g->ctx, 404, "Not found.");
    if (rows->n > 1)    /* QuerySet.get raises MultipleObjectsReturned */
        return server_error(g, "the lookup matched more than one object");
    g->rows = rows;
    g->obj = rows->rows[0].rec;
    return RF_OK;
}

static void fetched_one(rf_ctx *ctx, rf_db_error err, rf_rowset *rows, void *arg)
{
    (void)ctx;
    rf_gen *g = arg;
    resume_steps(g, take_one(g, err, rows));
}

/* The rows go to rf_gen_step_postfetch later in the pipeline: its
 * queries can go along with the fetch. */
static void prefetch(rf_gen *g)
{
    if (g->postfetch_follows && g->npfs)
        rf_query_prefetch(g->q, g->pfs, g->npfs);
}

/* get_object_or_404: two rows at most tell "one" from "several". */
static void one_object(rf_gen *g)
{
    response_joins(g);
    prefetch(g);
    rf_query_limit(g->q, 2, 0);
}

rf_rc rf_gen_step_fetch_one(rf_gen *g)
{
    one_object(g);
    return rf_query_fetch(g->ctx, g->q, fetched_one, g);
}

rf_rc rf_gen_step_object_permissions(rf_gen *g)
{
    const rf_action *a = g->action;
    if (!a || !a->npermissions)
        return RF_OK;
    return rf_check_permissions(g->ctx, a->permissions, a->npermissions, g->obj, step_k);
}

/* ---------------------------------------------------------------------
 * Lists.
 */
static void counted(rf_ctx *ctx, rf_db_error err, int64_t count, void *arg)
{
    rf_gen *g = arg;
    if (err != RF_DB_OK)
        resume_steps(g, rf_db_fail(ctx, err));
    else
        resume_steps(g, rf_page_set_count(ctx, g->page, g->q, count));
}

/* The rows fetched next (rf_gen_step_fetch). */
static void page_query(rf_gen *g)
{
    response_joins(g);
    prefetch(g);
}

/* When the fetch comes next and the count is only to confirm the page,
 * the page goes along with the COUNT (SQLite). */
rf_rc rf_gen_step_paginate(rf_gen *g)
{
    const rf_paginator *p = g->action ? g->action->paginator : NULL;
    bool needs_count = false;
    if (!p)
        return RF_OK;
    rf_rc rc = rf_page_plan(g->ctx, p, g->q, &g->page, &needs_count);
    if (rc != RF_OK || !g->page || !needs_count)
        return rc;
    int64_t limit, offset;
    if (g->steps[g->next + 1] == rf_gen_step_fetch &&
        rf_page_expected_window(g->page, &limit, &offset)) {
        page_query(g);
        rf_query_limit(g->q, limit, offset);
        return rf_query_count_and_fetch(g->ctx, g->q, counted, g);
    }
    return rf_query_count(g->ctx, g->q, counted, g);
}

static void fetched(rf_ctx *ctx, rf_db_error err, rf_rowset *rows, void *arg)
{
    rf_gen *g = arg;
    g->rows = rows;
    resume_steps(g, err == RF_DB_OK ? RF_OK : rf_db_fail(ctx, err));
}

rf_rc rf_gen_step_fetch(rf_gen *g)
{
    rf_db_error err;
    page_query(g);
    if (rf_query_page_at_hand(g->ctx, g->q, &err, &g->rows))
        return err == RF_DB_OK ? RF_OK : rf_db_fail(g->ctx, err);
    return rf_query_fetch(g->ctx, g->q, fetched, g);
}

/* Every PostFetch runs once for what was fetched, whatever its size. */
rf_rc rf_gen_step_postfetch(rf_gen *g)
{
    if (!g->npfs || !g->rows || g->rows->n == 0)
        return RF_OK;
    return rf_postfetch_run(g->ctx, g->pfs, g->npfs, g->rows, g->view ? g->view->nslots : 0,
                            step_k);
}

/* DRF's renderer refuses NaN and infinities (json.dumps(allow_nan=False)
 * raises): a 500 instead of the body. */
static rf_rc respond(rf_gen *g, int status, rf_buf *b)
{
    if (rf_json_take_nonfinite())
        return server_error(g, "a float field holds NaN or an infinity");
    return rf_respond_json(g->ctx, status, b);
}

rf_rc rf_gen_step_render_list(rf_gen *g)
{
    rf_buf *b = rf_ctx_body_buf(g->ctx);
    if (!g->response)
        return server_error(g, "no response serializer");
    rf_json_take_nonfinite();
    if (g->page) {
        rf_page_render(g->ctx, g->page, b, g->rows, g->response->render);
    } else {
        rf_buf_putc(b, '[');
        for (int i = 0; i < g->rows->n; i++) {
            if (i)
                rf_buf_putc(b, ',');
            g->response->render(b, &g->rows->rows[i]);
        }
        rf_buf_putc(b, ']');
    }
    return respond(g, 200, b);
}

rf_rc rf_gen_step_render_one(rf_gen *g)
{
    rf_buf *b = rf_ctx_body_buf(g->ctx);
    if (!g->response)
        return server_error(g, "no response serializer");
    rf_json_take_nonfinite();
    g->response->render(b, &g->rows->rows[0]);
    return respond(g, g->status ? g->status : 200, b);
}

/* ---------------------------------------------------------------------
 * Writing.
 */
rf_rc rf_gen_step_body(rf_gen *g)
{
    return rf_ctx_body(g->ctx, &g->data);
}

/* The record to validate into: zeroed for create, a copy of the instance
 * for update. */
static void *validation_record(rf_gen *g)
{
    uint32_t size = g->request->rec_size;
    void *rec = rf_calloc(g->ctx->arena, size);
    if (g->obj && g->res && g->res->rec_size == size)
        memcpy(rec, g->obj, size);
    return rec;
}

rf_rc rf_gen_step_validate(rf_gen *g)
{
    if (!g->request)
        return server_error(g, "no request serializer");
    g->rec = validation_record(g);
    if (g->out)
        *g->out = g->rec;
    return rf_validate(g->ctx, g->request, g->data, rf_body_is_html(g->ctx), g->mode, g->rec,
                       g->obj, step_k);
}

static int64_t wall_clock_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static rf_db *model_db(rf_gen *g)
{
    return rf_db_for(g->ctx, g->res->db);
}

static bool is_auto(const rf_field *f)
{
    return f->type == RF_F_AUTO || f->type == RF_F_BIGAUTO;
}

/* Django's pre_save: auto_now on every save, auto_now_add on the first;
 * on an INSERT every unset field takes its default. */
static void prepare_write(rf_gen *g, bool insert)
{
    int64_t now = wall_clock_usec();
    if (insert) {
        rf_record_fill_defaults(g->ctx->arena, g->res, g->rec, now);
        return;
    }
    for (uint16_t i = 0; i < g->res->nfields; i++)
        if (g->res->fields[i].flags & RF_FF_AUTO_NOW)
            rf_record_set(g->ctx->arena, g->rec, &g->res->fields[i],
                          (rf_value){ .type = RF_V_DATETIME, .u.i = now });
}

/* The parameters of the resource's fixed INSERT (every non-auto column in
 * field order) or UPDATE (every non-pk column, then the pk). */
static rf_value *write_params(rf_gen *g, bool insert, int *n)
{
    const rf_resource *res = g->res;
    rf_value *params = rf_alloc(g->ctx->arena, (res->nfields + 1u) * sizeof *params);
    *n = 0;
    for (uint16_t i = 0; i < res->nfields; i++) {
        const rf_field *f = &res->fields[i];
        if (insert ? !is_auto(f) : i != res->pk)
            params[(*n)++] = rf_record_value(g->rec, f);
    }
    if (!insert)
        params[(*n)++] = rf_record_value(g->rec, &res->fields[res->pk]);
    return params;
}

/* Django's save(): an INSERT for a record without a primary key (and
 * always for create), an UPDATE otherwise. */
static bool is_insert(const rf_gen *g)
{
    const rf_field *pk = &g->res->fields[g->res->pk];
    return g->force_insert || !RF_IS_SET(g->rec, pk->index) || RF_IS_NULL(g->rec, pk->index);
}

/* A unique violation at write time: a concurrent request stored the same
 * value after this one's UniqueValidator checked it.  DRF's check would
 * have refused the value a moment later, so restflow answers what the
 * check answers now: the transaction is rolled back and the request
 * serializer's unique checks run again, giving DRF's 400 "<model> with
 * this <field> already exists.".  A violation no serializer check covers
 * stays a 500, as Django's IntegrityError. */
static void unique_rechecked(rf_ctx *ctx, rf_rc rc)
{
    rf_gen *g = (rf_gen *)rf_ctx_var(ctx, GEN_VAR);
    resume_steps(g, rc == RF_OK ? rf_db_fail(ctx, RF_DB_UNIQUE) : rc);
}

static void unique_rolled_back(rf_ctx *ctx, rf_result *res, void *arg)
{
    rf_gen *g = arg;
    if (rf_result_error(res) != RF_DB_OK) {
        resume_steps(g, rf_db_fail(ctx, rf_result_error(res)));
        return;
    }
    rf_ctx_set_var(ctx, GEN_VAR, g);
    rf_rc rc = rf_validate_unique_again(ctx, g->request, g->rec, is_insert(g) ? NULL : g->rec,
                                        unique_rechecked);
    if (rc != RF_PENDING)
        unique_rechecked(ctx, rc);
}

static void written(rf_ctx *ctx, rf_result *res, void *arg)
{
    rf_gen *g = arg;
    rf_db_error err = rf_result_error(res);
    const rf_field *pk = &g->res->fields[g->res->pk];
    if (err == RF_DB_UNIQUE && g->request && g->request->model == g->res) {
        rf_db_rollback(ctx, model_db(g), unique_rolled_back, g);
        return;
    }
    if (err == RF_DB_OK && is_insert(g) && is_auto(pk))
        rf_record_set(ctx->arena, g->rec, pk, RF_VINT(rf_result_int(res, 0, 0)));
    resume_steps(g, err == RF_DB_OK ? RF_OK : rf_db_fail(ctx, err));
}

/* The reload after a write (rf_gen_step_reload) reads the written row by
 * its primary key: g->q. */
static void reload_query(rf_gen *g, rf_value key)
{
    g->q = rf_query_new(g->ctx, g->res);
    rf_query_where_eq(g->q, &g->res->fields[g->res->pk], key);
    one_object(g);
}

/* An INSERT's new key is its answer (RETURNING); an UPDATE's, the key the
 * reload was built with. */
static void written_key(rf_value *first, const rf_result *head, rf_arena *a, const void *arg)
{
    (void)a;
    if (arg && rf_result_nrows(head) > 0)
        *first = RF_VINT(rf_result_int(head, 0, 0));
}

static void keep_reload(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    ((rf_gen *)arg)->reloaded = res;
}

static void keep_commit(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    ((rf_gen *)arg)->committed = res;
}

static size_t add_capped(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* What rendering a row with s allocates besides its cells
 * (rf_result_render_bound): each key JSON-escaped with its punctuation, a
 * decimal's padding, nested serializers' keys; times 4 as the cells'. */
static size_t render_overhead(const rf_serializer *s, int depth)
{
    if (depth > 8)
        return SIZE_MAX;
    size_t n = 64;
    for (int i = 0; i < s->nfields; i++) {
        const rf_sfield *f = &s->fields[i];
        n = add_capped(n, 6 * strlen(f->name) + 64);
        if (f->limits.max_digits > 0)
            n = add_capped(n, (size_t)f->limits.max_digits);
        if (f->limits.decimal_places > 0)
            n = add_capped(n, (size_t)f->limits.decimal_places);
        if (f->nested)
            n = add_capped(n, render_overhead(f->nested, depth + 1));
    }
    return n > SIZE_MAX / 4 ? SIZE_MAX : 4 * n;
}

/* The COMMIT may go along with the write and its reload when nothing
 * between them can fail: the row is rendered next, then committed
 * (SAVE_AND_RENDER), and rendering can only fail by outgrowing the
 * request's memory (a 503 that must leave nothing written) or on a float
 * JSON cannot hold.  So the COMMIT goes along only with a budget: the
 * room the request's arena has left, less what loading the row (its
 * records, 16 KiB of slack) and the serializer's keys can take; the
 * database commits only when the reloaded cells fit the rest.  Then a
 * create is two trips to SQLite's pool instead of three, and the write
 * lock is held for one. */
static bool commit_budget(rf_gen *g, rf_db *db, size_t *budget)
{
    const rf_gen_step *next = &g->steps[g->next + 1];
    if (next[1] != rf_gen_step_render_one || next[2] != rf_gen_step_commit || !g->response ||
        !rf_db_can_chain_commit(g->ctx, db))
        return false;
    size_t room = rf_arena_room(g->ctx->arena);
    size_t records = 4 * (size_t)g->res->rec_size * (1 + (size_t)g->response->njoins);
    size_t overhead = add_capped(add_capped(render_overhead(g->response, 0), records), 16384);
    if (overhead >= room)
        return false;
    *budget = room - overhead;
    return true;
}

/* Where the database chains reads and the reload comes next, it goes along
 * with the write, in the same trip (db_internal.h), and the COMMIT with
 * them when it can (commit_budget). */
static rf_rc write_and_reload(rf_gen *g, rf_db *db, const rf_stmt *stmt,
                              rf_value *params, int n, bool insert)
{
    bool key_written = insert && is_auto(&g->res->fields[g->res->pk]);
    reload_query(g, key_written ? RF_VINT(0) : rf_record_value(g->rec, &g->res->fields[g->res->pk]));
    rf_db_then then[2] = {
        { .derive = written_key, .derive_arg = key_written ? g : NULL, .cb = keep_reload, .arg = g },
        { .commit = true, .follows = 1, .cb = keep_commit, .arg = g },
    };
    rf_query_chain(g->q, rf_db_dialect(db), &then[0]);
    g->reloaded = NULL;
    g->committed = NULL;
    int nthen = commit_budget(g, db, &then[1].commit_budget) ? 2 : 1;
    return rf_db_exec_chained(g->ctx, db, stmt, params, n, written, g, then, nthen);
}

rf_rc rf_gen_step_write(rf_gen *g)
{
    if (!g->res || !g->rec)
        return server_error(g, "nothing to save");
    bool insert = is_insert(g);
    prepare_write(g, insert);
    rf_db *db = model_db(g);
    rf_dialect d = rf_db_dialect(db);
    rf_stmt stmt = { .name = NULL };
    stmt.sql[d] = insert ? g->res->insert_sql[d] : g->res->update_sql[d];
    int n;
    rf_value *params = write_params(g, insert, &n);
    if (rf_db_can_chain(db) && g->steps[g->next + 1] == rf_gen_step_reload)
        return write_and_reload(g, db, &stmt, params, n, insert);
    return rf_db_exec(g->ctx, db, &stmt, params, n, written, g);
}

static void txn_done(rf_ctx *ctx, rf_result *res, void *arg)
{
    rf_db_error err = rf_result_error(res);
    resume_steps(arg, err == RF_DB_OK ? RF_OK : rf_db_fail(ctx, err));
}

/* A request past --max-request-memory is answered 503 when it ends
 * (response.c), whatever it did; a write it made must not outlive that
 * answer, or a client that retries stores it twice.  So a write starts
 * only while the arena has room, and commits only if writing, reloading
 * and rendering the row kept it so. */
static rf_rc out_of_memory(rf_gen *g)
{
    return rf_error(g->ctx, 503, "Service temporarily unavailable, try again later.");
}

static void rolled_back_out_of_memory(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    (void)res;
    resume_steps(arg, out_of_memory(arg));
}

rf_rc rf_gen_step_begin(rf_gen *g)
{
    if (rf_arena_exhausted(g->ctx->arena))
        return out_of_memory(g);
    return rf_db_begin(g->ctx, model_db(g), txn_done, g);
}

rf_rc rf_gen_step_commit(rf_gen *g)
{
    rf_result *along = g->committed;
    g->committed = NULL;
    if (along && rf_result_error(along) != RF_DB_OK)
        return rf_db_fail(g->ctx, rf_result_error(along));
    if (along && rf_result_affected(along) == 1)
        return RF_OK;   /* committed with the write (commit_budget) */
    if (rf_arena_exhausted(g->ctx->arena))
        return rf_db_rollback(g->ctx, model_db(g), rolled_back_out_of_memory, g);
    return rf_db_commit(g->ctx, model_db(g), txn_done, g);
}

/* The written row read back by its primary key, with what the response
 * serializer joins; what is rendered is what the database holds. */
rf_rc rf_gen_step_reload(rf_gen *g)
{
    rf_result *came = g->reloaded;
    if (came) {         /* with the write */
        g->reloaded = NULL;
        rf_db_error err = rf_result_error(came);
        return take_one(g, err, err == RF_DB_OK ? rf_query_rows_of(g->ctx, g->q, came) : NULL);
    }
    reload_query(g, rf_record_value(g->rec, &g->res->fields[g->res->pk]));
    return rf_query_fetch(g->ctx, g->q, fetched_one, g);
}

rf_rc rf_gen_step_out(rf_gen *g)
{
    if (g->out)
        *g->out = g->obj;
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * The pipelines.
 */
static rf_rc step_context(rf_gen *g)
{
    return run_hook(g, g->view ? g->view->get_serializer_context : NULL, NULL);
}

static rf_rc step_perform_create(rf_gen *g)
{
    return run_hook(g, g->view ? g->view->perform_create : NULL, g->rec);
}

static rf_rc step_perform_update(rf_gen *g)
{
    return run_hook(g, g->view ? g->view->perform_update : NULL, g->rec);
}

static rf_rc step_perform_destroy(rf_gen *g)
{
    return run_hook(g, g->view ? g->view->perform_destroy : NULL, g->obj);
}

static void deleted(rf_ctx *ctx, rf_result *res, void *arg)
{
    rf_db_error err = rf_result_error(res);
    /* A PROTECT foreign key refuses the DELETE: Django raises
     * ProtectedError and DRF answers 500; so does restflow. */
    resume_steps(arg, err == RF_DB_OK ? RF_OK : rf_db_fail(ctx, err));
}

static rf_rc step_delete(rf_gen *g)
{
    if (rf_arena_exhausted(g->ctx->arena))
        return out_of_memory(g);
    rf_db *db = model_db(g);
    rf_dialect d = rf_db_dialect(db);
    rf_stmt stmt = { .name = NULL };
    stmt.sql[d] = g->res->delete_sql[d];
    rf_value pk = rf_record_value(g->obj, &g->res->fields[g->res->pk]);
    return rf_db_exec(g->ctx, db, &stmt, &pk, 1, deleted, g);
}

static rf_rc step_no_content(rf_gen *g)
{
    return rf_respond_empty(g->ctx, 204);
}

static rf_rc step_created(rf_gen *g)
{
    g->status = 201;
    g->force_insert = true;
    return RF_OK;
}

#define GET_OBJECT rf_gen_step_query, rf_gen_step_get_queryset, rf_gen_step_filter, \
                   rf_gen_step_lookup, rf_gen_step_get_object_hook, rf_gen_step_fetch_one, \
                   rf_gen_step_object_permissions
/* The answer is rendered before the COMMIT: a request that outgrows its
 * memory while rendering is rolled back like one that fails writing.
 * (Where the COMMIT went along with the write, the row was known to fit.) */
#define SAVE_AND_RENDER rf_gen_step_begin, rf_gen_step_write, rf_gen_step_reload, \
                        rf_gen_step_render_one, rf_gen_step_commit

static const rf_gen_step list_steps[] = {
    rf_gen_step_query, rf_gen_step_get_queryset, rf_gen_step_filter, rf_gen_step_paginate,
    rf_gen_step_fetch, step_context, rf_gen_step_postfetch, rf_gen_step_render_list, NULL
};
static const rf_gen_step retrieve_steps[] = {
    GET_OBJECT, step_context, rf_gen_step_postfetch, rf_gen_step_render_one, NULL
};
static const rf_gen_step create_steps[] = {
    rf_gen_step_body, step_context, rf_gen_step_validate, step_perform_create, step_created,
    SAVE_AND_RENDER, NULL
};
static const rf_gen_step update_steps[] = {
    GET_OBJECT, rf_gen_step_body, step_context, rf_gen_step_validate, step_perform_update,
    SAVE_AND_RENDER, NULL
};
static const rf_gen_step destroy_steps[] = {
    GET_OBJECT, step_perform_destroy, step_delete, step_no_content, NULL
};

rf_rc rf_generic_action(rf_ctx *ctx)
{
    rf_gen *g = rf_gen_new(ctx, rf_resume);
    switch (ctx->action ? ctx->action->kind : RF_ACT_HANDLER) {
    case RF_ACT_LIST:
        return rf_gen_run(g, list_steps);
    case RF_ACT_RETRIEVE:
        return rf_gen_run(g, retrieve_steps);
    case RF_ACT_CREATE:
        g->mode = RF_VM_CREATE;
        return rf_gen_run(g, create_steps);
    case RF_ACT_UPDATE:
        g->mode = RF_VM_UPDATE;
        return rf_gen_run(g, update_steps);
    case RF_ACT_PARTIAL_UPDATE:
        g->mode = RF_VM_PARTIAL;
        return rf_gen_run(g, update_steps);
    case RF_ACT_DESTROY:
        return rf_gen_run(g, destroy_steps);
    default:
        return server_error(g, "not a generic action");
    }
}
