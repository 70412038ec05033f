/*
 * lexer.h: the re2c tokenizer of .rflow files (compiler/lexer.re).
 *
 * Token codes are lemon's TK_* from the generated grammar.h: one namespace.
 * A token is a span into the source buffer; string and integer tokens also
 * carry their decoded value.
 *
 * Lexical errors are reported through diag and recovered on the spot: a
 * stray byte is skipped, an unterminated string ends at the end of its line,
 * a bad escape is dropped from the value.  The parser therefore sees a
 * plausible token stream; `after_error` on a token lets it stay silent about
 * a syntax error right behind a lexical one.
 *
 * Limits (each reported as an error, never a crash):
 *   - the input: SOURCE_MAX_BYTES (source.h);
 *   - an identifier or number: LEX_MAX_WORD bytes;
 *   - a string literal: LEX_MAX_STRING bytes as written.
 */
#ifndef RFLOWC_LEXER_H
#define RFLOWC_LEXER_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "source.h"

#define LEX_MAX_WORD 255
#define LEX_MAX_STRING 65536

typedef struct token {
    int type;              /* TK_*, or 0 at the end of input */
    span span;
    bool after_error;      /* a lexical error was reported since the last token */
    union {
        int64_t integer;   /* TK_INT */
        struct {
            const char *text;  /* TK_STRING: decoded, NUL-terminated (arena) */
            uint32_t len;
        } string;
    } v;
} token;

typedef struct lexer {
    const source *src;
    rf_arena *arena;
    diag *diag;
    uint32_t cursor;       /* offset of the next byte to scan */
    bool error_seen;       /* since the last token returned */
} lexer;

void lexer_init(lexer *lx, const source *src, rf_arena *a, diag *d);
token lexer_next(lexer *lx);

/* How a token kind reads in a message: "identifier", "';'", "end of file". */
const char *token_kind_name(int type);

#endif
