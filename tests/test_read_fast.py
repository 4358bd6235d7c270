"""The read stage's faster helpers give what their plain definitions give (property tests)."""

from __future__ import annotations

import hashlib
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch.model import Page
from frontwatch.read import _CONTROL_BYTES, MAX_CONTROL_BYTE_RATIO, SNIFF_BYTES, _looks_binary, content_hash


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
