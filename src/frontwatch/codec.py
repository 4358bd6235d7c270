"""The project's one serialisation of the model: dataclasses <-> JSON (``Codec``), used by the
store (documents and events), the corpus stages' scratch rows and the Parquet shards.

Encoding is ``orjson``'s native dataclass encoding (events through msgspec where the bytes are
the same); decoding goes through ``msgspec`` (objects used and dropped) or a decoder compiled
here from the model's type hints that interns strings (objects that may be held).  Hand-written
around the two libraries because neither interns decoded strings nor reads a stored JSON
without some of its top-level fields as cheaply as a generated type does.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import types
import typing
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any

import msgspec
import orjson

from . import model
from .model import Document, Event

__all__ = ["Codec", "ORJSON_OPTIONS"]


class Codec:
    """Model dataclasses ↔ JSON (``dumps(obj)``, ``load(cls, text)``), the project's one
    serialisation of the model (also used for Parquet shards).  Encoding is ``orjson``'s native
    dataclass encoding (the values of ``dataclasses.asdict``) with dates as ISO strings (for
    events, the same bytes written faster: ``event_json``).

    Decoding gives equal objects two ways.  ``intern=False`` (objects used and dropped: the
    corpus stages' reads) decodes with ``msgspec``, straight from the JSON text into the
    dataclasses in C, two to three times faster than building them in Python.  ``intern=True``
    (objects that may be held: full reads, the exports' events) decodes with a function
    compiled once per type (per Codec) from the model's type hints, which interns strings as it
    goes; msgspec has no hook for that.  Either way keys the model no longer has are ignored and
    fields it gained take their defaults."""

    def __init__(self, intern: bool = True) -> None:
        """``intern=False``: strings are not interned (for documents read, used and dropped,
        where sharing saves nothing and interning every value costs time)."""
        self._decoders: dict[Any, Callable[[Any], Any]] = {}
        self._loaders: dict[tuple[type, frozenset[str]], Callable[[str | bytes], Any]] = {}
        self._views: dict[type, tuple[type, Callable[[str | bytes], Any]]] = {}
        self._view_floats: dict[type, tuple[str, ...]] = {}  # raw_view type -> its float fields
        self._intern = intern
        self._msgspec_encode = msgspec.json.Encoder().encode
        self._exponent = re.compile(rb"e[0-9]")

    def dumps(self, obj: Any) -> str:
        # orjson encodes dataclasses, dates (ISO) and enums (their value) natively, in C: the
        # same values as ``json.dumps(asdict(obj))`` (compact separators), ~10× faster, and
        # storing was a quarter of a whole run's time.
        return orjson.dumps(obj, default=_json_default, option=ORJSON_OPTIONS).decode()

    def event_json(self, ev: Event) -> str:
        """``dumps(ev)``, the same text, about twice as fast: encoding events is a tenth of the
        corpus stages (every event is written back once geocoded, then merged).

        msgspec writes orjson's bytes for the model's values about twice as fast for slots
        dataclasses, except a float's positive exponent (1e16, orjson 1e+16): text with an "e"
        before a digit is left to orjson, as is whatever msgspec cannot encode.  (It also takes
        what orjson refuses — integers beyond 64 bits, sets, bytes — which the model never
        holds.)  Only for events: documents hold hex content hashes, whose "e"s and digits
        would send most of them to orjson after all.  tests/test_store.py compares the two."""
        try:
            data = self._msgspec_encode(ev)
        except Exception:  # orjson encodes it, or raises its own error as before
            return self.dumps(ev)
        if self._exponent.search(data):
            return self.dumps(ev)
        return data.decode()

    def event_json_relocated(self, stored: str, ev: Event) -> str:
        """``event_json(ev)`` for an event decoded from ``stored`` (this codec's JSON of it)
        whose ``location`` alone has changed since: the stored text with the new location's
        JSON in place of the old, the same text for a fifth of the time (geocoding writes every
        event of the corpus back).  A stored text whose location is not where this codec puts
        it, or a location whose JSON ``event_json`` would leave to orjson, is encoded whole."""
        i = stored.find(_LOCATION_KEY)
        # The key is the first of its name: no object before it in an event has a "location"
        # field, and a string cannot hold it (its quotes would be escaped); likewise the next
        # field's key cannot be inside the location's JSON.
        j = stored.find(_AFTER_LOCATION_KEY, i) if i >= 0 else -1
        if j < 0:
            return self.event_json(ev)
        try:
            data = self._msgspec_encode(ev.location)
        except Exception:  # whatever event_json does with it
            return self.event_json(ev)
        if self._exponent.search(data):
            return self.event_json(ev)
        return stored[: i + len(_LOCATION_KEY)] + data.decode() + stored[j:]

    def raw_view(self, cls: type) -> tuple[type, Callable[[str | bytes], Any]]:
        """A dataclass with ``cls``'s fields, in order, but those holding
        dataclasses (directly, optional, or in a list or dict) kept as their JSON
        (``msgspec.Raw``), and its decoder: for a stage that changes an object's plain fields
        only, so that decoding and encoding it again (``view_json``) copies the nested objects'
        text instead of building them.  Made once per type (per Codec)."""
        made = self._views.get(cls)
        if made is None:
            view = _raw_view_type(cls)
            hints = typing.get_type_hints(view)
            self._view_floats[view] = tuple(
                name for name, tp in hints.items() if tp is float or float in typing.get_args(tp))
            made = self._views[cls] = (view, msgspec.json.Decoder(view).decode)
        return made

    def view_json(self, view: Any) -> str | None:
        """The JSON of a ``raw_view`` object decoded from this codec's JSON of an event and
        changed in its plain fields: ``event_json`` of the event so changed, the same text
        (its nested objects' text is as that encoding wrote it).  None when one of its plain
        floats is large enough for an exponent, which msgspec and orjson write differently:
        encode it whole then.  (``event_json`` tests the whole text for an exponent instead,
        which strings trip too; only floats make the two encoders differ, and the nested
        objects' text is what ``event_json`` wrote, with orjson's exponents where it has any.)"""
        for name in self._view_floats[type(view)]:
            value = getattr(view, name)
            if value is not None and not -_PLAIN_FLOAT < value < _PLAIN_FLOAT:
                return None
        return self._msgspec_encode(view).decode()

    def document_json(self, doc: Document, content_hash: str) -> str:
        # Events live in their own table (with queryable columns); the document JSON leaves them out.
        data = {name: getattr(doc, name) for name in _DOCUMENT_FIELDS if name != "events"}
        data["content_hash"] = content_hash
        return orjson.dumps(data, default=_json_default, option=ORJSON_OPTIONS).decode()

    def load(self, cls: type, data: str | bytes) -> Any:
        """An instance of ``cls`` from its JSON text."""
        return self.loader(cls)(data)

    def load_light(self, cls: type, data: str | bytes, omit: frozenset[str]) -> Any:
        """``load`` without the top-level fields ``omit`` (they take their defaults)."""
        return self.loader(cls, omit)(data)

    def loader(self, cls: type, omit: frozenset[str] = frozenset()) -> Callable[[str | bytes], Any]:
        """The decoder of ``cls`` (JSON text → instance, without the top-level fields ``omit``),
        made once per Codec, for hot loops."""
        key = (cls, omit)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._make_loader(cls, omit) if self._intern else _msgspec_loader(cls, omit)
            self._loaders[key] = loader
        return loader

    def _make_loader(self, cls: type, omit: frozenset[str]) -> Callable[[str | bytes], Any]:
        decode = self._decoder(cls)
        if not omit:
            return lambda data: decode(orjson.loads(data))

        def load(data: str | bytes) -> Any:
            value = orjson.loads(data)
            for k in omit:
                value.pop(k, None)
            return decode(value)

        return load

    def _decoder(self, tp: Any) -> Callable[[Any], Any]:
        decoder = self._decoders.get(tp)
        if decoder is None:
            decoder = self._compile(tp)
            self._decoders[tp] = decoder
        return decoder

    def _compile(self, tp: Any) -> Callable[[Any], Any]:
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return _identity
            inner = self._decoder(args[0])
            if inner is _identity or inner is _intern:  # both pass None through as it is
                return inner
            return lambda v: None if v is None else inner(v)
        if origin is list:
            item = self._decoder(typing.get_args(tp)[0])
            return lambda v: [item(x) for x in v]
        if origin is dict:
            val = self._decoder(typing.get_args(tp)[1])
            return lambda v: {k: val(x) for k, x in v.items()}
        if dataclasses.is_dataclass(tp):
            return self._compile_dataclass(tp)  # type: ignore[arg-type]  # (a class: tp is a type)
        if tp is date:
            return lambda v: None if v is None else date.fromisoformat(v)
        if isinstance(tp, type) and issubclass(tp, Enum):
            return tp
        if tp is float:
            return lambda v: None if v is None else float(v)
        if tp is str and self._intern:
            return _intern
        return _identity

    def _compile_dataclass(self, cls: type) -> Callable[[Any], Any]:
        hints = typing.get_type_hints(cls, vars(model))
        # Placeholder first, so a recursive type finds a decoder while its fields are compiled.
        built: list[Callable[[Any], Any]] = []
        self._decoders[cls] = lambda v: built[0](v)
        fields: dict[str, Callable[[Any], Any]] = {}

        def slow(value: dict[str, Any]) -> Any:
            # Keys the model no longer has are dropped; fields it gained take their defaults.
            return cls(**{k: fields[k](v) for k, v in value.items() if k in fields})

        for f in dataclasses.fields(cls):
            fields[f.name] = self._decoder(hints[f.name])
        built.append(_positional_builder(cls, fields, slow))
        return built[0]


def _msgspec_loader(cls: type, omit: frozenset[str]) -> Callable[[str | bytes], Any]:
    """JSON text → ``cls`` by msgspec; without the top-level fields ``omit``, through a
    generated dataclass that lacks them, so that msgspec skips their JSON without building
    anything (a light document's sentences and mentions are most of its text)."""
    if not omit:
        return msgspec.json.Decoder(cls).decode
    hints = typing.get_type_hints(cls, vars(model))
    kept = [f for f in dataclasses.fields(cls) if f.name not in omit]
    specs: list[tuple[str, Any, Any]] = []
    for f in kept:
        default = (dataclasses.field(default=f.default) if f.default is not dataclasses.MISSING
                   else dataclasses.field(default_factory=f.default_factory)
                   if f.default_factory is not dataclasses.MISSING else dataclasses.field())
        specs.append((f.name, hints[f.name], default))
    part = dataclasses.make_dataclass(f"_Light{cls.__name__}", specs, slots=True)
    decode: Callable[[str | bytes], Any] = msgspec.json.Decoder(part).decode
    names = [f.name for f in kept]

    def load(data: str | bytes) -> Any:
        value = decode(data)
        return cls(**{name: getattr(value, name) for name in names})

    return load


def _raw_view_type(cls: type) -> type:
    """``Codec.raw_view``'s dataclass for ``cls``.  Its fields have no defaults: JSON without
    all of them (an older model's) does not decode (msgspec's Raw fields take no default
    factory), and the caller reads it the whole way."""
    hints = typing.get_type_hints(cls, vars(model))
    specs = [(f.name, msgspec.Raw if _holds_dataclass(hints[f.name]) else hints[f.name])
             for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(f"_Raw{cls.__name__}", specs, slots=True)


def _holds_dataclass(tp: Any) -> bool:
    return dataclasses.is_dataclass(tp) or any(_holds_dataclass(a) for a in typing.get_args(tp))


def _positional_builder(cls: type, fields: dict[str, Callable[[Any], Any]],
                        slow: Callable[[dict[str, Any]], Any]) -> Callable[[Any], Any]:
    """A decoder for ``cls`` generated as Python source, once per type: JSON this model wrote
    has every field in order, so its values go to the constructor positionally, through their
    field decoders (none for plain values) — no per-value dict, lookup or call that only passes
    a value through.  Decoding stored events and documents is most of the corpus stages' and
    exports' reading time, and this makes it about twice as fast.  Other JSON (older or newer
    models, light reads) takes ``slow``."""
    names = tuple(fields)
    env: dict[str, Any] = {"cls": cls, "names": names, "slow": slow}
    args = []
    for i, name in enumerate(names):
        if fields[name] is _identity:
            args.append(f"v{i}")
        else:
            env[f"d{i}"] = fields[name]
            args.append(f"d{i}(v{i})")
    unpack = ", ".join(f"v{i}" for i in range(len(names)))
    source = (
        "def build(value):\n"
        "    if value is None:\n"
        "        return None\n"
        "    if tuple(value) != names:\n"
        "        return slow(value)\n"
        f"    {unpack}, = value.values()\n"
        f"    return cls({', '.join(args)})\n"
    )
    exec(source, env)  # our own source, built from the model's field names
    return env["build"]



# Floats below this in magnitude are written without a positive exponent, the same by msgspec
# and orjson (both switch to one at 1e16; a margin below it).
_PLAIN_FLOAT = 1e15

# Non-string dict keys become strings, as the standard json module does.
ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


_DOCUMENT_FIELDS = tuple(f.name for f in dataclasses.fields(Document))
# An event's location and the field after it, as keys in its JSON (``Codec.event_json_relocated``).
_EVENT_FIELDS = [f.name for f in dataclasses.fields(Event)]
_LOCATION_KEY = ',"location":'
_AFTER_LOCATION_KEY = f',"{_EVENT_FIELDS[_EVENT_FIELDS.index("location") + 1]}":'


def _identity(value: Any) -> Any:
    return value


def _intern(value: Any) -> Any:
    # Event types, actor names, countries, rule names, document ids ... repeat across thousands
    # of stored events: one shared string each makes the corpus stages' events ~40% smaller.
    return sys.intern(value) if type(value) is str else value


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")
