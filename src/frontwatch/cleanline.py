"""The cleaning rules that judge one paragraph by itself, whatever stands around it: the
furniture vocabulary (spam, support and credit lines, comment widgets, furniture groups),
letterless lines, a date stated in a short line, and the opinion markers of a reader's comment.

Kept apart from ``clean.py``, whose rules look at where a paragraph stands on the page.  The
same furniture lines come back on page after page of a site ("Share", "Leave a reply", "Related
posts", the copyright line), so the verdict on a short line is kept for the run in the
vocabulary object the caller owns (``CleanVocab.line_memo``) and looked up the next time.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from frontwatch.furniture import CleanVocab, fold_case, is_spam, outlet_key
from frontwatch.model import SegmentKind

PROSE_MIN_WORDS = 5  # a sentence-punctuated paragraph with fewer words is not article prose
BYLINE_MAX_WORDS = 14  # a byline/date line is short
LINE_MEMO_MAX = 20_000  # verdicts kept (short lines only); the memo starts afresh when full

TERMINAL = re.compile(r"[.!?…。！？]['\"’”)\]」』]*$")
WORD = re.compile(r"[^\W\d_][\w’'\-]*")
# WORD's matches in an ASCII text are exactly its runs of letters, digits, "_", "'" and "-" that
# hold a letter: deleting those runs' other characters and blanking everything else leaves one
# run of letters per word, counted by a split (all in C, four times faster than the regex)
_LETTERS_ELSE_SPACE = bytes(c if chr(c).isascii() and chr(c).isalpha() else 0x20 for c in range(256))
_WORD_NON_LETTERS = b"0123456789_'-"
_LOWER_WORD = re.compile(r"[a-z’'][\w’'\-]*")
# the same on lower-cased ASCII text, where explicit ranges test faster than \w
_LOWER_WORD_ASCII = re.compile(r"[a-z'][a-z0-9_'\-]*")
_EMOTICON = re.compile(r"(?::|;|=)-?[)(DPp]|\blol\b|\bhaha\b", re.IGNORECASE)
_CAPS_WORD = re.compile(r"\b[A-Z]{4,}\b")
# in every _CAPS_WORD, and spelt out: a pattern opening with a character class lets the engine
# skip to candidate characters, one opening with a repeat or a \b is tried at every position
_CAPS_RUN = re.compile(r"[A-Z][A-Z][A-Z][A-Z]")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’(?!\w)")
_URL = re.compile(r"https?://|www\.\w", re.IGNORECASE)

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = re.compile(r"\d\d\d\d")  # spelt out like _CAPS_RUN
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I), "dmy"),
    (re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I), "mdy"),
    (re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"), "numeric"),
)


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """What the one-paragraph rules say of a line (all defaults: nothing; later rules decide)."""

    kind: SegmentKind | None = None
    rule: str = ""
    outlet: str | None = None  # outlet a credit/support line names
    attach: str = ""  # for credit lines: "next" or "previous"
    stated: date | None = None  # a date stated in a short line ...
    byline: bool = False  # ... with byline words ("Posted on ...") among its first four
    widget: bool = False  # a comment widget: the comment section starts here


_NOTHING = LineVerdict()


def line_verdict(t: str, words: int, vocab: CleanVocab) -> LineVerdict:
    """The one-paragraph rules' verdict on the stripped line ``t`` of ``words`` words (the
    paragraph's word count, which the rules compare with their thresholds)."""
    if words > BYLINE_MAX_WORDS:  # prose is seldom repeated: not worth keeping
        return _judge(t, words, vocab)
    memo = vocab.line_memo
    found = memo.get((t, words))
    if found is None:
        found = _judge(t, words, vocab)
        if len(memo) >= LINE_MEMO_MAX:
            memo.clear()
        memo[(t, words)] = found
    return found


def _judge(t: str, words: int, vocab: CleanVocab) -> LineVerdict:
    if not any(ch.isalpha() for ch in t):
        return LineVerdict(SegmentKind.FURNITURE, "shape:no-letters")
    folded = fold_case(t)
    if is_spam(vocab, t, folded):
        return LineVerdict(SegmentKind.COMMENT, "spam")
    dated = _NOTHING
    if words <= BYLINE_MAX_WORDS and not (TERMINAL.search(t) and words >= PROSE_MIN_WORDS):
        found = find_date(t)
        if found is not None:
            # a byline ("By X | 4 May 2019", "Posted on ...") may also be a credit: keep its date
            byline = any(w in vocab.byline_words for w in WORD.findall(t.lower())[:4])
            dated = LineVerdict(stated=found, byline=byline)
    if words <= BYLINE_MAX_WORDS:
        for pat in vocab.support:
            m = pat.match(t)
            if m:
                return _decided(dated, SegmentKind.FURNITURE, "furniture:support",
                                m.group("outlet").strip().rstrip("."))
        key = outlet_key(t)
        if key in vocab.outlets and not TERMINAL.search(t):
            return _decided(dated, SegmentKind.FURNITURE, "credit:outlet", vocab.outlets[key], "next")
        for cp in vocab.credits:
            m = cp.pattern.match(t)
            if m:
                name = m.group("outlet").strip().rstrip(".")
                if cp.known_only and outlet_key(name) not in vocab.outlets:
                    continue  # "By Jane Doe | ...": an author, not an outlet
                return _decided(dated, SegmentKind.FURNITURE, "credit", name, cp.attach)
    # LineList.match inlined (this runs on every line): the alternation, then the costly members
    widgets = vocab.comment_widgets
    if (widgets.cheap is not None and widgets.cheap.match(t)) or (widgets.costly and widgets.costly_match(t, folded)):
        return LineVerdict(SegmentKind.FURNITURE, "comment_widget", stated=dated.stated, byline=dated.byline,
                           widget=True)
    if words <= 3 * BYLINE_MAX_WORDS:
        for group, lines in vocab.furniture:
            if (lines.cheap is not None and lines.cheap.match(t)) or (lines.costly and lines.costly_match(t, folded)):
                return _decided(dated, SegmentKind.FURNITURE, f"furniture:{group}")
    if dated.stated is not None:
        return _decided(dated, SegmentKind.FURNITURE, "byline:date")
    return _NOTHING


def _decided(dated: LineVerdict, kind: SegmentKind, rule: str, outlet: str | None = None,
             attach: str = "") -> LineVerdict:
    return LineVerdict(kind, rule, outlet, attach, dated.stated, dated.byline)


def count_words(text: str) -> int:
    """``len(WORD.findall(text))``."""
    if text.isascii():
        return len(text.encode("ascii").translate(_LETTERS_ELSE_SPACE, _WORD_NON_LETTERS).split())
    return len(WORD.findall(text))


def find_date(text: str) -> date | None:
    """The first date stated in ``text`` (ISO, "4 May 2019", "May 4, 2019", "04/05/2019")."""
    if _YEAR.search(text) is None:  # every date pattern has a four-digit year
        return None
    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            a, b, c = m.groups()
            try:
                if order == "ymd":
                    return date(int(a), int(b), int(c))
                if order == "dmy":
                    return date(int(c), _MONTHS[b.lower().rstrip(".")], int(a))
                if order == "mdy":
                    return date(int(c), _MONTHS[a.lower().rstrip(".")], int(b))
                first, second = int(a), int(b)
                if "." in m.group(0) or first > 12:  # dotted dates are day-first; 25/10 is too
                    return date(int(c), second, first)
                if second > 12:
                    return date(int(c), first, second)
            except (ValueError, KeyError):
                continue
    return None


def opinion_score(text: str, vocab: CleanVocab) -> tuple[int, int]:
    """(opinion markers, reporting markers) of one paragraph (its text without a bullet)."""
    bare = text
    lower_word = _LOWER_WORD_ASCII if text.isascii() else _LOWER_WORD
    words = lower_word.findall(text.lower())
    rep = sum(map(vocab.reporting.__contains__, words))
    if rep and ("“" in text or '"' in text or "‘" in text):
        # a quotation with its attribution is reporting: "'We will win!' he said" is no opinion
        text = _QUOTED.sub(" ", text)
        words = lower_word.findall(text.lower())
    op = sum(map(vocab.opinion_markers.__contains__, words)) + text.count("!") + text.count("?")
    # the regexes below try every position of a paragraph; a substring test (on the text folded
    # as a case-insensitive regex sees it) first rules out most prose paragraphs at C speed
    folded = fold_case(text)
    if ":" in text or ";" in text or "=" in text or "lol" in folded or "haha" in folded:
        op += len(_EMOTICON.findall(text))
    op += _CAPS_RUN.search(text) is not None and len(_CAPS_WORD.findall(text)) >= 3
    op += bare[:1].islower()
    op += ("http" in folded or "www." in folded) and _URL.search(text) is not None
    return op, rep
