"""A minimal Django + DRF 3.14 environment for the vector generators.

Run the generators with Debian's /usr/bin/python3 (it has Django 3.2 and
DRF 3.14).  Settings are DRF's defaults with USE_TZ on and TIME_ZONE UTC,
as restflow assumes; the database is SQLite in memory, created on demand.
"""
import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        USE_TZ=True,
        TIME_ZONE="UTC",
        USE_I18N=False,
        SECRET_KEY="vectors",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth",
                        "rest_framework"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
