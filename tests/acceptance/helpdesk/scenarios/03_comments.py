"""TicketComments: a ListCreateAPIView on a nested path, its queryset
filtered by a URL argument, a get_queryset hook (internal comments for
agents only) and a perform_create hook (404 for a missing ticket, 403 for an
internal comment by a customer)."""
from dsl import DELETE, GET, OPTIONS, POST, scenario

SCENARIOS = [
    scenario("comments", "customers and agents comment on a ticket",
        POST("/api/tickets/1/comments/", user="alice", json={"text": "Any news?"}, expect=201,
             label="customer"),
        POST("/api/tickets/1/comments/", user="agent_smith",
             json={"text": "Checking the toner", "internal": True}, expect=201,
             label="agent-internal"),
        POST("/api/tickets/1/comments/", user="agent_smith", json={"text": "On my way",
                                                                  "author": 1}, expect=201,
             label="agent-public"),
        POST("/api/tickets/1/comments/", user="alice", json={"text": "Secret", "internal": True},
             expect=403, label="customer-internal"),
        POST("/api/tickets/999/comments/", user="alice", json={"text": "Hello"}, expect=404,
             label="missing-ticket"),
        POST("/api/tickets/1/comments/", user="alice", json={"text": ""}, expect=400,
             label="blank"),
        POST("/api/tickets/1/comments/", user="alice", json={"text": "x" * 501}, expect=400,
             label="too-long"),
        POST("/api/tickets/1/comments/", user="alice", json={"internal": "no"}, expect=400,
             label="required"),
        POST("/api/tickets/1/comments/", json={"text": "Anyone?"}, expect=401,
             label="anonymous"),
        GET("/api/tickets/1/comments/", user="alice", expect=200, label="customer-view"),
        GET("/api/tickets/1/comments/", user="agent_jones", expect=200, label="agent-view"),
        GET("/api/tickets/2/comments/", user="alice", expect=200, label="other-ticket"),
        GET("/api/tickets/999/comments/", user="alice", expect=200, label="missing-ticket-list"),
        GET("/api/tickets/abc/comments/", user="alice", expect=404, label="not-an-int"),
        DELETE("/api/tickets/1/comments/", user="sam", expect=405, label="delete"),
        OPTIONS("/api/tickets/1/comments/", user="alice", expect=200, label="options"),
        DELETE("/api/tickets/1/", user="sam", expect=204, label="delete-ticket"),
        GET("/api/tickets/1/comments/", user="agent_jones", expect=200, label="cascade"),
    ),
]
