/*
 * manage.c: the management commands (migrate, createuser, createtoken),
 * run from rf_main before or instead of serving.
 *
 * They use the same async interface as requests, on an event loop of their
 * own that they run until each statement answers: a command is a short
 * sequential script, so waiting is what it should do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <event2/event.h>

#include "db_internal.h"
#include "manage.h"

/* ---------------------------------------------------------------------
 * Database URLs.
 */
/* "NAME=URL" names a database; a bare URL (it has ':' before any '=') is
 * the default one. */
static int named_target(const rf_app *app, const char *arg, const char **url)
{
    const char *eq = strchr(arg, '=');
    const char *colon = strchr(arg, ':');
    if (!eq || (colon && colon < eq)) {
        *url = arg;
        return 0;
    }
    *url = eq + 1;
    return rf_schema_database_index(app, arg, (size_t)(eq - arg));
}

static const char *fallback_url(const rf_app *app)
{
    static char url[256];
    snprintf(url, sizeof url, "sqlite:%s.db", app->name ? app->name : "restflow");
    return url;
}

bool rf_manage_resolve_urls(const rf_app *app, const char *const *args, int nargs,
                            const char **out, char *err, size_t errlen)
{
    int ndb = app->ndatabases ? app->ndatabases : 1;
    for (int i = 0; i < ndb; i++)
        out[i] = NULL;
    for (int i = 0; i < nargs; i++) {
        const char *url;
        int index = named_target(app, args[i], &url);
        if (index < 0) {
            snprintf(err, errlen, "--db %s: the spec names no such database", args[i]);
            return false;
        }
        out[index] = url;
    }
    if (!out[0])
        out[0] = getenv("DATABASE_URL");
    for (int i = 0; i < ndb; i++) {
        if (!out[i] && app->ndatabases && app->databases[i].url)
            out[i] = app->databases[i].url;
        if (!out[i] && i == 0)
            out[i] = fallback_url(app);
        if (!out[i]) {
            snprintf(err, errlen, "no URL for database '%s': pass --db %s=URL",
                     app->databases[i].name, app->databases[i].name);
            return false;
        }
    }
    return true;
}

/* ---------------------------------------------------------------------
 * Running statements one after the other.
 */
typedef struct session {
    struct event_base *base;
    rf_arena *a;
    rf_db *db;
    const char *url;
    bool owns_db;               /* opened here (else a worker's) */
    rf_result *last;
    bool answered;
} session;

static void answered(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    session *s = arg;
    /* the result outlives the callback: copy what the caller reads */
    rf_result *copy = rf_result_of(s->a, rf_result_error(res), rf_result_message(res));
    copy->nrows = rf_result_nrows(res);
    copy->ncols = rf_result_ncols(res);
    copy->affected = rf_result_affected(res);
    copy->cells = rf_calloc(s->a, (size_t)(copy->nrows * copy->ncols + 1) * sizeof(rf_cell));
    for (int r = 0; r < copy->nrows; r++) {
        for (int c = 0; c < copy->ncols; c++) {
            const char *text = rf_result_text(res, r, c);
            rf_cell *cell = &copy->cells[r * copy->ncols + c];
            cell->type = text ? RF_CELL_TEXT : RF_CELL_NULL;
            cell->s = text ? rf_strdup(s->a, text) : NULL;
        }
    }
    s->last = copy;
    s->answered = true;
}

static void wait_answer(session *s)
{
    while (!s->answered)
        event_base_loop(s->base, EVLOOP_ONCE);
    s->answered = false;
}

static rf_result *run(session *s, const char *sql, const rf_value *params, int n)
{
    rf_stmt stmt = { .sql = { sql, sql } };
    rf_db_exec_as(s->db, s, NULL, &stmt, params, n, answered, s);
    wait_answer(s);
    return s->last;
}

static rf_result *transaction(session *s, rf_op_kind kind)
{
    if (kind == RF_OP_BEGIN)
        rf_db_begin_as(s->db, s, NULL, answered, s);
    else if (kind == RF_OP_COMMIT)
        rf_db_commit_as(s->db, s, NULL, answered, s);
    else
        rf_db_rollback_as(s->db, s, NULL, answered, s);
    wait_answer(s);
    return s->last;
}

static bool session_open(session *s, const char *url)
{
    char err[512];
    s->base = event_base_new();
    s->a = rf_arena_new(0);
    s->url = url;
    s->owns_db = true;
    s->db = rf_db_open(s->base, url, 1, err, sizeof err);
    if (!s->db)
        fprintf(stderr, "error: %s\n", err);
    return s->db != NULL;
}

static void session_attach(session *s, struct event_base *base, rf_db *db)
{
    *s = (session){ .base = base, .a = rf_arena_new(0), .db = db, .url = db->label };
}

static void session_close(session *s)
{
    if (s->owns_db) {
        rf_db_close(s->db);
        event_base_free(s->base);
    }
    rf_arena_free(s->a);
}

static bool failed(const session *s, const rf_result *r, const char *what)
{
    if (rf_result_error(r) == RF_DB_OK)
        return false;
    fprintf(stderr, "error: %s (%s): %s\n", what, s->url, rf_result_message(r));
    return true;
}

static bool table_exists(session *s, const char *table)
{
    rf_value name = RF_VTEXT(table);
    rf_result *r = run(s, rf_schema_table_exists_sql(rf_db_dialect(s->db)), &name, 1);
    return rf_result_error(r) == RF_DB_OK && rf_result_nrows(r) > 0;
}

/* ---------------------------------------------------------------------
 * migrate
 */
/* The built-in tables first: the app's tables may refer to the users. */
static int database_statements(session *s, const rf_app *app, int db, const char ***out)
{
    rf_dialect d = rf_db_dialect(s->db);
    const char **auth = NULL, **own = NULL;
    int nauth = app->auth_tables.db == db ? rf_schema_auth_statements(s->a, app, d, &auth) : 0;
    int nown = app->schema_sql[d] ? rf_schema_app_statements(s->a, app, d, db, &own) : 0;
    const char **all = rf_alloc(s->a, (size_t)(nauth + nown + 1) * sizeof *all);
    /* auth or own is NULL when its count is 0: memcpy must not see it. */
    if (nauth)
        memcpy(all, auth, (size_t)nauth * sizeof *all);
    if (nown)
        memcpy(all + nauth, own, (size_t)nown * sizeof *all);
    *out = all;
    return nauth + nown;
}

static const char *database_name(const rf_app *app, int db)
{
    return app->ndatabases ? app->databases[db].name : "default";
}

/* Run every statement in one transaction, so that a failure leaves the
 * database as it was (both backends have transactional DDL). */
static bool apply(session *s, const char **stmts, int n)
{
    if (failed(s, transaction(s, RF_OP_BEGIN), "BEGIN"))
        return false;
    for (int i = 0; i < n; i++) {
        if (failed(s, run(s, stmts[i], NULL, 0), stmts[i])) {
            transaction(s, RF_OP_ROLLBACK);
            return false;
        }
    }
    return !failed(s, transaction(s, RF_OP_COMMIT), "COMMIT");
}

/* Create what database db lacks; tell which tables were made unless
 * quiet. */
static bool migrate_one(session *s, const rf_app *app, int db, bool quiet)
{
    const char **stmts;
    int n = database_statements(s, app, db, &stmts);
    const char **missing = rf_alloc(s->a, (size_t)(n + 1) * sizeof *missing);
    int nmissing = 0;
    for (int i = 0; i < n; i++) {
        const char *table = rf_schema_created_table(s->a, stmts[i]);
        if (table && !table_exists(s, table))
            missing[nmissing++] = table;
    }
    bool ok = apply(s, stmts, n);
    if (ok && !quiet && nmissing == 0)
        printf("Database %s: no tables to create.\n", database_name(app, db));
    for (int i = 0; ok && !quiet && i < nmissing; i++)
        printf("Database %s: created table %s.\n", database_name(app, db), missing[i]);
    return ok;
}

int rf_manage_migrate(const rf_app *app, const char *const *db_urls)
{
    int ndb = app->ndatabases ? app->ndatabases : 1;
    for (int i = 0; i < ndb; i++) {
        session s = { 0 };
        bool ok = session_open(&s, db_urls[i]) && migrate_one(&s, app, i, false);
        session_close(&s);
        if (!ok)
            return 1;
    }
    return 0;
}

int rf_manage_migrate_dbs(const rf_app *app, struct event_base *base, rf_db *const *dbs)
{
    int ndb = app->ndatabases ? app->ndatabases : 1;
    for (int i = 0; i < ndb; i++) {
        session s;
        session_attach(&s, base, dbs[i]);
        bool ok = migrate_one(&s, app, i, true);
        session_close(&s);
        if (!ok)
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------------
 * createuser, createtoken
 */
static rf_value now_value(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (rf_value){ .type = RF_V_DATETIME,
                       .u.i = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 };
}

static bool auth_session(session *s, const rf_app *app, const char *const *db_urls)
{
    return session_open(s, db_urls[app->auth_tables.db]);
}

static void hint_migrate(const rf_result *r)
{
    if (strstr(rf_result_message(r), "no such table") ||
        strstr(rf_result_message(r), "does not exist"))
        fputs("hint: create the tables first with the `migrate` command\n", stderr);
}

static const char *insert_user_sql(session *s, const rf_app *app)
{
    rf_buf b;
    rf_buf_init(&b, s->a, 256);
    rf_buf_lit(&b, "INSERT INTO ");
    rf_sql_ident(&b, rf_schema_user_table(app));
    rf_buf_lit(&b, " (\"password\", \"last_login\", \"is_superuser\", \"username\","
                   " \"first_name\", \"last_name\", \"email\", \"is_staff\", \"is_active\","
                   " \"date_joined\") VALUES (?, NULL, ?, ?, '', '', ?, ?, ?, ?)"
                   " RETURNING \"id\"");
    return b.data;
}

int rf_manage_createuser(const rf_app *app, const char *const *db_urls,
                         const char *username, const char *password,
                         const char *email, bool staff)
{
    if (!username || !*username || !password) {
        fputs("error: createuser needs a NAME and --password\n", stderr);
        return 1;
    }
    /* hashing takes a while: before connecting, so no connect timeout runs
     * meanwhile */
    rf_arena *a = rf_arena_new(0);
    const char *hash = rf_password_make(a, password, 0);
    session s = { 0 };
    if (!auth_session(&s, app, db_urls)) {
        session_close(&s);
        rf_arena_free(a);
        return 1;
    }
    rf_value params[] = {
        RF_VTEXT(hash), RF_VBOOL(false), RF_VTEXT(username),
        RF_VTEXT(email ? email : ""), RF_VBOOL(staff), RF_VBOOL(true), now_value(),
    };
    rf_result *r = run(&s, insert_user_sql(&s, app), params, 7);
    int status = 0;
    if (rf_result_error(r) == RF_DB_UNIQUE) {
        fputs("error: That username is already taken.\n", stderr);
        status = 1;
    } else if (failed(&s, r, "createuser")) {
        hint_migrate(r);
        status = 1;
    } else {
        printf("User '%s' created (id %s%s).\n", username, rf_result_text(r, 0, 0),
               staff ? ", staff" : "");
    }
    session_close(&s);
    rf_arena_free(a);
    return status;
}

/* DRF's Token.generate_key: 20 random bytes as 40 hex digits. */
static void generate_key(char out[41])
{
    unsigned char bytes[20];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        abort();
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

static const char *select_sql(session *s, const char *what, const char *table,
                              const char *where)
{
    rf_buf b;
    rf_buf_init(&b, s->a, 128);
    rf_buf_printf(&b, "SELECT \"%s\" FROM ", what);
    rf_sql_ident(&b, table);
    rf_buf_printf(&b, " WHERE \"%s\" = ?", where);
    return b.data;
}

/* Replace the user's token by one with key, in one transaction. */
static bool store_token(session *s, const rf_app *app, rf_value user_id, const char *key)
{
    rf_buf del, ins;
    rf_buf_init(&del, s->a, 128);
    rf_buf_lit(&del, "DELETE FROM ");
    rf_sql_ident(&del, rf_schema_token_table(app));
    rf_buf_lit(&del, " WHERE \"user_id\" = ?");
    rf_buf_init(&ins, s->a, 128);
    rf_buf_lit(&ins, "INSERT INTO ");
    rf_sql_ident(&ins, rf_schema_token_table(app));
    rf_buf_lit(&ins, " (\"key\", \"created\", \"user_id\") VALUES (?, ?, ?)");
    rf_value params[] = { RF_VTEXT(key), now_value(), user_id };
    if (failed(s, transaction(s, RF_OP_BEGIN), "BEGIN"))
        return false;
    rf_result *r = run(s, del.data, &user_id, 1);
    if (rf_result_error(r) != RF_DB_NOT_FOUND && failed(s, r, "createtoken")) {
        transaction(s, RF_OP_ROLLBACK);
        return false;
    }
    r = run(s, ins.data, params, 3);
    if (rf_result_error(r) == RF_DB_UNIQUE) {
        fputs("error: that key belongs to another user\n", stderr);
        transaction(s, RF_OP_ROLLBACK);
        return false;
    }
    if (failed(s, r, "createtoken")) {
        transaction(s, RF_OP_ROLLBACK);
        return false;
    }
    return !failed(s, transaction(s, RF_OP_COMMIT), "COMMIT");
}

/* Without --key, an existing token is kept and printed (DRF's
 * drf_create_token without -r); with --key the user's token becomes KEY. */
static bool ensure_token(session *s, const rf_app *app, const char *username,
                         const char *key)
{
    rf_value name = RF_VTEXT(username);
    rf_result *r = run(s, select_sql(s, "id", rf_schema_user_table(app), "username"), &name, 1);
    if (failed(s, r, "createtoken")) {
        hint_migrate(r);
        return false;
    }
    if (rf_result_nrows(r) == 0) {
        fprintf(stderr, "error: user '%s' does not exist\n", username);
        return false;
    }
    rf_value user_id = RF_VINT(rf_result_int(r, 0, 0));
    r = run(s, select_sql(s, "key", rf_schema_token_table(app), "user_id"), &user_id, 1);
    if (failed(s, r, "createtoken"))
        return false;
    const char *existing = rf_result_nrows(r) ? rf_result_text(r, 0, 0) : NULL;
    char generated[41];
    if (!key && existing) {
        key = existing;
    } else if (!existing || strcmp(existing, key ? key : "") != 0) {
        if (!key) {
            generate_key(generated);
            key = generated;
        }
        if (!store_token(s, app, user_id, key))
            return false;
    }
    printf("%s\n", key);
    return true;
}

int rf_manage_createtoken(const rf_app *app, const char *const *db_urls,
                          const char *username, const char *key)
{
    if (!username || !*username) {
        fputs("error: createtoken needs a NAME\n", stderr);
        return 1;
    }
    if (key && (!*key || strlen(key) > 40)) {
        fputs("error: --key must have 1 to 40 characters\n", stderr);
        return 1;
    }
    session s = { 0 };
    bool ok = auth_session(&s, app, db_urls) && ensure_token(&s, app, username, key);
    session_close(&s);
    return ok ? 0 : 1;
}
