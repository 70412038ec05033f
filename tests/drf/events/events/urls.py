from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from .views import (Checkout, EventCreate, EventDetail, EventPrice, EventSearch, RefundRequest,
                    TicketDetail, TicketSeat, VenueAdmin, VenueEvents, Venues)

public = DefaultRouter()
public.register("venues", Venues, basename="venue")

admin = SimpleRouter()
admin.register("venues", VenueAdmin, basename="venue-admin")

venue_events = SimpleRouter()
venue_events.register("events", VenueEvents)

urlpatterns = [
    path("api/", include(public.urls)),
    path("api/admin/", include(admin.urls)),
    path("api/venues/<uuid:venue_id>/", include(venue_events.urls)),
    path("api/events/", EventCreate.as_view()),
    path("api/events/<int:event_id>/", EventDetail.as_view(), name="event-page"),
    path("api/events/<int:event_id>/price/", EventPrice.as_view()),
    path("api/cities/<city>/events/", EventSearch.as_view(), name="city-events"),
    path("api/tickets/<uuid:code>/", TicketDetail.as_view()),
    path("api/seats/<str:pk>/", TicketSeat.as_view()),
    path("api/checkout/", Checkout.as_view(), name="checkout"),
    path("api/refunds/", RefundRequest.as_view()),
]
