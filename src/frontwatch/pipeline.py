"""The main job: pages in, database and exports out.

Per-page stages (clean → annotate → extract) are pure functions of one page and the loaded
resources, so the same ``process_page`` runs in-process, in worker processes or on a Dask
cluster.  Corpus-level stages (dates from other articles, geocoding with places derived across
articles, cross-source merging, territorial control) run after, over everything stored.

Pages are committed to the database a few at a time (``Store.page_batches``: 16 pages, or half
a second), so an interrupted run keeps the pages of every batch it finished, and a rerun skips
them (by content hash) and completes the rest.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import annotate as annotate_stage
from . import clean as clean_stage
from . import control, corpus, corpusdates, export, export_geo, gcpause, merge, outputs, rxcache
from . import extract as extract_stage
from .gazetteer import Gazetteer, data_dir, open_gazetteer
from .geocode import geocode_documents, make_locator
from .model import ControlChange, ControlState, Document, Event, Page
from .read import ReadIssue, content_hash, iter_pages
from .report import REPORT_MAX_EVENTS
from .store import Store

DB_NAME = "frontwatch.db"


@dataclass(frozen=True)
class RunOptions:
    """What ``frontwatch run`` was asked to do."""

    inputs: Sequence[str]
    out_dir: Path
    gazetteers: Sequence[Path] = ()
    lexicons: Sequence[Path] = ()
    furniture: Sequence[Path] = ()
    geocode: bool = True
    report: bool = True
    data_dir: Path | None = None  # gazetteer cache (default: the user's data directory)
    workers: int = 1  # local worker processes for the per-page stages
    scheduler: str | None = None  # address of an existing Dask distributed scheduler
    shards: Path | None = None  # also write per-document results as Parquet shards here


@dataclass(frozen=True)
class Resources:
    """Everything the per-page stages need, loaded once per process (or per Dask worker)."""

    vocab: clean_stage.CleanVocab
    annotate: annotate_stage.AnnotateResources
    rules: extract_stage.ExtractRules


def load_resources(options: RunOptions) -> Resources:
    """Compile the data files (vocabularies, lexicons, triggers) once.

    The cleaner's, annotators' and tokeniser's patterns, the bulk of the compiling, come from the
    compiled-pattern cache in the data directory when it holds them (see :mod:`frontwatch.rxcache`),
    which is refreshed.
    """
    rx = rxcache.RegexCache(rxcache.cache_path(data_dir(options.data_dir)))
    res = Resources(
        vocab=clean_stage.load_vocab(tuple(options.furniture), rx=rx),
        annotate=annotate_stage.load_resources(tuple(options.lexicons), data_dir=options.data_dir, rx=rx),
        rules=extract_stage.load_rules(rx=rx),
    )
    rx.save()
    return res


def process_page(page: Page, res: Resources) -> list[Document]:
    """Per-page stages: clean the page into articles, annotate them, extract their events."""
    docs = clean_stage.clean_page(page, res.vocab)
    for doc in docs:
        doc.content_hash = doc.content_hash or page.content_hash or content_hash(page)
        if doc.text.strip():
            annotate_stage.annotate(doc, res.annotate)
            extract_stage.extract_events(doc, res.rules)
    return docs


@dataclass
class RunSummary:
    pages_read: int = 0
    pages_already_stored: int = 0
    articles_kept: int = 0
    pages_without_article: int = 0
    events: int = 0
    issues: list[ReadIssue] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped_reasons: Counter = field(default_factory=Counter)

    @property
    def processed_anything(self) -> bool:
        return self.pages_read > 0 or self.pages_already_stored > 0


def _new_pages(inputs: Sequence[str], store: Store, summary: RunSummary,
               on_page: Callable[[str], None] | None) -> Iterator[Page]:
    """Pages not yet in the store; read issues and already-stored pages are counted on the way."""
    for item in iter_pages(inputs):
        if isinstance(item, ReadIssue):
            summary.issues.append(item)
            if item.skipped:
                summary.skipped_reasons[_reason_key(item.message)] += 1
            continue
        # Hashed once, as read (megabytes of HTML per page at times): the stages reuse it.
        item.content_hash = content_hash(item)
        if store.has_page(item.content_hash):
            summary.pages_already_stored += 1
            if on_page:
                on_page(item.id)
            continue
        yield item


def serial_map(pages: Iterable[Page], res: Resources) -> Iterator[tuple[Page, list[Document]]]:
    """Process pages one after another in this process."""
    for page in pages:
        yield page, process_page(page, res)


def page_mapper(options: RunOptions):
    """How the per-page stages run: in this process (None), on local worker processes, or on a
    Dask cluster; optionally also writing Parquet shards of the per-document results."""
    from . import parallel

    mapper = None
    if options.scheduler:
        mapper = parallel.dask_map(options, options.scheduler)
    elif options.workers > 1:
        mapper = parallel.process_map(options, options.workers)
    if options.shards is not None:
        base = mapper or (lambda pages: serial_map(pages, load_resources(options)))
        mapper = parallel.sharded(base, options.shards)
    return mapper


def ingest(
    inputs: Sequence[str],
    store: Store,
    res: Resources | Callable[[], Resources],
    summary: RunSummary,
    on_page: Callable[[str], None] | None = None,
    mapper: Callable[[Iterable[Page]], Iterator[tuple[Page, list[Document]]]] | None = None,
) -> None:
    """Read, clean, annotate and extract every new page, committing pages a few at a time.

    ``mapper`` runs the per-page stages (default: in this process); the store is written only
    here, by one writer, in input order.
    """
    pages = _new_pages(inputs, store, summary, on_page)
    if mapper is None:
        loaded = res() if callable(res) else res
        results = serial_map(pages, loaded)
    else:
        results = mapper(pages)
    # Pages are committed a batch at a time (Store.page_batches): a killed run loses at most the
    # last few, which are then not stored, so a rerun does them again.
    with store.page_batches():
        for page, docs in results:
            kept = [d for d in docs if d.text.strip()]
            for w in page.warnings:
                summary.issues.append(ReadIssue(page.source, w, skipped=False))
            if not kept:
                summary.pages_without_article += 1
                summary.skipped_reasons["no article text found"] += 1
            store.add_page(page.id, page.content_hash or content_hash(page), page.source, kept)
            summary.pages_read += 1
            summary.articles_kept += len(kept)
            if on_page:
                on_page(page.id)


def _reason_key(message: str) -> str:
    """Group issue messages by their reason (the part after the file name)."""
    return message.split(": ", 1)[-1] if ": " in message else message


def corpus_stages(docs: list[Document], options: RunOptions) -> tuple[list[Event], list[ControlChange]]:
    """Corpus-level stages over every stored article: dates from other articles, geocoding,
    cross-source merging, territorial control.  Returns (merged events, control timeline)."""
    corpusdates.infer_corpus_dates(docs)
    if not options.geocode:
        events = merge.merge_events(docs)
        return events, control.control_timeline(events, docs)
    with _opened_gazetteer(options) as gaz:
        geocode_documents(docs, gaz)
        events = merge.merge_events(docs)
        return events, control.control_timeline(events, docs, locate=make_locator(gaz))


@contextmanager
def _opened_gazetteer(options: RunOptions) -> Iterator[Gazetteer]:
    gaz = open_gazetteer(tuple(options.gazetteers), data_dir=options.data_dir)
    try:
        yield gaz
    finally:
        gaz.close()


def control_states(db: Path, as_of: date | None, gazetteers: Sequence[Path] = (),
                   geocode: bool = True) -> list[ControlState]:
    """``frontwatch control``: who held which place as of a day, from an existing database.
    Documents stream from the store (twice: the publication span, then the statements); only
    the territory events and the statements are held."""
    rules = merge.load_place_name_rules()
    with Store(db) as store, ExitStack() as stack:
        locate = None
        if geocode:
            gaz = stack.enter_context(_opened_gazetteer(RunOptions(inputs=(), out_dir=db.parent,
                                                                   gazetteers=gazetteers)))
            locate = make_locator(gaz)
        span = corpusdates.corpus_span(store.iter_documents(light=True))
        events = [e for e in store.iter_corpus_events() if control.is_territory_event(e)]
        statements = [s for doc in store.iter_documents(light=True)
                      for s in control.statement_evidence(doc, span, rules, locate)]
        by_id = store.documents_by_id({e.doc_id for e in events})
        timeline = control.build_timeline(events, statements, rules,
                                          lambda e: control.event_sentence(e, by_id.get(e.doc_id)))
    return control.control_as_of(timeline, as_of)


def _write_empty_outputs(out: Path) -> dict[str, Path]:
    """Nothing was read: write an empty documents file and a header-only events file, and skip
    the corpus stages (no gazetteer to open, no map to draw)."""
    paths = {"database": out / DB_NAME, "documents": out / "documents.jsonl", "events": out / "events.csv"}
    export.write_documents_jsonl((), paths["documents"])
    export.write_acled_csv((), paths["events"])
    return paths


def write_outputs(store: Store, docs: object,
                  events: Iterable[Event] | Callable[[], Iterable[Event]], timeline: Iterable[ControlChange],
                  options: RunOptions, summary: RunSummary) -> None:
    """Write every export next to the database, streaming: memory does not grow with the corpus.

    ``events`` are the merged events in export row order (``export.row_order``): a list, an
    iterator or a function returning a fresh one (``store.iter_corpus_events``); they are read
    once.  Articles (documents.jsonl, evidence sentences, the report's quotes and outlets) are
    read from ``store``, which must hold the documents as the corpus stages left them; ``docs``
    is not read (kept so that callers of the old signature still work).  ``timeline`` is read
    more than once: a list, or the store's own (``corpus.run_corpus_stages``).
    """
    out = options.out_dir
    paths = {
        "database": out / DB_NAME,
        "documents": out / "documents.jsonl",
        "events": out / "events.csv",
        "events.geojson": out / "events.geojson",
        "events.parquet": out / "events.parquet",
    }
    # The articles' words are kept aside as documents.jsonl reads them: the evidence and the
    # report read them again by id from there (see Store.export_texts_put).
    store.export_texts_clear()
    export.write_stored_documents_jsonl(store.iter_document_fields(export.STORED_DOCUMENT_FIELDS),
                                        paths["documents"], keep=store.export_texts_put)
    lookup = export.DocumentLookup(store.export_documents_by_id)
    event_paths = outputs.EventOutputPaths(
        csv=paths["events"], geojson=paths["events.geojson"], parquet=paths["events.parquet"],
        report=out / "report.html" if options.report else None)
    fetch: Callable[[list[int]], list[Event]] | None = None
    items = False
    if events == store.iter_corpus_events and options.report and not store.corpus_events_exceed(REPORT_MAX_EVENTS):
        # The report shows every event: its list items are made as the events stream past, from
        # the events read whole, once (rather than skimmed, then read again for the report).
        items = True
        stream: Iterable[Event] = (e for _, e in store.iter_corpus_event_rows())
    elif events == store.iter_corpus_events:
        # The store's own events: the report keeps a few fields per event it may show and reads
        # the chosen ones again by row, instead of holding up to REPORT_MAX_EVENTS events.  So
        # the stream never reads a quote of ``evidence_all`` (the report counts them; the CSV
        # quotes ``evidence``): it is read skimmed.
        seqs = array("q")

        def stored() -> Iterator[Event]:
            for seq, e in store.iter_corpus_event_rows(skim=True):
                seqs.append(seq)
                yield e

        def fetch_stored(positions: list[int]) -> list[Event]:
            return store.corpus_events_by_seq([seqs[p] for p in positions])

        fetch = fetch_stored
        stream = stored()
    else:
        stream = events() if callable(events) else events
    outputs.write_event_outputs(stream, event_paths, lookup, timeline,
                                n_docs=store.count_document_ids() if options.report else 0, fetch=fetch,
                                items=items)
    states = control.control_as_of(timeline, None)
    export_geo.write_control_geojson(states, out / "control.geojson")
    paths["control.geojson"] = out / "control.geojson"
    if event_paths.report is not None:
        paths["report"] = event_paths.report
    summary.outputs = paths


def run(options: RunOptions, on_page: Callable[[str], None] | None = None,
        on_stage: Callable[[str], None] | None = None) -> RunSummary:
    """``frontwatch run``: ingest the inputs, run every stage, write the database and exports."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary()
    with Store(options.out_dir / DB_NAME) as store, gcpause.long_lived() as keep:
        ingest(options.inputs, store, lambda: keep(load_resources(options)), summary, on_page,
               mapper=page_mapper(options))
        if on_stage:
            on_stage("corpus")
        if store.count_documents() == 0:
            summary.outputs = _write_empty_outputs(options.out_dir)
            return summary
        # The corpus stages stream the documents through memory in batches and write them
        # back as they go (corpus.py): memory holds corpus-wide keys, not the corpus.
        if options.geocode:
            with _opened_gazetteer(options) as gaz:
                timeline = corpus.run_corpus_stages(store, gaz)
        else:
            timeline = corpus.run_corpus_stages(store, None)
        summary.events = store.count_corpus_events()
        if on_stage:
            on_stage("exports")
        write_outputs(store, lambda: store.iter_documents(light=True), store.iter_corpus_events, timeline,
                      options, summary)
    return summary


def iter_stored(db: Path) -> Iterable[Document]:
    """Documents of an existing database (for ``export`` and ``events``)."""
    with Store(db) as store:
        yield from store.iter_documents()
