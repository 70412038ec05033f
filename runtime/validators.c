/*
 * validators.c: the text rules DRF's fields inherit from Python and Django,
 * reproduced in C so that a value is accepted or refused exactly as there:
 *
 *   - Python's str.strip() whitespace, int(), float() and Decimal() input
 *     grammars (underscores between digits, surrounding whitespace), and
 *     str() of a JSON value (what DRF formats into messages);
 *   - Django 3.2's EmailValidator and URLValidator (their regular
 *     expressions written out as small matchers), DRF's slug pattern,
 *     Python's uuid.UUID(hex=...) parsing.
 *
 * Deliberate narrowings, documented in docs/serializers.md: digits are
 * ASCII only (Python also takes other Unicode decimal digits), case folding
 * in the validators is ASCII only, and IDNA's nameprep step is reduced to
 * ASCII lower-casing before Punycode.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serializer.h"

/* ---------------------------------------------------------------------
 * UTF-8 (input is valid UTF-8: the JSON parser checked it).
 */
static uint32_t utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    uint32_t c = p[0];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (*i + len > n)
        len = n - *i;
    if (len > 1) {
        c &= 0x3Fu >> (len - 1);
        for (size_t k = 1; k < len; k++)
            c = (c << 6) | (p[k] & 0x3F);
    }
    *i += len;
    return c;
}

size_t rf_utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* Python's str.isspace(). */
bool rf_py_isspace(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 ||
           c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Python's str.strip(): *s and *n narrowed in place. */
void rf_py_strip(const char **s, size_t *n)
{
    size_t i = 0, start = 0;
    while (i < *n) {
        size_t at = i;
        if (!rf_py_isspace(utf8_next(*s, *n, &i))) {
            start = at;
            break;
        }
        start = i;
    }
    size_t end = start;
    for (size_t j = start; j < *n;) {
        if (!rf_py_isspace(utf8_next(*s, *n, &j)))
            end = j;
    }
    *s += start;
    *n = end - start;
}

/* ---------------------------------------------------------------------
 * Python's number grammars.
 */

/* digitpart: digit (["_"] digit)*, in base 10 or 16.  Appends the digits
 * (underscores dropped) to out; returns the characters consumed, 0 when
 * there is no digit part. */
static size_t scan_digitpart(const char *s, size_t n, int base, rf_buf *out)
{
    size_t i = 0;
    while (i < n) {
        bool digit = base == 16 ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]);
        if (digit) {
            rf_buf_putc(out, s[i++]);
        } else if (s[i] == '_' && i > 0 && i + 1 < n &&
                   (base == 16 ? isxdigit((unsigned char)s[i + 1])
                               : isdigit((unsigned char)s[i + 1]))) {
            i++;
        } else {
            break;
        }
    }
    return i;
}

/* Python's int(text): whitespace, sign, digits with single underscores.
 * *out is clamped and *overflow set (-1/+1) past the int64 range. */
bool rf_py_int(rf_arena *a, const char *s, size_t n, int64_t *out, int *overflow)
{
    rf_py_strip(&s, &n);
    bool neg = false;
    if (n && (*s == '+' || *s == '-')) {
        neg = *s == '-';
        s++, n--;
    }
    rf_buf digits;
    rf_buf_init(&digits, a, n + 1);
    size_t used = scan_digitpart(s, n, 10, &digits);
    *overflow = 0;
    *out = 0;
    if (!used || used != n)
        return false;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t i = 0; i < digits.len; i++) {
        uint64_t d = (uint64_t)(digits.data[i] - '0');
        if (v > (limit - d) / 10) {
            *overflow = neg ? -1 : 1;
            v = limit;
            break;
        }
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* The finite part of float()/Decimal(): (digitpart ["." [digitpart]] |
 * "." digitpart) [("e"|"E") [sign] digitpart], underscores dropped into
 * out.  Returns the characters consumed, 0 when none. */
static size_t scan_py_decimal(const char *s, size_t n, rf_buf *out)
{
    size_t i = scan_digitpart(s, n, 10, out);
    bool any = i > 0;
    if (i < n && s[i] == '.') {
        rf_buf_putc(out, '.');
        size_t f = scan_digitpart(s + i + 1, n - i - 1, 10, out);
        if (!any && !f)
            return 0;
        any = true;
        i += 1 + f;
    }
    if (!any)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        size_t mark = out->len;
        rf_buf_putc(out, 'e');
        if (j < n && (s[j] == '+' || s[j] == '-'))
            rf_buf_putc(out, s[j++]);
        size_t e = scan_digitpart(s + j, n - j, 10, out);
        if (e)
            i = j + e;
        else
            out->len = mark, out->data[mark] = '\0';
    }
    return i;
}

static bool ascii_ieq(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* [sign] and the finite grammar over the whole (stripped) text, as
 * canonical text in the arena; NULL when it does not read. */
static const char *scan_signed_decimal(rf_arena *a, const char *s, size_t n)
{
    size_t sign = n && (*s == '+' || *s == '-');
    rf_buf text;
    rf_buf_init(&text, a, n + 2);
    if (sign)
        rf_buf_putc(&text, *s);
    size_t used = scan_py_decimal(s + sign, n - sign, &text);
    return used && sign + used == n ? text.data : NULL;
}

/* Python's float(text) for finite values: "inf", "infinity" and "nan"
 * (which Python also takes) are refused, see validate_float. */
bool rf_py_float(rf_arena *a, const char *s, size_t n, double *out)
{
    rf_py_strip(&s, &n);
    const char *text = scan_signed_decimal(a, s, n);
    if (text)
        *out = strtod(text, NULL);
    return text != NULL;
}

/* Python's Decimal(text) for a finite value, as canonical text.  CPython's
 * decimal drops every underscore before parsing (so "_1" and "1__0" pass,
 * unlike float()).  Infinity and NaN spellings fail, as DRF's DecimalField
 * refuses them. */
bool rf_py_decimal(rf_arena *a, const char *s, size_t n, const char **canon)
{
    rf_py_strip(&s, &n);
    rf_buf plain;
    rf_buf_init(&plain, a, n + 1);
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            rf_buf_putc(&plain, s[i]);
    *canon = scan_signed_decimal(a, plain.data, plain.len);
    return *canon != NULL;
}

/* ---------------------------------------------------------------------
 * str() of a JSON value, as Python prints the object json.loads made.
 */
static void py_repr_str(rf_buf *b, const char *s, size_t n)
{
    bool has_sq = memchr(s, '\'', n) != NULL, has_dq = memchr(s, '"', n) != NULL;
    char q = has_sq && !has_dq ? '"' : '\'';
    rf_buf_putc(b, q);
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t c = utf8_next(s, n, &i);
        if (c == (uint32_t)q || c == '\\')
            rf_buf_printf(b, "\\%c", (char)c);
        else if (c == '\n')
            rf_buf_lit(b, "\\n");
        else if (c == '\r')
            rf_buf_lit(b, "\\r");
        else if (c == '\t')
            rf_buf_lit(b, "\\t");
        else if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD)
            rf_buf_printf(b, "\\x%02x", c);
        else if (c == 0x2028 || c == 0x2029)   /* not printable: Zl, Zp */
            rf_buf_printf(b, "\\u%04x", c);
        else
            rf_buf_append(b, s + at, i - at);
    }
    rf_buf_putc(b, q);
}

static void py_repr(rf_buf *b, const json_t *v);

static void py_repr_container(rf_buf *b, const json_t *v)
{
    size_t i;
    const char *key;
    json_t *item;
    if (json_is_array(v)) {
        rf_buf_putc(b, '[');
        json_array_foreach(v, i, item) {
            if (i)
                rf_buf_lit(b, ", ");
            py_repr(b, item);
        }
        rf_buf_putc(b, ']');
        return;
    }
    rf_buf_putc(b, '{');
    bool first = true;
    json_object_foreach((json_t *)v, key, item) {
        if (!first)
            rf_buf_lit(b, ", ");
        first = false;
        py_repr_str(b, key, strlen(key));
        rf_buf_lit(b, ": ");
        py_repr(b, item);
    }
    rf_buf_putc(b, '}');
}

static void py_repr(rf_buf *b, const json_t *v)
{
    if (json_is_string(v))
        py_repr_str(b, json_string_value(v), json_string_length(v));
    else
        rf_py_str(b, v);
}

void rf_py_str(rf_buf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        rf_buf_append(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        rf_json_i64(b, json_integer_value(v));
        break;
    case JSON_REAL:
        rf_json_f64(b, json_real_value(v));
        break;
    case JSON_TRUE:
        rf_buf_lit(b, "True");
        break;
    case JSON_FALSE:
        rf_buf_lit(b, "False");
        break;
    case JSON_NULL:
        rf_buf_lit(b, "None");
        break;
    default:
        py_repr_container(b, v);
    }
}

const char *rf_py_typename(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "dict";
    case JSON_ARRAY:   return "list";
    case JSON_STRING:  return "str";
    case JSON_INTEGER: return "int";
    case JSON_REAL:    return "float";
    case JSON_TRUE:
    case JSON_FALSE:   return "bool";
    default:           return "NoneType";
    }
}

/* ---------------------------------------------------------------------
 * IP addresses, as Python's ipaddress module (no leading zeros in IPv4).
 */
static bool valid_ip(int family, const char *s, size_t n)
{
    char tmp[INET6_ADDRSTRLEN];
    struct in6_addr addr;   /* room for either family */
    if (n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(family, tmp, &addr) == 1;
}

static bool valid_ipv4(const char *s, size_t n)
{
    return valid_ip(AF_INET, s, n);
}

static bool valid_ipv6(const char *s, size_t n)
{
    return valid_ip(AF_INET6, s, n);
}

/* ---------------------------------------------------------------------
 * IDNA (Python's 'idna' codec): labels split on the four dots, ASCII
 * labels kept, others lower-cased and Punycode-encoded with "xn--"; every
 * label but a trailing empty one must be 1..63 characters.
 */
static char puny_digit(uint32_t d)
{
    return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static uint32_t puny_adapt(uint32_t delta, uint32_t numpoints, bool first)
{
    delta = first ? delta / 700 : delta / 2;
    delta += delta / numpoints;
    uint32_t k = 0;
    while (delta > ((36 - 1) * 26) / 2) {
        delta /= 36 - 1;
        k += 36;
    }
    return k + (36 * delta) / (delta + 38);
}

/* RFC 3492 encoding of code points cps[0..n). */
static void punycode(rf_buf *out, const uint32_t *cps, size_t n)
{
    size_t basic = 0;
    for (size_t i = 0; i < n; i++)
        if (cps[i] < 0x80) {
            rf_buf_putc(out, (char)tolower((int)cps[i]));
            basic++;
        }
    if (basic)
        rf_buf_putc(out, '-');
    uint32_t code = 0x80, delta = 0, bias = 72;
    for (size_t h = basic; h < n;) {
        uint32_t m = UINT32_MAX;
        for (size_t i = 0; i < n; i++)
            if (cps[i] >= code && cps[i] < m)
                m = cps[i];
        delta += (m - code) * (uint32_t)(h + 1);
        code = m;
        for (size_t i = 0; i < n; i++) {
            if (cps[i] < code)
                delta++;
            if (cps[i] != code)
                continue;
            uint32_t q = delta;
            for (uint32_t k = 36;; k += 36) {
                uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
                if (q < t)
                    break;
                rf_buf_putc(out, puny_digit(t + (q - t) % (36 - t)));
                q = (q - t) / (36 - t);
            }
            rf_buf_putc(out, puny_digit(q));
            bias = puny_adapt(delta, (uint32_t)(h + 1), h == basic);
            delta = 0;
            h++;
        }
        delta++;
        code++;
    }
}

static bool is_idna_dot(uint32_t c)
{
    return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61;
}

static bool in_ranges(uint32_t c, const uint32_t (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c >= r[i][0] && c <= r[i][1])
            return true;
    return false;
}

#define NRANGES(r) (sizeof(r) / sizeof *(r))

/* RFC 3454 B.1: mapped to nothing by nameprep. */
static bool nameprep_removes(uint32_t c)
{
    static const uint32_t r[][2] = { { 0xAD, 0xAD }, { 0x34F, 0x34F }, { 0x1806, 0x1806 },
                                     { 0x180B, 0x180D }, { 0x200B, 0x200D }, { 0x2060, 0x2060 },
                                     { 0xFE00, 0xFE0F }, { 0xFEFF, 0xFEFF } };
    return in_ranges(c, r, NRANGES(r));
}

/* RFC 3454 C.2.2 to C.9: what nameprep prohibits (after B.1). */
static bool nameprep_prohibits(uint32_t c)
{
    static const uint32_t r[][2] = {
        { 0x80, 0x9F }, { 0x340, 0x341 }, { 0x6DD, 0x6DD }, { 0x70F, 0x70F },
        { 0x180E, 0x180E }, { 0x200E, 0x200F }, { 0x2028, 0x202E }, { 0x2061, 0x2063 },
        { 0x206A, 0x206F }, { 0x2FF0, 0x2FFB }, { 0xD800, 0xF8FF }, { 0xFDD0, 0xFDEF },
        { 0xFFF9, 0xFFFF }, { 0x1D173, 0x1D17A }, { 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F },
        { 0xF0000, 0x10FFFF } };
    return in_ranges(c, r, NRANGES(r)) || (c & 0xFFFE) == 0xFFFE;
}

/* RFC 3454 C.1.2 spaces, which NFKC turns into an ASCII space. */
static bool nameprep_space(uint32_t c)
{
    return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

/* RFC 3454 section 6, with the right-to-left scripts' main blocks. */
static bool bidi_ok(const uint32_t *cps, size_t n)
{
    static const uint32_t ral[][2] = { { 0x5BE, 0x5FF }, { 0x600, 0x6FF }, { 0x700, 0x74F },
                                       { 0x780, 0x7BF }, { 0xFB1D, 0xFDFF }, { 0xFE70, 0xFEFC } };
    bool any_ral = false, any_l = false;
    for (size_t i = 0; i < n; i++) {
        any_ral |= in_ranges(cps[i], ral, NRANGES(ral));
        any_l |= (cps[i] < 0x80 && isalpha((int)cps[i])) || (cps[i] >= 0xC0 && cps[i] <= 0x24F);
    }
    return !any_ral || (!any_l && in_ranges(cps[0], ral, NRANGES(ral)) &&
                        in_ranges(cps[n - 1], ral, NRANGES(ral)));
}

/* Python's nameprep, reduced (see the top of the file); false where it
 * raises. */
static bool nameprep(uint32_t *cps, size_t *n)
{
    size_t out = 0;
    for (size_t i = 0; i < *n; i++) {
        uint32_t c = cps[i];
        if (nameprep_removes(c))
            continue;
        if (nameprep_prohibits(c))
            return false;
        cps[out++] = nameprep_space(c) ? ' ' : c < 0x80 ? (uint32_t)tolower((int)c) : c;
    }
    *n = out;
    return out == 0 || bidi_ok(cps, out);
}

static bool all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* The ASCII form of a domain, or NULL where Python raises UnicodeError. */
static const char *idna_encode(rf_arena *a, const char *s, size_t n)
{
    rf_buf out;
    rf_buf_init(&out, a, n * 2 + 8);
    uint32_t *cps = rf_alloc(a, (n + 1) * sizeof *cps);
    size_t i = 0;
    bool ascii_input = all_ascii(s, n);
    while (i <= n) {
        size_t ncp = 0;
        bool ascii = true;
        while (i < n) {
            size_t at = i;
            uint32_t c = utf8_next(s, n, &i);
            if (ascii_input ? c == '.' : is_idna_dot(c)) {
                i = at;
                break;
            }
            cps[ncp++] = c;
            ascii &= c < 0x80;
        }
        bool last = i >= n;
        if (last && ncp == 0 && out.len > 0)
            break;                              /* a trailing dot is kept */
        size_t start = out.len;
        if (!ascii && !nameprep(cps, &ncp))
            return NULL;
        ascii = true;
        for (size_t k = 0; k < ncp; k++)
            ascii &= cps[k] < 0x80;
        if (ascii) {
            for (size_t k = 0; k < ncp; k++)
                rf_buf_putc(&out, (char)cps[k]);
        } else {
            rf_buf_lit(&out, "xn--");
            punycode(&out, cps, ncp);
        }
        size_t len = out.len - start;
        if (len >= 64 || (len == 0 && !(last && ascii_input)))
            return NULL;
        if (last)
            break;
        rf_buf_putc(&out, '.');
        i++;                                    /* past the dot */
        if (i >= n)
            break;
    }
    return out.data;
}

/* ---------------------------------------------------------------------
 * Django's EmailValidator.
 */
static bool email_atom_char(unsigned char c)
{
    return isalnum(c) || (c && strchr("-!#$%&'*+/=?^_`{}|~", c));
}

static bool email_user_ok(const char *s, size_t n)
{
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        for (size_t i = 1; i < n - 1; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\\') {
                c = (unsigned char)s[++i];
                if (i >= n - 1 || c == 0 || c == '\n' || c == '\r' || c > 0x7F)
                    return false;
            } else if (c == 0 || c == '\t' || c == '\n' || c == '\r' || c == ' ' ||
                       c == '"' || c > 0x7F) {
                return false;
            }
        }
        return true;
    }
    /* dot-atom: atoms of one or more characters joined by single dots */
    bool need_char = true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && !need_char)
            need_char = true;
        else if (email_atom_char((unsigned char)s[i]))
            need_char = false;
        else
            return false;
    }
    return n > 0 && !need_char;
}

/* ((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))\Z */
static bool email_domain_regex(const char *s, size_t n)
{
    const char *dot = NULL;
    for (size_t i = n; i-- > 0;)
        if (s[i] == '.') {
            dot = s + i;
            break;
        }
    if (!dot)
        return false;
    size_t tld = n - (size_t)(dot + 1 - s);
    if (tld < 2 || tld > 63 || s[n - 1] == '-')
        return false;
    for (const char *p = dot + 1; p < s + n; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            return false;
    const char *label = s;
    for (const char *p = s; p <= dot; p++) {
        if (*p != '.')
            continue;
        size_t len = (size_t)(p - label);
        if (len < 1 || len > 63 || !isalnum((unsigned char)label[0]) ||
            !isalnum((unsigned char)p[-1]))
            return false;
        for (const char *q = label; q < p; q++)
            if (!isalnum((unsigned char)*q) && *q != '-')
                return false;
        label = p + 1;
    }
    return true;
}

/* \[([A-f0-9:.]+)\]\Z (case-insensitive), then an IPv4 or IPv6 address. */
static bool email_domain_literal(const char *s, size_t n)
{
    if (n < 3 || s[0] != '[' || s[n - 1] != ']')
        return false;
    for (size_t i = 1; i < n - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || strchr(":.[\\]^_`", c)))
            return false;
    }
    return valid_ipv4(s + 1, n - 2) || valid_ipv6(s + 1, n - 2);
}

static bool email_domain_ok(const char *s, size_t n)
{
    return email_domain_regex(s, n) || email_domain_literal(s, n);
}

bool rf_valid_email(rf_arena *a, const char *s, size_t n)
{
    const char *at = NULL;
    for (size_t i = n; i-- > 0;)
        if (s[i] == '@') {
            at = s + i;
            break;
        }
    if (!n || !at || rf_utf8_count(s, n) > 320)
        return false;
    const char *domain = at + 1;
    size_t dn = n - (size_t)(domain - s);
    if (!email_user_ok(s, (size_t)(at - s)))
        return false;
    if ((dn == 9 && memcmp(domain, "localhost", 9) == 0) || email_domain_ok(domain, dn))
        return true;
    const char *ace = all_ascii(domain, dn) ? NULL : idna_encode(a, domain, dn);
    return ace && email_domain_ok(ace, strlen(ace));
}

/* ---------------------------------------------------------------------
 * Django's URLValidator.
 */

/* [a-z\u00a1-\uffff0-9] and '-' (case-insensitive), the host alphabet. */
static bool url_label_char(uint32_t c, bool digits_ok)
{
    return (c < 0x80 && isalpha((int)c)) || (c >= 0xA1 && c <= 0xFFFF) ||
           (digits_ok && c < 0x80 && isdigit((int)c)) || c == '-';
}

static bool url_label_ok(const uint32_t *l, size_t n, bool tld)
{
    if (tld && n >= 5 && (l[0] | 0x20) == 'x' && (l[1] | 0x20) == 'n' && l[2] == '-' &&
        l[3] == '-' && n - 4 <= 59) {
        bool puny = true;       /* xn--[a-z0-9]{1,59} */
        for (size_t i = 4; i < n; i++)
            puny &= l[i] < 0x80 && isalnum((int)l[i]);
        if (puny)
            return true;
    }
    if (n < (tld ? 2u : 1u) || n > 63 || l[0] == '-' || l[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!url_label_char(l[i], !tld))
            return false;
    return true;
}

/* host_re: hostname, domain labels, a tld and an optional final dot. */
static bool url_hostname_ok(const uint32_t *cps, size_t n)
{
    if (n && cps[n - 1] == '.')
        n--;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && cps[i] != '.')
            continue;
        bool last = i == n;
        if (!url_label_ok(cps + start, i - start, last) || (last && labels == 0))
            return false;
        labels++;
        start = i + 1;
    }
    return true;
}

/* (0|25[0-5]|2[0-4]\d|1\d?\d?|[1-9]\d?) four times, dot-separated. */
static bool url_ipv4_ok(const uint32_t *cps, size_t n)
{
    int parts = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && cps[i] != '.')
            continue;
        size_t len = i - start;
        if (len < 1 || len > 3 || (len > 1 && cps[start] == '0'))
            return false;
        int v = 0;
        for (size_t k = start; k < i; k++) {
            if (cps[k] > 0x7F || !isdigit((int)cps[k]))
                return false;
            v = v * 10 + (int)(cps[k] - '0');
        }
        if (v > 255)
            return false;
        parts++;
        start = i + 1;
    }
    return parts == 4;
}

static bool url_host_char(uint32_t c)
{
    return c == '.' || url_label_char(c, true);
}

/* (?::\d{2,5})?(?:[/?#][^\s]*)?\Z from position i. */
static bool url_tail_ok(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == ':') {
        size_t d = 0;
        while (i + 1 + d < n && isdigit((unsigned char)s[i + 1 + d]))
            d++;
        if (d < 2 || d > 5)
            return false;
        i += 1 + d;
    }
    if (i == n)
        return true;
    if (!strchr("/?#", s[i]))
        return false;
    for (i++; i < n;)
        if (rf_py_isspace(utf8_next(s, n, &i)))
            return false;
    return true;
}

/* The host and what follows, from position i. */
static bool url_host_ok(rf_arena *a, const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '[') {
        size_t j = i + 1;
        while (j < n && (isxdigit((unsigned char)s[j]) || s[j] == ':' || s[j] == '.'))
            j++;
        return j > i + 1 && j < n && s[j] == ']' && url_tail_ok(s, n, j + 1);
    }
    uint32_t *cps = rf_alloc(a, (n - i + 1) * sizeof *cps);
    size_t ncp = 0, j = i;
    while (j < n) {
        size_t at = j;
        uint32_t c = utf8_next(s, n, &j);
        if (!url_host_char(c)) {
            j = at;
            break;
        }
        cps[ncp++] = c;
    }
    static const char localhost[] = "localhost";
    bool is_localhost = ncp == 9;
    for (size_t k = 0; is_localhost && k < 9; k++)
        is_localhost = cps[k] < 0x80 && tolower((int)cps[k]) == localhost[k];
    return (url_ipv4_ok(cps, ncp) || url_hostname_ok(cps, ncp) || is_localhost) &&
           url_tail_ok(s, n, j);
}

/* The whole regex: ^[a-z0-9.+-]*://(userinfo@)?host(:port)?(path)?\Z */
static bool url_regex(rf_arena *a, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)s[i]) || strchr(".+-", s[i])) && s[i])
        i++;
    if (n - i < 3 || memcmp(s + i, "://", 3) != 0)
        return false;
    i += 3;
    /* [^\s:@/]+(?::[^\s:@/]*)?@ */
    size_t j = i;
    int colons = 0;
    while (j < n) {
        size_t at = j;
        uint32_t c = utf8_next(s, n, &j);
        if (c == ':' && colons == 0 && at > i) {
            colons++;
            continue;
        }
        if (c == '@' || c == ':' || c == '/' || rf_py_isspace(c)) {
            j = at;
            break;
        }
    }
    if (j < n && s[j] == '@' && j > i && s[i] != ':' && url_host_ok(a, s, n, j + 1))
        return true;
    return url_host_ok(a, s, n, i);
}

typedef struct url_parts {
    size_t netloc, netloc_end;   /* offsets of the netloc in the value */
} url_parts;

/* Python's urlsplit, for what the validator uses: the netloc, and the
 * ValueError cases (unbalanced or malformed brackets). */
static bool url_split(const char *s, size_t n, url_parts *p)
{
    const char *sep = memmem(s, n, "://", 3);
    p->netloc = sep ? (size_t)(sep - s) + 3 : n;
    size_t e = p->netloc;
    while (e < n && !strchr("/?#", s[e]))
        e++;
    p->netloc_end = e;
    const char *nl = s + p->netloc;
    size_t nn = e - p->netloc;
    bool open = memchr(nl, '[', nn) != NULL, close = memchr(nl, ']', nn) != NULL;
    if (open != close)
        return false;
    if (!open)
        return true;
    const char *host = nl;
    for (size_t k = nn; k-- > 0;)
        if (nl[k] == '@') {
            host = nl + k + 1;
            break;
        }
    size_t hn = (size_t)(nl + nn - host);
    const char *rb = memchr(host, ']', hn);
    if (host[0] != '[' || !rb || (rb + 1 < host + hn && rb[1] != ':'))
        return false;
    const char *inner = host + 1;
    size_t in = (size_t)(rb - inner);
    if (in && inner[0] == 'v') {
        size_t k = 1;
        while (k < in && isxdigit((unsigned char)inner[k]))
            k++;
        return k > 1 && k < in && inner[k] == '.' && k + 1 < in;
    }
    return valid_ipv6(inner, in);
}

/* urlsplit(...).hostname: without userinfo, port and brackets; None when
 * empty.  Returns its length in characters, 0 for None. */
static size_t url_hostname_len(const char *nl, size_t nn)
{
    const char *h = nl;
    for (size_t k = nn; k-- > 0;)
        if (nl[k] == '@') {
            h = nl + k + 1;
            break;
        }
    size_t hn = (size_t)(nl + nn - h);
    const char *end;
    if (memchr(h, '[', hn)) {
        h = (const char *)memchr(h, '[', hn) + 1;
        hn = (size_t)(nl + nn - h);
        end = memchr(h, ']', hn);
    } else {
        end = memchr(h, ':', hn);
    }
    return rf_utf8_count(h, end ? (size_t)(end - h) : hn);
}

static bool url_scheme_ok(const char *s, size_t n)
{
    const char *sep = memmem(s, n, "://", 3);
    size_t len = sep ? (size_t)(sep - s) : n;
    static const char *const schemes[] = { "http", "https", "ftp", "ftps" };
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
        if (ascii_ieq(s, len, schemes[i]))
            return true;
    return false;
}

bool rf_valid_url(rf_arena *a, const char *s, size_t n)
{
    url_parts p;
    if (rf_utf8_count(s, n) > 2048 || memchr(s, '\t', n) || memchr(s, '\r', n) ||
        memchr(s, '\n', n) || !url_scheme_ok(s, n) || !url_split(s, n, &p))
        return false;
    const char *nl = s + p.netloc;
    size_t nn = p.netloc_end - p.netloc;
    if (url_regex(a, s, n)) {
        /* An IPv6 host in brackets must be a real address (only when the
         * netloc is exactly [addr] or [addr]:port, as Django checks). */
        if (nn > 2 && nl[0] == '[') {
            const char *rb = memchr(nl, ']', nn);
            if (rb && rb > nl + 1 && !valid_ipv6(nl + 1, (size_t)(rb - nl - 1)))
                return false;
        }
    } else {
        /* Retry with the netloc in its IDNA (ASCII) form. */
        const char *ace = all_ascii(nl, nn) ? NULL : idna_encode(a, nl, nn);
        if (!ace)
            return false;
        char *url = rf_sprintf(a, "%.*s%s%s", (int)p.netloc, s, ace, s + p.netloc_end);
        if (!url_regex(a, url, strlen(url)))
            return false;
    }
    size_t hl = url_hostname_len(nl, nn);
    return hl > 0 && hl <= 253;
}

/* ---------------------------------------------------------------------
 * Slugs and UUIDs.
 */
bool rf_valid_slug(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return n > 0;
}

/* Python's uuid.UUID(hex=s): "urn:" and "uuid:" removed, braces stripped
 * from the ends, hyphens removed, 32 characters left, read by int(x, 16)
 * (so whitespace, a sign, a 0x prefix and underscores pass).  out gets the
 * canonical lower-case form. */
static rf_buf remove_all(rf_arena *a, const char *s, size_t n, const char *pat)
{
    size_t pn = strlen(pat);
    rf_buf out;
    rf_buf_init(&out, a, n + 1);
    for (size_t i = 0; i < n;) {
        if (n - i >= pn && memcmp(s + i, pat, pn) == 0)
            i += pn;
        else
            rf_buf_putc(&out, s[i++]);
    }
    return out;
}

bool rf_parse_uuid(rf_arena *a, const char *s, size_t n, char out[37])
{
    rf_buf t = remove_all(a, s, n, "urn:");
    t = remove_all(a, t.data, t.len, "uuid:");
    const char *h = t.data;
    size_t hn = t.len;
    while (hn && (*h == '{' || *h == '}'))
        h++, hn--;
    while (hn && (h[hn - 1] == '{' || h[hn - 1] == '}'))
        hn--;
    rf_buf x = remove_all(a, h, hn, "-");
    if (rf_utf8_count(x.data, x.len) != 32)
        return false;
    const char *d = x.data;
    size_t dn = x.len;
    rf_py_strip(&d, &dn);
    if (dn && *d == '+')
        d++, dn--;
    if (dn >= 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        d += 2, dn -= 2;
        if (dn && *d == '_')
            d++, dn--;
    }
    rf_buf digits;
    rf_buf_init(&digits, a, 40);
    if (!dn || scan_digitpart(d, dn, 16, &digits) != dn || digits.len > 32)
        return false;
    rf_format_uuid(out, digits.data, digits.len);
    return true;
}

/* Canonical 8-4-4-4-12 lower-case text of up to 32 hex digits. */
void rf_format_uuid(char out[37], const char *hexdigits, size_t n)
{
    char hex[33];
    memset(hex, '0', 32);
    for (size_t i = 0; i < n; i++)
        hex[32 - n + i] = (char)tolower((unsigned char)hexdigits[i]);
    hex[32] = '\0';
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}
