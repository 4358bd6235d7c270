"""Actor lexicon: surface forms -> ACLED-style actors, and the country / demonym table.

Knowledge lives in ``data/actors.yaml`` and ``data/demonyms.yaml`` (users add files of the same
schema).  ``load_lexicon`` compiles them once into three regular expressions: named actors,
generic actor nouns (optionally preceded by a demonym) and country names / demonyms.

Why regular expressions rather than spaCy's PhraseMatcher: each lexicon entry chooses its own
case sensitivity ("IS" the group, "is" the verb; "Iraqi Army" however it is capitalised), offsets
must be exact character offsets into ``Document.text`` including hyphenated compounds
("ISIS-held", "anti-ISIS") that spaCy tokenises differently from the pattern, spelling variants of
apostrophes and hyphens ("Sha'abi" / "Sha’abi") must match each other, and a single compiled
alternation scans a document faster than tokenising it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from . import yamlio
from .errors import ConfigError
from .model import ActorMention
from .rxcache import RegexCache
from .scan import GatedPattern, WordIndex, ends_with_word, first_words, second_words, union

# Characters treated as the same when matching lexicon forms: typographic apostrophes and the
# many hyphens/dashes newsrooms use between name parts.
_APOSTROPHES = "'’‘`"
_HYPHENS = "-‐‑‒–"
_APOS_CLASS = "['’‘`]"
_HYPH_CLASS = "[-‐‑‒–]"

# Short all-capital acronyms ("IS", "AA") are only trusted outside all-capital text, where
# every word is upper case and "IS" is just the verb.
SHORT_ACRONYM_LEN = 3

# Generic forms describe; named forms identify.  When a named form is preceded by a capitalised
# word it may be a longer unknown name, but a generic form starting with a capital after another
# capitalised word ("Kachin Independence Army") certainly is.
_CAPWORD_BEFORE = re.compile(r"([A-Z][\w’'-]*)\s+$")

_POSSESSIVE_S = re.compile(_APOS_CLASS + "s$")
_FOR_OF = frozenset({"for", "of"})

@dataclass(frozen=True, slots=True)
class Country:
    """One country: ISO alpha-2 code, the short name actor names use, and how news names it."""

    code: str
    name: str
    demonyms: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """One actor of the lexicon (named or generic)."""

    name: str  # may contain "{country}"
    inter: int
    country: str | None = None  # ISO alpha-2; None = the article's country
    generic: bool = False
    by_country: tuple[tuple[str, str], ...] = ()  # article country -> another actor name


@dataclass(frozen=True, slots=True)
class CountryHit:
    """A country name or demonym in the text."""

    start: int
    end: int
    code: str
    demonym: bool


@dataclass(frozen=True, slots=True)
class ActorMatch:
    """An actor found in the text before the article's country is known."""

    start: int
    end: int
    entry: ActorEntry
    country: str | None  # from the entry, or from a demonym before a generic noun
    rule: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled actor and country knowledge (built once by :func:`load_lexicon`)."""

    countries: Mapping[str, Country]
    country_by_form: Mapping[str, str]  # normalised name / alias / demonym -> code
    country_re: GatedPattern
    demonym_forms: frozenset[str]  # normalised demonyms ("Iraqi")
    country_name_forms: frozenset[str]  # normalised names and aliases ("Iraq", "DRC")
    named_re: GatedPattern
    named_exact: Mapping[str, ActorEntry]  # normalised case-sensitive form -> entry
    named_folded: Mapping[str, ActorEntry]  # normalised lower-cased form -> entry
    generic_re: GatedPattern
    generic_by_form: Mapping[str, ActorEntry]
    after_demonym: frozenset[str]
    member_re: re.Pattern[str]
    source_after_re: re.Pattern[str]
    source_before_re: re.Pattern[str]
    attribute_after_re: re.Pattern[str]
    attribute_before_re: re.Pattern[str]
    modifier_after_re: re.Pattern[str]


# The apostrophe and hyphen variants, each to the plain one (a constant translation table).
_UNIFY = str.maketrans({**{ch: "'" for ch in _APOSTROPHES[1:]}, **{ch: "-" for ch in _HYPHENS[1:]}})


def normalise(form: str) -> str:
    """Collapse whitespace and unify apostrophes and hyphens, for dictionary look-ups."""
    # str.split() and the regex \s agree on what white space is (str.isspace), so this is
    # re.sub(r"\s+", " ", form.strip()); it runs for every match of every annotator.
    out = " ".join(form.split())
    if out.isascii() and "`" not in out:
        return out  # the only ASCII variant is the backtick
    return out.translate(_UNIFY)


def _char_pattern(ch: str) -> str:
    if ch == " ":
        return r"\s+"
    if ch == "'":
        return _APOS_CLASS
    if ch == "-":
        return _HYPH_CLASS
    return re.escape(ch)


def form_pattern(form: str) -> str:
    """A regex for a lexicon form that tolerates spacing, apostrophe and hyphen variants."""
    return "".join(_char_pattern(ch) for ch in normalise(form))


def _char_trie(keys: Iterable[str]) -> dict:
    """A character trie of ``keys``: a dict per node, child per character, "" where a key ends."""
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}
    return trie


def _trie_pattern(node: dict, char: Callable[[str], str] = _char_pattern) -> str:
    """Regex for a character trie: shared prefixes are matched once, longer forms are tried
    before shorter ones (the optional tail is greedy).  ``char`` writes one character (by
    default tolerating spacing, apostrophe and hyphen variants; ``re.escape`` for literals)."""
    # A run of nodes with one child and no form ending there is plain concatenation; walking it
    # in a loop rather than by recursion builds the same string at a fraction of the calls (most
    # of a trie of names is such runs, and every process builds its tries at start-up).
    run = []
    while len(node) == 1 and "" not in node:
        ((ch, node),) = node.items()
        run.append(char(ch))
    alts = [char(ch) + _trie_pattern(sub, char) for ch, sub in sorted(node.items()) if ch]
    if not alts:
        return "".join(run)
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:
        body = body + "?" if len(alts) > 1 else "(?:" + body + ")?"
    return "".join(run) + body


def alternation(forms: Iterable[str], *, fold: bool) -> str:
    """One regex matching any of ``forms`` (longest first), built as a character trie because
    Python's regex engine tries a flat alternation of hundreds of words one by one."""
    trie = _char_trie(normalise(f).lower() if fold else normalise(f) for f in forms if f and f.strip())
    if not trie:
        return "(?!)"
    body = _trie_pattern(trie)
    return f"(?i:{body})" if fold else f"(?:{body})"


def literal_alternation(words: Iterable[str]) -> str:
    """A regex matching exactly the strings ``words`` as written (no variants, no grouping
    around it), as a character trie sorted by character ("(?!)": none)."""
    trie = _char_trie(words)
    return _trie_pattern(trie, re.escape) if trie else "(?!)"


def read_yaml(path: Path | None, text: str | None = None) -> dict:
    """Parse a YAML lexicon file (or ``text`` when given) into a mapping; ConfigError if it is not one."""
    try:
        text = text if text is not None else path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    except OSError as exc:
        raise ConfigError(f"cannot read lexicon {path}: {exc.strerror}") from exc
    return yamlio.load_mapping(text, f"lexicon {path}")


def read_builtin(name: str) -> dict:
    """Parse one of the package's data files."""
    text = resources.files("frontwatch.data").joinpath(name).read_text(encoding="utf-8")
    return read_yaml(Path(name), text)


def str_list(value: object, where: str) -> list[str]:
    """``value`` as a list of strings (YAML reads bare On/No/Yes as booleans: quote them)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return list(value)


def _country_table(docs: Sequence[tuple[str, dict]]) -> dict[str, Country]:
    table: dict[str, Country] = {}
    for where, doc in docs:
        for code, spec in (doc.get("countries") or {}).items():
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                raise ConfigError(f"{where}: country {code!r} needs a 'name'")
            table[str(code).upper()] = Country(
                code=str(code).upper(),
                name=spec["name"],
                demonyms=tuple(str_list(spec.get("demonyms"), f"{where}: {code}.demonyms")),
                aliases=tuple(str_list(spec.get("aliases"), f"{where}: {code}.aliases")),
            )
    return table


# A weapon's model between a demonym and the weapon ("Iraqi F-16 jets", "Russian Su-24 bombers",
# "Turkish TB2 drones"): letters and digits, so that ordinary words never match.
_MODEL = r"(?:(?-i:[A-Z][A-Za-z]*-?\d+[A-Za-z]*)s?\s+)?"


def load_lexicon(extra: Sequence[Path] = (), rx: RegexCache | None = None) -> Lexicon:
    """Load the built-in actor and country lexicons plus user files, and compile them.

    A user file may hold ``actors``, ``generic``, ``countries`` and the word lists of
    ``actors.yaml``; entries are added, and an actor with the same ``name`` replaces the
    built-in one.  Raises :class:`ConfigError` for unreadable or malformed files.
    """
    compile_re = rx.compile if rx is not None else re.compile  # rx: compiled patterns kept between runs
    docs: list[tuple[str, dict]] = [("actors.yaml", read_builtin("actors.yaml")),
                                    ("demonyms.yaml", read_builtin("demonyms.yaml"))]
    for path in extra:
        docs.append((str(path), read_yaml(Path(path))))
    for where, doc in docs:
        if "version" not in doc:
            raise ConfigError(f"lexicon {where} has no 'version' key")

    countries = _country_table(docs)
    country_by_form: dict[str, str] = {}
    for c in countries.values():
        for form in (c.name, *c.aliases, *c.demonyms):
            country_by_form.setdefault(normalise(form), c.code)

    named: dict[str, tuple[ActorEntry, list[str], list[str]]] = {}
    generic: dict[str, tuple[ActorEntry, list[str], list[str]]] = {}
    lists: dict[str, list[str]] = {k: [] for k in ("member_nouns", "source_roles", "attribute_suffixes",
                                                    "attribute_prefixes", "modifier_nouns")}
    for where, doc in docs:
        for key, target, is_generic in (("actors", named, False), ("generic", generic, True)):
            for spec in doc.get(key) or []:
                if not isinstance(spec, dict) or "name" not in spec or "inter" not in spec:
                    raise ConfigError(f"{where}: every entry of '{key}' needs 'name' and 'inter'")
                inter = spec["inter"]
                if not isinstance(inter, int) or not 1 <= inter <= 8:
                    raise ConfigError(f"{where}: actor {spec['name']!r} has inter {inter!r}, not 1..8")
                by_country = spec.get("by_country") or {}
                if not isinstance(by_country, dict):
                    raise ConfigError(f"{where}: by_country of {spec['name']!r} must be a mapping")
                entry = ActorEntry(name=str(spec["name"]), inter=inter,
                                   country=(str(spec["country"]).upper() if spec.get("country") else None),
                                   generic=is_generic,
                                   by_country=tuple((str(k).upper(), str(v)) for k, v in by_country.items()))
                forms = str_list(spec.get("forms"), f"{where}: {entry.name}.forms")
                second = str_list(spec.get("after_demonym" if is_generic else "exact"),
                                   f"{where}: {entry.name}")
                target[entry.name] = (entry, forms, second)
        for k, acc in lists.items():
            acc.extend(str_list(doc.get(k), f"{where}: {k}"))

    named_exact: dict[str, ActorEntry] = {}
    named_folded: dict[str, ActorEntry] = {}
    for entry, forms, exact in named.values():
        for f in forms:
            named_folded[normalise(f).lower()] = entry
        for f in exact:
            named_exact[normalise(f)] = entry
    # Case-sensitive forms first: where both could start, an acronym that fails its exact case
    # ("Is" for "IS") leaves the place to the case-insensitive forms.
    named_re = GatedPattern(compile_re(r"(?<!\w)(?:" + alternation(named_exact, fold=False) + "|"
                                       + alternation(named_folded, fold=True) + r")(?!\w)"),
                            union(first_words(named_exact), first_words(named_folded)),
                            follows=second_words(named_exact, named_folded))

    generic_by_form: dict[str, ActorEntry] = {}
    after_dem: set[str] = set()
    for entry, forms, dforms in generic.values():
        for f in forms:
            generic_by_form[normalise(f).lower()] = entry
        for f in dforms:
            generic_by_form.setdefault(normalise(f).lower(), entry)
            after_dem.add(normalise(f).lower())
    demonyms = [d for c in countries.values() for d in (*c.demonyms,)]
    names = [n for c in countries.values() for n in (c.name, *c.aliases)]
    dem_alt = "(?:" + alternation(demonyms, fold=False) + "|" + alternation(names, fold=False) + _APOS_CLASS + "s)"
    plain_forms = [f for f in generic_by_form if f not in after_dem]
    generic_re = GatedPattern(compile_re(
        r"(?<![\w-])(?:(?P<dem>" + dem_alt + r")\s+(?:(?:government|regime|state|national|federal)\s+)?"
        + _MODEL + r")?"
        r"(?P<form>" + alternation(plain_forms, fold=True) + r")(?![\w-])"
        r"|(?<![\w-])(?P<dem2>" + dem_alt + r")\s+" + _MODEL + r"(?P<dform>" + alternation(after_dem, fold=True)
        + r")(?![\w-])"
    ), union(first_words(demonyms), first_words(names), first_words(plain_forms)),
        # A match starts with a demonym, a country name or a generic form ("the" only before
        # the rest of "the Gambia" ...).
        follows=second_words(demonyms, names, plain_forms))
    country_re = GatedPattern(compile_re(r"(?<!\w)(?:" + alternation([*demonyms, *names], fold=False) + r")(?!\w)"),
                              union(first_words(demonyms), first_words(names)), follows=second_words(demonyms, names))

    return Lexicon(
        countries=MappingProxyType(countries),
        country_by_form=MappingProxyType(country_by_form),
        country_re=country_re,
        demonym_forms=frozenset(normalise(d) for c in countries.values() for d in c.demonyms),
        country_name_forms=frozenset(normalise(n) for c in countries.values() for n in (c.name, *c.aliases)),
        named_re=named_re,
        named_exact=MappingProxyType(named_exact),
        named_folded=MappingProxyType(named_folded),
        generic_re=generic_re,
        generic_by_form=MappingProxyType(generic_by_form),
        after_demonym=frozenset(after_dem),
        member_re=compile_re(r"\s+" + alternation(lists["member_nouns"], fold=True) + r"(?!\w)"),
        source_after_re=compile_re(r"(?:" + _APOS_CLASS + r"s)?\s+(?:\w+\s+)?"
                                   + alternation(lists["source_roles"], fold=True) + r"(?!\w)"),
        source_before_re=compile_re(r"(?i:spokes(?:man|woman|person)\s+(?:for|of)\s+(?:the\s+)?)$"),
        attribute_after_re=compile_re(_HYPH_CLASS + alternation(lists["attribute_suffixes"], fold=True) + r"(?!\w)"),
        attribute_before_re=compile_re(r"(?<!\w)" + alternation(lists["attribute_prefixes"], fold=True)
                                       + _HYPH_CLASS + r"$"),
        modifier_after_re=compile_re(r"\s+" + alternation(lists["modifier_nouns"], fold=True) + r"(?!\w)"),
    )


def find_countries(text: str, lex: Lexicon, index: WordIndex | None = None) -> list[CountryHit]:
    """Every country name, alias or demonym in ``text`` (``index``: its WordIndex, if at hand)."""
    hits = []
    for m in lex.country_re.finditer(text, index=index):
        form = normalise(m.group(0))
        code = lex.country_by_form.get(form)
        if code is None:
            continue
        hits.append(CountryHit(m.start(), m.end(), code, demonym=form in lex.demonym_forms))
    return hits


def _all_caps_context(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 30) : start].split()
    after = text[end : end + 30].split()
    words = [w for w in (before[-1:] + after[:1]) if any(ch.isalpha() for ch in w)]
    return bool(words) and all(w.isupper() and len(w) > 1 for w in words)


def _role(text: str, start: int, end: int, lex: Lexicon) -> tuple[str, str]:
    """Role of a mention from its neighbours: (role, rule suffix)."""
    # The patterns before the mention end at it: "pro-" with a hyphen right before it (or before
    # a final line break, where "$" also matches), "spokesman for (the)" with "for"/"of" and
    # white space; their windows are searched only where that holds.
    if lex.attribute_after_re.match(text, end) or (
            (text[start - 1:start] in _HYPHENS or (text[start - 1:start] == "\n" and text[start - 2:start - 1] in _HYPHENS))
            and start >= 1 and lex.attribute_before_re.search(text, max(0, start - 12), start)):
        return "attribute", "+attribute"
    if lex.source_after_re.match(text, end) or (
            ends_with_word(text, start, _FOR_OF) and lex.source_before_re.search(text, max(0, start - 30), start)):
        return "source", "+source"
    return "", ""


def match_actors(text: str, lex: Lexicon, index: WordIndex | None = None) -> list[ActorMatch]:
    """Find named and generic actor mentions (not yet resolved to the article's country).

    Named matches win over generic ones where they overlap; results are in text order.
    """
    out: list[ActorMatch] = []
    taken: list[tuple[int, int]] = []
    for m in lex.named_re.finditer(text, index=index):
        form = normalise(m.group(0))
        entry = lex.named_exact.get(form) or lex.named_folded.get(form.lower())
        if entry is None:
            continue
        if form in lex.named_exact and len(form) <= SHORT_ACRONYM_LEN and form.isupper() \
                and _all_caps_context(text, m.start(), m.end()):
            continue
        end = m.end()
        rule = "named"
        mem = lex.member_re.match(text, end)
        if mem and not lex.attribute_after_re.match(text, end):
            end = mem.end()
            rule = "named+member"
        role, suffix = _role(text, m.start(), end, lex)
        out.append(ActorMatch(m.start(), end, entry, entry.country, rule + suffix, role))
        taken.append((m.start(), end))
    for m in lex.generic_re.finditer(text, index=index):
        start, end = m.start(), m.end()
        if any(s < end and start < e for s, e in taken):
            continue
        form = m.group("form") or m.group("dform")
        dem = m.group("dem") or m.group("dem2")
        entry = lex.generic_by_form.get(normalise(form).lower())
        if entry is None:
            continue
        if lex.modifier_after_re.match(text, end):
            continue
        if not dem and form[:1].isupper():
            cap = _CAPWORD_BEFORE.search(text, max(0, start - 40), start)
            if cap and cap.group(1) not in ("The", "A", "An") and (cap.end() == start):
                continue
        country = None
        rule = "generic"
        if dem:
            key = normalise(_POSSESSIVE_S.sub("", dem))
            country = lex.country_by_form.get(key)
            rule = "generic+demonym"
        role, suffix = _role(text, start, end, lex)
        out.append(ActorMatch(start, end, entry, country, rule + suffix, role))
    out.sort(key=lambda a: (a.start, -a.end))
    return out


def resolve_actors(text: str, matches: Sequence[ActorMatch], country: str | None,
                   lex: Lexicon) -> list[ActorMention]:
    """Turn matches into :class:`ActorMention` with names filled from the article's country.

    State forces (inter 1) of another country than the article's are external forces (8).
    """
    out = []
    for a in matches:
        code = a.country
        templated = "{country}" in a.entry.name
        if templated and code is None:
            code = country
        if templated:
            cname = lex.countries[code].name if code is not None and code in lex.countries else None
            name = a.entry.name.replace("{country}", cname) if cname else \
                re.sub(r"\s*(?:of\s+)?\(?\{country\}\)?", "", a.entry.name).strip()
        else:
            name = dict(a.entry.by_country).get(country or "", a.entry.name)
        inter = a.entry.inter
        rule = a.rule
        if inter == 1 and code and country and code != country:
            inter = 8
            rule += "+external"
        out.append(ActorMention(start=a.start, end=a.end, text=text[a.start:a.end], name=name, inter=inter,
                                country=code, generic=a.entry.generic, rule=rule, role=a.role))
    return out
