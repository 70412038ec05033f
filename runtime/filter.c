/*
 * filter.c: the three filter backends, as DRF 3.14 and django-filter 23
 * apply them to a queryset.
 *
 *   DjangoFilterBackend  ?field=value for each of filterset_fields: the
 *                        value is cleaned by the form field django-filter
 *                        picks for the model field (NumberFilter's
 *                        DecimalField, BooleanWidget, CharField, UUIDField,
 *                        DateField, IsoDateTimeField, ChoiceField,
 *                        ModelChoiceField), with its error texts; every
 *                        field is checked and the errors come back as one
 *                        400 {"field": ["..."], ...} in filterset_fields order.
 *   SearchFilter         every term must match one search field: icontains,
 *                        ^ istartswith, = iexact, $ iregex (sqlite_regexp.c on SQLite),
 *                        @ (full-text search) unsupported.
 *   OrderingFilter       ?ordering=a,-b over the allowed fields; unknown
 *                        ones dropped; none left: the view's ordering.
 *
 * User input reaches SQL only as bound parameters; column names come from
 * the descriptors.
 */
#include <string.h>

#include "internal.h"
#include "policy_internal.h"
#include "serializer.h"
#include "sqlite_regexp.h"

/* str.strip(). */
static rf_str strip(rf_str s)
{
    rf_py_strip(&s.s, &s.n);
    return s;
}

size_t rf_space_at(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = p[0] < 0x80 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
    if (len > n)
        return 0;
    uint32_t c = len == 1 ? p[0] : p[0] & (0x3Fu >> (len - 1));
    for (size_t k = 1; k < len; k++)
        c = c << 6 | (p[k] & 0x3F);
    return rf_py_isspace(c) ? len : 0;
}

/* ---------------------------------------------------------------------
 * OrderingFilter.
 */

static bool ordering_allowed(const rf_filters *f, const rf_resource *res,
                             rf_str name, const rf_field **field)
{
    const rf_field *const *list = f->ordering_fields;
    int n = f->nordering_fields;
    if (f->ordering_all && res) {
        /* "__all__": every model field, by its name (not its column). */
        for (int i = 0; i < res->nfields; i++)
            if (strlen(res->fields[i].name) == name.n &&
                memcmp(res->fields[i].name, name.s, name.n) == 0) {
                *field = &res->fields[i];
                return true;
            }
        return false;
    }
    for (int i = 0; i < n; i++)
        if (strlen(list[i]->name) == name.n && memcmp(list[i]->name, name.s, name.n) == 0) {
            *field = list[i];
            return true;
        }
    return false;
}

void rf_ordering_resolve(rf_arena *a, const rf_filters *f, const rf_resource *res,
                         const rf_qs *qs, const rf_order **order, int *n)
{
    const rf_str *v = rf_qs_get(qs, f->ordering_param ? f->ordering_param : "ordering");
    *order = f->ordering;
    *n = f->nordering;
    if (!v || v->n == 0)
        return;
    int terms = 1;
    for (size_t i = 0; i < v->n; i++)
        terms += v->s[i] == ',';
    rf_order *out = rf_alloc(a, sizeof *out * (size_t)terms);
    int nout = 0;
    for (size_t start = 0; start <= v->n;) {
        const char *comma = memchr(v->s + start, ',', v->n - start);
        size_t end = comma ? (size_t)(comma - v->s) : v->n;
        rf_str term = strip((rf_str){ v->s + start, end - start });
        bool desc = term.n && term.s[0] == '-';
        rf_str name = desc ? (rf_str){ term.s + 1, term.n - 1 } : term;
        const rf_field *field;
        if (ordering_allowed(f, res, name, &field))
            out[nout++] = (rf_order){ field, desc };
        start = end + 1;
    }
    if (nout) {
        *order = out;
        *n = nout;
    }
}

static void apply_ordering(rf_ctx *ctx, const rf_filters *f, const rf_qs *qs, rf_query *q)
{
    const rf_order *order;
    int n;
    rf_ordering_resolve(ctx->arena, f, rf_ctx_resource(ctx), qs, &order, &n);
    if (n == 0)
        return;   /* no ordering at all: the queryset's stays */
    rf_query_clear_order(q);
    for (int i = 0; i < n; i++)
        rf_query_order_by(q, order[i].field, order[i].desc);
}

/* ---------------------------------------------------------------------
 * SearchFilter.
 */

/* get_search_terms: NULs removed, commas are spaces, str.split(). */
int rf_search_terms(rf_arena *a, const rf_str *param, rf_str **terms)
{
    *terms = NULL;
    if (!param)
        return 0;
    char *s = rf_alloc(a, param->n + 1);
    size_t n = 0;
    for (size_t i = 0; i < param->n; i++)
        if (param->s[i] != '\0')
            s[n++] = param->s[i] == ',' ? ' ' : param->s[i];
    s[n] = '\0';
    *terms = rf_alloc(a, sizeof **terms * (n / 2 + 1));
    int count = 0;
    size_t i = 0;
    while (i < n) {
        size_t k;
        while (i < n && (k = rf_space_at(s + i, n - i)))
            i += k;
        size_t start = i;
        while (i < n && !rf_space_at(s + i, n - i))
            i++;
        if (i > start)
            (*terms)[count++] = (rf_str){ s + start, i - start };
    }
    return count;
}

/* Django's prep_for_like_query: the term taken literally by LIKE. */
static char *like_pattern(rf_arena *a, rf_str term, bool lead, bool trail)
{
    char *out = rf_alloc(a, 2 * term.n + 3);
    size_t o = 0;
    if (lead)
        out[o++] = '%';
    for (size_t i = 0; i < term.n; i++) {
        if (term.s[i] == '\\' || term.s[i] == '%' || term.s[i] == '_')
            out[o++] = '\\';
        out[o++] = term.s[i];
    }
    if (trail)
        out[o++] = '%';
    out[o] = '\0';
    return out;
}

/* One field's test for one term: SQL over alias t and its parameter.
 * Returns false for a lookup this database cannot run. */
static bool search_condition(rf_arena *a, const rf_search_field *sf, rf_dialect d,
                             rf_str term, rf_buf *sql, rf_value *param)
{
    const char *col = sf->field->column;
    switch (sf->prefix) {
    case '$':
        /* SQLite: runtime/sqlite_regexp.c, POSIX syntax where Django's
         * SQLite backend runs Python's re. */
        if (d == RF_POSTGRES)
            rf_buf_printf(sql, "CAST(t.\"%s\" AS TEXT) ~* ?", col);
        else
            rf_buf_printf(sql, RF_SQLITE_IREGEXP "(?, CAST(t.\"%s\" AS TEXT))", col);
        *param = RF_VTEXT(rf_strndup(a, term.s, term.n));
        return true;
    case '@':
        return false;
    default:
        /* Both databases: Django's UPPER(...) LIKE UPPER(...) form, which
         * on SQLite folds ASCII only, as its LIKE does. */
        rf_buf_printf(sql, "UPPER(CAST(t.\"%s\" AS TEXT)) LIKE UPPER(?) ESCAPE '\\'", col);
        *param = RF_VTEXT(like_pattern(a, term, sf->prefix == 0,
                                       sf->prefix == 0 || sf->prefix == '^'));
        return true;
    }
}

/* AND over the terms of (OR over the fields).  False: a lookup that this
 * database cannot run, for which the request fails with 500. */
bool rf_search_sql(rf_arena *a, const rf_filters *f, rf_dialect d,
                   const rf_str *terms, int nterms, char **sql,
                   rf_value **params, int *nparams)
{
    rf_buf b;
    rf_buf_init(&b, a, 256);
    *params = rf_alloc(a, sizeof **params * (size_t)(nterms * f->nsearch_fields + 1));
    *nparams = 0;
    for (int t = 0; t < nterms; t++) {
        rf_buf_puts(&b, t ? " AND (" : "(");
        for (int i = 0; i < f->nsearch_fields; i++) {
            if (i)
                rf_buf_lit(&b, " OR ");
            if (!search_condition(a, &f->search_fields[i], d, terms[t], &b,
                                  &(*params)[(*nparams)++]))
                return false;
        }
        rf_buf_putc(&b, ')');
    }
    rf_buf_putc(&b, '\0');
    *sql = b.data;
    return true;
}

static rf_rc apply_search(rf_ctx *ctx, const rf_filters *f, const rf_qs *qs, rf_query *q)
{
    rf_str *terms;
    int nterms = rf_search_terms(ctx->arena,
                                 rf_qs_get(qs, f->search_param ? f->search_param : "search"),
                                 &terms);
    if (!f->nsearch_fields || !nterms)
        return RF_OK;
    const rf_resource *res = rf_ctx_resource(ctx);
    rf_db *db = res ? rf_ctx_db(ctx, res->db) : NULL;
    rf_dialect d = db ? rf_db_dialect(db) : RF_SQLITE;
    char *sql;
    rf_value *params;
    int nparams;
    if (!rf_search_sql(ctx->arena, f, d, terms, nterms, &sql, &params, &nparams)) {
        rf_log_error("SearchFilter: '@' (full-text search) is not supported");
        return rf_error(ctx, 500, "A server error occurred.");
    }
    rf_query_where(q, sql, params, nparams);
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * DjangoFilterBackend: cleaning one value as django-filter's form field.
 */

#define ERR_NUMBER "Enter a number."
#define ERR_NUMBER_MAX "Ensure this value is less than or equal to 1e+50."
#define ERR_NULL_CHAR "Null characters are not allowed."
#define ERR_UUID "Enter a valid UUID."
#define ERR_DATE "Enter a valid date."
#define ERR_DATETIME "Enter a valid date/time."
#define ERR_FK_CHOICE "Select a valid choice. That choice is not one of the available choices."

static bool is_digit_char(char c)
{
    return c >= '0' && c <= '9';
}

/* A finite decimal as Python's Decimal() reads it: digits without leading
 * zeros ("" for zero) times 10^exp. */
typedef struct decimal {
    bool negative;
    const char *digits;
    size_t ndigits;
    int64_t exp;
} decimal;

/* s[at..at+n) equals the lower-case word, ASCII case folded. */
static bool ieq_prefix(rf_str s, size_t at, const char *word, size_t n)
{
    if (s.n - at < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s.s[at + i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != word[i])
            return false;
    }
    return true;
}

/* s[at..] is the word, ASCII case folded. */
static bool ascii_ieq(rf_str s, size_t at, const char *word)
{
    size_t n = strlen(word);
    return s.n - at == n && ieq_prefix(s, at, word, n);
}

/* Infinity, Inf, NaN, sNaN (with a payload), any case: valid syntax, but
 * not a number for forms.DecimalField. */
static bool is_special(rf_str s, size_t at)
{
    if (ascii_ieq(s, at, "inf") || ascii_ieq(s, at, "infinity"))
        return true;
    size_t i = at;
    if (i < s.n && (s.s[i] == 's' || s.s[i] == 'S'))
        i++;
    if (s.n - i < 3 || !((s.s[i] | 32) == 'n' && (s.s[i + 1] | 32) == 'a' &&
                         (s.s[i + 2] | 32) == 'n'))
        return false;
    for (i += 3; i < s.n; i++)
        if (!is_digit_char(s.s[i]))
            return false;
    return true;
}

/* Decimal(str(value).strip()): whitespace stripped, every underscore
 * ignored (CPython's _decimal does), then the number syntax. */
static bool parse_decimal(rf_arena *a, rf_str raw, decimal *d, bool *special)
{
    rf_str t = strip(raw);
    char *s = rf_alloc(a, t.n + 1);
    size_t n = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.s[i] != '_')
            s[n++] = t.s[i];
    s[n] = '\0';
    rf_str str = { s, n };
    size_t i = 0;
    *special = false;
    d->negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        d->negative = s[i++] == '-';
    if (is_special(str, i)) {
        *special = true;
        return true;
    }
    char *digits = rf_alloc(a, n + 1);
    size_t nd = 0, seen = 0;
    int64_t frac = 0;
    for (; i < n && is_digit_char(s[i]); i++, seen++)
        if (nd || s[i] != '0')
            digits[nd++] = s[i];
    if (i < n && s[i] == '.')
        for (i++; i < n && is_digit_char(s[i]); i++, seen++, frac++)
            if (nd || s[i] != '0')
                digits[nd++] = s[i];
    if (!seen)
        return false;
    int64_t e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n || !is_digit_char(s[i]))
            return false;
        /* Saturated: past this, only the sign of the exponent matters. */
        for (; i < n && is_digit_char(s[i]); i++)
            if (e < INT64_MAX / 100)
                e = e * 10 + (s[i] - '0');
        if (eneg)
            e = -e;
    }
    if (i != n)
        return false;
    d->digits = digits;
    d->ndigits = nd;
    d->exp = e - frac;
    return true;
}

/* django-filter's MaxValueValidator(1e50): compared with the double 1e50,
 * which is exactly this integer. */
static bool above_1e50(const decimal *d)
{
    static const char limit[] = "100000000000000007629769841091887003294964970946560";
    const int64_t limit_adjusted = (int64_t)sizeof limit - 2;   /* 50 */
    if (d->negative || d->ndigits == 0)
        return false;
    int64_t adjusted = d->exp + (int64_t)d->ndigits - 1;
    if (adjusted != limit_adjusted)
        return adjusted > limit_adjusted;
    size_t n = sizeof limit - 1;
    size_t common = d->ndigits < n ? d->ndigits : n;
    int c = memcmp(d->digits, limit, common);
    if (c)
        return c > 0;
    /* Equal so far: any further nonzero digit of the value is above. */
    for (size_t i = common; i < d->ndigits; i++)
        if (d->digits[i] != '0')
            return true;
    return false;
}

/* int(Decimal): truncated toward zero; false beyond int64. */
static bool decimal_to_int64(const decimal *d, int64_t *out)
{
    int64_t int_digits = (int64_t)d->ndigits + d->exp;
    if (int_digits <= 0) {
        *out = 0;
        return true;
    }
    if (int_digits > 19)
        return false;
    uint64_t v = 0;
    for (int64_t i = 0; i < int_digits; i++) {
        unsigned digit = i < (int64_t)d->ndigits ? (unsigned)(d->digits[i] - '0') : 0;
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (v > (uint64_t)INT64_MAX + d->negative)
        return false;
    *out = d->negative ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* Digits beyond any column's precision: a value this long equals no
 * stored decimal (beyond a 1000-digit exponent either way). */
#define DECIMAL_MAX_DIGITS 1000

/* The plain text of a decimal ("-12.0034"), for binding; NULL when it is
 * too long to equal any stored decimal. */
static char *decimal_plain(rf_arena *a, const decimal *d)
{
    if (d->exp > DECIMAL_MAX_DIGITS || -d->exp > DECIMAL_MAX_DIGITS)
        return NULL;
    /* Python's '{:f}': the coefficient ("0" for zero) placed by the exponent. */
    const char *coeff = d->ndigits ? d->digits : "0";
    int64_t nc = d->ndigits ? (int64_t)d->ndigits : 1;
    rf_buf b;
    rf_buf_init(&b, a, (size_t)nc + 8);
    if (d->negative)
        rf_buf_putc(&b, '-');
    int64_t point = nc + d->exp;          /* digits before the point */
    if (d->exp >= 0) {
        rf_buf_append(&b, coeff, (size_t)nc);
        for (int64_t i = 0; i < d->exp; i++)
            rf_buf_putc(&b, '0');
    } else if (point > 0) {
        rf_buf_append(&b, coeff, (size_t)point);
        rf_buf_putc(&b, '.');
        rf_buf_append(&b, coeff + point, (size_t)(nc - point));
    } else {
        rf_buf_lit(&b, "0.");
        for (int64_t i = 0; i < -point; i++)
            rf_buf_putc(&b, '0');
        rf_buf_append(&b, coeff, (size_t)nc);
    }
    rf_buf_putc(&b, '\0');
    return b.data;
}

/* forms.DateField with Django's default DATE_INPUT_FORMATS, each tried as
 * Python's strptime does: the format's regex (case-insensitive, spaces are
 * \s+) must match from the start, and its first match must end the text. */
static const char *const date_formats[] = {
    "%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%b %d %Y", "%b %d, %Y",
    "%d %b %Y", "%d %b, %Y", "%B %d %Y", "%B %d, %Y", "%d %B %Y", "%d %B, %Y",
};

static const char *const months[] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
};

/* Python's regex alternatives for %m and %d, in their order. */
static const char *const month_alts[] = { "1[0-2]", "0[1-9]", "[1-9]" };
static const char *const day_alts[] = { "3[01]", "[12]d", "0[1-9]", "[1-9]", " [1-9]" };

typedef struct date_match {
    rf_str s;
    int year, month, day;
} date_match;

/* Match a tiny pattern: "d" a digit, "[xy]" a class, "[a-b]" a range. */
static size_t match_alt(const char *alt, rf_str s, size_t at)
{
    size_t i = at;
    for (const char *p = alt; *p; p++, i++) {
        if (i >= s.n)
            return 0;
        char c = s.s[i];
        if (*p == 'd') {
            if (!is_digit_char(c))
                return 0;
        } else if (*p == '[') {
            bool ok = p[2] == '-' ? c >= p[1] && c <= p[3] : (c == p[1] || c == p[2]);
            if (!ok)
                return 0;
            p = strchr(p, ']');
        } else if (c != *p)
            return 0;
    }
    return i - at;
}

static int number_at(rf_str s, size_t at, size_t n)
{
    int v = 0;
    for (size_t i = at; i < at + n; i++)
        if (is_digit_char(s.s[i]))
            v = v * 10 + (s.s[i] - '0');
    return v;
}

/* The end of the first match of fmt at s[at..], or -1. */
static long match_format(const char *fmt, date_match *m, size_t at)
{
    if (!*fmt)
        return (long)at;
    if (*fmt == ' ') {
        size_t k, ends[64];
        int n = 0;
        for (size_t i = at; i < m->s.n && n < 64 && (k = rf_space_at(m->s.s + i, m->s.n - i));)
            ends[n++] = (i += k);
        for (int j = n - 1; j >= 0; j--) {     /* \s+ is greedy */
            long r = match_format(fmt + 1, m, ends[j]);
            if (r >= 0)
                return r;
        }
        return -1;
    }
    if (*fmt != '%')
        return at < m->s.n && m->s.s[at] == *fmt ? match_format(fmt + 1, m, at + 1) : -1;
    char directive = fmt[1];
    const char *rest = fmt + 2;
    if (directive == 'Y' || directive == 'y') {
        size_t n = directive == 'Y' ? 4 : 2;
        if (m->s.n - at < n)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (!is_digit_char(m->s.s[at + i]))
                return -1;
        int v = number_at(m->s, at, n);
        m->year = directive == 'Y' ? v : v <= 68 ? 2000 + v : 1900 + v;
        return match_format(rest, m, at + n);
    }
    if (directive == 'm' || directive == 'd') {
        const char *const *alts = directive == 'm' ? month_alts : day_alts;
        int nalts = directive == 'm' ? 3 : 5;
        for (int i = 0; i < nalts; i++) {
            size_t n = match_alt(alts[i], m->s, at);
            if (!n)
                continue;
            *(directive == 'm' ? &m->month : &m->day) = number_at(m->s, at, n);
            long r = match_format(rest, m, at + n);
            if (r >= 0)
                return r;
        }
        return -1;
    }
    /* %b and %B: month names, longest first (all distinct, none a prefix
     * of another, so the order among equals does not matter). */
    for (size_t len = 9; len >= 3; len--)
        for (int i = 0; i < 12; i++) {
            size_t n = directive == 'b' ? 3 : strlen(months[i]);
            if (n != len || !ieq_prefix(m->s, at, months[i], n))
                continue;
            m->month = i + 1;
            long r = match_format(rest, m, at + n);
            if (r >= 0)
                return r;
        }
    return -1;
}

static bool parse_form_date(rf_arena *a, rf_str s, int32_t *days)
{
    for (size_t i = 0; i < sizeof date_formats / sizeof *date_formats; i++) {
        date_match m = { s, 0, 0, 0 };
        if (match_format(date_formats[i], &m, 0) != (long)s.n)
            continue;
        if (rf_parse_date(rf_sprintf(a, "%04d-%02d-%02d", m.year, m.month, m.day), days))
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------------
 * One filterset field's value, cleaned.
 */
typedef rf_cleaned cleaned;

static cleaned clean_error(const char *message)
{
    return (cleaned){ .outcome = RF_CLEAN_ERROR, .error = message };
}

static cleaned clean_value(rf_value v)
{
    return (cleaned){ .outcome = RF_CLEAN_VALUE, .value = v };
}

/* NumberFilter: forms.DecimalField plus MaxValueValidator(1e50), then the
 * model field's get_prep_value (int() truncates, float() rounds). */
static cleaned clean_number(rf_arena *a, const rf_field *f, rf_str raw)
{
    decimal d;
    bool special;
    if (!parse_decimal(a, raw, &d, &special) || special)
        return clean_error(ERR_NUMBER);
    if (above_1e50(&d))
        return clean_error(ERR_NUMBER_MAX);
    if (f->type == RF_F_FLOAT) {
        char *text = rf_sprintf(a, "%s0.%.*se%lld", d.negative ? "-" : "",
                                (int)d.ndigits, d.digits,
                                (long long)(d.exp + (int64_t)d.ndigits));
        return clean_value((rf_value){ .type = RF_V_FLOAT, .u.f = strtod(text, NULL) });
    }
    if (f->type == RF_F_DECIMAL) {
        char *plain = decimal_plain(a, &d);
        if (!plain)
            return (cleaned){ .outcome = RF_CLEAN_NOTHING };
        return clean_value((rf_value){ .type = RF_V_DECIMAL, .u.s = plain });
    }
    int64_t v;
    if (!decimal_to_int64(&d, &v))
        return (cleaned){ .outcome = RF_CLEAN_NOTHING };
    return clean_value(RF_VINT(v));
}

/* DRF's BooleanWidget: 1/0/true/false in any case, anything else is no
 * filter at all. */
static cleaned clean_boolean(rf_str raw)
{
    static const struct { const char *text; bool value; } words[] = {
        { "1", true }, { "0", false }, { "true", true }, { "false", false },
    };
    for (size_t i = 0; i < 4; i++)
        if (ascii_ieq(raw, 0, words[i].text))
            return clean_value(RF_VBOOL(words[i].value));
    return (cleaned){ .outcome = RF_CLEAN_SKIP };
}

/* ChoiceFilter, used for any field with choices: str(value) must equal a
 * choice's value exactly (no stripping). */
static cleaned clean_choice(rf_arena *a, const rf_field *f, rf_str raw)
{
    for (int i = 0; i < f->limits.nchoices; i++) {
        const char *c = f->limits.choices[i].value;
        if (strlen(c) == raw.n && memcmp(c, raw.s, raw.n) == 0) {
            rf_value v;
            if (!rf_cursor_position_value(a, f, c, &v))
                v = RF_VTEXT(c);
            return clean_value(v);
        }
    }
    return clean_error(rf_sprintf(a, "Select a valid choice. %.*s is not one of the "
                                     "available choices.", (int)raw.n, raw.s));
}

/* ModelChoiceFilter: queryset.get(pk=value), the value converted as the
 * related primary key's get_prep_value would; the row's existence is
 * checked later.  ModelChoiceField catches ValueError and TypeError (its
 * "invalid choice"), not the ValidationError of UUIDField.to_python, which
 * reaches the form with Django's own text. */
static cleaned clean_foreign_key(rf_arena *a, const rf_field *f, rf_str raw)
{
    const rf_field *pk = &f->fk_target->fields[f->fk_target->pk];
    char *text = rf_strndup(a, raw.s, raw.n);
    rf_value v;
    if (rf_field_key_type(pk) == RF_F_UUID) {
        char *canonical = rf_alloc(a, 37);
        if (!rf_parse_uuid(a, raw.s, raw.n, canonical))
            return clean_error(rf_sprintf(a, "“%s” is not a valid UUID.", text));
        v = RF_VTEXT(canonical);
    } else if (memchr(raw.s, '\0', raw.n) || !rf_cursor_position_value(a, pk, text, &v)) {
        return clean_error(ERR_FK_CHOICE);
    }
    return (cleaned){ .outcome = RF_CLEAN_CHECK_FK, .value = v };
}

static bool empty(rf_str s)
{
    return s.n == 0;
}

rf_cleaned rf_filter_clean(rf_arena *a, const rf_field *f, const rf_str *param)
{
    if (!param || empty(*param))
        return (cleaned){ .outcome = RF_CLEAN_SKIP };
    rf_str raw = *param;
    if (f->limits.nchoices > 0)
        return clean_choice(a, f, raw);
    rf_str stripped = strip(raw);
    switch (f->type) {
    case RF_F_AUTO: case RF_F_BIGAUTO: case RF_F_INTEGER: case RF_F_BIGINTEGER:
    case RF_F_FLOAT: case RF_F_DECIMAL:
        return clean_number(a, f, raw);
    case RF_F_BOOLEAN:
        return clean_boolean(raw);
    case RF_F_FOREIGNKEY:
        return clean_foreign_key(a, f, raw);
    case RF_F_UUID: {
        if (empty(stripped))
            return (cleaned){ .outcome = RF_CLEAN_SKIP };
        char *canonical = rf_alloc(a, 37);
        if (!rf_parse_uuid(a, stripped.s, stripped.n, canonical))
            return clean_error(ERR_UUID);
        return clean_value(RF_VTEXT(canonical));
    }
    case RF_F_DATE: {
        int32_t days;
        if (empty(stripped))
            return (cleaned){ .outcome = RF_CLEAN_SKIP };
        if (!parse_form_date(a, stripped, &days))
            return clean_error(ERR_DATE);
        return clean_value((rf_value){ .type = RF_V_DATE, .u.i = days });
    }
    case RF_F_DATETIME: {
        int64_t usec;
        if (empty(stripped))
            return (cleaned){ .outcome = RF_CLEAN_SKIP };
        char *text = rf_strndup(a, stripped.s, stripped.n);
        if (memchr(stripped.s, '\0', stripped.n) || !rf_parse_datetime(text, &usec))
            return clean_error(ERR_DATETIME);
        return clean_value((rf_value){ .type = RF_V_DATETIME, .u.i = usec });
    }
    default:
        /* CharFilter: forms.CharField strips, refuses NULs. */
        if (empty(stripped))
            return (cleaned){ .outcome = RF_CLEAN_SKIP };
        if (memchr(stripped.s, '\0', stripped.n))
            return clean_error(ERR_NULL_CHAR);
        return clean_value(RF_VTEXT(rf_strndup(a, stripped.s, stripped.n)));
    }
}

/* ---------------------------------------------------------------------
 * Applying the backends, in filter_backends order.  Only the ForeignKey
 * existence checks wait for the database; everything else is immediate.
 */
typedef struct filter_run {
    rf_ctx *ctx;
    const rf_filters *f;
    rf_query *q;
    void (*k)(rf_ctx *, rf_rc);
    rf_qs qs;
    int step;               /* index into f->order */
    cleaned *values;        /* per filterset field */
    int checking;           /* filterset field whose key is being checked */
} filter_run;

static rf_rc run_backends(filter_run *run);

static bool unsupported_filter_field(const rf_field *f)
{
    return f->type == RF_F_JSON || f->type == RF_F_NESTED;
}

/* Set the conditions, or the 400 of every field that failed. */
static rf_rc finish_filterset(filter_run *run)
{
    const rf_filters *f = run->f;
    rf_verrs *errs = NULL;
    for (int i = 0; i < f->nfilterset_fields; i++)
        if (run->values[i].outcome == RF_CLEAN_ERROR) {
            if (!errs)
                errs = rf_verrs_new(run->ctx->arena);
            rf_verrs_add(errs, f->filterset_fields[i]->name, run->values[i].error);
        }
    if (errs)
        return rf_validation_failed(run->ctx, errs);
    for (int i = 0; i < f->nfilterset_fields; i++) {
        cleaned *c = &run->values[i];
        if (c->outcome == RF_CLEAN_VALUE || c->outcome == RF_CLEAN_CHECK_FK)
            rf_query_where_eq(run->q, f->filterset_fields[i], c->value);
        else if (c->outcome == RF_CLEAN_NOTHING)
            rf_query_where(run->q, "1 = 0", NULL, 0);
    }
    return RF_OK;
}

static rf_rc check_next_key(filter_run *run);

static void resume(filter_run *run, rf_rc rc)
{
    if (rc == RF_OK) {
        run->step++;
        rc = run_backends(run);
    }
    if (rc != RF_PENDING)
        run->k(run->ctx, rc);
}

static void on_key_checked(rf_ctx *ctx, rf_result *res, void *arg)
{
    filter_run *run = arg;
    rf_db_error err = rf_result_error(res);
    if (err != RF_DB_OK) {
        rf_log_error("filter: checking a related key failed: %s", rf_result_message(res));
        run->k(ctx, rf_db_fail(ctx, err));
        return;
    }
    if (rf_result_nrows(res) == 0)
        run->values[run->checking] = clean_error(ERR_FK_CHOICE);
    run->checking++;
    rf_rc rc = check_next_key(run);
    if (rc == RF_PENDING)
        return;
    resume(run, rc == RF_OK ? finish_filterset(run) : rc);
}

/* SELECT 1 when the target has a row with the key; SQLite keeps UUIDs
 * without their dashes. */
static const char *key_exists_sql(rf_arena *a, const rf_resource *target, rf_dialect d)
{
    const rf_field *pk = &target->fields[target->pk];
    bool bare_uuid = d == RF_SQLITE && rf_field_key_type(pk) == RF_F_UUID;
    return rf_sprintf(a, "SELECT 1 FROM \"%s\" WHERE \"%s\" = %s LIMIT 1", target->table,
                      pk->column, bare_uuid ? "replace(?, '-', '')" : "?");
}

/* ModelChoiceField's queryset.get(pk=value), one field at a time. */
static rf_rc check_next_key(filter_run *run)
{
    const rf_filters *f = run->f;
    for (; run->checking < f->nfilterset_fields; run->checking++) {
        if (run->values[run->checking].outcome != RF_CLEAN_CHECK_FK)
            continue;
        const rf_field *field = f->filterset_fields[run->checking];
        const rf_resource *target = field->fk_target;
        rf_stmt *stmt = rf_calloc(run->ctx->arena, sizeof *stmt);
        for (int d = RF_SQLITE; d <= RF_POSTGRES; d++)
            stmt->sql[d] = key_exists_sql(run->ctx->arena, target, (rf_dialect)d);
        rf_db *db = rf_ctx_db(run->ctx, target->db);
        if (!db) {
            rf_log_error("filter: no database for %s", target->name);
            return rf_error(run->ctx, 500, "A server error occurred.");
        }
        return rf_db_exec(run->ctx, db, stmt, &run->values[run->checking].value, 1,
                          on_key_checked, run);
    }
    return RF_OK;
}

static rf_rc apply_filterset(filter_run *run)
{
    const rf_filters *f = run->f;
    run->values = rf_calloc(run->ctx->arena, sizeof *run->values *
                                                 (size_t)(f->nfilterset_fields + 1));
    for (int i = 0; i < f->nfilterset_fields; i++) {
        const rf_field *field = f->filterset_fields[i];
        if (unsupported_filter_field(field)) {
            /* django-filter refuses the FilterSet itself (500 in DRF). */
            rf_log_error("filterset_fields: %s cannot be filtered", field->name);
            return rf_error(run->ctx, 500, "A server error occurred.");
        }
        run->values[i] = rf_filter_clean(run->ctx->arena, field,
                                            rf_qs_get(&run->qs, field->name));
    }
    run->checking = 0;
    rf_rc rc = check_next_key(run);
    return rc == RF_OK ? finish_filterset(run) : rc;
}

/* The backend at step i: filter_backends order, or without one the order
 * of the RF_FILTER_* bits (the only order their effects can differ in is
 * which error a request with several problems shows). */
static uint32_t backend_at(const rf_filters *f, int i)
{
    if (f->order)
        return i < f->norder ? f->order[i] : 0;
    static const uint32_t bits[] = { RF_FILTER_DJANGO, RF_FILTER_SEARCH, RF_FILTER_ORDERING };
    return i < 3 ? (f->backends & bits[i]) : 0;
}

static int backend_count(const rf_filters *f)
{
    return f->order ? f->norder : 3;
}

static rf_rc run_backends(filter_run *run)
{
    for (; run->step < backend_count(run->f); run->step++) {
        rf_rc rc = RF_OK;
        switch (backend_at(run->f, run->step)) {
        case RF_FILTER_DJANGO:
            rc = apply_filterset(run);
            break;
        case RF_FILTER_SEARCH:
            rc = apply_search(run->ctx, run->f, &run->qs, run->q);
            break;
        case RF_FILTER_ORDERING:
            apply_ordering(run->ctx, run->f, &run->qs, run->q);
            break;
        }
        if (rc != RF_OK)
            return rc;
    }
    return RF_OK;
}

static filter_run *new_run(rf_ctx *ctx, const rf_filters *f, rf_query *q,
                           void (*k)(rf_ctx *, rf_rc))
{
    filter_run *run = rf_calloc(ctx->arena, sizeof *run);
    run->ctx = ctx;
    run->f = f;
    run->q = q;
    run->k = k;
    run->qs = rf_request_qs(ctx);
    return run;
}

rf_rc rf_filters_apply_async(rf_ctx *ctx, const rf_filters *f, rf_query *q,
                             void (*k)(rf_ctx *, rf_rc))
{
    if (!f)
        return RF_OK;
    return run_backends(new_run(ctx, f, q, k));
}

/* Whether the filterset needs the database: a ForeignKey filter with a
 * well-formed value. */
static bool needs_key_check(rf_ctx *ctx, const rf_filters *f)
{
    rf_qs qs = rf_request_qs(ctx);
    for (int i = 0; i < f->nfilterset_fields; i++) {
        const rf_field *field = f->filterset_fields[i];
        if (field->type == RF_F_FOREIGNKEY && !field->limits.nchoices &&
            rf_filter_clean(ctx->arena, field, rf_qs_get(&qs, field->name)).outcome ==
                RF_CLEAN_CHECK_FK)
            return true;
    }
    return false;
}

static rf_rc start_from_pool(rf_ctx *ctx, void *arg, rf_cont k)
{
    (void)ctx;
    filter_run *run = arg;
    run->k = k;
    return run_backends(run);
}

rf_rc rf_filters_apply(rf_ctx *ctx, const rf_filters *f, rf_query *q)
{
    if (!f)
        return RF_OK;
    if (rf_on_pool_thread())
        return rf_sync_call(ctx, start_from_pool, new_run(ctx, f, q, NULL));
    if ((f->backends & RF_FILTER_DJANGO) && needs_key_check(ctx, f)) {
        rf_log_error("rf_filters_apply on the loop thread cannot check a related key "
                     "without blocking: use rf_filters_apply_async");
        return rf_error(ctx, 500, "A server error occurred.");
    }
    return run_backends(new_run(ctx, f, q, NULL));
}
