"""The DRF twin of tests/codegen/keys.rflow, for tests/codegen/drf_compare.py.

Foreign keys to a UUID, a CharField, a SlugField primary key and to a
primary key that is itself a foreign key, and a cycle of foreign keys.
The related models' __str__ is their key: DRF's CursorPagination puts str()
of the related object in a cursor over a foreign key ordering, where
restflow puts the key (runtime/cursor.c); with this __str__ the two agree.
A PostFetch is a restflow construct: the twin computes the same rows with a
SerializerMethodField.
"""
import pathlib
import uuid

SPEC = pathlib.Path(__file__).resolve().parent / "keys.rflow"
LABEL = "keys"
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 3,
}
MASK = None

HALL = "6d2f6b38-2a7e-4b6a-9f0e-3c1f6b0f8a11"
CLUB = "0b7e0c2e-5d8f-4a4e-8a0c-9d1e2f3a4b5c"
ARENA = "11111111-2222-4333-8444-555555555555"

# Portable SQL: SQLite and PostgreSQL both take UUIDs as 32 hex digits.
FIXTURE = f"""
INSERT INTO keys_venue (id, name) VALUES ('{HALL.replace("-", "")}', 'Hall'),
    ('{CLUB.replace("-", "")}', 'Club');
INSERT INTO keys_tag (code, label) VALUES ('ab', 'Alpha'), ('cd', 'Charlie'), ('AB', 'Upper');
INSERT INTO keys_topic (slug, title) VALUES ('news', 'News'), ('old-news', 'Old news');
INSERT INTO keys_gig (venue_id, tag_id, topic_id, title, rank) VALUES
    ('{HALL.replace("-", "")}', 'ab', 'news', 'G1', 3),
    ('{HALL.replace("-", "")}', 'cd', NULL, 'G2', 5),
    ('{HALL.replace("-", "")}', 'ab', 'old-news', 'G3', 5),
    ('{CLUB.replace("-", "")}', NULL, 'news', 'G4', 1),
    ('{HALL.replace("-", "")}', 'AB', NULL, 'G5', 2),
    ('{HALL.replace("-", "")}', 'cd', NULL, 'G6', 0);
INSERT INTO keys_tagnote (tag_id, text) VALUES ('ab', 'first');
"""

REQUESTS = [
    ("GET", "/api/", None),
    ("GET", "/api/gigs/", None),
    ("GET", "NEXT", None),
    ("GET", "/api/gigs/1/", None),
    ("GET", "/api/gigs/4/", None),
    # filterset fields on keys of every type
    ("GET", f"/api/gigs/?venue={HALL}", None),
    ("GET", f"/api/gigs/?venue={CLUB.upper()}", None),
    ("GET", "/api/gigs/?venue=x", None),
    ("GET", "/api/gigs/?venue=5", None),
    ("GET", "/api/gigs/?venue=00000000-0000-0000-0000-000000000000", None),
    ("GET", "/api/gigs/?tag=ab", None),
    ("GET", "/api/gigs/?tag=AB", None),
    ("GET", "/api/gigs/?tag=zz", None),
    ("GET", "/api/gigs/?tag=ab&topic=news", None),
    ("GET", "/api/gigs/?topic=nope&tag=%20ab", None),
    # ordering by keys (a NULL key sorts first on SQLite, last on PostgreSQL)
    ("GET", "/api/gigs/?ordering=venue,-title", None),
    ("GET", "/api/gigs/?ordering=-tag,title", None, "sqlite"),
    ("GET", "/api/gigs/?ordering=topic,-rank,title", None, "sqlite"),
    ("OPTIONS", "/api/gigs/", None),
    # PrimaryKeyRelatedField: conversion by the key's type, then existence
    ("POST", "/api/gigs/", {"title": "New", "venue": HALL.upper(), "tag": "cd", "topic": "news",
                            "rank": 4}),
    ("POST", "/api/gigs/", {"title": "Newer", "venue": "{%s}" % CLUB.replace("-", ""),
                            "tag": ""}),
    ("POST", "/api/gigs/", {"title": "x", "venue": "x", "tag": 5, "topic": "no such"}),
    ("POST", "/api/gigs/", {"title": "x", "venue": 5, "tag": True, "topic": ["news"]}),
    ("POST", "/api/gigs/", {"title": "x", "venue": -1, "tag": {"a": 1}, "topic": 1.5}),
    ("POST", "/api/gigs/", {"title": "x", "venue": [1], "tag": "a\u0000b"}),
    ("POST", "/api/gigs/", {"title": "x", "venue": None, "topic": False}),
    ("POST", "/api/gigs/", {"title": "x"}),
    ("PATCH", "/api/gigs/1/", {"tag": "cd", "topic": "old-news"}),
    ("PATCH", "/api/gigs/5/", {"topic": None}),
    ("PUT", "/api/gigs/2/", {"title": "G2b", "venue": CLUB}),
    # a UUID primary key, PostFetches on a UUID key
    ("GET", "/api/venues/", None),
    ("GET", f"/api/venues/{HALL}/", None),
    ("GET", f"/api/venues/{HALL.upper()}/", None),
    ("GET", "/api/venues/not-a-uuid/", None),
    ("POST", "/api/venues/", {"id": ARENA, "name": "Arena"}),
    ("POST", "/api/venues/", {"id": ARENA.upper(), "name": "Again"}),
    ("DELETE", f"/api/venues/{CLUB}/", None),
    ("GET", "/api/gigs/?limit=10", None),
    # text primary keys, a PostFetch on a text key
    ("GET", "/api/tags/", None),
    ("GET", "/api/tags/ab/", None),
    ("GET", "/api/tags/zz/", None),
    ("GET", "/api/topics/", None),
    ("GET", "/api/topics/news/", None),
    # a primary key that is a foreign key: read, changed, deleted (DRF's
    # ModelSerializer makes the key a ModelField, which cannot create one)
    ("GET", "/api/tag-notes/", None),
    ("GET", "/api/tag-notes/ab/", None),
    ("PATCH", "/api/tag-notes/ab/", {"text": "edited"}),
    ("DELETE", "/api/tag-notes/ab/", None),
    ("GET", "/api/tag-notes/ab/", None),
    # a unique foreign key to a slug key
    ("POST", "/api/badges/", {"topic": "news", "name": "Press"}),
    ("POST", "/api/badges/", {"topic": "news", "name": "Again"}),
    ("POST", "/api/badges/", {"topic": "gone", "name": "None"}),
    ("GET", "/api/badges/?topic=news", None),
    # a cursor over a foreign key ordering, under a <uuid:...> URL argument
    ("GET", f"/api/venues/{HALL}/gigs/", None),
    ("GET", "NEXT", None),
    ("GET", "NEXT", None),
    ("GET", "PREVIOUS", None),
    ("GET", "PREVIOUS", None),
    ("GET", f"/api/venues/{ARENA}/gigs/", None),
    # querysets through keys: literals, `in`, a path, exclude()
    ("GET", "/api/tagged-gigs/", None),
    # a cycle of foreign keys, and a self reference
    ("POST", "/api/teams/", {"name": "Reds"}),
    ("POST", "/api/players/", {"name": "Ann", "team": 1}),
    ("POST", "/api/players/", {"name": "Bob", "team": 1, "mentor": 1}),
    ("POST", "/api/players/", {"name": "Cy", "team": 9, "mentor": "x"}),
    ("PATCH", "/api/teams/1/", {"captain": 1}),
    ("PATCH", "/api/players/2/", {"mentor": 2}),
    ("GET", "/api/teams/", None),
    ("GET", "/api/players/", None),
    ("DELETE", "/api/players/1/", None),
    ("GET", "/api/teams/1/", None),
    ("DELETE", "/api/teams/1/", None),
    ("GET", "/api/players/", None),
]

MODELS = []


def twin_urls():
    from django.db import models
    from django.urls import include, path
    from django_filters.rest_framework import DjangoFilterBackend
    from rest_framework import filters, generics, pagination, routers, serializers, viewsets

    class Venue(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        name = models.CharField(max_length=50)

        class Meta:
            app_label = LABEL

        def __str__(self):
            return str(self.id)

    class Tag(models.Model):
        code = models.CharField(primary_key=True, max_length=10)
        label = models.CharField(max_length=50)

        class Meta:
            app_label = LABEL

        def __str__(self):
            return self.code

    class Topic(models.Model):
        slug = models.SlugField(primary_key=True)
        title = models.CharField(max_length=50)

        class Meta:
            app_label = LABEL

    class Gig(models.Model):
        venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="gigs")
        tag = models.ForeignKey(Tag, on_delete=models.SET_NULL, null=True, related_name="gigs")
        topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True,
                                  related_name="gigs")
        title = models.CharField(max_length=50)
        rank = models.IntegerField(default=0)

        class Meta:
            app_label = LABEL

    class TagNote(models.Model):
        tag = models.ForeignKey(Tag, on_delete=models.CASCADE, primary_key=True,
                                related_name="note")
        text = models.CharField(max_length=100)

        class Meta:
            app_label = LABEL

    class Badge(models.Model):
        topic = models.ForeignKey(Topic, on_delete=models.CASCADE, unique=True)
        name = models.CharField(max_length=50)

        class Meta:
            app_label = LABEL

    class Team(models.Model):
        name = models.CharField(max_length=50)
        captain = models.ForeignKey("Player", on_delete=models.SET_NULL, null=True,
                                    related_name="captain_of")

        class Meta:
            app_label = LABEL

    class Player(models.Model):
        name = models.CharField(max_length=50)
        team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="players")
        mentor = models.ForeignKey("self", on_delete=models.SET_NULL, null=True,
                                   related_name="mentees")

        class Meta:
            app_label = LABEL

    MODELS.extend([Venue, Tag, Topic, Gig, TagNote, Badge, Team, Player])

    def model_serializer(model_class, names):
        meta = type("Meta", (), {"model": model_class, "fields": names})
        return type(model_class.__name__ + "Serializer", (serializers.ModelSerializer,),
                    {"Meta": meta})

    TagBrief = model_serializer(Tag, ["code", "label"])
    VenueBrief = model_serializer(Venue, ["id", "name"])

    class GigBrief(serializers.Serializer):
        id = serializers.IntegerField(read_only=True)
        title = serializers.CharField(read_only=True)
        rank = serializers.IntegerField(read_only=True)

    class GigSerializer(serializers.ModelSerializer):
        venue_name = serializers.CharField(source="venue.name", read_only=True)
        tag_info = TagBrief(source="tag", read_only=True, allow_null=True)
        venue_info = VenueBrief(source="venue", read_only=True)

        class Meta:
            model = Gig
            fields = ["id", "title", "rank", "venue", "tag", "topic", "venue_name", "tag_info",
                      "venue_info"]

    class VenueSerializer(serializers.ModelSerializer):
        top_gigs = serializers.SerializerMethodField()   # postfetch TopGigs

        class Meta:
            model = Venue
            fields = ["id", "name", "top_gigs"]

        def get_top_gigs(self, venue):
            return GigBrief(venue.gigs.order_by("-rank", "id")[:2], many=True).data

    class TagSerializer(serializers.ModelSerializer):
        latest_gig = serializers.SerializerMethodField()   # postfetch LatestGig

        class Meta:
            model = Tag
            fields = ["code", "label", "latest_gig"]

        def get_latest_gig(self, tag):
            gig = tag.gigs.exclude(topic="old-news").order_by("-id").first()
            return GigBrief(gig).data if gig else None

    class ByTag(pagination.CursorPagination):
        ordering = ["tag", "id"]
        page_size = 2

    def viewset(model_class, serializer, ordering, base=viewsets.ModelViewSet, **attrs):
        attrs.update(queryset=model_class.objects.order_by(ordering),
                     serializer_class=serializer)
        return type(model_class.__name__ + "s", (base,), attrs)

    class VenueGigs(generics.ListAPIView):
        serializer_class = GigSerializer
        pagination_class = ByTag

        def get_queryset(self):
            return Gig.objects.filter(venue=self.kwargs["venue_id"])

    class TaggedGigs(generics.ListAPIView):
        queryset = (Gig.objects.filter(tag__in=["ab", "cd"], venue__name__istartswith="h",
                                       venue__in=[HALL, CLUB.upper()])
                    .exclude(topic="old-news").order_by("-rank", "id"))
        serializer_class = GigSerializer
        pagination_class = None

    router = routers.DefaultRouter()
    router.register("gigs", viewset(
        Gig, GigSerializer, "id", filter_backends=[DjangoFilterBackend, filters.OrderingFilter],
        filterset_fields=["venue", "tag", "topic"],
        ordering_fields=["venue", "tag", "topic", "title"]))
    router.register("venues", viewset(Venue, VenueSerializer, "name"))
    router.register("tags", viewset(Tag, TagSerializer, "code", viewsets.ReadOnlyModelViewSet))
    router.register("topics", viewset(Topic, model_serializer(Topic, "__all__"), "slug",
                                      viewsets.ReadOnlyModelViewSet, pagination_class=None))
    router.register("tag-notes", viewset(TagNote, model_serializer(TagNote, "__all__"), "tag"))
    router.register("badges", viewset(Badge, model_serializer(Badge, "__all__"), "id",
                                      filter_backends=[DjangoFilterBackend],
                                      filterset_fields=["topic"]))
    router.register("teams", viewset(Team, model_serializer(Team, "__all__"), "id"))
    router.register("players", viewset(Player, model_serializer(Player, "__all__"), "id"))
    return [path("api/", include(router.urls)),
            path("api/venues/<uuid:venue_id>/gigs/", VenueGigs.as_view()),
            path("api/tagged-gigs/", TaggedGigs.as_view())]
