"""Event extraction: triggers -> ACLED events with evidence, and control statements.

Input: an annotated :class:`~frontwatch.model.Document` (sentences, actors, places, dates,
numbers).  Output: the same document with ``triggers``, ``events`` and ``control`` filled.

Knowledge is data: triggers for ACLED's 25 sub-types in ``data/triggers.yaml``, modality, claim
and control cues in ``data/modality.yaml``.  :func:`load_rules` compiles both once into an
:class:`ExtractRules` (a spaCy ``Matcher`` over lower-cased tokens, regular expressions).

Hand-written because no library does it offline: event extractors for the ACLED taxonomy are
trained classifiers that need models and GPUs, and give no evidence spans.  spaCy (blank English)
supplies tokenisation and the matcher; the rest is the grammar of how news reports events.

Decisions (each a documented rule, see the functions):

* Sub-type resolution: territory verbs become "Government regains territory" when the taker is a
  state force (inter 1) or a force listed as state-allied, "Non-state actor overtakes territory"
  otherwise, and "Disrupted weapons use" when what was taken is equipment.  Kill verbs become
  "Attack" (violence against civilians) when the victims are civilians, "Armed clash" when they
  are fighters.  A protest is upgraded by the sentence's cues: violence by the protesters ->
  Violent demonstration; lethal/severe force -> Excessive force; dispersal/arrest -> Protest with
  intervention.
* One event per victim and act (see ``_absorb``): generic triggers ("killed", "explosion",
  "attacked") are absorbed by a specific violent trigger of the same sentence, which takes their
  fatalities; killing supersedes abduction of the same victims ("kidnapped and executed" is one
  Attack, 1 dead); clashes, arrests and property destruction told with a protest are how the
  protest went; a withdrawal told with a taking is one Non-violent transfer; a device named as
  the object of a seizure is not a blast.  Overlapping matches: specific beats generic, then
  longest.  After dedupe (``_consolidate``): one activity change per actor and day, and a clash
  with no dead told beside the same actor's taking of ground that day is that taking.
* Aggregates and references: plural violent nouns with no place of their own ("a number of
  attacks during the last week"), clauses summing a long period (modality.yaml ``aggregate``),
  tolls above MAX_EVENT_FATALITIES, and a definite "the attack" after an attack was told are not
  (new) events.
* Places: one event per governed place (places after the trigger in its clause, list items after
  a colon, even names the annotator missed; anchors of relative positions and regions beside a
  point are not event places).  With
  no place in the clause: the nearest place of the sentence, else the article's main place (its
  most-mentioned place), each at lower confidence; territory needs a place (no place, no event).
* Dates: the clause's or sentence's date, else the latest date stated before (reporting style: a
  dated lead governs what follows), else the publication date at week precision.  A background
  event ("after the PMU liberated X") is not given a carried-over date.
* Actors (roles.py): actor1 is the agent (actors before the trigger in its clause, a subject the
  trigger starts inside, or "by X" after a passive), actor2 the patient (actors after it, the
  subject of a passive); for territory, a clash, or a strike on fighters with no named other
  side, the article's most-mentioned armed opponent (never an ally: coalition, allied militia).
  A clash with only the dead of both sides named lists the state's side first; with one side
  only and no opponent in the article, "Unidentified Armed Group (country)".
* Tolls: counts of both sides joined by "and" are summed; a toll with no act of its own after a
  clash told in the same paragraph adds to that clash; the dead of a capture told in its sentence
  are the capture's; a count taken by one event of a sentence is not counted again by another.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import Counter
from operator import attrgetter
from types import MappingProxyType

from spacy.tokens import Doc as SpacyDoc

from . import modality as mod
from .eventunit import TERRITORY_TYPES, consolidate, dedupe
from .gcpause import gc_paused
from .model import (
    ActorMention,
    DateMention,
    Document,
    Event,
    Evidence,
    NumberMention,
    PlaceMention,
    Sentence,
    Span,
    Trigger,
)
from .notes import country_name, summary
from .roles import (
    ARMED,
    VIOLENT_TYPES,
    Ctx,
    Hit,
    actor_roles,
    all_absorbed,
    government_side,
    hits_fighters,
    object_words,
    opponent,
)
from .triggers import ExtractRules, TriggerSpec, compile_pattern, load_rules

# Strings spaCy's vocabulary keeps for the run (a word adds one or two, ~200 B with its lexeme);
# past this, a document's new words are dropped once it is done (see extract_events).
VOCAB_MAX_STRINGS = 200_000
# Confidence: a fully-evidenced event starts here and loses for each field found by fallback.
BASE_CONFIDENCE = 0.9
PENALTY = MappingProxyType({
    "place_sentence": 0.1, "place_article": 0.25, "place_none": 0.35, "date_carried": 0.05,
    "date_published": 0.15, "date_none": 0.25, "actor_fallback": 0.05, "actor_none": 0.1,
    "generic": 0.1,
})
# List items after "captured the following areas:" are short lines; a long one is prose again.
ITEM_MAX_CHARS = 220
MAX_LIST_ITEMS = 40
# A device named this close after "seized/destroyed/defused" is that act's object.
DEVICE_OBJECT_CHARS = 70
# A toll above this is a war's or a year's, not one event's (ACLED events rarely pass a few hundred).
MAX_EVENT_FATALITIES = 2000
# "the attack", "that bombing": a definite noun trigger with no place of its own refers back to an
# event already told.
_ANAPHORA_RE = mod.first_chars(re.compile(r"\b(?:the|that|this|these|those|its|their)\s+(?:[\w\-]+\s+)?$", re.I))
# How far (characters) a kill word may stand from the number of dead it governs.
KILL_WINDOW_CHARS = 45
# Sub-types that are about an actor's activity, not a place each: one event, first place.
NON_DISTRIBUTED = frozenset({"Change to group/activity", "Agreement", "Other", "Arrests"})
LETHAL_CROWD_TYPES = frozenset({"Excessive force against protesters", "Violent demonstration", "Mob violence"})

_KILL_RE = mod.first_chars(re.compile(r"\b(?:killed|killing|kills|dead|died|deaths?|death\s+toll|lost\s+"
                                    r"their\s+lives|massacred|executed|slain|shot\s+dead|lifeless|bodies)\b", re.IGNORECASE))
_WOUND_RE = mod.first_chars(re.compile(r"\b(?:wounded|injured|hurt|wounding|injuring)\b", re.IGNORECASE))
_ANCHOR_GAP_RE = re.compile(r"(?:\b(?:of|near|outside|around|along|on|in|towards?|from|at|off|by|within|"
                            r"across|inside|beyond|between)\s+(?:the\s+)?(?:[\w\-]+\s+)?$)|^\W*$", re.IGNORECASE)
_LIST_SPLIT_RE = re.compile(r"[\n;]")
# ", and one soldier died": a second main clause with its own subject (a count or a determiner).
_COORD_CLAUSE_RE = re.compile(r",\s+and\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an|the|his|her|"
                              r"their|its|at\s+least)\s", re.IGNORECASE)
_POSSESSOR_RE = re.compile(r"([A-Z][\w ]*?)['’]s\s")
# A bare number closing a toll: "the death toll rose to 22", "the number of dead had reached 14".
_TOLL_BEFORE_RE = mod.first_chars(re.compile(r"\b(?:death\s+toll|toll\s+of\s+dead|number\s+of\s+(?:the\s+)?"
                                           r"(?:dead|deaths|(?:[\w\-]+\s+){0,3}?(?:killed|dead)))\b[^.;:]*?\b"
                                           r"(?:to|at|reached|of|was|is|stood\s+at|stands\s+at)\s+"
                                           r"(?:at\s+least\s+|more\s+than\s+|some\s+|about\s+)?$", re.IGNORECASE))
TOLL_WINDOW_CHARS = 90
# Between two counted victims of one kill word: "27 Islamic State fighters and 11 ".
_CONJ_GAP_RE = re.compile(r"\s+(?:[\w'’\-]+\s+){0,4}?(?:and|as\s+well\s+as|,)\s+|\s*,\s*", re.IGNORECASE)
# A capitalised name in a list item, up to "and", a comma or the item's end.
_ITEM_NAME_RE = re.compile(r"(?<![\w'’-])(?:(?:al|el|as|ad|ar|an|the)[-\s])?[A-Z][\w'’\-]*(?:[ \-](?:al-|el-)?[A-Z][\w'’\-]*)*")
MAX_ITEM_NAME_WORDS = 5
_BULLET_RE = re.compile(r"^[\s•·\-\*–—●▪◦]+")
_SINGULAR_OBJ_RE = re.compile(r"^\s+(?:the|a|an|his|her|its|one|another)\s+((?:[\w'’\-]+\s+){0,3}?[\w'’\-]+)"
                              r"(?=\s+(?:of|in|near|at|on|from|and|after|before|who|,)\b|[,.;]|\s*$)",
                              re.IGNORECASE)
_FALLBACK_SENT_RE = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“A-Z0-9])|\n\s*\n")
# Precompiled rather than compiled per call (re's cache lookup was a measurable share).
_LIST_GAP_RE = re.compile(r"[\s,]*(?:and|or|,)?[\s,]*(?:the\s+)?")  # "A, B and the C": a list, not an anchor
_ABBREV_END_RE = re.compile(r"\b(?:St|Mt|No)\.$")
_CLAIM_STOP_RE = re.compile(r"[,.;]")

def _fallback_sentences(text: str) -> list[Sentence]:
    """Sentences when annotate did not supply them (hand-built documents, tests)."""
    out, pos = [], 0
    for m in _FALLBACK_SENT_RE.finditer(text):
        if text[pos:m.start()].strip():
            out.append(Sentence(pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append(Sentence(pos, len(text)))
    return out


def _country_of(ctx: Ctx) -> str:
    """The article's country name, looked up once per document (a code outside notes' own
    table is a pycountry lookup)."""
    name = ctx.country_name
    if name is None:
        name = ctx.country_name = country_name(ctx.doc.country)
    return name


def _with_country(label: str, ctx: Ctx) -> str:
    return f"{label} ({name})" if (name := _country_of(ctx)) else label


# ----------------------------------------------------------------------------- resolution


def _resolve_subtype(ctx: Ctx, hit: Hit, clause_end: int, agents: list[ActorMention],
                     patients: list[ActorMention], sent_cues: set[str]) -> str:
    """The sub-type of one trigger in context (see the module docstring)."""
    spec, rules = hit.spec, ctx.rules
    if hit.forced:
        return hit.forced
    # the object words decide territory and violence only (read for those)
    words = object_words(ctx, hit, clause_end) if spec.role in {"territory", "kill", "attack"} else []
    if spec.role == "territory":
        if any(w in rules.equipment for w in words[:5]) and not any(
                ctx.doc.text[p.start:p.end] for p in ctx.places.starting(hit.end, clause_end)):
            return "Disrupted weapons use"
        if "transfer" in sent_cues:
            return "Non-violent transfer of territory"  # taken "without resistance", after a withdrawal
        if agents:
            return "Government regains territory" if government_side(ctx, agents, patients) \
                else "Non-state actor overtakes territory"
        if patients:  # "retook X from government forces": the taker is the state's enemy
            return "Non-state actor overtakes territory" if government_side(ctx, patients) \
                else "Government regains territory"
        return spec.default or spec.sub_event_type
    if spec.role in {"kill", "attack"}:
        victims = set(words)
        first_count = ""
        for n in ctx.numbers.starting(hit.start, clause_end):
            # Counts inside the trigger too: "left 17 soldiers dead".
            if n.unit:
                victims.add(n.unit.lower().split()[-1])
                first_count = first_count or n.unit.lower().split()[-1]
        # The toll the kill word governs first decides ("left seven people dead, including four
        # police officers" is an attack on people).
        if first_count in rules.civilian_victims and first_count not in rules.ambiguous_victims:
            return "Attack"
        if first_count in rules.combatant_victims and first_count not in rules.ambiguous_victims:
            return "Armed clash"
        # "members of a family": a word that names fighters or anyone yields to a civilian word.
        fighters = victims & (rules.combatant_victims | rules.military_targets)
        if fighters and fighters <= rules.ambiguous_victims and victims & rules.civilian_victims:
            return "Attack"
        # Named victims decide first; the actors after the trigger only when none are named.
        if fighters:
            return "Armed clash"
        if victims & rules.civilian_victims:
            return "Attack"
        if any(a.inter in {1, 2, 3, 4, 8} for a in patients):
            return "Armed clash"
        if any(a.inter == 7 for a in patients):
            return "Attack"
        if spec.role == "attack" and (patients or (agents and government_side(ctx, agents))):
            return "Armed clash"  # forces assaulting a place fight whoever holds it
        return "Attack"
    if spec.role == "protest":
        if "protest_violent" in sent_cues:
            return "Violent demonstration"
        if "protest_force" in sent_cues:
            return "Excessive force against protesters"
        if "protest_intervention" in sent_cues:
            return "Protest with intervention"
    return spec.sub_event_type


# ----------------------------------------------------------------------------- places, dates, numbers


def _governed(ctx: Ctx, lo: int, hi: int) -> list[PlaceMention]:
    """Places in ``[lo, hi)``, anchors of relative positions and regions beside points removed."""
    text = ctx.doc.text
    cands = ctx.places.starting(lo, hi)
    if not cands:
        return cands  # (most spans: an empty list, as below)
    out: list[PlaceMention] = []
    prev_end: int | None = None
    anchors: set[str] = set()  # (normalised: the anchors of the candidates before p)
    for p in cands:
        # The anchor of "X, 10 km west of Y" is the Y mention that follows X.
        is_anchor = bool(anchors) and ctx.normalise(p.name) in anchors
        anchors.update([ctx.normalise(p.relative.anchor)] if p.relative and p.relative.anchor else ())
        if prev_end is not None and _ANCHOR_GAP_RE.search(text[prev_end:p.start]) and not _LIST_GAP_RE.fullmatch(
                text[prev_end:p.start]):
            is_anchor = True
        if not is_anchor:
            out.append(p)
        prev_end = p.end
    # annotate marks the anchor of a relative phrase ("10 km west of Y": Y) with rule "anchor:".
    named = [p for p in out if not p.rule.startswith("anchor:")] or out
    points = [p for p in named if not p.region]
    return points or named


def _list_items(ctx: Ctx, colon: int) -> tuple[list[PlaceMention], int]:
    """Places of the list items that follow a colon ("captured the following areas:")."""
    text, out, pos, n = ctx.doc.text, [], colon + 1, 0
    hit_starts = sorted(h.start for h in ctx.hits)
    stop = len(text)
    for m in itertools.chain(_LIST_SPLIT_RE.finditer(text, colon + 1), [None]):
        end = m.start() if m else len(text)
        line = text[pos:end]
        if line.strip():
            n += 1
            body = _BULLET_RE.sub("", line).strip()
            if len(body) > ITEM_MAX_CHARS or n > MAX_LIST_ITEMS or any(pos <= h < end for h in hit_starts):
                stop = pos
                break
            found = _governed(ctx, pos, end)
            out.extend(found or _item_places(text, pos, end))
            if body.endswith(".") and not _ABBREV_END_RE.search(body):
                stop = end
                break
        pos = end + 1
        if m is None:
            break
    return out, stop


def _item_places(text: str, start: int, end: int) -> list[PlaceMention]:
    """Places named by a list item the annotator did not recognise: the items of "captured the
    following areas:" are places by construction ("Tell Hamid;", "Zuhayr and Tarmiyah")."""
    out = []
    for m in _ITEM_NAME_RE.finditer(text, start, end):
        name = m.group(0).strip()
        if len(name.split()) <= MAX_ITEM_NAME_WORDS:
            out.append(PlaceMention(m.start(), m.start() + len(name), name, name, rule="extract:list-item"))
    return out


def _foreign_country(p: PlaceMention, ctx: Ctx) -> bool:
    """A country other than the article's, named as a place ("a monitor based in Britain", "Turkey
    condemned"): where a source or a government sits, not where the article's events happen."""
    norm, own = ctx.normalise, ctx.own_country
    if own is None:
        own = ctx.own_country = norm(_country_of(ctx))
    if p.descriptor == "country":
        return norm(p.name) != own
    # "Syria's Deir Ezzor" in an Iraq article: a place told as the neighbour's (where the enemy's
    # stronghold lies), not where the article's forces act.
    poss = _POSSESSOR_RE.match(p.text)
    return bool(poss and own and norm(poss.group(1)) != own and p.region)


def _main_place(ctx: Ctx) -> PlaceMention | None:
    doc, norm = ctx.doc, ctx.normalise
    counts = Counter(norm(p.name) for p in doc.places if not p.region)
    if not counts:
        return next((p for p in doc.places if not _foreign_country(p, ctx)), None)
    top = max(counts.values())
    for p in doc.places:
        if not p.region and counts[norm(p.name)] == top:
            return p
    return None


def _date_for(ctx: Ctx, hit: Hit, c_start: int, c_end: int) -> tuple[DateMention | None, str]:
    """(date mention, how): clause, sentence, carried, or none."""
    s = hit.sent
    usable = ctx.dates  # those with a value or a month: "within 24 hours" dates nothing
    in_clause = usable.starting(c_start, c_end)
    if in_clause:
        return min(in_clause, key=lambda d: abs(d.start - hit.start)), "clause"
    in_sent = usable.starting(s.start, s.end)
    if in_sent:
        return in_sent[0], "sentence"
    if hit.modality and hit.modality.background:
        return None, "background"
    # the last one ending before the sentence
    before = next((d for d in reversed(usable.items) if d.end <= s.start), None)
    if before is not None:
        return before, "carried"
    return None, "none"


def _fatalities(ctx: Ctx, s: Sentence, c_start: int, c_end: int) -> NumberMention | None:
    """The number of dead governed by a kill word in the clause (else the sentence); once per
    clause and document, the sentence's once per sentence (its clauses often fall back to it)."""
    key = (s.start, s.end, c_start, c_end)
    if key not in ctx.tolls:
        found = _find_fatalities(ctx, c_start, c_end)
        whole = (c_start, c_end) == (s.start, s.end)
        ctx.tolls[key] = found if found is not None or whole else _fatalities(ctx, s, s.start, s.end)
    return ctx.tolls[key]


def _find_fatalities(ctx: Ctx, lo: int, hi: int) -> NumberMention | None:
    text = ctx.doc.text
    for n in ctx.numbers.starting(lo, hi):
        if not n.unit:
            if _TOLL_BEFORE_RE.search(text, max(lo, n.start - TOLL_WINDOW_CHARS), n.start):
                return n  # "the death toll rose to 22", "put the number of soldiers killed at nine"
            continue
        unit = n.unit.lower().split()[-1]  # "police officers" counts officers
        if unit not in ctx.rules.combatant_victims and unit not in ctx.rules.civilian_victims:
            continue
        chain = _with_conjoined(ctx, n, hi)
        before = text[max(lo, n.start - KILL_WINDOW_CHARS):n.start]
        k_before = list(_KILL_RE.finditer(before))
        if k_before and not _WOUND_RE.search(before[k_before[-1].end():]):
            return chain  # (the words after are read only when those before do not decide)
        after = text[chain.end:min(hi, chain.end + KILL_WINDOW_CHARS)]
        k_after = _KILL_RE.search(after)
        w_after = _WOUND_RE.search(after) if k_after else None
        if k_after and not (w_after and w_after.start() < k_after.start()):
            return chain
    return None


def _with_conjoined(ctx: Ctx, n: NumberMention, hi: int) -> NumberMention:
    """The dead of both sides counted by one kill word ("killed 27 militants and 11 soldiers",
    "nine soldiers and 17 attackers were killed") are one toll: ACLED codes the event's total."""
    text, combatants, civilians = ctx.doc.text, ctx.rules.combatant_victims, ctx.rules.civilian_victims
    parts = [n]
    # those starting before n ends are skipped below anyway
    for m in ctx.numbers.starting(n.end, hi):
        last = parts[-1]
        if m.start < last.end or m.start >= hi:
            continue
        gap = text[last.end:m.start]
        if not (m.unit and ((u := m.unit.lower().split()[-1]) in combatants or u in civilians)  # (no set union)
                and _CONJ_GAP_RE.fullmatch(gap) and not _WOUND_RE.search(gap) and not _KILL_RE.search(gap)):
            break
        parts.append(m)
    if len(parts) == 1:
        return n
    def total(attr: str) -> int | None:
        vals = [getattr(p, attr) for p in parts]
        return None if any(v is None for v in vals) else sum(vals)
    return NumberMention(n.start, parts[-1].end, text[n.start:parts[-1].end], sum(p.best for p in parts),
                         low=total("low"), high=total("high"), unit=n.unit,
                         vague=any(p.vague for p in parts), rule="conjoined")


# ----------------------------------------------------------------------------- events


def _build(ctx: Ctx, hit: Hit, sent_cues: set[str]) -> list[Event]:
    """Events of one asserted trigger: one per governed place."""
    absorbed = all_absorbed(hit)
    doc, text, rules = ctx.doc, ctx.doc.text, ctx.rules
    s = hit.sent
    c_start, c_end = mod.clause_bounds(text, s.start, s.end, hit.start, hit.end, rules.modality, ctx.memo.bounds)
    claim_m = mod.claim_preposition(text, s.start, s.end, rules.modality, ctx.memo)
    claim_span = None
    if claim_m:
        stop = _CLAIM_STOP_RE.search(text[claim_m.end():s.end])
        claim_span = (claim_m.start(), claim_m.end() + (stop.start() if stop else s.end - claim_m.end()))
    lead = min([hit, *(g for g in absorbed if g.start >= c_start)], key=lambda h: h.start) if absorbed else hit
    agents, patients, how = actor_roles(ctx, hit, c_start, c_end, claim_span, lead)
    if how != "clause":
        # "The fighting came where an IS ambush on an army column killed four soldiers": the same act
        # told again in the sentence may name its parties where the kept trigger does not.
        for g in absorbed:
            if g.sub == hit.sub and not g.spec.generic:
                g_start, g_end = mod.clause_bounds(text, s.start, s.end, g.start, g.end, rules.modality, ctx.memo.bounds)
                g_roles = actor_roles(ctx, g, g_start, g_end, claim_span)
                if g_roles[2] == "clause":
                    agents, patients, how = g_roles
                    break
    sub = _resolve_subtype(ctx, hit, c_end, agents, patients, sent_cues)
    etype = rules.subtypes.get(sub, (hit.etype, 0))[0]
    if sub in TERRITORY_TYPES:
        # Ground is taken from armed actors: "confirmed by residents" names witnesses.
        patients = [a for a in patients if a.inter in ARMED]
    penalties = ["generic"] if hit.spec.generic else []
    # Places.  What follows "according to" is the source and where it sits, not where the event
    # happened ("the Observatory, a monitor based in Britain").
    source_from = claim_m.start() if claim_m and claim_m.start() > hit.end else s.end
    later = ctx.kept_starts.get(id(s), [])  # the next kept trigger of the sentence, if any
    at = bisect_right(later, hit.end)
    nxt = later[at] if at < len(later) else c_end
    places = [p for p in _governed(ctx, lead.end, min(c_end, nxt, source_from)) if not _foreign_country(p, ctx)]
    item_stop = None
    if not places and hit.etype in VIOLENT_TYPES and _ANAPHORA_RE.search(text[max(s.start, hit.start - 30):hit.start]) \
            and any(h.start < s.start and h.etype in VIOLENT_TYPES for h in ctx.kept):
        return []  # "the attack" after the attack was told: a reference, not a new event
    if not places and text[c_end:c_end + 1] == ":":
        places, item_stop = _list_items(ctx, c_end)
    if not places:
        places = _governed(ctx, c_start, hit.start)
    if not places:
        cands = [p for p in ctx.places.starting(s.start, source_from) if not _foreign_country(p, ctx)]
        in_sent = [p for p in cands if not p.region] or cands
        if in_sent:
            places = [min(in_sent, key=lambda p: abs(p.start - hit.start))]
            penalties.append("place_sentence")
        elif etype in VIOLENT_TYPES and not rules.aggregate_nouns.isdisjoint(text[hit.start:hit.end].lower().split()):
            # "a number of attacks during the last week": plural violent nouns with no place of
            # their own are aggregate reporting, not one event ("protesters" is a crowd).
            return []
        elif ctx.main_place is not None:
            places = [ctx.main_place]
            penalties.append("place_article")
        elif sub in TERRITORY_TYPES:
            return []  # territory changes hands somewhere: no place, no event
        else:
            places = [None]  # type: ignore[list-item]
            penalties.append("place_none")
    if sub in NON_DISTRIBUTED:
        places = places[:1]
    # Date.
    dm, date_how = _date_for(ctx, hit, c_start, c_end)
    # Fatalities: from the trigger or the generic triggers it absorbed.
    number = None
    if (etype in VIOLENT_TYPES and sub not in TERRITORY_TYPES) or sub in LETHAL_CROWD_TYPES:
        number = _fatalities(ctx, s, c_start, c_end)
        if number is not None and number.best > MAX_EVENT_FATALITIES:
            return []  # a war's toll, not one event's
        for g in absorbed:
            if number is None:
                g_start, g_end = mod.clause_bounds(text, s.start, s.end, g.start, g.end, rules.modality, ctx.memo.bounds)
                number = _fatalities(ctx, s, g_start, g_end)
        if number is not None and any(e.evidence.number and e.evidence.number.start == number.start
                                      and e.evidence.sentence.start == s.start for e in ctx.built):
            number = None  # another event of the sentence already counts these dead
    killed_one = None
    if number is None:
        # "executed the local mayor", "killing a child": one victim, no number written.
        for k in [hit, *absorbed]:
            if not (k.spec.role == "kill" or k.spec.id.startswith("vac.killing")):
                continue
            m = _SINGULAR_OBJ_RE.match(text[k.end:s.end])
            head = m.group(1).split()[-1].lower() if m else ""
            if head and (not head.endswith("s") or head.endswith("ss")):
                killed_one = 1
                break
    if sub in {"Abduction/forced disappearance", "Arrests"}:
        number = None
    # Actors.
    inter1: int | None
    inter2: int | None
    if sub in {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}:
        side = [a for a in agents if a.inter == 6] or []
        actor1, inter1 = (side[0].name, 6) if side else (_with_country("Protesters", ctx), 6)
        a2 = [a for a in agents + patients if a.inter == 1]
        actor2, inter2 = (a2[0].name, 1) if a2 and sub != "Peaceful protest" else ("", None)
        assoc1 = ""
    elif sub in {"Violent demonstration", "Mob violence"}:
        actor1, inter1 = _with_country("Rioters", ctx), 5
        a2 = [a for a in agents + patients if a.inter in {1, 7}]
        actor2, inter2 = (a2[0].name, a2[0].inter) if a2 else ("", None)
        assoc1 = ""
    else:
        if not agents and sub == "Armed clash" and len(patients) >= 2:
            # Only the dead of both sides named ("fighting killed 27 militants and 11 soldiers"):
            # a clash has two sides; the state's is listed first.
            first = next((a for a in patients if a.inter in {1, 8}), patients[0])
            agents, patients = [first], [a for a in patients if a is not first]
        actor1 = agents[0].name if agents else ""
        inter1 = agents[0].inter if agents else None
        assoc1 = "; ".join(a.name for a in agents[1:])
        if not agents and sub == "Armed clash" and patients:
            # One side named: the other is its opponent in the article (a clash has two sides).
            actor1 = opponent(ctx, patients)
            inter1 = ctx.actor_inter.get(actor1) if actor1 else None
            if not actor1 and all(a.inter in {1, 8} for a in patients):
                # Forces attacked by no one named: ACLED's "Unidentified Armed Group (country)".
                actor1, inter1 = _with_country("Unidentified Armed Group", ctx), 3
            elif not actor1:
                # Fighters killed by no one named ("11 fighters were killed when they attacked a
                # base"): the one known party is actor1.
                agents, patients = patients[:1], patients[1:]
                actor1, inter1 = agents[0].name, agents[0].inter
            if actor1:
                penalties.append("actor_fallback")
        if patients:
            actor2, inter2 = patients[0].name, patients[0].inter
        elif etype == "Explosions/Remote violence" and agents and hits_fighters(ctx, lead, hit, c_end, number):
            # A strike on a convoy, positions or fighters targets the striker's enemy.
            actor2 = opponent(ctx, agents)
            inter2 = ctx.actor_inter.get(actor2) if actor2 else None
        elif etype == "Violence against civilians":
            actor2, inter2 = _with_country("Civilians", ctx), 7
        elif sub in TERRITORY_TYPES or sub in {"Armed clash", "Change to group/activity", "Disrupted weapons use"}:
            actor2 = opponent(ctx, agents)
            inter2 = ctx.actor_inter.get(actor2) if actor2 else None
        else:
            actor2, inter2 = "", None
    if how in {"sentence", "previous"}:
        penalties.append("actor_fallback")
    elif how == "none":
        penalties.append("actor_none")
    if agents and how != "previous":
        ctx.last_side = list(agents)
    # Date fields.
    ev_date, precision, reason, month, day = None, None, "", None, None
    if dm is not None and dm.value is not None:
        ev_date, precision = dm.value, dm.precision
        reason = f"{date_how}: {dm.text}"
        if date_how == "carried":
            penalties.append("date_carried")
    elif dm is not None:
        month, day, reason = dm.month, dm.day, "no year"
        if date_how == "carried":
            penalties.append("date_carried")
    elif date_how == "background":
        reason = "background event told as earlier than the article's narrative; date unknown"
        penalties.append("date_none")
    elif doc.published:
        ev_date, precision = doc.published, 2
        reason = "no date in the text: publication date, week precision"
        penalties.append("date_published")
    else:
        reason = "no date in the text and no publication date"
        penalties.append("date_none")
    confidence = max(0.05, BASE_CONFIDENCE - sum(map(PENALTY.__getitem__, penalties)))  # (no generator frame)
    if hit.spec.role == "kill" and sub == "Armed clash":
        # "took the base, killing scores of militants in the process": the dead of a capture are
        # the capture's (ACLED codes one territorial event with them), not a clash of their own.
        took = [e for e in ctx.built if e.sub_event_type in TERRITORY_TYPES and e.evidence.sentence.start == s.start
                and e.actor1 == actor1 and e.event_date == ev_date]
        if took:
            if number is not None and took[0].fatalities is None:
                took[0].fatalities, took[0].fatalities_low, took[0].fatalities_high = number.best, number.low, number.high
                took[0].evidence.number = Span(number.start, number.end)
                took[0].tags.append("fatalities:of the capture")
                took[0].notes = summary(took[0])
            return []
    if hit.spec.role == "kill" and sub == "Armed clash" and how != "clause":
        # A toll of fighters with no act of its own ("nine soldiers and 17 attackers were killed")
        # counts the dead of the clash the paragraph tells: it adds to it, it is no new event.
        para = ctx.para_of(s.start)
        told = [e for e in ctx.built if e.event_type == "Battles" and e.sub_event_type not in TERRITORY_TYPES
                and e.event_date == ev_date and ctx.para_of(e.evidence.sentence.start) == para]
        if told:
            if number is not None:
                ev0 = told[-1]
                ev0.fatalities = (ev0.fatalities or 0) + number.best
                ev0.tags.append("fatalities:summed")
                ev0.notes = summary(ev0)
            return []
    # who reports it (read here, once the trigger is known to make events of its own)
    in_sentence = ctx.memo.in_sentence
    if (s.start, s.end) not in in_sentence:  # what find_claimant would filter from all the actors
        in_sentence[s.start, s.end] = ctx.actors.starting(s.start, s.end)
    claimant = mod.find_claimant(text, s.start, s.end, hit.start, doc.actors, rules.modality, hit.end, ctx.memo)
    events = []
    place: PlaceMention | None  # (places is [None] for an event with no place)
    for place in places:
        ev = Event(
            doc_id=doc.id, event_type=etype, sub_event_type=sub,
            evidence=Evidence(
                sentence=Span(s.start, s.end), trigger=Span(hit.start, hit.end),
                actors=[Span(a.start, a.end) for a in agents + patients],
                place=Span(place.start, place.end) if place else None,
                date=Span(dm.start, dm.end) if dm else None,
                number=Span(number.start, number.end) if number else None,
                rule=hit.spec.id),
            event_date=ev_date, time_precision=precision, date_reason=reason,
            actor1=actor1, assoc_actor_1=assoc1, inter1=inter1, actor2=actor2, inter2=inter2,
            place=place, fatalities=(number.best if number else killed_one),
            fatalities_low=number.low if number else None, fatalities_high=number.high if number else None,
            claimed_by=claimant, confidence=round(confidence, 2), source_documents=[doc.id],
            sources=[doc.outlet] if doc.outlet else [], date_month=month, date_day=day,
            tags=[f"modality:{'background' if hit.modality and hit.modality.background else 'asserted'}"],
        )
        if number and number.vague:
            ev.tags.append("fatalities:vague")
        if killed_one:
            ev.tags.append("fatalities:single victim")
        for g in absorbed:
            ev.tags.append(f"absorbed:{g.spec.id}")
        if item_stop is not None:
            ev.tags.append("list-item")
        events.append(ev)
    # Fatalities belong to one event of the trigger (the first place), not to each place.
    for ev in events[1:]:
        ev.fatalities = ev.fatalities_low = ev.fatalities_high = None
        ev.evidence.number = None
    for ev in events:
        ev.notes = summary(ev, ctx.date_text)
    return events


def _match(sdoc: SpacyDoc, rules: ExtractRules, sentences: list[Sentence]) -> list[Hit]:
    """Trigger matches, overlaps resolved longest-first (spaCy's filter_spans)."""
    # (spec, start token, end token) of each match; plain tuples, not spaCy Spans (cheaper)
    spans: list[tuple[TriggerSpec, int, int]] = []
    strings, specs = rules.nlp.vocab.strings, rules.specs
    for k, s, e in rules.matcher(sdoc):
        spec = specs[strings[k]]
        if spec.not_before and e < len(sdoc) and sdoc[e].lower_ in spec.not_before:
            continue
        if spec.not_inside and any(t.lower_ in spec.not_inside for t in sdoc[s + 1:e - 1]):
            continue  # "were destroyed by car bombs": the bombs destroyed, nothing destroyed them
        spans.append((spec, s, e))
    # Overlaps: a specific trigger beats a generic one around it ("launched a chemical attack" is a
    # chemical attack, not an attack), then the longest wins (spaCy's filter_spans order).
    spans.sort(key=lambda sp: (sp[0].generic, -(sp[2] - sp[1]), sp[1]))
    taken: set[int] = set()
    chosen = []
    for sp in spans:
        if not taken.intersection(range(sp[1], sp[2])):
            chosen.append(sp)
            taken.update(range(sp[1], sp[2]))
    hits, ends = [], [x.end for x in sentences]
    for spec, s, e in sorted(chosen, key=lambda x: x[1]):
        # a Span's character offsets: from its first token's start to its last token's end
        start_char = sdoc[s].idx
        at = bisect_right(ends, start_char)  # the first sentence that ends after the trigger starts
        sent = sentences[at] if at < len(sentences) and sentences[at].start <= start_char else None
        if sent is None:
            continue
        last = sdoc[e - 1]
        hits.append(Hit(start_char, last.idx + len(last), s, e, spec, spec.sub_event_type, spec.event_type, sent))
    return hits


def _absorb(hits: list[Hit], rules: ExtractRules, text: str = "") -> list[Hit]:
    """One event per act: the sentence-level rules of the module docstring.

    In order: a device named as the object of a seizure/defusal is no blast; clashes, arrests and
    property destruction told with a protest or riot are how it went; a withdrawal told with a
    taking is one transfer; killing supersedes abduction of the same victims (the kill becomes an
    Attack); generic triggers go into the most specific violent trigger, or into one another
    (the kill, which names the victims, keeps them); repeated triggers of one sub-type are one
    event (territory excepted: each taking has its own places).
    """
    kept: list[Hit] = []
    by_sent: dict[int, list[Hit]] = {}
    for h in hits:
        by_sent.setdefault(h.sent.start, []).append(h)
    for group in by_sent.values():
        takers = [h for h in group if h.sub == "Disrupted weapons use" or h.spec.role == "territory"]
        group = [h for h in group if not (h.etype == "Explosions/Remote violence" and any(
            0 <= h.start - t.end <= DEVICE_OBJECT_CHARS for t in takers))]
        crowd = any(h.spec.role == "protest" or h.etype == "Riots" for h in group)
        if crowd:
            group = [h for h in group if not (h.etype == "Battles" and h.spec.role != "territory")
                     and h.spec.role != "arrest" and not h.spec.id.startswith("property.")]
        if any(h.spec.role == "territory" for h in group):
            group = [h for h in group if not h.spec.id.startswith("transfer.")]
        kills = [h for h in group if h.spec.role == "kill" or h.spec.id.startswith("vac.")]
        if kills and any(h.sub == "Abduction/forced disappearance" for h in group):
            group = [h for h in group if h.sub != "Abduction/forced disappearance"]
            for h in kills:
                h.forced = "Attack"
        specific = [h for h in group if h.etype in VIOLENT_TYPES and not h.spec.generic
                    and h.spec.role not in {"territory", "kill", "attack"} and h.sub not in TERRITORY_TYPES]
        generic = [h for h in group if h.spec.generic]
        keeper = None
        if generic and not specific:
            keeper = next((h for h in generic if h.spec.role == "kill"), generic[0])
        first_of: dict[str, Hit] = {}
        for h in group:
            # Not across coordinated main clauses: in "14 militants were killed ..., and a soldier died
            # when his vehicle struck a bomb" the killing is not the bomb's.  (Only a generic's.)
            near = [x for x in specific if h.spec.generic
                    and not _COORD_CLAUSE_RE.search(text, min(h.end, x.end), max(h.start, x.start))]
            if h.spec.generic and near:
                target = min(near, key=lambda x: (rules.subtypes.get(x.sub, ("", 99))[1], abs(x.start - h.start)))
                target.absorbed.append(h)
                continue
            if h.spec.generic and keeper is not None and h is not keeper:
                keeper.absorbed.append(h)
                continue
            if h.spec.role != "territory" and not h.spec.generic:
                if h.sub in first_of:
                    first_of[h.sub].absorbed.append(h)
                    continue
                first_of[h.sub] = h
            kept.append(h)
    return kept


# Cycle collector paused: refcounting frees a document's work (1k pages: 0.04 s of collections -> 0.008 s).
@gc_paused()
def extract_events(doc: Document, rules: ExtractRules) -> Document:
    """Fill ``doc.triggers``, ``doc.events`` and ``doc.control`` from the document's annotations.

    A pure function of the document's text and annotations (it replaces those three lists).
    """
    # spaCy keeps every word it has seen (a lexeme and its strings) for the life of the
    # vocabulary: over millions of real pages that grows without bound.  Past VOCAB_MAX_STRINGS
    # a document runs inside a memory zone, which drops what it added when it is done (nothing
    # spaCy made leaves this function).  Below it words stay: a first-seen word costs the
    # tokenizer most of its time on real pages, so re-creating each page's words would cost.
    if len(rules.nlp.vocab.strings) < VOCAB_MAX_STRINGS:
        return _extract(doc, rules)
    with rules.nlp.memory_zone():
        return _extract(doc, rules)


def _extract(doc: Document, rules: ExtractRules) -> Document:
    text = doc.text or ""
    by_start = attrgetter("start")  # (a C key: the lists are sorted already, the keys are the cost)
    sentences = sorted(doc.sentences, key=by_start) or _fallback_sentences(text)
    for lst in (doc.actors, doc.places, doc.dates, doc.numbers):
        lst.sort(key=by_start)
    sdoc = rules.nlp.make_doc(text)
    hits = _match(sdoc, rules, sentences)
    counts = Counter(a.name for a in doc.actors)
    inter = {a.name: a.inter for a in doc.actors}
    ctx = Ctx(doc=doc, sdoc=sdoc, rules=rules, sentences=sentences, hits=hits,
               main_place=None, actor_counts=counts, actor_inter=inter)
    ctx.main_place = _main_place(ctx)
    doc.triggers = [Trigger(h.start, h.end, text[h.start:h.end], h.etype, h.sub, h.spec.id) for h in hits]
    # Protest cues count in the whole paragraph (a protest's outcome is often told in the next
    # sentence); a withdrawal/"without resistance" cue only in its own sentence.
    para_cues: dict[int, set[str]] = {}
    if any(h.spec.role == "protest" for h in hits):  # only a protest's sub-type reads these cues
        for key, s, _e in rules.cue_matcher(sdoc):
            para_cues.setdefault(ctx.para_of(sdoc[s].idx), set()).add(rules.nlp.vocab.strings[key])
    transfer_sents = {h.sent.start for h in hits if h.spec.id.startswith("transfer.")}

    def cues_of(h: Hit) -> set[str]:
        cues = set(para_cues.get(ctx.para_of(h.start), ())) if para_cues else set()
        return cues | {"transfer"} if h.sent.start in transfer_sents else cues

    for h in hits:
        h.modality = mod.assess(text, h.sent.start, h.sent.end, h.start, h.end, rules.modality, memo=ctx.memo)
    asserted = _absorb([h for h in hits if h.modality and h.modality.asserted], rules, text)
    ctx.keep(asserted)
    events: list[Event] = []
    for h in asserted:
        new = _build(ctx, h, cues_of(h))
        ctx.built.extend(new)
        events.extend(new)
    events = consolidate(dedupe(events, ctx.normalise), text, ctx.para_of, ctx.normalise)
    for n, ev in enumerate(events, 1):
        ev.event_id = f"{doc.id}-{n}"
    doc.events = events
    doc.control = mod.control_statements(doc, sentences, rules.modality, ctx.memo)
    return doc


def main_event(doc: Document, rules: ExtractRules) -> Event | None:
    """The single most telling event of a short text (CASE-style snippets): among the events of
    the earliest sentence that has any, the most specific sub-type (triggers.yaml priority)."""
    if not doc.events:
        return None
    # News leads with its main event (inverted pyramid): the earliest sentence that asserts one.
    first = min(e.evidence.sentence.start for e in doc.events)
    lead = [e for e in doc.events if e.evidence.sentence.start == first]
    return min(lead, key=lambda e: (rules.subtypes.get(e.sub_event_type, ("", 99))[1], -e.confidence))


def best_trigger(doc: Document, rules: ExtractRules) -> Trigger | None:
    """The most specific trigger of a text whatever its modality (a fallback for classifying
    snippets that name an event without asserting it plainly)."""
    if not doc.triggers:
        return None
    return min(doc.triggers, key=lambda t: rules.subtypes.get(t.sub_event_type, ("", 99))[1])


__all__ = ["best_trigger", "ExtractRules", "TriggerSpec", "compile_pattern", "country_name", "extract_events",
           "load_rules", "main_event"]
