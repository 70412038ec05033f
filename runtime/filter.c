/*
 * filter.c: DjangoFilterBackend (filterset_fields), SearchFilter and
 * OrderingFilter.
 *
 * TEMPORARY: answers 501 until the backends land.
 */
#include "restflow.h"

rf_rc rf_filters_apply(rf_ctx *ctx, const rf_filters *f, rf_query *q)
{
    (void)f; (void)q;
    return rf_error(ctx, 501, "Filter backends are not implemented yet.");
}
