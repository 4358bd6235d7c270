"""wordgate: the clause boundaries and aggregate cues of modality.yaml, tried only at their first
words, find what the whole patterns find at every character (the scans of modality.assess)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontwatch import extract, wordgate
from frontwatch.scan import TextWords


@pytest.fixture(scope="module")
def rules():
    return extract.load_rules().modality


# Words that lead boundaries and cues, near misses ("butter", "the following", "thereafter"), the
# punctuation boundaries, and word characters that glue to them ("_that", "that2").
_PIECES = ["but", "But", "butter", "while", "WHILE", "which", "that", "That", "_that", "that2", "following",
           "the following", "the\nfollowing", "after", "thereafter", "since", "Since 2014", "since the start of",
           "over the past", "three years", "decades", "throughout the war", "the war has killed", "this conflict has",
           "in the last 6 months", "for years", "a war had", ",", ";", ":", " – ", " — ", '"', "“", "”", "-", "x",
           "Mosul", "killed", "\n", "  ", "if", "once", "when", "whereas", "although", "é", "Ünited"]


def _text_span(pieces: list[str], data) -> tuple[str, int, int]:
    """A lower-cased text joined from ``pieces`` and a span of it."""
    text = "".join(data.draw(st.sampled_from(["", " ", ", "])) + p for p in pieces).lower()
    lo = data.draw(st.integers(0, len(text)))
    return text, lo, data.draw(st.integers(lo, len(text)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=30), data=st.data())
def test_merged_marks_are_the_boundary_scan(rules, pieces, data):
    text, lo, hi = _text_span(pieces, data)
    firsts, word_rx, rest_rx = rules.boundary_split
    got = list(wordgate.merged_marks(rest_rx, word_rx, firsts, TextWords(text), text, lo, hi))
    assert got == [m.span() for m in rules.boundary_lower_re.finditer(text, lo, hi)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=30), data=st.data())
def test_aggregate_search_at_words_is_the_search(rules, pieces, data):
    text, lo, hi = _text_span(pieces, data)
    rx = rules.aggregate_lower_re
    got = wordgate.search_at_words(rx, rules.aggregate_words, TextWords(text), text, lo, hi)
    want = rx.search(text, lo, hi)
    assert (got and (got.span(), got.group())) == (want and (want.span(), want.group()))


def test_the_built_in_cues_are_gated(rules):
    """The shipped boundaries and aggregate cues are all of a kind the analysis bounds (else the
    scans silently fall back to every character)."""
    assert rules.boundary_split is not None and {"but", "that", "following"} <= rules.boundary_split[0]
    assert rules.aggregate_words is not None and "since" in rules.aggregate_words


@pytest.mark.parametrize(("pattern", "words"), [
    (r"\b(?:the|this)\s+war", {"the", "this"}),  # the parser factors "th" out of the alternation
    (r"\b(?=(but|while)\b)", {"but", "while"}),
    (r"(?<!the\s)\b(?=following\b)", {"following"}),
    (r"\bsince(?!\w)", {"since"}),
    (r"\bbut", None),  # "butter" matches too: no whole word
    (r"\bdeaths?\b", None),  # the word may go on
    (r"but\b", None),  # no boundary before: may start inside a word
    (r"[;:]", None),
    (r"\b(?i:but)\b", None),  # a flag group: not analysed
    (r"\bétat\s", None),  # not ASCII
])
def test_lead_words(pattern, words):
    found = wordgate.lead_words(pattern, re.IGNORECASE)
    assert (set(found) if found is not None else None) == words


def test_boundaries_with_a_word_led_consuming_piece_are_not_split():
    """A word-led boundary that consumes characters could hide a punctuation boundary inside
    it: such a set is left to the plain scan."""
    assert wordgate.split_boundaries([r"[;:]", r"\bbut\s"], re.IGNORECASE, lambda rx: rx, lambda rx: rx) is None
    assert wordgate.split_boundaries([r"[;:]", r"\b(?=but\b)"], re.IGNORECASE, lambda rx: rx, lambda rx: rx)


def test_a_word_cut_by_the_span_end_and_words_inside_a_match(rules):
    """A sentence cut inside "butter" right after "but" ends with the word "but" (the pattern
    cannot see on); a word that starts inside another boundary's match is not a boundary."""
    text = "they came, butter and bread"
    hi = text.index("butter") + 3
    firsts, word_rx, rest_rx = rules.boundary_split
    want = [m.span() for m in rules.boundary_lower_re.finditer(text, 0, hi)]
    assert (hi - 3, hi - 3) in want
    assert list(wordgate.merged_marks(rest_rx, word_rx, firsts, TextWords(text), text, 0, hi)) == want
    rest, word = re.compile(r",\s*x\w*"), re.compile(r"\b(?=xa\b)")
    for text in (",xa", ", xa xa", "xa,xa"):
        both = re.compile(f"(?:{rest.pattern})|(?:{word.pattern})")
        got = list(wordgate.merged_marks(rest, word, frozenset({"xa"}), TextWords(text), text, 0, len(text)))
        assert got == [m.span() for m in both.finditer(text)], text
