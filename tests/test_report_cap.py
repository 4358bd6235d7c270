"""The report's cap: up to REPORT_MAX_EVENTS every event is shown; above it a deterministic
selection (territory changes, then the most reported, deadliest, newest) and a visible note."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch import control, report
from frontwatch.control import control_as_of
from frontwatch.model import ControlChange, ControlState, Document, Event, Evidence, Location, Span

TEXT = ("Militia fighters clashed with police at the northern checkpoint of Garbo on Monday morning, "
        "residents said.")


def _event(i: int, *, sub: str = "Armed clash", sources: int = 1, fatalities: int | None = None,
           day: date | None = date(2021, 5, 1)) -> Event:
    return Event(doc_id="doc", event_type="Battles", sub_event_type=sub, evidence=Evidence(Span(0, len(TEXT))),
                 event_id=f"KEN{i}", event_date=day, actor1="Police Forces of Kenya", inter1=1,
                 location=Location("Garbo", 1.5 + i / 1000, 39.9, 1, country="KE"), fatalities=fatalities,
                 source_documents=["doc"], source_count=sources)


DOCS = [Document(id="doc", page_id="doc", text=TEXT, outlet="Kenya Desk")]


def _shown(page: str) -> list[str]:
    return re.findall(r'<li id="ev-([^"]+)"', page)


@pytest.fixture
def cap3(monkeypatch):
    monkeypatch.setattr(report, "REPORT_MAX_EVENTS", 3)


def test_under_the_cap_every_event_is_shown_without_a_note(cap3):
    events = [_event(i) for i in range(3)]
    page = report.render_report(events, [], DOCS)
    assert _shown(page) == ["KEN0", "KEN1", "KEN2"]
    assert "fw-capped" not in page and "3 events from 1 documents" in page


def test_over_the_cap_a_deterministic_selection_and_a_note(cap3):
    events = [_event(i) for i in range(10)]
    events[7] = _event(7, sub="Government regains territory")  # territory first, even with one source
    events[2] = _event(2, sources=4)
    events[5] = _event(5, fatalities=12)
    page = report.render_report(iter(events), [], DOCS)
    assert sorted(_shown(page)) == ["KEN2", "KEN5", "KEN7"]
    assert "showing 3 of 10 events" in page and "events.csv / events.parquet" in page
    assert "10 events from 1 documents" in page  # the header counts the whole corpus
    assert page.count('<circle class="ev"') == 3  # the map shows what the list shows
    # Distinct priorities: the choice (and so the page) does not depend on the order of the stream.
    assert page == report.render_report(list(reversed(events)), [], DOCS)


def test_ties_go_to_the_newest_then_the_earliest_in_the_stream(cap3):
    days = [date(2021, 5, 1) + timedelta(days=d) for d in (0, 3, 3, 3, 3)]
    events = [_event(i, day=d) for i, d in enumerate(days)]
    events.append(_event(9, day=None))  # undated: last
    page = report.render_report(events, [], DOCS)
    assert _shown(page) == ["KEN1", "KEN2", "KEN3"]


priorities = st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.none() | st.integers(0, 50),
                                st.none() | st.integers(0, 40)), max_size=60)


@given(items=priorities, cap=st.integers(0, 12))
def test_streamed_selection_is_the_top_of_a_full_sort(items, cap):
    events = [_event(i, sub="Non-state actor overtakes territory" if terr else "Armed clash", sources=n,
                     fatalities=f, day=None if d is None else date(2021, 1, 1) + timedelta(days=d))
              for i, (terr, n, f, d) in enumerate(items)]
    sel = report.ReportSelection(cap)
    for e in events:
        sel.add(e)
    ranked = sorted(range(len(events)), key=lambda i: report.report_priority(events[i], i + 1), reverse=True)
    expected = {events[i].event_id for i in ranked[:cap]}
    got = sel.events()
    assert sel.total == len(events) and {e.event_id for e in got} == expected
    assert got == sorted(got, key=lambda e: (e.event_date or date.max, e.event_id))


# --------------------------------------------------------------------------- control history

GROUPS = ["Military Forces of Mali", "JNIM", "Wagner Group"]


def _per_day_as_of(timeline: list[ControlChange]) -> list[tuple[date, list[ControlState]]]:
    """The slow, obviously right answer: control_as_of over each day's places' evidence so far."""
    out = []
    for day in sorted({c.date for c in timeline}):
        todays = {c.place_key for c in timeline if c.date == day}
        states = control_as_of([c for c in timeline if c.place_key in todays and c.date <= day], day)
        if states:
            out.append((day, states))
    return out


changes = st.lists(st.tuples(st.sampled_from(["gaz:1", "name:tessit"]), st.integers(0, 5),
                             st.sampled_from(GROUPS), st.sampled_from(["event", "statement"]),
                             st.sampled_from(["d1", "d2"]), st.booleans(), st.sampled_from(["", "said so"])),
                   max_size=40)


@settings(max_examples=300, deadline=None)
@given(items=changes)
def test_control_history_agrees_with_control_as_of_day_by_day(items):
    timeline = [ControlChange(place_key=key, place=key.split(":")[1].title(), date=date(2022, 3, 1) + timedelta(days=d),
                              controller=who, kind=kind, evidence=ev, doc_id=doc,
                              latitude=15.0 + len(key) if located else None, longitude=-1.0 if located else None)
                for key, d, who, kind, doc, located, ev in items]
    assert control.control_history(timeline) == _per_day_as_of(timeline)


def test_an_event_retold_by_many_articles_shows_its_first_quotes_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(report, "REPORT_MAX_QUOTES", 3)
    ids = [f"doc{i}" for i in range(7)]
    docs = [Document(id=i, page_id=i, text=TEXT, outlet=f"Desk {n}") for n, i in enumerate(ids)]
    many = _event(0, sources=7)
    many.source_documents = ids
    many.evidence_all = {i: Evidence(Span(0, len(TEXT))) for i in ids}
    many.fatalities_by_source = {f"Desk {n}": 2 for n in range(7)}
    few = _event(1, sources=2)
    few.source_documents = ids[:2]
    few.evidence_all = {i: Evidence(Span(0, len(TEXT))) for i in ids[:2]}
    page = report.render_report([many, few], [], docs)
    items = {m.group(1): m.group(0) for m in re.finditer(r'<li id="ev-([^"]+)".*?</li>', page, re.S)}
    assert items["KEN0"].count('class="evidence"') == 3 and "and 4 more quoted reports" in items["KEN0"]
    assert all(f"{i} \u2014 Desk" in items["KEN0"] for i in ids[:3]) and "doc3 \u2014" not in items["KEN0"]
    assert "doc6" in items["KEN0"]  # every source is still listed
    assert items["KEN1"].count('class="evidence"') == 2 and "more quoted" not in items["KEN1"]
    assert len(many.evidence_all) == 7  # the caller's event is not changed


def test_a_selection_that_fetches_its_events_again_gives_the_same_page(cap3):
    """With ``fetch`` the selection keeps pins, not events, and reads the chosen ones again by
    stream position; with ``items`` it keeps pins and their list items: the page is the same,
    the quote cap included."""
    ids = [f"doc{i}" for i in range(7)]
    docs = [Document(id=i, page_id=i, text=TEXT, outlet=f"Desk {n}") for n, i in enumerate(ids)]
    events = [_event(i, sources=i % 4, fatalities=i if i % 3 else None,
                     day=date(2021, 5, 1) + timedelta(days=i % 5) if i != 4 else None) for i in range(9)]
    events[6] = _event(6, sub="Government regains territory")
    events[2].source_documents, events[2].source_count = ids, 7
    events[2].evidence_all = {i: Evidence(Span(0, len(TEXT))) for i in ids}
    events[2].location = None  # in the list, not on the map
    asked: list[list[int]] = []

    def fetch(positions: list[int]) -> list[Event]:
        asked.append(positions)
        return [events[p] for p in positions]

    lookup = report.DocumentLookup.from_documents(docs)
    pages = []
    # Also with the list items made as events are added (kept as text, evicted ones dropped).
    for sel in (report.ReportSelection(), report.ReportSelection(fetch=fetch), report.ReportSelection(items=lookup)):
        for e in events:
            sel.add(e)
        pages.append("".join(report.report_parts(sel, [], lookup, len(docs))))
    assert pages[0] == pages[1] == pages[2] and "showing 3 of 9 events" in pages[1]
    assert sorted(p for ps in asked for p in ps) == sorted(int(i[3:]) for i in _shown(pages[1]))
    assert "and 2 more quoted reports" in pages[1] and len(events[2].evidence_all) == 7
