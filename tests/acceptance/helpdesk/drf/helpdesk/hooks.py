"""helpdesk.rflow's C hooks in Python (helpdesk_hooks.c's header says what
each does)."""
from django.db.models import Q
from rest_framework import exceptions, serializers

from .models import Ticket


def helpdesk_is_agent(user):
    return bool(user and user.is_authenticated and user.username.startswith("agent"))


def helpdesk_validate_title(value):
    if value.startswith("URGENT"):
        raise serializers.ValidationError("Set the priority instead of shouting.")
    return value


def helpdesk_check_triage(attrs):
    if attrs.get("status") == "pending" and attrs.get("assignee") is None:
        raise serializers.ValidationError("A pending ticket needs an assignee.")
    return attrs


def helpdesk_ticket_close(view):
    ticket = view.get_object()
    ticket.status = "closed"
    ticket.save()
    return view.serialized_response(ticket)


def helpdesk_ticket_escalate(view):
    ticket = view.get_object()
    if ticket.escalated:
        raise exceptions.ValidationError({"detail": "This ticket is already escalated."})
    ticket.escalated = True
    ticket.priority = 1
    ticket.save()
    return view.serialized_response(ticket)


def helpdesk_my_tickets(view):
    me = view.request.user
    tickets = Ticket.objects.filter(Q(reporter=me) | Q(assignee=me)).order_by("-id")
    return view.paginated_response(tickets)


def helpdesk_unassigned(view):
    tickets = Ticket.objects.filter(assignee__isnull=True).exclude(status="closed").order_by("id")
    return view.paginated_response(tickets)


def helpdesk_open_ticket(view, serializer):
    serializer.save(reporter=view.request.user)


def helpdesk_visible_comments(view, queryset):
    if not helpdesk_is_agent(view.request.user):
        queryset = queryset.filter(internal=False)
    return queryset


def helpdesk_add_comment(view, serializer):
    ticket_id = view.kwargs["ticket_id"]
    if not Ticket.objects.filter(id=ticket_id).exists():
        raise exceptions.NotFound()
    if serializer.validated_data.get("internal") and not helpdesk_is_agent(view.request.user):
        raise exceptions.PermissionDenied("Only support agents may post internal comments.")
    serializer.save(ticket_id=ticket_id, author=view.request.user)
