/*
 * sqlite_regexp.c: rf_iregexp(pattern, text) on SQLite, the '$' search
 * prefix.  Django runs iregex on SQLite as REGEXP '(?i)' || pattern, a
 * Python function: bool(re.search(pattern, str(text))), False for NULL.
 * Here the pattern is a POSIX extended regular expression (glibc's
 * regcomp), which agrees with Python's re on the syntax a search box
 * meets: anchors, '.', classes, alternation, groups, repetition and the
 * GNU escapes \w \W \s \S \b \B; Python's \d and \D are rewritten.
 * Other Python-only syntax (lazy quantifiers, lookarounds, inline flags,
 * escapes inside brackets) and POSIX's [:classes:] do not agree
 * (docs/policies.md).
 * Matching is bytewise with ASCII case folding, as SQLite's LIKE.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_regexp.h"

static void free_regex(void *re)
{
    regfree(re);
    free(re);
}

/* Copies a bracket expression's '[' and what may follow it without ending
 * it (a '^', then a ']'); returns the index of the last one copied. */
static size_t copy_set_start(const char *p, size_t i, char *out, size_t *o)
{
    out[(*o)++] = p[i];
    if (p[i + 1] == '^')
        out[(*o)++] = p[++i];
    if (p[i + 1] == ']')
        out[(*o)++] = p[++i];
    return i;
}

/* The index of the ']' that ends a [:class:] starting at p[i], 0 when
 * p[i] does not start one. */
static size_t class_end(const char *p, size_t i)
{
    if (p[i] != '[' || p[i + 1] != ':')
        return 0;
    size_t name = i + 2, len = strcspn(p + name, ":]");
    return p[name + len] == ':' && p[name + len + 1] == ']' ? name + len + 1 : 0;
}

/* Python's \d and \D, which glibc reads as the letters: [0-9] and [^0-9],
 * and 0-9 inside a bracket expression.  NULL when out of memory. */
static char *with_python_digits(const char *p)
{
    size_t n = strlen(p), o = 0;
    char *out = malloc(3 * n + 1);   /* "\D" (2) becomes "[^0-9]" (6) */
    if (!out)
        return NULL;
    bool in_set = false;
    for (size_t i = 0; i < n; i++) {
        bool digit = p[i] == '\\' && (p[i + 1] == 'd' || (p[i + 1] == 'D' && !in_set));
        if (digit) {
            const char *as = in_set ? "0-9" : p[i + 1] == 'd' ? "[0-9]" : "[^0-9]";
            memcpy(out + o, as, strlen(as));
            o += strlen(as);
            i++;
        } else if (!in_set && p[i] == '\\' && p[i + 1]) {
            out[o++] = p[i++];
            out[o++] = p[i];
        } else if (!in_set && p[i] == '[') {
            i = copy_set_start(p, i, out, &o);
            in_set = true;
        } else if (in_set && class_end(p, i)) {
            size_t end = class_end(p, i);
            memcpy(out + o, p + i, end - i + 1);
            o += end - i + 1;
            i = end;
        } else {
            in_set = in_set && p[i] != ']';
            out[o++] = p[i];
        }
    }
    out[o] = '\0';
    return out;
}

static regex_t *compile(sqlite3_context *ctx, sqlite3_value *pattern)
{
    const char *text = (const char *)sqlite3_value_text(pattern);
    regex_t *re = malloc(sizeof *re);
    char *posix = with_python_digits(text ? text : "");
    if (!re || !posix) {
        free(re);
        free(posix);
        sqlite3_result_error_nomem(ctx);
        return NULL;
    }
    int failed = regcomp(re, posix, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    free(posix);
    if (failed) {
        free(re);
        sqlite3_result_error(ctx, "rf_iregexp: invalid regular expression", -1);
        return NULL;
    }
    return re;
}

/* The compiled pattern stays with the statement while its argument is the
 * same (a bound parameter: compiled once per query, not once per row). */
static void iregexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    regex_t *re = sqlite3_get_auxdata(ctx, 0);
    bool fresh = re == NULL;
    if (fresh && !(re = compile(ctx, argv[0])))
        return;
    const char *subject = (const char *)sqlite3_value_text(argv[1]);
    sqlite3_result_int(ctx, subject && regexec(re, subject, 0, NULL, 0) == 0);
    if (fresh)  /* after its last use: SQLite may free it at once */
        sqlite3_set_auxdata(ctx, 0, re, free_regex);
}

int rf_sqlite_regexp_register(sqlite3 *db)
{
    return sqlite3_create_function_v2(db, RF_SQLITE_IREGEXP, 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, iregexp,
                                      NULL, NULL, NULL);
}
