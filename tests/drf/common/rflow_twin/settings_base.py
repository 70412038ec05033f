"""Django settings every twin shares; a twin's settings.py star-imports this
and adds INSTALLED_APPS entries, ROOT_URLCONF and REST_FRAMEWORK.

The default database is the SQLite file named by RFLOW_TWIN_DB (run.sh sets
it).  A spec's other databases are files next to it, the alias before the
extension: /tmp/a.db gives /tmp/a-analytics.db for `analytics`
(tests/differential/servers.py gives the restflow server the same files).
"""
import os

SECRET_KEY = "restflow-drf-twin-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "rflow_twin",
]

# A stock `startproject` stack without the session, CSRF, auth and messages
# middleware, which nothing here uses (DRF authenticates by itself and its
# views are CSRF-exempt unless SessionAuthentication runs).  CommonMiddleware
# stays on purpose: its APPEND_SLASH redirect and Content-Length are what a
# real DRF deployment answers, so the differential suite compares them.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The browsable API renderer (in DRF's default renderer list) needs templates.
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
}]
STATIC_URL = "/static/"



def sqlite_database(alias="default"):
    path = os.environ.get("RFLOW_TWIN_DB", ":memory:")
    if alias != "default" and path != ":memory:":
        stem, extension = os.path.splitext(path)
        path = "%s-%s%s" % (stem, alias, extension)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}


DATABASES = {"default": sqlite_database()}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en-us"

# Throttle histories live in the process: run the twin with one worker
# (run.sh does) so every request sees the same history.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Same hash format as Django's default (pbkdf2_sha256$iterations$salt$hash),
# fewer iterations so that seeding users and Basic authentication stay fast
# in tests.  Not observable over HTTP.
PASSWORD_HASHERS = ["rflow_twin.hashers.TestPBKDF2PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
