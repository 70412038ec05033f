/*
 * auth.c: the built-in authenticators (TokenAuthentication,
 * BasicAuthentication) and rf_auth_failed.
 *
 * TEMPORARY: the authenticators answer 501 until the database lookups are
 * written (they need the persistence engineer's rf_db_exec).
 */
#include "restflow.h"

static rf_rc not_implemented(rf_ctx *ctx)
{
    /* Not implemented yet: replaced by the real lookups. */
    return rf_error(ctx, 501, "Authentication is not implemented yet.");
}

const rf_authenticator rf_token_authentication = {
    .name = "TokenAuthentication",
    .www_authenticate = "Token",
    .authenticate = { .name = "rf_token_authenticate", .form = RF_ASYNC,
                      .fn.ctx = not_implemented },
};

const rf_authenticator rf_basic_authentication = {
    .name = "BasicAuthentication",
    .www_authenticate = "Basic realm=\"api\"",
    .authenticate = { .name = "rf_basic_authenticate", .form = RF_ASYNC,
                      .fn.ctx = not_implemented },
};

rf_rc rf_auth_failed(rf_ctx *ctx, const char *detail)
{
    /* DRF's handle_exception: 401 with the first authenticator's
     * WWW-Authenticate, or 403 when it has none. */
    const rf_view *view = rf_ctx_view(ctx);
    const char *header = NULL;
    (void)view;
    rf_error(ctx, header ? 401 : 403, detail);
    return RF_ERROR;
}
