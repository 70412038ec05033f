/*
 * fuzz_spec: the rflowc front end on arbitrary bytes, as `rflowc check`
 * runs it (load, lex, parse, sema, and the route table printer on a valid
 * model), with diagnostics and output written to /dev/null so their
 * formatting runs too.
 *
 * fuzz-links: @compiler runtime/arena.c runtime/buf.c
 * fuzz-seeds: specs tests/golden/errors
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"
#include "routes.h"
#include "sema.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    rf_arena *arena = rf_arena_new(0);
    diag d;
    diag_init(&d, devnull, DIAG_DEFAULT_MAX_ERRORS);
    source src;
    if (source_init(&src, arena, "fuzz.rflow", (const char *)data, size)) {
        diag_set_source(&d, &src);
        ast_file *ast = ast_parse(arena, &src, &d);
        model *m = ast ? sema_check(arena, ast, &d) : NULL;
        if (m)
            routes_print(m, devnull);
    }
    diag_free(&d);
    rf_arena_free(arena);
    return 0;
}
