/*
 * serializer.h (internal, serializers area): the validation pipeline, the
 * per-field metadata that OPTIONS shows, and the helpers behind them
 * (json.c, validators.c).
 */
#ifndef RF_SERIALIZER_H
#define RF_SERIALIZER_H

#include <jansson.h>

#include "restflow.h"

/* ---------------------------------------------------------------------
 * Validation state (model.h's opaque rf_vstate).
 */

/* What happened to each field of the serializer, by field position. */
typedef enum rf_fstatus {
    RF_FS_SKIPPED = 0,  /* no value: absent and not required, or partial */
    RF_FS_EMPTY,        /* null, the default or '' (DRF's early return:
                           no validators, no database checks) */
    RF_FS_CONVERTED,    /* converted; its validators ran (errors, if any,
                           are recorded); unique / foreign key checks due */
    RF_FS_FAILED        /* required, null, blank or type error */
} rf_fstatus;

struct rf_vstate {
    rf_arena *arena;
    const rf_serializer *ser;
    const json_t *data;     /* the input object */
    bool html;              /* form input: DRF's rules for HTML forms */
    rf_vmode mode;
    rf_verrs *errs;
    uint8_t *status;        /* [ser->nfields] rf_fstatus */
    const char **pk_text;   /* [ser->nfields] str(value) of a ForeignKey
                               input, for "Invalid pk ..." */
    bool db_ranges;         /* RF_SF_DB_RANGE fields take the column's range
                               (rf_db_ranges); false from rf_vstate_new */
};

/* A fresh state.  data NULL stands for an empty body ({}). */
rf_vstate *rf_vstate_new(rf_arena *a, const rf_serializer *s, const json_t *data,
                         bool html, rf_vmode mode);

/* The synchronous part of DRF's Serializer.run_validation: the shape of
 * the input ("Invalid data. Expected a dictionary, but got list.", "No
 * data provided" for a JSON null) and then every field through the
 * serializer's validate function (rf_validate_all when it has none).
 * False when the input was not an object. */
bool rf_validate_sync(rf_vstate *vs, void *rec);

/* Default validate function: rf_validate_field over the writable fields
 * in order. */
void rf_validate_all(rf_vstate *vs, void *rec);

/* Fill a record's unset fields for an INSERT as Django does: the model
 * field's default, auto_now / auto_now_add with now_usec, NULL for
 * nullable fields, '' for text-like ones; anything else stays unset (the
 * database refuses it, as it refuses Django's None). */
void rf_record_fill_defaults(rf_arena *a, const rf_resource *res, void *rec,
                             int64_t now_usec);

/* ---------------------------------------------------------------------
 * The asynchronous pipeline: sync field checks, then one database round
 * for every unique and ForeignKey-existence check, then validate_<field>
 * hooks, then (when no field failed) the serializer's validators, each
 * through the core's hook runner.  Errors are kept in field order.
 *
 * rec is the record validated into: zeroed for create, a copy of the
 * instance for update (instance: the stored record, whose primary key
 * unique checks exclude).  Returns RF_OK / RF_ERROR (400 or another error
 * set) when done at once, or RF_PENDING and then k(ctx, rc).
 */
rf_rc rf_validate(rf_ctx *ctx, const rf_serializer *s, const json_t *data, bool html,
                  rf_vmode mode, void *rec, const void *instance, rf_cont k);

/* The unique checks of s again, over a validated record whose write the
 * database refused with a unique violation (a concurrent request stored
 * the value after rf_validate's check).  Only the database round runs:
 * RF_ERROR with DRF's 400 ("<model> with this <field> already exists.")
 * when a check now finds the value taken; RF_OK when none does (the
 * violation is one no serializer check covers).  RF_PENDING, then k. */
rf_rc rf_validate_unique_again(rf_ctx *ctx, const rf_serializer *s, void *rec,
                               const void *instance, rf_cont k);

/* The resource a PrimaryKeyRelatedField's key names rows of: its queryset
 * (rf_sfield.related), else its ForeignKey's target; NULL when neither is
 * known (the key is then an integer, and no lookup runs). */
const rf_resource *rf_sfield_related(const rf_sfield *f);

/* True when the request body is a form (DRF's is_html_input). */
bool rf_body_is_html(rf_ctx *ctx);

/* OPTIONS: write the `actions` entry for one serializer, as DRF's
 * SimpleMetadata.get_serializer_info: {"field": {"type": ..., "required":
 * ..., "read_only": ..., "label": ..., ...}, ...} in field order.
 * db_ranges: as rf_vstate's (the min_value / max_value shown). */
void rf_serializer_info(rf_buf *b, const rf_serializer *s, bool db_ranges);

/* Whether Django would give integer model fields their column's range:
 * the app's default database (index 0) is PostgreSQL.  Django takes the
 * range from `django.db.connection`, the default database's backend, even
 * for a model another database holds; SQLite's backend has none. */
bool rf_db_ranges(rf_ctx *ctx);

/* Internal error bookkeeping: add msg to field at its position `rank` in
 * the serializer (errors render in rank order, then insertion order), at
 * the front of the field's list when first is true (a UniqueValidator
 * runs before the field's own validators). */
void rf_verrs_add_ranked(rf_verrs *e, int rank, const char *field, const char *msg,
                         bool first);
/* Move every message of src into e under `field` (NULL: keep src's keys). */
void rf_verrs_merge(rf_verrs *e, int rank, const char *field, const rf_verrs *src);

/* ---------------------------------------------------------------------
 * json.c helpers.
 */
/* A decimal's text quantized to `places` (ROUND_HALF_EVEN; places < 0:
 * unchanged) and written as Python's '{:f}' does, unquoted. */
void rf_decimal_format(rf_buf *b, const char *text, int places);
/* Compare two decimal texts exactly: <0, 0, >0. */
int rf_decimal_cmp(const char *a, const char *b);
/* Digits of a decimal text as DRF's validate_precision counts them. */
void rf_decimal_digits(const char *text, int *total, int *whole, int *places);

/* True when an rf_json_f64 on this thread wrote a NaN or an infinity since
 * the last call (it writes null).  DRF's renderer refuses those (500). */
bool rf_json_take_nonfinite(void);

/* rf_parse_datetime with DRF's two failure texts told apart: malformed
 * ("Datetime has wrong format...") or outside Python's years 1..9999 once
 * moved to UTC ("Datetime value out of range."). */
typedef enum rf_dt_parse { RF_DT_OK = 0, RF_DT_INVALID, RF_DT_OVERFLOW } rf_dt_parse;
rf_dt_parse rf_parse_datetime_ex(const char *s, int64_t *usec);

/* A JSON value written as DRF renders it (compact, keys in order). */
void rf_json_value(rf_buf *b, const json_t *v);

/* ---------------------------------------------------------------------
 * validators.c: Python's and Django's text rules.
 */
size_t rf_utf8_count(const char *s, size_t n);           /* code points */
bool rf_py_isspace(uint32_t c);                          /* str.isspace */
void rf_py_strip(const char **s, size_t *n);             /* str.strip() */
/* int(text); *overflow -1/+1 when past the int64 range (value clamped). */
bool rf_py_int(rf_arena *a, const char *s, size_t n, int64_t *out, int *overflow);
/* float(text) and Decimal(text), finite values only (canonical text for
 * decimals: whitespace and underscores gone). */
bool rf_py_float(rf_arena *a, const char *s, size_t n, double *out);
bool rf_py_decimal(rf_arena *a, const char *s, size_t n, const char **canon);
void rf_py_str(rf_buf *b, const json_t *v);              /* str(value) */
const char *rf_py_typename(const json_t *v);             /* type().__name__ */
bool rf_valid_email(rf_arena *a, const char *s, size_t n);
bool rf_valid_url(rf_arena *a, const char *s, size_t n);
bool rf_valid_slug(const char *s, size_t n);
bool rf_parse_uuid(rf_arena *a, const char *s, size_t n, char out[37]);
void rf_format_uuid(char out[37], const char *hexdigits, size_t n);

#endif
