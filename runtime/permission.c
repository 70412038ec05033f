/*
 * permission.c: the built-in permission classes and the & | ~ algebra.
 *
 * TEMPORARY: rf_check_permissions answers 501 until the algebra lands.
 */
#include "restflow.h"

const rf_permission rf_allow_any = { .name = "AllowAny" };
const rf_permission rf_is_authenticated = { .name = "IsAuthenticated" };
const rf_permission rf_is_admin_user = { .name = "IsAdminUser" };
const rf_permission rf_is_authenticated_or_read_only = { .name = "IsAuthenticatedOrReadOnly" };

rf_rc rf_check_permissions(rf_ctx *ctx, const rf_perm_expr *const *perms,
                           int n, void *obj, void (*k)(rf_ctx *, rf_rc))
{
    (void)perms; (void)n; (void)obj; (void)k;
    /* Not implemented yet. */
    return rf_error(ctx, 501, "Permissions are not implemented yet.");
}
