/*
 * catalogue_hooks.c: the C hooks of catalogue.rflow.  The DRF twin
 * (drf/catalogue_app/views.py) does the same in Python:
 *
 *   catalogue_validate_due  CheckoutRequest.validate_due: a date before
 *                           2020-01-01 fails ("Due dates start in 2020.")
 *   catalogue_my_loans      Checkout.get (async): the user's loans not yet
 *                           returned, paginated by Shelf (newest first)
 *   catalogue_checkout      Checkout.post (async): validates a
 *                           CheckoutRequest; a book on loan (not returned)
 *                           fails with {"book": ["This book is already on
 *                           loan."]}; otherwise a Loan of the book to the
 *                           user, due when asked, 201 rendered by
 *                           LoanSerializer
 *   catalogue_return        ReturnLoan.post (blocking): the user's loan
 *                           <pk> (404 otherwise); returned already: 400
 *                           {"detail": "This loan is already returned."};
 *                           else returned = true, saved, 200
 */
#include <stdlib.h>

#include "catalogue_hooks.h"

#define LOAN_FIELD(i) (&catalogue_Loan_resource.fields[i])

rf_rc catalogue_validate_due(rf_ctx *ctx, void *obj)
{
    const catalogue_CheckoutRequest *req = obj;
    int32_t first_day;
    rf_parse_date("2020-01-01", &first_day);
    if (req->due < first_day)
        return rf_raise(ctx, "due", "Due dates start in 2020.");
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * Checkout (AsyncAPIView): the async helpers, chained with rf_then.
 */
rf_rc catalogue_my_loans(rf_ctx *ctx)
{
    rf_query *q = rf_query_new(ctx, &catalogue_Loan_resource);
    rf_query_where_eq(q, LOAN_FIELD(CATALOGUE_LOAN_BORROWER), RF_VINT(rf_ctx_user(ctx)->id));
    rf_query_where_eq(q, LOAN_FIELD(CATALOGUE_LOAN_RETURNED), RF_VBOOL(false));
    return rf_then(ctx, rf_apaginated_response(ctx, q, NULL, 0, rf_resume), rf_resume);
}

typedef struct checkout {
    void *request;      /* the validated CheckoutRequest */
    void *loan;         /* the saved Loan */
} checkout;

static checkout *checkout_state(rf_ctx *ctx)
{
    return (checkout *)rf_ctx_var(ctx, "catalogue.checkout");
}

static void loan_saved(rf_ctx *ctx, rf_rc rc)
{
    if (rc != RF_OK) {
        rf_resume(ctx, rc);
        return;
    }
    rf_then(ctx, rf_aserialized_response(ctx, checkout_state(ctx)->loan, 201, rf_resume), rf_resume);
}

static void save_loan(rf_ctx *ctx)
{
    const catalogue_CheckoutRequest *req = checkout_state(ctx)->request;
    rf_arena *a = rf_ctx_arena(ctx);
    void *loan = rf_record_new(a, &catalogue_Loan_resource);
    rf_record_set(a, loan, LOAN_FIELD(CATALOGUE_LOAN_BOOK), RF_VINT(req->book));
    rf_record_set(a, loan, LOAN_FIELD(CATALOGUE_LOAN_BORROWER), RF_VINT(rf_ctx_user(ctx)->id));
    rf_record_set(a, loan, LOAN_FIELD(CATALOGUE_LOAN_DUE),
                  (rf_value){ .type = RF_V_DATE, .u.i = req->due });
    rf_then(ctx, rf_asave(ctx, loan, &checkout_state(ctx)->loan, loan_saved), loan_saved);
}

static const char on_loan_sql[] =
    "SELECT 1 FROM \"catalogue_loan\" WHERE \"book_id\" = ? AND NOT \"returned\"";
static const rf_stmt on_loan = { NULL, { on_loan_sql, on_loan_sql } };

static void loans_checked(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)arg;
    if (rf_result_error(res) != RF_DB_OK) {
        rf_resume(ctx, rf_db_fail(ctx, rf_result_error(res)));
        return;
    }
    if (rf_result_nrows(res) > 0) {
        rf_verrs *errs = rf_verrs_new(rf_ctx_arena(ctx));
        rf_verrs_add(errs, "book", "This book is already on loan.");
        rf_resume(ctx, rf_validation_failed(ctx, errs));
        return;
    }
    save_loan(ctx);
}

static void checkout_validated(rf_ctx *ctx, rf_rc rc)
{
    if (rc != RF_OK) {
        rf_resume(ctx, rc);
        return;
    }
    const catalogue_CheckoutRequest *req = checkout_state(ctx)->request;
    rf_value book = RF_VINT(req->book);
    rf_rc started = rf_db_exec(ctx, rf_ctx_db(ctx, 0), &on_loan, &book, 1, loans_checked, NULL);
    if (started != RF_PENDING)
        rf_resume(ctx, started);
}

rf_rc catalogue_checkout(rf_ctx *ctx)
{
    checkout *st = rf_calloc(rf_ctx_arena(ctx), sizeof *st);
    rf_ctx_set_var(ctx, "catalogue.checkout", st);
    return rf_then(ctx, rf_avalidated_serializer(ctx, false, &st->request, checkout_validated),
                   checkout_validated);
}

/* ---------------------------------------------------------------------
 * ReturnLoan (APIView, blocking): the sync helpers and a sync query.
 */
static rf_rc find_loan(rf_ctx *ctx, catalogue_Loan **loan)
{
    const rf_resource *res = &catalogue_Loan_resource;
    char *sql = rf_sprintf(rf_ctx_arena(ctx),
                           "SELECT %s FROM \"%s\" t WHERE t.\"id\" = ? AND t.\"borrower_id\" = ?",
                           res->select_columns, res->table);
    rf_stmt stmt = { NULL, { sql, sql } };
    rf_value params[] = { RF_VINT(strtoll(rf_ctx_kwarg(ctx, "pk"), NULL, 10)),
                          RF_VINT(rf_ctx_user(ctx)->id) };
    rf_result *found;
    if (rf_db_exec_sync(ctx, rf_ctx_db(ctx, 0), &stmt, params, 2, &found) != RF_OK)
        return RF_ERROR;
    if (rf_result_error(found) != RF_DB_OK)
        return rf_db_fail(ctx, rf_result_error(found));
    if (rf_result_nrows(found) == 0)
        return rf_error(ctx, 404, "Not found.");
    *loan = rf_record_new(rf_ctx_arena(ctx), res);
    rf_result_load(found, 0, 0, rf_ctx_arena(ctx), res, *loan, NULL, 0);
    return RF_OK;
}

rf_rc catalogue_return(rf_ctx *ctx)
{
    catalogue_Loan *loan = NULL;
    void *saved;
    if (find_loan(ctx, &loan) != RF_OK)
        return RF_ERROR;
    if (loan->returned)
        return rf_error(ctx, 400, "This loan is already returned.");
    loan->returned = true;
    if (rf_save(ctx, loan, &saved) != RF_OK)
        return RF_ERROR;
    return rf_serialized_response(ctx, saved, 200);
}
