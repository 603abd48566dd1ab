"""The SQLite connection: pragmas, transactions, retries, and errors a person can read.

Several processes share one store (cron's `kb fetch`, the TUI, a second fetch). WAL lets readers run beside
a writer; every write transaction starts with BEGIN IMMEDIATE so it takes the write lock up front, where the
busy timeout applies. A deferred transaction that reads and then writes can instead fail at once with
"database is locked" when another process wrote in between (SQLite cannot wait for a stale snapshot), so none
are used.
What still comes back locked after the timeout is retried a few times, then reported as one StoreError line.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from kb.errors import StoreError

T = TypeVar("T")

DEFAULT_BUSY_TIMEOUT = 30.0
_RETRIES = 4


def _is_busy(error: BaseException | None) -> bool:
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def is_disk_trouble(error: BaseException | None) -> bool:
    """SQLite's "disk I/O error" and "database or disk is full": the disk, not the file, is the trouble.

    On a full disk SQLite cannot even create the -shm it needs to open a WAL store, and says "disk I/O error".
    """
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL)
    text = str(error).lower()
    return "disk i/o error" in text or "database or disk is full" in text


def disk_trouble(path: Path, detail: str) -> StoreError:
    """One line for a store the disk cannot serve, saying how much room is left (the usual cause)."""
    try:
        free = f"{shutil.disk_usage(path.parent).free / 1e6:.1f} MB free"
    except OSError:
        free = "free space unknown"
    return StoreError(
        f"cannot use the store {path}: {detail} ({free} on its disk)",
        hint="free some disk space and run kb again; nothing stored is lost",
    )


class Database:
    """One SQLite file, its engine, and the transaction helpers every store module goes through."""

    def __init__(self, path: Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, read_only: bool = False) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        #: Opened with mode=ro (a read-only workspace): reads work, a write is one StoreError line.
        self.read_only = read_only
        self.engine = self._create_engine()

    def _create_engine(self) -> Engine:
        if self.read_only:
            # SQLite cannot create the -shm beside a WAL file in a read-only folder; with no -wal left over
            # nothing is pending, so the file is read as immutable (no shared memory needed).
            query = {"mode": "ro", "uri": "true"}
            if not Path(f"{self.path}-wal").exists():
                query["immutable"] = "1"
            url = URL.create("sqlite", database=f"file:{quote(str(self.path))}", query=query)
        else:
            url = URL.create("sqlite", database=str(self.path))
        # check_same_thread off: the TUI reads from worker threads, each with its own pooled connection.
        engine = create_engine(url, connect_args={"timeout": self.busy_timeout, "check_same_thread": False})
        event.listen(engine, "connect", self._on_connect)
        event.listen(engine, "begin", _on_begin)
        return engine

    def _on_connect(self, dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # The driver's own transaction handling would BEGIN DEFERRED behind our back: turn it off and let
        # _on_begin say how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # NORMAL is safe from corruption in WAL mode; only the last commits may be lost on power failure.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    def enable_wal(self) -> None:
        """Switch the file to WAL mode (persistent: recorded in the file)."""

        def switch() -> None:
            # On the driver connection: SQLAlchemy would open a transaction first, and SQLite cannot change
            # the journal mode inside one.
            row = self.pragma("PRAGMA journal_mode = WAL")
            mode = str(row[0]).lower() if row else "unknown"
            if mode != "wal":
                raise StoreError(f"{self.path}: SQLite refused WAL mode (journal mode is {mode})")

        self._guarded(switch)

    def pragma(self, statement: str) -> tuple[Any, ...] | None:
        """Run a PRAGMA on a driver connection, outside any transaction (some PRAGMAs refuse to run inside
        one); its first row."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(statement)
            row = cursor.fetchone()
            cursor.close()
        finally:
            raw.close()
        return tuple(row) if row else None

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction (BEGIN IMMEDIATE), retried whole if the store is busy."""
        return self._guarded(lambda: self._transaction(work, "IMMEDIATE"))

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one read transaction, so everything it reads is one consistent snapshot."""
        return self._guarded(lambda: self._transaction(work, "DEFERRED"))

    def _transaction(self, work: Callable[[Connection], T], mode: str) -> T:
        with self.engine.connect() as conn:
            conn.execution_options(kb_begin=mode)
            with conn.begin():
                return work(conn)

    def _guarded(self, attempt: Callable[[], T]) -> T:
        """Retry what came back busy; turn every database error into one readable StoreError."""
        for tries in range(_RETRIES + 1):
            try:
                return attempt()
            except DBAPIError as error:
                if _is_busy(error.orig) and tries < _RETRIES:
                    time.sleep(0.05 * 2**tries)
                    continue
                raise self._store_error(error) from error
            except sqlite3.Error as error:  # raised by pragmas run on connect, outside SQLAlchemy's wrapping
                if _is_busy(error) and tries < _RETRIES:
                    time.sleep(0.05 * 2**tries)
                    continue
                raise self._store_error(error) from error
        raise AssertionError("unreachable")  # the loop returns or raises

    def _store_error(self, error: BaseException) -> StoreError:
        orig = error.orig if isinstance(error, DBAPIError) else error
        detail = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
        if _is_busy(orig):
            return StoreError(
                f"the store {self.path} stayed locked by another kb process for too long",
                hint="try again when the other fetch or import has finished",
            )
        if "readonly database" in detail or "read-only" in detail:
            return StoreError(
                f"cannot write the store {self.path}: its folder is read-only (or not yours)",
                hint=f"make {self.path.parent} writable by you, e.g. `sudo chown -R $USER {self.path.parent}`",
            )
        if is_disk_trouble(orig):
            return disk_trouble(self.path, detail)
        if "not a database" in detail or "malformed" in detail:
            return StoreError(
                f"{self.path} is not a usable kb store ({detail})",
                hint="run `kb doctor`: it salvages what is readable into a new store, keeping the damaged file",
            )
        return StoreError(f"store {self.path}: {detail}")

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under ``conn``, inside its transaction: kb.store.reads runs its plain SQL on it."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)  # create_engine("sqlite...") uses the stdlib driver
    return raw


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("kb_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")
