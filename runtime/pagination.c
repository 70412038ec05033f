/*
 * pagination.c: PageNumberPagination, LimitOffsetPagination and the common
 * envelope; CursorPagination is in cursor.c.
 *
 * TEMPORARY: planning answers 501 until the paginators land.
 */
#include "restflow.h"

rf_rc rf_page_plan(rf_ctx *ctx, const rf_paginator *p, rf_query *q,
                   rf_page **page, bool *needs_count)
{
    (void)p; (void)q;
    *page = NULL;
    *needs_count = false;
    return rf_error(ctx, 501, "Pagination is not implemented yet.");
}

rf_rc rf_page_set_count(rf_ctx *ctx, rf_page *page, rf_query *q, int64_t count)
{
    (void)page; (void)q; (void)count;
    return rf_error(ctx, 501, "Pagination is not implemented yet.");
}

void rf_page_render(rf_ctx *ctx, rf_page *page, rf_buf *b, rf_rowset *rows,
                    rf_render_fn render)
{
    (void)ctx; (void)page; (void)b; (void)rows; (void)render;
}
