"""Statements of territorial control made in passing: who holds a place, said on the way.

War reporting names the holder of a place inside a noun phrase or a short clause far more often
than it reports the capture: "the ISIS-held border town of X", "rebel-held X", "X, the last
ISIS stronghold in Iraq", "the last town under ISIS control – X", "X remains in the hands of Y",
"Y still holds X", "A and B are considered the last two strongholds of Y".  These are evidence of
who held a place at the article's date, not events.

Cues are regular expressions in the ``control`` section of ``data/modality.yaml`` (users extend
them with their own file): ``before`` patterns must end right before a place, ``after`` patterns
must start right after it; both name the controller with ``{actor}``.  :func:`compile_control_rules`
compiles them once.  Candidates are the document's place mentions plus capitalised names that no
annotator recognised as a place (a bare "Rawa" after a dash): a cue right next to a name is
strong evidence that it is a place, and gazetteers miss many small towns.

A statement is kept only when it speaks of the present: a tense or negation cue inside it
("which had been the last stronghold of Y", "used to be held by Y", "no longer under Y
control", "the former Y stronghold") drops it, because in an article reporting a capture such
phrases describe the place as it was.  "Besieged by Y" says the opposite of control by Y and
is no cue.  A controller must be an actor mention that ends (for "Y-held") or starts (for
"held by Y") exactly at the cue's actor words, or a generic word ("government", "rebel") that
the rules map to an actor.

Hand-written because no offline library does it: spaCy's blank English has no parser, and a
cue-next-to-a-name scope is what these fixed noun-phrase and copula forms need.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from .errors import ConfigError
from .model import ControlStatement, Document, Evidence, PlaceMention, Sentence, Span
from .names import normalise
from .scan import GatedPattern, TextWords, first_words

# How much text either side of a place is read for a cue (cues are short noun phrases/clauses).
CONTROL_WINDOW_CHARS = 90
# A bare capitalised name is at most this many words ("Deir ez-Zor", "Musa Qala").
MAX_BARE_NAME_WORDS = 4
# What ``{actor}`` stands for in a cue: one or two words, after an optional "the".
ACTOR_GROUP = r"(?<![\w\-])(?:the\s+)?(?P<actor>[\w\-]+(?:\s+[\w\-]+)?)"
# A capitalised name word, optionally with an Arabic-style lower-case particle ("al-Qa'im",
# "ez-Zor") and hyphenated capitalised parts ("Umm Qasr", "Hay al-Askari").
_NAME_WORD = r"(?:(?:al|el|ez|ad|ar|as|an|at|ash|ed|es|ibn|bin|abu|bani)[\-\u2011])?[A-Z][\w'\u2019]*(?:-[A-Z][\w'\u2019]*)*"
_BARE_NAME_RE = re.compile(
    rf"(?<![\w'\u2019\-]){_NAME_WORD}(?:\s(?:al\s|el\s)?{_NAME_WORD}){{0,{MAX_BARE_NAME_WORDS - 1}}}")
_NEXT_WORD_RE = re.compile(r"\s+([a-z][\w\-]*)")


@dataclass(frozen=True, slots=True)
class ControlRules:
    """Compiled control-statement cues (built once by :func:`compile_control_rules`)."""

    before: tuple[re.Pattern[str], ...]  # each ends with ``$``: matched against text before a place
    after: tuple[re.Pattern[str], ...]  # each starts with ``^``: matched against text after a place
    not_current_re: re.Pattern[str]  # past tense / negation inside a cue: not current control
    not_current_before_re: re.Pattern[str]  # the same right before a "before" cue ("the former")
    partial_re: re.Pattern[str]  # right before a place: only part of it is meant ("parts of")
    plural_re: re.Pattern[str]  # a cue speaking of several places ("strongholds", "are")
    coordination_re: re.Pattern[str]  # what may stand between coordinated places
    not_names: frozenset[str]  # capitalised words that do not start a bare place name
    skip_descriptors: frozenset[str]  # place kinds never said to be held ("country")
    state_words: frozenset[str]  # "government-held": the article's state forces
    generic_controllers: Mapping[str, str]  # "rebel-held": a generic actor name ({country})
    keywords_re: GatedPattern  # a sentence without one has no cue
    adjective_heads: frozenset[str]  # nouns after which a capitalised word is an adjective


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


def _words(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        # YAML reads a bare on/off/yes/no as a boolean: say so, it is the usual cause.
        raise ConfigError(f"{where} must be a list of strings (quote words such as \"on\" or \"no\")")
    return [v.strip() for v in value if v.strip()]


def _cue(pattern: str, where: str, filler_stop: str) -> str:
    if not isinstance(pattern, str):
        raise ConfigError(f"{where}: a cue must be a string")
    if "{actor}" not in pattern and "(?P<actor>" not in pattern:
        raise ConfigError(f"{where}: cue {pattern!r} names no controller ({{actor}})")
    return pattern.replace("{actor}", ACTOR_GROUP).replace("{filler_stop}", filler_stop)


def compile_control_rules(section: Mapping | None) -> ControlRules:
    """Compile the ``control`` section of the modality data (user files already merged in)."""
    section = section or {}
    if not isinstance(section, Mapping):
        raise ConfigError("modality.yaml: 'control' must be a mapping")
    stops = _words(section.get("filler_stop_words"), "control.filler_stop_words")
    filler_stop = rf"(?:{'|'.join(re.escape(w) for w in stops) or '(?!x)x'})"
    before = tuple(_compile(rf"(?:{_cue(p, 'control.before', filler_stop)})\s*$", "control.before")
                   for p in _words(section.get("before"), "control.before"))
    after = tuple(_compile(rf"^(?:{_cue(p, 'control.after', filler_stop)})", "control.after")
                  for p in _words(section.get("after"), "control.after"))
    not_current = _words(section.get("not_current"), "control.not_current")
    not_before = _words(section.get("not_current_before"), "control.not_current_before")
    partial = _words(section.get("partial"), "control.partial")
    plural = _words(section.get("plural"), "control.plural")
    coord = _words(section.get("coordination"), "control.coordination")
    keywords = _words(section.get("keywords"), "control.keywords")
    if (before or after) and not keywords:
        raise ConfigError("control.keywords: cues need keywords (sentences without one are not read)")
    generic = section.get("generic_controllers") or {}
    if not isinstance(generic, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in generic.items()):
        raise ConfigError("control.generic_controllers must map words to actor names")
    return ControlRules(
        before=before,
        after=after,
        not_current_re=_compile("|".join(f"(?:{p})" for p in not_current) or r"(?!x)x", "control.not_current"),
        partial_re=_compile("|".join(f"(?:{p})" for p in partial) or r"(?!x)x", "control.partial"),
        not_current_before_re=_compile("|".join(f"(?:{p})" for p in not_before) or r"(?!x)x",
                                       "control.not_current_before"),
        plural_re=_compile("|".join(f"(?:{p})" for p in plural) or r"(?!x)x", "control.plural"),
        coordination_re=_compile(rf"^(?:{'|'.join(f'(?:{p})' for p in coord) or '(?!x)x'})$", "control.coordination"),
        not_names=frozenset(w.lower() for w in _words(section.get("not_names"), "control.not_names")),
        skip_descriptors=frozenset(w.lower() for w in _words(section.get("skip_descriptors"), "control.skip_descriptors")),
        state_words=frozenset(w.lower() for w in _words(section.get("state_words"), "control.state_words")),
        generic_controllers=MappingProxyType({k.lower(): v for k, v in generic.items()}),
        keywords_re=GatedPattern(_compile(rf"\b(?:{'|'.join(re.escape(w) for w in keywords) or '(?!x)x'})\b",
                                          "control.keywords"), first_words(keywords)),
        adjective_heads=frozenset(w.lower() for w in _words(section.get("adjective_heads"), "control.adjective_heads")),
    )


@dataclass(slots=True)
class _Found:
    """A cue found next to a candidate place."""

    controller: str
    actor_span: Span
    rule: str
    plural: bool


def _bare_names(doc: Document, sents: Sequence[Sentence], rules: ControlRules) -> list[PlaceMention]:
    """Capitalised names in ``sents`` that no place or actor mention covers: places the
    annotator missed.  A name followed by one of ``adjective_heads`` is an adjective ("the
    rebel-held Syrian town of X", "regime-held Shia villages"), not a place."""
    text = doc.text
    taken = sorted([(p.start, p.end) for p in doc.places] + [(a.start, a.end) for a in doc.actors])
    # The mentions overlapping a sentence start after its start less the longest mention's
    # length: found by bisection in that window, not by reading all of them per sentence.
    starts = [s for s, _e in taken]
    longest = max((e - s for s, e in taken if e > s), default=0)
    out: list[PlaceMention] = []
    for sent in sents:
        near = [(s, e) for s, e in taken[bisect_right(starts, sent.start - longest):bisect_left(starts, sent.end)]
                if sent.start < e]
        for m in _BARE_NAME_RE.finditer(text, sent.start, sent.end):
            start, words = m.start(), m.group(0).split()
            # Strip capitalised function words ("In Mosul", "The Taliban's").
            while words and words[0].lower() in rules.not_names:
                start = text.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
                words = words[1:]
            end = m.end()
            # ... and trailing ones ("regime-held Aleppo Saturday").
            while words and words[-1].lower() in rules.not_names:
                words = words[:-1]
                end = text.rindex(words[-1], start, end) + len(words[-1]) if words else start
            if not words or any(s < end and start < e for s, e in near):
                continue
            nxt = _NEXT_WORD_RE.match(text, end)
            if nxt and nxt.group(1).lower() in rules.adjective_heads:
                continue
            out.append(PlaceMention(start, end, text[start:end], text[start:end], rule="control.bare_name"))
    return out


def _controller(doc: Document, words: str, a_start: int, a_end: int, before: bool,
                rules: ControlRules) -> str:
    """The canonical actor the cue's words name, or "" when they name none."""
    for a in doc.actors:
        # The mention must end ("Y-held") or start ("held by Y") where the cue's words do, so
        # that "Y took control of" does not read as "Y controls".
        if a.start < a_end and a.end > a_start and (a.end >= a_end if before else a.start <= a_start):
            return a.name
    last = words.lower().split()[-1] if words.split() else ""
    if last in rules.state_words:
        return _state_forces(doc)
    template = rules.generic_controllers.get(last)
    if template:
        country = _country_name(doc)
        return template.format(country=country) if country else re.sub(r"\s*\(\{country\}\)", "", template)
    return ""


def _state_forces(doc: Document) -> str:
    """The article's own state forces: the first state actor of its country, else any."""
    state = [a for a in doc.actors if a.inter == 1]
    own = [a for a in state if doc.country and a.country == doc.country]
    return (own or state)[0].name if (own or state) else ""


def _country_name(doc: Document) -> str:
    """The display name of the article's country as the actor lexicon wrote it ("Military
    Forces of Syria" gives "Syria"), so that generic controllers read like generic actors."""
    for a in doc.actors:
        if doc.country and a.country == doc.country and a.generic:
            m = re.search(r"\(([^)]+)\)$|\bof\s+(.+)$", a.name)
            if m:
                return m.group(1) or m.group(2)
    for a in doc.actors:
        if doc.country and a.country == doc.country:
            m = re.search(r"\(([^)]+)\)$|\bof\s+(.+)$", a.name)
            if m:
                return m.group(1) or m.group(2)
    return ""


def _cue_at(doc: Document, p: PlaceMention, sent: Sentence, rules: ControlRules) -> tuple[_Found | None, _Found | None]:
    """(cue right before the place, cue right after it), each None when absent or not current."""
    text = doc.text
    found: list[_Found | None] = [None, None]
    lo = max(sent.start, p.start - CONTROL_WINDOW_CHARS)
    if rules.partial_re.search(text, max(sent.start, p.start - CONTROL_WINDOW_CHARS // 2), p.start):
        return None, None  # "rebel-held parts of X": part of X, not X
    before = text[lo:p.start]
    for i, rx in enumerate(rules.before):
        m = rx.search(before)
        if m is None:
            continue
        a_start, a_end = lo + m.start("actor"), lo + m.end("actor")
        # The cue itself ("the former ISIS stronghold of") and what stands right before it
        # ("what used to be the ISIS-held town of").
        if rules.not_current_re.search(m.group(0)) or rules.not_current_before_re.search(
                text, max(sent.start, lo + m.start() - CONTROL_WINDOW_CHARS // 3), lo + m.start()):
            break
        who = _controller(doc, m.group("actor"), a_start, a_end, True, rules)
        if who:
            found[0] = _Found(who, Span(a_start, a_end), f"control.before.{i}", bool(rules.plural_re.search(m.group(0))))
            break
    hi = min(sent.end, p.end + CONTROL_WINDOW_CHARS)
    after = text[p.end:hi]
    for i, rx in enumerate(rules.after):
        m = rx.search(after)
        if m is None:
            continue
        a_start, a_end = p.end + m.start("actor"), p.end + m.end("actor")
        if rules.not_current_re.search(m.group(0)):
            break
        who = _controller(doc, m.group("actor"), a_start, a_end, False, rules)
        if who:
            found[1] = _Found(who, Span(a_start, a_end), f"control.after.{i}", bool(rules.plural_re.search(m.group(0))))
            break
    return found[0], found[1]


def find_control_statements(doc: Document, sentences: Sequence[Sentence], rules: ControlRules,
                            words: TextWords | None = None) -> list[ControlStatement]:
    """Control statements made in passing in ``doc`` (one per place and controller).

    A cue that speaks of several places ("the ISIS-held towns of A and B", "A and B are the last
    two strongholds of Y") gives one statement to each coordinated place.  ``words``: the
    :class:`~frontwatch.scan.TextWords` of ``doc.text``, if the caller has them."""
    # Most sentences state no control: one keyword search skips them (with the text's words, by
    # bisection in the keywords' places rather than a split of each sentence).
    # (may_match_in first: most sentences have no keyword's first word, told by one bisection)
    kw = rules.keywords_re

    def keyword_in(s: Sentence) -> bool:
        if words is None:
            return next(kw.finditer(doc.text, s.start, s.end), None) is not None
        return kw.may_match_in(words, s.start, s.end) and next(kw.finditer_in(words, s.start, s.end), None) is not None

    sents = [s for s in sorted(sentences, key=lambda s: s.start) if keyword_in(s)]
    if not sents:
        return []
    cands = [p for p in doc.places if (p.descriptor or "").lower() not in rules.skip_descriptors]
    cands = sorted(cands + _bare_names(doc, sents, rules), key=lambda p: (p.start, -p.end))
    # Each candidate with its sentence; candidates outside those sentences are not read.
    placed: list[tuple[PlaceMention, Sentence]] = []
    si = 0
    for p in cands:
        while si < len(sents) and sents[si].end <= p.start:
            si += 1
        if si < len(sents) and sents[si].start <= p.start < sents[si].end:
            placed.append((p, sents[si]))
    cues = [_cue_at(doc, p, s, rules) for p, s in placed]
    # One cue governs the head of its noun phrase: in "the rebel-held Syrian town of X" the same
    # actor words reach both "Syrian" and X; the last candidate is the place.
    for i in range(len(cues) - 1):
        b = cues[i][0]
        if b is not None and any(c[0] is not None and c[0].actor_span == b.actor_span for c in cues[i + 1:i + 4]):
            cues[i] = (None, cues[i][1])
    chosen: list[_Found | None] = [b or a for b, a in cues]

    def coordinated(i: int, j: int) -> bool:
        (p, s), (q, t) = placed[i], placed[j]
        return s is t and bool(rules.coordination_re.match(doc.text[p.end:q.start]))

    # A plural cue before the first place runs forward over its coordinated places ...
    for i in range(len(placed)):
        b = cues[i][0]
        j = i
        while b is not None and b.plural and j + 1 < len(placed) and coordinated(j, j + 1):
            j += 1
            chosen[j] = chosen[j] or _Found(b.controller, b.actor_span, b.rule + ".coordinated", True)
    # ... and a plural cue after the last place runs backward.
    for i in range(len(placed) - 1, -1, -1):
        a = cues[i][1]
        j = i
        while a is not None and a.plural and j > 0 and coordinated(j - 1, j):
            j -= 1
            chosen[j] = chosen[j] or _Found(a.controller, a.actor_span, a.rule + ".coordinated", True)

    out: list[ControlStatement] = []
    seen: set[tuple[str, str]] = set()
    for (p, s), f in zip(placed, chosen, strict=True):
        if f is None:
            continue
        key = (normalise(p.name), f.controller)
        if key in seen:
            continue
        seen.add(key)
        out.append(ControlStatement(place=p, controller=f.controller, rule=f.rule, evidence=Evidence(
            sentence=Span(s.start, s.end), actors=[f.actor_span], place=Span(p.start, p.end), rule=f.rule)))
    return out


__all__ = ["ControlRules", "compile_control_rules", "find_control_statements"]
