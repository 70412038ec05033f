/*
 * emit.c: the one printer every emitter writes through, and the files'
 * common parts (banner, source locations).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

void em_init(emitter *e)
{
    rf_buf_init(&e->out, NULL, 1 << 16);
    e->indent = 0;
    e->line_start = true;
}

void em_free(emitter *e)
{
    rf_buf_release(&e->out);
}

/* Append text, indenting every line that starts inside it (blank lines
 * stay empty).  Whole runs up to each newline are copied at once. */
static void put_indented(emitter *e, const char *s, size_t n)
{
    while (n) {
        if (e->line_start && *s != '\n')
            for (int k = 0; k < e->indent; k++)
                rf_buf_lit(&e->out, "    ");
        const char *nl = memchr(s, '\n', n);
        size_t run = nl ? (size_t)(nl - s) + 1 : n;
        rf_buf_append(&e->out, s, run);
        e->line_start = nl != NULL;
        s += run;
        n -= run;
    }
}

static void vprint(emitter *e, const char *fmt, va_list ap)
{
    char small[512];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < (int)sizeof small) {
        put_indented(e, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big)
            abort();
        vsnprintf(big, (size_t)n + 1, fmt, again);
        put_indented(e, big, (size_t)n);
        free(big);
    }
    va_end(again);
}

void em_printf(emitter *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(e, fmt, ap);
    va_end(ap);
}

void em_line(emitter *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(e, fmt, ap);
    va_end(ap);
    put_indented(e, "\n", 1);
}

void em_blank(emitter *e)
{
    put_indented(e, "\n", 1);
}

void em_indent(emitter *e)
{
    e->indent++;
}

void em_dedent(emitter *e)
{
    e->indent--;
}

/* Escape s as the inside of a C string literal.  Bytes >= 0x80 go out as
 * octal escapes so the file stays ASCII; "??" is split so no trigraph
 * forms. */
/* A byte a C string literal carries as it is ('?' is not: "??" could
 * start a trigraph). */
static bool plain_in_literal(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?';
}

static void escape_into(rf_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t run = i;   /* plain bytes go in one append: 1,000 resources emit megabytes */
        while (run < n && plain_in_literal((unsigned char)s[run]))
            run++;
        rf_buf_append(b, s + i, run - i);
        if (run == n)
            break;
        i = run;
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':  rf_buf_lit(b, "\\\""); break;
        case '\\': rf_buf_lit(b, "\\\\"); break;
        case '\n': rf_buf_lit(b, "\\n"); break;
        case '\t': rf_buf_lit(b, "\\t"); break;
        case '\r': rf_buf_lit(b, "\\r"); break;
        case '?':
            rf_buf_putc(b, '?');
            if (i + 1 < n && s[i + 1] == '?')
                rf_buf_lit(b, "\"\"");
            break;
        default:
            rf_buf_printf(b, "\\%03o", c);
        }
        i++;
    }
}

void em_cstr(emitter *e, const char *s)
{
    if (!s) {
        put_indented(e, "NULL", 4);
        return;
    }
    rf_buf b;
    rf_buf_init(&b, NULL, strlen(s) * 2 + 8);
    rf_buf_putc(&b, '"');
    escape_into(&b, s, strlen(s));
    rf_buf_putc(&b, '"');
    put_indented(e, b.data, b.len);
    rf_buf_release(&b);
}

void em_cstr_lines(emitter *e, const char *s)
{
    if (!*s) {
        em_line(e, "\"\"");
        return;
    }
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
        rf_buf b;
        rf_buf_init(&b, NULL, n * 2 + 8);
        rf_buf_putc(&b, '"');
        escape_into(&b, s, n);
        rf_buf_lit(&b, "\"\n");
        put_indented(e, b.data, b.len);
        rf_buf_release(&b);
        s += n;
    }
}

bool em_write(const emitter *e, const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (!path)
        abort();
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(e->out.data, 1, e->out.len, f) == e->out.len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "rflowc: cannot write '%s': %s\n", path, strerror(errno));
    free(path);
    return ok;
}

const char *em_spec_file(const model *m)
{
    const char *slash = strrchr(m->file, '/');
    return slash ? slash + 1 : m->file;
}

void em_loc(emitter *e, const model *m, model_loc loc)
{
    if (loc.line)
        em_line(e, "/* %s:%u */", em_spec_file(m), loc.line);
}

void em_banner(emitter *e, const model *m, const char *what, const char *comment)
{
    if (!*comment) {
        em_line(e, "/*");
        em_line(e, " * %s", what);
        em_line(e, " *");
        em_line(e, " * Generated by rflowc from %s.  DO NOT EDIT: change the spec and", em_spec_file(m));
        em_line(e, " * run `rflowc build` again.");
        em_line(e, " */");
        return;
    }
    em_line(e, "%s %s", comment, what);
    em_line(e, "%s Generated by rflowc from %s.  DO NOT EDIT: change the spec and", comment,
            em_spec_file(m));
    em_line(e, "%s run `rflowc build` again.", comment);
}

void em_begin(emitter *e, const model *m, const char *comment, const char *what, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, what);
    vsnprintf(text, sizeof text, what, ap);
    va_end(ap);
    em_init(e);
    em_banner(e, m, text, comment);
}

bool em_finish(emitter *e, const char *dir, const char *name)
{
    bool ok = em_write(e, dir, name);
    em_free(e);
    return ok;
}

const char *em_file(const model *m, const char *suffix)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s%s", m->name, suffix);
    return buf;
}

/* C's keywords and the records' own member, sorted for bsearch. */
static const char *const reserved_members[] = {
    "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary",
    "_Noreturn", "_Static_assert", "_Thread_local", "auto", "bool", "break", "case", "char",
    "const", "continue", "default", "do", "double", "else", "enum", "extern", "false",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "rf_state", "short", "signed", "sizeof", "static", "struct", "switch", "true", "typedef",
    "union", "unsigned", "void", "volatile", "while",
};

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *em_member(const char *name)
{
    static char bufs[4][MODEL_MAX_NAME_BYTES + 2];
    static int next;
    char *out = bufs[next++ % 4];
    bool reserved = bsearch(&name, reserved_members,
                            sizeof reserved_members / sizeof reserved_members[0],
                            sizeof reserved_members[0], compare_names) != NULL;
    snprintf(out, sizeof bufs[0], "%s%s", name, reserved ? "_" : "");
    return out;
}

const char *em_upper(const char *s)
{
    static char buf[256];
    size_t i = 0;
    for (; s[i] && i + 1 < sizeof buf; i++)
        buf[i] = (char)toupper((unsigned char)s[i]);
    buf[i] = '\0';
    return buf;
}
