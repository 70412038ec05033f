"""The helpdesk twin: tests/acceptance/helpdesk/helpdesk.rflow's `settings`
block as REST_FRAMEWORK."""
from rflow_twin.settings_base import *  # noqa: F401,F403
from rflow_twin.settings_base import INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ["helpdesk"]
ROOT_URLCONF = "helpdesk.urls"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "20/min",
        "user": "500/hour",
        "escalations": "2/min",
        "opening": "4/hour",
    },
    "DEFAULT_PAGINATION_CLASS": "helpdesk.policies.Pages",
}
