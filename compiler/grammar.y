/*
 * grammar.y: the rflow grammar (lemon).  ast.h gives the grammar in EBNF and
 * what the parser guarantees to sema.
 *
 * No globals: all state is in one parse_ctx, lemon's %extra_context.  Nodes
 * go to the compilation's arena; nothing needs a %destructor.
 *
 * Error recovery (lemon's `error` token) happens at two levels:
 *   - a member: `member ::= error SEMI` resumes after the next ';', and
 *     `members ::= members error` resumes at the next identifier or the
 *     block's '}', so a missing ';' costs one member, not the declaration;
 *   - a declaration: `block ::= error LBRACE members RBRACE` resumes at the
 *     next '{' when a declaration's header is broken, and still checks the
 *     body.
 * Lemon stays silent until three tokens have been shifted after an error, so
 * one slip gives one message; after a recovered member or declaration the
 * next one is reported again at once.  A syntax error on a token right
 * behind a lexical error is not reported (the lexer already said what is
 * wrong).  The commonest slip, a ';' missing at the end of a line, is not
 * recovered from but repaired: the driver reports it and feeds the ';'.
 *
 * Depth: the driver refuses brackets nested deeper than AST_MAX_DEPTH before
 * lemon's stack can fill; expression depth is checked as nodes are built;
 * and should lemon's fixed stack still fill (a long run of '~'), that is
 * reported too.  Every case stops the parse with one clear error.
 */

%name rflow_parser
%token_prefix TK_
%token_type {token}
%extra_context {parse_ctx *ctx}
%stack_size 1000
%start_symbol file

%token IDENT STRING INT DECIMAL TRUE FALSE NULL.
%token LBRACE RBRACE LBRACKET RBRACKET LPAREN RPAREN.
%token COMMA SEMI COLON EQ DOT MINUS AMP PIPE TILDE.

%include {
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "grammar.h"   /* the TK_ codes, for the helpers below */
#include "lexer.h"
#include "names.h"

typedef struct parse_ctx {
    rf_arena *arena;
    const source *src;
    diag *diag;
    lexer lx;
    ast_file *file;
    token prev;                  /* the token fed before the current one */
    const struct yyParser *parser;
    bool quiet_next_syntax_error; /* it would repeat an error just reported */
    bool aborted;                /* stop feeding tokens: an error that
                                    recovery cannot pass */
} parse_ctx;

typedef struct block_head {
    ast_ident *kind_word, *name, *base;
    ast_block_kind kind;         /* 0 when the head is invalid (reported) */
} block_head;

typedef struct call_arg {
    ast_expr *positional;
    ast_kwarg *keyword;
} call_arg;

typedef struct call_args {
    ast_expr_array positional;
    ast_kwarg_array keyword;
    span parens;
} call_args;

struct yyParser;
static void report_syntax_error(struct yyParser *p, int major, token tok);
static bool recovering(const parse_ctx *ctx);

static ast_ident *new_ident(parse_ctx *ctx, token t)
{
    ast_ident *id = rf_calloc(ctx->arena, sizeof *id);
    id->text = rf_strndup(ctx->arena, ctx->src->text + t.span.off, t.span.len);
    id->span = t.span;
    return id;
}

static span dotted_span(const ast_ident_array *parts)
{
    return span_join(parts->items[0]->span, parts->items[parts->count - 1]->span);
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/* Called for every expression node once its depth is known (new_expr and
 * parentheses), so no tree deeper than AST_MAX_DEPTH leaves the parser. */
static void check_depth(parse_ctx *ctx, const ast_expr *e)
{
    if (e->depth <= AST_MAX_DEPTH || ctx->aborted)
        return;
    diag_error(ctx->diag, span_make(e->span.off, 0), "expression is nested too deeply (the limit is %d levels)",
               AST_MAX_DEPTH);
    ctx->aborted = true;
}

static ast_expr *new_expr(parse_ctx *ctx, ast_expr_kind kind, span at, uint32_t child_depth)
{
    ast_expr *e = rf_calloc(ctx->arena, sizeof *e);
    e->kind = kind;
    e->span = at;
    e->depth = child_depth + 1;
    check_depth(ctx, e);
    return e;
}

static ast_expr *leaf(parse_ctx *ctx, ast_expr_kind kind, token t)
{
    return new_expr(ctx, kind, t.span, 0);
}

static ast_expr *name_expr(parse_ctx *ctx, ast_ident_array parts)
{
    ast_expr *e = new_expr(ctx, AST_NAME, dotted_span(&parts), 0);
    e->u.name.parts = parts;
    return e;
}

static uint32_t array_depth(const ast_expr_array *v)
{
    uint32_t d = 0;
    for (uint32_t i = 0; i < v->count; i++)
        d = max_u32(d, v->items[i]->depth);
    return d;
}

/* x & y & z (or |): one node for a run written without parentheses. */
static ast_expr *operator_run(parse_ctx *ctx, ast_expr_kind kind, ast_expr_array run)
{
    if (run.count == 1)
        return run.items[0];
    span at = span_join(run.items[0]->span, run.items[run.count - 1]->span);
    ast_expr *e = new_expr(ctx, kind, at, array_depth(&run));
    e->u.operands = run;
    return e;
}

static ast_expr_array single(parse_ctx *ctx, ast_expr *e)
{
    ast_expr_array v = { 0 };
    ast_expr_array_push(ctx->arena, &v, e);
    return v;
}

static uint32_t args_depth(const call_args *args)
{
    uint32_t d = array_depth(&args->positional);
    for (uint32_t i = 0; i < args->keyword.count; i++)
        d = max_u32(d, args->keyword.items[i]->value->depth);
    return d;
}

static ast_expr *call_expr(parse_ctx *ctx, ast_expr *target, ast_ident *callee, call_args args)
{
    span start = target ? target->span : callee->span;
    uint32_t depth = max_u32(target ? target->depth : 0, args_depth(&args));
    ast_expr *e = new_expr(ctx, AST_CALL, span_join(start, args.parens), depth);
    e->u.call.target = target;
    e->u.call.callee = callee;
    e->u.call.args = args.positional;
    e->u.call.kwargs = args.keyword;
    e->u.call.args_span = args.parens;
    return e;
}

/* Name(args) or a.b.Name(args): the last part is the callee, the parts
 * before it (if any) the target. */
static ast_expr *call_on_dotted(parse_ctx *ctx, ast_ident_array parts, call_args args)
{
    ast_ident *callee = parts.items[--parts.count];
    ast_expr *target = parts.count ? name_expr(ctx, parts) : NULL;
    return call_expr(ctx, target, callee, args);
}

static void add_arg(parse_ctx *ctx, call_args *args, call_arg arg)
{
    if (arg.keyword) {
        ast_kwarg_array_push(ctx->arena, &args->keyword, arg.keyword);
        return;
    }
    if (args->keyword.count)
        diag_error(ctx->diag, arg.positional->span,
                   "positional argument after a keyword argument; write positional arguments first");
    ast_expr_array_push(ctx->arena, &args->positional, arg.positional);
}

/* ---- declarations and blocks ---- */

static bool kind_takes_name(ast_block_kind k)
{
    return k != AST_SETTINGS && k != AST_DATABASES && k != AST_URLS && k != AST_HOOKS;
}

static bool kind_takes_base(ast_block_kind k)
{
    switch (k) {
    case AST_SERIALIZER: case AST_PAGINATION: case AST_THROTTLE: case AST_PERMISSION:
    case AST_AUTHENTICATION: case AST_VIEW: case AST_VIEWSET: case AST_ROUTER:
        return true;
    default:
        return false;
    }
}

static void report_unknown_kind(parse_ctx *ctx, const ast_ident *word, bool nested)
{
    names_suggester s;
    names_suggest_init(&s, word->text);
    for (int k = AST_SPEC; k <= AST_HOOKS; k++)
        if (ast_block_kind_is_nested((ast_block_kind)k) == nested)
            names_suggest_consider(&s, ast_block_kind_name((ast_block_kind)k));
    diag_error(ctx->diag, word->span, nested ? "unknown block '%s'" : "unknown declaration kind '%s'",
               word->text);
    if (names_suggest_best(&s)) {
        diag_hint(ctx->diag, "did you mean '%s'?", names_suggest_best(&s));
        return;
    }
    rf_buf kinds;
    rf_buf_init(&kinds, ctx->arena, 256);
    for (int k = AST_SPEC; k <= AST_HOOKS; k++)
        if (ast_block_kind_is_nested((ast_block_kind)k) == nested)
            rf_buf_printf(&kinds, "%s%s", kinds.len ? ", " : "", ast_block_kind_name((ast_block_kind)k));
    diag_hint(ctx->diag, "expected one of: %s", kinds.data);
}

static bool check_placement(parse_ctx *ctx, const ast_ident *word, ast_block_kind kind, bool nested)
{
    if (ast_block_kind_is_nested(kind) == nested)
        return true;
    if (nested)
        diag_error(ctx->diag, word->span,
                   "a '%s' declaration cannot appear inside another block; is a '}' missing before it?",
                   word->text);
    else
        diag_error(ctx->diag, word->span, "'%s' blocks belong inside a view or viewset", word->text);
    return false;
}

static bool check_head_shape(parse_ctx *ctx, const block_head *h, ast_block_kind kind)
{
    const char *word = h->kind_word->text;
    bool ok = true;
    if (kind_takes_name(kind) && !h->name) {
        diag_error(ctx->diag, span_make(span_end(h->kind_word->span), 0), "'%s' needs a name: %s NAME { ... }",
                   word, word);
        ok = false;
    }
    if (!kind_takes_name(kind) && h->name) {
        diag_error(ctx->diag, h->name->span, "'%s' takes no name: %s { ... }", word, word);
        ok = false;
    }
    if (!kind_takes_base(kind) && h->base) {
        diag_error(ctx->diag, h->base->span, "'%s' takes no base class", word);
        ok = false;
    }
    return ok;
}

/* `model: Product;` looks like a block header to the grammar; it is a
 * member written with ':' (YAML, Python dicts).  Say so, once. */
static void report_colon_member(parse_ctx *ctx, const block_head *h, span colon)
{
    diag_error(ctx->diag, colon, "members are written '%s = value;' (with '=', not ':')", h->kind_word->text);
    ctx->quiet_next_syntax_error = true;
}

/* A block's header, checked as soon as it is read (before its body, so
 * diagnostics come out in source order).  `lookahead` is the token after
 * it: when it is not '{', this was no header and the syntax error that
 * follows says what is wrong. */
static block_head make_head(parse_ctx *ctx, token kind_word, const token *name, const token *base,
                            const token *colon, bool nested, int lookahead)
{
    block_head h = { new_ident(ctx, kind_word), name ? new_ident(ctx, *name) : NULL,
                     base ? new_ident(ctx, *base) : NULL, 0 };
    ast_block_kind kind = ast_block_kind_from_word(h.kind_word->text);
    bool is_header = lookahead == TK_LBRACE && !recovering(ctx);
    if (!is_header && nested && colon && !name && !recovering(ctx))
        report_colon_member(ctx, &h, colon->span);
    if (!is_header)
        h.kind = kind;
    else if (!kind)
        report_unknown_kind(ctx, h.kind_word, nested);
    else if (check_placement(ctx, h.kind_word, kind, nested) && check_head_shape(ctx, &h, kind))
        h.kind = kind;
    return h;
}

static ast_block *finish_block(parse_ctx *ctx, block_head h, token lbrace, ast_member_array members,
                               token rbrace)
{
    if (!h.kind)
        return NULL;
    ast_block *b = rf_calloc(ctx->arena, sizeof *b);
    b->kind = h.kind;
    b->kind_word = h.kind_word;
    b->name = h.name;
    b->base = h.base;
    b->members = members;
    b->span = span_join(h.kind_word->span, rbrace.span);
    b->open_brace = lbrace.span;
    return b;
}

static ast_member *new_member(parse_ctx *ctx, ast_member_kind kind, span at)
{
    ast_member *m = rf_calloc(ctx->arena, sizeof *m);
    m->kind = kind;
    m->span = at;
    return m;
}
}

%syntax_error {
    report_syntax_error(yypParser, yymajor, yyminor);
}

%stack_overflow {
    if (!ctx->aborted)
        diag_error(ctx->diag, ctx->prev.span,
                   "expression is nested too deeply (the limit is %d levels)", AST_MAX_DEPTH);
    ctx->aborted = true;
}

/* ---- file and blocks ---------------------------------------------------- */

file ::= blocks.

blocks ::= .
blocks ::= blocks block(B).  { if (B) ast_block_array_push(ctx->arena, &ctx->file->blocks, B); }

%type block {ast_block *}
block(A) ::= decl_head(H) LBRACE(L) members(M) RBRACE(R).  { A = finish_block(ctx, H, L, M, R); }
block(A) ::= error LBRACE members RBRACE.                   { A = NULL; yypParser->yyerrcnt = -1; }

/* The same header at the top level and nested, as two symbols so that each
 * is checked for its place when it is read. */
%type decl_head {block_head}
decl_head(A) ::= IDENT(K).                            { A = make_head(ctx, K, NULL, NULL, NULL, false, yyLookahead); }
decl_head(A) ::= IDENT(K) IDENT(N).                   { A = make_head(ctx, K, &N, NULL, NULL, false, yyLookahead); }
decl_head(A) ::= IDENT(K) COLON(C) IDENT(B).          { A = make_head(ctx, K, NULL, &B, &C, false, yyLookahead); }
decl_head(A) ::= IDENT(K) IDENT(N) COLON(C) IDENT(B). { A = make_head(ctx, K, &N, &B, &C, false, yyLookahead); }

%type nested_head {block_head}
nested_head(A) ::= IDENT(K).                            { A = make_head(ctx, K, NULL, NULL, NULL, true, yyLookahead); }
nested_head(A) ::= IDENT(K) IDENT(N).                   { A = make_head(ctx, K, &N, NULL, NULL, true, yyLookahead); }
nested_head(A) ::= IDENT(K) COLON(C) IDENT(B).          { A = make_head(ctx, K, NULL, &B, &C, true, yyLookahead); }
nested_head(A) ::= IDENT(K) IDENT(N) COLON(C) IDENT(B). { A = make_head(ctx, K, &N, &B, &C, true, yyLookahead); }

%type members {ast_member_array}
members(A) ::= .                          { memset(&A, 0, sizeof A); }
members(A) ::= members(A) member(B).      { if (B) ast_member_array_push(ctx->arena, &A, B); }
members(A) ::= members(A) error.

%type member {ast_member *}
member(A) ::= IDENT(K) EQ expr(E) SEMI(S). {
    A = new_member(ctx, AST_ASSIGN, span_join(K.span, S.span));
    A->key = new_ident(ctx, K);
    A->value = E;
}
member(A) ::= nested_head(H) LBRACE(L) members(M) RBRACE(R). {
    ast_block *b = finish_block(ctx, H, L, M, R);
    A = NULL;
    if (b) {
        A = new_member(ctx, AST_NESTED, b->span);
        A->block = b;
    }
}
member(A) ::= IDENT(F) args(G) SEMI(S). {
    ast_ident_array parts = { 0 };
    ast_ident_array_push(ctx->arena, &parts, new_ident(ctx, F));
    A = new_member(ctx, AST_STATEMENT, span_join(F.span, S.span));
    A->call = call_on_dotted(ctx, parts, G);
}
/* Recovered at a ';': the next member starts clean, so its errors are
 * reported (lemon would otherwise stay silent for three more tokens). */
member(A) ::= error SEMI.                 { A = NULL; yypParser->yyerrcnt = -1; }

/* ---- expressions -------------------------------------------------------- */

%type expr {ast_expr *}
%type or_run {ast_expr_array}
%type and_run {ast_expr_array}
%type unary {ast_expr *}
%type postfix {ast_expr *}
%type call {ast_expr *}
%type dotted {ast_ident_array}

expr(A) ::= or_run(R).                    { A = operator_run(ctx, AST_OR, R); }
or_run(A) ::= and_run(R).                 { A = single(ctx, operator_run(ctx, AST_AND, R)); }
or_run(A) ::= or_run(A) PIPE and_run(R).  { ast_expr_array_push(ctx->arena, &A, operator_run(ctx, AST_AND, R)); }
and_run(A) ::= unary(U).                  { A = single(ctx, U); }
and_run(A) ::= and_run(A) AMP unary(U).   { ast_expr_array_push(ctx->arena, &A, U); }

unary(A) ::= TILDE(T) unary(U). {
    A = new_expr(ctx, AST_NOT, span_join(T.span, U->span), U->depth);
    A->u.operand = U;
}
unary(A) ::= postfix(P).                  { A = P; }

postfix(A) ::= dotted(D).                 { A = name_expr(ctx, D); }
postfix(A) ::= call(C).                   { A = C; }
postfix(A) ::= MINUS(M) dotted(D). {
    ast_expr *name = name_expr(ctx, D);
    A = new_expr(ctx, AST_NEG, span_join(M.span, name->span), name->depth);
    A->u.operand = name;
}
postfix(A) ::= STRING(S). {
    A = leaf(ctx, AST_STRING, S);
    A->u.string.text = S.v.string.text;
    A->u.string.len = S.v.string.len;
}
postfix(A) ::= INT(I).                    { A = leaf(ctx, AST_INT, I); A->u.integer = I.v.integer; }
postfix(A) ::= DECIMAL(D). {
    A = leaf(ctx, AST_DECIMAL, D);
    A->u.decimal = rf_strndup(ctx->arena, ctx->src->text + D.span.off, D.span.len);
}
postfix(A) ::= TRUE(T).                   { A = leaf(ctx, AST_BOOL, T); A->u.boolean = true; }
postfix(A) ::= FALSE(F).                  { A = leaf(ctx, AST_BOOL, F); A->u.boolean = false; }
postfix(A) ::= NULL(N).                   { A = leaf(ctx, AST_NULL, N); }
postfix(A) ::= LBRACKET(L) RBRACKET(R).   { A = new_expr(ctx, AST_LIST, span_join(L.span, R.span), 0); }
postfix(A) ::= LBRACKET(L) items(I) RBRACKET(R). {
    A = new_expr(ctx, AST_LIST, span_join(L.span, R.span), array_depth(&I));
    A->u.list = I;
}
postfix(A) ::= LBRACKET(L) items(I) COMMA RBRACKET(R). {
    A = new_expr(ctx, AST_LIST, span_join(L.span, R.span), array_depth(&I));
    A->u.list = I;
}
postfix(A) ::= LBRACE(L) RBRACE(R).       { A = new_expr(ctx, AST_MAP, span_join(L.span, R.span), 0); }
postfix(A) ::= LBRACE(L) entries(E) RBRACE(R). {
    uint32_t depth = 0;
    for (uint32_t i = 0; i < E.count; i++)
        depth = max_u32(depth, E.items[i]->value->depth);
    A = new_expr(ctx, AST_MAP, span_join(L.span, R.span), depth);
    A->u.map = E;
}
postfix(A) ::= LBRACE(L) entries(E) COMMA RBRACE(R). {
    uint32_t depth = 0;
    for (uint32_t i = 0; i < E.count; i++)
        depth = max_u32(depth, E.items[i]->value->depth);
    A = new_expr(ctx, AST_MAP, span_join(L.span, R.span), depth);
    A->u.map = E;
}
/* Parentheses group; the inner node keeps its kind, and its span grows to
 * cover them so a caret points at the '('. */
postfix(A) ::= LPAREN(L) expr(E) RPAREN(R). {
    A = E;
    A->span = span_join(L.span, R.span);
    A->depth++;
    check_depth(ctx, A);
}

call(A) ::= dotted(D) args(G).                 { A = call_on_dotted(ctx, D, G); }
call(A) ::= call(C) DOT IDENT(M) args(G).      { A = call_expr(ctx, C, new_ident(ctx, M), G); }

dotted(A) ::= IDENT(I).                   { memset(&A, 0, sizeof A); ast_ident_array_push(ctx->arena, &A, new_ident(ctx, I)); }
dotted(A) ::= dotted(A) DOT IDENT(I).     { ast_ident_array_push(ctx->arena, &A, new_ident(ctx, I)); }

%type items {ast_expr_array}
items(A) ::= expr(E).                     { A = single(ctx, E); }
items(A) ::= items(A) COMMA expr(E).      { ast_expr_array_push(ctx->arena, &A, E); }

%type entries {ast_entry_array}
%type entry {ast_entry *}
entries(A) ::= entry(E).                  { memset(&A, 0, sizeof A); ast_entry_array_push(ctx->arena, &A, E); }
entries(A) ::= entries(A) COMMA entry(E). { ast_entry_array_push(ctx->arena, &A, E); }
entry(A) ::= IDENT(K) COLON expr(V). {
    A = rf_calloc(ctx->arena, sizeof *A);
    A->key = new_ident(ctx, K);
    A->value = V;
    A->span = span_join(K.span, V->span);
}
entry(A) ::= INT(K) COLON expr(V). {
    A = rf_calloc(ctx->arena, sizeof *A);
    A->key = rf_calloc(ctx->arena, sizeof *A->key);
    A->key->text = rf_sprintf(ctx->arena, "%lld", (long long)K.v.integer);
    A->key->span = K.span;
    A->number = true;
    A->integer = K.v.integer;
    A->value = V;
    A->span = span_join(K.span, V->span);
}
entry(A) ::= STRING(K) COLON expr(V). {
    A = rf_calloc(ctx->arena, sizeof *A);
    A->key = rf_calloc(ctx->arena, sizeof *A->key);
    A->key->text = K.v.string.text;
    A->key->span = K.span;
    A->quoted = true;
    A->value = V;
    A->span = span_join(K.span, V->span);
}

%type args {call_args}
%type arglist {call_args}
%type arg {call_arg}
%type kwkey {ast_ident_array}
/* The parenthesised argument list.  Spelt out (rather than an optional
 * list inside parentheses) so that after an argument the parser still
 * offers both ',' and ')' when it reports a syntax error. */
args(A) ::= LPAREN(L) RPAREN(R).                    { memset(&A, 0, sizeof A); A.parens = span_join(L.span, R.span); }
args(A) ::= LPAREN(L) arglist(G) RPAREN(R).         { A = G; A.parens = span_join(L.span, R.span); }
args(A) ::= LPAREN(L) arglist(G) COMMA RPAREN(R).   { A = G; A.parens = span_join(L.span, R.span); }
arglist(A) ::= arg(G).                    { memset(&A, 0, sizeof A); add_arg(ctx, &A, G); }
arglist(A) ::= arglist(A) COMMA arg(G).   { add_arg(ctx, &A, G); }
arg(A) ::= expr(E).                       { A = (call_arg){ E, NULL }; }
arg(A) ::= kwkey(K) EQ expr(E). {
    ast_kwarg *kw = rf_calloc(ctx->arena, sizeof *kw);
    kw->key = K;
    kw->key_span = dotted_span(&K);
    kw->value = E;
    kw->span = span_join(kw->key_span, E->span);
    A = (call_arg){ NULL, kw };
}
kwkey(A) ::= dotted(D).                   { A = D; }
kwkey(A) ::= TRUE(T).                     { memset(&A, 0, sizeof A); ast_ident_array_push(ctx->arena, &A, new_ident(ctx, T)); }
kwkey(A) ::= FALSE(F).                    { memset(&A, 0, sizeof A); ast_ident_array_push(ctx->arena, &A, new_ident(ctx, F)); }
kwkey(A) ::= NULL(N).                     { memset(&A, 0, sizeof A); ast_ident_array_push(ctx->arena, &A, new_ident(ctx, N)); }

%code {
/* ---- syntax error messages ---------------------------------------------- */

/* A dry run of the parser on a copy of its state stack: what would it do
 * with the next tokens?  Lemon may make default reductions before it finds
 * that a token is wrong, so looking at the top state alone is not enough. */
typedef struct dry_run {
    YYACTIONTYPE states[YYSTACKDEPTH + 1];
    int top;
} dry_run;

static void dry_run_init(dry_run *r, const yyParser *p)
{
    r->top = (int)(p->yytos - p->yystack);
    for (int i = 0; i <= r->top; i++)
        r->states[i] = p->yystack[i].stateno;
}

/* Feed one token; false when the parser would reject it. */
static bool dry_run_feed(dry_run *r, YYCODETYPE tok)
{
    YYACTIONTYPE act = r->states[r->top];
    for (;;) {
        act = yy_find_shift_action(tok, act);
        if (act >= YY_MIN_REDUCE) {
            unsigned rule = act - YY_MIN_REDUCE;
            int below = r->top + yyRuleInfoNRhs[rule];
            if (below < 0 || below + 1 > YYSTACKDEPTH)
                return false;
            act = yy_find_reduce_action(r->states[below], yyRuleInfoLhs[rule]);
            r->top = below + 1;
            r->states[r->top] = act;
        } else if (act <= YY_MAX_SHIFTREDUCE) {
            if (r->top + 1 > YYSTACKDEPTH)
                return false;
            /* as yy_shift: a shift-reduce leaves a pending reduction */
            if (act > YY_MAX_SHIFT)
                act += YY_MIN_REDUCE - YY_MIN_SHIFTREDUCE;
            r->states[++r->top] = act;
            return true;
        } else {
            return act == YY_ACCEPT_ACTION;
        }
    }
}

static bool parser_accepts(const yyParser *p, YYCODETYPE tok)
{
    dry_run r;
    dry_run_init(&r, p);
    return dry_run_feed(&r, tok);
}

/* True when `next` is wrong here but right after a ';', and starts a new
 * line: then the ';' at the end of the previous line is missing.  (On one
 * line, what is missing is less certain; lemon's recovery takes over.) */
static bool semicolon_missing_before(const parse_ctx *ctx, const yyParser *p, token next)
{
    dry_run r;
    dry_run_init(&r, p);
    if (!next.type || !ctx->prev.type || dry_run_feed(&r, (YYCODETYPE)next.type))
        return false;
    uint32_t prev_line = source_locate(ctx->src, span_end(ctx->prev.span)).line;
    if (source_locate(ctx->src, next.span.off).line == prev_line)
        return false;
    dry_run_init(&r, p);
    return dry_run_feed(&r, TK_SEMI) && dry_run_feed(&r, (YYCODETYPE)next.type);
}

static const int value_starters[] = {
    TK_IDENT, TK_STRING, TK_INT, TK_DECIMAL, TK_TRUE, TK_FALSE, TK_NULL,
    TK_LBRACKET, TK_LBRACE, TK_LPAREN, TK_MINUS, TK_TILDE,
};

/* The order in which "expected ..." lists name tokens: separators first. */
static const int listing_order[] = {
    TK_SEMI, TK_COMMA, TK_EQ, TK_COLON, TK_RPAREN, TK_RBRACKET, TK_RBRACE,
    TK_IDENT, TK_STRING, TK_INT, TK_DECIMAL, TK_TRUE, TK_FALSE, TK_NULL,
    TK_LBRACE, TK_LBRACKET, TK_LPAREN, TK_DOT, TK_MINUS, TK_AMP, TK_PIPE, TK_TILDE,
};

/* Tokens that merely continue what came before (an operator, a method
 * call); they are left out of "expected ..." lists. */
static bool continues_expression(int t)
{
    return t == TK_DOT || t == TK_LPAREN || t == TK_AMP || t == TK_PIPE;
}

static void describe_token(rf_buf *b, const parse_ctx *ctx, token t)
{
    if (t.type == TK_IDENT || t.type == TK_INT || t.type == TK_DECIMAL) {
        int n = t.span.len > 40 ? 40 : (int)t.span.len;
        rf_buf_printf(b, "'%.*s'%s", n, ctx->src->text + t.span.off, t.span.len > 40 ? "..." : "");
    } else {
        rf_buf_puts(b, token_kind_name(t.type));
    }
}

/* Fill `out` with the tokens worth naming and return their count; *value
 * tells whether any value may follow (the value starters are then not
 * listed one by one). */
static int expected_tokens(const yyParser *p, int out[YYNTOKEN], bool *value, bool with_continuations)
{
    bool ok[YYNTOKEN] = { false };
    for (int t = 1; t < YYNTOKEN; t++)
        ok[t] = parser_accepts(p, (YYCODETYPE)t);
    *value = true;
    for (size_t i = 0; i < sizeof value_starters / sizeof value_starters[0]; i++)
        *value = *value && ok[value_starters[i]];
    if (*value)
        for (size_t i = 0; i < sizeof value_starters / sizeof value_starters[0]; i++)
            ok[value_starters[i]] = false;
    int n = 0;
    for (size_t i = 0; i < sizeof listing_order / sizeof listing_order[0]; i++) {
        int t = listing_order[i];
        if (ok[t] && (with_continuations || !continues_expression(t)))
            out[n++] = t;
    }
    return n;
}

static bool is_opener(int t)
{
    return t == TK_LBRACE || t == TK_LBRACKET || t == TK_LPAREN;
}

static int closer_of(int opener)
{
    return opener == TK_LBRACE ? TK_RBRACE : opener == TK_LBRACKET ? TK_RBRACKET : TK_RPAREN;
}

/* The brackets still open are the opening tokens on the parser's stack
 * (recovery pops the ones it abandons).  Returns how many; *innermost gets
 * the last one. */
static unsigned open_brackets(const yyParser *p, token *innermost)
{
    unsigned n = 0;
    for (const yyStackEntry *e = p->yytos; e > p->yystack; e--)
        if (is_opener(e->major) && n++ == 0 && innermost)
            *innermost = e->minor.yy0;
    return n;
}

/* "expected ';' before '}'", "expected a value or ']' before ';'", or, when
 * too much could follow to list, "unexpected ';'". */
static void report_syntax_error(struct yyParser *p, int major, token tok)
{
    parse_ctx *ctx = p->ctx;
    /* Right behind a lexical error the lexer has said what is wrong. */
    bool quiet = tok.after_error || ctx->prev.after_error || ctx->aborted || ctx->quiet_next_syntax_error;
    ctx->quiet_next_syntax_error = false;
    if (quiet)
        return;
    int expected[YYNTOKEN];
    bool value;
    int n = expected_tokens(p, expected, &value, false);
    if (n + value == 0)
        n = expected_tokens(p, expected, &value, true);
    rf_buf msg;
    rf_buf_init(&msg, ctx->arena, 128);
    bool listed = n + value >= 1 && n + value <= 4;
    bool at_top_level = !open_brackets(p, NULL);
    if (at_top_level && n == 1 && expected[0] == TK_IDENT && !value) {
        rf_buf_puts(&msg, "expected a declaration before ");
    } else if (listed) {
        rf_buf_puts(&msg, "expected ");
        int items = n + value, done = 0;
        if (value)
            rf_buf_puts(&msg, "a value"), done++;
        for (int i = 0; i < n; i++, done++) {
            rf_buf_puts(&msg, done == 0 ? "" : done == items - 1 ? " or " : ", ");
            rf_buf_puts(&msg, token_kind_name(expected[i]));
        }
        rf_buf_puts(&msg, " before ");
    } else {
        rf_buf_puts(&msg, "unexpected ");
    }
    describe_token(&msg, ctx, tok);
    /* A missing ';' is best shown where it belongs: right after the
     * previous token, as GCC does; so is the end of the file, on a line
     * that has something to show. */
    bool missing_semi = listed && n == 1 && !value && expected[0] == TK_SEMI && ctx->prev.type;
    bool at_prev_end = (missing_semi || major == 0) && ctx->prev.type;
    span at = at_prev_end ? span_make(span_end(ctx->prev.span), 0) : tok.span;
    diag_error(ctx->diag, at, "%s", msg.data);
    token open = { 0 };
    if (open_brackets(p, &open)) {
        bool closer_expected = false;
        for (int i = 0; i < n; i++)
            closer_expected |= expected[i] == closer_of(open.type);
        if (closer_expected)
            diag_note(ctx->diag, open.span, "to match this %s", token_kind_name(open.type));
    }
}

/* ---- the driver --------------------------------------------------------- */

/* After a syntax error lemon skips tokens until three have been shifted;
 * reductions in that window work on leftovers and report nothing. */
static bool recovering(const parse_ctx *ctx)
{
    return ctx->parser->yyerrcnt >= 0;
}

/* Before an opening bracket is parsed: refuse one level too many, before
 * lemon's fixed stack could fill. */
static bool may_open_bracket(parse_ctx *ctx, const yyParser *p, token t)
{
    if (open_brackets(p, NULL) < AST_MAX_DEPTH)
        return true;
    diag_error(ctx->diag, t.span, "brackets are nested too deeply (the limit is %d levels)", AST_MAX_DEPTH);
    ctx->aborted = true;
    return false;
}

/* The most common slip, a missing ';', is repaired rather than recovered
 * from: report it, feed the parser the ';', and the member after it is
 * parsed (and checked) as written. */
static void insert_semicolon(parse_ctx *ctx, yyParser *p, token next)
{
    if (!next.after_error && !ctx->prev.after_error && !recovering(ctx)) {
        rf_buf msg;
        rf_buf_init(&msg, ctx->arena, 64);
        describe_token(&msg, ctx, next);
        diag_error(ctx->diag, span_make(span_end(ctx->prev.span), 0), "expected ';' before %s", msg.data);
    }
    token semi = { .type = TK_SEMI, .span = span_make(span_end(ctx->prev.span), 0) };
    rflow_parser(p, TK_SEMI, semi);
}

ast_file *ast_parse(rf_arena *a, const source *src, diag *d)
{
    parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = a;
    ctx.src = src;
    ctx.diag = d;
    ctx.file = rf_calloc(a, sizeof *ctx.file);
    ctx.file->src = src;
    lexer_init(&ctx.lx, src, a, d);
    unsigned errors_before = d->errors;

    yyParser parser;
    rflow_parserInit(&parser, &ctx);
    ctx.parser = &parser;
    for (;;) {
        token t = lexer_next(&ctx.lx);
        if (is_opener(t.type) && !may_open_bracket(&ctx, &parser, t))
            break;
        if (semicolon_missing_before(&ctx, &parser, t))
            insert_semicolon(&ctx, &parser, t);
        rflow_parser(&parser, t.type, t);
        ctx.prev = t;
        if (t.type == 0 || ctx.aborted || diag_stopped(d))
            break;
    }
    rflow_parserFinalize(&parser);
    return d->errors == errors_before ? ctx.file : NULL;
}
}
