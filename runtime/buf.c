/*
 * buf.c: the growable output buffer renderers write into.
 *
 * Arena-backed buffers grow by allocating a larger block from the arena and
 * copying (the old block is reclaimed with the arena); malloc-backed ones
 * (arena == NULL) use realloc and are released with rf_buf_release.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restflow.h"

void rf_buf_init(rf_buf *b, rf_arena *a, size_t initial)
{
    b->arena = a;
    b->len = 0;
    b->cap = initial ? initial : 256;
    b->data = a ? rf_alloc(a, b->cap) : malloc(b->cap);
    if (!b->data)
        abort();
    b->data[0] = '\0';
}

void rf_buf_reserve(rf_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)   /* keep room for a terminating NUL */
        return;
    size_t cap = b->cap * 2;
    while (cap - b->len <= extra)
        cap *= 2;
    if (b->arena) {
        char *p = rf_alloc(b->arena, cap);
        memcpy(p, b->data, b->len);
        b->data = p;
    } else {
        b->data = realloc(b->data, cap);
        if (!b->data)
            abort();
    }
    b->cap = cap;
}

void rf_buf_append(rf_buf *b, const void *p, size_t n)
{
    rf_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void rf_buf_puts(rf_buf *b, const char *s)
{
    rf_buf_append(b, s, strlen(s));
}

void rf_buf_putc(rf_buf *b, char c)
{
    rf_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void rf_buf_printf(rf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        rf_buf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void rf_buf_release(rf_buf *b)
{
    if (!b->arena)
        free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
