/*
 * dispatch.c: the request life, in DRF's order (APIView.dispatch):
 *
 *   route (404; Django's APPEND_SLASH 301) -> negotiation (406)
 *   -> authentication chain -> permissions (401/403) -> throttles (429)
 *   -> handler (405 when the route maps no action to the method; OPTIONS
 *      metadata; the API root; a user hook; a generic pipeline)
 *   -> finalize
 *
 * Every step either finishes at once (RF_OK / RF_ERROR) or goes PENDING
 * and continues in its after_* continuation, on the loop thread.  An error
 * ends the request at the next boundary; so does an exhausted arena (503).
 */
#include <string.h>

#include "generic.h"
#include "internal.h"

static void step_authenticate(rf_ctx *ctx);
static void step_permissions(rf_ctx *ctx);
static void step_throttles(rf_ctx *ctx);
static void step_handler(rf_ctx *ctx);

/* True when the request must stop here: an error was set, or the arena
 * outgrew --max-request-memory. */
static bool stop(rf_ctx *ctx, rf_rc rc)
{
    if (rc == RF_ERROR || rf_arena_exhausted(ctx->arena)) {
        rf_finalize(ctx);
        return true;
    }
    return false;
}

/* Continue with next unless the step is pending (its continuation will). */
static void then(rf_ctx *ctx, rf_rc rc, void (*next)(rf_ctx *))
{
    if (rc != RF_PENDING && !stop(ctx, rc))
        next(ctx);
}

/* ---------------------------------------------------------------------
 * Authentication: the first authenticator that sets a user wins; one that
 * fails (rf_auth_failed, RF_ERROR) ends the chain and the request.
 */
static void after_authenticator(rf_ctx *ctx, rf_rc rc)
{
    if (stop(ctx, rc))
        return;
    if (ctx->has_user)
        step_permissions(ctx);
    else
        step_authenticate(ctx);
}

static void step_authenticate(rf_ctx *ctx)
{
    const rf_view *v = ctx->view;
    if (!v || ctx->auth_index >= v->nauthenticators) {
        step_permissions(ctx);
        return;
    }
    const rf_authenticator *a = v->authenticators[ctx->auth_index++];
    rf_rc rc = rf_run_hook_ctx(ctx, &a->authenticate, after_authenticator);
    if (rc != RF_PENDING)
        after_authenticator(ctx, rc);
}

/* ---------------------------------------------------------------------
 * Permissions and throttles: the policies area runs them.
 */
static void after_permissions(rf_ctx *ctx, rf_rc rc)
{
    if (!stop(ctx, rc))
        step_throttles(ctx);
}

static void step_permissions(rf_ctx *ctx)
{
    const rf_action *a = ctx->action;
    if (!a || a->npermissions == 0) {
        step_throttles(ctx);
        return;
    }
    rf_rc rc = rf_check_permissions(ctx, a->permissions, a->npermissions, NULL,
                                    after_permissions);
    if (rc != RF_PENDING)
        after_permissions(ctx, rc);
}

static void after_throttles(rf_ctx *ctx, rf_rc rc)
{
    if (!stop(ctx, rc))
        step_handler(ctx);
}

static void step_throttles(rf_ctx *ctx)
{
    const rf_action *a = ctx->action;
    if (!a || a->nthrottles == 0) {
        step_handler(ctx);
        return;
    }
    rf_rc rc = rf_check_throttles(ctx, a->throttles, a->nthrottles,
                                  ctx->view ? ctx->view->throttle_scope : NULL,
                                  after_throttles);
    if (rc != RF_PENDING)
        after_throttles(ctx, rc);
}

/* ---------------------------------------------------------------------
 * The handler.
 */
static void after_handler(rf_ctx *ctx, rf_rc rc)
{
    (void)rc;   /* an error or a response is on the context either way */
    rf_finalize(ctx);
}

static rf_rc method_not_allowed(rf_ctx *ctx)
{
    return rf_error(ctx, 405, rf_sprintf(ctx->arena, "Method \"%s\" not allowed.",
                                         rf_ctx_method_name(ctx)));
}

static rf_rc run_handler(rf_ctx *ctx)
{
    const rf_action *handler = rf_route_action(ctx->route, ctx->method);
    if (ctx->route->kind == RF_ROUTE_API_ROOT && (ctx->method == RF_GET || ctx->method == RF_HEAD))
        return rf_api_root(ctx);
    if (!handler && ctx->method == RF_OPTIONS)
        return rf_options_metadata(ctx, after_handler);
    if (!handler)
        return method_not_allowed(ctx);
    if (handler->kind == RF_ACT_HANDLER)
        return rf_run_hook_ctx(ctx, &handler->handler, after_handler);
    return rf_call_async(ctx, rf_generic_action, after_handler);
}

static void step_handler(rf_ctx *ctx)
{
    rf_rc rc = run_handler(ctx);
    if (rc != RF_PENDING)
        after_handler(ctx, rc);
}

/* ---------------------------------------------------------------------
 * Routing.
 */
const rf_action *rf_route_action(const rf_route *r, rf_method m)
{
    if (m >= RF_METHOD_COUNT)
        return NULL;   /* TRACE, CONNECT */
    if (r->by_method[m])
        return r->by_method[m];
    return m == RF_HEAD ? r->by_method[RF_GET] : NULL;
}

/* DRF's config when self.action is None (OPTIONS, unmapped methods). */
static const rf_action *default_action(const rf_route *r)
{
    if (r->view && r->view->default_action)
        return r->view->default_action;
    for (int m = 0; m < RF_METHOD_COUNT; m++)
        if (r->by_method[m])
            return r->by_method[m];
    return NULL;
}

/* Django's CommonMiddleware (APPEND_SLASH): a path without its trailing
 * slash that matches with one is redirected there, 301, empty body. */
static bool redirect_with_slash(rf_ctx *ctx)
{
    size_t n = strlen(ctx->path);
    if (n == 0 || ctx->path[n - 1] == '/')
        return false;
    const rf_route *r;
    char *slashed = rf_sprintf(ctx->arena, "%s/", ctx->path);
    if (!rf_router_match(ctx->worker->router, ctx, slashed, &r))
        return false;
    ctx->nkwargs = 0;
    /* Django escapes a leading "//" here (escape_leading_slashes) lest the
     * Location be a network path; no route matches such a path (an empty
     * segment matches neither literal text nor a capture), so none gets
     * this far. */
    const char *location = rf_sprintf(ctx->arena, "%s/", ctx->raw_path);
    if (ctx->raw_query)
        location = rf_sprintf(ctx->arena, "%s?%s", location, ctx->raw_query);
    rf_ctx_add_header(ctx, "Location", location);
    ctx->content_type = "text/html; charset=utf-8";
    ctx->redirect = true;
    rf_respond_text(ctx, 301, "", 0);
    return true;
}

static bool route(rf_ctx *ctx)
{
    const rf_router *router = ctx->worker->router;
    if (router && rf_router_match(router, ctx, ctx->path, &ctx->route)) {
        ctx->view = ctx->route->view;
        ctx->action = rf_route_action(ctx->route, ctx->method);
        if (!ctx->action)
            ctx->action = default_action(ctx->route);
        return true;
    }
    if (!router || !redirect_with_slash(ctx))
        rf_error(ctx, 404, "Not found.");
    return false;
}

void rf_dispatch(rf_ctx *ctx)
{
    if (!route(ctx)) {
        rf_finalize(ctx);
        return;
    }
    then(ctx, rf_negotiate(ctx), step_authenticate);
}
