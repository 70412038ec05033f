/*
 * fuzz_query: query strings through a generic list view with every filter
 * backend and each paginator, against a real SQLite database.
 *
 * The view lists a table with a field of every filterable type (integer,
 * decimal, float, boolean, char with and without choices, UUID, date,
 * datetime, foreign keys to an integer, a UUID and a slug primary key);
 * DjangoFilterBackend filters on all of them,
 * SearchFilter searches with each supported prefix, OrderingFilter allows
 * "__all__".  Three routes paginate by page number, by limit/offset and by
 * cursor.  Input: the first byte picks the route, the rest is the raw query
 * string (up to the first NUL).
 * Checked beyond memory safety:
 *   - the status is 200, 400 (a filter value) or 404 (a page or cursor):
 *     never a 500, so no input makes SQL the database refuses;
 *   - the body is valid JSON (and so valid UTF-8);
 *   - the table is unchanged (user input never reaches SQL as text).
 *
 * fuzz-links: @runtime
 * fuzz-libs: $(PKG_LIBS)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct owner {
    uint8_t rf_state[2];
    int64_t id;
    const char *name;
} owner;

/* Targets keyed by text: a key's record member is its target key's C type. */
typedef struct keyed {
    uint8_t rf_state[1];
    const char *key;
} keyed;

typedef struct item {
    uint8_t rf_state[13];
    int64_t id;
    const char *name;
    const char *price;
    int64_t qty;
    double ratio;
    bool active;
    const char *code;
    int32_t day;
    int64_t at;
    const char *kind;
    int64_t owner;
    const char *place;
    const char *shelf;
} item;

#define NO_LIMITS .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1
#define FIELD(rec, idx, nm, t, member, ...) \
    { .name = nm, .column = nm, .verbose_name = nm, .type = t, .index = idx, \
      .offset = offsetof(rec, member), __VA_ARGS__ }

static const rf_field owner_fields[] = {
    FIELD(owner, 0, "id", RF_F_AUTO, id, .flags = RF_FF_PK, .limits = { NO_LIMITS }),
    FIELD(owner, 1, "name", RF_F_CHAR, name, .limits = { NO_LIMITS }),
};

static const rf_resource owner_res = {
    .name = "Owner", .verbose_name = "owner", .table = "fz_owner", .fields = owner_fields,
    .nfields = 2, .pk = 0, .rec_size = sizeof(owner), .select_columns = "t.\"id\", t.\"name\"",
};

static const rf_field place_fields[] = {
    FIELD(keyed, 0, "id", RF_F_UUID, key, .flags = RF_FF_PK, .limits = { NO_LIMITS }),
};
static const rf_resource place_res = {
    .name = "Place", .verbose_name = "place", .table = "fz_place", .fields = place_fields,
    .nfields = 1, .pk = 0, .rec_size = sizeof(keyed), .select_columns = "t.\"id\"",
};

static const rf_field shelf_fields[] = {
    FIELD(keyed, 0, "code", RF_F_SLUG, key, .flags = RF_FF_PK,
          .limits = { .max_length = 20, .min_length = -1, .max_digits = -1, .decimal_places = -1 }),
};
static const rf_resource shelf_res = {
    .name = "Shelf", .verbose_name = "shelf", .table = "fz_shelf", .fields = shelf_fields,
    .nfields = 1, .pk = 0, .rec_size = sizeof(keyed), .select_columns = "t.\"code\"",
};

#define KEY(idx, nm, member, target) \
    { .name = nm, .column = nm "_id", .verbose_name = nm, .type = RF_F_FOREIGNKEY, \
      .flags = RF_FF_NULL, .index = idx, .offset = offsetof(item, member), \
      .limits = { NO_LIMITS }, .fk_target = target, .on_delete = RF_CASCADE }

static const rf_choice kinds[] = { { "a", "A" }, { "b", "B" } };

static const rf_field item_fields[] = {
    FIELD(item, 0, "id", RF_F_AUTO, id, .flags = RF_FF_PK, .limits = { NO_LIMITS }),
    FIELD(item, 1, "name", RF_F_CHAR, name, .limits = { NO_LIMITS }),
    FIELD(item, 2, "price", RF_F_DECIMAL, price,
          .limits = { .max_length = -1, .min_length = -1, .max_digits = 8, .decimal_places = 2 }),
    FIELD(item, 3, "qty", RF_F_INTEGER, qty, .limits = { NO_LIMITS }),
    FIELD(item, 4, "ratio", RF_F_FLOAT, ratio, .limits = { NO_LIMITS }),
    FIELD(item, 5, "active", RF_F_BOOLEAN, active, .limits = { NO_LIMITS }),
    FIELD(item, 6, "code", RF_F_UUID, code, .limits = { NO_LIMITS }),
    FIELD(item, 7, "day", RF_F_DATE, day, .limits = { NO_LIMITS }),
    FIELD(item, 8, "at", RF_F_DATETIME, at, .limits = { NO_LIMITS }),
    FIELD(item, 9, "kind", RF_F_CHAR, kind,
          .limits = { NO_LIMITS, .choices = kinds, .nchoices = 2 }),
    KEY(10, "owner", owner, &owner_res),
    KEY(11, "place", place, &place_res),
    KEY(12, "shelf", shelf, &shelf_res),
};
#define F(i) (&item_fields[i])

static const rf_resource item_res = {
    .name = "Item", .verbose_name = "item", .table = "fz_item", .fields = item_fields,
    .nfields = 13, .pk = 0, .rec_size = sizeof(item),
    .select_columns = "t.\"id\", t.\"name\", t.\"price\", t.\"qty\", t.\"ratio\", t.\"active\", "
                      "t.\"code\", t.\"day\", t.\"at\", t.\"kind\", t.\"owner_id\", "
                      "t.\"place_id\", t.\"shelf_id\"",
};

static void render_text_key(rf_buf *b, const item *it, int index, const char *key)
{
    if (RF_IS_NULL(it, index))
        rf_json_null(b);
    else
        rf_json_str(b, key);
}

static void render_item(rf_buf *b, const rf_row *row)
{
    const item *it = row->rec;
    rf_buf_printf(b, "{\"id\":%lld,\"name\":", (long long)it->id);
    rf_json_str(b, it->name);
    rf_buf_lit(b, ",\"price\":");
    rf_json_decimal(b, it->price, 2);
    rf_buf_printf(b, ",\"qty\":%lld,\"ratio\":", (long long)it->qty);
    rf_json_f64(b, it->ratio);
    rf_buf_lit(b, ",\"active\":");
    rf_json_bool(b, it->active);
    rf_buf_lit(b, ",\"code\":");
    rf_json_str(b, it->code);
    rf_buf_lit(b, ",\"day\":");
    rf_json_date(b, it->day);
    rf_buf_lit(b, ",\"at\":");
    rf_json_datetime(b, it->at);
    rf_buf_lit(b, ",\"kind\":");
    rf_json_str(b, it->kind);
    rf_buf_lit(b, ",\"owner\":");
    if (RF_IS_NULL(it, 10))
        rf_json_null(b);
    else
        rf_json_i64(b, it->owner);
    rf_buf_lit(b, ",\"place\":");
    render_text_key(b, it, 11, it->place);
    rf_buf_lit(b, ",\"shelf\":");
    render_text_key(b, it, 12, it->shelf);
    rf_buf_putc(b, '}');
}

static const rf_serializer item_ser = {
    .name = "ItemSerializer", .model = &item_res, .rec_size = sizeof(item),
    .render = render_item,
};

static const rf_field *const filterset[] = {
    F(0), F(1), F(2), F(3), F(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12),
};
static const rf_search_field search[] = {
    { F(1), 0 }, { F(1), '^' }, { F(9), '=' }, { F(6), 0 },
};
static const rf_order by_id[] = { { F(0), false } };
static const rf_order newest[] = { { F(8), true } };

static const rf_filters filters = {
    .backends = RF_FILTER_DJANGO | RF_FILTER_SEARCH | RF_FILTER_ORDERING,
    .filterset_fields = filterset, .nfilterset_fields = 13,
    .search_fields = search, .nsearch_fields = 4, .search_param = "search",
    .ordering_all = true, .ordering_param = "ordering", .ordering = by_id, .nordering = 1,
};

static const char *const last[] = { "last", NULL };
static const rf_paginator pages = {
    .name = "Pages", .kind = RF_PAGE_NUMBER, .page_size = 3, .page_query_param = "page",
    .page_size_query_param = "size", .max_page_size = 5, .last_page_strings = last,
};
static const rf_paginator offsets = {
    .name = "Offsets", .kind = RF_LIMIT_OFFSET, .limit_query_param = "limit",
    .offset_query_param = "offset", .default_limit = 3, .max_limit = 5,
};
static const rf_paginator cursors = {
    .name = "Cursors", .kind = RF_CURSOR, .page_size = 3, .cursor_query_param = "cursor",
    .ordering = newest, .nordering = 1,
};

static const rf_queryset all_items = { .res = &item_res, .order = by_id, .norder = 1 };

#define LIST(var, pager) \
    static const rf_action var = { .name = "list", .kind = RF_ACT_LIST, \
        .response_serializer = &item_ser, .paginator = pager, .queryset = &all_items }
LIST(list_pages, &pages);
LIST(list_offsets, &offsets);
LIST(list_cursor, &cursors);

static const rf_view items = {
    .name = "ItemViewSet", .kind = RF_VIEW_VIEWSET, .model = &item_res, .filters = &filters,
};

static const rf_route routes[] = {
    { .pattern = "pages/", .view = &items, .by_method = { [RF_GET] = &list_pages } },
    { .pattern = "offsets/", .view = &items, .by_method = { [RF_GET] = &list_offsets } },
    { .pattern = "cursor/", .view = &items, .by_method = { [RF_GET] = &list_cursor } },
};
static const char *const paths[] = { "/pages/", "/offsets/", "/cursor/" };

static const rf_resource *const resources[] = { &owner_res, &place_res, &shelf_res, &item_res };
static const rf_database_def databases[] = { { "default", NULL } };

static const rf_app app = {
    .abi = RF_ABI_VERSION, .name = "fuzz", .routes = routes, .nroutes = 3,
    .databases = databases, .ndatabases = 1, .resources = resources, .nresources = 4,
    .num_proxies = -1,
};

/* SQLite as Django lays these types out (UUIDs as 32 hex digits). */
static const char schema[] =
    "CREATE TABLE fz_owner (id integer PRIMARY KEY AUTOINCREMENT, name varchar(40) NOT NULL);"
    "CREATE TABLE fz_place (id char(32) NOT NULL PRIMARY KEY);"
    "CREATE TABLE fz_shelf (code varchar(20) NOT NULL PRIMARY KEY);"
    "CREATE TABLE fz_item (id integer PRIMARY KEY AUTOINCREMENT, name varchar(40) NOT NULL,"
    " price decimal NOT NULL, qty integer NOT NULL, ratio real NOT NULL, active bool NOT NULL,"
    " code char(32) NOT NULL, day date NOT NULL, at datetime NOT NULL,"
    " kind varchar(1) NOT NULL, owner_id integer NULL REFERENCES fz_owner (id),"
    " place_id char(32) NULL REFERENCES fz_place (id),"
    " shelf_id varchar(20) NULL REFERENCES fz_shelf (code));"
    "INSERT INTO fz_owner (name) VALUES ('ann'), ('bob');"
    "INSERT INTO fz_place (id) VALUES ('123e4567e89b12d3a456426614174000'),"
    " ('ffffffffffffffffffffffffffffffff');"
    "INSERT INTO fz_shelf (code) VALUES ('top'), ('caf\xC3\xA9'), ('a-b_c');"
    "INSERT INTO fz_item (name, price, qty, ratio, active, code, day, at, kind, owner_id,"
    " place_id, shelf_id) VALUES"
    " ('Apple pie', '3.50', 1, 0.5, 1, '123e4567e89b12d3a456426614174000', '2026-11-29',"
    "  '2026-11-29 12:00:00.123456', 'a', 1,"
    "  '123e4567e89b12d3a456426614174000', 'top'),"
    " ('apple_tart', '12.00', -7, 1e100, 0, '00000000000000000000000000000000', '1999-01-01',"
    "  '1999-01-01 00:00:00', 'b', 2,"
    "  'ffffffffffffffffffffffffffffffff', 'caf\xC3\xA9'),"
    " ('100% juice', '0.99', 9223372036854775807, -2.5, 1, 'ffffffffffffffffffffffffffffffff',"
    "  '0001-01-01', '9999-12-31 23:59:59.999999', 'a', NULL, NULL, NULL),"
    " ('caf\xC3\xA9 \xE2\x80\xA8', '-1.00', 0, 0, 0, 'abcdefabcdefabcdefabcdefabcdefab',"
    "  '2026-11-30', '2026-11-29 12:00:00.123456', 'b', 1, NULL, 'a-b_c'),"
    " ('O''Brien; DROP TABLE fz_item', '999999.99', 42, 3.25, 1,"
    "  '0123456789abcdef0123456789abcdef', '2000-02-29', '2000-02-29 00:00:00', 'a', 2,"
    "  '123e4567e89b12d3a456426614174000', 'top');";

static const char checksum_sql[] =
    "SELECT count(*) || ':' || total(qty) || ':' || group_concat(name, '|') FROM fz_item";

static char db_path[] = "/tmp/fuzz_query_XXXXXX";
static sqlite3 *check_db;
static char *initial_checksum;
static rf_test_env *env;

static char *checksum(void)
{
    sqlite3_stmt *st;
    char *out = NULL;
    if (sqlite3_prepare_v2(check_db, checksum_sql, -1, &st, NULL) != SQLITE_OK)
        abort();
    if (sqlite3_step(st) == SQLITE_ROW)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!out)
        abort();
    return out;
}

static void remove_database(void)
{
    unlink(db_path);
}

static void setup(void)
{
    int fd = mkstemp(db_path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(remove_database);
    if (sqlite3_open(db_path, &check_db) != SQLITE_OK ||
        sqlite3_exec(check_db, schema, NULL, NULL, NULL) != SQLITE_OK)
        abort();
    initial_checksum = checksum();
    env = rf_test_env_new(&app, 1);
    char url[64];
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    if (!rf_test_env_open_db(env, 0, url))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned runs;
    if (!env)
        setup();
    if (size == 0)
        return 0;
    const char *path = paths[data[0] % 3];
    size_t n = strnlen((const char *)data + 1, size - 1);
    char *target = malloc(strlen(path) + n + 2);
    sprintf(target, "%s?%.*s", path, (int)n, (const char *)data + 1);
    rf_ctx *ctx = rf_test_dispatch(env, &(rf_test_request){ .method = RF_GET, .target = target });
    int status = rf_test_status(ctx);
    if (status != 200 && status != 400 && status != 404)
        abort();
    json_t *body = json_loadb(rf_test_body(ctx), rf_test_body_len(ctx), JSON_ALLOW_NUL, NULL);
    if (!body)
        abort();
    json_decref(body);
    rf_test_ctx_free(ctx);
    free(target);
    if (++runs % 64 == 0) {
        char *now = checksum();
        if (strcmp(now, initial_checksum) != 0)
            abort();
        free(now);
    }
    return 0;
}
