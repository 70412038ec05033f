"""Content negotiation: Accept, indent, 406, the browsable renderer that DRF's
default DEFAULT_RENDERER_CLASSES includes (conformance.md, Responses)."""
from dsl import GET, POST, scenario

BROWSABLE = {"body": "the browsable API's HTML holds a random CSRF token"}


def accept(value, **options):
    return GET("/api/products/", headers={"Accept": value}, **options)


SCENARIOS = [
    scenario("negotiation.accept", "which renderer each Accept header selects",
        accept("application/json", expect=200),
        accept("*/*", expect=200, label="any"),
        accept("application/*", expect=200, label="application-any"),
        accept("text/plain", expect=406, label="text-plain"),
        accept("application/xml", expect=406),
        accept("image/*", expect=406),
        accept("nonsense", expect=406, label="malformed"),
        accept("text/html", expect=200, label="html", skip=BROWSABLE),
        accept("text/html;q=0.5, application/json", expect=200, label="q-values"),
        accept("application/json;q=0.1, text/html", expect=200, label="q-values-ignored"),
        accept("text/plain, application/json;q=0.9", expect=200),
        accept("application/json; charset=utf-8", expect=200, label="charset"),
        accept("application/json; version=2", expect=200, label="other-param"),
        accept("", expect=406, label="empty"),
        GET("/api/products/", headers={"Accept": "text/plain"}, user="alice", expect=406,
            label="text-plain-user"),
        POST("/api/products/", headers={"Accept": "text/plain"}, json={}, expect=406,
             label="before-authentication"),
        GET("/api/products/?format=json", headers={"Accept": "text/plain"}, expect=406,
            label="format-and-accept"),
        GET("/api/products/?format=api", headers={"Accept": "application/json"}, expect=406),
        GET("/api/top-products/", headers={"Accept": "text/csv"}, expect=406),
        GET("/api/", headers={"Accept": "text/plain"}, expect=406, label="root"),
    ),
    scenario("negotiation.indent", "Accept: application/json; indent=N",
        accept("application/json; indent=4", expect=200, label="indent-4"),
        accept("application/json; indent=0", expect=200, label="indent-0"),
        accept("application/json; indent=2", expect=200),
        accept("application/json; indent=20", expect=200, label="indent-capped"),
        accept("application/json; indent=-3", expect=200, label="indent-negative"),
        accept("application/json; indent=abc", expect=200, label="indent-invalid"),
        accept("application/json;indent=4", expect=200, label="no-space"),
        GET("/api/products/999999/", headers={"Accept": "application/json; indent=4"},
            expect=404, label="error-indented"),
        POST("/api/products/", headers={"Accept": "application/json; indent=2"},
             user="alice", json={"name": "", "price": "x"}, expect=400,
             label="validation-indented"),
        GET("/api/", headers={"Accept": "application/json; indent=4"}, expect=200,
            label="root-indented"),
        GET("/api/products/?search=nothing-matches",
            headers={"Accept": "application/json; indent=4"}, expect=200,
            label="empty-page-indented"),
    ),
]
