"""Faults against running generated servers (the shop example): the server
keeps answering clearly, loses nothing and needs no restart.

    /usr/bin/python3 tests/faults/test_faults.py [-v] [-k PATTERN]
    FAULTS_LONG=1 ...   also the slow cases (a SQLite lock held past every
                        retry: about 25 s)

- SIGTERM under load: in-flight requests finish, the process exits 0, every
  create that was answered 201 is stored and nothing else is, and SQLite's
  integrity check passes.
- PostgreSQL stopped and started again under load: 503 (never 500) while
  it is down, 200 again once it is back, from the same server process.
- SQLite busy (another process holds the write lock): writers wait and
  succeed; past the retries they get 503, never 500.
- Arena exhaustion (--max-request-memory): that request gets 503, the
  server lives and answers the next one.

Standard library only (the harness is tests/security/harness.py).
"""
import os
import signal
import sqlite3
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "security"))
import harness  # noqa: E402
from harness import Server  # noqa: E402

UNAVAILABLE = b'{"detail":"Service temporarily unavailable."}'
ARENA_503 = b'{"detail":"Service temporarily unavailable, try again later."}'
LONG = os.environ.get("FAULTS_LONG") == "1"


class Load:
    """Threads sending requests until stopped; every reply (or the error
    that ended the connection) is kept."""

    def __init__(self, server, threads, make_request):
        self.server = server
        self.make_request = make_request
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.replies = []
        self.errors = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self, i):
        n = 0
        while not self.stopping.is_set():
            n += 1
            try:
                reply = self.make_request(i, n)
            except OSError as e:          # refused or reset: the server is going
                with self.lock:
                    self.errors.append(e)
                time.sleep(0.01)
                continue
            with self.lock:
                self.replies.append((time.monotonic(), reply))

    def count(self):
        with self.lock:
            return len(self.replies)

    def wait_for(self, n, timeout=60):
        deadline = time.monotonic() + timeout
        while self.count() < n:
            if time.monotonic() > deadline:
                raise AssertionError("the load got only %d replies" % self.count())
            time.sleep(0.02)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(60)
        return self.replies


def create(server, i, n):
    return server.request("POST", "/api/products/", user="alice",
                          body={"name": "w%d-%d" % (i, n), "price": "1.00", "is_top": True})


class Sigterm(unittest.TestCase):
    def test_sigterm_under_load_drains_and_loses_nothing(self):
        server = Server("shop", args=("--no-access-log",))
        try:
            load = Load(server, 8, lambda i, n: create(server, i, n))
            load.wait_for(100)
            self.assertEqual(server.stop(signal.SIGTERM), 0)
            replies = [r for _, r in load.stop()]
            self.assertEqual({r.status for r in replies}, {201})
            answered = sorted(r.json()["name"] for r in replies)
            stored = sorted(name for (name,) in server.sql("SELECT name FROM products"))
            self.assertEqual(stored, answered)
            self.assertEqual(server.sql("PRAGMA integrity_check"), [("ok",)])
        finally:
            server.close()


class SqliteBusy(unittest.TestCase):
    """Another process holds SQLite's write lock on the server's file."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("shop", args=("--no-access-log",))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def hold_write_lock(self, seconds):
        db = sqlite3.connect(self.server.db_file, timeout=30, isolation_level=None,
                             check_same_thread=False)   # released by the timer thread
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO products (name, description, price, is_top, owner_id, "
                   "created_at, updated_at) VALUES ('held', '', 1, 0, NULL, "
                   "'2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        timer = threading.Timer(seconds, lambda: (db.execute("ROLLBACK"), db.close()))
        timer.start()
        return timer

    def test_writers_wait_for_a_short_lock_and_succeed(self):
        timer = self.hold_write_lock(1.5)
        replies = [None] * 4
        threads = [threading.Thread(target=lambda i=i: replies.__setitem__(
            i, create(self.server, i, 0))) for i in range(4)]
        for t in threads:
            t.start()
        # Readers are not blocked by a writer (WAL).
        self.assertEqual(self.server.request("GET", "/api/products/").status, 200)
        for t in threads:
            t.join(60)
        timer.join()
        self.assertEqual([r.status for r in replies], [201] * 4)

    # Only in `make faults-long`: SQLite's busy handler waits 5 s three times
    # (runtime/db_sqlite.c, not configurable): 25 s of idle waiting, more
    # than the rest of this suite takes (docs/security.md, "Faults").
    @unittest.skipUnless(LONG, "make faults-long (FAULTS_LONG=1): holds the lock past "
                               "every retry, about 25 s")
    def test_a_lock_held_past_the_retries_is_503_never_500(self):
        timer = self.hold_write_lock(25)
        reply = create(self.server, 99, 0)
        self.assertEqual((reply.status, reply.body), (503, UNAVAILABLE))
        timer.join()
        self.assertEqual(create(self.server, 99, 1).status, 201)


class ArenaExhaustion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("shop", args=("--no-access-log", "--max-request-memory", "512K"))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_a_request_past_the_arena_limit_is_503_and_the_server_lives(self):
        reply = self.server.request("POST", "/api/products/", user="alice",
                                    body={"name": "big", "description": "x" * 600000,
                                          "price": "1.00", "is_top": True})
        self.assertEqual((reply.status, reply.body), (503, ARENA_503))
        reply = create(self.server, 0, 0)
        self.assertEqual(reply.status, 201, reply)
        self.assertEqual(self.server.request("GET", "/api/products/").status, 200)

    def test_a_refused_create_stores_nothing(self):
        before = self.server.sql("SELECT count(*) FROM products")
        reply = self.server.request("POST", "/api/products/", user="alice",
                                    body={"name": "huge", "description": "y" * 600000,
                                          "price": "1.00", "is_top": True})
        self.assertEqual(reply.status, 503)
        self.assertEqual(self.server.sql("SELECT count(*) FROM products"), before)


class PostgresRestart(unittest.TestCase):
    """The cluster is stopped and started again while requests flow."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.Cluster(own=True)     # stopped and started: not a shared one
        cls.server = Server("shop", backend=cls.cluster, args=("--no-access-log", "--workers", "1"))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.cluster.destroy()

    def test_an_outage_gives_503_then_recovery_without_a_restart(self):
        load = Load(self.server, 4, lambda i, n: self.server.request("GET", "/api/products/"))
        load.wait_for(20)
        self.cluster.stop()
        down_at = time.monotonic()
        time.sleep(1)
        during = create(self.server, 0, 0)
        self.cluster.start()
        up_at = time.monotonic()
        self.wait_until_served(load, up_at)
        replies = load.stop()
        self.assertEqual((during.status, during.body), (503, UNAVAILABLE))
        statuses = {r.status for _, r in replies}
        self.assertEqual(statuses, {200, 503}, statuses)
        for _, r in replies:
            if r.status == 503:
                self.assertEqual(r.body, UNAVAILABLE)
        self.assertTrue(any(r.status == 503 for t, r in replies if down_at < t < up_at))
        self.assertTrue(self.server.alive())
        self.assertEqual(create(self.server, 0, 1).status, 201)

    def wait_until_served(self, load, since, timeout=60):
        """Until the load gets 200s again after `since`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with load.lock:
                if sum(1 for t, r in load.replies if t > since and r.status == 200) >= 10:
                    return
            time.sleep(0.1)
        raise AssertionError("no recovery within %d s" % timeout)


if __name__ == "__main__":
    unittest.main()
