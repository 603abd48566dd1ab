"""`kb doctor`'s store half: check a store file, and copy what can still be read out of a damaged one.

The check is SQLite's own ``PRAGMA integrity_check``. The salvage reads the damaged file table by table and
row by row (a damaged page ends one scan; the scan resumes past it by rowid), writing every row it can read
into a fresh store of the current schema. Rows are copied, never interpreted, so whatever survived is kept
as it was; the damaged file itself is never written (opened read-only).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kb.store.db import disk_trouble, is_disk_trouble
from kb.store.store import Store

#: How far past an unreadable rowid a scan jumps, growing, before it gives a table up.
_JUMPS = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)


@dataclass
class TableSalvage:
    """One table: rows copied, and why a scan stopped early (None: read to the end)."""

    table: str
    copied: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class SalvageReport:
    """What a salvage copied, table by table."""

    tables: list[TableSalvage] = field(default_factory=list)
    unreadable: str | None = None  # the file's schema itself could not be read: nothing was copied

    @property
    def copied(self) -> int:
        return sum(table.copied for table in self.tables)


def integrity_problems(path: Path, limit: int = 20) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong with the store file (empty when it is sound)."""
    try:
        with closing(_open_read_only(path)) as conn:
            rows = conn.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
    except sqlite3.DatabaseError as error:
        if is_disk_trouble(error):  # a full disk is no damage: nothing may be salvaged or moved for it
            raise disk_trouble(path, str(error)) from error
        return [str(error)]
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def salvage(damaged: Path, target: Path) -> SalvageReport:
    """Copy every readable row of ``damaged`` into a new store at ``target`` (which must not exist)."""
    report = SalvageReport()
    try:
        Store.open(target).close()  # the current schema, migrations recorded
    except BaseException:
        for suffix in ("", "-wal", "-shm"):  # a full disk: leave no empty half-made store behind
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    try:
        source_conn = _open_read_only(damaged)
    except sqlite3.DatabaseError as error:
        report.unreadable = str(error)
        return report
    out = sqlite3.connect(str(target), isolation_level=None)
    try:
        out.execute("PRAGMA foreign_keys = OFF")  # rows arrive table by table; a parent may be among the lost
        try:
            tables = _tables(out)
            present = set(_tables(source_conn))
        except sqlite3.DatabaseError as error:
            report.unreadable = str(error)
            return report
        for table in tables:
            if table in present:
                report.tables.append(_copy_table(source_conn, out, table))
    finally:
        out.close()
        source_conn.close()
    return report


def _copy_table(source: sqlite3.Connection, out: sqlite3.Connection, table: str) -> TableSalvage:
    result = TableSalvage(table)
    try:
        wanted = _columns(out, table)
        columns = [column for column in _columns(source, table) if column in wanted]
    except sqlite3.DatabaseError as error:
        result.errors.append(str(error))
        return result
    names = ", ".join(f'"{column}"' for column in columns)
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
    out.execute("BEGIN")
    for row in _readable_rows(source, table, names, result):
        out.execute(insert, row)
        result.copied += 1
    out.execute("COMMIT")
    return result


def _readable_rows(source: sqlite3.Connection, table: str, names: str, result: TableSalvage) -> Iterator[tuple]:
    """Every row of ``table`` that can be read, in rowid order, stepping over damaged pages."""
    after = None
    while True:
        query = f'SELECT rowid, {names} FROM "{table}"' + (" WHERE rowid > ?" if after is not None else "")
        query += " ORDER BY rowid"
        try:
            for row in source.execute(query, () if after is None else (after,)):
                after = row[0]
                yield tuple(row[1:])
            return
        except sqlite3.DatabaseError as error:
            result.errors.append(f"after rowid {after}: {error}")
            resumed = _resume(source, table, after or 0)
            if resumed is None:
                return
            after = resumed


def _resume(source: sqlite3.Connection, table: str, after: int) -> int | None:
    """A rowid past the damage from which a scan can go on, or None when nothing further can be read."""
    for jump in _JUMPS:
        try:
            query = f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1'
            source.execute(query, (after + jump,)).fetchone()
            return after + jump
        except sqlite3.DatabaseError:
            continue
    return None


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [str(row[0]) for row in rows]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _open_read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, isolation_level=None)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails now for a file that is not a database
    return conn
