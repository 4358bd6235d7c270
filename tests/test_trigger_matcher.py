"""triggers.TriggerMatcher finds exactly what spaCy's Matcher finds with the same patterns
(it only finds it faster: phrases in a PhraseMatcher, gap patterns over candidate windows)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

from frontwatch import triggers


@pytest.fixture(scope="module")
def both():
    """The real trigger rules, and the same patterns in a plain spaCy Matcher."""
    real = triggers.TriggerMatcher
    triggers.TriggerMatcher = Matcher
    try:
        plain = triggers.load_rules()
    finally:
        triggers.TriggerMatcher = real
    fast = triggers.load_rules()
    if type(plain.matcher) is real and not str(triggers.__file__).endswith(".py"):
        # mypyc-compiled triggers (setup.py, FRONTWATCH_COMPILE=1) binds its class at compile
        # time, so the rebinding above does not reach load_rules: the pure-Python run compares.
        pytest.skip("triggers is compiled: TriggerMatcher cannot be swapped")
    assert type(fast.matcher) is real and type(plain.matcher) is Matcher
    # the "~N" gap patterns are matched in Python (_GapPattern), not by spaCy: compared here too
    assert fast.matcher._gapped and not any(m for m, _ in fast.matcher._by_start.values())
    return plain, fast


def _words(rules) -> list[str]:
    # Every word the trigger patterns mention, so random sentences hit them often.
    out = set()
    for key in rules.specs:
        for pat in rules.matcher.get(key)[1]:
            for tok in pat:
                v = tok.get("LOWER")
                if isinstance(v, str):
                    out.add(v)
                elif isinstance(v, dict) and "IN" in v:
                    out.update(v["IN"])
    return sorted(out)


FILLER = ["the", "army", "rebels", "village", "near", "on", "Monday", "said", "two", "of", ".", ",", "\n\n"]


def _same(plain, fast, text: str) -> None:
    doc = plain.nlp.make_doc(text)
    for p, f in ((plain.matcher, fast.matcher), (plain.cue_matcher, fast.cue_matcher)):
        expected = p(doc)
        got = f(doc)
        assert sorted(got) == sorted(expected), text
        assert len(got) == len(set(got))


def test_same_matches_on_written_sentences(both):
    plain, fast = both
    for text in [
        "Government warplanes on Tuesday bombed the market of a town held by the rebels, killing nine.",
        "Police fired tear gas at protesters who threw stones and bottles; several demonstrators were killed.",
        "The militants seized the airport and later set the terminal ablaze. Troops retook it on Friday.",
        "A car bomb exploded near a checkpoint. Jets struck. Nobody claimed the attack on the convoy.",
        "",
    ]:
        _same(plain, fast, text)
    assert fast.matcher(plain.nlp.make_doc("Jets bombed the depot on Monday."))  # a gap pattern hit


def _patterns(rules) -> list[list[dict]]:
    return [pat for key in rules.specs for pat in rules.matcher.get(key)[1]]


@st.composite
def _chunk(draw, patterns: list[list[dict]], vocab: list[str]) -> list[str]:
    """Words that a random pattern matches (gaps filled with up to their full length), or noise."""
    if draw(st.booleans()):
        return draw(st.lists(st.sampled_from(vocab), max_size=4))
    out = []
    for tok in draw(st.sampled_from(patterns)):
        v = tok.get("LOWER")
        if "OP" in tok:
            hi = int(tok["OP"].strip("{}").split(",")[-1]) if tok["OP"].startswith("{") else 1
            out += draw(st.lists(st.sampled_from(FILLER[:-3]), max_size=hi))
        elif isinstance(v, str):
            out.append(v)
        else:
            out.append(draw(st.sampled_from(v["IN"])))
    return out


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_same_matches_on_random_word_salad(both, data):
    plain, fast = both
    chunks = data.draw(st.lists(_chunk(_patterns(plain), _words(plain) + FILLER), max_size=8))
    words = [w for c in chunks for w in c]
    caps = data.draw(st.lists(st.booleans(), min_size=len(words), max_size=len(words)))
    _same(plain, fast, " ".join(w.capitalize() if c else w for w, c in zip(words, caps, strict=True)))


def test_text_over_a_million_characters_is_read():
    """spaCy's default 1M-character guard is for its parser models; a long article (or a whole
    CSV read as one text) must be tokenised and matched, not refused."""
    from frontwatch import pipeline
    from frontwatch.model import Page

    body = "Markets were calm and schools reopened across the region on a quiet morning.\n\n" * 13_500
    text = "Local news roundup\n\n" + body + "Gunmen killed 3 soldiers in Kandahar on Monday, police said.\n"
    assert len(text) > 1_000_000
    res = pipeline.load_resources(pipeline.RunOptions(inputs=(), out_dir=Path(".")))
    docs = pipeline.process_page(Page(id="long", source="long.txt", format="txt", text=text), res)
    events = [e for d in docs for e in d.events]
    assert [e.fatalities for e in events] == [3]
