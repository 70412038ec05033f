/*
 * restflow/policy.h: authentication, permissions, throttles, pagination and
 * filter backends, with DRF 3.14's semantics and texts.
 *
 * Each policy is a descriptor the compiler emits (or one of the built-in
 * instances below) plus a runtime function that applies it to a request.
 */
#ifndef RESTFLOW_POLICY_H
#define RESTFLOW_POLICY_H

#include "base.h"
#include "model.h"
#include "db.h"

/* ---------------------------------------------------------------------
 * Users and authentication.
 */
typedef struct rf_user {
    int64_t id;
    const char *username;
    const char *email;
    bool is_staff;
    bool is_superuser;
    bool is_active;
} rf_user;

/* An authenticator: its hook either sets a user (rf_ctx_set_user) and
 * returns RF_OK, returns RF_OK without a user (not attempted: the next one
 * runs), or fails with rf_auth_failed() and RF_ERROR (the chain stops).
 * The built-in two are RF_ASYNC: they query the user and token tables
 * (rf_app.auth_tables) with rf_db_exec, and Basic checks the password on
 * the worker pool; both answer with DRF 3.14's texts. */
typedef struct rf_authenticator {
    const char *name;
    const char *www_authenticate;  /* `WWW-Authenticate` value, or NULL */
    rf_hook authenticate;
} rf_authenticator;

extern const rf_authenticator rf_token_authentication;  /* Token <key> */
extern const rf_authenticator rf_basic_authentication;  /* Basic realm="api" */

/* Fail authentication: sets the whole response by DRF's rule, 401 with the
 * view's first authenticator's WWW-Authenticate, or 403 when that one has
 * none.  Returns RF_ERROR. */
rf_rc rf_auth_failed(rf_ctx *ctx, const char *detail);

/* Django's password hashes: "pbkdf2_sha256$<iterations>$<salt>$<b64 hash>".
 * Check is constant-time; CPU-heavy, so callers run it on the pool. */
bool rf_password_check(const char *password, const char *encoded);
char *rf_password_make(rf_arena *a, const char *password, int iterations);
/* Parse the encoded form; false when malformed. */
bool rf_password_parse(const char *encoded, int *iterations,
                       const char **salt, size_t *salt_len,
                       const char **hash, size_t *hash_len);
/* Constant-time equality of two byte strings (length leaks only). */
bool rf_secure_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Where the built-in User and Token tables live (Django's names work). */
typedef struct rf_auth_tables {
    const char *user_table;    /* default "auth_user" */
    const char *token_table;   /* default "authtoken_token" */
    uint16_t db;
} rf_auth_tables;

/* ---------------------------------------------------------------------
 * Permissions.  A permission class has up to two hooks; absent ones allow
 * (DRF's BasePermission returns True).  permission_classes is a list of
 * expressions, checked in order; the first that denies stops.
 *
 * A permission hook (any form) grants with RF_OK and denies with RF_ERROR.
 * A hook that also set an error response (rf_error, e.g. a 404) ends the
 * request with it, as an exception raised inside has_permission does in
 * DRF; `~` does not turn that into a grant.
 */
typedef struct rf_permission {
    const char *name;
    const char *message;            /* NULL: DRF's default text */
    bool has_permission_set, has_object_permission_set;
    rf_hook has_permission;         /* form rf_ctx_hook */
    rf_hook has_object_permission;  /* form rf_obj_hook */
} rf_permission;

extern const rf_permission rf_allow_any;
extern const rf_permission rf_is_authenticated;
extern const rf_permission rf_is_admin_user;
extern const rf_permission rf_is_authenticated_or_read_only;

typedef enum rf_perm_op { RF_P_LEAF = 0, RF_P_AND, RF_P_OR, RF_P_NOT } rf_perm_op;

typedef struct rf_perm_expr {
    rf_perm_op op;
    const rf_permission *leaf;          /* RF_P_LEAF */
    const struct rf_perm_expr *a, *b;   /* operands (b NULL for NOT) */
} rf_perm_expr;

/* Check has_permission (obj == NULL) or has_object_permission for a list of
 * expressions, with DRF 3.14's operator semantics (see permission.c).  On
 * denial, sets DRF's 401/403 error on the context.  Returns RF_OK or
 * RF_ERROR when done at once (k is not called), or RF_PENDING (async or
 * blocking hooks): then k(ctx, rc) runs once, later, on the loop. */
rf_rc rf_check_permissions(rf_ctx *ctx, const rf_perm_expr *const *perms,
                           int n, void *obj, void (*k)(rf_ctx *, rf_rc));

/* ---------------------------------------------------------------------
 * Throttles.  Rates "N/period" where only the period's first letter counts
 * (s, m, h, d).  A sliding log of request times per key in a store.
 */
typedef enum rf_throttle_kind {
    RF_THROTTLE_ANON = 0, RF_THROTTLE_USER, RF_THROTTLE_SCOPED
} rf_throttle_kind;

/* The compiler emits one rf_throttle per use.  For RF_THROTTLE_SCOPED,
 * scope and rate are those of the view's throttle_scope (DRF takes both
 * from the view: DEFAULT_THROTTLE_RATES[throttle_scope]); without a
 * throttle_scope on the view the throttle never applies. */
typedef struct rf_throttle {
    const char *name;
    rf_throttle_kind kind;
    const char *scope;      /* "anon", "user", or the scope name */
    int32_t num_requests;   /* -1: no rate, the throttle allows everything */
    int32_t duration;       /* seconds */
} rf_throttle;

/* Parse "100/minute" as DRF does (int() of the count, the period's first
 * letter); false when malformed, and for a negative count. */
bool rf_throttle_parse_rate(const char *rate, int32_t *num, int32_t *duration);

/* The store: a sliding log per key.  `allow` records `now` and answers
 * *wait = 0 when the key has room; otherwise it records nothing and
 * answers the seconds to wait (DRF's wait()), or a negative *wait for
 * DRF's None.  It returns RF_OK with *wait set, RF_ERROR (error set on the
 * context), or RF_PENDING and later cb(ctx, wait, arg) on the loop thread.
 * The in-process store is synchronous, exact under concurrent calls, and
 * per process: with --workers N each worker counts alone.  A shared store
 * (Redis) makes a limit global; the app supplies it (rf_app.throttle_store). */
typedef struct rf_throttle_store rf_throttle_store;
typedef void (*rf_throttle_cb)(rf_ctx *ctx, double wait, void *arg);
struct rf_throttle_store {
    rf_rc (*allow)(rf_throttle_store *s, rf_ctx *ctx, const char *key,
                   int32_t num, int32_t duration, double now,
                   double *wait, rf_throttle_cb cb, void *arg);
    void (*close)(rf_throttle_store *s);
};
rf_throttle_store *rf_throttle_store_memory(void);
/* The shared store on Redis (throttle_redis.c), one async connection on the
 * worker's loop: url "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
 * [?prefix=P&timeout=MS]"; keys default to the prefix "restflow:<app_name>:".
 * NULL with the reason in err for a malformed URL; an unreachable Redis is
 * not an error here (requests that need it answer 503 until it is back).
 * A store that fails after RF_PENDING sets the error on the context (e.g.
 * rf_error 503) before calling cb; the throttle check then ends RF_ERROR. */
rf_throttle_store *rf_throttle_store_redis(struct event_base *base, const char *url,
                                           const char *app_name, char *err, size_t errlen);
bool rf_throttle_store_url_check(const char *url, char *err, size_t errlen);

/* Run every throttle of the action (as DRF 3.14: each allowing throttle
 * records the request even when another refuses it); on any refusal set
 * 429 with the longest wait and Retry-After.  RF_OK/RF_ERROR when done at
 * once (k not called), RF_PENDING with a shared store (k later). */
rf_rc rf_check_throttles(rf_ctx *ctx, const rf_throttle *const *ts, int n,
                         const char *view_scope, void (*k)(rf_ctx *, rf_rc));

/* ---------------------------------------------------------------------
 * Pagination.  Pure functions over the request's query parameters, counts
 * and rows, so they test without a database.
 */
typedef enum rf_pager_kind {
    RF_PAGE_NUMBER = 0, RF_LIMIT_OFFSET, RF_CURSOR
} rf_pager_kind;

/* NULL parameter names take DRF's defaults ("page", "limit", "offset",
 * "cursor"); last_page_strings is NULL-terminated, NULL for ("last",).
 * page_size / default_limit 0 is PAGE_SIZE None: not paginated unless the
 * client gives a valid size (page_size_query_param) or limit. */
typedef struct rf_paginator {
    const char *name;
    rf_pager_kind kind;
    int32_t page_size;                 /* PAGE_SIZE when unset in the spec */
    const char *page_query_param;      /* "page" */
    const char *page_size_query_param; /* NULL: clients cannot change it */
    int32_t max_page_size;             /* 0: none */
    const char *const *last_page_strings;  /* {"last"} */
    const char *limit_query_param;     /* "limit" */
    const char *offset_query_param;    /* "offset" */
    int32_t default_limit;             /* PAGE_SIZE */
    int32_t max_limit;                 /* 0: none */
    const char *cursor_query_param;    /* "cursor" */
    const rf_order *ordering;          /* CursorPagination.ordering */
    uint16_t nordering;
} rf_paginator;

/* A planned page: applied to the query before it runs, then used to render
 * the envelope once the rows (and the count, when needed) are back. */
typedef struct rf_page rf_page;

/* Read the query parameters, plan the page, add LIMIT/OFFSET or the cursor
 * condition and ordering to q.  RF_ERROR with 404 "Invalid page." or
 * "Invalid cursor" set on the context.  *page NULL with RF_OK: this request
 * is not paginated (answer a plain list).  needs_count tells whether a
 * COUNT must run first (page number, limit-offset): then call
 * rf_page_set_count with it, which sets LIMIT/OFFSET (404 for a page past
 * the end).  Cursor pagination never counts and fetches page_size + 1 rows;
 * the ordering comes from the view's OrderingFilter when it has one. */
rf_rc rf_page_plan(rf_ctx *ctx, const rf_paginator *p, rf_query *q,
                   rf_page **page, bool *needs_count);
rf_rc rf_page_set_count(rf_ctx *ctx, rf_page *page, rf_query *q, int64_t count);
/* Write the envelope: {"count":..,"next":..,"previous":..,"results":[...]}
 * calling render for each row (cursor: no count; rows are all that were
 * fetched, the extra one included).  Links are absolute, from the Host
 * header and the path, with the query re-encoded as DRF's
 * replace_query_param does (keys sorted). */
void rf_page_render(rf_ctx *ctx, rf_page *page, rf_buf *b, rf_rowset *rows,
                    rf_render_fn render);

/* ---------------------------------------------------------------------
 * Filter backends.
 */
enum {
    RF_FILTER_DJANGO   = 1u << 0,   /* DjangoFilterBackend: filterset_fields */
    RF_FILTER_SEARCH   = 1u << 1,   /* SearchFilter */
    RF_FILTER_ORDERING = 1u << 2    /* OrderingFilter */
};

/* '$' (iregex) runs on PostgreSQL only and '@' (full-text search) is not
 * supported: a request that needs either fails with 500 (the compiler
 * should refuse them where the database cannot run them). */
typedef struct rf_search_field {
    const rf_field *field;
    char prefix;                    /* 0 (icontains), '^', '=', '@', '$' */
} rf_search_field;

typedef struct rf_filters {
    uint32_t backends;              /* RF_FILTER_*, in filter_backends order */
    const uint8_t *order;           /* backend bits in declared order; NULL:
                                       the order of the bits */
    uint16_t norder;
    const rf_field *const *filterset_fields;
    uint16_t nfilterset_fields;
    const rf_search_field *search_fields;
    uint16_t nsearch_fields;
    const char *search_param;       /* SEARCH_PARAM, "search" */
    const rf_field *const *ordering_fields;  /* NULL with all: "__all__" */
    uint16_t nordering_fields;
    bool ordering_all;
    const char *ordering_param;     /* ORDERING_PARAM, "ordering" */
    const rf_order *ordering;       /* the view's default `ordering` */
    uint16_t nordering;
} rf_filters;

/* Apply the backends to q in order.  RF_ERROR with DRF's 400 body (e.g.
 * {"price":["Enter a number."]}) set on the context.
 *
 * A ForeignKey in filterset_fields is a ModelChoiceFilter: its value must
 * name an existing row ("Select a valid choice. That choice is not one of
 * the available choices."), which takes a query.  rf_filters_apply_async
 * runs it: RF_OK/RF_ERROR when done at once (k is not called), or
 * RF_PENDING and k(ctx, rc) later on the loop.  rf_filters_apply is the
 * sync form: on a pool thread (blocking hooks) it waits for the check; on
 * the loop thread a check that would have to wait fails with 500, so code
 * on the loop uses the async form. */
rf_rc rf_filters_apply(rf_ctx *ctx, const rf_filters *f, rf_query *q);
rf_rc rf_filters_apply_async(rf_ctx *ctx, const rf_filters *f, rf_query *q,
                             void (*k)(rf_ctx *, rf_rc));

#endif
