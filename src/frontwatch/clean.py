"""Clean: keep only the article(s) of a page, and say what every other line was.

HTML goes through trafilatura (main text, title, site name) and htmldate (publication date):
those libraries do boilerplate removal from markup far better than anything hand-written here.
What they still let through is trimmed with the same vocabulary and a few shape rules: the
headline repeated as the first paragraph, related-link boxes, a menu taken for text.

Plain text (crawled pages already flattened to text, JSONL records) has no library that does
this well: the readability-style extractors all need the DOM.  So this module segments text
with STRUCTURAL rules that hold across sites, not with any one site's wording:

* shape of a paragraph: prose is long, ends with sentence punctuation and is mostly lowercase
  words; furniture is short with no sentence punctuation, or has no letters at all ("2,500 $");
* position: the title is a heading-shaped line before the first prose paragraph that the
  vocabulary does not call furniture (share rows, follow buttons, "Posted by" bylines) and that is
  not the site's own name — the one the page repeats if any (headline again, or quoted by the
  comment widget), else the nearest; the same line repeated later is the title again; other
  lines repeated on the page are furniture;
* after a "Related posts" / "Read more" heading, short headline-like lines are links until prose
  resumes;
* indentation and bullets: a bullet line with no sentence punctuation followed by a MORE
  indented paragraph is the head of a comment thread, while short items ending in ";" or "."
  after a line ending in ":" are a list inside the article;
* a comment section, once started (by a widget line such as "Leave a reply", by a thread head,
  or by author-name lines followed by opinion rather than reporting), runs to the end;
* vocabularies of web furniture, comment widgets, spam, credits and datelines, grouped in
  ``data/furniture.yaml`` (the group name is the segment's rule).

A page that reposts articles of several outlets is split at a dateline or a credit line
into one Document per article.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date

from frontwatch.cleanline import PROSE_MIN_WORDS, count_words, line_verdict, opinion_score
from frontwatch.cleanline import TERMINAL as _TERMINAL
from frontwatch.cleanline import WORD as _WORD
from frontwatch.furniture import CleanVocab, CreditPattern, fold_case, load_vocab, outlet_key
from frontwatch.htmlextract import extract_html
from frontwatch.model import DateSource, Document, Page, Segment, SegmentKind

__all__ = ["CleanVocab", "CreditPattern", "clean_page", "load_vocab"]

# --- thresholds (named, so that they can be tuned in one place) ------------------------------
# (those of the one-paragraph rules, PROSE_MIN_WORDS and BYLINE_MAX_WORDS, are in cleanline.py)
PROSE_LONG_WORDS = 15  # this many words is prose even without final punctuation (cut-off text)
LEAD_MIN_WORDS = 8  # the first article paragraph must be at least this long (or LEAD_LONG_WORDS)
LEAD_LONG_WORDS = 20
TITLE_MIN_WORDS = 2
TITLE_MAX_WORDS = 20
NAME_MAX_TOKENS = 4  # an author-name line: 1..4 tokens, no sentence punctuation
NAME_MAX_CHARS = 40
THREAD_HEAD_MAX_TOKENS = 6  # a bullet thread head ("• Name") is at most this many tokens
TOP_UNITS = 12  # a stated date without byline words is trusted only this near the top
TAIL_MIN_NAMES = 2  # comment tail by shape: at least this many author lines ...
TAIL_MIN_OPINION = 2  # ... at least this many opinion paragraphs ...
TAIL_OPINION_SHARE = 0.5  # ... making at least this share of the tail's paragraphs ...
TAIL_OPINION_MARGIN = 0.3  # ... and this much more than in the article before it (first-person blogs)
OPINION_TAIL_MIN = 3  # comments with no author lines: at least this many opinion paragraphs ...
OPINION_TAIL_SHARE = 0.8  # ... nearly all of what follows ...
OPINION_TAIL_MAX_ARTICLE_SHARE = 0.25  # ... after a reported article (columns, interviews: no) ...
OPINION_TAIL_MIN_ARTICLE = 3  # ... of at least this many prose paragraphs
SUBHEADING_MAX_WORDS = 12  # a short line between two article paragraphs is a subheading
SHORT_REPEAT_MAX_WORDS = 8  # repeated lines this short are furniture
WRAP_MIN_CHARS = 40  # a line continues on the next (hard-wrapped text) only if it is this long
RELATED_LINK_MAX_WORDS = 16  # a headline in a "Related posts" list is at most this long
MENU_ITEM_MAX_WORDS = 4  # HTML: a navigation menu trafilatura took for text is a long run of ...
MENU_RUN_MIN = 10  # ... at least this many paragraphs of at most MENU_ITEM_MAX_WORDS words
TRAILING_LINKS_MIN = 3  # HTML: this many bulleted headlines closing the text are a related list
RELATED_HEADING_MAX_WORDS = 6  # "Related posts:", "You may also like": a heading, not an inline link

_BULLET_CHARS = "•◦▪▸►‣·∙●○*-–—"
_BULLET = re.compile(rf"^[{re.escape(_BULLET_CHARS)}]\s+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_LIST_END = re.compile(r"[;,.]['\"’”)\]]*$")
_HANDLE = re.compile(r"^@?[\w.\-]*[_\d][\w.\-]*$|^[a-z][\w.\-]*$")
_FUNCTION_END = re.compile(r"(?:,|\b(?:the|a|an|of|and|or|to|in|on|at|by|for|with|from|that|as))$")
_PUBLISHED_WORD = re.compile(r"\b(?:published|posted|first published)\b", re.IGNORECASE)
# Furniture rules trusted inside trafilatura's main text (shape rules are not: trafilatura already
# judged the shape of these paragraphs, and short lines in its output are mostly real subheadings).
_HTML_DROP_RULES = ("furniture:", "comment_widget", "credit", "related:", "shape:menu")
_TITLE_SEP = re.compile(r"\s+(?:[|–—·•»-]|::)\s+")  # "Headline | Site", "Headline – Site"
_CURLY_QUOTED = re.compile(r"[“\"]([^”\"]{3,200})[”\"]")


# --- units: paragraphs of the page -----------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """One paragraph of the page (one line, or a hard-wrapped run of lines)."""

    start: int  # offsets into the page text: first line's start, last line's end
    end: int
    text: str  # stripped, bullet kept, wrapped lines joined by a space
    indent: int
    bullet: bool
    block: int  # index of the blank-line-separated block
    words: int = 0
    kind: SegmentKind | None = None
    rule: str = ""
    outlet: str | None = None  # outlet a credit/support line names
    attach: str = ""  # for credit lines: "next" or "previous"
    published: date | None = None
    extra: dict = field(default_factory=dict)
    norm: str | None = None  # _norm_line(bare), computed on first use (see ``key``)

    @property
    def bare(self) -> str:
        """Text without a leading bullet."""
        return _BULLET.sub("", self.text) if self.bullet else self.text

    @property
    def key(self) -> str:
        """The normalised text (``_norm_line`` of ``bare``), computed once: the title, repeat
        and site-name rules all compare units by it.  Units are complete before they are compared."""
        if self.norm is None:
            self.norm = _norm_line(self.bare)
        return self.norm


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    parts: list[list[str]] = []  # the stripped lines of each unit, joined once at the end
    block = 0
    pos = 0
    prev_blank = True
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped:
            if not prev_blank:
                block += 1
            prev_blank = True
            continue
        lead = len(line) - len(line.lstrip())
        end = start + len(line.rstrip())
        bullet = stripped[0] in _BULLET_CHARS and _BULLET.match(stripped) is not None
        last = units[-1] if units else None
        prev_line = parts[-1][-1] if parts else ""
        if (last is not None and not prev_blank and not bullet and last.indent == lead
                and len(prev_line) >= WRAP_MIN_CHARS
                and not _TERMINAL.search(prev_line) and not prev_line.endswith((";", ":"))
                and (stripped[0].islower() or _FUNCTION_END.search(prev_line))):
            # a hard-wrapped paragraph: the line continues the previous one
            last.end = end
            parts[-1].append(stripped)
        else:
            units.append(_Unit(start, end, stripped, lead, bullet, block))
            parts.append([stripped])
        prev_blank = False
    for u, lines in zip(units, parts, strict=True):
        if len(lines) > 1:
            u.text = " ".join(lines)
        # scripts written without spaces: count two characters as a word
        u.words = count_words(u.text)
        if not u.text.isascii():
            u.words = max(u.words, len(_CJK.findall(u.text)) // 2)
    return units


def _norm_line(text: str) -> str:
    # typographic and straight apostrophes are the same letter: "Qa’im" repeats "Qa'im"
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


def _title_keys(title: str) -> set[str]:
    """Normalised forms of an HTML title and of each run of its parts, for when the page's
    <title> adds the site or section to the headline ("Headline | Site", "Section | Headline - Site")."""
    parts = _TITLE_SEP.split(title)
    keys = {_norm_line(title)}
    for i in range(len(parts)):
        for j in range(i + 1, len(parts) + 1):
            key = _norm_line(" ".join(parts[i:j]))
            if len(key.split()) >= TITLE_MIN_WORDS:  # not a lone word ("Opinion", "Home")
                keys.add(key)
    keys.discard("")
    return keys


def _is_prose(u: _Unit) -> bool:
    if u.words >= PROSE_LONG_WORDS:
        return True
    return u.words >= PROSE_MIN_WORDS and bool(_TERMINAL.search(u.text))


def _is_lead(u: _Unit) -> bool:
    return u.words >= LEAD_LONG_WORDS or (u.words >= LEAD_MIN_WORDS and bool(_TERMINAL.search(u.text)))


def _is_name_like(u: _Unit) -> bool:
    """An author line: 'Richard Roe', 'Jane Q Public', 'some_handle' — no sentence punctuation."""
    t = u.bare
    if len(t) > NAME_MAX_CHARS or re.search(r"[.!?:;,\"“”()]", t) or re.search(r"\d{3,}", t):
        return False
    tokens = t.split()
    if not 1 <= len(tokens) <= NAME_MAX_TOKENS:
        return False
    if len(tokens) == 1:
        return bool(_HANDLE.match(tokens[0])) or tokens[0][:1].isupper()
    if all(tok.isupper() for tok in tokens if len(tok) > 2):
        return False  # "US FALLS": an all-capitals heading, not a person
    return all(tok[:1].isupper() for tok in tokens)


# --- classification ---------------------------------------------------------------------------


def _static(u: _Unit, vocab: CleanVocab) -> None:
    """Rules that look at one paragraph alone (``cleanline``): vocabulary and letterless lines."""
    v = line_verdict(u.bare.strip(), u.words, vocab)
    if v.stated is not None:
        u.extra["date"], u.extra["byline"] = v.stated, v.byline
    if v.widget:
        u.extra["widget"] = True
    if v.kind is not None:
        u.kind, u.rule, u.outlet, u.attach = v.kind, v.rule, v.outlet, v.attach


def _thread_head(units: list[_Unit], i: int) -> bool:
    """'• Name' followed by a more indented paragraph: the head of a comment thread."""
    u = units[i]
    if not u.bullet or _LIST_END.search(u.text) or u.text.endswith(":"):
        return False
    if len(u.bare.split()) > THREAD_HEAD_MAX_TOKENS:
        return False
    return i + 1 < len(units) and units[i + 1].indent > u.indent


class _Tallies:
    """Counts over the units from the lead on (nothing before it is ever weighed), made when the
    search for the comment section needs them: a paragraph's opinion when that paragraph is
    tested; the running and remaining counts, all at once, the first time a tail is weighed, so
    that weighing a candidate start is O(1) (a page of thousands of author lines stays linear).
    Most pages never weigh a tail (a comment widget or the end comes first): their comments and
    the paragraphs the search never reaches are not scored."""

    __slots__ = ("units", "vocab", "lead", "flags", "names", "opinion", "other", "prose_opinion", "prose_other")

    def __init__(self, units: list[_Unit], vocab: CleanVocab, lead: int) -> None:
        self.units, self.vocab, self.lead = units, vocab, lead
        self.flags: list[tuple[int, int, int] | None] = [None] * len(units)
        self.names: list[int] = []  # suffix sums: author-name lines from i to the end
        self.opinion: list[int] = []  # suffix sums: opinion paragraphs (and spam)
        self.other: list[int] = []  # suffix sums: other paragraphs
        self.prose_opinion: list[int] = []  # prefix sums over prose paragraphs before i (from the lead)
        self.prose_other: list[int] = []

    def flag(self, i: int) -> tuple[int, int, int]:
        """(author-name line, opinion, other paragraph) of unit i, each 0 or 1."""
        found = self.flags[i]
        if found is None:
            u = self.units[i]
            nm = op_ = ot = 0
            if u.kind is SegmentKind.COMMENT:  # spam
                op_ = 1
            elif u.kind is None and _is_name_like(u):
                nm = 1
            elif u.kind is None:
                op, rep = opinion_score(u.bare, self.vocab)
                op_, ot = int(op > rep), int(op <= rep)
            found = self.flags[i] = (nm, op_, ot)
        return found

    def is_opinion(self, i: int) -> bool:
        """Unit i reads as opinion (or is spam)."""
        return self.flag(i)[1] == 1

    def weigh(self) -> None:
        """Make the running and remaining counts (once)."""
        if self.names:
            return
        n, lead = len(self.units), self.lead
        names, opinion, other = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
        p_op, p_other = [0] * (n + 1), [0] * (n + 1)
        for i in range(n - 1, lead - 1, -1):
            nm, op_, ot = self.flag(i)
            names[i], opinion[i], other[i] = names[i + 1] + nm, opinion[i + 1] + op_, other[i + 1] + ot
        for i in range(lead, n):
            _, op_, ot = self.flag(i)
            u = self.units[i]
            prose = u.kind is None and _is_prose(u)
            p_op[i + 1] = p_op[i] + (op_ if prose else 0)
            p_other[i + 1] = p_other[i] + (ot if prose else 0)
        self.names, self.opinion, self.other, self.prose_opinion, self.prose_other = names, opinion, other, p_op, p_other


def _tail_is_comments(t: _Tallies, i: int, lead: int) -> bool:
    """From author-name line i on, do the paragraphs read as a comment section?

    Subheadings look like author lines too; what tells them apart is what follows: reader
    comments are mostly opinion (first/second person, exclamations, questions, insults), far
    more so than the article above them (which may itself be a first-person blog post).
    """
    t.weigh()
    names, opinion, other = t.names[i], t.opinion[i], t.other[i]
    if names < TAIL_MIN_NAMES or opinion < TAIL_MIN_OPINION:
        return False
    share = opinion / (opinion + other)
    head_op = t.prose_opinion[i] - t.prose_opinion[lead]
    head_other = t.prose_other[i] - t.prose_other[lead]
    head_share = head_op / (head_op + head_other) if head_op + head_other else 0.0
    return share >= TAIL_OPINION_SHARE and share >= head_share + TAIL_OPINION_MARGIN


def _tail_is_opinion(t: _Tallies, i: int, lead: int) -> bool:
    """With no author lines at all: is everything from i on opinion, after a reported article?"""
    if not t.is_opinion(i):
        return False
    t.weigh()
    head = (t.prose_opinion[i] - t.prose_opinion[lead]) + (t.prose_other[i] - t.prose_other[lead])
    if head < OPINION_TAIL_MIN_ARTICLE or t.opinion[i] < OPINION_TAIL_MIN:
        return False
    share = t.opinion[i] / (t.opinion[i] + t.other[i])
    head_share = (t.prose_opinion[i] - t.prose_opinion[lead]) / head
    return share >= OPINION_TAIL_SHARE and head_share <= OPINION_TAIL_MAX_ARTICLE_SHARE


def _comment_start(units: list[_Unit], lead: int, vocab: CleanVocab) -> tuple[int, str]:
    """Index of the first comment-section unit (len(units) if none) and the rule that found it."""
    seen_body = False
    tallies = _Tallies(units, vocab, lead)
    article = 0  # prose paragraphs from the lead on: an opinion tail needs an article before it
    for i in range(lead, len(units)):
        u = units[i]
        if u.extra.get("widget"):
            return i, "comment_widget"
        if _thread_head(units, i) and seen_body:
            return i, "comments:thread"
        if (seen_body and u.kind is None and article >= OPINION_TAIL_MIN_ARTICLE
                and _tail_is_opinion(tallies, i, lead)):
            return i, "comments:opinion-tail"
        if u.kind is None and _is_prose(u):
            seen_body = True
            article += not _is_name_like(u)  # what _tail_is_opinion counts (an author line is no article)
            continue
        if (seen_body and u.kind is None and not u.bullet and _is_name_like(u)
                and (i + 1 >= len(units) or not _is_name_like(units[i + 1]))
                and _tail_is_comments(tallies, i, lead)):
            return i, "comments:author-line"
        if u.kind is SegmentKind.COMMENT and u.rule == "spam" and seen_body:
            # spam closes the article: comments began at the latest here, so walk back over
            # the short paragraphs before it
            j = i
            while j - 1 > lead and units[j - 1].kind is None and not _is_lead(units[j - 1]):
                j -= 1
            return j, "comments:spam"
    return len(units), ""


def _next_non_furniture(units: list[_Unit]) -> list[int]:
    """For each unit, the index of the next unit that the vocabulary did not call furniture."""
    nxt = [len(units)] * len(units)
    following = len(units)
    for i in range(len(units) - 1, -1, -1):
        nxt[i] = following
        if units[i].kind is not SegmentKind.FURNITURE:
            following = i
    return nxt


def _is_title_shape(u: _Unit) -> bool:
    t = u.bare
    if not TITLE_MIN_WORDS <= u.words <= TITLE_MAX_WORDS or t.endswith((".", ";", ",", ":")):
        return False
    return t[:1].isupper() or t[:1].isdigit()


def _is_related_heading(u: _Unit) -> bool:
    """'Related posts:', 'Read more:', 'You may also like' — a heading over a list of links
    (not an inline 'Related: <one headline>', which is furniture on its own)."""
    if u.rule != "furniture:related" or u.words > RELATED_HEADING_MAX_WORDS:
        return False
    return not u.bare.partition(":")[2].strip()


def _is_link_like(u: _Unit) -> bool:
    """A headline as a link: short, capitalised, no sentence-final full stop (a question or an
    exclamation may be a headline: 'What comes next for the city?')."""
    t = u.bare
    return (u.words <= RELATED_LINK_MAX_WORDS and (t[:1].isupper() or t[:1].isdigit())
            and not t.endswith((".", ";", ",", ":")) and not _is_lead(u))


def _mark_related_links(units: list[_Unit], lead: int) -> None:
    """After a 'Related ...' heading, the short link-like lines are furniture until prose resumes.

    A link-like line right before the article's first paragraph is its headline, not a link: a
    related box can sit just above the article.
    """
    n = len(units)
    i = 0
    while i < n:
        if not _is_related_heading(units[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            v = units[j]
            if v.kind is SegmentKind.FURNITURE and v.rule.startswith("furniture:"):
                j += 1  # share buttons or another heading inside the box
                continue
            if v.kind is not None or not _is_link_like(v):
                break
            k = j + 1
            while k < n and units[k].kind is SegmentKind.FURNITURE:
                k += 1
            if k == lead:
                break
            v.kind, v.rule = SegmentKind.FURNITURE, "related:link"
            j += 1
        i = j


def _title_index(units: list[_Unit], lead: int) -> int | None:
    """The headline among the lines before the article's first paragraph.

    Candidates are title-shaped lines the vocabulary did not call furniture (share rows, follow
    buttons, bylines never qualify) and that are not the site's own name.  A candidate the page
    repeats (the headline again further down, or quoted in '2 thoughts on “…”') wins; then the
    one nearest the article that does not look like an author's name; then the nearest.
    """
    site_keys = {_norm_line(u.outlet) for u in units if u.outlet and u.rule == "furniture:support"}
    cands = [i for i in range(lead - 1, -1, -1)
             if units[i].kind is None and _is_title_shape(units[i])
             and units[i].key not in site_keys]
    if not cands:
        return None
    headline = [i for i in cands if not _is_name_like(units[i])]
    if not headline:
        return cands[0]
    wanted = {units[i].key: 0 for i in headline}  # how often the page has each candidate
    sizes = {len(k.split()) for k in wanted}
    for u in units:
        if _key_may_have(u, sizes) and u.key in wanted:
            wanted[u.key] += 1
        if u.extra.get("widget"):  # a comment widget quoting the post's title
            for m in _CURLY_QUOTED.finditer(u.bare):
                q = _norm_line(m.group(1))
                if q in wanted:
                    wanted[q] += 1
    return next((i for i in headline if wanted[units[i].key] > 1), headline[0])


def _key_may_have(u: _Unit, sizes: set[int]) -> bool:
    """Whether ``u.key`` may have one of these numbers of words.  Spares normalising every
    paragraph to compare it with a few short lines: an ASCII paragraph's key has exactly
    ``u.words`` words (lower-casing ASCII moves no word boundary); others are normalised."""
    return u.words in sizes or not u.text.isascii()


def _classify(units: list[_Unit], vocab: CleanVocab, given_title: str | None) -> tuple[int, int, str | None]:
    """Give every unit a kind and rule.  Returns (lead index, comment start, title text)."""
    for u in units:
        _static(u, vocab)
    lead = next((i for i, u in enumerate(units) if u.kind is None and _is_lead(u)), len(units))
    while lead < len(units) and lead > 0 and units[lead - 1].kind is None and _is_prose(units[lead - 1]):
        lead -= 1  # a short opening sentence right before the first long paragraph
    _mark_related_links(units, lead)
    title_idx = _title_index(units, lead)
    title_keys = set()
    if title_idx is not None:
        title_keys.add(units[title_idx].key)
    if given_title:
        title_keys.add(_norm_line(given_title))
    title_keys.discard("")
    title_sizes = {len(k.split()) for k in title_keys}
    cstart, crule = _comment_start(units, lead, vocab)
    counts: dict[str, int] = {}
    for u in units[:cstart]:
        if u.words <= SHORT_REPEAT_MAX_WORDS:
            k = u.key
            counts[k] = counts.get(k, 0) + 1
    in_list = False
    nxt = _next_non_furniture(units)
    last_kind: SegmentKind | None = None  # kind of the nearest earlier unit that is not furniture
    for i, u in enumerate(units):
        if i and units[i - 1].kind is not SegmentKind.FURNITURE:
            last_kind = units[i - 1].kind
        if i >= cstart:
            if u.kind is None or u.rule.startswith("byline"):
                u.kind, u.rule = SegmentKind.COMMENT, crule if i == cstart else "comments:after-start"
            continue
        if u.kind in (None, SegmentKind.FURNITURE) and _key_may_have(u, title_sizes) and u.key in title_keys:
            u.kind, u.rule = SegmentKind.TITLE, "title" if i == title_idx else "title:repeat"
            continue
        if u.kind is not None:
            in_list = False
            continue
        if i < lead:
            u.kind, u.rule = SegmentKind.FURNITURE, "position:before-article"
        elif _is_prose(u):
            u.kind, u.rule = SegmentKind.BODY, "body:prose"
            # a long list item ending in ";" keeps the list going
            in_list = u.text.endswith(":") or (in_list and u.text.endswith(";"))
            continue
        elif in_list and (_LIST_END.search(u.text) or u.bullet or u.words >= 3):
            u.kind, u.rule = SegmentKind.BODY, "body:list-item"
            continue
        elif u.text.endswith(":") and u.words >= PROSE_MIN_WORDS:
            u.kind, u.rule = SegmentKind.BODY, "body:list-intro"
            in_list = True
            continue
        elif counts.get(u.key, 0) > 1:
            u.kind, u.rule = SegmentKind.FURNITURE, "repeated"
        elif (u.words <= SUBHEADING_MAX_WORDS and last_kind is SegmentKind.BODY and nxt[i] < cstart
              and units[nxt[i]].kind is None and _is_prose(units[nxt[i]])):
            # article text before it and article prose right after it: a subheading
            u.kind, u.rule = SegmentKind.BODY, "body:subheading"
        else:
            u.kind, u.rule = SegmentKind.FURNITURE, "shape:short"
        in_list = False
    return lead, cstart, (units[title_idx].bare if title_idx is not None else None)


# --- documents ---------------------------------------------------------------------------------


def _canonical_outlet(name: str | None, vocab: CleanVocab) -> str | None:
    if not name:
        return None
    return vocab.outlets.get(outlet_key(name), name)


def _dateline(text: str, vocab: CleanVocab) -> tuple[bool, bool, str | None]:
    """(starts with a dateline, a dateline strong enough to start a reposted article, its outlet).

    Only a dateline naming a known agency, giving a time of day or matching an outlet's house
    style may split a page: "ISIS – the group that ..." also looks like "CITY –".
    """
    folded = fold_case(text)
    for dp in vocab.datelines:
        m = dp.pattern.match(text) if dp.holds(folded) else None
        if m:
            groups = m.groupdict()
            agency = groups.get("agency")
            if agency and not any(ch.isdigit() for ch in agency):
                return True, outlet_key(agency) in vocab.outlets, _canonical_outlet(agency, vocab)
            for outlet, style in vocab.dateline_styles:
                if style.match(text):
                    return True, True, outlet
            return True, bool(groups.get("time")), None
    return False, False, None


def _split_articles(units: list[_Unit], vocab: CleanVocab) -> list[tuple[list[_Unit], str | None]]:
    """Group body units into articles (reposts), each with the outlet its credits/dateline name."""
    articles: list[tuple[list[_Unit], str | None]] = []
    current: list[_Unit] = []
    outlet: str | None = None
    pending: str | None = None  # a credit that introduces the next article
    split_next = False
    for u in units:
        if u.kind is SegmentKind.FURNITURE and u.rule.startswith("credit") and u.outlet:
            known = outlet_key(u.outlet) in vocab.outlets
            if u.attach == "previous" and current:
                outlet = outlet or _canonical_outlet(u.outlet, vocab)
                split_next = split_next or known
            else:
                pending = _canonical_outlet(u.outlet, vocab)
                split_next = split_next or (bool(current) and (known or u.attach == "next"))
            continue
        if u.kind is not SegmentKind.BODY:
            continue
        is_dateline, strong, dl_outlet = _dateline(u.text, vocab)
        if current and (split_next or strong):
            articles.append((current, outlet))
            current, outlet = [], None
        if not current:
            outlet = pending or dl_outlet
            pending = None
        elif outlet is None and is_dateline:
            outlet = dl_outlet
        split_next = False
        current.append(u)
    if current:
        articles.append((current, outlet))
    if pending and articles and articles[-1][1] is None:
        articles[-1] = (articles[-1][0], pending)  # an outlet's name alone after the last article
    return articles


def _segments(units: list[_Unit]) -> list[Segment]:
    return [Segment(kind=u.kind or SegmentKind.FURNITURE, start=u.start, end=u.end, rule=u.rule) for u in units]


def _page_facts(units: list[_Unit], lead: int, vocab: CleanVocab) -> tuple[date | None, str | None]:
    published = None
    for i, u in enumerate(units[: lead + TOP_UNITS]):
        d = u.extra.get("date")
        if d is not None and (i <= lead or u.extra.get("byline")):
            if published is None:
                published = d
            if _PUBLISHED_WORD.search(u.text):  # "Updated ... / Published ...": the latter wins
                published = d
                break
    site = next((u.outlet for u in units if u.rule == "furniture:support" and u.outlet), None)
    return published, _canonical_outlet(site, vocab)


def _clean_text(page: Page, text: str, vocab: CleanVocab) -> list[Document]:
    units = _units(text)
    lead, _cstart, title = _classify(units, vocab, page.title)
    published, site_outlet = _page_facts(units, lead, vocab)
    segments = _segments(units)
    pub, pub_source = page.published, page.published_source
    if pub is None and published is not None:
        pub, pub_source = published, DateSource.PAGE
    if pub is None:
        pub_source = DateSource.NONE
    articles = _split_articles(units, vocab)
    docs: list[Document] = []
    for n, (body, outlet) in enumerate(articles, 1):
        doc_outlet = outlet
        if n == 1:
            doc_outlet = page.outlet or outlet or site_outlet
        docs.append(Document(
            id=page.id if n == 1 else f"{page.id}#{n}",
            page_id=page.id,
            text="\n\n".join(u.text for u in body),
            source=page.source,
            format=page.format,
            url=page.url,
            title=(page.title or title) if n == 1 else None,
            outlet=doc_outlet,
            published=pub,
            published_source=pub_source,
            segments=list(segments),  # each article owns its list: later stages may annotate it
            page_text=text,
            warnings=list(page.warnings),
        ))
    if not docs:
        docs.append(Document(
            id=page.id, page_id=page.id, text="", source=page.source, format=page.format, url=page.url,
            title=page.title or title, outlet=page.outlet or site_outlet, published=pub,
            published_source=pub_source, segments=segments, page_text=text,
            warnings=[*page.warnings, "no article text found on the page (all furniture or comments)"],
        ))
    return docs


# --- HTML -------------------------------------------------------------------------------------


def _mark_html_leftovers(units: list[_Unit]) -> None:
    """Two shapes trafilatura lets through on some sites, found by shape alone:

    * a navigation menu (when no article was found): a long run of one-to-four-word items with
      no sentence punctuation and no bullet — an article's own lists (specifications, poll
      results) come out of trafilatura bulleted, a menu's items most often do not;
    * a list of bulleted headlines closing the text with no heading over it: related links
      (an article's own list is introduced by a line ending in ':').
    """
    run: list[_Unit] = []
    for u in [*units, None]:
        if (u is not None and u.kind is None and not u.bullet and u.words <= MENU_ITEM_MAX_WORDS
                and not _TERMINAL.search(u.text)):
            run.append(u)
            continue
        if u is not None and u.kind is SegmentKind.FURNITURE and run:
            continue  # a share button inside the menu does not break it
        if len(run) >= MENU_RUN_MIN:
            for v in run:
                v.kind, v.rule = SegmentKind.FURNITURE, "shape:menu"
        run = []
    tail: list[_Unit] = []
    j = len(units) - 1
    while j >= 0 and units[j].kind is not None:
        j -= 1  # furniture after the list
    while j >= 0 and units[j].kind is None and units[j].bullet and _is_link_like(units[j]):
        tail.append(units[j])
        j -= 1
    if len(tail) >= TRAILING_LINKS_MIN and not (j >= 0 and units[j].text.endswith(":")):
        for v in tail:
            v.kind, v.rule = SegmentKind.FURNITURE, "related:trailing-links"


def _clean_html(page: Page, vocab: CleanVocab) -> list[Document]:
    import htmldate

    html = page.html or ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = extract_html(html, page.url)
        except Exception:  # noqa: BLE001 - trafilatura raises many kinds on broken markup
            result = None
        # the metadata date IS htmldate.find_date (run on the tree already parsed); htmldate is
        # called on its own only when trafilatura found no article or no date
        found_date = result.date if result is not None else None
        if not found_date and html:
            try:
                found_date = htmldate.find_date(html, extensive_search=False, url=page.url)
            except Exception:  # noqa: BLE001 - same for htmldate
                found_date = None
    title = page.title or (result.title if result is not None else None)
    body = result.text if result is not None else ""
    outlet = page.outlet or (result.sitename if result is not None else None)
    published, source = page.published, page.published_source
    if published is None:
        try:
            if found_date:
                published, source = date.fromisoformat(found_date[:10]), DateSource.METADATA
        except ValueError:
            published = None
    if published is None:
        source = DateSource.NONE
    page_text = f"{title}\n\n{body}" if title else body
    offset = len(title) + 2 if title else 0
    segments = [Segment(SegmentKind.TITLE, 0, len(title), "html:title")] if title else []
    title_keys = _title_keys(title) if title else set()
    headline = title
    units: list[_Unit] = []
    pos = 0
    for line in body.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        u = _Unit(offset + start, offset + start + len(line.rstrip()), stripped, 0,
                  stripped[0] in _BULLET_CHARS and _BULLET.match(stripped) is not None, 0,
                  words=count_words(stripped))
        if not units and _norm_line(stripped) in title_keys:
            # the headline repeated as the first paragraph (trafilatura keeps an <h1> inside the
            # article): it is the title, not body text to extract events from twice; and it is
            # the better title when the <title> adds the site's name to it
            u.kind, u.rule = SegmentKind.TITLE, "html:title-repeat"
            if not page.title:
                headline = stripped
        else:
            _static(u, vocab)  # trafilatura's text still carries share/donation lines at times
        units.append(u)
    _mark_related_links(units, -1)  # "Most read" / "Don't miss" boxes trafilatura kept
    _mark_html_leftovers(units)
    paragraphs: list[str] = []
    for u in units:
        if u.kind is SegmentKind.TITLE or u.kind is SegmentKind.COMMENT or (
                u.kind is SegmentKind.FURNITURE and u.rule.startswith(_HTML_DROP_RULES)):
            segments.append(Segment(u.kind, u.start, u.end, u.rule))
        else:
            segments.append(Segment(SegmentKind.BODY, u.start, u.end, "html:trafilatura"))
            paragraphs.append(u.text)
    warn = list(page.warnings)
    if not paragraphs:
        warn.append("no article text found in the HTML")
    return [Document(
        id=page.id, page_id=page.id, text="\n\n".join(paragraphs), source=page.source, format=page.format,
        url=page.url, title=headline, outlet=_canonical_outlet(outlet, vocab), published=published,
        published_source=source, segments=segments, page_text=page_text, warnings=warn,
    )]


def clean_page(page: Page, vocab: CleanVocab) -> list[Document]:
    """Split a page into its article(s): one Document per article, ids ``page.id``, ``page.id#2`` ...

    Every non-blank paragraph of the page becomes a Segment (title/body/furniture/comment, with
    the rule that decided it).  Title, outlet and date given on the Page win over those found in
    the text.  A page with no article text yields one Document with empty text and a warning.
    """
    if page.html:  # html, or a WARC record's payload
        return _clean_html(page, vocab)
    return _clean_text(page, page.text or "", vocab)
