"""Books: looked up by slug; the default CursorPagination (Shelf: -created,
-id, PAGE_SIZE 4); SearchFilter with SEARCH_PARAM "q" and the prefixes ^ =
$ and none; a nested AuthorBrief over the author foreign key, a dotted
source through two foreign keys (author.publisher.name) and the
RecentReviews PostFetch (two per book, -stars then -id) rendered by a plain
Serializer; Reviews (fields "__all__")."""
from dsl import DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, scenario


def book(slug, title, author, pages, **fields):
    body = {"isbn": fields.pop("isbn"),
            "title": title, "slug": slug, "author": author, "published": "1969-03-01",
            "pages": pages}
    body.update(fields)
    return body


def create(body, **options):
    if "basic" not in options:
        options.setdefault("user", "alice")
    return POST("/api/books/", json=body, **options)


def review(book_id, stars, text, **options):
    if "user" not in options:
        options["user"] = "bob"
    elif options["user"] is None:
        del options["user"]
    return POST("/api/reviews/", json={"book": book_id, "stars": stars, "text": text}, **options)


SCENARIOS = [
    scenario("books.setup", "seven books of four authors",
        create(book("left-hand", "The Left Hand of Darkness", 1, 304, isbn="9780441478125",
                    summary="Genly Ai visits the planet Winter."), expect=201, label="left-hand"),
        create(book("dispossessed", "The Dispossessed", 1, 387, isbn="9780060512750",
                    summary="An ambiguous utopia."), expect=201, label="dispossessed"),
        create(book("earthsea", "A Wizard of Earthsea", 1, 183, isbn="0553383043",
                    language="en"), expect=201, label="isbn-10"),
        create(book("l-etranger", "L'Étranger", 2, 98, isbn="9782070360024", language="fr",
                    summary="Aujourd'hui, maman est morte."), expect=201, label="short-book"),
        create(book("la-peste", "La Peste", 2, 336, isbn="9782070360420", language="fr"),
               expect=201, label="la-peste"),
        create(book("siddhartha", "Siddhartha", 4, 152, isbn="9783518366820", language="de",
                    summary="Eine indische Dichtung."), basic="bob", expect=201,
               label="no-publisher"),
        create(book("anon-1", "Beowulf", 3, 1, isbn="1111111111"), expect=201, label="one-page"),
    ),
    scenario("books.validation", "every message of the Book fields",
        create({}, expect=400, label="empty"),
        create(book("x", "x", 1, 10, isbn="123456789"), expect=400, label="isbn-too-short"),
        create(book("x", "x", 1, 10, isbn="12345678901234"), expect=400, label="isbn-too-long"),
        create(book("x", "x", 1, 10, isbn="9780441478125"), expect=400, label="isbn-taken"),
        create(book("earthsea", "x", 1, 10, isbn="2222222222"), expect=400, label="slug-taken"),
        create(book("no spaces", "x", 1, 0, isbn="2222222222"), expect=400,
               label="slug-and-pages"),
        create(book("s" * 61, "t" * 201, 9, -5, isbn="2222222222"), expect=400,
               label="lengths-and-author"),
        create(book("x", "x", 1, "many", isbn="2222222222", published="March 1969",
                    language="es"), expect=400, label="types-and-choice"),
        create(book("x", "x", 1, 10, isbn="2222222222", language=None, summary=None),
               expect=400, label="nulls"),
        create(book("x", "x", "1", 10.5, isbn="2222222222", summary=""), expect=400,
               label="float-pages"),
        create(book("x", "x", 1, 10, isbn="2222222222", writer={"name": "y"}, imprint="z",
                    recent_reviews=[{"stars": 5}], created="2000-01-01T00:00:00Z"),
               expect=201, label="read-only-ignored"),
        DELETE("/api/books/x/", user="alice", expect=204, label="delete-it"),
    ),
    scenario("books.reviews", "reviews through the API; the PostFetch shows the best two",
        review(1, 4, "Cold and brilliant.", expect=201, label="review-1"),
        review(1, 5, "A classic.", user="alice", expect=201, label="review-2"),
        review(1, 3, "Slow start.", expect=201, label="review-3"),
        review(1, 5, "", expect=201, label="blank-text"),
        review(2, 2, "Too political.", expect=201, label="review-5"),
        review(1, 0, "x", expect=400, label="zero-stars"),
        review(1, 6, "x", expect=400, label="six-stars"),
        review(99, 3, "x", expect=400, label="no-book"),
        POST("/api/reviews/", user="bob", json={"book": 1}, expect=400, label="stars-required"),
        review(1, 3, "x", user=None, expect=401, label="anonymous"),
        GET("/api/reviews/", expect=200, label="list"),
        GET("/api/reviews/3/", expect=200, label="retrieve"),
        PATCH("/api/reviews/3/", user="alice", json={"stars": 1}, expect=200, label="patch"),
        DELETE("/api/reviews/5/", user="alice", expect=204, label="delete-review"),
        OPTIONS("/api/reviews/", user="bob", expect=200, label="options"),
    ),
    scenario("books.read", "retrieve by slug with its nested and dotted fields",
        GET("/api/books/left-hand/", expect=200, label="with-reviews"),
        GET("/api/books/dispossessed/", expect=200, label="review-deleted"),
        GET("/api/books/siddhartha/", expect=200, label="imprint-null-publisher"),
        GET("/api/books/anon-1/", expect=200, label="imprint-no-publisher"),
        GET("/api/books/nothing/", expect=404, label="missing"),
        GET("/api/books/1/", expect=404, label="by-id"),
        HEAD("/api/books/left-hand/", expect=200, label="head"),
        OPTIONS("/api/books/", user="alice", expect=200, label="options-list"),
        OPTIONS("/api/books/left-hand/", expect=200, label="options-anonymous"),
    ),
    scenario("books.cursor", "Shelf: newest first, four per page, next and previous links",
        GET("/api/books/", expect=200, save={"next": "next"}, label="first"),
        GET("${next}", expect=200, save={"prev": "previous"}, label="second"),
        GET("${prev}", expect=200, label="back"),
        GET("/api/books/?cursor=bm9wZQ", expect=404, label="bad-cursor"),
        GET("/api/books/?cursor=", expect=200, label="empty-cursor"),
        GET("/api/books/?page_size=2", expect=200, label="no-size-parameter"),
        HEAD("/api/books/", expect=200, label="head"),
    ),
    scenario("books.search", "every prefix, with q as the parameter",
        GET("/api/books/?q=the", expect=200, label="title-prefix"),
        GET("/api/books/?q=darkness", expect=200, label="title-prefix-not-inside"),
        GET("/api/books/?q=9780060512750", expect=200, label="isbn-exact"),
        GET("/api/books/?q=978006051275", expect=200, label="isbn-not-partial"),
        GET("/api/books/?q=utopia", expect=200, label="summary-contains"),
        GET("/api/books/?q=UTOPIA", expect=200, label="summary-any-case"),
        GET("/api/books/?q=^l-", expect=200, label="slug-regex"),
        GET("/api/books/?q=a.*e$", expect=200, label="slug-regex-anchored"),
        GET("/api/books/?q=(", expect=500, label="regex-invalid"),
        GET("/api/books/?q=the%20left", expect=200, label="two-terms"),
        GET("/api/books/?q=the,dispossessed", expect=200, label="comma"),
        GET("/api/books/?q=", expect=200, label="empty"),
        GET("/api/books/?search=utopia", expect=200, label="search-is-not-the-parameter"),
        GET("/api/books/?q=maman", expect=200, label="apostrophe-text"),
    ),
    scenario("books.write", "PUT, PATCH and DELETE by slug",
        PUT("/api/books/earthsea/", user="bob",
            json=book("earthsea", "A Wizard of Earthsea", 1, 205, isbn="0553383043"),
            expect=200, label="put"),
        PATCH("/api/books/earthsea/", user="bob", json={"slug": "wizard"}, expect=200,
              label="patch-slug"),
        GET("/api/books/earthsea/", expect=404, label="old-slug"),
        PATCH("/api/books/wizard/", user="bob", json={"isbn": "9780441478125"}, expect=400,
              label="patch-isbn-taken"),
        PATCH("/api/books/wizard/", json={"pages": 2}, expect=401, label="anonymous"),
        PATCH("/api/books/wizard/", basic="nora", json={"language": "de"}, expect=200,
              label="basic"),
        GET("/api/authors/0e1c0e5c-9b7c-4b6e-8d0f-1a2b3c4d5e6f/books/", expect=200,
            label="author-books"),
        DELETE("/api/books/anon-1/", expect=401, label="delete-anonymous"),
        DELETE("/api/books/anon-1/", user="bob", expect=204, label="delete"),
        POST("/api/books/wizard/", user="bob", json={}, expect=405, label="post-detail"),
    ),
]
