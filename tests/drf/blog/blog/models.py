"""specs/blog.rflow's resources."""
from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models


class Author(models.Model):
    # The spec's ForeignKey(unique = true), not a OneToOneField (Django's
    # check fields.W342 is silenced in settings).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, unique=True,
                             related_name="author")
    slug = models.SlugField(max_length=60, unique=True)
    display_name = models.CharField(max_length=100, help_text="Shown on every post.")
    bio = models.TextField(blank=True, default="")
    website = models.URLField(blank=True, default="")
    joined = models.DateField(auto_now_add=True)


class Tag(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(unique=True)


class Post(models.Model):
    STATUS_CHOICES = [("draft", "Draft"), ("published", "Published")]

    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="posts")
    # min_length = 3: Django spells it as a validator; ModelSerializer turns it
    # back into CharField(min_length=3).
    title = models.CharField(max_length=200, validators=[MinLengthValidator(3)])
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, default="draft", choices=STATUS_CHOICES)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "blog_posts"
        indexes = [models.Index(fields=["status", "published_at"])]


class Tagging(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    tag_slug = models.SlugField()


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author_name = models.CharField(max_length=80)
    author_email = models.EmailField()
    body = models.TextField(max_length=5000)
    approved = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)


class PageView(models.Model):
    """In the analytics database (routers.AnalyticsRouter)."""
    post_id = models.BigIntegerField(db_index=True)
    visitor = models.UUIDField()
    referrer = models.URLField(null=True, blank=True)
    viewed_at = models.DateTimeField(auto_now_add=True)
