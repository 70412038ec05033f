/*
 * postfetch.c: PostFetch execution.
 * Not implemented yet (persistence area, issue 4): answers 501 until the
 * windowed query lands.
 */
#include "db_internal.h"

rf_rc rf_postfetch_run(rf_ctx *ctx, const rf_postfetch *const *pfs, int n,
                       rf_rowset *rows, int nslots, void (*k)(rf_ctx *, rf_rc))
{
    (void)pfs;
    (void)n;
    (void)rows;
    (void)nslots;
    (void)k;
    return rf_error(ctx, 501, "PostFetch is not implemented yet.");
}
