"""A read-only look at the store that loads neither SQLAlchemy nor SQLModel: the fast start of `kb status` and
`kb search`.

Importing the Store (SQLAlchemy, SQLModel, pydantic, kb's table classes) takes 0.4 s, more than the rest of a
short command at a million papers. When nothing must be written first, a read-only command needs a few
answers only: whether the store is at the current schema, whether the index queue is empty, the note cache,
the counts, runs, sources and gaps `kb status` prints. :class:`Peek` gives them from one ``mode=ro``
connection through the same plain-SQL functions the Store runs (kb.store.reads), so the two cannot differ.

:meth:`Peek.open` returns None for a store that must be opened properly (missing, damaged, of another
schema, locked in a way a reader cannot pass): the caller then opens the Store, which migrates and reports.
A read that fails later raises :class:`PeekFailed`, after which the caller does the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import quote

from kb.models import FeedState, FetchRunSummary, Kind, Note, SourceLogEntry, Status

from . import reads

T = TypeVar("T")

#: Every migration's name (kb.store.migrations.MIGRATIONS, held equal by tests/store/test_peek.py): a store that
#: has applied exactly these needs no migration, so it can be read without opening the Store.
MIGRATION_NAMES = (
    "0001_initial_tables",
    "0002_initial_indexes",
    "0003_alerts_and_gaps",
    "0004_item_dated_order",
    "0005_index_pending",
    "0006_judgement_order_indexes",
    "0007_backfill_harvest",
    "0008_fulltext",
    "0009_citations",
)

#: How long a read waits for a lock (WAL readers wait only on a recovery): then the caller opens the Store.
BUSY_TIMEOUT = 2.0


class PeekFailed(Exception):
    """A read-only read failed (the file changed under it, a lock, damage): open the Store instead."""


class StatusReads(Protocol):
    """What `kb status` reads; both the Store and a Peek offer it (kb.library.sources.health and .gaps)."""

    def status_counts(self) -> dict[Kind, dict[Status, int]]: ...
    def note_records(self) -> dict[str, Note]: ...
    def recent_runs(self, limit: int = 10) -> list[FetchRunSummary]: ...
    def feed_states(self) -> dict[str, FeedState]: ...
    def latest_source_logs(self) -> dict[str, SourceLogEntry]: ...
    def source_log(self, source: str | None = None, limit: int = 50) -> list[SourceLogEntry]: ...
    def announcement_days(self, since: date) -> dict[str, dict[date, int]]: ...
    def first_announcement_days(self) -> dict[str, date]: ...
    def repaired(self, keys: Sequence[str]) -> dict[str, datetime]: ...
    def fulltext_usage(self) -> tuple[int, int]: ...


class Peek:
    """The store at ``path`` read through one read-only connection. Build it with :meth:`open`; close it."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    @classmethod
    def open(cls, path: Path) -> Peek | None:
        """The store read-only, or None when it must be opened as the Store (missing, damaged, another schema)."""
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
        except sqlite3.Error:
            return None
        try:
            current = sorted(reads.applied_migrations(db)) == sorted(MIGRATION_NAMES)
        except sqlite3.Error:  # not a database, damaged, no migration table: the Store says what is wrong
            current = False
        if not current:
            db.close()
            return None
        return cls(db)

    def close(self) -> None:
        self._db.close()

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return work(self._db)
        except (sqlite3.Error, ValueError) as error:  # ValueError: a value the Store's own reads would refuse
            raise PeekFailed(str(error)) from error

    # --- what the read-only commands ask (each the Store's method of the same name) ------------------

    def index_backlog_size(self) -> int:
        """How many queued changes wait for the index."""
        return self._read(reads.pending_count)

    def note_records(self) -> dict[str, Note]:
        """Every cached note by path (bodies empty)."""
        return self._read(reads.note_records)

    def author_names(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The authors' names of the stored items among ``ids``, in order."""
        return self._read(lambda db: reads.author_names(db, ids))

    def status_counts(self) -> dict[Kind, dict[Status, int]]:
        return self._read(reads.status_counts)

    def recent_runs(self, limit: int = 10) -> list[FetchRunSummary]:
        return self._read(lambda db: reads.recent_runs(db, limit))

    def feed_states(self) -> dict[str, FeedState]:
        return self._read(reads.feed_states)

    def latest_source_logs(self) -> dict[str, SourceLogEntry]:
        return self._read(reads.latest_source_logs)

    def source_log(self, source: str | None = None, limit: int = 50) -> list[SourceLogEntry]:
        return self._read(lambda db: reads.source_log(db, source, limit))

    def announcement_days(self, since: date) -> dict[str, dict[date, int]]:
        return self._read(lambda db: reads.announcement_days(db, since))

    def first_announcement_days(self) -> dict[str, date]:
        return self._read(reads.first_announcement_days)

    def repaired(self, keys: Sequence[str]) -> dict[str, datetime]:
        return self._read(lambda db: reads.repaired(db, keys))

    def fulltext_usage(self) -> tuple[int, int]:
        return self._read(reads.fulltext_usage)
