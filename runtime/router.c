/*
 * router.c: the route table, compiled once per worker and matched segment
 * by segment against the decoded path (no regular expression per request
 * except for `re:` captures, which are compiled once).
 *
 * Pattern syntax (http.h): a path template without the leading slash,
 * segments separated by '/', a trailing '/' meaning a trailing slash.  A
 * segment is literal text or holds one capture `{name}` / `{name:conv}`,
 * optionally between literal text (`{year:int}-archive`).  Converters, as
 * Django's and DRF's:
 *   str     [^/]+        (the default, as Django's path())
 *   int     [0-9]+
 *   slug    [-a-zA-Z0-9_]+
 *   uuid    [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
 *   lookup  [^/.]+       (DRF's default lookup_value_regex)
 *   re:R    R, a POSIX extended regular expression matched against the
 *           whole segment part (\d and \D are accepted as in Python)
 * Routes are tried in table order; the first match wins, as in Django.  A
 * route with format_suffix also matches its format-suffixed form right
 * after itself, as DRF's format_suffix_patterns lists them.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef enum conv { CONV_STR, CONV_INT, CONV_SLUG, CONV_UUID, CONV_LOOKUP, CONV_RE } conv;

typedef struct segment {
    char *prefix;            /* literal text; the whole segment when !capture */
    size_t prefix_len;
    bool capture;
    char *name;
    conv conv;
    regex_t re;              /* CONV_RE */
    char *suffix;
    size_t suffix_len;
} segment;

typedef struct compiled_route {
    const rf_route *route;
    segment *segs;
    int nsegs;
    char *allow;
} compiled_route;

struct rf_router {
    compiled_route *routes;
    int n;
};

/* ---------------------------------------------------------------------
 * Compiling patterns.
 */
static bool parse_conv(const char *spec, segment *s, const char **err)
{
    static const struct { const char *name; conv conv; } convs[] = {
        { "str", CONV_STR }, { "int", CONV_INT }, { "slug", CONV_SLUG },
        { "uuid", CONV_UUID }, { "lookup", CONV_LOOKUP },
    };
    if (strncmp(spec, "re:", 3) == 0) {
        /* Python's \d is not POSIX; spell it out. */
        size_t n = strlen(spec + 3);
        char *ere = malloc(n * 5 + 8), *o = ere;
        o += sprintf(o, "^(");
        for (const char *p = spec + 3; *p; p++) {
            if (p[0] == '\\' && (p[1] == 'd' || p[1] == 'D')) {
                o += sprintf(o, p[1] == 'd' ? "[0-9]" : "[^0-9]");
                p++;
            } else {
                *o++ = *p;
            }
        }
        strcpy(o, ")$");
        int rc = regcomp(&s->re, ere, REG_EXTENDED | REG_NOSUB);
        free(ere);
        if (rc != 0)
            return *err = "invalid regular expression in a re: converter", false;
        s->conv = CONV_RE;
        return true;
    }
    for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++)
        if (strcmp(spec, convs[i].name) == 0) {
            s->conv = convs[i].conv;
            return true;
        }
    return *err = "unknown converter", false;
}

/* Where the capture that opens at text[0] == '{' closes (braces nest, so
 * `re:[0-9]{4}` works), or NULL. */
static const char *capture_end(const char *text, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '{')
            depth++;
        else if (text[i] == '}' && --depth == 0)
            return text + i;
    }
    return NULL;
}

static bool compile_capture(segment *s, const char *open, const char *close, const char **err)
{
    char *inner = strndup(open + 1, (size_t)(close - open - 1));
    char *colon = strchr(inner, ':');
    bool ok = true;
    s->capture = true;
    s->conv = CONV_STR;
    if (colon) {
        *colon = '\0';
        ok = parse_conv(colon + 1, s, err);
    }
    if (ok && !*inner)
        ok = (*err = "a capture needs a name", false);
    s->name = inner;
    return ok;
}

static bool compile_segment(segment *s, const char *text, size_t n, const char **err)
{
    const char *open = memchr(text, '{', n);
    if (!open) {
        s->prefix = strndup(text, n);
        s->prefix_len = n;
        return true;
    }
    const char *close = capture_end(open, n - (size_t)(open - text));
    if (!close)
        return *err = "unbalanced '{' in a pattern", false;
    const char *rest = close + 1;
    size_t rest_len = n - (size_t)(rest - text);
    if (memchr(rest, '{', rest_len) || memchr(rest, '}', rest_len) ||
        memchr(text, '}', (size_t)(open - text)))
        return *err = "at most one capture per path segment", false;
    s->prefix = strndup(text, (size_t)(open - text));
    s->prefix_len = (size_t)(open - text);
    s->suffix = strndup(rest, rest_len);
    s->suffix_len = rest_len;
    return compile_capture(s, open, close, err);
}

/* The end of the segment starting at p: the next '/' outside braces. */
static const char *segment_end(const char *p)
{
    int depth = 0;
    for (; *p; p++) {
        if (*p == '{')
            depth++;
        else if (*p == '}')
            depth--;
        else if (*p == '/' && depth == 0)
            break;
    }
    return p;
}

static int count_segments(const char *pattern)
{
    int n = 1;
    for (const char *p = segment_end(pattern); *p; p = segment_end(p + 1))
        n++;
    return n;
}

static bool compile_pattern(compiled_route *cr, const char *pattern, const char **err)
{
    cr->nsegs = count_segments(pattern);
    cr->segs = calloc((size_t)cr->nsegs, sizeof *cr->segs);
    const char *p = pattern;
    for (int i = 0; i < cr->nsegs; i++) {
        const char *end = segment_end(p);
        if (!compile_segment(&cr->segs[i], p, (size_t)(end - p), err))
            return false;
        p = *end ? end + 1 : end;
    }
    return true;
}

bool rf_route_pattern_valid(const char *pattern, const char **err)
{
    compiled_route cr = { 0 };
    bool ok = pattern[0] != '/' ? compile_pattern(&cr, pattern, err)
                                : (*err = "a pattern has no leading '/'", false);
    for (int i = 0; i < cr.nsegs; i++) {
        free(cr.segs[i].prefix);
        free(cr.segs[i].suffix);
        free(cr.segs[i].name);
        if (cr.segs[i].conv == CONV_RE && cr.segs[i].capture)
            regfree(&cr.segs[i].re);
    }
    free(cr.segs);
    return ok;
}

/* DRF's Allow: the handled methods in the order GET, POST, PUT, PATCH,
 * DELETE, HEAD, OPTIONS; HEAD whenever GET; OPTIONS always. */
static char *allow_header(const rf_route *r)
{
    unsigned mask = RF_M(RF_OPTIONS);
    if (r->kind == RF_ROUTE_API_ROOT)
        mask |= RF_M(RF_GET);
    for (int m = 0; m < RF_METHOD_COUNT; m++)
        if (r->by_method[m])
            mask |= RF_M(m);
    if (mask & RF_M(RF_GET))
        mask |= RF_M(RF_HEAD);
    char buf[64] = "";
    for (int m = 0; m < RF_METHOD_COUNT; m++)
        if (mask & RF_M(m)) {
            if (buf[0])
                strcat(buf, ", ");
            strcat(buf, rf_method_name((rf_method)m));
        }
    return strdup(buf);
}

rf_router *rf_router_new(const rf_app *app)
{
    rf_router *r = calloc(1, sizeof *r);
    r->n = app->nroutes;
    r->routes = calloc((size_t)r->n + 1, sizeof *r->routes);
    for (int i = 0; i < r->n; i++) {
        const char *err;
        compiled_route *cr = &r->routes[i];
        cr->route = &app->routes[i];
        if (!rf_route_pattern_valid(cr->route->pattern, &err) ||
            !compile_pattern(cr, cr->route->pattern, &err)) {
            rf_log_error("route \"%s\": %s", cr->route->pattern, err);
            r->n = i;
            rf_router_free(r);
            return NULL;
        }
        cr->allow = allow_header(cr->route);
    }
    return r;
}

bool rf_router_append(rf_router *r, const rf_route *route, const char **err)
{
    /* One spare entry past n, as rf_router_new leaves (free walks to n). */
    compiled_route *grown = realloc(r->routes, ((size_t)r->n + 2) * sizeof *grown);
    if (!grown)
        abort();
    r->routes = grown;
    compiled_route *cr = &r->routes[r->n];
    memset(cr, 0, 2 * sizeof *cr);
    cr->route = route;
    if (!rf_route_pattern_valid(route->pattern, err) || !compile_pattern(cr, route->pattern, err))
        return false;
    cr->allow = allow_header(route);
    r->n++;
    return true;
}

void rf_router_free(rf_router *r)
{
    if (!r)
        return;
    for (int i = 0; i <= r->n; i++) {
        compiled_route *cr = &r->routes[i];
        for (int s = 0; s < cr->nsegs; s++) {
            segment *seg = &cr->segs[s];
            free(seg->prefix);
            free(seg->suffix);
            free(seg->name);
            if (seg->capture && seg->conv == CONV_RE)
                regfree(&seg->re);
        }
        free(cr->segs);
        free(cr->allow);
    }
    free(r->routes);
    free(r);
}

const char *rf_router_allow(const rf_router *r, const rf_route *route)
{
    for (int i = 0; i < r->n; i++)
        if (r->routes[i].route == route)
            return r->routes[i].allow;
    return "OPTIONS";
}

/* ---------------------------------------------------------------------
 * Matching.
 */
static bool all_of(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]) || !s[i])
            return false;
    return true;
}

static bool none_of(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(set, s[i]))
            return false;
    return true;
}

static bool is_uuid(const char *s, size_t n)
{
    static const char *const hex = "0123456789abcdef";
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !s[i] || !strchr(hex, s[i]))
            return false;
    }
    return true;
}

static bool conv_matches(const segment *seg, const char *v, size_t n)
{
    static const char digits[] = "0123456789";
    static const char slug[] = "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    switch (seg->conv) {
    case CONV_STR:    return true;
    case CONV_INT:    return all_of(v, n, digits);
    case CONV_SLUG:   return all_of(v, n, slug);
    case CONV_UUID:   return is_uuid(v, n);
    case CONV_LOOKUP: return none_of(v, n, ".");
    case CONV_RE:     break;
    }
    char small[256];
    char *text = n < sizeof small ? small : malloc(n + 1);
    memcpy(text, v, n);
    text[n] = '\0';
    bool ok = regexec(&seg->re, text, 0, NULL, 0) == 0;
    if (text != small)
        free(text);
    return ok;
}

static bool segment_matches(const segment *seg, const char *v, size_t n,
                            const char **cap, size_t *cap_len)
{
    if (!seg->capture)
        return n == seg->prefix_len && memcmp(v, seg->prefix, n) == 0;
    if (n <= seg->prefix_len + seg->suffix_len ||
        memcmp(v, seg->prefix, seg->prefix_len) != 0 ||
        memcmp(v + n - seg->suffix_len, seg->suffix, seg->suffix_len) != 0)
        return false;
    *cap = v + seg->prefix_len;
    *cap_len = n - seg->prefix_len - seg->suffix_len;
    return conv_matches(seg, *cap, *cap_len);
}

typedef struct capture { const segment *seg; const char *v; size_t n; } capture;

static bool route_matches(const compiled_route *cr, const char *path,
                          capture *caps, int *ncaps)
{
    const char *p = path;
    *ncaps = 0;
    for (int i = 0; i < cr->nsegs; i++) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        bool last = i == cr->nsegs - 1;
        if (last != (slash == NULL))
            return false;
        const char *cap;
        size_t cap_len;
        if (!segment_matches(&cr->segs[i], p, n, &cap, &cap_len))
            return false;
        if (cr->segs[i].capture)
            caps[(*ncaps)++] = (capture){ &cr->segs[i], cap, cap_len };
        p += n + 1;
    }
    return true;
}

static bool capture_into(const compiled_route *cr, rf_ctx *ctx, const char *path)
{
    capture caps[cr->nsegs];
    int ncaps;
    if (!route_matches(cr, path, caps, &ncaps))
        return false;
    for (int c = 0; c < ncaps; c++)
        rf_ctx_add_kwarg(ctx, caps[c].seg->name, rf_strndup(ctx->arena, caps[c].v, caps[c].n));
    return true;
}

/* format_suffix_patterns: the route's pattern with its trailing "/"
 * replaced by \.(?P<format>[a-z0-9]+)/?$ (for the API root, whose own
 * pattern inside the include is empty, appended to it).  The format is
 * after the last '.', since it cannot hold one. */
static bool suffix_matches(const compiled_route *cr, rf_ctx *ctx, const char *path)
{
    size_t n = strlen(path);
    if (n && path[n - 1] == '/')
        n--;
    const char *dot = memrchr(path, '.', n);
    size_t flen = dot ? n - (size_t)(dot + 1 - path) : 0;
    if (!flen || !all_of(dot + 1, flen, "abcdefghijklmnopqrstuvwxyz0123456789"))
        return false;
    bool root = cr->route->kind == RF_ROUTE_API_ROOT;
    const char *base = rf_sprintf(ctx->arena, "%.*s%s", (int)(dot - path), path, root ? "" : "/");
    if (!capture_into(cr, ctx, base))
        return false;
    rf_ctx_add_kwarg(ctx, "format", rf_strndup(ctx->arena, dot + 1, flen));
    return true;
}

bool rf_router_match(const rf_router *r, rf_ctx *ctx, const char *path,
                     const rf_route **route)
{
    if (*path == '/')
        path++;
    for (int i = 0; i < r->n; i++) {
        const compiled_route *cr = &r->routes[i];
        if (capture_into(cr, ctx, path) ||
            (cr->route->format_suffix && suffix_matches(cr, ctx, path))) {
            *route = cr->route;
            return true;
        }
    }
    return false;
}
