"""The exports of a run, in one streamed pass over the merged events.

``events.csv``, ``events.geojson`` and ``events.parquet`` say the same thing in three formats,
so each event's row is made once (``export.event_row``, then typed once for GeoJSON and
Parquet) and handed to the three writers; the same pass chooses the events the report embeds
(``report.ReportSelection``).  Events are read in chunks of ``export.EXPORT_CHUNK_EVENTS`` and
the articles a chunk quotes are fetched together, so memory stays flat from ten pages to a
hundred thousand: nothing here holds the corpus, its events or its texts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import export, export_geo, report
from .gcpause import gc_paused
from .model import ControlChange, Event


@dataclass(frozen=True)
class EventOutputPaths:
    """Where the event exports go; ``report`` None skips the report."""

    csv: Path
    geojson: Path
    parquet: Path
    report: Path | None = None


def write_event_outputs(
    events: Iterable[Event],
    paths: EventOutputPaths,
    docs: export.DocumentLookup,
    timeline: Iterable[ControlChange],
    *,
    n_docs: int,
    title: str = "frontwatch report",
    fetch: Callable[[list[int]], Iterable[Event]] | None = None,
    items: bool = False,
) -> int:
    """Write events.csv, events.geojson, events.parquet (and report.html if ``paths.report``)
    reading ``events`` once, in the order given (export row order); ``docs`` gives the articles'
    text for evidence, ``n_docs`` their number for the report.  ``fetch``, if given, reads the
    events at some positions of ``events`` (0-based) again, in the order asked: the report then
    keeps a few fields per event it may show instead of the events (``report.ReportSelection``).
    ``items`` says that the report shows every event (there are at most ``REPORT_MAX_EVENTS``)
    and that the events carry their quotes: the report's list items are then made in this same
    pass, and ``fetch`` is not used.  Returns the number of events."""
    # The cycle collector is paused: events, rows and strings are trees, freed by reference
    # counting the moment they are done with, but the report keeps up to REPORT_MAX_EVENTS
    # events alive and every full collection walks all of them (40% of the exports' CPU time
    # at 10k pages).
    with gc_paused():
        return _write_event_outputs(events, paths, docs, timeline, n_docs=n_docs, title=title, fetch=fetch,
                                    items=items)


def _write_event_outputs(events: Iterable[Event], paths: EventOutputPaths, docs: export.DocumentLookup,
                         timeline: Iterable[ControlChange], *, n_docs: int, title: str,
                         fetch: Callable[[list[int]], Iterable[Event]] | None, items: bool) -> int:
    ts = int(time.time())
    selection = None
    if paths.report is not None:
        selection = report.ReportSelection(items=docs) if items else report.ReportSelection(fetch=fetch)
    with (open(paths.csv, "w", newline="", encoding="utf-8") as csv_file,
          export_geo.GeoJsonEventWriter(paths.geojson) as geo,
          export_geo.ParquetEventWriter(paths.parquet) as parquet):
        rows = export.AcledCsvWriter(csv_file, docs.text)
        _write_rows(events, docs, ts, rows, parquet, geo, selection)
    if selection is not None and paths.report is not None:
        report.write_report_selection(selection, timeline, docs, n_docs, paths.report, title=title)
    return rows.count


def _write_rows(events: Iterable[Event], docs: export.DocumentLookup, ts: int, rows: export.AcledCsvWriter,
                parquet: export_geo.ParquetEventWriter, geo: export_geo.GeoJsonEventWriter,
                selection: report.ReportSelection | None) -> None:
    # A function of its own so that the last chunk's events (~8 MB at 10k pages) are dropped
    # when it returns, not held through the report.
    countries: dict[str, str] = {}
    items = selection is not None and selection.makes_items
    for chunk in export.chunked(events, export.EXPORT_CHUNK_EVENTS):
        if items:  # the report's list items are made here too: the articles they quote
            docs.prefetch(i for e in chunk for i in (e.doc_id, *report.item_doc_ids(e)))
        else:
            docs.prefetch(e.doc_id for e in chunk)
        for e in chunk:
            row = export.event_row(e, ts, countries)
            typed = export_geo.typed_row(row, e)  # before the CSV swaps offsets for the sentence
            parquet.add(typed)
            geo.add(e, typed)  # takes ``typed`` over (ISO date), so after Parquet read it
            rows.write(e, row)
            if selection is not None:
                selection.add(e)
