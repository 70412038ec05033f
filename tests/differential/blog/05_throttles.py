"""Throttles: the default AnonRateThrottle (100/hour) and UserRateThrottle
(1000/hour), the scoped CommentBurst (comments: 20/minute) beside
AnonRateThrottle on PostComments, and the scoped Contact throttle (5/day).
With NUM_PROXIES = 1 an anonymous client is the last X-Forwarded-For
address.  DRF runs every throttle and answers with the longest wait."""
from dsl import GET, POST, repeat, scenario

COMMENT = {"author_name": "Gus", "author_email": "gus@example.com", "body": "Hello."}


def anonymous(address):
    return {"X-Forwarded-For": address}


SCENARIOS = [
    scenario("throttle.comments-user", "20 comment requests a minute per user",
        repeat(20, lambda i: GET("/api/posts/notes-bees-1/comments/", user="gus", expect=200,
                                 label="allowed-%d" % i)),
        POST("/api/posts/notes-bees-1/comments/", user="gus", json=COMMENT, expect=429,
             label="throttled"),
        GET("/api/posts/notes-rust-2/comments/", user="gus", expect=429,
            label="every-post-shares-the-scope"),
        GET("/api/posts/", user="gus", expect=200, label="other-views"),
        GET("/api/posts/notes-bees-1/comments/", user="hal", expect=200, label="other-user"),
    ),
    scenario("throttle.anonymous", "100 requests an hour per client, the longest wait wins",
        repeat(100, lambda i: GET("/api/tags/", headers=anonymous("203.0.113.10"), expect=200,
                                  label="allowed-%d" % i)),
        GET("/api/tags/", headers=anonymous("203.0.113.10"), expect=429, label="throttled"),
        GET("/api/posts/", headers=anonymous("10.0.0.1, 203.0.113.10"), expect=429,
            label="last-forwarded-address"),
        GET("/api/posts/", headers=anonymous("203.0.113.10, 10.0.0.1"), expect=200,
            label="first-forwarded-address-ignored"),
        repeat(20, lambda i: GET("/api/posts/notes-bees-1/comments/",
                                 headers=anonymous("203.0.113.10"), expect=429,
                                 label="comments-%d" % i)),
        GET("/api/posts/notes-bees-1/comments/", headers=anonymous("203.0.113.10"), expect=429,
            label="both-throttles-deny"),
        GET("/api/tags/", user="finn", headers=anonymous("203.0.113.10"), expect=200,
            label="users-are-not-anonymous"),
        GET("/api/contact/", headers=anonymous("203.0.113.10"), expect=405,
            label="contact-has-its-own-throttles"),
    ),
    scenario("throttle.contact", "5 contact messages a day",
        repeat(5, lambda i: POST("/api/contact/", user="hal", json={}, expect=400,
                                 label="allowed-%d" % i)),
        POST("/api/contact/", user="hal", json={}, expect=429, label="throttled"),
        POST("/api/contact/", user="ivy", json={}, expect=400, label="other-user"),
    ),
]
