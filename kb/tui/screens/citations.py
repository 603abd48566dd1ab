"""The citations of the paper in the reader (`C`): its references and the papers citing it, as kb stored them.

Only what the store holds is shown, so opening the screen never waits for the network: `kb fetch` keeps the
lists of starred, tagged and noted papers fresh, and `kb citations ID` fetches any paper's. Papers the
workspace holds are marked ● and open in the reader with enter. Titles come from Semantic Scholar, a
stranger's text: they reach the screen as plain Text on one line, never as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kb.library.citations import Link, PaperCitations
from kb.models import Item
from kb.text import one_line
from kb.tui.screens.base import KbScreen

IN_WORKSPACE = "●"


def link_line(link: Link, width: int = 110) -> Text:
    """One entry: the mark, the year, the arXiv id (or DOI) and the title, inert."""
    p = link.paper
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{IN_WORKSPACE if link.item_id else ' '} ", "bold green" if link.item_id else "")
    text.append(f"{p.year or '----'} ", "dim")
    where = p.arxiv_id.removeprefix("arxiv:") if p.arxiv_id else (f"doi:{p.doi}" if p.doi else "-")
    text.append(f"{one_line(where, 22):<22} ", "cyan" if p.arxiv_id else "dim")
    text.append(one_line(p.title or "(no title)", width))
    return text


def citation_options(shown: PaperCitations | None) -> list[Option]:
    """The list's lines: a heading per list, then its entries (those in the workspace selectable by item id)."""
    if shown is None:
        hint = "No citations stored for this paper yet: star it and `kb fetch`, or run `kb citations ID`."
        return [Option(Text(hint), disabled=True)]
    if shown.lists.not_found:
        return [Option(Text("Semantic Scholar does not know this paper."), disabled=True)]
    options: list[Option] = []
    for name, links in (("References", shown.references), ("Cited by", shown.citations)):
        inside = sum(1 for link in links if link.item_id)
        options.append(
            Option(Text(f"{name} ({len(links)}, {inside} in this workspace {IN_WORKSPACE})", "bold"), disabled=True)
        )
        for number, link in enumerate(links):
            key = f"{name[0]}{number}:{link.item_id}" if link.item_id else None
            options.append(Option(link_line(link), id=key, disabled=link.item_id is None))
    return options


class CitationsScreen(KbScreen):
    """References and citing papers of one paper; enter opens one the workspace holds."""

    SCREEN_TITLE = "Citations"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "back", "Back")]

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        shown = self.kb.library.citations(self.item.id, network=False)
        fetched = shown.lists.fetched_at if shown else None
        detail = f"{self.item.id}" + (f" · fetched {fetched:%Y-%m-%d}" if fetched else "")
        yield Static(self.title_text(detail), classes="title")
        yield Static(Text(one_line(self.item.title, 200), "bold"))
        yield OptionList(*citation_options(shown), id="citations")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def open_paper(self, event: OptionList.OptionSelected) -> None:
        """Enter on a paper of the workspace: back to the reader, showing it."""
        item_id = (event.option.id or "").partition(":")[2]
        item = self.kb.library.item_or_none(item_id) if item_id else None
        if item is not None:
            self.app.pop_screen()
            self.kb.open_item(item, None)

    def action_back(self) -> None:
        self.app.pop_screen()
