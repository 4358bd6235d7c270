"""jsontext.json_encoder writes exactly json.dumps(obj, ensure_ascii=False)'s text."""

from __future__ import annotations

import json
from datetime import date
from enum import IntEnum, StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.jsontext import MIN_PLAIN_FLOAT, json_encoder, json_utf8_encoder, plain_float

encode = json_encoder()
encode_utf8 = json_utf8_encoder()

# Text with what escaping touches: quotes, backslashes, control characters, separators that
# the reformatting must leave alone inside strings, non-ASCII and astral characters.
_chars = st.text(alphabet=list('ab ,:"\\/{}[]\x00\x01\x1f\x7f\n\r\t\b\f\u2028\u00e9\u0627\U0001F600'), max_size=30)
_text = st.one_of(_chars, st.sampled_from(["0.0000", "1e-05", ""]), st.text(max_size=10))
# The floats orjson writes as json does (the encoder's callers check theirs: see plain_float).
_plain_floats = st.one_of(st.just(0.0), st.just(-0.0), st.floats(min_value=MIN_PLAIN_FLOAT, allow_infinity=False),
                          st.floats(max_value=-MIN_PLAIN_FLOAT, allow_infinity=False))
_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                  _plain_floats, _text)
_json = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                    st.dictionaries(_text, inner, max_size=5)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_json)
def test_same_text_as_json_dumps(obj: object) -> None:
    assert encode(obj) == json.dumps(obj, ensure_ascii=False)
    assert encode_utf8(obj) == json.dumps(obj, ensure_ascii=False).encode("utf-8")


def test_an_export_record_and_the_cases_orjson_writes_otherwise() -> None:
    feature = {"type": "Feature", "id": "IRQ1", "geometry": {"type": "Point", "coordinates": [43.48878, 34.92915]},
               "properties": {"notes": 'Troops said "we hold it": 3, 4', "year": 2013, "admin3": "", "iso": None,
                              "confidence": 0.8, "empty": [], "none": {}}}
    assert encode(feature) == json.dumps(feature, ensure_ascii=False)
    assert '"coordinates": [43.48878, 34.92915]' in encode(feature)

    class Kind(StrEnum):
        BODY = "body"

    class Level(IntEnum):
        HIGH = 3

    odd = [1e16, 1.7976931348623157e308, 2**64, "lone \ud800 surrogate", {1: "int key"}, Kind.BODY, Level.HIGH, True]
    for value in odd:
        assert encode(value) == json.dumps(value, ensure_ascii=False), value
        if value != "lone \ud800 surrogate":  # not UTF-8: refused as a UTF-8 text file would
            assert encode_utf8(value) == json.dumps(value, ensure_ascii=False).encode("utf-8"), value
    with pytest.raises(UnicodeEncodeError):
        encode_utf8(["lone \ud800 surrogate", "é"])
    assert encode({"k": odd}) == json.dumps({"k": odd}, ensure_ascii=False)


def test_what_json_refuses_is_still_refused() -> None:
    for value in (date(2020, 1, 2), {"when": date(2020, 1, 2)}):
        try:
            json.dumps(value)
        except TypeError:
            pass
        else:  # pragma: no cover
            raise AssertionError("json took a date")
        try:
            encode(value)
        except TypeError:
            continue
        raise AssertionError(f"{value!r} was encoded")


def test_plain_float_marks_the_floats_orjson_writes_otherwise() -> None:
    import orjson

    for value in (1e-05, -2.5e-07, 5.960464477539063e-08, float("nan"), float("inf")):
        assert not plain_float(value)
        assert orjson.dumps(value).decode() != json.dumps(value)
    for value in (0.0, MIN_PLAIN_FLOAT, 0.8, 34.92915, -180.0, 1e16, 1e300):
        assert plain_float(value)
        assert orjson.dumps(value).decode() == json.dumps(value)
