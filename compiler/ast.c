/*
 * ast.c: AST arrays, block kind names, and the tree dump used by tests.
 */
#include <inttypes.h>
#include <string.h>

#include "ast.h"

/* ---- arrays ------------------------------------------------------------ */

/* Arena arrays double by copying; the old storage is reclaimed with the
 * arena.  Each typed push is a thin wrapper so callers keep their types. */
static void *grow(rf_arena *a, void *items, uint32_t count, uint32_t *cap, size_t item_size)
{
    uint32_t new_cap = *cap ? *cap * 2 : 4;
    void *p = rf_alloc(a, new_cap * item_size);
    if (count)
        memcpy(p, items, count * item_size);
    *cap = new_cap;
    return p;
}

#define DEFINE_PUSH(array, T)                                                 \
    void array##_push(rf_arena *a, array *v, T *item)                         \
    {                                                                         \
        if (v->count == v->cap)                                               \
            v->items = grow(a, v->items, v->count, &v->cap, sizeof *v->items); \
        v->items[v->count++] = item;                                          \
    }

DEFINE_PUSH(ast_ident_array, ast_ident)
DEFINE_PUSH(ast_expr_array, ast_expr)
DEFINE_PUSH(ast_kwarg_array, ast_kwarg)
DEFINE_PUSH(ast_entry_array, ast_entry)
DEFINE_PUSH(ast_member_array, ast_member)
DEFINE_PUSH(ast_block_array, ast_block)

/* ---- block kinds ------------------------------------------------------- */

static const char *const block_kind_words[] = {
    [AST_SPEC] = "spec",
    [AST_SETTINGS] = "settings",
    [AST_DATABASES] = "databases",
    [AST_RESOURCE] = "resource",
    [AST_SERIALIZER] = "serializer",
    [AST_POSTFETCH] = "postfetch",
    [AST_PAGINATION] = "pagination",
    [AST_THROTTLE] = "throttle",
    [AST_PERMISSION] = "permission",
    [AST_AUTHENTICATION] = "authentication",
    [AST_VIEW] = "view",
    [AST_VIEWSET] = "viewset",
    [AST_ROUTER] = "router",
    [AST_URLS] = "urls",
    [AST_ACTION] = "action",
    [AST_EXTRA_ACTION] = "extra_action",
    [AST_HOOKS] = "hooks",
};

const char *ast_block_kind_name(ast_block_kind kind)
{
    if (kind < AST_SPEC || kind > AST_HOOKS)
        return "?";
    return block_kind_words[kind];
}

ast_block_kind ast_block_kind_from_word(const char *word)
{
    for (int k = AST_SPEC; k <= AST_HOOKS; k++)
        if (!strcmp(block_kind_words[k], word))
            return (ast_block_kind)k;
    return 0;
}

bool ast_block_kind_is_nested(ast_block_kind kind)
{
    return kind == AST_ACTION || kind == AST_EXTRA_ACTION || kind == AST_HOOKS;
}

const char *ast_dotted_text(rf_arena *a, const ast_ident_array *parts)
{
    rf_buf b;
    rf_buf_init(&b, a, 32);
    for (uint32_t i = 0; i < parts->count; i++) {
        if (i)
            rf_buf_putc(&b, '.');
        rf_buf_puts(&b, parts->items[i]->text);
    }
    return b.data;
}

/* ---- dump -------------------------------------------------------------- */

/*
 * One node per line, indented two spaces per level, each with its span as
 * @offset+length:
 *     resource Product @0+120
 *       assign name @20+31
 *         call CharField @27+23
 *           kw max_length
 *             int 200 @45+3
 */

static void indent(FILE *out, int level)
{
    fprintf(out, "%*s", level * 2, "");
}

static void dump_span(FILE *out, span s)
{
    fprintf(out, " @%" PRIu32 "+%" PRIu32 "\n", s.off, s.len);
}

static void dump_dotted(FILE *out, const ast_ident_array *parts)
{
    for (uint32_t i = 0; i < parts->count; i++)
        fprintf(out, "%s%s", i ? "." : "", parts->items[i]->text);
}

/* Strings are shown escaped, so a dump is one line per node. */
static void dump_string(FILE *out, const char *s, uint32_t len)
{
    fputc('"', out);
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void dump_expr(FILE *out, const ast_expr *e, int level);

static void dump_exprs(FILE *out, const ast_expr_array *v, int level)
{
    for (uint32_t i = 0; i < v->count; i++)
        dump_expr(out, v->items[i], level);
}

static void dump_call(FILE *out, const ast_call *c, int level)
{
    if (c->target) {
        indent(out, level);
        fputs("target\n", out);
        dump_expr(out, c->target, level + 1);
    }
    dump_exprs(out, &c->args, level);
    for (uint32_t i = 0; i < c->kwargs.count; i++) {
        const ast_kwarg *kw = c->kwargs.items[i];
        indent(out, level);
        fputs("kw ", out);
        dump_dotted(out, &kw->key);
        fputc('\n', out);
        dump_expr(out, kw->value, level + 1);
    }
}

static const char *const expr_kind_words[] = {
    [AST_NAME] = "name", [AST_STRING] = "string", [AST_INT] = "int", [AST_DECIMAL] = "decimal",
    [AST_BOOL] = "bool", [AST_NULL] = "null", [AST_LIST] = "list", [AST_MAP] = "map",
    [AST_CALL] = "call", [AST_NEG] = "neg", [AST_NOT] = "not", [AST_AND] = "and", [AST_OR] = "or",
};

/* The node's line: its kind, its value for leaves, its span. */
static void dump_expr_line(FILE *out, const ast_expr *e)
{
    switch (e->kind) {
    case AST_NAME:
        fputs("name ", out);
        dump_dotted(out, &e->u.name.parts);
        break;
    case AST_STRING:
        fputs("string ", out);
        dump_string(out, e->u.string.text, e->u.string.len);
        break;
    case AST_INT:
        fprintf(out, "int %" PRId64, e->u.integer);
        break;
    case AST_DECIMAL:
        fprintf(out, "decimal %s", e->u.decimal);
        break;
    case AST_BOOL:
        fputs(e->u.boolean ? "true" : "false", out);
        break;
    case AST_CALL:
        fprintf(out, "call %s", e->u.call.callee->text);
        break;
    default:
        fputs(expr_kind_words[e->kind], out);
        break;
    }
    dump_span(out, e->span);
}

static void dump_expr(FILE *out, const ast_expr *e, int level)
{
    indent(out, level);
    dump_expr_line(out, e);
    switch (e->kind) {
    case AST_LIST:
        dump_exprs(out, &e->u.list, level + 1);
        break;
    case AST_MAP:
        for (uint32_t i = 0; i < e->u.map.count; i++) {
            const ast_entry *en = e->u.map.items[i];
            indent(out, level + 1);
            fprintf(out, "entry %s%s\n", en->key->text, en->quoted ? " (quoted)" : "");
            dump_expr(out, en->value, level + 2);
        }
        break;
    case AST_CALL:
        dump_call(out, &e->u.call, level + 1);
        break;
    case AST_NEG:
    case AST_NOT:
        dump_expr(out, e->u.operand, level + 1);
        break;
    case AST_AND:
    case AST_OR:
        dump_exprs(out, &e->u.operands, level + 1);
        break;
    default:
        break;
    }
}

static void dump_block(FILE *out, const ast_block *b, int level);

static void dump_member(FILE *out, const ast_member *m, int level)
{
    switch (m->kind) {
    case AST_ASSIGN:
        indent(out, level);
        fprintf(out, "assign %s", m->key->text);
        dump_span(out, m->span);
        dump_expr(out, m->value, level + 1);
        break;
    case AST_NESTED:
        dump_block(out, m->block, level);
        break;
    case AST_STATEMENT:
        indent(out, level);
        fputs("statement", out);
        dump_span(out, m->span);
        dump_expr(out, m->call, level + 1);
        break;
    }
}

static void dump_block(FILE *out, const ast_block *b, int level)
{
    indent(out, level);
    fputs(ast_block_kind_name(b->kind), out);
    if (b->name)
        fprintf(out, " %s", b->name->text);
    if (b->base)
        fprintf(out, " : %s", b->base->text);
    dump_span(out, b->span);
    for (uint32_t i = 0; i < b->members.count; i++)
        dump_member(out, b->members.items[i], level + 1);
}

void ast_dump(FILE *out, const ast_file *file)
{
    for (uint32_t i = 0; i < file->blocks.count; i++)
        dump_block(out, file->blocks.items[i], 0);
}
