/*
 * shop_hooks.c: the C hooks of specs/shop.rflow.  Their behaviour is fixed
 * by docs/example-hooks.md, so that the DRF twin (tests/drf/shop) answers
 * the same.  Async hooks chain the runtime's async helpers with rf_then
 * and end every chain with rf_resume.
 */
#include <string.h>

#include <jansson.h>

#include "shop_hooks.h"

/* The record a chain of async steps works on, kept in the request. */
static void **chain_slot(rf_ctx *ctx)
{
    void **slot = rf_calloc(rf_ctx_arena(ctx), sizeof *slot);
    rf_ctx_set_var(ctx, "shop.record", slot);
    return slot;
}

static void **chain_record(rf_ctx *ctx)
{
    return (void **)rf_ctx_var(ctx, "shop.record");
}

static void finish(rf_ctx *ctx, rf_rc rc)
{
    rf_resume(ctx, rc);
}

static void respond_with(rf_ctx *ctx, rf_rc rc, int status)
{
    if (rc != RF_OK) {
        rf_resume(ctx, rc);
        return;
    }
    rf_then(ctx, rf_aserialized_response(ctx, *chain_record(ctx), status, finish), finish);
}

static void set_owner(shop_Product *p, const rf_user *user)
{
    if (user) {
        p->owner = user->id;
        RF_STATE(p, SHOP_PRODUCT_OWNER) = RF_SET;
    } else {
        RF_STATE(p, SHOP_PRODUCT_OWNER) = RF_SET | RF_NULL;
    }
}

/* ---------------------------------------------------------------------
 * ProductSerializer.
 */
static bool decimal_is_zero(const char *text)
{
    if (*text == '-' || *text == '+')
        text++;
    for (; *text; text++)
        if (*text != '0' && *text != '.')
            return false;
    return true;
}

rf_rc shop_validate_price(rf_ctx *ctx, void *obj)
{
    const shop_Product *p = obj;
    if (RF_IS_SET(p, SHOP_PRODUCT_PRICE) && !RF_IS_NULL(p, SHOP_PRODUCT_PRICE) &&
        decimal_is_zero(p->price))
        return rf_raise(ctx, "price", "A product cannot be free.");
    return RF_OK;
}

/* DRF's validated data holds the fields the body gave (the serializer
 * declares no defaults); on update the record also holds the stored ones. */
static bool in_body(rf_ctx *ctx, const char *key)
{
    json_t *body;
    return rf_ctx_body(ctx, &body) == RF_OK && json_is_object(body) &&
           json_object_get(body, key) != NULL;
}

rf_rc shop_validate_product(rf_ctx *ctx, void *obj)
{
    const shop_Product *p = obj;
    if (in_body(ctx, "name") && in_body(ctx, "description") &&
        !RF_IS_NULL(p, SHOP_PRODUCT_NAME) && !RF_IS_NULL(p, SHOP_PRODUCT_DESCRIPTION) &&
        strcmp(p->name, p->description) == 0)
        return rf_raise(ctx, NULL, "Name and description must differ.");
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * IsOwner and ApiKey.
 */
rf_rc shop_is_owner(rf_ctx *ctx, void *obj)
{
    rf_method m = rf_ctx_method(ctx);
    if (m == RF_GET || m == RF_HEAD || m == RF_OPTIONS)
        return RF_OK;
    const shop_Product *p = obj;
    const rf_user *user = rf_ctx_user(ctx);
    bool owned = user && RF_IS_SET(p, SHOP_PRODUCT_OWNER) && !RF_IS_NULL(p, SHOP_PRODUCT_OWNER) &&
                 p->owner == user->id;
    return owned ? RF_OK : RF_ERROR;
}

static const char api_key_sql[] =
    "SELECT u.\"id\", u.\"username\", u.\"email\", u.\"is_staff\", u.\"is_superuser\", "
    "u.\"is_active\" FROM \"authtoken_token\" t JOIN \"auth_user\" u ON u.\"id\" = t.\"user_id\" "
    "WHERE t.\"key\" = ?";
static const rf_stmt api_key_stmt = { "shop_api_key", { api_key_sql, api_key_sql } };

static void api_key_found(rf_ctx *ctx, rf_result *r, void *arg)
{
    (void)arg;
    if (rf_result_error(r) != RF_DB_OK) {
        rf_resume(ctx, rf_db_fail(ctx, rf_result_error(r)));
        return;
    }
    if (rf_result_nrows(r) == 0) {
        rf_resume(ctx, rf_auth_failed(ctx, "Invalid API key."));
        return;
    }
    rf_user user = {
        .id = rf_result_int(r, 0, 0), .username = rf_result_text(r, 0, 1),
        .email = rf_result_text(r, 0, 2), .is_staff = rf_result_bool(r, 0, 3),
        .is_superuser = rf_result_bool(r, 0, 4), .is_active = rf_result_bool(r, 0, 5),
    };
    rf_ctx_set_user(ctx, &user);
    rf_resume(ctx, RF_OK);
}

rf_rc shop_api_key_auth(rf_ctx *ctx)
{
    const char *key = rf_ctx_header(ctx, "X-Api-Key");
    if (!key)
        return RF_OK;   /* not attempted: the next authenticator runs */
    rf_value param = RF_VTEXT(key);
    return rf_db_exec(ctx, rf_ctx_db(ctx, 0), &api_key_stmt, &param, 1, api_key_found, NULL);
}

/* ---------------------------------------------------------------------
 * Products.
 */
rf_rc shop_products_perform_create(rf_ctx *ctx, void *obj)
{
    set_owner(obj, rf_ctx_user(ctx));
    return RF_OK;
}

static void publish_saved(rf_ctx *ctx, rf_rc rc)
{
    respond_with(ctx, rc, 200);
}

static void publish_found(rf_ctx *ctx, rf_rc rc)
{
    if (rc != RF_OK) {
        rf_resume(ctx, rc);
        return;
    }
    void **slot = chain_record(ctx);
    shop_Product *p = *slot;
    p->is_top = true;
    RF_STATE(p, SHOP_PRODUCT_IS_TOP) = RF_SET;
    rf_then(ctx, rf_asave(ctx, p, slot, publish_saved), publish_saved);
}

rf_rc shop_product_publish(rf_ctx *ctx)
{
    void **slot = chain_slot(ctx);
    return rf_then(ctx, rf_aget_object(ctx, slot, publish_found), publish_found);
}

/* ---------------------------------------------------------------------
 * TopProducts.
 */
rf_rc shop_top_products_get(rf_ctx *ctx)
{
    static const rf_postfetch *const post_fetches[] = { &shop_LatestReview_postfetch };
    const rf_field *fields = shop_Product_resource.fields;
    rf_query *q = rf_query_new(ctx, &shop_Product_resource);
    rf_query_where_eq(q, &fields[SHOP_PRODUCT_IS_TOP], RF_VBOOL(true));
    rf_query_order_by(q, &fields[SHOP_PRODUCT_CREATED_AT], true);
    rf_query_order_by(q, &fields[SHOP_PRODUCT_ID], true);
    return rf_then(ctx, rf_apaginated_response(ctx, q, post_fetches, 1, finish), finish);
}

static void top_post_saved(rf_ctx *ctx, rf_rc rc)
{
    respond_with(ctx, rc, 201);
}

static void top_post_validated(rf_ctx *ctx, rf_rc rc)
{
    if (rc != RF_OK) {
        rf_resume(ctx, rc);
        return;
    }
    void **slot = chain_record(ctx);
    set_owner(*slot, rf_ctx_user(ctx));
    rf_then(ctx, rf_asave(ctx, *slot, slot, top_post_saved), top_post_saved);
}

rf_rc shop_top_products_post(rf_ctx *ctx)
{
    void **slot = chain_slot(ctx);
    return rf_then(ctx, rf_avalidated_serializer(ctx, false, slot, top_post_validated),
                   top_post_validated);
}
