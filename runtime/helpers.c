/*
 * helpers.c: the helpers for hand-written views (http.h), the C form of
 * the views module's get_serializer, validated_serializer,
 * serialized_response, paginated_response, save and get_object, built on
 * the generic pipelines' steps.
 *
 * Async forms follow the runtime's convention: RF_OK / RF_ERROR when done
 * at once (k is not called), RF_PENDING and then k(ctx, rc) on the loop.
 * Sync forms run the async form on the loop through the core's sync
 * bridge and block only the calling pool thread; called on the loop thread
 * they fail the request with 500 (a blocking call there would stall every
 * request).
 *
 * The request serializer validates and is the model saved; the response
 * serializer renders; both are the action's, resolved by the compiler.
 */
#include <string.h>

#include "generic.h"
#include "internal.h"

static rf_gen *helper(rf_ctx *ctx, rf_cont k)
{
    return rf_gen_new(ctx, k);
}

void *rf_get_serializer(rf_ctx *ctx)
{
    const rf_action *a = rf_ctx_action(ctx);
    const rf_serializer *s = a ? a->request_serializer : NULL;
    return s ? rf_calloc(ctx->arena, s->rec_size) : NULL;
}

rf_rc rf_avalidated_serializer(rf_ctx *ctx, bool partial, void **rec, rf_cont k)
{
    static const rf_gen_step steps[] = { rf_gen_step_body, rf_gen_step_validate, NULL };
    rf_gen *g = helper(ctx, k);
    g->mode = partial ? RF_VM_PARTIAL : RF_VM_CREATE;
    g->out = rec;
    return rf_gen_run(g, steps);
}

/* A record rendered as it is; with the response serializer's joins, read
 * back by its primary key so that the joined rows are there too. */
rf_rc rf_aserialized_response(rf_ctx *ctx, const void *rec, int status, rf_cont k)
{
    static const rf_gen_step reload[] = { rf_gen_step_reload, rf_gen_step_render_one, NULL };
    static const rf_gen_step as_is[] = { rf_gen_step_render_one, NULL };
    rf_gen *g = helper(ctx, k);
    g->status = status;
    g->rec = (void *)rec;
    if (g->response && g->response->model)
        g->res = g->response->model;
    const rf_field *pk = g->res ? &g->res->fields[g->res->pk] : NULL;
    if (g->response && g->response->njoins && pk && RF_IS_SET(rec, pk->index))
        return rf_gen_run(g, reload);
    const rf_view *v = ctx->view;
    int nslots = v ? v->nslots : 0;
    g->rows = rf_calloc(ctx->arena, sizeof *g->rows);
    g->rows->n = 1;
    g->rows->rows = rf_calloc(ctx->arena, sizeof *g->rows->rows);
    g->rows->rows[0].rec = (void *)rec;
    if (g->response && g->response->njoins)
        g->rows->rows[0].joined = rf_calloc(ctx->arena, g->response->njoins * sizeof(void *));
    if (nslots)
        g->rows->rows[0].attach = rf_calloc(ctx->arena, (size_t)nslots * sizeof(rf_attach));
    return rf_gen_run(g, as_is);
}

/* q is over the response serializer's model. */
rf_rc rf_apaginated_response(rf_ctx *ctx, rf_query *q, const rf_postfetch *const *pfs,
                             int npfs, rf_cont k)
{
    static const rf_gen_step steps[] = { rf_gen_step_paginate, rf_gen_step_fetch,
                                         rf_gen_step_postfetch, rf_gen_step_render_list, NULL };
    rf_gen *g = helper(ctx, k);
    g->q = q;
    g->pfs = pfs;
    g->npfs = npfs;
    if (g->response && g->response->model)
        g->res = g->response->model;
    return rf_gen_run(g, steps);
}

/* The record is of the request serializer's model; when that is a plain
 * Serializer, of the view's resource, and in an APIView (which has none)
 * of the response serializer's model, which renders what is saved. */
rf_rc rf_asave(rf_ctx *ctx, void *rec, void **out, rf_cont k)
{
    static const rf_gen_step steps[] = { rf_gen_step_begin, rf_gen_step_write,
                                         rf_gen_step_reload, rf_gen_step_commit,
                                         rf_gen_step_out, NULL };
    rf_gen *g = helper(ctx, k);
    if (g->request && g->request->model)
        g->res = g->request->model;
    else if (!g->res && g->response && g->response->model)
        g->res = g->response->model;
    if (!g->res) {
        rf_log_error("rf_asave: neither the action's serializers nor its view name the "
                     "record's resource");
        return rf_error(ctx, 500, "A server error occurred.");
    }
    g->rec = rec;
    g->out = out;
    return rf_gen_run(g, steps);
}

rf_rc rf_aget_object(rf_ctx *ctx, void **obj, rf_cont k)
{
    static const rf_gen_step steps[] = {
        rf_gen_step_query, rf_gen_step_get_queryset, rf_gen_step_filter, rf_gen_step_lookup,
        rf_gen_step_get_object_hook, rf_gen_step_fetch_one, rf_gen_step_object_permissions,
        rf_gen_step_out, NULL
    };
    rf_gen *g = helper(ctx, k);
    g->out = obj;
    return rf_gen_run(g, steps);
}

/* ---------------------------------------------------------------------
 * Sync forms: the arguments travel to the loop in a struct on the waiting
 * thread's stack, alive until rf_sync_call returns.
 */
typedef struct sync_args {
    bool partial;
    void **out;
    void *rec;
    int status;
    rf_query *q;
    const rf_postfetch *const *pfs;
    int npfs;
} sync_args;

static rf_rc start_validated(rf_ctx *ctx, void *arg, rf_cont k)
{
    sync_args *a = arg;
    return rf_avalidated_serializer(ctx, a->partial, a->out, k);
}

rf_rc rf_validated_serializer(rf_ctx *ctx, bool partial, void **rec)
{
    sync_args a = { .partial = partial, .out = rec };
    return rf_sync_call(ctx, start_validated, &a);
}

static rf_rc start_serialized(rf_ctx *ctx, void *arg, rf_cont k)
{
    sync_args *a = arg;
    return rf_aserialized_response(ctx, a->rec, a->status, k);
}

rf_rc rf_serialized_response(rf_ctx *ctx, const void *rec, int status)
{
    sync_args a = { .rec = (void *)rec, .status = status };
    return rf_sync_call(ctx, start_serialized, &a);
}

static rf_rc start_paginated(rf_ctx *ctx, void *arg, rf_cont k)
{
    sync_args *a = arg;
    return rf_apaginated_response(ctx, a->q, a->pfs, a->npfs, k);
}

rf_rc rf_paginated_response(rf_ctx *ctx, rf_query *q, const rf_postfetch *const *pfs,
                            int npfs)
{
    sync_args a = { .q = q, .pfs = pfs, .npfs = npfs };
    return rf_sync_call(ctx, start_paginated, &a);
}

static rf_rc start_save(rf_ctx *ctx, void *arg, rf_cont k)
{
    sync_args *a = arg;
    return rf_asave(ctx, a->rec, a->out, k);
}

rf_rc rf_save(rf_ctx *ctx, void *rec, void **out)
{
    sync_args a = { .rec = rec, .out = out };
    return rf_sync_call(ctx, start_save, &a);
}

static rf_rc start_get_object(rf_ctx *ctx, void *arg, rf_cont k)
{
    sync_args *a = arg;
    return rf_aget_object(ctx, a->out, k);
}

rf_rc rf_get_object(rf_ctx *ctx, void **obj)
{
    sync_args a = { .out = obj };
    return rf_sync_call(ctx, start_get_object, &a);
}
