"""Version and change alerts: a paper the person cares about changed, so it goes back to the inbox.

A paper is watched when it is starred, tagged or linked from a note. When a fetch brings a new arXiv version
of it, or a DOI or journal reference where it had none, its status goes back to new and it carries an alert
saying what changed (``v2 -> v3``, ``now published in Nature 123``). Setting its status again clears it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from kb.models import FetchedItem, Item, Kind, UpsertReport

if TYPE_CHECKING:
    from kb.store import Store

SEPARATOR = "; "
_VERSIONS = re.compile(r"^v(?P<old>\d+) -> v(?P<new>\d+)$")


def describe_change(before: Item, after: Item) -> str | None:
    """What changed between two states of a paper that deserves an alert; None when nothing does."""
    changes = []
    if after.version is not None and before.version is not None and after.version > before.version:
        changes.append(f"v{before.version} -> v{after.version}")
    appeared_ref = after.journal_ref if after.journal_ref and not before.journal_ref else None
    appeared_doi = after.doi if after.doi and not before.doi else None
    if appeared_ref or appeared_doi:
        # The journal reference names the venue; a DOI alone is still news.
        changes.append(f"now published in {appeared_ref or appeared_doi}")
    return SEPARATOR.join(changes) or None


def merge_alerts(pending: str | None, change: str) -> str:
    """The alert after ``change`` when ``pending`` was not yet seen: ``v2 -> v3`` then ``v3 -> v4`` is ``v2 -> v4``."""
    if not pending:
        return change
    parts = pending.split(SEPARATOR)
    for new in change.split(SEPARATOR):
        later = _VERSIONS.match(new)
        earlier = next((i for i, part in enumerate(parts) if _VERSIONS.match(part)), None)
        if later and earlier is not None:
            first = _VERSIONS.match(parts[earlier])
            assert first is not None
            parts[earlier] = f"v{first.group('old')} -> v{later.group('new')}"
        elif new not in parts:
            parts.append(new)
    return SEPARATOR.join(parts)


class AlertWatch:
    """Looks at the watched papers of a batch before it is stored, and alerts on what changed after."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def before(self, items: Sequence[FetchedItem]) -> dict[str, Item]:
        """The stored state of the watched papers among ``items``, by id."""
        ids = [item.id for item in items if item.kind is Kind.PAPER]
        if not ids:
            return {}
        return {item.id: item for item in self.store.watched_items(ids)}

    def after(self, watched: dict[str, Item], report: UpsertReport, now: datetime | None = None) -> list[str]:
        """Alert on the watched papers the batch changed; returns their ids."""
        changed = [item_id for item_id in report.updated if item_id in watched]
        alerts: dict[str, str] = {}
        for after in self.store.get_items(changed):
            change = describe_change(watched[after.id], after)
            if change is not None:
                alerts[after.id] = merge_alerts(after.alert, change)
        if alerts:
            self.store.set_alerts(alerts, now)
        return list(alerts)
