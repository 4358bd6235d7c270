"""The ACLED-style CSV: columns, location names and evidence quoted from the article."""

from __future__ import annotations

import csv
from pathlib import Path

from frontwatch.export import CSV_COLUMNS, evidence_sentence, location_name, write_acled_csv
from frontwatch.model import Event, Evidence, Location, PlaceMention, Span

TEXT = ("Army units took three positions on Monday, the ministry said:\n\n"
        "the Tamra and Bilal hills north of Kessara;\n\n"
        "Later in the day, residents who had fled the fighting last month began to return to their homes, "
        "a local council member told reporters by telephone, adding that the road linking the villages of "
        "the plain to Kessara had been cleared of mines and that water and power would be restored within "
        "the week if the ceasefire held.")


def _event(place_start: int, place_end: int, name: str, descriptor: str | None, loc: Location | None) -> Event:
    ev = Evidence(sentence=Span(0, TEXT.index(":") + 1), place=Span(place_start, place_end), rule="territory.took")
    place = PlaceMention(place_start, place_end, TEXT[place_start:place_end], name, descriptor)
    return Event(doc_id="d1", event_type="Battles", sub_event_type="Government regains territory",
                 evidence=ev, place=place, location=loc)


def test_list_item_is_quoted_with_its_lead_in() -> None:
    at = TEXT.index("Bilal")
    e = _event(at, at + len("Bilal"), "Bilal", "hill", None)
    assert evidence_sentence(e, TEXT) == ("Army units took three positions on Monday, the ministry said: … "
                                          "the Tamra and Bilal hills north of Kessara;")


def test_place_in_a_later_prose_paragraph_is_not_quoted() -> None:
    at = TEXT.rindex("Kessara")
    e = _event(at, at + len("Kessara"), "Kessara", "town", None)
    assert evidence_sentence(e, TEXT).endswith("the ministry said:")


def test_location_keeps_feature_descriptor_but_not_settlement_words() -> None:
    at = TEXT.index("Bilal")
    approx = Location(name="Kessara", latitude=1.0, longitude=2.0, geo_precision=2)
    assert location_name(_event(at, at + 5, "Bilal", "hill", approx)) == "Bilal hill"
    exact = Location(name="Kessara Gazetteer Name", latitude=1.0, longitude=2.0, geo_precision=1)
    at = TEXT.index("Kessara")
    assert location_name(_event(at, at + 7, "Kessara", "town", exact)) == "Kessara Gazetteer Name"


def test_csv_has_acled_columns_and_evidence(tmp_path: Path) -> None:
    at = TEXT.index("Tamra")
    path = tmp_path / "e.csv"
    assert write_acled_csv([_event(at, at + 5, "Tamra", "hill", None)], path, evidence_text={"d1": TEXT}) == 1
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["location"] == "Tamra hill" and "Tamra and Bilal hills" in rows[0]["evidence"]
    assert rows[0]["fatalities"] == "0" and rows[0]["event_date"] == ""
