"""Merging reports across sources, corpus-level dates and event ids (frontwatch.merge)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontwatch.errors import ConfigError
from frontwatch.merge import (
    _merged_fields,
    assign_event_ids,
    build_merged,
    corpus_span,
    haversine_km,
    infer_corpus_dates,
    load_place_name_rules,
    merge_events,
    single_report_fields,
    source_report,
)
from frontwatch.model import DateMention, DateSource, Document, Event, Evidence, Location, PlaceMention, Span

GRT = "Government regains territory"
CLASH = "Armed clash"


@pytest.fixture(scope="module")
def rules():
    return load_place_name_rules()


def doc(doc_id: str, text: str, outlet: str | None = "Outlet A", published: date | None = date(2019, 3, 2),
        page_id: str | None = None, content_hash: str = "") -> Document:
    return Document(id=doc_id, page_id=page_id or doc_id.split("#")[0], text=text, outlet=outlet,
                    published=published, content_hash=content_hash, country="SY")


def event(d: Document, sentence: str, sub: str, place: str, when: date | None, *, precision: int = 1,
          loc: Location | None = None, fatalities: int | None = None, number: str | None = None,
          actor1: str = "Military Forces of Syria", actor2: str = "Islamic State (Syria)",
          month: int | None = None, day: int | None = None) -> Event:
    start = d.text.index(sentence)
    ev = Evidence(sentence=Span(start, start + len(sentence)))
    p0 = d.text.index(place, start)
    ev.place = Span(p0, p0 + len(place))
    if number:
        n0 = d.text.index(number, start)
        ev.number = Span(n0, n0 + len(number))
    e = Event(
        doc_id=d.id, event_type="Battles", sub_event_type=sub, evidence=ev, event_date=when,
        time_precision=precision if when else None, actor1=actor1, actor2=actor2, inter1=1, inter2=2,
        place=PlaceMention(p0, p0 + len(place), place, place), location=loc, fatalities=fatalities,
        date_month=month, date_day=day,
    )
    d.events.append(e)
    return e


def loc(name: str, lat: float, lon: float, gid: str, precision: int = 1) -> Location:
    return Location(name=name, latitude=lat, longitude=lon, geo_precision=precision, country="SY", gazetteer_id=gid)


MAYADIN = ("Mayadin", 35.0207, 40.4516, "g-mayadin")


def test_place_name_keys_unify_transliterations(rules):
    assert rules.key("al-Qa\u2019im city") == rules.key("Al Qaim") == "qaim"
    assert rules.key("Jihash valleys") == rules.key("Jihash", "Valley") == "jihashvalley"
    assert rules.key("Jihash valley") != rules.key("Jihash")
    assert rules.key("al-Qa'im hills") != rules.key("al-Qa'im")
    assert rules.key("H-1 air base") == rules.key("H1 Airbase")
    assert rules.key("Deir ez-Zor") == rules.key("Deir Zor")
    assert rules.key("Rawa") != rules.key("Ana")
    assert rules.key("") == ""


@given(st.text(max_size=40))
def test_place_name_key_is_total_and_idempotent_on_ascii_keys(rules, s):
    r = rules
    k = r.key(s)
    assert k == "" or k.isalnum()
    assert r.key(k) == k  # a key is its own key: keys can be stored and compared again


def test_user_rules_extend_and_bad_files_raise(tmp_path: Path):
    extra = tmp_path / "mine.yaml"
    extra.write_text("version: 1\ndescriptors: [oilfield]\n")
    r = load_place_name_rules([extra])
    assert r.key("Omar oilfield") == r.key("Omar")
    assert load_place_name_rules().key("Omar oilfield") != "omar"
    bad = tmp_path / "bad.yaml"
    bad.write_text("descriptors: oilfield\n")
    with pytest.raises(ConfigError):
        load_place_name_rules([bad])
    with pytest.raises(ConfigError):
        load_place_name_rules([tmp_path / "missing.yaml"])


def test_two_outlets_reporting_one_capture_merge(rules):
    a = doc("a1", "Syrian troops took back Mayadin from the jihadists on Saturday, a military source said.",
            outlet="Outlet A")
    b = doc("b1", "The army says it has recaptured the town of Mayadin after a week of fighting.",
            outlet="Outlet B")
    event(a, a.text, GRT, "Mayadin", date(2019, 3, 2), loc=loc(*MAYADIN))
    event(b, b.text, GRT, "Mayadin", date(2019, 3, 2), loc=loc(*MAYADIN), actor1="Military Forces of Syria",
          actor2="Islamic State (Syria)")
    merged = merge_events([a, b], rules)
    assert len(merged) == 1
    m = merged[0]
    assert m.source_documents == ["a1", "b1"]
    assert m.sources == ["Outlet A", "Outlet B"]
    assert (m.source_count, m.outlet_count) == (2, 2)
    assert set(m.evidence_all) == {"a1", "b1"}
    assert m.event_id == "SYR1"
    # inputs untouched
    assert a.events[0].source_documents == [] and a.events[0].event_id == ""


def test_unlocated_reports_merge_on_normalised_name(rules):
    a = doc("a1", "Government forces entered al-Qa'im city on Friday.")
    b = doc("b1", "Troops captured Al Qaim on Friday evening.", outlet="Outlet B")
    event(a, a.text, GRT, "al-Qa'im", date(2017, 11, 3))
    event(b, b.text, GRT, "Al Qaim", date(2017, 11, 3))
    assert len(merge_events([a, b], rules)) == 1


def test_repost_counts_once(rules):
    text = "Rebels seized the village of Tell Hamis overnight, the outlet reported."
    orig = doc("p1", text, outlet="Outlet A")
    repost = doc("p2#2", "Reposted from elsewhere.\n\n" + text, outlet="Outlet A", page_id="p2")
    other = doc("p3", "Opposition fighters captured Tell Hamis, according to a monitor.", outlet="Outlet C")
    for d in (orig, repost, other):
        s = d.text[d.text.index("Rebels") if "Rebels" in d.text else d.text.index("Opposition"):]
        event(d, s, "Non-state actor overtakes territory", "Tell Hamis", date(2019, 3, 2),
              actor1="Opposition Rebels (Syria)", actor2="Military Forces of Syria")
    m = merge_events([orig, repost, other], rules)
    assert len(m) == 1
    assert m[0].source_documents == ["p1", "p2#2", "p3"]
    assert m[0].source_count == 2  # the repost is the same report
    assert m[0].outlet_count == 2


def test_build_merged_in_place_is_the_copy_and_groups_reposts_across_outlet_spellings(rules):
    text = "Rebels seized the village of Tell Hamis overnight, the outlet reported."
    orig = doc("p1", text, outlet="Outlet A")
    # The same article reposted under another spelling of the outlet, a third outlet, and a
    # second article of the first outlet (a report of its own: other hash, other sentence).
    repost = doc("p2#2", "Reposted from elsewhere.\n\n" + text, outlet="outlet-a", page_id="p2")
    other = doc("p3", "Opposition fighters captured Tell Hamis, 3 killed, according to a monitor.",
                outlet="Outlet C")
    later = doc("p4", "Later, rebels said Tell Hamis was theirs, 5 killed.", outlet="OUTLET A", content_hash="h4")
    for d, n in ((orig, None), (repost, None), (other, 3), (later, 5)):
        start = next(w for w in ("Rebels", "Opposition", "Later") if w in d.text)
        event(d, d.text[d.text.index(start):], "Non-state actor overtakes territory", "Tell Hamis",
              date(2019, 3, 2), actor1="Opposition Rebels (Syria)", actor2="Military Forces of Syria",
              fatalities=n, number=str(n) if n else None)
    reports = [source_report(d.events[0], d) for d in (orig, repost, other, later)]
    copied = build_merged(reports, "SYR7")
    assert reports[0].event.event_id == "" and reports[0].event.source_documents == []  # untouched
    assert copied.source_documents == ["p1", "p2#2", "p3", "p4"]
    assert (copied.source_count, copied.outlet_count) == (3, 2)  # the repost counts once
    assert copied.fatalities == 3 and copied.fatalities_by_source == {"Outlet C": 3, "OUTLET A": 5}
    primary = reports[0].event
    assert build_merged(reports, "SYR7", in_place=True) is primary
    assert primary == copied


@pytest.mark.parametrize("case", range(6))
def test_one_report_cluster_takes_the_general_rules_values(case):
    # build_merged's path for a cluster of one report must give what the general rules give.
    text = "Rebels, backed by local militia, seized Tell Hamis on Saturday; 7 fighters died.  "
    d = doc("p1", text, outlet=None if case in (1, 4) else "Outlet A")
    e = event(d, text.strip(), "Non-state actor overtakes territory", "Tell Hamis", date(2019, 3, 2),
              actor1="Opposition Rebels (Syria)", actor2="Military Forces of Syria",
              fatalities=None if case in (2, 4) else 7, number=None if case in (2, 4) else "7",
              loc=loc(*MAYADIN) if case != 3 else None)
    e.assoc_actor_1 = {0: "Local Militia (Syria); Opposition Rebels (Syria); Local Militia (Syria)",
                       5: " ;  Local Militia (Syria)"}.get(case, "")
    e.assoc_actor_2 = "Local Militia (Syria); Police Forces of Syria" if case in (0, 3) else ""
    e.tags = ["modality:asserted", "modality:asserted", "hedged"] if case % 2 else []
    e.notes = "  Seized overnight.  " if case in (0, 2) else ""
    e.claimed_by = "Opposition Rebels (Syria)" if case == 3 else ""
    if case in (3, 4, 5):  # per-source figures from an earlier merge, agreeing or not
        e.fatalities_by_source = {"Monitor": 7 if case == 5 else 9, "Outlet B": 11 if case == 4 else 7}
    if case == 4:
        e.evidence = None  # type: ignore[assignment]
    report = source_report(e, d)
    general = _merged_fields([report], "SYR3")
    assert single_report_fields(report, "SYR3") == general
    assert general["assoc_actor_1"] in ("", "Local Militia (Syria)")  # the cases reach the joins


def test_same_outlet_two_articles_are_two_reports(rules):
    a = doc("d1", "The army retook Mayadin on Saturday.", outlet="Outlet A", content_hash="h1")
    b = doc("d2", "Two days ago the army had retaken Mayadin, completing its advance.", outlet="Outlet A",
            published=date(2019, 3, 4), content_hash="h2")
    event(a, a.text, GRT, "Mayadin", date(2019, 3, 2))
    event(b, b.text, GRT, "Mayadin", date(2019, 3, 2))
    m = merge_events([a, b], rules)[0]
    assert (m.source_count, m.outlet_count) == (2, 1)


def test_fatalities_disagreement_is_kept(rules):
    a = doc("a1", "Scores of militants died in clashes near Mayadin on Saturday.", outlet="Outlet A")
    b = doc("b1", "Dozens of fighters were killed in battles around Mayadin.", outlet="Outlet B")
    event(a, a.text, CLASH, "Mayadin", date(2019, 3, 2), fatalities=60, number="Scores")
    event(b, b.text, CLASH, "Mayadin", date(2019, 3, 2), fatalities=12, number="Dozens")
    m = merge_events([a, b], rules)[0]
    assert m.fatalities == 12
    assert (m.fatalities_low, m.fatalities_high) == (12, 60)
    assert m.fatalities_by_source == {"Outlet A": 60, "Outlet B": 12}
    assert "Outlet A reported Scores (60)" in m.notes and "Outlet B reported Dozens (12)" in m.notes


def test_agreeing_fatalities_leave_no_note(rules):
    a = doc("a1", "Four soldiers died at Mayadin.", outlet="Outlet A")
    b = doc("b1", "Four troops were killed at Mayadin.", outlet="Outlet B")
    event(a, a.text, CLASH, "Mayadin", date(2019, 3, 2), fatalities=4)
    event(b, b.text, CLASH, "Mayadin", date(2019, 3, 2), fatalities=4)
    m = merge_events([a, b], rules)[0]
    assert m.fatalities == 4 and m.notes == ""


def test_different_days_and_far_places_do_not_merge(rules):
    a = doc("a1", "The army retook Mayadin on Saturday.")
    b = doc("b1", "The army retook Mayadin on Monday.", outlet="Outlet B")
    c = doc("c1", "The army retook Hajin on Saturday.", outlet="Outlet C")
    event(a, a.text, GRT, "Mayadin", date(2019, 3, 2), loc=loc(*MAYADIN))
    event(b, b.text, GRT, "Mayadin", date(2019, 3, 4), loc=loc(*MAYADIN))
    event(c, c.text, GRT, "Hajin", date(2019, 3, 2), loc=loc("Hajin", 34.6986, 40.8367, "g-hajin"))
    assert len(merge_events([a, b, c], rules)) == 3


def test_homonyms_far_apart_do_not_merge(rules):
    a = doc("a1", "Fighting erupted in Rawa on Saturday.")
    b = doc("b1", "Fighting erupted in Rawa on Saturday.", outlet="Outlet B")
    event(a, a.text, CLASH, "Rawa", date(2019, 3, 2), loc=loc("Rawa", 34.47, 41.91, "g-rawa-iq"))
    event(b, b.text, CLASH, "Rawa", date(2019, 3, 2), loc=loc("Rawa", 10.5, 7.2, "g-rawa-ng"))
    assert len(merge_events([a, b], rules)) == 2


def test_nearby_exact_points_merge_across_articles_but_not_within_one(rules):
    a = doc("a1", "Clashes broke out in Husaibah on Saturday.")
    b = doc("b1", "Clashes broke out in Husaybah town on Saturday.", outlet="Outlet B")
    event(a, a.text, CLASH, "Husaibah", date(2019, 3, 2), loc=loc("Husaibah", 34.39, 40.99, "g1"))
    event(b, b.text, CLASH, "Husaybah", date(2019, 3, 2), loc=loc("Husaybah", 34.40, 41.00, "g2"))
    assert len(merge_events([a, b], rules)) == 1
    # one article listing two neighbouring places means two events
    c = doc("c1", "Troops took Husaybah and al-Karabilah on Saturday.")
    event(c, c.text, GRT, "Husaybah", date(2019, 3, 2), loc=loc("Husaybah", 34.40, 41.00, "g2"))
    event(c, c.text, GRT, "al-Karabilah", date(2019, 3, 2), loc=loc("Karabilah", 34.41, 41.02, "g3"))
    assert len(merge_events([c], rules)) == 2


def test_an_article_naming_two_places_splits_them_across_a_cluster_of_other_articles(rules):
    # Another article's Husaybah is within merging distance of al-Karabilah, but the article
    # naming both, whose Husaybah joined that cluster, says they are two places.
    b = doc("b1", "Troops took Husaybah on Saturday.", outlet="Outlet B")
    event(b, b.text, GRT, "Husaybah", date(2019, 3, 2), loc=loc("Husaybah", 34.40, 41.00, "g2"))
    c = doc("c1", "Troops took Husaybah and al-Karabilah on Saturday.")
    event(c, c.text, GRT, "Husaybah", date(2019, 3, 2), loc=loc("Husaybah", 34.40, 41.00, "g2"))
    event(c, c.text, GRT, "al-Karabilah", date(2019, 3, 2), loc=loc("Karabilah", 34.41, 41.02, "g3"))
    merged = sorted(merge_events([b, c], rules), key=lambda e: e.location.name)
    assert [(e.location.name, e.source_documents) for e in merged] == [
        ("Husaybah", ["b1", "c1"]), ("Karabilah", ["c1"])]
    # Without the article's own Husaybah, al-Karabilah is the same place as b1's Husaybah.
    c.events.pop(0)
    assert len(merge_events([b, c], rules)) == 1


def test_week_precision_joins_day_precise_report_without_chaining(rules):
    a = doc("a1", "The army retook Mayadin on Saturday.")
    b = doc("b1", "The army retook Mayadin on Tuesday.", outlet="Outlet B")
    c = doc("c1", "Last week the army retook Mayadin.", outlet="Outlet C")
    event(a, a.text, GRT, "Mayadin", date(2019, 3, 2))
    event(b, b.text, GRT, "Mayadin", date(2019, 3, 5))
    event(c, c.text, GRT, "Mayadin", date(2019, 3, 3), precision=2)
    merged = merge_events([a, b, c], rules)
    assert len(merged) == 2
    weekly = next(m for m in merged if "c1" in m.source_documents)
    assert weekly.source_documents == ["a1", "c1"]  # nearest day-precise report
    assert weekly.time_precision == 1 and weekly.event_date == date(2019, 3, 2)


def test_undated_retelling_joins_the_one_dated_event(rules):
    a = doc("a1", "The army retook Mayadin on Saturday.")
    b = doc("b1", "Since the army retook Mayadin, shops have reopened.", outlet="Outlet B", published=None)
    c = doc("c1", "After government forces recaptured Hajin, civilians returned.", outlet="Outlet C", published=None)
    event(a, a.text, GRT, "Mayadin", date(2019, 3, 2))
    e_b = event(b, b.text, GRT, "Mayadin", None)
    e_b.date_reason = "no date in the sentence"
    event(c, c.text, GRT, "Hajin", None)
    merged = merge_events([a, b, c], rules)
    assert len(merged) == 2
    may = next(m for m in merged if m.place.name == "Mayadin")
    assert may.event_date == date(2019, 3, 2) and may.source_documents == ["a1", "b1"]
    hajin = next(m for m in merged if m.place.name == "Hajin")
    assert hajin.event_date is None and hajin.event_id == "SYR2"  # undated ones are numbered last
    # two dated captures of Mayadin: the undated retelling cannot say which one it is
    d = doc("d1", "The army retook Mayadin again on Tuesday.", outlet="Outlet D")
    event(d, d.text, GRT, "Mayadin", date(2019, 3, 26))
    assert len(merge_events([a, b, d], rules)) == 3


def test_actors_union_into_associates(rules):
    a = doc("a1", "The army retook Mayadin on Saturday.")
    b = doc("b1", "Militias retook Mayadin on Saturday.", outlet="Outlet B")
    event(a, a.text, GRT, "Mayadin", date(2019, 3, 2))
    event(b, b.text, GRT, "Mayadin", date(2019, 3, 2), actor1="NDF: National Defence Forces")
    m = merge_events([a, b], rules)[0]
    assert m.actor1 == "Military Forces of Syria"
    assert m.assoc_actor_1 == "NDF: National Defence Forces"
    assert m.actor2 == "Islamic State (Syria)" and m.assoc_actor_2 == ""


def test_event_ids_are_stable_and_per_country(rules):
    docs = []
    for i, (name, day) in enumerate([("Mayadin", 5), ("Hajin", 1), ("Ashara", 3)]):
        d = doc(f"d{i}", f"The army retook {name} today.", outlet=f"Outlet {i}")
        event(d, d.text, GRT, name, date(2019, 3, day))
        docs.append(d)
    iq = doc("iq", "Iraqi troops retook Rawa today.", outlet="Outlet Q")
    iq.country = "IQ"
    event(iq, iq.text, GRT, "Rawa", date(2019, 3, 4), loc=Location("Rawa", 34.47, 41.91, 1, country="IQ"))
    m1 = {e.place.name: e.event_id for e in merge_events(docs + [iq], rules)}
    m2 = {e.place.name: e.event_id for e in merge_events(list(reversed(docs + [iq])), rules)}
    assert m1 == m2 == {"Hajin": "SYR1", "Ashara": "SYR2", "Mayadin": "SYR3", "Rawa": "IRQ1"}


def test_assign_event_ids_without_country():
    e = Event(doc_id="x", event_type="Battles", sub_event_type=CLASH, evidence=Evidence(Span(0, 1)))
    assign_event_ids([e])
    assert e.event_id == "XXX1"


# --------------------------------------------------------------------------- corpus dates


def test_year_inferred_from_dated_article(rules):
    dated = doc("dated", "On 26 October the army and militias took the Jubab area and Maslus mountain.",
                published=date(2017, 10, 26), outlet="Outlet A")
    event(dated, dated.text, GRT, "Jubab", date(2017, 10, 26))
    undated = doc("undated", "Back on October 26 Jubab was retaken. On November 3 troops entered Rawa.",
                  published=None, outlet="Outlet B")
    e1 = event(undated, "Back on October 26 Jubab was retaken.", GRT, "Jubab", None, month=10, day=26)
    e2 = event(undated, "On November 3 troops entered Rawa.", GRT, "Rawa", None, month=11, day=3)
    infer_corpus_dates([dated, undated], rules)
    assert e1.event_date == date(2017, 10, 26) and e1.date_reason == "year from corpus: dated"
    assert e2.event_date == date(2017, 11, 3) and e2.date_reason.startswith("year from corpus: dated")
    assert e1.time_precision is None  # precision is the extractor's to set, not changed here
    assert undated.published == date(2017, 11, 3)
    assert undated.published_source == DateSource.CORPUS
    # once dated, both reports of the Jubab capture merge
    merged = merge_events([dated, undated], rules)
    jubab = [m for m in merged if m.place.name == "Jubab"]
    assert len(jubab) == 1 and jubab[0].source_documents == ["dated", "undated"]


def test_year_chooses_nearest_across_new_year(rules):
    dated = doc("dated", "Troops took Rawa on 30 December.", published=date(2016, 12, 30))
    event(dated, dated.text, GRT, "Rawa", date(2016, 12, 30))
    undated = doc("u", "Rawa fell on December 30. On January 2 the army reached Ana.", published=None)
    event(undated, "Rawa fell on December 30.", GRT, "Rawa", None, month=12, day=30)
    e2 = event(undated, "On January 2 the army reached Ana.", GRT, "Ana", None, month=1, day=2)
    infer_corpus_dates([dated, undated], rules)
    assert e2.event_date == date(2017, 1, 2)


def test_year_dating_propagates_through_corpus(rules):
    a = doc("a", "Troops took Rawa on 30 October.", published=date(2017, 10, 30))
    event(a, a.text, GRT, "Rawa", date(2017, 10, 30))
    b = doc("b", "Rawa fell on October 30 and Ana on November 2.", published=None)
    event(b, b.text, GRT, "Rawa", None, month=10, day=30)
    event(b, b.text, GRT, "Ana", None, month=11, day=2)
    c = doc("c", "Ana fell on November 2.", published=None)
    e = event(c, c.text, GRT, "Ana", None, month=11, day=2)
    infer_corpus_dates([c, b, a], rules)
    assert e.event_date == date(2017, 11, 2) and e.date_reason.startswith("year from corpus: b")


def test_fallback_latest_stated_year_then_undated(rules):
    a = doc("a", "The group has held Rawa since 2014. On June 5 troops retook it, ending the 2016 campaign.",
            published=None)
    e = event(a, a.text, GRT, "Rawa", None, month=6, day=5)
    a.dates.append(DateMention(0, 4, "2015", date(2015, 1, 1), 3))
    b = doc("b", "On June 5 troops retook Ana.", published=None)
    e2 = event(b, b.text, GRT, "Ana", None, month=6, day=5)
    infer_corpus_dates([a, b], rules)
    assert e.event_date == date(2016, 6, 5)
    assert e.date_reason == "year from the article's latest stated date (2016)"
    assert a.published is None  # a stated year bounds nothing about publication
    assert e2.event_date is None and e2.date_reason.startswith("no year")


def test_year_from_corpus_span_before_background_years(rules):
    dated = [doc(f"p{i}", "Nothing to see.", published=date(2017, 9, 16) + timedelta(days=10 * i)) for i in range(3)]
    u = doc("u", "The militants have held Hawija since 2014. On October 8 police raided a hideout nearby.",
            published=None)
    e = event(u, "On October 8 police raided a hideout nearby.", "Arrests", "hideout", None, month=10, day=8)
    infer_corpus_dates(dated + [u], rules)
    assert e.event_date == date(2017, 10, 8)
    assert e.date_reason == "year from the corpus's dated span (2017-09-16..2017-10-06)"
    assert (u.published, u.published_source) == (date(2017, 10, 8), DateSource.CORPUS)


def test_corpus_spanning_years_gives_no_span_year(rules):
    dated = [doc("old", "x", published=date(2015, 5, 1)), doc("new", "y", published=date(2017, 5, 1))]
    u = doc("u", "Fighting resumed in 2016. On October 8 police raided a hideout.", published=None)
    e = event(u, "On October 8 police raided a hideout.", "Arrests", "hideout", None, month=10, day=8)
    infer_corpus_dates(dated + [u], rules)
    assert e.event_date == date(2016, 10, 8) and "latest stated date" in e.date_reason


def test_undated_article_gets_published_from_its_stated_dates(rules):
    # No event was taken from this article, but it states a year-less date: the corpus's span
    # (one year fits) gives the year, and the article is published no earlier than that day.
    dated = [doc(f"p{i}", "Nothing.", published=date(2017, 10, 20) + timedelta(days=3 * i)) for i in range(3)]
    u = doc("u", "On October 24 a commander said the push on Anah was ready. Officials spoke on October 22.",
            published=None)
    u.dates += [DateMention(3, 13, "October 24", None, 1, month=10, day=24),
                DateMention(75, 85, "October 22", None, 1, month=10, day=22),
                DateMention(0, 2, "On", None, 1, reason="weekday: page undated")]
    infer_corpus_dates(dated + [u], rules)
    assert (u.published, u.published_source) == (date(2017, 10, 24), DateSource.CORPUS)
    assert [dm.value for dm in u.dates] == [date(2017, 10, 24), date(2017, 10, 22), None]
    assert u.dates[0].reason.startswith("year from the corpus's dated span")
    # the corpus span is taken from the articles dated by their own pages only
    assert corpus_span(dated + [u]) == (date(2017, 10, 20), date(2017, 10, 26))


def test_undated_article_with_events_takes_the_latest_of_events_and_stated_dates(rules):
    dated = doc("dated", "Troops took Rawa on 30 October.", published=date(2017, 10, 30))
    event(dated, dated.text, GRT, "Rawa", date(2017, 10, 30))
    u = doc("u", "Rawa fell on October 30. Commanders met on November 2.", published=None)
    event(u, "Rawa fell on October 30.", GRT, "Rawa", None, month=10, day=30)
    u.dates.append(DateMention(u.text.index("November 2"), u.text.index("November 2") + 10, "November 2",
                               None, 1, month=11, day=2))
    infer_corpus_dates([dated, u], rules)
    assert u.dates[0].value == date(2017, 11, 2) and "corpus-dated events" in u.dates[0].reason
    assert (u.published, u.published_source) == (date(2017, 11, 2), DateSource.CORPUS)


def test_stated_dates_in_a_corpus_spanning_years_date_nothing(rules):
    dated = [doc("old", "x", published=date(2015, 5, 1)), doc("new", "y", published=date(2017, 5, 1))]
    u = doc("u", "On October 8 police raided a hideout.", published=None)
    u.dates.append(DateMention(3, 12, "October 8", None, 1, month=10, day=8))
    infer_corpus_dates(dated + [u], rules)
    assert u.published is None and u.dates[0].value is None
    # a dated article keeps its own date whatever it states
    d = doc("d", "On October 8 police raided a hideout.", published=date(2017, 10, 9))
    d.dates.append(DateMention(3, 12, "October 8", None, 1, month=10, day=8))
    infer_corpus_dates([d], rules)
    assert d.published == date(2017, 10, 9) and d.published_source == DateSource.NONE


def test_haversine():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.1)
    assert haversine_km(34.4, 41.0, 34.4, 41.0) == 0


# --------------------------------------------------------------------------- seeds (dev set)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_gold_multi_source_events_are_single_rows():
    """The gold file lists each multi-page event once: merging must not need more."""
    gold = SHARED / "gold" / "seeds_events.json"
    if not gold.exists():
        pytest.skip("../shared/gold is absent (no dev set beside the checkout)")
    import json

    events = json.loads(gold.read_text())["events"]
    multi = [e for e in events if len(e["docs"]) > 1]
    assert multi, "gold has events reported by several pages"
    r = load_place_name_rules()
    keys = [(e["date"], e["sub_event_type"], r.key(e["where"]["name"])) for e in events]
    # every gold place name keeps a key of its own among the events of one day and sub-type
    assert len(keys) == len(set(keys))


def test_one_report_is_its_own_group_with_its_outlet_and_figures():
    # A cluster of one report (most clusters): one source, one outlet however it is spelled,
    # its figure under its outlet, and figures an earlier merge kept beside it still compared.
    a = doc("a1", "Scores of militants died in clashes near Mayadin on Saturday.", outlet="Outlet-A.")
    e = event(a, a.text, CLASH, "Mayadin", date(2019, 3, 2), fatalities=60, number="Scores",
              actor2="Islamic State (Syria)")
    e.assoc_actor_1 = " Tribal fighters ; Military Forces of Syria; Tribal fighters"
    e.fatalities_by_source = {"Outlet B": 12}
    m = build_merged([source_report(e, a)], "SYR1")
    assert (m.event_id, m.source_count, m.outlet_count, m.sources) == ("SYR1", 1, 1, ["Outlet-A."])
    assert m.fatalities_by_source == {"Outlet-A.": 60, "Outlet B": 12}
    assert (m.fatalities, m.fatalities_low, m.fatalities_high) == (12, 60, 60)
    assert m.notes == "Fatality figures differ: Outlet-A. reported Scores (60). Coded the lowest, 12."
    assert m.assoc_actor_1 == "Tribal fighters"  # the primary actor is not also associated
    assert m.source_documents == ["a1"] and list(m.evidence_all) == ["a1"]
