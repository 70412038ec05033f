"""Print the C table of JSON-body vectors for tests/unit/test_body.c.

Each input is parsed by DRF 3.14's own JSONParser (the judge of DRF
behaviour); the expected outcome is what DRF answers: the parsed value
re-serialised compactly, or the 400 detail.

    /usr/bin/python3 tests/e2e/runtime/drf_body_vectors.py
"""
import io
import json

import django
from django.conf import settings

settings.configure(INSTALLED_APPS=["rest_framework"])
django.setup()

from rest_framework.parsers import JSONParser  # noqa: E402

CASES = [
    b'{"a":1,"b":[true,false,null],"c":"x"}', b'  [1, 2.5, -0, 1e3, 1E-2, -12]  ',
    b'"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/"', b'{"a":1,"a":2}', b'"\\u0000x"',
    b'', b' ', b'{', b'}', b'[', b'{"a":1,}', b'[1,]', b'{"a" 1}', b'{"a":1 "b":2}',
    b'{1:2}', b'01', b'1.', b'-', b'-x', b'.5', b'1e', b'"abc', b'"a\x01"', b'"\\x"',
    b'"\\u12"', b'"\\u12', b'"\\u12zz"', b'"\\ud800\\uzzzz"', b'NaN', b'Infinity',
    b'-Infinity', b'[1, NaN]', b'[1] x', b'nul', b'tru', b'\xef\xbb\xbf{}', b'\xff',
    b'{"a":"\xe2\x82"}', b'"\xe2\x82', b'"\xed\xa0\x80"', b'"\xf0\x80"', b'\xc0\x80',
    b'\n\n  {"x": tru}', b'"\xc3\xa9" x', b'[[[]', b'{"\xc3\xa9":1, 2}',
    b'[\n1,\n\n2 3]', b'{"a":[1,{"b":}]}', b'"\\', b'"\\u"', b'tRue',
]


def c_string(b):
    out = '"'
    for byte in b:
        ch = chr(byte)
        if ch in '"\\':
            out += '\\' + ch
        elif 32 <= byte < 127:
            out += ch
        else:
            out += '\\%03o' % byte
    return out + '"'


for case in CASES:
    try:
        value = JSONParser().parse(io.BytesIO(case), "application/json", {})
        ok, text = 1, json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except Exception as exc:  # DRF's ParseError
        ok, text = 0, str(exc)
    print("    { %s, %d, %d, %s }," % (c_string(case), len(case), ok,
                                      c_string(text.encode())))
