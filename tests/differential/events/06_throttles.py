"""Buyers (a UserRateThrottle, scope `buyers`, 100 a day) on Checkout, GET
handler included.  Strangers (ten a second for anonymous clients) is not
compared: whether eleven requests fall within one second depends on the
machine's load, on each side separately (tests/e2e/events covers it)."""
from dsl import GET, OPTIONS, repeat, scenario

SCENARIOS = [
    scenario("throttle.buyers", "the 101st request of the day is refused, for that user only",
        repeat(100, lambda i: GET("/api/checkout/", basic="buyer", expect=200,
                                  label="quote-%d" % i)),
        GET("/api/checkout/", basic="buyer", expect=429, label="refused"),
        OPTIONS("/api/checkout/", basic="buyer", expect=429, label="refused-options"),
        GET("/api/checkout/", basic="kim", expect=200, label="other-user"),
        GET("/api/refunds/", basic="buyer", expect=405, label="other-view"),
    ),
]
