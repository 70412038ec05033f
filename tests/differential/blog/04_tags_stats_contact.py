"""TagList (no pagination, OrderingFilter over the serializer's fields),
TagDetail, Stats (~IsAuthenticated | IsAdminUser) and Contact (a plain
Serializer validated by a sync APIView handler, 202)."""
from dsl import GET, POST, scenario

CONTACT = {"name": "Vera", "email": "vera@example.com", "topic": "question",
           "message": "How do bees make wax?"}


def contact(body, expect, label):
    return POST("/api/contact/", json=body, expect=expect, label=label)


SCENARIOS = [
    scenario("tags", "a plain list and a detail by slug",
        GET("/api/tags/", expect=200, label="list"),
        GET("/api/tags/?sort=-slug", expect=200, label="sorted"),
        GET("/api/tags/?sort=bogus", expect=200, label="sort-unknown"),
        GET("/api/tags/?q=bee", expect=200, label="search-without-fields"),
        GET("/api/tags/?limit=1&cursor=x&page=2", expect=200, label="no-pagination"),
        GET("/api/tags/rust/", expect=200, label="detail"),
        GET("/api/tags/nope/", expect=404, label="missing"),
        POST("/api/tags/", json={}, expect=405, label="read-only"),
    ),
    scenario("stats", "anonymous or staff, never a plain user",
        GET("/api/stats/", expect=200, label="anonymous"),
        GET("/api/stats/", user="ann", expect=403, label="user"),
        GET("/api/stats/", user="eve", expect=200, label="staff"),
        POST("/api/stats/", json={}, expect=405, label="post"),
    ),
    scenario("contact", "ContactMessage: every field type it has (five requests: 5/day)",
        contact({}, 400, "empty"),
        contact(dict(CONTACT, topic=""), 400, "topic-not-a-choice"),
        contact(dict(CONTACT, email="vera"), 400, "email"),
        contact(dict(CONTACT, message="Too short"), 400, "message-too-short"),
        contact(dict(CONTACT, name="n" * 81, message="m" * 2001), 400, "too-long"),
    ),
    scenario("contact.accepted", "a valid message is accepted (another client: 5/day)",
        contact(CONTACT, 202, "accepted"),
        contact(dict(CONTACT, topic="other", extra="ignored"), 202, "unknown-key"),
        POST("/api/contact/", user="dan", json=CONTACT, expect=202, label="user"),
        POST("/api/contact/", form={"name": "F"}, expect=415, label="form"),
    ),
]
