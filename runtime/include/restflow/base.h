/*
 * restflow/base.h: return codes, arenas, output buffers, typed values and
 * the JSON writers every renderer uses.
 */
#ifndef RESTFLOW_BASE_H
#define RESTFLOW_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Generated code checks this and refuses to build against another runtime. */
#define RF_ABI_VERSION 1

/*
 * Every stage, hook and helper returns one of these.
 *   RF_OK       done; go on.
 *   RF_ERROR    done; an error response has been set on the context.
 *   RF_PENDING  not done yet: a continuation will call rf_resume() later,
 *               exactly once, on the loop thread.
 */
typedef enum rf_rc { RF_OK = 0, RF_ERROR = 1, RF_PENDING = 2 } rf_rc;

/* HTTP methods, in the order DRF lists them in `Allow`. */
typedef enum rf_method {
    RF_GET = 0, RF_POST, RF_PUT, RF_PATCH, RF_DELETE, RF_HEAD, RF_OPTIONS,
    RF_METHOD_COUNT
} rf_method;
#define RF_M(m) (1u << (m))              /* a method as a bit in a mask */
const char *rf_method_name(rf_method m); /* "GET" ... */

/* ---------------------------------------------------------------------
 * Arena: every allocation of a request lives in its arena and dies with it.
 * Allocation never returns NULL: past the arena's limit it still succeeds
 * but marks the arena exhausted, and the dispatcher fails the request with
 * 503 at the next stage boundary (see rf_arena_exhausted).
 */
typedef struct rf_arena rf_arena;

rf_arena *rf_arena_new(size_t limit);    /* limit 0: unlimited */
void rf_arena_free(rf_arena *a);         /* runs cleanups, newest first */
void rf_arena_reset(rf_arena *a);        /* as free, but keeps the first block */
void *rf_alloc(rf_arena *a, size_t n);   /* 16-byte aligned */
void *rf_calloc(rf_arena *a, size_t n);
char *rf_strdup(rf_arena *a, const char *s);
char *rf_strndup(rf_arena *a, const char *s, size_t n);
char *rf_sprintf(rf_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rf_arena_on_free(rf_arena *a, void (*fn)(void *), void *arg);
bool rf_arena_exhausted(const rf_arena *a);
size_t rf_arena_used(const rf_arena *a);

/* ---------------------------------------------------------------------
 * Output buffer: one contiguous, growable byte buffer.  Renderers write
 * straight into it; the response body is handed to the network without a
 * copy.  Memory comes from the owning arena (or malloc when arena is NULL).
 */
typedef struct rf_buf {
    char *data;
    size_t len, cap;
    rf_arena *arena;
} rf_buf;

void rf_buf_init(rf_buf *b, rf_arena *a, size_t initial);
void rf_buf_reserve(rf_buf *b, size_t extra);
void rf_buf_append(rf_buf *b, const void *p, size_t n);
void rf_buf_puts(rf_buf *b, const char *s);
void rf_buf_putc(rf_buf *b, char c);
void rf_buf_printf(rf_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rf_buf_release(rf_buf *b);          /* only for arena == NULL buffers */
#define rf_buf_lit(b, s) rf_buf_append((b), "" s, sizeof(s) - 1)

/* ---------------------------------------------------------------------
 * JSON writers, byte-for-byte as DRF's JSONRenderer writes (compact, UTF-8
 * kept, U+2028/U+2029 escaped, ensure_ascii off).
 */
void rf_json_str(rf_buf *b, const char *s);                /* quoted, escaped */
void rf_json_strn(rf_buf *b, const char *s, size_t n);
void rf_json_i64(rf_buf *b, int64_t v);
void rf_json_f64(rf_buf *b, double v);                     /* Python repr() */
void rf_json_bool(rf_buf *b, bool v);
void rf_json_null(rf_buf *b);
/* A decimal held as exact text, rendered as a JSON string with exactly
 * `places` decimal places ("19.9" with places 2 gives "19.90"). */
void rf_json_decimal(rf_buf *b, const char *text, int places);
/* Microseconds since the epoch, UTC: "2026-11-29T12:00:00.123456Z"
 * (no fraction when it is zero, as Python's isoformat). */
void rf_json_datetime(rf_buf *b, int64_t usec);
void rf_json_date(rf_buf *b, int32_t days);                 /* "2026-11-29" */
/* Re-indent compact JSON as Python's json.dumps(indent=n) would. */
void rf_json_reindent(rf_buf *out, const char *json, size_t len, int indent);

/* Calendar helpers shared by the JSON writers, parsers and the databases. */
bool rf_parse_datetime(const char *s, int64_t *usec);  /* ISO 8601, DRF's input rules */
bool rf_parse_date(const char *s, int32_t *days);
void rf_format_datetime_sql(char out[32], int64_t usec); /* "YYYY-MM-DD HH:MM:SS[.ffffff]" */

/* ---------------------------------------------------------------------
 * Typed values: what is bound to SQL parameters and read back from rows.
 */
typedef enum rf_vtype {
    RF_V_NULL = 0,
    RF_V_INT,       /* int64 */
    RF_V_FLOAT,     /* double */
    RF_V_BOOL,
    RF_V_TEXT,      /* UTF-8, NUL-terminated */
    RF_V_DECIMAL,   /* exact decimal as text */
    RF_V_DATETIME,  /* int64 microseconds since the epoch, UTC */
    RF_V_DATE,      /* int32 days since the epoch */
    RF_V_JSON       /* compact JSON text */
} rf_vtype;

typedef struct rf_value {
    rf_vtype type;
    union {
        int64_t i;      /* INT, DATETIME, BOOL (0/1), DATE */
        double f;
        const char *s;  /* TEXT, DECIMAL, JSON */
    } u;
} rf_value;

#define RF_VNULL        ((rf_value){ .type = RF_V_NULL })
#define RF_VINT(x)      ((rf_value){ .type = RF_V_INT, .u.i = (x) })
#define RF_VBOOL(x)     ((rf_value){ .type = RF_V_BOOL, .u.i = !!(x) })
#define RF_VTEXT(x)     ((rf_value){ .type = RF_V_TEXT, .u.s = (x) })

/* ---------------------------------------------------------------------
 * Hooks: user C functions the spec names, in one of three forms.
 *   RF_SYNC      runs on the loop thread and returns its answer (never
 *                RF_PENDING).  For cheap checks.
 *   RF_BLOCKING  a sync function the runtime runs on the worker thread pool
 *                and posts back to the loop (C's sync_to_async).  May block;
 *                may call the sync helpers.
 *   RF_ASYNC     runs on the loop thread and may return RF_PENDING, then
 *                calls rf_resume(ctx, rc) exactly once, later, on the loop.
 * Every hook returns RF_OK, RF_ERROR (having set an error on the context)
 * or, when async, RF_PENDING.  The prototypes are the same in every form.
 */
typedef struct rf_ctx rf_ctx;
typedef struct rf_query rf_query;

typedef enum rf_hook_form { RF_SYNC = 0, RF_BLOCKING, RF_ASYNC } rf_hook_form;

typedef rf_rc (*rf_ctx_hook)(rf_ctx *ctx);
/* obj: the record of the view's resource (or of the serializer's record
 * for validators); rf_ctx_resource() describes it. */
typedef rf_rc (*rf_obj_hook)(rf_ctx *ctx, void *obj);
typedef rf_rc (*rf_query_hook)(rf_ctx *ctx, rf_query *q);

typedef struct rf_hook {
    const char *name;        /* the C name, for logs */
    rf_hook_form form;
    union {
        rf_ctx_hook ctx;     /* handlers, authenticate, has_permission */
        rf_obj_hook obj;     /* has_object_permission, perform_*, validators */
        rf_query_hook query; /* get_queryset, get_object */
    } fn;
} rf_hook;

#endif
