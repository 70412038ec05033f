/*
 * lexer.re: the .rflow tokenizer (re2c).  See lexer.h for the contract.
 *
 * The buffer is NUL-terminated but may hold NULs inside, so the end of input
 * is found by re2c's sentinel-with-bounds-check method (re2c:eof): a NUL
 * before the limit is an ordinary (and reported) byte.
 *
 * Lexical decisions, for docs/language.md:
 *   - the input is UTF-8; invalid UTF-8 is an error anywhere, comments
 *     included; non-ASCII characters may appear only in strings and comments;
 *   - lines end with LF or CRLF; a lone CR is an error (editors disagree on
 *     whether it ends a line, and positions would disagree with them);
 *   - whitespace is space, tab and line endings; other control characters
 *     are errors, in strings too (write them as escapes);
 *   - strings are double quoted and end on their line; escapes are
 *     \" \' \\ \/ \b \f \n \r \t and \uXXXX (a surrogate pair for code
 *     points above U+FFFF); \u0000 is refused, since names and values end up
 *     in C strings;
 *   - numbers: an optional '-' glued to the digits, then digits, then
 *     optionally '.' and digits.  Integers must fit in 64 bits; leading
 *     zeros are refused (is 010 eight or ten?);
 *   - reserved words: true, false, null.  Everything else is an identifier.
 *   - common slips get a precise message and are read as what was meant:
 *     'single quotes' as a string, && as &, || as |, ! as ~, == as =.
 */
#include <inttypes.h>
#include <string.h>

#include "grammar.h"
#include "lexer.h"

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:yyfill:enable = 0;
    re2c:eof = 0;

    utf8_2 = [\xC2-\xDF] [\x80-\xBF];
    utf8_3 = [\xE0] [\xA0-\xBF] [\x80-\xBF]
           | [\xE1-\xEC\xEE\xEF] [\x80-\xBF]{2}
           | [\xED] [\x80-\x9F] [\x80-\xBF];
    utf8_4 = [\xF0] [\x90-\xBF] [\x80-\xBF]{2}
           | [\xF1-\xF3] [\x80-\xBF]{3}
           | [\xF4] [\x80-\x8F] [\x80-\xBF]{2};
    utf8_multi = utf8_2 | utf8_3 | utf8_4;
    control = [\x01-\x08\x0B\x0C\x0E-\x1F\x7F];
    hex = [0-9A-Fa-f];
*/

void lexer_init(lexer *lx, const source *src, rf_arena *a, diag *d)
{
    lx->src = src;
    lx->arena = a;
    lx->diag = d;
    lx->cursor = 0;
    lx->error_seen = false;
}

static uint32_t offset_of(const lexer *lx, const unsigned char *p)
{
    return (uint32_t)(p - (const unsigned char *)lx->src->text);
}

static span span_between(const lexer *lx, const unsigned char *from, const unsigned char *to)
{
    return span_make(offset_of(lx, from), (uint32_t)(to - from));
}

/* Decode the UTF-8 sequence at p (already known to be well formed). */
static uint32_t decode_utf8(const unsigned char *p)
{
    if (p[0] < 0xE0)
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    if (p[0] < 0xF0)
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

static void encode_utf8(rf_buf *b, uint32_t cp)
{
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rf_buf_append(b, out, n);
}

static uint32_t hex4(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* ---- errors ------------------------------------------------------------ */

/* Report, and remember it so the parser stays quiet about the next token. */
#define LEX_ERROR(lx, at, ...) \
    ((lx)->error_seen = true, diag_error((lx)->diag, (at), __VA_ARGS__))

/* A byte that cannot start any token. */
static void report_stray(lexer *lx, const unsigned char *p, const unsigned char *end)
{
    span at = span_between(lx, p, end);
    size_t n = (size_t)(end - p);
    if (n > 1)
        LEX_ERROR(lx, at, "unexpected character '%.*s' (U+%04" PRIX32 "); names are ASCII, "
                  "other text belongs in strings or comments", (int)n, (const char *)p, decode_utf8(p));
    else if (*p == 0)
        LEX_ERROR(lx, at, "unexpected NUL byte");
    else if (*p == '\r')
        LEX_ERROR(lx, at, "stray carriage return; lines end with LF or CRLF");
    else if (*p < 0x20 || *p == 0x7F)
        LEX_ERROR(lx, at, "unexpected control character U+%04X", *p);
    else if (*p >= 0x80)
        LEX_ERROR(lx, at, "invalid UTF-8 byte 0x%02X", *p);
    else
        LEX_ERROR(lx, at, "unexpected character '%c'", *p);
}

/* ---- comments ---------------------------------------------------------- */

/* Skip a comment from p (just past "#" or "//") to the end of its line;
 * returns where the line ending (or the input) begins. */
static const unsigned char *skip_comment(lexer *lx, const unsigned char *p)
{
    const unsigned char *YYCURSOR = p, *YYMARKER = p;
    const unsigned char *YYLIMIT = (const unsigned char *)lx->src->text + lx->src->len;
    for (;;) {
        const unsigned char *start = YYCURSOR;
        /*!re2c
            $                  { return start; }
            "\n" | "\r\n"      { return start; }
            [\t\x20-\x7E]+     { continue; }
            utf8_multi         { continue; }
            *                  { report_stray(lx, start, YYCURSOR); continue; }
        */
    }
}

/* ---- strings ----------------------------------------------------------- */

typedef struct string_state {
    lexer *lx;
    const unsigned char *open;   /* the opening quote */
    rf_buf value;
} string_state;

static void report_unterminated(string_state *st, unsigned char quote)
{
    lexer *lx = st->lx;
    LEX_ERROR(lx, span_make(offset_of(lx, st->open), 1), "missing terminating %c character", quote);
}

static void report_bad_escape(string_state *st, const unsigned char *at, const unsigned char *end)
{
    lexer *lx = st->lx;
    size_t n = (size_t)(end - at);
    if (n >= 2 && at[1] == 'u')
        LEX_ERROR(lx, span_between(lx, at, end), "'\\u' must be followed by four hexadecimal digits");
    else if (n >= 2 && at[1] >= 0x20 && at[1] < 0x7F)
        LEX_ERROR(lx, span_between(lx, at, end),
                  "unknown escape sequence '\\%c'; strings know \\\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                  at[1]);
    else
        LEX_ERROR(lx, span_between(lx, at, end), "a '\\' must be followed by an escape character");
}

/* \uXXXX, with p at the backslash; a high surrogate takes the \uXXXX after
 * it.  Returns where scanning resumes. */
static const unsigned char *unicode_escape(string_state *st, const unsigned char *p)
{
    lexer *lx = st->lx;
    uint32_t cp = hex4(p + 2);
    const unsigned char *end = p + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        bool paired = end[0] == '\\' && end[1] == 'u' && strspn((const char *)end + 2, "0123456789abcdefABCDEF") >= 4;
        uint32_t low = paired ? hex4(end + 2) : 0;
        if (low < 0xDC00 || low > 0xDFFF) {
            LEX_ERROR(lx, span_between(lx, p, end),
                      "high surrogate \\u%04" PRIX32 " must be followed by a low surrogate \\uDC00..\\uDFFF", cp);
            return end;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        end += 6;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        LEX_ERROR(lx, span_between(lx, p, end), "low surrogate \\u%04" PRIX32 " without a high surrogate before it", cp);
        return end;
    } else if (cp == 0) {
        LEX_ERROR(lx, span_between(lx, p, end), "\\u0000 is not allowed in a string");
        return end;
    }
    encode_utf8(&st->value, cp);
    return end;
}

static char simple_escape_value(unsigned char c)
{
    switch (c) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return (char)c;   /* " ' \ / */
    }
}

/* Scan the body of a string whose opening quote `quote` is at st->open.
 * Returns the end of the literal (past the closing quote, or at the end of
 * the line when it is missing). */
static const unsigned char *scan_string(string_state *st, unsigned char quote)
{
    lexer *lx = st->lx;
    const unsigned char *YYCURSOR = st->open + 1, *YYMARKER = YYCURSOR;
    const unsigned char *YYLIMIT = (const unsigned char *)lx->src->text + lx->src->len;
    for (;;) {
        const unsigned char *start = YYCURSOR;
        /*!re2c
            $                     { report_unterminated(st, quote); return start; }
            "\n" | "\r\n"          { report_unterminated(st, quote); return start; }
            ["']                  {
                if (*start == quote)
                    return YYCURSOR;
                rf_buf_putc(&st->value, (char)*start);
                continue;
            }
            [\\] ["'\\/bfnrt]     { rf_buf_putc(&st->value, simple_escape_value(start[1])); continue; }
            [\\] "u" hex{4}       { YYCURSOR = unicode_escape(st, start); continue; }
            [\\] ([\x20-\x7E] | utf8_multi)? { report_bad_escape(st, start, YYCURSOR); continue; }
            ([\x20-\x7E] \ ["'\\])+ { rf_buf_append(&st->value, start, (size_t)(YYCURSOR - start)); continue; }
            utf8_multi            { rf_buf_append(&st->value, start, (size_t)(YYCURSOR - start)); continue; }
            [\t] {
                LEX_ERROR(lx, span_between(lx, start, YYCURSOR), "tab character in a string; write it as \\t");
                continue;
            }
            *                     { report_stray(lx, start, YYCURSOR); continue; }
        */
    }
}

static token lex_string(lexer *lx, const unsigned char *open, token t)
{
    string_state st = { .lx = lx, .open = open };
    rf_buf_init(&st.value, lx->arena, 32);
    if (*open == '\'')
        LEX_ERROR(lx, span_make(offset_of(lx, open), 1), "strings are written in double quotes");
    const unsigned char *end = scan_string(&st, *open);
    t.type = TK_STRING;
    t.span = span_between(lx, open, end);
    if (t.span.len > LEX_MAX_STRING) {
        LEX_ERROR(lx, span_make(t.span.off, 1), "string literal is too long (%" PRIu32 " bytes; the limit is %d)",
                  t.span.len, LEX_MAX_STRING);
        st.value.len = 0;
        st.value.data[0] = '\0';
    }
    t.v.string.text = st.value.data;
    t.v.string.len = (uint32_t)st.value.len;
    return t;
}

/* ---- numbers and words ------------------------------------------------- */

/* Value of an integer literal (optional '-', digits), or false on overflow. */
static bool integer_value(const unsigned char *p, const unsigned char *end, int64_t *out)
{
    bool negative = *p == '-';
    if (negative)
        p++;
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; p < end; p++) {
        unsigned d = *p - '0';
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool check_word_length(lexer *lx, token *t, const char *what)
{
    if (t->span.len <= LEX_MAX_WORD)
        return true;
    LEX_ERROR(lx, span_make(t->span.off, 1), "%s is too long (%" PRIu32 " bytes; the limit is %d)",
              what, t->span.len, LEX_MAX_WORD);
    return false;
}

static void check_leading_zero(lexer *lx, const unsigned char *p, const unsigned char *end)
{
    const unsigned char *digits = *p == '-' ? p + 1 : p;
    if (end - digits > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9')
        LEX_ERROR(lx, span_between(lx, p, end), "leading zeros are not allowed in a number");
}

static token lex_number(lexer *lx, const unsigned char *p, const unsigned char *end,
                        const unsigned char *suffix, token t)
{
    t.span = span_between(lx, p, suffix);
    t.type = memchr(p, '.', (size_t)(end - p)) ? TK_DECIMAL : TK_INT;
    if (suffix > end)
        LEX_ERROR(lx, span_between(lx, end, suffix), "invalid suffix '%.*s' on a number",
                  (int)(suffix - end), (const char *)end);
    if (!check_word_length(lx, &t, "number"))
        return t;
    check_leading_zero(lx, p, end);
    if (t.type == TK_INT && !integer_value(p, end, &t.v.integer))
        LEX_ERROR(lx, span_between(lx, p, end), "integer is out of range (a 64-bit signed integer)");
    return t;
}

static int word_type(const unsigned char *p, size_t n)
{
    if (n == 4 && !memcmp(p, "true", 4))
        return TK_TRUE;
    if (n == 5 && !memcmp(p, "false", 5))
        return TK_FALSE;
    if (n == 4 && !memcmp(p, "null", 4))
        return TK_NULL;
    return TK_IDENT;
}

/* ---- the token loop ---------------------------------------------------- */

static token finish(lexer *lx, token t, const unsigned char *next)
{
    lx->cursor = offset_of(lx, next);
    t.after_error = lx->error_seen;
    lx->error_seen = false;
    return t;
}

static token punct(lexer *lx, int type, const unsigned char *p, const unsigned char *end, token t)
{
    t.type = type;
    t.span = span_between(lx, p, end);
    return finish(lx, t, end);
}

/* A slip such as && for &: reported, then read as what was meant. */
static token slip(lexer *lx, int type, const unsigned char *p, const unsigned char *end,
                  const char *meant, token t)
{
    LEX_ERROR(lx, span_between(lx, p, end), "'%.*s' is not an rflow operator; write '%s'",
              (int)(end - p), (const char *)p, meant);
    return punct(lx, type, p, end, t);
}

token lexer_next(lexer *lx)
{
    const unsigned char *base = (const unsigned char *)lx->src->text;
    const unsigned char *YYCURSOR = base + lx->cursor, *YYMARKER = YYCURSOR;
    const unsigned char *YYLIMIT = base + lx->src->len;
    token t;
    memset(&t, 0, sizeof t);
    for (;;) {
        const unsigned char *start = YYCURSOR;
        const unsigned char *num_end;
        /*!stags:re2c format = "const unsigned char *@@ = NULL;\n"; */
        /*!re2c
            re2c:tags = 1;

            $ {
                t.type = 0;
                t.span = span_make(lx->src->len, 0);
                return finish(lx, t, YYCURSOR);
            }
            [ \t]+ | "\n" | "\r\n"   { continue; }
            "#" | "//"               { YYCURSOR = skip_comment(lx, YYCURSOR); continue; }

            "-"? [0-9]+ ("." [0-9]+)? @num_end [A-Za-z0-9_]* {
                return finish(lx, lex_number(lx, start, num_end, YYCURSOR, t), YYCURSOR);
            }
            "-"? [0-9]+ "." {
                LEX_ERROR(lx, span_between(lx, start, YYCURSOR), "a decimal needs digits after the '.'");
                t.type = TK_DECIMAL;
                t.span = span_between(lx, start, YYCURSOR);
                return finish(lx, t, YYCURSOR);
            }
            [A-Za-z_][A-Za-z0-9_]* {
                t.type = word_type(start, (size_t)(YYCURSOR - start));
                t.span = span_between(lx, start, YYCURSOR);
                check_word_length(lx, &t, "identifier");
                return finish(lx, t, YYCURSOR);
            }
            ["']     { const unsigned char *end; t = lex_string(lx, start, t);
                       end = base + span_end(t.span); return finish(lx, t, end); }

            "{"      { return punct(lx, TK_LBRACE, start, YYCURSOR, t); }
            "}"      { return punct(lx, TK_RBRACE, start, YYCURSOR, t); }
            "["      { return punct(lx, TK_LBRACKET, start, YYCURSOR, t); }
            "]"      { return punct(lx, TK_RBRACKET, start, YYCURSOR, t); }
            "("      { return punct(lx, TK_LPAREN, start, YYCURSOR, t); }
            ")"      { return punct(lx, TK_RPAREN, start, YYCURSOR, t); }
            ","      { return punct(lx, TK_COMMA, start, YYCURSOR, t); }
            ";"      { return punct(lx, TK_SEMI, start, YYCURSOR, t); }
            ":"      { return punct(lx, TK_COLON, start, YYCURSOR, t); }
            "="      { return punct(lx, TK_EQ, start, YYCURSOR, t); }
            "."      { return punct(lx, TK_DOT, start, YYCURSOR, t); }
            "-"      { return punct(lx, TK_MINUS, start, YYCURSOR, t); }
            "&"      { return punct(lx, TK_AMP, start, YYCURSOR, t); }
            "|"      { return punct(lx, TK_PIPE, start, YYCURSOR, t); }
            "~"      { return punct(lx, TK_TILDE, start, YYCURSOR, t); }
            "&&"     { return slip(lx, TK_AMP, start, YYCURSOR, "&", t); }
            "||"     { return slip(lx, TK_PIPE, start, YYCURSOR, "|", t); }
            "!"      { return slip(lx, TK_TILDE, start, YYCURSOR, "~", t); }
            "=="     { return slip(lx, TK_EQ, start, YYCURSOR, "=", t); }

            utf8_multi       { report_stray(lx, start, YYCURSOR); continue; }
            *                { report_stray(lx, start, YYCURSOR); continue; }
        */
    }
}

const char *token_kind_name(int type)
{
    switch (type) {
    case 0: return "end of file";
    case TK_IDENT: return "identifier";
    case TK_STRING: return "string";
    case TK_INT: return "integer";
    case TK_DECIMAL: return "decimal";
    case TK_TRUE: return "'true'";
    case TK_FALSE: return "'false'";
    case TK_NULL: return "'null'";
    case TK_LBRACE: return "'{'";
    case TK_RBRACE: return "'}'";
    case TK_LBRACKET: return "'['";
    case TK_RBRACKET: return "']'";
    case TK_LPAREN: return "'('";
    case TK_RPAREN: return "')'";
    case TK_COMMA: return "','";
    case TK_SEMI: return "';'";
    case TK_COLON: return "':'";
    case TK_EQ: return "'='";
    case TK_DOT: return "'.'";
    case TK_MINUS: return "'-'";
    case TK_AMP: return "'&'";
    case TK_PIPE: return "'|'";
    case TK_TILDE: return "'~'";
    }
    return "token";
}
