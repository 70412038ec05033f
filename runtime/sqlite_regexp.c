/*
 * sqlite_regexp.c: rf_iregexp(pattern, text) on SQLite, the '$' search
 * prefix.  Django runs iregex on SQLite as REGEXP '(?i)' || pattern, a
 * Python function: bool(re.search(pattern, str(text))), False for NULL.
 * Here the pattern is a POSIX extended regular expression (glibc's
 * regcomp), which agrees with Python's re on the syntax a search box
 * meets: anchors, '.', classes, alternation, groups, repetition and the
 * GNU escapes \w \W \s \S \b \B.  Python-only syntax (\d, lazy
 * quantifiers, lookarounds, inline flags) does not (docs/policies.md).
 * Matching is bytewise with ASCII case folding, as SQLite's LIKE.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sqlite_regexp.h"

static void free_regex(void *re)
{
    regfree(re);
    free(re);
}

static regex_t *compile(sqlite3_context *ctx, sqlite3_value *pattern)
{
    regex_t *re = malloc(sizeof *re);
    if (!re) {
        sqlite3_result_error_nomem(ctx);
        return NULL;
    }
    const char *text = (const char *)sqlite3_value_text(pattern);
    if (regcomp(re, text ? text : "", REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
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
