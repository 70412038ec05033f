/*
 * arena.c: per-request region allocator.
 *
 * Blocks are chained; an allocation that does not fit the current block
 * opens a new one (twice the previous size, or the request's size when that
 * is larger).  A reset keeps one block for the next user of the arena, as
 * large as the arena had grown (up to ARENA_KEEP_MAX), so that an arena
 * reused for requests of one size stops calling malloc after the first.  Cleanups run newest
 * first when the arena is freed or reset; their records live in the arena
 * itself.
 * Past the limit the arena is marked exhausted but still allocates, so no
 * caller ever sees NULL; the dispatcher checks rf_arena_exhausted() between
 * stages and fails the request with 503.  What one stage can allocate is
 * bounded by its inputs (the body limit, the page size).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ARENA_ALIGN 16
#define ARENA_FIRST_BLOCK 8192
/* The largest block a reset keeps: arenas are kept by the hundred (the
 * worker's spares), so a rare large request must not pin its memory. */
#define ARENA_KEEP_MAX (32 * 1024)

typedef struct block {
    struct block *prev;
    size_t size, used;
    /* payload follows, aligned */
} block;

struct rf_cleanup {
    struct rf_cleanup *next;
    void (*fn)(void *);   /* NULL: cancelled */
    void *arg;
};

struct rf_arena {
    block *head;          /* newest block */
    block *first;         /* kept by rf_arena_reset */
    rf_cleanup *cleanups;
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

/* A cleanup may register another (it runs too); the records stay valid
 * until the blocks are freed, after the last one ran. */
static void run_cleanups(rf_arena *a)
{
    while (a->cleanups) {
        rf_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        if (c->fn)
            c->fn(c->arg);
    }
}

/* An arena that grew gets one block as large as all of its blocks were,
 * so what the request just done needed fits next time without a malloc. */
static void free_blocks_but_one(rf_arena *a)
{
    block *first = a->first;
    size_t grown = 0;
    for (block *b = a->head; b != first;) {
        block *prev = b->prev;
        grown += b->size;
        free(b);
        b = prev;
    }
    if (grown && grown + first->size <= ARENA_KEEP_MAX) {
        block *larger = block_new(NULL, grown + first->size);
        free(first);
        first = larger;
    }
    first->used = 0;
    a->head = a->first = first;
}

void rf_arena_reset(rf_arena *a)
{
    run_cleanups(a);
    free_blocks_but_one(a);
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

static void *alloc_uncounted(rf_arena *a, size_t n)
{
    block *b = a->head;
    if (b->size - b->used < n) {
        size_t size = b->size * 2;
        if (size < n)
            size = n;
        b = a->head = block_new(b, size);
    }
    void *p = (char *)b + header_size() + b->used;
    b->used += n;
    return p;
}

void *rf_alloc(rf_arena *a, size_t n)
{
    n = align_up(n ? n : 1);
    if (a->limit && a->used + n > a->limit)
        a->exhausted = true;
    a->used += n;
    return alloc_uncounted(a, n);
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

rf_cleanup *rf_arena_on_free_cancelable(rf_arena *a, void (*fn)(void *), void *arg)
{
    /* Cleanups are bookkeeping, not request data: they bypass the limit so
     * a resource opened before exhaustion is still closed. */
    rf_cleanup *c = alloc_uncounted(a, align_up(sizeof *c));
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return c;
}

void rf_arena_on_free(rf_arena *a, void (*fn)(void *), void *arg)
{
    rf_arena_on_free_cancelable(a, fn, arg);
}

void rf_cleanup_cancel(rf_cleanup *c)
{
    c->fn = NULL;
}

bool rf_arena_exhausted(const rf_arena *a)
{
    return a->exhausted;
}

size_t rf_arena_used(const rf_arena *a)
{
    return a->used;
}

size_t rf_arena_room(const rf_arena *a)
{
    if (!a->limit)
        return SIZE_MAX;
    return a->used < a->limit ? a->limit - a->used : 0;
}
