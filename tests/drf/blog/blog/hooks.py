"""The blog spec's C hooks, in Python.  specs/blog.rflow describes each in a
line; where that line leaves a choice open, the choice is written here and
in docs/differential.md ("The blog twin"), and the C hooks must make the
same one."""
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from .models import Author, Comment, Post, Tagging

RESERVED_SLUGS = {"new", "drafts"}
PUBLISHED_BODY_MIN = 20


def blog_api_token(request):
    """ApiToken.authenticate: `Authorization: Bearer <key>`.  The keyword is
    matched without regard to case and the header must have exactly two
    parts, as TokenAuthentication does; any other Bearer header fails."""
    header = get_authorization_header(request).split()
    if not header or header[0].lower() != b"bearer":
        return None
    key = header[1].decode("latin-1") if len(header) == 2 else None
    token = Token.objects.select_related("user").filter(key=key).first() if key else None
    if token is None:
        raise exceptions.AuthenticationFailed("Invalid token.")
    return (token.user, token)


def blog_is_author(request, view, post):
    """IsAuthor.has_object_permission."""
    if request.method in SAFE_METHODS:
        return True
    return post.author.user_id == request.user.id


def blog_is_editor(request, view):
    """IsEditor.has_permission: staff users are editors."""
    return bool(request.user and request.user.is_staff)


def blog_posts_perform_create(view, serializer):
    """The post's author is the user's Author row; a user without one may
    not write posts (403)."""
    author = Author.objects.filter(user_id=view.request.user.id).first()
    if author is None:
        raise exceptions.PermissionDenied()
    serializer.save(author=author)


def blog_posts_perform_destroy(view, post):
    Tagging.objects.filter(post=post).delete()
    post.delete()


def blog_post_publish(view, request):
    """Publish: the object through get_object (so the action's queryset, the
    viewset's published posts, and object permissions apply)."""
    post = view.get_object()
    post.status = "published"
    post.published_at = timezone.now()
    post.save()
    return view.serialized_response(post)


def blog_drafts_list(view, request):
    """The user's drafts (the action's queryset), paginated by the viewset's
    paginator with the viewset's PostFetches.  The cursor's ordering is
    DRF's: the OrderingFilter's (?sort=, else the viewset's -published_at)."""
    return view.paginated_response(view.get_queryset(), post_fetches=view.get_post_fetches())


def blog_author_posts(view, request):
    """The author's published posts, newest published first, paginated."""
    author = view.get_object()
    posts = Post.objects.filter(author=author, status="published").order_by("-published_at")
    return view.paginated_response(posts)


def blog_comment_create(view, serializer):
    """The comment belongs to the post of the URL (404 when there is none)
    and waits for moderation."""
    post = get_object_or_404(Post, slug=view.kwargs["post_slug"])
    serializer.save(post=post, approved=False)


def blog_stats_get(view, request):
    """Every row counts: posts of any status, comments approved or not."""
    return Response({"posts": Post.objects.count(), "comments": Comment.objects.count(),
                     "authors": Author.objects.count()})


def blog_contact_post(view, request):
    view.validated_serializer()
    return Response({"detail": "Thanks, we will be in touch."}, status=status.HTTP_202_ACCEPTED)


def blog_validate_slug(value):
    if value in RESERVED_SLUGS:
        raise serializers.ValidationError("This slug is reserved.")
    return value


def blog_validate_post(serializer, attrs):
    """The post as the save will leave it (the validated data over the stored
    post, or over the model's defaults on create) must not be published with
    a body under 20 characters."""
    instance = serializer.instance
    status_value = attrs.get("status", instance.status if instance else "draft")
    body = attrs.get("body", instance.body if instance else "")
    if status_value == "published" and len(body) < PUBLISHED_BODY_MIN:
        raise serializers.ValidationError("A published post needs a longer body.")
    return attrs
