"""Medians over the rounds, ratios, the issue's targets, and the Markdown
that bench/run prints and puts into bench/README.md."""
import statistics

from . import systems

# restflow-loop: runs before the loop reads became the default (--render)
LABELS = {"drf": "DRF", "fastify": "Fastify", "ulfius": "Ulfius (C)", "nginx": "nginx static",
          "restflow": "restflow", "restflow-loop": "restflow loop reads",
          "restflow-pool": "restflow pool reads",
          "restflow-pg": "restflow-pg", "restflow-base": "restflow baseline"}
PEERS = ["drf", "fastify", "ulfius", "nginx"]
RESTFLOWS = ["restflow", "restflow-loop", "restflow-pool", "restflow-pg"]
RATIO_PREFIX = {"restflow": "", "restflow-loop": "loop ", "restflow-pool": "pool ",
                "restflow-pg": "pg "}
OTHER_MODES = [("restflow-loop", "With `--sqlite-reads-on-loop` (an option, not the default):"),
               ("restflow-pool", "With every read on the pool (`--sqlite-loop-read-steps 0`, "
                                 "the default before 7261773):")]
CLIENT_BOUND = 0.9     # wrk's core this busy: the number is the client's limit
SERVER_BUSY = 0.7      # with many connections, a server below this was held back
README_BEGIN = "<!-- results:begin (bench/run --update-readme writes this part) -->"
README_END = "<!-- results:end -->"


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _cell(ms):
    return {
        "rps": _median(m.rps for m in ms),
        "p50_ms": _median(m.p50_ms for m in ms),
        "p99_ms": _median(m.p99_ms for m in ms),
        "cpu_us": _median(m.cpu_us_per_request for m in ms),
        "errors": sum(m.errors for m in ms),
        "requests": sum(m.requests for m in ms),
        "server_cpu": _median(m.server_cpu for m in ms),
        "client_cpu": max(m.client_cpu for m in ms),
        "rounds": len(ms),
    }


def _memory(by_scenario, idle):
    rounds = [list(ms) for conns in by_scenario.values() for ms in conns.values()]
    per_round = list(zip(*rounds))   # one tuple of measurements per round
    return {
        "peak_rss_mib": _median(max(m.peak_rss_kib for m in r) / 1024 for r in per_round),
        "peak_pss_mib": _median(max(m.peak_pss_kib for m in r) / 1024 for r in per_round),
        "idle_kib_per_conn": _median(i["idle_kib"] for i in idle),
        "idle_held": min(i["idle_held"] for i in idle) if idle else None,
    }


def summarise(args, results, memory, warnings, unavailable, timings, machine, started,
              notes=()):
    throughput = {}
    for name, by_scenario in results.items():
        for scenario, by_conns in by_scenario.items():
            for conns, ms in by_conns.items():
                throughput.setdefault(scenario, {}).setdefault(str(conns), {})[name] = _cell(ms)
    return {
        "started": started.isoformat(timespec="seconds"),
        "config": {"rounds": args.rounds, "duration_s": args.duration, "warmup_s": args.warmup,
                   "conns": args.conns, "idle_connections": args.idle,
                   "scenarios": [s.name for s in args.scenarios],
                   "systems": [s.name for s in args.systems]},
        "machine": machine,
        "systems": {s.name: {"label": s.label,
                             "unavailable": unavailable.get(s.name),
                             "differences_from_drf": warnings.get(s.name, [])}
                    for s in args.systems},
        "throughput": throughput,
        "memory": {name: _memory(results[name], memory.get(name, [])) for name in results},
        "compiler": timings,
        "notes": list(notes),
    }


# ---------------------------------------------------------------------------
# Markdown.

def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _columns(summary):
    return [n for n in PEERS + RESTFLOWS + ["restflow-base"] if n in summary["systems"]]


def _missing_cell(summary, name, scenario):
    info = summary["systems"][name]
    if info["unavailable"]:
        return "not built" if name in RESTFLOWS else "n/a"
    if scenario not in systems.BY_NAME[name].scenarios:
        return "—"
    return "failed"


def _measured_rows(summary):
    """(scenario, conns, {system: cell}) in table order."""
    for scenario in summary["config"]["scenarios"]:
        for conns in summary["config"]["conns"]:
            yield scenario, conns, summary["throughput"].get(scenario, {}).get(str(conns), {})


def _grid(summary, fmt):
    cols = _columns(summary)
    rows = [[scenario, str(conns)] + [fmt(cells[name], conns) if name in cells
                                      else _missing_cell(summary, name, scenario)
                                      for name in cols]
            for scenario, conns, cells in _measured_rows(summary)]
    return _table(["scenario", "conns"] + [LABELS[c] for c in cols], rows)


def _rps(cell, conns):
    client_bound = cell["client_cpu"] >= CLIENT_BOUND
    held_back = conns > 1 and not client_bound and cell["server_cpu"] < SERVER_BUSY
    marks = ("†" if cell["errors"] else "") + ("‡" if client_bound else "") + \
        ("§" if held_back else "")
    return "{:,.0f}{}".format(cell["rps"], marks)


def _cpu(cell, conns):
    return "%.0f" % cell["cpu_us"] if cell.get("cpu_us") is not None else "no answer"


def _latency(cell, conns):
    if cell["p50_ms"] is None:
        return "no answer"
    return "%.2f / %.2f" % (cell["p50_ms"], cell["p99_ms"])


def _ratio_table(summary):
    present = [r for r in RESTFLOWS if r in summary["systems"]]
    measured = [r for r in present if not summary["systems"][r]["unavailable"]]
    if not measured:
        reasons = "; ".join("%s: %s" % (r, summary["systems"][r]["unavailable"]) for r in present)
        return "Pending: restflow was not measured in this run (%s)." % (reasons or "not selected")
    def ratios(cells, peer):
        parts = ["%s%.2f×" % (RATIO_PREFIX[r], cells[r]["rps"] / cells[peer]["rps"])
                 for r in measured if r in cells and peer in cells and cells[peer]["rps"]]
        return " / ".join(parts) or "—"

    rows = [[scenario, str(conns)] + [ratios(cells, peer) for peer in PEERS]
            for scenario, conns, cells in _measured_rows(summary)]
    return _table(["scenario", "conns"] + ["vs " + LABELS[p] for p in PEERS], rows)


def _memory_table(summary):
    rows = []
    for name in _columns(summary):
        mem = summary["memory"].get(name)
        if not mem:
            continue
        idle = ("%.1f KiB" % mem["idle_kib_per_conn"] if mem["idle_kib_per_conn"] is not None
                else "—")
        rows.append([LABELS[name], "%.1f MiB" % mem["peak_rss_mib"],
                     "%.1f MiB" % mem["peak_pss_mib"], idle,
                     "%s of %d" % (mem["idle_held"], summary["config"]["idle_connections"])])
    return _table(["system", "peak RSS under load", "peak PSS under load",
                   "RSS per idle connection", "idle connections kept open"], rows)


def _seconds(value, error):
    return "%.3f s" % value if value is not None else error or "?"


def _compiler_table(summary):
    timings = summary["compiler"]
    if not timings:
        return "Not measured in this run (--no-compiler)."
    if "error" in timings:
        return "Not measured: " + timings["error"] + "."
    rows = [[r["spec"], "{:,} bytes".format(r["bytes"]), _seconds(r["check_s"], r["check_error"]),
             _seconds(r["build_s"], r["build_error"])] for r in timings["rows"]]
    return _table(["spec", "size", "rflowc check", "rflowc build"], rows)


def _target_lines(summary, r="restflow"):
    """The issue's targets, each with the figures that decide it, for
    restflow as configured by `r`'s system."""
    t = summary["throughput"]
    if summary["systems"].get(r, {}).get("unavailable") or r not in summary["systems"]:
        return ["Pending until %s is measured." % r]

    def rps(scenario, conns, name):
        cell = t.get(scenario, {}).get(str(conns), {}).get(name)
        return cell["rps"] if cell else None

    lines = []

    def ratio_target(scenario, peer, minimum):
        for conns in summary["config"]["conns"]:
            a, b = rps(scenario, conns, r), rps(scenario, conns, peer)
            if a and b:
                verdict = "met" if a / b >= minimum else "MISSED"
                lines.append("%s at %d conns: %.2f× %s (target ≥ %g×): %s"
                             % (scenario, conns, a / b, LABELS[peer], minimum, verdict))

    ratio_target("retrieve", "nginx", 0.8)
    ratio_target("list", "drf", 50)
    ratio_target("create", "drf", 30)
    for peer in ("fastify", "ulfius"):
        if peer not in summary["systems"] or summary["systems"][peer].get("unavailable"):
            lines.append("ahead of %s everywhere: not measured in this run" % LABELS[peer])
            continue
        behind = [(s, c) for s in summary["config"]["scenarios"] for c in summary["config"]["conns"]
                  if rps(s, c, r) and rps(s, c, peer) and rps(s, c, r) <= rps(s, c, peer)]
        lines.append("ahead of %s everywhere: %s" % (
            LABELS[peer], "met" if not behind else
            "MISSED at " + ", ".join("%s/%d" % sc for sc in behind)))
    for scenario in ("retrieve", "list"):
        cell = t.get(scenario, {}).get("32", {}).get(r)
        if cell:
            lines.append("p99 at 32 conns, %s: %.2f ms (target < 5 ms): %s"
                         % (scenario, cell["p99_ms"], "met" if cell["p99_ms"] < 5 else "MISSED"))
    mem = summary["memory"].get(r)
    if mem:
        lines.append("peak RSS under load: %.1f MiB (target < 32 MiB): %s"
                     % (mem["peak_rss_mib"], "met" if mem["peak_rss_mib"] < 32 else "MISSED"))
    compiler_rows = (summary["compiler"] or {}).get("rows", []) if r == "restflow" else []
    for row in compiler_rows:
        if not row["spec"].startswith("generated"):
            continue
        if row["build_s"] is None:
            lines.append("rflowc build, 1,000 resources: %s (target < 1 s): MISSED"
                         % row["build_error"])
        else:
            lines.append("rflowc build, 1,000 resources: %.3f s (target < 1 s): %s"
                         % (row["build_s"], "met" if row["build_s"] < 1 else "MISSED"))
    return lines


def markdown(summary):
    cfg, m = summary["config"], summary["machine"]
    out = ["### Run of %s" % summary["started"], "",
           "%d round(s) × %d s per measurement (after %d s of warm-up per scenario), "
           "medians over the rounds; connections %s." % (
               cfg["rounds"], cfg["duration_s"], cfg["warmup_s"],
               ", ".join(str(c) for c in cfg["conns"])),
           "Machine: %s, %d GiB, Linux %s; %s; load average %s." % (
               m["cpu"], m["memory_gib"], m["kernel"], m["pinning"], m["load_average"]),
           "Versions: " + "; ".join("%s %s" % kv for kv in m["versions"].items()) + ".", "",
           "#### Requests per second", "",
           "† some requests failed (non-2xx, timeout or socket error); "
           "‡ wrk's core was ≥ %d%% busy: the client, not the server, may be the limit; "
           "§ with many connections neither the server (< %d%% of its core) nor wrk was "
           "busy: other work on the machine set the pace, read the CPU per request instead."
           % (CLIENT_BOUND * 100, SERVER_BUSY * 100), "", _grid(summary, _rps), "",
           "#### Latency, p50 / p99 (ms)", "", _grid(summary, _latency), "",
           "#### Server CPU time per request (µs)", "",
           "CPU time of the server's processes (and of PostgreSQL's, for restflow-pg) over "
           "the requests answered: what a request costs, and the figure least disturbed by "
           "other work on a shared machine.", "", _grid(summary, _cpu), "",
           "#### restflow's requests per second over each peer's", "", _ratio_table(summary), "",
           "#### Memory", "",
           "Peak over each round's measurements, median over rounds; RSS sums the "
           "processes (forked workers count their shared pages once each), PSS splits "
           "shared pages between them. Idle: %d keep-alive connections opened after one "
           "request each." % cfg["idle_connections"], "",
           _memory_table(summary), "",
           "#### Compiler", "",
           "Wall time, median of 5 runs (1 run when it takes over 5 s; stopped at 120 s).", "",
           _compiler_table(summary), "",
           "#### The issue's targets", ""]
    out += ["- " + line for line in _target_lines(summary)]
    for name, title in OTHER_MODES:
        if name in summary["systems"]:
            out += ["", title, ""]
            out += ["- " + line for line in _target_lines(summary, name)]
    notes = list(summary.get("notes", []))
    for name, info in summary["systems"].items():
        if info["unavailable"]:
            notes.append("%s: not measured: %s" % (LABELS[name], info["unavailable"]))
        for diff in info["differences_from_drf"]:
            notes.append("%s answers differently from DRF: %s" % (LABELS[name], diff))
    if notes:
        out += ["", "#### Notes", ""] + ["- " + n for n in notes]
    return "\n".join(out) + "\n"


def update_readme(path, text):
    with open(path, encoding="utf-8") as f:
        readme = f.read()
    begin, end = readme.index(README_BEGIN), readme.index(README_END)
    readme = readme[:begin + len(README_BEGIN)] + "\n\n" + text + "\n" + readme[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(readme)
