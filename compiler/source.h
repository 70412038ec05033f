/*
 * source.h: one spec file in memory, and positions in it.
 *
 * The whole input is read into one NUL-terminated buffer.  Everything that
 * points into the spec (tokens, AST nodes, diagnostics) holds a span: a byte
 * offset and a length into that buffer.  Line and column are computed from
 * the offset through a table of line starts, never counted by the lexer.
 *
 * Lines end at LF; a CR right before the LF belongs to the line ending (CRLF
 * files report the same positions as LF files).  Columns count bytes from 1,
 * as GCC does: a line "é = 1" has '=' at column 4.
 */
#ifndef RFLOWC_SOURCE_H
#define RFLOWC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "restflow/base.h"   /* rf_arena */

/* Larger inputs are refused before lexing: no real spec comes near it, and
 * it keeps every offset in 32 bits. */
#define SOURCE_MAX_BYTES (16u * 1024 * 1024)

typedef struct span {
    uint32_t off;   /* byte offset into source.text */
    uint32_t len;   /* bytes; 0 for a point (end of input, a missing ';') */
} span;

typedef struct source {
    const char *name;       /* as given on the command line; "<stdin>" for - */
    const char *text;       /* the bytes, with text[len] == '\0' (more NULs may
                               occur inside: the lexer reports them) */
    uint32_t len;
    const uint32_t *line_starts;  /* offset of each line's first byte */
    uint32_t nlines;              /* >= 1 */
} source;

typedef struct source_pos {
    uint32_t line;   /* from 1 */
    uint32_t col;    /* from 1, in bytes */
} source_pos;

/* Make `s` a copy of bytes[0..len) named `name`, in arena `a`.  Returns false
 * (and leaves `s` empty but usable) when len exceeds SOURCE_MAX_BYTES. */
bool source_init(source *s, rf_arena *a, const char *name, const char *bytes, size_t len);

/* Read the file at `path` ("-" is standard input).  Returns 0, or an errno
 * value: EFBIG when the file exceeds SOURCE_MAX_BYTES (nothing past the limit
 * is read), or what open/read failed with. */
int source_load(source *s, rf_arena *a, const char *path);

source_pos source_locate(const source *s, uint32_t off);

/* The bytes of line `line` (from 1), without its line ending. */
const char *source_line(const source *s, uint32_t line, uint32_t *len);

static inline span span_make(uint32_t off, uint32_t len)
{
    return (span){ off, len };
}

/* The smallest span covering a and b (b after a). */
static inline span span_join(span a, span b)
{
    return (span){ a.off, b.off + b.len - a.off };
}

static inline uint32_t span_end(span s)
{
    return s.off + s.len;
}

#endif
