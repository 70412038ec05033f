/*
 * rt_server.c: the runtime's HTTP test server, built from hand-written
 * descriptors (what the code generator will emit) and linked against
 * librestflow.  test_runtime.py starts it on a free port and speaks HTTP.
 *
 * Routes (DefaultRouter layout for "things", with format suffixes, plus
 * single views):
 *   api/                          API root {"things": ..., "notes": ...}
 *   api/things/                   list (sync), create (echoes the body, 201)
 *   api/things/recent/            list extra action
 *   api/things/{pk:lookup}/       retrieve (async), destroy (blocking, 204)
 *   api/things/{pk:lookup}/publish/   detail extra action, POST
 *   api/notes/, api/notes/{pk}/   a generic ModelViewSet over a table
 *   api/notes-feed/               its list with CursorPagination
 *   secure/                       Token, Basic; IsAuthenticated; GET
 *   custom-auth/                  X-User authenticator (no WWW-Authenticate);
 *                                 IsAuthenticated or a deny-with-message
 *   throttled/                    AnonRateThrottle 2/minute
 *   lazy/{pk:int}/                POST: 404 for pk 0 before the body is read
 *   blocking/wait/                a blocking hook that waits until
 *   blocking/release/             ... this (a sync hook) releases it
 *   blocking/sleep/?ms=N          a blocking hook that sleeps (for SIGTERM)
 *   async/later/?ms=N             an async hook resumed by a timer
 *   bridge/                       a blocking hook using the sync bridge
 *   memory/?kb=N                  allocates N KiB in the request's arena
 *   echo/{name}/                  kwargs, query, client ip, pid
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "restflow.h"
#include "internal.h"

/* ---------------------------------------------------------------------
 * Handlers.
 */
static rf_rc respond_literal(rf_ctx *ctx, int status, const char *json)
{
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_puts(b, json);
    return rf_respond_json(ctx, status, b);
}

static rf_rc things_list(rf_ctx *ctx)
{
    return respond_literal(ctx, 200, "[{\"id\":1,\"name\":\"a\\u2028\xC3\xA9\"},{\"id\":2,\"name\":\"b\"}]");
}

static rf_rc things_recent(rf_ctx *ctx)
{
    return respond_literal(ctx, 200, "[]");
}

static rf_rc echo_body(rf_ctx *ctx, int status)
{
    json_t *data;
    if (rf_ctx_body(ctx, &data) != RF_OK)
        return RF_ERROR;
    char *text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
    rf_rc rc = respond_literal(ctx, status, text);
    free(text);
    return rc;
}

static rf_rc things_create(rf_ctx *ctx)
{
    return echo_body(ctx, 201);
}

static void resume_ok(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rf_ctx *ctx = arg;
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"pk\":");
    rf_json_str(b, rf_ctx_kwarg(ctx, "pk"));
    rf_buf_putc(b, '}');
    rf_respond_json(ctx, 200, b);
    rf_resume(ctx, RF_OK);
}

static long query_long(rf_ctx *ctx, const char *name, long dflt)
{
    const char *v = rf_ctx_query(ctx, name);
    return v ? strtol(v, NULL, 10) : dflt;
}

static rf_rc schedule(rf_ctx *ctx, long ms, event_callback_fn fn)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    event_base_once(rf_ctx_base(ctx), -1, EV_TIMEOUT, fn, ctx, &tv);
    return RF_PENDING;
}

static rf_rc thing_retrieve(rf_ctx *ctx)
{
    return schedule(ctx, 1, resume_ok);
}

static rf_rc thing_destroy(rf_ctx *ctx)
{
    return rf_respond_empty(ctx, 204);
}

static rf_rc thing_publish(rf_ctx *ctx)
{
    return respond_literal(ctx, 200, "{\"published\":true}");
}

static rf_rc secure_get(rf_ctx *ctx)
{
    const rf_user *u = rf_ctx_user(ctx);
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"user\":");
    rf_json_str(b, u ? u->username : "");
    rf_buf_putc(b, '}');
    return rf_respond_json(ctx, 200, b);
}

static rf_rc lazy_post(rf_ctx *ctx)
{
    if (strcmp(rf_ctx_kwarg(ctx, "pk"), "0") == 0)
        return rf_error(ctx, 404, "Not found.");
    return echo_body(ctx, 200);
}

/* blocking/wait/ parks a pool thread until blocking/release/ is served:
 * the release can only be answered if the loop is not blocked. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;

static rf_rc blocking_wait(rf_ctx *ctx)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 20;
    pthread_mutex_lock(&gate_lock);
    int rc = 0;
    while (!gate_open && rc == 0)
        rc = pthread_cond_timedwait(&gate_cond, &gate_lock, &deadline);
    bool released = gate_open;
    gate_open = false;
    pthread_mutex_unlock(&gate_lock);
    return released ? respond_literal(ctx, 200, "{\"released\":true}")
                    : rf_error(ctx, 500, "never released");
}

static rf_rc blocking_release(rf_ctx *ctx)
{
    pthread_mutex_lock(&gate_lock);
    gate_open = true;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    return respond_literal(ctx, 200, "{\"released\":true}");
}

static rf_rc blocking_sleep(rf_ctx *ctx)
{
    long ms = query_long(ctx, "ms", 100);
    fprintf(stderr, "rt-server: sleep started\n");
    usleep((useconds_t)ms * 1000);
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_printf(b, "{\"slept\":%ld}", ms);
    return rf_respond_json(ctx, 200, b);
}

static void later_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rf_ctx *ctx = arg;
    respond_literal(ctx, 200, "{\"later\":true}");
    rf_resume(ctx, RF_OK);
}

static rf_rc async_later(rf_ctx *ctx)
{
    return schedule(ctx, query_long(ctx, "ms", 10), later_done);
}

/* The sync bridge: an async operation started on the loop, awaited from a
 * pool thread. */
static void tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rf_resume(arg, RF_OK);
}

static rf_rc start_timer(rf_ctx *ctx, void *arg, rf_cont k)
{
    (void)arg;
    rf_push_cont(ctx, k);
    return schedule(ctx, 5, tick);
}

static rf_rc bridge_get(rf_ctx *ctx)
{
    if (rf_sync_call(ctx, start_timer, NULL) != RF_OK)
        return RF_ERROR;
    return respond_literal(ctx, 200, "{\"bridged\":true}");
}

static rf_rc memory_get(rf_ctx *ctx)
{
    long kb = query_long(ctx, "kb", 1);
    rf_alloc(rf_ctx_arena(ctx), (size_t)kb * 1024);
    return respond_literal(ctx, 200, "{\"allocated\":true}");
}

static rf_rc echo_get(rf_ctx *ctx)
{
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"name\":");
    rf_json_str(b, rf_ctx_kwarg(ctx, "name"));
    rf_buf_lit(b, ",\"q\":");
    const char *q = rf_ctx_query(ctx, "q");
    if (q)
        rf_json_str(b, q);
    else
        rf_json_null(b);
    rf_buf_lit(b, ",\"ip\":");
    rf_json_str(b, rf_ctx_client_ip(ctx));
    rf_buf_printf(b, ",\"pid\":%d}", (int)getpid());
    return rf_respond_json(ctx, 200, b);
}

/* ---------------------------------------------------------------------
 * Policies.
 */
/* X-User: absent, not attempted; "bad" fails; anything else is that user. */
static rf_rc x_user_authenticate(rf_ctx *ctx)
{
    const char *name = rf_ctx_header(ctx, "X-User");
    if (!name)
        return RF_OK;
    if (strcmp(name, "bad") == 0)
        return rf_auth_failed(ctx, "Invalid user.");
    rf_ctx_set_user(ctx, &(rf_user){ .id = 99, .username = name, .is_active = true });
    return RF_OK;
}

static const rf_authenticator x_user_auth = {
    .name = "XUser", .www_authenticate = NULL,
    .authenticate = { "x_user_authenticate", RF_SYNC, { .ctx = x_user_authenticate } },
};

static rf_rc deny_carol(rf_ctx *ctx)
{
    const rf_user *u = rf_ctx_user(ctx);
    return u && strcmp(u->username, "carol") == 0 ? RF_ERROR : RF_OK;
}

static const rf_permission not_carol = {
    .name = "NotCarol", .message = "Carol may not.", .has_permission_set = true,
    .has_permission = { "deny_carol", RF_BLOCKING, { .ctx = deny_carol } },
};

static const rf_perm_expr p_authenticated = { .op = RF_P_LEAF, .leaf = &rf_is_authenticated };
static const rf_perm_expr p_not_carol = { .op = RF_P_LEAF, .leaf = &not_carol };
static const rf_perm_expr *const authenticated_perms[] = { &p_authenticated };
static const rf_perm_expr *const custom_perms[] = { &p_authenticated, &p_not_carol };

static const rf_authenticator *const token_basic[] = {
    &rf_token_authentication, &rf_basic_authentication,
};
static const rf_authenticator *const x_user_only[] = { &x_user_auth };

static const rf_throttle anon_2_per_minute = {
    .name = "AnonRateThrottle", .kind = RF_THROTTLE_ANON, .scope = "anon",
    .num_requests = 2, .duration = 60,
};
static const rf_throttle *const throttles[] = { &anon_2_per_minute };

/* ---------------------------------------------------------------------
 * A generic viewset over a table, as the compiler would describe it:
 * resource Note { id = AutoField(primary_key); title = CharField(max_length = 20) }
 * with a ModelSerializer, PageNumberPagination (page_size 2),
 * TokenAuthentication and IsAuthenticatedOrReadOnly.
 */
typedef struct rt_note {
    uint8_t rf_state[2];
    int64_t id;
    const char *title;
} rt_note;

static const rf_field note_fields[] = {
    { .name = "id", .column = "id", .verbose_name = "ID", .type = RF_F_AUTO, .flags = RF_FF_PK,
      .index = 0, .offset = offsetof(rt_note, id),
      .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 } },
    { .name = "title", .column = "title", .verbose_name = "title", .type = RF_F_CHAR,
      .flags = RF_FF_EDITABLE, .index = 1, .offset = offsetof(rt_note, title),
      .limits = { .max_length = 20, .min_length = -1, .max_digits = -1, .decimal_places = -1 } },
};

static const rf_resource note_res = {
    .name = "Note", .verbose_name = "note", .table = "rt_note", .fields = note_fields,
    .nfields = 2, .pk = 0, .rec_size = sizeof(rt_note),
    .insert_sql = { "INSERT INTO \"rt_note\" (\"title\") VALUES (?) RETURNING \"id\"",
                    "INSERT INTO \"rt_note\" (\"title\") VALUES (?) RETURNING \"id\"" },
    .update_sql = { "UPDATE \"rt_note\" SET \"title\" = ? WHERE \"id\" = ?",
                    "UPDATE \"rt_note\" SET \"title\" = ? WHERE \"id\" = ?" },
    .delete_sql = { "DELETE FROM \"rt_note\" WHERE \"id\" = ?",
                    "DELETE FROM \"rt_note\" WHERE \"id\" = ?" },
    .select_columns = "t.\"id\", t.\"title\"",
};
static const rf_resource *const resources[] = { &note_res };

static void render_note(rf_buf *b, const rf_row *row)
{
    const rt_note *n = row->rec;
    rf_buf_lit(b, "{\"id\":");
    rf_json_i64(b, n->id);
    rf_buf_lit(b, ",\"title\":");
    rf_json_str(b, n->title);
    rf_buf_putc(b, '}');
}

static const rf_sfield note_sfields[] = {
    { .name = "id", .label = "ID", .type = RF_F_AUTO, .flags = RF_SF_READ_ONLY,
      .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 },
      .index = 0, .offset = offsetof(rt_note, id), .model_field = &note_fields[0] },
    { .name = "title", .label = "Title", .type = RF_F_CHAR, .flags = RF_SF_REQUIRED,
      .limits = { .max_length = 20, .min_length = -1, .max_digits = -1, .decimal_places = -1 },
      .index = 1, .offset = offsetof(rt_note, title), .model_field = &note_fields[1] },
};

static const rf_serializer note_ser = {
    .name = "NoteSerializer", .model = &note_res, .fields = note_sfields, .nfields = 2,
    .rec_size = sizeof(rt_note), .render = render_note,
};

static const rf_paginator note_pages = {
    .name = "PageNumberPagination", .kind = RF_PAGE_NUMBER, .page_size = 2,
    .page_query_param = "page", .last_page_strings = (const char *const[]){ "last", NULL },
};

static const rf_order newest_first[] = { { &note_fields[0], true } };
static const rf_paginator note_feed = {
    .name = "CursorPagination", .kind = RF_CURSOR, .page_size = 2,
    .cursor_query_param = "cursor", .ordering = newest_first, .nordering = 1,
};

static const rf_queryset all_notes = {
    .res = &note_res, .order = (const rf_order[]){ { &note_fields[0], false } }, .norder = 1,
};

static const rf_perm_expr p_auth_or_read_only = {
    .op = RF_P_LEAF, .leaf = &rf_is_authenticated_or_read_only,
};
static const rf_perm_expr *const note_perms[] = { &p_auth_or_read_only };
static const rf_authenticator *const token_only[] = { &rf_token_authentication };

#define NOTE_ACTION(nm, k, ...) \
    { .name = nm, .kind = k, .request_serializer = &note_ser, .response_serializer = &note_ser, \
      .queryset = &all_notes, .permissions = note_perms, .npermissions = 1, __VA_ARGS__ }

static const rf_action n_list = NOTE_ACTION("list", RF_ACT_LIST, .paginator = &note_pages);
static const rf_action n_feed = NOTE_ACTION("list", RF_ACT_LIST, .paginator = &note_feed);
static const rf_action n_create = NOTE_ACTION("create", RF_ACT_CREATE);
static const rf_action n_retrieve = NOTE_ACTION("retrieve", RF_ACT_RETRIEVE);
static const rf_action n_update = NOTE_ACTION("update", RF_ACT_UPDATE);
static const rf_action n_partial = NOTE_ACTION("partial_update", RF_ACT_PARTIAL_UPDATE);
static const rf_action n_destroy = NOTE_ACTION("destroy", RF_ACT_DESTROY);
static const rf_action n_default = NOTE_ACTION(NULL, RF_ACT_HANDLER);

static const rf_view notes = {
    .name = "NoteViewSet", .kind = RF_VIEW_VIEWSET, .model = &note_res,
    .authenticators = token_only, .nauthenticators = 1, .lookup_url_kwarg = "pk",
    .default_action = &n_default,
};

/* ---------------------------------------------------------------------
 * Actions, views, routes.
 */
#define HOOK(f, hook_form) { .name = #f, .form = hook_form, .fn.ctx = f }
#define HANDLER(var, f, hook_form) \
    static const rf_action var = { .name = #f, .kind = RF_ACT_HANDLER, .handler = HOOK(f, hook_form) }

HANDLER(a_list, things_list, RF_SYNC);
HANDLER(a_create, things_create, RF_SYNC);
HANDLER(a_recent, things_recent, RF_SYNC);
HANDLER(a_retrieve, thing_retrieve, RF_ASYNC);
HANDLER(a_destroy, thing_destroy, RF_BLOCKING);
HANDLER(a_publish, thing_publish, RF_SYNC);
HANDLER(a_lazy, lazy_post, RF_SYNC);
HANDLER(a_wait, blocking_wait, RF_BLOCKING);
HANDLER(a_release, blocking_release, RF_SYNC);
HANDLER(a_sleep, blocking_sleep, RF_BLOCKING);
HANDLER(a_later, async_later, RF_ASYNC);
HANDLER(a_bridge, bridge_get, RF_BLOCKING);
HANDLER(a_memory, memory_get, RF_SYNC);
HANDLER(a_echo, echo_get, RF_SYNC);

static const rf_action a_secure = {
    .name = "get", .kind = RF_ACT_HANDLER, .handler = HOOK(secure_get, RF_SYNC),
    .permissions = authenticated_perms, .npermissions = 1,
};
static const rf_action a_custom = {
    .name = "get", .kind = RF_ACT_HANDLER, .handler = HOOK(secure_get, RF_SYNC),
    .permissions = custom_perms, .npermissions = 2,
};
static const rf_action a_throttled = {
    .name = "get", .kind = RF_ACT_HANDLER, .handler = HOOK(things_recent, RF_SYNC),
    .throttles = throttles, .nthrottles = 1,
};

static const rf_view things = {
    .name = "ThingViewSet", .description = "Things, listed.", .kind = RF_VIEW_VIEWSET,
};
static const rf_view plain = { .name = "PlainView", .kind = RF_VIEW_API };
static const rf_view secure = {
    .name = "SecureView", .kind = RF_VIEW_API,
    .authenticators = token_basic, .nauthenticators = 2,
};
static const rf_view custom = {
    .name = "CustomAuthView", .kind = RF_VIEW_API,
    .authenticators = x_user_only, .nauthenticators = 1,
};

static const rf_root_entry root_entries[] = {
    { "things", "api/things/" },
    { "notes", "api/notes/" },
};

#define VIEW(pat, v, ...) { .pattern = pat, .view = &v, .by_method = { __VA_ARGS__ } }

static const rf_route routes[] = {
    { .pattern = "api/", .kind = RF_ROUTE_API_ROOT, .root = root_entries, .nroot = 2,
      .format_suffix = true },
    { .pattern = "api/things/", .view = &things, .name_suffix = "List", .format_suffix = true,
      .by_method = { [RF_GET] = &a_list, [RF_POST] = &a_create } },
    { .pattern = "api/things/recent/", .view = &things, .view_name = "Recent",
      .format_suffix = true, .by_method = { [RF_GET] = &a_recent } },
    { .pattern = "api/things/{pk:lookup}/", .view = &things, .name_suffix = "Instance",
      .detail = true, .format_suffix = true,
      .by_method = { [RF_GET] = &a_retrieve, [RF_DELETE] = &a_destroy } },
    { .pattern = "api/things/{pk:lookup}/publish/", .view = &things, .view_name = "Publish",
      .detail = true, .format_suffix = true, .by_method = { [RF_POST] = &a_publish } },
    { .pattern = "api/notes/", .view = &notes, .name_suffix = "List",
      .by_method = { [RF_GET] = &n_list, [RF_POST] = &n_create } },
    { .pattern = "api/notes/{pk:lookup}/", .view = &notes, .name_suffix = "Instance",
      .detail = true, .by_method = { [RF_GET] = &n_retrieve, [RF_PUT] = &n_update,
                                     [RF_PATCH] = &n_partial, [RF_DELETE] = &n_destroy } },
    { .pattern = "api/notes-feed/", .view = &notes, .name_suffix = "List",
      .by_method = { [RF_GET] = &n_feed } },
    VIEW("secure/", secure, [RF_GET] = &a_secure),
    VIEW("custom-auth/", custom, [RF_GET] = &a_custom),
    VIEW("throttled/", plain, [RF_GET] = &a_throttled),
    VIEW("lazy/{pk:int}/", plain, [RF_POST] = &a_lazy),
    VIEW("blocking/wait/", plain, [RF_GET] = &a_wait),
    VIEW("blocking/release/", plain, [RF_GET] = &a_release),
    VIEW("blocking/sleep/", plain, [RF_GET] = &a_sleep),
    VIEW("async/later/", plain, [RF_GET] = &a_later),
    VIEW("bridge/", plain, [RF_GET] = &a_bridge),
    VIEW("memory/", plain, [RF_GET] = &a_memory),
    VIEW("echo/{name}/", plain, [RF_GET] = &a_echo),
};

static const rf_database_def databases[] = { { "default", NULL } };

static const rf_app app = {
    .abi = RF_ABI_VERSION, .name = "rt", .title = "Runtime tests", .version = "1",
    .routes = routes, .nroutes = sizeof routes / sizeof routes[0],
    .databases = databases, .ndatabases = 1,
    .resources = resources, .nresources = 1,
    .schema_sql = {
        "CREATE TABLE IF NOT EXISTS \"rt_note\" (\"id\" integer NOT NULL PRIMARY KEY "
        "AUTOINCREMENT, \"title\" varchar(20) NOT NULL);",
        "CREATE TABLE IF NOT EXISTS \"rt_note\" (\"id\" bigserial NOT NULL PRIMARY KEY, "
        "\"title\" varchar(20) NOT NULL);" },
    .auth_tables = { "auth_user", "authtoken_token", 0 },
    .num_proxies = -1,
};

int main(int argc, char **argv)
{
    return rf_main(&app, argc, argv);
}
