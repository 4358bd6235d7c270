"""Word precision / recall of the cleaning stage's HTML path on the 181 real pages of
``../shared/benchmarks/article-extraction`` (clean article text against ``ground-truth.json``).

    python bench/html_extraction.py            # summary
    python bench/html_extraction.py --worst 10 # and the pages with the lowest F1

Scoring is the benchmark's own: bag-of-words overlap (a word counted as often as it occurs),
per page, then averaged over pages.  Also reported: how often the body starts with the title
(a headline repeated as the first paragraph) and how often the title is empty.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "benchmarks" / "article-extraction"
_TOKEN = re.compile(r"\w+")


def _words(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worst", type=int, default=0, help="list this many pages with the lowest F1")
    args = ap.parse_args(argv)
    if not (BENCH / "ground-truth.json").exists():
        print(f"benchmark not found at {BENCH}", file=sys.stderr)
        return 2
    from frontwatch.clean import clean_page, load_vocab
    from frontwatch.model import Page

    vocab = load_vocab()
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    rows = []
    t0 = time.perf_counter()
    title_first = no_title = 0
    for pid, gold in sorted(truth.items()):
        html = gzip.decompress((BENCH / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        docs = clean_page(Page(id=pid, source=pid, format="html", html=html, url=gold.get("url")), vocab)
        text = "\n\n".join(d.text for d in docs)
        title = docs[0].title or ""
        no_title += not title
        first = text.split("\n\n", 1)[0]
        title_first += bool(title) and _words(first) == _words(title)
        got, want = _words(text), _words(gold.get("articleBody") or "")
        common = sum((got & want).values())
        p = common / sum(got.values()) if got else 0.0
        r = common / sum(want.values()) if want else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((f, p, r, pid, gold.get("url")))
    elapsed = time.perf_counter() - t0
    n = len(rows)
    print(f"pages {n}  precision {sum(r[1] for r in rows) / n:.3f}  recall {sum(r[2] for r in rows) / n:.3f}  "
          f"F1 {sum(r[0] for r in rows) / n:.3f}  ({elapsed:.1f} s)")
    print(f"title repeated as first paragraph: {title_first}  no title: {no_title}")
    for f, p, r, pid, url in sorted(rows)[: args.worst]:
        print(f"  F1 {f:.2f} P {p:.2f} R {r:.2f}  {pid[:12]}  {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
