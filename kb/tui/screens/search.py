"""Search: papers, posts and notes as you type (debounced, in a worker), with highlighted snippets."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from kb.errors import KbError, QueryError
from kb.models import Hit, Item, Kind, SearchResult
from kb.text import counted, one_line
from kb.tui.render import KIND_LABELS, marked_text
from kb.tui.screens.items import ItemScreen

#: Seconds of no typing before a query runs.
DEBOUNCE = 0.25
#: Hits shown.
LIMIT = 50
MARKS = ("\ue000", "\ue001")  # private-use characters: cannot collide with text from a feed or a note


class SearchScreen(ItemScreen):
    """A query box and its hits; enter opens one."""

    SCREEN_TITLE = "Search"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Query"),
        Binding("S", "sort", "Sort"),
        Binding("escape", "focus_query", "Query", show=False),
    ]

    class Results(Message):
        """A query's hits (or its error) are ready."""

        def __init__(self, query: str, result: SearchResult | None, error: KbError | None) -> None:
            super().__init__()
            self.query = query
            self.result = result
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        #: The query whose outcome (hits or error) is on screen.
        self.shown_query: str | None = None
        self.sort = "relevance"
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="title")
        yield Input(placeholder='words, "phrases", author:, cat:, tag:, status:, is:starred, year:…', id="query")
        yield Static(Text("Type to search papers, posts and notes."), id="search-status")
        yield OptionList(id="hits")
        yield Footer()

    @property
    def box(self) -> Input:
        return self.query_one("#query", Input)

    @property
    def hit_list(self) -> OptionList:
        return self.query_one("#hits", OptionList)

    def on_screen_resume(self) -> None:
        if not self.hits:
            self.box.focus()

    def action_focus_query(self) -> None:
        """Back to the query box."""
        self.box.focus()

    def action_sort(self) -> None:
        """Toggle best match first / newest first."""
        self.sort = "date" if self.sort == "relevance" else "relevance"
        self.say(f"sorted by {'date' if self.sort == 'date' else 'relevance'}")
        self.search(self.box.value)

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(DEBOUNCE, lambda: self.search(value))

    @on(Input.Submitted, "#query")
    def query_submitted(self, event: Input.Submitted) -> None:
        """Enter: done typing. Search now if the debounce has not yet, and go to the hits."""
        if self.shown_query != event.value:
            if self._timer is not None:
                self._timer.stop()
            self.search(event.value)
        self.hit_list.focus()
        if self.hits:
            self.hit_list.highlighted = 0

    def search(self, query: str) -> None:
        """Run ``query`` now (blank clears the hits)."""
        if not query.strip():
            self.hits = []
            self.hit_list.clear_options()
            self.query_one("#search-status", Static).update(Text(""))
            return
        self.query_one("#search-status", Static).update(Text("searching…", "dim"))
        self.run_query(query, self.sort)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_query(self, query: str, sort: str) -> None:
        """Search off the event loop (taking turns with index writes); post the outcome."""
        try:
            with self.kb.background.index_gate:
                if get_current_worker().is_cancelled:
                    return
                result = self.kb.library.search(query, limit=LIMIT, sort=sort, marks=MARKS)
        except KbError as error:
            self.post_message(self.Results(query, None, error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Results(query, result, None))

    def on_search_screen_results(self, message: Results) -> None:
        if message.query != self.box.value:
            return  # typing went on: a newer query is on its way
        status = self.query_one("#search-status", Static)
        self.shown_query = message.query
        if message.error is not None or message.result is None:
            status.update(error_text(message.query, message.error))
            return
        result = message.result
        self.hits = list(result.hits)
        self.hit_list.clear_options()
        self.hit_list.add_options([Option(hit_text(hit), id=hit.id) for hit in self.hits])
        if self.hits and self.hit_list.has_focus:
            self.hit_list.highlighted = 0
        shown = f"{len(self.hits):,} of " if result.total > len(self.hits) else ""
        hits = counted(result.total, "hit")
        status.update(Text(f"{shown}{hits} · {result.elapsed * 1000:.0f} ms · by {self.sort}", "dim"))

    # --- hits as items ------------------------------------------------------------------------------

    def _hit(self, index: int | None) -> Hit | None:
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    def current_item(self) -> Item | None:
        hit = self._hit(self.hit_list.highlighted)
        if hit is None or hit.kind is Kind.NOTE:
            return None
        return self.kb.library.item_or_none(hit.id)

    @on(OptionList.OptionSelected, "#hits")
    def hit_selected(self, event: OptionList.OptionSelected) -> None:
        hit = self._hit(event.option_index)
        if hit is None:
            return
        if hit.kind is Kind.NOTE:
            self.kb.open_note(hit.id.removeprefix("note:"))
            return
        item = self.kb.library.item_or_none(hit.id)
        if item is None:
            self.fail(f"{hit.id} is in the index but not in the store; `kb reindex` repairs the index")
            return
        self.kb.open_item(item, self)

    def step(self, item_id: str, direction: int) -> Item | None:
        """Navigator: the next paper or post among the hits."""
        ids = [hit.id for hit in self.hits]
        if item_id not in ids:
            return None
        index = ids.index(item_id) + direction
        while 0 <= index < len(self.hits) and self.hits[index].kind is Kind.NOTE:
            index += direction
        if not 0 <= index < len(self.hits):
            return None
        self.hit_list.highlighted = index
        return self.kb.library.item_or_none(self.hits[index].id)

    def advance(self) -> None:
        highlighted = self.hit_list.highlighted
        if highlighted is not None and highlighted + 1 < len(self.hits):
            self.hit_list.highlighted = highlighted + 1


def hit_text(hit: Hit) -> Text:
    """A hit as two lines: kind and title, then the snippet with matches highlighted."""
    text = Text()
    text.append(f"{KIND_LABELS.get(hit.kind, '?')} ", "dim")
    text.append(one_line(hit.title) or hit.id, "bold")
    if hit.published:
        text.append(f"  {hit.published:%Y-%m-%d}", "dim")
    snippet = marked_text(hit.snippet, MARKS, "reverse")
    if snippet.plain:
        text.append("\n  ")
        if hit.section:  # the match is in the paper's full text: name the section
            text.append(f"§ {one_line(hit.section, 60)} ", "italic")
        text.append_text(snippet)
    return text


def error_text(query: str, error: KbError | None) -> Text:
    """A query error: the message, and for a QueryError the query with a caret under the problem."""
    text = Text(str(error) if error else "search failed", "red")
    if isinstance(error, QueryError) and error.position is not None:
        text.append("\n" + one_line(query) + "\n" + " " * max(error.position, 0) + "^")
    return text
