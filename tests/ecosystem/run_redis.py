#!/usr/bin/python3
"""The Redis throttle store against a real redis-server on a free port.

    run_redis.py --store-test BUILD/tests/ecosystem/redis-store --server BUILD/blog-server

1. The store's own suite (test_redis_store.c) with the server's URL.
2. Two blog servers (anonymous requests: 100/hour, DEFAULT_THROTTLE_RATES)
   sharing one limit through --throttle-store: 100 requests spread over
   both pass, the 101st is refused by either, with DRF's 429.
3. Redis stopped: throttled views answer 503; Redis back on the same port:
   the servers reconnect by themselves and the log kept nothing from the
   old instance (it was not persisted), so requests pass again.

Standard library only.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ANON_LIMIT = 100          # blog.rflow: DEFAULT_THROTTLE_RATES anon "100/hour"


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
    raise SystemExit("timed out waiting for " + what)


class Redis:
    def __init__(self, tmp, port):
        self.tmp, self.port, self.process = tmp, port, None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.tmp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until("redis-server", self.answers)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait()
            self.process = None


class Server:
    def __init__(self, binary, tmp, redis_url):
        dbs = ["--db", "default=sqlite:" + os.path.join(tmp, "blog.db"),
               "--db", "analytics=sqlite:" + os.path.join(tmp, "analytics.db")]
        subprocess.run([binary, "migrate"] + dbs, check=True, stdout=subprocess.DEVNULL)
        self.log = open(os.path.join(tmp, "server-%d.log" % id(self)), "w+")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--no-access-log",
             "--throttle-store", redis_url] + dbs,
            stdout=subprocess.DEVNULL, stderr=self.log)
        self.port = None
        wait_until("the server", self.listening)

    def listening(self):
        self.log.seek(0)
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self.log.read())
        if found:
            self.port = int(found.group(1))
        return self.port is not None

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path, headers={"Accept": "application/json"})
        r = conn.getresponse()
        body = r.read().decode()
        conn.close()
        return r.status, dict(r.getheaders()), body

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()


class Failure(Exception):
    pass


def expect(got, want, what):
    if got != want:
        raise Failure("%s: got %r, want %r" % (what, got, want))


def shared_limit(a, b):
    for i in range(ANON_LIMIT):
        status, _, body = (a if i % 2 else b).get("/api/posts/")
        expect(status, 200, "request %d of %d" % (i + 1, ANON_LIMIT))
    for server in (a, b):
        status, headers, body = server.get("/api/posts/")
        expect(status, 429, "past the shared limit")
        seconds = int(headers.get("Retry-After", "0"))
        if not 3590 <= seconds <= 3600:
            raise Failure("Retry-After %r is not about an hour" % seconds)
        expect(json.loads(body), {"detail": "Request was throttled. Expected available in "
                                            "%d seconds." % seconds}, "the 429's body")


def outage_and_recovery(redis, a, b):
    redis.stop()
    for server in (a, b):
        status, _, body = server.get("/api/posts/")
        expect((status, json.loads(body)),
               (503, {"detail": "Service temporarily unavailable."}), "with redis stopped")
    redis.start()
    for server in (a, b):
        wait_until("a server to reconnect", lambda: server.get("/api/posts/")[0] == 200)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store-test", required=True)
    ap.add_argument("--server", required=True)
    args = ap.parse_args()
    if not shutil.which("redis-server"):
        sys.exit("redis-server is not installed (tools/deps.sh test installs it)")
    tmp = tempfile.mkdtemp(prefix="rf-redis-")
    redis = Redis(tmp, free_port())
    servers = []
    try:
        redis.start()
        url = "redis://127.0.0.1:%d" % redis.port
        env = dict(os.environ, RESTFLOW_TEST_REDIS=url)
        if subprocess.run([args.store_test], env=env).returncode:
            return 1
        servers = [Server(args.server, tmp, url + "/1"), Server(args.server, tmp, url + "/1")]
        checks = [("two servers share one limit", lambda: shared_limit(*servers)),
                  ("503 while redis is down, then recovery",
                   lambda: outage_and_recovery(redis, *servers))]
        failed = 0
        for name, check in checks:
            try:
                check()
                print("ok    " + name)
            except Failure as e:
                failed += 1
                print("FAIL  %s: %s" % (name, e))
        print("%d passed, %d failed" % (len(checks) - failed, failed))
        return 1 if failed else 0
    finally:
        for s in servers:
            s.stop()
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
