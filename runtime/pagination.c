/*
 * pagination.c: PageNumberPagination and LimitOffsetPagination, the
 * envelope every paginator writes, and the Python/urllib primitives their
 * links are made of.  CursorPagination's own logic is in cursor.c.
 *
 * A paginated list runs in three steps, so that everything but the SQL is
 * a pure function of the query string, the count and the rows:
 *   rf_page_plan       read the parameters (404 "Invalid page." for a page
 *                      that can never be valid), say whether a COUNT is needed
 *   rf_page_set_count  validate the page against the count, set LIMIT/OFFSET
 *   rf_page_render     {"count":..,"next":..,"previous":..,"results":[..]}
 *
 * Links are DRF's: request.build_absolute_uri() (scheme, Host header, the
 * path as Django's escape_uri_path writes it) with the query re-encoded by
 * replace_query_param / remove_query_param, which parse it with parse_qs,
 * sort the keys and urlencode it again.  So the output differs from the
 * input query string in order and percent-encoding, exactly as DRF's does.
 */
#include <string.h>

#include "db_internal.h"
#include "internal.h"
#include "policy_internal.h"
#include "serializer.h"


/* ---------------------------------------------------------------------
 * Python primitives (the rest are the serializers' validators.c).
 */

bool rf_positive_int(rf_arena *a, rf_str s, bool strict, int64_t cutoff, int64_t *out)
{
    int64_t v;
    int overflow;
    if (!rf_py_int(a, s.s, s.n, &v, &overflow) || v < 0 || (v == 0 && strict))
        return false;
    *out = cutoff > 0 && v > cutoff ? cutoff : v;
    return true;
}

/* ---------------------------------------------------------------------
 * Query strings: urllib.parse.parse_qsl(keep_blank_values=True).
 */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Bytes of a valid UTF-8 sequence starting at s, or the length of its
 * maximal valid prefix (at least 1) negated: CPython's decoder replaces
 * that prefix with one U+FFFD. */
static int utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    int need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return -1;
    for (int k = 1; k <= need; k++) {
        if ((size_t)k >= n || s[k] < lo || s[k] > hi)
            return -k;
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

bool rf_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        int k = utf8_valid_len(p + i, n - i);
        if (k < 0)
            return false;
        i += (size_t)k;
    }
    return true;
}

/* Invalid UTF-8 replaced by U+FFFD: out has room for 3 bytes per input byte. */
static size_t utf8_sanitize(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        int k = utf8_valid_len(in + i, n - i);
        if (k > 0) {
            memcpy(out + o, in + i, (size_t)k);
            o += (size_t)k;
            i += (size_t)k;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += (size_t)-k;
        }
    }
    out[o] = '\0';
    return o;
}

/* unquote_plus(s) with errors='replace'. */
static rf_str unquote_plus(rf_arena *a, const char *s, size_t n)
{
    unsigned char *bytes = rf_alloc(a, n + 1);
    size_t b = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+')
            bytes[b++] = ' ';
        else if (s[i] == '%' && i + 2 < n &&
                 (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
            bytes[b++] = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else
            bytes[b++] = (unsigned char)s[i];
    }
    char *out = rf_alloc(a, 3 * b + 1);
    size_t len = utf8_sanitize(bytes, b, out);
    return (rf_str){ out, len };
}

rf_qs rf_qs_parse(rf_arena *a, const char *raw, size_t len)
{
    rf_qs qs = { NULL, 0 };
    if (!raw || len == 0)
        return qs;
    int fields = 1;
    for (size_t i = 0; i < len; i++)
        fields += raw[i] == '&';
    qs.params = rf_alloc(a, sizeof *qs.params * (size_t)fields);
    for (size_t start = 0; start <= len;) {
        const char *amp = memchr(raw + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - raw) : len;
        if (end > start) {
            const char *field = raw + start;
            size_t flen = end - start;
            const char *eq = memchr(field, '=', flen);
            size_t nlen = eq ? (size_t)(eq - field) : flen;
            rf_qparam *p = &qs.params[qs.n++];
            p->name = unquote_plus(a, field, nlen);
            p->value = eq ? unquote_plus(a, eq + 1, flen - nlen - 1)
                          : (rf_str){ "", 0 };
        }
        start = end + 1;
    }
    return qs;
}

static bool str_is(rf_str s, const char *name)
{
    size_t n = strlen(name);
    return s.n == n && memcmp(s.s, name, n) == 0;
}

const rf_str *rf_qs_get(const rf_qs *qs, const char *name)
{
    for (int i = qs->n - 1; i >= 0; i--)
        if (str_is(qs->params[i].name, name))
            return &qs->params[i].value;
    return NULL;
}

rf_qs rf_qs_with(rf_arena *a, const rf_qs *qs, const char *name, const char *value)
{
    rf_qs out = { rf_alloc(a, sizeof *out.params * (size_t)(qs->n + 1)), 0 };
    for (int i = 0; i < qs->n; i++)
        if (!str_is(qs->params[i].name, name))
            out.params[out.n++] = qs->params[i];
    if (value)
        out.params[out.n++] = (rf_qparam){ { name, strlen(name) },
                                           { value, strlen(value) } };
    return out;
}

/* ---------------------------------------------------------------------
 * Links.
 */

static bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == '~';
}

static void percent_encode(rf_buf *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3] = { '%', hex[c >> 4], hex[c & 15] };
    rf_buf_append(b, e, 3);
}

void rf_escape_uri_path(rf_buf *b, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (is_unreserved(*p) || strchr("/:@&+$,!*'()", *p))
            rf_buf_putc(b, (char)*p);
        else
            percent_encode(b, *p);
    }
}

/* urllib.parse.quote_plus(s, safe=''). */
static void quote_plus(rf_buf *b, rf_str s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if (is_unreserved(c))
            rf_buf_putc(b, (char)c);
        else if (c == ' ')
            rf_buf_putc(b, '+');
        else
            percent_encode(b, c);
    }
}

/* Python's str ordering: code points, which UTF-8 bytes order alike. */
static int str_cmp(rf_str x, rf_str y)
{
    size_t n = x.n < y.n ? x.n : y.n;
    int c = memcmp(x.s, y.s, n);
    if (c)
        return c;
    return x.n < y.n ? -1 : x.n > y.n;
}

char *rf_url_build(rf_arena *a, const char *base, const rf_qs *qs)
{
    /* parse_qs groups the values by key in first-seen order; sorted()
     * then orders the keys. */
    int nkeys = 0;
    rf_str *keys = rf_alloc(a, sizeof *keys * (size_t)(qs->n + 1));
    for (int i = 0; i < qs->n; i++) {
        rf_str name = qs->params[i].name;
        int k = 0;
        while (k < nkeys && str_cmp(keys[k], name) != 0)
            k++;
        if (k < nkeys)
            continue;
        int at = nkeys++;
        while (at > 0 && str_cmp(keys[at - 1], name) > 0) {
            keys[at] = keys[at - 1];
            at--;
        }
        keys[at] = name;
    }
    rf_buf b;
    rf_buf_init(&b, a, strlen(base) + 64);
    rf_buf_puts(&b, base);
    for (int k = 0; k < nkeys; k++)
        for (int i = 0; i < qs->n; i++) {
            if (str_cmp(qs->params[i].name, keys[k]) != 0)
                continue;
            rf_buf_putc(&b, b.len == strlen(base) ? '?' : '&');
            quote_plus(&b, keys[k]);
            rf_buf_putc(&b, '=');
            quote_plus(&b, qs->params[i].value);
        }
    rf_buf_putc(&b, '\0');
    return b.data;
}

static char *url_with(rf_page *pg, const rf_qs *qs, const char *name, int64_t value)
{
    rf_qs next = rf_qs_with(pg->arena, qs, name,
                            rf_sprintf(pg->arena, "%lld", (long long)value));
    return rf_url_build(pg->arena, pg->base_url, &next);
}

static char *url_without(rf_page *pg, const rf_qs *qs, const char *name)
{
    rf_qs next = rf_qs_with(pg->arena, qs, name, NULL);
    return rf_url_build(pg->arena, pg->base_url, &next);
}

/* ---------------------------------------------------------------------
 * The two counted paginators.
 */

static const char *param(const char *configured, const char *dflt)
{
    return configured ? configured : dflt;
}

int64_t rf_page_size(const rf_page *pg)
{
    const rf_paginator *p = pg->p;
    int64_t size;
    if (p->page_size_query_param) {
        const rf_str *v = rf_qs_get(&pg->qs, p->page_size_query_param);
        if (v && rf_positive_int(pg->arena, *v, true, p->max_page_size, &size))
            return size;
    }
    return p->page_size;
}

static bool is_last_page_string(const rf_paginator *p, const rf_str *v)
{
    static const char *const dflt[] = { "last", NULL };
    const char *const *s = p->last_page_strings ? p->last_page_strings : dflt;
    for (; *s; s++)
        if (str_is(*v, *s))
            return true;
    return false;
}

/* Django's Paginator.validate_number, the parts that need no count: the
 * request for "last" (number 0 until the count is known), or an integer
 * >= 1.  Returns false for "Invalid page.". */
static bool page_number_prepare(rf_page *pg)
{
    const rf_str *v = rf_qs_get(&pg->qs, param(pg->p->page_query_param, "page"));
    if (!v) {
        pg->number = 1;
        return true;
    }
    if (is_last_page_string(pg->p, v)) {
        pg->number = 0;
        return true;
    }
    int overflow;
    return rf_py_int(pg->arena, v->s, v->n, &pg->number, &overflow) && pg->number >= 1;
}

/* The decimal digits of int(s) (valid, non-negative), for an offset beyond
 * int64 that a link must still write exactly. */
static char *int_digits(rf_arena *a, rf_str s)
{
    char *out = rf_alloc(a, s.n + 1);
    size_t o = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.s[i] >= '0' && s.s[i] <= '9' && (o || s.s[i] != '0'))
            out[o++] = s.s[i];
    out[o] = '\0';
    return out;
}

/* digits - n, for digits above INT64_MAX and 0 < n. */
static char *digits_minus(rf_arena *a, const char *digits, int64_t n)
{
    size_t len = strlen(digits);
    char *out = rf_strdup(a, digits);
    int borrow = 0;
    for (size_t i = len; i-- > 0;) {
        int d = out[i] - '0' - borrow - (int)(n % 10);
        n /= 10;
        borrow = d < 0;
        out[i] = (char)('0' + (d + 10) % 10);
    }
    while (out[0] == '0' && out[1])
        out++;
    return out;
}

static void limit_offset_prepare(rf_page *pg)
{
    const rf_paginator *p = pg->p;
    const rf_str *v = rf_qs_get(&pg->qs, param(p->limit_query_param, "limit"));
    if (!v || !rf_positive_int(pg->arena, *v, true, p->max_limit, &pg->size))
        pg->size = p->default_limit;
    v = rf_qs_get(&pg->qs, param(p->offset_query_param, "offset"));
    if (!v || !rf_positive_int(pg->arena, *v, false, 0, &pg->offset))
        pg->offset = 0;
    else if (pg->offset == INT64_MAX)
        pg->offset_text = int_digits(pg->arena, *v);
}

const char *rf_page_prepare(rf_page *pg, bool *paginated, bool *needs_count)
{
    *needs_count = false;
    switch (pg->p->kind) {
    case RF_PAGE_NUMBER:
        pg->size = rf_page_size(pg);
        if ((*paginated = pg->size > 0) && !page_number_prepare(pg))
            return RF_INVALID_PAGE;
        *needs_count = *paginated;
        return NULL;
    case RF_LIMIT_OFFSET:
        limit_offset_prepare(pg);
        *needs_count = *paginated = pg->size > 0;
        return NULL;
    case RF_CURSOR:
        pg->size = rf_page_size(pg);
        if (!(*paginated = pg->size > 0))
            return NULL;
        return rf_cursor_prepare(pg);
    }
    return NULL;
}

const char *rf_page_take_count(rf_page *pg, int64_t count)
{
    pg->count = count;
    if (pg->p->kind != RF_PAGE_NUMBER)
        return NULL;
    /* allow_empty_first_page: no rows still make one (empty) page. */
    pg->num_pages = count == 0 ? 1 : (count - 1) / pg->size + 1;
    if (pg->number == 0)
        pg->number = pg->num_pages;
    if (pg->number > pg->num_pages)
        return RF_INVALID_PAGE;
    pg->offset = (pg->number - 1) * pg->size;
    return NULL;
}

void rf_page_window(const rf_page *pg, int64_t *limit, int64_t *offset)
{
    *offset = pg->offset;
    switch (pg->p->kind) {
    case RF_PAGE_NUMBER:
        *limit = pg->size;
        break;
    case RF_LIMIT_OFFSET:
        /* DRF returns [] without a query when the offset is past the end. */
        *limit = pg->count == 0 || pg->offset > pg->count ? 0 : pg->size;
        break;
    case RF_CURSOR:
        /* One more row than the page tells whether a next page exists. */
        *limit = pg->size + 1;
        break;
    }
}

static void write_link(rf_buf *b, const char *url)
{
    if (url)
        rf_json_str(b, url);
    else
        rf_json_null(b);
}

static void page_number_links(rf_page *pg, char **next, char **previous)
{
    const char *name = param(pg->p->page_query_param, "page");
    *next = pg->number < pg->num_pages ? url_with(pg, &pg->qs, name, pg->number + 1) : NULL;
    if (pg->number <= 1)
        *previous = NULL;
    else if (pg->number == 2)
        *previous = url_without(pg, &pg->qs, name);
    else
        *previous = url_with(pg, &pg->qs, name, pg->number - 1);
}

static void limit_offset_links(rf_page *pg, char **next, char **previous)
{
    const char *limit_name = param(pg->p->limit_query_param, "limit");
    const char *offset_name = param(pg->p->offset_query_param, "offset");
    rf_qs with_limit = rf_qs_with(pg->arena, &pg->qs, limit_name,
                                  rf_sprintf(pg->arena, "%lld", (long long)pg->size));
    int64_t end;
    if (__builtin_add_overflow(pg->offset, pg->size, &end) || end >= pg->count)
        *next = NULL;
    else
        *next = url_with(pg, &with_limit, offset_name, end);
    if (pg->offset <= 0) {
        *previous = NULL;
    } else if (pg->offset_text) {
        rf_qs qs = rf_qs_with(pg->arena, &with_limit, offset_name,
                              digits_minus(pg->arena, pg->offset_text, pg->size));
        *previous = rf_url_build(pg->arena, pg->base_url, &qs);
    } else if (pg->offset - pg->size <= 0)
        *previous = url_without(pg, &with_limit, offset_name);
    else
        *previous = url_with(pg, &with_limit, offset_name, pg->offset - pg->size);
}

/* The first n rows, in reverse for a reverse cursor (its query ran in the
 * reversed order). */
static void write_results(rf_buf *b, const rf_rowset *rows, int n, bool reversed,
                          rf_render_fn render)
{
    rf_buf_lit(b, "\"results\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            rf_buf_putc(b, ',');
        int at = reversed ? n - 1 - i : i;
        render(b, &rows->rows[at]);
    }
    rf_buf_lit(b, "]}");
}

void rf_page_write(rf_page *pg, rf_buf *b, const rf_rowset *rows, rf_render_fn render)
{
    char *next, *previous;
    int n = rows ? rows->n : 0;
    if (pg->p->kind == RF_CURSOR) {
        rf_buf_putc(b, '{');
        n = rf_cursor_write_links(pg, b, rows);
        write_results(b, rows, n, pg->cursor.reverse, render);
        return;
    }
    if (pg->p->kind == RF_PAGE_NUMBER)
        page_number_links(pg, &next, &previous);
    else
        limit_offset_links(pg, &next, &previous);
    rf_buf_lit(b, "{\"count\":");
    rf_json_i64(b, pg->count);
    rf_buf_lit(b, ",\"next\":");
    write_link(b, next);
    rf_buf_lit(b, ",\"previous\":");
    write_link(b, previous);
    rf_buf_putc(b, ',');
    write_results(b, rows, n, false, render);
}

/* ---------------------------------------------------------------------
 * The request side: build_absolute_uri() and the query parameters.
 */

const char *rf_request_base_url(rf_ctx *ctx)
{
    /* Django's get_host(): the Host header, else the server's address.
     * The scheme is http: TLS ends in front of restflow. */
    const char *host = rf_ctx_header(ctx, "Host");
    rf_buf b;
    rf_buf_init(&b, ctx->arena, 128);
    rf_buf_lit(&b, "http://");
    if (host && *host)
        rf_buf_puts(&b, host);
    else if (ctx->worker && ctx->worker->cfg)
        rf_buf_printf(&b, "%s:%d", ctx->worker->cfg->host, ctx->worker->cfg->port);
    else
        rf_buf_lit(&b, "localhost");
    rf_escape_uri_path(&b, ctx->path ? ctx->path : "/");
    rf_buf_putc(&b, '\0');
    return b.data;
}

rf_qs rf_request_qs(rf_ctx *ctx)
{
    const char *raw = ctx->raw_query;
    return rf_qs_parse(ctx->arena, raw, raw ? strlen(raw) : 0);
}

/* ---------------------------------------------------------------------
 * The public steps.
 */

/* Cursor pagination orders by the view's OrderingFilter when it has one
 * (DRF's get_ordering defers to it), else by the paginator's ordering. */
static bool cursor_ordering(rf_ctx *ctx, rf_page *pg)
{
    const rf_view *view = rf_ctx_view(ctx);
    const rf_filters *f = view ? view->filters : NULL;
    if (f && (f->backends & RF_FILTER_ORDERING)) {
        rf_ordering_resolve(ctx->arena, f, rf_ctx_resource(ctx), &pg->qs, &pg->ordering, &pg->nordering);
    } else {
        pg->ordering = pg->p->ordering;
        pg->nordering = pg->p->nordering;
    }
    return pg->nordering > 0;
}

/* Order (reversed for a reverse cursor) and filter past the position. */
static bool cursor_apply(rf_page *pg, rf_query *q)
{
    rf_query_clear_order(q);
    for (int i = 0; i < pg->nordering; i++)
        rf_query_order_by(q, pg->ordering[i].field,
                          pg->ordering[i].desc != pg->cursor.reverse);
    const char *op;
    rf_value v;
    if (!rf_cursor_bound(pg, &op, &v))
        return false;
    if (op)
        rf_query_where_cmp(q, pg->ordering[0].field, op, v);
    return true;
}

bool rf_page_expected_window(const rf_page *pg, int64_t *limit, int64_t *offset)
{
    switch (pg->p->kind) {
    case RF_PAGE_NUMBER:
        if (pg->number == 0)        /* page=last */
            return false;
        *limit = pg->size;
        *offset = (pg->number - 1) * pg->size;
        return true;
    case RF_LIMIT_OFFSET:
        *limit = pg->size;
        *offset = pg->offset;
        return true;
    default:
        return false;
    }
}

static void apply_window(const rf_page *pg, rf_query *q)
{
    int64_t limit, offset;
    rf_page_window(pg, &limit, &offset);
    rf_query_limit(q, limit, offset);
}

rf_rc rf_page_plan(rf_ctx *ctx, const rf_paginator *p, rf_query *q,
                   rf_page **page, bool *needs_count)
{
    rf_page *pg = rf_calloc(ctx->arena, sizeof *pg);
    pg->p = p;
    pg->arena = ctx->arena;
    pg->base_url = rf_request_base_url(ctx);
    pg->qs = rf_request_qs(ctx);
    *page = NULL;
    bool paginated;
    const char *err = rf_page_prepare(pg, &paginated, needs_count);
    if (err)
        return rf_error(ctx, 404, err);
    if (!paginated)
        return RF_OK;
    if (p->kind == RF_CURSOR) {
        if (!cursor_ordering(ctx, pg)) {
            rf_log_error("%s: cursor pagination without an ordering", p->name);
            return rf_error(ctx, 500, "A server error occurred.");
        }
        if (!cursor_apply(pg, q))
            return rf_error(ctx, 404, RF_INVALID_CURSOR);
        apply_window(pg, q);
    }
    *page = pg;
    return RF_OK;
}

rf_rc rf_page_set_count(rf_ctx *ctx, rf_page *page, rf_query *q, int64_t count)
{
    const char *err = rf_page_take_count(page, count);
    if (err)
        return rf_error(ctx, 404, err);
    apply_window(page, q);
    return RF_OK;
}

void rf_page_render(rf_ctx *ctx, rf_page *page, rf_buf *b, rf_rowset *rows,
                    rf_render_fn render)
{
    (void)ctx;
    rf_page_write(page, b, rows, render);
}
