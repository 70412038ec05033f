"""Events: EventCreate (IsAuthenticated, JSON and form parsers),
EventDetail (AllowAny but destroy for staff, hooks that keep DRF's
behaviour), EventPrice (staff); EventSerializer's PrimaryKeyRelatedField to
a UUID key, ChoiceField, ReadOnlyField through the venue, its validator."""
from dsl import DELETE, GET, HEAD, PATCH, POST, PUT, scenario

HALL, PETIT, OPERA, ZENITH = ("a0000000-0000-4000-8000-00000000000%d" % n for n in range(1, 5))
MISSING = "a0000000-0000-4000-8000-000000000099"
TALK = {"venue": HALL, "title": "Hive talk", "kind": 1, "starts_at": "2027-06-01T10:00:00Z"}


def create(body, **options):
    return POST("/api/events/", basic="kim", json=body, **options)


SCENARIOS = [
    scenario("events.create", "EventCreate: the serializer's fields, defaults and messages",
        create({"venue": HALL.upper(), "title": "Full", "kind": 2, "season": "2027-06-01",
                "starts_at": "2027-06-01T20:00:00+02:00", "price": "12.5", "sold_out": False,
                "labels": {"room": "B", "tags": ["a", 1, None, 2.5]}, "attendance": 99, "id": 7},
               expect=201, save={"full": "id"}, label="full"),
        GET("/api/events/${full}/", expect=200, label="full-retrieve"),
        create({"venue": "{%s}" % HALL.replace("-", ""), "title": "Minimal", "kind": "3",
                "price": 1}, expect=201, label="minimal-default-start"),
        create({"venue": "x", "title": "t", "kind": 1}, expect=400, label="venue-not-a-uuid"),
        create({"venue": 5, "title": "t", "kind": 1}, expect=400, label="venue-a-number"),
        create({"venue": MISSING, "title": "t", "kind": 1}, expect=400, label="venue-missing"),
        create({"venue": True, "title": "t", "kind": 1}, expect=400, label="venue-bool"),
        create({"venue": [1], "title": "t", "kind": 1}, expect=400, label="venue-list"),
        create({"venue": None, "title": "t", "kind": 1}, expect=400, label="venue-null"),
        create({}, expect=400, label="required"),
        create({"venue": HALL, "title": "", "kind": 4, "season": "2027-13-01",
                "starts_at": "tomorrow", "price": "-1", "sold_out": "maybe"},
               expect=400, label="every-field-wrong"),
        create({"venue": HALL, "title": "t" * 151, "kind": None, "price": "1234567.891",
                "starts_at": None, "labels": None}, expect=400, label="nulls-and-lengths"),
        create({"venue": HALL, "title": "Free concert", "kind": 3, "price": "0.00"},
               expect=400, label="free-concert"),
        create({"venue": HALL, "title": "Free concert", "kind": 3}, expect=400,
               label="concert-without-price"),
        create({"venue": HALL, "title": "Free concert", "kind": 3, "price": "x"}, expect=400,
               label="field-errors-before-validator"),
        create({"venue": HALL, "title": "Cheap concert", "kind": 3, "price": "0.01",
                "starts_at": "2027-06-02T10:00:00.123456Z"}, expect=201, label="cheap-concert"),
        POST("/api/events/", basic="kim", form={"venue": HALL, "title": "Form talk", "kind": "2",
                                                "price": "3.5", "labels": '["x", 2]',
                                                "starts_at": "2027-06-03 10:00"},
             expect=201, label="form"),
        POST("/api/events/", basic="kim", form={"venue": HALL, "title": "t", "kind": "1",
                                                "labels": "plain"},
             expect=400, label="form-labels-not-json"),
        POST("/api/events/", basic="kim", form={"venue": "", "title": "t", "kind": "1"},
             expect=400, label="form-empty-venue"),
        POST("/api/events/", basic="kim", form={"venue": HALL, "title": "Form talk",
                                                "kind": "1", "sold_out": "true"},
             expect=201, label="form-sold-out"),
    ),
    scenario("events.detail", "EventDetail and EventPrice: retrieve, update, destroy",
        GET("/api/events/2/", expect=200, label="retrieve"),
        HEAD("/api/events/2/", expect=200, label="head"),
        GET("/api/events/99999/", expect=404, label="missing"),
        PATCH("/api/events/2/", json={"title": "Rust workshop (full day)", "labels": ["long"]},
              expect=200, label="patch-anonymous"),
        PATCH("/api/events/2/", json={"venue": PETIT}, expect=200, label="move-venue"),
        PATCH("/api/events/2/", json={"venue": "nope"}, expect=400, label="move-not-a-uuid"),
        PATCH("/api/events/2/", json={"venue": HALL}, expect=200, label="move-back"),
        PATCH("/api/events/3/", json={"price": "0"}, expect=400, label="concert-free-by-patch"),
        PATCH("/api/events/3/", json={"kind": 3, "price": "30"}, expect=200,
              label="concert-priced-patch"),
        PATCH("/api/events/14/", json={"kind": 3}, expect=200,
              label="concert-patch-keeps-stored-price"),
        PUT("/api/events/4/", json={"title": "Gala"}, expect=400, label="put-partial-body"),
        PUT("/api/events/4/", json={"venue": HALL, "title": "Gala night", "kind": 1,
                                    "price": "150"}, expect=200, label="put"),
        PATCH("/api/events/4/", json={"price": "-0.01"}, expect=400, label="negative-price"),
        PUT("/api/events/5/price/", basic="admin", json={
            "venue": HALL, "title": "Python talk", "kind": 1, "price": "11"}, expect=200,
            label="price-put"),
        PATCH("/api/events/5/price/", basic="admin", json={"price": "9.99"}, expect=200,
              label="price-patch"),
        PATCH("/api/events/99999/price/", basic="admin", json={}, expect=404,
              label="price-missing"),
        GET("/api/events/1/", headers={"Accept": "text/html"}, expect=200, label="browsable",
            skip={"body": "the browsable API's HTML holds a random CSRF token"}),
        DELETE("/api/events/9/", basic="admin", expect=204, label="destroy"),
        GET("/api/events/9/", expect=404, label="destroyed"),
        DELETE("/api/events/9/", basic="admin", expect=404, label="destroy-again"),
    ),
]
