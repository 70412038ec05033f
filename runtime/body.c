/*
 * body.c: URL decoding, query strings, and the request body parsers (JSON,
 * form), parsed lazily on the first rf_ctx_body() so that a 404 from
 * get_object beats a 415 or a 400, as in DRF.
 *
 * Parsers: JSON, form (application/x-www-form-urlencoded) and multipart
 * form fields, each presenting the data as jansson values.
 *
 * The JSON parser is a scanner that follows CPython's json module step by
 * step, so that its errors carry the exact text DRF shows
 * ("JSON parse error - Expecting ',' delimiter: line 1 column 8 (char 7)"),
 * positions counted in characters; it builds jansson values directly.
 * Where Python accepts what jansson cannot hold, restflow answers 400 (see
 * docs/runtime.md, "Request bodies"):
 *   - an integer outside int64 becomes a real (a double);
 *   - a number that overflows a double (1e400: Python's inf) is refused;
 *   - a lone UTF-16 surrogate escape ("\ud800") becomes U+FFFD;
 *   - nesting deeper than RF_JSON_MAX_DEPTH is refused (Python's recursion
 *     limit makes DRF answer 500 there).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

#define RF_JSON_MAX_DEPTH 1000

/* ---------------------------------------------------------------------
 * UTF-8 as CPython's decoder sees it: the length of a valid sequence, or
 * the length of the maximal invalid subpart (what one U+FFFD replaces and
 * what the error message spans).
 */
typedef enum utf8_status { UTF8_OK, UTF8_BAD_START, UTF8_BAD_CONT, UTF8_TRUNCATED } utf8_status;

static bool is_cont(unsigned char c) { return c >= 0x80 && c <= 0xBF; }

static utf8_status utf8_seq(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char b = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    *len = 1;
    if (b < 0x80)
        return UTF8_OK;
    if (b < 0xC2 || b > 0xF4)
        return UTF8_BAD_START;
    need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    for (size_t i = 1; i < need; i++) {
        if (i >= n) {
            *len = i;
            return UTF8_TRUNCATED;
        }
        bool ok = i == 1 ? (s[1] >= lo && s[1] <= hi) : is_cont(s[i]);
        if (!ok) {
            *len = i;
            return UTF8_BAD_CONT;
        }
    }
    *len = need;
    return UTF8_OK;
}

/* ---------------------------------------------------------------------
 * URL decoding.
 */
typedef enum bad_utf8 { BAD_REPLACE, BAD_REPERCENT } bad_utf8;

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* plus: a query component ('+' is a space).  In a path, %00 stays as it
 * is: a NUL would cut the C string (and with it the route) short.  The
 * converters that refuse a NUL (int, slug, uuid) refuse '%' too; lookup
 * and str capture "%00" where Django captures a NUL, and a lookup either
 * way finds no row: 404, as DRF. */
static size_t unpercent(char *out, const char *s, size_t n, bool plus)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0 && (plus || hi || lo)) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    return o;
}

/* Invalid UTF-8 becomes U+FFFD (Python's errors='replace', what unquote
 * and QueryDict do) or %XX again (Django's repercent_broken_unicode, what
 * request.path gets). */
static char *fix_utf8(rf_arena *a, const char *s, size_t n, bad_utf8 mode)
{
    char *out = rf_alloc(a, n * 3 + 1), *o = out;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len;
        if (utf8_seq(u + i, n - i, &len) == UTF8_OK) {
            memcpy(o, u + i, len);
            o += len;
        } else if (mode == BAD_REPLACE) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            for (size_t j = 0; j < len; j++)
                o += sprintf(o, "%%%02X", u[i + j]);
        }
        i += len;
    }
    *o = '\0';
    return out;
}

char *rf_url_decode(rf_arena *a, const char *s, size_t n, bool plus)
{
    char *raw = rf_alloc(a, n + 1);
    size_t len = unpercent(raw, s, n, plus);
    return fix_utf8(a, raw, len, plus ? BAD_REPLACE : BAD_REPERCENT);
}

int rf_parse_qs(rf_arena *a, const char *s, size_t n, rf_kv **out)
{
    int count = 0;
    for (size_t i = 0; i < n; i++)
        count += s[i] == '&';
    rf_kv *kv = rf_alloc(a, (size_t)(count + 1) * sizeof *kv);
    int k = 0;
    for (size_t start = 0; start <= n;) {
        const char *amp = memchr(s + start, '&', n - start);
        size_t end = amp ? (size_t)(amp - s) : n;
        if (end > start) {
            const char *piece = s + start;
            size_t plen = end - start;
            const char *eq = memchr(piece, '=', plen);
            size_t nlen = eq ? (size_t)(eq - piece) : plen;
            kv[k].name = rf_url_decode(a, piece, nlen, true);
            kv[k].value = eq ? rf_url_decode(a, eq + 1, plen - nlen - 1, true) : "";
            k++;
        }
        start = end + 1;
    }
    *out = kv;
    return k;
}

/* ---------------------------------------------------------------------
 * JSON, as CPython's json.loads after DRF's utf-8 stream reader.
 */
typedef struct scanner {
    const unsigned char *s;
    size_t len;
    rf_arena *arena;
    const char *msg;        /* the error, without its position */
    size_t pos;             /* byte offset of the error */
    bool positioned;        /* append ": line L column C (char N)" */
    int depth;
    rf_buf str;             /* scratch for decoded strings and keys */
} scanner;

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const scanner *sc, size_t i)
{
    while (i < sc->len && is_ws(sc->s[i]))
        i++;
    return i;
}

static json_t *fail_at(scanner *sc, const char *msg, size_t pos)
{
    sc->msg = msg;
    sc->pos = pos;
    sc->positioned = true;
    return NULL;
}

static json_t *fail_plain(scanner *sc, const char *msg)
{
    sc->msg = msg;
    sc->positioned = false;
    return NULL;
}

static bool has_literal(const scanner *sc, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    return i + n <= sc->len && memcmp(sc->s + i, lit, n) == 0;
}

static void put_utf8(rf_buf *b, uint32_t c)
{
    char u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (char)c; n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6)); u[1] = (char)(0x80 | (c & 0x3F)); n = 2;
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12)); u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (c >> 18)); u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F)); u[3] = (char)(0x80 | (c & 0x3F)); n = 4;
    }
    rf_buf_append(b, u, n);
}

/* Four hex digits at i; false when one is not. */
static bool hex4(const scanner *sc, size_t i, uint32_t *out)
{
    uint32_t c = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(sc->s[i + k]);
        if (h < 0)
            return false;
        c = c << 4 | (uint32_t)h;
    }
    *out = c;
    return true;
}

/* "\uXXXX" after the backslash at u - 1, with CPython's surrogate pairing:
 * a high surrogate joins a following "\uXXXX" low surrogate. */
static bool scan_u_escape(scanner *sc, size_t u, size_t *end)
{
    uint32_t c, c2;
    size_t e = u + 5;
    if (e >= sc->len)
        return fail_at(sc, "Invalid \\uXXXX escape", u), false;
    if (!hex4(sc, u + 1, &c))
        return fail_at(sc, "Invalid \\uXXXX escape", u), false;
    if (c >= 0xD800 && c <= 0xDBFF && e + 6 < sc->len &&
        sc->s[e] == '\\' && sc->s[e + 1] == 'u') {
        if (!hex4(sc, e + 2, &c2))
            return fail_at(sc, "Invalid \\uXXXX escape", e + 1), false;
        if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
            e += 6;
        }
    }
    if (c >= 0xD800 && c <= 0xDFFF)
        c = 0xFFFD;   /* a lone surrogate: Python keeps it, UTF-8 cannot */
    put_utf8(&sc->str, c);
    *end = e;
    return true;
}

static char simple_escape(unsigned char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

/* A string whose opening quote is at i - 1; decoded into sc->str. */
static bool scan_string(scanner *sc, size_t i, size_t *next)
{
    size_t begin = i - 1;
    sc->str.len = 0;
    for (;;) {
        size_t j = i;
        while (j < sc->len && sc->s[j] != '"' && sc->s[j] != '\\') {
            if (sc->s[j] <= 0x1F)
                return fail_at(sc, "Invalid control character at", j), false;
            j++;
        }
        if (j >= sc->len)
            return fail_at(sc, "Unterminated string starting at", begin), false;
        rf_buf_append(&sc->str, sc->s + i, j - i);
        if (sc->s[j] == '"') {
            *next = j + 1;
            return true;
        }
        if (j + 1 >= sc->len)
            return fail_at(sc, "Unterminated string starting at", begin), false;
        unsigned char e = sc->s[j + 1];
        if (e == 'u') {
            if (!scan_u_escape(sc, j + 1, &i))
                return false;
            continue;
        }
        char c = simple_escape(e);
        if (!c)
            return fail_at(sc, "Invalid \\escape", j), false;
        rf_buf_putc(&sc->str, c);
        i = j + 2;
    }
}

static bool is_digit_at(const scanner *sc, size_t i)
{
    return i < sc->len && sc->s[i] >= '0' && sc->s[i] <= '9';
}

static size_t skip_digits(const scanner *sc, size_t i)
{
    while (is_digit_at(sc, i))
        i++;
    return i;
}

static json_t *make_number(scanner *sc, size_t start, size_t end, bool is_float)
{
    char *text = rf_strndup(sc->arena, (const char *)sc->s + start, end - start);
    if (!is_float) {
        errno = 0;
        long long v = strtoll(text, NULL, 10);
        if (errno != ERANGE)
            return json_integer(v);
    }
    double d = strtod(text, NULL);
    if (isinf(d))
        return fail_plain(sc, rf_sprintf(sc->arena,
            "Out of range float values are not JSON compliant: '%s'", text));
    return json_real(d);
}

/* CPython's _match_number_unicode: -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)? */
static json_t *scan_number(scanner *sc, size_t i, size_t *next)
{
    size_t start = i;
    bool is_float = false;
    if (sc->s[i] == '-' && ++i >= sc->len)
        return fail_at(sc, "Expecting value", start);
    if (sc->s[i] >= '1' && sc->s[i] <= '9')
        i = skip_digits(sc, i + 1);
    else if (sc->s[i] == '0')
        i++;
    else
        return fail_at(sc, "Expecting value", start);
    if (i < sc->len && sc->s[i] == '.' && is_digit_at(sc, i + 1)) {
        is_float = true;
        i = skip_digits(sc, i + 2);
    }
    if (i < sc->len && (sc->s[i] == 'e' || sc->s[i] == 'E')) {
        size_t e = i + 1;
        if (e < sc->len && (sc->s[e] == '-' || sc->s[e] == '+'))
            e++;
        size_t d = skip_digits(sc, e);
        if (d > e) {
            is_float = true;
            i = d;
        }
    }
    *next = i;
    return make_number(sc, start, i, is_float);
}

static json_t *scan_value(scanner *sc, size_t i, size_t *next);

static json_t *scan_array(scanner *sc, size_t i, size_t *next)
{
    json_t *arr = json_array();
    i = skip_ws(sc, i);
    if (i < sc->len && sc->s[i] == ']') {
        *next = i + 1;
        return arr;
    }
    for (;;) {
        json_t *v = scan_value(sc, i, &i);
        if (!v)
            break;
        json_array_append_new(arr, v);
        i = skip_ws(sc, i);
        if (i < sc->len && sc->s[i] == ']') {
            *next = i + 1;
            return arr;
        }
        if (i >= sc->len || sc->s[i] != ',') {
            fail_at(sc, "Expecting ',' delimiter", i);
            break;
        }
        i = skip_ws(sc, i + 1);
    }
    json_decref(arr);
    return NULL;
}

static bool scan_member(scanner *sc, json_t *obj, size_t i, size_t *next)
{
    if (i >= sc->len || sc->s[i] != '"')
        return fail_at(sc, "Expecting property name enclosed in double quotes", i), false;
    if (!scan_string(sc, i + 1, &i))
        return false;
    const char *key = rf_strndup(sc->arena, sc->str.data, sc->str.len);
    size_t klen = sc->str.len;
    i = skip_ws(sc, i);
    if (i >= sc->len || sc->s[i] != ':')
        return fail_at(sc, "Expecting ':' delimiter", i), false;
    json_t *v = scan_value(sc, skip_ws(sc, i + 1), next);
    if (!v)
        return false;
    json_object_setn_new_nocheck(obj, key, klen, v);
    return true;
}

static json_t *scan_object(scanner *sc, size_t i, size_t *next)
{
    json_t *obj = json_object();
    i = skip_ws(sc, i);
    if (i < sc->len && sc->s[i] == '}') {
        *next = i + 1;
        return obj;
    }
    for (;;) {
        if (!scan_member(sc, obj, i, &i))
            break;
        i = skip_ws(sc, i);
        if (i < sc->len && sc->s[i] == '}') {
            *next = i + 1;
            return obj;
        }
        if (i >= sc->len || sc->s[i] != ',') {
            fail_at(sc, "Expecting ',' delimiter", i);
            break;
        }
        i = skip_ws(sc, i + 1);
    }
    json_decref(obj);
    return NULL;
}

/* NaN, Infinity, -Infinity: Python's scanner accepts them and DRF's
 * parse_constant refuses them (STRICT_JSON). */
static json_t *scan_constant(scanner *sc, size_t i, size_t *next)
{
    static const char *const names[] = { "NaN", "Infinity", "-Infinity" };
    for (size_t k = 0; k < 3; k++)
        if (has_literal(sc, i, names[k]))
            return fail_plain(sc, rf_sprintf(sc->arena,
                "Out of range float values are not JSON compliant: '%s'", names[k]));
    return scan_number(sc, i, next);
}

static json_t *scan_nested(scanner *sc, size_t i, size_t *next)
{
    if (++sc->depth > RF_JSON_MAX_DEPTH)
        return fail_plain(sc, "Maximum nesting depth exceeded");
    json_t *v = sc->s[i] == '{' ? scan_object(sc, i + 1, next) : scan_array(sc, i + 1, next);
    sc->depth--;
    return v;
}

static json_t *scan_value(scanner *sc, size_t i, size_t *next)
{
    if (i >= sc->len)
        return fail_at(sc, "Expecting value", i);
    switch (sc->s[i]) {
    case '"':
        if (!scan_string(sc, i + 1, next))
            return NULL;
        return json_stringn_nocheck(sc->str.data, sc->str.len);
    case '{':
    case '[':
        return scan_nested(sc, i, next);
    case 'n':
        if (!has_literal(sc, i, "null"))
            break;
        *next = i + 4;
        return json_null();
    case 't':
        if (!has_literal(sc, i, "true"))
            break;
        *next = i + 4;
        return json_true();
    case 'f':
        if (!has_literal(sc, i, "false"))
            break;
        *next = i + 5;
        return json_false();
    default:
        break;
    }
    return scan_constant(sc, i, next);
}

/* Characters (not bytes) before byte offset pos; the input is valid UTF-8. */
static size_t char_index(const unsigned char *s, size_t pos)
{
    size_t n = 0;
    for (size_t i = 0; i < pos; i++)
        n += (s[i] & 0xC0) != 0x80;
    return n;
}

static const char *positioned_message(const scanner *sc)
{
    size_t pos = char_index(sc->s, sc->pos);
    size_t line = 1, last_nl = 0;
    bool seen_nl = false;
    for (size_t i = 0; i < sc->pos; i++)
        if (sc->s[i] == '\n') {
            line++;
            last_nl = i;
            seen_nl = true;
        }
    size_t col = seen_nl ? pos - char_index(sc->s, last_nl) : pos + 1;
    return rf_sprintf(sc->arena, "%s: line %zu column %zu (char %zu)",
                      sc->msg, line, col, pos);
}

/* DRF reads the body through a utf-8 StreamReader: the first invalid
 * sequence is an error; an incomplete sequence at the very end is dropped
 * (the reader waits for bytes that never come). */
static const char *decode_error(rf_arena *a, const unsigned char *s, size_t *n)
{
    for (size_t i = 0; i < *n;) {
        size_t len;
        utf8_status st = utf8_seq(s + i, *n - i, &len);
        if (st == UTF8_TRUNCATED) {
            *n = i;
            break;
        }
        if (st != UTF8_OK) {
            const char *why = st == UTF8_BAD_START ? "invalid start byte"
                                                   : "invalid continuation byte";
            if (len == 1)
                return rf_sprintf(a, "'utf-8' codec can't decode byte 0x%02x in "
                                  "position %zu: %s", s[i], i, why);
            return rf_sprintf(a, "'utf-8' codec can't decode bytes in position "
                              "%zu-%zu: %s", i, i + len - 1, why);
        }
        i += len;
    }
    return NULL;
}

json_t *rf_json_parse(rf_arena *a, const char *body, size_t n, const char **error)
{
    scanner sc = { .s = (const unsigned char *)body, .len = n, .arena = a };
    if ((*error = decode_error(a, sc.s, &sc.len)))
        return NULL;
    rf_buf_init(&sc.str, a, 256);
    json_t *v;
    size_t end;
    if (has_literal(&sc, 0, "\xEF\xBB\xBF"))
        v = fail_at(&sc, "Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    else if ((v = scan_value(&sc, skip_ws(&sc, 0), &end)) &&
             (end = skip_ws(&sc, end)) != sc.len) {
        json_decref(v);
        v = fail_at(&sc, "Extra data", end);
    }
    if (!v)
        *error = sc.positioned ? positioned_message(&sc) : sc.msg;
    return v;
}

/* ---------------------------------------------------------------------
 * Forms: Django's QueryDict, presented as a JSON object of strings.  A
 * repeated key keeps its first position and its last value (what
 * QueryDict.get, and so a serializer field, reads).
 */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0, len; i < n; i += len)
        if (utf8_seq(s + i, n - i, &len) != UTF8_OK)
            return false;
    return true;
}

static json_t *parse_form(rf_arena *a, const char *body, size_t n)
{
    const char *text = body;
    if (!valid_utf8((const unsigned char *)body, n)) {
        /* QueryDict falls back to latin-1 for bodies that are not UTF-8. */
        rf_buf b;
        rf_buf_init(&b, a, n * 2 + 1);
        for (size_t i = 0; i < n; i++)
            put_utf8(&b, (unsigned char)body[i]);
        text = b.data;
        n = b.len;
    }
    rf_kv *kv;
    int count = rf_parse_qs(a, text, n, &kv);
    json_t *obj = json_object();
    for (int i = 0; i < count; i++)
        json_object_set_new(obj, kv[i].name, json_string(kv[i].value));
    return obj;
}

/* ---------------------------------------------------------------------
 * multipart/form-data, as Django's MultiPartParser reads form fields: each
 * part's Content-Disposition names the field; its bytes are decoded as
 * UTF-8 with replacement.  Parts that carry a filename are uploads, which
 * no rflow field type takes: they are skipped.  Content-Transfer-Encoding
 * is not supported (browsers do not send it).
 */

/* A parameter of a header value (`; name="value"`), unquoted; NULL when
 * absent.  Names compare case-insensitively. */
static const char *header_param(rf_arena *a, const char *value, size_t n, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *p = memchr(value, ';', n); p; p = memchr(p + 1, ';', n - (size_t)(p + 1 - value))) {
        const char *q = p + 1;
        while (q < value + n && (*q == ' ' || *q == '\t'))
            q++;
        if ((size_t)(value + n - q) <= nlen || strncasecmp(q, name, nlen) != 0 || q[nlen] != '=')
            continue;
        q += nlen + 1;
        const char *end = value + n;
        if (*q == '"') {
            const char *close = memchr(q + 1, '"', (size_t)(end - q - 1));
            return rf_strndup(a, q + 1, close ? (size_t)(close - q - 1) : (size_t)(end - q - 1));
        }
        const char *stop = memchr(q, ';', (size_t)(end - q));
        size_t len = stop ? (size_t)(stop - q) : (size_t)(end - q);
        while (len && (q[len - 1] == ' ' || q[len - 1] == '\t'))
            len--;
        return rf_strndup(a, q, len);
    }
    return NULL;
}

/* cgi.valid_boundary: ^[ -~]{0,200}[!-~]$ */
static bool valid_boundary(const char *b)
{
    size_t n = strlen(b);
    if (n == 0 || n > 201 || b[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (b[i] < ' ' || b[i] > '~')
            return false;
    return true;
}

/* One part: headers, a blank line, data.  Adds a form field to obj. */
static void add_part(rf_arena *a, json_t *obj, const char *part, size_t n)
{
    const char *blank = memmem(part, n, "\r\n\r\n", 4);
    if (!blank)
        return;
    const char *name = NULL;
    bool upload = false;
    for (const char *line = part; line < blank;) {
        const char *eol = memmem(line, (size_t)(blank + 2 - line), "\r\n", 2);
        size_t len = (size_t)(eol - line);
        if (len > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
            name = header_param(a, line, len, "name");
            upload = header_param(a, line, len, "filename") != NULL;
        }
        line = eol + 2;
    }
    if (!name || upload)
        return;
    const char *data = blank + 4;
    size_t dlen = (size_t)(part + n - data);
    json_object_set_new(obj, name, json_string(fix_utf8(a, data, dlen, BAD_REPLACE)));
}

static json_t *parse_multipart(rf_arena *a, const char *content_type, const char *body,
                               size_t n, const char **error)
{
    const char *boundary = header_param(a, content_type, strlen(content_type), "boundary");
    if (!boundary || !valid_boundary(boundary)) {
        *error = rf_sprintf(a, "Invalid boundary in multipart: %s", boundary ? boundary : "None");
        return NULL;
    }
    const char *delim = rf_sprintf(a, "\r\n--%s", boundary);
    size_t dlen = strlen(delim);
    json_t *obj = json_object();
    /* After the first delimiter ("--boundary", at the very start or after
     * a preamble), each part runs to the next "\r\n--boundary"; a
     * delimiter followed by "--" closes the body. */
    const char *end = body + n, *p;
    if (n >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
        p = body + dlen - 2;
    else if ((p = memmem(body, n, delim, dlen)))
        p += dlen;
    while (p && end - p >= 2 && memcmp(p, "--", 2) != 0) {
        const char *line_end = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!line_end)
            break;
        /* An unterminated last part runs to the end, as Django reads it.
         * The delimiter line's own CRLF may open the next delimiter: an
         * empty part, skipped. */
        const char *next = memmem(line_end, (size_t)(end - line_end), delim, dlen);
        if (next != line_end)
            add_part(a, obj, line_end + 2, (size_t)((next ? next : end) - line_end - 2));
        p = next ? next + dlen : NULL;
    }
    return obj;
}

/* ---------------------------------------------------------------------
 * rf_ctx_body.
 */
typedef struct media_type {
    const char *main, *sub;
} media_type;

/* The type/subtype of a Content-Type value, lower-cased, parameters off. */
static media_type parse_media_type(rf_arena *a, const char *value)
{
    size_t n = strcspn(value, ";");
    char *full = rf_strndup(a, value, n);
    char *s = full;
    while (*s == ' ' || *s == '\t')
        s++;
    for (char *e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
        e[-1] = '\0';
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    char *slash = strchr(s, '/');
    if (slash)
        *slash = '\0';
    return (media_type){ s, slash ? slash + 1 : "" };
}

/* DRF's _MediaType.match: '*' on either side matches anything. */
static bool media_matches(media_type parser, media_type req)
{
    return (strcmp(req.sub, "*") == 0 || strcmp(parser.sub, req.sub) == 0) &&
           (strcmp(req.main, "*") == 0 || strcmp(parser.main, req.main) == 0);
}

static uint32_t select_parser(rf_ctx *ctx, const char *content_type)
{
    static const struct { uint32_t bit; media_type mt; } parsers[] = {
        { RF_PARSE_JSON, { "application", "json" } },
        { RF_PARSE_FORM, { "application", "x-www-form-urlencoded" } },
        { RF_PARSE_MULTIPART, { "multipart", "form-data" } },
    };
    uint32_t allowed = ctx->action && ctx->action->parsers
        ? ctx->action->parsers : RF_PARSE_JSON | RF_PARSE_FORM | RF_PARSE_MULTIPART;
    media_type req = parse_media_type(ctx->arena, content_type);
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++)
        if ((allowed & parsers[i].bit) && media_matches(parsers[i].mt, req))
            return parsers[i].bit;
    return 0;
}

static void free_json(void *arg)
{
    json_decref(arg);
}

static rf_rc body_parsed(rf_ctx *ctx, json_t *v, json_t **data)
{
    ctx->data = v;
    ctx->body_state = RF_BODY_PARSED;
    rf_arena_on_free(ctx->arena, free_json, v);
    *data = v;
    return RF_OK;
}

static rf_rc body_failed(rf_ctx *ctx, int status, const char *detail)
{
    ctx->body_state = RF_BODY_FAILED;
    ctx->body_error_status = status;
    ctx->body_error = detail;
    return rf_error(ctx, status, detail);
}

static rf_rc parse_body(rf_ctx *ctx, json_t **data)
{
    const char *content_type = rf_ctx_header(ctx, "Content-Type");
    if (!content_type)
        content_type = "";
    /* DRF: no body (Content-Length 0) is empty data, whatever the type. */
    if (ctx->body_len == 0)
        return body_parsed(ctx, json_object(), data);
    const char *error;
    json_t *v;
    switch (select_parser(ctx, content_type)) {
    case RF_PARSE_JSON:
        v = rf_json_parse(ctx->arena, ctx->body, ctx->body_len, &error);
        if (!v)
            return body_failed(ctx, 400, rf_sprintf(ctx->arena, "JSON parse error - %s", error));
        return body_parsed(ctx, v, data);
    case RF_PARSE_FORM:
        return body_parsed(ctx, parse_form(ctx->arena, ctx->body, ctx->body_len), data);
    case RF_PARSE_MULTIPART:
        v = parse_multipart(ctx->arena, content_type, ctx->body, ctx->body_len, &error);
        if (!v)
            return body_failed(ctx, 400, rf_sprintf(ctx->arena,
                                                    "Multipart form parse error - %s", error));
        return body_parsed(ctx, v, data);
    default:
        return body_failed(ctx, 415, rf_sprintf(ctx->arena,
            "Unsupported media type \"%s\" in request.", content_type));
    }
}

rf_rc rf_ctx_body(rf_ctx *ctx, json_t **data)
{
    switch (ctx->body_state) {
    case RF_BODY_PARSED:
        *data = ctx->data;
        return RF_OK;
    case RF_BODY_FAILED:
        *data = NULL;
        return rf_error(ctx, ctx->body_error_status, ctx->body_error);
    case RF_BODY_UNPARSED:
        break;
    }
    *data = NULL;
    return parse_body(ctx, data);
}
