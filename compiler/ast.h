/*
 * ast.h: the syntax tree of one .rflow file, as the parser builds it.
 *
 * STABILITY: sema is written against this header.  Changes are additive only
 * (new fields at the end of a struct, new enum values at the end); anything
 * else is announced here first, with the date and the reason.
 *
 * Memory: every node, array and string lives in the arena of the compilation
 * (one rf_arena, freed once).  Nodes are never freed on their own and never
 * change after ast_parse() returns.
 *
 * Spans: every node carries a span (byte offset + length) into the one
 * source buffer; source_locate() turns it into line:col for diagnostics.
 *
 * ---------------------------------------------------------------------------
 * The concrete syntax (the parser's grammar, compiler/grammar.y, is the
 * normative form; docs/language.md carries the EBNF):
 *
 *   file     = { block } ;
 *   block    = IDENT [ IDENT ] [ ":" IDENT ] "{" { member } "}" ;
 *                                                -- kind, name, base
 *   member   = IDENT "=" expr ";"                -- AST_ASSIGN
 *            | block                             -- AST_NESTED (action, extra_action, hooks)
 *            | IDENT "(" args ")" ";"            -- AST_STATEMENT (register, path, include)
 *   expr     = and { "|" and } ;
 *   and      = unary { "&" unary } ;
 *   unary    = "~" unary | primary ;
 *   primary  = dotted
 *            | dotted "(" args ")" { "." IDENT "(" args ")" }   -- call, chain
 *            | "-" dotted                        -- descending ordering name
 *            | STRING | INT | DECIMAL | "true" | "false" | "null"
 *            | "[" [ expr { "," expr } [ "," ] ] "]"
 *            | "{" [ entry { "," entry } [ "," ] ] "}"
 *            | "(" expr ")" ;
 *   dotted   = IDENT { "." IDENT } ;
 *   args     = [ arg { "," arg } [ "," ] ] ;     -- positional before keyword
 *   arg      = expr | kwkey "=" expr ;
 *   kwkey    = dotted | "true" | "false" | "null" ;   -- price.gte = 10, null = true
 *   entry    = ( IDENT | STRING ) ":" expr ;
 *
 * Reserved words: only `true`, `false` and `null`.  Declaration and block
 * kinds (`resource`, `viewset`, `action`, `hooks`, ...) are ordinary words
 * recognised by position, so a field may be called `action` or `view`, and a
 * misspelt kind gets a "did you mean" instead of a bare syntax error.  Hook
 * form markers `async`, `blocking` and `sync` are not reserved either.
 *
 * Hook forms (agreed with sema; sema interprets, the parser only parses):
 *   - per hook, a call wrapping the C name:
 *         perform_create = async(shop_perform_create);
 *         get = blocking(blog_feed_get);
 *         has_permission = sync(blog_is_editor);
 *     i.e. an AST_CALL with no target, callee `async` | `blocking` | `sync`,
 *     one positional AST_NAME argument of one part, no keywords;
 *   - per declaration, members `async = true;` or `blocking = true;` set the
 *     default form of every hook of that declaration (as the draft shows for
 *     `authentication ApiKey`);
 *   - a bare name (`perform_create = shop_perform_create;`) takes the default
 *     form that sema documents.
 *
 * Departures from the draft (rflow-language.md), for docs/language.md:
 *   - only true/false/null are reserved (see above); `databases` and
 *     `hooks` are kinds like the others;
 *   - members of routers and urls are call statements: `register(...);`,
 *     `path(...);`, `include(...);`;
 *   - trailing commas are allowed in lists, maps and argument lists;
 *     positional arguments come before keyword ones (as in Python); map keys
 *     are identifiers or strings;
 *   - `x | y | z` (no parentheses) is one AST_OR with three operands, which
 *     means Python's left-associative ((x | y) | z); parentheses are kept as
 *     written, so `x | (y | z)` is an OR inside an OR;
 *   - `-` glued to digits is part of the number (`-12`, `-0.5`); before a
 *     name it marks descending order (`-created_at`); nowhere else;
 *   - lexical rules and limits: lexer.re's header (UTF-8 only, LF or CRLF,
 *     the escape set, no leading zeros, 16 MiB input, 255-byte names and
 *     numbers, 64 KiB strings) and AST_MAX_DEPTH (64) for nesting;
 *   - columns in diagnostics count bytes from 1, as GCC's do.
 *
 * What the parser guarantees (sema need not re-check):
 *   - a block's kind is one of ast_block_kind; top-level kinds appear only at
 *     top level, nested kinds (action, extra_action, hooks) only inside a
 *     block;
 *   - `name` is present exactly for the kinds that take one (all but
 *     settings, databases, urls, hooks);
 *   - `base` is absent for kinds that never take one (spec, settings,
 *     databases, resource, postfetch, urls, action, extra_action, hooks);
 *     where a base is allowed it may still be missing or unknown: sema's job;
 *   - AST_NEG's operand is an AST_NAME; a call's callee is one identifier;
 *     an AST_STATEMENT's call has no target; AST_AND/AST_OR have >= 2
 *     operands;
 *   - no expression is nested deeper than AST_MAX_DEPTH, so recursive walks
 *     over expressions are safe;
 *   - when ast_parse() reports any error it returns NULL: sema only ever sees
 *     a complete, syntactically valid file.
 * Everything else (duplicate names, unknown keys, wrong value types, which
 * blocks belong in which kind) is sema's.
 */
#ifndef RFLOWC_AST_H
#define RFLOWC_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "source.h"

struct diag;

/* Deepest expression nesting accepted (brackets, calls in a chain, `~`).
 * Flat sequences (list items, `a & b & c`, dotted parts) do not nest. */
#define AST_MAX_DEPTH 64

typedef struct ast_expr ast_expr;
typedef struct ast_kwarg ast_kwarg;
typedef struct ast_entry ast_entry;
typedef struct ast_member ast_member;
typedef struct ast_block ast_block;

/* An identifier as written: a NUL-terminated copy plus where it was. */
typedef struct ast_ident {
    const char *text;
    span span;
} ast_ident;

/* Growable arrays of node pointers: items[0 .. count). */
#define AST_ARRAY(name, T) \
    typedef struct name { T **items; uint32_t count, cap; } name
AST_ARRAY(ast_ident_array, ast_ident);
AST_ARRAY(ast_expr_array, ast_expr);
AST_ARRAY(ast_kwarg_array, ast_kwarg);
AST_ARRAY(ast_entry_array, ast_entry);
AST_ARRAY(ast_member_array, ast_member);
AST_ARRAY(ast_block_array, ast_block);
#undef AST_ARRAY

typedef enum ast_expr_kind {
    AST_NAME = 1,   /* a or a.b.c: u.name.parts (owner.username, url.slug) */
    AST_STRING,     /* "...": u.string, escapes decoded */
    AST_INT,        /* 42, -12: u.integer */
    AST_DECIMAL,    /* 19.99, -0.5: u.decimal, the exact text as written */
    AST_BOOL,       /* true, false: u.boolean */
    AST_NULL,       /* null */
    AST_LIST,       /* [a, b]: u.list */
    AST_MAP,        /* { key: value }: u.map */
    AST_CALL,       /* Name(...), a.b.Name(...), x.m(...).n(...): u.call */
    AST_NEG,        /* -name (descending ordering): u.operand, an AST_NAME */
    AST_NOT,        /* ~x: u.operand */
    AST_AND,        /* x & y & ...: u.operands, >= 2, left to right */
    AST_OR          /* x | y | ...: u.operands, >= 2, left to right */
} ast_expr_kind;

/*
 * A call.  `Name(args)` has target NULL.  A method call has the receiver as
 * target: `Product.filter(a = 1).order_by(-x)` is
 *     CALL order_by (target: CALL filter (target: NAME Product; a = 1); -x)
 * and `a.b.Name(x)` is CALL Name with target NAME a.b.
 */
typedef struct ast_call {
    ast_expr *target;          /* NULL, or the receiver */
    ast_ident *callee;         /* the function or method name */
    ast_expr_array args;       /* positional arguments, in order */
    ast_kwarg_array kwargs;    /* keyword arguments, in order, after them */
    span args_span;            /* from '(' to ')' inclusive */
} ast_call;

struct ast_expr {
    ast_expr_kind kind;
    span span;                 /* the whole expression; for `(x)` the parens */
    uint32_t depth;            /* 1 for a leaf; <= AST_MAX_DEPTH */
    union {
        struct {
            ast_ident_array parts;          /* >= 1 */
        } name;
        struct {
            const char *text;  /* decoded UTF-8, NUL-terminated, no NUL inside */
            uint32_t len;      /* bytes, without the terminator */
        } string;
        int64_t integer;
        const char *decimal;   /* e.g. "19.99", "-0.5" (arena copy) */
        bool boolean;
        ast_expr_array list;
        ast_entry_array map;
        ast_call call;
        ast_expr *operand;
        ast_expr_array operands;
    } u;
};

/* key = value inside a call's parentheses.  The key may be dotted
 * (`price.gte = 10`, `author.slug = url.slug`) and may be a reserved word
 * (`null = true`). */
struct ast_kwarg {
    ast_ident_array key;       /* >= 1 part */
    span key_span;             /* the whole dotted key */
    ast_expr *value;
    span span;                 /* key to end of value */
};

/* key: value inside a map.  `quoted` when the key was a string literal;
 * `number` when it was an integer ({ 1: "Urgent" }: Django's integer
 * choices), its text then the decimal digits. */
struct ast_entry {
    ast_ident *key;            /* text decoded when quoted */
    bool quoted;
    bool number;
    int64_t integer;           /* when number */
    ast_expr *value;
    span span;
};

typedef enum ast_member_kind {
    AST_ASSIGN = 1,   /* key = value; */
    AST_NESTED,       /* action NAME { }, extra_action NAME { }, hooks { } */
    AST_STATEMENT     /* call;  (register(...), path(...), include(...)) */
} ast_member_kind;

struct ast_member {
    ast_member_kind kind;
    span span;                 /* first token to ';' or '}' inclusive */
    ast_ident *key;            /* ASSIGN */
    ast_expr *value;           /* ASSIGN */
    ast_block *block;          /* NESTED */
    ast_expr *call;            /* STATEMENT: an AST_CALL without target */
};

typedef enum ast_block_kind {
    /* top level */
    AST_SPEC = 1,
    AST_SETTINGS,
    AST_DATABASES,
    AST_RESOURCE,
    AST_SERIALIZER,
    AST_POSTFETCH,
    AST_PAGINATION,
    AST_THROTTLE,
    AST_PERMISSION,
    AST_AUTHENTICATION,
    AST_VIEW,
    AST_VIEWSET,
    AST_ROUTER,
    AST_URLS,
    /* nested, inside a block */
    AST_ACTION,
    AST_EXTRA_ACTION,
    AST_HOOKS
} ast_block_kind;

/* A declaration (top level) or a nested block: KIND [Name] [: Base] { ... } */
struct ast_block {
    ast_block_kind kind;
    ast_ident *kind_word;      /* the kind as written ("viewset") */
    ast_ident *name;           /* NULL for settings, databases, urls, hooks */
    ast_ident *base;           /* NULL when no ": Base" was written */
    ast_member_array members;  /* in source order */
    span span;                 /* kind word to '}' inclusive */
    span open_brace;           /* the '{' */
};

typedef struct ast_file {
    const source *src;
    ast_block_array blocks;    /* the top-level declarations, in order */
} ast_file;

/*
 * Parse `src`.  Diagnostics go to `d` (whose source must be `src`); on any
 * error the result is NULL.  The tree lives in `a`.
 */
ast_file *ast_parse(rf_arena *a, const source *src, struct diag *d);

/* "resource", "extra_action", ...: the word for a block kind. */
const char *ast_block_kind_name(ast_block_kind kind);
/* The kind a word names, 0 for none; top-level and nested kinds alike. */
ast_block_kind ast_block_kind_from_word(const char *word);
bool ast_block_kind_is_nested(ast_block_kind kind);

/* The text of a dotted name ("owner.username"), in arena `a`. */
const char *ast_dotted_text(rf_arena *a, const ast_ident_array *parts);

/* A stable, one-line-per-node rendering of the tree, for tests and
 * `rflowc dump-ast`. */
void ast_dump(FILE *out, const ast_file *file);

/* Appending to the arrays (the parser builds with these). */
void ast_ident_array_push(rf_arena *a, ast_ident_array *v, ast_ident *item);
void ast_expr_array_push(rf_arena *a, ast_expr_array *v, ast_expr *item);
void ast_kwarg_array_push(rf_arena *a, ast_kwarg_array *v, ast_kwarg *item);
void ast_entry_array_push(rf_arena *a, ast_entry_array *v, ast_entry *item);
void ast_member_array_push(rf_arena *a, ast_member_array *v, ast_member *item);
void ast_block_array_push(rf_arena *a, ast_block_array *v, ast_block *item);

#endif
