#!/usr/bin/python3
"""End-to-end suite of specs/shop.rflow: the shop server over real HTTP.

    tests/e2e/shop/test_shop.py --server build/shop-server [--backend postgres]
    tests/e2e/shop/test_shop.py --drf            # the same expectations, against DRF

Covers shared/conformance.md on the shop's views (responses, errors,
validation, dispatch order, the permission algebra, page-number pagination,
filtering, the Burst throttle, routers, OPTIONS, HEAD, 405/406/413/415),
PostFetch, the nested reviews route, the publish extra action, the hooks of
docs/example-hooks.md and the management commands.  See tests/e2e/lib/e2e.py.
"""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import e2e  # noqa: E402
from e2e import NOW, restflow_only  # noqa: E402

USERS = [
    {"username": "alice", "password": "alice-secret", "token": "f113029e149b5a52ed9f6877dbad439c962c7c7d"},
    {"username": "bob", "password": "bob-secret", "token": "5d3e5c53acaf6f35d5b457a07712d242e9040ecb"},
    {"username": "sam", "password": "sam-secret", "staff": True, "token": "68981a4bc74ffa904d55e8c9c8de5b714a6f7efb"},
    {"username": "ivan", "password": "ivan-secret", "token": "bb1563d395b47c1b450ae33510a2281bbeb6884a"},
    {"username": "burst", "password": "burst-secret", "token": "caf35d27ad993d67edefc6f0aa30b218339431c9"},
    {"username": "nora", "password": "nora-secret"},
]
ALICE, BOB, SAM = 1, 2, 3

ALLOW_LIST = "GET, POST, HEAD, OPTIONS"
ALLOW_DETAIL = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
RENDERS = ["application/json", "text/html"]
PARSES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
NOT_PROVIDED = "Authentication credentials were not provided."
FORBIDDEN = "You do not have permission to perform this action."
REQUIRED = ["This field is required."]


def field(kind, label, required=False, read_only=False, **limits):
    described = {"type": kind, "required": required, "read_only": read_only, "label": label}
    described.update(limits)
    return described


REVIEW_BRIEF = {"id": field("integer", "Id", read_only=True),
                "rating": field("integer", "Rating", required=True),
                "comment": field("string", "Comment", required=True)}
PRODUCT_SERIALIZER = {
    "id": field("integer", "Id", read_only=True),
    "name": field("string", "Name", required=True, max_length=200),
    "description": field("string", "Description"),
    "price": field("decimal", "Price", required=True, min_value=0),
    "is_top": field("boolean", "Is top"),
    "owner": field("field", "Owner", read_only=True),
    "created_at": field("datetime", "Created at", read_only=True),
    "latest_review": dict(field("nested object", "Latest review", read_only=True),
                          children=REVIEW_BRIEF),
}


def metadata(name, actions=None):
    body = {"name": name, "description": "", "renders": RENDERS, "parses": PARSES}
    if actions is not None:
        body["actions"] = actions
    return body


def product(pid, name, price, owner=ALICE, description="", is_top=True, review=None):
    """ProductSerializer's rendering."""
    return {"id": pid, "name": name, "description": description, "price": price,
            "is_top": is_top, "owner": owner, "created_at": NOW, "latest_review": review}


def list_item(pid, name, price, review=None):
    """ProductListItem's rendering (the list action)."""
    return {"id": pid, "name": name, "price": price, "latest_review": review}


def products_fixture(rows):
    """SQL for products (name, price, is_top, owner id, day of January 2026)
    with created_at one day apart, so that -created_at orders them."""
    values = ",\n".join(
        "('%s', '', %s, '%d', %s, '2026-01-%02d 10:00:00', '2026-01-%02d 10:00:00')"
        % (name, price, int(top), owner, day, day)
        for name, price, top, owner, day in rows)
    return ("INSERT INTO products (name, description, price, is_top, owner_id, created_at, "
            "updated_at) VALUES\n%s;" % values)


class ShopTest(e2e.ServerTest):
    def create(self, name="Lamp", price="19.99", user="alice", **extra):
        """A top product (the Products queryset shows only those) made
        through the API; its id."""
        body = dict(name=name, price=price, is_top=True, **extra)
        r = self.post("/api/products/", body, user=user)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]


# ---------------------------------------------------------------------------
# Responses and the generic actions


class Crud(ShopTest):
    def test_api_root_lists_the_router_prefixes_in_order(self):
        r = self.get("/api/")
        self.assertReply(r, 200, {"products": self.url("/api/products/"),
                                  "reviews": self.url("/api/reviews/")},
                         {"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept"})

    def test_create_answers_201_with_the_response_serializer(self):
        r = self.post("/api/products/", {"name": "Desk", "price": "120", "is_top": True},
                      user="alice")
        pid = r.json()["id"]
        self.assertReply(r, 201, product(pid, "Desk", "120.00"),
                         {"Allow": ALLOW_LIST, "Vary": "Accept"})

    def test_compact_utf8_json_escapes_only_line_separators(self):
        name = "Caf\u00e9 \u2615 \u2028 \"q\" \\"
        r = self.post("/api/products/", {"name": name, "price": "1.5", "is_top": True},
                      user="alice")
        pid = r.json()["id"]
        self.assertReply(r, 201, product(pid, name, "1.50"))
        self.assertIn("Caf\u00e9 \u2615 \\u2028 \\\"q\\\" \\\\".encode("utf-8"), r.body)
        self.assertIn(b'"price":"1.50","is_top":true,"owner":1,', r.body)

    def test_retrieve_renders_decimals_with_their_places_and_utc_datetimes(self):
        pid = self.create("Chair", "7")
        r = self.get("/api/products/%d/" % pid)
        self.assertReply(r, 200, product(pid, "Chair", "7.00"), {"Allow": ALLOW_DETAIL})
        self.assertRegex(r.json()["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

    def test_put_ignores_unknown_and_read_only_keys(self):
        pid = self.create("Shelf", "10")
        r = self.put("/api/products/%d/" % pid,
                     {"name": "Shelf 2", "price": "11.5", "is_top": True, "id": 999, "owner": BOB,
                      "created_at": "2000-01-01T00:00:00Z", "bogus": [1]}, user="alice")
        self.assertReply(r, 200, product(pid, "Shelf 2", "11.50"))

    def test_put_checks_required_fields(self):
        pid = self.create("Stool", "3")
        r = self.put("/api/products/%d/" % pid, {"description": "only"}, user="alice")
        self.assertReply(r, 400, {"name": REQUIRED, "price": REQUIRED})

    def test_patch_is_partial(self):
        pid = self.create("Rug", "40")
        r = self.patch("/api/products/%d/" % pid, {"description": "wool"}, user="alice")
        self.assertReply(r, 200, product(pid, "Rug", "40.00", description="wool"))

    def test_put_never_creates(self):
        r = self.put("/api/products/9999/", {"name": "Ghost", "price": "1"}, user="sam")
        self.assertDetail(r, 404, "Not found.", {"Allow": ALLOW_DETAIL})

    def test_destroy_answers_204_without_a_body(self):
        pid = self.create("Vase", "9")
        r = self.delete("/api/products/%d/" % pid, user="sam")
        self.assertReply(r, 204, raw=b"")
        self.assertNotIn("content-type", r.headers)
        self.assertEqual(r.headers.get("allow"), ALLOW_DETAIL)
        self.assertDetail(self.get("/api/products/%d/" % pid), 404, "Not found.")

    def test_lookup_value_of_the_wrong_type_is_not_found(self):
        self.assertDetail(self.get("/api/products/abc/"), 404, "Not found.",
                          {"Allow": ALLOW_DETAIL})

    def test_products_outside_the_queryset_are_not_found(self):
        r = self.post("/api/products/", {"name": "Hidden", "price": "2"}, user="alice")
        self.assertReply(r, 201, product(r.json()["id"], "Hidden", "2.00", is_top=False))
        self.assertDetail(self.get("/api/products/%d/" % r.json()["id"]), 404, "Not found.")

    def test_form_bodies_are_parsed(self):
        r = self.post("/api/products/", user="alice", body="name=Form+lamp&price=4.25&is_top=true",
                      content_type="application/x-www-form-urlencoded")
        self.assertReply(r, 201, product(r.json()["id"], "Form lamp", "4.25"))

    def test_accept_indent_indents(self):
        r = self.get("/api/", headers={"Accept": "application/json; indent=4"})
        expected = json.dumps({"products": self.url("/api/products/"),
                               "reviews": self.url("/api/reviews/")},
                              indent=4, separators=(",", ": "))
        self.assertReply(r, 200, raw=expected.encode())
        self.assertEqual(r.headers.get("content-type"), "application/json")

    def test_accept_indent_zero_is_compact(self):
        r = self.get("/api/", headers={"Accept": "application/json; indent=0"})
        self.assertReply(r, 200, {"products": self.url("/api/products/"),
                                  "reviews": self.url("/api/reviews/")})


class Validation(ShopTest):
    def post_product(self, body):
        return self.post("/api/products/", body, user="alice")

    def test_required_fields(self):
        self.assertReply(self.post_product({}), 400, {"name": REQUIRED, "price": REQUIRED},
                         {"Allow": ALLOW_LIST})

    def test_blank_type_and_boolean_errors_in_field_order(self):
        r = self.post_product({"is_top": "maybe", "price": "abc", "name": ""})
        self.assertReply(r, 400, {"name": ["This field may not be blank."],
                                  "price": ["A valid number is required."],
                                  "is_top": ["Must be a valid boolean."]})

    def test_null_and_max_digits(self):
        r = self.post_product({"name": None, "price": "123456789.123"})
        self.assertReply(r, 400, {"name": ["This field may not be null."],
                                  "price": ["Ensure that there are no more than 10 digits in total."]})

    def test_decimal_places_and_min_value(self):
        self.assertReply(self.post_product({"name": "x", "price": "1.234"}), 400,
                         {"price": ["Ensure that there are no more than 2 decimal places."]})
        self.assertReply(self.post_product({"name": "x", "price": "-1.5"}), 400,
                         {"price": ["Ensure this value is greater than or equal to 0."]})

    def test_not_a_valid_string_and_max_length(self):
        self.assertReply(self.post_product({"name": {"a": 1}, "price": "1"}), 400,
                         {"name": ["Not a valid string."]})
        self.assertReply(self.post_product({"name": "n" * 201, "price": "1"}), 400,
                         {"name": ["Ensure this field has no more than 200 characters."]})

    def test_a_list_body(self):
        self.assertReply(self.post_product([1]), 400,
                         {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})

    def test_json_parse_error(self):
        r = self.post("/api/products/", user="alice", body='{"name":', content_type=e2e.JSON)
        self.assertDetail(r, 400, "JSON parse error - Expecting value: line 1 column 9 (char 8)")

    def test_unsupported_media_type_quotes_the_whole_header(self):
        r = self.post("/api/products/", user="alice", body="x",
                      content_type="text/plain; charset=utf-8")
        self.assertDetail(r, 415, 'Unsupported media type "text/plain; charset=utf-8" in request.',
                          {"Allow": ALLOW_LIST})

    def test_field_hook_on_the_request_serializer(self):
        # ProductSerializer (update) has validate_price; ProductCreate has not.
        pid = self.create("Free?", "1")
        r = self.patch("/api/products/%d/" % pid, {"price": "0.00"}, user="alice")
        self.assertReply(r, 400, {"price": ["A product cannot be free."]})
        r = self.post_product({"name": "Gift", "price": "0", "is_top": True})
        self.assertReply(r, 201, product(r.json()["id"], "Gift", "0.00"))

    def test_object_validators_run_only_when_every_field_passed(self):
        pid = self.create("Same", "5")
        r = self.patch("/api/products/%d/" % pid, {"description": "Same"}, user="alice")
        self.assertReply(r, 200, product(pid, "Same", "5.00", description="Same"))
        r = self.put("/api/products/%d/" % pid, {"name": "Twin", "description": "Twin", "price": "5"},
                     user="alice")
        self.assertReply(r, 400, {"non_field_errors": ["Name and description must differ."]})
        r = self.put("/api/products/%d/" % pid, {"name": "Twin", "description": "Twin", "price": "0"},
                     user="alice")
        self.assertReply(r, 400, {"price": ["A product cannot be free."]})


# ---------------------------------------------------------------------------
# Negotiation, methods, limits


class Negotiation(ShopTest):
    def test_missing_accept_is_json(self):
        r = self.get("/api/products/", headers={"Accept": None})
        self.assertReply(r, 200, {"count": 0, "next": None, "previous": None, "results": []})

    def test_no_acceptable_renderer(self):
        r = self.get("/api/products/", headers={"Accept": "text/plain"})
        self.assertDetail(r, 406, "Could not satisfy the request Accept header.",
                          {"Allow": ALLOW_LIST})

    def test_an_empty_accept_header_is_not_acceptable(self):
        r = self.get("/api/products/", headers={"Accept": ""})
        self.assertDetail(r, 406, "Could not satisfy the request Accept header.")

    @restflow_only("the page's HTML is restflow's own (tests/ecosystem/test_browsable.py)")
    def test_html_gets_the_browsable_api(self):
        r = self.get("/api/products/", headers={"Accept": "text/html"})
        self.assertReply(r, 200, headers={"Content-Type": "text/html; charset=utf-8",
                                          "Vary": "Accept"})

    def test_head_is_get_without_a_body(self):
        r = self.request("HEAD", "/api/products/")
        self.assertReply(r, 200, raw=b"", headers={"Allow": ALLOW_LIST,
                                                   "Content-Type": "application/json"})

    def test_405_after_the_checks_names_the_method(self):
        r = self.patch("/api/products/", {}, user="alice")
        self.assertDetail(r, 405, 'Method "PATCH" not allowed.', {"Allow": ALLOW_LIST})

    def test_a_mixin_viewset_maps_only_its_actions(self):
        r = self.get("/api/reviews/1/", user="alice")
        self.assertDetail(r, 405, 'Method "GET" not allowed.', {"Allow": "DELETE, OPTIONS"})
        r = self.delete("/api/reviews/1/", user="alice")
        self.assertDetail(r, 404, "Not found.", {"Allow": "DELETE, OPTIONS"})

    def test_trailing_slash_redirect(self):
        r = self.get("/api/products?page=1")
        self.assertReply(r, 301, raw=b"", headers={"Location": "/api/products/?page=1"})

    @restflow_only("Django answers its HTML 404 page (docs/differential.md, Unknown URLs)")
    def test_unknown_url_is_json(self):
        self.assertDetail(self.get("/api/nothing/"), 404, "Not found.")
        self.assertDetail(self.get("/api/products/abc/reviews/"), 404, "Not found.")

    def test_unknown_url_before_authentication(self):
        r = self.get("/api/nothing/", headers={"Authorization": "Token nope"})
        self.assertEqual(r.status, 404)

    @restflow_only("DRF leaves the body limit to the server")
    def test_a_body_over_the_limit_is_refused_unread(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as s:
            s.sendall(b"POST /api/products/ HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n")
            head = s.recv(4096)
        self.assertTrue(head.startswith(b"HTTP/1.1 413 "), head)


class Options(ShopTest):
    def test_list_route_describes_post_for_a_user_who_may_post(self):
        r = self.options("/api/products/", user="alice")
        self.assertReply(r, 200, metadata("Products List", {"POST": PRODUCT_SERIALIZER}),
                         {"Allow": ALLOW_LIST, "Vary": "Accept"})

    def test_options_runs_the_same_checks(self):
        r = self.options("/api/products/", headers={"Authorization": "Token nope"})
        self.assertDetail(r, 401, "Invalid token.", {"WWW-Authenticate": "Token",
                                                     "Allow": ALLOW_LIST})

    def test_head_on_a_detail_route(self):
        pid = self.create("Headed", "2")
        r = self.request("HEAD", "/api/products/%d/" % pid)
        self.assertReply(r, 200, raw=b"", headers={"Allow": ALLOW_DETAIL})
        r = self.request("HEAD", "/api/products/9999/")
        self.assertReply(r, 404, raw=b"", headers={"Allow": ALLOW_DETAIL})

    def test_no_actions_for_an_anonymous_client(self):
        self.assertReply(self.options("/api/products/"), 200, metadata("Products List"))

    def test_detail_route_describes_put_when_the_object_permits(self):
        pid = self.create("Opt", "1")
        self.assertReply(self.options("/api/products/%d/" % pid, user="alice"), 200,
                         metadata("Products Instance", {"PUT": PRODUCT_SERIALIZER}),
                         {"Allow": ALLOW_DETAIL})
        self.assertReply(self.options("/api/products/%d/" % pid, user="bob"), 200,
                         metadata("Products Instance"))
        self.assertReply(self.options("/api/products/9999/", user="alice"), 200,
                         metadata("Products Instance"))

    def test_extra_action_and_views(self):
        pid = self.create("Pub", "1")
        self.assertReply(self.options("/api/products/%d/publish/" % pid, user="alice"), 200,
                         metadata("Publish", {"POST": PRODUCT_SERIALIZER}),
                         {"Allow": "POST, OPTIONS"})
        self.assertReply(self.options("/api/top-products/", user="alice"), 200,
                         metadata("Top Products", {"POST": PRODUCT_SERIALIZER}))
        reviews = {"id": field("integer", "Id", read_only=True),
                   "rating": field("integer", "Rating", required=True, min_value=1, max_value=5),
                   "comment": field("string", "Comment"),
                   "created_at": field("datetime", "Created at", read_only=True),
                   "product": field("field", "Product", read_only=True)}
        self.assertReply(self.options("/api/products/%d/reviews/" % pid, user="alice"), 200,
                         metadata("Product Reviews", {"POST": reviews}))
        self.assertReply(self.options("/api/reviews/"), 200, metadata("Reviews List"))


# ---------------------------------------------------------------------------
# Authentication, permissions, dispatch order


class Auth(ShopTest):
    fixture = "UPDATE auth_user SET is_active = '0' WHERE username = 'ivan';"

    def test_anonymous_create_is_401_with_the_first_authenticators_header(self):
        r = self.post("/api/products/", {"name": "x", "price": "1"})
        self.assertDetail(r, 401, NOT_PROVIDED, {"WWW-Authenticate": "Token",
                                                 "Allow": ALLOW_LIST})

    def test_bad_token_fails_even_where_reading_is_allowed(self):
        r = self.get("/api/products/", headers={"Authorization": "Token nope"})
        self.assertDetail(r, 401, "Invalid token.", {"WWW-Authenticate": "Token"})

    def test_another_keyword_is_anonymous(self):
        r = self.get("/api/products/", headers={"Authorization": "Bearer nope"})
        self.assertReply(r, 200, raw=self.get("/api/products/").body)

    def test_the_token_keyword_ignores_case(self):
        r = self.post("/api/products/", {"name": "Case", "price": "1", "is_top": True},
                      headers={"Authorization": "token " + e2e.token_of("alice")})
        self.assertReply(r, 201, product(r.json()["id"], "Case", "1.00"))

    def test_inactive_users_token(self):
        r = self.get("/api/products/", user="ivan")
        self.assertDetail(r, 401, "User inactive or deleted.", {"WWW-Authenticate": "Token"})

    def test_basic_authentication(self):
        r = self.post("/api/products/", {"name": "Basic", "price": "1", "is_top": True},
                      basic=("bob", "bob-secret"))
        self.assertReply(r, 201, product(r.json()["id"], "Basic", "1.00", owner=BOB))
        r = self.get("/api/products/", basic=("bob", "wrong"))
        self.assertDetail(r, 401, "Invalid username/password.", {"WWW-Authenticate": "Token"})

    def test_a_user_without_a_token_logs_in_with_basic(self):
        r = self.post("/api/products/", {"name": "Nora's", "price": "1", "is_top": True},
                      basic=("nora", "nora-secret"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["owner"], 6)

    def test_negotiation_before_authentication(self):
        r = self.get("/api/products/", headers={"Authorization": "Token nope",
                                                "Accept": "text/plain"})
        self.assertEqual(r.status, 406, r)

    def test_authentication_and_permissions_before_405(self):
        r = self.patch("/api/products/", {}, headers={"Authorization": "Token nope"})
        self.assertDetail(r, 401, "Invalid token.")
        self.assertDetail(self.patch("/api/products/", {}), 401, NOT_PROVIDED)

    def test_get_object_before_the_body(self):
        # The body is parsed lazily: the lookup's 404 wins over 415 and 400.
        r = self.put("/api/products/9999/", user="sam", body="x", content_type="text/plain")
        self.assertDetail(r, 404, "Not found.")
        r = self.put("/api/products/9999/", user="sam", body="{", content_type=e2e.JSON)
        self.assertDetail(r, 404, "Not found.")

    def test_permission_algebra_on_objects(self):
        # IsAuthenticatedOrReadOnly & (IsOwner | IsAdminUser)
        pid = self.create("Owned", "5")
        path = "/api/products/%d/" % pid
        self.assertDetail(self.patch(path, {"price": "6"}, user="bob"), 403, FORBIDDEN)
        self.assertDetail(self.patch(path, {"price": "6"}), 401, NOT_PROVIDED,
                          {"WWW-Authenticate": "Token"})
        self.assertReply(self.patch(path, {"price": "6"}, user="sam"), 200,
                         product(pid, "Owned", "6.00"))
        self.assertReply(self.patch(path, {"price": "7"}, user="alice"), 200,
                         product(pid, "Owned", "7.00"))
        self.assertReply(self.get(path, user="bob"), 200, product(pid, "Owned", "7.00"))

    def test_destroy_needs_staff(self):
        pid = self.create("Keep", "5")
        self.assertDetail(self.delete("/api/products/%d/" % pid, user="alice"), 403, FORBIDDEN)
        self.assertDetail(self.delete("/api/products/%d/" % pid), 401, NOT_PROVIDED)
        self.assertReply(self.delete("/api/products/%d/" % pid, user="sam"), 204, raw=b"")

    def test_api_key_authenticator_is_declared_but_unused(self):
        r = self.post("/api/products/", {"name": "k", "price": "1"},
                      headers={"X-Api-Key": e2e.token_of("alice")})
        self.assertDetail(r, 401, NOT_PROVIDED)


# ---------------------------------------------------------------------------
# Lists: pagination, filtering, PostFetch


PAGE_PRODUCTS = [("P%02d" % day, "%d.00" % (day % 7 + 1), True, ALICE if day % 2 else BOB, day)
                 for day in range(1, 26)]


class Listing(ShopTest):
    # 25 top products, P01 (oldest) .. P25, and a hidden one; reviews of P25
    # and P24.
    fixture = products_fixture(PAGE_PRODUCTS + [("Hidden", "1.00", False, ALICE, 26)]) + """
        INSERT INTO shop_review (product_id, rating, comment, created_at) VALUES
          (25, 2, 'old', '2026-02-01 10:00:00'),
          (25, 5, 'newest', '2026-02-03 10:00:00'),
          (25, 3, 'middle', '2026-02-02 10:00:00'),
          (24, 4, 'only', '2026-02-01 09:00:00');"""

    def items(self, days):
        reviews = {25: {"id": 2, "rating": 5, "comment": "newest"},
                   24: {"id": 4, "rating": 4, "comment": "only"}}
        rows = {day: (name, price) for name, price, _, _, day in PAGE_PRODUCTS}
        return [list_item(day, rows[day][0], rows[day][1], reviews.get(day)) for day in days]

    def page(self, count, next_path, previous_path, days):
        return {"count": count, "next": next_path and self.url(next_path),
                "previous": previous_path and self.url(previous_path),
                "results": self.items(days)}

    def test_first_page_newest_first_with_postfetch(self):
        r = self.get("/api/products/")
        self.assertReply(r, 200, self.page(25, "/api/products/?page=2", None, range(25, 5, -1)),
                         {"Allow": ALLOW_LIST, "Vary": "Accept"})

    def test_second_page_links_back_without_a_page_parameter(self):
        r = self.get("/api/products/?page=2")
        self.assertReply(r, 200, self.page(25, None, "/api/products/", range(5, 0, -1)))

    def test_last_page(self):
        self.assertReply(self.get("/api/products/?page=last"), 200,
                         self.page(25, None, "/api/products/", range(5, 0, -1)))

    def test_invalid_pages(self):
        for page in ("0", "3", "abc", "-1"):
            self.assertDetail(self.get("/api/products/?page=" + page), 404, "Invalid page.")

    def test_page_with_a_space(self):
        self.assertReply(self.get("/api/products/?page=%201"), 200,
                         self.page(25, "/api/products/?page=2", None, range(25, 5, -1)))

    def test_page_size_parameter_keeps_and_sorts_the_query(self):
        r = self.get("/api/products/?search=P&page_size=5&page=2")
        self.assertReply(r, 200, self.page(
            25, "/api/products/?page=3&page_size=5&search=P",
            "/api/products/?page_size=5&search=P", range(20, 15, -1)))

    def test_page_size_falls_back_and_is_capped(self):
        r = self.get("/api/products/?page_size=abc")
        self.assertEqual(len(r.json()["results"]), 20)
        r = self.get("/api/products/?page_size=1000")
        self.assertReply(r, 200, self.page(25, None, None, range(25, 0, -1)))

    def test_an_empty_first_page(self):
        self.assertReply(self.get("/api/products/?search=nothing-matches"), 200,
                         {"count": 0, "next": None, "previous": None, "results": []})

    def test_filterset_fields(self):
        self.assertReply(self.get("/api/products/?price=3.00"), 200,
                         self.page(4, None, None, [23, 16, 9, 2]))
        self.assertReply(self.get("/api/products/?price=3"), 200,
                         self.page(4, None, None, [23, 16, 9, 2]))
        self.assertReply(self.get("/api/products/?price=abc"), 400, {"price": ["Enter a number."]})
        self.assertReply(self.get("/api/products/?is_top=maybe&page_size=1"), 200,
                         self.page(25, "/api/products/?is_top=maybe&page=2&page_size=1", None, [25]))

    def test_search_terms_split_on_spaces_and_commas(self):
        self.assertReply(self.get("/api/products/?search=p0,5"), 200, self.page(1, None, None, [5]))
        self.assertReply(self.get("/api/products/?search=p2%201"), 200,
                         self.page(1, None, None, [21]))
        self.assertReply(self.get("/api/products/?search=%22P2%22"), 200,
                         self.page(0, None, None, []))

    def test_ordering(self):
        r = self.get("/api/products/?ordering=price,-created_at&page_size=5")
        self.assertReply(r, 200, self.page(
            25, "/api/products/?ordering=price%2C-created_at&page=2&page_size=5", None,
            [21, 14, 7, 22, 15]))
        r = self.get("/api/products/?ordering=bogus,name&page_size=2")
        self.assertReply(r, 200, self.page(
            25, "/api/products/?ordering=bogus%2Cname&page=2&page_size=2", None, [25, 24]))

    def test_retrieve_attaches_the_postfetch(self):
        r = self.get("/api/products/25/")
        self.assertReply(r, 200, product(25, "P25", "5.00", review={
            "id": 2, "rating": 5, "comment": "newest"}) | {"created_at": "2026-01-25T10:00:00Z"})

    def test_publish_renders_nothing_fetched(self):
        r = self.post("/api/products/25/publish/", user="alice")
        self.assertReply(r, 200, product(25, "P25", "5.00") | {"created_at": "2026-01-25T10:00:00Z"},
                         {"Allow": "POST, OPTIONS"})
        self.assertDetail(self.post("/api/products/25/publish/", user="bob"), 403, FORBIDDEN)
        self.assertDetail(self.post("/api/products/26/publish/", user="alice"), 404, "Not found.")

    def test_top_products_view_paginates_with_the_postfetch(self):
        r = self.get("/api/top-products/?page_size=2")
        full = [product(25, "P25", "5.00", review={"id": 2, "rating": 5, "comment": "newest"}),
                product(24, "P24", "4.00", owner=BOB, review={"id": 4, "rating": 4, "comment": "only"})]
        for item, day in zip(full, (25, 24)):
            item["created_at"] = "2026-01-%02dT10:00:00Z" % day
        self.assertReply(r, 200, {"count": 25, "next": self.url("/api/top-products/?page=2&page_size=2"),
                                  "previous": None, "results": full},
                         {"Allow": ALLOW_LIST})

    def test_nested_reviews_route(self):
        r = self.get("/api/products/25/reviews/")
        self.assertReply(r, 200, {"count": 3, "next": None, "previous": None, "results": [
            {"id": i, "rating": rating, "comment": comment,
             "created_at": "2026-02-%02dT10:00:00Z" % day, "product": 25}
            for i, rating, comment, day in ((1, 2, "old", 1), (2, 5, "newest", 3),
                                            (3, 3, "middle", 2))]},
            {"Allow": ALLOW_LIST})
        self.assertReply(self.get("/api/products/7/reviews/"), 200,
                         {"count": 0, "next": None, "previous": None, "results": []})

    def test_reviews_viewset_lists_every_review(self):
        r = self.get("/api/reviews/?page_size=1")
        self.assertReply(r, 200, {
            "count": 4, "next": self.url("/api/reviews/?page=2&page_size=1"), "previous": None,
            "results": [{"id": 1, "rating": 2, "comment": "old",
                         "created_at": "2026-02-01T10:00:00Z", "product": 25}]})

class ReviewDestroy(ShopTest):
    fixture = products_fixture([("R", "1.00", True, ALICE, 1)]) + """
        INSERT INTO shop_review (product_id, rating, comment, created_at) VALUES
          (1, 2, 'gone', '2026-02-01 10:00:00');"""

    def test_review_destroy_is_for_authenticated_users(self):
        self.assertDetail(self.delete("/api/reviews/1/"), 401, NOT_PROVIDED)
        self.assertReply(self.delete("/api/reviews/1/", user="bob"), 204, raw=b"")
        self.assertDetail(self.delete("/api/reviews/1/", user="bob"), 404, "Not found.")
        self.assertReply(self.get("/api/products/1/"), 200, product(1, "R", "1.00") | {
            "created_at": "2026-01-01T10:00:00Z"})


class TopProductsPost(ShopTest):
    def test_post_validates_with_the_views_serializer_and_saves_the_owner(self):
        r = self.post("/api/top-products/", {"name": "Top", "price": "0"}, user="bob")
        self.assertReply(r, 400, {"price": ["A product cannot be free."]})
        r = self.post("/api/top-products/", {"name": "Top", "price": "3", "is_top": True},
                      user="bob")
        self.assertReply(r, 201, product(1, "Top", "3.00", owner=BOB), {"Allow": ALLOW_LIST})

    def test_post_needs_authentication(self):
        r = self.post("/api/top-products/", {"name": "Top", "price": "3"})
        self.assertDetail(r, 401, NOT_PROVIDED, {"WWW-Authenticate": "Token"})


# ---------------------------------------------------------------------------
# Throttles


class Throttles(ShopTest):
    def test_burst_limits_a_user_to_60_a_minute(self):
        for _ in range(60):
            self.assertEqual(self.get("/api/products/", user="burst").status, 200)
        self.assertThrottled(self.get("/api/products/", user="burst"), 60)
        # Throttles come before the handler: no 405 for a throttled client.
        self.assertThrottled(self.patch("/api/products/", {}, user="burst"), 60)
        # Another user, and an anonymous client, count on their own.
        self.assertEqual(self.get("/api/products/", user="alice").status, 200)
        self.assertEqual(self.get("/api/products/").status, 200)

    def test_anonymous_clients_count_by_forwarded_address(self):
        for _ in range(60):
            self.assertEqual(self.get("/api/products/").status, 200)
        self.assertThrottled(self.get("/api/products/"), 60)
        self.client_ip = "198.19.0.1"
        self.assertEqual(self.get("/api/products/").status, 200)

    def test_create_uses_uploads_which_never_throttles(self):
        # Uploads is a ScopedRateThrottle and Products sets no throttle_scope
        # (docs/differential.md, "Uploads never throttles").
        for i in range(12):
            r = self.post("/api/products/", {"name": "u%d" % i, "price": "1"}, user="bob")
            self.assertEqual(r.status, 201, r)


# ---------------------------------------------------------------------------
# Management commands and server options (restflow only)


@restflow_only("the generated server's management commands")
class Management(ShopTest):
    def test_migrate_twice_is_safe(self):
        status, out, err = self.server.manage("migrate")
        self.assertEqual(status, 0, err)
        r = self.post("/api/products/", {"name": "After", "price": "1", "is_top": True}, user="alice")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.get("/api/products/%d/" % r.json()["id"]).status, 200)

    def test_createuser_refuses_a_taken_name(self):
        status, out, err = self.server.manage("createuser", "alice", "--password", "x")
        self.assertEqual(status, 1)
        self.assertIn("That username is already taken.", err)

    def test_created_user_and_token_work_at_once(self):
        status, _, err = self.server.manage("createuser", "zoe", "--password", "zoe-pw")
        self.assertEqual(status, 0, err)
        status, out, err = self.server.manage("createtoken", "zoe")
        self.assertEqual(status, 0, err)
        key = out.strip()
        self.assertRegex(key, r"^[0-9a-f]{40}$")
        # Without --key an existing token is kept.
        self.assertEqual(self.server.manage("createtoken", "zoe")[1].strip(), key)
        r = self.post("/api/products/", {"name": "Zoe's", "price": "2", "is_top": True},
                      headers={"Authorization": "Token " + key})
        self.assertReply(r, 201, product(r.json()["id"], "Zoe's", "2.00", owner=7))
        r = self.post("/api/products/", {"name": "Zoe's 2", "price": "2", "is_top": True},
                      basic=("zoe", "zoe-pw"))
        self.assertEqual(r.status, 201, r)

    def test_createtoken_with_a_key_replaces_the_token(self):
        status, out, _ = self.server.manage("createtoken", "bob", "--key", "bob-new-key")
        self.assertEqual((status, out.strip()), (0, "bob-new-key"))
        self.assertDetail(self.get("/api/products/", user="bob"), 401, "Invalid token.")
        r = self.get("/api/products/", headers={"Authorization": "Token bob-new-key"})
        self.assertEqual(r.status, 200, r)

    def test_createtoken_for_nobody_fails(self):
        self.assertEqual(self.server.manage("createtoken", "nobody")[0], 1)


if __name__ == "__main__":
    e2e.main("shop", USERS)
