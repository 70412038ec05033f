/*
 * blog_hooks.c: the C hooks of specs/blog.rflow.  The spec's header says
 * what each does; where that leaves a choice open, the DRF twin
 * (tests/drf/blog/blog/hooks.py) made it, and these hooks make the same.
 *
 * Forms: blocking hooks use the sync helpers and rf_db_exec_sync; async
 * ones chain the async helpers with rf_then and end with rf_resume; sync
 * ones only look at what they are given.
 */
#include <string.h>
#include <time.h>

#include "blog_hooks.h"

static void finish(rf_ctx *ctx, rf_rc rc)
{
    rf_resume(ctx, rc);
}

static bool safe_method(rf_ctx *ctx)
{
    rf_method m = rf_ctx_method(ctx);
    return m == RF_GET || m == RF_HEAD || m == RF_OPTIONS;
}

static int64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One integer from a one-row query run from a blocking hook: RF_OK with
 * *found false when there is no row; RF_ERROR with the response set when
 * the database failed. */
static rf_rc query_int(rf_ctx *ctx, const rf_stmt *stmt, rf_value param, bool *found,
                       int64_t *out)
{
    rf_result *r;
    if (rf_db_exec_sync(ctx, rf_ctx_db(ctx, 0), stmt, &param, 1, &r) != RF_OK)
        return RF_ERROR;
    if (rf_result_error(r) != RF_DB_OK)
        return rf_db_fail(ctx, rf_result_error(r));
    *found = rf_result_nrows(r) > 0 && !rf_result_isnull(r, 0, 0);
    if (*found)
        *out = rf_result_int(r, 0, 0);
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * ApiToken: `Authorization: Bearer <key>`, the keyword in any case, the
 * header split on ASCII whitespace as TokenAuthentication splits it.
 */
static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The words of s (at most 3 are told apart: more is "not two"). */
static int split_words(rf_arena *a, const char *s, const char *words[3])
{
    int n = 0;
    while (*s) {
        while (ascii_space(*s))
            s++;
        if (!*s)
            break;
        const char *start = s;
        while (*s && !ascii_space(*s))
            s++;
        if (n < 3)
            words[n] = rf_strndup(a, start, (size_t)(s - start));
        n++;
    }
    return n;
}

static const char token_user_sql[] =
    "SELECT u.\"id\", u.\"username\", u.\"email\", u.\"is_staff\", u.\"is_superuser\", "
    "u.\"is_active\" FROM \"authtoken_token\" t JOIN \"auth_user\" u ON u.\"id\" = t.\"user_id\" "
    "WHERE t.\"key\" = ?";
static const rf_stmt token_user_stmt = { "blog_token_user", { token_user_sql, token_user_sql } };

rf_rc blog_api_token(rf_ctx *ctx)
{
    const char *header = rf_ctx_header(ctx, "Authorization");
    const char *words[3];
    int n = header ? split_words(rf_ctx_arena(ctx), header, words) : 0;
    if (n == 0 || strcasecmp(words[0], "bearer") != 0)
        return RF_OK;   /* not attempted */
    if (n != 2)
        return rf_auth_failed(ctx, "Invalid token.");
    rf_value key = RF_VTEXT(words[1]);
    rf_result *r;
    if (rf_db_exec_sync(ctx, rf_ctx_db(ctx, 0), &token_user_stmt, &key, 1, &r) != RF_OK)
        return RF_ERROR;
    if (rf_result_error(r) != RF_DB_OK)
        return rf_db_fail(ctx, rf_result_error(r));
    if (rf_result_nrows(r) == 0)
        return rf_auth_failed(ctx, "Invalid token.");
    rf_user user = {
        .id = rf_result_int(r, 0, 0), .username = rf_result_text(r, 0, 1),
        .email = rf_result_text(r, 0, 2), .is_staff = rf_result_bool(r, 0, 3),
        .is_superuser = rf_result_bool(r, 0, 4), .is_active = rf_result_bool(r, 0, 5),
    };
    rf_ctx_set_user(ctx, &user);
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * Permissions.
 */
static const char author_user_sql[] = "SELECT \"user_id\" FROM \"blog_author\" WHERE \"id\" = ?";
static const rf_stmt author_user_stmt = { "blog_author_user", { author_user_sql, author_user_sql } };

rf_rc blog_is_author(rf_ctx *ctx, void *obj)
{
    if (safe_method(ctx))
        return RF_OK;
    const blog_Post *post = obj;
    const rf_user *user = rf_ctx_user(ctx);
    bool found;
    int64_t user_id;
    if (query_int(ctx, &author_user_stmt, RF_VINT(post->author), &found, &user_id) != RF_OK)
        return RF_ERROR;
    return found && user && user_id == user->id ? RF_OK : RF_ERROR;
}

rf_rc blog_is_editor(rf_ctx *ctx)
{
    const rf_user *user = rf_ctx_user(ctx);
    return user && user->is_staff ? RF_OK : RF_ERROR;
}

/* ---------------------------------------------------------------------
 * PostSerializer.
 */
rf_rc blog_validate_slug(rf_ctx *ctx, void *obj)
{
    const blog_Post *post = obj;
    if (strcmp(post->slug, "new") == 0 || strcmp(post->slug, "drafts") == 0)
        return rf_raise(ctx, "slug", "This slug is reserved.");
    return RF_OK;
}

/* Code points, as Python's len() counts a str. */
static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The post as the save will leave it: the validated data over the stored
 * post (update), or over the model's defaults (create: status "draft",
 * body ""). */
rf_rc blog_validate_post(rf_ctx *ctx, void *obj)
{
    const blog_Post *post = obj;
    const char *status = RF_IS_SET(post, BLOG_POST_STATUS) ? post->status : "draft";
    const char *body = RF_IS_SET(post, BLOG_POST_BODY) && !RF_IS_NULL(post, BLOG_POST_BODY)
                           ? post->body : "";
    if (strcmp(status, "published") == 0 && utf8_length(body) < 20)
        return rf_raise(ctx, NULL, "A published post needs a longer body.");
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * Posts.
 */
static const char author_of_user_sql[] = "SELECT \"id\" FROM \"blog_author\" WHERE \"user_id\" = ?";
static const rf_stmt author_of_user_stmt = {
    "blog_author_of_user", { author_of_user_sql, author_of_user_sql }
};

static void author_found(rf_ctx *ctx, rf_result *r, void *arg)
{
    blog_Post *post = arg;
    if (rf_result_error(r) != RF_DB_OK) {
        rf_resume(ctx, rf_db_fail(ctx, rf_result_error(r)));
        return;
    }
    if (rf_result_nrows(r) == 0) {
        /* A user without an Author row may not write posts. */
        rf_resume(ctx, rf_error(ctx, 403, "You do not have permission to perform this action."));
        return;
    }
    post->author = rf_result_int(r, 0, 0);
    RF_STATE(post, BLOG_POST_AUTHOR) = RF_SET;
    rf_resume(ctx, RF_OK);
}

rf_rc blog_posts_perform_create(rf_ctx *ctx, void *obj)
{
    const rf_user *user = rf_ctx_user(ctx);
    if (!user)
        return rf_error(ctx, 403, "You do not have permission to perform this action.");
    rf_value id = RF_VINT(user->id);
    return rf_db_exec(ctx, rf_ctx_db(ctx, 0), &author_of_user_stmt, &id, 1, author_found, obj);
}

/* The twin deletes the post's taggings before the post; here the
 * taggings' foreign key is ON DELETE CASCADE in the schema, so the DELETE
 * that follows this hook removes them in the same statement. */
rf_rc blog_posts_perform_destroy(rf_ctx *ctx, void *obj)
{
    (void)ctx;
    (void)obj;
    return RF_OK;
}

rf_rc blog_post_publish(rf_ctx *ctx)
{
    void *obj;
    if (rf_get_object(ctx, &obj) != RF_OK)
        return RF_ERROR;
    blog_Post *post = obj;
    post->status = "published";
    RF_STATE(post, BLOG_POST_STATUS) = RF_SET;
    post->published_at = now_usec();
    RF_STATE(post, BLOG_POST_PUBLISHED_AT) = RF_SET;
    void *saved;
    if (rf_save(ctx, post, &saved) != RF_OK)
        return RF_ERROR;
    return rf_serialized_response(ctx, saved, 200);
}

/* The user's drafts: the action's queryset, paginated by the viewset's
 * paginator (its cursor ordered by the OrderingFilter), with the
 * viewset's PostFetches. */
rf_rc blog_drafts_list(rf_ctx *ctx)
{
    const rf_action *a = rf_ctx_action(ctx);
    rf_query *q = rf_query_new(ctx, &blog_Post_resource);
    if (rf_query_apply_queryset(q, ctx, a->queryset) != RF_OK)
        return RF_ERROR;
    return rf_then(ctx, rf_apaginated_response(ctx, q, a->post_fetches, a->npost_fetches, finish),
                   finish);
}

/* ---------------------------------------------------------------------
 * Authors: the author's published posts, newest published first.
 */
static void author_posts_found(rf_ctx *ctx, rf_rc rc)
{
    if (rc != RF_OK) {
        rf_resume(ctx, rc);
        return;
    }
    const blog_Author *author = *(void **)rf_ctx_var(ctx, "blog.author");
    const rf_field *fields = blog_Post_resource.fields;
    rf_query *q = rf_query_new(ctx, &blog_Post_resource);
    rf_query_where_eq(q, &fields[BLOG_POST_AUTHOR], RF_VINT(author->id));
    rf_query_where_eq(q, &fields[BLOG_POST_STATUS], RF_VTEXT("published"));
    rf_query_order_by(q, &fields[BLOG_POST_PUBLISHED_AT], true);
    rf_then(ctx, rf_apaginated_response(ctx, q, NULL, 0, finish), finish);
}

rf_rc blog_author_posts(rf_ctx *ctx)
{
    void **slot = rf_calloc(rf_ctx_arena(ctx), sizeof *slot);
    rf_ctx_set_var(ctx, "blog.author", slot);
    return rf_then(ctx, rf_aget_object(ctx, slot, author_posts_found), author_posts_found);
}

/* ---------------------------------------------------------------------
 * PostComments, Stats, Contact.
 */
static const char post_by_slug_sql[] = "SELECT \"id\" FROM \"blog_posts\" WHERE \"slug\" = ?";
static const rf_stmt post_by_slug_stmt = { "blog_post_by_slug", { post_by_slug_sql, post_by_slug_sql } };

/* The comment belongs to the post of the URL (404 when there is none) and
 * waits for moderation. */
rf_rc blog_comment_create(rf_ctx *ctx, void *obj)
{
    blog_Comment *comment = obj;
    bool found;
    int64_t post_id;
    if (query_int(ctx, &post_by_slug_stmt, RF_VTEXT(rf_ctx_kwarg(ctx, "post_slug")), &found,
                  &post_id) != RF_OK)
        return RF_ERROR;
    if (!found)
        return rf_error(ctx, 404, "Not found.");
    comment->post = post_id;
    RF_STATE(comment, BLOG_COMMENT_POST) = RF_SET;
    comment->approved = false;
    RF_STATE(comment, BLOG_COMMENT_APPROVED) = RF_SET;
    return RF_OK;
}

/* Every row counts: posts of any status, comments approved or not. */
static const char stats_sql[] =
    "SELECT (SELECT COUNT(*) FROM \"blog_posts\"), (SELECT COUNT(*) FROM \"blog_comment\"), "
    "(SELECT COUNT(*) FROM \"blog_author\")";
static const rf_stmt stats_stmt = { "blog_stats", { stats_sql, stats_sql } };

rf_rc blog_stats_get(rf_ctx *ctx)
{
    rf_result *r;
    if (rf_db_exec_sync(ctx, rf_ctx_db(ctx, 0), &stats_stmt, NULL, 0, &r) != RF_OK)
        return RF_ERROR;
    if (rf_result_error(r) != RF_DB_OK)
        return rf_db_fail(ctx, rf_result_error(r));
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_printf(b, "{\"posts\":%lld,\"comments\":%lld,\"authors\":%lld}",
                  (long long)rf_result_int(r, 0, 0), (long long)rf_result_int(r, 0, 1),
                  (long long)rf_result_int(r, 0, 2));
    return rf_respond_json(ctx, 200, b);
}

rf_rc blog_contact_post(rf_ctx *ctx)
{
    void *message;
    if (rf_validated_serializer(ctx, false, &message) != RF_OK)
        return RF_ERROR;
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"detail\":\"Thanks, we will be in touch.\"}");
    return rf_respond_json(ctx, 202, b);
}
