/*
 * Benchmark peer: the bench API (bench/README.md) as a C developer would
 * write it without restflow: Ulfius (libmicrohttpd underneath, its default
 * thread per connection), jansson for JSON, SQLite with one connection and
 * its prepared statements per thread.  Answers what Django REST Framework
 * answers for the same requests (bench/harness/verify.py checks it).
 *
 *   ulfius-server --listen 127.0.0.1:8000 --db PATH
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ulfius.h>

#include "pyrules.h"

enum { PAGE_SIZE = 20, MAX_PAGE_SIZE = 100, MAX_NAME = 200, CACHE_SLOTS = 32 };

static const char *db_path;

/* ------------------------------------------------------------------------
 * One SQLite connection per thread, with a small cache of prepared
 * statements keyed by their SQL text (the list query's text depends on the
 * filters and ordering asked for).
 */
struct stmt_slot { char *sql; sqlite3_stmt *stmt; };
struct thread_db { sqlite3 *db; struct stmt_slot cache[CACHE_SLOTS]; int next_evict; };

static pthread_key_t thread_db_key;

static void thread_db_close(void *p)
{
    struct thread_db *t = p;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        sqlite3_finalize(t->cache[i].stmt);
        free(t->cache[i].sql);
    }
    sqlite3_close(t->db);
    free(t);
}

static struct thread_db *thread_db(void)
{
    struct thread_db *t = pthread_getspecific(thread_db_key);
    if (t)
        return t;
    t = calloc(1, sizeof *t);
    if (!t || sqlite3_open_v2(db_path, &t->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                              NULL) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s\n", db_path);
        exit(1);
    }
    sqlite3_busy_timeout(t->db, 5000);
    pthread_setspecific(thread_db_key, t);
    return t;
}

/* A prepared statement for sql, ready to bind.  Callers reset it as soon
 * as they have read its rows: a statement left active keeps its
 * connection's transaction open (an autocommit write commits only when no
 * statement of the connection is active), which would hold the write lock
 * and pin an old snapshot. */
static sqlite3_stmt *statement(const char *sql)
{
    struct thread_db *t = thread_db();
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (t->cache[i].sql && strcmp(t->cache[i].sql, sql) == 0)
            return t->cache[i].stmt;
    }
    struct stmt_slot *slot = &t->cache[t->next_evict];
    t->next_evict = (t->next_evict + 1) % CACHE_SLOTS;
    sqlite3_finalize(slot->stmt);
    free(slot->sql);
    slot->sql = strdup(sql);
    if (sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL)) {
        fprintf(stderr, "prepare failed: %s\n", sqlite3_errmsg(t->db));
        exit(1);
    }
    return slot->stmt;
}

/* ------------------------------------------------------------------------
 * Responses.
 */
static int respond(struct _u_response *res, unsigned status, json_t *body)
{
    ulfius_set_json_body_response(res, status, body);
    json_decref(body);
    return U_CALLBACK_COMPLETE;
}

static int respond_detail(struct _u_response *res, unsigned status, const char *detail)
{
    return respond(res, status, json_pack("{ss}", "detail", detail));
}

static int respond_unauthorized(struct _u_response *res, const char *detail)
{
    u_map_put(res->map_header, "WWW-Authenticate", "Token");
    return respond_detail(res, 401, detail);
}

/* DRF renders decimals with their places and Django's stored UTC
 * "YYYY-MM-DD HH:MM:SS[.ffffff]" as ISO 8601 with a Z. */
static json_t *price_json(sqlite3_stmt *st, int col)
{
    char text[64];
    snprintf(text, sizeof text, "%.2f", sqlite3_column_double(st, col));
    return json_string(text);
}

static json_t *datetime_json(sqlite3_stmt *st, int col)
{
    char text[48];
    snprintf(text, sizeof text, "%sZ", (const char *)sqlite3_column_text(st, col));
    text[10] = 'T';
    return json_string(text);
}

static json_t *text_json(sqlite3_stmt *st, int col)
{
    return json_stringn((const char *)sqlite3_column_text(st, col),
                        (size_t)sqlite3_column_bytes(st, col));
}

static json_t *nullable_int_json(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return json_null();
    return json_integer(sqlite3_column_int64(st, col));
}

/* ------------------------------------------------------------------------
 * TokenAuthentication, as DRF runs it for every request: *user_id is 0 for
 * the anonymous user; on failure the 401 is set and false returned.
 */
static bool authenticate(const struct _u_request *req, struct _u_response *res,
                         int64_t *user_id)
{
    *user_id = 0;
    const char *header = u_map_get_case(req->map_header, "Authorization");
    if (!header)
        return true;
    char words[3][256];
    int n = sscanf(header, "%255s %255s %255s", words[0], words[1], words[2]);
    if (n < 1 || strcasecmp(words[0], "token") != 0)
        return true;
    if (n == 1) {
        respond_unauthorized(res, "Invalid token header. No credentials provided.");
        return false;
    }
    if (n > 2) {
        respond_unauthorized(res, "Invalid token header. Token string should not contain spaces.");
        return false;
    }
    sqlite3_stmt *st = statement("SELECT u.id, u.is_active FROM authtoken_token t "
                                 "JOIN auth_user u ON u.id = t.user_id WHERE t.key = ?");
    sqlite3_bind_text(st, 1, words[1], -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    bool active = found && sqlite3_column_int(st, 1);
    int64_t id = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (!found) {
        respond_unauthorized(res, "Invalid token.");
        return false;
    }
    if (!active) {
        respond_unauthorized(res, "User inactive or deleted.");
        return false;
    }
    *user_id = id;
    return true;
}

/* ------------------------------------------------------------------------
 * The LatestReview PostFetch: one windowed query for all ids of a page;
 * sets "latest_review" on each object (null where there is none).
 */
static void attach_latest_reviews(json_t **objects, const int64_t *ids, int n)
{
    for (int i = 0; i < n; i++)
        json_object_set_new(objects[i], "latest_review", json_null());
    if (n == 0)
        return;
    char sql[1024];
    int len = snprintf(sql, sizeof sql,
                       "SELECT id, rating, comment, product_id FROM (SELECT id, rating, comment, "
                       "product_id, row_number() OVER (PARTITION BY product_id ORDER BY "
                       "created_at DESC) AS rn FROM shop_review WHERE product_id IN (");
    for (int i = 0; i < n; i++)
        len += snprintf(sql + len, sizeof sql - (size_t)len, i ? ",?" : "?");
    snprintf(sql + len, sizeof sql - (size_t)len, ")) WHERE rn <= 1");
    sqlite3_stmt *st = statement(sql);
    for (int i = 0; i < n; i++)
        sqlite3_bind_int64(st, i + 1, ids[i]);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t product = sqlite3_column_int64(st, 3);
        for (int i = 0; i < n; i++) {
            if (ids[i] != product)
                continue;
            json_object_set_new(objects[i], "latest_review",
                                json_pack("{sI so so}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                                          "rating", json_integer(sqlite3_column_int(st, 1)),
                                          "comment", text_json(st, 2)));
        }
    }
    sqlite3_reset(st);
}

/* ------------------------------------------------------------------------
 * GET /api/ping/
 */
static int ping(const struct _u_request *req, struct _u_response *res, void *unused)
{
    (void)unused;
    int64_t user;
    if (!authenticate(req, res, &user))
        return U_CALLBACK_COMPLETE;
    return respond(res, 200, json_pack("{sb}", "ok", 1));
}

/* GET /api/products/<id>/ */
static int retrieve(const struct _u_request *req, struct _u_response *res, void *unused)
{
    (void)unused;
    int64_t user, id;
    if (!authenticate(req, res, &user))
        return U_CALLBACK_COMPLETE;
    if (!python_int(u_map_get(req->map_url, "id"), &id))
        return respond_detail(res, 404, "Not found.");
    sqlite3_stmt *st = statement("SELECT id, name, description, price, is_top, owner_id, "
                                 "created_at FROM products WHERE is_top AND id = ?");
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return respond_detail(res, 404, "Not found.");
    }
    json_t *product = json_pack("{sI so so so sb so so}",
                                "id", (json_int_t)sqlite3_column_int64(st, 0),
                                "name", text_json(st, 1), "description", text_json(st, 2),
                                "price", price_json(st, 3), "is_top", sqlite3_column_int(st, 4),
                                "owner", nullable_int_json(st, 5),
                                "created_at", datetime_json(st, 6));
    sqlite3_reset(st);
    attach_latest_reviews(&product, &id, 1);
    return respond(res, 200, product);
}

/* ------------------------------------------------------------------------
 * GET /api/products/: filters (is_top, price), ordering, page-number
 * pagination, the LatestReview PostFetch.
 */
struct list_query {
    char where[128];
    int64_t is_top;     /* -1: no filter */
    bool has_price;
    double price;
    char order[256];
};

/* django-filter's fields: a bad price is a 400, an unknown boolean no filter. */
static bool parse_filters(const struct query *q, struct list_query *lq)
{
    strcpy(lq->where, "is_top");
    lq->is_top = -1;
    const char *top = query_get(q, "is_top");
    if (top && (!strcasecmp(top, "true") || !strcmp(top, "1")))
        lq->is_top = 1;
    else if (top && (!strcasecmp(top, "false") || !strcmp(top, "0")))
        lq->is_top = 0;
    if (lq->is_top >= 0)
        strcat(lq->where, " AND is_top = ?");
    const char *price = query_get(q, "price");
    lq->has_price = price && *price;
    if (lq->has_price) {
        struct decimal d;
        if (!decimal_parse(price, &d))
            return false;
        lq->price = decimal_to_double(&d);
        strcat(lq->where, " AND price = ?");
    }
    return true;
}

/* OrderingFilter: known fields only, else the view's default ordering. */
static void parse_ordering(const struct query *q, struct list_query *lq)
{
    lq->order[0] = '\0';
    const char *param = query_get(q, "ordering");
    char terms[256];
    snprintf(terms, sizeof terms, "%s", param ? param : "");
    for (char *save, *term = strtok_r(terms, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
        term = strip(term);
        bool desc = term[0] == '-';
        const char *field = term + desc;
        if (strcmp(field, "price") && strcmp(field, "created_at"))
            continue;
        size_t len = strlen(lq->order);
        if (len + 32 < sizeof lq->order)
            snprintf(lq->order + len, sizeof lq->order - len, "%s%s%s", len ? ", " : "", field,
                     desc ? " DESC" : "");
    }
    if (!lq->order[0])
        strcpy(lq->order, "created_at DESC");
}

static int bind_filters(sqlite3_stmt *st, const struct list_query *lq)
{
    int n = 0;
    if (lq->is_top >= 0)
        sqlite3_bind_int64(st, ++n, lq->is_top);
    if (lq->has_price)
        sqlite3_bind_double(st, ++n, lq->price);
    return n;
}

static int64_t count_rows(const struct list_query *lq)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM products WHERE %s", lq->where);
    sqlite3_stmt *st = statement(sql);
    bind_filters(st, lq);
    int64_t count = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return count;
}

static json_t *page_rows(const struct list_query *lq, int64_t size, int64_t page)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT id, name, price FROM products WHERE %s ORDER BY %s "
             "LIMIT ? OFFSET ?", lq->where, lq->order);
    sqlite3_stmt *st = statement(sql);
    int n = bind_filters(st, lq);
    sqlite3_bind_int64(st, n + 1, size);
    sqlite3_bind_int64(st, n + 2, (page - 1) * size);
    json_t *results = json_array();
    json_t *objects[MAX_PAGE_SIZE];
    int64_t ids[MAX_PAGE_SIZE];
    int rows = 0;
    while (rows < MAX_PAGE_SIZE && sqlite3_step(st) == SQLITE_ROW) {
        ids[rows] = sqlite3_column_int64(st, 0);
        objects[rows] = json_pack("{sI so so}", "id", (json_int_t)ids[rows], "name", text_json(st, 1),
                                  "price", price_json(st, 2));
        json_array_append_new(results, objects[rows++]);
    }
    sqlite3_reset(st);
    attach_latest_reviews(objects, ids, rows);
    return results;
}

static json_t *page_link(const struct _u_request *req, const struct query *q, int64_t page)
{
    char *url = query_page_url(q, u_map_get_case(req->map_header, "Host"), "/api/products/", page);
    json_t *link = json_string(url);
    free(url);
    return link;
}

static int list(const struct _u_request *req, struct _u_response *res, void *unused)
{
    (void)unused;
    int64_t user;
    if (!authenticate(req, res, &user))
        return U_CALLBACK_COMPLETE;
    struct query *q = query_parse(req->http_url);
    struct list_query lq;
    if (!parse_filters(q, &lq)) {
        query_free(q);
        return respond(res, 400, json_pack("{s[s]}", "price", "Enter a number."));
    }
    parse_ordering(q, &lq);
    int64_t size, page, count = count_rows(&lq);
    const char *size_param = query_get(q, "page_size");
    if (!size_param || !python_int(size_param, &size) || size <= 0)
        size = PAGE_SIZE;
    if (size > MAX_PAGE_SIZE)
        size = MAX_PAGE_SIZE;
    int64_t pages = count ? (count + size - 1) / size : 1;
    const char *page_param = query_get(q, "page");
    if (!page_param)
        page = 1;
    else if (!strcmp(page_param, "last"))
        page = pages;
    else if (!python_int(page_param, &page) || page < 1 || (page > pages && page != 1)) {
        query_free(q);
        return respond_detail(res, 404, "Invalid page.");
    }
    json_t *body = json_pack("{sI so so so}", "count", (json_int_t)count,
                             "next", page < pages ? page_link(req, q, page + 1) : json_null(),
                             "previous", page > 1 ? page_link(req, q, page - 1) : json_null(),
                             "results", page_rows(&lq, size, page));
    query_free(q);
    return respond(res, 200, body);
}

/* ------------------------------------------------------------------------
 * POST /api/products/: ProductCreate's validation with DRF's messages, the
 * insert, and the new object as ProductSerializer renders it.
 */
struct product_input { char *name, *description; char price[32]; bool is_top; };

static void add_error(json_t *errors, const char *field, const char *message)
{
    json_t *list = json_object_get(errors, field);
    if (!list)
        json_object_set_new(errors, field, list = json_array());
    json_array_append_new(list, json_string(message));
}

/* Python's str() of a JSON scalar, as DRF's CharField and DecimalField
 * coerce numbers; NULL for anything else. */
static char *scalar_text(const json_t *v)
{
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_integer(v))
        return json_dumps(v, JSON_ENCODE_ANY);
    if (json_is_real(v))
        return python_float_repr(json_real_value(v));
    return NULL;
}

/* CharField(trim_whitespace=True): the stripped text, or NULL with errors. */
static char *validate_text(json_t *errors, const char *field, const json_t *v, bool allow_blank,
                           int max_length)
{
    if (json_is_null(v)) {
        add_error(errors, field, "This field may not be null.");
        return NULL;
    }
    char *raw = json_is_boolean(v) ? NULL : scalar_text(v);
    if (!raw) {
        add_error(errors, field, "Not a valid string.");
        return NULL;
    }
    char *text = strdup(strip(raw));
    free(raw);
    if (!*text && !allow_blank) {
        add_error(errors, field, "This field may not be blank.");
        free(text);
        return NULL;
    }
    /* Validators all run; their messages are collected in order. */
    bool valid = true;
    if (max_length && utf8_length(text) > (size_t)max_length) {
        char message[80];
        snprintf(message, sizeof message, "Ensure this field has no more than %d characters.",
                 max_length);
        add_error(errors, field, message);
        valid = false;
    }
    if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v)) {
        add_error(errors, field, "Null characters are not allowed.");
        valid = false;
    }
    if (valid)
        return text;
    free(text);
    return NULL;
}

static bool validate_price(json_t *errors, const json_t *v, char out[32])
{
    if (json_is_null(v)) {
        add_error(errors, "price", "This field may not be null.");
        return false;
    }
    char *text = json_is_boolean(v) ? NULL : scalar_text(v);
    struct decimal d;
    bool ok = text && strlen(text) <= 1000 && decimal_parse(text, &d);
    free(text);
    const char *problem = ok ? decimal_precision_error(&d, 10, 2)
                             : "A valid number is required.";
    if (!problem && d.negative && !decimal_is_zero(&d))
        problem = "Ensure this value is greater than or equal to 0.";
    if (problem) {
        add_error(errors, "price", problem);
        return false;
    }
    decimal_format(&d, 2, out, 32);
    return true;
}

static bool validate_boolean(json_t *errors, const json_t *v, bool *out)
{
    static const char *const truthy[] = {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True",
                                         "TRUE", "on", "On", "ON", "1", NULL};
    static const char *const falsy[] = {"f", "F", "n", "N", "no", "No", "NO", "false", "False",
                                        "FALSE", "off", "Off", "OFF", "0", NULL};
    if (json_is_null(v)) {
        add_error(errors, "is_top", "This field may not be null.");
        return false;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    if (json_is_number(v) && (json_number_value(v) == 1 || json_number_value(v) == 0)) {
        *out = json_number_value(v) == 1;
        return true;
    }
    for (int i = 0; json_is_string(v) && truthy[i]; i++) {
        if (!strcmp(json_string_value(v), truthy[i]) || !strcmp(json_string_value(v), falsy[i])) {
            *out = !strcmp(json_string_value(v), truthy[i]);
            return true;
        }
    }
    add_error(errors, "is_top", "Must be a valid boolean.");
    return false;
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_ARRAY: return "list";
    case JSON_STRING: return "str";
    case JSON_INTEGER: return "int";
    case JSON_REAL: return "float";
    case JSON_TRUE: case JSON_FALSE: return "bool";
    default: return "NoneType";
    }
}

/* Fills *in, or returns DRF's 400 body. */
static json_t *validate_product(const json_t *data, struct product_input *in)
{
    json_t *errors = json_object();
    if (!json_is_object(data)) {
        char message[96];
        snprintf(message, sizeof message, "Invalid data. Expected a dictionary, but got %s.",
                 json_type_name(data));
        add_error(errors, "non_field_errors", message);
        return errors;
    }
    const json_t *v;
    if ((v = json_object_get(data, "name")))
        in->name = validate_text(errors, "name", v, false, MAX_NAME);
    else
        add_error(errors, "name", "This field is required.");
    if ((v = json_object_get(data, "description")))
        in->description = validate_text(errors, "description", v, true, 0);
    else
        in->description = strdup("");
    if ((v = json_object_get(data, "price")))
        validate_price(errors, v, in->price);
    else
        add_error(errors, "price", "This field is required.");
    if ((v = json_object_get(data, "is_top")))
        validate_boolean(errors, v, &in->is_top);
    if (json_object_size(errors))
        return errors;
    json_decref(errors);
    return NULL;
}

/* Now in UTC as Django stores it (str(datetime): no fraction when zero). */
static void django_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t len = strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
    long usec = ts.tv_nsec / 1000;
    if (usec)
        snprintf(out + len, 32 - len, ".%06ld", usec);
}

static bool is_json_request(const struct _u_request *req)
{
    const char *type = u_map_get_case(req->map_header, "Content-Type");
    if (!type)
        return false;
    size_t len = strcspn(type, ";");
    while (len && type[len - 1] == ' ')
        len--;
    return len == 16 && !strncasecmp(type, "application/json", 16);
}

static int create_from(const struct product_input *in, struct _u_response *res)
{
    char now[32];
    django_now(now);
    sqlite3_stmt *st = statement("INSERT INTO products (name, description, price, is_top, "
                                 "created_at, updated_at, owner_id) VALUES (?, ?, ?, ?, ?, ?, NULL)");
    sqlite3_bind_text(st, 1, in->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, in->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, in->price, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, in->is_top);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return respond_detail(res, 500, "A server error occurred.");
    char created[48];
    snprintf(created, sizeof created, "%sZ", now);
    created[10] = 'T';
    return respond(res, 201, json_pack("{sI ss ss ss sb sn ss sn}",
                                       "id", (json_int_t)sqlite3_last_insert_rowid(thread_db()->db),
                                       "name", in->name, "description", in->description,
                                       "price", in->price, "is_top", in->is_top, "owner",
                                       "created_at", created, "latest_review"));
}

static int create(const struct _u_request *req, struct _u_response *res, void *unused)
{
    (void)unused;
    int64_t user;
    if (!authenticate(req, res, &user))
        return U_CALLBACK_COMPLETE;
    if (!user)
        return respond_unauthorized(res, "Authentication credentials were not provided.");
    if (!is_json_request(req)) {
        const char *type = u_map_get_case(req->map_header, "Content-Type");
        char detail[256];
        snprintf(detail, sizeof detail, "Unsupported media type \"%s\" in request.", type ? type : "");
        return respond_detail(res, 415, detail);
    }
    json_error_t error;
    json_t *data = req->binary_body_length
        ? json_loadb(req->binary_body, req->binary_body_length,
                     JSON_DECODE_ANY | JSON_ALLOW_NUL, &error)
        : json_object();   /* DRF reads an empty body as {} */
    if (!data) {
        char detail[256];
        snprintf(detail, sizeof detail, "JSON parse error - %s", error.text);
        return respond_detail(res, 400, detail);
    }
    struct product_input in = {0};
    json_t *errors = validate_product(data, &in);
    int rc = errors ? respond(res, 400, errors) : create_from(&in, res);
    free(in.name);
    free(in.description);
    json_decref(data);
    return rc;
}

static int not_found(const struct _u_request *req, struct _u_response *res, void *unused)
{
    (void)req, (void)unused;
    return respond_detail(res, 404, "Not found.");
}

/* ------------------------------------------------------------------------ */

static bool parse_listen(const char *listen, struct sockaddr_in *addr)
{
    char host[64];
    unsigned port;
    if (sscanf(listen, "%63[^:]:%u", host, &port) != 2 || port > 65535)
        return false;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1;
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8000";
    db_path = "bench.db";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--listen"))
            listen = argv[i + 1];
        else if (!strcmp(argv[i], "--db"))
            db_path = argv[i + 1];
    }
    struct sockaddr_in addr;
    if (!parse_listen(listen, &addr)) {
        fprintf(stderr, "usage: %s --listen HOST:PORT --db PATH\n", argv[0]);
        return 2;
    }
    pthread_key_create(&thread_db_key, thread_db_close);

    struct _u_instance app;
    if (ulfius_init_instance(&app, ntohs(addr.sin_port), &addr, NULL) != U_OK)
        return 1;
    ulfius_add_endpoint_by_val(&app, "GET", "/api/ping/", NULL, 0, &ping, NULL);
    ulfius_add_endpoint_by_val(&app, "GET", "/api/products/", NULL, 0, &list, NULL);
    ulfius_add_endpoint_by_val(&app, "POST", "/api/products/", NULL, 0, &create, NULL);
    ulfius_add_endpoint_by_val(&app, "GET", "/api/products/", ":id/", 0, &retrieve, NULL);
    ulfius_set_default_endpoint(&app, &not_found, NULL);
    /* Serve until SIGTERM or SIGINT, taken by this thread alone: the
     * server's threads inherit the blocked mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (ulfius_start_framework(&app) != U_OK) {
        fprintf(stderr, "cannot listen on %s\n", listen);
        return 1;
    }
    int sig;
    sigwait(&stop, &sig);
    ulfius_stop_framework(&app);
    ulfius_clean_instance(&app);
    return 0;
}
