"""Corpus stage: one event from many reports.

* :func:`merge_events` turns the events of all articles into corpus events in ACLED's unit
  (day, place, sub-type): every report of one capture becomes one event that lists all its
  source documents and outlets, keeps each source's evidence and fatality figure, and gets a
  stable ``event_id_cnty`` (ISO3 + running number).
* The dates that only the corpus can give (``infer_corpus_dates``) live in corpusdates.py and
  are importable from here as before.

Clustering reads only a compact :class:`MergeKey` per event (``cluster_keys``); the ids and the
exports' row order come from the keys too (``mergeplan.plan_corpus``, which holds the keys as
columns); only then is each merged event built from its members' full reports
(``build_merged``), so that the streaming pipeline (corpus.py) holds keys, not events.

Hand-written because it is domain logic (which differences between two reports still mean
the same event); the generic parts come from libraries (pycountry for ISO codes, PyYAML for
the place-name rules). Merging is greedy clustering over blocks keyed by sub-type, day and a
place key (gazetteer id, normalised name, or a ~5 km grid cell), so it stays near-linear:
each event only looks at the clusters of its own block and the neighbouring days and cells.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import cast

import pycountry

from . import yamlio
from .errors import ConfigError
from .model import Document, Event, Evidence, Location

# Two located points closer than this are one place when both are exact (geo_precision 1)
# and come from different articles (transliterations that the gazetteer did not unify).
MERGE_DISTANCE_KM = 5.0
# Same name but farther apart than this: homonyms (two villages called Rawa), not one place.
SAME_NAME_MAX_KM = 50.0
# Half-width in days of the window a time_precision implies (ACLED: 1 day, 2 week, 3 month).
# Two dated reports are compatible when their days differ by at most the sum of both halves:
# two day-precise reports of one capture must agree on the day, as ACLED's unit is the day.
DATE_SLACK_DAYS = {1: 0, 2: 3, 3: 15}
EARTH_RADIUS_KM = 6371.0
_APOSTROPHES = "'`\u2018\u2019\u02bc\u02bb\u02be\u02bf\u00b4"

# The corpus-dates step lives in corpusdates.py (it uses this module's place keys); its names are
# still importable from here, as they were, without an import cycle.
_DATES_NAMES = frozenset({"infer_corpus_dates", "corpus_span", "year_in_span", "CorpusDates",
                          "has_undated_events", "wanted_keys", "CORPUS_SPAN_SLACK_DAYS"})


def _dates_getattr(name: str):
    if name in _DATES_NAMES:
        from . import corpusdates

        return getattr(corpusdates, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Assigned, not defined as ``def __getattr__``: a compiled module (mypyc) has its functions
# before its globals and asks itself for ``__file__`` in between, which must not reach this.
__getattr__ = _dates_getattr


@dataclass(frozen=True)
class PlaceNameRules:
    """Compiled rules to reduce a place name to a comparison key (see ``place_names.yaml``)."""

    version: str
    article_re: re.Pattern[str]
    descriptor_re: re.Pattern[str]
    feature_re: re.Pattern[str]
    features: dict[str, str]

    def key(self, name: str | None, descriptor: str | None = None) -> str:
        """The comparison key of a place name (and its descriptor, as the extractor split it):
        "al-Qa'im city" and "Al Qaim" give "qaim"; "Jihash valleys" and "Jihash Valley" give
        "jihashvalley", which differs from "Jihash"."""
        if not name:
            return ""
        if descriptor and descriptor.lower() not in name.lower():
            name = f"{name} {descriptor}"
        s = unicodedata.normalize("NFKD", name)
        s = "".join(c for c in s if not unicodedata.combining(c))
        s = s.lower()
        for a in _APOSTROPHES:
            s = s.replace(a, "")
        s = self.article_re.sub(" ", s)
        s = self.feature_re.sub(lambda m: " " + self.features[" ".join(m.group(0).split())] + " ", s)
        s = self.descriptor_re.sub(" ", s)
        s = re.sub(r"[^0-9a-z]+", "", s)
        if not s:  # a name that is only descriptors ("the city"): keep it rather than lose it
            s = re.sub(r"[^0-9a-z]+", "", name.lower())
        return s


def _alternation(words: Iterable[str]) -> str:
    # Longest first so that "border crossing" goes before "crossing"; a space matches any run.
    ws = sorted(set(words), key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in ws) or "(?!)"


def load_place_name_rules(extra: Iterable[Path] = ()) -> PlaceNameRules:
    """Load ``data/place_names.yaml`` plus users' files (their lists are added) and compile."""
    texts = [("place_names.yaml", resources.files("frontwatch").joinpath("data/place_names.yaml").read_text("utf-8"))]
    for p in extra:
        try:
            texts.append((str(p), Path(p).read_text("utf-8")))
        except OSError as exc:
            raise ConfigError(f"cannot read place-name rules {p}: {exc.strerror}") from None
    articles: list[str] = []
    descriptors: list[str] = []
    features: dict[str, str] = {}
    version = ""
    for name, text in texts:
        data = yamlio.load_mapping(text, str(name), need_version=True)
        version = version or str(data["version"])
        for key, target in (("articles", articles), ("descriptors", descriptors)):
            vals = data.get(key) or []
            if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
                raise ConfigError(f"{name}: '{key}' must be a list of strings")
            target.extend(v.lower().strip() for v in vals if v.strip())
        feats = data.get("features") or {}
        if not isinstance(feats, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in feats.items()):
            raise ConfigError(f"{name}: 'features' must map words to their one spelling")
        features.update({" ".join(k.lower().split()): re.sub(r"[^0-9a-z]", "", v.lower()) for k, v in feats.items()})
    arts = "|".join(sorted({re.escape(a) for a in articles}, key=len, reverse=True)) or "(?!)"
    return PlaceNameRules(
        version=version,
        article_re=re.compile(rf"(?:^|(?<=[\s(\-]))(?:{arts})(?:[\s\-]+)(?=\w)"),
        descriptor_re=re.compile(rf"\b(?:{_alternation(descriptors)})\b"),
        feature_re=re.compile(rf"\b(?:{_alternation(features)})\b"),
        features=features,
    )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def event_place_names(event: Event, rules: PlaceNameRules, memo: dict | None = None) -> frozenset[str]:
    """The comparison keys of every name the event's place goes by (mention and gazetteer).
    ``memo`` (a dict the caller keeps for one run) saves recomputing the keys of repeated names."""
    memo = {} if memo is None else memo

    def key(name: str, descriptor: str | None = None) -> str:
        k = memo.get((name, descriptor))
        if k is None:
            k = memo[(name, descriptor)] = rules.key(name, descriptor)
        return k

    names = set()
    if event.place is not None:
        names.add(key(event.place.name, event.place.descriptor))
    # The gazetteer's name is the place's own only for an exact hit: for "near X" (precision 2)
    # or a region (3) it names the anchor, and two features near one town are not one place.
    if event.location is not None and event.location.geo_precision in (1, None):
        names.add(key(event.location.name))
    names.discard("")
    return frozenset(names)


def exact_gazetteer_id(loc: Location | None) -> str | None:
    """The gazetteer id of a location that *is* the place (geo_precision 1, or unknown).
    For "10 km south of X" or a region the geocoder reports X's or the region's entry, which
    many different places share, so it does not identify the place."""
    if loc is None or not loc.gazetteer_id or loc.geo_precision not in (1, None):
        return None
    return loc.gazetteer_id


def place_identity(event: Event, rules: PlaceNameRules) -> str:
    """One key for where an event is: ``gaz:<id>`` when located exactly, else ``name:<key>``."""
    loc = event.location
    if exact_gazetteer_id(loc):
        return f"gaz:{exact_gazetteer_id(loc)}"
    if event.place is not None and rules.key(event.place.name, event.place.descriptor):
        return f"name:{rules.key(event.place.name, event.place.descriptor)}"
    if loc is not None and rules.key(loc.name):
        return f"name:{rules.key(loc.name)}"
    return ""


# --------------------------------------------------------------------------- merging


@dataclass(slots=True)
class MergeKey:
    """What clustering needs of one event, and no more: a corpus's events are clustered as these
    compact keys, and each merged event is then built from its members' full records, loaded a
    cluster at a time (see :func:`merge_events` for the rules)."""

    sub: str  # sub_event_type
    prec: int  # time_precision, 1 when unknown
    day: int  # _day_key: ordinal day, or a negative code of the year-less (month, day)
    month: int | None  # date_month
    mday: int | None  # date_day
    doc: int  # the document's number in the run (two events of one article: same number)
    doc_id: str
    start: int  # evidence sentence start (an order key)
    names: frozenset[str]
    gaz: str | None  # exact gazetteer id
    point: tuple[float, float] | None
    exact: bool  # geo_precision 1: the point is the place itself
    geo_prec: int  # location.geo_precision, 9 when unknown (an order key)
    confidence: float
    loc_name: str  # the location's name ("" without one): names the merged event for its id
    place_name: str
    iso3: str | None  # the country of its own location, None when the location gives none


def merge_key(e: Event, doc: int, rules: PlaceNameRules, memo: dict) -> MergeKey:
    """The compact key of event ``e`` of the document numbered ``doc``.  ``memo`` is a dict the
    caller keeps for the run (name keys, name sets and countries repeat across the corpus)."""
    loc = e.location
    pt = (loc.latitude, loc.longitude) if loc and loc.latitude is not None and loc.longitude is not None else None
    names = event_place_names(e, rules, memo)
    # Values that repeat across the corpus (a place's name set and point, a day, a confidence)
    # are shared, one object each: a key then costs little more than its own slots.
    names = memo.setdefault(("names", names), names)
    if pt is not None:
        pt = memo.setdefault(("point", pt), pt)
    day = _day_key(e)
    return MergeKey(
        sub=e.sub_event_type, prec=_precision(e), day=memo.setdefault(("day", day), day),
        month=e.date_month, mday=e.date_day,
        doc=doc, doc_id=e.doc_id, start=e.evidence.sentence.start if e.evidence else 0,
        names=names, gaz=exact_gazetteer_id(loc), point=pt, exact=bool(loc and loc.geo_precision == 1 and pt),
        geo_prec=(loc.geo_precision or 9) if loc else 9,
        confidence=memo.setdefault(("confidence", e.confidence), e.confidence),
        loc_name=loc.name if loc else "", place_name=e.place.name if e.place else "",
        iso3=_location_iso3(loc, memo),
    )


@dataclass(slots=True)
class SourceReport:
    """One source's event with what merging reads of its article (outlet, hash, ids, and the
    evidence sentence and number as the article wrote them), so that a merged event can be built
    without the articles themselves."""

    event: Event
    doc_id: str  # the article's id (its events carry it too)
    page_id: str
    outlet: str | None
    content_hash: str
    sentence: str  # the evidence sentence, lower-cased, whitespace normalised ("" without one)
    number: str  # the fatality number's words ("" without one)

    @property
    def located(self) -> bool:
        loc = self.event.location
        return loc is not None and loc.latitude is not None and loc.longitude is not None


def source_report(e: Event, doc: Document) -> SourceReport:
    """``e`` of ``doc`` as merging reads it."""
    ev = e.evidence
    sentence = " ".join(ev.sentence.of(doc.text).lower().split()) if ev is not None else ""
    number = " ".join(ev.number.of(doc.text).split())[:80] if ev is not None and ev.number is not None else ""
    return SourceReport(e, doc.id, doc.page_id, doc.outlet, doc.content_hash, sentence, number)


def _precision(e: Event) -> int:
    return e.time_precision if e.time_precision in DATE_SLACK_DAYS else 1


def _slack(e: Event) -> int:
    return DATE_SLACK_DAYS[_precision(e)]


def _day_key(e: Event) -> int:
    """Ordinal day for dated events; a negative code of (month, day) for undated ones."""
    if e.event_date is not None:
        return e.event_date.toordinal()
    return -((e.date_month or 0) * 40 + (e.date_day or 0) + 1)


def _cell(lat: float, lon: float, size_deg: float) -> tuple[int, int]:
    return (math.floor(lat / size_deg), math.floor(lon / size_deg))


def _same_place(a: MergeKey, b: MergeKey, distance_km: float) -> bool:
    dist = haversine_km(*a.point, *b.point) if a.point and b.point else None
    if a.names & b.names:
        return dist is None or dist <= SAME_NAME_MAX_KM
    if a.doc == b.doc or a.doc_id == b.doc_id:
        return False  # one article naming two places means two places
    if a.gaz and a.gaz == b.gaz and a.exact and b.exact:
        return True
    return dist is not None and a.exact and b.exact and dist <= distance_km


def _same_time(a: MergeKey, b: MergeKey) -> bool:
    if a.day > 0 and b.day > 0:
        return abs(a.day - b.day) <= DATE_SLACK_DAYS[a.prec] + DATE_SLACK_DAYS[b.prec]
    if a.day <= 0 and b.day <= 0:
        return (a.month, a.mday) == (b.month, b.mday)
    return False


def merge_events(
    docs: list[Document],
    rules: PlaceNameRules | None = None,
    *,
    distance_km: float = MERGE_DISTANCE_KM,
) -> list[Event]:
    """Merge the events of all documents into corpus events, one per (day, place, sub-type).

    Events agree when the sub-type is equal, the days agree within the window their
    ``time_precision`` implies (see ``DATE_SLACK_DAYS``), and the place is the same: a shared
    name key (unless the points are farther apart than ``SAME_NAME_MAX_KM``), or — for reports
    from different articles — the same gazetteer entry or exact points within ``distance_km``.
    Most precise reports found clusters first; vaguer ones join the nearest compatible cluster,
    so a month-precise report cannot chain two different days together.

    Returns new ``Event`` objects (inputs are not changed), sorted by ``event_id``, with
    ``source_documents``, ``sources`` (outlets), ``source_count`` (independent reports: reposts
    count once), ``outlet_count``, ``evidence_all``, ``fatalities_by_source`` and merged
    fatalities (best = lowest figure, ACLED's conservative choice; low/high = the range).

    The in-memory form of the corpus stage: ``merge_key``, ``mergeplan.plan_corpus`` and
    ``build_merged`` are its steps, which the streaming pipeline runs over the store.
    """
    # mergeplan builds on this module's keys and clustering: imported here, not at the top.
    from .mergeplan import KeyTable, plan_corpus

    rules = rules or load_place_name_rules()
    memo: dict = {}
    table = KeyTable()
    reports: list[SourceReport] = []
    for n, doc in enumerate(docs):
        table.set_country(doc.id, doc.country)
        for e in doc.events:
            table.add(merge_key(e, n, rules, memo))
            reports.append(source_report(e, doc))
    plan = plan_corpus(table, distance_km)
    merged = [build_merged([reports[i] for i in plan.members(c)], plan.event_id(c)) for c in range(len(plan))]
    merged.sort(key=lambda e: _id_sort_key(e))
    return merged


def cluster_keys(keys: list[MergeKey], distance_km: float = MERGE_DISTANCE_KM, *,
                 ordered: bool = False) -> list[list[int]]:
    """Greedy clustering of events (as keys, in corpus order) into corpus events: each cluster
    is the list of its members' positions in ``keys``, anchor first, in the order they joined.
    ``ordered``: the keys already come sorted by (sub-type, precision, day, article, position),
    the order clustering takes them in."""
    size_deg = distance_km / 111.0
    order: Iterable[int] = range(len(keys)) if ordered else sorted(range(len(keys)), key=lambda i: (
        keys[i].sub, keys[i].prec, keys[i].day, keys[i].doc_id, keys[i].start))
    clusters: list[list[int]] = []
    # place key -> anchor day -> the cluster (an int) or clusters (a list) anchored there with
    # a member at that place: nested, and a lone cluster stored bare, because at corpus scale
    # this index holds a few entries per event of the largest sub-type.
    index: dict[tuple, dict[int, int | list[int]]] = {}
    # The keys a place looks up (its names, id and the cells around its point), per place:
    # most events are at a place other events of their sub-type were at before.
    lookups: dict[tuple, list[tuple]] = {}
    # The clustered keys of each article (of the sub-type) and each key's cluster: the check
    # that an article does not name two places in one cluster reads its own few keys, not
    # every member of every candidate cluster (clusters grow with the corpus: a corpus twice
    # as large retells its events twice as often, and that scan grew with the square).
    of_doc: dict[str, list[int]] = {}
    cluster_of = array("i", bytes(4 * len(keys)))
    sub = None

    def keys_of(m: MergeKey, lookup: bool) -> list[tuple]:
        ks: list[tuple] = [("n", n) for n in m.names]
        if m.gaz:
            ks.append(("g", m.gaz))
        if m.point:
            ci, cj = _cell(*m.point, size_deg)
            if lookup:
                # A cell is size_deg wide in longitude, i.e. fewer km away from the equator.
                span = min(360, math.ceil(1 / max(math.cos(math.radians(m.point[0])), 1e-3)))
                ks.extend(("c", ci + di, cj + dj) for di in (-1, 0, 1) for dj in range(-span, span + 1))
            else:
                ks.append(("c", ci, cj))
        return ks

    for i in order:
        m = keys[i]
        if m.sub != sub:
            # Blocks are per sub-type and the keys come sorted by it: the last sub-type's block
            # is never looked up again, so its index is dropped (memory stays per sub-type).
            index.clear()
            lookups.clear()
            of_doc.clear()
            sub = m.sub
        dk = m.day
        slack = DATE_SLACK_DAYS[m.prec]
        # Anchors were sorted first, so they are at least as precise: 2 * own slack covers both.
        days = range(dk - 2 * slack, dk + 2 * slack + 1) if dk > 0 else (dk,)
        cand: set[int] = set()
        place = (m.names, m.gaz, m.point)
        looked = lookups.get(place)
        if looked is None:
            looked = lookups[place] = keys_of(m, lookup=True)
        for k in looked:
            by_day = index.get(k)
            if by_day is None:
                continue
            for d in days:
                v = by_day.get(d)
                if v is None:
                    continue
                if type(v) is int:
                    cand.add(v)
                else:
                    cand.update(cast("list[int]", v))  # (mypy does not narrow on type(v) is int)
        best: tuple | None = None
        own = of_doc.get(m.doc_id, ())  # the article's keys clustered so far
        for ci in cand:
            c = clusters[ci]
            anchor = keys[c[0]]
            if not _same_time(anchor, m):
                continue
            if not any(_same_place(m, keys[o], distance_km) for o in c):
                continue
            if any(cluster_of[o] == ci and not (keys[o].names & m.names) for o in own):
                continue  # the article distinguishes this place from one already in the cluster
            gap = abs(dk - anchor.day)
            if best is None or (gap, ci) < best:
                best = (gap, ci)
        if best is None:
            clusters.append([i])
            ci = len(clusters) - 1
        else:
            ci = best[1]
            clusters[ci].append(i)
        cluster_of[i] = ci
        of_doc.setdefault(m.doc_id, []).append(i)
        anchor_day = keys[clusters[ci][0]].day
        for k in keys_of(m, lookup=False):
            by_day = index.get(k)
            if by_day is None:
                by_day = index[k] = {}
            v = by_day.get(anchor_day)
            if v is None:
                by_day[anchor_day] = ci
            elif type(v) is int:
                if v != ci:
                    by_day[anchor_day] = [v, ci]
            else:
                cands = cast("list[int]", v)
                if cands[-1] != ci:
                    cands.append(ci)
    index.clear()
    lookups.clear()
    of_doc.clear()
    return _attach_undated(keys, clusters, distance_km)


def _attach_undated(keys: list[MergeKey], clusters: list[list[int]], distance_km: float) -> list[list[int]]:
    """An event with no date at all ("after the army took X", told in passing) joins the dated
    event of the same sub-type and place when exactly one exists: it is that event retold.
    With none, or several (which one?), it stays on its own, undated."""
    dated_by_key: dict[tuple, set[int]] = defaultdict(set)
    for ci, c in enumerate(clusters):
        if keys[c[0]].day <= 0:
            continue
        for i in c:
            m = keys[i]
            for n in m.names:
                dated_by_key[(m.sub, "n", n)].add(ci)
            if m.gaz:
                dated_by_key[(m.sub, "g", m.gaz)].add(ci)
    absorbed: set[int] = set()
    for ci, c in enumerate(clusters):
        a = keys[c[0]]
        if a.day > 0 or a.month is not None:
            continue
        cand: set[int] = set()
        for i in c:
            m = keys[i]
            for n in m.names:
                cand |= dated_by_key.get((a.sub, "n", n), set())
            if m.gaz:
                cand |= dated_by_key.get((a.sub, "g", m.gaz), set())
        # Up to two fits: a second already means "which one?" (the dated events of a place
        # grow with the corpus, and testing them all grew with its square).
        fits = list(itertools.islice((t for t in sorted(cand) if any(
            _same_place(keys[m], keys[o], distance_km) for m in c for o in clusters[t])), 2))
        if len(fits) == 1:
            clusters[fits[0]].extend(c)
            absorbed.add(ci)
    return [c for ci, c in enumerate(clusters) if ci not in absorbed]


def _report_groups(ms: list[SourceReport]) -> list[list[SourceReport]]:
    """Group members into independent reports: reposts of one article count once."""
    groups: list[list[SourceReport]] = []
    # Per group, kept as it grows: its members' doc ids, and its first member's normalised
    # outlet (a cluster of hundreds of reports compared every member with every group).
    doc_ids: list[set[str]] = []
    norms: list[str | None] = []  # computed when first compared
    for m in ms:
        doc_id = m.event.doc_id
        norm: str | None = None
        for i, (g, ids) in enumerate(zip(groups, doc_ids, strict=True)):
            o = g[0]
            if doc_id in ids:
                g.append(m)
                break
            if not (m.outlet and o.outlet):
                continue
            if m.outlet != o.outlet:
                if norm is None:
                    norm = _norm_outlet(m.outlet)
                if norms[i] is None:
                    norms[i] = _norm_outlet(o.outlet)
                if norm != norms[i]:
                    continue
            same_hash = bool(m.content_hash) and m.content_hash == o.content_hash
            same_sentence = bool(m.sentence) and m.sentence == o.sentence
            repost_part = m.doc_id != m.page_id or o.doc_id != o.page_id
            if same_hash or same_sentence or repost_part:
                g.append(m)
                ids.add(doc_id)
                break
        else:
            groups.append([m])
            doc_ids.append({doc_id})
            norms.append(None)
    return groups


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _norm_outlet(o: str | None) -> str:
    return _NOT_ALNUM.sub("", (o or "").lower())


def _join_unique(values: Iterable[str], exclude: Iterable[str] = ()) -> str:
    seen = dict.fromkeys(v.strip() for part in values for v in part.split(";") if v.strip())
    for x in exclude:
        seen.pop(x, None)
    return "; ".join(seen)


def build_merged(ms: list[SourceReport], event_id: str = "", *, in_place: bool = False) -> Event:
    """One corpus event from its members' reports, primary report first (see
    :func:`mergeplan.plan_corpus`).  ``in_place=True`` makes the primary report's event itself
    the merged event, for a caller whose member events are its own throwaway copies (the
    streaming pipeline decodes them for this call): the same event without copying it."""
    # Most clusters are one report (five in six at 10k pages): their fields come from the
    # rules' one-member case, without the grouping and joins (a third of the time).
    merged = single_report_fields(ms[0], event_id) if len(ms) == 1 else _merged_fields(ms, event_id)
    p = ms[0].event
    if not in_place:
        return replace(p, **merged)
    for name, value in merged.items():
        setattr(p, name, value)
    return p


def _merged_fields(ms: list[SourceReport], event_id: str) -> dict:
    """The fields ``build_merged`` sets on the primary report's event, by the general rules."""
    p = ms[0].event
    # The primary's location, unless it has no point and another member has one.
    location = p.location
    if not ms[0].located:
        location = next((m.event.location for m in ms if m.located), location)
    # Most clusters are one report (five in six at 10k pages): it is its own group.
    groups = [ms] if len(ms) == 1 else _report_groups(ms)

    source_documents = list(dict.fromkeys(m.event.doc_id for m in ms))
    evidence_all: dict[str, Evidence] = {}
    for m in ms:
        if m.event.evidence is not None:
            evidence_all.setdefault(m.event.doc_id, m.event.evidence)
    outlets = list(dict.fromkeys(m.outlet for m in ms if m.outlet))
    # Outlets count once per normalised name; one outlet needs no normalising to count once.
    n_outlets = len({_norm_outlet(o) for o in outlets}) if len(outlets) > 1 else len(outlets)
    no_outlet_groups = sum(1 for g in groups if not any(m.outlet for m in g))

    a1 = p.actor1
    a2 = p.actor2
    assoc1 = _join_unique([p.assoc_actor_1] + [m.event.actor1 for m in ms[1:]] + [m.event.assoc_actor_1 for m in ms[1:]], exclude=[a1, a2])
    assoc2 = _join_unique([p.assoc_actor_2] + [m.event.actor2 for m in ms[1:]] + [m.event.assoc_actor_2 for m in ms[1:]], exclude=[a1, a2] + assoc1.split("; "))

    by_source: dict[str, int] = {}
    lows: list[int] = []
    highs: list[int] = []
    said: list[str] = []
    # A label shared by two groups gets their doc ids; one group's label is its own.
    label_count = Counter(_source_label(g[0]) for g in groups) if len(groups) > 1 else None
    for g in groups:
        fm = next((m for m in g if m.event.fatalities is not None), None)
        if fm is None:
            continue
        fe = fm.event
        label = _source_label(fm) if label_count is None or label_count[_source_label(g[0])] == 1 else f"{_source_label(fm)} ({fe.doc_id})"
        by_source[label] = fe.fatalities  # type: ignore[assignment]
        lows.append(fe.fatalities_low if fe.fatalities_low is not None else fe.fatalities)  # type: ignore[arg-type]
        highs.append(fe.fatalities_high if fe.fatalities_high is not None else fe.fatalities)  # type: ignore[arg-type]
        words = fm.number
        said.append(f"{label} reported {words} ({fe.fatalities})" if words and words != str(fe.fatalities) else f"{label} reported {fe.fatalities}")
    for m in ms:  # a single source may already carry per-source figures from an earlier merge
        for k, v in m.event.fatalities_by_source.items():
            by_source.setdefault(k, v)
    notes = [n for n in dict.fromkeys(m.event.notes.strip() for m in ms) if n]
    if len(set(by_source.values())) > 1:
        notes.append("Fatality figures differ: " + "; ".join(said) + f". Coded the lowest, {min(by_source.values())}.")

    merged = dict(
        event_id=event_id,
        location=location,
        assoc_actor_1=assoc1,
        assoc_actor_2=assoc2,
        fatalities=min(by_source.values()) if by_source else p.fatalities,
        fatalities_low=min(lows) if lows else p.fatalities_low,
        fatalities_high=max(highs) if highs else p.fatalities_high,
        fatalities_by_source=by_source,
        tags=list(dict.fromkeys(t for m in ms for t in m.event.tags)),
        notes=" ".join(notes),
        claimed_by=next((m.event.claimed_by for m in ms if m.event.claimed_by), ""),
        source_scale=next((m.event.source_scale for m in ms if m.event.source_scale), ""),
        confidence=max(m.event.confidence for m in ms),
        source_documents=source_documents,
        sources=outlets,
        evidence_all=evidence_all,
        source_count=len(groups),
        outlet_count=n_outlets + no_outlet_groups,
    )
    return merged


def single_report_fields(m: SourceReport, event_id: str) -> dict:
    """``_merged_fields([m], event_id)``, the same values (tests/test_merge.py compares them):
    one report is its own group, its own location, sources and evidence."""
    p = m.event
    a1, a2 = p.actor1, p.actor2
    # _join_unique of an empty string is "" (the test spares the joins for most events).
    assoc1 = _join_unique([p.assoc_actor_1], exclude=[a1, a2]) if p.assoc_actor_1 else ""
    assoc2 = _join_unique([p.assoc_actor_2], exclude=[a1, a2] + assoc1.split("; ")) if p.assoc_actor_2 else ""
    by_source: dict[str, int] = {}
    fat = p.fatalities
    low, high = p.fatalities_low, p.fatalities_high
    said = ""
    if fat is not None:
        label = _source_label(m)
        by_source[label] = fat
        low = low if low is not None else fat
        high = high if high is not None else fat
        words = m.number
        said = f"{label} reported {words} ({fat})" if words and words != str(fat) else f"{label} reported {fat}"
    for k, v in p.fatalities_by_source.items():
        by_source.setdefault(k, v)
    note = p.notes.strip()
    notes = [note] if note else []
    if len(by_source) > 1 and len(set(by_source.values())) > 1:
        notes.append("Fatality figures differ: " + said + f". Coded the lowest, {min(by_source.values())}.")
    return dict(
        event_id=event_id,
        location=p.location,
        assoc_actor_1=assoc1,
        assoc_actor_2=assoc2,
        fatalities=min(by_source.values()) if by_source else fat,
        fatalities_low=low,
        fatalities_high=high,
        fatalities_by_source=by_source,
        tags=list(dict.fromkeys(p.tags)),
        notes=" ".join(notes),
        claimed_by=p.claimed_by or "",
        source_scale=p.source_scale or "",
        confidence=p.confidence,
        source_documents=[p.doc_id],
        sources=[m.outlet] if m.outlet else [],
        evidence_all={p.doc_id: p.evidence} if p.evidence is not None else {},
        source_count=1,
        outlet_count=1,  # its outlet, or its group without one
    )


def _source_label(m: SourceReport) -> str:
    return m.outlet or m.event.doc_id


# --------------------------------------------------------------------------- event ids


def _location_iso3(loc: Location | None, memo: dict | None = None) -> str | None:
    """ISO3 of a location's country (its ISO numeric, else its country code or name)."""
    if loc is None:
        return None
    memo = {} if memo is None else memo
    mk = ("iso3", loc.iso, loc.country)
    if mk in memo:
        return memo[mk]
    c = None
    if loc.iso is not None:
        c = pycountry.countries.get(numeric=f"{loc.iso:03d}")
    if c is None and loc.country:
        code = loc.country.strip()
        c = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
        if c is None and len(code) == 3:
            c = pycountry.countries.get(alpha_3=code.upper())
        if c is None and len(code) > 3:
            try:
                c = pycountry.countries.lookup(code)
            except LookupError:
                c = None
    memo[mk] = c.alpha_3 if c is not None else None
    return memo[mk]


def country_iso3(alpha2: str | None) -> str:
    c = pycountry.countries.get(alpha_2=alpha2.upper()) if alpha2 else None
    return c.alpha_3 if c is not None else "XXX"


def _iso3(e: Event, docs: dict[str, Document]) -> str:
    iso3 = _location_iso3(e.location)
    if iso3 is None:
        doc = docs.get(e.doc_id)
        iso3 = country_iso3(doc.country if doc is not None else None)
    return iso3


def _id_sort_key(e: Event) -> tuple:
    where = (e.location.name if e.location else "") or (e.place.name if e.place else "")
    return (
        e.event_date or date.max, e.date_month or 13, e.date_day or 32, where.lower(),
        e.sub_event_type, e.doc_id, e.evidence.sentence.start if e.evidence else 0,
    )


def assign_event_ids(events: list[Event], docs: dict[str, Document] | None = None) -> None:
    """Give each event an ACLED-style ``event_id_cnty``: ISO3 + running number per country,
    numbered by (date, place, sub-type) so that the same corpus always gets the same ids.
    Events with no country get ``XXX``; undated events are numbered after dated ones."""
    docs = docs or {}
    counters: Counter[str] = Counter()
    for e in sorted(events, key=_id_sort_key):
        iso3 = _iso3(e, docs)
        counters[iso3] += 1
        e.event_id = f"{iso3}{counters[iso3]}"


def date_window(e: Event) -> tuple[date, date] | None:
    """The days an event may fall on given its precision (used by reports and tests)."""
    if e.event_date is None:
        return None
    s = timedelta(days=_slack(e))
    return (e.event_date - s, e.event_date + s)
