/*
 * json.c: the JSON writers, byte-for-byte as DRF's JSONRenderer writes
 * (json.dumps with ensure_ascii=False, compact separators, then U+2028 and
 * U+2029 escaped), re-indentation as json.dumps(indent=N), and the calendar
 * helpers shared by writers, parsers and databases.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restflow.h"
#include "serializer.h"

/* ---------------------------------------------------------------------
 * Strings.
 */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid:
 * overlong forms, surrogates and code points past U+10FFFF are invalid, as
 * they cannot come from a Python str. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min, cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static void put_escaped_ascii(rf_buf *b, unsigned char c)
{
    switch (c) {
    case '"':  rf_buf_lit(b, "\\\""); return;
    case '\\': rf_buf_lit(b, "\\\\"); return;
    case '\n': rf_buf_lit(b, "\\n"); return;
    case '\r': rf_buf_lit(b, "\\r"); return;
    case '\t': rf_buf_lit(b, "\\t"); return;
    case '\b': rf_buf_lit(b, "\\b"); return;
    case '\f': rf_buf_lit(b, "\\f"); return;
    default:   rf_buf_printf(b, "\\u%04x", c); return;  /* Python: lower hex */
    }
}

/* Bytes that are not valid UTF-8 (only possible from a database written by
 * something else) become U+FFFD, so the output is always valid JSON. */
void rf_json_strn(rf_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    rf_buf_reserve(b, n + 2);
    rf_buf_putc(b, '"');
    size_t run = 0;   /* start of the pending run of bytes copied as is */
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        size_t len = c < 0x80 ? 1 : utf8_seq_len(s + i, n - i);
        bool line_sep = len == 3 && c == 0xE2 && s[i + 1] == 0x80 &&
                        (s[i + 2] == 0xA8 || s[i + 2] == 0xA9);
        if (len > 1 && !line_sep) {
            i += len;
            continue;
        }
        rf_buf_append(b, s + run, i - run);
        if (line_sep)
            rf_buf_puts(b, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
        else if (len == 1)
            put_escaped_ascii(b, c);
        else
            rf_buf_lit(b, "\xEF\xBF\xBD");
        i += len ? len : 1;
        run = i;
    }
    rf_buf_append(b, s + run, n - run);
    rf_buf_putc(b, '"');
}

void rf_json_str(rf_buf *b, const char *s)
{
    rf_json_strn(b, s, strlen(s));
}

/* ---------------------------------------------------------------------
 * Numbers and constants.
 */
/* Digits by hand, not printf: every integer of every row is rendered
 * here (and every SQLite integer cell is read through it). */
void rf_json_i64(rf_buf *b, int64_t v)
{
    char digits[24], *end = digits + sizeof digits, *p = end;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    rf_buf_append(b, p, (size_t)(end - p));
}

void rf_json_bool(rf_buf *b, bool v)
{
    if (v)
        rf_buf_lit(b, "true");
    else
        rf_buf_lit(b, "false");
}

void rf_json_null(rf_buf *b)
{
    rf_buf_lit(b, "null");
}

/* DRF renders with allow_nan=False: json.dumps raises on NaN and infinities
 * and the request fails with a 500.  The writer cannot fail, so it writes
 * null and records the event for the renderer that called it (per thread:
 * rendering never leaves its thread), which answers 500 as DRF does. */
static _Thread_local bool nonfinite_seen;

bool rf_json_take_nonfinite(void)
{
    bool seen = nonfinite_seen;
    nonfinite_seen = false;
    return seen;
}

/* The shortest digit string that reads back as v (what Python's repr
 * prints): digits[] without dot, and the decimal exponent of the first
 * digit as printf's %e gives it. */
static int shortest_digits(double v, char digits[24], int *exp10)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v || prec == 17)
            break;
    }
    /* tmp is "d.ddde[+-]xx" (v >= 0 here). */
    int n = 0;
    for (const char *p = tmp; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = atoi(strchr(tmp, 'e') + 1);
    return n;
}

/* Python's float repr: fixed notation for 1e-4 <= |v| < 1e16, always with
 * a fractional part; otherwise d[.ddd]e[+-]XX. */
void rf_json_f64(rf_buf *b, double v)
{
    if (!isfinite(v)) {
        nonfinite_seen = true;
        rf_json_null(b);
        return;
    }
    if (signbit(v)) {
        rf_buf_putc(b, '-');
        v = -v;
    }
    if (v == 0) {
        rf_buf_lit(b, "0.0");
        return;
    }
    char d[24];
    int e;
    int n = shortest_digits(v, d, &e);
    int decpt = e + 1;   /* digits before the decimal point */
    if (decpt > 16 || decpt < -3) {
        rf_buf_putc(b, d[0]);
        if (n > 1) {
            rf_buf_putc(b, '.');
            rf_buf_append(b, d + 1, (size_t)n - 1);
        }
        rf_buf_printf(b, "e%c%02d", e < 0 ? '-' : '+', abs(e));
    } else if (decpt <= 0) {
        rf_buf_lit(b, "0.");
        for (int i = decpt; i < 0; i++)
            rf_buf_putc(b, '0');
        rf_buf_append(b, d, (size_t)n);
    } else if (n <= decpt) {
        rf_buf_append(b, d, (size_t)n);
        for (int i = n; i < decpt; i++)
            rf_buf_putc(b, '0');
        rf_buf_lit(b, ".0");
    } else {
        rf_buf_append(b, d, (size_t)decpt);
        rf_buf_putc(b, '.');
        rf_buf_append(b, d + decpt, (size_t)(n - decpt));
    }
}

/* ---------------------------------------------------------------------
 * Decimals: DRF's DecimalField.to_representation with
 * COERCE_DECIMAL_TO_STRING: quantize to decimal_places with the context's
 * ROUND_HALF_EVEN, then format '{:f}' (sign kept, even for zero).
 */
typedef struct decimal_text {
    bool neg;
    char digits[128];  /* significant digits, no leading zeros kept */
    int ndigits;
    int exp;           /* value = digits * 10^exp */
} decimal_text;

static bool decimal_scan(const char *s, decimal_text *d)
{
    memset(d, 0, sizeof *d);
    while (*s == ' ')
        s++;
    if (*s == '-' || *s == '+')
        d->neg = *s++ == '-';
    bool any = false, dot = false;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = true;
            continue;
        }
        if (*s < '0' || *s > '9')
            break;
        any = true;
        if (dot)
            d->exp--;
        if (d->ndigits == 0 && *s == '0')
            continue;
        if (d->ndigits >= (int)sizeof d->digits - 1)
            return false;
        d->digits[d->ndigits++] = *s;
    }
    if (*s == 'e' || *s == 'E')
        d->exp += (int)strtol(s + 1, (char **)&s, 10);
    while (*s == ' ')
        s++;
    return any && *s == '\0';
}

/* Round d to `places` decimal places, half to even. */
static void decimal_quantize(decimal_text *d, int places)
{
    int drop = -places - d->exp;   /* digits to remove from the right */
    if (drop <= 0) {
        /* Pad with zeros (kept apart from the significant digits when the
         * value is zero, which has none). */
        for (; drop < 0 && d->ndigits > 0 && d->ndigits < (int)sizeof d->digits - 1; drop++)
            d->digits[d->ndigits++] = '0', d->exp--;
        if (d->ndigits == 0)
            d->exp = -places;
        return;
    }
    int keep = d->ndigits - drop;
    bool round_up = false;
    if (keep >= 0 && keep < d->ndigits) {
        char first = d->digits[keep];
        bool rest_nonzero = false;
        for (int i = keep + 1; i < d->ndigits; i++)
            rest_nonzero |= d->digits[i] != '0';
        bool odd = keep > 0 && (d->digits[keep - 1] - '0') % 2 == 1;
        round_up = first > '5' || (first == '5' && (rest_nonzero || odd));
    }
    if (keep < 0)
        keep = 0;
    d->ndigits = keep;
    d->exp = -places;
    for (int i = keep - 1; round_up && i >= 0; i--) {
        if (d->digits[i] == '9') {
            d->digits[i] = '0';
        } else {
            d->digits[i]++;
            round_up = false;
        }
    }
    if (round_up) {
        memmove(d->digits + 1, d->digits, (size_t)d->ndigits);
        d->digits[0] = '1';
        d->ndigits++;
    }
}

/* Python's '{:f}' of a Decimal: every digit, no exponent. */
static void decimal_format(rf_buf *b, const decimal_text *d)
{
    if (d->neg)
        rf_buf_putc(b, '-');
    int n = d->ndigits, exp = d->exp;
    int int_digits = n + exp;
    if (int_digits <= 0) {
        rf_buf_putc(b, '0');
    } else {
        for (int i = 0; i < int_digits; i++)
            rf_buf_putc(b, i < n ? d->digits[i] : '0');
    }
    if (exp < 0) {
        rf_buf_putc(b, '.');
        for (int i = int_digits; i < n; i++)
            rf_buf_putc(b, i < 0 ? '0' : d->digits[i]);
    }
}

void rf_decimal_format(rf_buf *b, const char *text, int places)
{
    decimal_text d;
    if (!decimal_scan(text, &d)) {
        rf_buf_puts(b, text);
        return;
    }
    if (places >= 0)
        decimal_quantize(&d, places);
    decimal_format(b, &d);
}

/* The magnitude of d compared with e's, digits and exponents aligned. */
static int decimal_cmp_abs(const decimal_text *d, const decimal_text *e)
{
    if (d->ndigits == 0 || e->ndigits == 0)
        return (d->ndigits != 0) - (e->ndigits != 0);
    int dpos = d->ndigits + d->exp, epos = e->ndigits + e->exp;  /* integer digits */
    if (dpos != epos)
        return dpos < epos ? -1 : 1;
    int n = d->ndigits > e->ndigits ? d->ndigits : e->ndigits;
    for (int i = 0; i < n; i++) {
        char a = i < d->ndigits ? d->digits[i] : '0';
        char b = i < e->ndigits ? e->digits[i] : '0';
        if (a != b)
            return a < b ? -1 : 1;
    }
    return 0;
}

int rf_decimal_cmp(const char *a, const char *b)
{
    decimal_text d, e;
    if (!decimal_scan(a, &d) || !decimal_scan(b, &e))
        return strcmp(a, b);
    int sd = d.ndigits == 0 ? 0 : d.neg ? -1 : 1;
    int se = e.ndigits == 0 ? 0 : e.neg ? -1 : 1;
    if (sd != se)
        return sd < se ? -1 : 1;
    int mag = decimal_cmp_abs(&d, &e);
    return sd < 0 ? -mag : mag;
}

/* Decimal(text).as_tuple() counted as DRF's validate_precision counts:
 * trailing zeros count, leading zeros do not, zero has one digit. */
void rf_decimal_digits(const char *text, int *total, int *whole, int *places)
{
    decimal_text d;
    if (!decimal_scan(text, &d)) {
        *total = *whole = *places = 0;
        return;
    }
    int len = d.ndigits ? d.ndigits : 1;
    if (d.exp >= 0) {
        *total = *whole = len + d.exp;
        *places = 0;
    } else if (len > -d.exp) {
        *total = len;
        *whole = len + d.exp;
        *places = -d.exp;
    } else {
        *total = *places = -d.exp;
        *whole = 0;
    }
}

/* Decimal digits never need escaping: the string is written in place. */
void rf_json_decimal(rf_buf *b, const char *text, int places)
{
    rf_buf_putc(b, '"');
    rf_decimal_format(b, text, places);
    rf_buf_putc(b, '"');
}

/* ---------------------------------------------------------------------
 * Any JSON value, as DRF renders the Python object json.loads made of it.
 */
void rf_json_value(rf_buf *b, const json_t *v)
{
    size_t i;
    const char *key;
    json_t *item;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        rf_buf_putc(b, '{');
        i = 0;
        json_object_foreach((json_t *)v, key, item) {
            if (i++)
                rf_buf_putc(b, ',');
            rf_json_str(b, key);
            rf_buf_putc(b, ':');
            rf_json_value(b, item);
        }
        rf_buf_putc(b, '}');
        break;
    case JSON_ARRAY:
        rf_buf_putc(b, '[');
        json_array_foreach(v, i, item) {
            if (i)
                rf_buf_putc(b, ',');
            rf_json_value(b, item);
        }
        rf_buf_putc(b, ']');
        break;
    case JSON_STRING:
        rf_json_strn(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        rf_json_i64(b, json_integer_value(v));
        break;
    case JSON_REAL:
        rf_json_f64(b, json_real_value(v));
        break;
    case JSON_TRUE:
        rf_buf_lit(b, "true");
        break;
    case JSON_FALSE:
        rf_buf_lit(b, "false");
        break;
    default:
        rf_json_null(b);
    }
}

/* ---------------------------------------------------------------------
 * Calendar.  Days from civil and back (H. Hinnant's algorithms), valid for
 * Python's years 1..9999 and well beyond.
 */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

#define USEC_PER_DAY INT64_C(86400000000)

typedef struct civil_time {
    int64_t year;
    unsigned month, day, hour, minute, second, usec;
} civil_time;

static civil_time civil_from_usec(int64_t usec)
{
    civil_time t;
    int64_t days = floor_div(usec, USEC_PER_DAY);
    int64_t rest = usec - days * USEC_PER_DAY;
    civil_from_days(days, &t.year, &t.month, &t.day);
    t.usec = (unsigned)(rest % 1000000);
    rest /= 1000000;
    t.second = (unsigned)(rest % 60);
    t.minute = (unsigned)(rest / 60 % 60);
    t.hour = (unsigned)(rest / 3600);
    return t;
}

/* Python's isoformat, then DRF's '+00:00' -> 'Z'. */
/* v in exactly `width` digits, zero-padded; the end of them. */
static char *fixed_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* "YYYY-MM-DD<sep>HH:MM:SS[.ffffff]" for years 0 to 9999, written by hand
 * (a list renders a timestamp or two per row, a write binds one or two);
 * the end of it. */
static char *datetime_digits(char *p, const civil_time *t, char sep)
{
    p = fixed_digits(p, (unsigned)t->year, 4);
    *p++ = '-';
    p = fixed_digits(p, t->month, 2);
    *p++ = '-';
    p = fixed_digits(p, t->day, 2);
    *p++ = sep;
    p = fixed_digits(p, t->hour, 2);
    *p++ = ':';
    p = fixed_digits(p, t->minute, 2);
    *p++ = ':';
    p = fixed_digits(p, t->second, 2);
    if (t->usec) {
        *p++ = '.';
        p = fixed_digits(p, t->usec, 6);
    }
    return p;
}

static bool four_digit_year(const civil_time *t)
{
    return t->year >= 0 && t->year <= 9999;
}

void rf_json_datetime(rf_buf *b, int64_t usec)
{
    civil_time t = civil_from_usec(usec);
    if (!four_digit_year(&t)) {
        rf_buf_printf(b, "\"%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", t.year, t.month,
                      t.day, t.hour, t.minute, t.second);
        if (t.usec)
            rf_buf_printf(b, ".%06u", t.usec);
        rf_buf_lit(b, "Z\"");
        return;
    }
    char text[32], *p = text;
    *p++ = '"';
    p = datetime_digits(p, &t, 'T');
    *p++ = 'Z';
    *p++ = '"';
    rf_buf_append(b, text, (size_t)(p - text));
}

void rf_json_date(rf_buf *b, int32_t days)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    rf_buf_printf(b, "\"%04" PRId64 "-%02u-%02u\"", y, m, d);
}

/* Django's SQLite text for a datetime, str() of the naive UTC value: no
 * fraction when it is zero.  The same instant must always be the same text,
 * or SQL comparisons (=, <, a cursor's position) with rows Django wrote
 * would see '10:00:00' below '10:00:00.000000'. */
void rf_format_datetime_sql(char out[32], int64_t usec)
{
    civil_time t = civil_from_usec(usec);
    if (four_digit_year(&t)) {
        *datetime_digits(out, &t, ' ') = '\0';
        return;
    }
    int n = snprintf(out, 32, "%04" PRId64 "-%02u-%02u %02u:%02u:%02u", t.year,
                     t.month, t.day, t.hour, t.minute, t.second);
    if (t.usec)
        snprintf(out + n, (size_t)(32 - n), ".%06u", t.usec);
}

/* ---------------------------------------------------------------------
 * Parsing, with Django 3.2's dateparse rules (what DRF's ISO_8601 input
 * format runs):
 *   date      \d{4}-\d{1,2}-\d{1,2}$
 *   datetime  date[T ]\d{1,2}:\d{1,2}(:\d{1,2}([.,]\d{1,6}\d{0,6})?)?
 *             (Z|[+-]\d{2}(:?\d{2})?)?$
 * Python's `$` also matches before one final newline.  Digits are ASCII
 * only (Python's \d would take any Unicode digit: a deliberate narrowing).
 */
typedef struct scanner {
    const char *p;
} scanner;

static int scan_digits(scanner *s, int min, int max, int *value)
{
    int n = 0, v = 0;
    while (n < max && s->p[n] >= '0' && s->p[n] <= '9')
        v = v * 10 + (s->p[n++] - '0');
    if (n < min)
        return 0;
    s->p += n;
    if (value)
        *value = v;
    return n;
}

static bool scan_char(scanner *s, const char *set)
{
    if (*s->p && strchr(set, *s->p)) {
        s->p++;
        return true;
    }
    return false;
}

static bool scan_end(const scanner *s)
{
    return s->p[0] == '\0' || (s->p[0] == '\n' && s->p[1] == '\0');
}

static bool valid_ymd(int y, int m, int d)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

static bool scan_ymd(scanner *s, int64_t *days)
{
    int y, m, d;
    if (!scan_digits(s, 4, 4, &y) || !scan_char(s, "-") ||
        !scan_digits(s, 1, 2, &m) || !scan_char(s, "-") ||
        !scan_digits(s, 1, 2, &d) || !valid_ymd(y, m, d))
        return false;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

bool rf_parse_date(const char *str, int32_t *days)
{
    scanner s = { str };
    int64_t d;
    if (!scan_ymd(&s, &d) || !scan_end(&s))
        return false;
    *days = (int32_t)d;
    return true;
}

/* The time part after [T ]: hours, minutes, optional seconds and fraction,
 * as microseconds into the day. */
static bool scan_time(scanner *s, int64_t *usec)
{
    int h, mi, sec = 0, frac = 0;
    if (!scan_digits(s, 1, 2, &h) || !scan_char(s, ":") || !scan_digits(s, 1, 2, &mi))
        return false;
    if (scan_char(s, ":")) {
        if (!scan_digits(s, 1, 2, &sec))
            return false;
        scanner save = *s;
        if (scan_char(s, ".,")) {
            int n = scan_digits(s, 1, 6, &frac);
            if (!n) {
                *s = save;   /* the fraction group is optional */
            } else {
                for (; n < 6; n++)
                    frac *= 10;
                scan_digits(s, 0, 6, NULL);  /* digits past 6 are ignored */
            }
        }
    }
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    *usec = ((int64_t)h * 3600 + mi * 60 + sec) * 1000000 + frac;
    return true;
}

/* Z or [+-]HH[[:]MM]: the offset east of UTC, in minutes.  Django takes the
 * minutes as two digits whatever their value, and Python refuses offsets
 * of 24 hours or more. */
static bool scan_offset(scanner *s, int *minutes)
{
    *minutes = 0;
    if (scan_char(s, "Z"))
        return true;
    char sign = *s->p;
    if (!scan_char(s, "+-"))
        return true;
    int h, m = 0;
    if (!scan_digits(s, 2, 2, &h))
        return false;
    scanner save = *s;
    scan_char(s, ":");
    if (!scan_digits(s, 2, 2, &m))
        *s = save;
    int total = h * 60 + m;
    if (total >= 24 * 60)
        return false;
    *minutes = sign == '-' ? -total : total;
    return true;
}

rf_dt_parse rf_parse_datetime_ex(const char *str, int64_t *usec)
{
    scanner s = { str };
    int64_t days, tod;
    int offset;
    if (!scan_ymd(&s, &days) || !scan_char(&s, "T ") || !scan_time(&s, &tod) ||
        !scan_offset(&s, &offset) || !scan_end(&s))
        return RF_DT_INVALID;
    int64_t v = days * USEC_PER_DAY + tod - (int64_t)offset * 60000000;
    /* Python's datetime holds years 1..9999: astimezone(UTC) overflows. */
    static const int64_t min_usec = INT64_C(-62135596800000000);  /* 0001-01-01 */
    static const int64_t max_usec = INT64_C(253402300800000000);  /* 10000-01-01 */
    if (v < min_usec || v >= max_usec)
        return RF_DT_OVERFLOW;
    *usec = v;
    return RF_DT_OK;
}

bool rf_parse_datetime(const char *s, int64_t *usec)
{
    return rf_parse_datetime_ex(s, usec) == RF_DT_OK;
}

/* ---------------------------------------------------------------------
 * Re-indentation: the output of json.dumps(obj, indent=n, ensure_ascii=
 * False) from compact JSON: items separated by ",\n" + indent, key and
 * value by ": ", empty containers stay "{}" and "[]".
 */
static void newline_indent(rf_buf *out, int indent, int depth)
{
    rf_buf_putc(out, '\n');
    for (int i = 0; i < indent * depth; i++)
        rf_buf_putc(out, ' ');
}

void rf_json_reindent(rf_buf *out, const char *json, size_t len, int indent)
{
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        switch (c) {
        case '"': {
            size_t j = i + 1;
            while (j < len && json[j] != '"')
                j += json[j] == '\\' ? 2 : 1;
            rf_buf_append(out, json + i, j + 1 - i);
            i = j;
            break;
        }
        case '{':
        case '[':
            rf_buf_putc(out, c);
            if (i + 1 < len && (json[i + 1] == '}' || json[i + 1] == ']')) {
                rf_buf_putc(out, json[++i]);
                break;
            }
            newline_indent(out, indent, ++depth);
            break;
        case '}':
        case ']':
            newline_indent(out, indent, --depth);
            rf_buf_putc(out, c);
            break;
        case ',':
            rf_buf_putc(out, ',');
            newline_indent(out, indent, depth);
            break;
        case ':':
            rf_buf_lit(out, ": ");
            break;
        default:
            rf_buf_putc(out, c);
        }
    }
}
