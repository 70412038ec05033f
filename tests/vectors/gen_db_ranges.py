#!/usr/bin/python3
"""Print what DRF 3.14 on Django 3.2 answers for test_db_ranges.c's
serializer, on the postgresql backend and on sqlite3: the validation errors
of one value past each end of each column range, and the OPTIONS field
info.  Building a ModelSerializer's fields needs no connection (the range
is connection.ops.integer_field_range), so no server runs.

Run: /usr/bin/python3 tests/vectors/gen_db_ranges.py
"""
import json
import subprocess
import sys

import django
from django.conf import settings

CASES = {
    "past max": {"i": 2147483648, "b": "9223372036854775808", "own": 2147483648,
                 "loose": 2147483648, "declared": 2147483648},
    "past min": {"i": -2147483649, "b": "-9223372036854775809", "own": -2147483649,
                 "loose": -2147483649, "declared": -2147483649},
    "at edges": {"i": 2147483647, "b": "-9223372036854775808", "own": -2147483648,
                 "loose": -2147483648, "declared": 0},
}


def report(backend):
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends." + backend, "NAME": "x"}},
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
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
        declared = serializers.IntegerField()

        class Meta:
            model = Ranged
            fields = ["i", "b", "own", "loose", "declared"]

    print("==", backend)
    for name, data in CASES.items():
        s = RangeSerializer(data=data)
        s.is_valid()
        print(name, json.dumps(s.errors))
    print("OPTIONS", json.dumps(SimpleMetadata().get_serializer_info(RangeSerializer())))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        report(sys.argv[1])
    else:
        for backend in ("postgresql", "sqlite3"):
            subprocess.run([sys.executable, __file__, backend], check=True)
