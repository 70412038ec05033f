/*
 * db_sync.c: rf_db_exec_sync, the sync form of rf_db_exec for blocking
 * hooks (an authenticator or permission that looks something up), through
 * the sync bridge like the helpers' sync forms.
 */
#include "internal.h"

/* The arguments travel to the loop on the waiting thread's stack, alive
 * until rf_sync_call returns. */
typedef struct exec_args {
    rf_db *db;
    const rf_stmt *stmt;
    const rf_value *params;
    int nparams;
    rf_result *result;
} exec_args;

static void exec_done(rf_ctx *ctx, rf_result *res, void *arg)
{
    exec_args *a = arg;
    a->result = res;
    rf_resume(ctx, RF_OK);
}

static rf_rc exec_start(rf_ctx *ctx, void *arg, rf_cont k)
{
    exec_args *a = arg;
    rf_push_cont(ctx, k);
    return rf_db_exec(ctx, a->db, a->stmt, a->params, a->nparams, exec_done, a);
}

rf_rc rf_db_exec_sync(rf_ctx *ctx, rf_db *db, const rf_stmt *stmt, const rf_value *params,
                      int nparams, rf_result **out)
{
    exec_args a = { .db = db, .stmt = stmt, .params = params, .nparams = nparams };
    rf_rc rc = rf_sync_call(ctx, exec_start, &a);
    if (rc == RF_OK)
        *out = a.result;
    return rc;
}
