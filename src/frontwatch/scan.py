"""Word-gated regular expressions: ``finditer`` that tries a pattern only where it can start.

Why hand-written: Python's ``re`` tries a pattern at every position of a text, and a pattern
made of large alternations (number words, month names, actor names) costs microseconds per
position even when it fails at once, so scanning a 3 kB article with a dozen such patterns cost
more than tokenising it.  Every pattern the annotators compile starts at the start of a word
(``(?<!\\w)``), and its first word comes from a known vocabulary; so the text's word tokens are
listed once (one cheap ``\\w+`` scan) and the pattern is tried with ``match`` only at the tokens
that are such a first word (or, where numbers may start it, begin with a digit).  The matches
are exactly those of ``pattern.finditer(text)``, as long as the caller's first-word set is
complete; ``tests/test_scan.py`` checks that property for each pattern on generated text.
(Aho–Corasick or RE2 would not do: the patterns need look-behind and backtracking.)
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate, compress, filterfalse
from operator import itemgetter, not_, or_
from types import MappingProxyType

_TOKEN_RE = re.compile(r"\w+")
_SPLIT_RE = re.compile(r"(\w+)")
_SPLIT_ASCII_RE = re.compile(r"(\w+)", re.ASCII)
# Texts shorter than this are indexed by a plain loop over their tokens (see WordIndex.of).
_SHORT_TEXT = 200
# Characters that may join a word to the next without a space ("al-Anbar", "ISIS-held",
# "al’Qaim"), indexed by WordIndex for patterns that start at such a word.
JOINERS = "-‐‑’'"


def first_word(phrase: str) -> str | None:
    """The first run of word characters of ``phrase``, lower-cased (None if it has none)."""
    m = _TOKEN_RE.search(phrase)
    return m.group(0).lower() if m else None


def first_words(phrases: Iterable[str]) -> frozenset[str] | None:
    """:func:`first_word` of each phrase, or None (no gate possible) when a phrase does not
    start with a word character: its match would not start at a word token."""
    out = set()
    for p in phrases:
        p = p.strip()
        if not p:
            continue
        if not _TOKEN_RE.match(p):
            return None
        out.add(_TOKEN_RE.match(p).group(0).lower())  # type: ignore[union-attr]
    return frozenset(out)


class FollowMap:
    """Builds a follow gate (``GatedPattern.follows``) branch by branch: what may come after
    each word a match can start with.  A word after which a match may end, or go on with
    anything, is marked free and left out of the map (no limit), whatever else it leads."""

    def __init__(self) -> None:
        self._next: dict[str, tuple[set[str], list[bool]]] = {}
        self._free: set[str] = set()

    def lead(self, word: str, nexts: Iterable[str] = (), digit: bool = False) -> None:
        """``word`` (lower-cased) may be followed by a word of ``nexts`` or, with ``digit``,
        by a word that begins with a digit."""
        words, dig = self._next.setdefault(word, (set(), [False]))
        words.update(nexts)
        dig[0] = dig[0] or digit

    def forms(self, phrases: Iterable[str], nexts: Iterable[str] = (), digit: bool = False, *,
              free: bool = False) -> None:
        """Matches may start with any of ``phrases``: a phrase of several words goes on with
        its second word; one of one word with ``nexts`` / a digit, or anything when ``free``."""
        nexts = frozenset(nexts)
        for p in phrases:
            runs = _TOKEN_RE.findall(p.lower())
            if len(runs) > 1:
                self.lead(runs[0], (runs[1],))
            elif runs and free:
                self._free.add(runs[0])
            elif runs:
                self.lead(runs[0], nexts, digit)

    def build(self) -> Mapping[str, tuple[frozenset[str], bool]]:
        """The map: first word -> (the words that may follow it, whether a digit may)."""
        return MappingProxyType({w: (frozenset(words), dig[0]) for w, (words, dig) in self._next.items()
                                 if w not in self._free})


def second_words(*phrase_lists: Iterable[str]) -> Mapping[str, tuple[frozenset[str], bool]]:
    """The follow gate (``GatedPattern.follows``) of a pattern whose every match starts with
    one of the phrases: for each first word, the second words of the phrases it starts.  A
    first word that is a whole phrase by itself may be followed by anything: it is left out."""
    fm = FollowMap()
    for phrases in phrase_lists:
        fm.forms(phrases, free=True)
    return fm.build()


def _is_word(c: str) -> bool:
    """Whether ``c`` is a ``\\w`` character (re's unicode \\w is str.isalnum() or "_")."""
    return c.isalnum() or c == "_"


def _word_back(text: str, pos: int) -> tuple[str, int]:
    """The word that ends right before ``pos`` after white space (lower-cased), and where it
    starts (``\\w`` is str.isalnum() or "_", ``\\s`` str.isspace())."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    start = pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return text[start:pos].lower(), start


def ends_with_word(text: str, pos: int, lasts: frozenset[str]) -> bool:
    """Whether the text before ``pos`` ends with a word of ``lasts``, white space and maybe
    "the" and white space: what a pattern ending in "(?:w1|w2)\\s+(?:the\\s+)?$" needs to match
    in a window that ends at ``pos`` ("near the X", "south of X", "spokesman for the X"), so
    that the window is searched only where it holds."""
    word, start = _word_back(text, pos)
    if word == "the" and word not in lasts:
        word, _start = _word_back(text, start)
    return word in lasts


def union(*sets: frozenset[str] | None) -> frozenset[str] | None:
    """The union of first-word sets, None if any is None."""
    if any(s is None for s in sets):
        return None
    return frozenset().union(*sets)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Reach:
    """A second gate, for patterns that fail at most of their start words: every match runs
    from its start to a later word token in ``words`` (lower-cased) over word characters,
    white space and the characters of ``allowed`` only, save where the text up to and
    including another character ends with one of ``passes`` ("St." in "St. Louis").
    ("The X, Y and Z valleys": a list of names is only a list of places where a descriptor ends
    it before the clause does.)  With ``after_name``, such a word counts only right after a word
    that begins with a capital A-Z or directly follows one of ``allowed`` (the last word of a
    name: "Anbar province", "al-Qa'im district"; not "the province")."""

    words: frozenset[str]
    allowed: str
    passes: tuple[str, ...] = ()
    after_name: bool = False


@dataclass(frozen=True, slots=True)
class GatedPattern:
    """A compiled pattern whose every match starts at a word token that is in ``firsts``
    (lower-cased) or, with ``digits``, that begins with a digit, or with ``capitals``, that
    begins with a capital letter, or that is followed right away by one of the ``joiners``
    characters ("al-" in "al-Anbar", "ISIS-held").

    With a :class:`WordIndex`, two more gates rule out candidates: ``reach`` (the match must
    run on to one of some words, see :class:`Reach`) and ``follows``: a match starting at a
    word of ``follows`` goes on to the next word token, which is one of the words given for it
    (lower-cased) or, when its flag is set, begins with a digit ("the" is followed by "26th" or
    "end" in a date, never by "town").

    The pattern must not match the empty string and must not start a match inside a word
    (it starts with ``(?<!\\w)`` or an equivalent look-behind)."""

    pattern: re.Pattern[str]
    firsts: frozenset[str] | None  # None: no gate, a plain finditer
    digits: bool = False
    capitals: bool = False
    joiners: str = ""
    reach: Reach | None = None
    follows: Mapping[str, tuple[frozenset[str], bool]] | None = field(default=None, compare=False)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None,
                 index: WordIndex | None = None) -> Iterator[re.Match[str]]:
        """The matches of ``self.pattern.finditer(text, pos, endpos)``, in order.

        ``index`` (the :class:`WordIndex` of this same ``text``) lists the candidate words once
        for all the patterns run over one text; it is used for whole-text scans only."""
        # A plain function returning the iterator it picks (not a generator that re-yields it):
        # one generator fewer per call and per match, for the dozen scans of every text.
        firsts = self.firsts
        endpos = len(text) if endpos is None else endpos
        if firsts is None:
            return self.pattern.finditer(text, pos, endpos)
        if index is not None and pos == 0 and endpos == len(text) and index.text is text:
            starts = index.candidates(self)
            return _non_overlapping(self.pattern.match, text, starts, endpos) if starts else iter(())
        if not (self.digits or self.capitals or self.joiners):
            # The first gate alone: the span's tokens listed and tested at C speed (one split,
            # a lower-case map and a set test), the pattern tried only at the words that pass.
            chunk = text[pos:endpos]
            parts = (_SPLIT_ASCII_RE if chunk.isascii() else _SPLIT_RE).split(chunk)
            words = parts[1::2]
            hits = list(compress(range(len(words)), map(firsts.__contains__, map(str.lower, words))))
            if not hits:
                return iter(())
            offsets = list(accumulate(map(len, parts)))  # word k starts at offsets[2 * k]
            return _non_overlapping(self.pattern.match, text, (pos + offsets[2 * k] for k in hits), endpos)
        return self._scan_tokens(text, pos, endpos)

    def _scan_tokens(self, text: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        """:meth:`finditer` of a span without an index for a pattern with more than a first
        gate: its tokens tested one by one."""
        match, firsts, digits, capitals, joiners = (self.pattern.match, self.firsts or frozenset(), self.digits,
                                                    self.capitals, self.joiners)
        end = pos
        for tok in _TOKEN_RE.finditer(text, pos, endpos):
            start = tok.start()
            if start < end:
                continue
            word = tok.group()
            if (word.lower() in firsts or (digits and word[0].isdigit()) or (capitals and word[0].isupper())
                    or (joiners and text[tok.end():tok.end() + 1] in joiners and tok.end() < endpos)):
                m = match(text, start, endpos)
                if m is not None:
                    end = m.end()
                    yield m

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """``self.pattern.match(text, pos, endpos)`` (anchored: no gate needed)."""
        return self.pattern.match(text, pos, len(text) if endpos is None else endpos)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """The first match, as ``self.pattern.search(text, pos, endpos)``."""
        return next(self.finditer(text, pos, endpos), None)

    def finditer_in(self, words: TextWords, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        """:meth:`finditer` over ``words.text[pos:endpos]``, its candidate starts found by
        bisection in ``words`` (one split of a document for all its sentences) rather than by a
        split of the span.  Patterns with more than a first gate scan the span as finditer does."""
        if self.firsts is None or self.digits or self.capitals or self.joiners:
            return self.finditer(words.text, pos, endpos)
        return _non_overlapping(self.pattern.match, words.text, words.starts_in(self.firsts, pos, endpos), endpos)


    def may_match_in(self, words: TextWords, pos: int, endpos: int) -> bool:
        """False when :meth:`finditer_in` over the span surely finds nothing (no candidate start
        in it, found by one bisection): a cheap test before scanning many spans of one text."""
        if self.firsts is None or self.digits or self.capitals or self.joiners:
            return True
        return words.any_start(self.firsts, pos, endpos)


def _non_overlapping(match, text: str, starts: Iterable[int], endpos: int) -> Iterator[re.Match[str]]:
    """The matches of ``match`` at ``starts`` (ascending), left to right, none starting inside
    the previous one — ``finditer``'s rule, tried only at the gated starts."""
    end = 0
    for start in starts:
        if start >= end:
            m = match(text, start, endpos)
            if m is not None:
                end = m.end()
                yield m


class TextWords:
    """The word tokens of one text (lower-cased) and their starts, split once, for the gated
    searches of its spans (a document's sentences and clauses): a span's words, and a first
    gate's starts in it, are then found by bisection.  Lighter than :class:`WordIndex` (no
    index by word or shape): made for texts that are searched a span at a time."""

    __slots__ = ("text", "tokens", "starts", "_gated", "_gates", "_narrow")

    def __init__(self, text: str, gates: frozenset[str] | None = None) -> None:
        self.text = text
        # [gap, word, gap, word, ..., gap]; on ASCII text the ASCII \w is the same and faster, and
        # lower-casing keeps every offset: the text is lower-cased once, not word by word
        if text.isascii():
            parts = _SPLIT_ASCII_RE.split(text.lower())
            self.tokens: list[str] = parts[1::2]
        else:
            parts = _SPLIT_RE.split(text)
            self.tokens = list(map(str.lower, parts[1::2]))
        self.starts: list[int] = list(accumulate(map(len, parts)))[0:-1:2]  # each word starts where its gap ends
        self._gated: dict[frozenset[str], list[int]] = {}  # first words -> the starts of those words
        # With ``gates`` (the union of the first-word sets the caller will ask for), the tokens in
        # it and their starts: each set within it is then looked up among those few (~a fifth of
        # an article's words) instead of all the text's words.
        self._gates = gates
        self._narrow: tuple[list[str], list[int]] | None = None
        if gates is not None:
            keep = list(map(gates.__contains__, self.tokens))
            self._narrow = (list(compress(self.tokens, keep)), list(compress(self.starts, keep)))

    def _gated_starts(self, firsts: frozenset[str]) -> list[int]:
        """The starts of the words in ``firsts``, ascending (once per set)."""
        starts = self._gated.get(firsts)
        if starts is None:
            tokens, at = self._narrow if self._narrow is not None and firsts <= self._gates else (  # type: ignore[operator]
                self.tokens, self.starts)
            starts = self._gated[firsts] = list(compress(at, map(firsts.__contains__, tokens)))
        return starts

    def _cut(self, pos: int) -> bool:
        """Whether ``pos`` falls inside a word (between two ``\\w`` characters)."""
        text = self.text
        if not 0 < pos < len(text):
            return False
        a, b = text[pos - 1], text[pos]  # (_is_word inlined: asked several times per trigger)
        return (a.isalnum() or a == "_") and (b.isalnum() or b == "_")

    def starts_in(self, firsts: frozenset[str], lo: int, hi: int) -> list[int]:
        """Where a pattern gated by ``firsts`` may start in ``text[lo:hi]`` (as
        ``pattern.finditer(text, lo, hi)`` sees it), ascending: a superset of its match starts.

        Why that is all: a gated pattern never starts a match inside a word (its look-behind
        sees the text before ``lo``), so the span's candidates are the text's gated words that
        start in it; but a word cut by ``hi`` is another, shorter word to the pattern, so its
        start is tried whatever the gate says."""
        starts = self._gated_starts(firsts)
        out = starts[bisect_left(starts, lo):bisect_left(starts, hi)]
        if self._cut(hi):
            cut = self.starts[bisect_right(self.starts, hi - 1) - 1]
            if cut >= lo and (not out or out[-1] < cut):
                out.append(cut)  # out is a slice: a new list
        return out

    def any_start(self, firsts: frozenset[str], lo: int, hi: int) -> bool:
        """Whether :meth:`starts_in` of the span is not empty (without listing it)."""
        starts = self._gated_starts(firsts)
        i = bisect_left(starts, lo)
        return (i < len(starts) and starts[i] < hi) or (self._cut(hi) and self.starts[bisect_right(self.starts, hi - 1) - 1] >= lo)

    def words_in(self, lo: int, hi: int) -> list[str] | None:
        """The lower-cased words of ``text[lo:hi]`` (each ``\\w+`` run of the span lower-cased,
        as a split of the span would give them), or None when the span cuts a word at either end
        (the span's words are then not the text's)."""
        if self._cut(lo) or self._cut(hi):
            return None
        starts = self.starts
        return self.tokens[bisect_left(starts, lo):bisect_left(starts, hi)]


@dataclass(frozen=True, slots=True)
class WordIndex:
    """The word tokens of one text, by lower-cased word and by shape, listed once so that
    every :class:`GatedPattern` run over that text finds its candidate starts by lookup.

    Tokens are referred to by their number (their place in ``tokens``): a gate then finds a
    candidate's word and the word after it by indexing, at C speed, rather than through a
    table from offsets to words made for every text."""

    text: str
    tokens: list[str]  # the ``\w+`` tokens, lower-cased, in text order
    starts: list[int]  # where each token starts
    by_word: dict[str, list[int]]  # lower-cased token -> its token numbers, ascending
    digits: list[int]  # the numbers of the tokens that begin with a digit
    capitals: list[int]  # ... with a capital letter
    joined: dict[str, list[int]]  # joiner character -> the numbers of the tokens right before one
    # What the gates find once per text and reuse (one dict, so that indexing the many short
    # texts the extraction stage scans stays cheap): "reversed" (the text backwards, where a
    # Reach looks for its barriers), "after" (each token's next token, for the follow gate),
    # each first gate's candidates.
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, text: str) -> WordIndex:
        """Index ``text`` (one pass over its tokens)."""
        if len(text) < _SHORT_TEXT:
            return cls._of_short(text)
        # One split gives the tokens and, from the lengths of the pieces, their offsets; the
        # shape tests run over the whole list at C speed.
        # [gap, word, gap, word, ..., gap]; on ASCII text the ASCII \w is the same and faster
        if text.isascii():
            # lower-casing ASCII keeps every offset: the split of the lower-cased text gives the
            # lower-cased words at once, their first characters read from the text itself
            parts = _SPLIT_ASCII_RE.split(text.lower())
            lowered = parts[1::2]
            starts = list(accumulate(map(len, parts)))[0:-1:2]  # each word starts where its gap ends
            heads = list(map(text.__getitem__, starts))
        else:
            parts = _SPLIT_RE.split(text)
            starts = list(accumulate(map(len, parts)))[0:-1:2]
            lowered = list(map(str.lower, parts[1::2]))
            heads = list(map(itemgetter(0), parts[1::2]))
        by_word: dict[str, list[int]] = {}
        get = by_word.get
        for i, key in enumerate(lowered):
            at = get(key)
            if at is None:
                by_word[key] = [i]
            else:
                at.append(i)
        numbers = range(len(lowered))
        digits = list(compress(numbers, map(str.isdigit, heads)))
        # no digit is upper-case, so this is "else if upper-case"
        capitals = list(compress(numbers, map(str.isupper, heads)))
        joined: dict[str, list[int]] = {}
        # Rare: each joiner found by str.find (a C scan for one character, where a regex for the
        # class tests the class at every character), kept when a word character comes before it.
        for j in JOINERS:
            pos = text.find(j)
            while pos >= 0:
                if pos and (text[pos - 1].isalnum() or text[pos - 1] == "_"):
                    joined.setdefault(j, []).append(bisect_right(starts, pos) - 1)
                pos = text.find(j, pos + 1)
        return cls(text, lowered, starts, by_word, digits, capitals, joined)

    @classmethod
    def _of_short(cls, text: str) -> WordIndex:
        """:meth:`of` for a short text (a clause before a cue): one loop over its few tokens
        costs less than the list operations that pay off on an article."""
        tokens: list[str] = []
        starts: list[int] = []
        by_word: dict[str, list[int]] = {}
        digits: list[int] = []
        capitals: list[int] = []
        joined: dict[str, list[int]] = {}
        n = len(text)
        for i, tok in enumerate(_TOKEN_RE.finditer(text)):
            word, start, stop = tok.group(), tok.start(), tok.end()
            key = word.lower()
            tokens.append(key)
            starts.append(start)
            at = by_word.get(key)
            if at is None:
                by_word[key] = [i]
            else:
                at.append(i)
            c = word[0]
            if c.isdigit():
                digits.append(i)
            elif c.isupper():
                capitals.append(i)
            if stop < n and text[stop] in JOINERS:
                joined.setdefault(text[stop], []).append(i)
        return cls(text, tokens, starts, by_word, digits, capitals, joined)

    def candidates(self, gp: GatedPattern) -> list[int]:
        """Where ``gp`` may start in the text: offsets, ascending (a list the caller must not change)."""
        # (the keys view iterates the few reach words, where a set would iterate every key)
        if gp.reach is not None and self.by_word.keys().isdisjoint(gp.reach.words):
            return []  # no word for a match to run on to (most texts for the list pattern): no start either
        key = (gp.firsts, gp.digits, gp.capitals, gp.joiners)
        numbers = self._memo.get(key)
        if numbers is None:
            numbers = self._memo[key] = self._gated(gp)
        if gp.follows is not None and numbers:
            numbers = self._following(numbers, gp.follows)
        if not numbers:
            return []
        if gp.reach is not None:
            return self._reaching(numbers, gp.reach)
        return list(map(self.starts.__getitem__, numbers))

    def _following(self, numbers: list[int], follows: Mapping[str, tuple[frozenset[str], bool]]) -> list[int]:
        """The token ``numbers`` whose word is not in ``follows`` or is followed by a word it allows.

        Worked out per word rather than per candidate: the occurrences of each word with a
        rule are tested at C speed (their next tokens looked up by number), and the candidates
        at those that fail are dropped."""
        tokens, by_word = self.tokens, self.by_word
        # (the keys view iterates the smaller of the two: the candidates' words or the rules)
        ruled = follows.keys() & set(map(tokens.__getitem__, numbers))
        if not ruled:
            return numbers
        after = self._memo.get("after")
        if after is None:
            # each token's next token; " " (no word, no digit) after the last: no rule allows it
            after = self._memo["after"] = [*tokens[1:], " "]
        failed: set[int] = set()
        for w in ruled:
            nexts, digit = follows[w]
            at = by_word[w]
            if digit:
                ok = map(or_, map(nexts.__contains__, map(after.__getitem__, at)),
                         map(str.isdigit, map(itemgetter(0), map(after.__getitem__, at))))
            else:
                ok = map(nexts.__contains__, map(after.__getitem__, at))
            failed.update(compress(at, map(not_, ok)))
        return list(filterfalse(failed.__contains__, numbers)) if failed else numbers

    def _gated(self, gp: GatedPattern) -> list[int]:
        """The numbers of the word tokens that pass ``gp``'s first gate, ascending."""
        words = self.by_word
        firsts = gp.firsts or frozenset()
        out: list[int] = []
        # Loop over the smaller of the two (``dict.keys() & frozenset`` would loop over the
        # frozenset, thousands of actor names, whatever the sizes).
        found = firsts.intersection(words) if len(firsts) > len(words) else list(filter(words.__contains__, firsts))
        if not (gp.digits or gp.capitals or gp.joiners):
            # Different words are different tokens: no duplicates to drop.
            if len(found) == 1:
                return words[next(iter(found))]
            for w in found:
                out.extend(words[w])
            out.sort()
            return out
        for w in found:
            out.extend(words[w])
        if gp.digits:
            out.extend(self.digits)
        if gp.capitals:
            out.extend(self.capitals)
        for j in gp.joiners:
            out.extend(self.joined.get(j, ()))
        return sorted(set(out))

    def _reaching(self, numbers: list[int], reach: Reach) -> list[int]:
        """The offsets of the tokens ``numbers`` from which a word of ``reach.words`` comes
        before any barrier."""
        words, token_starts = self.by_word, self.starts
        targets = sorted(i for w in reach.words.intersection(words) for i in words[w])
        if targets and reach.after_name:
            text, allowed = self.text, reach.allowed
            named = []
            for i in targets:
                if i:
                    p = token_starts[i - 1]
                    if "A" <= text[p] <= "Z" or (p and text[p - 1] in allowed):
                        named.append(i)
            targets = named
        if not targets:
            return []
        starts = list(map(token_starts.__getitem__, numbers))
        # A start is kept when a target follows it with no barrier in between: the starts are
        # those between a target and the last barrier before it.  Found by bisection per target
        # (a handful per text) rather than per start (every capitalised word of an article);
        # the barrier by a search of the reversed text from the target back (rather than a list
        # of all the text's punctuation).
        text, passes = self.text, reach.passes
        rev = self._memo.get("reversed")
        if rev is None:
            rev = self._memo["reversed"] = text[::-1]
        barrier = re.compile(rf"[^\w\s{re.escape(reach.allowed)}]").search  # re caches the compiled class
        n = len(text)
        out: list[int] = []
        done = 0  # starts[:done] are settled (kept or not)
        b = prev = -1  # the last barrier before the previous target (-1: none), that target
        for t in map(token_starts.__getitem__, targets):
            # back from t to the previous target at most (beyond, the barrier is that one's)
            m = barrier(rev, n - t, n - 1 - prev)
            while m is not None:
                p = n - 1 - m.start()
                if not (passes and text.endswith(passes, 0, p + 1)):
                    b = p
                    break
                m = barrier(rev, m.end(), n - 1 - prev)
            prev = t
            lo = max(bisect_right(starts, b), done)
            hi = bisect_left(starts, t)
            if lo < hi:
                out.extend(starts[lo:hi])
                done = hi
        return out


__all__ = ["FollowMap", "GatedPattern", "Reach", "TextWords", "WordIndex", "ends_with_word", "first_word", "first_words",
           "second_words", "union"]
