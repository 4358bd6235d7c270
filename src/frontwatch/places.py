"""Candidate place mentions (before geocoding): names with descriptors, lists, relative phrases.

``load_places()`` compiles ``data/places.yaml`` into regular expressions; ``find_places()``
returns :class:`PlaceMention` s with the name as written (articles and descriptor removed,
"al-" kept: the geocoder normalises), the descriptor, whether it is an area (``region``) and
how it is stated relative to another place ("10km southwest of X" -> ``RelativePosition``).

How it works, in passes over the text:

1. candidate *groups* of names: a list of names followed by a descriptor ("A, B and C
   valleys": a plural descriptor applies to each), a descriptor before a name ("the town of X",
   "Mount X"), capitalised facility names ("the State Company for Phosphate"), capitalised names
   in a place slot ("in X", "captured X and Y"), country names;
2. overlapping groups are resolved (descriptor evidence beats slot evidence), and adjacent groups
   joined by "and" / "," become one, so that a relative phrase after the list applies to all;
3. a relative phrase right after a group ("15km east of X", "around X", "in western X") is
   attached to each of its places; an anaphoric anchor ("of it", "the city") resolves to the last
   place mentioned before the group in the same paragraph.

Why hand-written: there is no statistical NER model offline, and NER would not give
descriptors, distributed lists or relative positions anyway.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ConfigError
from .lexicon import Lexicon, alternation, literal_alternation, normalise, read_builtin, read_yaml, str_list
from .model import PlaceMention, RelativePosition
from .rxcache import RegexCache
from .scan import JOINERS, FollowMap, GatedPattern, Reach, WordIndex, ends_with_word, first_words, union

# How far back (characters) an anaphoric anchor ("of it", "the city") may find its place when
# the paragraph began earlier still.
ANAPHOR_WINDOW = 600
# Names longer than this many words are not place names (runaway capitalised headlines).
MAX_NAME_WORDS = 4
# Two groups of places separated only by one of these (and at most this many characters) are
# one list: "X city and the Y town east of it".
MAX_JOINER_CHARS = 12
_JOINERS = frozenset({"", "and", "or", "the", "and the", "or the"})

# Priorities when candidate groups overlap: descriptor evidence first.
# A descriptor after the name wins over one before it ("Jebel Marra hills" is the hills of Jebel
# Marra, "the Wadi X, Y and Z valleys" are three valleys).
PRI_LIST, PRI_PREFIX, PRI_PRE, PRI_FACILITY, PRI_SLOT, PRI_COUNTRY = 0, 1, 2, 3, 4, 5

# Small patterns of the passes below, compiled once (some run for every candidate).
_LEADING_THE = re.compile(r"^(?i:the)\s+")
_LIST_ITEM = re.compile(r"[^,&]+?(?=\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*|$)")
_ITEM_LEAD = re.compile(r"^\s*(?:,\s*)?(?:(?:and|or)\s+)?")
_NOT_A_PLACE_TO = re.compile(r"(?i:according|due|prior|close|next|owing)\s+$")
_HYPHENATED = re.compile(r"[-‐‑–]\w")
_POSSESSOR = re.compile(r"([A-Z][\w ]*?)['’]s\s+")
_WORD_RE = re.compile(r"\w+")
_OF = frozenset({"of"})

@dataclass(frozen=True, slots=True)
class PlaceResources:
    """Compiled place-mention vocabulary (built once by :func:`load_places`)."""

    desc_by_form: Mapping[str, tuple[str, bool]]  # lower-cased form -> (canonical, plural)
    region_descriptors: frozenset[str]
    list_re: GatedPattern
    pre_re: GatedPattern
    prefix_re: GatedPattern
    prefix_by_form: Mapping[str, str]
    facility_re: GatedPattern
    slot_re: GatedPattern
    cont_re: re.Pattern[str]
    rel_re: re.Pattern[str]
    part_before_re: re.Pattern[str]
    dir_before_re: re.Pattern[str]
    dir_of_before_re: re.Pattern[str]
    near_before_re: re.Pattern[str]
    world_region_re: GatedPattern
    settlement_descriptors: frozenset[str]
    anaphor_re: GatedPattern
    trailing_desc_re: re.Pattern[str]
    person_after_re: re.Pattern[str]
    directions: Mapping[str, float]
    near: Mapping[str, str]
    units: Mapping[str, float]
    anaphors: Mapping[str, str | None]
    stopwords: frozenset[str]
    # A name opening a sentence as the subject of a place's passive ("Kobani was retaken"), or
    # with a "which"/"where" clause ("Kobani, which ..."): people take "who", not "which".
    subject_re: GatedPattern = GatedPattern(re.compile(r"(?!x)x"), frozenset())
    # The last words of the near phrases (None: one ends in punctuation), so that
    # ``near_before_re`` is searched only where the text before a place ends with one.
    near_lasts: frozenset[str] | None = None


def load_places(extra: Sequence[Path] = (), rx: RegexCache | None = None) -> PlaceResources:
    """Compile ``data/places.yaml`` (plus user files with the same keys)."""
    compile_re = rx.compile if rx is not None else re.compile  # rx: compiled patterns kept between runs
    docs = [("places.yaml", read_builtin("places.yaml"))] + [(str(p), read_yaml(Path(p))) for p in extra]
    desc: dict[str, tuple[str, bool]] = {}
    regions: set[str] = set()
    prefixes: dict[str, str] = {}
    heads: list[str] = []
    preword: list[str] = []
    slots: list[str] = []
    subject_verbs: list[str] = []
    dirs: dict[str, float] = {}
    near: dict[str, str] = {}
    units: dict[str, float] = {}
    anaphors: dict[str, str | None] = {}
    stop: set[str] = set()
    world: list[str] = []
    central: list[str] = []
    settlements: set[str] = set()
    try:
        for _where, doc in docs:
            for canon, forms in (doc.get("descriptors") or {}).items():
                for i, f in enumerate(forms):
                    # Convention in the file: singular first; plural forms end in "s".
                    plural = i > 0 and f.lower().endswith("s") and not f.lower().endswith("ss")
                    desc[normalise(f).lower()] = (str(canon), plural)
            regions.update(doc.get("region_descriptors") or [])
            for canon, forms in (doc.get("prefix_descriptors") or {}).items():
                for f in forms:
                    prefixes[normalise(f)] = str(canon)
            heads.extend(doc.get("facility_heads") or [])
            preword.extend(doc.get("pre_descriptor_words") or [])
            slots.extend(str_list(doc.get("locative_slots"), f"{_where}: locative_slots"))
            subject_verbs.extend(str_list(doc.get("place_subject_verbs"), f"{_where}: place_subject_verbs"))
            dirs.update({normalise(k).lower(): float(v) for k, v in (doc.get("directions") or {}).items()})
            near.update({normalise(k).lower(): str(v) for k, v in (doc.get("near_phrases") or {}).items()})
            units.update({str(k).lower(): float(v) for k, v in (doc.get("distance_units") or {}).items()})
            anaphors.update({normalise(k).lower(): v for k, v in (doc.get("anaphors") or {}).items()})
            stop.update(str_list(doc.get("stopwords"), f"{_where}: stopwords"))
            world.extend(str_list(doc.get("world_regions"), f"{_where}: world_regions"))
            central.extend(str_list(doc.get("central_words"), f"{_where}: central_words"))
            settlements.update(str_list(doc.get("settlement_descriptors"), f"{_where}: settlement_descriptors"))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"malformed place vocabulary: {exc}") from exc

    # The stop words as a character trie: the look-ahead that rules them out runs at every word
    # of every name tried (the slot, list, relative-phrase ... patterns), and a flat alternation
    # of ~200 words is tried one word at a time.  The trie matches the same strings (exactly as
    # written), and in a look-ahead only whether one matches counts, not which.  (Sorted by
    # character: the pattern text, the key of the compiled-pattern cache, is the same in every
    # process.)
    stop_alt = literal_alternation(stop)
    word = (r"(?!(?:" + stop_alt + r")(?![\w’'-]))"
            r"(?:(?:St|Ste|Mt|Ft)\.?\s+)?"  # "St. Petersburg", "St Louis"
            r"(?:[a-z]{1,4}[-‐‑’'])?[A-Z][\w’']*(?:[-‐‑–][\w’']+)*")
    name = rf"{word}(?:\s+{word}){{0,{MAX_NAME_WORDS - 1}}}"
    the = r"(?:(?i:the)\s+)"
    desc_alt = alternation(desc, fold=True)
    # Lower case only: "the town of X", never "the State Company" (a facility name).
    sing = [f for f, (_c, pl) in desc.items() if not pl and f.islower()] + ["capital"]
    sing_alt = alternation(sing, fold=False)
    dir_alt = alternation(dirs, fold=True)
    # "in central Damascus": a part of the place without a bearing.
    part_alt = alternation([*dirs, *central], fold=True)
    items = (rf"(?P<items>{the}?{name}(?:\s*,\s*{the}?{name})*(?:\s*,?\s+(?:and|or|&)\s+{the}?{name})?)")
    # Gates (scan.GatedPattern): where each pattern can start.  A name starts with a capital,
    # "the", "St"/"Mt", or a short lower-case particle and a joiner ("al-"); "X-held" is a word
    # and a hyphen.
    names_gate: dict[str, Any] = {"capitals": True, "joiners": JOINERS}
    # Most capitalised words start no list: a list runs on to its descriptor over names, commas,
    # "and"/"&", and a full stop only in "St."/"Mt." (any other character is a barrier).
    list_reach = _reach(first_words(desc), "’'-‐‑–,&", ("St.", "Ste.", "Mt.", "Ft."), after_name=True)
    list_re = GatedPattern(compile_re(rf"(?<![\w’'-]){items}\s+(?P<desc>{desc_alt})(?![\w-])"),
                           frozenset({"the"}), **names_gate, reach=list_reach)
    pre_re = GatedPattern(compile_re(
        rf"(?<!\w)(?:{the})?(?:(?:{alternation(preword, fold=False)}|[\w]+-(?i:held|controlled|occupied|besieged|run))\s+){{0,3}}"
        rf"(?P<desc>{sing_alt})\s+(?:(?P<of>of)\s+|(?=[A-Z]))(?P<name>{name})"),
        union(frozenset({"the"}), first_words(preword), first_words(sing)), joiners="-")
    prefix_re = GatedPattern(compile_re(rf"(?<!\w)(?P<pdesc>{alternation(prefixes, fold=False)})\s+(?P<name>{name})"),
                             first_words(prefixes))
    head_alt = alternation(heads, fold=False)
    cap = r"(?:[a-z]{1,4}[-‐‑])?[A-Z][\w’'-]*"
    # "the al-Badiyah and al-Jazeera Operation Center" is one facility: an "and" between capitalised
    # words inside a facility's name does not make two places.
    facility_re = GatedPattern(compile_re(
        rf"(?<!\w)(?:{the})?(?P<name>(?:{cap}\s+(?:and\s+(?={cap}))?){{1,4}}(?P<head>{head_alt})(?:\s+(?:for|of)\s+{cap}(?:\s+{cap}){{0,3}})?)(?![\w-])"),
        frozenset({"the"}), **names_gate, reach=_reach(first_words(heads), "’'-‐‑", after_name=True))
    slot_re = GatedPattern(compile_re(rf"(?<![\w-])(?P<slot>{alternation(slots, fold=True)})\s+{the}?"
                                      rf"(?:(?P<dadj>{part_alt})\s+)?(?P<name>{name})"), first_words(slots))
    # A further name of a list ends where the list goes on or the clause ends: in "..., the SOHR
    # monitor said" "SOHR" is not a list item.
    cont_re = compile_re(rf"\s*(?:,\s*(?:and\s+)?{the}?(?P<cname>{name})"
                         r"(?=\s*(?:[,.;:)!?]|$|(?:and|or|in|on|near|at|to|from|after|before|during|with)\b))"
                         rf"|\s+(?:and|or)\s+{the}?(?P<name>{name}))")
    unit_alt = alternation(units, fold=True)
    ana_alt = alternation(anaphors, fold=True)
    anchor = (rf"(?:(?P<ana>{ana_alt})(?![\w-])|{the}?(?:{word}\s+(?:capital|city\s+of|town\s+of)\s+)?"
              rf"(?:(?P<adir>{dir_alt})\s+)?(?P<anc>{name})(?:\s+(?P<adesc>{desc_alt})(?![\w-]))?)")

    near_alt = alternation(near, fold=True)
    # The three phrases that lead to an anchor share one copy of it: "(?:h1|h2|h3)a" tries
    # what "h1a|h2a|h3a" tries, in the same order (so it finds the same match), and the anchor
    # (place-name patterns, with the stopword list in every word) was two thirds of the
    # pattern: compiling it three times was the largest single cost of loading.
    rel_re = compile_re(
        rf"(?:\s*,?\s*(?:(?P<dist>\d+(?:\.\d+)?)\s*(?P<unit>{unit_alt})\s+)?(?P<dir>{dir_alt})"
        rf"(?:\s+(?:and|or|to)\s+(?P<dir2>{dir_alt}))?\s+of\s+"
        rf"|\s*,?\s+(?P<near>{near_alt})\s+"
        rf"|\s*,?\s+(?:in|of|across)\s+{the}?(?P<inadj>{part_alt})\s+){anchor}"
        # "Chahar Dara district in Kunduz", "the Maru and Anka areas of Zamfara"
        rf"|\s*,?\s+(?P<plain>in|of)\s+{the}?(?P<anc4>{name})(?:\s+(?P<adesc4>{desc_alt})(?![\w-]))?")
    part_before_re = compile_re(rf"(?P<adj>{dir_alt})\s+(?:part|parts|side|reaches|countryside|edge|outskirts)\s+of\s+{the}?$")
    dir_before_re = compile_re(rf"(?<![\w-])(?P<adj>{dir_alt})\s+$")
    dir_of_before_re = compile_re(rf"(?<![\w-])(?P<d1>{dir_alt})(?:\s+(?:and|or|to)\s+(?P<d2>{dir_alt}))?\s+of\s+{the}?$")
    # "outskirts of it" / "near the city", and bare noun anaphors ("attacked the town").
    noun_ana = alternation([a for a, kind in anaphors.items() if kind], fold=True)
    anaphor_re = GatedPattern(compile_re(rf"(?<![\w-])(?:(?P<near>{near_alt})\s+(?P<ana>{ana_alt})"
                                         rf"|(?P<bare>{noun_ana}))(?![\w-])(?!\s+of\b)(?!\s+(?:has|had|was|is|will)\b)"),
                              union(first_words(near), first_words([a for a, kind in anaphors.items() if kind])),
                              follows=_anaphor_follows(near, anaphors))
    trailing_desc_re = compile_re(rf"\s+(?P<desc>{desc_alt})$")
    person_after_re = compile_re(r"\s+(?:said|says|told|added|stated|announced|revealed|explained|noted)\b|['’]s\s")
    return PlaceResources(
        desc_by_form=MappingProxyType(desc), region_descriptors=frozenset(regions), list_re=list_re,
        pre_re=pre_re, prefix_re=prefix_re, prefix_by_form=MappingProxyType(prefixes), facility_re=facility_re,
        slot_re=slot_re, cont_re=cont_re, rel_re=rel_re, part_before_re=part_before_re,
        dir_before_re=dir_before_re, dir_of_before_re=dir_of_before_re,
        near_before_re=compile_re(rf"(?<![\w-])(?P<near>{near_alt})\s+{the}?$"),
        near_lasts=(frozenset(_WORD_RE.findall(f)[-1] for f in near)
                    if all(re.search(r"\w\Z", f) for f in near) else None),
        settlement_descriptors=frozenset(settlements),
        world_region_re=GatedPattern(compile_re(r"(?<![\w-])" + alternation(world, fold=False) + r"(?![\w-])"),
                                     first_words(world)),
        anaphor_re=anaphor_re, trailing_desc_re=trailing_desc_re,
        person_after_re=person_after_re, directions=MappingProxyType(dirs),
        near=MappingProxyType(near), units=MappingProxyType(units), anaphors=MappingProxyType(anaphors),
        stopwords=frozenset(stop),
        subject_re=GatedPattern(compile_re(
            rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?P<name>{name})(?=,\s+(?:which|where)\b|\s+(?:was|were|has\s+been|had\s+been|"
            rf"is|are)\s+(?:\w+ly\s+)?(?:{alternation(subject_verbs, fold=True) if subject_verbs else '(?!x)x'})(?![\w-]))",
            re.MULTILINE), frozenset(), **names_gate,
            # Most capitalised words are not such a subject: the name runs on to "which"/"where"
            # or to one of the verbs (after "was"/"is" and maybe an adverb) over its own
            # characters and a comma only, a full stop only in "St."/"Mt.".
            reach=_reach(union(frozenset({"which", "where"}), first_words(subject_verbs)), "’'-‐‑–,",
                         ("St.", "Ste.", "Mt.", "Ft."))),
    )


def _anaphor_follows(near: Mapping[str, str], anaphors: Mapping[str, str | None]
                     ) -> Mapping[str, tuple[frozenset[str], bool]] | None:
    """The follow gate of ``anaphor_re`` (see ``scan.GatedPattern.follows``): a near phrase goes
    on with its next word, or after its last word with an anaphor ("near it", "around the town");
    a noun anaphor with its second word ("the" only before "city", "town", ...).  Most of the
    pattern's start words ("the", "in", "on") start no anaphor: they are not tried.  None (no
    gate) when an anaphor does not start with a word."""
    after_near = first_words(anaphors)
    if after_near is None:
        return None
    fm = FollowMap()
    fm.forms(near, after_near)
    fm.forms([a for a, kind in anaphors.items() if kind], free=True)  # a one-word noun anaphor ends a match
    return fm.build()


def _reach(words: frozenset[str] | None, allowed: str, passes: tuple[str, ...] = (), *,
           after_name: bool = False) -> Reach | None:
    """The :class:`~frontwatch.scan.Reach` gate of a pattern that runs on to one of the words
    whose first words are ``words`` (None: a form that does not start with a word, no gate)."""
    return None if words is None else Reach(words, allowed, passes, after_name)


@dataclass(slots=True)
class _Item:
    start: int
    end: int
    name: str
    descriptor: str | None
    region: bool = False
    relative: RelativePosition | None = None
    rule: str = ""
    name_start: int = -1  # where the name itself starts, when the mention starts earlier

    def name_span(self) -> tuple[int, int]:
        s = self.name_start if self.name_start >= 0 else self.start
        return s, s + len(self.name)


@dataclass(slots=True)
class _Group:
    start: int
    end: int
    priority: int
    items: list[_Item] = field(default_factory=list)


def _strip_the(s: str) -> str:
    return _LEADING_THE.sub("", s.strip())


def _split_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the names in "A, B, the C and D" between start and end."""
    spans = []
    for m in _LIST_ITEM.finditer(text[start:end]):
        s = m.group(0)
        s2 = _ITEM_LEAD.sub("", s)
        off = start + m.start() + (len(s) - len(s2))
        s3 = _strip_the(s2)
        off += len(s2) - len(s3)
        s3 = s3.rstrip()
        if s3:
            spans.append((off, off + len(s3)))
    return spans


def _descriptor(res: PlaceResources, form: str) -> tuple[str, bool]:
    return res.desc_by_form.get(normalise(form).lower(), (normalise(form).lower(), False))


def _candidates(text: str, res: PlaceResources, lex: Lexicon, index: WordIndex | None = None) -> list[_Group]:
    groups: list[_Group] = []
    for m in res.list_re.finditer(text, index=index):
        canon, plural = _descriptor(res, m.group("desc"))
        whole = normalise(_strip_the(m.group(0)))
        last_word = m.group("items").split()[-1]
        if whole in lex.country_name_forms or (canon == "state" and last_word.isupper()):
            continue  # "United States" is a country; "state TV" no place
        spans = _split_items(text, m.start("items"), m.end("items"))
        region = canon in res.region_descriptors
        if plural and len(spans) > 1:
            items = [_Item(s, e, text[s:e], canon, region, rule="list+descriptor") for s, e in spans]
            items[-1].end = m.end("desc")
        else:
            # A singular descriptor names one place: the last of the names ("in Iraq, X city").
            s, e = spans[-1]
            items = [_Item(s, m.end("desc"), text[s:e], canon, region, rule="name+descriptor")]
        groups.append(_Group(items[0].start, m.end(), PRI_LIST, items))
    for m in res.pre_re.finditer(text, index=index):
        d = m.group("desc").lower()
        canon = "city" if d == "capital" else _descriptor(res, d)[0]
        nm = _trim_name(text, m.start("name"), m.end("name"), res)
        if nm is None:
            continue
        s, e = nm
        groups.append(_Group(m.start(), e, PRI_PRE,
                             [_Item(m.start("desc"), e, text[s:e], canon, canon in res.region_descriptors,
                                    rule="descriptor+name", name_start=s)]))
    for m in res.prefix_re.finditer(text, index=index):
        canon = res.prefix_by_form[normalise(m.group("pdesc"))]
        nm = _trim_name(text, m.start("name"), m.end("name"), res)
        if nm is None:
            continue
        groups.append(_Group(m.start(), nm[1], PRI_PREFIX,
                             [_Item(m.start(), nm[1], text[nm[0]:nm[1]], canon, rule="prefix+name", name_start=nm[0])]))
    for m in res.facility_re.finditer(text, index=index):
        head = m.group("head").lower()
        groups.append(_Group(m.start(), m.end(), PRI_FACILITY,
                             [_Item(m.start("name"), m.end("name"), m.group("name"), head, rule="facility")]))
    for m in res.subject_re.finditer(text, index=index):
        nm = _trim_name(text, m.start("name"), m.end("name"), res)
        if nm is not None and nm[1] == m.end("name"):
            groups.append(_Group(nm[0], nm[1], PRI_SLOT, [_Item(nm[0], nm[1], text[nm[0]:nm[1]], None, rule="slot:subject")]))
    for m in res.slot_re.finditer(text, index=index):
        slot = m.group("slot").lower()
        if slot == "to" and _NOT_A_PLACE_TO.search(text[max(0, m.start() - 12):m.start()]):
            continue
        items = []
        s, e = m.start("name"), m.end("name")
        end = e
        while True:
            nm = _trim_name(text, s, e, res)
            if nm is not None:
                cm = lex.country_re.match(text, nm[0])
                if cm and cm.end() > nm[1]:
                    nm = (nm[0], cm.end())  # "United Arab Emirates": a stop word inside a country name
            if nm is not None and res.person_after_re.match(text, nm[1]):
                break  # "..., Ahmed Saleh said": a person, and the end of the list
            if nm is not None:
                item = _Item(nm[0], nm[1], text[nm[0]:nm[1]], None, rule=f"slot:{slot}")
                if slot == "outskirts of":
                    item.relative = RelativePosition("outskirts", item.name)
                if m.group("dadj") and not items:
                    item.start, item.name_start = m.start("dadj"), item.start
                    bearing = res.directions.get(normalise(m.group("dadj")).lower())
                    # "western Anbar" is an area; "central Damascus" is still the city.
                    item.region = bearing is not None
                    item.relative = RelativePosition("in", item.name, bearing)
                items.append(item)
                end = nm[1]
            c = res.cont_re.match(text, end)
            if c is None or nm is None:
                break
            which = "cname" if c.group("cname") else "name"
            s, e = c.start(which), c.end(which)
        if items:
            groups.append(_Group(m.start("name") if not m.group("dadj") else m.start("dadj"), end, PRI_SLOT, items))
    for hit in _country_names(text, lex, index):
        s, e, code = hit
        groups.append(_Group(s, e, PRI_COUNTRY, [_Item(s, e, text[s:e], "country", True, rule=f"country:{code}")]))
    for m in res.world_region_re.finditer(text, index=index):
        groups.append(_Group(m.start(), m.end(), PRI_COUNTRY,
                             [_Item(m.start(), m.end(), m.group(0), "region", True, rule="world-region")]))
    return groups


def _country_names(text: str, lex: Lexicon, index: WordIndex | None = None) -> list[tuple[int, int, str]]:
    out = []
    for m in lex.country_re.finditer(text, index=index):
        form = normalise(m.group(0))
        code = lex.country_by_form.get(form)
        if code is None:
            continue
        if form in lex.country_name_forms:
            if _HYPHENATED.match(text[m.end():m.end() + 2]):
                continue  # "Syria-Iraq border" is found by the descriptor pass ("Iraq's army" is an actor)
            out.append((m.start(), m.end(), code))
    return out


def _trim_name(text: str, s: int, e: int, res: PlaceResources) -> tuple[int, int] | None:
    """Drop a trailing capitalised descriptor ("H-2 Airbase" in a slot) and reject names that
    are a lone stop word."""
    name = text[s:e]
    td = res.trailing_desc_re.search(name)
    if td and td.start() > 0:
        e = s + td.start()
        name = text[s:e]
    if not name or name in res.stopwords or normalise(name).lower() in res.desc_by_form:
        return None  # a lone stop word, or a descriptor standing alone ("the Province")
    return s, e


class _Overlaps:
    """Whether a span overlaps any of fixed spans: ``any(s < end and start < e for s, e in
    spans)``, by bisection (every candidate place is tested against every actor and date)."""

    __slots__ = ("_starts", "_reach")

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _e in ordered]
        # _reach[k]: the furthest end among the first k spans by start (0 for none)
        self._reach = [0, *accumulate((e for _s, e in ordered), max)]

    def __call__(self, start: int, end: int) -> bool:
        # the spans that start before ``end`` are the first k; one of them overlaps if it ends after start
        k = bisect_left(self._starts, end)
        return k > 0 and self._reach[k] > start


def _select(groups: list[_Group], exclude: Sequence[tuple[int, int]], lex: Lexicon) -> list[_Group]:
    """Non-overlapping groups, best evidence first; items overlapping actors or dates dropped."""
    demonyms = lex.demonym_forms
    chosen: list[_Group] = []
    taken: list[tuple[int, int]] = []
    overlaps_excluded = _Overlaps(exclude)
    for g in sorted(groups, key=lambda g: (g.priority, -(g.end - g.start), g.start)):
        if any(s < g.end and g.start < e for s, e in taken):
            if len(g.items) < 2:
                continue
            # A list keeps the items that do not collide with better evidence.
            g.items = [it for it in g.items if not any(s < it.end and it.start < e for s, e in taken)]
            if not g.items:
                continue
            g.start = g.items[0].start
        kept = []
        for it in g.items:
            # "Syria's Deir Ezzor Governorate": the possessor is context, not part of the name.
            poss = _POSSESSOR.match(it.name)
            if poss and normalise(poss.group(1)) in lex.country_by_form:
                cut = poss.end()
                ns = it.name_span()[0]
                it.name, it.name_start = it.name[cut:], ns + cut
            core = normalise(_strip_the(it.name))
            ns, ne = it.name_span()
            if overlaps_excluded(ns, ne) and it.rule != "facility":
                continue
            first = core.split(" ")[0].split("-")[0]
            if (core in demonyms or first in demonyms) and it.descriptor not in ("border",):
                continue  # "Syrian city" (a description), "Iraqi Joint Operations Room" (an institution)
            if it.descriptor is None and core in lex.country_by_form and core not in demonyms:
                it.descriptor, it.region = "country", True
            kept.append(it)
        if kept:
            g.items = kept
            chosen.append(g)
            taken.extend((it.start, it.end) for it in kept)
    chosen.sort(key=lambda g: g.start)
    return chosen


def _merge_adjacent(text: str, groups: list[_Group]) -> list[_Group]:
    """Groups joined only by "," / "and" form one list (a relative phrase after it applies to all)."""
    out: list[_Group] = []
    for g in groups:
        if out and g.priority != PRI_COUNTRY and out[-1].priority != PRI_COUNTRY:
            gap = text[out[-1].end:g.start]
            if len(gap) < MAX_JOINER_CHARS and gap.strip(" ,").lower() in _JOINERS:
                prev = out[-1]
                prev.items.extend(g.items)
                prev.end = g.end
                continue
        out.append(g)
    return out


def _bearing(res: PlaceResources, m: re.Match[str], *names: str) -> float | None:
    vals = [res.directions[k] for n in names if m.group(n) and (k := normalise(m.group(n)).lower()) in res.directions]
    if not vals:
        return None
    if len(vals) == 2 and abs(vals[0] - vals[1]) > 180:  # "northwest and north": mean on the circle
        vals = [v if v >= 180 else v + 360 for v in vals]
    return (sum(vals) / len(vals)) % 360


def _resolve_anaphor(text: str, pos: int, kind: str | None, seen: list[tuple[int, str, str | None, bool]]) -> str | None:
    """The last place named before ``pos`` in the same paragraph (or within ANAPHOR_WINDOW)."""
    para = text.rfind("\n\n", 0, pos)
    floor = min(para, pos - ANAPHOR_WINDOW) if para >= 0 else 0
    if kind is not None:
        # "the town" is first the last place named a town ("the town of X in Y province": X, not
        # the anchor Y, whose descriptor is not known when it is recorded).
        for start, name, desc, _region in reversed(seen):
            if floor <= start < pos and desc == kind:
                return name
    for start, name, desc, region in reversed(seen):
        if start >= pos or start < floor:
            continue
        if kind is not None and desc not in (kind, None) and not (kind == "area" and desc):
            continue
        if kind is None and region:
            continue
        return name
    return None


def find_places(text: str, res: PlaceResources, lex: Lexicon,
                exclude: Sequence[tuple[int, int]] = (), index: WordIndex | None = None) -> list[PlaceMention]:
    """Candidate place mentions in ``text`` (see the module docstring).

    ``exclude``: spans that are not places (actor and date mentions); ``index``: the text's
    :class:`~frontwatch.scan.WordIndex`, if the caller has one (same results, faster).
    """
    groups = _merge_adjacent(text, _select(_candidates(text, res, lex, index), exclude, lex))
    out: list[PlaceMention] = []
    seen: list[tuple[int, str, str | None, bool]] = []  # (start, name, descriptor, region) for anaphora
    ana_spans = [(m.start(), m.end(), m) for m in res.anaphor_re.finditer(text, index=index)]
    events: list[tuple[int, str, Any]] = [(g.start, "g", g) for g in groups] + [(s, "a", m) for s, _e, m in ana_spans]
    events.sort(key=lambda x: x[0])
    last_rel_end = -1
    for _pos, kind, obj in events:
        if kind == "a":
            m = obj  # type: ignore[assignment]
            grp = "ana" if m.group("ana") else "bare"  # type: ignore[union-attr]
            a_s, a_e = m.start(grp), m.end(grp)  # type: ignore[union-attr]
            if any(g.start <= a_s < g.end for g in groups):
                continue
            ana_kind = res.anaphors.get(normalise(m.group(grp)).lower())  # type: ignore[union-attr]
            target = _resolve_anaphor(text, a_s, ana_kind, seen)
            if target is None:
                continue
            rel = None
            if m.group("near"):  # type: ignore[union-attr]
                rel = RelativePosition(res.near.get(normalise(m.group("near")).lower(), "near"), target)  # type: ignore[union-attr]
            out.append(PlaceMention(a_s, a_e, text[a_s:a_e], target, descriptor=ana_kind, relative=rel, rule="anaphor"))
            seen.append((a_s, target, ana_kind, False))
            continue
        g: _Group = obj  # type: ignore[assignment]
        rel, rel_end = _relative_after(text, g, res, seen)
        # A place that is the anchor of the previous place's relative phrase is a reference
        # point ("15km east of X"), not where anything happened: say so in the rule.
        anchor_of = g.start < last_rel_end
        nb = (res.near_before_re.search(text, max(0, g.start - 40), g.start)
              if res.near_lasts is None or ends_with_word(text, g.start, res.near_lasts) else None)
        if nb and rel is None and not anchor_of:
            # "near X", "on the outskirts of X town": the place is next to X, not X itself.
            relation = res.near.get(normalise(nb.group("near")).lower(), "near")
            # "between A and B": both ends are the anchor (the geocoder takes the middle).
            between = " and ".join(_strip_the(it.name) for it in g.items) if relation == "between" else None
            for it in g.items:
                if it.relative is None:
                    it.relative = RelativePosition(relation, between or _strip_the(it.name))
        if not anchor_of and rel is None and len(g.items) == 1 and g.items[0].relative is None:
            # "the desert south and southeast of X": an area given only by its bearing from X.
            db = res.dir_of_before_re.search(text, max(0, g.start - 60), g.start) \
                if ends_with_word(text, g.start, _OF) else None
            if db:
                it = g.items[0]
                it.relative = RelativePosition("direction", _strip_the(it.name), _bearing(res, db, "d1", "d2"))
                it.rule = "relative-only:" + it.rule
        if rel is not None:
            last_rel_end = max(last_rel_end, rel_end)
        for it in g.items:
            name = _strip_the(it.name)
            relative = it.relative or rel
            if relative is not None and relative is rel and normalise(relative.anchor).lower() == normalise(name).lower() \
                    and it.descriptor in (None, "city", "town", "village", "country"):
                relative = None  # "X city and Y town east of it": X is the anchor, not east of itself
            if relative is not None and relative.relation == "in" and relative.anchor == name:
                it.region = True
            rule = ("anchor:" if anchor_of else "") + it.rule + ("+relative" if relative and not it.relative else "")
            out.append(PlaceMention(it.start, it.end, text[it.start:it.end], name, it.descriptor, relative,
                                    it.region, rule))
        for it in g.items:
            seen.append((it.start, _strip_the(it.name), it.descriptor, it.region))
        if rel is not None and rel.anchor:
            # The anchor is a place mentioned too: later anaphors may point to it.
            seen.append((g.end, rel.anchor, None, False))
    out.sort(key=lambda p: p.start)
    return out


def _relative_after(text: str, g: _Group, res: PlaceResources,
                    seen: list[tuple[int, str, str | None, bool]]) -> tuple[RelativePosition | None, int]:
    """The relative phrase right after a group, and where it ends."""
    m = res.rel_re.match(text, g.end)
    if m is None:
        # "in the western part of Anbar province": the part comes before the name.
        pb = res.part_before_re.search(text, max(0, g.start - 60), g.start) \
            if ends_with_word(text, g.start, _OF) else None
        if pb and len(g.items) == 1:
            it = g.items[0]
            it.region = True
            return RelativePosition("in", _strip_the(it.name), res.directions.get(pb.group("adj").lower())), g.end
        return None, g.end
    plain = m.group("plain") is not None  # the one phrase with an anchor of its own
    if not plain and m.group("ana"):
        kind = res.anaphors.get(normalise(m.group("ana")).lower())
        anchor = _resolve_anaphor(text, g.start, kind, seen)
        if anchor is None:
            return None, g.end
    else:
        anchor = m.group("anc4" if plain else "anc")
        adesc = m.group("adesc4" if plain else "adesc")
        if adesc and _descriptor(res, adesc)[0] == "border":
            anchor = f"{anchor} border"  # "near the Syrian border": the anchor is the border
    if m.group("dir"):
        dist = None
        if m.group("dist"):
            dist = float(m.group("dist")) * res.units.get(m.group("unit").lower(), 1.0)
        relation = "offset" if dist is not None else "direction"
        return RelativePosition(relation, anchor, _bearing(res, m, "dir", "dir2"), dist), m.end()
    if m.group("near"):
        relation = res.near.get(normalise(m.group("near")).lower(), "near")
        return RelativePosition(relation, anchor, _bearing(res, m, "adir")), m.end()
    return RelativePosition("in", anchor, _bearing(res, m, "inadj")), m.end()


def place_label(place: PlaceMention, res: PlaceResources) -> str:
    """The name to show and match for a place: settlements and areas by their name ("al-Qa'im"
    for "al-Qa'im city"), features with their descriptor ("al-Aghuat hill", "Husibah border
    crossing", "al-Qa'im-Akashat highway"), since "al-Aghuat" alone names the village, not the hill.
    Facility names already carry their head noun ("State Company for Phosphate")."""
    desc = place.descriptor
    if not desc or desc in res.settlement_descriptors or "facility" in place.rule or place.rule == "anaphor" \
            or normalise(place.name).lower().endswith(desc):
        return place.name
    # The descriptor as written ("hills"), else the canonical one (list items: "H1" of "H1 and H2 airbases").
    at = place.text.find(place.name)
    tail = place.text[at + len(place.name):].strip() if at >= 0 else ""
    if tail and normalise(tail).lower() in res.desc_by_form:
        return f"{place.name} {tail}"
    return f"{place.name} {desc}"
