"""The shop spec's permission, authentication, throttle and pagination
declarations."""
from rest_framework.authentication import BaseAuthentication
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from . import hooks


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class Feed(CursorPagination):
    page_size = 50
    ordering = ["-created_at"]


class Burst(UserRateThrottle):
    rate = "60/min"


# Literally DRF: a ScopedRateThrottle takes its scope from the view's
# throttle_scope (and its rate from DEFAULT_THROTTLE_RATES[scope]), ignoring
# these two attributes.  Products sets no throttle_scope, so Uploads never
# limits its create action, in DRF as in restflow (compiler/model.h,
# model_throttle).  The differential suite checks exactly that.
class Uploads(ScopedRateThrottle):
    scope = "uploads"
    rate = "10/hour"


class IsOwner(BasePermission):
    def has_object_permission(self, request, view, obj):
        return hooks.shop_is_owner(request, view, obj)


class ApiKey(BaseAuthentication):
    # No authenticate_header: a failure answers 403 when ApiKey comes first.
    def authenticate(self, request):
        return hooks.shop_api_key_auth(request)
