"""Edges: a foreign key moved by PATCH (the PostFetch of both books
after), non-ASCII search terms (SQLite folds ASCII only, as Django's LIKE
there), a regex that matches no slug, and lookups that are not slugs."""
from dsl import GET, PATCH, scenario

SCENARIOS = [
    scenario("reviews.move", "a review moved to another book",
        PATCH("/api/reviews/1/", user="bob", json={"book": 2}, expect=200, label="move"),
        PATCH("/api/reviews/1/", user="bob", json={"book": None}, expect=400, label="null-book"),
        PATCH("/api/reviews/1/", user="bob", json={"book": "2"}, expect=200, label="string-pk"),
        GET("/api/books/left-hand/", expect=200, label="left-hand-after"),
        GET("/api/books/dispossessed/", expect=200, label="dispossessed-after"),
    ),
    scenario("books.search-text", "non-ASCII terms and regexes that match nothing",
        GET("/api/books/?q=%C3%A9tranger", expect=200, label="accent-lower"),
        GET("/api/books/?q=%C3%89tranger", expect=200, label="accent-exact-case"),
        GET("/api/books/?q=^z", expect=200, label="regex-no-match"),
        GET("/api/books/?q=-%5Cd$", expect=200, label="python-digit-escape"),
        GET("/api/books/?q=[[:digit:]]", expect=200, label="posix-class-literal-in-python"),
        GET("/api/books/la-peste%20/", expect=404, label="slug-with-space"),
        GET("/api/books/la.peste/", expect=404, label="dot-not-in-lookup"),
    ),
]
