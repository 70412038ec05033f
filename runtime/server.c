/*
 * server.c: the per-process worker (loop, pool, databases, store, routes),
 * the HTTP transport on libevent's evhttp, and the process model: one
 * process per --workers, each with its own loop, sharing the port through
 * SO_REUSEPORT, under a supervising parent.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "internal.h"
#include "db_internal.h"
#include "manage.h"

bool rf_worker_init(rf_worker *w, const rf_app *app, const rf_config *cfg,
                    struct event_base *base, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->app = app;
    w->cfg = cfg;
    w->base = base;
    w->router = rf_router_new(app);
    if (!w->router) {
        snprintf(err, errlen, "the route table of %s is invalid", app->name);
        return false;
    }
    w->pool = rf_pool_new(base, cfg->threads);
    if (cfg && cfg->throttle_store) {
        w->throttle_store = rf_throttle_store_redis(base, cfg->throttle_store, app->name,
                                                    err, errlen);
        if (!w->throttle_store)
            return false;
    } else {
        w->throttle_store = app->throttle_store ? (rf_throttle_store *)app->throttle_store()
                                                : rf_throttle_store_memory();
    }
    if (!rf_schema_install(w, err, errlen))
        return false;
    w->ndbs = app->ndatabases;
    w->dbs = calloc((size_t)w->ndbs + 1, sizeof *w->dbs);
    return true;
}

bool rf_worker_open_dbs(rf_worker *w, char *err, size_t errlen)
{
    for (int i = 0; i < w->ndbs; i++) {
        const char *url = w->cfg->db_urls && w->cfg->db_urls[i] ? w->cfg->db_urls[i]
                                                                : w->app->databases[i].url;
        if (!url) {
            snprintf(err, errlen, "no URL for database \"%s\" (use --db %s=URL)",
                     w->app->databases[i].name, w->app->databases[i].name);
            return false;
        }
        char why[256];
        w->dbs[i] = rf_db_open(w->base, url, w->cfg->db_pool ? w->cfg->db_pool : w->cfg->threads,
                               why, sizeof why);
        if (!w->dbs[i] || (w->cfg->sqlite_reads_on_loop &&
                           !rf_db_sqlite_reads_on_loop(w->dbs[i], why, sizeof why))) {
            snprintf(err, errlen, "database \"%s\": %s", w->app->databases[i].name, why);
            return false;
        }
    }
    return true;
}

void rf_worker_fini(rf_worker *w)
{
    for (int i = 0; i < w->ndbs; i++)
        if (w->dbs[i])
            rf_db_close(w->dbs[i]);
    free(w->dbs);
    rf_pool_free(w->pool);
    if (w->throttle_store && w->throttle_store->close)
        w->throttle_store->close(w->throttle_store);
    rf_router_free(w->router);
    rf_schema_uninstall(w);
    for (int i = 0; i < w->nspare; i++)
        rf_arena_free(w->spare_arenas[i]);
    free(w->spare_arenas);
    memset(w, 0, sizeof *w);
}

/* ---------------------------------------------------------------------
 * HTTP transport: libevent's evhttp, one per worker process.
 *
 * A response's body goes to libevent by reference (no copy): the context,
 * and so its arena, lives until evhttp reports the response flushed
 * (on_complete) or its connection gone (on_connection_closed), whichever
 * comes first; that is also when the context counts as finished for a
 * graceful shutdown.
 */

/* Sent on every response, as Django's default middleware does
 * (SecurityMiddleware, XFrameOptionsMiddleware). */
static const char *const static_headers[][2] = {
    { "X-Content-Type-Options", "nosniff" },
    { "Referrer-Policy", "same-origin" },
    { "X-Frame-Options", "DENY" },
};

static const char *cached_date(rf_worker *w)
{
    time_t now = time(NULL);
    if (now != w->date_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(w->date, sizeof w->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        w->date_sec = now;
    }
    return w->date;
}

static void finished(rf_ctx *ctx)
{
    rf_worker *w = ctx->worker;
    rf_ctx_release(ctx);
    if (w->draining && w->live == 0)
        event_base_loopexit(w->base, NULL);
}

static void on_connection_closed(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    finished(arg);
}

static void on_complete(struct evhttp_request *req, void *arg)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    if (evcon)
        evhttp_connection_set_closecb(evcon, NULL, NULL);
    finished(arg);
}

static void add_response_headers(rf_ctx *ctx, struct evkeyvalq *out)
{
    rf_worker *w = ctx->worker;
    evhttp_add_header(out, "Date", cached_date(w));
    /* A redirect leaves before XFrameOptionsMiddleware in Django. */
    size_t nstatic = sizeof static_headers / sizeof static_headers[0] - ctx->redirect;
    for (size_t i = 0; i < nstatic; i++)
        evhttp_add_header(out, static_headers[i][0], static_headers[i][1]);
    for (const rf_header *h = ctx->resp_headers; h; h = h->next)
        evhttp_add_header(out, h->name, h->value);
    if (w->draining || ctx->close_connection)
        evhttp_add_header(out, "Connection", "close");
}

static void http_send(rf_ctx *ctx)
{
    rf_worker *w = ctx->worker;
    struct evhttp_request *req = ctx->req;
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    add_response_headers(ctx, out);
    size_t sent = 0;
    /* Set here rather than left to evhttp: HEAD announces the GET body's
     * length, and evhttp would send none for CONNECT. */
    if (ctx->status != 204 && ctx->status != 304) {
        char len[24];
        snprintf(len, sizeof len, "%zu", ctx->resp_len);
        evhttp_add_header(out, "Content-Length", len);
    }
    if (ctx->method != RF_HEAD && ctx->resp_len) {
        evbuffer_add_reference(w->reply, ctx->resp_body, ctx->resp_len, NULL, NULL);
        sent = ctx->resp_len;
    }
    if (w->cfg->access_log)
        rf_access_log(ctx, sent);
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    if (evcon) {
        evhttp_request_set_on_complete_cb(req, on_complete, ctx);
        evhttp_connection_set_closecb(evcon, on_connection_closed, ctx);
    }
    evhttp_send_reply(req, ctx->status, rf_status_reason(ctx->status), w->reply);
    evbuffer_drain(w->reply, evbuffer_get_length(w->reply));
    if (!evcon)
        finished(ctx);   /* evhttp freed the request at once */
}

/* evhttp admits only the methods configure_http allows.  TRACE and
 * CONNECT have no rf_method: no route maps them, so they get DRF's 405
 * after the checks. */
static void read_method(rf_ctx *ctx, struct evhttp_request *req)
{
    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_POST:    ctx->method = RF_POST; break;
    case EVHTTP_REQ_PUT:     ctx->method = RF_PUT; break;
    case EVHTTP_REQ_PATCH:   ctx->method = RF_PATCH; break;
    case EVHTTP_REQ_DELETE:  ctx->method = RF_DELETE; break;
    case EVHTTP_REQ_HEAD:    ctx->method = RF_HEAD; break;
    case EVHTTP_REQ_OPTIONS: ctx->method = RF_OPTIONS; break;
    case EVHTTP_REQ_TRACE:
        ctx->method = RF_METHOD_COUNT;
        ctx->method_name = "TRACE";
        break;
    case EVHTTP_REQ_CONNECT:
        ctx->method = RF_METHOD_COUNT;
        ctx->method_name = "CONNECT";
        break;
    default:                 ctx->method = RF_GET; break;
    }
}

static size_t head_size(struct evhttp_request *req)
{
    size_t n = strlen(evhttp_request_get_uri(req)) + 16;
    struct evkeyval *h;
    TAILQ_FOREACH(h, evhttp_request_get_input_headers(req), next)
        n += strlen(h->key) + strlen(h->value) + 4;
    return n;
}

/* evhttp parses a CONNECT target as host:port; DRF sees a path there. */
static void read_connect_target(rf_ctx *ctx, struct evhttp_request *req)
{
    const char *raw = evhttp_request_get_uri(req);
    const char *q = strchr(raw, '?');
    size_t n = q ? (size_t)(q - raw) : strlen(raw);
    ctx->raw_path = rf_strndup(ctx->arena, raw, n);
    ctx->path = rf_url_decode(ctx->arena, raw, n, false);
    ctx->raw_query = q ? rf_strdup(ctx->arena, q + 1) : NULL;
}

static void read_target(rf_ctx *ctx, struct evhttp_request *req)
{
    if (evhttp_request_get_command(req) == EVHTTP_REQ_CONNECT) {
        read_connect_target(ctx, req);
        return;
    }
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    if (!path || !*path)
        path = "/";
    ctx->raw_path = path;
    ctx->path = rf_url_decode(ctx->arena, path, strlen(path), false);
    ctx->raw_query = query;
}

static void read_peer(rf_ctx *ctx, struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    char *address = NULL;
    ev_uint16_t port;
    if (evcon)
        evhttp_connection_get_peer(evcon, &address, &port);
    ctx->peer = rf_strdup(ctx->arena, address ? address : "");
}

static void read_body(rf_ctx *ctx, struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    ctx->body_len = evbuffer_get_length(in);
    if (ctx->body_len)
        ctx->body = (const char *)evbuffer_pullup(in, -1);
}

/* Framing a front proxy could read otherwise than evhttp did (request
 * smuggling, RFC 9112 sections 5.1 and 6.3): answered and the connection
 * closed, so what follows on it is never read as a request.  evhttp itself
 * refuses Content-Length with Transfer-Encoding, a repeated
 * Transfer-Encoding and a Content-Length that is not a number. */
static bool digits_only(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

static const char *framing_error(const struct evkeyvalq *headers, int *status)
{
    const char *length = NULL;
    const struct evkeyval *h;
    *status = 400;
    TAILQ_FOREACH(h, headers, next) {
        if (strpbrk(h->key, " \t"))
            return "Malformed request: whitespace in a header name.";
        if (strcasecmp(h->key, "Content-Length") == 0) {
            if (!digits_only(h->value) || (length && strcmp(length, h->value) != 0))
                return "Malformed request: conflicting or invalid Content-Length.";
            length = h->value;
        } else if (strcasecmp(h->key, "Transfer-Encoding") == 0 &&
                   strcasecmp(h->value, "chunked") != 0) {
            *status = 501;
            return "Transfer codings other than chunked are not supported.";
        }
    }
    return NULL;
}

static void on_request(struct evhttp_request *req, void *arg)
{
    rf_worker *w = arg;
    rf_ctx *ctx = rf_ctx_new(w);
    ctx->req = req;
    ctx->send = http_send;
    ctx->headers = evhttp_request_get_input_headers(req);
    read_method(ctx, req);
    read_target(ctx, req);
    read_peer(ctx, req);
    int status;
    const char *framing = framing_error(ctx->headers, &status);
    if (framing || head_size(req) > w->cfg->max_header) {
        ctx->close_connection = framing != NULL;
        rf_error(ctx, framing ? status : 431,
                 framing ? framing : "Request header fields too large.");
        rf_finalize(ctx);
        return;
    }
    read_body(ctx, req);
    rf_dispatch(ctx);
}

/* ---------------------------------------------------------------------
 * Listening.  Every worker binds its own socket to the same address with
 * SO_REUSEPORT, so the kernel spreads connections over the workers.
 */
static int open_socket(const rf_config *cfg, int port, bool listening, bool reuseport,
                       char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *ai;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(cfg->host, service, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", cfg->host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || (listening && listen(fd, 1024) < 0)) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", cfg->host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);
}

/* ---------------------------------------------------------------------
 * One worker process.
 */
typedef struct serving {
    rf_worker *w;
    struct evhttp_bound_socket *bound;
} serving;

/* SIGTERM/SIGINT: stop accepting, let in-flight requests finish (their
 * responses carry Connection: close), then leave the loop. */
static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    serving *s = arg;
    if (s->w->draining)
        return;
    s->w->draining = true;
    evhttp_del_accept_socket(s->w->http, s->bound);
    if (s->w->live == 0)
        event_base_loopexit(s->w->base, NULL);
}

static void configure_http(struct evhttp *http, const rf_config *cfg, rf_worker *w)
{
    evhttp_set_gencb(http, on_request, w);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                               EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD |
                               EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
    evhttp_set_default_content_type(http, NULL);
    evhttp_set_max_body_size(http, (ev_ssize_t)cfg->max_body);
    /* Heads between max_header and this get our 431; beyond it libevent
     * stops reading (413, connection closed) so a flood is never buffered. */
    evhttp_set_max_headers_size(http, (ev_ssize_t)cfg->max_header * 4);
    evhttp_set_timeout(http, cfg->timeout);
}

static void announce(const rf_app *app, const rf_config *cfg, int port);

static int serve_loop(rf_worker *w, int fd, int port, int index)
{
    serving s = { .w = w };
    w->http = evhttp_new(w->base);
    w->reply = evbuffer_new();
    configure_http(w->http, w->cfg, w);
    s.bound = evhttp_accept_socket_with_handle(w->http, fd);
    struct event *term = evsignal_new(w->base, SIGTERM, on_stop_signal, &s);
    struct event *intr = evsignal_new(w->base, SIGINT, on_stop_signal, &s);
    event_add(term, NULL);
    event_add(intr, NULL);
    if (index == 0)
        announce(w->app, w->cfg, port);
    event_base_dispatch(w->base);
    event_free(term);
    event_free(intr);
    evhttp_free(w->http);
    evbuffer_free(w->reply);
    return 0;
}

/* The first worker announces the address once it listens and handles
 * SIGTERM, so that whoever reads the line can connect (and stop it) at once. */
static void announce(const rf_app *app, const rf_config *cfg, int port)
{
    fprintf(stderr, "%s: listening on http://%s:%d/ (%d worker%s, %d thread%s each)\n",
            app->name, cfg->host, port, cfg->workers, cfg->workers == 1 ? "" : "s",
            cfg->threads, cfg->threads == 1 ? "" : "s");
}

static int run_worker(const rf_app *app, const rf_config *cfg, int port, int index)
{
    char err[512];
    int fd = open_socket(cfg, port, true, true, err, sizeof err);
    if (fd < 0) {
        rf_log_error("%s", err);
        return 1;
    }
    struct event_base *base = event_base_new();
    event_base_priority_init(base, RF_EVENT_PRIORITIES);
    rf_worker w;
    int status = 1;
    if (!rf_worker_init(&w, app, cfg, base, err, sizeof err) ||
        !rf_worker_open_dbs(&w, err, sizeof err))
        rf_log_error("%s", err);
    else if (!cfg->migrate_in_worker || rf_manage_migrate_dbs(app, base, w.dbs) == 0)
        status = serve_loop(&w, fd, port, index);
    rf_worker_fini(&w);
    event_base_free(base);
    return status;
}

/* ---------------------------------------------------------------------
 * The supervisor: forks the workers, forwards SIGTERM/SIGINT, restarts a
 * worker that dies unexpectedly (at most one restart per second), and exits
 * 0 once every worker exited 0 after a stop signal.
 */
static volatile sig_atomic_t stop_requested;

static void note_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The child frees the supervisor's pid table: it never returns to it, and a
 * leak check of the worker would report it. */
static pid_t spawn(const rf_app *app, const rf_config *cfg, int port, int reserve_fd, int index,
                   pid_t *pids)
{
    pid_t pid = fork();
    if (pid == 0) {
        free(pids);
        close(reserve_fd);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        _exit(run_worker(app, cfg, port, index));
    }
    return pid;
}

static void forward_stop(const pid_t *pids, int n)
{
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
}

static int slot_of(const pid_t *pids, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (pids[i] == pid)
            return i;
    return -1;
}

static int supervise(const rf_app *app, const rf_config *cfg, int port, int reserve_fd)
{
    int n = cfg->workers, alive = 0, failed = 0;
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    struct sigaction sa = { .sa_handler = note_stop };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    for (int i = 0; i < n; i++)
        alive += (pids[i] = spawn(app, cfg, port, reserve_fd, i, pids)) > 0;
    bool forwarded = false;
    time_t last_restart = 0;
    while (alive > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (stop_requested && !forwarded) {
            forward_stop(pids, n);
            forwarded = true;
        }
        if (pid < 0)
            continue;   /* EINTR: the signal; forwarded above */
        int slot = slot_of(pids, n, pid);
        if (slot < 0)
            continue;
        bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        pids[slot] = 0;
        alive--;
        if (!stop_requested && time(NULL) != last_restart) {
            rf_log_error("worker %d exited (%s); restarting it", (int)pid,
                         WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "status");
            last_restart = time(NULL);
            alive += (pids[slot] = spawn(app, cfg, port, reserve_fd, -1, pids)) > 0;
        } else if (!clean) {
            failed++;
        }
    }
    free(pids);
    return failed ? 1 : 0;
}

int rf_serve(const rf_app *app, const rf_config *cfg)
{
    char err[512];
    signal(SIGPIPE, SIG_IGN);
    /* SO_REUSEPORT would let a second server bind a port this user already
     * serves, silently sharing its traffic: probe without it first. */
    if (cfg->port != 0) {
        int probe = open_socket(cfg, cfg->port, false, false, err, sizeof err);
        if (probe < 0) {
            rf_log_error("%s", err);
            return 1;
        }
        close(probe);
    }
    /* Reserve the port (bound, not listening: it takes no connections) so
     * that port 0 resolves once and every worker binds the same one. */
    int reserve = open_socket(cfg, cfg->port, false, true, err, sizeof err);
    if (reserve < 0) {
        rf_log_error("%s", err);
        return 1;
    }
    int port = bound_port(reserve);
    int status = cfg->workers <= 1 ? run_worker(app, cfg, port, 0)
                                   : supervise(app, cfg, port, reserve);
    close(reserve);
    return status;
}
