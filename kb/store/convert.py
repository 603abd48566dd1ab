"""Small conversions between domain values and what the tables hold: times, JSON lists, id chunks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from kb.errors import UsageError
from kb.models import Kind, Status


def utc_now(now: datetime | None = None) -> datetime:
    """``now`` (or the current time) as an aware UTC datetime."""
    return as_utc(now) or datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime; a naive one is taken to be UTC already.

    SQLModel's datetime columns refuse naive values, store UTC and give back aware UTC datetimes.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def coerce_status(status: Status | str) -> Status:
    """A Status, or a UsageError naming the valid ones."""
    try:
        return Status(status)
    except ValueError:
        valid = ", ".join(s.value for s in Status)
        raise UsageError(f"unknown status {status!r}", hint=f"use one of: {valid}") from None


def coerce_kind(kind: Kind | str) -> Kind:
    """A Kind, or a UsageError naming the valid ones."""
    try:
        return Kind(kind)
    except ValueError:
        valid = ", ".join(k.value for k in Kind)
        raise UsageError(f"unknown kind {kind!r}", hint=f"use one of: {valid}") from None


def dump_list(values: Sequence[str]) -> str:
    """A list of strings as JSON text (ensure_ascii off: the text stays readable in the file)."""
    return json.dumps(list(values), ensure_ascii=False)


def load_list(text: str) -> tuple[str, ...]:
    """The JSON text of ``dump_list`` back as a tuple."""
    return tuple(json.loads(text))


# Under SQLite's limit on bound parameters (32766 since 3.32, 999 before).
CHUNK = 900


def chunks(values: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    """``values`` in slices small enough for an IN (...) list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
