"""The blog spec's pagination, throttle, permission and authentication
declarations."""
from rest_framework.authentication import BaseAuthentication
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.permissions import BasePermission
from rest_framework.throttling import ScopedRateThrottle

from . import hooks


class Newest(CursorPagination):
    ordering = ["-created"]
    page_size_query_param = "size"
    max_page_size = 50


class Slice(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class CommentBurst(ScopedRateThrottle):
    pass


class IsAuthor(BasePermission):
    def has_object_permission(self, request, view, obj):
        return hooks.blog_is_author(request, view, obj)


class IsEditor(BasePermission):
    message = "Only editors may do this."

    def has_permission(self, request, view):
        return hooks.blog_is_editor(request, view)


class ApiToken(BaseAuthentication):
    def authenticate(self, request):
        return hooks.blog_api_token(request)

    def authenticate_header(self, request):
        return 'Bearer realm="blog"'
