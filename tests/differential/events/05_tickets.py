"""Tickets: TicketDetail (the user's own tickets by code, IsAuthenticated &
IsHolder), TicketSeat (tickets in row A by a str key, IsHolder: reads pass
has_permission, the object permission holds for reads too), Checkout (a
GET handler beside CreateModelMixin; the buyer holds the ticket) and
RefundRequest (a plain Serializer of every field type)."""
from dsl import DELETE, GET, HEAD, PATCH, POST, PUT, SQL, scenario

T1, T2, T3, T4, T5 = ("b0000000-0000-4000-8000-00000000000%d" % n for n in range(1, 6))
BOUGHT = "b0000000-0000-4000-8000-000000000006"


def ticket(code, **options):
    return GET("/api/tickets/%s/" % code, **options)


SCENARIOS = [
    scenario("tickets.detail", "by code, only the holder's",
        ticket(T1, basic="kim", expect=200, label="own"),
        ticket(T3, basic="kim", expect=200, label="own-no-seat"),
        HEAD("/api/tickets/%s/" % T1, basic="kim", expect=200, label="head"),
        ticket(T2, basic="kim", expect=404, label="other-holder"),
        ticket(T1, expect=403, label="anonymous"),
        ticket("b0000000-0000-4000-8000-000000000099", basic="kim", expect=404, label="missing"),
        DELETE("/api/tickets/%s/" % T2, basic="kim", expect=404, label="destroy-other-holder"),
        DELETE("/api/tickets/%s/" % T2, basic="lee", expect=204, label="destroy"),
        ticket(T2, basic="lee", expect=404, label="destroyed"),
        PATCH("/api/tickets/%s/" % T1, basic="kim", json={}, expect=405, label="no-update"),
    ),
    scenario("tickets.seat", "row A only, by a str key; the holder reads and writes",
        GET("/api/seats/1/", basic="kim", expect=200, label="own"),
        GET("/api/seats/4/", basic="kim", expect=200, label="lower-case-row"),
        GET("/api/seats/3/", basic="kim", expect=404, label="no-seat"),
        GET("/api/seats/5/", basic="kim", expect=403, label="other-holder"),
        GET("/api/seats/1/", expect=403, label="anonymous"),
        GET("/api/seats/abc/", basic="kim", expect=404, label="not-a-number"),
        GET("/api/seats/0/", basic="kim", expect=404, label="id-not-above-zero"),
        GET("/api/seats/1.0/", basic="kim", expect=404, label="a-decimal-key"),
        PATCH("/api/seats/1/", json={"seat": "A2"}, expect=403, label="patch-anonymous"),
        PATCH("/api/seats/5/", basic="kim", json={"seat": "A2"}, expect=403,
              label="patch-other-holder"),
        PATCH("/api/seats/1/", basic="kim", json={"seat": "9A"}, expect=400, label="no-row"),
        PATCH("/api/seats/1/", basic="kim", json={"seat": "A123456789"}, expect=400,
              label="too-long"),
        PATCH("/api/seats/1/", basic="kim", json={"seat": 12, "code": T5, "event": "x"},
              expect=400, label="number-and-bad-event"),
        PATCH("/api/seats/1/", basic="kim", json={"seat": "A9", "code": T5, "holder_name": "x",
                                                  "bought_at": "2020-01-01T00:00:00Z"},
              expect=200, label="patch"),
        PUT("/api/seats/4/", basic="kim", json={"event": 1}, expect=200, label="put-without-seat"),
        PATCH("/api/seats/4/", basic="kim", json={"seat": None}, expect=200, label="seat-null"),
        GET("/api/seats/4/", basic="kim", expect=404, label="left-row-a"),
        PATCH("/api/seats/5/", basic="lee", json={"seat": ""}, expect=200, label="seat-blank"),
    ),
    scenario("checkout", "the quote, then buying: validation first, then perform_create",
        GET("/api/checkout/", expect=200, label="quote-anonymous"),
        GET("/api/checkout/", basic="kim", expect=200, label="quote"),
        POST("/api/checkout/", json={"event": 9999, "seat": "1A"}, expect=400,
             label="invalid-anonymous"),
        POST("/api/checkout/", json={"event": "x", "seat": None}, expect=400,
             label="event-not-a-number"),
        POST("/api/checkout/", json={"event": True}, expect=400, label="event-bool"),
        POST("/api/checkout/", json={}, expect=400, label="required"),
        POST("/api/checkout/", json={"event": 1, "seat": "C3"}, expect=403,
             label="valid-anonymous"),
        POST("/api/checkout/", basic="kim", json={"event": 1, "seat": "C3", "code": T1},
             expect=201, random=["code"], label="buy"),
        SQL("UPDATE events_ticket SET code = '%s' WHERE seat = 'C3'" % BOUGHT.replace("-", ""),
            label="pin-code"),
        ticket(BOUGHT, basic="kim", expect=200, label="bought"),
        POST("/api/checkout/", basic="lee", form={"event": "2"}, expect=201, random=["code"],
             label="buy-form-no-seat"),
        PUT("/api/checkout/", basic="kim", json={}, expect=405, label="put"),
    ),
    scenario("refunds", "RefundRequest: every message of a plain Serializer, in field order",
        POST("/api/refunds/", json={
            "amount": "1.234", "when": "yesterday", "on_day": "2026-13-01", "ref": "nope",
            "contact": "x@", "page": "notaurl", "handle": "a", "ratio": "1.5", "count": 0,
            "secret": "short", "notify": "perhaps"}, expect=400, label="every-message"),
        POST("/api/refunds/", json={}, expect=400, label="required"),
        POST("/api/refunds/", json={"amount": "abc", "on_day": None, "ratio": "x",
                                    "count": "1.5", "secret": 12345678}, expect=400,
             label="types"),
        POST("/api/refunds/", json={"amount": "-1", "secret": "longenough", "reason": None},
             expect=400, label="null-and-minimum"),
        POST("/api/refunds/", json={"amount": "1234567.00", "secret": "longenough"},
             expect=400, label="digits"),
        POST("/api/refunds/", json={"amount": "12.5", "secret": "longenough",
                                    "extra": {"a": [1, 2]}, "when": "2026-01-01T10:00:00+02:00",
                                    "ref": "12345678123456781234567812345678",
                                    "contact": "a@example.com", "page": "https://example.com/",
                                    "handle": "ok-slug", "ratio": 0.5, "count": 3,
                                    "on_day": "2026-02-28"},
             expect=202, label="valid"),
        POST("/api/refunds/", json=[1], expect=400, label="a-list"),
        POST("/api/refunds/", json={"amount": 1, "secret": "x" * 8, "handle": "not a slug",
                                    "page": "ftp://example.com", "ref": "{12345678-1234-5678-"
                                    "1234-567812345678}"}, expect=400, label="slug-and-url"),
    ),
]
