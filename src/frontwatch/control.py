"""Territorial control: who held which place, from when, on what evidence.

Two kinds of evidence feed one timeline per place:

* territory events — ACLED's "Government regains territory", "Non-state actor overtakes
  territory" and "Non-violent transfer of territory": the event's ``actor1`` holds the place
  from the event date on;
* control statements made in passing ("the ISIS-held town of X", "X, the last town under
  ISIS control"): the controller held the place at the date the sentence carries, else at the
  article's publication date.

Rules (:func:`control_as_of`): the latest evidence on or before the day wins; on one day an
event beats a statement (an article that reports a capture usually still describes the place
as it was before, so the capture wins over a same-day statement that predates it in the
narrative); a statement contradicting a capture that the same article reports is ignored
whatever its date; a statement that contradicts a capture made at most ``STATEMENT_LAG_DAYS``
before it is ignored, because articles repeat stale background; a statement agreeing with the
current controller keeps it ("still held by Y") without moving ``since``.

Place identity is the gazetteer id when located exactly (geo_precision 1: for "south of X" the
geocoder reports X's entry, shared by many places), else the normalised name; a statement's name
is mapped to the gazetteer id of an event place with the same name when that is unambiguous.
Hand-written: this is domain logic over frontwatch's own records; no library models it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from .corpusdates import corpus_span, year_in_span
from .merge import PlaceNameRules, event_place_names, exact_gazetteer_id, load_place_name_rules
from .model import ControlChange, ControlState, Document, Event, Location, PlaceMention

# ACLED sub-event types that change who holds a place; the captor is actor1 in each.
TERRITORY_SUB_TYPES = frozenset(
    {"Government regains territory", "Non-state actor overtakes territory", "Non-violent transfer of territory"}
)
# A statement of control dated this many days or fewer after a capture by someone else is
# taken as stale background (news copy lags the front by a day or so), not as a recapture.
STATEMENT_LAG_DAYS = 1
# Sentences longer than this are cut in the evidence kept with each change.
EVIDENCE_MAX_CHARS = 400

_KIND_RANK = {"statement": 0, "event": 1}


def _sentence(doc: Document | None, start: int, end: int) -> str:
    if doc is None:
        return ""
    s = " ".join(doc.text[start:end].split())
    return s if len(s) <= EVIDENCE_MAX_CHARS else s[: EVIDENCE_MAX_CHARS - 1] + "\u2026"


def _nearest_year(anchor: date, month: int, day: int) -> date | None:
    cands = []
    for y in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            cands.append(date(y, month, day))
        except ValueError:
            continue
    return min(cands, key=lambda d: abs((d - anchor).days)) if cands else None


def _statement_date(doc: Document, start: int, end: int, date_span, span: tuple[date, date] | None) -> date | None:
    """The date a control statement speaks of: its own date mention, else a day-precise date
    in its sentence, else the article's publication date. In an undated article a year-less
    date takes the year nearest the article's dated events, and a statement without a date
    speaks of the article's latest event date (an article is written after what it reports).
    Failing those, a year-less date takes the one year that fits the corpus's publication span."""
    latest_event = max((e.event_date for e in doc.events if e.event_date is not None), default=None)
    mentions = [dm for dm in doc.dates if date_span is not None and dm.start < date_span.end and date_span.start < dm.end]
    mentions += [dm for dm in doc.dates if dm.precision == 1 and start <= dm.start < end]
    for dm in mentions:
        if dm.value is not None and (doc.published is None or dm.value <= doc.published):
            return dm.value
        if dm.value is None and dm.month and dm.day:
            if anchor := doc.published or latest_event:
                return _nearest_year(anchor, dm.month, dm.day)
            if in_span := year_in_span(span, dm.month, dm.day):
                return in_span
    return doc.published or latest_event


def _display_name(e: Event) -> str:
    if exact_gazetteer_id(e.location) and e.location and e.location.name:
        return e.location.name
    if e.place is None:
        return e.location.name if e.location else ""
    d = e.place.descriptor
    return f"{e.place.name} {d}" if d and d.lower() not in e.place.name.lower() else e.place.name


def control_timeline(
    events: Iterable[Event],
    docs: Iterable[Document],
    rules: PlaceNameRules | None = None,
    *,
    locate: Callable[[PlaceMention, Document], Location | None] | None = None,
) -> list[ControlChange]:
    """All evidence of control, one ``ControlChange`` per territory event or control statement,
    sorted by (place, date, events after statements). ``events`` are usually the merged corpus
    events; ``docs`` give the statements (``doc.control``) and sentence texts. ``locate`` (for
    instance a closure over ``geocode_place`` and the gazetteer) places statements that no
    event shares a name with; without it such places are keyed by name and have no point.

    The in-memory form: a streaming caller reads each article once with
    :func:`statement_evidence` and then calls :func:`build_timeline`."""
    rules = rules or load_place_name_rules()
    docs = list(docs)
    by_id = {d.id: d for d in docs}
    span = corpus_span(docs)
    statements = [s for doc in docs for s in statement_evidence(doc, span, rules, locate)]
    return build_timeline(events, statements, rules, lambda e: event_sentence(e, by_id.get(e.doc_id)))


def is_territory_event(e: Event) -> bool:
    """Whether ``e`` is evidence of control: a dated territory event with a captor."""
    return e.sub_event_type in TERRITORY_SUB_TYPES and bool(e.event_date) and bool(e.actor1)


def event_sentence(e: Event, doc: Document | None) -> str:
    """The evidence sentence of a territory event, as kept with its change (``doc``: the
    article with the event's ``doc_id``)."""
    sent = e.evidence.sentence if e.evidence else None
    return _sentence(doc, sent.start, sent.end) if sent else ""


@dataclass(slots=True)
class StatementEvidence:
    """A control statement read out of its article: the change it makes, waiting for the
    timeline to key its place (``names``: its name key; ``location``: where ``locate`` put it)."""

    names: list[str]
    location: Location | None
    change: ControlChange


def statement_evidence(
    doc: Document,
    span: tuple[date, date] | None,
    rules: PlaceNameRules,
    locate: Callable[[PlaceMention, Document], Location | None] | None = None,
) -> list[StatementEvidence]:
    """The dated control statements of one article (``span``: the corpus's publication span,
    see ``merge.corpus_span``).  ``locate`` is called for each, in order."""
    out = []
    for st in doc.control:
        sent = st.evidence.sentence
        when = _statement_date(doc, sent.start, sent.end, st.evidence.date, span)
        if when is None or not st.controller:
            continue
        loc = locate(st.place, doc) if locate is not None else None
        out.append(StatementEvidence(
            names=[rules.key(st.place.name, st.place.descriptor)],
            location=loc,
            change=ControlChange(
                place_key="",
                place=(loc.name if loc is not None and loc.name else "") or st.place.name,
                date=when,
                controller=st.controller,
                kind="statement",
                evidence=_sentence(doc, sent.start, sent.end),
                doc_id=doc.id,
            ),
        ))
    return out


@dataclass(slots=True)
class TerritoryEvidence:
    """A territory event as the timeline reads it: its change (``place_key`` and point not yet
    set) and what keys its place.  The streaming corpus stages keep one of these per territory
    event instead of the event and its article (a few hundred bytes, not kilobytes)."""

    names: frozenset[str]  # the event's place name keys (``merge.event_place_names``)
    gazetteer_id: str | None  # exact gazetteer id (geo_precision 1), else None
    point: tuple[float, float] | None  # the event's location, when it has one
    change: ControlChange


def territory_evidence(e: Event, sentence: str, rules: PlaceNameRules, memo: dict) -> TerritoryEvidence:
    """``e`` (a territory event, see :func:`is_territory_event`) with its evidence sentence as
    :func:`event_sentence` gives it; ``memo`` is a dict the caller keeps for the run."""
    loc = e.location
    pt = (loc.latitude, loc.longitude) if loc is not None and loc.latitude is not None and loc.longitude is not None else None
    change = ControlChange(place_key="", place=_display_name(e), date=e.event_date,  # type: ignore[arg-type]
                           controller=e.actor1, kind="event", evidence=sentence, doc_id=e.doc_id,
                           event_id=e.event_id)
    names = event_place_names(e, rules, memo)
    # One set per distinct place, shared (a corpus reports the same towns again and again).
    names = memo.setdefault(("names", names), names)
    return TerritoryEvidence(names, exact_gazetteer_id(loc), pt, change)


def build_timeline(
    events: Iterable[Event],
    statements: Iterable[StatementEvidence],
    rules: PlaceNameRules,
    sentence: Callable[[Event], str],
) -> list[ControlChange]:
    """The timeline (see :func:`control_timeline`) from the corpus events (only territory
    events are read), the statements in corpus order, and ``sentence(event)``, the evidence
    sentence of a territory event."""
    memo: dict = {}
    territory = [territory_evidence(e, sentence(e), rules, memo) for e in events if is_territory_event(e)]
    return timeline_from(territory, statements)


class PlaceResolver:
    """How the timeline keys a place (see the module docstring): the gazetteer id when located
    exactly, else a name that points at exactly one exactly located territory event's place,
    else the name.  Every territory event is added (:meth:`add_territory`) before any evidence
    is resolved (:meth:`resolve`)."""

    def __init__(self) -> None:
        # Names that point at exactly one located place, so that unlocated mentions can join it.
        self.alias: dict[str, set[str]] = defaultdict(set)
        # A located place's point: that of its last territory event (in event-id order) with one.
        self.points: dict[str, tuple[float, float]] = {}
        self._point_rank: dict[str, int] = {}

    def add_territory(self, names: Iterable[str], gazetteer_id: str | None, point: tuple[float, float] | None,
                      rank: int) -> None:
        """A territory event's place: its name keys, exact gazetteer id and point; ``rank`` is
        its place in event-id order (events may come in any order)."""
        if gazetteer_id:
            key = f"gaz:{gazetteer_id}"
            for n in names:
                self.alias[n].add(key)
            if point is not None and rank >= self._point_rank.get(key, -1):
                self.points[key] = point
                self._point_rank[key] = rank

    def resolve(self, names: Iterable[str], gid: str | None,
                pt: tuple[float, float] | None) -> tuple[str, tuple[float, float] | None]:
        """The place key of a piece of evidence and its point ("" when it has no name)."""
        if gid:
            key = f"gaz:{gid}"
            return key, pt or self.points.get(key)
        names = sorted(n for n in names if n)
        alias = self.alias
        for n in names:
            if len(alias.get(n, ())) == 1:
                key = next(iter(alias[n]))
                return key, self.points.get(key)
        # Not located exactly: keyed by name, drawn at the geocoder's approximate point if any.
        return (f"name:{names[0]}", pt) if names else ("", None)


def location_point(loc: Location | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a location that has both."""
    return (loc.latitude, loc.longitude) if loc is not None and loc.latitude is not None and loc.longitude is not None else None


def naming_order(c: ControlChange) -> tuple[bool, date]:
    """A place is named after its first evidence in this order (events first, then by date; ties:
    the first in the timeline's making order), so that a place named first by a statement and
    later located through an event keeps one name."""
    return _KIND_RANK[c.kind] == 0, c.date


def kind_rank(kind: str) -> int:
    """Where a change of this kind goes among a place's changes of one day (statements first)."""
    return _KIND_RANK[kind]


def timeline_order(c: ControlChange) -> tuple[str, date, int, str, str]:
    """The timeline's order (ties keep the making order: territory events, then statements)."""
    return c.place_key, c.date, _KIND_RANK[c.kind], c.doc_id, c.controller


def timeline_from(territory: list[TerritoryEvidence], statements: Iterable[StatementEvidence]) -> list[ControlChange]:
    """The timeline from the territory events (in event-id order) and the statements (in
    corpus order)."""
    places = PlaceResolver()
    for rank, t in enumerate(territory):
        places.add_territory(t.names, t.gazetteer_id, t.point, rank)
    out: list[ControlChange] = []
    for t in territory:
        key, pt = places.resolve(t.names, t.gazetteer_id, t.point)
        if not key:
            continue
        c = t.change
        c.place_key = key
        c.latitude, c.longitude = (pt[0], pt[1]) if pt else (None, None)
        out.append(c)
    for st in statements:
        loc = st.location
        key, pt = places.resolve(st.names, exact_gazetteer_id(loc), location_point(loc))
        if not key:
            continue
        out.append(replace(st.change, place_key=key, latitude=pt[0] if pt else None,
                           longitude=pt[1] if pt else None))
    names: dict[str, str] = {}
    for c in sorted(out, key=naming_order):
        names.setdefault(c.place_key, c.place)
    points = places.points
    for c in out:
        c.place = names[c.place_key]
        if c.latitude is None and c.place_key in points:
            c.latitude, c.longitude = points[c.place_key]
    out.sort(key=timeline_order)
    return out


def _place_states(key: str, changes: list[ControlChange]) -> Iterator[tuple[date, ControlState]]:
    """One ordered scan of one place's evidence: after the last change of each day, (that day,
    who held the place as of that day).  A place's state on a day depends only on its own
    evidence up to that day, so this one scan answers every day (``control_as_of`` takes the
    last answer, the report's timeline all of them)."""
    changes = sorted(changes, key=lambda c: (c.date, _KIND_RANK[c.kind], c.doc_id, c.controller))
    # (captor, day) of each capture by article: an article's own capture report outranks the
    # background it gives about the same place, whatever its date.
    captures: dict[str, list[tuple[str, date]]] = {}
    for c in changes:
        if c.kind == "event":
            captures.setdefault(c.doc_id, []).append((c.controller, c.date))
    cur: ControlState | None = None
    last_event: date | None = None
    first_lat: float | None = None
    first_lon: float | None = None
    for i, c in enumerate(changes):
        if first_lat is None:
            first_lat = c.latitude
        if first_lon is None:
            first_lon = c.longitude
        if c.kind == "statement" and any(
            who != c.controller and day <= c.date for who, day in captures.get(c.doc_id, ())
        ):
            pass  # "X, the ISIS-held town, fell": the article itself reports the change
        elif cur is not None and c.controller == cur.controller:
            cur.last_seen = c.date
            if c.kind == "event" or not cur.evidence:
                cur.evidence, cur.doc_id = c.evidence, c.doc_id
            if c.kind == "event":
                last_event = c.date
        elif not (c.kind == "statement" and last_event is not None
                  and (c.date - last_event).days <= STATEMENT_LAG_DAYS):  # not stale background
            cur = ControlState(
                place_key=key, place=c.place, controller=c.controller, since=c.date, last_seen=c.date,
                evidence=c.evidence, doc_id=c.doc_id, latitude=c.latitude, longitude=c.longitude,
            )
            if c.kind == "event":
                last_event = c.date
        if cur is not None and (i + 1 == len(changes) or changes[i + 1].date != c.date):
            located = cur.latitude is not None
            # A new ControlState rather than dataclasses.replace (several times slower): this
            # runs for every day of every place, for control.geojson and again for the report.
            yield c.date, ControlState(
                place_key=cur.place_key, place=cur.place, controller=cur.controller, since=cur.since,
                last_seen=cur.last_seen, evidence=cur.evidence, doc_id=cur.doc_id,
                latitude=cur.latitude if located else first_lat, longitude=cur.longitude if located else first_lon)


def _by_place(timeline: Iterable[ControlChange], as_of: date | None = None) -> Iterator[tuple[str, list[ControlChange]]]:
    """Each place's changes (on or before ``as_of``), places in order of first evidence.  A
    timeline that has ``by_place()`` (``controlstore.StoredTimeline``, sorted by place) gives
    them one place at a time; any other is grouped in memory."""
    grouped = getattr(timeline, "by_place", None)
    if grouped is not None:
        for key, changes in grouped():
            if as_of is not None:
                changes = [c for c in changes if c.date <= as_of]
            if changes:
                yield key, changes
        return
    by_place: dict[str, list[ControlChange]] = defaultdict(list)
    for c in timeline:
        if as_of is None or c.date <= as_of:
            by_place[c.place_key].append(c)
    yield from by_place.items()


def place_order(s: ControlState) -> tuple[str, str]:
    """How places are listed: by name, case-insensitively, then key."""
    return s.place.lower(), s.place_key


def control_as_of(timeline: Iterable[ControlChange], as_of: date | None = None) -> list[ControlState]:
    """Who held each place on ``as_of`` (evidence on or before that day only; ``None``: on the
    day of the latest evidence), sorted by place."""
    states = []
    for key, changes in _by_place(timeline, as_of):
        last = None
        for _day, last in _place_states(key, changes):  # noqa: B007 - the last day's state is the answer
            pass
        if last is not None:
            states.append(last)
    states.sort(key=place_order)
    return states


def control_history(timeline: Iterable[ControlChange]) -> list[tuple[date, list[ControlState]]]:
    """For each day some evidence arrives (ascending), the state of every place with evidence
    on that day, sorted by place — what :func:`control_as_of` says of those places on that day,
    in one scan per place (asking ``control_as_of`` day after day re-read each place's whole
    past every day)."""
    by_day: dict[date, list[ControlState]] = {}
    for _key, states in place_histories(timeline):
        for day, state in states:
            by_day.setdefault(day, []).append(state)
    return [(day, sorted(by_day[day], key=place_order)) for day in sorted(by_day)]


def place_histories(timeline: Iterable[ControlChange]) -> Iterator[tuple[str, Iterator[tuple[date, ControlState]]]]:
    """Place by place (in order of first evidence), its key and its states on each day some
    evidence of it arrives, ascending: :func:`control_history` one place at a time, for a
    caller that keeps a summary per place rather than every state of every day."""
    for key, changes in _by_place(timeline):
        yield key, _place_states(key, changes)


def control_geojson(states: Iterable[ControlState]) -> dict:
    """RFC 7946 FeatureCollection of Points ([longitude, latitude]) for the located states;
    places without a point are left out (they have no geometry to draw)."""
    feats = []
    for s in states:
        if s.latitude is None or s.longitude is None:
            continue
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(s.longitude, 6), round(s.latitude, 6)]},
            "properties": {
                "place": s.place,
                "place_key": s.place_key,
                "controller": s.controller,
                "since": s.since.isoformat(),
                "last_seen": s.last_seen.isoformat(),
                "evidence": s.evidence,
                "doc_id": s.doc_id,
            },
        })
    return {"type": "FeatureCollection", "features": feats}


def state_record(s: ControlState) -> dict:
    """One control state as a plain JSON object (``frontwatch control --format json``)."""
    return {
        "place": s.place,
        "latitude": s.latitude,
        "longitude": s.longitude,
        "controller": s.controller,
        "since": s.since.isoformat(),
        "last_seen": s.last_seen.isoformat(),
        "evidence": s.evidence,
        "doc_id": s.doc_id,
    }
