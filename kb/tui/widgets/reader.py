"""The reader: an item's metadata and abstract, or a post's text as Markdown, and the notes that link it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from kb.models import Item, Kind, Note
from kb.tui.htmlmd import html_to_markdown
from kb.tui.render import abstract_text, reader_header
from kb.tui.widgets.fulltext import FullTextBody


class Reader(VerticalScroll, can_focus=True, inherit_bindings=False):
    """Shows one item. Text from feeds goes in as Text objects or Markdown source, never as markup."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False),
        Binding("k,up", "scroll_up", "Scroll up", show=False),
        Binding("space,pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]

    class LinkOpened(Message):
        """A link in a post was clicked."""

        def __init__(self, href: str) -> None:
            super().__init__()
            self.href = href

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.item: Item | None = None
        self.notes: list[Note] = []
        #: The `kb why` line of the item shown (the inbox's for-you order sets it), else None.
        self.why: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Nothing selected."), classes="reader-header")
        yield Static(Text(""), classes="reader-abstract")
        yield Markdown("", classes="reader-post", open_links=False)
        yield FullTextBody(classes="reader-fulltext")  # a paper's full text, when kb holds one (screens.fulltext)

    def show(self, item: Item | None, notes: list[Note] | None = None, why: str | None = None) -> None:
        """Show ``item`` (None: an empty reader) with the notes that link it (and the for-you ``why`` line)."""
        self.item = item
        self.notes = list(notes or [])
        self.why = why
        header = self.query_one(".reader-header", Static)
        abstract = self.query_one(".reader-abstract", Static)
        post = self.query_one(".reader-post", Markdown)
        if item is None:
            header.update(Text("Nothing selected."))
            abstract.update(Text(""))
            post.display = False
            return
        header.update(reader_header(item, self.notes, why))
        is_post = item.kind is Kind.POST and bool(item.html)
        abstract.display = not is_post
        post.display = is_post
        if is_post:
            post.update(html_to_markdown(item.html or ""))
        else:
            abstract.update(abstract_text(item))
        self.scroll_home(animate=False)

    def explain(self, item_id: str, why: str) -> None:
        """Add the for-you ``why`` line to the header, if ``item_id`` is still the item shown."""
        if self.item is not None and self.item.id == item_id and why != self.why:
            self.why = why
            self.query_one(".reader-header", Static).update(reader_header(self.item, self.notes, why))

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.post_message(self.LinkOpened(event.href))

    def text(self) -> str:
        """What the reader shows, as plain text (for tests)."""
        parts = [str(static.content) for static in self.query(Static) if static.display]
        if self.query_one(".reader-post", Markdown).display:
            parts.append(self.query_one(".reader-post", Markdown).source)
        if self.query_one(FullTextBody).display:
            parts.append(self.query_one(FullTextBody).markdown())
        return "\n".join(parts)
