"""The end-to-end harness: a real server on a free port, real HTTP.

A suite (tests/e2e/<spec>/test_<spec>.py) is a set of unittest classes.  Each
class gets a server of its own, started on a fresh database with the suite's
users, so ids, throttle histories and row counts start from nothing:

    class Listing(e2e.ServerTest):
        def test_first_page(self):
            r = self.get("/api/products/", user="alice")
            self.assertReply(r, 200, {"count": 0, ...})

    if __name__ == "__main__":
        e2e.main(SPEC, USERS)

Command line (what mk/e2e.mk runs):

    test_shop.py --server build/shop-server [--backend sqlite|postgres] [-k PATTERN] [-v]
    test_shop.py --drf [-k PATTERN]

--server: the generated binary, through its management commands
(`migrate`, `createuser`, `createtoken --key`) and `serve --listen
127.0.0.1:0` (the port is read from the "listening on" line).  With
--backend postgres every server gets fresh databases in the cluster whose
URL is in $E2E_PG_URL (tests/pg/cluster.sh start prints one).

--drf: the same suite against the spec's DRF twin (tests/drf/run.sh), to
prove the expectations are DRF's.  Tests of what only restflow has
(@restflow_only: management commands, PostgreSQL, concurrency of blocking
hooks, deliberate differences) are skipped there.

The harness builds nothing.  Standard library only.
"""
import argparse
import atexit
import base64
import functools
import http.client
import itertools
import json
import math
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DRF_RUN = os.path.join(ROOT, "tests", "drf", "run.sh")
PSQL = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"

JSON = "application/json"
# A server-clock timestamp in an expected body (auto_now, auto_now_add).
NOW = "\x00now\x00"
NOW_PATTERN = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z"


class Settings:
    """What the command line chose; one per process."""
    spec = None
    users = []
    databases = []         # aliases besides "default"
    binary = None          # --server
    drf = False            # --drf
    backend = "sqlite"
    pg_url = None
    keep = False


SETTINGS = Settings()


def restflow_only(why):
    """A test (or test class) of what the DRF twin does not have, or answers
    otherwise on purpose (docs/differential.md): skipped with --drf.  Decided
    when the test runs, after the command line was read."""
    def mark(target):
        if isinstance(target, type):
            target.restflow_only = why
            return target

        @functools.wraps(target)
        def test(self, *args, **kwargs):
            if SETTINGS.drf:
                raise unittest.SkipTest("restflow only: " + why)
            return target(self, *args, **kwargs)
        return test
    return mark


def backend_only(backend, why):
    """A test of a restflow server on one backend (decided at run time)."""
    def mark(test):
        @functools.wraps(test)
        def run(self, *args, **kwargs):
            if SETTINGS.drf or SETTINGS.backend != backend:
                raise unittest.SkipTest("%s only: %s" % (backend, why))
            return test(self, *args, **kwargs)
        return run
    return mark


def postgres_only(why):
    return backend_only("postgres", why)


def sqlite_only(why):
    return backend_only("sqlite", why)


# ---------------------------------------------------------------------------
# Replies


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # lower-case name -> value (last one wins)
        self.body = body            # bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<%d %s %r>" % (self.status, self.headers, self.body[:400])


def render(value):
    """DRF's JSONRenderer output for a Python value: compact, UTF-8 not
    escaped but for U+2028 and U+2029."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def body_pattern(value):
    """A regular expression of the exact bytes expected: render(value) with
    every NOW replaced by an ISO 8601 UTC timestamp."""
    text = render(value)
    marker = render(NOW)[1:-1]          # NOW as json.dumps escapes it
    parts = [re.escape(p) for p in text.split(marker)]
    return "^" + NOW_PATTERN.join(parts) + "$"


# ---------------------------------------------------------------------------
# Servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_file(default_file, alias):
    """The SQLite file of database `alias` beside the default one (the
    differential suite's and the twins' convention)."""
    if alias == "default":
        return default_file
    stem, extension = os.path.splitext(default_file)
    return "%s-%s%s" % (stem, alias, extension)


class PgCluster:
    """Fresh databases in the throwaway cluster at SETTINGS.pg_url."""
    counter = itertools.count(1)

    @staticmethod
    def url_of(name):
        base, _, query = SETTINGS.pg_url.partition("?")
        head = base[:base.rindex("/") + 1]
        return head + name + ("?" + query if query else "")

    dropped = []

    @classmethod
    def create(cls, template=None):
        number = next(cls.counter)
        if number == 1:
            atexit.register(cls.drop_all)     # first registered, last run
        name = "e2e_%d_%d" % (os.getpid(), number)
        psql(SETTINGS.pg_url, "CREATE DATABASE %s%s" % (name, " TEMPLATE " + template if template else ""))
        return name

    @classmethod
    def drop(cls, name):
        """Dropped at exit (a DROP DATABASE costs a checkpoint, half a
        second here), or never when the whole cluster goes after the run
        ($E2E_PG_THROWAWAY, as mk/e2e.mk sets)."""
        cls.dropped.append(name)

    @classmethod
    def drop_all(cls):
        if os.environ.get("E2E_PG_THROWAWAY"):
            return
        for name in cls.dropped:
            psql(SETTINGS.pg_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


def psql(url, sql):
    done = subprocess.run([PSQL, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise AssertionError("psql failed: %s\n%s" % (sql, done.stderr))
    return done.stdout


class Databases:
    """The databases one server runs on: "default" and the spec's others,
    fresh, or copied from a template set."""

    def __init__(self, directory, template=None):
        self.directory = directory
        self.pg_names = {}
        self.args = []
        for alias in ["default"] + SETTINGS.databases:
            if SETTINGS.backend == "postgres":
                self.pg_names[alias] = PgCluster.create(template and template.pg_names[alias])
                url = PgCluster.url_of(self.pg_names[alias])
            else:
                path = self.sqlite_file(alias)
                if template:
                    for suffix in ("", "-wal"):
                        if os.path.exists(template.sqlite_file(alias) + suffix):
                            shutil.copyfile(template.sqlite_file(alias) + suffix, path + suffix)
                url = "sqlite:" + path
            self.args += ["--db", url if alias == "default" else "%s=%s" % (alias, url)]

    def sqlite_file(self, alias):
        return database_file(os.path.join(self.directory, "e2e.db"), alias)

    def drop(self):
        for name in self.pg_names.values():
            PgCluster.drop(name)
        self.pg_names.clear()

    def sql(self, statements, db="default"):
        """Fixture SQL on one of the databases (timestamps in UTC)."""
        if SETTINGS.backend == "postgres":
            psql(PgCluster.url_of(self.pg_names[db]), "SET TIME ZONE 'UTC';\n" + statements)
        else:
            sqlite_exec(self.sqlite_file(db), statements)


def manage(db_args, *args):
    """A management command of the server binary: (status, stdout, stderr)."""
    done = subprocess.run([SETTINGS.binary, *args, *db_args], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return done.returncode, done.stdout, done.stderr


def must(db_args, *args):
    status, out, err = manage(db_args, *args)
    if status != 0:
        raise AssertionError("%s %s: status %d\n%s%s" % (
            SETTINGS.binary, " ".join(args), status, out, err))
    return out


_seeded = []


def seeded_template():
    """Databases migrated and seeded with the suite's users through the
    server's own commands (migrate, createuser, createtoken --key), once per
    run: every server starts on a copy, so that a class pays a file copy
    (SQLite) or CREATE DATABASE ... TEMPLATE (PostgreSQL), not six password
    hashes.  The commands themselves are tested on live servers (the
    suites' Management classes)."""
    if not _seeded:
        template = Databases(tempfile.mkdtemp(prefix="e2e-template-"))
        _seeded.append(template)
        atexit.register(lambda: (template.drop(), shutil.rmtree(template.directory, True)))
        must(template.args, "migrate")
        for user in SETTINGS.users:
            must(template.args, "createuser", user["username"], "--password", user["password"],
                 *(["--staff"] if user.get("staff") else []))
            if user.get("token"):
                must(template.args, "createtoken", user["username"], "--key", user["token"])
    return _seeded[0]


class RestflowServer:
    """A generated server on a copy of the seeded databases."""

    def __init__(self, workdir, extra_args=()):
        self.workdir = workdir
        self.extra_args = list(extra_args)
        self.process = None
        self.log = os.path.join(workdir, "server.log")
        self.databases = Databases(workdir, seeded_template())
        self.db_args = self.databases.args
        self.pg_names = self.databases.pg_names

    def manage(self, *args):
        """A management command on this server's databases: (status, stdout, stderr)."""
        return manage(self.db_args, *args)

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [SETTINGS.binary, "serve", "--listen", "127.0.0.1:0", "--workers", "1",
                 *self.db_args, *self.extra_args],
                stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        self.port = self._wait_for_port()
        self.base_url = "http://127.0.0.1:%d" % self.port

    def _wait_for_port(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", f.read())
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                raise AssertionError("the server exited (status %d) during start-up:\n%s"
                                     % (self.process.returncode, self.log_text()))
            time.sleep(0.02)
        raise AssertionError("the server did not listen within %d s:\n%s"
                             % (timeout, self.log_text()))

    def log_text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.databases.drop()

    def sql(self, statements, db="default"):
        self.databases.sql(statements, db)


class DrfServer:
    """The spec's DRF twin (tests/drf/<spec>) on a fresh SQLite file."""

    def __init__(self, workdir, extra_args=()):
        if extra_args:
            raise unittest.SkipTest("server options are restflow's")
        self.workdir = workdir
        self.db_file = os.path.join(workdir, "drf.db")
        self.pid = None

    def start(self):
        users = os.path.join(self.workdir, "users.json")
        with open(users, "w", encoding="utf-8") as f:
            json.dump(SETTINGS.users, f)
        port = free_port()
        done = subprocess.run([DRF_RUN, SETTINGS.spec, str(port), self.db_file, users],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise AssertionError("tests/drf/run.sh failed:\n" + done.stderr)
        self.pid = int(done.stdout.split()[-1])
        self.port = port
        self.base_url = "http://127.0.0.1:%d" % port

    def stop(self):
        if self.pid is not None:
            subprocess.run([DRF_RUN, "stop", str(self.pid)])
            self.pid = None

    def log_text(self):
        with open(self.db_file + ".log", encoding="utf-8", errors="replace") as f:
            return f.read()

    def sql(self, statements, db="default"):
        return sqlite_exec(database_file(self.db_file, db), statements)


def sqlite_exec(path, statements):
    connection = sqlite3.connect(path, timeout=30)
    try:
        cursor = connection.cursor()
        cursor.executescript(statements)
        connection.commit()
    finally:
        connection.close()


def new_server(workdir, extra_args=()):
    return (DrfServer if SETTINGS.drf else RestflowServer)(workdir, extra_args)


# ---------------------------------------------------------------------------
# Tests


class ServerTest(unittest.TestCase):
    """A test class with a server of its own (started once for the class)."""
    maxDiff = None
    server_args = ()          # extra `serve` options for this class
    fixture = None            # SQL run on the default database before the tests
    clients = itertools.count(1)

    restflow_only = None      # why, when the whole class is (see restflow_only)

    @classmethod
    def setUpClass(cls):
        if SETTINGS.drf and cls.restflow_only:
            raise unittest.SkipTest("restflow only: " + cls.restflow_only)
        cls.workdir = tempfile.mkdtemp(prefix="e2e-%s-" % SETTINGS.spec)
        cls.server = new_server(cls.workdir, cls.server_args)
        try:
            cls.server.start()
            if cls.fixture:
                cls.server.sql(cls.fixture)
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        if not SETTINGS.keep:
            shutil.rmtree(cls.workdir, ignore_errors=True)

    def setUp(self):
        # Every test is its own anonymous client: anonymous throttles count
        # per X-Forwarded-For (198.18.0.0/15 is for testing).
        self.client_ip = "198.18.%d.%d" % divmod(next(self.clients), 256)
        self.started = time.monotonic()

    # -- requests

    def url(self, path):
        """The absolute URL the server builds for path (pagination links,
        the API root)."""
        return self.server.base_url + path

    def request(self, method, path, user=None, basic=None, json_body=None, body=None,
                content_type=None, headers=None, timeout=60):
        """One request on a connection of its own.  user: that user's token;
        basic: (name, password); headers: added, or removed with None."""
        head = {"X-Forwarded-For": self.client_ip}
        if user is not None:
            head["Authorization"] = "Token " + token_of(user)
        if basic is not None:
            raw = ("%s:%s" % basic).encode("utf-8")
            head["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        if json_body is not None:
            body = json.dumps(json_body)
            content_type = content_type or JSON
        if isinstance(body, str):
            body = body.encode("utf-8")
        if content_type is not None:
            head["Content-Type"] = content_type
        head.update(headers or {})
        head = {k: v for k, v in head.items() if v is not None}
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            if body is not None or method in ("POST", "PUT", "PATCH"):
                head.setdefault("Content-Length", str(len(body or b"")))
            for name, value in head.items():
                conn.putheader(name, value)
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            headers_out = {k.lower(): v for k, v in response.getheaders()}
            return Reply(response.status, headers_out, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request("POST", path, json_body=json_body, **kw)

    def put(self, path, json_body=None, **kw):
        return self.request("PUT", path, json_body=json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        return self.request("PATCH", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)

    # -- assertions

    def assertReply(self, reply, status, body=None, headers=None, raw=None):
        """Exact status; exact body (a Python value rendered as DRF renders
        it, NOW for a server-clock timestamp; or raw bytes); and each
        header given (None: absent).  A JSON body always carries
        Content-Type: application/json."""
        context = "%r" % reply
        self.assertEqual(reply.status, status, context)
        if raw is not None:
            self.assertEqual(reply.body, raw, context)
        elif body is not None:
            text = reply.body.decode("utf-8", errors="replace")
            if not re.match(body_pattern(body), text, re.S):
                self.assertEqual(text, render(body).replace(render(NOW)[1:-1], "<now>"),
                                 "status %d" % status)
            self.assertEqual(reply.headers.get("content-type"), JSON, context)
        for name, value in (headers or {}).items():
            self.assertEqual(reply.headers.get(name.lower()), value,
                             "header %s of %r" % (name, reply))

    def assertDetail(self, reply, status, detail, headers=None):
        self.assertReply(reply, status, {"detail": detail}, headers)

    def assertThrottled(self, reply, seconds):
        """429 with DRF's text and Retry-After.  The wait counts down from
        the first request of the window, which this test sent: it is
        `seconds` less the whole seconds the test has taken so far (one
        more for rounding), never more."""
        self.assertEqual(reply.status, 429, reply)
        wait = int(reply.headers.get("retry-after", "0"))
        taken = math.ceil(time.monotonic() - self.started)
        self.assertTrue(seconds - taken - 1 <= wait <= seconds,
                        "wait %d of %d after %d s" % (wait, seconds, taken))
        unit = "second" if wait == 1 else "seconds"
        self.assertDetail(reply, 429, "Request was throttled. Expected available in %d %s."
                          % (wait, unit), {"Retry-After": str(wait)})


def token_of(username):
    for user in SETTINGS.users:
        if user["username"] == username:
            return user["token"]
    raise KeyError(username)


# ---------------------------------------------------------------------------
# Running


def private_copy(binary, tries=20):
    """A copy of the server binary that this run alone uses: in a checkout
    shared with others, a `make` elsewhere may rewrite build/<spec>-server
    while the suite runs.  Copied again while the original is being
    written (the copy must answer --help)."""
    if not os.access(binary, os.X_OK):
        sys.exit("e2e: no executable server at %s (build it first)" % binary)
    directory = tempfile.mkdtemp(prefix="e2e-bin-")
    atexit.register(shutil.rmtree, directory, True)
    copy = os.path.join(directory, os.path.basename(binary))
    for _ in range(tries):
        try:
            shutil.copy2(binary, copy)
            if subprocess.run([copy, "--help"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                return copy
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("e2e: %s does not run (--help failed)" % binary)


def main(spec, users, databases=()):
    parser = argparse.ArgumentParser(description="end-to-end suite of the %s spec" % spec)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--server", help="the generated <spec>-server binary")
    target.add_argument("--drf", action="store_true", help="run against the DRF twin")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("-k", dest="patterns", action="append", default=[],
                        help="only tests whose name matches (unittest -k)")
    parser.add_argument("-v", dest="verbosity", action="count", default=1)
    parser.add_argument("--keep", action="store_true", help="keep the servers' directories")
    args = parser.parse_args()
    SETTINGS.spec = spec
    SETTINGS.users = users
    SETTINGS.databases = list(databases)
    SETTINGS.drf = args.drf
    SETTINGS.binary = os.path.abspath(args.server) if args.server else None
    SETTINGS.backend = "sqlite" if args.drf else args.backend
    SETTINGS.keep = args.keep
    if SETTINGS.binary:
        SETTINGS.binary = private_copy(SETTINGS.binary)
    if SETTINGS.backend == "postgres":
        SETTINGS.pg_url = os.environ.get("E2E_PG_URL")
        if not SETTINGS.pg_url:
            sys.exit("e2e: --backend postgres needs E2E_PG_URL (tests/pg/cluster.sh start)")
    loader = unittest.TestLoader()
    loader.testNamePatterns = ["*%s*" % p for p in args.patterns] or None
    suite = loader.loadTestsFromModule(sys.modules["__main__"])
    started = time.monotonic()
    result = unittest.TextTestRunner(verbosity=args.verbosity).run(suite)
    # A class whose server did not start fails as one (its tests never ran).
    broken = result.failures + result.errors
    failed = len(broken) + len(result.unexpectedSuccesses)
    failed_tests = sum(isinstance(test, unittest.TestCase) for test, _ in broken)
    passed = result.testsRun - failed_tests - len(result.unexpectedSuccesses) - len(result.skipped)
    print("e2e %s on %s: %.1f s" % (spec, "drf" if args.drf else SETTINGS.backend,
                                    time.monotonic() - started))
    # The plain closing line that test reports read.
    print("%s: %d passed, %d failed, %d skipped" % (spec, passed, failed, len(result.skipped)))
    sys.exit(0 if failed == 0 else 1)
