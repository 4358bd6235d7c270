"""Corpus stage, merging at corpus scale: the merge keys of every event held as columns, the
clusters found one sub-type at a time, and the ids and row order of the corpus events computed
from per-cluster columns.

A million events as :class:`merge.MergeKey` objects take ~200 bytes each, plus their clusters
and plans: at 100k pages (1.3M events) that was over a gigabyte.  Here a key costs ~50 bytes
(:class:`KeyTable`: typed arrays and tables of the values that repeat — name sets, points,
names, countries), a cluster ~40 bytes (:class:`CorpusPlan`), and ``MergeKey`` objects exist
only for the sub-type being clustered (clusters never span sub-types).  The rules are
``merge.cluster_keys``'s and the numbering ``merge.assign_event_ids``'s; the result is the
same as planning all keys at once (tests/test_corpus.py compares with the in-memory stages).

Hand-written: it is the bookkeeping of frontwatch's own merge; numpy does the sorting
(``lexsort`` is stable, as ``list.sort`` is, so ties keep cluster order).
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from .merge import MERGE_DISTANCE_KM, MergeKey, cluster_keys, country_iso3

# The ordinal of date.max: undated events are numbered after every dated one.
_NO_DAY = date.max.toordinal()
# Stand-ins for None in the small-integer columns (months, days, precisions are never negative).
_NONE = -1


class _Table:
    """Distinct values, each stored once, by code (code 0 is ``None``)."""

    def __init__(self) -> None:
        self.values: list = [None]
        self._codes: dict[Hashable, int] = {}

    def code(self, value: Hashable) -> int:
        if value is None:
            return 0
        c = self._codes.get(value)
        if c is None:
            c = self._codes[value] = len(self.values)
            self.values.append(value)
        return c

    def ranks(self) -> np.ndarray:
        """Per code, the rank of its value in sorted order (equal values, equal ranks); None
        (code 0) ranks first."""
        order = sorted(range(1, len(self.values)), key=self.values.__getitem__)
        ranks: np.ndarray = np.zeros(len(self.values), dtype=np.int32)
        rank, last = 0, None
        for n, c in enumerate(order):
            if n == 0 or self.values[c] != last:
                rank += 1
                last = self.values[c]
            ranks[c] = rank
        return ranks


class KeyTable:
    """The merge keys of a corpus's events, in corpus order, as columns: ``add`` one key per
    event, ``get(i)`` gives the i-th back as a ``MergeKey`` (values that repeat are shared).
    ``capacity``, the number of events expected, sizes the columns once: appended to, seventeen
    columns growing side by side are reallocated tens of times each, and the holes they leave
    in the C heap stayed resident through the merge (more events than expected still fit)."""

    def __init__(self, capacity: int = 0) -> None:
        self.subs, self.doc_ids, self.names = _Table(), _Table(), _Table()
        self.gaz, self.points, self.confidences = _Table(), _Table(), _Table()
        self.strings, self.iso3 = _Table(), _Table()  # loc_name and place_name share one table
        # Sub-type and country codes are few (tens, hundreds): two bytes each, not four.
        self.sub, self.doc_id, self.name_set = array("h"), array("i"), array("i")
        self.prec, self.month, self.mday = array("b"), array("b"), array("b")
        self.exact, self.geo_prec = array("b"), array("b")
        self.day, self.doc, self.start = array("i"), array("i"), array("i")
        self.gaz_id, self.point, self.confidence = array("i"), array("i"), array("i")
        self.loc_name, self.place_name, self.iso = array("i"), array("i"), array("h")
        self.by_sub: dict[int, array] = {}
        self.countries: dict[int, str | None] = {}  # doc_id code -> the article's country
        # Days, article numbers and sentence starts repeat (a day across the corpus, an article
        # across its events): the keys ``get`` makes share one int object for each value.
        self._ints: dict[int, int] = {}
        self._n = 0
        self._columns = (self.sub, self.doc_id, self.name_set, self.prec, self.month, self.mday,
                         self.exact, self.geo_prec, self.day, self.doc, self.start, self.gaz_id,
                         self.point, self.confidence, self.loc_name, self.place_name, self.iso)
        self._reserve(capacity)

    def __len__(self) -> int:
        return self._n

    def _reserve(self, rows: int) -> None:
        for column in self._columns:
            column.extend(array(column.typecode, bytes(rows * column.itemsize)))

    def add(self, k: MergeKey) -> None:
        """Append the key of the next event."""
        i = self._n
        if i == len(self.sub):
            self._reserve(max(i // 8, 1024))  # more events than expected: grow by an eighth
        sub = self.subs.code(k.sub)
        self.by_sub.setdefault(sub, array("i")).append(i)
        self.sub[i] = sub
        self.prec[i] = k.prec
        self.day[i] = k.day
        self.month[i] = _NONE if k.month is None else k.month
        self.mday[i] = _NONE if k.mday is None else k.mday
        self.doc[i] = k.doc
        self.doc_id[i] = self.doc_ids.code(k.doc_id)
        self.start[i] = k.start
        self.name_set[i] = self.names.code(k.names)
        self.gaz_id[i] = self.gaz.code(k.gaz)
        self.point[i] = self.points.code(k.point)
        self.exact[i] = k.exact
        self.geo_prec[i] = k.geo_prec
        self.confidence[i] = self.confidences.code(k.confidence)
        self.loc_name[i] = self.strings.code(k.loc_name)
        self.place_name[i] = self.strings.code(k.place_name)
        self.iso[i] = self.iso3.code(k.iso3)
        self._n = i + 1

    def set_country(self, doc_id: str, country: str | None) -> None:
        """The article country of document ``doc_id`` (the fallback country of its events)."""
        self.countries[self.doc_ids.code(doc_id)] = country

    def forget_ints(self) -> None:
        """Drop the shared ints of the keys made so far (when those keys are gone)."""
        self._ints = {}

    def get(self, i: int) -> MergeKey:
        """The key of the i-th event."""
        month, mday = self.month[i], self.mday[i]
        ints = self._ints
        day, doc, start = self.day[i], self.doc[i], self.start[i]
        # Positional, in MergeKey's field order (sub, prec, day, month, mday, doc, doc_id, start,
        # names, gaz, point, exact, geo_prec, confidence, loc_name, place_name, iso3): a key
        # is made per event and sub-type planned, and keywords cost a fifth of it.
        return MergeKey(
            self.subs.values[self.sub[i]], self.prec[i], ints.setdefault(day, day),
            None if month == _NONE else month, None if mday == _NONE else mday,
            ints.setdefault(doc, doc), self.doc_ids.values[self.doc_id[i]], ints.setdefault(start, start),
            self.names.values[self.name_set[i]], self.gaz.values[self.gaz_id[i]],
            self.points.values[self.point[i]], bool(self.exact[i]), self.geo_prec[i],
            self.confidences.values[self.confidence[i]],
            self.strings.values[self.loc_name[i]], self.strings.values[self.place_name[i]],
            self.iso3.values[self.iso[i]],
        )


@dataclass
class CorpusPlan:
    """The corpus events before they are built: per cluster its members (positions in the
    ``KeyTable``, the primary report first), its ``event_id`` and its rank in event-id order;
    ``row_order`` lists the clusters in the exports' row order (``export.row_order``)."""

    offsets: np.ndarray  # cluster c's members are members[offsets[c]:offsets[c + 1]]
    members_flat: array
    iso3_codes: np.ndarray
    iso3_values: list[str]
    numbers: np.ndarray
    id_rank: np.ndarray
    row_order: np.ndarray

    def __len__(self) -> int:
        return len(self.numbers)

    def members(self, c: int) -> list[int]:
        return self.members_flat[self.offsets[c] : self.offsets[c + 1]].tolist()

    def event_id(self, c: int) -> str:
        return f"{self.iso3_values[self.iso3_codes[c]]}{self.numbers[c]}"

    def in_row_order(self) -> Iterator[int]:
        # A slice at a time: the whole order as Python ints is ~35 bytes per event.
        for i in range(0, len(self.row_order), 4096):
            yield from self.row_order[i : i + 4096].tolist()


def _member_order(m: MergeKey) -> tuple:
    # The primary report first: most precise date, located, most precise place, most confident.
    return (m.prec, m.point is None, m.geo_prec, -m.confidence, m.doc_id, m.start)


def _location_key(keys: list[MergeKey], members: list[int]) -> MergeKey:
    """The member whose location the merged event takes: the primary's if it has a point,
    else the first located member's, else the primary's (see ``merge.build_merged``)."""
    p = keys[members[0]]
    if p.point is not None:
        return p
    return next((keys[i] for i in members if keys[i].point is not None), p)


def plan_corpus(table: KeyTable, distance_km: float = MERGE_DISTANCE_KM) -> CorpusPlan:
    """Cluster every sub-type's keys (``merge.cluster_keys``), order each cluster's members,
    number the corpus events (``merge.assign_event_ids``'s numbering: ISO3 + running number
    by date, place, sub-type, article, position) and order them as the exports list them —
    all from the keys, so that the full merged events can be built one at a time, in the
    order they are written."""
    # Per-cluster columns, and the plan's arrays, in 32 bits: every value (days as ordinals,
    # codes, ranks, positions, numbers) fits, and at 100k pages (~0.5M clusters) each 64-bit
    # column and sort key cost 4 MB more, held through the merge or alive at the plan's peak.
    offsets = array("i", [0])
    members_flat = array("i")
    day_key, month13, mday32 = array("i"), array("b"), array("b")
    lower_code, sub_code, docid_code, start = array("i"), array("i"), array("i"), array("i")
    iso3_code, first_day, loc_prec = array("i"), array("i"), array("b")
    lowers, iso3s = _Table(), _Table()
    country_iso3s: dict[str | None, int] = {}
    # The clustering order within a sub-type — (precision, day, article, position) — sorted on
    # the columns, so that no sort key is built per event.
    prec_col, day_col = np.frombuffer(table.prec, dtype=np.int8), np.frombuffer(table.day, dtype=np.int32)
    start_col, doc_col = np.frombuffer(table.start, dtype=np.int32), np.frombuffer(table.doc_id, dtype=np.int32)
    doc_ranks = table.doc_ids.ranks()
    # Sub-types in string order: the clusters come out in the order clustering all keys at
    # once (sorted by sub-type first) would give.
    for sub in sorted(table.by_sub, key=table.subs.values.__getitem__):
        table.forget_ints()  # one sub-type's values at a time
        block = np.frombuffer(table.by_sub[sub], dtype=np.int32)
        block = block[np.lexsort((start_col[block], doc_ranks[doc_col[block]], day_col[block], prec_col[block]))]
        # Positions as a typed array (4 bytes each, an int made on each read), and one MergeKey
        # per key of this sub-type only (the largest sub-type's are most of the peak).
        positions = array("i", block.astype(np.int32).tobytes())
        keys = [table.get(i) for i in positions]
        for c in cluster_keys(keys, distance_km, ordered=True):
            c.sort(key=lambda i: _member_order(keys[i]))
            members_flat.extend(positions[i] for i in c)
            offsets.append(len(members_flat))
            p = keys[c[0]]
            loc_key = _location_key(keys, c)
            where = loc_key.loc_name or p.place_name
            iso3 = loc_key.iso3
            if iso3 is None:
                country = table.countries.get(table.doc_ids.code(p.doc_id))
                code = country_iso3s.get(country)
                if code is None:
                    code = country_iso3s[country] = iso3s.code(country_iso3(country))
            else:
                code = iso3s.code(iso3)
            iso3_code.append(code)
            day_key.append(p.day if p.day > 0 else _NO_DAY)
            month13.append(p.month or 13)
            mday32.append(p.mday or 32)
            lower_code.append(lowers.code(where.lower()))
            sub_code.append(sub)
            docid_code.append(table.doc_ids.code(p.doc_id))
            start.append(p.start)
            first_day.append(p.day)
            loc_prec.append(loc_key.geo_prec)
        keys.clear()  # before the next sub-type's keys are made
    table.forget_ints()
    n = len(iso3_code)

    def col(a: array) -> np.ndarray:
        return np.asarray(a, dtype=np.int32) if n else np.zeros(0, dtype=np.int32)

    iso3_arr = col(iso3_code)

    # Event-id order: (day, month, day of month, place name, sub-type, article, position).
    id_order = np.lexsort((
        col(start), doc_ranks[col(docid_code)], table.subs.ranks()[col(sub_code)],
        lowers.ranks()[col(lower_code)], col(mday32), col(month13), col(day_key),
    )) if n else np.zeros(0, dtype=np.int64)
    del day_key, month13, mday32, lower_code, sub_code, docid_code, start  # only the sort read them
    id_rank: np.ndarray = np.zeros(n, dtype=np.int32)
    id_rank[id_order] = np.arange(n, dtype=np.int32)
    # Each country's events numbered 1, 2, ... in event-id order, on the arrays: as a loop over
    # the order as Python ints it cost ~36 bytes per cluster at the plan's peak.
    numbers: np.ndarray = np.zeros(n, dtype=np.int32)
    if n:
        codes = iso3_arr[id_order]
        by_code = np.argsort(codes, kind="stable")  # a country's events stay in event-id order
        grouped = codes[by_code]
        firsts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
        sizes: np.ndarray = np.diff(np.append(firsts, n))
        numbers[id_order[by_code]] = np.arange(1, n + 1) - np.repeat(firsts, sizes)
        del codes, by_code, grouped, firsts, sizes
    del id_order
    # Row order: dated first, by day, then place precision, country, number.
    days = col(first_day)
    row_order = np.lexsort((
        numbers, iso3s.ranks()[iso3_arr], col(loc_prec),
        np.maximum(days, 0), (days <= 0).astype(np.int32),
    )).astype(np.int32) if n else np.zeros(0, dtype=np.int32)
    return CorpusPlan(np.asarray(offsets, dtype=np.int32), members_flat, iso3_arr,
                      [v or "" for v in iso3s.values], numbers, id_rank, row_order)
