"""The dates' index (corpusdates.DatedIndex): counts of dated events per (year, document) under
place keys, month and day, as the dates stage's tie-breaks read them."""

from __future__ import annotations

from collections import Counter

import pytest

from frontwatch import corpusdates
from frontwatch.corpusdates import DatedIndex

CLASH = "Armed clash"
GRT = "Government regains territory"


def _rawa_reports(index: DatedIndex) -> None:
    # Two wires report the Rawa capture of 3 November 2017 (one twice, under its name and its
    # gazetteer id), a third dates it a year off, and a clash the same day is another sub-type.
    index.add(GRT, "n:rawa", 11, 3, 2017, "wire-a")
    index.add(GRT, "g:geonames:99131", 11, 3, 2017, "wire-a")
    index.add(GRT, "n:rawa", 11, 3, 2017, "wire-b")
    index.add(GRT, "n:rawa", 11, 3, 2016, "blog-c")
    index.add(CLASH, "n:rawa", 11, 3, 2017, "wire-b")
    index.add(CLASH, "n:anah", 11, 3, 2017, "wire-d")  # another place
    index.add(GRT, "n:rawa", 11, 4, 2017, "wire-e")  # another day


def test_hits_count_per_year_and_document_over_the_place_keys() -> None:
    index = DatedIndex()
    _rawa_reports(index)
    hits = index.hits(GRT, ["n:rawa", "g:geonames:99131"], 11, 3, exclude="undated")
    assert hits == Counter({(2017, "wire-a"): 2, (2017, "wire-b"): 1, (2016, "blog-c"): 1})
    index.close()


def test_any_sub_type_tier_sums_the_sub_types_and_excludes_the_asking_document() -> None:
    index = DatedIndex()
    _rawa_reports(index)
    hits = index.hits("", ["n:rawa"], 11, 3, exclude="wire-a")
    assert hits == Counter({(2017, "wire-b"): 2, (2016, "blog-c"): 1})
    assert index.hits(GRT, ["n:hit"], 11, 3, exclude="x") == Counter()
    assert index.hits(GRT, [], 11, 3, exclude="x") == Counter()
    index.close()


@pytest.mark.parametrize("batch", [1, 3, 20_000])
def test_rows_added_after_a_lookup_are_found_by_the_next(monkeypatch, batch: int) -> None:
    # The dates stage indexes a document it has just dated, for the documents after it: rows
    # still waiting for their batch must be counted too.
    monkeypatch.setattr(corpusdates, "INDEX_BATCH", batch)
    index = DatedIndex()
    _rawa_reports(index)
    assert index.hits(GRT, ["n:rawa"], 11, 4, exclude="x") == Counter({(2017, "wire-e"): 1})
    index.add(GRT, "n:rawa", 11, 4, 2017, "undated-f")
    index.add(GRT, "n:rawa", 11, 4, 2017, "undated-f")
    assert index.hits(GRT, ["n:rawa"], 11, 4, exclude="x") == Counter({(2017, "undated-f"): 2, (2017, "wire-e"): 1})
    index.close()
