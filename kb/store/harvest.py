"""Where each `kb backfill` harvest stands: one row per harvest, written with the page it describes.

A page's papers and the harvest's new position are stored in one transaction (``store_page``), so a run
killed at any moment leaves either both or neither: the next run asks again for the first page not stored,
and the store's merge by arXiv id makes a repeated page harmless. Migration 0005 builds the table; a test
checks that it and the model agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from kb.models import FetchedItem, HarvestState, Status, UpsertReport

from . import upsert


class HarvestRow(SQLModel, table=True):
    """One backfill harvest (kb.models.HarvestState)."""

    __tablename__ = "harvest"

    key: str = Field(primary_key=True)
    set_spec: str
    category: str | None = None
    since: str  # YYYY-MM-DD
    until: str | None = None
    harvest_from: str
    token: str | None = None
    token_expires: datetime | None = None
    last_datestamp: str | None = None
    pages: int
    records: int
    stored: int
    new: int
    deleted: int
    skipped: int
    complete: bool
    started: datetime
    updated: datetime


HARVEST = SQLModel.metadata.tables["harvest"]

_DDL = [
    """
    CREATE TABLE harvest (
        "key" VARCHAR NOT NULL,
        set_spec VARCHAR NOT NULL,
        category VARCHAR,
        since VARCHAR NOT NULL,
        until VARCHAR,
        harvest_from VARCHAR NOT NULL,
        token VARCHAR,
        token_expires DATETIME,
        last_datestamp VARCHAR,
        pages INTEGER NOT NULL,
        records INTEGER NOT NULL,
        stored INTEGER NOT NULL,
        new INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        complete BOOLEAN NOT NULL,
        started DATETIME NOT NULL,
        updated DATETIME NOT NULL,
        PRIMARY KEY ("key")
    )
    """
]


def create_table(conn: Connection) -> None:
    """The migration's work (kb.store.migrations)."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)


def load(conn: Connection, key: str | None) -> HarvestState | None:
    """The harvest named ``key``; with None, the most recently advanced unfinished one."""
    statement = select(HARVEST)
    if key is None:
        statement = statement.where(HARVEST.c.complete.is_(False)).order_by(HARVEST.c.updated.desc()).limit(1)
    else:
        statement = statement.where(HARVEST.c.key == key)
    row = conn.execute(statement).mappings().first()
    return None if row is None else _state(row)


def save(conn: Connection, state: HarvestState, now: datetime) -> None:
    values = {
        "key": state.key,
        "set_spec": state.set_spec,
        "category": state.category,
        "since": state.since.isoformat(),
        "until": state.until.isoformat() if state.until else None,
        "harvest_from": state.harvest_from.isoformat(),
        "token": state.token,
        "token_expires": state.token_expires,
        "last_datestamp": state.last_datestamp,
        "pages": state.pages,
        "records": state.records,
        "stored": state.stored,
        "new": state.new,
        "deleted": state.deleted,
        "skipped": state.skipped,
        "complete": state.complete,
        "started": state.started or now,
        "updated": now,
    }
    statement = sqlite_insert(HARVEST).values(values)
    changing = {name: statement.excluded[name] for name in values if name not in ("key", "started")}
    conn.execute(statement.on_conflict_do_update(index_elements=[HARVEST.c.key], set_=changing))


def store_page(
    conn: Connection, items: Sequence[FetchedItem], source: str, state: HarvestState, now: datetime
) -> tuple[UpsertReport, HarvestState]:
    """A page's papers (new ones filed as skipped history) and the harvest's position after it, together.

    ``state`` is the position after the page but for its ``new`` count, which only the upsert knows.
    """
    report = upsert.upsert_items(conn, items, source, now, new_status=Status.SKIPPED) if items else UpsertReport()
    state = replace(state, new=state.new + len(report.new))
    save(conn, state, now)
    return report, state


def _state(row: Any) -> HarvestState:
    return HarvestState(
        key=row["key"],
        set_spec=row["set_spec"],
        category=row["category"],
        since=date.fromisoformat(row["since"]),
        until=date.fromisoformat(row["until"]) if row["until"] else None,
        harvest_from=date.fromisoformat(row["harvest_from"]),
        token=row["token"],
        token_expires=row["token_expires"],
        last_datestamp=row["last_datestamp"],
        pages=row["pages"],
        records=row["records"],
        stored=row["stored"],
        new=row["new"],
        deleted=row["deleted"],
        skipped=row["skipped"],
        complete=bool(row["complete"]),
        started=row["started"],
        updated=row["updated"],
    )
