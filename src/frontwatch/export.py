"""Export stage: documents as JSON Lines, events as an ACLED-style CSV.

Column names follow ACLED's export so that existing ACLED tooling reads the file; frontwatch
adds four columns of its own at the end (``source_documents``, ``evidence``, ``claimed_by``,
``confidence``) so that every row can be traced back to the words it came from.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pycountry

from .eventunit import SETTLEMENT_WORDS
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


def write_documents_jsonl(docs: Iterable[Document], path: Path) -> int:
    """Write one JSON object per article; returns how many were written."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(document_record(doc), ensure_ascii=False))
            f.write("\n")
            n += 1
    return n


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
    if not settlement and "facility" not in p.rule and p.descriptor.lower() not in name.lower():
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


def event_row(event: Event, timestamp: int) -> dict[str, object]:
    """One ACLED-style CSV row for an event (empty strings for unknown values)."""
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
    country = (loc.country if loc and loc.country else "") or ""
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
        "interaction": event.interaction if event.interaction is not None else "",
        "iso": loc.iso if loc and loc.iso is not None else "",
        "country": country if len(country) != 2 else _country_name(country),
        "admin1": (loc.admin1 if loc else "") or "",
        "admin2": (loc.admin2 if loc else "") or "",
        "admin3": (loc.admin3 if loc else "") or "",
        "location": location_name(event),
        "latitude": f"{loc.latitude:.5f}" if loc and loc.latitude is not None else "",
        "longitude": f"{loc.longitude:.5f}" if loc and loc.longitude is not None else "",
        "geo_precision": (loc.geo_precision if loc and loc.geo_precision else "") or "",
        "source": "; ".join(dict.fromkeys(s for s in event.sources if s)),
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


def write_acled_csv(events: Iterable[Event], path: Path, *, evidence_text: dict[str, str] | None = None) -> int:
    """Write events as an ACLED-style CSV (header always written); returns the row count.

    ``evidence_text`` maps a document id to its text, so that the ``evidence`` column carries the
    sentence itself rather than only its offsets.
    """
    ts = int(time.time())
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for e in events:
            row = event_row(e, ts)
            if evidence_text is not None and e.evidence is not None:
                text = evidence_text.get(e.doc_id)
                if text is not None:
                    row["evidence"] = evidence_sentence(e, text)
            w.writerow(row)
            n += 1
    return n

