#!/usr/bin/python3
"""The OpenAPI documents of the example specs, and the served API against
them.

    test_openapi.py --rflowc build/rflowc --server build/shop-server

1. `rflowc openapi` for every spec in specs/: deterministic, valid for
   @apidevtools/swagger-parser (validate_openapi.mjs), and sound where that
   validator looks no further: operationIds unique, every path template
   variable declared as a path parameter and no other, every $ref
   resolving.
2. The shop server serves the same document at /api/schema/, at another
   path with --schema-path, and nowhere with --schema-path none.
3. The shop API answers as its document says: requests covering every
   operation (successes and the errors a client meets) are recorded and
   check_responses.mjs validates each status and body against the
   document with Ajv (JSON Schema 2020-12).  The blog and events servers
   likewise, for an anonymous GET of every path without a capture.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from eco import HERE, ROOT, Failure, Server, expect, run_checks

SPECS = sorted(glob.glob(os.path.join(ROOT, "specs", "*.rflow")))


def document(rflowc, spec):
    r = subprocess.run([rflowc, "openapi", spec], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    if r.returncode:
        raise Failure("rflowc openapi %s exited %d" % (spec, r.returncode))
    return r.stdout


def node(script, *args):
    r = subprocess.run(["node", os.path.join(HERE, script)] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(r.stdout, end="")
    if r.returncode:
        raise Failure("%s failed" % script)


def refs(node_, out):
    if isinstance(node_, dict):
        for k, v in node_.items():
            if k == "$ref":
                out.append(v)
            else:
                refs(v, out)
    elif isinstance(node_, list):
        for v in node_:
            refs(v, out)
    return out


def resolve(doc, ref):
    target = doc
    for part in ref.lstrip("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            return None
        target = target[part]
    return target


def sound(doc, name):
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    expect(dupes, [], "%s: operationIds used twice" % name)
    for path, item in doc["paths"].items():
        variables = re.findall(r"\{([^}]+)\}", path)
        for method, op in item.items():
            declared = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            expect(declared, variables, "%s: %s %s path parameters" % (name, method, path))
    broken = [r for r in refs(doc, []) if resolve(doc, r) is None]
    expect(broken, [], "%s: $refs that resolve to nothing" % name)


def documents_are_valid(rflowc, tmp):
    files = []
    for spec in SPECS:
        name = os.path.basename(spec)
        text = document(rflowc, spec)
        expect(document(rflowc, spec), text, "%s: a second run" % name)
        path = os.path.join(tmp, name + ".json")
        with open(path, "wb") as f:
            f.write(text)
        sound(json.loads(text), name)
        files.append(path)
    node("validate_openapi.mjs", *files)


def served(rflowc, binary, tmp):
    want = json.loads(document(rflowc, os.path.join(ROOT, "specs", "shop.rflow")))
    for args, path, absent in [([], "/api/schema/", None),
                               (["--schema-path", "/docs/openapi.json"], "/docs/openapi.json",
                                "/api/schema/"),
                               (["--schema-path", "none"], None, "/api/schema/")]:
        server = Server(binary, tmp, args=args)
        try:
            if path:
                status, headers, body = server.get(path)
                expect((status, headers.get("Content-Type")), (200, "application/json"),
                       "GET " + path)
                expect(json.loads(body), want, "the served document at " + path)
                status, headers, body = server.request("OPTIONS", path)
                expect((status, json.loads(body)["renders"], headers.get("Allow")),
                       (200, ["application/json"], "GET, HEAD, OPTIONS"), "OPTIONS " + path)
            if absent:
                expect(server.get(absent)[0], 404, "GET %s with %s" % (absent, args))
        finally:
            server.stop()


class Recorder:
    """Requests to the shop server, each recorded with its operation."""

    def __init__(self, server, token):
        self.server, self.token, self.records = server, token, []

    def call(self, method, template, what, body=None, auth=True, content_type=None, **kw):
        path = template.format(**kw)
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = "Token " + self.token
        data = None
        if body is not None:
            data = body if isinstance(body, str) else json.dumps(body)
            headers["Content-Type"] = content_type or "application/json"
        status, _, text = self.server.request(method, path, data, headers)
        self.records.append({"path": re.sub(r"\?.*", "", template), "method": method.lower(),
                             "status": status, "what": what,
                             "body": json.loads(text) if text else None})
        return status, json.loads(text) if text else None


def exercise_shop(r):
    """Every operation the shop's hooks and data allow (a review cannot be
    created through the API: its product is read-only, as in DRF, where
    the insert fails too)."""
    status, product = r.call("POST", "/api/products/", "create",
                             {"name": "Lamp", "price": "19.90", "is_top": True})
    expect(status, 201, "creating a product")
    pid = product["id"]
    r.call("POST", "/api/products/", "invalid", {"name": "", "price": "x"})
    r.call("POST", "/api/products/", "anonymous", {"name": "A", "price": "1.00"}, auth=False)
    r.call("POST", "/api/products/", "text/plain", "hello", content_type="text/plain")
    r.call("GET", "/api/products/", "list")
    r.call("GET", "/api/products/?page=9", "a page past the end")
    r.call("GET", "/api/products/?price=abc", "a bad filter value")
    r.call("GET", "/api/products/{id}/", "retrieve", id=pid)
    r.call("GET", "/api/products/{id}/", "missing", id=999999)
    r.call("PUT", "/api/products/{id}/", "update",
           {"name": "Lamp 2", "price": "21.00", "is_top": True}, id=pid)
    r.call("PATCH", "/api/products/{id}/", "partial update", {"description": "Bright."}, id=pid)
    r.call("PATCH", "/api/products/{id}/", "invalid partial", {"price": "0"}, id=pid)
    r.call("POST", "/api/products/{id}/publish/", "publish", id=pid)
    r.call("GET", "/api/products/{product_id}/reviews/", "nested reviews", product_id=pid)
    r.call("GET", "/api/reviews/", "list reviews")
    r.call("GET", "/api/top-products/", "top products")
    r.call("POST", "/api/top-products/", "create top product",
           {"name": "Desk", "price": "120.00", "is_top": True})
    r.call("DELETE", "/api/reviews/{pk}/", "destroy a missing review", pk=999999)
    r.call("DELETE", "/api/products/{id}/", "destroy (not an admin)", id=pid)


def answers_match(rflowc, binary, tmp):
    os.makedirs(tmp)
    doc_path = os.path.join(tmp, "shop-doc.json")
    with open(doc_path, "wb") as f:
        f.write(document(rflowc, os.path.join(ROOT, "specs", "shop.rflow")))
    server = Server(binary, tmp)
    try:
        server.manage("createuser", "alice", "--password", "pw-alice")
        token = server.manage("createtoken", "alice")
        recorder = Recorder(server, token)
        exercise_shop(recorder)
    finally:
        server.stop()
    records = os.path.join(tmp, "shop-records.json")
    with open(records, "w") as f:
        json.dump(recorder.records, f)
    node("check_responses.mjs", doc_path, records)


# Hooks that answer JSON of their own rather than their view's serializer
# (the document names the hook: x-restflow-hook).
OWN_BODIES = {"/api/checkout/": "events_checkout_quote answers a price quote"}


def anonymous_gets_match(rflowc, build, spec, dbs, tmp):
    """Every path of the document without a capture, GET anonymously."""
    os.makedirs(tmp)
    text = document(rflowc, os.path.join(ROOT, "specs", spec + ".rflow"))
    doc_path = os.path.join(tmp, spec + "-doc.json")
    with open(doc_path, "wb") as f:
        f.write(text)
    paths = [p for p, item in json.loads(text)["paths"].items() if "{" not in p and "get" in item]
    server = Server(os.path.join(build, spec + "-server"), tmp, dbs)
    records = []
    try:
        for path in paths:
            status, _, body = server.get(path)
            records.append({"path": path, "method": "get", "status": status,
                            "what": OWN_BODIES.get(path, "anonymous"),
                            "unchecked_body": path in OWN_BODIES,
                            "body": json.loads(body) if body else None})
    finally:
        server.stop()
    records_path = os.path.join(tmp, spec + "-records.json")
    with open(records_path, "w") as f:
        json.dump(records, f)
    node("check_responses.mjs", doc_path, records_path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rflowc", required=True)
    ap.add_argument("--server", required=True, help="the shop server")
    args = ap.parse_args()
    build = os.path.dirname(os.path.abspath(args.server))
    tmp = tempfile.mkdtemp(prefix="rf-openapi-")
    try:
        return run_checks([
            ("documents of every spec: deterministic, valid, sound",
             lambda: documents_are_valid(args.rflowc, tmp)),
            ("the server serves its document (and --schema-path moves it)",
             lambda: served(args.rflowc, args.server, os.path.join(tmp, "served"))),
            ("the shop API answers as its document says",
             lambda: answers_match(args.rflowc, args.server, os.path.join(tmp, "shop"))),
            ("the blog API's anonymous GETs answer as its document says",
             lambda: anonymous_gets_match(args.rflowc, build, "blog", ("default", "analytics"),
                                          os.path.join(tmp, "blog"))),
            ("the events API's anonymous GETs answer as its document says",
             lambda: anonymous_gets_match(args.rflowc, build, "events", ("default",),
                                          os.path.join(tmp, "events"))),
        ])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
