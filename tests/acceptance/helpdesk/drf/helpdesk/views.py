"""helpdesk.rflow's views, with every ActionConfig resolved by hand.
Class names are the spec's (OPTIONS derives `name` from them); the only
docstring is the close action's, its spec `description`.  OPTIONS runs as
DRF's implicit `metadata` action, with the viewset's own settings.  Extra
actions take **kwargs: DefaultRouter's format suffix routes pass `format`
(an action without it fails with TypeError, 500; restflow's handlers get
the URL's arguments whatever they are)."""
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from rflow_twin import views

from . import hooks
from .models import Comment, Queue, Ticket
from .policies import (IsAgent, IsAssignee, IsOpenTicket, IsReporter, Opening, Pages,
                       PublicBurst)
from .serializers import (CommentSerializer, QueueSerializer, TicketCreate, TicketSerializer,
                          TicketTriage)


class Queues(views.ReadOnlyModelViewSet):
    queryset = Queue.objects.filter(public=True).order_by("name")
    serializer_class = QueueSerializer
    lookup_field = "slug"
    permission_classes = [AllowAny]
    throttle_classes = [PublicBurst]
    pagination_class = None


class Tickets(views.ModelViewSet):
    queryset = Ticket.objects.order_by("-id")
    serializer_class = TicketSerializer
    permission_classes = [IsAuthenticated & (IsAgent | IsReporter)]
    throttle_scope = "escalations"
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ["status", "priority", "queue", "assignee", "escalated"]
    search_fields = ["title", "=status", "^body"]
    ordering_fields = ["priority", "created", "id"]

    permissions_by_action = {
        "create": [IsAuthenticated & ~IsAgent],
        "partial_update": [IsAgent & IsOpenTicket],
        "update": [(IsReporter | IsAssignee) & IsOpenTicket],
        "destroy": [IsAdminUser],
        "close": [IsAuthenticated & (IsReporter | IsAssignee | IsAdminUser)],
        "unassigned": [IsAgent],
    }
    throttles_by_action = {
        "create": [Opening, UserRateThrottle],
        "escalate_now": [ScopedRateThrottle],
    }

    def get_serializer_class(self):
        if self.action in ("partial_update", "unassigned"):
            return TicketTriage
        return super().get_serializer_class()

    def get_request_serializer_class(self):
        if self.action == "create":
            return TicketCreate
        return super().get_request_serializer_class()

    def get_response_serializer_class(self):
        if self.action == "partial_update":
            return TicketSerializer
        return super().get_response_serializer_class()

    def get_permissions(self):
        if self.action in self.permissions_by_action:
            return [p() for p in self.permissions_by_action[self.action]]
        return super().get_permissions()

    def get_throttles(self):
        if self.action in self.throttles_by_action:
            return [t() for t in self.throttles_by_action[self.action]]
        return super().get_throttles()

    @property
    def pagination_class(self):
        return None if self.action == "unassigned" else Pages

    def perform_create(self, serializer):
        hooks.helpdesk_open_ticket(self, serializer)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, **kwargs):
        """Close a ticket."""
        return hooks.helpdesk_ticket_close(self)

    @action(detail=True, methods=["post", "put"], url_path="escalate", url_name="escalation")
    def escalate_now(self, request, pk=None, **kwargs):
        return hooks.helpdesk_ticket_escalate(self)

    @action(detail=False)
    def mine(self, request, **kwargs):
        return hooks.helpdesk_my_tickets(self)

    @action(detail=False, methods=["get"], url_path="triage-queue", url_name="triage")
    def unassigned(self, request, **kwargs):
        return hooks.helpdesk_unassigned(self)


class TicketComments(views.ListCreateAPIView):
    serializer_class = CommentSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        comments = Comment.objects.filter(ticket_id=self.kwargs["ticket_id"]).order_by("created", "id")
        return hooks.helpdesk_visible_comments(self, comments)

    def perform_create(self, serializer):
        hooks.helpdesk_add_comment(self, serializer)
