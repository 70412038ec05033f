/*
 * auth.c: DRF's TokenAuthentication and BasicAuthentication over Django's
 * own tables (auth_user, authtoken_token; names from rf_app.auth_tables),
 * and rf_auth_failed.
 *
 * Both are async hooks: the header is parsed on the loop (with DRF's exact
 * texts), the lookup goes through rf_db_exec, and Basic's PBKDF2 check runs
 * on the worker pool.  The outcomes are DRF's with Django's default
 * ModelBackend:
 *   Token  no header / another keyword: not attempted (the next runs);
 *          unknown key: "Invalid token."; inactive user: "User inactive or
 *          deleted."
 *   Basic  unknown user, wrong password, or an inactive user (ModelBackend
 *          refuses those before DRF looks): "Invalid username/password."
 * The key found is compared with the one sent in constant time as well, so
 * a database whose collation folds case or trailing spaces never lets a
 * near miss through.  An unknown username still costs one PBKDF2 run, as
 * Django's ModelBackend does, so timing does not reveal which usernames
 * exist.
 */
#include <string.h>

#include "internal.h"
#include "policy_internal.h"

#define TOKEN_NO_CREDENTIALS "Invalid token header. No credentials provided."
#define TOKEN_SPACES "Invalid token header. Token string should not contain spaces."
#define TOKEN_CHARACTERS "Invalid token header. Token string should not contain invalid characters."
#define TOKEN_INVALID "Invalid token."
#define USER_INACTIVE "User inactive or deleted."
#define BASIC_NO_CREDENTIALS "Invalid basic header. No credentials provided."
#define BASIC_SPACES "Invalid basic header. Credentials string should not contain spaces."
#define BASIC_BASE64 "Invalid basic header. Credentials not correctly base64 encoded."
#define BASIC_INVALID "Invalid username/password."

rf_rc rf_auth_failed(rf_ctx *ctx, const char *detail)
{
    return rf_not_authenticated(ctx, detail);
}

/* ---------------------------------------------------------------------
 * The Authorization header, as DRF splits it: bytes.split() on ASCII
 * whitespace.
 */

static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int rf_auth_split(const char *header, rf_str parts[3])
{
    int n = 0;
    for (const char *p = header; *p;) {
        while (*p && is_ascii_space(*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !is_ascii_space(*p))
            p++;
        if (n < 3)
            parts[n] = (rf_str){ start, (size_t)(p - start) };
        n++;
    }
    return n;
}

static bool keyword_is(rf_str word, const char *keyword)
{
    size_t n = strlen(keyword);
    if (word.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = word.s[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != keyword[i])
            return false;
    }
    return true;
}

rf_auth_parse rf_token_parse(const char *header, rf_str *key, const char **detail)
{
    rf_str parts[3];
    int n = header ? rf_auth_split(header, parts) : 0;
    if (n == 0 || !keyword_is(parts[0], "token"))
        return RF_AUTH_NOT_MINE;
    *detail = n == 1 ? TOKEN_NO_CREDENTIALS : n > 2 ? TOKEN_SPACES
            : !rf_utf8_valid(parts[1].s, parts[1].n) ? TOKEN_CHARACTERS : NULL;
    if (*detail)
        return RF_AUTH_FAILED;
    *key = parts[1];
    return RF_AUTH_CREDENTIALS;
}

/* Latin-1 bytes as UTF-8 text. */
static rf_str latin1_to_utf8(rf_arena *a, rf_str s)
{
    char *out = rf_alloc(a, 2 * s.n + 1);
    size_t o = 0;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if (c < 0x80) {
            out[o++] = (char)c;
        } else {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
    return (rf_str){ out, o };
}

rf_auth_parse rf_basic_parse(rf_arena *a, const char *header, rf_str *username,
                             rf_str *password, const char **detail)
{
    rf_str parts[3];
    int n = header ? rf_auth_split(header, parts) : 0;
    if (n == 0 || !keyword_is(parts[0], "basic"))
        return RF_AUTH_NOT_MINE;
    rf_str decoded;
    *detail = n == 1 ? BASIC_NO_CREDENTIALS : n > 2 ? BASIC_SPACES : NULL;
    if (!*detail && !rf_b64decode_lenient(a, parts[1], &decoded))
        *detail = BASIC_BASE64;
    if (*detail)
        return RF_AUTH_FAILED;
    /* .decode('utf-8'), falling back to latin-1; then partition(':'). */
    if (!rf_utf8_valid(decoded.s, decoded.n))
        decoded = latin1_to_utf8(a, decoded);
    const char *colon = memchr(decoded.s, ':', decoded.n);
    size_t ulen = colon ? (size_t)(colon - decoded.s) : decoded.n;
    *username = (rf_str){ rf_strndup(a, decoded.s, ulen), ulen };
    *password = colon ? (rf_str){ rf_strndup(a, colon + 1, decoded.n - ulen - 1),
                                  decoded.n - ulen - 1 }
                      : (rf_str){ "", 0 };
    return RF_AUTH_CREDENTIALS;
}

/* ---------------------------------------------------------------------
 * The lookups.
 */

static const char *table(const char *configured, const char *dflt)
{
    return configured && *configured ? configured : dflt;
}

static rf_db *auth_db(rf_ctx *ctx)
{
    const rf_app *app = rf_ctx_app(ctx);
    return rf_ctx_db(ctx, app ? app->auth_tables.db : 0);
}

static const rf_auth_tables *tables(rf_ctx *ctx)
{
    static const rf_auth_tables defaults = { NULL, NULL, 0 };
    const rf_app *app = rf_ctx_app(ctx);
    return app ? &app->auth_tables : &defaults;
}

#define USER_COLUMNS "u.\"id\", u.\"username\", u.\"email\", u.\"is_staff\", " \
                     "u.\"is_superuser\", u.\"is_active\""

static rf_user load_user(rf_arena *a, const rf_result *r)
{
    return (rf_user){
        .id = rf_result_int(r, 0, 0),
        .username = rf_strdup(a, rf_result_text(r, 0, 1)),
        .email = rf_result_isnull(r, 0, 2) ? "" : rf_strdup(a, rf_result_text(r, 0, 2)),
        .is_staff = rf_result_bool(r, 0, 3),
        .is_superuser = rf_result_bool(r, 0, 4),
        .is_active = rf_result_bool(r, 0, 5),
    };
}

/* The answer every other database failure gets (rf_db_fail): 503 with
 * "Service temporarily unavailable." when the database cannot be reached. */
static rf_rc database_failed(rf_ctx *ctx, const rf_result *r)
{
    rf_log_error("authentication: %s", rf_result_message(r));
    return rf_db_fail(ctx, rf_result_error(r));
}

static rf_rc no_database(rf_ctx *ctx)
{
    rf_log_error("authentication: the users' database is not open");
    return rf_error(ctx, 500, "A server error occurred.");
}

/* After parsing the header: true to go on with the lookup in *db, else
 * false with the hook's answer in *rc (not attempted, failed, no database). */
static bool credentials(rf_ctx *ctx, rf_auth_parse parsed, const char *detail, rf_db **db,
                        rf_rc *rc)
{
    if (parsed != RF_AUTH_CREDENTIALS) {
        *rc = parsed == RF_AUTH_NOT_MINE ? RF_OK : rf_auth_failed(ctx, detail);
        return false;
    }
    *db = auth_db(ctx);
    if (!*db) {
        *rc = no_database(ctx);
        return false;
    }
    return true;
}

typedef struct token_lookup {
    rf_str key;
} token_lookup;

static void on_token(rf_ctx *ctx, rf_result *r, void *arg)
{
    token_lookup *t = arg;
    rf_rc rc;
    if (rf_result_error(r) != RF_DB_OK)
        rc = database_failed(ctx, r);
    else if (rf_result_nrows(r) == 0)
        rc = rf_auth_failed(ctx, TOKEN_INVALID);
    else {
        const char *found = rf_result_text(r, 0, 6);
        if (!rf_secure_equal(found, strlen(found), t->key.s, t->key.n))
            rc = rf_auth_failed(ctx, TOKEN_INVALID);
        else if (!rf_result_bool(r, 0, 5))
            rc = rf_auth_failed(ctx, USER_INACTIVE);
        else {
            rf_user user = load_user(ctx->arena, r);
            rf_ctx_set_user(ctx, &user);
            rf_ctx_set_auth_token(ctx, found);
            rc = RF_OK;
        }
    }
    rf_resume(ctx, rc);
}

static rf_rc token_authenticate(rf_ctx *ctx)
{
    rf_str key;
    const char *detail = NULL;
    rf_auth_parse parsed = rf_token_parse(rf_ctx_header(ctx, "Authorization"), &key, &detail);
    rf_db *db;
    rf_rc rc;
    if (!credentials(ctx, parsed, detail, &db, &rc))
        return rc;
    const rf_auth_tables *t = tables(ctx);
    rf_stmt *stmt = rf_calloc(ctx->arena, sizeof *stmt);
    stmt->sql[RF_SQLITE] = stmt->sql[RF_POSTGRES] = rf_sprintf(
        ctx->arena,
        "SELECT " USER_COLUMNS ", k.\"key\" FROM \"%s\" k JOIN \"%s\" u "
        "ON u.\"id\" = k.\"user_id\" WHERE k.\"key\" = ?",
        table(t->token_table, "authtoken_token"), table(t->user_table, "auth_user"));
    token_lookup *lookup = rf_calloc(ctx->arena, sizeof *lookup);
    lookup->key = (rf_str){ rf_strndup(ctx->arena, key.s, key.n), key.n };
    rf_value param = RF_VTEXT(lookup->key.s);
    return rf_db_exec(ctx, db, stmt, &param, 1, on_token, lookup);
}

/* Basic: the user row, then PBKDF2 on the pool, then the verdict. */
typedef struct basic_check {
    rf_ctx *ctx;
    const char *password;
    const char *encoded;   /* NULL: no such user (hash anyway) */
    rf_user user;
    bool ok;
} basic_check;

static void check_password_work(void *arg)
{
    basic_check *c = arg;
    if (c->encoded) {
        c->ok = rf_password_check(c->password, c->encoded);
    } else {
        /* Django's ModelBackend hashes once for a missing user. */
        rf_arena *scratch = rf_arena_new(0);
        rf_password_make(scratch, c->password, 0);
        rf_arena_free(scratch);
        c->ok = false;
    }
}

static void check_password_done(void *arg)
{
    basic_check *c = arg;
    if (c->ok && c->user.is_active) {
        rf_ctx_set_user(c->ctx, &c->user);
        rf_resume(c->ctx, RF_OK);
    } else {
        rf_resume(c->ctx, rf_auth_failed(c->ctx, BASIC_INVALID));
    }
}

static void on_user(rf_ctx *ctx, rf_result *r, void *arg)
{
    basic_check *c = arg;
    if (rf_result_error(r) != RF_DB_OK) {
        rf_resume(ctx, database_failed(ctx, r));
        return;
    }
    if (rf_result_nrows(r) > 0 && !rf_result_isnull(r, 0, 6)) {
        c->user = load_user(ctx->arena, r);
        c->encoded = rf_strdup(ctx->arena, rf_result_text(r, 0, 6));
    }
    rf_pool_submit(rf_ctx_pool(ctx), check_password_work, check_password_done, c);
}

static rf_rc basic_authenticate(rf_ctx *ctx)
{
    rf_str username, password;
    const char *detail = NULL;
    rf_auth_parse parsed = rf_basic_parse(ctx->arena, rf_ctx_header(ctx, "Authorization"),
                                          &username, &password, &detail);
    rf_db *db;
    rf_rc rc;
    if (!credentials(ctx, parsed, detail, &db, &rc))
        return rc;
    basic_check *c = rf_calloc(ctx->arena, sizeof *c);
    c->ctx = ctx;
    /* A NUL cannot be in a stored password's input nor a username; such
     * credentials fail like any other wrong ones, after the same work. */
    c->password = password.s;
    if (memchr(username.s, '\0', username.n) || memchr(password.s, '\0', password.n)) {
        rf_pool_submit(rf_ctx_pool(ctx), check_password_work, check_password_done, c);
        return RF_PENDING;
    }
    rf_stmt *stmt = rf_calloc(ctx->arena, sizeof *stmt);
    stmt->sql[RF_SQLITE] = stmt->sql[RF_POSTGRES] = rf_sprintf(
        ctx->arena, "SELECT " USER_COLUMNS ", u.\"password\" FROM \"%s\" u "
                    "WHERE u.\"username\" = ?",
        table(tables(ctx)->user_table, "auth_user"));
    rf_value param = RF_VTEXT(username.s);
    return rf_db_exec(ctx, db, stmt, &param, 1, on_user, c);
}

const rf_authenticator rf_token_authentication = {
    .name = "TokenAuthentication",
    .www_authenticate = "Token",
    .authenticate = { .name = "TokenAuthentication.authenticate", .form = RF_ASYNC,
                      .fn.ctx = token_authenticate },
};

const rf_authenticator rf_basic_authentication = {
    .name = "BasicAuthentication",
    .www_authenticate = "Basic realm=\"api\"",
    .authenticate = { .name = "BasicAuthentication.authenticate", .form = RF_ASYNC,
                      .fn.ctx = basic_authenticate },
};
