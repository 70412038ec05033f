"""The events spec's C hooks (specs/events_hooks.c), in Python.  The spec
fixes no behaviour for them; the twin does what each C hook does, as its
comment in events_hooks.c says, and docs/differential.md ("The events
twin") lists the choices."""
import uuid
from decimal import Decimal

from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from .models import Venue
from .postfetches import NextEvents

ROW_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def events_can_buy(request, view):
    """IsHolder.has_permission: reads pass; writes need a user."""
    return request.method in SAFE_METHODS or bool(request.user and request.user.is_authenticated)


def events_is_holder(request, view, ticket):
    """IsHolder.has_object_permission: the ticket's holder only (reads too)."""
    return bool(request.user and request.user.is_authenticated
                and ticket.holder_id == request.user.id)


def events_validate_event(attrs, serializer):
    """EventSerializer's validator: a concert cannot be free.  It judges the
    event as the save will leave it (the validated data over the stored
    event, or over the model's defaults on create), as the C hook, which
    gets that record, does: a PATCH of the price alone is judged too."""
    instance = serializer.instance
    kind = attrs.get("kind", instance.kind if instance else None)
    price = attrs.get("price", instance.price if instance else 0)
    if kind == 3 and Decimal(price) == 0:
        raise serializers.ValidationError("A concert cannot be free.")


events_validate_event.requires_context = True


def events_validate_seat(value):
    """TicketSerializer.validate_seat: a seat starts with its row letter."""
    if value and value[0] not in ROW_LETTERS:
        raise serializers.ValidationError("A seat starts with its row letter.")
    return value


def events_venues_list(view, request, post_fetches):
    """Every venue by name, paginated, with NextEvents."""
    return view.paginated_response(Venue.objects.order_by("name"), post_fetches=post_fetches)


def events_venues_retrieve(view, request, pk):
    """One venue by its UUID, in any of the spellings Django's UUID accepts
    with or without hyphens and in either case; anything else is 404."""
    try:
        key = uuid.UUID(pk)
    except ValueError:
        raise Http404
    venue = Venue.objects.filter(pk=key).first()
    if venue is None:
        raise Http404
    # Nothing fetched NextEvents: VenueWithEvents renders it empty
    # (docs/example-hooks.md), not left out as DRF would leave it.
    NextEvents.attach_nothing(venue)
    return view.serialized_response(venue)


def events_venue_destroy(view, request):
    view.get_object().delete()
    return Response(status=status.HTTP_204_NO_CONTENT)


def events_search_queryset(view, queryset):
    """?min_price=N keeps the events at that price or above."""
    minimum = view.request.query_params.get("min_price")
    if minimum is None:
        return queryset
    try:
        minimum = Decimal(minimum)
    except ArithmeticError:
        raise exceptions.ParseError("min_price must be a number.")
    return queryset.filter(price__gte=minimum)


def events_checkout_quote(view, request):
    return Response({"currency": "EUR", "fee": "1.50"})


def events_checkout_perform_create(view, serializer):
    """The buyer holds the ticket; an anonymous buyer may not buy."""
    if not view.request.user.is_authenticated:
        raise exceptions.PermissionDenied()
    serializer.save(holder=view.request.user)


def events_refund_post(view, request):
    view.validated_serializer()
    return Response({"detail": "Refund requested."}, status=status.HTTP_202_ACCEPTED)
