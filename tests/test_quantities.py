"""Numbers: digits, words, ranges, modifiers, vague quantities, measures that are never counts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.quantities import QuantityResources, find_numbers, load_quantities, parse_number


@pytest.fixture(scope="module")
def res() -> QuantityResources:
    return load_quantities()


def first(text: str, res: QuantityResources):
    found = find_numbers(text, res)
    assert found, text
    return found[0]


@pytest.mark.parametrize(
    "sentence, best, low, high, unit, vague",
    [
        ("Jihadists killed 47 soldiers in the ambush near Inates.", 47, None, None, "soldiers", False),
        ("The monitor said 1,200 civilians had fled Idlib.", 1200, None, None, "civilians", False),
        ("Seven policemen died when their vehicle hit a mine.", 7, None, None, "policemen", False),
        ("Twenty-three villagers were abducted by bandits.", 23, None, None, "villagers", False),
        ("A dozen worshippers were wounded in the blast.", 12, None, None, "worshippers", False),
        ("Two hundred and fifty fighters surrendered.", 250, None, None, "fighters", False),
        ("Between 10 and 15 militants were killed, the army said.", 10, 10, 15, "militants", False),
        ("Officials said 10 to 15 rebels were captured.", 10, 10, 15, "rebels", False),
        ("At least 12 people died in the strike on the market.", 12, 12, None, "people", False),
        ("Up to 30 Houthi fighters were killed.", 30, None, 30, "fighters", False),
        ("More than 20 soldiers were missing after the raid.", 20, 20, None, "soldiers", False),
        ("Dozens of Taliban fighters attacked the district centre.", 12, 12, None, "fighters", True),
        ("Tens of civilians were trapped under the rubble.", 10, 10, None, "civilians", True),
        ("Hundreds of families fled the shelling.", 100, 100, None, "families", True),
        ("Several vehicles were destroyed by the drone.", 3, 3, None, "vehicles", True),
        ("The militia destroyed 8 vehicle-borne improvised explosive devices (VBIEDs).", 8, None, None, "VBIEDs", False),
        ("Some 300 troops were sent to the front.", 300, None, None, "troops", False),
    ],
)
def test_counts(sentence: str, best: int, low: int | None, high: int | None, unit: str, vague: bool,
                res: QuantityResources) -> None:
    n = first(sentence, res)
    assert (n.best, n.low, n.high, n.unit, n.vague) == (best, low, high, unit, vague)
    assert sentence[n.start:n.end] == n.text


@pytest.mark.parametrize(
    "sentence, best, unit",
    [
        ("The village lies 10km southwest of the town.", 10, "km"),
        ("Troops secured 43 km of the highway.", 43, "km"),
        ("An area of 301km2 was cleared of mines.", 301, "km2"),
        ("The convoy was hit 5 miles from the border.", 5, "miles"),
    ],
)
def test_distances_and_areas_are_measures_not_counts(sentence: str, best: int, unit: str,
                                                      res: QuantityResources) -> None:
    n = first(sentence, res)
    assert (n.best, n.unit) == (best, unit)
    assert n.rule.endswith(":measure")


@pytest.mark.parametrize("text", [
    "Donations reached 2,500 $ this week.",
    "The ceasefire began at 4:45 in the morning.",
    "In 2014 the group seized the city.",
    "One of the commanders escaped.",
    "The 26th brigade moved north.",
    "A 12-year-old boy was among the dead.",
    "Brigade 93 and Route 66 were mentioned in Resolution 2254.",
    "The 9/11 anniversary passed quietly.",
    "The blast was felt at 3 p.m. in the capital.",
    "A 3.5 magnitude tremor shook the valley.",
])
def test_not_counts(text: str, res: QuantityResources) -> None:
    assert find_numbers(text, res) == []


def test_dates_are_excluded(res: QuantityResources) -> None:
    text = "On October 26 the army killed 12 militants."
    found = find_numbers(text, res, exclude=[(3, 13)])
    assert [n.best for n in found] == [12]


@pytest.mark.parametrize("s, value", [("1,200", 1200), ("2.5 million", 2_500_000), ("twenty-three", 23),
                                      ("half a dozen", 6), ("two dozen", 24), ("three hundred", 300),
                                      ("two thousand five hundred", 2500), ("seventeen", 17)])
def test_parse_number(s: str, value: int, res: QuantityResources) -> None:
    assert parse_number(s, res) == value


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789 ,.-:$%kmtwoenhudrsfzyvl\n")), max_size=80))
def test_never_raises_offsets_and_bounds(text: str, res: QuantityResources) -> None:
    for n in find_numbers(text, res):
        assert 0 <= n.start < n.end <= len(text)
        assert text[n.start:n.end] == n.text
        assert 0 <= n.best <= 10_000_000
        if n.low is not None:
            assert n.low <= n.best
        if n.high is not None:
            assert n.high >= n.best


@settings(max_examples=150, deadline=None)
@given(value=st.integers(min_value=0, max_value=999_999))
def test_digit_round_trip(value: int, res: QuantityResources) -> None:
    text = f"Officials said {value:,} civilians were displaced."
    n = first(text, res)
    assert n.best == value
    assert n.unit == "civilians"
