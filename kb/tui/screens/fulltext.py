"""The reader's full-text part (issue 14): a paper's text below its abstract, an outline, keys to move by section.

The reader screen builds on this class: it shows the item as before, then calls :meth:`show_fulltext`. When kb
holds the paper's full text (``library.fulltexts``), its sections follow the abstract in the reader's scroll, and
the outline on the left lists them; enter there, ``]`` and ``[`` jump between sections, and a note's section link
(``[[arxiv:ID#3.2]]``, followed from the Notes screen) opens the reader at that section. ``o``/``p`` still open
the page and the PDF. ``T`` fetches the paper's text now (arXiv's HTML, else the PDF), as `kb fulltext ID` does.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType

from kb.errors import KbError
from kb.models import FullText, Item, Kind
from kb.tui.screens.items import ItemScreen
from kb.tui.widgets.fulltext import FullTextBody, Outline, section_index
from kb.tui.widgets.reader import Reader


class FullTextScreen(ItemScreen):
    """An item screen whose reader also shows a paper's full text, with an outline."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right_square_bracket", "section(1)", "Next section"),
        Binding("left_square_bracket", "section(-1)", "Previous section", show=False),
        Binding("O", "outline", "Outline"),
        Binding("T", "fetch_fulltext", "Fetch full text", show=False),
    ]

    #: The section to show once the text is on screen (a followed section link), and the item it belongs to.
    pending_anchor: str | None = None
    showing: str | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The full-text keys only while a full text is shown (False hides them from the footer)."""
        if action in ("section", "outline"):
            shown = self.query(FullTextBody)
            return bool(shown) and shown.first().fulltext is not None
        return super().check_action(action, parameters)

    @property
    def body(self) -> FullTextBody:
        return self.query_one(FullTextBody)

    @property
    def outline(self) -> Outline:
        return self.query_one(Outline)

    def show_fulltext(self, item: Item | None, anchor: str | None = None) -> None:
        """Show ``item``'s full text when kb holds one (read from the store; marked as used), at ``anchor``."""
        text = None
        links: list[tuple[str, str]] = []
        if item is not None and item.kind is Kind.PAPER:
            text = self.kb.library.fulltexts.get(item.id)
            if text is not None:
                links = [(n.path, a) for n, anchors in self.kb.library.linked_sections(item.id) for a in anchors]
        shown = item.id if item is not None else None
        if anchor is None and shown == self.showing:
            anchor = self.pending_anchor  # the same paper shown again before its jump was made: keep the jump
        self.showing, self.pending_anchor = shown, anchor
        linked = frozenset(i for _, a in links if text is not None and (i := section_index(text, a)) is not None)
        self.outline.show(text, linked)
        self.call_later(self._show_body, text, links, anchor)
        if text is not None:
            fulltexts = self.kb.library.fulltexts
            self.run_worker(lambda: fulltexts.mark_used([text.item_id]), thread=True, exit_on_error=False)

    async def _show_body(self, text: FullText | None, links: list[tuple[str, str]], anchor: str | None) -> None:
        if (text, links) != (self.body.fulltext, self.body.links):
            await self.body.show(text, links)
        self.refresh_bindings()
        if anchor is None or anchor != self.pending_anchor:
            return  # no jump, or a later call made it
        self.pending_anchor = None
        index = self.body.index_of(anchor)
        if index is None:
            self.say(f"no section {anchor} in this paper's full text" if text else "kb holds no full text of it")
            return
        self.call_after_refresh(self._jump_when_laid_out, index, 50)

    def _jump_when_laid_out(self, index: int, tries: int) -> None:
        # The blocks were just mounted: until the reader has laid them out it cannot scroll to one.
        reader = self.query_one(Reader)
        if tries > 0 and (reader.max_scroll_y == 0 or not self.body.blocks[index].virtual_region.height):
            self.set_timer(0.02, lambda: self._jump_when_laid_out(index, tries - 1))
            return
        self.jump(index)

    def jump(self, index: int) -> None:
        """Scroll the reader to section ``index`` and highlight it in the outline."""
        blocks = self.body.blocks
        if not 0 <= index < len(blocks):
            return
        self.query_one(Reader).scroll_to_widget(blocks[index], top=True, animate=False)
        self.outline.highlighted = index

    def current_section(self) -> int | None:
        """The section at the top of the reader (None above the first)."""
        reader = self.query_one(Reader)
        top = reader.scroll_y + 1
        base = self.body.virtual_region.y
        current = None
        for index, block in enumerate(self.body.blocks):
            if base + block.virtual_region.y <= top:
                current = index
        return current

    def action_section(self, step: int) -> None:
        """The next or previous section of the full text."""
        blocks = self.body.blocks
        if not blocks:
            self.say("kb holds no full text of this item")
            return
        current = self.current_section()
        target = (0 if step > 0 else -1) if current is None else current + step
        if target < 0:
            self.query_one(Reader).scroll_home(animate=False)
            return
        self.jump(min(target, len(blocks) - 1))

    def action_outline(self) -> None:
        """Move between the outline and the text."""
        if not self.outline.display:
            self.say("kb holds no full text of this item")
        elif self.outline.has_focus:
            self.query_one(Reader).focus()
        else:
            self.outline.focus()

    def action_fetch_fulltext(self) -> None:
        """Fetch the shown paper's full text now, in a thread (the screen stays usable), then show it."""
        item = self.kb.library.item_or_none(self.showing) if self.showing else None
        if item is None or item.kind is not Kind.PAPER:
            self.say("only arXiv papers have a full text to fetch")
            return
        self.say(f"fetching the full text of {item.id}...")
        self.run_worker(
            lambda: self._fetch_fulltext(item), thread=True, group="fulltext", exclusive=True, exit_on_error=False
        )

    def _fetch_fulltext(self, item: Item) -> None:
        try:
            report = self.kb.library.fetch_fulltexts([item.id])
        except KbError as error:  # another fetch running, the paper gone: one line
            line = str(error)
        except Exception as error:  # a bug or an OS error: one line, never a dead screen
            line = f"full text not fetched: {type(error).__name__}: {error}"
        else:
            failed = dict(report.failed)
            got = report.fetched or report.held
            line = (
                f"full text of {item.id}: {failed[item.id]}"
                if item.id in failed
                else f"full text of {item.id}: {got[0].sections} section{'s' * (got[0].sections != 1)}, "
                f"from arXiv's {got[0].source.value.upper()}"
                if got
                else f"full text of {item.id} not fetched: {report.cut or 'nothing came'}"
            )
        self.app.call_from_thread(self._fetched, item, line)

    def _fetched(self, item: Item, line: str) -> None:
        self.say(line)
        if self.showing == item.id:
            self.show_fulltext(item)

    @on(Outline.Jump)
    def outline_jump(self, event: Outline.Jump) -> None:
        self.jump(event.index)
