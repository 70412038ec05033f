/*
 * test_manage.c: migrate (creates what is missing, in the right database,
 * safe twice), createuser, createtoken, and the resolution of database
 * URLs from --db, DATABASE_URL and the spec.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "manage.h"

static const char sqlite_schema[] =
    "-- rflow:database default\n"
    "CREATE TABLE IF NOT EXISTS \"m_product\" (\"id\" integer NOT NULL PRIMARY KEY "
    "AUTOINCREMENT, \"name\" varchar(200) NOT NULL, \"note\" text NOT NULL DEFAULT 'a;b');\n"
    "CREATE INDEX IF NOT EXISTS \"m_product_name_idx\" ON \"m_product\" (\"name\");\n"
    "-- rflow:database reviews\n"
    "CREATE TABLE IF NOT EXISTS \"m_review\" (\"id\" integer NOT NULL PRIMARY KEY "
    "AUTOINCREMENT, \"product_id\" integer NOT NULL);\n";

static const char pg_schema[] =
    "-- rflow:database default\n"
    "CREATE TABLE IF NOT EXISTS \"m_product\" (\"id\" serial NOT NULL PRIMARY KEY, "
    "\"name\" varchar(200) NOT NULL, \"note\" text NOT NULL DEFAULT 'a;b');\n"
    "CREATE INDEX IF NOT EXISTS \"m_product_name_idx\" ON \"m_product\" (\"name\");\n"
    "-- rflow:database reviews\n"
    "CREATE TABLE IF NOT EXISTS \"m_review\" (\"id\" serial NOT NULL PRIMARY KEY, "
    "\"product_id\" integer NOT NULL);\n";

static const rf_database_def shop_dbs[] = { { "default", NULL }, { "reviews", NULL } };

static const rf_app shop = {
    .abi = RF_ABI_VERSION, .name = "shop", .databases = shop_dbs, .ndatabases = 2,
    .schema_sql = { sqlite_schema, pg_schema },
    .auth_tables = { .user_table = "auth_user", .token_table = "authtoken_token", .db = 0 },
};

static const char *urls[2];

static void drop(rf_db *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS \"%s\"%s", table,
             rf_db_dialect(db) == RF_POSTGRES ? " CASCADE" : "");
    fx_exec(db, sql, NULL, 0);
}

static void manage_setup(void)
{
    fx_setup();
    static const char *const tables[] = { "authtoken_token", "auth_user", "m_product", "m_review" };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        drop(F.db, tables[i]);
        drop(F.db2, tables[i]);
    }
    urls[0] = getenv("RF_TEST_DB");
    urls[1] = getenv("RF_TEST_DB2");
}

static bool table_exists(rf_db *db, const char *table)
{
    rf_value name = RF_VTEXT(table);
    rf_result *r = fx_exec(db, rf_schema_table_exists_sql(rf_db_dialect(db)), &name, 1);
    return rf_result_nrows(r) == 1;
}

/* What a command printed on stdout and stderr, and its exit status. */
typedef struct output {
    int status;
    char text[512];
    char errors[512];
} output;

static int saved[2] = { -1, -1 }, files[2] = { -1, -1 };

static void capture_begin(void)
{
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        char path[] = "/tmp/rf-manage-XXXXXX";
        files[i] = mkstemp(path);
        unlink(path);
        saved[i] = dup(STDOUT_FILENO + i);
        dup2(files[i], STDOUT_FILENO + i);
    }
}

static void read_back(int i, char *buf, size_t size)
{
    dup2(saved[i], STDOUT_FILENO + i);
    close(saved[i]);
    ssize_t n = pread(files[i], buf, size - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    close(files[i]);
}

static void capture_end(output *out, int status)
{
    fflush(stdout);
    fflush(stderr);
    out->status = status;
    read_back(0, out->text, sizeof out->text);
    read_back(1, out->errors, sizeof out->errors);
}

#define CAPTURE(out, call) do { capture_begin(); capture_end((out), (call)); } while (0)

START_TEST(migrate_creates_what_is_missing_and_is_safe_twice)
{
    output out;
    CAPTURE(&out, rf_manage_migrate(&shop, urls));
    ck_assert_int_eq(out.status, 0);
    ck_assert_str_eq(out.text,
        "Database default: created table auth_user.\n"
        "Database default: created table authtoken_token.\n"
        "Database default: created table m_product.\n"
        "Database reviews: created table m_review.\n");
    ck_assert(table_exists(F.db, "m_product") && table_exists(F.db, "auth_user"));
    ck_assert(table_exists(F.db2, "m_review"));
    ck_assert(!table_exists(F.db2, "m_product") && !table_exists(F.db, "m_review"));
    ck_assert(!table_exists(F.db2, "auth_user"));

    CAPTURE(&out, rf_manage_migrate(&shop, urls));
    ck_assert_int_eq(out.status, 0);
    ck_assert_str_eq(out.text, "Database default: no tables to create.\n"
                               "Database reviews: no tables to create.\n");
}
END_TEST

START_TEST(migrate_keeps_what_exists)
{
    output out;
    CAPTURE(&out, rf_manage_migrate(&shop, urls));
    fx_exec(F.db, "INSERT INTO \"m_product\" (\"name\") VALUES ('kept')", NULL, 0);
    drop(F.db2, "m_review");
    CAPTURE(&out, rf_manage_migrate(&shop, urls));
    ck_assert_str_eq(out.text, "Database default: no tables to create.\n"
                               "Database reviews: created table m_review.\n");
    ck_assert_int_eq(fx_count(F.db, "m_product"), 1);
    rf_result *r = fx_exec(F.db, "SELECT \"note\" FROM \"m_product\"", NULL, 0);
    ck_assert_str_eq(rf_result_text(r, 0, 0), "a;b");
}
END_TEST

/* serve --migrate on an in-memory database: the worker's own connection. */
START_TEST(migrate_in_a_workers_memory_database)
{
    static const char schema[] =
        "CREATE TABLE IF NOT EXISTS \"m_product\" (\"id\" integer NOT NULL PRIMARY KEY "
        "AUTOINCREMENT, \"name\" varchar(200) NOT NULL)";
    static const rf_app solo = { .abi = RF_ABI_VERSION, .name = "solo",
                                 .schema_sql = { schema, NULL } };
    rf_test_env *env = rf_test_env_new(NULL, 2);
    ck_assert(rf_test_env_open_db(env, 0, "sqlite::memory:"));
    rf_db *db = rf_test_env_db(env, 0);
    output out;
    CAPTURE(&out, rf_manage_migrate_dbs(&solo, rf_test_env_base(env), &db));
    ck_assert_int_eq(out.status, 0);
    ck_assert_str_eq(out.text, "");
    CAPTURE(&out, rf_manage_migrate_dbs(&solo, rf_test_env_base(env), &db));
    ck_assert_int_eq(out.status, 0);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    rf_result *r = fx_exec_in(ctx, db, "SELECT COUNT(*) FROM \"m_product\", \"auth_user\"",
                              NULL, 0);
    ck_assert_int_eq(rf_result_error(r), RF_DB_OK);
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

START_TEST(createuser_stores_a_django_password_hash)
{
    output out;
    CAPTURE(&out, rf_manage_migrate(&shop, urls));
    CAPTURE(&out, rf_manage_createuser(&shop, urls, "ann", "s3cret", "ann@example.com", true));
    ck_assert_int_eq(out.status, 0);
    ck_assert_str_eq(out.text, "User 'ann' created (id 1, staff).\n");
    rf_result *r = fx_exec(F.db, "SELECT \"password\", \"is_staff\", \"is_superuser\", "
                                 "\"is_active\", \"email\", \"first_name\", \"last_login\" "
                                 "FROM \"auth_user\" WHERE \"username\" = 'ann'", NULL, 0);
    ck_assert_int_eq(rf_result_nrows(r), 1);
    ck_assert_int_eq(strncmp(rf_result_text(r, 0, 0), "pbkdf2_sha256$260000$", 21), 0);
    ck_assert(rf_password_check("s3cret", rf_result_text(r, 0, 0)));
    ck_assert(rf_result_bool(r, 0, 1));
    ck_assert(!rf_result_bool(r, 0, 2));
    ck_assert(rf_result_bool(r, 0, 3));
    ck_assert_str_eq(rf_result_text(r, 0, 4), "ann@example.com");
    ck_assert_str_eq(rf_result_text(r, 0, 5), "");
    ck_assert(rf_result_isnull(r, 0, 6));

    CAPTURE(&out, rf_manage_createuser(&shop, urls, "ann", "other", NULL, false));
    ck_assert_int_eq(out.status, 1);
    ck_assert_str_eq(out.errors, "error: That username is already taken.\n");
    ck_assert_int_eq(fx_count(F.db, "auth_user"), 1);
}
END_TEST

static bool is_hex_key(const char *s)
{
    if (strlen(s) != 41 || s[40] != '\n')
        return false;
    for (int i = 0; i < 40; i++)
        if (!strchr("0123456789abcdef", s[i]))
            return false;
    return true;
}

START_TEST(createtoken_prints_the_key)
{
    output out, again;
    CAPTURE(&out, rf_manage_migrate(&shop, urls));
    CAPTURE(&out, rf_manage_createuser(&shop, urls, "ann", "pw", NULL, false));
    CAPTURE(&out, rf_manage_createtoken(&shop, urls, "ann", NULL));
    ck_assert_int_eq(out.status, 0);
    ck_assert_msg(is_hex_key(out.text), "%s", out.text);
    CAPTURE(&again, rf_manage_createtoken(&shop, urls, "ann", NULL));
    ck_assert_str_eq(again.text, out.text);

    CAPTURE(&out, rf_manage_createtoken(&shop, urls, "ann", "fixed-key"));
    ck_assert_int_eq(out.status, 0);
    ck_assert_str_eq(out.text, "fixed-key\n");
    rf_result *r = fx_exec(F.db, "SELECT \"key\" FROM \"authtoken_token\"", NULL, 0);
    ck_assert_int_eq(rf_result_nrows(r), 1);
    ck_assert_str_eq(rf_result_text(r, 0, 0), "fixed-key");

    CAPTURE(&out, rf_manage_createtoken(&shop, urls, "nobody", NULL));
    ck_assert_int_eq(out.status, 1);
    ck_assert_str_eq(out.text, "");
    ck_assert_str_eq(out.errors, "error: user 'nobody' does not exist\n");
}
END_TEST

START_TEST(database_urls_resolve_from_flags_environment_and_spec)
{
    static const rf_database_def defs[] = { { "default", NULL }, { "reviews", "sqlite:r.db" } };
    rf_app app = { .name = "shop", .databases = defs, .ndatabases = 2 };
    const char *out[2];
    char err[256];

    unsetenv("DATABASE_URL");
    ck_assert(rf_manage_resolve_urls(&app, NULL, 0, out, err, sizeof err));
    ck_assert_str_eq(out[0], "sqlite:shop.db");
    ck_assert_str_eq(out[1], "sqlite:r.db");

    setenv("DATABASE_URL", "postgresql://db/shop", 1);
    ck_assert(rf_manage_resolve_urls(&app, NULL, 0, out, err, sizeof err));
    ck_assert_str_eq(out[0], "postgresql://db/shop");

    const char *args[] = { "sqlite::memory:", "reviews=postgresql://other/reviews" };
    ck_assert(rf_manage_resolve_urls(&app, args, 2, out, err, sizeof err));
    ck_assert_str_eq(out[0], "sqlite::memory:");
    ck_assert_str_eq(out[1], "postgresql://other/reviews");

    const char *named[] = { "default=sqlite:a.db" };
    ck_assert(rf_manage_resolve_urls(&app, named, 1, out, err, sizeof err));
    ck_assert_str_eq(out[0], "sqlite:a.db");

    const char *unknown[] = { "archive=sqlite:x.db" };
    ck_assert(!rf_manage_resolve_urls(&app, unknown, 1, out, err, sizeof err));
    ck_assert_str_eq(err, "--db archive=sqlite:x.db: the spec names no such database");

    static const rf_database_def no_url[] = { { "default", NULL }, { "reviews", NULL } };
    app.databases = no_url;
    ck_assert(!rf_manage_resolve_urls(&app, NULL, 0, out, err, sizeof err));
    ck_assert_str_eq(err, "no URL for database 'reviews': pass --db reviews=URL");
    unsetenv("DATABASE_URL");
}
END_TEST

Suite *make_db_manage_suite(void)
{
    Suite *s = suite_create("db_manage");
    TCase *tc = tcase_create("manage");
    tcase_add_checked_fixture(tc, manage_setup, fx_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, migrate_creates_what_is_missing_and_is_safe_twice);
    tcase_add_test(tc, migrate_keeps_what_exists);
    tcase_add_test(tc, migrate_in_a_workers_memory_database);
    tcase_add_test(tc, createuser_stores_a_django_password_hash);
    tcase_add_test(tc, createtoken_prints_the_key);
    suite_add_tcase(s, tc);
    TCase *urls_tc = tcase_create("urls");
    tcase_add_test(urls_tc, database_urls_resolve_from_flags_environment_and_spec);
    suite_add_tcase(s, urls_tc);
    return s;
}
