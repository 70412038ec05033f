"""The bench API (bench/README.md) on the shop twin's models, serializers
and Products viewset.  Only what the benchmark needs differs from the shop:

- no throttles: the shop's Burst (60/min) would answer nearly every
  measured request with 429;
- IsAuthenticatedOrReadOnly instead of the shop's owner rules, and DRF's
  stock perform_create (the new product has no owner): both need the shop's
  C hooks on the restflow side, which the bench spec leaves out;
- a hand-written view, GET /api/ping/ answering {"ok": true}.

bench/restflow/bench.rflow declares the same API for restflow."""
from django.urls import include, path
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from shop.views import Products


class BenchProducts(Products):
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_classes = []

    def get_throttles(self):
        return []

    def perform_create(self, serializer):
        serializer.save()


class Ping(APIView):
    def get(self, request):
        return Response({"ok": True})


api = DefaultRouter()
api.register("products", BenchProducts, basename="product")

urlpatterns = [
    path("api/ping/", Ping.as_view()),
    path("api/", include(api.urls)),
]
