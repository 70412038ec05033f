#!/usr/bin/python3
"""End-to-end suite of specs/events.rflow: the events server over real HTTP.

    tests/e2e/events/test_events.py --server build/events-server [--backend postgres]

With --drf the suite runs against the DRF twin, tests/drf/events (whose
hooks.py does what specs/events_hooks.c does): 28 passed, the 2 tests of
what only restflow has skipped.  The expectations below are DRF 3.14's, each settled by running DRF's own classes on this machine
(serializers, SimpleMetadata, ModelSerializer over the equivalent model):
DRF's default settings (SessionAuthentication first, so 403 where the shop
answers 401; AllowAny; JSON and the browsable renderer), a UUID primary key
that DRF leaves writable, `fields = "__all__"` with a declared nested field,
extra_kwargs, every validation message a plain Serializer can give,
renamed pagination parameters (p, per_page, last_page_strings; take/skip;
after), a router included under a <uuid:...> prefix, a plain ViewSet with
handlers and a GenericAPIView composed with a mixin and a GET handler;
events stored under a ForeignKey to the UUID-keyed Venue (validated as
DRF's PrimaryKeyRelatedField validates a UUID key, rendered as the
canonical UUID, filtered by, joined through and attached by) and tickets
bought for them.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import e2e  # noqa: E402

USERS = [
    {"username": "admin", "password": "admin-secret", "staff": True},
    {"username": "kim", "password": "kim-secret"},
]
ADMIN = ("admin", "admin-secret")
KIM = ("kim", "kim-secret")
NOT_PROVIDED = "Authentication credentials were not provided."
RENDERS = ["application/json", "text/html"]
PARSES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def event(eid, vid, title, starts_at, city="Lyon", kind=1, price="0.00", sold_out=None):
    """EventSerializer (exclude = [attendance]): the primary key, the
    declared fields, then the model's."""
    return {"id": eid, "venue": vid, "venue_city": city, "kind": kind, "title": title,
            "season": "2027-01-01", "starts_at": starts_at, "price": price,
            "sold_out": sold_out, "labels": []}


def venue(vid, name, city="Lyon", capacity=500, latitude=None, longitude=None):
    """VenueSerializer: the primary key, the declared field, then the
    model's fields (DRF's order for fields = "__all__")."""
    return {"id": vid, "manager": None, "name": name, "city": city, "capacity": capacity,
            "latitude": latitude, "longitude": longitude}


class EventsTest(e2e.ServerTest):
    def make_venue(self, name, **fields):
        body = {"name": name, "city": "Lyon", "capacity": 500}
        body.update(fields)
        r = self.post("/api/admin/venues/", body, basic=ADMIN)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]


class DefaultSettings(EventsTest):
    def test_api_root_of_the_public_router(self):
        r = self.get("/api/")
        self.assertReply(r, 200, {"venues": self.url("/api/venues/")},
                         {"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept"})

    def test_session_authentication_first_means_403_without_a_challenge(self):
        r = self.post("/api/events/", {"title": "x"})
        self.assertDetail(r, 403, NOT_PROVIDED, {"WWW-Authenticate": None,
                                                 "Allow": "POST, OPTIONS"})

    def test_bad_basic_credentials_are_403_too(self):
        r = self.get("/api/venues/", basic=("kim", "wrong"))
        self.assertDetail(r, 403, "Invalid username/password.", {"WWW-Authenticate": None})

    def test_a_token_header_is_no_credential_here(self):
        r = self.get("/api/venues/", headers={"Authorization": "Token abc"})
        self.assertReply(r, 200, {"count": 0, "next": None, "previous": None, "results": []})

    def test_admin_only_views(self):
        r = self.post("/api/admin/venues/", {"name": "x"}, basic=KIM)
        self.assertDetail(r, 403, "You do not have permission to perform this action.")

    def test_a_blocking_get_handler_on_a_mixin_view(self):
        r = self.get("/api/checkout/", basic=KIM)
        self.assertReply(r, 200, {"currency": "EUR", "fee": "1.50"},
                         {"Allow": "GET, POST, HEAD, OPTIONS", "Vary": "Accept"})


class Venues(EventsTest):
    def test_create_with_a_generated_uuid_key(self):
        r = self.post("/api/admin/venues/", {"name": "Hall", "city": "Lyon", "capacity": 800,
                                             "latitude": 45.75, "manager": 1}, basic=ADMIN)
        vid = r.json()["id"]
        self.assertRegex(vid, UUID_PATTERN)
        self.assertReply(r, 201, venue(vid, "Hall", capacity=800, latitude=45.75),
                         {"Allow": "POST, OPTIONS"})

    def test_a_uuid_primary_key_with_a_default_is_writable(self):
        vid = "6d2f6b38-2a7e-4b6a-9f0e-3c1f6b0f8a11"
        r = self.post("/api/admin/venues/", {"id": vid, "name": "Given", "city": "Metz",
                                             "capacity": 50}, basic=ADMIN)
        self.assertReply(r, 201, venue(vid, "Given", city="Metz", capacity=50))
        r = self.get("/api/venues/%s/" % vid)
        self.assertReply(r, 200, {"id": vid, "name": "Given", "city": "Metz", "next_events": []})

    def test_validation_uses_extra_kwargs_and_verbose_names(self):
        self.make_venue("Arena")
        r = self.post("/api/admin/venues/", {"name": "Arena", "city": "", "capacity": 5,
                                             "latitude": 91, "longitude": "west"}, basic=ADMIN)
        self.assertReply(r, 400, {
            "name": ["event venue with this venue name already exists."],
            "city": ["This field may not be blank."],
            "capacity": ["Ensure this value is greater than or equal to 10."],
            "latitude": ["Ensure this value is less than or equal to 90.0."],
            "longitude": ["A valid number is required."]})

    def test_update_and_the_hand_written_destroy(self):
        vid = self.make_venue("Club")
        r = self.patch("/api/admin/venues/%s/" % vid, {"capacity": 120}, basic=ADMIN)
        self.assertReply(r, 200, venue(vid, "Club", capacity=120),
                         {"Allow": "PUT, PATCH, DELETE, OPTIONS"})
        self.assertReply(self.delete("/api/admin/venues/%s/" % vid, basic=ADMIN), 204, raw=b"")
        self.assertDetail(self.get("/api/venues/%s/" % vid), 404, "Not found.")

    def test_numbered_pages_with_renamed_parameters(self):
        names = ["V%d" % i for i in range(1, 4)]
        ids = [self.make_venue(n) for n in names]
        items = [{"id": i, "name": n, "city": "Lyon", "next_events": []} for i, n in zip(ids, names)]
        # Other tests add venues: keep to these three.
        found = [v for v in self.get("/api/venues/?per_page=200").json()["results"]
                 if v["name"] in names]
        self.assertEqual(found, items)
        r = self.get("/api/venues/?per_page=1")
        count = r.json()["count"]
        self.assertReply(r, 200, {"count": count, "next": self.url("/api/venues/?p=2&per_page=1"),
                                  "previous": None, "results": r.json()["results"]},
                         {"Allow": "GET, HEAD, OPTIONS"})
        last = self.get("/api/venues/?per_page=1&p=end")
        self.assertEqual(last.json()["next"], None)
        self.assertEqual(last.json()["previous"],
                         self.url("/api/venues/?p=%d&per_page=1" % (count - 1)))
        self.assertDetail(self.get("/api/venues/?p=0"), 404, "Invalid page.")

    def test_nested_router_under_a_uuid_prefix(self):
        vid = self.make_venue("Nested")
        r = self.get("/api/venues/%s/events/" % vid)
        self.assertReply(r, 200, {"next": None, "previous": None, "results": []},
                         {"Allow": "GET, HEAD, OPTIONS"})
        self.assertDetail(self.get("/api/venues/%s/events/?after=bad" % vid), 404, "Invalid cursor")

    @e2e.restflow_only("Django answers its HTML 404 page (docs/differential.md, Unknown URLs)")
    def test_a_uuid_converter_refuses_other_text(self):
        self.assertDetail(self.get("/api/venues/not-a-uuid/events/"), 404, "Not found.")

    def test_regex_search(self):
        """'$': PostgreSQL's ~*, SQLite's rf_iregexp (docs/policies.md, Filters)."""
        r = self.get("/api/cities/lyon/events/?search=a.*b")
        self.assertReply(r, 200, {"count": 0, "next": None, "previous": None, "results": []})

    def test_limit_offset_with_renamed_parameters(self):
        r = self.get("/api/cities/lyon/events/?take=5&skip=0")
        self.assertReply(r, 200, {"count": 0, "next": None, "previous": None, "results": []},
                         {"Allow": "GET, HEAD, OPTIONS"})


class StoredEvents(EventsTest):
    """Event.venue is a ForeignKey to a UUID primary key."""

    def make_event(self, vid, title, starts_at, **fields):
        body = {"venue": vid, "title": title, "kind": 1, "starts_at": starts_at}
        body.update(fields)
        r = self.post("/api/events/", body, basic=KIM)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def test_create_renders_the_canonical_key_and_the_venue_through_it(self):
        vid = self.make_venue("Keyed")
        r = self.post("/api/events/", {"venue": vid.upper(), "title": "Talk", "kind": 2,
                                       "starts_at": "2027-03-01T20:00:00+01:00"}, basic=KIM)
        eid = r.json()["id"]
        expected = event(eid, vid, "Talk", "2027-03-01T19:00:00Z", kind=2)
        self.assertReply(r, 201, expected, {"Allow": "POST, OPTIONS"})
        self.assertReply(self.get("/api/events/%d/" % eid), 200, expected)
        r = self.post("/api/events/", {"venue": "{%s}" % vid.replace("-", ""), "title": "Again",
                                       "kind": 1,
                                       "starts_at": "2027-03-02T19:00:00Z"}, basic=KIM)
        self.assertReply(r, 201, event(r.json()["id"], vid, "Again", "2027-03-02T19:00:00Z"))

    def test_primary_key_related_field_messages_for_a_uuid_key(self):
        missing = "00000000-0000-4000-8000-000000000000"
        r = self.post("/api/events/", {"venue": "x", "title": "t", "kind": 1}, basic=KIM)
        self.assertReply(r, 400, {"venue": ["\u201cx\u201d is not a valid UUID."]})
        r = self.post("/api/events/", {"venue": 5, "title": "t", "kind": 1}, basic=KIM)
        self.assertReply(r, 400, {"venue": ['Invalid pk "5" - object does not exist.']})
        r = self.post("/api/events/", {"venue": missing, "title": "t", "kind": 1}, basic=KIM)
        self.assertReply(r, 400, {"venue": ['Invalid pk "%s" - object does not exist.' % missing]})
        r = self.post("/api/events/", {"venue": True, "title": "t", "kind": 1}, basic=KIM)
        self.assertReply(r, 400, {"venue": ["Incorrect type. Expected pk value, received bool."]})
        r = self.post("/api/events/", {"venue": [1], "title": "t", "kind": 1}, basic=KIM)
        self.assertReply(r, 400, {"venue": ["\u201c[1]\u201d is not a valid UUID."]})
        r = self.post("/api/events/", {"title": "t", "venue": None, "kind": 1}, basic=KIM)
        self.assertReply(r, 400, {"venue": ["This field may not be null."]})
        r = self.post("/api/events/", body="title=t&kind=1&venue=", basic=KIM,
                      content_type="application/x-www-form-urlencoded")
        self.assertReply(r, 400, {"venue": ["This field may not be null."]})

    def test_the_events_of_a_venue_under_its_uuid_prefix(self):
        vid, other = self.make_venue("Mine"), self.make_venue("Theirs", city="Metz")
        early = self.make_event(vid, "Early", "2027-04-01T10:00:00Z")
        late = self.make_event(vid, "Late", "2027-04-02T10:00:00Z", kind=2)
        self.make_event(other, "Elsewhere", "2027-04-03T10:00:00Z")
        r = self.get("/api/venues/%s/events/" % vid)
        self.assertReply(r, 200, {"next": None, "previous": None, "results": [
            event(late, vid, "Late", "2027-04-02T10:00:00Z", kind=2),
            event(early, vid, "Early", "2027-04-01T10:00:00Z")]})
        r = self.get("/api/venues/%s/events/?kind=2" % vid)
        self.assertReply(r, 200, {"next": None, "previous": None, "results": [
            event(late, vid, "Late", "2027-04-02T10:00:00Z", kind=2)]})
        self.assertDetail(self.get("/api/venues/%s/events/%d/" % (other, early)), 404,
                          "Not found.")

    def test_next_events_attach_by_the_venue_key(self):
        vid = self.make_venue("Attached")
        self.make_event(vid, "Second", "2027-05-02T10:00:00Z")
        self.make_event(vid, "First", "2027-05-01T10:00:00Z")
        self.make_event(vid, "Concert", "2027-05-03T10:00:00Z", kind=3, price="20")
        self.make_event(vid, "Dear", "2027-05-04T10:00:00Z", price="150")
        found = [v for v in self.get("/api/venues/?per_page=200").json()["results"]
                 if v["id"] == vid]
        self.assertEqual(found, [{"id": vid, "name": "Attached", "city": "Lyon", "next_events": [
            {"title": "First", "starts_at": "2027-05-01T10:00:00Z"},
            {"title": "Second", "starts_at": "2027-05-02T10:00:00Z"}]}])

    def test_a_city_search_follows_the_venue_key(self):
        vid = self.make_venue("Searched", city="Annecy")
        eid = self.make_event(vid, "Found", "2027-06-01T10:00:00Z", price="5")
        r = self.get("/api/cities/ANNECY/events/")
        self.assertReply(r, 200, {"count": 1, "next": None, "previous": None, "results": [
            event(eid, vid, "Found", "2027-06-01T10:00:00Z", city="Annecy", price="5.00")]})

    def test_moving_an_event_to_another_venue(self):
        vid, other = self.make_venue("From"), self.make_venue("To", city="Nice")
        eid = self.make_event(vid, "Moved", "2027-07-01T10:00:00Z")
        r = self.patch("/api/events/%d/" % eid, {"venue": other}, basic=KIM)
        self.assertReply(r, 200, event(eid, other, "Moved", "2027-07-01T10:00:00Z", city="Nice"))
        r = self.patch("/api/events/%d/" % eid, {"venue": "nope"}, basic=KIM)
        self.assertReply(r, 400, {"venue": ["\u201cnope\u201d is not a valid UUID."]})

    def test_deleting_a_venue_deletes_its_events(self):
        vid = self.make_venue("Doomed")
        eid = self.make_event(vid, "Gone", "2027-08-01T10:00:00Z")
        self.assertReply(self.delete("/api/admin/venues/%s/" % vid, basic=ADMIN), 204, raw=b"")
        self.assertDetail(self.get("/api/events/%d/" % eid), 404, "Not found.")

    def test_a_ticket_for_a_stored_event(self):
        eid = self.make_event(self.make_venue("Tickets"), "Show", "2027-09-01T10:00:00Z")
        r = self.post("/api/checkout/", {"event": eid, "seat": "A1"}, basic=KIM)
        self.assertEqual(r.status, 201, r)
        ticket = r.json()
        self.assertRegex(ticket.pop("code"), UUID_PATTERN)
        self.assertRegex(ticket.pop("bought_at"), r"^\d{4}-\d\d-\d\dT[\d:.]+Z$")
        self.assertEqual(ticket, {"id": ticket["id"], "event": eid, "seat": "A1",
                                  "holder_name": "kim"})


class Refunds(EventsTest):
    def test_every_field_message_in_field_order(self):
        r = self.post("/api/refunds/", {
            "amount": "1.234", "when": "yesterday", "on_day": "2026-13-01", "ref": "nope",
            "contact": "x@", "page": "notaurl", "handle": "a", "ratio": "1.5", "count": 0,
            "secret": "short", "notify": "perhaps"})
        self.assertReply(r, 400, {
            "amount": ["Ensure that there are no more than 2 decimal places."],
            "notify": ["Must be a valid boolean."],
            "when": ["Datetime has wrong format. Use one of these formats instead: "
                     "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],
            "on_day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
            "ref": ["Must be a valid UUID."],
            "contact": ["Enter a valid email address."],
            "page": ["Enter a valid URL."],
            "handle": ["Ensure this field has at least 2 characters."],
            "ratio": ["Ensure this value is less than or equal to 1."],
            "count": ["Ensure this value is greater than or equal to 1."],
            "secret": ["Ensure this field has at least 8 characters."]},
            {"Allow": "POST, OPTIONS"})

    def test_required_null_and_type_messages(self):
        self.assertReply(self.post("/api/refunds/", {}), 400,
                         {"amount": ["This field is required."], "secret": ["This field is required."]})
        r = self.post("/api/refunds/", {"amount": "abc", "on_day": None, "ratio": "x",
                                        "count": "1.5", "secret": 12345678})
        self.assertReply(r, 400, {"amount": ["A valid number is required."],
                                  "ratio": ["A valid number is required."],
                                  "count": ["A valid integer is required."]})
        r = self.post("/api/refunds/", {"amount": "-1", "secret": "longenough", "reason": None})
        self.assertReply(r, 400, {"reason": ["This field may not be null."],
                                  "amount": ["Ensure this value is greater than or equal to 0."]})
        r = self.post("/api/refunds/", {"amount": "1234567.00", "secret": "longenough"})
        self.assertReply(r, 400, {"amount": ["Ensure that there are no more than 8 digits in total."]})

    def test_a_valid_refund(self):
        r = self.post("/api/refunds/", {"amount": "12.5", "secret": "longenough",
                                        "extra": {"a": [1, 2]}, "when": "2026-01-01T10:00:00+02:00",
                                        "ref": "12345678123456781234567812345678"})
        self.assertDetail(r, 202, "Refund requested.", {"Allow": "POST, OPTIONS"})

    def test_form_bodies(self):
        r = self.post("/api/refunds/", body="amount=3&secret=longenough&notify=false",
                      content_type="application/x-www-form-urlencoded")
        self.assertDetail(r, 202, "Refund requested.")

    def test_options_describes_every_field_type(self):
        def f(kind, label, required=False, **limits):
            return dict({"type": kind, "required": required, "read_only": False, "label": label},
                        **limits)
        r = self.options("/api/refunds/")
        self.assertReply(r, 200, {
            "name": "Refund Request", "description": "", "renders": RENDERS, "parses": PARSES,
            "actions": {"POST": {
                "reason": f("string", "Reason", max_length=200),
                "amount": f("decimal", "Amount", True, min_value=0),
                "notify": f("boolean", "Notify"),
                "when": f("datetime", "When"),
                "on_day": f("date", "On day"),
                "ref": f("string", "Ref"),
                "contact": f("email", "Contact"),
                "page": f("url", "Page"),
                "handle": f("slug", "Handle", min_length=2),
                "extra": f("field", "Extra"),
                "ratio": f("float", "Ratio", max_value=1),
                "count": f("integer", "Count", min_value=1),
                "secret": f("string", "Secret", True, min_length=8)}}})


class Checkout(EventsTest):
    def test_primary_key_related_field_messages_and_an_async_field_hook(self):
        r = self.post("/api/checkout/", {"event": 9, "seat": "1A"})
        self.assertReply(r, 400, {"event": ['Invalid pk "9" - object does not exist.'],
                                  "seat": ["A seat starts with its row letter."]},
                         {"Allow": "GET, POST, HEAD, OPTIONS"})
        r = self.post("/api/checkout/", {"event": "x", "seat": None})
        self.assertReply(r, 400, {"event": ["Incorrect type. Expected pk value, received str."]})
        self.assertReply(self.post("/api/checkout/", {}), 400,
                         {"event": ["This field is required."]})


class Strangers(EventsTest):
    def test_ten_a_second_for_anonymous_clients(self):
        # The window is one second: on a loaded machine ten requests may
        # take most of it, and the eleventh then finds the first expired.
        # Such an attempt proves nothing; a fresh window is tried again.
        path = "/api/cities/lyon/events/"
        for attempt in range(5):
            time.sleep(1.1 if attempt else 0)   # every earlier request expired
            started = time.monotonic()
            for _ in range(10):
                self.assertEqual(self.get(path).status, 200)
            r = self.get(path)
            if time.monotonic() - started < 0.9:
                self.assertDetail(r, 429, "Request was throttled. Expected available in 1 second.",
                                  {"Retry-After": "1"})
                return
        self.skipTest("five times the machine took most of the throttle's second for ten requests")


@e2e.restflow_only("the generated server's management commands")
class Management(EventsTest):
    def test_a_staff_user_made_by_createuser_administers(self):
        status, _, err = self.server.manage("createuser", "ops", "--password", "ops-pw", "--staff")
        self.assertEqual(status, 0, err)
        r = self.post("/api/admin/venues/", {"name": "Ops", "city": "Nice", "capacity": 10},
                      basic=("ops", "ops-pw"))
        self.assertEqual(r.status, 201, r)


if __name__ == "__main__":
    e2e.main("events", USERS)
