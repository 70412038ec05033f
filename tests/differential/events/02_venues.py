"""Venues: the public ViewSet of handlers (Numbered pages with renamed
parameters, NextEvents) and VenueAdmin (create and update from mixins, a
hand-written destroy, Basic only, staff only, looked up by venue_id)."""
from dsl import DELETE, GET, HEAD, PATCH, POST, PUT, SQL, scenario

HALL, PETIT, OPERA, ZENITH = ("a0000000-0000-4000-8000-00000000000%d" % n for n in range(1, 5))
GIVEN = "c0000000-0000-4000-8000-000000000001"
PINNED, LOOSE, FORM_HALL = ("c0000000-0000-4000-8000-00000000000%d" % n for n in range(2, 5))
ARENA = {"name": "Arena", "city": "Metz", "capacity": 900}


def pin(name, key):
    """A generated key made the same on both sides, for the steps after."""
    return SQL("UPDATE events_venue SET id = '%s' WHERE name = '%s'"
               % (key.replace("-", ""), name), label="pin-" + name.lower().replace(" ", "-"))


def admin(method, path, **options):
    return method(path, basic="admin", **options)


SCENARIOS = [
    scenario("venues.pages", "Numbered: p, per_page (max 200), last_page_strings",
        GET("/api/venues/", expect=200, label="list"),
        HEAD("/api/venues/", expect=200, label="head"),
        GET("/api/venues/?per_page=2", expect=200, label="per-page"),
        GET("/api/venues/?per_page=2&p=2", expect=200, label="second-page"),
        GET("/api/venues/?per_page=3&p=last", expect=200, label="last"),
        GET("/api/venues/?per_page=3&p=end", expect=200, label="end"),
        GET("/api/venues/?p=0", expect=404, label="page-zero"),
        GET("/api/venues/?p=3", expect=404, label="page-past-the-end"),
        GET("/api/venues/?p=x", expect=404, label="page-not-a-number"),
        GET("/api/venues/?per_page=0", expect=200, label="per-page-zero"),
        GET("/api/venues/?per_page=-2", expect=200, label="per-page-negative"),
        GET("/api/venues/?per_page=x", expect=200, label="per-page-not-a-number"),
        GET("/api/venues/?per_page=500&page_size=1", expect=200, label="per-page-capped"),
        GET("/api/venues/?page=2&per_page=1", expect=200, label="page-is-not-the-parameter"),
    ),
    scenario("venues.create", "VenueSerializer: a writable UUID key, extra_kwargs, verbose names",
        admin(POST, "/api/admin/venues/", json=dict(ARENA, id=GIVEN, manager=2, latitude=49.1),
              expect=201, label="given-key"),
        GET("/api/venues/%s/" % GIVEN, expect=200, label="given-key-retrieve"),
        admin(POST, "/api/admin/venues/", json={"name": "Random", "city": "Metz", "capacity": 10,
                                                 "longitude": "-6.5"},
              expect=201, random=["id"], label="generated-key"),
        pin("Random", PINNED),
        GET("/api/venues/%s/" % PINNED, expect=200, label="generated-key-pinned"),
        admin(POST, "/api/admin/venues/", json=dict(ARENA, capacity=5, city="", latitude=91,
                                                     longitude="west"),
              expect=400, label="extra-kwargs-and-unique"),
        admin(POST, "/api/admin/venues/", json={}, expect=400, label="required"),
        admin(POST, "/api/admin/venues/", json={"id": "nope", "name": "n" * 121, "city": None,
                                                 "capacity": 100001, "latitude": -90.5},
              expect=400, label="types-and-limits"),
        admin(POST, "/api/admin/venues/", json={"id": GIVEN, "name": "Twin key", "city": "Metz",
                                                 "capacity": 12.0, "latitude": True,
                                                 "longitude": None},
              expect=400, label="key-taken"),
        admin(POST, "/api/admin/venues/", json={"name": "Loose", "city": "Metz", "capacity": "12",
                                                 "latitude": "1e1", "longitude": 180},
              expect=201, random=["id"], label="strings-for-numbers"),
        pin("Loose", LOOSE),
        admin(POST, "/api/admin/venues/", json={"name": "Half", "city": "Metz", "capacity": 12.5},
              expect=400, label="fractional-capacity"),
        admin(POST, "/api/admin/venues/", json=[ARENA], expect=400, label="a-list"),
        admin(POST, "/api/admin/venues/", form={"name": "Form hall", "city": "Metz",
                                                 "capacity": "40", "latitude": ""},
              expect=201, random=["id"], label="form"),
        pin("Form hall", FORM_HALL),
    ),
    scenario("venues.update", "PUT and PATCH through VenueAdmin; the manager renders nested",
        admin(PATCH, "/api/admin/venues/%s/" % HALL, json={"capacity": 850, "manager": 3},
              expect=200, label="patch-with-manager"),
        admin(PATCH, "/api/admin/venues/%s/" % HALL, json={"name": "Grand Hall"}, expect=200,
              label="patch-own-name"),
        admin(PATCH, "/api/admin/venues/%s/" % HALL, json={"name": "Opera"}, expect=400,
              label="patch-taken-name"),
        admin(PUT, "/api/admin/venues/%s/" % PETIT, json={"capacity": 130}, expect=400,
              label="put-partial-body"),
        admin(PUT, "/api/admin/venues/%s/" % PETIT.upper(), json={
            "name": "Le Petit", "city": "Lyon", "capacity": 130, "latitude": 45.7},
              expect=200, label="put-upper-case-key"),
        admin(PATCH, "/api/admin/venues/%s/" % PETIT.replace("-", ""), json={"longitude": 4.8},
              expect=200, label="patch-hex-key"),
        admin(PATCH, "/api/admin/venues/a0000000-0000-4000-8000-000000000099/", json={},
              expect=404, label="patch-missing"),
        admin(PATCH, "/api/admin/venues/%s/" % OPERA, json={"id": GIVEN}, expect=400,
              label="patch-key-taken"),
        GET("/api/venues/%s/" % OPERA, expect=200, label="key-unchanged"),
        admin(PATCH, "/api/admin/venues/%s/" % OPERA, body=b"capacity=2100",
              content_type="application/x-www-form-urlencoded", expect=200, label="patch-form"),
    ),
    scenario("venues.destroy", "the hand-written destroy; events go with their venue",
        admin(POST, "/api/admin/venues/", json={"id": "d0000000-0000-4000-8000-000000000001",
                                                 "name": "Doomed", "city": "Lyon",
                                                 "capacity": 50}, expect=201, label="create"),
        POST("/api/events/", basic="kim", json={
            "venue": "d0000000-0000-4000-8000-000000000001", "title": "Last show", "kind": 1,
            "starts_at": "2027-02-01T20:00:00Z"}, expect=201, save={"eid": "id"},
             label="create-event"),
        GET("/api/venues/?per_page=200", expect=200, label="listed"),
        admin(DELETE, "/api/admin/venues/d0000000-0000-4000-8000-000000000001/", expect=204,
              label="destroy"),
        GET("/api/events/${eid}/", expect=404, label="event-gone"),
        GET("/api/venues/d0000000-0000-4000-8000-000000000001/", expect=404, label="venue-gone"),
        admin(DELETE, "/api/admin/venues/d0000000-0000-4000-8000-000000000001/", expect=404,
              label="destroy-again"),
        admin(DELETE, "/api/admin/venues/x/", expect=404, label="destroy-not-a-uuid"),
        DELETE("/api/admin/venues/%s/" % HALL, basic="kim", expect=403, label="destroy-not-staff"),
    ),
]

SCENARIOS.append(
    scenario("venues.next-events", "NextEvents' filters at their edges: sold_out null, "
             "price <= 100, not a concert; five by starts_at",
        PATCH("/api/events/7/", json={"price": "100.01"}, expect=200, label="over-100"),
        PATCH("/api/events/5/", json={"sold_out": None}, expect=200, label="sold-out-null"),
        PATCH("/api/events/6/", json={"kind": 3}, expect=200, label="a-concert"),
        GET("/api/venues/?per_page=200", expect=200, label="after"),
        GET("/api/venues/%s/" % HALL, expect=200, label="retrieve-fetches-nothing"),
        PATCH("/api/events/7/", json={"price": "100"}, expect=200, label="back-to-100"),
        GET("/api/venues/?per_page=3&p=2", expect=200, label="page"),
        POST("/api/venues/", json={}, expect=405, label="public-create"),
        DELETE("/api/venues/%s/" % HALL, expect=405, label="public-destroy"),
    ))
