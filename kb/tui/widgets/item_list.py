"""The inbox list: one line per item, drawn on demand from pages loaded as the cursor goes.

A Line API widget (like Textual's Log): it renders only the lines on screen, so 100,000 matching items cost what
the visible 30 cost. Rows are grouped by day: the date shows on the first row of each day.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kb.models import Item
from kb.tui.clock import Clock, wall_clock
from kb.tui.paging import ItemPages
from kb.tui.render import RowStyles, day_label, item_date, row_text


class ItemList(ScrollView, can_focus=True, inherit_bindings=False):
    """A keyboard-driven list of items, fed by :class:`ItemPages`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False),
        Binding("k,up", "move(-1)", "Up", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("enter", "select", "Open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "item-list--cursor",
        "item-list--dim",
        "item-list--day",
        "item-list--star",
        "item-list--meta",
        "item-list--placeholder",
    }

    class Highlighted(Message):
        """The cursor moved onto ``item`` (None when the list is empty)."""

        def __init__(self, item_list: ItemList, item: Item | None, index: int) -> None:
            super().__init__()
            self.item_list = item_list
            self.item = item
            self.index = index

        @property
        def control(self) -> ItemList:
            return self.item_list

    class Selected(Message):
        """Enter was pressed on ``item``."""

        def __init__(self, item_list: ItemList, item: Item) -> None:
            super().__init__()
            self.item_list = item_list
            self.item = item

        @property
        def control(self) -> ItemList:
            return self.item_list

    def __init__(self, *, clock: Clock = wall_clock, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        #: The app's clock: its year decides ``22 Nov`` or ``Nov 2025``.
        self.clock = clock
        self.pages: ItemPages | None = None
        self.cursor = 0
        #: Ids of papers some note links (the ✎ mark).
        self.noted: set[str] = set()
        #: Each row's for-you score, shown before its day (empty in the other orders).
        self.scores: dict[str, float] = {}
        #: Rows selected (``v``) for triage all at once, by id.
        self.selected: set[str] = set()
        #: What an empty list says instead (what to do next).
        self.empty_text = Text("")
        self._styles: tuple[RowStyles, Style] | None = None

    # --- content ----------------------------------------------------------------------------------

    def show(
        self, pages: ItemPages, keep: str | None = None, scores: dict[str, float] | None = None, empty: str = ""
    ) -> None:
        """Show ``pages``, with the cursor on ``keep`` if it is there, else on the first row; ``scores`` (for you)
        lead the rows; an empty list says ``empty``. A new list starts with nothing selected."""
        self.pages = pages
        self.scores = scores or {}
        self.selected = set()
        self.empty_text = Text(empty, style="italic")
        index = pages.index_of(keep) if keep else None
        self.cursor = index or 0
        self._resize()
        self.scroll_to(y=max(self.cursor - self.size.height // 2, 0), animate=False)
        self.refresh()
        self._announce()

    @property
    def current(self) -> Item | None:
        """The item under the cursor."""
        return self.pages.get(self.cursor) if self.pages else None

    def update_item(self, item: Item) -> None:
        """Redraw the row of ``item`` with this copy (after triage)."""
        if self.pages is None:
            return
        index = self.pages.replace(item)
        if index is not None:
            self.refresh_line(index)

    def merge(self, arrivals: list[Item]) -> int:
        """Insert new items in place; the cursor stays on its item, at the same height on screen."""
        if self.pages is None:
            return 0
        before = self.cursor
        added = self.pages.merge(arrivals)
        shift = sum(1 for index in added if index <= before)
        self.cursor = before + shift
        self._resize()
        if shift:
            self.scroll_to(y=self.scroll_y + shift, animate=False)
        self.refresh()
        return len(added)

    def _resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.pages) if self.pages else 0)

    def on_resize(self) -> None:
        self._resize()
        # A smaller window may leave the cursor row below the fold: bring it back once the new size is laid out.
        self.call_after_refresh(self._scroll_to_cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    # --- moving -----------------------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped), scrolling it into view."""
        if self.pages is None:
            return
        self.pages.ensure(index)
        index = max(min(index, len(self.pages) - 1), 0)
        self._resize()
        old, self.cursor = self.cursor, index
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_to_cursor()
        self._announce()

    def _scroll_to_cursor(self) -> None:
        """Scroll as little as needed to show the cursor row."""
        height = max(self.scrollable_content_region.height, 1)
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= self.scroll_y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.current, self.cursor))

    def action_move(self, step: int) -> None:
        """Move the cursor ``step`` rows."""
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        """Move the cursor a screenful."""
        self.move_to(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        """Go to the first row."""
        self.move_to(0)

    def action_last(self) -> None:
        """Go to the last row (loading the rows before it)."""
        if self.pages is not None:
            self.pages.ensure(len(self.pages) - 1)
            self.move_to(len(self.pages) - 1)

    def action_select(self) -> None:
        """Open the row under the cursor."""
        item = self.current
        if item is not None:
            self.post_message(self.Selected(self, item))

    # --- drawing ----------------------------------------------------------------------------------

    def _row_styles(self) -> tuple[RowStyles, Style]:
        if self._styles is None:
            base = self.rich_style
            styles = RowStyles(
                base=base,
                dim=self.get_component_rich_style("item-list--dim"),
                day=self.get_component_rich_style("item-list--day"),
                star=self.get_component_rich_style("item-list--star"),
                meta=self.get_component_rich_style("item-list--meta"),
            )
            self._styles = (styles, self.get_component_rich_style("item-list--cursor"))
        return self._styles

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if self.pages is None or index >= len(self.pages):
            if self.pages is not None and not len(self.pages):
                return self._empty_line(y, width)
            return Strip.blank(width, self.rich_style)
        item = self.pages.get(index)
        if item is None:
            style = self.get_component_rich_style("item-list--placeholder")
            return Strip([Segment("…".ljust(width), style)], width)
        styles, cursor_style = self._row_styles()
        previous = self.pages.items[index - 1] if index > 0 else None
        today = self.clock().date()
        day = day_label(item_date(item), today)
        if previous is not None and day_label(item_date(previous), today) == day:
            day = ""
        text = row_text(
            item, width, day, item.id in self.noted, styles, self.scores.get(item.id), item.id in self.selected
        )
        if index == self.cursor:
            text.stylize(cursor_style)
        return Strip(text.render(self.app.console), width).crop_extend(0, width, self.rich_style)

    def _empty_line(self, y: int, width: int) -> Strip:
        """Line ``y`` of what an empty list says, wrapped to the width."""
        lines = self.empty_text.wrap(self.app.console, max(width - 2, 10))
        if y >= len(lines):
            return Strip.blank(width, self.rich_style)
        line = Text(" ") + lines[y]
        return Strip(line.render(self.app.console), width).crop_extend(0, width, self.rich_style)

    def row_texts(self) -> list[str]:
        """The plain text of every loaded row (for tests and screen readers of the future)."""
        if self.pages is None:
            return []
        styles = RowStyles()
        return [
            row_text(item, 100, "", False, styles, self.scores.get(item.id), item.id in self.selected).plain
            for item in self.pages.items
        ]

    # --- selection ----------------------------------------------------------------------------------

    def toggle_selected(self) -> None:
        """Select the row under the cursor, or unselect it, and move down."""
        item = self.current
        if item is None:
            return
        self.selected.symmetric_difference_update({item.id})
        self.refresh_line(self.cursor)
        self.action_move(1)

    def chosen(self) -> list[Item]:
        """The selected rows (in list order) if any, else the row under the cursor."""
        if self.pages is None:
            return []
        if self.selected:
            return [item for item in self.pages.items if item.id in self.selected]
        current = self.current
        return [current] if current is not None else []

    def above_cursor(self) -> list[Item]:
        """The rows above the cursor."""
        return list(self.pages.items[: self.cursor]) if self.pages is not None else []

    def on_screen(self) -> list[Item]:
        """The rows the list shows now (scrolled into view)."""
        if self.pages is None:
            return []
        top = int(self.scroll_y)
        height = self.scrollable_content_region.height
        self.pages.ensure(top + height - 1)
        return [item for item in self.pages.items[top : top + height]]
