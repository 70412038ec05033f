/*
 * helpers.c: the helpers for hand-written views (http.h), async and sync.
 */
#include "restflow.h"

/* TEMPORARY (not implemented yet): every helper answers 501 until the
 * validation pipeline and the request context exist. */
static rf_rc not_yet(rf_ctx *ctx)
{
    return rf_error(ctx, 501, "Serializer helpers are not implemented yet.");
}

void *rf_get_serializer(rf_ctx *ctx)
{
    (void)ctx;
    return NULL;
}

rf_rc rf_avalidated_serializer(rf_ctx *ctx, bool partial, void **rec, rf_cont k)
{
    (void)partial, (void)rec, (void)k;
    return not_yet(ctx);
}

rf_rc rf_validated_serializer(rf_ctx *ctx, bool partial, void **rec)
{
    (void)partial, (void)rec;
    return not_yet(ctx);
}

rf_rc rf_aserialized_response(rf_ctx *ctx, const void *rec, int status, rf_cont k)
{
    (void)rec, (void)status, (void)k;
    return not_yet(ctx);
}

rf_rc rf_serialized_response(rf_ctx *ctx, const void *rec, int status)
{
    (void)rec, (void)status;
    return not_yet(ctx);
}

rf_rc rf_apaginated_response(rf_ctx *ctx, rf_query *q,
                             const rf_postfetch *const *pfs, int npfs, rf_cont k)
{
    (void)q, (void)pfs, (void)npfs, (void)k;
    return not_yet(ctx);
}

rf_rc rf_paginated_response(rf_ctx *ctx, rf_query *q,
                            const rf_postfetch *const *pfs, int npfs)
{
    (void)q, (void)pfs, (void)npfs;
    return not_yet(ctx);
}

rf_rc rf_asave(rf_ctx *ctx, void *rec, void **out, rf_cont k)
{
    (void)rec, (void)out, (void)k;
    return not_yet(ctx);
}

rf_rc rf_save(rf_ctx *ctx, void *rec, void **out)
{
    (void)rec, (void)out;
    return not_yet(ctx);
}
