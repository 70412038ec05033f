"""The catalogue twin: tests/acceptance/catalogue/catalogue.rflow's
`settings` block as REST_FRAMEWORK."""
from rflow_twin.settings_base import *  # noqa: F401,F403
from rflow_twin.settings_base import INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ["catalogue"]
ROOT_URLCONF = "catalogue.urls"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "catalogue.policies.Shelf",
    "PAGE_SIZE": 4,
    "SEARCH_PARAM": "q",
}
