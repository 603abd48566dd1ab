"""Change alerts on triage rows, the announcement days seen per arXiv category, and the gaps repaired.

An alert is a short text on a paper's triage row (``v2 -> v3``, ``now published in ...``) set when a paper the
person cares about changes, and cleared when they set its status again. The announcement days and repairs
are what kb.library.sources.gaps works out completeness from. The two tables are defined here, beside the code that
reads and writes them; migration 0003 builds them and a test checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from kb.errors import NotFound
from kb.models import Kind, Status

from . import pending, reads
from .convert import chunks
from .db import driver
from .tables import ITEM, ITEM_TAG, NOTE_PAPER, TRIAGE


class AnnouncementDay(SQLModel, table=True):
    """How many papers of a followed category one day's arXiv announcement (RSS) carried."""

    __tablename__ = "announcement_day"

    category: str = Field(primary_key=True)
    day: date = Field(primary_key=True)  # the announcement's date (RSS pubDate)
    items: int  # 0: a feed fetched that day was empty
    recorded_at: datetime


class GapRepair(SQLModel, table=True):
    """A gap `kb fetch --repair` filled, by the gap's key (kb.library.sources.gaps.Gap.key)."""

    __tablename__ = "gap_repair"

    key: str = Field(primary_key=True)
    source: str
    repaired_at: datetime
    new_items: int


ANNOUNCEMENT_DAY = SQLModel.metadata.tables["announcement_day"]
GAP_REPAIR = SQLModel.metadata.tables["gap_repair"]


# --- alerts ---------------------------------------------------------------------------------------


def watched_ids(conn: Connection, ids: Sequence[str]) -> list[str]:
    """The stored papers among ``ids`` the person cares about: starred, tagged or linked from a note."""
    cared = or_(
        TRIAGE.c.starred.is_(True),
        exists().where(ITEM_TAG.c.item_id == ITEM.c.id),
        exists().where(NOTE_PAPER.c.paper_id == ITEM.c.id),
    )
    found: list[str] = []
    for part in chunks(list(dict.fromkeys(ids))):
        statement = (
            select(ITEM.c.id)
            .join(TRIAGE, TRIAGE.c.item_id == ITEM.c.id)
            .where(ITEM.c.id.in_(part), ITEM.c.kind == Kind.PAPER.value, ITEM.c.has_metadata.is_(True), cared)
        )
        found.extend(conn.execute(statement).scalars())
    return found


def set_alerts(conn: Connection, alerts: Mapping[str, str], now: datetime) -> None:
    """Mark items with what changed and put them back in the inbox (status new); NotFound for an unknown id."""
    statuses: dict[str, str] = {}
    for part in chunks(list(alerts)):
        statement = select(TRIAGE.c.item_id, TRIAGE.c.status).where(TRIAGE.c.item_id.in_(part))
        statuses.update({item_id: status for item_id, status in conn.execute(statement)})
    missing = [item_id for item_id in alerts if item_id not in statuses]
    if missing:
        raise NotFound(f"no item {missing[0]} in the store")
    marked = update(TRIAGE).where(TRIAGE.c.item_id == bindparam("v_id"))
    conn.execute(
        marked.values(alert=bindparam("v_alert"), alert_at=now),
        [{"v_id": item_id, "v_alert": text} for item_id, text in alerts.items()],
    )
    # The status time records a change, so it moves only for the items not already new.
    back = [item_id for item_id, status in statuses.items() if status != Status.NEW.value]
    for part in chunks(back):
        conn.execute(
            update(TRIAGE).where(TRIAGE.c.item_id.in_(part)).values(status=Status.NEW.value, status_changed=now)
        )
    pending.enqueue(conn, back)  # the index holds the status


# --- announcement days ----------------------------------------------------------------------------


def record_announcements(conn: Connection, counts: Mapping[tuple[str, date], int], now: datetime) -> None:
    """Remember per (category, day) how many papers an announcement carried; the largest count seen wins."""
    if not counts:
        return
    rows = [
        {"category": category, "day": day, "items": items, "recorded_at": now}
        for (category, day), items in counts.items()
    ]
    statement = sqlite_insert(ANNOUNCEMENT_DAY)
    statement = statement.on_conflict_do_update(
        index_elements=[ANNOUNCEMENT_DAY.c.category, ANNOUNCEMENT_DAY.c.day],
        set_={
            # An empty feed fetched before the announcement must not hide the papers fetched after it.
            "items": func.max(ANNOUNCEMENT_DAY.c["items"], statement.excluded["items"]),
            "recorded_at": statement.excluded.recorded_at,
        },
    )
    conn.execute(statement, rows)


def announcement_days(conn: Connection, since: date) -> dict[str, dict[date, int]]:
    """Paper counts by category and day, for days on or after ``since`` (kb.store.reads)."""
    return reads.announcement_days(driver(conn), since)


def first_announcement_days(conn: Connection) -> dict[str, date]:
    """The first day recorded for each category: kb cannot have missed anything before it (kb.store.reads)."""
    return reads.first_announcement_days(driver(conn))


# --- repairs --------------------------------------------------------------------------------------


def record_repairs(conn: Connection, keys: Sequence[str], source: str, new_items: int, now: datetime) -> None:
    """Remember that the gaps ``keys`` were repaired (again, if they were before)."""
    if not keys:
        return
    rows = [{"key": key, "source": source, "repaired_at": now, "new_items": new_items} for key in keys]
    statement = sqlite_insert(GAP_REPAIR)
    statement = statement.on_conflict_do_update(
        index_elements=[GAP_REPAIR.c.key],
        set_={name: statement.excluded[name] for name in ("source", "repaired_at", "new_items")},
    )
    conn.execute(statement, rows)


def repaired(conn: Connection, keys: Sequence[str]) -> dict[str, datetime]:
    """When each of ``keys`` was repaired, for those that were (kb.store.reads)."""
    return reads.repaired(driver(conn), keys)
