/*
 * events_hooks.c: the C hooks of specs/events.rflow.  The spec fixes no
 * behaviour for them; each does the small, plausible thing its comment
 * says, so that every hook form and role of the language runs in a real
 * server.  The DRF twin (tests/drf/events/hooks.py) does the same: change
 * both together.
 *
 *   events_can_buy           IsHolder.has_permission: reads pass; writes need a user
 *   events_is_holder         IsHolder.has_object_permission: the ticket's holder
 *   events_validate_event    EventSerializer.validators: a concert (kind 3)
 *                            cannot be free ("A concert cannot be free.")
 *   events_validate_seat     TicketSerializer.validate_seat: a seat starts with
 *                            its row letter A-Z ("A seat starts with its row letter.")
 *   events_venues_list       Venues.list: every venue by name, paginated, with NextEvents
 *   events_venues_retrieve   Venues.retrieve: one venue by its UUID (404 otherwise)
 *   events_venue_destroy     VenueAdmin.destroy: deletes the venue, 204
 *   events_event_get_object  EventDetail.get_object: keeps the lookup as it is
 *   events_serializer_context  EventDetail: records the request time ("events.now")
 *   events_event_perform_update  EventDetail: writes the update as validated
 *   events_search_queryset   EventSearch.get_queryset: ?min_price=N keeps events
 *                            at that price or above (a bad number: 400)
 *   events_ticket_perform_destroy  TicketDetail: deletes the ticket as asked
 *   events_checkout_quote    Checkout.get: {"currency":"EUR","fee":"1.50"}
 *   events_checkout_perform_create  Checkout: the buyer holds the ticket (403
 *                            for an anonymous buyer)
 *   events_refund_post       RefundRequest.post: validates a Refund, answers 202
 *                            {"detail":"Refund requested."}
 *
 * A ForeignKey to a UUID primary key (Event.venue) is held as an integer
 * by the runtime's records (restflow/model.h), so the events server cannot
 * store events yet; see docs/codegen.md ("Known limits").
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events_hooks.h"

static bool safe_method(rf_ctx *ctx)
{
    rf_method m = rf_ctx_method(ctx);
    return m == RF_GET || m == RF_HEAD || m == RF_OPTIONS;
}

/* ---------------------------------------------------------------------
 * IsHolder.
 */
rf_rc events_can_buy(rf_ctx *ctx)
{
    return safe_method(ctx) || rf_ctx_user(ctx) ? RF_OK : RF_ERROR;
}

rf_rc events_is_holder(rf_ctx *ctx, void *obj)
{
    const events_Ticket *t = obj;
    const rf_user *user = rf_ctx_user(ctx);
    return user && RF_IS_SET(t, EVENTS_TICKET_HOLDER) && t->holder == user->id ? RF_OK : RF_ERROR;
}

/* ---------------------------------------------------------------------
 * Serializers.
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

rf_rc events_validate_event(rf_ctx *ctx, void *obj)
{
    const events_Event *ev = obj;
    bool concert = RF_IS_SET(ev, EVENTS_EVENT_KIND) && ev->kind == 3;
    bool free = !RF_IS_SET(ev, EVENTS_EVENT_PRICE) || decimal_is_zero(ev->price);
    if (concert && free)
        return rf_raise(ctx, NULL, "A concert cannot be free.");
    return RF_OK;
}

rf_rc events_validate_seat(rf_ctx *ctx, void *obj)
{
    const events_Ticket *t = obj;
    if (!RF_IS_SET(t, EVENTS_TICKET_SEAT) || RF_IS_NULL(t, EVENTS_TICKET_SEAT) || !*t->seat)
        return RF_OK;
    if (t->seat[0] < 'A' || t->seat[0] > 'Z')
        return rf_raise(ctx, "seat", "A seat starts with its row letter.");
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * Venues (a ViewSet of handlers) and VenueAdmin.destroy.
 */
rf_rc events_venues_list(rf_ctx *ctx)
{
    static const rf_postfetch *const post_fetches[] = { &events_NextEvents_postfetch };
    rf_query *q = rf_query_new(ctx, &events_Venue_resource);
    rf_query_order_by(q, &events_Venue_resource.fields[EVENTS_VENUE_NAME], false);
    return rf_paginated_response(ctx, q, post_fetches, 1);
}

rf_rc events_venues_retrieve(rf_ctx *ctx)
{
    static const char sql[] =
        "SELECT t.\"id\", t.\"name\", t.\"city\", t.\"capacity\", t.\"latitude\", "
        "t.\"longitude\", t.\"manager_id\" FROM \"events_venue\" t "
        "WHERE replace(lower(CAST(t.\"id\" AS TEXT)), '-', '') = replace(lower(?), '-', '')";
    static const rf_stmt stmt = { "events_venue_by_id", { sql, sql } };
    rf_value id = RF_VTEXT(rf_ctx_kwarg(ctx, "pk"));
    rf_result *r;
    if (rf_db_exec_sync(ctx, rf_ctx_db(ctx, 0), &stmt, &id, 1, &r) != RF_OK)
        return RF_ERROR;
    if (rf_result_error(r) != RF_DB_OK)
        return rf_db_fail(ctx, rf_result_error(r));
    if (rf_result_nrows(r) == 0)
        return rf_error(ctx, 404, "Not found.");
    void *venue = rf_record_new(rf_ctx_arena(ctx), &events_Venue_resource);
    rf_result_load(r, 0, 0, rf_ctx_arena(ctx), &events_Venue_resource, venue, NULL, 0);
    return rf_serialized_response(ctx, venue, 200);
}

static void venue_deleted(rf_ctx *ctx, rf_result *r, void *arg)
{
    (void)arg;
    if (rf_result_error(r) != RF_DB_OK)
        rf_resume(ctx, rf_db_fail(ctx, rf_result_error(r)));
    else
        rf_resume(ctx, rf_respond_empty(ctx, 204));
}

static void venue_found(rf_ctx *ctx, rf_rc rc)
{
    if (rc != RF_OK) {
        rf_resume(ctx, rc);
        return;
    }
    const rf_resource *res = &events_Venue_resource;
    const events_Venue *venue = *(void **)rf_ctx_var(ctx, "events.venue");
    /* the resource's fixed DELETE, prepared under a name of its own */
    rf_stmt *stmt = rf_calloc(rf_ctx_arena(ctx), sizeof *stmt);
    stmt->name = "events_venue_delete";
    stmt->sql[0] = res->delete_sql[0];
    stmt->sql[1] = res->delete_sql[1];
    rf_value *id = rf_calloc(rf_ctx_arena(ctx), sizeof *id);
    *id = RF_VTEXT(venue->id);
    rf_db_exec(ctx, rf_ctx_db(ctx, res->db), stmt, id, 1, venue_deleted, NULL);
}

rf_rc events_venue_destroy(rf_ctx *ctx)
{
    void **slot = rf_calloc(rf_ctx_arena(ctx), sizeof *slot);
    rf_ctx_set_var(ctx, "events.venue", slot);
    return rf_then(ctx, rf_aget_object(ctx, slot, venue_found), venue_found);
}

/* ---------------------------------------------------------------------
 * EventDetail, EventSearch, TicketDetail.
 */
rf_rc events_event_get_object(rf_ctx *ctx, rf_query *q)
{
    (void)ctx;
    (void)q;
    return RF_OK;
}

rf_rc events_serializer_context(rf_ctx *ctx)
{
    int64_t *now = rf_alloc(rf_ctx_arena(ctx), sizeof *now);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    rf_ctx_set_var(ctx, "events.now", now);
    return RF_OK;
}

rf_rc events_event_perform_update(rf_ctx *ctx, void *obj)
{
    (void)ctx;
    (void)obj;
    return RF_OK;
}

rf_rc events_search_queryset(rf_ctx *ctx, rf_query *q)
{
    const char *min = rf_ctx_query(ctx, "min_price");
    if (!min)
        return RF_OK;
    char *end;
    strtod(min, &end);
    if (!*min || *end)
        return rf_error(ctx, 400, "min_price must be a number.");
    rf_value v = { .type = RF_V_DECIMAL, .u.s = min };
    rf_query_where(q, "t.\"price\" >= ?", &v, 1);
    return RF_OK;
}

rf_rc events_ticket_perform_destroy(rf_ctx *ctx, void *obj)
{
    (void)ctx;
    (void)obj;
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * Checkout and RefundRequest.
 */
rf_rc events_checkout_quote(rf_ctx *ctx)
{
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"currency\":\"EUR\",\"fee\":\"1.50\"}");
    return rf_respond_json(ctx, 200, b);
}

rf_rc events_checkout_perform_create(rf_ctx *ctx, void *obj)
{
    events_Ticket *t = obj;
    const rf_user *user = rf_ctx_user(ctx);
    if (!user)
        return rf_error(ctx, 403, "You do not have permission to perform this action.");
    t->holder = user->id;
    RF_STATE(t, EVENTS_TICKET_HOLDER) = RF_SET;
    return RF_OK;
}

rf_rc events_refund_post(rf_ctx *ctx)
{
    void *refund;
    if (rf_validated_serializer(ctx, false, &refund) != RF_OK)
        return RF_ERROR;
    rf_buf *b = rf_ctx_body_buf(ctx);
    rf_buf_lit(b, "{\"detail\":\"Refund requested.\"}");
    return rf_respond_json(ctx, 202, b);
}
