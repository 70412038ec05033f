#!/usr/bin/python3
"""Generate tests/vectors/policy.json: what Django 3.2, DRF 3.14 and
django-filter 23 answer for the policies (authentication, permissions,
throttles, pagination, filters).

Every expected value comes from running the real code: Django's password
hasher, DRF's authenticators, permission operators, throttles, paginators
and link helpers, django-filter's FilterSet.  Deterministic (fixed salts,
fixed data, mocked clocks).
Run: /usr/bin/python3 tests/vectors/gen_policy.py [OUTDIR]  (or `make vectors`)
"""
import base64
import datetime
import json
import os
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    USE_TZ=True,
    TIME_ZONE="UTC",
    USE_I18N=False,
    SECRET_KEY="vectors",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth",
                    "rest_framework", "rest_framework.authtoken",
                    "django_filters"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    REST_FRAMEWORK={"UNAUTHENTICATED_USER": None},
)
django.setup()

from django.contrib.auth.hashers import (PBKDF2PasswordHasher, check_password,  # noqa: E402
                                         make_password)
from django.contrib.auth.models import AnonymousUser, User  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django_filters import rest_framework as dfr  # noqa: E402
from rest_framework import exceptions, filters, pagination, permissions  # noqa: E402
from rest_framework import throttling  # noqa: E402
from rest_framework.authentication import (BasicAuthentication,  # noqa: E402
                                           TokenAuthentication)
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.utils.urls import remove_query_param, replace_query_param  # noqa: E402
from rest_framework.views import APIView, exception_handler  # noqa: E402

factory = RequestFactory()


def drf_request(path, query, headers=None):
    """A DRF Request for path with the raw query string, as a WSGI server
    would pass it (QUERY_STRING verbatim)."""
    req = factory.get(path, **(headers or {}))
    req.META["QUERY_STRING"] = query
    req.META["HTTP_HOST"] = "testserver"
    return Request(req)


# ---------------------------------------------------------------------------
# Passwords.

def passwords():
    hasher = PBKDF2PasswordHasher()
    cases = [("secret", "abcdefghijklmnopqrstuv", 1), ("secret", "abcdefghijklmnopqrstuv", 2),
             ("", "saltsaltsalt", 1000), ("caf\u00e9 \u20ac \U0001F600", "s4lt", 10),
             ("x" * 200, "Zz09", 3), ("pass word\twith\nspace", "0123456789", 7),
             ("secret", "q1w2e3r4t5y6u7i8o9p0as", 260000)]
    made = [{"password": p, "salt": s, "iterations": i,
             "encoded": hasher.encode(p, s, i)} for p, s, i in cases]
    # make_password itself: Django's default hasher and iteration count.
    made.append({"password": "django", "salt": "Fixed22CharacterSalt00",
                 "iterations": PBKDF2PasswordHasher.iterations,
                 "encoded": make_password("django", "Fixed22CharacterSalt00")})
    good = made[0]["encoded"]
    _, it, salt, digest = good.split("$", 3)
    variants = [
        ("secret", good), ("Secret", good), ("secret ", good), ("", good),
        ("secret", "pbkdf2_sha256$0001$%s$%s" % (salt, digest)),
        ("secret", "pbkdf2_sha256$1$%s$%s=" % (salt, digest.rstrip("="))),
        ("secret", "pbkdf2_sha256$1$%s$%s" % (salt, digest.rstrip("="))),
        ("secret", "pbkdf2_sha256$1$%s$%s$" % (salt, digest)),
        ("secret", "PBKDF2_SHA256$1$%s$%s" % (salt, digest)),
        ("secret", "pbkdf2_sha1$1$%s$%s" % (salt, digest)),
        ("secret", "!unusable"), ("secret", ""),
        ("secret", "pbkdf2_sha256$1$%s" % salt),
        ("secret", "pbkdf2_sha256$2$%s$%s" % (salt, digest)),
        ("secret", "pbkdf2_sha256$1$other$%s" % digest),
    ]
    checks = []
    for pw, enc in variants:
        try:
            ok = check_password(pw, enc)
        except Exception:   # Django raises on some garbage; restflow says no
            ok = False
        checks.append({"password": pw, "encoded": enc, "ok": bool(ok)})
    return made, checks


# ---------------------------------------------------------------------------
# Query strings and links.

QUERIES = ["", "a=1", "b=2&a=1", "a=1&a=2", "a", "a=", "=x", "&&a=1&&",
           "a+b=c+d", "a%20b=c%20d", "x=%zz", "x=%E9", "x=%C3%A9", "x=%C3",
           "x=%F0%9F%98%80&y=%ED%A0%80", "k=v;w=1", "x=%2B%26%3D", "page=2&page=x",
           "z=1&%C3%A9=2&A=3&_=4&~=5", "sp=a b", "t=~-._!*'()", "u=%00nul",
           "q=caf\u00e9".encode().decode("latin-1"), "dup=1&other=2&dup=3"]
LINK_PATHS = ["/api/items/", "/api/caf\u00e9 x/", "/a:b@c/$d,e+f&g=h;i/"]


def query_strings():
    out = []
    for q in QUERIES:
        raw = q.encode("latin-1").decode("utf-8", "replace") if False else q
        pairs = __import__("urllib.parse").parse.parse_qsl(raw, keep_blank_values=True)
        qd = QueryDict(raw)
        out.append({"query": raw, "pairs": [list(p) for p in pairs],
                    "last": {k: qd.get(k) for k in qd.keys()}})
    return out


def links():
    out = []
    for path in LINK_PATHS:
        for q in QUERIES:
            if "\u00e9".encode().decode("latin-1") in q:
                continue   # raw non-ASCII bytes: see docs (WSGI's latin-1)
            req = drf_request(path, q)
            url = req.build_absolute_uri()
            for key, val in [("page", "3"), ("a", "x y"), ("\u00e9", "\u00e9")]:
                out.append({"path": path, "query": q, "key": key, "value": val,
                            "out": replace_query_param(url, key, val)})
            for key in ["page", "a", "x"]:
                out.append({"path": path, "query": q, "key": key, "value": None,
                            "out": remove_query_param(url, key)})
    return out


# ---------------------------------------------------------------------------
# Pagination.

def paginate(pager, count, query):
    req = drf_request("/api/items/", query)
    data = list(range(count))
    try:
        page = pager.paginate_queryset(data, req)
    except exceptions.NotFound as exc:
        return {"status": 404, "detail": str(exc.detail)}
    if page is None:
        return {"status": 200, "paginated": False}
    return {"status": 200, "paginated": True,
            "body": dict(pager.get_paginated_response(list(page)).data)}


def page_number():
    configs = [dict(page_size=10), dict(page_size=3, page_size_query_param="size",
                                        max_page_size=5),
               dict(page_size=None), dict(page_size=None, page_size_query_param="size"),
               dict(page_size=2, page_query_param="p", last_page_strings=("end", "last"))]
    queries = ["", "page=1", "page=2", "page=3", "page=0", "page=-1", "page=x",
               "page=last", "page=LAST", "page=+2", "page=%202%20", "page=2.0",
               "page=1_0", "page=99999999999999999999", "page=2&page=1", "page=",
               "size=2", "size=0", "size=-1", "size=abc", "size=100&page=2",
               "size=4&page=last", "p=2", "p=end", "p=last", "foo=bar&page=2&a=%C3%A9"]
    out = []
    for cfg in configs:
        for count in [0, 1, 9, 10, 11, 25]:
            for q in queries:
                pager = pagination.PageNumberPagination()
                for k, v in cfg.items():
                    setattr(pager, k, v)
                out.append({"config": cfg, "count": count, "query": q,
                            **paginate(pager, count, q)})
    return out


def limit_offset():
    configs = [dict(default_limit=10), dict(default_limit=3, max_limit=5),
               dict(default_limit=None), dict(default_limit=4, limit_query_param="l",
                                           offset_query_param="o")]
    queries = ["", "limit=5", "limit=0", "limit=-3", "limit=x", "limit=100",
               "offset=3", "offset=-1", "offset=x", "offset=24", "offset=25",
               "offset=26", "offset=1000", "limit=5&offset=5", "limit=5&offset=2",
               "limit=5&offset=20", "l=2&o=3", "offset=99999999999999999999",
               "limit=%205&offset=+4", "z=1&limit=2&offset=4&a=b"]
    out = []
    for cfg in configs:
        for count in [0, 1, 10, 25]:
            for q in queries:
                pager = pagination.LimitOffsetPagination()
                for k, v in cfg.items():
                    setattr(pager, k, v)
                out.append({"config": cfg, "count": count, "query": q,
                            **paginate(pager, count, q)})
    return out


def cursor_decode():
    pager = pagination.CursorPagination()
    enc = lambda s: base64.b64encode(s.encode()).decode()  # noqa: E731
    raw = ["", "bz01", "cj0x", enc("o=5&r=1&p=abc"), enc("o=2000"), enc("o=-1"),
           enc("o=x"), enc("r=2"), enc("r=0"), enc("r=x"), enc("p="), enc("p=a+b%20c"),
           enc("p=%C3%A9"), enc("p=%E9"), enc("o=3&o=4&p=1&p=2"), enc("x=1"),
           enc("o= 7 "), enc("o=1_0"), enc("p=%00"), "!!!", "bz0", "bz01=",
           "b z 0 1", "bz01====", "bz0=1", "bz==01", "YQ=x=", "\u00e9", "@@bz01",
           enc("o=5") + "garbage", enc("\u00e9"), "cD3p"]
    out = []
    for s in raw:
        req = drf_request("/", "cursor=" + __import__("urllib.parse").parse.quote(s))
        pager.cursor_query_param = "cursor"
        try:
            c = pager.decode_cursor(req)
            out.append({"in": s, "ok": True, "offset": c.offset,
                        "reverse": c.reverse, "position": c.position})
        except exceptions.NotFound:
            out.append({"in": s, "ok": False})
    return out


def cursor_encode():
    pager = pagination.CursorPagination()
    pager.base_url = "http://testserver/x/"
    out = []
    for c in [(0, False, None), (5, False, None), (0, True, None), (3, True, "12"),
              (0, False, "2026-11-29 12:00:00+00:00"), (1, False, "a b&c=d/\u00e9"),
              (1000, True, "None")]:
        url = pager.encode_cursor(pagination.Cursor(*c))
        out.append({"offset": c[0], "reverse": c[1], "position": c[2], "url": url})
    return out


class Item(models.Model):
    pos = models.IntegerField()

    class Meta:
        app_label = "auth"


def cursor_walks():
    with connection.schema_editor() as se:
        se.create_model(Item)
    positions = [1, 2, 2, 2, 3, 4, 4, 5, 6, 6, 6, 6, 7, 8, 9, 9, 10, 11, 11, 12]
    for i, p in enumerate(positions):
        Item.objects.create(id=i + 1, pos=p)
    walks = []
    for ordering in [("pos", "id"), ("-pos", "-id")]:
        for size in [1, 2, 3, 4, 5, 20, 25]:
            steps = []
            seen = set()

            def visit(query):
                if query in seen or len(steps) > 200:
                    return None
                seen.add(query)
                pager = pagination.CursorPagination()
                pager.ordering = ordering
                pager.page_size = size
                req = drf_request("/api/items/", query)
                try:
                    page = pager.paginate_queryset(Item.objects.all(), req)
                except exceptions.NotFound as exc:
                    steps.append({"query": query, "status": 404, "detail": str(exc.detail)})
                    return None
                except (ValueError, TypeError):
                    # DRF fails with 500 on a position that does not convert;
                    # restflow answers "Invalid cursor" (see cursor.c).
                    steps.append({"query": query, "status": 404, "detail": "Invalid cursor",
                                  "drf_status": 500})
                    return None
                body = pager.get_paginated_response([o.id for o in page]).data
                steps.append({"query": query, "status": 200, "next": body["next"],
                              "previous": body["previous"], "results": body["results"]})
                return body

            def query_of(url):
                return url.split("?", 1)[1] if url and "?" in url else ""

            # Forward to the end, then back to the start, then forward again
            # from the middle: every direction change is exercised.
            body = visit("")
            forward = []
            while body and body["next"]:
                forward.append(body["next"])
                body = visit(query_of(body["next"]))
            back = body
            while back and back["previous"]:
                back = visit(query_of(back["previous"]))
            for url in forward[: len(forward) // 2]:
                mid = visit(query_of(url) + "&x=1")
                if mid and mid["previous"]:
                    visit(query_of(mid["previous"]))
            for bad in ["cursor=!!!", "cursor=" + base64.b64encode(b"p=abc").decode()]:
                visit(bad)
            walks.append({"ordering": list(ordering), "page_size": size,
                          "rows": [[i + 1, p] for i, p in enumerate(positions)],
                          "steps": steps})
    return walks


# ---------------------------------------------------------------------------
# Filters.

class Thing(models.Model):
    i = models.IntegerField()
    f = models.FloatField()
    d = models.DecimalField(max_digits=8, decimal_places=2)
    b = models.BooleanField()
    c = models.CharField(max_length=5)
    u = models.UUIDField()
    da = models.DateField()
    dt = models.DateTimeField()
    ci = models.IntegerField(choices=[(1, "one"), (2, "two")])
    cs = models.CharField(max_length=3, choices=[("a", "A"), ("bb", "B")])
    fk = models.ForeignKey(User, on_delete=models.CASCADE)

    class Meta:
        app_label = "auth"


FILTER_VALUES = {
    "number": ["1", "-7", " 7 ", "1.5", "-1.5", "1e3", "1E-2", "1_000", "_1", "1__0",
               "abc", "", " ", "NaN", "-Infinity", "inf", "sNaN12", "1e50", "1e51",
               "100000000000000007629769841091887003294964970946560",
               "100000000000000007629769841091887003294964970946561",
               "100000000000000007629769841091887003294964970946560.0001",
               "-1e60", "99999999999999999999", "9223372036854775807",
               "9223372036854775808", "-9223372036854775808", "0.000", "-0", "1.",
               ".5", ".", "1e", "0x10", "1,5", "1\x00", "+.5e-3", "12.3456", "1e-1005"],
    "bool": ["1", "0", "true", "True", "TRUE", "false", "FALSE", "yes", "no", "",
             " true", "t", "2"],
    "char": ["abc", " x ", "", "   ", "a\x00b", "toolongvalue", "\u00e9t\u00e9",
             "\u3000wide\u3000", "\x1fctl"],
    "uuid": ["12345678123456781234567812345678", "12345678-1234-5678-1234-567812345678",
             "{12345678-1234-5678-1234-567812345678}", "urn:uuid:12345678123456781234567812345678",
             "ABCDEF00ABCDEF00ABCDEF00ABCDEF00", "abc", "", " 12345678123456781234567812345678 ",
             "0x345678123456781234567812345678", "+2345678123456781234567812345678",
             "1234_678123456781234567812345678", "g2345678123456781234567812345678"],
    "date": ["2020-01-02", "2020-1-2", "01/02/2020", "1/2/20", "1/2/70", "Jan 5 2020",
             "jan 5, 2020", "5 Jan 2020", "5 JAN, 2020", "January 5 2020",
             "5 january, 2020", "2020-02-30", "2020-02-29", "2019-02-29", "garbage", "",
             " 2020-01-02 ", "2020-01-02T00:00", "Sept 5 2020", "May 5 2020",
             "5  Jan   2020", "13/01/2020", "31/12/2020", "12/31/2020", "1/2/2020x"],
    "datetime": ["2020-01-01T10:00", "2020-01-01 10:00:00", "2020-01-01T10:00:00Z",
                 "2020-01-01T10:00:00.123456+02:00", "2020-01-01", "garbage", "",
                 " 2020-01-01T10:00 ", "2020-13-01T10:00", "2020-01-01T10:00:00,5"],
    "choice_int": ["1", "2", "3", " 1", "x", ""],
    "choice_str": ["a", "bb", "b", "A", " a", ""],
    "fk": ["1", "2", "99", "abc", " 1 ", "1.0", "+1", ""],
}
FILTER_FIELD = {"number": ["i", "f", "d"], "bool": ["b"], "char": ["c"], "uuid": ["u"],
                "date": ["da"], "datetime": ["dt"], "choice_int": ["ci"],
                "choice_str": ["cs"], "fk": ["fk"]}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def canonical(field, value):
    """What restflow binds for a cleaned value, as the model field prepares it."""
    if field == "i" or field == "ci":
        return int(value)
    if field == "f":
        return repr(float(value))
    if field == "d":
        return "{:f}".format(value)
    if field == "b":
        return bool(value)
    if field == "u":
        return str(value)
    if field == "da":
        return (value - datetime.date(1970, 1, 1)).days
    if field == "dt":
        delta = value - EPOCH
        return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
    if field == "fk":
        return value.pk
    return value


def filter_values():
    with connection.schema_editor() as se:
        se.create_model(Thing)
    User.objects.create(id=1, username="one")
    User.objects.create(id=2, username="two")

    class View:
        filterset_fields = [f for fs in FILTER_FIELD.values() for f in fs]
    fs_class = dfr.DjangoFilterBackend().get_filterset_class(View, Thing.objects.all())
    out = []
    for kind, values in FILTER_VALUES.items():
        for field in FILTER_FIELD[kind]:
            for v in values:
                q = QueryDict(mutable=True)
                q[field] = v
                fs = fs_class(q, queryset=Thing.objects.all())
                entry = {"kind": kind, "field": field, "value": v}
                if not fs.is_valid():
                    entry.update(outcome="error", errors=fs.errors[field])
                else:
                    cleaned = fs.form.cleaned_data.get(field)
                    if cleaned in (None, ""):
                        entry.update(outcome="skip")
                    else:
                        try:
                            entry.update(outcome="value", expect=canonical(field, cleaned))
                        except OverflowError:
                            entry.update(outcome="nothing")
                        if field == "i" and entry["outcome"] == "value" and \
                                not -2**63 <= entry["expect"] < 2**63:
                            entry.update(outcome="nothing", expect=None)
                        if field == "d" and entry["outcome"] == "value" and \
                                len(entry["expect"]) > 1000:
                            entry.update(outcome="nothing", expect=None)
                out.append(entry)
    # Several fields failing at once: the 400 body, in filterset_fields order.
    q = QueryDict("fk=x&i=abc&u=1&c=ok&da=no")
    fs = fs_class(q, queryset=Thing.objects.all())
    fs.is_valid()
    backend = dfr.DjangoFilterBackend()
    try:
        backend.filter_queryset(drf_request("/", "fk=x&i=abc&u=1&c=ok&da=no"),
                                Thing.objects.all(), View)
        body = None
    except exceptions.ValidationError as exc:
        body = json.loads(json.dumps(exc.detail))
    return out, {"query": "fk=x&i=abc&u=1&c=ok&da=no", "body": body}


def search_terms():
    inputs = ["", "a", "a b", "a,b", " a , b ,, c ", "a\x00b", "\u3000x\u00a0y\u2003z",
              "x\x1cy\x85z", ",,,", "caf\u00e9 ol\u00e9", "a\tb\nc\rd\x0be\x0cf"]
    out = []
    sf = filters.SearchFilter()
    for s in inputs:
        q = QueryDict(mutable=True)
        q["search"] = s
        req = drf_request("/", q.urlencode())
        out.append({"in": s, "terms": sf.get_search_terms(req)})
    return out


def orderings():
    class View:
        ordering_fields = ["pos", "id"]
        ordering = ["-id"]
    out = []
    of = filters.OrderingFilter()
    for s in [None, "", "pos", "-pos", "pos,-id", " pos , -id ", "nope", "nope,pos",
              "--pos", "-", ",", "pos,pos", "id,unknown,-pos"]:
        q = "" if s is None else QueryDict(mutable=True)
        if s is not None:
            q["ordering"] = s
            q = q.urlencode()
        ordering = of.get_ordering(drf_request("/", q), Item.objects.all(), View)
        out.append({"in": s, "out": list(ordering) if ordering else None})
    return out


# ---------------------------------------------------------------------------
# Throttles.

def throttle_rates():
    out = []
    for rate in ["100/minute", "10/s", "5/sec", "1/h", "3/hour", "2/d", "7/day",
                 "1/m", "0/s", "10/x", "10", "10/", "/m", "a/m", "10/m/s", " 10/m",
                 "1_0/m", "+5/s", "10/ms", "-1/s"]:
        t = throttling.SimpleRateThrottle.__new__(throttling.SimpleRateThrottle)
        try:
            num, dur = t.parse_rate(rate)
            out.append({"rate": rate, "ok": True, "num": num, "duration": dur})
        except Exception:
            out.append({"rate": rate, "ok": False})
    return out


def throttle_waits():
    out = []
    for wait in [None, 0.2, 1.0, 1.0000001, 1.5, 2.0, 59.99, 60.0, 3599.4, 86400.0]:
        exc = exceptions.Throttled(wait)
        resp = exception_handler(exc, {})
        out.append({"wait": wait, "status": resp.status_code, "detail": resp.data["detail"],
                    "retry_after": resp.get("Retry-After")})
    return out


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def throttle_histories():
    """A single throttle's verdicts over a timeline: (time, allowed, wait)."""
    from django.core.cache import cache
    out = []
    for rate, times in [("3/m", [0, 1, 2, 3, 30, 59.9, 60, 60.5, 61, 62, 200]),
                        ("1/s", [0, 0.5, 0.999, 1.0, 1.0001, 1.5, 2.2]),
                        ("2/h", [0, 10, 20, 3600, 3610, 3620, 7300]),
                        ("0/s", [0, 5])]:
        cache.clear()
        clock = Clock()

        class T(throttling.SimpleRateThrottle):
            scope = "t"
            timer = clock

            def get_cache_key(self, request, view):
                return "k"
        T.rate = rate
        events = []
        for t in times:
            clock.now = float(t)
            th = T()
            allowed = th.allow_request(None, None)
            events.append({"now": t, "allowed": allowed,
                           "wait": None if allowed else th.wait()})
        out.append({"rate": rate, "events": events})
    return out


THROTTLE_KINDS = {"anon": throttling.AnonRateThrottle, "user": throttling.UserRateThrottle}


def throttle_sequences():
    """Several throttles on one view, as views.check_throttles runs them:
    every throttle is asked, each that allows records, the longest wait
    wins; throttles sharing a scope share a history."""
    from django.core.cache import cache
    scenarios = [
        [("user", "burst", "2/m"), ("user", "sustained", "5/h")],
        [("user", "user", "2/m"), ("user", "user", "3/h")],
        [("anon", "anon", "2/m"), ("user", "user", "3/m")],
    ]
    timeline = [(0, "alice"), (1, "alice"), (2, "alice"), (3, None), (4, None), (5, None),
                (30, "alice"), (61, "alice"), (62, "alice"), (63, None), (64, "alice"),
                (125, "alice"), (126, "alice"), (190, None), (3600, "alice"), (3700, "alice")]
    out = []
    for throttles in scenarios:
        cache.clear()
        clock = Clock()
        classes = [type("T%d" % i, (THROTTLE_KINDS[kind],),
                        {"scope": scope, "rate": rate, "timer": clock})
                   for i, (kind, scope, rate) in enumerate(throttles)]
        events = []
        for now, user in timeline:
            clock.now = float(now)

            class V(APIView):
                throttle_classes = classes
            view = V()
            req = Request(factory.get("/", REMOTE_ADDR="10.0.0.9"))
            req._user = User(id=7, username=user) if user else AnonymousUser()
            try:
                view.check_throttles(req)
                events.append({"now": now, "user": user, "status": 200})
            except exceptions.Throttled as exc:
                resp = exception_handler(exc, {})
                events.append({"now": now, "user": user, "status": 429,
                               "detail": resp.data["detail"],
                               "retry_after": resp.get("Retry-After")})
        out.append({"throttles": [list(t) for t in throttles], "events": events})
    return out


def idents():
    out = []
    for xff, remote, proxies in [(None, "1.2.3.4", None), ("5.6.7.8", "1.2.3.4", None),
                                 (" 5.6.7.8 , 9.9.9.9 ", "1.2.3.4", None),
                                 ("5.6.7.8, 9.9.9.9", "1.2.3.4", 0),
                                 ("5.6.7.8, 9.9.9.9", "1.2.3.4", 1),
                                 ("5.6.7.8, 9.9.9.9", "1.2.3.4", 2),
                                 ("5.6.7.8, 9.9.9.9", "1.2.3.4", 5),
                                 (None, "1.2.3.4", 1), ("", "1.2.3.4", None),
                                 ("", "1.2.3.4", 1), (" a ,, b ", "1.2.3.4", 2)]:
        settings.REST_FRAMEWORK["NUM_PROXIES"] = proxies
        from rest_framework.settings import api_settings
        api_settings.reload()
        meta = {"REMOTE_ADDR": remote}
        if xff is not None:
            meta["HTTP_X_FORWARDED_FOR"] = xff
        req = factory.get("/", **meta)
        ident = throttling.BaseThrottle().get_ident(Request(req))
        out.append({"xff": xff, "remote": remote, "num_proxies": proxies, "ident": ident})
    settings.REST_FRAMEWORK.pop("NUM_PROXIES")
    from rest_framework.settings import api_settings
    api_settings.reload()
    return out


# ---------------------------------------------------------------------------
# Permissions: DRF's operators over leaves with fixed answers.

CALLS = []


def leaf(name, perm, obj, message=None):
    def has_permission(self, request, view):
        CALLS.append(name + ".hp")
        return perm

    def has_object_permission(self, request, view, o):
        CALLS.append(name + ".hop")
        return obj
    attrs = {"has_permission": has_permission, "has_object_permission": has_object_permission}
    if message:
        attrs["message"] = message
    return type(name, (permissions.BasePermission,), attrs)


EXPRESSIONS = ["a", "~a", "a & b", "a | b", "~(a & b)", "~(a | b)", "~a | b", "a & ~b",
               "(a | b) & c", "a | (b & c)", "~~a", "(a & b) | ~c"]


def permission_tables():
    out = []
    for expr in EXPRESSIONS:
        names = sorted({ch for ch in expr if ch in "abc"})
        rows = []
        for bits in range(1 << (2 * len(names))):
            env = {}
            answers = {}
            for k, n in enumerate(names):
                p, o = bool(bits >> (2 * k) & 1), bool(bits >> (2 * k + 1) & 1)
                env[n] = leaf(n, p, o, message="%s says no" % n)
                answers[n] = [p, o]
            cls = eval(expr, {}, env)
            inst = cls()
            del CALLS[:]
            hp = bool(inst.has_permission(None, None))
            hp_calls = list(CALLS)
            del CALLS[:]
            hop = bool(inst.has_object_permission(None, None, None))
            rows.append({"leaves": answers, "has_permission": hp, "hp_calls": hp_calls,
                         "has_object_permission": hop, "hop_calls": list(CALLS)})
        out.append({"expr": expr, "rows": rows})
    return out


def permission_denials():
    """check_permissions / check_object_permissions as a view runs them:
    status, detail and WWW-Authenticate for each list of permissions."""
    out = []
    deny = leaf("deny", False, False, message="deny says no")
    deny_plain = leaf("deny_plain", False, False)
    allow = leaf("allow", True, True)
    allow_no_obj = leaf("allow_no_obj", True, False, message="no object")
    cases = {
        "deny": [deny], "deny_plain": [deny_plain], "allow": [allow],
        "allow,deny": [allow, deny], "deny,deny_plain": [deny, deny_plain],
        "~allow": [~allow], "deny|deny_plain": [deny | deny_plain],
        "allow&deny": [allow & deny], "allow_no_obj": [allow_no_obj],
        "allow,allow_no_obj": [allow, allow_no_obj], "~deny": [~deny],
    }
    auths = {"none": [], "token": [TokenAuthentication], "custom": [type(
        "NoHeader", (TokenAuthentication,), {"authenticate_header": lambda s, r: None})]}
    for name, perms in cases.items():
        for auth_name, auth_classes in auths.items():
            for user in [None, "alice"]:
                for obj in [False, True]:
                    class V(APIView):
                        permission_classes = perms
                        authentication_classes = auth_classes
                    view = V()
                    req = Request(factory.get("/"), authenticators=[a() for a in auth_classes])
                    req._user = AnonymousUser() if user is None else User(username=user)
                    req._auth = None
                    req._authenticator = auth_classes[0]() if (user and auth_classes) else None
                    view.request = req
                    view.headers = {}
                    view.format_kwarg = None
                    try:
                        if obj:
                            view.check_object_permissions(req, object())
                        else:
                            view.check_permissions(req)
                        res = {"status": 200}
                    except exceptions.APIException as exc:
                        resp = view.handle_exception(exc)
                        res = {"status": resp.status_code, "detail": str(resp.data["detail"]),
                               "www_authenticate": resp.get("WWW-Authenticate")}
                    out.append({"perms": name, "auth": auth_name, "user": user,
                                "object": obj, **res})
    return out


# ---------------------------------------------------------------------------
# Authentication: the header parsing (DRF) and the database verdicts
# (Django's ModelBackend, the Token model).

def auth_cases():
    with connection.schema_editor() as se:
        se.create_model(Token)
    hasher = PBKDF2PasswordHasher()
    alice = User.objects.create(id=10, username="alice", email="a@x.org", is_staff=True,
                                password=hasher.encode("secret", "alicesalt", 2))
    bob = User.objects.create(id=11, username="bob", is_active=False,
                              password=hasher.encode("secret", "bobsalt", 2))
    caf = User.objects.create(id=12, username="caf\u00e9",
                              password=hasher.encode("p\u00e4ss", "cafsalt", 2))
    Token.objects.create(key="a" * 40, user=alice)
    Token.objects.create(key="b" * 40, user=bob)
    b64 = lambda b: base64.b64encode(b).decode("latin-1")  # noqa: E731
    headers = [
        None, "", "Token", "Token ", "token " + "a" * 40, "Token " + "a" * 40,
        "TOKEN " + "a" * 40, "Token " + "A" * 40, "Token " + "b" * 40, "Token nope",
        "Token a b", "Token\t" + "a" * 40, "  Token   " + "a" * 40 + "  ",
        "Token \xe9\xe9", "Token " + "a" * 39, "Bearer " + "a" * 40, "Tokenx " + "a" * 40,
        "Basic", "Basic a b", "basic " + b64(b"alice:secret"), "Basic " + b64(b"alice:secret"),
        "Basic " + b64(b"alice:wrong"), "Basic " + b64(b"bob:secret"),
        "Basic " + b64(b"nobody:secret"), "Basic " + b64(b"alice"), "Basic " + b64(b":"),
        "Basic " + b64(b"alice:secret:extra"), "Basic !!!", "Basic YWxpY2U6c2VjcmV0",
        "Basic YWxpY2U6c2VjcmV0=", "Basic YWxpY2U6c2VjcmV", "Basic " + b64("caf\u00e9:p\u00e4ss".encode()),
        "Basic " + b64("caf\u00e9:p\u00e4ss".encode("latin-1")), "Basic " + b64(b"\xff\xfe:x"),
        "Digest x",
    ]
    out = []
    for h in headers:
        meta = {} if h is None else {"HTTP_AUTHORIZATION": h}
        for scheme, cls in [("token", TokenAuthentication), ("basic", BasicAuthentication)]:
            req = Request(factory.get("/", **meta))
            try:
                res = cls().authenticate(req)
                entry = {"outcome": "anonymous"} if res is None else \
                    {"outcome": "user", "user": res[0].pk}
            except exceptions.AuthenticationFailed as exc:
                entry = {"outcome": "failed", "detail": str(exc.detail)}
            out.append({"header": h, "scheme": scheme, **entry})
    users = [{"id": u.id, "username": u.username, "email": u.email, "is_staff": u.is_staff,
              "is_superuser": u.is_superuser, "is_active": u.is_active, "password": u.password}
             for u in (alice, bob, caf)]
    tokens = [{"key": t.key, "user_id": t.user_id} for t in Token.objects.order_by("key")]
    return out, users, tokens


def create_tables():
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    with connection.schema_editor() as se:
        for model in (ContentType, Permission, Group, User):
            se.create_model(model)


def main():
    create_tables()
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    made, checks = passwords()
    fvalues, fbody = filter_values()
    auth, users, tokens = auth_cases()
    vectors = {
        "generator": "tests/vectors/gen_policy.py (Django 3.2, DRF 3.14, django-filter 23)",
        "passwords": made, "password_checks": checks,
        "query_strings": query_strings(), "links": links(),
        "page_number": page_number(), "limit_offset": limit_offset(),
        "cursor_decode": cursor_decode(), "cursor_encode": cursor_encode(),
        "cursor_walks": cursor_walks(),
        "filter_values": fvalues, "filter_errors": fbody,
        "search_terms": search_terms(), "orderings": orderings(),
        "throttle_rates": throttle_rates(), "throttle_waits": throttle_waits(),
        "throttle_histories": throttle_histories(), "idents": idents(),
        "throttle_sequences": throttle_sequences(),
        "permission_tables": permission_tables(), "permission_denials": permission_denials(),
        "auth": auth, "auth_users": users, "auth_tokens": tokens,
    }
    with open(os.path.join(outdir, "policy.json"), "w", encoding="utf-8") as f:
        json.dump(vectors, f, indent=1, ensure_ascii=True, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
