"""Exports for GIS and data tools: events and control as RFC 7946 GeoJSON, events as Parquet.

The columns are the ACLED-style CSV's (``export.CSV_COLUMNS``, values from ``export.event_row``)
so that the three formats say the same thing; Parquet adds types (dates as date32, coordinates
as float64, counts as nullable int32) so that pandas, DuckDB or R read them without parsing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import export
from .control import control_geojson
from .model import ControlState, Event

_INT_COLUMNS = ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision", "fatalities")
_FLOAT_COLUMNS = ("latitude", "longitude", "confidence")
# frontwatch's own merge counts, after the CSV columns.
EXTRA_COLUMNS = ("source_count", "outlet_count", "fatalities_low", "fatalities_high")


def _typed(row: dict[str, object], e: Event) -> dict[str, object]:
    """A CSV row with numbers as numbers and unknowns as None (not "")."""
    out: dict[str, object] = {}
    for k in export.CSV_COLUMNS:
        v = row.get(k, "")
        if k == "event_date":
            out[k] = e.event_date
        elif k in _INT_COLUMNS:
            out[k] = int(v) if v not in ("", None) else None
        elif k in _FLOAT_COLUMNS:
            out[k] = float(v) if v not in ("", None) else None
        elif k == "timestamp":
            out[k] = int(v)  # type: ignore[arg-type]
        else:
            out[k] = "" if v is None else str(v)
    if e.location is not None and e.location.latitude is not None:
        out["latitude"], out["longitude"] = e.location.latitude, e.location.longitude  # full precision
    out["fatalities"] = e.fatalities  # unknown stays null here (the CSV writes ACLED's 0)
    out["source_count"] = e.source_count or len(set(e.source_documents or [e.doc_id]))
    out["outlet_count"] = e.outlet_count or len(set(e.sources))
    out["fatalities_low"] = e.fatalities_low
    out["fatalities_high"] = e.fatalities_high
    return out


def events_geojson(events: Iterable[Event]) -> dict:
    """RFC 7946 FeatureCollection: one Point ([longitude, latitude]) per located event, its
    properties the ACLED columns (numbers typed, unknowns null). Unlocated events are left out."""
    ts = int(time.time())
    feats = []
    for e in events:
        loc = e.location
        if loc is None or loc.latitude is None or loc.longitude is None:
            continue
        props = _typed(export.event_row(e, ts), e)
        props["event_date"] = e.event_date.isoformat() if e.event_date else None
        feats.append({
            "type": "Feature",
            "id": e.event_id or None,
            "geometry": {"type": "Point", "coordinates": [loc.longitude, loc.latitude]},
            "properties": props,
        })
    return {"type": "FeatureCollection", "features": feats}


def write_events_geojson(events: Iterable[Event], path: Path) -> int:
    """Write located events as GeoJSON; returns the number of features written."""
    fc = events_geojson(events)
    Path(path).write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return len(fc["features"])


def write_control_geojson(states: Iterable[ControlState], path: Path) -> int:
    """Write the control state of located places as GeoJSON; returns the feature count."""
    fc = control_geojson(states)
    Path(path).write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return len(fc["features"])


def parquet_schema() -> pa.Schema:
    """The typed schema of ``events.parquet``: the CSV columns, then the merge counts."""
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


def write_events_parquet(events: Iterable[Event], path: Path) -> int:
    """Write events as a Parquet table (schema: :func:`parquet_schema`); returns the row count."""
    ts = int(time.time())
    schema = parquet_schema()
    cols: dict[str, list] = {f.name: [] for f in schema}
    n = 0
    for e in events:
        row = _typed(export.event_row(e, ts), e)
        for k in cols:
            cols[k].append(row.get(k))
        n += 1
    table = pa.table({k: pa.array(v, type=schema.field(k).type) for k, v in cols.items()}, schema=schema)
    pq.write_table(table, path)
    return n
