/*
 * restflow/model.h: resources (tables), their fields and records, rows as
 * the generic views pass them around, and serializer descriptors.
 *
 * The compiler emits, per resource, a C struct (the record) and an
 * rf_resource describing it; per serializer an rf_serializer with a
 * generated validate and render function.  The runtime interprets the
 * descriptors; the generated functions are the hot paths.
 *
 * Record layout.  Every record struct starts with one state byte per field,
 * then one member per field in declaration order:
 *
 *     typedef struct shop_Product {
 *         uint8_t rf_state[7];     // per field: RF_SET | RF_NULL
 *         int64_t id;              // AutoField
 *         const char *name;        // CharField
 *         const char *price;       // DecimalField, exact text
 *         bool is_top;             // BooleanField
 *         int64_t owner;           // ForeignKey to User: the key (column owner_id)
 *         int64_t created_at;      // DateTimeField: µs since the epoch, UTC
 *         ...
 *     } shop_Product;
 *
 * C types by field type: integers and autos int64_t; FloatField double;
 * BooleanField bool; DateTimeField int64_t µs UTC; DateField int32_t days
 * since 1970-01-01; every other type const char * (UTF-8 text; decimals as
 * exact text; JSONField as compact JSON text; UUIDField canonical lower-case
 * text).  A ForeignKey holds its target's primary key in that key's C type
 * (rf_field_key_type): int64_t to an integer key, const char * to a UUID or
 * text key.  Strings point into the request arena.
 */
#ifndef RESTFLOW_MODEL_H
#define RESTFLOW_MODEL_H

#include "base.h"

typedef struct rf_resource rf_resource;
typedef struct rf_serializer rf_serializer;

typedef enum rf_ftype {
    RF_F_AUTO = 1, RF_F_BIGAUTO, RF_F_INTEGER, RF_F_BIGINTEGER, RF_F_FLOAT,
    RF_F_DECIMAL, RF_F_BOOLEAN, RF_F_CHAR, RF_F_TEXT, RF_F_EMAIL, RF_F_URL,
    RF_F_SLUG, RF_F_UUID, RF_F_DATE, RF_F_DATETIME, RF_F_JSON, RF_F_FOREIGNKEY,
    RF_F_NESTED      /* serializer fields only: a nested serializer */
} rf_ftype;

/* Per-field state bits in a record's rf_state[]. */
#define RF_SET  0x01u   /* the member holds a value (loaded or validated) */
#define RF_NULL 0x02u   /* the value is SQL NULL / JSON null */

#define RF_STATE(rec, idx)    (((uint8_t *)(rec))[idx])
#define RF_IS_SET(rec, idx)   ((RF_STATE(rec, idx) & RF_SET) != 0)
#define RF_IS_NULL(rec, idx)  ((RF_STATE(rec, idx) & RF_NULL) != 0)
#define RF_MEMBER(rec, off, T) (*(T *)((char *)(rec) + (off)))

/* Model field flags. */
enum {
    RF_FF_PK           = 1u << 0,
    RF_FF_NULL         = 1u << 1,   /* null = true */
    RF_FF_BLANK        = 1u << 2,   /* blank = true */
    RF_FF_UNIQUE       = 1u << 3,
    RF_FF_DB_INDEX     = 1u << 4,
    RF_FF_HAS_DEFAULT  = 1u << 5,
    RF_FF_AUTO_NOW     = 1u << 6,
    RF_FF_AUTO_NOW_ADD = 1u << 7,
    RF_FF_EDITABLE     = 1u << 8,   /* a ModelSerializer may write it */
    /* Callable defaults, applied at INSERT like RF_FF_HAS_DEFAULT:
     * timezone.now (the write's time) and uuid.uuid4 (a random UUID). */
    RF_FF_DEFAULT_NOW   = 1u << 9,
    RF_FF_DEFAULT_UUID4 = 1u << 10
};

typedef enum rf_on_delete { RF_CASCADE = 1, RF_PROTECT, RF_SET_NULL } rf_on_delete;

/* label NULL: the value is its own display name (a serializer ChoiceField's
 * plain list, which OPTIONS shows as the value itself, an int for ints). */
typedef struct rf_choice { const char *value; const char *label; } rf_choice;

/* Limits shared by model fields and serializer fields.  NULL/-1: unset. */
typedef struct rf_limits {
    int32_t max_length, min_length;       /* -1: none */
    const char *min_value, *max_value;    /* numeric text, NULL: none */
    int16_t max_digits, decimal_places;   /* DecimalField, -1: none */
    const rf_choice *choices;
    int16_t nchoices;
} rf_limits;

typedef struct rf_field {
    const char *name;          /* "owner" */
    const char *column;        /* "owner_id" (Django's attname for FKs) */
    const char *verbose_name;  /* "owner"; Django's default: name with spaces */
    rf_ftype type;
    uint32_t flags;            /* RF_FF_* */
    uint16_t index;            /* position: the state byte index */
    uint16_t offset;           /* offsetof the member in the record */
    rf_limits limits;
    rf_value default_value;    /* when RF_FF_HAS_DEFAULT */
    const rf_resource *fk_target;  /* ForeignKey: the related resource */
    rf_on_delete on_delete;
    const char *related_name;
} rf_field;

struct rf_resource {
    const char *name;           /* "Product" */
    const char *verbose_name;   /* "product" (Django: CamelCase split, lower) */
    const char *table;          /* "products" (db_table, or <spec>_<name lower>) */
    const rf_field *fields;
    uint16_t nfields;
    uint16_t pk;                /* index of the primary key field */
    uint32_t rec_size;          /* sizeof the record struct */
    uint16_t db;                /* index into the app's databases */
    /* Fixed statements, one SQL text per dialect: [0] SQLite, [1] PostgreSQL.
     * Parameters are `?` in both (the PostgreSQL backend numbers them).
     * insert binds every non-auto column in field order and returns the new
     * primary key; update binds every non-pk column then the pk; delete and
     * select_by_pk bind the pk.  The column list of every SELECT the runtime
     * builds is `select_columns` (all fields, in field order, alias t). */
    const char *insert_sql[2];
    const char *update_sql[2];
    const char *delete_sql[2];
    const char *select_columns;
};

/* A record together with its descriptor, for code that is generic over
 * resources (custom permissions, hooks shared by several views). */
typedef struct rf_obj {
    const rf_resource *res;
    void *rec;
} rf_obj;

/* The type of the value a field holds: its own, or for a ForeignKey the
 * type of the primary key it references (followed through primary keys
 * that are themselves foreign keys), as Django's ForeignKey.target_field. */
rf_ftype rf_field_key_type(const rf_field *f);

/* Typed access by field name; false when there is no such field, it is
 * unset or NULL.  For hooks; generated code uses the struct members. */
const rf_field *rf_resource_field(const rf_resource *res, const char *name);
bool rf_obj_get_int(const rf_obj *o, const char *field, int64_t *out);
bool rf_obj_get_text(const rf_obj *o, const char *field, const char **out);
bool rf_obj_get_bool(const rf_obj *o, const char *field, bool *out);
void *rf_record_new(rf_arena *a, const rf_resource *res); /* zeroed, nothing set */
/* Read a field as a typed value (RF_V_NULL when unset or NULL). */
rf_value rf_record_value(const void *rec, const rf_field *f);
/* Store a typed value; strings are copied into the arena. */
void rf_record_set(rf_arena *a, void *rec, const rf_field *f, rf_value v);

/* ---------------------------------------------------------------------
 * Rows.  A list or retrieve produces rf_rows: the base record, the records
 * of the foreign-key joins the response serializer needs (dotted sources and
 * nested serializers over a ForeignKey; NULL when the key is NULL), and the
 * PostFetch attachments by to_attr slot.
 */
typedef struct rf_attach {
    int n;          /* rows attached */
    void **recs;    /* records of the PostFetch's resource, only `values` set */
} rf_attach;

typedef struct rf_row {
    void *rec;
    void **joined;      /* [serializer->njoins] */
    rf_attach *attach;  /* [number of to_attr slots of the view] */
} rf_row;

typedef struct rf_prefetched rf_prefetched;   /* PostFetch answers fetched with the rows */

typedef struct rf_rowset {
    rf_row *rows;
    int n;
    rf_prefetched *prefetched;  /* NULL, or what rf_postfetch_run uses first */
} rf_rowset;

/* A LEFT JOIN along a ForeignKey, for what the response serializer renders.
 * Alias "j<index>"; `from` is -1 for the base table (alias t) or the index of
 * an earlier join (a path owner.profile.x). */
typedef struct rf_join {
    int16_t from;
    const rf_field *fk;         /* the ForeignKey field on the `from` side */
    const rf_resource *target;
} rf_join;

/* ---------------------------------------------------------------------
 * Serializers.
 */
enum {
    RF_SF_READ_ONLY   = 1u << 0,
    RF_SF_WRITE_ONLY  = 1u << 1,
    RF_SF_REQUIRED    = 1u << 2,
    RF_SF_ALLOW_NULL  = 1u << 3,
    RF_SF_ALLOW_BLANK = 1u << 4,
    RF_SF_HAS_DEFAULT = 1u << 5,
    RF_SF_MANY        = 1u << 6,   /* nested: a list */
    RF_SF_UNIQUE      = 1u << 7,   /* UniqueValidator against the model */
    /* Callable defaults, applied like RF_SF_HAS_DEFAULT when the field is
     * absent: timezone.now (the validation's time), uuid.uuid4. */
    RF_SF_DEFAULT_NOW   = 1u << 8,
    RF_SF_DEFAULT_UUID4 = 1u << 9,
    /* Built by a ModelSerializer from an IntegerField or BigIntegerField
     * (writable, no choices): where the default database is PostgreSQL,
     * each side without a limit of its own takes the column's range, as
     * Django's IntegerField.validators (connection.ops.integer_field_range)
     * and DRF's get_field_kwargs make it. */
    RF_SF_DB_RANGE      = 1u << 10,
    /* A ReadOnlyField (declared, or a model property's): typed by its
     * source for rendering, but "field" in OPTIONS, where DRF's
     * SimpleMetadata does not know the class. */
    RF_SF_UNTYPED       = 1u << 11
};

/* Where a field's rendered value comes from. */
typedef enum rf_source_kind {
    RF_SRC_RECORD = 0,  /* the row's record, at `offset` */
    RF_SRC_JOIN,        /* row->joined[join], at `offset` in that record */
    RF_SRC_JOIN_NESTED, /* row->joined[join], rendered by `nested` */
    RF_SRC_ATTACH       /* row->attach[slot], rendered by `nested` */
} rf_source_kind;

typedef struct rf_sfield {
    const char *name;           /* the key in JSON */
    const char *label;          /* "Created at" (OPTIONS metadata) */
    const char *help_text;
    rf_ftype type;              /* of the value (RF_F_NESTED for nested) */
    uint32_t flags;             /* RF_SF_* */
    rf_limits limits;
    rf_value default_value;     /* when RF_SF_HAS_DEFAULT */
    /* Where validated input is stored, in the record the serializer
     * validates into (the model's struct for ModelSerializer). */
    uint16_t index, offset;
    const rf_field *model_field;  /* backing model field, or NULL */
    /* Rendering. */
    rf_source_kind source;
    int16_t join;               /* RF_SRC_JOIN*: index into joins */
    uint16_t src_offset;        /* RF_SRC_RECORD/JOIN: member offset */
    uint16_t src_index;         /* ... and state byte */
    int16_t slot;               /* RF_SRC_ATTACH */
    const rf_serializer *nested;
    /* A PrimaryKeyRelatedField's queryset resource: the key it takes has
     * that resource's primary key type, and must name one of its rows.
     * NULL: the backing ForeignKey's target (model_field->fk_target). */
    const rf_resource *related;
} rf_sfield;

typedef enum rf_vmode {
    RF_VM_CREATE = 0,   /* POST: required fields required, defaults applied */
    RF_VM_UPDATE,       /* PUT: like create, into the existing record */
    RF_VM_PARTIAL       /* PATCH: absent fields skipped */
} rf_vmode;

/* Validation errors, as DRF's ValidationError detail: a dict in field order,
 * or non_field_errors. */
typedef struct rf_verrs rf_verrs;
rf_verrs *rf_verrs_new(rf_arena *a);
void rf_verrs_add(rf_verrs *e, const char *field /* NULL: non_field */, const char *msg);
bool rf_verrs_field_failed(const rf_verrs *e, const char *field);
bool rf_verrs_empty(const rf_verrs *e);
void rf_verrs_render(rf_buf *b, const rf_verrs *e);

/* The state of one validation, handed to the generated validate function
 * and to the per-field primitive.  Runtime-owned. */
typedef struct rf_vstate rf_vstate;

/* Validate one field of the input into rec (parse, null/blank/required,
 * type, every limit, choices; all errors collected), exactly as DRF's field
 * classes do.  The generated validate function calls this for each
 * writable field in order. */
void rf_validate_field(rf_vstate *vs, const rf_sfield *f, void *rec);

/* Generated per serializer.
 *   validate: run rf_validate_field over the writable fields; the runtime
 *             then runs unique and foreign-key checks, validate_<field>
 *             hooks and object validators (see rf_serializer.hooks).
 *   render:   write the row as a JSON object into b. */
typedef void (*rf_validate_fn)(rf_vstate *vs, void *rec);
typedef void (*rf_render_fn)(rf_buf *b, const rf_row *row);

struct rf_serializer {
    const char *name;
    const rf_resource *model;      /* NULL for a plain Serializer */
    const rf_sfield *fields;
    uint16_t nfields;
    uint32_t rec_size;             /* record validated into */
    const rf_join *joins;          /* what render needs loaded */
    uint16_t njoins;
    rf_validate_fn validate;
    rf_render_fn render;
    /* validate_<field> hooks by field index (NULL entries: none; NULL
     * array: no field has one) and object validators, in order. */
    const rf_hook *const *field_hooks;
    const rf_hook *const *validators;
    uint16_t nvalidators;
};

#endif
