/*
 * permission.c: the built-in permission classes, DRF 3.14's & | ~
 * operators, and the denial rule (401 or 403).
 *
 * An expression is evaluated exactly as Python evaluates DRF's AND, OR and
 * NOT classes, short-circuits included, so a custom hook runs exactly when
 * DRF would call it:
 *   a & b   has_permission: a and b;  has_object_permission: a and b
 *   a | b   has_permission: a or b;
 *           has_object_permission: (a.hp and a.hop) or (b.hp and b.hop)
 *   ~a      not a, for both (so ~IsAuthenticated denies every object: the
 *           object check of IsAuthenticated is BasePermission's True)
 * A leaf without a hook answers True (BasePermission).  Hooks may be sync,
 * blocking or async (the core's hook runner), so evaluation is a small
 * machine over frames that can stop at any leaf and resume.
 *
 * A hook grants with RF_OK and denies with RF_ERROR.  A hook that also set
 * an error response (rf_error: DRF's exception raised inside the check,
 * such as a 404) ends the request with that response.
 *
 * On denial, the message is the failing list entry's own message when it is
 * a single permission class, else DRF's default: composed expressions have
 * no `message` in DRF 3.14.  Then DRF's permission_denied: when the view
 * has authenticators and none authenticated the request, 401 "Authentication
 * credentials were not provided." with the first authenticator's
 * WWW-Authenticate (403 when it has none); otherwise 403 with the message.
 */
#include <string.h>

#include "internal.h"
#include "policy_internal.h"

#define DEFAULT_DENIED "You do not have permission to perform this action."
#define NOT_AUTHENTICATED "Authentication credentials were not provided."
#define RUN_VAR "restflow.permissions"

/* ---------------------------------------------------------------------
 * The built-in classes (has_object_permission: BasePermission's True).
 */

static bool safe_method(rf_method m)
{
    return m == RF_GET || m == RF_HEAD || m == RF_OPTIONS;
}

static rf_rc allow_any(rf_ctx *ctx)
{
    (void)ctx;
    return RF_OK;
}

static rf_rc is_authenticated(rf_ctx *ctx)
{
    return rf_ctx_user(ctx) ? RF_OK : RF_ERROR;
}

static rf_rc is_admin_user(rf_ctx *ctx)
{
    const rf_user *u = rf_ctx_user(ctx);
    return u && u->is_staff ? RF_OK : RF_ERROR;
}

static rf_rc is_authenticated_or_read_only(rf_ctx *ctx)
{
    return safe_method(rf_ctx_method(ctx)) || rf_ctx_user(ctx) ? RF_OK : RF_ERROR;
}

#define BUILTIN(var, cls, check)                                               \
    const rf_permission var = {                                                \
        .name = cls, .has_permission_set = true,                               \
        .has_permission = { .name = #check, .form = RF_SYNC, .fn.ctx = check }, \
    }

BUILTIN(rf_allow_any, "AllowAny", allow_any);
BUILTIN(rf_is_authenticated, "IsAuthenticated", is_authenticated);
BUILTIN(rf_is_admin_user, "IsAdminUser", is_admin_user);
BUILTIN(rf_is_authenticated_or_read_only, "IsAuthenticatedOrReadOnly",
        is_authenticated_or_read_only);

/* ---------------------------------------------------------------------
 * Denial.
 */

rf_rc rf_not_authenticated(rf_ctx *ctx, const char *detail)
{
    const rf_view *view = rf_ctx_view(ctx);
    const char *header = view && view->nauthenticators
                             ? view->authenticators[0]->www_authenticate : NULL;
    rf_error(ctx, header ? 401 : 403, detail);
    if (header)
        rf_ctx_add_header(ctx, "WWW-Authenticate", header);
    return RF_ERROR;
}

static rf_rc permission_denied(rf_ctx *ctx, const rf_perm_expr *failed)
{
    const rf_view *view = rf_ctx_view(ctx);
    if (view && view->nauthenticators && !rf_ctx_user(ctx))
        return rf_not_authenticated(ctx, NOT_AUTHENTICATED);
    const char *message = failed->op == RF_P_LEAF && failed->leaf->message
                              ? failed->leaf->message : DEFAULT_DENIED;
    return rf_error(ctx, 403, message);
}

/* ---------------------------------------------------------------------
 * Evaluation.
 */
typedef struct frame {
    struct frame *up;
    const rf_perm_expr *e;
    bool object;          /* has_object_permission, else has_permission */
    int step;
    bool answer;          /* the last child's (or the leaf's) answer */
} frame;

typedef struct perm_run {
    rf_ctx *ctx;
    const rf_perm_expr *const *perms;
    int n, index;          /* the list entry being evaluated */
    void *obj;
    void (*k)(rf_ctx *, rf_rc);
    frame *top;
    bool answered, answer; /* the entry's verdict, once its root finished */
} perm_run;

static void push(perm_run *run, const rf_perm_expr *e, bool object)
{
    frame *f = rf_calloc(run->ctx->arena, sizeof *f);
    f->up = run->top;
    f->e = e;
    f->object = object;
    run->top = f;
}

/* Pop the top frame, handing its answer to its parent (or the verdict). */
static void finish(perm_run *run, bool answer)
{
    run->top = run->top->up;
    if (run->top) {
        run->top->answer = answer;
        run->top->step++;
    } else {
        run->answered = true;
        run->answer = answer;
    }
}

static void on_leaf_done(rf_ctx *ctx, rf_rc rc);

/* A hook's RF_ERROR is a denial, unless it set an error response too. */
static bool raised(const perm_run *run, rf_rc rc)
{
    return rc == RF_ERROR && run->ctx->status != 0;
}

/* Call the leaf's hook: RF_OK with the answer given to finish(), RF_ERROR
 * when the hook raised, RF_PENDING when on_leaf_done follows. */
static rf_rc call_leaf(perm_run *run, const rf_permission *p, bool object)
{
    bool set = object ? p->has_object_permission_set : p->has_permission_set;
    if (!set) {
        finish(run, true);
        return RF_OK;
    }
    rf_rc rc = object ? rf_run_hook_obj(run->ctx, &p->has_object_permission, run->obj,
                                        on_leaf_done)
                      : rf_run_hook_ctx(run->ctx, &p->has_permission, on_leaf_done);
    if (rc == RF_PENDING || raised(run, rc))
        return rc;
    finish(run, rc == RF_OK);
    return RF_OK;
}

/* OR's object check, (a.hp and a.hop) or (b.hp and b.hop); the frame's
 * step counts the children that answered. */
static void step_or_object(perm_run *run, frame *f)
{
    const rf_perm_expr *e = f->e;
    switch (f->step) {
    case 0:
        push(run, e->a, false);
        break;
    case 1:                                /* a.hp answered */
        if (f->answer) {
            push(run, e->a, true);
        } else {
            f->step = 2;                   /* skip a.hop */
            push(run, e->b, false);
        }
        break;
    case 2:                                /* a.hop answered */
        if (f->answer)
            finish(run, true);
        else
            push(run, e->b, false);
        break;
    case 3:                                /* b.hp answered */
        if (f->answer)
            push(run, e->b, true);
        else
            finish(run, false);
        break;
    default:                               /* b.hop answered */
        finish(run, f->answer);
        break;
    }
}

/* Advance the top frame by one step. */
static rf_rc step(perm_run *run)
{
    frame *f = run->top;
    const rf_perm_expr *e = f->e;
    switch (e->op) {
    case RF_P_LEAF:
        return call_leaf(run, e->leaf, f->object);
    case RF_P_NOT:
        if (f->step == 0)
            push(run, e->a, f->object);
        else
            finish(run, !f->answer);
        break;
    case RF_P_AND:
        if (f->step == 0)
            push(run, e->a, f->object);
        else if (f->step == 1 && f->answer)
            push(run, e->b, f->object);
        else
            finish(run, f->answer);
        break;
    case RF_P_OR:
        if (f->object) {
            step_or_object(run, f);
        } else if (f->step == 0) {
            push(run, e->a, false);
        } else if (f->step == 1 && !f->answer) {
            push(run, e->b, false);
        } else {
            finish(run, f->answer);
        }
        break;
    }
    return RF_OK;
}

/* Run until every entry granted (RF_OK), one denied or a hook raised
 * (RF_ERROR), or a hook went async (RF_PENDING). */
static rf_rc run_checks(perm_run *run)
{
    for (;;) {
        if (run->answered) {
            run->answered = false;
            if (!run->answer)
                return permission_denied(run->ctx, run->perms[run->index]);
            run->index++;
        }
        if (!run->top) {
            if (run->index >= run->n)
                return RF_OK;
            push(run, run->perms[run->index], run->obj != NULL);
        }
        rf_rc rc = step(run);
        if (rc != RF_OK)
            return rc;
    }
}

static void on_leaf_done(rf_ctx *ctx, rf_rc rc)
{
    perm_run *run = (perm_run *)rf_ctx_var(ctx, RUN_VAR);
    if (!raised(run, rc)) {
        finish(run, rc == RF_OK);
        rc = run_checks(run);
        if (rc == RF_PENDING)
            return;
    }
    run->k(ctx, rc);
}

rf_rc rf_check_permissions(rf_ctx *ctx, const rf_perm_expr *const *perms,
                           int n, void *obj, void (*k)(rf_ctx *, rf_rc))
{
    perm_run *run = rf_calloc(ctx->arena, sizeof *run);
    run->ctx = ctx;
    run->perms = perms;
    run->n = n;
    run->obj = obj;
    run->k = k;
    rf_ctx_set_var(ctx, RUN_VAR, run);
    return run_checks(run);
}
