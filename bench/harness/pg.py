"""PostgreSQL for restflow's PostgreSQL run: a throwaway cluster from
tests/pg/cluster.sh, filled with the very rows of the SQLite template."""
import os
import shutil
import sqlite3
import subprocess

from . import data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_SH = os.path.join(ROOT, "tests", "pg", "cluster.sh")
# Tables in foreign-key order, with the serial each one owns.
TABLES = [("auth_user", "id"), ("authtoken_token", None), ("products", "id"),
          ("shop_review", "id")]


def missing():
    if not os.path.exists(CLUSTER_SH):
        return "tests/pg/cluster.sh is not in this checkout"
    if not shutil.which("psql"):
        return "psql is not installed"
    return None


class Cluster:
    def __init__(self, directory, cpus, nice):
        self.dir, self.cpus, self.nice = directory, cpus, nice
        os.makedirs(directory, exist_ok=True)

    def _run(self, verb):
        argv = [CLUSTER_SH, verb, self.dir]
        if verb == "start":   # the database runs as the server does, on its cores
            if self.nice is not None:
                argv = ["nice", "-n", str(self.nice)] + argv
            if self.cpus:
                argv = ["taskset", "-c", self.cpus] + argv
        return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()

    def postmaster_pid(self):
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            return int(f.readline())

    def start(self):
        return self._run("start")

    def destroy(self):
        self._run("destroy")


def _csv_field(value):
    """COPY's CSV: NULL unquoted and empty, text always quoted."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"%s"' % value.replace('"', '""')
    return str(value)


def _table_csv(template, table):
    con = sqlite3.connect(template)
    try:
        rows = con.execute('SELECT %s FROM "%s"' % (data.columns(table), table))
        return "".join(",".join(_csv_field(v) for v in row) + "\n" for row in rows)
    finally:
        con.close()


def _psql(url, sql, stdin=None):
    # Django stores naive UTC datetimes in SQLite: read them back as UTC.
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                   input=stdin, check=True, capture_output=True, text=True,
                   env=dict(os.environ, PGTZ="UTC"))


def load(url, template):
    """Replace the rows of the bench tables with the template's."""
    names = ", ".join(t for t, _ in TABLES)
    _psql(url, "TRUNCATE %s RESTART IDENTITY CASCADE" % names)
    for table, serial in TABLES:
        _psql(url, "COPY %s (%s) FROM STDIN WITH (FORMAT csv)"
              % (table, data.columns(table)), stdin=_table_csv(template, table))
        if serial:
            _psql(url, "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
                  "(SELECT max(%s) FROM %s))" % (table, serial, serial, table))
    _psql(url, "ANALYZE")
