/*
 * fuzz_http: bytes from a client through the connection layer (http.c):
 * http_parser, the head and body buffers, pipelining, the limits and the
 * refusals, over a socketpair on a real event loop.
 *
 * Input: the first byte sets how many bytes the client writes at a time
 * (1 to 256, the loop runs between writes, so heads and bodies arrive
 * split everywhere); the rest is what the client sends before it shuts
 * its side down.  Checked beyond memory safety:
 *   - what the server writes is a sequence of whole HTTP/1.x responses,
 *     each with the Content-Length of its body (none on 204 and 304),
 *     after at most an interim "100 Continue";
 *   - the server closes the connection once the client is done: nothing
 *     is left waiting, and a request never hangs the loop.
 *
 * fuzz-links: @runtime
 * fuzz-libs: $(PKG_LIBS)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "internal.h"
#include "testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rf_rc echo(rf_ctx *ctx)
{
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_printf(b, "{\"method\":\"%s\",\"path\":", rf_ctx_method_name(ctx));
    rf_json_str(b, rf_ctx_path(ctx));
    rf_buf_lit(b, "}");
    return rf_respond_json(ctx, 200, b);
}

static rf_rc gone(rf_ctx *ctx)
{
    return rf_respond_empty(ctx, 204);
}

#define ACTION(var, f) \
    static const rf_action var = { .name = #f, .kind = RF_ACT_HANDLER, \
                                   .handler = { #f, RF_SYNC, { .ctx = f } } }
ACTION(a_echo, echo);
ACTION(a_gone, gone);

static const rf_view api = { .name = "EchoView", .kind = RF_VIEW_API };
static const rf_route routes[] = {
    { .pattern = "echo/", .view = &api,
      .by_method = { [RF_GET] = &a_echo, [RF_POST] = &a_echo, [RF_PUT] = &a_echo,
                     [RF_DELETE] = &a_gone } },
};
static const rf_app app = {
    .abi = RF_ABI_VERSION, .name = "fuzz", .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0], .num_proxies = -1,
};

/* Loop passes one input may take: sync handlers answer at once, so a
 * connection still open after this many is stuck. */
#define MAX_PASSES 100000

typedef struct client {
    int fd;
    char *out;
    size_t len, cap;
} client;

static void drain(client *c)
{
    for (;;) {
        if (c->cap - c->len < 65536) {
            c->cap = c->cap * 2 + 65536;
            c->out = realloc(c->out, c->cap);
        }
        ssize_t n = read(c->fd, c->out + c->len, c->cap - c->len);
        if (n <= 0)
            return;
        c->len += (size_t)n;
    }
}

static const char *find(const char *s, const char *end, const char *what)
{
    return memmem(s, (size_t)(end - s), what, strlen(what));
}

/* The whole output must be responses, back to back. */
static void check_responses(const char *s, size_t len)
{
    const char *end = s + len;
    while (s < end) {
        if ((size_t)(end - s) < 12 || (memcmp(s, "HTTP/1.1 ", 9) && memcmp(s, "HTTP/1.0 ", 9)))
            abort();
        const char *head_end = find(s, end, "\r\n\r\n");
        if (!head_end)
            abort();
        int status = atoi(s + 9);
        if (status == 100) {
            s = head_end + 4;
            continue;
        }
        const char *cl = find(s, head_end, "\r\nContent-Length: ");
        size_t body = cl ? strtoul(cl + 18, NULL, 10) : 0;
        if (!cl && status != 204 && status != 304)
            abort();
        s = head_end + 4;
        if ((size_t)(end - s) < body)
            abort();
        s += body;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rf_test_env *env;
    static rf_http *http;
    if (!env) {
        env = rf_test_env_new(&app, 1);
        rf_config *cfg = rf_test_env_config(env);
        cfg->max_body = 4096;      /* small limits, so that inputs reach them */
        cfg->max_header = 1024;
        http = rf_http_new(rf_test_env_worker(env), -1);
    }
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] + 1;
    data++;
    size--;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    rf_http_serve_fd(http, sv[0]);
    client c = { .fd = sv[1] };
    struct event_base *base = rf_test_env_base(env);
    size_t sent = 0;
    bool shut = false;
    for (int pass = 0; rf_http_connections(http) > 0; pass++) {
        if (pass == MAX_PASSES)
            abort();
        if (sent < size) {
            size_t n = size - sent < step ? size - sent : step;
            ssize_t w = send(c.fd, data + sent, n, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w;
        } else if (!shut) {
            shutdown(c.fd, SHUT_WR);
            shut = true;
        }
        event_base_loop(base, EVLOOP_NONBLOCK);
        drain(&c);
    }
    drain(&c);
    check_responses(c.out, c.len);
    close(c.fd);
    free(c.out);
    return 0;
}
