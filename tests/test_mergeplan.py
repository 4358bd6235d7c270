"""The columnar merge planner (mergeplan.py) against a plain reference: clustering all keys at
once with ``merge.cluster_keys`` and ordering the clusters with Python tuples, as the planner
did before it held keys as columns and clustered one sub-type at a time."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.merge import MergeKey, cluster_keys, country_iso3
from frontwatch.mergeplan import KeyTable, plan_corpus

SUBS = ["Armed clash", "Air/drone strike", "Government regains territory"]
NAMES = [frozenset(), frozenset({"rawa"}), frozenset({"anah"}), frozenset({"rawa", "rawah"})]
POINTS = [None, (34.47, 41.91), (34.48, 41.92), (34.37, 41.99)]
BASE_DAY = date(2017, 11, 1).toordinal()


@st.composite
def merge_keys(draw: st.DrawFn) -> list[MergeKey]:
    keys = []
    for _ in range(draw(st.integers(0, 40))):
        doc = draw(st.integers(0, 6))
        dated = draw(st.integers(0, 5)) > 0
        month = draw(st.sampled_from([None, 10, 11]))
        mday = draw(st.sampled_from([None, 2, 3])) if month else None
        day = BASE_DAY + draw(st.integers(-4, 4)) if dated else -((month or 0) * 40 + (mday or 0) + 1)
        point = draw(st.sampled_from(POINTS))
        iso3 = draw(st.sampled_from([None, "IRQ", "SYR"]))
        keys.append(MergeKey(
            sub=draw(st.sampled_from(SUBS)), prec=draw(st.integers(1, 3)), day=day, month=month, mday=mday,
            doc=doc, doc_id=f"doc-{doc}", start=draw(st.integers(0, 3)) * 100,
            names=draw(st.sampled_from(NAMES)), gaz=draw(st.sampled_from([None, "g1", "g2"])), point=point,
            exact=point is not None and draw(st.booleans()), geo_prec=draw(st.sampled_from([1, 2, 3, 9])),
            confidence=draw(st.sampled_from([0.6, 0.85])), loc_name=draw(st.sampled_from(["", "Rawa", "rawa", "Anah"])),
            place_name=draw(st.sampled_from(["", "Rawa"])), iso3=iso3,
        ))
    return keys


def _reference(keys: list[MergeKey], countries: dict[str, str | None]) -> list[tuple[list[int], str, int]]:
    """(members, event id, id rank) per cluster, in row order, the way the tuple planner did it."""
    plans = []
    for c in cluster_keys(keys):
        c.sort(key=lambda i: (keys[i].prec, keys[i].point is None, keys[i].geo_prec, -keys[i].confidence,
                              keys[i].doc_id, keys[i].start))
        p = keys[c[0]]
        loc = p if p.point is not None else next((keys[i] for i in c if keys[i].point is not None), p)
        iso3 = loc.iso3 or country_iso3(countries.get(p.doc_id))
        id_key = (p.day if p.day > 0 else date.max.toordinal(), p.month or 13, p.mday or 32,
                  (loc.loc_name or p.place_name).lower(), p.sub, p.doc_id, p.start)
        plans.append({"members": c, "iso3": iso3, "id_key": id_key, "day": p.day, "geo": loc.geo_prec})
    counters: Counter[str] = Counter()
    for rank, i in enumerate(sorted(range(len(plans)), key=lambda i: plans[i]["id_key"])):
        counters[plans[i]["iso3"]] += 1
        plans[i]["number"], plans[i]["rank"] = counters[plans[i]["iso3"]], rank
    plans.sort(key=lambda p: (p["day"] <= 0, max(p["day"], 0), p["geo"], p["iso3"], p["number"]))
    return [(p["members"], f"{p['iso3']}{p['number']}", p["rank"]) for p in plans]


@settings(max_examples=150, deadline=None)
@given(merge_keys(), st.sampled_from([None, "IQ", "SY"]), st.integers(0, 50))
def test_plan_corpus_equals_clustering_all_keys_at_once(keys: list[MergeKey], country: str | None,
                                                        capacity: int) -> None:
    # ``capacity`` (the columns' size up front) below, at and above the number of keys.
    countries = {f"doc-{d}": (country if d % 2 else "IQ") for d in range(7)}
    table = KeyTable(capacity)
    for doc_id, c in countries.items():
        table.set_country(doc_id, c)
    for k in keys:
        table.add(k)
    assert [table.get(i) for i in range(len(keys))] == keys
    plan = plan_corpus(table)
    got = [(plan.members(c), plan.event_id(c), int(plan.id_rank[c])) for c in plan.in_row_order()]
    assert got == _reference(keys, countries)
    assert sorted(i for members, _, _ in got for i in members) == list(range(len(keys)))


def test_plan_corpus_of_no_events_is_empty() -> None:
    plan = plan_corpus(KeyTable())
    assert len(plan) == 0 and list(plan.in_row_order()) == []
