from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import ProductReviews, Products, Reviews, TopProducts

api = DefaultRouter()
api.register("products", Products)
api.register("reviews", Reviews)

urlpatterns = [
    path("api/", include(api.urls)),
    path("api/top-products/", TopProducts.as_view()),
    path("api/products/<int:product_id>/reviews/", ProductReviews.as_view()),
]
