/*
 * test_auth.c: TokenAuthentication and BasicAuthentication against what
 * DRF 3.14 (with Django's ModelBackend) answered for the same headers and
 * the same users, tokens and password hashes: the header parsing alone,
 * then the whole authenticators on a SQLite database in Django's layout.
 */
#include <stdlib.h>

#include "db_internal.h"
#include "policy_test.h"
#include "testing.h"

/* The header as the WSGI server handed it to DRF: a str of latin-1
 * characters, i.e. these bytes. */
static char *header_bytes(rf_arena *a, const char *utf8)
{
    size_t n = strlen(utf8);
    char *out = rf_alloc(a, n + 1);
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; *p;) {
        if (*p < 0x80) {
            out[o++] = (char)*p++;
        } else {
            out[o++] = (char)((p[0] & 0x1F) << 6 | (p[1] & 0x3F));
            p += 2;
        }
    }
    out[o] = '\0';
    return out;
}

static bool is_database_verdict(const char *detail)
{
    return strcmp(detail, "Invalid token.") == 0 ||
           strcmp(detail, "User inactive or deleted.") == 0 ||
           strcmp(detail, "Invalid username/password.") == 0;
}

START_TEST(headers_parse_as_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("auth"), i, v) {
        rf_arena *a = rf_arena_new(0);
        const char *header = vstr(v, "header") ? header_bytes(a, vstr(v, "header")) : NULL;
        const char *outcome = vstr(v, "outcome"), *want = vstr(v, "detail");
        const char *detail = NULL;
        rf_str x, y;
        rf_auth_parse got = strcmp(vstr(v, "scheme"), "token") == 0
                                ? rf_token_parse(header, &x, &detail)
                                : rf_basic_parse(a, header, &x, &y, &detail);
        if (strcmp(outcome, "anonymous") == 0)
            ck_assert_msg(got == RF_AUTH_NOT_MINE, "[%s]", vstr(v, "header"));
        else if (strcmp(outcome, "user") == 0 || is_database_verdict(want))
            ck_assert_msg(got == RF_AUTH_CREDENTIALS, "[%s]", vstr(v, "header"));
        else {
            ck_assert_msg(got == RF_AUTH_FAILED, "[%s]", vstr(v, "header"));
            ck_assert_str_eq(detail, want);
        }
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(basic_credentials_decode_as_drf)
{
    rf_arena *a = rf_arena_new(0);
    rf_str user, password;
    const char *detail;
    /* "café:päss" in latin-1: DRF falls back from UTF-8 to latin-1 */
    ck_assert_int_eq(rf_basic_parse(a, "Basic Y2Fm6Tpw5HNz", &user, &password, &detail),
                     RF_AUTH_CREDENTIALS);
    ck_assert_str_eq(user.s, "caf\xc3\xa9");
    ck_assert_str_eq(password.s, "p\xc3\xa4ss");
    ck_assert_int_eq(rf_basic_parse(a, "basic YWxpY2U6c2VjcmV0OmV4dHJh", &user, &password,
                                    &detail), RF_AUTH_CREDENTIALS);
    ck_assert_str_eq(user.s, "alice");
    ck_assert_str_eq(password.s, "secret:extra");
    ck_assert_int_eq(rf_basic_parse(a, "Basic YWxpY2U=", &user, &password, &detail),
                     RF_AUTH_CREDENTIALS);
    ck_assert_str_eq(password.s, "");
    rf_arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------------
 * The authenticators on a database.
 */
static rf_test_env *env;

static void setup_db(void)
{
    policy_db_open("auth");
    env = policy_env;
    rf_arena *a = rf_arena_new(0);
    rf_app app = { .name = "t" };
    const char **ddl;
    policy_db_exec("DROP TABLE IF EXISTS things", NULL, 0);
    policy_db_exec("DROP TABLE IF EXISTS authtoken_token", NULL, 0);
    policy_db_exec("DROP TABLE IF EXISTS auth_user", NULL, 0);
    int n = rf_schema_auth_statements(a, &app, policy_db_dialect(), &ddl);
    for (int i = 0; i < n; i++)
        policy_db_exec(ddl[i], NULL, 0);
    size_t i;
    json_t *u;
    json_array_foreach(policy_section("auth_users"), i, u) {
        rf_value p[] = { RF_VINT(vint(u, "id")), RF_VTEXT(vstr(u, "password")),
                         RF_VBOOL(vbool(u, "is_superuser")), RF_VTEXT(vstr(u, "username")),
                         RF_VTEXT(vstr(u, "email")), RF_VBOOL(vbool(u, "is_staff")),
                         RF_VBOOL(vbool(u, "is_active")) };
        policy_db_exec("INSERT INTO auth_user (id, password, is_superuser, username, "
                       "first_name, last_name, email, is_staff, is_active, date_joined) "
                       "VALUES (?, ?, ?, ?, '', '', ?, ?, ?, '2026-01-01 00:00:00')", p, 7);
    }
    json_array_foreach(policy_section("auth_tokens"), i, u) {
        rf_value p[] = { RF_VTEXT(vstr(u, "key")), RF_VINT(vint(u, "user_id")) };
        policy_db_exec("INSERT INTO authtoken_token (key, created, user_id) VALUES "
                       "(?, '2026-01-01 00:00:00', ?)", p, 2);
    }
    rf_arena_free(a);
}

static const rf_authenticator *const token_only[] = { &rf_token_authentication };
static const rf_authenticator *const basic_only[] = { &rf_basic_authentication };
static const rf_view token_view = { .name = "T", .authenticators = token_only,
                                    .nauthenticators = 1 };
static const rf_view basic_view = { .name = "B", .authenticators = basic_only,
                                    .nauthenticators = 1 };

START_TEST(authenticators_match_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("auth"), i, v) {
        rf_arena *a = rf_arena_new(0);
        bool token = strcmp(vstr(v, "scheme"), "token") == 0;
        const char *header = vstr(v, "header");
        const char *lines[] = { header ? rf_sprintf(a, "Authorization: %s",
                                                    header_bytes(a, header)) : NULL, NULL };
        rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
            .method = RF_GET, .headers = lines, .view = token ? &token_view : &basic_view });
        const rf_authenticator *auth = token ? &rf_token_authentication : &rf_basic_authentication;
        rf_rc rc = rf_test_run(env, ctx, auth->authenticate.fn.ctx);
        const char *outcome = vstr(v, "outcome");
        const char *label = rf_sprintf(a, "%s [%s]", vstr(v, "scheme"), header ? header : "-");
        if (strcmp(outcome, "failed") == 0) {
            ck_assert_msg(rc == RF_ERROR, "%s", label);
            ck_assert_int_eq(rf_test_status(ctx), 401);
            ck_assert_str_eq(rf_test_body(ctx),
                             rf_sprintf(a, "{\"detail\":\"%s\"}", vstr(v, "detail")));
            ck_assert_str_eq(rf_test_header(ctx, "WWW-Authenticate"),
                             token ? "Token" : "Basic realm=\"api\"");
        } else {
            ck_assert_msg(rc == RF_OK, "%s: %s", label, rf_test_body(ctx));
            const rf_user *user = rf_ctx_user(ctx);
            if (strcmp(outcome, "user") == 0) {
                ck_assert_msg(user && user->id == vint(v, "user"), "%s", label);
                ck_assert(user->is_active);
            } else {
                ck_assert_msg(!user, "%s", label);
            }
        }
        rf_test_ctx_free(ctx);
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(the_user_and_token_are_on_the_request)
{
    const char *lines[] = { "Authorization: Token aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL };
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET, .headers = lines,
                                                        .view = &token_view });
    ck_assert_int_eq(rf_test_run(env, ctx, rf_token_authentication.authenticate.fn.ctx), RF_OK);
    const rf_user *u = rf_ctx_user(ctx);
    ck_assert_str_eq(u->username, "alice");
    ck_assert_str_eq(u->email, "a@x.org");
    ck_assert(u->is_staff && !u->is_superuser);
    ck_assert_str_eq(rf_ctx_auth_token(ctx), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(failure_is_403_without_www_authenticate)
{
    static const rf_authenticator custom = { .name = "ApiKey" };
    static const rf_authenticator *const list[] = { &custom, &rf_token_authentication };
    static const rf_view view = { .name = "V", .authenticators = list, .nauthenticators = 2 };
    const char *lines[] = { "Authorization: Token nope", NULL };
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET, .headers = lines,
                                                        .view = &view });
    ck_assert_int_eq(rf_test_run(env, ctx, rf_token_authentication.authenticate.fn.ctx),
                     RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 403);
    ck_assert_str_eq(rf_test_body(ctx), "{\"detail\":\"Invalid token.\"}");
    ck_assert_ptr_null(rf_test_header(ctx, "WWW-Authenticate"));
    rf_test_ctx_free(ctx);
}
END_TEST

/* ---------------------------------------------------------------------
 * The whole request life: dispatch runs the authenticators, then the
 * permissions, then the throttles, then the handler.
 */
static rf_rc whoami(rf_ctx *ctx)
{
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"user\":");
    rf_json_str(b, rf_ctx_user(ctx)->username);
    rf_buf_putc(b, '}');
    return rf_respond_json(ctx, 200, b);
}

static const rf_perm_expr authenticated = { .op = RF_P_LEAF, .leaf = &rf_is_authenticated };
static const rf_perm_expr *const must_login[] = { &authenticated };
static const rf_throttle two_per_minute = { "Burst", RF_THROTTLE_USER, "user", 2, 60 };
static const rf_throttle *const throttles[] = { &two_per_minute };
static const rf_action whoami_action = {
    .name = "get", .kind = RF_ACT_HANDLER,
    .handler = { .name = "whoami", .form = RF_SYNC, .fn.ctx = whoami },
    .permissions = must_login, .npermissions = 1, .throttles = throttles, .nthrottles = 1,
    .renderers = RF_RENDER_JSON,
};
static const rf_authenticator *const both[] = { &rf_token_authentication,
                                                &rf_basic_authentication };
static const rf_view me_view = { .name = "Me", .kind = RF_VIEW_API, .authenticators = both,
                                 .nauthenticators = 2 };
static const rf_route routes[] = {
    { .pattern = "me/", .kind = RF_ROUTE_VIEW, .view = &me_view,
      .by_method = { [RF_GET] = &whoami_action } },
};
static const rf_app me_app = { .abi = RF_ABI_VERSION, .name = "me", .routes = routes,
                               .nroutes = 1, .num_proxies = -1 };

static const char *get_me(rf_test_env *e, const char *authorization)
{
    static char out[256];
    const char *lines[] = { authorization, NULL };
    rf_ctx *ctx = rf_test_dispatch(e, &(rf_test_request){
        .method = RF_GET, .target = "/me/", .headers = authorization ? lines : NULL });
    const char *www = rf_test_header(ctx, "WWW-Authenticate");
    const char *retry = rf_test_header(ctx, "Retry-After");
    snprintf(out, sizeof out, "%d %s%s%s%s%s", rf_test_status(ctx), rf_test_body(ctx),
             www ? " WWW-Authenticate: " : "", www ? www : "",
             retry ? " Retry-After: " : "", retry ? retry : "");
    rf_test_ctx_free(ctx);
    return out;
}

START_TEST(dispatch_authenticates_then_checks_then_throttles)
{
    rf_test_env *e = rf_test_env_new(&me_app, 2);
    ck_assert(rf_test_env_open_db(e, 0, policy_db_url));
    ck_assert_str_eq(get_me(e, NULL), "401 {\"detail\":\"Authentication credentials were "
                                      "not provided.\"} WWW-Authenticate: Token");
    ck_assert_str_eq(get_me(e, "Authorization: Bearer x"),
                     "401 {\"detail\":\"Authentication credentials were not provided.\"} "
                     "WWW-Authenticate: Token");
    /* Basic fails: its own text, but the first authenticator's header. */
    ck_assert_str_eq(get_me(e, "Authorization: Basic YWxpY2U6d3Jvbmc="),
                     "401 {\"detail\":\"Invalid username/password.\"} "
                     "WWW-Authenticate: Token");
    ck_assert_str_eq(get_me(e, "Authorization: Token aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                     "200 {\"user\":\"alice\"}");
    ck_assert_str_eq(get_me(e, "Authorization: Basic YWxpY2U6c2VjcmV0"),
                     "200 {\"user\":\"alice\"}");
    const char *third = get_me(e, "Authorization: Basic YWxpY2U6c2VjcmV0");
    ck_assert_msg(strncmp(third, "429 {\"detail\":\"Request was throttled. Expected available in ",
                          60) == 0 && strstr(third, " Retry-After: "), "%s", third);
    rf_test_env_free(e);
}
END_TEST

Suite *make_auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("headers");
    tcase_add_test(tc, headers_parse_as_drf);
    tcase_add_test(tc, basic_credentials_decode_as_drf);
    suite_add_tcase(s, tc);
    TCase *db = tcase_create("sqlite");
    tcase_set_timeout(db, 60);
    tcase_add_checked_fixture(db, setup_db, policy_db_close);
    tcase_add_test(db, authenticators_match_drf);
    tcase_add_test(db, the_user_and_token_are_on_the_request);
    tcase_add_test(db, failure_is_403_without_www_authenticate);
    tcase_add_test(db, dispatch_authenticates_then_checks_then_throttles);
    suite_add_tcase(s, db);
    return s;
}
