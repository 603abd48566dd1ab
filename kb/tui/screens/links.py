"""Following a note's paper links from the Notes screen (issue 14): to the paper, or to a section of its full text.

``[[arxiv:2501.11120#3.2]]`` opens the reader at section 3.2 of the paper; a plain paper link opens the paper.
With several links a dialog asks which.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kb.notes import mask_code, section_links
from kb.text import one_line

#: A link to follow: the paper's id and the section it names (None: the paper itself).
Target = tuple[str, str | None]


def note_targets(body: str, papers: Sequence[str]) -> list[Target]:
    """What a note links, in order: its section links first, then each paper it links."""
    sections: list[Target] = [(link.paper, link.anchor) for link in section_links(body, mask_code(body))]
    return [*sections, *((paper, None) for paper in papers)]


def target_label(target: Target) -> str:
    paper, anchor = target
    return f"{paper} § {anchor}" if anchor else paper


class ChooseLink(ModalScreen[int | None]):
    """Pick one of a note's links; returns its place in the list."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, targets: Sequence[Target], titles: dict[str, str]) -> None:
        super().__init__()
        self.targets = list(targets)
        self.titles = titles

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Follow which link?"))
            yield OptionList(*(Option(self.line(t), id=str(n)) for n, t in enumerate(self.targets)))

    def line(self, target: Target) -> Text:
        return Text(f"{one_line(target_label(target), 100)}  {one_line(self.titles.get(target[0], ''), 80)}")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        """Close without following."""
        self.dismiss(None)
