"""The inbox: what arrived and is not yet triaged, newest first, with the reader beside or below it."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from kb.config import MuteRule
from kb.errors import KbError, UsageError
from kb.models import Item, Kind
from kb.text import counted
from kb.tui.filters import DEFAULT_FILTER, InboxQuery, parse_filter
from kb.tui.paging import IdListing, ItemPages, StoreListing
from kb.tui.screens.items import ItemScreen
from kb.tui.watch import StoreWatch
from kb.tui.widgets.item_list import ItemList
from kb.tui.widgets.reader import Reader

#: Seconds the cursor must rest on a row before the reader renders it (held keys stay fast).
READER_DELAY = 0.08
#: How far back the inbox counts items muted on arrival.
MUTED_WINDOW = timedelta(days=7)
#: The most hits a search filter puts in the inbox.
SEARCH_LIMIT = 500


class InboxScreen(ItemScreen):
    """The list, a filter line and the reader."""

    SCREEN_TITLE = "Inbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "filter", "Filter"),
        Binding("S", "sort", "Sort"),
        Binding("M", "muted", "Muted"),
        Binding("escape", "leave_filter", "Back to list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = DEFAULT_FILTER
        self.sort = "date"
        self._reader_timer: Timer | None = None
        self.muted: list[tuple[MuteRule, list[Item]]] = []  # what mute rules filed as skipped lately

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="title")
        hint = "filter: status:new kind:paper tag:x source:y, or any search"
        yield Input(DEFAULT_FILTER, placeholder=hint, id="filter")
        with Container(id="inbox-body"):
            yield ItemList(clock=self.kb.clock, id="items")
            yield Reader(id="reader")
        yield Footer()

    @property
    def items(self) -> ItemList:
        return self.query_one(ItemList)

    def on_mount(self) -> None:
        super().on_mount()
        self.kb.store_changed.subscribe(self, self.on_store_changed)
        self.kb.notes_changed.subscribe(self, lambda _: self.refresh_noted())
        self.refresh_noted()
        self.count_muted()
        self.apply_filter(DEFAULT_FILTER)
        self.items.focus()
        self.call_after_refresh(self.kb.wiring.start)

    def refresh_noted(self) -> None:
        """Reload which papers have notes (the ✎ mark)."""
        self.items.noted = self.kb.library.papers_with_notes()
        self.items.refresh()

    # --- filter -------------------------------------------------------------------------------------

    def apply_filter(self, text: str, keep: str | None = None) -> None:
        """Show what ``text`` selects; a store filter at once, a search in a worker."""
        try:
            query = parse_filter(text)
        except UsageError as error:
            self.fail(error)
            return
        self.query_text = query.text
        if query.store is not None:
            self._show(ItemPages(StoreListing(self.kb.library, query.store)), keep)
        else:
            self.search_filter(query, self.sort)

    def _show(self, pages: ItemPages, keep: str | None = None) -> None:
        self.items.show(pages, keep)
        self._retitle()

    def _retitle(self) -> None:
        pages = self.items.pages
        count = counted(len(pages), "item") if pages is not None else "…"
        order = "relevance" if self.sort == "relevance" and parse_filter_safe(self.query_text) else "newest"
        muted = sum(len(items) for _rule, items in self.muted)
        hidden = f" · {muted} muted (M shows them)" if muted else ""
        title = self.title_text(f"{self.query_text or 'all'} · {count} · {order}{hidden}")
        line = self.query_one(".title", Static)
        if str(line.content) != title.plain:  # an update costs a layout pass: only when it changed
            line.update(title)

    class Searched(Message):
        """A search filter's hits (papers and posts, in the search's order), or why it failed."""

        def __init__(self, ids: list[str] | None, error: KbError | None) -> None:
            super().__init__()
            self.ids = ids
            self.error = error

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-search")
    def search_filter(self, query: InboxQuery, sort: str) -> None:
        """Run a search filter off the event loop; post the ids back."""
        try:
            with self.kb.background.index_gate:
                result = self.kb.library.search(query.search or "*", limit=SEARCH_LIMIT, sort=sort)
        except KbError as error:
            self.post_message(self.Searched(None, error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Searched([hit.id for hit in result.hits if hit.kind is not Kind.NOTE], None))

    def on_inbox_screen_searched(self, message: Searched) -> None:
        if message.error is not None or message.ids is None:
            self.fail(message.error or "search failed")
        else:
            self._show(ItemPages(IdListing(self.kb.library, message.ids)))

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter(event.value)
        self.items.focus()

    def action_filter(self) -> None:
        """Edit the filter line (enter applies it, escape goes back)."""
        self.query_one("#filter", Input).focus()

    def action_leave_filter(self) -> None:
        """Back to the list, the filter line unchanged."""
        self.query_one("#filter", Input).value = self.query_text
        self.items.focus()

    def action_sort(self) -> None:
        """Toggle newest first / best match first (best match needs a search in the filter)."""
        query = parse_filter_safe(self.query_text)
        if query is None:
            self.say("relevance needs a search in the filter (e.g. cat:cs.LG attention); this list is newest first")
            return
        self.sort = "relevance" if self.sort == "date" else "date"
        self.search_filter(query, self.sort)

    # --- list and reader ----------------------------------------------------------------------------

    @on(ItemList.Highlighted)
    def highlighted(self, event: ItemList.Highlighted) -> None:
        if event.item is not None and self.is_current:
            self.kb.reading = (event.item, self)
        if self._reader_timer is not None:
            self._reader_timer.stop()
        self._reader_timer = self.set_timer(READER_DELAY, self.update_reader)

    def update_reader(self) -> None:
        """Show the item under the cursor in the reader, with the notes that link it."""
        item = self.items.current
        notes = self.kb.library.notes_linking(item.id) if item is not None else []
        self.query_one(Reader).show(item, notes)

    @on(ItemList.Selected)
    def selected(self, event: ItemList.Selected) -> None:
        self.kb.open_item(event.item, self)

    @on(Reader.LinkOpened)
    def link_opened(self, event: Reader.LinkOpened) -> None:
        self._browse(event.href)

    def current_item(self) -> Item | None:
        return self.items.current

    def advance(self) -> None:
        self.items.action_move(1)

    def step(self, item_id: str, direction: int) -> Item | None:
        """Navigator: move the cursor from ``item_id``'s row; the item now under it."""
        pages = self.items.pages
        index = pages.index_of(item_id) if pages is not None else None
        if index is None:
            return None
        self.items.move_to(index + direction)
        return self.items.current if self.items.cursor != index else None

    def show_item(self, item: Item) -> None:
        self.items.update_item(item)
        reader = self.query_one(Reader)
        current = self.items.current
        # After `r` the cursor has moved on: redrawing the reader for the item left behind would be wasted.
        if reader.item is not None and reader.item.id == item.id and current is not None and current.id == item.id:
            reader.show(item, reader.notes)

    def reveal(self, item_id: str) -> None:
        pages = self.items.pages
        index = pages.index_of(item_id) if pages is not None else None
        if index is not None:
            self.items.move_to(index)

    def count_muted(self) -> None:
        """Re-count what the mute rules filed as skipped in the last week, by rule."""
        self.muted = self.kb.library.muted_by_rule(self.kb.clock() - MUTED_WINDOW)

    def action_muted(self) -> None:
        """Show the items mute rules filed as skipped lately, and how many each rule took."""
        self.count_muted()
        ids = [item.id for _rule, items in self.muted for item in items]
        if not ids:
            self.say("no items muted in the last week")
            return
        self.query_text = "muted"
        self._show(ItemPages(IdListing(self.kb.library, ids)))
        self.say("muted: " + "; ".join(f"{rule.label}: {len(items)}" for rule, items in self.muted))

    def on_store_changed(self, change: StoreWatch.Changed) -> None:
        """New items from a fetch (ours or cron's): merged in, the cursor stays on its item."""
        pages = self.items.pages
        if pages is None:
            return
        added = self.items.merge(pages.listing.arrivals(change.since))
        self.count_muted()
        self._retitle()
        if added:
            self.say(f"{added} new item{'s' if added != 1 else ''} in the inbox")


def parse_filter_safe(text: str) -> InboxQuery | None:
    """The filter's search query, or None when it is a store filter (or does not parse)."""
    try:
        query = parse_filter(text)
    except UsageError:
        return None
    return query if query.search is not None else None
