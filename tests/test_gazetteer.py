"""The gazetteer index: loading GeoNames dumps / CSV / zip, tiered lookups, the bundled world."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

import gazrows
from frontwatch.errors import ConfigError, InputError
from frontwatch.gazetteer import gazetteer_add, load_geonames, open_gazetteer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def geonames_row(gid: int, name: str, alts: str, lat: float, lon: float, fcl: str, fcode: str, cc: str,
                 admin1: str = "", pop: int = 0) -> str:
    """One GeoNames line whose ASCII name drops the accents, as GeoNames' own does."""
    return gazrows.geonames_row(gid, name, alts, lat, lon, fcl, fcode, cc, admin1, pop,
                                ascii_name=name.encode("ascii", "ignore").decode())


# Held-out places in three countries (ids made up), plus decoys that share a name.
FIXTURE = "".join([
    geonames_row(7100001, "Maiduguri", "Maiduguri,Yerwa", 11.84692, 13.15712, "P", "PPLA", "NG", "02", 1_112_000),
    geonames_row(7100002, "Bama", "Bama", 11.52134, 13.68952, "P", "PPLA2", "NG", "02", 270_000),
    geonames_row(7100003, "Gwoza", "Gwoza", 11.08300, 13.69500, "P", "PPLA2", "NG", "02", 276_000),
    geonames_row(7100004, "Bama", "", 26.0, 107.0, "P", "PPL", "CN", "", 900_000),
    geonames_row(7200001, "Lashkar Gāh", "Lashkar Gah,Lashkargah,Bost", 31.59382, 64.37161, "P", "PPLA", "AF", "10", 201_500),
    geonames_row(7200002, "Kandahār", "Kandahar,Qandahar", 31.61332, 65.71013, "P", "PPLA", "AF", "23", 391_000),
    geonames_row(7200003, "Kandahar Airfield", "Kandahar Air Base,KAF", 31.50583, 65.84778, "S", "AIRB", "AF", "23"),
    geonames_row(7300001, "Kramatorsk", "Kramatorsk,Kramatorśk", 48.72305, 37.55629, "P", "PPL", "UA", "05", 150_000),
    geonames_row(7300002, "Sloviansk", "Slovyansk,Slavyansk", 48.86667, 37.61667, "P", "PPL", "UA", "05", 106_000),
    geonames_row(7300003, "Siverskyi Donets", "Donets", 49.0, 37.9, "H", "STM", "UA", ""),
])


@pytest.fixture(scope="module")
def fixture_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("gaz")
    txt = d / "XX.txt"
    txt.write_text(FIXTURE, encoding="utf-8")
    z = d / "XX.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "not a table\n")
        zf.writestr("XX.txt", FIXTURE)
        zf.writestr("alternateNamesV2.txt",
                    "1\t7100002\ten\tBama Town\t\t\t\t\t\t\n2\t7100002\tlink\thttps://example.org/bama\t\t\t\t\t\t\n"
                    "3\t9999999\ten\tNowhere Town\t\t\t\t\t\t\n")
    csv_path = d / "extra.csv"
    csv_path.write_text("name,aliases,lat,lon,feature_code,country\n"
                        "Camp Kalla,Kalla camp|Kala;Kallah,11.9,13.2,CMPRF,ng\n"
                        "Old Bridge,,48.8,37.6,BDG,UA\n", encoding="utf-8")
    return {"txt": txt, "zip": z, "csv": csv_path}


@pytest.fixture(scope="module")
def gaz(fixture_files, tmp_path_factory):
    g = open_gazetteer([fixture_files["txt"], fixture_files["csv"]],
                       data_dir=tmp_path_factory.mktemp("data"), bundled=False)
    yield g
    g.close()


def test_exact_lookup_through_aliases_and_diacritics(gaz) -> None:
    (c,) = gaz.candidates("Lashkargah")
    assert c.entry.name == "Lashkar Gāh" and c.entry.cc == "AF" and c.tier == "exact"
    assert {x.entry.gid for x in gaz.candidates("Kandahar")} == {"geonames:7200002", "geonames:7200003"}
    assert gaz.candidates("Kramatorśk")[0].entry.fcode == "PPL"


def test_skeleton_then_fuzzy_tiers(gaz) -> None:
    (c,) = gaz.candidates("Slaviansk")  # not an alias: reached by the skeleton
    assert c.entry.name == "Sloviansk" and c.tier == "skeleton" and c.similarity < 1
    (c,) = gaz.candidates("Maidugury")  # y for i at the end: fuzzy over the "mai" block
    assert c.entry.name == "Maiduguri" and c.tier in {"skeleton", "fuzzy"}
    assert gaz.candidates("Ouagadougou") == []


def test_csv_places_with_aliases(gaz) -> None:
    (c,) = gaz.candidates("Kallah")
    assert (c.entry.name, c.entry.fcode, c.entry.cc, c.entry.fclass) == ("Camp Kalla", "CMPRF", "NG", "S")
    assert c.entry.rid < 0  # user places never collide with GeoNames ids
    assert gaz.candidates("Old Bridge")[0].entry.fcode == "BDG"


def test_same_name_in_two_countries_gives_two_candidates(gaz) -> None:
    assert sorted(c.entry.cc for c in gaz.candidates("Bama")) == ["CN", "NG"]


def test_zip_dump_with_alternate_names_streams_in(fixture_files, tmp_path) -> None:
    conn = sqlite3.connect(":memory:")
    count = load_geonames([fixture_files["zip"]], conn)
    assert count.entries == 10
    keys = {r[0] for r in conn.execute("SELECT key FROM names WHERE rid = 7100002")}
    assert "bamatown" in keys and not any("example" in k for k in keys)  # link rows skipped
    assert conn.execute("SELECT count(*) FROM names WHERE name = 'Nowhere Town'").fetchone()[0] == 0


def test_bad_files_are_clear_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="not found"):
        open_gazetteer([tmp_path / "missing.txt"], data_dir=tmp_path, bundled=False)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a GeoNames dump"):
        open_gazetteer([junk], data_dir=tmp_path, bundled=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon\nSomewhere,north,12\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.csv:2"):
        open_gazetteer([bad], data_dir=tmp_path, bundled=False)
    short = tmp_path / "short.txt"
    short.write_text(FIXTURE + "1\tonly\tthree\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="columns"):
        open_gazetteer([short], data_dir=tmp_path, bundled=False)


def test_gazetteer_add_persists_in_the_user_index(fixture_files, tmp_path) -> None:
    summary = gazetteer_add([fixture_files["csv"]], data_dir=tmp_path)
    assert summary.entries == 2 and summary.names >= 4 and Path(summary.database).exists()
    with open_gazetteer(data_dir=tmp_path, bundled=False) as g:
        assert g.schemas == ("user",)
        assert g.candidates("Kala camp")[0].entry.name == "Camp Kalla"
    # A per-run file shadows nothing it does not define, and is not persisted.
    with open_gazetteer([fixture_files["txt"]], data_dir=tmp_path, bundled=False) as g:
        assert g.schemas == ("main", "user") and g.candidates("Gwoza")
    with open_gazetteer(data_dir=tmp_path, bundled=False) as g:
        assert g.candidates("Gwoza") == []


def test_env_var_sets_the_data_dir(monkeypatch, tmp_path, fixture_files) -> None:
    monkeypatch.setenv("FRONTWATCH_DATA_DIR", str(tmp_path / "envdir"))
    gazetteer_add([fixture_files["csv"]])
    assert list((tmp_path / "envdir").glob("user-*.sqlite"))


def test_shared_sample_loads(tmp_path) -> None:
    sample = SHARED / "gazetteer" / "iq_sy_sample.txt"
    if not sample.exists():
        pytest.skip("../shared/gazetteer/iq_sy_sample.txt is absent")
    with open_gazetteer([sample], data_dir=tmp_path, bundled=False) as g:
        assert g.candidates("Husaybah")[0].entry.gid == "geonames:9000001"
        assert g.candidates("Deir Ezzor")[0].entry.name == "Deir ez-Zor"
        assert {c.entry.fcode for c in g.candidates("H1")} == {"AIRB"}


# ---- the bundled world (built once per session) ----------------------------------------------


@pytest.fixture(scope="module")
def world(world_data_dir):
    g = open_gazetteer(data_dir=world_data_dir)
    yield g
    g.close()


def test_world_has_towns_regions_countries_airfields(world) -> None:
    assert any(c.entry.cc == "IQ" and c.entry.fcode.startswith("PPL") for c in world.candidates("al-Qa'im"))
    assert any(c.entry.fcode == "ADM1" and c.entry.cc == "IQ" for c in world.candidates("Anbar"))
    assert any(c.entry.fcode == "PCLI" and c.entry.cc == "TR" for c in world.candidates("Turkish"))
    assert any(c.entry.fcode == "PCLI" and c.entry.cc == "GB" for c in world.candidates("UK"))
    assert any(c.entry.fcode == "ADM1" and c.entry.cc == "NG" for c in world.candidates("Borno"))
    assert any(c.entry.fcode.startswith("AIR") and c.entry.cc == "IQ" for c in world.candidates("Al Asad Air Base"))
    assert any(c.entry.fcode == "CONT" for c in world.candidates("Africa"))
    towns = [c.entry for c in world.candidates("Maiduguri") if c.entry.fcode.startswith("PPL")]
    assert towns and towns[0].admin1_name  # region names joined onto towns


def test_world_index_is_cached_and_versioned(world_data_dir) -> None:
    files = list(Path(world_data_dir).glob("world-*.sqlite"))
    assert len(files) == 1
    with sqlite3.connect(files[0]) as conn:
        version = conn.execute("SELECT v FROM meta WHERE k = 'version'").fetchone()[0]
    assert files[0].name == f"world-{version}.sqlite"


def test_world_is_cached_reports_the_build(world_data_dir, tmp_path) -> None:
    from frontwatch.gazetteer import world_is_cached

    assert world_is_cached(world_data_dir)
    assert not world_is_cached(tmp_path)
