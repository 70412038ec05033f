/* The rflow lexer and source positions: token streams, spans, values,
 * line/column (LF, CRLF, UTF-8), and every lexical error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grammar.h"
#include "lexer.h"

#define MAX_TOKENS 64

typedef struct lexed {
    rf_arena *arena;
    source src;
    token tokens[MAX_TOKENS];
    int count;               /* tokens before the end token */
    char *diagnostics;       /* everything diag printed */
    size_t diagnostics_len;
    unsigned errors;
} lexed;

/* Lex `len` bytes named "t.rflow"; diagnostics are captured as text. */
static void lex_bytes(lexed *l, const char *bytes, size_t len)
{
    memset(l, 0, sizeof *l);
    l->arena = rf_arena_new(0);
    source_init(&l->src, l->arena, "t.rflow", bytes, len);
    FILE *out = open_memstream(&l->diagnostics, &l->diagnostics_len);
    diag d;
    diag_init(&d, out, 0);
    diag_set_source(&d, &l->src);
    lexer lx;
    lexer_init(&lx, &l->src, l->arena, &d);
    for (;;) {
        token t = lexer_next(&lx);
        ck_assert_int_lt(l->count, MAX_TOKENS);
        l->tokens[l->count] = t;
        if (t.type == 0)
            break;
        l->count++;
    }
    l->errors = d.errors;
    diag_free(&d);
    fclose(out);
}

static void lex(lexed *l, const char *text)
{
    lex_bytes(l, text, strlen(text));
}

static void done(lexed *l)
{
    free(l->diagnostics);
    rf_arena_free(l->arena);
}

static void assert_types(const lexed *l, const int *types, int n)
{
    ck_assert_int_eq(l->count, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(l->tokens[i].type == types[i], "token %d: type %d, expected %d", i,
                      l->tokens[i].type, types[i]);
}

static void assert_span(const token *t, uint32_t off, uint32_t len)
{
    ck_assert_uint_eq(t->span.off, off);
    ck_assert_uint_eq(t->span.len, len);
}

/* ---- tokens ------------------------------------------------------------ */

START_TEST(member_token_stream_and_spans)
{
    lexed l;
    lex(&l, "resource Product : Base {\n  price = DecimalField(max_digits = 10, x = -1.5);\n}\n");
    static const int types[] = {
        TK_IDENT, TK_IDENT, TK_COLON, TK_IDENT, TK_LBRACE,
        TK_IDENT, TK_EQ, TK_IDENT, TK_LPAREN, TK_IDENT, TK_EQ, TK_INT, TK_COMMA,
        TK_IDENT, TK_EQ, TK_DECIMAL, TK_RPAREN, TK_SEMI, TK_RBRACE,
    };
    assert_types(&l, types, sizeof types / sizeof types[0]);
    assert_span(&l.tokens[0], 0, 8);    /* resource */
    assert_span(&l.tokens[1], 9, 7);    /* Product */
    assert_span(&l.tokens[5], 28, 5);   /* price */
    assert_span(&l.tokens[11], 62, 2);  /* 10 */
    ck_assert_int_eq(l.tokens[11].v.integer, 10);
    assert_span(&l.tokens[15], 70, 4);  /* -1.5 */
    assert_span(&l.tokens[18], 77, 1);  /* } */
    assert_span(&l.tokens[19], 79, 0);  /* end of input */
    ck_assert_uint_eq(l.errors, 0);
    done(&l);
}
END_TEST

START_TEST(punctuation_and_operators)
{
    lexed l;
    lex(&l, "{}[](),;:=.-&|~");
    static const int types[] = {
        TK_LBRACE, TK_RBRACE, TK_LBRACKET, TK_RBRACKET, TK_LPAREN, TK_RPAREN, TK_COMMA,
        TK_SEMI, TK_COLON, TK_EQ, TK_DOT, TK_MINUS, TK_AMP, TK_PIPE, TK_TILDE,
    };
    assert_types(&l, types, sizeof types / sizeof types[0]);
    done(&l);
}
END_TEST

START_TEST(only_true_false_null_are_reserved)
{
    lexed l;
    lex(&l, "true false null trueish async blocking resource action _x9");
    static const int types[] = {
        TK_TRUE, TK_FALSE, TK_NULL, TK_IDENT, TK_IDENT, TK_IDENT, TK_IDENT, TK_IDENT, TK_IDENT,
    };
    assert_types(&l, types, sizeof types / sizeof types[0]);
    done(&l);
}
END_TEST

START_TEST(descending_name_is_minus_then_identifier)
{
    lexed l;
    lex(&l, "[-created_at, -12]");
    static const int types[] = { TK_LBRACKET, TK_MINUS, TK_IDENT, TK_COMMA, TK_INT, TK_RBRACKET };
    assert_types(&l, types, sizeof types / sizeof types[0]);
    ck_assert_int_eq(l.tokens[4].v.integer, -12);
    done(&l);
}
END_TEST

START_TEST(integer_limits)
{
    lexed l;
    lex(&l, "9223372036854775807 -9223372036854775808 0 -0");
    ck_assert_uint_eq(l.errors, 0);
    ck_assert_int_eq(l.tokens[0].v.integer, INT64_MAX);
    ck_assert_int_eq(l.tokens[1].v.integer, INT64_MIN);
    ck_assert_int_eq(l.tokens[2].v.integer, 0);
    ck_assert_int_eq(l.tokens[3].v.integer, 0);
    done(&l);
}
END_TEST

START_TEST(comments_both_styles)
{
    lexed l;
    lex(&l, "# one \"quote\n a // two\n// three at the end");
    ck_assert_int_eq(l.count, 1);
    ck_assert_int_eq(l.tokens[0].type, TK_IDENT);
    assert_span(&l.tokens[0], 14, 1);
    ck_assert_uint_eq(l.errors, 0);
    done(&l);
}
END_TEST

START_TEST(end_token_repeats)
{
    rf_arena *a = rf_arena_new(0);
    source src;
    source_init(&src, a, "t.rflow", "x", 1);
    diag d;
    diag_init(&d, stderr, 0);
    lexer lx;
    lexer_init(&lx, &src, a, &d);
    ck_assert_int_eq(lexer_next(&lx).type, TK_IDENT);
    ck_assert_int_eq(lexer_next(&lx).type, 0);
    ck_assert_int_eq(lexer_next(&lx).type, 0);
    diag_free(&d);
    rf_arena_free(a);
}
END_TEST

/* ---- strings ----------------------------------------------------------- */

static void assert_string_value(const char *literal, const char *value, uint32_t len)
{
    lexed l;
    lex(&l, literal);
    ck_assert_uint_eq(l.errors, 0);
    ck_assert_int_eq(l.count, 1);
    ck_assert_int_eq(l.tokens[0].type, TK_STRING);
    ck_assert_uint_eq(l.tokens[0].span.len, strlen(literal));
    ck_assert_uint_eq(l.tokens[0].v.string.len, len);
    ck_assert_mem_eq(l.tokens[0].v.string.text, value, len + 1);
    done(&l);
}

START_TEST(string_escapes)
{
    assert_string_value("\"\"", "", 0);
    assert_string_value("\"a\\\"b\\\\c\\/d\\'e\"", "a\"b\\c/d'e", 9);
    assert_string_value("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t", 5);
    assert_string_value("\"'single' inside\"", "'single' inside", 15);
}
END_TEST

START_TEST(string_unicode)
{
    assert_string_value("\"caf\\u00e9\"", "caf\xc3\xa9", 5);
    assert_string_value("\"\\u20AC\"", "\xe2\x82\xac", 3);
    assert_string_value("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);   /* U+1F600 */
    assert_string_value("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4);   /* U+10FFFF */
    assert_string_value("\"raw \xc3\xa9 \xf0\x9f\x98\x80\"", "raw \xc3\xa9 \xf0\x9f\x98\x80", 11);
}
END_TEST

/* ---- positions --------------------------------------------------------- */

static void assert_pos(const source *s, uint32_t off, uint32_t line, uint32_t col)
{
    source_pos p = source_locate(s, off);
    ck_assert_msg(p.line == line && p.col == col, "offset %u: %u:%u, expected %u:%u", off, p.line,
                  p.col, line, col);
}

START_TEST(line_and_column_lf)
{
    rf_arena *a = rf_arena_new(0);
    source s;
    source_init(&s, a, "t", "ab\ncd\n\nef", 9);
    ck_assert_uint_eq(s.nlines, 4);
    assert_pos(&s, 0, 1, 1);
    assert_pos(&s, 2, 1, 3);    /* the newline itself */
    assert_pos(&s, 3, 2, 1);
    assert_pos(&s, 6, 3, 1);
    assert_pos(&s, 8, 4, 2);
    assert_pos(&s, 9, 4, 3);    /* end of input */
    rf_arena_free(a);
}
END_TEST

START_TEST(line_and_column_crlf)
{
    rf_arena *a = rf_arena_new(0);
    source s;
    source_init(&s, a, "t", "ab\r\ncd\r\n", 8);
    assert_pos(&s, 4, 2, 1);
    assert_pos(&s, 5, 2, 2);
    uint32_t len;
    const char *line = source_line(&s, 1, &len);
    ck_assert_uint_eq(len, 2);
    ck_assert(!strncmp(line, "ab", 2));
    source_line(&s, 2, &len);
    ck_assert_uint_eq(len, 2);
    source_line(&s, 3, &len);
    ck_assert_uint_eq(len, 0);
    rf_arena_free(a);
}
END_TEST

START_TEST(columns_count_bytes)
{
    lexed l;
    lex(&l, "\"\xc3\xa9\xc3\xa9\" x");   /* "éé" x */
    source_pos p = source_locate(&l.src, l.tokens[1].span.off);
    ck_assert_uint_eq(p.line, 1);
    ck_assert_uint_eq(p.col, 8);
    done(&l);
}
END_TEST

START_TEST(oversized_input_is_refused)
{
    rf_arena *a = rf_arena_new(0);
    size_t n = SOURCE_MAX_BYTES + 1;
    char *big = malloc(n);
    memset(big, ' ', n);
    source s;
    ck_assert(!source_init(&s, a, "big", big, n));
    ck_assert_uint_eq(s.len, 0);
    ck_assert(source_init(&s, a, "fits", big, SOURCE_MAX_BYTES));
    ck_assert_uint_eq(s.len, SOURCE_MAX_BYTES);
    free(big);
    rf_arena_free(a);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

/* Lex `bytes` and compare the first diagnostic line with `message`. */
static void assert_first_error(const char *bytes, size_t len, const char *message)
{
    lexed l;
    lex_bytes(&l, bytes, len);
    ck_assert_uint_ge(l.errors, 1);
    size_t first_line = strcspn(l.diagnostics, "\n");
    ck_assert_msg(strlen(message) == first_line && !strncmp(l.diagnostics, message, first_line),
                  "got: %.*s\nwant: %s", (int)first_line, l.diagnostics, message);
    done(&l);
}

#define ERR(lit, message) assert_first_error(lit, sizeof(lit) - 1, message)

START_TEST(string_errors)
{
    ERR("x = \"abc\ny", "t.rflow:1:5: error: missing terminating \" character");
    ERR("x = \"abc", "t.rflow:1:5: error: missing terminating \" character");
    ERR("\"a\\qb\"", "t.rflow:1:3: error: unknown escape sequence '\\q'; strings know "
                     "\\\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
    ERR("\"\\u12\"", "t.rflow:1:2: error: '\\u' must be followed by four hexadecimal digits");
    ERR("\"\\ud83d!\"", "t.rflow:1:2: error: high surrogate \\uD83D must be followed by a low "
                        "surrogate \\uDC00..\\uDFFF");
    ERR("\"\\ud83d\\u0041\"", "t.rflow:1:2: error: high surrogate \\uD83D must be followed by a low "
                              "surrogate \\uDC00..\\uDFFF");
    ERR("\"\\udc00\"", "t.rflow:1:2: error: low surrogate \\uDC00 without a high surrogate before it");
    ERR("\"\\u0000\"", "t.rflow:1:2: error: \\u0000 is not allowed in a string");
    ERR("\"a\tb\"", "t.rflow:1:3: error: tab character in a string; write it as \\t");
    ERR("\"a\x01\"", "t.rflow:1:3: error: unexpected control character U+0001");
    ERR("'abc'", "t.rflow:1:1: error: strings are written in double quotes");
}
END_TEST

START_TEST(stray_byte_errors)
{
    ERR("a\0b", "t.rflow:1:2: error: unexpected NUL byte");
    ERR("a\x7f", "t.rflow:1:2: error: unexpected control character U+007F");
    ERR("a\rb", "t.rflow:1:2: error: stray carriage return; lines end with LF or CRLF");
    ERR("a @", "t.rflow:1:3: error: unexpected character '@'");
    ERR("\xc3\xa9", "t.rflow:1:1: error: unexpected character '\xc3\xa9' (U+00E9); names are ASCII, "
                    "other text belongs in strings or comments");
}
END_TEST

START_TEST(invalid_utf8_everywhere)
{
    ERR("\xff", "t.rflow:1:1: error: invalid UTF-8 byte 0xFF");
    ERR("\"\xc0\x80\"", "t.rflow:1:2: error: invalid UTF-8 byte 0xC0");          /* overlong */
    ERR("\"\xed\xa0\x80\"", "t.rflow:1:2: error: invalid UTF-8 byte 0xED");      /* surrogate */
    ERR("\"\xf4\x90\x80\x80\"", "t.rflow:1:2: error: invalid UTF-8 byte 0xF4");  /* > U+10FFFF */
    ERR("\"\xe2\x82\"", "t.rflow:1:2: error: invalid UTF-8 byte 0xE2");          /* truncated */
    ERR("# \xfe\n", "t.rflow:1:3: error: invalid UTF-8 byte 0xFE");             /* in a comment */
}
END_TEST

START_TEST(number_errors)
{
    ERR("007", "t.rflow:1:1: error: leading zeros are not allowed in a number");
    ERR("-01.5", "t.rflow:1:1: error: leading zeros are not allowed in a number");
    ERR("9223372036854775808", "t.rflow:1:1: error: integer is out of range (a 64-bit signed integer)");
    ERR("-9223372036854775809", "t.rflow:1:1: error: integer is out of range (a 64-bit signed integer)");
    ERR("19.", "t.rflow:1:1: error: a decimal needs digits after the '.'");
    ERR("0x1F", "t.rflow:1:2: error: invalid suffix 'x1F' on a number");
    ERR("10px", "t.rflow:1:3: error: invalid suffix 'px' on a number");
}
END_TEST

START_TEST(operator_slips)
{
    ERR("a && b", "t.rflow:1:3: error: '&&' is not an rflow operator; write '&'");
    ERR("a || b", "t.rflow:1:3: error: '||' is not an rflow operator; write '|'");
    ERR("!a", "t.rflow:1:1: error: '!' is not an rflow operator; write '~'");
    ERR("a == b", "t.rflow:1:3: error: '==' is not an rflow operator; write '='");
    lexed l;
    lex(&l, "a && b");
    static const int types[] = { TK_IDENT, TK_AMP, TK_IDENT };
    assert_types(&l, types, 3);
    done(&l);
}
END_TEST

/* A string literal of `total` bytes, quotes included. */
static char *quoted_string(size_t total)
{
    char *s = malloc(total + 1);
    memset(s, 'x', total);
    s[0] = s[total - 1] = '"';
    s[total] = '\0';
    return s;
}

START_TEST(length_limits)
{
    char word[LEX_MAX_WORD + 2];
    memset(word, 'a', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    assert_first_error(word, strlen(word), "t.rflow:1:1: error: identifier is too long (256 bytes; the limit is 255)");
    lexed l;
    lex_bytes(&l, word, LEX_MAX_WORD);
    ck_assert_uint_eq(l.errors, 0);
    done(&l);

    char *fits = quoted_string(LEX_MAX_STRING);
    lex(&l, fits);
    ck_assert_uint_eq(l.errors, 0);
    done(&l);
    free(fits);
    char *over = quoted_string(LEX_MAX_STRING + 1);
    assert_first_error(over, strlen(over),
                       "t.rflow:1:1: error: string literal is too long (65537 bytes; the limit is 65536)");
    free(over);
}
END_TEST

START_TEST(errors_recover_and_mark_the_next_token)
{
    lexed l;
    lex(&l, "a @ b c");
    ck_assert_uint_eq(l.errors, 1);
    ck_assert_int_eq(l.count, 3);
    ck_assert(!l.tokens[0].after_error);
    ck_assert(l.tokens[1].after_error);   /* b, right after the '@' */
    ck_assert(!l.tokens[2].after_error);
    done(&l);

    lex(&l, "\"\\q\" x");
    ck_assert(l.tokens[0].after_error);   /* the string holding the error */
    ck_assert_str_eq(l.tokens[0].v.string.text, "");
    ck_assert(!l.tokens[1].after_error);
    done(&l);
}
END_TEST

START_TEST(diagnostic_shows_line_and_caret)
{
    lexed l;
    lex(&l, "x = 1;\n\tname = \"\xc3\xa9\" @;\n");
    ck_assert_str_eq(l.diagnostics,
                     "t.rflow:2:14: error: unexpected character '@'\n"
                     "\tname = \"\xc3\xa9\" @;\n"
                     "\t           ^\n");   /* one space per character */
    done(&l);
}
END_TEST

Suite *make_lexer_suite(void)
{
    Suite *s = suite_create("lexer");
    TCase *tc = tcase_create("tokens");
    tcase_add_test(tc, member_token_stream_and_spans);
    tcase_add_test(tc, punctuation_and_operators);
    tcase_add_test(tc, only_true_false_null_are_reserved);
    tcase_add_test(tc, descending_name_is_minus_then_identifier);
    tcase_add_test(tc, integer_limits);
    tcase_add_test(tc, comments_both_styles);
    tcase_add_test(tc, end_token_repeats);
    tcase_add_test(tc, string_escapes);
    tcase_add_test(tc, string_unicode);
    suite_add_tcase(s, tc);

    tc = tcase_create("positions");
    tcase_add_test(tc, line_and_column_lf);
    tcase_add_test(tc, line_and_column_crlf);
    tcase_add_test(tc, columns_count_bytes);
    tcase_add_test(tc, oversized_input_is_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, string_errors);
    tcase_add_test(tc, stray_byte_errors);
    tcase_add_test(tc, invalid_utf8_everywhere);
    tcase_add_test(tc, number_errors);
    tcase_add_test(tc, operator_slips);
    tcase_add_test(tc, length_limits);
    tcase_add_test(tc, errors_recover_and_mark_the_next_token);
    tcase_add_test(tc, diagnostic_shows_line_and_caret);
    suite_add_tcase(s, tc);
    return s;
}
