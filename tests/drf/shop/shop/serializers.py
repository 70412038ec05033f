from rest_framework import serializers

from . import hooks
from .models import Product, Review


class ReviewBrief(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    rating = serializers.IntegerField()
    comment = serializers.CharField()


class ProductSerializer(serializers.ModelSerializer):
    latest_review = ReviewBrief(read_only=True, allow_null=True)

    class Meta:
        model = Product
        fields = ["id", "name", "description", "price", "is_top", "owner", "created_at",
                  "latest_review"]
        read_only_fields = ["id", "owner", "created_at"]
        validators = [hooks.shop_validate_product]

    def validate_price(self, value):
        return hooks.shop_validate_price(value)


class ProductCreate(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["name", "description", "price", "is_top"]


class ProductListItem(serializers.ModelSerializer):
    latest_review = ReviewBrief(read_only=True, allow_null=True)

    class Meta:
        model = Product
        fields = ["id", "name", "price", "latest_review"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = "__all__"
        read_only_fields = ["product", "created_at"]
