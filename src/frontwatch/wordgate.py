"""Which words a regular expression's matches must start with, read from its parse tree.

Why: ``re`` tries a pattern at every position of a text, and the clause-boundary and aggregate
patterns of modality.yaml (alternations behind ``\\b``) cost tens of nanoseconds per character of
every sentence with a trigger, the largest share of the regex time of extraction.  Most of their
alternatives can only match at the start of a word from a short list ("\\b(?=(but|while)\\b)",
"\\bsince\\s+...").  :func:`lead_words` proves that from the pattern itself, so that the caller
tries the pattern only at those words of a document (listed once by
:class:`~frontwatch.scan.TextWords`) and gets the same matches.  The patterns stay data: a user's
pattern that the analysis cannot bound gives None, and the caller scans as before.

The analysis is conservative: every construct it does not know makes it give up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from re import _constants as _sre  # type: ignore[attr-defined]  # the parse tree's opcodes (private: see lead_words)

from .scan import TextWords

_MAX_RANGE = 512  # a character range wider than this is not checked character by character


class SentenceMarks:
    """The clause-boundary marks (spans) of one sentence, scanned only as far as a trigger needs
    (up to the first boundary after it) and kept for the sentence's other triggers; and the
    clauses found from them, by trigger span (a trigger's clause is asked for by its modality,
    then again by the extraction of its event)."""

    __slots__ = ("found", "_scan", "clauses")

    def __init__(self, scan: Iterator[tuple[int, int]]) -> None:
        self.found: list[tuple[int, int]] = []
        self._scan: Iterator[tuple[int, int]] | None = scan
        self.clauses: dict[tuple[int, int], tuple[int, int]] = {}

    def __iter__(self) -> Iterator[tuple[int, int]]:
        i = 0
        while True:
            if i < len(self.found):
                yield self.found[i]
                i += 1
                continue
            m = next(self._scan, None) if self._scan is not None else None
            if m is None:
                self._scan = None
                return
            self.found.append(m)


def _is_word_char(c: str) -> bool:
    """Whether ``c`` is a ``\\w`` character of a str pattern (str.isalnum() or "_")."""
    return c.isalnum() or c == "_"


def _non_word_class(av) -> bool:
    """Whether a character class (an IN item) holds no word character."""
    for kind, value in av:
        if kind is _sre.LITERAL:
            if _is_word_char(chr(value)):
                return False
        elif kind is _sre.CATEGORY:
            if value not in (_sre.CATEGORY_SPACE, _sre.CATEGORY_NOT_WORD):
                return False
        elif kind is _sre.RANGE:
            lo, hi = value
            if hi - lo > _MAX_RANGE or any(_is_word_char(chr(c)) for c in range(lo, hi + 1)):
                return False
        else:  # NEGATE and the rest
            return False
    return True


def _ends_word(item) -> bool:
    """Whether the item, right after a word character, makes that character end a word token:
    ``\\b``, ``(?!\\w)``, or a character (one or more) that is not a word character."""
    op, av = item
    if op is _sre.AT:
        return av is _sre.AT_BOUNDARY
    if op is _sre.LITERAL:
        return not _is_word_char(chr(av))
    if op is _sre.IN:
        return _non_word_class(av)
    if op is _sre.MAX_REPEAT or op is _sre.MIN_REPEAT:
        low, _high, body = av
        return low >= 1 and len(body.data) >= 1 and _ends_word(body.data[0])
    if op is _sre.ASSERT_NOT:
        direction, body = av
        return direction == 1 and list(body.data) == [(_sre.IN, [(_sre.CATEGORY, _sre.CATEGORY_WORD)])]
    return False


def _union(alternatives, rest: list, walk: Callable[[list], set[str] | None]) -> set[str] | None:
    """``walk`` of each alternative of a BRANCH followed by ``rest``, united; None if any is None."""
    out: set[str] = set()
    for alt in alternatives:
        found = walk(list(alt.data) + rest)
        if found is None:
            return None
        out |= found
    return out


def _words(items: list, bounded: bool) -> set[str] | None:
    """The words a match of the item sequence must start with (see lead_words), or None."""
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is _sre.AT and av is _sre.AT_BOUNDARY:
            bounded = True
        elif op is _sre.ASSERT_NOT and av[0] == -1:
            pass  # a look-behind: zero-width, says nothing of the word that follows
        elif op is _sre.ASSERT and av[0] == 1:
            return _words(list(av[1].data), bounded)  # what follows must match there too
        elif op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            if add_flags or del_flags:
                return None
            return _words(list(body.data) + items[i + 1:], bounded)
        elif op is _sre.BRANCH:
            return _union(av[1], items[i + 1:], partial(_words, bounded=bounded))
        elif op is _sre.LITERAL:
            return _heads(items[i:], "") if bounded else None
        else:
            return None
        i += 1
    return None  # the match may be empty or end here: no word known


def _heads(items: list, prefix: str) -> set[str] | None:
    """The whole words spelled from ``prefix`` on by the item sequence (literal word characters,
    groups and alternations of them: the parser factors "the|this" into "th(?:e|is)"), each
    followed by an item that ends the word; None when a word may go on or is not ASCII (the
    case-insensitive matching of other letters is not str.lower()'s)."""
    for i, (op, av) in enumerate(items):
        if op is _sre.LITERAL and _is_word_char(chr(av)):
            prefix += chr(av)
            continue
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            return None if add_flags or del_flags else _heads(list(body.data) + items[i + 1:], prefix)
        if op is _sre.BRANCH:
            return _union(av[1], items[i + 1:], partial(_heads, prefix=prefix))
        if not prefix or not prefix.isascii() or not _ends_word((op, av)):
            return None
        return {prefix.lower()}
    return None  # the pattern ends right after word characters: the token may go on


def lead_words(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """The lower-cased words that every match of ``pattern`` starts with, each a whole ``\\w+``
    token of the text (a match starts at ``\\b`` and the word is followed by a non-word
    character or ``\\b``); None when that cannot be shown.

    Why it is exact: a match then starts where a word token starts, and that token, lower-cased,
    is one of these words (ASCII words only, so that case-insensitive matching is lower-casing).
    Trying the pattern with ``match`` at those tokens of a span finds every match ``search``
    and ``finditer`` find there (see :func:`search_at_words`)."""
    if flags & (re.ASCII | re.LOCALE):
        return None
    try:
        from re import _parser as sre_parser  # type: ignore[attr-defined]  # private: another Python may lay its tree out otherwise

        tree = sre_parser.parse(pattern, flags)
        found = _words(list(tree.data), False)
    except Exception:  # noqa: BLE001 - no analysis means no gate, never an error
        return None
    return frozenset(found) if found else None


def zero_width(pattern: str, flags: int = 0) -> bool:
    """Whether every match of ``pattern`` is empty (it is made of assertions only)."""
    try:
        from re import _parser as sre_parser  # type: ignore[attr-defined]

        items = list(sre_parser.parse(pattern, flags).data)
    except Exception:  # noqa: BLE001
        return False
    return bool(items) and all(op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT) for op, _av in items)


def _first_non_word(items: list) -> bool:
    """Whether a match of the item sequence starts with a character that is not a word character."""
    for op, av in items:
        if op is _sre.AT or (op is _sre.ASSERT_NOT and av[0] == -1):
            continue
        if op is _sre.LITERAL:
            return not _is_word_char(chr(av))
        if op is _sre.IN:
            return _non_word_class(av)
        if op is _sre.SUBPATTERN:
            return not av[1] and not av[2] and _first_non_word(list(av[3].data))
        if op is _sre.BRANCH:
            return all(_first_non_word(list(alt.data)) for alt in av[1])
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            return av[0] >= 1 and _first_non_word(list(av[2].data))
        return False
    return False


def starts_off_words(pattern: str, flags: int = 0) -> bool:
    """Whether every match of ``pattern`` starts with a character that is not a word character
    (so never where a word token starts)."""
    try:
        from re import _parser as sre_parser  # type: ignore[attr-defined]

        return _first_non_word(list(sre_parser.parse(pattern, flags).data))
    except Exception:  # noqa: BLE001
        return False


def search_at_words(rx: re.Pattern[str], firsts: frozenset[str], words: TextWords, text: str,
                    lo: int, hi: int) -> re.Match[str] | None:
    """``rx.search(text, lo, hi)`` for a pattern whose matches start at the words ``firsts``
    (:func:`lead_words`): tried only at those tokens of ``words`` (the TextWords of a text with
    the same word tokens as ``text``: itself, or it lower-cased where that keeps the offsets)."""
    for p in words.starts_in(firsts, lo, hi):
        m = rx.match(text, p, hi)
        if m is not None:
            return m
    return None


def merged_marks(rest: re.Pattern[str] | None, word_rx: re.Pattern[str], firsts: frozenset[str],
                 words: TextWords, text: str, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """The spans of ``finditer(text, lo, hi)`` of the alternation of ``rest`` and ``word_rx``,
    in order, where every match of ``word_rx`` is empty and starts at one of the words
    ``firsts``, and no match of ``rest`` starts at a word character.

    Why that is the alternation's finditer: the two never match at one position (a word token
    starts with a word character), so the order of the alternatives does not matter; an empty
    match moves no scan, so ``rest``'s matches are those of its own finditer; and a word start
    inside a match of ``rest`` is skipped, one right at its end is not (an empty match may touch
    the previous match)."""
    rest_it = rest.finditer(text, lo, hi) if rest is not None else iter(())
    r = next(rest_it, None)
    end = lo
    for p in words.starts_in(firsts, lo, hi):
        while r is not None and r.start() < p:
            end = r.end()
            yield r.span()
            r = next(rest_it, None)
        if p < end:
            continue
        m = word_rx.match(text, p, hi)
        if m is not None:
            yield m.span()
    while r is not None:
        yield r.span()
        r = next(rest_it, None)





def split_boundaries(pieces: list[str], flags: int, case_free, first_chars
                     ) -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str] | None] | None:
    """For :func:`merged_marks`: (first words, empty word-led alternatives, the others) of the
    alternation of ``pieces``, each compiled for lower-cased text by ``case_free`` (the others
    with ``first_chars``' look-ahead; both functions are modality's); None when a piece is
    neither kind or a pattern has no case-free form."""
    led = [(p, lead_words(p, flags)) for p in pieces]
    if not all(w is not None and zero_width(p, flags) or w is None and starts_off_words(p, flags)
               for p, w in led):
        return None
    firsts = frozenset().union(*(w for _p, w in led if w is not None))
    word_rx = case_free(re.compile("|".join(f"(?:{p})" for p, w in led if w is not None) or r"(?!x)x", flags))
    rest = [p for p, w in led if w is None]
    rest_rx = case_free(first_chars(re.compile("|".join(f"(?:{p})" for p in rest), flags))) if rest else None
    if not firsts or word_rx is None or (rest and rest_rx is None):
        return None
    return firsts, word_rx, rest_rx


def all_lead_words(pieces: list[str], flags: int) -> frozenset[str] | None:
    """:func:`lead_words` of the alternation of ``pieces``: their union, None if one has none."""
    found = [lead_words(p, flags) for p in pieces]
    return None if not found or any(w is None for w in found) else frozenset().union(*found)  # type: ignore[arg-type]
__all__ = ["SentenceMarks", "all_lead_words", "lead_words", "merged_marks", "search_at_words", "split_boundaries", "starts_off_words",
           "zero_width"]
