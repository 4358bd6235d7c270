"""JSON text exactly as the standard library writes it with ``json.dumps(obj, ensure_ascii=False)``
(default separators ``", "`` and ``": "``), made about three times faster: the format of
``events.geojson`` and ``documents.jsonl``, whose encoding by ``json`` was a fifth of the exports.

orjson encodes the object (strings escaped as ``json`` escapes them with ``ensure_ascii=False``,
integers and nulls alike; tests/test_jsontext.py compares them) but compactly, and
``msgspec.json.format(..., indent=0)`` puts back the single space ``json`` writes after each
``,`` and ``:`` between items, leaving the strings' text as it is.  Where the two libraries
differ the object goes to ``json`` itself: anything orjson refuses or would write differently
(a lone surrogate, an integer beyond 64 bits, a non-string key, a subclass of a basic type, a
dataclass or date that ``json`` would refuse too).  Floats are the exception the text cannot
show: both write a finite float of magnitude 1e-4 or more (or zero) as ``repr`` does, but below
that orjson writes ``0.00001`` or ``6e-8`` where ``json`` writes ``1e-05`` and ``6e-08``, and
NaN or an infinity as ``null``.  So the objects given must hold no such float: callers check
the floats they have (the exports' records have a known few, or none).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import msgspec
import orjson

# Everything orjson would write although ``json`` does not (or writes otherwise) goes through
# ``default``, which refuses it, so that such an object falls back to ``json``.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS
# The smallest magnitude of a float (but zero) that orjson writes as ``json`` does.
MIN_PLAIN_FLOAT = 1e-4


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def plain_float(value: float) -> bool:
    """Whether orjson writes ``value`` as ``json`` does: finite, and zero or of magnitude at
    least ``MIN_PLAIN_FLOAT``."""
    return value == 0.0 or MIN_PLAIN_FLOAT <= abs(value) < math.inf


def json_encoder() -> Callable[[Any], str]:
    """A function giving ``json.dumps(obj, ensure_ascii=False)`` of ``obj``, whose floats must
    all be :func:`plain_float` (see the module's docstring): :func:`json_utf8_encoder`'s
    bytes decoded, or ``json``'s own text where they cannot be UTF-8 (a lone surrogate)."""
    utf8 = json_utf8_encoder()
    std = json.JSONEncoder(ensure_ascii=False).encode

    def encode(obj: Any) -> str:
        try:
            return utf8(obj).decode()
        except UnicodeEncodeError:
            return std(obj)

    return encode


def json_utf8_encoder() -> Callable[[Any], bytes]:
    """A function giving ``json.dumps(obj, ensure_ascii=False)`` of ``obj`` as UTF-8 bytes, whose
    floats must all be :func:`plain_float`, for a file opened in binary mode: the bytes a UTF-8
    text file would write, without decoding the encoders' bytes into a string that the file
    then encodes back (a lone surrogate raises ``UnicodeEncodeError`` here as the text file
    would)."""
    std = json.JSONEncoder(ensure_ascii=False).encode
    dumps, reformat = orjson.dumps, msgspec.json.format

    def encode(obj: Any) -> bytes:
        try:
            data = dumps(obj, default=_refuse, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return std(obj).encode("utf-8")
        return reformat(data, indent=0)

    return encode
