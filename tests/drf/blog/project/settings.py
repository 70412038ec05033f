"""The blog twin: specs/blog.rflow's `databases` and `settings` blocks."""
from rflow_twin.settings_base import *  # noqa: F401,F403
from rflow_twin.settings_base import INSTALLED_APPS, sqlite_database

INSTALLED_APPS = INSTALLED_APPS + ["blog"]
ROOT_URLCONF = "blog.urls"

DATABASES = {"default": sqlite_database(), "analytics": sqlite_database("analytics")}
DATABASE_ROUTERS = ["blog.routers.AnalyticsRouter"]

# Author.user is the spec's ForeignKey(unique = true); Django would suggest
# a OneToOneField.
SILENCED_SYSTEM_CHECKS = ["fields.W342"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "blog.policies.ApiToken",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100/hour",
        "user": "1000/hour",
        "comments": "20/minute",
        "contact": "5/day",
    },
    "DEFAULT_PAGINATION_CLASS": "blog.policies.Newest",
    "PAGE_SIZE": 10,
    "DEFAULT_FILTER_BACKENDS": [
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "SEARCH_PARAM": "q",
    "ORDERING_PARAM": "sort",
    "NUM_PROXIES": 1,
}
