/*
 * fixture.c: descriptors, tables and helpers of the database suite.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "fixture.h"

fx F;

#define LIMITS(maxlen, digits, places) \
    { .max_length = maxlen, .min_length = -1, .max_digits = digits, .decimal_places = places }
#define NOLIMITS LIMITS(-1, -1, -1)
#define FIELD(rec, member, idx, ftype, col, lim, ...) \
    { .name = #member, .column = col, .verbose_name = #member, .type = ftype, \
      .index = idx, .offset = offsetof(rec, member), .limits = lim, __VA_ARGS__ }

const rf_field t_owner_fields[] = {
    FIELD(t_owner, id, 0, RF_F_AUTO, "id", NOLIMITS, .flags = RF_FF_PK),
    FIELD(t_owner, username, 1, RF_F_CHAR, "username", LIMITS(150, -1, -1),
          .flags = RF_FF_UNIQUE),
};

const rf_resource t_owner_res = {
    .name = "Owner", .verbose_name = "owner", .table = "t_owner",
    .fields = t_owner_fields, .nfields = 2, .pk = 0, .rec_size = sizeof(t_owner),
};

const rf_field t_product_fields[] = {
    FIELD(t_product, id, P_ID, RF_F_AUTO, "id", NOLIMITS, .flags = RF_FF_PK),
    FIELD(t_product, name, P_NAME, RF_F_CHAR, "name", NOLIMITS, .flags = RF_FF_UNIQUE),
    FIELD(t_product, price, P_PRICE, RF_F_DECIMAL, "price", LIMITS(-1, 10, 2)),
    FIELD(t_product, is_top, P_IS_TOP, RF_F_BOOLEAN, "is_top", NOLIMITS, .flags = RF_FF_HAS_DEFAULT),
    FIELD(t_product, owner, P_OWNER, RF_F_FOREIGNKEY, "owner_id", NOLIMITS, .flags = RF_FF_NULL,
          .fk_target = &t_owner_res, .on_delete = RF_SET_NULL),
    FIELD(t_product, created_at, P_CREATED_AT, RF_F_DATETIME, "created_at", NOLIMITS),
    FIELD(t_product, released, P_RELEASED, RF_F_DATE, "released", NOLIMITS, .flags = RF_FF_NULL),
    FIELD(t_product, weight, P_WEIGHT, RF_F_FLOAT, "weight", NOLIMITS, .flags = RF_FF_NULL),
    FIELD(t_product, meta, P_META, RF_F_JSON, "meta", NOLIMITS, .flags = RF_FF_NULL),
    FIELD(t_product, uid, P_UID, RF_F_UUID, "uid", NOLIMITS, .flags = RF_FF_NULL),
};

const rf_resource t_product_res = {
    .name = "Product", .verbose_name = "product", .table = "t_product",
    .fields = t_product_fields, .nfields = 10, .pk = 0, .rec_size = sizeof(t_product),
};

const rf_field t_review_fields[] = {
    FIELD(t_review, id, R_ID, RF_F_AUTO, "id", NOLIMITS, .flags = RF_FF_PK),
    FIELD(t_review, product, R_PRODUCT, RF_F_FOREIGNKEY, "product_id", NOLIMITS,
          .fk_target = &t_product_res, .on_delete = RF_CASCADE),
    FIELD(t_review, rating, R_RATING, RF_F_INTEGER, "rating", NOLIMITS),
    FIELD(t_review, comment, R_COMMENT, RF_F_TEXT, "comment", NOLIMITS),
    FIELD(t_review, created_at, R_CREATED_AT, RF_F_DATETIME, "created_at", NOLIMITS),
};

const rf_resource t_review_res = {
    .name = "Review", .verbose_name = "review", .table = "t_review",
    .fields = t_review_fields, .nfields = 5, .pk = 0, .rec_size = sizeof(t_review),
};

/* The same table in the second database (`database = reviews`). */
const rf_resource t_review2_res = {
    .name = "Review", .verbose_name = "review", .table = "t_review",
    .fields = t_review_fields, .nfields = 5, .pk = 0, .rec_size = sizeof(t_review), .db = 1,
};

/* ---------------------------------------------------------------------
 * Tables, as docs/persistence.md's conventions make them.
 */
static const char *const sqlite_tables[] = {
    "CREATE TABLE \"t_owner\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"username\" varchar(150) NOT NULL UNIQUE)",
    "CREATE TABLE \"t_product\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"name\" varchar(200) NOT NULL UNIQUE, \"price\" decimal NOT NULL, "
    "\"is_top\" bool NOT NULL DEFAULT 0, "
    "\"owner_id\" integer NULL REFERENCES \"t_owner\" (\"id\") ON DELETE SET NULL, "
    "\"created_at\" datetime NOT NULL, \"released\" date NULL, \"weight\" real NULL, "
    "\"meta\" text NULL CHECK ((JSON_VALID(\"meta\") OR \"meta\" IS NULL)), "
    "\"uid\" char(32) NULL)",
    "CREATE TABLE \"t_review\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"product_id\" integer NOT NULL REFERENCES \"t_product\" (\"id\") ON DELETE CASCADE, "
    "\"rating\" integer NOT NULL, \"comment\" text NOT NULL, \"created_at\" datetime NOT NULL)",
    "CREATE INDEX \"t_review_product_id_idx\" ON \"t_review\" (\"product_id\")",
    NULL
};

static const char *const pg_tables[] = {
    "CREATE TABLE \"t_owner\" (\"id\" serial NOT NULL PRIMARY KEY, "
    "\"username\" varchar(150) NOT NULL UNIQUE)",
    "CREATE TABLE \"t_product\" (\"id\" serial NOT NULL PRIMARY KEY, "
    "\"name\" varchar(200) NOT NULL UNIQUE, \"price\" numeric(10, 2) NOT NULL, "
    "\"is_top\" boolean NOT NULL DEFAULT false, "
    "\"owner_id\" integer NULL REFERENCES \"t_owner\" (\"id\") ON DELETE SET NULL, "
    "\"created_at\" timestamp with time zone NOT NULL, \"released\" date NULL, "
    "\"weight\" double precision NULL, \"meta\" jsonb NULL, \"uid\" uuid NULL)",
    "CREATE TABLE \"t_review\" (\"id\" serial NOT NULL PRIMARY KEY, "
    "\"product_id\" integer NOT NULL REFERENCES \"t_product\" (\"id\") ON DELETE CASCADE, "
    "\"rating\" integer NOT NULL, \"comment\" text NOT NULL, "
    "\"created_at\" timestamp with time zone NOT NULL)",
    "CREATE INDEX \"t_review_product_id_idx\" ON \"t_review\" (\"product_id\")",
    NULL
};

/* The second database has reviews only: no foreign key across databases. */
static const char *const sqlite_tables2[] = {
    "CREATE TABLE \"t_review\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"product_id\" integer NOT NULL, \"rating\" integer NOT NULL, "
    "\"comment\" text NOT NULL, \"created_at\" datetime NOT NULL)",
    NULL
};

static const char *const pg_tables2[] = {
    "CREATE TABLE \"t_review\" (\"id\" serial NOT NULL PRIMARY KEY, "
    "\"product_id\" integer NOT NULL, \"rating\" integer NOT NULL, "
    "\"comment\" text NOT NULL, \"created_at\" timestamp with time zone NOT NULL)",
    NULL
};

static void run_all(rf_db *db, const char *const *stmts)
{
    for (; *stmts; stmts++) {
        rf_result *r = fx_exec(db, *stmts, NULL, 0);
        ck_assert_msg(rf_result_error(r) == RF_DB_OK, "%s: %s", *stmts, rf_result_message(r));
    }
}

static void drop_tables(rf_db *db)
{
    /* t_note: test_groups.c's, dropped here too in case its test failed
     * before dropping it (it refers to t_owner). */
    static const char *const tables[] = { "t_note", "t_review", "t_product", "t_owner" };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS \"%s\"%s", tables[i],
                 rf_db_dialect(db) == RF_POSTGRES ? " CASCADE" : "");
        fx_exec(db, sql, NULL, 0);
    }
}

static rf_db *open_db(int index, const char *var)
{
    const char *url = getenv(var);
    ck_assert_msg(url != NULL, "%s is not set (run through tests/db/run.sh)", var);
    ck_assert(rf_test_env_open_db(F.env, index, url));
    return rf_test_env_db(F.env, index);
}

void fx_setup(void)
{
    F.env = rf_test_env_new(NULL, 4);
    F.db = open_db(0, "RF_TEST_DB");
    F.db2 = open_db(1, "RF_TEST_DB2");
    F.ctx = fx_ctx();
    drop_tables(F.db);
    drop_tables(F.db2);
    run_all(F.db, rf_db_dialect(F.db) == RF_SQLITE ? sqlite_tables : pg_tables);
    run_all(F.db2, rf_db_dialect(F.db2) == RF_SQLITE ? sqlite_tables2 : pg_tables2);
}

void fx_teardown(void)
{
    rf_test_ctx_free(F.ctx);
    rf_test_env_free(F.env);
    F = (fx){ 0 };
}

/* ---------------------------------------------------------------------
 * Running statements.
 */
void fx_answered(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)ctx;
    fx_answer *a = arg;
    a->res = res;
    a->done = true;
}

void fx_wait(bool *flag)
{
    while (!*flag)
        event_base_loop(rf_test_env_base(F.env), EVLOOP_ONCE);
}

rf_result *fx_exec_in(rf_ctx *ctx, rf_db *db, const char *sql, const rf_value *p, int n)
{
    fx_answer a = { 0 };
    rf_stmt stmt = { .sql = { sql, sql } };
    ck_assert_int_eq(rf_db_exec(ctx, db, &stmt, p, n, fx_answered, &a), RF_PENDING);
    while (!a.done)
        event_base_loop(db->base, EVLOOP_ONCE);    /* the env the db belongs to */
    return a.res;
}

rf_result *fx_exec(rf_db *db, const char *sql, const rf_value *p, int n)
{
    return fx_exec_in(F.ctx, db, sql, p, n);
}

rf_result *fx_exec2(rf_db *db, const char *sqlite, const char *pg, const rf_value *p, int n)
{
    return fx_exec(db, rf_db_dialect(db) == RF_SQLITE ? sqlite : pg, p, n);
}

static rf_result *control(rf_ctx *ctx, rf_db *db,
                          rf_rc (*fn)(rf_ctx *, rf_db *, rf_db_cb, void *))
{
    fx_answer a = { 0 };
    ck_assert_int_eq(fn(ctx, db, fx_answered, &a), RF_PENDING);
    fx_wait(&a.done);
    return a.res;
}

rf_result *fx_begin(rf_ctx *ctx, rf_db *db) { return control(ctx, db, rf_db_begin); }
rf_result *fx_commit(rf_ctx *ctx, rf_db *db) { return control(ctx, db, rf_db_commit); }
rf_result *fx_rollback(rf_ctx *ctx, rf_db *db) { return control(ctx, db, rf_db_rollback); }

rf_ctx *fx_ctx(void)
{
    return rf_test_ctx(F.env, &(rf_test_request){ .method = RF_GET, .target = "/" });
}

static int64_t inserted_id(rf_result *r)
{
    ck_assert_msg(rf_result_error(r) == RF_DB_OK, "%s", rf_result_message(r));
    ck_assert_int_eq(rf_result_nrows(r), 1);
    return rf_result_int(r, 0, 0);
}

int64_t fx_owner(const char *username)
{
    rf_value v = RF_VTEXT(username);
    return inserted_id(fx_exec(F.db, "INSERT INTO \"t_owner\" (\"username\") VALUES (?) "
                                     "RETURNING \"id\"", &v, 1));
}

int64_t fx_product(const char *name, const char *price, int64_t owner, int64_t created_at)
{
    rf_value v[] = {
        RF_VTEXT(name), { .type = RF_V_DECIMAL, .u.s = price }, RF_VBOOL(false),
        owner ? RF_VINT(owner) : RF_VNULL, { .type = RF_V_DATETIME, .u.i = created_at },
    };
    return inserted_id(fx_exec(F.db,
        "INSERT INTO \"t_product\" (\"name\", \"price\", \"is_top\", \"owner_id\", "
        "\"created_at\") VALUES (?, ?, ?, ?, ?) RETURNING \"id\"", v, 5));
}

int64_t fx_review(rf_db *db, int64_t product, int rating, const char *comment,
                  int64_t created_at)
{
    rf_value v[] = {
        RF_VINT(product), RF_VINT(rating), RF_VTEXT(comment),
        { .type = RF_V_DATETIME, .u.i = created_at },
    };
    return inserted_id(fx_exec(db,
        "INSERT INTO \"t_review\" (\"product_id\", \"rating\", \"comment\", \"created_at\") "
        "VALUES (?, ?, ?, ?) RETURNING \"id\"", v, 4));
}

int64_t fx_count(rf_db *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", table);
    rf_result *r = fx_exec(db, sql, NULL, 0);
    ck_assert_msg(rf_result_error(r) == RF_DB_OK, "%s", rf_result_message(r));
    return rf_result_int(r, 0, 0);
}

void fx_expect_response(rf_ctx *ctx, int status, const char *body)
{
    rf_test_finalize(ctx);
    ck_assert_int_eq(rf_test_status(ctx), status);
    ck_assert_str_eq(rf_test_body(ctx), body);
}

const char *fx_pg_cluster(void)
{
    const char *dir = getenv("RF_TEST_PG_CLUSTER");
    return dir && *dir ? dir : NULL;
}

void fx_cluster(const char *cmd)
{
    char line[1024];
    snprintf(line, sizeof line, "tests/pg/cluster.sh %s '%s' >/dev/null", cmd, fx_pg_cluster());
    ck_assert_int_eq(system(line), 0);
}
