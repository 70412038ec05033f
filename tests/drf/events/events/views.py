"""specs/events.rflow's views.

Class names are the spec's names (DRF derives the OPTIONS `name` from them);
none has a `description`, so none has a docstring.  The Async classes are
the sync ones (rflow_twin/views.py).
"""
from rest_framework import viewsets
from rest_framework.authentication import BasicAuthentication
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from rflow_twin import views

from . import hooks
from .models import Event, Ticket, Venue
from .policies import Buyers, IsHolder, Numbered, Stream, Strangers, Window
from .postfetches import NextEvents
from .serializers import (EventSerializer, Refund, TicketSerializer, VenueSerializer,
                          VenueWithEvents)


class Venues(viewsets.ViewSetMixin, views.APIView):
    serializer_class = VenueWithEvents
    # The handlers paginate with the default pagination class, as restflow's
    # helpers do on a view that names none.
    pagination_class = Numbered

    # Handlers take **kwargs: DefaultRouter's format-suffix routes pass
    # `format` (restflow's handlers take whatever the URL gives).
    def list(self, request, **kwargs):
        return hooks.events_venues_list(self, request, post_fetches=[NextEvents])

    def retrieve(self, request, pk=None, **kwargs):
        return hooks.events_venues_retrieve(self, request, pk)


class VenueAdmin(views.CreateModelMixin, views.UpdateModelMixin, views.GenericViewSet):
    queryset = Venue.objects.all()
    serializer_class = VenueSerializer
    lookup_url_kwarg = "venue_id"
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAdminUser]
    post_fetches = [NextEvents]

    def destroy(self, request, venue_id=None, **kwargs):
        return hooks.events_venue_destroy(self, request)


class VenueEvents(views.ReadOnlyModelViewSet):
    queryset = Event.objects.all()
    serializer_class = EventSerializer
    pagination_class = Stream
    filterset_fields = ["kind", "sold_out"]

    # queryset = Event.filter(venue = url.venue_id);
    def get_queryset(self):
        return Event.objects.filter(venue=self.kwargs["venue_id"])


class EventCreate(views.CreateAPIView):
    queryset = Event.objects.all()
    serializer_class = EventSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]


class EventDetail(views.RetrieveUpdateDestroyAPIView):
    queryset = Event.objects.filter(price__gte=0)
    serializer_class = EventSerializer
    lookup_url_kwarg = "event_id"
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    # action destroy { permission_classes = [IsAdminUser]; }
    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAdminUser()]
        return super().get_permissions()

    # get_object, get_serializer_context and perform_update hooks keep
    # DRF's behaviour (events_hooks.c: the lookup as it is, a request time
    # nothing renders, the update as validated).


class EventPrice(views.UpdateAPIView):
    queryset = Event.objects.all()
    serializer_class = EventSerializer
    lookup_url_kwarg = "event_id"
    permission_classes = [IsAdminUser]


class EventSearch(views.ListAPIView):
    serializer_class = EventSerializer
    pagination_class = Window
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["title", "$title"]
    ordering_fields = ["starts_at", "price"]
    throttle_classes = [Strangers]

    def get_queryset(self):
        queryset = (Event.objects
                    .filter(venue__city__iexact=self.kwargs["city"], title__icontains="")
                    .exclude(sold_out=True)
                    .order_by("starts_at", "-price"))
        return hooks.events_search_queryset(self, queryset)


class TicketDetail(views.RetrieveDestroyAPIView):
    serializer_class = TicketSerializer
    lookup_field = "code"
    permission_classes = [IsAuthenticated & IsHolder]

    def get_queryset(self):
        return Ticket.objects.filter(holder=self.request.user)


class TicketSeat(views.RetrieveUpdateAPIView):
    queryset = Ticket.objects.filter(seat__istartswith="A", id__gt=0, id__lt=1000000)
    serializer_class = TicketSerializer
    permission_classes = [IsHolder]


class Checkout(views.CreateModelMixin, views.GenericAPIView):
    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer
    request_serializer_class = TicketSerializer
    response_serializer_class = TicketSerializer
    throttle_classes = [Buyers]

    def get(self, request):
        return hooks.events_checkout_quote(self, request)

    def post(self, request):
        return self.create(request)

    def perform_create(self, serializer):
        hooks.events_checkout_perform_create(self, serializer)


class RefundRequest(views.APIView):
    serializer_class = Refund

    def post(self, request):
        return hooks.events_refund_post(self, request)
