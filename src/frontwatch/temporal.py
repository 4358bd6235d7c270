"""Date expressions in news text -> absolute dates with ACLED time precision.

``load_dates()`` compiles ``data/dates.yaml`` (month and weekday names, relative words with their
offsets, anchors and precisions) into one regular expression; ``find_dates()`` scans a text and
resolves every expression against the publication date, the previously mentioned date, or the
last date of the same paragraph.

Why hand-written: dateparser and htmldate turn a *whole string* into one date and have no notion
of a text's running reference date ("on the same day", "the next day"), of ACLED's precision
codes, nor of the rule that reporting speaks of the past (a year-less "December 30" in a January
article is last December).  Finding the expressions is plain pattern matching; resolving them is
a few lines of calendar arithmetic.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType

from .errors import ConfigError
from .lexicon import alternation, normalise, read_builtin, read_yaml
from .model import DateMention
from .rxcache import RegexCache
from .scan import FollowMap, GatedPattern, WordIndex, first_words, union

# Years accepted as written years (a "1450" is not a report date; "2099" is not yet one).
MIN_YEAR = 1900
MAX_YEAR = 2100
# A range longer than this many days gets month precision (3) instead of week precision (2).
WEEK_RANGE_DAYS = 7
# A year-less date announced in the future tense ("will resume on January 3" in a December
# article) is put in the next year when that is at most this many days ahead.
FUTURE_WINDOW_DAYS = 120
_PARAGRAPH_BREAK = re.compile(r"\n\n")
# The pattern's own lead words: before a range ("between October 26 and 28"), before a month
# ("in October") and before a weekday ("last Saturday").
_RANGE_LEADS = ("between", "from")
_MONTH_LEADS = ("in", "during", "since", "until", "through", "throughout", "by", "before", "after")
_WEEKDAY_LEADS = ("last", "this", "next", "on", "early", "late")
_WORD_RE = re.compile(r"\w+")
_DIGIT_LED = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class RelativeRule:
    """What a relative expression counts from, by how many days, and how precise it is."""

    anchor: str  # published | previous | context
    days: int
    precision: int


@dataclass(frozen=True, slots=True)
class MonthPart:
    """For "early / mid / late <month>": the day used as the value, and the precision."""

    day: int
    precision: int


@dataclass(frozen=True, slots=True)
class DateResources:
    """Compiled date knowledge (built once by :func:`load_dates`)."""

    pattern: GatedPattern  # every date expression; tried only where one can start
    months: Mapping[str, int]  # lower-cased form without dot -> month number
    weekdays: Mapping[str, int]
    relative: Mapping[str, RelativeRule]  # normalised lower-cased phrase -> rule
    month_parts: Mapping[str, MonthPart]
    ago_units: Mapping[str, RelativeRule]
    count_words: Mapping[str, int]
    month_alone_day: int
    future_slack_days: int
    future_re: re.Pattern[str]  # future-tense cues before a date in its sentence


def _date_firsts(*vocabularies: Iterable[str]) -> frozenset[str] | None:
    """The words a date expression of :func:`load_dates`'s pattern can start with (besides a
    digit): its vocabularies' first words and the pattern's own lead words."""
    lead = frozenset({"between", "from", "the", "in", "during", "since", "until", "through", "throughout",
                      "by", "before", "after", "last", "this", "next", "on", "early", "late"})
    return union(lead, *(first_words(v) for v in vocabularies))


def _date_follows(months: Iterable[str], weekdays: Iterable[str], relative: Iterable[str], parts: Iterable[str],
                  counts: Iterable[str], ago: Iterable[str]) -> Mapping[str, tuple[frozenset[str], bool]]:
    """The follow gate of :func:`load_dates`'s pattern (see ``scan.GatedPattern.follows``):
    for each word an expression can start with, the words the next word can be and whether a
    digit may start it, taken branch by branch from the pattern.  Words after which an
    expression may end ("Saturday", "yesterday") or a digit (which starts anything) are left
    out: no limit."""
    def firsts(forms: Iterable[str]) -> set[str]:
        return {r[0] for f in forms if (r := _WORD_RE.findall(normalise(f).lower()))}

    months, weekdays = list(months), list(weekdays)
    month_first = firsts(months)
    full_days = [f for f in weekdays if len(f) > 4]  # the pattern's wd_full
    fm = FollowMap()
    fm.forms(months, (), True)  # "October 26", "October 2017", "October 26-28"
    fm.forms(full_days, free=True)  # "on Saturday"
    # "Sat, October 26", "Sat 26 October", "Sat the 26th"
    fm.forms([f for f in weekdays if len(f) <= 4], month_first | {"the"}, True)
    fm.forms(parts, month_first)  # "early October", "mid-October"
    fm.forms(relative, free=True)
    fm.forms(counts, firsts(ago))  # "two days ago"
    fm.lead("the", firsts(parts), True)  # "the 26th of October", "the end of October"
    for w in _RANGE_LEADS:
        fm.lead(w, month_first, True)
    for w in _MONTH_LEADS:
        fm.lead(w, month_first)
    for w in _WEEKDAY_LEADS:
        fm.lead(w, firsts(full_days))
    return fm.build()


def load_dates(extra: Sequence[Path] = (), rx: RegexCache | None = None) -> DateResources:
    """Compile ``data/dates.yaml`` (plus user files with the same keys) into :class:`DateResources`."""
    compile_re = rx.compile if rx is not None else re.compile  # rx: compiled patterns kept between runs
    docs = [("dates.yaml", read_builtin("dates.yaml"))] + [(str(p), read_yaml(Path(p))) for p in extra]
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    relative: dict[str, RelativeRule] = {}
    parts: dict[str, MonthPart] = {}
    ago: dict[str, RelativeRule] = {}
    counts: dict[str, int] = {}
    day_parts: list[str] = []
    future_cues: list[str] = []
    month_alone_day, slack = 15, 3
    try:
        for _where, doc in docs:
            for num, forms in (doc.get("months") or {}).items():
                for f in forms:
                    months[f.lower()] = int(num)
            for num, forms in (doc.get("weekdays") or {}).items():
                for f in forms:
                    weekdays[f.lower()] = int(num)
            for spec in doc.get("relative") or []:
                rule = RelativeRule(str(spec["anchor"]), int(spec["days"]), int(spec["precision"]))
                if rule.anchor not in ("published", "previous", "context"):
                    raise ConfigError(f"{_where}: unknown anchor {rule.anchor!r}")
                for f in spec["forms"]:
                    relative[normalise(f).lower()] = rule
            for word, spec in (doc.get("month_parts") or {}).items():
                parts[normalise(word).lower().rstrip("-")] = MonthPart(int(spec["day"]), int(spec["precision"]))
            for word, spec in (doc.get("ago_units") or {}).items():
                ago[word.lower()] = RelativeRule("published", int(spec["days"]), int(spec["precision"]))
            for word, n in (doc.get("count_words") or {}).items():
                counts[normalise(str(word)).lower()] = int(n)
            day_parts.extend(doc.get("day_parts") or [])
            future_cues.extend(str(c) for c in doc.get("future_cues") or [])
            month_alone_day = int(doc.get("month_alone_day", month_alone_day))
            slack = int(doc.get("future_slack_days", slack))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"malformed date vocabulary: {exc}") from exc

    full_months = [f for f in months if len(f) > 3 or f == "may"]
    abbr_months = [f for f in months if f not in full_months]
    # Month names are matched capitalised only ("may"/"march" are ordinary words lower-cased).
    mon = ("(?:" + "|".join(sorted((f.capitalize() for f in full_months), key=len, reverse=True))
           + "|(?:" + "|".join(sorted((f.capitalize() for f in abbr_months), key=len, reverse=True)) + r")\.?)(?!\w)")
    full_wd = [f.capitalize() for f in weekdays if len(f) > 4]
    wd_any = "(?:" + "|".join(sorted((f.capitalize() for f in weekdays), key=len, reverse=True)) + r")\.?"
    wd_full = "(?:" + "|".join(sorted(full_wd, key=len, reverse=True)) + ")"
    dpart = alternation(day_parts, fold=True)
    def d(g: str) -> str:
        # A day number, not part of "2,500", "4:45", "10%" or "$26".
        return rf"(?<![\d,.$£€])(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?(?![\d%]|:\d|,\d{{3}})"

    def y(g: str) -> str:
        return rf"(?:,?\s+(?P<{g}>(?:19|20)\d\d))?(?![\d,]\d)"

    def m(g: str) -> str:
        return f"(?P<{g}>{mon})"

    part_alt = alternation(parts, fold=True)
    rel_alt = alternation(relative, fold=True)
    count_alt = r"(?:\d{1,3}|" + alternation(counts, fold=True) + ")"
    ago_alt = alternation(ago, fold=True)
    # A branch that cannot start with a digit is guarded by "(?!\d)": at a number (a third of the
    # places the pattern is tried, most of them no date) it then fails at once instead of after
    # trying its month and weekday names one by one.  Exact: the guard holds wherever the branch
    # can match (it is left out when a form of its vocabulary starts with a digit).
    def letter_led(*vocabularies: Iterable[str]) -> str:
        return "" if any(_DIGIT_LED.match(f) for v in vocabularies for f in v) else r"(?!\d)"

    g_month, g_week = letter_led(months), letter_led(weekdays)
    pattern = (
        # between October 26 and 28 / from Oct. 26 to Nov. 2 / October 26-28
        g_month + r"(?P<rmd>(?i:" + "|".join(_RANGE_LEADS) + r")\s+" + m("rmd_m1") + r"\s+" + d("rmd_d1")
        + r"\s+(?i:and|to|until|till|through)\s+(?:" + m("rmd_m2") + r"\s+)?" + d("rmd_d2") + y("rmd_y")
        + "|" + m("rmd_m3") + r"\s+" + d("rmd_d3") + r"\s*[-–]\s*" + d("rmd_d4") + y("rmd_y2") + ")"
        # 26-28 October / between 26 and 28 October
        + r"|(?P<rdm>(?:(?i:" + "|".join(_RANGE_LEADS) + r")\s+)?" + d("rdm_d1") + r"\s*(?:[-–]|(?i:and|to))\s*" + d("rdm_d2")
        + r"\s+(?:of\s+)?" + m("rdm_m") + y("rdm_y") + ")"
        + r"|(?P<iso>(?<![\d-])(?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)(?![\d-]))"
        # (Saturday,) October 26(, 2017)( night)
        + r"|" + letter_led(months, weekdays) + r"(?P<md>(?:(?P<md_wd>" + wd_any + r"),?\s+)?" + m("md_m") + r"\s+" + d("md_d") + y("md_y")
        + r"(?:\s+" + dpart + ")?)"
        # (Saturday) 26 October 2017 / the 26th of October
        + r"|(?P<dm>(?:" + g_week + r"(?P<dm_wd>" + wd_any + r"),?\s+)?(?:the\s+)?" + d("dm_d") + r"\s+(?:of\s+)?" + m("dm_m")
        + y("dm_y") + ")"
        # in early October / mid-October 2017 / the end of October
        + r"|" + letter_led(parts) + r"(?P<part>(?<!\w)(?:the\s+)?(?P<part_w>" + part_alt + r")[\s-]*" + m("part_m") + y("part_y") + ")"
        # October 2017 / in October
        + r"|" + g_month + r"(?P<my>" + m("my_m") + r"\s+(?P<my_y>(?:19|20)\d\d)(?!\d))"
        + r"|(?!\d)(?P<mo>(?<!\w)(?i:" + "|".join(_MONTH_LEADS) + r")\s+(?P<mo_m>" + mon + ")" + y("mo_y") + ")"
        # 3 days ago / two days later
        + r"|(?P<ago>(?<![\w,.])(?P<ago_n>" + count_alt + r")\s+(?P<ago_u>" + ago_alt
        + r")\s+(?P<ago_dir>(?i:ago|earlier|later|before|after|previously))(?!\w))"
        + r"|" + letter_led(relative) + r"(?P<rel>(?<!\w)" + rel_alt + r"(?!\w))"
        # (on|last|this|next) Saturday( night)
        + r"|" + g_week + r"(?P<wd>(?<!\w)(?:(?P<wd_pre>(?i:" + "|".join(_WEEKDAY_LEADS) + r"))\s+)?(?P<wd_name>" + wd_full
        + r")(?!\w)(?:\s+" + dpart + ")?)"
    )
    return DateResources(
        # Every expression starts at a word start: test that once instead of in each alternative.
        pattern=GatedPattern(compile_re(r"(?<!\w)(?:" + pattern + ")"), _date_firsts(
            months, weekdays, relative, parts, counts), digits=True,
            follows=_date_follows(months, weekdays, relative, parts, counts, ago)),
        months=MappingProxyType({k.rstrip("."): v for k, v in months.items()}),
        weekdays=MappingProxyType(weekdays),
        relative=MappingProxyType(relative),
        month_parts=MappingProxyType(parts),
        ago_units=MappingProxyType(ago),
        count_words=MappingProxyType(counts),
        month_alone_day=month_alone_day,
        future_slack_days=slack,
        future_re=compile_re(r"(?<!\w)" + alternation(future_cues, fold=True) + r"(?!\w)"),
    )


def _safe_date(y: int, m: int, d: int) -> date | None:
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12):
        return None
    if not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return date(y, m, d)


def _year_for(month: int, day: int, published: date, slack: int) -> int:
    """The year of a year-less day-month: reporting speaks of the past, so the latest year in
    which the date is not after publication (allowing ``slack`` days for time zones and
    announced events)."""
    yr = published.year
    try:
        candidate = date(yr, month, min(day, calendar.monthrange(yr, month)[1]))
    except ValueError:
        return yr
    if candidate > published + timedelta(days=slack):
        return yr - 1
    return yr


def _shift(anchor: date, days: int) -> date | None:
    try:
        return anchor + timedelta(days=days)
    except OverflowError:
        return None


@dataclass(slots=True)
class _State:
    """Running reference dates while scanning one text."""

    published: date | None
    previous: date | None = None
    paragraph: int = -1
    paragraph_date: date | None = None


def find_dates(text: str, published: date | None, res: DateResources,
               index: WordIndex | None = None) -> list[DateMention]:
    """Find and resolve every date expression in ``text``, in order.

    ``published`` anchors year-less dates, weekdays and relative words; without it those get
    ``value=None`` and a ``reason`` (a year-less day-month keeps ``month``/``day``).
    """
    out: list[DateMention] = []
    st = _State(published)
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    for m in res.pattern.finditer(text, index=index):
        para = bisect.bisect_right(breaks, m.start())
        if para != st.paragraph:
            st.paragraph, st.paragraph_date = para, None
        mention = _resolve(m, text, st, res)
        if mention is None:
            continue
        out.append(mention)
        if mention.value is not None and mention.precision == 1:
            st.previous = mention.value
            st.paragraph_date = mention.value
    return out


def _month(res: DateResources, form: str) -> int:
    return res.months[form.rstrip(".").lower()]


def _yearless(month: int, day: int, year_s: str | None, st: _State, res: DateResources,
              future: bool = False) -> tuple[date | None, str]:
    if year_s:
        v = _safe_date(int(year_s), month, day)
        return v, "" if v else "invalid calendar date"
    if _safe_date(2000, month, day) is None:  # 2000 is a leap year: Feb 29 is valid
        return None, "invalid calendar date"
    if st.published is None:
        return None, "no year: page undated"
    yr = _year_for(month, day, st.published, res.future_slack_days)
    v = _safe_date(yr, month, day)
    if v is None:  # Feb 29 in a non-leap year
        return None, "invalid calendar date"
    if future and v < st.published:
        nxt = _safe_date(yr + 1, month, day)
        if nxt is not None and (nxt - st.published).days <= FUTURE_WINDOW_DAYS:
            return nxt, f"next year: future tense, publication date {st.published.isoformat()}"
    return v, f"year from publication date {st.published.isoformat()}"


def _future_context(text: str, pos: int, res: DateResources) -> bool:
    """Whether the sentence up to ``pos`` speaks of the future ("will", "is scheduled to")."""
    start = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos), pos - 200, 0)
    return res.future_re.search(text, start, pos) is not None


def _mention(m: re.Match[str], group: str, value: date | None, precision: int, rule: str, reason: str = "",
             month: int | None = None, day: int | None = None, start: int | None = None) -> DateMention:
    s = m.start(group) if start is None else start
    return DateMention(start=s, end=m.end(group), text=m.string[s:m.end(group)], value=value, precision=precision,
                       rule=rule, reason=reason, month=month, day=day)


def _resolve(m: re.Match[str], text: str, st: _State, res: DateResources) -> DateMention | None:
    kind = m.lastgroup
    g = m.group
    if kind in ("md", "dm"):
        month = _month(res, g(f"{kind}_m"))
        day = int(g(f"{kind}_d"))
        value, reason = _yearless(month, day, g(f"{kind}_y"), st, res, _future_context(text, m.start(), res))
        if value is None and reason == "invalid calendar date":
            return None
        return _mention(m, kind, value, 1, f"date:{kind}", reason, month, day)
    if kind == "iso":
        value = _safe_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        return None if value is None else _mention(m, kind, value, 1, "date:iso")
    if kind in ("rmd", "rdm"):
        if kind == "rmd":
            m1 = _month(res, g("rmd_m1") or g("rmd_m3"))
            m2 = _month(res, g("rmd_m2")) if g("rmd_m2") else m1
            d1, d2 = int(g("rmd_d1") or g("rmd_d3")), int(g("rmd_d2") or g("rmd_d4"))
            ys = g("rmd_y") or g("rmd_y2")
        else:
            m1 = m2 = _month(res, g("rdm_m"))
            d1, d2 = int(g("rdm_d1")), int(g("rdm_d2"))
            ys = g("rdm_y")
        v1, reason = _yearless(m1, d1, ys, st, res)
        v2, _ = _yearless(m2, d2, ys, st, res)
        if reason == "invalid calendar date":
            return None
        if v1 and v2 and v2 < v1 and m2 < m1 and not ys:  # Dec 30 - Jan 2
            v1 = _safe_date(v1.year - 1, m1, d1)
        if v1 and v2:
            span = (v2 - v1).days
            if span < 0:
                return None
            precision = 2 if span <= WEEK_RANGE_DAYS else 3
            return _mention(m, kind, v1, precision, f"date:range:{kind}", f"range to {v2.isoformat()}", m1, d1)
        return _mention(m, kind, None, 2, f"date:range:{kind}", reason, m1, d1)
    if kind in ("part", "my", "mo"):
        mg = {"part": "part_m", "my": "my_m", "mo": "mo_m"}[kind]
        month = _month(res, g(mg))
        if kind == "part":
            mp = res.month_parts[normalise(g("part_w")).lower().rstrip("-")]
            day, precision, ys = mp.day, mp.precision, g("part_y")
        else:
            day, precision, ys = res.month_alone_day, 3, g(f"{kind}_y")
        start = m.start(mg) if kind == "mo" else None
        value, reason = _yearless(month, day, ys, st, res)
        if value is not None and st.published is not None and value > st.published \
                and (value.year, value.month) == (st.published.year, st.published.month):
            value, reason = st.published, "month not over at publication: publication date"
        return _mention(m, kind, value, precision, f"date:{kind}", reason, month, None, start=start)
    if kind == "rel":
        rule = res.relative[normalise(g("rel")).lower()]
        return _relative(m, "rel", rule, rule.days, st)
    if kind == "ago":
        n_s = normalise(g("ago_n")).lower()
        n = int(n_s) if n_s.isdigit() else res.count_words.get(n_s, 1)
        unit = res.ago_units[g("ago_u").lower()]
        direction = g("ago_dir").lower()
        if direction == "ago":
            rule = RelativeRule("published", -n * unit.days, unit.precision)
        else:
            sign = 1 if direction in ("later", "after") else -1
            rule = RelativeRule("previous", sign * n * unit.days, unit.precision)
        return _relative(m, "ago", rule, rule.days, st)
    if kind == "wd":
        wd = res.weekdays[g("wd_name").lower()]
        pre = (g("wd_pre") or "").lower()
        if st.published is None:
            return _mention(m, "wd", None, 1, "date:weekday", "weekday: page undated")
        pub = st.published
        if pre == "next":
            delta = (wd - pub.weekday()) % 7 or 7
            return _mention(m, "wd", pub + timedelta(days=delta), 1, "date:weekday:next", "upcoming weekday")
        delta = (pub.weekday() - wd) % 7
        if pre == "last" and delta == 0:
            delta = 7
        return _mention(m, "wd", pub - timedelta(days=delta), 1, "date:weekday",
                        f"last {g('wd_name')} on or before publication {pub.isoformat()}")
    return None


def _relative(m: re.Match[str], group: str, rule: RelativeRule, days: int, st: _State) -> DateMention:
    if rule.anchor == "published":
        anchor, what = st.published, "publication date"
    elif rule.anchor == "previous":
        anchor, what = st.previous, "previous date in text"
    else:
        anchor = st.paragraph_date or st.published
        what = "date of the paragraph" if st.paragraph_date else "publication date"
    if anchor is None:
        return _mention(m, group, None, rule.precision, f"date:relative:{rule.anchor}", f"no anchor: no {what}")
    value = _shift(anchor, days)
    return _mention(m, group, value, rule.precision, f"date:relative:{rule.anchor}",
                    f"{days:+d} days from {what} {anchor.isoformat()}")
