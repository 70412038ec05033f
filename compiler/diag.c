/*
 * diag.c: printing diagnostics (see diag.h for the format).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Source lines longer than this are shown as a window around the caret, so
 * one error in a minified 16 MiB line does not print 16 MiB. */
#define DIAG_LINE_WINDOW 160

void diag_init(diag *d, FILE *out, unsigned max_errors)
{
    memset(d, 0, sizeof *d);
    d->out = out;
    d->max_errors = max_errors;
    rf_buf_init(&d->message, NULL, 256);
}

static void drop_notes(diag *d)
{
    for (unsigned i = 0; i < d->nnotes; i++)
        rf_buf_release(&d->notes[i].text);
    d->nnotes = 0;
}

void diag_free(diag *d)
{
    diag_flush(d);
    rf_buf_release(&d->message);
    free(d->notes);
    d->notes = NULL;
    d->notes_cap = 0;
}

void diag_set_source(diag *d, const source *src)
{
    diag_flush(d);
    d->src = src;
}

/* ---- printing ---------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 when the bytes
 * there are not one. */
static unsigned utf8_sequence_length(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    unsigned n;
    uint32_t min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (avail < n)
        return 0;
    uint32_t cp = c & (0x3F >> (n - 1));
    for (unsigned i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Print line[from, to) as display units, and the caret line under it with
 * the caret at byte `caret` (from <= caret <= to). */
static void print_excerpt(FILE *out, const char *line, uint32_t from, uint32_t to,
                          uint32_t caret, bool cut_left, bool cut_right)
{
    const unsigned char *s = (const unsigned char *)line;
    rf_buf under;
    rf_buf_init(&under, NULL, 128);
    if (cut_left) {
        fputs("...", out);
        rf_buf_lit(&under, "   ");
    }
    uint32_t i = from;
    while (i < to) {
        unsigned n = utf8_sequence_length(s + i, to - i);
        bool printable = n > 1 || (n == 1 && (s[i] >= 0x20 || s[i] == '\t') && s[i] != 0x7F);
        if (printable)
            fwrite(s + i, 1, n, out);
        else
            fputc('?', out);
        if (i < caret)
            rf_buf_putc(&under, s[i] == '\t' ? '\t' : ' ');
        i += n ? n : 1;
    }
    if (cut_right)
        fputs("...", out);
    fputc('\n', out);
    fprintf(out, "%s^\n", under.data);
    rf_buf_release(&under);
}

static uint32_t back_to_char_start(const char *line, uint32_t i)
{
    while (i > 0 && ((unsigned char)line[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static void print_source_line(const diag *d, source_pos pos)
{
    uint32_t len;
    const char *line = source_line(d->src, pos.line, &len);
    uint32_t caret = pos.col - 1 <= len ? pos.col - 1 : len;
    uint32_t from = 0, to = len;
    if (len > DIAG_LINE_WINDOW) {
        from = caret > DIAG_LINE_WINDOW / 2 ? caret - DIAG_LINE_WINDOW / 2 : 0;
        from = back_to_char_start(line, from);
        if (from + DIAG_LINE_WINDOW < len)
            to = back_to_char_start(line, from + DIAG_LINE_WINDOW);
    }
    print_excerpt(d->out, line, from, to, caret, from > 0, to < len);
}

static const char *level_word(diag_level level)
{
    switch (level) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_NOTE: return "note";
    }
    return "error";
}

static void print_header(const diag *d, bool has_pos, span at, diag_level level, const char *text)
{
    const char *name = d->src ? d->src->name : "rflowc";
    if (has_pos && d->src) {
        source_pos pos = source_locate(d->src, at.off);
        fprintf(d->out, "%s:%u:%u: %s: %s\n", name, pos.line, pos.col, level_word(level), text);
    } else {
        fprintf(d->out, "%s: %s: %s\n", name, level_word(level), text);
    }
}

void diag_flush(diag *d)
{
    if (!d->pending)
        return;
    d->pending = false;
    print_header(d, d->has_pos, d->at, d->level, d->message.data);
    if (d->has_pos && d->src)
        print_source_line(d, source_locate(d->src, d->at.off));
    for (unsigned i = 0; i < d->nnotes; i++) {
        diag_note_item *n = &d->notes[i];
        print_header(d, n->has_pos, n->at, DIAG_NOTE, n->text.data);
    }
    drop_notes(d);
    fflush(d->out);
}

/* ---- building ---------------------------------------------------------- */

static void buf_vprintf(rf_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    rf_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

/* Open a new diagnostic; false when it is to be dropped (past the cap). */
static bool open_diag(diag *d, diag_level level, bool has_pos, span at)
{
    diag_flush(d);
    if (d->stopped)
        return false;
    if (level == DIAG_ERROR) {
        if (d->max_errors && d->errors == d->max_errors) {
            d->stopped = true;
            fprintf(d->out, "rflowc: note: stopping after %u errors (--max-errors=N sets the limit, 0 for none)\n",
                    d->max_errors);
            return false;
        }
        d->errors++;
    } else {
        d->warnings++;
    }
    d->pending = true;
    d->level = level;
    d->has_pos = has_pos;
    d->at = at;
    d->message.len = 0;
    d->message.data[0] = '\0';
    return true;
}

void diag_error(diag *d, span at, const char *fmt, ...)
{
    if (!open_diag(d, DIAG_ERROR, true, at))
        return;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&d->message, fmt, ap);
    va_end(ap);
}

void diag_warning(diag *d, span at, const char *fmt, ...)
{
    if (!open_diag(d, DIAG_WARNING, true, at))
        return;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&d->message, fmt, ap);
    va_end(ap);
}

void diag_error_file(diag *d, const char *fmt, ...)
{
    if (!open_diag(d, DIAG_ERROR, false, span_make(0, 0)))
        return;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&d->message, fmt, ap);
    va_end(ap);
}

void diag_hint(diag *d, const char *fmt, ...)
{
    if (!d->pending)
        return;
    rf_buf_lit(&d->message, "; ");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&d->message, fmt, ap);
    va_end(ap);
}

void diag_note(diag *d, span at, const char *fmt, ...)
{
    if (!d->pending)
        return;
    if (d->nnotes == d->notes_cap) {
        d->notes_cap = d->notes_cap ? d->notes_cap * 2 : 4;
        d->notes = realloc(d->notes, d->notes_cap * sizeof *d->notes);
        if (!d->notes)
            abort();
    }
    diag_note_item *n = &d->notes[d->nnotes++];
    n->at = at;
    n->has_pos = true;
    rf_buf_init(&n->text, NULL, 128);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&n->text, fmt, ap);
    va_end(ap);
}
