/*
 * sema_resource.c: databases, resources (Django models) and their fields,
 * typed literals, and field paths through foreign keys.
 *
 * Field options follow Django 3.2, including its system checks (fields.E100
 * AutoField needs primary_key, E120 CharField needs max_length, E130-E134
 * DecimalField digits, E160 auto_now/auto_now_add/default exclusive, E320
 * SET_NULL needs null, models.E004-E006 name rules, E302/E304 reverse
 * accessor clashes).  `min_value`, `max_value` and `min_length` are restflow's
 * spelling of Django's Min/Max validators, which a ModelSerializer turns into
 * the same DRF keyword arguments.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "names.h"
#include "sema_internal.h"

/* ---------------------------------------------------------------------
 * Databases.
 */
static model_database *database_new(sema *s, const char *name, const char *url,
                                     model_loc loc)
{
    model_database *db = rf_calloc(s->a, sizeof *db);
    db->name = name;
    db->url = url;
    db->loc = loc;
    db->index = s->m->ndatabases;
    VPUSH(s, s->m->databases, s->m->ndatabases, db);
    return db;
}

static bool valid_database_url(const char *url)
{
    return strncmp(url, "sqlite:", 7) == 0 || strncmp(url, "postgresql://", 13) == 0
        || strncmp(url, "postgres://", 11) == 0;
}

void sema_databases(sema *s)
{
    const ast_block *b = NULL;
    for (uint32_t i = 0; i < s->file->blocks.count && !b; i++)
        if (s->file->blocks.items[i]->kind == AST_DATABASES)
            b = s->file->blocks.items[i];
    model_database *dflt = database_new(s, "default", NULL, sema_builtin_loc(s));
    if (!b)
        return;
    sema_reject_nested(s, b, "the databases block");
    members ms;
    members_init(s, &ms, b);
    for (uint32_t i = 0; i < ms.n; i++) {
        const ast_member *m = ms.items[i];
        const char *url;
        if (!read_string(s, m, &url))
            continue;
        if (!valid_database_url(url)) {
            diag_error(s->d, m->value->span, "database URL '%s' is neither sqlite:PATH "
                       "nor postgresql://...", url);
            continue;
        }
        if (strcmp(m->key->text, "default") == 0) {
            dflt->url = url;
            dflt->loc = sema_loc(s, m->key->span);
        } else {
            database_new(s, m->key->text, url, sema_loc(s, m->key->span));
        }
    }
}

model_database *sema_find_database(sema *s, const ast_ident *name)
{
    names_suggester sg;
    names_suggest_init(&sg, name->text);
    for (uint32_t i = 0; i < s->m->ndatabases; i++) {
        if (strcmp(s->m->databases[i]->name, name->text) == 0)
            return s->m->databases[i];
        names_suggest_consider(&sg, s->m->databases[i]->name);
    }
    diag_error(s->d, name->span, "unknown database '%s'", name->text);
    if (names_suggest_best(&sg))
        diag_hint(s->d, "did you mean '%s'?", names_suggest_best(&sg));
    else if (s->m->ndatabases == 1)
        diag_hint(s->d, "declare it in a `databases { %s = \"URL\"; }` block", name->text);
    return NULL;
}

/* ---------------------------------------------------------------------
 * Field types.
 */
typedef struct ftype_info {
    const char *name;
    model_ftype type;
} ftype_info;

static const ftype_info ftypes[] = {
    { "AutoField", MODEL_T_AUTO }, { "BigAutoField", MODEL_T_BIGAUTO },
    { "IntegerField", MODEL_T_INTEGER }, { "BigIntegerField", MODEL_T_BIGINTEGER },
    { "FloatField", MODEL_T_FLOAT }, { "DecimalField", MODEL_T_DECIMAL },
    { "BooleanField", MODEL_T_BOOLEAN }, { "CharField", MODEL_T_CHAR },
    { "TextField", MODEL_T_TEXT }, { "EmailField", MODEL_T_EMAIL },
    { "URLField", MODEL_T_URL }, { "SlugField", MODEL_T_SLUG },
    { "UUIDField", MODEL_T_UUID }, { "DateField", MODEL_T_DATE },
    { "DateTimeField", MODEL_T_DATETIME }, { "JSONField", MODEL_T_JSON },
    { "ForeignKey", MODEL_T_FOREIGNKEY },
};
#define NFTYPES (sizeof ftypes / sizeof *ftypes)

const char *model_ftype_name(model_ftype t)
{
    for (size_t i = 0; i < NFTYPES; i++)
        if (ftypes[i].type == t)
            return ftypes[i].name;
    return "nested";
}

static model_ftype ftype_from_name(const char *name)
{
    for (size_t i = 0; i < NFTYPES; i++)
        if (strcmp(ftypes[i].name, name) == 0)
            return ftypes[i].type;
    return 0;
}

bool sema_field_is_text(model_ftype t)
{
    return t == MODEL_T_CHAR || t == MODEL_T_TEXT || t == MODEL_T_EMAIL
        || t == MODEL_T_URL || t == MODEL_T_SLUG;
}

bool sema_field_is_integer(model_ftype t)
{
    return t == MODEL_T_AUTO || t == MODEL_T_BIGAUTO || t == MODEL_T_INTEGER
        || t == MODEL_T_BIGINTEGER;
}

bool sema_field_is_numeric(model_ftype t)
{
    return sema_field_is_integer(t) || t == MODEL_T_FLOAT || t == MODEL_T_DECIMAL;
}

/* ---------------------------------------------------------------------
 * Typed literals.
 */
static bool digits(const char *p, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i]))
            return false;
    return true;
}

static bool valid_date(const char *t)
{
    if (strlen(t) < 10 || !digits(t, 4) || t[4] != '-' || !digits(t + 5, 2)
        || t[7] != '-' || !digits(t + 8, 2))
        return false;
    int month = (t[5] - '0') * 10 + (t[6] - '0');
    int day = (t[8] - '0') * 10 + (t[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* ISO 8601 as DRF accepts it: a date, 'T' or ' ', hh:mm[:ss[.ffffff]], an
 * optional Z or +hh:mm. */
static bool valid_datetime(const char *t)
{
    if (!valid_date(t) || (t[10] != 'T' && t[10] != ' '))
        return false;
    const char *p = t + 11;
    if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2))
        return false;
    p += 5;
    if (*p == ':') {
        if (!digits(p + 1, 2))
            return false;
        p += 3;
        if (*p == '.') {
            p++;
            int n = 0;
            while (isdigit((unsigned char)p[n]))
                n++;
            if (n < 1 || n > 6)
                return false;
            p += n;
        }
    }
    if (*p == 'Z')
        return p[1] == '\0';
    if (*p == '+' || *p == '-')
        return digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && p[6] == '\0';
    return *p == '\0';
}

static bool valid_uuid(const char *t)
{
    static const int groups[] = { 8, 4, 4, 4, 12 };
    for (int g = 0; g < 5; g++) {
        for (int i = 0; i < groups[g]; i++, t++)
            if (!isxdigit((unsigned char)*t))
                return false;
        if (g < 4 && *t++ != '-')
            return false;
    }
    return *t == '\0';
}

static void json_string(rf_buf *b, const char *text)
{
    rf_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            rf_buf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            rf_buf_printf(b, "\\u%04x", *p);
        else
            rf_buf_putc(b, (char)*p);
    }
    rf_buf_putc(b, '"');
}

/* Compact JSON of a literal, as Python's json.dumps(separators=(',',':')). */
static bool json_literal(sema *s, const ast_expr *e, rf_buf *b)
{
    switch (e->kind) {
    case AST_NULL: rf_buf_puts(b, "null"); return true;
    case AST_BOOL: rf_buf_puts(b, e->u.boolean ? "true" : "false"); return true;
    case AST_INT: rf_buf_printf(b, "%lld", (long long)e->u.integer); return true;
    case AST_DECIMAL: rf_buf_puts(b, e->u.decimal); return true;
    case AST_STRING: json_string(b, e->u.string.text); return true;
    case AST_LIST:
        rf_buf_putc(b, '[');
        for (uint32_t i = 0; i < e->u.list.count; i++) {
            if (i)
                rf_buf_putc(b, ',');
            if (!json_literal(s, e->u.list.items[i], b))
                return false;
        }
        rf_buf_putc(b, ']');
        return true;
    case AST_MAP:
        rf_buf_putc(b, '{');
        for (uint32_t i = 0; i < e->u.map.count; i++) {
            if (i)
                rf_buf_putc(b, ',');
            json_string(b, e->u.map.items[i]->key->text);
            rf_buf_putc(b, ':');
            if (!json_literal(s, e->u.map.items[i]->value, b))
                return false;
        }
        rf_buf_putc(b, '}');
        return true;
    default:
        diag_error(s->d, e->span, "a JSON value cannot contain %s", expr_desc(e));
        return false;
    }
}

static bool is_dotted(const ast_expr *e, const char *a, const char *b)
{
    return e->kind == AST_NAME && e->u.name.parts.count == 2
        && strcmp(e->u.name.parts.items[0]->text, a) == 0
        && strcmp(e->u.name.parts.items[1]->text, b) == 0;
}

static bool wrong_literal(sema *s, const ast_expr *e, model_ftype t, const char *what,
                          const char *expected)
{
    diag_error(s->d, e->span, "%s of %s %s must be %s, not %s", what,
               sema_article(model_ftype_name(t)), model_ftype_name(t), expected, expr_desc(e));
    return false;
}

static bool typed_text(sema *s, const ast_expr *e, model_ftype t, model_value *out,
                       const char *what)
{
    if (t == MODEL_T_UUID && is_dotted(e, "uuid", "uuid4")) {
        out->kind = MODEL_V_UUID4;
        return true;
    }
    if (t == MODEL_T_DATETIME && is_dotted(e, "timezone", "now")) {
        out->kind = MODEL_V_NOW;
        return true;
    }
    if (e->kind != AST_STRING)
        return wrong_literal(s, e, t, what, t == MODEL_T_UUID
                             ? "a string or uuid.uuid4" : t == MODEL_T_DATETIME
                             ? "an ISO 8601 string or timezone.now" : "a string");
    out->text = e->u.string.text;
    out->kind = MODEL_V_STRING;
    if (t == MODEL_T_UUID && !valid_uuid(out->text)) {
        diag_error(s->d, e->span, "'%s' is not a UUID", out->text);
        return false;
    }
    if (t == MODEL_T_DATE) {
        out->kind = MODEL_V_DATE;
        if (strlen(out->text) != 10 || !valid_date(out->text)) {
            diag_error(s->d, e->span, "'%s' is not a date (YYYY-MM-DD)", out->text);
            return false;
        }
    }
    if (t == MODEL_T_DATETIME) {
        out->kind = MODEL_V_DATETIME;
        if (!valid_datetime(out->text)) {
            diag_error(s->d, e->span, "'%s' is not an ISO 8601 date and time", out->text);
            return false;
        }
    }
    return true;
}

bool sema_typed_value(sema *s, const ast_expr *e, model_ftype t, model_value *out,
                      const char *what)
{
    memset(out, 0, sizeof *out);
    out->loc = sema_loc(s, e->span);
    if (e->kind == AST_NULL) {
        out->kind = MODEL_V_NULL;
        return true;
    }
    switch (t) {
    case MODEL_T_AUTO: case MODEL_T_BIGAUTO: case MODEL_T_INTEGER:
    case MODEL_T_BIGINTEGER: case MODEL_T_FOREIGNKEY:
        if (e->kind != AST_INT)
            return wrong_literal(s, e, t, what, "an integer");
        out->kind = MODEL_V_INT;
        out->i = e->u.integer;
        out->text = sema_printf(s, "%lld", (long long)e->u.integer);
        return true;
    case MODEL_T_FLOAT: case MODEL_T_DECIMAL:
        if (e->kind != AST_INT && e->kind != AST_DECIMAL)
            return wrong_literal(s, e, t, what, "a number");
        out->kind = t == MODEL_T_FLOAT ? MODEL_V_FLOAT : MODEL_V_DECIMAL;
        out->text = e->kind == AST_INT ? sema_printf(s, "%lld", (long long)e->u.integer)
                                       : e->u.decimal;
        return true;
    case MODEL_T_BOOLEAN:
        if (e->kind != AST_BOOL)
            return wrong_literal(s, e, t, what, "true or false");
        out->kind = MODEL_V_BOOL;
        out->b = e->u.boolean;
        out->text = e->u.boolean ? "true" : "false";
        return true;
    case MODEL_T_JSON: {
        rf_buf b;
        rf_buf_init(&b, s->a, 64);
        if (!json_literal(s, e, &b))
            return false;
        rf_buf_putc(&b, '\0');
        out->kind = MODEL_V_JSON;
        out->text = b.data;
        return true;
    }
    case MODEL_T_NESTED:
        return wrong_literal(s, e, t, what, "absent");
    default:
        return typed_text(s, e, t, out, what);
    }
}

/* ---------------------------------------------------------------------
 * Field declarations.
 */
typedef struct field_opts {
    const ast_call *call;
    bool *taken;                 /* by position in call->kwargs */
    bool misspelt;               /* an unknown option was reported: a required
                                    one may hide behind it, so stay quiet */
} field_opts;

static const ast_kwarg *opt_take(field_opts *fo, const char *key)
{
    for (uint32_t i = 0; i < fo->call->kwargs.count; i++) {
        const ast_kwarg *k = fo->call->kwargs.items[i];
        if (k->key.count == 1 && strcmp(k->key.items[0]->text, key) == 0) {
            fo->taken[i] = true;
            return k;
        }
    }
    return NULL;
}

static bool opt_bool(sema *s, field_opts *fo, const char *key, bool *out)
{
    const ast_kwarg *k = opt_take(fo, key);
    if (!k)
        return false;
    if (k->value->kind != AST_BOOL) {
        diag_error(s->d, k->value->span, "'%s' expects true or false, not %s", key,
                   expr_desc(k->value));
        return false;
    }
    *out = k->value->u.boolean;
    return true;
}

static bool opt_int(sema *s, field_opts *fo, const char *key, int64_t lo, int64_t hi,
                    int32_t *out)
{
    const ast_kwarg *k = opt_take(fo, key);
    if (!k)
        return false;
    if (k->value->kind != AST_INT) {
        diag_error(s->d, k->value->span, "'%s' expects an integer, not %s", key,
                   expr_desc(k->value));
        return false;
    }
    if (k->value->u.integer < lo || k->value->u.integer > hi) {
        diag_error(s->d, k->value->span, "'%s' must be between %lld and %lld", key,
                   (long long)lo, (long long)hi);
        return false;
    }
    *out = (int32_t)k->value->u.integer;
    return true;
}

static bool opt_string(sema *s, field_opts *fo, const char *key, const char **out)
{
    const ast_kwarg *k = opt_take(fo, key);
    if (!k)
        return false;
    if (k->value->kind != AST_STRING) {
        diag_error(s->d, k->value->span, "'%s' expects a string, not %s", key,
                   expr_desc(k->value));
        return false;
    }
    *out = k->value->u.string.text;
    return true;
}

/* min_value / max_value: exact numeric text; integers for integer fields. */
static void opt_number(sema *s, field_opts *fo, const char *key, model_ftype t,
                       const char **out)
{
    const ast_kwarg *k = opt_take(fo, key);
    if (!k)
        return;
    model_value v;
    model_ftype as = sema_field_is_integer(t) ? MODEL_T_INTEGER : MODEL_T_DECIMAL;
    if (!sema_field_is_numeric(t)) {
        diag_error(s->d, k->key_span, "'%s' applies to numeric fields, not to %s %s",
                   key, sema_article(model_ftype_name(t)), model_ftype_name(t));
        return;
    }
    if (k->value->kind == AST_NULL || !sema_typed_value(s, k->value, as, &v, key))
        return;
    *out = v.text;
}

/* The options each field type accepts beyond the common ones. */
static const char *const common_opts[] = {
    "primary_key", "null", "blank", "default", "unique", "db_index", "choices",
    "verbose_name", "help_text", "editable", NULL
};

static bool type_takes(model_ftype t, const char *opt)
{
    if (!strcmp(opt, "max_length") || !strcmp(opt, "min_length"))
        return sema_field_is_text(t);
    if (!strcmp(opt, "min_value") || !strcmp(opt, "max_value"))
        return sema_field_is_numeric(t);
    if (!strcmp(opt, "max_digits") || !strcmp(opt, "decimal_places"))
        return t == MODEL_T_DECIMAL;
    if (!strcmp(opt, "auto_now") || !strcmp(opt, "auto_now_add"))
        return t == MODEL_T_DATE || t == MODEL_T_DATETIME;
    if (!strcmp(opt, "on_delete") || !strcmp(opt, "related_name"))
        return t == MODEL_T_FOREIGNKEY;
    return false;
}

static const char *const typed_opts[] = {
    "max_length", "min_length", "min_value", "max_value", "max_digits",
    "decimal_places", "auto_now", "auto_now_add", "on_delete", "related_name", NULL
};

static void reject_unknown_opts(sema *s, field_opts *fo, model_ftype t)
{
    const char *all[32];
    size_t n = 0;
    for (size_t i = 0; common_opts[i]; i++)
        all[n++] = common_opts[i];
    for (size_t i = 0; typed_opts[i]; i++)
        all[n++] = typed_opts[i];
    all[n] = NULL;
    for (uint32_t i = 0; i < fo->call->kwargs.count; i++) {
        if (fo->taken[i])
            continue;
        const ast_kwarg *k = fo->call->kwargs.items[i];
        const char *key = ast_dotted_text(s->a, &k->key);
        bool known = false;
        for (size_t j = 0; all[j]; j++)
            known |= strcmp(all[j], key) == 0;
        if (known) {
            diag_error(s->d, k->key_span, "%s %s takes no '%s' option",
                       sema_article(model_ftype_name(t)), model_ftype_name(t), key);
            continue;
        }
        diag_error(s->d, k->key_span, "unknown option '%s' for %s %s", key,
                   sema_article(model_ftype_name(t)), model_ftype_name(t));
        fo->misspelt = true;
        const char *best = suggest_word(key, all);
        if (best)
            diag_hint(s->d, "did you mean '%s'?", best);
    }
}

static void read_choices(sema *s, field_opts *fo, model_field *f)
{
    const ast_kwarg *k = opt_take(fo, "choices");
    if (!k)
        return;
    const ast_expr *e = k->value;
    bool is_map = e->kind == AST_MAP;
    uint32_t n = is_map ? e->u.map.count : e->kind == AST_LIST ? e->u.list.count : 0;
    if (!is_map && e->kind != AST_LIST) {
        diag_error(s->d, e->span, "'choices' expects a list of values or a map from "
                   "value to label, not %s", expr_desc(e));
        return;
    }
    if (n == 0 || n > MODEL_MAX_CHOICES) {
        diag_error(s->d, e->span, "'choices' needs between 1 and %d values",
                   MODEL_MAX_CHOICES);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        model_choice *c = rf_calloc(s->a, sizeof *c);
        bool ok = is_map ? sema_choice_entry(s, e->u.map.items[i], f->type, c)
                         : sema_typed_value(s, e->u.list.items[i], f->type, &c->value, "a choice");
        if (!ok)
            return;
        if (!is_map)
            c->label = c->value.text;
        VPUSH(s, f->limits.choices, f->limits.nchoices, c);
    }
}

/* One `value: "label"` of a choices map; the key is a string, or an
 * integer ({ 1: "Urgent" }) for integer fields. */
bool sema_choice_entry(sema *s, const ast_entry *en, model_ftype type, model_choice *c)
{
    ast_expr key = { .kind = en->number ? AST_INT : AST_STRING, .span = en->key->span };
    if (en->number)
        key.u.integer = en->integer;
    else
        key.u.string.text = en->key->text;
    if (!sema_typed_value(s, &key, type, &c->value, "a choice"))
        return false;
    if (en->value->kind != AST_STRING) {
        diag_error(s->d, en->value->span, "a choice's label must be a string");
        return false;
    }
    c->label = en->value->u.string.text;
    return true;
}

static void read_on_delete(sema *s, field_opts *fo, model_field *f, span call_span)
{
    static const char *const names[] = { "CASCADE", "PROTECT", "SET_NULL", NULL };
    const ast_kwarg *k = opt_take(fo, "on_delete");
    if (!k) {
        diag_error(s->d, call_span, "a ForeignKey needs 'on_delete' (CASCADE, PROTECT "
                   "or SET_NULL)");
        return;
    }
    const ast_ident *id = expr_ident(k->value);
    for (int i = 0; id && names[i]; i++) {
        if (strcmp(id->text, names[i]) == 0) {
            f->on_delete = (model_on_delete)(MODEL_CASCADE + i);
            return;
        }
    }
    diag_error(s->d, k->value->span, "'on_delete' must be CASCADE, PROTECT or SET_NULL");
    const char *best = id ? suggest_word(id->text, names) : NULL;
    if (best)
        diag_hint(s->d, "did you mean '%s'?", best);
}

static void default_max_length(model_field *f)
{
    if (f->limits.max_length >= 0)
        return;
    switch (f->type) {
    case MODEL_T_EMAIL: f->limits.max_length = 254; break;
    case MODEL_T_URL: f->limits.max_length = 200; break;
    case MODEL_T_SLUG: f->limits.max_length = 50; break;
    default: break;
    }
}

/* Django's system checks on one field's options. */
static void check_field_options(sema *s, model_field *f, const ast_expr *call,
                                field_opts *fo)
{
    span at = call->u.call.callee->span;
    if ((f->type == MODEL_T_AUTO || f->type == MODEL_T_BIGAUTO) && !f->primary_key)
        diag_error(s->d, at, "%s %s must set primary_key = true",
                   sema_article(model_ftype_name(f->type)), model_ftype_name(f->type));
    if (f->type == MODEL_T_CHAR && f->limits.max_length < 0 && !fo->misspelt)
        diag_error(s->d, at, "a CharField needs 'max_length'");
    if (f->type == MODEL_T_DECIMAL && !fo->misspelt) {
        bool digits = f->limits.max_digits >= 0, places = f->limits.decimal_places >= 0;
        if (!digits || !places)
            diag_error(s->d, at, "a DecimalField needs %s", !digits && !places
                       ? "'max_digits' and 'decimal_places'"
                       : !digits ? "'max_digits'" : "'decimal_places'");
        if (f->limits.max_digits >= 0 && f->limits.decimal_places > f->limits.max_digits) {
            const ast_kwarg *k = opt_take(fo, "decimal_places");
            diag_error(s->d, k->value->span, "'max_digits' must be greater than or equal "
                       "to 'decimal_places'");
        }
    }
    if (f->limits.min_length >= 0 && f->limits.max_length >= 0
        && f->limits.min_length > f->limits.max_length)
        diag_error(s->d, opt_take(fo, "min_length")->value->span,
                   "'min_length' is greater than 'max_length'");
    if ((f->auto_now ? 1 : 0) + (f->auto_now_add ? 1 : 0) + (f->has_default ? 1 : 0) > 1)
        diag_error(s->d, at, "the options auto_now, auto_now_add and default are "
                   "mutually exclusive");
    if (f->primary_key && f->null)
        diag_error(s->d, opt_take(fo, "null")->key_span, "a primary key cannot be null");
    if (f->on_delete == MODEL_SET_NULL && !f->null)
        diag_error(s->d, opt_take(fo, "on_delete")->value->span,
                   "on_delete = SET_NULL needs null = true");
    if (f->has_default && f->default_value.kind == MODEL_V_NULL && !f->null)
        diag_error(s->d, opt_take(fo, "default")->value->span,
                   "default is null but the field is not null = true");
}

static void read_field_options(sema *s, model_field *f, const ast_expr *call,
                               field_opts *fo)
{
    opt_bool(s, fo, "primary_key", &f->primary_key);
    opt_bool(s, fo, "null", &f->null);
    opt_bool(s, fo, "blank", &f->blank);
    opt_bool(s, fo, "unique", &f->unique);
    opt_bool(s, fo, "db_index", &f->db_index);
    opt_bool(s, fo, "editable", &f->editable);
    opt_string(s, fo, "verbose_name", &f->verbose_name);
    opt_string(s, fo, "help_text", &f->help_text);
    if (type_takes(f->type, "max_length")) {
        opt_int(s, fo, "max_length", 1, MODEL_MAX_CHAR_LENGTH, &f->limits.max_length);
        opt_int(s, fo, "min_length", 0, MODEL_MAX_CHAR_LENGTH, &f->limits.min_length);
    }
    if (sema_field_is_numeric(f->type)) {
        opt_number(s, fo, "min_value", f->type, &f->limits.min_value);
        opt_number(s, fo, "max_value", f->type, &f->limits.max_value);
    }
    if (f->type == MODEL_T_DECIMAL) {
        opt_int(s, fo, "max_digits", 1, 1000, &f->limits.max_digits);
        opt_int(s, fo, "decimal_places", 0, 1000, &f->limits.decimal_places);
    }
    if (type_takes(f->type, "auto_now")) {
        opt_bool(s, fo, "auto_now", &f->auto_now);
        opt_bool(s, fo, "auto_now_add", &f->auto_now_add);
    }
    if (f->type == MODEL_T_FOREIGNKEY) {
        read_on_delete(s, fo, f, call->u.call.callee->span);
        opt_string(s, fo, "related_name", &f->related_name);
    }
    read_choices(s, fo, f);
    const ast_kwarg *dk = opt_take(fo, "default");
    /* A ForeignKey's default is typed once its target is known. */
    if (dk && f->type != MODEL_T_FOREIGNKEY)
        f->has_default = sema_typed_value(s, dk->value, f->type, &f->default_value,
                                          "the default");
}

static const char *const model_only_hint[][2] = {
    { "ChoiceField", "on a resource, use CharField(max_length = N, choices = [...])" },
    { "PrimaryKeyRelatedField", "on a resource, use ForeignKey(Resource, on_delete = ...)" },
    { "ReadOnlyField", "ReadOnlyField is a serializer field" },
    { "OneToOneField", "use ForeignKey(Resource, on_delete = ..., unique = true)" },
    { "PositiveIntegerField", "use IntegerField(min_value = 0)" },
    { "SmallIntegerField", "use IntegerField" },
    { "NullBooleanField", "use BooleanField(null = true)" },
    { NULL, NULL }
};

static void unknown_field_type(sema *s, const ast_ident *callee)
{
    diag_error(s->d, callee->span, "unknown field type '%s'", callee->text);
    for (int i = 0; model_only_hint[i][0]; i++) {
        if (strcmp(model_only_hint[i][0], callee->text) == 0) {
            diag_hint(s->d, "%s", model_only_hint[i][1]);
            return;
        }
    }
    const char *names[NFTYPES + 1];
    for (size_t i = 0; i < NFTYPES; i++)
        names[i] = ftypes[i].name;
    names[NFTYPES] = NULL;
    const char *best = suggest_word(callee->text, names);
    if (best)
        diag_hint(s->d, "did you mean '%s'?", best);
}

/* Django's models.E001-E003 and the attname clash rule, on one name. */
static bool check_field_name(sema *s, const ast_ident *name)
{
    const char *n = name->text;
    size_t len = strlen(n);
    if (len && n[len - 1] == '_')
        diag_error(s->d, name->span, "field names must not end with an underscore");
    else if (strstr(n, "__"))
        diag_error(s->d, name->span, "field names must not contain '__'");
    else if (strcmp(n, "pk") == 0)
        diag_error(s->d, name->span, "'pk' is reserved: it always means the primary key");
    else if (len > MODEL_MAX_NAME_BYTES - 3)
        diag_error(s->d, name->span, "field name '%s' is longer than %d bytes", n,
                   MODEL_MAX_NAME_BYTES - 3);
    else
        return true;
    return false;
}

static model_field *field_new(sema *s, model_resource *r, const char *name,
                              model_ftype t, model_loc loc)
{
    model_field *f = rf_calloc(s->a, sizeof *f);
    f->name = name;
    f->column = name;
    f->type = t;
    f->resource = r;
    f->editable = true;
    f->limits.max_length = f->limits.min_length = -1;
    f->limits.max_digits = f->limits.decimal_places = -1;
    f->loc = loc;
    f->index = r->nfields;
    VPUSH(s, r->fields, r->nfields, f);
    return f;
}

/* A ForeignKey's target, written as its one positional argument. */
static const ast_ident *fk_target_arg(sema *s, const ast_call *c)
{
    const ast_ident *id = c->args.count == 1 ? expr_ident(c->args.items[0]) : NULL;
    if (!id)
        diag_error(s->d, c->args.count ? c->args.items[0]->span : c->args_span,
                   "a ForeignKey takes the related resource as its first argument: "
                   "ForeignKey(Resource, on_delete = CASCADE)");
    return id;
}

static void declare_field(sema *s, model_resource *r, const ast_member *m)
{
    const ast_call *c = &m->value->u.call;
    model_ftype t = c->target ? 0 : ftype_from_name(c->callee->text);
    if (!t) {
        unknown_field_type(s, c->callee);
        return;
    }
    if (!check_field_name(s, m->key))
        return;
    if (t != MODEL_T_FOREIGNKEY && c->args.count) {
        diag_error(s->d, c->args.items[0]->span, "field options are keyword arguments: "
                   "%s(max_length = 10)", c->callee->text);
        return;
    }
    if (r->nfields >= MODEL_MAX_FIELDS) {
        diag_error(s->d, m->key->span, "resource '%s' has more than %d fields", r->name,
                   MODEL_MAX_FIELDS);
        return;
    }
    model_field *f = field_new(s, r, m->key->text, t, sema_loc(s, m->key->span));
    f->db_index = t == MODEL_T_FOREIGNKEY;   /* Django indexes foreign keys */
    field_opts fo = { .call = c };
    fo.taken = rf_calloc(s->a, (c->kwargs.count + 1) * sizeof *fo.taken);
    read_field_options(s, f, m->value, &fo);
    reject_unknown_opts(s, &fo, t);
    check_field_options(s, f, m->value, &fo);
    default_max_length(f);
    if (t == MODEL_T_FOREIGNKEY)
        f->column = sema_printf(s, "%s_id", f->name);
    if (f->auto_now || f->auto_now_add) {
        f->editable = false;    /* Django: auto_now implies editable=False, blank=True */
        f->blank = true;
    }
    if (t == MODEL_T_AUTO || t == MODEL_T_BIGAUTO)
        f->blank = true;
    if (f->primary_key)
        f->unique = true;
    if (!f->verbose_name) {
        char *v = rf_alloc(s->a, NAMES_BUF(strlen(f->name)));
        names_verbose_from_field(f->name, v);
        f->verbose_name = v;
    }
}

/* ---------------------------------------------------------------------
 * Resources.
 */
static void resource_table(sema *s, model_resource *r, members *ms)
{
    const ast_member *t = members_take(ms, "db_table");
    if (t && read_string(s, t, &r->table)) {
        if (!*r->table || strlen(r->table) > MODEL_MAX_NAME_BYTES)
            diag_error(s->d, t->value->span, "'db_table' must be 1 to %d bytes",
                       MODEL_MAX_NAME_BYTES);
        return;
    }
    char *lower = rf_alloc(s->a, strlen(r->name) + 1);
    names_lower(r->name, lower);
    r->table = sema_printf(s, "%s_%s", s->m->name, lower);
    if (strlen(r->table) > MODEL_MAX_NAME_BYTES)
        diag_error(s->d, sym_span(sym_find(s, r->name)), "table name '%s' is longer than %d bytes; set "
                   "db_table", r->table, MODEL_MAX_NAME_BYTES);
}

static void resource_options(sema *s, model_resource *r, members *ms)
{
    resource_table(s, r, ms);
    const ast_member *v = members_take(ms, "verbose_name");
    if (v)
        read_string(s, v, &r->verbose_name);
    if (!r->verbose_name) {
        char *vn = rf_alloc(s->a, NAMES_BUF(strlen(r->name)));
        names_verbose_from_class(r->name, vn);
        r->verbose_name = vn;
    }
    r->database = s->m->databases[0];
    const ast_member *d = members_take(ms, "database");
    const ast_ident *dn = d ? read_ident(s, d) : NULL;
    if (dn) {
        model_database *db = sema_find_database(s, dn);
        if (db)
            r->database = db;
    }
}

/* The primary key: the declared one, else Django's implicit `id`. */
static void resource_pk(sema *s, model_resource *r, const ast_block *b)
{
    for (uint32_t i = 0; i < r->nfields; i++) {
        model_field *f = r->fields[i];
        if (!f->primary_key)
            continue;
        if (r->pk) {
            diag_error(s->d, f->loc.span, "resource '%s' has more than one primary key",
                       r->name);
            diag_note(s->d, r->pk->loc.span, "'%s' is the primary key", r->pk->name);
            continue;
        }
        r->pk = f;
    }
    if (r->pk)
        return;
    model_field *id = model_find_field(r, "id");
    /* Both mistakes below are reported; `id` then stands in as the key, so
     * later passes can rely on every resource having one. */
    if (id && (id->type == MODEL_T_AUTO || id->type == MODEL_T_BIGAUTO)) {
        r->pk = id;   /* "an AutoField must set primary_key" said it */
        return;
    }
    if (id) {
        diag_error(s->d, id->loc.span, "'id' can only be a field name if the field "
                   "also sets primary_key = true");
        r->pk = id;
        return;
    }
    /* Django puts the automatic id first. */
    model_field *f = field_new(s, r, "id", MODEL_T_AUTO, sema_loc(s, b->name->span));
    memmove(r->fields + 1, r->fields, (r->nfields - 1) * sizeof *r->fields);
    r->fields[0] = f;
    for (uint32_t i = 0; i < r->nfields; i++)
        r->fields[i]->index = i;
    f->implicit = f->primary_key = f->unique = f->blank = true;
    f->verbose_name = "ID";
    r->pk = f;
}

/* A field `x` and a ForeignKey `x` (column x_id) must not collide on the
 * attname: Django's models.E006 "clashes with the field". */
static void check_attname_clashes(sema *s, model_resource *r)
{
    for (uint32_t i = 0; i < r->nfields; i++) {
        model_field *fk = r->fields[i];
        if (fk->type != MODEL_T_FOREIGNKEY)
            continue;
        model_field *other = model_find_field(r, fk->column);
        if (other && other != fk) {
            diag_error(s->d, other->loc.span, "field '%s' clashes with the column of "
                       "foreign key '%s'", other->name, fk->name);
            diag_note(s->d, fk->loc.span, "'%s' is stored in the column '%s'", fk->name,
                      fk->column);
        }
    }
}

static void resource_indexes(sema *s, model_resource *r, const ast_member *m)
{
    const ast_expr_array *list = read_list(s, m);
    for (uint32_t i = 0; list && i < list->count; i++) {
        const ast_expr *e = list->items[i];
        if (e->kind != AST_LIST || e->u.list.count == 0) {
            diag_error(s->d, e->span, "each index is a list of field names: [[a, b]]");
            continue;
        }
        model_index *ix = rf_calloc(s->a, sizeof *ix);
        ix->loc = sema_loc(s, e->span);
        rf_buf name;
        rf_buf_init(&name, s->a, 64);
        rf_buf_puts(&name, r->table);
        for (uint32_t j = 0; j < e->u.list.count; j++) {
            const ast_ident *id = expr_ident(e->u.list.items[j]);
            if (!id) {
                diag_error(s->d, e->u.list.items[j]->span, "an index lists field names, "
                           "not %s", expr_desc(e->u.list.items[j]));
                continue;
            }
            model_field *f = sema_resolve_field(s, r, id);
            if (!f)
                continue;
            VPUSH(s, ix->fields, ix->nfields, f);
            rf_buf_printf(&name, "_%s", f->column);
        }
        rf_buf_puts(&name, "_idx");
        rf_buf_putc(&name, '\0');
        ix->name = name.data;
        if (ix->nfields == e->u.list.count)
            VPUSH(s, r->indexes, r->nindexes, ix);
    }
}

static void resource_declare(sema *s, sym *y)
{
    model_resource *r = rf_calloc(s->a, sizeof *r);
    r->name = y->name;
    r->loc = sema_loc(s, sym_span(y));
    y->entity = r;
    r->index = s->m->nresources;
    VPUSH(s, s->m->resources, s->m->nresources, r);
}

static const char *const resource_keys[] = {
    "db_table", "verbose_name", "database", "indexes", NULL
};

static void resource_fields(sema *s, sym *y)
{
    model_resource *r = y->entity;
    const ast_block *b = y->block;
    sema_reject_nested(s, b, "a resource");
    members ms;
    members_init(s, &ms, b);
    resource_options(s, r, &ms);
    for (uint32_t i = 0; i < ms.n; i++) {
        const ast_member *m = ms.items[i];
        if (ms.taken[i] || m->value->kind != AST_CALL)
            continue;
        ms.taken[i] = true;
        declare_field(s, r, m);
    }
    const ast_member *indexes = members_take(&ms, "indexes");
    members_reject_rest(s, &ms, sema_printf(s, "resource '%s'", r->name), resource_keys);
    resource_pk(s, r, b);
    check_attname_clashes(s, r);
    for (uint32_t i = 0; i < r->nfields; i++) {
        model_field *f = r->fields[i];
        if (f->unique)
            f->unique_message = sema_printf(s, "%s with this %s already exists.",
                                            r->verbose_name, f->verbose_name);
    }
    if (indexes)
        resource_indexes(s, r, indexes);
}

/* Resolve each ForeignKey's target. */
static void resource_foreign_keys(sema *s, sym *y)
{
    model_resource *r = y->entity;
    for (uint32_t i = 0; i < r->nfields; i++) {
        model_field *f = r->fields[i];
        if (f->type != MODEL_T_FOREIGNKEY)
            continue;
        const ast_member *m = block_member(y->block, f->name);
        const ast_ident *target = fk_target_arg(s, &m->value->u.call);
        sym *t = NULL;
        if (target && strcmp(target->text, "self") == 0)
            t = y;
        else if (target)
            t = resolve_sym(s, target, SYM_RESOURCE);
        if (!t || !t->entity)
            continue;
        f->fk_target = t->entity;
        f->fk_target_field = f->fk_target->pk;
        if (f->fk_target->database != r->database) {
            diag_error(s->d, target->span, "foreign key '%s.%s' crosses databases: '%s' "
                       "lives in '%s', '%s' in '%s'", r->name, f->name, r->name,
                       r->database->name, f->fk_target->name, f->fk_target->database->name);
            diag_hint(s->d, "store the key in an IntegerField and attach the rows with a "
                      "postfetch");
        }
    }
}

/* The primary key types a ForeignKey may reference: the runtime converts,
 * binds and renders keys of these (restflow/model.h). */
static bool supported_key_type(model_ftype t)
{
    return sema_field_is_integer(t) || t == MODEL_T_UUID || sema_field_is_text(t);
}

/* Once every target is known (a key may reference a primary key that is
 * itself a ForeignKey): check the type the key takes, then type the
 * default by it. */
static void resource_key_types(sema *s, sym *y)
{
    model_resource *r = y->entity;
    for (uint32_t i = 0; i < r->nfields; i++) {
        model_field *f = r->fields[i];
        if (f->type != MODEL_T_FOREIGNKEY || !f->fk_target_field)
            continue;
        model_ftype t = model_key_type(f);
        const ast_member *m = block_member(y->block, f->name);
        if (t == MODEL_T_FOREIGNKEY) {
            /* reported once, at the primary keys that loop */
            if (f->primary_key)
                diag_error(s->d, m->key->span, "the primary key '%s.%s' is a foreign key to "
                           "a primary key that leads back to it (or more than %d deep)",
                           r->name, f->name, MODEL_MAX_KEY_HOPS);
            continue;
        }
        if (!supported_key_type(t)) {
            diag_error(s->d, m->key->span, "foreign key '%s.%s' references '%s', whose "
                       "primary key is %s %s", r->name, f->name, f->fk_target->name,
                       sema_article(model_ftype_name(t)), model_ftype_name(t));
            diag_hint(s->d, "a foreign key may reference an integer, UUID or text "
                      "(CharField, SlugField, ...) primary key");
            continue;
        }
        for (uint32_t k = 0; k < m->value->u.call.kwargs.count; k++) {
            const ast_kwarg *kw = m->value->u.call.kwargs.items[k];
            if (kw->key.count == 1 && !strcmp(kw->key.items[0]->text, "default"))
                f->has_default = sema_typed_value(s, kw->value, t, &f->default_value,
                                                  "the default");
        }
    }
}

/* Django's E302/E304: two foreign keys into one resource need distinct
 * reverse accessors (related_name, else <model lower>_set), and an
 * accessor must not shadow a field of the target.  Accessors are sorted by
 * (target, name) so clashes are neighbours: no quadratic pass. */
typedef struct accessor {
    const model_field *fk;
    const char *name;
} accessor;

static int cmp_accessors(const void *pa, const void *pb)
{
    const accessor *a = pa, *b = pb;
    if (a->fk->fk_target->index != b->fk->fk_target->index)
        return a->fk->fk_target->index < b->fk->fk_target->index ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    /* declaration order among equals, so the first one is noted */
    if (a->fk->resource->index != b->fk->resource->index)
        return a->fk->resource->index < b->fk->resource->index ? -1 : 1;
    return a->fk->index < b->fk->index ? -1 : a->fk->index > b->fk->index;
}

static const char *accessor_name(sema *s, const model_field *f)
{
    if (f->related_name)
        return f->related_name;
    char *lower = rf_alloc(s->a, strlen(f->resource->name) + 1);
    names_lower(f->resource->name, lower);
    return sema_printf(s, "%s_set", lower);
}

static void check_reverse_accessors(sema *s)
{
    accessor *acc = NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->m->nresources; i++) {
        model_resource *r = s->m->resources[i];
        for (uint32_t j = 0; j < r->nfields && !r->builtin; j++) {
            model_field *f = r->fields[j];
            if (f->type != MODEL_T_FOREIGNKEY || !f->fk_target)
                continue;
            accessor a = { f, accessor_name(s, f) };
            VPUSH(s, acc, n, a);
            if (model_find_field(f->fk_target, a.name)) {
                diag_error(s->d, f->loc.span, "reverse accessor '%s' of '%s.%s' clashes "
                           "with field '%s.%s'", a.name, r->name, f->name,
                           f->fk_target->name, a.name);
                diag_hint(s->d, "add or change related_name");
            }
        }
    }
    if (n)
        qsort(acc, n, sizeof *acc, cmp_accessors);
    for (uint32_t i = 1; i < n; i++) {
        const accessor *p = &acc[i - 1], *a = &acc[i];
        if (p->fk->fk_target != a->fk->fk_target || strcmp(p->name, a->name) != 0)
            continue;
        diag_error(s->d, a->fk->loc.span, "reverse accessor '%s' of '%s.%s' clashes with "
                   "the one of '%s.%s'", a->name, a->fk->resource->name, a->fk->name,
                   p->fk->resource->name, p->fk->name);
        diag_hint(s->d, "give one of them a related_name");
        diag_note(s->d, p->fk->loc.span, "'%s.%s' declared here", p->fk->resource->name,
                  p->fk->name);
    }
}

/* Two resources in one table would share rows (Product and PRODUCT both
 * default to shop_product; db_table may name auth_user). */
static void check_tables(sema *s)
{
    strmap tables = { 0 };
    for (uint32_t i = 0; i < s->m->nresources; i++) {
        model_resource *r = s->m->resources[i];
        model_resource *other = strmap_get(&tables, r->table);
        if (other && other->database == r->database) {
            diag_error(s->d, r->loc.span, "resources '%s' and '%s' both use the table '%s'",
                       other->name, r->name, r->table);
            if (other->builtin)
                diag_hint(s->d, "'%s' is the built-in %s's table", r->table, other->name);
            else
                diag_note(s->d, other->loc.span, "'%s' declared here", other->name);
            continue;
        }
        strmap_put(s->a, &tables, r->table, r);
    }
}

void sema_resources(sema *s)
{
    builtins_resources(s);
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_RESOURCE && !s->syms[i]->builtin)
            resource_declare(s, s->syms[i]);
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_RESOURCE && !s->syms[i]->builtin)
            resource_fields(s, s->syms[i]);
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_RESOURCE && !s->syms[i]->builtin)
            resource_foreign_keys(s, s->syms[i]);
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_RESOURCE && !s->syms[i]->builtin)
            resource_key_types(s, s->syms[i]);
    check_reverse_accessors(s);
    check_tables(s);
}

/* ---------------------------------------------------------------------
 * Field look-up and paths.
 */
model_resource *model_find_resource(const model *m, const char *name)
{
    for (uint32_t i = 0; i < m->nresources; i++)
        if (strcmp(m->resources[i]->name, name) == 0)
            return m->resources[i];
    return NULL;
}

model_field *model_find_field(const model_resource *r, const char *name)
{
    for (uint32_t i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i]->name, name) == 0)
            return r->fields[i];
    return NULL;
}

const model_field *model_key_field(const model_field *f)
{
    for (int hops = 0; f->type == MODEL_T_FOREIGNKEY && f->fk_target_field
                       && hops < MODEL_MAX_KEY_HOPS; hops++)
        f = f->fk_target_field;
    return f;
}

model_ftype model_key_type(const model_field *f)
{
    return model_key_field(f)->type;
}

/* A field by name, `pk`, or a foreign key's attname (`product_id`). */
static model_field *lookup_field(const model_resource *r, const char *name)
{
    if (strcmp(name, "pk") == 0)
        return r->pk;
    model_field *f = model_find_field(r, name);
    if (f)
        return f;
    for (uint32_t i = 0; i < r->nfields; i++)
        if (r->fields[i]->type == MODEL_T_FOREIGNKEY && !strcmp(r->fields[i]->column, name))
            return r->fields[i];
    return NULL;
}

static void unknown_field(sema *s, const model_resource *r, const ast_ident *name)
{
    diag_error(s->d, name->span, "resource '%s' has no field '%s'", r->name, name->text);
    names_suggester sg;
    names_suggest_init(&sg, name->text);
    for (uint32_t i = 0; i < r->nfields; i++)
        names_suggest_consider(&sg, r->fields[i]->name);
    const char *best = names_suggest_best(&sg);
    if (best) {
        diag_hint(s->d, "did you mean '%s'?", best);
        model_field *f = model_find_field(r, best);
        if (!r->builtin && !f->implicit)
            diag_note(s->d, f->loc.span, "'%s.%s' declared here", r->name, best);
    }
}

model_field *sema_resolve_field(sema *s, model_resource *r, const ast_ident *name)
{
    model_field *f = lookup_field(r, name->text);
    if (!f)
        unknown_field(s, r, name);
    return f;
}

bool sema_resolve_path(sema *s, model_resource *r, const ast_ident_array *parts,
                       uint32_t first, bool allow_fk_hops, model_path *out)
{
    memset(out, 0, sizeof *out);
    rf_buf text;
    rf_buf_init(&text, s->a, 32);
    if (parts->count - first > MODEL_MAX_SOURCE_HOPS) {
        diag_error(s->d, parts->items[first]->span, "a path may cross at most %d "
                   "relations", MODEL_MAX_SOURCE_HOPS - 1);
        return false;
    }
    for (uint32_t i = first; i < parts->count; i++) {
        const ast_ident *p = parts->items[i];
        model_field *f = sema_resolve_field(s, r, p);
        if (!f)
            return false;
        VPUSH(s, out->hops, out->nhops, f);
        rf_buf_printf(&text, "%s%s", i > first ? "." : "", p->text);
        if (i + 1 == parts->count)
            break;
        if (f->type != MODEL_T_FOREIGNKEY || !allow_fk_hops) {
            diag_error(s->d, parts->items[i + 1]->span, "'%s' is not a foreign key, so "
                       "'%s' cannot follow it", p->text, parts->items[i + 1]->text);
            return false;
        }
        if (!f->fk_target)
            return false;
        r = f->fk_target;
    }
    rf_buf_putc(&text, '\0');
    out->text = text.data;
    return true;
}
