/*
 * test_browsable.c: the browsable API's renderer (runtime/browsable.c):
 * when negotiation picks it, and what its page holds: the exchange with
 * escaped values and linked URLs, the page's JSON for the script, forms
 * from the serializers, DELETE's 204 shown as a 200 page.  The page in a
 * real browser is tests/ecosystem/test_browsable.py's.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "testing.h"

static rf_test_env *env;
static void setup(void) { env = rf_test_env_new(NULL, 1); }
static void teardown(void) { rf_test_env_free(env); }

static const rf_sfield fields[] = {
    { .name = "id", .label = "ID", .type = RF_F_INTEGER, .flags = RF_SF_READ_ONLY,
      .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 } },
    { .name = "name", .label = "Name", .type = RF_F_CHAR, .flags = RF_SF_REQUIRED,
      .limits = { .max_length = 20, .min_length = -1, .max_digits = -1, .decimal_places = -1 } },
    { .name = "is_top", .label = "Is top", .type = RF_F_BOOLEAN,
      .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 } },
};
static const rf_serializer thing = { .name = "Thing", .fields = fields, .nfields = 3 };

static const rf_action both = { .name = "list", .kind = RF_ACT_LIST,
                                .renderers = RF_RENDER_JSON | RF_RENDER_BROWSABLE };
static const rf_action create = { .name = "create", .kind = RF_ACT_CREATE,
                                  .request_serializer = &thing, .response_serializer = &thing,
                                  .renderers = RF_RENDER_JSON | RF_RENDER_BROWSABLE };
static const rf_action json_only = { .name = "list", .kind = RF_ACT_LIST,
                                     .renderers = RF_RENDER_JSON };
static const rf_view things = { .name = "Things", .description = "All the things.",
                                .kind = RF_VIEW_VIEWSET };
static const rf_route list_route = {
    .pattern = "things/", .view = &things, .by_method = { [RF_GET] = &both, [RF_POST] = &create },
    .name_suffix = "List",
};

static rf_ctx *request(const rf_action *a, const char *accept, rf_method m)
{
    const char *headers[] = { accept, NULL };
    return rf_test_ctx(env, &(rf_test_request){ .method = m, .target = "/things/",
                                                .headers = headers, .view = &things,
                                                .action = a, .route = &list_route });
}

/* A page for a JSON body, as finalize makes it. */
static rf_ctx *page(const char *json, int status)
{
    rf_ctx *ctx = request(&both, "Accept: text/html", RF_GET);
    ck_assert_int_eq(rf_negotiate(ctx), RF_OK);
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_puts(b, json);
    rf_respond_json(ctx, status, b);
    rf_test_finalize(ctx);
    return ctx;
}

static void assert_has(const char *body, const char *part)
{
    ck_assert_msg(strstr(body, part) != NULL, "missing %s", part);
}

START_TEST(html_is_chosen_only_where_the_view_has_the_renderer)
{
    rf_ctx *ctx = request(&both, "Accept: text/html,application/xhtml+xml,*/*;q=0.8", RF_GET);
    ck_assert_int_eq(rf_negotiate(ctx), RF_OK);
    ck_assert_ptr_eq(ctx->renderer, &rf_browsable_renderer);
    rf_test_ctx_free(ctx);
    ctx = request(&both, "Accept: */*", RF_GET);
    ck_assert_int_eq(rf_negotiate(ctx), RF_OK);
    ck_assert_ptr_eq(ctx->renderer, &rf_json_renderer);
    rf_test_ctx_free(ctx);
    ctx = request(&json_only, "Accept: text/html", RF_GET);
    ck_assert_int_eq(rf_negotiate(ctx), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 406);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(the_exchange_is_escaped_and_links_urls)
{
    rf_ctx *ctx = page("{\"name\":\"<b>&\",\"url\":\"http://h/x/?a=1&b=2\","
                       "\"js\":\"javascript:alert(1)\"}", 200);
    const char *body = rf_test_body(ctx);
    ck_assert_int_eq(rf_test_status(ctx), 200);
    ck_assert_str_eq(rf_test_header(ctx, "Content-Type"), "text/html; charset=utf-8");
    assert_has(body, "<title>Things List &ndash; ");
    assert_has(body, "<h1>Things List</h1><p class=\"description\">All the things.</p>");
    /* Allow as the response sends it (the test router does not hold the route) */
    char head[256];
    snprintf(head, sizeof head, "<b>HTTP 200 OK</b>\n<b>Allow:</b> %s\n"
             "<b>Content-Type:</b> application/json\n<b>Vary:</b> Accept\n",
             rf_test_header(ctx, "Allow"));
    assert_has(body, head);
    assert_has(body, "    \"name\": \"&lt;b&gt;&amp;\",\n");
    assert_has(body, "    \"url\": \"<a href=\"http://h/x/?a=1&amp;b=2\" rel=\"nofollow\">"
                     "http://h/x/?a=1&amp;b=2</a>\",\n");
    assert_has(body, "    \"js\": \"javascript:alert(1)\"\n");
    assert_has(body, "<script type=\"application/json\" id=\"rf-data\">{\"name\":\"\\u003cb>&\"");
    ck_assert_ptr_null(strstr(body, "<b>&"));
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(the_create_form_comes_from_the_request_serializer)
{
    rf_ctx *ctx = page("{\"count\":0,\"next\":\"http://h/things/?page=2\",\"previous\":null,"
                       "\"results\":[]}", 200);
    const char *body = rf_test_body(ctx);
    assert_has(body, "<form id=\"rf-form\" method=\"post\" data-method=\"POST\">");
    assert_has(body, "<input type=\"text\" name=\"name\" id=\"rf-f-name\" data-type=\"string\" "
                     "required maxlength=\"20\">");
    assert_has(body, "<input type=\"checkbox\" name=\"is_top\" id=\"rf-f-is_top\" "
                     "data-type=\"boolean\">");
    ck_assert_ptr_null(strstr(body, "name=\"id\""));      /* read-only */
    assert_has(body, "<nav class=\"pager\"><span>&laquo; Previous</span>"
                     "<a rel=\"next\" href=\"http://h/things/?page=2\">Next &raquo;</a></nav>");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(errors_of_access_show_no_forms)
{
    rf_ctx *ctx = page("{\"detail\":\"Not found.\"}", 404);
    ck_assert_int_eq(rf_test_status(ctx), 404);
    ck_assert_ptr_null(strstr(rf_test_body(ctx), "id=\"rf-form\""));
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(a_204_is_a_200_page)
{
    rf_ctx *ctx = request(&both, "Accept: text/html", RF_DELETE);
    ck_assert_int_eq(rf_negotiate(ctx), RF_OK);
    rf_respond_empty(ctx, 204);
    rf_test_finalize(ctx);
    ck_assert_int_eq(rf_test_status(ctx), 200);
    assert_has(rf_test_body(ctx), "<b>HTTP 204 No Content</b>\n");
    ck_assert_str_eq(rf_test_header(ctx, "Content-Type"), "text/html; charset=utf-8");
    rf_test_ctx_free(ctx);
}
END_TEST

Suite *make_browsable_suite(void)
{
    Suite *s = suite_create("browsable");
    TCase *tc = tcase_create("page");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, html_is_chosen_only_where_the_view_has_the_renderer);
    tcase_add_test(tc, the_exchange_is_escaped_and_links_urls);
    tcase_add_test(tc, the_create_form_comes_from_the_request_serializer);
    tcase_add_test(tc, errors_of_access_show_no_forms);
    tcase_add_test(tc, a_204_is_a_200_page);
    suite_add_tcase(s, tc);
    return s;
}
