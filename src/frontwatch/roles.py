"""Who did what to whom: the actor roles of a trigger, for extract.py.

Given a trigger in its clause, :func:`actor_roles` says which actor mentions are its agents (who
acted) and its patients (who suffered), and how sure that is; :func:`opponent` gives the other side
of a clash or the previous holder of taken ground from the rest of the article;
:func:`government_side` says whether a side fights on a government's side.

Hand-written because the project has no parser (spaCy's blank English, no statistical model):
the roles come from the grammar news uses for war — subject before the verb, "by X" after a
passive, the subject of a passive or of a bare participle is the victim ("22 fighters were
killed", "the number of soldiers killed"), a trigger that starts inside the subject ("Russian
aircraft struck"), "the fall of X to Y", coordinated subjects, sources who speak rather than act
("an army officer said"), "the militants" referring back to the group last named.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Generic, Protocol, TypeVar

from spacy.tokens import Doc as SpacyDoc

from . import modality as mod
from .model import ActorMention, DateMention, Document, Event, NumberMention, PlaceMention, Sentence
from .names import normalise
from .triggers import ExtractRules, TriggerSpec

# How many tokens after a trigger are read for its object (victims, equipment).
OBJECT_WINDOW_TOKENS = 7
NON_STATE_ARMED = frozenset({2, 3, 4})
ARMED = frozenset({1, 2, 3, 4, 8})
VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
_PASSIVE_RE = re.compile(r"\b(?:was|were|been|being|is|are|got)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_PREP_BEFORE_RE = re.compile(r"\b(?:of|against|on|from|with|for|to|by|at|targeting|toward|towards|"
                             r"between|including|backed\s+by|supported\s+by)\s+(?:the\s+)?$", re.IGNORECASE)
_ADJECTIVAL_AFTER_RE = re.compile(r"^[\s\-–]*(?:held|controlled|occupied|linked|affiliated|run|"
                                  r"stronghold|strongholds|territory|positions?|media|news)\b", re.IGNORECASE)
# "an army officer said", "a rebel commander told": the actor qualifies who speaks.
_ROLE_NOUN_RE = re.compile(r"\s+(?:[\w\-]+\s+)?(?:officers?|officials?|sources?|spokes(?:man|woman|person)|"
                           r"commanders?|statement|media\s+(?:wing|office|centre|center)|medics?|doctors?)\s+"
                           r"(?:(?:has|have|had|also|later|on\s+\w+day)\s+)*", re.IGNORECASE)
# "units of the", "fighters from": the actor after names whose men they are.
_MEMBER_OF_RE = re.compile(r"\b(?:units?|members?|elements?|fighters|troops|soldiers|forces|brigades?|battalions?|"
                           r"divisions?|militants|men)\s+(?:of|from)\s+(?:the\s+)?$", re.IGNORECASE)
_COORD_BEFORE_RE = re.compile(r",?\s+(?:and|or)\s+(?:the\s+)?$", re.IGNORECASE)
_DEFINITE_RE = re.compile(r"\b(?:the|these|those)\s+$", re.IGNORECASE)
_ROLE_WORD_RE = re.compile(r"\b(?:officers?|officials?|spokes(?:man|woman|person)|commanders?|sources?)$", re.IGNORECASE)
# Between a passive subject and its participle: "were killed", "had been captured", "was reportedly".
_PASSIVE_GAP_RE = re.compile(r"\s+(?:[\w\-]+\s+){0,2}?(?:was|were|are|is|been|being|got|have\s+been|has\s+been|"
                             r"had\s+been)\s+(?:\w+ly\s+)?(?:all\s+)?", re.IGNORECASE)
_COORD_GAP_RE = re.compile(r"\s*,?\s+(?:and|or|as\s+well\s+as)\s+(?:(?:at\s+least|more\s+than|some|about|nearly|"
                           r"[\d,]+|\w+)\s+){0,3}", re.IGNORECASE)
_PARTICIPLE_RE = re.compile(r"(?i:\w+(?:ed|en|ain|lew|ot))")
# A participle followed by one of these has no object of its own: a reduced relative or passive.
_AFTER_PARTICIPLE = frozenset({"at", "in", "on", "during", "since", "by", "and", "or", "was", "were", "is", "are",
                               "rose", "stood", "reached", "to", ",", ".", ";", "when", "while", "after",
                               "last", "this", "earlier", "near", "from", "overnight"})
_SOURCE_GAP_RE = re.compile(r"\s+(?:(?:has|have|had|also|later|officials?|sources?|spokesman)\s+)*")
# "was retaken on Monday by X": matched at a trigger's end (no look-behind: the same in place as
# on a slice that starts there)
_BY_AT_RE = re.compile(r"\s+(?:\w+\s+){0,3}?by\s+(?!\w+ing\b)")
_BETWEEN_RE = re.compile(r"\bbetween\b")
_TO_BY_RE = re.compile(r"\b(?:to|by)\s+(?:the\s+)?$")  # "the fall of X to Y"

# ----------------------------------------------------------------------------- helpers


@dataclass(slots=True)
class Hit:
    """A trigger match in the document, with its (possibly refined) sub-type."""

    start: int
    end: int
    tok_start: int
    tok_end: int
    spec: TriggerSpec
    sub: str
    etype: str
    sent: Sentence
    modality: mod.Modality | None = None
    absorbed: list[Hit] = field(default_factory=list)
    forced: str = ""  # a sub-type decided by a sentence rule (killing after abduction: Attack)


@dataclass(slots=True)
class Ctx:
    """Per-document indexes built once by extract_events."""

    doc: Document
    sdoc: SpacyDoc
    rules: ExtractRules
    sentences: list[Sentence]
    hits: list[Hit]
    main_place: PlaceMention | None
    actor_counts: Counter
    actor_inter: dict[str, int]
    kept: list[Hit] = field(default_factory=list)
    built: list[Event] = field(default_factory=list)
    last_side: list[ActorMention] = field(default_factory=list)
    # sentence- and clause-level scans, done once per sentence or clause (clause boundaries,
    # claim cues); new with each document's Ctx
    memo: mod.DocMemo = field(default_factory=mod.DocMemo)
    names: dict[str, str] = field(default_factory=dict)  # normalise() of the names looked up
    # answers of pure per-mention tests, keyed by (test, its arguments): the same actor is
    # tested again by each trigger of its sentence
    facts: dict[tuple, bool] = field(default_factory=dict)
    # actors_between's two tests, by the mention's end (int keys: asked for every actor of every
    # clause, a tuple key's making and hashing was a share of their cost)
    adjectival: dict[int, bool] = field(default_factory=dict)
    sources: dict[int, bool] = field(default_factory=dict)
    words_after: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # object_words'
    # extract._fatalities' answers by (sentence, clause); the mentions are shared, not modified
    tolls: dict[tuple[int, int, int, int], NumberMention | None] = field(default_factory=dict)
    own_country: str | None = None  # the article's country name, normalised (when first asked)
    country_name: str | None = None  # the article's country name as notes write it (when first asked)
    date_text: dict[date, str] = field(default_factory=dict)  # dates as notes write them
    # id of a sentence -> the starts of its kept triggers, ascending (made when kept is set)
    kept_starts: dict[int, list[int]] = field(default_factory=dict)
    # The document's mentions by start offset (see ByStart), made from doc's lists at creation.
    actors: ByStart[ActorMention] = field(init=False)
    places: ByStart[PlaceMention] = field(init=False)
    numbers: ByStart[NumberMention] = field(init=False)
    dates: ByStart[DateMention] = field(init=False)  # only the dates that date something (a value or a month)
    # starts of the paragraph breaks ("\n\n", as str.count finds them), made when first asked
    breaks: list[int] | None = None

    def __post_init__(self) -> None:
        self.actors = ByStart(self.doc.actors)
        self.places = ByStart(self.doc.places)
        self.numbers = ByStart(self.doc.numbers)
        self.dates = ByStart([d for d in self.doc.dates if d.value or d.month])

    def keep(self, kept: list[Hit]) -> None:
        """Set the kept (asserted, not absorbed) triggers, indexed by sentence."""
        self.kept = kept
        for h in kept:
            self.kept_starts.setdefault(id(h.sent), []).append(h.start)
        for starts in self.kept_starts.values():
            starts.sort()

    def actors_from(self, lo: int, hi: int) -> list[ActorMention]:
        """The actors (in doc.actors' order) whose start is in ``[lo, hi]``."""
        return self.actors.starting(lo, hi + 1)

    def para_of(self, pos: int) -> int:
        """The paragraph of offset ``pos``: ``text.count("\\n\\n", 0, pos)``, by bisection."""
        if self.breaks is None:
            text, out, i = self.doc.text, [], self.doc.text.find("\n\n")
            while i >= 0:
                out.append(i)
                i = text.find("\n\n", i + 2)
            self.breaks = out
        # str.count finds the same non-overlapping breaks left to right; those inside [0, pos)
        # are the ones that end by pos
        return bisect_right(self.breaks, pos - 2)

    def normalise(self, name: str) -> str:
        """:func:`frontwatch.names.normalise`, once per name and document."""
        key = self.names.get(name)
        if key is None:
            key = self.names[name] = normalise(name)
        return key


class _Mention(Protocol):
    start: int


M = TypeVar("M", bound=_Mention)


class ByStart(Generic[M]):
    """Mentions in text order with their start offsets, to list those starting in a span by
    bisection rather than by reading them all (per trigger, that was quadratic in long articles).
    Mentions not sorted by start (extract_events sorts them; hand-built callers may not) are
    read in full, as before."""

    __slots__ = ("items", "starts")

    def __init__(self, items: list[M]) -> None:
        self.items = items
        starts = [m.start for m in items]
        # (sorted() of a sorted list is one C pass: cheaper than a generator over pairs)
        self.starts: list[int] | None = starts if starts == sorted(starts) else None

    def starting(self, lo: int, hi: int) -> list[M]:
        """The mentions (in list order) whose start is in ``[lo, hi)``."""
        if self.starts is None:
            return [m for m in self.items if lo <= m.start < hi]
        return self.items[bisect_left(self.starts, lo):bisect_left(self.starts, hi)]


def object_words(ctx: Ctx, hit: Hit, limit: int) -> list[str]:
    """Lower-cased words after the trigger, up to the clause end or a strong punctuation
    (the list is shared by the callers that ask again: not to be modified)."""
    key = (hit.tok_end, limit)
    out = ctx.words_after.get(key)
    if out is None:
        out = ctx.words_after[key] = _object_words(ctx, hit, limit)
    return out


def _object_words(ctx: Ctx, hit: Hit, limit: int) -> list[str]:
    out, sdoc = [], ctx.sdoc
    # (indexing the doc, not iterating a slice of it: no Span object per call)
    for i in range(hit.tok_end, min(hit.tok_end + OBJECT_WINDOW_TOKENS, len(sdoc))):
        tok = sdoc[i]
        if tok.idx >= limit or tok.text in {".", ";", ":", ","}:
            break
        out.append(tok.lower_)
    return out


def all_absorbed(hit: Hit) -> list[Hit]:
    """The triggers ``hit`` absorbed, and those they absorbed in turn (depth first)."""
    out = []
    for g in hit.absorbed:
        out += [g, *all_absorbed(g)]
    return out


def is_state_side(side: Sequence[ActorMention], rules: ExtractRules) -> bool:
    return any(a.inter == 1 or a.name in rules.state_allied for a in side)


def government_side(ctx: Ctx, side: Sequence[ActorMention], against: Sequence[ActorMention] = ()) -> bool:
    """Whether ``side`` fights on a government's side.  State forces and listed allies do; an
    external force (inter 8) does when it fights a non-state group (the coalition against IS,
    Iraqi units at a border town named in a Syria article), not when it fights a state's forces
    (an invasion: ACLED codes Russia's gains in Ukraine as a non-state actor's).  With no loser
    named, the article decides: external forces in a war with non-state groups in it fight them."""
    if is_state_side(side, ctx.rules):
        return True
    if not any(a.inter == 8 for a in side):
        return False
    if against:
        return all(a.inter in NON_STATE_ARMED for a in against)
    # No one named as the loser: a non-state armed group in the article is what external forces
    # fight beside a government; with only state forces around, it is an invasion.
    names = {a.name for a in side}
    return any(ctx.actor_inter.get(name) in NON_STATE_ARMED for name in ctx.actor_counts if name not in names)


# ----------------------------------------------------------------------------- actors


def actors_between(ctx: Ctx, lo: int, hi: int, drop_sources: bool = False) -> list[ActorMention]:
    """Actors in ``[lo, hi)`` that take part: not adjectival ("ISIS-held"); with ``drop_sources``
    (after a trigger) not the source of a report either (", police said")."""
    text, adjectival, sources = ctx.doc.text, ctx.adjectival, ctx.sources
    out = []
    for a in ctx.actors.starting(lo, hi + 1):  # (so lo <= a.start)
        end = a.end
        if end > hi:
            continue
        adj = adjectival.get(end)
        if adj is None:
            adj = adjectival[end] = bool(_ADJECTIVAL_AFTER_RE.match(text[end:end + 14]))
        if adj:
            continue
        if drop_sources:
            source = sources.get(end)
            if source is None:
                gap = _SOURCE_GAP_RE.match(text, end)
                source = sources[end] = bool(gap and ctx.rules.modality.claim_verb_re.match(text, gap.end()))
            if source:
                continue
        out.append(a)
    return out


def _role_source(ctx: Ctx, a: ActorMention) -> bool:
    """An actor that names who speaks, not who acts: "an army officer said", "a Taliban spokesman
    told" (a role noun between the actor and a claim verb).  "The army said it ..." keeps the army:
    the speaker is the agent of "it"."""
    key = ("role source", a.end, a.role, a.text)
    found = ctx.facts.get(key)
    if found is None:
        found = ctx.facts[key] = _is_role_source(ctx, a)
    return found


def _is_role_source(ctx: Ctx, a: ActorMention) -> bool:
    if a.role == "source":
        return True
    text = ctx.doc.text
    if _ROLE_WORD_RE.search(a.text):  # "a police officer said": the role is inside the mention
        gap = _SOURCE_GAP_RE.match(text, a.end)
        if gap and ctx.rules.modality.claim_verb_re.match(text, gap.end()):
            return True
    m = _ROLE_NOUN_RE.match(ctx.doc.text, a.end)
    return bool(m and ctx.rules.modality.claim_verb_re.match(ctx.doc.text, m.end()))


def _passive_of_any(ctx: Ctx, a: ActorMention, kills: Sequence[Hit]) -> bool:
    """Whether actor ``a`` is the passive subject of one of ``kills`` after it (a loop, not
    ``any`` over a generator: asked for each actor before each trigger)."""
    for k in kills:
        if k.start >= a.end and _is_passive_subject(ctx, a, k):
            return True
    return False


def _is_passive_subject(ctx: Ctx, a: ActorMention, hit: Hit) -> bool:
    """Whether actor ``a`` (before the trigger) is the patient of a passive trigger."""
    key = ("passive", a.end, hit.start, hit.end, hit.tok_end, hit.spec.role)
    found = ctx.facts.get(key)
    if found is None:
        found = ctx.facts[key] = _passive_subject(ctx, a, hit)
    return found


def _passive_subject(ctx: Ctx, a: ActorMention, hit: Hit) -> bool:
    gap = ctx.doc.text[a.end:hit.start]
    if _PASSIVE_GAP_RE.fullmatch(gap):
        return True
    # Coordinated subjects share the verb: "nine soldiers and at least 17 attackers were killed".
    nxt = next((b for b in ctx.actors_from(a.end, hit.start) if a.end <= b.start < hit.start), None)
    if nxt is not None and _COORD_GAP_RE.fullmatch(ctx.doc.text[a.end:nxt.start]):
        return _is_passive_subject(ctx, nxt, hit)
    # Reduced relative: "soldiers killed at nine", "two soldiers killed in the blast" (kill verbs
    # only: "forces captured in a raid" and "soldiers clashed in X" are as often active).
    if gap.strip() or hit.spec.role != "kill" or not _PARTICIPLE_RE.fullmatch(
            ctx.doc.text[hit.start:hit.end].split()[0]):
        return False
    toks = ctx.sdoc[hit.tok_end:hit.tok_end + 2]
    if not len(toks):
        return True
    # "killed at least 40 civilians" is active: "at least" opens the object's count.
    return toks[0].lower_ in _AFTER_PARTICIPLE and not (len(toks) > 1 and toks[1].lower_ in {"least", "most"})


def _dedupe_side(side: list[ActorMention]) -> list[ActorMention]:
    """The first mention of each name (``side`` itself when it has fewer than two: most do)."""
    if len(side) < 2:
        return side
    seen, out = set(), []
    for a in side:
        if a.name not in seen:
            seen.add(a.name)
            out.append(a)
    return out


def actor_roles(ctx: Ctx, hit: Hit, c_start: int, c_end: int,
                 claim_span: tuple[int, int] | None, lead: Hit | None = None
                 ) -> tuple[list[ActorMention], list[ActorMention], str]:
    """(agents, patients, how) for a trigger; see the module docstring.

    ``lead`` is the earliest trigger of the act in the clause (a generic "attacked" the trigger
    absorbed): who stands before it acts, who stands after it suffers ("militants attacked an army
    base, setting off a gun battle").
    """
    text = ctx.doc.text
    lead = lead or hit
    # Actors inside the claim phrase ("according to X") are not usable; with none, an empty span.
    # (Tested inline, not by a closure: this runs for every actor of every kept trigger's clause.)
    c_lo, c_hi = claim_span or (0, 0)
    # A subject the trigger overlaps is before it: "Russian aircraft struck" matches "aircraft
    # struck" and the actor "Russian aircraft" alike.
    pre = [a for a in actors_between(ctx, c_start, lead.start) if not c_lo <= a.start < c_hi] + [
        a for a in ctx.actors_from(c_start, lead.start) if lead.start < a.end and not c_lo <= a.start < c_hi
        and a.role != "attribute"]
    post = [a for a in actors_between(ctx, lead.end, c_end, drop_sources=True) if not c_lo <= a.start < c_hi
            and not (hit.start <= a.start < hit.end)]
    # The subject of a passive is its patient: "22 fighters were killed", and a noun right before a
    # participle with no object of its own is one too ("the number of soldiers killed at nine").
    kills = [h for h in (hit, *hit.absorbed) if h.start >= c_start]
    # One pass (the tests are memoised answers about a mention's fields: mentions equal as values
    # get the same answers, so "not a passive subject" is "not in passive_subj").
    passive_subj: list[ActorMention] = []
    pre_agents: list[ActorMention] = []
    for a in pre:
        if _role_source(ctx, a):
            continue
        if _passive_of_any(ctx, a, kills):
            passive_subj.append(a)
        elif not _oblique(ctx, a, c_start):
            pre_agents.append(a)
    # "by X" names the agent of a passive ("was recaptured by X"); "by storming" is a means.
    by = _BY_AT_RE.match(text, lead.end, c_end)  # (in place: no slice of the clause per trigger)
    passive = by is not None and (bool(_PASSIVE_RE.search(text[c_start:lead.start]))
                                  or (lead.spec.kind == "verb" and by.group(0).split()[0] == "by"))
    how = "clause"
    if hit.spec.agent_after and post:
        agents, patients = post[:1], pre_agents
    elif passive and by:
        agents = [a for a in post if a.start >= by.end()][:3]
        patients = passive_subj or pre_agents or [a for a in post if a not in agents]
    elif hit.spec.kind == "noun" and not pre_agents and len(post) >= 2 and _BETWEEN_RE.search(
            text[lead.end:post[0].start]):
        agents, patients = post[:1], post[1:]
    elif hit.spec.role == "territory" and not pre_agents and post and (
            hit.spec.kind == "noun" or text[hit.start:hit.end].lower().endswith(" of")):
        # "the fall of X to Y", "the capture of X by Y": the taker follows the place.
        to = _TO_BY_RE.search(text[max(lead.end, post[0].start - 12):post[0].start])
        agents, patients = (post[:1], post[1:]) if to else ([], passive_subj + post)
    else:
        agents, patients = pre_agents, passive_subj + post
    if not agents:
        s = hit.sent
        earlier = [a for a in actors_between(ctx, s.start, c_start) if not c_lo <= a.start < c_hi
                   and not _oblique(ctx, a, s.start)
                   and not _role_source(ctx, a) and not _passive_of_any(ctx, a, kills)]
        victims = {a.name for a in patients}
        if earlier:
            agents, how = earlier, "sentence"
        elif ctx.last_side and not victims & {a.name for a in ctx.last_side}:
            # The side that acted last acts again, unless it is this act's victim.
            agents, how = list(ctx.last_side), "previous"
        else:
            how = "none"
    # Civilians are victims, not agents, of violence (a "27 people ... in air strikes" subject).
    if hit.etype in VIOLENT_TYPES and any(a.inter == 7 for a in agents):
        patients = [a for a in agents if a.inter == 7] + patients
        agents = [a for a in agents if a.inter != 7]
    agents = _named_first(_dedupe_side([_coreferent(ctx, a) for a in agents]))
    patients = [_coreferent(ctx, a) for a in patients]
    names = {a.name for a in agents}
    patients = _named_first(_dedupe_side([a for a in patients if a.name not in names]))
    return agents, patients, how


def hits_fighters(ctx: Ctx, lead: Hit, hit: Hit, c_end: int, number: NumberMention | None) -> bool:
    """Whether a strike's object is military (a convoy, positions, fighters killed)."""
    words = set(object_words(ctx, lead, c_end)) | set(object_words(ctx, hit, c_end))
    unit = (number.unit or "").lower() if number else ""
    return bool(words & ctx.rules.military_targets) or unit in ctx.rules.combatant_victims


def _oblique(ctx: Ctx, a: ActorMention, lo: int) -> bool:
    """Whether an actor before a trigger is governed by a preposition ("backed by X", "against X")
    rather than being the subject.  "Units of the X army" are X's; "backed by A and the B": B too."""
    key = ("oblique", a.start, lo)
    found = ctx.facts.get(key)
    if found is None:
        found = ctx.facts[key] = _is_oblique(ctx, a, lo)
    return found


def _is_oblique(ctx: Ctx, a: ActorMention, lo: int) -> bool:
    text = ctx.doc.text
    before = text[max(lo, a.start - 20):a.start]
    if not _PREP_BEFORE_RE.search(before):
        coord = _COORD_BEFORE_RE.search(text, max(lo, a.start - 12), a.start)
        if coord is None:
            return False
        prev = [b for b in ctx.doc.actors if lo <= b.end <= coord.start() and b.end >= coord.start() - 2]
        return bool(prev) and _oblique(ctx, prev[-1], lo)
    return not _MEMBER_OF_RE.search(before)


def _coreferent(ctx: Ctx, a: ActorMention) -> ActorMention:
    """"The militants", "the attackers" after a named group is that group (a definite generic
    refers back); "gunmen" with no article stays unidentified."""
    if not (a.generic and a.inter in NON_STATE_ARMED and _DEFINITE_RE.search(ctx.doc.text, max(0, a.start - 8), a.start)):
        return a
    named = [b for b in ctx.doc.actors if b.end <= a.start and not b.generic and b.inter in NON_STATE_ARMED
             and b.role != "attribute"]
    return replace(a, name=named[-1].name, inter=named[-1].inter, generic=False) if named else a


def _named_first(side: list[ActorMention]) -> list[ActorMention]:
    """"Militants from JNIM attacked": the unnamed "militants" are the named group's men, so a
    side that names a non-state group drops its generic armed-group mentions."""
    if len(side) < 2:  # nothing to drop beside a lone mention
        return side
    if any(not a.generic and a.inter in NON_STATE_ARMED for a in side):
        return [a for a in side if not (a.generic and a.inter in NON_STATE_ARMED)]
    return side


def opponent(ctx: Ctx, side: Sequence[ActorMention], external_allied: bool = True) -> str:
    """The article's most-mentioned armed actor not on ``side``: the other party of a clash, the
    previous holder of taken ground, the target of a strike on fighters.

    A government's side (state forces, listed allies and, with ``external_allied``, external
    forces fighting beside them) is opposed by non-state groups only: the coalition's aircraft,
    allied militias and another branch of the state are not the enemy.  A non-state side is
    opposed first by state forces, then by other armed groups.  Unnamed "militants" lose to a
    named group.
    """
    names = {a.name for a in side}
    state = is_state_side(side, ctx.rules) or (external_allied and any(a.inter == 8 for a in side))
    best, best_key = "", (-1, -1, -1)
    for name, n in ctx.actor_counts.items():
        inter = ctx.actor_inter.get(name, 0)
        if name in names or inter not in ARMED:
            continue
        if state and (inter not in NON_STATE_ARMED or name in ctx.rules.state_allied):
            continue
        pref = 0 if state else (2 if inter == 1 else 1 if inter == 8 or name in ctx.rules.state_allied else 0)
        named = 0 if name.startswith("Unidentified Armed Group") else 1
        if (pref, named, n) > best_key:
            best, best_key = name, (pref, named, n)
    return best

