"""The load: wrk on loopback, one scenario at one connection count, with
the CPU both sides used and the server's peak memory."""
import json
import os
import re
import resource
import signal
import subprocess
from dataclasses import dataclass, field

from . import data, procstat
from .verify import VALID

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRK_SCRIPT = os.path.join(HERE, "wrk", "bench.lua")


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    status: int
    body: str = None
    authorization: str = None
    about: str = ""


SCENARIOS = [
    Scenario("ping", "GET", "/api/ping/", 200,
             about='hand-written view answering {"ok":true}'),
    Scenario("retrieve", "GET", "/api/products/%d/" % data.RETRIEVE_ID, 200,
             about="one product by pk, ProductSerializer with latest_review"),
    Scenario("list", "GET", "/api/products/?is_top=true&ordering=-price", 200,
             about="page of 20 (count query, filter, ordering), LatestReview PostFetch"),
    Scenario("create", "POST", "/api/products/", 201, body=json.dumps(VALID),
             authorization="Token " + data.bench_token(),
             about="token auth, ProductCreate validation, INSERT, 201 body"),
]
BY_NAME = {s.name: s for s in SCENARIOS}


@dataclass
class Measurement:
    rps: float
    p50_ms: float               # None when no request was answered
    p99_ms: float
    cpu_us_per_request: float   # server CPU time per answered request
    requests: int
    errors: int                 # non-2xx answers, timeouts, socket errors
    server_cpu: float           # cores the server used (1.0 = one core busy)
    client_cpu: float           # cores wrk used
    peak_rss_kib: int
    peak_pss_kib: int
    raw: dict = field(default_factory=dict)


def _wrk_command(scenario, port, conns, seconds, cpu):
    cmd = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--timeout", "10s",
           "-s", WRK_SCRIPT, "http://127.0.0.1:%d%s" % (port, scenario.path)]
    return (["taskset", "-c", str(cpu)] + cmd) if cpu is not None else cmd


def _wrk_env(scenario):
    env = dict(os.environ, BENCH_METHOD=scenario.method)
    if scenario.body:
        env["BENCH_BODY"] = scenario.body
    if scenario.authorization:
        env["BENCH_AUTHORIZATION"] = scenario.authorization
    return env


def _parse(output):
    for line in output.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError("wrk printed no result:\n" + output)


class Profiler:
    """perf record (cpu-clock samples with call graphs) on a process tree
    while the load runs, then perf report's flat profile into a text file."""

    def __init__(self, pid, path):
        self.path = path
        self.data = path + ".data"
        pids = ",".join(str(p) for p in procstat.tree(pid))
        self.proc = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "999",
                                      "-g", "-p", pids, "-o", self.data],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait()
        with open(self.path, "w") as f:
            for title, sort in (("by library", "dso"), ("by function", "dso,symbol")):
                f.write("== %s\n%s\n\n" % (title, self._report(sort)))
        os.remove(self.data)

    def _report(self, sort):
        done = subprocess.run(["perf", "report", "-i", self.data, "--stdio", "--no-children",
                               "--sort", sort, "-g", "none", "--percent-limit", "1"],
                              capture_output=True, text=True)
        lines = [re.sub(r"[\s-]+$", "", line) for line in done.stdout.splitlines()]
        return "\n".join(l for l in lines if l and (not l.startswith("#")
                                                     or l.startswith("# Samples")))


def _cpu_seconds(roots):
    return procstat.cpu_seconds([p for root in roots for p in procstat.tree(root)])


def run(server, scenario, conns, seconds, cpu=None, profile=None, nice=None):
    """One wrk run against a started server (systems.Server); with
    `profile`, a perf profile of the server goes to that file.  CPU time is
    counted over server.cpu_roots (the server and, for PostgreSQL, the
    database), memory over the server's own processes."""
    cpu_before = _cpu_seconds(server.cpu_roots)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    profiler = Profiler(server.pid, profile) if profile else None
    argv = _wrk_command(scenario, server.port, conns, seconds, cpu)
    if nice is not None:
        argv = ["nice", "-n", str(nice)] + argv
    with procstat.MemorySampler(server.pid) as memory:
        done = subprocess.run(argv, env=_wrk_env(scenario), capture_output=True, text=True)
    if profiler:
        profiler.finish()
    if done.returncode != 0:
        raise RuntimeError("wrk failed: " + done.stderr.strip())
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = _parse(done.stdout)
    wall = result["duration_us"] / 1e6
    server_cpu = _cpu_seconds(server.cpu_roots) - cpu_before
    client_cpu = (wrk_after.ru_utime + wrk_after.ru_stime
                  - wrk_before.ru_utime - wrk_before.ru_stime)
    errors = sum(v for k, v in result.items() if k.startswith("errors_"))
    answered = result["requests"] > 0   # wrk reports 0 ms percentiles otherwise
    return Measurement(
        rps=result["requests"] / wall,
        p50_ms=result["p50_us"] / 1000 if answered else None,
        p99_ms=result["p99_us"] / 1000 if answered else None,
        cpu_us_per_request=server_cpu / result["requests"] * 1e6 if answered else None,
        requests=result["requests"], errors=errors,
        server_cpu=server_cpu / wall, client_cpu=client_cpu / wall,
        peak_rss_kib=memory.peak_rss, peak_pss_kib=memory.peak_pss, raw=result)
