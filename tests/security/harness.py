"""Servers and raw HTTP for the security, fault and soak tests (issue 7).

    server = Server("shop", users=USERS)           # fresh SQLite database
    server = Server("shop", backend=cluster)       # fresh PostgreSQL database
    reply = server.request("GET", "/api/products/", user="alice")
    data = server.raw(b"GARBAGE\\r\\n\\r\\n")         # bytes in, bytes out
    server.stop()                                   # SIGTERM; the exit status

A server is a generated example binary ($RESTFLOW_BUILD, default build/,
then <spec>-server), set up through its management commands (migrate,
createuser, createtoken --key) and started with `serve --listen
127.0.0.1:0`; the port comes from its "listening on" line.  Its stderr goes
to a log file in its own directory, which the tests read (the access log,
errors).  $RESTFLOW_SERVER_WRAPPER, when set, is a command prefixed to
`serve` (never to the management commands): `make valgrind` runs the
servers under valgrind that way.

The harness builds nothing.  Standard library only.
"""
import base64
import http.client
import itertools
import json
import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.path.abspath(os.environ.get("RESTFLOW_BUILD", os.path.join(ROOT, "build")))
CLUSTER_SH = os.path.join(ROOT, "tests", "pg", "cluster.sh")
PSQL = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
JSON = "application/json"
SEPARATOR = "\x1f"     # psql's field separator: no value holds it


class User:
    def __init__(self, name, token, staff=False):
        self.name = name
        self.password = name + "-secret"
        self.token = token
        self.staff = staff


# Keys as DRF's Token.generate_key makes them: 40 lower-case hex digits.
USERS = [
    User("alice", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"),
    User("bob", "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"),
    User("root", "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f", staff=True),
]


_addresses = itertools.count(1)


def next_address():
    """A fresh client address from 10.0.0.0/8."""
    n = next(_addresses)
    return "10.%d.%d.%d" % (n >> 16 & 255, n >> 8 & 255, n & 255)


def binary(spec):
    path = os.path.join(BUILD, spec + "-server")
    if not os.access(path, os.X_OK):
        raise AssertionError("%s is not built (make)" % path)
    return path


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # lower-case name -> value
        self.body = body            # bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


# ---------------------------------------------------------------------------
# PostgreSQL


class Cluster:
    """A throwaway PostgreSQL cluster (tests/pg/cluster.sh) holding one
    fresh database per server.  $SECURITY_PG_URL names a running cluster to
    use instead (make starts one for all the suites); it cannot be stopped
    or destroyed from here."""

    def __init__(self, own=False):
        self.count = 0
        shared = None if own else os.environ.get("SECURITY_PG_URL")
        self.dir = None
        if shared:
            self.url = shared
            return
        self.dir = tempfile.mkdtemp(prefix="rf-security-pg-")
        os.chmod(self.dir, 0o711)       # the server runs as another user
        self.url = self._cluster("start")

    def _cluster(self, command):
        done = subprocess.run([CLUSTER_SH, command, self.dir], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise AssertionError("cluster.sh %s failed: %s" % (command, done.stderr))
        return done.stdout.strip()

    def stop(self):
        self._cluster("stop")

    def start(self):
        self._cluster("start")

    def destroy(self):
        if self.dir:
            self._cluster("destroy")

    def url_of(self, name):
        base, _, query = self.url.partition("?")
        return base[:base.rindex("/") + 1] + name + ("?" + query if query else "")

    def create_database(self):
        self.count += 1
        name = "sec_%d_%d" % (os.getpid(), self.count)
        self.psql(self.url, "CREATE DATABASE %s" % name)
        return self.url_of(name)

    @staticmethod
    def psql(url, sql):
        done = subprocess.run([PSQL, "-X", "-q", "-tA", "-F", SEPARATOR, "-v", "ON_ERROR_STOP=1",
                               "-d", url, "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
        if done.returncode != 0:
            raise AssertionError("psql failed: %s\n%s" % (sql, done.stderr))
        return done.stdout


class Redis:
    """A throwaway redis-server on a free port (the shared throttle store)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rf-security-redis-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("redis-server did not start")
                time.sleep(0.05)
        self.url = "redis://127.0.0.1:%d/0" % self.port

    def close(self):
        self.process.terminate()
        self.process.wait(20)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------
# Servers


class Server:
    """One generated server on a fresh database, with USERS and their tokens."""

    def __init__(self, spec, users=USERS, backend=None, args=(), workdir=None):
        self.spec = spec
        self.binary = binary(spec)
        self.users = {u.name: u for u in users}
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="rf-security-%s-" % spec)
        self.backend = backend
        if backend is None:
            self.db_file = os.path.join(self.workdir, spec + ".db")
            self.db_url = "sqlite:" + self.db_file
        else:
            self.db_file = None
            self.db_url = backend.create_database()
        self.db_args = ["--db", self.db_url] + self._extra_databases()
        self.manage("migrate")
        for u in users:
            self.manage("createuser", u.name, "--password", u.password,
                        *(["--staff"] if u.staff else []))
            self.manage("createtoken", u.name, "--key", u.token)
        self.log_path = os.path.join(self.workdir, "server.log")
        self.args = list(args)
        self.process = None
        self.start()

    def _extra_databases(self):
        """The blog keeps page views in a second database ("analytics")."""
        if self.spec != "blog":
            return []
        if self.backend is None:
            return ["--db", "analytics=sqlite:" + os.path.join(self.workdir, "analytics.db")]
        return ["--db", "analytics=" + self.backend.create_database()]

    def manage(self, *args):
        done = subprocess.run([self.binary, *args, *self.db_args], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise AssertionError("%s %s failed: %s" % (self.spec, " ".join(args), done.stderr))
        return done.stdout

    def start(self):
        wrapper = shlex.split(os.environ.get("RESTFLOW_SERVER_WRAPPER", ""))
        self.log = open(self.log_path, "a")
        # A process group of its own: with --workers N the supervisor forks,
        # and close() must reach the workers too.
        self.process = subprocess.Popen(
            [*wrapper, self.binary, "serve", "--listen", "127.0.0.1:0", *self.db_args,
             *self.args], stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            start_new_session=True)
        line = self.wait_for_log(r"listening on http://127\.0\.0\.1:(\d+)/", timeout=120)
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)/", line).group(1))

    def log_lines(self):
        with open(self.log_path, errors="replace") as f:
            return f.read().splitlines()

    def wait_for_log(self, pattern, timeout=20, after=0):
        """The first log line (from index `after`) matching pattern."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.log_lines()
            for line in lines[after:]:
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                raise AssertionError("%s-server exited (%s) without %r:\n%s"
                                     % (self.spec, self.process.returncode, pattern,
                                        "\n".join(lines[-20:])))
            if time.monotonic() > deadline:
                raise AssertionError("no %r in the log:\n%s" % (pattern, "\n".join(lines[-20:])))
            time.sleep(0.02)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Signal the server and wait: its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is not None:
                self.log.close()

    def close(self):
        """Stop the server as an operator would (SIGTERM), then make sure no
        process of its group is left."""
        if self.process and self.process.poll() is None:
            try:
                self.stop(signal.SIGTERM, timeout=30)
            except subprocess.TimeoutExpired:
                pass
        if self.process:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self.log.close()
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def alive(self):
        return self.process.poll() is None

    # -- HTTP ---------------------------------------------------------------

    def auth(self, user):
        return {"Authorization": "Token " + self.users[user].token} if user else {}

    def connect(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, user=None, headers=None, conn=None,
                timeout=30):
        """One request; a JSON body for dicts and lists, bytes or str as is.
        Each comes from an address of its own (X-Forwarded-For, which the
        anonymous throttles key on) unless headers name one."""
        all_headers = dict(self.auth(user))
        all_headers["X-Forwarded-For"] = next_address()
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            all_headers["Content-Type"] = JSON
        if isinstance(body, str):
            body = body.encode()
        all_headers.update(headers or {})
        own = conn is None
        conn = conn or self.connect(timeout)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            r = conn.getresponse()
            return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            if own:
                conn.close()

    def raw(self, data, timeout=10):
        """Send bytes on a fresh connection; everything read until the server
        closes it (or the timeout, which appends b'<timeout>')."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            return read_all(s)

    # -- The database -------------------------------------------------------

    def sql(self, query):
        """Rows of a query on the server's default database, as text tuples."""
        if self.db_file:
            with sqlite3.connect(self.db_file, timeout=30) as db:
                return [tuple("" if v is None else str(v) for v in row)
                        for row in db.execute(query)]
        out = Cluster.psql(self.db_url, query)
        return [tuple(line.split(SEPARATOR)) for line in out.splitlines() if line]


def sql_script(server):
    """A function running one writing statement on the server's default
    database (fixtures that no endpoint can make)."""
    def run(statement):
        if server.db_file:
            with sqlite3.connect(server.db_file, timeout=30) as db:
                db.execute(statement)
        else:
            Cluster.psql(server.db_url, statement)
    return run


def read_all(sock):
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return out
            out += chunk
    except socket.timeout:
        return out + b"<timeout>"
    except ConnectionResetError:
        return out + b"<reset>"


def status_of(raw_reply):
    """The status code of a raw reply's first status line, or None."""
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", raw_reply)
    return int(m.group(1)) if m else None


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (user, password)).encode()).decode()}


def snapshot(server):
    """Every table of the server's default database and its rows, to compare
    before and after an attack: {table: sorted rows as text}."""
    if server.db_file:
        tables = [t for (t,) in server.sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    else:
        tables = [t for (t,) in server.sql(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' ORDER BY table_name")]
    return {t: sorted(server.sql('SELECT * FROM "%s"' % t)) for t in tables}


# What an error body must never show: SQL, the databases' messages, file
# paths, stack traces, password hashes.
LEAKS = [b"SELECT", b"INSERT", b"UPDATE ", b"DELETE ", b"sqlite", b"SQLITE", b"syntax error",
         b"constraint", b"postgres", b"ERROR:", b"Traceback", b"/work/", b"/tmp/", b".c:",
         b"pbkdf2_sha256", b"auth_user", b"authtoken"]


def leaks(body):
    """The LEAKS found in a response body."""
    return [marker for marker in LEAKS if marker in body]


# The PostgreSQL cluster of a suite run with SECURITY_BACKEND=postgres (the
# servers' backend), else None: SQLite files.
BACKEND = None


def main():
    """unittest.main() for a suite, on PostgreSQL when SECURITY_BACKEND is
    "postgres"."""
    global BACKEND
    if os.environ.get("SECURITY_BACKEND") == "postgres":
        BACKEND = Cluster()
    try:
        unittest.main(module="__main__")
    finally:
        if BACKEND:
            BACKEND.destroy()
