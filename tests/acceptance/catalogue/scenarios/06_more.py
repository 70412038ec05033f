"""More pages: the Shelf cursor of an APIView over more loans than a page
(next and previous links built on Loan's created and id), books created
from a form, and the ByTitle page size parameter at its edges."""
from dsl import GET, POST, scenario


def shelf_book(n):
    return POST("/api/books/", user="alice",
                form={"isbn": "97800000000%02d" % n, "title": "Shelf %d" % n,
                      "slug": "shelf-%d" % n, "author": "1", "published": "2001-01-0%d" % n,
                      "pages": str(100 + n)},
                expect=201, label="form-book-%d" % n)


SCENARIOS = [
    scenario("loans.pages", "five open loans: a page of four, then one",
        [shelf_book(n) for n in range(1, 5)],
        POST("/api/checkout/", user="alice", json={"book": 9, "due": "2030-06-01"}, expect=201,
             label="borrow-9"),
        POST("/api/checkout/", user="alice", json={"book": 10, "due": "2030-06-02"}, expect=201,
             label="borrow-10"),
        POST("/api/checkout/", user="alice", json={"book": 11, "due": "2030-06-03"}, expect=201,
             label="borrow-11"),
        POST("/api/checkout/", user="alice", json={"book": 12, "due": "2030-06-04"}, expect=201,
             label="borrow-12"),
        GET("/api/checkout/", user="alice", expect=200, save={"next": "next"}, label="page-1"),
        GET("${next}", user="alice", expect=200, save={"prev": "previous"}, label="page-2"),
        GET("${prev}", user="alice", expect=200, label="back"),
        GET("${next}", user="bob", expect=200, label="other-user-same-cursor"),
    ),
    scenario("titles.sizes", "ByTitle's n at its edges",
        GET("/api/titles/?n=-1", expect=200, label="negative"),
        GET("/api/titles/?n=3&q=", expect=200, label="with-empty-search"),
        GET("/api/titles/?n=%203", expect=200, label="spaces"),
        GET("/api/titles/?n=2.5", expect=200, label="not-an-integer"),
    ),
]
