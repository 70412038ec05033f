/*
 * test_generic.c: the generic pipelines (list, retrieve, create, update,
 * partial_update, destroy) and the helpers for hand-written views, on a
 * real SQLite database with hand-written descriptors, through the core's
 * testing harness.  Statuses and bodies are asserted exactly, as DRF 3.14
 * answers the same requests (the messages are its texts).
 */
#include <check.h>
#include <event2/event.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_internal.h"
#include "generic.h"
#include "testing.h"

/* ---------------------------------------------------------------------
 * Resources: Maker, Product (a ForeignKey to Maker, PROTECT), Review (a
 * ForeignKey to Product, CASCADE).
 */
typedef struct g_maker {
    uint8_t rf_state[2];
    int64_t id;
    const char *name;
} g_maker;

typedef struct g_product {
    uint8_t rf_state[8];
    int64_t id;
    const char *name;
    const char *description;
    const char *price;
    bool is_top;
    int64_t maker;
    int64_t created_at;
    int64_t updated_at;
} g_product;
enum { P_ID, P_NAME, P_DESC, P_PRICE, P_TOP, P_MAKER, P_CREATED, P_UPDATED };

typedef struct g_review {
    uint8_t rf_state[5];
    int64_t id;
    int64_t product;
    int64_t rating;
    const char *comment;
    int64_t created_at;
} g_review;
enum { R_ID, R_PRODUCT, R_RATING, R_COMMENT, R_CREATED };

#define LIMITS(len, digits, places) \
    { .max_length = len, .min_length = -1, .max_digits = digits, .decimal_places = places }
#define NOLIMITS LIMITS(-1, -1, -1)
#define FIELD(rec, member, idx, ftype, col, lim, ...) \
    { .name = #member, .column = col, .verbose_name = #member, .type = ftype, \
      .index = idx, .offset = offsetof(rec, member), .limits = lim, __VA_ARGS__ }

static const rf_field maker_fields[] = {
    FIELD(g_maker, id, 0, RF_F_AUTO, "id", NOLIMITS, .flags = RF_FF_PK),
    FIELD(g_maker, name, 1, RF_F_CHAR, "name", NOLIMITS),
};
static const rf_resource maker_res = {
    .name = "Maker", .verbose_name = "maker", .table = "g_maker", .fields = maker_fields,
    .nfields = 2, .pk = 0, .rec_size = sizeof(g_maker),
    .delete_sql = { "DELETE FROM \"g_maker\" WHERE \"id\" = ?", NULL },
};

static const rf_field product_fields[] = {
    FIELD(g_product, id, P_ID, RF_F_AUTO, "id", NOLIMITS, .flags = RF_FF_PK),
    FIELD(g_product, name, P_NAME, RF_F_CHAR, "name", LIMITS(20, -1, -1), .flags = RF_FF_UNIQUE),
    FIELD(g_product, description, P_DESC, RF_F_TEXT, "description", NOLIMITS,
          .flags = RF_FF_BLANK | RF_FF_HAS_DEFAULT, .default_value = RF_VTEXT("")),
    FIELD(g_product, price, P_PRICE, RF_F_DECIMAL, "price", LIMITS(-1, 10, 2)),
    FIELD(g_product, is_top, P_TOP, RF_F_BOOLEAN, "is_top", NOLIMITS, .flags = RF_FF_HAS_DEFAULT,
          .default_value = RF_VBOOL(false)),
    FIELD(g_product, maker, P_MAKER, RF_F_FOREIGNKEY, "maker_id", NOLIMITS, .flags = RF_FF_NULL,
          .fk_target = &maker_res, .on_delete = RF_PROTECT),
    FIELD(g_product, created_at, P_CREATED, RF_F_DATETIME, "created_at", NOLIMITS,
          .flags = RF_FF_AUTO_NOW_ADD),
    FIELD(g_product, updated_at, P_UPDATED, RF_F_DATETIME, "updated_at", NOLIMITS, .flags = RF_FF_AUTO_NOW),
};
static const rf_resource product_res = {
    .name = "Product", .verbose_name = "product", .table = "g_product",
    .fields = product_fields, .nfields = 8, .pk = 0, .rec_size = sizeof(g_product),
    .insert_sql = {
        "INSERT INTO \"g_product\" (\"name\", \"description\", \"price\", \"is_top\", "
        "\"maker_id\", \"created_at\", \"updated_at\") VALUES (?, ?, ?, ?, ?, ?, ?) "
        "RETURNING \"id\"", NULL },
    .update_sql = {
        "UPDATE \"g_product\" SET \"name\" = ?, \"description\" = ?, \"price\" = ?, "
        "\"is_top\" = ?, \"maker_id\" = ?, \"created_at\" = ?, \"updated_at\" = ? "
        "WHERE \"id\" = ?", NULL },
    .delete_sql = { "DELETE FROM \"g_product\" WHERE \"id\" = ?", NULL },
};

static const rf_field review_fields[] = {
    FIELD(g_review, id, R_ID, RF_F_AUTO, "id", NOLIMITS, .flags = RF_FF_PK),
    FIELD(g_review, product, R_PRODUCT, RF_F_FOREIGNKEY, "product_id", NOLIMITS, .fk_target = &product_res,
          .on_delete = RF_CASCADE),
    FIELD(g_review, rating, R_RATING, RF_F_INTEGER, "rating", NOLIMITS),
    FIELD(g_review, comment, R_COMMENT, RF_F_TEXT, "comment", NOLIMITS),
    FIELD(g_review, created_at, R_CREATED, RF_F_DATETIME, "created_at", NOLIMITS),
};
static const rf_resource review_res = {
    .name = "Review", .verbose_name = "review", .table = "g_review", .fields = review_fields,
    .nfields = 5, .pk = 0, .rec_size = sizeof(g_review),
};

/* A UUID kept as Django keeps it on SQLite: 32 hex digits. */
typedef struct g_tag {
    uint8_t rf_state[2];
    int64_t id;
    const char *code;
} g_tag;

static const rf_field tag_fields[] = {
    FIELD(g_tag, id, 0, RF_F_AUTO, "id", NOLIMITS, .flags = RF_FF_PK),
    FIELD(g_tag, code, 1, RF_F_UUID, "code", NOLIMITS, .flags = RF_FF_UNIQUE),
};
static const rf_resource tag_res = {
    .name = "Tag", .verbose_name = "tag", .table = "g_tag", .fields = tag_fields,
    .nfields = 2, .pk = 0, .rec_size = sizeof(g_tag),
    .insert_sql = { "INSERT INTO \"g_tag\" (\"code\") VALUES (replace(?, '-', '')) "
                    "RETURNING \"id\"", NULL },
};

static const char *const tables[] = {
    "CREATE TABLE \"g_tag\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"code\" char(32) NOT NULL UNIQUE)",
    "CREATE TABLE \"g_maker\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"name\" varchar(50) NOT NULL)",
    "CREATE TABLE \"g_product\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"name\" varchar(20) NOT NULL UNIQUE, \"description\" text NOT NULL, "
    "\"price\" decimal NOT NULL, \"is_top\" bool NOT NULL, "
    "\"maker_id\" integer NULL REFERENCES \"g_maker\" (\"id\") ON DELETE RESTRICT, "
    "\"created_at\" datetime NOT NULL, \"updated_at\" datetime NOT NULL)",
    "CREATE TABLE \"g_review\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"product_id\" integer NOT NULL REFERENCES \"g_product\" (\"id\") ON DELETE CASCADE, "
    "\"rating\" integer NOT NULL, \"comment\" text NOT NULL, \"created_at\" datetime NOT NULL)",
    NULL
};

/* ---------------------------------------------------------------------
 * Serializers, with render functions written as the compiler emits them.
 */
static void render_review_brief(rf_buf *b, const rf_row *row)
{
    const g_review *r = row->rec;
    rf_buf_lit(b, "{\"id\":");
    rf_json_i64(b, r->id);
    rf_buf_lit(b, ",\"rating\":");
    rf_json_i64(b, r->rating);
    rf_buf_lit(b, ",\"comment\":");
    rf_json_str(b, r->comment);
    rf_buf_putc(b, '}');
}

static const rf_sfield review_brief_fields[] = {
    { .name = "id", .type = RF_F_INTEGER, .flags = RF_SF_READ_ONLY, .limits = NOLIMITS },
    { .name = "rating", .type = RF_F_INTEGER, .flags = RF_SF_REQUIRED, .limits = NOLIMITS },
    { .name = "comment", .type = RF_F_CHAR, .flags = RF_SF_REQUIRED, .limits = NOLIMITS },
};
static const rf_serializer review_brief = {
    .name = "ReviewBrief", .fields = review_brief_fields, .nfields = 3,
    .rec_size = sizeof(g_review), .render = render_review_brief,
};

static void render_product(rf_buf *b, const rf_row *row)
{
    const g_product *p = row->rec;
    const g_maker *m = row->joined ? row->joined[0] : NULL;
    rf_buf_lit(b, "{\"id\":");
    rf_json_i64(b, p->id);
    rf_buf_lit(b, ",\"name\":");
    rf_json_str(b, p->name);
    rf_buf_lit(b, ",\"description\":");
    rf_json_str(b, p->description);
    rf_buf_lit(b, ",\"price\":");
    rf_json_decimal(b, p->price, 2);
    rf_buf_lit(b, ",\"is_top\":");
    rf_json_bool(b, p->is_top);
    rf_buf_lit(b, ",\"maker\":");
    if (RF_IS_NULL(p, P_MAKER))
        rf_json_null(b);
    else
        rf_json_i64(b, p->maker);
    rf_buf_lit(b, ",\"maker_name\":");
    if (m)
        rf_json_str(b, m->name);
    else
        rf_json_null(b);
    rf_buf_lit(b, ",\"latest_review\":");
    if (row->attach && row->attach[0].n)
        render_review_brief(b, &(rf_row){ .rec = row->attach[0].recs[0] });
    else
        rf_json_null(b);
    rf_buf_putc(b, '}');
}

static rf_rc validate_price(rf_ctx *ctx, void *obj)
{
    const g_product *p = obj;
    if (!RF_IS_NULL(p, P_PRICE) && strtod(p->price, NULL) == 0)
        return rf_raise(ctx, "price", "A product cannot be free.");
    return RF_OK;
}

static rf_rc validate_product(rf_ctx *ctx, void *obj)
{
    const g_product *p = obj;
    if (RF_IS_SET(p, P_NAME) && RF_IS_SET(p, P_DESC) && strcmp(p->name, p->description) == 0)
        return rf_raise(ctx, NULL, "Name and description must differ.");
    return RF_OK;
}

static const rf_hook validate_price_hook = { "validate_price", RF_SYNC, { .obj = validate_price } };
static const rf_hook validate_product_hook = { "validate_product", RF_SYNC,
                                               { .obj = validate_product } };
static const rf_hook *const product_field_hooks[] = {
    NULL, NULL, NULL, &validate_price_hook, NULL, NULL, NULL, NULL
};
static const rf_hook *const product_validators[] = { &validate_product_hook };

static const rf_join product_joins[] = { { -1, &product_fields[P_MAKER], &maker_res } };

static const rf_sfield product_sfields[] = {
    { .name = "id", .type = RF_F_AUTO, .flags = RF_SF_READ_ONLY, .limits = NOLIMITS,
      .index = P_ID, .offset = offsetof(g_product, id), .model_field = &product_fields[P_ID] },
    { .name = "name", .type = RF_F_CHAR, .flags = RF_SF_REQUIRED | RF_SF_UNIQUE,
      .limits = LIMITS(20, -1, -1), .index = P_NAME, .offset = offsetof(g_product, name), .model_field = &product_fields[P_NAME] },
    { .name = "description", .type = RF_F_TEXT, .flags = RF_SF_ALLOW_BLANK, .limits = NOLIMITS,
      .index = P_DESC, .offset = offsetof(g_product, description),
      .model_field = &product_fields[P_DESC] },
    { .name = "price", .type = RF_F_DECIMAL, .flags = RF_SF_REQUIRED,
      .limits = { .max_length = -1, .min_length = -1, .max_digits = 10, .decimal_places = 2,
                  .min_value = "0" },
      .index = P_PRICE, .offset = offsetof(g_product, price),
      .model_field = &product_fields[P_PRICE] },
    { .name = "is_top", .type = RF_F_BOOLEAN, .limits = NOLIMITS, .index = P_TOP,
      .offset = offsetof(g_product, is_top), .model_field = &product_fields[P_TOP] },
    { .name = "maker", .type = RF_F_FOREIGNKEY, .flags = RF_SF_ALLOW_NULL, .limits = NOLIMITS,
      .index = P_MAKER, .offset = offsetof(g_product, maker),
      .model_field = &product_fields[P_MAKER] },
    { .name = "maker_name", .type = RF_F_CHAR, .flags = RF_SF_READ_ONLY, .limits = NOLIMITS,
      .source = RF_SRC_JOIN, .join = 0 },
    { .name = "latest_review", .type = RF_F_NESTED, .flags = RF_SF_READ_ONLY | RF_SF_ALLOW_NULL,
      .limits = NOLIMITS, .source = RF_SRC_ATTACH, .slot = 0, .nested = &review_brief },
};
static const rf_serializer product_ser = {
    .name = "ProductSerializer", .model = &product_res, .fields = product_sfields, .nfields = 8,
    .rec_size = sizeof(g_product), .joins = product_joins, .njoins = 1,
    .render = render_product, .field_hooks = product_field_hooks,
    .validators = product_validators, .nvalidators = 1,
};

/* The create-only request serializer: name, description, price. */
static const rf_serializer product_create_ser = {
    .name = "ProductCreate", .model = &product_res, .fields = product_sfields + 1, .nfields = 3,
    .rec_size = sizeof(g_product), .render = render_product,
};

static void render_tag(rf_buf *b, const rf_row *row)
{
    const g_tag *t = row->rec;
    rf_buf_lit(b, "{\"id\":");
    rf_json_i64(b, t->id);
    rf_buf_lit(b, ",\"code\":");
    rf_json_str(b, t->code);
    rf_buf_putc(b, '}');
}

static const rf_sfield tag_sfields[] = {
    { .name = "id", .type = RF_F_AUTO, .flags = RF_SF_READ_ONLY, .limits = NOLIMITS,
      .index = 0, .offset = offsetof(g_tag, id), .model_field = &tag_fields[0] },
    { .name = "code", .type = RF_F_UUID, .flags = RF_SF_REQUIRED | RF_SF_UNIQUE,
      .limits = NOLIMITS, .index = 1, .offset = offsetof(g_tag, code),
      .model_field = &tag_fields[1] },
};
static const rf_serializer tag_ser = {
    .name = "TagSerializer", .model = &tag_res, .fields = tag_sfields, .nfields = 2,
    .rec_size = sizeof(g_tag), .render = render_tag,
};

/* ---------------------------------------------------------------------
 * Policies, PostFetch, views.
 */
static const rf_paginator pages = {
    .name = "Pages", .kind = RF_PAGE_NUMBER, .page_size = 2, .page_query_param = "page",
    .last_page_strings = (const char *const[]){ "last", NULL },
};

static const uint16_t review_values[] = { R_ID, R_RATING, R_COMMENT };
static const rf_order review_order[] = { { &review_fields[R_CREATED], true } };
static const rf_postfetch latest_review = {
    .name = "LatestReview", .res = &review_res, .related_key = &review_fields[R_PRODUCT],
    .base_key = &product_fields[P_ID], .values = review_values, .nvalues = 3,
    .order = review_order, .norder = 1, .limit = 1, .slot = 0,
};
static const rf_postfetch *const post_fetches[] = { &latest_review };

/* Object permission: only products of maker 1 may be changed. */
static rf_rc maker_one_only(rf_ctx *ctx, void *obj)
{
    (void)ctx;
    const g_product *p = obj;
    return !RF_IS_NULL(p, P_MAKER) && p->maker == 1 ? RF_OK : RF_ERROR;
}
static const rf_permission maker_one = {
    .name = "MakerOne", .has_object_permission_set = true,
    .has_object_permission = { "maker_one_only", RF_SYNC, { .obj = maker_one_only } },
};
static const rf_perm_expr maker_one_expr = { .op = RF_P_LEAF, .leaf = &maker_one };
static const rf_perm_expr *const change_perms[] = { &maker_one_expr };

static rf_rc stamp_maker(rf_ctx *ctx, void *obj)
{
    rf_record_set(rf_ctx_arena(ctx), obj, &product_fields[P_MAKER], RF_VINT(2));
    return RF_OK;
}
static const rf_hook stamp_maker_hook = { "stamp_maker", RF_SYNC, { .obj = stamp_maker } };

static const rf_queryset all_products = { .res = &product_res,
    .order = (const rf_order[]){ { &product_fields[P_ID], false } }, .norder = 1 };

#define ACTION(nm, k, ...) \
    { .name = nm, .kind = k, .request_serializer = &product_ser, \
      .response_serializer = &product_ser, .queryset = &all_products, __VA_ARGS__ }

static const rf_action list_act = ACTION("list", RF_ACT_LIST, .paginator = &pages,
                                         .post_fetches = post_fetches, .npost_fetches = 1);
static const rf_action plain_list_act = ACTION("list", RF_ACT_LIST);
static const rf_action retrieve_act = ACTION("retrieve", RF_ACT_RETRIEVE,
                                             .post_fetches = post_fetches, .npost_fetches = 1);
static const rf_action create_act = ACTION("create", RF_ACT_CREATE);
static const rf_action create_split_act = {
    .name = "create", .kind = RF_ACT_CREATE, .request_serializer = &product_create_ser,
    .response_serializer = &product_ser, .queryset = &all_products,
};
static const rf_action update_act = ACTION("update", RF_ACT_UPDATE,
                                           .permissions = change_perms, .npermissions = 1);
static const rf_action partial_act = ACTION("partial_update", RF_ACT_PARTIAL_UPDATE,
                                            .permissions = change_perms, .npermissions = 1);
static const rf_action destroy_act = ACTION("destroy", RF_ACT_DESTROY);

static const rf_view products = {
    .name = "Products", .kind = RF_VIEW_VIEWSET, .is_async = true, .model = &product_res,
    .lookup_url_kwarg = "pk", .nslots = 1,
};
static const rf_view products_stamped = {
    .name = "Products", .kind = RF_VIEW_VIEWSET, .is_async = true, .model = &product_res,
    .lookup_url_kwarg = "pk", .nslots = 1, .perform_create = &stamp_maker_hook,
};
static const rf_queryset all_makers = { .res = &maker_res };
static const rf_action maker_destroy_act = { .name = "destroy", .kind = RF_ACT_DESTROY,
                                             .queryset = &all_makers };
static const rf_view makers = {
    .name = "Makers", .kind = RF_VIEW_VIEWSET, .model = &maker_res, .lookup_url_kwarg = "pk",
};

static const rf_queryset all_tags = { .res = &tag_res };
static const rf_action tag_create_act = { .name = "create", .kind = RF_ACT_CREATE,
    .request_serializer = &tag_ser, .response_serializer = &tag_ser, .queryset = &all_tags };
static const rf_view tags = { .name = "Tags", .kind = RF_VIEW_VIEWSET, .model = &tag_res };

static const rf_database_def databases[] = { { "default", NULL } };
static const rf_app app = { .abi = RF_ABI_VERSION, .name = "generic", .databases = databases,
                            .ndatabases = 1 };

/* ---------------------------------------------------------------------
 * Fixture: a fresh SQLite file per test, three makers' worth of rows.
 */
static rf_test_env *env;
static char dbpath[64];

typedef struct answer {
    bool done;
    rf_db_error err;
} answer;

static void answered(rf_ctx *ctx, rf_result *r, void *arg)
{
    (void)ctx;
    answer *a = arg;
    a->err = rf_result_error(r);
    a->done = true;
}

static void exec_sql(const char *sql)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    answer a = { false, RF_DB_FAILED };
    rf_stmt stmt = { .sql = { sql, sql } };
    ck_assert_int_eq(rf_db_exec(ctx, rf_test_env_db(env, 0), &stmt, NULL, 0, answered, &a),
                     RF_PENDING);
    while (!a.done)
        event_base_loop(rf_test_env_base(env), EVLOOP_ONCE);
    ck_assert_msg(a.err == RF_DB_OK, "%s", sql);
    rf_test_ctx_free(ctx);
}

static void setup(void)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/rf_generic_%d.db", (int)getpid());
    unlink(dbpath);
    env = rf_test_env_new(&app, 2);
    char url[96];
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    ck_assert(rf_test_env_open_db(env, 0, url));
    for (int i = 0; tables[i]; i++)
        exec_sql(tables[i]);
    exec_sql("INSERT INTO \"g_maker\" (\"name\") VALUES ('Acme'), ('Bolt')");
    exec_sql("INSERT INTO \"g_product\" (\"name\", \"description\", \"price\", \"is_top\", "
             "\"maker_id\", \"created_at\", \"updated_at\") VALUES "
             "('Anvil', 'Heavy', '19.9', 1, 1, '2026-11-29 12:00:00.000000', "
             "'2026-11-29 12:00:00.000000'), "
             "('Rope', '', '5', 0, NULL, '2026-11-29 12:00:01.000000', "
             "'2026-11-29 12:00:01.000000'), "
             "('Bolt cutter', 'Sharp', '42.50', 0, 2, '2026-11-29 12:00:02.000000', "
             "'2026-11-29 12:00:02.000000')");
    exec_sql("INSERT INTO \"g_review\" (\"product_id\", \"rating\", \"comment\", \"created_at\") "
             "VALUES (1, 4, 'Solid', '2026-11-29 13:00:00.000000'), "
             "(1, 2, 'Dented', '2026-11-29 14:00:00.000000'), "
             "(3, 5, 'Cuts', '2026-11-29 13:30:00.000000')");
}

static void teardown(void)
{
    rf_test_env_free(env);
    unlink(dbpath);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", dbpath);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", dbpath);
    unlink(wal);
}

/* One request through rf_generic_action. */
static rf_ctx *run(const rf_view *view, const rf_action *act, rf_method m, const char *target,
                   const char *pk, const char *body)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = m, .target = target, .body = body, .view = view, .action = act,
        .headers = (const char *const[]){ "Host: testserver",
                                          "Content-Type: application/json", NULL },
        .kwargs = pk ? (const char *const[]){ "pk", pk, NULL } : NULL });
    rf_test_run(env, ctx, rf_generic_action);
    return ctx;
}

#define expect(request, status, body)                                     \
    do {                                                                  \
        rf_ctx *done_ = (request);                                        \
        ck_assert_int_eq(rf_test_status(done_), status);                  \
        ck_assert_str_eq(rf_test_body(done_), body);                      \
        rf_test_ctx_free(done_);                                          \
    } while (0)

#define ANVIL "{\"id\":1,\"name\":\"Anvil\",\"description\":\"Heavy\",\"price\":\"19.90\"," \
              "\"is_top\":true,\"maker\":1,\"maker_name\":\"Acme\",\"latest_review\":"
#define ROPE "{\"id\":2,\"name\":\"Rope\",\"description\":\"\",\"price\":\"5.00\"," \
             "\"is_top\":false,\"maker\":null,\"maker_name\":null,\"latest_review\":"
#define CUTTER "{\"id\":3,\"name\":\"Bolt cutter\",\"description\":\"Sharp\",\"price\":\"42.50\"," \
               "\"is_top\":false,\"maker\":2,\"maker_name\":\"Bolt\",\"latest_review\":"

/* ---------------------------------------------------------------------
 * list and retrieve.
 */
START_TEST(list_paginates_joins_and_post_fetches)
{
    expect(run(&products, &list_act, RF_GET, "/products/", NULL, NULL), 200,
           "{\"count\":3,\"next\":\"http://testserver/products/?page=2\",\"previous\":null,"
           "\"results\":[" ANVIL "{\"id\":2,\"rating\":2,\"comment\":\"Dented\"}}," ROPE "null}]}");
    expect(run(&products, &list_act, RF_GET, "/products/?page=2", NULL, NULL), 200,
           "{\"count\":3,\"next\":null,\"previous\":\"http://testserver/products/\","
           "\"results\":[" CUTTER "{\"id\":3,\"rating\":5,\"comment\":\"Cuts\"}}]}");
    expect(run(&products, &list_act, RF_GET, "/products/?page=3", NULL, NULL), 404,
           "{\"detail\":\"Invalid page.\"}");
}
END_TEST

START_TEST(list_without_paginator_is_a_plain_list)
{
    expect(run(&products, &plain_list_act, RF_GET, "/products/", NULL, NULL), 200,
           "[" ANVIL "null}," ROPE "null}," CUTTER "null}]");
}
END_TEST

START_TEST(retrieve_and_lookup_misses)
{
    expect(run(&products, &retrieve_act, RF_GET, "/products/1/", "1", NULL), 200,
           ANVIL "{\"id\":2,\"rating\":2,\"comment\":\"Dented\"}}");
    expect(run(&products, &retrieve_act, RF_GET, "/products/9/", "9", NULL), 404,
           "{\"detail\":\"Not found.\"}");
    /* a lookup value of the wrong type is a 404, not a 400 or a 500 */
    expect(run(&products, &retrieve_act, RF_GET, "/products/abc/", "abc", NULL), 404,
           "{\"detail\":\"Not found.\"}");
}
END_TEST

/* What goes along (db_internal.h, chained reads; db_sqlite.c, BEGIN on
 * the loop): a retrieve's PostFetch with its fetch, a list's page and its
 * PostFetch with the COUNT, a create's reload with its INSERT and its
 * BEGIN with nothing.  Trips to SQLite's pool per request. */
static uint64_t trips_of(rf_ctx *request)
{
    static uint64_t last;
    uint64_t now = rf_db_trips(rf_test_env_db(env, 0)), trips = now - last;
    last = now;
    if (request)
        rf_test_ctx_free(request);
    return trips;
}

START_TEST(reads_go_along_with_the_statement_they_follow)
{
    trips_of(NULL);
    ck_assert_int_eq(trips_of(run(&products, &retrieve_act, RF_GET, "/products/1/", "1", NULL)), 1);
    ck_assert_int_eq(trips_of(run(&products, &list_act, RF_GET, "/products/", NULL, NULL)), 1);
    /* the last page asked by name needs the count first; a page past the
     * end reads the COUNT and its (empty) page, then answers 404 */
    rf_ctx *last = run(&products, &list_act, RF_GET, "/products/?page=last", NULL, NULL);
    ck_assert_int_eq(rf_test_status(last), 200);
    ck_assert_int_eq(trips_of(last), 2);
    rf_ctx *past = run(&products, &list_act, RF_GET, "/products/?page=3", NULL, NULL);
    ck_assert_int_eq(rf_test_status(past), 404);
    ck_assert_int_eq(trips_of(past), 1);
    /* the ForeignKey's check during validation; the INSERT with its
     * reload and its COMMIT (the row fits the request's memory) */
    ck_assert_int_eq(trips_of(run(&products, &create_act, RF_POST, "/products/", NULL,
                                  "{\"name\":\"Hammer\",\"price\":\"7.5\",\"maker\":2}")), 2);
}
END_TEST

/* ---------------------------------------------------------------------
 * create.
 */
START_TEST(create_answers_201_with_defaults_applied)
{
    expect(run(&products, &create_act, RF_POST, "/products/", NULL,
               "{\"name\":\"Hammer\",\"price\":\"7.5\",\"maker\":2,\"id\":99,\"bogus\":1}"),
           201, "{\"id\":4,\"name\":\"Hammer\",\"description\":\"\",\"price\":\"7.50\","
                "\"is_top\":false,\"maker\":2,\"maker_name\":\"Bolt\",\"latest_review\":null}");
    /* stored, with auto_now_add set */
    expect(run(&products, &retrieve_act, RF_GET, "/products/4/", "4", NULL), 200,
           "{\"id\":4,\"name\":\"Hammer\",\"description\":\"\",\"price\":\"7.50\","
           "\"is_top\":false,\"maker\":2,\"maker_name\":\"Bolt\",\"latest_review\":null}");
}
END_TEST

START_TEST(create_reports_every_field_error_in_field_order)
{
    /* unique and foreign-key checks come back from the database after the
     * other fields' errors, and still render in field order */
    expect(run(&products, &create_act, RF_POST, "/products/", NULL,
               "{\"name\":\"Anvil\",\"price\":\"-1\",\"maker\":9}"),
           400, "{\"name\":[\"product with this name already exists.\"],"
                "\"price\":[\"Ensure this value is greater than or equal to 0.\"],"
                "\"maker\":[\"Invalid pk \\\"9\\\" - object does not exist.\"]}");
    expect(run(&products, &create_act, RF_POST, "/products/", NULL,
               "{\"name\":\"A name that is far too long\",\"maker\":\"x\"}"),
           400, "{\"name\":[\"Ensure this field has no more than 20 characters.\"],"
                "\"price\":[\"This field is required.\"],"
                "\"maker\":[\"Incorrect type. Expected pk value, received str.\"]}");
    expect(run(&products, &create_act, RF_POST, "/products/", NULL, "[1, 2]"),
           400, "{\"non_field_errors\":[\"Invalid data. Expected a dictionary, but got list.\"]}");
}
END_TEST

START_TEST(create_runs_field_hooks_then_validators)
{
    expect(run(&products, &create_act, RF_POST, "/products/", NULL,
               "{\"name\":\"Free\",\"price\":\"0.00\"}"),
           400, "{\"price\":[\"A product cannot be free.\"]}");
    /* object-level validators run only when every field passed */
    expect(run(&products, &create_act, RF_POST, "/products/", NULL,
               "{\"name\":\"Same\",\"description\":\"Same\",\"price\":\"0\"}"),
           400, "{\"price\":[\"A product cannot be free.\"]}");
    expect(run(&products, &create_act, RF_POST, "/products/", NULL,
               "{\"name\":\"Same\",\"description\":\"Same\",\"price\":\"1\"}"),
           400, "{\"non_field_errors\":[\"Name and description must differ.\"]}");
}
END_TEST

START_TEST(create_with_split_serializers_and_perform_create)
{
    /* ProductCreate validates (maker is not one of its fields, so it is
     * ignored), perform_create stamps the maker, ProductSerializer renders */
    expect(run(&products_stamped, &create_split_act, RF_POST, "/products/", NULL,
               "{\"name\":\"Saw\",\"description\":\"Teeth\",\"price\":\"12\",\"maker\":1}"),
           201, "{\"id\":4,\"name\":\"Saw\",\"description\":\"Teeth\",\"price\":\"12.00\","
                "\"is_top\":false,\"maker\":2,\"maker_name\":\"Bolt\",\"latest_review\":null}");
}
END_TEST

START_TEST(create_body_errors)
{
    expect(run(&products, &create_act, RF_POST, "/products/", NULL, "{\"name\":"), 400,
           "{\"detail\":\"JSON parse error - Expecting value: line 1 column 9 (char 8)\"}");
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_POST, .target = "/products/", .body = "name=Pliers&price=3.10",
        .view = &products, .action = &create_act,
        .headers = (const char *const[]){ "Host: testserver",
            "Content-Type: application/x-www-form-urlencoded", NULL } });
    rf_test_run(env, ctx, rf_generic_action);
    /* a form leaves the unchecked box out: is_top reads false */
    expect(ctx, 201, "{\"id\":4,\"name\":\"Pliers\",\"description\":\"\",\"price\":\"3.10\","
                     "\"is_top\":false,\"maker\":null,\"maker_name\":null,"
                     "\"latest_review\":null}");
}
END_TEST

START_TEST(unique_uuid_compares_as_stored)
{
    expect(run(&tags, &tag_create_act, RF_POST, "/tags/", NULL,
               "{\"code\":\"12345678-1234-5678-1234-56781234ABCD\"}"),
           201, "{\"id\":1,\"code\":\"12345678-1234-5678-1234-56781234abcd\"}");
    expect(run(&tags, &tag_create_act, RF_POST, "/tags/", NULL,
               "{\"code\":\"{1234567812345678123456781234abcd}\"}"),
           400, "{\"code\":[\"tag with this code already exists.\"]}");
}
END_TEST

/* ---------------------------------------------------------------------
 * update, partial_update, destroy.
 */
START_TEST(update_replaces_and_partial_update_merges)
{
    expect(run(&products, &update_act, RF_PUT, "/products/1/", "1",
               "{\"name\":\"Anvil XL\",\"price\":\"25\"}"),
           200, "{\"id\":1,\"name\":\"Anvil XL\",\"description\":\"Heavy\",\"price\":\"25.00\","
                "\"is_top\":true,\"maker\":1,\"maker_name\":\"Acme\",\"latest_review\":null}");
    expect(run(&products, &update_act, RF_PUT, "/products/1/", "1", "{\"name\":\"Anvil\"}"),
           400, "{\"price\":[\"This field is required.\"]}");
    expect(run(&products, &partial_act, RF_PATCH, "/products/1/", "1",
               "{\"description\":\"Very heavy\"}"),
           200, "{\"id\":1,\"name\":\"Anvil XL\",\"description\":\"Very heavy\","
                "\"price\":\"25.00\",\"is_top\":true,\"maker\":1,\"maker_name\":\"Acme\","
                "\"latest_review\":null}");
    /* a unique check leaves the instance itself out */
    expect(run(&products, &partial_act, RF_PATCH, "/products/1/", "1",
               "{\"name\":\"Anvil XL\"}"),
           200, "{\"id\":1,\"name\":\"Anvil XL\",\"description\":\"Very heavy\","
                "\"price\":\"25.00\",\"is_top\":true,\"maker\":1,\"maker_name\":\"Acme\","
                "\"latest_review\":null}");
    expect(run(&products, &partial_act, RF_PATCH, "/products/1/", "1", "{\"name\":\"Rope\"}"),
           400, "{\"name\":[\"product with this name already exists.\"]}");
}
END_TEST

START_TEST(get_object_comes_before_the_body)
{
    /* 404 beats the body's 400, and object permissions (403) too */
    expect(run(&products, &update_act, RF_PUT, "/products/9/", "9", "{oops"), 404,
           "{\"detail\":\"Not found.\"}");
    expect(run(&products, &partial_act, RF_PATCH, "/products/3/", "3", "{oops"), 403,
           "{\"detail\":\"You do not have permission to perform this action.\"}");
    expect(run(&products, &partial_act, RF_PATCH, "/products/1/", "1", "{oops"), 400,
           "{\"detail\":\"JSON parse error - Expecting property name enclosed in double "
           "quotes: line 1 column 2 (char 1)\"}");
}
END_TEST

START_TEST(destroy_deletes_and_protect_refuses)
{
    rf_ctx *ctx = run(&products, &destroy_act, RF_DELETE, "/products/2/", "2", NULL);
    ck_assert_int_eq(rf_test_status(ctx), 204);
    ck_assert_int_eq(rf_test_body_len(ctx), 0);
    rf_test_ctx_free(ctx);
    expect(run(&products, &retrieve_act, RF_GET, "/products/2/", "2", NULL), 404,
           "{\"detail\":\"Not found.\"}");
    /* Maker 1 still has a product (PROTECT): Django raises ProtectedError,
     * DRF answers 500 */
    expect(run(&makers, &maker_destroy_act, RF_DELETE, "/makers/1/", "1", NULL), 500,
           "{\"detail\":\"A server error occurred.\"}");
}
END_TEST

/* ---------------------------------------------------------------------
 * The helpers, from hand-written handlers: async on the loop, sync on a
 * pool thread (an RF_BLOCKING hook).
 */
#define SLOT "test.slot"

static void **slot(rf_ctx *ctx)
{
    void **s = (void **)rf_ctx_var(ctx, SLOT);
    if (!s) {
        s = rf_calloc(rf_ctx_arena(ctx), sizeof *s);
        rf_ctx_set_var(ctx, SLOT, s);
    }
    return s;
}

/* POST: validate, set the maker, save, answer 201 (as TopProducts.post). */
static rf_rc respond_saved(rf_ctx *ctx)
{
    return rf_aserialized_response(ctx, *slot(ctx), 201, rf_resume);
}

static void after_saved(rf_ctx *ctx, rf_rc rc)
{
    if (rc == RF_OK)
        rc = respond_saved(ctx);
    if (rc != RF_PENDING)
        rf_resume(ctx, rc);
}

static rf_rc save_validated(rf_ctx *ctx)
{
    void **s = slot(ctx);
    rf_record_set(rf_ctx_arena(ctx), *s, &product_fields[P_MAKER], RF_VINT(1));
    rf_rc rc = rf_asave(ctx, *s, s, after_saved);
    return rc == RF_OK ? respond_saved(ctx) : rc;
}

static void after_validated(rf_ctx *ctx, rf_rc rc)
{
    if (rc == RF_OK)
        rc = save_validated(ctx);
    if (rc != RF_PENDING)
        rf_resume(ctx, rc);
}

static rf_rc async_post(rf_ctx *ctx)
{
    rf_rc rc = rf_avalidated_serializer(ctx, false, slot(ctx), after_validated);
    return rc == RF_OK ? save_validated(ctx) : rc;
}

/* A detail action: get_object, flip is_top, save (an UPDATE), answer 200. */
static rf_rc respond_published(rf_ctx *ctx)
{
    return rf_aserialized_response(ctx, *slot(ctx), 200, rf_resume);
}

static void after_published(rf_ctx *ctx, rf_rc rc)
{
    if (rc == RF_OK)
        rc = respond_published(ctx);
    if (rc != RF_PENDING)
        rf_resume(ctx, rc);
}

static rf_rc publish_loaded(rf_ctx *ctx)
{
    void **s = slot(ctx);
    bool top = ((g_product *)*s)->is_top;
    rf_record_set(rf_ctx_arena(ctx), *s, &product_fields[P_TOP], RF_VBOOL(!top));
    rf_rc rc = rf_asave(ctx, *s, s, after_published);
    return rc == RF_OK ? respond_published(ctx) : rc;
}

static void after_loaded(rf_ctx *ctx, rf_rc rc)
{
    if (rc == RF_OK)
        rc = publish_loaded(ctx);
    if (rc != RF_PENDING)
        rf_resume(ctx, rc);
}

static rf_rc async_publish(rf_ctx *ctx)
{
    rf_rc rc = rf_aget_object(ctx, slot(ctx), after_loaded);
    return rc == RF_OK ? publish_loaded(ctx) : rc;
}

/* GET: a page of the top products. */
static rf_rc async_top(rf_ctx *ctx)
{
    rf_query *q = rf_query_new(ctx, &product_res);
    rf_query_where_eq(q, &product_fields[P_TOP], RF_VBOOL(false));
    rf_query_order_by(q, &product_fields[P_ID], true);
    return rf_apaginated_response(ctx, q, post_fetches, 1, rf_resume);
}

/* The same POST with the sync helpers, as an APIView handler. */
static rf_rc blocking_post(rf_ctx *ctx)
{
    void *rec, *saved;
    rf_rc rc = rf_validated_serializer(ctx, false, &rec);
    if (rc != RF_OK)
        return rc;
    rf_record_set(rf_ctx_arena(ctx), rec, &product_fields[P_MAKER], RF_VINT(2));
    rc = rf_save(ctx, rec, &saved);
    return rc == RF_OK ? rf_serialized_response(ctx, saved, 201) : rc;
}

static const rf_hook blocking_post_hook = { "blocking_post", RF_BLOCKING,
                                            { .ctx = blocking_post } };

static rf_rc run_blocking_post(rf_ctx *ctx)
{
    return rf_run_hook_ctx(ctx, &blocking_post_hook, rf_resume);
}

/* An async perform_update hook that uses a helper itself: the pipeline it
 * runs inside carries on after it. */
static void after_refetched(rf_ctx *ctx, rf_rc rc)
{
    const g_product *stored = *slot(ctx);
    if (rc == RF_OK && strcmp(stored->name, "Anvil") != 0)
        rc = rf_error(ctx, 500, "not the stored instance");
    rf_resume(ctx, rc);
}

static rf_rc refetch_then_update(rf_ctx *ctx, void *obj)
{
    (void)obj;
    rf_rc rc = rf_aget_object(ctx, slot(ctx), after_refetched);
    return rc == RF_PENDING ? RF_PENDING : rc;
}

static const rf_hook refetch_hook = { "refetch_then_update", RF_ASYNC,
                                      { .obj = refetch_then_update } };
static const rf_view products_refetching = {
    .name = "Products", .kind = RF_VIEW_VIEWSET, .is_async = true, .model = &product_res,
    .lookup_url_kwarg = "pk", .nslots = 1, .perform_update = &refetch_hook,
};

START_TEST(helpers_inside_a_pipeline_hook)
{
    expect(run(&products_refetching, &partial_act, RF_PATCH, "/products/1/", "1",
               "{\"price\":\"20\"}"),
           200, "{\"id\":1,\"name\":\"Anvil\",\"description\":\"Heavy\",\"price\":\"20.00\","
                "\"is_top\":true,\"maker\":1,\"maker_name\":\"Acme\",\"latest_review\":null}");
}
END_TEST

static const rf_action handler_act = {
    .name = "post", .kind = RF_ACT_HANDLER, .request_serializer = &product_ser,
    .response_serializer = &product_ser, .queryset = &all_products, .paginator = &pages,
    .permissions = change_perms, .npermissions = 1,
};

static rf_ctx *run_handler(rf_rc (*handler)(rf_ctx *), rf_method m, const char *pk,
                           const char *body)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = m, .target = "/top/", .body = body, .view = &products, .action = &handler_act,
        .headers = (const char *const[]){ "Host: testserver",
                                          "Content-Type: application/json", NULL },
        .kwargs = pk ? (const char *const[]){ "pk", pk, NULL } : NULL });
    rf_test_run(env, ctx, handler);
    return ctx;
}

START_TEST(async_helpers_validate_save_and_respond)
{
    expect(run_handler(async_post, RF_POST, NULL, "{\"name\":\"Vise\",\"price\":\"30\"}"), 201,
           "{\"id\":4,\"name\":\"Vise\",\"description\":\"\",\"price\":\"30.00\","
           "\"is_top\":false,\"maker\":1,\"maker_name\":\"Acme\",\"latest_review\":null}");
    expect(run_handler(async_post, RF_POST, NULL, "{\"name\":\"Vise\"}"), 400,
           "{\"name\":[\"product with this name already exists.\"],"
           "\"price\":[\"This field is required.\"]}");
}
END_TEST

START_TEST(async_helpers_get_object_and_update)
{
    expect(run_handler(async_publish, RF_POST, "3", NULL), 403,
           "{\"detail\":\"You do not have permission to perform this action.\"}");
    expect(run_handler(async_publish, RF_POST, "8", NULL), 404, "{\"detail\":\"Not found.\"}");
    expect(run_handler(async_publish, RF_POST, "1", NULL), 200,
           "{\"id\":1,\"name\":\"Anvil\",\"description\":\"Heavy\",\"price\":\"19.90\","
           "\"is_top\":false,\"maker\":1,\"maker_name\":\"Acme\",\"latest_review\":null}");
}
END_TEST

START_TEST(async_paginated_response_post_fetches_once)
{
    uint64_t before = rf_db_statements(rf_test_env_db(env, 0));
    expect(run_handler(async_top, RF_GET, NULL, NULL), 200,
           "{\"count\":2,\"next\":null,\"previous\":null,\"results\":["
           CUTTER "{\"id\":3,\"rating\":5,\"comment\":\"Cuts\"}}," ROPE "null}]}");
    /* COUNT, the page, one PostFetch query */
    ck_assert_int_eq(rf_db_statements(rf_test_env_db(env, 0)) - before, 3);
}
END_TEST

START_TEST(sync_helpers_block_only_a_pool_thread)
{
    expect(run_handler(run_blocking_post, RF_POST, NULL, "{\"name\":\"Clamp\",\"price\":\"8\"}"),
           201, "{\"id\":4,\"name\":\"Clamp\",\"description\":\"\",\"price\":\"8.00\","
                "\"is_top\":false,\"maker\":2,\"maker_name\":\"Bolt\",\"latest_review\":null}");
    expect(run_handler(run_blocking_post, RF_POST, NULL, "{\"price\":\"8\"}"), 400,
           "{\"name\":[\"This field is required.\"]}");
    /* on the loop thread a sync helper would stall every request: 500 */
    expect(run_handler(blocking_post, RF_POST, NULL, "{\"name\":\"Clamp\",\"price\":\"8\"}"),
           500, "{\"detail\":\"A server error occurred.\"}");
}
END_TEST

/* An APIView whose request serializer is a plain Serializer saves a row
 * of its response serializer's model (catalogue's Checkout); with no model
 * anywhere the save is a 500, not a crash. */
static const rf_serializer plain_ser = { .name = "Plain" };
static const rf_view plain_api = { .name = "Top", .kind = RF_VIEW_API, .is_async = true };
static const rf_action plain_in_act = {
    .name = "post", .kind = RF_ACT_HANDLER, .request_serializer = &plain_ser,
    .response_serializer = &product_ser,
};
static const rf_action plain_only_act = {
    .name = "post", .kind = RF_ACT_HANDLER, .request_serializer = &plain_ser,
    .response_serializer = &plain_ser,
};

static rf_rc save_new_product(rf_ctx *ctx)
{
    void **s = slot(ctx);
    rf_arena *a = rf_ctx_arena(ctx);
    *s = rf_record_new(a, &product_res);
    rf_record_set(a, *s, &product_fields[P_NAME], RF_VTEXT("Level"));
    rf_record_set(a, *s, &product_fields[P_PRICE],
                  (rf_value){ .type = RF_V_DECIMAL, .u.s = "12.00" });
    rf_record_set(a, *s, &product_fields[P_MAKER], RF_VINT(1));
    rf_rc rc = rf_asave(ctx, *s, s, after_saved);
    return rc == RF_OK ? respond_saved(ctx) : rc;
}

static rf_ctx *run_plain(const rf_action *act)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_POST, .target = "/top/", .view = &plain_api, .action = act,
        .headers = (const char *const[]){ "Host: testserver", NULL } });
    rf_test_run(env, ctx, save_new_product);
    return ctx;
}

START_TEST(apiview_saves_a_row_of_its_response_model)
{
    expect(run_plain(&plain_in_act), 201,
           "{\"id\":4,\"name\":\"Level\",\"description\":\"\",\"price\":\"12.00\","
           "\"is_top\":false,\"maker\":1,\"maker_name\":\"Acme\",\"latest_review\":null}");
    expect(run_plain(&plain_only_act), 500, "{\"detail\":\"A server error occurred.\"}");
}
END_TEST

Suite *make_generic_suite(void)
{
    Suite *s = suite_create("generic");
    TCase *tc = tcase_create("pipelines");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, list_paginates_joins_and_post_fetches);
    tcase_add_test(tc, list_without_paginator_is_a_plain_list);
    tcase_add_test(tc, retrieve_and_lookup_misses);
    tcase_add_test(tc, reads_go_along_with_the_statement_they_follow);
    tcase_add_test(tc, create_answers_201_with_defaults_applied);
    tcase_add_test(tc, create_reports_every_field_error_in_field_order);
    tcase_add_test(tc, create_runs_field_hooks_then_validators);
    tcase_add_test(tc, create_with_split_serializers_and_perform_create);
    tcase_add_test(tc, create_body_errors);
    tcase_add_test(tc, unique_uuid_compares_as_stored);
    tcase_add_test(tc, update_replaces_and_partial_update_merges);
    tcase_add_test(tc, get_object_comes_before_the_body);
    tcase_add_test(tc, destroy_deletes_and_protect_refuses);
    tcase_add_test(tc, async_helpers_validate_save_and_respond);
    tcase_add_test(tc, async_helpers_get_object_and_update);
    tcase_add_test(tc, async_paginated_response_post_fetches_once);
    tcase_add_test(tc, apiview_saves_a_row_of_its_response_model);
    tcase_add_test(tc, sync_helpers_block_only_a_pool_thread);
    tcase_add_test(tc, helpers_inside_a_pipeline_hook);
    suite_add_tcase(s, tc);
    return s;
}
