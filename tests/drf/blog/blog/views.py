"""specs/blog.rflow's views, with every ActionConfig resolved by hand.

Class names are the spec's names (DRF derives the OPTIONS `name` from them).
A spec `description` is the class's (or the action's) docstring, which is
where DRF reads it; views without one have no docstring.
"""
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import (AllowAny, IsAdminUser, IsAuthenticated,
                                        IsAuthenticatedOrReadOnly)
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from rflow_twin import views

from . import hooks
from .models import Author, Comment, Post, Tag
from .policies import CommentBurst, IsAuthor, IsEditor, Slice
from .postfetches import PostTags, RecentViews
from .serializers import (AuthorSerializer, CommentSerializer, ContactMessage,
                          ModerationSerializer, PostListItem, PostSerializer, TagSerializer)


class Posts(views.ModelViewSet):
    """Published posts, newest first."""
    queryset = Post.objects.filter(status="published").order_by("-published_at")
    serializer_class = PostSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-z0-9]+"
    permission_classes = [IsAuthenticatedOrReadOnly & (IsAuthor | IsEditor)]
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ["author", "status"]
    search_fields = ["^title", "=slug", "body"]
    ordering_fields = "__all__"
    ordering = ["-published_at"]
    post_fetches = [PostTags, RecentViews]

    # action list { serializer_class = PostListItem; }
    # extra_action drafts { permission_classes = [IsAuthenticated];
    #     queryset = Post.filter(status = "draft", author.user = request.user); }
    # extra_action publish { permission_classes = [IsEditor]; }
    def get_serializer_class(self):
        if self.action == "list":
            return PostListItem
        return super().get_serializer_class()

    def get_permissions(self):
        if self.action == "drafts":
            return [IsAuthenticated()]
        if self.action == "publish":
            return [IsEditor()]
        return super().get_permissions()

    def get_queryset(self):
        if self.action == "drafts":
            return Post.objects.filter(status="draft", author__user=self.request.user)
        return super().get_queryset()

    def perform_create(self, serializer):
        hooks.blog_posts_perform_create(self, serializer)

    def perform_destroy(self, instance):
        hooks.blog_posts_perform_destroy(self, instance)

    @action(detail=False, methods=["get"])
    def drafts(self, request):
        return hooks.blog_drafts_list(self, request)

    @action(detail=True, methods=["post"], url_path="publish-now", url_name="publish")
    def publish(self, request, slug=None):
        """Publish a draft."""
        return hooks.blog_post_publish(self, request)


class Authors(views.ReadOnlyModelViewSet):
    queryset = Author.objects.order_by("display_name")
    serializer_class = AuthorSerializer
    lookup_field = "slug"
    pagination_class = Slice
    search_fields = ["@bio", "display_name"]

    # extra_action posts { serializer_class = PostListItem; }
    def get_serializer_class(self):
        if self.action == "posts":
            return PostListItem
        return super().get_serializer_class()

    @action(detail=True)
    def posts(self, request, slug=None):
        return hooks.blog_author_posts(self, request)


class Moderation(views.ListModelMixin, views.RetrieveModelMixin, views.UpdateModelMixin,
                 views.DestroyModelMixin, views.GenericViewSet):
    queryset = Comment.objects.filter(approved=False).order_by("created")
    serializer_class = ModerationSerializer
    permission_classes = [IsAdminUser | IsEditor]
    pagination_class = Slice
    filter_backends = []
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    parser_classes = [JSONParser, FormParser, MultiPartParser]


class PostComments(views.ListCreateAPIView):
    serializer_class = CommentSerializer
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, CommentBurst]
    throttle_scope = "comments"
    pagination_class = Slice
    filter_backends = [OrderingFilter]
    ordering_fields = ["created"]

    def get_queryset(self):
        return Comment.objects.filter(post__slug=self.kwargs["post_slug"],
                                      approved=True).order_by("created")

    def perform_create(self, serializer):
        hooks.blog_comment_create(self, serializer)


class TagList(views.ListAPIView):
    queryset = Tag.objects.order_by("name")
    serializer_class = TagSerializer
    pagination_class = None
    permission_classes = [AllowAny]


class TagDetail(views.RetrieveAPIView):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    lookup_field = "slug"
    permission_classes = [AllowAny]


class Stats(views.APIView):
    permission_classes = [~IsAuthenticated | IsAdminUser]

    def get(self, request):
        return hooks.blog_stats_get(self, request)


class Contact(views.APIView):
    serializer_class = ContactMessage
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contact"

    def post(self, request):
        return hooks.blog_contact_post(self, request)
