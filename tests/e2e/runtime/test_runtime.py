"""HTTP tests of the runtime core against rt_server.c over real sockets.

    /usr/bin/python3 tests/e2e/runtime/test_runtime.py BUILD/tests/e2e/rt-server

Each test class starts the server on a free port (--listen 127.0.0.1:0; the
port is read from the "listening on" line) with a fresh SQLite database
holding the users alice (token TOKEN) and carol, and asserts exact
statuses, headers and bodies.  Standard library only.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BINARY = None
TOKEN = "0123456789abcdef0123456789abcdef01234567"
JSON = "application/json"
ALLOW_LIST = "GET, POST, HEAD, OPTIONS"
ALLOW_DETAIL = "GET, DELETE, HEAD, OPTIONS"


class Server:
    """One rt-server process and what it wrote on stderr."""

    def __init__(self, db, *args):
        self.proc = subprocess.Popen(
            [BINARY, "--listen", "127.0.0.1:0", "--db", "sqlite:" + db, *args],
            stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.changed = threading.Condition()
        threading.Thread(target=self._collect, daemon=True).start()
        line = self.wait_for(r"listening on http://127\.0\.0\.1:(\d+)/")
        self.port = int(re.search(r":(\d+)/", line).group(1))

    def _collect(self):
        for line in self.proc.stderr:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)   # end of output
            self.changed.notify_all()

    def wait_for(self, pattern, timeout=20):
        """The first stderr line matching pattern (waiting for it)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines:
                    if line is not None and re.search(pattern, line):
                        return line
                if None in self.lines:
                    raise AssertionError("server ended without printing %r: %s"
                                         % (pattern, self.lines))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no %r on stderr: %s" % (pattern, self.lines))
                self.changed.wait(left)

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, headers=None, body=None, conn=None):
        own = conn is None
        conn = conn or self.connect()
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        result = (r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        if own:
            conn.close()
        return result

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


def manage(db, *args):
    out = subprocess.run([BINARY, *args, "--db", "sqlite:" + db],
                         capture_output=True, text=True, check=True)
    return out.stdout


class ServerTest(unittest.TestCase):
    server_args = ("--no-access-log",)

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.tmp.name, "rt.db")
        manage(cls.db, "migrate")
        manage(cls.db, "createuser", "alice", "--password", "secret")
        manage(cls.db, "createuser", "carol", "--password", "secret")
        manage(cls.db, "createtoken", "alice", "--key", TOKEN)
        cls.server = Server(cls.db, *cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop(signal.SIGKILL)
        cls.server.proc.stderr.close()
        cls.tmp.cleanup()

    def req(self, method, path, headers=None, body=None):
        return self.server.request(method, path, headers, body)

    def assertJSON(self, response, status, body, allow=None):
        got_status, headers, data = response
        self.assertEqual((got_status, data.decode()), (status, body))
        self.assertEqual(headers.get("content-type"), JSON)
        self.assertEqual(headers.get("allow"), allow)


class Routing(ServerTest):
    def test_list_answers_with_allow_and_static_headers(self):
        status, headers, data = self.req("GET", "/api/things/")
        self.assertEqual(status, 200)
        self.assertEqual(data.decode(), '[{"id":1,"name":"a\\u2028\u00e9"},{"id":2,"name":"b"}]')
        self.assertEqual(headers["allow"], ALLOW_LIST)
        self.assertEqual(headers["content-type"], JSON)
        self.assertEqual(headers["content-length"], str(len(data)))
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertEqual(headers["x-frame-options"], "DENY")
        self.assertEqual(headers["referrer-policy"], "same-origin")
        self.assertRegex(headers["date"], r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")

    def test_unknown_path_is_json_404_without_allow(self):
        self.assertJSON(self.req("GET", "/nowhere/"), 404, '{"detail":"Not found."}')

    def test_missing_trailing_slash_redirects_as_append_slash(self):
        status, headers, data = self.req("GET", "/api/things?page=2")
        self.assertEqual((status, data), (301, b""))
        self.assertEqual(headers["location"], "/api/things/?page=2")
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertNotIn("allow", headers)
        # Django's CommonMiddleware answers before XFrameOptionsMiddleware
        self.assertNotIn("x-frame-options", headers)
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        status, headers, _ = self.req("POST", "/lazy/1", {"Content-Type": JSON}, "{}")
        self.assertEqual((status, headers["location"]), (301, "/lazy/1/"))

    def test_lookup_excludes_dots_and_detail_routes_match(self):
        self.assertJSON(self.req("GET", "/api/things/42/"), 200, '{"pk":"42"}', ALLOW_DETAIL)
        # pk 4 with the format suffix "2", which no renderer has, as DRF
        self.assertJSON(self.req("GET", "/api/things/4.2/"), 404, '{"detail":"Not found."}',
                        ALLOW_DETAIL)
        self.assertJSON(self.req("GET", "/api/things/recent/"), 200, "[]", "GET, HEAD, OPTIONS")

    def test_unmapped_method_is_405_with_allow(self):
        self.assertJSON(self.req("PATCH", "/api/things/7/"), 405,
                        '{"detail":"Method \\"PATCH\\" not allowed."}', ALLOW_DETAIL)
        self.assertJSON(self.req("PUT", "/api/things/"), 405,
                        '{"detail":"Method \\"PUT\\" not allowed."}', ALLOW_LIST)

    def test_head_has_get_headers_and_no_body(self):
        _, _, body = self.req("GET", "/api/things/")
        status, headers, data = self.req("HEAD", "/api/things/")
        self.assertEqual((status, data), (200, b""))
        self.assertEqual(headers["content-length"], str(len(body)))
        self.assertEqual(headers["allow"], ALLOW_LIST)

    def test_delete_from_a_blocking_handler_is_204_without_content_type(self):
        status, headers, data = self.req("DELETE", "/api/things/3/")
        self.assertEqual((status, data), (204, b""))
        self.assertNotIn("content-type", headers)
        self.assertEqual(headers["allow"], ALLOW_DETAIL)

    def test_api_root_lists_absolute_urls_in_registration_order(self):
        self.assertJSON(self.req("GET", "/api/", {"Host": "example.com:8000"}), 200,
                        '{"things":"http://example.com:8000/api/things/",'
                        '"notes":"http://example.com:8000/api/notes/"}', "GET, HEAD, OPTIONS")

    def test_format_suffixes_of_default_router_routes(self):
        self.assertJSON(self.req("GET", "/api/things.json"), 200,
                        '[{"id":1,"name":"a\\u2028\u00e9"},{"id":2,"name":"b"}]', ALLOW_LIST)
        self.assertJSON(self.req("GET", "/api/things/3.json/"), 200, '{"pk":"3"}', ALLOW_DETAIL)
        self.assertJSON(self.req("GET", "/api/things.xml"), 404, '{"detail":"Not found."}',
                        ALLOW_LIST)
        self.assertJSON(self.req("GET", "/api/.json", {"Host": "h"}), 200,
                        '{"things":"http://h/api/things.json","notes":"http://h/api/notes.json"}',
                        "GET, HEAD, OPTIONS")
        # a plain path() route takes no suffix: the capture keeps it
        self.assertEqual(json.loads(self.req("GET", "/echo/x.json/")[2])["name"], "x.json")

    def test_trace_and_connect_are_405_after_the_checks(self):
        self.assertJSON(self.req("TRACE", "/api/things/"), 405,
                        '{"detail":"Method \\"TRACE\\" not allowed."}', ALLOW_LIST)
        self.assertJSON(self.req("CONNECT", "/api/things/?x=1"), 405,
                        '{"detail":"Method \\"CONNECT\\" not allowed."}', ALLOW_LIST)
        status, headers, _ = self.req("TRACE", "/secure/")
        self.assertEqual((status, headers["www-authenticate"]), (401, "Token"))

    def test_url_kwargs_are_decoded(self):
        status, _, data = self.req("GET", "/echo/a%20b/?q=x+y&q=z")
        body = json.loads(data)
        self.assertEqual((status, body["name"], body["q"]), (200, "a b", "z"))

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        conn = self.server.connect()
        first = self.server.request("GET", "/api/things/recent/", conn=conn)
        second = self.server.request("GET", "/api/things/1/", conn=conn)
        conn.close()
        self.assertEqual((first[0], second[0]), (200, 200))


class Connections(ServerTest):
    def raw(self, data):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(data)
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        s.close()
        return reply

    def test_pipelined_requests_are_answered_in_order(self):
        reply = self.raw(b"GET /api/things/1/ HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /api/things/recent/ HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /async/later/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        bodies = re.findall(rb"\r\n\r\n(\{[^{}]*\}|\[\])", reply)
        self.assertEqual(bodies, [b'{"pk":"1"}', b"[]", b'{"later":true}'])

    def test_http_1_0_gets_its_answer_and_a_close(self):
        reply = self.raw(b"GET /api/things/recent/ HTTP/1.0\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.0 200 OK\r\n"), reply)
        self.assertTrue(reply.endswith(b"\r\n\r\n[]"), reply)

    def assertRefused(self, extra, status, detail):
        """The framing is refused, and nothing after it is read as a request."""
        reply = self.raw(b"POST /api/things/ HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\n" + extra +
                         b"GET /api/things/recent/ HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 %d " % status), reply)
        self.assertIn(b"\r\nConnection: close\r\n", reply)
        self.assertTrue(reply.endswith(b'{"detail":"%s"}' % detail.encode()), reply)
        self.assertEqual(reply.count(b"HTTP/1.1 "), 1, reply)

    def test_ambiguous_framing_is_refused_and_the_connection_closed(self):
        bad_length = "Malformed request: conflicting or invalid Content-Length."
        self.assertRefused(b"Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}", 400, bad_length)
        self.assertRefused(b"Content-Length: +2\r\n\r\n{}", 400, bad_length)
        self.assertRefused(b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400, bad_length)
        self.assertRefused(b"Transfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n{}", 400,
                           "Malformed request: whitespace in a header name.")
        self.assertRefused(b"Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", 400,
                           "Malformed request: invalid character in a header.")
        self.assertRefused(b"X Smuggle: 1\r\nContent-Length: 2\r\n\r\n{}", 400,
                           "Malformed request: whitespace in a header name.")
        self.assertRefused(b"Transfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400,
                           "Malformed request: the last transfer coding is not chunked.")
        self.assertRefused(b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400,
                           "Malformed request: invalid chunk size.")
        self.assertRefused(b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                           501, "Transfer codings other than chunked are not supported.")

    def test_whitespace_ending_a_header_value_is_not_part_of_it(self):
        """RFC 9110 section 5.5 (regression: http_parser leaves it there, and
        a Content-Length of "2 " was refused, a media type not recognised)."""
        reply = self.raw(b"POST /api/things/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         b"Content-Type: application/json \t\r\nContent-Length: 2 \r\n\r\n{}")
        self.assertTrue(reply.startswith(b"HTTP/1.1 201 "), reply)

    def test_clients_that_vanish_mid_request_do_not_hurt_the_server(self):
        for path in (b"/blocking/sleep/?ms=200", b"/async/later/?ms=200"):
            s = socket.create_connection(("127.0.0.1", self.server.port))
            s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            s.close()
        time.sleep(0.5)   # let both finish against closed sockets
        self.assertEqual(self.req("GET", "/api/things/recent/")[0], 200)


class Negotiation(ServerTest):
    def test_indent_from_accept(self):
        self.assertJSON(self.req("GET", "/api/things/1/", {"Accept": "application/json; indent=2"}),
                        200, '{\n  "pk": "1"\n}', ALLOW_DETAIL)

    def test_nothing_acceptable_is_406_rendered_as_json(self):
        self.assertJSON(self.req("GET", "/api/things/", {"Accept": "text/html"}), 406,
                        '{"detail":"Could not satisfy the request Accept header."}', ALLOW_LIST)

    def test_406_comes_before_authentication(self):
        self.assertJSON(self.req("GET", "/secure/", {"Accept": "text/html"}), 406,
                        '{"detail":"Could not satisfy the request Accept header."}',
                        "GET, HEAD, OPTIONS")

    def test_format_query_parameter(self):
        self.assertJSON(self.req("GET", "/api/things/recent/?format=json"), 200, "[]",
                        "GET, HEAD, OPTIONS")
        self.assertJSON(self.req("GET", "/api/things/recent/?format=xml"), 404,
                        '{"detail":"Not found."}', "GET, HEAD, OPTIONS")


class Bodies(ServerTest):
    def test_json_body_is_parsed(self):
        self.assertJSON(self.req("POST", "/api/things/", {"Content-Type": JSON}, '{"a": [1, 2]}'),
                        201, '{"a":[1,2]}', ALLOW_LIST)

    def test_malformed_json_is_400_with_python_reason(self):
        self.assertJSON(self.req("POST", "/api/things/", {"Content-Type": JSON}, '{"a":1,}'), 400,
                        '{"detail":"JSON parse error - Expecting property name enclosed in '
                        'double quotes: line 1 column 8 (char 7)"}', ALLOW_LIST)

    def test_unsupported_media_type_is_415(self):
        self.assertJSON(self.req("POST", "/api/things/", {"Content-Type": "text/plain; charset=utf-8"},
                                 "x"), 415,
                        '{"detail":"Unsupported media type \\"text/plain; charset=utf-8\\" in request."}',
                        ALLOW_LIST)

    def test_form_body_is_an_object_of_strings(self):
        self.assertJSON(self.req("POST", "/api/things/",
                                 {"Content-Type": "application/x-www-form-urlencoded"}, "a=1&b=x+y&a=2"),
                        201, '{"a":"2","b":"x y"}', ALLOW_LIST)

    def test_404_before_the_body_is_read_beats_415_and_400(self):
        self.assertJSON(self.req("POST", "/lazy/0/", {"Content-Type": "text/plain"}, "x"), 404,
                        '{"detail":"Not found."}', "POST, OPTIONS")
        self.assertJSON(self.req("POST", "/lazy/0/", {"Content-Type": JSON}, "{"), 404,
                        '{"detail":"Not found."}', "POST, OPTIONS")
        self.assertJSON(self.req("POST", "/lazy/1/", {"Content-Type": "text/plain"}, "x"), 415,
                        '{"detail":"Unsupported media type \\"text/plain\\" in request."}',
                        "POST, OPTIONS")


class Dispatch(ServerTest):
    """DRF's order: authentication, permissions, throttles, then 405."""

    def test_no_credentials_is_401_with_first_authenticators_challenge(self):
        status, headers, data = self.req("GET", "/secure/")
        self.assertEqual((status, data.decode()),
                         (401, '{"detail":"Authentication credentials were not provided."}'))
        self.assertEqual(headers["www-authenticate"], "Token")

    def test_token_and_basic_authenticate(self):
        self.assertJSON(self.req("GET", "/secure/", {"Authorization": "Token " + TOKEN}),
                        200, '{"user":"alice"}', "GET, HEAD, OPTIONS")
        self.assertJSON(self.req("GET", "/secure/", {"Authorization": "Basic YWxpY2U6c2VjcmV0"}),
                        200, '{"user":"alice"}', "GET, HEAD, OPTIONS")

    def test_bad_credentials_fail_with_drf_texts(self):
        status, headers, data = self.req("GET", "/secure/", {"Authorization": "Token nope"})
        self.assertEqual((status, data), (401, b'{"detail":"Invalid token."}'))
        self.assertEqual(headers["www-authenticate"], "Token")
        status, headers, data = self.req("GET", "/secure/",
                                         {"Authorization": "Basic YWxpY2U6d3Jvbmc="})
        self.assertEqual((status, data), (401, b'{"detail":"Invalid username/password."}'))
        self.assertEqual(headers["www-authenticate"], "Token")

    def test_authentication_failure_comes_before_405(self):
        status, _, data = self.req("DELETE", "/secure/", {"Authorization": "Token nope"})
        self.assertEqual((status, data), (401, b'{"detail":"Invalid token."}'))
        status, _, data = self.req("DELETE", "/secure/")
        self.assertEqual(status, 401)
        self.assertJSON(self.req("DELETE", "/secure/", {"Authorization": "Token " + TOKEN}), 405,
                        '{"detail":"Method \\"DELETE\\" not allowed."}', "GET, HEAD, OPTIONS")

    def test_authenticator_without_challenge_gives_403(self):
        self.assertJSON(self.req("GET", "/custom-auth/"), 403,
                        '{"detail":"Authentication credentials were not provided."}',
                        "GET, HEAD, OPTIONS")
        self.assertJSON(self.req("GET", "/custom-auth/", {"X-User": "bad"}), 403,
                        '{"detail":"Invalid user."}', "GET, HEAD, OPTIONS")

    def test_permission_message_and_blocking_permission_hook(self):
        self.assertJSON(self.req("GET", "/custom-auth/", {"X-User": "bob"}), 200,
                        '{"user":"bob"}', "GET, HEAD, OPTIONS")
        self.assertJSON(self.req("GET", "/custom-auth/", {"X-User": "carol"}), 403,
                        '{"detail":"Carol may not."}', "GET, HEAD, OPTIONS")

    def test_throttle_then_405_order(self):
        peer = {"X-Forwarded-For": "203.0.113.7"}
        self.assertEqual(self.req("GET", "/throttled/", peer)[0], 200)
        self.assertEqual(self.req("POST", "/throttled/", peer)[0], 405)
        status, headers, data = self.req("GET", "/throttled/", peer)
        self.assertEqual(status, 429)
        self.assertRegex(data.decode(),
                         r'^\{"detail":"Request was throttled\. Expected available in \d+ seconds?\."\}$')
        self.assertRegex(headers["retry-after"], r"^\d+$")
        self.assertEqual(self.req("DELETE", "/throttled/", peer)[0], 429)


class Generic(ServerTest):
    """The error rows of conformance.md through a generic viewset (the
    serializers' pipelines, the policies' pagination and permissions)
    dispatched by the core."""

    AUTH = {"Authorization": "Token " + TOKEN, "Content-Type": JSON}
    ALLOW = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for title in ("a", "b", "c"):
            status, _, _ = cls.server.request("POST", "/api/notes/", cls.AUTH,
                                              json.dumps({"title": title}))
            assert status == 201

    def test_create_and_validation_errors(self):
        self.assertJSON(self.req("POST", "/api/notes/", self.AUTH, '{"title": ""}'), 400,
                        '{"title":["This field may not be blank."]}', ALLOW_LIST)
        self.assertJSON(self.req("POST", "/api/notes/", self.AUTH, '{"title": "%s"}' % ("x" * 21)),
                        400, '{"title":["Ensure this field has no more than 20 characters."]}',
                        ALLOW_LIST)
        self.assertJSON(self.req("POST", "/api/notes/", self.AUTH, "[]"), 400,
                        '{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}',
                        ALLOW_LIST)
        self.assertJSON(self.req("POST", "/api/notes/", self.AUTH, "{}"), 400,
                        '{"title":["This field is required."]}', ALLOW_LIST)

    def test_anonymous_write_is_401(self):
        status, headers, data = self.req("POST", "/api/notes/", {"Content-Type": JSON}, "{}")
        self.assertEqual((status, data),
                         (401, b'{"detail":"Authentication credentials were not provided."}'))
        self.assertEqual(headers["www-authenticate"], "Token")

    def test_pages_with_absolute_links(self):
        self.assertJSON(self.req("GET", "/api/notes/?page=2", {"Host": "h:1"}), 200,
                        '{"count":3,"next":null,"previous":"http://h:1/api/notes/",'
                        '"results":[{"id":3,"title":"c"}]}', ALLOW_LIST)
        self.assertJSON(self.req("GET", "/api/notes/?page=0"), 404, '{"detail":"Invalid page."}',
                        ALLOW_LIST)

    def test_cursor_pages_and_a_bad_cursor(self):
        status, _, data = self.req("GET", "/api/notes-feed/", {"Host": "h"})
        page = json.loads(data)
        self.assertEqual((status, list(page)), (200, ["next", "previous", "results"]))
        self.assertEqual([n["title"] for n in page["results"]], ["c", "b"])
        self.assertRegex(page["next"], r"^http://h/api/notes-feed/\?cursor=[A-Za-z0-9%]+$")
        self.assertJSON(self.req("GET", "/api/notes-feed/?cursor=garbage"), 404,
                        '{"detail":"Invalid cursor"}', "GET, HEAD, OPTIONS")

    def test_lookup_misses_are_404_and_beat_the_body(self):
        self.assertJSON(self.req("GET", "/api/notes/99/"), 404, '{"detail":"Not found."}', self.ALLOW)
        self.assertJSON(self.req("GET", "/api/notes/abc/"), 404, '{"detail":"Not found."}', self.ALLOW)
        self.assertJSON(self.req("PUT", "/api/notes/99/",
                                 {"Authorization": "Token " + TOKEN, "Content-Type": "text/plain"},
                                 "x"), 404, '{"detail":"Not found."}', self.ALLOW)

    def test_options_actions_follow_permissions_and_the_object(self):
        info = ('{"id":{"type":"integer","required":false,"read_only":true,"label":"ID"},'
                '"title":{"type":"string","required":true,"read_only":false,"label":"Title",'
                '"max_length":20}}')
        head = ('"renders":["application/json"],"parses":["application/json",'
                '"application/x-www-form-urlencoded","multipart/form-data"]')
        self.assertJSON(self.req("OPTIONS", "/api/notes/", self.AUTH), 200,
                        '{"name":"Note List","description":"",%s,"actions":{"POST":%s}}'
                        % (head, info), ALLOW_LIST)
        self.assertJSON(self.req("OPTIONS", "/api/notes/"), 200,
                        '{"name":"Note List","description":"",%s}' % head, ALLOW_LIST)
        self.assertJSON(self.req("OPTIONS", "/api/notes/1/", self.AUTH), 200,
                        '{"name":"Note Instance","description":"",%s,"actions":{"PUT":%s}}'
                        % (head, info), self.ALLOW)
        status, headers, data = self.req("OPTIONS", "/api/notes/99/", self.AUTH)
        self.assertEqual((status, json.loads(data).get("actions")), (200, None))
        self.assertNotIn("www-authenticate", headers)


class Options(ServerTest):
    def test_viewset_list_and_instance_names(self):
        self.assertJSON(self.req("OPTIONS", "/api/things/"), 200,
                        '{"name":"Thing List","description":"Things, listed.",'
                        '"renders":["application/json"],"parses":["application/json",'
                        '"application/x-www-form-urlencoded","multipart/form-data"]}', ALLOW_LIST)
        status, _, data = self.req("OPTIONS", "/api/things/9/")
        self.assertEqual((status, json.loads(data)["name"]), (200, "Thing Instance"))

    def test_extra_action_and_api_root_names(self):
        status, _, data = self.req("OPTIONS", "/api/things/9/publish/")
        self.assertEqual((status, json.loads(data)["name"]), (200, "Publish"))
        status, _, data = self.req("OPTIONS", "/api/")
        self.assertEqual(json.loads(data), {
            "name": "Api Root", "description": "The default basic root view for DefaultRouter",
            "renders": ["application/json"],
            "parses": ["application/json", "application/x-www-form-urlencoded",
                       "multipart/form-data"]})

    def test_options_runs_the_checks_first(self):
        status, _, _ = self.req("OPTIONS", "/secure/")
        self.assertEqual(status, 401)
        status, _, data = self.req("OPTIONS", "/secure/", {"Authorization": "Token " + TOKEN})
        self.assertEqual((status, json.loads(data)["name"]), (200, "Secure"))


class Hooks(ServerTest):
    def test_blocking_hook_runs_off_the_loop(self):
        """blocking/wait/ holds a pool thread until blocking/release/ is
        answered; the release can only be answered while the wait is in
        progress if the loop is free.  A blocked loop deadlocks (the wait
        gives up after 20 s with a 500)."""
        result = {}
        waiter = threading.Thread(
            target=lambda: result.update(wait=self.req("GET", "/blocking/wait/")))
        waiter.start()
        for _ in range(3):   # the loop keeps answering others meanwhile
            self.assertEqual(self.req("GET", "/api/things/recent/")[0], 200)
        self.assertFalse(result)
        released = self.req("GET", "/blocking/release/")
        waiter.join(30)
        self.assertEqual(released[2], b'{"released":true}')
        self.assertEqual(result["wait"][:1] + result["wait"][2:], (200, b'{"released":true}'))

    def test_async_hook_resumes(self):
        self.assertJSON(self.req("GET", "/async/later/?ms=20"), 200, '{"later":true}',
                        "GET, HEAD, OPTIONS")

    def test_sync_bridge_from_a_blocking_hook(self):
        self.assertJSON(self.req("GET", "/bridge/"), 200, '{"bridged":true}', "GET, HEAD, OPTIONS")


class Limits(ServerTest):
    server_args = ("--no-access-log", "--max-body", "1K", "--max-header", "2K",
                   "--max-request-memory", "256K", "--timeout", "1")

    def test_body_over_the_limit_is_413_and_never_read(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"POST /api/things/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100000000\r\n\r\n")
        reply = s.recv(65536)
        s.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 413 "), reply)
        self.assertTrue(reply.endswith(b'\r\nConnection: close\r\n\r\n'
                                       b'{"detail":"Request body too large."}'), reply)

    def test_a_request_in_flight_outlives_the_timeout(self):
        """The timeout is for idle and slow clients, not for slow answers."""
        for path in ("/blocking/sleep/?ms=1600", "/async/later/?ms=1600"):
            self.assertEqual(self.req("GET", path)[0], 200, path)

    def test_body_at_the_limit_is_accepted(self):
        body = '{"a":"%s"}' % ("x" * (1024 - 8))
        self.assertEqual(len(body), 1024)
        self.assertEqual(self.req("POST", "/api/things/", {"Content-Type": JSON}, body)[0], 201)

    def test_head_over_the_limit_is_431(self):
        self.assertJSON(self.req("GET", "/api/things/", {"X-Big": "y" * 3000}), 431,
                        '{"detail":"Request header fields too large."}')

    def test_exhausted_arena_is_503_and_the_server_lives(self):
        self.assertJSON(self.req("GET", "/memory/?kb=1024"), 503,
                        '{"detail":"Service temporarily unavailable, try again later."}',
                        "GET, HEAD, OPTIONS")
        self.assertJSON(self.req("GET", "/memory/?kb=16"), 200, '{"allocated":true}',
                        "GET, HEAD, OPTIONS")

    def test_idle_connection_is_closed_by_the_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=15)
        s.sendall(b"GET /api/things/ HTTP/1.1\r\nHost")   # and then nothing
        self.assertEqual(s.recv(1024), b"")   # closed by the server, not by us
        s.close()
        self.assertEqual(self.req("GET", "/api/things/recent/")[0], 200)


class AccessLog(ServerTest):
    server_args = ()

    def test_one_line_per_request(self):
        self.req("GET", "/api/things/recent/?x=1")
        line = self.server.wait_for(r'"GET /api/things/recent/\?x=1"')
        self.assertRegex(line, r'^127\.0\.0\.1 "GET /api/things/recent/\?x=1" 200 2 \d+us$')
        self.req("HEAD", "/api/things/")
        line = self.server.wait_for(r'"HEAD /api/things/"')
        self.assertRegex(line, r'^127\.0\.0\.1 "HEAD /api/things/" 200 0 \d+us$')

    def test_refusals_of_the_connection_layer_are_logged(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"POST /api/things/?big=1 HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")
            s.recv(65536)
        line = self.server.wait_for(r'"POST /api/things/\?big=1"')
        self.assertRegex(line, r'^127\.0\.0\.1 "POST /api/things/\?big=1" 413 36 -$')
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /api/ HTTP/1.1\r\nBad Header\r\n\r\n")
            s.recv(65536)
        line = self.server.wait_for(r' "-" 400 ')
        self.assertRegex(line, r'^127\.0\.0\.1 "-" 400 \d+ -$')


class Lifecycle(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "rt.db")
        manage(self.db, "migrate")

    def tearDown(self):
        self.tmp.cleanup()

    def test_sigterm_finishes_in_flight_requests_then_exits_0(self):
        server = Server(self.db, "--no-access-log")
        result = {}
        t = threading.Thread(target=lambda: result.update(
            r=server.request("GET", "/blocking/sleep/?ms=700")))
        t.start()
        server.wait_for("sleep started")
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        t.join(10)
        status, headers, data = result["r"]
        self.assertEqual((status, data), (200, b'{"slept":700}'))
        self.assertEqual(headers["connection"], "close")
        server.proc.stderr.close()

    def test_a_second_server_on_a_served_port_fails_to_start(self):
        # SO_REUSEPORT must not let a second server share the first one's
        # traffic by accident.
        server = Server(self.db, "--no-access-log", "--workers", "2")
        second = subprocess.run(
            [BINARY, "--listen", "127.0.0.1:%d" % server.port, "--db", "sqlite:" + self.db],
            stderr=subprocess.PIPE, text=True, timeout=20)
        self.assertEqual(second.returncode, 1)
        self.assertIn("cannot listen on 127.0.0.1:%d: Address already in use" % server.port,
                      second.stderr)
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        server.proc.stderr.close()

    def test_workers_share_the_port_and_stop_together(self):
        server = Server(self.db, "--no-access-log", "--workers", "2")
        pids = {json.loads(server.request("GET", "/echo/x/")[2])["pid"] for _ in range(40)}
        self.assertEqual(len(pids), 2)
        self.assertEqual(server.stop(signal.SIGINT), 0)
        for pid in pids:
            with self.assertRaises(ProcessLookupError):
                os.kill(pid, 0)
        server.proc.stderr.close()

    def test_port_from_the_environment_listens_on_every_interface(self):
        env = dict(os.environ, PORT="0")
        proc = subprocess.Popen([BINARY, "--db", "sqlite:" + self.db, "--no-access-log"],
                                stderr=subprocess.PIPE, text=True, env=env)
        line = proc.stderr.readline()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(20), 0)
        proc.stderr.close()
        self.assertRegex(line, r"^rt: listening on http://0\.0\.0\.0:\d+/ \(1 worker, \d+ threads each\)$")

    def test_workers_default_to_the_cpus_the_server_may_run_on(self):
        # With PostgreSQL only (here none answers: the server starts all
        # the same), a worker per CPU of the process's affinity, as taskset
        # or a container's cpuset sets it, not per CPU of the machine.
        proc = subprocess.Popen(["taskset", "-c", "0", BINARY, "--db",
                                 "postgresql://127.0.0.1:1/nowhere", "--listen", "127.0.0.1:0",
                                 "--no-access-log"], stderr=subprocess.PIPE, text=True)
        line = proc.stderr.readline()
        while line and "listening on" not in line:
            line = proc.stderr.readline()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(20), 0)
        proc.stderr.close()
        self.assertRegex(line, r"^rt: listening on http://127\.0\.0\.1:\d+/ \(1 worker, 4 threads each\)$")

    def test_usage_errors_exit_2(self):
        for args in (["--workers", "0"], ["--bogus"], ["--listen", "nope"], ["frobnicate"],
                     ["--sqlite-loop-slow-read-steps", "-1"]):
            r = subprocess.run([BINARY, *args], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage:", r.stderr)
        r = subprocess.run([BINARY, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--max-request-memory", r.stdout)
        self.assertIn("--sqlite-loop-slow-read-steps", r.stdout)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
