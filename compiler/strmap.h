/*
 * strmap.h: a map from NUL-terminated strings (not copied) to pointers,
 * its memory in an arena (strmap.c).  A zeroed strmap is empty.
 */
#ifndef RFLOWC_STRMAP_H
#define RFLOWC_STRMAP_H

#include <stdint.h>

#include "restflow/base.h"

typedef struct strmap {
    const char **keys;
    void **vals;
    uint32_t cap, n;
} strmap;

void *strmap_get(const strmap *m, const char *key);
void strmap_put(rf_arena *a, strmap *m, const char *key, void *val);

#endif
