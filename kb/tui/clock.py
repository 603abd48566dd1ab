"""The app's one source of "now".

Everything in the TUI that asks what time it is (the year that decides ``22 Nov`` or ``Nov 2025``, since when a
fetch or the store watch looks for arrivals, the mute window) asks the app's clock, never ``datetime.now``. The
real app runs on the wall clock; the snapshot tests give the app a fixed clock, so what a screen shows does not
depend on the day the tests run.

The library stamps what it stores (first seen, triaged) with the real time, and the arrival checks compare with
those stamps: a clock far from the real time suits screens drawn as of a day, not tests of arrivals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

#: A source of the current time (timezone-aware, UTC).
Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """The real time now, in UTC."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always answers ``moment`` (for tests, and for screens drawn as of a given day)."""

    def clock() -> datetime:
        return moment

    return clock
