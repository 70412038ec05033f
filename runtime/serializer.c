/*
 * serializer.c: validation with DRF 3.14's messages and order.
 *
 * Per field, as Field.run_validation does: CharField's blank test, then
 * required / null (validate_empty_values), then the type conversion
 * (to_internal_value: one error and stop), then every validator with all
 * their errors collected.  The database checks (UniqueValidator, which
 * DRF runs first among the validators, and PrimaryKeyRelatedField's
 * lookup, part of its conversion) are batched by the pipeline in
 * validation.c; errors stay in field order whatever the order of discovery.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "serializer.h"

#define MSG_REQUIRED "This field is required."
#define MSG_NULL     "This field may not be null."
#define MSG_BLANK    "This field may not be blank."
#define MSG_TOO_LONG_INPUT "String value too large."

/* Python's limit on numeric input strings (IntegerField, FloatField and
 * DecimalField.MAX_STRING_LENGTH). */
#define MAX_NUMBER_STRING 1000

/* ---------------------------------------------------------------------
 * Validation errors: a dict in field order, each field a list of messages.
 */
typedef struct verr_msg {
    const char *text;
    size_t len;                  /* messages quote input, NULs included */
    struct verr_msg *next;
} verr_msg;

typedef struct verr_field {
    const char *name;            /* NULL: non_field_errors */
    int rank;                    /* position in the serializer; INT_MAX: after */
    verr_msg *first, *last;
    struct verr_field *next;
} verr_field;

struct rf_verrs {
    rf_arena *arena;
    verr_field *first;
};

#define RANK_LAST 0x7fffffff

rf_verrs *rf_verrs_new(rf_arena *a)
{
    rf_verrs *e = rf_calloc(a, sizeof *e);
    e->arena = a;
    return e;
}

static bool same_field(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static verr_field *find_field(const rf_verrs *e, const char *name)
{
    for (verr_field *f = e->first; f; f = f->next)
        if (same_field(f->name, name))
            return f;
    return NULL;
}

/* The entry for `name`, created in rank order (stable for equal ranks). */
static verr_field *field_entry(rf_verrs *e, int rank, const char *name)
{
    verr_field *f = find_field(e, name);
    if (f)
        return f;
    f = rf_calloc(e->arena, sizeof *f);
    f->name = name ? rf_strdup(e->arena, name) : NULL;
    f->rank = rank;
    verr_field **at = &e->first;
    while (*at && (*at)->rank <= rank)
        at = &(*at)->next;
    f->next = *at;
    *at = f;
    return f;
}

static void add_message(rf_verrs *e, int rank, const char *field, const char *msg,
                        size_t len, bool first)
{
    verr_field *f = field_entry(e, rank, field);
    verr_msg *m = rf_calloc(e->arena, sizeof *m);
    m->text = rf_strndup(e->arena, msg, len);
    m->len = len;
    if (first || !f->first) {
        m->next = f->first;
        f->first = m;
        if (!f->last)
            f->last = m;
    } else {
        f->last->next = m;
        f->last = m;
    }
}

void rf_verrs_add_ranked(rf_verrs *e, int rank, const char *field, const char *msg,
                         bool first)
{
    add_message(e, rank, field, msg, strlen(msg), first);
}

void rf_verrs_add(rf_verrs *e, const char *field, const char *msg)
{
    rf_verrs_add_ranked(e, RANK_LAST, field, msg, false);
}

void rf_verrs_merge(rf_verrs *e, int rank, const char *field, const rf_verrs *src)
{
    for (verr_field *f = src->first; f; f = f->next)
        for (verr_msg *m = f->first; m; m = m->next)
            add_message(e, field ? rank : f->rank, field ? field : f->name, m->text, m->len,
                        false);
}

bool rf_verrs_field_failed(const rf_verrs *e, const char *field)
{
    return find_field(e, field) != NULL;
}

bool rf_verrs_empty(const rf_verrs *e)
{
    return e->first == NULL;
}

void rf_verrs_render(rf_buf *b, const rf_verrs *e)
{
    rf_buf_putc(b, '{');
    for (verr_field *f = e->first; f; f = f->next) {
        if (f != e->first)
            rf_buf_putc(b, ',');
        rf_json_str(b, f->name ? f->name : "non_field_errors");
        rf_buf_lit(b, ":[");
        for (verr_msg *m = f->first; m; m = m->next) {
            if (m != f->first)
                rf_buf_putc(b, ',');
            rf_json_strn(b, m->text, m->len);
        }
        rf_buf_putc(b, ']');
    }
    rf_buf_putc(b, '}');
}

/* ---------------------------------------------------------------------
 * State.
 */
rf_vstate *rf_vstate_new(rf_arena *a, const rf_serializer *s, const json_t *data,
                         bool html, rf_vmode mode)
{
    rf_vstate *vs = rf_calloc(a, sizeof *vs);
    vs->arena = a;
    vs->ser = s;
    vs->data = data;
    vs->html = html;
    vs->mode = mode;
    vs->errs = rf_verrs_new(a);
    vs->status = rf_calloc(a, s->nfields ? s->nfields : 1);
    vs->pk_text = rf_calloc(a, (s->nfields ? s->nfields : 1) * sizeof *vs->pk_text);
    return vs;
}

static int field_pos(const rf_vstate *vs, const rf_sfield *f)
{
    return (int)(f - vs->ser->fields);
}

static void fail(rf_vstate *vs, const rf_sfield *f, const char *msg)
{
    rf_verrs_add_ranked(vs->errs, field_pos(vs, f), f->name, msg, false);
}

static void set_status(rf_vstate *vs, const rf_sfield *f, rf_fstatus st)
{
    int pos = field_pos(vs, f);
    if (pos >= 0 && pos < vs->ser->nfields)
        vs->status[pos] = (uint8_t)st;
}

/* ---------------------------------------------------------------------
 * Storing values into the record (model.h's layout: a state byte per
 * field, members by C type).
 */
static bool is_integer_type(rf_ftype t)
{
    return t == RF_F_AUTO || t == RF_F_BIGAUTO || t == RF_F_INTEGER ||
           t == RF_F_BIGINTEGER || t == RF_F_FOREIGNKEY;
}

static void store_null(const rf_sfield *f, void *rec)
{
    RF_STATE(rec, f->index) = RF_SET | RF_NULL;
}

static void store_int(const rf_sfield *f, void *rec, int64_t v)
{
    RF_STATE(rec, f->index) = RF_SET;
    if (f->type == RF_F_DATE)
        RF_MEMBER(rec, f->offset, int32_t) = (int32_t)v;
    else if (f->type == RF_F_BOOLEAN)
        RF_MEMBER(rec, f->offset, bool) = v != 0;
    else
        RF_MEMBER(rec, f->offset, int64_t) = v;
}

static void store_float(const rf_sfield *f, void *rec, double v)
{
    RF_STATE(rec, f->index) = RF_SET;
    RF_MEMBER(rec, f->offset, double) = v;
}

static void store_text(const rf_sfield *f, void *rec, const char *v)
{
    RF_STATE(rec, f->index) = RF_SET;
    RF_MEMBER(rec, f->offset, const char *) = v;
}

/* A default (rf_value) into the member of the field's C type. */
static void store_value(rf_arena *a, const rf_sfield *f, void *rec, rf_value v)
{
    switch (v.type) {
    case RF_V_NULL:
        store_null(f, rec);
        break;
    case RF_V_FLOAT:
        store_float(f, rec, v.u.f);
        break;
    case RF_V_TEXT:
    case RF_V_DECIMAL:
    case RF_V_JSON:
        store_text(f, rec, rf_strdup(a, v.u.s));
        break;
    default:   /* INT, BOOL, DATETIME, DATE */
        store_int(f, rec, v.u.i);
    }
}

/* ---------------------------------------------------------------------
 * Reading the input: Field.get_value, with DRF's rules for HTML forms.
 */
static const json_t *const EMPTY = NULL;    /* DRF's `empty`: no input */

static bool is_html_blank(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) == 0;
}

static const json_t *get_value(const rf_vstate *vs, const rf_sfield *f)
{
    const json_t *v = vs->data ? json_object_get(vs->data, f->name) : NULL;
    /* JSONField reads a form value raw (as JSON text), never empty. */
    if (!vs->html || (f->type == RF_F_JSON && !f->limits.nchoices))
        return v;
    if (!v) {
        /* A form leaves an unchecked box out: BooleanField reads False. */
        if (vs->mode == RF_VM_PARTIAL || f->type != RF_F_BOOLEAN || f->limits.nchoices)
            return EMPTY;
        return json_false();
    }
    bool blank_ok = (f->flags & RF_SF_ALLOW_BLANK) != 0;
    if (is_html_blank(v) && (f->flags & RF_SF_ALLOW_NULL))
        return blank_ok ? v : json_null();
    if (is_html_blank(v) && !(f->flags & RF_SF_REQUIRED))
        return blank_ok ? v : EMPTY;
    return v;
}

static const char *uuid4_text(rf_arena *a);

/* The serializer field's default: its literal, or a callable's value now. */
static rf_value field_default(rf_arena *a, const rf_sfield *f)
{
    if (f->flags & RF_SF_DEFAULT_NOW) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (rf_value){ .type = RF_V_DATETIME,
                           .u.i = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 };
    }
    if (f->flags & RF_SF_DEFAULT_UUID4)
        return RF_VTEXT(uuid4_text(a));
    return f->default_value;
}

/* validate_empty_values: true when the field is done (value, skip or
 * error recorded); false when v must go through conversion. */
static bool handle_empty(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    if (v == EMPTY) {
        if (vs->mode == RF_VM_PARTIAL) {
            set_status(vs, f, RF_FS_SKIPPED);
        } else if (f->flags & RF_SF_REQUIRED) {
            fail(vs, f, MSG_REQUIRED);
            set_status(vs, f, RF_FS_FAILED);
        } else if (f->flags & (RF_SF_HAS_DEFAULT | RF_SF_DEFAULT_NOW | RF_SF_DEFAULT_UUID4)) {
            store_value(vs->arena, f, rec, field_default(vs->arena, f));
            set_status(vs, f, RF_FS_EMPTY);
        } else {
            set_status(vs, f, RF_FS_SKIPPED);
        }
        return true;
    }
    if (json_is_null(v)) {
        if (f->flags & RF_SF_ALLOW_NULL) {
            store_null(f, rec);
            set_status(vs, f, RF_FS_EMPTY);
        } else {
            fail(vs, f, MSG_NULL);
            set_status(vs, f, RF_FS_FAILED);
        }
        return true;
    }
    return false;
}

/* str(value), stripped when asked, into the arena. */
static const char *py_text(rf_vstate *vs, const json_t *v, bool strip, size_t *len)
{
    rf_buf b;
    rf_buf_init(&b, vs->arena, 32);
    rf_py_str(&b, v);
    const char *s = b.data;
    size_t n = b.len;
    if (strip)
        rf_py_strip(&s, &n);
    *len = n;
    return rf_strndup(vs->arena, s, n);
}

static bool too_long_number_string(const json_t *v)
{
    return json_is_string(v) &&
           rf_utf8_count(json_string_value(v), json_string_length(v)) > MAX_NUMBER_STRING;
}

/* ---------------------------------------------------------------------
 * Validators shared by the numeric fields: MaxValueValidator then
 * MinValueValidator, with the limits as the spec wrote them or, for an
 * RF_SF_DB_RANGE field on PostgreSQL, the column's range.
 */
typedef struct value_limits { const char *min, *max; } value_limits;

static value_limits own_limits(const rf_sfield *f)
{
    return (value_limits){ f->limits.min_value, f->limits.max_value };
}

/* Django's IntegerField.validators appends MinValueValidator and
 * MaxValueValidator of connection.ops.integer_field_range unless the
 * field's own are at least as tight; DRF's get_field_kwargs then takes the
 * first of each kind as min_value / max_value and drops the rest.  The
 * user's validators come first, so a side with a limit of its own keeps
 * it (even a looser one), and a side without takes the range. */
static value_limits limits_of(const rf_sfield *f, bool db_ranges)
{
    value_limits l = own_limits(f);
    if (!db_ranges || !(f->flags & RF_SF_DB_RANGE))
        return l;
    rf_ftype t = f->model_field ? f->model_field->type : f->type;
    bool big = t == RF_F_BIGINTEGER;
    if (!l.min)
        l.min = big ? "-9223372036854775808" : "-2147483648";
    if (!l.max)
        l.max = big ? "9223372036854775807" : "2147483647";
    return l;
}

static void check_value_limits(rf_vstate *vs, const rf_sfield *f, value_limits l,
                               int cmp_max, int cmp_min)
{
    if (l.max && cmp_max > 0)
        fail(vs, f, rf_sprintf(vs->arena, "Ensure this value is less than or equal to %s.",
                               l.max));
    if (l.min && cmp_min < 0)
        fail(vs, f, rf_sprintf(vs->arena, "Ensure this value is greater than or equal to %s.",
                               l.min));
}

static void check_decimal_limits(rf_vstate *vs, const rf_sfield *f, value_limits l,
                                 const char *text)
{
    check_value_limits(vs, f, l, l.max ? rf_decimal_cmp(text, l.max) : 0,
                       l.min ? rf_decimal_cmp(text, l.min) : 0);
}

bool rf_db_ranges(rf_ctx *ctx)
{
    const rf_db *db = rf_ctx_db(ctx, 0);
    return db && rf_db_dialect(db) == RF_POSTGRES;
}

/* ---------------------------------------------------------------------
 * The field types.  Each converts v (neither empty nor null), records the
 * value or the error, and runs the type's validators.
 */

/* CharField and its subclasses: the message of `invalid` is the class's. */
static const char *text_invalid_message(rf_ftype t)
{
    switch (t) {
    case RF_F_EMAIL: return "Enter a valid email address.";
    case RF_F_URL:   return "Enter a valid URL.";
    case RF_F_SLUG:  return "Enter a valid \"slug\" consisting of letters, numbers, "
                            "underscores or hyphens.";
    default:         return "Not a valid string.";
    }
}

static void text_validators(rf_vstate *vs, const rf_sfield *f, const char *s, size_t n)
{
    size_t chars = rf_utf8_count(s, n);
    if (f->limits.max_length >= 0 && chars > (size_t)f->limits.max_length)
        fail(vs, f, rf_sprintf(vs->arena, "Ensure this field has no more than %d characters.",
                               (int)f->limits.max_length));
    if (f->limits.min_length >= 0 && chars < (size_t)f->limits.min_length)
        fail(vs, f, rf_sprintf(vs->arena, "Ensure this field has at least %d characters.",
                               (int)f->limits.min_length));
    if (memchr(s, '\0', n))
        fail(vs, f, "Null characters are not allowed.");
    bool ok = true;
    if (f->type == RF_F_EMAIL)
        ok = rf_valid_email(vs->arena, s, n);
    else if (f->type == RF_F_URL)
        ok = rf_valid_url(vs->arena, s, n);
    else if (f->type == RF_F_SLUG)
        ok = rf_valid_slug(s, n);
    if (!ok)
        fail(vs, f, text_invalid_message(f->type));
}

/* CharField.run_validation's blank test comes before null and required. */
static bool text_is_blank(const json_t *v)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    rf_py_strip(&s, &n);
    return n == 0;
}

static void validate_text(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    if (json_is_boolean(v) || !(json_is_string(v) || json_is_number(v))) {
        fail(vs, f, text_invalid_message(f->type));
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    size_t n;
    const char *s = py_text(vs, v, true, &n);
    store_text(f, rec, s);
    set_status(vs, f, RF_FS_CONVERTED);
    text_validators(vs, f, s, n);
}

/* IntegerField: int(re.sub(r'\.0*\s*$', '', str(data))). */
static size_t strip_integral_fraction(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '.')
            continue;
        size_t j = i + 1;
        while (j < n && s[j] == '0')
            j++;
        size_t k = j;
        while (k < n) {
            size_t at = k;
            unsigned char c = (unsigned char)s[k];
            uint32_t cp = c;
            if (c >= 0x80) {   /* decode one UTF-8 sequence */
                int len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
                cp = c & (0x3Fu >> (len - 1));
                for (int m = 1; m < len && at + (size_t)m < n; m++)
                    cp = (cp << 6) | ((unsigned char)s[at + (size_t)m] & 0x3F);
                k += (size_t)len;
            } else {
                k++;
            }
            if (!rf_py_isspace(cp)) {
                k = 0;
                break;
            }
        }
        if (k >= n)
            return i;
    }
    return n;
}

static void validate_integer(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    if (too_long_number_string(v)) {
        fail(vs, f, MSG_TOO_LONG_INPUT);
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    size_t n;
    const char *s = py_text(vs, v, false, &n);
    int64_t value;
    int overflow;
    if (!rf_py_int(vs->arena, s, strip_integral_fraction(s, n), &value, &overflow)) {
        fail(vs, f, "A valid integer is required.");
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    store_int(f, rec, value);
    set_status(vs, f, RF_FS_CONVERTED);
    /* Past int64 the value is clamped: the limits judge it as one past the
     * int64 range, so a limit at the edge (BigIntegerField's on PostgreSQL)
     * refuses it as DRF does; with no limit to refuse it, it cannot be
     * stored (DRF would fail in the database): refused as not a valid
     * integer. */
    const char *text = overflow > 0   ? "9223372036854775808"
                       : overflow < 0 ? "-9223372036854775809"
                                      : rf_sprintf(vs->arena, "%lld", (long long)value);
    check_decimal_limits(vs, f, limits_of(f, vs->db_ranges), text);
    if (overflow && !rf_verrs_field_failed(vs->errs, f->name)) {
        fail(vs, f, "A valid integer is required.");
        set_status(vs, f, RF_FS_FAILED);
    }
}

/* FloatField: float(data) for numbers, booleans and strings.  NaN and the
 * infinities are refused (a deliberate difference: DRF accepts them and
 * then cannot render them, answering 500). */
static void validate_float(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    if (too_long_number_string(v)) {
        fail(vs, f, MSG_TOO_LONG_INPUT);
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    double d = 0;
    bool ok = true;
    if (json_is_number(v))
        d = json_number_value(v);
    else if (json_is_boolean(v))
        d = json_is_true(v);
    else if (json_is_string(v))
        ok = rf_py_float(vs->arena, json_string_value(v), json_string_length(v), &d);
    else
        ok = false;
    if (!ok || !isfinite(d)) {
        fail(vs, f, "A valid number is required.");
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    store_float(f, rec, d);
    set_status(vs, f, RF_FS_CONVERTED);
    check_value_limits(vs, f, own_limits(f),
                       f->limits.max_value ? (d > strtod(f->limits.max_value, NULL)) : 0,
                       f->limits.min_value ? -(d < strtod(f->limits.min_value, NULL)) : 0);
}

/* DecimalField: Decimal(str(data).strip()), validate_precision (first
 * failure only), quantize, then the value limits. */
static bool decimal_precision_ok(rf_vstate *vs, const rf_sfield *f, const char *canon)
{
    int total, whole, places;
    rf_decimal_digits(canon, &total, &whole, &places);
    int max_digits = f->limits.max_digits, dp = f->limits.decimal_places;
    const char *msg = NULL;
    if (max_digits >= 0 && total > max_digits)
        msg = rf_sprintf(vs->arena, "Ensure that there are no more than %d digits in total.",
                         max_digits);
    else if (dp >= 0 && places > dp)
        msg = rf_sprintf(vs->arena, "Ensure that there are no more than %d decimal places.", dp);
    else if (max_digits >= 0 && dp >= 0 && whole > max_digits - dp)
        msg = rf_sprintf(vs->arena,
                         "Ensure that there are no more than %d digits before the decimal point.",
                         max_digits - dp);
    if (msg)
        fail(vs, f, msg);
    return msg == NULL;
}

static void validate_decimal(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    size_t n;
    const char *s = py_text(vs, v, true, &n);
    const char *canon;
    if (rf_utf8_count(s, n) > MAX_NUMBER_STRING) {
        fail(vs, f, MSG_TOO_LONG_INPUT);
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    if (!rf_py_decimal(vs->arena, s, n, &canon)) {
        fail(vs, f, "A valid number is required.");
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    if (!decimal_precision_ok(vs, f, canon)) {
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    rf_buf q;
    rf_buf_init(&q, vs->arena, 32);
    rf_decimal_format(&q, canon, f->limits.decimal_places);
    store_text(f, rec, q.data);
    set_status(vs, f, RF_FS_CONVERTED);
    check_decimal_limits(vs, f, own_limits(f), q.data);
}

/* BooleanField's TRUE_VALUES / FALSE_VALUES (Python's set membership:
 * 1, 1.0 and True are one key). */
static int boolean_of(const json_t *v, bool allow_null)
{
    static const char *const trues[] = { "t", "T", "y", "Y", "yes", "Yes", "YES", "true",
                                         "True", "TRUE", "on", "On", "ON", "1", NULL };
    static const char *const falses[] = { "f", "F", "n", "N", "no", "No", "NO", "false",
                                          "False", "FALSE", "off", "Off", "OFF", "0", NULL };
    static const char *const nulls[] = { "null", "Null", "NULL", "", NULL };
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_number(v)) {
        double d = json_number_value(v);
        return d == 1 ? 1 : d == 0 ? 0 : -1;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return -1;
    const char *s = json_string_value(v);
    for (int i = 0; trues[i]; i++)
        if (strcmp(s, trues[i]) == 0)
            return 1;
    for (int i = 0; falses[i]; i++)
        if (strcmp(s, falses[i]) == 0)
            return 0;
    for (int i = 0; allow_null && nulls[i]; i++)
        if (strcmp(s, nulls[i]) == 0)
            return 2;
    return -1;
}

static void validate_boolean(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    int b = boolean_of(v, (f->flags & RF_SF_ALLOW_NULL) != 0);
    if (b < 0) {
        fail(vs, f, "Must be a valid boolean.");
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    if (b == 2)
        store_null(f, rec);
    else
        store_int(f, rec, b);
    set_status(vs, f, RF_FS_CONVERTED);
}

/* ChoiceField: str(data) looked up among the choices' values. */
static void validate_choice(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    size_t n;
    const char *key = py_text(vs, v, false, &n);
    const char *match = NULL;
    if (n == 0 && (f->flags & RF_SF_ALLOW_BLANK))
        match = "";
    for (int i = 0; !match && i < f->limits.nchoices; i++)
        if (strlen(f->limits.choices[i].value) == n &&
            memcmp(f->limits.choices[i].value, key, n) == 0)
            match = f->limits.choices[i].value;
    if (!match) {
        rf_buf msg;
        rf_buf_init(&msg, vs->arena, n + 32);
        rf_buf_putc(&msg, '"');
        rf_buf_append(&msg, key, n);
        rf_buf_lit(&msg, "\" is not a valid choice.");
        add_message(vs->errs, field_pos(vs, f), f->name, msg.data, msg.len, false);
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    if (is_integer_type(f->type) && *match)
        store_int(f, rec, strtoll(match, NULL, 10));
    else
        store_text(f, rec, match);
    set_status(vs, f, RF_FS_CONVERTED);
}

/* Python's UUID(int=data) for integers (booleans included, as Python's
 * isinstance(True, int)), UUID(hex=data) for strings; false for the rest,
 * where Python raises. */
static bool uuid_of(rf_arena *a, const json_t *v, char out[37])
{
    if (json_is_integer(v) || json_is_boolean(v)) {
        int64_t i = json_is_integer(v) ? json_integer_value(v) : json_is_true(v);
        if (i < 0)
            return false;
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)i);
        rf_format_uuid(out, hex, 16);
        return true;
    }
    return json_is_string(v) && rf_parse_uuid(a, json_string_value(v), json_string_length(v), out);
}

/* UUIDField. */
static void validate_uuid(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    char out[37];
    if (!uuid_of(vs->arena, v, out)) {
        fail(vs, f, "Must be a valid UUID.");
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    store_text(f, rec, rf_strdup(vs->arena, out));
    set_status(vs, f, RF_FS_CONVERTED);
}

static bool plain_string(const json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

static void validate_date(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    int32_t days;
    if (!plain_string(v) || !rf_parse_date(json_string_value(v), &days)) {
        fail(vs, f, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.");
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    store_int(f, rec, days);
    set_status(vs, f, RF_FS_CONVERTED);
}

static void validate_datetime(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    int64_t usec = 0;
    rf_dt_parse r = plain_string(v) ? rf_parse_datetime_ex(json_string_value(v), &usec)
                                    : RF_DT_INVALID;
    if (r != RF_DT_OK) {
        fail(vs, f, r == RF_DT_OVERFLOW
                        ? "Datetime value out of range."
                        : "Datetime has wrong format. Use one of these formats instead: "
                          "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    store_int(f, rec, usec);
    set_status(vs, f, RF_FS_CONVERTED);
}

/* JSONField: any JSON value; a form sends it as JSON text. */
static void validate_json(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    json_t *parsed = NULL;
    if (vs->html && json_is_string(v)) {
        parsed = json_loadb(json_string_value(v), json_string_length(v),
                            JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (!parsed) {
            fail(vs, f, "Value must be valid JSON.");
            set_status(vs, f, RF_FS_FAILED);
            return;
        }
        v = parsed;
    }
    if (json_is_null(v)) {     /* the text "null" in a form */
        store_null(f, rec);
        set_status(vs, f, RF_FS_CONVERTED);
        return;
    }
    rf_buf b;
    rf_buf_init(&b, vs->arena, 64);
    rf_json_value(&b, v);
    json_decref(parsed);
    store_text(f, rec, b.data);
    set_status(vs, f, RF_FS_CONVERTED);
}

static bool is_text_type(rf_ftype t)
{
    return t == RF_F_CHAR || t == RF_F_TEXT || t == RF_F_EMAIL || t == RF_F_URL ||
           t == RF_F_SLUG;
}

/* ---------------------------------------------------------------------
 * PrimaryKeyRelatedField: queryset.get(pk=data), which refuses a boolean
 * and converts data as the related primary key's get_prep_value does;
 * whether the row exists is asked in the pipeline's database round.
 */
const rf_resource *rf_sfield_related(const rf_sfield *f)
{
    if (f->related)
        return f->related;
    return f->model_field ? f->model_field->fk_target : NULL;
}

static rf_ftype related_key_type(const rf_sfield *f)
{
    const rf_resource *r = rf_sfield_related(f);
    return r ? rf_field_key_type(&r->fields[r->pk]) : RF_F_INTEGER;
}

/* A message that quotes input (which may hold NULs), built in m. */
static void fail_quoting(rf_vstate *vs, const rf_sfield *f, const rf_buf *m)
{
    add_message(vs->errs, field_pos(vs, f), f->name, m->data, m->len, false);
    set_status(vs, f, RF_FS_FAILED);
}

static void fail_quoting_pk(rf_vstate *vs, const rf_sfield *f, const char *before,
                            const char *pk, size_t n, const char *after)
{
    rf_buf m;
    rf_buf_init(&m, vs->arena, n + 64);
    rf_buf_puts(&m, before);
    rf_buf_append(&m, pk, n);
    rf_buf_puts(&m, after);
    fail_quoting(vs, f, &m);
}

/* How converting a key went. */
typedef enum key_outcome {
    KEY_OK = 0,
    KEY_REFUSED,        /* refused with a message of its own, filed */
    KEY_WRONG_TYPE      /* DRF's TypeError / ValueError: "Incorrect type" */
} key_outcome;

/* int(data): integers, floats truncated, numeric strings. */
static key_outcome integer_key(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    int64_t pk = 0;
    int overflow = 0;
    bool ok;
    if (json_is_integer(v))
        ok = true, pk = json_integer_value(v);
    else if (json_is_real(v))
        ok = true, pk = (int64_t)json_real_value(v);   /* int(9.5) == 9 */
    else if (json_is_string(v))
        ok = rf_py_int(vs->arena, json_string_value(v), json_string_length(v), &pk, &overflow);
    else
        ok = false;
    if (!ok)
        return KEY_WRONG_TYPE;
    store_int(f, rec, pk);
    return KEY_OK;
}

/* UUIDField.to_python raises Django's ValidationError with its own
 * message, not the TypeError DRF words as "Incorrect type". */
static key_outcome uuid_key(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec,
                            const char *text, size_t n)
{
    char out[37];
    if (!uuid_of(vs->arena, v, out)) {
        fail_quoting_pk(vs, f, "“", text, n, "” is not a valid UUID.");
        return KEY_REFUSED;
    }
    store_text(f, rec, rf_strdup(vs->arena, out));
    return KEY_OK;
}

/* CharField.to_python: str(data), whatever its type.  A NUL cannot be
 * bound (nor stored): no row has such a key, which is SQLite's answer
 * under DRF (psycopg2 refuses the text, and DRF says "Incorrect type"). */
static key_outcome text_key(rf_vstate *vs, const rf_sfield *f, void *rec, const char *text,
                            size_t n)
{
    if (memchr(text, '\0', n)) {
        fail_quoting_pk(vs, f, "Invalid pk \"", text, n, "\" - object does not exist.");
        return KEY_REFUSED;
    }
    store_text(f, rec, text);
    return KEY_OK;
}

static void validate_foreign_key(rf_vstate *vs, const rf_sfield *f, const json_t *v, void *rec)
{
    size_t n;
    const char *text = py_text(vs, v, false, &n);   /* str(data): the messages quote it */
    rf_ftype key = related_key_type(f);
    key_outcome outcome;
    if (json_is_boolean(v))
        outcome = KEY_WRONG_TYPE;
    else if (key == RF_F_UUID)
        outcome = uuid_key(vs, f, v, rec, text, n);
    else if (is_text_type(key))
        outcome = text_key(vs, f, rec, text, n);
    else
        outcome = integer_key(vs, f, v, rec);
    if (outcome == KEY_REFUSED)
        return;
    if (outcome == KEY_WRONG_TYPE) {
        fail(vs, f, rf_sprintf(vs->arena, "Incorrect type. Expected pk value, received %s.",
                               rf_py_typename(v)));
        set_status(vs, f, RF_FS_FAILED);
        return;
    }
    vs->pk_text[field_pos(vs, f)] = text;
    set_status(vs, f, RF_FS_CONVERTED);
}

typedef void (*field_validator)(rf_vstate *, const rf_sfield *, const json_t *, void *);

static field_validator validator_of(const rf_sfield *f)
{
    if (f->limits.nchoices > 0)
        return validate_choice;
    switch (f->type) {
    case RF_F_AUTO:
    case RF_F_BIGAUTO:
    case RF_F_INTEGER:
    case RF_F_BIGINTEGER: return validate_integer;
    case RF_F_FLOAT:      return validate_float;
    case RF_F_DECIMAL:    return validate_decimal;
    case RF_F_BOOLEAN:    return validate_boolean;
    case RF_F_UUID:       return validate_uuid;
    case RF_F_DATE:       return validate_date;
    case RF_F_DATETIME:   return validate_datetime;
    case RF_F_JSON:       return validate_json;
    case RF_F_FOREIGNKEY: return validate_foreign_key;
    case RF_F_NESTED:     return NULL;
    default:              return validate_text;
    }
}

void rf_validate_field(rf_vstate *vs, const rf_sfield *f, void *rec)
{
    field_validator convert = validator_of(f);
    /* Read-only fields take no input; writable nested serializers are not
     * supported (the compiler refuses them). */
    if ((f->flags & RF_SF_READ_ONLY) || !convert) {
        set_status(vs, f, RF_FS_SKIPPED);
        return;
    }
    const json_t *v = get_value(vs, f);
    bool char_field = is_text_type(f->type) && f->limits.nchoices == 0;
    if (char_field && text_is_blank(v)) {
        if (f->flags & RF_SF_ALLOW_BLANK) {
            store_text(f, rec, "");
            set_status(vs, f, RF_FS_EMPTY);
        } else {
            fail(vs, f, MSG_BLANK);
            set_status(vs, f, RF_FS_FAILED);
        }
        return;
    }
    /* RelatedField reads '' as None; DecimalField a blank string as None
     * when it allows null. */
    if (v && json_is_string(v) &&
        ((f->type == RF_F_FOREIGNKEY && json_string_length(v) == 0) ||
         (f->type == RF_F_DECIMAL && (f->flags & RF_SF_ALLOW_NULL) && text_is_blank(v))))
        v = json_null();
    if (handle_empty(vs, f, v, rec))
        return;
    convert(vs, f, v, rec);
}

void rf_validate_all(rf_vstate *vs, void *rec)
{
    for (uint16_t i = 0; i < vs->ser->nfields; i++)
        rf_validate_field(vs, &vs->ser->fields[i], rec);
}

bool rf_validate_sync(rf_vstate *vs, void *rec)
{
    if (vs->data && json_is_null(vs->data)) {
        /* Serializer(data=None): DRF's errors property words it so. */
        rf_verrs_add(vs->errs, NULL, "No data provided");
        return false;
    }
    if (vs->data && !json_is_object(vs->data)) {
        rf_verrs_add(vs->errs, NULL,
                     rf_sprintf(vs->arena, "Invalid data. Expected a dictionary, but got %s.",
                                rf_py_typename(vs->data)));
        return false;
    }
    if (vs->ser->validate)
        vs->ser->validate(vs, rec);
    else
        rf_validate_all(vs, rec);
    return true;
}

/* ---------------------------------------------------------------------
 * Defaults for an INSERT, as Django's Field.get_default and pre_save.
 */
static bool stores_text(rf_ftype t)
{
    return t == RF_F_CHAR || t == RF_F_TEXT || t == RF_F_EMAIL || t == RF_F_URL ||
           t == RF_F_SLUG || t == RF_F_UUID || t == RF_F_DECIMAL || t == RF_F_JSON;
}

/* uuid.uuid4(): 122 random bits, version 4, RFC 4122 variant. */
static const char *uuid4_text(rf_arena *a)
{
    unsigned char u[16];
    if (RAND_bytes(u, sizeof u) != 1)
        abort();
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    return rf_sprintf(a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                      u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
                      u[12], u[13], u[14], u[15]);
}

void rf_record_fill_defaults(rf_arena *a, const rf_resource *res, void *rec, int64_t now_usec)
{
    for (uint16_t i = 0; i < res->nfields; i++) {
        const rf_field *f = &res->fields[i];
        if (f->flags & (RF_FF_AUTO_NOW | RF_FF_AUTO_NOW_ADD)) {
            rf_record_set(a, rec, f, (rf_value){ .type = RF_V_DATETIME, .u.i = now_usec });
            continue;
        }
        if (RF_IS_SET(rec, f->index) || f->type == RF_F_AUTO || f->type == RF_F_BIGAUTO)
            continue;
        if (f->flags & RF_FF_HAS_DEFAULT)
            rf_record_set(a, rec, f, f->default_value);
        else if (f->flags & RF_FF_DEFAULT_NOW)
            rf_record_set(a, rec, f, (rf_value){ .type = RF_V_DATETIME, .u.i = now_usec });
        else if (f->flags & RF_FF_DEFAULT_UUID4)
            rf_record_set(a, rec, f, RF_VTEXT(uuid4_text(a)));
        else if (f->flags & RF_FF_NULL)
            rf_record_set(a, rec, f, RF_VNULL);
        else if (stores_text(f->type) && f->type != RF_F_DECIMAL && f->type != RF_F_JSON &&
                 f->type != RF_F_UUID)
            rf_record_set(a, rec, f, RF_VTEXT(""));   /* empty_strings_allowed */
    }
}

/* ---------------------------------------------------------------------
 * OPTIONS: SimpleMetadata.get_field_info.
 */
static const char *metadata_type(const rf_sfield *f)
{
    if (f->flags & RF_SF_UNTYPED)   /* ReadOnlyField: not in DRF's label_lookup */
        return "field";
    if (f->limits.nchoices > 0)
        return "choice";
    switch (f->type) {
    case RF_F_BOOLEAN:  return "boolean";
    case RF_F_CHAR:
    case RF_F_TEXT:
    case RF_F_UUID:     return "string";
    case RF_F_URL:      return "url";
    case RF_F_EMAIL:    return "email";
    case RF_F_SLUG:     return "slug";
    case RF_F_AUTO:
    case RF_F_BIGAUTO:
    case RF_F_INTEGER:
    case RF_F_BIGINTEGER: return "integer";
    case RF_F_FLOAT:    return "float";
    case RF_F_DECIMAL:  return "decimal";
    case RF_F_DATE:     return "date";
    case RF_F_DATETIME: return "datetime";
    case RF_F_NESTED:   return "nested object";
    default:            return "field";   /* JSONField, PrimaryKeyRelatedField */
    }
}

static void info_key(rf_buf *b, const char *key)
{
    rf_buf_putc(b, ',');
    rf_json_str(b, key);
    rf_buf_putc(b, ':');
}

static void info_int(rf_buf *b, const char *key, int v)
{
    if (v < 0)
        return;
    info_key(b, key);
    rf_json_i64(b, v);
}

/* Limits are numbers as Python prints them; a DecimalField's are Decimal
 * objects, which DRF's JSON encoder turns into floats. */
static void info_number(rf_buf *b, const char *key, const char *text, rf_ftype type)
{
    if (!text)
        return;
    info_key(b, key);
    /* DRF reports the limit the validator holds: an integer literal stays an
     * int (`0`); a decimal one reaches the encoder as a float (`0.5`). */
    if (type == RF_F_DECIMAL && strpbrk(text, ".eE"))
        rf_json_f64(b, strtod(text, NULL));
    else
        rf_buf_puts(b, text);
}

static void choice_value(rf_buf *b, const rf_sfield *f, const char *value)
{
    if (is_integer_type(f->type))
        rf_buf_puts(b, value);
    else
        rf_json_str(b, value);
}

static void info_choices(rf_buf *b, const rf_sfield *f)
{
    info_key(b, "choices");
    rf_buf_putc(b, '[');
    for (int i = 0; i < f->limits.nchoices; i++) {
        const rf_choice *c = &f->limits.choices[i];
        rf_buf_puts(b, i ? ",{\"value\":" : "{\"value\":");
        choice_value(b, f, c->value);
        rf_buf_lit(b, ",\"display_name\":");
        if (c->label)
            rf_json_str(b, c->label);
        else
            choice_value(b, f, c->value);
        rf_buf_putc(b, '}');
    }
    rf_buf_putc(b, ']');
}

static void field_info(rf_buf *b, const rf_sfield *f, bool db_ranges)
{
    bool read_only = (f->flags & RF_SF_READ_ONLY) != 0;
    bool many = f->type == RF_F_NESTED && (f->flags & RF_SF_MANY);
    rf_buf_lit(b, "{\"type\":");
    rf_json_str(b, many ? "field" : metadata_type(f));
    rf_buf_lit(b, ",\"required\":");
    rf_json_bool(b, (f->flags & RF_SF_REQUIRED) != 0);
    rf_buf_lit(b, ",\"read_only\":");
    rf_json_bool(b, read_only);
    if (f->label && *f->label) {
        info_key(b, "label");
        rf_json_str(b, f->label);
    }
    if (f->help_text && *f->help_text) {
        info_key(b, "help_text");
        rf_json_str(b, f->help_text);
    }
    info_int(b, "min_length", f->limits.min_length);
    info_int(b, "max_length", f->limits.max_length);
    value_limits l = limits_of(f, db_ranges);
    info_number(b, "min_value", l.min, f->type);
    info_number(b, "max_value", l.max, f->type);
    if (f->type == RF_F_NESTED && f->nested) {
        /* many=True is a ListSerializer: its child is the serializer. */
        info_key(b, many ? "child" : "children");
        if (many) {
            rf_buf_lit(b, "{\"type\":\"nested object\",\"required\":");
            rf_json_bool(b, (f->flags & RF_SF_REQUIRED) != 0);
            rf_buf_lit(b, ",\"read_only\":");
            rf_json_bool(b, read_only);
            rf_buf_lit(b, ",\"children\":");
        }
        rf_serializer_info(b, f->nested, db_ranges);
        if (many)
            rf_buf_putc(b, '}');
    }
    if (!read_only && f->type != RF_F_FOREIGNKEY && f->limits.nchoices > 0)
        info_choices(b, f);
    rf_buf_putc(b, '}');
}

void rf_serializer_info(rf_buf *b, const rf_serializer *s, bool db_ranges)
{
    rf_buf_putc(b, '{');
    for (uint16_t i = 0; i < s->nfields; i++) {
        if (i)
            rf_buf_putc(b, ',');
        rf_json_str(b, s->fields[i].name);
        rf_buf_putc(b, ':');
        field_info(b, &s->fields[i], db_ranges);
    }
    rf_buf_putc(b, '}');
}
