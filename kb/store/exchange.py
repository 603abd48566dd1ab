"""Merging triage state from another workspace (`kb import`): per item and per field, the newer change wins.

Each field (status, star, tags) carries the time it last changed. A record's field replaces the stored one
when its change is newer; a field that never changed (no time) never wins. Equal times with different values
(two machines changing the same field in the same microsecond) are settled by comparing the values, so
merging A into B and B into A end in the same state, and merging the same records twice changes nothing.
When both hold the same value, the newer of the two times is kept (the latest statement of that value).
Tags are one field: the newer set replaces the older one whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from kb.models import Status, normalise_tags

from . import pending
from .convert import as_utc, chunks
from .tables import ITEM_TAG, TRIAGE

V = TypeVar("V", str, bool, tuple[str, ...])


@dataclass(frozen=True)
class TriageRecord:
    """One item's triage state as another workspace holds it."""

    id: str
    status: Status = Status.NEW
    status_changed: datetime | None = None
    starred: bool = False
    starred_changed: datetime | None = None
    tags: tuple[str, ...] = ()
    tags_changed: datetime | None = None


@dataclass(frozen=True)
class TriageMerge:
    """What merging records changed."""

    changed: tuple[str, ...] = ()  # ids whose stored triage changed, in record order
    status: int = 0  # how many statuses were replaced
    starred: int = 0
    tags: int = 0
    missing: tuple[str, ...] = ()  # ids not in the store: nothing merged for them


def wins(theirs: V, theirs_at: datetime | None, ours: V, ours_at: datetime | None) -> bool:
    """True when their value should replace ours: a newer change, or the same time and a larger value."""
    if theirs_at is None or theirs == ours:
        return False
    if ours_at is None:
        return True
    return _newer(theirs_at, ours_at) or (as_utc(theirs_at) == as_utc(ours_at) and theirs > ours)


def _newer(theirs_at: datetime | None, ours_at: datetime | None) -> bool:
    if theirs_at is None:
        return False
    if ours_at is None:
        return True
    theirs_utc, ours_utc = as_utc(theirs_at), as_utc(ours_at)
    assert theirs_utc is not None and ours_utc is not None
    return theirs_utc > ours_utc


def _decide(theirs: V, theirs_at: datetime | None, ours: V, ours_at: datetime | None) -> str | None:
    """ "value" when theirs replaces ours; "time" when the values agree and only their time is newer (kept,
    so later merges compare against the latest statement of that value); None when ours stays."""
    if wins(theirs, theirs_at, ours, ours_at):
        return "value"
    if theirs == ours and _newer(theirs_at, ours_at):
        return "time"
    return None


def merge_triage(conn: Connection, records: Sequence[TriageRecord]) -> TriageMerge:
    """Merge ``records`` into the stored triage (see the module docstring for the rules)."""
    latest: dict[str, TriageRecord] = {}
    for record in records:  # one record per id: a file listing an id twice merges both, in order
        kept = latest.get(record.id)
        latest[record.id] = record if kept is None else _merged(kept, record)
    stored = _load(conn, list(latest))
    rows: dict[str, list[dict[str, Any]]] = {"status": [], "starred": []}
    tag_rows: list[tuple[str, tuple[str, ...] | None, datetime]] = []  # tags None: only the time changes
    changed: list[str] = []
    counts = {"status": 0, "starred": 0, "tags": 0}
    for item_id, theirs in latest.items():
        ours = stored.get(item_id)
        if ours is None:
            continue
        fields: list[tuple[str, Any, datetime | None, Any, datetime | None]] = [
            ("status", theirs.status.value, theirs.status_changed, ours.status.value, ours.status_changed),
            ("starred", theirs.starred, theirs.starred_changed, ours.starred, ours.starred_changed),
            ("tags", normalise_tags(theirs.tags), theirs.tags_changed, ours.tags, ours.tags_changed),
        ]
        touched = False
        for name, value, when, our_value, our_when in fields:
            decision = _decide(value, when, our_value, our_when)
            if decision is None or when is None:
                continue
            at = as_utc(when) or when
            if name == "tags":
                tag_rows.append((item_id, value if decision == "value" else None, at))
            else:
                rows[name].append({"v_id": item_id, "v_value": value, "v_at": at})
            if decision == "value":
                counts[name] += 1
                touched = True
        if touched:
            changed.append(item_id)
    _write_field(conn, "status", rows["status"])
    _write_field(conn, "starred", rows["starred"])
    _write_tags(conn, tag_rows)
    pending.enqueue(conn, changed)  # the index holds status, star and tags
    return TriageMerge(
        changed=tuple(changed),
        status=counts["status"],
        starred=counts["starred"],
        tags=counts["tags"],
        missing=tuple(item_id for item_id in latest if item_id not in stored),
    )


def _merged(first: TriageRecord, second: TriageRecord) -> TriageRecord:
    """Two records of one id folded into one by the same rules."""
    status = (second.status, second.status_changed)
    if _decide(second.status.value, second.status_changed, first.status.value, first.status_changed) is None:
        status = (first.status, first.status_changed)
    starred = (second.starred, second.starred_changed)
    if _decide(second.starred, second.starred_changed, first.starred, first.starred_changed) is None:
        starred = (first.starred, first.starred_changed)
    tags = (normalise_tags(second.tags), second.tags_changed)
    if _decide(tags[0], second.tags_changed, normalise_tags(first.tags), first.tags_changed) is None:
        tags = (normalise_tags(first.tags), first.tags_changed)
    return TriageRecord(first.id, *status, *starred, *tags)


def _load(conn: Connection, ids: list[str]) -> dict[str, TriageRecord]:
    found: dict[str, TriageRecord] = {}
    tags: dict[str, list[str]] = {}
    for part in chunks(ids):
        for item_id, tag in conn.execute(
            select(ITEM_TAG.c.item_id, ITEM_TAG.c.tag).where(ITEM_TAG.c.item_id.in_(part))
        ):
            tags.setdefault(item_id, []).append(tag)
        for row in conn.execute(select(TRIAGE).where(TRIAGE.c.item_id.in_(part))).mappings():
            found[row["item_id"]] = TriageRecord(
                id=row["item_id"],
                status=Status(row["status"]),
                status_changed=row["status_changed"],
                starred=bool(row["starred"]),
                starred_changed=row["starred_changed"],
                tags=normalise_tags(tags.get(row["item_id"], ())),
                tags_changed=row["tags_changed"],
            )
    return found


def _write_field(conn: Connection, name: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    values: dict[str, Any] = {name: bindparam("v_value"), f"{name}_changed": bindparam("v_at")}
    conn.execute(update(TRIAGE).where(TRIAGE.c.item_id == bindparam("v_id")).values(values), rows)


def _write_tags(conn: Connection, rows: list[tuple[str, tuple[str, ...] | None, datetime]]) -> None:
    if not rows:
        return
    for part in chunks([item_id for item_id, tags, _ in rows if tags is not None]):
        conn.execute(delete(ITEM_TAG).where(ITEM_TAG.c.item_id.in_(part)))
    new_tags = [{"item_id": item_id, "tag": tag} for item_id, tags, _ in rows for tag in tags or ()]
    if new_tags:
        conn.execute(insert(ITEM_TAG), new_tags)
    times = [{"v_id": item_id, "v_at": at} for item_id, _, at in rows]
    statement = update(TRIAGE).where(TRIAGE.c.item_id == bindparam("v_id")).values(tags_changed=bindparam("v_at"))
    conn.execute(statement, times)
