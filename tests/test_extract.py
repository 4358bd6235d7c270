"""Tests for extract.py / modality.py: triggers, modality, claims, places, dates, actors.

Unit tests build annotated Documents by hand (what annotate.py would add), so they test
extraction alone; the seed test at the end runs the real clean -> annotate -> extract chain.
Every sentence here is written for these tests.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.errors import ConfigError
from frontwatch.extract import compile_pattern, extract_events, load_rules, main_event
from frontwatch.model import (
    ActorMention,
    DateMention,
    Document,
    NumberMention,
    PlaceMention,
    RelativePosition,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

ARMY = ("the army", "Military Forces of Iraq", 1)
IRAQI_ARMY = ("Iraqi troops", "Military Forces of Iraq", 1)
PMF = ("the PMF", "Popular Mobilization Forces", 3)
IS = ("Islamic State", "Islamic State (Iraq)", 2)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def mk(text, actors=(), places=(), dates=(), numbers=(), country="IQ", published=None, doc_id="t"):
    """A Document annotated by hand: every occurrence of each surface string becomes a mention.

    actors: (surface, name, inter); places: surface or (surface, name, region);
    dates: (surface, date | None[, month, day]); numbers: (surface, best, unit, vague).
    """
    doc = Document(id=doc_id, page_id=doc_id, text=text, country=country, published=published)

    def where(s):
        i = text.find(s)
        while i >= 0:
            yield i
            i = text.find(s, i + 1)

    for surf, name, inter in actors:
        doc.actors += [ActorMention(i, i + len(surf), surf, name, inter) for i in where(surf)]
    for p in places:
        surf, name, region = (p, p, False) if isinstance(p, str) else p
        doc.places += [PlaceMention(i, i + len(surf), surf, name, region=region) for i in where(surf)]
    for surf, val, *md in dates:
        doc.dates += [DateMention(i, i + len(surf), surf, val, 1, month=md[0] if md else None,
                                  day=md[1] if md else None) for i in where(surf)]
    for surf, best, unit, vague in numbers:
        doc.numbers += [NumberMention(i, i + len(surf), surf, best, unit=unit, vague=vague) for i in where(surf)]
    return doc


def subtypes(doc):
    return [e.sub_event_type for e in doc.events]


# --------------------------------------------------------------------------- trigger families

FAMILIES = [
    ("Rebels and soldiers clashed near Marib on Tuesday.", "Armed clash"),
    ("Gunmen ambushed an army patrol outside Marib.", "Armed clash"),
    ("Troops repelled an attack by insurgents on a checkpoint in Marib.", "Armed clash"),
    ("Government forces retook Marib from the rebels.", "Government regains territory"),
    ("Rebels overran Marib after a week-long siege.", "Non-state actor overtakes territory"),
    ("Inspectors said chlorine was dropped on Marib, choking dozens.", "Chemical weapon"),
    ("Warplanes pounded Marib overnight.", "Air/drone strike"),
    ("A drone strike hit a car in Marib.", "Air/drone strike"),
    ("A suicide bomber blew himself up at a checkpoint in Marib.", "Suicide bomb"),
    ("Rebels shelled Marib with mortars.", "Shelling/artillery/missile attack"),
    ("A roadside bomb struck a minibus in Marib.", "Remote explosive/landmine/IED"),
    ("Two men hurled a grenade into a cafe in Marib.", "Grenade"),
    ("Militiamen raped two women in Marib.", "Sexual violence"),
    ("Gunmen executed a shepherd in Marib.", "Attack"),
    ("Unknown men abducted a teacher in Marib.", "Abduction/forced disappearance"),
    ("Hundreds of students held a peaceful protest in Marib.", "Peaceful protest"),
    ("Police fired tear gas to disperse a protest in Marib.", "Protest with intervention"),
    ("Security forces opened fire on protesters in Marib, killing four.", "Excessive force against protesters"),
    ("Rioters torched cars and threw stones at police in Marib.", "Violent demonstration"),
    ("A mob lynched a suspected thief in Marib.", "Mob violence"),
    ("The two sides signed a ceasefire in Marib.", "Agreement"),
    ("Police arrested five suspects in Marib.", "Arrests"),
    ("The army launched an offensive against the rebels in Marib.", "Change to group/activity"),
    ("Engineers defused an IED planted on the road in Marib.", "Disrupted weapons use"),
    ("The militia set up a new base in Marib.", "Headquarters or base established"),
    ("Fighters looted shops in Marib.", "Looting/property destruction"),
    ("The rebels withdrew from Marib under a deal brokered by elders.", "Non-violent transfer of territory"),
    ("Villagers found a mass grave in Marib.", "Other"),
]

ACTORS_YE = [("Rebels", "Houthi Movement", 2), ("rebels", "Houthi Movement", 2), ("soldiers", "Military Forces of Yemen", 1),
             ("Government forces", "Military Forces of Yemen", 1), ("The army", "Military Forces of Yemen", 1),
             ("Troops", "Military Forces of Yemen", 1), ("Police", "Police Forces of Yemen", 1),
             ("Security forces", "Military Forces of Yemen", 1), ("insurgents", "Houthi Movement", 2),
             ("Gunmen", "Unidentified Armed Group (Yemen)", 3), ("Militiamen", "Unidentified Armed Group (Yemen)", 3),
             ("Fighters", "Unidentified Armed Group (Yemen)", 3), ("The militia", "Unidentified Armed Group (Yemen)", 3)]


@pytest.mark.parametrize("sentence,sub", FAMILIES)
def test_each_family(rules, sentence, sub):
    doc = mk(sentence, actors=ACTORS_YE, places=["Marib"], country="YE", published=date(2020, 5, 5),
             numbers=[("four", 4, "protesters", False)] if "four" in sentence else ())
    extract_events(doc, rules)
    assert sub in subtypes(doc), (sentence, [(e.sub_event_type, e.evidence.rule) for e in doc.events])
    ev = next(e for e in doc.events if e.sub_event_type == sub)
    assert ev.place is not None and ev.place.name == "Marib"
    assert ev.evidence.rule and ev.evidence.trigger is not None
    assert ev.notes and sentence not in ev.notes


def test_all_25_subtypes_are_declared(rules):
    assert len(rules.subtypes) == 25
    assert {t for t, _ in rules.subtypes.values()} == {
        "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
        "Strategic developments"}


def test_captured_equipment_is_disrupted_weapons_use(rules):
    doc = mk("Near Hit, the army captured three tanks and a weapons cache from Islamic State.",
             actors=[ARMY, IS], places=["Hit"], published=date(2016, 4, 1))
    extract_events(doc, rules)
    assert subtypes(doc) == ["Disrupted weapons use"]


# --------------------------------------------------------------------------- modality

@pytest.mark.parametrize("sentence", [
    "The army will attack Baiji from the west.",
    "The army is preparing to launch an offensive on Baiji.",
    "Commanders said the next target is Baiji, which they plan to capture.",
    "Baiji will likely be liberated within days.",
    "Troops should be able to capture Baiji by Friday.",
    "Analysts speculate that the army may retake Baiji.",
    "Experts believe that the army captured Baiji too early.",
    "The army did not capture Baiji.",
    "The army denied that it shelled Baiji.",
    "If the army captures Baiji, the road north will open.",
    "Has the army captured Baiji?",
    "The army aims to clear Baiji of militants.",
])
def test_unasserted_sentences_yield_no_event(rules, sentence):
    doc = mk(sentence, actors=[("The army", "Military Forces of Iraq", 1), ("the army", "Military Forces of Iraq", 1)],
             places=["Baiji"], published=date(2015, 6, 1))
    extract_events(doc, rules)
    assert doc.events == [], [(e.sub_event_type, e.evidence.rule) for e in doc.events]
    assert doc.triggers, "the trigger is still recorded, only not asserted"


def test_cue_scoped_to_the_clause(rules):
    doc = mk("Baiji, which the army recaptured on 3 May, will be the next target of the offensive.",
             actors=[ARMY], places=["Baiji"], dates=[("3 May", date(2015, 5, 3))])
    extract_events(doc, rules)
    assert subtypes(doc) == ["Government regains territory"]
    assert doc.events[0].event_date == date(2015, 5, 3)


def test_no_one_killed_negates_only_the_killing(rules):
    doc = mk("A roadside bomb exploded in Baiji; no one was killed.", places=["Baiji"],
             published=date(2015, 6, 1))
    extract_events(doc, rules)
    assert subtypes(doc) == ["Remote explosive/landmine/IED"]
    assert doc.events[0].fatalities is None


# --------------------------------------------------------------------------- claims

def test_claim_according_to_media_wing(rules):
    doc = mk("On 2 June the PMF captured Tal Abtah, according to the PMF media office.",
             actors=[PMF, ("PMF", "Popular Mobilization Forces", 3)], places=["Tal Abtah"],
             dates=[("2 June", date(2017, 6, 2))])
    extract_events(doc, rules)
    assert doc.events[0].claimed_by == "Popular Mobilization Forces media office"
    assert doc.events[0].sub_event_type == "Government regains territory"


def test_claim_by_named_agency(rules):
    doc = mk("On 9 July the news agency Amaq announced that Islamic State gunmen executed a police officer in Tarmiyah.",
             actors=[IS], places=["Tarmiyah"], dates=[("9 July", date(2017, 7, 9))])
    extract_events(doc, rules)
    ev = doc.events[0]
    assert ev.claimed_by == "Amaq"
    assert ev.actor1 == "Islamic State (Iraq)"


def test_claim_after_the_fact(rules):
    doc = mk("Jets bombed a market in Ariha, killing 12 civilians, the monitor said.", places=["Ariha"],
             numbers=[("12 civilians", 12, "civilians", False)], published=date(2019, 8, 1), country="SY")
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.fatalities, ev.claimed_by) == ("Air/drone strike", 12, "monitor")


# --------------------------------------------------------------------------- places

def test_list_items_after_colon_are_distributed(rules):
    text = ("On 4 April Iraqi troops and the PMF captured the following areas:\n"
            "  • Kubaysah town west of Hit;\n  • Zuhayr and Tarmiyah villages;\n  • the Dulab bridge.\n\n"
            "Troops also killed 9 Islamic State militants, the ministry said.")
    doc = mk(text, actors=[IRAQI_ARMY, PMF, ("Troops", "Military Forces of Iraq", 1), IS],
             places=["Kubaysah", "Hit", "Zuhayr", "Tarmiyah", "Dulab bridge"],
             dates=[("4 April", date(2016, 4, 4))], numbers=[("9 Islamic State militants", 9, "militants", False)])
    extract_events(doc, rules)
    taken = sorted(e.place.name for e in doc.events if e.sub_event_type == "Government regains territory")
    assert taken == ["Dulab bridge", "Kubaysah", "Tarmiyah", "Zuhayr"]  # "Hit" is an anchor
    clash = [e for e in doc.events if e.sub_event_type == "Armed clash"]
    assert len(clash) == 1 and clash[0].fatalities == 9
    assert clash[0].event_date == date(2016, 4, 4)  # carried from the dated lead
    assert all(e.fatalities is None for e in doc.events if e is not clash[0])
    ev = next(e for e in doc.events if e.place.name == "Zuhayr")
    assert (ev.actor1, ev.assoc_actor_1, ev.actor2) == (
        "Military Forces of Iraq", "Popular Mobilization Forces", "Islamic State (Iraq)")


def test_relative_position_anchor_is_not_an_event_place(rules):
    doc = mk("On 5 May the army seized Rutbah, 110 km east of the border post.", actors=[ARMY],
             places=["Rutbah", "border post"], dates=[("5 May", date(2016, 5, 5))])
    doc.places[0].relative = RelativePosition("offset", "border post", 90.0, 110.0)
    extract_events(doc, rules)
    assert [e.place.name for e in doc.events] == ["Rutbah"]


def test_article_place_fallback_lowers_confidence(rules):
    text = "Fighting went on around Sinjar on 1 March.\n\nTroops killed 14 militants, officials said."
    doc = mk(text, actors=[("Troops", "Military Forces of Iraq", 1)], places=["Sinjar"],
             dates=[("1 March", date(2015, 3, 1))], numbers=[("14 militants", 14, "militants", False)])
    extract_events(doc, rules)
    ev = next(e for e in doc.events if e.fatalities == 14)
    assert ev.place.name == "Sinjar" and ev.confidence < 0.8


# --------------------------------------------------------------------------- dates

def test_year_less_dates_are_kept_as_month_and_day(rules):
    doc = mk("On June 12, the army recaptured Heet.", actors=[ARMY], places=["Heet"],
             dates=[("June 12", None, 6, 12)])
    extract_events(doc, rules)
    ev = doc.events[0]
    assert ev.event_date is None and (ev.date_month, ev.date_day, ev.date_reason) == (6, 12, "no year")


def test_background_capture_is_not_given_the_lead_date(rules):
    text = ("On 20 May, commanders met in Ramadi.\n\n"
            "The meeting came after the army recaptured Heet from Islamic State.")
    doc = mk(text, actors=[ARMY, IS], places=["Ramadi", "Heet"], dates=[("20 May", date(2016, 5, 20))])
    extract_events(doc, rules)
    ev = next(e for e in doc.events if e.place.name == "Heet")
    assert ev.event_date is None and "background" in ev.date_reason


def test_publication_date_fallback_is_week_precision(rules):
    doc = mk("A car bomb exploded in Kirkuk.", places=["Kirkuk"], published=date(2018, 1, 9))
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.event_date, ev.time_precision) == (date(2018, 1, 9), 2)


# --------------------------------------------------------------------------- actors, fatalities

def test_passive_agent_after_by(rules):
    doc = mk("On 7 May Ramadi was recaptured by Iraqi troops.", actors=[IRAQI_ARMY], places=["Ramadi"],
             dates=[("7 May", date(2016, 5, 7))])
    extract_events(doc, rules)
    assert doc.events[0].actor1 == "Military Forces of Iraq"
    assert doc.events[0].sub_event_type == "Government regains territory"


def test_non_state_capture_and_opponent_fallback(rules):
    text = "Islamic State fighters fought the army for days.\n\nOn 2 June Islamic State seized Tuz."
    doc = mk(text, actors=[IS, ARMY], places=["Tuz"], dates=[("2 June", date(2014, 6, 2))])
    extract_events(doc, rules)
    ev = next(e for e in doc.events if e.sub_event_type == "Non-state actor overtakes territory")
    assert ev.place.name == "Tuz"
    assert ev.actor2 == "Military Forces of Iraq"


def test_kidnap_then_execution_is_one_attack_with_one_death(rules):
    doc = mk("On 3 March Islamic State gunmen kidnapped and executed the mayor of Tarmiyah.",
             actors=[IS], places=["Tarmiyah"], dates=[("3 March", date(2017, 3, 3))])
    extract_events(doc, rules)
    assert subtypes(doc) == ["Attack"]
    assert doc.events[0].fatalities == 1 and doc.events[0].actor2 == "Civilians (Iraq)"


def test_generic_killing_absorbed_by_airstrike(rules):
    doc = mk("An airstrike on Maarat killed 8 civilians and wounded 20 people.", places=["Maarat"],
             numbers=[("8 civilians", 8, "civilians", False), ("20 people", 20, "people", False)],
             published=date(2019, 5, 2), country="SY")
    extract_events(doc, rules)
    assert subtypes(doc) == ["Air/drone strike"] and doc.events[0].fatalities == 8


def test_vague_fatalities_keep_the_convention(rules):
    doc = mk("On 26 May soldiers killed dozens of militants near Fallujah.", places=["Fallujah"],
             actors=[("soldiers", "Military Forces of Iraq", 1)], dates=[("26 May", date(2016, 5, 26))],
             numbers=[("dozens of militants", 12, "militants", True)])
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.fatalities) == ("Armed clash", 12) and "fatalities:vague" in ev.tags


def test_dedupe_within_document(rules):
    text = "On 3 May the army liberated Hit.\n\nOn 3 May the army finally liberated Hit."
    doc = mk(text, actors=[ARMY], places=["Hit"], dates=[("3 May", date(2016, 5, 3))])
    extract_events(doc, rules)
    assert len(doc.events) == 1 and doc.events[0].event_id == "t-1"


# --------------------------------------------------------------------------- control statements

def test_control_statements(rules):
    text = ("Troops advanced on the Islamic State-held town of Anah. Qaim, the last Islamic State stronghold "
            "in the province, is next. Rawa, which is controlled by Islamic State, was shelled.")
    doc = mk(text, actors=[("Troops", "Military Forces of Iraq", 1), IS], places=["Anah", "Qaim", "Rawa"],
             published=date(2017, 10, 1))
    extract_events(doc, rules)
    got = sorted((c.place.name, c.controller) for c in doc.control)
    assert got == [("Anah", "Islamic State (Iraq)"), ("Qaim", "Islamic State (Iraq)"), ("Rawa", "Islamic State (Iraq)")]
    assert not any(e.place and e.place.name in {"Anah", "Qaim"} for e in doc.events)


# --------------------------------------------------------------------------- loading, robustness

def test_user_trigger_file_extends(rules, tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text("version: 1\nsubtypes:\n  - sub_event_type: Armed clash\n    event_type: Battles\n"
                     "    triggers:\n      - id: user.skirmish\n        patterns: ['traded blows with']\n")
    r = load_rules([extra])
    doc = mk("On 1 May rebels traded blows with troops in Idlib.", places=["Idlib"],
             dates=[("1 May", date(2019, 5, 1))])
    extract_events(doc, r)
    assert [e.evidence.rule for e in doc.events] == ["user.skirmish"]


def test_bad_rules_file_is_a_config_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("subtypes: [{event_type: Battles}]\n")
    with pytest.raises(ConfigError):
        load_rules([bad])
    with pytest.raises(ConfigError):
        load_rules([tmp_path / "missing.yaml"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("abc XYZ.,;:\n-?'") + ["killed ", "captured ", "will ", "Hit", "On 3 May "]),
                max_size=60).map("".join))
def test_extract_never_raises_and_spans_stay_inside(rules, text):
    doc = mk(text, places=["Hit"], published=date(2020, 1, 1))
    extract_events(doc, rules)
    for ev in doc.events:
        for sp in [ev.evidence.sentence, ev.evidence.trigger]:
            assert 0 <= sp.start <= sp.end <= len(text)


@given(st.lists(st.sampled_from(["word", "a|b", "x?", "~", "~2", "air-strike", "c|d?"]), min_size=1, max_size=5))
def test_compile_pattern_has_a_required_token(rules, parts):
    pattern = " ".join(parts)
    try:
        pats = compile_pattern(pattern, rules.nlp.tokenizer)
    except ConfigError:
        assert all(p.startswith("~") or p.endswith("?") for p in parts)
        return
    assert all(any("OP" not in t for t in p) for p in pats)


def test_main_event_prefers_specific(rules):
    doc = mk("A car bomb exploded near a market in Kirkuk and clashes followed.", places=["Kirkuk"],
             published=date(2018, 1, 9))
    extract_events(doc, rules)
    assert main_event(doc, rules).sub_event_type == "Remote explosive/landmine/IED"


# --------------------------------------------------------------------------- seeds, real pipeline

def _seed_docs():
    if not (SHARED / "corpus" / "seeds").is_dir():
        pytest.skip("../shared is absent")
    if importlib.util.find_spec("frontwatch.annotate") is None or importlib.util.find_spec("frontwatch.clean") is None:
        pytest.skip("clean/annotate not written yet")
    from frontwatch import annotate, clean
    from frontwatch.read import iter_pages

    vocab, res, rules = clean.load_vocab(()), annotate.load_resources(()), load_rules()
    docs = []
    for page in iter_pages([str(SHARED / "corpus" / "seeds")]):
        if not hasattr(page, "text"):
            continue
        for doc in clean.clean_page(page, vocab):
            annotate.annotate(doc, res)
            extract_events(doc, rules)
            docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def seed_docs():
    return _seed_docs()


def test_seeds_no_event_from_plans_or_furniture(seed_docs):
    import json

    gold = json.loads((SHARED / "gold" / "seeds_documents.json").read_text(encoding="utf-8"))["documents"]
    by_page: dict[str, list] = {}
    for d in seed_docs:
        by_page.setdefault(d.page_id, []).extend((d, e) for e in d.events)
    # Every event's sentence lies in the article's body lines (not furniture, not comments).
    for page, pairs in by_page.items():
        lines = (SHARED / "corpus" / "seeds" / f"{page}.txt").read_text(encoding="utf-8").split("\n")
        body = " ".join(" ".join(lines[n - 1].split()) for n in gold[page]["body"])
        for doc, ev in pairs:
            sentence = " ".join(ev.evidence.sentence.of(doc.text).split())
            assert sentence in body, (page, sentence)
    # Page 000 is an announcement of plans: its only past events are told without a date.
    assert all(ev.event_date is None for _, ev in by_page.get("000_eeae2be72c4638ab", []))
    # Page 003: an operation launched and a killing claimed on its date; its plans yield nothing.
    got = sorted(ev.sub_event_type for _, ev in by_page.get("003_3c07c7ac857e0eb8", []))
    assert got == ["Attack", "Change to group/activity"]
    for page in ("000_eeae2be72c4638ab", "003_3c07c7ac857e0eb8"):
        for doc, ev in by_page.get(page, []):
            sentence = ev.evidence.sentence.of(doc.text).lower()
            assert not any(w in sentence for w in (" will ", "preparing to", "ready to")), sentence


def test_seeds_47_killed_exact(seed_docs):
    fats = [e.fatalities for d in seed_docs for e in d.events if e.sub_event_type == "Armed clash"]
    assert 47 in fats


# --------------------------------------------------------------------------- sentence-level rules

def test_withdrawal_then_taking_is_non_violent_transfer(rules):
    doc = mk("On 6 May the army withdrew from Tabqa and the rebels took control of the town without a fight.",
             actors=[ARMY, ("the rebels", "Free Syrian Army", 2)], places=["Tabqa"],
             dates=[("6 May", date(2019, 5, 6))], country="SY")
    extract_events(doc, rules)
    assert subtypes(doc) == ["Non-violent transfer of territory"]


def test_protest_outcome_told_in_next_sentence(rules):
    text = "Thousands marched in Basra on Friday against power cuts. Some protesters later set fire to a government building."
    doc = mk(text, places=["Basra"], dates=[("Friday", date(2019, 7, 5))], published=date(2019, 7, 6))
    extract_events(doc, rules)
    assert set(subtypes(doc)) == {"Violent demonstration"}
    assert doc.events[0].actor1 == "Rioters (Iraq)"


def test_specific_trigger_beats_generic_around_it(rules):
    doc = mk("Militants launched a chemical attack on Sheikh Maqsoud on Sunday.", places=["Sheikh Maqsoud"],
             dates=[("Sunday", date(2016, 4, 10))], country="SY")
    extract_events(doc, rules)
    assert subtypes(doc) == ["Chemical weapon"]


def test_aggregate_plural_without_place_is_not_an_event(rules):
    text = "Troops entered Sinjar on 2 May.\n\nInsurgents had carried out a number of attacks against police during the last month."
    doc = mk(text, actors=[("Troops", "Military Forces of Iraq", 1)], places=["Sinjar"],
             dates=[("2 May", date(2016, 5, 2))])
    extract_events(doc, rules)
    assert not any(e.sub_event_type in {"Attack", "Armed clash"} for e in doc.events)


def test_unrecognised_list_items_are_still_places(rules):
    text = "On 9 June the army captured the following hamlets:\n- Kharab Ali;\n- Tell Sabah.\n\nThen it halted."
    doc = mk(text, actors=[ARMY], dates=[("9 June", date(2016, 6, 9))])
    extract_events(doc, rules)
    assert sorted(e.place.name for e in doc.events) == ["Kharab Ali", "Tell Sabah"]
    assert all(e.place.rule == "extract:list-item" for e in doc.events)


def test_one_offensive_per_actor_and_day(rules):
    text = ("On 26 May the army launched its offensive near Fallujah. "
            "The army began the offensive by storming positions at Karma.")
    doc = mk(text, actors=[ARMY], places=["Fallujah", "Karma"], dates=[("26 May", date(2016, 5, 26))])
    extract_events(doc, rules)
    assert subtypes(doc).count("Change to group/activity") == 1


def test_riot_police_is_not_a_riot_and_crowd_control_implies_a_protest(rules):
    doc = mk("Riot police fired tear gas to disperse hundreds of students in Dhaka on Sunday.",
             actors=[("Riot police", "Police Forces of Bangladesh", 1)], places=["Dhaka"],
             dates=[("Sunday", date(2018, 8, 5))], country="BD")
    extract_events(doc, rules)
    assert subtypes(doc) == ["Protest with intervention"]


def test_source_of_a_report_is_not_the_victim(rules):
    doc = mk("Gunmen shot dead a trader in Maiduguri on Monday, police said.",
             actors=[("Gunmen", "Unidentified Armed Group (Nigeria)", 3), ("police", "Police Forces of Nigeria", 1)],
             places=["Maiduguri"], dates=[("Monday", date(2019, 2, 4))], country="NG")
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.actor2, ev.fatalities) == ("Attack", "Civilians (Nigeria)", 1)
    assert ev.claimed_by == "Police Forces of Nigeria"  # a source that is an actor is canonical


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["The army", " captured", " Hit", ",", " which", " will", " that", ";", " after",
                                 " – ", " if", "\"", " said", " according to", " the PMF", " X"]),
                min_size=1, max_size=25).map("".join), st.integers(min_value=0, max_value=200))
def test_clause_bounds_contain_the_trigger(rules, text, pos):
    from frontwatch import modality

    pos = min(pos, max(0, len(text) - 1))
    end = min(len(text), pos + 1)
    lo, hi = modality.clause_bounds(text, 0, len(text), pos, end, rules.modality)
    assert 0 <= lo <= pos and end <= hi <= len(text)
    m = modality.assess(text, 0, len(text), pos, end, rules.modality)
    assert isinstance(m.asserted, bool)
    assert isinstance(modality.find_claimant(text, 0, len(text), pos, [], rules.modality, end), str)


@pytest.mark.parametrize("sentence", [
    "More than 300,000 people have been killed in Hama over ten years of war, the monitor said.",
    "Car bombs have hit Hama repeatedly throughout the conflict.",
    "Air strikes on Hama continued despite the ceasefire.",
])
def test_aggregates_and_named_agreements_are_not_events(rules, sentence):
    doc = mk(sentence, places=["Hama"], published=date(2021, 3, 15), country="SY")
    extract_events(doc, rules)
    assert "Attack" not in subtypes(doc) and "Agreement" not in subtypes(doc)
    assert "Remote explosive/landmine/IED" not in subtypes(doc)


def test_civilians_are_victims_not_agents(rules):
    doc = mk("Twelve civilians died in air strikes on Ariha on Monday.",
             actors=[("civilians", "Civilians (Syria)", 7)], places=["Ariha"],
             dates=[("Monday", date(2019, 7, 22))], country="SY")
    extract_events(doc, rules)
    ev = doc.events[0]
    assert ev.sub_event_type == "Air/drone strike" and ev.actor1 == "" and ev.actor2 == "Civilians (Syria)"


def test_fell_to_names_the_taker_after_the_trigger(rules):
    doc = mk("On 24 August the air base at Tabqa fell to Islamic State after days of fighting.",
             actors=[("Islamic State", "Islamic State (Syria)", 2)], places=["Tabqa"],
             dates=[("24 August", date(2014, 8, 24))], country="SY")
    extract_events(doc, rules)
    ev = next(e for e in doc.events if e.sub_event_type.endswith("territory"))
    assert (ev.sub_event_type, ev.actor1) == ("Non-state actor overtakes territory", "Islamic State (Syria)")


def test_definite_reference_to_a_told_attack_is_not_a_new_event(rules):
    text = "A car bomb exploded in Azaz on Monday, killing 9 people.\n\nTurkey condemned the attack."
    doc = mk(text, places=["Azaz"], dates=[("Monday", date(2017, 1, 9))],
             numbers=[("9 people", 9, "people", False)], country="SY")
    extract_events(doc, rules)
    assert subtypes(doc) == ["Remote explosive/landmine/IED"] and doc.events[0].fatalities == 9


# --------------------------------------------------------------------------- actor roles and tolls
# (frontwatch issue "Extract events": who acted, who suffered, and what a toll belongs to)

RUSSIA_AIR = ("Russian aircraft", "Military Forces of Russia", 8)
IS_SY = ("Islamic State", "Islamic State (Syria)", 2)
SYRIA_ARMY = ("the army", "Military Forces of Syria", 1)


def test_subject_inside_the_trigger_is_the_agent(rules):
    # The trigger "aircraft struck" overlaps the actor "Russian aircraft": it is still the subject.
    doc = mk("Russian aircraft struck a convoy near Palmyra on Sunday, after Islamic State fighters "
             "left the town.", actors=[RUSSIA_AIR, IS_SY], places=["Palmyra"],
             dates=[("Sunday", date(2017, 10, 15))], country="SY")
    extract_events(doc, rules)
    ev = next(e for e in doc.events if e.sub_event_type == "Air/drone strike")
    assert ev.actor1 == "Military Forces of Russia"
    assert ev.actor2 == "Islamic State (Syria)"  # a convoy is a military target: the striker's enemy


def test_a_toll_of_soldiers_is_no_attack_on_civilians_and_adds_to_the_clash(rules):
    text = ("Fighting between the army and Islamic State raged in Hajin on Monday. "
            "A monitor put the number of soldiers killed at six.")
    doc = mk(text, actors=[SYRIA_ARMY, IS_SY, ("soldiers", "Military Forces of Syria", 1)], places=["Hajin"],
             dates=[("Monday", date(2018, 11, 5))], numbers=[("six", 6, None, False)], country="SY")
    extract_events(doc, rules)
    assert subtypes(doc) == ["Armed clash"]
    assert doc.events[0].fatalities == 6 and "fatalities:summed" in doc.events[0].tags


def test_counts_of_both_sides_sum_and_name_both_sides(rules):
    text = "Fighting in Beni on Monday killed 12 rebels and three soldiers."
    doc = mk(text, actors=[("rebels", "ADF - Allied Democratic Forces", 2),
                           ("soldiers", "Military Forces of Democratic Republic of Congo", 1)],
             places=["Beni"], dates=[("Monday", date(2021, 3, 8))],
             numbers=[("12 rebels", 12, "rebels", False), ("three soldiers", 3, "soldiers", False)], country="CD")
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.fatalities) == ("Armed clash", 15)
    assert (ev.actor1, ev.actor2) == ("Military Forces of Democratic Republic of Congo", "ADF - Allied Democratic Forces")


def test_passive_subject_is_the_victim(rules):
    text = "At least 40 Islamic State fighters were killed in clashes with the army in Mayadin on Friday."
    doc = mk(text, actors=[("Islamic State fighters", "Islamic State (Syria)", 2), SYRIA_ARMY], places=["Mayadin"],
             dates=[("Friday", date(2017, 10, 13))], numbers=[("At least 40", 40, "fighters", False)], country="SY")
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.actor1, ev.actor2, ev.fatalities) == ("Military Forces of Syria", "Islamic State (Syria)", 40)


def test_active_killer_with_at_least_is_not_a_passive(rules):
    doc = mk("Militants killed at least 30 villagers in Tillia on Sunday.",
             actors=[("Militants", "Unidentified Armed Group (Niger)", 3), ("villagers", "Civilians (Niger)", 7)],
             places=["Tillia"], dates=[("Sunday", date(2021, 3, 7))],
             numbers=[("at least 30", 30, "villagers", False)], country="NE")
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.actor1, ev.fatalities) == ("Attack", "Unidentified Armed Group (Niger)", 30)


def test_where_a_source_sits_is_not_where_the_event_happened(rules):
    text = "Clashes in Idlib killed nine rebels on Sunday, according to a monitor based in London."
    doc = mk(text, actors=[("rebels", "Unidentified Armed Group (Syria)", 3)], places=["Idlib", "London"],
             dates=[("Sunday", date(2021, 3, 7))], numbers=[("nine rebels", 9, "rebels", False)], country="SY")
    extract_events(doc, rules)
    assert [e.place.name for e in doc.events] == ["Idlib"]


def test_a_foreign_country_named_in_passing_is_no_event_place(rules):
    text = "Fighting killed 14 fighters on Monday, said the monitor, which is based in Britain."
    doc = mk(text, places=[("Britain", "Britain", True)], dates=[("Monday", date(2021, 3, 8))],
             numbers=[("14 fighters", 14, "fighters", False)], country="SY")
    doc.places[0].descriptor = "country"
    extract_events(doc, rules)
    assert doc.events and all(e.place is None or e.place.name != "Britain" for e in doc.events)


def test_external_forces_taking_ground_from_jihadists_regain_it(rules):
    doc = mk("Iraqi units captured Husaybah on Friday after Islamic State fighters fled.",
             actors=[("Iraqi units", "Military Forces of Iraq", 8), IS_SY], places=["Husaybah"],
             dates=[("Friday", date(2017, 11, 3))], country="SY")
    extract_events(doc, rules)
    ev = next(e for e in doc.events if "territory" in e.sub_event_type)
    assert (ev.sub_event_type, ev.actor2) == ("Government regains territory", "Islamic State (Syria)")


def test_external_forces_taking_ground_from_a_state_is_an_invasion(rules):
    doc = mk("Russian forces captured Avdiivka on Saturday, the Ukrainian army said. Ukrainian troops withdrew west.",
             actors=[("Russian forces", "Military Forces of Russia", 8), ("Ukrainian army", "Military Forces of Ukraine", 1),
                     ("Ukrainian troops", "Military Forces of Ukraine", 1)],
             places=["Avdiivka"], dates=[("Saturday", date(2024, 2, 17))], country="UA")
    extract_events(doc, rules)
    ev = next(e for e in doc.events if "territory" in e.sub_event_type)
    assert ev.sub_event_type == "Non-state actor overtakes territory"


def test_allies_are_not_the_enemy_of_a_clash(rules):
    text = ("The US-led coalition said its aircraft flew 20 sorties. The coalition backed the push.\n\n"
            "Iraqi troops clashed near Rawa on Tuesday. Islamic State still holds the desert to the west.")
    doc = mk(text, actors=[("US-led coalition", "Coalition Forces (Operation Inherent Resolve)", 8),
                           ("The coalition", "Coalition Forces (Operation Inherent Resolve)", 8),
                           ("Iraqi troops", "Military Forces of Iraq", 1), IS],
             places=["Rawa"], dates=[("Tuesday", date(2017, 11, 14))])
    extract_events(doc, rules)
    ev = next(e for e in doc.events if e.sub_event_type == "Armed clash")
    assert (ev.actor1, ev.actor2) == ("Military Forces of Iraq", "Islamic State (Iraq)")


def test_named_group_wins_over_its_unnamed_men_and_definite_reference(rules):
    text = ("Militants from Boko Haram attacked a base in Marte on Friday, killing seven soldiers.\n\n"
            "The militants later set off a car bomb at the gate of the base in Marte.")
    doc = mk(text, actors=[("Militants", "Unidentified Armed Group (Nigeria)", 3),
                           ("militants", "Unidentified Armed Group (Nigeria)", 3),
                           ("Boko Haram", "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", 2),
                           ("soldiers", "Military Forces of Nigeria", 1)],
             places=["Marte"], dates=[("Friday", date(2021, 3, 5))],
             numbers=[("seven soldiers", 7, "soldiers", False)], country="NG")
    for a in doc.actors:
        a.generic = a.name.startswith("Unidentified") or a.name.startswith("Military")
    extract_events(doc, rules)
    assert {e.actor1 for e in doc.events} == {"Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"}


def test_units_of_an_army_are_that_army(rules):
    text = "Units of the Iraqi army, backed by the PMF, raised the national flag over Rawa on Friday."
    doc = mk(text, actors=[("Iraqi army", "Military Forces of Iraq", 1), PMF], places=["Rawa"],
             dates=[("Friday", date(2017, 11, 17))])
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.actor1) == ("Government regains territory", "Military Forces of Iraq")


@pytest.mark.parametrize("text", [
    "Warplanes struck fortified positions near Kobani on Monday.",
    "The militants opened the assault with a car bomb at the gate of the base in Bariire.",
    "Three army vehicles were destroyed by car bombs in Karabila on Monday.",
])
def test_false_activity_changes_and_seizures(rules, text):
    doc = mk(text, places=["Kobani", "Bariire", "Karabila"], dates=[("Monday", date(2021, 3, 8))])
    extract_events(doc, rules)
    assert not {"Change to group/activity", "Disrupted weapons use"} & set(subtypes(doc))


@pytest.mark.parametrize(("text", "sub", "actor1"), [
    ("The capture of Kidal by government troops on Tuesday ended years of rebel rule.",
     "Government regains territory", "Military Forces of Mali"),
    ("The fall of Mekelle to Tigrayan forces on Tuesday was confirmed by residents.",
     "Non-state actor overtakes territory", "TPLF - Tigray People's Liberation Front"),
])
def test_nominal_territory_triggers_name_the_taker_after_the_place(rules, text, sub, actor1):
    doc = mk(text, actors=[("government troops", "Military Forces of Mali", 1),
                           ("Tigrayan forces", "TPLF - Tigray People's Liberation Front", 2),
                           ("residents", "Civilians (Ethiopia)", 7)],
             places=["Kidal", "Mekelle"], dates=[("Tuesday", date(2021, 3, 9))], country="ML")
    extract_events(doc, rules)
    ev = next(e for e in doc.events if "territory" in e.sub_event_type)
    assert (ev.sub_event_type, ev.actor1) == (sub, actor1) and not ev.actor2.startswith("Civilians")


def test_death_toll_rising_to_a_bare_number_is_the_fatalities(rules):
    doc = mk("The death toll from Friday's bombing in Kabul rose to 31, health officials said.",
             places=["Kabul"], dates=[("Friday", date(2021, 3, 5))], numbers=[("31", 31, None, False)], country="AF")
    extract_events(doc, rules)
    assert [(e.sub_event_type, e.fatalities) for e in doc.events] == [("Remote explosive/landmine/IED", 31)]


def test_members_of_a_family_are_civilians(rules):
    doc = mk("Gunmen killed six members of a family in Bavispe on Monday.",
             actors=[("Gunmen", "Unidentified Armed Group (Mexico)", 3)], places=["Bavispe"],
             dates=[("Monday", date(2021, 3, 8))], numbers=[("six members", 6, "members", False)], country="MX")
    extract_events(doc, rules)
    assert [(e.sub_event_type, e.fatalities) for e in doc.events] == [("Attack", 6)]


def test_officer_who_speaks_is_not_the_agent(rules):
    text = "An army officer said 14 militants were killed when they tried to cross the river near Gao on Friday."
    doc = mk(text, actors=[("army", "Military Forces of Mali", 1), ("militants", "Unidentified Armed Group (Mali)", 3)],
             places=["Gao"], dates=[("Friday", date(2021, 3, 5))], numbers=[("14 militants", 14, "militants", False)],
             country="ML")
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.actor2, ev.fatalities) == ("Armed clash", "Unidentified Armed Group (Mali)", 14)
    assert ev.confidence < 0.9  # the other side is inferred, not read


def test_a_second_main_clause_keeps_its_own_blast(rules):
    text = ("Nine insurgents were killed when they tried to cross the river near Gao, and one soldier "
            "died when his truck struck a roadside bomb.")
    doc = mk(text, actors=[("insurgents", "Unidentified Armed Group (Mali)", 3), ("soldier", "Military Forces of Mali", 1)],
             places=["Gao"], numbers=[("Nine insurgents", 9, "insurgents", False)], country="ML")
    extract_events(doc, rules)
    got = {e.sub_event_type: e.fatalities for e in doc.events}
    assert got == {"Armed clash": 9, "Remote explosive/landmine/IED": None}


def test_mortar_teams_struck_are_a_target_not_a_shelling(rules):
    doc = mk("Coalition drones struck two mortar teams south of Rawa on Monday.", places=["Rawa"],
             actors=[("Coalition drones", "Coalition Forces (Operation Inherent Resolve)", 8)])
    extract_events(doc, rules)
    assert subtypes(doc) == ["Air/drone strike"]


def test_the_same_act_told_twice_lends_its_parties(rules):
    text = ("The heaviest fighting came near Akashat, where an Islamic State ambush on an army column "
            "killed four soldiers on Sunday.")
    doc = mk(text, actors=[IS, ("army", "Military Forces of Iraq", 1), ("soldiers", "Military Forces of Iraq", 1)],
             places=["Akashat"], dates=[("Sunday", date(2017, 10, 22))],
             numbers=[("four soldiers", 4, "soldiers", False)])
    extract_events(doc, rules)
    ev = doc.events[0]
    assert (ev.sub_event_type, ev.actor1, ev.actor2, ev.fatalities) == (
        "Armed clash", "Islamic State (Iraq)", "Military Forces of Iraq", 4)
