"""The kb app: five screens over one library, the global keys, and the signals screens listen to.

Screens do the work; kb.tui.wiring turns what the background threads report into those signals or into
notifications. This file only puts the pieces together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer

from kb.library import Library
from kb.models import Item
from kb.tui.background import Background
from kb.tui.clock import Clock, wall_clock
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
from kb.tui.wiring import BackgroundWiring


class KbApp(BackgroundWiring):
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
        Binding("1", "switch_mode('inbox')", "Inbox"),
        Binding("2", "switch_mode('reader')", "Reader"),
        Binding("3", "switch_mode('search')", "Search"),
        Binding("4", "switch_mode('notes')", "Notes"),
        Binding("5", "switch_mode('sources')", "Sources"),
        Binding("slash", "search", "Search", show=False),
        Binding("f", "fetch", "Fetch all"),
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
        self.store_watch = StoreWatch(library, clock)
        #: The item the reader shows, and the list it came from (for `r`/`x` to move on).
        self.reading: tuple[Item, Navigator | None] | None = None
        #: The note the Notes screen should select when it shows next.
        self.wanted_note: str | None = None
        self.item_changed: Signal[Item] = Signal(self, "item-changed")
        self.store_changed: Signal[StoreWatch.Changed] = Signal(self, "store-changed")
        self.notes_changed: Signal[list[str]] = Signal(self, "notes-changed")
        self.fetch_events: Signal[Any] = Signal(self, "fetch-events")
        self._index_timer: Timer | None = None
        self._started = False

    def on_mount(self) -> None:
        self.set_interval(self.poll_seconds, self.check_store)
        # The inbox starts the background work once its first page is on screen; this is the fallback.
        self.set_timer(1.0, self.start_background)

    def start_background(self) -> None:
        """Sync notes, then open (or rebuild) the index, off the event loop; once, after the first paint.

        Started after the inbox is drawn: their Python work would otherwise compete with the first paint.
        Notes first: the library syncs them once per session, and must not do it on the event loop.
        """
        if self._started:
            return
        self._started = True
        self.check_store()  # the watch's first look: what later looks compare with
        self.sync_notes()
        self.run_indexed(lambda: self.library.index, lambda _index: None, "search index")

    def on_app_focus(self, event: events.AppFocus) -> None:
        """Back from another window (an editor, git pull): pick up the notes changed meanwhile."""
        if self._started:
            self.sync_notes()

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
            self.library.logger.warning("tui: quit before the index caught up; `kb reindex` repairs it")

    async def settle(self) -> None:
        """Wait until queued writes (the index's too) and running workers are done (tests, benchmarks)."""
        await self.background.settle()
        self.triage.flush_index()
        await self.workers.wait_for_complete()
        await self.background.settle()

    # --- moving between screens ---------------------------------------------------------------------

    def open_item(self, item: Item, navigator: Navigator | None) -> None:
        """Show ``item`` in the reader; `r`/`x` there move on through ``navigator``."""
        self.reading = (item, navigator)
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

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from palette_commands(self, screen)
