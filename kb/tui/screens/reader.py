"""The reader on a whole screen: the item last opened or highlighted, read and triaged in place."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from kb.models import Item
from kb.tui.screens.fulltext import FullTextScreen
from kb.tui.triage import TriageState
from kb.tui.widgets.footer import KbFooter
from kb.tui.widgets.fulltext import Outline
from kb.tui.widgets.reader import Reader


class ReaderScreen(FullTextScreen):
    """One item, full size; `r`/`x` move on through the list it came from."""

    SCREEN_TITLE = "Reader"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("J", "step(1)", "Next"),
        Binding("K", "step(-1)", "Previous"),
        Binding("escape", "back", "Back"),
        Binding("C", "citations", "Citations"),
        Binding("m", "similar", "Like this"),
        Binding("P", "person", "Person"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="title")
        yield Outline(id="outline")
        yield Reader(id="reader")
        yield KbFooter()

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

    def on_mount(self) -> None:
        # (ItemScreen's on_mount runs too: Textual calls each class's handler.)
        self.kb.store_changed.subscribe(self, lambda _change: self.reread())

    def on_screen_resume(self) -> None:
        self.show_reading()
        self.reader.focus()

    def reread(self) -> None:
        """The store changed (perhaps this item's triage, from elsewhere): show it as stored now."""
        item = self.reader.item
        if item is None or self.kb.background.busy:
            return
        fresh = self.kb.library.item_or_none(item.id)
        if fresh is not None and TriageState.of(fresh) != TriageState.of(item):
            self.reader.show(fresh, self.reader.notes, self.reader.why)

    def show_reading(self) -> None:
        """Show the app's current item (re-read from the store: its triage may have changed)."""
        item = self.kb.reading[0] if self.kb.reading else None
        if item is not None:
            fresh = self.kb.library.item_or_none(item.id) or item
            self.display_item(fresh, self.kb.reading_section)
        self.kb.reading_section = None

    def display_item(self, item: Item | None, section: str | None = None) -> None:
        """Show ``item``, the notes linking it and its full text (at ``section``)."""
        notes = self.kb.library.notes_linking(item.id) if item is not None else []
        self.reader.show(item, notes)
        self.show_fulltext(item, section)
        detail = item.id if item is not None else ""
        self.query_one(".title", Static).update(self.title_text(detail))

    def current_item(self) -> Item | None:
        return self.reader.item

    def show_item(self, item: Item) -> None:
        if self.reader.item is not None and self.reader.item.id == item.id:
            self.reader.show(item, self.reader.notes)

    def advance(self) -> None:
        self.action_step(1)

    def action_step(self, direction: int) -> None:
        """Next or previous item of the list this one was opened from."""
        if not self.kb.reading or self.reader.item is None:
            return
        _item, navigator = self.kb.reading
        following = navigator.step(self.reader.item.id, direction) if navigator is not None else None
        if following is None:
            self.say("no more items in that list")
            return
        self.kb.reading = (following, navigator)
        self.display_item(following)

    def action_citations(self) -> None:
        """The paper's references and citing papers, as stored (kb.tui.screens.citations)."""
        from kb.tui.screens.citations import CitationsScreen

        item = self.reader.item
        if item is None or not item.id.startswith("arxiv:"):
            self.say("Citations are kept for arXiv papers.")
            return
        self.app.push_screen(CitationsScreen(item))

    def action_similar(self) -> None:
        """The papers, posts and notes most like this item (kb.tui.screens.similar)."""
        from kb.tui.screens.similar import SimilarScreen

        if self.reader.item is not None:
            self.app.push_screen(SimilarScreen(self.reader.item.id))

    def action_person(self) -> None:
        """The page of the followed person whose source brought this item (kb.tui.screens.person)."""
        from kb.library.people import people_of
        from kb.tui.screens.person import PersonScreen

        people = people_of(self.kb.library.config, self.reader.item) if self.reader.item is not None else []
        if not people:
            self.say("this item came from no one you follow (`kb follow` adds a person)")
            return
        self.app.push_screen(PersonScreen(people[0].name))

    def action_back(self) -> None:
        """Back to the inbox."""
        self.app.switch_mode("inbox")

    @on(Reader.LinkOpened)
    def link_opened(self, event: Reader.LinkOpened) -> None:
        self._browse(event.href)
