"""Great-circle geometry on a spherical Earth: distance, destination point, initial bearing.

Hand-written because these three formulas are a dozen lines and a geodesy library (pyproj,
geographiclib) would be a heavy dependency for accuracy news locations do not have.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    d = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(d)))


def destination(lat: float, lon: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """The point ``distance_km`` from (lat, lon) along ``bearing_deg`` (0 = north, clockwise)."""
    d = distance_km / EARTH_RADIUS_KM
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def basemap_country_rings() -> dict[int, list[list[tuple[float, float]]]]:
    """Outer rings, as (longitude, latitude) lists, of every country polygon in the bundled
    Natural Earth basemap, by ISO 3166 numeric code ({} if the basemap is missing).

    One reader for the world-index build (country centroids) and the geocoder (border points),
    so the file's layout is known in one place.
    """
    import json
    from importlib import resources
    from pathlib import Path

    path = Path(str(resources.files("frontwatch") / "data" / "basemap" / "world.geojson"))
    if not path.exists():
        return {}
    out: dict[int, list[list[tuple[float, float]]]] = {}
    for feat in json.loads(path.read_text(encoding="utf-8")).get("features", []):
        props = feat.get("properties") or {}
        if props.get("kind") != "country" or not str(props.get("iso_n3", "")).isdigit():
            continue
        geom = feat.get("geometry") or {}
        polys = [geom["coordinates"]] if geom.get("type") == "Polygon" else geom.get("coordinates", [])
        out.setdefault(int(props["iso_n3"]), []).extend(
            [(float(x), float(y)) for x, y in poly[0]] for poly in polys)
    return out
