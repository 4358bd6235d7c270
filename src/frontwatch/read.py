"""Read stage: paths (files, directories, ``-``) → ``Page`` records, or ``ReadIssue`` notes.

Formats: plain text (``.txt`` and anything else that looks like text), HTML (``.html``/``.htm``),
JSON Lines (one object per line with ``text`` or ``html``), WARC (``.warc``/``.warc.gz``, via
warcio: HTML ``response`` records only) and gzip-compressed ``.txt.gz``/``.html.gz``/``.jsonl.gz``.

Bad input never raises: each problem becomes a ``ReadIssue`` and reading goes on with the next
file, line or record.  A problem with a page that was still read (bytes that were not UTF-8, a
page cut at ``MAX_PAGE_BYTES``) goes into ``Page.warnings`` instead, so it stays with the page.

What is hand-written here and why: warcio parses WARC, json parses JSONL, gzip decompresses.
What no library does for us is the policy around them — bounded reads of huge files, the
text/binary sniff, the UTF-8 → cp1252 fallback with a count of replaced bytes, and stable ids —
and that policy is small, so it lives here rather than behind a dependency (chardet-style
detectors guess far more than we need and are slow on megabyte pages).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import sys
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from .model import DateSource, Page

# A news article is a few kB to a few hundred kB of text.  A page bigger than this is a dump, a
# log or a mistake: we read this much of it (so memory stays bounded) and warn that the rest was cut.
MAX_PAGE_BYTES = 5_000_000
# How much of a file's start is looked at to tell text from binary, and HTML/JSONL from text.
SNIFF_BYTES = 8192
# Share of control bytes (other than tab, newline, carriage return, form feed) above which a
# file is taken for binary.  Real text has essentially none; a tenth is already far off.
MAX_CONTROL_BYTE_RATIO = 0.10
# JSON Lines records larger than this are skipped (a record is one page, see MAX_PAGE_BYTES),
# with a little slack for the JSON escaping and metadata around the text.
MAX_RECORD_BYTES = MAX_PAGE_BYTES + 100_000
# Block size for reading WARC record bodies.
WARC_READ_BLOCK = 1 << 16
# Compressed bytes read at a time when a gzipped page is decompressed whole (``_gunzip_whole``).
GUNZIP_READ_BLOCK = 1 << 20
# Length of the hex digest used as a record id when a record has a URL but no id.
URL_ID_HEX = 16

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
WARC_SUFFIXES = (".warc", ".arc")
# Files a directory walk passes over: they sit beside a corpus but are not reporting.
DIRECTORY_SKIP_PREFIXES = ("readme", "license", "licence")

_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL_BYTES = frozenset(set(range(0, 32)) - {9, 10, 12, 13}) | {127}
# Every byte that is NOT a control byte: deleting these (bytes.translate, in C) leaves the control
# bytes, whose number is then just a length — a Python loop over each byte took most of the read.
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
# After decoding with errors="surrogateescape": a byte that was not UTF-8, and a character that was.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_DECODED_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


@dataclass(slots=True)
class ReadIssue:
    """A problem met while reading.  ``skipped`` is True when nothing was read from ``source``
    (a missing file, a binary file, a bad JSONL line); False for a warning about data that was
    still read (a WARC file damaged after some good records)."""

    source: str
    message: str  # one line: "<source>: <reason>"
    skipped: bool = True


def iter_pages(
    inputs: Sequence[str | os.PathLike[str]], *, stdin: BinaryIO | None = None
) -> Iterator[Page | ReadIssue]:
    """Yield a ``Page`` for every page in ``inputs`` (files, directories read recursively in sorted
    order, or ``-`` for standard input) and a ``ReadIssue`` for every problem, in input order.

    JSONL and WARC files are streamed record by record; no file is read past ``MAX_PAGE_BYTES``
    per page.  Page ids are unique within one call: a second page with an id already yielded
    gets ``~2``, ``~3`` ... appended (two ``report.txt`` files in different folders).
    """
    seen: dict[str, int] = {}
    for raw in inputs:
        for item in _iter_input(raw, stdin):
            if isinstance(item, Page):
                item.id = _unique_id(item.id, seen)
            yield item


def content_hash(page: Page) -> str:
    """sha256 (hex) of the page's normalised content: its text, or its HTML when it has no text.

    Normalisation (Unicode NFC, ``\\n`` line ends, no trailing spaces, no surrounding blank lines)
    makes a re-crawl that differs only in those details count as the same page, so re-ingesting
    it adds nothing.
    """
    kind, body = ("text", page.text) if page.text else ("html", page.html or "")
    # each step only where it can change something (a scan for "\r", ASCII is always NFC):
    # this runs on every page, megabytes of HTML included
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.isascii():
        body = unicodedata.normalize("NFC", body)
    body = "\n".join(map(str.rstrip, body.split("\n"))).strip()
    digest = hashlib.sha256(kind.encode())
    digest.update(b"\0")
    try:  # the strict codec is faster; only text holding lone surrogates needs surrogatepass
        encoded = body.encode("utf-8")
    except UnicodeEncodeError:
        encoded = body.encode("utf-8", errors="surrogatepass")
    digest.update(encoded)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# inputs, directories, dispatch by name


def _iter_input(raw: str | os.PathLike[str], stdin: BinaryIO | None) -> Iterator[Page | ReadIssue]:
    if isinstance(raw, str) and raw == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            yield from _read_stream(stream, "-", "stdin")
        except Exception as exc:  # same last guard as _read_file
            yield ReadIssue("-", f"-: cannot read standard input ({type(exc).__name__}: {_one_line(exc)})", True)
        return
    path = Path(raw)
    try:
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield from _read_file(path)
        else:
            yield ReadIssue(str(path), f"{path}: no such file or directory", True)
    except OSError as exc:  # permission denied on a directory, a path too long ...
        yield ReadIssue(str(path), f"{path}: cannot read ({_os_reason(exc)})", True)


def _walk(root: Path, visited: set[Path] | None = None) -> Iterator[Page | ReadIssue]:
    """Every non-hidden file under ``root``, depth first, names sorted (deterministic order).
    ``visited`` holds the real paths of folders already walked, so a symlink loop ends."""
    visited = set() if visited is None else visited
    try:
        real = root.resolve()
        if real in visited:
            return
        visited.add(real)
        entries = sorted(root.iterdir(), key=lambda p: p.name)
    except (OSError, RuntimeError) as exc:
        yield ReadIssue(str(root), f"{root}: cannot list directory ({_os_reason(exc)})", True)
        return
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name.lower().startswith(DIRECTORY_SKIP_PREFIXES):
            continue
        if entry.is_dir():
            yield from _walk(entry, visited)
        elif entry.is_file():
            yield from _read_file(entry)


def _split_name(path: Path) -> tuple[str, str, bool]:
    """(stem, format suffix, gzipped) for ``a.html.gz`` → ("a", ".html", True)."""
    name = path.name
    gz = name.lower().endswith(".gz")
    if gz:
        name = name[:-3]
    base, dot, ext = name.rpartition(".")
    if not dot or not base:
        return name, "", gz
    return base, "." + ext.lower(), gz


def _read_file(path: Path) -> Iterator[Page | ReadIssue]:
    """One file; whatever goes wrong inside becomes an issue, and the next file is read."""
    try:
        yield from _read_file_unguarded(path)
    except Exception as exc:  # a last guard: bad input must never stop a run with a traceback
        yield ReadIssue(str(path), f"{path}: cannot read ({type(exc).__name__}: {_one_line(exc)})", True)


def _read_file_unguarded(path: Path) -> Iterator[Page | ReadIssue]:
    stem, suffix, gz = _split_name(path)
    src = str(path)
    try:
        raw = path.open("rb")
        empty = os.fstat(raw.fileno()).st_size == 0
    except OSError as exc:
        yield ReadIssue(src, f"{src}: cannot open ({_os_reason(exc)})", True)
        return
    with raw:
        if empty:
            yield ReadIssue(src, f"{src}: empty file", True)
            return
        if not gz:
            yield from _read_by_suffix(raw, src, stem, suffix)
            return
        if suffix in HTML_SUFFIXES or suffix in TEXT_SUFFIXES:
            data = _gunzip_whole(raw)
            if data is not None:
                yield from _read_by_suffix(io.BytesIO(data), src, stem, suffix)
                return
            raw.seek(0)  # damaged, cut, several members, too large ...: the streaming reader's account
        # Python's gzip, not warcio's own decompression, for .warc.gz too: warcio stops quietly
        # on a file cut short, and the records lost after the cut would go unnoticed.
        yield from _gunzipped(raw, src, lambda stream: _read_by_suffix(stream, src, stem, suffix))


def _gunzip_whole(raw: BinaryIO) -> bytes | None:
    """The content of a gzip file holding one whole, undamaged member of at most
    ``MAX_PAGE_BYTES``, or None for anything else (the caller then reads it through ``_Gunzip``).

    Why: a gzipped page is read whole anyway, and ``GzipFile`` feeds zlib 8 kB at a time through
    Python code and copies the output three times: this is a third faster on HTML pages.  zlib
    checks the gzip header, CRC and length itself (``wbits=31``), so the bytes are the same.
    """
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    parts: list[bytes] = []
    size = 0
    try:
        while not inflate.eof:
            chunk = inflate.unconsumed_tail or raw.read(GUNZIP_READ_BLOCK)
            if not chunk:
                return None  # cut short
            part = inflate.decompress(chunk, MAX_PAGE_BYTES + 1 - size)
            size += len(part)
            if size > MAX_PAGE_BYTES:
                return None
            parts.append(part)
        if inflate.unused_data or raw.read(1):
            return None  # another member, padding or garbage after the first one
    except (OSError, zlib.error):
        return None
    return b"".join(parts)


def _gunzipped(
    raw: BinaryIO, src: str, read: Callable[[BinaryIO], Iterator[Page | ReadIssue]]
) -> Iterator[Page | ReadIssue]:
    """Run ``read`` on the decompressed stream; if the gzip data is damaged, say so once — in
    place of the reader's own file-level issue ("empty file" ...) unless that one is about WARC
    damage, which is the more precise account."""
    unzipped = _Gunzip(raw)
    held: list[ReadIssue] = []
    n_pages = 0
    for item in read(unzipped.stream()):
        if isinstance(item, ReadIssue) and item.source == src:
            held.append(item)  # file-level issues come last anyway
            continue
        n_pages += isinstance(item, Page)
        yield item
    if unzipped.damage and not any("damaged WARC" in issue.message for issue in held):
        yield ReadIssue(src, f"{src}: compressed data damaged or cut short ({unzipped.damage})", n_pages == 0)
    else:
        yield from held


def _read_by_suffix(stream: BinaryIO, src: str, stem: str, suffix: str) -> Iterator[Page | ReadIssue]:
    if suffix in WARC_SUFFIXES:
        yield from _iter_warc_stream(stream, src, stem)
    elif suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(stream, src, stem)
    elif suffix == ".json":  # often JSON Lines under another name; a single JSON document is not
        yield from _read_jsonl(stream, src, stem, sniffed=True)
    elif suffix in HTML_SUFFIXES:
        yield from _read_single(stream, src, stem, "html")
    elif suffix in TEXT_SUFFIXES:
        yield from _read_single(stream, src, stem, "txt")
    else:
        yield from _read_stream(stream, src, stem)


# --------------------------------------------------------------------------------------------
# single pages (txt, html) and sniffed streams


def _read_stream(stream: BinaryIO, src: str, stem: str) -> Iterator[Page | ReadIssue]:
    """A stream of unknown kind (stdin, a file with an unknown suffix): sniff its start."""
    try:
        head = stream.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        yield ReadIssue(src, f"{src}: cannot read ({_os_reason(exc)})", True)
        return
    rest: BinaryIO = _Prefixed.wrap(head, stream)
    if head.startswith(_GZIP_MAGIC):
        yield from _gunzipped(rest, src, lambda stream: _read_stream(stream, src, stem))
        return
    if head.startswith((b"WARC/", b"filedesc://")):
        yield from _iter_warc_stream(rest, src, stem)
        return
    stripped = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    if stripped.startswith(b"{"):
        yield from _read_jsonl(rest, src, stem, sniffed=True)
    elif _HTML_START.match(head) or (stripped.startswith(b"<") and b"<p" in head.lower()):
        yield from _read_single(rest, src, stem, "html")
    else:
        yield from _read_single(rest, src, stem, "txt")


def _read_single(stream: BinaryIO, src: str, stem: str, fmt: str) -> Iterator[Page | ReadIssue]:
    """One file = one page, read up to ``MAX_PAGE_BYTES``."""
    try:
        data = stream.read(MAX_PAGE_BYTES + 1)
        cut = len(data) > MAX_PAGE_BYTES
    except (OSError, EOFError, zlib.error) as exc:
        yield ReadIssue(src, f"{src}: cannot read ({_os_reason(exc)})", True)
        return
    warnings: list[str] = []
    if cut:
        data = _cut(data)
        warnings.append(f"{src}: larger than {MAX_PAGE_BYTES:,} bytes; only the first part was read")
    text, problem = _decode(data, src, _declared_charset(data) if fmt == "html" else None)
    if text is None:
        yield ReadIssue(src, problem, True)
        return
    if problem:
        warnings.append(problem)
    if fmt == "html":
        yield Page(id=stem, source=src, format="html", html=text, warnings=warnings)
    else:
        yield Page(id=stem, source=src, format="txt", text=text, warnings=warnings)


def _cut(data: bytes) -> bytes:
    """Trim a page cut at the byte cap back to its last line end, so no UTF-8 character or
    sentence is split (when there is a line end in the last tenth)."""
    data = data[:MAX_PAGE_BYTES]
    nl = data.rfind(b"\n", MAX_PAGE_BYTES - MAX_PAGE_BYTES // 10)
    if nl >= 0:
        return data[: nl + 1]
    # No line end: at least do not split a UTF-8 character.  Find the start of the last one
    # (continuation bytes are 10xxxxxx) and drop it if it has fewer bytes than its lead byte says.
    start = len(data) - 1
    while start > len(data) - 4 and start > 0 and data[start] & 0xC0 == 0x80:
        start -= 1
    lead = data[start] if data else 0
    need = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1
    return data[:start] if len(data) - start < need else data


def _declared_charset(data: bytes) -> str | None:
    m = _HTML_CHARSET.search(data[:SNIFF_BYTES])
    return m.group(1).decode("ascii", "replace").lower() if m else None


def _decode(data: bytes, src: str, declared: str | None = None) -> tuple[str | None, str]:
    """Bytes → (text, warning), or (None, reason) for an empty or binary page (see ``_decode_bytes``)."""
    text, problem = _decode_bytes(data, src, declared)
    # isspace() rather than strip(): the same test without copying a page of megabytes
    if text is not None and (not text or text.isspace()):  # e.g. nothing but a byte-order mark
        return None, f"{src}: empty file"
    return text, problem


def _decode_bytes(data: bytes, src: str, declared: str | None) -> tuple[str | None, str]:
    """Bytes → (text, warning) or (None, reason to skip).

    UTF-8 first (with or without BOM); a UTF-16 BOM is honoured.  Bytes that are not UTF-8:
    if the whole page decodes as cp1252 and holds no valid multi-byte UTF-8 at all, it is a
    legacy Windows page and is read as cp1252; otherwise the stray bytes become U+FFFD and the
    warning says how many.
    """
    if not data or data.isspace():  # as ``not data.strip()``, without copying the page
        return None, f"{src}: empty file"
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            return None, f"{src}: binary or damaged UTF-16 data, not text"
    if _looks_binary(data):
        return None, f"{src}: binary file, not text"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    if declared and declared.replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return data.decode(declared), ""
        except (LookupError, UnicodeDecodeError):
            pass
    escaped = data.decode("utf-8", errors="surrogateescape")
    n_bad = len(_ESCAPED_BYTE.findall(escaped))
    has_utf8 = _DECODED_NON_ASCII.search(escaped) is not None
    if not has_utf8:
        try:
            return data.decode("cp1252"), f"{src}: not UTF-8; read as cp1252 (Windows-1252)"
        except UnicodeDecodeError:
            pass
    text = data.decode("utf-8", errors="replace")
    return text, f"{src}: {n_bad} undecodable bytes replaced"


def _looks_binary(data: bytes) -> bool:
    sample = data[:SNIFF_BYTES]
    if b"\0" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > MAX_CONTROL_BYTE_RATIO * len(sample)


# --------------------------------------------------------------------------------------------
# JSON Lines


def _read_jsonl(stream: BinaryIO, src: str, stem: str, *, sniffed: bool = False) -> Iterator[Page | ReadIssue]:
    """One page per line, streamed; a bad line is reported and the next one read.

    ``sniffed``: the file was only guessed to be JSON Lines (``.json``, stdin, an unknown suffix).
    If its first record is not valid JSON it is a pretty-printed JSON document, not JSON Lines:
    one issue for the file instead of one per line.
    """
    n_lines = 0
    n_pages = 0
    first = True
    try:
        for lineno, line in _bounded_lines(stream):
            n_lines += 1
            where = f"{src}:{lineno}"
            if line is None:
                first = False
                yield ReadIssue(where, f"{where}: record larger than {MAX_RECORD_BYTES:,} bytes, skipped", True)
                continue
            if not line.strip():
                continue
            item = _jsonl_record(line, where, stem, lineno)
            if sniffed and first and isinstance(item, ReadIssue) and "not valid JSON" in item.message:
                yield ReadIssue(src, f"{src}: JSON but not JSON Lines (one object per line), skipped", True)
                return
            first = False
            if isinstance(item, Page):
                n_pages += 1
            yield item
    except (OSError, EOFError, zlib.error) as exc:
        yield ReadIssue(src, f"{src}: stopped reading after line {n_lines} ({_os_reason(exc)})", n_pages == 0)
        return
    if first:  # no line with anything on it
        yield ReadIssue(src, f"{src}: empty file", True)


def _bounded_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; ``None`` for a line over ``MAX_RECORD_BYTES`` (consumed in chunks
    so a huge line never sits in memory whole)."""
    lineno = 0
    while True:
        line = stream.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while True:
                chunk = stream.readline(MAX_RECORD_BYTES)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield lineno, None
            continue
        yield lineno, line


def _jsonl_record(line: bytes, where: str, stem: str, lineno: int) -> Page | ReadIssue:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        return ReadIssue(where, f"{where}: not valid JSON ({reason})", True)
    if not isinstance(obj, dict):
        return ReadIssue(where, f"{where}: not a JSON object", True)
    text, html = obj.get("text"), obj.get("html")
    text = text if isinstance(text, str) and text.strip() else ""
    html = html if isinstance(html, str) and html.strip() else None
    if not text and html is None:
        return ReadIssue(where, f"{where}: record has no 'text' or 'html' string", True)
    url = _str_field(obj, "url")
    page = Page(
        id=_record_id(obj.get("id"), url, stem, lineno),
        source=where,
        format="txt" if text else "html",
        text=text,
        html=html,
        url=url,
        title=_str_field(obj, "title"),
        outlet=_str_field(obj, "outlet"),
    )
    published = obj.get("published")
    if published not in (None, ""):
        value = parse_iso_date(published) if isinstance(published, str) else None
        if value is None:
            page.warnings.append(f"{where}: 'published' is not a YYYY-MM-DD date or ISO datetime; ignored")
        else:
            page.published, page.published_source = value, DateSource.METADATA
    if len(text) > MAX_PAGE_BYTES or len(html or "") > MAX_PAGE_BYTES:
        page.text, page.html = text[:MAX_PAGE_BYTES], html[:MAX_PAGE_BYTES] if html else html
        page.warnings.append(f"{where}: larger than {MAX_PAGE_BYTES:,} characters; only the first part was read")
    return page


def _str_field(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_iso_date(value: str) -> date | None:
    """``2017-11-03`` or an ISO datetime (``2017-11-03T08:15:00Z``) → date; anything else → None."""
    value = value.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _record_id(raw_id: object, url: str | None, stem: str, number: int) -> str:
    """The record's own id, else a stable hash of its URL, else ``<file stem>:<number>``."""
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id).strip():
        return str(raw_id).strip()
    if url:
        return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()[:URL_ID_HEX]
    return f"{stem}:{number}"


# --------------------------------------------------------------------------------------------
# WARC


def _iter_warc_stream(stream: BinaryIO, src: str, stem: str) -> Iterator[Page | ReadIssue]:
    """HTML response records, streamed; damage ends the file with an issue, keeping what came before.

    Record sources are ``path@offset``; for a gzipped WARC the offset is into the decompressed stream.
    """
    from warcio.archiveiterator import ArchiveIterator  # import on use: only WARC input needs it

    n_records = 0
    n_pages = 0
    try:
        archive = ArchiveIterator(stream)
        for record in archive:
            n_records += 1
            if record.rec_type != "response":
                continue
            http = record.http_headers
            ctype = (http.get_header("Content-Type") or "") if http is not None else ""
            if "html" not in ctype.lower():
                continue
            content = record.content_stream()
            body = _read_capped(content, MAX_PAGE_BYTES + 1)
            if len(body) > MAX_PAGE_BYTES:
                while content.read(WARC_READ_BLOCK):  # skip the rest, to see if the record is whole
                    pass
            if getattr(record.raw_stream, "limit", 0) > 0:
                # warcio ends a cut-off record quietly: its block is shorter than its Content-Length.
                raise EOFError(f"record {n_records} is cut short")
            # Only after the body: get_record_offset() reads the record to its end.
            where = f"{src}@{archive.get_record_offset()}"
            warnings: list[str] = []
            if len(body) > MAX_PAGE_BYTES:
                body = _cut(body)
                warnings.append(f"{where}: larger than {MAX_PAGE_BYTES:,} bytes; only the first part was read")
            charset = _content_type_charset(ctype) or _declared_charset(body)
            html, problem = _decode(body, where, charset)
            if html is None:
                yield ReadIssue(where, problem, True)
                continue
            if problem:
                warnings.append(problem)
            url = record.rec_headers.get_header("WARC-Target-URI")
            crawled = record.rec_headers.get_header("WARC-Date")
            n_pages += 1
            yield Page(
                id=_record_id(None, url, stem, n_records),  # WARC-Record-ID changes on every crawl
                source=where,
                format="html",
                html=html,
                url=url,
                fetched=parse_iso_date(crawled) if crawled else None,
                warnings=warnings,
            )
    except Exception as exc:  # warcio raises many kinds on damaged input; none may escape
        yield ReadIssue(
            src,
            f"{src}: damaged WARC, stopped after {n_pages} pages ({type(exc).__name__}: {_one_line(exc)})",
            n_pages == 0,
        )
        return
    if n_records == 0:
        yield ReadIssue(src, f"{src}: no WARC records found", True)


def _read_capped(stream: BinaryIO, cap: int) -> bytes:
    """Up to ``cap`` bytes, read in blocks (a large record is never read whole)."""
    parts: list[bytes] = []
    total = 0
    while total < cap:
        block = stream.read(min(WARC_READ_BLOCK, cap - total))
        if not block:
            break
        parts.append(block)
        total += len(block)
    return b"".join(parts)


def _content_type_charset(ctype: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", ctype, re.I)
    return m.group(1).lower() if m else None


# --------------------------------------------------------------------------------------------
# small helpers


def _unique_id(page_id: str, seen: dict[str, int]) -> str:
    n = seen.get(page_id, 0) + 1
    seen[page_id] = n
    if n == 1:
        return page_id
    new = f"{page_id}~{n}"
    while new in seen:  # an input that really is called "x~2"
        n += 1
        new = f"{page_id}~{n}"
    seen[page_id] = n
    seen[new] = 1
    return new


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return _one_line(exc) or type(exc).__name__


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


class _Gunzip(io.RawIOBase):
    """A gzip stream that ends, instead of raising, where the data is damaged or cut short, and
    remembers why in ``damage`` — so everything before the damage is still read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._pos = 0
        self.damage = ""

    def stream(self) -> BinaryIO:
        return io.BufferedReader(self, buffer_size=WARC_READ_BLOCK)  # type: ignore[return-value]

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.damage:
            return 0
        try:
            # read1: at most one decompressed block, so a cut at the end loses nothing before it.
            data = self._gz.read1(len(buffer))
        except (OSError, EOFError, zlib.error) as exc:
            self.damage = _os_reason(exc)
            return 0
        n = len(data)
        buffer[:n] = data
        self._pos += n
        return n


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read for sniffing: serves them again, then the rest.
    (Standard input cannot seek back.)"""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest
        self._pos = 0

    @classmethod
    def wrap(cls, head: bytes, rest: BinaryIO) -> BinaryIO:
        return io.BufferedReader(cls(head, rest))  # type: ignore[return-value]

    def readable(self) -> bool:
        return True

    def tell(self) -> int:  # warcio asks for record offsets
        return self._pos


    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._rest.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self._pos += n
        return n

