"""Titles: an async read-only viewset over books of 100 pages or more,
paginated by ByTitle (a cursor on title, two per page, ?n= up to 3);
its `@title` search cannot run on SQLite (Django has no `search` lookup
there: both sides fail)."""
from dsl import DELETE, GET, HEAD, OPTIONS, POST, scenario

SCENARIOS = [
    scenario("titles.pages", "ByTitle: title order, n, next and previous",
        GET("/api/titles/", expect=200, save={"next": "next"}, label="first"),
        GET("${next}", expect=200, save={"next": "next", "prev": "previous"}, label="second"),
        GET("${next}", expect=200, label="third"),
        GET("${prev}", expect=200, label="back"),
        GET("/api/titles/?n=3", expect=200, label="n"),
        GET("/api/titles/?n=50", expect=200, label="n-capped"),
        GET("/api/titles/?n=0", expect=200, label="n-zero"),
        GET("/api/titles/?n=x", expect=200, label="n-text"),
        HEAD("/api/titles/", expect=200, label="head"),
    ),
    scenario("titles.detail", "retrieve by id among the long books only",
        GET("/api/titles/1/", expect=200, label="retrieve"),
        GET("/api/titles/4/", expect=404, label="short-book"),
        GET("/api/titles/x/", expect=404, label="not-a-number"),
        POST("/api/titles/", user="alice", json={}, expect=405, label="post"),
        DELETE("/api/titles/1/", user="sam", expect=405, label="delete-not-allowed"),
        OPTIONS("/api/titles/", expect=200, label="options"),
        OPTIONS("/api/titles/1/", user="alice", expect=200, label="options-detail"),
    ),
    scenario("titles.search", "`@` search on SQLite",
        GET("/api/titles/?q=darkness", expect=500, label="search-at-prefix-on-sqlite"),
        GET("/api/titles/?q=", expect=200, label="no-terms"),
    ),
]
