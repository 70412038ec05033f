from rest_framework import serializers

from . import hooks
from .models import Author, Comment, Post, Tag


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        exclude = ["user"]
        read_only_fields = ["slug"]


class TagBrief(serializers.Serializer):
    tag_slug = serializers.SlugField(read_only=True)


class ViewBrief(serializers.Serializer):
    visitor = serializers.UUIDField(read_only=True)
    viewed_at = serializers.DateTimeField(read_only=True)


class PostSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    tags = TagBrief(many=True, read_only=True)
    recent_views = ViewBrief(many=True, read_only=True)

    class Meta:
        model = Post
        fields = ["id", "slug", "title", "body", "status", "author", "author_name", "tags",
                  "recent_views", "published_at", "created", "updated"]
        read_only_fields = ["author", "published_at"]

    def validate_slug(self, value):
        return hooks.blog_validate_slug(value)

    def validate(self, attrs):
        return hooks.blog_validate_post(self, attrs)


class PostListItem(serializers.ModelSerializer):
    author_name = serializers.ReadOnlyField(source="author.display_name")

    class Meta:
        model = Post
        fields = ["slug", "title", "author_name", "published_at"]


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "post", "author_name", "author_email", "body", "created"]
        read_only_fields = ["post"]
        extra_kwargs = {"author_email": {"write_only": True}}


class ModerationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = "__all__"
        read_only_fields = ["post", "author_name", "author_email", "body"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug"]


class ContactMessage(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    email = serializers.EmailField()
    topic = serializers.ChoiceField(choices=["question", "correction", "other"])
    message = serializers.CharField(min_length=10, max_length=2000)
