#!/usr/bin/python3
"""Generate tests/vectors/db_ranges.json: the column ranges Django 3.2
gives integer model fields on PostgreSQL, as DRF 3.14's ModelSerializer
shows and enforces them, next to the same serializer on SQLite (no range).

For each backend: the errors (rendered as DRF renders them) of inputs one
past each end of the 32-bit range, and of inputs at the edges, and the
OPTIONS field info; on PostgreSQL also one past each end of the 64-bit
range (on SQLite DRF accepts those and the database then fails, where
restflow refuses them: docs/differential.md, deliberate 6).  Building a
ModelSerializer's fields needs no connection (the range is
connection.ops.integer_field_range), so no database runs; each backend is
a child process, as Django's settings are configured once.

Run: /usr/bin/python3 tests/vectors/gen_db_ranges.py [OUTDIR]
"""
import json
import os
import subprocess
import sys

BACKENDS = ("postgresql", "sqlite3")
FIELDS = ["i", "b", "own", "loose", "declared"]


def same(value):
    return {name: value for name in FIELDS}


CASES = {
    "past_max_32": same(2147483648),
    "past_min_32": same(-2147483649),
    "at_edges_32": dict(same(2147483647), own=-2147483648, loose=-2147483648),
}
CASES_64 = {
    "past_max_64": {"b": "9223372036854775808"},
    "past_min_64": {"b": "-9223372036854775809"},
    "at_edges_64": {"b": "-9223372036854775808"},
}


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def report(backend):
    """The backend's answers, as JSON on stdout."""
    from django.conf import settings
    settings.configure(
        USE_TZ=True, SECRET_KEY="vectors",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": {"ENGINE": "django.db.backends." + backend, "NAME": "x"}})
    import django
    django.setup()
    from django.core.validators import MaxValueValidator
    from django.db import models
    from rest_framework import serializers
    from rest_framework.metadata import SimpleMetadata

    class Ranged(models.Model):
        i = models.IntegerField()
        b = models.BigIntegerField()
        own = models.IntegerField(validators=[MaxValueValidator(100)])
        loose = models.IntegerField(validators=[MaxValueValidator(10 ** 12)])
        declared = models.IntegerField()

        class Meta:
            app_label = "auth"

    class RangeSerializer(serializers.ModelSerializer):
        declared = serializers.IntegerField()  # declared: DRF adds no range

        class Meta:
            model = Ranged
            fields = FIELDS

    base = {"i": 0, "b": 0, "own": 0, "loose": 0, "declared": 0}
    cases = dict(CASES, **(CASES_64 if backend == "postgresql" else {}))
    out = {}
    for name, data in cases.items():
        s = RangeSerializer(data=dict(base, **data))
        s.is_valid()
        out[name] = {"in": compact(dict(base, **data)), "errors": compact(s.errors)}
    out["options"] = compact(SimpleMetadata().get_serializer_info(RangeSerializer()))
    print(json.dumps(out))


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
    with open(os.path.join(outdir, "db_ranges.json"), "w", encoding="utf-8") as f:
        json.dump(vectors, f, ensure_ascii=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
