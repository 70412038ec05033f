/*
 * emit_serializers.c: per serializer its field table (rf_sfield), a
 * validate function calling rf_validate_field for each writable field in
 * order, and a render function writing the JSON object straight into the
 * response buffer.
 *
 * Joins.  A serializer's join table is sema's joins followed, for each
 * field nested over a ForeignKey, by the nested serializer's own table
 * re-based after it (depth first), so one query loads everything a
 * response renders, however deep the nesting.  A render function takes
 * the base of its table in the row's `joined` array (`jb`); a nested
 * serializer's table sits at a fixed offset inside its parent's.
 */
#include <stdio.h>
#include <string.h>

#include "emit_internal.h"

const char *em_ftype_const(model_ftype t);
void em_field_ref(emitter *e, const model *m, const model_field *f);

static bool nested_over_fk(const model_sfield *f)
{
    return f->type == MODEL_T_NESTED && f->source_kind == MODEL_SRC_PATH;
}

int em_serializer_njoins(const model_serializer *s)
{
    int n = (int)s->njoins;
    for (uint32_t i = 0; i < s->nfields; i++)
        if (nested_over_fk(s->fields[i]))
            n += em_serializer_njoins(s->fields[i]->nested);
    return n;
}

/* Where the table of nested field `at` starts inside s's table. */
static int nested_base(const model_serializer *s, uint32_t at)
{
    int n = (int)s->njoins;
    for (uint32_t i = 0; i < at; i++)
        if (nested_over_fk(s->fields[i]))
            n += em_serializer_njoins(s->fields[i]->nested);
    return n;
}

/* Write s's flattened joins with its table at `base`; joins from s's own
 * base record start from `root`. */
static void join_entries(emitter *e, const model *m, const model_serializer *s, int base, int root)
{
    for (uint32_t i = 0; i < s->njoins; i++) {
        const model_join *j = s->joins[i];
        em_printf(e, "{ %d, ", j->from < 0 ? root : base + j->from);
        em_field_ref(e, m, j->fk);
        em_line(e, ", &%s_%s_resource },", m->name, j->target->name);
    }
    for (uint32_t i = 0; i < s->nfields; i++) {
        const model_sfield *f = s->fields[i];
        if (nested_over_fk(f))
            join_entries(e, m, f->nested, base + nested_base(s, i), base + f->join);
    }
}

static bool own_record(const model_serializer *s)
{
    return s->kind == MODEL_SERIALIZER && !s->instance;
}

/* The struct s validates into and renders from. */
static void record_type(emitter *e, const model *m, const model_serializer *s)
{
    if (own_record(s))
        em_printf(e, "%s_%s", m->name, s->name);
    else
        em_record_type(e, m, s->instance);
}

bool em_db_range_validators(const model_sfield *f)
{
    const model_field *mf = f->model_field;
    return !f->declared && !f->read_only && mf &&
           (mf->type == MODEL_T_INTEGER || mf->type == MODEL_T_BIGINTEGER);
}

/* RF_SF_DB_RANGE: the range becomes the field's min_value / max_value
 * (DRF's get_field_kwargs); a ChoiceField keeps it as validators only,
 * which its choices never reach. */
static bool takes_db_range(const model_sfield *f)
{
    return em_db_range_validators(f) && f->limits.nchoices == 0;
}

static void sfield_flags(emitter *e, const model_sfield *f)
{
    struct { bool on; const char *name; } flags[] = {
        { f->read_only, "RF_SF_READ_ONLY" }, { f->write_only, "RF_SF_WRITE_ONLY" },
        { f->required, "RF_SF_REQUIRED" }, { f->allow_null, "RF_SF_ALLOW_NULL" },
        { f->allow_blank, "RF_SF_ALLOW_BLANK" },
        { f->has_default && em_value_constant(&f->default_value), "RF_SF_HAS_DEFAULT" },
        { f->many, "RF_SF_MANY" }, { f->unique, "RF_SF_UNIQUE" },
        { f->has_default && f->default_value.kind == MODEL_V_NOW, "RF_SF_DEFAULT_NOW" },
        { f->has_default && f->default_value.kind == MODEL_V_UUID4, "RF_SF_DEFAULT_UUID4" },
        { takes_db_range(f), "RF_SF_DB_RANGE" },
        { f->sclass == MODEL_SC_READ_ONLY, "RF_SF_UNTYPED" },
    };
    bool any = false;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!flags[i].on)
            continue;
        em_printf(e, "%s%s", any ? " | " : "", flags[i].name);
        any = true;
    }
    if (!any)
        em_printf(e, "0");
}

/* The field whose value a field renders (FIELD, PATH), or NULL. */
static const model_field *source_field(const model_sfield *f)
{
    if (f->source_kind == MODEL_SRC_FIELD || f->source_kind == MODEL_SRC_PATH)
        return f->source.nhops ? f->source.hops[f->source.nhops - 1] : f->model_field;
    return NULL;
}

static void storage(emitter *e, const model *m, const model_serializer *s, const model_sfield *f)
{
    if (own_record(s)) {
        em_printf(e, ".index = %u, .offset = offsetof(%s_%s, %s)", f->index, m->name, s->name,
                  em_member(f->name));
    } else if (f->model_field && f->model_field->resource == s->instance) {
        em_printf(e, ".index = %u, .offset = offsetof(", f->model_field->index);
        em_record_type(e, m, s->instance);
        em_printf(e, ", %s), .model_field = ", em_member(f->model_field->name));
        em_field_ref(e, m, f->model_field);
    } else {
        em_printf(e, ".index = 0, .offset = 0");
    }
}

static void render_source(emitter *e, const model *m, const model_serializer *s,
                          const model_sfield *f)
{
    const model_field *src = source_field(f);
    switch (f->source_kind) {
    case MODEL_SRC_FIELD:
        if (src)
            em_printf(e, ".source = RF_SRC_RECORD, .src_offset = offsetof(%s_%s, %s), "
                      ".src_index = %u", m->name, src->resource->name, em_member(src->name),
                      src->index);
        break;
    case MODEL_SRC_PATH:
        if (f->type == MODEL_T_NESTED)
            em_printf(e, ".source = RF_SRC_JOIN_NESTED, .join = %d, .nested = &%s_%s_serializer",
                      (int)f->join, m->name, f->nested->name);
        else
            em_printf(e, ".source = RF_SRC_JOIN, .join = %d, .src_offset = offsetof(%s_%s, %s), "
                      ".src_index = %u", (int)f->join, m->name, src->resource->name,
                      em_member(src->name),
                      src->index);
        break;
    case MODEL_SRC_ATTACH:
        em_printf(e, ".source = RF_SRC_ATTACH, .slot = %d", em_slot(m, f->attach));
        if (f->nested)
            em_printf(e, ", .nested = &%s_%s_serializer", m->name, f->nested->name);
        break;
    case MODEL_SRC_NONE:
        if (own_record(s))
            em_printf(e, ".source = RF_SRC_RECORD, .src_offset = offsetof(%s_%s, %s), "
                      ".src_index = %u", m->name, s->name, em_member(f->name), f->index);
        break;
    }
    (void)s;
}

/* A PrimaryKeyRelatedField's queryset, where the runtime cannot take it from
 * the backing ForeignKey's target. */
static void related(emitter *e, const model *m, const model_sfield *f)
{
    const model_field *mf = f->model_field;
    if (f->type == MODEL_T_FOREIGNKEY && f->related && !(mf && mf->fk_target == f->related))
        em_printf(e, ",\n.related = &%s_%s_resource", m->name, f->related->name);
}

static void sfield_entry(emitter *e, const model *m, const model_serializer *s,
                         const model_sfield *f)
{
    em_printf(e, "{ .name = ");
    em_cstr(e, f->name);
    em_printf(e, ", .label = ");
    em_cstr(e, f->label);
    em_printf(e, ", .help_text = ");
    em_cstr(e, f->help_text);
    em_line(e, ",");
    em_indent(e);
    em_printf(e, ".type = %s, .flags = ", em_ftype_const(f->type));
    sfield_flags(e, f);
    em_line(e, ",");
    em_printf(e, ".limits = ");
    em_limits(e, m, s->name, f->name, &f->limits);
    em_line(e, ",");
    if (f->has_default && em_value_constant(&f->default_value)) {
        em_printf(e, ".default_value = ");
        em_value(e, &f->default_value, em_sfield_type(f));
        em_line(e, ",");
    }
    storage(e, m, s, f);
    em_line(e, ",");
    render_source(e, m, s, f);
    related(e, m, f);
    em_line(e, " },");
    em_dedent(e);
}

/* ---------------------------------------------------------------------
 * Rendering.
 */
static void render_scalar(emitter *e, const char *member, model_ftype t, int places)
{
    switch (t) {
    case MODEL_T_AUTO: case MODEL_T_BIGAUTO: case MODEL_T_INTEGER: case MODEL_T_BIGINTEGER:
        em_line(e, "rf_json_i64(b, %s);", member);
        break;
    case MODEL_T_FLOAT:    em_line(e, "rf_json_f64(b, %s);", member); break;
    case MODEL_T_DECIMAL:  em_line(e, "rf_json_decimal(b, %s, %d);", member, places); break;
    case MODEL_T_BOOLEAN:  em_line(e, "rf_json_bool(b, %s);", member); break;
    case MODEL_T_DATE:     em_line(e, "rf_json_date(b, %s);", member); break;
    case MODEL_T_DATETIME: em_line(e, "rf_json_datetime(b, %s);", member); break;
    case MODEL_T_JSON:     em_line(e, "rf_buf_puts(b, %s);", member); break;
    default:               em_line(e, "rf_json_str(b, %s);", member); break;
    }
}

static void emit_key(emitter *e, const char *name)
{
    char key[300];
    snprintf(key, sizeof key, "\"%s\":", name);
    em_printf(e, "key(b, &first, ");
    em_cstr(e, key);
    em_line(e, ", %zu);", strlen(key));
}

/* `null` when the record's field `index` is unset or NULL, else the
 * member rendered by type. */
static void render_nullable(emitter *e, const char *rec, uint32_t index, const char *member,
                            model_ftype t, int places)
{
    em_printf(e, "if (!RF_IS_SET(%s, %u) || RF_IS_NULL(%s, %u))\n", rec, index, rec, index);
    em_line(e, "    rf_json_null(b);");
    em_line(e, "else");
    em_indent(e);
    render_scalar(e, member, t, places);
    em_dedent(e);
}

/* A string field class over a number or a boolean renders DRF's str()
 * of it ("5", "0.5", "True"); true when it wrote the member so. */
static bool render_as_text(emitter *e, const char *rec, uint32_t index, const char *member,
                           const model_sfield *f, model_ftype t)
{
    bool text_class = f->sclass == MODEL_SC_CHAR || f->sclass == MODEL_SC_EMAIL ||
                      f->sclass == MODEL_SC_URL || f->sclass == MODEL_SC_SLUG;
    const char *how;
    switch (t) {
    case MODEL_T_AUTO: case MODEL_T_BIGAUTO: case MODEL_T_INTEGER: case MODEL_T_BIGINTEGER:
        how = "rf_buf_printf(b, \"\\\"%%lld\\\"\", (long long)%s);";
        break;
    case MODEL_T_FLOAT:
        how = "{ rf_buf_putc(b, '\"'); rf_json_f64(b, %s); rf_buf_putc(b, '\"'); }";
        break;
    case MODEL_T_BOOLEAN:
        how = "rf_json_str(b, %s ? \"True\" : \"False\");";
        break;
    default:
        return false;
    }
    if (!text_class)
        return false;
    em_printf(e, "if (!RF_IS_SET(%s, %u) || RF_IS_NULL(%s, %u))\n", rec, index, rec, index);
    em_line(e, "    rf_json_null(b);");
    em_line(e, "else");
    em_indent(e);
    em_printf(e, how, member);
    em_printf(e, "\n");
    em_dedent(e);
    return true;
}

/* Field `src` of a record of its resource's type, held in `rec`. */
static void render_member(emitter *e, const model *m, const char *rec, const model_field *src,
                          const model_sfield *f)
{
    char member[256];
    snprintf(member, sizeof member, "((const %s_%s *)%s)->%s", m->name, src->resource->name,
             rec, em_member(src->name));
    model_ftype t = model_key_type(src);   /* a ForeignKey renders its key as the target does */
    if (render_as_text(e, rec, src->index, member, f, t))
        return;
    int places = f->limits.decimal_places >= 0 ? f->limits.decimal_places
                                                : src->limits.decimal_places;
    render_nullable(e, rec, src->index, member, t, places);
}

static void render_field(emitter *e, const model *m, const model_serializer *s, uint32_t i)
{
    const model_sfield *f = s->fields[i];
    em_line(e, "/* %s */", f->name);
    switch (f->source_kind) {
    case MODEL_SRC_FIELD:
        emit_key(e, f->name);
        render_member(e, m, "rec", source_field(f), f);
        break;
    case MODEL_SRC_NONE:
        emit_key(e, f->name);
        if (!own_record(s)) {
            em_line(e, "rf_json_null(b);");
            break;
        }
        {
            char member[256];
            snprintf(member, sizeof member, "((const %s_%s *)rec)->%s", m->name, s->name,
                     em_member(f->name));
            render_nullable(e, "rec", i, member, em_sfield_type(f), f->limits.decimal_places);
        }
        break;
    case MODEL_SRC_PATH:
        em_line(e, "{");
        em_indent(e);
        em_line(e, "const void *j = joined ? joined[jb + %d] : NULL;", (int)f->join);
        if (f->type == MODEL_T_NESTED) {
            emit_key(e, f->name);
            em_line(e, "if (!j)");
            em_line(e, "    rf_json_null(b);");
            em_line(e, "else");
            em_line(e, "    %s_%s_render_in(b, j, joined, jb + %d, NULL);", m->name,
                    f->nested->name, nested_base(s, i));
        } else {
            /* A source that crosses a null relation: get_attribute's
             * AttributeError is None with allow_null, else SkipField (the
             * key is left out). */
            em_line(e, "if (j) {");
            em_indent(e);
            emit_key(e, f->name);
            render_member(e, m, "j", source_field(f), f);
            em_dedent(e);
            if (f->allow_null) {
                em_line(e, "} else {");
                em_indent(e);
                emit_key(e, f->name);
                em_line(e, "rf_json_null(b);");
                em_dedent(e);
            }
            em_line(e, "}");
        }
        em_dedent(e);
        em_line(e, "}");
        break;
    case MODEL_SRC_ATTACH: {
        int slot = em_slot(m, f->attach);
        emit_key(e, f->name);
        em_line(e, "{");
        em_indent(e);
        em_line(e, "const rf_attach *at = attach ? &attach[%d] : NULL;", slot);
        if (f->many) {
            em_line(e, "rf_buf_putc(b, '[');");
            em_line(e, "for (int k = 0; at && k < at->n; k++) {");
            em_line(e, "    if (k)");
            em_line(e, "        rf_buf_putc(b, ',');");
            em_line(e, "    %s_%s_render_in(b, at->recs[k], NULL, 0, NULL);", m->name,
                    f->nested->name);
            em_line(e, "}");
            em_line(e, "rf_buf_putc(b, ']');");
        } else {
            em_line(e, "if (at && at->n > 0)");
            em_line(e, "    %s_%s_render_in(b, at->recs[0], NULL, 0, NULL);", m->name,
                    f->nested->name);
            em_line(e, "else");
            em_line(e, "    rf_json_null(b);");
        }
        em_dedent(e);
        em_line(e, "}");
        break;
    }
    }
}

static void render_function(emitter *e, const model *m, const model_serializer *s)
{
    em_line(e, "static void %s_%s_render_in(rf_buf *b, const void *rec, void *const *joined, "
            "int jb, const rf_attach *attach)", m->name, s->name);
    em_line(e, "{");
    em_indent(e);
    em_line(e, "bool first = true;");
    bool uses_joins = false, uses_attach = false;
    for (uint32_t i = 0; i < s->nfields; i++) {
        uses_joins |= s->fields[i]->source_kind == MODEL_SRC_PATH;
        uses_attach |= s->fields[i]->source_kind == MODEL_SRC_ATTACH;
    }
    if (!uses_joins)
        em_line(e, "(void)joined;\n(void)jb;");
    if (!uses_attach)
        em_line(e, "(void)attach;");
    bool reads_rec = false;
    for (uint32_t i = 0; i < s->nfields; i++) {
        if (s->fields[i]->write_only)
            continue;
        reads_rec |= s->fields[i]->source_kind == MODEL_SRC_FIELD ||
                     (s->fields[i]->source_kind == MODEL_SRC_NONE && own_record(s));
        render_field(e, m, s, i);
    }
    if (!reads_rec)
        em_line(e, "(void)rec;");
    em_line(e, "if (first)");
    em_line(e, "    rf_buf_putc(b, '{');");
    em_line(e, "rf_buf_putc(b, '}');");
    em_dedent(e);
    em_line(e, "}");
    em_blank(e);
    em_line(e, "static void %s_%s_render(rf_buf *b, const rf_row *row)", m->name, s->name);
    em_line(e, "{");
    em_line(e, "    %s_%s_render_in(b, row->rec, row->joined, 0, row->attach);", m->name, s->name);
    em_line(e, "}");
    em_blank(e);
}

static void validate_function(emitter *e, const model *m, const model_serializer *s)
{
    em_line(e, "static void %s_%s_validate(rf_vstate *vs, void *rec)", m->name, s->name);
    em_line(e, "{");
    em_indent(e);
    bool any = false;
    for (uint32_t i = 0; i < s->nfields; i++) {
        if (s->fields[i]->read_only)
            continue;
        em_line(e, "rf_validate_field(vs, &%s_%s_fields[%u], rec);", m->name, s->name, i);
        any = true;
    }
    if (!any)
        em_line(e, "(void)vs;\n(void)rec;");
    em_dedent(e);
    em_line(e, "}");
    em_blank(e);
}

static void hooks_tables(emitter *e, const model *m, const model_serializer *s)
{
    bool any = false;
    for (uint32_t i = 0; i < s->nfields; i++) {
        const model_sfield *f = s->fields[i];
        if (!f->validate_hook)
            continue;
        em_printf(e, "static const rf_hook %s_%s_validate_%s = ", m->name, s->name, f->name);
        em_hook(e, f->validate_hook);
        em_line(e, ";");
        any = true;
    }
    if (any) {
        em_line(e, "static const rf_hook *const %s_%s_field_hooks[] = {", m->name, s->name);
        em_indent(e);
        for (uint32_t i = 0; i < s->nfields; i++) {
            const model_sfield *f = s->fields[i];
            if (f->validate_hook)
                em_line(e, "&%s_%s_validate_%s,", m->name, s->name, f->name);
            else
                em_line(e, "NULL,");
        }
        em_dedent(e);
        em_line(e, "};");
    }
    for (uint32_t i = 0; i < s->nvalidators; i++) {
        em_printf(e, "static const rf_hook %s_%s_validator%u = ", m->name, s->name, i);
        em_hook(e, s->validators[i]);
        em_line(e, ";");
    }
    if (s->nvalidators) {
        em_line(e, "static const rf_hook *const %s_%s_validators[] = {", m->name, s->name);
        for (uint32_t i = 0; i < s->nvalidators; i++)
            em_line(e, "    &%s_%s_validator%u,", m->name, s->name, i);
        em_line(e, "};");
    }
}

static void serializer(emitter *e, const model *m, const model_serializer *s)
{
    em_loc(e, m, s->loc);
    for (uint32_t i = 0; i < s->nfields; i++)
        em_choices(e, m, s->name, s->fields[i]->name, &s->fields[i]->limits);
    em_line(e, "static const rf_sfield %s_%s_fields[] = {", m->name, s->name);
    em_indent(e);
    for (uint32_t i = 0; i < s->nfields; i++)
        sfield_entry(e, m, s, s->fields[i]);
    em_dedent(e);
    em_line(e, "};");
    int njoins = em_serializer_njoins(s);
    if (njoins) {
        em_line(e, "static const rf_join %s_%s_joins[] = {", m->name, s->name);
        em_indent(e);
        join_entries(e, m, s, 0, -1);
        em_dedent(e);
        em_line(e, "};");
    }
    hooks_tables(e, m, s);
    em_blank(e);
    validate_function(e, m, s);
    render_function(e, m, s);
    em_line(e, "const rf_serializer %s_%s_serializer = {", m->name, s->name);
    em_indent(e);
    em_printf(e, ".name = ");
    em_cstr(e, s->name);
    if (s->kind == MODEL_MODEL_SERIALIZER)
        em_printf(e, ", .model = &%s_%s_resource", m->name, s->model->name);
    em_line(e, ",");
    em_line(e, ".fields = %s_%s_fields, .nfields = %u,", m->name, s->name, s->nfields);
    em_printf(e, ".rec_size = sizeof(");
    record_type(e, m, s);
    em_line(e, "),");
    if (njoins)
        em_line(e, ".joins = %s_%s_joins, .njoins = %d,", m->name, s->name, njoins);
    em_line(e, ".validate = %s_%s_validate, .render = %s_%s_render,", m->name, s->name, m->name,
            s->name);
    bool field_hooks = false;
    for (uint32_t i = 0; i < s->nfields; i++)
        field_hooks |= s->fields[i]->validate_hook != NULL;
    if (field_hooks)
        em_line(e, ".field_hooks = %s_%s_field_hooks,", m->name, s->name);
    if (s->nvalidators)
        em_line(e, ".validators = %s_%s_validators, .nvalidators = %u,", m->name, s->name,
                s->nvalidators);
    em_dedent(e);
    em_line(e, "};");
    em_blank(e);
}

void emit_c_serializers(emitter *e, const model *m)
{
    if (!m->nserializers)
        return;
    bool renders_a_key = false;
    for (uint32_t i = 0; i < m->nserializers; i++)
        for (uint32_t k = 0; k < m->serializers[i]->nfields; k++)
            renders_a_key |= !m->serializers[i]->fields[k]->write_only;
    em_line(e, "/* ---------------------------------------------------------------------");
    em_line(e, " * Serializers: fields, validate (JSON -> record), render (row -> JSON).");
    em_line(e, " */");
    if (renders_a_key) {
        em_line(e, "static void key(rf_buf *b, bool *first, const char *k, size_t n)");
        em_line(e, "{");
        em_line(e, "    rf_buf_putc(b, *first ? '{' : ',');");
        em_line(e, "    *first = false;");
        em_line(e, "    rf_buf_append(b, k, n);");
        em_line(e, "}");
        em_blank(e);
    }
    for (uint32_t i = 0; i < m->nserializers; i++)
        em_line(e, "static void %s_%s_render_in(rf_buf *b, const void *rec, void *const *joined, "
                "int jb, const rf_attach *attach);", m->name, m->serializers[i]->name);
    em_blank(e);
    for (uint32_t i = 0; i < m->nserializers; i++)
        serializer(e, m, m->serializers[i]);
}
