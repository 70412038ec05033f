"""The LatestReview PostFetch: attached to list and retrieve (and
TopProducts' paginated response), null on create, update and publish
(docs/example-hooks.md).  Reviews cannot be created through this API (see
09_reviews.py), so they are inserted as fixtures."""
from dsl import DELETE, GET, PATCH, POST, SQL, scenario


def product(name, **options):
    return POST("/api/products/", user="erin",
                json={"name": name, "description": "postfetch probe", "price": "3.00",
                      "is_top": True}, expect=201, **options)


def review(pid_var, rating, comment, created_at):
    return ("INSERT INTO shop_review (product_id, rating, comment, created_at) "
            "VALUES (${%s}, %d, '%s', '%s');" % (pid_var, rating, comment, created_at))


SCENARIOS = [
    scenario("postfetch.latest-review", "the newest review of each product, one per product",
        product("With reviews", save={"p1": "id"}, label="create-reviewed"),
        product("With one review", save={"p2": "id"}),
        product("Without reviews", save={"p3": "id"}),
        SQL(review("p1", 2, "first", "2021-03-01 10:00:00")
            + review("p1", 5, "newest \u2603", "2023-03-01 10:00:00.250000")
            + review("p1", 3, "middle", "2022-03-01 10:00:00")
            + review("p2", 4, "", "2022-01-01 00:00:00"), label="reviews"),
        GET("/api/products/?search=postfetch", expect=200, label="list"),
        GET("/api/products/?search=postfetch&page_size=1", expect=200, label="list-one-per-page"),
        GET("/api/products/?search=postfetch&page_size=1&page=3", expect=200,
            label="list-page-without-reviews"),
        GET("/api/products/${p1}/", expect=200, label="retrieve"),
        GET("/api/products/${p3}/", expect=200, label="retrieve-none"),
        GET("/api/top-products/?page_size=3", expect=200, label="top-products"),
        PATCH("/api/products/${p1}/", user="erin", json={"price": "3.50"}, expect=200,
              label="update-renders-null"),
        POST("/api/products/${p1}/publish/", user="erin", expect=200,
             label="publish-renders-null"),
        SQL(review("p1", 1, "latest now", "2024-01-01 00:00:00"), label="newer-review"),
        GET("/api/products/${p1}/", expect=200, label="retrieve-newer"),
        GET("/api/products/${p1}/reviews/", expect=200, save={"rid": "results.3.id"},
            label="nested-reviews"),
        DELETE("/api/reviews/${rid}/", user="erin", expect=204, label="delete-newest"),
        GET("/api/products/${p1}/", expect=200, label="retrieve-after-delete"),
    ),
]
