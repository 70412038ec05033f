"""The notes twin: tests/acceptance/notes/notes.rflow has no `settings`
block, so REST_FRAMEWORK is empty: DRF's defaults (SessionAuthentication
then BasicAuthentication, AllowAny, no pagination, no filter backends, the
JSON and browsable renderers, the JSON, form and multipart parsers)."""
from rflow_twin.settings_base import *  # noqa: F401,F403
from rflow_twin.settings_base import INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ["notes"]
ROOT_URLCONF = "notes.urls"

REST_FRAMEWORK = {}
