"""The events twin: specs/events.rflow's `settings` block.

The spec keeps DRF's defaults for everything it does not name:
SessionAuthentication then BasicAuthentication, AllowAny, no default
throttles, the JSON and browsable renderers, the JSON, form and multipart
parsers."""
from rflow_twin.settings_base import *  # noqa: F401,F403
from rflow_twin.settings_base import INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ["events"]
ROOT_URLCONF = "events.urls"

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "events.policies.Numbered",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": None, "buyers": "100/day"},
}
