"""The map report: one self-contained ``report.html`` that a person opens from disk.

Everything is inline — SVG map drawn server-side from the Natural Earth basemap shipped in
``data/basemap/world.geojson``, CSS and a small vanilla script from ``data/report/`` — and a CSP
meta tag forbids any network load. The page shows events (colour = event type, size =
fatalities), places coloured by who held them, a day-by-day slider with a play button that
replays the campaign, and the list of events with their sources and evidence sentences.

All article text is untrusted. HTML is built here with every piece of text escaped
(``html.escape``) before evidence spans are wrapped in ``<mark>``; data for the script is JSON
inside ``<script type="application/json">`` with ``<``, ``>``, ``&`` and U+2028/2029 escaped so
that nothing can close the script element; the script only ever sets ``textContent``.

Hand-written because the alternatives (folium/leaflet, plotly) load tiles or scripts from the
network or weigh megabytes of JS; an equirectangular SVG is all a campaign map needs.

A page with a million events would not open, so the report embeds at most ``REPORT_MAX_EVENTS``.
Above that, :class:`ReportSelection` keeps, while the events stream past (a heap of the cap's
size, so memory does not grow with the corpus), the territory changes first (they drive the
control layer), then the events with the most independent reports, then the deadliest, then
the newest (ties: the earlier in export order); the page says "showing N of M events" and points
to events.csv / events.parquet for the rest.  Up to the cap every event is shown, as before.
The page is written piece by piece, the event list chunk by chunk with the articles it quotes
fetched per chunk (``export.DocumentLookup``).
"""

from __future__ import annotations

import heapq
import html
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from pathlib import Path

import orjson

from .control import TERRITORY_SUB_TYPES, place_histories, place_order
from .errors import InputError
from .export import EXPORT_CHUNK_EVENTS, DocumentLookup, chunked
from .model import ControlChange, Document, Event, Evidence

CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
MAP_WIDTH = 1000  # SVG user units; the map scales to its box
# Padding around the events' extent, as a share of its span, and the smallest span shown (deg):
# a single town needs some country around it to be readable.
EXTENT_PAD = 0.15
MIN_SPAN_DEG = 1.5
# Height/width bounds of the map: very flat or tall extents are widened to stay readable.
MIN_ASPECT, MAX_ASPECT = 0.45, 1.1
MARKER_MIN_R, MARKER_MAX_R = 4.0, 18.0  # event marker radius (SVG units) for 0 .. many deaths
PLAY_STEP_MS = 450  # one day per step when playing
EVENT_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4",
}
OTHER_COLOUR = "#7f7f7f"
# Country labels: the view is sampled on a LABEL_GRID x LABEL_GRID grid; a country needs
# LABEL_MIN_CELLS of its points to be named.
LABEL_GRID = 14
LABEL_MIN_CELLS = 6
LABEL_MERGE_UNITS = 12  # control places closer than this (SVG units) share one label
# Most events one page embeds.  20k keeps the page near 20 MB (about 1 kB per event with its
# evidence), which browsers open in seconds with the map still responsive; a campaign seen
# through a few thousand articles stays under it and is shown whole.
REPORT_MAX_EVENTS = 20_000
# Quotes shown per event.  A capture retold by fifty articles would otherwise carry fifty quotes
# (and keep fifty evidences in memory for each of the 20k events a big corpus's report holds: over
# a gigabyte at 100k pages); the rest are counted, and every one is in events.csv/documents.jsonl.
REPORT_MAX_QUOTES = 5
CAPPED_NOTE_COLOUR = "#ffcc80"  # the "showing N of M" line must stand out in the dark header
# The characters html.escape replaces (with quote=True).
_HTML_SPECIAL = re.compile("[&<>\"']")
CONTROLLER_COLOURS = ["#1565c0", "#212121", "#2e7d32", "#c62828", "#f9a825", "#6a1b9a", "#00838f", "#ef6c00"]


@dataclass(frozen=True)
class _Frame:
    """An equirectangular projection of a lon/lat box onto the SVG's user space."""

    west: float
    south: float
    east: float
    north: float
    width: int  # MAP_WIDTH: an int, written as one ("1000"; a float would print "1000.0")
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * self.width
        y = (self.north - lat) / (self.north - self.south) * self.height
        return x, y


def load_basemap(path: Path | None = None) -> dict:
    """The basemap GeoJSON (default: the Natural Earth file shipped with frontwatch)."""
    try:
        if path is None:
            text = resources.files("frontwatch").joinpath("data/basemap/world.geojson").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return orjson.loads(text)  # the same values as json.loads, several times faster
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the basemap {path or 'world.geojson'}: {exc}") from None


def script_json(obj: object) -> str:
    """JSON safe inside ``<script type="application/json">``: no character of it can end the
    element or start a comment, whatever strings the data holds."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (
        s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def highlight(text: str, evidence: Evidence) -> str:
    """The evidence sentence as HTML: each piece escaped, then the trigger, actor, place, date
    and number spans wrapped in ``<mark class=...>``. Overlapping spans: the earlier one wins."""
    s0, s1 = evidence.sentence.start, evidence.sentence.end
    spans: list[tuple[int, int, int, str]] = []
    for cls, sp in (("trigger", evidence.trigger), ("place", evidence.place), ("date", evidence.date),
                    ("number", evidence.number), *(("actor", a) for a in evidence.actors)):
        if sp is not None and s0 <= sp.start < sp.end <= s1:
            spans.append((sp.start, -sp.end, len(spans), cls))
    spans.sort()  # by start, the longest first, then as listed (the index keeps the sort stable)
    # Most sentences hold no character that HTML escapes: their pieces are then kept as they are.
    esc = html.escape if _HTML_SPECIAL.search(text, s0, s1) else str
    out, pos = [], s0
    for a, minus_b, _, cls in spans:
        b = -minus_b
        if a < pos:
            continue
        out.append(esc(text[pos:a]))
        out.append(f'<mark class="{cls}">{esc(text[a:b])}</mark>')
        pos = b
    out.append(esc(text[pos:s1]))
    return "".join(out)  # line breaks inside the sentence render as spaces (white-space: normal)


def _survey(pins: list[_Pin], control: Iterable[ControlChange]) -> tuple[list[tuple[float, float]], date | None,
                                                                     date | None, list[str]]:
    """In one walk over the timeline: the corners (west, south) and (east, north) of the events'
    and places' points (all ``_frame`` reads of them), the first and last day of the events and
    the evidence, and the controllers in name order."""
    w = s = math.inf
    e = n = -math.inf
    start = min((p.event_date for p in pins if p.event_date), default=None)
    end = max((p.event_date for p in pins if p.event_date), default=None)
    for p in pins:
        if p.point is not None:
            lon, lat = p.point
            w, e, s, n = min(w, lon), max(e, lon), min(s, lat), max(n, lat)
    controllers = set()
    for c in control:
        if c.latitude is not None and c.longitude is not None:
            w, e, s, n = min(w, c.longitude), max(e, c.longitude), min(s, c.latitude), max(n, c.latitude)
        start = c.date if start is None or c.date < start else start
        end = c.date if end is None or c.date > end else end
        controllers.add(c.controller)
    return ([] if w == math.inf else [(w, s), (e, n)]), start, end, sorted(controllers)


def _frame(points: list[tuple[float, float]]) -> _Frame:
    if not points:
        w, s, e, n = -180.0, -60.0, 180.0, 80.0
    else:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        w, e, s, n = min(lons), max(lons), min(lats), max(lats)
        cx, cy = (w + e) / 2, (s + n) / 2
        half_x = max(e - w, MIN_SPAN_DEG) * (1 + 2 * EXTENT_PAD) / 2
        half_y = max(n - s, MIN_SPAN_DEG) * (1 + 2 * EXTENT_PAD) / 2
        w, e, s, n = cx - half_x, cx + half_x, max(-89.0, cy - half_y), min(89.0, cy + half_y)
    k = math.cos(math.radians((s + n) / 2))  # degrees of longitude are shorter away from the equator
    aspect = (n - s) / ((e - w) * k)
    if aspect < MIN_ASPECT:  # too flat: show more latitude
        grow = ((e - w) * k * MIN_ASPECT - (n - s)) / 2
        s, n = max(-89.0, s - grow), min(89.0, n + grow)
    elif aspect > MAX_ASPECT:  # too tall: show more longitude
        grow = ((n - s) / MAX_ASPECT / k - (e - w)) / 2
        w, e = w - grow, e + grow
    aspect = (n - s) / ((e - w) * k)
    return _Frame(w, s, e, n, MAP_WIDTH, round(MAP_WIDTH * aspect, 1))


def _rings(geom: dict) -> list[list[list[float]]]:
    t, c = geom.get("type"), geom.get("coordinates") or []
    if t == "LineString":
        return [c]
    if t in ("MultiLineString", "Polygon"):
        return list(c)
    if t == "MultiPolygon":
        return [r for poly in c for r in poly]
    return []


def _path(rings: list[list[list[float]]], fr: _Frame, closed: bool) -> tuple[str, list[list[tuple[float, float]]]]:
    """SVG path data for the rings that touch the frame (whole rings: the SVG viewport clips
    them), and those rings projected (for labels)."""
    parts, kept = [], []
    mx = (fr.east - fr.west) * 0.5
    my = (fr.north - fr.south) * 0.5
    # _Frame.xy's arithmetic written out (the same operations, so the same floats): a call per
    # point was most of drawing the ~90k points of the basemap.
    west, north, span_x, span_y = fr.west, fr.north, fr.east - fr.west, fr.north - fr.south
    width, height = fr.width, fr.height
    for ring in rings:
        if len(ring) < 2:
            continue
        lons, lats = list(zip(*ring, strict=False))[:2]  # positions may carry an altitude
        if max(lons) < fr.west - mx or min(lons) > fr.east + mx or max(lats) < fr.south - my or min(lats) > fr.north + my:
            continue
        xy = [((lon - west) / span_x * width, (north - lat) / span_y * height) for lon, lat in zip(lons, lats, strict=True)]
        # "%.1f" is the f-string's ".1f": the same digits, formatted in one C call per point.
        parts.append("M" + "L".join(map("%.1f %.1f".__mod__, xy)) + ("Z" if closed else ""))
        kept.append(xy)
    return "".join(parts), kept


def _label_point(rings: list[list[tuple[float, float]]], fr: _Frame) -> tuple[float, float] | None:
    """Where to write a country's name: the mean of a coarse grid of the view's points that
    fall inside it (so a country larger than the view is still labelled in its visible part),
    if it covers enough of the view to carry a label."""
    # A point outside a closed ring's bounding box crosses it an even number of times, so only the
    # rings whose box holds the point are walked (same answer, far fewer vertices per grid point).
    boxes = []
    for r in rings:
        if r:
            xs, ys = list(zip(*r, strict=True))
            boxes.append((min(xs), max(xs), min(ys), max(ys), r))
    # An even-odd point-in-polygon test over the rings (holes included), with the edge crossings
    # at each row's height worked out once per ring rather than once per grid point (a tenth of
    # the work, and the same crossings: the same answer).
    rows = []
    for gy in range(LABEL_GRID):
        y = (gy + 0.5) * fr.height / LABEL_GRID
        rows.append((y, [(x0, x1, _crossings(r, y)) for x0, x1, y0, y1, r in boxes if y0 <= y <= y1]))
    hits = []
    for gx in range(LABEL_GRID):  # column by column, the order the sums below always took
        x = (gx + 0.5) * fr.width / LABEL_GRID
        for y, row in rows:
            if sum(1 for x0, x1, cuts in row if x0 <= x <= x1 for c in cuts if x < c) % 2:
                hits.append((x, y))
    if len(hits) < LABEL_MIN_CELLS:
        return None
    return sum(x for x, _ in hits) / len(hits), sum(y for _, y in hits) / len(hits)


def _crossings(ring: list[tuple[float, float]], y: float) -> list[float]:
    """Where the edges of ``ring`` that straddle the height ``y`` cross it."""
    return [(xj - xi) * (y - yi) / (yj - yi) + xi
            for (xi, yi), (xj, yj) in zip(ring, ring[-1:] + ring[:-1], strict=True) if (yi > y) != (yj > y)]


def _basemap_svg(basemap: dict, fr: _Frame) -> str:
    countries, rivers, labels = [], [], []
    for f in basemap.get("features", []):
        props = f.get("properties") or {}
        geom = f.get("geometry") or {}
        kind = props.get("kind")
        closed = geom.get("type") in ("Polygon", "MultiPolygon")
        d, rings = _path(_rings(geom), fr, closed)
        if not d:
            continue
        if kind == "river" or not closed:
            rivers.append(f'<path class="river" d="{d}"/>')
        else:
            name = html.escape(str(props.get("name", "")))
            countries.append(f'<path class="country" d="{d}"><title>{name}</title></path>')
            at = _label_point(rings, fr)
            if at is not None:
                labels.append(f'<text class="clabel" x="{at[0]:.0f}" y="{at[1]:.0f}">{name}</text>')
    return "".join(countries) + "".join(rivers) + "".join(labels)


def _radius(e: Event) -> float:
    f = e.fatalities or 0
    return min(MARKER_MAX_R, MARKER_MIN_R + 2.0 * math.sqrt(f))


def _place_of(e: Event) -> str:
    if e.location is not None and e.location.name:
        return e.location.name
    if e.place is not None:
        return e.place.name + (f" {e.place.descriptor}" if e.place.descriptor else "")
    return ""


def _escaped(s: str) -> str:
    """``html.escape(s)``; a string without a character to escape (most of the report's) is
    returned after one C scan instead of five replace calls."""
    return html.escape(s) if _HTML_SPECIAL.search(s) else s


def item_doc_ids(e: Event) -> tuple[str, ...]:
    """The articles the event's list item quotes (evidence) or names (outlets): what to prefetch."""
    return (*itertools.islice(e.evidence_all, REPORT_MAX_QUOTES),
            *(() if e.sources else e.source_documents or [e.doc_id]))


def _event_item(e: Event, docs: DocumentLookup, start: date | None, colour: str, left_out: int = 0) -> str:
    head, body = _event_item_parts(e, docs, colour)
    return head + _day_attr(e.event_date, start) + body + _more_quotes(left_out) + "</li>"


def _day_attr(day: date | None, start: date | None) -> str:
    return f' data-day="{(day - start).days}"' if day and start else ""


def _more_quotes(left_out: int) -> str:
    if not left_out:
        return ""
    return (f'<p class="evidence more">and {left_out} more quoted report{"s" if left_out > 1 else ""}'
            " (every one is in events.csv and documents.jsonl)</p>")


def _event_item_parts(e: Event, docs: DocumentLookup, colour: str) -> tuple[str, str]:
    """The event's list item but for what depends on the whole selection: the text before its
    day attribute (``_day_attr``, which needs the report's first day) and the text after it, up
    to the quotes left out (``_more_quotes``) and the closing tag."""
    esc = _escaped
    when = e.event_date.isoformat() if e.event_date else f"undated ({e.date_reason or 'no date'})"
    actors = " vs ".join(filter(None, (e.actor1, e.actor2)))
    assoc = "; ".join(filter(None, (e.assoc_actor_1, e.assoc_actor_2)))
    if e.fatalities_low is not None and e.fatalities_high is not None and e.fatalities_low != e.fatalities_high:
        deaths = f"{e.fatalities} (reports {e.fatalities_low}\u2013{e.fatalities_high})"
    else:
        deaths = "unknown" if e.fatalities is None else str(e.fatalities)
    outlets = ", ".join(e.sources or dict.fromkeys(
        d.outlet for i in (e.source_documents or [e.doc_id]) if (d := docs.get(i)) and d.outlet)) or "outlet unknown"
    doc_ids = ", ".join(e.source_documents or [e.doc_id])
    n_rep = e.source_count or len(set(e.source_documents or [e.doc_id]))
    event_id = esc(e.event_id)
    # html.escape maps character by character, so one call over a whole line of text (whose
    # fixed words need no escaping) gives the same as one call per value, for a third of the calls.
    head = f"{when} \u00b7 {e.sub_event_type or e.event_type} \u00b7 {_place_of(e)}"
    actors_line = actors + (f" (with {assoc})" if assoc else "")
    sources = f"Fatalities: {deaths} \u00b7 Sources ({n_rep}): {outlets} \u00b7 documents: {doc_ids}"
    parts = [
        f' style="--c:{colour}">',
        f'<div class="ehead">{esc(head)}</div>',
        f'<div class="emeta">{event_id} \u00b7 {esc(actors_line)}</div>',
        f'<div class="emeta">{esc(sources)}</div>',
    ]
    if e.notes:
        parts.append(f'<div class="note">{esc(e.notes)}</div>')
    # At most REPORT_MAX_QUOTES quotes (a fetched event comes whole: see ReportSelection._listed).
    evid = dict(itertools.islice(e.evidence_all.items(), REPORT_MAX_QUOTES)) or (
        {e.doc_id: e.evidence} if e.evidence else {})
    for doc_id, ev in evid.items():
        doc = docs.get(doc_id)
        who = esc(doc_id + (f" \u2014 {doc.outlet}" if doc and doc.outlet else ""))
        body = highlight(doc.text, ev) if doc is not None else "<i>(document not in this report)</i>"
        parts.append(f'<p class="evidence"><span class="who">{who}</span>{body}</p>')
    return f'<li id="ev-{event_id}"', "".join(parts)


@dataclass(slots=True)
class _Pin:
    """What the map reads of a selected event (its marker, tooltip and legend entry), kept
    instead of the event when the selection fetches the events again for the list."""

    index: int  # 1-based place in the stream
    event_date: date | None
    event_id: str
    event_type: str
    sub_event_type: str
    point: tuple[float, float] | None  # (longitude, latitude)
    place: str  # _place_of(e)
    radius: float

    @classmethod
    def of(cls, e: Event, index: int) -> _Pin:
        loc = e.location
        point = (loc.longitude, loc.latitude) if loc and loc.latitude is not None and loc.longitude is not None else None
        return cls(index, e.event_date, e.event_id, e.event_type, e.sub_event_type, point, _place_of(e), _radius(e))


class ReportSelection:
    """The events a report embeds, chosen as they stream past (see the module docstring): every
    event up to ``cap`` (default ``REPORT_MAX_EVENTS``), above it the ``cap`` with the highest
    :func:`report_priority`.  Memory is the cap's, whatever the number of events.

    With ``fetch`` (stream positions, 0-based -> those events, in that order; e.g. rows of the
    store the stream was read from) only a small :class:`_Pin` is kept per event and the list's
    events are fetched again, a chunk at a time, when the page is written: at 100k pages the
    20k kept events held ~80 MB.

    With ``items`` (the articles, which the caller prefetches: see :func:`item_doc_ids`) the
    event's list item is made as it is added and kept with its pin, instead of the event: for a
    stream whose events all fit (at most ``cap``), which is then read once, not twice (reading
    the events again was a sixth of the exports at 1k pages).  An item is about 1 kB of HTML,
    the report's own size; an event evicted later was made for nothing, hence "all fit"."""

    def __init__(self, cap: int | None = None, *,
                 fetch: Callable[[list[int]], Iterable[Event]] | None = None,
                 items: DocumentLookup | None = None) -> None:
        self.cap = REPORT_MAX_EVENTS if cap is None else cap
        self.total = 0
        self._fetch = fetch
        self._items = items
        # (priority, event or pin, quotes left out, list item parts or None): a plain list while
        # under the cap, a min-heap (lowest priority first, to be evicted) once over it.
        # Priorities are unique (the stream index breaks ties), so events are never compared.
        self._kept: list[tuple[tuple, Event | _Pin, int, tuple[str, str] | None]] = []
        self._heap = False
        self._order: list[tuple[tuple, Event | _Pin, int, tuple[str, str] | None]] | None = None  # until an add

    def add(self, e: Event) -> None:
        """Consider one more event (in export row order)."""
        self.total += 1
        self._order = None
        priority = report_priority(e, self.total)
        if len(self._kept) >= self.cap and (self.cap <= 0 or (self._heap and priority <= self._kept[0][0])):
            return  # would be evicted at once
        item: tuple[tuple, Event | _Pin, int, tuple[str, str] | None]
        if self._items is not None:
            parts = _event_item_parts(e, self._items, EVENT_COLOURS.get(e.event_type, OTHER_COLOUR))
            item = (priority, _Pin.of(e, self.total), max(0, len(e.evidence_all) - REPORT_MAX_QUOTES), parts)
        elif self._fetch is None:
            item = (priority, *_for_report(e), None)
        else:
            item = (priority, _Pin.of(e, self.total), max(0, len(e.evidence_all) - REPORT_MAX_QUOTES), None)
        if len(self._kept) < self.cap:
            self._kept.append(item)
            return
        if self.cap <= 0:
            return
        if not self._heap:
            heapq.heapify(self._kept)
            self._heap = True
        if item[0] > self._kept[0][0]:
            heapq.heapreplace(self._kept, item)

    @property
    def makes_items(self) -> bool:
        """Whether the list items are made as events are added (``items``)."""
        return self._items is not None

    def _ordered(self) -> list[tuple[tuple, Event | _Pin, int, tuple[str, str] | None]]:
        # The report's order: by date (undated last), then id, then as they came; sorted once
        # for the map and the list (a key per kept event, up to REPORT_MAX_EVENTS).
        if self._order is None:
            self._order = sorted(self._kept, key=lambda it: (it[1].event_date or date.max, it[1].event_id, -it[0][-1]))
        return self._order

    def pins(self) -> list[_Pin]:
        """What the map shows of the kept events, in the report's order (see :meth:`events`)."""
        return [it[1] if isinstance(it[1], _Pin) else _Pin.of(it[1], -it[0][-1]) for it in self._ordered()]

    def iter_events(self) -> Iterator[Event]:
        """The kept events in the report's order, fetched ``EXPORT_CHUNK_EVENTS`` at a time when
        the selection has ``fetch`` (see :meth:`events`)."""
        if self._items is not None:
            raise ValueError("a selection that makes its list items keeps no events")
        if self._fetch is None:
            for it in self._ordered():
                yield it[1]  # type: ignore[misc]
            return
        for chunk in chunked([-it[0][-1] - 1 for it in self._ordered()], EXPORT_CHUNK_EVENTS):
            for e in self._fetch(chunk):
                yield _for_report(e)[0]

    def _listed(self) -> Iterator[Event]:
        """:meth:`iter_events` for the page's list, which shows only the first
        ``REPORT_MAX_QUOTES`` quotes itself: fetched events come whole, without the copy that
        cuts their quotes (``dataclasses.replace``, a tenth of the report's time at 1k pages)."""
        if self._fetch is None:
            yield from self.iter_events()
            return
        for chunk in chunked([-it[0][-1] - 1 for it in self._ordered()], EXPORT_CHUNK_EVENTS):
            yield from self._fetch(chunk)

    def events(self) -> list[Event]:
        """The kept events in the report's order: by date (undated last), then id, then as they
        came; each with at most ``REPORT_MAX_QUOTES`` quotes (``quotes_left_out`` says how many
        more it had)."""
        return list(self.iter_events())

    def quotes_left_out(self) -> dict[str, int]:
        """Per kept event id, how many of its quotes the report leaves out (only those with some)."""
        return {e.event_id: n for _, e, n, _ in self._kept if n}


def _for_report(e: Event) -> tuple[Event, int]:
    """What the report reads of ``e`` — its first ``REPORT_MAX_QUOTES`` quotes, no per-source
    fatality table (the report shows neither) — and how many quotes were left out."""
    if len(e.evidence_all) <= REPORT_MAX_QUOTES and not e.fatalities_by_source:
        return e, 0
    kept = dict(itertools.islice(e.evidence_all.items(), REPORT_MAX_QUOTES))
    return replace(e, evidence_all=kept, fatalities_by_source={}), len(e.evidence_all) - len(kept)


def report_priority(e: Event, index: int) -> tuple:
    """How much an event deserves one of the report's places when there are too many (higher
    first): territory changes, then independent reports, fatalities, recency; ``index`` (its
    place in the stream) makes the order total, the earlier first."""
    n_rep = e.source_count or len(set(e.source_documents or [e.doc_id]))
    day = e.event_date.toordinal() if e.event_date else 0
    return (e.sub_event_type in TERRITORY_SUB_TYPES, n_rep, e.fatalities or 0, day, -index)


def render_report(
    events: Iterable[Event],
    control_timeline: Iterable[ControlChange],
    docs: Iterable[Document] | DocumentLookup,
    *,
    title: str = "frontwatch report",
    basemap: dict | None = None,
) -> str:
    """The report page as one HTML string (see :func:`write_report`)."""
    selection = ReportSelection()
    for e in events:
        selection.add(e)
    lookup = docs if isinstance(docs, DocumentLookup) else DocumentLookup.from_documents(docs)
    return "".join(report_parts(selection, control_timeline, lookup, len(lookup), title=title, basemap=basemap))


def report_parts(
    selection: ReportSelection,
    control_timeline: Iterable[ControlChange],
    docs: DocumentLookup,
    n_docs: int,
    *,
    title: str = "frontwatch report",
    basemap: dict | None = None,
) -> Iterator[str]:
    """The report page, piece by piece: the selected events (``selection``), the control
    layer, and each event's evidence quoted from ``docs`` (fetched chunk by chunk); ``n_docs``
    is the number of articles the events come from, for the header."""
    esc = html.escape
    pins = selection.pins()
    left_out = selection.quotes_left_out()
    # Walked twice (the timeline of the corpus stages is read back from the store each time).
    timeline = control_timeline if isinstance(control_timeline, (list, tuple)) or hasattr(
        control_timeline, "by_place") else list(control_timeline)
    basemap = basemap if basemap is not None else load_basemap()
    corners, start, end, controllers = _survey(pins, timeline)
    fr = _frame(corners)
    n_days = (end - start).days if start and end else 0

    # Control over time: for each located place, the steps at which its controller (or the
    # evidence) changes, from its state on each day some evidence arrives.  Places are numbered
    # as a day-by-day walk meets them (first located day, then place order); each keeps its
    # data already as JSON, not as lists of strings.
    cidx = {c: i for i, c in enumerate(controllers)}
    met = []
    for _key, states in place_histories(timeline):
        steps: list[list] = []
        first = None
        for day, st in states:
            if st.latitude is None or st.longitude is None:
                continue
            if first is None:
                first = (day, place_order(st), st.place, fr.xy(st.longitude, st.latitude))
            step = [(day - start).days, cidx[st.controller], st.since.isoformat(),  # type: ignore[operator]
                    f"{st.evidence} \u2014 {st.doc_id}"]
            if not steps or steps[-1][1:] != step[1:]:
                steps.append(step)
        if first is not None:
            met.append((first[0], first[1], {"name": first[2], "first": steps[0][0], "xy": first[3],
                                             "json": script_json({"name": first[2], "steps": steps})}))
    met.sort(key=lambda m: (m[0], m[1]))
    places = [p for _, _, p in met]
    del met
    for i, p in enumerate(places):
        p["i"] = i

    svg = [f'<svg class="fw-map" viewBox="0 0 {fr.width} {fr.height}" role="img" aria-label="Map of events">',
           f'<rect width="{fr.width}" height="{fr.height}" fill="#dfeaf3"/>', _basemap_svg(basemap, fr)]
    # Dropped: parsed, it is ~15 MB of Python objects; the event list comes after.  (Assigned, not
    # deleted: mypyc cannot delete an argument.)
    basemap = None
    # Places the geocoder put on one point (e.g. several valleys "south of X") share one label:
    # the place with the earliest evidence carries it, with how many others stand there.
    spots: dict[tuple[int, int], list[dict]] = {}
    for p in sorted(places, key=lambda p: (p["first"], p["i"])):
        spots.setdefault((round(p["xy"][0] / LABEL_MERGE_UNITS), round(p["xy"][1] / LABEL_MERGE_UNITS)), []).append(p)
    for group in spots.values():
        for k, p in enumerate(group):
            x, y = p["xy"]
            svg.append(f'<rect class="ctl hidden" id="fw-place-{p["i"]}" x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" '
                       f'height="10" transform="rotate(45 {x:.1f} {y:.1f})" fill="#999">'
                       f'<title id="fw-place-title-{p["i"]}"></title></rect>')
            if k == 0:
                more = f" +{len(group) - 1}" if len(group) > 1 else ""
                svg.append(f'<text class="plabel hidden" id="fw-place-label-{p["i"]}" x="{x + 9:.1f}" '
                           f'y="{y + 4:.1f}">{esc(p["name"])}{more}</text>')
    undated = 0
    for pin in pins:
        if pin.point is None:
            continue
        x, y = fr.xy(*pin.point)
        colour = EVENT_COLOURS.get(pin.event_type, OTHER_COLOUR)
        tip = esc(f"{pin.event_date or 'undated'} {pin.sub_event_type} at {pin.place} ({pin.event_id})")
        if pin.event_date and start:
            attrs = f'class="ev" data-day="{(pin.event_date - start).days}"'
        else:
            attrs = 'class="ev undated"'
            undated += 1
        svg.append(f'<circle {attrs} cx="{x:.1f}" cy="{y:.1f}" r="{pin.radius:.1f}" fill="{colour}">'
                   f"<title>{tip}</title></circle>")
    svg.append("</svg>")

    legend = "".join(f'<span><i class="swatch" style="background:{c}"></i>{esc(t)}</span>'
                     for t, c in EVENT_COLOURS.items() if any(p.event_type == t for p in pins))
    ctl_legend = "".join(
        f'<span><i class="swatch sq" style="background:{CONTROLLER_COLOURS[i % len(CONTROLLER_COLOURS)]}"></i>'
        f"held by {esc(c)}</span>" for c, i in cidx.items())
    # The script's data, but for its "places" (the last key, written place by place at the end).
    head = script_json({
        "start": start.isoformat() if start else "",
        "days": n_days,
        "undated": undated,
        "step_ms": PLAY_STEP_MS,
        "controllers": controllers,
        "colors": CONTROLLER_COLOURS,
    })
    css = resources.files("frontwatch").joinpath("data/report/report.css").read_text("utf-8")
    js = resources.files("frontwatch").joinpath("data/report/report.js").read_text("utf-8")
    span = f"{start.isoformat()} \u2013 {end.isoformat()}" if start and end else "no dated events"
    capped = ""
    if selection.total > len(pins):
        capped = (f'<p id="fw-capped" style="color:{CAPPED_NOTE_COLOUR}">showing {len(pins)} of '
                  f"{selection.total} events (territory changes first, then the most reported, the deadliest "
                  "and the newest) \u2014 the full data is in events.csv / events.parquet</p>")
    yield "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{css}</style></head><body>",
        f"<header><h1>{esc(title)}</h1><p>{selection.total} events from {n_docs} documents \u00b7 {esc(span)} \u00b7 "
        f"basemap: Natural Earth (public domain)</p>{capped}</header><main>",
        '<section id="fw-mapbox">',
    ])
    yield "".join(svg)
    del svg, spots
    yield "".join([
        '<div id="fw-controls"><button id="fw-play" type="button">Play</button>',
        f'<input id="fw-day" type="range" min="0" max="{n_days}" step="1" value="{n_days}" aria-label="Day">',
        '<span id="fw-date"></span></div><div id="fw-count" class="emeta"></div>',
        f'<div class="legend">{legend}</div><div class="legend">{ctl_legend}</div></section>',
        '<section id="fw-side"><ol class="events">',
    ])
    if selection.makes_items:
        for chunk in chunked(selection._ordered(), EXPORT_CHUNK_EVENTS):
            # _event_item's text, from the parts made as the event was added.
            yield "".join(head + _day_attr(pin.event_date, start) + body
                          + _more_quotes(left_out.get(pin.event_id, 0)) + "</li>"
                          for _, pin, _, (head, body) in chunk)
    for chunk in chunked(() if selection.makes_items else selection._listed(), EXPORT_CHUNK_EVENTS):
        # The articles this chunk quotes (evidence) or names (outlets), in one fetch.
        docs.prefetch(i for e in chunk for i in item_doc_ids(e))
        yield "".join(_event_item(e, docs, start, EVENT_COLOURS.get(e.event_type, OTHER_COLOUR), left_out.get(e.event_id, 0))
                      for e in chunk)
    # The data as one JSON object (script_json of the whole gives the same text: its escapes
    # are character by character), the places one by one.
    yield f'</ol></section></main><script type="application/json" id="fw-data">{head[:-1]},"places":['
    for i, p in enumerate(places):
        yield f'{"," if i else ""}{{"i":{i},{p["json"][1:]}'
    yield f"]}}</script><script>{js}</script></body></html>\n"


def write_report(
    events: Iterable[Event],
    control_timeline: Iterable[ControlChange],
    docs: Iterable[Document] | DocumentLookup,
    path: Path,
    *,
    title: str = "frontwatch report",
    basemap: dict | None = None,
    n_docs: int | None = None,
) -> Path:
    """Write the self-contained HTML report (map, day slider, event list with evidence) to
    ``path`` and return it. ``events`` are usually merged events, ``control_timeline`` comes
    from :func:`frontwatch.control.control_timeline`, ``docs`` give the evidence texts (documents,
    or a lookup that fetches them; then ``n_docs`` says how many articles there are)."""
    selection = ReportSelection()
    for e in events:
        selection.add(e)
    lookup = docs if isinstance(docs, DocumentLookup) else DocumentLookup.from_documents(docs)
    return write_report_selection(selection, control_timeline, lookup, len(lookup) if n_docs is None else n_docs,
                                  path, title=title, basemap=basemap)


def write_report_selection(
    selection: ReportSelection,
    control_timeline: Iterable[ControlChange],
    docs: DocumentLookup,
    n_docs: int,
    path: Path,
    *,
    title: str = "frontwatch report",
    basemap: dict | None = None,
) -> Path:
    """:func:`write_report` for events already chosen by a :class:`ReportSelection` (e.g. fed
    during the one pass that writes the other exports); the page is written as it is made."""
    path = Path(path)
    try:
        with open(path, "w", encoding="utf-8") as f:
            for part in report_parts(selection, control_timeline, docs, n_docs, title=title, basemap=basemap):
                f.write(part)
    except OSError as exc:
        raise InputError(f"cannot write the report {path}: {exc.strerror}") from None
    return path
