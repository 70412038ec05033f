"""The systems under test: how each is found, given its data, started and
stopped.  Every server listens on 127.0.0.1 and serves the bench API
(bench/README.md) over its own fresh copy of the same data."""
import os
import shutil
import signal
import socket
import subprocess
import time
import http.client

from . import pg

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # bench/
ROOT = os.path.dirname(HERE)
BUILD = os.path.join(ROOT, "build")
PEERS = os.path.join(HERE, "peers")
DRF_TWIN = os.path.join(ROOT, "tests", "drf")
RESTFLOW_SERVER = os.path.join(BUILD, "bench", "restflow-bench")

ALL_SCENARIOS = ("ping", "retrieve", "list", "create")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running server: its process group, port and log."""

    def __init__(self, name, argv, port, env, log_path, cpus, nice=None):
        self.name, self.log_path, self.port = name, log_path, port
        if nice is not None:
            argv = ["nice", "-n", str(nice)] + argv
        if cpus:
            argv = ["taskset", "-c", cpus] + argv
        self.log = open(log_path, "w")
        # A session of its own, so that stop() reaches the workers a server
        # forks (gunicorn, nginx) and nothing else.
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    @property
    def cpu_roots(self):
        """The processes whose CPU time a request costs."""
        return [self.proc.pid] + self.extra_cpu_roots

    extra_cpu_roots = []

    def wait_ready(self, path="/api/ping/", timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited during start-up:\n%s" % (self.name, self.log_tail()))
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", path)
                if conn.getresponse().status < 500:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("%s did not answer in %ds:\n%s" % (self.name, timeout, self.log_tail()))

    def log_tail(self, lines=15):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class System:
    """One system under test.  Subclasses say how to find and start it."""
    name = label = ""
    scenarios = ALL_SCENARIOS
    restflow = False

    def missing(self):
        """Why this system cannot run here, or None."""
        return None

    def setup(self, run):
        """Once per run, before any round."""

    def teardown(self):
        """Once per run, after the last round."""

    def database(self, run, tag):
        """A fresh copy of the data for one server start: its --db value."""
        path = os.path.join(run.workdir, "%s-%s.db" % (self.name, tag))
        shutil.copyfile(run.template_db, path)
        return path

    def command(self, port, db, run):
        raise NotImplementedError

    def env(self, db):
        return dict(os.environ)

    def start(self, run, tag):
        port = free_port()
        db = self.database(run, tag)
        server = Server(self.name, self.command(port, db, run), port, self.env(db),
                        os.path.join(run.workdir, "%s-%s.log" % (self.name, tag)),
                        run.server_cpus, run.nice)
        try:
            server.wait_ready(self.ready_path)
        except BaseException:   # interrupted too: never leave a server behind
            server.stop()
            raise
        return server

    ready_path = "/api/ping/"


def _missing_program(name):
    return None if shutil.which(name) else "%s is not installed (tools/deps.sh bench)" % name


class DRF(System):
    name, label = "drf", "DRF 3.14, gunicorn 2 sync workers"

    def missing(self):
        if not os.path.exists(os.path.join(DRF_TWIN, "shop", "shop", "views.py")):
            return "the shop's DRF twin (tests/drf/shop) is not in this checkout"
        return _missing_program("gunicorn")

    def command(self, port, db, run):
        path = ",".join([os.path.join(PEERS, "drf"), os.path.join(DRF_TWIN, "common"),
                         os.path.join(DRF_TWIN, "shop")])
        return ["gunicorn", "--workers", "2", "--bind", "127.0.0.1:%d" % port,
                "--pythonpath", path, "bench_wsgi"]

    def env(self, db):
        return dict(os.environ, RFLOW_TWIN_DB=db, DJANGO_SETTINGS_MODULE="bench_settings")


class Fastify(System):
    name, label = "fastify", "Fastify 5 + better-sqlite3 12, one process"
    server_js = os.path.join(PEERS, "fastify", "server.js")

    def missing(self):
        if not os.path.isdir(os.path.join(PEERS, "fastify", "node_modules", "fastify")):
            return "npm packages not installed (make bench-peers)"
        return _missing_program("node")

    def command(self, port, db, run):
        return ["node", self.server_js, "--listen", "127.0.0.1:%d" % port, "--db", db]


class Ulfius(System):
    name, label = "ulfius", "C: Ulfius + jansson + sqlite3, thread per connection"
    binary = os.path.join(BUILD, "bench", "ulfius-server")

    def missing(self):
        return None if os.path.exists(self.binary) else "not built (make bench-peers)"

    def command(self, port, db, run):
        return [self.binary, "--listen", "127.0.0.1:%d" % port, "--db", db]


NGINX_CONF = """\
# The ceiling: nginx serving the bench's bodies as static files.
daemon off;
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=16;
    keepalive_requests 1000000;
    default_type application/json;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {dir};
        location = {ping} {{ try_files /ping.json =404; }}
        location = {retrieve} {{ try_files /retrieve.json =404; }}
    }}
}}
"""


class Nginx(System):
    name, label = "nginx", "nginx, the bodies as static files (ceiling)"
    scenarios = ("ping", "retrieve")

    def missing(self):
        return _missing_program("nginx")

    def setup(self, run):
        if not run.static_bodies:
            raise RuntimeError("its files are DRF's answers, and DRF is not available")
        self.dir = os.path.join(run.workdir, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        for scenario in self.scenarios:
            with open(os.path.join(self.dir, scenario + ".json"), "w", encoding="utf-8") as f:
                f.write(run.static_bodies[scenario])

    def database(self, run, tag):
        return None

    def command(self, port, db, run):
        conf = os.path.join(self.dir, "nginx-%d.conf" % port)
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(workers=run.server_cpu_count, dir=self.dir, port=port,
                                      ping=run.scenario_paths["ping"],
                                      retrieve=run.scenario_paths["retrieve"]))
        return ["nginx", "-p", self.dir, "-c", conf, "-e", self.dir + "/nginx-error.log"]


class RestflowSQLite(System):
    name, label = "restflow", "restflow, SQLite"
    restflow = True

    def missing(self):
        if not os.path.exists(RESTFLOW_SERVER):
            return "not built: %s" % (restflow_build_problem() or "make bench-restflow")
        return None

    server = RESTFLOW_SERVER

    def command(self, port, db, run):
        return [self.server, "serve", "--listen", "127.0.0.1:%d" % port,
                "--db", "sqlite:" + db, "--no-access-log"]


class RestflowBaseline(RestflowSQLite):
    """Another build of the bench server (bench/run --baseline PATH), run
    beside this one in the same run: an A/B comparison of two commits."""
    name, label = "restflow-base", "restflow, SQLite, the --baseline build"
    server = None

    def missing(self):
        if not self.server:
            return "no --baseline build given"
        return None if os.path.exists(self.server) else "not found: %s" % self.server


class RestflowPoolReads(RestflowSQLite):
    """Every SQLite read on a pool thread, none on the loop
    (docs/persistence.md, "Reads on the loop"): measured beside the
    default, so that what the loop reads gain shows in the same run."""
    name, label = "restflow-pool", "restflow, SQLite, --sqlite-loop-read-steps 0"

    def command(self, port, db, run):
        return super().command(port, db, run) + ["--sqlite-loop-read-steps", "0"]


class RestflowPostgres(RestflowSQLite):
    name, label = "restflow-pg", "restflow, PostgreSQL 15"

    def missing(self):
        return super().missing() or pg.missing()

    def setup(self, run):
        self.cluster = pg.Cluster(os.path.join(run.workdir, "pg"), run.server_cpus, run.nice)
        self.url = self.cluster.start()
        subprocess.run([RESTFLOW_SERVER, "migrate", "--db", self.url], check=True,
                       stdout=subprocess.DEVNULL)

    def teardown(self):
        self.cluster.destroy()

    def database(self, run, tag):
        pg.load(self.url, run.template_db)
        return self.url

    def start(self, run, tag):
        server = super().start(run, tag)
        server.extra_cpu_roots = [self.cluster.postmaster_pid()]   # the database's work counts
        return server

    def command(self, port, db, run):
        return [RESTFLOW_SERVER, "serve", "--listen", "127.0.0.1:%d" % port,
                "--db", db, "--no-access-log"]


def restflow_build_problem():
    """The first complaint in the log of the last `make bench-restflow`."""
    path = os.path.join(BUILD, "bench", "restflow-build.log")
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        lines = [l.strip() for l in f if l.strip()]
    complaints = [l for l in lines if "error" in l.lower() or l.startswith("rflowc:")]
    own = [l for l in complaints if not l.startswith("make")]
    found = own or complaints or lines
    return found[0][:200] if found else None


SYSTEMS = [DRF(), Fastify(), Ulfius(), Nginx(), RestflowSQLite(), RestflowPoolReads(),
           RestflowPostgres()]
BASELINE = RestflowBaseline()       # only with bench/run --baseline
BY_NAME = {s.name: s for s in SYSTEMS + [BASELINE]}
