/*
 * diag.h: diagnostics in GNU form, with the source line and a caret.
 *
 *     shop.rflow:12:24: error: unknown serializer 'ProductSerialiser'; did you mean 'ProductSerializer'?
 *         serializer_class = ProductSerialiser;
 *                            ^
 *     shop.rflow:3:12: note: 'ProductSerializer' declared here
 *
 * Columns count bytes from 1, as GCC's do.  The source line is printed as
 * written (control bytes and invalid UTF-8 shown as '?'); the caret line
 * copies its tabs so the caret lines up in any terminal.  Notes name their
 * place without repeating the source line.
 *
 * A diagnostic is built in steps and printed when the next one starts (or at
 * diag_flush): diag_error() opens it, then diag_hint() adds "; did you mean
 * 'X'?" style text to its message and diag_note() attaches notes:
 *
 *     diag_error(d, ref->span, "unknown serializer '%s'", ref->text);
 *     diag_hint(d, "did you mean '%s'?", best->text);
 *     diag_note(d, best->span, "'%s' declared here", best->text);
 *
 * The error cap: after `max_errors` errors (0: no cap) one closing line is
 * printed, diag_stopped() turns true, and every later diagnostic is dropped.
 * Passes should check diag_stopped() between units of work and give up.
 */
#ifndef RFLOWC_DIAG_H
#define RFLOWC_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "restflow/base.h"   /* rf_buf */
#include "source.h"

#define DIAG_DEFAULT_MAX_ERRORS 20

typedef enum diag_level { DIAG_ERROR = 1, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag_note_item {
    span at;
    bool has_pos;
    rf_buf text;
} diag_note_item;

typedef struct diag {
    FILE *out;
    const source *src;        /* the file being reported on */
    unsigned max_errors;      /* 0: no cap */
    unsigned errors;          /* errors reported (over the whole run) */
    unsigned warnings;
    bool stopped;             /* the cap was reached */

    /* the diagnostic being built (private) */
    bool pending;
    diag_level level;
    span at;
    bool has_pos;
    rf_buf message;
    diag_note_item *notes;
    unsigned nnotes, notes_cap;
} diag;

void diag_init(diag *d, FILE *out, unsigned max_errors);
void diag_free(diag *d);          /* flushes first */

/* Later diagnostics are about `src` (one file after another). */
void diag_set_source(diag *d, const source *src);

void diag_error(diag *d, span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(diag *d, span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error about the whole file ("file.rflow: error: ..."), no line. */
void diag_error_file(diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append "; <text>" to the message of the open diagnostic. */
void diag_hint(diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attach a note at `at` to the open diagnostic. */
void diag_note(diag *d, span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Print the open diagnostic, if any. */
void diag_flush(diag *d);

static inline bool diag_stopped(const diag *d)
{
    return d->stopped;
}

#endif
