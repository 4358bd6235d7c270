"""The one typed data model every stage reads and writes.

Two coordinate spaces, both plain character offsets (like spaCy's Doc/Span):

* ``Page.text`` is the page as read (a text file, or the text trafilatura took out of an
  HTML page).  ``Segment`` offsets point into it, so an analyst can always see which
  lines of the page were kept as article, which were furniture and which were comments.
* ``Document.text`` is the clean article text (body paragraphs joined by a blank line),
  which is what extraction reads.  ``Sentence``, every ``Mention`` and every ``Evidence``
  span point into it.

A page usually yields one ``Document``; a blog page that reposts two outlets' articles
yields one per article (``<page id>``, ``<page id>#2`` ...).

No stage passes tuples or loose dicts to another: they pass these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class SegmentKind(StrEnum):
    TITLE = "title"
    BODY = "body"
    FURNITURE = "furniture"
    COMMENT = "comment"


class DateSource(StrEnum):
    """How a publication date was found."""

    METADATA = "metadata"  # record metadata, HTML meta tags (htmldate), WARC-Date
    PAGE = "page"  # stated in the page text ("date 2017-10-26 Posted on ...")
    CORPUS = "corpus"  # inferred from other dated articles reporting the same events
    NONE = "none"


@dataclass(slots=True)
class Span:
    """A half-open character range ``[start, end)`` into some text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(slots=True)
class Segment:
    """A run of page lines with one role; offsets into ``Page.text``."""

    kind: SegmentKind
    start: int
    end: int
    rule: str = ""  # which cleaning rule decided the kind (for --explain and debugging)


@dataclass(slots=True)
class Page:
    """One input page or record as read, before cleaning."""

    id: str
    source: str  # file path, "-" for stdin, or "path:line" / "path@offset" for records
    format: str  # txt | html | jsonl | warc
    text: str = ""  # raw text (txt) — for html, filled by cleaning from ``html``
    html: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    published_source: DateSource = DateSource.NONE
    fetched: date | None = None  # WARC-Date: when it was crawled, not when it was published
    warnings: list[str] = field(default_factory=list)
    content_hash: str | None = None  # read.content_hash of the page as read, set once by the pipeline


@dataclass(slots=True)
class Sentence:
    start: int
    end: int


@dataclass(slots=True)
class ActorMention:
    """A reference to an armed group, force or population, resolved to an ACLED-style actor."""

    start: int
    end: int
    text: str
    name: str  # canonical ACLED-style name, e.g. "Military Forces of Iraq"
    inter: int  # ACLED inter code 1..8
    country: str | None = None  # ISO alpha-2 of the actor's country where known
    generic: bool = False  # "the army", "gunmen": resolved through the article's country
    rule: str = ""
    # "" = a party to what is reported; "source" = cited as claimant ("the PMU media wing");
    # "attribute" = a modifier ("ISIS-held", "anti-ISIS"): names an actor without it acting.
    role: str = ""


@dataclass(slots=True)
class RelativePosition:
    """How a place is stated relative to another: "10km southwest of al-Qa'im"."""

    relation: str  # offset | near | direction | in | outskirts | between | along
    anchor: str  # the place it is relative to
    bearing_deg: float | None = None  # 0 = north, clockwise
    distance_km: float | None = None


@dataclass(slots=True)
class PlaceMention:
    start: int
    end: int
    text: str
    name: str  # the name without the descriptor: "Husibah" for "Husibah border crossing"
    descriptor: str | None = None  # town, city, valley, airbase, border crossing, ...
    relative: RelativePosition | None = None
    region: bool = False  # "western Anbar", "the Syrian-Iraqi border": area, not a point
    rule: str = ""


@dataclass(slots=True)
class DateMention:
    start: int
    end: int
    text: str
    value: date | None
    precision: int  # ACLED time_precision: 1 day, 2 week, 3 month
    rule: str = ""
    reason: str = ""  # why value is None, or how it was anchored
    # A date stated without a year on an undated page ("On November 3"): month and day are
    # kept so that the corpus-level step can supply the year from other dated articles.
    month: int | None = None
    day: int | None = None


@dataclass(slots=True)
class NumberMention:
    start: int
    end: int
    text: str
    best: int
    low: int | None = None
    high: int | None = None
    unit: str | None = None  # the noun counted: "fighters", "civilians", "VBIEDs"
    vague: bool = False  # "dozens", "scores": a convention, not a count
    rule: str = ""


@dataclass(slots=True)
class Trigger:
    start: int
    end: int
    text: str
    event_type: str
    sub_event_type: str
    rule: str


@dataclass(slots=True)
class Location:
    """Where an event happened, as the geocoder resolved it."""

    name: str
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None  # ACLED: 1 exact, 2 near/part of, 3 region
    country: str | None = None
    iso: int | None = None  # ISO 3166 numeric, as ACLED
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    gazetteer_id: str | None = None
    feature_code: str | None = None
    reason: str = ""  # how it was resolved, or why not


@dataclass(slots=True)
class Evidence:
    """Where each field of an event came from, as spans into ``Document.text``."""

    sentence: Span
    trigger: Span | None = None
    actors: list[Span] = field(default_factory=list)
    place: Span | None = None
    date: Span | None = None
    number: Span | None = None
    rule: str = ""


@dataclass(slots=True)
class Event:
    """One event in ACLED's unit: (day, place, actor pair, sub-event type)."""

    doc_id: str
    event_type: str
    sub_event_type: str
    evidence: Evidence
    event_id: str = ""
    event_date: date | None = None
    time_precision: int | None = None
    date_reason: str = ""
    actor1: str = ""
    assoc_actor_1: str = ""
    inter1: int | None = None
    actor2: str = ""
    assoc_actor_2: str = ""
    inter2: int | None = None
    place: PlaceMention | None = None
    location: Location | None = None
    fatalities: int | None = None
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    claimed_by: str = ""
    source_scale: str = ""
    confidence: float = 0.0
    source_documents: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # outlet names
    # Year-less date (see DateMention.month/day): filled when event_date is None for want of a year.
    date_month: int | None = None
    date_day: int | None = None
    # What each source reported, kept when merging so that disagreement is not averaged away.
    fatalities_by_source: dict[str, int] = field(default_factory=dict)
    # Filled by merge: each source document's own evidence (doc id -> its spans into that
    # document's text), the number of independent reports (reposts counted once) and of outlets.
    evidence_all: dict[str, Evidence] = field(default_factory=dict)
    source_count: int = 0
    outlet_count: int = 0

    @property
    def interaction(self) -> int | None:
        """ACLED interaction code: the two inter codes, lower first (10*a + b)."""
        if self.inter1 is None:
            return None
        if self.inter2 is None:
            return self.inter1 * 10
        a, b = sorted((self.inter1, self.inter2))
        return a * 10 + b


@dataclass(slots=True)
class ControlStatement:
    """A statement of control made in passing ("the ISIS-held border town of X",
    "the last town under ISIS control, Y"): evidence of who held a place at the article's date,
    not an event in itself."""

    place: PlaceMention
    controller: str  # canonical actor name
    evidence: Evidence
    rule: str = ""


@dataclass(slots=True)
class Document:
    """One article: the clean text extraction reads, and what later stages add to it."""

    id: str
    page_id: str
    text: str  # clean article body, paragraphs separated by "\n\n"
    source: str = ""
    format: str = "txt"
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    published_source: DateSource = DateSource.NONE
    segments: list[Segment] = field(default_factory=list)  # offsets into page_text
    page_text: str = ""
    content_hash: str = ""
    country: str | None = None  # ISO alpha-2 the article is mostly about (annotate adds it)
    sentences: list[Sentence] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    numbers: list[NumberMention] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    control: list[ControlStatement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def segment_text(self, seg: Segment) -> str:
        return self.page_text[seg.start : seg.end]


@dataclass(slots=True)
class ControlChange:
    """One piece of evidence of who held a place on a day: a territory event (the captor
    holds it from the event date) or a control statement (the controller held it at the
    article's date, or at the date its sentence carries)."""

    place_key: str  # "gaz:<gazetteer id>" when located, else "name:<normalised name>"
    place: str  # display name
    date: date
    controller: str
    kind: str  # "event" | "statement"
    evidence: str  # the sentence, as the article wrote it
    doc_id: str
    latitude: float | None = None
    longitude: float | None = None
    event_id: str = ""


@dataclass(slots=True)
class ControlState:
    """Who held a place as of a day, and since when (as far as the evidence shows)."""

    place_key: str
    place: str
    controller: str
    since: date  # first day of the unbroken run of evidence for this controller
    last_seen: date  # latest evidence on or before the as-of day
    evidence: str
    doc_id: str
    latitude: float | None = None
    longitude: float | None = None
