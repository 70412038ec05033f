/*
 * emit_internal.h: what the emitters of <spec>.c share (compiler-internal).
 *
 * <spec>.c is written in sections, one emitter per concern:
 *   emit_resources.c    records' descriptors, fixed SQL, querysets, PostFetches
 *   emit_serializers.c  serializer fields, validate and render functions
 *   emit_views.c        policies, filters, actions (ActionConfig), views
 *   emit_routes.c       routes, databases, the rf_app
 * Symbols shared between sections are named by the functions below, so a
 * name is spelt in one place.
 */
#ifndef RFLOWC_EMIT_INTERNAL_H
#define RFLOWC_EMIT_INTERNAL_H

#include "emit.h"
#include "restflow/db.h"

/* ---- names ------------------------------------------------------------- */
/* Record type of a resource ("shop_Product") and of a plain serializer
 * without a resource ("events_Refund"). */
void em_record_type(emitter *e, const model *m, const model_resource *r);
/* A field's index constant: SHOP_PRODUCT_IS_TOP. */
void em_field_const(emitter *e, const model *m, const model_resource *r, const model_field *f);

/* ---- values ------------------------------------------------------------ */
/* The C type of a record member for a field type ("int64_t"). */
const char *em_ctype(model_ftype t);
/* The runtime's value type a field type binds as (RF_V_INT, ...). */
const char *em_vtype(model_ftype t);
/* True when a model literal has a constant rf_value (not now/uuid4). */
bool em_value_constant(const model_value *v);
/* An rf_value initializer for a literal typed as field type t. */
void em_value(emitter *e, const model_value *v, model_ftype t);
/* The choices array of field `field` of `owner` (a resource or a
 * serializer), when it has choices, and an rf_limits initializer that
 * refers to it. */
void em_choices(emitter *e, const model *m, const char *owner, const char *field,
                const model_limits *l);
void em_limits(emitter *e, const model *m, const char *owner, const char *field,
               const model_limits *l);
/* The type of the value a serializer field holds (model_key_type for a
 * model field's): a PrimaryKeyRelatedField's is its queryset's primary key
 * type (an integer when it has no queryset and no ForeignKey). */
model_ftype em_sfield_type(const model_sfield *f);
/* A field a ModelSerializer builds from a writable IntegerField or
 * BigIntegerField: on PostgreSQL Django adds the column's range to the
 * model field's validators, and DRF's field keeps them (RF_SF_DB_RANGE
 * unless it has choices; the OpenAPI document's minimum / maximum). */
bool em_db_range_validators(const model_sfield *f);
/* Microseconds since the epoch of an ISO 8601 literal; days of a date. */
bool em_parse_datetime(const char *s, int64_t *usec);
bool em_parse_date(const char *s, int32_t *days);

/* ---- SQL (emit_sql.c) --------------------------------------------------- */
/* Fixed statements of a resource for a dialect, into b (appended). */
void sql_insert(rf_buf *b, const model_resource *r, rf_dialect d);
void sql_update(rf_buf *b, const model_resource *r, rf_dialect d);
void sql_delete(rf_buf *b, const model_resource *r, rf_dialect d);
void sql_select_columns(rf_buf *b, const model_resource *r);
/* The whole schema script of a dialect (schema.<dialect>.sql). */
void sql_schema(rf_buf *b, const model *m, rf_dialect d);
/* A double-quoted identifier. */
void sql_ident(rf_buf *b, const char *name);

/* ---- sections of <spec>.c ------------------------------------------------ */
void emit_c_resources(emitter *e, const model *m);
void emit_c_querysets(emitter *e, const model *m);
void emit_c_postfetches(emitter *e, const model *m);
void emit_c_serializers(emitter *e, const model *m);
void emit_c_policies(emitter *e, const model *m);
void emit_c_views(emitter *e, const model *m);
void emit_c_routes(emitter *e, const model *m);

/* The symbol of a view's queryset for an action's config (NULL: none). */
void em_queryset_sym(emitter *e, const model *m, const model_queryset *q);
/* The PostFetch slot of a to_attr: one slot per distinct to_attr name of
 * the spec, so a serializer renders an attachment from the same slot in
 * every view. */
int em_slot(const model *m, const char *to_attr);
int em_nslots(const model *m);
/* The serializers' flattened join tables (see emit_serializers.c). */
int em_serializer_njoins(const model_serializer *s);

/* Hooks: an rf_hook initializer ({ "name", RF_ASYNC, { .ctx = fn } }). */
void em_hook(emitter *e, const model_hook *h);

#endif
