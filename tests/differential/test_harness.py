#!/usr/bin/python3
"""Tests of the differential harness itself (stdlib unittest).

A DRF-vs-DRF run proves that the harness finds no difference where there is
none; these tests prove that it finds the differences there are, normalises
only what docs/differential.md says, and honours known_differences.
"""
import contextlib
import datetime
import http.server
import io
import os
import shutil
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run  # noqa: E402
from client import Reply, SideState, StepError, extract  # noqa: E402
from compare import KnownDifferences, Normaliser, compare, wait_tolerance  # noqa: E402
from dsl import GET, POST, SQL, repeat, scenario  # noqa: E402
from servers import Setup, SideError, UrlSide, database_file, parse_side  # noqa: E402

NOW = datetime.datetime.now(datetime.timezone.utc)
A, B = "http://127.0.0.1:1001", "http://127.0.0.1:2002"


def now_text(separator="T", suffix="Z"):
    return NOW.strftime("%Y-%m-%d" + separator + "%H:%M:%S.123456") + suffix


def reply(status=200, body=b"", headers=()):
    return Reply(status, [(k.lower(), v) for k, v in headers], body)


def differences(ra, rb, step=None):
    sides = [UrlSide("a", A), UrlSide("b", B)]
    return compare(step or GET("/"), [ra, rb], sides, Normaliser(NOW))


def aspects(ra, rb, step=None):
    return [d.aspect for d in differences(ra, rb, step)]


class NormaliserTest(unittest.TestCase):
    def setUp(self):
        self.n = Normaliser(NOW)

    def test_host_of_the_side_only(self):
        self.assertEqual(self.n.text('{"next":"%s/api/?page=2"}' % A, A),
                         '{"next":"http://<host>/api/?page=2"}')
        self.assertEqual(self.n.text("http://example.com/x", A), "http://example.com/x")

    def test_timestamps_of_the_run_become_placeholders(self):
        self.assertEqual(self.n.text('"%s"' % now_text(), A), '"<now|T|Z>"')
        self.assertEqual(self.n.text(now_text(" ", "+00:00"), A), "<now| |+00:00>")
        self.assertEqual(self.n.text(now_text()[:19], A), "<now|T|>")

    def test_other_timestamps_are_kept(self):
        for text in ("2020-01-01T00:00:00Z", "2031-05-05T10:00:00.500000+02:00"):
            self.assertEqual(self.n.text(text, A), text)

    def test_a_wrong_fraction_stays_visible(self):
        self.assertNotEqual(self.n.text(now_text()[:23] + "Z", A), self.n.text(now_text(), A))

    def test_cursor_positions_are_decoded_and_normalised(self):
        import base64
        import urllib.parse
        position = "o=1&p=" + urllib.parse.quote(now_text(" ", "+00:00"))
        cursor = urllib.parse.quote(base64.b64encode(position.encode()).decode())
        self.assertEqual(self.n.text("%s/api/?cursor=%s" % (A, cursor), A),
                         "http://<host>/api/?cursor=<o=1&p=<now| |+00:00>>")


class CompareTest(unittest.TestCase):
    def test_identical_replies(self):
        r = reply(200, b'{"a":1}', [("Content-Type", "application/json")])
        self.assertEqual(aspects(r, r), [])

    def test_status(self):
        self.assertEqual(aspects(reply(200), reply(201)), ["status"])

    def test_compared_headers_only(self):
        ra = reply(200, b"{}", [("Allow", "GET, OPTIONS"), ("Server", "gunicorn")])
        rb = reply(200, b"{}", [("Allow", "GET, HEAD, OPTIONS"), ("Server", "restflow")])
        self.assertEqual(aspects(ra, rb), ["header:allow"])

    def test_missing_header(self):
        self.assertEqual(aspects(reply(401, b"{}", [("WWW-Authenticate", "Token")]),
                                 reply(401, b"{}")), ["header:www-authenticate"])

    def test_content_length_only_for_empty_bodies(self):
        self.assertEqual(aspects(reply(200, b"{}", [("Content-Length", "2")]),
                                 reply(200, b"{}", [("Content-Length", "3")])), [])
        self.assertEqual(aspects(reply(204, b"", [("Content-Length", "0")]), reply(204, b"")),
                         ["header:content-length"])

    def test_location_host_is_normalised(self):
        self.assertEqual(aspects(reply(301, b"", [("Location", A + "/x/")]),
                                 reply(301, b"", [("Location", B + "/x/")])), [])

    def test_body_bytes_count(self):
        self.assertEqual(aspects(reply(200, b'{"a":1,"b":2}'), reply(200, b'{"b":2,"a":1}')),
                         ["body"])
        self.assertEqual(aspects(reply(200, b'{"a":1}'), reply(200, b'{"a": 1}')), ["body"])
        self.assertEqual(aspects(reply(200, b'{"p":"1.50"}'), reply(200, b'{"p":"1.5"}')),
                         ["body"])

    def test_body_diff_is_readable(self):
        found = differences(reply(200, b'{"a":1,"b":[1,2]}'), reply(200, b'{"a":1,"b":[1,3]}'))
        self.assertIn('-    2', found[0].detail)
        self.assertIn('+    3', found[0].detail)
        same_value = differences(reply(200, b'{"a":1}'), reply(200, b'{"a": 1}'))
        self.assertEqual(same_value[0].detail[0], "same JSON value, different bytes:")

    def test_hosts_and_timestamps_do_not_count(self):
        ra = reply(200, ('{"u":"%s/x","t":"%s"}' % (A, now_text())).encode())
        rb = reply(200, ('{"u":"%s/x","t":"%s"}' % (B, now_text())).encode())
        self.assertEqual(aspects(ra, rb), [])

    def test_throttle_waits_within_tolerance(self):
        text = '{"detail":"Request was throttled. Expected available in %d second%s."}'
        ra = reply(429, (text % (60, "s")).encode(), [("Retry-After", "60")])
        rb = reply(429, (text % (59, "s")).encode(), [("Retry-After", "59")])
        self.assertEqual(aspects(ra, rb), [])
        rc = reply(429, (text % (1, "")).encode(), [("Retry-After", "1")])
        self.assertEqual(aspects(ra, rc), ["header:retry-after", "body"])
        late = reply(429, (text % (3590, "s")).encode(), [("Retry-After", "3590")])
        early = reply(429, (text % (3600, "s")).encode(), [("Retry-After", "3600")])
        self.assertEqual(aspects(late, early), ["header:retry-after", "body"])
        sides = [UrlSide("a", A), UrlSide("b", B)]
        self.assertEqual(compare(GET("/"), [late, early], sides, Normaliser(NOW),
                                 wait_tolerance(9.2)), [])

    def test_skipped_aspects(self):
        step = GET("/", skip={"body": "random token"})
        self.assertEqual(aspects(reply(200, b"a"), reply(200, b"b"), step), [])


    def test_random_values_read_the_same(self):
        step = GET("/", random=["uid"])
        ra = reply(201, b'{"uid":"5e0f","name":"x","again":"5e0f"}')
        rb = reply(201, b'{"uid":"9a1c","name":"x","again":"9a1c"}')
        self.assertEqual(aspects(ra, rb, step), [])
        rc = reply(201, b'{"uid":"9a1c","name":"y","again":"9a1c"}')
        self.assertEqual(aspects(ra, rc, step), ["body"])
        rd = reply(201, b'{"uid":"9a1c","name":"x","again":"5e0f"}')
        self.assertEqual(aspects(ra, rd, step), ["body"])
        self.assertEqual(aspects(ra, rb), ["body"])


class KnownDifferencesTest(unittest.TestCase):
    def load(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        return KnownDifferences.load(f.name)

    def test_entries_patterns_and_aspects(self):
        known = self.load("# comment\n\nshop/routing#*  body  Django's HTML 404 page\n"
                          "shop/x#1 header:Content-Length  RFC 9110: no length on 204\n")
        body = differences(reply(404, b"<html>"), reply(404, b"{}"))[0]
        self.assertEqual(known.explain("shop/routing#unknown", body).reason,
                         "Django's HTML 404 page")
        self.assertIsNone(known.explain("shop/other#1", body))
        length = differences(reply(204, b"", [("Content-Length", "0")]), reply(204, b""))[0]
        self.assertIsNotNone(known.explain("shop/x#1", length))
        self.assertEqual([e.line for e in known.unused()], [])

    def test_malformed_entry(self):
        with self.assertRaises(ValueError):
            self.load("shop/x#1 body\n")


class ClientTest(unittest.TestCase):
    def state(self):
        s = SideState(UrlSide("a", A), {"alice": {"username": "alice", "password": "pw",
                                                  "token": "k1"}}, "198.18.0.1")
        s.variables.update(pid=7, next=A + "/api/?page=2")
        return s

    def test_substitution(self):
        s = self.state()
        self.assertEqual(s.target("/api/products/${pid}/"), "/api/products/7/")
        self.assertEqual(s.target("${next}"), "/api/?page=2")
        self.assertEqual(s.substitute_json({"id": "${pid}", "s": "p${pid}"}), {"id": 7, "s": "p7"})
        with self.assertRaises(StepError):
            s.target("/${never}/")

    def test_headers_and_bodies(self):
        s = self.state()
        headers, body = s.prepare(POST("/", user="alice", json={"a": "\u00e9"}))
        self.assertEqual(headers["Authorization"], "Token k1")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["X-Forwarded-For"], "198.18.0.1")
        self.assertEqual(body, '{"a":"\u00e9"}'.encode())
        headers, _ = s.prepare(GET("/", basic="alice", headers={"X-Forwarded-For": None}))
        self.assertEqual(headers, {"Authorization": "Basic YWxpY2U6cHc="})

    def test_extract(self):
        r = reply(201, b'{"id":3,"results":[{"id":9}]}', [("Location", "/x/")])
        self.assertEqual(extract(r, "id"), 3)
        self.assertEqual(extract(r, "results.0.id"), 9)
        self.assertEqual(extract(r, "header:Location"), "/x/")
        with self.assertRaises(StepError):
            extract(r, "missing")


class DslTest(unittest.TestCase):
    def test_labels(self):
        s = scenario("x", "doc", GET("/"), repeat(2, lambda i: GET("/", label="r%d" % i)),
                     SQL("SELECT 1"))
        self.assertEqual([step.label for step in s.steps], ["1", "r1", "r2", "4"])
        with self.assertRaises(ValueError):
            scenario("x", "doc", GET("/", label="a"), GET("/", label="a"))

    def test_sides(self):
        self.assertEqual(parse_side("b", "url=http://h:1,db=x.db").db_file, "x.db")
        self.assertEqual(database_file("/w/a.db", "analytics"), "/w/a-analytics.db")
        self.assertEqual(database_file("/w/a.db", "default"), "/w/a.db")
        with self.assertRaises(SideError):
            parse_side("b", "nginx")


class RestflowSideTest(unittest.TestCase):
    """The generated server's command line, with a stand-in binary that
    records its calls and fails to serve."""

    def test_commands_and_a_server_that_exits(self):
        workdir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, workdir)
        binary = os.path.join(workdir, "shop-server")
        with open(binary, "w") as f:
            f.write('#!/bin/sh\necho "$@" >> "%s/calls"\n'
                    'case "$1" in migrate|create*) exit 0 ;; esac\nexit 3\n' % workdir)
        os.chmod(binary, 0o755)
        side = parse_side("b", "restflow=" + binary)
        users = [{"username": "sam", "password": "pw", "staff": True, "token": "k"}]
        with self.assertRaisesRegex(SideError, "exited during start-up"):
            side.start(Setup("blog", users, None, ["analytics"]), workdir)
        db = "--db sqlite:{0}/b-restflow.db --db analytics=sqlite:{0}/b-restflow-analytics.db".format(
            workdir)
        listen = side.process.args[2]
        with open(os.path.join(workdir, "calls")) as f:
            self.assertEqual(f.read().splitlines(), [
                "migrate " + db,
                "createuser sam --password pw --staff " + db,
                "createtoken sam --key k " + db,
                "--listen %s --workers 1 %s" % (listen, db)])
        self.assertIn("exited with status 3", side.died())


class Canned(http.server.BaseHTTPRequestHandler):
    """A server answering every GET with the body its class holds."""
    body = b"{}"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


class EndToEndTest(unittest.TestCase):
    """run_scenario and judge over real HTTP, against two canned servers."""

    def serve(self, body):
        handler = type("Handler", (Canned,), {"body": body})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return UrlSide("a", "http://127.0.0.1:%d" % server.server_port)

    def outcomes(self, body_a, body_b, known=None):
        sides = [self.serve(body_a), self.serve(body_b)]
        sides[1].name = "b"
        s = scenario("canned", "doc", GET("/x", expect=200, label="get"))
        outcomes = run.run_scenario("t", 0, s, sides, {})
        for outcome in outcomes:
            run.judge(outcome, sides, Normaliser(NOW), known)
        return outcomes

    def test_a_difference_is_found(self):
        outcome, = self.outcomes(b'{"a":1}', b'{"a":2}')
        self.assertEqual(outcome.id, "t/canned#get")
        self.assertEqual([d.aspect for d in outcome.unexplained], ["body"])

    def test_a_known_difference_is_accepted(self):
        known = KnownDifferences.load_lines(["t/canned#get body deliberate"])
        outcome, = self.outcomes(b'{"a":1}', b'{"a":2}', known)
        self.assertEqual(len(outcome.differences), 1)
        self.assertEqual(outcome.unexplained, [])

    def test_a_failed_expectation(self):
        sides = [self.serve(b"{}"), self.serve(b"{}")]
        s = scenario("canned", "doc", GET("/x", expect=404))
        outcome, = run.run_scenario("t", 0, s, sides, {})
        run.judge(outcome, sides, Normaliser(NOW), None)
        self.assertEqual(outcome.expectation, "expected 404 from a (url), got 200")

    def test_steps_after_an_error_are_not_sent(self):
        sides = [self.serve(b"{}"), self.serve(b"{}")]
        s = scenario("canned", "doc", GET("/x", save={"v": "missing"}), GET("/${v}"))
        outcomes = run.run_scenario("t", 0, s, sides, {})
        self.assertIn("cannot save 'missing'", outcomes[0].errors[0])
        self.assertEqual(outcomes[1].errors, ["not sent: step 1 failed"] * 2)
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertFalse(run.summary(outcomes, None, 0.0))


if __name__ == "__main__":
    unittest.main()
