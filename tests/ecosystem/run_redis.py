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
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

from eco import Failure, Server, expect, free_port, run_checks, wait_until

ANON_LIMIT = 100          # blog.rflow: DEFAULT_THROTTLE_RATES anon "100/hour"
BLOG_DBS = ("default", "analytics")


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
        store = ["--throttle-store", url + "/1"]
        servers = [Server(args.server, tmp, BLOG_DBS, store) for _ in range(2)]
        return run_checks([
            ("two servers share one limit", lambda: shared_limit(*servers)),
            ("503 while redis is down, then recovery",
             lambda: outage_and_recovery(redis, *servers)),
        ])
    finally:
        for s in servers:
            s.stop()
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
