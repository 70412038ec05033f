#!/usr/bin/python3
"""Generate tests/vectors/openapi_ranges.json: the minimum / maximum DRF
3.14's schema generator (rest_framework/schemas/openapi.py,
map_field_validators) gives each field of the ModelSerializer of
tests/golden/codegen/ranges.rflow, on PostgreSQL (where Django 3.2 gives
integer model fields their column's range) and on SQLite (no range).

The model mirrors the spec's resource (a field's min_value / max_value is
a MinValueValidator / MaxValueValidator, as restflow's DRF twins write
them).  Building the serializer's fields needs no connection, so no
database runs; each backend is a child process, as Django's settings are
configured once.

Run: /usr/bin/python3 tests/vectors/gen_openapi_ranges.py [OUTDIR]
"""
import json
import os
import subprocess
import sys

BACKENDS = ("postgresql", "sqlite3")
LIMITS = ("minimum", "maximum")


def report(backend):
    """The backend's {field: {minimum, maximum}}, as JSON on stdout."""
    from django.conf import settings
    settings.configure(
        USE_TZ=True, SECRET_KEY="vectors",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": {"ENGINE": "django.db.backends." + backend, "NAME": "x"}})
    import django
    django.setup()
    from django.core.validators import MaxValueValidator, MinValueValidator
    from django.db import models
    from rest_framework import serializers
    from rest_framework.schemas.openapi import AutoSchema

    class Meter(models.Model):
        count = models.IntegerField()
        big = models.BigIntegerField(null=True)
        floor = models.IntegerField(validators=[MinValueValidator(5)])
        ceiling = models.BigIntegerField(validators=[MaxValueValidator(100)])
        loose = models.IntegerField(validators=[MaxValueValidator(10 ** 12)])
        both = models.IntegerField(validators=[MinValueValidator(1), MaxValueValidator(9)])
        kind = models.IntegerField(choices=[(1, "1"), (2, "2")], default=1)
        serial = models.IntegerField(default=0)
        frozen = models.IntegerField(default=0)
        declared = models.IntegerField(default=0)
        ratio = models.FloatField(default=0)

        class Meta:
            app_label = "auth"

    class MeterSerializer(serializers.ModelSerializer):
        declared = serializers.IntegerField(required=False)

        class Meta:
            model = Meter
            fields = "__all__"
            read_only_fields = ["frozen"]

    schema = AutoSchema().map_serializer(MeterSerializer())
    print(json.dumps({name: {k: prop[k] for k in LIMITS if k in prop}
                      for name, prop in schema["properties"].items()}))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--backend":
        report(sys.argv[2])
        return
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    vectors = {}
    for backend in BACKENDS:
        run = subprocess.run([sys.executable, os.path.abspath(__file__), "--backend", backend],
                             check=True, capture_output=True, text=True)
        vectors[backend] = json.loads(run.stdout)
    with open(os.path.join(outdir, "openapi_ranges.json"), "w", encoding="utf-8") as f:
        json.dump(vectors, f, ensure_ascii=True, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
