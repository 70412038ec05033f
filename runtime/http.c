/*
 * http.c: the HTTP/1.1 transport.  Connections are accepted and read on the
 * worker's libevent loop; the request head and body are parsed by
 * Debian's http_parser (nodejs/http-parser 2.9, the parser Node.js used for
 * a decade); responses are written with one writev.
 *
 * It replaced libevent's evhttp, whose per-request cost (a header list of
 * malloc'd strings both ways, a parsed URI, a bufferevent re-armed after
 * every read and write) was most of a retrieve's (bench/README.md).
 *
 * The life of a connection:
 *   reading: bytes are read into the transport's one read buffer and fed
 *     to the parser at once.  The parts of the head are copied into the
 *     connection's head buffer, the body into its body buffer.  When a
 *     request is complete the parser is paused: what follows it (a
 *     pipelined request) waits in `pending`.
 *   in flight: the context is dispatched.  The read event stays armed (no
 *     system call per request); what arrives meanwhile joins `pending`.
 *   writing: the finalized response is written (head and body in one
 *     writev), the rest when the socket takes it.  Once all is written the
 *     context is released and `pending` is parsed, on the next loop pass
 *     (a long pipeline does not recurse).
 * The connection closes after a response when either side asked, on a
 * framing the server refuses, when draining, and on the timeout (idle
 * keep-alive, a slow head or body, a client that does not read).
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <http_parser.h>

#include "internal.h"

/* After a refusal, what the client still sends is read and dropped for at
 * most this long before the connection closes (see linger()). */
#define LINGER_USEC 2000000u
/* Bytes read at a time; also the most a pipeline may queue per pass. */
#define READ_CHUNK 65536
/* A client pipelining more than this behind a request in flight is not
 * read until that request is answered. */
#define PENDING_CAP (1u << 20)
/* A body buffer grown past this is given back after its request. */
#define BODY_KEEP (256u << 10)

typedef struct rf_conn rf_conn;

/* A part of the head in the connection's head buffer: the URL, then
 * header names and values alternately, each NUL-terminated. */
typedef struct head_part {
    uint32_t off, len;
} head_part;

enum part_kind { PART_NONE, PART_URL, PART_NAME, PART_VALUE };

struct rf_http {
    rf_worker *w;
    struct evconnlistener *listener;
    rf_conn *conns;              /* every open connection */
    http_parser_settings settings;
    struct timeval timeout;
    char rbuf[READ_CHUNK];
    /* "Date: ...\r\n" and the static headers, formatted once a second. */
    time_t block_sec;
    char block[256];
    size_t block_len, block_len_no_frame;
};

struct rf_conn {
    rf_http *http;
    rf_conn *prev, *next;
    int fd;
    struct event *read_ev, *write_ev;
    http_parser parser;
    char peer[INET6_ADDRSTRLEN];

    /* The request being read. */
    rf_buf head;                 /* its parts, NUL-terminated */
    head_part *parts;
    int nparts, parts_cap;
    enum part_kind last_part;
    unsigned blank;              /* CR/LF bytes before its request line */
    bool started;                /* a byte of its request line arrived */
    bool complete;               /* parsed whole; the parser is paused */
    rf_buf body;
    int refuse_status;           /* set by a callback refusing the request */
    const char *refuse_detail;

    /* Bytes after a complete request (pipelined), parsed once it is answered. */
    char *pending;
    size_t pending_len, pending_cap;

    /* The response being written. */
    rf_ctx *ctx;                 /* NULL for the transport's own refusals */
    rf_buf out;                  /* the head (and body) of a refusal */
    struct iovec iov[2];
    int niov;
    bool writing;
    bool write_failed;
    bool close_after;
    bool linger;                 /* a refusal: the client may still be sending */
    uint64_t linger_until;       /* rf_now_usec() deadline while lingering */
};

static void conn_close(rf_conn *c);
static void parse_pending(rf_conn *c);
static void linger(rf_conn *c);

/* ---------------------------------------------------------------------
 * The response head.
 *
 * Sent on every response, as Django's default middleware does
 * (SecurityMiddleware, XFrameOptionsMiddleware).  X-Frame-Options comes
 * last: a redirect leaves before XFrameOptionsMiddleware in Django, and
 * sends the block without it.
 */
static void format_block(rf_http *h)
{
    time_t now = time(NULL);
    if (now == h->block_sec)
        return;
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t n = strftime(h->block, sizeof h->block,
                        "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    static const char common[] = "X-Content-Type-Options: nosniff\r\n"
                                 "Referrer-Policy: same-origin\r\n";
    static const char frame[] = "X-Frame-Options: DENY\r\n";
    memcpy(h->block + n, common, sizeof common - 1);
    h->block_len_no_frame = n + sizeof common - 1;
    memcpy(h->block + h->block_len_no_frame, frame, sizeof frame - 1);
    h->block_len = h->block_len_no_frame + sizeof frame - 1;
    h->block_sec = now;
}

/* The head is written without printf: it is on every response. */
static void put_status_line(rf_buf *b, const http_parser *p, int status)
{
    bool http10 = p->http_major == 1 && p->http_minor == 0;
    rf_buf_puts(b, http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    rf_json_i64(b, status);
    rf_buf_putc(b, ' ');
    rf_buf_puts(b, rf_status_reason(status));
    rf_buf_lit(b, "\r\n");
}

/* Connection: as evhttp said it, which is what clients expect: close when
 * the connection ends after this response, keep-alive for an HTTP/1.0
 * client that asked to keep it. */
static void put_connection(rf_buf *b, const rf_conn *c)
{
    if (c->close_after)
        rf_buf_lit(b, "Connection: close\r\n");
    else if (c->parser.http_minor == 0)
        rf_buf_lit(b, "Connection: keep-alive\r\n");
}

static void put_length(rf_buf *b, size_t len)
{
    rf_buf_lit(b, "Content-Length: ");
    rf_json_i64(b, (int64_t)len);
    rf_buf_lit(b, "\r\n");
}

static void build_head(rf_conn *c, rf_ctx *ctx, rf_buf *b)
{
    rf_http *h = c->http;
    format_block(h);
    put_status_line(b, &c->parser, ctx->status);
    rf_buf_append(b, h->block, ctx->redirect ? h->block_len_no_frame : h->block_len);
    for (const rf_header *hd = ctx->resp_headers; hd; hd = hd->next) {
        rf_buf_puts(b, hd->name);
        rf_buf_lit(b, ": ");
        rf_buf_puts(b, hd->value);
        rf_buf_lit(b, "\r\n");
    }
    /* Set for HEAD too: it announces the GET body's length. */
    if (ctx->status != 204 && ctx->status != 304)
        put_length(b, ctx->resp_len);
    put_connection(b, c);
    rf_buf_lit(b, "\r\n");
}

/* ---------------------------------------------------------------------
 * Writing.
 */
static void response_written(rf_conn *c)
{
    rf_ctx *ctx = c->ctx;
    rf_worker *w = c->http->w;
    c->ctx = NULL;
    c->writing = false;
    bool close = c->close_after;
    if (ctx)
        rf_ctx_release(ctx);
    if (close && c->linger)
        linger(c);
    else if (close)
        conn_close(c);
    else
        parse_pending(c);
    if (ctx && w->draining && w->live == 0)
        event_base_loopexit(w->base, NULL);
}

/* Drop n written bytes from the front of what is left to write. */
static void advance(rf_conn *c, size_t n)
{
    while (c->niov) {
        struct iovec *v = &c->iov[2 - c->niov];
        if (n < v->iov_len) {
            v->iov_base = (char *)v->iov_base + n;   /* NULL when empty: untouched */
            v->iov_len -= n;
            return;
        }
        n -= v->iov_len;
        c->niov--;
    }
}

/* Write what the socket takes: true when all is written or the connection
 * failed (c->write_failed), false when the rest waits for the socket. */
static bool write_some(rf_conn *c)
{
    advance(c, 0);
    while (c->niov) {
        ssize_t n = writev(c->fd, c->iov + 2 - c->niov, c->niov);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return false;
        if (n < 0) {
            c->write_failed = true;
            return true;
        }
        advance(c, (size_t)n);
    }
    return true;
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    rf_conn *c = arg;
    /* A timeout is a client that does not read its answer. */
    if (c->write_failed || (what & EV_TIMEOUT)) {
        conn_close(c);
        return;
    }
    if (!write_some(c)) {
        event_add(c->write_ev, &c->http->timeout);
        return;
    }
    event_del(c->write_ev);
    if (c->write_failed)
        conn_close(c);
    else
        response_written(c);
}

/* Start writing head and body.  The context is released (and a failed
 * connection closed) on a later pass of the loop even when everything was
 * written at once: whoever called rf_finalize may still hold it. */
static void start_write(rf_conn *c, const char *head, size_t head_len,
                        const char *body, size_t body_len)
{
    c->iov[0] = (struct iovec){ (void *)head, head_len };
    c->iov[1] = (struct iovec){ (void *)body, body_len };
    c->niov = 2;
    c->writing = true;
    if (write_some(c))
        event_active(c->write_ev, EV_WRITE, 1);
    else
        event_add(c->write_ev, &c->http->timeout);
}

/* ctx->send: the finalized response. */
static void http_send(rf_ctx *ctx)
{
    rf_conn *c = ctx->conn;
    rf_worker *w = c->http->w;
    if (w->draining || ctx->close_connection)
        c->close_after = true;
    rf_buf head;
    rf_buf_init(&head, ctx->arena, 512);
    build_head(c, ctx, &head);
    size_t sent = ctx->method != RF_HEAD ? ctx->resp_len : 0;
    if (w->cfg->access_log)
        rf_access_log(ctx, sent);
    start_write(c, head.data, head.len, ctx->resp_body, sent);
}

/* The transport's own answer to a request it cannot hand over (malformed,
 * a body over the limit): JSON as every other error, then close. */
static void refuse(rf_conn *c, int status, const char *detail)
{
    format_block(c->http);
    c->close_after = true;
    c->linger = true;
    rf_buf *b = &c->out;
    b->len = 0;
    char body[128];
    int n = snprintf(body, sizeof body, "{\"detail\":\"%s\"}", detail);
    put_status_line(b, &c->parser, status);
    rf_buf_append(b, c->http->block, c->http->block_len);
    rf_buf_lit(b, "Content-Type: application/json\r\n");
    put_length(b, (size_t)n);
    put_connection(b, c);
    rf_buf_lit(b, "\r\n");
    rf_buf_append(b, body, (size_t)n);
    if (c->http->w->cfg->access_log) {
        bool head_read = c->nparts && c->last_part == PART_NONE;
        rf_access_log_refusal(c->peer, head_read ? http_method_str(c->parser.method) : NULL,
                              head_read ? c->head.data : NULL, status, (size_t)n);
    }
    event_del(c->read_ev);
    start_write(c, b->data, b->len, NULL, 0);
}

/* ---------------------------------------------------------------------
 * Handing a complete request to the dispatcher.
 */
static const char *part(const rf_conn *c, int i)
{
    return c->head.data + c->parts[i].off;
}

static void read_method(rf_ctx *ctx, enum http_method m)
{
    switch (m) {
    case HTTP_GET:     ctx->method = RF_GET; break;
    case HTTP_POST:    ctx->method = RF_POST; break;
    case HTTP_PUT:     ctx->method = RF_PUT; break;
    case HTTP_PATCH:   ctx->method = RF_PATCH; break;
    case HTTP_DELETE:  ctx->method = RF_DELETE; break;
    case HTTP_HEAD:    ctx->method = RF_HEAD; break;
    case HTTP_OPTIONS: ctx->method = RF_OPTIONS; break;
    default:
        /* TRACE, CONNECT, PROPFIND...: no rf_method, so no route maps
         * them and they get DRF's 405 after the checks, as in DRF. */
        ctx->method = RF_METHOD_COUNT;
        ctx->method_name = http_method_str(m);
        break;
    }
}

/* The path and query of the request target.  An absolute form
 * ("http://host/path?q") gives its path; CONNECT's authority form is a
 * path to DRF; a fragment is not part of either. */
static void read_target(rf_ctx *ctx, const char *url, size_t len, bool connect)
{
    const char *path = url;
    if (!connect && *url != '/' && *url != '*') {
        struct http_parser_url u;
        http_parser_url_init(&u);
        if (http_parser_parse_url(url, len, 0, &u) == 0 && (u.field_set & (1 << UF_PATH))) {
            path = url + u.field_data[UF_PATH].off;
            len -= u.field_data[UF_PATH].off;
        } else {
            path = "/";
            len = 1;
        }
    }
    const char *hash = connect ? NULL : memchr(path, '#', len);
    if (hash)
        len = (size_t)(hash - path);
    const char *q = memchr(path, '?', len);
    size_t plen = q ? (size_t)(q - path) : len;
    ctx->raw_path = rf_strndup(ctx->arena, path, plen);
    ctx->path = rf_url_decode(ctx->arena, path, plen, false);
    ctx->raw_query = q ? rf_strndup(ctx->arena, q + 1, len - plen - 1) : NULL;
}

/* The names and values stay in the connection's head buffer, as the body
 * stays in its body buffer: neither is touched again until the context is
 * released (reset_request runs after the response). */
static void read_headers(rf_ctx *ctx, const rf_conn *c)
{
    int n = (c->nparts - 1) / 2;
    rf_kv *kv = rf_alloc(ctx->arena, (size_t)(n ? n : 1) * sizeof *kv);
    for (int i = 0; i < n; i++) {
        kv[i].name = part(c, 1 + 2 * i);
        kv[i].value = part(c, 2 + 2 * i);
    }
    ctx->headers = kv;
    ctx->nheaders = n;
}

/* As evhttp counted it, so that --max-header means what it meant. */
static size_t head_size(const rf_conn *c)
{
    size_t n = c->parts[0].len + 16;
    for (int i = 1; i < c->nparts; i++)
        n += c->parts[i].len + 2;
    return n;
}

/* Framing a front proxy could read otherwise than this server (request
 * smuggling, RFC 9112 sections 5.1 and 6.3) is answered and the connection
 * closed, so what follows on it is never read as a request.  The parser
 * refuses a Content-Length that repeats or is not a number, Content-Length
 * with Transfer-Encoding and a last coding other than chunked
 * (malformed_detail); add_part, whitespace in a header name.  What is left
 * is a coding before chunked ("gzip, chunked"), which is not supported. */
static bool unsupported_coding(const rf_ctx *ctx)
{
    for (int i = 0; i < ctx->nheaders; i++)
        if (strcasecmp(ctx->headers[i].name, "Transfer-Encoding") == 0 &&
            strcasecmp(ctx->headers[i].value, "chunked") != 0)
            return true;
    return false;
}

static void dispatch(rf_conn *c)
{
    rf_http *h = c->http;
    rf_ctx *ctx = rf_ctx_new(h->w);
    c->ctx = ctx;
    c->close_after = !http_should_keep_alive(&c->parser) || c->parser.upgrade;
    ctx->conn = c;
    ctx->send = http_send;
    bool connect = c->parser.method == HTTP_CONNECT;
    read_method(ctx, c->parser.method);
    read_target(ctx, part(c, 0), c->parts[0].len, connect);
    read_headers(ctx, c);
    ctx->peer = c->peer;
    if (unsupported_coding(ctx)) {
        ctx->close_connection = true;
        rf_error(ctx, 501, "Transfer codings other than chunked are not supported.");
        rf_finalize(ctx);
        return;
    }
    if (head_size(c) > h->w->cfg->max_header) {
        rf_error(ctx, 431, "Request header fields too large.");
        rf_finalize(ctx);
        return;
    }
    ctx->body = c->body.len ? c->body.data : NULL;
    ctx->body_len = c->body.len;
    rf_dispatch(ctx);
}

/* ---------------------------------------------------------------------
 * Parsing (http_parser's callbacks).
 */
static rf_conn *conn_of(http_parser *p)
{
    return p->data;
}

static int refuse_from_parser(rf_conn *c, int status, const char *detail)
{
    c->refuse_status = status;
    c->refuse_detail = detail;
    return -1;
}

/* http_parser takes "Transfer-Encoding : chunked" for the coding, where a
 * proxy in front may not (RFC 9112 section 5.1: refuse it). */
static bool name_has_space(const rf_conn *c)
{
    const head_part *name = &c->parts[c->nparts - 1];
    const char *s = c->head.data + name->off;
    return memchr(s, ' ', name->len) || memchr(s, '\t', name->len);
}

/* The part being read is complete: NUL-terminated, and a value without
 * the whitespace that may end it (RFC 9110 section 5.5: not part of the
 * value; http_parser leaves it there). */
static void end_part(rf_conn *c)
{
    if (c->last_part == PART_VALUE) {
        head_part *value = &c->parts[c->nparts - 1];
        while (value->len && (c->head.data[c->head.len - 1] == ' ' ||
                              c->head.data[c->head.len - 1] == '\t')) {
            value->len--;
            c->head.len--;
        }
    }
    rf_buf_putc(&c->head, '\0');
    c->last_part = PART_NONE;
}

/* Append a piece of the head: a continuation of the part before, or the
 * start of a new one. */
static int add_part(http_parser *p, enum part_kind kind, const char *at, size_t len)
{
    rf_conn *c = conn_of(p);
    if (kind == PART_VALUE && c->last_part == PART_NAME && name_has_space(c))
        return refuse_from_parser(c, 400, "Malformed request: whitespace in a header name.");
    if (kind != c->last_part) {
        if (c->last_part != PART_NONE)
            end_part(c);
        if (c->nparts == c->parts_cap) {
            c->parts_cap = c->parts_cap ? 2 * c->parts_cap : 32;
            c->parts = realloc(c->parts, (size_t)c->parts_cap * sizeof *c->parts);
        }
        c->parts[c->nparts++] = (head_part){ (uint32_t)c->head.len, 0 };
        c->last_part = kind;
    }
    rf_buf_append(&c->head, at, len);
    c->parts[c->nparts - 1].len += (uint32_t)len;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    return add_part(p, PART_URL, at, len);
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    return add_part(p, PART_NAME, at, len);
}

/* Called for an empty value too (with len 0), however the head is split
 * over reads: names and values alternate. */
static int on_header_value(http_parser *p, const char *at, size_t len)
{
    return add_part(p, PART_VALUE, at, len);
}

static bool expects_continue(const rf_conn *c, bool *unknown)
{
    *unknown = false;
    for (int i = 1; i + 1 < c->nparts; i += 2) {
        if (strcasecmp(part(c, i), "Expect") != 0)
            continue;
        if (strcasecmp(part(c, i + 1), "100-continue") == 0)
            return true;
        *unknown = true;
    }
    return false;
}

static int on_headers_complete(http_parser *p)
{
    rf_conn *c = conn_of(p);
    end_part(c);
    if (p->http_major != 1)
        return refuse_from_parser(c, 400, "Malformed request.");
    if (p->content_length != ULLONG_MAX && p->content_length > c->http->w->cfg->max_body)
        return refuse_from_parser(c, 413, "Request body too large.");
    bool unknown;
    if (p->http_minor >= 1 && expects_continue(c, &unknown)) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        /* The socket is idle here (nothing in flight): the few bytes go at once. */
        if (send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL) != (ssize_t)sizeof cont - 1)
            return refuse_from_parser(c, 400, "Malformed request.");
    } else if (p->http_minor >= 1 && unknown) {
        return refuse_from_parser(c, 417, "Expectation failed.");
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    rf_conn *c = conn_of(p);
    if (c->body.len + len > c->http->w->cfg->max_body)
        return refuse_from_parser(c, 413, "Request body too large.");
    rf_buf_append(&c->body, at, len);
    return 0;
}

static int on_message_complete(http_parser *p)
{
    rf_conn *c = conn_of(p);
    c->complete = true;
    http_parser_pause(p, 1);
    return 0;
}

/* Ready for the next request of the connection. */
static void reset_request(rf_conn *c)
{
    c->head.len = 0;
    c->nparts = 0;
    c->last_part = PART_NONE;
    c->blank = 0;
    c->started = false;
    c->complete = false;
    if (c->body.cap > BODY_KEEP) {
        rf_buf_release(&c->body);
        rf_buf_init(&c->body, NULL, 0);
    }
    c->body.len = 0;
    http_parser_pause(&c->parser, 0);
}

/* Empty lines before a request line: RFC 9112 section 2.2 asks a server to
 * ignore at least one; more is not a client speaking HTTP. */
static size_t skip_blank(rf_conn *c, const char *data, size_t len, bool *bad)
{
    size_t i = 0;
    while (!c->started && i < len && (data[i] == '\r' || data[i] == '\n'))
        i++;
    c->blank += (unsigned)i;
    *bad = c->blank > 2;
    if (i < len)
        c->started = true;
    return i;
}

/* data may lie inside c->pending already (a pipeline parsed from it). */
static void keep_pending(rf_conn *c, const char *data, size_t len)
{
    c->pending_len = len;
    if (len == 0)
        return;
    if (len > c->pending_cap) {
        c->pending_cap = len > 4096 ? len : 4096;
        free(c->pending);
        c->pending = malloc(c->pending_cap);
    }
    memmove(c->pending, data, len);
}

/* What a refused head gets told; the parser's error names the cause. */
static const char *malformed_detail(enum http_errno e)
{
    switch (e) {
    case HPE_INVALID_CONTENT_LENGTH:
    case HPE_UNEXPECTED_CONTENT_LENGTH:
        /* Also two identical lengths: RFC 9110 section 8.6 lets a server
         * refuse them, and nginx does. */
        return "Malformed request: conflicting or invalid Content-Length.";
    case HPE_INVALID_TRANSFER_ENCODING:
        return "Malformed request: the last transfer coding is not chunked.";
    case HPE_INVALID_HEADER_TOKEN:
        return "Malformed request: invalid character in a header.";
    case HPE_INVALID_CHUNK_SIZE:
        return "Malformed request: invalid chunk size.";
    default:
        return "Malformed request.";
    }
}

/* Feed bytes to the parser; a complete request is dispatched, what
 * follows it kept.  Nothing may touch c after this returns: the dispatch
 * may have closed it. */
static void feed(rf_conn *c, const char *data, size_t len)
{
    bool bad;
    size_t skipped = skip_blank(c, data, len, &bad);
    if (bad) {
        refuse(c, 400, "Malformed request.");
        return;
    }
    data += skipped;
    len -= skipped;
    size_t used = http_parser_execute(&c->parser, &c->http->settings, data, len);
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (c->refuse_status) {
        refuse(c, c->refuse_status, c->refuse_detail);
        return;
    }
    if (e == HPE_PAUSED && c->complete) {
        keep_pending(c, data + used, len - used);
        dispatch(c);
        return;
    }
    if (e != HPE_OK)
        refuse(c, 400, malformed_detail(e));
}

/* After a response: the requests that arrived behind it.  On the next
 * pass of the loop, from the read event, so that a long pipeline does not
 * nest one dispatch in another. */
static void parse_pending(rf_conn *c)
{
    reset_request(c);
    /* Re-arms reading if a long pipeline paused it, and restarts the idle
     * timeout: it counts from the answer. */
    event_add(c->read_ev, &c->http->timeout);
    if (c->pending_len)
        event_active(c->read_ev, EV_READ, 1);
}

/* A request in flight: what the client sends meanwhile waits. */
static void read_behind(rf_conn *c)
{
    if (c->pending_len + READ_CHUNK > c->pending_cap) {
        size_t cap = c->pending_len + READ_CHUNK;
        char *grown = realloc(c->pending, cap);
        c->pending = grown;
        c->pending_cap = cap;
    }
    ssize_t n = read(c->fd, c->pending + c->pending_len, READ_CHUNK);
    if (n > 0)
        c->pending_len += (size_t)n;
    /* The peer closed (or failed): its answer is still written, then the
     * connection closes; reading is over. */
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        c->close_after = true;
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
        c->pending_len >= PENDING_CAP)
        event_del(c->read_ev);
}

/* Closing a socket with unread input makes the kernel send a reset, which
 * can destroy the refusal before the client reads it (a client uploading
 * a body over the limit would see "connection reset", not the 413).  So
 * the server stops sending, and reads and drops what still comes until
 * the client closes or LINGER_USEC passed, as nginx's lingering close. */
static void linger(rf_conn *c)
{
    shutdown(c->fd, SHUT_WR);
    c->linger_until = rf_now_usec() + LINGER_USEC;
    static const struct timeval step = { .tv_usec = 250000 };
    event_add(c->read_ev, &step);
}

static void drop_input(rf_conn *c, short what)
{
    ssize_t n = 1;
    /* A bounded number of reads: a fast sender must not hold the loop. */
    for (int i = 0; (what & EV_READ) && i < 16 && n > 0; i++)
        n = read(c->fd, c->http->rbuf, sizeof c->http->rbuf);
    bool done = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
    if (done || rf_now_usec() >= c->linger_until)
        conn_close(c);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    rf_conn *c = arg;
    if (c->linger && !c->writing) {
        drop_input(c, what);
        return;
    }
    if (c->ctx || c->writing) {
        if (what & EV_READ)
            read_behind(c);
        return;   /* and a timeout while a request is in flight is not idleness */
    }
    if (c->pending_len) {
        size_t n = c->pending_len;
        c->pending_len = 0;
        feed(c, c->pending, n);
        return;
    }
    if (what & EV_TIMEOUT) {
        conn_close(c);
        return;
    }
    ssize_t n = read(fd, c->http->rbuf, sizeof c->http->rbuf);
    if (n > 0)
        feed(c, c->http->rbuf, (size_t)n);
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        conn_close(c);
}

/* ---------------------------------------------------------------------
 * Connections.
 */
static void conn_close(rf_conn *c)
{
    rf_http *h = c->http;
    if (c->ctx) {
        rf_worker *w = h->w;
        rf_ctx_release(c->ctx);   /* only ever while writing its response */
        if (w->draining && w->live == 0)
            event_base_loopexit(w->base, NULL);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    event_free(c->read_ev);
    event_free(c->write_ev);
    close(c->fd);
    rf_buf_release(&c->head);
    rf_buf_release(&c->body);
    rf_buf_release(&c->out);
    free(c->parts);
    free(c->pending);
    free(c);
}

static void name_peer(rf_conn *c, const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, c->peer, sizeof c->peer);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, c->peer,
                  sizeof c->peer);
}

static void conn_open(rf_http *h, int fd, const struct sockaddr *sa)
{
    rf_conn *c = calloc(1, sizeof *c);
    c->http = h;
    c->fd = fd;
    /* Head and body leave in one writev; no reason to hold a segment back. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (sa)
        name_peer(c, sa);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    rf_buf_init(&c->head, NULL, 0);
    rf_buf_init(&c->body, NULL, 0);
    rf_buf_init(&c->out, NULL, 0);
    c->read_ev = event_new(h->w->base, fd, EV_READ | EV_PERSIST, on_readable, c);
    c->write_ev = event_new(h->w->base, fd, EV_WRITE | EV_PERSIST, on_writable, c);
    event_add(c->read_ev, &h->timeout);
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    (void)l;
    (void)socklen;
    conn_open(arg, fd, sa);
}

void rf_http_serve_fd(rf_http *h, int fd)
{
    conn_open(h, fd, NULL);
}

int rf_http_connections(const rf_http *h)
{
    int n = 0;
    for (const rf_conn *c = h->conns; c; c = c->next)
        n++;
    return n;
}

rf_http *rf_http_new(rf_worker *w, int fd)
{
    rf_http *h = calloc(1, sizeof *h);
    h->w = w;
    h->timeout = (struct timeval){ .tv_sec = w->cfg->timeout };
    http_parser_settings_init(&h->settings);
    h->settings.on_url = on_url;
    h->settings.on_header_field = on_header_field;
    h->settings.on_header_value = on_header_value;
    h->settings.on_headers_complete = on_headers_complete;
    h->settings.on_body = on_body;
    h->settings.on_message_complete = on_message_complete;
    /* Heads between max_header and this get the 431 (dispatch); past it
     * the parser stops reading (400, connection closed), so a flood is
     * never buffered. */
    size_t hard = w->cfg->max_header * 4;
    http_parser_set_max_header_size(hard > UINT32_MAX ? UINT32_MAX : (uint32_t)hard);
    if (fd >= 0)
        h->listener = evconnlistener_new(w->base, on_accept, h,
                                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
    return h;
}

void rf_http_stop_accepting(rf_http *h)
{
    if (h->listener)
        evconnlistener_disable(h->listener);
}

void rf_http_free(rf_http *h)
{
    while (h->conns)
        conn_close(h->conns);
    if (h->listener)
        evconnlistener_free(h->listener);
    free(h);
}
