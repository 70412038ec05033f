"""Normalising two replies and listing where they differ.

What is compared, for every step:
  status    exactly;
  headers   COMPARED_HEADERS, values exactly after normalisation, and
            Content-Length when either body is empty (HEAD, 204, 301...);
  body      byte for byte after normalisation (so JSON key order, spacing,
            escaping and number formats all count), shown as a diff of the
            pretty-printed JSON when both bodies are JSON.

What is normalised, and only that (docs/differential.md explains why):
  host      each side's own base URL (http://127.0.0.1:PORT) becomes
            http://<host>;
  now       a timestamp of the server's clock (ISO 8601, `T` or space
            separated, within ten minutes of the run) becomes
            <now|T|Z> (separator and time zone suffix kept);
            its fraction is dropped, as Python omits a zero one.  Older or
            future timestamps (fixtures, user input) are compared as they are;
  cursor    a `cursor=` query parameter is decoded (base64 of o=, r=, p=)
            so that a position holding a timestamp can be normalised;
  waits     throttle waits (Retry-After, "Expected available in N
            seconds.") count down from the oldest request in the window,
            which each server saw at its own time: two waits are equal when
            they differ by no more than the scenario took to run on the
            slower server, plus one second for the rounding up (and never
            less than MIN_WAIT_TOLERANCE).
"""
import base64
import datetime
import difflib
import fnmatch
import json
import math
import re
import urllib.parse

# The headers DRF sets, and those of the twin's Django middleware that
# restflow reproduces (SecurityMiddleware, XFrameOptionsMiddleware).
COMPARED_HEADERS = ["content-type", "allow", "www-authenticate", "retry-after",
                    "location", "vary", "x-content-type-options", "referrer-policy",
                    "x-frame-options"]
NOW_WINDOW = datetime.timedelta(minutes=10)
MIN_WAIT_TOLERANCE = 2
DIFF_LINES = 60

DATETIME = re.compile(r"(\d{4}-\d\d-\d\d)([T ])(\d\d:\d\d:\d\d)(\.\d{6})?(Z|[+-]\d\d:\d\d)?")
CURSOR = re.compile(r"([?&]cursor=)([A-Za-z0-9%+/=_-]+)")
WAIT_TEXT = re.compile(r"Expected available in (\d+) seconds?\.")


class Normaliser:
    def __init__(self, run_started):
        self.earliest = run_started - NOW_WINDOW

    def text(self, text, base_url):
        text = text.replace(base_url, "http://<host>")
        text = CURSOR.sub(self._cursor, text)
        return DATETIME.sub(self._datetime, text)

    def _datetime(self, match):
        day, separator, clock, _fraction, zone = match.groups()
        try:
            moment = datetime.datetime.fromisoformat("%sT%s%s" % (
                day, clock, "+00:00" if zone in (None, "Z") else zone))
        except ValueError:
            return match.group(0)
        now = datetime.datetime.now(datetime.timezone.utc)
        if not self.earliest <= moment <= now + NOW_WINDOW:
            return match.group(0)
        return "<now|%s|%s>" % (separator, zone or "")

    def _cursor(self, match):
        prefix, encoded = match.groups()
        try:
            decoded = base64.b64decode(urllib.parse.unquote(encoded), validate=True).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            return match.group(0)
        fields = urllib.parse.parse_qsl(decoded, keep_blank_values=True)
        shown = "&".join("%s=%s" % (k, DATETIME.sub(self._datetime, v)) for k, v in fields)
        return "%s<%s>" % (prefix, shown)


class Difference:
    def __init__(self, aspect, a, b, detail=None):
        self.aspect = aspect    # "status", "body" or "header:<name>"
        self.a = a
        self.b = b
        self.detail = detail    # lines of a diff, for bodies

    def render(self, labels):
        if self.detail:
            return ["%s differs:" % self.aspect] + ["    " + line for line in self.detail]
        return ["%s: %s=%r  %s=%r" % (self.aspect, labels[0], self.a, labels[1], self.b)]


def _body_text(reply):
    return reply.body.decode("utf-8", errors="surrogateescape")


def _masked_body(reply, random_paths):
    """The body with the values at random_paths (dotted JSON paths, values
    made up at random by the server) replaced by <random> wherever they
    occur as JSON strings."""
    text = _body_text(reply)
    if not random_paths:
        return text
    try:
        document = reply.json()
    except ValueError:
        return text
    for path in random_paths:
        value = document
        try:
            for part in path.split("."):
                value = value[int(part)] if isinstance(value, list) else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if isinstance(value, str) and value:
            text = text.replace(json.dumps(value), '"<random>"')
    return text


def wait_tolerance(seconds_taken):
    """How far apart two throttle waits may be, for a scenario that took
    seconds_taken on the slower server."""
    return max(MIN_WAIT_TOLERANCE, math.ceil(seconds_taken) + 1)


def _reconcile_waits(a, b, tolerance):
    """B's wait text as A's when the two waits are within the tolerance."""
    wa, wb = WAIT_TEXT.search(a), WAIT_TEXT.search(b)
    if wa and wb and abs(int(wa.group(1)) - int(wb.group(1))) <= tolerance:
        return b[:wb.start()] + wa.group(0) + b[wb.end():]
    return b


def _same_wait(a, b, tolerance):
    return (a is not None and b is not None and a.isdigit() and b.isdigit()
            and abs(int(a) - int(b)) <= tolerance)


def compare(step, replies, sides, normaliser, tolerance=MIN_WAIT_TOLERANCE):
    """The differences between the two replies to one step; tolerance: how
    far apart throttle waits may be (wait_tolerance)."""
    a, b = replies
    differences = []
    if "status" not in step.skip and a.status != b.status:
        differences.append(Difference("status", a.status, b.status))
    headers = list(COMPARED_HEADERS)
    if not a.body or not b.body:
        headers.append("content-length")
    for name in headers:
        aspect = "header:" + name
        if aspect in step.skip:
            continue
        va, vb = (None if r.header(name) is None else normaliser.text(r.header(name), s.base_url)
                  for r, s in zip(replies, sides))
        if va != vb and not (name == "retry-after" and _same_wait(va, vb, tolerance)):
            differences.append(Difference(aspect, va, vb))
    if "body" not in step.skip:
        ta = normaliser.text(_masked_body(a, step.random), sides[0].base_url)
        tb = _reconcile_waits(ta, normaliser.text(_masked_body(b, step.random),
                                                  sides[1].base_url), tolerance)
        if ta != tb:
            differences.append(Difference("body", None, None,
                                          body_diff(ta, tb, [s.label() for s in sides])))
    return differences


def _pretty(text):
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return json.dumps(value, indent=2, ensure_ascii=False)


def body_diff(ta, tb, labels):
    pa, pb = _pretty(ta), _pretty(tb)
    if pa is not None and pb is not None and pa != pb:
        lines = list(difflib.unified_diff(pa.splitlines(), pb.splitlines(),
                                          labels[0], labels[1], lineterm="", n=2))
    elif pa is not None and pa == pb:
        lines = ["same JSON value, different bytes:", "%s: %s" % (labels[0], ta[:500]),
                 "%s: %s" % (labels[1], tb[:500])]
    else:
        lines = list(difflib.unified_diff(ta.splitlines(), tb.splitlines(),
                                          labels[0], labels[1], lineterm="", n=2))
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + ["... (%d more lines)" % (len(lines) - DIFF_LINES)]
    return lines


class KnownDifference:
    def __init__(self, pattern, aspect, reason, line):
        self.pattern = pattern
        self.aspect = aspect.lower()
        self.reason = reason
        self.line = line
        self.used = False

    def covers(self, step_id, aspect):
        return (fnmatch.fnmatchcase(step_id, self.pattern)
                and (self.aspect == "*" or self.aspect == aspect))


class KnownDifferences:
    """tests/differential/known_differences: one deliberate difference per
    line, `STEP-PATTERN ASPECT WHY...`; a line starting with `#` is a
    comment.  STEP-PATTERN is a step id or a shell pattern over step ids
    (shop/routing#*); ASPECT is status, body, header:<name> or * (every
    aspect)."""

    def __init__(self, entries=()):
        self.entries = list(entries)

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.load_lines(f, path)

    @classmethod
    def load_lines(cls, lines, path="known_differences"):
        entries = []
        for number, line in enumerate(lines, 1):
            fields = line.split(None, 2)
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) < 3:
                raise ValueError("%s:%d: expected STEP ASPECT WHY" % (path, number))
            entries.append(KnownDifference(fields[0], fields[1], fields[2].strip(), number))
        return cls(entries)

    def explain(self, step_id, difference):
        for entry in self.entries:
            if entry.covers(step_id, difference.aspect):
                entry.used = True
                return entry
        return None

    def unused(self):
        return [e for e in self.entries if not e.used]
