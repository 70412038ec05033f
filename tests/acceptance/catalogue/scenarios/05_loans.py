"""Checkout (an AsyncAPIView with the helpers: a plain Serializer with a
PrimaryKeyRelatedField and a validate_due hook in, LoanSerializer out, the
Shelf cursor on GET) and ReturnLoan (an APIView with a blocking handler);
LoanSerializer's dotted sources through one and two foreign keys."""
from dsl import GET, HEAD, OPTIONS, PATCH, POST, PUT, scenario


def checkout(book_id, due, **options):
    if "basic" not in options:
        options.setdefault("user", "alice")
    return POST("/api/checkout/", json={"book": book_id, "due": due}, **options)


SCENARIOS = [
    scenario("loans.checkout", "borrow: validation, the hook's check, the saved loan",
        GET("/api/checkout/", expect=401, label="anonymous"),
        GET("/api/checkout/", user="alice", expect=200, label="none-yet"),
        checkout(1, "2030-01-31", expect=201, label="borrow"),
        checkout(1, "2030-02-01", user="bob", expect=400, label="on-loan"),
        checkout(2, "2019-12-31", user="bob", expect=400, label="due-hook"),
        checkout(99, "2030-01-01", user="bob", expect=400, label="no-book"),
        checkout("two", "soon", user="bob", expect=400, label="types"),
        POST("/api/checkout/", user="bob", json={}, expect=400, label="empty"),
        POST("/api/checkout/", user="bob", json={"book": 2, "due": "2030-01-01",
                                                 "note": "n" * 21}, expect=400,
             label="note-too-long"),
        POST("/api/checkout/", user="bob", json={"book": 2, "due": "2030-01-01", "note": ""},
             expect=201, label="blank-note"),
        POST("/api/checkout/", user="bob", form={"book": "5", "due": "2031-06-30"},
             expect=201, label="form"),
        checkout(6, "2030-03-01", basic="nora", expect=201, label="basic"),
        checkout(3, "2030-04-01", expect=201, label="second-loan"),
        POST("/api/checkout/", json={"book": 7, "due": "2030-01-01"}, expect=401,
             label="anonymous-post"),
    ),
    scenario("loans.list", "the user's loans, newest first, by the Shelf cursor",
        GET("/api/checkout/", user="alice", expect=200, label="alice"),
        GET("/api/checkout/", user="bob", expect=200, label="bob"),
        GET("/api/checkout/?cursor=zzz", user="bob", expect=404, label="bad-cursor"),
        HEAD("/api/checkout/", user="alice", expect=200, label="head"),
        OPTIONS("/api/checkout/", user="alice", expect=200, label="options"),
        OPTIONS("/api/checkout/", expect=401, label="options-anonymous"),
        PUT("/api/checkout/", user="alice", json={}, expect=405, label="put"),
    ),
    scenario("loans.return", "ReturnLoan: the user's own loans only",
        POST("/api/loans/1/return/", user="bob", expect=404, label="not-the-borrower"),
        POST("/api/loans/1/return/", user="alice", expect=200, label="return"),
        POST("/api/loans/1/return/", user="alice", expect=400, label="again"),
        POST("/api/loans/999/return/", user="alice", expect=404, label="missing"),
        POST("/api/loans/1/return/", expect=401, label="anonymous"),
        GET("/api/loans/1/return/", user="alice", expect=405, label="get"),
        PATCH("/api/loans/1/return/", user="alice", json={}, expect=405, label="patch"),
        OPTIONS("/api/loans/1/return/", user="alice", expect=200, label="options"),
        checkout(1, "2030-05-01", user="bob", expect=201, label="borrow-again"),
        GET("/api/checkout/", user="alice", expect=200, label="alice-after"),
    ),
]
