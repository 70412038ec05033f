/*
 * db_pg.c: the PostgreSQL backend.
 * Not implemented yet: opening fails with a clear error until the backend
 * lands (persistence area, issue 4).
 */
#include <stdio.h>

#include "db_internal.h"

static bool pg_open(rf_db *db, const char *target, int pool_size,
                        char *err, size_t errlen)
{
    (void)db;
    (void)target;
    (void)pool_size;
    snprintf(err, errlen, "the PostgreSQL backend is not implemented yet");
    return false;
}

static void pg_close(rf_db *db)
{
    (void)db;
}

static void pg_submit(rf_db *db, rf_db_op *op)
{
    (void)db;
    op->res = rf_result_of(NULL, RF_DB_FAILED, "not implemented yet");
    rf_db_op_done(op);
}

const rf_db_backend rf_pg_backend = { pg_open, pg_close, pg_submit };
