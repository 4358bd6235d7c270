"""Corpus stage: dates that only the corpus can give (see :func:`infer_corpus_dates`).

A year-less date in an undated article ("On October 26 ...") gets its year from dated articles
that report the same events, else from the corpus's publication span, else from the article's
own latest stated year.  :class:`CorpusDates` holds what this needs of the whole corpus, so that
the streaming pipeline (corpus.py) applies it one document at a time; ``infer_corpus_dates`` is
the same over a list.  Hand-written: domain logic over frontwatch's own records.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from .merge import PlaceNameRules, event_place_names, exact_gazetteer_id, load_place_name_rules
from .model import DateSource, Document, Event

# A year-less date that no dated article shares takes the year of the corpus's publication span
# when exactly one year puts it within this many days of the span: a corpus is collected about
# one period of a war, and news reports events of the last weeks.
CORPUS_SPAN_SLACK_DAYS = 45
# Dated-event rows written to the dates' index per transaction.
INDEX_BATCH = 20_000
# Fallback year: four-digit years stated in the article (1900-2099), not parts of longer numbers.
_YEAR_RE = re.compile(r"(?<![\d.,/:-])((?:19|20)\d\d)(?![\d%]|[.,]\d)")


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
    dates = CorpusDates(rules or load_place_name_rules())
    for doc in docs:
        dates.observe(doc)
    pending = [doc for doc in docs if has_undated_events(doc)]
    progress = True
    while progress and pending:
        progress = False
        still = []
        for doc in pending:
            if dates.date_from_corpus(doc):
                progress = True
            else:
                still.append(doc)
        pending = still
    for doc in pending:
        dates.date_fallback(doc)
    for doc in docs:
        if doc.published is None:
            dates.date_article(doc)
    dates.close()


def wanted_keys(events: Iterable[Event], rules: PlaceNameRules) -> set[tuple[str, int, int]]:
    """The (place key, month, day) under which the year-less ones of ``events`` look for dated
    reports (see ``CorpusDates``)."""
    out: set[tuple[str, int, int]] = set()
    for e in events:
        if _undated(e):
            out.update((pk, e.date_month, e.date_day) for pk in _place_keys(e, rules))  # type: ignore[misc]
    return out


def has_undated_events(doc: Document) -> bool:
    """Whether ``doc`` has events with a month and day but no year."""
    return any(_undated(e) for e in doc.events)


class DatedIndex:
    """The dated events of the corpus by (sub-type, place key, month, day): per key, how many
    events of each (year, document) were seen there.

    Kept in a private temporary SQLite file, not in Python objects: the index grows faster than
    the corpus (more dated events, each under more keys that year-less reports look up), and at
    100k pages even packed into ints it was the largest part of the corpus stages' memory — and
    what pymalloc arenas it left behind after it was dropped stayed the process's floor for the
    rest of the run.  Rows are added in batches; a lookup is one indexed ``GROUP BY``.  Call
    ``close`` (or drop the index) to delete the file."""

    def __init__(self) -> None:
        # "": a temporary file of this connection, deleted when it closes; its page cache is
        # SQLite's default (about 2 MB), whatever the corpus's size.
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE dated (pk TEXT NOT NULL, month INTEGER NOT NULL, day INTEGER NOT NULL, "
                         "sub TEXT NOT NULL, year INTEGER NOT NULL, doc TEXT NOT NULL)")
        self._db.execute("CREATE INDEX dated_key ON dated(pk, month, day, sub)")
        self._rows: list[tuple[str, int, int, str, int, str]] = []

    def close(self) -> None:
        """Delete the index (its file)."""
        self._rows = []
        self._db.close()

    def add(self, sub: str, pk: str, month: int, day: int, year: int, doc_id: str) -> None:
        """One dated event of sub-type ``sub`` at place key ``pk`` on ``year-month-day``."""
        self._rows.append((pk, month, day, sub, year, doc_id))
        if len(self._rows) >= INDEX_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO dated VALUES (?, ?, ?, ?, ?, ?)", self._rows)
            self._db.execute("COMMIT")
            self._rows = []

    def hits(self, tier: str, pks: list[str], month: int, day: int, exclude: str) -> Counter[tuple[int, str]]:
        """How many dated events of each (year, document id) other than ``exclude`` lie at the
        place keys ``pks`` on ``month``/``day``, of sub-type ``tier`` ("" for any)."""
        hits: Counter[tuple[int, str]] = Counter()
        if not pks:
            return hits
        self._flush()
        marks = ", ".join("?" * len(pks))
        # The place keys of one event are distinct, so counting over all of them at once is the
        # sum of their counts.
        sql = (f"SELECT year, doc, count(*) FROM dated WHERE pk IN ({marks}) AND month = ? AND day = ?"
               f"{' AND sub = ?' if tier else ''} AND doc != ? GROUP BY year, doc")
        args = [*pks, month, day, *((tier,) if tier else ()), exclude]
        for year, doc, n in self._db.execute(sql, args):
            hits[(year, doc)] = n
        return hits


class CorpusDates:
    """What :func:`infer_corpus_dates` knows of the corpus — the dated events by place, month
    and day, and the span of publication dates — gathered by ``observe`` in one pass over
    every document, then applied to one document at a time, so that a streaming caller holds
    these facts and not the documents.  The steps, in order: ``observe`` every document;
    ``date_from_corpus`` each document with undated events (``has_undated_events``), in
    corpus order, repeated over those still undated until a round dates none;
    ``date_fallback`` the rest; ``date_article`` every document without a publication date."""

    def __init__(self, rules: PlaceNameRules, wanted: set[tuple[str, int, int]] | None = None) -> None:
        """``wanted``: the (place key, month, day) of every year-less event of the corpus (see
        ``wanted_keys``), when the caller gathered them first: dated events are then indexed
        only under the keys some year-less event will look up, which keeps the index as small
        as the undated part of the corpus instead of growing with all of it."""
        self.rules = rules
        self.wanted = wanted
        self._memo: dict = {}  # place-name keys, computed once per name for the run
        self.index = DatedIndex()
        self.corpus_dated: set[str] = set()  # ids of documents the corpus gave dates
        self._first: date | None = None
        self._last: date | None = None

    def observe(self, doc: Document) -> None:
        """Index the dated events of ``doc`` and widen the publication span with its date."""
        self._add_dated(doc)
        p = doc.published
        if p is not None and doc.published_source != DateSource.CORPUS:
            self._first = p if self._first is None or p < self._first else self._first
            self._last = p if self._last is None or p > self._last else self._last

    def close(self) -> None:
        """Delete the dates' index (a temporary file): for a caller done dating documents that
        still needs the publication ``span``."""
        self.index.close()

    @property
    def span(self) -> tuple[date, date] | None:
        """``corpus_span`` of the observed documents."""
        return (self._first, self._last) if self._first is not None and self._last is not None else None

    def _add_dated(self, doc: Document) -> None:
        index, rules, wanted = self.index, self.rules, self.wanted
        for e in doc.events:
            if e.event_date is None:
                continue
            d = e.event_date
            for pk in _place_keys(e, rules, self._memo):
                if wanted is not None and (pk, d.month, d.day) not in wanted:
                    continue  # no year-less event will look this up
                index.add(e.sub_event_type, pk, d.month, d.day, d.year, doc.id)

    def date_from_corpus(self, doc: Document) -> bool:
        """Date ``doc``'s year-less events from dated reports of the same events; True (and
        ``doc`` changed, and indexed for the others) when some matched."""
        if not _date_from_corpus(doc, self.index, self.rules, self._memo):
            return False
        self.corpus_dated.add(doc.id)
        self._add_dated(doc)
        return True

    def date_fallback(self, doc: Document) -> None:
        """The fallbacks for a document the corpus could not date (it is changed: each
        year-less event gets a year or a reason why not)."""
        span = self.span
        year = _latest_stated_year(doc)
        for e in doc.events:
            if not _undated(e):
                continue
            assert e.date_month is not None and e.date_day is not None
            in_span = year_in_span(span, e.date_month, e.date_day)
            d = _safe_date(year, e.date_month, e.date_day) if year else None
            if in_span is not None:
                e.event_date = in_span
                self.corpus_dated.add(doc.id)
                e.date_reason = f"year from the corpus's dated span ({span[0].isoformat()}..{span[1].isoformat()})"  # type: ignore[index]
            elif d is not None:
                e.event_date = d
                e.date_reason = f"year from the article's latest stated date ({year})"
            else:
                e.date_reason = "no year: no dated article reports the same event and the article states no year"

    def date_article(self, doc: Document) -> bool:
        """Years for the stated dates of an article without a publication date, and its
        publication date; True when ``doc`` changed."""
        return _date_undated_article(doc, self.span, doc.id in self.corpus_dated)


def _date_undated_article(doc: Document, span: tuple[date, date] | None, corpus_dated: bool) -> bool:
    """Give an article without a publication date its year-less stated dates' years and a
    publication date from the corpus (see :func:`infer_corpus_dates`)."""
    event_dates = [e.event_date for e in doc.events if e.event_date is not None] if corpus_dated else []
    anchor = max(event_dates) if event_dates else None
    stated: list[date] = []
    changed = False
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
            changed = True
            if dm.precision == 1:
                stated.append(d)
    dates = event_dates + stated
    if dates:
        # Reporting is published on or after the latest day it states or reports (and news
        # within a day or so of it): a careful lower bound and the best single estimate.
        doc.published = max(dates)
        doc.published_source = DateSource.CORPUS
        changed = True
    return changed


def _place_keys(e: Event, rules: PlaceNameRules, memo: dict | None = None) -> list[str]:
    keys = [f"n:{n}" for n in sorted(event_place_names(e, rules, memo))]
    if exact_gazetteer_id(e.location):
        keys.append(f"g:{exact_gazetteer_id(e.location)}")
    return keys


def _date_from_corpus(doc: Document, index: DatedIndex, rules: PlaceNameRules, memo: dict | None = None) -> bool:
    """Date ``doc``'s year-less events from ``index``; True when a match was found."""
    matched: dict[int, tuple[date, str]] = {}  # event position -> (date, doc id it came from)
    votes: Counter[int] = Counter()
    for i, e in enumerate(doc.events):
        if not _undated(e):
            continue
        pks = _place_keys(e, rules, memo)
        for tier in (e.sub_event_type, ""):
            hits = index.hits(tier, pks, e.date_month, e.date_day, doc.id)  # type: ignore[arg-type]
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
