/*
 * main.c: rf_main, the generated server's entry point.
 *
 *   NAME-server [serve] [options]        serve the API (the default)
 *   NAME-server migrate [--db ...]       create missing tables
 *   NAME-server createuser USER --password P [--email E] [--staff]
 *   NAME-server createtoken USER [--key KEY]
 *
 * The management commands are the persistence area's (manage.h); this file
 * parses the command line and the environment (PORT, DATABASE_URL) and
 * calls them.  Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "manage.h"

#define MAX_DB_ARGS 32

typedef struct options {
    const char *command;          /* serve, migrate, createuser, createtoken */
    const char *user;             /* createuser / createtoken */
    const char *password, *email, *key;
    bool staff, migrate, help;
    bool listen_set, workers_set, threads_set;
    const char *db_args[MAX_DB_ARGS];
    int ndb_args;
    rf_config cfg;
    char host[256];
} options;

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
        "usage: %s [serve] [options]\n"
        "       %s migrate [--db URL]...\n"
        "       %s createuser USER --password PASSWORD [--email EMAIL] [--staff] [--db URL]...\n"
        "       %s createtoken USER [--key KEY] [--db URL]...\n"
        "\n"
        "serve options:\n"
        "  --listen HOST:PORT        address to listen on (default 127.0.0.1:8000;\n"
        "                            with $PORT set: 0.0.0.0:$PORT)\n"
        "  --workers N               processes sharing the port (default: one per\n"
        "                            usable CPU with PostgreSQL only, 1 with any SQLite\n"
        "                            database)\n"
        "  --threads N               worker pool threads per process, for blocking\n"
        "                            hooks, password hashing and SQLite (default:\n"
        "                            twice the CPUs, at least 4)\n"
        "  --max-body SIZE           largest request body (default 1M; 413 beyond)\n"
        "  --max-header SIZE         largest request head (default 8K; 431 beyond)\n"
        "  --max-request-memory SIZE memory one request may use (default 64M; 503 beyond)\n"
        "  --timeout SECONDS         read, write and keep-alive idle timeout (default 30)\n"
        "  --db URL | NAME=URL       a database URL (repeatable; default $DATABASE_URL,\n"
        "                            then the spec's): sqlite:PATH, sqlite::memory:,\n"
        "                            postgresql://...\n"
        "  --db-pool N               connections per database per process\n"
        "  --migrate                 create missing tables before serving\n"
        "  --sqlite-loop-read-steps N  SQLite's autocommit reads run on the event loop\n"
        "                            until they take N steps of SQLite's machine (default\n"
        "                            1000), then on a pool thread; 0: all on the pool\n"
        "                            (docs/persistence.md)\n"
        "  --sqlite-loop-slow-read-steps N  a read past that budget runs again on the\n"
        "                            loop, in a slow lane of N steps a pass (default\n"
        "                            50000 when the process may run on one CPU, else 0:\n"
        "                            on a pool thread)\n"
        "  --sqlite-reads-on-loop    every autocommit read on the loop, however long\n"
        "  --throttle-store URL      where throttles keep their counts: memory (the\n"
        "                            default, per process) or redis://[[USER]:PASSWORD@]\n"
        "                            HOST[:PORT][/DB][?prefix=P&timeout=MS], shared by\n"
        "                            every worker and machine using it\n"
        "  --schema-path PATH        where the OpenAPI document is served (default:\n"
        "                            the API root's path + schema/; none: nowhere)\n"
        "  --no-access-log           no per-request line on stderr\n"
        "  -h, --help                this text\n"
        "SIZE takes a K, M or G suffix (powers of 1024).\n"
        "exit status: 0 ok, 1 failure, 2 usage error.  manual: restflow-server(1)\n",
        prog, prog, prog, prog);
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return false;
    unsigned long long unit = 1;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': unit = 1ull << 10; break;
        case 'm': case 'M': unit = 1ull << 20; break;
        case 'g': case 'G': unit = 1ull << 30; break;
        default: return false;
        }
        if (end[1])
            return false;
    }
    if (v == 0 || v > (SIZE_MAX / unit))
        return false;
    *out = (size_t)(v * unit);
    return true;
}

/* HOST:PORT, :PORT, PORT or [V6]:PORT. */
static bool parse_listen(options *o, const char *s)
{
    const char *colon = strrchr(s, ':');
    const char *port = colon ? colon + 1 : s;
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
        s++;
        hlen -= 2;
    }
    long p;
    if (!parse_long(port, 0, 65535, &p) || hlen >= sizeof o->host)
        return false;
    memcpy(o->host, s, hlen);
    o->host[hlen] = '\0';
    o->cfg.host = hlen ? o->host : "0.0.0.0";
    o->cfg.port = (int)p;
    return true;
}

/* The CPUs this process may run on: a server started under taskset or in
 * a container's cpuset gets a worker per CPU it has, not per CPU of the
 * machine.  (A CPU quota without a cpuset is not seen here: set --workers.) */
static int ncpus(void)
{
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 0)
        return CPU_COUNT(&allowed);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* The slow lane's budget on one CPU (docs/persistence.md, "The slow
 * lane"): about a millisecond of SQLite's work on the bench's machine. */
#define SLOW_LANE_STEPS 50000

static void defaults(options *o)
{
    int cpus = ncpus();
    memset(o, 0, sizeof *o);
    o->command = "serve";
    o->cfg = (rf_config){
        .host = "127.0.0.1", .port = 8000, .workers = 1,
        .threads = cpus * 2 < 4 ? 4 : cpus * 2,
        .max_body = 1 << 20, .max_header = 8 << 10,
        .max_request_memory = 64 << 20, .timeout = 30, .access_log = true,
        .sqlite_loop_steps = 1000,
        .sqlite_loop_slow_steps = cpus == 1 ? SLOW_LANE_STEPS : 0,
    };
}

typedef enum { OPT_OK, OPT_BAD, OPT_UNKNOWN } opt_result;

/* "memory" is the default, named; anything else must be a Redis URL. */
static opt_result throttle_store_option(options *o, const char *url)
{
    char err[256];
    if (strcmp(url, "memory") == 0) {
        o->cfg.throttle_store = NULL;
        return OPT_OK;
    }
    if (!rf_throttle_store_url_check(url, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return OPT_BAD;
    }
    o->cfg.throttle_store = url;
    return OPT_OK;
}

/* Options that take a value. */
static opt_result value_option(options *o, const char *name, const char *v)
{
    long n;
    if (strcmp(name, "--listen") == 0)
        return (o->listen_set = parse_listen(o, v)) ? OPT_OK : OPT_BAD;
    if (strcmp(name, "--workers") == 0) {
        o->workers_set = true;
        return parse_long(v, 1, 1024, &n) ? (o->cfg.workers = (int)n, OPT_OK) : OPT_BAD;
    }
    if (strcmp(name, "--threads") == 0) {
        o->threads_set = true;
        return parse_long(v, 1, 1024, &n) ? (o->cfg.threads = (int)n, OPT_OK) : OPT_BAD;
    }
    if (strcmp(name, "--timeout") == 0)
        return parse_long(v, 1, 86400, &n) ? (o->cfg.timeout = (int)n, OPT_OK) : OPT_BAD;
    if (strcmp(name, "--sqlite-loop-read-steps") == 0)
        return parse_long(v, 0, 1000000000, &n) ? (o->cfg.sqlite_loop_steps = (int)n, OPT_OK)
                                                : OPT_BAD;
    if (strcmp(name, "--sqlite-loop-slow-read-steps") == 0)
        return parse_long(v, 0, 1000000000, &n) ? (o->cfg.sqlite_loop_slow_steps = (int)n, OPT_OK)
                                                : OPT_BAD;
    if (strcmp(name, "--db-pool") == 0)
        return parse_long(v, 1, 1024, &n) ? (o->cfg.db_pool = (int)n, OPT_OK) : OPT_BAD;
    if (strcmp(name, "--max-body") == 0)
        return parse_size(v, &o->cfg.max_body) ? OPT_OK : OPT_BAD;
    if (strcmp(name, "--max-header") == 0)
        return parse_size(v, &o->cfg.max_header) ? OPT_OK : OPT_BAD;
    if (strcmp(name, "--max-request-memory") == 0)
        return parse_size(v, &o->cfg.max_request_memory) ? OPT_OK : OPT_BAD;
    if (strcmp(name, "--db") == 0) {
        if (o->ndb_args == MAX_DB_ARGS)
            return OPT_BAD;
        o->db_args[o->ndb_args++] = v;
        return OPT_OK;
    }
    if (strcmp(name, "--throttle-store") == 0)
        return throttle_store_option(o, v);
    if (strcmp(name, "--schema-path") == 0)
        return *v ? (o->cfg.schema_path = v, OPT_OK) : OPT_BAD;
    if (strcmp(name, "--password") == 0)
        return o->password = v, OPT_OK;
    if (strcmp(name, "--email") == 0)
        return o->email = v, OPT_OK;
    if (strcmp(name, "--key") == 0)
        return o->key = v, OPT_OK;
    return OPT_UNKNOWN;
}

static opt_result flag_option(options *o, const char *name)
{
    if (strcmp(name, "--migrate") == 0)
        o->migrate = true;
    else if (strcmp(name, "--no-access-log") == 0)
        o->cfg.access_log = false;
    else if (strcmp(name, "--sqlite-reads-on-loop") == 0)
        o->cfg.sqlite_loop_steps = -1;
    else if (strcmp(name, "--staff") == 0)
        o->staff = true;
    else if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
        o->help = true;
    else
        return OPT_UNKNOWN;
    return OPT_OK;
}

static bool positional(options *o, const char *arg, int index)
{
    static const char *const commands[] = { "serve", "migrate", "createuser", "createtoken" };
    if (index == 0) {
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(arg, commands[i]) == 0) {
                o->command = commands[i];
                return true;
            }
        return false;
    }
    if (index == 1 && !o->user && strncmp(o->command, "create", 6) == 0) {
        o->user = arg;
        return true;
    }
    return false;
}

static bool parse_args(options *o, int argc, char **argv, const char *prog)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char name[64];
        const char *eq = strchr(a, '=');
        if (a[0] != '-') {
            if (!positional(o, a, npos++)) {
                fprintf(stderr, "%s: unexpected argument '%s'\n", prog, a);
                return false;
            }
            continue;
        }
        if (flag_option(o, a) == OPT_OK)
            continue;
        /* --name=value or --name value */
        size_t nlen = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
        snprintf(name, sizeof name, "%.*s", (int)nlen, a);
        const char *v = eq && a[1] == '-' ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        opt_result r = v ? value_option(o, name, v) : OPT_BAD;
        if (r == OPT_UNKNOWN) {
            fprintf(stderr, "%s: unknown option '%s'\n", prog, name);
            return false;
        }
        if (r == OPT_BAD) {
            fprintf(stderr, "%s: bad or missing value for %s\n", prog, name);
            return false;
        }
    }
    return true;
}

/* $PORT, as platforms that set it expect: every interface, that port. */
static bool apply_environment(options *o, const char *prog)
{
    const char *port = getenv("PORT");
    long p;
    if (!port || !*port || o->listen_set)
        return true;
    if (!parse_long(port, 0, 65535, &p)) {
        fprintf(stderr, "%s: bad PORT in the environment: '%s'\n", prog, port);
        return false;
    }
    o->cfg.host = "0.0.0.0";
    o->cfg.port = (int)p;
    return true;
}

static bool any_url(const char *const *urls, int n, const char *prefix)
{
    for (int i = 0; i < n; i++)
        if (strncmp(urls[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

/* Workers default to one per CPU when every database is PostgreSQL, and
 * to one otherwise: SQLite serialises writers on one file anyway, an
 * in-memory database cannot be shared between processes, and one process
 * keeps the in-process throttle counts exact. */
static int serve(const rf_app *app, options *o, const char *const *urls)
{
    int n = app->ndatabases;
    if (!o->workers_set)
        o->cfg.workers = n > 0 && !any_url(urls, n, "sqlite:") ? ncpus() : 1;
    o->cfg.db_urls = urls;
    /* An in-memory database exists only inside the worker that opens it. */
    o->cfg.migrate_in_worker = o->migrate && any_url(urls, n, "sqlite::memory:");
    if (o->migrate && !o->cfg.migrate_in_worker && rf_manage_migrate(app, urls) != 0)
        return 1;
    return rf_serve(app, &o->cfg);
}

static int run_command(const rf_app *app, options *o, const char *const *urls, const char *prog)
{
    if (strcmp(o->command, "serve") == 0)
        return serve(app, o, urls);
    if (strcmp(o->command, "migrate") == 0)
        return rf_manage_migrate(app, urls);
    if (!o->user) {
        fprintf(stderr, "%s: %s needs a user name\n", prog, o->command);
        return 2;
    }
    if (strcmp(o->command, "createtoken") == 0)
        return rf_manage_createtoken(app, urls, o->user, o->key);
    if (!o->password) {
        fprintf(stderr, "%s: createuser needs --password\n", prog);
        return 2;
    }
    return rf_manage_createuser(app, urls, o->user, o->password, o->email, o->staff);
}

int rf_main(const rf_app *app, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : app->name;
    if (app->abi != RF_ABI_VERSION) {
        fprintf(stderr, "%s: built for runtime ABI %d, this runtime is %d: regenerate\n",
                prog, app->abi, RF_ABI_VERSION);
        return 2;
    }
    options o;
    defaults(&o);
    if (!parse_args(&o, argc, argv, prog) || !apply_environment(&o, prog)) {
        usage(stderr, prog);
        return 2;
    }
    if (o.help) {
        usage(stdout, prog);
        return 0;
    }
    const char *urls[app->ndatabases + 1];
    char err[512];
    if (!rf_manage_resolve_urls(app, o.db_args, o.ndb_args, urls, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 2;
    }
    return run_command(app, &o, urls, prog);
}
