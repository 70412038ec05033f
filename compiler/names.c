/*
 * names.c: edit distance, Django/DRF derived names, C identifier checks.
 * Identifiers are ASCII (the lexer's rule), so the case mappings here are
 * ASCII's; Python's would agree on them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t names_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    /* Three rows of the dynamic-programming table: i-2, i-1, i. */
    size_t *rows = malloc(3 * (m + 1) * sizeof *rows);
    if (!rows)
        abort();
    size_t *older = rows, *prev = rows + (m + 1), *cur = rows + 2 * (m + 1);
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && older[j - 2] + 1 < cur[j])
                cur[j] = older[j - 2] + 1;
        }
        size_t *t = older;
        older = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[m];
    free(rows);
    return d;
}

void names_suggest_init(names_suggester *s, const char *goal)
{
    s->goal = goal;
    s->best = NULL;
    s->best_distance = 0;
}

void names_suggest_consider(names_suggester *s, const char *candidate)
{
    if (!candidate || strcmp(candidate, s->goal) == 0)
        return;
    size_t lg = strlen(s->goal), lc = strlen(candidate);
    size_t longer = lg > lc ? lg : lc;
    size_t cutoff = (longer + 2) / 3;
    /* Cheap reject: the length difference alone exceeds the cutoff. */
    if ((lg > lc ? lg - lc : lc - lg) > cutoff)
        return;
    size_t d = names_edit_distance(s->goal, candidate);
    if (d > cutoff || (s->best && d >= s->best_distance))
        return;
    s->best = candidate;
    s->best_distance = d;
}

const char *names_suggest_best(const names_suggester *s)
{
    return s->best;
}

/* The boundary of Django's and DRF's camel-case regex
 * (((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$))): a space goes before an upper-case
 * letter that follows a lower-case one, or that is followed by anything but
 * an upper-case letter or the end. */
static bool camel_boundary(const char *s, size_t i)
{
    if (!isupper((unsigned char)s[i]))
        return false;
    if (i > 0 && islower((unsigned char)s[i - 1]))
        return true;
    return s[i + 1] != '\0' && !isupper((unsigned char)s[i + 1]);
}

/* Split with spaces, then strip surrounding spaces (Python's .strip()). */
static void camel_split(const char *in, char *out)
{
    char *o = out;
    for (size_t i = 0; in[i]; i++) {
        if (camel_boundary(in, i))
            *o++ = ' ';
        *o++ = in[i];
    }
    *o = '\0';
    char *start = out;
    while (*start == ' ')
        start++;
    while (o > start && o[-1] == ' ')
        *--o = '\0';
    memmove(out, start, (size_t)(o - start) + 1);
}

void names_lower(const char *in, char *out)
{
    for (; *in; in++)
        *out++ = (char)tolower((unsigned char)*in);
    *out = '\0';
}

void names_verbose_from_class(const char *class_name, char *out)
{
    camel_split(class_name, out);
    names_lower(out, out);
}

static void replace_char(const char *in, char from, char to, char *out)
{
    for (; *in; in++)
        *out++ = *in == from ? to : *in;
    *out = '\0';
}

void names_verbose_from_field(const char *field_name, char *out)
{
    replace_char(field_name, '_', ' ', out);
}

void names_dashed(const char *name, char *out)
{
    replace_char(name, '_', '-', out);
}

void names_capfirst(const char *in, char *out)
{
    memmove(out, in, strlen(in) + 1);
    out[0] = (char)toupper((unsigned char)out[0]);
}

/* Python's str.capitalize(). */
static void capitalize(char *s)
{
    if (!*s)
        return;
    s[0] = (char)toupper((unsigned char)s[0]);
    for (size_t i = 1; s[i]; i++)
        s[i] = (char)tolower((unsigned char)s[i]);
}

void names_default_label(const char *field_name, char *out)
{
    replace_char(field_name, '_', ' ', out);
    capitalize(out);
}

void names_pretty(const char *name, char *out)
{
    names_default_label(name, out);
}

/* Python's str.title(): a letter after a letter is lower-cased, any other
 * letter upper-cased. */
static void title_case(char *s)
{
    bool after_letter = false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalpha(c)) {
            *s = (char)(after_letter ? tolower(c) : toupper(c));
            after_letter = true;
        } else {
            after_letter = false;
        }
    }
}

static void remove_trailing(char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n > k && strcmp(s + n - k, suffix) == 0)
        s[n - k] = '\0';
}

void names_view_display(const char *class_name, char *out)
{
    char *tmp = malloc(strlen(class_name) + 1);
    if (!tmp)
        abort();
    strcpy(tmp, class_name);
    remove_trailing(tmp, "View");
    remove_trailing(tmp, "ViewSet");
    camel_split(tmp, out);
    free(tmp);
    /* ' '.join(content.split('_')) */
    replace_char(out, '_', ' ', out);
    title_case(out);
}

bool names_is_c_identifier(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while",
    /* C23's new keywords, so generated code keeps compiling tomorrow. */
    "alignas", "alignof", "bool", "constexpr", "false", "nullptr",
    "static_assert", "thread_local", "true", "typeof", "typeof_unqual",
};

const char *names_c_reserved_reason(const char *s)
{
    for (size_t i = 0; i < sizeof c_keywords / sizeof *c_keywords; i++)
        if (strcmp(s, c_keywords[i]) == 0)
            return "is a C keyword";
    if (strcmp(s, "main") == 0)
        return "is the program's entry point";
    if (s[0] == '_')
        return "starts with an underscore, reserved to the C implementation";
    if (strncmp(s, "rf_", 3) == 0 || strncmp(s, "RF_", 3) == 0)
        return "uses the runtime's prefix rf_";
    return NULL;
}
