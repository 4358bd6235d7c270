"""Corpus stage: dates that only the corpus can give, and one event from many reports.

Two functions, both over the whole corpus rather than one article:

* :func:`infer_corpus_dates` gives a year to the year-less dates of an undated article
  ("On October 26 ...") from dated articles that report the same events.
* :func:`merge_events` turns the events of all articles into corpus events in ACLED's unit
  (day, place, sub-type): every report of one capture becomes one event that lists all its
  source documents and outlets, keeps each source's evidence and fatality figure, and gets a
  stable ``event_id_cnty`` (ISO3 + running number).

Hand-written because it is domain logic (which differences between two reports still mean
the same event); the generic parts come from libraries (pycountry for ISO codes, PyYAML for
the place-name rules). Merging is greedy clustering over blocks keyed by sub-type, day and a
place key (gazetteer id, normalised name, or a ~5 km grid cell), so it stays near-linear:
each event only looks at the clusters of its own block and the neighbouring days and cells.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pycountry

from . import yamlio
from .errors import ConfigError
from .model import DateSource, Document, Event, Location

# Two located points closer than this are one place when both are exact (geo_precision 1)
# and come from different articles (transliterations that the gazetteer did not unify).
MERGE_DISTANCE_KM = 5.0
# Same name but farther apart than this: homonyms (two villages called Rawa), not one place.
SAME_NAME_MAX_KM = 50.0
# Half-width in days of the window a time_precision implies (ACLED: 1 day, 2 week, 3 month).
# Two dated reports are compatible when their days differ by at most the sum of both halves:
# two day-precise reports of one capture must agree on the day, as ACLED's unit is the day.
DATE_SLACK_DAYS = {1: 0, 2: 3, 3: 15}
# A year taken from the corpus is applied to the other year-less dates of the same article
# choosing the year that puts them nearest the matched date (an article spans weeks, not years).
EARTH_RADIUS_KM = 6371.0
# A year-less date that no dated article shares takes the year of the corpus's publication span
# when exactly one year puts it within this many days of the span: a corpus is collected about
# one period of a war, and news reports events of the last weeks.
CORPUS_SPAN_SLACK_DAYS = 45
# Fallback year: four-digit years stated in the article (1900-2099), not parts of longer numbers.
_YEAR_RE = re.compile(r"(?<![\d.,/:-])((?:19|20)\d\d)(?![\d%]|[.,]\d)")
_APOSTROPHES = "'`\u2018\u2019\u02bc\u02bb\u02be\u02bf\u00b4"


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


# --------------------------------------------------------------------------- corpus dates


def _undated(e: Event) -> bool:
    return e.event_date is None and e.date_month is not None and e.date_day is not None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _nearest(anchor: date, m: int, d: int) -> date | None:
    cands = [x for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (x := _safe_date(y, m, d))]
    return min(cands, key=lambda x: (abs((x - anchor).days), x)) if cands else None


def corpus_span(docs: Iterable[Document]) -> tuple[date, date] | None:
    """First and last publication date of the corpus's dated articles (not counting dates that
    were themselves inferred from the corpus)."""
    published = [d.published for d in docs if d.published is not None and d.published_source != DateSource.CORPUS]
    return (min(published), max(published)) if published else None


def year_in_span(span: tuple[date, date] | None, month: int, day: int) -> date | None:
    """The one date with this month and day within ``CORPUS_SPAN_SLACK_DAYS`` of the span of
    the corpus's publication dates; None when there is none or more than one (a corpus that
    covers years cannot say which)."""
    if span is None:
        return None
    lo = span[0] - timedelta(days=CORPUS_SPAN_SLACK_DAYS)
    hi = span[1] + timedelta(days=CORPUS_SPAN_SLACK_DAYS)
    cands = [d for y in range(lo.year, hi.year + 1) if (d := _safe_date(y, month, day)) and lo <= d <= hi]
    return cands[0] if len(cands) == 1 else None


def _latest_stated_year(doc: Document) -> int | None:
    years = [dm.value.year for dm in doc.dates if dm.value is not None]
    years += [int(m.group(1)) for m in _YEAR_RE.finditer(doc.text)]
    return max(years) if years else None


def infer_corpus_dates(docs: list[Document], rules: PlaceNameRules | None = None) -> None:
    """Give a year to year-less event dates from dated articles that report the same events.

    An event with ``date_month``/``date_day`` but no ``event_date`` matches a dated event of
    another document with the same place (gazetteer id or name key), month and day — the same
    sub-type first, any sub-type second. The year voted by most matches (latest on a tie) dates
    the matched events, and the article's other year-less dates take the year that puts them
    nearest the matched day. Articles dated this way serve others in turn (repeated until no
    change). Then, as fallbacks: the year that puts the date within ``CORPUS_SPAN_SLACK_DAYS``
    of the span of the corpus's publication dates, when exactly one year does (a corpus that
    covers several years gives none) — before the article's own latest stated year, because
    background years ("held since 2014") are common in war reporting — then that stated year;
    else the event stays undated with ``date_reason`` saying why.

    An article with no publication date then gets years for the year-less dates it states
    itself ("On October 25", even where no event was taken from that sentence): the year nearest
    its corpus-dated events when it has some, else the one year that puts the date within
    ``CORPUS_SPAN_SLACK_DAYS`` of the corpus's publication span (none when several fit). Its
    ``published`` becomes the latest of those stated dates and its corpus-dated event dates,
    with ``published_source = CORPUS``: a report is published on or after the latest day it
    states or reports, and news within a day or so of it, so that day is both a careful lower
    bound and the best estimate (a date announced for the future would push it late; such
    forward dates are rare in the past-tense reporting this is for). The stated date mentions
    keep their new values, so statements of control in those sentences are dated. Event dates
    resolved relative to publication ("on Saturday", "yesterday") are not recomputed here: the
    extractor left them unresolved, and re-deriving them needs the extraction stage again.
    """
    rules = rules or load_place_name_rules()
    index: dict[tuple, Counter[tuple[int, str]]] = defaultdict(Counter)

    def add_dated(doc: Document) -> None:
        for e in doc.events:
            if e.event_date is None:
                continue
            d = e.event_date
            for pk in _place_keys(e, rules):
                index[(e.sub_event_type, pk, d.month, d.day)][(d.year, doc.id)] += 1
                index[("", pk, d.month, d.day)][(d.year, doc.id)] += 1

    pending = [doc for doc in docs if any(_undated(e) for e in doc.events)]
    for doc in docs:
        add_dated(doc)
    corpus_dated: set[str] = set()
    progress = True
    while progress and pending:
        progress = False
        still = []
        for doc in pending:
            if _date_from_corpus(doc, index, rules):
                corpus_dated.add(doc.id)
                add_dated(doc)
                progress = True
            else:
                still.append(doc)
        pending = still
    span = corpus_span(docs)
    for doc in pending:
        year = _latest_stated_year(doc)
        for e in doc.events:
            if not _undated(e):
                continue
            assert e.date_month is not None and e.date_day is not None
            in_span = year_in_span(span, e.date_month, e.date_day)
            d = _safe_date(year, e.date_month, e.date_day) if year else None
            if in_span is not None:
                e.event_date = in_span
                corpus_dated.add(doc.id)
                e.date_reason = f"year from the corpus's dated span ({span[0].isoformat()}..{span[1].isoformat()})"  # type: ignore[index]
            elif d is not None:
                e.event_date = d
                e.date_reason = f"year from the article's latest stated date ({year})"
            else:
                e.date_reason = "no year: no dated article reports the same event and the article states no year"
    for doc in docs:
        if doc.published is None:
            _date_undated_article(doc, span, doc.id in corpus_dated)


def _date_undated_article(doc: Document, span: tuple[date, date] | None, corpus_dated: bool) -> None:
    """Give an article without a publication date its year-less stated dates' years and a
    publication date from the corpus (see :func:`infer_corpus_dates`)."""
    event_dates = [e.event_date for e in doc.events if e.event_date is not None] if corpus_dated else []
    anchor = max(event_dates) if event_dates else None
    stated: list[date] = []
    for dm in doc.dates:
        if dm.value is not None or not dm.month or not dm.day:
            continue
        if anchor is not None:
            # The article's events were matched to dated reports: its other dates are near them.
            d, why = _nearest(anchor, dm.month, dm.day), f"year from the article's corpus-dated events ({anchor.isoformat()})"
        else:
            d = year_in_span(span, dm.month, dm.day)
            why = f"year from the corpus's dated span ({span[0].isoformat()}..{span[1].isoformat()})" if span else ""
        if d is not None:
            dm.value, dm.reason = d, why
            if dm.precision == 1:
                stated.append(d)
    dates = event_dates + stated
    if dates:
        # Reporting is published on or after the latest day it states or reports (and news
        # within a day or so of it): a careful lower bound and the best single estimate.
        doc.published = max(dates)
        doc.published_source = DateSource.CORPUS


def _place_keys(e: Event, rules: PlaceNameRules) -> list[str]:
    keys = [f"n:{n}" for n in sorted(event_place_names(e, rules))]
    if exact_gazetteer_id(e.location):
        keys.append(f"g:{exact_gazetteer_id(e.location)}")
    return keys


def _date_from_corpus(doc: Document, index: dict, rules: PlaceNameRules) -> bool:
    """Date ``doc``'s year-less events from ``index``; True when a match was found."""
    matched: dict[int, tuple[date, str]] = {}  # event position -> (date, doc id it came from)
    votes: Counter[int] = Counter()
    for i, e in enumerate(doc.events):
        if not _undated(e):
            continue
        for tier in (e.sub_event_type, ""):
            hits: Counter[tuple[int, str]] = Counter()
            for pk in _place_keys(e, rules):
                for (year, other), n in index.get((tier, pk, e.date_month, e.date_day), {}).items():
                    if other != doc.id:
                        hits[(year, other)] += n
            if hits:
                (year, other), _ = max(hits.items(), key=lambda kv: (kv[1], kv[0][0], kv[0][1]))
                d = _safe_date(year, e.date_month, e.date_day)  # type: ignore[arg-type]
                if d is not None:
                    matched[i] = (d, other)
                    votes[year] += 1
                break
    if not votes:
        return False
    year = max(votes.items(), key=lambda kv: (kv[1], kv[0]))[0]
    anchors = [(d, other) for d, other in matched.values() if d.year == year]
    anchor, anchor_doc = max(anchors)
    for i, e in enumerate(doc.events):
        if not _undated(e):
            continue
        if i in matched and matched[i][0].year == year:
            e.event_date, src = matched[i]
            e.date_reason = f"year from corpus: {src}"
        else:
            e.event_date = _nearest(anchor, e.date_month, e.date_day)  # type: ignore[arg-type]
            e.date_reason = f"year from corpus: {anchor_doc} (same article's matched date {anchor.isoformat()})"
    return True


# --------------------------------------------------------------------------- merging


@dataclass(slots=True)
class _Member:
    event: Event
    doc: Document | None
    names: frozenset[str]
    gaz: str | None
    point: tuple[float, float] | None
    exact: bool  # geo_precision 1: the point is the place itself


@dataclass(slots=True)
class _Cluster:
    anchor: _Member
    members: list[_Member] = field(default_factory=list)


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


def _same_place(a: _Member, b: _Member, distance_km: float) -> bool:
    dist = haversine_km(*a.point, *b.point) if a.point and b.point else None
    if a.names & b.names:
        return dist is None or dist <= SAME_NAME_MAX_KM
    if a.doc is b.doc or a.event.doc_id == b.event.doc_id:
        return False  # one article naming two places means two places
    if a.gaz and a.gaz == b.gaz and a.exact and b.exact:
        return True
    return dist is not None and a.exact and b.exact and dist <= distance_km


def _same_time(a: Event, b: Event) -> bool:
    if a.event_date is not None and b.event_date is not None:
        return abs((a.event_date - b.event_date).days) <= _slack(a) + _slack(b)
    if a.event_date is None and b.event_date is None:
        return (a.date_month, a.date_day) == (b.date_month, b.date_day)
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
    """
    rules = rules or load_place_name_rules()
    size_deg = distance_km / 111.0
    members: list[_Member] = []
    memo: dict = {}
    for doc in docs:
        for e in doc.events:
            loc = e.location
            pt = (loc.latitude, loc.longitude) if loc and loc.latitude is not None and loc.longitude is not None else None
            members.append(
                _Member(
                    e, doc, event_place_names(e, rules, memo), exact_gazetteer_id(loc), pt,
                    bool(loc and loc.geo_precision == 1 and pt),
                )
            )
    members.sort(
        key=lambda m: (
            m.event.sub_event_type, _precision(m.event), _day_key(m.event), m.event.doc_id,
            m.event.evidence.sentence.start if m.event.evidence else 0,
        )
    )
    clusters: list[_Cluster] = []
    index: dict[tuple, list[int]] = defaultdict(list)

    def keys_of(m: _Member, lookup: bool) -> list[tuple]:
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

    for m in members:
        e = m.event
        dk = _day_key(e)
        # Anchors were sorted first, so they are at least as precise: 2 * own slack covers both.
        days = range(dk - 2 * _slack(e), dk + 2 * _slack(e) + 1) if dk > 0 else (dk,)
        cand: set[int] = set()
        for k in keys_of(m, lookup=True):
            for d in days:
                cand.update(index.get((e.sub_event_type, d, k), ()))
        best: tuple | None = None
        for ci in cand:
            c = clusters[ci]
            if not _same_time(c.anchor.event, e):
                continue
            if not any(_same_place(m, o, distance_km) for o in c.members):
                continue
            if any(o.event.doc_id == e.doc_id and not (o.names & m.names) for o in c.members):
                continue  # the article distinguishes this place from one already in the cluster
            gap = abs(dk - _day_key(c.anchor.event))
            if best is None or (gap, ci) < best:
                best = (gap, ci)
        if best is None:
            clusters.append(_Cluster(anchor=m, members=[m]))
            ci = len(clusters) - 1
        else:
            ci = best[1]
            clusters[ci].members.append(m)
        anchor_day = _day_key(clusters[ci].anchor.event)
        for k in keys_of(m, lookup=False):
            lst = index[(e.sub_event_type, anchor_day, k)]
            if not lst or lst[-1] != ci:
                lst.append(ci)

    clusters = _attach_undated(clusters, distance_km)
    merged = [_merge_cluster(c) for c in clusters]
    assign_event_ids(merged, {d.id: d for d in docs})
    merged.sort(key=lambda e: _id_sort_key(e))
    return merged


def _attach_undated(clusters: list[_Cluster], distance_km: float) -> list[_Cluster]:
    """An event with no date at all ("after the army took X", told in passing) joins the dated
    event of the same sub-type and place when exactly one exists: it is that event retold.
    With none, or several (which one?), it stays on its own, undated."""
    dated_by_key: dict[tuple, set[int]] = defaultdict(set)
    for ci, c in enumerate(clusters):
        if c.anchor.event.event_date is None:
            continue
        for m in c.members:
            for n in m.names:
                dated_by_key[(m.event.sub_event_type, "n", n)].add(ci)
            if m.gaz:
                dated_by_key[(m.event.sub_event_type, "g", m.gaz)].add(ci)
    absorbed: set[int] = set()
    for ci, c in enumerate(clusters):
        a = c.anchor.event
        if a.event_date is not None or a.date_month is not None:
            continue
        sub = a.sub_event_type
        cand: set[int] = set()
        for m in c.members:
            for n in m.names:
                cand |= dated_by_key.get((sub, "n", n), set())
            if m.gaz:
                cand |= dated_by_key.get((sub, "g", m.gaz), set())
        fits = [t for t in sorted(cand)
                if any(_same_place(m, o, distance_km) for m in c.members for o in clusters[t].members)]
        if len(fits) == 1:
            clusters[fits[0]].members.extend(c.members)
            absorbed.add(ci)
    return [c for ci, c in enumerate(clusters) if ci not in absorbed]


def _norm_outlet(o: str | None) -> str:
    return re.sub(r"[^0-9a-z]+", "", (o or "").lower())


def _evidence_text(m: _Member) -> str:
    if m.doc is None or m.event.evidence is None:
        return ""
    return " ".join(m.event.evidence.sentence.of(m.doc.text).lower().split())


def _report_groups(ms: list[_Member]) -> list[list[_Member]]:
    """Group members into independent reports: reposts of one article count once."""
    groups: list[list[_Member]] = []
    for m in ms:
        for g in groups:
            o = g[0]
            if m.event.doc_id in {x.event.doc_id for x in g}:
                g.append(m)
                break
            if not (m.doc and o.doc and m.doc.outlet and o.doc.outlet):
                continue
            if m.doc.outlet != o.doc.outlet and _norm_outlet(m.doc.outlet) != _norm_outlet(o.doc.outlet):
                continue
            same_hash = bool(m.doc.content_hash) and m.doc.content_hash == o.doc.content_hash
            same_sentence = bool(_evidence_text(m)) and _evidence_text(m) == _evidence_text(o)
            repost_part = m.doc.id != m.doc.page_id or o.doc.id != o.doc.page_id
            if same_hash or same_sentence or repost_part:
                g.append(m)
                break
        else:
            groups.append([m])
    return groups


def _join_unique(values: Iterable[str], exclude: Iterable[str] = ()) -> str:
    seen = dict.fromkeys(v.strip() for part in values for v in part.split(";") if v.strip())
    for x in exclude:
        seen.pop(x, None)
    return "; ".join(seen)


def _merge_cluster(c: _Cluster) -> Event:
    ms = sorted(
        c.members,
        key=lambda m: (
            _precision(m.event), m.point is None,
            m.event.location.geo_precision or 9 if m.event.location else 9,
            -m.event.confidence, m.event.doc_id,
            m.event.evidence.sentence.start if m.event.evidence else 0,
        ),
    )
    p = ms[0].event
    located = [m for m in ms if m.point is not None]
    location = p.location if ms[0].point is not None or not located else located[0].event.location
    groups = _report_groups(ms)

    source_documents = list(dict.fromkeys(m.event.doc_id for m in ms))
    evidence_all = {}
    for m in ms:
        if m.event.evidence is not None:
            evidence_all.setdefault(m.event.doc_id, m.event.evidence)
    outlets = list(dict.fromkeys(m.doc.outlet for m in ms if m.doc and m.doc.outlet))
    outlet_keys = {_norm_outlet(o) for o in outlets}
    no_outlet_groups = sum(1 for g in groups if not any(m.doc and m.doc.outlet for m in g))

    a1 = p.actor1
    a2 = p.actor2
    assoc1 = _join_unique([p.assoc_actor_1] + [m.event.actor1 for m in ms[1:]] + [m.event.assoc_actor_1 for m in ms[1:]], exclude=[a1, a2])
    assoc2 = _join_unique([p.assoc_actor_2] + [m.event.actor2 for m in ms[1:]] + [m.event.assoc_actor_2 for m in ms[1:]], exclude=[a1, a2] + assoc1.split("; "))

    by_source: dict[str, int] = {}
    lows: list[int] = []
    highs: list[int] = []
    said: list[str] = []
    label_count = Counter(_source_label(g[0]) for g in groups)
    for g in groups:
        fm = next((m for m in g if m.event.fatalities is not None), None)
        if fm is None:
            continue
        fe = fm.event
        label = _source_label(fm) if label_count[_source_label(g[0])] == 1 else f"{_source_label(fm)} ({fe.doc_id})"
        by_source[label] = fe.fatalities  # type: ignore[assignment]
        lows.append(fe.fatalities_low if fe.fatalities_low is not None else fe.fatalities)  # type: ignore[arg-type]
        highs.append(fe.fatalities_high if fe.fatalities_high is not None else fe.fatalities)  # type: ignore[arg-type]
        words = _number_text(fm)
        said.append(f"{label} reported {words} ({fe.fatalities})" if words and words != str(fe.fatalities) else f"{label} reported {fe.fatalities}")
    for m in ms:  # a single source may already carry per-source figures from an earlier merge
        for k, v in m.event.fatalities_by_source.items():
            by_source.setdefault(k, v)
    notes = [n for n in dict.fromkeys(m.event.notes.strip() for m in ms) if n]
    if len(set(by_source.values())) > 1:
        notes.append("Fatality figures differ: " + "; ".join(said) + f". Coded the lowest, {min(by_source.values())}.")

    return replace(
        p,
        event_id="",
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
        outlet_count=len(outlet_keys) + no_outlet_groups,
    )


def _source_label(m: _Member) -> str:
    return (m.doc.outlet if m.doc and m.doc.outlet else "") or m.event.doc_id


def _number_text(m: _Member) -> str:
    ev = m.event.evidence
    if m.doc is None or ev is None or ev.number is None:
        return ""
    return " ".join(ev.number.of(m.doc.text).split())[:80]


# --------------------------------------------------------------------------- event ids


def _iso3(e: Event, docs: dict[str, Document]) -> str:
    loc = e.location
    c = None
    if loc is not None and loc.iso is not None:
        c = pycountry.countries.get(numeric=f"{loc.iso:03d}")
    if c is None and loc is not None and loc.country:
        code = loc.country.strip()
        c = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
        if c is None and len(code) == 3:
            c = pycountry.countries.get(alpha_3=code.upper())
        if c is None and len(code) > 3:
            try:
                c = pycountry.countries.lookup(code)
            except LookupError:
                c = None
    if c is None:
        doc = docs.get(e.doc_id)
        if doc is not None and doc.country:
            c = pycountry.countries.get(alpha_2=doc.country.upper())
    return c.alpha_3 if c is not None else "XXX"


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
