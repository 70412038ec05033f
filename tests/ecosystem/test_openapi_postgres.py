#!/usr/bin/python3
"""The OpenAPI document on PostgreSQL, where Django gives integer model
fields their column's range and DRF's schema shows it (minimum /
maximum); on SQLite there is none.

    test_openapi_postgres.py --rflowc build/rflowc --server build/shop-server \\
        --pg-url postgresql://...

1. `rflowc openapi --database postgresql` of tests/golden/codegen/ranges.rflow
   gives each field the minimum / maximum real DRF 3.14 gives it
   (tests/vectors/openapi_ranges.json), and the SQLite document DRF's on
   SQLite; nothing else differs; `--database sqlite` is the default.
2. Every spec's PostgreSQL document is valid (validate_openapi.mjs) and
   sound.
3. The ranges server, built from that spec, serves on each database
   exactly (byte for byte) the compact form of that database's document.
4. The ranges and shop APIs on PostgreSQL answer as their PostgreSQL
   documents say (check_responses.mjs, as test_openapi.py on SQLite).
"""
import argparse
import decimal
import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

from eco import ROOT, Failure, Server, expect, run_checks
from test_openapi import Recorder, exercise_shop, node, sound

RANGES = os.path.join(ROOT, "tests", "golden", "codegen", "ranges.rflow")
VECTORS = os.path.join(ROOT, "tests", "vectors", "openapi_ranges.json")
SHOP = os.path.join(ROOT, "specs", "shop.rflow")
LIMITS = ("minimum", "maximum")
COMPONENTS = ("Meter", "PatchedMeter")


def rflowc_openapi(rflowc, spec, *options):
    r = subprocess.run([rflowc, "openapi", spec] + list(options), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode:
        raise Failure("rflowc openapi %s %s exited %d: %s"
                      % (spec, " ".join(options), r.returncode, r.stderr.decode()))
    return r.stdout


def parse(text):
    """JSON with numbers kept exact (a decimal limit stays as written)."""
    return json.loads(text, parse_float=decimal.Decimal)


def compact(text):
    """The document as the server serves it: whitespace between tokens
    dropped, everything else byte for byte."""
    out, in_string, escaped = [], False, False
    for ch in text.decode():
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch not in " \n\t\r":
            out.append(ch)
            in_string = ch == '"'
    return "".join(out)


def limits_of(doc, component):
    props = doc["components"]["schemas"][component]["properties"]
    return {name: {k: p[k] for k in LIMITS if k in p} for name, p in props.items()}


def without_limits(doc):
    for component in COMPONENTS:
        for p in doc["components"]["schemas"][component]["properties"].values():
            for k in LIMITS:
                p.pop(k, None)
    return doc


def ranges_as_drf_shows_them(rflowc):
    with open(VECTORS) as f:
        vectors = json.load(f)
    sqlite = parse(rflowc_openapi(rflowc, RANGES))
    postgres = parse(rflowc_openapi(rflowc, RANGES, "--database", "postgresql"))
    for component in COMPONENTS:
        expect(limits_of(postgres, component), vectors["postgresql"],
               "%s on PostgreSQL (minimum / maximum per field)" % component)
        expect(limits_of(sqlite, component), vectors["sqlite3"],
               "%s on SQLite (minimum / maximum per field)" % component)
    expect(without_limits(postgres), without_limits(sqlite),
           "the two documents, minimum / maximum aside")
    expect(rflowc_openapi(rflowc, RANGES, "--database=sqlite"), rflowc_openapi(rflowc, RANGES),
           "--database=sqlite and no --database")
    r = subprocess.run([rflowc, "openapi", RANGES, "--database", "mysql"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    expect((r.returncode, r.stdout, r.stderr.splitlines()[0]),
           (2, "", "rflowc: invalid --database value 'mysql' (sqlite or postgresql)"),
           "--database mysql")


def postgres_documents_are_valid(rflowc, tmp):
    os.makedirs(tmp)
    files = []
    for spec in sorted(glob.glob(os.path.join(ROOT, "specs", "*.rflow"))) + [RANGES]:
        name = os.path.basename(spec)
        text = rflowc_openapi(rflowc, spec, "--database", "postgresql")
        sound(json.loads(text), name + " (PostgreSQL)")
        path = os.path.join(tmp, name + ".postgres.json")
        with open(path, "wb") as f:
            f.write(text)
        files.append(path)
    node("validate_openapi.mjs", *files)


def build_ranges_server(rflowc, build, tmp):
    out = os.path.join(tmp, "src")
    subprocess.run([rflowc, "build", RANGES, "-o", out], check=True)
    subprocess.run(["make", "-s", "-C", out, "RESTFLOW=" + ROOT,
                    "RF_LIB=" + os.path.join(build, "librestflow.a"), "OUT=" + tmp],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(tmp, "ranges-server")


def serves_each_databases_document(rflowc, binary, pg_url, tmp):
    for label, urls, options in [("SQLite", None, ()),
                                 ("PostgreSQL", {"default": pg_url}, ("--database", "postgresql"))]:
        want = compact(rflowc_openapi(rflowc, RANGES, *options))
        server = Server(binary, os.path.join(tmp, label), urls=urls)
        try:
            status, headers, body = server.get("/api/schema/")
        finally:
            server.stop()
        expect((status, headers.get("Content-Type")), (200, "application/json"),
               "GET /api/schema/ on " + label)
        expect(body, want, "the document served on " + label)


def check_answers(doc_text, records, tmp, name):
    doc_path = os.path.join(tmp, name + "-doc.json")
    with open(doc_path, "wb") as f:
        f.write(doc_text)
    records_path = os.path.join(tmp, name + "-records.json")
    with open(records_path, "w") as f:
        json.dump(records, f)
    node("check_responses.mjs", doc_path, records_path)


def exercise_ranges(r):
    """The ranges spec has no authentication: every request is anonymous.
    loose stays within int32: its own looser limit lets 10**12 through
    validation, as in DRF, and the integer column then refuses it (500 in
    both)."""
    call = functools.partial(r.call, auth=False)
    status, meter = call("POST", "/api/meters/", "create",
                           {"count": 2147483647, "big": -9223372036854775808, "floor": 5,
                            "ceiling": 100, "loose": 2147483647, "both": 9, "kind": 2})
    expect(status, 201, "creating a meter at the ranges' edges")
    call("POST", "/api/meters/", "past the ranges",
           {"count": 2147483648, "big": 0, "floor": -1, "ceiling": 101,
            "loose": 1000000000001, "both": 0})
    call("GET", "/api/meters/", "list")
    call("GET", "/api/meters/{pk}/", "retrieve", pk=meter["id"])
    call("PATCH", "/api/meters/{pk}/", "partial update", {"count": -2147483648}, pk=meter["id"])
    call("PATCH", "/api/meters/{pk}/", "invalid partial", {"count": -2147483649},
           pk=meter["id"])
    call("DELETE", "/api/meters/{pk}/", "destroy", pk=meter["id"])


def apis_answer_as_documented(rflowc, ranges_binary, shop_binary, pg_url, tmp):
    os.makedirs(tmp)
    urls = {"default": pg_url}
    server = Server(ranges_binary, os.path.join(tmp, "ranges"), urls=urls)
    try:
        recorder = Recorder(server, None)
        exercise_ranges(recorder)
    finally:
        server.stop()
    expect([x["status"] for x in recorder.records], [201, 400, 200, 200, 200, 400, 204],
           "the ranges API's statuses on PostgreSQL")
    expect(recorder.records[1]["body"],
           {"count": ["Ensure this value is less than or equal to 2147483647."],
            "floor": ["Ensure this value is greater than or equal to 5."],
            "ceiling": ["Ensure this value is less than or equal to 100."],
            "loose": ["Ensure this value is less than or equal to 1000000000000."],
            "both": ["Ensure this value is greater than or equal to 1."]},
           "the errors past the ranges on PostgreSQL")
    check_answers(rflowc_openapi(rflowc, RANGES, "--database", "postgresql"),
                  recorder.records, tmp, "ranges")
    server = Server(shop_binary, os.path.join(tmp, "shop"), urls=urls)
    try:
        server.manage("createuser", "alice", "--password", "pw-alice")
        recorder = Recorder(server, server.manage("createtoken", "alice"))
        exercise_shop(recorder)
    finally:
        server.stop()
    check_answers(rflowc_openapi(rflowc, SHOP, "--database", "postgresql"),
                  recorder.records, tmp, "shop")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rflowc", required=True)
    ap.add_argument("--server", required=True, help="the shop server")
    ap.add_argument("--pg-url", required=True, help="a PostgreSQL database for the servers")
    args = ap.parse_args()
    build = os.path.dirname(os.path.abspath(args.server))
    tmp = tempfile.mkdtemp(prefix="rf-openapi-pg-")
    try:
        ranges_server = build_ranges_server(args.rflowc, build, os.path.join(tmp, "ranges"))
        return run_checks([
            ("rflowc openapi --database: DRF's minimum / maximum per database",
             lambda: ranges_as_drf_shows_them(args.rflowc)),
            ("every spec's PostgreSQL document: valid, sound",
             lambda: postgres_documents_are_valid(args.rflowc, os.path.join(tmp, "docs"))),
            ("the ranges server serves each database's document, byte for byte",
             lambda: serves_each_databases_document(args.rflowc, ranges_server, args.pg_url,
                                                    os.path.join(tmp, "served"))),
            ("the ranges and shop APIs on PostgreSQL answer as their documents say",
             lambda: apis_answer_as_documented(args.rflowc, ranges_server, args.server,
                                               args.pg_url, os.path.join(tmp, "answers"))),
        ])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
