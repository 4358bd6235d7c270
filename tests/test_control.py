"""Territorial control over time (frontwatch.control) and its GeoJSON."""

from __future__ import annotations

import json
from datetime import date

import pytest

from frontwatch.control import control_as_of, control_geojson, control_timeline
from frontwatch.merge import load_place_name_rules
from frontwatch.model import (
    ControlStatement,
    DateMention,
    Document,
    Event,
    Evidence,
    Location,
    PlaceMention,
    Span,
)

IRAQ = "Military Forces of Iraq"
ISIS = "Islamic State (Iraq)"
QAIM = Location("Al Qa'im", 34.3925, 40.9895, 1, country="IQ", gazetteer_id="g-qaim")
UBAYDI = Location("Al 'Ubaydi", 34.3772, 41.0928, 1, country="IQ", gazetteer_id="g-ubaydi")


@pytest.fixture(scope="module")
def rules():
    return load_place_name_rules()


def mkdoc(doc_id: str, text: str, published: date | None) -> Document:
    return Document(id=doc_id, page_id=doc_id, text=text, published=published, outlet="Outlet")


def capture(d: Document, sentence: str, place: str, when: date, loc: Location | None, actor1: str = IRAQ,
            sub: str = "Government regains territory") -> Event:
    s0 = d.text.index(sentence)
    p0 = d.text.index(place, s0)
    e = Event(doc_id=d.id, event_type="Battles", sub_event_type=sub,
              evidence=Evidence(Span(s0, s0 + len(sentence))), event_date=when, time_precision=1,
              actor1=actor1, actor2=ISIS if actor1 != ISIS else IRAQ,
              place=PlaceMention(p0, p0 + len(place), place, place), location=loc)
    d.events.append(e)
    return e


def statement(d: Document, sentence: str, place: str, controller: str = ISIS, date_text: str | None = None,
              date_value: date | None = None) -> ControlStatement:
    s0 = d.text.index(sentence)
    p0 = d.text.index(place, s0)
    ev = Evidence(Span(s0, s0 + len(sentence)))
    if date_text:
        d0 = d.text.index(date_text, s0)
        ev.date = Span(d0, d0 + len(date_text))
        d.dates.append(DateMention(d0, d0 + len(date_text), date_text, date_value, 1))
    st = ControlStatement(place=PlaceMention(p0, p0 + len(place), place, place), controller=controller, evidence=ev)
    d.control.append(st)
    return st


@pytest.fixture()
def campaign():
    """A small campaign in my own words: two background articles and two reports of captures."""
    a = mkdoc("early", "Iraqi units are massing for a push on al-Qa'im, the final Iraqi town the jihadists "
                       "still hold.", date(2017, 10, 8))
    statement(a, a.text, "al-Qa'im")
    b = mkdoc("mid", "Troops entered Ubaydi on Tuesday after a short fight.", date(2017, 11, 1))
    capture(b, b.text, "Ubaydi", date(2017, 10, 31), UBAYDI)
    c = mkdoc("late", "The army says it has retaken al-Qa'im. Rawa is now the only town still under the "
                      "group's control.", date(2017, 11, 3))
    capture(c, "The army says it has retaken al-Qa'im.", "al-Qa'im", date(2017, 11, 3), QAIM)
    statement(c, "Rawa is now the only town still under the group's control.", "Rawa")
    return [a, b, c]


def by_place(states):
    return {s.place: s for s in states}


def test_control_as_of_before_and_after_the_captures(rules, campaign):
    events = [e for d in campaign for e in d.events]
    tl = control_timeline(events, campaign, rules)
    assert [c.kind for c in tl].count("statement") == 2
    before = by_place(control_as_of(tl, date(2017, 10, 20)))
    # the statement about "al-Qa'im" joins the located place of the later capture
    assert set(before) == {"Al Qa'im"}
    s = before["Al Qa'im"]
    assert (s.controller, s.since, s.doc_id) == (ISIS, date(2017, 10, 8), "early")
    assert (s.latitude, s.longitude) == (QAIM.latitude, QAIM.longitude)
    assert "massing for a push" in s.evidence

    after = by_place(control_as_of(tl, date(2017, 11, 4)))
    assert by_place(control_as_of(tl)) == after  # no day: as of the latest evidence
    assert after["Al Qa'im"].controller == IRAQ and after["Al Qa'im"].since == date(2017, 11, 3)
    assert after["Al 'Ubaydi"].controller == IRAQ and after["Al 'Ubaydi"].since == date(2017, 10, 31)
    assert after["Rawa"].controller == ISIS and after["Rawa"].since == date(2017, 11, 3)
    assert after["Rawa"].latitude is None  # no event or geocoder located it

    # the day before Ubaydi fell nobody is known to hold it
    assert "Al 'Ubaydi" not in by_place(control_as_of(tl, date(2017, 10, 30)))


def test_stale_statement_after_capture_is_ignored_but_later_evidence_wins(rules, campaign):
    stale = mkdoc("stale", "Reporters described the ISIS-held city of al-Qa'im as devastated.", date(2017, 11, 4))
    statement(stale, stale.text, "al-Qa'im")
    docs = campaign + [stale]
    events = [e for d in docs for e in d.events]
    tl = control_timeline(events, docs, rules)
    assert by_place(control_as_of(tl, date(2017, 11, 5)))["Al Qa'im"].controller == IRAQ
    # weeks later the same kind of statement is news, not background
    retaken = mkdoc("retaken", "Militants again control al-Qa'im after a night raid.", date(2017, 12, 20))
    statement(retaken, retaken.text, "al-Qa'im")
    docs.append(retaken)
    tl = control_timeline(events, docs, rules)
    s = by_place(control_as_of(tl, date(2017, 12, 21)))["Al Qa'im"]
    assert (s.controller, s.since) == (ISIS, date(2017, 12, 20))


def test_still_held_keeps_since_and_updates_last_seen(rules):
    a = mkdoc("a", "Jihadists overran Rawa on Monday.", date(2017, 6, 6))
    capture(a, a.text, "Rawa", date(2017, 6, 5), None, actor1=ISIS, sub="Non-state actor overtakes territory")
    b = mkdoc("b", "Rawa remains in the hands of the militants.", date(2017, 9, 1))
    statement(b, b.text, "Rawa")
    tl = control_timeline([e for d in (a, b) for e in d.events], [a, b], rules)
    s = control_as_of(tl, date(2017, 9, 2))[0]
    assert (s.controller, s.since, s.last_seen) == (ISIS, date(2017, 6, 5), date(2017, 9, 1))
    assert s.place_key == "name:rawa"


def test_statement_dated_by_its_own_sentence(rules):
    d = mkdoc("d", "Back on 26 October, troops neared Husaybah, then still held by the group. Today the town fell.",
              date(2017, 11, 3))
    statement(d, "Back on 26 October, troops neared Husaybah, then still held by the group.", "Husaybah",
              date_text="26 October", date_value=date(2017, 10, 26))
    capture(d, "Today the town fell.", "town", date(2017, 11, 3), None)
    tl = control_timeline([], [d], rules)
    assert [c.date for c in tl] == [date(2017, 10, 26)]
    assert control_as_of(tl, date(2017, 10, 27))[0].controller == ISIS


def test_statement_in_undated_article_takes_the_articles_event_dates(rules):
    d = mkdoc("u", "On 25 October troops closed in on Rawa, still held by the group. They entered Ana on "
                   "27 October. The group also holds Hit.", None)
    statement(d, "On 25 October troops closed in on Rawa, still held by the group.", "Rawa",
              date_text="25 October", date_value=None)
    d.dates[-1].month, d.dates[-1].day = 10, 25
    statement(d, "The group also holds Hit.", "Hit")
    # the article's one event was dated by the corpus stage
    capture(d, "They entered Ana on 27 October.", "Ana", date(2017, 10, 27), None)
    tl = control_timeline([], [d], rules)
    assert {c.place: c.date for c in tl} == {"Rawa": date(2017, 10, 25), "Hit": date(2017, 10, 27)}


def test_same_day_event_beats_statement(rules):
    d = mkdoc("d", "Troops stormed the ISIS-held town of Ana.", date(2017, 9, 21))
    statement(d, d.text, "Ana")
    capture(d, d.text, "Ana", date(2017, 9, 21), None)
    tl = control_timeline([e for e in d.events], [d], rules)
    assert control_as_of(tl, date(2017, 9, 21))[0].controller == IRAQ


def test_capture_beats_the_background_its_own_article_gives(rules):
    # A report of a capture on the 3rd, published on the 6th, still calls the town "ISIS-held"
    # in its background: the article's own capture wins, even days later.
    d = mkdoc("d", "On 3 November troops entered the ISIS-held town of Ana after a long siege.", date(2017, 11, 6))
    statement(d, d.text, "Ana")
    capture(d, d.text, "Ana", date(2017, 11, 3), None)
    tl = control_timeline(list(d.events), [d], rules)
    assert [(c.kind, c.date) for c in tl] == [("event", date(2017, 11, 3)), ("statement", date(2017, 11, 6))]
    s = control_as_of(tl, date(2017, 11, 7))[0]
    assert (s.controller, s.since) == (IRAQ, date(2017, 11, 3))
    # another outlet saying the same on the 6th is not stale background (beyond the lag): it wins
    o = mkdoc("o", "Militants in ISIS-held Ana fired on patrols.", date(2017, 11, 6))
    statement(o, o.text, "Ana")
    tl = control_timeline(list(d.events), [d, o], rules)
    assert control_as_of(tl, date(2017, 11, 7))[0].controller == ISIS


def test_same_day_statement_from_another_article_loses_to_the_capture(rules):
    a = mkdoc("a", "Ana, the last town the militants hold, was quiet this morning.", date(2017, 9, 21))
    statement(a, a.text, "Ana")
    b = mkdoc("b", "By evening troops had stormed Ana.", date(2017, 9, 21))
    capture(b, b.text, "Ana", date(2017, 9, 21), None)
    tl = control_timeline(list(b.events), [a, b], rules)
    assert [c.kind for c in tl] == ["statement", "event"]
    assert control_as_of(tl, date(2017, 9, 21))[0].controller == IRAQ
    assert control_as_of(tl, date(2017, 9, 20)) == []


def test_non_territory_events_and_undated_statements_are_ignored(rules):
    d = mkdoc("d", "Clashes hit Ana, an ISIS-held town.", None)
    statement(d, d.text, "Ana")
    e = capture(d, d.text, "Ana", date(2017, 9, 21), None, sub="Armed clash")
    tl = control_timeline([e], [d], rules)
    assert [(c.kind, c.date) for c in tl] == [("statement", date(2017, 9, 21))]  # dated by the article's event
    u = mkdoc("u", "Hit is an ISIS-held town.", None)
    statement(u, u.text, "Hit")
    assert control_timeline([], [u], rules) == []  # nothing dates it


def test_year_less_statement_dated_by_corpus_span(rules):
    dated = mkdoc("p", "Nothing.", date(2017, 10, 26))
    u = mkdoc("u", "On October 25 the group still held Rawa.", None)
    statement(u, u.text, "Rawa", date_text="October 25", date_value=None)
    u.dates[-1].month, u.dates[-1].day = 10, 25
    tl = control_timeline([], [dated, u], rules)
    assert [(c.place, c.date) for c in tl] == [("Rawa", date(2017, 10, 25))]


def test_locate_callback_places_statements(rules):
    d = mkdoc("d", "Karabilah is an ISIS-held village.", date(2017, 10, 1))
    statement(d, d.text, "Karabilah")
    seen = []

    def locate(mention, doc):
        seen.append((mention.name, doc.id))
        return Location("Karabilah", 34.40, 41.03, 1, country="IQ", gazetteer_id="g-kar")

    tl = control_timeline([], [d], rules, locate=locate)
    assert seen == [("Karabilah", "d")]
    assert tl[0].place_key == "gaz:g-kar" and tl[0].latitude == 34.40


def test_control_geojson_is_rfc7946(rules, campaign):
    events = [e for d in campaign for e in d.events]
    states = control_as_of(control_timeline(events, campaign, rules), date(2017, 11, 4))
    gj = json.loads(json.dumps(control_geojson(states)))
    assert gj["type"] == "FeatureCollection"
    feats = {f["properties"]["place"]: f for f in gj["features"]}
    assert set(feats) == {"Al Qa'im", "Al 'Ubaydi"}  # Rawa has no point
    f = feats["Al Qa'im"]
    assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
    lon, lat = f["geometry"]["coordinates"]
    assert (lon, lat) == (QAIM.longitude, QAIM.latitude)  # RFC 7946: longitude first
    assert f["properties"]["controller"] == IRAQ and f["properties"]["since"] == "2017-11-03"


def test_place_states_carry_every_field_of_the_state():
    """_place_states builds each day's ControlState field by field (not dataclasses.replace):
    every field of the running state must reach it, the point falling back to the place's
    first known one.  A field added to ControlState fails here until it is copied there."""
    from dataclasses import fields

    from frontwatch.control import _place_states
    from frontwatch.model import ControlChange, ControlState

    day = date(2017, 11, 3)
    changes = [ControlChange("gaz:q", "Al Qa'im", day, IRAQ, "event", "took it", "d1", 34.39, 40.99, "IRQ1"),
               ControlChange("gaz:q", "Al Qa'im", date(2017, 11, 5), IRAQ, "statement", "holds it", "d2")]
    states = list(_place_states("gaz:q", changes))
    assert [d for d, _ in states] == [day, date(2017, 11, 5)]
    last = states[-1][1]
    assert {f.name for f in fields(ControlState)} == {
        "place_key", "place", "controller", "since", "last_seen", "evidence", "doc_id", "latitude", "longitude"}
    assert last == ControlState("gaz:q", "Al Qa'im", IRAQ, day, date(2017, 11, 5), "took it", "d1", 34.39, 40.99)
