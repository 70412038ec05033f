/*
 * fuzz_body: request bodies through rf_ctx_body, as a handler reads them.
 *
 * Input: the Content-Type value, a newline, then the body.  The parser the
 * type selects (JSON, form, multipart, or none: 415) runs on the body.
 * Checked beyond memory safety:
 *   - success leaves no response set; failure is a 400 or a 415 with a
 *     {"detail": ...} body;
 *   - form and multipart bodies (and an empty body) become an object of
 *     strings;
 *   - a JSON body renders (as DRF's renderer) to text that parses back to
 *     a value rendering to the same text: parse and render agree.
 *
 * fuzz-links: @runtime
 * fuzz-libs: $(PKG_LIBS)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "internal.h"
#include "serializer.h"
#include "testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rf_test_env *env;

static void render(rf_buf *b, const json_t *v)
{
    rf_buf_init(b, NULL, 256);
    rf_json_value(b, v);
}

static void check_json_round_trip(const json_t *v)
{
    rf_buf first, second;
    render(&first, v);
    rf_arena *a = rf_arena_new(0);
    const char *error;
    json_t *again = rf_json_parse(a, first.data, first.len, &error);
    if (!again)
        abort();    /* what we render, we cannot read */
    render(&second, again);
    if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0)
        abort();    /* rendering is not a fixed point */
    json_decref(again);
    rf_arena_free(a);
    rf_buf_release(&first);
    rf_buf_release(&second);
}

static void check_object_of_strings(const json_t *v)
{
    const char *key;
    json_t *value;
    if (!json_is_object(v))
        abort();
    json_object_foreach((json_t *)v, key, value)
        if (!json_is_string(value))
            abort();
}

/* The form parsers (the type before any parameter, trimmed, any case)
 * answer objects of strings; JSON (also chosen by wildcards) any value. */
static bool is_form_type(const char *content_type)
{
    size_t n = strcspn(content_type, ";");
    while (n && (content_type[n - 1] == ' ' || content_type[n - 1] == '\t'))
        n--;
    while (n && (*content_type == ' ' || *content_type == '\t'))
        content_type++, n--;
    return (n == 33 && strncasecmp(content_type, "application/x-www-form-urlencoded", n) == 0) ||
           (n == 19 && strncasecmp(content_type, "multipart/form-data", n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!env)
        env = rf_test_env_new(NULL, 1);
    const char *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t type_len = (size_t)(nl - (const char *)data);
    if (memchr(data, '\0', type_len))
        return 0;   /* a header value cannot hold a NUL */
    char *header = malloc(type_len + sizeof "Content-Type: ");
    memcpy(header, "Content-Type: ", 14);
    memcpy(header + 14, data, type_len);
    header[14 + type_len] = '\0';
    const char *body = nl + 1;
    size_t body_len = size - type_len - 1;

    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_POST, .target = "/", .headers = (const char *[]){ header, NULL },
        .body = body_len ? body : NULL, .body_len = body_len });
    json_t *parsed;
    if (rf_ctx_body(ctx, &parsed) == RF_OK) {
        if (rf_test_status(ctx) != 0 || !parsed)
            abort();
        check_json_round_trip(parsed);
        if (is_form_type(header + 14))
            check_object_of_strings(parsed);
    } else {
        int status = rf_test_status(ctx);
        if ((status != 400 && status != 415) ||
            strncmp(rf_test_body(ctx), "{\"detail\":\"", 11) != 0)
            abort();
    }
    rf_test_ctx_free(ctx);
    free(header);
    return 0;
}
