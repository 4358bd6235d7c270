"""ACLED's unit of event within one document: one event per (day, place, actor pair, sub-type).

``dedupe`` merges exact repeats (keeping the richest evidence), ``consolidate`` applies the two
coding conventions that go beyond exact repeats (see its docstring).  Cross-document merging is
merge.py's; this is only what one article says twice.
"""

from __future__ import annotations

from collections.abc import Callable

from .model import Event, PlaceMention
from .names import normalise

TERRITORY_TYPES = frozenset({"Government regains territory", "Non-state actor overtakes territory"})
# Descriptors that name the settlement itself ("al-Qa'im city" is al-Qa'im); others name another
# feature ("al-Qa'im hills").
SETTLEMENT_WORDS = frozenset({"city", "town", "village", "villages", "area", "areas", "district", "province",
                               "governorate", "region", "neighbourhood", "neighborhood", "camp", "suburb"})


def place_key(place: PlaceMention | None, norm: Callable[[str], str] = normalise) -> str:
    """A place's dedupe key: its name, plus its descriptor unless that is a settlement word
    ("al-Qa'im city" = "al-Qa'im", but "al-Qa'im hills" is another place).  ``norm``:
    :func:`~frontwatch.names.normalise` or a memo of it."""
    if place is None:
        return ""
    desc = (place.descriptor or "").lower()
    keep = desc and desc not in SETTLEMENT_WORDS
    return norm(place.name) + ("|" + desc if keep else "")


def dedupe(events: list[Event], norm: Callable[[str], str] = normalise) -> list[Event]:
    """One event per (date, place, actor pair, sub-type); the richest evidence is kept
    (``norm``: see :func:`place_key`)."""
    out: dict[tuple, Event] = {}
    for ev in events:
        key = (ev.event_date or (ev.date_month, ev.date_day), place_key(ev.place, norm),
               ev.actor1, ev.actor2, ev.sub_event_type)
        old = out.get(key)
        if old is None:
            out[key] = ev
            continue
        richer = ev if (ev.fatalities or 0, ev.confidence) > (old.fatalities or 0, old.confidence) else old
        other = old if richer is ev else ev
        richer.tags = list(dict.fromkeys(richer.tags + other.tags))
        if not richer.claimed_by:
            richer.claimed_by = other.claimed_by
        out[key] = richer
    return list(out.values())


def consolidate(events: list[Event], text: str, para_of: Callable[[int], int] | None = None,
                norm: Callable[[str], str] = normalise) -> list[Event]:
    """ACLED's unit rules beyond exact duplicates.

    * One activity change per actor and day: "launched the offensive" and "began the offensive"
      in one article are one Change to group/activity, whatever place each sentence names.
    * A clash with no reported dead, told in the same paragraph as the same actor taking ground
      that day, or at the same place, is the fighting of that advance: ACLED codes it as the
      territorial event.

    ``para_of(pos)``, if given, is ``text.count("\\n\\n", 0, pos)`` (the paragraph of a sentence);
    ``norm``: see :func:`place_key`.
    """
    def para(ev: Event) -> int:
        # para_of: the same count, faster (extract's Ctx.para_of)
        pos = ev.evidence.sentence.start
        return para_of(pos) if para_of is not None else text.count("\n\n", 0, pos)

    out: list[Event] = []
    seen_change: dict[tuple, Event] = {}
    taken = {(e.event_date or (e.date_month, e.date_day), e.actor1, para(e)) for e in events
             if e.sub_event_type in TERRITORY_TYPES}
    taken_at = {(e.event_date or (e.date_month, e.date_day), e.actor1, place_key(e.place, norm)) for e in events
                if e.sub_event_type in TERRITORY_TYPES and e.place is not None}
    for ev in events:
        day = ev.event_date or (ev.date_month, ev.date_day)
        if ev.sub_event_type == "Change to group/activity":
            key = (day, ev.actor1)
            if key in seen_change:
                seen_change[key].tags = list(dict.fromkeys(seen_change[key].tags + ev.tags))
                continue
            seen_change[key] = ev
        if ev.sub_event_type == "Armed clash" and not ev.fatalities and (
                (day, ev.actor1, para(ev)) in taken or (day, ev.actor1, place_key(ev.place, norm)) in taken_at):
            continue
        out.append(ev)
    return out
