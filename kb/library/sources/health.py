"""`kb status`: the last runs, each source's health, and the index's; and when a failing source is next due.

A source that keeps failing is not retried at full rate: after ``BACKOFF_AFTER`` failures in a row, a run
skips it until 2, 4, 8 ... hours (at most a day) have passed since it was last tried. Naming it with
`kb fetch --source` always tries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kb.config import Config
from kb.library.serialize import iso, run_json
from kb.models import FeedState, Kind, SourceLogEntry, Status

if TYPE_CHECKING:
    from kb.store import Store
    from kb.store.peek import StatusReads

BACKOFF_AFTER = 3
MAX_BACKOFF = timedelta(hours=24)


@dataclass(frozen=True)
class SourceHealth:
    """How one configured source has been doing."""

    name: str
    last_attempt: datetime | None
    last_success: datetime | None
    failures: int
    last_error: str | None
    incomplete: bool
    next_due: datetime | None  # None: due now
    last: SourceLogEntry | None = None  # the last attempt as the fetch log has it (what it stored, how it went)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "last_attempt": iso(self.last_attempt),
            "last_success": iso(self.last_success),
            "consecutive_failures": self.failures,
            "last_error": self.last_error,
            "incomplete": self.incomplete,
            "next_due": iso(self.next_due),
        }


def retry_delay(failures: int) -> timedelta | None:
    """How long to leave a source alone after ``failures`` failures in a row (None: no pause)."""
    if failures < BACKOFF_AFTER:
        return None
    return min(timedelta(hours=2 ** (failures - BACKOFF_AFTER + 1)), MAX_BACKOFF)


def source_health(store: Store, name: str, state: FeedState | None) -> SourceHealth:
    entries = store.source_log(name, limit=1)
    return _health(name, state, entries[0] if entries else None)


def _health(name: str, state: FeedState | None, last: SourceLogEntry | None) -> SourceHealth:
    attempted = last.when if last else None
    failures = state.failures if state else 0
    delay = retry_delay(failures)
    next_due = attempted + delay if attempted and delay else None
    return SourceHealth(
        name=name,
        last_attempt=attempted,
        last_success=state.last_success if state else None,
        failures=failures,
        last_error=last.error if last and not last.ok and last.error else None,
        incomplete=bool(last and last.ok and not last.complete),
        next_due=next_due if next_due and next_due > datetime.now(UTC) else None,
        last=last,
    )


def all_health(store: StatusReads, config: Config) -> list[SourceHealth]:
    # Two queries whatever the number of sources (one per source took 4 s of `kb status` at 10,000 feeds).
    states = store.feed_states()
    latest = store.latest_source_logs()
    return [_health(name, states.get(name), latest.get(name)) for name in config.source_names()]


def due_sources(store: Store, config: Config) -> tuple[list[str], list[SourceHealth]]:
    """The sources a run should fetch now, and those resting after repeated failures."""
    health = all_health(store, config)
    resting = [source for source in health if source.next_due is not None]
    return [source.name for source in health if source.next_due is None], resting


def status_report(store: StatusReads, config: Config, index_docs: int | None, index_ok: bool) -> dict[str, Any]:
    """Everything `kb status --json` prints."""
    # Indexed counts (kb.store.queries.status_counts): at a million items no item is loaded.
    by_kind = store.status_counts()
    counts = {
        kind.value: {status.value: by_kind[kind][status] for status in Status} for kind in (Kind.PAPER, Kind.POST)
    }
    records = store.note_records()
    notes = len(records)
    cap = config.notes.max_index_kb * 1024
    head_only = sorted(path for path, note in records.items() if note.size > cap)
    expected = sum(sum(by_status.values()) for by_status in counts.values()) + notes
    health = all_health(store, config)
    return {
        "items": counts,
        "notes": notes,
        # Notes over notes.max_index_kb: searchable by their first max_index_kb KB only.
        "notes_indexed_by_head": head_only,
        "runs": [run_json(run) for run in store.recent_runs(5)],
        "sources": [source.as_json() for source in health],
        "failing": [source.name for source in health if source.failures],
        "incomplete": [source.name for source in health if source.incomplete],
        "index": {"documents": index_docs, "expected": expected, "ok": index_ok and index_docs == expected},
    }
