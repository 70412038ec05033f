"""The two servers a differential run compares ("sides").

A side is named on the command line:
  drf                  the DRF twin of the spec (tests/drf/<spec>), started
                       with tests/drf/run.sh on a free port and a fresh
                       SQLite file, users seeded with seed_auth;
  restflow=PATH        a generated server binary (<spec>-server), migrated,
                       seeded with its createuser/createtoken commands and
                       started on a free port with a fresh SQLite file;
  url=BASE[,db=FILE]   a server already running at BASE (seeded by you);
                       db= names its SQLite file for SQL fixture steps.
  restflow-pg=PATH     the generated server on fresh PostgreSQL databases
                       in the cluster at $DIFF_PG_URL (tests/pg/cluster.sh
                       prints one); SQL fixture steps run there through psql.
                       A drf side compared with it takes PostgreSQL's
                       integer column ranges (Setup.int_ranges), as DRF
                       on PostgreSQL does; the rest of it stays on SQLite.

A spec's other databases (tests/differential/<spec>/databases.json, e.g.
["analytics"]) are SQLite files next to the default one, the name before
the extension (a.db, a-analytics.db), as the twins' settings expect.
"""
import itertools
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DRF_RUN = os.path.join(ROOT, "tests", "drf", "run.sh")


class SideError(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, process=None, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SideError("the server exited during start-up (status %s)" % process.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SideError("nothing answers on port %d after %.0f s" % (port, timeout))


def database_file(default_file, alias):
    """The file of database `alias` beside the default database's file."""
    if alias == "default":
        return default_file
    stem, extension = os.path.splitext(default_file)
    return "%s-%s%s" % (stem, alias, extension)


class Setup:
    """What both servers of a spec start from."""

    def __init__(self, spec, users, users_file, databases, twin=None):
        self.spec = spec
        self.twin = twin or spec      # tests/drf/<twin>, or the project's directory
        self.users = users
        self.users_file = users_file
        self.databases = databases    # besides "default"
        # "postgresql": the twin's integer model fields take PostgreSQL's
        # column ranges (tests/drf/common/rflow_twin/apps.py); None: SQLite's
        self.int_ranges = None


def _run(argv, log):
    with open(log, "ab") as out:
        done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise SideError("%s failed (status %d); see %s" % (" ".join(argv), done.returncode, log))


class Side:
    """A server under comparison: base URL, database file, start and stop."""
    kind = "?"

    def __init__(self, name):
        self.name = name          # "a" or "b"
        self.base_url = None
        self.db_file = None

    def start(self, setup, workdir):
        pass

    def stop(self):
        pass

    def died(self):
        """Why the server is gone, when run.py started it and it exited."""
        return None

    def run_sql(self, statements, alias):
        """A fixture step on database `alias` (Django's SQLite formats)."""
        if not self.db_file:
            raise SideError("%s: SQL step without a database file (url=BASE,db=FILE)"
                            % self.label())
        try:
            with sqlite3.connect(database_file(self.db_file, alias), timeout=30) as db:
                db.executescript(statements)
        except sqlite3.Error as exc:
            raise SideError("%s: SQL failed: %s" % (self.label(), exc)) from exc

    def label(self):
        return "%s (%s)" % (self.name, self.kind)


class DrfSide(Side):
    kind = "drf"

    def __init__(self, name):
        super().__init__(name)
        self.pid = None

    def start(self, setup, workdir):
        port = free_port()
        self.db_file = os.path.join(workdir, "%s-drf.db" % self.name)
        env = dict(os.environ)
        if setup.int_ranges:
            env["RFLOW_TWIN_INT_RANGES"] = setup.int_ranges
        done = subprocess.run([DRF_RUN, setup.twin, str(port), self.db_file, setup.users_file],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        if done.returncode != 0:
            raise SideError("tests/drf/run.sh failed:\n" + done.stderr)
        self.pid = int(done.stdout.split()[-1])
        self.base_url = "http://127.0.0.1:%d" % port

    def stop(self):
        if self.pid is not None:
            subprocess.run([DRF_RUN, "stop", str(self.pid)])


class RestflowSide(Side):
    """A generated server, through the command line rf_main gives it:
    `migrate`, `createuser NAME --password P [--staff]`, `createtoken NAME
    --key KEY`, and serving with `--listen HOST:PORT`, all with `--db URL`.
    One worker, so that throttle histories are shared as in the twin."""
    kind = "restflow"

    def __init__(self, name, binary):
        super().__init__(name)
        self.binary = os.path.abspath(binary)
        self.process = None

    def database_args(self, setup, workdir):
        self.db_file = os.path.join(workdir, "%s-restflow.db" % self.name)
        db = ["--db", "sqlite:" + self.db_file]
        for alias in setup.databases:
            db += ["--db", "%s=sqlite:%s" % (alias, database_file(self.db_file, alias))]
        return db

    def start(self, setup, workdir):
        if not os.access(self.binary, os.X_OK):
            raise SideError("no executable server at %s (build it first)" % self.binary)
        port = free_port()
        db = self.database_args(setup, workdir)
        log = os.path.join(workdir, "%s-restflow.log" % self.name)
        self.log = log
        _run([self.binary, "migrate"] + db, log)
        for user in setup.users:
            staff = ["--staff"] if user.get("staff") else []
            _run([self.binary, "createuser", user["username"], "--password", user["password"]]
                 + staff + db, log)
            if user.get("token"):
                _run([self.binary, "createtoken", user["username"], "--key", user["token"]] + db,
                     log)
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [self.binary, "--listen", "127.0.0.1:%d" % port, "--workers", "1"] + db,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_listening(port, self.process)
        self.base_url = "http://127.0.0.1:%d" % port

    def died(self):
        if self.process is not None and self.process.poll() is not None:
            return "%s exited with status %d (log: %s)" % (
                self.binary, self.process.returncode, self.log)
        return None

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


PSQL = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"

# After a fixture step: every serial column's sequence moves past the rows
# the step wrote with explicit ids (SQLite's AUTOINCREMENT does that alone).
RESYNC_SEQUENCES = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.table_name, c.column_name,
                  pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) AS seq
           FROM information_schema.columns c
           WHERE c.table_schema = 'public'
             AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL
  LOOP
    EXECUTE format('SELECT setval(%L, COALESCE((SELECT max(%I) FROM %I), 0) + 1, false)',
                   r.seq, r.column_name, r.table_name);
  END LOOP;
END $$;
"""

# The fixture steps write booleans as SQLite does (0/1); PostgreSQL's
# int -> bool cast is explicit only.  Made an assignment cast in each
# throwaway database, so `SET is_active = 0` and `VALUES (..., 1)` read as
# Django's False and True.
INT_TO_BOOL_ON_ASSIGNMENT = ("UPDATE pg_cast SET castcontext = 'a' "
                             "WHERE castsource = 'int4'::regtype AND casttarget = 'bool'::regtype")


def psql(url, sql):
    done = subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SideError("psql failed: %s" % done.stderr.strip())


class RestflowPgSide(RestflowSide):
    """A generated server on fresh databases in a PostgreSQL cluster."""
    kind = "restflow-pg"
    numbers = itertools.count(1)

    def __init__(self, name, binary):
        super().__init__(name, binary)
        self.cluster = os.environ.get("DIFF_PG_URL")
        if not self.cluster:
            raise SideError("restflow-pg needs DIFF_PG_URL (tests/pg/cluster.sh start DIR)")
        self.urls = {}

    def url_of(self, database):
        base, _, query = self.cluster.partition("?")
        return base[:base.rindex("/") + 1] + database + ("?" + query if query else "")

    def database_args(self, setup, workdir):
        db = []
        for alias in ["default"] + list(setup.databases):
            name = "diff_%d_%d" % (os.getpid(), next(self.numbers))
            psql(self.cluster, "CREATE DATABASE " + name)
            self.urls[alias] = self.url_of(name)
            psql(self.urls[alias], INT_TO_BOOL_ON_ASSIGNMENT)
            db += ["--db", self.urls[alias] if alias == "default"
                   else "%s=%s" % (alias, self.urls[alias])]
        return db

    def run_sql(self, statements, alias):
        psql(self.urls[alias], "SET TIME ZONE 'UTC';\n" + statements + ";\n" + RESYNC_SEQUENCES)


class UrlSide(Side):
    kind = "url"

    def __init__(self, name, base_url, db_file=None):
        super().__init__(name)
        self.base_url = base_url.rstrip("/")
        self.db_file = db_file


def parse_side(name, text):
    """A side from its command-line form (see the module's docstring)."""
    if text == "drf":
        return DrfSide(name)
    kind, _, rest = text.partition("=")
    if kind == "restflow" and rest:
        return RestflowSide(name, rest)
    if kind == "restflow-pg" and rest:
        return RestflowPgSide(name, rest)
    if kind == "url" and rest:
        base, _, option = rest.partition(",")
        db_file = option[len("db="):] if option.startswith("db=") else None
        if option and db_file is None:
            raise SideError("unknown option %r in %r" % (option, text))
        return UrlSide(name, base, db_file)
    raise SideError("a side is drf, restflow=PATH, restflow-pg=PATH or url=BASE[,db=FILE], "
                    "not %r" % text)
