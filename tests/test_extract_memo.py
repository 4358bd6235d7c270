"""Speed devices of extraction that must not change what it finds: the per-document memos
(Ctx / modality.DocMemo: a sentence's scans are kept for its other triggers, never for another
document) and modality.first_chars (a look-ahead for the characters a regex can start with).
Every sentence here is written for these tests."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch import modality, yamlio
from frontwatch.extract import extract_events, load_rules
from frontwatch.model import ActorMention, DateMention, Document, PlaceMention


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _doc(text: str, doc_id: str, actors: list[tuple[str, str, int]], places: list[str]) -> Document:
    """A document annotated by hand (what annotate would add): each surface string's every occurrence."""
    doc = Document(id=doc_id, page_id=doc_id, text=text, country="IQ")
    for surf, name, inter in actors:
        doc.actors += [ActorMention(m.start(), m.end(), surf, name, inter) for m in re.finditer(re.escape(surf), text)]
    for surf in places:
        doc.places += [PlaceMention(m.start(), m.end(), surf, surf) for m in re.finditer(re.escape(surf), text)]
    return doc


# Two articles whose sentences have the same offsets and lengths but different sources, places
# and parties: any scan kept across documents (keyed by offsets) would give the second the
# first one's answers.
ARTICLE_A = ("Militants attacked a checkpoint in Rawa on Monday, according to the police chief. "
             "The army retook Anah from the militants, army officers said.")
ARTICLE_B = ("Gunmen ambushed an army patrol near Hit on Sunday, according to the tribal elder. "
             "The army shelled Rutba, and gunmen fled, two witnesses said.")
ACTORS = [("Militants", "Islamic State (Iraq)", 2), ("militants", "Islamic State (Iraq)", 2),
          ("The army", "Military Forces of Iraq", 1), ("army", "Military Forces of Iraq", 1),
          ("Gunmen", "Unidentified Armed Group (Iraq)", 3), ("gunmen", "Unidentified Armed Group (Iraq)", 3)]


def _events(doc: Document) -> list[tuple]:
    return [(e.sub_event_type, e.actor1, e.actor2, e.place.name if e.place else "", e.claimed_by, e.notes)
            for e in doc.events]


def test_sentence_memos_serve_one_document_only(rules):
    a = _doc(ARTICLE_A, "a", ACTORS, ["Rawa", "Anah"])
    b = _doc(ARTICLE_B, "b", ACTORS, ["Hit", "Rutba"])
    assert len(ARTICLE_A) == len(ARTICLE_B) and ARTICLE_A.index(". ") == ARTICLE_B.index(". ")
    a.dates = [DateMention(ARTICLE_A.index("Monday"), ARTICLE_A.index("Monday") + 6, "Monday", None, 1)]
    extract_events(a, rules)
    extract_events(b, rules)
    alone = _doc(ARTICLE_B, "b", ACTORS, ["Hit", "Rutba"])
    extract_events(alone, load_rules())
    assert _events(b) == _events(alone)
    claims_b = {e.claimed_by for e in b.events}
    assert "tribal elder" in claims_b and "police chief" not in claims_b
    assert {e.place.name for e in b.events} <= {"Hit", "Rutba"}
    # The first article's own answers came from its own sentences.
    assert "police chief" in {e.claimed_by for e in a.events}


def test_same_document_twice_gives_the_same_events(rules):
    first = _doc(ARTICLE_A, "a", ACTORS, ["Rawa", "Anah"])
    again = _doc(ARTICLE_A, "a", ACTORS, ["Rawa", "Anah"])
    extract_events(first, rules)
    extract_events(again, rules)
    assert _events(first) == _events(again) and first.events


def test_vocabulary_stops_growing_past_its_cap_and_events_stay_the_same(monkeypatch):
    from frontwatch import extract

    rules = load_rules()
    # Words no page of this test suite uses: each would be a new lexeme in spaCy's vocabulary.
    novel = " ".join(f"Zorvex{i}qua" for i in range(50))
    text = ARTICLE_A + " " + novel + "."
    grown = _doc(text, "a", ACTORS, ["Rawa", "Anah"])
    before = len(rules.nlp.vocab.strings)
    extract_events(grown, rules)
    size = len(rules.nlp.vocab.strings)
    assert size >= before + 50  # below the cap the words stay
    monkeypatch.setattr(extract, "VOCAB_MAX_STRINGS", size)
    capped = _doc(text.replace("Zorvex", "Quillap"), "a", ACTORS, ["Rawa", "Anah"])
    extract_events(capped, rules)
    assert len(rules.nlp.vocab.strings) == size  # past it, a document's new words are dropped after it
    assert _events(capped) == _events(grown) and capped.events
    again = _doc(text.replace("Zorvex", "Quillap"), "a", ACTORS, ["Rawa", "Anah"])
    extract_events(again, rules)  # the dropped words come back as new ones, same answers
    assert _events(again) == _events(grown) and len(rules.nlp.vocab.strings) == size


# --------------------------------------------------------------------------- first_chars


def _modality_patterns() -> list[re.Pattern[str]]:
    """The clause-boundary, aggregate, opinion and claim alternations as compile_modality builds them."""
    from importlib import resources

    data = yamlio.load_mapping(resources.files("frontwatch").joinpath("data", "modality.yaml")
                               .read_text(encoding="utf-8"), "modality.yaml")
    out = []
    for key in ("clause_boundaries", "aggregate"):
        out.append(re.compile("|".join(f"(?:{b})" for b in data[key]), re.IGNORECASE))
    opinion = [p for p in (data["modality"]["speculation"] + data["modality"]["negation"])
               if p.isalpha() and len(p) > 4]
    out.append(re.compile(rf"(?:{modality.phrase_regex(opinion)})\W*(?:\w+\W+){{0,1}}$", re.IGNORECASE))
    # the claim cues: "according to" (per sentence), a role before a source's name (per phrase)
    out.append(re.compile(modality.phrase_regex(data["claim_prepositions"]), re.IGNORECASE))
    role_alt = modality.phrase_regex(data["claim_roles"])
    out.append(re.compile(rf"(?:{role_alt})\s+((?:[A-Z][\w'’\-]*\s?){{1,4}})"))
    return out


OTHER_PATTERNS = [
    (r"\bsince\s+(?:19|20)\d\d\b", re.IGNORECASE),
    (r"(?<!the\s)\b(?=following\b)", re.IGNORECASE),
    (r"[;:]|\s[–—]\s|[\"“”]", 0),
    (r"(?:al-)?Ka[a-z]+|[Ss]ince", 0),
    (r"(?:x?)+k\w*", re.IGNORECASE),  # Kelvin sign and long s fold to k and s
    (r"Ş+|ſtrike", re.IGNORECASE),
]

WORDS = ["according to", "spokesman", "Ali Hassan", "agency Amaq", "since", "Since", "SINCE", "the", "following", "when", "that", "but", "which", ",", ";", ":", " – ",
         "2014", "in", "the past", "years", "over", "war", "has", "killed", "believe", "denied", "doubt",
         "Kaim", "\u212aaim", "\u017ftrike", "İf", "ştrike", "al-Kaim", "“", "\"", "x", "k"]


@pytest.mark.parametrize("rx", _modality_patterns() + [re.compile(p, f) for p, f in OTHER_PATTERNS])
def test_first_chars_adds_a_look_ahead_that_changes_no_match(rx):
    fast = modality.first_chars(rx)
    assert fast is not rx and fast.pattern.startswith("(?=[")
    text = ("Since 2014 the war has killed thousands; officials believe that, when the following "
            "attacks came – over the past years – \u212aaim and al-Kaim fell, but ſtrike Ştrike x k.")
    for pos in range(0, len(text), 7):
        for end in (len(text), pos + 40):
            assert [m.span() for m in fast.finditer(text, pos, end)] == [m.span() for m in rx.finditer(text, pos, end)]
            assert (fast.search(text, pos, end) or re.match("", "")).span() == \
                (rx.search(text, pos, end) or re.match("", "")).span()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30), st.sampled_from(range(11)))
def test_first_chars_same_matches_on_word_salad(words, which):
    patterns = _modality_patterns() + [re.compile(p, f) for p, f in OTHER_PATTERNS]
    rx = patterns[which]
    text = " ".join(words)
    fast = modality.first_chars(rx)
    assert [(m.span(), m.group(0)) for m in fast.finditer(text)] == [(m.span(), m.group(0)) for m in rx.finditer(text)]


@pytest.mark.parametrize(("pattern", "flags"), [
    (r"a*", 0),  # may match the empty string
    (r".x", 0),  # any character starts it
    (r"[^a]b", 0),  # a negated set
    (r"(?i:k)ing", 0),  # a local flag would have to change the class
    (r"(?i)kill", 0),  # a global inline flag must stay first
    (r"(a)?\1b", 0),  # a back-reference first
])
def test_first_chars_leaves_unbounded_patterns_alone(pattern, flags):
    rx = re.compile(pattern, flags)
    assert modality.first_chars(rx) is rx


def test_clause_memo_answers_each_trigger_span_as_a_fresh_scan(rules):
    """A sentence's clauses are kept by trigger span (modality asks, then the event's
    extraction asks again): each span gets its own clause, the same as with no memo, in
    whatever order the spans are asked."""
    text = ("The army said that militants attacked Rawa; the police, who arrived later, "
            "killed two gunmen while they fled.")
    spans = [(m.start(), m.end()) for m in re.finditer(r"attacked|arrived|killed|fled", text)]
    fresh = [modality.clause_bounds(text, 0, len(text), s, e, rules.modality) for s, e in spans]
    assert len(set(fresh)) >= 3  # several clauses: a memo keyed by sentence alone would fail
    for order in (spans, spans[::-1]):
        cache: dict = {}
        got = {(s, e): modality.clause_bounds(text, 0, len(text), s, e, rules.modality, cache) for s, e in order}
        again = {(s, e): modality.clause_bounds(text, 0, len(text), s, e, rules.modality, cache) for s, e in order}
        assert [got[sp] for sp in spans] == [again[sp] for sp in spans] == fresh
