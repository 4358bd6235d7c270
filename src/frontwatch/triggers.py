"""Trigger and rule loading for extract.py: triggers.yaml + modality.yaml -> ExtractRules.

The trigger patterns use a small syntax (see the head of ``data/triggers.yaml``) compiled into
spaCy ``Matcher`` patterns over lower-cased tokens, once, by :func:`load_rules`.  spaCy's blank
English tokeniser is used so that patterns and documents are split alike; it has no lemmatizer,
so inflections are spelled out in the data.  The compiler is hand-written because spaCy's own
pattern format is too verbose for a lexicon people are meant to extend.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import spacy
from spacy.attrs import IS_SPACE, LOWER
from spacy.lang.en import English
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from . import modality as mod
from . import yamlio
from .errors import ConfigError
from .gcpause import gc_paused
from .rxcache import RegexCache

# A pattern of plain word alternatives expands into the product of its alternatives as phrases;
# beyond this many, it stays a Matcher pattern rather than bloat the phrase table.
MAX_PHRASES_PER_PATTERN = 5000
# spaCy refuses texts over 1M characters by default, a guard for its parser and NER models
# (~1 GB per 100k characters); the tokenizer and matchers used here need a few hundred bytes per
# token, so a long article (a whole CSV read as one text, a 2 MB transcript) is fine.
MAX_TEXT_CHARS = 200_000_000
# The lexical attributes the trigger patterns and extract.py read (see _blank_english).
_LEX_ATTRS_READ = (LOWER, IS_SPACE)


class TriggerMatcher:
    """``spacy.matcher.Matcher``'s interface (``add``, ``__call__`` -> (key, start, end)), faster.

    Why: the Matcher tries every pattern at every token and evaluates each ``IN`` set through a
    Python call, so its cost is tokens x patterns (it was ~90% of extraction time, ~5k tokens/s
    per core).  Patterns that are plain words or word alternatives (no gap, no other attribute)
    go into a ``PhraseMatcher`` (one hash lookup per token) as the product of their alternatives;
    the rest (``~N`` gaps) go into one small Matcher per word they can start with, run only at
    the tokens that are such a word, over a window as long as the longest match of that word's
    patterns, keeping the matches that start there.  Every match starts at one of its pattern's
    start words, so this gives the same matches as one Matcher over the whole document, at a cost
    of a few patterns per start token instead of every pattern at every token.  Matches are
    returned sorted by (start, end, order the keys were added), the Matcher's own order for one
    span matched by several keys.
    """

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self.matcher = Matcher(vocab)
        self._rank: dict[int, int] = {}
        # lower-case orth id of a start word -> (Matcher of the patterns that can start with it,
        # the longest match of those patterns in tokens); the Matcher is None when all of them are
        # words-and-gaps patterns, matched in Python (see _GapPattern)
        self._by_start: dict[int, tuple[Matcher | None, int]] = {}
        # lower-case orth id of a start word -> its words-and-gaps patterns (key id, pattern)
        self._gapped: dict[int, list[tuple[int, _GapPattern]]] = {}
        self._anywhere = False  # a pattern whose start or length is unbounded: in self.matcher

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        self._rank.setdefault(self.vocab.strings.add(key), len(self._rank))
        phrases: list[Doc] = []
        rest: list[list[dict]] = []
        for pat in patterns:
            alts = _word_alternatives(pat)
            if alts is None or _product_size(alts) > MAX_PHRASES_PER_PATTERN:
                bounds = _start_words_and_length(pat)
                if bounds is None:
                    rest.append(pat)  # unbounded: run over the whole document
                    self._anywhere = True
                    continue
                gapped = _GapPattern.of(pat, self.vocab.strings)
                for w in bounds[0]:
                    wid = self.vocab.strings.add(w)
                    m, width = self._by_start.get(wid) or (None, 0)
                    if gapped is not None:
                        self._gapped.setdefault(wid, []).append((self.vocab.strings[key], gapped))
                    else:
                        m = m or Matcher(self.vocab)
                        m.add(key, [pat])
                    self._by_start[wid] = (m, max(width, bounds[1]))
            else:
                phrases.extend(Doc(self.vocab, words=list(ws)) for ws in itertools.product(*alts))
        if phrases:
            self.phrases.add(key, phrases)
        if rest:
            self.matcher.add(key, rest)

    def __call__(self, doc) -> list[tuple[int, int, int]]:
        found = set(self.phrases(doc))
        if self._anywhere:
            found.update(self.matcher(doc))
        by_start, n = self._by_start, len(doc)
        if by_start and n:
            # (both columns in one call: to_array's own cost per call is most of it)
            words, gaps = doc.to_array([LOWER, IS_SPACE]).T.tolist()
            # the tokens that are a start word (a set lookup each, at C speed: numpy.isin sorts
            # both arrays, slower on an article's few hundred tokens)
            starts = list(itertools.compress(range(n), map(by_start.__contains__, words)))
            if starts:
                present = set(words)
                possible: dict[int, bool] = {}  # id(pattern) -> all its words are in the doc
                for i in starts:
                    m, width = by_start[words[i]]
                    if m is not None:
                        found.update((k, i, i + e) for k, s, e in m(doc[i:min(n, i + width)]) if s == 0)
                    for k, pat in self._gapped.get(words[i], ()):
                        ok = possible.get(id(pat))
                        if ok is None:
                            ok = possible[id(pat)] = pat.possible(present)
                        if ok:
                            found.update((k, i, e) for e in pat.ends(words, gaps, i, min(n, i + width)))
        rank = self._rank
        return sorted(found, key=lambda m: (m[1], m[2], rank[m[0]]))


@dataclass(frozen=True, slots=True)
class _GapPattern:
    """A Matcher pattern made only of word tokens (``LOWER``, a word or ``IN`` words) and the
    ``~N`` gaps of :func:`_token_options`, matched in Python over lower-case orth ids.

    Why: run through spaCy's Matcher at each start word, these few patterns cost more than the
    rest of trigger matching (a Matcher call per start token, a Python predicate per gap token).
    The match set is the Matcher's: every end at which the tokens from the start word spell the
    pattern, gaps taking 0..N tokens that are not whitespace, not a sentence start, and not one
    of the gap's excluded words.
    """

    # per pattern token: (lower ids it may be, None) for a word; (excluded lower ids, N) for a gap
    tokens: tuple[tuple[frozenset[int], int | None], ...]
    # the ids of the pattern's second word token (None if it has none): a match has one of them
    # after its start, which one set test tells before the token-by-token walk (most start words
    # are not followed by the pattern's other words: ~70% of the walks found nothing)
    second: frozenset[int] | None = None
    # the ids of each word token (not the gaps), for possible()
    required: tuple[frozenset[int], ...] = ()

    @classmethod
    def of(cls, pattern: list[dict], strings) -> _GapPattern | None:
        """The pattern in this form, or None when it has another kind of token."""
        out: list[tuple[frozenset[int], int | None]] = []
        for tok in pattern:
            value = tok.get("LOWER")
            if set(tok) == {"LOWER"} and isinstance(value, str):
                out.append((frozenset({strings.add(value)}), None))
            elif set(tok) == {"LOWER"} and isinstance(value, dict) and set(value) == {"IN"}:
                out.append((frozenset(strings.add(w) for w in value["IN"]), None))
            elif (set(tok) == {"LOWER", "IS_SPACE", "IS_SENT_START", "OP"} and tok["IS_SPACE"] is False
                  and tok["IS_SENT_START"] is False and isinstance(value, dict) and set(value) == {"NOT_IN"}
                  and tok["OP"].startswith("{0,") and tok["OP"].endswith("}") and tok["OP"][3:-1].isdigit()):
                out.append((frozenset(strings.add(w) for w in value["NOT_IN"]), int(tok["OP"][3:-1])))
            else:
                return None
        if not out or out[0][1] is not None:
            return None
        return cls(tuple(out), next((ids for ids, gap in out[1:] if gap is None), None),
                   tuple(ids for ids, gap in out if gap is None))

    def possible(self, present: set[int]) -> bool:
        """Whether each word token of the pattern is one of the ``present`` lower-case ids (those
        of a doc): if not, the pattern matches nowhere in it."""
        return not any(map(present.isdisjoint, self.required))  # (at C speed: no generator)

    def ends(self, words: list[int], spaces: list[int], start: int, stop: int) -> set[int]:
        """The ends of the matches that start at token ``start`` and end by ``stop``
        (``words``: the doc's lower-case orth ids; ``spaces``: its IS_SPACE flags)."""
        found: set[int] = set()
        if self.second is not None and self.second.isdisjoint(words[start + 1:stop]):
            return found
        positions = {start}  # where the pattern's next token may start
        for ids, gap in self.tokens:
            nxt: set[int] = set()
            if gap is None:
                for pos in positions:
                    if pos < stop and words[pos] in ids:
                        nxt.add(pos + 1)
            else:
                for pos in positions:
                    nxt.add(pos)
                    # a gap token is never the doc's first (a pattern starts with a word), so
                    # "not a sentence start" holds in a blank pipeline's doc
                    for j in range(pos, min(stop, pos + gap)):
                        if spaces[j] or words[j] in ids or j == 0:
                            break
                        nxt.add(j + 1)
            positions = nxt
            if not positions:
                return found
        found.update(positions)
        return found


def _start_words_and_length(pattern: list[dict]) -> tuple[set[str], int] | None:
    """The words a Matcher pattern's match can start with and its longest length in tokens, or
    None when either is unbounded (a leading token that is not a word list, ``*``, ``+``)."""
    words: set[str] = set()
    length = 0
    leading = True
    for tok in pattern:
        op = tok.get("OP", "")
        if op == "":
            repeat = 1
        elif op == "?":
            repeat = 1
        elif op.startswith("{") and op.endswith("}") and op[1:-1].split(",")[-1].strip().isdigit():
            repeat = int(op[1:-1].split(",")[-1])
        else:
            return None
        length += repeat
        if leading and repeat:
            value = tok.get("LOWER")
            if isinstance(value, str):
                words.add(value)
            elif isinstance(value, dict) and set(value) == {"IN"}:
                words.update(value["IN"])
            else:
                return None
            # A token that must be there (no OP, or {n,m} with n > 0) ends the leading run.
            lo = op[1:-1].split(",")[0].strip() if op.startswith("{") else ""
            if op == "" or (lo.isdigit() and int(lo) > 0):
                leading = False
    return (words, length) if words and not leading else None


def _word_alternatives(pattern: list[dict]) -> list[list[str]] | None:
    """Per token, the words it may be — or None if the pattern is more than words (gaps, ops)."""
    alts = []
    for tok in pattern:
        value = tok.get("LOWER") if set(tok) == {"LOWER"} else None
        if isinstance(value, str):
            alts.append([value])
        elif isinstance(value, dict) and set(value) == {"IN"}:
            alts.append(list(value["IN"]))
        else:
            return None
    return alts


def _product_size(alts: list[list[str]]) -> int:
    n = 1
    for a in alts:
        n *= len(a)
    return n


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    """One trigger entry of triggers.yaml."""

    id: str
    event_type: str
    sub_event_type: str
    kind: str = "verb"
    role: str = ""
    generic: bool = False
    default: str = ""
    not_before: frozenset[str] = frozenset()  # the trigger does not count before these words
    agent_after: bool = False  # "X fell to Y": the agent follows the trigger
    not_inside: frozenset[str] = frozenset()  # the match does not count with these words in its gaps


@dataclass(frozen=True)
class ExtractRules:
    """Compiled extraction knowledge (built once by :func:`load_rules`; read-only after)."""

    version: str
    nlp: spacy.language.Language
    matcher: TriggerMatcher
    cue_matcher: TriggerMatcher
    specs: Mapping[str, TriggerSpec]
    subtypes: Mapping[str, tuple[str, int]]  # sub_event_type -> (event_type, priority)
    combatant_victims: frozenset[str]
    civilian_victims: frozenset[str]
    equipment: frozenset[str]
    military_targets: frozenset[str]
    aggregate_nouns: frozenset[str]
    ambiguous_victims: frozenset[str]
    state_allied: frozenset[str]
    modality: mod.ModalityRules


def _read_yaml(path: Path | None, name: str = "") -> dict:
    try:
        if path is None:
            text = resources.files("frontwatch").joinpath("data", name).read_text(encoding="utf-8")
            where = f"data/{name}"
        else:
            text = Path(path).read_text(encoding="utf-8")
            where = str(path)
    except OSError as exc:
        raise ConfigError(f"cannot read rules file {path or name}: {exc}") from exc
    return yamlio.load_mapping(text, where)


def _token_options(element: str, tokenizer) -> list[list[dict]]:
    """One pattern element -> alternative token sequences (see the syntax in triggers.yaml)."""
    if element.startswith("~"):
        n = int(element[1:] or 3)
        return [[{"IS_SPACE": False, "IS_SENT_START": False,
                  "LOWER": {"NOT_IN": [".", ";", ":", "!", "?", "“", "”", '"']}, "OP": f"{{0,{n}}}"}]]
    optional = element.endswith("?") and len(element) > 1
    if optional:
        element = element[:-1]
    singles: list[str] = []
    multi: list[list[dict]] = []
    for alt in element.split("|"):
        toks = [t.text.lower() for t in tokenizer(alt)]
        if len(toks) == 1:
            singles.append(toks[0])
        elif toks:
            multi.append([{"LOWER": t} for t in toks])
    options = ([[{"LOWER": {"IN": singles}}]] if singles else []) + multi
    return options + [[]] if optional else options


def compile_pattern(pattern: str, tokenizer) -> list[list[dict]]:
    """A trigger pattern string -> spaCy Matcher patterns (one per multi-token alternative)."""
    per_element = [_token_options(el, tokenizer) for el in pattern.split()]
    out = []
    for combo in itertools.product(*per_element):
        toks = [t for part in combo for t in part]
        if any("OP" not in t for t in toks):
            out.append(toks)
    if not out:
        raise ConfigError(f"trigger pattern {pattern!r} matches nothing")
    return out


def _merge_triggers(base: dict, extra: dict) -> dict:
    """A user's trigger file: sub-type blocks are appended, cue lists extended."""
    out = dict(base)
    out["subtypes"] = list(base.get("subtypes") or []) + list(extra.get("subtypes") or [])
    cues = dict(base.get("cues") or {})
    for k, v in (extra.get("cues") or {}).items():
        cues[k] = list(cues.get(k) or []) + list(v or [])
    out["cues"] = cues
    out["state_allied"] = list(base.get("state_allied") or []) + list(extra.get("state_allied") or [])
    return out


def _tokenizer_factory(rx: RegexCache | None) -> Callable[[spacy.language.Language], Tokenizer]:
    """spaCy's own tokenizer factory (``spacy.Tokenizer.v1``), with its three affix regexes
    compiled through ``rx``.

    Why: those regexes (about 30k characters, mostly Unicode letter classes) cost as much to
    compile as a third of our own patterns; the expressions are built exactly as
    ``spacy.util.compile_prefix_regex`` / ``compile_suffix_regex`` / ``compile_infix_regex``
    build them, so the tokeniser is the same (tests/test_rxcache.py compares both).
    """
    compile_re = rx.compile if rx is not None else re.compile

    def factory(nlp: spacy.language.Language) -> Tokenizer:
        d = nlp.Defaults
        prefixes = "|".join(["^" + piece for piece in d.prefixes if piece.strip()]) if d.prefixes else None
        suffixes = "|".join([piece + "$" for piece in d.suffixes if piece.strip()]) if d.suffixes else None
        infixes = "|".join([piece for piece in d.infixes if piece.strip()]) if d.infixes else None
        return Tokenizer(
            nlp.vocab,
            rules=d.tokenizer_exceptions,
            prefix_search=compile_re(prefixes).search if prefixes is not None else None,
            suffix_search=compile_re(suffixes).search if suffixes is not None else None,
            infix_finditer=compile_re(infixes).finditer if infixes is not None else None,
            token_match=d.token_match,
            url_match=d.url_match,
        )

    return factory


def _blank_english(rx: RegexCache | None = None) -> spacy.language.Language:
    """spaCy's blank English, computing only the lexical attributes extraction reads.

    Why: every word a document brings for the first time becomes a lexeme, and spaCy computes
    all of English's lexical attributes for it (shape, stop word, like_num, norm exceptions,
    prefix/suffix ...): on real pages that was about half of tokenising.  The matchers and
    extract read only the token text (ORTH, not a getter), LOWER and IS_SPACE (the ``~N`` gap
    tokens; IS_SENT_START is the token's, not the lexeme's), so the others are left unset.
    The tokeniser's splitting does not read lexeme attributes.

    ``English(...)`` rather than ``spacy.blank("en")``: the same vocabulary and tokeniser (same
    rules, affixes and exceptions), without resolving and validating a full training config
    through spaCy's registry, which was about a fifth of building the blank pipeline; the
    tokeniser's regexes come through ``rx`` (see :func:`_tokenizer_factory`).
    """
    nlp = English(create_tokenizer=_tokenizer_factory(rx))
    nlp.max_length = MAX_TEXT_CHARS
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {attr: getters[attr] for attr in _LEX_ATTRS_READ}
    return nlp


@gc_paused()
def load_rules(extra: Sequence[Path] = (), rx: RegexCache | None = None) -> ExtractRules:
    """Compile triggers.yaml and modality.yaml (plus users' files of either layout) once.

    A user file with a ``subtypes``/``cues`` key extends the triggers; one with ``modality`` /
    ``claim_verbs`` / ``control`` keys extends the modality cues.  ``rx`` compiles the
    tokeniser's regexes (kept between runs).  Raises ConfigError on a bad file.
    """
    trig = _read_yaml(None, "triggers.yaml")
    moddata = [_read_yaml(None, "modality.yaml")]
    for path in extra:
        data = _read_yaml(Path(path))
        if "subtypes" in data or "cues" in data or "state_allied" in data:
            trig = _merge_triggers(trig, data)
        if any(k in data for k in ("modality", "claim_verbs", "control", "clause_boundaries", "background", "aggregate")):
            moddata.append(data)
    nlp = _blank_english(rx)
    matcher = TriggerMatcher(nlp.vocab)
    specs: dict[str, TriggerSpec] = {}
    subtypes: dict[str, tuple[str, int]] = {}
    for block in trig.get("subtypes") or []:
        try:
            sub, etype = block["sub_event_type"], block["event_type"]
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"triggers: a sub-type block lacks {exc}") from exc
        subtypes.setdefault(sub, (etype, int(block.get("priority", 50))))
        for t in block.get("triggers") or []:
            if "id" not in t or not t.get("patterns"):
                raise ConfigError(f"triggers: an entry of {sub!r} lacks an id or patterns")
            spec = TriggerSpec(id=str(t["id"]), event_type=etype, sub_event_type=sub,
                               kind=str(t.get("kind", "verb")), role=str(t.get("role", "")),
                               generic=bool(t.get("generic", False)), default=str(t.get("default", "")),
                               not_before=frozenset(str(w).lower() for w in t.get("not_before") or []),
                               agent_after=bool(t.get("agent_after", False)),
                               not_inside=frozenset(str(w).lower() for w in t.get("not_inside") or []))
            key = spec.id if spec.id not in specs else f"{spec.id}#{len(specs)}"
            specs[key] = spec
            pats = [p for s in t["patterns"] for p in compile_pattern(str(s), nlp.tokenizer)]
            matcher.add(key, pats)
    cue_matcher = TriggerMatcher(nlp.vocab)
    cues = trig.get("cues") or {}
    for name in ("protest_violent", "protest_force", "protest_intervention"):
        pats = [p for s in cues.get(name) or [] for p in compile_pattern(str(s), nlp.tokenizer)]
        if pats:
            cue_matcher.add(name, pats)
    return ExtractRules(
        version=f"{trig.get('version', '')}/{moddata[0].get('version', '')}",
        nlp=nlp, matcher=matcher, cue_matcher=cue_matcher, specs=MappingProxyType(specs),
        subtypes=MappingProxyType(subtypes),
        combatant_victims=frozenset(w.lower() for w in cues.get("combatant_victims") or []),
        civilian_victims=frozenset(w.lower() for w in cues.get("civilian_victims") or []),
        equipment=frozenset(w.lower() for w in cues.get("equipment") or []),
        military_targets=frozenset(w.lower() for w in cues.get("military_targets") or []),
        aggregate_nouns=frozenset(w.lower() for w in cues.get("aggregate_nouns") or []),
        ambiguous_victims=frozenset(w.lower() for w in cues.get("ambiguous_victims") or []),
        state_allied=frozenset(trig.get("state_allied") or []),
        modality=mod.load_modality(moddata),
    )
