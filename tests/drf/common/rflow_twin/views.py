"""The views module's additions to DRF, in the twins' sync form.

restflow's views (seed/restflow-views.txt) are DRF's with three additions,
reproduced here on DRF's own classes:

- the serializer split: `request_serializer_class` validates,
  `response_serializer_class` renders, both default to get_serializer_class();
- PostFetch: list and retrieve run the view's `post_fetches` once over the
  objects they render; create, update and extra actions fetch nothing and
  render the attributes empty (null for limit 1, [] otherwise:
  docs/example-hooks.md);
- the helpers on APIView: get_serializer, validated_serializer,
  serialized_response and paginated_response.

The twins run under gunicorn's sync workers, so the Async classes of a spec
map to these sync ones: the observable behaviour is the same.
"""
from rest_framework import generics, mixins, status, views, viewsets
from rest_framework.response import Response

from .postfetch import fetch_all


class SerializerSplitMixin:
    request_serializer_class = None
    response_serializer_class = None
    post_fetches = ()

    def get_request_serializer_class(self):
        return self.request_serializer_class or self.get_serializer_class()

    def get_response_serializer_class(self):
        return self.response_serializer_class or self.get_serializer_class()

    def get_request_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.get_request_serializer_class()(*args, **kwargs)

    def get_response_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.get_response_serializer_class()(*args, **kwargs)

    def get_post_fetches(self):
        return self.post_fetches

    def render_fetched_nothing(self, instance):
        """The response serializer's data for an object no PostFetch ran on."""
        for post_fetch in self.get_post_fetches():
            post_fetch.attach_nothing(instance)
        return self.get_response_serializer(instance).data


class HelpersMixin(SerializerSplitMixin):
    """The helpers of the views module, for handlers and extra actions."""

    def validated_serializer(self, instance=None, partial=False):
        serializer = self.get_request_serializer(instance, data=self.request.data,
                                                 partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer

    def serialized_response(self, instance, status=status.HTTP_200_OK):
        return Response(self.render_fetched_nothing(instance), status=status)

    def paginated_response(self, queryset, post_fetches=()):
        paginator = self.pagination_class() if self.pagination_class else None
        page = paginator.paginate_queryset(queryset, self.request, view=self) if paginator else None
        objects = list(queryset) if page is None else page
        fetch_all(post_fetches, objects)
        data = self.get_response_serializer(objects, many=True).data
        if page is None:
            return Response(data)
        return paginator.get_paginated_response(data)


class APIView(HelpersMixin, views.APIView):
    """DRF's APIView with the helpers, and the serializer attributes that
    GenericAPIView would otherwise provide.  Having get_serializer, it gets
    `actions` in its OPTIONS answer as a generic view does."""
    serializer_class = None
    pagination_class = None

    def get_serializer_class(self):
        return self.serializer_class

    def get_serializer_context(self):
        return {"request": self.request, "format": self.format_kwarg, "view": self}

    def get_serializer(self, *args, **kwargs):
        """serializer_class; an APIView that sets only the split's classes
        builds its request serializer (what OPTIONS describes as `actions`,
        as restflow does), where calling None would fail with 500."""
        kwargs.setdefault("context", self.get_serializer_context())
        serializer_class = self.get_serializer_class() or self.get_request_serializer_class()
        return serializer_class(*args, **kwargs)


# ---------------------------------------------------------------------------
# The five model mixins, honouring the split and PostFetch.

class CreateModelMixin(mixins.CreateModelMixin):
    def create(self, request, *args, **kwargs):
        serializer = self.get_request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        data = self.render_fetched_nothing(serializer.instance)
        return Response(data, status=status.HTTP_201_CREATED,
                        headers=self.get_success_headers(data))


class ListModelMixin(mixins.ListModelMixin):
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objects = list(queryset) if page is None else page
        fetch_all(self.get_post_fetches(), objects)
        data = self.get_response_serializer(objects, many=True).data
        if page is None:
            return Response(data)
        return self.get_paginated_response(data)


class RetrieveModelMixin(mixins.RetrieveModelMixin):
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        fetch_all(self.get_post_fetches(), [instance])
        return Response(self.get_response_serializer(instance).data)


class UpdateModelMixin(mixins.UpdateModelMixin):
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_request_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.render_fetched_nothing(serializer.instance))


DestroyModelMixin = mixins.DestroyModelMixin


# ---------------------------------------------------------------------------
# Generic views and viewsets, composed as DRF composes them.

class GenericAPIView(HelpersMixin, generics.GenericAPIView):
    pass


class CreateAPIView(CreateModelMixin, GenericAPIView):
    def post(self, request, *args, **kwargs):
        return self.create(request, *args, **kwargs)


class ListAPIView(ListModelMixin, GenericAPIView):
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class RetrieveAPIView(RetrieveModelMixin, GenericAPIView):
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


class DestroyAPIView(DestroyModelMixin, GenericAPIView):
    def delete(self, request, *args, **kwargs):
        return self.destroy(request, *args, **kwargs)


class UpdateAPIView(UpdateModelMixin, GenericAPIView):
    def put(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def patch(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class ListCreateAPIView(ListAPIView, CreateAPIView):
    pass


class RetrieveUpdateAPIView(RetrieveAPIView, UpdateAPIView):
    pass


class RetrieveDestroyAPIView(RetrieveAPIView, DestroyAPIView):
    pass


class RetrieveUpdateDestroyAPIView(RetrieveAPIView, UpdateAPIView, DestroyAPIView):
    pass


class GenericViewSet(viewsets.ViewSetMixin, GenericAPIView):
    pass


class ReadOnlyModelViewSet(RetrieveModelMixin, ListModelMixin, GenericViewSet):
    pass


class ModelViewSet(CreateModelMixin, RetrieveModelMixin, UpdateModelMixin,
                   DestroyModelMixin, ListModelMixin, GenericViewSet):
    pass
