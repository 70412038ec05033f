"""inventory.rflow's views, with their ActionConfig resolved by hand.
Class names are the spec's (OPTIONS derives `name` from them); none has a
docstring (the spec sets no description)."""
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAdminUser, IsAuthenticated

from rflow_twin import views

from . import hooks
from .models import Item, StockMove, Supplier, Warehouse
from .serializers import (ItemSerializer, StockMoveSerializer, SupplierSerializer,
                          WarehouseSerializer)


class ItemPages(LimitOffsetPagination):
    default_limit = 3
    max_limit = 4
    limit_query_param = "take"
    offset_query_param = "skip"


class Warehouses(views.ModelViewSet):
    queryset = Warehouse.objects.order_by("code")
    serializer_class = WarehouseSerializer
    lookup_field = "code"
    filterset_fields = ["active", "city", "opened", "capacity"]
    ordering_fields = ["code", "capacity", "opened"]


class Suppliers(views.ModelViewSet):
    queryset = Supplier.objects.order_by("name")
    serializer_class = SupplierSerializer
    pagination_class = None
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["name", "email"]
    ordering_fields = ["rating", "name"]


class Items(views.ModelViewSet):
    queryset = Item.objects.exclude(discontinued=True).order_by("id")
    serializer_class = ItemSerializer
    pagination_class = ItemPages
    filterset_fields = ["category", "priority", "warehouse", "supplier", "unit_price",
                        "weight_kg", "restocked_on", "sku"]
    ordering_fields = "__all__"
    ordering = ["sku"]

    # action destroy { permission_classes = [IsAdminUser]; }
    def get_permissions(self):
        if self.action == "destroy":
            return [IsAdminUser()]
        return super().get_permissions()


class Discontinued(views.ReadOnlyModelViewSet):
    queryset = Item.objects.filter(discontinued=True, quantity__gt=0).order_by("-unit_price", "id")
    serializer_class = ItemSerializer
    filter_backends = []


class Moves(views.ListModelMixin, views.CreateModelMixin, views.RetrieveModelMixin,
            views.GenericViewSet):
    queryset = StockMove.objects.order_by("-id")
    serializer_class = StockMoveSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["item", "reason"]
    ordering_fields = ["delta", "at"]

    def perform_create(self, serializer):
        hooks.inventory_record_move(self, serializer)
