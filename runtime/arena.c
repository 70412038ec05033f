/*
 * arena.c: per-request region allocator.
 *
 * Blocks are chained; an allocation that does not fit the current block
 * opens a new one (twice the previous size, or the request's size when that
 * is larger).  Cleanups run newest first when the arena is freed or reset.
 * Past the limit the arena is marked exhausted but still allocates, so no
 * caller ever sees NULL; the dispatcher checks rf_arena_exhausted() between
 * stages and fails the request with 503.  What one stage can allocate is
 * bounded by its inputs (the body limit, the page size).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restflow.h"

#define ARENA_ALIGN 16
#define ARENA_FIRST_BLOCK 8192

typedef struct block {
    struct block *prev;
    size_t size, used;
    /* payload follows, aligned */
} block;

typedef struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
} cleanup;

struct rf_arena {
    block *head;          /* newest block */
    block *first;         /* kept by rf_arena_reset */
    cleanup *cleanups;
    size_t limit, used;
    bool exhausted;
};

static size_t align_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static size_t header_size(void)
{
    return align_up(sizeof(block));
}

static block *block_new(block *prev, size_t size)
{
    block *b = malloc(header_size() + size);
    if (!b) {
        fputs("restflow: out of memory\n", stderr);
        abort();
    }
    b->prev = prev;
    b->size = size;
    b->used = 0;
    return b;
}

rf_arena *rf_arena_new(size_t limit)
{
    rf_arena *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    a->first = a->head = block_new(NULL, ARENA_FIRST_BLOCK);
    a->limit = limit;
    return a;
}

static void run_cleanups(rf_arena *a)
{
    while (a->cleanups) {
        cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->arg);
        free(c);
    }
}

static void free_blocks_after_first(rf_arena *a)
{
    block *b = a->head;
    while (b != a->first) {
        block *prev = b->prev;
        free(b);
        b = prev;
    }
    a->head = a->first;
    a->first->used = 0;
}

void rf_arena_reset(rf_arena *a)
{
    run_cleanups(a);
    free_blocks_after_first(a);
    a->used = 0;
    a->exhausted = false;
}

void rf_arena_free(rf_arena *a)
{
    if (!a)
        return;
    rf_arena_reset(a);
    free(a->first);
    free(a);
}

void *rf_alloc(rf_arena *a, size_t n)
{
    n = align_up(n ? n : 1);
    if (a->limit && a->used + n > a->limit)
        a->exhausted = true;
    block *b = a->head;
    if (b->size - b->used < n) {
        size_t size = b->size * 2;
        if (size < n)
            size = n;
        b = a->head = block_new(b, size);
    }
    void *p = (char *)b + header_size() + b->used;
    b->used += n;
    a->used += n;
    return p;
}

void *rf_calloc(rf_arena *a, size_t n)
{
    return memset(rf_alloc(a, n), 0, n);
}

char *rf_strndup(rf_arena *a, const char *s, size_t n)
{
    char *p = rf_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *rf_strdup(rf_arena *a, const char *s)
{
    return rf_strndup(a, s, strlen(s));
}

char *rf_sprintf(rf_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = rf_alloc(a, (size_t)n + 1);
    p[0] = '\0';
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void rf_arena_on_free(rf_arena *a, void (*fn)(void *), void *arg)
{
    /* Cleanups are bookkeeping, not request data: they bypass the limit so
     * a resource opened before exhaustion is still closed. */
    cleanup *c = malloc(sizeof *c);
    if (!c)
        abort();
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

bool rf_arena_exhausted(const rf_arena *a)
{
    return a->exhausted;
}

size_t rf_arena_used(const rf_arena *a)
{
    return a->used;
}
