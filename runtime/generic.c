/*
 * generic.c: DRF's mixins (list, create, retrieve, update, partial_update,
 * destroy) driven by the descriptors of the context's view and action.
 */
#include "generic.h"

/* TEMPORARY (not implemented yet): answers 501 so that dispatch links.  The
 * pipelines replace this once the context and persistence layers land. */
rf_rc rf_generic_action(rf_ctx *ctx)
{
    return rf_error(ctx, 501, "Generic actions are not implemented yet.");
}
