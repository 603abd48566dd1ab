"""The person's triage state: status, star and tags, each with the time it last changed.

Single edits, so ORM objects through a SQLModel session (the bulk paths live in upsert.py). Setting a value
it already has changes nothing, its timestamp included: the time records a change, not a key press.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection
from sqlmodel import Session, col, delete, select

from kb.errors import NotFound
from kb.models import Status

from .convert import normalise_tags
from .tables import ItemTag, TriageRow


def _triage(session: Session, item_id: str) -> TriageRow:
    row = session.get(TriageRow, item_id)
    if row is None:
        raise NotFound(f"no item {item_id} in the store", hint="`kb list` shows the stored ids")
    return row


def set_status(conn: Connection, item_id: str, status: Status, now: datetime) -> None:
    """Set an item's status; NotFound if it is not stored."""
    with Session(bind=conn) as session:
        row = _triage(session, item_id)
        if row.status != status.value:
            row.status = status.value
            row.status_changed = now
            session.flush()


def set_starred(conn: Connection, item_id: str, starred: bool, now: datetime) -> None:
    """Star or unstar an item; NotFound if it is not stored."""
    with Session(bind=conn) as session:
        row = _triage(session, item_id)
        if row.starred != starred:
            row.starred = starred
            row.starred_changed = now
            session.flush()


def set_tags(conn: Connection, item_id: str, tags: Sequence[str], now: datetime) -> None:
    """Replace an item's tags with ``tags`` normalised; NotFound if it is not stored."""
    wanted = normalise_tags(tags)
    with Session(bind=conn) as session:
        row = _triage(session, item_id)
        current = session.exec(select(ItemTag.tag).where(ItemTag.item_id == item_id).order_by(ItemTag.tag))
        if tuple(current.all()) == wanted:
            return
        session.execute(delete(ItemTag).where(col(ItemTag.item_id) == item_id))
        session.add_all(ItemTag(item_id=item_id, tag=tag) for tag in wanted)
        row.tags_changed = now
        session.flush()
