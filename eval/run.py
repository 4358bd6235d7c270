"""The quality gate: per-stage scores on gold written for this project, checked against floors.

    python eval/run.py                            # print the scores of every stage
    python eval/run.py --misses                   # and what each stage missed
    python eval/run.py --check eval/floors.yaml   # exit 1 if any score is below its floor

Stages scored: annotate (eval/score_annotate.py on eval/annotate_gold.yaml, when present) and
extract (:func:`score_extract` on eval/extract_gold.yaml, through the real annotate + extract).
A new stage adds a ``score_<stage>() -> dict[str, float]`` here and a line in ``STAGES``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from frontwatch.model import Document, Event  # noqa: E402
from frontwatch.names import normalise  # noqa: E402

EXTRACT_GOLD = HERE / "extract_gold.yaml"


def _place_ok(want: str, ev: Event) -> bool:
    if ev.place is None:
        return False
    w, got = normalise(want), normalise(ev.place.name)
    return bool(w) and (w == got or w in normalise(ev.place.text) or got in w and len(got) > 3)


def _match(expected: list[dict], events: list[Event]) -> list[tuple[dict, Event]]:
    """One-to-one by sub-type and place, in the gold's order."""
    pairs, used = [], set()
    for want in expected:
        for i, ev in enumerate(events):
            if i not in used and ev.sub_event_type == want["sub"] and _place_ok(str(want["place"]), ev):
                used.add(i)
                pairs.append((want, ev))
                break
    return pairs


def _field_value(key: str, ev: Event) -> object:
    if key == "date":
        return ev.event_date.isoformat() if ev.event_date else None
    if key == "actor1":
        return f"{ev.actor1} {ev.assoc_actor_1}"
    return getattr(ev, key)


def _field_ok(key: str, want: object, ev: Event) -> bool:
    got = _field_value(key, ev)
    if key in {"actor1", "claimed_by"}:
        return str(want).lower() in str(got).lower()
    if key == "date":
        return got == (str(want) if want else None)
    return got == want


def score_extract(gold_path: Path = EXTRACT_GOLD, misses: list[str] | None = None) -> dict[str, float]:
    """Scores of annotate + extract on the extract gold: event precision / recall / F1 (sub-type
    and place), and the accuracy of actor1, date, fatalities and claimant on matched events, and
    of "nothing happened" cases."""
    from frontwatch.annotate import annotate, load_resources
    from frontwatch.extract import extract_events, load_rules

    spec = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    default_pub = spec.get("default_published")
    res, rules = load_resources(), load_rules()
    tp = n_pred = n_gold = 0
    fields = {"actor1": [0, 0], "date": [0, 0], "fatalities": [0, 0], "claimed_by": [0, 0]}
    none_ok = none_n = 0
    for case in spec["cases"]:
        pub = case.get("published", default_pub)
        doc = Document(id=case["id"], page_id=case["id"], text=case["text"],
                       published=date.fromisoformat(str(pub)) if pub else None)
        extract_events(annotate(doc, res), rules)
        expected = case.get("events") or []
        pairs = _match(expected, doc.events)
        tp += len(pairs)
        n_pred += len(doc.events)
        n_gold += len(expected)
        if not expected:
            none_n += 1
            none_ok += not doc.events
        if misses is not None:
            got = {id(e) for _, e in pairs}
            matched = [id(w) for w, _ in pairs]
            misses += [f"{case['id']}: missed {w['sub']} @ {w['place']}" for w in expected if id(w) not in matched]
            misses += [f"{case['id']}: spurious {e.sub_event_type} @ {e.place.name if e.place else None}"
                       f" ({e.evidence.rule})" for e in doc.events if id(e) not in got]
        for want, ev in pairs:
            for key in fields:
                if key in want:
                    fields[key][1] += 1
                    good = _field_ok(key, want[key], ev)
                    fields[key][0] += good
                    if not good and misses is not None:
                        misses.append(f"{case['id']}: {key} {_field_value(key, ev)!r} != {want[key]!r}")
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    out = {"events_precision": p, "events_recall": r, "events_f1": 2 * p * r / (p + r) if p + r else 0.0}
    for key, (good, n) in fields.items():
        out[f"{key}_accuracy"] = good / n if n else 1.0
    out["no_event_accuracy"] = none_ok / none_n if none_n else 1.0
    return {k: round(v, 3) for k, v in out.items()}


def _score_annotate(misses: list[str] | None = None) -> dict[str, float]:
    try:
        import score_annotate
    except ImportError:  # the annotate scorer is optional: stages are scored where gold exists
        return {}
    return score_annotate.score(misses=misses)


STAGES: dict[str, Callable[..., dict[str, float]]] = {"annotate": _score_annotate, "extract": score_extract}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score every stage; --check compares with pinned floors.")
    ap.add_argument("--check", type=Path, help="floors file (YAML: stage.metric: minimum)")
    ap.add_argument("--misses", action="store_true", help="list what each stage missed")
    args = ap.parse_args(argv)
    scores: dict[str, float] = {}
    for stage, fn in STAGES.items():
        misses: list[str] | None = [] if args.misses else None
        got = fn(misses=misses)
        for k, v in got.items():
            scores[f"{stage}.{k}"] = v
            print(f"{stage}.{k:28s} {v:.3f}")
        for m in misses or []:
            print(f"  {stage}: {m}")
    if not args.check:
        return 0
    floors = yaml.safe_load(args.check.read_text(encoding="utf-8")) or {}
    bad = [f"{k}: {scores.get(k)} < floor {v}" for k, v in (floors.get("floors") or {}).items()
           if scores.get(k) is None or scores[k] < float(v)]
    for line in bad:
        print(f"BELOW FLOOR {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
