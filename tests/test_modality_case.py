"""modality.case_free: a case-insensitive pattern scanned case-sensitively over lower-cased
ASCII text finds exactly what it finds over the text itself (the clause-boundary and aggregate
scans of assess use it)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontwatch import extract
from frontwatch.modality import DocMemo, case_free


@pytest.fixture(scope="module")
def rules():
    return extract.load_rules().modality


_PIECES = ["to", "TO", "To", "quickly", "Fully", "believe", "Believes", "denied", "DENIED", "expects", "possibly", "But", "but", "WHILE", "which", "that", "That", "following", "the following", "after", "AFTER",
           "since", "Since 2014", "over the past", "three years", "decades", "throughout the war", "the war has killed",
           "in the last 6 months", ",", ";", ":", " – ", " — ", '"', "“", "”", "-", "x", "Mosul", "killed", "2019",
           "\n", "  ", "of", "before", "Because", "whereas", "conflict", "since the start of"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=30), data=st.data())
def test_lower_case_scan_is_the_scan_of_the_text(rules, pieces, data):
    text = "".join(data.draw(st.sampled_from(["", " "])) + p for p in pieces)
    # (the lower-cased scan is for text whose only letters with a case are ASCII: see
    # DocMemo.lowered; the curly quotes and dashes have none)
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    lowered = text.lower()
    for rx, lower_rx in ((rules.boundary_re, rules.boundary_lower_re), (rules.aggregate_re, rules.aggregate_lower_re),
                         (rules.opinion_tail_re, rules.opinion_tail_lower_re),
                         (rules.infinitive_re, rules.infinitive_lower_re)):
        assert lower_rx is not None
        want = [(m.span(), m.group().lower()) for m in rx.finditer(text, lo, hi)]
        assert [(m.span(), m.group()) for m in lower_rx.finditer(lowered, lo, hi)] == want


def test_patterns_that_name_upper_case_or_change_flags_have_no_case_free_form():
    assert case_free(re.compile(r"\bsince\s+\d{4}", re.IGNORECASE)) is not None
    assert case_free(re.compile(r"[A-Z]\w+", re.IGNORECASE)) is None  # any letter, ignoring case
    assert case_free(re.compile(r"Since", re.IGNORECASE)) is None
    assert case_free(re.compile(r"(?-i:may)", re.IGNORECASE)) is None  # the modal, not the month
    assert case_free(re.compile("\u212a", re.IGNORECASE)) is None  # the Kelvin sign folds to "k"
    assert case_free(re.compile(r"since")) is None  # case-sensitive already


def test_text_with_other_cased_letters_is_scanned_as_it_is():
    memo = DocMemo()
    assert memo.lowered("The army – “retook” it") == "the army – “retook” it"
    assert memo.lowered("İstanbul") is None  # lower-cased, a longer string
    assert memo.lowered("The ſtate") is None  # folds to "s" when ignoring case
