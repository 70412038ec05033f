/*
 * throttle.c: DRF's SimpleRateThrottle family over a sliding-log store.
 *
 * Per throttle, as DRF 3.14's allow_request: drop the log's entries at or
 * before now - duration; when the log holds num_requests entries the
 * request is refused and wait() is (duration - (now - oldest)) /
 * (num_requests - len + 1); otherwise now is recorded.  views.py's
 * check_throttles asks every throttle in order (none is skipped after a
 * refusal), so every throttle that allows records the request even when
 * another refuses it, and a refusing throttle records nothing.  The 429
 * carries the longest wait, ceil()ed: "Request was throttled. Expected
 * available in N seconds." ("1 second."), Retry-After: N; with no wait at
 * all (DRF's None) just "Request was throttled." and no Retry-After.
 *
 * Keys are DRF's cache keys, "throttle_<scope>_<ident>": the user's id, or
 * for anonymous requests get_ident() (X-Forwarded-For and NUM_PROXIES).
 * AnonRateThrottle skips authenticated users; ScopedRateThrottle applies
 * only to views with a throttle_scope, whose rate (DEFAULT_THROTTLE_RATES
 * [throttle_scope]) the compiler resolved into the rf_throttle it emits for
 * that view.
 *
 * The in-process store is exact under concurrency (one mutex around check
 * and record), but it is per process: with --workers N each worker counts
 * alone, so a limit holds per worker.  A shared store (Redis) behind the
 * same interface makes it global.
 *
 * Time is the wall clock (DRF's time.time()), so a shared store can
 * compare times across machines.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "policy_internal.h"
#include "serializer.h"

/* ---------------------------------------------------------------------
 * Rates.
 */

bool rf_throttle_parse_rate(const char *rate, int32_t *num, int32_t *duration)
{
    const char *slash = rate ? strchr(rate, '/') : NULL;
    if (!slash || strchr(slash + 1, '/'))
        return false;                      /* rate.split('/') into two */
    int64_t n;
    int overflow;
    rf_arena *scratch = rf_arena_new(0);
    bool ok = rf_py_int(scratch, rate, (size_t)(slash - rate), &n, &overflow);
    rf_arena_free(scratch);
    /* DRF would take a negative count (and throttle everything); restflow
     * refuses it as the typo it is. */
    if (!ok || overflow || n < 0 || n > INT32_MAX)
        return false;
    static const struct { char letter; int32_t seconds; } periods[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
    };
    for (size_t i = 0; i < sizeof periods / sizeof *periods; i++)
        if (slash[1] == periods[i].letter) {
            *num = (int32_t)n;
            *duration = periods[i].seconds;
            return true;
        }
    return false;
}

/* ---------------------------------------------------------------------
 * The in-process store: a hash table of logs.  A log is the list DRF keeps
 * in the cache, oldest first, and it expires as a cache entry does,
 * `duration` after its last write.  (Throttles sharing a scope share a key
 * and so a log, as in DRF, each trimming it by its own duration.)
 */
typedef struct log_entry {
    struct log_entry *next;
    char *key;
    uint64_t hash;
    double *times;         /* times[head .. head+len), oldest first */
    int32_t head, len, cap;
    double expires;        /* the cache timeout of the last write */
} log_entry;

typedef struct memory_store {
    rf_throttle_store base;
    pthread_mutex_t lock;
    log_entry **buckets;
    size_t nbuckets, nentries;
    uint64_t ops;          /* drives the sweep of expired logs */
} memory_store;

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603u;     /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void entry_free(log_entry *e)
{
    free(e->key);
    free(e->times);
    free(e);
}

static void grow_table(memory_store *m)
{
    size_t n = m->nbuckets ? m->nbuckets * 2 : 64;
    log_entry **b = calloc(n, sizeof *b);
    if (!b)
        abort();
    for (size_t i = 0; i < m->nbuckets; i++)
        for (log_entry *e = m->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
}

/* Drop the logs whose cache entry has expired; amortised over the calls. */
static void sweep(memory_store *m, double now)
{
    for (size_t i = 0; i < m->nbuckets; i++)
        for (log_entry **p = &m->buckets[i]; *p;) {
            log_entry *e = *p;
            if (e->expires <= now) {
                *p = e->next;
                entry_free(e);
                m->nentries--;
            } else {
                p = &e->next;
            }
        }
}

static log_entry *find_or_add(memory_store *m, const char *key)
{
    uint64_t h = hash_key(key);
    if (m->nbuckets)
        for (log_entry *e = m->buckets[h & (m->nbuckets - 1)]; e; e = e->next)
            if (e->hash == h && strcmp(e->key, key) == 0)
                return e;
    if (m->nentries >= m->nbuckets)
        grow_table(m);
    log_entry *e = calloc(1, sizeof *e);
    if (!e || !(e->key = strdup(key)))
        abort();
    e->hash = h;
    e->next = m->buckets[h & (m->nbuckets - 1)];
    m->buckets[h & (m->nbuckets - 1)] = e;
    m->nentries++;
    return e;
}

static void append(log_entry *e, double now)
{
    if (e->head + e->len == e->cap) {
        if (e->head) {
            memmove(e->times, e->times + e->head, sizeof *e->times * (size_t)e->len);
            e->head = 0;
        }
        if (e->len == e->cap) {
            e->cap = e->cap ? e->cap * 2 : 8;
            e->times = realloc(e->times, sizeof *e->times * (size_t)e->cap);
            if (!e->times)
                abort();
        }
    }
    e->times[e->head + e->len++] = now;
}

/* SimpleRateThrottle.allow_request and wait() on one log: 0 when allowed
 * (now recorded), else the wait, or -1 for DRF's None. */
static double log_allow(log_entry *e, int32_t num, int32_t duration, double now)
{
    if (e->expires <= now)
        e->len = e->head = 0;              /* cache.get: expired */
    while (e->len && e->times[e->head] <= now - duration) {
        e->head++;
        e->len--;
    }
    if (e->len >= num) {
        double remaining = e->len ? duration - (now - e->times[e->head]) : duration;
        int64_t available = (int64_t)num - e->len + 1;
        return available <= 0 ? -1 : remaining / (double)available;
    }
    append(e, now);
    e->expires = now + duration;           /* cache.set(key, history, duration) */
    return 0;
}

static rf_rc memory_allow(rf_throttle_store *s, rf_ctx *ctx, const char *key,
                          int32_t num, int32_t duration, double now, double *wait,
                          rf_throttle_cb cb, void *arg)
{
    (void)ctx, (void)cb, (void)arg;
    memory_store *m = (memory_store *)s;
    pthread_mutex_lock(&m->lock);
    if (++m->ops % 4096 == 0)
        sweep(m, now);
    *wait = log_allow(find_or_add(m, key), num, duration, now);
    pthread_mutex_unlock(&m->lock);
    return RF_OK;
}

static void memory_close(rf_throttle_store *s)
{
    memory_store *m = (memory_store *)s;
    for (size_t i = 0; i < m->nbuckets; i++)
        for (log_entry *e = m->buckets[i], *next; e; e = next) {
            next = e->next;
            entry_free(e);
        }
    free(m->buckets);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

rf_throttle_store *rf_throttle_store_memory(void)
{
    memory_store *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->base.allow = memory_allow;
    m->base.close = memory_close;
    pthread_mutex_init(&m->lock, NULL);
    return &m->base;
}

/* ---------------------------------------------------------------------
 * Identity: DRF's BaseThrottle.get_ident.
 */

const char *rf_throttle_ident(rf_arena *a, const char *xff, const char *remote,
                              int32_t num_proxies)
{
    remote = remote ? remote : "";
    if (num_proxies >= 0) {
        if (num_proxies == 0 || !xff)
            return remote;
        int n = 1;
        for (const char *p = xff; *p; p++)
            n += *p == ',';
        int want = n - (num_proxies < n ? num_proxies : n);   /* addrs[-min(...)] */
        const char *start = xff;
        for (int i = 0; i < want; i++)
            start = strchr(start, ',') + 1;
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        rf_py_strip(&start, &len);
        return rf_strndup(a, start, len);
    }
    if (!xff || !*xff)
        return remote;
    /* ''.join(xff.split()): every whitespace character removed. */
    size_t n = strlen(xff);
    char *out = rf_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = rf_space_at(xff + i, n - i);
        if (k)
            i += k;
        else
            out[o++] = xff[i++];
    }
    out[o] = '\0';
    return out;
}

/* ---------------------------------------------------------------------
 * Checking an action's throttles.
 */

static double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double (*rf_throttle_clock)(void) = wall_clock;

typedef struct throttle_run {
    rf_ctx *ctx;
    const rf_throttle *const *ts;
    int n, i;
    const char *view_scope;
    void (*k)(rf_ctx *, rf_rc);
    double now;
    bool refused;
    double longest;        /* the longest wait; < 0: none given */
} throttle_run;

/* The cache key of throttle t for this request, or NULL when t does not
 * apply (DRF's get_cache_key returning None, or no rate). */
static const char *cache_key(throttle_run *run, const rf_throttle *t)
{
    rf_ctx *ctx = run->ctx;
    const rf_user *user = rf_ctx_user(ctx);
    if (t->num_requests < 0)
        return NULL;                         /* rate None */
    const char *scope = t->scope;
    if (t->kind == RF_THROTTLE_SCOPED) {
        if (!run->view_scope || !*run->view_scope)
            return NULL;                     /* the view has no throttle_scope */
        scope = run->view_scope;
    } else if (t->kind == RF_THROTTLE_ANON && user) {
        return NULL;                         /* only anonymous requests */
    }
    if (!scope)
        scope = t->kind == RF_THROTTLE_ANON ? "anon" : "user";
    if (user && t->kind != RF_THROTTLE_ANON)
        return rf_sprintf(ctx->arena, "throttle_%s_%lld", scope, (long long)user->id);
    const rf_app *app = rf_ctx_app(ctx);
    const char *ident = rf_throttle_ident(ctx->arena, rf_ctx_header(ctx, "X-Forwarded-For"),
                                          ctx->peer, app ? app->num_proxies : -1);
    return rf_sprintf(ctx->arena, "throttle_%s_%s", scope, ident);
}

static void record_verdict(throttle_run *run, double wait)
{
    if (wait == 0)
        return;
    if (!run->refused || wait > run->longest)
        run->longest = wait;
    run->refused = true;
}

rf_rc rf_throttled(rf_ctx *ctx, double wait)
{
    if (wait < 0)
        return rf_error(ctx, 429, "Request was throttled.");
    long long seconds = (long long)ceil(wait);
    rf_error(ctx, 429, rf_sprintf(ctx->arena, "Request was throttled. Expected available "
                                              "in %lld second%s.",
                                  seconds, seconds == 1 ? "" : "s"));
    if (seconds)
        rf_ctx_add_header(ctx, "Retry-After", rf_sprintf(ctx->arena, "%lld", seconds));
    return RF_ERROR;
}

static void on_store_answer(rf_ctx *ctx, double wait, void *arg);

/* Ask the store for each remaining throttle, in order. */
static rf_rc run_throttles(throttle_run *run)
{
    rf_throttle_store *store = rf_ctx_throttle_store(run->ctx);
    for (; run->i < run->n; run->i++) {
        const rf_throttle *t = run->ts[run->i];
        const char *key = cache_key(run, t);
        if (!key)
            continue;
        double wait = 0;
        rf_rc rc = store->allow(store, run->ctx, key, t->num_requests, t->duration,
                                run->now, &wait, on_store_answer, run);
        if (rc == RF_PENDING)
            return RF_PENDING;
        if (rc == RF_ERROR)
            return RF_ERROR;
        record_verdict(run, wait);
    }
    return run->refused ? rf_throttled(run->ctx, run->longest) : RF_OK;
}

static void on_store_answer(rf_ctx *ctx, double wait, void *arg)
{
    throttle_run *run = arg;
    if (ctx->status) {                     /* the store failed (policy.h) */
        run->k(ctx, RF_ERROR);
        return;
    }
    record_verdict(run, wait);
    run->i++;
    rf_rc rc = run_throttles(run);
    if (rc != RF_PENDING)
        run->k(ctx, rc);
}

rf_rc rf_check_throttles(rf_ctx *ctx, const rf_throttle *const *ts, int n,
                         const char *view_scope, void (*k)(rf_ctx *, rf_rc))
{
    throttle_run *run = rf_calloc(ctx->arena, sizeof *run);
    run->ctx = ctx;
    run->ts = ts;
    run->n = n;
    run->view_scope = view_scope;
    run->k = k;
    run->now = rf_throttle_clock();
    run->longest = -1;
    return run_throttles(run);
}
