#!/usr/bin/python3
"""Generate tests/vectors/json.json: what DRF 3.14 renders and parses.

Every expected value comes from the real thing: JSONRenderer for bytes,
the serializer fields' to_representation / to_internal_value for values.
Run: /usr/bin/python3 tests/vectors/gen_json.py [OUTDIR]  (or `make vectors`;
deterministic: fixed seed; OUTDIR defaults to this directory)
"""
import datetime
import decimal
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drf_env  # noqa: E402,F401  (configures Django)
from rest_framework import serializers  # noqa: E402
from rest_framework.exceptions import ValidationError  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402

rng = random.Random(20261129)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def render(data, indent=None):
    media = "application/json; indent=%d" % indent if indent else None
    return JSONRenderer().render(data, media).decode()


def strings():
    fixed = ["", "plain", "quote\" backslash\\ slash/", "\b\f\n\r\t",
             "".join(chr(c) for c in range(0x20)), "\x7f\x80\x9f",
             "caf\u00e9 \u20ac \U0001F600", "\u2028line\u2029para",
             "\u00a0nbsp", "<script>&amp;</script>", "\ufeffbom",
             "\u200b zero width", "tab\tand\u0000nul"]
    alphabet = ("abc \"\\\n\t\x01\x1f\x7f\u00e9\u0100\u2027\u2028\u2029"
                "\u202a\ud7ff\ue000\uffff\U00010000\U0010ffff")
    rand = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
            for _ in range(60)]
    return [{"in": s, "out": render(s)} for s in fixed + rand]


def random_double():
    while True:
        bits = rng.getrandbits(64)
        (v,) = struct.unpack("<d", struct.pack("<Q", bits))
        if v == v and v not in (float("inf"), float("-inf")):
            return v


def floats():
    fixed = [0.0, -0.0, 1.0, -1.0, 0.1, 0.2 + 0.1, 1 / 3, 2 / 3, 100.0,
             1e15, 1e16, 1e17, 123456789012345678.0, 9007199254740993.0,
             1e22, 1e23, 1e-4, 1e-5, 0.00012345, 1.5e-7, 5e-324,
             2.2250738585072014e-308, 1.7976931348623157e308, 19.99, 12.5,
             3.14159, 1234.5678, 0.5, 4.35, 2.675, 1e100, 9.999999999999999e22]
    rand = [random_double() for _ in range(400)]
    rand += [rng.uniform(-1e6, 1e6) for _ in range(200)]
    rand += [round(rng.uniform(0, 1000), rng.randint(0, 6)) for _ in range(200)]
    return [{"in": v.hex(), "out": render(v)} for v in fixed + rand]


def decimals():
    cases = [("19.99", 10, 2), ("19.9", 10, 2), ("19", 10, 2), ("0", 5, 2),
             ("-0", 5, 2), ("-0.001", 5, 2), ("2.345", 6, 2), ("2.355", 6, 2),
             ("2.3450001", 12, 2), ("0.005", 5, 2), ("0.015", 5, 2),
             ("-2.345", 6, 2), ("99.995", 6, 2), ("9.5", 5, 0), ("10.5", 5, 0),
             ("1E+2", 6, 2), ("1e-7", 12, 9), ("123.456", 8, 0),
             ("0.000", 5, 3), ("1.10", 5, 1), ("-0.5", 3, 0), ("0.5", 3, 0),
             ("1.5", 3, 0), ("19.989999999999998", 10, 2), ("7", 4, 3)]
    for _ in range(200):
        places = rng.randint(0, 6)
        digits = rng.randint(1, 14)
        sign = rng.choice(["", "-"])
        mant = str(rng.randint(0, 10 ** digits - 1))
        point = rng.randint(0, len(mant))
        text = sign + (mant[:point] or "0") + "." + (mant[point:] or "0")
        cases.append((text, 30, places))
    out = []
    for text, max_digits, places in cases:
        field = serializers.DecimalField(max_digits=max_digits, decimal_places=places)
        out.append({"in": text, "places": places,
                    "out": render(field.to_representation(decimal.Decimal(text)))})
    return out


def usec_to_datetime(usec):
    return EPOCH + datetime.timedelta(microseconds=usec)


def datetimes():
    lo = int((datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc) - EPOCH)
             // datetime.timedelta(microseconds=1))
    hi = int((datetime.datetime(9999, 12, 31, 23, 59, 59, 999999,
                                tzinfo=datetime.timezone.utc) - EPOCH)
             // datetime.timedelta(microseconds=1))
    fixed = [0, 1, -1, 999999, 1000000, lo, hi, 1795953600123456,
             1795953600000000, 951782400000000, -2208988800000000]
    values = fixed + [rng.randint(lo, hi) for _ in range(200)]
    field = serializers.DateTimeField()
    return [{"in": v, "out": render(field.to_representation(usec_to_datetime(v)))}
            for v in values]


def dates():
    lo = (datetime.date(1, 1, 1) - datetime.date(1970, 1, 1)).days
    hi = (datetime.date(9999, 12, 31) - datetime.date(1970, 1, 1)).days
    values = [0, -1, 1, lo, hi, 11016, 20786] + [rng.randint(lo, hi) for _ in range(100)]
    field = serializers.DateField()
    return [{"in": v, "out": render(field.to_representation(
        datetime.date(1970, 1, 1) + datetime.timedelta(days=v)))} for v in values]


def parse_case(field, text, to_number):
    try:
        return {"in": text, "ok": True, "value": to_number(field.to_internal_value(text))}
    except ValidationError as exc:
        return {"in": text, "ok": False, "error": str(exc.detail[0])}


def datetime_inputs():
    texts = ["2026-11-29T12:00:00Z", "2026-11-29T12:00:00.123456Z",
             "2026-11-29 12:00", "2026-11-29T12:00:00", "2026-1-2T3:4:5",
             "2026-11-29T12:00:00.1", "2026-11-29T12:00:00,5Z",
             "2026-11-29T12:00:00.1234567890Z", "2026-11-29T12:00:00.1234567890123Z",
             "2026-11-29T12:00:00+05:30", "2026-11-29T12:00:00-0800",
             "2026-11-29T12:00:00+05", "2026-11-29T12:00:00+23:59",
             "2026-11-29T12:00:00+24:00", "2026-11-29T12:00:00+05:99",
             "2026-11-29T12:00:00\n", "2026-11-29T12:00:00Z\n",
             "2026-11-29T12:00:00\n\n", " 2026-11-29T12:00:00",
             "2026-11-29T12:00:00 ", "2026-11-29", "2026-11-29T", "2026-11-29T12",
             "2026-11-29T12:00:", "2026-11-29T12:00:00.", "2026-11-29T12:00:00.Z",
             "2026-02-29T00:00", "2024-02-29T00:00", "2026-13-01T00:00",
             "2026-11-31T00:00", "2026-11-29T24:00", "2026-11-29T23:60",
             "2026-11-29T23:59:60", "0000-01-01T00:00", "0001-01-01T00:00",
             "0001-01-01T00:30+01:00", "0001-01-01T01:00+01:00",
             "9999-12-31T23:59:59.999999Z", "9999-12-31T23:00-01:00",
             "2026-11-29t12:00", "2026-11-29T12:00z", "20261129T120000Z",
             "2026-11-29T12:00:00+5:00", "2026/11/29T12:00", "", "garbage"]
    field = serializers.DateTimeField()
    return [parse_case(field, t, lambda v: (v - EPOCH) // datetime.timedelta(microseconds=1))
            for t in texts]


def date_inputs():
    texts = ["2026-11-29", "2026-1-2", "2026-11-29\n", "2026-11-29 ",
             "2026-02-29", "2024-02-29", "0000-01-01", "0001-01-01",
             "9999-12-31", "2026-11-29T00:00", "26-11-29", "2026-111-29", ""]
    field = serializers.DateField()
    return [parse_case(field, t, lambda v: (v - datetime.date(1970, 1, 1)).days)
            for t in texts]


def reindent():
    docs = [{"a": 1, "b": [1, 2, {"c": None}], "d": {}, "e": [], "f": "x,y:{z}[]\"q\""},
            [], {}, [[]], [{}], "text", 12, None, True,
            {"count": 2, "next": None, "previous": None,
             "results": [{"id": 1, "name": "caf\u00e9", "price": "19.99"},
                         {"id": 2, "name": "\u2028", "tags": ["a", "b"]}]},
            {"nested": {"deeper": {"deepest": [1, [2, [3, []]]]}}}]
    out = []
    for doc in docs:
        for indent in (1, 2, 4, 8):
            out.append({"in": render(doc), "indent": indent, "out": render(doc, indent)})
    return out


def main():
    vectors = {
        "generator": "tests/vectors/gen_json.py (Django 3.2, DRF 3.14)",
        "strings": strings(), "floats": floats(), "decimals": decimals(),
        "datetimes": datetimes(), "dates": dates(),
        "datetime_inputs": datetime_inputs(), "date_inputs": date_inputs(),
        "reindent": reindent(),
    }
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(outdir, "json.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(vectors, f, ensure_ascii=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
