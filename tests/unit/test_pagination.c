/*
 * test_pagination.c: PageNumberPagination, LimitOffsetPagination and the
 * link helpers, against what DRF 3.14 answered for the same paginator
 * settings, row counts and query strings (tests/vectors/policy.json).
 *
 * The planning functions run without a database: the "query" is a list of
 * the integers 0..count-1, sliced by the window the page asks for, and each
 * row renders as its integer, as the generator's DRF paginator saw them.
 */
#include <stdlib.h>

#include "policy_test.h"
#include "testing.h"

#define BASE_URL "http://testserver/api/items/"

static void render_int(rf_buf *b, const rf_row *row)
{
    rf_json_i64(b, *(const int64_t *)row->rec);
}

/* Rows n..n+limit-1 of the list 0..count-1. */
static rf_rowset slice(rf_arena *a, int64_t count, int64_t limit, int64_t offset)
{
    rf_rowset rows = { .rows = rf_calloc(a, sizeof(rf_row) * (size_t)(limit > 0 ? limit : 1)) };
    for (int64_t i = offset; i < count && i < offset + limit; i++) {
        int64_t *v = rf_alloc(a, sizeof *v);
        *v = i;
        rows.rows[rows.n++].rec = v;
    }
    return rows;
}

static const char *opt_str(const json_t *cfg, const char *key)
{
    return json_string_value(json_object_get(cfg, key));
}

static rf_paginator paginator_from(rf_arena *a, rf_pager_kind kind, const json_t *cfg)
{
    rf_paginator p = { .name = "P", .kind = kind };
    p.page_size = (int32_t)vint(cfg, "page_size");
    p.page_query_param = opt_str(cfg, "page_query_param");
    p.page_size_query_param = opt_str(cfg, "page_size_query_param");
    p.max_page_size = (int32_t)vint(cfg, "max_page_size");
    p.default_limit = (int32_t)vint(cfg, "default_limit");
    p.max_limit = (int32_t)vint(cfg, "max_limit");
    p.limit_query_param = opt_str(cfg, "limit_query_param");
    p.offset_query_param = opt_str(cfg, "offset_query_param");
    const json_t *last = json_object_get(cfg, "last_page_strings");
    if (last) {
        const char **strings = rf_calloc(a, sizeof *strings * (json_array_size(last) + 1));
        for (size_t i = 0; i < json_array_size(last); i++)
            strings[i] = json_string_value(json_array_get(last, i));
        p.last_page_strings = strings;
    }
    return p;
}

/* Plan, count, slice and render one request; compare with DRF's answer. */
static void check_case(rf_pager_kind kind, const json_t *v)
{
    rf_arena *a = rf_arena_new(0);
    rf_paginator p = paginator_from(a, kind, json_object_get(v, "config"));
    const char *query = vstr(v, "query");
    rf_page pg = { .p = &p, .arena = a, .base_url = BASE_URL,
                   .qs = rf_qs_parse(a, query, strlen(query)) };
    int64_t count = vint(v, "count");
    int status = (int)vint(v, "status");
    bool paginated, needs_count;
    const char *err = rf_page_prepare(&pg, &paginated, &needs_count);
    if (!err && paginated && needs_count)
        err = rf_page_take_count(&pg, count);
    if (status == 404) {
        ck_assert_msg(err != NULL, "%s count %lld: expected 404", query, (long long)count);
        ck_assert_str_eq(err, vstr(v, "detail"));
        rf_arena_free(a);
        return;
    }
    ck_assert_msg(err == NULL, "%s count %lld: unexpected %s", query, (long long)count, err);
    ck_assert_msg(paginated == vbool(v, "paginated"), "%s: paginated", query);
    if (paginated) {
        int64_t limit, offset;
        rf_page_window(&pg, &limit, &offset);
        rf_rowset rows = slice(a, count, limit, offset);
        rf_buf b;
        rf_buf_init(&b, a, 64);
        rf_page_write(&pg, &b, &rows, render_int);
        const char *want = vjson(a, json_object_get(v, "body"));
        ck_assert_msg(strcmp(buf_text(&b), want) == 0, "%s count %lld:\n got  %s\n want %s",
                      query, (long long)count, buf_text(&b), want);
    }
    rf_arena_free(a);
}

START_TEST(page_number_matches_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("page_number"), i, v)
        check_case(RF_PAGE_NUMBER, v);
}
END_TEST

START_TEST(limit_offset_matches_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("limit_offset"), i, v)
        check_case(RF_LIMIT_OFFSET, v);
}
END_TEST

START_TEST(query_strings_parse_as_parse_qsl)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("query_strings"), i, v) {
        rf_arena *a = rf_arena_new(0);
        const char *query = vstr(v, "query");
        rf_qs qs = rf_qs_parse(a, query, strlen(query));
        json_t *pairs = json_object_get(v, "pairs");
        ck_assert_msg(qs.n == (int)json_array_size(pairs), "%s: %d pairs", query, qs.n);
        for (int k = 0; k < qs.n; k++) {
            json_t *pair = json_array_get(pairs, (size_t)k);
            json_t *name = json_array_get(pair, 0), *value = json_array_get(pair, 1);
            ck_assert(qs.params[k].name.n == json_string_length(name) &&
                      memcmp(qs.params[k].name.s, json_string_value(name), qs.params[k].name.n) == 0);
            ck_assert_msg(qs.params[k].value.n == json_string_length(value) &&
                          memcmp(qs.params[k].value.s, json_string_value(value),
                                 qs.params[k].value.n) == 0, "%s: value %d", query, k);
        }
        const char *key;
        json_t *last;
        json_object_foreach(json_object_get(v, "last"), key, last) {
            const rf_str *got = rf_qs_get(&qs, key);
            ck_assert(got && got->n == json_string_length(last) &&
                      memcmp(got->s, json_string_value(last), got->n) == 0);
        }
        rf_arena_free(a);
    }
}
END_TEST

/* build_absolute_uri() then replace_query_param / remove_query_param. */
START_TEST(links_match_drf_url_helpers)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("links"), i, v) {
        rf_arena *a = rf_arena_new(0);
        rf_buf base;
        rf_buf_init(&base, a, 64);
        rf_buf_lit(&base, "http://testserver");
        rf_escape_uri_path(&base, vstr(v, "path"));
        const char *query = vstr(v, "query");
        rf_qs qs = rf_qs_parse(a, query, strlen(query));
        rf_qs edited = rf_qs_with(a, &qs, vstr(v, "key"), vstr(v, "value"));
        char *url = rf_url_build(a, buf_text(&base), &edited);
        ck_assert_msg(strcmp(url, vstr(v, "out")) == 0, "%s ? %s:\n got  %s\n want %s",
                      vstr(v, "path"), query, url, vstr(v, "out"));
        rf_arena_free(a);
    }
}
END_TEST

/* ---------------------------------------------------------------------
 * Through a request context: the Host header, the path, rf_query.
 */
static const rf_field item_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = 8 },
};
static const rf_resource item = {
    .name = "Item", .table = "items", .fields = item_fields, .nfields = 1,
    .rec_size = 16, .select_columns = "t.\"id\"",
};

static rf_ctx *request(rf_test_env *env, const char *target, const char *host)
{
    const char *headers[] = { host, NULL };
    return rf_test_ctx(env, &(rf_test_request){ .method = RF_GET, .target = target,
                                                 .headers = host ? headers : NULL });
}

START_TEST(plan_sets_limit_offset_and_links_use_the_host)
{
    rf_test_env *env = rf_test_env_new(NULL, 1);
    rf_paginator p = { .name = "Pages", .kind = RF_PAGE_NUMBER, .page_size = 10 };
    rf_ctx *ctx = request(env, "/api/caf%C3%A9/?page=3&b=%20x", "Host: api.example.org:8080");
    rf_query *q = rf_query_new(ctx, &item);
    rf_page *page;
    bool needs_count;
    ck_assert_int_eq(rf_page_plan(ctx, &p, q, &page, &needs_count), RF_OK);
    ck_assert(page && needs_count);
    ck_assert_int_eq(rf_page_set_count(ctx, page, q, 45), RF_OK);
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, false),
                     "SELECT t.\"id\" FROM \"items\" t LIMIT ? OFFSET ?");
    rf_buf b;
    rf_buf_init(&b, rf_ctx_arena(ctx), 64);
    rf_rowset none = { .rows = NULL };
    rf_page_render(ctx, page, &b, &none, render_int);
    ck_assert_str_eq(buf_text(&b),
                     "{\"count\":45,"
                     "\"next\":\"http://api.example.org:8080/api/caf%C3%A9/?b=+x&page=4\","
                     "\"previous\":\"http://api.example.org:8080/api/caf%C3%A9/?b=+x&page=2\","
                     "\"results\":[]}");
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

START_TEST(invalid_page_is_a_404_before_any_count)
{
    rf_test_env *env = rf_test_env_new(NULL, 1);
    rf_paginator p = { .name = "Pages", .kind = RF_PAGE_NUMBER, .page_size = 10 };
    rf_ctx *ctx = request(env, "/items/?page=0", "Host: x");
    rf_page *page;
    bool needs_count;
    ck_assert_int_eq(rf_page_plan(ctx, &p, rf_query_new(ctx, &item), &page, &needs_count),
                     RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 404);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"Invalid page.\"}");
    rf_test_ctx_free(ctx);

    ctx = request(env, "/items/?page=5", "Host: x");
    rf_query *q = rf_query_new(ctx, &item);
    ck_assert_int_eq(rf_page_plan(ctx, &p, q, &page, &needs_count), RF_OK);
    ck_assert_int_eq(rf_page_set_count(ctx, page, q, 40), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 404);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"Invalid page.\"}");
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

START_TEST(no_page_size_means_a_plain_list)
{
    rf_test_env *env = rf_test_env_new(NULL, 1);
    rf_paginator p = { .name = "Pages", .kind = RF_LIMIT_OFFSET, .default_limit = 0 };
    rf_ctx *ctx = request(env, "/items/", "Host: x");
    rf_page *page = (rf_page *)1;
    bool needs_count = true;
    ck_assert_int_eq(rf_page_plan(ctx, &p, rf_query_new(ctx, &item), &page, &needs_count), RF_OK);
    ck_assert_ptr_null(page);
    ck_assert(!needs_count);
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

Suite *make_pagination_suite(void)
{
    Suite *s = suite_create("pagination");
    TCase *tc = tcase_create("pagination");
    tcase_add_test(tc, page_number_matches_drf);
    tcase_add_test(tc, limit_offset_matches_drf);
    tcase_add_test(tc, query_strings_parse_as_parse_qsl);
    tcase_add_test(tc, links_match_drf_url_helpers);
    tcase_add_test(tc, plan_sets_limit_offset_and_links_use_the_host);
    tcase_add_test(tc, invalid_page_is_a_404_before_any_count);
    tcase_add_test(tc, no_page_size_means_a_plain_list);
    suite_add_tcase(s, tc);
    return s;
}
