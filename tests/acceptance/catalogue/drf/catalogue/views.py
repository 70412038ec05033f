"""catalogue.rflow's views, with their ActionConfig resolved by hand.
Class names are the spec's (OPTIONS derives `name` from them); only
Checkout has a docstring (its `description`).  The Async classes are the
sync ones under gunicorn (rflow_twin.views)."""
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny, IsAuthenticated

from rflow_twin import views

from . import hooks
from .models import Author, Book, Publisher, Review
from .policies import ByTitle, RecentReviews, Shelf
from .serializers import (AuthorSerializer, BookSerializer, CheckoutRequest, LoanSerializer,
                          PublisherSerializer, ReviewSerializer)


class Publishers(views.ModelViewSet):
    queryset = Publisher.objects.order_by("slug")
    serializer_class = PublisherSerializer
    lookup_field = "slug"
    pagination_class = None


class Authors(views.ModelViewSet):
    queryset = Author.objects.order_by("name")
    serializer_class = AuthorSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "author_uid"
    pagination_class = ByTitle

    # action list { pagination_class = null; }
    @property
    def paginator(self):
        if self.action == "list":
            return None
        return super().paginator


class Books(views.ModelViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer
    lookup_field = "slug"
    filter_backends = [SearchFilter]
    search_fields = ["^title", "=isbn", "summary", "$slug"]
    post_fetches = [RecentReviews]


class Titles(views.ReadOnlyModelViewSet):
    queryset = Book.objects.filter(pages__gte=100)
    serializer_class = BookSerializer
    pagination_class = ByTitle
    filter_backends = [SearchFilter]
    search_fields = ["@title"]


class Reviews(views.ModelViewSet):
    queryset = Review.objects.order_by("-id")
    serializer_class = ReviewSerializer
    pagination_class = None


class Checkout(views.APIView):
    """Borrow a book, or list what you borrowed."""
    request_serializer_class = CheckoutRequest
    response_serializer_class = LoanSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = Shelf

    def get(self, request):
        return hooks.catalogue_my_loans(self)

    def post(self, request):
        return hooks.catalogue_checkout(self)


class ReturnLoan(views.APIView):
    serializer_class = LoanSerializer
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        return hooks.catalogue_return(self, pk)


class AuthorBooks(views.ListAPIView):
    serializer_class = BookSerializer
    pagination_class = None
    permission_classes = [AllowAny]

    def get_queryset(self):
        return Book.objects.filter(author__uid=self.kwargs["uid"]).order_by("title")
