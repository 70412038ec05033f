"""Throttles: Burst (UserRateThrottle, 60/min) on every Products action but
create, for users by id and for anonymous clients by X-Forwarded-For or
peer address; Uploads (ScopedRateThrottle) on create, which DRF never
applies because Products sets no throttle_scope (conformance.md,
Throttling; tests/drf/shop/shop/policies.py).

Each scenario is its own anonymous client (run.py), and the users here make
no other Products requests, so these are the only requests counted."""
from dsl import GET, OPTIONS, POST, PUT, repeat, scenario

ANONYMOUS = "203.0.113.7"


def burst_user(i):
    return GET("/api/products/?search=burst-probe", user="burst", expect=200,
               label="allowed-%d" % i)


def burst_anonymous(i):
    return GET("/api/products/?search=burst-probe", headers={"X-Forwarded-For": ANONYMOUS},
               expect=200, label="allowed-%d" % i)


def burst_peer(i):
    return GET("/api/products/", headers={"X-Forwarded-For": None}, expect=200,
               label="allowed-%d" % i)


def upload(i):
    return POST("/api/products/", user="victor", json={"name": "Upload %d" % i, "price": "1"},
                expect=201, label="create-%d" % i)


SCENARIOS = [
    scenario("throttle.burst-user", "the 61st request of a user within a minute answers 429",
        repeat(60, burst_user),
        GET("/api/products/?search=burst-probe", user="burst", expect=429, label="throttled"),
        GET("/api/products/999999/", user="burst", expect=429, label="throttled-before-lookup"),
        OPTIONS("/api/products/", user="burst", expect=429, label="throttled-options"),
        GET("/api/products/", basic="burst", expect=429, label="same-user-by-basic"),
        PUT("/api/products/1/", user="burst", json={}, expect=429, label="throttled-write"),
        POST("/api/products/", user="burst", json={"name": "Burst", "price": "1"}, expect=201,
             label="create-not-burst"),
        GET("/api/top-products/", user="burst", expect=200, label="other-view"),
        GET("/api/products/?search=burst-probe", user="alice", expect=200, label="other-user"),
        GET("/api/products/?search=burst-probe", expect=200, label="anonymous"),
    ),
    scenario("throttle.burst-anonymous", "anonymous clients are counted by X-Forwarded-For",
        repeat(60, burst_anonymous),
        GET("/api/products/?search=burst-probe", headers={"X-Forwarded-For": ANONYMOUS},
            expect=429, label="throttled"),
        PUT("/api/products/1/", headers={"X-Forwarded-For": ANONYMOUS}, json={}, expect=401,
            label="permission-before-throttle"),
        GET("/api/products/?search=burst-probe",
            headers={"X-Forwarded-For": ANONYMOUS + ", 10.0.0.1"}, expect=200,
            label="other-forwarded-chain"),
        GET("/api/products/?search=burst-probe", headers={"X-Forwarded-For": "203.0.113.8"},
            expect=200, label="other-client"),
        GET("/api/products/?search=burst-probe", headers={"X-Forwarded-For": ANONYMOUS},
            user="uma", expect=200, label="authenticated-from-same-address"),
    ),
    scenario("throttle.burst-peer", "without X-Forwarded-For the peer address counts",
        repeat(60, burst_peer),
        GET("/api/products/", headers={"X-Forwarded-For": None}, expect=429, label="throttled"),
    ),
    scenario("throttle.uploads", "Uploads never throttles: the view sets no throttle_scope",
        repeat(12, upload),
    ),
]
