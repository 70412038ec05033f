#!/usr/bin/python3
"""The differential suite: the same requests to two servers, compared.

    tests/differential/run.py --spec shop                      # drf vs drf
    tests/differential/run.py --spec shop --b restflow=generated/shop/shop-server
    tests/differential/run.py --spec shop --a url=http://127.0.0.1:8001,db=a.db \\
                                          --b url=http://127.0.0.1:8002,db=b.db

Side A is the reference (by default the DRF twin, tests/drf/<spec>): the
scenarios' `expect` statuses are checked against it.  Side B defaults to a
second DRF twin, which is the harness's own test (make drf-self-check).
Scenarios are tests/differential/<spec>/*.py (vocabulary: dsl.py), the
users both servers get are tests/differential/<spec>/users.json, and the
deliberate differences are tests/differential/known_differences.

Exit status: 0 when every step matched, or differed only in ways listed in
known_differences; 1 on any other difference, a failed expectation or a
step that could not run; 2 on usage errors or servers that would not start.
See docs/differential.md.
"""
import argparse
import datetime
import fnmatch
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from client import SideState, StepError  # noqa: E402
from compare import (COMPARED_HEADERS, KnownDifferences, Normaliser, compare,  # noqa: E402
                     wait_tolerance)
from dsl import SqlStep  # noqa: E402
from servers import Setup, SideError, parse_side  # noqa: E402

KNOWN_DIFFERENCES = os.path.join(HERE, "known_differences")
SHOWN_BODY = 600


# ---------------------------------------------------------------------------
# Loading

def load_setup(spec, directory, twin):
    """users.json, and databases.json when the spec has more than one."""
    users_file = os.path.join(directory, "users.json")
    with open(users_file, encoding="utf-8") as f:
        users = json.load(f)
    databases = []
    databases_file = os.path.join(directory, "databases.json")
    if os.path.exists(databases_file):
        with open(databases_file, encoding="utf-8") as f:
            databases = json.load(f)
    return Setup(spec, users, users_file, databases, twin)


def load_scenarios(spec, directory, patterns):
    """Every scenario of the spec's files, in file order then list order."""
    scenarios = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".py"):
            continue
        module_spec = importlib.util.spec_from_file_location(
            "scenarios_%s_%s" % (spec, name[:-3]), os.path.join(directory, name))
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        scenarios.extend(module.SCENARIOS)
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError("scenario names used twice: %s" % ", ".join(duplicates))
    if patterns:
        scenarios = [s for s in scenarios
                     if any(fnmatch.fnmatchcase(s.name, p) for p in patterns)]
    return scenarios


def step_id(spec, scenario, step):
    return "%s/%s#%s" % (spec, scenario.name, step.label)


def client_ip(index):
    """The scenario's own anonymous client (198.18.0.0/15 is for testing):
    anonymous throttles count per X-Forwarded-For."""
    return "198.18.%d.%d" % divmod(index + 1, 256)


# ---------------------------------------------------------------------------
# Running

class Outcome:
    """One step's replies (or errors) on both sides, and its verdict."""

    def __init__(self, sid, step):
        self.id = sid
        self.step = step
        self.replies = [None, None]
        self.errors = [None, None]
        self.differences = []
        self.unexplained = []
        self.expectation = None
        self.seconds = [0.0, 0.0]   # the whole scenario's time on each side


def in_parallel(function, items):
    """function(item) for every item at once, each in its own thread."""
    threads = [threading.Thread(target=function, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_scenario(spec, index, scenario, sides, users):
    """Send the scenario to both sides at once (each its own sequence).
    After a step that cannot run, the side's later steps are not sent."""
    outcomes = [Outcome(step_id(spec, scenario, step), step) for step in scenario.steps]

    def run_side(n):
        state = SideState(sides[n], users, client_ip(index))
        failed = None
        started = time.monotonic()
        for outcome in outcomes:
            if failed:
                outcome.errors[n] = "not sent: step %s failed" % failed
                continue
            try:
                if isinstance(outcome.step, SqlStep):
                    state.run_sql(outcome.step)
                else:
                    outcome.replies[n] = state.send(outcome.step)
            except StepError as exc:
                outcome.errors[n] = str(exc)
                failed = outcome.step.label
        for outcome in outcomes:
            outcome.seconds[n] = time.monotonic() - started

    in_parallel(run_side, range(len(sides)))
    return outcomes


def judge(outcome, sides, normaliser, known):
    step = outcome.step
    if isinstance(step, SqlStep) or any(outcome.errors):
        return
    if step.expect is not None and outcome.replies[0].status != step.expect:
        outcome.expectation = "expected %d from %s, got %d" % (
            step.expect, sides[0].label(), outcome.replies[0].status)
    outcome.differences = compare(step, outcome.replies, sides, normaliser,
                                  wait_tolerance(max(outcome.seconds)))
    outcome.unexplained = [d for d in outcome.differences
                           if known is None or known.explain(outcome.id, d) is None]


def on_both(action, sides):
    """action(side) for both sides at once (starting and stopping servers
    takes seconds); the errors, one line per side."""
    errors = []

    def call(side):
        try:
            action(side)
        except (SideError, OSError) as exc:
            errors.append("%s: %s" % (side.label(), exc))

    in_parallel(call, sides)
    return errors


# ---------------------------------------------------------------------------
# Reporting

def show_reply(outcome, sides, normaliser):
    reply = outcome.replies[0]
    if reply is None:
        return
    for name in COMPARED_HEADERS:
        if reply.header(name) is not None:
            print("           | %s: %s" % (name, normaliser.text(reply.header(name), sides[0].base_url)))
    body = normaliser.text(reply.body.decode("utf-8", errors="replace"), sides[0].base_url)
    for line in body[:SHOWN_BODY].splitlines():
        print("           | " + line)
    if len(body) > SHOWN_BODY:
        print("           | ... (%d more characters)" % (len(body) - SHOWN_BODY))


def report_outcome(outcome, sides, known, verbose):
    labels = [s.label() for s in sides]
    problems = []
    for n, error in enumerate(outcome.errors):
        if error:
            problems.append("error on %s: %s" % (labels[n], error))
    if outcome.expectation:
        problems.append("scenario expectation failed: " + outcome.expectation)
    for difference in outcome.differences:
        entry = known.explain(outcome.id, difference) if known else None
        lines = difference.render(labels)
        if entry:
            lines[0] += "   [known: %s]" % entry.reason
        problems.extend(lines)
    failing = bool(outcome.unexplained or outcome.expectation or any(outcome.errors))
    if not problems and not verbose:
        return
    if isinstance(outcome.step, SqlStep):
        verdict = "fixture"
    elif failing:
        verdict = "MISMATCH" if outcome.unexplained else "FAIL"
    else:
        verdict = "known" if outcome.differences else "ok"
    statuses = "/".join(str(r.status) if r else "-" for r in outcome.replies)
    print("%-8s %s  %s  [%s]" % (verdict, outcome.id, outcome.step.describe(), statuses))
    for line in problems:
        print("           " + line)


def summary(outcomes, known, elapsed):
    steps = [o for o in outcomes if not isinstance(o.step, SqlStep)]
    counts = {
        "match": sum(1 for o in steps if not o.differences and not any(o.errors)),
        "known": sum(1 for o in steps if o.differences and not o.unexplained),
        "differ": sum(1 for o in steps if o.unexplained),
        "expectation": sum(1 for o in outcomes if o.expectation),
        "error": sum(1 for o in outcomes if any(o.errors)),
    }
    print()
    print("differential: %d requests: %d match, %d differ as documented, %d differ, "
          "%d failed expectations, %d errors (%.1f s)"
          % (len(steps), counts["match"], counts["known"], counts["differ"],
             counts["expectation"], counts["error"], elapsed))
    if known is not None:
        # Entries of another spec cannot match here: only this spec's are noted.
        spec = steps[0].id.split("/")[0] + "/" if steps else ""
        for entry in known.unused():
            if entry.pattern.startswith(spec) or entry.pattern[:1] in "*?[":
                print("note: known_differences:%d matched nothing in this run: %s"
                      % (entry.line, entry.pattern))
    return counts["differ"] + counts["expectation"] + counts["error"] == 0


# ---------------------------------------------------------------------------

def parse_arguments():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", required=True, help="the spec (tests/differential/SPEC/)")
    parser.add_argument("--dir", metavar="DIR",
                        help="the scenarios, users.json and databases.json "
                             "(default tests/differential/SPEC)")
    parser.add_argument("--twin", metavar="DIR",
                        help="the DRF twin's Django project (default tests/drf/SPEC)")
    parser.add_argument("--a", default="drf", help="the reference side (default drf)")
    parser.add_argument("--b", default="drf", help="the side under test (default drf)")
    parser.add_argument("--only", action="append", metavar="GLOB",
                        help="run only scenarios whose name matches (repeatable)")
    parser.add_argument("--known", default=KNOWN_DIFFERENCES,
                        help="the list of deliberate differences")
    parser.add_argument("--also-known", action="append", default=[], metavar="FILE",
                        help="more deliberate differences, for one kind of run "
                             "(known_differences.postgres)")
    parser.add_argument("--no-known", action="store_true",
                        help="accept no difference at all (the DRF-vs-DRF self-check)")
    parser.add_argument("--list", action="store_true", help="list the steps and exit")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work directory (databases, server logs)")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="print every step; twice: with side A's normalised reply")
    return parser.parse_args()


def list_steps(spec, scenarios):
    for scenario in scenarios:
        print("%s/%s: %s" % (spec, scenario.name, scenario.doc))
        for step in scenario.steps:
            print("    #%-12s %s" % (step.label, step.describe()))


def run(args):
    directory = args.dir or os.path.join(HERE, args.spec)
    scenarios = load_scenarios(args.spec, directory, args.only)
    if args.list:
        list_steps(args.spec, scenarios)
        return 0
    known = None
    if not args.no_known:
        known = KnownDifferences.load(args.known)
        for path in args.also_known:
            known.entries += KnownDifferences.load(path).entries
    setup = load_setup(args.spec, directory, os.path.abspath(args.twin) if args.twin else args.spec)
    sides = [parse_side("a", args.a), parse_side("b", args.b)]
    if any(side.kind == "restflow-pg" for side in sides):
        setup.int_ranges = "postgresql"
    workdir = tempfile.mkdtemp(prefix="rflow-differential-")
    normaliser = Normaliser(datetime.datetime.now(datetime.timezone.utc))
    started = time.monotonic()
    outcomes = []
    passed = False
    dead = []
    try:
        errors = on_both(lambda side: side.start(setup, workdir), sides)
        if errors:
            raise SideError("\n".join(errors))
        print("differential %s: a = %s at %s, b = %s at %s (started in %.1f s)"
              % (args.spec, sides[0].kind, sides[0].base_url, sides[1].kind, sides[1].base_url,
                 time.monotonic() - started))
        by_user = {u["username"]: u for u in setup.users}
        for index, scenario in enumerate(scenarios):
            for outcome in run_scenario(args.spec, index, scenario, sides, by_user):
                judge(outcome, sides, normaliser, known)
                report_outcome(outcome, sides, known, args.verbose)
                if args.verbose > 1:
                    show_reply(outcome, sides, normaliser)
                outcomes.append(outcome)
            dead = [side.died() for side in sides if side.died()]
            if dead:
                print("differential: stopped after %s: %s" % (scenario.name, "; ".join(dead)))
                break
        passed = summary(outcomes, known, time.monotonic() - started) and not dead
    finally:
        for error in on_both(lambda side: side.stop(), sides):
            print("differential: stopping %s" % error, file=sys.stderr)
        if args.keep or not passed:
            print("work directory (databases, server logs): %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


def main():
    args = parse_arguments()
    try:
        return run(args)
    except SideError as exc:
        print("differential: cannot start the servers:\n%s" % exc, file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print("differential: %s" % exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
