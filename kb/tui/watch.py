"""Noticing what another process (a cron `kb fetch`, `kb add`, `kb read`, another TUI) stored while the TUI is open.

Every few seconds a thread compares a cheap signature of the store: the latest fetch run, how many items there
are, and the store's change count (``Library.change_count``: one row, grown by every triage change, fetch batch
and note update of any process). When it changes, the app tells the screens, which merge the new items in
without moving the cursor and re-read the triage of the rows they hold (a few hundred at most, by id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from textual.message import Message

from kb.library import Library
from kb.models import ItemFilter
from kb.tui.clock import Clock

#: Seconds between two looks at the store.
POLL_SECONDS = 3.0
#: Arrivals are asked for from a little before the last look: clocks of two processes may differ slightly.
MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Signature:
    """What changes when items are added or triaged: the newest fetch run, the item count, the change count."""

    run: tuple[object, ...]
    items: int
    changes: int


def signature(library: Library) -> Signature:
    """The store's signature now (three small queries)."""
    runs = library.recent_runs(1)
    run: tuple[object, ...] = ()
    if runs:
        latest = runs[0]
        run = (latest.run_id, latest.finished, latest.new, latest.updated)
    return Signature(run, library.count_items(ItemFilter()), library.change_count())


class StoreWatch:
    """Remembers the last signature and since when arrivals are to be looked for."""

    class Changed(Message):
        """The store changed: items first seen at or after ``since`` may be new to the screens."""

        def __init__(self, since: datetime) -> None:
            super().__init__()
            self.since = since

    def __init__(self, library: Library, clock: Clock) -> None:
        self.library = library
        self.clock = clock
        self.last: Signature | None = None
        self.since = clock() - MARGIN

    def check(self) -> StoreWatch.Changed | None:
        """Look once (in a thread); the message to post when something changed."""
        now = self.clock()
        current = signature(self.library)
        previous, self.last = self.last, current
        if previous is None or previous == current:
            return None
        since, self.since = self.since, now - MARGIN
        return self.Changed(since)
