"""Date values of ``published:`` and ``year:``: a day, month or year, ranges and open bounds.

Every value stands for an interval of time: ``2024`` is all of 2024, ``2024-03`` all of March. A range
``A..B`` runs from the start of A to the end of B; ``>A`` starts after A ends, ``<A`` ends where A starts.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from kb.errors import QueryError

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_FORMS = "use YYYY, YYYY-MM or YYYY-MM-DD, a range A..B, or >A, >=A, <A, <=A"

Interval = tuple[datetime | None, datetime | None]  # [start, end): None is open


def _bounds(text: str, pos: int, field: str) -> tuple[datetime, datetime]:
    """The interval one date stands for."""
    match = _DATE_RE.match(text)
    if not match:
        raise QueryError(f"bad date '{text}' for {field}: at position {pos + 1} ({_FORMS})", pos)
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return _at(year, 1, 1), _at(year + 1, 1, 1)
        if day is None:
            nxt = (year + 1, 1) if month == 12 else (year, month + 1)
            return _at(year, month, 1), _at(*nxt, 1)
        start = _at(year, month, day)
        if start.date() == date.max:
            return start, END_OF_TIME
        return start, datetime.fromordinal(start.toordinal() + 1).replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise QueryError(f"no such date '{text}' for {field}: at position {pos + 1}", pos) from None


#: The end of year 9999, the last a datetime holds (stands for 10000-01-01).
END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _at(year: int, month: int, day: int) -> datetime:
    if (year, month, day) == (10000, 1, 1):
        return END_OF_TIME  # the end of an interval in year 9999
    if year < 1 or year > 9999:
        raise ValueError(year)
    return datetime(year, month, day, tzinfo=UTC)


def parse_interval(text: str, pos: int, field: str = "published") -> Interval:
    """Parse a date value (``2024``, ``2024-01..2024-06``, ``>2025-03-01``, ...) at query offset ``pos``."""
    for op in (">=", "<=", ">", "<"):
        if text.startswith(op):
            start, end = _bounds(text[len(op) :], pos + len(op), field)
            return {">=": (start, None), "<=": (None, end), ">": (end, None), "<": (None, start)}[op]
    if ".." in text:
        left, _, right = text.partition("..")
        low = _bounds(left, pos, field)[0] if left else None
        high = _bounds(right, pos + len(left) + 2, field)[1] if right else None
        if low is None and high is None:
            raise QueryError(f"empty date range for {field}: at position {pos + 1} ({_FORMS})", pos)
        if low is not None and high is not None and low >= high:
            raise QueryError(f"date range for {field}: at position {pos + 1} ends before it starts", pos)
        return low, high
    return _bounds(text, pos, field)


def parse_year(text: str, pos: int) -> str | Interval:
    """``year:2024`` is the exact year (a string); ``year:2020..2022`` and ``year:>2020`` are intervals."""
    if re.fullmatch(r"\d{4}", text):
        _bounds(text, pos, "year")
        return text
    if re.fullmatch(r"(>=|<=|>|<)?\d{4}|\d{4}?\.\.(\d{4})?", text):
        return parse_interval(text, pos, "year")
    raise QueryError(f"bad year '{text}' at position {pos + 1}: use 2024, 2020..2022, >2020 or <2020", pos)
