"""What the numbers were measured on."""
import os
import platform
import re
import sqlite3
import subprocess

from . import systems


def _first_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not available"


def _npm_version(package):
    path = os.path.join(systems.PEERS, "fastify", "node_modules", package, "package.json")
    try:
        with open(path) as f:
            return re.search(r'"version":\s*"([^"]+)"', f.read()).group(1)
    except (OSError, AttributeError):
        return "not installed"


def _cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def describe(run):
    return {
        "cpu": "%s, %d cores" % (_cpu_model(), os.cpu_count()),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "kernel": platform.release(),
        "load_average": "%.1f before the run, %.1f after it (1-minute averages)"
                        % (run.load_at_start, os.getloadavg()[0]),
        "pinning": ("servers on CPU %s, wrk on CPU %d" % (run.server_cpus, run.client_cpu)
                    if run.server_cpus else "none"),
        "versions": {
            "wrk": _first_line(["wrk", "--version"]),
            "nginx": _first_line(["nginx", "-v"]),
            "node": _first_line(["node", "--version"]),
            "fastify": _npm_version("fastify"),
            "better-sqlite3": _npm_version("better-sqlite3"),
            "gunicorn": _first_line(["gunicorn", "--version"]),
            "django / drf": _first_line(["/usr/bin/python3", "-c",
                                         "import django, rest_framework as r; "
                                         "print(django.get_version(), r.VERSION)"]),
            "ulfius": _first_line(["dpkg-query", "-W", "-f", "${Version}", "libulfius-dev"]),
            "sqlite (system)": sqlite3.sqlite_version,
        },
    }
