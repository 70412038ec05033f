"""Request shapes on DRF's defaults: bodies that are not objects, empty
bodies, multipart updates, Basic credentials with a colon, the browsable
renderer chosen by format and the Accept header (both must agree)."""
from dsl import GET, OPTIONS, PATCH, POST, PUT, scenario

MULTIPART = ("--b\r\nContent-Disposition: form-data; name=\"stars\"\r\n\r\n3\r\n"
             "--b\r\nContent-Disposition: form-data; name=\"pinned\"\r\n\r\nfalse\r\n--b--\r\n")

SCENARIOS = [
    scenario("notes.bodies", "what the parsers make of odd bodies",
        POST("/notes/", body="null", content_type="application/json", expect=400, label="null"),
        POST("/notes/", body='"a note"', content_type="application/json", expect=400,
             label="string"),
        POST("/notes/", body="[]", content_type="application/json", expect=400, label="list"),
        POST("/notes/", body="", content_type="application/json", expect=400, label="empty-json"),
        POST("/notes/", body="", content_type="application/x-www-form-urlencoded", expect=400,
             label="empty-form"),
        POST("/notes/", body='{"title": "dup", "title": "last"}',
             content_type="application/json", expect=201, label="duplicate-key-last-wins"),
        POST("/notes/", body='{"title": "caf\\u00e9 \\ud83d\\ude00"}',
             content_type="application/json; charset=utf-8", expect=201, label="escapes"),
        POST("/notes/", body="title=a&title=b&stars=", content_type="application/x-www-form-urlencoded",
             expect=201, label="form-repeated-and-blank-int"),
        POST("/notes/", form={"title": "x", "pinned": "maybe"}, expect=400, label="form-bad-bool"),
        PATCH("/notes/1/", body=MULTIPART, content_type="multipart/form-data; boundary=b",
              expect=200, label="multipart-patch"),
        PUT("/notes/1/", body="", content_type="application/json", expect=400,
            label="empty-put"),
        POST("/notes/", body="{}", content_type="application/json; charset=latin-1",
             expect=400, label="charset-ignored"),
        POST("/notes/", body="{}", content_type="APPLICATION/JSON", expect=400,
             label="type-any-case"),
    ),
    scenario("notes.negotiation", "format and Accept",
        GET("/notes/1/?format=json", headers={"Accept": "text/html"}, expect=406,
            label="format-and-accept-disagree"),
        GET("/notes/1/", headers={"Accept": "application/json; indent=x"}, expect=200,
            label="bad-indent"),
        GET("/notes/1/", headers={"Accept": "*/*; q=0.1, application/json"}, expect=200,
            label="q-values"),
        GET("/notes/1/", headers={"Accept": ""}, expect=406, label="empty-accept"),
        OPTIONS("/notes/", headers={"Accept": "text/html"}, expect=200, label="options-html",
                skip={"body": "the browsable API's HTML page (docs/browsable.md)"}),
        GET("/notes/1/", basic=("user:with:colons", "x"), expect=403, label="colon-user"),
        GET("/notes/1/", basic=("alice", "alice-secret:extra"), expect=403,
            label="colon-in-password"),
    ),
]
