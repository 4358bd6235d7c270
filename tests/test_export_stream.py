"""Streaming exports: the one-pass writers over the store give the same files as the in-memory
functions, whatever shape the events come in, with bounded lookups of article text."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontwatch import control, export, export_geo, pipeline, report
from frontwatch.export import DocumentLookup, document_record, stored_document_record, write_acled_csv
from frontwatch.geocode import make_locator
from frontwatch.model import Document, Event, Evidence, Segment, SegmentKind, Span
from frontwatch.store import Store


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The bundled demo pages run end to end (so through ``write_outputs``), and the inputs the
    in-memory export functions took before the exports streamed."""
    out = tmp_path_factory.mktemp("demo")
    with resources.as_file(resources.files("frontwatch") / "data" / "demo") as demo:
        pipeline.run(pipeline.RunOptions(inputs=[str(demo)], out_dir=out))
    with Store(out / pipeline.DB_NAME) as store:
        full = list(store.iter_documents())
        docs = list(store.iter_documents(light=True))
        events = list(store.iter_corpus_events())
    with pipeline._opened_gazetteer(pipeline.RunOptions(inputs=(), out_dir=out)) as gaz:
        timeline = control.control_timeline(events, docs, locate=make_locator(gaz))
    return out, full, docs, events, timeline


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: v for k, v in row.items() if k != "timestamp"} for row in csv.DictReader(f)]


def _no_timestamps(obj: dict) -> dict:
    for feat in obj["features"]:
        feat["properties"].pop("timestamp")
    return obj


def test_demo_has_events_to_compare(demo_run):
    _, full, _, events, timeline = demo_run
    assert len(full) >= 5 and len(events) >= 10 and timeline  # otherwise the comparisons below prove little


def test_streamed_outputs_equal_the_in_memory_exports(demo_run, tmp_path):
    out, full, docs, events, timeline = demo_run
    # documents.jsonl: records rebuilt from Document objects, one json.dumps each, as before.
    expected = "".join(json.dumps(document_record(d), ensure_ascii=False) + "\n" for d in full)
    assert (out / "documents.jsonl").read_text("utf-8") == expected
    # events.csv with a dict of every text, as before.
    write_acled_csv(events, tmp_path / "e.csv", evidence_text={d.id: d.text for d in docs})
    assert _csv_rows(out / "events.csv") == _csv_rows(tmp_path / "e.csv")
    # events.geojson dumped as one FeatureCollection, as before.
    fc = json.loads(json.dumps(export_geo.events_geojson(events), ensure_ascii=False))
    assert _no_timestamps(json.loads((out / "events.geojson").read_text("utf-8"))) == _no_timestamps(fc)
    # events.parquet: same rows (the timestamp differs by run).
    export_geo.write_events_parquet(events, tmp_path / "e.parquet")
    a, b = pq.read_table(out / "events.parquet"), pq.read_table(tmp_path / "e.parquet")
    assert a.schema == b.schema and a.drop(["timestamp"]).to_pylist() == b.drop(["timestamp"]).to_pylist()
    # report.html: byte for byte, from the documents in memory.
    report.write_report(events, timeline, docs, tmp_path / "r.html")
    assert (out / "report.html").read_text("utf-8") == (tmp_path / "r.html").read_text("utf-8")


def test_geojson_stream_has_the_bytes_of_one_dump(demo_run, tmp_path):
    _, _, _, events, _ = demo_run
    n = export_geo.write_events_geojson(events, tmp_path / "g.geojson")
    text = (tmp_path / "g.geojson").read_text("utf-8")
    fc = json.loads(text)
    assert n == len(fc["features"]) > 0
    assert text == json.dumps(fc, ensure_ascii=False)  # separators and number formats as json.dumps
    export_geo.write_events_geojson([], tmp_path / "empty.geojson")
    assert (tmp_path / "empty.geojson").read_text("utf-8") == json.dumps(export_geo.events_geojson([]))


def test_event_row_keys_are_the_csv_columns(demo_run):
    # typed_row and the GeoJSON properties rely on this order.
    assert all(tuple(export.event_row(e, 0)) == export.CSV_COLUMNS for e in demo_run[3])


def test_csv_is_the_same_from_a_list_an_iterator_or_a_small_lookup(demo_run, tmp_path, monkeypatch):
    out, _, docs, events, _ = demo_run
    texts = {d.id: d.text for d in docs}
    write_acled_csv(events, tmp_path / "list.csv", evidence_text=texts)
    write_acled_csv(iter(events), tmp_path / "iter.csv", evidence_text=texts)
    monkeypatch.setattr(export, "EXPORT_CHUNK_EVENTS", 3)  # many chunks, evictions between them
    with Store(out / pipeline.DB_NAME) as store:
        fetched: list[int] = []

        def fetch(ids: list[str]) -> dict[str, Document]:
            fetched.append(len(ids))
            return store.documents_by_id(ids)

        lookup = DocumentLookup(fetch, capacity=1)
        write_acled_csv((e for e in events), tmp_path / "lookup.csv", evidence_text=lookup)
    rows = _csv_rows(tmp_path / "list.csv")
    assert rows == _csv_rows(tmp_path / "iter.csv") == _csv_rows(tmp_path / "lookup.csv")
    assert any(r["evidence"] and not r["evidence"].startswith("rule=") for r in rows)  # sentences, not offsets
    assert max(fetched) <= 3 and len(lookup) <= 3  # never more than a chunk's articles at once


def test_lookup_fetches_each_batch_once_and_stays_bounded():
    docs = {f"d{i}": Document(id=f"d{i}", page_id=f"d{i}", text=f"text {i}") for i in range(20)}
    calls: list[list[str]] = []

    def fetch(ids: list[str]) -> dict[str, Document]:
        calls.append(ids)
        return {i: docs[i] for i in ids if i in docs}

    lookup = DocumentLookup(fetch, capacity=4)
    lookup.prefetch(["d1", "d2", "d1", "nope"])
    assert calls == [["d1", "d2", "nope"]]
    assert lookup.text("d2") == "text 2" and lookup.get("nope") is None and len(calls) == 1
    lookup.prefetch([f"d{i}" for i in range(10)])  # a batch larger than the capacity is kept whole
    assert len(lookup) == 10 and all(lookup.text(f"d{i}") == f"text {i}" for i in range(10))
    assert len(calls) == 2 and "d1" not in calls[1]
    lookup.prefetch(["d15"])
    assert len(lookup) == 4
    assert lookup.text("d19") == "text 19" and len(calls) == 4  # a miss outside a batch: one fetch


def _stored(store: Store, doc: Document, n: int) -> None:
    assert store.add_page(doc.page_id, f"hash-{n}", "test", [doc])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(min_size=1), page=st.text(), outlet=st.none() | st.text())
def test_stored_fields_give_the_record_of_the_document(tmp_path, body, page, outlet):
    """Any text (NUL, controls, non-BMP) reads back exactly through the cheap paths."""
    cut = len(page) // 2
    doc = Document(id="p#2", page_id="p", text=body, outlet=outlet, published=date(2020, 2, 29), source="s.txt",
                   page_text=page, segments=[Segment(SegmentKind.TITLE, 0, cut, "t"),
                                             Segment(SegmentKind.BODY, cut, len(page))])
    with Store(tmp_path / "fw.db") as store:
        n = store.count_pages()
        _stored(store, doc, n)
        stored = list(store.iter_document_fields(export.STORED_DOCUMENT_FIELDS))[-1]
        assert stored_document_record(stored) == document_record(doc)
        got = store.documents_by_id(["p#2", "absent"])
    assert list(got) == ["p#2"] and got["p#2"].text == body and got["p#2"].outlet == outlet


def test_documents_by_id_takes_the_last_stored_of_an_id(tmp_path):
    with Store(tmp_path / "fw.db") as store:
        _stored(store, Document(id="a", page_id="a", text="first version"), 1)
        _stored(store, Document(id="a", page_id="a", text="second version", outlet="Outlet"), 2)
        _stored(store, Document(id="b", page_id="b", text="other"), 3)
        assert store.documents_by_id(["a"])["a"].text == "second version"
        assert store.count_document_ids() == 2


def test_kept_texts_read_back_as_the_stored_documents(tmp_path, monkeypatch):
    """The articles kept aside while documents.jsonl is written answer as the stored rows do:
    the last version of an id, any text, every batch, absent ids absent; a new write replaces
    what an earlier one kept."""
    monkeypatch.setattr(export, "KEEP_BATCH", 2)  # several batches and a last, shorter one
    texts = ["first version", "second version", "NUL \x00 and \U0001f600", "", "plain"]
    with Store(tmp_path / "fw.db") as store:
        for n, (doc_id, text) in enumerate(zip(["a", "a", "b", "c", "d"], texts, strict=True)):
            _stored(store, Document(id=doc_id, page_id=f"page-{doc_id}", text=text, outlet=f"Outlet {n}"), n)
        ids = ["a", "b", "c", "d", "absent"]
        for _ in range(2):
            store.export_texts_clear()
            n = export.write_stored_documents_jsonl(store.iter_document_fields(export.STORED_DOCUMENT_FIELDS),
                                                    tmp_path / "documents.jsonl", keep=store.export_texts_put)
            assert n == 5
            kept, stored = store.export_documents_by_id(ids), store.documents_by_id(ids)
            assert kept == stored and list(kept) != [] and "absent" not in kept
            assert kept["a"].text == "second version" and kept["a"].outlet == "Outlet 1"
            assert kept["b"].text == texts[2] and kept["b"].page_id == "page-b"


def test_write_outputs_takes_events_as_a_callable(demo_run, tmp_path):
    out, _, _, events, timeline = demo_run
    copy = tmp_path / "run"
    copy.mkdir()
    (copy / pipeline.DB_NAME).write_bytes((out / pipeline.DB_NAME).read_bytes())
    options = pipeline.RunOptions(inputs=(), out_dir=copy, report=False)
    summary = pipeline.RunSummary()
    with Store(copy / pipeline.DB_NAME) as store:
        pipeline.write_outputs(store, None, store.iter_corpus_events, timeline, options, summary)
    assert "report" not in summary.outputs and not (copy / "report.html").exists()
    assert _csv_rows(copy / "events.csv") == _csv_rows(out / "events.csv")
    assert (copy / "documents.jsonl").read_bytes() == (out / "documents.jsonl").read_bytes()
    assert len(events) == len(_csv_rows(copy / "events.csv"))


def test_report_items_made_in_the_one_pass_match_the_events_read_again(demo_run, tmp_path, monkeypatch):
    """Events that all fit the report have their list items made as they stream past (read
    once); above the cap they are skimmed and the shown ones read again: the same page."""
    out, _, _, events, timeline = demo_run
    pages = []
    for cap in (report.REPORT_MAX_EVENTS, 0):  # 0: "more events than fit", the fetching path
        monkeypatch.setattr(pipeline, "REPORT_MAX_EVENTS", cap)
        copy = tmp_path / f"run-{cap}"
        copy.mkdir()
        (copy / pipeline.DB_NAME).write_bytes((out / pipeline.DB_NAME).read_bytes())
        with Store(copy / pipeline.DB_NAME) as store:
            pipeline.write_outputs(store, None, store.iter_corpus_events, timeline,
                                   pipeline.RunOptions(inputs=(), out_dir=copy), pipeline.RunSummary())
        pages.append((copy / "report.html").read_text("utf-8"))
    assert pages[0] == pages[1]
    assert pages[0].count('<li id="ev-') == len(events) > 1 and 'class="evidence"' in pages[0]


def test_evidence_sentence_is_taken_from_the_events_own_document(tmp_path):
    text = "Rebels shelled the market in Doru on Sunday. Nothing else happened."
    ev = Event(doc_id="x", event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
               evidence=Evidence(Span(0, text.index(".") + 1), rule="shell"))
    other = replace(ev, doc_id="missing")
    write_acled_csv([ev, other], tmp_path / "e.csv",
                    evidence_text=DocumentLookup.from_documents([Document(id="x", page_id="x", text=text)]))
    rows = _csv_rows(tmp_path / "e.csv")
    assert rows[0]["evidence"] == "Rebels shelled the market in Doru on Sunday."
    assert rows[1]["evidence"] == f"rule=shell sentence=0-{text.index('.') + 1}"  # no text: the offsets
