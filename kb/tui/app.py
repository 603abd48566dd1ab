"""The kb app: five screens over one library, the global keys, and the signals screens listen to.

Screens do the work; the app's wiring (kb.tui.wiring) starts the background work and turns what the threads
report into those signals or into notifications. This file only puts the pieces together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal

from kb.library import Library
from kb.models import Item
from kb.tui.background import Background
from kb.tui.clock import Clock, wall_clock
from kb.tui.config_watch import ConfigWatch
from kb.tui.fetching import FetchService
from kb.tui.keys import palette_commands
from kb.tui.screens.help import HelpScreen
from kb.tui.screens.inbox import InboxScreen
from kb.tui.screens.items import Navigator
from kb.tui.screens.notes import NotesScreen
from kb.tui.screens.reader import ReaderScreen
from kb.tui.screens.search import SearchScreen
from kb.tui.screens.sources import SourcesScreen
from kb.tui.triage import Triage
from kb.tui.watch import POLL_SECONDS, StoreWatch
from kb.tui.wiring import Done, IndexLost, Problem, Wiring


class KbApp(App[None]):
    """Inbox, reader, search, notes and sources over one workspace's library."""

    CSS_PATH = "kb.tcss"
    TITLE = "kb"
    MODES: ClassVar[dict[str, Any]] = {
        "inbox": InboxScreen,
        "reader": ReaderScreen,
        "search": SearchScreen,
        "notes": NotesScreen,
        "sources": SourcesScreen,
    }
    DEFAULT_MODE = "inbox"
    #: Narrow terminals put the reader below the list, wide ones beside it.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 (declared by App)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('inbox')", "Inbox screen", show=False),
        Binding("2", "switch_mode('reader')", "Reader screen", show=False),
        Binding("3", "switch_mode('search')", "Search screen", show=False),
        Binding("4", "switch_mode('notes')", "Notes screen", show=False),
        Binding("5", "switch_mode('sources')", "Sources screen", show=False),
        Binding("slash", "search", "Search"),
        Binding("f", "fetch", "Fetch all", show=False),
        Binding("question_mark,f1", "help", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, library: Library, poll_seconds: float = POLL_SECONDS, clock: Clock = wall_clock) -> None:
        super().__init__()
        self.library = library
        #: The one source of "now" for every screen and service (tests give a fixed one).
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.background = Background()
        self.triage = Triage(library, self.background, self)
        self.fetcher = FetchService(self, library, self.background, clock)
        self.config_watch = ConfigWatch(library)
        self.store_watch = StoreWatch(library, clock)
        #: The item the reader shows, and the list it came from (for `r`/`x` to move on).
        self.reading: tuple[Item, Navigator | None] | None = None
        #: The full-text section the reader should show first (a followed note link), if any.
        self.reading_section: str | None = None
        #: The note the Notes screen should select when it shows next.
        self.wanted_note: str | None = None
        self.item_changed: Signal[Item] = Signal(self, "item-changed")
        self.store_changed: Signal[StoreWatch.Changed] = Signal(self, "store-changed")
        self.notes_changed: Signal[list[str]] = Signal(self, "notes-changed")
        self.fetch_events: Signal[Any] = Signal(self, "fetch-events")
        #: Starts the background work and turns what it reports into the signals above.
        self.wiring = Wiring(self)

    def on_mount(self) -> None:
        self.set_interval(self.poll_seconds, self.wiring.check_store)
        # The inbox starts the background work once its first page is on screen; this is the fallback.
        self.set_timer(1.0, self.wiring.start)

    def on_app_focus(self, event: events.AppFocus) -> None:
        """Back from another window (an editor, git pull): pick up the notes and feeds.yaml changed meanwhile."""
        self.wiring.refocused()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app; on the way out, finish every queued write (nothing the person did is dropped)."""
        try:
            return super().run(*args, **kwargs)
        finally:
            self.finish_writes()

    def finish_writes(self) -> None:
        """Finish every queued store write, queue the pending index update, give it a few seconds, stop."""
        self.background.close_store()
        self.triage.flush_index()
        if not self.background.close_index():
            self.library.logger.warning("tui: quit before the index caught up; the next kb command catches up")

    async def settle(self) -> None:
        """Wait until queued writes (the index's too) and running workers are done (tests, benchmarks)."""
        await self.background.settle()
        self.triage.flush_index()
        await self.workers.wait_for_complete()
        await self.background.settle()

    # --- moving between screens ---------------------------------------------------------------------

    def open_item(self, item: Item, navigator: Navigator | None, section: str | None = None) -> None:
        """Show ``item`` in the reader (at a full-text ``section``); `r`/`x` there move on through ``navigator``."""
        self.reading = (item, navigator)
        self.reading_section = section
        if isinstance(self.screen, ReaderScreen):
            self.screen.show_reading()
        else:
            self.switch_mode("reader")

    def open_note(self, path: str) -> None:
        """Show the note ``path`` in the Notes screen."""
        self.wanted_note = path
        if self.current_mode == "notes":
            self.notes_changed.publish([])
        else:
            self.switch_mode("notes")

    def action_search(self) -> None:
        """Go to the search screen, in the query box."""
        self.switch_mode("search")
        self.call_after_refresh(lambda: self.screen.query_one("#query").focus())

    def action_help(self) -> None:
        """Every key of this screen (generated from the bindings)."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_fetch(self) -> None:
        """Fetch every source in the background."""
        if self.wiring.start_fetch(None):
            self.notify("fetching every source (5 shows progress)", markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """kb's keys of this screen, then Textual's own commands (theme, screenshot ...), each title once:
        kb's `Keys` and `Quit` stand for Textual's."""
        seen: set[str] = set()
        for command in [*palette_commands(self, screen), *super().get_system_commands(screen)]:
            if command.title.casefold() not in seen:
                seen.add(command.title.casefold())
                yield command

    # --- what the background threads post, handed to the wiring on the event loop -------------------

    def on_done(self, message: Done) -> None:
        message.callback()

    def on_index_lost(self, message: IndexLost) -> None:
        self.wiring.index_lost()

    def on_problem(self, message: Problem) -> None:
        self.notify(message.text, severity="error", markup=False)

    def on_store_watch_changed(self, message: StoreWatch.Changed) -> None:
        self.store_changed.publish(message)

    def on_triage_stored(self, message: Triage.Stored) -> None:
        self.wiring.triage_stored(message.item)

    def on_triage_failed(self, message: Triage.Failed) -> None:
        self.notify(message.text, severity="error", markup=False)

    def on_fetch_service_started(self, message: FetchService.Started) -> None:
        self.wiring.fetch_event(message)

    def on_fetch_service_progress(self, message: FetchService.Progress) -> None:
        self.wiring.fetch_event(message)

    def on_fetch_service_finished(self, message: FetchService.Finished) -> None:
        self.wiring.fetch_event(message)
