"""Authentication: TokenAuthentication then BasicAuthentication (the spec's
settings), their failures, 401 with the first authenticator's
WWW-Authenticate, inactive users (conformance.md, Errors and Order of
checks)."""
import base64

from dsl import GET, PATCH, POST, SQL, scenario

NEW_PRODUCT = {"name": "Auth probe", "price": "1.00"}


def basic(text):
    return "Basic " + base64.b64encode(text.encode()).decode()


def authorization(value, method=GET, path="/api/products/", **options):
    return method(path, headers={"Authorization": value}, **options)


SCENARIOS = [
    scenario("auth.anonymous", "no credentials: reads pass, writes answer 401",
        GET("/api/products/", expect=200),
        POST("/api/products/", json=NEW_PRODUCT, expect=401, label="create"),
        POST("/api/top-products/", json=NEW_PRODUCT, expect=401),
        POST("/api/reviews/", json={"rating": 3}, expect=401),
    ),
    scenario("auth.token", "TokenAuthentication's header forms",
        GET("/api/products/", user="alice", expect=200, label="valid"),
        POST("/api/products/", user="alice", json=NEW_PRODUCT, expect=201, label="valid-create"),
        authorization("Token 0000000000000000000000000000000000000000", expect=401,
                      label="unknown-key"),
        authorization("Token 0000000000000000000000000000000000000000", method=POST,
                      json=NEW_PRODUCT, expect=401, label="unknown-key-write"),
        authorization("Token", expect=401, label="no-key"),
        authorization("Token ", expect=401, label="no-key-space"),
        authorization("Token a b", expect=401, label="spaces"),
        authorization("token f113029e149b5a52ed9f6877dbad439c962c7c7d", method=POST,
                      json=NEW_PRODUCT, expect=201, label="keyword-case"),
        authorization("Bearer f113029e149b5a52ed9f6877dbad439c962c7c7d", expect=200,
                      label="other-keyword-is-anonymous"),
        authorization("Bearer f113029e149b5a52ed9f6877dbad439c962c7c7d", method=POST,
                      json=NEW_PRODUCT, expect=401, label="other-keyword-write"),
        authorization("Token f113029e149b5a52ed9f6877dbad439c962c7c7d extra", expect=401,
                      label="trailing-part"),
        authorization("Token \u00e9t\u00e9", expect=401, label="non-ascii"),
        authorization("Token 0000", path="/api/", expect=401, label="root"),
        authorization("Token 0000", path="/api/top-products/", expect=401),
        authorization("Token 0000", path="/api/products/1/reviews/", expect=401),
        authorization("Token 0000", method=PATCH, json={}, expect=401,
                      label="before-method-check"),
        authorization("Token 0000", path="/nope/", expect=404, label="no-view"),
    ),
    scenario("auth.basic", "BasicAuthentication after TokenAuthentication",
        POST("/api/products/", basic="nora", json=NEW_PRODUCT, expect=201, label="valid"),
        POST("/api/products/", basic=("nora", "wrong"), json=NEW_PRODUCT, expect=401,
             label="wrong-password"),
        GET("/api/products/", basic=("nobody", "x"), expect=401, label="unknown-user"),
        authorization("Basic", expect=401, label="no-credentials"),
        authorization("Basic a b", expect=401, label="spaces"),
        authorization("Basic !!!", expect=401, label="not-base64"),
        authorization(basic("nora"), expect=401, label="no-colon"),
        authorization(basic("nora:nora-secret:more"), expect=401, label="colon-in-password"),
        authorization("basic " + base64.b64encode(b"nora:nora-secret").decode(), method=POST,
                      json=NEW_PRODUCT, expect=201, label="keyword-case"),
        authorization("Basic " + base64.b64encode("n\u00f3ra:x".encode("latin-1")).decode(),
                      expect=401, label="latin-1"),
    ),
    scenario("auth.inactive", "a deactivated user: its token and its password fail",
        SQL("UPDATE auth_user SET is_active = 0 WHERE username = 'ivan'"),
        GET("/api/products/", user="ivan", expect=401, label="token"),
        POST("/api/products/", basic="ivan", json=NEW_PRODUCT, expect=401, label="basic"),
    ),
    scenario("auth.api-key", "ApiKey is declared but no view lists it: X-Api-Key is ignored",
        POST("/api/products/", headers={"X-Api-Key": "f113029e149b5a52ed9f6877dbad439c962c7c7d"},
             json=NEW_PRODUCT, expect=401, label="valid-key"),
        GET("/api/products/", headers={"X-Api-Key": "wrong"}, expect=200, label="wrong-key"),
    ),
]
