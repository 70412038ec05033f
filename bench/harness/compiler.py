"""How long rflowc takes: `rflowc build` on a generated spec of 1,000
resources, on the bench spec and on the example specs."""
import glob
import os
import statistics
import subprocess
import time

from . import systems

RFLOWC = os.path.join(systems.BUILD, "rflowc")
REPEAT = 5
SLOW = 5.0        # seconds: a run this slow is not repeated
LIMIT = 120       # seconds: a run is stopped here


def _time(argv):
    """Median wall time of up to REPEAT runs, or why there is none."""
    times = []
    while len(times) < REPEAT and (not times or times[0] < SLOW):
        start = time.perf_counter()
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=LIMIT)
        except subprocess.TimeoutExpired:
            return None, "did not finish in %d s (stopped)" % LIMIT
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["exit %d" % done.returncode]
            return None, lines[0][:200]
    return statistics.median(times), None


def specs(workdir):
    generated = os.path.join(workdir, "generated-1000.rflow")
    subprocess.run([os.path.join(systems.HERE, "gen_spec.py"), "--resources", "1000",
                    "-o", generated], check=True)
    found = [("generated, 1000 resources", generated),
             ("bench/restflow/bench.rflow", os.path.join(systems.HERE, "restflow", "bench.rflow"))]
    for path in sorted(glob.glob(os.path.join(systems.ROOT, "specs", "*.rflow"))):
        found.append((os.path.relpath(path, systems.ROOT), path))
    return found


def timings(workdir):
    if not os.path.exists(RFLOWC):
        return {"error": "rflowc is not built"}
    rows = []
    for label, path in specs(workdir):
        out = os.path.join(workdir, "rflowc-out")
        check, check_error = _time([RFLOWC, "check", path])
        build, build_error = _time([RFLOWC, "build", path, "-o", out])
        rows.append({"spec": label, "bytes": os.path.getsize(path),
                     "check_s": check, "check_error": check_error,
                     "build_s": build, "build_error": build_error})
    return {"rows": rows}
