/*
 * emit_c.c: <spec>.h (records, field indexes, extern descriptors),
 * <spec>.c (assembled from the section emitters, emit_internal.h) and
 * <spec>_main.c, plus what the sections share: C types, literal values,
 * limits.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_internal.h"

/* ---------------------------------------------------------------------
 * Names.
 */
void em_record_type(emitter *e, const model *m, const model_resource *r)
{
    em_printf(e, "%s_%s", m->name, r->name);
}

void em_field_const(emitter *e, const model *m, const model_resource *r, const model_field *f)
{
    em_printf(e, "%s_", em_upper(m->name));
    em_printf(e, "%s_", em_upper(r->name));
    em_printf(e, "%s", em_upper(f->name));
}

/* ---------------------------------------------------------------------
 * Types and values.
 */
const char *em_ctype(model_ftype t)
{
    switch (t) {
    case MODEL_T_AUTO: case MODEL_T_BIGAUTO: case MODEL_T_INTEGER: case MODEL_T_BIGINTEGER:
    case MODEL_T_DATETIME:
        return "int64_t";
    case MODEL_T_FLOAT:   return "double";
    case MODEL_T_BOOLEAN: return "bool";
    case MODEL_T_DATE:    return "int32_t";
    default:              return "const char *";
    }
}

const char *em_vtype(model_ftype t)
{
    switch (t) {
    case MODEL_T_FLOAT:    return "RF_V_FLOAT";
    case MODEL_T_DECIMAL:  return "RF_V_DECIMAL";
    case MODEL_T_BOOLEAN:  return "RF_V_BOOL";
    case MODEL_T_DATE:     return "RF_V_DATE";
    case MODEL_T_DATETIME: return "RF_V_DATETIME";
    case MODEL_T_JSON:     return "RF_V_JSON";
    case MODEL_T_AUTO: case MODEL_T_BIGAUTO: case MODEL_T_INTEGER: case MODEL_T_BIGINTEGER:
        return "RF_V_INT";
    default:               return "RF_V_TEXT";
    }
}

model_ftype em_sfield_type(const model_sfield *f)
{
    if (f->type != MODEL_T_FOREIGNKEY)
        return f->type;
    if (f->related)
        return model_key_type(f->related->pk);
    return f->model_field ? model_key_type(f->model_field) : MODEL_T_INTEGER;
}

bool em_value_constant(const model_value *v)
{
    return v->kind != MODEL_V_NOW && v->kind != MODEL_V_UUID4 &&
           v->kind != MODEL_V_URL_KWARG && v->kind != MODEL_V_REQUEST_USER;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t mo, int64_t d)
{
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char **s, int n, int64_t *out)
{
    *out = 0;
    for (int i = 0; i < n; i++, (*s)++) {
        if (!isdigit((unsigned char)**s))
            return false;
        *out = *out * 10 + (**s - '0');
    }
    return true;
}

bool em_parse_date(const char *s, int32_t *days)
{
    int64_t y, mo, d;
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
        !digits(&s, 2, &d))
        return false;
    *days = (int32_t)days_from_civil(y, mo, d);
    return *s == '\0' || *s == 'T' || *s == ' ';
}

/* The ISO 8601 forms a spec literal takes: date, time to the minute,
 * optional seconds and fraction, optional Z or +HH:MM (naive is UTC). */
bool em_parse_datetime(const char *s, int64_t *usec)
{
    int32_t days;
    if (!em_parse_date(s, &days))
        return false;
    s += 10;
    int64_t h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (*s) {
        s++;
        if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
            return false;
        if (*s == ':') {
            s++;
            if (!digits(&s, 2, &sec))
                return false;
        }
        if (*s == '.') {
            s++;
            int n = 0;
            for (; isdigit((unsigned char)*s); s++, n++)
                if (n < 6)
                    frac = frac * 10 + (*s - '0');
            for (; n < 6; n++)
                frac *= 10;
        }
        if (*s == 'Z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1;
            int64_t oh, om = 0;
            if (!digits(&s, 2, &oh))
                return false;
            if (*s == ':')
                s++;
            if (*s && !digits(&s, 2, &om))
                return false;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (*s)
        return false;
    *usec = ((int64_t)days * 86400 + h * 3600 + mi * 60 + sec - off) * 1000000 + frac;
    return true;
}

void em_value(emitter *e, const model_value *v, model_ftype t)
{
    if (v->kind == MODEL_V_NULL || !em_value_constant(v)) {
        em_printf(e, "RF_VNULL");
        return;
    }
    int64_t usec;
    int32_t days;
    switch (t) {
    case MODEL_T_BOOLEAN:
        em_printf(e, "RF_VBOOL(%d)", v->b);
        return;
    case MODEL_T_FLOAT:
        em_printf(e, "{ .type = RF_V_FLOAT, .u.f = %s }", v->text);
        return;
    case MODEL_T_DECIMAL:
        em_printf(e, "{ .type = RF_V_DECIMAL, .u.s = ");
        em_cstr(e, v->text);
        em_printf(e, " }");
        return;
    case MODEL_T_DATETIME:
        if (!em_parse_datetime(v->text, &usec))
            usec = 0;
        em_printf(e, "{ .type = RF_V_DATETIME, .u.i = INT64_C(%" PRId64 ") }", usec);
        return;
    case MODEL_T_DATE:
        if (!em_parse_date(v->text, &days))
            days = 0;
        em_printf(e, "{ .type = RF_V_DATE, .u.i = %" PRId32 " }", days);
        return;
    case MODEL_T_JSON:
        em_printf(e, "{ .type = RF_V_JSON, .u.s = ");
        em_cstr(e, v->text);
        em_printf(e, " }");
        return;
    case MODEL_T_AUTO: case MODEL_T_BIGAUTO: case MODEL_T_INTEGER: case MODEL_T_BIGINTEGER:
        if (v->kind == MODEL_V_BOOL)
            em_printf(e, "RF_VINT(%d)", v->b);
        else
            em_printf(e, "RF_VINT(INT64_C(%" PRId64 "))", v->i);
        return;
    default:
        em_printf(e, "RF_VTEXT(");
        em_cstr(e, v->text);
        em_printf(e, ")");
    }
}

void em_limits(emitter *e, const model *m, const char *owner, const char *field,
               const model_limits *l)
{
    em_printf(e, "{ .max_length = %d, .min_length = %d, .min_value = ", (int)l->max_length,
              (int)l->min_length);
    em_cstr(e, l->min_value);
    em_printf(e, ", .max_value = ");
    em_cstr(e, l->max_value);
    em_printf(e, ", .max_digits = %d, .decimal_places = %d", (int)l->max_digits,
              (int)l->decimal_places);
    if (l->nchoices)
        em_printf(e, ", .choices = %s_%s_%s_choices, .nchoices = %u", m->name, owner, field,
                  l->nchoices);
    em_printf(e, " }");
}

void em_choices(emitter *e, const model *m, const char *owner, const char *field,
                const model_limits *l)
{
    if (!l->nchoices)
        return;
    em_line(e, "static const rf_choice %s_%s_%s_choices[] = {", m->name, owner, field);
    em_indent(e);
    for (uint32_t i = 0; i < l->nchoices; i++) {
        const model_choice *c = l->choices[i];
        const char *value = c->value.kind == MODEL_V_BOOL ? (c->value.b ? "True" : "False")
                                                          : c->value.text;
        em_printf(e, "{ ");
        em_cstr(e, value);
        em_printf(e, ", ");
        em_cstr(e, c->label);   /* NULL: the value is its own display name */
        em_line(e, " },");
    }
    em_dedent(e);
    em_line(e, "};");
}

static const char *hook_form_name(model_hook_form f)
{
    return f == MODEL_HOOK_ASYNC ? "RF_ASYNC" : f == MODEL_HOOK_BLOCKING ? "RF_BLOCKING" : "RF_SYNC";
}

void em_hook(emitter *e, const model_hook *h)
{
    static const char *const member[] = { "ctx", "obj", "query" };
    em_printf(e, "{ \"%s\", %s, { .%s = %s } }", h->function, hook_form_name(h->form),
              member[h->sig], h->function);
}

/* ---------------------------------------------------------------------
 * <spec>.h
 */
static void header_record(emitter *e, const model *m, const model_resource *r)
{
    em_loc(e, m, r->loc);
    em_printf(e, "typedef struct ");
    em_record_type(e, m, r);
    em_line(e, " {");
    em_indent(e);
    em_line(e, "uint8_t rf_state[%u];", r->nfields);
    for (uint32_t i = 0; i < r->nfields; i++) {
        const model_field *f = r->fields[i];
        const char *ct = em_ctype(model_key_type(f));
        em_line(e, "%s%s%s; /* %s */", ct, ct[strlen(ct) - 1] == '*' ? "" : " ",
                em_member(f->name), model_ftype_name(f->type));
    }
    em_dedent(e);
    em_printf(e, "} ");
    em_record_type(e, m, r);
    em_line(e, ";");
    em_line(e, "enum {");
    em_indent(e);
    for (uint32_t i = 0; i < r->nfields; i++) {
        em_field_const(e, m, r, r->fields[i]);
        em_line(e, " = %u,", i);
    }
    em_dedent(e);
    em_line(e, "};");
    em_line(e, "extern const rf_resource %s_%s_resource;", m->name, r->name);
    em_blank(e);
}

/* A plain Serializer that renders and validates no resource's rows gets a
 * record of its own, laid out as a resource's. */
static bool has_own_record(const model_serializer *s)
{
    return s->kind == MODEL_SERIALIZER && !s->instance;
}

static void header_plain_record(emitter *e, const model *m, const model_serializer *s)
{
    em_loc(e, m, s->loc);
    em_line(e, "typedef struct %s_%s {", m->name, s->name);
    em_indent(e);
    /* at least one byte: a serializer without fields is still a record */
    em_line(e, "uint8_t rf_state[%u];", s->nfields ? s->nfields : 1);
    for (uint32_t i = 0; i < s->nfields; i++) {
        const model_sfield *f = s->fields[i];
        const char *ct = em_ctype(em_sfield_type(f));
        em_line(e, "%s%s%s; /* %s */", ct, ct[strlen(ct) - 1] == '*' ? "" : " ",
                em_member(f->name), model_sclass_name(f->sclass));
    }
    em_dedent(e);
    em_line(e, "} %s_%s;", m->name, s->name);
    if (!s->nfields) {
        em_blank(e);
        return;
    }
    em_line(e, "enum {");
    em_indent(e);
    for (uint32_t i = 0; i < s->nfields; i++) {
        em_printf(e, "%s_", em_upper(m->name));
        em_printf(e, "%s_", em_upper(s->name));
        em_line(e, "%s = %u,", em_upper(s->fields[i]->name), i);
    }
    em_dedent(e);
    em_line(e, "};");
    em_blank(e);
}

bool emit_header(const model *m, const char *dir)
{
    emitter e;
    em_begin(&e, m, "", "%s.h: records, field indexes and descriptors of the %s API.", m->name,
             m->name);
    const char *guard = em_upper(m->name);
    em_line(&e, "#ifndef %s_GENERATED_H", guard);
    em_line(&e, "#define %s_GENERATED_H", guard);
    em_blank(&e);
    em_line(&e, "#include <stdbool.h>");
    em_line(&e, "#include <stdint.h>");
    em_blank(&e);
    em_line(&e, "#include \"restflow.h\"");
    em_blank(&e);
    em_line(&e, "#if RF_ABI_VERSION != %d", RF_ABI_VERSION);
    em_line(&e, "#error \"%s.h was generated for restflow ABI %d: run rflowc build again\"",
            m->name, RF_ABI_VERSION);
    em_line(&e, "#endif");
    em_blank(&e);
    em_line(&e, "/* Records: one state byte per field (RF_SET, RF_NULL), then the fields. */");
    em_blank(&e);
    for (uint32_t i = 0; i < m->nresources; i++)
        header_record(&e, m, m->resources[i]);
    for (uint32_t i = 0; i < m->nserializers; i++)
        if (has_own_record(m->serializers[i]))
            header_plain_record(&e, m, m->serializers[i]);
    em_line(&e, "/* Serializers. */");
    for (uint32_t i = 0; i < m->nserializers; i++)
        em_line(&e, "extern const rf_serializer %s_%s_serializer;", m->name,
                m->serializers[i]->name);
    if (m->npostfetches) {
        em_blank(&e);
        em_line(&e, "/* PostFetches, for rf_apaginated_response in hand-written views. */");
    }
    for (uint32_t i = 0; i < m->npostfetches; i++)
        em_line(&e, "extern const rf_postfetch %s_%s_postfetch;", m->name,
                m->postfetches[i]->name);
    em_blank(&e);
    em_line(&e, "extern const rf_app %s_app;", m->name);
    em_blank(&e);
    em_line(&e, "#endif");
    return em_finish(&e, dir, em_file(m, ".h"));
}

/* ---------------------------------------------------------------------
 * <spec>.c and <spec>_main.c
 */
bool emit_source(const model *m, const char *dir)
{
    emitter e;
    em_begin(&e, m, "", "%s.c: descriptors, serializers, views and routes of the %s API.",
             m->name, m->name);
    em_line(&e, "#include <stddef.h>");
    em_line(&e, "#include <stdint.h>");
    em_blank(&e);
    em_line(&e, "#include \"%s.h\"", m->name);
    em_line(&e, "#include \"%s_hooks.h\"", m->name);
    em_blank(&e);
    emit_c_resources(&e, m);
    emit_c_querysets(&e, m);
    emit_c_postfetches(&e, m);
    emit_c_serializers(&e, m);
    emit_c_policies(&e, m);
    emit_c_views(&e, m);
    emit_c_routes(&e, m);
    return em_finish(&e, dir, em_file(m, ".c"));
}

bool emit_main(const model *m, const char *dir)
{
    emitter e;
    em_begin(&e, m, "", "%s_main.c: the %s-server program (serve, migrate, createuser, "
             "createtoken).", m->name, m->name);
    em_line(&e, "#include \"%s.h\"", m->name);
    em_blank(&e);
    em_line(&e, "int main(int argc, char **argv)");
    em_line(&e, "{");
    em_line(&e, "    return rf_main(&%s_app, argc, argv);", m->name);
    em_line(&e, "}");
    return em_finish(&e, dir, em_file(m, "_main.c"));
}

bool emit_schema(const model *m, const char *dir)
{
    static const char *const files[] = { "schema.sqlite.sql", "schema.postgres.sql" };
    static const char *const names[] = { "SQLite", "PostgreSQL" };
    bool ok = true;
    for (int d = RF_SQLITE; d <= RF_POSTGRES && ok; d++) {
        emitter e;
        em_begin(&e, m, "--", "%s: the tables of the %s API on %s (`%s-server migrate` runs "
                 "the same statements).", files[d], m->name, names[d], m->name);
        sql_schema(&e.out, m, (rf_dialect)d);
        ok = em_finish(&e, dir, files[d]);
    }
    return ok;
}

int emit_build(const model *m, const build_options *o)
{
    bool ok = emit_header(m, o->dir) && emit_source(m, o->dir) && emit_hooks_header(m, o->dir) &&
              emit_schema(m, o->dir) && emit_makefile(m, o->dir, !o->no_main);
    if (ok && !o->no_main)
        ok = emit_main(m, o->dir);
    if (ok && o->stubs)
        ok = emit_hooks_stubs(m, o->dir);
    return ok ? 0 : 2;
}
