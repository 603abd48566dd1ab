"""The person's triage state: status, star and tags, each with the time it last changed.

Single edits, so ORM objects through a SQLModel session (the bulk paths live in upsert.py). Setting a value
it already has changes nothing, its timestamp included: the time records a change, not a key press. A change
is queued for the search index in the same transaction (kb.store.pending).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection
from sqlmodel import Session, col, delete, select

from kb.errors import NotFound
from kb.models import Status, TriageChange, normalise_tags

from . import pending
from .tables import ItemTag, TriageRow


def _triage(session: Session, item_id: str) -> TriageRow:
    row = session.get(TriageRow, item_id)
    if row is None:
        raise NotFound(f"no item {item_id} in the store", hint="`kb list` shows the stored ids")
    return row


def apply_change(conn: Connection, item_id: str, change: TriageChange, now: datetime) -> bool:
    """Apply every field ``change`` sets, queue the item for the index if any moved; NotFound if not stored.

    Setting a status (even the same one) clears the item's alert: the person has seen it.
    """
    with Session(bind=conn) as session:
        row = _triage(session, item_id)
        changed = False
        if change.status is not None:
            changed |= _set_status(row, change.status, now)
        if change.starred is not None and row.starred != change.starred:
            row.starred, row.starred_changed, changed = change.starred, now, True
        if change.tags is not None:
            changed |= _set_tags(session, row, change.tags, now)
        session.flush()
    if changed:
        pending.enqueue(conn, [item_id])
    return changed


def _set_status(row: TriageRow, status: Status, now: datetime) -> bool:
    row.alert, row.alert_at = None, None
    if row.status == status.value:
        return False
    row.status, row.status_changed = status.value, now
    return True


def _set_tags(session: Session, row: TriageRow, tags: Sequence[str], now: datetime) -> bool:
    wanted = normalise_tags(tags)
    current = session.exec(select(ItemTag.tag).where(ItemTag.item_id == row.item_id).order_by(ItemTag.tag))
    if tuple(current.all()) == wanted:
        return False
    session.execute(delete(ItemTag).where(col(ItemTag.item_id) == row.item_id))
    session.add_all(ItemTag(item_id=row.item_id, tag=tag) for tag in wanted)
    row.tags_changed = now
    return True
