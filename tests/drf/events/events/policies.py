"""The events spec's pagination, throttle and permission declarations."""
from rest_framework.pagination import (CursorPagination, LimitOffsetPagination,
                                       PageNumberPagination)
from rest_framework.permissions import BasePermission
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from . import hooks


class Numbered(PageNumberPagination):
    page_query_param = "p"
    page_size_query_param = "per_page"
    max_page_size = 200
    last_page_strings = ["last", "end"]


class Stream(CursorPagination):
    ordering = "-starts_at"
    cursor_query_param = "after"
    page_size = 30
    offset_cutoff = 500


class Window(LimitOffsetPagination):
    limit_query_param = "take"
    offset_query_param = "skip"


class Buyers(UserRateThrottle):
    scope = "buyers"


class Strangers(AnonRateThrottle):
    rate = "10/s"


class IsHolder(BasePermission):
    def has_permission(self, request, view):
        return hooks.events_can_buy(request, view)

    def has_object_permission(self, request, view, obj):
        return hooks.events_is_holder(request, view, obj)
