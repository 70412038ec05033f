/*
 * strmap.c: string maps for the compiler: open addressing, FNV-1a, grown
 * at half full.  Every look-up by name goes through one, so no pass is
 * quadratic in the size of the spec (a 16 MiB spec of one-line members
 * must not hang, and a 1,000-resource spec builds in well under a second).
 */
#include <string.h>

#include "strmap.h"

static uint32_t hash_name(const char *name)
{
    uint32_t h = 2166136261u;
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h;
}

void *strmap_get(const strmap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    uint32_t mask = m->cap - 1;
    for (uint32_t i = hash_name(key) & mask; m->keys[i]; i = (i + 1) & mask)
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    return NULL;
}

static void strmap_insert(strmap *m, const char *key, void *val)
{
    uint32_t mask = m->cap - 1;
    uint32_t i = hash_name(key) & mask;
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & mask;
    m->n += m->keys[i] == NULL;
    m->keys[i] = key;
    m->vals[i] = val;
}

void strmap_put(rf_arena *a, strmap *m, const char *key, void *val)
{
    if (2 * (m->n + 1) > m->cap) {
        strmap old = *m;
        m->cap = old.cap ? 2 * old.cap : 16;
        m->n = 0;
        m->keys = rf_calloc(a, m->cap * sizeof *m->keys);
        m->vals = rf_calloc(a, m->cap * sizeof *m->vals);
        for (uint32_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                strmap_insert(m, old.keys[i], old.vals[i]);
    }
    strmap_insert(m, key, val);
}
