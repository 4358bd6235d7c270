"""The read stage's faster helpers give what their plain definitions give (property tests)."""

from __future__ import annotations

import gzip
import hashlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch import read
from frontwatch.model import Page
from frontwatch.read import (
    _CONTROL_BYTES,
    MAX_CONTROL_BYTE_RATIO,
    MAX_PAGE_BYTES,
    SNIFF_BYTES,
    _looks_binary,
    content_hash,
    iter_pages,
)


def _reference_hash(page: Page) -> str:
    """content_hash as its docstring defines it, every step applied unconditionally."""
    kind, body = ("text", page.text) if page.text else ("html", page.html or "")
    body = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    body = "\n".join(line.rstrip() for line in body.split("\n")).strip()
    digest = hashlib.sha256(kind.encode())
    digest.update(b"\0")
    digest.update(body.encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


_PIECES = st.sampled_from(["Shelling hit ", "Qa\u2019im", "e\u0301", "\u00e9", "A\u030a", "\r\n", "\r", "\n",
                           "  ", "\t", "\u00a0", "\u2028", "<p>", "x"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=20).map("".join)), st.booleans())
def test_content_hash_equals_its_definition(body, as_html):
    page = (Page(id="p", source="s", format="html", html=body) if as_html
            else Page(id="p", source="s", format="txt", text=body))
    assert content_hash(page) == _reference_hash(page)


def test_content_hash_ignores_line_ends_and_composition():
    a = Page(id="a", source="a", format="txt", text="Raid on Anah\r\nfive killed  \r\n")
    b = Page(id="b", source="b", format="txt", text="Raid on Anah\nfive killed\n")
    c = Page(id="c", source="c", format="txt", text="Caf\u00e9 raid")
    d = Page(id="d", source="d", format="txt", text="Cafe\u0301 raid")
    assert content_hash(a) == content_hash(b)
    assert content_hash(c) == content_hash(d)
    assert content_hash(a) != content_hash(c)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=SNIFF_BYTES + 50)
       | st.lists(st.sampled_from([b"text ", b"\x01", b"\x1b", b"\x7f", b"\t\n", b"\x0c"]), max_size=400).map(b"".join))
def test_binary_sniff_counts_control_bytes_like_a_loop(data):
    sample = data[:SNIFF_BYTES]
    expected = b"\0" in sample or sum(1 for b in sample if b in _CONTROL_BYTES) > MAX_CONTROL_BYTE_RATIO * len(sample)
    assert _looks_binary(data) == expected


def test_content_hash_of_lone_surrogates_equals_its_definition():
    # JSON Lines can carry "\ud800" escapes: the strict UTF-8 codec refuses them, the hash must not.
    page = Page(id="p", source="s", format="txt", text="Raid on Anah \ud800 five killed\n")
    assert content_hash(page) == _reference_hash(page)


def _gzip_variants() -> dict[str, bytes]:
    html = ("<html><head><title>Raid</title></head><body>"
            + "<p>Shelling hit the eastern district of Anah overnight.</p>\n" * 400 + "</body></html>").encode()
    whole = gzip.compress(html)
    flipped = bytearray(whole)
    flipped[len(whole) // 2] ^= 0xFF
    bad_crc = bytearray(whole)
    bad_crc[-6] ^= 0xFF
    return {
        "whole": whole, "cut": whole[: len(whole) // 2], "no-trailer": whole[:-4],
        "two-members": whole + gzip.compress(b"<p>More.</p>"), "garbage-after": whole + b"garbage!",
        "zero-padding": whole + b"\0" * 64, "bad-crc": bytes(bad_crc), "flipped": bytes(flipped),
        "not-gzip": b"plain text, not gzip\n", "too-large": gzip.compress(b"word " * (MAX_PAGE_BYTES // 5 + 10)),
        "cp1252": gzip.compress("caf\xe9 na\xefve text\n".encode("cp1252")),
    }


@pytest.mark.parametrize("name", sorted(_gzip_variants()))
@pytest.mark.parametrize("suffix", [".html.gz", ".txt.gz"])
def test_gzipped_page_read_whole_as_streamed(tmp_path, monkeypatch, name, suffix):
    """A gzipped page decompressed whole (_gunzip_whole) reads exactly as through the streaming
    reader, damage and all: pages, warnings and issues."""
    f = tmp_path / f"{name}{suffix}"
    f.write_bytes(_gzip_variants()[name])

    def summary() -> list[tuple]:
        return [(i.id, i.source, i.format, i.html, i.text, i.warnings) if isinstance(i, Page)
                else (i.source, i.message, i.skipped) for i in iter_pages([f])]

    fast = summary()
    monkeypatch.setattr(read, "_gunzip_whole", lambda raw: None)
    assert fast == summary()
    assert fast  # a page or an issue, never nothing
