"""Export stage: documents as JSON Lines, events as an ACLED-style CSV.

Column names follow ACLED's export so that existing ACLED tooling reads the file; frontwatch
adds four columns of its own at the end (``source_documents``, ``evidence``, ``claimed_by``,
``confidence``) so that every row can be traced back to the words it came from.

Every writer streams: records are written as they come, and an article's text (for the
``evidence`` column) is fetched by id through a bounded :class:`DocumentLookup`, never held for
the whole corpus.  The LRU is hand-written (a dozen lines over ``OrderedDict``) because
``functools.lru_cache`` cannot fetch a batch of missing keys in one query.
"""

from __future__ import annotations

import csv
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

import pycountry

from .eventunit import SETTLEMENT_WORDS
from .jsontext import json_utf8_encoder
from .model import Document, Event

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "iso", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
# A list item quoted with its lead-in sentence as evidence is a short line; longer is prose.
MAX_LIST_ITEM_CHARS = 300
FRONTWATCH_COLUMNS = ("source_documents", "evidence", "claimed_by", "confidence")
CSV_COLUMNS = ACLED_COLUMNS + FRONTWATCH_COLUMNS
# Events are exported in chunks of this many: the articles a chunk quotes are fetched in one
# query, and a chunk is small enough (a few MB of events) to keep memory flat at any corpus size.
EXPORT_CHUNK_EVENTS = 1000
# Articles kept by a DocumentLookup beyond the current chunk's (~3 kB of text each on news; a
# few MB): rows are in date order, so consecutive chunks mostly quote the same recent articles.
LOOKUP_CAPACITY = 2000
# The stored document fields ``documents.jsonl`` needs (see ``stored_document_record``), and
# the page id for the articles kept for the other exports (``write_stored_documents_jsonl``).
STORED_DOCUMENT_FIELDS = ("url", "title", "outlet", "published", "published_source", "text", "segments",
                          "page_text", "source", "format", "page_id")
# Articles handed to ``keep`` per call.
KEEP_BATCH = 500


def document_record(doc: Document) -> dict:
    """The JSON object written for one article in ``documents.jsonl``."""
    return {
        "id": doc.id,
        "url": doc.url,
        "title": doc.title,
        "outlet": doc.outlet,
        "published": doc.published.isoformat() if doc.published else None,
        "published_source": str(doc.published_source),
        "body": doc.text,
        "segments": [
            {"kind": str(s.kind), "start": s.start, "end": s.end, "rule": s.rule,
             "text": doc.page_text[s.start : s.end]}
            for s in doc.segments
        ],
        "source": doc.source,
        "format": doc.format,
    }


def stored_document_record(stored: Mapping[str, Any]) -> dict:
    """:func:`document_record` built from a stored document's JSON fields
    (``Store.iter_document_fields(STORED_DOCUMENT_FIELDS)``) without rebuilding the
    ``Document``: the store keeps dates as ISO strings and enums as their values, which is what
    the record holds, so the same object comes out at a tenth of the cost."""
    page_text = stored["page_text"] or ""
    return {
        "id": stored["id"],
        "url": stored["url"],
        "title": stored["title"],
        "outlet": stored["outlet"],
        "published": stored["published"] or None,
        "published_source": stored["published_source"] or "none",
        "body": stored["text"] or "",
        "segments": [
            {"kind": s["kind"], "start": s["start"], "end": s["end"], "rule": s.get("rule", ""),
             "text": page_text[s["start"] : s["end"]]}
            for s in stored["segments"] or ()
        ],
        "source": stored["source"] or "",
        "format": stored["format"] or "txt",
    }


def write_documents_jsonl(docs: Iterable[Document], path: Path) -> int:
    """Write one JSON object per article; returns how many were written."""
    return _write_jsonl((document_record(doc) for doc in docs), path)


def write_stored_documents_jsonl(stored: Iterable[Mapping[str, Any]], path: Path, *,
                                 keep: Callable[[list[tuple[str, str, str, str | None]]], None] | None = None) -> int:
    """``documents.jsonl`` from stored document fields (see :func:`stored_document_record`),
    e.g. ``store.iter_document_fields(STORED_DOCUMENT_FIELDS)``; returns how many were written.

    ``keep``, if given, receives the ``(id, page_id, text, outlet)`` of the articles as they
    pass, in batches (e.g. ``Store.export_texts_put``): the other exports then read an article's
    words again without reading its whole stored row."""
    if keep is None:
        return _write_jsonl((stored_document_record(d) for d in stored), path)
    batch: list[tuple[str, str, str, str | None]] = []

    def records() -> Iterator[dict]:
        for d in stored:
            batch.append((d["id"], d.get("page_id") or "", d["text"] or "", d["outlet"]))
            if len(batch) >= KEEP_BATCH:
                keep(batch)
                batch.clear()
            yield stored_document_record(d)
        keep(batch)

    return _write_jsonl(records(), path)


def _write_jsonl(records: Iterable[dict], path: Path) -> int:
    # json.dumps(obj, ensure_ascii=False)'s text, three times faster (a document record's
    # values are strings, integers and None: no float to check).
    encode = json_utf8_encoder()  # UTF-8 bytes, written as they are (a binary file)
    n = 0
    with open(path, "wb") as f:
        for rec in records:
            f.write(encode(rec))
            f.write(b"\n")
            n += 1
    return n


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class DocumentLookup:
    """Articles by id for the exports, from a fetch function (e.g. ``Store.documents_by_id``)
    with a bounded LRU, or from documents already in memory.

    ``prefetch(ids)`` fetches the missing ones of a batch in one call and keeps them until the
    batch is done; ``get(id)`` answers one (fetching it alone if it was not prefetched).
    Memory is bounded by ``capacity`` plus the largest batch.
    """

    def __init__(self, fetch: Callable[[list[str]], Mapping[str, Document]],
                 capacity: int = LOOKUP_CAPACITY) -> None:
        self._fetch = fetch
        self._capacity = capacity
        self._cache: OrderedDict[str, Document | None] = OrderedDict()
        self._fixed: dict[str, Document] | None = None

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> DocumentLookup:
        """A lookup over documents in memory (the last of each id wins, as in a dict)."""
        lookup = cls(lambda ids: {})
        lookup._fixed = {d.id: d for d in docs}
        return lookup

    def __len__(self) -> int:
        """Distinct ids held (for in-memory documents: all of them)."""
        return len(self._fixed) if self._fixed is not None else len(self._cache)

    def prefetch(self, ids: Iterable[str]) -> None:
        """Make sure every one of ``ids`` is at hand (absent ones are remembered as absent)."""
        if self._fixed is not None:
            return
        cache = self._cache
        wanted = list(dict.fromkeys(ids))
        missing = []
        for doc_id in wanted:
            if doc_id in cache:
                cache.move_to_end(doc_id)
            else:
                missing.append(doc_id)
        if missing:
            found = self._fetch(missing)
            for doc_id in missing:
                cache[doc_id] = found.get(doc_id)
        # The batch sits at the end: evicting from the front never drops one of it.
        while len(cache) > max(self._capacity, len(wanted)):
            cache.popitem(last=False)

    def get(self, doc_id: str) -> Document | None:
        """The article ``doc_id``, or None if there is none."""
        if self._fixed is not None:
            return self._fixed.get(doc_id)
        if doc_id not in self._cache:
            self.prefetch((doc_id,))
        return self._cache[doc_id]

    def text(self, doc_id: str) -> str | None:
        """The article's text, or None if there is no such article."""
        doc = self.get(doc_id)
        return doc.text if doc is not None else None


def _country_name(alpha2: str | None) -> str:
    if not alpha2:
        return ""
    c = pycountry.countries.get(alpha_2=alpha2.upper())
    return c.name if c else alpha2


def location_name(event: Event) -> str:
    """The place as ACLED's ``location`` column names it.

    A town or area matched exactly in the gazetteer takes the gazetteer's name (ACLED style);
    anything else keeps the article's name, with its descriptor for features ("al-Aghuat hill",
    "al-Qa'im–Akashat highway"), because "al-Aghuat" alone would name the village, and the
    point of an approximate match (geo_precision 2/3) belongs to a different, larger place.
    """
    loc, p = event.location, event.place
    if p is None:
        return loc.name if loc else ""
    settlement = not p.descriptor or p.descriptor.lower() in SETTLEMENT_WORDS
    if loc and loc.name and loc.geo_precision == 1 and settlement:
        return loc.name
    name = p.name
    if not settlement and "facility" not in p.rule and p.descriptor.lower() not in name.lower():  # type: ignore[union-attr]
        name = f"{name} {p.descriptor}"
    return name


def row_order(event: Event) -> tuple:
    """Order of rows in the exports: by date (undated last), then the most precisely located
    first, then by id — so that a reader scanning a day sees the exact places before the
    approximations that share their point."""
    d = event.event_date
    loc = event.location
    prec = loc.geo_precision if loc and loc.geo_precision else 9
    num = int("".join(ch for ch in event.event_id if ch.isdigit()) or 0)
    return (d is None, d or date.min, prec, event.event_id.rstrip("0123456789"), num)


def event_row(event: Event, timestamp: int, countries: dict[str, str] | None = None) -> dict[str, object]:
    """One ACLED-style CSV row for an event (empty strings for unknown values).

    ``countries`` is an optional memo of country names by ISO code that the caller keeps for a
    whole export (looking a name up in pycountry costs more than the rest of the row)."""
    loc = event.location
    d = event.event_date
    ev = event.evidence
    if d is None and event.date_month and event.date_day:
        date_note = f"undated ({event.date_reason or 'no year'}; --{event.date_month:02d}-{event.date_day:02d})"
    else:
        date_note = event.date_reason if d is None else ""
    notes = event.notes
    if date_note:
        notes = f"{notes} [{date_note}]".strip()
    if loc is not None:
        country = loc.country or ""
        if len(country) == 2:
            if countries is None:
                country = _country_name(country)
            elif (name := countries.get(country)) is not None:
                country = name
            else:
                country = countries[country] = _country_name(country)
        iso: object = loc.iso if loc.iso is not None else ""
        admin1, admin2, admin3 = loc.admin1 or "", loc.admin2 or "", loc.admin3 or ""
        lat = f"{loc.latitude:.5f}" if loc.latitude is not None else ""
        lon = f"{loc.longitude:.5f}" if loc.longitude is not None else ""
        geo_precision: object = loc.geo_precision or ""
    else:
        country = admin1 = admin2 = admin3 = lat = lon = ""
        iso = geo_precision = ""
    interaction = event.interaction
    return {
        "event_id_cnty": event.event_id,
        "event_date": d.isoformat() if d else "",
        "year": d.year if d else "",
        "time_precision": event.time_precision or "",
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1,
        "assoc_actor_1": event.assoc_actor_1,
        "inter1": event.inter1 if event.inter1 is not None else "",
        "actor2": event.actor2,
        "assoc_actor_2": event.assoc_actor_2,
        "inter2": event.inter2 if event.inter2 is not None else "",
        "interaction": interaction if interaction is not None else "",
        "iso": iso,
        "country": country,
        "admin1": admin1,
        "admin2": admin2,
        "admin3": admin3,
        "location": location_name(event),
        "latitude": lat,
        "longitude": lon,
        "geo_precision": geo_precision,
        "source": "; ".join(dict.fromkeys(filter(None, event.sources))),
        "source_scale": event.source_scale,
        "notes": notes,
        "fatalities": event.fatalities if event.fatalities is not None else 0,
        "tags": "; ".join(event.tags),
        "timestamp": timestamp,
        "source_documents": ";".join(dict.fromkeys(event.source_documents or [event.doc_id])),
        "evidence": f"rule={ev.rule} sentence={ev.sentence.start}-{ev.sentence.end}" if ev else "",
        "claimed_by": event.claimed_by,
        "confidence": f"{event.confidence:.2f}",
    }


def evidence_sentence(event: Event, text: str) -> str:
    """The words an event came from: its sentence, and — when the place lies outside it, as for
    an item of a list introduced by "captured the following areas:" — the line naming the place."""
    ev = event.evidence
    sent = " ".join(ev.sentence.of(text).split())
    p = ev.place
    # Only a place that follows its sentence on a short line of its own (a list item); a place
    # taken from the article's context is explained by the event's ``reason``, not by quoting it.
    if p is not None and ev.sentence.end <= p.start < len(text):
        start = text.rfind("\n", 0, p.start) + 1
        end = text.find("\n", p.end)
        line = " ".join(text[start : end if end >= 0 else len(text)].split())
        if line and len(line) <= MAX_LIST_ITEM_CHARS and line not in sent:
            sent = f"{sent} … {line}"
    return sent


class AcledCsvWriter:
    """``events.csv`` written row by row: the header at once, then one row per :meth:`write`.

    ``texts`` gives an article's text by id (``DocumentLookup.text``, ``dict.get``) so that the
    ``evidence`` column carries the sentence itself rather than only its offsets.
    """

    def __init__(self, f: TextIO, texts: Callable[[str], str | None] | None = None) -> None:
        self._writer = csv.writer(f)  # the dialect csv.DictWriter used: excel, CRLF rows
        self._writer.writerow(CSV_COLUMNS)
        self._values = itemgetter(*CSV_COLUMNS)  # a row's values in column order, in one C call
        self._texts = texts
        self.count = 0

    def write(self, event: Event, row: dict[str, object]) -> None:
        """Write ``row`` (from :func:`event_row`; its ``evidence`` is replaced by the sentence)."""
        if self._texts is not None and event.evidence is not None:
            text = self._texts(event.doc_id)
            if text is not None:
                row["evidence"] = evidence_sentence(event, text)
        self._writer.writerow(self._values(row))
        self.count += 1


def write_acled_csv(events: Iterable[Event], path: Path, *,
                    evidence_text: Mapping[str, str] | DocumentLookup | None = None) -> int:
    """Write events as an ACLED-style CSV (header always written); returns the row count.

    ``evidence_text`` maps a document id to its text (a dict, or a :class:`DocumentLookup` that
    fetches articles chunk by chunk), so that the ``evidence`` column carries the sentence itself
    rather than only its offsets.  ``events`` is read once, as it comes.
    """
    ts = int(time.time())
    lookup = evidence_text if isinstance(evidence_text, DocumentLookup) else None
    # (evidence_text is a plain mapping of texts when it is not the lookup)
    texts: Callable[[str], str | None] | None = (
        lookup.text if lookup is not None
        else (evidence_text.get if evidence_text is not None else None))  # type: ignore[assignment]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = AcledCsvWriter(f, texts)
        countries: dict[str, str] = {}
        for chunk in chunked(events, EXPORT_CHUNK_EVENTS):
            if lookup is not None:
                lookup.prefetch(e.doc_id for e in chunk)
            for e in chunk:
                w.write(e, event_row(e, ts, countries))
    return w.count
