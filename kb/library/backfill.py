"""`kb backfill`: a category's history from arXiv's OAI-PMH, page by page, resumable at any page.

Each page's papers and the harvest's position after it are stored together (kb.store.harvest), then indexed,
so a run killed anywhere resumes at the first page it had not stored. A resumption token lasts until the
next 00:00 UTC: an expired or refused one restarts the window at the last datestamp seen (the records of that
day come again and are merged by arXiv id, so nothing is stored twice), never from the start.

What is kept: records whose first version was submitted in [since, until] (the header's datestamp is only the
last modification) and, for a category, listed in it. Deleted records are counted and skipped: an item kb
already holds stays as it is (the person's notes and triage may refer to it). Papers kb did not have are filed
as history: status skipped with no time of change, so they stay out of the inbox (status new) and out of what
the for-you ranking learns from (kb.library.ranking.cache ignores skips nobody made), yet are searched and
ranked like any other item (`kb list --source backfill --sort foryou`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from kb.errors import KbError, UsageError
from kb.models import HarvestState

if TYPE_CHECKING:
    from kb.fetchers.oai import HarvestSet, OaiError, OaiPage
    from kb.fetchers.oai_client import OaiClient
    from kb.library.core import Library

#: The source name backfilled papers are stored under (`kb list --source backfill`).
SOURCE = "backfill"
#: Restarts after a lost resumption token within one run, before the run gives up (and stays resumable).
MAX_RESTARTS = 3


@dataclass(frozen=True)
class BackfillProgress:
    """Where a run stands after a page, for the terminal."""

    state: HarvestState
    total: int | None  # the records the current pass lists, when arXiv says
    done: int | None  # of those, the records read so far
    eta_seconds: float | None


@dataclass(frozen=True)
class BackfillReport:
    """How a harvest stands after a run (counts are the whole harvest's, across resumed runs)."""

    state: HarvestState
    resumed: bool
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.state.complete

    def as_json(self) -> dict[str, object]:
        """The documented keys of `kb backfill --json`."""
        state = self.state
        return {
            "set": state.set_spec,
            "since": state.since.isoformat(),
            "until": state.until.isoformat() if state.until else None,
            "pages": state.pages,
            "records": state.records,
            "stored": state.stored,
            "new": state.new,
            "deleted": state.deleted,
            "skipped": state.skipped,
            "complete": state.complete,
            "resumed": self.resumed,
        }

    def summary(self) -> str:
        s = self.state
        line = (
            f"backfill {s.set_spec}: {s.stored} papers stored ({s.new} new) from {s.records} records in "
            f"{s.pages} pages; {s.deleted} deleted, {s.skipped} outside the window or category"
        )
        return line + ("" if s.complete else " (incomplete)")


Progress = Callable[[BackfillProgress], None]


def harvest_key(wanted: HarvestSet, since: date, until: date | None) -> str:
    """A harvest's name: the same set and dates continue the same harvest."""
    return f"{wanted.spec}|{since.isoformat()}|{until.isoformat() if until else ''}"


def starting_state(
    library: Library, wanted: HarvestSet | None, since: date | None, until: date | None, resume: bool
) -> tuple[HarvestState, bool]:
    """The harvest to run and whether it continues an unfinished one."""
    store = library._store
    if wanted is None:
        found = store.harvest_state(None)
        if found is None:
            raise UsageError("no unfinished backfill to resume", hint="kb backfill CATEGORY --since YYYY-MM-DD")
        return found, True
    if since is None:
        raise UsageError("kb backfill needs --since YYYY-MM-DD (the first submission day to keep)")
    if until is not None and until < since:
        raise UsageError(f"--until {until} is before --since {since}")
    key = harvest_key(wanted, since, until)
    found = store.harvest_state(key)
    if found is not None and not found.complete:
        return found, True
    if resume:
        raise UsageError(
            f"no unfinished backfill of {wanted.spec} since {since} to resume", hint="run it without --resume"
        )
    if found is not None:  # done before: a new pass catches up with what changed since its last datestamp
        restart = _day(found.last_datestamp) or since
        fresh = HarvestState(key, wanted.spec, wanted.category, since, until, harvest_from=max(restart, since))
        return fresh, False
    return HarvestState(key, wanted.spec, wanted.category, since, until, harvest_from=since), False


def run_backfill(
    library: Library, state: HarvestState, resumed: bool, progress: Progress | None, logger: logging.Logger
) -> BackfillReport:
    """Harvest page after page until the list ends or a page cannot be had; each page stored as it comes."""
    from kb.fetchers import Fetcher
    from kb.fetchers.oai import HarvestSet, OaiError
    from kb.fetchers.oai_client import HarvestFailed

    wanted = HarvestSet(state.set_spec, state.category)
    error: str | None = None
    restarts = 0  # lost tokens this run, each restarting the window at the last datestamp
    with _backfill_lock(library), Fetcher(library.config) as fetcher:
        library._store.save_harvest(state)  # a run killed before its first page is still resumable
        state = library._store.harvest_state(state.key) or state
        clock = _Clock()
        if state.token and state.token_expires and datetime.now(UTC) >= state.token_expires:
            # A token kept from an earlier run died at midnight: asking with it would only earn badResumptionToken.
            # Checked once, here: within a run each token is fresh, and a clock that disagrees with arXiv's must
            # not restart every page.
            state = _restart(state)
        while not state.complete:
            try:
                page = _ask(fetcher.oai, state)
            except HarvestFailed as failed:
                error = failed.message
                break
            if isinstance(page, OaiError):
                if page.code == "badResumptionToken" and state.token and restarts < MAX_RESTARTS:
                    restarts += 1  # counted in the run's log line
                    state = _restart(state)
                    continue
                if page.code == "noRecordsMatch":
                    state = replace(state, token=None, token_expires=None, complete=True)
                    library._store.save_harvest(state)
                    break
                said = f" ({page.message})" if page.message else ""
                error = f"arXiv OAI-PMH refused the request: {page.code}{said}"
                break
            state = _store_page(library, wanted, state, page)
            clock.read(len(page.records))
            if progress:
                progress(_progress(state, page, clock))
    report = BackfillReport(state, resumed, error)
    s = state
    logger.info(
        "backfill set=%s since=%s until=%s pages=%d records=%d stored=%d new=%d deleted=%d skipped=%d complete=%s "
        "resumed=%s token_restarts=%d%s",
        s.set_spec, s.since, s.until or "-", s.pages, s.records, s.stored, s.new, s.deleted, s.skipped,
        s.complete, resumed, restarts, f" error={error!r}" if error else "",
    )  # fmt: skip
    return report


def _ask(client: OaiClient, state: HarvestState) -> OaiPage | OaiError:
    if state.token:
        return client.next_page(state.token)
    return client.first_page(state.set_spec, state.harvest_from)


def _store_page(library: Library, wanted: HarvestSet, state: HarvestState, page: OaiPage) -> HarvestState:
    """Store the page's papers with the position after it (one transaction), then index what changed."""
    from kb.fetchers.oai import keeps

    kept = [r.paper for r in page.records if not r.deleted and r.paper and keeps(r, wanted, state.since, state.until)]
    deleted = sum(1 for record in page.records if record.deleted)
    stamps = [record.datestamp for record in page.records if _day(record.datestamp)]
    latest = max([*stamps, *([state.last_datestamp] if state.last_datestamp else [])], default=None)
    after = replace(
        state,
        token=page.token,
        token_expires=page.expires if page.token else None,
        last_datestamp=latest,
        pages=state.pages + 1,
        records=state.records + len(page.records),
        stored=state.stored + len(kept),
        deleted=state.deleted + deleted,
        skipped=state.skipped + len(page.records) - deleted - len(kept),
        complete=not page.token,
    )
    # The store queues the changed papers for the index in the same transaction (kb.store.pending).
    _report, after = library._store.store_harvest_page([p for p in kept if p is not None], SOURCE, after)
    library.catch_up_index()
    return after


def _restart(state: HarvestState) -> HarvestState:
    """A new pass from the last datestamp seen (records of that day come again; the store merges them)."""
    restart = _day(state.last_datestamp) or state.harvest_from
    return replace(state, token=None, token_expires=None, harvest_from=max(restart, state.since))


def _progress(state: HarvestState, page: OaiPage, clock: _Clock) -> BackfillProgress:
    total = page.complete_size
    done = (page.cursor or 0) + len(page.records) if total is not None else None
    eta = None
    if total is not None and done is not None and clock.rate:
        eta = max(0.0, (total - done) / clock.rate)
    return BackfillProgress(state, total, done, eta)


class _Clock:
    """Records read per second in this run, for the ETA."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.records = 0

    def read(self, records: int) -> None:
        self.records += records

    @property
    def rate(self) -> float | None:
        elapsed = time.monotonic() - self.started
        return self.records / elapsed if elapsed > 0 and self.records else None


def _backfill_lock(library: Library) -> FileLock:
    """One backfill at a time per workspace (an fcntl lock: a killed holder releases it)."""
    lock = FileLock(str(library.workspace.state / "backfill.lock"))
    try:
        lock.acquire(timeout=1)
    except Timeout:
        raise KbError("another kb backfill is running in this workspace", hint="let it finish, then resume") from None
    return lock


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None
