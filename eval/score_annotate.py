"""Score frontwatch.annotate against eval/annotate_gold.yaml.

    python eval/score_annotate.py            # per-category scores
    python eval/score_annotate.py --misses   # and what was missed / spurious

``score()`` returns per-category F1 (actors, dates, numbers, places), the accuracy of relative
positions on matched places, and of the article country.

Matching: a predicted mention matches a gold one when their texts overlap (one contains the
other, case-insensitively) and the key fields agree — actor name; date value and precision;
number best value and unit; place name (case- and apostrophe-insensitive) and descriptor.
Each gold mention matches at most one prediction.  Place predictions that are only the anchor
of another place's relative phrase (rule "anchor:") are not scored: gold does not list them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from frontwatch.annotate import AnnotateResources, annotate, load_resources
from frontwatch.model import Document

GOLD = Path(__file__).resolve().parent / "annotate_gold.yaml"
# Bearings within this many degrees, distances within this many km, count as the same.
BEARING_TOLERANCE = 1.0
DISTANCE_TOLERANCE_KM = 0.5


def _norm(s: object) -> str:
    return str(s).lower().replace("’", "'").replace("–", "-").strip() if s is not None else ""


def _overlap(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return a in b or b in a


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    def f1(self) -> float:
        if self.tp == 0:
            return 0.0 if (self.fp or self.fn) else 1.0
        p = self.tp / (self.tp + self.fp)
        r = self.tp / (self.tp + self.fn)
        return 2 * p * r / (p + r)


def _match(gold: list[dict], pred: list, same: Callable[[dict, object], bool], tally: Tally, where: str,
           show: Callable[[object], str]) -> list[tuple[dict, object]]:
    free = list(pred)
    pairs = []
    for g in gold:
        hit = next((p for p in free if same(g, p)), None)
        if hit is None:
            tally.fn += 1
            tally.misses.append(f"{where}: missed {g}")
        else:
            free.remove(hit)
            tally.tp += 1
            pairs.append((g, hit))
    tally.fp += len(free)
    tally.misses.extend(f"{where}: spurious {show(p)}" for p in free)
    return pairs


def _actor_same(g: dict, a: object) -> bool:
    return _overlap(g["text"], a.text) and g["name"] == a.name  # type: ignore[attr-defined]


def _date_same(g: dict, d: object) -> bool:
    value = g.get("value")
    value = date.fromisoformat(str(value)) if value is not None else None
    return _overlap(g["text"], d.text) and d.value == value and d.precision == g.get("precision", d.precision)  # type: ignore[attr-defined]


def _number_same(g: dict, n: object) -> bool:
    return _overlap(str(g["text"]), n.text) and n.best == g["best"] and _norm(n.unit) == _norm(g.get("unit"))  # type: ignore[attr-defined]


def _place_same(g: dict, p: object) -> bool:
    return _norm(g["name"]) == _norm(p.name) and _norm(g.get("descriptor")) == _norm(p.descriptor)  # type: ignore[attr-defined]


def _relative_ok(g: dict, p: object) -> bool:
    want = g.get("relative")
    got = p.relative  # type: ignore[attr-defined]
    if want is None:
        return got is None
    if got is None or got.relation != want["relation"] or _norm(got.anchor) != _norm(want["anchor"]):
        return False
    if "bearing" in want and (got.bearing_deg is None or abs(got.bearing_deg - want["bearing"]) > BEARING_TOLERANCE):
        return False
    return not ("km" in want and (got.distance_km is None or abs(got.distance_km - want["km"]) > DISTANCE_TOLERANCE_KM))


def score(gold_path: Path = GOLD, res: AnnotateResources | None = None, misses: list[str] | None = None) -> dict[str, float]:
    """Per-category scores of annotate() on the gold sentences."""
    spec = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    default_pub = spec.get("default_published")
    res = res or load_resources()
    tallies = {k: Tally() for k in ("actors", "dates", "numbers", "places")}
    rel_ok = rel_n = country_ok = country_n = 0
    for i, item in enumerate(spec["items"]):
        pub = item.get("published", default_pub)
        doc = annotate(Document(id=f"g{i}", page_id=f"g{i}", text=item["text"], title=item.get("title"),
                                published=date.fromisoformat(str(pub)) if pub else None), res)
        where = f"#{i} {item['text'][:50]!r}"
        if "country" in item:
            country_n += 1
            country_ok += doc.country == item["country"]
            if doc.country != item["country"] and misses is not None:
                misses.append(f"{where}: country {doc.country} != {item['country']}")
        if "actors" in item:
            _match(item["actors"], doc.actors, _actor_same, tallies["actors"], where, lambda a: (a.text, a.name))
        if "dates" in item:
            _match(item["dates"], doc.dates, _date_same, tallies["dates"], where, lambda d: (d.text, d.value))
        if "numbers" in item:
            _match(item["numbers"], doc.numbers, _number_same, tallies["numbers"], where, lambda n: (n.text, n.best, n.unit))
        if "places" in item:
            scored = [p for p in doc.places if not p.rule.startswith("anchor:")]
            pairs = _match(item["places"], scored, _place_same, tallies["places"], where,
                           lambda p: (p.name, p.descriptor, p.rule))
            for g, p in pairs:
                rel_n += 1
                if _relative_ok(g, p):
                    rel_ok += 1
                elif misses is not None:
                    misses.append(f"{where}: relative of {g['name']}: {p.relative} != {g.get('relative')}")
    if misses is not None:
        for t in tallies.values():
            misses.extend(t.misses)
    out = {f"{k}_f1": round(t.f1(), 3) for k, t in tallies.items()}
    out["relative_accuracy"] = round(rel_ok / rel_n, 3) if rel_n else 1.0
    out["country_accuracy"] = round(country_ok / country_n, 3) if country_n else 1.0
    return out


def main(argv: Iterable[str] = ()) -> int:
    misses: list[str] | None = [] if "--misses" in argv else None
    for k, v in score(misses=misses).items():
        print(f"{k:20s} {v:.3f}")
    for m in misses or []:
        print(m)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
