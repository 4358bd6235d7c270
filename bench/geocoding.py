"""Toponym resolution on the four public geoparsing corpora, bundled gazetteer only.

    python bench/geocoding.py [--shared ../shared] [--data-dir DIR] [--out DIR] [CORPUS ...]

For each corpus in ``<shared>/benchmarks/geoparsing/`` the shared tool writes the tasks (article
text + toponym spans, no gold), each article's toponyms are geocoded together with
``geocode_mentions`` (the spans as PlaceMentions, the other toponyms as context), and the shared
tool scores the predictions (accuracy within 161 km, mean/median error, AUC).  Prints one line
per corpus with lookups/s.  The corpora are a measuring stick: nothing from them goes into data.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from frontwatch.gazetteer import open_gazetteer
from frontwatch.geocode import PlaceMemory, geocode_mentions, load_geocoding
from frontwatch.model import PlaceMention

SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"'“])|\n+")
CORPORA = ("GWN.xml", "TR-News.xml", "lgl.xml", "GeoVirus.xml")


def run(corpus: Path, tool: Path, gaz, res, out_dir: Path) -> dict:
    tasks = subprocess.run([sys.executable, str(tool), "tasks", str(corpus)], check=True,
                           capture_output=True, text=True).stdout.split("\n")
    preds = []
    n = 0
    t0 = time.perf_counter()
    for line in tasks:
        if not line.strip():
            continue
        task = json.loads(line)
        ms = [PlaceMention(t["start"], t["end"], task["text"][t["start"]:t["end"]], t["name"])
              for t in task["toponyms"]]
        # Each article alone: the benchmark has no article country, so context is the others.
        text = task["text"]
        cuts = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
        sentences = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
        locs = geocode_mentions(ms, gaz, memory=PlaceMemory(), doc_id=str(task["doc"]), res=res,
                                sentences=sentences)
        for t, loc in zip(task["toponyms"], locs, strict=True):
            preds.append({"doc": task["doc"], "start": t["start"], "end": t["end"],
                          "lat": loc.latitude, "lon": loc.longitude})
        n += len(ms)
    secs = time.perf_counter() - t0
    pred_path = out_dir / f"{corpus.stem}.pred.jsonl"
    pred_path.write_text("".join(json.dumps(p) + "\n" for p in preds), encoding="utf-8")
    score = json.loads(subprocess.run([sys.executable, str(tool), "score", str(corpus), str(pred_path), "--json"],
                                      check=True, capture_output=True, text=True).stdout)
    score["toponyms_per_s"] = round(n / secs, 1) if secs else None
    return score


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", default=list(CORPORA))
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    ap.add_argument("--data-dir", type=Path, default=None, help="gazetteer cache (default: user data dir)")
    ap.add_argument("--out", type=Path, default=None, help="where to keep the predictions")
    args = ap.parse_args()
    bench_dir = args.shared / "benchmarks" / "geoparsing"
    tool = args.shared / "tools" / "geocoding_bench.py"
    if not tool.exists():
        print(f"no benchmark tool at {tool}", file=sys.stderr)
        return 2
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="geobench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    gaz = open_gazetteer(data_dir=args.data_dir)
    print(f"gazetteer opened in {time.perf_counter() - t0:.1f} s")
    res = load_geocoding()
    for name in args.corpora:
        s = run(bench_dir / name, tool, gaz, res, out_dir)
        print(f"{name:14} acc@161km {s['acc_161km']:.3f}  resolved {s['resolved']}/{s['toponyms']}  "
              f"median {s['median_error_km']} km  mean {s['mean_error_km']} km  AUC {s['auc']}  "
              f"{s['toponyms_per_s']} toponyms/s")
    print(f"gazetteer lookups (uncached): {gaz.lookups}; predictions in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
