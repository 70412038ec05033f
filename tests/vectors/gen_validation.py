#!/usr/bin/python3
"""Generate tests/vectors/validation.json: what DRF 3.14's serializer
fields make of a battery of inputs (validated value, or the exact errors),
and what SimpleMetadata says about them for OPTIONS.

Each case is one field in a plain Serializer, fed through is_valid() as a
JSON body (a dict) or as a form (a QueryDict), in create or partial mode.
Run: /usr/bin/python3 tests/vectors/gen_validation.py [OUTDIR]
"""
import datetime
import decimal
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drf_env  # noqa: E402,F401
from django.http import QueryDict  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.metadata import SimpleMetadata  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
ABSENT = object()

CLASSES = {
    "char": serializers.CharField, "text": serializers.CharField,
    "email": serializers.EmailField, "url": serializers.URLField,
    "slug": serializers.SlugField, "integer": serializers.IntegerField,
    "biginteger": serializers.IntegerField, "float": serializers.FloatField,
    "decimal": serializers.DecimalField, "boolean": serializers.BooleanField,
    "uuid": serializers.UUIDField, "date": serializers.DateField,
    "datetime": serializers.DateTimeField, "json": serializers.JSONField,
}


def make_field(spec):
    """A DRF field from the spec the C test also reads."""
    kw = {}
    for key in ("required", "allow_null", "allow_blank", "max_length", "min_length",
                "max_digits", "decimal_places", "read_only", "help_text", "label"):
        if key in spec:
            kw[key] = spec[key]
    for key in ("min_value", "max_value"):
        if key in spec:
            kw[key] = limit_value(spec, spec[key])
    if "default" in spec:
        kw["default"] = spec["default"]
    if "choices" in spec:
        if spec["type"] in ("integer", "biginteger"):
            return serializers.ChoiceField(choices=[(int(v), l) for v, l in spec["choices"]], **kw)
        return serializers.ChoiceField(choices=[tuple(c) for c in spec["choices"]], **kw)
    if spec["type"] == "decimal":
        kw.setdefault("max_digits", None)
        kw.setdefault("decimal_places", None)
    return CLASSES[spec["type"]](**kw)


def limit_value(spec, text):
    """A limit as the DRF twin writes it: int, float or Decimal by field type
    (a decimal field's integer limit is an int, as `min_value = 0` in a spec
    and MinValueValidator(0) in Django).  The spec keeps str() of it, which
    is what restflow's descriptors hold."""
    if spec["type"] == "decimal":
        return int(text) if text.lstrip("-").isdigit() else decimal.Decimal(text)
    if spec["type"] == "float":
        return float(text)
    return int(text)


def described(spec):
    """The spec as the C test reads it: limits as Python prints them."""
    out = dict(spec)
    for key in ("min_value", "max_value"):
        if key in out:
            out[key] = str(limit_value(spec, out[key]))
    return out


def tagged(value, field_type):
    """The validated value as the C test prints a record member."""
    if field_type == "json" and value is not None:
        return "j:" + JSONRenderer().render(value).decode()
    if value is None:
        return "n:"
    if isinstance(value, bool):
        return "b:%d" % value
    if isinstance(value, int):
        return "i:%d" % value
    if isinstance(value, float):
        return "f:" + repr(value)
    if isinstance(value, decimal.Decimal):
        return "s:" + "{:f}".format(value)
    if isinstance(value, datetime.datetime):
        return "t:%d" % ((value - EPOCH) // datetime.timedelta(microseconds=1))
    if isinstance(value, datetime.date):
        return "D:%d" % (value - datetime.date(1970, 1, 1)).days
    if isinstance(value, uuid.UUID):
        return "s:" + str(value)
    if isinstance(value, str):
        return "s:" + value
    return "j:" + JSONRenderer().render(value).decode()


def run(spec, value, partial=False, html=False):
    class One(serializers.Serializer):
        f = make_field(spec)
    if html:
        data = QueryDict(mutable=True)
        if value is not ABSENT:
            data["f"] = value
    else:
        data = {} if value is ABSENT else {"f": value}
    ser = One(data=data, partial=partial)
    case = {"spec": described(spec), "required": One().fields["f"].required,
            "partial": partial, "html": html}
    if value is not ABSENT:
        case["in"] = value
    if ser.is_valid():
        case["value"] = tagged(ser.validated_data["f"], spec["type"]) if "f" in ser.validated_data else None
    else:
        case["errors"] = [str(e) for e in ser.errors["f"]]
    return case


COMMON = [ABSENT, None, "", " ", "abc", " abc ", 12, 12.0, 12.5, -0.0, True, False, [], [1, "a"],
          {}, {"a": 1}, "12", " 12 ", "12.0", "12.", "12.000 \n", "12.5", "1e3", "1E+2", "1_000",
          "1__0", "_1", "-0", "0", 0, -5, 1.0, 0.0, 2, "+7", "--7", "1.0.0", "0x10",
          "\u00a012\u2003", "12\n", "nan", "inf", "-Infinity", "sNaN", "t", "yes", "on", "Off",
          "null", "NULL", "2026-11-29", "2026-11-29T12:00:00Z", "user@example.com",
          "http://example.com/x", "a-slug_1", "12345678-1234-5678-1234-567812345678",
          "a\x00b", "\u2028", "caf\u00e9", 9007199254740993, 1e16, 123456789.125,
          "99999999999999999999", "-99999999999999999999", 99999.995, "0.1", "-0.00",
          "1234567", "12.345", "100", "1e-7", 1e-7]

FIELDS = [
    {"type": "char"}, {"type": "char", "max_length": 5}, {"type": "char", "min_length": 3, "max_length": 5},
    {"type": "char", "allow_blank": True}, {"type": "char", "allow_null": True},
    {"type": "char", "required": False}, {"type": "char", "required": False, "default": "dflt"},
    {"type": "text", "allow_blank": True, "allow_null": True, "required": False},
    {"type": "email"}, {"type": "email", "max_length": 10}, {"type": "url"}, {"type": "slug"},
    {"type": "integer"}, {"type": "integer", "min_value": "1", "max_value": "5"},
    {"type": "integer", "min_value": "-2147483648", "max_value": "2147483647"},
    {"type": "integer", "allow_null": True, "required": False, "default": 7},
    {"type": "float"}, {"type": "float", "min_value": "0", "max_value": "10.5"},
    {"type": "decimal", "max_digits": 5, "decimal_places": 2},
    {"type": "decimal", "max_digits": 10, "decimal_places": 2, "min_value": "0", "max_value": "100"},
    {"type": "decimal", "max_digits": 3, "decimal_places": 0},
    {"type": "decimal", "max_digits": 6, "decimal_places": 2, "allow_null": True},
    {"type": "boolean"}, {"type": "boolean", "allow_null": True},
    {"type": "char", "choices": [["a", "Alpha"], ["b", "Beta"], ["12", "Twelve"]]},
    {"type": "char", "choices": [["a", "Alpha"], ["", "Nothing"]], "allow_blank": True},
    {"type": "integer", "choices": [["1", "One"], ["2", "Two"]]},
    {"type": "uuid"}, {"type": "date"}, {"type": "datetime"}, {"type": "json"},
    {"type": "json", "allow_null": True},
]

EMAILS = ["user@example.com", "USER.name+tag@Example.CO.uk", "a@b.c", "a@b.co", "a@localhost",
          "a@LOCALHOST", "@example.com", "user@", "user", "us er@example.com", "user@exa mple.com",
          "user@@example.com", "a@b@example.com", ".user@example.com", "user.@example.com",
          "us..er@example.com", '"quoted"@example.com', '"quo ted"@example.com', '"a\\"b"@example.com',
          '"unterminated@example.com', "user@[127.0.0.1]", "user@[1.2.3.256]", "user@[::1]",
          "user@[IPv6:::1]", "user@[01.2.3.4]", "user@-example.com", "user@example-.com",
          "user@example.-com", "user@example.c-m", "user@a.-b", "user@example.com-", "user@example..com",
          "user@.example.com", "user@example.com.", "user@" + "a" * 63 + ".com",
          "user@" + "a" * 64 + ".com", "user@example." + "c" * 63, "user@example." + "c" * 64,
          "user@b\u00fccher.de", "\u00fcser@example.com", "user@\u4f8b\u3048.jp",
          "user@example.123", "user@123.123", "x" * 64 + "@" + "y" * 250 + ".com",
          "user@exam_ple.com", "user@example.com\n", "a\tb@example.com", "user@[::1]x"]

URLS = ["http://example.com", "https://example.com/", "HTTP://EXAMPLE.COM", "ftp://example.com",
        "ftps://example.com", "gopher://example.com", "example.com", "http://", "http://localhost",
        "http://localhost:8000/x", "http://localhost.", "http://example.com.", "http://example",
        "http://example.c", "http://example.co", "http://ex_ample.com", "http://-example.com",
        "http://example-.com", "http://exa-mple.com", "http://a.b-.com", "http://1.2.3.4",
        "http://1.2.3.4:80", "http://256.1.1.1", "http://01.2.3.4", "http://1.2.3",
        "http://[::1]", "http://[::1]:8080/x", "http://[::g]", "http://[1.2.3.4]", "http://[::1",
        "http://::1]", "http://user:pass@example.com", "http://user@example.com:8080/p?q=1#f",
        "http://user:pa:ss@example.com", "http://@example.com", "http://example.com:1",
        "http://example.com:123456", "http://example.com:8080abc", "http://example.com/a b",
        "http://example.com/\u00e9", "http://example.com?x=1", "http://example.com#frag",
        "http://example.com#@", "http://ex ample.com", "http://example.com\n", "http://\u00fcnicode.de",
        "http://\u4f8b\u3048.\u30c6\u30b9\u30c8", "http://xn--80ak6aa92e.com", "http://example.xn--p1ai",
        "http://example.xn--p1ai1", "http://example.com1", "http://www.example.co.uk/path/to?a=b&c=d",
        "http://" + "a" * 63 + ".com", "http://" + "a" * 64 + ".com",
        "http://" + ".".join(["a" * 60] * 5) + ".com", "http://\U0001F600.com",
        "http://example.com:99", "https://example.com:65535/", "http:/example.com",
        "http:example.com", "://example.com", "http://.example.com", "http://example..com",
        "http://exa\u0085mple.com", "http://a.b.c.d.e.f.g.h.com/", "http://[v1.fe]/",
        "http://foo@[::1]/", "http://[::1]@foo.com", "HtTpS://ExAmPlE.CoM/PaTh"]

SLUGS = ["a-slug_1", "a slug", "", "\u00e9", "a.b", "-", "_", "A1"]
UUIDS = ["12345678-1234-5678-1234-567812345678", "12345678123456781234567812345678",
         "{12345678-1234-5678-1234-567812345678}", "urn:uuid:12345678-1234-5678-1234-567812345678",
         "12345678-1234-5678-1234-56781234567", "1234567812345678123456781234567g",
         "0x345678123456781234567812345678", " 2345678123456781234567812345678",
         "+2345678123456781234567812345678", "1_345678123456781234567812345678",
         "uurn:uid:12345678123456781234567812345678", 0, 1, 255, -1, True, 1.5, "ABCDEF01-2345-6789-ABCD-EF0123456789"]
HTML_INPUTS = [ABSENT, "", " ", "x", "1", "true", "null", "12", "2026-11-29", "{\"a\": [1]}", "[1",
               "user@example.com"]


def cases():
    out = []
    for spec in FIELDS:
        for value in COMMON:
            out.append(run(spec, value))
        out.append(run(spec, ABSENT, partial=True))
        out.append(run(spec, None, partial=True))
        for value in HTML_INPUTS:
            out.append(run(spec, value, html=True))
        out.append(run(spec, ABSENT, partial=True, html=True))
    for value in EMAILS:
        out.append(run({"type": "email"}, value))
    for value in URLS:
        out.append(run({"type": "url"}, value))
    for value in SLUGS:
        out.append(run({"type": "slug"}, value))
    for value in UUIDS:
        out.append(run({"type": "uuid"}, value))
    return out


def shapes():
    """Whole-serializer cases: the input is not a dict, several fields fail."""
    class Two(serializers.Serializer):
        name = serializers.CharField(max_length=3)
        price = serializers.DecimalField(max_digits=5, decimal_places=2)
        count = serializers.IntegerField(required=False)
    out = []
    for data in [[1], "text", 12, 1.5, True, None, {"name": "long", "price": "x", "count": "y"},
                 {"price": "1.234"}, {"name": "ok", "price": "1"}, {"count": "1", "name": ""}]:
        ser = Two(data=data)
        ok = ser.is_valid()
        out.append({"in": data, "ok": ok,
                    "errors": None if ok else JSONRenderer().render(ser.errors).decode()})
    return out


def metadata():
    """SimpleMetadata.get_serializer_info for each field spec."""
    out = []
    specs = FIELDS + [{"type": "integer", "read_only": True, "label": "ID"},
                      {"type": "char", "help_text": "What it is called.", "max_length": 20},
                      {"type": "datetime", "read_only": True, "required": False}]
    for spec in specs:
        class One(serializers.Serializer):
            some_field = make_field(spec)
        info = SimpleMetadata().get_serializer_info(One())
        out.append({"spec": described(spec), "label": One().fields["some_field"].label,
                    "required": One().fields["some_field"].required,
                    "out": JSONRenderer().render(info).decode()})
    return out


def nested_metadata():
    """Nested serializers in OPTIONS: one object, and many (a ListSerializer
    whose child is the nested serializer)."""
    class Brief(serializers.Serializer):
        id = serializers.IntegerField(read_only=True)
        rating = serializers.IntegerField(min_value=1, max_value=5)

    class Outer(serializers.Serializer):
        latest = Brief(read_only=True, allow_null=True)
        several = Brief(many=True, read_only=True)
        some = Brief(many=True, required=False)
    return JSONRenderer().render(SimpleMetadata().get_serializer_info(Outer())).decode()


def main():
    vectors = {"generator": "tests/vectors/gen_validation.py (Django 3.2, DRF 3.14)",
               "fields": cases(), "shapes": shapes(), "metadata": metadata(),
               "nested_metadata": nested_metadata()}
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(outdir, "validation.json"), "w", encoding="utf-8") as f:
        json.dump(vectors, f, ensure_ascii=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
