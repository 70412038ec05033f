from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import Discontinued, Items, Moves, Suppliers, Warehouses

api = DefaultRouter()
api.register("warehouses", Warehouses)
api.register("suppliers", Suppliers)
api.register("items", Items)
api.register("discontinued", Discontinued, basename="discontinued")
api.register("moves", Moves)

urlpatterns = [
    path("api/", include(api.urls)),
]
