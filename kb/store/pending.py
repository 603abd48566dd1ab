"""The search index's queue: every change the index must learn of, written in the transaction that made it.

The index is a cache of the store and notes/. A process can die between committing a change and updating the
index, so the change itself leaves a row here (``doc_id``, ``op``) in the same transaction: either both are
stored or neither. The library empties the queue (kb.library.core.Library.catch_up_index): it reads the rows
up to a position, indexes the current state of those documents, then deletes the rows up to that position.
Rows written meanwhile have higher positions and survive for the next catch-up.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, insert, select

from kb.models import IndexBacklog, note_id

from . import reads
from .convert import chunks
from .db import driver
from .tables import INDEX_PENDING, NOTE_PAPER

UPDATE = "update"
DELETE = "delete"


def enqueue(conn: Connection, ids: Iterable[str], op: str = UPDATE) -> None:
    """Queue ``ids`` (each once) for the index, inside the caller's transaction: one executemany."""
    rows = [{"doc_id": doc_id, "op": op} for doc_id in dict.fromkeys(ids)]
    if rows:
        conn.execute(insert(INDEX_PENDING), rows)


def enqueue_notes_linking(conn: Connection, paper_ids: Iterable[str]) -> None:
    """Queue the notes that link these papers: a note's document carries the titles of the papers it links."""
    wanted = list(dict.fromkeys(paper_ids))
    paths: set[str] = set()
    for part in chunks(wanted):
        paths.update(conn.execute(select(NOTE_PAPER.c.path).where(NOTE_PAPER.c.paper_id.in_(part))).scalars())
    enqueue(conn, (note_id(path) for path in sorted(paths)))


def backlog(conn: Connection, limit: int) -> IndexBacklog:
    """The oldest ``limit`` rows, folded per document (the last operation on an id wins)."""
    rows = conn.execute(
        select(INDEX_PENDING.c.seq, INDEX_PENDING.c.doc_id, INDEX_PENDING.c.op)
        .order_by(INDEX_PENDING.c.seq)
        .limit(max(limit, 1))
    ).all()
    if not rows:
        return IndexBacklog()
    last: dict[str, str] = {}
    for _, doc_id, op in rows:
        last.pop(doc_id, None)  # re-inserted: the dict keeps the order of each id's last operation
        last[doc_id] = op
    return IndexBacklog(
        upto=int(rows[-1][0]),
        updates=tuple(doc_id for doc_id, op in last.items() if op == UPDATE),
        deletes=tuple(doc_id for doc_id, op in last.items() if op == DELETE),
    )


def clear(conn: Connection, upto: int) -> int:
    """Forget the rows at or below ``upto`` (handled); returns how many went."""
    return int(conn.execute(delete(INDEX_PENDING).where(INDEX_PENDING.c.seq <= upto)).rowcount or 0)


def last_position(conn: Connection) -> int:
    """The highest position queued so far (0 when empty): what a rebuild that starts now covers."""
    return int(conn.execute(select(func.coalesce(func.max(INDEX_PENDING.c.seq), 0))).scalar_one())


def count(conn: Connection) -> int:
    """How many rows wait."""
    return reads.pending_count(driver(conn))


def high_water(conn: Connection) -> int:
    """The highest position ever queued (0 before the first): it only grows, even after the rows are cleared.

    Every triage change, fetch batch and note update queues a row, in any process, so a change of this number
    says "the store changed" for the price of one row of ``sqlite_sequence`` (the open TUI polls it).
    """
    row = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'index_pending'").first()
    return int(row[0]) if row is not None else 0
