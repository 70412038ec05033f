"""What the ecosystem tests share: free ports, bounded waits, a generated
server started on a fresh SQLite database, and a small check runner whose
last line is "N passed, N failed".  Standard library only."""
import http.client
import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise Failure("timed out waiting for " + what)


class Failure(Exception):
    pass


def short(value, limit=400):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "... (%d more characters)" % (
        len(text) - limit)


def expect(got, want, what):
    if got != want:
        raise Failure("%s: got %s, want %s" % (what, short(got), short(want)))


class Server:
    """A generated server: migrated SQLite databases in tmp, serving on a
    free port.  dbs: the spec's database names ("default" first); urls:
    {name: URL} for those kept elsewhere (PostgreSQL)."""

    def __init__(self, binary, tmp, dbs=("default",), args=(), env=None, urls=None):
        os.makedirs(tmp, exist_ok=True)
        self.binary = binary
        self.db_args = []
        for name in dbs:
            url = (urls or {}).get(name) or "sqlite:" + os.path.join(tmp, name + ".db")
            self.db_args += ["--db", "%s=%s" % (name, url)]
        subprocess.run([binary, "migrate"] + self.db_args, check=True,
                       stdout=subprocess.DEVNULL, env=env)
        self.log = open(os.path.join(tmp, "server-%d.log" % id(self)), "w+")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--no-access-log"] + list(args)
            + self.db_args, stdout=subprocess.DEVNULL, stderr=self.log, env=env)
        self.port = None
        wait_until("the server", self.listening)

    def manage(self, *args):
        """A management command on the server's databases; its stdout."""
        return subprocess.run([self.binary] + list(args) + self.db_args, check=True,
                              stdout=subprocess.PIPE, text=True).stdout.strip()

    def listening(self):
        if self.process.poll() is not None:
            self.log.seek(0)
            raise Failure("the server exited: " + self.log.read())
        self.log.seek(0)
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self.log.read())
        if found:
            self.port = int(found.group(1))
        return self.port is not None

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read().decode()
        conn.close()
        return r.status, dict(r.getheaders()), data

    def get(self, path, accept="application/json"):
        return self.request("GET", path, headers={"Accept": accept})

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()


def run_checks(checks):
    """Run (name, function) pairs; print one line each and the summary.
    The exit status: 0 when all passed."""
    failed = 0
    for name, check in checks:
        try:
            start = time.monotonic()
            check()
            print("ok    %s (%.1fs)" % (name, time.monotonic() - start))
        except Failure as e:
            failed += 1
            print("FAIL  %s: %s" % (name, e))
        except Exception as e:      # a broken check fails alone, the rest still run
            failed += 1
            print("FAIL  %s: %s: %s" % (name, type(e).__name__, e))
        sys.stdout.flush()
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    return 1 if failed else 0
