"""Measure event classification on the CASE 2021 snippets (ACLED's 25 sub-types).

    python bench/case2021.py [--out PRED.tsv] [--shared ../shared]

Each snippet of ``../shared/benchmarks/case2021/dev.tsv`` becomes a Document with no publication
date and no known country; annotate + extract run on it, and the sub-type of its main event (the
most confident, then most specific) is the prediction.  When modality or actor checks leave no
event, the single best trigger stands in: a snippet always names its event.  PRED.tsv is scored
by ``../shared/tools/score_case.py`` (subprocess); weighted and macro F1 are printed.

A measuring stick, not training data: lexicons are never extended for a snippet's sake.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from frontwatch import annotate  # noqa: E402
from frontwatch.extract import best_trigger, extract_events, load_rules, main_event  # noqa: E402
from frontwatch.model import Document  # noqa: E402


def predict(rows: list[dict], res, rules) -> list[tuple[str, str]]:
    """(id, ACLED sub-type or "") per snippet."""
    out = []
    for row in rows:
        doc = Document(id=f"case-{row['id']}", page_id=f"case-{row['id']}", text=row["EventSnippet"])
        annotate.annotate(doc, res)
        extract_events(doc, rules)
        ev = main_event(doc, rules)
        if ev is not None:
            out.append((row["id"], ev.sub_event_type))
        else:
            trig = best_trigger(doc, rules)
            out.append((row["id"], trig.sub_event_type if trig else ""))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out", type=Path, default=Path("/tmp/case2021_pred.tsv"))
    args = ap.parse_args(argv)
    gold = args.shared / "benchmarks" / "case2021" / "dev.tsv"
    scorer = args.shared / "tools" / "score_case.py"
    if not gold.is_file() or not scorer.is_file():
        print(f"benchmark not found under {args.shared}", file=sys.stderr)
        return 2
    with gold.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    t0 = time.perf_counter()
    res, rules = annotate.load_resources(()), load_rules()
    t1 = time.perf_counter()
    preds = predict(rows, res, rules)
    t2 = time.perf_counter()
    args.out.write_text("".join(f"{i}\t{label}\n" for i, label in preds), encoding="utf-8")
    done = subprocess.run([sys.executable, str(scorer), str(gold), str(args.out), "--json"],
                          capture_output=True, text=True, check=True)
    score = json.loads(done.stdout)
    print(f"snippets {len(rows)}  load {t1 - t0:.2f}s  run {t2 - t1:.2f}s ({len(rows) / (t2 - t1):.0f}/s)")
    print(f"weighted F1 {score['weighted_f1']:.4f}  macro F1 {score['macro_f1']:.4f}  "
          f"accuracy {score['accuracy']:.4f}  no event {score['no_event']}")
    print(f"worst: {score['worst']}")
    print(f"predictions: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
