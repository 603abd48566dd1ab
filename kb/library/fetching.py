"""`kb fetch`: every source into the store, one at a time under the workspace's fetch lock.

A run stores each source's items as soon as that source is done, so a run killed half way keeps what it had
(and the store's index queue, written with them, tells the next command what to index);
the fetch log records each source's outcome; feed state (ETag, Last-Modified, newest paper seen) advances only
on success, so the next run repairs an incomplete or failed one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from kb.config import Config
from kb.errors import FetchLocked, UsageError
from kb.library.sources.alerts import AlertWatch
from kb.library.sources.gaps import record_announcements
from kb.library.sources.muting import matching_rule
from kb.models import FeedState, SourceKind, SourceResult, Status, UpsertReport
from kb.text import counted

if TYPE_CHECKING:
    from kb.library.fulltext_fetching import FullTextReport
    from kb.store import Store

#: How long a second `kb fetch` waits for the first before standing down.
LOCK_WAIT_SECONDS = 5.0


@dataclass
class SourceOutcome:
    """How one source went, for the summary line and the progress display."""

    source: str
    ok: bool
    new: int
    updated: int
    complete: bool = True
    not_modified: bool = False
    error: str | None = None
    muted: int = 0


@dataclass
class FetchReport:
    """What a whole run did."""

    run_id: int = 0
    outcomes: list[SourceOutcome] = field(default_factory=list)
    changed_ids: set[str] = field(default_factory=set)
    index_error: str | None = None
    resting: list[str] = field(default_factory=list)  # failing again and again: not tried this run
    alerted: list[str] = field(default_factory=list)  # watched papers that changed: back in the inbox
    repaired: list[str] = field(default_factory=list)  # keys of the gaps `kb fetch --repair` filled
    fulltexts: FullTextReport | None = None  # papers' texts fetched after the sources (issue 14)

    @property
    def new(self) -> int:
        return sum(outcome.new for outcome in self.outcomes)

    @property
    def updated(self) -> int:
        return sum(outcome.updated for outcome in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    @property
    def incomplete(self) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if outcome.ok and not outcome.complete]

    def summary(self) -> str:
        """One line: new, updated, failed sources."""
        line = f"{self.new} new, {self.updated} updated from {counted(len(self.outcomes), 'source')}"
        if self.failed:
            line += f"; {len(self.failed)} failed: " + ", ".join(outcome.source for outcome in self.failed)
        if self.incomplete:
            line += f"; {len(self.incomplete)} incomplete: " + ", ".join(o.source for o in self.incomplete)
        if self.resting:
            line += f"; {len(self.resting)} resting after repeated failures: " + ", ".join(self.resting)
        if self.alerted:
            line += f"; {len(self.alerted)} changed papers back in the inbox"
        if self.repaired:
            line += f"; {len(self.repaired)} gaps repaired"
        if self.fulltexts and (self.fulltexts.fetched or self.fulltexts.failed or self.fulltexts.cut):
            line += f"; {self.fulltexts.summary()}"
        return line


Progress = Callable[[SourceOutcome], None]


def fetch_lock(path: str, wait: float = LOCK_WAIT_SECONDS) -> FileLock:
    """Take the workspace's fetch lock, waiting up to ``wait`` seconds; FetchLocked when another run holds it.

    The lock is an fcntl lock, so a killed holder releases it with its process: no stale lock blocks cron.
    """
    lock = FileLock(path)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise FetchLocked("another kb fetch is running in this workspace; this one stands down") from None
    return lock


def check_source_names(config: Config, names: Collection[str] | None) -> None:
    """Reject a --source that feeds.yaml does not define."""
    known = {name.lower() for name in config.source_names()}
    for name in names or ():
        if name.lower() not in known:
            listed = ", ".join(config.source_names()) or "none"
            raise UsageError(f"no source named '{name}' in {config.path}", hint=f"sources: {listed}")


class FetchRun:
    """One run: turns each SourceResult into stored items, fetch-log rows and new feed state."""

    def __init__(
        self,
        store: Store,
        config: Config,
        logger: logging.Logger,
        progress: Progress | None,
        stored: Callable[[FetchReport], None] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.logger = logger
        self.progress = progress
        #: Called after each source is stored (the library catches the index up from the store's queue).
        self.stored = stored
        self.report = FetchReport(run_id=store.start_run())
        self.alerts = AlertWatch(store)

    def on_result(self, result: SourceResult, store_as: str | None = None) -> None:
        """Store one source's result (called in the fetching thread, as each source completes).

        ``store_as`` (repairs) stores the items under that source's name and leaves feed state alone.
        """
        watched = self.alerts.before(result.items)
        stored_as = store_as or result.source
        report = self.store.upsert_items(result.items, stored_as) if result.items else UpsertReport()
        self.report.alerted += self.alerts.after(watched, report)
        muted = self.mute(report)
        self.store.record_source(self.report.run_id, result, report)
        if result.kind is not SourceKind.ARXIV_IDS and store_as is None:
            self.store.save_feed_state(self.next_state(result))
        record_announcements(self.store, self.config, result)
        outcome = SourceOutcome(
            source=result.source,
            ok=result.ok,
            new=len(report.new),
            updated=len(report.updated),
            complete=result.complete,
            not_modified=result.not_modified,
            error=result.error,
            muted=muted,
        )
        self.report.outcomes.append(outcome)
        self.report.changed_ids.update(report.new, report.updated)
        self.log(result, outcome)
        if self.stored and (report.new or report.updated or muted):
            self.stored(self.report)
        if self.progress:
            self.progress(outcome)

    def mute(self, report: UpsertReport) -> int:
        """File new items that match a mute rule as skipped."""
        if not self.config.mute or not report.new:
            return 0
        muted = 0
        for item in self.store.get_items(report.new):
            if matching_rule(item, self.config.mute) is not None:
                # Dated at arrival, so "skipped by a rule" reads as status_changed == first_seen.
                self.store.set_status(item.id, Status.SKIPPED, now=item.first_seen)
                muted += 1
        return muted

    def next_state(self, result: SourceResult) -> FeedState:
        previous = self.store.feed_state(result.source) or FeedState(source=result.source)
        if not result.ok:
            return replace(previous, failures=previous.failures + 1)
        newest = max((item.published for item in result.items if item.published), default=None)
        # An incomplete search must page back as far again next time, so its high-water mark stays put.
        if result.complete and newest and (previous.newest_seen is None or newest > previous.newest_seen):
            previous = replace(previous, newest_seen=newest)
        return replace(
            previous,
            etag=result.etag or (previous.etag if result.not_modified else None),
            last_modified=result.last_modified or (previous.last_modified if result.not_modified else None),
            last_success=datetime.now(UTC),
            failures=0,
        )

    def log(self, result: SourceResult, outcome: SourceOutcome) -> None:
        status = result.http_status if result.http_status is not None else "-"
        if result.ok:
            self.logger.info(
                "source=%r ok http=%s new=%d updated=%d complete=%s not_modified=%s %.2fs",
                result.source,
                status,
                outcome.new,
                outcome.updated,
                result.complete,
                result.not_modified,
                result.duration,
            )
        else:
            self.logger.warning("source=%r FAILED http=%s error=%r", result.source, status, result.error)

    def finish(self) -> FetchReport:
        self.store.finish_run(self.report.run_id)
        self.logger.info("fetch run=%d done: %s", self.report.run_id, self.report.summary())
        return self.report
