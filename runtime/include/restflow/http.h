/*
 * restflow/http.h: the request context, responses, views and actions, the
 * route table, the helpers for hand-written views, and the server.
 *
 * A request's life (DRF's order):
 *   route (404) -> negotiation (406) -> authenticate -> permissions (401/403)
 *   -> throttles (429) -> method handler (405) -> body parsed lazily when the
 *   handler asks (415/400/413) -> get_object: filters, lookup (404), object
 *   permissions -> render, headers, access log.
 * Every stage returns RF_OK, RF_ERROR or RF_PENDING; PENDING resumes through
 * a continuation on the loop thread.
 */
#ifndef RESTFLOW_HTTP_H
#define RESTFLOW_HTTP_H

#include "base.h"
#include "model.h"
#include "db.h"
#include "policy.h"

typedef struct rf_app rf_app;
typedef struct rf_view rf_view;
typedef struct rf_action rf_action;

/* A continuation: resumes a suspended request with the outcome. */
typedef void (*rf_cont)(rf_ctx *ctx, rf_rc rc);

/* ---------------------------------------------------------------------
 * The request context.
 */
rf_arena *rf_ctx_arena(rf_ctx *ctx);
const rf_app *rf_ctx_app(const rf_ctx *ctx);
const rf_view *rf_ctx_view(const rf_ctx *ctx);
const rf_action *rf_ctx_action(const rf_ctx *ctx);
const rf_resource *rf_ctx_resource(const rf_ctx *ctx);  /* the view's model */
rf_method rf_ctx_method(const rf_ctx *ctx);
const char *rf_ctx_path(const rf_ctx *ctx);              /* decoded path */
/* A query parameter; a repeated one gives its last value, as Django's
 * QueryDict.get (request.query_params.get) does. */
const char *rf_ctx_query(const rf_ctx *ctx, const char *name);
/* Every query parameter in order, repeats included (decoded). */
int rf_ctx_query_count(const rf_ctx *ctx);
void rf_ctx_query_at(const rf_ctx *ctx, int i, const char **name, const char **value);
const char *rf_ctx_raw_query(const rf_ctx *ctx);         /* NULL when none */
const char *rf_ctx_header(const rf_ctx *ctx, const char *name);
const char *rf_ctx_kwarg(const rf_ctx *ctx, const char *name);  /* URL kwarg */
const char *rf_ctx_client_ip(const rf_ctx *ctx);  /* NUM_PROXIES applied */
rf_db *rf_ctx_db(rf_ctx *ctx, int index);         /* the app's databases */
/* Django's request.build_absolute_uri(location): "http://<Host>" + location
 * (which starts with '/'); location NULL: the request's own path and query
 * string as received. */
char *rf_ctx_absolute_url(rf_ctx *ctx, const char *location);

/* The authenticated user, or NULL for the anonymous user. */
const rf_user *rf_ctx_user(const rf_ctx *ctx);
void rf_ctx_set_user(rf_ctx *ctx, const rf_user *user);  /* copied */
const char *rf_ctx_auth_token(const rf_ctx *ctx);        /* request.auth */
void rf_ctx_set_auth_token(rf_ctx *ctx, const char *token);

/* Per-request values a hook passes along (get_serializer_context). */
void rf_ctx_set_var(rf_ctx *ctx, const char *key, const void *value);
const void *rf_ctx_var(const rf_ctx *ctx, const char *key);

/* The request body, parsed on first use by the parser the Content-Type
 * selects.  RF_ERROR with 415/400 (DRF's texts) set on the context.  Form
 * bodies are presented as a JSON object of strings. */
typedef struct json_t json_t;
rf_rc rf_ctx_body(rf_ctx *ctx, json_t **data);

/* Resume a request suspended by an async hook (RF_PENDING).  Loop thread
 * only; exactly once per RF_PENDING.  It may run before the hook returns
 * RF_PENDING; the hook must not touch ctx after it. */
void rf_resume(rf_ctx *ctx, rf_rc rc);

/* Chain an async step in a hook: rc is what an async helper returned with
 * k as its continuation.  When rc is RF_PENDING, k runs later; otherwise k
 * runs now.  Returns RF_PENDING either way, so a handler can end with
 *   return rf_then(ctx, rf_asave(ctx, rec, &out, saved), saved);
 * and k carries on (eventually calling rf_resume). */
rf_rc rf_then(rf_ctx *ctx, rf_rc rc, rf_cont k);

/* ---------------------------------------------------------------------
 * Responses.  Each request gets exactly one.
 */
/* Set an error response: {"detail": detail}.  Returns RF_ERROR. */
rf_rc rf_error(rf_ctx *ctx, int status, const char *detail);
/* Set a 400 from validation errors.  Returns RF_ERROR. */
rf_rc rf_validation_failed(rf_ctx *ctx, const rf_verrs *errs);
/* Set a JSON response whose body is already rendered (compact) in body. */
rf_rc rf_respond_json(rf_ctx *ctx, int status, rf_buf *body);
rf_rc rf_respond_empty(rf_ctx *ctx, int status);   /* 204 */
/* An output buffer in the request's arena for rf_respond_json. */
rf_buf *rf_ctx_body_buf(rf_ctx *ctx);
void rf_ctx_add_header(rf_ctx *ctx, const char *name, const char *value);

/* Raise a validation error from a validate_<field> or validators hook (the
 * field's error, or non_field_errors when field is NULL).  Returns RF_ERROR. */
rf_rc rf_raise(rf_ctx *ctx, const char *field, const char *message);

/* ---------------------------------------------------------------------
 * Views.  Generated code describes each view and, per action, its resolved
 * ActionConfig; dispatch never branches on the action's name.
 */
typedef enum rf_action_kind {
    RF_ACT_HANDLER = 0,  /* a user hook: APIView method or extra action */
    RF_ACT_LIST, RF_ACT_CREATE, RF_ACT_RETRIEVE, RF_ACT_UPDATE,
    RF_ACT_PARTIAL_UPDATE, RF_ACT_DESTROY
} rf_action_kind;

/* Parsers and renderers, as masks. */
enum { RF_PARSE_JSON = 1u << 0, RF_PARSE_FORM = 1u << 1, RF_PARSE_MULTIPART = 1u << 2 };
enum { RF_RENDER_JSON = 1u << 0, RF_RENDER_BROWSABLE = 1u << 1 };

struct rf_action {
    const char *name;               /* "list", "publish", "get" */
    rf_action_kind kind;
    rf_hook handler;                /* RF_ACT_HANDLER: form rf_ctx_hook */
    const rf_serializer *request_serializer;
    const rf_serializer *response_serializer;
    const rf_perm_expr *const *permissions;
    uint16_t npermissions;
    const rf_throttle *const *throttles;
    uint16_t nthrottles;
    uint32_t parsers, renderers;
    const rf_paginator *paginator;  /* NULL: not paginated */
    const rf_queryset *queryset;
    const rf_postfetch *const *post_fetches;
    uint16_t npost_fetches;
};

typedef enum rf_view_kind {
    RF_VIEW_API = 0,     /* APIView: user handlers only */
    RF_VIEW_GENERIC,     /* GenericAPIView and the nine generic views */
    RF_VIEW_VIEWSET      /* ViewSet, GenericViewSet, the model viewsets */
} rf_view_kind;

struct rf_view {
    const char *name;               /* "Products" */
    const char *description;        /* "" by default */
    rf_view_kind kind;
    bool is_async;                  /* Async* base */
    const rf_resource *model;       /* queryset's resource, or NULL */
    const rf_authenticator *const *authenticators;
    uint16_t nauthenticators;
    const rf_filters *filters;
    const rf_field *lookup_field;   /* "pk" resolves to the primary key */
    const char *lookup_url_kwarg;
    const char *throttle_scope;
    uint16_t nslots;                /* PostFetch to_attr slots */
    /* Hooks; NULL when not set. */
    const rf_hook *get_queryset, *get_object, *get_serializer_context;
    const rf_hook *perform_create, *perform_update, *perform_destroy;
    /* DRF's config when no action applies (self.action is None): OPTIONS
     * and methods the route does not map (405).  NULL: the route's first
     * mapped action (GET first), the same config for an APIView. */
    const rf_action *default_action;
};

/* ---------------------------------------------------------------------
 * Routes.  A pattern is a path template without the leading slash; each
 * capture is `{name}` with an optional converter `{name:int}`, `str`,
 * `slug`, `uuid`, `lookup` (DRF's [^/.]+) or `re:REGEX` (lookup_value_regex,
 * matched against the one segment).
 *   "api/products/{id:lookup}/publish/"
 */
/* RF_ROUTE_API_ROOT: DefaultRouter's root view; the runtime writes its body
 * from `root`.  Its `view` (optional) carries the default authenticators
 * (DEFAULT_AUTHENTICATION_CLASSES) and by_method[RF_GET] (optional) the
 * default permissions and throttles, which run as for any view. */
typedef enum rf_route_kind { RF_ROUTE_VIEW = 0, RF_ROUTE_API_ROOT } rf_route_kind;

typedef struct rf_root_entry {
    const char *prefix;              /* "products" */
    const char *list_path;           /* "api/products/" */
} rf_root_entry;

typedef struct rf_route {
    const char *pattern;
    rf_route_kind kind;
    const rf_view *view;
    const rf_action *by_method[RF_METHOD_COUNT];  /* NULL: not handled */
    const char *url_name;            /* "product-detail" */
    const char *name_suffix;         /* viewsets: "List", "Instance" */
    const char *view_name;           /* overrides the computed name: an
                                        extra action's name ("Publish") */
    bool format_suffix;              /* DefaultRouter's format_suffix_patterns:
                                        also match "products.json" and
                                        "products.json/" (the API root:
                                        "api/.json"), format as a kwarg */
    bool detail;                     /* object route: has the lookup */
    const rf_root_entry *root;       /* RF_ROUTE_API_ROOT */
    uint16_t nroot;
} rf_route;

/* ---------------------------------------------------------------------
 * The application: everything generated for one spec.
 */
typedef struct rf_database_def {
    const char *name;                /* "default" */
    const char *url;                 /* the spec's default, or NULL */
} rf_database_def;

/* A text the PostgreSQL form of the OpenAPI document inserts at a byte
 * offset of rf_app.openapi: the integer column ranges Django gives model
 * fields there (minimum / maximum). */
typedef struct rf_openapi_insert {
    size_t offset;
    const char *text;
} rf_openapi_insert;

struct rf_app {
    int abi;                         /* RF_ABI_VERSION */
    const char *name;                /* spec name: "shop" */
    const char *title, *version;
    const rf_route *routes;
    uint16_t nroutes;
    const rf_database_def *databases;
    uint16_t ndatabases;
    const rf_resource *const *resources;
    uint16_t nresources;
    const char *schema_sql[2];       /* CREATE ... IF NOT EXISTS, per dialect */
    rf_auth_tables auth_tables;
    int32_t num_proxies;             /* NUM_PROXIES; -1: None */
    const rf_throttle_store *(*throttle_store)(void);  /* NULL: in-process */
    /* The OpenAPI document (JSON) the server answers at its schema path
     * (runtime/schema_view.c); NULL: none. */
    const char *openapi;
    /* Served instead where the default database is PostgreSQL (as
     * rf_db_ranges): the document with these inserts, ascending offsets;
     * none when the two are the same. */
    const rf_openapi_insert *openapi_postgres;
    size_t nopenapi_postgres;
};

/* The server and its management commands (migrate, createuser,
 * createtoken, serve): the generated main() is `return rf_main(&app, argc,
 * argv);`. */
int rf_main(const rf_app *app, int argc, char **argv);

/* ---------------------------------------------------------------------
 * Helpers for hand-written views (APIView/AsyncAPIView handlers and extra
 * actions).  The request serializer validates, the response serializer
 * renders; both default to serializer_class, resolved by the compiler.
 *
 * Async forms (AsyncAPIView, RF_ASYNC hooks): start the work, return
 * RF_PENDING, and call k on the loop when done; RF_OK or RF_ERROR when done
 * at once (then k is not called).  Sync forms (APIView, RF_BLOCKING hooks,
 * on a worker thread): block that thread only, then return.  Pointers the
 * async forms fill (rec, out, obj) must outlive the call: arena memory.
 */
/* A record for the action's request serializer (zeroed, nothing set). */
void *rf_get_serializer(rf_ctx *ctx);
/* Validate the body into *rec (full, or partial when partial is true);
 * on failure the 400 is set and the result is RF_ERROR. */
rf_rc rf_avalidated_serializer(rf_ctx *ctx, bool partial, void **rec, rf_cont k);
rf_rc rf_validated_serializer(rf_ctx *ctx, bool partial, void **rec);
/* Respond with one record rendered by the response serializer. */
rf_rc rf_aserialized_response(rf_ctx *ctx, const void *rec, int status, rf_cont k);
rf_rc rf_serialized_response(rf_ctx *ctx, const void *rec, int status);
/* Paginate a query with the action's paginator, run the PostFetches once,
 * render with the response serializer, respond 200. */
rf_rc rf_apaginated_response(rf_ctx *ctx, rf_query *q,
                             const rf_postfetch *const *pfs, int npfs, rf_cont k);
rf_rc rf_paginated_response(rf_ctx *ctx, rf_query *q,
                            const rf_postfetch *const *pfs, int npfs);
/* Save a validated record of the request serializer's model and reload
 * it: an INSERT when its primary key is unset, an UPDATE otherwise (as
 * Django's Model.save()); *out is the stored record when done.  With a
 * plain request Serializer the record is of the view's resource, or in an
 * APIView of the response serializer's model. */
rf_rc rf_asave(rf_ctx *ctx, void *rec, void **out, rf_cont k);
rf_rc rf_save(rf_ctx *ctx, void *rec, void **out);
/* get_object for detail actions: the action's queryset, get_queryset,
 * filter backends, the lookup (404), get_object, then object permissions
 * (401/403); *obj is the instance when done. */
rf_rc rf_aget_object(rf_ctx *ctx, void **obj, rf_cont k);
rf_rc rf_get_object(rf_ctx *ctx, void **obj);

#endif
