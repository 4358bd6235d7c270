#!/usr/bin/env python3
"""Time merge_events on synthetic events (default 50,000): merging must stay near-linear.

    python bench/merge_speed.py [N]

Synthetic corpus: N/5 distinct events (random day in one year, random place among 2,000 points
over Syria/Iraq, one of four sub-types), each reported by 1-9 articles of different outlets,
half of them located, so both the name and the grid blocking are exercised.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

from frontwatch.merge import infer_corpus_dates, load_place_name_rules, merge_events
from frontwatch.model import Document, Event, Evidence, Location, PlaceMention, Span

SUBS = ["Government regains territory", "Armed clash", "Shelling/artillery/missile attack", "Air/drone strike"]


def corpus(n: int, seed: int = 7) -> list[Document]:
    rnd = random.Random(seed)
    places = [(f"Place{i}", rnd.uniform(32, 37), rnd.uniform(36, 44)) for i in range(2000)]
    docs: list[Document] = []
    made = 0
    k = 0
    while made < n:
        name, lat, lon = rnd.choice(places)
        day = date(2017, 1, 1) + timedelta(days=rnd.randrange(365))
        sub = rnd.choice(SUBS)
        for _ in range(min(rnd.randint(1, 9), n - made)):
            d = Document(id=f"d{k}", page_id=f"d{k}", text="x" * 40, outlet=f"Outlet {rnd.randrange(30)}")
            k += 1
            located = rnd.random() < 0.5
            d.events.append(Event(
                doc_id=d.id, event_type="Battles", sub_event_type=sub, evidence=Evidence(Span(0, 40)),
                event_date=day, time_precision=rnd.choice([1, 1, 1, 2]),
                place=PlaceMention(0, 5, name, name),
                location=Location(name, lat, lon, 1, country="SY", gazetteer_id=name) if located else None,
                fatalities=rnd.choice([None, 0, 3, 12]),
            ))
            docs.append(d)
            made += 1
    return docs


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    docs = corpus(n)
    rules = load_place_name_rules()
    t0 = time.perf_counter()
    infer_corpus_dates(docs, rules)
    t1 = time.perf_counter()
    merged = merge_events(docs, rules)
    t2 = time.perf_counter()
    print(f"{n} events -> {len(merged)} merged; infer_corpus_dates {t1 - t0:.2f}s, merge_events {t2 - t1:.2f}s "
          f"({n / (t2 - t1):,.0f} events/s)")


if __name__ == "__main__":
    main()
