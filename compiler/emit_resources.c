/*
 * emit_resources.c: per resource its field table and rf_resource with the
 * fixed SQL of both dialects; the querysets (conditions as SQL fragments
 * over alias t with `?` placeholders); the PostFetches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_internal.h"

const char *em_ftype_const(model_ftype t)
{
    static const char *const names[] = {
        [MODEL_T_AUTO] = "RF_F_AUTO", [MODEL_T_BIGAUTO] = "RF_F_BIGAUTO",
        [MODEL_T_INTEGER] = "RF_F_INTEGER", [MODEL_T_BIGINTEGER] = "RF_F_BIGINTEGER",
        [MODEL_T_FLOAT] = "RF_F_FLOAT", [MODEL_T_DECIMAL] = "RF_F_DECIMAL",
        [MODEL_T_BOOLEAN] = "RF_F_BOOLEAN", [MODEL_T_CHAR] = "RF_F_CHAR",
        [MODEL_T_TEXT] = "RF_F_TEXT", [MODEL_T_EMAIL] = "RF_F_EMAIL", [MODEL_T_URL] = "RF_F_URL",
        [MODEL_T_SLUG] = "RF_F_SLUG", [MODEL_T_UUID] = "RF_F_UUID", [MODEL_T_DATE] = "RF_F_DATE",
        [MODEL_T_DATETIME] = "RF_F_DATETIME", [MODEL_T_JSON] = "RF_F_JSON",
        [MODEL_T_FOREIGNKEY] = "RF_F_FOREIGNKEY", [MODEL_T_NESTED] = "RF_F_NESTED",
    };
    return names[t];
}

void em_field_ref(emitter *e, const model *m, const model_field *f)
{
    em_printf(e, "&%s_%s_fields[%u]", m->name, f->resource->name, f->index);
}

static void field_flags(emitter *e, const model_field *f)
{
    struct { bool on; const char *name; } flags[] = {
        { f->primary_key, "RF_FF_PK" }, { f->null, "RF_FF_NULL" }, { f->blank, "RF_FF_BLANK" },
        { f->unique, "RF_FF_UNIQUE" }, { f->db_index, "RF_FF_DB_INDEX" },
        { f->has_default && em_value_constant(&f->default_value), "RF_FF_HAS_DEFAULT" },
        { f->has_default && f->default_value.kind == MODEL_V_NOW, "RF_FF_DEFAULT_NOW" },
        { f->has_default && f->default_value.kind == MODEL_V_UUID4, "RF_FF_DEFAULT_UUID4" },
        { f->auto_now, "RF_FF_AUTO_NOW" }, { f->auto_now_add, "RF_FF_AUTO_NOW_ADD" },
        { f->editable, "RF_FF_EDITABLE" },
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

static const char *on_delete_const(model_on_delete d)
{
    return d == MODEL_CASCADE ? "RF_CASCADE" : d == MODEL_PROTECT ? "RF_PROTECT"
         : d == MODEL_SET_NULL ? "RF_SET_NULL" : "0";
}

static void field_entry(emitter *e, const model *m, const model_resource *r, const model_field *f)
{
    em_printf(e, "{ .name = ");
    em_cstr(e, f->name);
    em_printf(e, ", .column = ");
    em_cstr(e, f->column);
    em_printf(e, ", .verbose_name = ");
    em_cstr(e, f->verbose_name);
    em_line(e, ",");
    em_indent(e);
    em_printf(e, ".type = %s, .flags = ", em_ftype_const(f->type));
    field_flags(e, f);
    em_printf(e, ", .index = ");
    em_field_const(e, m, r, f);
    em_printf(e, ", .offset = offsetof(");
    em_record_type(e, m, r);
    em_line(e, ", %s),", em_member(f->name));
    em_printf(e, ".limits = ");
    em_limits(e, m, r->name, f->name, &f->limits);
    em_line(e, ",");
    if (f->has_default && em_value_constant(&f->default_value)) {
        em_printf(e, ".default_value = ");
        em_value(e, &f->default_value, model_key_type(f));
        em_line(e, ",");
    }
    if (f->type == MODEL_T_FOREIGNKEY) {
        em_printf(e, ".fk_target = &%s_%s_resource, .on_delete = %s, .related_name = ",
                  m->name, f->fk_target->name, on_delete_const(f->on_delete));
        em_cstr(e, f->related_name);
        em_line(e, ",");
    }
    em_dedent(e);
    em_line(e, "},");
}

static void sql_pair(emitter *e, const char *member, const model_resource *r,
                     void (*build)(rf_buf *, const model_resource *, rf_dialect))
{
    em_line(e, ".%s = {", member);
    em_indent(e);
    for (int d = RF_SQLITE; d <= RF_POSTGRES; d++) {
        rf_buf b;
        rf_buf_init(&b, NULL, 256);
        build(&b, r, (rf_dialect)d);
        em_cstr(e, b.data);
        em_line(e, ",");
        rf_buf_release(&b);
    }
    em_dedent(e);
    em_line(e, "},");
}

static void resource(emitter *e, const model *m, const model_resource *r)
{
    em_loc(e, m, r->loc);
    for (uint32_t i = 0; i < r->nfields; i++)
        em_choices(e, m, r->name, r->fields[i]->name, &r->fields[i]->limits);
    em_line(e, "static const rf_field %s_%s_fields[] = {", m->name, r->name);
    em_indent(e);
    for (uint32_t i = 0; i < r->nfields; i++)
        field_entry(e, m, r, r->fields[i]);
    em_dedent(e);
    em_line(e, "};");
    em_blank(e);
    em_line(e, "const rf_resource %s_%s_resource = {", m->name, r->name);
    em_indent(e);
    em_printf(e, ".name = ");
    em_cstr(e, r->name);
    em_printf(e, ", .verbose_name = ");
    em_cstr(e, r->verbose_name);
    em_printf(e, ", .table = ");
    em_cstr(e, r->table);
    em_line(e, ",");
    em_line(e, ".fields = %s_%s_fields, .nfields = %u, .pk = %u,", m->name, r->name, r->nfields,
            r->pk->index);
    em_printf(e, ".rec_size = sizeof(");
    em_record_type(e, m, r);
    em_line(e, "), .db = %u,", r->database->index);
    sql_pair(e, "insert_sql", r, sql_insert);
    sql_pair(e, "update_sql", r, sql_update);
    sql_pair(e, "delete_sql", r, sql_delete);
    rf_buf cols;
    rf_buf_init(&cols, NULL, 256);
    sql_select_columns(&cols, r);
    em_printf(e, ".select_columns = ");
    em_cstr(e, cols.data);
    em_line(e, ",");
    rf_buf_release(&cols);
    em_dedent(e);
    em_line(e, "};");
    em_blank(e);
}

void emit_c_resources(emitter *e, const model *m)
{
    em_line(e, "/* ---------------------------------------------------------------------");
    em_line(e, " * Resources: fields, fixed statements per dialect ([0] SQLite, [1] PostgreSQL).");
    em_line(e, " */");
    for (uint32_t i = 0; i < m->nresources; i++)
        resource(e, m, m->resources[i]);
}

/* ---------------------------------------------------------------------
 * Conditions.  Each filter() argument is one rf_qcond; each exclude()
 * call one negated group.  A path through foreign keys becomes nested
 * subqueries on the keys, so no join changes the rows' multiplicity.
 */
/* One bound value of a condition. */
typedef struct cond_arg {
    const model_value *value;
    model_ftype type;
    bool like;              /* the text of a LIKE pattern */
} cond_arg;

typedef struct cond_builder {
    rf_buf sql;
    cond_arg *args;         /* an exclude() group may hold many `in` lists */
    int nargs, cap;
    int depth;              /* subquery aliases s1, s2, ... */
} cond_builder;

static void push_arg(cond_builder *cb, const model_value *v, model_ftype t, bool like)
{
    if (cb->nargs == cb->cap) {
        cb->cap = cb->cap ? cb->cap * 2 : 8;
        cb->args = realloc(cb->args, (size_t)cb->cap * sizeof *cb->args);
        if (!cb->args)
            abort();
    }
    cb->args[cb->nargs++] = (cond_arg){ .value = v, .type = t, .like = like };
}

/* `?` for a value compared with a column of type t.  UUIDs compare as 32
 * lower-case hex digits on both sides, so one fragment serves SQLite
 * (char(32) without dashes) and PostgreSQL (uuid). */
static void value_placeholder(cond_builder *cb, model_ftype t)
{
    rf_buf_puts(&cb->sql, t == MODEL_T_UUID ? "replace(lower(?), '-', '')" : "?");
}

static void column_expr(cond_builder *cb, const char *col, model_ftype t)
{
    if (t == MODEL_T_UUID)
        rf_buf_printf(&cb->sql, "replace(lower(CAST(%s AS TEXT)), '-', '')", col);
    else
        rf_buf_puts(&cb->sql, col);
}

static const char *const like_escape =
    "replace(replace(replace(?, '\\', '\\\\'), '%', '\\%'), '_', '\\_')";

static void leaf(cond_builder *cb, const model_qcond *c, const char *col, const model_field *f)
{
    model_ftype t = model_key_type(f);
    const model_value *v = &c->value;
    rf_buf *b = &cb->sql;
    bool null_value = v->kind == MODEL_V_NULL;
    static const char *const ops[] = {
        [MODEL_LOOKUP_GT] = " > ", [MODEL_LOOKUP_GTE] = " >= ",
        [MODEL_LOOKUP_LT] = " < ", [MODEL_LOOKUP_LTE] = " <= ",
    };
    switch (c->lookup) {
    case MODEL_LOOKUP_EXACT:
    case MODEL_LOOKUP_IEXACT:
        if (null_value) {
            rf_buf_printf(b, "%s IS NULL", col);
        } else if (c->lookup == MODEL_LOOKUP_IEXACT) {
            rf_buf_printf(b, "UPPER(CAST(%s AS TEXT)) = UPPER(?)", col);
            push_arg(cb, v, MODEL_T_TEXT, false);
        } else {
            column_expr(cb, col, t);
            rf_buf_lit(b, " = ");
            value_placeholder(cb, t);
            push_arg(cb, v, t, false);
        }
        break;
    case MODEL_LOOKUP_GT: case MODEL_LOOKUP_GTE: case MODEL_LOOKUP_LT: case MODEL_LOOKUP_LTE:
        column_expr(cb, col, t);
        rf_buf_puts(b, ops[c->lookup]);
        value_placeholder(cb, t);
        push_arg(cb, v, t, false);
        break;
    case MODEL_LOOKUP_IN:
        column_expr(cb, col, t);
        rf_buf_lit(b, " IN (");
        for (uint32_t i = 0; i < c->nvalues; i++) {
            if (i)
                rf_buf_lit(b, ", ");
            value_placeholder(cb, t);
            push_arg(cb, c->values[i], t, false);
        }
        rf_buf_putc(b, ')');
        break;
    case MODEL_LOOKUP_ISNULL:
        rf_buf_printf(b, "%s IS %sNULL", col, v->b ? "" : "NOT ");
        break;
    case MODEL_LOOKUP_ICONTAINS:
    case MODEL_LOOKUP_ISTARTSWITH:
        /* Django's LIKE with %, _ and \ escaped in the value, done in SQL
         * so that a URL argument is escaped the same way as a literal. */
        rf_buf_printf(b, "UPPER(CAST(%s AS TEXT)) LIKE %sUPPER(%s) || '%%' ESCAPE '\\'", col,
                      c->lookup == MODEL_LOOKUP_ICONTAINS ? "'%' || " : "", like_escape);
        push_arg(cb, v, MODEL_T_TEXT, true);
        break;
    }
}

/* True when the condition holds for a NULL value (isnull, or = null). */
static bool matches_null(const model_qcond *c)
{
    if (c->lookup == MODEL_LOOKUP_ISNULL)
        return c->value.b;
    return (c->lookup == MODEL_LOOKUP_EXACT || c->lookup == MODEL_LOOKUP_IEXACT) &&
           c->value.kind == MODEL_V_NULL;
}

/* The condition at hop i of c's path, over table alias `alias`. */
static void path_cond(cond_builder *cb, const model_qcond *c, const char *alias, uint32_t i)
{
    const model_field *hop = c->path.hops[i];
    char col[256];
    snprintf(col, sizeof col, "%s.\"%s\"", alias, hop->column);
    if (i + 1 == c->path.nhops) {
        leaf(cb, c, col, hop);
        return;
    }
    /* Django joins a path with LEFT OUTER JOINs: a NULL key on the way
     * makes what follows NULL, which a test for NULL matches. */
    bool null_through = hop->null && matches_null(c);
    char sub[16];
    snprintf(sub, sizeof sub, "s%d", ++cb->depth);
    if (null_through)
        rf_buf_printf(&cb->sql, "(%s IS NULL OR ", col);
    rf_buf_printf(&cb->sql, "%s IN (SELECT %s.", col, sub);
    sql_ident(&cb->sql, hop->fk_target_field->column);
    rf_buf_lit(&cb->sql, " FROM ");
    sql_ident(&cb->sql, hop->fk_target->table);
    rf_buf_printf(&cb->sql, " %s WHERE ", sub);
    path_cond(cb, c, sub, i + 1);
    rf_buf_putc(&cb->sql, ')');
    if (null_through)
        rf_buf_putc(&cb->sql, ')');
}

static void one_cond(cond_builder *cb, const model_qcond *c)
{
    const model_field *first = c->path.hops[0];
    /* Django's exclude() keeps rows whose nullable column is NULL. */
    bool guard_null = c->negated && first->null && c->lookup != MODEL_LOOKUP_ISNULL;
    if (guard_null)
        rf_buf_putc(&cb->sql, '(');
    path_cond(cb, c, "t", 0);
    if (guard_null)
        rf_buf_printf(&cb->sql, " AND t.\"%s\" IS NOT NULL)", first->column);
}

static void qarg(emitter *e, const model_value *v, model_ftype t, bool like)
{
    if (v->kind == MODEL_V_URL_KWARG) {
        em_printf(e, "{ .kind = RF_QA_URL_KWARG, .name = ");
        em_cstr(e, v->text);
        em_line(e, ", .type = %s },", like ? "RF_V_TEXT" : em_vtype(t));
    } else if (v->kind == MODEL_V_REQUEST_USER) {
        em_line(e, "{ .kind = RF_QA_USER_ID },");
    } else {
        em_printf(e, "{ .kind = RF_QA_LITERAL, .value = ");
        em_value(e, v, t);
        em_line(e, " },");
    }
}

/* Write `static const rf_qcond <sym>_conds[]` (and its arguments); the
 * number of conditions. */
static uint32_t conds(emitter *e, const char *sym, const model_queryset *q)
{
    int *nargs = calloc(q->nconds + 1, sizeof *nargs);
    if (!nargs)
        abort();
    uint32_t ncond = 0;
    for (uint32_t i = 0; i < q->nconds; ncond++) {
        bool negated = q->conds[i]->negated;
        uint32_t end = i + 1;
        while (negated && end < q->nconds && q->groups[end] == q->groups[i])
            end++;
        cond_builder cb = { .nargs = 0 };
        rf_buf_init(&cb.sql, NULL, 256);
        if (negated)
            rf_buf_lit(&cb.sql, "NOT (");
        for (uint32_t k = i; k < end; k++) {
            if (k > i)
                rf_buf_lit(&cb.sql, " AND ");
            one_cond(&cb, q->conds[k]);
        }
        if (negated)
            rf_buf_putc(&cb.sql, ')');
        if (cb.nargs) {
            em_line(e, "static const rf_qarg %s_args%u[] = {", sym, ncond);
            em_indent(e);
            for (int k = 0; k < cb.nargs; k++)
                qarg(e, cb.args[k].value, cb.args[k].type, cb.args[k].like);
            em_dedent(e);
            em_line(e, "};");
        }
        em_printf(e, "static const char %s_sql%u[] = ", sym, ncond);
        em_cstr(e, cb.sql.data);
        em_line(e, ";");
        rf_buf_release(&cb.sql);
        free(cb.args);
        nargs[ncond] = cb.nargs;
        i = end;
    }
    if (ncond) {
        em_line(e, "static const rf_qcond %s_conds[] = {", sym);
        em_indent(e);
        for (uint32_t k = 0; k < ncond; k++) {
            if (nargs[k])
                em_line(e, "{ %s_sql%u, %s_args%u, %d },", sym, k, sym, k, nargs[k]);
            else
                em_line(e, "{ %s_sql%u, NULL, 0 },", sym, k);
        }
        em_dedent(e);
        em_line(e, "};");
    }
    free(nargs);
    return ncond;
}

static void orders(emitter *e, const model *m, const char *sym, model_order *const *o,
                   uint32_t n)
{
    if (!n)
        return;
    em_line(e, "static const rf_order %s_order[] = {", sym);
    em_indent(e);
    for (uint32_t i = 0; i < n; i++) {
        em_printf(e, "{ ");
        em_field_ref(e, m, o[i]->field);
        em_line(e, ", %s },", o[i]->desc ? "true" : "false");
    }
    em_dedent(e);
    em_line(e, "};");
}

/* ---------------------------------------------------------------------
 * Querysets: every distinct one that a view or an action uses, numbered
 * in the order views and actions first name them.
 */
/* The queryset at position k of view v (-1: the view's own). */
static const model_queryset *queryset_at(const model_view *v, int k)
{
    return k < 0 ? v->queryset : v->actions[k]->config.queryset;
}

/* Every distinct queryset that a view or an action uses, numbered in the
 * order views and actions first name them, with a hash from the queryset
 * to its number: built once per model, so numbering stays linear in the
 * size of the spec. */
typedef struct queryset_table {
    const model *m;
    const model_queryset **order;     /* by number */
    uint32_t n;
    const model_queryset **keys;      /* open addressing, cap a power of 2 */
    uint32_t *numbers;
    uint32_t cap;
} queryset_table;

static queryset_table querysets;

static uint32_t slot_of(const queryset_table *t, const model_queryset *q)
{
    uint32_t h = (uint32_t)(((uintptr_t)q >> 4) * 2654435761u) & (t->cap - 1);
    while (t->keys[h] && t->keys[h] != q)
        h = (h + 1) & (t->cap - 1);
    return h;
}

static void table_build(const model *m)
{
    queryset_table *t = &querysets;
    free(t->order);
    free(t->keys);
    free(t->numbers);
    uint32_t positions = 0;
    for (uint32_t i = 0; i < m->nviews; i++)
        positions += m->views[i]->nactions + 1;
    t->m = m;
    t->n = 0;
    for (t->cap = 16; t->cap < positions * 2; t->cap *= 2)
        ;
    t->order = calloc(positions + 1, sizeof *t->order);
    t->keys = calloc(t->cap, sizeof *t->keys);
    t->numbers = calloc(t->cap, sizeof *t->numbers);
    if (!t->order || !t->keys || !t->numbers)
        abort();
    for (uint32_t i = 0; i < m->nviews; i++)
        for (int k = -1; k < (int)m->views[i]->nactions; k++) {
            const model_queryset *q = queryset_at(m->views[i], k);
            if (!q)
                continue;
            uint32_t h = slot_of(t, q);
            if (t->keys[h])
                continue;
            t->keys[h] = q;
            t->numbers[h] = t->n;
            t->order[t->n++] = q;
        }
}

static const queryset_table *table_of(const model *m)
{
    if (querysets.m != m)
        table_build(m);
    return &querysets;
}

static int queryset_number(const model *m, const model_queryset *q)
{
    const queryset_table *t = table_of(m);
    uint32_t h = slot_of(t, q);
    return t->keys[h] ? (int)t->numbers[h] : -1;
}

void em_queryset_sym(emitter *e, const model *m, const model_queryset *q)
{
    if (!q)
        em_printf(e, "NULL");
    else
        em_printf(e, "&%s_qs%d", m->name, queryset_number(m, q));
}

static void queryset(emitter *e, const model *m, const model_queryset *q)
{
    char sym[128];
    snprintf(sym, sizeof sym, "%s_qs%d", m->name, queryset_number(m, q));
    em_loc(e, m, q->loc);
    uint32_t n = conds(e, sym, q);
    orders(e, m, sym, q->order, q->norder);
    em_printf(e, "static const rf_queryset %s = { .res = &%s_%s_resource", sym, m->name,
              q->resource->name);
    if (n)
        em_printf(e, ", .conds = %s_conds, .nconds = %u", sym, n);
    if (q->norder)
        em_printf(e, ", .order = %s_order, .norder = %u", sym, q->norder);
    em_line(e, " };");
    em_blank(e);
}

void emit_c_querysets(emitter *e, const model *m)
{
    em_line(e, "/* ---------------------------------------------------------------------");
    em_line(e, " * Querysets: conditions over alias t, `?` bound per request.");
    em_line(e, " */");
    /* built afresh for each <spec>.c: a later model may reuse an address */
    table_build(m);
    for (uint32_t i = 0; i < querysets.n; i++)
        queryset(e, m, querysets.order[i]);
}

/* ---------------------------------------------------------------------
 * PostFetches.
 */
int em_slot(const model *m, const char *to_attr)
{
    int slot = 0;
    for (uint32_t i = 0; i < m->npostfetches; i++) {
        const char *name = m->postfetches[i]->to_attr;
        if (!strcmp(name, to_attr))
            return slot;
        bool earlier = false;
        for (uint32_t k = 0; k < i; k++)
            earlier |= !strcmp(m->postfetches[k]->to_attr, name);
        slot += !earlier;
    }
    return -1;
}

int em_nslots(const model *m)
{
    int n = 0;
    for (uint32_t i = 0; i < m->npostfetches; i++)
        if (em_slot(m, m->postfetches[i]->to_attr) == n)
            n++;
    return n;
}

static void postfetch(emitter *e, const model *m, const model_postfetch *pf)
{
    char sym[128];
    snprintf(sym, sizeof sym, "%s_%s_pf", m->name, pf->name);
    em_loc(e, m, pf->loc);
    uint32_t n = conds(e, sym, pf->queryset);
    orders(e, m, sym, pf->order, pf->norder);
    em_printf(e, "static const uint16_t %s_values[] = {", sym);
    for (uint32_t i = 0; i < pf->nvalues; i++)
        em_printf(e, "%s%u", i ? ", " : " ", pf->values[i]->index);
    em_line(e, " };");
    em_line(e, "const rf_postfetch %s_%s_postfetch = {", m->name, pf->name);
    em_indent(e);
    em_printf(e, ".name = ");
    em_cstr(e, pf->name);
    em_line(e, ", .res = &%s_%s_resource,", m->name, pf->resource->name);
    em_printf(e, ".related_key = ");
    em_field_ref(e, m, pf->related_key);
    em_printf(e, ", .base_key = ");
    em_field_ref(e, m, pf->base_key);
    em_line(e, ",");
    em_line(e, ".values = %s_values, .nvalues = %u,", sym, pf->nvalues);
    if (n)
        em_line(e, ".conds = %s_conds, .nconds = %u,", sym, n);
    if (pf->norder)
        em_line(e, ".order = %s_order, .norder = %u,", sym, pf->norder);
    em_line(e, ".limit = %d, .slot = %d, .db = %u,", pf->limit > 0 ? (int)pf->limit : 0,
            em_slot(m, pf->to_attr), pf->database->index);
    em_dedent(e);
    em_line(e, "};");
    em_blank(e);
}

void emit_c_postfetches(emitter *e, const model *m)
{
    if (!m->npostfetches)
        return;
    em_line(e, "/* ---------------------------------------------------------------------");
    em_line(e, " * PostFetches: one windowed query per page; slot = the to_attr's.");
    em_line(e, " */");
    for (uint32_t i = 0; i < m->npostfetches; i++)
        postfetch(e, m, m->postfetches[i]);
}
