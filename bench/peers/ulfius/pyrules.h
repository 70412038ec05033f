/*
 * Python's rules for reading and writing text, where DRF's answers depend on
 * them: int() and Decimal() parsing, str.strip(), repr() of a float, and
 * the query strings that Django parses and DRF's page links rebuild.
 */
#ifndef BENCH_PYRULES_H
#define BENCH_PYRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* int(text): surrounding whitespace, a sign, digits with single underscores. */
bool python_int(const char *text, int64_t *out);
/* str.strip() for ASCII whitespace, in place; returns the new start. */
char *strip(char *text);
/* len() of UTF-8 text: code points. */
size_t utf8_length(const char *text);
/* repr() of a float, malloc'ed ("1.5", "100.0", "1e+16"). */
char *python_float_repr(double v);

/* A finite Decimal as as_tuple() gives it: coefficient digits without
 * leading zeros (at least "0") and the exponent. */
struct decimal {
    bool negative;
    char digits[48];
    int exponent;
};

bool decimal_parse(const char *text, struct decimal *out);
/* DRF's DecimalField.validate_precision: the message of the first limit
 * broken, or NULL. */
const char *decimal_precision_error(const struct decimal *d, int max_digits, int places);
bool decimal_is_zero(const struct decimal *d);
/* The value with exactly `places` decimal places (already within them). */
void decimal_format(const struct decimal *d, int places, char *out, size_t size);
double decimal_to_double(const struct decimal *d);

/* A parsed query string (parse_qsl with keep_blank_values). */
struct query;
struct query *query_parse(const char *url);
void query_free(struct query *q);
/* The last value of name, as Django's QueryDict.get; NULL when absent. */
const char *query_get(const struct query *q, const char *name);
/* DRF's replace_query_param(url, "page", page), or remove_query_param for
 * page 1: "http://HOST/PATH?k=v..." with keys sorted, malloc'ed. */
char *query_page_url(const struct query *q, const char *host, const char *path, int64_t page);

#endif
