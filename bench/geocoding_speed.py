"""Gazetteer speed: index build, lookups/s and peak memory.

    python bench/geocoding_speed.py [--rows 1000000] [--lookups 20000] [--data-dir DIR]

1. the bundled world index (built into ``--data-dir`` or a temp dir if not cached there);
2. a GeoNames-format file of ``--rows`` random places GENERATED here (pronounceable random names,
   0–3 alternate names each, random coordinates), streamed to a temp file, then loaded with
   ``gazetteer_add`` (streaming, batched) into a temp data dir.

For each: lookups/s for names that exist (exact tier), misspellings (skeleton / fuzzy tiers) and
names that do not exist, each with a fresh per-run cache; peak RSS from ``getrusage``.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from frontwatch.gazetteer import gazetteer_add, open_gazetteer

SYLLABLES = ("ka", "ri", "mo", "ba", "lu", "zen", "dar", "qa", "im", "sha", "tu", "ro", "vil", "an", "go", "del",
             "ha", "mi", "sor", "ya", "ku", "nor", "el", "bi", "tas", "om", "ur", "fa", "lin", "sk")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def random_name(rng: random.Random) -> str:
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5))).capitalize()
             for _ in range(rng.choice((1, 1, 1, 2)))]
    return " ".join(words)


def misspell(name: str, rng: random.Random) -> str:
    i = rng.randrange(len(name))
    return name[:i] + rng.choice("aeiouy") + name[i + 1:]


def generate(path: Path, rows: int, seed: int = 7) -> list[str]:
    """Stream ``rows`` GeoNames rows to ``path``; return a sample of the names written."""
    rng = random.Random(seed)
    sample: list[str] = []
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            name = random_name(rng)
            alts = ",".join(random_name(rng) for _ in range(rng.randint(0, 3)))
            lat, lon = rng.uniform(-60, 70), rng.uniform(-180, 180)
            f.write(f"{10_000_000 + i}\t{name}\t{name}\t{alts}\t{lat:.5f}\t{lon:.5f}\tP\tPPL\tZZ\t\t01\t\t\t\t"
                    f"{rng.randint(0, 100000)}\t\t\tEtc/UTC\t2024-01-01\n")
            if i % max(1, rows // 5000) == 0:
                sample.append(name)
    return sample


def time_lookups(gaz, names: list[str]) -> tuple[float, int, float]:
    """(lookups/s, names found, mean candidates per name), with a cold per-run cache."""
    gaz._cache.clear()
    t0 = time.perf_counter()
    counts = [len(gaz.candidates(n)) for n in names]
    secs = time.perf_counter() - t0
    return len(names) / secs, sum(1 for c in counts if c), sum(counts) / max(1, len(counts))


def report(label: str, gaz, known: list[str], rng: random.Random, n: int) -> None:
    known = [rng.choice(known) for _ in range(n)]
    typos = [misspell(k, rng) for k in known[: n // 4]]
    unknown = [random_name(rng) + "xq" for _ in range(n // 4)]
    for kind, names in (("existing", known), ("misspelt", typos), ("absent", unknown)):
        rate, hits, mean = time_lookups(gaz, names)
        print(f"  {label:9} {kind:9} {rate:10,.0f} lookups/s   found {hits}/{len(names)}, "
              f"{mean:.1f} candidates per name")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--lookups", type=int, default=20_000)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    rng = random.Random(1)
    tmp = Path(tempfile.mkdtemp(prefix="fw-speed-"))

    t0 = time.perf_counter()
    world = open_gazetteer(data_dir=args.data_dir or tmp / "world")
    print(f"bundled world: open/build {time.perf_counter() - t0:.1f} s, peak RSS {peak_rss_mb():.0f} MB")
    wfile = next((args.data_dir or tmp / "world").glob("world-*.sqlite"))
    print(f"  index {wfile.stat().st_size / 2**20:.0f} MB")
    known = [r[0] for r in world.conn.execute("SELECT name FROM world.entries WHERE fcode LIKE 'PPL%' "
                                              "ORDER BY random() LIMIT 5000")]
    report("world", world, known, rng, args.lookups)
    world.close()

    src = tmp / "generated.txt"
    t0 = time.perf_counter()
    sample = generate(src, args.rows)
    print(f"generated {args.rows:,} GeoNames rows ({src.stat().st_size / 2**20:.0f} MB) in "
          f"{time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    summary = gazetteer_add([src], data_dir=tmp / "big")
    secs = time.perf_counter() - t0
    print(f"loaded {summary.entries:,} places / {summary.names:,} names in {secs:.1f} s "
          f"({summary.entries / secs:,.0f} rows/s), index {Path(summary.database).stat().st_size / 2**20:.0f} MB, "
          f"peak RSS {peak_rss_mb():.0f} MB")
    big = open_gazetteer(data_dir=tmp / "big", bundled=False)
    report("1M file", big, sample, rng, args.lookups)
    big.close()
    print(f"peak RSS overall {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
