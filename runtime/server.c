/*
 * server.c: the per-process worker (loop, pool, databases, store, routes,
 * the HTTP transport of http.c), and the process model: one process per
 * --workers, each with its own loop, sharing the port through SO_REUSEPORT,
 * under a supervising parent.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

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
        int steps = w->cfg->sqlite_loop_steps;
        if (!w->dbs[i] || (steps != 0 && !rf_db_sqlite_reads_on_loop(w->dbs[i], steps < 0 ? 0 : steps,
                                                                      w->cfg->sqlite_loop_slow_steps,
                                                                      why, sizeof why))) {
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
    rf_worker *w = arg;
    if (w->draining)
        return;
    w->draining = true;
    rf_http_stop_accepting(w->http);
    if (w->live == 0)
        event_base_loopexit(w->base, NULL);
}

static void announce(const rf_app *app, const rf_config *cfg, int port);

static int serve_loop(rf_worker *w, int fd, int port, int index)
{
    w->http = rf_http_new(w, fd);
    struct event *term = evsignal_new(w->base, SIGTERM, on_stop_signal, w);
    struct event *intr = evsignal_new(w->base, SIGINT, on_stop_signal, w);
    event_add(term, NULL);
    event_add(intr, NULL);
    if (index == 0)
        announce(w->app, w->cfg, port);
    event_base_dispatch(w->base);
    event_free(term);
    event_free(intr);
    rf_http_free(w->http);
    w->http = NULL;
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
