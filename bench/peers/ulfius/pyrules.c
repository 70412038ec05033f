/* Python's text rules that DRF's answers depend on; see pyrules.h. */
#include "pyrules.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Numbers and whitespace.
 */
static bool is_py_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

char *strip(char *text)
{
    while (is_py_space(*text))
        text++;
    size_t len = strlen(text);
    while (len && is_py_space(text[len - 1]))
        text[--len] = '\0';
    return text;
}

size_t utf8_length(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += ((unsigned char)*text & 0xC0) != 0x80;
    return n;
}

/* Digits with single underscores between them (PEP 515), copied into out
 * without the underscores; returns the end of the run, or NULL if none. */
static const char *digit_run(const char *p, char *out, size_t size, size_t *len)
{
    *len = 0;
    if (!isdigit((unsigned char)*p))
        return NULL;
    while (isdigit((unsigned char)*p)) {
        if (*len + 1 < size)
            out[(*len)++] = *p;
        else
            return NULL;
        p++;
        if (*p == '_' && isdigit((unsigned char)p[1]))
            p++;
    }
    out[*len] = '\0';
    return p;
}

bool python_int(const char *text, int64_t *out)
{
    char digits[24];
    size_t len;
    if (!text)
        return false;
    while (is_py_space(*text))
        text++;
    bool negative = *text == '-';
    if (*text == '-' || *text == '+')
        text++;
    const char *end = digit_run(text, digits, sizeof digits, &len);
    if (!end || len > 18)
        return false;
    while (is_py_space(*end))
        end++;
    if (*end)
        return false;
    *out = strtoll(digits, NULL, 10) * (negative ? -1 : 1);
    return true;
}

/* Place a decimal point into significant digits: `point` digits before it
 * (zero or negative: leading zeros after "0."), padding with zeros; at
 * least one digit after the point when min_fraction is 1. */
static void place_point(char *out, size_t size, bool negative, const char *digits, int point,
                        int min_fraction)
{
    int n = (int)strlen(digits);
    size_t len = (size_t)snprintf(out, size, "%s", negative ? "-" : "");
    if (point <= 0) {
        len += (size_t)snprintf(out + len, size - len, "0.");
        for (int i = point; i < 0 && len + 1 < size; i++)
            out[len++] = '0';
        snprintf(out + len, size - len, "%s", digits);
        return;
    }
    for (int i = 0; i < point && len + 1 < size; i++)
        out[len++] = i < n ? digits[i] : '0';
    out[len] = '\0';
    if (n > point)
        snprintf(out + len, size - len, ".%s", digits + point);
    else if (min_fraction)
        snprintf(out + len, size - len, ".0");
}

char *python_float_repr(double v)
{
    char buf[40], out[48], digits[24];
    /* The shortest digits that read back as v, as Python's repr finds. */
    for (int places = 1; places <= 17; places++) {
        snprintf(buf, sizeof buf, "%.*e", places - 1, fabs(v));
        if (strtod(buf, NULL) == fabs(v))
            break;
    }
    char *e = strchr(buf, 'e');
    int exponent = atoi(e + 1);
    size_t n = 0;
    for (const char *p = buf; p < e; p++)
        if (isdigit((unsigned char)*p))
            digits[n++] = *p;
    digits[n] = '\0';
    int point = exponent + 1;   /* digits before the decimal point */
    if (point > 16 || point < -3)
        snprintf(out, sizeof out, "%s%c%s%se%c%02d", v < 0 ? "-" : "", digits[0],
                 n > 1 ? "." : "", digits + 1, exponent < 0 ? '-' : '+', abs(exponent));
    else
        place_point(out, sizeof out, v < 0, digits, point, 1);
    return strdup(out);
}

/* ------------------------------------------------------------------------
 * Decimals.
 */
bool decimal_parse(const char *text, struct decimal *out)
{
    char whole[48] = "", fraction[48] = "", exp_digits[12] = "";
    size_t whole_len = 0, fraction_len = 0, exp_len;
    while (is_py_space(*text))
        text++;
    out->negative = *text == '-';
    if (*text == '-' || *text == '+')
        text++;
    const char *p = digit_run(text, whole, sizeof whole, &whole_len);
    if (!p)
        p = text;
    if (*p == '.') {
        const char *after = digit_run(p + 1, fraction, sizeof fraction, &fraction_len);
        p = after ? after : p + 1;
    }
    if (whole_len + fraction_len == 0)
        return false;
    int exponent = 0;
    if (*p == 'e' || *p == 'E') {
        bool exp_negative = p[1] == '-';
        p += (p[1] == '-' || p[1] == '+') ? 2 : 1;
        p = digit_run(p, exp_digits, sizeof exp_digits, &exp_len);
        if (!p || exp_len > 6)
            return false;
        exponent = atoi(exp_digits) * (exp_negative ? -1 : 1);
    }
    while (is_py_space(*p))
        p++;
    if (*p)
        return false;
    char all[96];
    snprintf(all, sizeof all, "%s%s", whole, fraction);
    const char *significant = all + strspn(all, "0");
    if (!*significant)
        significant = "0";
    if (strlen(significant) >= sizeof out->digits)
        return false;
    strcpy(out->digits, significant);
    out->exponent = exponent - (int)fraction_len;
    return true;
}

const char *decimal_precision_error(const struct decimal *d, int max_digits, int places)
{
    static char message[96];
    int n = (int)strlen(d->digits), total, decimals;
    if (d->exponent >= 0) {
        total = n + d->exponent;
        decimals = 0;
    } else if (n > -d->exponent) {
        total = n;
        decimals = -d->exponent;
    } else {
        total = decimals = -d->exponent;
    }
    if (total > max_digits)
        snprintf(message, sizeof message,
                 "Ensure that there are no more than %d digits in total.", max_digits);
    else if (decimals > places)
        snprintf(message, sizeof message,
                 "Ensure that there are no more than %d decimal places.", places);
    else if (total - decimals > max_digits - places)
        snprintf(message, sizeof message,
                 "Ensure that there are no more than %d digits before the decimal point.",
                 max_digits - places);
    else
        return NULL;
    return message;
}

bool decimal_is_zero(const struct decimal *d)
{
    return strcmp(d->digits, "0") == 0;
}

void decimal_format(const struct decimal *d, int places, char *out, size_t size)
{
    /* Pad the coefficient to exactly `places` digits after the point. */
    char padded[80];
    int zeros = d->exponent + places;
    snprintf(padded, sizeof padded, "%s%.*s", d->digits, zeros, "00000000000000000000");
    place_point(out, size, d->negative, padded, (int)strlen(padded) - places, 0);
}

double decimal_to_double(const struct decimal *d)
{
    char text[64];
    snprintf(text, sizeof text, "%s%se%d", d->negative ? "-" : "", d->digits, d->exponent);
    return strtod(text, NULL);
}

/* ------------------------------------------------------------------------
 * Query strings.
 */
struct param { char *key, *value; };
struct query { struct param *params; size_t n; };

static int hex_value(char c)
{
    if (isdigit((unsigned char)c))
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* unquote_plus: '+' is a space, %XX a byte; a bad escape stays as it is. */
static char *unquote_plus(const char *s, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            *o++ = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

struct query *query_parse(const char *url)
{
    struct query *q = calloc(1, sizeof *q);
    const char *s = strchr(url, '?');
    if (!s)
        return q;
    s++;
    size_t cap = 0;
    while (*s && *s != '#') {
        size_t len = strcspn(s, "&#");
        if (len) {
            const char *eq = memchr(s, '=', len);
            size_t key_len = eq ? (size_t)(eq - s) : len;
            if (q->n == cap)
                q->params = realloc(q->params, (cap = cap ? 2 * cap : 8) * sizeof *q->params);
            q->params[q->n].key = unquote_plus(s, key_len);
            q->params[q->n].value = eq ? unquote_plus(eq + 1, len - key_len - 1) : strdup("");
            q->n++;
        }
        s += len;
        if (*s == '&')
            s++;
    }
    return q;
}

void query_free(struct query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->params[i].key);
        free(q->params[i].value);
    }
    free(q->params);
    free(q);
}

const char *query_get(const struct query *q, const char *name)
{
    const char *found = NULL;
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->params[i].key, name))
            found = q->params[i].value;
    return found;
}

/* quote_plus: [A-Za-z0-9_.~-] stay, a space is '+', the rest %XX. */
static void append_quoted(char **out, size_t *len, size_t *cap, const char *s)
{
    for (; *s; s++) {
        if (*len + 4 > *cap)
            *out = realloc(*out, *cap *= 2);
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || strchr("_.~-", c))
            (*out)[(*len)++] = (char)c;
        else if (c == ' ')
            (*out)[(*len)++] = '+';
        else
            *len += (size_t)sprintf(*out + *len, "%%%02X", c);
    }
    (*out)[*len] = '\0';
}

static void append(char **out, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    while (*len + n + 1 > *cap)
        *out = realloc(*out, *cap *= 2);
    memcpy(*out + *len, s, n + 1);
    *len += n;
}

char *query_page_url(const struct query *q, const char *host, const char *path, int64_t page)
{
    /* parse_qs groups values by key; urlencode(sorted(...), doseq=True). */
    const struct param **order = malloc((q->n + 1) * sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->params[i].key, "page"))
            order[n++] = &q->params[i];
    for (size_t i = 1; i < n; i++)   /* stable insertion sort by key */
        for (size_t j = i; j > 0 && strcmp(order[j - 1]->key, order[j]->key) > 0; j--) {
            const struct param *t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    char page_key[] = "page", page_text[24];
    snprintf(page_text, sizeof page_text, "%lld", (long long)page);
    struct param page_param = {page_key, page_text};
    if (page > 1) {   /* insert at its sorted place */
        size_t at = 0;
        while (at < n && strcmp(order[at]->key, "page") < 0)
            at++;
        memmove(order + at + 1, order + at, (n - at) * sizeof *order);
        order[at] = &page_param;
        n++;
    }
    size_t len = 0, cap = 256;
    char *url = malloc(cap);
    url[0] = '\0';
    append(&url, &len, &cap, "http://");
    append(&url, &len, &cap, host ? host : "");
    append(&url, &len, &cap, path);
    for (size_t i = 0; i < n; i++) {
        append(&url, &len, &cap, i ? "&" : "?");
        append_quoted(&url, &len, &cap, order[i]->key);
        append(&url, &len, &cap, "=");
        append_quoted(&url, &len, &cap, order[i]->value);
    }
    free(order);
    return url;
}
