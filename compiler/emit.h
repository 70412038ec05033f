/*
 * emit.h: the code generator's printer and the emitters that turn a
 * resolved model (model.h) into the files of a server.
 *
 * Every emitter writes through one small printer (`emitter`): text goes
 * into a growable buffer, lines are indented by the printer, and a file is
 * written only once it is complete.  Output depends on the model alone
 * (no time, no absolute path), so the same spec gives the same bytes.
 */
#ifndef RFLOWC_EMIT_H
#define RFLOWC_EMIT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "restflow/base.h"

typedef struct emitter {
    rf_buf out;
    int indent;          /* levels of four spaces */
    bool line_start;     /* the next byte begins a line */
} emitter;

void em_init(emitter *e);
void em_free(emitter *e);
/* printf-style; every line begun in fmt gets the current indentation. */
void em_printf(emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One whole line (a newline is added). */
void em_line(emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An empty line. */
void em_blank(emitter *e);
void em_indent(emitter *e);
void em_dedent(emitter *e);
/* A C string literal of s ("NULL" when s is NULL). */
void em_cstr(emitter *e, const char *s);
/* A C string literal of s, split into one literal per line of s, each on
 * its own output line (long SQL scripts). */
void em_cstr_lines(emitter *e, const char *s);
/* Write the buffer to DIR/NAME; false with a message on stderr. */
bool em_write(const emitter *e, const char *dir, const char *name);

/* A "/\* shop.rflow:41 *\/" comment for where an entity was declared. */
void em_loc(emitter *e, const model *m, model_loc loc);

/* The spec's file name without its directories ("shop.rflow"). */
const char *em_spec_file(const model *m);
/* Start a file: init the printer and write the banner, `what` formatted
 * printf-style.  em_finish writes it to DIR/NAME and frees the printer. */
void em_begin(emitter *e, const model *m, const char *comment, const char *what, ...)
    __attribute__((format(printf, 4, 5)));
bool em_finish(emitter *e, const char *dir, const char *name);

/* The banner every generated file starts with; `comment` is the
 * comment leader of the file's language ("" for C block comments, "#" or
 * "--" for line comments). */
void em_banner(emitter *e, const model *m, const char *what, const char *comment);

/* "<spec><suffix>" ("shop.h", "shop_hooks.h"), in a static buffer. */
const char *em_file(const model *m, const char *suffix);

/* The C member of a field: its name, with '_' appended when that is a C
 * keyword or the records' own `rf_state` (a field may be called
 * `default`).  One of four rotating static buffers. */
const char *em_member(const char *name);

/* Names of generated symbols, written into a static buffer (valid until
 * the next call of the same function). */
const char *em_upper(const char *s);                       /* "SHOP" */

/* ---------------------------------------------------------------------
 * The emitters.  Each writes one or more files into dir.
 */
typedef struct build_options {
    const char *dir;
    bool no_main;
    bool stubs;
} build_options;

/* The whole build: every file below.  0 ok, 2 on a write error. */
int emit_build(const model *m, const build_options *o);

bool emit_header(const model *m, const char *dir);        /* <spec>.h */
bool emit_source(const model *m, const char *dir);        /* <spec>.c */
bool emit_main(const model *m, const char *dir);          /* <spec>_main.c */
bool emit_hooks_header(const model *m, const char *dir);  /* <spec>_hooks.h */
/* The --stubs starter file <spec>_hooks.c; not written when it exists. */
bool emit_hooks_stubs(const model *m, const char *dir);
bool emit_schema(const model *m, const char *dir);        /* schema.*.sql */
bool emit_makefile(const model *m, const char *dir, bool with_main);  /* Makefile */

#endif
