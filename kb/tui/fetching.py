"""Fetching from the TUI: the library's fetch in a thread worker, progress and outcome posted as messages.

Triage goes on meanwhile; the store takes the fetch's writes in short transactions. A cron `kb fetch` holding the
lock makes this one stand down with a notification (FetchLocked), which is the same rule the CLI follows.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from textual.app import App
from textual.message import Message
from textual.worker import Worker, get_current_worker

from kb.errors import FetchLocked, KbError
from kb.library import FetchReport, Library, SourceOutcome
from kb.tui.background import Background
from kb.tui.clock import Clock


class FetchService:
    """Starts fetches (one at a time) and reports on them to the app."""

    class Started(Message):
        """A fetch of ``total`` sources began."""

        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    class Progress(Message):
        """One source is done."""

        def __init__(self, outcome: SourceOutcome, done: int, total: int) -> None:
            super().__init__()
            self.outcome = outcome
            self.done = done
            self.total = total

    class Finished(Message):
        """The fetch ended: ``report`` when it ran, ``error`` (one line) when it did not."""

        def __init__(self, report: FetchReport | None, error: str | None, locked: bool = False) -> None:
            super().__init__()
            self.report = report
            self.error = error
            self.locked = locked

    def __init__(self, app: App[Any], library: Library, background: Background, clock: Clock) -> None:
        self.app = app
        self.clock = clock
        self.library = library
        self.background = background
        self.worker: Worker[None] | None = None
        #: One line per source done in the current or last fetch, for the Sources screen.
        self.lines: list[str] = []
        self.started = clock()

    @property
    def running(self) -> bool:
        return self.worker is not None and not self.worker.is_finished

    def start(self, names: Collection[str] | None = None) -> bool:
        """Start fetching ``names`` (None: every source); False when a fetch is already running."""
        if self.running:
            return False
        self.lines = []
        #: When this fetch began: what it stores was first seen after it.
        self.started = self.clock()
        total = len(names) if names else len(self.library.config.source_names())
        self.app.post_message(self.Started(total))
        self.worker = self.app.run_worker(
            lambda: self._run(names, total),
            name="fetch",
            group="fetch",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        return True

    def _run(self, names: Collection[str] | None, total: int) -> None:
        done = 0
        worker = get_current_worker()

        def progress(outcome: SourceOutcome) -> None:
            nonlocal done
            done += 1
            if not worker.is_cancelled:
                self.app.post_message(self.Progress(outcome, done, max(total, done)))

        try:
            # Open the index first under the gate: the fetch ends by indexing what it stored.
            with self.background.index_gate:
                self.library.ensure_index()
            report = self.library.fetch(names, progress)
        except FetchLocked as error:
            self.app.post_message(self.Finished(None, str(error), locked=True))
        except KbError as error:
            self.app.post_message(self.Finished(None, str(error)))
        except Exception as error:  # a bug or an OS error: one line, never a dead app
            self.app.post_message(self.Finished(None, f"fetch failed: {type(error).__name__}: {error}"))
        else:
            self.app.post_message(self.Finished(report, None))


def outcome_line(outcome: SourceOutcome) -> str:
    """One line about a source's fetch, as the Sources screen lists it."""
    if not outcome.ok:
        return f"{outcome.source}: FAILED {outcome.error or ''}".strip()
    parts = [f"{outcome.new} new", f"{outcome.updated} updated"]
    if outcome.muted:
        parts.append(f"{outcome.muted} muted")
    if outcome.not_modified:
        parts.append("not modified")
    if not outcome.complete:
        parts.append("incomplete")
    return f"{outcome.source}: " + ", ".join(parts)
