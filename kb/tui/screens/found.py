"""A list of items found for one item or person (more like this, a person's page), opened over the reader.

The list loads in a worker (the index or the store may take a moment), enter shows the highlighted item in
the reader underneath, and `r`/`x` there move on through this list. Escape goes back to the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kb.errors import KbError
from kb.models import Item, Kind
from kb.tui.screens.items import ItemScreen


@dataclass(frozen=True)
class Entry:
    """One row: the document's id and kind, and how the row reads (inert text)."""

    id: str
    kind: Kind
    text: Text


class FoundScreen(ItemScreen):
    """Rows loaded by :meth:`load` (in a thread); subclasses say what to load and the heading."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
    ]

    class Loaded(Message):
        """The rows (or the error) are ready."""

        def __init__(self, heading: Text | None, entries: list[Entry], error: KbError | None) -> None:
            super().__init__()
            self.heading = heading
            self.entries = entries
            self.error = error

    def __init__(self, detail: str) -> None:
        super().__init__()
        self.detail = detail
        self.entries: list[Entry] = []

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(self.detail), classes="title")
        yield Static(Text("looking…", "dim"), id="search-status")
        yield OptionList(id="hits")
        yield Footer()

    @property
    def rows(self) -> OptionList:
        return self.query_one("#hits", OptionList)

    def on_mount(self) -> None:
        super().on_mount()
        self.start_loading()
        self.rows.focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="found")
    def start_loading(self) -> None:
        """Load off the event loop; post the outcome."""
        try:
            heading, entries = self.load()
        except KbError as error:
            self.post_message(self.Loaded(None, [], error))
            return
        self.post_message(self.Loaded(heading, entries, None))

    def load(self) -> tuple[Text, list[Entry]]:
        """The heading and the rows (runs in a worker thread)."""
        raise NotImplementedError

    def on_found_screen_loaded(self, message: Loaded) -> None:
        status = self.query_one("#search-status", Static)
        if message.error is not None or message.heading is None:
            status.update(Text(str(message.error), "red"))
            return
        status.update(message.heading)
        self.entries = message.entries
        self.rows.clear_options()
        self.rows.add_options([Option(entry.text, id=entry.id) for entry in self.entries])
        if self.entries:
            self.rows.highlighted = 0

    # --- rows as items ------------------------------------------------------------------------------

    def _entry(self, index: int | None) -> Entry | None:
        return self.entries[index] if index is not None and 0 <= index < len(self.entries) else None

    def current_item(self) -> Item | None:
        entry = self._entry(self.rows.highlighted)
        if entry is None or entry.kind is Kind.NOTE:
            return None
        return self.kb.library.item_or_none(entry.id)

    def action_move(self, rows: int) -> None:
        """Move the highlight."""
        if self.entries:
            current = self.rows.highlighted or 0
            self.rows.highlighted = max(0, min(len(self.entries) - 1, current + rows))

    def advance(self) -> None:
        self.action_move(1)

    @on(OptionList.OptionSelected, "#hits")
    def row_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: a note opens in Notes; a paper or post in the reader beneath, which moves on through this list."""
        entry = self._entry(event.option_index)
        if entry is None:
            return
        if entry.kind is Kind.NOTE:
            self.kb.open_note(entry.id.removeprefix("note:"))
            return
        item = self.kb.library.item_or_none(entry.id)
        if item is None:
            self.fail(f"{entry.id} is in the index but not in the store; `kb reindex` repairs the index")
            return
        self.kb.reading = (item, self)
        self.app.pop_screen()

    def step(self, item_id: str, direction: int) -> Item | None:
        """Navigator: the next paper or post of this list."""
        ids = [entry.id for entry in self.entries]
        if item_id not in ids:
            return None
        index = ids.index(item_id) + direction
        while 0 <= index < len(self.entries) and self.entries[index].kind is Kind.NOTE:
            index += direction
        if not 0 <= index < len(self.entries):
            return None
        return self.kb.library.item_or_none(self.entries[index].id)

    def action_back(self) -> None:
        """Back to the reader."""
        self.app.pop_screen()
