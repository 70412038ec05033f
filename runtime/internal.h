/*
 * internal.h (core): the request context, the per-process worker state and
 * the internal interfaces other runtime areas build on (the hook runner, the
 * sync bridge for pool threads, request accessors beyond the public API).
 *
 * Not installed; generated code and user hooks see only restflow.h.
 */
#ifndef RF_INTERNAL_H
#define RF_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "restflow.h"
#include "pool.h"

struct event_base;

/* ---------------------------------------------------------------------
 * Server configuration: what rf_main parsed from the command line and the
 * environment.
 */
typedef struct rf_config {
    const char *host;            /* "127.0.0.1" */
    int port;                    /* 8000; 0 picks a free port */
    int workers;                 /* processes */
    int threads;                 /* worker pool threads per process */
    size_t max_body;             /* bytes; 413 beyond */
    size_t max_header;           /* bytes of the request head; 431 beyond */
    size_t max_request_memory;   /* arena limit per request; 503 beyond */
    int timeout;                 /* seconds: read, write and keep-alive idle */
    bool access_log;
    const char *const *db_urls;  /* per app database; NULL: none */
    int db_pool;                 /* connections per database per process */
    int sqlite_loop_steps;       /* --sqlite-loop-read-steps: a loop read's
                                    budget; 0: reads on the pool; -1
                                    (--sqlite-reads-on-loop): no limit */
    int sqlite_loop_slow_steps;  /* --sqlite-loop-slow-read-steps: a slow-lane
                                    read's budget; 0: no slow lane */
    bool migrate_in_worker;      /* --migrate with an in-memory database:
                                    each worker migrates its own */
    const char *throttle_store;  /* --throttle-store redis://...; NULL:
                                    the app's, else in-process */
    const char *schema_path;     /* --schema-path; NULL: <API root>schema/,
                                    "none": not served */
} rf_config;

/* ---------------------------------------------------------------------
 * The compiled route table (router.c).
 */
typedef struct rf_router rf_router;

rf_router *rf_router_new(const rf_app *app);
void rf_router_free(rf_router *r);
/* Match a decoded path (with its leading slash) against the routes, in
 * order.  On success, *route is set and the captured kwargs are stored on
 * the context. */
bool rf_router_match(const rf_router *r, rf_ctx *ctx, const char *path,
                     const rf_route **route);
/* The `Allow` header value of a route, precomputed: "GET, POST, HEAD, OPTIONS". */
const char *rf_router_allow(const rf_router *r, const rf_route *route);
/* True when pattern compiles; *err describes the problem otherwise. */
bool rf_route_pattern_valid(const char *pattern, const char **err);
/* Add a route after the table's (the runtime's own: the schema route);
 * route must outlive the router.  false with *err when it does not compile. */
bool rf_router_append(rf_router *r, const rf_route *route, const char **err);

/* ---------------------------------------------------------------------
 * The per-process worker: one event loop, its pool, its databases.
 */
typedef struct rf_worker {
    const rf_app *app;
    const rf_config *cfg;
    struct event_base *base;
    rf_pool *pool;
    rf_db **dbs;                 /* [ndbs]; entries may be NULL */
    int ndbs;                    /* app->ndatabases (more in unit tests) */
    rf_throttle_store *throttle_store;
    rf_router *router;
    struct rf_schema_route *schema;  /* the OpenAPI route (schema_view.c) */

    /* Arenas of finished requests, reset and kept for the next ones so the
     * hot path does not malloc (see ctx.c). */
    rf_arena **spare_arenas;
    int nspare, spare_cap;

    unsigned live;               /* contexts not yet released */
    bool draining;               /* SIGTERM: finish in-flight, accept nothing */

    /* HTTP transport (http.c); NULL in unit tests. */
    struct rf_http *http;
} rf_worker;

/* Set up and tear down what every worker has: pool, throttle store,
 * router.  false with a message in err on failure (a bad route pattern). */
bool rf_worker_init(rf_worker *w, const rf_app *app, const rf_config *cfg,
                    struct event_base *base, char *err, size_t errlen);
/* Open the app's databases: cfg->db_urls[i], else the spec's default URL. */
bool rf_worker_open_dbs(rf_worker *w, char *err, size_t errlen);
/* Close the databases, the pool, the store; free the spare arenas. */
void rf_worker_fini(rf_worker *w);
/* The OpenAPI document's route (schema_view.c): added to the worker's
 * router when the app has a document; false with a message in err for a
 * --schema-path that does not compile.  uninstall frees it. */
typedef struct rf_schema_route rf_schema_route;
bool rf_schema_install(rf_worker *w, char *err, size_t errlen);
void rf_schema_uninstall(rf_worker *w);
/* The app's first DefaultRouter root route, or NULL (schema_view.c). */
const rf_route *rf_api_root_route(const rf_app *app);
/* The HTTP transport (http.c): accept connections on the listening socket
 * fd (which it closes when freed; -1: none) and hand their requests to
 * rf_dispatch. */
typedef struct rf_http rf_http;
rf_http *rf_http_new(rf_worker *w, int fd);
/* Serve one connected, non-blocking socket (tests, fuzzing); the
 * connections still open. */
void rf_http_serve_fd(rf_http *h, int fd);
int rf_http_connections(const rf_http *h);
/* Draining: accept no more connections. */
void rf_http_stop_accepting(rf_http *h);
/* Close every connection and the listening socket. */
void rf_http_free(rf_http *h);
/* Serve until SIGTERM/SIGINT (server.c); the process exit status. */
int rf_serve(const rf_app *app, const rf_config *cfg);

/* ---------------------------------------------------------------------
 * The request context.
 */
typedef struct rf_kv {
    const char *name, *value;
} rf_kv;

typedef struct rf_header {
    struct rf_header *next;
    const char *name, *value;
} rf_header;

/* A pending continuation of an RF_ASYNC hook: rf_resume pops the newest. */
typedef struct rf_frame {
    struct rf_frame *prev;
    rf_cont k;
} rf_frame;

typedef enum rf_body_state {
    RF_BODY_UNPARSED = 0, RF_BODY_PARSED, RF_BODY_FAILED
} rf_body_state;

typedef struct rf_sync_wait rf_sync_wait;

struct rf_ctx {
    rf_arena *arena;
    rf_worker *worker;
    const rf_app *app;

    /* Routing. */
    const rf_route *route;
    const rf_view *view;
    const rf_action *action;     /* NULL: the method is not handled (405) */
    rf_method method;            /* as received (HEAD stays HEAD);
                                    RF_METHOD_COUNT for TRACE and CONNECT,
                                    which no route maps (405) */
    const char *method_name;     /* "GET", ..., "TRACE" */
    const char *path;            /* decoded, leading slash */
    const char *raw_path;        /* as received, percent-encoded */
    const char *raw_query;       /* after '?', NULL when none */
    rf_kv *query;                /* parsed on first use */
    int nquery;
    bool query_parsed;
    rf_kv *kwargs;               /* URL captures */
    int nkwargs;

    /* Request head and body. */
    const rf_kv *headers;        /* in the order received */
    int nheaders;
    const char *peer;            /* REMOTE_ADDR */
    const char *body;
    size_t body_len;
    rf_body_state body_state;
    json_t *data;                /* parsed body; decref'd with the arena */
    int body_error_status;       /* RF_BODY_FAILED: the 415/400 to repeat */
    const char *body_error;

    /* Authentication. */
    rf_user user;
    bool has_user;
    const char *auth_token;
    bool auth_failed;            /* an authenticator raised: chain stops */

    /* Per-request values (rf_ctx_set_var), newest first. */
    rf_header *vars;

    /* Negotiation: the renderer chosen, the indent the accepted media type
     * asked for (0: compact), and a Content-Type that overrides the
     * renderer's (the APPEND_SLASH redirect's text/html). */
    const struct rf_renderer *renderer;
    int indent;
    const char *content_type;

    /* Response. */
    int status;                  /* 0: none set yet */
    rf_buf out;                  /* rf_ctx_body_buf */
    const char *resp_body;       /* what will be sent */
    size_t resp_len;
    bool resp_empty;             /* no body, no Content-Type (204) */
    rf_header *resp_headers;     /* in the order added */
    rf_header **resp_tail;
    bool finalized;
    bool redirect;               /* Django's APPEND_SLASH answer: it leaves
                                    before XFrameOptionsMiddleware */
    bool close_connection;       /* the request's framing was ambiguous */

    /* Errors raised by validate_<field>/validators hooks (rf_raise); the
     * validation pipeline reads and clears them. */
    rf_verrs *raised;

    /* Continuations. */
    rf_frame *frames;
    rf_sync_wait *sync_wait;     /* a pool thread waiting in rf_sync_call */
    int auth_index;              /* next authenticator to run */

    /* Transport. */
    struct rf_conn *conn;        /* http.c's connection */
    void (*send)(rf_ctx *ctx);   /* delivers the finalized response */
    uint64_t start_usec;
    void *transport;             /* testing.c's record of the outcome */
};

/* A context for a request of worker w, in an arena from w's spare list.
 * method/path/query are set by the caller. */
rf_ctx *rf_ctx_new(rf_worker *w);
/* Release the context and its arena (back to the worker's spares). */
void rf_ctx_release(rf_ctx *ctx);
/* Store a URL capture (router). */
void rf_ctx_add_kwarg(rf_ctx *ctx, const char *name, const char *value);
/* What the arena may still allocate before it is exhausted: SIZE_MAX
 * without a limit. */
size_t rf_arena_room(const rf_arena *a);

/* Percent-decode a path or a query component into the arena; invalid
 * UTF-8 becomes U+FFFD as Python's unquote(errors='replace').  plus: '+'
 * means a space (query strings and form bodies). */
char *rf_url_decode(rf_arena *a, const char *s, size_t n, bool plus);
/* Parse an application/x-www-form-urlencoded string as Django's QueryDict
 * (keys in first-seen order; a repeated key keeps its last value). */
int rf_parse_qs(rf_arena *a, const char *s, size_t n, rf_kv **out);
/* The JSON body parser (body.c), exposed for tests: NULL with *error set
 * to DRF's reason text (without the "JSON parse error - " prefix). */
json_t *rf_json_parse(rf_arena *a, const char *text, size_t n, const char **error);
/* All query parameters in order (repeats included), parsed on first use. */
int rf_ctx_query_params(rf_ctx *ctx, const rf_kv **out);
/* The throttle store of this worker. */
rf_throttle_store *rf_ctx_throttle_store(rf_ctx *ctx);
rf_pool *rf_ctx_pool(rf_ctx *ctx);
struct event_base *rf_ctx_base(rf_ctx *ctx);

/* The request method's name, TRACE and CONNECT included. */
const char *rf_ctx_method_name(const rf_ctx *ctx);

/* A cleanup that its registrant may cancel (arena.c): for a resource that
 * can be done with before the arena is (a database op that delivered its
 * answer).  The handle is valid until the cleanup ran or the arena was
 * reset or freed; cancelling it after that is a bug. */
typedef struct rf_cleanup rf_cleanup;
rf_cleanup *rf_arena_on_free_cancelable(rf_arena *a, void (*fn)(void *), void *arg);
void rf_cleanup_cancel(rf_cleanup *c);

/* Microseconds on the monotonic clock. */
uint64_t rf_now_usec(void);

/* ---------------------------------------------------------------------
 * Hooks (hooks.c): run a hook in its form.
 *
 * Returns RF_OK or RF_ERROR when the hook finished at once (k is not
 * called), or RF_PENDING: k(ctx, rc) runs later on the loop thread, exactly
 * once.  RF_SYNC runs on the loop; RF_BLOCKING on a pool thread (the loop
 * is free meanwhile and must not touch ctx); RF_ASYNC on the loop, and its
 * rf_resume() reaches k.
 */
rf_rc rf_run_hook_ctx(rf_ctx *ctx, const rf_hook *h, rf_cont k);
rf_rc rf_run_hook_obj(rf_ctx *ctx, const rf_hook *h, void *obj, rf_cont k);
rf_rc rf_run_hook_query(rf_ctx *ctx, const rf_hook *h, rf_query *q, rf_cont k);

/* Push/pop a continuation that rf_resume() will reach: for code that calls
 * a user's async function directly. */
void rf_push_cont(rf_ctx *ctx, rf_cont k);

/* The sync bridge: from a pool thread (a blocking hook), run an async
 * operation on the loop and wait for it.  start runs on the loop thread; it
 * returns RF_OK/RF_ERROR when done at once, or RF_PENDING and later calls
 * k(ctx, rc).  Blocks only the calling pool thread.  Called on the loop
 * thread it fails the request with 500 (a sync helper in a non-blocking
 * hook would stall every request). */
typedef rf_rc (*rf_async_start)(rf_ctx *ctx, void *arg, rf_cont k);
rf_rc rf_sync_call(rf_ctx *ctx, rf_async_start start, void *arg);
bool rf_on_pool_thread(void);

/* ---------------------------------------------------------------------
 * Dispatch (dispatch.c) and responses (response.c).
 */
/* Run the whole request life on a context whose method, path, query,
 * headers and body are set; ends in ctx->send(ctx). */
void rf_dispatch(rf_ctx *ctx);
/* Complete the response (status default, Content-Type, Allow, indent,
 * HEAD) and hand it to ctx->send.  Exactly once per request. */
void rf_finalize(rf_ctx *ctx);
/* Find a response header already set. */
const char *rf_ctx_response_header(const rf_ctx *ctx, const char *name);
/* A response body of preformatted JSON text (copied into the arena). */
rf_rc rf_respond_text(rf_ctx *ctx, int status, const char *json, size_t len);
/* Set an error with an already-rendered JSON body. */
rf_rc rf_error_json(rf_ctx *ctx, int status, const char *json);
/* HTTP reason phrase for a status ("Not Found"). */
const char *rf_status_reason(int status);

/* The action a route maps to a method (HEAD falls back to GET's). */
const rf_action *rf_route_action(const rf_route *r, rf_method m);
/* A renderer (negotiation.c).  Responses are rendered as compact JSON
 * first; finish turns that body into the renderer's bytes at finalize (the
 * JSON renderer indents; the browsable API, a later issue, will wrap the
 * JSON in its HTML page, as DRF's BrowsableAPIRenderer does). */
typedef struct rf_renderer {
    uint32_t bit;                      /* RF_RENDER_* */
    const char *media_type, *main, *sub;
    void (*finish)(rf_ctx *ctx);
    bool pages_empty;                  /* finish runs for empty bodies too
                                          (the browsable API's 204 page) */
} rf_renderer;
extern const rf_renderer rf_json_renderer;
extern const rf_renderer rf_browsable_renderer;   /* browsable.c */

/* Content negotiation: sets ctx->renderer and ctx->indent, or the 406
 * (404 for an unknown ?format=). */
rf_rc rf_negotiate(rf_ctx *ctx);
/* The API root view's body: {prefix: absolute list URL} (apiroot.c). */
rf_rc rf_api_root(rf_ctx *ctx);
/* OPTIONS without a user handler: SimpleMetadata (metadata.c).  May go
 * PENDING (permission checks for `actions`), then calls k. */
rf_rc rf_options_metadata(rf_ctx *ctx, rf_cont k);
/* DRF's view name for the context's route ("Products List"). */
const char *rf_view_name(rf_ctx *ctx);
/* Call fn, an async-shaped function (RF_PENDING then rf_resume), so that
 * its rf_resume reaches k.  Same contract as rf_run_hook_ctx. */
rf_rc rf_call_async(rf_ctx *ctx, rf_rc (*fn)(rf_ctx *), rf_cont k);

/* Access log line (log.c). */
void rf_access_log(const rf_ctx *ctx, size_t bytes);
/* The line of a request the transport refused before it became one: its
 * method and target when its head was read (NULL otherwise), no duration. */
void rf_access_log_refusal(const char *peer, const char *method, const char *target,
                           int status, size_t bytes);
void rf_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
