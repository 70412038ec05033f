/*
 * names.h: name arithmetic shared by sema and the emitters.
 *
 *   - "did you mean": an edit distance and a cutoff, GCC's way;
 *   - Django's and DRF's derived names: a model's verbose_name, a field's
 *     label, a view's display name;
 *   - C identifiers: whether a hook name can be a C function of the user's.
 *
 * Functions that build a name write into a caller's buffer; `out` must hold
 * NAMES_BUF(strlen(in)) bytes (a space may be inserted before every
 * character, plus the NUL).
 */
#ifndef RFLOWC_NAMES_H
#define RFLOWC_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define NAMES_BUF(len) (2 * (len) + 1)

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions).  A change of letter case alone costs 1, so
 * `productserializer` still finds `ProductSerializer`. */
size_t names_edit_distance(const char *a, const char *b);

/* Collects the nearest candidate for a misspelt name.  A candidate is
 * accepted only within GCC's cutoff ((longer length + 2) / 3), so unrelated
 * names are never suggested; ties keep the first one considered, so
 * suggestions follow declaration order. */
typedef struct names_suggester {
    const char *goal;
    const char *best;
    size_t best_distance;
} names_suggester;

void names_suggest_init(names_suggester *s, const char *goal);
void names_suggest_consider(names_suggester *s, const char *candidate);
/* The best candidate, or NULL.  Never the goal itself. */
const char *names_suggest_best(const names_suggester *s);

/* Django's camel_case_to_spaces: "ProductReview" -> "product review",
 * "APIKey" -> "api key".  A model's default verbose_name. */
void names_verbose_from_class(const char *class_name, char *out);

/* A model field's default verbose_name: "created_at" -> "created at". */
void names_verbose_from_field(const char *field_name, char *out);

/* Django's capfirst: the first character upper-cased, the rest kept. */
void names_capfirst(const char *in, char *out);

/* DRF's default field label: name.replace('_', ' ').capitalize(), which
 * lower-cases every character after the first ("user_ID" -> "User id"). */
void names_default_label(const char *field_name, char *out);

/* DRF's get_view_name for a class: drop a trailing "View", then a trailing
 * "ViewSet", split CamelCase, then Python's str.title():
 * "TopProductsView" -> "Top Products", "APIRoot" -> "Api Root". */
void names_view_display(const char *class_name, char *out);

/* The @action decorator's default name: Django's pretty_name,
 * "publish_now" -> "Publish now". */
void names_pretty(const char *name, char *out);

/* An extra action's default url_name: '_' replaced by '-'. */
void names_dashed(const char *name, char *out);

/* Lower-case ASCII copy (DRF's default basename: model name lower). */
void names_lower(const char *in, char *out);

/* True when s is [A-Za-z_][A-Za-z0-9_]*. */
bool names_is_c_identifier(const char *s);

/* Why a C identifier cannot name a user's hook, or NULL when it can:
 * a C keyword (C11 and C23), `main`, a name reserved to the implementation
 * (leading underscore), or the runtime's prefixes rf_ and RF_. */
const char *names_c_reserved_reason(const char *s);

#endif
