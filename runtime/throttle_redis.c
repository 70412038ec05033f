/*
 * throttle_redis.c: the shared throttle store, on Redis.
 *
 * Several worker processes, on one machine or many, keep one sliding log
 * per key in Redis, so a limit holds for all of them together.  The log is
 * DRF's cache entry as a Redis list, newest first, and one Lua script does
 * what SimpleRateThrottle.allow_request and wait() do, atomically (Redis
 * runs a script alone): drop entries at or before now - duration, refuse
 * when the log is full (answering the wait), else push now and set the
 * key's expiry to the duration (DRF's cache.set(key, history, duration)).
 * The verdicts are exactly the in-process store's (throttle.c); the
 * ecosystem tests replay DRF's timelines against both.
 *
 * Times come from the server that asks (the wall clock, as DRF's
 * time.time()), so machines sharing a store need synchronised clocks, as
 * DRF's processes sharing a cache do.
 *
 * Each worker has one connection (hiredis' async API on the worker's
 * libevent loop): nothing blocks the loop.  The script is sent once per
 * connection (SCRIPT LOAD) and then called by its SHA1 (EVALSHA); should
 * Redis lose it (SCRIPT FLUSH), the call is repeated with EVAL.
 *
 * When Redis cannot answer (not connected, an error reply, or no reply
 * within the timeout) the throttled request fails with 503 "Service
 * temporarily unavailable.", as when a database is down: a limit that
 * silently stops holding would be worse than an outage the operator sees.
 * A lost connection is retried every second, so the store recovers by
 * itself once Redis is back.
 *
 * URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P&timeout=MS]
 * Port 6379 and database 0 by default.  Keys are PREFIX + DRF's cache key
 * ("throttle_user_7"), the prefix "restflow:<spec name>:" by default, so
 * that several APIs can share one Redis without sharing limits; servers of
 * one API share them.  timeout: milliseconds to wait for an answer
 * (default 1000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <hiredis/adapters/libevent.h>
#include <openssl/sha.h>

#include "internal.h"

#define REDIS_DEFAULT_PORT 6379
#define REDIS_DEFAULT_TIMEOUT_MS 1000
#define REDIS_RETRY_SECONDS 1

/* KEYS[1] the log; ARGV: num_requests, duration, now.  Returns "0" when
 * allowed (now recorded), else the wait, or "-1" for DRF's None.  Numbers
 * travel as "%.17g" text both ways so that no precision is lost. */
static const char allow_script[] =
    "local key = KEYS[1]\n"
    "local num = tonumber(ARGV[1])\n"
    "local duration = tonumber(ARGV[2])\n"
    "local now = tonumber(ARGV[3])\n"
    "while true do\n"
    "  local oldest = redis.call('LINDEX', key, -1)\n"
    "  if not oldest or tonumber(oldest) > now - duration then break end\n"
    "  redis.call('RPOP', key)\n"
    "end\n"
    "local len = redis.call('LLEN', key)\n"
    "if len >= num then\n"
    "  local remaining = duration\n"
    "  if len > 0 then\n"
    "    remaining = duration - (now - tonumber(redis.call('LINDEX', key, -1)))\n"
    "  end\n"
    "  local available = num - len + 1\n"
    "  if available <= 0 then return '-1' end\n"
    "  return string.format('%.17g', remaining / available)\n"
    "end\n"
    "redis.call('LPUSH', key, ARGV[3])\n"
    "redis.call('EXPIRE', key, duration)\n"
    "return '0'\n";

/* ---------------------------------------------------------------------
 * The URL.
 */
typedef struct redis_url {
    char host[256];
    int port, db, timeout_ms;
    char user[128], password[256];
    char prefix[256];
    bool has_prefix;
} redis_url;

static bool fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "bad throttle store URL: %s", what);
    return false;
}

static bool parse_int(const char *s, size_t n, long min, long max, int *out)
{
    char buf[16];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno || *end || v < min || v > max || buf[0] == '+' || buf[0] == '-')
        return false;
    *out = (int)v;
    return true;
}

/* Percent-decode s[0..n) into out; false when it does not fit. */
static bool decode_into(char *out, size_t cap, const char *s, size_t n)
{
    rf_arena *a = rf_arena_new(0);
    const char *d = rf_url_decode(a, s, n, false);
    bool fits = strlen(d) < cap;
    if (fits)
        strcpy(out, d);
    rf_arena_free(a);
    return fits;
}

static bool parse_userinfo(redis_url *u, const char *s, size_t n, char *err, size_t errlen)
{
    const char *colon = memchr(s, ':', n);
    size_t ulen = colon ? (size_t)(colon - s) : 0;
    const char *pw = colon ? colon + 1 : s;
    size_t pwlen = n - (size_t)(pw - s);
    if (!decode_into(u->user, sizeof u->user, s, ulen) ||
        !decode_into(u->password, sizeof u->password, pw, pwlen))
        return fail(err, errlen, "user or password too long");
    return true;
}

static bool parse_hostport(redis_url *u, const char *s, size_t n, char *err, size_t errlen)
{
    const char *host = s, *port = NULL;
    size_t hlen = n;
    if (n && s[0] == '[') {                        /* [v6]:port */
        const char *close = memchr(s, ']', n);
        if (!close)
            return fail(err, errlen, "unclosed '[' in the host");
        host = s + 1;
        hlen = (size_t)(close - host);
        if (close + 1 < s + n) {
            if (close[1] != ':')
                return fail(err, errlen, "junk after the host");
            port = close + 2;
        }
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon) {
            hlen = (size_t)(colon - s);
            port = colon + 1;
        }
    }
    if (hlen == 0 || hlen >= sizeof u->host)
        return fail(err, errlen, "no host");
    memcpy(u->host, host, hlen);
    u->host[hlen] = '\0';
    if (port && !parse_int(port, (size_t)(s + n - port), 1, 65535, &u->port))
        return fail(err, errlen, "the port is not a number from 1 to 65535");
    return true;
}

static bool parse_query(redis_url *u, const char *q, char *err, size_t errlen)
{
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        size_t klen = eq ? (size_t)(eq - q) : n;
        const char *v = eq ? eq + 1 : q + n;
        size_t vlen = (size_t)(q + n - v);
        if (klen == 6 && strncmp(q, "prefix", 6) == 0) {
            if (!decode_into(u->prefix, sizeof u->prefix, v, vlen))
                return fail(err, errlen, "prefix too long");
            u->has_prefix = true;
        } else if (klen == 7 && strncmp(q, "timeout", 7) == 0) {
            if (!parse_int(v, vlen, 1, 600000, &u->timeout_ms))
                return fail(err, errlen, "timeout is not a number of milliseconds");
        } else {
            return fail(err, errlen, "unknown parameter (prefix and timeout are known)");
        }
        q = amp ? amp + 1 : NULL;
    }
    return true;
}

static bool parse_url(redis_url *u, const char *url, char *err, size_t errlen)
{
    static const char scheme[] = "redis://";
    memset(u, 0, sizeof *u);
    u->port = REDIS_DEFAULT_PORT;
    u->timeout_ms = REDIS_DEFAULT_TIMEOUT_MS;
    if (!url || strncmp(url, scheme, sizeof scheme - 1) != 0)
        return fail(err, errlen, "it must start with redis://");
    const char *p = url + sizeof scheme - 1;
    const char *query = strchr(p, '?');
    size_t rest = query ? (size_t)(query - p) : strlen(p);
    const char *slash = memchr(p, '/', rest);
    size_t authority = slash ? (size_t)(slash - p) : rest;
    const char *at = NULL;
    for (size_t i = 0; i < authority; i++)
        if (p[i] == '@')
            at = p + i;                          /* the last '@' ends the userinfo */
    if (at && !parse_userinfo(u, p, (size_t)(at - p), err, errlen))
        return false;
    const char *hp = at ? at + 1 : p;
    if (!parse_hostport(u, hp, (size_t)(p + authority - hp), err, errlen))
        return false;
    if (slash) {
        size_t dlen = rest - authority - 1;
        if (dlen && !parse_int(slash + 1, dlen, 0, 100000, &u->db))
            return fail(err, errlen, "the database is not a number");
    }
    return parse_query(u, query ? query + 1 : NULL, err, errlen);
}

bool rf_throttle_store_url_check(const char *url, char *err, size_t errlen)
{
    redis_url u;
    return parse_url(&u, url, err, errlen);
}

/* ---------------------------------------------------------------------
 * The store and its connection.
 */
typedef struct redis_store {
    rf_throttle_store base;
    struct event_base *evbase;
    redis_url url;
    redisAsyncContext *ac;       /* NULL while disconnected */
    struct event *retry;         /* reconnects after a lost connection */
    char sha[2 * SHA_DIGEST_LENGTH + 1];
    bool closing;
} redis_store;

/* One question to Redis.  malloc'd, not in the request's arena: hiredis
 * calls back once for every command, even after the request gave up
 * waiting (timeout) and ended; the call is freed in that callback. */
typedef struct redis_call {
    redis_store *store;
    rf_ctx *ctx;                 /* NULL once abandoned */
    rf_throttle_cb cb;
    void *arg;
    struct event *timer;
    char *key;                   /* prefixed */
    char num[16], duration[16], now[32];
    bool retried;                /* sent again with EVAL after NOSCRIPT */
} redis_call;

static void connect_now(redis_store *s);

static void schedule_retry(redis_store *s)
{
    if (s->closing)
        return;
    struct timeval tv = { REDIS_RETRY_SECONDS, 0 };
    evtimer_add(s->retry, &tv);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    connect_now(arg);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    redis_store *s = ac->data;
    if (status == REDIS_OK)
        return;
    rf_log_error("throttle store: cannot connect to redis at %s:%d: %s",
                 s->url.host, s->url.port, ac->errstr);
    s->ac = NULL;                /* hiredis frees the context */
    schedule_retry(s);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    redis_store *s = ac->data;
    if (status != REDIS_OK)
        rf_log_error("throttle store: lost redis at %s:%d: %s", s->url.host, s->url.port,
                     ac->errstr);
    s->ac = NULL;
    schedule_retry(s);
}

/* Replies to the commands that set a connection up: only errors matter. */
static void on_setup_reply(redisAsyncContext *ac, void *reply, void *what)
{
    redisReply *r = reply;
    if (r && r->type == REDIS_REPLY_ERROR)
        rf_log_error("throttle store: redis %s failed: %s", (const char *)what, r->str);
    (void)ac;
}

static void connect_now(redis_store *s)
{
    redisAsyncContext *ac = redisAsyncConnect(s->url.host, s->url.port);
    if (!ac || ac->err) {
        rf_log_error("throttle store: cannot connect to redis at %s:%d: %s", s->url.host,
                     s->url.port, ac ? ac->errstr : "out of memory");
        if (ac)
            redisAsyncFree(ac);
        schedule_retry(s);
        return;
    }
    ac->data = s;
    redisLibeventAttach(ac, s->evbase);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    s->ac = ac;
    /* Queued now, sent in order once connected, before any EVALSHA. */
    if (s->url.user[0])
        redisAsyncCommand(ac, on_setup_reply, "AUTH", "AUTH %s %s", s->url.user,
                          s->url.password);
    else if (s->url.password[0])
        redisAsyncCommand(ac, on_setup_reply, "AUTH", "AUTH %s", s->url.password);
    if (s->url.db)
        redisAsyncCommand(ac, on_setup_reply, "SELECT", "SELECT %d", s->url.db);
    redisAsyncCommand(ac, on_setup_reply, "SCRIPT LOAD", "SCRIPT LOAD %s", allow_script);
}

static rf_rc unavailable(rf_ctx *ctx)
{
    return rf_error(ctx, 503, "Service temporarily unavailable.");
}

/* Give the request its answer (once); the call itself lives on until
 * hiredis has called back. */
static void answer(redis_call *c, bool ok, double wait)
{
    rf_ctx *ctx = c->ctx;
    if (!ctx)
        return;
    c->ctx = NULL;
    evtimer_del(c->timer);
    if (!ok)
        unavailable(ctx);
    c->cb(ctx, ok ? wait : 0, c->arg);
}

static void call_free(redis_call *c)
{
    event_free(c->timer);
    free(c->key);
    free(c);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    redis_call *c = arg;
    rf_log_error("throttle store: no answer from redis within %d ms", c->store->url.timeout_ms);
    answer(c, false, 0);
}

static void on_reply(redisAsyncContext *ac, void *reply, void *arg);

static int send_call(redisAsyncContext *ac, redis_call *c)
{
    if (c->retried)
        return redisAsyncCommand(ac, on_reply, c, "EVAL %s 1 %s %s %s %s", allow_script,
                                 c->key, c->num, c->duration, c->now);
    return redisAsyncCommand(ac, on_reply, c, "EVALSHA %s 1 %s %s %s %s", c->store->sha,
                             c->key, c->num, c->duration, c->now);
}

static void on_reply(redisAsyncContext *ac, void *reply, void *arg)
{
    redis_call *c = arg;
    redisReply *r = reply;
    if (r && r->type == REDIS_REPLY_ERROR && !c->retried && c->ctx &&
        strncmp(r->str, "NOSCRIPT", 8) == 0) {
        c->retried = true;
        if (send_call(ac, c) == REDIS_OK)
            return;
    }
    char *end = NULL;
    double wait = r && r->type == REDIS_REPLY_STRING ? strtod(r->str, &end) : 0;
    bool ok = end && end != r->str && *end == '\0';
    if (!ok && c->ctx)
        rf_log_error("throttle store: redis answered %s",
                     !r ? "nothing (connection lost)"
                        : r->type == REDIS_REPLY_ERROR ? r->str : "an unexpected reply");
    answer(c, ok, wait);
    call_free(c);
}

static rf_rc redis_allow(rf_throttle_store *base, rf_ctx *ctx, const char *key, int32_t num,
                         int32_t duration, double now, double *wait, rf_throttle_cb cb,
                         void *arg)
{
    redis_store *s = (redis_store *)base;
    *wait = 0;
    if (!s->ac)
        return unavailable(ctx);
    redis_call *c = calloc(1, sizeof *c);
    char *prefixed = malloc(strlen(s->url.prefix) + strlen(key) + 1);
    if (!c || !prefixed)
        abort();
    strcpy(stpcpy(prefixed, s->url.prefix), key);
    *c = (redis_call){ .store = s, .ctx = ctx, .cb = cb, .arg = arg, .key = prefixed,
                       .timer = evtimer_new(s->evbase, on_timeout, c) };
    snprintf(c->num, sizeof c->num, "%d", (int)num);
    snprintf(c->duration, sizeof c->duration, "%d", (int)duration);
    snprintf(c->now, sizeof c->now, "%.17g", now);
    if (send_call(s->ac, c) != REDIS_OK) {
        call_free(c);
        return unavailable(ctx);
    }
    struct timeval tv = { s->url.timeout_ms / 1000, (s->url.timeout_ms % 1000) * 1000 };
    evtimer_add(c->timer, &tv);
    return RF_PENDING;
}

static void redis_close(rf_throttle_store *base)
{
    redis_store *s = (redis_store *)base;
    s->closing = true;
    if (s->ac)
        redisAsyncFree(s->ac);   /* pending calls get their callback, NULL */
    event_free(s->retry);
    free(s);
}

static void script_sha(char out[2 * SHA_DIGEST_LENGTH + 1])
{
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)allow_script, sizeof allow_script - 1, digest);
    for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

rf_throttle_store *rf_throttle_store_redis(struct event_base *base, const char *url,
                                           const char *app_name, char *err, size_t errlen)
{
    redis_store *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    if (!parse_url(&s->url, url, err, errlen)) {
        free(s);
        return NULL;
    }
    if (!s->url.has_prefix)
        snprintf(s->url.prefix, sizeof s->url.prefix, "restflow:%s:", app_name);
    s->base.allow = redis_allow;
    s->base.close = redis_close;
    s->evbase = base;
    s->retry = evtimer_new(base, on_retry, s);
    script_sha(s->sha);
    connect_now(s);
    return &s->base;
}
