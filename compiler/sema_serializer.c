/*
 * sema_serializer.c: Serializer and ModelSerializer declarations.
 *
 * A ModelSerializer's fields are built from its model exactly as DRF 3.14's
 * ModelSerializer.get_fields, build_field and utils/field_mapping.py do:
 * the field names (`fields`, "__all__" or `exclude`), then per field either
 * the declaration or the model field's kwargs (read_only for AutoField and
 * non-editable fields, required unless null/blank/default, allow_null,
 * allow_blank for text, limits, ChoiceField for choices,
 * PrimaryKeyRelatedField for a ForeignKey, UniqueValidator for unique),
 * then read_only_fields and extra_kwargs as include_extra_kwargs merges them.
 *
 * Fields whose value does not come from the model (a PostFetch to_attr) and
 * the fields of plain Serializers are bound later (sema_serializer_bindings),
 * once the views tell which rows they render.
 */
#include <stdio.h>

#include "names.h"
#include "sema_internal.h"

/* ---------------------------------------------------------------------
 * Serializer field classes.
 */
typedef struct sclass_info {
    const char *name;
    model_sclass sclass;
    model_ftype type;
} sclass_info;

static const sclass_info sclasses[] = {
    { "IntegerField", MODEL_SC_INTEGER, MODEL_T_INTEGER },
    { "FloatField", MODEL_SC_FLOAT, MODEL_T_FLOAT },
    { "DecimalField", MODEL_SC_DECIMAL, MODEL_T_DECIMAL },
    { "BooleanField", MODEL_SC_BOOLEAN, MODEL_T_BOOLEAN },
    { "CharField", MODEL_SC_CHAR, MODEL_T_CHAR },
    { "EmailField", MODEL_SC_EMAIL, MODEL_T_EMAIL },
    { "URLField", MODEL_SC_URL, MODEL_T_URL },
    { "SlugField", MODEL_SC_SLUG, MODEL_T_SLUG },
    { "UUIDField", MODEL_SC_UUID, MODEL_T_UUID },
    { "DateField", MODEL_SC_DATE, MODEL_T_DATE },
    { "DateTimeField", MODEL_SC_DATETIME, MODEL_T_DATETIME },
    { "JSONField", MODEL_SC_JSON, MODEL_T_JSON },
    { "ChoiceField", MODEL_SC_CHOICE, MODEL_T_CHAR },
    { "PrimaryKeyRelatedField", MODEL_SC_PRIMARY_KEY_RELATED, MODEL_T_FOREIGNKEY },
    { "ReadOnlyField", MODEL_SC_READ_ONLY, 0 },
};
#define NSCLASSES (sizeof sclasses / sizeof *sclasses)

const char *model_sclass_name(model_sclass c)
{
    for (size_t i = 0; i < NSCLASSES; i++)
        if (sclasses[i].sclass == c)
            return sclasses[i].name;
    return "nested";
}

static const sclass_info *sclass_from_name(const char *name)
{
    for (size_t i = 0; i < NSCLASSES; i++)
        if (strcmp(sclasses[i].name, name) == 0)
            return &sclasses[i];
    return NULL;
}

/* The class DRF's ModelSerializer.serializer_field_mapping picks. */
static model_sclass sclass_for_model_field(const model_field *f)
{
    if (f->limits.nchoices)
        return MODEL_SC_CHOICE;
    switch (f->type) {
    case MODEL_T_AUTO: case MODEL_T_BIGAUTO: case MODEL_T_INTEGER:
    case MODEL_T_BIGINTEGER: return MODEL_SC_INTEGER;
    case MODEL_T_FLOAT: return MODEL_SC_FLOAT;
    case MODEL_T_DECIMAL: return MODEL_SC_DECIMAL;
    case MODEL_T_BOOLEAN: return MODEL_SC_BOOLEAN;
    case MODEL_T_EMAIL: return MODEL_SC_EMAIL;
    case MODEL_T_URL: return MODEL_SC_URL;
    case MODEL_T_SLUG: return MODEL_SC_SLUG;
    case MODEL_T_UUID: return MODEL_SC_UUID;
    case MODEL_T_DATE: return MODEL_SC_DATE;
    case MODEL_T_DATETIME: return MODEL_SC_DATETIME;
    case MODEL_T_JSON: return MODEL_SC_JSON;
    case MODEL_T_FOREIGNKEY: return MODEL_SC_PRIMARY_KEY_RELATED;
    default: return MODEL_SC_CHAR;
    }
}

/* ---------------------------------------------------------------------
 * Building fields.
 */
static model_sfield *sfield_new(sema *s, const char *name, model_loc loc)
{
    model_sfield *f = rf_calloc(s->a, sizeof *f);
    f->name = name;
    f->source_text = name;
    f->join = -1;
    f->limits.max_length = f->limits.min_length = -1;
    f->limits.max_digits = f->limits.decimal_places = -1;
    f->loc = loc;
    return f;
}

static const char *default_label(sema *s, const char *name)
{
    char *out = rf_alloc(s->a, NAMES_BUF(strlen(name)));
    names_default_label(name, out);
    return out;
}

static const char *capfirst(sema *s, const char *text)
{
    char *out = rf_alloc(s->a, strlen(text) + 1);
    names_capfirst(text, out);
    return out;
}

/* utils/field_mapping.py get_field_kwargs / get_relation_kwargs. */
static void kwargs_from_model(sema *s, model_sfield *f, model_field *mf)
{
    f->model_field = mf;
    f->sclass = sclass_for_model_field(mf);
    f->type = f->sclass == MODEL_SC_PRIMARY_KEY_RELATED ? MODEL_T_FOREIGNKEY : mf->type;
    f->label = capfirst(s, mf->verbose_name);
    f->help_text = mf->help_text;
    f->allow_null = mf->null;
    f->source_kind = MODEL_SRC_FIELD;
    f->source.hops = rf_alloc(s->a, sizeof *f->source.hops);
    f->source.hops[0] = mf;
    f->source.nhops = 1;
    f->source.text = mf->name;
    if (mf->type == MODEL_T_FOREIGNKEY)
        f->related = mf->fk_target;
    if (mf->type == MODEL_T_AUTO || mf->type == MODEL_T_BIGAUTO || !mf->editable) {
        f->read_only = true;
        f->related = NULL;
        return;
    }
    f->required = !(mf->has_default || mf->blank || mf->null);
    f->allow_blank = mf->blank && sema_field_is_text(mf->type);
    if (mf->limits.nchoices) {   /* ChoiceField keeps choices, drops limits */
        f->limits.choices = mf->limits.choices;
        f->limits.nchoices = mf->limits.nchoices;
    } else if (mf->type != MODEL_T_FOREIGNKEY) {
        f->limits = mf->limits;
        if (!sema_field_is_text(mf->type))
            f->limits.min_length = f->limits.max_length = -1;
    }
    if (mf->unique) {
        f->unique = true;
        f->unique_message = mf->unique_message;
    }
}

/* include_extra_kwargs with {'read_only': True}. */
static void make_read_only(model_sfield *f)
{
    f->read_only = true;
    f->required = false;
    f->has_default = false;
    f->allow_blank = false;
    f->limits.min_length = f->limits.max_length = -1;
    f->limits.min_value = f->limits.max_value = NULL;
    f->unique = false;
    f->unique_message = NULL;
    f->related = NULL;
}

/* ---------------------------------------------------------------------
 * Options of declared fields (and of extra_kwargs).
 */
typedef struct opts {
    const ast_kwarg_array *kw;     /* a call's keyword arguments, or */
    const ast_entry_array *map;    /* an extra_kwargs entry's map */
    bool *taken;
} opts;

typedef struct opt {
    const char *key;
    const ast_expr *value;
    span key_span;
} opt;

static uint32_t opts_count(const opts *o)
{
    return o->kw ? o->kw->count : o->map->count;
}

static opt opts_at(const opts *o, uint32_t i)
{
    if (o->kw) {
        const ast_kwarg *k = o->kw->items[i];
        const char *key = k->key.count == 1 ? k->key.items[0]->text : "";
        return (opt){ key, k->value, k->key_span };
    }
    const ast_entry *e = o->map->items[i];
    return (opt){ e->key->text, e->value, e->key->span };
}

static bool opts_take(opts *o, const char *key, opt *out)
{
    for (uint32_t i = 0; i < opts_count(o); i++) {
        opt x = opts_at(o, i);
        if (strcmp(x.key, key) == 0) {
            o->taken[i] = true;
            *out = x;
            return true;
        }
    }
    return false;
}

static void opt_bool(sema *s, opts *o, const char *key, bool *out, bool *was_set)
{
    opt x;
    if (!opts_take(o, key, &x))
        return;
    if (x.value->kind != AST_BOOL) {
        diag_error(s->d, x.value->span, "'%s' expects true or false, not %s", key,
                   expr_desc(x.value));
        return;
    }
    *out = x.value->u.boolean;
    if (was_set)
        *was_set = true;
}

static void opt_text(sema *s, opts *o, const char *key, const char **out)
{
    opt x;
    if (!opts_take(o, key, &x))
        return;
    if (x.value->kind != AST_STRING)
        diag_error(s->d, x.value->span, "'%s' expects a string, not %s", key,
                   expr_desc(x.value));
    else
        *out = x.value->u.string.text;
}

static void opt_int(sema *s, opts *o, const char *key, int64_t lo, int32_t *out)
{
    opt x;
    if (!opts_take(o, key, &x))
        return;
    if (x.value->kind == AST_NULL) {
        *out = -1;
        return;
    }
    if (x.value->kind != AST_INT || x.value->u.integer < lo
        || x.value->u.integer > MODEL_MAX_CHAR_LENGTH)
        diag_error(s->d, x.value->span, "'%s' expects an integer of at least %lld", key,
                   (long long)lo);
    else
        *out = (int32_t)x.value->u.integer;
}

static void opt_number(sema *s, opts *o, const char *key, model_ftype t, const char **out)
{
    opt x;
    model_value v;
    if (!opts_take(o, key, &x) || x.value->kind == AST_NULL)
        return;
    model_ftype as = sema_field_is_integer(t) ? MODEL_T_INTEGER : MODEL_T_DECIMAL;
    if (sema_typed_value(s, x.value, as, &v, key))
        *out = v.text;
}

static bool is_numeric_class(model_sclass c)
{
    return c == MODEL_SC_INTEGER || c == MODEL_SC_FLOAT || c == MODEL_SC_DECIMAL;
}

static bool is_text_class(model_sclass c)
{
    return c == MODEL_SC_CHAR || c == MODEL_SC_EMAIL || c == MODEL_SC_URL
        || c == MODEL_SC_SLUG;
}

static void default_option(sema *s, model_sfield *f, opts *o, model_ftype t)
{
    opt x;
    if (!opts_take(o, "default", &x))
        return;
    if (f->type == MODEL_T_NESTED || f->sclass == MODEL_SC_READ_ONLY)
        diag_error(s->d, x.key_span, "%s %s takes no default",
                   sema_article(model_sclass_name(f->sclass)), model_sclass_name(f->sclass));
    else
        f->has_default = sema_typed_value(s, x.value, t, &f->default_value, "the default");
}

/* The options common to every field, then the class's own. */
static void field_options(sema *s, model_sfield *f, opts *o, bool *required_set)
{
    opt_bool(s, o, "read_only", &f->read_only, NULL);
    opt_bool(s, o, "write_only", &f->write_only, NULL);
    opt_bool(s, o, "required", &f->required, required_set);
    opt_bool(s, o, "allow_null", &f->allow_null, NULL);
    opt_text(s, o, "label", &f->label);
    opt_text(s, o, "help_text", &f->help_text);
    if (is_text_class(f->sclass) || f->sclass == MODEL_SC_CHOICE)
        opt_bool(s, o, "allow_blank", &f->allow_blank, NULL);
    if (is_text_class(f->sclass)) {
        opt_int(s, o, "max_length", 1, &f->limits.max_length);
        opt_int(s, o, "min_length", 0, &f->limits.min_length);
    }
    if (is_numeric_class(f->sclass)) {
        opt_number(s, o, "min_value", f->type, &f->limits.min_value);
        opt_number(s, o, "max_value", f->type, &f->limits.max_value);
    }
    if (f->sclass == MODEL_SC_DECIMAL) {
        opt_int(s, o, "max_digits", 1, &f->limits.max_digits);
        opt_int(s, o, "decimal_places", 0, &f->limits.decimal_places);
    }
    /* a PrimaryKeyRelatedField's default is a key, typed once its queryset
     * is known (class_options) */
    if (f->sclass != MODEL_SC_PRIMARY_KEY_RELATED)
        default_option(s, f, o, f->type);
}

static const char *const field_option_names[] = {
    "read_only", "write_only", "required", "allow_null", "label", "help_text",
    "allow_blank", "max_length", "min_length", "min_value", "max_value", "max_digits",
    "decimal_places", "default", "source", "choices", "queryset", "many", NULL
};

static void reject_options(sema *s, opts *o, const char *cls)
{
    for (uint32_t i = 0; i < opts_count(o); i++) {
        if (o->taken[i])
            continue;
        opt x = opts_at(o, i);
        bool known = false;
        for (int j = 0; field_option_names[j]; j++)
            known |= strcmp(field_option_names[j], x.key) == 0;
        if (known) {
            diag_error(s->d, x.key_span, "%s %s takes no '%s' option", sema_article(cls), cls,
                       x.key);
            continue;
        }
        diag_error(s->d, x.key_span, "unknown option '%s' for %s %s", x.key, sema_article(cls),
                   cls);
        const char *best = suggest_word(x.key, field_option_names);
        if (best)
            diag_hint(s->d, "did you mean '%s'?", best);
    }
}

/* DRF's Field.__init__ assertions. */
static void check_flags(sema *s, model_sfield *f, bool required_set, span at)
{
    if (f->read_only && f->write_only)
        diag_error(s->d, at, "a field cannot be both read_only and write_only");
    if (f->read_only && required_set && f->required)
        diag_error(s->d, at, "a field cannot be both read_only and required");
    if (required_set && f->required && f->has_default)
        diag_error(s->d, at, "a field cannot be both required and have a default");
    if (!required_set)
        f->required = !f->read_only && !f->has_default;
    if (f->has_default && f->default_value.kind == MODEL_V_NULL && !f->allow_null)
        diag_error(s->d, at, "the default is null but allow_null is not true");
    if (f->limits.min_length >= 0 && f->limits.max_length >= 0
        && f->limits.min_length > f->limits.max_length)
        diag_error(s->d, at, "'min_length' is greater than 'max_length'");
}

/* ---------------------------------------------------------------------
 * Sources: `source = "owner.username"` or `source = owner.username`.
 */
static bool source_parts(sema *s, const ast_expr *e, ast_ident_array *out)
{
    memset(out, 0, sizeof *out);
    if (e->kind == AST_NAME) {
        *out = e->u.name.parts;
        return true;
    }
    if (e->kind != AST_STRING || !e->u.string.len) {
        diag_error(s->d, e->span, "'source' expects a field name or a dotted path, not %s",
                   expr_desc(e));
        return false;
    }
    const char *t = e->u.string.text;
    if (strcmp(t, "*") == 0) {
        diag_error(s->d, e->span, "source = \"*\" (the whole object) is not supported");
        return false;
    }
    for (const char *p = t;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        ast_ident *id = rf_calloc(s->a, sizeof *id);
        id->text = rf_strndup(s->a, p, n);
        id->span = e->span;
        if (!n || !names_is_c_identifier(id->text)) {
            diag_error(s->d, e->span, "'source' \"%s\" is not a dotted field path", t);
            return false;
        }
        ast_ident_array_push(s->a, out, id);
        if (!dot)
            break;
        p = dot + 1;
    }
    return true;
}

/* A join for rendering along the first n-1 hops of a path; the index of
 * the last join, reusing equal ones. */
static int32_t join_for(sema *s, model_serializer *ser, model_field **hops, uint32_t n)
{
    int32_t from = -1;
    for (uint32_t i = 0; i < n; i++) {
        int32_t found = -1;
        for (uint32_t j = 0; j < ser->njoins && found < 0; j++)
            if (ser->joins[j]->from == from && ser->joins[j]->fk == hops[i])
                found = (int32_t)j;
        if (found < 0) {
            model_join *jn = rf_calloc(s->a, sizeof *jn);
            jn->from = from;
            jn->fk = hops[i];
            jn->target = hops[i]->fk_target;
            found = (int32_t)ser->njoins;
            VPUSH(s, ser->joins, ser->njoins, jn);
        }
        from = found;
    }
    return from;
}

/* Keys that one record member can hold: the same type, or two integers. */
static bool same_key_type(model_ftype a, model_ftype b)
{
    return a == b || (sema_field_is_integer(a) && sema_field_is_integer(b));
}

/* Bind a field to a resolved path of the serializer's instance resource. */
static void bind_path(sema *s, model_serializer *ser, model_sfield *f, model_path *p,
                      span at)
{
    f->source = *p;
    f->source_text = p->text;
    model_field *last = p->hops[p->nhops - 1];
    if (f->type == MODEL_T_NESTED) {
        if (last->type != MODEL_T_FOREIGNKEY) {
            diag_error(s->d, at, "nested serializer field '%s' needs a ForeignKey or a "
                       "PostFetch to_attr as its source, and '%s' is a %s", f->name,
                       p->text, model_ftype_name(last->type));
            return;
        }
        f->source_kind = MODEL_SRC_PATH;
        f->join = join_for(s, ser, p->hops, p->nhops);
        return;
    }
    if (p->nhops == 1) {
        f->source_kind = MODEL_SRC_FIELD;
        f->model_field = last;
    } else {
        f->source_kind = MODEL_SRC_PATH;
        f->join = join_for(s, ser, p->hops, p->nhops - 1);
        if (!f->read_only && f->sclass != MODEL_SC_READ_ONLY)
            diag_error(s->d, at, "field '%s' has the dotted source '%s', so it must be "
                       "read_only = true", f->name, p->text);
    }
    if (f->sclass == MODEL_SC_READ_ONLY) {   /* typed by its source */
        f->type = last->type;
        f->read_only = true;
    }
    if (f->sclass == MODEL_SC_PRIMARY_KEY_RELATED && last->type != MODEL_T_FOREIGNKEY)
        diag_error(s->d, at, "a PrimaryKeyRelatedField renders a ForeignKey, and '%s' is "
                   "a %s", p->text, model_ftype_name(last->type));
    else if (f->sclass == MODEL_SC_PRIMARY_KEY_RELATED && f->related
             && !same_key_type(model_key_type(f->related->pk), model_key_type(last)))
        diag_error(s->d, at, "PrimaryKeyRelatedField '%s' takes keys of '%s' (%s), and the "
                   "ForeignKey '%s' holds %s keys", f->name, f->related->name,
                   model_ftype_name(model_key_type(f->related->pk)), p->text,
                   model_ftype_name(model_key_type(last)));
}

/* ---------------------------------------------------------------------
 * Pending bindings (resolved in sema_serializer_bindings).
 */
static void add_pending(sema *s, model_serializer *ser, model_sfield *f,
                        const ast_ident_array *parts, span at)
{
    sfield_pending *p = rf_calloc(s->a, sizeof *p);
    p->f = f;
    p->owner = ser;
    p->parts = *parts;
    p->at = at;
    VPUSH(s, s->pending, s->npending, p);
}

typedef struct name_ref {
    const char *name;
    span at;
} name_ref;

typedef struct name_list {
    name_ref *items;
    uint32_t n;
} name_list;

static void name_push(sema *s, name_list *l, const char *name, span at)
{
    name_ref r = { name, at };
    VPUSH(s, l->items, l->n, r);
}

static bool name_in(const name_list *l, const char *name)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return true;
    return false;
}

/* ---------------------------------------------------------------------
 * Declared fields.
 */
static void declared_class(sema *s, model_sfield *f, const ast_call *c, bool *ok)
{
    const sclass_info *ci = sclass_from_name(c->callee->text);
    if (ci) {
        f->sclass = ci->sclass;
        f->type = ci->type;
        return;
    }
    sym *y = sym_find(s, c->callee->text);
    if (y && y->kind == SYM_SERIALIZER) {
        f->sclass = MODEL_SC_NESTED;
        f->type = MODEL_T_NESTED;
        f->nested = y->entity;
        return;
    }
    *ok = false;
    static const char *const model_types[][2] = {
        { "TextField", "CharField" }, { "AutoField", "IntegerField(read_only = true)" },
        { "BigAutoField", "IntegerField(read_only = true)" },
        { "BigIntegerField", "IntegerField" },
        { "ForeignKey", "PrimaryKeyRelatedField(queryset = Resource)" }, { NULL, NULL }
    };
    for (int i = 0; model_types[i][0]; i++) {
        if (strcmp(model_types[i][0], c->callee->text) == 0) {
            diag_error(s->d, c->callee->span, "%s is a resource field; a serializer "
                       "uses %s", c->callee->text, model_types[i][1]);
            return;
        }
    }
    if (y) {
        diag_error(s->d, c->callee->span, "'%s' is %s %s, not a serializer field type or a "
                   "serializer", y->name, sema_article(sym_kind_noun(y->kind)),
                   sym_kind_noun(y->kind));
        note_declared(s, y);
        return;
    }
    names_suggester sg;
    names_suggest_init(&sg, c->callee->text);
    for (size_t i = 0; i < NSCLASSES; i++)
        names_suggest_consider(&sg, sclasses[i].name);
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_SERIALIZER)
            names_suggest_consider(&sg, s->syms[i]->name);
    diag_error(s->d, c->callee->span, "unknown serializer field type or serializer '%s'",
               c->callee->text);
    const char *best = names_suggest_best(&sg);
    if (best) {
        diag_hint(s->d, "did you mean '%s'?", best);
        sym *by = sym_find(s, best);
        if (by)
            note_declared(s, by);
    }
}

static void choices_option(sema *s, model_sfield *f, opts *o, span at)
{
    opt x;
    if (!opts_take(o, "choices", &x)) {
        diag_error(s->d, at, "a ChoiceField needs 'choices'");
        return;
    }
    const ast_expr *e = x.value;
    bool is_map = e->kind == AST_MAP;
    uint32_t n = is_map ? e->u.map.count : e->kind == AST_LIST ? e->u.list.count : 0;
    if (n == 0) {
        diag_error(s->d, e->span, "'choices' expects a non-empty list of values or map "
                   "from value to label");
        return;
    }
    /* The first value types the field (as DRF, which takes any). */
    bool integers = is_map ? e->u.map.items[0]->number : e->u.list.items[0]->kind == AST_INT;
    f->type = integers ? MODEL_T_INTEGER : MODEL_T_CHAR;
    for (uint32_t i = 0; i < n; i++) {
        model_choice *c = rf_calloc(s->a, sizeof *c);
        bool ok = is_map ? sema_choice_entry(s, e->u.map.items[i], f->type, c)
                         : sema_typed_value(s, e->u.list.items[i], f->type, &c->value, "a choice");
        if (!ok)
            return;
        /* A plain list's display names are the values themselves (DRF's
         * to_choices_dict): label NULL, so OPTIONS shows 1, not "1". */
        VPUSH(s, f->limits.choices, f->limits.nchoices, c);
    }
}

static void related_option(sema *s, model_sfield *f, opts *o, span at)
{
    opt x;
    if (!opts_take(o, "queryset", &x)) {
        if (!f->read_only)
            diag_error(s->d, at, "a writable PrimaryKeyRelatedField needs 'queryset = "
                       "Resource' (or read_only = true)");
        return;
    }
    const ast_ident *id = expr_ident(x.value);
    if (!id) {
        diag_error(s->d, x.value->span, "'queryset' expects a resource name, not %s",
                   expr_desc(x.value));
        return;
    }
    sym *y = resolve_sym(s, id, SYM_RESOURCE);
    if (y)
        f->related = y->entity;
}

static bool has_kwarg(const ast_call *c, const char *key)
{
    for (uint32_t i = 0; i < c->kwargs.count; i++)
        if (c->kwargs.items[i]->key.count == 1
            && strcmp(c->kwargs.items[i]->key.items[0]->text, key) == 0)
            return true;
    return false;
}

/* The class's own options: choices, queryset, many. */
static void class_options(sema *s, model_sfield *f, const ast_call *c, opts *o)
{
    if (f->sclass == MODEL_SC_NESTED)
        opt_bool(s, o, "many", &f->many, NULL);
    if (f->sclass == MODEL_SC_CHOICE)
        choices_option(s, f, o, c->callee->span);
    if (f->sclass == MODEL_SC_PRIMARY_KEY_RELATED) {
        related_option(s, f, o, c->callee->span);
        default_option(s, f, o, f->related ? model_key_type(f->related->pk) : MODEL_T_INTEGER);
    }
    if (f->sclass == MODEL_SC_DECIMAL
        && (!has_kwarg(c, "max_digits") || !has_kwarg(c, "decimal_places")))
        diag_error(s->d, c->callee->span, "a DecimalField needs 'max_digits' and "
                   "'decimal_places' (null for no limit)");
    if (f->sclass == MODEL_SC_READ_ONLY)
        f->read_only = true;
}

/* False when the declaration is unusable (already reported). */
static bool declared_field(sema *s, model_serializer *ser, const ast_member *m)
{
    const ast_call *c = &m->value->u.call;
    model_sfield *f = sfield_new(s, m->key->text, sema_loc(s, m->key->span));
    f->declared = true;
    bool ok = true;
    if (c->target) {
        diag_error(s->d, m->value->span, "a serializer field is FieldType(...) or "
                   "SerializerName(...)");
        return false;
    }
    declared_class(s, f, c, &ok);
    if (!ok)
        return false;
    if (c->args.count) {
        diag_error(s->d, c->args.items[0]->span, "serializer field options are keyword "
                   "arguments");
        return false;
    }
    opts o = { .kw = &c->kwargs };
    o.taken = rf_calloc(s->a, (c->kwargs.count + 1) * sizeof *o.taken);
    bool required_set = false;
    field_options(s, f, &o, &required_set);
    class_options(s, f, c, &o);
    opt src;
    bool has_source = opts_take(&o, "source", &src);
    reject_options(s, &o, model_sclass_name(f->sclass));
    check_flags(s, f, required_set, m->key->span);
    if (!f->label)
        f->label = default_label(s, f->name);
    if (f->type == MODEL_T_NESTED && !f->read_only)
        diag_error(s->d, m->key->span, "nested serializer field '%s' must be read_only = "
                   "true (writable nested serializers are not supported)", f->name);
    if (ser->nfields >= MODEL_MAX_FIELDS) {
        diag_error(s->d, m->key->span, "serializer '%s' has more than %d fields",
                   ser->name, MODEL_MAX_FIELDS);
        return false;
    }
    f->index = ser->nfields;
    VPUSH(s, ser->fields, ser->nfields, f);
    ast_ident_array parts = { 0 };
    if (has_source) {
        if (!source_parts(s, src.value, &parts))
            return true;   /* the field exists; its source error is reported */
    } else {
        ast_ident_array_push(s->a, &parts, (ast_ident *)m->key);
    }
    add_pending(s, ser, f, &parts, has_source ? src.value->span : m->key->span);
    return true;
}

/* ---------------------------------------------------------------------
 * ModelSerializer field names: `fields`, "__all__", `exclude`.
 */
static bool read_names(sema *s, const ast_member *m, name_list *out)
{
    const ast_expr_array *list = read_list(s, m);
    if (!list)
        return false;
    for (uint32_t i = 0; i < list->count; i++) {
        const ast_expr *e = list->items[i];
        const ast_ident *id = expr_ident(e);
        const char *text = id ? id->text : e->kind == AST_STRING ? e->u.string.text : NULL;
        if (!text) {
            diag_error(s->d, e->span, "'%s' lists field names, not %s", m->key->text,
                       expr_desc(e));
            continue;
        }
        if (name_in(out, text)) {
            diag_error(s->d, e->span, "'%s' is listed twice in '%s'", text, m->key->text);
            continue;
        }
        name_push(s, out, text, e->span);
    }
    return true;
}

static const model_sfield *declared_named(const model_serializer *ser, const char *name)
{
    for (uint32_t i = 0; i < ser->nfields; i++)
        if (strcmp(ser->fields[i]->name, name) == 0)
            return ser->fields[i];
    return NULL;
}

/* get_default_field_names: pk, declared, plain model fields, foreign keys. */
static void default_names(sema *s, model_serializer *ser, name_list *out)
{
    model_resource *r = ser->model;
    name_push(s, out, r->pk->name, r->loc.span);
    for (uint32_t i = 0; i < ser->nfields; i++)
        if (!name_in(out, ser->fields[i]->name))
            name_push(s, out, ser->fields[i]->name, ser->fields[i]->loc.span);
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < r->nfields; i++) {
            model_field *f = r->fields[i];
            bool fk = f->type == MODEL_T_FOREIGNKEY;
            if (f != r->pk && fk == (pass == 1) && !name_in(out, f->name))
                name_push(s, out, f->name, f->loc.span);
        }
}

static void exclude_names(sema *s, model_serializer *ser, const ast_member *m,
                          name_list *names)
{
    name_list ex = { 0 };
    read_names(s, m, &ex);
    for (uint32_t i = 0; i < ex.n; i++) {
        if (declared_named(ser, ex.items[i].name)) {
            diag_error(s->d, ex.items[i].at, "'%s' is declared on serializer '%s' and "
                       "cannot also be excluded", ex.items[i].name, ser->name);
            continue;
        }
        uint32_t j = 0;
        while (j < names->n && strcmp(names->items[j].name, ex.items[i].name))
            j++;
        if (j == names->n) {
            diag_error(s->d, ex.items[i].at, "'exclude' names '%s', which is not a field "
                       "of '%s'", ex.items[i].name, ser->model->name);
            continue;
        }
        memmove(names->items + j, names->items + j + 1,
                (names->n - j - 1) * sizeof *names->items);
        names->n--;
    }
}

static bool field_names(sema *s, model_serializer *ser, members *ms, span at,
                        name_list *names)
{
    const ast_member *fm = members_take(ms, "fields");
    const ast_member *em = members_take(ms, "exclude");
    if (fm && em) {
        diag_error(s->d, em->key->span, "a ModelSerializer sets 'fields' or 'exclude', "
                   "not both");
        return false;
    }
    if (!fm && !em) {
        diag_error(s->d, at, "ModelSerializer '%s' needs 'fields' (a list, or "
                   "\"__all__\") or 'exclude'", ser->name);
        return false;
    }
    if (em) {
        default_names(s, ser, names);
        exclude_names(s, ser, em, names);
        return true;
    }
    if (fm->value->kind == AST_STRING) {
        if (strcmp(fm->value->u.string.text, "__all__") != 0) {
            diag_error(s->d, fm->value->span, "'fields' is a list of names or "
                       "\"__all__\"");
            return false;
        }
        default_names(s, ser, names);
        return true;
    }
    if (!read_names(s, fm, names))
        return false;
    for (uint32_t i = 0; i < ser->nfields; i++) {
        if (!name_in(names, ser->fields[i]->name)) {
            diag_error(s->d, ser->fields[i]->loc.span, "field '%s' is declared on "
                       "serializer '%s' but not included in 'fields'",
                       ser->fields[i]->name, ser->name);
            diag_note(s->d, fm->value->span, "'fields' is here");
        }
    }
    return true;
}

/* ---------------------------------------------------------------------
 * ModelSerializer fields from the model.
 */
static model_field *attname_field(const model_resource *r, const char *name)
{
    for (uint32_t i = 0; i < r->nfields; i++)
        if (r->fields[i]->type == MODEL_T_FOREIGNKEY && !strcmp(r->fields[i]->column, name))
            return r->fields[i];
    return NULL;
}

static void unknown_model_field(sema *s, model_serializer *ser, const name_ref *n)
{
    diag_error(s->d, n->at, "field name '%s' is not valid for model '%s'", n->name,
               ser->model->name);
    names_suggester sg;
    names_suggest_init(&sg, n->name);
    for (uint32_t i = 0; i < ser->model->nfields; i++)
        names_suggest_consider(&sg, ser->model->fields[i]->name);
    for (uint32_t i = 0; i < ser->nfields; i++)
        names_suggest_consider(&sg, ser->fields[i]->name);
    for (uint32_t i = 0; i < s->m->npostfetches; i++)
        names_suggest_consider(&sg, s->m->postfetches[i]->to_attr);
    const char *best = names_suggest_best(&sg);
    if (best)
        diag_hint(s->d, "did you mean '%s'?", best);
    for (uint32_t i = 0; i < s->m->npostfetches; i++)
        if (!strcmp(s->m->postfetches[i]->to_attr, n->name))
            diag_hint(s->d, "a PostFetch's to_attr needs a declared field: %s = "
                      "Serializer(read_only = true)", n->name);
}

/* A field named in `fields` without a declaration. */
static model_sfield *model_built_field(sema *s, model_serializer *ser, const name_ref *n)
{
    model_field *mf = model_find_field(ser->model, n->name);
    model_sfield *f = sfield_new(s, n->name, sema_loc(s, n->at));
    if (mf) {
        kwargs_from_model(s, f, mf);
        return f;
    }
    mf = attname_field(ser->model, n->name);
    if (mf) {   /* build_property_field: the key as a ReadOnlyField */
        f->sclass = MODEL_SC_READ_ONLY;
        f->type = model_key_type(mf);
        f->read_only = true;
        f->label = default_label(s, n->name);
        f->source_kind = MODEL_SRC_FIELD;
        f->source.hops = rf_alloc(s->a, sizeof *f->source.hops);
        f->source.hops[0] = mf;
        f->source.nhops = 1;
        f->source.text = n->name;
        return f;
    }
    unknown_model_field(s, ser, n);
    return NULL;
}

/* read_only_fields and extra_kwargs, which DRF applies to built fields
 * only: a declared field keeps its declaration. */
static void extra_kwargs(sema *s, model_serializer *ser, members *ms)
{
    const ast_member *ro = members_take(ms, "read_only_fields");
    name_list names = { 0 };
    if (ro)
        read_names(s, ro, &names);
    for (uint32_t i = 0; i < names.n; i++) {
        model_sfield *f = model_find_sfield(ser, names.items[i].name);
        if (f && f->declared)
            diag_warning(s->d, names.items[i].at, "'%s' is declared on the serializer, "
                         "so DRF ignores it in read_only_fields; set read_only = true on "
                         "the declaration", f->name);
        else if (f)
            make_read_only(f);
        else if (model_find_field(ser->model, names.items[i].name))
            diag_warning(s->d, names.items[i].at, "'%s' is in read_only_fields but not "
                         "in the serializer's fields", names.items[i].name);
        else
            unknown_model_field(s, ser, &names.items[i]);
    }
    const ast_member *ek = members_take(ms, "extra_kwargs");
    if (!ek)
        return;
    if (ek->value->kind != AST_MAP) {
        diag_error(s->d, ek->value->span, "'extra_kwargs' expects a map from field name "
                   "to options: { password: { write_only: true } }");
        return;
    }
    for (uint32_t i = 0; i < ek->value->u.map.count; i++) {
        const ast_entry *en = ek->value->u.map.items[i];
        model_sfield *f = model_find_sfield(ser, en->key->text);
        if (!f || f->declared) {
            diag_error(s->d, en->key->span, f ? "extra_kwargs cannot change '%s', which "
                       "is declared on the serializer" : "extra_kwargs names '%s', which "
                       "is not one of the serializer's fields", en->key->text);
            continue;
        }
        if (en->value->kind != AST_MAP) {
            diag_error(s->d, en->value->span, "extra_kwargs of '%s' is a map of options",
                       en->key->text);
            continue;
        }
        opts o = { .map = &en->value->u.map };
        o.taken = rf_calloc(s->a, (en->value->u.map.count + 1) * sizeof *o.taken);
        bool read_only = false, was_ro = false, required_set = false;
        opt_bool(s, &o, "read_only", &read_only, &was_ro);
        if (read_only)
            make_read_only(f);
        field_options(s, f, &o, &required_set);
        reject_options(s, &o, model_sclass_name(f->sclass));
        check_flags(s, f, true, en->key->span);
    }
}

/* ---------------------------------------------------------------------
 * Declarations.
 */
static const char *const serializer_bases[] = { "Serializer", "ModelSerializer", NULL };

static void serializer_declare(sema *s, sym *y)
{
    model_serializer *ser = rf_calloc(s->a, sizeof *ser);
    ser->name = y->name;
    ser->loc = sema_loc(s, sym_span(y));
    y->entity = ser;
    ser->index = s->m->nserializers;
    VPUSH(s, s->m->serializers, s->m->nserializers, ser);
}

static void serializer_hooks(sema *s, model_serializer *ser, members *ms)
{
    bool explicit_form;
    model_hook_form form = read_decl_form(s, ms, MODEL_HOOK_SYNC, &explicit_form);
    const ast_member *m = members_take(ms, "validators");
    const ast_expr_array *list = m ? read_list(s, m) : NULL;
    for (uint32_t i = 0; list && i < list->count; i++) {
        model_hook *h = read_hook(s, list->items[i], "validators", MODEL_SIG_OBJ, form);
        if (h)
            VPUSH(s, ser->validators, ser->nvalidators, h);
    }
    m = members_take(ms, "validate");
    model_hook *h = m ? read_hook(s, m->value, "validate", MODEL_SIG_OBJ, form) : NULL;
    if (h)
        VPUSH(s, ser->validators, ser->nvalidators, h);
    for (uint32_t i = 0; i < ms->n; i++) {
        const ast_member *vm = ms->items[i];
        const char *k = vm->key->text;
        if (ms->taken[i] || strncmp(k, "validate_", 9) != 0)
            continue;
        ms->taken[i] = true;
        model_sfield *f = model_find_sfield(ser, k + 9);
        if (!f) {
            diag_error(s->d, vm->key->span, "'%s' validates '%s', which is not a field of "
                       "serializer '%s'", k, k + 9, ser->name);
            continue;
        }
        if (f->read_only) {
            diag_error(s->d, vm->key->span, "'%s' is never called: '%s' is read-only", k,
                       f->name);
            continue;
        }
        f->validate_hook = read_hook(s, vm->value, k, MODEL_SIG_OBJ, form);
    }
}

static const char *const model_serializer_keys[] = {
    "model", "fields", "exclude", "read_only_fields", "extra_kwargs", "validators",
    "validate", "async", "blocking", NULL
};
static const char *const serializer_keys[] = {
    "validators", "validate", "async", "blocking", NULL
};

/* Declared fields first (in declaration order); `fields` orders them.
 * Names whose declaration failed go to `failed`, so `fields` stays quiet
 * about them. */
static void declared_fields(sema *s, model_serializer *ser, members *ms, name_list *failed)
{
    for (uint32_t i = 0; i < ms->n; i++) {
        /* validate_x = async(fn) is a hook, not a field */
        if (ms->taken[i] || ms->items[i]->value->kind != AST_CALL
            || strncmp(ms->items[i]->key->text, "validate", 8) == 0)
            continue;
        ms->taken[i] = true;
        if (!declared_field(s, ser, ms->items[i]) && failed)
            name_push(s, failed, ms->items[i]->key->text, ms->items[i]->key->span);
    }
}

static void model_fields(sema *s, model_serializer *ser, members *ms, span at,
                         const name_list *failed)
{
    name_list names = { 0 };
    if (!field_names(s, ser, ms, at, &names))
        return;
    model_sfield **ordered = NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < names.n; i++) {
        if (name_in(failed, names.items[i].name))
            continue;
        model_sfield *f = (model_sfield *)declared_named(ser, names.items[i].name);
        if (!f)
            f = model_built_field(s, ser, &names.items[i]);
        if (f)
            VPUSH(s, ordered, n, f);
    }
    if (n > MODEL_MAX_FIELDS) {
        diag_error(s->d, at, "serializer '%s' has more than %d fields", ser->name,
                   MODEL_MAX_FIELDS);
        return;
    }
    ser->fields = ordered;
    ser->nfields = n;
    for (uint32_t i = 0; i < n; i++)
        ordered[i]->index = i;
}

static void model_serializer_body(sema *s, model_serializer *ser, members *ms,
                                  const ast_block *b)
{
    const ast_member *mm = members_take(ms, "model");
    const ast_ident *id = mm ? read_ident(s, mm) : NULL;
    if (!mm)
        diag_error(s->d, b->name->span, "ModelSerializer '%s' needs 'model'", ser->name);
    sym *y = id ? resolve_sym(s, id, SYM_RESOURCE) : NULL;
    if (!y || !y->entity)
        return;
    ser->model = y->entity;
    name_list failed = { 0 };
    declared_fields(s, ser, ms, &failed);
    model_fields(s, ser, ms, b->name->span, &failed);
    extra_kwargs(s, ser, ms);
}

static void serializer_body(sema *s, sym *y)
{
    model_serializer *ser = y->entity;
    const ast_block *b = y->block;
    int kind = -1;
    for (int i = 0; b->base && serializer_bases[i]; i++)
        if (strcmp(b->base->text, serializer_bases[i]) == 0)
            kind = i;
    if (kind < 0) {
        diag_error(s->d, b->base ? b->base->span : b->name->span,
                   b->base ? "unknown serializer base '%s'" : "serializer '%s' needs a "
                   "base: Serializer or ModelSerializer",
                   b->base ? b->base->text : b->name->text);
        if (b->base && suggest_word(b->base->text, serializer_bases))
            diag_hint(s->d, "did you mean '%s'?", suggest_word(b->base->text,
                                                               serializer_bases));
        return;
    }
    ser->kind = kind == 0 ? MODEL_SERIALIZER : MODEL_MODEL_SERIALIZER;
    sema_reject_nested(s, b, "a serializer");
    members ms;
    members_init(s, &ms, b);
    if (ser->kind == MODEL_MODEL_SERIALIZER) {
        model_serializer_body(s, ser, &ms, b);
    } else {
        static const char *const model_only[] = {
            "model", "fields", "exclude", "read_only_fields", "extra_kwargs", NULL
        };
        for (int i = 0; model_only[i]; i++) {
            const ast_member *m = members_take(&ms, model_only[i]);
            if (m)
                diag_error(s->d, m->key->span, "'%s' belongs to a ModelSerializer; "
                           "'%s' is a plain Serializer", model_only[i], ser->name);
        }
        declared_fields(s, ser, &ms, NULL);
    }
    serializer_hooks(s, ser, &ms);
    members_reject_rest(s, &ms, sema_printf(s, "serializer '%s'", ser->name),
                        ser->kind == MODEL_MODEL_SERIALIZER ? model_serializer_keys
                                                           : serializer_keys);
}

/* ---------------------------------------------------------------------
 * Binding sources that name model fields, now that fields exist.
 */
static bool first_part_on_model(const model_resource *r, const char *name)
{
    return !strcmp(name, "pk") || model_find_field(r, name) || attname_field(r, name);
}

static void bind_model_sources(sema *s)
{
    for (uint32_t i = 0; i < s->npending; i++) {
        sfield_pending *p = s->pending[i];
        model_serializer *ser = p->owner;
        /* Nested fields wait for sema_serializer_bindings, which also
         * checks the rows they render. */
        if (p->done || ser->kind != MODEL_MODEL_SERIALIZER || !ser->model || p->f->nested
            || !first_part_on_model(ser->model, p->parts.items[0]->text))
            continue;
        p->done = true;
        model_path path;
        if (sema_resolve_path(s, ser->model, &p->parts, 0, true, &path))
            bind_path(s, ser, p->f, &path, p->at);
    }
}

/* Nesting must end: no cycles, and at most MODEL_MAX_NESTING levels.
 * Each serializer's depth is computed once (memoised by index), so wide
 * nesting stays linear. */
enum { DEPTH_UNSEEN = 0, DEPTH_VISITING = -1, DEPTH_BAD = -2 };

static int nesting_depth(sema *s, model_serializer *ser, int *memo)
{
    int *d = &memo[ser->index];
    if (*d == DEPTH_VISITING) {
        diag_error(s->d, ser->loc.span, "nested serializers form a cycle through '%s'",
                   ser->name);
        return *d = DEPTH_BAD;
    }
    if (*d != DEPTH_UNSEEN)
        return *d;
    *d = DEPTH_VISITING;
    int deepest = 1;
    for (uint32_t i = 0; i < ser->nfields; i++) {
        model_serializer *n = ser->fields[i]->nested;
        int nd = n ? nesting_depth(s, n, memo) : 0;
        if (nd == DEPTH_BAD || nd == DEPTH_VISITING) {
            *d = DEPTH_BAD;
            return DEPTH_BAD;
        }
        if (nd + 1 > deepest)
            deepest = nd + 1;
    }
    if (deepest > MODEL_MAX_NESTING) {
        diag_error(s->d, ser->loc.span, "serializers nest more than %d levels deep",
                   MODEL_MAX_NESTING);
        return *d = DEPTH_BAD;
    }
    return *d = deepest;
}

void sema_serializers(sema *s)
{
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_SERIALIZER)
            serializer_declare(s, s->syms[i]);
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_SERIALIZER)
            serializer_body(s, s->syms[i]);
    bind_model_sources(s);
    int *memo = rf_calloc(s->a, (s->m->nserializers + 1) * sizeof *memo);
    for (uint32_t i = 0; i < s->m->nserializers; i++)
        if (nesting_depth(s, s->m->serializers[i], memo) == DEPTH_BAD)
            break;
}

model_serializer *model_find_serializer(const model *m, const char *name)
{
    for (uint32_t i = 0; i < m->nserializers; i++)
        if (strcmp(m->serializers[i]->name, name) == 0)
            return m->serializers[i];
    return NULL;
}

model_sfield *model_find_sfield(const model_serializer *s, const char *name)
{
    for (uint32_t i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i]->name, name) == 0)
            return s->fields[i];
    return NULL;
}

/* ---------------------------------------------------------------------
 * After the views: PostFetch attachments and plain Serializers' rows.
 */
/* Record that `ser` renders rows of `r` (nested over a ForeignKey or a
 * PostFetch, or a view's serializer).  True when that taught something. */
static bool set_instance(sema *s, model_serializer *ser, model_resource *r, span at,
                         const char *how)
{
    if (ser->instance == r)
        return false;
    if (ser->kind == MODEL_MODEL_SERIALIZER) {
        diag_error(s->d, at, "'%s' is a ModelSerializer of '%s', but %s leads to '%s' rows",
                   ser->name, ser->model->name, how, r->name);
        note_declared(s, sym_find(s, ser->name));
        return false;
    }
    if (ser->instance) {
        diag_error(s->d, at, "serializer '%s' renders '%s' rows here (%s), and '%s' rows "
                   "elsewhere; declare one serializer per resource", ser->name, r->name, how,
                   ser->instance->name);
        note_declared(s, sym_find(s, ser->name));
        return false;
    }
    ser->instance = r;
    return true;
}

static model_postfetch *attachment(sema *s, const model_resource *base, const char *name)
{
    for (uint32_t i = 0; i < s->m->npostfetches; i++) {
        model_postfetch *pf = s->m->postfetches[i];
        if (pf->base == base && pf->base_key && strcmp(pf->to_attr, name) == 0)
            return pf;
    }
    return NULL;
}

static bool bind_attach(sema *s, sfield_pending *p, model_postfetch *pf)
{
    model_sfield *f = p->f;
    f->source_kind = MODEL_SRC_ATTACH;
    f->attach = pf->to_attr;
    f->attach_postfetch = pf;
    f->read_only = true;
    f->required = false;
    if (f->type != MODEL_T_NESTED) {
        diag_error(s->d, p->at, "field '%s' renders the rows of postfetch '%s': declare it "
                   "as a nested serializer, %s = Serializer(read_only = true%s)", f->name,
                   pf->name, f->name, pf->limit == 1 ? ", allow_null = true" : ", many = true");
        return false;
    }
    if (f->many != (pf->limit != 1)) {
        diag_error(s->d, p->at, "postfetch '%s' attaches %s, so field '%s' %s many = true",
                   pf->name, pf->limit == 1 ? "one row (limit = 1)" : "a list of rows",
                   f->name, pf->limit == 1 ? "must not set" : "needs");
        return false;
    }
    return set_instance(s, f->nested, pf->resource, p->at,
                        sema_printf(s, "postfetch '%s'", pf->name));
}

static void unknown_source(sema *s, sfield_pending *p, const model_resource *r)
{
    const char *name = p->parts.items[0]->text;
    diag_error(s->d, p->parts.items[0]->span, "serializer '%s': '%s' has no field '%s', "
               "and no postfetch attaches '%s' to it", p->owner->name, r->name, name, name);
    names_suggester sg;
    names_suggest_init(&sg, name);
    for (uint32_t i = 0; i < r->nfields; i++)
        names_suggest_consider(&sg, r->fields[i]->name);
    for (uint32_t i = 0; i < s->m->npostfetches; i++)
        if (s->m->postfetches[i]->base == r)
            names_suggest_consider(&sg, s->m->postfetches[i]->to_attr);
    if (names_suggest_best(&sg))
        diag_hint(s->d, "did you mean '%s'?", names_suggest_best(&sg));
    for (uint32_t i = 0; i < s->m->npostfetches; i++) {
        model_postfetch *pf = s->m->postfetches[i];
        if (!strcmp(pf->to_attr, name) && pf->base && pf->base != r)
            diag_note(s->d, pf->loc.span, "postfetch '%s' attaches '%s' to '%s' rows",
                      pf->name, name, pf->base->name);
    }
}

/* Bind one pending source against its serializer's rows; true when it
 * taught a nested serializer its rows. */
static bool bind_pending(sema *s, sfield_pending *p)
{
    model_serializer *ser = p->owner;
    model_resource *r = ser->instance;
    p->done = true;
    if (first_part_on_model(r, p->parts.items[0]->text)) {
        model_path path;
        if (!sema_resolve_path(s, r, &p->parts, 0, true, &path))
            return false;
        bind_path(s, ser, p->f, &path, p->at);
        model_field *last = path.hops[path.nhops - 1];
        if (p->f->nested && last->fk_target)
            return set_instance(s, p->f->nested, last->fk_target, p->at,
                                sema_printf(s, "the source '%s'", path.text));
        return false;
    }
    model_postfetch *pf = p->parts.count == 1 ? attachment(s, r, p->parts.items[0]->text)
                                              : NULL;
    if (pf)
        return bind_attach(s, p, pf);
    unknown_source(s, p, r);
    return false;
}

static bool in_final_fields(const sfield_pending *p)
{
    return p->f->index < p->owner->nfields && p->owner->fields[p->f->index] == p->f;
}

static void instances_from_views(sema *s)
{
    for (uint32_t i = 0; i < s->m->nviews; i++) {
        model_view *v = s->m->views[i];
        for (uint32_t j = 0; v->model && j < v->nactions; j++) {
            model_action_config *c = &v->actions[j]->config;
            model_serializer *used[3] = { c->serializer, c->request_serializer,
                                          c->response_serializer };
            for (int k = 0; k < 3; k++)
                if (used[k] && used[k]->kind == MODEL_SERIALIZER)
                    set_instance(s, used[k], v->model, v->actions[j]->loc.span,
                                 sema_printf(s, "view '%s'", v->name));
        }
    }
}

/* Rows attached by a PostFetch hold only its `values`, and no joins. */
static void check_attached_fields(sema *s, const model_sfield *f)
{
    const model_postfetch *pf = f->attach_postfetch;
    const model_serializer *n = f->nested;
    for (uint32_t i = 0; i < n->nfields; i++) {
        const model_sfield *g = n->fields[i];
        if (g->source_kind == MODEL_SRC_PATH || g->type == MODEL_T_NESTED) {
            diag_error(s->d, g->loc.span, "field '%s' of '%s' follows a relation, but the "
                       "rows of postfetch '%s' are rendered without joins", g->name,
                       n->name, pf->name);
            continue;
        }
        bool fetched = false;
        for (uint32_t j = 0; j < pf->nvalues && g->model_field; j++)
            fetched |= pf->values[j] == g->model_field;
        if (g->model_field && !fetched) {
            diag_error(s->d, g->loc.span, "field '%s' of '%s' is not among the values of "
                       "postfetch '%s'", g->name, n->name, pf->name);
            diag_note(s->d, pf->loc.span, "postfetch '%s' declared here", pf->name);
        }
    }
}

void sema_serializer_bindings(sema *s)
{
    for (uint32_t i = 0; i < s->m->nserializers; i++)
        if (s->m->serializers[i]->kind == MODEL_MODEL_SERIALIZER)
            s->m->serializers[i]->instance = s->m->serializers[i]->model;
    instances_from_views(s);
    for (int round = 0; round <= MODEL_MAX_NESTING; round++) {
        bool learned = false;
        for (uint32_t i = 0; i < s->npending; i++) {
            sfield_pending *p = s->pending[i];
            if (p->done || !p->owner->instance)
                continue;
            if (!in_final_fields(p))
                p->done = true;
            else
                learned |= bind_pending(s, p);
        }
        if (!learned)
            break;
    }
    for (uint32_t i = 0; i < s->npending; i++)
        if (!s->pending[i]->done)
            s->pending[i]->f->source_kind = MODEL_SRC_NONE;
    for (uint32_t i = 0; i < s->m->nserializers; i++) {
        model_serializer *ser = s->m->serializers[i];
        for (uint32_t j = 0; j < ser->nfields; j++)
            if (ser->fields[j]->source_kind == MODEL_SRC_ATTACH && ser->fields[j]->nested)
                check_attached_fields(s, ser->fields[j]);
    }
}
