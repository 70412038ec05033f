"""Publishers: a ModelViewSet looked up by a unique SlugField, without
pages; TokenAuthentication then BasicAuthentication and
IsAuthenticatedOrReadOnly for anonymous, token and Basic clients; every
validation message of its fields."""
from dsl import DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, scenario


def create(body, **options):
    if "basic" not in options:
        options.setdefault("user", "alice")
    return POST("/api/publishers/", json=body, **options)


SCENARIOS = [
    scenario("publishers.setup", "four publishers, by token and Basic users",
        create({"slug": "penguin", "name": "Penguin", "country": "GB"}, expect=201,
               label="penguin"),
        create({"slug": "gallimard", "name": "Gallimard", "country": "FR"}, expect=201,
               label="gallimard"),
        create({"slug": "suhrkamp", "name": "Suhrkamp"}, basic="bob", expect=201,
               label="basic-no-country"),
        create({"slug": "tiny-press_2", "name": "Tiny Press", "country": ""}, user="sam",
               expect=201, label="blank-country"),
        POST("/api/publishers/", json={"slug": "x", "name": "X"}, expect=401,
             label="anonymous"),
        POST("/api/publishers/", basic=("alice", "wrong"), json={"slug": "x", "name": "X"},
             expect=401, label="wrong-password"),
        POST("/api/publishers/", headers={"Authorization": "Token nope"},
             json={"slug": "x", "name": "X"}, expect=401, label="unknown-token"),
    ),
    scenario("publishers.validation", "every message of slug, name and country",
        create({}, expect=400, label="empty"),
        create({"slug": None, "name": None, "country": None}, expect=400, label="nulls"),
        create({"slug": "penguin", "name": "Again"}, expect=400, label="duplicate-slug"),
        create({"slug": "two words", "name": "n" * 101, "country": "GBR"}, expect=400,
               label="invalid"),
        create({"slug": "ümlaut", "name": "", "country": 12}, expect=400, label="unicode-slug"),
        create({"slug": "s" * 51, "name": "Long slug"}, expect=400, label="slug-too-long"),
        create({"slug": ["a"], "name": {"n": 1}}, expect=400, label="containers"),
        POST("/api/publishers/", user="alice", body="slug=x", content_type="text/plain",
             expect=415, label="unsupported"),
        POST("/api/publishers/", user="alice", body="{", content_type="application/json",
             expect=400, label="parse-error"),
    ),
    scenario("publishers.read", "list (no pages, by slug), retrieve, HEAD, OPTIONS",
        GET("/api/publishers/", expect=200, label="list"),
        GET("/api/publishers/?cursor=abc&page=2", expect=200, label="no-pagination"),
        GET("/api/publishers/penguin/", expect=200, label="retrieve"),
        GET("/api/publishers/Penguin/", expect=404, label="case-sensitive"),
        GET("/api/publishers/nobody/", expect=404, label="missing"),
        HEAD("/api/publishers/penguin/", expect=200, label="head"),
        GET("/api/publishers/penguin.json", expect=200, label="format-suffix"),
        OPTIONS("/api/publishers/", expect=200, label="options-anonymous"),
        OPTIONS("/api/publishers/", user="bob", expect=200, label="options-user"),
        OPTIONS("/api/publishers/penguin/", user="bob", expect=200, label="options-detail"),
        GET("/api/", expect=200, label="api-root"),
    ),
    scenario("publishers.write", "PUT, PATCH, DELETE by any user; anonymous refused",
        PUT("/api/publishers/suhrkamp/", user="bob",
            json={"slug": "suhrkamp", "name": "Suhrkamp Verlag", "country": "DE"}, expect=200,
            label="put"),
        PUT("/api/publishers/suhrkamp/", user="bob", json={"name": "No slug"}, expect=400,
            label="put-required"),
        PATCH("/api/publishers/penguin/", user="bob", json={"slug": "gallimard"}, expect=400,
              label="patch-unique"),
        PATCH("/api/publishers/penguin/", user="bob", json={"slug": "penguin"}, expect=200,
              label="patch-own-slug"),
        PATCH("/api/publishers/penguin/", json={"name": "x"}, expect=401, label="anonymous"),
        DELETE("/api/publishers/tiny-press_2/", basic="nora", expect=204, label="delete"),
        DELETE("/api/publishers/tiny-press_2/", basic="nora", expect=404, label="delete-again"),
        PATCH("/api/publishers/", user="bob", json={}, expect=405, label="patch-list"),
        GET("/api/publishers/", headers={"Accept": "application/xml"}, expect=406,
            label="not-acceptable"),
    ),
]
