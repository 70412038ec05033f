/*
 * test_query.c: query descriptions compiled to each dialect (the exact SQL
 * text), placeholder numbering for PostgreSQL, the write classification
 * SQLite's write gate relies on.
 */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "testing.h"

typedef struct person {
    uint8_t rf_state[3];
    int64_t id;
    const char *name;
    int64_t boss;
} person;

typedef struct item {
    uint8_t rf_state[4];
    int64_t id;
    const char *name;
    int64_t owner;
    const char *uid;
} item;

#define NOLIMITS { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 }

static const rf_resource person_res;

static const rf_field person_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = offsetof(person, id), .limits = NOLIMITS },
    { .name = "name", .column = "name", .type = RF_F_CHAR, .index = 1,
      .offset = offsetof(person, name), .limits = NOLIMITS },
    { .name = "boss", .column = "boss_id", .type = RF_F_FOREIGNKEY, .flags = RF_FF_NULL,
      .index = 2, .offset = offsetof(person, boss), .limits = NOLIMITS,
      .fk_target = &person_res },
};

static const rf_resource person_res = {
    .name = "Person", .table = "people", .fields = person_fields, .nfields = 3,
    .rec_size = sizeof(person),
};

static const rf_field item_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = offsetof(item, id), .limits = NOLIMITS },
    { .name = "name", .column = "name", .type = RF_F_CHAR, .index = 1,
      .offset = offsetof(item, name), .limits = NOLIMITS },
    { .name = "owner", .column = "owner_id", .type = RF_F_FOREIGNKEY, .flags = RF_FF_NULL,
      .index = 2, .offset = offsetof(item, owner), .limits = NOLIMITS,
      .fk_target = &person_res },
    { .name = "uid", .column = "uid", .type = RF_F_UUID, .flags = RF_FF_NULL, .index = 3,
      .offset = offsetof(item, uid), .limits = NOLIMITS },
};

static const rf_resource item_res = {
    .name = "Item", .table = "my \"items\"", .fields = item_fields, .nfields = 4,
    .rec_size = sizeof(item),
};

static rf_test_env *env;
static rf_ctx *ctx;

static void setup(void)
{
    env = rf_test_env_new(NULL, 1);
    ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
}

static void teardown(void)
{
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}

#define COLUMNS "t.\"id\", t.\"name\", t.\"owner_id\", t.\"uid\""
#define FROM " FROM \"my \"\"items\"\"\" t"

START_TEST(plain_select_names_every_field)
{
    rf_query *q = rf_query_new(ctx, &item_res);
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, false), "SELECT " COLUMNS FROM);
    ck_assert_str_eq(rf_query_sql(q, RF_POSTGRES, false), "SELECT " COLUMNS FROM);
    ck_assert_str_eq(rf_query_sql(q, RF_POSTGRES, true), "SELECT COUNT(*)" FROM);
}
END_TEST

START_TEST(conditions_order_and_page)
{
    rf_query *q = rf_query_new(ctx, &item_res);
    rf_value like = RF_VTEXT("%lamp%");
    rf_query_where(q, "t.\"name\" LIKE ?", &like, 1);
    rf_query_where_eq(q, &item_fields[2], RF_VINT(7));
    rf_query_where_eq(q, &item_fields[3], RF_VNULL);
    rf_query_order_by(q, &item_fields[1], true);
    rf_query_order_by(q, &item_fields[0], false);
    rf_query_limit(q, 20, 40);
    const char *where = " WHERE (t.\"name\" LIKE ?) AND (t.\"owner_id\" = ?) AND (t.\"uid\" IS NULL)";
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, false),
                     "SELECT " COLUMNS FROM " WHERE (t.\"name\" LIKE ?) AND (t.\"owner_id\" = ?)"
                     " AND (t.\"uid\" IS NULL) ORDER BY t.\"name\" DESC, t.\"id\" LIMIT ? OFFSET ?");
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, true),
                     rf_sprintf(rf_ctx_arena(ctx), "SELECT COUNT(*)" FROM "%s", where));
    ck_assert_int_eq(rf_query_norder(q), 2);
    ck_assert_ptr_eq(rf_query_order(q)[1].field, &item_fields[0]);
}
END_TEST

START_TEST(offset_without_limit_per_dialect)
{
    rf_query *q = rf_query_new(ctx, &item_res);
    rf_query_limit(q, -1, 5);
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, false), "SELECT " COLUMNS FROM " LIMIT -1 OFFSET ?");
    ck_assert_str_eq(rf_query_sql(q, RF_POSTGRES, false), "SELECT " COLUMNS FROM " OFFSET ?");
}
END_TEST

START_TEST(uuid_equality_per_dialect)
{
    rf_query *q = rf_query_new(ctx, &item_res);
    rf_query_where_eq(q, &item_fields[3], RF_VTEXT("0f0e0d0c-0b0a-0908-0706-050403020100"));
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, true),
                     "SELECT COUNT(*)" FROM " WHERE (t.\"uid\" = replace(?, '-', ''))");
    ck_assert_str_eq(rf_query_sql(q, RF_POSTGRES, true),
                     "SELECT COUNT(*)" FROM " WHERE (t.\"uid\" = ?)");
}
END_TEST

START_TEST(joins_follow_foreign_keys)
{
    static const rf_join joins[] = {
        { .from = -1, .fk = &item_fields[2], .target = &person_res },
        { .from = 0, .fk = &person_fields[2], .target = &person_res },
    };
    rf_query *q = rf_query_new(ctx, &item_res);
    rf_query_joins(q, joins, 2);
    ck_assert_str_eq(rf_query_sql(q, RF_POSTGRES, false),
                     "SELECT " COLUMNS ", j0.\"id\", j0.\"name\", j0.\"boss_id\", j1.\"id\","
                     " j1.\"name\", j1.\"boss_id\"" FROM
                     " LEFT JOIN \"people\" j0 ON j0.\"id\" = t.\"owner_id\""
                     " LEFT JOIN \"people\" j1 ON j1.\"id\" = j0.\"boss_id\"");
    /* COUNT needs no join: conditions are over t */
    ck_assert_str_eq(rf_query_sql(q, RF_POSTGRES, true), "SELECT COUNT(*)" FROM);
}
END_TEST

START_TEST(select_columns_of_the_descriptor_are_used)
{
    rf_resource res = item_res;
    res.select_columns = "t.\"id\", t.\"name\", t.\"owner_id\", t.\"uid\" /* emitted */";
    rf_query *q = rf_query_new(ctx, &res);
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, false),
                     "SELECT t.\"id\", t.\"name\", t.\"owner_id\", t.\"uid\" /* emitted */" FROM);
}
END_TEST

START_TEST(placeholders_numbered_outside_quotes)
{
    char *sql = rf_sql_number_placeholders(
        "SELECT '?', 'it''s ?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?)");
    ck_assert_str_eq(sql, "SELECT '?', 'it''s ?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3)");
    free(sql);
}
END_TEST

START_TEST(only_selects_are_reads)
{
    ck_assert(!rf_sql_writes("SELECT 1"));
    ck_assert(!rf_sql_writes("  (select x FROM t)"));
    ck_assert(!rf_sql_writes("VALUES (1)"));
    ck_assert(rf_sql_writes("INSERT INTO t VALUES (1)"));
    ck_assert(rf_sql_writes("update t set a = 1"));
    ck_assert(rf_sql_writes("DELETE FROM t"));
    ck_assert(rf_sql_writes("WITH x AS (SELECT 1) DELETE FROM t"));
    ck_assert(rf_sql_writes("SELECTED"));
}
END_TEST

/* Identifiers are quoted, with a quote inside doubled, wherever it is. */
START_TEST(identifiers_are_quoted_with_quotes_doubled)
{
    const char *names[][2] = {
        { "price", "\"price\"" }, { "", "\"\"" }, { "a\"b", "\"a\"\"b\"" },
        { "\"", "\"\"\"\"" }, { "\"x\"\"", "\"\"\"x\"\"\"\"\"" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        rf_buf b;
        rf_buf_init(&b, NULL, 4);
        rf_sql_ident(&b, names[i][0]);
        ck_assert_str_eq(b.data, names[i][1]);
        rf_buf_release(&b);
    }
}
END_TEST

/* Equal texts hash equal; texts that differ in any byte, or only in
 * length past a multiple of eight, land apart here. */
START_TEST(sql_hash_reads_every_byte)
{
    const char *texts[] = { "", "a", "SELECT 1", "SELECT 12", "SELECT 1 ", "SELECT 2",
                            "SELECT \"id\" FROM \"t\" WHERE \"id\" = ?",
                            "SELECT \"id\" FROM \"t\" WHERE \"id\" = !" };
    size_t n = sizeof texts / sizeof texts[0];
    char copy[64];
    for (size_t i = 0; i < n; i++) {
        strcpy(copy, texts[i]);
        ck_assert_uint_eq(rf_sql_hash(copy), rf_sql_hash(texts[i]));
        for (size_t j = 0; j < i; j++)
            ck_assert_uint_ne(rf_sql_hash(texts[i]), rf_sql_hash(texts[j]));
    }
}
END_TEST

Suite *make_query_suite(void)
{
    Suite *s = suite_create("query");
    TCase *tc = tcase_create("sql");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, plain_select_names_every_field);
    tcase_add_test(tc, conditions_order_and_page);
    tcase_add_test(tc, offset_without_limit_per_dialect);
    tcase_add_test(tc, uuid_equality_per_dialect);
    tcase_add_test(tc, joins_follow_foreign_keys);
    tcase_add_test(tc, select_columns_of_the_descriptor_are_used);
    tcase_add_test(tc, placeholders_numbered_outside_quotes);
    tcase_add_test(tc, only_selects_are_reads);
    tcase_add_test(tc, identifiers_are_quoted_with_quotes_doubled);
    tcase_add_test(tc, sql_hash_reads_every_byte);
    suite_add_tcase(s, tc);
    return s;
}
