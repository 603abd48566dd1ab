"""A person's page (`P` in the reader): their papers and posts newest first, with your triage and notes."""

from __future__ import annotations

from rich.text import Text

from kb.library.people import PersonPage
from kb.models import Item
from kb.text import one_line
from kb.tui.render import KIND_LABELS
from kb.tui.screens.found import Entry, FoundScreen


class PersonScreen(FoundScreen):
    """One followed person."""

    SCREEN_TITLE = "Person"

    def __init__(self, name: str) -> None:
        super().__init__(one_line(name))
        self.person_name = name

    def load(self) -> tuple[Text, list[Entry]]:
        page = self.kb.library.person(self.person_name)
        entries = [Entry(item.id, item.kind, person_row(item, page)) for item in page.items]
        return person_heading(page), entries


def person_heading(page: PersonPage) -> Text:
    """Who, where kb follows them, and how much of theirs you triaged and noted."""
    counts = page.counts()
    where = ", ".join(source.kind for source in page.sources)
    text = Text(one_line(page.person.name), "bold")
    text.append(f" · {where} · {counts['items']} items: {counts['new']} new, {counts['read']} read, ", "dim")
    text.append(f"{counts['skipped']} skipped, {counts['starred']} starred, {counts['noted']} with notes", "dim")
    return text


def person_row(item: Item, page: PersonPage) -> Text:
    """An item as one or two lines: star, status, kind, date and title; then the notes on it."""
    text = Text()
    text.append("* " if item.starred else "  ", "bold")
    text.append(f"{item.status.value:<8}", "dim")
    text.append(f"{KIND_LABELS.get(item.kind, '?')} ", "dim")
    if item.dated:
        text.append(f"{item.dated:%Y-%m-%d} ", "dim")
    text.append(one_line(item.title) or item.id, "bold" if item.status.value == "new" else "")
    notes = page.notes.get(item.id, ())
    if notes:
        text.append("\n    notes: ", "dim")
        text.append(one_line(", ".join(note.path for note in notes)))
    return text
