"""The shop spec's C hooks, in Python, exactly as docs/example-hooks.md fixes
their behaviour (the C versions live in examples/shop/hooks.c)."""
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS

from .models import Product
from .postfetches import LatestReview


def shop_validate_price(value):
    """ProductSerializer.validate_price: a free product is refused."""
    if value == 0:
        raise serializers.ValidationError("A product cannot be free.")
    return value


def shop_validate_product(attrs):
    """ProductSerializer.validators: name and description must differ when
    both are in the validated data."""
    if "name" in attrs and "description" in attrs and attrs["name"] == attrs["description"]:
        raise serializers.ValidationError("Name and description must differ.")


def shop_is_owner(request, view, obj):
    """IsOwner.has_object_permission: reads pass, writes only for the owner."""
    if request.method in SAFE_METHODS:
        return True
    return obj.owner_id is not None and obj.owner_id == request.user.id


def shop_products_perform_create(view, serializer):
    """Products.hooks.perform_create: the creator owns the product."""
    serializer.save(owner=view.request.user)


def shop_api_key_auth(request):
    """ApiKey.authenticate: X-Api-Key holding an existing token's key."""
    key = request.META.get("HTTP_X_API_KEY")
    if key is None:
        return None
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None:
        raise exceptions.AuthenticationFailed("Invalid API key.")
    return (token.user, token)


def shop_product_publish(view, request):
    """Products' extra action publish (POST, detail)."""
    product = view.get_object()
    product.is_top = True
    product.save()
    return view.serialized_response(product)


def shop_top_products_get(view, request):
    """TopProducts.get: the top products, paginated, with their latest review."""
    queryset = Product.objects.filter(is_top=True).order_by("-created_at", "-id")
    return view.paginated_response(queryset, post_fetches=[LatestReview])


def shop_top_products_post(view, request):
    """TopProducts.post: create a product owned by the caller."""
    serializer = view.validated_serializer()
    product = serializer.save(owner=request.user)
    return view.serialized_response(product, status=status.HTTP_201_CREATED)
