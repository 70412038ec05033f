/*
 * generic.h (internal, serializers area): the generic view pipelines.
 *
 * The dispatcher calls rf_generic_action for every action whose kind is not
 * RF_ACT_HANDLER.  It behaves as an RF_ASYNC handler hook: it returns RF_OK
 * (response set), RF_ERROR (error response set) or RF_PENDING, in which
 * case it later calls rf_resume(ctx, rc) exactly once on the loop thread.
 */
#ifndef RF_GENERIC_H
#define RF_GENERIC_H

#include "restflow.h"

rf_rc rf_generic_action(rf_ctx *ctx);

#endif
