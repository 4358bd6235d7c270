"""Date expressions: absolute, year-less, relative, weekday, ranges; with and without a publication date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.temporal import DateResources, find_dates, load_dates


@pytest.fixture(scope="module")
def res() -> DateResources:
    return load_dates()


def one(text: str, published: date | None, res: DateResources):
    found = find_dates(text, published, res)
    assert len(found) == 1, [d.text for d in found]
    return found[0]


PUB = date(2021, 3, 10)  # a Wednesday


@pytest.mark.parametrize(
    "sentence, expected, precision",
    [
        ("Militants stormed the market in Gao on March 4, officials said.", date(2021, 3, 4), 1),
        ("Back on March 4 the convoy was ambushed near Diffa.", date(2021, 3, 4), 1),
        ("The checkpoint fell on Mar. 4 after a two-hour gunfight.", date(2021, 3, 4), 1),
        ("Shelling resumed on 4 March 2021 along the line of contact.", date(2021, 3, 4), 1),
        ("The bridge was blown up on February 27, 2021, the ministry said.", date(2021, 2, 27), 1),
        ("Drone strikes were reported on 2021-03-08 in Marib.", date(2021, 3, 8), 1),
        ("Al-Shabaab fighters overran the base today.", PUB, 1),
        ("Gunmen abducted 30 pupils yesterday in Zamfara.", date(2021, 3, 9), 1),
        ("Explosions were heard in Kharkiv last night.", date(2021, 3, 9), 1),
        ("The Taliban attacked a checkpoint 2 days ago.", date(2021, 3, 8), 1),
        ("Fighting was reported on Saturday in Tigray.", date(2021, 3, 6), 1),
        ("Soldiers repelled an assault on Tuesday night near Idlib.", date(2021, 3, 9), 1),
        ("Troops cleared three villages last week.", date(2021, 3, 3), 2),
        ("The army has lost two helicopters earlier this month.", PUB, 3),
        ("Clashes erupted in early February around Marib.", date(2021, 2, 5), 2),
        ("Aid convoys were blocked in late February.", date(2021, 2, 25), 2),
        ("Rebels held the town between February 20 and 23.", date(2021, 2, 20), 2),
        ("Fighting raged in January 2021 around Mekelle.", date(2021, 1, 15), 3),
    ],
)
def test_date_forms(sentence: str, expected: date, precision: int, res: DateResources) -> None:
    d = one(sentence, PUB, res)
    assert d.value == expected
    assert d.precision == precision
    assert sentence[d.start:d.end] == d.text


def test_same_day_and_next_day_follow_the_previous_date(res: DateResources) -> None:
    text = ("On February 26, insurgents attacked a police post in Maiduguri. On the same day, a mine "
            "killed two farmers nearby. The next day the army launched an operation.")
    found = find_dates(text, PUB, res)
    assert [d.value for d in found] == [date(2021, 2, 26), date(2021, 2, 26), date(2021, 2, 27)]


def test_within_24_hours_takes_the_paragraph_date(res: DateResources) -> None:
    text = ("On March 2, Ukrainian troops pushed east. Within 24 hours they reached the river.\n\n"
            "Within 24 hours of the announcement, shelling stopped.")
    found = find_dates(text, PUB, res)
    assert [d.value for d in found] == [date(2021, 3, 2), date(2021, 3, 2), PUB]


def test_year_less_date_after_publication_belongs_to_last_year(res: DateResources) -> None:
    d = one("The offensive began on December 28 with heavy air strikes.", date(2021, 1, 4), res)
    assert d.value == date(2020, 12, 28)


def test_year_less_date_on_undated_page_keeps_month_and_day(res: DateResources) -> None:
    d = one("On November 3 the militia withdrew from the town.", None, res)
    assert d.value is None
    assert (d.month, d.day) == (11, 3)
    assert d.reason == "no year: page undated"


def test_relative_dates_without_anchor_have_a_reason(res: DateResources) -> None:
    for text in ("Gunmen killed a trader yesterday.", "Fighting was reported on Sunday.", "Shelling stopped the next day."):
        d = one(text, None, res)
        assert d.value is None
        assert d.reason


def test_full_date_needs_no_publication_date(res: DateResources) -> None:
    d = one("Jihadists attacked Solhan on 5 June 2021.", None, res)
    assert d.value == date(2021, 6, 5)


@pytest.mark.parametrize("text", [
    "The donors pledged 2,500 dollars.",
    "The attack started at 4:45 in the morning.",
    "They may return to the area.",
    "Protesters march through the centre.",
    "Sun and wind slowed the convoy.",
])
def test_no_dates_in_numbers_times_or_common_words(text: str, res: DateResources) -> None:
    assert find_dates(text, PUB, res) == []


def test_invalid_calendar_date_is_ignored(res: DateResources) -> None:
    assert find_dates("The raid took place on February 30.", PUB, res) == []


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789 ,.-:OctobeMaySundyJ\n")) , max_size=80),
       published=st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))))
def test_parser_never_raises_and_stays_in_bounds(text: str, published: date | None, res: DateResources) -> None:
    for d in find_dates(text, published, res):
        assert 0 <= d.start < d.end <= len(text)
        assert text[d.start:d.end] == d.text
        assert d.precision in (1, 2, 3)
        if d.value is not None:
            assert date(1899, 1, 1) <= d.value <= date(2101, 12, 31)


@settings(max_examples=150, deadline=None)
@given(month=st.integers(1, 12), day=st.integers(1, 28), year=st.integers(1990, 2030))
def test_written_dates_round_trip(month: int, day: int, year: int, res: DateResources) -> None:
    name = date(2000, month, 1).strftime("%B")
    for text in (f"on {name} {day}, {year} troops", f"on {day} {name} {year} troops"):
        d = one(text, None, res)
        assert d.value == date(year, month, day)


def test_future_tense_date_in_a_december_article_is_next_year(res: DateResources) -> None:
    d = one("The two sides will resume talks on January 3.", date(2020, 12, 20), res)
    assert d.value == date(2021, 1, 3)
    d = one("The rebels withdrew on January 3.", date(2020, 12, 20), res)
    assert d.value == date(2020, 1, 3)
