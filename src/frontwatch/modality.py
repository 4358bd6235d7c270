"""Modality, claims and control statements: what an article asserts as done, and who says so.

Cues live in ``data/modality.yaml``; :func:`load_modality` compiles them once into regular
expressions.  The scope of a cue is the clause that governs the trigger: a clause starts at the
last boundary before the trigger (a semicolon, a dash, a relative pronoun, a subordinator such
as "if"/"after"/"that", a quotation mark) and a cue counts only between that start and the
trigger.  So in "X, which was captured last week, will be the next target" the capture is past,
and in "announced that the PMU will attack" the attack is a plan.

Hand-written because no offline library does it: spaCy's blank English has no parser (and the
project ships no statistical model), and negation/speculation scopers such as negspacy need
entity spans and a model; a boundary-and-cue scope is what news sentences need and is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from re import _constants as _sre_constants  # type: ignore[attr-defined]  # the parse tree's opcodes, for first_chars

from . import scan, wordgate
from .control_statements import ControlRules, compile_control_rules, find_control_statements
from .errors import ConfigError
from .model import ActorMention, ControlStatement, Document, Sentence
from .scan import GatedPattern, TextWords, WordIndex
from .wordgate import SentenceMarks

_FRONTED_SUBORDINATE_RE = re.compile(
    r"\s*(?:after|before|since|if|when|while|although|though|because|once|unless|until|following|as)\b[^,;]*,\s*",
    re.IGNORECASE)
# Claimant phrases longer than this are not a name but a clause; they are cut.
MAX_CLAIMANT_CHARS = 80
# How far back an opinion verb may stand before a "that" clause and still govern it.
OPINION_WINDOW_CHARS = 40
# Control statements: how much text either side of a place mention is read for a cue.
CONTROL_WINDOW_CHARS = 90
_WORD_RE = re.compile(r"\w+")
# Precompiled rather than compiled per call (re's cache lookup was a measurable share).
_DETERMINER_RE = re.compile(r"(?:the|a|an)\s+", re.IGNORECASE)
_SUBJECT_SEP_RE = re.compile(r"[,;:\"“”]|\bthat\b")  # what ends the stretch before a reporting verb
_PRONOUN_RE = re.compile(r"\s*(?:he|she|they|it|we|i|officials?)\s*", re.IGNORECASE)
_CLAIM_PHRASE_STOP_RE = re.compile(r"[,.;:\n]|\s[–—]\s")


@dataclass(frozen=True, slots=True)
class Modality:
    """What a clause says of its trigger: asserted as done, or why not; and whether it is a
    background event (told as earlier than the narrative's date)."""

    asserted: bool
    reason: str = ""
    background: bool = False


@dataclass(frozen=True, slots=True)
class ModalityRules:
    """Compiled cues (built once by :func:`load_modality`)."""

    version: str
    boundary_re: re.Pattern[str]
    cue_res: tuple[tuple[str, PhraseSearch], ...]  # (kind, phrases) checked in order
    opinion_tail_re: re.Pattern[str]
    infinitive_re: re.Pattern[str]
    infinitive_ok_re: re.Pattern[str]
    background_re: PhraseSearch
    aggregate_re: re.Pattern[str]
    claim_verb_re: GatedPattern
    claim_prep_re: re.Pattern[str]
    role_after_re: re.Pattern[str]
    role_before_re: re.Pattern[str]
    control_before: tuple[re.Pattern[str], ...]
    control_after: tuple[re.Pattern[str], ...]
    control: ControlRules | None = None  # control-statement cues (control_statements.py)
    # Word gate (see :func:`gate_words`): the regex is searched only where one of its first
    # words occurs; None = always search.  Same results, a set lookup instead of a scan.
    claim_prep_gate: frozenset[str] | None = None
    # boundary_re and aggregate_re for lower-cased text (see case_free, DocMemo.lowered), or None
    boundary_lower_re: re.Pattern[str] | None = None
    aggregate_lower_re: re.Pattern[str] | None = None
    opinion_tail_lower_re: re.Pattern[str] | None = None
    infinitive_lower_re: re.Pattern[str] | None = None
    # for wordgate.merged_marks and search_at_words: tried at their first words, not everywhere
    boundary_split: tuple[frozenset[str], re.Pattern[str], re.Pattern[str] | None] | None = None
    aggregate_words: frozenset[str] | None = None
    gate_union: frozenset[str] | None = None  # all the first-word gates above (TextWords.narrow)


def phrase_regex(phrases: Sequence[str]) -> str:
    """An alternation of phrases on word boundaries (spaces match any whitespace)."""
    alts: list[str] = []
    # Consecutive phrases with the same word boundaries share them: "(?<!\w)(?:a|b)(?!\w)" matches
    # what "(?<!\w)a(?!\w)|(?<!\w)b(?!\w)" does (the same first alternative that fits, tried in the
    # same order), but where each alternative opens with a look-behind the engine enters every
    # one at every position; behind one shared look-behind it skips those whose first character
    # differs (an opinion-verb search of a 40-character window: 14 µs -> 1 µs).
    run: list[str] = []
    run_bounds: tuple[str, str] | None = None
    for p in sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True):
        # "=may": case-sensitive (the modal, not the month "May"), and not before a day number.
        exact = p.startswith("=")
        p = p[1:] if exact else p.lower()
        body = r"\s+".join(re.escape(w) for w in p.split())
        left = r"(?<!\w)" if p[0].isalnum() else ""
        right = r"(?!\w)" if p[-1].isalnum() else ""
        if exact or (left, right) != run_bounds:
            if run:
                alts.append(_bounded(run, run_bounds))  # type: ignore[arg-type]
            run, run_bounds = [], None
        if exact:
            alts.append(rf"(?-i:{left}{body}{right})(?!\s+\d)")
        else:
            run.append(body)
            run_bounds = (left, right)
    if run:
        alts.append(_bounded(run, run_bounds))  # type: ignore[arg-type]
    return "|".join(alts) if alts else r"(?!x)x"


def _bounded(bodies: list[str], bounds: tuple[str, str]) -> str:
    """Phrase bodies that share their word boundaries, as one alternative of phrase_regex."""
    left, right = bounds
    return f"{left}{bodies[0]}{right}" if len(bodies) == 1 else f"{left}(?:{'|'.join(bodies)}){right}"


def gate_words(phrases: Sequence[str]) -> frozenset[str] | None:
    """The words that a match of ``phrase_regex(phrases)`` must start with: for each phrase the
    first run of word characters, lower-cased — or None when a phrase has none.

    Why it is exact: each phrase's first run of word characters is bounded on the left (by
    ``(?<!\\w)`` or by the phrase's own punctuation) and on the right (by a non-word character
    of the phrase, ``\\s+`` or ``(?!\\w)``), so in a matched text it is a whole ``\\w+`` token.
    A text none of whose word tokens is in this set cannot match, and the regex (whose cost
    grows with the number of phrases at every position) need not run.
    """
    out = set()
    for p in phrases:
        p = p.strip()
        if not p:
            continue
        m = _WORD_RE.search(p[1:] if p.startswith("=") else p)
        if m is None:
            return None
        out.add(m.group(0).lower())
    return frozenset(out)


def words_of(text: str, start: int = 0, end: int | None = None) -> frozenset[str]:
    """The lower-cased word tokens of ``text[start:end]`` (to test gates against)."""
    return frozenset(_WORD_RE.findall(text[start:end].lower()))


def gated_search(rx: re.Pattern[str], gate: frozenset[str] | None, words: frozenset[str],
                 text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """``rx.search(text, start, end)``, skipped (None) when ``words`` (the tokens of that span)
    holds none of the gate's first words."""
    if gate is not None and gate.isdisjoint(words):
        return None
    return rx.search(text, start, len(text) if end is None else end)


@dataclass(frozen=True, slots=True)
class PhraseSearch:
    """:func:`phrase_regex` of a phrase list, searched fast: the phrases that start with a word
    as a :class:`~frontwatch.scan.GatedPattern` (tried only at those words), the few that start
    with punctuation ("'ll") as a plain regex.  ``search`` returns what one regex of all the
    phrases would: the two kinds never start at the same position, so the leftmost wins."""

    gated: GatedPattern
    rest: re.Pattern[str] | None

    def search(self, text: str, index: WordIndex | None = None) -> re.Match[str] | None:
        """The leftmost phrase in ``text`` (``index``: the WordIndex of ``text``, if at hand)."""
        m = next(self.gated.finditer(text, index=index), None)
        return self._leftmost(text, m)

    def search_words(self, text: str, words: frozenset[str] | set[str]) -> re.Match[str] | None:
        """:meth:`search`, given ``words``: the lower-cased word tokens of ``text`` (each
        ``\\w+`` run lower-cased, as :class:`~frontwatch.scan.WordIndex` keys them).  When none is
        a first word of the gated phrases, they cannot match and are not tried (most clauses)."""
        firsts = self.gated.firsts
        if firsts is not None and firsts.isdisjoint(words):
            return self._leftmost(text, None)
        return self._leftmost(text, next(self.gated.finditer(text), None))

    def search_in(self, words: TextWords, lo: int, hi: int, listed: frozenset[str] | set[str]) -> re.Match[str] | None:
        """:meth:`search_words` of ``words.text[lo:hi]`` (``listed``: its words, as
        :meth:`TextWords.words_in` gives them), searched in place: the match has the same text,
        its offsets are the document's.  Only for a span that cuts no word at its start (where
        ``words_in`` gives its words): there the phrases' look-behind sees what a slice would."""
        text, m = words.text, None
        firsts = self.gated.firsts
        if firsts is None or not firsts.isdisjoint(listed):
            m = next(self.gated.finditer_in(words, lo, hi), None)
        if self.rest is not None:  # (no look-behind: these start with punctuation)
            r = self.rest.search(text, lo, hi)
            if r is not None and (m is None or r.start() < m.start()):
                return r
        return m

    def _leftmost(self, text: str, m: re.Match[str] | None) -> re.Match[str] | None:
        """The leftmost of ``m`` (the gated phrases' first match) and the other phrases' first."""
        if self.rest is not None:
            r = self.rest.search(text)
            if r is not None and (m is None or r.start() < m.start()):
                return r
        return m


@dataclass(slots=True)
class DocMemo:
    """Scans of one document's sentences and clauses, kept for the triggers that share them.

    A sentence often holds several triggers, and each asked the same questions of it (its clause
    boundaries, its "according to", its reporting verbs).  The keys are positions in one text:
    a memo serves one document (extract_events makes a new one per call) and must not be reused
    for another.
    """

    bounds: dict[tuple[int, int], SentenceMarks] = field(default_factory=dict)  # clause_bounds' cache
    aggregate: dict[tuple[int, int], re.Match[str] | None] = field(default_factory=dict)  # clause -> cue
    opinion: dict[tuple[int, int], re.Match[str] | None] = field(default_factory=dict)  # (sentence, clause start)
    claim_prep: dict[tuple[int, int], re.Match[str] | None] = field(default_factory=dict)  # sentence -> cue
    # sentence -> its reporting verbs: (start, start of the verb's subject, whether it has one)
    claim_verbs: dict[tuple[int, int], list[tuple[int, int, bool]]] = field(default_factory=dict)
    in_sentence: dict[tuple[int, int], list[ActorMention]] = field(default_factory=dict)  # sentence -> actors
    claimant: dict[tuple[int, int, int, int], str] = field(default_factory=dict)  # (sentence, phrase) -> name
    # The document's words, listed once (made when first asked): the gated phrase searches of
    # each sentence and clause find their candidate words in it by bisection, instead of
    # splitting each sentence again (a page has about one trigger per sentence).
    _words: TextWords | None = None
    _lowered: tuple[str, str | None] | None = None  # (text, text lower-cased, see lowered)

    def lowered(self, text: str) -> str | None:
        """``text`` lower-cased when only its ASCII letters have a case (curly quotes and dashes
        have none): the same offsets, and a case-insensitive comparison of any of its characters
        is that of its lower-case form.  Else None."""
        found = self._lowered
        if found is None or found[0] is not text:
            caseless = text.isascii() or all(c.lower() == c == c.upper() for c in set(text) if c > "\x7f")
            found = self._lowered = (text, text.lower() if caseless else None)
        return found[1]

    def words(self, text: str, gates: frozenset[str] | None = None) -> TextWords:
        """The :class:`~frontwatch.scan.TextWords` of ``text`` (the memo's document; ``gates``:
        see TextWords.narrow, for the first call)."""
        found = self._words
        if found is None or found.text is not text:
            found = self._words = TextWords(text, gates)
        return found


def compile_phrases(phrases: Sequence[str], where: str) -> PhraseSearch:
    """Compile a phrase list (the syntax of :func:`phrase_regex`) into a :class:`PhraseSearch`."""
    phrases = [str(p).strip() for p in phrases if str(p).strip()]
    worded = [p for p in phrases if _WORD_RE.match(p.removeprefix("="))]
    rest = [p for p in phrases if p not in worded]
    gated = GatedPattern(_compile(phrase_regex(worded), where), scan.first_words(p.removeprefix("=") for p in worded))
    return PhraseSearch(gated, _compile(phrase_regex(rest), where) if rest else None)


def _merge(base: dict, extra: dict) -> dict:
    """Append lists key by key (nested one level): a user's file extends, never replaces."""
    out = dict(base)
    for k, v in extra.items():
        if k == "version":
            continue
        if isinstance(v, list):
            out[k] = list(out.get(k) or []) + v
        elif isinstance(v, dict):
            out[k] = _merge(out.get(k) or {}, v)
        else:
            out[k] = v
    return out


def _compile(pattern: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


# ----------------------------------------------------------------------------- first characters

_OP = _sre_constants
_CATEGORY_CLASS = {_OP.CATEGORY_DIGIT: r"\d", _OP.CATEGORY_NOT_DIGIT: r"\D", _OP.CATEGORY_SPACE: r"\s",
                   _OP.CATEGORY_NOT_SPACE: r"\S", _OP.CATEGORY_WORD: r"\w", _OP.CATEGORY_NOT_WORD: r"\W"}
_REPEATS = (_OP.MAX_REPEAT, _OP.MIN_REPEAT, _OP.POSSESSIVE_REPEAT)


def _char(code: int) -> str:
    """A character as an escape that means itself inside a character class."""
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _first_of_sequence(items) -> tuple[list[str] | None, bool]:
    """(class items one of which the first character of a match satisfies, whether a match can
    be empty) of a parsed sequence; (None, True) when that is not known."""
    out: list[str] = []
    for op, av in items:
        first, empty = _first_of_item(op, av)
        if first is None:
            return None, True
        out += first
        if not empty:
            return out, False
    return out, True


def _first_of_item(op, av) -> tuple[list[str] | None, bool]:
    if op is _OP.LITERAL:
        return [_char(av)], False
    if op is _OP.IN:
        out = []
        for kind, value in av:
            if kind is _OP.LITERAL:
                out.append(_char(value))
            elif kind is _OP.RANGE:
                out.append(f"{_char(value[0])}-{_char(value[1])}")
            elif kind is _OP.CATEGORY and value in _CATEGORY_CLASS:
                out.append(_CATEGORY_CLASS[value])
            else:  # a negated set, another category
                return None, True
        return out, False
    if op is _OP.AT or op is _OP.ASSERT_NOT:
        return [], True  # zero-width: the next item decides
    if op is _OP.ASSERT:
        direction, body = av
        if direction == 1:  # a look-ahead that needs a character: that character starts the match
            first, empty = _first_of_sequence(body)
            if first is None:
                return None, True
            if not empty:
                return first, False
        return [], True
    if op is _OP.BRANCH:
        out, any_empty = [], False
        for branch in av[1]:
            first, empty = _first_of_sequence(branch)
            if first is None:
                return None, True
            out += first
            any_empty = any_empty or empty
        return out, any_empty
    if op is _OP.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        if add_flags or del_flags:  # a local flag (case) would have to be carried into the class
            return None, True
        return _first_of_sequence(body)
    if op in _REPEATS:
        low, _high, body = av
        first, empty = _first_of_sequence(body)
        return (None, True) if first is None else (first, empty or low == 0)
    if op is _OP.ATOMIC_GROUP:
        return _first_of_sequence(av)
    return None, True  # any character, back-references, conditionals: not analysed


def first_chars(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` with a look-ahead for the characters its matches can start with, or ``rx`` itself.

    Why: ``re`` tries every alternative of a pattern at every position of the text, and the
    clause-boundary, aggregate and opinion patterns (long alternations, zero-width ``\\b(?=...)``
    boundaries) are searched over every sentence with a trigger.  A match of ``rx`` can only
    start at a character of the class computed here from ``rx``'s own parse tree (its leading
    literals, sets and look-aheads, through groups, branches, optional items and zero-width
    assertions), so the pattern ``(?=[class])(?:rx)``, compiled with the same flags (the class
    is case-folded exactly as the literals it comes from), matches exactly where and what ``rx``
    matches, but gives up at the other positions after one character test.  When the first
    character cannot be bounded (a match may be empty, start with any character, or a group
    changes flags), ``rx`` is returned unchanged.
    """
    try:
        # The standard library's own regex parser (private: another Python may lack it or lay
        # its tree out otherwise, and then the pattern is simply left as it is).
        from re import _parser as sre_parser  # type: ignore[attr-defined]

        first, empty = _first_of_sequence(sre_parser.parse(rx.pattern, rx.flags))
    except Exception:  # noqa: BLE001 - no analysis means no look-ahead, never an error
        return rx
    if first is None or empty or not first:
        return rx
    try:
        return re.compile(f"(?=[{''.join(sorted(set(first)))}])(?:{rx.pattern})", rx.flags)
    except re.error:  # e.g. global inline flags, which must stay first
        return rx


def _case_free_char(code: int) -> bool:
    """Whether a literal matches the same ASCII characters with and without IGNORECASE once
    the text is lower-cased: not an upper-case ASCII letter, and no other character with a case
    (one that may fold to an ASCII letter: the Kelvin sign to "k")."""
    c = chr(code)
    if code < 128:
        return not c.isupper()
    return not c.isalpha() and c.lower() == c and c.upper() == c


def _case_free_items(items) -> bool:
    """Whether a parsed sequence is :func:`case_free` (see there)."""
    for op, av in items:
        if op in (_OP.LITERAL, _OP.NOT_LITERAL):
            ok = _case_free_char(av)
        elif op is _OP.IN:
            ok = all(kind in (_OP.CATEGORY, _OP.NEGATE) or (kind is _OP.LITERAL and _case_free_char(value)) or (
                kind is _OP.RANGE and all(_case_free_char(c) for c in range(value[0], value[1] + 1)))
                for kind, value in av)
        elif op in (_OP.AT, _OP.ANY, _OP.CATEGORY, _OP.GROUPREF):
            ok = True
        elif op is _OP.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            ok = not add_flags and not del_flags and _case_free_items(body)
        elif op is _OP.BRANCH:
            ok = all(_case_free_items(b) for b in av[1])
        elif op in _REPEATS:
            ok = _case_free_items(av[2])
        elif op in (_OP.ASSERT, _OP.ASSERT_NOT):
            ok = _case_free_items(av[1])
        elif op is _OP.ATOMIC_GROUP:
            ok = _case_free_items(av)
        else:  # conditionals and the rest: not analysed
            ok = False
        if not ok:
            return False
    return True


def case_free(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """``rx`` (case-insensitive) compiled case-sensitively, for lower-cased text, or None.

    Why: ``re`` compares each character of a case-insensitive pattern through a case mapping,
    which makes the clause-boundary and aggregate scans (run over each sentence with a trigger)
    about a third slower than a case-sensitive scan.  On text whose only characters with a case
    are ASCII letters, lower-cased (same length, same offsets), a case-insensitive pattern
    matches where and what the same pattern matches case-sensitively, when none of its literals
    and sets names an upper-case letter and no group changes the flags: each literal then meets
    the lower-case form that the case-insensitive comparison would have used.  Anything else
    gives None (scan the text as it is)."""
    if not rx.flags & re.IGNORECASE or rx.flags & re.LOCALE:
        return None
    try:
        from re import _parser as sre_parser  # type: ignore[attr-defined]  # private: see first_chars

        if not _case_free_items(sre_parser.parse(rx.pattern, rx.flags)):
            return None
        out = re.compile(rx.pattern, rx.flags & ~re.IGNORECASE)
    except Exception:  # noqa: BLE001 - no analysis means no case-free form, never an error
        return None
    return out if not out.flags & re.IGNORECASE else None  # an inline (?i) stays case-insensitive


def compile_modality(data: dict) -> ModalityRules:
    """Compile a modality mapping (the parsed YAML, user files already merged in)."""
    mod = data.get("modality") or {}
    boundaries = data.get("clause_boundaries") or []
    boundary_re = first_chars(_compile("|".join(f"(?:{b})" for b in boundaries) or r"(?!x)x", "clause_boundaries"))
    kinds = ("negation", "plan", "speculation")
    cue_res = tuple((kind, compile_phrases(mod.get(kind) or [], f"modality.{kind}")) for kind in kinds)
    # Opinion and denial verbs govern a "that" clause from outside it ("experts believe that ...",
    # "the army denied that it shelled ...").
    opinion = [p for p in (mod.get("speculation") or []) + (mod.get("negation") or [])
               if p.isalpha() and len(p) > 4]
    opinion_tail_re = first_chars(_compile(rf"(?:{phrase_regex(opinion)})\W*(?:\w+\W+){{0,1}}$", "opinion"))
    # (first_chars here too: searched per trigger, it starts with few letters)
    infinitive_re = first_chars(re.compile(r"(?<!\w)to\s+(?:\w+ly\s+)?$", re.IGNORECASE))
    aggregate_re = first_chars(_compile("|".join(f"(?:{p})" for p in data.get("aggregate") or []) or r"(?!x)x",
                                        "aggregate"))
    roles = data.get("claim_roles") or []
    role_alt = phrase_regex(roles)
    control = compile_control_rules(data.get("control"))
    rules = ModalityRules(
        version=str(data.get("version", "")),
        boundary_re=boundary_re,
        cue_res=cue_res,
        opinion_tail_re=opinion_tail_re,
        # (first_chars here too: searched per trigger or claimant phrase, they start with few letters)
        infinitive_re=infinitive_re,
        infinitive_ok_re=_compile(rf"(?:{phrase_regex(data.get('infinitive_ok') or [])})\s+to\s+(?:\w+ly\s+)?$",
                                  "infinitive_ok"),
        background_re=compile_phrases(data.get("background") or [], "background"),
        aggregate_re=aggregate_re,
        claim_verb_re=GatedPattern(_compile(phrase_regex(data.get("claim_verbs") or []), "claim_verbs"),
                                   scan.first_words(data.get("claim_verbs") or [])),
        claim_prep_re=first_chars(_compile(phrase_regex(data.get("claim_prepositions") or []), "claim_prepositions")),
        role_after_re=_compile(rf"^\s*(?:{role_alt})\b", "claim_roles"),
        role_before_re=first_chars(_compile(rf"(?:{role_alt})\s+((?:[A-Z][\w'’\-]*\s?){{1,4}})", "claim_roles", 0)),
        control_before=control.before,
        control_after=control.after,
        control=control,
        claim_prep_gate=gate_words(data.get("claim_prepositions") or []),
        boundary_lower_re=case_free(boundary_re),
        aggregate_lower_re=case_free(aggregate_re),
        opinion_tail_lower_re=case_free(opinion_tail_re),
        infinitive_lower_re=case_free(infinitive_re),
        boundary_split=wordgate.split_boundaries(boundaries, re.IGNORECASE, case_free, first_chars),
        aggregate_words=wordgate.all_lead_words(data.get("aggregate") or [], re.IGNORECASE),
    )
    gates = [rules.background_re.gated.firsts, *(p.gated.firsts for _k, p in cue_res), rules.claim_verb_re.firsts,
             rules.aggregate_words, control.keywords_re.firsts if control else None,
             rules.boundary_split[0] if rules.boundary_split else None]
    return replace(rules, gate_union=frozenset().union(*(g for g in gates if g)))


def clause_bounds(text: str, sent_start: int, sent_end: int, start: int, end: int,
                  rules: ModalityRules, cache: dict[tuple[int, int], SentenceMarks] | None = None,
                  lowered: str | None = None, words: TextWords | None = None) -> tuple[int, int]:
    """The clause of ``text[sent_start:sent_end]`` that contains ``[start, end)``.

    ``cache`` (one dict per document) keeps each sentence's boundaries: a sentence with several
    triggers is scanned once, and only as far as its triggers need.  ``lowered``: ``text``
    lower-cased where that is exact (:meth:`DocMemo.lowered`), scanned case-sensitively instead;
    with ``words`` (the text's TextWords) too, word-led boundaries are tried at their words only."""
    c_start, c_end = sent_start, sent_end
    found = None
    if cache is None:
        marks: Iterable[tuple[int, int]] = (m.span() for m in rules.boundary_re.finditer(text, sent_start, sent_end))
    else:
        found = cache.get((sent_start, sent_end))
        if found is None:
            split = rules.boundary_split
            if lowered is not None and words is not None and split is not None:
                scan_ = wordgate.merged_marks(split[2], split[1], split[0], words, lowered, sent_start, sent_end)
            elif lowered is not None and rules.boundary_lower_re is not None:
                scan_ = map(re.Match.span, rules.boundary_lower_re.finditer(lowered, sent_start, sent_end))
            else:
                scan_ = map(re.Match.span, rules.boundary_re.finditer(text, sent_start, sent_end))
            found = cache[(sent_start, sent_end)] = SentenceMarks(scan_)
        else:
            clause = found.clauses.get((start, end))
            if clause is not None:
                return clause
        marks = found
    for m_start, m_end in marks:
        pos = m_start if m_end == m_start else m_end
        if pos <= start:
            c_start = max(c_start, pos)
        elif m_start >= end:
            c_end = m_start
            break
    # "After X, Y did Z": a fronted subordinate clause ends at its comma.
    sub = _FRONTED_SUBORDINATE_RE.match(text, c_start, start)
    if sub:
        c_start = sub.end()
    if found is not None:
        found.clauses[(start, end)] = (c_start, c_end)
    return c_start, c_end


def assess(text: str, sent_start: int, sent_end: int, start: int, end: int,
           rules: ModalityRules, cache: dict[tuple[int, int], SentenceMarks] | None = None,
           memo: DocMemo | None = None) -> Modality:
    """Is the trigger at ``[start, end)`` asserted as done?  Looks only at its clause
    (``cache``: see :func:`clause_bounds`; ``memo``: the document's :class:`DocMemo`, whose
    ``bounds`` then serve as ``cache``)."""
    lowered = None
    if memo is not None:
        cache = memo.bounds
        lowered = memo.lowered(text)
    sentence = text[sent_start:sent_end].rstrip()
    # The document's words: they place word-led boundaries and cues, and gate each phrase list
    # below (with a memo: two bisections, not a split of the clause).
    tw = memo.words(text, rules.gate_union) if memo is not None else None
    c_start, c_end = clause_bounds(text, sent_start, sent_end, start, end, rules, cache, lowered, tw)
    before = text[c_start:start]
    listed = tw.words_in(c_start, start) if tw is not None else None
    if listed is not None:
        words = set(listed)

        def find(phrases: PhraseSearch) -> re.Match[str] | None:
            return phrases.search_in(tw, c_start, start, words)  # type: ignore[arg-type]  # (not None here)
    else:
        words = set(map(str.lower, _WORD_RE.findall(before)))

        def find(phrases: PhraseSearch) -> re.Match[str] | None:
            return phrases.search_words(before, words)
    background = bool(find(rules.background_re))
    if sentence.endswith("?"):
        return Modality(False, "question", background)
    if memo is None:
        agg = rules.aggregate_re.search(text, c_start, c_end)
    else:
        key = (c_start, c_end)
        if key not in memo.aggregate:
            # (its text is only read lower-cased: a match in the lower-cased text is the same)
            if lowered is not None and rules.aggregate_lower_re is not None and rules.aggregate_words and tw:
                found = wordgate.search_at_words(rules.aggregate_lower_re, rules.aggregate_words, tw, lowered,
                                                 c_start, c_end)
            elif lowered is not None and rules.aggregate_lower_re is not None:
                found = rules.aggregate_lower_re.search(lowered, c_start, c_end)
            else:
                found = rules.aggregate_re.search(text, c_start, c_end)
            memo.aggregate[key] = found
        agg = memo.aggregate[key]
    if agg:
        return Modality(False, f"aggregate: {agg.group(0).lower()}", background)
    for kind, phrases in rules.cue_res:
        m = find(phrases)
        if m:
            return Modality(False, f"{kind}: {m.group(0).lower()}", background)
    if lowered is not None and rules.infinitive_lower_re is not None:
        chunk = lowered[c_start:start]  # (a slice, as before; most have no "to": nothing to search)
        infinitive = rules.infinitive_lower_re.search(chunk) if "to" in chunk else None
    else:
        infinitive = rules.infinitive_re.search(before)
    if infinitive and not rules.infinitive_ok_re.search(before):
        return Modality(False, "plan: infinitive", background)
    # An opinion verb governing the clause from outside it ("experts believe that ...").
    if c_start > sent_start:
        if memo is None or (sent_start, c_start) not in memo.opinion:
            lo = max(sent_start, c_start - OPINION_WINDOW_CHARS)
            if lowered is not None and rules.opinion_tail_lower_re is not None:
                m = rules.opinion_tail_lower_re.search(lowered[lo:c_start])  # (read lower-cased)
            else:
                m = rules.opinion_tail_re.search(text[lo:c_start])
            if memo is not None:
                memo.opinion[(sent_start, c_start)] = m
        else:
            m = memo.opinion[(sent_start, c_start)]
        if m:
            return Modality(False, f"speculation: {m.group(0).strip().lower()}", background)
    return Modality(True, "", background)


def _canonical_claimant(phrase: str, offset: int, actors: Sequence[ActorMention],
                        rules: ModalityRules) -> str:
    """The source's name as written, canonicalised when it is an actor's organ."""
    lead = len(phrase) - len(phrase.lstrip(" ,.;:\"“”'"))
    phrase = phrase.strip(" ,.;:\"“”'")
    det = _DETERMINER_RE.match(phrase)
    if det:
        lead += det.end()
        phrase = phrase[det.end():]
    offset += lead
    if not phrase:
        return ""
    m = rules.role_before_re.search(phrase)
    if m and m.end(1) >= len(phrase.rstrip()) - 1:
        return m.group(1).strip()
    for a in actors:
        rel = a.start - offset
        if 0 <= rel < len(phrase) + 40 and a.end - offset <= len(phrase) + 40:
            tail = phrase[a.end - offset:] if a.end - offset <= len(phrase) else ""
            r = rules.role_after_re.match(tail)
            if r:
                return f"{a.name} {r.group(0).strip()}"
            if a.text.strip().lower() == phrase.lower():
                return a.name
    return phrase[:MAX_CLAIMANT_CHARS].strip()


def claim_preposition(text: str, sent_start: int, sent_end: int, rules: ModalityRules,
                      memo: DocMemo | None = None) -> re.Match[str] | None:
    """The first claim preposition ("according to") of the sentence ``[sent_start, sent_end)``."""
    key = (sent_start, sent_end)
    if memo is not None and key in memo.claim_prep:
        return memo.claim_prep[key]
    # words_of lower-cases the span before splitting it; TextWords splits, then lower-cases each
    # word: the same words on ASCII text (elsewhere a lower-case form may have another length).
    # There the gate asks the document's words whether one of its first words starts in the
    # sentence (a bisection): a match starts at such a whole word, so the search it skips would
    # have found nothing, as the words_of gate says.
    gate = rules.claim_prep_gate
    if memo is not None and gate is not None and text.isascii():
        m = rules.claim_prep_re.search(text, sent_start, sent_end) if memo.words(text).any_start(
            gate, sent_start, sent_end) else None
    else:
        m = gated_search(rules.claim_prep_re, gate, words_of(text, sent_start, sent_end), text, sent_start, sent_end)
    if memo is not None:
        memo.claim_prep[key] = m
    return m


def _claim_verbs(text: str, sent_start: int, sent_end: int, rules: ModalityRules,
                 words: TextWords | None = None) -> list[tuple[int, int, bool]]:
    """The sentence's reporting verbs: (start, start of the subject's segment, whether that
    segment names someone — not empty, not a bare pronoun).  ``words``: the text's words."""
    out: list[tuple[int, int, bool]] = []
    # (the gated scan tests the sentence's words against the verbs' first words before any regex)
    verbs = rules.claim_verb_re
    found = verbs.finditer_in(words, sent_start, sent_end) if words else verbs.finditer(text, sent_start, sent_end)
    for v in found:
        seg_start = sent_start
        for sep in _SUBJECT_SEP_RE.finditer(text[sent_start:v.start()]):
            seg_start = sent_start + sep.end()
        subject = text[seg_start:v.start()]
        named = bool(subject.strip()) and not _PRONOUN_RE.fullmatch(subject)
        out.append((v.start(), seg_start, named))
    return out


def find_claimant(text: str, sent_start: int, sent_end: int, start: int,
                  actors: Sequence[ActorMention], rules: ModalityRules, end: int | None = None,
                  memo: DocMemo | None = None) -> str:
    """Who the sentence says reports the trigger at ``start``: "according to X", "X said".

    ``memo`` (the document's :class:`DocMemo`) keeps what does not depend on the trigger."""
    key = (sent_start, sent_end)
    in_sent: list[ActorMention] | None
    verbs: list[tuple[int, int, bool]] | None
    if memo is None:
        in_sent = [a for a in actors if sent_start <= a.start < sent_end]
    else:
        in_sent = memo.in_sentence.get(key)
        if in_sent is None:
            in_sent = memo.in_sentence[key] = [a for a in actors if sent_start <= a.start < sent_end]
    m = claim_preposition(text, sent_start, sent_end, rules, memo)
    if m:
        stop = _CLAIM_PHRASE_STOP_RE.search(text[m.end():sent_end])
        phrase_end = m.end() + (stop.start() if stop else sent_end - m.end())
        return _claimant_of(text, key, m.end(), phrase_end, in_sent, rules, memo)
    if memo is None:
        verbs = _claim_verbs(text, sent_start, sent_end, rules)
    else:
        verbs = memo.claim_verbs.get(key)
        if verbs is None:
            verbs = memo.claim_verbs[key] = _claim_verbs(text, sent_start, sent_end, rules, memo.words(text))
    best: tuple[int, int] | None = None
    for v_start, seg_start, named in verbs:
        if end is not None and start <= v_start < end:
            continue  # "announced the start of an operation" is the event, not a claim
        if not named:
            continue
        if v_start < start or best is None:
            best = (seg_start, v_start)
        if v_start < start:
            continue
        break
    if best is None:
        return ""
    return _claimant_of(text, key, best[0], best[1], in_sent, rules, memo)


def _claimant_of(text: str, sentence: tuple[int, int], lo: int, hi: int, in_sent: Sequence[ActorMention],
                 rules: ModalityRules, memo: DocMemo | None) -> str:
    """:func:`_canonical_claimant` of ``text[lo:hi]`` in ``sentence``, once per phrase with a memo."""
    if memo is None:
        return _canonical_claimant(text[lo:hi], lo, in_sent, rules)
    key = (*sentence, lo, hi)
    name = memo.claimant.get(key)
    if name is None:
        name = memo.claimant[key] = _canonical_claimant(text[lo:hi], lo, in_sent, rules)
    return name


def control_cue(text: str, start: int, end: int, rules: ModalityRules) -> tuple[str, int, int, str] | None:
    """A control cue right before or after the place at ``[start, end)``: (actor words, their
    start, their end, rule) or None.  Kept for callers of the old API; the statements
    themselves come from :func:`control_statements`."""
    lo = max(0, start - CONTROL_WINDOW_CHARS)
    for i, rx in enumerate(rules.control_before):
        m = rx.search(text, lo, start)
        if m:
            return m.group("actor"), m.start("actor"), m.end("actor"), f"control.before.{i}"
    for i, rx in enumerate(rules.control_after):
        m = rx.match(text[end:end + CONTROL_WINDOW_CHARS])
        if m:
            return m.group("actor"), end + m.start("actor"), end + m.end("actor"), f"control.after.{i}"
    return None


def control_statements(doc: Document, sentences: Sequence[Sentence], rules: ModalityRules,
                       memo: DocMemo | None = None) -> list[ControlStatement]:
    """Control statements made in passing ("the ISIS-held town of X", "X, the last rebel
    stronghold"): who held a place, not an event.  See :mod:`frontwatch.control_statements`.
    ``memo``: the document's :class:`DocMemo` (its words serve the keyword search)."""
    if rules.control is None:
        return []
    return find_control_statements(doc, sentences, rules.control, memo.words(doc.text or "") if memo else None)


def merge_data(base: dict, extra: dict) -> dict:
    """Public for extract.load_rules: merge a user's modality file into the built-in one."""
    return _merge(base, extra)


def load_modality(data_files: Sequence[dict]) -> ModalityRules:
    """Compile modality cues from parsed YAML mappings (the built-in first, then users')."""
    if not data_files:
        raise ConfigError("no modality data")
    merged = data_files[0]
    for extra in data_files[1:]:
        merged = _merge(merged, extra)
    return compile_modality(merged)


__all__ = ["DocMemo", "Modality", "ModalityRules", "assess", "claim_preposition", "clause_bounds", "control_cue", "control_statements", "find_claimant",
           "compile_phrases", "gate_words", "gated_search", "load_modality", "merge_data", "phrase_regex", "PhraseSearch", "words_of"]
