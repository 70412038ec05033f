/*
 * helpdesk_hooks.c: the C hooks of helpdesk.rflow.  The DRF twin
 * (drf/helpdesk_app/views.py) does the same in Python:
 *
 *   helpdesk_is_agent          IsAgent.has_permission: a user whose name
 *                              starts with "agent"
 *   helpdesk_is_reporter       IsReporter.has_object_permission: the
 *                              ticket's reporter
 *   helpdesk_is_assignee       IsAssignee.has_object_permission: the
 *                              ticket's assignee
 *   helpdesk_ticket_is_open    IsOpenTicket.has_object_permission: the
 *                              ticket's status is not "closed"
 *   helpdesk_validate_title    TicketSerializer.validate_title: a title
 *                              starting with "URGENT" fails ("Set the
 *                              priority instead of shouting.")
 *   helpdesk_check_triage      TicketTriage.validate: status "pending"
 *                              needs an assignee in the same data ("A
 *                              pending ticket needs an assignee.")
 *   helpdesk_ticket_close      Tickets.close: get_object, status "closed",
 *                              save, 200 with the ticket
 *   helpdesk_ticket_escalate   Tickets.escalate_now: get_object; an
 *                              escalated ticket: 400 {"detail": "This
 *                              ticket is already escalated."}; otherwise
 *                              escalated and priority 1, save, 200
 *   helpdesk_my_tickets        Tickets.mine: the tickets the user reported
 *                              or is assigned, newest first, paginated
 *   helpdesk_unassigned        Tickets.unassigned: open or pending tickets
 *                              without an assignee, oldest first
 *   helpdesk_open_ticket       Tickets.perform_create: the user reports it
 *   helpdesk_visible_comments  TicketComments.get_queryset: only agents see
 *                              internal comments
 *   helpdesk_add_comment       TicketComments.perform_create: 404 when the
 *                              ticket does not exist; 403 {"detail": "Only
 *                              support agents may post internal comments."};
 *                              else the comment is the user's, on the ticket
 */
#include <stdlib.h>
#include <string.h>

#include "helpdesk_hooks.h"

#define TICKET_FIELD(i) (&helpdesk_Ticket_resource.fields[i])

static bool is_agent(const rf_user *user)
{
    return user && strncmp(user->username, "agent", 5) == 0;
}

static bool is_user(rf_ctx *ctx, int64_t id)
{
    const rf_user *user = rf_ctx_user(ctx);
    return user && user->id == id;
}

/* ---------------------------------------------------------------------
 * Permissions.
 */
rf_rc helpdesk_is_agent(rf_ctx *ctx)
{
    return is_agent(rf_ctx_user(ctx)) ? RF_OK : RF_ERROR;
}

rf_rc helpdesk_is_reporter(rf_ctx *ctx, void *obj)
{
    const helpdesk_Ticket *t = obj;
    return is_user(ctx, t->reporter) ? RF_OK : RF_ERROR;
}

rf_rc helpdesk_is_assignee(rf_ctx *ctx, void *obj)
{
    const helpdesk_Ticket *t = obj;
    bool assigned = !RF_IS_NULL(t, HELPDESK_TICKET_ASSIGNEE);
    return assigned && is_user(ctx, t->assignee) ? RF_OK : RF_ERROR;
}

rf_rc helpdesk_ticket_is_open(rf_ctx *ctx, void *obj)
{
    (void)ctx;
    const helpdesk_Ticket *t = obj;
    return strcmp(t->status, "closed") != 0 ? RF_OK : RF_ERROR;
}

/* ---------------------------------------------------------------------
 * Serializers.
 */
rf_rc helpdesk_validate_title(rf_ctx *ctx, void *obj)
{
    const helpdesk_Ticket *t = obj;
    if (strncmp(t->title, "URGENT", 6) == 0)
        return rf_raise(ctx, "title", "Set the priority instead of shouting.");
    return RF_OK;
}

rf_rc helpdesk_check_triage(rf_ctx *ctx, void *obj)
{
    const helpdesk_Ticket *t = obj;
    bool pending = RF_IS_SET(t, HELPDESK_TICKET_STATUS) && strcmp(t->status, "pending") == 0;
    bool assigned = RF_IS_SET(t, HELPDESK_TICKET_ASSIGNEE) && !RF_IS_NULL(t, HELPDESK_TICKET_ASSIGNEE);
    if (pending && !assigned)
        return rf_raise(ctx, NULL, "A pending ticket needs an assignee.");
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * Tickets: extra actions (blocking handlers: the sync helpers).
 */
rf_rc helpdesk_ticket_close(rf_ctx *ctx)
{
    void *obj, *saved;
    if (rf_get_object(ctx, &obj) != RF_OK)
        return RF_ERROR;
    helpdesk_Ticket *t = obj;
    t->status = "closed";
    if (rf_save(ctx, t, &saved) != RF_OK)
        return RF_ERROR;
    return rf_serialized_response(ctx, saved, 200);
}

rf_rc helpdesk_ticket_escalate(rf_ctx *ctx)
{
    void *obj, *saved;
    if (rf_get_object(ctx, &obj) != RF_OK)
        return RF_ERROR;
    helpdesk_Ticket *t = obj;
    if (t->escalated)
        return rf_error(ctx, 400, "This ticket is already escalated.");
    t->escalated = true;
    t->priority = 1;
    if (rf_save(ctx, t, &saved) != RF_OK)
        return RF_ERROR;
    return rf_serialized_response(ctx, saved, 200);
}

rf_rc helpdesk_my_tickets(rf_ctx *ctx)
{
    int64_t me = rf_ctx_user(ctx)->id;   /* the view requires IsAuthenticated */
    rf_value ids[] = { RF_VINT(me), RF_VINT(me) };
    char *mine = rf_sprintf(rf_ctx_arena(ctx), "(t.\"%s\" = ? OR t.\"%s\" = ?)",
                            TICKET_FIELD(HELPDESK_TICKET_REPORTER)->column,
                            TICKET_FIELD(HELPDESK_TICKET_ASSIGNEE)->column);
    rf_query *q = rf_query_new(ctx, &helpdesk_Ticket_resource);
    rf_query_where(q, mine, ids, 2);
    rf_query_order_by(q, TICKET_FIELD(HELPDESK_TICKET_ID), true);
    return rf_paginated_response(ctx, q, NULL, 0);
}

rf_rc helpdesk_unassigned(rf_ctx *ctx)
{
    char *unassigned = rf_sprintf(rf_ctx_arena(ctx), "t.\"%s\" IS NULL AND t.\"%s\" <> 'closed'",
                                  TICKET_FIELD(HELPDESK_TICKET_ASSIGNEE)->column,
                                  TICKET_FIELD(HELPDESK_TICKET_STATUS)->column);
    rf_query *q = rf_query_new(ctx, &helpdesk_Ticket_resource);
    rf_query_where(q, unassigned, NULL, 0);
    rf_query_order_by(q, TICKET_FIELD(HELPDESK_TICKET_ID), false);
    return rf_paginated_response(ctx, q, NULL, 0);
}

rf_rc helpdesk_open_ticket(rf_ctx *ctx, void *obj)
{
    helpdesk_Ticket *t = obj;
    t->reporter = rf_ctx_user(ctx)->id;
    RF_STATE(t, HELPDESK_TICKET_REPORTER) = RF_SET;
    return RF_OK;
}

/* ---------------------------------------------------------------------
 * TicketComments.
 */
rf_rc helpdesk_visible_comments(rf_ctx *ctx, rf_query *q)
{
    if (!is_agent(rf_ctx_user(ctx))) {
        const rf_field *internal = &helpdesk_Comment_resource.fields[HELPDESK_COMMENT_INTERNAL];
        rf_query_where_eq(q, internal, RF_VBOOL(false));
    }
    return RF_OK;
}

static const char ticket_exists_sql[] = "SELECT 1 FROM \"helpdesk_ticket\" WHERE \"id\" = ?";
static const rf_stmt ticket_exists = { NULL, { ticket_exists_sql, ticket_exists_sql } };

rf_rc helpdesk_add_comment(rf_ctx *ctx, void *obj)
{
    helpdesk_Comment *c = obj;
    int64_t ticket = strtoll(rf_ctx_kwarg(ctx, "ticket_id"), NULL, 10);
    rf_value param = RF_VINT(ticket);
    rf_result *found;
    if (rf_db_exec_sync(ctx, rf_ctx_db(ctx, 0), &ticket_exists, &param, 1, &found) != RF_OK)
        return RF_ERROR;
    if (rf_result_error(found) != RF_DB_OK)
        return rf_db_fail(ctx, rf_result_error(found));
    if (rf_result_nrows(found) == 0)
        return rf_error(ctx, 404, "Not found.");
    if (c->internal && !is_agent(rf_ctx_user(ctx)))
        return rf_error(ctx, 403, "Only support agents may post internal comments.");
    c->ticket = ticket;
    c->author = rf_ctx_user(ctx)->id;
    RF_STATE(c, HELPDESK_COMMENT_TICKET) = RF_SET;
    RF_STATE(c, HELPDESK_COMMENT_AUTHOR) = RF_SET;
    return RF_OK;
}
