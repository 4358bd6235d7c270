"""Corpus stages over the store, in bounded memory: dates from other articles, geocoding with
places derived across articles, cross-source merging and territorial control.

The stages are those of :func:`corpusdates.infer_corpus_dates`, :func:`geocode.geocode_documents`,
:func:`merge.merge_events` and :func:`control.control_timeline`, which take lists of
documents; here the documents stream from the store ``READ_BATCH`` at a time and go back to it
as soon as a stage is done with them, so memory holds corpus-wide *facts*, not the corpus:

1. one pass over every document: the dates' index of dated events and publication span
   (``corpusdates.CorpusDates.observe``) and the geocoder's first pass (places derived relative to others,
   remembered in a ``PlaceMemory``);
2. dates: only the documents with year-less events (and then those without a publication date)
   are read again, dated and written back;
3. a second pass over every document: locate its events, write them back, and keep per event
   only its merge key, in a columnar ``mergeplan.KeyTable`` (the event's row number, what
   merging reads of its article and a territory event's evidence sentence are parked in the
   store's scratch table), and parking per control statement its ``StatementEvidence``;
4. cluster the keys, number the corpus events and order them as the exports list them
   (``mergeplan.plan_corpus``), then build each merged event from its members' parked records,
   a batch of clusters at a time, and store them in that order (``Store.replace_corpus_events``),
   parking a ``TerritoryEvidence`` per territory event;
5. the control timeline from the territory evidence and the statements, which went to the
   store as they were found (``controlstore``): it stays there, read back in order by the
   exports.

The result is byte for byte the in-memory stages' (tests/test_corpus.py checks it).
Hand-written: it is the orchestration of frontwatch's own stages over its own store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import msgspec
import orjson

from .codec import Codec
from .control import event_sentence, is_territory_event, statement_evidence, territory_evidence
from .controlstore import StoredTimeline, TimelineBuilder
from .corpusdates import CorpusDates, has_undated_events, wanted_keys
from .gazetteer import Gazetteer
from .gcpause import gc_paused
from .geocode import PlaceMemory, load_geocoding, locate_events, make_locator, remember_places
from .merge import (
    MERGE_DISTANCE_KM,
    PlaceNameRules,
    SourceReport,
    build_merged,
    load_place_name_rules,
    merge_key,
    single_report_fields,
    source_report,
)
from .mergeplan import CorpusPlan, KeyTable, plan_corpus
from .model import DateSource, Document, Event, PlaceMention
from .store import Store
from .storerows import corpus_event_row


@dataclass(slots=True)
class _ScanLocation:
    """What the first pass reads of an event's location (``merge.event_place_names``,
    ``merge.exact_gazetteer_id``)."""

    name: str
    geo_precision: int | None = None
    gazetteer_id: str | None = None


@dataclass(slots=True)
class _ScanEvent:
    """What the first pass reads of an event: its date and place, for the dates' index
    (``CorpusDates.observe``) and the geocoder's first pass (``geocode.remember_places``)."""

    sub_event_type: str
    event_date: date | None = None
    place: PlaceMention | None = None
    location: _ScanLocation | None = None
    date_month: int | None = None
    date_day: int | None = None


@dataclass(slots=True)
class _ScanDocument:
    """What the first pass reads of a document (see ``_ScanEvent``).  The first pass decodes
    every document into these, not into ``Document`` and ``Event``, whose other fields (the
    text, the evidence, actors, notes ...) are most of the JSON and of the decoding time: it
    only reads, and the documents it needs whole are read again by the dates stage."""

    id: str
    published: date | None = None
    published_source: DateSource = DateSource.NONE
    country: str | None = None
    places: list[PlaceMention] = field(default_factory=list)
    events: list[_ScanEvent] = field(default_factory=list)


@dataclass(slots=True)
class _RowLocation:
    """What a merged event's row reads of its location (``store.corpus_event_row``)."""

    name: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(slots=True)
class _RowPlace:
    """What a merged event's row reads of its place, when it has no location."""

    name: str


# Documents written back per transaction: one commit per batch, not per document.
WRITE_BATCH = 100
# Member records fetched per batch of merged events built: a few thousand records in memory.
BUILD_BATCH = 2000
# Pass 2's buffers, smaller: the located events of WRITE_BATCH documents and BUILD_BATCH parked
# records were its largest transient objects, and the memory they took stays resident (the
# keys and memos allocated among them pin it): 10k pages, RSS before planning 191 -> 183 MB.
EVENT_WRITE_BATCH = 20
PARK_BATCH = 500


class _Writer:
    """Documents (with their numbers) waiting to be written back by ``write``, ``WRITE_BATCH``
    per transaction."""

    def __init__(self, write: Callable[[list[tuple[int, Document]]], object]) -> None:
        self.write = write
        self.docs: list[tuple[int, Document]] = []

    def add(self, seq: int, doc: Document) -> None:
        self.docs.append((seq, doc))
        if len(self.docs) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.docs:
            self.write(self.docs)
            self.docs = []


class _EventWriter:
    """Documents' located events waiting to be written back, ``EVENT_WRITE_BATCH`` documents per
    transaction (geocoding changes events only: the documents' own JSON stays as stored)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows: list[tuple[int, Event, str]] = []
        self.docs = 0

    def add(self, rows: list[int], events: list[Event], data: list[str]) -> None:
        """The events of one document, with their row numbers and JSON."""
        self.rows.extend(zip(rows, events, data, strict=True))
        self.docs += 1
        if self.docs >= EVENT_WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.store.update_events(self.rows)
        self.rows = []
        self.docs = 0


# The cyclic collector is paused: reference counting frees the documents and events as each
# pass drops them, and the cycles these stages leave are a few thousand objects per 10k pages,
# while its full collections walked every key, memo and batch alive, about a fifth of the
# stages' CPU time (61 full collections at 10k pages).
@gc_paused()
def run_corpus_stages(store: Store, gaz: Gazetteer | None, rules: PlaceNameRules | None = None, *,
                      distance_km: float = MERGE_DISTANCE_KM) -> StoredTimeline:
    """Run the corpus stages over every document of ``store`` (geocoding with ``gaz``, or not at
    all when it is None): documents are updated in the store, the merged events replace its
    corpus events (in export row order), and the control timeline is returned — kept in the
    store (a TEMP table), so it can be read only while ``store`` is open."""
    rules = rules or load_place_name_rules()
    res = load_geocoding() if gaz is not None else None
    memory = PlaceMemory() if gaz is not None else None
    dates = CorpusDates(rules, wanted_keys(store.iter_undated_events(_ScanEvent), rules))
    pending: list[int] = []
    unpublished: list[int] = []
    for seq, doc in store.iter_document_views(_ScanDocument, _ScanEvent):
        dates.observe(doc)  # type: ignore[arg-type]  # reads only the fields _ScanDocument has
        if has_undated_events(doc):  # type: ignore[arg-type]
            pending.append(seq)
        if doc.published is None:
            unpublished.append(seq)
        if gaz is not None:
            remember_places(doc, gaz, memory, res)  # type: ignore[arg-type]
    codec = Codec(intern=False)  # the parked events are decoded, merged and dropped
    _date_documents(store, dates, pending, unpublished, codec)
    # The dates' index (every dated event under the keys year-less reports look up) is done
    # with: only the publication span is read from here on.  It lives in a temporary file
    # (it grows faster than the corpus), deleted here rather than held through the merge.
    span = dates.span
    dates.close()
    del dates, pending, unpublished

    keys = KeyTable(store.count_events())  # one key per document event, columns sized once
    control = TimelineBuilder(store)
    memo: dict = {}
    locate = make_locator(gaz) if gaz is not None else None
    writer = _EventWriter(store)
    # Per event, its row number (its JSON is read back from the events table, where it was
    # written back or left as stored) and what merging reads of its article.
    parked: list[tuple[int, int, str]] = []
    store.scratch_clear()
    for seq, doc, stored, rows in store.iter_document_rows_json(light=True):
        keys.set_country(doc.id, doc.country)
        if gaz is not None:
            locate_events(doc, gaz, memory, res)  # type: ignore[arg-type]
            # Geocoding changed the events' locations only.
            data = [codec.event_json_relocated(t, e) for t, e in zip(stored, doc.events, strict=True)]
        else:
            data = stored  # unchanged: read back as stored (only decoded again)
        if gaz is not None and doc.events:
            writer.add(rows, doc.events, data)
        for e, row in zip(doc.events, rows, strict=True):
            # A territory event's evidence sentence goes with it: the timeline then needs
            # neither the merged event nor its article (see _territory below).
            told = event_sentence(e, doc) if is_territory_event(e) else ""
            parked.append((len(keys), row, _park(source_report(e, doc), told)))
            keys.add(merge_key(e, seq, rules, memo))
        control.add_statements(statement_evidence(doc, span, rules, locate))
        if len(parked) >= PARK_BATCH:
            store.scratch_put(parked)
            parked = []
    store.scratch_put(parked)
    writer.flush()
    # Geocoding is done: its run memos (bounded, but tens of MB at 100k pages) go before merging.
    del memo, parked, locate, memory, res
    if gaz is not None:
        gaz.clear_memos()

    plan = plan_corpus(keys, distance_km)
    del keys
    _store_merged(store, plan, codec, rules, control)
    del plan
    return control.finish()


def _store_merged(store: Store, plan: CorpusPlan, codec: Codec, rules: PlaceNameRules,
                  control: TimelineBuilder) -> None:
    """Build each merged event from its members' parked records, in export row order, a batch
    of clusters at a time, store them, and hand each territory event to ``control``."""
    names_memo: dict = {}

    def merged() -> Iterator[Event | tuple]:
        load = codec.loader(Event)
        _, load_view = codec.raw_view(Event)
        decoders = (msgspec.json.Decoder(_RowLocation).decode, msgspec.json.Decoder(_RowPlace).decode)
        for chunk in _build_batches(plan):
            records = store.scratch_get_events(m for _, ms in chunk for m in ms)
            for c, ms in chunk:
                if len(ms) == 1:
                    row = _one_report_row(codec, load_view, decoders, *records[ms[0]], plan.event_id(c))
                    if row is not None:
                        yield row
                        continue
                members = [_unpark(load, *records[m]) for m in ms]
                ev = build_merged([r for r, _ in members], plan.event_id(c), in_place=True)
                if is_territory_event(ev):
                    # The merged event is its primary report's (first member's) event, with
                    # that report's evidence sentence.
                    control.add_territory(int(plan.id_rank[c]), territory_evidence(ev, members[0][1], rules, names_memo))
                yield ev

    store.replace_corpus_events(merged())
    store.scratch_clear()


def _one_report_row(codec: Codec, load_view, decoders, event: str, extra: str, event_id: str) -> tuple | None:
    """The stored row of a one-report cluster's merged event (five clusters in six), made
    from its parked record without building its evidence, place and location: decoded as a
    ``Codec.raw_view`` (those kept as their JSON), merged by the one-report rules and encoded
    again, the bytes ``build_merged`` and ``Store.replace_corpus_events`` write
    (tests/test_corpus.py compares them).  None for an event left to them: a territory event
    (the timeline reads it whole), one without evidence, or one ``Codec.view_json`` refuses."""
    doc_id, page_id, outlet, content_hash, sentence, number, told = orjson.loads(extra)
    if told:  # a territory event's sentence, parked with it: not decoded twice
        return None
    try:
        view = load_view(event)
    except msgspec.ValidationError:  # not this model's layout (see Codec.raw_view)
        return None
    if is_territory_event(view) or view.evidence == _NULL:  # type: ignore[arg-type]
        return None
    report = SourceReport(view, doc_id, page_id, outlet, content_hash, sentence, number)  # type: ignore[arg-type]
    for name, value in single_report_fields(report, event_id).items():
        setattr(view, name, value)
    data = codec.view_json(view)
    if data is None:
        return None
    # The row's columns read the location's name and point, or the place's name.
    load_location, load_place = decoders
    if view.location != _NULL:
        view.location = load_location(view.location)
    else:
        view.location = None
        view.place = None if view.place == _NULL else load_place(view.place)
    return corpus_event_row(view, data)


# A field's JSON of None, as a raw view holds it.
_NULL = msgspec.Raw(b"null")


def _build_batches(plan: CorpusPlan) -> Iterator[list[tuple[int, list[int]]]]:
    """The clusters in row order with their members, in batches of about ``BUILD_BATCH``
    members (at least one cluster each): a corpus that retells its events fifty times has
    clusters fifty members big, and a batch of clusters would hold all their records."""
    batch: list[tuple[int, list[int]]] = []
    n = 0
    for c in plan.in_row_order():
        members = plan.members(c)
        if batch and n + len(members) > BUILD_BATCH:
            yield batch
            batch, n = [], 0
        batch.append((c, members))
        n += len(members)
    if batch:
        yield batch


def _date_documents(store: Store, dates: CorpusDates, pending: list[int], unpublished: list[int],
                    codec: Codec) -> None:
    """The dates stage over the documents that need it, read again from the store by number
    and written back (see :class:`corpusdates.CorpusDates` for the steps).  Dating events
    changes the events alone, and dating an article its own fields alone: each is written
    back without the other (a document's JSON is most of what writing it costs)."""
    writer = _Writer(lambda docs: store.replace_events(
        [(seq, doc.events, [codec.event_json(e) for e in doc.events]) for seq, doc in docs]))
    progress = True
    while progress and pending:
        progress = False
        still = []
        for seq, doc in store.iter_document_rows(light=True, seqs=pending):
            if dates.date_from_corpus(doc):
                progress = True
                writer.add(seq, doc)
            else:
                still.append(seq)
        writer.flush()  # the next round reads them again
        pending = still
    for seq, doc in store.iter_document_rows(light=True, seqs=pending):
        dates.date_fallback(doc)
        writer.add(seq, doc)
    writer.flush()
    writer = _Writer(lambda docs: store.update_documents([doc for _, doc in docs], events=False))
    for seq, doc in store.iter_document_rows(light=True, seqs=unpublished):
        if dates.date_article(doc):
            writer.add(seq, doc)
    writer.flush()


def _park(r: SourceReport, told: str) -> str:
    # What merging reads of the article, beside the event's own JSON, and the evidence
    # sentence of a territory event as the timeline keeps it ("" for other events).
    return orjson.dumps([r.doc_id, r.page_id, r.outlet, r.content_hash, r.sentence, r.number, told]).decode()


def _unpark(load, event: str, extra: str) -> tuple[SourceReport, str]:
    doc_id, page_id, outlet, content_hash, sentence, number, told = orjson.loads(extra)
    return SourceReport(load(event), doc_id, page_id, outlet, content_hash, sentence, number), told
