"""Readers: every format, ids, and every kind of bad input (which must never raise)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tempfile
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from frontwatch.model import DateSource, Page
from frontwatch.read import MAX_PAGE_BYTES, ReadIssue, content_hash, iter_pages

ARTICLE = (
    "Army Retakes Hill Near River Town\n\n"
    "Government troops recaptured a hilltop position west of the river town on Tuesday, "
    "a military spokesman said. Six insurgents and two soldiers were killed in the fighting.\n"
)
ARTICLE_HTML = (
    "<!DOCTYPE html><html><head><title>Drone strike on depot</title></head><body>"
    "<article><h1>Drone strike on depot</h1><p>A drone hit a fuel depot outside the port city "
    "overnight, local officials said, and no casualties were reported.</p></article></body></html>"
)


def pages(items) -> list[Page]:
    return [i for i in items if isinstance(i, Page)]


def issues(items) -> list[ReadIssue]:
    return [i for i in items if isinstance(i, ReadIssue)]


def write_warc(path: Path, records: list[tuple[str, str, bytes]], gz: bool) -> None:
    """records: (url, content type, body) as HTTP responses, plus a request and metadata record
    that the reader must pass over."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warc_record(
            "https://news.example/", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
            warc_headers_dict={"WARC-Date": "2017-11-06T08:00:00Z"}))
        for url, ctype, body in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2017-11-06T08:30:12Z"}))


WARC_RECORDS = [
    ("https://news.example/iraq/border-post", "text/html; charset=utf-8",
     ARTICLE_HTML.encode() * 20),
    ("https://news.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(200)),
    ("https://news.example/syria/bridge", "text/html",
     b"<html><body><p>Engineers finished a pontoon bridge across the river, the army said.</p>"
     b"</body></html>" * 20),
]


# ----------------------------------------------------------------------------------------------
# formats


def test_txt_page_keeps_text_source_and_stem_id(tmp_path: Path) -> None:
    f = tmp_path / "000_eeae2be72c4638ab.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    (page,) = list(iter_pages([f]))
    assert page == Page(id="000_eeae2be72c4638ab", source=str(f), format="txt", text=ARTICLE)


def test_html_page_keeps_html_and_leaves_text_to_cleaning(tmp_path: Path) -> None:
    f = tmp_path / "story.htm"
    f.write_text(ARTICLE_HTML, encoding="utf-8")
    (page,) = list(iter_pages([f]))
    assert (page.id, page.format, page.html, page.text) == ("story", "html", ARTICLE_HTML, "")


def test_html_declared_legacy_charset_is_honoured(tmp_path: Path) -> None:
    f = tmp_path / "legacy.html"
    f.write_bytes('<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 shelled \u2013 '
                  'officials</p></body></html>'.encode("cp1252"))
    (page,) = list(iter_pages([f]))
    assert "Café shelled – officials" in page.html
    assert page.warnings == []


def test_gzipped_files_strip_double_extension(tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(ARTICLE_HTML.encode()))
    lines = json.dumps({"id": "r1", "text": ARTICLE}) + "\n"
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    got = pages(iter_pages([tmp_path]))
    assert [(p.id, p.format) for p in got] == [("a", "txt"), ("b", "html"), ("r1", "txt")]
    assert got[0].text == ARTICLE and got[1].html == ARTICLE_HTML


def test_jsonl_records_ids_metadata_and_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    url = "https://wire.example/2017/11/04/crossing"
    rows = [
        json.dumps({"id": "wire-1", "text": ARTICLE, "title": "Hill retaken", "outlet": "Example Wire",
                    "published": "2017-11-04"}),
        json.dumps({"url": url, "html": ARTICLE_HTML, "published": "2017-11-05T21:40:00Z"}),
        "{this is not json",
        "",
        json.dumps({"id": "no-body", "title": "A headline without a story"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": ARTICLE + " Later update.", "published": "last Tuesday"}),
        json.dumps({"id": 42, "text": "Shelling resumed at dawn.", "published": "2017-11-07T06:00:00+03:00"}),
    ]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    items = list(iter_pages([f]))
    got = pages(items)
    assert [p.id for p in got] == ["wire-1", hashlib.sha1(url.encode()).hexdigest()[:16], "feed:7", "42"]
    assert [p.source for p in got] == [f"{f}:1", f"{f}:2", f"{f}:7", f"{f}:8"]
    first, second, third, fourth = got
    assert (first.format, first.title, first.outlet, first.published, first.published_source) == (
        "txt", "Hill retaken", "Example Wire", date(2017, 11, 4), DateSource.METADATA)
    assert (second.format, second.html, second.url, second.published) == (
        "html", ARTICLE_HTML, url, date(2017, 11, 5))
    assert third.published is None and third.published_source == DateSource.NONE
    assert len(third.warnings) == 1 and "published" in third.warnings[0]
    assert fourth.published == date(2017, 11, 7)
    bad = issues(items)
    assert [i.source for i in bad] == [f"{f}:3", f"{f}:5", f"{f}:6"]
    assert all(i.skipped and i.message.startswith(f"{i.source}: ") for i in bad)
    assert "not valid JSON" in bad[0].message and "no 'text' or 'html'" in bad[1].message


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_warc_html_responses_only(tmp_path: Path, gz: bool) -> None:
    f = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_warc(f, WARC_RECORDS, gz)
    items = list(iter_pages([f]))
    assert issues(items) == []
    got = pages(items)
    assert [p.url for p in got] == [WARC_RECORDS[0][0], WARC_RECORDS[2][0]]
    for page, (url, _, body) in zip(got, [WARC_RECORDS[0], WARC_RECORDS[2]], strict=True):
        assert page.id == hashlib.sha1(url.encode()).hexdigest()[:16]
        assert page.format == "html" and page.html == body.decode()
        assert page.fetched == date(2017, 11, 6)
        assert page.published is None  # a crawl date is not a publication date
        assert page.source.startswith(f"{f}@")
    assert got[0].source != got[1].source


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_truncated_warc_keeps_records_before_the_damage(tmp_path: Path, gz: bool) -> None:
    whole = tmp_path / "whole.warc"
    records = [(f"https://news.example/{i}", "text/html",
                f"<html><body><p>Report {i}: clashes on the ring road.</p></body></html>".encode() * 40)
               for i in range(3)]
    write_warc(whole, records, gz)
    data = whole.read_bytes()
    f = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    f.write_bytes(data[: int(len(data) * 0.8)])
    items = list(iter_pages([f, tmp_path / "after.txt"]))
    got = pages(items)
    assert [p.url for p in got] == [r[0] for r in records[:2]]
    assert all(p.html == records[i][2].decode() for i, p in enumerate(got))
    problems = issues(items)
    assert problems[0].source == str(f) and not problems[0].skipped  # pages were still read
    assert "\n" not in problems[0].message
    assert problems[1].source.endswith("after.txt")  # reading went on


def test_directory_recursion_sorted_skips_hidden_and_readme(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".cache").mkdir()
    (tmp_path / "z.txt").write_text(ARTICLE)
    (tmp_path / "b" / "deep" / "y.txt").write_text(ARTICLE + "Deep.")
    (tmp_path / "b" / "x.txt").write_text(ARTICLE + "Shallow.")
    (tmp_path / "a.txt").write_text(ARTICLE + "First.")
    (tmp_path / ".hidden.txt").write_text(ARTICLE)
    (tmp_path / ".cache" / "c.txt").write_text(ARTICLE)
    (tmp_path / "README.md").write_text("These files are a test corpus.")
    ids = [p.id for p in pages(iter_pages([tmp_path]))]
    assert ids == ["a", "y", "x", "z"]
    assert ids == [p.id for p in pages(iter_pages([tmp_path]))]  # deterministic


def test_same_stem_in_two_folders_gets_unique_ids(tmp_path: Path) -> None:
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.txt").write_text(f"{sub}: {ARTICLE}")
    assert [p.id for p in pages(iter_pages([tmp_path]))] == ["report", "report~2"]


@pytest.mark.parametrize(
    ("data", "fmt", "content"),
    [
        (ARTICLE.encode(), "txt", ARTICLE),
        (ARTICLE_HTML.encode(), "html", ARTICLE_HTML),
        (b"<p>Mortar rounds fell on the market.</p>\n<p>Three were hurt.</p>", "html",
         "<p>Mortar rounds fell on the market.</p>\n<p>Three were hurt.</p>"),
        (gzip.compress(ARTICLE.encode()), "txt", ARTICLE),
    ],
    ids=["text", "html", "html-fragment", "gzip"],
)
def test_stdin_single_page_is_sniffed(data: bytes, fmt: str, content: str) -> None:
    (page,) = list(iter_pages(["-"], stdin=io.BytesIO(data)))
    assert (page.id, page.source, page.format) == ("stdin", "-", fmt)
    assert (page.text if fmt == "txt" else page.html) == content


def test_stdin_jsonl_is_streamed_by_line() -> None:
    stream = io.BytesIO(b"\n  " + json.dumps({"id": "s1", "text": ARTICLE}).encode() + b"\n"
                        + json.dumps({"text": "Second report."}).encode() + b"\n")
    got = list(iter_pages(["-"], stdin=stream))
    assert [(p.id, p.source) for p in got] == [("s1", "-:2"), ("stdin:3", "-:3")]


def test_stdin_warc(tmp_path: Path) -> None:
    f = tmp_path / "c.warc.gz"
    write_warc(f, WARC_RECORDS, gz=True)
    got = list(iter_pages(["-"], stdin=io.BytesIO(f.read_bytes())))
    assert [p.url for p in got] == [WARC_RECORDS[0][0], WARC_RECORDS[2][0]]


# ----------------------------------------------------------------------------------------------
# bad input


def test_missing_path_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE)
    missing = tmp_path / "nope" / "gone.txt"
    items = list(iter_pages([missing, good]))
    assert isinstance(items[0], ReadIssue) and items[0].skipped and str(missing) in items[0].message
    assert isinstance(items[1], Page) and items[1].id == "good"


@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.jsonl", "empty.warc", "blank.txt", "blank.jsonl"])
def test_empty_files_are_skipped(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(b"\n \n\t\n" if name.startswith("blank") else b"")
    (issue,) = list(iter_pages([f]))
    assert isinstance(issue, ReadIssue) and issue.skipped and "empty" in issue.message


@pytest.mark.parametrize("name", ["photo.txt", "photo.jpg", "archive.html"])
def test_binary_files_are_skipped(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8)
    (issue,) = list(iter_pages([f]))
    assert isinstance(issue, ReadIssue) and issue.skipped and "binary" in issue.message


def test_control_heavy_file_without_nul_is_binary(tmp_path: Path) -> None:
    f = tmp_path / "blob.txt"
    f.write_bytes(bytes([1, 2, 3, 65, 66, 4, 5, 6, 7, 8]) * 500)
    (issue,) = list(iter_pages([f]))
    assert isinstance(issue, ReadIssue) and "binary" in issue.message


def test_stray_bytes_in_utf8_are_replaced_and_counted(tmp_path: Path) -> None:
    f = tmp_path / "mixed.txt"
    f.write_bytes("Troops entered Qa’im; ".encode() + b"the mayor\x92s office \xff\xfe was hit.\n")
    (page,) = list(iter_pages([f]))
    assert page.text == "Troops entered Qa’im; the mayor\ufffds office \ufffd\ufffd was hit.\n"
    assert page.warnings == [f"{f}: 3 undecodable bytes replaced"]


def test_cp1252_file_is_read_as_cp1252(tmp_path: Path) -> None:
    f = tmp_path / "legacy.txt"
    f.write_bytes("The militia\u2019s \u201cfinal push\u201d on the caf\xe9 district \u2013 officials.".encode("cp1252"))
    (page,) = list(iter_pages([f]))
    assert page.text == "The militia\u2019s \u201cfinal push\u201d on the caf\xe9 district \u2013 officials."
    assert len(page.warnings) == 1 and "cp1252" in page.warnings[0]


def test_boms_are_honoured(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode())
    (tmp_path / "b.txt").write_bytes(ARTICLE.encode("utf-16"))
    got = pages(iter_pages([tmp_path]))
    assert [p.text for p in got] == [ARTICLE, ARTICLE]


def test_huge_line_in_jsonl_is_skipped_without_reading_it_whole(tmp_path: Path) -> None:
    f = tmp_path / "big.jsonl"
    with f.open("wb") as fh:
        fh.write(b'{"text": "' + b"x" * (MAX_PAGE_BYTES + 200_000) + b'"}\n')
        fh.write(json.dumps({"id": "small", "text": ARTICLE}).encode() + b"\n")
    items = list(iter_pages([f]))
    assert isinstance(items[0], ReadIssue) and items[0].source == f"{f}:1"
    assert isinstance(items[1], Page) and items[1].id == "small"


def test_50mb_file_is_cut_with_bounded_memory(tmp_path: Path) -> None:
    f = tmp_path / "dump.txt"
    line = b"Artillery fire was reported along the whole eastern front overnight.\n"
    with f.open("wb") as fh:
        for _ in range(50_000_000 // (len(line) * 1000) + 1):
            fh.write(line * 1000)
    size = f.stat().st_size
    assert size >= 50_000_000
    tracemalloc.start()
    try:
        (page,) = list(iter_pages([f]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 3, f"peak {peak:,} bytes for a {size:,} byte file"
    assert MAX_PAGE_BYTES * 0.9 < len(page.text) <= MAX_PAGE_BYTES
    assert page.text.endswith("overnight.\n")  # cut at a line end, not mid-word
    assert len(page.warnings) == 1 and "only the first part" in page.warnings[0]


# ----------------------------------------------------------------------------------------------
# content hash


def test_content_hash_ignores_line_ends_and_trailing_space_only() -> None:
    a = Page(id="a", source="a", format="txt", text="Line one.\nLine two.\n")
    b = Page(id="b", source="b", format="txt", text="Line one.  \r\nLine two.\r\n\r\n")
    c = Page(id="c", source="c", format="txt", text="Line one.\nLine 2.\n")
    d = Page(id="d", source="d", format="html", html="Line one.\nLine two.\n")
    assert content_hash(a) == content_hash(b)
    assert len({content_hash(a), content_hash(c), content_hash(d)}) == 3


# ----------------------------------------------------------------------------------------------
# property: arbitrary bytes never raise


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".jsonl", ".html", ".dat", ".warc", ".txt.gz"]))
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / f"page{suffix}"
        f.write_bytes(data)
        items = list(iter_pages([f]))
        items += list(iter_pages(["-"], stdin=io.BytesIO(data)))
    assert items
    for item in items:
        assert isinstance(item, Page | ReadIssue)
        if isinstance(item, ReadIssue):
            assert item.message and "\n" not in item.message
        else:
            assert isinstance(item.text, str) and (item.text or item.html is not None)


def test_pretty_printed_json_is_one_issue_not_one_per_line(tmp_path: Path) -> None:
    f = tmp_path / "export.json"
    f.write_text(json.dumps({"a": {"text": ARTICLE}, "b": {"text": ARTICLE}}, indent=2))
    (issue,) = list(iter_pages([f]))
    assert issue.skipped and "not JSON Lines" in issue.message
    g = tmp_path / "records.json"  # JSON Lines under a .json name is read
    g.write_text(json.dumps({"id": "j1", "text": ARTICLE}) + "\n")
    assert [p.id for p in iter_pages([g])] == ["j1"]


def test_symlink_loop_in_directory_ends(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.txt").write_text(ARTICLE)
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    assert [p.id for p in pages(iter_pages([tmp_path]))] == ["page"]


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)
                      .filter(str.strip), min_size=1, max_size=8))
def test_jsonl_round_trips_any_text(texts: list[str]) -> None:
    data = "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()
    got = list(iter_pages(["-"], stdin=io.BytesIO(data)))
    assert [p.text for p in got] == texts
    assert [p.id for p in got] == [f"stdin:{i}" for i in range(1, len(texts) + 1)]


# ----------------------------------------------------------------------------------------------
# the bundled demo corpus

DEMO = Path(__file__).resolve().parents[1] / "src" / "frontwatch" / "data" / "demo"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_demo_corpus_reads_cleanly() -> None:
    items = list(iter_pages([DEMO]))
    assert issues(items) == []
    got = pages(items)
    assert len(got) == 8
    assert {p.format for p in got} == {"txt", "html"}
    assert sum(p.published is not None for p in got) == 2  # the two JSONL records
    assert len({content_hash(p) for p in got}) == 8
    assert all(not p.warnings for p in got)


def _shingles(text: str, n: int = 6) -> set[str]:
    """Word 6-grams within lines (widget lines such as "Notify of" are too short to count)."""
    out: set[str] = set()
    for line in text.lower().splitlines():
        words = re.findall(r"[a-z0-9’']+", line)
        out.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


def test_demo_corpus_is_written_in_its_own_words() -> None:
    seeds = sorted((SHARED / "corpus" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("../shared/corpus/seeds is not available")
    seed_shingles = set().union(*(_shingles(f.read_text(encoding="utf-8")) for f in seeds))
    for f in sorted(DEMO.iterdir()):
        shared = _shingles(f.read_text(encoding="utf-8")) & seed_shingles
        assert not shared, f"{f.name} repeats seed wording: {sorted(shared)[:5]}"
