"""Statements of territorial control made in passing (frontwatch.control_statements).

Unit tests build annotated Documents by hand (the actor mentions annotate.py would add) and run
the real compiled cues from data/modality.yaml; place names are found by the cues themselves
when no place mention covers them.  Every sentence here is written for these tests.  The last
test runs the real pipeline over the shared seed pages and checks the control map.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.control_statements import compile_control_rules, find_control_statements
from frontwatch.errors import ConfigError
from frontwatch.extract import load_rules
from frontwatch.model import ActorMention, Document, PlaceMention, Sentence

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ISIS = "Islamic State (Iraq)"
IRAQ = "Military Forces of Iraq"
SYRIA = "Military Forces of Syria"
HTS = "Hayat Tahrir al-Sham"

# (surface, canonical name, inter, country) of the actors the hand-built documents know.
KNOWN = [
    ("Islamic State", ISIS, 2, "IQ"), ("IS", ISIS, 2, "IQ"), ("the jihadists", ISIS, 2, "IQ"),
    ("Iraqi troops", IRAQ, 1, "IQ"), ("the Iraqi army", IRAQ, 1, "IQ"),
    ("Syrian troops", SYRIA, 1, "SY"), ("regime forces", SYRIA, 1, "SY"),
    ("HTS", HTS, 2, "SY"), ("Houthi", "Ansar Allah (Houthi Movement)", 2, "YE"),
]


@pytest.fixture(scope="module")
def rules():
    return load_rules().modality.control


def mk(text: str, places: tuple[str, ...] = (), country: str = "IQ") -> tuple[Document, list[Sentence]]:
    """A document with every known actor surface marked (whole words), the given place
    surfaces marked as places, and sentences split at full stops."""
    doc = Document(id="t", page_id="t", text=text, country=country)
    taken: list[tuple[int, int]] = []
    for surf, name, inter, cty in sorted(KNOWN, key=lambda k: -len(k[0])):
        for m in re.finditer(rf"(?<![\w-]){re.escape(surf)}(?![\w])", text,
                               re.IGNORECASE if len(surf) > 3 else 0):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            doc.actors.append(ActorMention(m.start(), m.end(), surf, name, inter, country=cty))
    doc.actors.sort(key=lambda a: a.start)
    for p in places:
        for m in re.finditer(re.escape(p), text):
            doc.places.append(PlaceMention(m.start(), m.end(), p, p))
    doc.places.sort(key=lambda p: p.start)
    sents, start = [], 0
    for m in re.finditer(r"[.!?](?:\s+|$)", text):
        sents.append(Sentence(start, m.end()))
        start = m.end()
    if start < len(text):
        sents.append(Sentence(start, len(text)))
    return doc, sents


def held(text: str, rules, places: tuple[str, ...] = (), country: str = "IQ") -> list[tuple[str, str]]:
    doc, sents = mk(text, places, country)
    return [(c.place.name, c.controller) for c in find_control_statements(doc, sents, rules)]


# --------------------------------------------------------------------------- statement forms

@pytest.mark.parametrize("text, expected", [
    # hyphenated attribute before the place, with and without a descriptor phrase
    ("Artillery pounded the Islamic State-held desert town of Tilal overnight.", [("Tilal", ISIS)]),
    ("Aid convoys cannot reach IS-controlled Marwan.", [("Marwan", ISIS)]),
    ("Airstrikes hit Houthi-controlled Zabid again.", [("Zabid", "Ansar Allah (Houthi Movement)")]),
    # apposition after the place
    ("Forces are closing in on Tilal, the last Islamic State stronghold in the valley.", [("Tilal", ISIS)]),
    ("Tilal, the last stronghold of the jihadists, is surrounded.", [("Tilal", ISIS)]),
    # apposition before the place, after a dash or a colon
    ("The next objective is the final town under Islamic State control in the region \u2013 Kharbat.",
     [("Kharbat", ISIS)]),
    ("Planners named the only remaining IS bastion near the border: Kharbat.", [("Kharbat", ISIS)]),
    # copular and relative clauses
    ("Marwan remains in the hands of Islamic State, local officials say.", [("Marwan", ISIS)]),
    ("Marwan, which is controlled by Islamic State, was shelled twice.", [("Marwan", ISIS)]),
    ("Tilal is still under the control of Islamic State despite the siege.", [("Tilal", ISIS)]),
    ("Zarqa remains in IS hands.", [("Zarqa", ISIS)]),
    # present-tense holding verb and possessive stronghold
    ("Syrian troops still hold Qusayr after a week of fighting.", [("Qusayr", SYRIA)]),
    ("Drones circled over the HTS stronghold of Sarmin.", [("Sarmin", HTS)]),
    ("Villagers fled the Islamic State's stronghold of Tilal.", [("Tilal", ISIS)]),
    ("Shells hit the IS-held district of Zarqa.", [("Zarqa", ISIS)]),
    # a past or future verb in another clause before the cue does not make it past
    ("Artillery was fired at the IS-held town of Zarqa, which will be targeted again.", [("Zarqa", ISIS)]),
    ("Iraqi troops had already surrounded the IS-held town of Zarqa.", [("Zarqa", ISIS)]),
])
def test_statement_forms(rules, text, expected):
    assert held(text, rules, country="SY" if "Syrian" in text or "HTS" in text else "IQ") == expected


def test_coordinated_places_each_get_a_statement(rules):
    text = "Tilal and Marwan are considered the last two strongholds of Islamic State in the north."
    assert sorted(held(text, rules)) == [("Marwan", ISIS), ("Tilal", ISIS)]
    text = "Jets struck the IS-held villages of Tilal, Marwan and Zarqa at dawn."
    assert [p for p, _ in held(text, rules)] == ["Tilal", "Marwan", "Zarqa"]


def test_singular_cue_stays_with_its_place(rules):
    # "which is" speaks of one place: Baghdad is not said to be held by IS.
    assert held("Baghdad and Marwan, which is held by IS, were quiet.", rules) == [("Marwan", ISIS)]


def test_known_place_mentions_keep_their_names(rules):
    text = "Iraqi troops shelled the Islamic State-held town of Kharbat."
    doc, sents = mk(text, places=("town of Kharbat",))
    doc.places[0].name, doc.places[0].descriptor = "Kharbat", "town"
    got = find_control_statements(doc, sents, rules)
    assert [(c.place.name, c.place.descriptor, c.controller) for c in got] == [("Kharbat", "town", ISIS)]
    assert got[0].evidence.sentence.start == 0 and got[0].evidence.actors[0].of(text) == "Islamic State"


@pytest.mark.parametrize("text", [
    # past: describes the place before a capture
    "Iraqi troops freed Tilal, which had been the last stronghold of Islamic State in the valley.",
    "Marwan used to be held by Islamic State.",
    "Marwan, which was controlled by Islamic State until spring, is calm now.",
    "Crowds returned to the former IS stronghold of Zarqa.",
    "Residents of the once IS-held Zarqa came home.",
    "Residents went back to what used to be the IS-held town of Zarqa.",
    "Islamic State may still control Marwan.",
    # negation
    "Tilal is no longer in the hands of Islamic State.",
    "Marwan is not under IS control.",
    # the besieger does not hold the place
    "Tilal is besieged by Islamic State fighters.",
    "Food ran out in the IS-besieged town of Tilal.",
    # an event, not a statement
    "Marwan fell to Islamic State on Sunday.",
    # a stronghold near a place is not that place
    "The army advanced on the last IS stronghold near Marwan.",
    # control of part of a place
    "Shells fell on IS-held parts of Marwan.",
    "Jets bombed the IS-held eastern Marwan again.",
    "Parts of Tilal are still in the hands of Islamic State.",
    "A shell hit an IS-held suburb of Marwan.",
    # no controller: an unresolved word is not an actor
    "Reporters visited the long-held town of Tilal.",
])
def test_not_current_control(rules, text):
    assert held(text, rules) == []


def test_generic_controllers_resolve_through_the_article(rules):
    # "regime-held": the article's own state forces; "rebel-held": a generic armed group.
    text = "Regime forces shelled rebel-held Saraqib. Shells also fell on regime-held Khan Tuman."
    got = dict(held(text, rules, country="SY"))
    assert got == {"Saraqib": "Unidentified Armed Group (Syria)", "Khan Tuman": SYRIA}


def test_one_statement_per_place_and_controller(rules):
    text = "The IS-held town of Tilal was shelled. Later, IS-held Tilal was shelled again."
    assert held(text, rules) == [("Tilal", ISIS)]


def test_user_cues_extend_and_bad_cues_raise():
    extra = compile_control_rules({"after": [r",\s+a\s+bastion\s+of\s+{actor}"], "plural": [r"\bare\b"],
                                   "keywords": ["bastion"]})
    doc, sents = mk("Tilal, a bastion of IS, lies east.")
    assert [(c.place.name, c.controller) for c in find_control_statements(doc, sents, extra)] == [("Tilal", ISIS)]
    with pytest.raises(ConfigError):
        compile_control_rules({"before": ["held by"]})  # names no controller
    with pytest.raises(ConfigError):
        compile_control_rules({"before": ["({actor}"]})  # not a regular expression
    with pytest.raises(ConfigError):
        compile_control_rules({"not_names": "The"})  # not a list
    with pytest.raises(ConfigError):
        compile_control_rules({"after": [r",\s+a\s+bastion\s+of\s+{actor}"]})  # cues without keywords


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab IS-held,.Tilal\u2013:the of town Marwan remains in hands", max_size=160))
def test_any_text_gives_well_formed_statements(rules, text):
    doc, sents = mk(text)
    for c in find_control_statements(doc, sents, rules):
        assert 0 <= c.place.start < c.place.end <= len(text)
        assert c.place.text == text[c.place.start:c.place.end]
        assert c.controller
        s = c.evidence.sentence
        assert s.start <= c.place.start < s.end


# --------------------------------------------------------------------------- the seeds, end to end

def test_seed_corpus_control_map(tmp_path):
    seeds, gaz = SHARED / "corpus" / "seeds", SHARED / "gazetteer" / "iq_sy_sample.txt"
    if not seeds.is_dir() or not gaz.is_file():
        pytest.skip("../shared/corpus/seeds or the sample gazetteer is absent")
    from frontwatch.pipeline import RunOptions, control_states, run

    out = tmp_path / "out"
    run(RunOptions(inputs=(str(seeds),), out_dir=out, gazetteers=(gaz,), report=False))
    db = out / "frontwatch.db"

    def holders(day: date) -> dict[str, str]:
        return {s.place_key: s.controller for s in control_states(db, day, (gaz,))}

    def key_of(states_day: date, word: str) -> str:
        keys = [s.place_key for s in control_states(db, states_day, (gaz,))
                if re.sub(r"[^a-z0-9]", "", s.place.lower()).startswith(word)]
        assert keys, f"{word} missing from the control map of {states_day}"
        return keys[0]

    nov4, oct20 = date(2017, 11, 4), date(2017, 10, 20)
    late, early = holders(nov4), holders(oct20)
    for word in ("alqaim", "ubaydi", "h1", "h2"):
        assert late[key_of(nov4, word)] == IRAQ, word
    assert late[key_of(nov4, "rawa")] == ISIS
    assert early[key_of(oct20, "alqaim")] == ISIS
    # The page without a date that states "October 25" is dated by the corpus, so its statement
    # about al-Qa'im counts on that day.
    from frontwatch.model import DateSource
    from frontwatch.pipeline import iter_stored

    undated = {d.id: d for d in iter_stored(db) if d.published_source == DateSource.CORPUS}
    assert any(d.published == date(2017, 10, 25) and d.control for d in undated.values())
    oct25 = date(2017, 10, 25)
    qaim = next(s for s in control_states(db, oct25, (gaz,)) if s.place_key == key_of(oct25, "alqaim"))
    assert (qaim.controller, qaim.last_seen) == (ISIS, oct25)
