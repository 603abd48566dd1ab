"""The inbox: what arrived and is not yet triaged, newest first, with the reader beside or below it."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from kb.config import MuteRule
from kb.errors import KbError, UsageError
from kb.models import Item, ItemFilter, Status
from kb.text import counted
from kb.tui.filters import DEFAULT_FILTER, InboxQuery, parse_filter
from kb.tui.ordering import FOR_YOU, NEWEST, Ordered, next_order, ordered, orders, why
from kb.tui.paging import IdListing, ItemPages, StoreListing
from kb.tui.screens.items import ItemScreen
from kb.tui.triage import TriageState
from kb.tui.watch import StoreWatch
from kb.tui.widgets.footer import KbFooter
from kb.tui.widgets.item_list import ItemList
from kb.tui.widgets.reader import Reader

#: Seconds the cursor must rest on a row before the reader renders it (held keys stay fast).
READER_DELAY = 0.08
#: How far back the inbox counts items muted on arrival.
MUTED_WINDOW = timedelta(days=7)


class InboxScreen(ItemScreen):
    """The list, a filter line and the reader."""

    SCREEN_TITLE = "Inbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "filter", "Filter"),
        Binding("S", "sort", "Sort"),
        Binding("M", "muted", "Muted", show=False),
        Binding("v", "select", "Select", show=False),
        Binding("R", "read_above", "Read all above", show=False),
        Binding("A", "read_on_screen", "Read all on screen", show=False),
        Binding("escape", "leave_filter", "Back to list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = DEFAULT_FILTER
        #: The list's order: newest, for you, or relevance (kb.tui.ordering).
        self.sort = NEWEST
        #: While the for-you order has too little history to learn from: the line saying so.
        self.untrained: str | None = None
        self._reader_timer: Timer | None = None
        self.muted: list[tuple[MuteRule, list[Item]]] = []  # what mute rules filed as skipped lately

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="title")
        hint = "filter: status:new kind:paper tag:x source:y, or any search"
        yield Input(DEFAULT_FILTER, placeholder=hint, id="filter")
        with Container(id="inbox-body"):
            yield ItemList(clock=self.kb.clock, id="items")
            yield Reader(id="reader")
        yield KbFooter()

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
        """Show what ``text`` selects in the current order: a store filter newest first at once (paged), a
        search or a ranking in a worker."""
        try:
            query = parse_filter(text)
        except UsageError as error:
            self.fail(error)
            return
        self.query_text = query.text
        if self.sort not in orders(query):
            self.sort = NEWEST
        if query.store is not None and self.sort == NEWEST:
            self.untrained = None
            self._show(ItemPages(StoreListing(self.kb.library, query.store)), keep)
        else:
            self.load_ordered(query, self.sort, keep)

    def _show(self, pages: ItemPages, keep: str | None = None, scores: dict[str, float] | None = None) -> None:
        self.items.show(pages, keep, scores, self._empty_text(pages))
        self._retitle()

    def _empty_text(self, pages: ItemPages) -> str:
        """What an empty list says to do next: fetch, when nothing is new at all; else widen the filter."""
        if len(pages):
            return ""
        if self.query_text == "muted":
            return "Nothing muted lately. l changes the filter."
        if self.kb.library.count_items(ItemFilter()) == 0:
            return "The inbox is empty: nothing is fetched yet. f fetches every source in feeds.yaml (5 lists them)."
        if self.query_text == DEFAULT_FILTER:
            return "Nothing new: all triaged. f fetches new items; l changes the filter (status:all shows everything)."
        return (
            f"Nothing matches {self.query_text!r}. l widens the filter: fewer words or conditions, status:all for "
            f"triaged items too, or {DEFAULT_FILTER} for the inbox."
        )

    def _retitle(self) -> None:
        pages = self.items.pages
        count = counted(len(pages), "item") if pages is not None else "…"
        order = f"{FOR_YOU} (too little history: newest first)" if self.untrained else self.sort
        muted = sum(len(items) for _rule, items in self.muted)
        hidden = f" · {muted} muted (M shows them)" if muted else ""
        title = self.title_text(f"{self.query_text or 'all'} · {count} · {order}{hidden}")
        line = self.query_one(".title", Static)
        if str(line.content) != title.plain:  # an update costs a layout pass: only when it changed
            line.update(title)

    class Listed(Message):
        """A list in a computed order (search hits, or ranked for you), or why it failed."""

        def __init__(self, result: Ordered | None, error: KbError | None, order: str, keep: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error
            self.order = order
            self.keep = keep

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-search")
    def load_ordered(self, query: InboxQuery, order: str, keep: str | None = None) -> None:
        """Search or rank off the event loop (taking turns with index writes); post the ids back."""
        # A search takes turns with index writes; a ranking of a store filter reads only the store.
        gate = self.kb.background.index_gate if query.search is not None else contextlib.nullcontext()
        try:
            with gate:
                result = ordered(self.kb.library, query, order)
        except KbError as error:
            self.post_message(self.Listed(None, error, order, keep))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(result, None, order, keep))

    def on_inbox_screen_listed(self, message: Listed) -> None:
        if message.error is not None or message.result is None:
            self.fail(message.error or "search failed")
            return
        if message.order != self.sort:
            return  # `S` was pressed again meanwhile
        result = message.result
        if result.untrained and result.untrained != self.untrained:
            self.say(result.untrained)  # once, as `kb why` says it
        self.untrained = result.untrained
        self._show(ItemPages(IdListing(self.kb.library, result.ids)), message.keep, result.scores)

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter(event.value)
        self.items.focus()

    def show_filter(self, text: str) -> None:
        """Put ``text`` in the filter line and show what it selects (the Sources screen's enter)."""
        self.query_one("#filter", Input).value = text
        self.apply_filter(text)
        self.items.focus()

    def action_filter(self) -> None:
        """Edit the filter line (enter applies it, escape goes back)."""
        self.query_one("#filter", Input).focus()

    def action_leave_filter(self) -> None:
        """Back to the list, the filter line unchanged; in the list, unselect the selected rows."""
        if self.items.has_focus and self.items.selected:
            self.selection_done()
            return
        self.query_one("#filter", Input).value = self.query_text
        self.items.focus()

    # --- several rows at once -----------------------------------------------------------------------

    def action_select(self) -> None:
        """Select the row (or unselect it) and move down: r, x and s then act on every selected row."""
        self.items.toggle_selected()

    def chosen_items(self) -> list[Item]:
        return self.items.chosen()

    def selection_done(self) -> None:
        self.items.selected.clear()
        self.items.refresh()

    def action_read_above(self) -> None:
        """Mark every new row above the cursor read (one `u` takes them all back)."""
        self._read_all(self.items.above_cursor(), "above the cursor")

    def action_read_on_screen(self) -> None:
        """Mark every new row on screen read (one `u` takes them all back)."""
        self._read_all(self.items.on_screen(), "on screen")

    def _read_all(self, rows: list[Item], where: str) -> None:
        new = [item for item in rows if item.status is Status.NEW]
        if not new:
            self.say(f"nothing new {where}")
            return
        self.triage_many(new, status=Status.READ)
        self.say(f"{counted(len(new), 'item')} {where} marked read (u undoes all of them)")

    def action_sort(self) -> None:
        """Cycle the order: newest first, for you (learned from your triage), best match (a search in the filter)."""
        try:
            query = parse_filter(self.query_text)
        except UsageError as error:
            self.fail(error)
            return
        self.sort = next_order(self.sort, query)
        current = self.items.current
        self.apply_filter(self.query_text, keep=current.id if current is not None else None)

    # --- list and reader ----------------------------------------------------------------------------

    @on(ItemList.Highlighted)
    def highlighted(self, event: ItemList.Highlighted) -> None:
        if event.item is not None and self.is_current:
            self.kb.reading = (event.item, self)
        if self._reader_timer is not None:
            self._reader_timer.stop()
        self._reader_timer = self.set_timer(READER_DELAY, self.update_reader)

    def update_reader(self) -> None:
        """Show the item under the cursor in the reader, with the notes that link it (and, for you, why)."""
        item = self.items.current
        notes = self.kb.library.notes_linking(item.id) if item is not None else []
        self.query_one(Reader).show(item, notes)
        if item is not None and self.sort == FOR_YOU:
            self.explain(item.id)

    class Explained(Message):
        """The `kb why` line of an item."""

        def __init__(self, item_id: str, why: str) -> None:
            super().__init__()
            self.item_id = item_id
            self.why = why

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-why")
    def explain(self, item_id: str) -> None:
        """Ask the ranking why, off the event loop."""
        try:
            line = why(self.kb.library, item_id)
        except KbError:
            return  # the reader simply shows no reason
        if line is not None and not get_current_worker().is_cancelled:
            self.post_message(self.Explained(item_id, line))

    def on_inbox_screen_explained(self, message: Explained) -> None:
        self.query_one(Reader).explain(message.item_id, message.why)

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
            reader.show(item, reader.notes, reader.why)

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
        self.reread_rows([item.id for item in pages.items], self.kb.triage.writes)

    class Reread(Message):
        """The rows' items as the store holds them now (triage done elsewhere), read after ``writes`` writes."""

        def __init__(self, items: list[Item], writes: int) -> None:
            super().__init__()
            self.items = items
            self.writes = writes

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox-rows")
    def reread_rows(self, ids: list[str], writes: int) -> None:
        """Read the loaded rows again, by id, off the event loop (triage from the CLI or another TUI)."""
        try:
            fresh = self.kb.library.items(ids)
        except KbError:
            return  # the next look tries again
        self.post_message(self.Reread(fresh, writes))

    def on_inbox_screen_reread(self, message: Reread) -> None:
        # Our own writes since the read (or still queued) are newer than what it saw: the next look re-reads.
        if message.writes != self.kb.triage.writes or self.kb.background.busy:
            return
        pages = self.items.pages
        for item in message.items:
            index = pages.index_of(item.id) if pages is not None else None
            shown = pages.items[index] if pages is not None and index is not None else None
            if shown is not None and TriageState.of(shown) != TriageState.of(item):
                self.show_item(item)
