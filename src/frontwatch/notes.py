"""One-line ACLED-style summaries of events, and ACLED's short country names.

Generated from an event's fields ("On 26 October 2017, Military Forces of Iraq and Popular
Mobilization Forces regained H2 from Islamic State (Iraq)."), never copied from the article:
the notes column must be our words, and it must agree with the coded fields.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from .model import Event

_COUNTRY_NAMES = MappingProxyType({
    "SY": "Syria", "IR": "Iran", "RU": "Russia", "KR": "South Korea", "KP": "North Korea",
    "VE": "Venezuela", "BO": "Bolivia", "TZ": "Tanzania", "CD": "Democratic Republic of Congo",
    "CG": "Republic of Congo", "PS": "Palestine", "LA": "Laos", "MD": "Moldova", "TW": "Taiwan",
    "VN": "Vietnam", "GB": "United Kingdom", "US": "United States", "TR": "Turkey", "CI": "Ivory Coast",
})

# One-line summaries ("On <date>, <actor1> <verb> <place>."): presentation, not knowledge.
_SUMMARY = MappingProxyType({
    "Armed clash": "clashed with {actor2} in {place}",
    "Government regains territory": "regained {place} from {actor2}",
    "Non-state actor overtakes territory": "took {place} from {actor2}",
    "Chemical weapon": "used chemical weapons in {place}",
    "Air/drone strike": "carried out an air/drone strike in {place}",
    "Suicide bomb": "carried out a suicide bombing in {place}",
    "Shelling/artillery/missile attack": "shelled {place}",
    "Remote explosive/landmine/IED": "set off an explosive device in {place}",
    "Grenade": "threw a grenade in {place}",
    "Sexual violence": "committed sexual violence in {place}",
    "Attack": "attacked {actor2} in {place}",
    "Abduction/forced disappearance": "abducted {actor2} in {place}",
    "Peaceful protest": "protested in {place}",
    "Protest with intervention": "protested in {place}; the protest met intervention",
    "Excessive force against protesters": "protested in {place} and were met with excessive force",
    "Violent demonstration": "rioted in {place}",
    "Mob violence": "engaged in mob violence in {place}",
    "Agreement": "reached an agreement with {actor2} concerning {place}",
    "Arrests": "arrested {actor2} in {place}",
    "Change to group/activity": "changed activity (operation against {actor2}) in {place}",
    "Disrupted weapons use": "disrupted weapons use of {actor2} in {place}",
    "Headquarters or base established": "established a base in {place}",
    "Looting/property destruction": "looted or destroyed property in {place}",
    "Non-violent transfer of territory": "transferred control of {place}",
    "Other": "reported a development in {place}",
})


def country_name(code: str | None) -> str:
    """ACLED's short country name for an ISO alpha-2 code ("" when unknown)."""
    if not code:
        return ""
    if code in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[code]
    import pycountry  # only needed for synthesised actor names

    c = pycountry.countries.get(alpha_2=code.upper())
    return getattr(c, "common_name", None) or getattr(c, "name", "") if c else ""  # type: ignore[return-value]


def summary(ev: Event, dates: dict[date, str] | None = None) -> str:
    """The notes line of an event, from its fields (``dates``: a memo of the dates written,
    for a caller summarising many events)."""
    if ev.event_date and dates is not None:
        when = dates.get(ev.event_date) or dates.setdefault(ev.event_date, ev.event_date.strftime("%-d %B %Y"))
    else:
        when = ev.event_date.strftime("%-d %B %Y") if ev.event_date else (
            date(2000, ev.date_month, ev.date_day).strftime("%-d %B") if ev.date_month and ev.date_day else "")
    place = ev.place.name if ev.place else "an unspecified place"
    who = ev.actor1 or "Unidentified actors"
    if ev.assoc_actor_1:
        who += " and " + " and ".join(ev.assoc_actor_1.split("; "))
    body = _SUMMARY.get(ev.sub_event_type, "were involved in an event in {place}").format(
        actor2=ev.actor2 or "unidentified opponents", place=place)
    text = f"{who} {body}"
    if ev.fatalities:
        text += f"; {ev.fatalities} reported killed"
    if ev.claimed_by:
        text += f" (according to {ev.claimed_by})"
    return (f"On {when}, " if when else "") + text + "."
