#!/usr/bin/python3
"""The browsable API of the shop server.

    test_browsable.py --server build/shop-server --out tests/out/ecosystem

1. Over HTTP: which requests get the HTML page (Accept, ?format=api) and
   which keep JSON; the page's headers (Content-Type, the CSP); values from
   the API escaped; DELETE's 204 shown as a 200 page; the schema route
   stays JSON.
2. In headless Chromium (browse.mjs): load the root, log in, follow a
   link, submit the create form and see the new object, page, PATCH,
   DELETE, log out and in again; screenshots kept in --out.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from eco import HERE, Failure, Server, expect, run_checks

HTML = "text/html; charset=utf-8"
XSS = "<script>alert('x')</script>"


class Shop:
    def __init__(self, binary, tmp):
        self.server = Server(binary, tmp)
        self.server.manage("createuser", "alice", "--password", "pw-alice")
        self.server.manage("createuser", "root", "--password", "pw-root", "--staff")
        self.token = self.server.manage("createtoken", "alice")
        self.admin = self.server.manage("createtoken", "root")
        self.base = "http://127.0.0.1:%d" % self.server.port

    def call(self, method, path, body=None, token=None, accept="application/json"):
        headers = {"Accept": accept}
        if token:
            headers["Authorization"] = "Token " + token
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        return self.server.request(method, path, data, headers)

    def create(self, name, token=None):
        status, _, body = self.call("POST", "/api/products/",
                                    {"name": name, "price": "5.00", "is_top": True},
                                    token or self.token)
        expect(status, 201, "creating " + name)
        return json.loads(body)["id"]


def negotiation(shop):
    status, headers, body = shop.call("GET", "/api/products/", accept="text/html")
    expect((status, headers.get("Content-Type")), (200, HTML), "Accept: text/html")
    if "default-src 'none'" not in headers.get("Content-Security-Policy", ""):
        raise Failure("no Content-Security-Policy on the page")
    expect(body.startswith("<!DOCTYPE html>"), True, "an HTML document")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    expect(shop.call("GET", "/api/", accept=browser)[1].get("Content-Type"), HTML,
           "a browser's Accept")
    expect(shop.call("GET", "/api/products/?format=api", accept="*/*")[1].get("Content-Type"),
           HTML, "?format=api")
    for accept in ("application/json", "*/*", "text/html;q=0.5, application/json"):
        expect(shop.call("GET", "/api/products/", accept=accept)[1].get("Content-Type"),
               "application/json", "Accept: " + accept)
    expect(shop.call("GET", "/api/schema/", accept=browser)[1].get("Content-Type"),
           "application/json", "the schema for a browser")


def escaping(shop):
    shop.create(XSS)
    _, _, body = shop.call("GET", "/api/products/", accept="text/html")
    if XSS in body:
        raise Failure("a product's name reached the page unescaped")
    if "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" not in body and \
       "&lt;script&gt;alert('x')&lt;/script&gt;" not in body:
        raise Failure("the escaped name is missing from the page")
    if "\\u003cscript>" not in body:
        raise Failure("the page's JSON data does not escape '<'")


def delete_page(shop):
    pid = shop.create("To delete", shop.admin)
    status, headers, body = shop.call("DELETE", "/api/products/%d/" % pid, token=shop.admin,
                                      accept="text/html")
    expect((status, headers.get("Content-Type")), (200, HTML), "DELETE for a browser")
    if "HTTP 204 No Content" not in body:
        raise Failure("the page does not show the 204")
    status, _, _ = shop.call("GET", "/api/products/%d/" % pid, token=shop.admin)
    expect(status, 404, "the deleted product")


def in_chromium(shop, out):
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        if old.startswith("browsable-") and old.endswith(".png"):
            os.remove(os.path.join(out, old))
    for i in range(3):
        shop.create("Filler %d" % i)
    r = subprocess.run(["node", os.path.join(HERE, "browse.mjs"), shop.base, shop.token,
                        "alice", "pw-alice", os.path.abspath(out)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    print(r.stdout, end="")
    if r.returncode:
        raise Failure("browse.mjs failed; screenshots in " + out)
    print("      screenshots: %s" % ", ".join(sorted(
        os.path.join(out, f) for f in os.listdir(out) if f.endswith(".png"))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True, help="the shop server")
    ap.add_argument("--out", required=True, help="where screenshots go")
    args = ap.parse_args()
    if not os.path.exists("/usr/bin/chromium"):
        sys.exit("chromium is not installed (tools/deps.sh test installs it)")
    tmp = tempfile.mkdtemp(prefix="rf-browsable-")
    shop = None
    try:
        shop = Shop(args.server, tmp)
        return run_checks([
            ("who gets the page (Accept, ?format=api) and who keeps JSON",
             lambda: negotiation(shop)),
            ("values from the API are escaped", lambda: escaping(shop)),
            ("DELETE's 204 is a page", lambda: delete_page(shop)),
            ("a person's visit in headless Chromium", lambda: in_chromium(shop, args.out)),
        ])
    finally:
        if shop:
            shop.server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
