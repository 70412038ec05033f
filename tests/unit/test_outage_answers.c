/*
 * test_outage_answers.c: a database that cannot be reached answers every
 * request that needs it with the same 503 (rf_db_fail's {"detail":"Service
 * temporarily unavailable."}), whichever step met the outage: here the
 * token lookup of TokenAuthentication and the key check of a ForeignKey
 * filter.  (They answered 503 with "A server error occurred." before.)
 *
 * The database is PostgreSQL on a port nothing listens on: every
 * connection attempt is refused at once.
 */
#include <check.h>
#include <stddef.h>

#include "testing.h"

#define UNAVAILABLE "{\"detail\":\"Service temporarily unavailable.\"}"
#define UNREACHABLE "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
#define NOLIMITS { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 }

typedef struct o_owner {
    uint8_t rf_state[1];
    int64_t id;
} o_owner;

typedef struct o_pet {
    uint8_t rf_state[2];
    int64_t id;
    int64_t owner;
} o_pet;

static const rf_field owner_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = offsetof(o_owner, id), .limits = NOLIMITS },
};
static const rf_resource owner_res = {
    .name = "Owner", .table = "o_owner", .fields = owner_fields, .nfields = 1,
    .rec_size = sizeof(o_owner),
};

static const rf_field pet_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = offsetof(o_pet, id), .limits = NOLIMITS },
    { .name = "owner", .column = "owner_id", .type = RF_F_FOREIGNKEY, .index = 1,
      .offset = offsetof(o_pet, owner), .limits = NOLIMITS, .fk_target = &owner_res },
};
static const rf_resource pet_res = {
    .name = "Pet", .table = "o_pet", .fields = pet_fields, .nfields = 2,
    .rec_size = sizeof(o_pet), .select_columns = "t.\"id\", t.\"owner_id\"",
};

static rf_rc answer_ok(rf_ctx *ctx)
{
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{}");
    return rf_respond_json(ctx, 200, b);
}

static const rf_authenticator *const token_only[] = { &rf_token_authentication };
static const rf_action get_action = {
    .name = "get", .kind = RF_ACT_HANDLER, .handler = { "answer_ok", RF_SYNC, { .ctx = answer_ok } },
};
static const rf_view secured = {
    .name = "Secured", .kind = RF_VIEW_API, .authenticators = token_only, .nauthenticators = 1,
};
static const rf_route routes[] = {
    { .pattern = "secured/", .view = &secured, .by_method = { [RF_GET] = &get_action } },
};
static const rf_database_def databases[] = { { "default", NULL } };
static const rf_app app = {
    .abi = RF_ABI_VERSION, .name = "outage", .routes = routes, .nroutes = 1,
    .databases = databases, .ndatabases = 1, .num_proxies = -1,
};

static const rf_field *const filterset[] = { &pet_fields[1] };
static const rf_filters by_owner = {
    .backends = RF_FILTER_DJANGO, .filterset_fields = filterset, .nfilterset_fields = 1,
};
static const rf_view pets = { .name = "Pets", .kind = RF_VIEW_GENERIC, .model = &pet_res,
                              .filters = &by_owner };
static const rf_action list_action = { .name = "list", .kind = RF_ACT_LIST };

static rf_test_env *env;

static void setup(void)
{
    env = rf_test_env_new(&app, 2);
    ck_assert(rf_test_env_open_db(env, 0, UNREACHABLE));
}

static void teardown(void)
{
    rf_test_env_free(env);
}

START_TEST(token_lookup_during_an_outage_is_503)
{
    rf_ctx *ctx = rf_test_dispatch(env, &(rf_test_request){
        .method = RF_GET, .target = "/secured/",
        .headers = (const char *const[]){
            "Authorization: Token 0123456789abcdef0123456789abcdef01234567", NULL } });
    ck_assert_int_eq(rf_test_status(ctx), 503);
    ck_assert_str_eq(rf_test_body(ctx), UNAVAILABLE);
    rf_test_ctx_free(ctx);
}
END_TEST

static rf_rc apply_filters(rf_ctx *ctx)
{
    rf_query *q = rf_query_new(ctx, &pet_res);
    return rf_filters_apply_async(ctx, &by_owner, q, rf_resume);
}

START_TEST(foreign_key_filter_during_an_outage_is_503)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_GET, .target = "/pets/?owner=7", .view = &pets, .action = &list_action });
    ck_assert_int_eq(rf_test_run(env, ctx, apply_filters), RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 503);
    ck_assert_str_eq(rf_test_body(ctx), UNAVAILABLE);
    rf_test_ctx_free(ctx);
}
END_TEST

Suite *make_outage_answers_suite(void)
{
    Suite *s = suite_create("outage_answers");
    TCase *tc = tcase_create("unreachable");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, token_lookup_during_an_outage_is_503);
    tcase_add_test(tc, foreign_key_filter_during_an_outage_is_503);
    suite_add_tcase(s, tc);
    return s;
}
