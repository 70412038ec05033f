/*
 * sema_internal.h: what the sema_*.c files share.  Not for emitters: they
 * read model.h only.
 *
 * Sema runs in passes over the AST (see sema.c); each pass fills part of
 * the model and reports what it finds wrong, then the next pass goes on with
 * whatever resolved, so one run reports every independent error.  An entity
 * that failed to resolve is left NULL and later passes stay quiet about it
 * (no cascades).
 */
#ifndef RFLOWC_SEMA_INTERNAL_H
#define RFLOWC_SEMA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "model.h"
#include "restflow/base.h"
#include "strmap.h"

/* Append to an arena array `arr` of count `n` (grows at 0 and powers of
 * two; the old block stays in the arena). */
#define VPUSH(s, arr, n, item)                                          \
    do {                                                                \
        if (((n) & ((n) - 1)) == 0) {                                   \
            uint32_t cap_ = (n) < 2 ? 4 : 2 * (n);                      \
            void *p_ = rf_alloc((s)->a, cap_ * sizeof *(arr));          \
            if (n)                                                      \
                memcpy(p_, (arr), (n) * sizeof *(arr));                 \
            (arr) = p_;                                                 \
        }                                                               \
        (arr)[(n)++] = (item);                                          \
    } while (0)


/* A declared name: every top-level declaration with a name, and the
 * built-in classes.  One namespace, as a Python module's. */
typedef enum sym_kind {
    SYM_RESOURCE = 1, SYM_SERIALIZER, SYM_POSTFETCH, SYM_PAGINATION,
    SYM_THROTTLE, SYM_PERMISSION, SYM_AUTHENTICATION, SYM_VIEW,
    SYM_VIEWSET, SYM_ROUTER,
    /* built-in names that are not entities of the model */
    SYM_FILTER_BACKEND, SYM_PARSER, SYM_RENDERER, SYM_MIXIN
} sym_kind;

typedef struct sym {
    const char *name;
    sym_kind kind;
    const ast_block *block;    /* NULL for built-ins */
    void *entity;              /* the model_* it became, once built */
    int code;                  /* built-ins: the model enum value */
    const void *aux;           /* per kind: a postfetch's join member */
    bool builtin;
} sym;

/* A block's `key = value;` members, for taking them one by one and then
 * reporting whatever nobody took. */
typedef struct members {
    const ast_block *block;
    const ast_member **items;  /* ASSIGN members */
    uint32_t n;
    bool *taken;
    strmap index;              /* key -> position + 1 in items */
} members;

/* A serializer field whose source is bound once the rows it renders are
 * known (PostFetch attachments, plain Serializers). */
typedef struct sfield_pending {
    model_sfield *f;
    model_serializer *owner;
    ast_ident_array parts;     /* the source path */
    span at;                   /* the source, or the field's name */
    bool done;
} sfield_pending;

typedef struct sema {
    rf_arena *a;
    diag *d;
    const ast_file *file;
    const source *src;
    model *m;
    sym **syms;                /* in declaration order (built-ins first) */
    uint32_t nsyms;
    strmap names;              /* name -> sym */
    strmap hooks;              /* C function -> its first model_hook */
    /* What the settings block said, before the policies resolve it. */
    const ast_block *settings_block;
    members settings_members;
    sfield_pending **pending;
    uint32_t npending;
    unsigned errors_at_start;  /* the diagnostics' count when sema began */
} sema;

/* --- sema.c: locations, symbols, members, value readers ------------- */

model_loc sema_loc(const sema *s, span at);
model_loc sema_builtin_loc(const sema *s);
char *sema_strdup(const sema *s, const char *text);
char *sema_printf(const sema *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

sym *sym_add(sema *s, const char *name, sym_kind kind, const ast_block *block);
sym *sym_find(const sema *s, const char *name);
const char *sym_kind_noun(sym_kind kind);     /* "serializer" */
/* The span to point a "declared here" note at: the block's name. */
span sym_span(const sym *y);
/* Note "'X' declared here" (nothing for built-ins). */
void note_declared(sema *s, const sym *y);

/* Resolve `name` to a declaration of kind `want` (or any of the kinds in
 * the 0-terminated `wants`).  On failure reports "unknown <noun> 'x'" with
 * the nearest name of those kinds, or "'x' is a <kind>, not a <noun>" with
 * a note, and returns NULL. */
sym *resolve_sym(sema *s, const ast_ident *name, sym_kind want);
sym *resolve_sym_of(sema *s, const char *text, span at, const sym_kind *wants,
                    const char *noun);

void members_init(sema *s, members *ms, const ast_block *b);
/* The member `key`, marked taken; NULL when absent. */
const ast_member *members_take(members *ms, const char *key);
/* The first `key = value;` member of a block, without marking anything. */
const ast_member *block_member(const ast_block *b, const char *key);
/* Report members nobody took: "unknown attribute 'k' in <what>" with the
 * nearest of `known` (NULL-terminated). */
void members_reject_rest(sema *s, members *ms, const char *what,
                         const char *const *known);

/* "a" or "an", for the noun that follows. */
const char *sema_article(const char *noun);

/* "a string", "a list", ... for messages. */
const char *expr_desc(const ast_expr *e);
/* The one identifier of a single-part AST_NAME, else NULL. */
const ast_ident *expr_ident(const ast_expr *e);
/* A field named as an identifier or, as DRF writes them, a string
 * ("name"): the identifier (for a string, one spanning the literal), or
 * NULL. */
const ast_ident *expr_field_name(sema *s, const ast_expr *e);

/* Readers: on a wrong kind they report "'key' expects <what>, not <desc>"
 * and return false. */
bool read_bool(sema *s, const ast_member *m, bool *out);
bool read_int(sema *s, const ast_member *m, int64_t lo, int64_t hi, int64_t *out);
bool read_string(sema *s, const ast_member *m, const char **out);
const ast_ident *read_ident(sema *s, const ast_member *m);
/* A list (a single element also accepted when `lone_ok`); NULL on error. */
const ast_expr_array *read_list(sema *s, const ast_member *m);

/* Check that a string is a valid C identifier usable for a hook. */
bool check_c_identifier(sema *s, const char *text, span at, const char *what);

/* Hooks: `fn`, `async(fn)`, `blocking(fn)`, `sync(fn)`.  `form` is the
 * default for a bare name.  NULL on error. */
model_hook *read_hook(sema *s, const ast_expr *e, const char *role,
                      model_hook_sig sig, model_hook_form form);
/* The default hook form of a declaration: `async = true;` / `blocking =
 * true;` members (taken from ms), else `dflt`.  *explicit_out tells whether
 * the declaration chose. */
model_hook_form read_decl_form(sema *s, members *ms, model_hook_form dflt,
                               bool *explicit_out);

/* Report nested blocks and statements in a kind that takes none. */
void sema_reject_nested(sema *s, const ast_block *b, const char *what);

/* Did-you-mean over a fixed list of words. */
const char *suggest_word(const char *goal, const char *const *words);

/* --- the passes ------------------------------------------------------ */

/* builtins.c */
void builtins_declare(sema *s);
void builtins_resources(sema *s);

/* sema_resource.c */
void sema_databases(sema *s);
void sema_resources(sema *s);
model_database *sema_find_database(sema *s, const ast_ident *name);
/* Resolve a dotted field path on `r` (filter keys, sources).  `allow_fk_hops`
 * lets every hop but the last cross a ForeignKey.  Reports and returns false
 * on failure. */
bool sema_resolve_path(sema *s, model_resource *r, const ast_ident_array *parts,
                       uint32_t first, bool allow_fk_hops, model_path *out);
model_field *sema_resolve_field(sema *s, model_resource *r, const ast_ident *name);
/* A literal for a field of type t (defaults, choices, filter values). */
bool sema_typed_value(sema *s, const ast_expr *e, model_ftype t,
                      model_value *out, const char *what);
/* One `value: "label"` entry of a choices map, typed for t. */
bool sema_choice_entry(sema *s, const ast_entry *en, model_ftype t, model_choice *c);
bool sema_field_is_text(model_ftype t);
bool sema_field_is_numeric(model_ftype t);
bool sema_field_is_integer(model_ftype t);

/* sema_policy.c */
void sema_settings_scalars(sema *s);
void sema_policies(sema *s);
void sema_settings_classes(sema *s);
model_rate *sema_rate_for_scope(sema *s, const char *scope);
bool sema_parse_rate(const char *text, int32_t *num, int32_t *duration);
model_perm_expr *sema_perm_expr(sema *s, const ast_expr *e);
bool sema_perm_list(sema *s, const ast_member *m, model_perm_expr ***out, uint32_t *n);
bool sema_throttle_list(sema *s, const ast_member *m, model_throttle ***out, uint32_t *n);
bool sema_auth_list(sema *s, const ast_member *m, model_authentication ***out, uint32_t *n);
bool sema_filter_list(sema *s, const ast_member *m, model_filter_backend **out, uint32_t *n);
bool sema_parser_list(sema *s, const ast_member *m, model_parser **out, uint32_t *n);
bool sema_renderer_list(sema *s, const ast_member *m, model_renderer **out, uint32_t *n);
/* pagination_class: a pagination or null (*out NULL, *is_null true). */
bool sema_pagination_ref(sema *s, const ast_member *m, model_pagination **out);

/* The entity of a symbol; built-in policy classes are made on first use
 * (reporting a missing rate at `at`). */
void *sema_builtin_entity(sema *s, sym *y, span at);

/* sema_query.c */
model_queryset *sema_queryset(sema *s, const ast_expr *e, const char *what);
bool sema_ordering(sema *s, model_resource *r, const ast_member *m,
                   model_order ***out, uint32_t *n);
void sema_postfetches(sema *s);
/* After views: the base resource of each PostFetch. */
void sema_postfetch_bases(sema *s);

/* sema_serializer.c */
void sema_serializers(sema *s);
/* After views and PostFetch bases: attach bindings, plain instances. */
void sema_serializer_bindings(sema *s);

/* sema_view.c */
void sema_views(sema *s);

/* routes.c */
void sema_routes(sema *s);

#endif
