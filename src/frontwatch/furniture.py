"""The furniture vocabulary of the cleaning stage: ``data/furniture.yaml`` plus users' files,
compiled once into a frozen ``CleanVocab`` that ``clean.py`` is given explicitly.

Kept apart from ``clean.py`` so that the rules there read without the loader's validation code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from frontwatch import yamlio
from frontwatch.errors import ConfigError
from frontwatch.rxcache import RegexCache

_OUTLET_KEY = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class CreditPattern:
    pattern: re.Pattern[str]
    attach: str  # "next" or "previous"
    known_only: bool = False  # the name must be a known outlet (else it is an author's byline)


@dataclass(frozen=True, slots=True)
class GuardedPattern:
    """A pattern (spam, dateline), and literal strings one of which every match contains
    (lower-cased, as ``fold_case`` gives the line): a line holding none of them is not searched.
    ``needles`` is None when the pattern has no such literals (then every line is searched).
    ``also``: more such sets, each of which a match also needs one of ("(full|more) (details|info)":
    a line with "more" is searched only if it has "details" or "info" too)."""

    pattern: re.Pattern[str]
    needles: tuple[str, ...] | None = None
    also: tuple[tuple[str, ...], ...] = ()

    def holds(self, folded: str) -> bool:
        """Whether the line (``folded``: ``fold_case`` of it) holds the literals a match needs."""
        if self.needles is None:
            return True
        for needle in self.needles:  # loops, not any(): this runs on every paragraph
            if needle in folded:
                break
        else:
            return False
        for needles in self.also:
            for needle in needles:
                if needle in folded:
                    break
            else:
                return False
        return True

    def search(self, line: str, folded: str) -> bool:
        """Whether the pattern is found in ``line``; ``folded`` is ``fold_case(line)``."""
        return self.holds(folded) and self.pattern.search(line) is not None

    @classmethod
    def of(cls, pattern: re.Pattern[str], min_chars: int = 0) -> GuardedPattern:
        """The pattern with the literals read off it (see ``_required``; ``min_chars``: its
        threshold, MIN_NEEDLE_CHARS unless given)."""
        required = _required(pattern.pattern, pattern.flags, min_chars or MIN_NEEDLE_CHARS)
        return cls(pattern, required[0], required[1:]) if required else cls(pattern)


@dataclass(frozen=True, slots=True)
class CleanVocab:
    """The compiled furniture vocabulary (see ``data/furniture.yaml``); build with ``load_vocab``."""

    furniture: tuple[tuple[str, LineList], ...]
    comment_widgets: LineList
    spam: tuple[GuardedPattern, ...]  # a line is spam if ANY of these is found in it
    support: tuple[re.Pattern[str], ...]
    credits: tuple[CreditPattern, ...]
    datelines: tuple[GuardedPattern, ...]  # matched at the start of a paragraph
    dateline_styles: tuple[tuple[str, re.Pattern[str]], ...]
    outlets: MappingProxyType[str, str]  # normalised alias or name -> canonical outlet name
    byline_words: frozenset[str]
    opinion_words: frozenset[str]
    insults: frozenset[str]
    reporting: frozenset[str]
    opinion_markers: frozenset[str]  # opinion_words | insults: one set lookup per word
    version: str = ""
    # the run's verdicts on short lines (``cleanline.line_verdict``): not part of the vocabulary
    line_memo: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LineList:
    """A list of whole-line patterns (case-insensitive, anchored at both ends): does a line match one?

    The members that open with "any characters" (".*X.*", ".{0,200}X") are the costly ones: the
    engine tries X at every position of the line.  They are kept apart, each with the sets of
    literals its matches need (``_required``), and tried only on lines holding them; the others
    stay one alternation: one regex call per line instead of one per pattern."""

    cheap: re.Pattern[str] | None
    costly: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...], re.Pattern[str]], ...] = ()

    def match(self, line: str, folded: str) -> bool:
        """Whether the whole ``line`` matches a member; ``folded`` is ``fold_case(line)``."""
        return (self.cheap is not None and self.cheap.match(line) is not None) or (
            bool(self.costly) and self.costly_match(line, folded))

    def costly_match(self, line: str, folded: str) -> bool:
        """Whether the whole ``line`` matches one of the costly members."""
        for needles, also, pattern in self.costly:
            for needle in needles:  # unrolled like is_spam: most lines hold none of them
                if needle in folded:
                    break
            else:
                continue
            if all(any(n in folded for n in more) for more in also) and pattern.match(line) is not None:
                return True
        return False


def _compile(patterns: Sequence[str], where: str, flags: int = re.IGNORECASE,
             compile_re: Callable[[str, int], re.Pattern[str]] = re.compile) -> LineList:
    cheap: list[str] = []
    costly: list[tuple[tuple[tuple[str, ...], ...], str]] = []
    for p in patterns:
        sets = _required(p, flags) if _opens_with_any(p, flags) else ()
        if sets:
            costly.append((sets, p))
        else:
            cheap.append(p)
    try:
        return LineList(
            compile_re("(?:" + "|".join(f"(?:{p})" for p in cheap) + r")\Z", flags) if cheap else None,
            tuple((sets[0], sets[1:], compile_re(rf"(?:{p})\Z", flags)) for sets, p in costly))
    except re.error as exc:
        raise ConfigError(f"bad regular expression in {where}: {exc}") from exc


def _opens_with_any(pattern: str, flags: int) -> bool:
    """Whether ``pattern`` opens (after look-aheads) with a repeat of any character."""
    try:
        from re import _constants as sre  # type: ignore[attr-defined]  # the standard library's regex parser: only the loader needs it
        from re import _parser as parser  # type: ignore[attr-defined]

        items = [item for item in parser.parse(pattern, flags) if item[0] is not sre.ASSERT]
        op, av = items[0]
        return op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and [i[0] for i in av[2]] == [sre.ANY]
    except Exception:  # noqa: BLE001 - not understood: kept in the alternation
        return False


def _compile_one(pattern: str, where: str, flags: int = 0,
                 compile_re: Callable[[str, int], re.Pattern[str]] = re.compile) -> re.Pattern[str]:
    try:
        return compile_re(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"bad regular expression in {where}: {pattern!r}: {exc}") from exc


# Characters that a case-insensitive regex takes for an ASCII letter although ``str.lower`` does
# not turn them into it: dotted capital I (whose full lower case is two characters), dotless i,
# long s.  (The Kelvin sign lower-cases to "k" by itself.)
_CASE_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
# Required literals shorter than this filter too few lines to be worth the look.
MIN_NEEDLE_CHARS = 3


def fold_case(line: str) -> str:
    """``line`` lower-cased so that wherever a case-insensitive regex matches an ASCII literal,
    the folded line contains that literal in lower case (the needles of ``GuardedPattern``)."""
    if line.isascii():
        return line.lower()
    # str.translate with a mapping table runs a Python-level lookup per character (tens of
    # microseconds on a paragraph): only lines that hold one of the three characters need it
    if "\u0130" in line or "\u0131" in line or "\u017f" in line:
        return line.translate(_CASE_FOLD).lower()
    return line.lower()


def is_spam(vocab: CleanVocab, line: str, folded: str | None = None) -> bool:
    """Whether any spam pattern is found in ``line`` (``GuardedPattern.search`` of each, unrolled:
    this runs on every line of every page); ``folded``: ``fold_case(line)`` if already made."""
    if folded is None:
        folded = fold_case(line)
    for sp in vocab.spam:
        if sp.needles is not None:
            for needle in sp.needles:
                if needle in folded:
                    break
            else:
                continue
            # the pattern's other required literals: seldom reached, most lines fail the first set
            if sp.also and not all(any(n in folded for n in needles) for needles in sp.also):
                continue
        if sp.pattern.search(line) is not None:
            return True
    return False


def _needles(pattern: str, flags: int) -> tuple[str, ...] | None:
    """Lower-cased ASCII literals one of which every match of ``pattern`` contains, or None (the
    most selective set of ``_required``)."""
    required = _required(pattern, flags)
    return required[0] if required else None


def _required(pattern: str, flags: int, min_chars: int = 0) -> tuple[tuple[str, ...], ...]:
    """Sets of lower-cased ASCII literals such that every match of ``pattern`` contains one of each
    set; the most selective set (the one with the longest shortest literal) first; () when that one's
    literals are shorter than ``min_chars`` (MIN_NEEDLE_CHARS unless given): too short to be worth
    looking for in a line.

    Read off the parsed pattern (the standard library's own parser): in a sequence, a run of
    literal characters is required, and so is whatever a group, or a repeat of at least once,
    requires; a branch requires one of what its alternatives require, if each requires something.
    Anything not understood (look-arounds, classes, optional parts, another Python's parser) adds
    no set, so the answer errs towards fewer sets, never towards a literal a match could lack.
    """
    try:
        from re import _constants as sre  # type: ignore[attr-defined]  # the standard library's regex parser: only the loader needs it
        from re import _parser as parser  # type: ignore[attr-defined]

        parsed = parser.parse(pattern, flags)
        found = _seq_required(list(parsed), sre)
    except Exception:  # noqa: BLE001 - an unexpected parse layout means no prefilter, not an error
        return ()
    best = _most_selective(found)
    if best is None or min(map(len, best)) < (min_chars or MIN_NEEDLE_CHARS):
        return ()
    sets = [tuple(sorted(set(best)))]
    for cand in found:
        needles = tuple(sorted(set(cand)))
        if cand is not best and needles not in sets:
            sets.append(needles)
    return tuple(sets)


def _most_selective(cands: list[list[str]]) -> list[str] | None:
    best: list[str] | None = None
    for cand in cands:
        if best is None or min(map(len, cand)) > min(map(len, best)):
            best = cand
    return best


def _seq_required(items: list, sre) -> list[list[str]]:
    found: list[list[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is sre.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            found.append(["".join(run)])
            run = []
        if op is sre.SUBPATTERN:
            found += _seq_required(list(av[-1]), sre)
        elif op is sre.BRANCH:
            alts = [_most_selective(_seq_required(list(alt), sre)) for alt in av[1]]
            if alts and all(alts):
                found.append([n for alt in alts for n in alt])  # type: ignore[union-attr]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            found += _seq_required(list(av[2]), sre)
    return found


def outlet_key(name: str) -> str:
    """The key outlets are looked up by: lowercase letters and digits only."""
    return _OUTLET_KEY.sub("", name.lower())


def load_vocab(extra: Sequence[Path] = (), rx: RegexCache | None = None) -> CleanVocab:
    """Read ``data/furniture.yaml`` plus user files (same keys; lists append) and compile it once
    (``rx``: compiled patterns kept between runs)."""
    cre = rx.compile if rx is not None else re.compile
    texts = [("furniture.yaml", resources.files("frontwatch.data").joinpath("furniture.yaml").read_text("utf-8"))]
    for path in extra:
        try:
            texts.append((str(path), Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            raise ConfigError(f"cannot read furniture file {path}: {exc.strerror or exc}") from exc
    groups: dict[str, list[str]] = {}
    lists: dict[str, list] = {k: [] for k in ("comment_widgets", "spam", "support_lines", "credit_lines",
                                               "datelines", "dateline_styles", "outlets", "byline_words")}
    opinion: dict[str, list[str]] = {"pronouns": [], "insults": [], "reporting": []}
    version = ""
    for where, text in texts:
        data = yamlio.load_mapping(text, str(where))
        version = version or str(data.get("version", ""))
        for group, pats in (data.get("furniture") or {}).items():
            groups.setdefault(str(group), []).extend(str(p) for p in pats or [])
        for key in lists:
            value = data.get(key) or []
            if not isinstance(value, list):
                raise ConfigError(f"{where}: '{key}' must be a list")
            lists[key].extend(value)
        for key in opinion:
            opinion[key].extend(str(w).lower() for w in (data.get("opinion") or {}).get(key) or [])
    outlets: dict[str, str] = {}
    for entry in lists["outlets"]:
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(f"outlets entries need a 'name': {entry!r}")
        for alias in [entry["name"], *(entry.get("aliases") or [])]:
            outlets[outlet_key(str(alias))] = str(entry["name"])
    credits = []
    for entry in lists["credit_lines"]:
        if not isinstance(entry, dict) or "pattern" not in entry:
            raise ConfigError(f"credit_lines entries need a 'pattern': {entry!r}")
        credits.append(CreditPattern(_compile_one(str(entry["pattern"]) + r"\Z", "credit_lines", compile_re=cre),
                                     str(entry.get("attach", "previous")), bool(entry.get("known_only", False))))
    styles = []
    for entry in lists["dateline_styles"]:
        if not isinstance(entry, dict) or "pattern" not in entry or "outlet" not in entry:
            raise ConfigError(f"dateline_styles entries need 'outlet' and 'pattern': {entry!r}")
        styles.append((str(entry["outlet"]), _compile_one(str(entry["pattern"]), "dateline_styles", compile_re=cre)))
    return CleanVocab(
        furniture=tuple((g, _compile(p, f"furniture.{g}", compile_re=cre)) for g, p in groups.items() if p),
        comment_widgets=_compile([str(p) for p in lists["comment_widgets"]] or ["(?!)"], "comment_widgets", compile_re=cre),
        # one pattern each, not one alternation: most lines match none, and Python's engine
        # tries every branch of a case-insensitive alternation at every position (no prefix
        # scan), which takes twice as long as searching for each pattern in turn
        spam=tuple(GuardedPattern.of(_compile_one(str(p), "spam", re.IGNORECASE, cre)) for p in lists["spam"]),
        support=tuple(_compile_one(str(p) + r"\Z", "support_lines", compile_re=cre) for p in lists["support_lines"]),
        credits=tuple(credits),
        # a dateline is looked for in every article paragraph: one holding none of the literals
        # it needs, however short (" (" of "BAGHDAD (Reuters) -"), is not tried
        datelines=tuple(GuardedPattern.of(_compile_one(str(p), "datelines", compile_re=cre), min_chars=1)
                        for p in lists["datelines"]),
        dateline_styles=tuple(styles),
        outlets=MappingProxyType(outlets),
        byline_words=frozenset(str(w).lower() for w in lists["byline_words"]),
        opinion_words=frozenset(opinion["pronouns"]),
        insults=frozenset(opinion["insults"]),
        reporting=frozenset(opinion["reporting"]),
        opinion_markers=frozenset(opinion["pronouns"]) | frozenset(opinion["insults"]),
        version=version,
    )
