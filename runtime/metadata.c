/*
 * metadata.c: OPTIONS, as DRF's SimpleMetadata, and DRF's view names.
 *
 *   {"name": ..., "description": ..., "renders": [...], "parses": [...],
 *    "actions": {"POST": {field info...}, "PUT": {...}}}
 *
 * `actions` appears on generic views (those with a serializer) for each of
 * POST and PUT the route handles and the user may perform: the permission
 * checks run as for that method, and for PUT the object must exist and pass
 * its object permissions.  DRF iterates a set there ({'PUT', 'POST'} &
 * allowed), whose order varies between Python processes; restflow writes
 * POST first.
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"
#include "serializer.h"

/* ---------------------------------------------------------------------
 * View names: views.get_view_name.
 */
static bool ends_with(const char *s, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    return n > t && memcmp(s + n - t, tail, t) == 0;   /* never the whole name */
}

/* formatting.camelcase_to_spaces: a space before an upper-case letter that
 * follows a lower-case one, or that starts a capitalised word ("HTTPServer"
 * gives "HTTP Server"); underscores become spaces; then str.title(). */
static void camelcase_to_spaces(rf_buf *b, const char *s, size_t n)
{
    rf_buf spaced;
    rf_buf_init(&spaced, b->arena, n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        bool up = isupper((unsigned char)s[i]);
        bool after_lower = i > 0 && islower((unsigned char)s[i - 1]);
        bool starts_word = i + 1 < n && !isupper((unsigned char)s[i + 1]);
        if (up && (after_lower || starts_word))
            rf_buf_putc(&spaced, ' ');
        rf_buf_putc(&spaced, s[i] == '_' ? ' ' : s[i]);
    }
    const char *p = spaced.data;
    size_t len = spaced.len;
    while (len && *p == ' ')
        p++, len--;
    while (len && p[len - 1] == ' ')
        len--;
    bool prev_cased = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        bool cased = isalpha(c);
        rf_buf_putc(b, (char)(cased ? (prev_cased ? tolower(c) : toupper(c)) : c));
        prev_cased = cased;
    }
}

const char *rf_view_name(rf_ctx *ctx)
{
    const rf_route *r = ctx->route;
    if (r && r->view_name)
        return r->view_name;
    const char *name = r && r->view && r->view->name ? r->view->name
                     : r && r->kind == RF_ROUTE_API_ROOT ? "APIRootView" : "";
    size_t n = strlen(name);
    if (ends_with(name, n, "View"))
        n -= 4;
    if (ends_with(name, n, "ViewSet"))
        n -= 7;
    rf_buf b;
    rf_buf_init(&b, ctx->arena, n * 2 + 16);
    camelcase_to_spaces(&b, name, n);
    if (r && r->name_suffix && *r->name_suffix) {
        rf_buf_putc(&b, ' ');
        rf_buf_puts(&b, r->name_suffix);
    }
    return b.data;
}

static const char *view_description(const rf_ctx *ctx)
{
    const rf_route *r = ctx->route;
    if (r->view && r->view->description)
        return r->view->description;
    return r->kind == RF_ROUTE_API_ROOT && !r->view
        ? "The default basic root view for DefaultRouter" : "";
}

/* ---------------------------------------------------------------------
 * The body.
 */
static void media_list(rf_buf *b, uint32_t mask, const uint32_t *bits,
                       const char *const *types, int n)
{
    rf_buf_putc(b, '[');
    bool first = true;
    for (int i = 0; i < n; i++)
        if (mask & bits[i]) {
            if (!first)
                rf_buf_putc(b, ',');
            rf_json_str(b, types[i]);
            first = false;
        }
    rf_buf_putc(b, ']');
}

static void write_head(rf_ctx *ctx, rf_buf *b)
{
    static const uint32_t rbits[] = { RF_RENDER_JSON, RF_RENDER_BROWSABLE };
    static const char *const rtypes[] = { "application/json", "text/html" };
    static const uint32_t pbits[] = { RF_PARSE_JSON, RF_PARSE_FORM, RF_PARSE_MULTIPART };
    static const char *const ptypes[] = {
        "application/json", "application/x-www-form-urlencoded", "multipart/form-data"
    };
    const rf_action *a = ctx->action;
    uint32_t renders = a && a->renderers ? a->renderers : RF_RENDER_JSON;
    uint32_t parses = a && a->parsers ? a->parsers
                                      : RF_PARSE_JSON | RF_PARSE_FORM | RF_PARSE_MULTIPART;
    rf_buf_lit(b, "{\"name\":");
    rf_json_str(b, rf_view_name(ctx));
    rf_buf_lit(b, ",\"description\":");
    rf_json_str(b, view_description(ctx));
    rf_buf_lit(b, ",\"renders\":");
    media_list(b, renders, rbits, rtypes, 2);
    rf_buf_lit(b, ",\"parses\":");
    media_list(b, parses, pbits, ptypes, 3);
}

rf_rc rf_options_metadata(rf_ctx *ctx, rf_cont k)
{
    (void)k;
    rf_buf *b = rf_ctx_body_buf(ctx);
    write_head(ctx, b);
    /* TEMPORARY (not implemented yet): `actions` for POST/PUT on generic
     * views lands with the permission-checked pass. */
    rf_buf_putc(b, '}');
    return rf_respond_json(ctx, 200, b);
}
