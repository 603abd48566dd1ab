"""Small dialogs: tags with completion, a title for a new note, a choice among notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kb.models import Note
from kb.text import one_line


class TagSuggester(Suggester):
    """Completes the tag being typed (after the last comma) from the tags already in use."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.known = sorted(known)

    async def get_suggestion(self, value: str) -> str | None:
        _head, _comma, word = value.rpartition(",")
        typed = word.lstrip()
        if not typed:
            return None
        for tag in self.known:
            if tag.startswith(typed) and tag != typed:
                return value + tag[len(typed) :]
        return None


def split_tags(value: str) -> list[str]:
    """``"a, b ,c"`` -> ``["a", "b", "c"]``."""
    return [tag.strip() for tag in value.split(",") if tag.strip()]


class TagPrompt(ModalScreen[list[str] | None]):
    """Edit an item's tags: comma-separated, tab completes a tag already in use."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("tab", "complete", "Complete tag", priority=True),
    ]

    def __init__(self, current: Sequence[str], known: Sequence[str]) -> None:
        super().__init__()
        self.current = list(current)
        self.known = list(known)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Tags, comma-separated (tab completes, enter saves, escape cancels)"))
            yield Input(", ".join(self.current), suggester=TagSuggester(self.known), id="tags")

    def action_complete(self) -> None:
        """Accept the suggested completion."""
        field = self.query_one(Input)
        field.action_end()
        field.action_cursor_right()  # at the end, this takes the suggestion

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(split_tags(event.value))

    def action_cancel(self) -> None:
        """Close without changing the tags."""
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (a new note's title)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            yield Input(self.value, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)


class ChooseNote(ModalScreen[str | None]):
    """Pick one of several notes; returns its path."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, notes: Sequence[Note]) -> None:
        super().__init__()
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Notes that link this item"))
            yield OptionList(
                *(Option(Text(f"{one_line(note.title)}  ({note.path})"), id=note.path) for note in self.notes)
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


class CopyPrompt(ModalScreen[str | None]):
    """Which of an item's identifiers to copy: i the id, u the URL, b the BibTeX entry."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "choose('id')", "Copy the id"),
        Binding("u", "choose('url')", "Copy the URL"),
        Binding("b", "choose('bibtex')", "Copy the BibTeX entry"),
        Binding("escape,q", "choose('')", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Copy to the clipboard: i the id, u the URL, b the BibTeX entry (escape cancels)"))

    def action_choose(self, what: str) -> None:
        """Close with the choice ("" for none)."""
        self.dismiss(what or None)
