"""Papers' full texts: one row per paper, compressed, with the arXiv version it came from (issue 14).

The text is stored as zlib-compressed JSON of its sections, so the store stays small (a paper's text is 30-150 KB,
a fifth of that compressed) and one read gives back the same ``kb.models.FullText``. ``last_used`` orders
eviction: when the texts pass the configured size, the least recently used go first. Every change queues the
paper for the search index in the same transaction (kb.store.pending), like every other indexed change.
Migration 0008 builds the table; a test checks that it and the model agree.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, ForeignKey, String, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from kb.models import FullText, FullTextInfo, FullTextSource, Section, SectionKind

from . import pending, reads
from .convert import chunks
from .db import driver

_FORMAT = 1  # the JSON layout inside ``body``; a reader meeting a newer one treats the text as absent


class FullTextRow(SQLModel, table=True):
    """One paper's full text (kb.models.FullText), compressed."""

    __tablename__ = "fulltext"

    item_id: str = Field(
        sa_column=Column("item_id", String, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    source: str
    version: int | None = None
    sections: int
    text_bytes: int
    stored_bytes: int
    body: bytes
    fetched: datetime
    last_used: datetime = Field(index=True)


FULLTEXT = SQLModel.metadata.tables["fulltext"]

_DDL = [
    """
    CREATE TABLE fulltext (
        item_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        version INTEGER,
        sections INTEGER NOT NULL,
        text_bytes INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        body BLOB NOT NULL,
        fetched DATETIME NOT NULL,
        last_used DATETIME NOT NULL,
        PRIMARY KEY (item_id),
        FOREIGN KEY (item_id) REFERENCES item (id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX ix_fulltext_last_used ON fulltext (last_used)",
]


def create_table(conn: Connection) -> None:
    """The migration's work (kb.store.migrations)."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)


def encode(text: FullText) -> bytes:
    """The stored form of ``text``'s sections."""
    sections = [[s.heading, s.text, s.kind.value, s.number, s.level] for s in text.sections]
    return zlib.compress(json.dumps({"format": _FORMAT, "sections": sections}).encode(), 6)


def decode(item_id: str, source: str, version: int | None, body: bytes) -> FullText | None:
    """The full text stored as ``body``, or None when it cannot be read (damaged, or written by a newer kb)."""
    try:
        data = json.loads(zlib.decompress(body))
        if data.get("format") != _FORMAT:
            return None
        sections = tuple(
            Section(heading=h, text=t, kind=_kind(k), number=n, level=int(lv)) for h, t, k, n, lv in data["sections"]
        )
        return FullText(item_id=item_id, source=FullTextSource(source), version=version, sections=sections)
    except (zlib.error, ValueError, TypeError, KeyError, AttributeError):
        return None


def _kind(value: str) -> SectionKind:
    try:
        return SectionKind(value)
    except ValueError:
        return SectionKind.OTHER


def save(conn: Connection, text: FullText, now: datetime) -> FullTextInfo:
    """Store ``text`` (replacing any earlier version's) and queue the paper for the index."""
    body = encode(text)
    values: dict[str, Any] = {
        "item_id": text.item_id,
        "source": text.source.value,
        "version": text.version,
        "sections": len(text.sections),
        "text_bytes": text.size,
        "stored_bytes": len(body),
        "body": body,
        "fetched": now,
        "last_used": now,
    }
    statement = sqlite_insert(FULLTEXT).values(values)
    changing = {name: statement.excluded[name] for name in values if name != "item_id"}
    conn.execute(statement.on_conflict_do_update(index_elements=[FULLTEXT.c.item_id], set_=changing))
    pending.enqueue(conn, [text.item_id])
    return _info(values)


def load(conn: Connection, item_ids: Sequence[str]) -> dict[str, FullText]:
    """The full texts of those of ``item_ids`` that have one (unreadable ones left out)."""
    found: dict[str, FullText] = {}
    columns = (FULLTEXT.c.item_id, FULLTEXT.c.source, FULLTEXT.c.version, FULLTEXT.c.body)
    for part in chunks(list(dict.fromkeys(item_ids))):
        for item_id, source, version, body in conn.execute(select(*columns).where(FULLTEXT.c.item_id.in_(part))):
            text = decode(item_id, source, version, body)
            if text is not None:
                found[item_id] = text
    return found


def infos(conn: Connection, item_ids: Sequence[str]) -> dict[str, FullTextInfo]:
    """What the store knows of these papers' full texts, without reading the texts."""
    found: dict[str, FullTextInfo] = {}
    columns = [c for c in FULLTEXT.c if c.name != "body"]
    for part in chunks(list(dict.fromkeys(item_ids))):
        for row in conn.execute(select(*columns).where(FULLTEXT.c.item_id.in_(part))).mappings():
            found[row["item_id"]] = _info(row)
    return found


def touch(conn: Connection, item_ids: Sequence[str], now: datetime) -> None:
    """Mark these texts as used now (read in the reader, printed): eviction keeps them longest."""
    for part in chunks(list(dict.fromkeys(item_ids))):
        conn.execute(update(FULLTEXT).where(FULLTEXT.c.item_id.in_(part)).values(last_used=now))


def usage(conn: Connection) -> tuple[int, int]:
    """How many full texts the store holds and their stored (compressed) size in bytes."""
    return reads.fulltext_usage(driver(conn))


def evict(conn: Connection, max_bytes: int, keep: Sequence[str] = ()) -> list[str]:
    """Delete the least recently used texts until the rest fit in ``max_bytes``; ``keep`` is never evicted.

    Returns the evicted paper ids (queued for the index, which drops their body).
    """
    _, size = usage(conn)
    evicted: list[str] = []
    if size <= max_bytes:
        return evicted
    kept = set(keep)
    rows = conn.execute(
        select(FULLTEXT.c.item_id, FULLTEXT.c.stored_bytes).order_by(FULLTEXT.c.last_used, FULLTEXT.c.item_id)
    ).all()
    for item_id, stored in rows:
        if size <= max_bytes:
            break
        if item_id in kept:
            continue
        evicted.append(item_id)
        size -= int(stored)
    remove(conn, evicted)
    return evicted


def remove(conn: Connection, item_ids: Sequence[str]) -> None:
    """Delete these papers' full texts and queue them for the index."""
    ids = list(dict.fromkeys(item_ids))
    for part in chunks(ids):
        conn.execute(delete(FULLTEXT).where(FULLTEXT.c.item_id.in_(part)))
    pending.enqueue(conn, ids)


def _info(row: Any) -> FullTextInfo:
    return FullTextInfo(
        item_id=row["item_id"],
        source=FullTextSource(row["source"]),
        version=row["version"],
        sections=int(row["sections"]),
        bytes=int(row["text_bytes"]),
        stored_bytes=int(row["stored_bytes"]),
        fetched=row["fetched"],
        last_used=row["last_used"],
    )
