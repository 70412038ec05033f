"""Concurrency against running generated servers: nothing lost, nothing
mixed, limits exact.

    /usr/bin/python3 tests/security/test_concurrency.py [-v] [-k PATTERN]
    SECURITY_BACKEND=postgres ...  (a throwaway PostgreSQL cluster)

- many concurrent creates are all stored, each once, as sent;
- racing creates of one unique value (a blog post's slug): exactly one 201,
  DRF's 400 for every other, one row;
- concurrent updates of one row leave it as one of the updates wrote it,
  never a mix of two;
- a throttle under a concurrent burst lets exactly its rate through, in
  one worker's in-process store and across two workers sharing Redis.

Requests start together behind a barrier, from many threads (and so many
connections).  Standard library only.
"""
import concurrent.futures
import threading
import unittest

import harness
from harness import Server



def together(n, fn):
    """fn(i) for i in range(n), from n threads released at once: results."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        return fn(i)

    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


class ServerTest(unittest.TestCase):
    spec = "shop"

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.spec, backend=harness.BACKEND, args=("--no-access-log",))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def statuses(self, replies):
        return sorted(r.status for r in replies)


class Creates(ServerTest):
    def test_concurrent_creates_are_all_stored(self):
        n, rounds = 32, 4

        def create(i):
            return [self.server.request("POST", "/api/products/", user="alice",
                                        body={"name": "p%d-%d" % (i, k), "price": "%d.%02d" % (i, k),
                                              "is_top": True}) for k in range(rounds)]

        replies = [r for batch in together(n, create) for r in batch]
        self.assertEqual(self.statuses(replies), [201] * (n * rounds))
        ids = [r.json()["id"] for r in replies]
        self.assertEqual(len(set(ids)), n * rounds)
        stored = self.server.sql("SELECT id, name, price FROM products ORDER BY id")
        self.assertEqual(len(stored), n * rounds)
        sent = {r.json()["id"]: (r.json()["name"], r.json()["price"]) for r in replies}
        for pk, name, price in stored:
            self.assertEqual(sent[int(pk)][0], name)
            self.assertEqual(float(sent[int(pk)][1]), float(price))


class UniqueRace(ServerTest):
    """Blog posts: slug is unique (a UniqueValidator), ann has an author row."""
    spec = "blog"
    TAKEN = b'{"slug":["post with this slug already exists."]}'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        harness.sql_script(cls.server)(
            "INSERT INTO blog_author (id, user_id, slug, display_name, bio, website, joined) "
            "VALUES (1, 1, 'alice', 'Alice', '', '', '2024-01-01')")

    def test_racing_duplicates_give_one_201_and_drf_400s(self):
        n = 16
        for round_ in range(5):
            slug = "race-%d" % round_
            replies = together(n, lambda i: self.server.request(
                "POST", "/api/posts/", user="alice",
                body={"slug": slug, "title": "Racer %d" % i, "body": "", "status": "draft"}))
            with self.subTest(slug=slug):
                self.assertEqual(self.statuses(replies), [201] + [400] * (n - 1), replies)
                for r in replies:
                    if r.status == 400:
                        self.assertEqual(r.body, self.TAKEN)
                winner = [r.json()["title"] for r in replies if r.status == 201][0]
                self.assertEqual(self.server.sql(
                    "SELECT title FROM blog_posts WHERE slug = '%s'" % slug), [(winner,)])


class Updates(ServerTest):
    def test_concurrent_updates_never_mix_a_row(self):
        created = self.server.request("POST", "/api/products/", user="alice",
                                      body={"name": "start", "description": "begin",
                                            "price": "9.99", "is_top": True})
        pk = created.json()["id"]
        n = 16
        for round_ in range(3):     # 48 updates: within the 60/min of Burst
            pairs = [("name-%d-%d" % (round_, i), "description-%d-%d" % (round_, i))
                     for i in range(n)]
            replies = together(n, lambda i: self.server.request(
                "PATCH", "/api/products/%d/" % pk, user="alice",
                body={"name": pairs[i][0], "description": pairs[i][1]}))
            self.assertEqual(self.statuses(replies), [200] * n)
            row = self.server.sql("SELECT name, description, price FROM products WHERE id = %d"
                                  % pk)
            self.assertEqual(len(row), 1)
            self.assertIn(row[0][:2], pairs)
            self.assertEqual(float(row[0][2]), 9.99)


class Throttles(ServerTest):
    """Products: Burst, a UserRateThrottle of 60/min, in the default store
    (in-process: exact with the one worker SQLite gets by default)."""
    RATE = 60

    @classmethod
    def setUpClass(cls):
        if harness.BACKEND:
            # PostgreSQL defaults to a worker per CPU, each counting alone.
            cls.server = Server(cls.spec, backend=harness.BACKEND, args=("--no-access-log",
                                                                 "--workers", "1"))
        else:
            super().setUpClass()

    def assertExactBurst(self, replies):
        self.assertEqual(self.statuses(replies), [200] * self.RATE + [429] * (100 - self.RATE))
        for r in replies:
            if r.status == 429:
                self.assertRegex(r.text(), r'^\{"detail":"Request was throttled\. Expected '
                                           r'available in \d+ seconds?\."\}$')

    def test_a_burst_lets_exactly_the_rate_through_per_user(self):
        self.assertExactBurst(together(100, lambda i: self.server.request(
            "GET", "/api/products/", user="alice")))

    def test_a_burst_lets_exactly_the_rate_through_per_address(self):
        address = {"X-Forwarded-For": "198.51.100.7"}
        self.assertExactBurst(together(100, lambda i: self.server.request(
            "GET", "/api/products/", headers=address)))


class SharedThrottles(Throttles):
    """The same burst on two workers sharing the Redis store: one limit."""

    @classmethod
    def setUpClass(cls):
        cls.redis = harness.Redis()
        cls.server = Server(cls.spec, backend=harness.BACKEND, args=(
            "--no-access-log", "--workers", "2", "--throttle-store", cls.redis.url))

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.redis.close()


if __name__ == "__main__":
    harness.main()
