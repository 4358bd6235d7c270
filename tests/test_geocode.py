"""Geocoding: ranking, relative positions, regions, place memory, and the seed pages' gold points."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontwatch.gazetteer import open_gazetteer
from frontwatch.geocode import (
    MAX_ANCHOR_KM,
    GeocodeContext,
    PlaceMemory,
    _may_remember,
    geocode_documents,
    geocode_mentions,
    geocode_place,
    load_geocoding,
    locate_events,
    make_locator,
)
from frontwatch.geometry import bearing, destination, haversine_km
from frontwatch.model import Document, Event, Evidence, PlaceMention, RelativePosition, Span
from gazrows import fixture_gazetteer, geonames_row

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLE = SHARED / "gazetteer" / "iq_sy_sample.txt"


def row(gid: int, name: str, alts: str, lat: float, lon: float, fcl: str, fcode: str, cc: str, pop: int = 0) -> str:
    return geonames_row(gid, name, alts, lat, lon, fcl, fcode, cc, admin1="01", pop=pop)


# Held-out places (ids made up; coordinates approximate public facts) and decoys sharing names.
FIXTURE = "".join([
    row(8100001, "Maiduguri", "Yerwa", 11.84692, 13.15712, "P", "PPLA", "NG", 1_112_000),
    row(8100002, "Bama", "", 11.52134, 13.68952, "P", "PPLA2", "NG", 270_000),
    row(8100003, "Bama", "", 26.0, 107.0, "P", "PPL", "CN", 900_000),  # bigger, far away
    row(8100004, "Konduga", "", 11.65, 13.41667, "P", "PPL", "NG", 50_000),
    row(8100005, "Dikwa", "", 12.03611, 13.91889, "P", "PPL", "NG", 25_000),
    row(8100006, "Kalla", "", 12.03, 13.16, "P", "PPL", "NG", 2_000),  # ~20 km north of Maiduguri
    row(8100007, "Kalla", "", 8.5, 10.0, "P", "PPL", "NG", 9_000),  # ~550 km away
    row(8100008, "Borno", "Borno State", 11.5, 13.0, "A", "ADM1", "NG", 5_000_000),
    row(8200001, "Kandahar", "Qandahar", 31.61332, 65.71013, "P", "PPLA", "AF", 391_000),
    row(8200002, "Kandahar Airfield", "Kandahar Air Base", 31.50583, 65.84778, "S", "AIRB", "AF"),
    row(8300001, "Kramatorsk", "", 48.72305, 37.55629, "P", "PPL", "UA", 150_000),
    row(8300002, "Sloviansk", "Slovyansk", 48.86667, 37.61667, "P", "PPL", "UA", 106_000),
    row(8300003, "Sloviansk", "", 45.0, 20.0, "P", "PPL", "RS", 200_000),  # a made-up decoy
])


@pytest.fixture(scope="module")
def gaz(tmp_path_factory):
    with fixture_gazetteer(tmp_path_factory.mktemp("geo"), FIXTURE, [SAMPLE] if SAMPLE.exists() else []) as g:
        yield g


@pytest.fixture(scope="module")
def res():
    return load_geocoding()


def ctx(res, country=None, memory=None) -> GeocodeContext:
    return GeocodeContext(country=country, memory=memory or PlaceMemory(), res=res, doc_id="t")


def pm(name: str, descriptor: str | None = None, rel: RelativePosition | None = None, region: bool = False,
       text: str | None = None, start: int = 0) -> PlaceMention:
    t = text or name
    return PlaceMention(start, start + len(t), t, name, descriptor, rel, region)


def test_destination_formula_round_trips() -> None:
    lat, lon = destination(11.84692, 13.15712, 225, 10)
    assert haversine_km(11.84692, 13.15712, lat, lon) == pytest.approx(10, abs=0.01)
    assert bearing(11.84692, 13.15712, lat, lon) == pytest.approx(225, abs=0.1)
    lat, lon = destination(0.0, 179.95, 90, 20)  # across the antimeridian
    assert -180 <= lon < -179.7


def test_plain_name_resolves_with_country_and_iso(gaz, res) -> None:
    loc = geocode_place(pm("Maiduguri"), gaz, ctx(res, "NG"))
    assert (loc.latitude, loc.longitude, loc.geo_precision) == (11.84692, 13.15712, 1)
    assert loc.country == "Nigeria" and loc.iso == 566 and loc.gazetteer_id == "geonames:8100001"
    assert "Maiduguri" in loc.reason


def test_article_country_beats_population(gaz, res) -> None:
    assert geocode_place(pm("Bama"), gaz, ctx(res, "NG")).longitude == pytest.approx(13.68952)
    assert geocode_place(pm("Bama"), gaz, ctx(res, None)).longitude == pytest.approx(107.0)


def test_other_places_of_the_article_disambiguate(gaz, res) -> None:
    locs = geocode_mentions([pm("Kramatorsk"), pm("Sloviansk")], gaz, res=res)
    assert locs[1].country == "Ukraine"


def test_descriptor_selects_the_feature(gaz, res) -> None:
    c = ctx(res, "AF")
    assert geocode_place(pm("Kandahar", "airbase"), gaz, c).feature_code == "AIRB"
    assert geocode_place(pm("Kandahar", "city"), gaz, c).feature_code == "PPLA"
    assert geocode_place(pm("Kandahar"), gaz, c).feature_code == "PPLA"


def test_unknown_place_stays_unresolved_with_a_reason(gaz, res) -> None:
    loc = geocode_place(pm("Zzyzxqor"), gaz, ctx(res, "NG"))
    assert loc.latitude is None and loc.longitude is None
    assert loc.reason == "no gazetteer entry for 'Zzyzxqor' and no relative position"


def test_offset_gives_a_derived_point_and_is_remembered(gaz, res) -> None:
    mem = PlaceMemory()
    loc = geocode_place(pm("Ngudoro", "village", RelativePosition("offset", "Maiduguri", 135, 25),
                           text="Ngudoro village, 25km southeast of Maiduguri"), gaz, ctx(res, "NG", mem))
    assert loc.geo_precision == 2 and loc.latitude is not None
    assert haversine_km(11.84692, 13.15712, loc.latitude, loc.longitude) == pytest.approx(25, abs=0.1)
    assert bearing(11.84692, 13.15712, loc.latitude, loc.longitude) == pytest.approx(135, abs=0.5)
    assert loc.reason.startswith("derived")
    later = geocode_place(pm("Ngudoro"), gaz, ctx(res, "NG", mem))  # another article names it alone
    assert (later.latitude, later.longitude) == (loc.latitude, loc.longitude)
    assert "remembered" in later.reason and "25km southeast" in later.reason


def test_offset_prefers_the_gazetteer_entry_that_agrees(gaz, res) -> None:
    loc = geocode_place(pm("Konduga", rel=RelativePosition("offset", "Maiduguri", 225, 35)), gaz, ctx(res, "NG"))
    assert loc.geo_precision == 1 and loc.gazetteer_id == "geonames:8100004"


def test_near_and_direction_give_the_anchor_at_precision_2(gaz, res) -> None:
    for rel in (RelativePosition("near", "Maiduguri"), RelativePosition("outskirts", "Maiduguri"),
                RelativePosition("direction", "Maiduguri", 180)):
        loc = geocode_place(pm("", rel=rel, text="south of Maiduguri"), gaz, ctx(res, "NG"))
        assert (loc.latitude, loc.geo_precision) == (11.84692, 2), rel


def test_direction_rejects_a_candidate_the_wrong_way_or_too_far(gaz, res) -> None:
    north = geocode_place(pm("Kalla", rel=RelativePosition("direction", "Maiduguri", 0)), gaz, ctx(res, "NG"))
    assert north.gazetteer_id == "geonames:8100006" and north.geo_precision == 1
    # The only Kalla near Maiduguri lies north: "west of Maiduguri" is not it, nor the far one.
    # A named place given by a direction and no distance is the area on that side: precision 3.
    west = geocode_place(pm("Kalla", rel=RelativePosition("direction", "Maiduguri", 270)), gaz, ctx(res, "NG"))
    assert west.gazetteer_id == "geonames:8100001" and west.geo_precision == 3
    far = geocode_place(pm("Kalla", rel=RelativePosition("near", "Bama")), gaz, ctx(res, "NG"))
    assert haversine_km(far.latitude, far.longitude, 11.52134, 13.68952) <= MAX_ANCHOR_KM


def test_region_and_region_fallback(gaz, res) -> None:
    loc = geocode_place(pm("northern Borno", region=True), gaz, ctx(res, "NG"))
    assert (loc.latitude, loc.geo_precision, loc.feature_code) == (11.5, 3, "ADM1")
    text = "Troops cleared Gubdori hamlets in northern Borno on Tuesday."
    hamlet = PlaceMention(15, 22, "Gubdori", "Gubdori")
    area = PlaceMention(text.index("northern"), text.index(" on"), "northern Borno", "northern Borno", region=True)
    ev = Event("d1", "Battles", "Armed clash", Evidence(Span(0, len(text))), place=hamlet)
    doc = Document("d1", "d1", text, country="NG", places=[hamlet, area], events=[ev])
    geocode_documents([doc], gaz, res)
    assert ev.location.geo_precision == 3 and ev.location.latitude == 11.5
    assert "fallback" in ev.location.reason and ev.location.name == "Gubdori"


def test_between_two_places_is_their_midpoint(gaz, res) -> None:
    loc = geocode_place(pm("the road", rel=RelativePosition("between", "Maiduguri and Dikwa")), gaz, ctx(res, "NG"))
    assert loc.latitude == pytest.approx((11.84692 + 12.03611) / 2, abs=1e-4) and loc.geo_precision == 2


def test_locator_for_the_control_stage(gaz) -> None:
    locate = make_locator(gaz)
    doc = Document("d", "d", "", country="UA")
    assert locate(pm("Kramatorsk"), doc).gazetteer_id == "geonames:8300001"
    assert locate(pm("Qqqqzzz"), doc) is None


def test_odd_mentions_do_not_raise(gaz, res) -> None:
    for m in (pm(""), pm("   "), pm("'"), pm("x", rel=RelativePosition("offset", "", 10, 5)),
              pm("y", rel=RelativePosition("offset", "Nowhereville", 90, 5)),
              pm("the border", region=True), pm("of", region=True)):
        loc = geocode_place(m, gaz, ctx(res))
        assert loc.latitude is None and loc.reason


# ---- the seed pages: hand-built mentions, gold points from ../shared/gold ---------------------


def _gold() -> dict[str, dict]:
    p = SHARED / "gold" / "seeds_events.json"
    if not p.exists() or not SAMPLE.exists():
        pytest.skip("../shared/gold or ../shared/gazetteer is absent")
    return {e["id"]: e["where"] for e in json.loads(p.read_text(encoding="utf-8"))["events"]}


def _doc(doc_id: str, text: str, mentions: list[tuple[str, PlaceMention]]) -> Document:
    events = [Event(doc_id, "Battles", "Armed clash", Evidence(Span(0, len(text))), event_id=gid, place=m)
              for gid, m in mentions]
    return Document(doc_id, doc_id, text, country="IQ", events=events, places=[m for _, m in mentions])


def test_seed_events_land_within_gold_tolerance(gaz, res) -> None:
    gold = _gold()
    qaim = RelativePosition
    doc_a = _doc("a", "Forces advanced on the district centre and the crossing.", [
        ("nov3-qaim", pm("al-Qa'im", "city")),
        ("nov3-husaybah", pm("Husibah", "border crossing")),
        ("oct26-h1", pm("H1", "airbase")),
        ("oct26-h2", pm("H-2", "air base")),
        ("walid-taken", pm("al-Waleed", "border crossing")),
        ("op-start", pm("Al Qaim")),
        ("oct26-clash", pm("", rel=qaim("direction", "al-Qa'im", 180), text="south of al-Qa'im")),
        ("oct26-phosphate", pm("State Company for Phosphate", rel=qaim("offset", "al-Qa'im", 225, 10))),
        ("oct26-agri", pm("Agricultural Research Service", rel=qaim("offset", "al-Qa'im", 225, 10))),
    ])
    # Article b names Ubaydi alone; article c locates it: the batch's memory carries it over.
    doc_b = _doc("b", "Fighting went on in Ubaydi.", [("ubaydi", pm("Ubaydi"))])
    doc_c = _doc("c", "Ubaydi lies east of the town.",
                 [("ubaydi", pm("Ubaydi", "town", qaim("offset", "al-Qa'im city", 90, 15)))])
    geocode_documents([doc_a, doc_b, doc_c], gaz, res)
    for ev in doc_a.events + doc_b.events + doc_c.events:
        w = gold[ev.event_id]
        loc = ev.location
        assert loc is not None and loc.latitude is not None, (ev.event_id, loc)
        d = haversine_km(loc.latitude, loc.longitude, w["lat"], w["lon"])
        assert d <= w["tol_km"], (ev.event_id, round(d, 1), loc.reason)
        assert loc.country == "Iraq" and loc.iso == 368
    assert doc_b.events[0].location.reason.startswith("remembered")
    assert doc_b.events[0].location.geo_precision == 2


def test_hawd_al_zoor_from_its_stated_offset(gaz, res) -> None:
    gold = _gold()["hawd-op"]
    m = pm("Hawd al-Zoor", rel=RelativePosition("offset", "Baghdad", 0, 40))
    loc = geocode_place(m, gaz, ctx(res, "IQ"))
    assert haversine_km(loc.latitude, loc.longitude, gold["lat"], gold["lon"]) <= gold["tol_km"]


# ---- with the bundled world only ------------------------------------------------------------


@pytest.fixture(scope="module")
def world(world_data_dir):
    g = open_gazetteer(data_dir=world_data_dir)
    yield g
    g.close()


@pytest.mark.parametrize("name, lat, lon, cc", [
    ("al-Qa'im", 34.39, 40.99, "IQ"), ("Rawa", 34.48, 41.92, "IQ"), ("Anah", 34.37, 41.98, "IQ"),
    ("Abu Kamal", 34.45, 40.92, "SY"), ("Deir ez-Zor", 35.34, 40.14, "SY"),
    ("Maiduguri", 11.85, 13.16, "NG"), ("Lashkar Gah", 31.59, 64.37, "AF"), ("Kharkiv", 49.99, 36.23, "UA"),
])
def test_world_places_without_extra_files(world, res, name, lat, lon, cc) -> None:
    loc = geocode_place(pm(name), world, ctx(res, "IQ" if cc in {"IQ", "SY"} else None))
    assert loc.latitude is not None, loc.reason
    assert haversine_km(loc.latitude, loc.longitude, lat, lon) < 25, (name, loc)
    assert loc.iso is not None and loc.country


def test_world_regions_borders_and_demonyms(world, res) -> None:
    c = ctx(res, "IQ")
    anbar = geocode_place(pm("western Anbar", region=True), world, c)
    assert anbar.geo_precision == 3 and anbar.admin1 and "Anbar" in anbar.admin1
    assert 31 < anbar.latitude < 35.5 and 38.5 < anbar.longitude < 44.5
    c.points["qaim"] = (34.39251, 40.98945)
    border = geocode_place(pm("the Syrian-Iraqi border", region=True), world, c)
    assert border.geo_precision == 3 and haversine_km(border.latitude, border.longitude, 34.39, 40.99) < 60
    turkey = geocode_place(pm("Turkish"), world, ctx(res))
    assert turkey.feature_code == "PCLI" and turkey.iso == 792
    far = geocode_place(pm("K1", "base", RelativePosition("direction", "al-Qa'im", 270)), world, ctx(res, "IQ"))
    assert far.latitude is None or haversine_km(far.latitude, far.longitude, 34.39, 40.99) <= MAX_ANCHOR_KM
    assert math.isfinite(border.longitude)


def test_in_a_region_means_inside_it_not_near_its_centre(gaz, res) -> None:
    inside = geocode_place(pm("Dikwa", rel=RelativePosition("in", "Borno")), gaz, ctx(res, "NG"))
    assert inside.gazetteer_id == "geonames:8100005" and inside.geo_precision == 1
    unknown = geocode_place(pm("Gubdori", rel=RelativePosition("in", "Borno State")), gaz, ctx(res, "NG"))
    assert (unknown.latitude, unknown.geo_precision) == (11.5, 3)


def test_a_small_namesake_abroad_is_not_taken_for_a_local_place(gaz, res) -> None:
    # The article is about Nigeria; the only "Sloviansk" near nothing it names is abroad.
    c = ctx(res, "NG")
    c.points["maiduguri"] = (11.84692, 13.15712)
    loc = geocode_place(pm("Sloviansk", "bridge"), gaz, c)
    assert loc.latitude is None
    assert geocode_place(pm("Sloviansk"), gaz, ctx(res, "UA")).country == "Ukraine"


REL = st.builds(RelativePosition,
                relation=st.sampled_from(["offset", "near", "direction", "in", "outskirts", "between", "along", "??"]),
                anchor=st.sampled_from(["Maiduguri", "Bama and Dikwa", "", "Nowhere", "al-"]),
                bearing_deg=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
                distance_km=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=25), rel=st.one_of(st.none(), REL), region=st.booleans(),
       descriptor=st.one_of(st.none(), st.sampled_from(["town", "airbase", "bridge", "", "???"])))
def test_geocode_place_never_raises_and_never_returns_a_bad_point(gaz, res, name, rel, region, descriptor) -> None:
    loc = geocode_place(PlaceMention(0, len(name), name, name, descriptor, rel, region), gaz, ctx(res, "NG"))
    assert loc.reason
    if loc.latitude is not None:
        assert -90 <= loc.latitude <= 90 and -180 <= loc.longitude < 180.0001
        assert loc.geo_precision in (1, 2, 3)


REMEMBER_NAMES = st.sampled_from(["Ngudoro", "Maiduguri", "Bama", "Dikwa", "the road", "", "  ", "Kalla"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=REMEMBER_NAMES, text=REMEMBER_NAMES, rel=st.one_of(st.none(), REL),
       descriptor=st.one_of(st.none(), st.sampled_from(["village", "base"])), region=st.booleans(),
       known=st.booleans())
def test_first_pass_skips_only_mentions_that_cannot_remember(gaz, res, name, text, rel, descriptor, region,
                                                            known) -> None:
    # remember_places geocodes a relative mention only if it may remember a place: whatever
    # _may_remember rules out must leave the run's memory as it was.
    memory = PlaceMemory()
    if known:
        memory.remember("Ngudoro", geocode_place(pm("Dikwa"), gaz, ctx(res, "NG")), "t: earlier article")
    before = dict(memory.places)
    m = PlaceMention(0, len(text), text, name, descriptor, rel, region)
    may = _may_remember(m, gaz, memory)
    geocode_place(m, gaz, ctx(res, "NG", memory))
    if not may:
        assert memory.places == before


def test_first_pass_geocodes_what_may_be_remembered(gaz, res) -> None:
    memory = PlaceMemory()
    offset = pm("Ngudoro", "village", RelativePosition("offset", "Maiduguri", 135, 25))
    between = pm("the road", rel=RelativePosition("between", "Maiduguri and Dikwa"))
    assert _may_remember(offset, gaz, memory) and _may_remember(between, gaz, memory)
    # The anchor itself ("Maiduguri, near Maiduguri"), an end of its own "between", a place in
    # a region, and a named place in a direction without a distance remember nothing.
    for m in (pm("Maiduguri", rel=RelativePosition("near", "Maiduguri")),
              pm("Dikwa", rel=RelativePosition("between", "Maiduguri and Dikwa")),
              pm("Gubdori", rel=RelativePosition("in", "Borno")),
              pm("Kalla", rel=RelativePosition("direction", "Maiduguri", 0))):
        assert not _may_remember(m, gaz, memory)
    doc = Document(id="d1", page_id="p1", text="", country="NG", places=[offset, between])
    geocode_documents([doc], gaz, res, memory)
    assert set(memory.places) == {memory.key("Ngudoro"), memory.key("the road")}
    assert not _may_remember(offset, gaz, memory)  # its name is remembered already


def test_world_context_of_province_and_neighbours(world, res) -> None:
    # An article about a county seat in Kentucky: its "London" is not the British capital.
    locs = geocode_mentions([pm("Corbin"), pm("Kentucky"), pm("London")], world, res=res)
    assert locs[2].country == "United States" and locs[2].admin1 == "Kentucky", locs[2]
    alone = geocode_mentions([pm("London")], world, res=res)
    assert alone[0].country == "United Kingdom"


def test_town_fallback_only_for_what_lies_inside_towns(gaz, res) -> None:
    text = "Gunmen struck near Baga Road market and the Gubdori airstrip in Maiduguri."
    street = PlaceMention(19, 28, "Baga Road", "Baga", "road")
    strip = PlaceMention(45, 52, "Gubdori", "Gubdori", "airbase")
    town = PlaceMention(text.index("Maiduguri"), len(text) - 1, "Maiduguri", "Maiduguri")
    evs = [Event("d2", "Battles", "Armed clash", Evidence(Span(0, len(text))), place=p) for p in (street, strip)]
    doc = Document("d2", "d2", text, country="NG", places=[street, strip, town], events=evs)
    geocode_documents([doc], gaz, res)
    assert evs[0].location.geo_precision == 2 and evs[0].location.latitude == 11.84692
    assert evs[1].location.latitude is None  # an airstrip may lie far outside the town


def test_events_naming_the_same_phrase_follow_what_the_article_derived_between_them(gaz, res) -> None:
    # Each event decodes its own copy of the phrase; a copy geocoded after the context grew (here
    # an offset phrase remembers "Ngudoro") must not get the answer computed before it.
    text = "Fighting in Ngudoro. Ngudoro village, 25km southeast of Maiduguri, was shelled. Ngudoro again."
    offset = RelativePosition("offset", "Maiduguri", 135, 25)
    places = [pm("Ngudoro", start=12), pm("Ngudoro", "village", offset, text=text[21:65], start=21),
              pm("Ngudoro", start=80), pm("Maiduguri", start=56)]
    copies = [pm("Ngudoro", start=12), places[1], pm("Ngudoro", start=80), pm("Ngudoro", start=80)]
    sentences = [Span(0, 20), Span(21, 79), Span(80, len(text)), Span(80, len(text))]
    events = [Event("d9", "Battles", "Armed clash", Evidence(s), place=p) for p, s in zip(copies, sentences, strict=True)]
    doc = Document("d9", "d9", text, country="NG", places=places, events=events)
    locate_events(doc, gaz, PlaceMemory(), res)
    first, derived, later, again = (ev.location for ev in events)
    assert first.latitude is None and derived.reason.startswith("derived")
    assert later.reason.startswith("remembered") and (later.latitude, later.longitude) == (
        derived.latitude, derived.longitude)
    assert again == later and again is not later  # reused while nothing changed, each its own copy
