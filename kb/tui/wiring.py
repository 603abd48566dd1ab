"""The app's background work and what it reports, turned into signals for the screens or notifications.

One object per app, held by it (``app.wiring``): the store watch, note sync and index work, triage confirmations,
fetch progress. Background threads only ever post messages to the app; the app's handlers hand them to the
methods here, which run on the event loop. The parts (library, queues, triage, fetcher, signals) are the app's:
this object uses them and declares none of them again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, TypeVar

from textual.message import Message
from textual.notifications import SeverityLevel

from kb.errors import KbError
from kb.tui.fetching import FetchService, outcome_line
from kb.tui.watch import MARGIN, StoreWatch

if TYPE_CHECKING:
    from textual.timer import Timer

    from kb.models import Item
    from kb.tui.app import KbApp

#: Seconds without triage after which the index is told what changed.
INDEX_DELAY = 1.0

T = TypeVar("T")


class Done(Message):
    """Background work finished: run ``callback`` on the event loop."""

    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__()
        self.callback = callback


class Problem(Message):
    """Something off the event loop went wrong: ``text`` is shown as an error notification."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class IndexLost(Message):
    """The search index the library opened has vanished or been damaged since."""


class Wiring:
    """Starts the app's background work and turns what it reports into signals and notifications."""

    def __init__(self, app: KbApp) -> None:
        self.app = app
        self._index_timer: Timer | None = None
        self._started = False
        self._rebuilding = False  # a rebuild of a lost index is queued or running

    def start(self) -> None:
        """Sync notes, then open (or rebuild) the index, off the event loop; once, after the first paint.

        Started after the inbox is drawn: their Python work would otherwise compete with the first paint.
        Notes first: the library syncs them once per session, and must not do it on the event loop.
        """
        if self._started:
            return
        self._started = True
        self.check_store()  # the watch's first look: what later looks compare with
        self.sync_notes()
        self.run_indexed(self.app.library.ensure_index, lambda _none: None, "search index")

    def refocused(self) -> None:
        """Back from another window (an editor, git pull): pick up the notes and feeds.yaml changed meanwhile."""
        if self._started:
            self.sync_notes()
            self.reload_config(repeat=False)

    # --- store, notes and index in the background ---------------------------------------------------

    def check_store(self) -> None:
        """Look, in a thread, for items another process stored (a cron fetch)."""
        self.app.run_worker(self._check_store, thread=True, exclusive=True, group="watch", exit_on_error=False)

    def _check_store(self) -> None:
        change = self.app.store_watch.check()
        if change is not None:
            self.app.post_message(change)
        # Only when no index work or search holds the gate: a poll must never queue up behind a rebuild.
        gate = self.app.background.index_gate
        if not self._rebuilding and gate.acquire(blocking=False):
            try:
                lost = self.app.library.index_lost()
            finally:
                gate.release()
            if lost:
                self.app.post_message(IndexLost())

    def index_lost(self) -> None:
        """The search index vanished (or was damaged) under the open app: say so once, rebuild it in the background.

        The rebuild holds the index gate, so searches started meanwhile wait for it and then answer.
        """
        if self._rebuilding:
            return
        self._rebuilding = True
        self.app.notify(
            "the search index is gone (deleted?): rebuilding it in the background; searches answer when it is done",
            severity="warning",
            markup=False,
        )

        def rebuild() -> None:
            try:
                self.app.library.ensure_index()
            finally:  # failed or not, the next look may try again
                self._rebuilding = False

        self.run_indexed(rebuild, lambda _none: self.app.notify("search index rebuilt", markup=False), "search index")

    def run_indexed(self, job: Callable[[], T], done: Callable[[T], None], what: str) -> None:
        """Run ``job`` on the index thread (notes and index work), then ``done(result)`` on the event loop.

        A failure becomes one notification naming ``what``; ``done`` is then not called.
        """

        def run() -> None:
            try:
                result = job()
            except KbError as error:
                self.app.post_message(Problem(str(error)))
            except Exception as error:  # a bug or an OS error must not end the session
                self.app.post_message(Problem(f"{what}: {type(error).__name__}: {error}"))
            else:
                self.app.post_message(Done(lambda: done(result)))

        self.app.background.index(run)

    def sync_notes(self) -> None:
        """Pick up notes changed on disk (and index them), then tell the screens."""
        self.run_indexed(self.app.library.sync_notes, self.notes_synced, "notes")

    def notes_synced(self, warnings: list[str]) -> None:
        """Show what was wrong with notes on disk; tell the screens notes may have changed."""
        for warning in warnings[:5]:
            self.app.notify(warning, severity="warning", markup=False)
        self.app.notes_changed.publish(warnings)

    def triage_stored(self, item: Item) -> None:
        """The store confirmed a triage: tell the screens; the index follows once the keys pause."""
        self.app.item_changed.publish(item)
        # One index commit for a burst of triage.
        if self._index_timer is not None:
            self._index_timer.stop()
        self._index_timer = self.app.set_timer(INDEX_DELAY, self.app.triage.flush_index)

    # --- fetching -----------------------------------------------------------------------------------

    def reload_config(self, repeat: bool = True) -> bool:
        """Re-read feeds.yaml if it changed; False (and the CLI's one-line message) while it has a mistake.

        ``repeat=False`` (on focus) shows a mistake once, not at every look.
        """
        try:
            self.app.config_watch.refresh(repeat)
        except KbError as error:
            self.app.notify(str(error), severity="error", markup=False)
            return False
        return True

    def start_fetch(self, names: Collection[str] | None) -> bool:
        """Fetch in the background (one fetch at a time), with feeds.yaml as it is now; False if none started."""
        if self.app.fetcher.running:
            self.app.notify("a fetch is already running", markup=False)
            return False
        return self.reload_config() and self.app.fetcher.start(names)

    def fetch_event(self, event: FetchService.Started | FetchService.Progress | FetchService.Finished) -> None:
        """Pass a fetch's progress to the screens; at the end, say how it went."""
        if isinstance(event, FetchService.Progress):
            self.app.fetcher.lines.append(outcome_line(event.outcome))
        self.app.fetch_events.publish(event)
        if isinstance(event, FetchService.Finished):
            self._fetch_finished(event)

    def _fetch_finished(self, message: FetchService.Finished) -> None:
        if message.report is not None:
            failed = bool(message.report.failed)
            self.app.notify(message.report.summary(), severity="warning" if failed else "information", markup=False)
            if message.report.index_error:
                self.app.notify(message.report.index_error, severity="error", markup=False)
        else:
            severity: SeverityLevel = "warning" if message.locked else "error"
            self.app.notify(message.error or "fetch failed", severity=severity, markup=False)
        # What our own fetch stored is new to the screens now, whatever the watch last saw.
        self.app.store_changed.publish(StoreWatch.Changed(self.app.fetcher.started - MARGIN))
