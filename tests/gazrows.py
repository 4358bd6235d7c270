"""Shared helpers for tests that build a small GeoNames-format gazetteer of made-up rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from frontwatch.gazetteer import Gazetteer, open_gazetteer


def geonames_row(gid: int, name: str, alts: str, lat: float, lon: float, fcl: str, fcode: str, cc: str,
                 admin1: str = "", pop: int = 0, ascii_name: str | None = None) -> str:
    """One line of the 19-column GeoNames dump format."""
    cols = [str(gid), name, name if ascii_name is None else ascii_name, alts, str(lat), str(lon), fcl, fcode, cc,
            "", admin1, "", "", "", str(pop), "", "", "", "2024-01-01"]
    return "\t".join(cols) + "\n"


@contextmanager
def fixture_gazetteer(folder: Path, rows: str, extra: Sequence[Path] = ()) -> Iterator[Gazetteer]:
    """A gazetteer of ``rows`` (plus ``extra`` files) only, indexed in ``folder``."""
    f = folder / "fixture.txt"
    f.write_text(rows, encoding="utf-8")
    g = open_gazetteer([f, *extra], data_dir=folder, bundled=False)
    try:
        yield g
    finally:
        g.close()
