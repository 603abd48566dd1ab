"""What the background reports, turned into signals for the screens or notifications for the person.

The app's base class: the store watch, note sync and index work, triage confirmations, fetch progress.
Background threads only ever post messages; the handlers here run on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel

from kb.errors import KbError
from kb.tui.config_watch import ConfigWatch
from kb.tui.fetching import FetchService, outcome_line
from kb.tui.triage import Triage
from kb.tui.watch import MARGIN, StoreWatch

if TYPE_CHECKING:
    from textual.signal import Signal
    from textual.timer import Timer

    from kb.library import Library
    from kb.models import Item
    from kb.tui.background import Background
    from kb.tui.watch import StoreWatch as Watch

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


class BackgroundWiring(App[None]):
    """The app's handlers for background work (KbApp builds the parts they use)."""

    library: Library
    background: Background
    triage: Triage
    fetcher: FetchService
    config_watch: ConfigWatch
    store_watch: Watch
    item_changed: Signal[Item]
    store_changed: Signal[StoreWatch.Changed]
    notes_changed: Signal[list[str]]
    fetch_events: Signal[Any]
    _index_timer: Timer | None

    # --- store, notes and index in the background ---------------------------------------------------

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def check_store(self) -> None:
        """Look for items another process stored (a cron fetch)."""
        change = self.store_watch.check()
        if change is not None:
            self.post_message(change)

    def on_store_watch_changed(self, message: StoreWatch.Changed) -> None:
        self.store_changed.publish(message)

    def run_indexed(self, job: Callable[[], T], done: Callable[[T], None], what: str) -> None:
        """Run ``job`` on the index thread (notes and index work), then ``done(result)`` on the event loop.

        A failure becomes one notification naming ``what``; ``done`` is then not called.
        """

        def run() -> None:
            try:
                result = job()
            except KbError as error:
                self.post_message(Problem(str(error)))
            except Exception as error:  # a bug or an OS error must not end the session
                self.post_message(Problem(f"{what}: {type(error).__name__}: {error}"))
            else:
                self.post_message(Done(lambda: done(result)))

        self.background.index(run)

    def on_done(self, message: Done) -> None:
        message.callback()

    def sync_notes(self) -> None:
        """Pick up notes changed on disk (and index them), then tell the screens."""
        self.run_indexed(self.library.sync_notes, self.notes_synced, "notes")

    def notes_synced(self, warnings: list[str]) -> None:
        """Show what was wrong with notes on disk; tell the screens notes may have changed."""
        for warning in warnings[:5]:
            self.notify(warning, severity="warning", markup=False)
        self.notes_changed.publish(warnings)

    def on_triage_stored(self, message: Triage.Stored) -> None:
        self.item_changed.publish(message.item)
        # The index follows once the keys pause for a moment (one commit for a burst of triage).
        if self._index_timer is not None:
            self._index_timer.stop()
        self._index_timer = self.set_timer(INDEX_DELAY, self.triage.flush_index)

    def on_triage_failed(self, message: Triage.Failed) -> None:
        self.notify(message.text, severity="error", markup=False)

    def on_problem(self, message: Problem) -> None:
        self.notify(message.text, severity="error", markup=False)

    # --- fetching -----------------------------------------------------------------------------------

    def reload_config(self, repeat: bool = True) -> bool:
        """Re-read feeds.yaml if it changed; False (and the CLI's one-line message) while it has a mistake.

        ``repeat=False`` (on focus) shows a mistake once, not at every look.
        """
        try:
            self.config_watch.refresh(repeat)
        except KbError as error:
            self.notify(str(error), severity="error", markup=False)
            return False
        return True

    def start_fetch(self, names: Collection[str] | None) -> bool:
        """Fetch in the background (one fetch at a time), with feeds.yaml as it is now; False if none started."""
        if self.fetcher.running:
            self.notify("a fetch is already running", markup=False)
            return False
        return self.reload_config() and self.fetcher.start(names)

    def action_fetch(self) -> None:
        """Fetch every source in the background."""
        if self.start_fetch(None):
            self.notify("fetching every source (5 shows progress)", markup=False)

    def on_fetch_service_started(self, message: FetchService.Started) -> None:
        self.fetch_events.publish(message)

    def on_fetch_service_progress(self, message: FetchService.Progress) -> None:
        self.fetcher.lines.append(outcome_line(message.outcome))
        self.fetch_events.publish(message)

    def on_fetch_service_finished(self, message: FetchService.Finished) -> None:
        self.fetch_events.publish(message)
        if message.report is not None:
            failed = bool(message.report.failed)
            self.notify(message.report.summary(), severity="warning" if failed else "information", markup=False)
            if message.report.index_error:
                self.notify(message.report.index_error, severity="error", markup=False)
        else:
            severity: SeverityLevel = "warning" if message.locked else "error"
            self.notify(message.error or "fetch failed", severity=severity, markup=False)
        # What our own fetch stored is new to the screens now, whatever the watch last saw.
        self.store_changed.publish(StoreWatch.Changed(self.fetcher.started - MARGIN))
