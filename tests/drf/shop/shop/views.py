"""specs/shop.rflow's views, with every ActionConfig resolved by hand.

Class names are the spec's names: DRF derives the OPTIONS `name` from them
("Products List", "Top Products").  No class or action here has a docstring,
because DRF would serve it as the OPTIONS `description` and the spec sets
none.  OPTIONS runs as DRF's implicit `metadata` action, so it sees the
viewset's own settings, not an ActionConfig's.
"""
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import IsAdminUser, IsAuthenticated, IsAuthenticatedOrReadOnly

from rflow_twin import views

from . import hooks
from .models import Product, Review
from .policies import Burst, IsOwner, Pages, Uploads
from .postfetches import LatestReview
from .serializers import ProductCreate, ProductListItem, ProductSerializer, ReviewSerializer


class Products(views.ModelViewSet):
    queryset = Product.objects.filter(is_top=True).order_by("-created_at")
    serializer_class = ProductSerializer
    lookup_field = "id"
    permission_classes = [IsAuthenticatedOrReadOnly & (IsOwner | IsAdminUser)]
    throttle_classes = [Burst]
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ["is_top", "price"]
    search_fields = ["name", "description"]
    ordering_fields = ["price", "created_at"]
    ordering = ["-created_at"]
    post_fetches = [LatestReview]

    # action list { serializer_class = ProductListItem; }
    # action create { request_serializer_class = ProductCreate;
    #                 response_serializer_class = ProductSerializer;
    #                 permission_classes = [IsAuthenticated];
    #                 throttle_classes = [Uploads]; }
    # action destroy { permission_classes = [IsAdminUser]; }
    def get_serializer_class(self):
        if self.action == "list":
            return ProductListItem
        return super().get_serializer_class()

    def get_request_serializer_class(self):
        if self.action == "create":
            return ProductCreate
        return super().get_request_serializer_class()

    def get_response_serializer_class(self):
        if self.action == "create":
            return ProductSerializer
        return super().get_response_serializer_class()

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated()]
        if self.action == "destroy":
            return [IsAdminUser()]
        return super().get_permissions()

    def get_throttles(self):
        if self.action == "create":
            return [Uploads()]
        return super().get_throttles()

    def perform_create(self, serializer):
        hooks.shop_products_perform_create(self, serializer)

    @action(detail=True, methods=["post"])
    def publish(self, request, id=None):
        return hooks.shop_product_publish(self, request)


class Reviews(views.ListModelMixin, views.CreateModelMixin, views.DestroyModelMixin,
              views.GenericViewSet):
    queryset = Review.objects.all()
    serializer_class = ReviewSerializer


class TopProducts(views.APIView):
    serializer_class = ProductSerializer
    pagination_class = Pages

    def get(self, request):
        return hooks.shop_top_products_get(self, request)

    def post(self, request):
        return hooks.shop_top_products_post(self, request)


class ProductReviews(views.ListCreateAPIView):
    serializer_class = ReviewSerializer

    def get_queryset(self):
        return Review.objects.filter(product_id=self.kwargs["product_id"])
