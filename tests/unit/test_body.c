/* Request bodies: the JSON parser against DRF's own outcomes, forms, 415,
 * laziness; URL decoding and query strings as Django's QueryDict. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "testing.h"

/* Vectors printed by tests/e2e/runtime/drf_body_vectors.py from DRF 3.14's
 * JSONParser: input, its length, parsed?, compact re-serialisation or the
 * ParseError text. */
static const struct {
    const char *in;
    size_t len;
    int ok;
    const char *out;
} vectors[] = {
    { "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}", 37, 1, "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}" },
    { "  [1, 2.5, -0, 1e3, 1E-2, -12]  ", 32, 1, "[1,2.5,0,1000.0,0.01,-12]" },
    { "\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\"", 30, 1, "\"\303\251\360\237\230\200\\n\\t\\\"\\\\/\"" },
    { "{\"a\":1,\"a\":2}", 13, 1, "{\"a\":2}" },
    { "\"\\u0000x\"", 9, 1, "\"\\u0000x\"" },
    { "", 0, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
    { " ", 1, 0, "JSON parse error - Expecting value: line 1 column 2 (char 1)" },
    { "{", 1, 0, "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" },
    { "}", 1, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
    { "[", 1, 0, "JSON parse error - Expecting value: line 1 column 2 (char 1)" },
    { "{\"a\":1,}", 8, 0, "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 8 (char 7)" },
    { "[1,]", 4, 0, "JSON parse error - Expecting value: line 1 column 4 (char 3)" },
    { "{\"a\" 1}", 7, 0, "JSON parse error - Expecting ':' delimiter: line 1 column 6 (char 5)" },
    { "{\"a\":1 \"b\":2}", 13, 0, "JSON parse error - Expecting ',' delimiter: line 1 column 8 (char 7)" },
    { "{1:2}", 5, 0, "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" },
    { "01", 2, 0, "JSON parse error - Extra data: line 1 column 2 (char 1)" },
    { "1.", 2, 0, "JSON parse error - Extra data: line 1 column 2 (char 1)" },
    { "-", 1, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
    { "-x", 2, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
    { ".5", 2, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
    { "1e", 2, 0, "JSON parse error - Extra data: line 1 column 2 (char 1)" },
    { "\"abc", 4, 0, "JSON parse error - Unterminated string starting at: line 1 column 1 (char 0)" },
    { "\"a\001\"", 4, 0, "JSON parse error - Invalid control character at: line 1 column 3 (char 2)" },
    { "\"\\x\"", 4, 0, "JSON parse error - Invalid \\escape: line 1 column 2 (char 1)" },
    { "\"\\u12\"", 6, 0, "JSON parse error - Invalid \\uXXXX escape: line 1 column 3 (char 2)" },
    { "\"\\u12", 5, 0, "JSON parse error - Invalid \\uXXXX escape: line 1 column 3 (char 2)" },
    { "\"\\u12zz\"", 8, 0, "JSON parse error - Invalid \\uXXXX escape: line 1 column 3 (char 2)" },
    { "\"\\ud800\\uzzzz\"", 14, 0, "JSON parse error - Invalid \\uXXXX escape: line 1 column 9 (char 8)" },
    { "NaN", 3, 0, "JSON parse error - Out of range float values are not JSON compliant: 'NaN'" },
    { "Infinity", 8, 0, "JSON parse error - Out of range float values are not JSON compliant: 'Infinity'" },
    { "-Infinity", 9, 0, "JSON parse error - Out of range float values are not JSON compliant: '-Infinity'" },
    { "[1, NaN]", 8, 0, "JSON parse error - Out of range float values are not JSON compliant: 'NaN'" },
    { "[1] x", 5, 0, "JSON parse error - Extra data: line 1 column 5 (char 4)" },
    { "nul", 3, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
    { "tru", 3, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
    { "\357\273\277{}", 5, 0, "JSON parse error - Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)" },
    { "\377", 1, 0, "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte" },
    { "{\"a\":\"\342\202\"}", 10, 0, "JSON parse error - 'utf-8' codec can't decode bytes in position 6-7: invalid continuation byte" },
    { "\"\342\202", 3, 0, "JSON parse error - Unterminated string starting at: line 1 column 1 (char 0)" },
    { "\"\355\240\200\"", 5, 0, "JSON parse error - 'utf-8' codec can't decode byte 0xed in position 1: invalid continuation byte" },
    { "\"\360\200\"", 4, 0, "JSON parse error - 'utf-8' codec can't decode byte 0xf0 in position 1: invalid continuation byte" },
    { "\300\200", 2, 0, "JSON parse error - 'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte" },
    { "\012\012  {\"x\": tru}", 14, 0, "JSON parse error - Expecting value: line 3 column 9 (char 10)" },
    { "\"\303\251\" x", 6, 0, "JSON parse error - Extra data: line 1 column 5 (char 4)" },
    { "[[[]", 4, 0, "JSON parse error - Expecting ',' delimiter: line 1 column 5 (char 4)" },
    { "{\"\303\251\":1, 2}", 11, 0, "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 9 (char 8)" },
    { "[\0121,\012\0122 3]", 10, 0, "JSON parse error - Expecting ',' delimiter: line 4 column 3 (char 8)" },
    { "{\"a\":[1,{\"b\":}]}", 16, 0, "JSON parse error - Expecting value: line 1 column 14 (char 13)" },
    { "\"\\", 2, 0, "JSON parse error - Unterminated string starting at: line 1 column 1 (char 0)" },
    { "\"\\u\"", 4, 0, "JSON parse error - Invalid \\uXXXX escape: line 1 column 3 (char 2)" },
    { "tRue", 4, 0, "JSON parse error - Expecting value: line 1 column 1 (char 0)" },
};

/* Compact JSON as Python's json.dumps(ensure_ascii=False) writes it. */
static void dump(rf_buf *b, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;
        bool first = true;
        rf_buf_putc(b, '{');
        json_object_keylen_foreach(v, k, klen, x) {
            if (!first)
                rf_buf_putc(b, ',');
            first = false;
            rf_json_strn(b, k, klen);
            rf_buf_putc(b, ':');
            dump(b, x);
        }
        rf_buf_putc(b, '}');
        break;
    }
    case JSON_ARRAY:
        rf_buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                rf_buf_putc(b, ',');
            dump(b, json_array_get(v, i));
        }
        rf_buf_putc(b, ']');
        break;
    case JSON_STRING: rf_json_strn(b, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: rf_json_i64(b, json_integer_value(v)); break;
    case JSON_REAL: rf_json_f64(b, json_real_value(v)); break;
    case JSON_TRUE: rf_buf_lit(b, "true"); break;
    case JSON_FALSE: rf_buf_lit(b, "false"); break;
    case JSON_NULL: rf_buf_lit(b, "null"); break;
    }
}

START_TEST(json_parser_matches_drf)
{
    rf_arena *a = rf_arena_new(0);
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const char *error = NULL;
        json_t *v = rf_json_parse(a, vectors[i].in, vectors[i].len, &error);
        if (vectors[i].ok) {
            ck_assert_msg(v != NULL, "vector %zu: %s", i, error);
            rf_buf b;
            rf_buf_init(&b, a, 64);
            dump(&b, v);
            ck_assert_str_eq(b.data, vectors[i].out);
            json_decref(v);
        } else {
            ck_assert_msg(v == NULL, "vector %zu parsed", i);
            char *detail = rf_sprintf(a, "JSON parse error - %s", error);
            ck_assert_str_eq(detail, vectors[i].out);
        }
    }
    rf_arena_free(a);
}
END_TEST

START_TEST(json_parser_documented_differences)
{
    rf_arena *a = rf_arena_new(0);
    const char *error;
    json_t *v = rf_json_parse(a, "123456789012345678901", 21, &error);
    ck_assert(json_is_real(v));
    json_decref(v);
    ck_assert_ptr_null(rf_json_parse(a, "1e400", 5, &error));
    ck_assert_str_eq(error, "Out of range float values are not JSON compliant: '1e400'");
    v = rf_json_parse(a, "\"\\ud800\"", 8, &error);
    ck_assert_str_eq(json_string_value(v), "\xEF\xBF\xBD");
    json_decref(v);
    char deep[2003];
    memset(deep, '[', 1001);
    memset(deep + 1001, ']', 1001);
    ck_assert_ptr_null(rf_json_parse(a, deep, 2002, &error));
    ck_assert_str_eq(error, "Maximum nesting depth exceeded");
    ck_assert_ptr_nonnull(v = rf_json_parse(a, deep + 1, 2000, &error));
    json_decref(v);
    rf_arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------------
 * rf_ctx_body through a context.
 */
static rf_test_env *env;

static void setup(void) { env = rf_test_env_new(NULL, 1); }
static void teardown(void) { rf_test_env_free(env); }

static rf_ctx *post(const char *content_type, const char *body)
{
    const char *headers[] = { content_type, NULL };
    return rf_test_ctx(env, &(rf_test_request){
        .method = RF_POST, .target = "/x/", .body = body,
        .headers = content_type ? headers : NULL });
}

static char *dumped(rf_ctx *ctx, json_t *v)
{
    rf_buf b;
    rf_buf_init(&b, rf_ctx_arena(ctx), 64);
    dump(&b, v);
    return b.data;
}

START_TEST(json_body_parsed_once_and_kept)
{
    rf_ctx *ctx = post("Content-Type: application/json; charset=utf-8", "{\"a\": [1]}");
    json_t *d1, *d2;
    ck_assert_int_eq(rf_ctx_body(ctx, &d1), RF_OK);
    ck_assert_int_eq(rf_ctx_body(ctx, &d2), RF_OK);
    ck_assert_ptr_eq(d1, d2);
    ck_assert_str_eq(dumped(ctx, d1), "{\"a\":[1]}");
    ck_assert_int_eq(rf_test_status(ctx), 0);   /* parsing sets no response */
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(malformed_json_is_400_every_time_it_is_asked)
{
    rf_ctx *ctx = post("Content-Type: application/json", "{\"a\":");
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_ERROR);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(rf_test_status(ctx), 400);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"JSON parse error - Expecting value: "
                                        "line 1 column 6 (char 5)\"}");
    rf_respond_empty(ctx, 204);
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 400);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(unsupported_media_type_quotes_the_whole_header)
{
    rf_ctx *ctx = post("Content-Type: text/plain; charset=utf-8", "x");
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 415);
    ck_assert_str_eq(rf_test_body(ctx),
        "{\"detail\":\"Unsupported media type \\\"text/plain; charset=utf-8\\\" in request.\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(missing_content_type_with_a_body_is_415_with_empty_type)
{
    rf_ctx *ctx = post(NULL, "{}");
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 415);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"Unsupported media type \\\"\\\" in request.\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(empty_body_is_an_empty_object_whatever_the_type)
{
    rf_ctx *ctx = post("Content-Type: text/plain", NULL);
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_OK);
    ck_assert_str_eq(dumped(ctx, d), "{}");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(wildcard_content_type_selects_the_first_parser)
{
    rf_ctx *ctx = post("Content-Type: */*", "{\"a\":1}");
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_OK);
    ck_assert_str_eq(dumped(ctx, d), "{\"a\":1}");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(parsers_of_the_action_limit_the_choice)
{
    static const rf_action json_only = { .name = "create", .kind = RF_ACT_CREATE,
                                         .parsers = RF_PARSE_JSON };
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_POST, .body = "a=1", .action = &json_only,
        .headers = (const char *[]){ "Content-Type: application/x-www-form-urlencoded", NULL } });
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 415);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(form_body_is_an_object_of_strings_last_value_wins)
{
    rf_ctx *ctx = post("Content-Type: application/x-www-form-urlencoded",
                       "a=1&b=x+y&a=2&c&=e&d=%C3%A9%FF&&f=%zz");
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_OK);
    ck_assert_str_eq(dumped(ctx, d),
        "{\"a\":\"2\",\"b\":\"x y\",\"c\":\"\",\"\":\"e\",\"d\":\"\xC3\xA9\xEF\xBF\xBD\",\"f\":\"%zz\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(form_body_not_utf8_is_read_as_latin1)
{
    rf_ctx *ctx = post("Content-Type: application/x-www-form-urlencoded", "n=\xE9");
    json_t *d;
    ck_assert_int_eq(rf_ctx_body(ctx, &d), RF_OK);
    ck_assert_str_eq(dumped(ctx, d), "{\"n\":\"\xC3\xA9\"}");
    rf_test_ctx_free(ctx);
}
END_TEST

/* Multipart outcomes checked against DRF's MultiPartParser (Django's). */
static const char *multipart(const char *content_type, const char *body, size_t n)
{
    static char out[256];
    char header[128];
    snprintf(header, sizeof header, "Content-Type: %s", content_type);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_POST, .body = body, .body_len = n, .headers = (const char *[]){ header, NULL } });
    json_t *d;
    if (rf_ctx_body(ctx, &d) == RF_OK)
        snprintf(out, sizeof out, "%s", dumped(ctx, d));
    else
        snprintf(out, sizeof out, "%d %s", rf_test_status(ctx), rf_test_body(ctx));
    rf_test_ctx_free(ctx);
    return out;
}

#define MP(ct, lit) multipart(ct, lit, sizeof lit - 1)
#define PART(name) "Content-Disposition: form-data; name=\"" name "\"\r\n\r\n"

START_TEST(multipart_form_fields)
{
    ck_assert_str_eq(MP("multipart/form-data; boundary=xyz",
        "--xyz\r\n" PART("a") "1\r\n--xyz\r\n" PART("b") "hello\r\nworld\r\n"
        "--xyz\r\n" PART("a") "2\r\n--xyz--\r\n"),
        "{\"a\":\"2\",\"b\":\"hello\\r\\nworld\"}");
    ck_assert_str_eq(MP("multipart/form-data; boundary=\"xyz\"",
        "preamble\r\n--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\nfile\r\n--xyz\r\n" PART("t") "\xC3\xA9\xFF\r\n--xyz--"),
        "{\"t\":\"\xC3\xA9\xEF\xBF\xBD\"}");
    ck_assert_str_eq(MP("multipart/form-data; boundary=ab", "XXXX\r\n--ab\r\n" PART("a") "1\r\n--ab--"),
                     "{\"a\":\"1\"}");
    ck_assert_str_eq(MP("multipart/form-data; boundary=xyz", "garbage"), "{}");
    /* regression: a part whose delimiter line runs straight into the next
     * delimiter had a negative length (an out-of-bounds read) */
    ck_assert_str_eq(MP("multipart/form-data; boundary=b", "--b\r\n--b--\r\n"), "{}");
    ck_assert_str_eq(MP("multipart/form-data; boundary=b",
                        "--bjunk\r\n--b\r\n" PART("a") "1\r\n--b--"), "{\"a\":\"1\"}");
    ck_assert_str_eq(MP("multipart/form-data; boundary=xyz", "--xyz\r\n" PART("a") "1"),
                     "{\"a\":\"1\"}");
}
END_TEST

START_TEST(multipart_without_a_valid_boundary_is_400)
{
    ck_assert_str_eq(MP("multipart/form-data", "--xyz\r\n"),
        "400 {\"detail\":\"Multipart form parse error - Invalid boundary in multipart: None\"}");
    ck_assert_str_eq(MP("multipart/form-data; boundary=", "--xyz\r\n"),
        "400 {\"detail\":\"Multipart form parse error - Invalid boundary in multipart: \"}");
}
END_TEST

/* ---------------------------------------------------------------------
 * URLs.
 */
START_TEST(url_decoding_as_django)
{
    rf_arena *a = rf_arena_new(0);
    ck_assert_str_eq(rf_url_decode(a, "/a%20b+c/%C3%A9/%ff/%zz%4", 25, false),
                     "/a b+c/\xC3\xA9/%FF/%zz%4");
    ck_assert_str_eq(rf_url_decode(a, "a+b%2B%e2%82", 12, true), "a b+\xEF\xBF\xBD");
    /* regression: a NUL decoded into a path cut it short (and APPEND_SLASH
     * then redirected to a mangled URL) */
    ck_assert_str_eq(rf_url_decode(a, "/p/1%00/", 8, false), "/p/1%00/");
    rf_kv *kv;
    int n = rf_parse_qs(a, "x=1&&y&x=2&z=a%26b", 18, &kv);
    ck_assert_int_eq(n, 4);
    ck_assert_str_eq(kv[1].name, "y");
    ck_assert_str_eq(kv[1].value, "");
    ck_assert_str_eq(kv[3].value, "a&b");
    rf_arena_free(a);
}
END_TEST

Suite *make_body_suite(void)
{
    Suite *s = suite_create("body");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, json_parser_matches_drf);
    tcase_add_test(tc, json_parser_documented_differences);
    suite_add_tcase(s, tc);
    tc = tcase_create("ctx");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_body_parsed_once_and_kept);
    tcase_add_test(tc, malformed_json_is_400_every_time_it_is_asked);
    tcase_add_test(tc, unsupported_media_type_quotes_the_whole_header);
    tcase_add_test(tc, missing_content_type_with_a_body_is_415_with_empty_type);
    tcase_add_test(tc, empty_body_is_an_empty_object_whatever_the_type);
    tcase_add_test(tc, wildcard_content_type_selects_the_first_parser);
    tcase_add_test(tc, parsers_of_the_action_limit_the_choice);
    tcase_add_test(tc, form_body_is_an_object_of_strings_last_value_wins);
    tcase_add_test(tc, form_body_not_utf8_is_read_as_latin1);
    tcase_add_test(tc, multipart_form_fields);
    tcase_add_test(tc, multipart_without_a_valid_boundary_is_400);
    suite_add_tcase(s, tc);
    tc = tcase_create("url");
    tcase_add_test(tc, url_decoding_as_django);
    suite_add_tcase(s, tc);
    return s;
}
