"""Exports for GIS and data tools: events and control as RFC 7946 GeoJSON, events as Parquet.

The columns are the ACLED-style CSV's (``export.CSV_COLUMNS``, values from ``export.event_row``)
so that the three formats say the same thing; Parquet adds types (dates as date32, coordinates
as float64, counts as nullable int32) so that pandas, DuckDB or R read them without parsing.

Both event writers stream: GeoJSON features are written one by one (the same bytes as dumping
the whole FeatureCollection), Parquet rows go out in row groups of ``PARQUET_BATCH_ROWS``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from . import export
from .control import control_geojson
from .jsontext import json_utf8_encoder, plain_float
from .model import ControlState, Event

if TYPE_CHECKING:  # pyarrow is imported where Parquet is written: not every process writes it
    import pyarrow as pa

_INT_COLUMNS = ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision", "fatalities")
_FLOAT_COLUMNS = ("latitude", "longitude", "confidence")
_STR_COLUMNS = tuple(k for k in export.CSV_COLUMNS
                     if k not in _INT_COLUMNS and k not in _FLOAT_COLUMNS and k not in ("event_date", "timestamp"))
# frontwatch's own merge counts, after the CSV columns.
EXTRA_COLUMNS = ("source_count", "outlet_count", "fatalities_low", "fatalities_high")
# Rows per Parquet row group: large enough for good compression and fast scans, small enough
# that the pending rows stay a few tens of MB at any corpus size.
PARQUET_BATCH_ROWS = 20_000
# Pending rows are turned from Python values into Arrow arrays this often (a few hundred bytes
# a row instead of ~1.5 kB of Python objects); the row group is the same data, so the same bytes.
PARQUET_CONVERT_ROWS = 2048
# How json.dumps(FeatureCollection) writes it (default separators), cut around the features.
_GEOJSON_HEAD = b'{"type": "FeatureCollection", "features": ['
_GEOJSON_SEP = b", "
_GEOJSON_TAIL = b"]}"


def typed_row(row: dict[str, object], e: Event) -> dict[str, object]:
    """A CSV row (from ``export.event_row``, evidence as offsets) with numbers as numbers and
    unknowns as None (not ""), then the merge counts (``EXTRA_COLUMNS``)."""
    out = dict(row)  # event_row's keys are CSV_COLUMNS, in order
    out["event_date"] = e.event_date
    for k in _INT_COLUMNS:
        v = out[k]
        if type(v) is not int:  # an int is kept as it is (int() would give it back unchanged)
            out[k] = int(v) if v not in ("", None) else None  # type: ignore[call-overload]
    for k in _FLOAT_COLUMNS:
        v = out[k]
        out[k] = float(v) if v not in ("", None) else None  # type: ignore[arg-type]
    out["timestamp"] = int(out["timestamp"])  # type: ignore[call-overload]
    # The text columns hold strings but for odd input: checked all at once (in C), then one by one.
    if set(map(type, _str_values(out))) != _ONLY_STR:
        for k in _STR_COLUMNS:
            v = out[k]
            if type(v) is not str:
                out[k] = "" if v is None else str(v)
    if e.location is not None and e.location.latitude is not None:
        out["latitude"], out["longitude"] = e.location.latitude, e.location.longitude  # full precision
    out["fatalities"] = e.fatalities  # unknown stays null here (the CSV writes ACLED's 0)
    out["source_count"] = e.source_count or len(set(e.source_documents or [e.doc_id]))
    out["outlet_count"] = e.outlet_count or len(set(e.sources))
    out["fatalities_low"] = e.fatalities_low
    out["fatalities_high"] = e.fatalities_high
    return out


_str_values = itemgetter(*_STR_COLUMNS)
_ONLY_STR = {str}
_typed = typed_row  # the name before the exports streamed


def _feature(e: Event, props: dict[str, object]) -> dict | None:
    """The GeoJSON Feature of a located event (None if it has no point); takes ``props``
    (a :func:`typed_row`) over, writing its date as ISO text."""
    loc = e.location
    if loc is None or loc.latitude is None or loc.longitude is None:
        return None
    props["event_date"] = e.event_date.isoformat() if e.event_date else None
    return {
        "type": "Feature",
        "id": e.event_id or None,
        "geometry": {"type": "Point", "coordinates": [loc.longitude, loc.latitude]},
        "properties": props,
    }


def events_geojson(events: Iterable[Event]) -> dict:
    """RFC 7946 FeatureCollection: one Point ([longitude, latitude]) per located event, its
    properties the ACLED columns (numbers typed, unknowns null). Unlocated events are left out."""
    ts = int(time.time())
    feats = []
    for e in events:
        f = _feature(e, typed_row(export.event_row(e, ts), e))
        if f is not None:
            feats.append(f)
    return {"type": "FeatureCollection", "features": feats}


class GeoJsonEventWriter:
    """``events.geojson`` written feature by feature (a context manager): the same bytes as
    ``json.dumps(events_geojson(events), ensure_ascii=False)``, without the collection in memory."""

    def __init__(self, path: Path) -> None:
        # Binary: the features are encoded to UTF-8 bytes as they are made (json_utf8_encoder).
        self._f = open(path, "wb")  # noqa: SIM115 — closed by __exit__
        self._encode = json_utf8_encoder()  # json's text, three times faster, for plain floats
        encode_any = json.JSONEncoder(ensure_ascii=False).encode
        self._encode_any = lambda obj: encode_any(obj).encode("utf-8")
        self._f.write(_GEOJSON_HEAD)
        self.count = 0

    def add(self, e: Event, props: dict[str, object]) -> None:
        """Write the event if it is located; ``props`` (its :func:`typed_row`) is taken over."""
        f = _feature(e, props)
        if f is None:
            return
        if self.count:
            self._f.write(_GEOJSON_SEP)
        # The feature's floats are its point (also its latitude/longitude) and its confidence.
        loc = e.location
        conf = props["confidence"]
        plain = plain_float(loc.longitude) and plain_float(loc.latitude) and (conf is None or plain_float(conf))  # type: ignore[union-attr,arg-type]
        self._f.write(self._encode(f) if plain else self._encode_any(f))
        self.count += 1

    def __enter__(self) -> GeoJsonEventWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self._f.write(_GEOJSON_TAIL)
        self._f.close()


def write_events_geojson(events: Iterable[Event], path: Path) -> int:
    """Write located events as GeoJSON; returns the number of features written."""
    ts = int(time.time())
    countries: dict[str, str] = {}
    with GeoJsonEventWriter(path) as w:
        for e in events:
            w.add(e, typed_row(export.event_row(e, ts, countries), e))
    return w.count


def write_control_geojson(states: Iterable[ControlState], path: Path) -> int:
    """Write the control state of located places as GeoJSON; returns the feature count."""
    fc = control_geojson(states)
    Path(path).write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return len(fc["features"])


def parquet_schema() -> pa.Schema:
    """The typed schema of ``events.parquet``: the CSV columns, then the merge counts."""
    import pyarrow as pa

    fields = []
    for k in export.CSV_COLUMNS + EXTRA_COLUMNS:
        if k == "event_date":
            t = pa.date32()
        elif k in _FLOAT_COLUMNS:
            t = pa.float64()
        elif k == "timestamp":
            t = pa.int64()
        elif k in _INT_COLUMNS or k in EXTRA_COLUMNS:
            t = pa.int32()
        else:
            t = pa.string()
        fields.append(pa.field(k, t, nullable=True))
    return pa.schema(fields)


class ParquetEventWriter:
    """``events.parquet`` written in row groups of ``PARQUET_BATCH_ROWS`` (a context manager);
    schema :func:`parquet_schema`."""

    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self._schema = parquet_schema()
        self._writer = pq.ParquetWriter(path, self._schema)
        # Pending rows as tuples in schema order: one C call per row (``itemgetter``) instead
        # of an append per column, turned into columns by one ``zip`` when converted.
        self._row = itemgetter(*self._schema.names)
        self._rows: list[tuple] = []
        self._chunks: list[list[pa.Array]] = [[] for _ in self._schema]
        self._pending = 0  # rows of the row group being made
        self.count = 0

    def add(self, row: dict[str, object]) -> None:
        """Add one event's :func:`typed_row` (read at once: the caller may reuse it after)."""
        self._rows.append(self._row(row))
        self._pending += 1
        self.count += 1
        if self._pending >= PARQUET_BATCH_ROWS:
            self._flush()
        elif len(self._rows) >= PARQUET_CONVERT_ROWS:
            self._convert()

    def _convert(self) -> None:
        import pyarrow as pa

        if not self._rows:
            return
        for chunks, values, field in zip(self._chunks, zip(*self._rows, strict=True), self._schema, strict=True):
            chunks.append(pa.array(values, type=field.type))
        self._rows.clear()

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._pending:
            return
        self._convert()
        # The converted pieces go in as chunked columns (one row group all the same, the same
        # bytes) rather than concatenated, which held every column twice.
        arrays = [pa.chunked_array(chunks, type=field.type) for chunks, field in zip(self._chunks, self._schema, strict=True)]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        del arrays
        for chunks in self._chunks:
            chunks.clear()
        self._pending = 0
        # Arrow's allocator keeps what a row group used for the next one; handed back, the
        # process stays ~45 MB smaller at 10k pages and more (the pool's peak is one row group).
        pa.default_memory_pool().release_unused()

    def __enter__(self) -> ParquetEventWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self._flush()
        finally:
            self._writer.close()


def write_events_parquet(events: Iterable[Event], path: Path) -> int:
    """Write events as a Parquet table (schema: :func:`parquet_schema`); returns the row count."""
    ts = int(time.time())
    countries: dict[str, str] = {}
    with ParquetEventWriter(path) as w:
        for e in events:
            w.add(typed_row(export.event_row(e, ts, countries), e))
    return w.count
