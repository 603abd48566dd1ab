"""The triage keys, shared by every screen that shows items (inbox, reader, search).

A screen says which item is current, how to advance, and how to show a changed copy; the keys do the rest:
store through :class:`kb.tui.triage.Triage`, tell every screen, open links and notes.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from textual.binding import Binding, BindingType

from kb.errors import KbError
from kb.library.formats.bib import bibtex
from kb.models import Item, Kind, Status
from kb.notes.editor import editor_command as find_editor
from kb.tui.clipboard import copy_text
from kb.tui.outside import check_url, edit_file, open_url
from kb.tui.screens.base import KbScreen
from kb.tui.screens.prompts import ChooseNote, CopyPrompt, TagPrompt
from kb.tui.wiring import Problem


class Navigator(Protocol):
    """A list an item was opened from: the reader asks it for the next one."""

    def step(self, item_id: str, direction: int) -> Item | None:
        """Move from ``item_id`` by ``direction`` rows; the item arrived at (None at an end)."""
        ...


class ItemScreen(KbScreen):
    """A screen with a current item and the triage keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "read", "Read+next"),
        Binding("x", "skip", "Skip+next"),
        Binding("s", "star", "Star"),
        Binding("t", "tag", "Tag"),
        Binding("u", "undo", "Undo"),
        Binding("o", "open_page", "Open page"),
        Binding("p", "open_pdf", "PDF"),
        Binding("n", "note", "Note"),
        Binding("b", "linked_notes", "Linked notes"),
        Binding("y", "copy", "Copy id/URL/BibTeX", show=False),
    ]

    # --- what a screen provides ---------------------------------------------------------------------

    def current_item(self) -> Item | None:
        """The item the keys act on."""
        raise NotImplementedError

    def chosen_items(self) -> list[Item]:
        """The items a triage key acts on: the selected rows where a screen has them, else the current item."""
        item = self.current_item()
        return [item] if item is not None else []

    def selection_done(self) -> None:
        """A triage key acted on the selected rows: unselect them (nothing by default)."""

    def advance(self) -> None:
        """Move on after read or skip (nothing by default)."""

    def show_item(self, item: Item) -> None:
        """Show a changed copy of ``item`` wherever this screen shows it."""

    def reveal(self, item_id: str) -> None:
        """Bring ``item_id`` under the cursor, if this screen lists it (after an undo)."""

    # --- wiring -------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.kb.item_changed.subscribe(self, self.show_item)

    def _item_or_say(self) -> Item | None:
        item = self.current_item()
        if item is None:
            self.say("no item selected")
        return item

    def _triage(self, advance: bool = False, **change: object) -> None:
        chosen = self.chosen_items()
        if not chosen:
            self.say("no item selected")
            return
        self.triage_many(chosen, **change)
        if len(chosen) > 1:
            self.selection_done()
            self.say(f"{len(chosen)} items changed (u undoes all of them)")
        elif advance:
            self.advance()

    def triage_many(self, items: list[Item], **change: object) -> None:
        """Change ``items`` as one action (one `u` undoes it) and show the new copies everywhere."""
        for updated in self.kb.triage.apply_many(items, **change):  # type: ignore[arg-type]
            self.kb.item_changed.publish(updated)

    # --- the keys -----------------------------------------------------------------------------------

    def action_read(self) -> None:
        """Mark read and go to the next item."""
        self._triage(advance=True, status=Status.READ)

    def action_skip(self) -> None:
        """Mark skipped and go to the next item."""
        self._triage(advance=True, status=Status.SKIPPED)

    def action_star(self) -> None:
        """Star or unstar (the selected rows: star them all, or unstar them when all are starred)."""
        chosen = self.chosen_items()
        self._triage(starred=not all(item.starred for item in chosen) if chosen else True)

    def action_tag(self) -> None:
        """Edit the tags, with completion of tags in use."""
        item = self._item_or_say()
        if item is None:
            return
        known = [tag for tag, _count in self.kb.library.all_tags()]

        def done(tags: list[str] | None) -> None:
            current = self.kb.library.item_or_none(item.id) or item
            if tags is not None:
                self.kb.item_changed.publish(self.kb.triage.apply(current, tags=tags))

        self.app.push_screen(TagPrompt(item.tags, known), done)

    def action_undo(self) -> None:
        """Take back the last triage action (any screen's)."""
        changes = self.kb.triage.undo()
        if changes is None:
            self.say("nothing to undo")
            return
        stored = {item.id: item for item in self.kb.library.items([change.item_id for change in changes])}
        for change in changes:
            item = stored.get(change.item_id)
            if item is not None:
                self.kb.item_changed.publish(change.before.on(item))
        if changes:
            self.reveal(changes[0].item_id)
        if len(changes) > 1:
            self.say(f"{len(changes)} items back as they were")

    def action_copy(self) -> None:
        """Copy the item's id, URL or BibTeX entry to the clipboard (then i, u or b)."""
        item = self._item_or_say()
        if item is not None:
            self.app.push_screen(CopyPrompt(), lambda what: self.copy_item(item, what) if what else None)

    def copy_item(self, item: Item, what: str) -> None:
        """Copy ``item``'s ``what`` ("id", "url", "bibtex") to the clipboard."""
        if what == "url":
            if not item.url:
                self.say("this item has no URL")
                return
            copy_text(self.app, item.url, "URL")
        elif what == "bibtex":
            copy_text(self.app, bibtex([item]).strip(), "BibTeX entry")
        else:
            copy_text(self.app, item.id, "id")

    def action_open_page(self) -> None:
        """Open the abstract page (or the post) in the browser."""
        item = self._item_or_say()
        if item is not None:
            self._browse(item.url)

    def action_open_pdf(self) -> None:
        """Open the PDF in the browser."""
        item = self._item_or_say()
        if item is not None:
            self._browse(item.pdf_url if item.kind is Kind.PAPER else None)

    def _browse(self, url: str | None) -> None:
        try:
            checked = check_url(url)
        except KbError as error:
            self.fail(error)
            return
        open_url(checked, lambda text: self.app.post_message(Problem(text)))
        self.say(f"opening {checked}")

    def action_note(self) -> None:
        """Open the item's note in $EDITOR (created from a template the first time)."""
        item = self._item_or_say()
        if item is None:
            return
        library = self.kb.library
        try:
            find_editor()  # first: a missing editor must not leave a new, unedited note behind
        except KbError as error:
            self.fail(error)
            return

        def edit(path: str) -> None:
            try:
                edit_file(self.app, library.note_file(path))
            except KbError as error:
                self.fail(error)
            self.kb.wiring.sync_notes()

        # Finding or creating the note may sync notes and index them: off the event loop, then the editor.
        self.kb.wiring.run_indexed(lambda: library.note_for_paper(item.id), edit, "note")

    def action_linked_notes(self) -> None:
        """Open a note that links this item in the Notes screen (choosing when there are several)."""
        item = self._item_or_say()
        if item is None:
            return
        notes = self.kb.library.notes_linking(item.id)
        if not notes:
            self.say("no note links this item; `n` creates one")
        elif len(notes) == 1:
            self.kb.open_note(notes[0].path)
        else:
            self.app.push_screen(ChooseNote(notes), lambda path: self.kb.open_note(path) if path else None)
