"""The furniture vocabulary of the cleaning stage: ``data/furniture.yaml`` plus users' files,
compiled once into a frozen ``CleanVocab`` that ``clean.py`` is given explicitly.

Kept apart from ``clean.py`` so that the rules there read without the loader's validation code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from frontwatch import yamlio
from frontwatch.errors import ConfigError

_OUTLET_KEY = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class CreditPattern:
    pattern: re.Pattern[str]
    attach: str  # "next" or "previous"
    known_only: bool = False  # the name must be a known outlet (else it is an author's byline)


@dataclass(frozen=True, slots=True)
class CleanVocab:
    """The compiled furniture vocabulary (see ``data/furniture.yaml``); build with ``load_vocab``."""

    furniture: tuple[tuple[str, re.Pattern[str]], ...]
    comment_widgets: re.Pattern[str]
    spam: re.Pattern[str]
    support: tuple[re.Pattern[str], ...]
    credits: tuple[CreditPattern, ...]
    datelines: tuple[re.Pattern[str], ...]
    dateline_styles: tuple[tuple[str, re.Pattern[str]], ...]
    outlets: MappingProxyType[str, str]  # normalised alias or name -> canonical outlet name
    byline_words: frozenset[str]
    opinion_words: frozenset[str]
    insults: frozenset[str]
    reporting: frozenset[str]
    version: str = ""


def _compile(patterns: Sequence[str], where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        # one alternation per list: one regex call per line instead of one per pattern
        return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\Z", flags)
    except re.error as exc:
        raise ConfigError(f"bad regular expression in {where}: {exc}") from exc


def _compile_one(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"bad regular expression in {where}: {pattern!r}: {exc}") from exc


def outlet_key(name: str) -> str:
    """The key outlets are looked up by: lowercase letters and digits only."""
    return _OUTLET_KEY.sub("", name.lower())


def load_vocab(extra: Sequence[Path] = ()) -> CleanVocab:
    """Read ``data/furniture.yaml`` plus user files (same keys; lists append) and compile it once."""
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
        credits.append(CreditPattern(_compile_one(str(entry["pattern"]) + r"\Z", "credit_lines"),
                                     str(entry.get("attach", "previous")), bool(entry.get("known_only", False))))
    styles = []
    for entry in lists["dateline_styles"]:
        if not isinstance(entry, dict) or "pattern" not in entry or "outlet" not in entry:
            raise ConfigError(f"dateline_styles entries need 'outlet' and 'pattern': {entry!r}")
        styles.append((str(entry["outlet"]), _compile_one(str(entry["pattern"]), "dateline_styles")))
    return CleanVocab(
        furniture=tuple((g, _compile(p, f"furniture.{g}")) for g, p in groups.items() if p),
        comment_widgets=_compile([str(p) for p in lists["comment_widgets"]] or ["(?!)"], "comment_widgets"),
        spam=_compile_one("|".join(f"(?:{p})" for p in lists["spam"]) or "(?!)", "spam", re.IGNORECASE),
        support=tuple(_compile_one(str(p) + r"\Z", "support_lines") for p in lists["support_lines"]),
        credits=tuple(credits),
        datelines=tuple(_compile_one(str(p), "datelines") for p in lists["datelines"]),
        dateline_styles=tuple(styles),
        outlets=MappingProxyType(outlets),
        byline_words=frozenset(str(w).lower() for w in lists["byline_words"]),
        opinion_words=frozenset(opinion["pronouns"]),
        insults=frozenset(opinion["insults"]),
        reporting=frozenset(opinion["reporting"]),
        version=version,
    )
