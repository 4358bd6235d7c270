"""Geocoding quality: no misplaced events.

A far-off homonym of a minor feature, a foreign country standing for an actor's home, a
respelled name far from the article, "between" read as a place, a place near a border, and a
direction without a distance.  The fixture is a small GeoNames-format file written here (ids
made up, coordinates approximate public facts, decoys invented).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.gazetteer import open_gazetteer
from frontwatch.geocode import (
    MAX_ANCHOR_KM,
    GeocodeContext,
    PlaceMemory,
    geocode_documents,
    geocode_mentions,
    geocode_place,
    haversine_km,
    load_geocoding,
)
from frontwatch.model import Document, Event, Evidence, PlaceMention, RelativePosition, Span
from frontwatch.world import airport_short_name, iter_json_object_values
from gazrows import fixture_gazetteer, geonames_row


def row(gid: int, name: str, alts: str, lat: float, lon: float, fcl: str, fcode: str, cc: str, pop: int = 0) -> str:
    return geonames_row(gid, name, alts, lat, lon, fcl, fcode, cc, admin1="01", pop=pop)


QAIM = (34.39, 40.99)
FIXTURE = "".join([
    row(9100001, "Al Qaim", "Qaim,Husaybah", QAIM[0], QAIM[1], "P", "PPL", "IQ", 75_000),
    row(9100002, "Rawah", "Rawa", 34.48, 41.92, "P", "PPL", "IQ", 20_000),
    row(9100003, "Anah", "", 34.37, 41.98, "P", "PPL", "IQ", 30_000),
    row(9100004, "Karbala", "Karbala Governorate", 32.58, 43.86, "A", "ADM1", "IQ", 1_200_000),
    row(9100005, "Iraq", "Iraqi", 33.0, 43.9, "A", "PCLI", "IQ", 40_000_000),
    row(9100006, "Syria", "Syrian", 35.0, 38.5, "A", "PCLI", "SY", 18_000_000),
    row(9100007, "Abu Kamal", "Albu Kamal", 34.45, 40.92, "P", "PPL", "SY", 70_000),
    row(9100008, "Rummana", "Rumana", 32.79, 35.31, "P", "PPL", "IL", 1_200),  # far-off homonym
    row(9100009, "United Kingdom", "Britain,UK", 54.0, -2.3, "A", "PCLI", "GB", 67_000_000),
    row(9100010, "Manchester", "", 53.48, -2.24, "P", "PPL", "GB", 550_000),
    # Two Londons: the capital, and a city of Ontario with its neighbours.
    row(9200001, "London", "", 51.51, -0.13, "P", "PPLC", "GB", 8_900_000),
    row(9200002, "London", "", 42.98, -81.25, "P", "PPL", "CA", 400_000),
    row(9200003, "St. Thomas", "Saint Thomas", 42.78, -81.19, "P", "PPL", "CA", 38_000),
    row(9200004, "Strathroy", "", 42.96, -81.62, "P", "PPL", "CA", 21_000),
    # A state and a small town of the same name near the capital.
    row(9300001, "California", "", 37.2, -119.4, "A", "ADM1", "US", 39_000_000),
    row(9300002, "California", "", 38.3, -76.5, "P", "PPL", "US", 12_000),
    row(9300003, "Washington", "Washington DC", 38.9, -77.04, "P", "PPLC", "US", 700_000),
])


@pytest.fixture(scope="module")
def gaz(tmp_path_factory):
    with fixture_gazetteer(tmp_path_factory.mktemp("quality"), FIXTURE) as g:
        yield g


@pytest.fixture(scope="module")
def res():
    return load_geocoding()


def ctx(res, country=None, points=None, memory=None) -> GeocodeContext:
    c = GeocodeContext(country=country, memory=memory or PlaceMemory(), res=res, doc_id="t")
    c.points.update(points or {})
    return c


def pm(name: str, descriptor: str | None = None, rel: RelativePosition | None = None, region: bool = False,
       text: str | None = None, start: int = 0) -> PlaceMention:
    t = text or name
    return PlaceMention(start, start + len(t), t, name, descriptor, rel, region)


# ---- 1. a far-off homonym of a minor feature -----------------------------------------------


def test_a_bridge_is_not_its_namesake_village_abroad(gaz, res) -> None:
    # An Iraq article whose places lie around al-Qa'im: the only "Rumana" is a village 550 km away.
    loc = geocode_place(pm("al-Rumana", "bridge"), gaz, ctx(res, "IQ", {"qaim": QAIM}))
    assert loc.latitude is None and "al-Rumana" in loc.reason
    for desc in ("valley", "hill", "village", "area"):
        assert geocode_place(pm("Rumana", desc), gaz, ctx(res, "IQ", {"qaim": QAIM})).latitude is None, desc
    # The same name in an article about that country is that village.
    home = geocode_place(pm("al-Rumana", "village"), gaz, ctx(res, "IL"))
    assert home.gazetteer_id == "geonames:9100008"


def test_a_bridge_with_no_other_place_in_the_article_is_not_placed_abroad(gaz, res) -> None:
    assert geocode_place(pm("Rumana", "bridge"), gaz, ctx(res, "IQ")).latitude is None


def test_an_unplaced_bridge_does_not_take_a_town_beside_it(gaz, res) -> None:
    text = "Troops crossed the al-Rumana bridge in western Anbar near Rawah."
    bridge = PlaceMention(text.index("al-Rumana"), text.index(" bridge"), "al-Rumana", "al-Rumana", "bridge")
    town = PlaceMention(text.index("Rawah"), text.index("Rawah") + 5, "Rawah", "Rawah")
    ev = Event("d", "Battles", "Armed clash", Evidence(Span(0, len(text))), place=bridge)
    doc = Document("d", "d", text, country="IQ", places=[bridge, town], events=[ev])
    geocode_documents([doc], gaz, res)
    # Not the village abroad, and a town is not the area of a bridge (it may lie outside it):
    # unplaced rather than misplaced.
    assert ev.location.latitude is None, ev.location


# ---- 2. a foreign country as the event's place ----------------------------------------------


def _event_doc(text: str, place: PlaceMention, country: str, others: list[PlaceMention] = ()) -> tuple[Document, Event]:
    ev = Event("d", "Battles", "Armed clash", Evidence(Span(0, len(text))), place=place)
    return Document("d", "d", text, country=country, places=[place, *others], events=[ev]), ev


def test_a_foreign_country_named_alone_is_not_where_a_local_event_happened(gaz, res) -> None:
    text = "Clashes killed nine, said a monitoring group based in Britain."
    britain = PlaceMention(text.index("Britain"), len(text) - 1, "Britain", "Britain", "country", region=True)
    doc, ev = _event_doc(text, britain, "SY")
    geocode_documents([doc], gaz, res)
    assert ev.location.latitude is None and "country other than the article's" in ev.location.reason


def test_the_articles_own_country_and_explicit_parts_stay(gaz, res) -> None:
    text = "Protesters marched across Britain on Sunday."
    britain = PlaceMention(text.index("Britain"), text.index(" on"), "Britain", "Britain", "country", region=True)
    doc, ev = _event_doc(text, britain, "GB")
    geocode_documents([doc], gaz, res)
    assert ev.location.geo_precision == 3 and ev.location.country == "United Kingdom"
    # "in northern Britain" in an article about Syria names a part of that country on purpose.
    text = "A Syrian refugee was attacked in northern Britain."
    north = PlaceMention(text.index("northern"), len(text) - 1, "northern Britain", "northern Britain", region=True)
    doc, ev = _event_doc(text, north, "SY")
    geocode_documents([doc], gaz, res)
    assert ev.location.country == "United Kingdom" and ev.location.geo_precision == 3


def test_a_foreign_country_stays_when_the_articles_towns_are_there(gaz, res) -> None:
    text = "Police in Manchester arrested two men; the raid was one of several across Britain."
    britain = PlaceMention(text.index("Britain"), len(text) - 1, "Britain", "Britain", "country", region=True)
    town = PlaceMention(text.index("Manchester"), text.index("Manchester") + 10, "Manchester", "Manchester")
    doc, ev = _event_doc(text, britain, "SY", [town])
    geocode_documents([doc], gaz, res)
    assert ev.location.country == "United Kingdom"


# ---- 3. respelled names far from the article ------------------------------------------------


def test_a_respelled_district_is_not_a_province_far_away(gaz, res) -> None:
    # "Karabila district" near al-Qa'im is not Karbala governorate, 330 km off, of another kind.
    loc = geocode_place(pm("Karabila", "district", region=True), gaz, ctx(res, "IQ", {"qaim": QAIM}))
    assert loc.latitude is None
    # A respelling close to the article's places is still found ("Husibah" for Husaybah).
    near = geocode_place(pm("Husibah", "border crossing"), gaz, ctx(res, "IQ", {"anah": (34.37, 41.98)}))
    assert near.gazetteer_id == "geonames:9100001"


# ---- 4. relative phrases: between, near an area, direction without distance -------------------


def test_between_naming_the_place_itself_is_that_place(gaz, res) -> None:
    mem = PlaceMemory()
    m = pm("Rawa", rel=RelativePosition("between", "Rawa and Syrian"), text="Rawa")
    loc = geocode_place(m, gaz, ctx(res, "IQ", memory=mem))
    assert loc.gazetteer_id == "geonames:9100002" and loc.geo_precision == 1
    assert mem.get("Rawa") is None  # nothing derived, nothing remembered


def test_between_a_town_and_a_country_is_no_midpoint(gaz, res) -> None:
    m = pm("the pocket", rel=RelativePosition("between", "Anah and Syria"))
    loc = geocode_place(m, gaz, ctx(res, "IQ"))
    assert loc.latitude is None and "between" in loc.reason
    ok = geocode_place(pm("the road", rel=RelativePosition("between", "Anah and Rawah")), gaz, ctx(res, "IQ"))
    assert ok.geo_precision == 2 and ok.latitude == pytest.approx((34.37 + 34.48) / 2, abs=1e-3)


def test_a_town_near_a_border_is_the_town(gaz, res) -> None:
    # "the town of Rawa near the Syrian border": a border is a line, not a point within 150 km.
    m = pm("Rawa", "town", RelativePosition("near", "Syrian border"), text="town of Rawa near the Syrian border")
    loc = geocode_place(m, gaz, ctx(res, "IQ", {"qaim": QAIM}))
    assert loc.gazetteer_id == "geonames:9100002" and loc.geo_precision == 1


def test_a_named_place_southwest_of_a_town_without_distance_is_a_region(gaz, res) -> None:
    mem = PlaceMemory()
    m = pm("H9", "airbase", RelativePosition("direction", "al-Qaim", 225), text="H9 airbase southwest of al-Qaim")
    loc = geocode_place(m, gaz, ctx(res, "IQ", memory=mem))
    assert (loc.latitude, loc.longitude, loc.geo_precision) == (QAIM[0], QAIM[1], 3)
    assert "no distance" in loc.reason
    assert mem.get("H9") is None  # the area's point is not the airbase's own
    # With a distance it is a derived point at precision 2; unnamed ("south of al-Qaim") precision 2.
    d = geocode_place(pm("H9", "airbase", RelativePosition("offset", "al-Qaim", 225, 20)), gaz, ctx(res, "IQ"))
    assert d.geo_precision == 2 and haversine_km(d.latitude, d.longitude, *QAIM) == pytest.approx(20, abs=0.1)
    s = geocode_place(pm("", rel=RelativePosition("direction", "al-Qaim", 180), text="south of al-Qaim"),
                      gaz, ctx(res, "IQ"))
    assert s.geo_precision == 2


def test_a_place_the_gazetteer_has_beyond_the_anchor_radius_is_not_taken_for_near(gaz, res) -> None:
    loc = geocode_place(pm("Karbala", rel=RelativePosition("near", "al-Qaim")), gaz, ctx(res, "IQ"))
    assert haversine_km(loc.latitude, loc.longitude, *QAIM) <= MAX_ANCHOR_KM


# ---- 5. ranking context ---------------------------------------------------------------------


def test_a_name_repeated_does_not_vote_for_its_own_country(gaz, res) -> None:
    names = ["London", "London", "London", "St. Thomas", "Strathroy"]
    locs = geocode_mentions([pm(n, start=i * 20) for i, n in enumerate(names)], gaz, res=res)
    assert locs[0].gazetteer_id == "geonames:9200002", locs[0].reason
    alone = geocode_mentions([pm("London"), pm("London", start=20)], gaz, res=res)
    assert alone[0].gazetteer_id == "geonames:9200001"


def test_a_populous_state_beats_a_small_town_of_its_name(gaz, res) -> None:
    locs = geocode_mentions([pm("Washington"), pm("California", start=20)], gaz, res=res)
    assert locs[1].gazetteer_id.endswith("9300001") and locs[1].geo_precision == 3


# ---- the world build: streamed JSON, airport names, one capital per country -----------------


JSON_VALUES = st.dictionaries(st.text(max_size=5), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3), max_leaves=8),
    max_size=4)


@settings(max_examples=60, deadline=None)
@given(records=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=6), chunk=st.integers(1, 40),
       indent=st.sampled_from([None, 1]), ascii_only=st.booleans())
def test_streamed_json_values_equal_the_parsed_file(tmp_path_factory, records, chunk, indent, ascii_only) -> None:
    p = tmp_path_factory.mktemp("json") / "x.json"
    p.write_text(json.dumps(records, ensure_ascii=ascii_only, indent=indent), encoding="utf-8")
    assert list(iter_json_object_values(p, chunk)) == list(records.values())


def test_streamed_json_rejects_what_is_not_an_object(tmp_path) -> None:
    p = tmp_path / "bad.json"
    p.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError):
        list(iter_json_object_values(p))
    p.write_text('{"a": {"b": 1}, "c": {"d"', encoding="utf-8")
    with pytest.raises(ValueError):
        list(iter_json_object_values(p, 4))


def test_airport_short_names() -> None:
    assert airport_short_name("London Heathrow Airport", "London") == "Heathrow"
    assert airport_short_name("Amsterdam Airport Schiphol", "Amsterdam") == "Schiphol"
    assert airport_short_name("Paris Charles de Gaulle Airport", "Paris") == "Charles de Gaulle"
    assert airport_short_name("Baghdad International Airport", "Baghdad") == ""
    assert airport_short_name("Al Asad Air Base", "Al Asad") == ""
    assert airport_short_name("Bagram", "Bagram") == ""


@pytest.fixture(scope="module")
def world(world_data_dir):
    g = open_gazetteer(data_dir=world_data_dir)
    yield g
    g.close()


def test_world_has_one_capital_per_country_and_airports_by_short_name(world, res) -> None:
    n = world.conn.execute("SELECT count(*) FROM world.entries WHERE cc = 'US' AND fcode = 'PPLC'").fetchone()[0]
    assert n == 1
    assert any(c.entry.fcode.startswith("AIR") and c.entry.cc == "NL" for c in world.candidates("Schiphol"))
    rawa = geocode_mentions([pm("Qaim"), pm("Rawa", "town", RelativePosition("near", "Syrian border"), start=10)],
                            world, country="IQ", res=res)
    assert rawa[1].country == "Iraq" and haversine_km(rawa[1].latitude, rawa[1].longitude, 34.48, 41.92) < 10

