/*
 * throttle.c: DRF's rate throttles over a sliding-log store.
 *
 * TEMPORARY: rf_check_throttles answers 501 and the memory store is not
 * written yet.
 */
#include "restflow.h"

bool rf_throttle_parse_rate(const char *rate, int32_t *num, int32_t *duration)
{
    (void)rate; (void)num; (void)duration;
    return false;   /* Not implemented yet. */
}

rf_throttle_store *rf_throttle_store_memory(void)
{
    return NULL;    /* Not implemented yet. */
}

rf_rc rf_check_throttles(rf_ctx *ctx, const rf_throttle *const *ts, int n,
                         const char *view_scope, void (*k)(rf_ctx *, rf_rc))
{
    (void)ts; (void)n; (void)view_scope; (void)k;
    return rf_error(ctx, 501, "Throttles are not implemented yet.");
}
