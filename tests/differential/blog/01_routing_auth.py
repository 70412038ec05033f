"""Routing (a DefaultRouter and a SimpleRouter, path() views, the posts'
lookup_value_regex), content negotiation with JSONRenderer and JSONParser
only, and authentication with TokenAuthentication then ApiToken (Bearer)."""
from dsl import GET, OPTIONS, PATCH, POST, scenario

BEARER_ANN = "Bearer 1c45a964c5fc6e751161cfbe6e6cbee3113ba479"
NEW_POST = {"slug": "auth-probe", "title": "Auth probe", "body": "", "status": "draft"}


def authorization(value, method=GET, path="/api/posts/", **options):
    return method(path, headers={"Authorization": value}, **options)


SCENARIOS = [
    scenario("routing", "both routers, path() views, converters and the lookup regex",
        GET("/api/", expect=200, label="root"),
        GET("/api/.json", expect=200, label="root-suffix"),
        GET("/api/staff/", expect=404, label="simple-router-has-no-root"),
        GET("/api/staff/comments/", expect=401, label="staff-list-anonymous"),
        GET("/api/staff/comments.json", expect=404, label="simple-router-has-no-suffixes"),
        GET("/api/posts/notes-bees-1/", expect=200, label="detail"),
        GET("/api/posts/notes-bees-1.json", expect=200, label="detail-suffix"),
        GET("/api/posts/Notes-Bees-1/", expect=404, label="regex-lower-case-only"),
        GET("/api/posts/notes_bees_1/", expect=404, label="regex-no-underscore"),
        GET("/api/posts/drafts/", expect=401, label="list-action-before-lookup"),
        GET("/api/posts/notes-bees-1/publish-now/", expect=405, label="url-path"),
        GET("/api/posts/notes-bees-1/publish/", expect=404, label="not-the-action-name"),
        GET("/api/authors/ann/posts/", expect=200, label="author-posts"),
        GET("/api/posts/notes-bees-1/comments/", expect=200, label="nested"),
        GET("/api/posts/no_such!/comments/", expect=404, label="slug-converter"),
        GET("/api/tags", expect=301, label="append-slash"),
        GET("/api/tags/bees/", expect=200),
        GET("/api/stats/", expect=200),
        GET("/api/contact/", expect=405, label="contact-get"),
    ),
    scenario("negotiation", "DEFAULT_RENDERER_CLASSES = [JSONRenderer], PARSER = [JSONParser]",
        GET("/api/posts/", headers={"Accept": "text/html"}, expect=406, label="no-html"),
        GET("/api/posts/?format=api", expect=404, label="no-browsable-format"),
        GET("/api/posts/", headers={"Accept": "application/json; indent=2"}, expect=200,
            label="indent"),
        POST("/api/posts/", user="ann", form={"slug": "form-post", "title": "Form post"},
             expect=415, label="form-not-parsed"),
        OPTIONS("/api/posts/", expect=200, label="options-list"),
        OPTIONS("/api/posts/notes-bees-1/", user="ann", expect=200, label="options-detail"),
        OPTIONS("/api/posts/notes-bees-1/publish-now/", user="cleo", expect=200,
                label="options-described-action"),
        OPTIONS("/api/posts/drafts/", user="ann", expect=200, label="options-list-action"),
        OPTIONS("/api/staff/comments/", user="cleo", expect=200, label="options-moderation"),
        OPTIONS("/api/posts/notes-bees-1/comments/", expect=200, label="options-nested"),
        OPTIONS("/api/contact/", expect=200, label="options-contact"),
        OPTIONS("/api/stats/", expect=200, label="options-stats"),
    ),
    scenario("auth", "Token first, then Bearer; 401 carries the first authenticator's header",
        GET("/api/posts/drafts/", user="ann", expect=200, label="token"),
        authorization(BEARER_ANN, path="/api/posts/drafts/", expect=200, label="bearer"),
        authorization("bearer 1c45a964c5fc6e751161cfbe6e6cbee3113ba479",
                      path="/api/posts/drafts/", expect=200, label="bearer-case"),
        authorization("Bearer 0000", expect=401, label="bearer-unknown"),
        authorization("Bearer", expect=401, label="bearer-no-key"),
        authorization("Bearer a b", expect=401, label="bearer-spaces"),
        authorization("Token 0000", expect=401, label="token-unknown"),
        authorization("Basic YW5uOmFubi1zZWNyZXQ=", expect=200, label="basic-is-not-configured"),
        authorization("Basic YW5uOmFubi1zZWNyZXQ=", method=POST, json=NEW_POST, expect=401,
                      label="basic-write"),
        authorization(BEARER_ANN, method=POST, json=NEW_POST, expect=201, label="bearer-write"),
        POST("/api/posts/", json=NEW_POST, expect=401, label="anonymous-write"),
        authorization("Bearer 0000", path="/api/tags/", expect=401, label="fails-on-allow-any"),
        authorization("Bearer 0000", method=PATCH, path="/api/posts/", json={}, expect=401,
                      label="before-405"),
    ),
]
