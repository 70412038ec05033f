/*
 * test_permission.c: the & | ~ algebra against DRF 3.14's operator classes
 * (every combination of leaf answers: the verdicts and the exact sequence
 * of checks called), the denial rule (status, detail, WWW-Authenticate),
 * the built-in classes, and hooks in their sync, blocking and async forms.
 */
#include <event2/event.h>
#include <unistd.h>

#include "policy_test.h"
#include "testing.h"

/* ---------------------------------------------------------------------
 * Leaves a, b, c whose answers the table row sets; every call is logged.
 */
static bool answers[3][2];          /* [leaf][object] */
static char calls[256];

static rf_rc answer(rf_ctx *ctx, int leaf, bool object)
{
    (void)ctx;
    snprintf(calls + strlen(calls), sizeof calls - strlen(calls), "%s%c.%s",
             calls[0] ? "," : "", 'a' + leaf, object ? "hop" : "hp");
    return answers[leaf][object] ? RF_OK : RF_ERROR;
}

#define LEAF_HOOKS(n, letter)                                                 \
    static rf_rc letter##_hp(rf_ctx *ctx) { return answer(ctx, n, false); }   \
    static rf_rc letter##_hop(rf_ctx *ctx, void *obj) { (void)obj; return answer(ctx, n, true); }
LEAF_HOOKS(0, a)
LEAF_HOOKS(1, b)
LEAF_HOOKS(2, c)

#define LEAF(letter, msg)                                                     \
    { .name = #letter, .message = msg, .has_permission_set = true,            \
      .has_object_permission_set = true,                                      \
      .has_permission = { .name = #letter "_hp", .fn.ctx = letter##_hp },     \
      .has_object_permission = { .name = #letter "_hop", .fn.obj = letter##_hop } }
static const rf_permission leaves[3] = { LEAF(a, "a says no"), LEAF(b, "b says no"),
                                         LEAF(c, "c says no") };

/* A tiny parser for the generator's expressions: ~ binds tightest, then
 * &, then |, as in Python. */
typedef struct parser {
    rf_arena *a;
    const char *p;
} parser;

static rf_perm_expr *parse_or(parser *ps);

static void skip_spaces(parser *ps)
{
    while (*ps->p == ' ')
        ps->p++;
}

static rf_perm_expr *node(parser *ps, rf_perm_op op, const rf_perm_expr *x, const rf_perm_expr *y)
{
    rf_perm_expr *e = rf_calloc(ps->a, sizeof *e);
    e->op = op;
    e->a = x;
    e->b = y;
    return e;
}

static rf_perm_expr *parse_unary(parser *ps)
{
    skip_spaces(ps);
    if (*ps->p == '~') {
        ps->p++;
        return node(ps, RF_P_NOT, parse_unary(ps), NULL);
    }
    if (*ps->p == '(') {
        ps->p++;
        rf_perm_expr *e = parse_or(ps);
        skip_spaces(ps);
        ck_assert(*ps->p++ == ')');
        return e;
    }
    rf_perm_expr *e = node(ps, RF_P_LEAF, NULL, NULL);
    e->leaf = &leaves[*ps->p++ - 'a'];
    return e;
}

static rf_perm_expr *parse_and(parser *ps)
{
    rf_perm_expr *e = parse_unary(ps);
    for (skip_spaces(ps); *ps->p == '&'; skip_spaces(ps)) {
        ps->p++;
        e = node(ps, RF_P_AND, e, parse_unary(ps));
    }
    return e;
}

static rf_perm_expr *parse_or(parser *ps)
{
    rf_perm_expr *e = parse_and(ps);
    for (skip_spaces(ps); *ps->p == '|'; skip_spaces(ps)) {
        ps->p++;
        e = node(ps, RF_P_OR, e, parse_and(ps));
    }
    return e;
}

static const rf_view plain_view = { .name = "Plain" };
static rf_test_env *env;

static void setup(void)
{
    env = rf_test_env_new(NULL, 2);
}

static void teardown(void)
{
    rf_test_env_free(env);
}

/* Check one list of permissions; the outcome as "status detail". */
static const char *check(const rf_perm_expr *const *perms, int n, bool object,
                         const rf_view *view, const rf_user *user, rf_method method)
{
    static char out[256];
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = method, .view = view,
                                                        .user = user });
    static int obj;
    rf_rc rc = test_wait(rf_test_env_base(env),
                         rf_check_permissions(ctx, perms, n, object ? &obj : NULL, test_k));
    const char *www = rf_test_header(ctx, "WWW-Authenticate");
    if (rc == RF_OK)
        snprintf(out, sizeof out, "200");
    else
        snprintf(out, sizeof out, "%d %s%s%s", rf_test_status(ctx), rf_test_body(ctx),
                 www ? " " : "", www ? www : "");
    rf_test_ctx_free(ctx);
    return out;
}

START_TEST(algebra_matches_drf_operators)
{
    size_t i, r;
    json_t *v, *row;
    json_array_foreach(policy_section("permission_tables"), i, v) {
        rf_arena *a = rf_arena_new(0);
        parser ps = { a, vstr(v, "expr") };
        const rf_perm_expr *e = parse_or(&ps);
        json_array_foreach(json_object_get(v, "rows"), r, row) {
            const char *name;
            json_t *pair;
            json_object_foreach(json_object_get(row, "leaves"), name, pair) {
                answers[name[0] - 'a'][0] = json_is_true(json_array_get(pair, 0));
                answers[name[0] - 'a'][1] = json_is_true(json_array_get(pair, 1));
            }
            for (int object = 0; object < 2; object++) {
                calls[0] = '\0';
                const char *got = check(&e, 1, object, &plain_view, NULL, RF_GET);
                bool granted = strcmp(got, "200") == 0;
                ck_assert_msg(granted == vbool(row, object ? "has_object_permission"
                                                           : "has_permission"),
                              "%s row %zu object %d", vstr(v, "expr"), r, object);
                rf_buf want;
                rf_buf_init(&want, a, 64);
                size_t k;
                json_t *c;
                json_array_foreach(json_object_get(row, object ? "hop_calls" : "hp_calls"), k, c)
                    rf_buf_printf(&want, "%s%s", k ? "," : "", json_string_value(c));
                ck_assert_msg(strcmp(calls, buf_text(&want)) == 0, "%s: calls %s, DRF %s",
                              vstr(v, "expr"), calls, buf_text(&want));
            }
        }
        rf_arena_free(a);
    }
}
END_TEST

/* The generator's named permissions: fixed answers, some with messages. */
static rf_rc yes(rf_ctx *ctx) { (void)ctx; return RF_OK; }
static rf_rc no(rf_ctx *ctx) { (void)ctx; return RF_ERROR; }
static rf_rc yes_obj(rf_ctx *ctx, void *o) { (void)ctx, (void)o; return RF_OK; }
static rf_rc no_obj(rf_ctx *ctx, void *o) { (void)ctx, (void)o; return RF_ERROR; }

#define FIXED(var, cls, msg, hp, hop)                                         \
    static const rf_permission var = {                                        \
        .name = cls, .message = msg, .has_permission_set = true,              \
        .has_object_permission_set = true,                                    \
        .has_permission = { .name = #hp, .fn.ctx = hp },                      \
        .has_object_permission = { .name = #hop, .fn.obj = hop } }
FIXED(deny, "deny", "deny says no", no, no_obj);
FIXED(deny_plain, "deny_plain", NULL, no, no_obj);
FIXED(allow, "allow", NULL, yes, yes_obj);
FIXED(allow_no_obj, "allow_no_obj", "no object", yes, no_obj);

static const rf_permission *named(const char *name)
{
    static const struct { const char *name; const rf_permission *p; } all[] = {
        { "deny", &deny }, { "deny_plain", &deny_plain }, { "allow", &allow },
        { "allow_no_obj", &allow_no_obj },
    };
    for (size_t i = 0; i < 4; i++)
        if (strcmp(all[i].name, name) == 0)
            return all[i].p;
    ck_abort_msg("no permission %s", name);
    return NULL;
}

/* "allow,deny" is a list; "~allow", "deny|deny_plain", "allow&deny" one
 * composed entry. */
static int parse_list(rf_arena *a, const char *text, const rf_perm_expr **out)
{
    int n = 0;
    char *copy = rf_strdup(a, text), *save;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        rf_perm_expr *e = rf_calloc(a, sizeof *e);
        char *op = strpbrk(item, "|&");
        if (item[0] == '~') {
            rf_perm_expr *x = rf_calloc(a, sizeof *x);
            *x = (rf_perm_expr){ .op = RF_P_LEAF, .leaf = named(item + 1) };
            *e = (rf_perm_expr){ .op = RF_P_NOT, .a = x };
        } else if (op) {
            char sym = *op;
            *op = '\0';
            rf_perm_expr *x = rf_calloc(a, sizeof *x), *y = rf_calloc(a, sizeof *y);
            *x = (rf_perm_expr){ .op = RF_P_LEAF, .leaf = named(item) };
            *y = (rf_perm_expr){ .op = RF_P_LEAF, .leaf = named(op + 1) };
            *e = (rf_perm_expr){ .op = sym == '|' ? RF_P_OR : RF_P_AND, .a = x, .b = y };
        } else {
            *e = (rf_perm_expr){ .op = RF_P_LEAF, .leaf = named(item) };
        }
        out[n++] = e;
    }
    return n;
}

static const rf_authenticator no_header = { .name = "NoHeader", .www_authenticate = NULL };
static const rf_authenticator *const token_only[] = { &rf_token_authentication };
static const rf_authenticator *const no_header_only[] = { &no_header };
static const rf_view token_view = { .name = "T", .authenticators = token_only,
                                    .nauthenticators = 1 };
static const rf_view custom_view = { .name = "C", .authenticators = no_header_only,
                                     .nauthenticators = 1 };
static const rf_user alice = { .id = 1, .username = "alice", .is_active = true };

START_TEST(denials_match_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("permission_denials"), i, v) {
        rf_arena *a = rf_arena_new(0);
        const rf_perm_expr *perms[4];
        int n = parse_list(a, vstr(v, "perms"), perms);
        const char *auth = vstr(v, "auth");
        const rf_view *view = strcmp(auth, "token") == 0 ? &token_view
                            : strcmp(auth, "custom") == 0 ? &custom_view : &plain_view;
        const char *got = check(perms, n, vbool(v, "object"), view,
                                vstr(v, "user") ? &alice : NULL, RF_GET);
        const char *want = vint(v, "status") == 200 ? "200"
            : rf_sprintf(a, "%lld {\"detail\":\"%s\"}%s%s", vint(v, "status"), vstr(v, "detail"),
                         vstr(v, "www_authenticate") ? " " : "",
                         vstr(v, "www_authenticate") ? vstr(v, "www_authenticate") : "");
        ck_assert_msg(strcmp(got, want) == 0, "%s/%s/%s/%d: got %s want %s", vstr(v, "perms"),
                      auth, vstr(v, "user"), vbool(v, "object"), got, want);
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(builtins_answer_as_drf)
{
    static const rf_perm_expr any = { .op = RF_P_LEAF, .leaf = &rf_allow_any };
    static const rf_perm_expr authed = { .op = RF_P_LEAF, .leaf = &rf_is_authenticated };
    static const rf_perm_expr admin = { .op = RF_P_LEAF, .leaf = &rf_is_admin_user };
    static const rf_perm_expr ro = { .op = RF_P_LEAF, .leaf = &rf_is_authenticated_or_read_only };
    static const rf_perm_expr not_authed = { .op = RF_P_NOT, .a = &authed };
    const rf_perm_expr *p;
    rf_user staff = alice;
    staff.is_staff = true;
    const char *denied = "403 {\"detail\":\"You do not have permission to perform this action.\"}";
    p = &any;
    ck_assert_str_eq(check(&p, 1, false, &plain_view, NULL, RF_DELETE), "200");
    p = &authed;
    ck_assert_str_eq(check(&p, 1, false, &plain_view, NULL, RF_GET), denied);
    ck_assert_str_eq(check(&p, 1, false, &token_view, NULL, RF_GET),
                     "401 {\"detail\":\"Authentication credentials were not provided.\"} Token");
    ck_assert_str_eq(check(&p, 1, false, &plain_view, &alice, RF_GET), "200");
    p = &admin;
    ck_assert_str_eq(check(&p, 1, false, &plain_view, &alice, RF_GET), denied);
    ck_assert_str_eq(check(&p, 1, false, &plain_view, &staff, RF_GET), "200");
    p = &ro;
    ck_assert_str_eq(check(&p, 1, false, &plain_view, NULL, RF_HEAD), "200");
    ck_assert_str_eq(check(&p, 1, false, &plain_view, NULL, RF_OPTIONS), "200");
    ck_assert_str_eq(check(&p, 1, false, &plain_view, NULL, RF_POST), denied);
    ck_assert_str_eq(check(&p, 1, false, &plain_view, &alice, RF_PATCH), "200");
    /* ~IsAuthenticated: anonymous passes has_permission, but every object
     * is denied (IsAuthenticated's object check is True). */
    p = &not_authed;
    ck_assert_str_eq(check(&p, 1, false, &plain_view, NULL, RF_GET), "200");
    ck_assert_str_eq(check(&p, 1, true, &plain_view, NULL, RF_GET), denied);
}
END_TEST

/* ---------------------------------------------------------------------
 * Hook forms and raising hooks.
 */
static rf_rc owner_blocking(rf_ctx *ctx, void *obj)
{
    ck_assert(rf_on_pool_thread());
    usleep(1000);
    return *(int *)obj == (int)rf_ctx_user(ctx)->id ? RF_OK : RF_ERROR;
}

static void later(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    rf_ctx *ctx = arg;
    rf_resume(ctx, rf_ctx_user(ctx) ? RF_OK : RF_ERROR);
}

static rf_rc authed_async(rf_ctx *ctx)
{
    struct timeval tv = { 0, 1000 };
    event_base_once(rf_ctx_base(ctx), -1, EV_TIMEOUT, later, ctx, &tv);
    return RF_PENDING;
}

static rf_rc not_found(rf_ctx *ctx)
{
    return rf_error(ctx, 404, "Not found.");
}

static const rf_permission is_owner = {
    .name = "IsOwner", .has_object_permission_set = true,
    .has_object_permission = { .name = "owner_blocking", .form = RF_BLOCKING,
                               .fn.obj = owner_blocking },
};
static const rf_permission authed_later = {
    .name = "AuthedLater", .message = "later says no", .has_permission_set = true,
    .has_permission = { .name = "authed_async", .form = RF_ASYNC, .fn.ctx = authed_async },
};
static const rf_permission raises = {
    .name = "Raises", .has_permission_set = true,
    .has_permission = { .name = "not_found", .fn.ctx = not_found },
};

START_TEST(hooks_run_in_every_form)
{
    static const rf_perm_expr later_leaf = { .op = RF_P_LEAF, .leaf = &authed_later };
    static const rf_perm_expr owner_leaf = { .op = RF_P_LEAF, .leaf = &is_owner };
    static const rf_perm_expr both = { .op = RF_P_AND, .a = &later_leaf, .b = &owner_leaf };
    static const rf_perm_expr either = { .op = RF_P_OR, .a = &owner_leaf, .b = &later_leaf };
    const rf_perm_expr *list[] = { &later_leaf, &owner_leaf };
    rf_user other = alice;
    other.id = 2;
    ck_assert_str_eq(check(list, 2, false, &plain_view, NULL, RF_GET),
                     "403 {\"detail\":\"later says no\"}");
    ck_assert_str_eq(check(list, 2, false, &plain_view, &alice, RF_GET), "200");
    /* obj is an int 0..; the test's object is a static int 0, alice is 1 */
    ck_assert_str_eq(check(list, 2, true, &plain_view, &alice, RF_GET),
                     "403 {\"detail\":\"You do not have permission to perform this action.\"}");
    const rf_perm_expr *one = &both;
    ck_assert_str_eq(check(&one, 1, false, &plain_view, &other, RF_GET), "200");
    one = &either;
    ck_assert_str_eq(check(&one, 1, true, &plain_view, &other, RF_GET), "200");
}
END_TEST

START_TEST(a_raising_hook_ends_the_request_even_negated)
{
    static const rf_perm_expr leaf = { .op = RF_P_LEAF, .leaf = &raises };
    static const rf_perm_expr negated = { .op = RF_P_NOT, .a = &leaf };
    const rf_perm_expr *p = &negated;
    ck_assert_str_eq(check(&p, 1, false, &plain_view, &alice, RF_GET),
                     "404 {\"detail\":\"Not found.\"}");
}
END_TEST

Suite *make_permission_suite(void)
{
    Suite *s = suite_create("permission");
    TCase *tc = tcase_create("permission");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, algebra_matches_drf_operators);
    tcase_add_test(tc, denials_match_drf);
    tcase_add_test(tc, builtins_answer_as_drf);
    tcase_add_test(tc, hooks_run_in_every_form);
    tcase_add_test(tc, a_raising_hook_ends_the_request_even_negated);
    suite_add_tcase(s, tc);
    return s;
}
