/*
 * test_write_race.c: a unique value taken by a concurrent request between
 * the UniqueValidator's check and the write.  DRF's check would refuse it a
 * moment later, so the loser answers DRF's 400, not Django's
 * IntegrityError 500 (issue 7: racing duplicates give one 201 and 400s).
 *
 * The race is made deterministic: a perform_create / perform_update hook
 * stores the conflicting row itself, after validation and before the
 * write.  A real race between servers is in tests/security.
 *
 * Also here: a write by a request that outgrows --max-request-memory is
 * never committed, since that request is answered 503 (a client retrying
 * it would store it twice).
 */
#include <check.h>
#include <event2/event.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db_internal.h"
#include "generic.h"
#include "testing.h"

typedef struct w_slot {
    uint8_t rf_state[3];
    int64_t id;
    const char *name;
    const char *code;
} w_slot;

#define NOLIMITS { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 }

/* name is unique and checked by the serializer; code is unique in the
 * table only (no UniqueValidator covers it). */
static const rf_field slot_fields[] = {
    { .name = "id", .column = "id", .verbose_name = "ID", .type = RF_F_AUTO, .flags = RF_FF_PK,
      .index = 0, .offset = offsetof(w_slot, id), .limits = NOLIMITS },
    { .name = "name", .column = "name", .verbose_name = "slot name", .type = RF_F_CHAR,
      .flags = RF_FF_UNIQUE | RF_FF_EDITABLE, .index = 1, .offset = offsetof(w_slot, name),
      .limits = NOLIMITS },
    { .name = "code", .column = "code", .verbose_name = "code", .type = RF_F_CHAR,
      .flags = RF_FF_EDITABLE, .index = 2, .offset = offsetof(w_slot, code), .limits = NOLIMITS },
};

static const rf_resource slot_res = {
    .name = "Slot", .verbose_name = "time slot", .table = "w_slot", .fields = slot_fields,
    .nfields = 3, .pk = 0, .rec_size = sizeof(w_slot),
    .insert_sql = { "INSERT INTO \"w_slot\" (\"name\", \"code\") VALUES (?, ?) RETURNING \"id\"",
                    NULL },
    .update_sql = { "UPDATE \"w_slot\" SET \"name\" = ?, \"code\" = ? WHERE \"id\" = ?", NULL },
    .select_columns = "t.\"id\", t.\"name\", t.\"code\"",
};

static void render_slot(rf_buf *b, const rf_row *row)
{
    const w_slot *s = row->rec;
    rf_buf_printf(b, "{\"id\":%lld,\"name\":", (long long)s->id);
    rf_json_str(b, s->name);
    rf_buf_lit(b, ",\"code\":");
    rf_json_str(b, s->code);
    rf_buf_putc(b, '}');
}

static const rf_sfield slot_sfields[] = {
    { .name = "id", .label = "ID", .type = RF_F_AUTO, .flags = RF_SF_READ_ONLY, .limits = NOLIMITS,
      .index = 0, .offset = offsetof(w_slot, id), .model_field = &slot_fields[0] },
    { .name = "name", .label = "Name", .type = RF_F_CHAR, .flags = RF_SF_REQUIRED | RF_SF_UNIQUE,
      .limits = NOLIMITS, .index = 1, .offset = offsetof(w_slot, name),
      .model_field = &slot_fields[1] },
    { .name = "code", .label = "Code", .type = RF_F_CHAR, .flags = RF_SF_REQUIRED,
      .limits = NOLIMITS, .index = 2, .offset = offsetof(w_slot, code),
      .model_field = &slot_fields[2] },
};

static const rf_serializer slot_ser = {
    .name = "SlotSerializer", .model = &slot_res, .fields = slot_sfields, .nfields = 3,
    .rec_size = sizeof(w_slot), .render = render_slot,
};

/* The competitor: stores a row with the same name and code, committed,
 * while this request is between its validation and its write. */
static void competitor_stored(rf_ctx *ctx, rf_result *res, void *arg)
{
    (void)arg;
    rf_resume(ctx, rf_result_error(res) == RF_DB_OK ? RF_OK : RF_ERROR);
}

static rf_rc store_competitor(rf_ctx *ctx, void *obj)
{
    const w_slot *s = obj;
    static const rf_stmt insert = { .sql = {
        "INSERT INTO \"w_slot\" (\"name\", \"code\") VALUES (?, ?)", NULL } };
    rf_value params[] = { RF_VTEXT(s->name), RF_VTEXT(s->code) };
    return rf_db_exec(ctx, rf_ctx_db(ctx, 0), &insert, params, 2, competitor_stored, NULL);
}

static const rf_hook competitor = { "store_competitor", RF_ASYNC, { .obj = store_competitor } };

/* Deletes the w_parent row that a new slot refers to by default, after
 * validation and before the write: the INSERT passes (the key is checked
 * at COMMIT) and the COMMIT fails. */
static rf_rc orphan_the_slot(rf_ctx *ctx, void *obj)
{
    (void)obj;
    static const rf_stmt delete = { .sql = { "DELETE FROM \"w_parent\"", NULL } };
    return rf_db_exec(ctx, rf_ctx_db(ctx, 0), &delete, NULL, 0, competitor_stored, NULL);
}

static const rf_hook orphaner = { "orphan_the_slot", RF_ASYNC, { .obj = orphan_the_slot } };

static const rf_queryset all_slots = { .res = &slot_res };
static const rf_action create_act = {
    .name = "create", .kind = RF_ACT_CREATE, .request_serializer = &slot_ser,
    .response_serializer = &slot_ser, .queryset = &all_slots,
};
static const rf_action update_act = {
    .name = "update", .kind = RF_ACT_UPDATE, .request_serializer = &slot_ser,
    .response_serializer = &slot_ser, .queryset = &all_slots,
};
static const rf_view racing = {
    .name = "Slots", .kind = RF_VIEW_VIEWSET, .model = &slot_res, .lookup_url_kwarg = "pk",
    .perform_create = &competitor, .perform_update = &competitor,
};
static const rf_view orphaning = {
    .name = "Slots", .kind = RF_VIEW_VIEWSET, .model = &slot_res, .lookup_url_kwarg = "pk",
    .perform_create = &orphaner,
};
static const rf_view calm = {
    .name = "Slots", .kind = RF_VIEW_VIEWSET, .model = &slot_res, .lookup_url_kwarg = "pk",
};

static const rf_database_def databases[] = { { "default", NULL } };
static const rf_app app = { .abi = RF_ABI_VERSION, .name = "race", .databases = databases,
                            .ndatabases = 1, .num_proxies = -1 };

static rf_test_env *env;
static char dbpath[64];

typedef struct answer {
    bool done;
    rf_db_error err;
    int64_t count;
} answer;

static void answered(rf_ctx *ctx, rf_result *r, void *arg)
{
    (void)ctx;
    answer *a = arg;
    a->err = rf_result_error(r);
    a->count = a->err == RF_DB_OK && rf_result_nrows(r) ? rf_result_int(r, 0, 0) : -1;
    a->done = true;
}

/* Run one statement; its first column of its first row, if any. */
static int64_t sql(const char *text)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    answer a = { false, RF_DB_FAILED, -1 };
    rf_stmt stmt = { .sql = { text, text } };
    rf_db_exec(ctx, rf_test_env_db(env, 0), &stmt, NULL, 0, answered, &a);
    while (!a.done)
        event_base_loop(rf_test_env_base(env), EVLOOP_ONCE);
    ck_assert_msg(a.err == RF_DB_OK, "%s", text);
    rf_test_ctx_free(ctx);
    return a.count;
}

static void open_env(size_t max_request_memory)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/rf_write_race_%d.db", (int)getpid());
    unlink(dbpath);
    env = rf_test_env_new(&app, 2);
    rf_test_env_config(env)->max_request_memory = max_request_memory;
    char url[96];
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    ck_assert(rf_test_env_open_db(env, 0, url));
    /* parent_id: a key checked at COMMIT, that the serializer leaves to
     * its default (orphan_the_slot) */
    sql("CREATE TABLE \"w_parent\" (\"id\" integer NOT NULL PRIMARY KEY)");
    sql("INSERT INTO \"w_parent\" VALUES (1)");
    sql("CREATE TABLE \"w_slot\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
        "\"name\" varchar(20) NOT NULL UNIQUE, \"code\" varchar(20) NOT NULL UNIQUE, "
        "\"parent_id\" integer NULL DEFAULT 1 REFERENCES \"w_parent\" (\"id\") "
        "DEFERRABLE INITIALLY DEFERRED)");
    sql("INSERT INTO \"w_slot\" (\"name\", \"code\", \"parent_id\") "
        "VALUES ('early', 'e1', NULL)");
}

static void setup(void)
{
    open_env(0);
}

/* Requests get 256 KiB of arena. */
#define LIMIT (256 * 1024)

static void setup_limited(void)
{
    open_env(LIMIT);
}

static void teardown(void)
{
    rf_test_env_free(env);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char path[80];
        snprintf(path, sizeof path, "%s%s", dbpath, suffixes[i]);
        unlink(path);
    }
}

static rf_ctx *run(const rf_view *view, const rf_action *act, rf_method m, const char *pk,
                   const char *body)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = m, .target = "/slots/", .body = body, .view = view, .action = act,
        .headers = (const char *const[]){ "Content-Type: application/json", NULL },
        .kwargs = pk ? (const char *const[]){ "pk", pk, NULL } : NULL });
    rf_test_run(env, ctx, rf_generic_action);
    return ctx;
}

#define expect(ctx, status, body)                             \
    do {                                                      \
        rf_ctx *c_ = (ctx);                                   \
        ck_assert_int_eq(rf_test_status(c_), status);         \
        ck_assert_str_eq(rf_test_body(c_), body);             \
        rf_test_ctx_free(c_);                                 \
    } while (0)

START_TEST(create_losing_a_unique_race_is_drf_400)
{
    expect(run(&racing, &create_act, RF_POST, NULL, "{\"name\": \"late\", \"code\": \"c1\"}"),
           400, "{\"name\":[\"time slot with this slot name already exists.\"]}");
    /* The competitor's row stands; nothing of the loser was stored. */
    ck_assert_int_eq(sql("SELECT count(*) FROM \"w_slot\" WHERE \"name\" = 'late'"), 1);
    ck_assert_int_eq(sql("SELECT count(*) FROM \"w_slot\""), 2);
    /* The connection is usable again: the transaction was rolled back. */
    expect(run(&calm, &create_act, RF_POST, NULL, "{\"name\": \"next\", \"code\": \"c2\"}"),
           201, "{\"id\":3,\"name\":\"next\",\"code\":\"c2\"}");
}
END_TEST

START_TEST(update_losing_a_unique_race_is_drf_400)
{
    expect(run(&racing, &update_act, RF_PUT, "1", "{\"name\": \"taken\", \"code\": \"e2\"}"),
           400, "{\"name\":[\"time slot with this slot name already exists.\"]}");
    ck_assert_int_eq(sql("SELECT count(*) FROM \"w_slot\" WHERE \"id\" = 1 AND "
                         "\"name\" = 'early' AND \"code\" = 'e1'"), 1);
}
END_TEST

/* A violation of a constraint no serializer check covers is Django's
 * IntegrityError: 500, with nothing stored. */
START_TEST(unique_violation_no_check_covers_stays_500)
{
    expect(run(&calm, &create_act, RF_POST, NULL, "{\"name\": \"other\", \"code\": \"e1\"}"),
           500, "{\"detail\":\"A server error occurred.\"}");
    ck_assert_int_eq(sql("SELECT count(*) FROM \"w_slot\""), 1);
}
END_TEST

/* A body whose text alone outgrows the arena: refused before any write. */
START_TEST(create_past_the_memory_limit_writes_nothing)
{
    rf_buf body;
    rf_buf_init(&body, NULL, LIMIT + 64);
    rf_buf_lit(&body, "{\"name\": \"");
    for (int i = 0; i < LIMIT; i++)
        rf_buf_putc(&body, 'n');
    rf_buf_lit(&body, "\", \"code\": \"big\"}");
    rf_buf_putc(&body, '\0');
    expect(run(&calm, &create_act, RF_POST, NULL, body.data), 503,
           "{\"detail\":\"Service temporarily unavailable, try again later.\"}");
    ck_assert_int_eq(sql("SELECT count(*) FROM \"w_slot\""), 1);
    rf_buf_release(&body);
}
END_TEST

/* A body that fits, whose row, read back and rendered after the INSERT,
 * does not: the INSERT is rolled back. */
START_TEST(create_outgrowing_the_limit_after_its_write_is_rolled_back)
{
    rf_buf body;
    rf_buf_init(&body, NULL, LIMIT / 2);
    rf_buf_lit(&body, "{\"name\": \"");
    for (int i = 0; i < LIMIT / 5; i++)
        rf_buf_putc(&body, 'm');
    rf_buf_lit(&body, "\", \"code\": \"mid\"}");
    rf_buf_putc(&body, '\0');
    expect(run(&calm, &create_act, RF_POST, NULL, body.data), 503,
           "{\"detail\":\"Service temporarily unavailable, try again later.\"}");
    ck_assert_int_eq(sql("SELECT count(*) FROM \"w_slot\""), 1);
    /* The rollback undid the INSERT and its id. */
    expect(run(&calm, &create_act, RF_POST, NULL, "{\"name\": \"small\", \"code\": \"s\"}"), 201,
           "{\"id\":2,\"name\":\"small\",\"code\":\"s\"}");
    rf_buf_release(&body);
}
END_TEST

static uint64_t trips_since(uint64_t *last)
{
    uint64_t now = rf_db_trips(rf_test_env_db(env, 0)), trips = now - *last;
    *last = now;
    return trips;
}

/* A COMMIT that fails when it goes along with the write (a key checked
 * at COMMIT) is Django's IntegrityError, 500, with nothing stored; the
 * connection and the write lock are free again. */
START_TEST(create_whose_commit_fails_along_stores_nothing)
{
    uint64_t last = 0;
    trips_since(&last);
    expect(run(&orphaning, &create_act, RF_POST, NULL, "{\"name\": \"orphan\", \"code\": \"o\"}"),
           500, "{\"detail\":\"A server error occurred.\"}");
    /* the unique check, the hook's DELETE, the INSERT with its reload and
     * its COMMIT */
    ck_assert_int_eq(trips_since(&last), 3);
    ck_assert_int_eq(sql("SELECT count(*) FROM \"w_slot\""), 1);
    sql("INSERT INTO \"w_parent\" VALUES (1)");
    expect(run(&calm, &create_act, RF_POST, NULL, "{\"name\": \"adopted\", \"code\": \"a\"}"),
           201, "{\"id\":2,\"name\":\"adopted\",\"code\":\"a\"}");
}
END_TEST

/* The COMMIT goes along with the INSERT and its reload when the row
 * provably renders within the request's memory (generic.c,
 * commit_budget): the unique check, then one trip.  A row that may not
 * fit takes the long way (the COMMIT after rendering), so the answer and
 * the database agree whatever the size: a 201 and the row stored, or a
 * 503 and nothing.  Names of control characters (six bytes each in JSON)
 * of growing length cross from one way to the other. */
START_TEST(create_commits_with_its_write_only_when_the_row_fits)
{
    uint64_t last = 0;
    trips_since(&last);
    int along = 0, long_way = 0;
    for (int n = LIMIT / 64; n <= LIMIT / 8; n += LIMIT / 128) {
        rf_buf body;
        rf_buf_init(&body, NULL, 6 * (size_t)n + 64);
        rf_buf_lit(&body, "{\"name\": \"");
        for (int i = 0; i < n; i++)
            rf_buf_lit(&body, "\\u0001");
        rf_buf_printf(&body, "\", \"code\": \"c%d\"}", n);
        rf_ctx *ctx = run(&calm, &create_act, RF_POST, NULL, body.data);
        uint64_t trips = trips_since(&last);
        int status = rf_test_status(ctx);
        rf_test_ctx_free(ctx);
        rf_buf_release(&body);
        char count[80];
        snprintf(count, sizeof count, "SELECT count(*) FROM \"w_slot\" WHERE \"code\" = 'c%d'", n);
        int64_t stored = sql(count);
        trips_since(&last);
        ck_assert_msg((status == 201 && stored == 1) || (status == 503 && stored == 0),
                      "n=%d: %d with %lld stored", n, status, (long long)stored);
        if (trips == 2) {
            ck_assert_int_eq(status, 201);
            along++;
        } else if (trips == 3) {            /* the unique check, the write, the end */
            long_way++;
        } else {                            /* refused before writing */
            ck_assert_int_eq(status, 503);
        }
    }
    ck_assert_int_gt(along, 0);
    ck_assert_int_gt(long_way, 0);
}
END_TEST

Suite *make_write_race_suite(void)
{
    Suite *s = suite_create("write_race");
    TCase *tc = tcase_create("unique");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_losing_a_unique_race_is_drf_400);
    tcase_add_test(tc, update_losing_a_unique_race_is_drf_400);
    tcase_add_test(tc, unique_violation_no_check_covers_stays_500);
    tcase_add_test(tc, create_whose_commit_fails_along_stores_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("memory_limit");
    tcase_add_checked_fixture(tc, setup_limited, teardown);
    tcase_add_test(tc, create_past_the_memory_limit_writes_nothing);
    tcase_add_test(tc, create_outgrowing_the_limit_after_its_write_is_rolled_back);
    tcase_add_test(tc, create_commits_with_its_write_only_when_the_row_fits);
    suite_add_tcase(s, tc);
    return s;
}
