"""Moves: a GenericViewSet of three mixins (no update, no destroy), for
authenticated users only, with an object-level validators hook and a
perform_create hook that records the user; fields = "__all__" with a
foreign key to User made read-only."""
from dsl import DELETE, GET, OPTIONS, PATCH, POST, scenario


def move(body, **options):
    options.setdefault("user", "alice")
    return POST("/api/moves/", json=body, **options)


SCENARIOS = [
    scenario("moves.create", "the perform_create hook and the validators hook",
        move({"item": 5, "delta": 10, "reason": "receipt", "note": "first"}, expect=201,
             label="receipt"),
        move({"item": 5, "delta": -4, "reason": "shipment"}, user="bob", expect=201,
             label="shipment"),
        move({"item": 5, "delta": 2, "reason": "adjustment", "moved_by": 2}, expect=201,
             label="moved-by-read-only"),
        move({"item": 5, "delta": 0, "reason": "adjustment"}, expect=400, label="zero"),
        move({"item": 5, "delta": 5, "reason": "shipment"}, expect=400, label="shipment-in"),
        move({"item": 5, "delta": 0, "reason": "lost"}, expect=400,
             label="field-error-skips-validators"),
        move({"item": 999, "delta": 1000, "reason": "receipt"}, expect=400, label="fk"),
        move({"item": 5, "delta": 1001, "reason": "receipt"}, expect=400, label="max"),
        move({"item": 5, "delta": -1001, "reason": "receipt"}, expect=400, label="min"),
        move({"item": 5, "delta": 1, "reason": "receipt", "note": "n" * 201}, expect=400,
             label="note-max"),
        move({"item": 5, "delta": 1, "reason": "receipt", "note": None}, expect=400,
             label="note-null"),
        move({}, expect=400, label="empty"),
        move({"item": 5, "delta": 1, "reason": "receipt"}, user=None, expect=401,
             label="anonymous"),
        move({"item": 5, "delta": 1, "reason": "receipt"}, user=None, basic="nora",
             expect=201, label="basic-user-without-token"),
    ),
    scenario("moves.read", "list (limit-offset), retrieve, filters, ordering",
        GET("/api/moves/", expect=401, label="anonymous"),
        GET("/api/moves/", user="alice", expect=200, label="list"),
        GET("/api/moves/?reason=receipt", user="alice", expect=200, label="filter"),
        GET("/api/moves/?reason=lost", user="alice", expect=400, label="filter-bad-choice"),
        GET("/api/moves/?item=5&sort=delta", user="alice", expect=200, label="fk-and-sort"),
        GET("/api/moves/?sort=-delta&limit=2", user="alice", expect=200, label="sort-desc"),
        GET("/api/moves/?sort=at", user="alice", expect=200, label="sort-datetime"),
        GET("/api/moves/1/", user="bob", expect=200, label="retrieve"),
        GET("/api/moves/99/", user="bob", expect=404, label="missing"),
        GET("/api/moves/99/", expect=401, label="missing-anonymous"),
    ),
    scenario("moves.methods", "what the three mixins leave out",
        PATCH("/api/moves/1/", user="alice", json={"delta": 3}, expect=405, label="patch"),
        DELETE("/api/moves/1/", user="alice", expect=405, label="delete"),
        DELETE("/api/moves/1/", expect=401, label="delete-anonymous"),
        OPTIONS("/api/moves/", user="alice", expect=200, label="options"),
        OPTIONS("/api/moves/1/", user="alice", expect=200, label="options-detail"),
        OPTIONS("/api/moves/", expect=401, label="options-anonymous"),
    ),
    scenario("moves.cascade", "deleting an item deletes its moves",
        DELETE("/api/items/5/", user="sam", expect=204, label="delete-item"),
        GET("/api/moves/1/", user="bob", expect=404, label="move-gone"),
        GET("/api/moves/", user="bob", expect=200, label="list-after"),
    ),
]
