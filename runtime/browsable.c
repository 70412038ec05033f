/*
 * browsable.c: DRF's BrowsableAPIRenderer.  A client that prefers
 * text/html (a browser) gets, for every answer of a view whose renderers
 * include BrowsableAPIRenderer, an HTML page around the JSON the API
 * answered:
 *
 *   - the API's title linking to its root, breadcrumbs (each prefix of the
 *     path that is a route, named as DRF names the view), the view's name
 *     and description;
 *   - the request line and the response as DRF shows it: status, Allow,
 *     Content-Type, Vary and the response's own headers, then the JSON
 *     indented by 4 with its URLs as links;
 *   - pagination links when the body is a page (next, previous);
 *   - forms built from the serializers: POST from the create action's
 *     request serializer, PUT and PATCH (filled with the object shown)
 *     from the update action's, a DELETE button, an OPTIONS button, and a
 *     raw JSON form;
 *   - login with a token or a username and password (the view's
 *     TokenAuthentication / BasicAuthentication), and who is logged in.
 *
 * The page is static and small: one style sheet and one script, inlined
 * (browsable_assets.c), nothing fetched from anywhere.  Every value from
 * the API is HTML-escaped; only strings that are http(s) URLs become
 * links.  A Content-Security-Policy lets the page load nothing and send
 * nothing to another origin.
 *
 * As DRF: the page keeps the response's status, except 204 which becomes
 * 200 so that the page shows; the forms appear on answers that are not
 * errors of authentication, permission or lookup.  Deliberately unlike
 * DRF: the forms are shown for every method the route maps, without
 * running the permission checks once per method (the server still checks
 * them on submit), and a ForeignKey is a text field rather than a select
 * of every row (which would cost a query per page).
 */
#include <jansson.h>
#include <string.h>

#include "browsable.h"
#include "internal.h"

/* ---------------------------------------------------------------------
 * Escaping and the JSON body.
 */
/* HTML-escape s[0..n): &, < and >, and quotes too for attribute values. */
static void escape(rf_buf *b, const char *s, size_t n, bool quotes)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': rf_buf_lit(b, "&amp;"); break;
        case '<': rf_buf_lit(b, "&lt;"); break;
        case '>': rf_buf_lit(b, "&gt;"); break;
        case '"': if (quotes) rf_buf_lit(b, "&quot;"); else rf_buf_putc(b, '"'); break;
        case '\'': if (quotes) rf_buf_lit(b, "&#39;"); else rf_buf_putc(b, '\''); break;
        default: rf_buf_putc(b, s[i]);
        }
    }
}

static void esc(rf_buf *b, const char *s)
{
    escape(b, s, strlen(s), true);
}

static bool is_link(const char *s, size_t n)
{
    return (n > 7 && strncmp(s, "http://", 7) == 0) || (n > 8 && strncmp(s, "https://", 8) == 0);
}

/* The end of the JSON string token that starts at s (past its quote). */
static size_t string_token_len(const char *s, size_t n)
{
    size_t i = 1;
    while (i < n && s[i] != '"')
        i += s[i] == '\\' ? 2 : 1;
    return i < n ? i + 1 : n;
}

/* The body indented by 4, as DRF's page shows it, escaped, its URLs as
 * links (strings without escapes only: a link's text is its href). */
static void json_html(rf_buf *b, rf_arena *a, const char *json, size_t len)
{
    rf_buf pretty;
    rf_buf_init(&pretty, a, len * 2 + 16);
    rf_json_reindent(&pretty, json, len, 4);
    const char *s = pretty.data;
    size_t n = pretty.len;
    for (size_t i = 0; i < n;) {
        if (s[i] != '"') {
            escape(b, s + i, 1, false);
            i++;
            continue;
        }
        size_t t = string_token_len(s + i, n - i);
        const char *inner = s + i + 1;
        size_t inner_len = t >= 2 ? t - 2 : 0;
        if (is_link(inner, inner_len) && !memchr(inner, '\\', inner_len)) {
            rf_buf_lit(b, "\"<a href=\"");
            escape(b, inner, inner_len, true);
            rf_buf_lit(b, "\" rel=\"nofollow\">");
            escape(b, inner, inner_len, false);
            rf_buf_lit(b, "</a>\"");
        } else {
            escape(b, s + i, t, false);
        }
        i += t;
    }
}

/* The body for the script: JSON inside <script>, where "</" could end
 * the element early; '<' only occurs inside JSON strings, where \u003c
 * means the same. */
static void json_script(rf_buf *b, const char *json, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '<')
            rf_buf_lit(b, "\\u003c");
        else
            rf_buf_putc(b, json[i]);
    }
}

/* ---------------------------------------------------------------------
 * Names and navigation.
 */
static const char *route_name(rf_ctx *ctx, const rf_route *r)
{
    const rf_route *current = ctx->route;
    ctx->route = r;
    const char *name = rf_view_name(ctx);
    ctx->route = current;
    return name;
}

/* DRF's get_breadcrumbs: each prefix of the path ending in '/' that is a
 * route, the current one last. */
static void breadcrumbs(rf_ctx *ctx, rf_buf *b)
{
    const char *path = ctx->path;
    size_t n = strlen(path);
    int saved = ctx->nkwargs;     /* matching stores captures; drop them */
    bool first = true;
    rf_buf_lit(b, "<nav class=\"crumbs\">");
    for (size_t end = 1; end <= n; end++) {
        if (path[end - 1] != '/')
            continue;
        const char *prefix = rf_strndup(ctx->arena, path, end);
        const rf_route *r;
        if (!rf_router_match(ctx->worker->router, ctx, prefix, &r))
            continue;
        if (!first)
            rf_buf_lit(b, " / ");
        first = false;
        if (end == n) {
            esc(b, route_name(ctx, r));
            continue;
        }
        rf_buf_lit(b, "<a href=\"");
        esc(b, prefix);
        rf_buf_lit(b, "\">");
        esc(b, route_name(ctx, r));
        rf_buf_lit(b, "</a>");
    }
    ctx->nkwargs = saved;
    rf_buf_lit(b, "</nav>");
}

static bool has_authenticator(const rf_view *v, const rf_authenticator *a)
{
    for (int i = 0; v && i < v->nauthenticators; i++)
        if (v->authenticators[i] == a)
            return true;
    return false;
}

static void top_bar(rf_ctx *ctx, rf_buf *b)
{
    const rf_app *app = ctx->app;
    const rf_route *root = rf_api_root_route(app);
    const rf_user *user = rf_ctx_user(ctx);
    bool token = has_authenticator(ctx->view, &rf_token_authentication);
    bool basic = has_authenticator(ctx->view, &rf_basic_authentication);
    rf_buf_lit(b, "<header class=\"bar\"><a class=\"brand\" href=\"/");
    esc(b, root ? root->pattern : "");
    rf_buf_lit(b, "\">");
    esc(b, app->title && *app->title ? app->title : app->name);
    rf_buf_lit(b, "</a><span class=\"auth\">");
    if (user) {
        rf_buf_lit(b, "Logged in as <b id=\"rf-user\">");
        esc(b, user->username ? user->username : "");
        rf_buf_lit(b, "</b>");
    }
    if (token || basic) {
        rf_buf_puts(b, user ? "<button class=\"plain\" id=\"rf-logout\" type=\"button\">Log out"
                            : "<button class=\"plain\" id=\"rf-login-toggle\" type=\"button\">Log in");
        rf_buf_lit(b, "</button>");
    }
    rf_buf_lit(b, "</span></header>");
    if (user || !(token || basic))
        return;
    rf_buf_lit(b, "<form class=\"login\" id=\"rf-login\" hidden>");
    if (token)
        rf_buf_lit(b, "<input name=\"token\" placeholder=\"Token\" aria-label=\"Token\" "
                      "autocomplete=\"off\">");
    if (token && basic)
        rf_buf_lit(b, "<span>or</span>");
    if (basic)
        rf_buf_lit(b, "<input name=\"username\" placeholder=\"Username\" aria-label=\"Username\" "
                      "autocomplete=\"username\"><input name=\"password\" type=\"password\" "
                      "placeholder=\"Password\" aria-label=\"Password\" "
                      "autocomplete=\"current-password\">");
    rf_buf_lit(b, "<button>Log in</button></form>");
}

/* ---------------------------------------------------------------------
 * The request and the response.
 */
static void header_line(rf_buf *b, const char *name, const char *value)
{
    rf_buf_lit(b, "<b>");
    esc(b, name);
    rf_buf_lit(b, ":</b> ");
    esc(b, value);
    rf_buf_putc(b, '\n');
}

static void exchange(rf_ctx *ctx, rf_buf *b, int status, const char *json, size_t len)
{
    rf_buf_lit(b, "<div class=\"request\"><b>");
    esc(b, rf_method_name(ctx->method));
    rf_buf_lit(b, "</b> ");
    esc(b, ctx->raw_path ? ctx->raw_path : ctx->path);
    if (ctx->raw_query) {
        rf_buf_putc(b, '?');
        esc(b, ctx->raw_query);
    }
    rf_buf_lit(b, "</div><pre class=\"response\"><b>HTTP ");
    rf_buf_printf(b, "%d ", status);
    esc(b, rf_status_reason(status));
    rf_buf_lit(b, "</b>\n");
    if (ctx->route)
        header_line(b, "Allow", rf_router_allow(ctx->worker->router, ctx->route));
    if (len)
        header_line(b, "Content-Type", rf_json_renderer.media_type);
    header_line(b, "Vary", "Accept");
    for (const rf_header *h = ctx->resp_headers; h; h = h->next)
        header_line(b, h->name, h->value);
    if (len) {
        rf_buf_putc(b, '\n');
        json_html(b, ctx->arena, json, len);
    }
    rf_buf_lit(b, "</pre>");
}

/* Links to the next and previous pages of a paginated answer. */
static void pager(rf_buf *b, const char *json, size_t len)
{
    json_t *doc = json_loadb(json, len, 0, NULL);
    const char *next = json_string_value(json_object_get(doc, "next"));
    const char *prev = json_string_value(json_object_get(doc, "previous"));
    bool paged = json_is_object(doc) && json_object_get(doc, "results") &&
                 json_object_get(doc, "next") && json_object_get(doc, "previous");
    if (paged) {
        rf_buf_lit(b, "<nav class=\"pager\">");
        const char *links[2][2] = { { prev, "&laquo; Previous" }, { next, "Next &raquo;" } };
        for (int i = 0; i < 2; i++) {
            if (links[i][0]) {
                rf_buf_printf(b, "<a rel=\"%s\" href=\"", i ? "next" : "prev");
                esc(b, links[i][0]);
                rf_buf_printf(b, "\">%s</a>", links[i][1]);
            } else {
                rf_buf_printf(b, "<span>%s</span>", links[i][1]);
            }
        }
        rf_buf_lit(b, "</nav>");
    }
    json_decref(doc);
}

/* ---------------------------------------------------------------------
 * Forms from the serializers.
 */
static const char *data_type(const rf_sfield *f)
{
    switch (f->type) {
    case RF_F_BOOLEAN: return "boolean";
    case RF_F_JSON: return "json";
    default: return "string";
    }
}

static const char *input_type(const rf_sfield *f)
{
    switch (f->type) {
    case RF_F_AUTO: case RF_F_BIGAUTO: case RF_F_INTEGER: case RF_F_BIGINTEGER:
    case RF_F_FLOAT: case RF_F_DECIMAL:
        return "number";
    case RF_F_EMAIL: return "email";
    case RF_F_URL: return "url";
    case RF_F_DATE: return "date";
    default: return "text";
    }
}

static void common_attributes(rf_buf *b, const rf_sfield *f, bool required)
{
    rf_buf_lit(b, " name=\"");
    esc(b, f->name);
    rf_buf_lit(b, "\" id=\"rf-f-");
    esc(b, f->name);
    rf_buf_printf(b, "\" data-type=\"%s\"", data_type(f));
    if (f->flags & RF_SF_ALLOW_NULL)
        rf_buf_lit(b, " data-nullable");
    if (required)
        rf_buf_lit(b, " required");
}

static void choice_input(rf_buf *b, const rf_sfield *f, bool required)
{
    rf_buf_lit(b, "<select");
    common_attributes(b, f, required);
    rf_buf_lit(b, "><option value=\"\">---------</option>");
    for (int i = 0; i < f->limits.nchoices; i++) {
        const rf_choice *c = &f->limits.choices[i];
        rf_buf_lit(b, "<option value=\"");
        esc(b, c->value);
        rf_buf_lit(b, "\">");
        esc(b, c->label ? c->label : c->value);
        rf_buf_lit(b, "</option>");
    }
    rf_buf_lit(b, "</select>");
}

static void field_input(rf_buf *b, const rf_sfield *f, bool required)
{
    if (f->limits.nchoices > 0) {
        choice_input(b, f, required);
        return;
    }
    if (f->type == RF_F_TEXT || f->type == RF_F_JSON) {
        rf_buf_lit(b, "<textarea");
        common_attributes(b, f, required && f->type != RF_F_JSON);
        rf_buf_lit(b, "></textarea>");
        return;
    }
    if (f->type == RF_F_BOOLEAN) {
        rf_buf_lit(b, "<input type=\"checkbox\"");
        common_attributes(b, f, false);
        rf_buf_putc(b, '>');
        return;
    }
    rf_buf_printf(b, "<input type=\"%s\"", input_type(f));
    common_attributes(b, f, required);
    bool integral = f->type != RF_F_FLOAT && f->type != RF_F_DECIMAL;
    if (strcmp(input_type(f), "number") == 0)
        rf_buf_printf(b, " step=\"%s\"", integral ? "1" : "any");
    if (f->limits.max_length > 0)
        rf_buf_printf(b, " maxlength=\"%d\"", (int)f->limits.max_length);
    if (f->limits.min_value) {
        rf_buf_lit(b, " min=\"");
        esc(b, f->limits.min_value);
        rf_buf_putc(b, '"');
    }
    if (f->limits.max_value) {
        rf_buf_lit(b, " max=\"");
        esc(b, f->limits.max_value);
        rf_buf_putc(b, '"');
    }
    rf_buf_putc(b, '>');
}

static bool writable(const rf_sfield *f)
{
    return !(f->flags & RF_SF_READ_ONLY) && f->type != RF_F_NESTED;
}

static void serializer_fields(rf_buf *b, const rf_serializer *s, bool required_marks)
{
    for (int i = 0; i < s->nfields; i++) {
        const rf_sfield *f = &s->fields[i];
        if (!writable(f))
            continue;
        rf_buf_lit(b, "<div class=\"field\"><label for=\"rf-f-");
        esc(b, f->name);
        rf_buf_lit(b, "\">");
        esc(b, f->label ? f->label : f->name);
        rf_buf_lit(b, "</label>");
        field_input(b, f, required_marks && (f->flags & RF_SF_REQUIRED));
        if (f->help_text && *f->help_text) {
            rf_buf_lit(b, "<small>");
            esc(b, f->help_text);
            rf_buf_lit(b, "</small>");
        }
        rf_buf_lit(b, "</div>");
    }
}

static const rf_serializer *input_of(const rf_route *r, rf_method m)
{
    const rf_action *a = r->by_method[m];
    return a ? a->request_serializer : NULL;
}

/* The HTML form: POST on a collection; PUT and PATCH on an object (one
 * form, filled by the script with the object shown). */
static void html_form(rf_buf *b, const rf_route *r)
{
    const rf_serializer *post = input_of(r, RF_POST);
    const rf_serializer *put = input_of(r, RF_PUT);
    const rf_serializer *patch = input_of(r, RF_PATCH);
    const rf_serializer *s = put ? put : patch ? patch : post;
    if (!s)
        return;
    bool update = put || patch;
    rf_buf_lit(b, "<section class=\"form\"><h2>");
    rf_buf_puts(b, update ? "Change" : "Create");
    rf_buf_lit(b, "</h2><form id=\"rf-form\" method=\"post\"");
    rf_buf_printf(b, " data-method=\"%s\"%s>", update ? (put ? "PUT" : "PATCH") : "POST",
                  update ? " data-prefill" : "");
    serializer_fields(b, s, !update || put);
    rf_buf_lit(b, "<div class=\"buttons\">");
    if (put)
        rf_buf_lit(b, "<button name=\"_method\" value=\"PUT\">PUT</button>");
    if (patch)
        rf_buf_lit(b, "<button name=\"_method\" value=\"PATCH\">PATCH</button>");
    if (!update)
        rf_buf_lit(b, "<button name=\"_method\" value=\"POST\">POST</button>");
    rf_buf_lit(b, "</div></form></section>");
}

/* The raw form: any body, as JSON, with any of the route's write methods. */
static void raw_form(rf_buf *b, const rf_route *r)
{
    static const rf_method writes[] = { RF_POST, RF_PUT, RF_PATCH };
    bool any = false;
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++)
        any = any || r->by_method[writes[i]];
    if (!any)
        return;
    rf_buf_lit(b, "<section class=\"form\"><h2>Raw data (application/json)</h2>"
                  "<form id=\"rf-raw\" data-method=\"POST\"><textarea name=\"content\" "
                  "aria-label=\"Content\"></textarea><div class=\"buttons\">"
                  "<select name=\"method\" aria-label=\"Method\">");
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++)
        if (r->by_method[writes[i]])
            rf_buf_printf(b, "<option>%s</option>", rf_method_name(writes[i]));
    rf_buf_lit(b, "</select><button>Send</button></div></form></section>");
}

/* DELETE and OPTIONS, next to the title. */
static void tools(rf_buf *b, const rf_route *r, bool forms)
{
    rf_buf_lit(b, "<form class=\"tools\" data-method=\"OPTIONS\">");
    if (forms && r->by_method[RF_DELETE])
        rf_buf_lit(b, "<button class=\"danger\" name=\"_method\" value=\"DELETE\">DELETE</button>");
    rf_buf_lit(b, "<button class=\"plain\" name=\"_method\" value=\"OPTIONS\">OPTIONS</button>"
                  "</form>");
}

/* ---------------------------------------------------------------------
 * The page.
 */
static const char csp[] =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

static bool shows_forms(int status)
{
    return status < 500 && status != 401 && status != 403 && status != 404 && status != 405;
}

static void page(rf_ctx *ctx, rf_buf *b, int status, const char *json, size_t len)
{
    const char *name = ctx->route ? route_name(ctx, ctx->route) : "";
    const rf_user *user = rf_ctx_user(ctx);
    rf_buf_lit(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta name=\"robots\" content=\"NONE,NOARCHIVE\">"
                  "<link rel=\"icon\" href=\"data:,\"><title>");
    esc(b, name);
    rf_buf_lit(b, " &ndash; ");
    esc(b, ctx->app->title && *ctx->app->title ? ctx->app->title : ctx->app->name);
    rf_buf_lit(b, "</title><style>");
    rf_buf_puts(b, rf_browsable_css);
    rf_buf_lit(b, "</style></head>\n<body data-user=\"");
    esc(b, user && user->username ? user->username : "");
    rf_buf_lit(b, "\">");
    top_bar(ctx, b);
    rf_buf_lit(b, "<main>");
    breadcrumbs(ctx, b);
    bool forms = ctx->route && shows_forms(status);
    if (ctx->route)
        tools(b, ctx->route, forms);
    rf_buf_lit(b, "<h1>");
    esc(b, name);
    rf_buf_lit(b, "</h1>");
    const char *description = ctx->view ? ctx->view->description : NULL;
    if (description && *description) {
        rf_buf_lit(b, "<p class=\"description\">");
        esc(b, description);
        rf_buf_lit(b, "</p>");
    }
    exchange(ctx, b, status, json, len);
    pager(b, json, len);
    if (forms) {
        html_form(b, ctx->route);
        raw_form(b, ctx->route);
    }
    rf_buf_lit(b, "</main><script type=\"application/json\" id=\"rf-data\">");
    json_script(b, len ? json : "null", len ? len : 4);
    rf_buf_lit(b, "</script><script>");
    rf_buf_puts(b, rf_browsable_js);
    rf_buf_lit(b, "</script></body></html>\n");
}

static void finish(rf_ctx *ctx)
{
    int status = ctx->status ? ctx->status : 200;
    const char *json = ctx->resp_empty ? "" : ctx->resp_body;
    size_t len = ctx->resp_empty ? 0 : ctx->resp_len;
    rf_buf b;
    rf_buf_init(&b, ctx->arena, len * 3 + 16384);
    page(ctx, &b, status, json, len);
    ctx->resp_body = b.data;
    ctx->resp_len = b.len;
    ctx->resp_empty = false;
    if (status == 204)
        ctx->status = 200;           /* DRF: so that the browser shows the page */
    rf_ctx_add_header(ctx, "Content-Security-Policy", csp);
}

const rf_renderer rf_browsable_renderer = {
    RF_RENDER_BROWSABLE, "text/html; charset=utf-8", "text", "html", finish, true,
};
