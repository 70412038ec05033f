/*
 * schema.c: the DDL of the built-in user and token tables (Django's
 * auth_user and DRF's authtoken_token, column for column, so an existing
 * Django database serves as is), the app's schema script split into
 * statements per database, and table existence checks.
 *
 * The conventions the code generator follows for the app's own tables are
 * in docs/persistence.md ("Schema conventions").
 */
#include <string.h>

#include "db_internal.h"

const char *rf_schema_user_table(const rf_app *app)
{
    const char *t = app->auth_tables.user_table;
    return t && *t ? t : "auth_user";
}

const char *rf_schema_token_table(const rf_app *app)
{
    const char *t = app->auth_tables.token_table;
    return t && *t ? t : "authtoken_token";
}

/* The column types that differ between the dialects. */
typedef struct dialect_types {
    const char *auto_pk, *boolean, *datetime, *fk_integer;
} dialect_types;

static const dialect_types types[2] = {
    [RF_SQLITE] = { "integer NOT NULL PRIMARY KEY AUTOINCREMENT", "bool", "datetime",
                    "integer" },
    [RF_POSTGRES] = { "serial NOT NULL PRIMARY KEY", "boolean",
                      "timestamp with time zone", "integer" },
};

static void user_table_sql(rf_buf *b, const char *table, rf_dialect d)
{
    const dialect_types *t = &types[d];
    rf_buf_lit(b, "CREATE TABLE IF NOT EXISTS ");
    rf_sql_ident(b, table);
    rf_buf_printf(b,
        " (\"id\" %s, \"password\" varchar(128) NOT NULL, \"last_login\" %s NULL,"
        " \"is_superuser\" %s NOT NULL, \"username\" varchar(150) NOT NULL UNIQUE,"
        " \"first_name\" varchar(150) NOT NULL, \"last_name\" varchar(150) NOT NULL,"
        " \"email\" varchar(254) NOT NULL, \"is_staff\" %s NOT NULL,"
        " \"is_active\" %s NOT NULL, \"date_joined\" %s NOT NULL)",
        t->auto_pk, t->datetime, t->boolean, t->boolean, t->boolean, t->datetime);
}

static void token_table_sql(rf_buf *b, const char *table, const char *users, rf_dialect d)
{
    const dialect_types *t = &types[d];
    rf_buf_lit(b, "CREATE TABLE IF NOT EXISTS ");
    rf_sql_ident(b, table);
    rf_buf_printf(b, " (\"key\" varchar(40) NOT NULL PRIMARY KEY, \"created\" %s NOT NULL,"
                  " \"user_id\" %s NOT NULL UNIQUE REFERENCES ", t->datetime, t->fk_integer);
    rf_sql_ident(b, users);
    rf_buf_lit(b, " (\"id\") ON DELETE CASCADE)");
}

int rf_schema_auth_statements(rf_arena *a, const rf_app *app, rf_dialect d,
                              const char ***out)
{
    const char **stmts = rf_alloc(a, 2 * sizeof *stmts);
    rf_buf b;
    rf_buf_init(&b, a, 512);
    user_table_sql(&b, rf_schema_user_table(app), d);
    stmts[0] = b.data;
    rf_buf_init(&b, a, 256);
    token_table_sql(&b, rf_schema_token_table(app), rf_schema_user_table(app), d);
    stmts[1] = b.data;
    *out = stmts;
    return 2;
}

/* ---------------------------------------------------------------------
 * The app's schema script: statements separated by ';', in sections that a
 * line `-- rflow:database NAME` opens (before any, the default database).
 */
#define SECTION_MARK "-- rflow:database "

int rf_schema_database_index(const rf_app *app, const char *name, size_t len)
{
    for (int i = 0; i < app->ndatabases; i++)
        if (strlen(app->databases[i].name) == len &&
            strncmp(app->databases[i].name, name, len) == 0)
            return i;
    return -1;
}

/* Skip a quoted run or a comment at s; the length skipped (0: neither). */
static size_t skip_quoted_or_comment(const char *s)
{
    if (s[0] == '\'' || s[0] == '"') {
        size_t i = 1;
        while (s[i] && !(s[i] == s[0] && s[i + 1] != s[0]))
            i += s[i] == s[0] ? 2 : 1;
        return s[i] ? i + 1 : i;
    }
    if (s[0] == '-' && s[1] == '-') {
        size_t i = 2;
        while (s[i] && s[i] != '\n')
            i++;
        return i;
    }
    return 0;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t skip = skip_quoted_or_comment(s + i);
        if (skip && s[i] == '-') {
            i += skip - 1;
            continue;
        }
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
            return false;
    }
    return true;
}

int rf_schema_app_statements(rf_arena *a, const rf_app *app, rf_dialect d, int db,
                             const char ***out)
{
    const char *script = app->schema_sql[d];
    int cap = 16, n = 0;
    const char **stmts = rf_alloc(a, (size_t)cap * sizeof *stmts);
    int section = 0;
    for (const char *p = script, *start = script; p && *p;) {
        if (strncmp(p, SECTION_MARK, strlen(SECTION_MARK)) == 0) {
            const char *name = p + strlen(SECTION_MARK);
            size_t len = strcspn(name, " \r\n");
            section = rf_schema_database_index(app, name, len);
        }
        size_t skip = skip_quoted_or_comment(p);
        if (skip) {
            p += skip;
            continue;
        }
        if (*p == ';' || p[1] == '\0') {
            size_t len = (size_t)(p - start) + (*p == ';' ? 0 : 1);
            bool mine = section == db || app->ndatabases <= 1;
            if (mine && !blank(start, len)) {
                if (n == cap) {
                    const char **grown = rf_alloc(a, (size_t)cap * 2 * sizeof *grown);
                    memcpy(grown, stmts, (size_t)n * sizeof *stmts);
                    stmts = grown;
                    cap *= 2;
                }
                stmts[n++] = rf_strndup(a, start, len);
            }
            start = p + 1;
        }
        p++;
    }
    *out = stmts;
    return n;
}

/* The table a CREATE TABLE statement creates, or NULL for other
 * statements. */
const char *rf_schema_created_table(rf_arena *a, const char *stmt)
{
    static const char prefix[] = "CREATE TABLE IF NOT EXISTS ";
    while (*stmt == ' ' || *stmt == '\n' || *stmt == '\t' || *stmt == '\r' ||
           (stmt[0] == '-' && stmt[1] == '-')) {
        stmt += stmt[0] == '-' ? skip_quoted_or_comment(stmt) : 1;
    }
    if (strncmp(stmt, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *name = stmt + sizeof prefix - 1;
    if (*name == '"') {
        size_t len = skip_quoted_or_comment(name);
        rf_buf b;
        rf_buf_init(&b, a, len);
        for (size_t i = 1; i + 1 < len; i++) {
            rf_buf_putc(&b, name[i]);
            if (name[i] == '"')
                i++;
        }
        return b.data;
    }
    return rf_strndup(a, name, strcspn(name, " ("));
}

const char *rf_schema_table_exists_sql(rf_dialect d)
{
    return d == RF_SQLITE
        ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        : "SELECT 1 FROM information_schema.tables "
          "WHERE table_schema = current_schema() AND table_name = ?";
}
