"""helpdesk.rflow's pagination, throttle and permission declarations."""
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from . import hooks


class Pages(PageNumberPagination):
    page_size = 3
    page_size_query_param = "size"
    max_page_size = 5


class Opening(UserRateThrottle):
    scope = "opening"


class PublicBurst(AnonRateThrottle):
    rate = "3/min"


class IsAgent(BasePermission):
    message = "Only support agents may do this."

    def has_permission(self, request, view):
        return hooks.helpdesk_is_agent(request.user)


class IsReporter(BasePermission):
    message = "You did not report this ticket."

    def has_object_permission(self, request, view, obj):
        return obj.reporter_id == request.user.id


class IsAssignee(BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.assignee_id is not None and obj.assignee_id == request.user.id


class IsOpenTicket(BasePermission):
    message = "This ticket is closed."

    def has_object_permission(self, request, view, obj):
        return obj.status != "closed"
