"""A bounded loopback soak of the shop example: mixed traffic from wrk
(tests/soak/mixed.lua) for a fixed time, with the server's memory and file
descriptors sampled throughout.

    /usr/bin/python3 tests/soak/soak.py [--seconds 120] [--connections 32]
                                        [--backend sqlite|postgres]

Passes when:
- no response was a 5xx and wrk saw no socket error;
- the server's file descriptors, idle after the load, are as many as
  before it (no connection, statement or file leaked);
- for runs of a minute or more, the RSS is flat: its peak in the second
  half is within 10% (plus 4 MiB of slack) of its peak in the first half,
  after a warm-up of a fifth of the run (caches, spare arenas and SQLite's
  page cache fill early).
Prints the figures as one JSON line (docs/security.md records them).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "security"))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PRODUCTS = 100


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class Sampler(threading.Thread):
    """(seconds since start, RSS KiB, open fds) every half second."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.samples = []
        self.stopping = threading.Event()
        self.start_time = time.monotonic()

    def run(self):
        while not self.stopping.wait(0.5):
            self.samples.append((time.monotonic() - self.start_time, rss_kib(self.pid),
                                 fds(self.pid)))


def seed(server):
    for i in range(PRODUCTS):
        reply = server.request("POST", "/api/products/", user="alice", body={
            "name": "Thing %d" % i, "description": "seeded", "price": "%d.00" % (i % 90 + 1),
            "is_top": True})
        assert reply.status == 201, reply


def idle_fds(pid):
    """The fd count at rest: the least seen over a second (a connection the
    seeding left may still be closing)."""
    least = fds(pid)
    for _ in range(10):
        time.sleep(0.1)
        least = min(least, fds(pid))
    return least


def settle(pid, expected, timeout=10):
    """The fd count once the closed connections are gone (or the last seen)."""
    deadline = time.monotonic() + timeout
    while True:
        n = fds(pid)
        if n <= expected or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


def soak(args):
    backend = harness.Cluster() if args.backend == "postgres" else None
    server = harness.Server("shop", backend=backend,
                            args=("--no-access-log", "--workers", "1"))
    try:
        seed(server)
        pid = server.process.pid
        fds_before = idle_fds(pid)
        sampler = Sampler(pid)
        sampler.start()
        wrk = subprocess.run(
            ["wrk", "-t", "2", "-c", str(args.connections), "-d", "%ds" % args.seconds,
             "--timeout", "30s", "-s", os.path.join(HERE, "mixed.lua"),
             "http://127.0.0.1:%d" % server.port, "--", harness.USERS[0].token, str(PRODUCTS)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        sampler.stopping.set()
        sampler.join()
        line = re.search(r"^SOAK (.*)$", wrk.stdout, re.M)
        if wrk.returncode != 0 or not line:
            raise SystemExit("wrk failed:\n" + wrk.stdout)
        result = json.loads(line.group(1))
        result["fds_before"] = fds_before
        result["fds_after"] = settle(pid, fds_before)
        result.update(memory(sampler.samples, args.seconds))
        result["seconds"] = args.seconds
        result["rps"] = round(result["requests"] / args.seconds)
        result["backend"] = args.backend
        result["alive"] = server.alive()
        result["stored"] = int(server.sql("SELECT count(*) FROM products")[0][0])
        return result
    finally:
        server.close()
        if backend:
            backend.destroy()


def memory(samples, seconds):
    warm = [rss for t, rss, _ in samples if t >= seconds / 5]
    half = len(warm) // 2
    return {
        "rss_kib_start": samples[0][1] if samples else 0,
        "rss_kib_first_half_peak": max(warm[:half], default=0),
        "rss_kib_second_half_peak": max(warm[half:], default=0),
        "fds_peak": max((n for _, _, n in samples), default=0),
    }


def verdict(r, seconds):
    problems = []
    if r["5xx"] or r["errors"]:
        problems.append("%d 5xx responses, %d socket errors" % (r["5xx"], r["errors"]))
    if not r["alive"]:
        problems.append("the server died")
    if r["fds_after"] != r["fds_before"]:
        problems.append("file descriptors: %d before, %d after" % (r["fds_before"], r["fds_after"]))
    if seconds >= 60 and r["rss_kib_second_half_peak"] > r["rss_kib_first_half_peak"] * 1.1 + 4096:
        problems.append("RSS grew: %d KiB, then %d KiB"
                        % (r["rss_kib_first_half_peak"], r["rss_kib_second_half_peak"]))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    result = soak(args)
    print("soak:", json.dumps(result))
    problems = verdict(result, args.seconds)
    for p in problems:
        print("soak: FAIL:", p)
    if not problems:
        print("soak: ok")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
