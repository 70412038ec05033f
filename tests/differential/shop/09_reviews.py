"""Reviews (a GenericViewSet of List, Create and Destroy mixins) and
ProductReviews (a ListCreateAPIView on a nested URL).

ReviewSerializer makes `product` read-only and nothing sets it, so a valid
create reaches the database without product_id and fails its NOT NULL
constraint: DRF answers Django's 500 page.  The spec is quoted verbatim from
rflow-language.md; the scenarios record what it does, validation included."""
from dsl import DELETE, GET, OPTIONS, PATCH, POST, PUT, SQL, scenario

SCENARIOS = [
    scenario("reviews.viewset", "list, create (validation) and destroy; no retrieve or update",
        POST("/api/products/", user="alice", json={"name": "Reviewed", "price": "4.00",
                                                   "is_top": True},
             expect=201, save={"pid": "id"}),
        SQL("INSERT INTO shop_review (product_id, rating, comment, created_at) VALUES "
            "(${pid}, 4, 'good', '2022-05-05 12:00:00'), "
            "(${pid}, 2, 'meh', '2022-05-06 12:00:00.000001');"),
        GET("/api/reviews/", expect=200, label="list"),
        GET("/api/reviews/?page_size=1&page=2", expect=200, label="page"),
        GET("/api/products/${pid}/reviews/", expect=200, save={"rid": "results.0.id"},
            label="nested-list"),
        GET("/api/reviews/${rid}/", expect=405, label="retrieve"),
        PUT("/api/reviews/${rid}/", user="alice", json={"rating": 1}, expect=405,
            label="update"),
        PATCH("/api/reviews/${rid}/", user="alice", json={"rating": 1}, expect=405),
        POST("/api/reviews/", user="alice", json={}, expect=400, label="create-empty"),
        POST("/api/reviews/", user="alice", json={"rating": 6}, expect=400, label="above-max"),
        POST("/api/reviews/", user="alice", json={"rating": 0}, expect=400, label="below-min"),
        POST("/api/reviews/", user="alice", json={"rating": "abc"}, expect=400, label="text"),
        POST("/api/reviews/", user="alice", json={"rating": 2.5}, expect=400, label="fraction"),
        POST("/api/reviews/", user="alice", json={"rating": True}, expect=400, label="bool"),
        POST("/api/reviews/", user="alice", json={"rating": None}, expect=400, label="null"),
        POST("/api/reviews/", user="alice", json={"rating": "3.0", "comment": None},
             expect=400, label="comment-null"),
        POST("/api/reviews/", user="alice", json={"rating": 99999999999999999999},
             expect=400, label="huge"),
        POST("/api/reviews/", user="alice", json={"rating": 3, "product": "${pid}"},
             expect=500, label="create-valid"),
        DELETE("/api/reviews/${rid}/", expect=401, label="destroy-anonymous"),
        DELETE("/api/reviews/${rid}/", user="bob", expect=204, label="destroy-any-user"),
        DELETE("/api/reviews/${rid}/", user="bob", expect=404, label="destroy-again"),
        GET("/api/reviews/", expect=200, label="list-after"),
        OPTIONS("/api/reviews/", user="bob", expect=200, label="options-list"),
        OPTIONS("/api/reviews/1/", user="bob", expect=200, label="options-detail"),
    ),
    scenario("reviews.nested", "ProductReviews: Review.filter(product_id = url.product_id)",
        GET("/api/products/999999/reviews/", expect=200, label="unknown-product-is-empty"),
        GET("/api/products/0/reviews/", expect=200, label="zero"),
        GET("/api/products/1/reviews/?page=2", expect=404, label="past-the-end"),
        POST("/api/products/1/reviews/", json={"rating": 3}, expect=401, label="create-anonymous"),
        POST("/api/products/1/reviews/", user="bob", json={"rating": 7}, expect=400,
             label="create-invalid"),
        POST("/api/products/1/reviews/", user="bob", json={"rating": 3}, expect=500,
             label="create-valid"),
        PUT("/api/products/1/reviews/", user="bob", json={}, expect=405, label="put"),
        DELETE("/api/products/1/reviews/", user="bob", expect=405, label="delete"),
        OPTIONS("/api/products/1/reviews/", expect=200, label="options"),
        OPTIONS("/api/products/1/reviews/", user="bob", expect=200, label="options-user"),
    ),
]
