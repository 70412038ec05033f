/*
 * negotiation.c: DRF's DefaultContentNegotiation.select_renderer and
 * JSONRenderer.get_indent.
 *
 * DRF ignores q-values: Accept tokens are grouped by how specific they are
 * (type/subtype;params > type/subtype > type/any > any), and the first
 * renderer matching a token of the most specific group wins.  The response's
 * Content-Type is the renderer's media type; the accepted media type only
 * carries parameters (indent=N).  `?format=` restricts the renderers first
 * (no renderer of that format: 404, as DRF's Http404).
 *
 * Renderers: JSON and the browsable API (browsable.c, text/html), in
 * DRF's DEFAULT_RENDERER_CLASSES order: a browser's Accept names text/html
 * before its wildcard, so it gets the browsable API where the view has it,
 * as in DRF.
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

typedef rf_renderer renderer;

/* JSONRenderer: the body is already compact JSON; indent it when the
 * accepted media type asked. */
static void json_finish(rf_ctx *ctx)
{
    if (ctx->indent <= 0)
        return;
    rf_buf b;
    rf_buf_init(&b, ctx->arena, ctx->resp_len * 2 + 16);
    rf_json_reindent(&b, ctx->resp_body, ctx->resp_len, ctx->indent);
    ctx->resp_body = b.data;
    ctx->resp_len = b.len;
}

const rf_renderer rf_json_renderer = {
    RF_RENDER_JSON, "application/json", "application", "json", json_finish, false,
};

/* In DRF's order of DEFAULT_RENDERER_CLASSES. */
static const renderer *const renderers[] = { &rf_json_renderer, &rf_browsable_renderer };
#define NRENDERERS (sizeof renderers / sizeof renderers[0])

typedef struct param {
    char *name, *value;
} param;

/* One Accept token (or accepted media type) parsed as Django's
 * parse_header: the type lower-cased, parameter names lower-cased and
 * stripped, values stripped and unquoted.  Parameters without '=' are
 * dropped. */
typedef struct media {
    const char *raw;
    char *main, *sub;
    param params[8];
    int nparams;
} media;

static char *strip(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* The next ';' that is not inside a quoted string. */
static char *next_semicolon(char *start)
{
    bool quoted = false;
    for (char *s = start; *s; s++) {
        if (*s == '"' && (s == start || s[-1] != '\\'))
            quoted = !quoted;
        else if (*s == ';' && !quoted)
            return s;
    }
    return NULL;
}

static void add_param(media *m, char *p)
{
    char *eq = strchr(p, '=');
    if (!eq || m->nparams == (int)(sizeof m->params / sizeof m->params[0]))
        return;
    *eq = '\0';
    char *name = strip(p), *value = strip(eq + 1);
    lower(name);
    size_t n = strlen(value);
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        value[n - 1] = '\0';
        value++;
    }
    m->params[m->nparams++] = (param){ name, value };
}

static void parse_media(rf_arena *a, const char *token, media *m)
{
    char *s = rf_strdup(a, token);
    m->raw = token;
    m->nparams = 0;
    char *semi = next_semicolon(s);
    if (semi)
        *semi = '\0';
    char *full = strip(s);
    lower(full);
    char *slash = strchr(full, '/');
    if (slash)
        *slash = '\0';
    m->main = full;
    m->sub = slash ? slash + 1 : "";
    while (semi) {
        char *p = semi + 1;
        semi = next_semicolon(p);
        if (semi)
            *semi = '\0';
        add_param(m, p);
    }
}

/* _MediaType.precedence: 3 type/subtype;params, 2 type/subtype (q only),
 * 1 type/wildcard, 0 any. */
static int precedence(const media *m)
{
    if (strcmp(m->main, "*") == 0)
        return 0;
    if (strcmp(m->sub, "*") == 0)
        return 1;
    for (int i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, "q") != 0)
            return 3;
    return 2;
}

static bool renderer_matches(const renderer *r, const media *m)
{
    return (strcmp(m->sub, "*") == 0 || strcmp(m->sub, r->sub) == 0) &&
           (strcmp(m->main, "*") == 0 || strcmp(m->main, r->main) == 0);
}

static const char *param_value(const media *m, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0)
            v = m->params[i].value;   /* a dict: the last one wins */
    return v;
}

/* Python's int(): surrounding whitespace, a sign, digits with single
 * underscores between them. */
static bool python_int(const char *s, long *out)
{
    while (isspace((unsigned char)*s))
        s++;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    long v = 0;
    for (; *s; s++) {
        if (*s == '_' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[-1]))
            continue;
        if (!isdigit((unsigned char)*s))
            break;
        v = v > 1000 ? v : v * 10 + (*s - '0');   /* only min(v, 8) matters */
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* JSONRenderer.get_indent: max(min(int(indent), 8), 0), 0 meaning none. */
static int indent_of(const media *m)
{
    const char *v = param_value(m, "indent");
    long n;
    if (!v || !python_int(v, &n))
        return 0;
    return n < 0 ? 0 : n > 8 ? 8 : (int)n;
}

static uint32_t configured_renderers(const rf_ctx *ctx)
{
    return ctx->action && ctx->action->renderers ? ctx->action->renderers : RF_RENDER_JSON;
}

static int split_accept(rf_arena *a, const char *header, media **out)
{
    int n = 1;
    for (const char *p = header; *p; p++)
        n += *p == ',';
    media *ms = rf_alloc(a, (size_t)n * sizeof *ms);
    char *copy = rf_strdup(a, header);
    int i = 0;
    for (char *tok = copy, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        parse_media(a, strip(tok), &ms[i++]);
    }
    *out = ms;
    return n;
}

/* The format of every renderer a view may name, implemented or not: a
 * configured renderer that does not exist yet is "known", so its format
 * leaves nothing acceptable (406) rather than nothing at all (404). */
static const struct { uint32_t bit; const char *format; } formats[] = {
    { RF_RENDER_JSON, "json" },
    { RF_RENDER_BROWSABLE, "api" },
};

static uint32_t filter_by_format(uint32_t mask, const char *format)
{
    uint32_t kept = 0;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if ((mask & formats[i].bit) && strcmp(formats[i].format, format) == 0)
            kept |= formats[i].bit;
    return kept;
}

/* The first (renderer, token) pair of the most specific group that matches;
 * tokens of one group are tried in header order. */
static const renderer *select_renderer(uint32_t mask, const media *ms, int n, const media **token)
{
    for (int level = 3; level >= 0; level--)
        for (size_t r = 0; r < NRENDERERS; r++) {
            if (!(mask & renderers[r]->bit))
                continue;
            for (int i = 0; i < n; i++)
                if (precedence(&ms[i]) == level && renderer_matches(renderers[r], &ms[i])) {
                    *token = &ms[i];
                    return renderers[r];
                }
        }
    return NULL;
}

rf_rc rf_negotiate(rf_ctx *ctx)
{
    uint32_t mask = configured_renderers(ctx);
    /* A format suffix (products.json) first, then ?format= */
    const char *format = rf_ctx_kwarg(ctx, "format");
    if (!format || !*format)
        format = rf_ctx_query(ctx, "format");
    if (format && *format && !(mask = filter_by_format(mask, format)))
        return rf_error(ctx, 404, "Not found.");
    const char *accept = rf_ctx_header(ctx, "Accept");
    media *ms;
    int n = split_accept(ctx->arena, accept ? accept : "*/*", &ms);
    const media *token;
    const renderer *r = select_renderer(mask, ms, n, &token);
    if (!r)
        return rf_error(ctx, 406, "Could not satisfy the request Accept header.");
    ctx->renderer = r;
    ctx->indent = indent_of(token);
    return RF_OK;
}
