/*
 * model.h: the resolved model of one spec, the contract between sema and
 * every emitter (C, SQL, OpenAPI, the route table).
 *
 * Sema builds it from the AST; emitters read it and never change it, and
 * never look at the AST.  Everything is resolved: every reference is a
 * pointer to the entity it names, every DRF default and every REST_FRAMEWORK
 * setting is applied, every action of every view carries its complete
 * ActionConfig.  The meaning of each member is DRF's (or Django's for
 * resources) unless its comment says otherwise; docs/language.md is the
 * user's side of the same story.
 *
 * Memory: everything lives in the compilation's arena and dies with it.
 * Strings are NUL-terminated UTF-8.  Lists are arrays of pointers with a
 * count (`T **items; uint32_t n...`), in the order stated.
 *
 * "Unset" conventions: a pointer is NULL, an integer limit is -1, a
 * `const char *` is NULL, unless the comment says otherwise.
 *
 * Locations: every entity has `loc`, where it was declared (file, line,
 * column, and the span for diagnostics).  Built-in entities have line 0.
 * Generated code cites them as "shop.rflow:41".
 */
#ifndef RFLOWC_MODEL_H
#define RFLOWC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "source.h"

typedef struct model model;
typedef struct model_resource model_resource;
typedef struct model_field model_field;
typedef struct model_serializer model_serializer;
typedef struct model_sfield model_sfield;
typedef struct model_postfetch model_postfetch;
typedef struct model_pagination model_pagination;
typedef struct model_throttle model_throttle;
typedef struct model_permission model_permission;
typedef struct model_perm_expr model_perm_expr;
typedef struct model_authentication model_authentication;
typedef struct model_view model_view;
typedef struct model_action model_action;
typedef struct model_router model_router;
typedef struct model_route model_route;
typedef struct model_database model_database;
typedef struct model_hook model_hook;
typedef struct model_queryset model_queryset;

/* ---------------------------------------------------------------------
 * Sanity limits.  Exceeding one is a spec error that names the limit; they
 * keep every index in the runtime's 16-bit descriptor fields with room to
 * spare and catch runaway generated specs early.
 */
#define MODEL_MAX_DECLARATIONS   2000  /* of each kind */
#define MODEL_MAX_FIELDS          250  /* per resource and per serializer */
#define MODEL_MAX_LIST_ITEMS      500  /* any list or map in the spec */
#define MODEL_MAX_NAME_BYTES       63  /* tables, columns, names: PostgreSQL's NAMEDATALEN - 1 */
#define MODEL_MAX_SOURCE_HOPS       8  /* foreign keys crossed by one dotted path */
#define MODEL_MAX_KEY_HOPS         16  /* primary keys that are foreign keys, in a chain
                                          (the runtime's rf_field_key_type follows as many) */
#define MODEL_MAX_NESTING          10  /* nested serializers, as DRF's depth <= 10 */
#define MODEL_MAX_CHOICES         500
#define MODEL_MAX_ROUTES         4000
#define MODEL_MAX_CHAR_LENGTH  1000000000  /* max_length, min_length */

/* Where something was declared. */
typedef struct model_loc {
    const char *file;     /* the spec's name as given ("specs/shop.rflow") */
    uint32_t line, col;   /* from 1; 0 for built-ins */
    span span;            /* into the spec's source, for diagnostics */
} model_loc;

/* ---------------------------------------------------------------------
 * Types and values.
 */

/* Field types.  The order and meaning match the runtime's rf_ftype
 * (restflow/model.h), so an emitter maps them one to one:
 * MODEL_T_X == RF_F_X. */
typedef enum model_ftype {
    MODEL_T_AUTO = 1, MODEL_T_BIGAUTO, MODEL_T_INTEGER, MODEL_T_BIGINTEGER,
    MODEL_T_FLOAT, MODEL_T_DECIMAL, MODEL_T_BOOLEAN, MODEL_T_CHAR,
    MODEL_T_TEXT, MODEL_T_EMAIL, MODEL_T_URL, MODEL_T_SLUG, MODEL_T_UUID,
    MODEL_T_DATE, MODEL_T_DATETIME, MODEL_T_JSON, MODEL_T_FOREIGNKEY,
    MODEL_T_NESTED    /* serializer fields only: a nested serializer */
} model_ftype;

/* "CharField", ... (the Django class name; "nested" for MODEL_T_NESTED). */
const char *model_ftype_name(model_ftype t);

/* A literal from the spec, typed for where it is used.  A default of a
 * DecimalField is MODEL_V_DECIMAL even when written `0`; a default of a
 * DateTimeField is MODEL_V_DATETIME holding the ISO text as written. */
typedef enum model_vkind {
    MODEL_V_NULL = 1,
    MODEL_V_BOOL,       /* b */
    MODEL_V_INT,        /* i, and text: its decimal form */
    MODEL_V_FLOAT,      /* text: exact as written ("0.5") */
    MODEL_V_DECIMAL,    /* text: exact as written ("19.99", "0") */
    MODEL_V_STRING,     /* text: decoded UTF-8 (may contain no NUL) */
    MODEL_V_DATE,       /* text: "YYYY-MM-DD" */
    MODEL_V_DATETIME,   /* text: ISO 8601 as written */
    MODEL_V_JSON,       /* text: compact JSON of a list, map or scalar */
    MODEL_V_URL_KWARG,  /* querysets only: text is the URL keyword's name */
    MODEL_V_REQUEST_USER, /* querysets only: `request.user`, the authenticated
                             user's id (no user: the condition matches nothing) */
    MODEL_V_NOW,        /* defaults of DateTimeField: `timezone.now` */
    MODEL_V_UUID4       /* defaults of UUIDField: `uuid.uuid4` */
} model_vkind;

typedef struct model_value {
    model_vkind kind;
    bool b;
    int64_t i;
    const char *text;
    /* MODEL_V_URL_KWARG: the converter every route that reaches the view
     * captures it with, so the runtime converts the text (failure: 404). */
    const char *converter;       /* "int", "str", "slug", "uuid", "lookup",
                                    "re"; NULL when no route reaches the view */
    model_loc loc;
} model_value;

/* Limits shared by model fields and serializer fields (DRF's keyword
 * arguments).  -1 / NULL: unset. */
typedef struct model_choice {
    model_value value;           /* typed as the field */
    const char *label;           /* display name; the value's text by default */
} model_choice;

typedef struct model_limits {
    int32_t max_length, min_length;
    const char *min_value, *max_value;   /* exact numeric text as written */
    int32_t max_digits, decimal_places;  /* DecimalField */
    model_choice **choices;              /* NULL when the field has none */
    uint32_t nchoices;
} model_limits;

/* ---------------------------------------------------------------------
 * Hooks: a C function the user supplies, named in the spec.
 */
typedef enum model_hook_form {
    MODEL_HOOK_SYNC = 0,     /* on the loop thread, returns its answer */
    MODEL_HOOK_BLOCKING,     /* on the worker pool, posted back */
    MODEL_HOOK_ASYNC         /* may return RF_PENDING and resume later */
} model_hook_form;

/* The C prototype, as restflow/base.h's rf_hook union spells them. */
typedef enum model_hook_sig {
    MODEL_SIG_CTX = 0,       /* rf_rc fn(rf_ctx *ctx) */
    MODEL_SIG_OBJ,           /* rf_rc fn(rf_ctx *ctx, void *obj) */
    MODEL_SIG_QUERY          /* rf_rc fn(rf_ctx *ctx, rf_query *q) */
} model_hook_sig;

struct model_hook {
    const char *function;    /* the C name: "shop_is_owner" */
    const char *role;        /* what it implements: "has_object_permission",
                                "perform_create", "get", "validate_price",
                                "validators", "handler", ... */
    model_hook_form form;
    bool form_explicit;      /* async(...)/blocking(...)/sync(...) or the
                                declaration's async/blocking member */
    model_hook_sig sig;
    model_loc loc;           /* the name in the spec */
};

/* ---------------------------------------------------------------------
 * Databases, as Django's DATABASES.  `default` always exists, first.
 */
struct model_database {
    const char *name;        /* "default", "reviews" */
    const char *url;         /* the spec's default URL, or NULL (server's --db) */
    uint32_t index;          /* position in model.databases */
    model_loc loc;
};

/* ---------------------------------------------------------------------
 * Resources (Django models) and their fields.
 */
typedef enum model_on_delete {
    MODEL_ON_DELETE_NONE = 0,   /* not a ForeignKey */
    MODEL_CASCADE, MODEL_PROTECT, MODEL_SET_NULL
} model_on_delete;

struct model_field {
    const char *name;          /* "owner"; may be a C keyword (`default` is a
                                  fine Django field name): emitters mangle
                                  the C member, never the JSON key */
    const char *column;        /* "owner_id" for a ForeignKey (Django's attname),
                                  else the name */
    const char *verbose_name;  /* option, else the name with '_' -> ' ' */
    const char *help_text;     /* option, else NULL */
    model_ftype type;
    model_resource *resource;  /* the resource it belongs to */
    uint32_t index;            /* position in its resource's fields */
    bool implicit;             /* Django's automatic `id` */

    bool primary_key, null, blank, unique, db_index;
    bool auto_now, auto_now_add;
    /* Django: false for auto_now/auto_now_add (they also imply blank) and
     * `editable = false`.  A ModelSerializer makes non-editable fields and
     * AutoField/BigAutoField read-only. */
    bool editable;
    bool has_default;
    model_value default_value; /* when has_default; typed as the field */
    model_limits limits;       /* max_length (CharField family: Django's
                                  defaults applied, e.g. EmailField 254,
                                  SlugField 50, URLField 200), min_value,
                                  max_value, max_digits, decimal_places,
                                  choices; min_length is a serializer
                                  option only */
    /* ForeignKey */
    model_resource *fk_target;
    model_field *fk_target_field;  /* the target's primary key */
    model_on_delete on_delete;
    const char *related_name;      /* option, else NULL (Django: <name>_set) */
    /* Django's "unique" error message with the names filled in; the same
     * text a ModelSerializer's UniqueValidator reports. */
    const char *unique_message;    /* unique fields only */
    model_loc loc;
};

typedef enum model_builtin {
    MODEL_USER_DECLARED = 0,
    MODEL_BUILTIN
} model_builtin;

typedef struct model_index {
    model_field **fields;      /* in order */
    uint32_t nfields;
    const char *name;          /* "<table>_<col>_<col>_idx", deterministic */
    model_loc loc;
} model_index;

struct model_resource {
    const char *name;          /* "Product" */
    const char *verbose_name;  /* option, else Django's: "product review" */
    const char *table;         /* db_table, else "<spec>_<name lower>" */
    model_database *database;  /* `database = NAME`, else default */
    model_field **fields;      /* declaration order; an implicit `id`
                                  AutoField first when no primary key is
                                  declared, as Django */
    uint32_t nfields;
    model_field *pk;
    model_index **indexes;     /* `indexes = [[a, b], ...]` */
    uint32_t nindexes;
    bool builtin;              /* User and Token: never declared */
    uint32_t index;            /* position in model.resources */
    model_loc loc;
};

/* A path through foreign keys: `author.slug` is hops {author, slug}: every
 * hop but the last is a ForeignKey whose target holds the next.  `pk`
 * resolves to the primary key; `product_id` (an attname) to the ForeignKey
 * `product` itself, comparing the key. */
typedef struct model_path {
    model_field **hops;
    uint32_t nhops;            /* >= 1 */
    const char *text;          /* as written, "author.slug" */
} model_path;

/* One ordering term: `-created_at`. */
typedef struct model_order {
    model_field *field;        /* of the base resource */
    bool desc;
    model_loc loc;
} model_order;

/* ---------------------------------------------------------------------
 * Querysets: Resource.filter(...).exclude(...).order_by(...)
 */
typedef enum model_lookup {
    MODEL_LOOKUP_EXACT = 0, MODEL_LOOKUP_IEXACT, MODEL_LOOKUP_GT,
    MODEL_LOOKUP_GTE, MODEL_LOOKUP_LT, MODEL_LOOKUP_LTE, MODEL_LOOKUP_IN,
    MODEL_LOOKUP_ISNULL, MODEL_LOOKUP_ICONTAINS, MODEL_LOOKUP_ISTARTSWITH
} model_lookup;

const char *model_lookup_name(model_lookup l);   /* "gte" */

typedef struct model_qcond {
    model_path path;           /* resolved through foreign keys */
    model_lookup lookup;
    bool negated;              /* from .exclude(...) */
    /* Typed as the path's last field (a ForeignKey compares its target's
     * primary key type); MODEL_LOOKUP_IN: values[], ISNULL: a bool. */
    model_value value;
    model_value **values;      /* MODEL_LOOKUP_IN only */
    uint32_t nvalues;
    model_loc loc;
} model_qcond;

struct model_queryset {
    model_resource *resource;
    /* Conditions in source order; filter() arguments ANDed, each exclude()
     * call one negated group (group numbers tell them apart: Django's
     * exclude(a=1, b=2) is NOT (a=1 AND b=2)). */
    model_qcond **conds;
    uint32_t nconds;
    uint32_t *groups;          /* [nconds]: the filter/exclude call index */
    model_order **order;       /* order_by(...); none: the database's order */
    uint32_t norder;
    bool uses_url_kwargs;      /* some value is url.NAME */
    model_loc loc;
};

/* ---------------------------------------------------------------------
 * Serializers.
 */
typedef enum model_serializer_kind {
    MODEL_SERIALIZER = 1,      /* serializers.Serializer */
    MODEL_MODEL_SERIALIZER     /* serializers.ModelSerializer */
} model_serializer_kind;

/* The DRF field class, for OPTIONS metadata ("type") and OpenAPI. */
typedef enum model_sclass {
    MODEL_SC_INTEGER = 1, MODEL_SC_FLOAT, MODEL_SC_DECIMAL, MODEL_SC_BOOLEAN,
    MODEL_SC_CHAR, MODEL_SC_EMAIL, MODEL_SC_URL, MODEL_SC_SLUG, MODEL_SC_UUID,
    MODEL_SC_DATE, MODEL_SC_DATETIME, MODEL_SC_JSON, MODEL_SC_CHOICE,
    MODEL_SC_PRIMARY_KEY_RELATED, MODEL_SC_READ_ONLY, MODEL_SC_NESTED
} model_sclass;

const char *model_sclass_name(model_sclass c);   /* "ChoiceField" */

/* Where a field's value comes from when rendering, and where validated
 * input goes. */
typedef enum model_source_kind {
    MODEL_SRC_FIELD = 0,       /* a field of the serializer's own model
                                  (source: path with one hop) */
    MODEL_SRC_PATH,            /* a dotted source through foreign keys:
                                  render from the join `join` (read-only) */
    MODEL_SRC_ATTACH,          /* a PostFetch to_attr (read-only) */
    MODEL_SRC_NONE             /* a plain Serializer's field: the key itself */
} model_source_kind;

/* A LEFT JOIN that rendering needs: along `fk` from the base row (from -1)
 * or from an earlier join of the same serializer.  Alias j<index>. */
typedef struct model_join {
    int32_t from;
    model_field *fk;
    model_resource *target;
} model_join;

struct model_sfield {
    const char *name;          /* the JSON key */
    model_sclass sclass;
    model_ftype type;          /* value type (MODEL_T_NESTED for nested) */
    bool declared;             /* declared on the serializer, else built
                                  from the model field as DRF does */
    bool read_only, write_only, required, allow_null, allow_blank;
    bool has_default;          /* serializer-level `default` (a ModelSerializer
                                  never copies the model's default: the model
                                  applies it on save, as Django) */
    model_value default_value;
    model_limits limits;
    const char *label;         /* DRF: capfirst(verbose_name) for model fields,
                                  else the `label` option, else
                                  name.replace('_',' ').capitalize() */
    const char *help_text;     /* NULL: none */
    /* UniqueValidator(queryset=<model>.objects) for unique model fields,
     * with Django's message: "product with this sku already exists." */
    bool unique;
    const char *unique_message;
    model_field *model_field;  /* the backing field of the serializer's
                                  model (one-hop sources), or NULL */

    model_source_kind source_kind;
    model_path source;         /* FIELD/PATH: the hops; empty otherwise */
    const char *source_text;   /* as written, or the name */
    int32_t join;              /* PATH, and nested over a ForeignKey: index
                                  into the serializer's joins; else -1 */
    const char *attach;        /* ATTACH: the to_attr name */
    model_postfetch *attach_postfetch;  /* a PostFetch with that to_attr over
                                  this model (the views decide which one
                                  fills the slot; this one types it) */

    model_serializer *nested;  /* MODEL_T_NESTED */
    bool many;
    model_resource *related;   /* PrimaryKeyRelatedField: the queryset's
                                  resource (validation looks the pk up) */
    model_hook *validate_hook; /* validate_<name>, or NULL */
    uint32_t index;            /* position in the serializer's fields */
    model_loc loc;             /* the declaration, or the name in `fields` */
};

struct model_serializer {
    const char *name;
    model_serializer_kind kind;
    model_resource *model;     /* ModelSerializer only */
    /* The resource whose rows it renders and validates into: the model of a
     * ModelSerializer; for a plain Serializer, inferred from its uses (a
     * view's model, the target of the ForeignKey or the PostFetch it is
     * nested over), NULL when it renders no resource's rows. */
    model_resource *instance;
    model_sfield **fields;     /* output order: DRF's `fields` order, or for
                                  "__all__"/exclude: pk, declared fields,
                                  plain model fields, foreign keys */
    uint32_t nfields;
    model_join **joins;        /* what rendering needs loaded, in order */
    uint32_t njoins;
    /* Object-level validation: `validators = [...]` in order, then
     * `validate`.  They run only when every field passed. */
    model_hook **validators;
    uint32_t nvalidators;
    uint32_t index;
    model_loc loc;
};

/* ---------------------------------------------------------------------
 * PostFetch: related rows attached after pagination, one query per page.
 */
struct model_postfetch {
    const char *name;
    model_queryset *queryset;      /* over the related resource (Review) */
    model_resource *resource;      /* == queryset->resource */
    const char *to_attr;
    model_field **values;          /* of resource, in order */
    uint32_t nvalues;
    model_order **order;           /* order_by within each base row */
    uint32_t norder;
    int32_t limit;                 /* >= 1; 1 attaches an object or null,
                                      more a list; -1: no limit (a list) */
    model_field *related_key;      /* Review.product (column product_id) */
    model_resource *base;          /* the resource of the base rows */
    model_field *base_key;         /* Product.id */
    model_database *database;      /* `using`, else the resource's database */
    model_loc loc;
};

/* ---------------------------------------------------------------------
 * Policies.
 */
typedef enum model_pager_kind {
    MODEL_PAGE_NUMBER = 0, MODEL_LIMIT_OFFSET, MODEL_CURSOR
} model_pager_kind;

typedef struct model_order_name {  /* CursorPagination.ordering: resolved per view */
    const char *name;
    bool desc;
    model_loc loc;
} model_order_name;

struct model_pagination {
    const char *name;              /* "Pages", or the built-in class name */
    model_pager_kind kind;
    bool builtin;                  /* the DRF class used as is */
    /* DRF's class attributes with its defaults; PAGE_SIZE from settings
     * where DRF reads it (page_size, default_limit).  -1: None. */
    int32_t page_size;             /* PageNumber, Cursor */
    const char *page_query_param;  /* "page" */
    const char *page_size_query_param;  /* NULL: clients cannot change it */
    int32_t max_page_size;         /* -1: no cap */
    const char **last_page_strings;     /* {"last"} */
    uint32_t nlast_page_strings;
    int32_t default_limit;         /* LimitOffset: PAGE_SIZE; -1: None (DRF
                                      then paginates only when ?limit= is given) */
    const char *limit_query_param; /* "limit" */
    const char *offset_query_param;/* "offset" */
    int32_t max_limit;             /* -1: no cap */
    const char *cursor_query_param;/* "cursor" */
    model_order_name **ordering;   /* Cursor: default {-created} */
    uint32_t nordering;
    int32_t offset_cutoff;         /* Cursor: 1000 */
    model_loc loc;
};

typedef enum model_throttle_kind {
    MODEL_THROTTLE_ANON = 0, MODEL_THROTTLE_USER, MODEL_THROTTLE_SCOPED
} model_throttle_kind;

/* A rate "N/period" (DRF reads only the period's first letter). */
typedef struct model_rate {
    const char *scope;         /* in DEFAULT_THROTTLE_RATES; NULL elsewhere */
    const char *text;          /* as written; NULL: None (no limit) */
    int32_t num_requests;      /* -1 with text NULL */
    int32_t duration;          /* seconds: 1, 60, 3600, 86400 */
    model_loc loc;
} model_rate;

struct model_throttle {
    const char *name;
    model_throttle_kind kind;
    bool builtin;
    /* Anon/User: the cache scope ("anon", "user", or the declared scope) and
     * the rate: the declared `rate`, else DEFAULT_THROTTLE_RATES[scope]
     * (missing key: a spec error, DRF's ImproperlyConfigured).
     * Scoped: DRF takes scope and rate from the view (throttle_scope and
     * DEFAULT_THROTTLE_RATES[throttle_scope]) and ignores its own; `scope`
     * and `rate` keep what the declaration said, for diagnostics only.  The
     * per-view result is in model_throttle_use. */
    const char *scope;
    model_rate rate;
    model_loc loc;
};

/* A throttle as one action applies it, fully resolved. */
typedef struct model_throttle_use {
    model_throttle *throttle;
    bool active;               /* false: DRF's allow_request always allows
                                  (rate None, or a scoped throttle on a view
                                  without throttle_scope) */
    const char *scope;         /* the cache key's scope */
    int32_t num_requests, duration;
} model_throttle_use;

typedef enum model_builtin_permission {
    MODEL_PERM_CUSTOM = 0, MODEL_PERM_ALLOW_ANY, MODEL_PERM_IS_AUTHENTICATED,
    MODEL_PERM_IS_ADMIN_USER, MODEL_PERM_IS_AUTHENTICATED_OR_READ_ONLY
} model_builtin_permission;

struct model_permission {
    const char *name;
    model_builtin_permission builtin;
    model_hook *has_permission;         /* NULL: allows (BasePermission) */
    model_hook *has_object_permission;  /* NULL: allows */
    const char *message;                /* NULL: DRF's default text */
    model_loc loc;
};

typedef enum model_perm_op {
    MODEL_P_LEAF = 0, MODEL_P_AND, MODEL_P_OR, MODEL_P_NOT
} model_perm_op;

/* `a & (b | c)`: a binary tree; `a & b & c` is ((a & b) & c), as Python
 * evaluates DRF's operator classes. */
struct model_perm_expr {
    model_perm_op op;
    model_permission *leaf;             /* LEAF */
    model_perm_expr *a, *b;             /* AND/OR: both; NOT: a */
    model_loc loc;
};

typedef enum model_builtin_auth {
    MODEL_AUTH_CUSTOM = 0,
    MODEL_AUTH_TOKEN,          /* Authorization: Token <key> */
    MODEL_AUTH_BASIC,          /* Basic realm="api" */
    /* DRF's SessionAuthentication.  restflow has no sessions, so it never
     * authenticates anyone; it stays in the chain (DRF's default chain
     * starts with it) because its missing WWW-Authenticate header makes
     * DRF answer 403 rather than 401 when it is first. */
    MODEL_AUTH_SESSION
} model_builtin_auth;

struct model_authentication {
    const char *name;
    model_builtin_auth builtin;
    model_hook *authenticate;  /* CUSTOM only */
    /* The WWW-Authenticate value ("Token", "Basic realm=\"api\""), or NULL
     * (custom authenticators: the `www_authenticate` member, else none). */
    const char *www_authenticate;
    model_loc loc;
};

/* Parsers and renderers in declared order (the first renderer is the
 * default of content negotiation). */
typedef enum model_parser {
    MODEL_PARSER_JSON = 0, MODEL_PARSER_FORM, MODEL_PARSER_MULTIPART
} model_parser;
typedef enum model_renderer {
    MODEL_RENDERER_JSON = 0, MODEL_RENDERER_BROWSABLE
} model_renderer;
typedef enum model_filter_backend {
    MODEL_FILTER_DJANGO = 0, MODEL_FILTER_SEARCH, MODEL_FILTER_ORDERING
} model_filter_backend;

/* ---------------------------------------------------------------------
 * Settings: REST_FRAMEWORK with DRF's defaults applied.
 */
typedef struct model_settings {
    model_authentication **authentication_classes;  /* default: Session, Basic */
    uint32_t nauthentication_classes;
    model_perm_expr **permission_classes;           /* default: AllowAny */
    uint32_t npermission_classes;
    model_throttle **throttle_classes;              /* default: none */
    uint32_t nthrottle_classes;
    model_rate **throttle_rates;   /* default: anon None, user None; a spec's
                                      map replaces the whole default */
    uint32_t nthrottle_rates;
    model_pagination *pagination_class;   /* default: NULL (None) */
    int32_t page_size;                    /* PAGE_SIZE; -1: None */
    model_filter_backend *filter_backends; /* default: none */
    uint32_t nfilter_backends;
    model_renderer *renderers;            /* default: JSON, Browsable */
    uint32_t nrenderers;
    model_parser *parsers;                /* default: JSON, Form, MultiPart */
    uint32_t nparsers;
    const char *search_param;             /* "search" */
    const char *ordering_param;           /* "ordering" */
    int32_t num_proxies;                  /* -1: None */
    model_loc loc;                        /* the settings block, or line 0 */
} model_settings;

/* ---------------------------------------------------------------------
 * Views, viewsets, actions.
 */
typedef enum model_view_kind {
    MODEL_VIEW_API = 0,        /* APIView / AsyncAPIView: handlers only */
    MODEL_VIEW_GENERIC,        /* GenericAPIView and the nine generic views */
    MODEL_VIEW_VIEWSET         /* ViewSet, GenericViewSet, the model viewsets */
} model_view_kind;

typedef enum model_action_kind {
    MODEL_ACT_HANDLER = 0,     /* a user hook: APIView method, ViewSet
                                  method, extra action */
    MODEL_ACT_LIST, MODEL_ACT_CREATE, MODEL_ACT_RETRIEVE, MODEL_ACT_UPDATE,
    MODEL_ACT_PARTIAL_UPDATE, MODEL_ACT_DESTROY
} model_action_kind;

/* HTTP methods as bits, in DRF's `Allow` order (restflow/base.h rf_method). */
enum {
    MODEL_GET = 1u << 0, MODEL_POST = 1u << 1, MODEL_PUT = 1u << 2,
    MODEL_PATCH = 1u << 3, MODEL_DELETE = 1u << 4
};
#define MODEL_NMETHODS 5
const char *model_method_name(unsigned bit_index);   /* 0 -> "GET" */

/* The ActionConfig keys an `action NAME { }` block may set, as bits of
 * model_action.overridden. */
enum {
    MODEL_AC_SERIALIZER_CLASS = 1u << 0,
    MODEL_AC_REQUEST_SERIALIZER_CLASS = 1u << 1,
    MODEL_AC_RESPONSE_SERIALIZER_CLASS = 1u << 2,
    MODEL_AC_PERMISSION_CLASSES = 1u << 3,
    MODEL_AC_THROTTLE_CLASSES = 1u << 4,
    MODEL_AC_PARSER_CLASSES = 1u << 5,
    MODEL_AC_RENDERER_CLASSES = 1u << 6,
    MODEL_AC_PAGINATION_CLASS = 1u << 7,
    MODEL_AC_QUERYSET = 1u << 8
};

/*
 * One action's resolved configuration.  Each key is the action block's
 * value when it sets one, else the view's, else the setting's default;
 * then request_serializer = request_serializer_class or serializer_class,
 * response_serializer = response_serializer_class or serializer_class (the
 * seed's getters, applied to the merged attributes).
 */
typedef struct model_action_config {
    model_serializer *serializer;           /* merged serializer_class */
    model_serializer *request_serializer;   /* NULL: none (APIView without) */
    model_serializer *response_serializer;
    model_perm_expr **permissions;
    uint32_t npermissions;
    model_throttle_use **throttles;
    uint32_t nthrottles;
    model_parser *parsers;
    uint32_t nparsers;
    model_renderer *renderers;
    uint32_t nrenderers;
    /* The action's pagination class, NULL for None.  The generic pipelines
     * paginate list only; handlers reach it through the pagination helpers.
     * A page size of None (-1) still paginates when the class accepts a
     * size parameter and the client sends one, as DRF. */
    model_pagination *paginator;
    model_queryset *queryset;      /* NULL: none (APIView) */
} model_action_config;

struct model_action {
    const char *name;          /* "list", "publish", "get" */
    model_action_kind kind;
    unsigned methods;          /* MODEL_GET | ... this action answers */
    bool detail;               /* acts on one object (has the lookup) */
    model_hook *handler;       /* HANDLER */
    model_action_config config;
    unsigned overridden;       /* MODEL_AC_* set by an action block */
    /* Extra actions (@action). */
    bool extra;
    const char *url_path;      /* default: the name */
    const char *url_name;      /* default: the name, '_' -> '-' */
    const char *display_name;  /* DRF's `name` initkwarg: "Publish" */
    const char *description;   /* "" by default */
    model_loc loc;             /* the action block, the handler member, or
                                  the view when implicit */
};

typedef struct model_search_field {
    model_field *field;
    char prefix;               /* 0 (icontains), '^', '=', '@', '$' */
    model_loc loc;
} model_search_field;

typedef struct model_filters {
    model_filter_backend *backends;     /* filter_backends, declared order */
    uint32_t nbackends;
    model_field **filterset_fields;
    uint32_t nfilterset_fields;
    model_search_field **search_fields;
    uint32_t nsearch_fields;
    model_field **ordering_fields;      /* when not ordering_all */
    uint32_t nordering_fields;
    bool ordering_all;                  /* ordering_fields = "__all__" */
    /* DRF's default when ordering_fields is unset: the serializer's
     * readable model fields.  Resolved here into ordering_fields. */
    bool ordering_fields_defaulted;
    model_order **ordering;             /* the view's default `ordering` */
    uint32_t nordering;
    const char *search_param;           /* from settings */
    const char *ordering_param;
} model_filters;

/* The base classes, as written. */
typedef enum model_base {
    MODEL_BASE_API_VIEW = 0,
    MODEL_BASE_GENERIC_API_VIEW,
    MODEL_BASE_CREATE, MODEL_BASE_LIST, MODEL_BASE_RETRIEVE,
    MODEL_BASE_DESTROY, MODEL_BASE_UPDATE, MODEL_BASE_LIST_CREATE,
    MODEL_BASE_RETRIEVE_UPDATE, MODEL_BASE_RETRIEVE_DESTROY,
    MODEL_BASE_RETRIEVE_UPDATE_DESTROY,
    MODEL_BASE_VIEWSET, MODEL_BASE_GENERIC_VIEWSET,
    MODEL_BASE_READ_ONLY_MODEL_VIEWSET, MODEL_BASE_MODEL_VIEWSET
} model_base;

/* View hooks (the `hooks { }` block). */
typedef struct model_view_hooks {
    model_hook *get_queryset, *get_object, *get_serializer_context;
    model_hook *perform_create, *perform_update, *perform_destroy;
} model_view_hooks;

struct model_view {
    const char *name;          /* "Products" */
    const char *base_name;     /* "AsyncModelViewSet", as written */
    model_base base;
    bool is_async;             /* an Async* base */
    model_view_kind kind;
    const char *display_name;  /* DRF's get_view_name without suffix:
                                  "Top Products" */
    const char *description;   /* "" by default */
    model_resource *model;     /* the queryset's resource, or NULL */
    model_queryset *queryset;  /* view-level, or NULL */
    model_authentication **authentication_classes;  /* resolved */
    uint32_t nauthentication_classes;
    model_filters filters;
    model_field *lookup_field;     /* resolved ("pk": the primary key); NULL
                                      for views without a model */
    const char *lookup_field_name; /* as written, default "pk" */
    const char *lookup_url_kwarg;  /* default: lookup_field_name */
    const char *lookup_value_regex;/* NULL: DRF's [^/.]+ */
    const char *throttle_scope;    /* NULL: none */
    model_postfetch **post_fetches;/* the to_attr slots, in order */
    uint32_t npost_fetches;
    model_view_hooks hooks;
    /* Every action: the standard ones in the order list, create, retrieve,
     * update, partial_update, destroy (handlers of an APIView in method
     * order get, post, put, patch, delete), then extra actions in
     * declaration order. */
    model_action **actions;
    uint32_t nactions;
    uint32_t index;
    model_loc loc;
};

/* ---------------------------------------------------------------------
 * Routing.
 */
typedef enum model_router_kind { MODEL_SIMPLE_ROUTER = 0, MODEL_DEFAULT_ROUTER } model_router_kind;

typedef struct model_registration {
    const char *prefix;        /* "products" */
    model_view *viewset;
    const char *basename;      /* option, else the queryset model's name lower */
    model_loc loc;
} model_registration;

struct model_router {
    const char *name;
    model_router_kind kind;
    model_registration **registrations;
    uint32_t nregistrations;
    model_loc loc;
};

/* One capture of a URL: `<int:product_id>` or a router's lookup. */
typedef struct model_capture {
    const char *name;
    const char *converter;     /* "int", "str", "slug", "uuid", "lookup",
                                  or "re" (lookup_value_regex) */
    const char *regex;         /* the regex it matches (Django's converters,
                                  DRF's [^/.]+, or lookup_value_regex) */
} model_capture;

/* MODEL_ROUTE_API_ROOT is DefaultRouter's root view (DRF's APIRootView):
 * GET only, and the settings' authentication, permission, throttle and
 * renderer classes, since APIRootView sets none of its own. */
typedef enum model_route_kind { MODEL_ROUTE_VIEW = 0, MODEL_ROUTE_API_ROOT } model_route_kind;

typedef struct model_root_entry {
    const char *prefix;        /* "products" */
    const char *url_name;      /* "product-list" */
    model_route *list_route;
} model_root_entry;

struct model_route {
    model_route_kind kind;
    /* The runtime's pattern: no leading slash, captures as {name:conv}:
     * "api/products/{id:lookup}/publish/" (restflow/http.h). */
    const char *pattern;
    /* As Django lists it: the include prefix, then DRF's regex for router
     * routes ("api/ ^products/(?P<id>[^/.]+)/$"), or the path() route. */
    const char *django;
    model_capture **captures;
    uint32_t ncaptures;
    model_view *view;          /* NULL for the API root */
    model_action *by_method[MODEL_NMETHODS];  /* GET POST PUT PATCH DELETE */
    const char *url_name;      /* "product-detail", or NULL */
    const char *name_suffix;   /* viewsets: "List", "Instance"; NULL */
    const char *display_name;  /* DRF's view name on this route:
                                  "Products List", "Publish", "Api Root" */
    bool detail;
    model_router *router;      /* router routes */
    model_registration *registration;
    model_root_entry **root;   /* API root: the registrations with a list */
    uint32_t nroot;
    model_loc loc;             /* the register/path/include statement */
};

/* ---------------------------------------------------------------------
 * The spec.
 */
struct model {
    const char *name;          /* "shop": the prefix of generated symbols */
    const char *title;         /* "" when unset */
    const char *version;       /* "" when unset */
    const char *file;          /* the spec's file name as given */
    const source *src;
    model_database **databases;     /* default first */
    uint32_t ndatabases;
    model_settings settings;
    /* Built-ins first (User, Token), then the spec's in order. */
    model_resource **resources;
    uint32_t nresources;
    model_serializer **serializers;
    uint32_t nserializers;
    model_postfetch **postfetches;
    uint32_t npostfetches;
    /* Built-in classes that the spec uses are included (builtin = true),
     * then the declared ones in order. */
    model_pagination **paginations;
    uint32_t npaginations;
    model_throttle **throttles;
    uint32_t nthrottles;
    model_permission **permissions;
    uint32_t npermissions;
    model_authentication **authentications;
    uint32_t nauthentications;
    model_view **views;             /* views and viewsets, in order */
    uint32_t nviews;
    model_router **routers;
    uint32_t nrouters;
    /* The URL table, in the order requests are matched. */
    model_route **routes;
    uint32_t nroutes;
    /* Every distinct C hook function (for <spec>_hooks.h), in order of
     * first use, each once. */
    model_hook **hooks;
    uint32_t nhooks;
    model_loc loc;             /* the spec block */
};

/* Look-ups by name, NULL when absent. */
model_resource *model_find_resource(const model *m, const char *name);
model_field *model_find_field(const model_resource *r, const char *name);
/* The field whose type a field's value has: the field itself, or for a
 * ForeignKey the primary key it references, followed through primary keys
 * that are themselves foreign keys (a ForeignKey still only for a chain
 * sema refused).  The C member, the column, literals and input all take
 * its type (model_key_type) and its limits (a CharField key's max_length). */
const model_field *model_key_field(const model_field *f);
model_ftype model_key_type(const model_field *f);
model_serializer *model_find_serializer(const model *m, const char *name);
model_view *model_find_view(const model *m, const char *name);
model_sfield *model_find_sfield(const model_serializer *s, const char *name);
model_action *model_find_action(const model_view *v, const char *name);
/* The rows an action's paginator orders: the view's resource, or for a
 * view without one (an APIView) the response serializer's model, which is
 * what the pagination helpers page over.  NULL when neither has one. */
const model_resource *model_paginated_resource(const model_view *v, const model_action *a);

#endif
