"""The `?` screen: every key of the screen beneath, generated from its bindings (never written by hand)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from kb.tui.keys import screen_keys


def keys_table(screen: Screen[object]) -> Table:
    """A table of key, what it does, and where it applies."""
    table = Table(box=None, expand=True, show_header=True, header_style="bold")
    table.add_column("key", no_wrap=True)
    table.add_column("does")
    table.add_column("where", style="dim", no_wrap=True)
    for key in sorted(screen_keys(screen), key=lambda k: (k.where == "everywhere", k.where)):
        table.add_row(Text(key.keys), Text(key.description), Text(key.where))
    return table


class HelpScreen(ModalScreen[None]):
    """Keys of the screen it was opened over."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, beneath: Screen[object]) -> None:
        super().__init__()
        self.table = keys_table(beneath)
        self.title_line = Text(f"Keys: {getattr(beneath, 'SCREEN_TITLE', '') or 'kb'}", "bold")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(self.title_line)
            yield Static(self.table, id="help-keys")
            yield Static(Text("ctrl+p opens the command palette: every action above, by name.", "dim"))

    def action_close(self) -> None:
        """Back to the screen."""
        self.dismiss(None)
