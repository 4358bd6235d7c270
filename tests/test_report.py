"""The self-contained HTML report (frontwatch.report), checked as text and in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontwatch.control import control_timeline
from frontwatch.merge import load_place_name_rules, merge_events
from frontwatch.model import ControlStatement, Document, Event, Evidence, Location, PlaceMention, Span
from frontwatch.report import CSP, highlight, load_basemap, render_report, script_json, write_report

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"
IRAQ = "Military Forces of Iraq"
ISIS = "Islamic State (Iraq)"


def _doc(doc_id: str, text: str, outlet: str, published: date) -> Document:
    return Document(id=doc_id, page_id=doc_id, text=text, outlet=outlet, published=published, country="IQ")


def _event(d: Document, sentence: str, sub: str, etype: str, place: str, when: date, lat: float, lon: float,
           gid: str, trigger: str, actor: str, fatalities: int | None = None) -> Event:
    s0 = d.text.index(sentence)
    p0, t0, a0 = d.text.index(place, s0), d.text.index(trigger, s0), d.text.index(actor, s0)
    ev = Evidence(Span(s0, s0 + len(sentence)), trigger=Span(t0, t0 + len(trigger)), place=Span(p0, p0 + len(place)),
                  actors=[Span(a0, a0 + len(actor))])
    e = Event(doc_id=d.id, event_type=etype, sub_event_type=sub, evidence=ev, event_date=when, time_precision=1,
              actor1=IRAQ, actor2=ISIS, inter1=1, inter2=2, place=PlaceMention(p0, p0 + len(place), place, place),
              location=Location(place, lat, lon, 1, country="IQ", gazetteer_id=gid), fatalities=fatalities)
    d.events.append(e)
    return e


@pytest.fixture(scope="module")
def campaign():
    """Three days of a small offensive, told in my own words; one hostile page."""
    a = _doc("a1", "Iraqi soldiers pushed into Ubaydi on Tuesday, a commander said. "
                   "Ubaydi lies east of al-Qa'im, which the militants still hold.", "Outlet A", date(2017, 10, 31))
    _event(a, "Iraqi soldiers pushed into Ubaydi on Tuesday, a commander said.", "Government regains territory",
           "Battles", "Ubaydi", date(2017, 10, 31), 34.377, 41.093, "g-ub", "pushed into", "Iraqi soldiers")
    a.control.append(ControlStatement(
        place=PlaceMention(a.text.index("al-Qa'im"), a.text.index("al-Qa'im") + 8, "al-Qa'im", "al-Qa'im"),
        controller=ISIS, evidence=Evidence(Span(a.text.index("Ubaydi lies"), len(a.text)))))
    b = _doc("b1", "Fighting near Rawa killed nine militants on Wednesday. "
                   f"A reader pasted {XSS} and {BREAKOUT} into the story.", "Outlet B", date(2017, 11, 1))
    _event(b, b.text, "Armed clash", "Battles", "Rawa", date(2017, 11, 1), 34.47, 41.91, "g-rawa", "Fighting",
           "militants", fatalities=9)
    c = _doc("c1", "Government troops took al-Qa'im on Friday after a week of fighting.", "Outlet C",
             date(2017, 11, 3))
    _event(c, c.text, "Government regains territory", "Battles", "al-Qa'im", date(2017, 11, 3), 34.3925, 40.9895,
           "g-qaim", "took", "Government troops")
    docs = [a, b, c]
    rules = load_place_name_rules()
    events = merge_events(docs, rules)
    return events, control_timeline(events, docs, rules), docs


@pytest.fixture(scope="module")
def page(campaign):
    return render_report(*campaign, title=f"Report {XSS}")


def test_page_is_self_contained(page):
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    # nothing is loaded from anywhere: no src/href attributes, no url() in CSS, no @import
    assert not re.search(r"\s(src|href)\s*=", page.replace(html.escape(XSS), ""))
    assert "url(" not in page and "@import" not in page
    assert "innerHTML" not in page and "outerHTML" not in page and "insertAdjacentHTML" not in page
    assert page.count("<script") == 2 and page.count("</script>") == 2


def test_untrusted_text_is_escaped(page):
    assert XSS not in page and BREAKOUT not in page
    assert html.escape(XSS) in page  # shown literally in the evidence sentence and the title
    assert "<title>Report &lt;img" in page


def test_embedded_json_round_trips_and_cannot_break_out(campaign):
    data = {"s": BREAKOUT + "<!-- \u2028\u2029 & >", "n": [1, 2]}
    s = script_json(data)
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s) == data


@given(st.text(max_size=60))
def test_script_json_is_inert_for_any_text(s):
    out = script_json({"t": s})
    assert "</" not in out and "<!--" not in out
    assert json.loads(out)["t"] == s


def test_highlight_escapes_then_marks():
    text = "Militants <b>attacked</b> Hit & fled."
    ev = Evidence(Span(0, len(text)), trigger=Span(13, 21), place=Span(26, 29))
    out = highlight(text, ev)
    assert out == ('Militants &lt;b&gt;<mark class="trigger">attacked</mark>&lt;/b&gt; '
                   '<mark class="place">Hit</mark> &amp; fled.')
    assert highlight(" a\n<b", Evidence(Span(0, 5), trigger=Span(0, 4))) == '<mark class="trigger"> a\n&lt;</mark>b'
    # spans outside the sentence or overlapping an earlier one are ignored, not mangled
    ev2 = Evidence(Span(0, 9), trigger=Span(0, 9), place=Span(3, 20))
    assert highlight(text, ev2) == '<mark class="trigger">Militants</mark>'


@given(st.text(max_size=80), st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=4))
def test_highlight_shows_exactly_the_sentence_for_any_text_and_spans(text, pairs):
    spans = [Span(min(a, b), max(a, b)) for a, b in pairs]
    ev = Evidence(Span(0, len(text)), trigger=spans[0] if spans else None, actors=spans[1:])
    out = highlight(text, ev)
    assert "<" not in re.sub(r'</?mark( class="(trigger|actor|place|date|number)")?>', "", out)
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text


def test_event_list_shows_sources_and_evidence(page):
    assert "Outlet B" in page and "b1" in page
    assert '<mark class="trigger">Fighting</mark>' in page
    assert '<mark class="actor">Government troops</mark>' in page
    assert "Fatalities: 9" in page


def test_basemap_is_natural_earth_and_small():
    bm = load_basemap()
    kinds = {f["properties"]["kind"] for f in bm["features"]}
    assert kinds == {"country", "river"}
    names = {f["properties"].get("name") for f in bm["features"]}
    assert {"Iraq", "Syria", "Jordan"} <= names
    path = REPO / "src" / "frontwatch" / "data" / "basemap" / "world.geojson"
    assert path.stat().st_size < 3_000_000


def test_write_report_writes_file(tmp_path, campaign):
    out = write_report(*campaign, tmp_path / "report.html")
    text = out.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Iraq" in text  # the country under the events is drawn


def test_empty_corpus_still_renders(tmp_path):
    out = write_report([], [], [], tmp_path / "r.html")
    assert "0 events from 0 documents" in out.read_text("utf-8")


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def test_report_in_chromium(browser, campaign, tmp_path):
    out = write_report(*campaign, tmp_path / "report.html", title=f"Report {XSS}")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    outside, dialogs, errors = [], [], []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(out.as_uri())
    pg.wait_for_selector("#fw-date")

    visible = "() => [...document.querySelectorAll('circle.ev')].filter(c => getComputedStyle(c).display !== 'none').length"
    assert pg.text_content("#fw-date") == "2017-11-03"
    assert pg.evaluate(visible) == 3
    pg.eval_on_selector("#fw-day", "el => { el.value = '0'; el.dispatchEvent(new Event('input')); }")
    assert pg.text_content("#fw-date") == "2017-10-31"
    assert pg.evaluate(visible) == 1
    # control on the first day: al-Qa'im held by the militants (statement), Ubaydi by the army
    fills = pg.evaluate("() => [...document.querySelectorAll('rect.ctl')].map(r => "
                        "[r.querySelector('title').textContent, r.getAttribute('fill'), r.classList.contains('hidden')])")
    shown = {t.split(":")[0]: f for t, f, hidden in fills if not hidden}
    assert set(shown) == {"Ubaydi", "al-Qa'im"}
    assert shown["Ubaydi"] != shown["al-Qa'im"]
    pg.eval_on_selector("#fw-day", "el => { el.value = el.max; el.dispatchEvent(new Event('input')); }")
    titles = pg.evaluate("() => [...document.querySelectorAll('rect.ctl title')].map(t => t.textContent)")
    assert any(t.startswith("al-Qa'im: held by Military Forces of Iraq since 2017-11-03") for t in titles)

    # play replays from the first day
    pg.click("#fw-play")
    pg.wait_for_function("() => document.getElementById('fw-date').textContent === '2017-11-01'", timeout=10_000)
    pg.click("#fw-play")

    # hostile page text is inert and shown literally
    assert pg.query_selector_all("img") == []
    assert pg.locator("p.evidence", has_text=XSS).count() == 1
    assert pg.title() == f"Report {XSS}"
    assert dialogs == [] and errors == [] and outside == []

    ARTIFACTS.mkdir(exist_ok=True)
    pg.eval_on_selector("#fw-day", "el => { el.value = el.max; el.dispatchEvent(new Event('input')); }")
    pg.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    shutil.copy(out, ARTIFACTS / "report.html")
    ctx.close()


def _drawn_the_old_way(basemap: dict, fr) -> tuple[list[str], list[tuple[float, float] | None]]:
    """The basemap's paths and country labels as report.py drew them before it was sped up: a
    method call per projected point, and a full even-odd test per grid point."""
    from frontwatch.report import LABEL_GRID, LABEL_MIN_CELLS, _rings

    def inside(x, y, rings):
        hit = False
        for ring in rings:
            j = len(ring) - 1
            for i in range(len(ring)):
                (xi, yi), (xj, yj) = ring[i], ring[j]
                if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                    hit = not hit
                j = i
        return hit

    paths, labels = [], []
    for f in basemap["features"]:
        geom = f["geometry"]
        closed = geom["type"] in ("Polygon", "MultiPolygon")
        parts, kept = [], []
        mx, my = (fr.east - fr.west) * 0.5, (fr.north - fr.south) * 0.5
        for ring in _rings(geom):
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            if len(ring) < 2 or max(lons) < fr.west - mx or min(lons) > fr.east + mx or \
                    max(lats) < fr.south - my or min(lats) > fr.north + my:
                continue
            xy = [fr.xy(p[0], p[1]) for p in ring]
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in xy) + ("Z" if closed else ""))
            kept.append(xy)
        paths.append("".join(parts))
        if not parts or not closed:
            labels.append(None)
            continue
        boxes = [(min(x for x, _ in r), max(x for x, _ in r), min(y for _, y in r), max(y for _, y in r), r) for r in kept]
        hits = [(x, y) for gx in range(LABEL_GRID) for gy in range(LABEL_GRID)
                if inside(x := (gx + 0.5) * fr.width / LABEL_GRID, y := (gy + 0.5) * fr.height / LABEL_GRID,
                          [r for x0, x1, y0, y1, r in boxes if x0 <= x <= x1 and y0 <= y <= y1])]
        labels.append(None if len(hits) < LABEL_MIN_CELLS else
                      (sum(x for x, _ in hits) / len(hits), sum(y for _, y in hits) / len(hits)))
    return paths, labels


@pytest.mark.parametrize("corners", [[(42.0, 33.0), (44.5, 36.5)], [(-10.0, 30.0), (40.0, 60.0)], []])
def test_basemap_drawn_as_before(corners):
    from frontwatch.report import _frame, _label_point, _path, _rings

    bm = load_basemap()
    fr = _frame(corners)
    paths, labels = _drawn_the_old_way(bm, fr)
    for f, old_path, old_label in zip(bm["features"], paths, labels, strict=True):
        closed = f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        d, rings = _path(_rings(f["geometry"]), fr, closed)
        assert d == old_path
        if d and closed:
            assert _label_point(rings, fr) == old_label
    assert any(label is not None for label in labels)  # some country is labelled


def test_event_lines_escape_every_value(campaign):
    events, timeline, docs = campaign
    odd = replace(events[0], actor1="Sons of Iraq & allies", assoc_actor_1='the "Tigers"',
                  notes="Reported as <b>retaken</b>.", event_id="FW<1>")
    page = render_report([odd], timeline, docs)
    assert ('<div class="emeta">FW&lt;1&gt; \u00b7 Sons of Iraq &amp; allies vs Islamic State (Iraq) '
            "(with the &quot;Tigers&quot;)</div>") in page
    assert '<div class="note">Reported as &lt;b&gt;retaken&lt;/b&gt;.</div>' in page
    assert 'id="ev-FW&lt;1&gt;"' in page and "<b>retaken" not in page


def test_highlight_spans_starting_together_longest_first():
    text = "Army units shelled Kobani villages overnight."
    ev = Evidence(Span(0, len(text)), trigger=Span(11, 18), place=Span(19, 34), actors=[Span(19, 25), Span(0, 10)])
    assert highlight(text, ev) == ('<mark class="actor">Army units</mark> <mark class="trigger">shelled</mark> '
                                   '<mark class="place">Kobani villages</mark> overnight.')
