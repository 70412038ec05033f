from rest_framework import serializers

from . import hooks
from .models import Item, StockMove, Supplier, Warehouse


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = "__all__"


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        exclude = ["website"]
        extra_kwargs = {"rating": {"min_value": 1}}


class ItemSerializer(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = Item
        fields = ["id", "sku", "name", "category", "unit_price", "weight_kg", "quantity",
                  "priority", "warehouse", "warehouse_code", "supplier", "attributes",
                  "discontinued", "restocked_on", "created", "updated"]
        read_only_fields = ["quantity"]
        extra_kwargs = {"name": {"min_length": 2}, "unit_price": {"max_value": 5000}}

    def validate_sku(self, value):
        return hooks.inventory_validate_sku(value)


class StockMoveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMove
        fields = "__all__"
        read_only_fields = ["moved_by"]
        validators = [hooks.inventory_check_move]
