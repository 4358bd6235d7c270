"""The corpus stages' control timeline kept in the store, not in memory.

At 100k pages the timeline is ~180k changes, each with its evidence sentence: held as
``ControlChange`` objects (with the statements and territory evidence they are made from) it
was well over a hundred megabytes from the second pass over the corpus to the end of the
exports.  Here the evidence goes to a TEMP table of the store as it is found
(:class:`TimelineBuilder`), is keyed to places by the same :class:`control.PlaceResolver` as
:func:`control.timeline_from`, sorted once by SQLite, and read back in timeline order each time
the exports walk it (:class:`StoredTimeline`): memory holds the place names and points, not the
changes.  The result is the same list of changes as ``timeline_from`` gives
(tests/test_corpus.py compares them).

Hand-written: it is the bookkeeping of frontwatch's own timeline over its own store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import groupby

import orjson

from .control import (
    PlaceResolver,
    StatementEvidence,
    TerritoryEvidence,
    kind_rank,
    location_point,
)
from .merge import exact_gazetteer_id
from .model import ControlChange
from .store import Store

# Evidence rows written to the store per batch.
PUT_BATCH = 2000
# Evidence keys: territory events by event-id rank, then statements by corpus order.
_STATEMENT_BASE = 1 << 40


class StoredTimeline:
    """The control timeline in the store's TEMP table, in timeline order (as
    :func:`control.timeline_from` sorts it): iterate it as often as needed while the store is
    open; ``by_place()`` gives each place's changes together (the timeline is sorted by place)."""

    def __init__(self, store: Store, n: int, names: dict[str, str]) -> None:
        self._store = store
        self._n = n
        self._names = names  # place key -> the place's display name

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[ControlChange]:
        names = self._names
        for data in self._store.iter_timeline():
            key, day, controller, kind, evidence, doc_id, lat, lon, event_id = orjson.loads(data)
            yield ControlChange(key, names[key], date.fromisoformat(day), controller, kind, evidence, doc_id,
                                lat, lon, event_id)

    def by_place(self) -> Iterator[tuple[str, list[ControlChange]]]:
        """``(place key, its changes)`` place after place, one place in memory at a time."""
        for key, changes in groupby(self, key=lambda c: c.place_key):
            yield key, list(changes)


class TimelineBuilder:
    """Collects the control evidence of the corpus stages into the store: the statements in
    corpus order (:meth:`add_statements`), the territory events in any order with their rank in
    event-id order (:meth:`add_territory`); :meth:`finish` keys, names and sorts them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.control_reset()
        self.places = PlaceResolver()
        self._rows: list[tuple[int, str]] = []
        self._statements = 0

    def add_statements(self, statements: Iterable[StatementEvidence]) -> None:
        """The next statements, in corpus order."""
        for st in statements:
            loc = st.location
            self._rows.append((_STATEMENT_BASE + self._statements,
                               _row(st.names, exact_gazetteer_id(loc), location_point(loc), st.change)))
            self._statements += 1
        if len(self._rows) >= PUT_BATCH:
            self.flush()

    def add_territory(self, rank: int, t: TerritoryEvidence) -> None:
        """A territory event; ``rank``: its place in event-id order."""
        self.places.add_territory(t.names, t.gazetteer_id, t.point, rank)
        self._rows.append((rank, _row(sorted(t.names), t.gazetteer_id, t.point, t.change)))
        if len(self._rows) >= PUT_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the evidence collected so far to the store."""
        if self._rows:
            self.store.control_put(self._rows)
            self._rows = []

    def finish(self) -> StoredTimeline:
        """Key every piece of evidence to its place (territory events first, in event-id order,
        then the statements: the order ``timeline_from`` makes the changes in), name each place
        after its first evidence (``control.naming_order``), and sort."""
        self.flush()
        places = self.places
        points = places.points
        first: dict[str, tuple[bool, str, int, str]] = {}  # place key -> naming order, name
        rows = []
        pos = 0
        for data in self.store.iter_control():
            names, gid, lat, lon, place, day, controller, kind, evidence, doc_id, event_id = orjson.loads(data)
            key, pt = places.resolve(names, gid, None if lat is None else (lat, lon))
            if not key:
                continue
            order = (kind == "statement", day, pos, place)
            if key not in first or order < first[key]:
                first[key] = order
            lat, lon = pt if pt else points.get(key, (None, None))
            rows.append((key, day, kind_rank(kind), doc_id, controller, pos,
                         orjson.dumps([key, day, controller, kind, evidence, doc_id, lat, lon, event_id]).decode()))
            pos += 1
            if len(rows) >= PUT_BATCH:
                self.store.timeline_put(rows)
                rows = []
        self.store.timeline_put(rows)
        self.store.timeline_seal()
        return StoredTimeline(self.store, pos, {key: order[3] for key, order in first.items()})


def _row(names: Iterable[str], gid: str | None, point: tuple[float, float] | None, c: ControlChange) -> str:
    lat, lon = point if point is not None else (None, None)
    return orjson.dumps([list(names), gid, lat, lon, c.place, c.date.isoformat(), c.controller, c.kind,
                         c.evidence, c.doc_id, c.event_id]).decode()
