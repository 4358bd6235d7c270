"""Rows and write transactions of the store (``store.Store``): the plain columns an event gets
beside its JSON, ``BEGIN IMMEDIATE`` ... ``COMMIT`` with SQLite errors made ``StoreError``, and
the page batches of ``Store.page_batches`` (several pages per commit).

Hand-written: a few dozen lines over the standard library's sqlite3; kept apart from store.py
so that the store's queries read in one module under ~800 lines.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import date
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any, Literal

from .errors import StoreError
from .model import Event


class Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error; SQLite errors become ``StoreError``."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"{self._path}: cannot write ({exc})") from exc

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> Literal[False]:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as err:
                self._rollback()
                raise StoreError(f"{self._path}: cannot commit ({err})") from err
            return False
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"{self._path}: write failed ({exc})") from exc
        return False

    def _rollback(self) -> None:
        # SQLite may have rolled back already (disk full, I/O error): ROLLBACK would then fail.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")


class PageBatch:
    """The open transaction of :meth:`Store.page_batches`: begun by the first page after a commit,
    committed after ``pages`` pages or once ``seconds`` old (monotonic clock)."""

    def __init__(self, db: sqlite3.Connection, path: Path, pages: int, seconds: float) -> None:
        self._db, self._path = db, path
        self._max_pages, self._max_seconds = pages, seconds
        self._txn: Transaction | None = None
        self._pages = 0
        self._began = 0.0

    def add(self, write: Callable[[], bool]) -> bool:
        """Run ``write`` (one page's inserts) in the batch; returns what it returns."""
        if self._txn is None:
            txn = Transaction(self._db, self._path)
            txn.__enter__()
            self._txn, self._pages, self._began = txn, 0, time.monotonic()
        try:
            added = write()
        except BaseException as exc:
            txn, self._txn = self._txn, None
            txn.__exit__(type(exc), exc, exc.__traceback__)  # rolls the batch back (SQLite errors: StoreError)
            raise
        self._pages += 1
        if self._pages >= self._max_pages or time.monotonic() - self._began >= self._max_seconds:
            self.commit()
        return added

    def commit(self) -> None:
        """Commit the pages added since the last commit, if any."""
        if self._txn is not None:
            txn, self._txn = self._txn, None
            txn.__exit__(None, None, None)


def iso(value: date | None) -> str | None:
    """ISO text of a date, or None."""
    return value.isoformat() if value else None


def json_strings(values: list[str]) -> str:
    """``json.dumps(values)`` for a list of strings: the same text (ASCII-escaped, ", "
    between items) without the encoder set-up ``json.dumps`` does per call."""
    return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]"


def corpus_event_row(ev: Any, data: str) -> tuple:
    """The ``corpus_events`` row of the merged event ``ev`` whose JSON is ``data`` (``ev`` may be
    any object with the fields the columns read: ``event_columns``'s and ``source_documents``)."""
    return (*event_columns(ev), json_strings(ev.source_documents), data)


def event_columns(ev: Event) -> tuple:
    """The plain columns of an event's row (document, ids, day, types, place, point, fatalities)."""
    # One branch per case, no helper calls: this runs for every event stored, twice a run.
    loc = ev.location
    day = ev.event_date.isoformat() if ev.event_date else None
    if loc is not None:
        return (ev.doc_id, ev.event_id, day, ev.event_type, ev.sub_event_type, loc.name, loc.latitude,
                loc.longitude, ev.fatalities)
    place = ev.place
    return (ev.doc_id, ev.event_id, day, ev.event_type, ev.sub_event_type,
            place.name if place is not None else None, None, None, ev.fatalities)
