"""Search: papers, posts and notes as you type (debounced, in a worker), with highlighted snippets."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from kb.errors import KbError, QueryError
from kb.models import Hit, Item, Kind, SearchResult, Status
from kb.text import counted, one_line
from kb.tui.render import KIND_LABELS, STAR, STATUS_MARKS, marked_text
from kb.tui.screens.items import ItemScreen
from kb.tui.triage import TriageState
from kb.tui.widgets.footer import KbFooter

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
        Binding("escape", "switch_focus", "Query/results", show=False),
    ]

    class Results(Message):
        """A query's hits (or its error) are ready, with the stored items among them (their triage marks)."""

        def __init__(
            self, query: str, result: SearchResult | None, error: KbError | None, items: dict[str, Item] | None = None
        ) -> None:
            super().__init__()
            self.query = query
            self.result = result
            self.error = error
            self.items = items or {}

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        #: The query whose outcome (hits or error) is on screen.
        self.shown_query: str | None = None
        self.sort = "relevance"
        #: The stored items among the hits, as triaged now (their ★/read/skipped marks), by id.
        self.items: dict[str, Item] = {}
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="title")
        yield Input(placeholder='words, "phrases", author:, cat:, tag:, status:, is:starred, year:…', id="query")
        yield Static(Text("Type to search papers, posts and notes."), id="search-status")
        yield OptionList(id="hits")
        yield KbFooter()

    @property
    def box(self) -> Input:
        return self.query_one("#query", Input)

    @property
    def hit_list(self) -> OptionList:
        return self.query_one("#hits", OptionList)

    def on_mount(self) -> None:
        # (ItemScreen's on_mount runs too: Textual calls each class's handler.)
        self.kb.store_changed.subscribe(self, lambda _change: self.reread())

    def on_screen_resume(self) -> None:
        if not self.hits:
            self.box.focus()

    def action_focus_query(self) -> None:
        """Back to the query box."""
        self.box.focus()

    def action_switch_focus(self) -> None:
        """From the query box to the results (where `/`, `S` and the triage keys work), and back."""
        if self.box.has_focus:
            self.hit_list.focus()
            if self.hits and self.hit_list.highlighted is None:
                self.hit_list.highlighted = 0
        else:
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
            items = {item.id: item for item in self.kb.library.items([hit.id for hit in result.hits])}
        except KbError as error:
            self.post_message(self.Results(query, None, error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Results(query, result, None, items))

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
        self.items = message.items
        self.hit_list.clear_options()
        self.hit_list.add_options([Option(hit_text(hit, self.items.get(hit.id)), id=hit.id) for hit in self.hits])
        if self.hits and self.hit_list.has_focus:
            self.hit_list.highlighted = 0
        shown = f"{len(self.hits):,} of " if result.total > len(self.hits) else ""
        hits = counted(result.total, "hit")
        status.update(Text(f"{shown}{hits} · {result.elapsed * 1000:.0f} ms · by {self.sort}", "dim"))
        self._retitle()

    def _retitle(self) -> None:
        """The title counts the papers and posts among the hits still new: what is left as you triage."""
        detail = ""
        if self.shown_query and self.hits:
            left = sum(1 for item in self.items.values() if item.status is Status.NEW)
            detail = f"{one_line(self.shown_query, 40)} · {left} of {counted(len(self.items), 'item')} new"
        self.query_one(".title", Static).update(self.title_text(detail))

    def show_item(self, item: Item) -> None:
        """A triaged item: redraw its hit with the new marks and recount what is left."""
        if item.id not in self.items:
            return
        self.items[item.id] = item
        for index, hit in enumerate(self.hits):
            if hit.id == item.id:
                self.hit_list.replace_option_prompt_at_index(index, hit_text(hit, item))
        self._retitle()

    def reread(self) -> None:
        """The store changed (triage from elsewhere, perhaps): show the hits' marks as stored now."""
        if not self.items or self.kb.background.busy:
            return
        for item in self.kb.library.items(list(self.items)):
            if TriageState.of(item) != TriageState.of(self.items[item.id]):
                self.show_item(item)

    # --- hits as items ------------------------------------------------------------------------------

    def _hit(self, index: int | None) -> Hit | None:
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    def current_item(self) -> Item | None:
        hit = self._hit(self.hit_list.highlighted)
        if hit is None or hit.kind is Kind.NOTE:
            return None
        # The copy shown: it already holds triage still on its way to the store.
        return self.items.get(hit.id) or self.kb.library.item_or_none(hit.id)

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


def hit_text(hit: Hit, item: Item | None = None) -> Text:
    """A hit as two lines: triage marks (new, read, skipped; star), kind and title, then the snippet with matches
    highlighted. ``item`` is the stored paper or post (None for a note)."""
    text = Text()
    if item is not None:
        text.append(STATUS_MARKS[item.status], "dim" if item.status is not Status.NEW else "")
        text.append(STAR if item.starred else " ", "yellow")
    else:
        text.append("  ")
    text.append(f" {KIND_LABELS.get(hit.kind, '?')} ", "dim")
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
