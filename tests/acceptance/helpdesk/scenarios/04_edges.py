"""Routes the router derives: format suffixes on the list, the detail and
extra actions, HEAD on GET actions, the API root's entries; per-action
serializers in OPTIONS of an extra action with its own serializer."""
from dsl import GET, HEAD, OPTIONS, POST, scenario

SCENARIOS = [
    scenario("routing.suffixes", "DefaultRouter's .json routes",
        GET("/api/tickets.json", user="bob", expect=200, label="list-json"),
        GET("/api/tickets/2.json", user="agent_smith", expect=200, label="detail-json"),
        GET("/api/tickets/mine.json", user="bob", expect=200, label="extra-list-json"),
        GET("/api/tickets/triage-queue.json", user="agent_jones", expect=200,
            label="extra-url-path-json"),
        POST("/api/tickets/2/close.json", user="agent_smith", expect=200, label="extra-detail-json"),
        GET("/api/tickets.xml", user="bob", expect=404, label="unknown-format"),
        GET("/api/queues.json", expect=200, label="queues-json"),
        GET("/api/.json", user="bob", expect=200, label="root-json"),
    ),
    scenario("routing.head", "HEAD follows GET on every GET action",
        HEAD("/api/tickets/mine/", user="bob", expect=200, label="mine"),
        HEAD("/api/tickets/triage-queue/", user="agent_jones", expect=200, label="triage"),
        HEAD("/api/tickets/triage-queue/", user="bob", expect=403, label="triage-denied"),
        HEAD("/api/tickets/2/close/", user="agent_smith", expect=405, label="post-only"),
        OPTIONS("/api/tickets/2/escalate/", user="agent_smith", expect=200,
                label="escalate-options"),
    ),
]
