"""Throughput benchmarks: the whole frontwatch pipeline against library baselines, in ONE run
on the SAME pages, each measurement in a fresh child process (so its peak RSS is its own).

    python bench/throughput.py                       # 1k pages, scaling to 10k, writes bench/RESULTS.md
    python bench/throughput.py --pages 1000 --scale 1000,10000,100000
    python bench/throughput.py --quick               # 1k pages only, no 10k, no Dask (a smoke run)
    python bench/throughput.py --profile             # cProfile of the per-page stages, hot spots per module

Measured:
* frontwatch whole pipeline (read → clean → annotate → extract → store, then corpus dates →
  geocode with the bundled gazetteer → merge → control → exports) on synthetic text pages
  (``make_corpus.py``), serially: pages/s per core (wall and CPU), peak RSS of the process tree;
* the same on the 181 real HTML pages of ``../shared/benchmarks/article-extraction`` against
  ``trafilatura.extract`` alone on those pages;
* spaCy's blank English tokenizer + sentencizer alone over the same synthetic text pages (and,
  for context, over those pages with their line breaks collapsed, and over the FA-KES texts);
* real prose: the 804 FA-KES articles (``../shared/benchmarks/fakes``) as JSON Lines;
* scaling: serial at each ``--scale`` size; local processes 1 vs 2 workers; Dask 1 vs 2 workers.

Peak RSS is sampled (psutil, every ``RSS_SAMPLE_S``) over the child and all its descendants
(worker processes, the forkserver, Dask nannies and workers), summed: the memory the run takes.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
HTML_BENCH = SHARED / "benchmarks" / "article-extraction" / "html"
FAKES = SHARED / "benchmarks" / "fakes" / "FA-KES-Dataset.csv"
RSS_SAMPLE_S = 0.1
TARGET_PAGES_PER_CORE = 100
TARGET_VS_SPACY = 0.5
TARGET_VS_TRAFILATURA = 0.8
TARGET_RSS_MB = 500

sys.path.insert(0, str(BENCH))


# --------------------------------------------------------------------------------------------
# children: one measurement each, result as one JSON line on stdout


class _RssSampler:
    """Peak RSS (MB) of this process and of this process plus all its descendants."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak_self = 0.0
        self.peak_tree = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        own = self.proc.memory_info().rss
        total = own
        for child in self.proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        self.peak_self = max(self.peak_self, own / 2**20)
        self.peak_tree = max(self.peak_tree, total / 2**20)

    def _run(self) -> None:
        while not self._stop.wait(RSS_SAMPLE_S):
            self._sample()

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def child_pipeline(inputs: list[str], mode: str, workers: int, geocode: bool) -> dict:
    """The whole pipeline, exactly as ``frontwatch run`` runs it, timed per phase through the
    pipeline's own stage callbacks."""
    from frontwatch import pipeline
    from frontwatch.store import Store

    out = Path(tempfile.mkdtemp(prefix="fw-bench-"))
    cluster = None
    if mode == "dask":
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
    options = pipeline.RunOptions(inputs=tuple(inputs), out_dir=out, geocode=geocode, report=True,
                                  workers=workers if mode == "local" else 1,
                                  scheduler=cluster.scheduler_address if cluster else None)
    marks: dict[str, float] = {}
    with _RssSampler() as rss:
        cpu0, t0 = _cpu(), time.perf_counter()
        summary = pipeline.run(options, on_stage=lambda stage: marks.setdefault(stage, time.perf_counter()))
        t3, cpu1 = time.perf_counter(), _cpu()
    if cluster is not None:
        cluster.close()
    t1, t2 = marks.get("corpus", t3), marks.get("exports", t3)
    with Store(out / pipeline.DB_NAME) as store:
        doc_events = sum(len(d.events) for d in store.iter_documents(light=True))
    # The run's outputs are only measured, never read again: at 100k pages they fill ~11 GB.
    shutil.rmtree(out, ignore_errors=True)
    return {
        "pages": summary.pages_read, "articles": summary.articles_kept, "events": summary.events,
        "doc_events": doc_events, "seconds": t3 - t0, "per_page_s": t1 - t0,
        "corpus_s": t2 - t1, "outputs_s": t3 - t2, "cpu_s": cpu1 - cpu0,
        "rss_self_mb": rss.peak_self, "rss_tree_mb": rss.peak_tree,
    }


def child_trafilatura(html_dir: str) -> dict:
    """``trafilatura.extract`` alone on every page (decompression not timed)."""
    import trafilatura

    pages = [gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace")
             for p in sorted(Path(html_dir).glob("*.html.gz"))]
    with _RssSampler() as rss:
        cpu0, t0 = _cpu(), time.perf_counter()
        chars = sum(len(trafilatura.extract(h) or "") for h in pages)
        t1, cpu1 = time.perf_counter(), _cpu()
    return {"pages": len(pages), "chars": chars, "seconds": t1 - t0, "cpu_s": cpu1 - cpu0,
            "rss_self_mb": rss.peak_self, "rss_tree_mb": rss.peak_tree}


def child_spacy(text_dir: str = "", jsonl: str = "", collapse_space: bool = False) -> dict:
    """spaCy's blank English tokenizer + sentencizer over the page texts (file reading not timed):
    the ``*.txt`` pages under ``text_dir``, or the ``text`` of each record of ``jsonl`` (what
    frontwatch's JSON Lines reader takes as the page).  ``collapse_space`` turns every run of
    whitespace into one space first (same words and punctuation, no line breaks).  Why: spaCy's
    tokenizer stops caching its splits for the rest of a text once one of its special cases
    matches (``Tokenizer._save_cached`` gives up after ``has_special``).  A lone line break, tab
    or extra space is such a case, as are contractions ("don't") and abbreviations ("Mr."), so
    the synthetic pages' single line breaks make the same words cost it about ten times more."""
    import spacy

    if jsonl:
        with open(jsonl, encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        # The pages the pipeline reads: records with a non-blank text, an exact repost once.
        texts = list(dict.fromkeys(t for t in (rec.get("text") for rec in records)
                                   if isinstance(t, str) and t.strip()))
    else:
        texts = [p.read_text(encoding="utf-8") for p in sorted(Path(text_dir).rglob("*.txt"))]
    if collapse_space:
        texts = [" ".join(t.split()) for t in texts]
    nlp = spacy.blank("en")  # building the pipeline is not timed (frontwatch's load is, but is small)
    nlp.add_pipe("sentencizer")
    with _RssSampler() as rss:
        cpu0, t0 = _cpu(), time.perf_counter()
        sents = sum(len(list(doc.sents)) for doc in nlp.pipe(texts, batch_size=64))
        t1, cpu1 = time.perf_counter(), _cpu()
    return {"pages": len(texts), "sentences": sents, "seconds": t1 - t0, "cpu_s": cpu1 - cpu0,
            "rss_self_mb": rss.peak_self, "rss_tree_mb": rss.peak_tree}


def child_profile(inputs: list[str], top: int) -> dict:
    """cProfile of the per-page stages (serial), time per module and the hottest functions."""
    import cProfile
    import pstats

    from frontwatch import pipeline
    from frontwatch.read import ReadIssue, iter_pages

    with tempfile.TemporaryDirectory() as out:  # nothing is written there: load_resources needs a RunOptions
        options = pipeline.RunOptions(inputs=tuple(inputs), out_dir=Path(out))
        res = pipeline.load_resources(options)
    pages = [p for p in iter_pages(inputs) if not isinstance(p, ReadIssue)]
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for page in pages:
        pipeline.process_page(page, res)
    prof.disable()
    seconds = time.perf_counter() - t0
    stats = pstats.Stats(prof).stats  # (file, line, func) -> (cc, nc, tottime, cumtime, callers)
    by_module: dict[str, float] = {}
    funcs = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.items():
        mod = _module_of(file)
        by_module[mod] = by_module.get(mod, 0.0) + tt
        funcs.append((tt, ct, nc, f"{mod}:{line}:{func}"))
    funcs.sort(reverse=True)
    return {"pages": len(pages), "seconds": seconds,
            "modules": sorted(by_module.items(), key=lambda kv: -kv[1])[:top],
            "functions": [{"tottime": tt, "cumtime": ct, "calls": nc, "where": w} for tt, ct, nc, w in funcs[:top]]}


def _module_of(file: str) -> str:
    if "frontwatch" in file:
        return "frontwatch." + Path(file).stem
    for lib in ("spacy", "trafilatura", "lxml", "htmldate", "rapidfuzz", "dateparser", "re", "sqlite3", "json"):
        if f"/{lib}/" in file or file.endswith(f"/{lib}.py"):
            return lib
    if file.startswith("<") or file == "~":
        return "builtins"
    return Path(file).stem


CHILDREN = {"pipeline": child_pipeline, "trafilatura": child_trafilatura, "spacy": child_spacy,
            "profile": child_profile}


def run_child(kind: str, **kwargs) -> dict:
    """Run one measurement in a fresh Python process and return its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(kwargs)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # One failed measurement (another job editing the code under us...) must not lose the rest.
        print(f"benchmark child {kind} {kwargs} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return {"failed": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {kind} {kwargs}: {_brief(result)}", file=sys.stderr, flush=True)
    return result


def _brief(r: dict) -> str:
    if "modules" in r:
        return f"{r['pages']} pages in {r['seconds']:.1f}s"
    return f"{r['pages']} pages in {r['seconds']:.2f}s ({r['pages'] / r['seconds']:.1f}/s), " \
           f"RSS {r['rss_tree_mb']:.0f} MB"


# --------------------------------------------------------------------------------------------
# corpora


def ensure_corpus(workdir: Path, pages: int, fmt: str, seed: int) -> Path:
    """The synthetic corpus (built once per size/format/seed and kept in ``workdir``)."""
    import make_corpus

    out = workdir / f"corpus-{fmt}-{pages}-s{seed}"
    marker = out / ".complete"
    if not marker.exists():
        print(f"building {out} ...", file=sys.stderr, flush=True)
        make_corpus.write_corpus(out, pages, fmt, seed)
        marker.write_text("ok\n")
    return out


def ensure_fakes(workdir: Path) -> Path | None:
    """FA-KES as JSON Lines (id, title, text, outlet, published) for ``frontwatch``'s JSONL reader."""
    if not FAKES.exists():
        return None
    out = workdir / "fakes.jsonl"
    if out.exists():
        return out
    with FAKES.open(encoding="utf-8", errors="replace", newline="") as fh, out.open("w", encoding="utf-8") as w:
        for row in csv.DictReader(fh):
            rec = {"id": f"fakes-{row['unit_id']}", "title": row["article_title"],
                   "text": row["article_content"], "outlet": row["source"]}
            published = _us_date(row.get("date", ""))
            if published:
                rec["published"] = published
            w.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def _us_date(value: str) -> str | None:
    try:
        return datetime.strptime(value.strip(), "%m/%d/%Y").date().isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# the run and the report


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem_kb = int(fh.readline().split()[1])
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "load": os.getloadavg()}


def per_s(r: dict) -> float:
    return r["pages"] / r["seconds"]


def per_cpu_s(r: dict) -> float:
    return r["pages"] / r["cpu_s"] if r["cpu_s"] else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="frontwatch throughput benchmarks")
    ap.add_argument("--pages", type=int, default=1000, help="size of the main synthetic corpus")
    ap.add_argument("--scale", default="1000,10000", help="corpus sizes for the serial scaling run")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "frontwatch-bench")
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--quick", action="store_true", help="main corpus only: no scaling, no Dask")
    ap.add_argument("--profile", action="store_true", help="only profile the per-page stages")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--resume", action="store_true",
                    help="reuse the measurements of an interrupted run (WORKDIR/results.json, and those of "
                         "--only runs, WORKDIR/results-*.json)")
    ap.add_argument("--only", default="",
                    help="run only these steps (comma-separated keys: txt, spacy, spacy_flat, spacy_fakes, html, "
                         "trafilatura, fakes, "
                         "synth_html, local1, local2, dask1, dask2, scaleN), saved to WORKDIR/results-KEYS.json; "
                         "a later --resume run takes them in (e.g. the 100k run on the other core)")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    txt = ensure_corpus(args.workdir, args.pages, "txt", args.seed)

    if args.profile:
        prof = run_child("profile", inputs=[str(txt)], top=25)
        print(json.dumps(prof, indent=1))
        return

    before = machine()
    cmd = ("python bench/throughput.py " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    r: dict[str, dict] = {}
    scale: dict[int, dict] = {}
    steps = [("txt", lambda: run_child("pipeline", inputs=[str(txt)], mode="serial", workers=1, geocode=True)),
             ("spacy", lambda: run_child("spacy", text_dir=str(txt)))]
    if HTML_BENCH.exists():
        steps += [("html", lambda: run_child("pipeline", inputs=[str(HTML_BENCH)], mode="serial", workers=1,
                                             geocode=True)),
                  ("trafilatura", lambda: run_child("trafilatura", html_dir=str(HTML_BENCH)))]
    fakes = ensure_fakes(args.workdir)
    if fakes:
        steps.append(("fakes", lambda: run_child("pipeline", inputs=[str(fakes)], mode="serial", workers=1,
                                                 geocode=True)))
        steps.append(("spacy_fakes", lambda: run_child("spacy", jsonl=str(fakes))))
    steps.append(("spacy_flat", lambda: run_child("spacy", text_dir=str(txt), collapse_space=True)))
    steps.append(("synth_html", lambda: run_child(
        "pipeline", inputs=[str(ensure_corpus(args.workdir, args.pages, "html", args.seed))], mode="serial",
        workers=1, geocode=True)))
    if not args.quick:
        for w in (1, 2):
            steps.append((f"local{w}", functools.partial(run_child, "pipeline", inputs=[str(txt)], mode="local",
                                                         workers=w, geocode=True)))
        if not args.no_dask:
            for w in (1, 2):
                steps.append((f"dask{w}", functools.partial(run_child, "pipeline", inputs=[str(txt)], mode="dask",
                                                            workers=w, geocode=True)))
        for n in sorted({int(x) for x in args.scale.split(",") if x.strip()} - {args.pages}):
            steps.append((f"scale{n}", functools.partial(_scale_run, args, n)))
    only = {k.strip() for k in args.only.split(",") if k.strip()}
    if only:
        steps = [(k, step) for k, step in steps if k in only]
        if not steps:
            raise SystemExit(f"--only {args.only}: no such step (did --scale include the size?)")
    saved = args.workdir / (f"results-{'-'.join(sorted(only))}.json" if only else "results.json")
    done: dict[str, dict] = json.loads(saved.read_text()) if args.resume and saved.exists() else {}
    if args.resume and not only:
        for extra in sorted(args.workdir.glob("results-*.json")):
            for k, v in json.loads(extra.read_text()).items():
                if not k.startswith("_"):
                    done.setdefault(k, v)
    # The machine as it was when the measurements were taken (a resumed run re-renders old numbers).
    before = done.setdefault("_before", before)
    for key, step in steps:
        result = done.get(key)
        if result is None:
            result = step()
            done["_after"] = machine()
        if result.get("failed"):
            print(f"  {key}: FAILED ({result['failed']})", file=sys.stderr)
            continue
        done[key] = result
        saved.write_text(json.dumps(done))
        if key.startswith("scale"):
            scale[int(key[5:])] = result
        else:
            r[key] = result
        if "txt" in r:
            scale[args.pages] = r["txt"]
        # Written after every measurement, so an interrupted run still leaves its numbers (an
        # --only run leaves RESULTS.md to the full run that takes its numbers in).
        if not only:
            _save(args.results, render(r, scale, before, done.get("_after", machine()), cmd, args))
    print(json.dumps(done, indent=1) if only else args.results.read_text(encoding="utf-8"))


def _scale_run(args, n: int) -> dict:
    corpus = ensure_corpus(args.workdir, n, "txt", args.seed)
    return run_child("pipeline", inputs=[str(corpus)], mode="serial", workers=1, geocode=True)


NOTES_MARKER = "<!-- notes: kept across runs -->"


def _save(path: Path, report: str) -> None:
    """Write the generated report, keeping any hand-written notes after ``NOTES_MARKER``."""
    notes = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = old[old.index(NOTES_MARKER):]
    path.write_text(report + ("\n" + notes if notes else ""), encoding="utf-8")


def render(r: dict, scale: dict, before: dict, after: dict, cmd: str, args) -> str:
    """RESULTS.md: the machine, the command, the numbers, and each target met or not."""
    lines = [
        "# frontwatch throughput",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} with `{cmd}` (from the repository root).",
        "",
        f"Machine: {before['nproc']} cores ({before['cpu']}), {before['ram_gb']} GB RAM, Python {before['python']}. "
        f"Load average (1/5/15 min) before: {'/'.join(f'{x:.2f}' for x in before['load'])}, after: "
        f"{'/'.join(f'{x:.2f}' for x in after['load'])} — other jobs were sharing the machine, so wall "
        "times are pessimistic; pages per CPU-second is the load-independent figure.",
        "",
        "Whole pipeline = read, clean, annotate, extract, store (SQLite), then corpus dates, geocoding with the "
        "bundled gazetteer, merge, control and every export including report.html. Each row is a fresh process; "
        "RSS is the peak of the process and all its descendants, sampled every "
        f"{RSS_SAMPLE_S}s.",
        "",
        "| run | pages | seconds | pages/s (wall) | pages per CPU-s | per-page stages s | corpus stages s | "
        "exports s | events | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"txt": f"synthetic text, serial ({args.pages})", "synth_html": f"synthetic HTML, serial ({args.pages})",
             "html": "article-extraction HTML (181 real pages), serial", "fakes": "FA-KES (804 real articles), serial",
             "local1": "synthetic text, local processes, 1 worker", "local2": "synthetic text, local processes, 2 workers",
             "dask1": "synthetic text, Dask LocalCluster, 1 worker", "dask2": "synthetic text, Dask LocalCluster, 2 workers"}
    for key, label in names.items():
        if key in r:
            x = r[key]
            # Worker processes are not our waited-for children (forkserver, Dask nannies): their CPU
            # time is not in os.times(), so CPU-normalised rates are shown for serial runs only.
            cpu = "—" if key.startswith(("local", "dask")) else f"{per_cpu_s(x):.1f}"
            lines.append(f"| {label} | {x['pages']} | {x['seconds']:.1f} | {per_s(x):.1f} | {cpu} | "
                         f"{x['per_page_s']:.1f} | {x['corpus_s']:.1f} | {x['outputs_s']:.1f} | {x['events']} | "
                         f"{x['rss_tree_mb']:.0f} |")
    for n, x in sorted(scale.items()):
        if n != args.pages:
            lines.append(f"| synthetic text, serial ({n}) | {x['pages']} | {x['seconds']:.1f} | {per_s(x):.1f} | "
                         f"{per_cpu_s(x):.1f} | {x['per_page_s']:.1f} | {x['corpus_s']:.1f} | {x['outputs_s']:.1f} | "
                         f"{x['events']} | {x['rss_tree_mb']:.0f} |")
    lines += ["", "Baselines (the library step alone, in its own process, on the same pages):", "",
              "| baseline | pages | seconds | pages/s (wall) | pages per CPU-s | peak RSS MB |",
              "|---|---:|---:|---:|---:|---:|"]
    for key, label in (("spacy", "spaCy blank('en') + sentencizer over the synthetic text pages"),
                       ("spacy_flat", "the same, each page's whitespace runs collapsed to one space"),
                       ("spacy_fakes", "spaCy blank('en') + sentencizer over the FA-KES article texts"),
                       ("trafilatura", "trafilatura.extract on the 181 article-extraction pages")):
        if key in r:
            x = r[key]
            lines.append(f"| {label} | {x['pages']} | {x['seconds']:.2f} | {per_s(x):.1f} | {per_cpu_s(x):.1f} | "
                         f"{x['rss_tree_mb']:.0f} |")
    lines += ["", "## Targets", ""]
    t = r["txt"]
    lines.append(_target(f"≥ {TARGET_PAGES_PER_CORE} text pages/s per core, whole pipeline",
                         f"{per_s(t):.1f} pages/s wall, {per_cpu_s(t):.1f} per CPU-second",
                         per_cpu_s(t) >= TARGET_PAGES_PER_CORE))
    if "spacy" in r:
        ratio, wall = per_cpu_s(t) / per_cpu_s(r["spacy"]), per_s(t) / per_s(r["spacy"])
        lines.append(_target(f"≥ {TARGET_VS_SPACY}× spaCy blank tokenizer + sentencizer",
                             f"{ratio:.3f}× per CPU-second ({wall:.3f}× wall)", ratio >= TARGET_VS_SPACY))
        lines += _spacy_context(r)
    if "html" in r and "trafilatura" in r:
        ratio, wall = per_cpu_s(r["html"]) / per_cpu_s(r["trafilatura"]), per_s(r["html"]) / per_s(r["trafilatura"])
        lines.append(_target(f"HTML whole pipeline ≥ {TARGET_VS_TRAFILATURA}× trafilatura.extract alone",
                             f"{ratio:.2f}× per CPU-second ({wall:.2f}× wall)", ratio >= TARGET_VS_TRAFILATURA))
    serial = {names[k]: x for k, x in r.items() if k in names and not k.startswith(("local", "dask"))}
    serial.update({f"synthetic text, serial ({n})": x for n, x in scale.items() if n != args.pages})
    worst = max(serial, key=lambda k: serial[k]["rss_tree_mb"])
    peak = serial[worst]["rss_tree_mb"]
    lines.append(_target(f"peak RSS < {TARGET_RSS_MB} MB (serial runs, bundled gazetteer)",
                         f"{peak:.0f} MB at worst ({worst})", peak < TARGET_RSS_MB))
    if len(scale) >= 2:
        sizes = sorted(scale)
        rates = [per_cpu_s(scale[n]) for n in sizes]
        spread = max(rates) / min(rates)
        lines.append(_target("linear scaling (pages per CPU-second within 20% across sizes)",
                             ", ".join(f"{n}: {v:.1f}" for n, v in zip(sizes, rates, strict=True)), spread <= 1.2))
    for kind in ("local", "dask"):
        if f"{kind}1" in r and f"{kind}2" in r:
            speedup = per_s(r[f"{kind}2"]) / per_s(r[f"{kind}1"])
            lines.append(f"- {kind} 2 workers vs 1: {speedup:.2f}× (2 cores shared with the main process, "
                         "which reads and writes the store, and with other jobs)")
    return "\n".join(lines) + "\n"


def _spacy_context(r: dict) -> list[str]:
    """The spaCy ratio where spaCy's tokenizer keeps its cache: the same synthetic pages with
    their line breaks collapsed, and real articles (FA-KES) whose text has no line breaks."""
    out = []
    t = r["txt"]
    if "spacy_flat" in r:
        out.append(f"  - against spaCy on the same pages with whitespace runs collapsed (no lone line breaks, so "
                   f"spaCy's tokenizer cache works): {per_cpu_s(t) / per_cpu_s(r['spacy_flat']):.3f}× per "
                   f"CPU-second (spaCy {per_cpu_s(r['spacy']):.0f} → {per_cpu_s(r['spacy_flat']):.0f} pages "
                   "per CPU-s)")
    if "fakes" in r and "spacy_fakes" in r:
        out.append(f"  - on real articles (FA-KES, whole pipeline against spaCy on the same texts): "
                   f"{per_cpu_s(r['fakes']) / per_cpu_s(r['spacy_fakes']):.3f}× per CPU-second")
    return out


def _target(what: str, value: str, met: bool) -> str:
    return f"- {what}: {value} — **{'met' if met else 'NOT met'}**"


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        result = CHILDREN[sys.argv[2]](**json.loads(sys.argv[3]))
        print(json.dumps(result))
    else:
        main()
