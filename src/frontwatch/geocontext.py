"""Geocoding, the per-run and per-article state: the places a run derives (``PlaceMemory``) and
what one article tells about where its places are (``GeocodeContext``: its picks' points,
regions and dominant countries, with the memos that keep what ranking reads of them).
See geocode.py's docstring for the whole stage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .gazetteer import NAME_MEMO_SIZE, GazEntry
from .geometry import basemap_country_rings
from .georank import GeocodeResources, _dominant_terms
from .model import Location
from .names import normalise

DOMINANT_SHARE = 0.4  # share of an article's first-pass places that makes a country dominant
# Places too large to say where an article's other places are (not used for proximity).
COARSE_CODES = frozenset({"PCLI", "CONT", "ADM1", "RGN", "OCN", "SEA", "GULF", "BRDR"})


# --------------------------------------------------------------------------------------------
# Per-run state
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class RememberedPlace:
    """A place the text located (not the gazetteer), and the evidence for it."""

    name: str
    location: Location
    evidence: str  # "doc-id: 'Ubaydi town 15km east of al-Qa'im'"


@dataclass(slots=True)
class PlaceMemory:
    """Places derived during a run, by normalised name, shared by every article of the batch."""

    places: dict[str, RememberedPlace] = field(default_factory=dict)
    borders: dict[tuple[str, str], tuple[float, float] | None] = field(default_factory=dict)
    _basemap: dict[int, list[list[tuple[float, float]]]] | None = None
    # normalise() of gazetteer names, for the run: ranking compares the same candidates' names
    # for every mention of a place, in every article.
    _keys: dict[str, str] = field(default_factory=dict)

    def key(self, name: str) -> str:
        """``normalise(name)``, computed once per name for the run."""
        k = self._keys.get(name)
        if k is None:
            if len(self._keys) >= NAME_MEMO_SIZE:
                self._keys.clear()  # bounded, like the gazetteer's own name memo
            k = self._keys[name] = normalise(name)
        return k

    def remember(self, name: str, loc: Location, evidence: str) -> None:
        key = self.key(name)
        if key and key not in self.places:
            self.places[key] = RememberedPlace(name, loc, evidence)

    def get(self, name: str) -> RememberedPlace | None:
        return self.places.get(self.key(name))

    def basemap(self) -> dict[int, list[list[tuple[float, float]]]]:
        """Country outer rings by ISO numeric, read once per run from the bundled basemap."""
        if self._basemap is None:
            self._basemap = {num: [[(y, x) for x, y in ring] for ring in rings]
                             for num, rings in basemap_country_rings().items()}
        return self._basemap


@dataclass(slots=True)
class _Tally:
    """Countries of an article's first-pass picks, in all and by name key (``GeocodeContext.dominant``)."""

    of: list[tuple[str, str]]  # the name_countries list tallied ...
    n: int = 0  # ... up to here
    total: dict[str, int] = field(default_factory=dict)
    by_key: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(slots=True)
class GeocodeContext:
    """What one article tells about where its places are."""

    country: str | None = None  # ISO alpha-2 the article is about
    points: dict[str, tuple[float, float]] = field(default_factory=dict)  # name key → point
    countries: Counter[str] = field(default_factory=Counter)  # countries of its places
    # (name key, country) of each first-pass pick: a name's own mentions must not vote for the
    # country of its own candidates (a capital named five times would outvote everything).
    name_countries: list[tuple[str, str]] = field(default_factory=list)
    place_countries: set[str] = field(default_factory=set)  # countries of its towns, sites, areas
    provinces: dict[str, tuple[str, str]] = field(default_factory=dict)  # name key → (cc, admin1)
    memory: PlaceMemory = field(default_factory=PlaceMemory)
    doc_id: str = ""
    res: GeocodeResources | None = None
    # dominant() by excluded key, and the tally it is computed from, kept while name_countries
    # is the same list (it is only ever appended to): every rank call asks, and the seeding pass
    # appends one pick at a time.
    _dominant: dict[str, tuple[dict[str, float], frozenset[tuple[str, bool]]]] = field(
        default_factory=dict, repr=False, compare=False)
    _tally: _Tally | None = field(default=None, repr=False, compare=False)
    # other_places() by excluded key, kept while points and provinces equal the copies taken
    # with them (they are changed in place, replaced and overwritten in several passes, so
    # compared, not tracked): every rank call asks, mostly in an unchanged context, and
    # building and hashing the sets anew was about 2% of the corpus stages.
    _others: dict[str, tuple[frozenset, frozenset]] = field(default_factory=dict, repr=False, compare=False)
    _others_of: tuple[dict, dict] = field(default_factory=lambda: ({}, {}), repr=False, compare=False)

    def dominant(self, exclude: str = "") -> dict[str, float]:
        """Countries holding at least ``DOMINANT_SHARE`` of the article's first-pass places → share,
        leaving out the mentions of the name ``exclude`` (a normalised key).  The dict returned
        may be shared between calls: read it, do not change it."""
        return self.dominant_terms(exclude)[0]

    def note_pick(self, key: str, e: GazEntry) -> bool:
        """Take a first-pass pick (an exact gazetteer hit for the name ``key``) into the context;
        True when it changed the name's region."""
        if e.fcode not in COARSE_CODES:
            self.points.setdefault(key, (e.lat, e.lon))
            if e.cc:
                self.place_countries.add(e.cc)
        if e.cc:
            self.countries[e.cc] += 1
            self.name_countries.append((key, e.cc))
        if e.cc and e.admin1_name and e.fcode != "PCLI":
            province = (e.cc, e.admin1_name)
            if self.provinces.get(key) != province:
                self.provinces[key] = province
                return True
        return False

    def other_places(self, own: str) -> tuple[frozenset[tuple[float, float]], frozenset[tuple[str, str]]]:
        """The points and regions of the article's places, those of the name key ``own`` left
        out, as sets (the ranking reads only which there are, and keys its memo with them)."""
        pts, provs = self.points, self.provinces
        seen_pts, seen_provs = self._others_of
        if pts != seen_pts or provs != seen_provs:
            self._others.clear()
            self._others_of = (dict(pts), dict(provs))
        hit = self._others.get(own)
        if hit is None:
            points = frozenset(p for k, p in pts.items() if k != own) if own in pts else frozenset(pts.values())
            provinces = (frozenset(v for k, v in provs.items() if k != own) if own in provs
                         else frozenset(provs.values()))
            hit = self._others[own] = (points, provinces)
        return hit

    def dominant_terms(self, exclude: str = "") -> tuple[dict[str, float], frozenset[tuple[str, bool]]]:
        """``dominant(exclude)`` and its ``_dominant_terms`` (what the ranking reads of it)."""
        nc = self.name_countries
        if not nc:
            shares = self._shares(self.countries)
            return shares, _dominant_terms(shares)
        t = self._tally
        if t is None or t.of is not nc or t.n > len(nc):
            t = self._tally = _Tally(nc)
        if t.n != len(nc):
            total, by_key = t.total, t.by_key
            for k, cc in nc[t.n:]:
                total[cc] = total.get(cc, 0) + 1
                own = by_key.get(k)
                if own is None:
                    own = by_key[k] = {}
                own[cc] = own.get(cc, 0) + 1
            t.n = len(nc)
            self._dominant.clear()
        hit = self._dominant.get(exclude)
        if hit is None:
            hit = self._dominant[exclude] = _dominance(t.total, t.by_key.get(exclude))
        return hit

    @staticmethod
    def _shares(counts: dict[str, int]) -> dict[str, float]:
        total = sum(counts.values())
        if total < 2:
            return {}
        return {cc: n / total for cc, n in counts.items() if n / total >= DOMINANT_SHARE}


def _dominance(counts: dict[str, int], own: dict[str, int] | None
               ) -> tuple[dict[str, float], frozenset[tuple[str, bool]]]:
    """``GeocodeContext._shares`` of ``counts`` less ``own`` (the counts of the other names'
    picks: all picks less the name's own), and their ``_dominant_terms``, without building the
    difference first: the seeding pass asks after every pick.  Each share is the same division."""
    total = sum(counts.values())
    if own is not None:
        total -= sum(own.values())  # own counts are part of counts: the sum of the differences
    if total < 2:
        return {}, frozenset()
    shares = {}
    for cc, n in counts.items():
        if own is not None:
            n -= own.get(cc, 0)
        share = n / total
        if share >= DOMINANT_SHARE:  # (a country left with no pick has share 0: never kept)
            shares[cc] = share
    return shares, _dominant_terms(shares)
