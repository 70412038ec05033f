"""Authors: looked up by a UUIDField (a uuid4 default, pinned by SQL after
the creates to 00000000-0000-0000-0000-00000000000<id>; lookup_url_kwarg
author_uid) that is
editable=False; a nullable SET_NULL foreign key and a dotted read-only
source through it (publisher.name, allow_null); the list action without
pages; the nested path api/authors/<uuid:uid>/books/ (AuthorBooks)."""
from dsl import DELETE, GET, OPTIONS, PATCH, POST, PUT, SQL, scenario

FIXED = "0e1c0e5c-9b7c-4b6e-8d0f-1a2b3c4d5e6f"


def create(body, **options):
    options.setdefault("user", "alice")
    return POST("/api/authors/", json=body, **options)


SCENARIOS = [
    scenario("authors.setup", "three authors through the API, one by SQL with a known uid",
        create({"name": "Ursula K. Le Guin", "born": "1929-10-21", "publisher": 1}, expect=201,
               random=["uid"], label="le-guin"),
        create({"name": "Albert Camus", "born": "1913-11-07", "publisher": 2}, expect=201,
               random=["uid"], label="camus"),
        create({"name": "Anonymous", "uid": FIXED, "id": 50}, expect=201, random=["uid"],
               label="read-only-uid-ignored"),
        # uuid4 defaults differ between the servers: pinned for what follows.
        [SQL("UPDATE catalogue_author SET uid = '%032x' WHERE id = %d" % (n, n))
         for n in (1, 2, 3)],
        SQL("INSERT INTO catalogue_author (uid, name, born, publisher_id) "
            "VALUES ('0e1c0e5c9b7c4b6e8d0f1a2b3c4d5e6f', 'Hermann Hesse', '1877-07-02', 3)"),
    ),
    scenario("authors.validation", "date, foreign key and length messages",
        create({}, expect=400, label="empty"),
        create({"name": "x", "born": "21/10/1929"}, expect=400, label="date-format"),
        create({"name": "x", "born": "1929-02-30"}, expect=400, label="no-such-day"),
        create({"name": "x", "born": "1929-10-21T10:00:00"}, expect=400, label="datetime-for-date"),
        create({"name": "x", "publisher": 99}, expect=400, label="publisher-missing"),
        create({"name": "x", "publisher": "penguin"}, expect=400, label="publisher-type"),
        create({"name": "x", "publisher": True}, expect=400, label="publisher-bool"),
        create({"name": "n" * 101, "born": ""}, expect=400, label="too-long"),
    ),
    scenario("authors.read", "the list without pages, retrieve by uid",
        GET("/api/authors/", expect=200, label="list"),
        GET("/api/authors/?cursor=x", expect=200, label="list-not-paginated"),
        GET("/api/authors/%s/" % FIXED, expect=200, label="retrieve"),
        GET("/api/authors/%s/" % FIXED.upper(), expect=200, label="retrieve-upper-case"),
        GET("/api/authors/%s/" % FIXED.replace("-", ""), expect=200, label="retrieve-no-dashes"),
        GET("/api/authors/0e1c0e5c-9b7c-4b6e-8d0f-000000000000/", expect=404, label="unknown"),
        GET("/api/authors/not-a-uuid/", expect=404, label="not-a-uuid"),
        GET("/api/authors/1/", expect=404, label="by-id"),
        OPTIONS("/api/authors/%s/" % FIXED, user="bob", expect=200, label="options-detail"),
        OPTIONS("/api/authors/", user="bob", expect=200, label="options-list"),
    ),
    scenario("authors.write", "updates keep the uid; SET_NULL empties publisher_name",
        PUT("/api/authors/%s/" % FIXED, user="bob",
            json={"name": "Hermann Hesse", "born": None, "publisher": 3, "uid": "x"},
            expect=200, label="put"),
        PATCH("/api/authors/%s/" % FIXED, user="bob", json={"publisher": None}, expect=200,
              label="patch-null-publisher"),
        PATCH("/api/authors/%s/" % FIXED, user="bob", json={"publisher": 3}, expect=200,
              label="patch-publisher"),
        DELETE("/api/publishers/suhrkamp/", user="sam", expect=204, label="delete-publisher"),
        GET("/api/authors/%s/" % FIXED, expect=200, label="publisher-set-null"),
        PATCH("/api/authors/%s/" % FIXED, json={"name": "x"}, expect=401, label="anonymous"),
        POST("/api/authors/%s/" % FIXED, user="bob", json={}, expect=405, label="post-detail"),
    ),
    scenario("authors.books", "AuthorBooks: <uuid:uid> in the path, AllowAny, no pages",
        GET("/api/authors/%s/books/" % FIXED, expect=200, label="none-yet"),
        GET("/api/authors/0e1c0e5c-9b7c-4b6e-8d0f-000000000000/books/", expect=200,
            label="unknown-author"),
        POST("/api/authors/%s/books/" % FIXED, user="alice", json={}, expect=405, label="post"),
        OPTIONS("/api/authors/%s/books/" % FIXED, expect=200, label="options"),
    ),
]
