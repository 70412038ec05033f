/* Content negotiation, against what DRF 3.14's DefaultContentNegotiation
 * and JSONRenderer.get_indent answer for the same Accept headers. */
#include <check.h>
#include <stdio.h>

#include "testing.h"

static rf_test_env *env;
static void setup(void) { env = rf_test_env_new(NULL, 1); }
static void teardown(void) { rf_test_env_free(env); }

typedef struct outcome { rf_rc rc; int status; int indent; } outcome;

static outcome negotiate(const char *accept, const char *target)
{
    char header[256];
    snprintf(header, sizeof header, "Accept: %s", accept ? accept : "");
    const char *headers[] = { header, NULL };
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .target = target ? target : "/", .headers = accept ? headers : NULL });
    outcome o = { rf_negotiate(ctx), rf_test_status(ctx), ctx->indent };
    rf_test_ctx_free(ctx);
    return o;
}

static void accepted(const char *accept, int indent)
{
    outcome o = negotiate(accept, NULL);
    ck_assert_msg(o.rc == RF_OK, "Accept: %s refused", accept);
    ck_assert_msg(o.indent == indent, "Accept: %s gave indent %d", accept, o.indent);
}

START_TEST(json_is_chosen_as_drf_chooses)
{
    accepted(NULL, 0);
    accepted("*/*", 0);
    accepted("*/*;q=0.8", 0);
    accepted("application/*", 0);
    accepted("Application/JSON", 0);
    accepted("application/json;q=0", 0);       /* DRF ignores q-values */
    accepted("text/html, application/json", 0);
}
END_TEST

START_TEST(indent_from_the_accepted_media_type)
{
    accepted("application/json; indent=4", 4);
    accepted("application/json; indent=abc", 0);
    accepted("application/json; indent=-3", 0);
    accepted("application/json; indent=0", 0);
    accepted("application/json; indent=99", 8);
    accepted("application/json; indent=\"3\"", 3);
    accepted("application/json; INDENT= 2 ", 2);
    accepted("application/json; indent=1_0", 8);
    accepted("text/html, application/*;q=0.1;indent=2", 2);
    accepted("application/json; indent=4, application/json; indent=2", 4);
    accepted("*/*; indent=5, application/json", 0);   /* the more specific wins */
}
END_TEST

START_TEST(nothing_acceptable_is_406)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .headers = (const char *[]){ "Accept: text/html", NULL } });
    ck_assert_int_eq(rf_negotiate(ctx), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 406);
    ck_assert_str_eq(rf_test_body(ctx),
                     "{\"detail\":\"Could not satisfy the request Accept header.\"}");
    rf_test_ctx_free(ctx);
    ck_assert_int_eq(negotiate("", NULL).status, 406);
    ck_assert_int_eq(negotiate("application/xml, text/*", NULL).status, 406);
}
END_TEST

START_TEST(format_query_parameter)
{
    ck_assert_int_eq(negotiate(NULL, "/?format=json").rc, RF_OK);
    outcome o = negotiate(NULL, "/?format=xml");
    ck_assert_int_eq(o.rc, RF_ERROR);
    ck_assert_int_eq(o.status, 404);
    ck_assert_int_eq(negotiate(NULL, "/?format=").rc, RF_OK);
    ck_assert_int_eq(negotiate("text/html", "/?format=json").status, 406);
}
END_TEST

Suite *make_negotiation_suite(void)
{
    Suite *s = suite_create("negotiation");
    TCase *tc = tcase_create("accept");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_is_chosen_as_drf_chooses);
    tcase_add_test(tc, indent_from_the_accepted_media_type);
    tcase_add_test(tc, nothing_acceptable_is_406);
    tcase_add_test(tc, format_query_parameter);
    suite_add_tcase(s, tc);
    return s;
}
