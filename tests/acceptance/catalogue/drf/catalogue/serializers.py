"""catalogue.rflow's serializers."""
from rest_framework import serializers

from . import hooks
from .models import Author, Book, Loan, Publisher, Review
from .policies import RecentReviews


class PublisherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publisher
        fields = ["slug", "name", "country"]


class AuthorBrief(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["uid", "name"]


class AuthorSerializer(serializers.ModelSerializer):
    publisher_name = serializers.CharField(source="publisher.name", read_only=True,
                                           allow_null=True)

    class Meta:
        model = Author
        fields = ["id", "uid", "name", "born", "publisher", "publisher_name"]


class ReviewBrief(serializers.Serializer):
    stars = serializers.IntegerField()
    text = serializers.CharField()


class BookSerializer(serializers.ModelSerializer):
    writer = AuthorBrief(source="author", read_only=True)
    imprint = serializers.CharField(source="author.publisher.name", read_only=True)
    recent_reviews = ReviewBrief(many=True, read_only=True)

    class Meta:
        model = Book
        fields = ["id", "isbn", "title", "slug", "author", "writer", "imprint", "published",
                  "pages", "language", "summary", "recent_reviews", "created"]

    def to_representation(self, instance):
        # docs/language.md: where no rows were attached (create, update, a
        # view that does not list the PostFetch) the attachment renders [].
        RecentReviews.attach_nothing(instance)
        return super().to_representation(instance)


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = "__all__"


class LoanSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="book.title", read_only=True)
    author_name = serializers.CharField(source="book.author.name", read_only=True)

    class Meta:
        model = Loan
        fields = ["id", "book", "title", "author_name", "borrower", "due", "returned", "created"]
        read_only_fields = ["borrower", "returned"]


class CheckoutRequest(serializers.Serializer):
    book = serializers.PrimaryKeyRelatedField(queryset=Book.objects.all())
    due = serializers.DateField()
    note = serializers.CharField(required=False, max_length=20, allow_blank=True)

    def validate_due(self, value):
        return hooks.catalogue_validate_due(value)
