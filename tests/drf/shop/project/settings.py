"""The shop twin: specs/shop.rflow's `settings` block as REST_FRAMEWORK."""
from rflow_twin.settings_base import *  # noqa: F401,F403
from rflow_twin.settings_base import INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ["shop"]
ROOT_URLCONF = "shop.urls"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "shop.policies.Pages",
    "DEFAULT_THROTTLE_RATES": {"anon": "1000/day", "user": "10000/day"},
}
