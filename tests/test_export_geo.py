"""GeoJSON and Parquet exports (frontwatch.export_geo)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from frontwatch.export import CSV_COLUMNS
from frontwatch.export_geo import (
    EXTRA_COLUMNS,
    events_geojson,
    write_control_geojson,
    write_events_geojson,
    write_events_parquet,
)
from frontwatch.model import ControlState, Event, Evidence, Location, PlaceMention, Span


def _events() -> list[Event]:
    located = Event(
        doc_id="d1", event_type="Battles", sub_event_type="Armed clash", evidence=Evidence(Span(0, 10)),
        event_id="SYR1", event_date=date(2019, 3, 2), time_precision=1, actor1="Military Forces of Syria",
        inter1=1, actor2="Islamic State (Syria)", inter2=2, place=PlaceMention(0, 7, "Mayadin", "Mayadin"),
        location=Location("Mayadin", 35.0207, 40.4516, 1, country="SY", iso=760, gazetteer_id="g1"),
        fatalities=7, fatalities_low=7, fatalities_high=20, source_documents=["d1", "d2"],
        sources=["Outlet A", "Outlet B"], source_count=2, outlet_count=2,
    )
    unlocated = Event(
        doc_id="d3", event_type="Strategic developments", sub_event_type="Change to group/activity",
        evidence=Evidence(Span(0, 5)), event_id="XXX1", place=PlaceMention(0, 4, "Hajin", "Hajin"),
        date_month=3, date_day=4, date_reason="no year",
    )
    return [located, unlocated]


def test_events_geojson_is_rfc7946(tmp_path):
    p = tmp_path / "events.geojson"
    assert write_events_geojson(_events(), p) == 1
    fc = json.loads(p.read_text("utf-8"))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 1
    f = fc["features"][0]
    assert f["type"] == "Feature" and f["id"] == "SYR1"
    assert f["geometry"] == {"type": "Point", "coordinates": [40.4516, 35.0207]}  # lon, lat
    props = f["properties"]
    assert set(CSV_COLUMNS) <= set(props)
    assert props["event_date"] == "2019-03-02" and props["fatalities"] == 7 and props["iso"] == 760
    assert props["source_documents"] == "d1;d2" and props["source_count"] == 2


def test_events_parquet_round_trip_is_typed(tmp_path):
    p = tmp_path / "events.parquet"
    assert write_events_parquet(_events(), p) == 2
    t = pq.read_table(p)
    assert t.column_names == list(CSV_COLUMNS + EXTRA_COLUMNS)
    assert t.schema.field("event_date").type == pa.date32()
    assert t.schema.field("latitude").type == pa.float64()
    assert t.schema.field("fatalities").type == pa.int32()
    rows = t.to_pylist()
    assert rows[0]["event_date"] == date(2019, 3, 2)
    assert (rows[0]["latitude"], rows[0]["longitude"]) == (35.0207, 40.4516)
    assert (rows[0]["fatalities"], rows[0]["fatalities_high"], rows[0]["outlet_count"]) == (7, 20, 2)
    assert rows[1]["event_date"] is None and rows[1]["latitude"] is None and rows[1]["fatalities"] is None
    assert rows[1]["location"] == "Hajin"


def test_empty_parquet_keeps_schema(tmp_path):
    p = tmp_path / "e.parquet"
    assert write_events_parquet([], p) == 0
    assert pq.read_table(p).schema.field("event_date").type == pa.date32()


def test_control_geojson_file(tmp_path):
    states = [
        ControlState("gaz:g1", "Mayadin", "Military Forces of Syria", date(2019, 3, 2), date(2019, 3, 5), "s", "d1",
                     35.0207, 40.4516),
        ControlState("name:hajin", "Hajin", "Islamic State (Syria)", date(2019, 3, 1), date(2019, 3, 1), "s", "d2"),
    ]
    p = tmp_path / "control.geojson"
    assert write_control_geojson(states, p) == 1
    fc = json.loads(p.read_text("utf-8"))
    assert fc["features"][0]["geometry"]["coordinates"] == [40.4516, 35.0207]
    assert fc["features"][0]["properties"]["since"] == "2019-03-02"


def test_parquet_rows_turned_into_arrow_as_they_come_give_the_same_file(tmp_path, monkeypatch):
    """Pending rows become Arrow arrays every PARQUET_CONVERT_ROWS: the row groups hold the same
    data, so the file is byte for byte the one written from Python values at once."""
    from dataclasses import replace

    from frontwatch import export_geo

    monkeypatch.setattr(export_geo.time, "time", lambda: 1_700_000_000)  # the timestamp column
    events = [replace(e, event_id=f"{e.event_id}-{i}", fatalities=None if i % 3 else i,
                      notes="" if i % 2 else f"note {i}") for i in range(23) for e in _events()]
    monkeypatch.setattr(export_geo, "PARQUET_BATCH_ROWS", 10)
    monkeypatch.setattr(export_geo, "PARQUET_CONVERT_ROWS", 10**9)  # never before the row group ends
    write_events_parquet(events, tmp_path / "whole.parquet")
    monkeypatch.setattr(export_geo, "PARQUET_CONVERT_ROWS", 3)
    write_events_parquet(events, tmp_path / "pieces.parquet")
    assert (tmp_path / "pieces.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    assert pq.ParquetFile(tmp_path / "pieces.parquet").metadata.num_row_groups == 5
    assert pq.read_table(tmp_path / "pieces.parquet").num_rows == 46


def test_geojson_has_json_dumps_text_whatever_the_floats_and_strings(tmp_path):
    """Points near 0°, a NaN confidence, quotes and separators in the text: the file is still
    json.dumps(events_geojson(...), ensure_ascii=False), byte for byte."""
    (located, _) = _events()
    near_zero = dataclasses.replace(
        located, event_id="GHA1", notes='He said: "we hold it, all of it" \u2028 ok', claimed_by="a\\b",
        location=Location("Null Island", 1e-05, -6.5e-08, 1, country="GH", iso=288, gazetteer_id="g2"))
    unsure = dataclasses.replace(located, event_id="SYR2", confidence=float("nan"))
    events = [located, near_zero, unsure]
    p = tmp_path / "events.geojson"
    assert write_events_geojson(events, p) == 3
    text = p.read_text("utf-8")
    assert text == json.dumps(events_geojson(events), ensure_ascii=False)
    assert '"coordinates": [-6.5e-08, 1e-05]' in text and '"confidence": NaN' in text
