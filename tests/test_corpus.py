"""The streaming corpus stages (corpus.py) give what the in-memory stages give, byte for byte:
the same merged events in the same order, the same control timeline, the same stored documents."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from frontwatch import corpus, export
from frontwatch import store as store_mod
from frontwatch.control import control_timeline
from frontwatch.gazetteer import open_gazetteer
from frontwatch.geocode import geocode_documents, make_locator
from frontwatch.merge import infer_corpus_dates, load_place_name_rules, merge_events
from frontwatch.model import DateSource
from frontwatch.pipeline import RunOptions, RunSummary, ingest, load_resources
from frontwatch.store import Codec, Store

# Pages of our own: year-less dates that only another, dated article can complete, an undated
# article, a repost, and a statement of control made in passing.
PAGES = {
    "dated_wire.txt": (
        "Iraqi forces retake Rawa\n\nPublished 4 November 2017\n\n"
        "Iraqi troops recaptured the town of Rawa from Islamic State on November 3, the Joint "
        "Operations Command said on Saturday. Two soldiers were killed in the assault on Rawa.\n\n"
        "Air strikes hit Islamic State positions near al-Qaim on November 2, the coalition said."
    ),
    "undated_blog.txt": (
        "Rawa falls\n\n"
        "On November 3 the Iraqi army took Rawa, the last town held by Islamic State in Iraq. "
        "Three soldiers died in the fighting for Rawa, a medic said.\n\n"
        "Islamic State fighters had held the ISIS-held town of Rawa since 2014."
    ),
    "dated_repost.txt": (
        "Iraqi forces retake Rawa\n\nPublished 5 November 2017\n\n"
        "Iraqi troops recaptured the town of Rawa from Islamic State on November 3, the Joint "
        "Operations Command said on Saturday. Two soldiers were killed in the assault on Rawa."
    ),
}


def _ingest(tmp: Path, name: str, inputs: list[str]) -> Path:
    db = tmp / name / "frontwatch.db"
    opts = RunOptions(inputs=inputs, out_dir=db.parent)
    with Store(db) as st:
        ingest(inputs, st, load_resources(opts), RunSummary())
    return db


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pages = tmp_path_factory.mktemp("pages")
    for name, text in PAGES.items():
        (pages / name).write_text(text, encoding="utf-8")
    demo = Path(str(resources.files("frontwatch").joinpath("data/demo")))
    return [str(pages), str(demo)]


def _in_memory(db: Path, gaz) -> tuple[list[str], list[str], list]:
    codec = Codec()
    with Store(db) as st:
        docs = list(st.iter_documents(light=True))
        infer_corpus_dates(docs)
        if gaz is not None:
            geocode_documents(docs, gaz)
        events = merge_events(docs)
        timeline = control_timeline(events, docs, locate=make_locator(gaz) if gaz is not None else None)
        events.sort(key=export.row_order)
        st.update_documents(docs)
        st.replace_corpus_events(events)
    events_json, docs_json = _stored(db, codec)
    return events_json, docs_json, timeline


def _stored(db: Path, codec: Codec) -> tuple[list[str], list[str]]:
    with Store(db) as st:
        return [codec.dumps(e) for e in st.iter_corpus_events()], [codec.dumps(d) for d in st.iter_documents()]


def _streamed(db: Path, gaz) -> tuple[list[str], list[str], list]:
    with Store(db) as st:
        stored = corpus.run_corpus_stages(st, gaz)
        timeline = list(stored)
        # Read back from the store in order, as often as the exports need, one place at a time.
        assert len(stored) == len(timeline) and list(stored) == timeline
        assert [c for _, cs in stored.by_place() for c in cs] == timeline
    events, docs = _stored(db, Codec())
    return events, docs, timeline


@pytest.mark.parametrize("geocode", [False, True])
def test_streamed_stages_equal_the_in_memory_stages(tmp_path, inputs, world_data_dir, geocode, monkeypatch) -> None:
    gaz = open_gazetteer(data_dir=world_data_dir) if geocode else None
    try:
        mem_events, mem_docs, mem_timeline = _in_memory(_ingest(tmp_path, "mem", inputs), gaz)
        if gaz is not None:
            gaz.close()
            gaz = open_gazetteer(data_dir=world_data_dir)  # fresh caches, as a new run has
        # Tiny batches, so that every batch boundary of reading, writing and building is crossed.
        monkeypatch.setattr(store_mod, "READ_BATCH", 2)
        monkeypatch.setattr(corpus, "WRITE_BATCH", 2)
        monkeypatch.setattr(corpus, "BUILD_BATCH", 3)
        monkeypatch.setattr(corpus, "EVENT_WRITE_BATCH", 2)
        monkeypatch.setattr(corpus, "PARK_BATCH", 3)
        st_events, st_docs, st_timeline = _streamed(_ingest(tmp_path, "stream", inputs), gaz)
    finally:
        if gaz is not None:
            gaz.close()
    assert len(mem_events) > 10 and mem_timeline
    assert st_events == mem_events
    assert st_docs == mem_docs
    assert st_timeline == mem_timeline


def test_year_less_dates_come_from_the_dated_reports(tmp_path, inputs) -> None:
    db = _ingest(tmp_path, "dates", inputs[:1])
    with Store(db) as st:
        corpus.run_corpus_stages(st, None)
        docs = {d.id: d for d in st.iter_documents(light=True)}
        merged = list(st.iter_corpus_events())
    blog = next(d for i, d in docs.items() if i.startswith("undated_blog"))
    assert blog.events and all(e.event_date is not None and e.event_date.year == 2017
                               and e.date_reason.startswith("year from corpus") for e in blog.events)
    assert blog.published_source == DateSource.CORPUS and blog.published is not None
    # The capture of Rawa told by the wire and its repost is one corpus event with both sources.
    rawa = [e for e in merged if e.sub_event_type == "Government regains territory"
            and e.place is not None and e.place.name == "Rawa"]
    assert len(rawa) == 1 and sorted(rawa[0].source_documents) == ["dated_repost", "dated_wire"]


def test_replace_corpus_events_streams_a_generator_in_order(tmp_path) -> None:
    rules = load_place_name_rules()
    assert rules  # the rules load (merge keys need them)
    with Store(tmp_path / "s.db") as st:
        from frontwatch.model import Event, Evidence, Span

        def gen():
            for i in range(7):
                yield Event(doc_id=f"d{i}", event_type="Battles", sub_event_type="Armed clash",
                            evidence=Evidence(sentence=Span(0, 1)), event_id=f"IRQ{i}")

        assert st.replace_corpus_events(gen()) == 7
        assert [e.event_id for e in st.iter_corpus_events()] == [f"IRQ{i}" for i in range(7)]


def test_a_corpus_without_control_evidence_has_an_empty_timeline(tmp_path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "quiet.txt").write_text("Market day\n\nPublished 4 November 2017\n\n"
                                     "Traders sold dates and rice in the old market on Friday, residents said.",
                                     encoding="utf-8")
    db = _ingest(tmp_path, "quiet", [str(pages)])
    with Store(db) as st:
        timeline = corpus.run_corpus_stages(st, None)
        assert len(timeline) == 0 and list(timeline) == [] and list(timeline.by_place()) == []
        again = corpus.run_corpus_stages(st, None)  # a second run on one connection starts afresh
        assert list(again) == []


def test_one_report_rows_are_the_merged_events_rows(tmp_path, inputs) -> None:
    # The one-report path (a raw view merged and encoded again) writes the row build_merged
    # and replace_corpus_events write, for every stored event of real articles and variants
    # of them that reach the merge rules' branches (figures, duplicate tags, padded notes,
    # no outlet, a located event).
    import msgspec

    from frontwatch.control import is_territory_event
    from frontwatch.merge import build_merged, source_report
    from frontwatch.model import Event, Location

    codec = Codec(intern=False)
    load = codec.loader(Event)
    _, load_view = codec.raw_view(Event)
    decoders = (msgspec.json.Decoder(corpus._RowLocation).decode, msgspec.json.Decoder(corpus._RowPlace).decode)
    with Store(_ingest(tmp_path, "rows", inputs)) as st:
        docs = list(st.iter_documents(light=True))
    taken = territory = 0
    for doc in docs:
        for n, stored in enumerate(doc.events):
            for variant in range(4):
                e = load(codec.event_json(stored))
                if variant == 1:
                    e.fatalities, e.fatalities_low, e.fatalities_high = 4, None, 9
                    e.tags = [*e.tags, *e.tags, "hedged"]
                    e.notes = f"  {e.notes}  "
                elif variant == 2:
                    e.fatalities, e.fatalities_by_source = 3, {"Monitor": 5}
                    e.assoc_actor_1 = f"{e.actor1}; Local Militia (Syria)"
                elif variant == 3:
                    e.location = Location("Rawa", 34.47, 41.92, 1, "Iraq", 368, "Anbar", reason="test: a point")
                    doc.outlet = None
                parked = codec.event_json(e)
                report = source_report(e, doc)
                extra = corpus._park(report, "")
                want_ev = build_merged([corpus._unpark(load, parked, extra)[0]], f"IRQ{n}", in_place=True)
                want = store_mod.corpus_event_row(want_ev, codec.event_json(want_ev))
                got = corpus._one_report_row(codec, load_view, decoders, parked, extra, f"IRQ{n}")
                if got is None:
                    assert is_territory_event(e)
                    territory += 1
                else:
                    assert got == want
                    taken += 1
    assert taken > 100 and territory > 0


def test_merge_keys_carry_their_own_articles_number(tmp_path, inputs, monkeypatch) -> None:
    # Events of one article never merge on nearby points (merge.cluster_keys): each key must
    # carry the number of the article its event came from, one number per article.
    numbers: dict[str, set[int]] = {}
    real = corpus.merge_key

    def spy(e, doc, rules, memo):
        numbers.setdefault(e.doc_id, set()).add(doc)
        return real(e, doc, rules, memo)

    monkeypatch.setattr(corpus, "merge_key", spy)
    with Store(_ingest(tmp_path, "numbers", inputs)) as st:
        corpus.run_corpus_stages(st, None)
    assert len(numbers) > 3
    assert all(len(n) == 1 for n in numbers.values())
    assert len({n for ns in numbers.values() for n in ns}) == len(numbers)
