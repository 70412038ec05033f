/*
 * policy_internal.h (internal, policies area): what auth.c, permission.c,
 * throttle.c, pagination.c, cursor.c and filter.c share, and the pure
 * functions their unit tests drive without a request context.
 *
 * Several helpers reproduce a Python or Django primitive byte for byte
 * (urllib's parse_qsl and urlencode, Django's escape_uri_path, str.split());
 * each says which.  int(), str.strip() and uuid.UUID() are the serializers'
 * (serializer.h).
 */
#ifndef RF_POLICY_INTERNAL_H
#define RF_POLICY_INTERNAL_H

#include "restflow.h"

#define RF_INVALID_PAGE "Invalid page."
#define RF_INVALID_CURSOR "Invalid cursor"

/* ---------------------------------------------------------------------
 * Python primitives.
 */

/* A byte string with its length: decoded query parameters may hold NULs. */
typedef struct rf_str {
    const char *s;
    size_t n;
} rf_str;

/* Length in bytes of the Python whitespace character (str.isspace) at s,
 * or 0.  s holds n bytes of valid UTF-8. */
size_t rf_space_at(const char *s, size_t n);

/* DRF's pagination._positive_int: int(s), negative (or zero when strict)
 * rejected, then capped at cutoff when cutoff > 0. */
bool rf_positive_int(rf_arena *a, rf_str s, bool strict, int64_t cutoff, int64_t *out);

/* Strict UTF-8 (Python's bytes.decode('utf-8') accepts it). */
bool rf_utf8_valid(const char *s, size_t n);
/* CPython 3.11's base64.b64decode(s) (validate=False): characters outside
 * the alphabet are skipped, padding ends the data; false on "Incorrect
 * padding". */
bool rf_b64decode_lenient(rf_arena *a, rf_str in, rf_str *out);

/* ---------------------------------------------------------------------
 * Authentication (auth.c, permission.c).
 */
/* DRF's handle_exception for NotAuthenticated/AuthenticationFailed: 401
 * with the view's first authenticator's WWW-Authenticate, or 403 when it
 * has none.  Returns RF_ERROR. */
rf_rc rf_not_authenticated(rf_ctx *ctx, const char *detail);

typedef enum rf_auth_parse {
    RF_AUTH_NOT_MINE = 0,   /* no header, or another keyword: anonymous */
    RF_AUTH_FAILED,         /* *detail: DRF's AuthenticationFailed text */
    RF_AUTH_CREDENTIALS     /* parsed */
} rf_auth_parse;

/* The Authorization header split as bytes.split(); returns the number of
 * words, storing the first three. */
int rf_auth_split(const char *header, rf_str parts[3]);
rf_auth_parse rf_token_parse(const char *header, rf_str *key, const char **detail);
/* Username and password: UTF-8 (latin-1 credentials converted), NUL
 * terminated, possibly holding NULs. */
rf_auth_parse rf_basic_parse(rf_arena *a, const char *header, rf_str *username,
                             rf_str *password, const char **detail);

/* ---------------------------------------------------------------------
 * Throttles (throttle.c).
 */
/* DRF's get_ident: num_proxies -1 is NUM_PROXIES = None. */
const char *rf_throttle_ident(rf_arena *a, const char *xff, const char *remote,
                              int32_t num_proxies);
/* The 429 for the longest wait (< 0: DRF's None).  Returns RF_ERROR. */
rf_rc rf_throttled(rf_ctx *ctx, double wait);
/* Seconds since the epoch; tests replace it. */
extern double (*rf_throttle_clock)(void);

/* ---------------------------------------------------------------------
 * Query strings and links.
 */
typedef struct rf_qparam {
    rf_str name, value;
} rf_qparam;

typedef struct rf_qs {
    rf_qparam *params;   /* in request order */
    int n;
} rf_qs;

/* urllib.parse.parse_qsl(raw, keep_blank_values=True) as Django and DRF
 * call it: '&' separates, '+' is a space, %XX decoded, invalid UTF-8
 * replaced by U+FFFD, empty fields skipped, a field without '=' has an
 * empty value. */
rf_qs rf_qs_parse(rf_arena *a, const char *raw, size_t len);
/* QueryDict.get(name): the LAST value of name, or NULL. */
const rf_str *rf_qs_get(const rf_qs *qs, const char *name);
/* A copy of qs where name has the single value `value`, or none when value
 * is NULL: DRF's replace_query_param / remove_query_param. */
rf_qs rf_qs_with(rf_arena *a, const rf_qs *qs, const char *name, const char *value);

/* Django's escape_uri_path: the decoded path percent-encoded except
 * unreserved characters and /:@&+$,!*'(). */
void rf_escape_uri_path(rf_buf *b, const char *path);
/* base + "?" + urlencode(sorted(parse_qs(...).items()), doseq=True) as
 * DRF's link helpers write it (no "?" when there are no parameters).
 * base is "scheme://host/escaped/path". */
char *rf_url_build(rf_arena *a, const char *base, const rf_qs *qs);

/* The request's absolute URL without the query ("http://host/path/") and its
 * query parameters, as request.build_absolute_uri() sees them. */
const char *rf_request_base_url(rf_ctx *ctx);
rf_qs rf_request_qs(rf_ctx *ctx);

/* ---------------------------------------------------------------------
 * Pagination: the planning steps behind rf_page_plan / rf_page_set_count /
 * rf_page_render, callable without a request context.
 */
typedef struct rf_cursor {
    int64_t offset;
    bool reverse;
    const char *position;   /* NULL: none */
} rf_cursor;

struct rf_page {
    const rf_paginator *p;
    rf_arena *arena;
    const char *base_url;
    rf_qs qs;
    int64_t size;           /* page_size, or limit */
    int64_t offset;         /* rows skipped */
    const char *offset_text; /* the offset's digits when beyond int64 */
    int64_t count;          /* COUNT(*), page number and limit-offset */
    int64_t number;         /* page number, once validated */
    int64_t num_pages;
    /* Cursor pagination. */
    const rf_order *ordering;
    int nordering;
    bool has_cursor;
    rf_cursor cursor;
};

/* Read the paginator's parameters from pg->qs.  *paginated false: the
 * request is not paginated (page size or limit resolves to none), answer a
 * plain list.  Returns the 404 detail on failure, else NULL. */
const char *rf_page_prepare(rf_page *pg, bool *paginated, bool *needs_count);
/* Page number and limit-offset: take the count, validate the page.  Returns
 * the 404 detail on failure, else NULL. */
const char *rf_page_take_count(rf_page *pg, int64_t count);
/* The rows to fetch: LIMIT and OFFSET (cursor: page size + 1). */
void rf_page_window(const rf_page *pg, int64_t *limit, int64_t *offset);
/* The window rf_page_window will give once the count says the page is
 * valid, known before the count: false when it depends on the count (the
 * last page, asked for by name) or there is no count (cursor). */
bool rf_page_expected_window(const rf_page *pg, int64_t *limit, int64_t *offset);
/* The envelope over the fetched rows (cursor: including the extra row). */
void rf_page_write(rf_page *pg, rf_buf *b, const rf_rowset *rows, rf_render_fn render);

/* get_page_size: page_size_query_param when valid, capped, else page_size. */
int64_t rf_page_size(const rf_page *pg);

/* cursor.c */
/* Read and decode the request's cursor; "Invalid cursor" or NULL. */
const char *rf_cursor_prepare(rf_page *pg);
/* DRF's CursorPagination.decode_cursor; false on "Invalid cursor". */
bool rf_cursor_decode(rf_arena *a, rf_str encoded, rf_cursor *out);
/* DRF's encode_cursor: the base64 text of the cursor's query string. */
char *rf_cursor_encode(rf_arena *a, const rf_cursor *c);
/* str() of a record's field as Django's model instance gives it (the
 * cursor's position). */
char *rf_cursor_position(rf_arena *a, const void *rec, const rf_field *f);
/* The position's text converted to the field's type for binding; false when
 * it does not convert. */
bool rf_cursor_position_value(rf_arena *a, const rf_field *f, const char *text,
                              rf_value *out);
/* The condition on the first ordering field: *op "<" or ">" and the
 * position's value, or *op NULL without a position.  False: the position
 * does not convert ("Invalid cursor"). */
bool rf_cursor_bound(const rf_page *pg, const char **op, rf_value *v);
/* Write "next":..,"previous":.., for the fetched rows (page size + 1 at
 * most); returns how many of them are the page. */
int rf_cursor_write_links(rf_page *pg, rf_buf *b, const rf_rowset *rows);

/* ---------------------------------------------------------------------
 * Filters (filter.c), shared with cursor pagination.
 */
/* One filterset field's query value, cleaned by the form field that
 * django-filter picks for the model field. */
typedef enum rf_clean_outcome {
    RF_CLEAN_SKIP = 0,  /* absent, empty, or a boolean django-filter ignores */
    RF_CLEAN_VALUE,     /* filter field = value */
    RF_CLEAN_NOTHING,   /* valid, but no row can hold it (an int beyond int64) */
    RF_CLEAN_ERROR,     /* error: the 400 message */
    RF_CLEAN_CHECK_FK   /* value: the related key, which must exist */
} rf_clean_outcome;

typedef struct rf_cleaned {
    rf_clean_outcome outcome;
    rf_value value;
    const char *error;
} rf_cleaned;

rf_cleaned rf_filter_clean(rf_arena *a, const rf_field *f, const rf_str *param);

/* OrderingFilter.get_ordering: the valid ?ordering= fields, else the view's
 * default ordering.  *n 0: no ordering (the queryset's stays). */
void rf_ordering_resolve(rf_arena *a, const rf_filters *f, const rf_resource *res,
                         const rf_qs *qs, const rf_order **order, int *n);
/* SearchFilter.get_search_terms over the parameter's value (NULL: none). */
int rf_search_terms(rf_arena *a, const rf_str *param, rf_str **terms);
/* The search condition: AND over terms of OR over search fields, one bound
 * parameter per pair.  False when a prefix cannot run on this dialect. */
bool rf_search_sql(rf_arena *a, const rf_filters *f, rf_dialect d,
                   const rf_str *terms, int nterms, char **sql,
                   rf_value **params, int *nparams);

#endif
