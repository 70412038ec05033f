/*
 * log.c: the access log and error messages, on stderr.
 *
 * Each line is formatted into a stack buffer and written with one write(2),
 * so lines from several worker processes never interleave (a line is far
 * below PIPE_BUF).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void write_line(char *line, size_t cap, int n)
{
    if (n < 0)
        return;
    size_t len = (size_t)n < cap - 1 ? (size_t)n : cap - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;   /* nowhere to report a failing stderr */
}

void rf_access_log(const rf_ctx *ctx, size_t bytes)
{
    char line[1024];
    uint64_t usec = rf_now_usec() - ctx->start_usec;
    int n = snprintf(line, sizeof line, "%s \"%s %s%s%s\" %d %zu %lluus",
                     ctx->peer ? ctx->peer : "-", rf_ctx_method_name(ctx),
                     ctx->raw_path ? ctx->raw_path : "",
                     ctx->raw_query ? "?" : "", ctx->raw_query ? ctx->raw_query : "",
                     ctx->status, bytes, (unsigned long long)usec);
    write_line(line, sizeof line, n);
}

void rf_access_log_refusal(const char *peer, const char *method, const char *target,
                           int status, size_t bytes)
{
    char line[1024];
    int n = method ? snprintf(line, sizeof line, "%s \"%s %s\" %d %zu -", peer, method, target,
                              status, bytes)
                   : snprintf(line, sizeof line, "%s \"-\" %d %zu -", peer, status, bytes);
    write_line(line, sizeof line, n);
}

void rf_log_error(const char *fmt, ...)
{
    char line[1024];
    int prefix = snprintf(line, sizeof line, "restflow[%d]: ", (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + prefix, sizeof line - (size_t)prefix, fmt, ap);
    va_end(ap);
    write_line(line, sizeof line, n < 0 ? n : prefix + n);
}
