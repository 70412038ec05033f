"""SQL injection and access control against running generated servers.

    /usr/bin/python3 tests/security/test_injection.py [-v] [-k PATTERN]
    SECURITY_BACKEND=postgres ... (a throwaway PostgreSQL cluster)

- SQL injection on every user-controlled input: URL lookups, filterset
  fields, search, ordering, page parameters, cursors, bodies and the
  credentials headers.  Each answer is the one DRF gives the same text taken
  literally (404, 400 with DRF's message, or 200 with what matches), no
  error body shows SQL, a path or a trace, and the database is compared
  table by table before and after: nothing changed.
- Object permissions on retrieve, update and destroy (shop: IsOwner and
  IsAdminUser; events: IsHolder and a queryset of the user's own tickets).
- Tokens match only exactly: no prefix, no suffix, no case folding.
- Password hashes never appear in any response.

Standard library only.
"""
import base64
import json
import unittest
import urllib.parse

import harness
from harness import USERS, Server, leaks, snapshot

FORBIDDEN = b'{"detail":"You do not have permission to perform this action."}'
NOT_FOUND = b'{"detail":"Not found."}'
INVALID_TOKEN = b'{"detail":"Invalid token."}'

PAYLOADS = [
    "' OR '1'='1",
    "1 OR 1=1",
    "1; DROP TABLE products; --",
    "\" OR \"\"=\"",
    "1' UNION SELECT username, password FROM auth_user--",
    "') OR ('a'='a",
    "%' OR 1=1 --",
    "_",
    "1)) OR ((1=1",
    "-1 UNION SELECT 1,2,3,4,5,6,7,8",
    "\\'; DROP TABLE auth_user; --",
    "price\" DESC; DROP TABLE products --",
    "' || (SELECT password FROM auth_user LIMIT 1) || '",
    "$1",
    "?",
    "1/**/OR/**/1=1",
]



def q(text):
    return urllib.parse.quote(text, safe="")


class ServerTest(unittest.TestCase):
    spec = "shop"

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.spec, backend=harness.BACKEND, args=("--no-access-log",))
        cls.seed()
        cls.before = snapshot(cls.server)

    @classmethod
    def seed(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def req(self, method, path, body=None, user=None, headers=None, payload=None):
        """A request whose answer must not leak; the payload itself (which
        some messages quote) is not held against it."""
        reply = self.server.request(method, path, body, user=user, headers=headers)
        scanned = reply.body
        if payload:
            for form in (payload.encode(), json.dumps(payload)[1:-1].encode()):
                scanned = scanned.replace(form, b"")
        self.assertEqual(leaks(scanned), [], reply)
        return reply

    def assertReply(self, reply, status, body):
        self.assertEqual((reply.status, reply.body), (status, body), reply)

    def assertUnchanged(self):
        self.assertEqual(snapshot(self.server), self.before)


# ---------------------------------------------------------------------------
# Injection


def create_products(server):
    ids = []
    for user, name, price in (("alice", "Anvil", "19.99"), ("alice", "Rope", "5.00"),
                              ("bob", "Bolt cutter", "42.50")):
        reply = server.request("POST", "/api/products/", user=user,
                               body={"name": name, "price": price, "is_top": True})
        assert reply.status == 201, reply
        ids.append(reply.json()["id"])
    return ids


class ShopInjection(ServerTest):
    """Products: lookups, filterset_fields (is_top, price), search (name,
    description), ordering (price, created_at), page and page_size."""

    @classmethod
    def seed(cls):
        cls.ids = create_products(cls.server)

    def tearDown(self):
        self.assertUnchanged()

    def test_lookups(self):
        for p in PAYLOADS:
            for method, user in (("GET", None), ("PUT", "root"), ("PATCH", "root"),
                                 ("DELETE", "root")):
                with self.subTest(payload=p, method=method):
                    body = {"name": "x", "price": "1.00"} if method in ("PUT", "PATCH") else None
                    self.assertReply(self.req(method, "/api/products/%s/" % q(p), body, user,
                                              payload=p), 404, NOT_FOUND)

    def test_filters(self):
        everything = self.req("GET", "/api/products/").json()
        self.assertEqual(everything["count"], 3)
        for p in PAYLOADS:
            with self.subTest(payload=p):
                self.assertReply(self.req("GET", "/api/products/?price=" + q(p), payload=p), 400,
                                 b'{"price":["Enter a number."]}')
                # BooleanFilter: a value it cannot read filters nothing.
                reply = self.req("GET", "/api/products/?is_top=" + q(p), payload=p)
                self.assertEqual(reply.json(), everything)

    def test_search_matches_the_text_literally(self):
        for p in PAYLOADS:
            with self.subTest(payload=p):
                reply = self.req("GET", "/api/products/?search=" + q(p), payload=p)
                self.assertEqual(reply.status, 200, reply)
                names = [r["name"] for r in reply.json()["results"]]
                terms = p.replace(",", " ").split()
                expected = [n for n in ("Bolt cutter", "Rope", "Anvil")
                            if all(t.lower() in n.lower() for t in terms)]
                self.assertEqual(sorted(names), sorted(expected))

    def test_ordering_takes_only_known_fields(self):
        default = self.req("GET", "/api/products/").json()
        for p in PAYLOADS + ["price;DROP TABLE products", "(SELECT 1),-id", "id", "owner"]:
            with self.subTest(payload=p):
                reply = self.req("GET", "/api/products/?ordering=" + q(p), payload=p)
                self.assertEqual(reply.json(), default)

    def test_page_parameters(self):
        default = self.req("GET", "/api/products/").json()
        for p in PAYLOADS:
            with self.subTest(payload=p):
                self.assertReply(self.req("GET", "/api/products/?page=" + q(p), payload=p), 404,
                                 b'{"detail":"Invalid page."}')
                reply = self.req("GET", "/api/products/?page_size=" + q(p), payload=p)
                self.assertEqual(reply.json(), default)

    def test_credentials(self):
        for p in PAYLOADS:
            with self.subTest(payload=p):
                reply = self.req("GET", "/api/products/", headers={"Authorization": "Token " + q(p)},
                                 payload=p)
                self.assertReply(reply, 401, INVALID_TOKEN)
                reply = self.req("GET", "/api/products/", headers=harness.basic(p, p), payload=p)
                self.assertReply(reply, 401, b'{"detail":"Invalid username/password."}')


class ShopBodies(ServerTest):
    """Text in a body is stored and rendered back exactly as sent."""

    def test_bodies_are_stored_literally(self):
        for p in PAYLOADS:
            with self.subTest(payload=p):
                reply = self.server.request("POST", "/api/products/", user="alice",
                                            body={"name": p, "description": p, "price": "1.00",
                                                  "is_top": True})
                self.assertEqual(reply.status, 201, reply)
                pk = reply.json()["id"]
                got = self.server.request("GET", "/api/products/%d/" % pk).json()
                self.assertEqual((got["name"], got["description"]), (p, p))
                self.assertEqual(self.server.sql(
                    "SELECT name, description FROM products WHERE id = %d" % pk), [(p, p)])
        tables = snapshot(self.server)
        self.assertEqual(len(tables["products"]), len(PAYLOADS))
        self.assertEqual(len(tables["auth_user"]), len(USERS))


def cursor(query):
    return q(base64.b64encode(query.encode()).decode())


class BlogInjection(ServerTest):
    """Posts: a slug lookup, filterset_fields (author, status), search with
    ^ and = prefixes (?q=), ordering "__all__" (?sort=), cursor pages."""
    spec = "blog"

    @classmethod
    def seed(cls):
        # No endpoint makes authors: the fixture goes through SQL.
        run = harness.sql_script(cls.server)
        run("INSERT INTO blog_author (id, user_id, slug, display_name, bio, website, joined) "
            "VALUES (1, 1, 'alice', 'Alice', '', '', '2024-01-01')")
        for n in range(1, 8):
            run("INSERT INTO blog_posts (id, author_id, title, slug, body, status, published_at, "
                "created, updated) VALUES (%d, 1, 'Post %d', 'post-%d', "
                "'A body long enough to publish, number %d.', 'published', "
                "'2024-01-%02d 10:00:00', '2024-01-%02d 09:00:00', '2024-01-%02d 10:00:00')"
                % (n, n, n, n, n, n, n))

    def tearDown(self):
        self.assertUnchanged()

    def test_slug_lookups(self):
        for p in PAYLOADS:
            with self.subTest(payload=p):
                self.assertReply(self.req("GET", "/api/posts/%s/" % q(p), payload=p), 404,
                                 NOT_FOUND)

    def test_cursors(self):
        """Forged cursors (well-formed base64 of a hostile query) and raw
        text: either "Invalid cursor" or, where DRF's lenient base64 reads a
        valid cursor out of it, a page."""
        first = self.req("GET", "/api/posts/?size=3").json()
        self.assertEqual(len(first["results"]), 3)
        for p in PAYLOADS:
            for given in ("p=" + q(p), "o=1&p=" + q(p), "r=1&p=" + q(p), "o=" + q(p)):
                with self.subTest(cursor=given):
                    self.assertPageOrInvalid(self.req("GET", "/api/posts/?cursor=" + cursor(given),
                                                      payload=p))
            with self.subTest(cursor=p):
                self.assertPageOrInvalid(self.req("GET", "/api/posts/?cursor=" + q(p), payload=p))

    def assertPageOrInvalid(self, reply):
        if reply.status == 404:
            self.assertEqual(reply.body, b'{"detail":"Invalid cursor"}')
        else:
            self.assertEqual((reply.status, list(reply.json())), (200, ["next", "previous", "results"]))

    def test_search_sort_and_filters(self):
        default = self.req("GET", "/api/posts/").json()
        for p in PAYLOADS:
            with self.subTest(payload=p):
                reply = self.req("GET", "/api/posts/?q=" + q(p), payload=p)
                self.assertEqual((reply.status, reply.json()["results"]), (200, []))
                self.assertEqual(self.req("GET", "/api/posts/?sort=" + q(p), payload=p).json(),
                                 default)
                reply = self.req("GET", "/api/posts/?author=" + q(p), payload=p)
                self.assertReply(reply, 400, b'{"author":["Select a valid choice. That choice is '
                                             b'not one of the available choices."]}')
                reply = self.req("GET", "/api/posts/?status=" + q(p), payload=p)
                self.assertEqual(reply.status, 400, reply)
                self.assertEqual(list(reply.json()), ["status"])


# ---------------------------------------------------------------------------
# Access


class ShopObjectPermissions(ServerTest):
    """[IsAuthenticatedOrReadOnly & (IsOwner | IsAdminUser)]; destroy:
    [IsAdminUser]."""

    @classmethod
    def seed(cls):
        cls.alices, _, cls.bobs = create_products(cls.server)

    def path(self, pk):
        return "/api/products/%d/" % pk

    def test_update_by_another_user_is_403_and_changes_nothing(self):
        for method in ("PUT", "PATCH"):
            with self.subTest(method=method):
                reply = self.req(method, self.path(self.alices), user="bob",
                                 body={"name": "Stolen", "price": "0.01"})
                self.assertReply(reply, 403, FORBIDDEN)
        self.assertUnchanged()

    def test_update_by_the_owner_and_by_an_admin(self):
        reply = self.req("PATCH", self.path(self.bobs), user="bob", body={"description": "mine"})
        self.assertEqual((reply.status, reply.json()["description"]), (200, "mine"))
        reply = self.req("PATCH", self.path(self.bobs), user="root", body={"description": "ok"})
        self.assertEqual((reply.status, reply.json()["description"]), (200, "ok"))

    def test_anonymous_writes_are_401(self):
        for method in ("PUT", "PATCH", "DELETE"):
            with self.subTest(method=method):
                reply = self.req(method, self.path(self.alices), body={"name": "x"})
                self.assertReply(reply, 401, b'{"detail":"Authentication credentials were not '
                                             b'provided."}')

    def test_destroy_needs_an_admin_even_for_the_owner(self):
        self.assertReply(self.req("DELETE", self.path(self.alices), user="alice"), 403, FORBIDDEN)
        self.assertReply(self.req("DELETE", self.path(self.alices), user="bob"), 403, FORBIDDEN)
        self.assertEqual(self.server.sql("SELECT count(*) FROM products WHERE id = %d"
                                         % self.alices), [("1",)])

    def test_retrieve_is_open_to_readers(self):
        for user in (None, "bob"):
            reply = self.req("GET", self.path(self.alices), user=user)
            self.assertEqual((reply.status, reply.json()["name"]), (200, "Anvil"))


class EventsObjectPermissions(ServerTest):
    """Tickets: /api/seats/<pk>/ is [IsHolder] (retrieve, update);
    /api/tickets/<code>/ shows only the user's tickets and is
    [IsAuthenticated & IsHolder] (retrieve, destroy).  Events authenticate
    with DRF's defaults: Session and Basic."""
    spec = "events"
    VENUE = "11111111222233334444555555555555"
    ALICE_CODE = "aaaaaaaa-0000-4000-8000-000000000001"
    BOB_CODE = "bbbbbbbb-0000-4000-8000-000000000002"

    @classmethod
    def seed(cls):
        run = harness.sql_script(cls.server)
        run("INSERT INTO events_venue (id, name, city, capacity, latitude, longitude, manager_id)"
            " VALUES ('%s', 'Hall', 'Oslo', 100, NULL, NULL, NULL)" % cls.VENUE)
        run("INSERT INTO events_event (id, venue_id, title, kind, season, starts_at, price, "
            "sold_out, labels, attendance) VALUES (1, '%s', 'Gig', 3, '2027-01-01', "
            "'2027-01-02 20:00:00', '10.00', NULL, '[]', 0)" % cls.VENUE)
        for pk, holder, code in ((1, 1, cls.ALICE_CODE), (2, 2, cls.BOB_CODE)):
            run("INSERT INTO events_ticket (id, event_id, holder_id, code, seat, bought_at) "
                "VALUES (%d, 1, %d, '%s', 'A%d', '2027-01-01 10:00:00')"
                % (pk, holder, code.replace("-", ""), pk))

    def auth(self, user):
        u = self.server.users[user]
        return harness.basic(u.name, u.password)

    def test_retrieve_and_update_of_another_holders_ticket_are_403(self):
        reply = self.req("GET", "/api/seats/1/", headers=self.auth("alice"))
        self.assertEqual((reply.status, reply.json()["seat"]), (200, "A1"))
        self.assertReply(self.req("GET", "/api/seats/1/", headers=self.auth("bob")), 403,
                         FORBIDDEN)
        self.assertReply(self.req("PATCH", "/api/seats/1/", body={"seat": "A9"},
                                  headers=self.auth("bob")), 403, FORBIDDEN)
        self.assertUnchanged()

    def test_another_holders_ticket_is_not_even_found(self):
        for method in ("GET", "DELETE"):
            with self.subTest(method=method):
                self.assertReply(self.req(method, "/api/tickets/%s/" % self.ALICE_CODE,
                                          headers=self.auth("bob")), 404, NOT_FOUND)
        self.assertUnchanged()
        reply = self.req("GET", "/api/tickets/%s/" % self.BOB_CODE, headers=self.auth("bob"))
        self.assertEqual(reply.status, 200, reply)


class Tokens(ServerTest):
    """TokenAuthentication: the key matches exactly or not at all."""

    def test_only_the_exact_key_authenticates(self):
        key = USERS[0].token
        ok = self.req("GET", "/api/products/", headers={"Authorization": "Token " + key})
        self.assertEqual(ok.status, 200)
        for forged in (key[:-1], key[:20], key + "0", key.upper(), " " + key[1:], key[1:] + "a",
                       key.replace("a", "\u0430"), "%" , "*", key + "%00"):
            with self.subTest(forged=forged):
                reply = self.req("GET", "/api/products/",
                                 headers={"Authorization": ("Token " + forged).encode("utf-8")})
                self.assertEqual(reply.status, 401, reply)

    def test_the_keyword_is_case_insensitive_as_drf(self):
        key = USERS[0].token
        for keyword in ("token", "TOKEN", "ToKeN"):
            with self.subTest(keyword=keyword):
                reply = self.req("GET", "/api/products/",
                                 headers={"Authorization": keyword + " " + key})
                self.assertEqual(reply.status, 200, reply)


class Secrets(ServerTest):
    """Password hashes never appear in any response; a server error says
    nothing of its cause."""

    def hashes(self):
        return [h.encode() for (h,) in self.server.sql("SELECT password FROM auth_user")]

    def crawl(self, user):
        """Every GET and OPTIONS answer reachable from the API root."""
        replies = []
        root = self.req("GET", "/api/", user=user)
        replies.append(root)
        for url in root.json().values():
            path = urllib.parse.urlsplit(url).path
            for method in ("GET", "OPTIONS"):
                replies.append(self.req(method, path, user=user))
        return replies

    def test_no_response_holds_a_password_hash(self):
        create_products(self.server)
        hashes = self.hashes()
        self.assertTrue(all(h.startswith(b"pbkdf2_sha256$") for h in hashes))
        for user in (None, "alice", "root"):
            for reply in self.crawl(user):
                for h in hashes:
                    self.assertNotIn(h, reply.body)
                self.assertNotIn(b"pbkdf2", reply.body)

    def test_a_server_error_says_nothing_of_its_cause(self):
        # ReviewSerializer leaves product read-only and nothing sets it: the
        # INSERT fails (NOT NULL), as Django's IntegrityError, a 500.
        reply = self.req("POST", "/api/reviews/", user="alice", body={"rating": 4, "comment": "x"})
        self.assertReply(reply, 500, b'{"detail":"A server error occurred."}')


if __name__ == "__main__":
    harness.main()
