from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import Queues, TicketComments, Tickets

api = DefaultRouter()
api.register("queues", Queues)
api.register("tickets", Tickets)

urlpatterns = [
    path("api/", include(api.urls)),
    path("api/tickets/<int:ticket_id>/comments/", TicketComments.as_view(), name="ticket-comments"),
]
