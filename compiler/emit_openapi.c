/*
 * emit_openapi.c: the OpenAPI 3.1 document of a spec.
 *
 * What DRF's SchemaGenerator (rest_framework/schemas/openapi.py) would say
 * of the same API, made complete where DRF 3.14 leaves gaps:
 *
 *   paths       one per route (the API root excluded, as DRF's APIRootView
 *               is), `{name}` for each capture, typed by its converter or
 *               the lookup field; one operation per mapped method.
 *   operations  operationId as DRF builds it (listProducts,
 *               retrieveProduct, publishProduct), made unique by the view's
 *               name when two would clash; tags: the router prefix, else
 *               the view's name; query parameters of the paginator and the
 *               filter backends on list operations (DRF's texts).
 *   bodies      requests from the request serializer (PATCH: a
 *               "Patched<Name>" schema without required fields), one media
 *               type per parser; responses from the response serializer,
 *               in the paginator's envelope for lists; 201 for POST, 204
 *               for DELETE, as DRF (a hand-written POST handler: 200 and
 *               201, since its hook chooses).
 *   errors      the 400/401/403/404/415/429 the operation can answer, with
 *               DRF's bodies ({"detail": ...}, field dicts) and headers
 *               (WWW-Authenticate, Retry-After).
 *   components  one schema per serializer in use ("Product" for
 *               ProductSerializer, as DRF strips the suffix, unless that
 *               clashes), with the fields' constraints; security schemes
 *               from the authenticators (a custom one by its challenge;
 *               one without a challenge is not described); operation
 *               security lists them, with {} where anonymous requests may
 *               pass.
 *
 * OpenAPI 3.1 is JSON Schema 2020-12: null is a type (["string", "null"]),
 * and $ref may have siblings (readOnly).
 *
 * The document is built as a small tree in an arena, then printed; the
 * compiler does not link a JSON library.
 */
#include <stdio.h>
#include <string.h>

#include "emit_internal.h"
#include "openapi.h"
#include "strmap.h"

/* The SQLite document, and what the PostgreSQL one inserts into it: the
 * PostgreSQL document is the SQLite one with each text put in at its byte
 * offset (offsets ascending, each at most once). */
typedef struct openapi_insert {
    size_t offset;
    const char *text;
} openapi_insert;

typedef struct openapi_inserts {
    rf_arena *arena;          /* owns items and texts */
    openapi_insert *items;
    size_t n, cap;
} openapi_inserts;

/* ---------------------------------------------------------------------
 * A JSON tree: objects keep their keys in insertion order.
 */
typedef enum jkind { J_OBJECT, J_ARRAY, J_STRING, J_RAW } jkind;

typedef struct jnode jnode;
typedef struct jmember {
    const char *key;          /* NULL in arrays */
    jnode *value;
    bool pg_only;             /* only in the PostgreSQL form (jset_pg) */
    struct jmember *next;
} jmember;

struct jnode {
    jkind kind;
    const char *text;         /* J_STRING: the string; J_RAW: the JSON text */
    jmember *first, *last;
};

typedef struct doc {
    rf_arena *a;
    const model *m;
    const char **names;       /* component name per serializer index */
    bool *used, *patched, *counted, *cursored;   /* per serializer index */
    strmap operation_ids;     /* the ids given so far (values unused) */
} doc;

static jnode *jnew(doc *d, jkind k, const char *text)
{
    jnode *n = rf_calloc(d->a, sizeof *n);
    n->kind = k;
    n->text = text;
    return n;
}

static jnode *jobj(doc *d) { return jnew(d, J_OBJECT, NULL); }
static jnode *jarr(doc *d) { return jnew(d, J_ARRAY, NULL); }
static jnode *jstr(doc *d, const char *s) { return jnew(d, J_STRING, rf_strdup(d->a, s)); }
static jnode *jraw(doc *d, const char *s) { return jnew(d, J_RAW, s); }
static jnode *jint(doc *d, long long v) { return jraw(d, rf_sprintf(d->a, "%lld", v)); }

static void jadd(doc *d, jnode *container, const char *key, jnode *value)
{
    jmember *mb = rf_calloc(d->a, sizeof *mb);
    mb->key = key;
    mb->value = value;
    if (container->last)
        container->last->next = mb;
    else
        container->first = mb;
    container->last = mb;
}

static void jset(doc *d, jnode *obj, const char *key, jnode *value) { jadd(d, obj, key, value); }

/* A member only the PostgreSQL form of the document has (an integer
 * column's range); never an object's first member, so that the SQLite
 * form is the same document without it. */
static void jset_pg(doc *d, jnode *obj, const char *key, jnode *value)
{
    jadd(d, obj, key, value);
    obj->last->pg_only = true;
}

static void jpush(doc *d, jnode *arr, jnode *value) { jadd(d, arr, NULL, value); }
static void jset_str(doc *d, jnode *obj, const char *key, const char *s) { jset(d, obj, key, jstr(d, s)); }

static jnode *jget(const jnode *obj, const char *key)
{
    for (jmember *mb = obj->first; mb; mb = mb->next)
        if (mb->key && strcmp(mb->key, key) == 0)
            return mb->value;
    return NULL;
}

/* {"type": t} */
static jnode *jtype(doc *d, const char *t)
{
    jnode *o = jobj(d);
    jset_str(d, o, "type", t);
    return o;
}

static jnode *jref(doc *d, const char *where, const char *name)
{
    jnode *o = jobj(d);
    jset(d, o, "$ref", jstr(d, rf_sprintf(d->a, "#/components/%s/%s", where, name)));
    return o;
}

static void print_string(rf_buf *b, const char *s)
{
    rf_buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char *run = p;   /* bytes JSON takes as they are, in one append */
        while (*run >= 0x20 && *run != '"' && *run != '\\')
            run++;
        rf_buf_append(b, p, (size_t)(run - p));
        p = run;
        if (!*p)
            break;
        if (*p == '"' || *p == '\\') {
            rf_buf_putc(b, '\\');
            rf_buf_putc(b, (char)*p);
        } else if (*p == '\n') {
            rf_buf_lit(b, "\\n");
        } else if (*p == '\t') {
            rf_buf_lit(b, "\\t");
        } else {
            rf_buf_printf(b, "\\u%04x", *p);
        }
        p++;
    }
    rf_buf_putc(b, '"');
}

/* How the tree is printed: members of a node at depth < pretty go on
 * lines of their own, indented; deeper nodes are written compact.  The
 * SQLite form leaves out the pg_only members; when inserts is set, each
 * one left out is recorded there as the text the PostgreSQL form has at
 * that offset. */
typedef struct printer {
    rf_buf *b;
    int pretty;
    bool postgres;
    openapi_inserts *inserts;
} printer;

static void print_node(const printer *p, const jnode *n, int depth);

static void print_member(const printer *p, const jmember *mb, bool object, bool first, int depth)
{
    rf_buf *b = p->b;
    bool lines = depth < p->pretty;
    if (!first)
        rf_buf_putc(b, ',');
    if (lines) {
        rf_buf_putc(b, '\n');
        for (int i = 0; i < depth + 1; i++)
            rf_buf_lit(b, "  ");
    }
    if (object) {
        print_string(b, mb->key);
        if (lines)
            rf_buf_lit(b, ": ");
        else
            rf_buf_putc(b, ':');
    }
    print_node(p, mb->value, depth + 1);
}

/* A pg_only member the SQLite form leaves out, as the PostgreSQL form
 * writes it; inserts at one offset join into one text. */
static void record_insert(const printer *p, const jmember *mb, int depth)
{
    openapi_inserts *ins = p->inserts;
    rf_buf text;
    rf_buf_init(&text, NULL, 64);
    printer pg = { &text, p->pretty, true, NULL };
    print_member(&pg, mb, true, false, depth);
    size_t offset = p->b->len;
    if (ins->n && ins->items[ins->n - 1].offset == offset) {
        openapi_insert *last = &ins->items[ins->n - 1];
        last->text = rf_sprintf(ins->arena, "%s%s", last->text, text.data);
    } else {
        if (ins->n == ins->cap) {
            size_t cap = ins->cap ? 2 * ins->cap : 16;
            openapi_insert *items = rf_alloc(ins->arena, cap * sizeof *items);
            if (ins->n)
                memcpy(items, ins->items, ins->n * sizeof *items);
            ins->items = items;
            ins->cap = cap;
        }
        ins->items[ins->n++] = (openapi_insert){ offset, rf_strdup(ins->arena, text.data) };
    }
    rf_buf_release(&text);
}

static void print_node(const printer *p, const jnode *n, int depth)
{
    rf_buf *b = p->b;
    if (n->kind == J_STRING) {
        print_string(b, n->text);
        return;
    }
    if (n->kind == J_RAW) {
        rf_buf_puts(b, n->text);
        return;
    }
    bool object = n->kind == J_OBJECT, first = true;
    rf_buf_putc(b, object ? '{' : '[');
    for (jmember *mb = n->first; mb; mb = mb->next) {
        if (mb->pg_only && !p->postgres) {
            if (p->inserts)
                record_insert(p, mb, depth);
            continue;
        }
        print_member(p, mb, object, first, depth);
        first = false;
    }
    if (n->first && depth < p->pretty) {
        rf_buf_putc(b, '\n');
        for (int i = 0; i < depth; i++)
            rf_buf_lit(b, "  ");
    }
    rf_buf_putc(b, object ? '}' : ']');
}

/* ---------------------------------------------------------------------
 * Field schemas.
 */

/* The JSON value of a literal as DRF renders it (decimals as strings). */
static jnode *literal(doc *d, const model_value *v)
{
    switch (v->kind) {
    case MODEL_V_NULL: return jraw(d, "null");
    case MODEL_V_BOOL: return jraw(d, v->b ? "true" : "false");
    case MODEL_V_INT: return jint(d, (long long)v->i);
    case MODEL_V_FLOAT: return jraw(d, v->text);
    case MODEL_V_JSON: return jraw(d, v->text);
    case MODEL_V_DECIMAL: case MODEL_V_STRING: case MODEL_V_DATE: case MODEL_V_DATETIME:
        return jstr(d, v->text);
    default: return NULL;     /* callables (now, uuid4) and queryset-only kinds */
    }
}

/* The schema of a value of a model field type. */
static jnode *type_schema(doc *d, model_ftype t)
{
    switch (t) {
    case MODEL_T_AUTO: case MODEL_T_INTEGER: return jtype(d, "integer");
    case MODEL_T_BIGAUTO: case MODEL_T_BIGINTEGER: {
        jnode *s = jtype(d, "integer");
        jset_str(d, s, "format", "int64");
        return s;
    }
    case MODEL_T_FLOAT: {
        jnode *s = jtype(d, "number");
        jset_str(d, s, "format", "double");
        return s;
    }
    case MODEL_T_BOOLEAN: return jtype(d, "boolean");
    case MODEL_T_JSON: case MODEL_T_NESTED: return jobj(d);      /* any JSON */
    default: break;
    }
    jnode *s = jtype(d, "string");
    static const struct { model_ftype t; const char *format; } formats[] = {
        { MODEL_T_DECIMAL, "decimal" }, { MODEL_T_EMAIL, "email" }, { MODEL_T_URL, "uri" },
        { MODEL_T_UUID, "uuid" }, { MODEL_T_DATE, "date" }, { MODEL_T_DATETIME, "date-time" },
    };
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (formats[i].t == t)
            jset_str(d, s, "format", formats[i].format);
    if (t == MODEL_T_SLUG)
        jset_str(d, s, "pattern", "^[-a-zA-Z0-9_]+$");
    return s;
}

/* What a foreign key's value is: its target's primary key. */
static model_ftype key_type(const model_field *f)
{
    return f && f->type == MODEL_T_FOREIGNKEY && f->fk_target_field ? f->fk_target_field->type
         : f ? f->type : MODEL_T_INTEGER;
}

/* minimum / maximum: the field's own limits (own: a ChoiceField's are not
 * shown); on PostgreSQL a side without one takes the integer column's range
 * where Django adds it (em_db_range_validators), as DRF's
 * map_field_validators reads it from the field's validators. */
static void numeric_limits(doc *d, jnode *s, const model_sfield *f, bool own)
{
    bool ranged = em_db_range_validators(f);
    bool big = ranged && f->model_field->type == MODEL_T_BIGINTEGER;
    const model_limits *l = &f->limits;
    if (l->min_value && own)
        jset(d, s, "minimum", jraw(d, l->min_value));
    else if (!l->min_value && ranged)
        jset_pg(d, s, "minimum", jraw(d, big ? "-9223372036854775808" : "-2147483648"));
    if (l->max_value && own)
        jset(d, s, "maximum", jraw(d, l->max_value));
    else if (!l->max_value && ranged)
        jset_pg(d, s, "maximum", jraw(d, big ? "9223372036854775807" : "2147483647"));
}

/* DRF's pattern for a DecimalField rendered as a string. */
static void decimal_limits(doc *d, jnode *s, const model_limits *l)
{
    if (l->max_digits < 0 || l->decimal_places < 0)
        return;
    jset_str(d, s, "pattern", rf_sprintf(d->a, "^-?\\d{0,%d}(?:\\.\\d{0,%d})?$",
                                         (int)(l->max_digits - l->decimal_places),
                                         (int)l->decimal_places));
}

static void string_limits(doc *d, jnode *s, const model_limits *l)
{
    if (l->max_length >= 0)
        jset(d, s, "maxLength", jint(d, l->max_length));
    if (l->min_length >= 0)
        jset(d, s, "minLength", jint(d, l->min_length));
}

static jnode *choice_schema(doc *d, const model_sfield *f)
{
    jnode *s = jobj(d), *values = jarr(d);
    for (uint32_t i = 0; i < f->limits.nchoices; i++) {
        jnode *v = literal(d, &f->limits.choices[i]->value);
        if (v)
            jpush(d, values, v);
    }
    if (f->allow_null)
        jpush(d, values, jraw(d, "null"));
    jset(d, s, "enum", values);
    numeric_limits(d, s, f, false);
    return s;
}

static const char *component_name(doc *d, const model_serializer *s)
{
    return d->names[s->index];
}

/* A nested serializer: a reference, or an array of them. */
static jnode *nested_schema(doc *d, const model_sfield *f)
{
    d->used[f->nested->index] = true;
    jnode *ref = jref(d, "schemas", component_name(d, f->nested));
    if (!f->many)
        return ref;
    jnode *s = jtype(d, "array");
    jset(d, s, "items", ref);
    return s;
}

static jnode *field_base_schema(doc *d, const model_sfield *f)
{
    jnode *s;
    switch (f->sclass) {
    case MODEL_SC_NESTED: return nested_schema(d, f);
    case MODEL_SC_CHOICE: return choice_schema(d, f);
    case MODEL_SC_PRIMARY_KEY_RELATED:
        return type_schema(d, key_type(f->related ? f->related->pk : f->model_field));
    case MODEL_SC_READ_ONLY:
        return type_schema(d, f->model_field ? key_type(f->model_field) : f->type);
    default:
        s = type_schema(d, f->type == MODEL_T_FOREIGNKEY ? key_type(f->model_field) : f->type);
        break;
    }
    if (f->sclass == MODEL_SC_INTEGER || f->sclass == MODEL_SC_FLOAT)
        numeric_limits(d, s, f, true);
    else if (f->sclass == MODEL_SC_DECIMAL)
        decimal_limits(d, s, &f->limits);
    else if (f->type != MODEL_T_JSON)
        string_limits(d, s, &f->limits);
    return s;
}

/* allow_null: 3.1 spells it as a type (["integer", "null"]); a schema
 * without a single type (a reference, any JSON) goes into oneOf. */
static jnode *nullable(doc *d, jnode *s)
{
    jnode *type = jget(s, "type");
    if (jget(s, "enum"))
        return s;                               /* null is among the values */
    if (type && type->kind == J_STRING) {
        jnode *both = jarr(d);
        jpush(d, both, jstr(d, type->text));
        jpush(d, both, jstr(d, "null"));
        type->kind = J_ARRAY;
        type->text = NULL;
        type->first = both->first;
        type->last = both->last;
        return s;
    }
    if (!s->first)
        return s;                               /* {} already allows null */
    jnode *one = jobj(d), *alts = jarr(d);
    jpush(d, alts, s);
    jpush(d, alts, jtype(d, "null"));
    jset(d, one, "oneOf", alts);
    return one;
}

static jnode *field_schema(doc *d, const model_sfield *f)
{
    jnode *s = field_base_schema(d, f);
    if (f->allow_null)
        s = nullable(d, s);
    if (f->read_only)
        jset(d, s, "readOnly", jraw(d, "true"));
    if (f->write_only)
        jset(d, s, "writeOnly", jraw(d, "true"));
    if (f->has_default && literal(d, &f->default_value))
        jset(d, s, "default", literal(d, &f->default_value));
    if (f->help_text)
        jset_str(d, s, "description", f->help_text);
    return s;
}

static jnode *serializer_schema(doc *d, const model_serializer *s, bool partial)
{
    jnode *schema = jtype(d, "object"), *props = jobj(d), *required = jarr(d);
    for (uint32_t i = 0; i < s->nfields; i++) {
        const model_sfield *f = s->fields[i];
        jset(d, props, f->name, field_schema(d, f));
        if (f->required && !f->read_only && !partial)
            jpush(d, required, jstr(d, f->name));
    }
    jset(d, schema, "properties", props);
    if (required->first)
        jset(d, schema, "required", required);
    return schema;
}

/* The paginator's envelope, as DRF's get_paginated_response_schema. */
static jnode *envelope_schema(doc *d, const model_serializer *s, bool cursor)
{
    jnode *schema = jtype(d, "object"), *props = jobj(d), *required = jarr(d);
    const char *example = cursor ? "http://api.example.org/accounts/?cursor=cD00ODY%3D"
                                 : "http://api.example.org/accounts/?page=4";
    if (!cursor) {
        jnode *count = jtype(d, "integer");
        jset(d, count, "example", jint(d, 123));
        jset(d, props, "count", count);
        jpush(d, required, jstr(d, "count"));
    }
    static const char *const links[] = { "next", "previous" };
    for (int i = 0; i < 2; i++) {
        jnode *link = nullable(d, jtype(d, "string"));
        jset_str(d, link, "format", "uri");
        jset_str(d, link, "example", i == 0 ? example
                                            : cursor ? "http://api.example.org/accounts/?cursor=cj0xJnA9NDg3"
                                                     : "http://api.example.org/accounts/?page=2");
        jset(d, props, links[i], link);
    }
    jnode *results = jtype(d, "array");
    jset(d, results, "items", jref(d, "schemas", component_name(d, s)));
    jset(d, props, "results", results);
    jpush(d, required, jstr(d, "results"));
    jset(d, schema, "properties", props);
    jset(d, schema, "required", required);
    return schema;
}

/* ---------------------------------------------------------------------
 * Component names: DRF strips "Serializer"; a name two serializers would
 * share keeps the full names.
 */
static const char *stripped(doc *d, const char *name)
{
    size_t n = strlen(name), k = strlen("Serializer");
    if (n > k && strcmp(name + n - k, "Serializer") == 0)
        return rf_strndup(d->a, name, n - k);
    return name;
}

/* A serializer's stripped name clashes when another serializer strips to
 * it too, or is called by it in full.  Counted through maps: a spec of a
 * thousand serializers must not compare every pair. */
static void name_components(doc *d)
{
    const model *m = d->m;
    strmap full = { 0 }, count = { 0 };
    const char **want = rf_alloc(d->a, (m->nserializers + 1) * sizeof *want);
    for (uint32_t i = 0; i < m->nserializers; i++) {
        const model_serializer *s = m->serializers[i];
        want[i] = stripped(d, s->name);
        strmap_put(d->a, &full, s->name, (void *)s);
        uintptr_t seen = (uintptr_t)strmap_get(&count, want[i]);
        strmap_put(d->a, &count, want[i], (void *)(seen + 1));
    }
    d->names = rf_calloc(d->a, (m->nserializers + 1) * sizeof *d->names);
    for (uint32_t i = 0; i < m->nserializers; i++) {
        const model_serializer *s = m->serializers[i];
        const model_serializer *named = strmap_get(&full, want[i]);
        bool clash = (uintptr_t)strmap_get(&count, want[i]) > 1 || (named && named != s);
        d->names[s->index] = clash ? s->name : want[i];
    }
}

/* ---------------------------------------------------------------------
 * Security.
 */
/* A custom authenticator is described by its challenge (WWW-Authenticate):
 * its first word is the HTTP authentication scheme.  One without a
 * challenge says nothing about what it reads (a header of its own, a
 * query parameter...), so it is left out rather than guessed. */
static const char *scheme_name(const model_authentication *a)
{
    switch (a->builtin) {
    case MODEL_AUTH_TOKEN: return "tokenAuth";
    case MODEL_AUTH_BASIC: return "basicAuth";
    case MODEL_AUTH_SESSION: return NULL;   /* restflow has no sessions */
    default: return a->www_authenticate && *a->www_authenticate ? a->name : NULL;
    }
}

static jnode *security_scheme(doc *d, const model_authentication *a)
{
    jnode *s = jobj(d);
    if (a->builtin == MODEL_AUTH_TOKEN) {
        jset_str(d, s, "type", "apiKey");
        jset_str(d, s, "in", "header");
        jset_str(d, s, "name", "Authorization");
        jset_str(d, s, "description", "Token authentication: `Authorization: Token <key>`.");
        return s;
    }
    const char *challenge = a->builtin == MODEL_AUTH_BASIC ? "Basic" : a->www_authenticate;
    size_t n = strcspn(challenge, " ");
    char *scheme = rf_strndup(d->a, challenge, n);
    for (char *p = scheme; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    jset_str(d, s, "type", "http");
    jset_str(d, s, "scheme", scheme);
    if (a->builtin != MODEL_AUTH_BASIC)
        jset_str(d, s, "description", rf_sprintf(d->a, "The %s authenticator (a C hook).",
                                                 a->name));
    return s;
}

/* Whether a request nobody authenticated may pass the permissions: false
 * only when a built-in class surely refuses it (custom classes may let
 * anyone through). */
static bool lets_anonymous(const model_perm_expr *e, unsigned method)
{
    switch (e->op) {
    case MODEL_P_AND: return lets_anonymous(e->a, method) && lets_anonymous(e->b, method);
    case MODEL_P_OR: return lets_anonymous(e->a, method) || lets_anonymous(e->b, method);
    case MODEL_P_NOT: return !(e->a->op == MODEL_P_LEAF &&
                               e->a->leaf->builtin == MODEL_PERM_ALLOW_ANY);
    default: break;
    }
    switch (e->leaf->builtin) {
    case MODEL_PERM_IS_AUTHENTICATED: case MODEL_PERM_IS_ADMIN_USER: return false;
    case MODEL_PERM_IS_AUTHENTICATED_OR_READ_ONLY: return method == MODEL_GET;
    default: return true;
    }
}

static bool always_allowed(const model_action_config *c)
{
    for (uint32_t i = 0; i < c->npermissions; i++) {
        const model_perm_expr *e = c->permissions[i];
        if (!(e->op == MODEL_P_LEAF && e->leaf->builtin == MODEL_PERM_ALLOW_ANY))
            return false;
    }
    return true;
}

static jnode *operation_security(doc *d, const model_view *v, const model_action_config *c,
                                 unsigned method)
{
    jnode *list = jarr(d);
    for (uint32_t i = 0; i < v->nauthentication_classes; i++) {
        const char *name = scheme_name(v->authentication_classes[i]);
        if (!name)
            continue;
        jnode *req = jobj(d);
        jset(d, req, name, jarr(d));
        jpush(d, list, req);
    }
    if (!list->first)
        return NULL;
    bool anonymous = true;
    for (uint32_t i = 0; i < c->npermissions; i++)
        anonymous = anonymous && lets_anonymous(c->permissions[i], method);
    if (anonymous)
        jpush(d, list, jobj(d));
    return list;
}

/* ---------------------------------------------------------------------
 * Operations.
 */
/* snake_case or kebab-case to camelCase, as DRF's _to_camel_case. */
static const char *camel(doc *d, const char *s)
{
    rf_buf b;
    rf_buf_init(&b, d->a, strlen(s) + 1);
    bool up = false;
    for (; *s; s++) {
        if (*s == '_' || *s == '-') {
            up = true;
            continue;
        }
        rf_buf_putc(&b, up && *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
        up = false;
    }
    return b.data;
}

static const char *without_spaces(doc *d, const char *s)
{
    rf_buf b;
    rf_buf_init(&b, d->a, strlen(s) + 1);
    for (; *s; s++)
        if (*s != ' ')
            rf_buf_putc(&b, *s);
    return b.data;
}

static bool is_list(const model_route *r, const model_action *a, unsigned method)
{
    return a->kind == MODEL_ACT_LIST ||
           (a->kind == MODEL_ACT_HANDLER && method == MODEL_GET && !r->detail &&
            r->ncaptures == 0 && a->config.paginator);
}

static bool operation_id_taken(const doc *d, const char *id)
{
    return strmap_get(&d->operation_ids, id) != NULL;
}

/* DRF's get_operation_id: the action (list, DRF's name for the method,
 * or an extra action's name in camelCase) and the model's name (else the
 * serializer's without "Serializer", else the view's), plural for lists.
 * When that is taken (two views of one model), the view's name replaces
 * the model's: listProductReviews. */
static const char *operation_id(doc *d, const model_view *v, const model_route *r,
                                const model_action *a, unsigned method, unsigned bit)
{
    static const char *const by_method[] = { "retrieve", "create", "update",
                                             "partialUpdate", "destroy" };
    bool list = is_list(r, a, method);
    const char *action = list ? "list" : a->extra ? camel(d, a->name) : by_method[bit];
    const model_serializer *s = a->config.serializer;
    const char *name = v->model ? v->model->name : s ? stripped(d, s->name) : v->name;
    size_t n = strlen(name);
    if (list && (n == 0 || name[n - 1] != 's'))
        name = rf_sprintf(d->a, "%ss", name);
    const char *id = rf_sprintf(d->a, "%s%s", action, name);
    if (operation_id_taken(d, id))
        id = rf_sprintf(d->a, "%s%s", action, without_spaces(d, v->display_name));
    const char *want = id;
    for (int k = 2; operation_id_taken(d, id); k++)
        id = rf_sprintf(d->a, "%s%d", want, k);
    strmap_put(d->a, &d->operation_ids, id, (void *)id);
    return id;
}

static jnode *parameter(doc *d, const char *name, const char *in, bool required,
                        const char *description, jnode *schema)
{
    jnode *p = jobj(d);
    jset_str(d, p, "name", name);
    jset_str(d, p, "in", in);
    jset(d, p, "required", jraw(d, required ? "true" : "false"));
    if (description)
        jset_str(d, p, "description", description);
    jset(d, p, "schema", schema);
    return p;
}

static jnode *capture_schema(doc *d, const model_view *v, const model_capture *c)
{
    if (strcmp(c->converter, "int") == 0)
        return jtype(d, "integer");
    if (strcmp(c->converter, "uuid") == 0)
        return type_schema(d, MODEL_T_UUID);
    if (strcmp(c->converter, "slug") == 0)
        return type_schema(d, MODEL_T_SLUG);
    bool lookup = v && v->lookup_field && v->lookup_url_kwarg &&
                  strcmp(c->name, v->lookup_url_kwarg) == 0;
    jnode *s = lookup && strcmp(c->converter, "lookup") == 0
             ? type_schema(d, key_type(v->lookup_field)) : jtype(d, "string");
    if (strcmp(c->converter, "re") == 0 && c->regex)
        jset_str(d, s, "pattern", rf_sprintf(d->a, "^%s$", c->regex));
    return s;
}

/* DRF's get_pk_description for the lookup, when it is the primary key. */
static const char *capture_description(doc *d, const model_view *v, const model_capture *c)
{
    if (!v || !v->model || !v->lookup_field || !v->lookup_url_kwarg ||
        strcmp(c->name, v->lookup_url_kwarg) != 0)
        return NULL;
    const model_field *f = v->lookup_field;
    if (f->help_text)
        return f->help_text;
    if (!f->primary_key)
        return NULL;
    bool integer = f->type == MODEL_T_AUTO || f->type == MODEL_T_BIGAUTO ||
                   f->type == MODEL_T_INTEGER || f->type == MODEL_T_BIGINTEGER;
    return rf_sprintf(d->a, "A unique %svalue identifying this %s.",
                      integer ? "integer " : "", v->model->verbose_name);
}

static void pagination_parameters(doc *d, jnode *params, const model_pagination *p)
{
    if (!p)
        return;
    static const char per_page[] = "Number of results to return per page.";
    switch (p->kind) {
    case MODEL_PAGE_NUMBER:
        jpush(d, params, parameter(d, p->page_query_param, "query", false,
                                   "A page number within the paginated result set.",
                                   jtype(d, "integer")));
        break;
    case MODEL_LIMIT_OFFSET:
        jpush(d, params, parameter(d, p->limit_query_param, "query", false, per_page,
                                   jtype(d, "integer")));
        jpush(d, params, parameter(d, p->offset_query_param, "query", false,
                                   "The initial index from which to return the results.",
                                   jtype(d, "integer")));
        return;
    case MODEL_CURSOR:
        jpush(d, params, parameter(d, p->cursor_query_param, "query", false,
                                   "The pagination cursor value.", jtype(d, "string")));
        break;
    }
    if (p->page_size_query_param)
        jpush(d, params, parameter(d, p->page_size_query_param, "query", false, per_page,
                                   jtype(d, "integer")));
}

static bool has_backend(const model_filters *f, model_filter_backend b)
{
    for (uint32_t i = 0; i < f->nbackends; i++)
        if (f->backends[i] == b)
            return true;
    return false;
}

static void filter_parameters(doc *d, jnode *params, const model_filters *f)
{
    if (has_backend(f, MODEL_FILTER_DJANGO))
        for (uint32_t i = 0; i < f->nfilterset_fields; i++) {
            const model_field *field = f->filterset_fields[i];
            jpush(d, params, parameter(d, field->name, "query", false, NULL,
                                       type_schema(d, key_type(field))));
        }
    if (has_backend(f, MODEL_FILTER_SEARCH) && f->nsearch_fields)
        jpush(d, params, parameter(d, f->search_param, "query", false, "A search term.",
                                   jtype(d, "string")));
    if (has_backend(f, MODEL_FILTER_ORDERING))
        jpush(d, params, parameter(d, f->ordering_param, "query", false,
                                   "Which field to use when ordering the results.",
                                   jtype(d, "string")));
}

static const char *parser_media_type(model_parser p)
{
    switch (p) {
    case MODEL_PARSER_FORM: return "application/x-www-form-urlencoded";
    case MODEL_PARSER_MULTIPART: return "multipart/form-data";
    default: return "application/json";
    }
}

static jnode *request_body(doc *d, const model_action_config *c, bool partial)
{
    const model_serializer *s = c->request_serializer;
    d->used[s->index] = true;
    if (partial)
        d->patched[s->index] = true;
    const char *name = partial ? rf_sprintf(d->a, "Patched%s", component_name(d, s))
                               : component_name(d, s);
    jnode *body = jobj(d), *content = jobj(d);
    for (uint32_t i = 0; i < c->nparsers; i++) {
        jnode *media = jobj(d);
        jset(d, media, "schema", jref(d, "schemas", name));
        jset(d, content, parser_media_type(c->parsers[i]), media);
    }
    jset(d, body, "content", content);
    jset(d, body, "required", jraw(d, partial ? "false" : "true"));
    return body;
}

/* The body of one object, or of a list (in the paginator's envelope when
 * the action has one). */
static jnode *body_schema(doc *d, const model_serializer *s, const model_pagination *p,
                          bool list)
{
    d->used[s->index] = true;
    if (list && p) {
        bool cursor = p->kind == MODEL_CURSOR;
        (cursor ? d->cursored : d->counted)[s->index] = true;
        return jref(d, "schemas", rf_sprintf(d->a, "Paginated%s%sList", component_name(d, s),
                                             cursor ? "Cursor" : ""));
    }
    if (!list)
        return jref(d, "schemas", component_name(d, s));
    jnode *schema = jtype(d, "array");
    jset(d, schema, "items", jref(d, "schemas", component_name(d, s)));
    return schema;
}

/* A hand-written handler (x-restflow-hook names its C function) writes
 * its own answer: the schema is the response serializer's, as DRF's
 * AutoSchema assumes, which the hook may not use.  On a collection, a GET
 * answers a list (the pagination helper) or one object
 * (rf_serialized_response): the document allows both where DRF would
 * guess a list. */
static jnode *success_response(doc *d, const model_action *a, bool list)
{
    const model_action_config *c = &a->config;
    const model_serializer *s = c->response_serializer;
    jnode *schema;
    if (!s) {
        schema = jobj(d);
    } else if (list && a->kind == MODEL_ACT_HANDLER) {
        jnode *either = jarr(d);
        jpush(d, either, body_schema(d, s, c->paginator, true));
        jpush(d, either, body_schema(d, s, c->paginator, false));
        schema = jobj(d);
        jset(d, schema, "anyOf", either);
    } else {
        schema = body_schema(d, s, c->paginator, list);
    }
    jnode *r = jobj(d), *content = jobj(d), *media = jobj(d);
    jset_str(d, r, "description", "");
    jset(d, media, "schema", schema);
    jset(d, content, "application/json", media);
    jset(d, r, "content", content);
    return r;
}

static bool throttled(const model_action_config *c)
{
    for (uint32_t i = 0; i < c->nthrottles; i++)
        if (c->throttles[i]->active)
            return true;
    return false;
}

static void error_responses(doc *d, jnode *responses, const model_view *v,
                            const model_route *r, const model_action *a, bool body, bool list)
{
    const model_action_config *c = &a->config;
    bool filters = list && has_backend(&v->filters, MODEL_FILTER_DJANGO) &&
                   v->filters.nfilterset_fields;
    bool authenticates = false, challenges = false;
    for (uint32_t i = 0; i < v->nauthentication_classes; i++) {
        authenticates = true;
        challenges = challenges || (i == 0 && v->authentication_classes[0]->www_authenticate);
    }
    bool pages = list && c->paginator && c->paginator->kind != MODEL_LIMIT_OFFSET;
    struct { bool when; const char *status, *name; } errors[] = {
        { body || filters || a->kind == MODEL_ACT_HANDLER, "400", "BadRequest" },
        { authenticates && challenges, "401", "Unauthorized" },
        { (authenticates && !challenges) || !always_allowed(c), "403", "Forbidden" },
        { r->detail || r->ncaptures > 0 || pages, "404", "NotFound" },
        { body, "415", "UnsupportedMediaType" },
        { throttled(c), "429", "Throttled" },
    };
    for (size_t i = 0; i < sizeof errors / sizeof *errors; i++)
        if (errors[i].when)
            jset(d, responses, errors[i].status, jref(d, "responses", errors[i].name));
}

static jnode *operation(doc *d, const model_route *r, unsigned bit)
{
    const model_view *v = r->view;
    const model_action *a = r->by_method[bit];
    unsigned method = 1u << bit;
    const model_action_config *c = &a->config;
    bool list = is_list(r, a, method);
    jnode *op = jobj(d);
    jset_str(d, op, "operationId", operation_id(d, v, r, a, method, bit));
    const char *description = a->description && *a->description ? a->description
                                                                 : v->description;
    if (description && *description)
        jset_str(d, op, "description", description);
    jnode *tags = jarr(d);
    jpush(d, tags, jstr(d, r->registration ? r->registration->prefix : v->display_name));
    jset(d, op, "tags", tags);
    if (a->kind == MODEL_ACT_HANDLER && a->handler)
        jset_str(d, op, "x-restflow-hook", a->handler->function);

    jnode *params = jarr(d);
    for (uint32_t i = 0; i < r->ncaptures; i++)
        jpush(d, params, parameter(d, r->captures[i]->name, "path", true,
                                   capture_description(d, v, r->captures[i]),
                                   capture_schema(d, v, r->captures[i])));
    if (list) {
        pagination_parameters(d, params, c->paginator);
        filter_parameters(d, params, &v->filters);
    }
    if (params->first)
        jset(d, op, "parameters", params);

    bool body = (method & (MODEL_POST | MODEL_PUT | MODEL_PATCH)) && c->request_serializer;
    if (body)
        jset(d, op, "requestBody", request_body(d, c, method == MODEL_PATCH));

    jnode *responses = jobj(d);
    if (method == MODEL_DELETE) {
        jnode *none = jobj(d);
        jset_str(d, none, "description", "No content.");
        jset(d, responses, "204", none);
    } else if (method == MODEL_POST && a->kind == MODEL_ACT_HANDLER) {
        /* A hook chooses its status; DRF's 201 alone would be a guess. */
        jset(d, responses, "200", success_response(d, a, list));
        jset(d, responses, "201", success_response(d, a, list));
    } else {
        jset(d, responses, method == MODEL_POST ? "201" : "200", success_response(d, a, list));
    }
    error_responses(d, responses, v, r, a, body, list);
    jset(d, op, "responses", responses);

    jnode *security = operation_security(d, v, c, method);
    if (security)
        jset(d, op, "security", security);
    return op;
}

/* "api/products/{id:lookup}/" -> "/api/products/{id}/" */
static const char *openapi_path(doc *d, const char *pattern)
{
    rf_buf b;
    rf_buf_init(&b, d->a, strlen(pattern) + 2);
    rf_buf_putc(&b, '/');
    for (const char *p = pattern; *p; p++) {
        if (*p == '{') {
            size_t n = strcspn(p + 1, ":}");
            rf_buf_putc(&b, '{');
            rf_buf_append(&b, p + 1, n);
            rf_buf_putc(&b, '}');
            p = strchr(p, '}');
            if (!p)
                break;
            continue;
        }
        rf_buf_putc(&b, *p);
    }
    return b.data;
}

static jnode *paths(doc *d)
{
    static const char *const methods[] = { "get", "post", "put", "patch", "delete" };
    jnode *out = jobj(d);
    for (uint32_t i = 0; i < d->m->nroutes; i++) {
        const model_route *r = d->m->routes[i];
        if (r->kind != MODEL_ROUTE_VIEW || !r->view)
            continue;
        jnode *item = jobj(d);
        for (unsigned bit = 0; bit < MODEL_NMETHODS; bit++)
            if (r->by_method[bit])
                jset(d, item, methods[bit], operation(d, r, bit));
        if (item->first)
            jset(d, out, openapi_path(d, r->pattern), item);
    }
    return out;
}

/* ---------------------------------------------------------------------
 * Components.
 */
static jnode *error_schema(doc *d)
{
    jnode *s = jtype(d, "object"), *props = jobj(d), *required = jarr(d);
    jset(d, props, "detail", jtype(d, "string"));
    jpush(d, required, jstr(d, "detail"));
    jset(d, s, "properties", props);
    jset(d, s, "required", required);
    return s;
}

static jnode *validation_error_schema(doc *d)
{
    jnode *s = jtype(d, "object"), *items = jtype(d, "array");
    jset(d, items, "items", jtype(d, "string"));
    jnode *alts = jarr(d);
    jpush(d, alts, items);
    jpush(d, alts, jtype(d, "string"));
    jnode *value = jobj(d);
    jset(d, value, "oneOf", alts);
    jset(d, s, "additionalProperties", value);
    jset_str(d, s, "description", "Field errors ({\"price\": [\"A valid number is required.\"]}, "
                                  "\"non_field_errors\") or {\"detail\": ...} for a malformed body.");
    return s;
}

static jnode *error_response(doc *d, const char *description, const char *schema,
                             const char *header, const char *header_description)
{
    jnode *r = jobj(d), *content = jobj(d), *media = jobj(d);
    jset_str(d, r, "description", description);
    if (header) {
        jnode *headers = jobj(d), *h = jobj(d);
        jset_str(d, h, "description", header_description);
        jset(d, h, "schema", jtype(d, strcmp(header, "Retry-After") == 0 ? "integer" : "string"));
        jset(d, headers, header, h);
        jset(d, r, "headers", headers);
    }
    jset(d, media, "schema", jref(d, "schemas", schema));
    jset(d, content, "application/json", media);
    jset(d, r, "content", content);
    return r;
}

static jnode *responses_component(doc *d)
{
    jnode *rs = jobj(d);
    jset(d, rs, "BadRequest", error_response(d, "Invalid input.", "ValidationError", NULL, NULL));
    jset(d, rs, "Unauthorized",
         error_response(d, "Authentication credentials were not provided, or are invalid.",
                        "Error", "WWW-Authenticate", "How to authenticate."));
    jset(d, rs, "Forbidden", error_response(d, "Permission denied.", "Error", NULL, NULL));
    jset(d, rs, "NotFound", error_response(d, "Not found, or an invalid page or cursor.",
                                           "Error", NULL, NULL));
    jset(d, rs, "UnsupportedMediaType",
         error_response(d, "The body's Content-Type is not accepted.", "Error", NULL, NULL));
    jset(d, rs, "Throttled", error_response(d, "Request was throttled.", "Error", "Retry-After",
                                            "Seconds until a request may pass."));
    return rs;
}

/* Nested serializers are marked while their parents are built, so the
 * loop runs until no new one appears; the output is in model order. */
static jnode *schemas_component(doc *d)
{
    const model *m = d->m;
    jnode **full = rf_calloc(d->a, (m->nserializers + 1) * sizeof *full);
    for (bool grew = true; grew;) {
        grew = false;
        for (uint32_t i = 0; i < m->nserializers; i++) {
            const model_serializer *s = m->serializers[i];
            if (d->used[s->index] && !full[i]) {
                full[i] = serializer_schema(d, s, false);
                grew = true;
            }
        }
    }
    jnode *out = jobj(d);
    for (uint32_t i = 0; i < m->nserializers; i++) {
        const model_serializer *s = m->serializers[i];
        const char *name = component_name(d, s);
        if (full[i])
            jset(d, out, name, full[i]);
        if (d->patched[s->index])
            jset(d, out, rf_sprintf(d->a, "Patched%s", name), serializer_schema(d, s, true));
        if (d->counted[s->index])
            jset(d, out, rf_sprintf(d->a, "Paginated%sList", name), envelope_schema(d, s, false));
        if (d->cursored[s->index])
            jset(d, out, rf_sprintf(d->a, "Paginated%sCursorList", name),
                 envelope_schema(d, s, true));
    }
    jset(d, out, "Error", error_schema(d));
    jset(d, out, "ValidationError", validation_error_schema(d));
    return out;
}

static jnode *security_schemes(doc *d)
{
    const model *m = d->m;
    jnode *out = jobj(d);
    for (uint32_t i = 0; i < m->nauthentications; i++) {
        const model_authentication *a = m->authentications[i];
        const char *name = scheme_name(a);
        if (name && !jget(out, name))
            jset(d, out, name, security_scheme(d, a));
    }
    return out;
}

static jnode *info(doc *d)
{
    const model *m = d->m;
    jnode *o = jobj(d);
    jset_str(d, o, "title", *m->title ? m->title : m->name);
    jset_str(d, o, "version", *m->version ? m->version : "");
    return o;
}

/* The document, printed by p. */
static void print_document(const model *m, const printer *p)
{
    doc d = { .a = rf_arena_new(0), .m = m };
    size_t n = m->nserializers + 1;
    d.used = rf_calloc(d.a, n);
    d.patched = rf_calloc(d.a, n);
    d.counted = rf_calloc(d.a, n);
    d.cursored = rf_calloc(d.a, n);
    name_components(&d);
    jnode *root = jobj(&d);
    jset_str(&d, root, "openapi", "3.1.0");
    jset(&d, root, "info", info(&d));
    jset(&d, root, "paths", paths(&d));       /* marks the serializers in use */
    jnode *components = jobj(&d);
    jset(&d, components, "schemas", schemas_component(&d));
    jset(&d, components, "responses", responses_component(&d));
    jnode *schemes = security_schemes(&d);
    if (schemes->first)
        jset(&d, components, "securitySchemes", schemes);
    jset(&d, root, "components", components);
    print_node(p, root, 0);
    rf_buf_putc(p->b, '\n');
    rf_arena_free(d.a);
}

void openapi_document(const model *m, rf_buf *out, int pretty_depth, bool postgres)
{
    print_document(m, &(printer){ out, pretty_depth, postgres, NULL });
}

static void openapi_document_inserts(const model *m, rf_buf *out, int pretty_depth,
                              openapi_inserts *inserts)
{
    print_document(m, &(printer){ out, pretty_depth, false, inserts });
}

bool emit_c_openapi(emitter *e, const model *m)
{
    rf_buf b;
    rf_buf_init(&b, NULL, 65536);
    openapi_inserts ins = { .arena = rf_arena_new(0) };
    /* Paths, operations and schemas one per line, each compact: the
     * server serves the document compact anyway, and the indentation of
     * the pretty form made most of a large spec's C source. */
    openapi_document_inserts(m, &b, 3, &ins);
    em_line(e, "/* The OpenAPI document (`rflowc openapi %s` prints it indented), served "
            "at the schema path. */", em_spec_file(m));
    em_line(e, "static const char %s_openapi[] =", m->name);
    em_indent(e);
    em_cstr_lines(e, b.data);
    em_dedent(e);
    em_line(e, ";");
    rf_buf_release(&b);
    if (ins.n) {
        em_line(e, "/* What the document served on PostgreSQL adds (`rflowc openapi "
                "--database postgresql %s`): the integer column ranges. */", em_spec_file(m));
        em_line(e, "static const rf_openapi_insert %s_openapi_postgres[] = {", m->name);
        em_indent(e);
        for (size_t i = 0; i < ins.n; i++) {
            em_printf(e, "{ %zu, ", ins.items[i].offset);
            em_cstr(e, ins.items[i].text);
            em_line(e, " },");
        }
        em_dedent(e);
        em_line(e, "};");
    }
    rf_arena_free(ins.arena);
    return ins.n > 0;
}
