"""Before anything is measured, every system must answer the same requests
with the same status and body as Django REST Framework does (the reference):
the scenarios' own requests, and the error paths around them, so that no
peer is fast because it skips work DRF does.

Bodies are compared after the one part that must differ is masked: the
host:port in absolute links, and for create the new id and timestamp."""
import http.client
import json
import re

from . import data

TOKEN = "Token " + data.bench_token()
JSON = "application/json"


def get(path, **headers):
    return ("GET", path, headers, None)


def post(body, token=TOKEN, content_type=JSON):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = token
    raw = body if isinstance(body, str) else json.dumps(body)
    return ("POST", "/api/products/", headers, raw)


VALID = {"name": "Bench product", "description": "Created by wrk", "price": "12.50",
         "is_top": False}

# (name, request, the scenarios a system must pass it for)
CHECKS = [
    ("ping", get("/api/ping/")),
    ("retrieve", get("/api/products/%d/" % data.RETRIEVE_ID)),
    ("retrieve no review", get("/api/products/%d/" % data.NO_REVIEW_ID)),
    ("retrieve not top", get("/api/products/13/")),
    ("retrieve missing", get("/api/products/999999/")),
    ("retrieve bad id", get("/api/products/abc/")),
    ("retrieve bad token", get("/api/products/12/", Authorization="Token nope")),
    ("list", get("/api/products/?is_top=true&ordering=-price")),
    ("list default", get("/api/products/")),
    ("list page 2", get("/api/products/?is_top=true&ordering=-price&page=2")),
    ("list last", get("/api/products/?ordering=price&page=last")),
    ("list page 0", get("/api/products/?page=0")),
    ("list page past", get("/api/products/?page=999")),
    ("list page text", get("/api/products/?page=abc")),
    ("list page size", get("/api/products/?page_size=3&ordering=created_at,bogus")),
    ("list page size cap", get("/api/products/?page_size=1000&page=2")),
    ("list page size bad", get("/api/products/?page_size=-1")),
    ("list not top", get("/api/products/?is_top=false")),
    ("list top yes", get("/api/products/?is_top=yes&page_size=2")),
    ("list price", get("/api/products/?price=%s" % data.product_price(data.RETRIEVE_ID))),
    ("list price bad", get("/api/products/?price=abc")),
    ("list ordering unknown", get("/api/products/?ordering=bogus&page_size=2")),
    ("list encoded", get("/api/products/?ordering=-price%2Cid&x=a+b%7E&page_size=1")),
    ("create", post(VALID)),
    ("create minimal", post({"name": "  Trimmed  ", "price": 3})),
    ("create no token", post(VALID, token=None)),
    ("create bad token", post(VALID, token="Token 0000")),
    ("create empty", post({})),
    ("create nulls", post({"name": None, "description": None, "price": None, "is_top": None})),
    ("create blank", post({"name": "   ", "price": "1"})),
    ("create long", post({"name": "x" * 201, "price": "1"})),
    ("create types", post({"name": ["a"], "price": "abc", "is_top": "maybe"})),
    ("create digits", post({"name": "a", "price": "123456789.5"})),
    ("create places", post({"name": "a", "price": "1.234"})),
    ("create whole", post({"name": "a", "price": "123456789"})),
    ("create negative", post({"name": "a", "price": "-1"})),
    ("create exp", post({"name": "a", "price": "1.5e1", "is_top": "yes"})),
    ("create list", post([1, 2])),
    ("create form", post("name=a", content_type="text/plain")),
]


def normalise(method, body, host):
    """Mask what legitimately differs between systems."""
    text = body.replace(host, "HOST")
    if method == "POST":
        text = re.sub(r'^\{"id":\d+,', '{"id":ID,', text)
        text = re.sub(r'"created_at":"[^"]*"', '"created_at":"NOW"', text)
    return text


def fetch(port, request):
    """One request on a fresh connection: (status, WWW-Authenticate, body)."""
    method, path, headers, body = request
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        return resp.status, resp.getheader("WWW-Authenticate"), text
    finally:
        conn.close()


def checks_for(scenarios):
    """The checks a system serving `scenarios` must pass: all of them for a
    whole API, only the scenarios' own requests for a static server."""
    if all(s in scenarios for s in ("ping", "retrieve", "list", "create")):
        return CHECKS
    return [(name, req) for name, req in CHECKS if name in scenarios]


def answers(port, checks):
    """Each check's normalised answer from the system on `port`."""
    host = "127.0.0.1:%d" % port
    out = {}
    for name, request in checks:
        status, www_auth, body = fetch(port, request)
        out[name] = (status, www_auth, normalise(request[0], body, host))
    return out


def differences(reference, candidate, wanted):
    """One line per check in `wanted` whose answer differs: the statuses, or
    the bodies around their first difference."""
    lines = []
    for name in wanted:
        ref, got = reference[name], candidate[name]
        if ref == got:
            continue
        if ref[:2] != got[:2]:
            lines.append("%s: status/WWW-Authenticate %s, DRF %s" % (name, got[:2], ref[:2]))
            continue
        at = next((i for i, (a, b) in enumerate(zip(ref[2], got[2])) if a != b),
                  min(len(ref[2]), len(got[2])))
        lines.append("%s: body differs at byte %d: DRF ...%s... here ...%s..."
                     % (name, at, ref[2][max(0, at - 30):at + 50], got[2][max(0, at - 30):at + 50]))
    return lines
