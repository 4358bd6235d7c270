"""Store stage: one SQLite file holding every page read, its documents and their events.

* WAL journal, so readers (``frontwatch export``/``report``) never block a running ingest.
* Every page is added in its own transaction, committed at once, or within ``page_batches`` (as
  ``frontwatch run`` stores them) in a batch of a few pages committed together: a run killed
  halfway keeps each page (batch) it finished, and a rerun skips them by content hash
  (``has_page``) and does the uncommitted ones again.
* ``PRAGMA user_version`` is the schema version and ``PRAGMA application_id`` marks the file as
  frontwatch's; a ``meta`` table holds the same facts in readable form plus free key/values.
* Documents and events are stored as JSON of their dataclasses (encoded natively by ``orjson``) and rebuilt
  into typed objects by decoders driven by the model's type hints (``msgspec``'s, or one compiled
  from them; see ``codec.Codec``), so a field added to ``model.py`` is stored without touching this module.  Events also get plain columns (date, type,
  place, coordinates, fatalities) so the file answers SQL queries directly.

Hand-written because no library maps these dataclasses to SQLite without an ORM's weight; the
mapping is a hundred lines over the standard library, orjson and msgspec.  The rows' plain columns and
the write transactions (one page, or a batch of pages, per commit) are in ``storerows``.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import msgspec
import orjson

from .codec import ORJSON_OPTIONS, Codec
from .errors import StoreError
from .model import Document, Event, Evidence
from .storerows import PageBatch, Transaction, corpus_event_row, event_columns, iso

SCHEMA_VERSION = 1
# "FWTC" — marks the file as a frontwatch database for `file(1)` and for us.
APPLICATION_ID = 0x46575443
# Seconds to wait for another process's write lock before giving up with a clear error.
LOCK_TIMEOUT_S = 30.0
# Inside Store.page_batches, pages are committed PAGE_BATCH_PAGES at a time, or sooner once the
# open batch is PAGE_BATCH_SECONDS old (slow pages): a commit per page was a third of storing a
# page, and a killed run then loses at most the last batch, which a rerun redoes.
PAGE_BATCH_PAGES = 16
PAGE_BATCH_SECONDS = 0.5

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash TEXT NOT NULL UNIQUE,
    page_id TEXT NOT NULL,
    source TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    page_seq INTEGER NOT NULL REFERENCES pages(seq) ON DELETE CASCADE,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published TEXT,
    outlet TEXT,
    title TEXT,
    url TEXT,
    data TEXT NOT NULL,
    UNIQUE (content_hash, id)
);
CREATE INDEX documents_id ON documents(id);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_seq INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    event_id TEXT,
    event_date TEXT,
    event_type TEXT,
    sub_event_type TEXT,
    location TEXT,
    latitude REAL,
    longitude REAL,
    fatalities INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX events_doc ON events(doc_seq);
CREATE TABLE corpus_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    event_id TEXT,
    event_date TEXT,
    event_type TEXT,
    sub_event_type TEXT,
    location TEXT,
    latitude REAL,
    longitude REAL,
    fatalities INTEGER,
    source_documents TEXT,
    data TEXT NOT NULL
);
"""

# Document fields the corpus stages never read (see ``Store.iter_documents``).
LIGHT_OMITS = frozenset({"sentences", "actors", "numbers", "triggers", "page_text", "segments"})
# Documents per query when streaming the corpus (and keys per ``IN (...)``, under SQLite's
# historical limit of 999 bound variables): large enough that the per-query overhead vanishes,
# small enough that a batch of documents stays a few MB.
READ_BATCH = 100

# Rows of a TEMP table read per query (a few hundred kB of text).
TEMP_PAGE_ROWS = 1000

_EVENT_COLUMNS = (
    "doc_id, event_id, event_date, event_type, sub_event_type, location, latitude, longitude, fatalities"
)


class Store:
    """The SQLite file of one corpus.  Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | Path) -> None:
        """Open ``path``, creating it (and its folder) if missing.

        Raises ``StoreError`` if the file is not a frontwatch database or has a newer schema.
        """
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a database file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we write BEGIN/COMMIT ourselves, one transaction per page (or per batch of pages).
            self._db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open database ({exc})") from exc
        self._codec = Codec()
        # Light reads feed the corpus stages, which use each document and drop it: no interning.
        self._light_codec = Codec(intern=False)
        self._light: set[int] = set()  # seqs of documents iter_documents(light=True) yielded
        self._view_loaders: dict[tuple[type, type], tuple[Any, Any]] = {}  # iter_document_views
        self._scratch = False  # whether the scratch database is attached (scratch_put)
        self._batch: PageBatch | None = None  # open while page_batches() is
        try:
            self._open()
        except sqlite3.OperationalError as exc:  # locked, read-only, disk I/O ...
            self._db.close()
            raise StoreError(f"{self.path}: cannot open database ({exc})") from exc
        except sqlite3.DatabaseError as exc:  # "file is not a database"
            self._db.close()
            raise StoreError(f"{self.path}: not a frontwatch database ({exc})") from exc
        except StoreError:
            self._db.close()
            raise

    def _open(self) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        n_tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if n_tables == 0 and version == 0 and app_id == 0:
            self._create()
        elif app_id != APPLICATION_ID:
            raise StoreError(f"{self.path}: an SQLite database, but not frontwatch's")
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer frontwatch (schema {version}, this one reads "
                f"up to {SCHEMA_VERSION}); upgrade frontwatch or use another --out"
            )
        elif version < SCHEMA_VERSION:
            # No older schema exists yet; when one does, migrations go here.
            raise StoreError(f"{self.path}: schema {version} is too old; rerun into a new --out")
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch to WAL mode (got {mode})")
        # NORMAL is durable against a killed process in WAL mode (only a power cut may lose the
        # last commits), and much faster than FULL with one commit per page.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")

    def _create(self) -> None:
        with self._transaction():
            # Statement by statement: executescript() would commit the open transaction first.
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self._db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [
                    ("application", "frontwatch"),
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("created", datetime.now(UTC).isoformat(timespec="seconds")),
                ],
            )

    # -- context manager ---------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._db is not None:
            self._db.close()
            self._db = None  # type: ignore[assignment]

    def _transaction(self) -> Transaction:
        return Transaction(self._db, self.path)

    # -- pages and documents -----------------------------------------------------------------

    def has_page(self, content_hash: str) -> bool:
        """Whether a page with this content hash is stored already."""
        row = self._db.execute("SELECT 1 FROM pages WHERE content_hash = ?", (content_hash,)).fetchone()
        return row is not None

    def add_page(self, page_id: str, content_hash: str, source: str, documents: list[Document]) -> bool:
        """Store a page and its documents (with their events) in one committed transaction
        (inside :meth:`page_batches`, in the batch's transaction: committed with the batch).

        Returns False, adding nothing, if a page with ``content_hash`` is stored already.  A page
        with no documents is still recorded, so a rerun does not clean it again.  Documents are
        stored with ``content_hash`` set to the page's (that and the id identify them later).
        """
        if self._batch is None:
            with self._transaction():
                return self._add_page(page_id, content_hash, source, documents)
        return self._batch.add(lambda: self._add_page(page_id, content_hash, source, documents))

    @contextmanager
    def page_batches(self, pages: int = PAGE_BATCH_PAGES, seconds: float = PAGE_BATCH_SECONDS) -> Iterator[None]:
        """Within, :meth:`add_page` commits ``pages`` pages at a time, or sooner once the batch
        is ``seconds`` old, and the last batch on leaving (also on an error raised outside
        ``add_page``: its pages are whole).  A page is still all or nothing: an ``add_page`` that
        fails rolls back its whole batch, and a killed process loses the uncommitted pages, which
        are simply not stored (``has_page`` is False: a rerun does them again)."""
        if self._batch is not None:
            raise RuntimeError("page_batches() is already open")
        self._batch = PageBatch(self._db, self.path, pages, seconds)
        try:
            yield
        finally:
            batch, self._batch = self._batch, None
            batch.commit()

    def _add_page(self, page_id: str, content_hash: str, source: str, documents: list[Document]) -> bool:
        cur = self._db.execute(
            "INSERT OR IGNORE INTO pages(content_hash, page_id, source, added) VALUES (?, ?, ?, ?)",
            (content_hash, page_id, source, datetime.now(UTC).isoformat(timespec="seconds")),
        )
        if cur.rowcount == 0:
            return False
        page_seq: int = cur.lastrowid  # type: ignore[assignment]  # (set: a row was inserted)
        for doc in documents:
            self._insert_document(page_seq, content_hash, doc)
        return True

    def _insert_document(self, page_seq: int, content_hash: str, doc: Document) -> None:
        data = self._codec.document_json(doc, content_hash)
        try:
            cur = self._db.execute(
                "INSERT INTO documents(page_seq, id, content_hash, published, outlet, title, url, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (page_seq, doc.id, content_hash, iso(doc.published), doc.outlet, doc.title, doc.url, data),
            )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"{self.path}: document id {doc.id!r} given twice for one page") from exc
        self._insert_events(cur.lastrowid, doc.events)  # type: ignore[arg-type]  # (set: inserted)

    def _insert_events(self, doc_seq: int, events: list[Event]) -> None:
        self._db.executemany(
            f"INSERT INTO events(doc_seq, {_EVENT_COLUMNS}, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_seq, *event_columns(ev), self._codec.event_json(ev)) for ev in events],
        )

    def count_documents(self) -> int:
        """Number of stored documents."""
        return self._db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def count_events(self) -> int:
        """Number of the documents' events (before merging)."""
        return self._db.execute("SELECT count(*) FROM events").fetchone()[0]

    def count_pages(self) -> int:
        """Number of stored pages (including pages that yielded no document)."""
        return self._db.execute("SELECT count(*) FROM pages").fetchone()[0]

    def iter_documents(self, light: bool = False) -> Iterator[Document]:
        """Every stored document, rebuilt with its events, in insertion order.

        ``light=True`` leaves out what only the per-page stages and ``documents.jsonl`` use
        (``LIGHT_OMITS``: sentences, actor/number/trigger mentions, page text and segments): the
        corpus stages (dates, geocoding, merge, control, events.csv, report) need none of it, and
        it is about half of a document's memory.  ``update_documents`` keeps the stored values of
        those fields for documents read light, so writing them back loses nothing.
        """
        for _seq, doc in self.iter_document_rows(light):
            yield doc

    def iter_document_rows(self, light: bool = False, seqs: Iterable[int] | None = None) -> Iterator[tuple[int, Document]]:
        """``(seq, document)`` of every stored document (or of those whose ``seq`` is in
        ``seqs``), in insertion order; see ``iter_documents`` for ``light``.

        Rows are fetched ``READ_BATCH`` documents at a time and no statement stays open between
        batches, so the caller may write documents back (``update_documents``) while iterating:
        the corpus stages stream the corpus through memory this way.
        """
        for rows, only in self._document_batches(seqs):
            for seq, doc, _ in self._rebuild(rows, light, only):
                yield seq, doc

    def iter_document_rows_json(self, light: bool = False) -> Iterator[tuple[int, Document, list[str], list[int]]]:
        """``iter_document_rows`` of every document, with its events' stored JSON and row
        numbers (in the order of ``doc.events``): for a stage that writes events back changed
        in one field (``Codec.event_json_relocated``, ``update_events``) or not at all, and
        reads them again later by number (``scratch_get_events``)."""
        for rows, _ in self._document_batches(None):
            texts: dict[int, list[str]] = {}
            numbers: dict[int, list[int]] = {}
            if rows:
                for doc_seq, seq, data in self._db.execute(
                        "SELECT doc_seq, seq, data FROM events WHERE doc_seq BETWEEN ? AND ? ORDER BY doc_seq, seq",
                        (rows[0][0], rows[-1][0])):
                    if doc_seq in texts:
                        texts[doc_seq].append(data)
                        numbers[doc_seq].append(seq)
                    else:
                        texts[doc_seq] = [data]
                        numbers[doc_seq] = [seq]
            for seq, doc, data in self._rebuild(rows, light, events=texts):
                yield seq, doc, data, numbers.get(seq, [])

    def iter_document_views(self, doc_type: type, event_type: type) -> Iterator[tuple[int, Any]]:
        """``(seq, document)`` of every stored document, in insertion order, decoded into
        ``doc_type`` and its events (appended to its ``events`` list) into ``event_type``:
        dataclasses with a few of ``Document``'s and ``Event``'s fields, for a pass over the
        corpus that reads only those (msgspec skips the other fields' JSON without building
        them; decoding whole events was a fifth of the corpus stages).  Read as
        ``iter_document_rows`` reads."""
        loaders = self._view_loaders.get((doc_type, event_type))
        if loaders is None:
            loaders = self._view_loaders[(doc_type, event_type)] = (
                msgspec.json.Decoder(doc_type).decode, msgspec.json.Decoder(event_type).decode)
        load_doc, load_event = loaders
        for rows, only in self._document_batches(None):
            events = self._event_texts(rows, only)
            for seq, data in rows:
                doc = load_doc(data)
                doc.events.extend(map(load_event, events.get(seq, ())))
                yield seq, doc

    def _document_batches(self, seqs: Iterable[int] | None) -> Iterator[tuple[list[tuple[int, str]], list[int] | None]]:
        """``(seq, data)`` rows of the documents (all, or those in ``seqs``), ``READ_BATCH`` per
        query, with the seqs whose events go with them (None: the range the rows span)."""
        if seqs is not None:
            wanted = sorted(set(seqs))
            for i in range(0, len(wanted), READ_BATCH):
                chunk = wanted[i : i + READ_BATCH]
                marks = ", ".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT seq, data FROM documents WHERE seq IN ({marks}) ORDER BY seq",
                                        chunk).fetchall()
                # The events of these documents only: ``wanted`` may be sparse, and a range
                # from its first to its last would read the events of the whole corpus.
                yield rows, [r[0] for r in rows]
            return
        last = 0
        while True:
            rows = self._db.execute("SELECT seq, data FROM documents WHERE seq > ? ORDER BY seq LIMIT ?",
                                    (last, READ_BATCH)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield rows, None

    def _event_texts(self, rows: list[tuple[int, str]], only: list[int] | None) -> dict[int, list[str]]:
        """The stored events' JSON of the documents of ``rows`` (sorted by seq), by document,
        fetched in one query: the events of the seq range the rows span, or of the seqs
        ``only`` when given."""
        events: dict[int, list[str]] = {}
        if not rows:
            return events
        if only is None:
            query = "SELECT doc_seq, data FROM events WHERE doc_seq BETWEEN ? AND ? ORDER BY doc_seq, seq"
            params: list[int] = [rows[0][0], rows[-1][0]]
        else:
            marks = ", ".join("?" * len(only))
            query = f"SELECT doc_seq, data FROM events WHERE doc_seq IN ({marks}) ORDER BY doc_seq, seq"
            params = only
        for doc_seq, data in self._db.execute(query, params):
            events.setdefault(doc_seq, []).append(data)
        return events

    def _rebuild(self, rows: list[tuple[int, str]], light: bool, only: list[int] | None = None,
                 events: dict[int, list[str]] | None = None) -> Iterator[tuple[int, Document, list[str]]]:
        """Documents of ``rows`` (sorted by seq) with their events (``events``, else read as
        ``_event_texts`` reads them), and the events' JSON."""
        if not rows:
            return
        if events is None:
            events = self._event_texts(rows, only)
        codec = self._light_codec if light else self._codec
        load_event = codec.loader(Event)
        load_doc = codec.loader(Document, LIGHT_OMITS if light else frozenset())
        for seq, data in rows:
            doc = load_doc(data)
            if light:
                self._light.add(seq)
            texts = events.get(seq, [])
            doc.events.extend(map(load_event, texts))
            yield seq, doc, texts

    def replace_events(self, docs: Iterable[tuple[int, list[Event], list[str]]]) -> None:
        """Rewrite the stored events of documents, given as ``(seq, events, their JSON)`` (the
        JSON as ``Codec.event_json`` writes it), all in one transaction: for a stage that changed only
        events (geocoding), so the documents' own JSON is left as it is."""
        docs = list(docs)
        with self._transaction():
            # A document with as many events as it has stored (geocoding adds none) has its
            # rows updated where they are, the i-th event into its i-th row: cheaper than
            # deleting and inserting them (no index entries to remove and add back).
            stored: dict[int, list[int]] = {}
            for i in range(0, len(docs), READ_BATCH):
                chunk = [seq for seq, _, _ in docs[i : i + READ_BATCH]]
                marks = ", ".join("?" * len(chunk))
                for doc_seq, seq in self._db.execute(
                        f"SELECT doc_seq, seq FROM events WHERE doc_seq IN ({marks}) ORDER BY doc_seq, seq", chunk):
                    stored.setdefault(doc_seq, []).append(seq)
            updates: list[tuple] = []
            others: list[tuple[int, list[Event], list[str]]] = []
            for seq, events, data in docs:
                rows = stored.get(seq, ())
                if len(rows) == len(events):
                    updates.extend((*event_columns(ev), d, row) for ev, d, row in zip(events, data, rows, strict=True))
                else:
                    others.append((seq, events, data))
            self._db.executemany(f"UPDATE events SET ({_EVENT_COLUMNS}, data) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                 " WHERE seq = ?", updates)
            self._db.executemany("DELETE FROM events WHERE doc_seq = ?", [(seq,) for seq, _, _ in others])
            self._db.executemany(
                f"INSERT INTO events(doc_seq, {_EVENT_COLUMNS}, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(seq, *event_columns(ev), d) for seq, events, data in others
                 for ev, d in zip(events, data, strict=True)],
            )

    def update_events(self, rows: Iterable[tuple[int, Event, str]]) -> None:
        """Rewrite stored events in place, given as ``(row number, event, its JSON)`` (the row
        numbers from ``iter_document_rows_json``, the JSON as ``Codec.event_json`` writes it),
        in one transaction: for a stage that changed events, neither adding nor removing any
        (geocoding)."""
        with self._transaction():
            self._db.executemany(f"UPDATE events SET ({_EVENT_COLUMNS}, data) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                 " WHERE seq = ?", [(*event_columns(ev), d, row) for row, ev, d in rows])

    def iter_undated_events(self, event_type: type | None = None) -> Iterator[Any]:
        """The stored events of the documents that have no ``event_date`` (those the dates
        stage may date), in storage order; decoded into ``event_type`` (a dataclass with some
        of ``Event``'s fields, see ``iter_document_views``) when given."""
        # Used for their keys and dropped: not interned.
        load = msgspec.json.Decoder(event_type).decode if event_type else self._light_codec.loader(Event)
        for (data,) in self._db.execute("SELECT data FROM events WHERE event_date IS NULL ORDER BY seq"):
            yield load(data)

    def update_documents(self, docs: Iterable[Document], events: bool = True) -> int:
        """Write back documents changed by corpus-level stages (dates, events, locations), matched
        by (content_hash, id), all in one transaction.  Returns how many were found and updated.
        ``events=False``: for documents whose events did not change, which are left as stored
        (``replace_events`` writes back changed events alone)."""
        updated = 0
        with self._transaction():
            for doc in docs:
                row = self._find_document(doc)
                if row is None:
                    continue
                seq, content_hash = row
                data = self._codec.document_json(doc, content_hash)
                if seq in self._light:
                    data = self._keep_omitted(seq, data)
                self._db.execute(
                    "UPDATE documents SET published = ?, outlet = ?, title = ?, url = ?, data = ? WHERE seq = ?",
                    (iso(doc.published), doc.outlet, doc.title, doc.url, data, seq),
                )
                if events:
                    self._db.execute("DELETE FROM events WHERE doc_seq = ?", (seq,))
                    self._insert_events(seq, doc.events)
                updated += 1
        return updated

    def _keep_omitted(self, seq: int, data: str) -> str:
        """``data`` with the stored values of the fields a light read left out."""
        (stored,) = self._db.execute("SELECT data FROM documents WHERE seq = ?", (seq,)).fetchone()
        old = orjson.loads(stored)
        new = orjson.loads(data)
        new.update((k, old[k]) for k in LIGHT_OMITS if k in old)
        return orjson.dumps(new, option=ORJSON_OPTIONS).decode()

    def _find_document(self, doc: Document) -> tuple[int, str] | None:
        if doc.content_hash:
            row = self._db.execute(
                "SELECT seq, content_hash FROM documents WHERE content_hash = ? AND id = ?",
                (doc.content_hash, doc.id),
            ).fetchone()
        else:  # only unambiguous when one stored document has this id
            rows = self._db.execute(
                "SELECT seq, content_hash FROM documents WHERE id = ? LIMIT 2", (doc.id,)
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return (row[0], row[1]) if row else None

    # -- corpus events -----------------------------------------------------------------------

    def replace_corpus_events(self, events: Iterable[Event | tuple]) -> int:
        """Replace the merged, corpus-level events (one transaction), stored in the order given
        (``iter_corpus_events`` gives them back in that order).  ``events`` may be a generator:
        it is written ``READ_BATCH`` events at a time, never held as a whole, and may itself read
        from this store between batches.  An item may also be an event's row as
        :func:`corpus_event_row` makes it, for a caller that has the event's JSON already.
        Returns how many were stored."""
        count = 0
        it = iter(events)
        with self._transaction():
            self._db.execute("DELETE FROM corpus_events")
            while batch := list(itertools.islice(it, READ_BATCH)):
                self._db.executemany(
                    f"INSERT INTO corpus_events({_EVENT_COLUMNS}, source_documents, data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [ev if type(ev) is tuple else corpus_event_row(ev, self._codec.event_json(cast(Event, ev)))
                     for ev in batch],
                )
                count += len(batch)
        return count

    def iter_corpus_events(self) -> Iterator[Event]:
        """The merged events, in the order they were stored."""
        load = self._light_codec.loader(Event)  # see iter_corpus_event_rows
        for (data,) in self._db.execute("SELECT data FROM corpus_events ORDER BY seq"):
            yield load(data)

    def iter_corpus_event_rows(self, skim: bool = False) -> Iterator[tuple[int, Event]]:
        """``(seq, event)`` of the merged events, in the order they were stored (see
        :meth:`corpus_events_by_seq`).

        ``skim=True`` gives :class:`SkimmedEvent`: the quotes of ``evidence_all`` and the spans
        of ``evidence`` but its sentence and place left as raw JSON (``msgspec.Raw``), for a
        pass that only counts an event's quotes and quotes its sentence, such as the exports'
        (whose report reads the events it shows again whole).  Decoding those was half of
        reading the events, and most of the objects freed after."""
        # Not interned: the exports write each event and drop it (the report keeps a few numbers
        # per event and reads its chosen ones again), so sharing strings saved no memory here,
        # and the msgspec decoder is about three times faster (decoding was ~40% of the exports).
        load = msgspec.json.Decoder(SkimmedEvent).decode if skim else self._light_codec.loader(Event)
        # As bytes, which msgspec decodes as they are (no UTF-8 decoding into a string first).
        for seq, data in self._db.execute("SELECT seq, CAST(data AS BLOB) FROM corpus_events ORDER BY seq"):
            yield seq, load(data)

    def corpus_events_by_seq(self, seqs: list[int]) -> list[Event]:
        """The merged events stored as ``seqs`` (from :meth:`iter_corpus_event_rows`), in the
        order given, fetched ``EXPORT_ID_BATCH`` at a time: for an export that keeps a few
        numbers per event it may show and reads the chosen ones again."""
        found: dict[int, bytes] = {}
        wanted = sorted(set(seqs))
        for i in range(0, len(wanted), self.EXPORT_ID_BATCH):
            chunk = wanted[i : i + self.EXPORT_ID_BATCH]
            marks = ", ".join("?" * len(chunk))
            # As bytes, which msgspec decodes as they are (see iter_corpus_event_rows).
            found.update(self._db.execute(f"SELECT seq, CAST(data AS BLOB) FROM corpus_events WHERE seq IN ({marks})",
                                          chunk))
        load = self._light_codec.loader(Event)
        return [load(found[s]) for s in seqs]

    def count_corpus_events(self) -> int:
        """Number of merged events."""
        return self._db.execute("SELECT count(*) FROM corpus_events").fetchone()[0]

    def corpus_events_exceed(self, n: int) -> bool:
        """Whether there are more than ``n`` merged events: reads at most ``n + 1`` rows, where
        ``count_corpus_events`` reads them all (a sizeable walk at 100k pages)."""
        return bool(self._db.execute("SELECT EXISTS(SELECT 1 FROM corpus_events LIMIT 1 OFFSET ?)",
                                     (max(n, 0),)).fetchone()[0])

    # -- scratch space for the corpus stages -------------------------------------------------

    def scratch_put(self, rows: Iterable[tuple[int, int | str, str]]) -> None:
        """Keep ``(key, text, text)`` rows in a scratch database of this connection (a temporary
        file that SQLite deletes when it is detached or the connection closes, never part of
        the database): the corpus stages park each event's record there while they cluster
        compact keys, then fetch them back by key."""
        if not self._scratch:
            # Its own attached file, not a TEMP table: dropping a table walks all its pages
            # (about a second per 10k pages of parked events), detaching a file does not.
            self._db.execute("ATTACH DATABASE '' AS scratch")
            # ``a`` untyped: a text, or the row number of a stored event (scratch_get_events).
            self._db.execute("CREATE TABLE scratch.rows (key INTEGER PRIMARY KEY, a NOT NULL, b TEXT NOT NULL)")
            self._scratch = True
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO scratch.rows(key, a, b) VALUES (?, ?, ?)", rows)

    def scratch_get(self, keys: Iterable[int]) -> dict[int, tuple[str, str]]:
        """The scratch rows of ``keys`` (those found), fetched ``READ_BATCH`` at a time."""
        return self._scratch_rows(keys, "SELECT key, a, b FROM scratch.rows WHERE key IN ({marks})")

    def scratch_get_events(self, keys: Iterable[int]) -> dict[int, tuple[str, str]]:
        """``scratch_get`` of rows kept as ``(key, event row number, text)``: the stored
        event's JSON in place of its number, read from the events table with them.  A stage
        that parks events it has just written back (or left as stored) parks their numbers,
        not a second copy of their JSON."""
        return self._scratch_rows(keys, "SELECT s.key, e.data, s.b FROM scratch.rows AS s"
                                        " JOIN main.events AS e ON e.seq = s.a WHERE s.key IN ({marks})")

    def _scratch_rows(self, keys: Iterable[int], sql: str) -> dict[int, tuple[str, str]]:
        # ``sql`` selects (key, a, b) for the keys in ``{marks}``, a batch of placeholders.
        wanted = sorted(set(keys))
        out: dict[int, tuple[str, str]] = {}
        if not self._scratch:
            return out
        for i in range(0, len(wanted), READ_BATCH):
            chunk = wanted[i : i + READ_BATCH]
            for key, a, b in self._db.execute(sql.format(marks=", ".join("?" * len(chunk))), chunk):
                out[key] = (a, b)
        return out

    def scratch_clear(self) -> None:
        """Drop the scratch rows (and their file)."""
        if self._scratch:
            self._db.execute("DETACH DATABASE scratch")
            self._scratch = False

    # -- control evidence and timeline for the corpus stages (TEMP tables) -------------------

    def control_reset(self) -> None:
        """Drop the control evidence and timeline tables (a new run's start; a timeline read
        from the old ones is gone)."""
        for table in ("control_evidence", "timeline_rows", "timeline"):
            self._db.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def control_put(self, rows: Iterable[tuple[int, str]]) -> None:
        """Keep ``(key, text)`` rows of control evidence in a TEMP table (see ``scratch_put``),
        read back in key order by :meth:`iter_control`; may be called inside another write
        (the corpus events' transaction)."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS control_evidence (key INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        self._temp_write("INSERT OR REPLACE INTO temp.control_evidence(key, data) VALUES (?, ?)", rows)

    def iter_control(self) -> Iterator[str]:
        """The control evidence rows' text, in key order (fetched in batches: the caller may
        write meanwhile)."""
        yield from self._temp_pages("control_evidence")

    def timeline_put(self, rows: Iterable[tuple[str, str, int, str, str, int, str]]) -> None:
        """Keep timeline rows — sort columns ``(place_key, day, kind rank, doc_id, controller,
        position)`` then the row's text — in a TEMP table until :meth:`timeline_seal`."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS timeline_rows (place_key TEXT, day TEXT, kind INTEGER,"
                         " doc_id TEXT, controller TEXT, pos INTEGER, data TEXT NOT NULL)")
        self._temp_write("INSERT INTO temp.timeline_rows VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def timeline_seal(self) -> None:
        """Sort the timeline rows once (SQLite's text order is Python's: UTF-8 bytes sort as code
        points) into the table :meth:`iter_timeline` reads, and drop the control evidence."""
        self._db.execute("DROP TABLE IF EXISTS temp.timeline")
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS timeline_rows (place_key TEXT, day TEXT, kind INTEGER,"
                         " doc_id TEXT, controller TEXT, pos INTEGER, data TEXT NOT NULL)")
        self._db.execute("CREATE TEMP TABLE timeline AS SELECT data FROM temp.timeline_rows"
                         " ORDER BY place_key, day, kind, doc_id, controller, pos")
        self._db.execute("DROP TABLE temp.timeline_rows")
        self._db.execute("DROP TABLE IF EXISTS temp.control_evidence")

    def iter_timeline(self) -> Iterator[str]:
        """The sealed timeline rows' text, in order (fetched in batches)."""
        yield from self._temp_pages("timeline")

    def _temp_write(self, sql: str, rows: Iterable[tuple]) -> None:
        if self._db.in_transaction:  # inside the caller's transaction (a TEMP table needs no lock)
            self._db.executemany(sql, rows)
        else:
            with self._transaction():
                self._db.executemany(sql, rows)

    def _temp_pages(self, table: str) -> Iterator[str]:
        if not self._db.execute("SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = ?",
                                (table,)).fetchone():
            return  # nothing was ever put
        last = -1  # keys start at 0
        while True:
            rows = self._db.execute(f"SELECT rowid, data FROM temp.{table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                    (last, TEMP_PAGE_ROWS)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for _, data in rows:
                yield data

    # -- meta --------------------------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Store a free key/value (run options, last run time ...)."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value stored by ``set_meta``, or ``default``."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    # -- cheap reads for the exports (helper E) ----------------------------------------------

    # Ids per ``IN (...)`` query: under SQLite's historical limit of 999 bound variables.
    EXPORT_ID_BATCH = 500

    def iter_document_fields(self, fields: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Each stored document's top-level JSON ``fields`` (decoded values, no dataclasses;
        a field missing from the stored JSON is None), in insertion order.

        msgspec decodes the stored JSON into a struct of those fields only: the mentions,
        sentences and triggers that make up most of a stored document are skipped in C, never
        turned into Python objects (a third faster than SQLite's ``json_extract`` picking the
        fields out, whose result had to be parsed again).  The row is read as bytes, which
        msgspec takes as they are: no UTF-8 decoding of the whole row into a string.
        """
        names = ["id", *fields]
        wanted = msgspec.defstruct("StoredFields", [(name, Any, None) for name in dict.fromkeys(names)])
        decode = msgspec.json.Decoder(wanted).decode
        as_dict = msgspec.structs.asdict
        for (data,) in self._db.execute("SELECT CAST(data AS BLOB) FROM documents ORDER BY seq"):
            yield as_dict(decode(data))

    def export_texts_clear(self) -> None:
        """Forget the articles' words kept by :meth:`export_texts_put`."""
        self._db.execute("DROP TABLE IF EXISTS temp.export_texts")

    def export_texts_put(self, rows: Iterable[tuple[str, str, str, str | None]]) -> None:
        """Keep ``(id, page_id, text, outlet)`` of documents, in storage order, in a TEMP table
        for :meth:`export_documents_by_id` (the last row of an id wins, as there).  An article
        read again by id from this small row costs a tenth of reading its whole stored row (the
        stored document, ~20 kB of JSON over several overflow pages, for ~2 kB of text)."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS export_texts"
                         " (id TEXT PRIMARY KEY, page_id TEXT NOT NULL, text TEXT NOT NULL, outlet TEXT)")
        self._temp_write("INSERT OR REPLACE INTO temp.export_texts VALUES (?, ?, ?, ?)", rows)

    def export_documents_by_id(self, ids: Iterable[str]) -> dict[str, Document]:
        """:meth:`documents_by_id` from the rows kept by :meth:`export_texts_put` (which must
        hold every stored document: ids not there are not found)."""
        out: dict[str, Document] = {}
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), self.EXPORT_ID_BATCH):
            chunk = ids[i : i + self.EXPORT_ID_BATCH]
            marks = ", ".join("?" * len(chunk))
            for doc_id, page_id, text, outlet in self._db.execute(
                    f"SELECT id, page_id, text, outlet FROM temp.export_texts WHERE id IN ({marks})", chunk):
                out[doc_id] = Document(id=doc_id, page_id=page_id, text=text, outlet=outlet)
        return out

    def documents_by_id(self, ids: Iterable[str]) -> dict[str, Document]:
        """The last stored document of each of ``ids`` (those found), with only ``id``,
        ``page_id``, ``text`` and ``outlet`` filled: an article's words by id for the exports'
        evidence sentences, without decoding whole documents.  Callers batch ``ids``."""
        out: dict[str, Document] = {}
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), self.EXPORT_ID_BATCH):
            chunk = ids[i : i + self.EXPORT_ID_BATCH]
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT json_extract(data, '$.id', '$.page_id', '$.text', '$.outlet') FROM documents"
                f" WHERE id IN ({marks}) ORDER BY seq", chunk)
            for (data,) in rows:
                doc_id, page_id, text, outlet = orjson.loads(data)
                out[doc_id] = Document(id=doc_id, page_id=page_id or "", text=text or "", outlet=outlet)
        return out

    def count_document_ids(self) -> int:
        """Number of distinct document ids among the stored documents."""
        return self._db.execute("SELECT count(DISTINCT id) FROM documents").fetchone()[0]


@dataclass(slots=True)
class SkimmedEvidence(Evidence):
    """An :class:`Evidence` read with only its sentence, place and rule decoded: its trigger,
    actors, date and number spans are their raw JSON (``msgspec.Raw``)."""

    # A default of None, not a factory: msgspec then decodes anything into the Raw.
    trigger: msgspec.Raw = None  # type: ignore[assignment]
    actors: msgspec.Raw = None  # type: ignore[assignment]
    date: msgspec.Raw = None  # type: ignore[assignment]
    number: msgspec.Raw = None  # type: ignore[assignment]


@dataclass(slots=True)
class SkimmedEvent(Event):
    """An :class:`Event` read for the exports' one pass, which quotes its sentence but never
    reads its other spans, its quotes or the fatalities per source: ``evidence`` is a
    :class:`SkimmedEvidence`, and ``evidence_all`` maps each source document to the raw JSON of
    its evidence (``msgspec.Raw``, enough to count them), ``fatalities_by_source`` is raw JSON.
    Fewer objects made and freed per event: decoding was the pass's largest cost.  Only from
    ``Store.iter_corpus_event_rows(skim=True)``."""

    evidence: SkimmedEvidence
    fatalities_by_source: msgspec.Raw = None  # type: ignore[assignment]
    evidence_all: dict[str, msgspec.Raw] = field(default_factory=dict)  # type: ignore[assignment]
