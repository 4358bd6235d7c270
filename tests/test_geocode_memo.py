"""Per-run memos of the geocoder: they must save work without ever changing an answer.

``rank`` keeps its results on the gazetteer by (name, arguments, context), the gazetteer keeps
``normalise``/``fold`` of every string it sees, ``GeocodeContext.dominant`` keeps its shares
while the article's first-pass picks stay the same, and the fuzzy tier scores a block of keys
in one rapidfuzz call.  Each test compares a memoised answer with one computed from scratch,
after the context has changed under the memo.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from frontwatch.geocode import (
    DOMINANT_SHARE,
    GeocodeContext,
    PlaceMemory,
    _first_pass,
    _seed,
    _strip_modifiers,
    geocode_mentions,
    load_geocoding,
    rank,
)
from frontwatch.model import PlaceMention
from frontwatch.names import fold, normalise
from gazrows import fixture_gazetteer, geonames_row

row = geonames_row


# Made-up ids and points; towns of two countries sharing names, so that context decides between them.
FIXTURE = "".join([
    row(9100001, "Tamarin", "", 10.0, 20.0, "P", "PPLA", "KE", "01", 300_000),
    row(9100002, "Tamarin", "", 40.0, 60.0, "P", "PPL", "PE", "07", 900_000),
    row(9100003, "Kosta", "", 10.2, 20.3, "P", "PPL", "KE", "01", 5_000),
    row(9100004, "Kosta", "", 40.1, 60.2, "P", "PPL", "PE", "07", 8_000),
    row(9100005, "Verel", "", 10.5, 19.8, "P", "PPL", "KE", "01", 1_000),
    row(9100006, "Ondrava", "", 40.3, 59.9, "P", "PPL", "PE", "07", 70_000),
    row(9100007, "Ondrava Province", "Ondrava", 40.0, 60.0, "A", "ADM1", "PE", "07", 2_000_000),
    row(9100008, "Pellin Bridge", "Pellin", 10.1, 20.1, "S", "BDG", "KE", "01"),
    # A place with two spellings close to one query: the fuzzy tier must report the closer one.
    row(9100009, "Shaharova", "Shakharova,Shaharovka", 40.2, 60.1, "P", "PPL", "PE", "07", 12_000),
])
NAMES = ["Tamarin", "Kosta", "Verel", "Ondrava", "Pellin", "Shaharov", "Nowhere"]
POINTS = {"aa1": (10.0, 20.0), "aa2": (10.4, 19.9), "bb1": (40.0, 60.0), "bb2": (40.2, 60.3)}


@pytest.fixture(scope="module")
def gaz(tmp_path_factory):
    with fixture_gazetteer(tmp_path_factory.mktemp("memo"), FIXTURE) as g:
        yield g


@pytest.fixture(scope="module")
def res():
    return load_geocoding()


def fresh(name, gaz, ctx, **kw):
    """``rank`` with every per-run memo emptied first: the answer from scratch."""
    gaz.derived.clear()
    return rank(name, gaz, ctx, **kw)


def test_memo_follows_the_context_not_the_first_answer(gaz, res) -> None:
    ctx = GeocodeContext(memory=PlaceMemory(), res=res)
    assert rank("Kosta", gaz, ctx)[0].candidate.entry.cc == "PE"  # the larger one, no context
    ctx.points["x"] = POINTS["aa1"]  # the article turns out to be about Kenya
    ctx.points["y"] = POINTS["aa2"]
    assert rank("Kosta", gaz, ctx)[0].candidate.entry.cc == "KE"
    ctx.points.clear()
    ctx.country = "KE"
    best = rank("Kosta", gaz, ctx)[0]
    assert best.candidate.entry.cc == "KE" and "article's country" in best.why


def test_memo_keeps_arguments_apart(gaz, res) -> None:
    ctx = GeocodeContext(country="PE", memory=PlaceMemory(), res=res)
    assert rank("Ondrava", gaz, ctx)[0].candidate.entry.fcode == "PPL"  # a bare name: the town
    assert rank("Ondrava", gaz, ctx, region=True)[0].candidate.entry.fcode == "ADM1"
    assert rank("Ondrava", gaz, ctx, descriptor="province")[0].candidate.entry.fcode == "ADM1"
    # "near" an anchor far from every Ondrava leaves nothing; the memo must not answer otherwise.
    assert rank("Ondrava", gaz, ctx, near=(10.0, 20.0)) == []
    assert rank("Ondrava", gaz, ctx)[0].candidate.entry.fcode == "PPL"


def test_a_returned_list_is_the_callers_own(gaz, res) -> None:
    ctx = GeocodeContext(country="KE", memory=PlaceMemory(), res=res)
    first = rank("Tamarin", gaz, ctx)
    first.clear()
    assert rank("Tamarin", gaz, ctx)


context_steps = st.lists(st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from([None, "KE", "PE"]),
    st.lists(st.sampled_from(sorted(POINTS)), unique=True, max_size=3),
    st.sampled_from([None, "town", "bridge", "province"]),
    st.booleans(),
    st.lists(st.tuples(st.sampled_from(["k1", "k2", "k3", "tamarin"]), st.sampled_from(["KE", "PE"])),
             max_size=5),
), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(context_steps)
def test_memoised_ranking_equals_ranking_from_scratch(gaz, res, steps) -> None:
    ctx = GeocodeContext(memory=PlaceMemory(), res=res)
    for name, country, pts, descriptor, region, picks in steps:
        # The context changes in place between calls, as the article's seeding passes change it.
        ctx.country = country
        ctx.points.clear()
        ctx.points.update({k: POINTS[k] for k in pts})
        ctx.name_countries.extend(picks)
        memo = rank(name, gaz, ctx, descriptor=descriptor, region=region)
        assert memo == fresh(name, gaz, ctx, descriptor=descriptor, region=region)


def test_geocoding_an_article_twice_gives_the_same_locations(gaz, res) -> None:
    ms = [PlaceMention(0, 5, "Kosta", "Kosta"), PlaceMention(10, 17, "Tamarin", "Tamarin"),
          PlaceMention(20, 25, "Verel", "Verel"), PlaceMention(30, 38, "Shaharov", "Shaharov")]
    gaz.derived.clear()
    cold = geocode_mentions(ms, gaz, country="KE", res=res)
    warm = geocode_mentions(ms, gaz, country="KE", res=res)
    assert cold == warm
    # An article about Kenya: the Kenyan towns, not their larger namesakes in Peru.
    assert [loc.gazetteer_id for loc in cold[:2]] == ["geonames:9100003", "geonames:9100001"]
    assert all(loc.country == "Kenya" for loc in cold[:2])


def seed_from_scratch(mentions, gaz, ctx, context=None) -> None:
    """The seeding pass by its definition: every mention ranked afresh in the context as it is."""
    for m in mentions:
        if m.relative is not None or not m.name:
            continue
        name = _strip_modifiers(m.name, ctx.res, gaz.fold) if m.region else m.name
        ranked = fresh(name, gaz, context or ctx, descriptor=m.descriptor, region=m.region)
        if ranked and ranked[0].candidate.tier == "exact":
            ctx.note_pick(normalise(m.name), ranked[0].candidate.entry)


def first_pass_from_scratch(mentions, gaz, ctx) -> None:
    seed_from_scratch(mentions, gaz, ctx)
    if len(ctx.points) + len(ctx.provinces) > 1:
        again = GeocodeContext(country=ctx.country, memory=ctx.memory, res=ctx.res)
        seed_from_scratch(mentions, gaz, again, context=ctx)
        ctx.points, ctx.countries, ctx.provinces = again.points, again.countries, again.provinces
        ctx.name_countries, ctx.place_countries = again.name_countries, again.place_countries


mentions = st.lists(st.tuples(st.sampled_from(NAMES + ["western Ondrava"]),
                              st.sampled_from([None, "town", "province", "bridge"]), st.booleans()),
                    min_size=1, max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mentions, st.sampled_from([None, "KE", "PE"]))
def test_seeding_equals_seeding_from_scratch(gaz, res, ms, country) -> None:
    # An article naming its places again and again (the seeding pass reuses a name's ranking
    # while what the ranking reads of the context is unchanged).
    places = [PlaceMention(i, i + len(n), n, n, d, None, r) for i, (n, d, r) in enumerate(ms)]
    for seeding, reference in ((_seed, seed_from_scratch), (_first_pass, first_pass_from_scratch)):
        memo = GeocodeContext(country=country, memory=PlaceMemory(), res=res)
        gaz.derived.clear()
        seeding(places, gaz, memo)
        scratch = GeocodeContext(country=country, memory=PlaceMemory(), res=res)
        reference(places, gaz, scratch)
        assert (memo.points, memo.provinces, memo.name_countries, memo.countries, memo.place_countries) == (
            scratch.points, scratch.provinces, scratch.name_countries, scratch.countries,
            scratch.place_countries)


def test_ranking_reads_the_dominant_countries_as_strong_or_not(gaz, res) -> None:
    # Kosta in Kenya is small, its Peruvian namesake larger: a strong Kenyan share of the
    # article's other places (≥ STRONG_SHARE) counts as the article's country, a weaker one less.
    ctx = GeocodeContext(memory=PlaceMemory(), res=res)
    ctx.name_countries += [("a", "KE"), ("b", "KE"), ("c", "PE")]  # Kenya 2/3: strong
    strong = rank("Kosta", gaz, ctx)
    assert strong == fresh("Kosta", gaz, ctx)
    assert "country of the article's other places" in strong[0].why
    ctx.name_countries += [("d", "IQ")]  # Kenya 1/2, the others 1/4: Kenya dominant but not strong
    weak = rank("Kosta", gaz, ctx)
    assert weak == fresh("Kosta", gaz, ctx)
    scores = {x.candidate.entry.cc: x.score for x in strong}, {x.candidate.entry.cc: x.score for x in weak}
    assert scores[0] != scores[1]


def test_dominant_shares_follow_new_picks(res) -> None:
    ctx = GeocodeContext(memory=PlaceMemory(), res=res)
    ctx.name_countries += [("a", "KE"), ("b", "KE")]
    assert ctx.dominant() == {"KE": 1.0}
    assert ctx.dominant(exclude="a") == {}  # one pick left: too few to say
    ctx.name_countries += [("c", "PE"), ("d", "PE"), ("e", "PE")]
    assert ctx.dominant() == {"KE": 0.4, "PE": 0.6}
    assert ctx.dominant(exclude="c") == {"KE": 0.5, "PE": 0.5}
    ctx.name_countries = [("z", "PE"), ("y", "PE")]  # a new list of picks (the second seeding pass)
    assert ctx.dominant(exclude="c") == {"PE": 1.0}


picks = st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["KE", "PE", "IQ"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(picks, max_size=4), max_size=6), st.lists(st.sampled_from(["", "a", "b", "z"]),
                                                                   min_size=1, max_size=3))
def test_dominant_equals_its_definition_as_picks_come_in(batches, excludes) -> None:
    ctx = GeocodeContext()
    for batch in batches:
        ctx.name_countries.extend(batch)  # the seeding pass appends picks between rankings
        for exclude in excludes:
            counts = Counter(cc for k, cc in ctx.name_countries if k != exclude)
            total = sum(counts.values())
            expect = {} if total < 2 else {cc: n / total for cc, n in counts.items()
                                           if n / total >= DOMINANT_SHARE}
            assert ctx.dominant(exclude=exclude) == expect


def test_fuzzy_tier_reports_the_closest_spelling_of_a_place(gaz) -> None:
    gaz.derived.clear()
    cands = gaz.candidates("Shaharov")
    (c,) = [c for c in cands if c.entry.name == "Shaharova"]  # one candidate per place
    assert c.tier in {"skeleton", "fuzzy"}
    best = max(fuzz.ratio(normalise("Shaharov"), normalise(a)) for a in ("Shaharova", "Shakharova",
                                                                           "Shaharovka"))
    scale = 0.95 if c.tier == "skeleton" else 0.9
    assert c.similarity == pytest.approx(best / 100 * scale)
    assert normalise(c.matched) in {normalise("Shaharova"), normalise("Shaharovka")}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_gazetteer_name_memos_equal_the_pure_functions(gaz, text: str) -> None:
    assert gaz.key(text) == normalise(text)
    assert gaz.key(text) == normalise(text)  # the memoised answer
    assert gaz.fold(text) == fold(text)
    assert gaz.fold(text) == fold(text)


def test_memos_stay_bounded_and_right(gaz, res, monkeypatch) -> None:
    from frontwatch import georank

    monkeypatch.setattr(georank, "RANKED_MEMO_SIZE", 2)
    monkeypatch.setattr(georank, "PREPARED_MEMO_SIZE", 3)
    gaz.derived.clear()
    ctx = GeocodeContext(country="KE", memory=PlaceMemory(), res=res)
    first = [rank(n, gaz, ctx) for n in NAMES]
    ranked = gaz.derived.get("ranked")
    # Three names' features, plus the ranking memo and the latitude table beside them.
    assert len(gaz.derived) <= 3 + 2 and (ranked is None or len(ranked.results) <= 2)
    assert [rank(n, gaz, ctx) for n in NAMES] == first == [fresh(n, gaz, ctx) for n in NAMES]


place_changes = st.lists(st.tuples(
    st.sampled_from(["points", "provinces", "replace"]),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from([(1.0, 2.0), (3.0, 4.0), ("KE", "Rift Valley"), ("PE", "Lima")]),
), max_size=10)


@settings(max_examples=150, deadline=None)
@given(place_changes, st.lists(st.sampled_from(["", "a", "b", "z"]), min_size=1, max_size=3))
def test_other_places_equal_their_definition_as_the_context_changes(changes, owns) -> None:
    ctx = GeocodeContext()
    for what, key, value in changes:
        # The passes change the dicts in place, overwrite a key's value, or replace them whole.
        if what == "replace":
            ctx.points = {k: v for k, v in ctx.points.items() if k != key}
            ctx.provinces = dict(ctx.provinces)
        else:
            getattr(ctx, what)[key] = value
        for own in owns:
            points, provinces = ctx.other_places(own)
            assert points == frozenset(v for k, v in ctx.points.items() if k != own)
            assert provinces == frozenset(v for k, v in ctx.provinces.items() if k != own)
