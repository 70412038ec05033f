/*
 * emit_sql.c: the SQL the compiler fixes at build time: each resource's
 * INSERT / UPDATE / DELETE and column list, and the schema scripts
 * (schema.sqlite.sql, schema.postgres.sql) that `<spec>-server migrate`
 * runs.  The conventions are docs/persistence.md's ("Schema conventions"):
 * Django 3.2's column types per backend, so a table Django made serves as
 * is.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_internal.h"

void sql_ident(rf_buf *b, const char *name)
{
    rf_buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            rf_buf_putc(b, '"');
        rf_buf_putc(b, *p);
    }
    rf_buf_putc(b, '"');
}

static bool is_auto(const model_field *f)
{
    return f->type == MODEL_T_AUTO || f->type == MODEL_T_BIGAUTO;
}

/* SQLite keeps UUIDs as 32 hex digits, as Django does: every bound UUID
 * loses its dashes there. */
static void placeholder(rf_buf *b, const model_field *f, rf_dialect d)
{
    if (d == RF_SQLITE && model_key_type(f) == MODEL_T_UUID)
        rf_buf_lit(b, "replace(?, '-', '')");
    else
        rf_buf_putc(b, '?');
}

void sql_insert(rf_buf *b, const model_resource *r, rf_dialect d)
{
    rf_buf_lit(b, "INSERT INTO ");
    sql_ident(b, r->table);
    rf_buf_lit(b, " (");
    bool first = true;
    for (uint32_t i = 0; i < r->nfields; i++) {
        if (is_auto(r->fields[i]))
            continue;
        if (!first)
            rf_buf_lit(b, ", ");
        sql_ident(b, r->fields[i]->column);
        first = false;
    }
    rf_buf_lit(b, ") VALUES (");
    first = true;
    for (uint32_t i = 0; i < r->nfields; i++) {
        if (is_auto(r->fields[i]))
            continue;
        if (!first)
            rf_buf_lit(b, ", ");
        placeholder(b, r->fields[i], d);
        first = false;
    }
    rf_buf_lit(b, ") RETURNING ");
    sql_ident(b, r->pk->column);
}

static void where_pk(rf_buf *b, const model_resource *r, rf_dialect d)
{
    rf_buf_lit(b, " WHERE ");
    sql_ident(b, r->pk->column);
    rf_buf_lit(b, " = ");
    placeholder(b, r->pk, d);
}

void sql_update(rf_buf *b, const model_resource *r, rf_dialect d)
{
    rf_buf_lit(b, "UPDATE ");
    sql_ident(b, r->table);
    rf_buf_lit(b, " SET ");
    bool first = true;
    for (uint32_t i = 0; i < r->nfields; i++) {
        const model_field *f = r->fields[i];
        if (f == r->pk)
            continue;
        if (!first)
            rf_buf_lit(b, ", ");
        sql_ident(b, f->column);
        rf_buf_lit(b, " = ");
        placeholder(b, f, d);
        first = false;
    }
    where_pk(b, r, d);
}

void sql_delete(rf_buf *b, const model_resource *r, rf_dialect d)
{
    rf_buf_lit(b, "DELETE FROM ");
    sql_ident(b, r->table);
    where_pk(b, r, d);
}

void sql_select_columns(rf_buf *b, const model_resource *r)
{
    for (uint32_t i = 0; i < r->nfields; i++) {
        if (i)
            rf_buf_lit(b, ", ");
        rf_buf_lit(b, "t.");
        sql_ident(b, r->fields[i]->column);
    }
}

/* ---------------------------------------------------------------------
 * Schema.
 */
static void column_type(rf_buf *b, const model_field *f, model_ftype t, bool key, rf_dialect d)
{
    bool pg = d == RF_POSTGRES;
    switch (t) {
    case MODEL_T_AUTO:
        rf_buf_puts(b, key ? "integer" : pg ? "serial" : "integer");
        break;
    case MODEL_T_BIGAUTO:
        rf_buf_puts(b, key ? "bigint" : pg ? "bigserial" : "integer");
        break;
    case MODEL_T_INTEGER:    rf_buf_lit(b, "integer"); break;
    case MODEL_T_BIGINTEGER: rf_buf_lit(b, "bigint"); break;
    case MODEL_T_FLOAT:      rf_buf_puts(b, pg ? "double precision" : "real"); break;
    case MODEL_T_DECIMAL:
        if (pg)
            rf_buf_printf(b, "numeric(%d, %d)", (int)f->limits.max_digits,
                          (int)f->limits.decimal_places);
        else
            rf_buf_lit(b, "decimal");
        break;
    case MODEL_T_BOOLEAN:    rf_buf_puts(b, pg ? "boolean" : "bool"); break;
    case MODEL_T_CHAR: case MODEL_T_EMAIL: case MODEL_T_URL: case MODEL_T_SLUG:
        rf_buf_printf(b, "varchar(%d)", (int)f->limits.max_length);
        break;
    case MODEL_T_UUID:       rf_buf_puts(b, pg ? "uuid" : "char(32)"); break;
    case MODEL_T_DATE:       rf_buf_lit(b, "date"); break;
    case MODEL_T_DATETIME:   rf_buf_puts(b, pg ? "timestamp with time zone" : "datetime"); break;
    case MODEL_T_JSON:       rf_buf_puts(b, pg ? "jsonb" : "text"); break;
    default:                 rf_buf_lit(b, "text"); break;
    }
}

static void sql_quoted(rf_buf *b, const char *s)
{
    rf_buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            rf_buf_putc(b, '\'');
        rf_buf_putc(b, *p);
    }
    rf_buf_putc(b, '\'');
}

/* DEFAULT <literal>: only literals; now and uuid4 are the runtime's. */
static void column_default(rf_buf *b, const model_field *f, rf_dialect d)
{
    const model_value *v = &f->default_value;
    if (!f->has_default || f->auto_now || f->auto_now_add || !em_value_constant(v))
        return;
    rf_buf_lit(b, " DEFAULT ");
    switch (v->kind) {
    case MODEL_V_NULL:
        rf_buf_lit(b, "NULL");
        break;
    case MODEL_V_BOOL:
        rf_buf_puts(b, d == RF_POSTGRES ? (v->b ? "true" : "false") : (v->b ? "1" : "0"));
        break;
    case MODEL_V_INT: case MODEL_V_FLOAT: case MODEL_V_DECIMAL:
        rf_buf_puts(b, v->text);
        break;
    case MODEL_V_STRING:
        if (f->type == MODEL_T_UUID && d == RF_SQLITE) {
            rf_buf_putc(b, '\'');
            for (const char *p = v->text; *p; p++)
                if (*p != '-')
                    rf_buf_putc(b, *p);
            rf_buf_putc(b, '\'');
        } else {
            sql_quoted(b, v->text);
        }
        break;
    default:   /* dates, datetimes, JSON: their text */
        sql_quoted(b, v->text);
    }
}

/* REFERENCES "target" ("pk") and the on_delete action, as Django's
 * on_delete enforced in SQL (docs/persistence.md). */
static void references(rf_buf *b, const model_field *f)
{
    rf_buf_lit(b, "REFERENCES ");
    sql_ident(b, f->fk_target->table);
    rf_buf_lit(b, " (");
    sql_ident(b, f->fk_target_field->column);
    rf_buf_putc(b, ')');
    if (f->on_delete == MODEL_CASCADE)
        rf_buf_lit(b, " ON DELETE CASCADE");
    else if (f->on_delete == MODEL_SET_NULL)
        rf_buf_lit(b, " ON DELETE SET NULL");
}

/* inline_fk: the column carries its REFERENCES (else a constraint added
 * after every table exists does, see forward_constraints). */
static void column_definition(rf_buf *b, const model_field *f, rf_dialect d, bool inline_fk)
{
    sql_ident(b, f->column);
    rf_buf_putc(b, ' ');
    if (f->type == MODEL_T_FOREIGNKEY)
        column_type(b, model_key_field(f), model_key_type(f), true, d);
    else
        column_type(b, f, f->type, false, d);
    rf_buf_puts(b, f->null ? " NULL" : " NOT NULL");
    if (f->primary_key)
        rf_buf_puts(b, d == RF_SQLITE && is_auto(f) ? " PRIMARY KEY AUTOINCREMENT" : " PRIMARY KEY");
    else if (f->unique)
        rf_buf_lit(b, " UNIQUE");
    column_default(b, f, d);
    if (f->type == MODEL_T_JSON && d == RF_SQLITE) {
        rf_buf_lit(b, " CHECK ((JSON_VALID(");
        sql_ident(b, f->column);
        rf_buf_lit(b, ") OR ");
        sql_ident(b, f->column);
        rf_buf_lit(b, " IS NULL))");
    }
    if (inline_fk) {
        rf_buf_putc(b, ' ');
        references(b, f);
    }
}

/* docs/persistence.md: names over 63 bytes keep 54, then '_' and the
 * FNV-1a hash of the whole name in 8 hex digits. */
static void index_name(rf_buf *b, const char *name)
{
    size_t n = strlen(name);
    if (n <= MODEL_MAX_NAME_BYTES) {
        sql_ident(b, name);
        return;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)name[i];
        h *= 16777619u;
    }
    char cut[MODEL_MAX_NAME_BYTES + 1];
    snprintf(cut, sizeof cut, "%.54s_%08" PRIx32, name, h);
    sql_ident(b, cut);
}

static void create_index(rf_buf *b, const model_resource *r, const char *name,
                         model_field *const *fields, uint32_t n)
{
    rf_buf_lit(b, "CREATE INDEX IF NOT EXISTS ");
    index_name(b, name);
    rf_buf_lit(b, " ON ");
    sql_ident(b, r->table);
    rf_buf_lit(b, " (");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            rf_buf_lit(b, ", ");
        sql_ident(b, fields[i]->column);
    }
    rf_buf_lit(b, ");\n");
}

/* Django indexes foreign keys, db_index fields and slugs, except where a
 * UNIQUE constraint already gives an index. */
static bool column_indexed(const model_field *f)
{
    if (f->primary_key || f->unique)
        return false;
    return f->type == MODEL_T_FOREIGNKEY || f->db_index || f->type == MODEL_T_SLUG;
}

/* A database's tables in the order they are created (see table_order). */
typedef struct table_order {
    const model_resource **tables;
    uint32_t n;
    uint32_t *position;         /* by resource index; meaningful for tables */
} table_order;

/* Whether f's REFERENCES can be written in its table's CREATE TABLE:
 * SQLite accepts a reference to a table created later; PostgreSQL only to
 * one that exists (its own table included).  A ForeignKey to a built-in
 * table (created first) or to another database (no REFERENCES) is inline
 * or nothing. */
static bool fk_inline(const model_field *f, const table_order *o, rf_dialect d)
{
    const model_resource *t = f->fk_target, *r = f->resource;
    if (d == RF_SQLITE || t->builtin)
        return true;
    return o->position[t->index] <= o->position[r->index];
}

static bool has_reference(const model_field *f)
{
    return f->type == MODEL_T_FOREIGNKEY && f->fk_target->database == f->resource->database;
}

static void resource_schema(rf_buf *b, const model_resource *r, const table_order *o,
                            rf_dialect d)
{
    rf_buf_lit(b, "CREATE TABLE IF NOT EXISTS ");
    sql_ident(b, r->table);
    rf_buf_lit(b, " (\n");
    for (uint32_t i = 0; i < r->nfields; i++) {
        const model_field *f = r->fields[i];
        rf_buf_lit(b, "    ");
        column_definition(b, f, d, has_reference(f) && fk_inline(f, o, d));
        rf_buf_puts(b, i + 1 < r->nfields ? ",\n" : "\n");
    }
    rf_buf_lit(b, ");\n");
    for (uint32_t i = 0; i < r->nfields; i++) {
        model_field *f = r->fields[i];
        if (!column_indexed(f))
            continue;
        char name[512];
        snprintf(name, sizeof name, "%s_%s_idx", r->table, f->column);
        create_index(b, r, name, &r->fields[i], 1);
    }
    for (uint32_t i = 0; i < r->nindexes; i++)
        create_index(b, r, r->indexes[i]->name, r->indexes[i]->fields, r->indexes[i]->nfields);
}

/* A foreign key PostgreSQL could not take in CREATE TABLE (its target is
 * created later: a cycle), added once every table exists.  The statement
 * is safe to run again, and leaves alone a column that has a foreign key
 * already (a table Django made): it adds the constraint only when the
 * column has none. */
static void forward_constraint(rf_buf *b, const model_field *f)
{
    const model_resource *r = f->resource;
    rf_buf table, body;
    rf_buf_init(&table, NULL, 64);
    rf_buf_init(&body, NULL, 512);
    sql_ident(&table, r->table);
    rf_buf_lit(&body, "BEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_attribute a "
               "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)\n"
               "                   WHERE c.contype = 'f' AND c.conrelid = ");
    sql_quoted(&body, table.data);
    rf_buf_lit(&body, "::regclass AND a.attname = ");
    sql_quoted(&body, f->column);
    rf_buf_lit(&body, ") THEN\n        ALTER TABLE ");
    rf_buf_puts(&body, table.data);
    rf_buf_lit(&body, " ADD CONSTRAINT ");
    char name[512];
    snprintf(name, sizeof name, "%s_%s_fkey", r->table, f->column);   /* PostgreSQL's own name */
    index_name(&body, name);
    rf_buf_lit(&body, " FOREIGN KEY (");
    sql_ident(&body, f->column);
    rf_buf_lit(&body, ") ");
    references(&body, f);
    rf_buf_lit(&body, ";\n    END IF;\nEND");
    rf_buf_lit(b, "DO ");
    sql_quoted(b, body.data);
    rf_buf_lit(b, ";\n");
    rf_buf_release(&table);
    rf_buf_release(&body);
}

/* True when r references, in its own database, a table not yet created. */
static bool waits_for_table(const model_resource *r, const bool *created)
{
    for (uint32_t i = 0; i < r->nfields; i++) {
        const model_resource *t = r->fields[i]->fk_target;
        if (t && t != r && !t->builtin && t->database == r->database && !created[t->index])
            return true;
    }
    return false;
}

/* Whether r is a table of db still to be created. */
static bool pending(const model_resource *r, const model_database *db, const bool *created)
{
    return !r->builtin && r->database == db && !created[r->index];
}

static void take(table_order *o, bool *created, const model_resource *r)
{
    o->position[r->index] = o->n;
    o->tables[o->n++] = r;
    created[r->index] = true;
}

/* The tables of one database, each after the tables it references; a cycle
 * of foreign keys is broken at its first table in declaration order, and
 * what follows it is again ordered by its references. */
static void order_tables(const model *m, const model_database *db, table_order *o)
{
    bool *created = calloc(m->nresources + 1, sizeof *created);
    o->tables = calloc(m->nresources + 1, sizeof *o->tables);
    o->position = calloc(m->nresources + 1, sizeof *o->position);
    if (!created || !o->tables || !o->position)
        abort();
    o->n = 0;
    for (;;) {
        bool progress = false;
        for (uint32_t i = 0; i < m->nresources; i++) {
            const model_resource *r = m->resources[i];
            if (pending(r, db, created) && !waits_for_table(r, created)) {
                take(o, created, r);
                progress = true;
            }
        }
        if (progress)
            continue;
        uint32_t first = 0;
        while (first < m->nresources && !pending(m->resources[first], db, created))
            first++;
        if (first == m->nresources)
            break;
        take(o, created, m->resources[first]);
    }
    free(created);
}

static void database_schema(rf_buf *b, const model *m, const model_database *db, rf_dialect d)
{
    table_order o;
    order_tables(m, db, &o);
    for (uint32_t i = 0; i < o.n; i++) {
        rf_buf_putc(b, '\n');
        resource_schema(b, o.tables[i], &o, d);
    }
    bool first = true;
    for (uint32_t i = 0; i < o.n; i++)
        for (uint32_t k = 0; k < o.tables[i]->nfields; k++) {
            const model_field *f = o.tables[i]->fields[k];
            if (!has_reference(f) || fk_inline(f, &o, d))
                continue;
            rf_buf_puts(b, first ? "\n" : "");
            forward_constraint(b, f);
            first = false;
        }
    free(o.tables);
    free(o.position);
}

void sql_schema(rf_buf *b, const model *m, rf_dialect d)
{
    for (uint32_t k = 0; k < m->ndatabases; k++) {
        const model_database *db = m->databases[k];
        bool any = false;
        for (uint32_t i = 0; i < m->nresources; i++)
            any |= !m->resources[i]->builtin && m->resources[i]->database == db;
        if (!any)
            continue;
        if (k > 0)
            rf_buf_printf(b, "\n-- rflow:database %s\n", db->name);
        database_schema(b, m, db, d);
    }
}
