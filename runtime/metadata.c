/*
 * metadata.c: OPTIONS, as DRF's SimpleMetadata, and DRF's view names.
 *
 *   {"name": ..., "description": ..., "renders": [...], "parses": [...],
 *    "actions": {"POST": {field info...}, "PUT": {...}}}
 *
 * `actions` appears on views with a serializer (generic views, and APIViews
 * with a serializer_class, which the helpers give get_serializer) for each of
 * POST and PUT the route handles and the user may perform: the permission
 * checks run as for that method, and for PUT the object must exist and pass
 * its object permissions.  DRF iterates a set there ({'PUT', 'POST'} &
 * allowed), whose order varies between Python processes; restflow writes
 * POST first.  The serializer described is the view's (the config used
 * when no action applies): its request serializer, else its response one.
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
    if (r->view && r->view->description && *r->view->description)
        return r->view->description;
    return r->kind == RF_ROUTE_API_ROOT ? "The default basic root view for DefaultRouter" : "";
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

/* name, description, renders, parses (the object stays open). */
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

/* ---------------------------------------------------------------------
 * `actions`: SimpleMetadata.determine_actions.  For POST then PUT, when the
 * route handles it: run the permission checks as for that method (and for
 * PUT get_object), swallowing their errors as DRF catches them; on success
 * describe the serializer.  Any step may go PENDING.
 */
#define OPTIONS_VAR "rf.options"

typedef struct options_run {
    rf_ctx *ctx;
    rf_cont k;
    bool pending;                 /* answer through k, not by returning */
    bool finished;
    rf_buf body;
    const rf_serializer *ser;
    int next;                     /* index into probe_methods */
    bool wrote_action;
    rf_header **tail;             /* response headers before the probes */
    void *object;                 /* PUT's get_object writes it, maybe later */
} options_run;

static const rf_method probe_methods[] = { RF_POST, RF_PUT };
#define NPROBES (int)(sizeof probe_methods / sizeof probe_methods[0])

static void probe_next(options_run *run);

/* Whatever a failed check set (status, body, WWW-Authenticate) is dropped. */
static void forget_probe_response(options_run *run)
{
    *run->tail = NULL;
    run->ctx->resp_tail = run->tail;
    run->ctx->status = 0;
}

static void describe(options_run *run, rf_method m)
{
    rf_buf *b = &run->body;
    rf_buf_puts(b, run->wrote_action ? "," : ",\"actions\":{");
    rf_json_str(b, rf_method_name(m));
    rf_buf_putc(b, ':');
    rf_serializer_info(b, run->ser, rf_db_ranges(run->ctx));
    run->wrote_action = true;
}

static void probe_done(options_run *run, rf_rc rc)
{
    forget_probe_response(run);
    if (rc == RF_OK)
        describe(run, probe_methods[run->next]);
    run->next++;
    probe_next(run);
}

static void object_checked(rf_ctx *ctx, rf_rc rc)
{
    probe_done((options_run *)rf_ctx_var(ctx, OPTIONS_VAR), rc);
}

static void check_object(options_run *run)
{
    rf_rc rc = rf_aget_object(run->ctx, &run->object, object_checked);
    if (rc != RF_PENDING)
        probe_done(run, rc);
}

static void permissions_checked(rf_ctx *ctx, rf_rc rc)
{
    options_run *run = (options_run *)rf_ctx_var(ctx, OPTIONS_VAR);
    /* DRF: `if method == 'PUT' and hasattr(view, 'get_object')`; an
     * APIView has none. */
    if (rc == RF_OK && probe_methods[run->next] == RF_PUT && ctx->view->kind != RF_VIEW_API)
        check_object(run);
    else
        probe_done(run, rc);
}

static void check_permissions(options_run *run)
{
    const rf_action *a = run->ctx->action;
    rf_rc rc = a && a->npermissions
        ? rf_check_permissions(run->ctx, a->permissions, a->npermissions, NULL,
                               permissions_checked)
        : RF_OK;
    if (rc != RF_PENDING)
        permissions_checked(run->ctx, rc);
}

static void finish(options_run *run)
{
    rf_ctx *ctx = run->ctx;
    ctx->method = RF_OPTIONS;
    if (run->wrote_action)
        rf_buf_putc(&run->body, '}');
    rf_buf_putc(&run->body, '}');
    rf_respond_json(ctx, 200, &run->body);
    run->finished = true;
    if (run->pending)
        run->k(ctx, RF_OK);
}

static void probe_next(options_run *run)
{
    const rf_route *r = run->ctx->route;
    while (run->next < NPROBES && !r->by_method[probe_methods[run->next]])
        run->next++;
    if (run->next == NPROBES) {
        finish(run);
        return;
    }
    run->ctx->method = probe_methods[run->next];   /* DRF's clone_request */
    check_permissions(run);
}

/* Views with get_serializer describe their serializer: the generic ones,
 * and (through the views module's helpers, which give APIView
 * get_serializer) an APIView with a serializer_class. */
static const rf_serializer *view_serializer(const rf_ctx *ctx)
{
    const rf_action *a = ctx->action;
    if (!ctx->view || !a)
        return NULL;
    return a->request_serializer ? a->request_serializer : a->response_serializer;
}

rf_rc rf_options_metadata(rf_ctx *ctx, rf_cont k)
{
    options_run *run = rf_calloc(ctx->arena, sizeof *run);
    run->ctx = ctx;
    run->k = k;
    run->ser = view_serializer(ctx);
    run->tail = ctx->resp_tail;
    rf_buf_init(&run->body, ctx->arena, 512);
    write_head(ctx, &run->body);
    rf_ctx_set_var(ctx, OPTIONS_VAR, run);
    run->next = run->ser ? 0 : NPROBES;
    probe_next(run);
    run->pending = !run->finished;
    return run->finished ? RF_OK : RF_PENDING;
}
