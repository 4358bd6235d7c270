"""Numbers in news text -> counts with a low / best / high reading and the noun they count.

``load_quantities()`` compiles ``data/quantities.yaml`` (number words, vague quantities with
ACLED's conservative values, range modifiers, measure units, counted nouns) into one regular
expression; ``find_numbers()`` scans a text.

Why hand-written: number-parsing libraries (e.g. ``word2number``) convert a string already known
to be a number; none finds numbers in running text together with the modifiers ("at least",
"between ... and ...") and the counted noun, nor knows ACLED's conventions for vague counts.
Distances and areas ("10km", "301km2") are recognised as measures so that they are never
mistaken for casualty counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .errors import ConfigError
from .lexicon import alternation, normalise, read_builtin, read_yaml
from .model import NumberMention
from .rxcache import RegexCache
from .scan import FollowMap, GatedPattern, WordIndex, first_words, union

# Plain numbers of this form are years, not counts ("in 2014"), unless a counted noun follows.
YEAR_RANGE = (1900, 2100)
# Counts above this are not casualty or force counts in war reporting (phone numbers, IDs).
MAX_COUNT = 10_000_000
_WORD_RE = re.compile(r"\w+")
_CLOCK = re.compile(r"\s?(?:[ap]\.m\.|[ap]m\b|GMT\b|UTC\b|hrs\b|h\b|o['’]clock\b)", re.I)
_AGE = re.compile(r"[-\s](?:year|month|week|day)s?[-\s]old\b|\s+years?\s+old\b|[-‐]year\b", re.I)


@dataclass(frozen=True, slots=True)
class QuantityResources:
    """Compiled number knowledge (built once by :func:`load_quantities`)."""

    pattern: GatedPattern  # numbers, ranges, vague quantities; tried only where one can start
    words: Mapping[str, int]  # one..nineteen, twenty..ninety
    scales: Mapping[str, int]
    vague: Mapping[str, int]
    modifiers: Mapping[str, str]  # phrase -> floor | ceiling | approx
    measure_re: re.Pattern[str]
    measure_by_form: Mapping[str, str]
    noun_re: re.Pattern[str]
    unit_window_words: int
    designators: frozenset[str]


def _number_follows(words: Iterable[str], tens: Iterable[str], scales: Iterable[str], vague: Iterable[str],
                    mods: Iterable[str], dozen: str) -> Mapping[str, tuple[frozenset[str], bool]]:
    """The follow gate of :func:`load_quantities`'s pattern (see ``scan.GatedPattern.follows``),
    branch by branch: a modifier ("about") or "between"/"from" goes on with a number, "half"
    with "a", "a" with "dozen" or a scale word ("a hundred"); vague phrases, number words and
    digits may stand alone (no limit)."""
    def firsts(forms: Iterable[str]) -> set[str]:
        return {r[0] for f in forms if (r := _WORD_RE.findall(f.lower()))}

    number_first = {"half", "a", dozen.lower()} | firsts(words) | firsts(tens)  # and digits
    fm = FollowMap()
    fm.forms(vague, free=True)
    fm.forms(mods, {"between", "from"} | number_first, True)
    for w in ("between", "from"):
        fm.lead(w, number_first, True)
    fm.lead("half", ("a",))
    fm.lead("a", {dozen.lower()} | firsts(scales))
    fm.forms([*words, *tens, dozen], free=True)  # "two", "twenty-one", "dozen"
    return fm.build()


def load_quantities(extra: Sequence[Path] = (), rx: RegexCache | None = None) -> QuantityResources:
    """Compile ``data/quantities.yaml`` (plus user files with the same keys)."""
    compile_re = rx.compile if rx is not None else re.compile  # rx: compiled patterns kept between runs
    docs = [("quantities.yaml", read_builtin("quantities.yaml"))] + [(str(p), read_yaml(Path(p))) for p in extra]
    words: dict[str, int] = {}
    tens: dict[str, int] = {}
    scales: dict[str, int] = {}
    vague: dict[str, int] = {}
    mods: dict[str, str] = {}
    measure: dict[str, str] = {}
    nouns: list[str] = []
    designators: set[str] = set()
    window = 4
    dozen = "dozen"
    try:
        for where, doc in docs:
            words.update({str(k).lower(): int(v) for k, v in (doc.get("units_words") or {}).items()})
            tens.update({str(k).lower(): int(v) for k, v in (doc.get("tens_words") or {}).items()})
            scales.update({str(k).lower(): int(v) for k, v in (doc.get("scale_words") or {}).items()})
            for k, spec in (doc.get("vague") or {}).items():
                vague[normalise(str(k)).lower()] = int(spec["best"])
            for k, v in (doc.get("modifiers") or {}).items():
                if v not in ("floor", "ceiling", "approx"):
                    raise ConfigError(f"{where}: modifier {k!r} must be floor, ceiling or approx")
                mods[normalise(str(k)).lower()] = v
            for unit, forms in (doc.get("measure_units") or {}).items():
                for f in forms:
                    measure[normalise(str(f)).lower()] = str(unit)
            nouns.extend(str(n) for n in doc.get("count_nouns") or [])
            designators.update(str(n) for n in doc.get("designators") or [])
            window = int(doc.get("unit_window_words", window))
            dozen = str(doc.get("dozen_word", dozen))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"malformed quantity vocabulary: {exc}") from exc

    unit_alt = alternation(words, fold=True)
    tens_alt = alternation(tens, fold=True)
    scale_alt = alternation(scales, fold=True)
    word_num = (rf"(?:{tens_alt}(?:[-‐\s]{unit_alt})?|{unit_alt})"
                rf"(?:\s+{scale_alt}(?:\s+(?:and\s+)?(?:{tens_alt}(?:[-‐\s]{unit_alt})?|{unit_alt}))?)?")
    digits = r"(?<![\w.,:$£€-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,]\d)(?:\s+" + scale_alt + r"(?!\w))?"
    atom = (r"(?:" + digits
            + r"|(?<![\w-])(?:(?i:half\s+a|a|" + unit_alt + r")\s+)?(?i:" + re.escape(dozen) + r")(?!\w)"
            + r"|(?<![\w-])(?i:a)\s+" + scale_alt + r"(?!\w)"
            + r"|(?<![\w-])" + word_num + r"(?![\w-]))")

    def named(name: str) -> str:
        return atom.replace("(?:", f"(?P<{name}>", 1)

    mod_alt = alternation(mods, fold=True)
    vague_alt = alternation(vague, fold=True)
    pattern = (
        r"(?P<vague>(?<![\w-])" + vague_alt + r"(?!\w))"
        + r"|(?:(?<!\w)(?P<mod>" + mod_alt + r")\s+)?(?:(?<!\w)(?P<between>(?i:between|from))\s+)?" + named("a")
        + r"(?:\s*(?P<conn>[-–]|(?i:to|and|or))\s*" + named("b") + ")?"
    )
    meas_forms = sorted(measure, key=len, reverse=True)
    # "10km", "43 km", "a 500-metre trench"
    measure_re = compile_re(r"[\s-]?(?P<u>" + "|".join(re.escape(f) for f in meas_forms) + r")(?![\w²])", re.I)
    noun_re = compile_re(r"(?<![\w-])" + alternation(nouns, fold=False) + r"(?![\w-])")
    # Every alternative starts at a word: a digit, a vague phrase, a modifier, "between"/"from",
    # "half a"/"a" (dozen, hundred), "dozen", or a number word (tens or units).  ("between" and
    # "from" need their own (?<!\w): without it the plain pattern matched them at the end of a
    # word, "5between 6", where the gate, trying word starts only, did not.)
    firsts = union(first_words(vague), first_words(mods), first_words(words), first_words(tens),
                   frozenset({"between", "from", "half", "a", dozen.lower()}))
    return QuantityResources(
        pattern=GatedPattern(compile_re(pattern), firsts, digits=True,
                             follows=_number_follows(words, tens, scales, vague, mods, dozen)),
        words=MappingProxyType({**words, **tens}),
        scales=MappingProxyType(scales),
        vague=MappingProxyType(vague),
        modifiers=MappingProxyType(mods),
        measure_re=measure_re,
        measure_by_form=MappingProxyType(measure),
        noun_re=noun_re,
        unit_window_words=window,
        designators=frozenset(designators),
    )


# Patterns of find_numbers and its helpers, compiled once (some run for every number).
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_SPLIT = re.compile(r"[\s-]+")
_WINDOW = re.compile(r"[^.,;:!?\n]{0,80}")
_ACRONYM = re.compile(r"\s*\(([A-Z][A-Za-z]{1,9}s?)\)")
_OF = re.compile(r"\s+of(?!\w)")
_OF_WORD = re.compile(r"\s+of\b")
_MONEY_AFTER = re.compile(r"\s?[$€£]|[:/]\d")
_MONEY_BEFORE = re.compile(r"(?:[$€£]\s?|\d/)$")
_DESIGNATOR_BEFORE = re.compile(r"([A-Z][\w.]*)\s+$")
_LOWER = re.compile(r"[a-z]")
_FOUR_DIGITS = re.compile(r"\d{4}")


def parse_number(s: str, res: QuantityResources) -> int | None:
    """Value of one number as written: "1,200", "2.5 million", "twenty-three", "half a dozen"."""
    t = normalise(s).lower().replace("‐", "-")
    scale = 1
    for word, mult in res.scales.items():
        if t.endswith(" " + word) and t[: -len(word) - 1].replace(",", "").replace(".", "").isdigit():
            t, scale = t[: -len(word) - 1], mult
            break
    num = t.replace(",", "")
    if _DECIMAL.fullmatch(num):
        return int(round(float(num) * scale))
    if t.endswith("dozen"):
        head = t[: -len("dozen")].strip()
        if head in ("", "a"):
            return 12
        if head == "half a":
            return 6
        n = res.words.get(head)
        return None if n is None else n * 12
    total, current = 0, 0
    for tok in _NUMBER_SPLIT.split(t):
        if tok in ("and", ""):
            continue
        if tok == "a":
            current = 1
        elif tok in res.words:
            current += res.words[tok]
        elif tok in res.scales:
            mult = res.scales[tok]
            current = max(current, 1) * mult
            if mult >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current


def _unit_after(text: str, end: int, res: QuantityResources) -> tuple[str | None, int | None]:
    """The measure unit glued to or right after a number (with where it ends), else the counted
    noun within a few words (and None)."""
    mm = res.measure_re.match(text, end)
    if mm:
        return res.measure_by_form[normalise(mm.group("u")).lower()], mm.end()
    # Stop at clause punctuation: a noun beyond it is not what the number counts.
    window = _WINDOW.match(text, end).group(0)  # type: ignore[union-attr]
    words = window.split()
    limit = sum(len(w) + 1 for w in words[: res.unit_window_words + 1]) + 2
    nm = res.noun_re.search(window[:limit])
    if nm is None:
        nm = re.compile(res.noun_re.pattern, re.I).search(window[:limit]) if words[:1] and words[0][:1].isupper() else None
    if nm is None:
        return None, None
    unit = nm.group(0)
    # A parenthesised acronym right after the noun names it better: "devices (VBIEDs)".
    acro = _ACRONYM.match(window[nm.end():])
    if acro:
        unit = acro.group(1)
    return unit, None


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def find_numbers(text: str, res: QuantityResources, exclude: Sequence[tuple[int, int]] = (),
                 index: WordIndex | None = None) -> list[NumberMention]:
    """Find every number, range and vague quantity in ``text``.

    ``exclude`` are spans already taken (dates), so that "October 26" yields no number 26.
    """
    out: list[NumberMention] = []
    for m in res.pattern.finditer(text, index=index):
        start, end = m.start(), m.end()
        if _overlaps(start, end, exclude):
            # A range may run into a date ("10 to 15 October"): keep only what is outside.
            continue
        if m.group("vague"):
            best = res.vague[normalise(m.group("vague")).lower()]
            vend = end
            of = _OF.match(text, end)
            unit, measure = _unit_after(text, of.end() if of else end, res)
            out.append(NumberMention(start, vend, text[start:vend], best=best, low=best, unit=unit,
                                     vague=True, rule="number:vague"))
            continue
        a_s = m.group("a")
        a = parse_number(a_s, res)
        if a is None or a > MAX_COUNT:
            continue
        b = parse_number(m.group("b"), res) if m.group("b") else None
        conn = (m.group("conn") or "").lower()
        if b is not None and (conn == "and" and not m.group("between") or b < a or b > MAX_COUNT):
            b = None
            end = m.end("a")
        elif m.group("between") and b is None:
            start = m.start("a") if not m.group("mod") else start
        # Money, clock times, dates written with slashes and ages are not counts.
        if _MONEY_AFTER.match(text[end:end + 2]) or _MONEY_BEFORE.search(text[max(0, start - 2):start]):
            continue
        if _AGE.match(text, end) or _CLOCK.match(text, end):
            continue  # "a 12-year-old boy", "at 3 p.m."
        # "Brigade 93", "Resolution 2254", "Route 66": a designation, not a count.
        before = _DESIGNATOR_BEFORE.search(text[max(0, start - 20):start])
        if before and before.group(1).rstrip(".") in res.designators:
            continue
        if text[end:end + 1].isalpha() and not res.measure_re.match(text, end):
            continue  # "26th", "4x4"
        unit, measure = _unit_after(text, end, res)
        if measure is None and "." in a_s and not _LOWER.search(a_s):
            continue  # "a 3.5 magnitude": a decimal without a scale word is a measurement
        if b is None and YEAR_RANGE[0] <= a <= YEAR_RANGE[1] and _FOUR_DIGITS.fullmatch(a_s) and unit is None:
            continue
        if a_s.lower() == "one" and b is None and (unit is None or _OF_WORD.match(text, end)):
            continue  # "one of the largest", "one of them": not a count
        mod = res.modifiers.get(normalise(m.group("mod")).lower()) if m.group("mod") else None
        low = high = None
        best = a
        rule = "number"
        if b is not None:
            low, high, rule = a, b, "number:range"
        elif mod == "floor":
            low, rule = a, "number:floor"
        elif mod == "ceiling":
            high, rule = a, "number:ceiling"
        elif mod == "approx":
            rule = "number:approx"
        if measure is not None:
            rule += ":measure"
            end = measure
        out.append(NumberMention(start, end, text[start:end], best=best, low=low, high=high, unit=unit,
                                 vague=False, rule=rule))
    return out
