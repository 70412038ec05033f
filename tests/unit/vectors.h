/*
 * vectors.h: loading the DRF-generated vectors of tests/vectors/ (made by
 * the gen_*.py scripts there; the runner starts in the repository root).
 */
#ifndef RF_TEST_VECTORS_H
#define RF_TEST_VECTORS_H

#include <check.h>
#include <jansson.h>

static inline json_t *load_test_vectors(const char *path)
{
    json_error_t err;
    json_t *v = json_load_file(path, JSON_ALLOW_NUL, &err);
    if (!v)
        ck_abort_msg("cannot load %s: %s (line %d)", path, err.text, err.line);
    return v;
}

#endif
