"""Copying the WAL into the store file, so that little is ever only in the -wal.

A -wal file that is deleted or truncated (a backup tool, a sync client, a careless `rm`) loses every change
it holds that has not been checkpointed. SQLite checkpoints on its own only every ~1000 pages, so a burst of
triage could live in the WAL alone for hours while the TUI is open. kb checkpoints after triage instead.
"""

from __future__ import annotations

from kb.store.db import Database


def checkpoint(db: Database) -> bool:
    """Copy what the WAL holds into the store file without waiting for readers (PASSIVE).

    True when every frame was copied; False when a reader's snapshot kept some back (the next one copies them)
    or when the store is opened read-only.
    """
    if db.read_only:
        return False

    def run() -> bool:
        row = db.pragma("PRAGMA wal_checkpoint(PASSIVE)")
        busy, logged, copied = (int(value) for value in row) if row else (1, 0, -1)
        return busy == 0 and logged == copied

    return db._guarded(run)  # busy retries and readable errors, as for every store call
