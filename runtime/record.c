/*
 * record.c: records (the generated structs) read and written through their
 * descriptors, and loaded from query results.
 *
 * A record starts with one state byte per field (RF_SET, RF_NULL), then one
 * member per field whose C type follows the field type (see model.h).
 */
#include <stdio.h>
#include <string.h>

#include "db_internal.h"
#include "serializer.h"

/* The kind of C member a field type is stored in. */
typedef enum member_kind {
    M_INT64 = 0, M_DOUBLE, M_BOOL, M_DATE, M_TEXT
} member_kind;

/* t is a value type (rf_field_key_type): RF_F_FOREIGNKEY remains only for a
 * key whose descriptor names no target, which holds an integer. */
static member_kind member_of(rf_ftype t)
{
    switch (t) {
    case RF_F_AUTO: case RF_F_BIGAUTO: case RF_F_INTEGER: case RF_F_BIGINTEGER:
    case RF_F_FOREIGNKEY: case RF_F_DATETIME:
        return M_INT64;
    case RF_F_FLOAT:
        return M_DOUBLE;
    case RF_F_BOOLEAN:
        return M_BOOL;
    case RF_F_DATE:
        return M_DATE;
    default:
        return M_TEXT;
    }
}

/* The typed value a field's member holds. */
static rf_vtype vtype_of(rf_ftype t)
{
    switch (t) {
    case RF_F_FLOAT:    return RF_V_FLOAT;
    case RF_F_DECIMAL:  return RF_V_DECIMAL;
    case RF_F_BOOLEAN:  return RF_V_BOOL;
    case RF_F_DATE:     return RF_V_DATE;
    case RF_F_DATETIME: return RF_V_DATETIME;
    case RF_F_JSON:     return RF_V_JSON;
    default:
        return member_of(t) == M_INT64 ? RF_V_INT : RF_V_TEXT;
    }
}

/* Primary keys that are foreign keys chain at most this far (the compiler
 * refuses a cycle of them; the bound keeps a hand-made one finite). */
#define MAX_KEY_HOPS 16

rf_ftype rf_field_key_type(const rf_field *f)
{
    for (int hops = 0; f->type == RF_F_FOREIGNKEY && f->fk_target && hops < MAX_KEY_HOPS; hops++)
        f = &f->fk_target->fields[f->fk_target->pk];
    return f->type;
}

rf_vtype rf_field_vtype(const rf_field *f)
{
    return vtype_of(rf_field_key_type(f));
}

static member_kind field_member(const rf_field *f)
{
    return member_of(rf_field_key_type(f));
}

/* "pk" names the primary key, as in Django; a ForeignKey answers to its
 * name and to its column (owner and owner_id). */
const rf_field *rf_resource_field(const rf_resource *res, const char *name)
{
    if (strcmp(name, "pk") == 0)
        return &res->fields[res->pk];
    for (uint16_t i = 0; i < res->nfields; i++) {
        const rf_field *f = &res->fields[i];
        if (strcmp(f->name, name) == 0 || (f->column && strcmp(f->column, name) == 0))
            return f;
    }
    return NULL;
}

static const rf_field *present_field(const rf_obj *o, const char *name)
{
    const rf_field *f = rf_resource_field(o->res, name);
    if (!f || !RF_IS_SET(o->rec, f->index) || RF_IS_NULL(o->rec, f->index))
        return NULL;
    return f;
}

bool rf_obj_get_int(const rf_obj *o, const char *field, int64_t *out)
{
    const rf_field *f = present_field(o, field);
    if (!f || field_member(f) != M_INT64)
        return false;
    *out = RF_MEMBER(o->rec, f->offset, int64_t);
    return true;
}

bool rf_obj_get_text(const rf_obj *o, const char *field, const char **out)
{
    const rf_field *f = present_field(o, field);
    if (!f || field_member(f) != M_TEXT)
        return false;
    *out = RF_MEMBER(o->rec, f->offset, const char *);
    return true;
}

bool rf_obj_get_bool(const rf_obj *o, const char *field, bool *out)
{
    const rf_field *f = present_field(o, field);
    if (!f || field_member(f) != M_BOOL)
        return false;
    *out = RF_MEMBER(o->rec, f->offset, bool);
    return true;
}

void *rf_record_new(rf_arena *a, const rf_resource *res)
{
    return rf_calloc(a, res->rec_size);
}

rf_value rf_record_value(const void *rec, const rf_field *f)
{
    if (!RF_IS_SET(rec, f->index) || RF_IS_NULL(rec, f->index))
        return RF_VNULL;
    rf_value v = { .type = rf_field_vtype(f) };
    switch (field_member(f)) {
    case M_INT64:
        v.u.i = RF_MEMBER(rec, f->offset, int64_t);
        break;
    case M_DOUBLE:
        v.u.f = RF_MEMBER(rec, f->offset, double);
        break;
    case M_BOOL:
        v.u.i = RF_MEMBER(rec, f->offset, bool);
        break;
    case M_DATE:
        v.u.i = RF_MEMBER(rec, f->offset, int32_t);
        break;
    case M_TEXT:
        v.u.s = RF_MEMBER(rec, f->offset, const char *);
        break;
    }
    return v;
}

/* A value as text, for a text member given a number. */
static const char *value_text(rf_arena *a, rf_value v)
{
    switch (v.type) {
    case RF_V_INT:
        return rf_sprintf(a, "%lld", (long long)v.u.i);
    case RF_V_FLOAT:
        return rf_sprintf(a, "%.17g", v.u.f);
    case RF_V_BOOL:
        return v.u.i ? "true" : "false";
    case RF_V_TEXT: case RF_V_DECIMAL: case RF_V_JSON:
        return rf_strdup(a, v.u.s);
    default:
        return "";
    }
}

void rf_record_set(rf_arena *a, void *rec, const rf_field *f, rf_value v)
{
    if (v.type == RF_V_NULL) {
        RF_STATE(rec, f->index) = RF_SET | RF_NULL;
        return;
    }
    switch (field_member(f)) {
    case M_INT64:
        RF_MEMBER(rec, f->offset, int64_t) = v.type == RF_V_FLOAT ? (int64_t)v.u.f : v.u.i;
        break;
    case M_DOUBLE:
        RF_MEMBER(rec, f->offset, double) = v.type == RF_V_FLOAT ? v.u.f : (double)v.u.i;
        break;
    case M_BOOL:
        RF_MEMBER(rec, f->offset, bool) = v.u.i != 0;
        break;
    case M_DATE:
        RF_MEMBER(rec, f->offset, int32_t) = (int32_t)v.u.i;
        break;
    case M_TEXT:
        RF_MEMBER(rec, f->offset, const char *) = value_text(a, v);
        break;
    }
    RF_STATE(rec, f->index) = RF_SET;
}

/* ---------------------------------------------------------------------
 * Loading from results.
 */
/* Django keeps UUIDs on SQLite as 32 hex digits; records hold the
 * canonical 8-4-4-4-12 form. */
static const char *canonical_uuid(rf_arena *a, const char *s)
{
    if (strlen(s) != 32)
        return rf_strdup(a, s);
    return rf_sprintf(a, "%.8s-%.4s-%.4s-%.4s-%.12s", s, s + 8, s + 12, s + 16, s + 20);
}

/* Decimals as exact text with the field's decimal places, whichever way the
 * backend wrote them: SQLite may answer 19.9 or 5 for a decimal column,
 * PostgreSQL numeric(10,2) answers 19.90. */
static const char *decimal_text(rf_arena *a, const char *s, const rf_field *f)
{
    rf_buf b;
    rf_buf_init(&b, a, 32);
    rf_decimal_format(&b, s, f->limits.decimal_places);
    return b.data;
}

/* JSON as compact text: both Django's json.dumps and jsonb's output put a
 * space after ':' and ','. */
static const char *compact_json(rf_arena *a, const char *s)
{
    char *out = rf_alloc(a, strlen(s) + 1), *o = out;
    bool in_string = false;
    for (; *s; s++) {
        if (in_string) {
            *o++ = *s;
            if (*s == '\\' && s[1])
                *o++ = *++s;
            else if (*s == '"')
                in_string = false;
        } else if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r') {
            in_string = *s == '"';
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static void load_text(const rf_result *r, int row, int col, rf_arena *a,
                      const rf_field *f, void *rec)
{
    const char *s = rf_result_text(r, row, col);
    switch (rf_field_key_type(f)) {
    case RF_F_DECIMAL:
        s = decimal_text(a, s, f);
        break;
    case RF_F_UUID:
        s = canonical_uuid(a, s);
        break;
    case RF_F_JSON:
        s = compact_json(a, s);
        break;
    default:
        s = rf_strdup(a, s);
        break;
    }
    RF_MEMBER(rec, f->offset, const char *) = s;
}

static void load_field(const rf_result *r, int row, int col, rf_arena *a,
                       const rf_field *f, void *rec)
{
    if (rf_result_isnull(r, row, col)) {
        RF_STATE(rec, f->index) = RF_SET | RF_NULL;
        return;
    }
    switch (field_member(f)) {
    case M_INT64:
        RF_MEMBER(rec, f->offset, int64_t) = f->type == RF_F_DATETIME
            ? rf_result_datetime(r, row, col) : rf_result_int(r, row, col);
        break;
    case M_DOUBLE:
        RF_MEMBER(rec, f->offset, double) = rf_result_float(r, row, col);
        break;
    case M_BOOL:
        RF_MEMBER(rec, f->offset, bool) = rf_result_bool(r, row, col);
        break;
    case M_DATE:
        RF_MEMBER(rec, f->offset, int32_t) = rf_result_date(r, row, col);
        break;
    case M_TEXT:
        load_text(r, row, col, a, f, rec);
        break;
    }
    RF_STATE(rec, f->index) = RF_SET;
}

int rf_result_load(const rf_result *r, int row, int col, rf_arena *a,
                   const rf_resource *res, void *rec,
                   const uint16_t *only, int n)
{
    int count = only ? n : res->nfields;
    for (int i = 0; i < count; i++) {
        const rf_field *f = &res->fields[only ? only[i] : i];
        load_field(r, row, col++, a, f, rec);
    }
    return col;
}
