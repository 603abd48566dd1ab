"""Which papers' full texts `kb fetch` should get next, and the failed attempts that make it wait.

A paper is due when the person keeps it (starred, noted, tagged or read, as feeds.yaml's ``fulltext.for``
says), kb holds no text of its current version, and it did not fail recently: a paper with no HTML and a
broken PDF would otherwise be asked for on every run. A failure waits a day, then 2, 4 ... up to 32 days,
and a new version of the paper is tried at once. Part of migration 0008 (``fulltext_attempt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Column, Connection, ForeignKey, String, and_, delete, exists, func, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from kb.models import Kind, Status

from .convert import chunks
from .fulltext import FULLTEXT
from .tables import ItemRow, ItemTag, NotePaper, TriageRow

#: The longest a failed paper waits before kb tries it again.
MAX_WAIT_DAYS = 32


class FullTextAttemptRow(SQLModel, table=True):
    """The last failed attempt at a paper's full text (deleted when one succeeds)."""

    __tablename__ = "fulltext_attempt"

    item_id: str = Field(
        sa_column=Column("item_id", String, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    version: int | None = None  # the version that failed
    tried: datetime
    failures: int  # in a row, for this version
    next_try: datetime = Field(index=True)
    error: str


ATTEMPT = SQLModel.metadata.tables["fulltext_attempt"]

DDL = [
    """
    CREATE TABLE fulltext_attempt (
        item_id VARCHAR NOT NULL,
        version INTEGER,
        tried DATETIME NOT NULL,
        failures INTEGER NOT NULL,
        next_try DATETIME NOT NULL,
        error VARCHAR NOT NULL,
        PRIMARY KEY (item_id),
        FOREIGN KEY (item_id) REFERENCES item (id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX ix_fulltext_attempt_next_try ON fulltext_attempt (next_try)",
]


def create_table(conn: Connection) -> None:
    """Migration 0008's share (kb.store.migrations)."""
    for statement in DDL:
        conn.exec_driver_sql(statement)


def record_failure(conn: Connection, item_id: str, version: int | None, error: str, now: datetime) -> int:
    """Remember that fetching this paper's text failed; returns how many times in a row (for this version)."""
    row = conn.execute(select(ATTEMPT.c.version, ATTEMPT.c.failures).where(ATTEMPT.c.item_id == item_id)).first()
    failures = row.failures + 1 if row is not None and row.version == version else 1
    wait = timedelta(days=min(2 ** (failures - 1), MAX_WAIT_DAYS))
    values = {
        "item_id": item_id,
        "version": version,
        "tried": now,
        "failures": failures,
        "next_try": now + wait,
        "error": error,
    }
    statement = sqlite_insert(ATTEMPT).values(values)
    changing = {name: statement.excluded[name] for name in values if name != "item_id"}
    conn.execute(statement.on_conflict_do_update(index_elements=[ATTEMPT.c.item_id], set_=changing))
    return failures


def forget_failures(conn: Connection, item_ids: Sequence[str]) -> None:
    """These papers' texts were had: their failures no longer hold them back."""
    for part in chunks(list(dict.fromkeys(item_ids))):
        conn.execute(delete(ATTEMPT).where(ATTEMPT.c.item_id.in_(part)))


def due(conn: Connection, wanted: Sequence[str], limit: int, now: datetime) -> list[tuple[str, int | None]]:
    """Up to ``limit`` (paper id, version) whose text is due, most recently kept first.

    ``wanted`` holds the kinds of paper (``starred``, ``noted``, ``tagged``, ``read``) feeds.yaml names.
    """
    item, triage = ItemRow.__table__, TriageRow.__table__  # type: ignore[attr-defined]
    tag, link = ItemTag.__table__, NotePaper.__table__  # type: ignore[attr-defined]
    kept = {
        "starred": triage.c.starred.is_(True),
        "read": triage.c.status == Status.READ.value,
        "tagged": exists().where(tag.c.item_id == item.c.id),
        "noted": exists().where(link.c.paper_id == item.c.id),
    }
    chosen = [kept[name] for name in wanted if name in kept]
    if not chosen or limit <= 0:
        return []
    held = exists().where(
        FULLTEXT.c.item_id == item.c.id,
        or_(item.c.version.is_(None), and_(FULLTEXT.c.version.is_not(None), FULLTEXT.c.version >= item.c.version)),
    )
    waiting = exists().where(
        ATTEMPT.c.item_id == item.c.id, ATTEMPT.c.version.is_(item.c.version), ATTEMPT.c.next_try > now
    )
    latest = func.max(
        func.coalesce(triage.c.starred_changed, ""),
        func.coalesce(triage.c.tags_changed, ""),
        func.coalesce(triage.c.status_changed, ""),
    )
    query = (
        select(item.c.id, item.c.version)
        .select_from(item.outerjoin(triage, triage.c.item_id == item.c.id))
        .where(item.c.kind == Kind.PAPER.value, item.c.has_metadata.is_(True), or_(*chosen), ~held, ~waiting)
        .order_by(latest.desc(), item.c.id)
        .limit(limit)
    )
    return [(row.id, row.version) for row in conn.execute(query)]
