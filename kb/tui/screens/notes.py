"""Notes: every note with its linked papers, a Markdown preview and backlinks; edit here or in $EDITOR."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Markdown, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from kb.errors import KbError
from kb.models import Note
from kb.text import counted, one_line, terminal_safe
from kb.tui.outside import edit_file
from kb.tui.screens.base import KbScreen
from kb.tui.screens.links import ChooseLink, Target, note_targets, target_label
from kb.tui.screens.prompts import TextPrompt
from kb.tui.widgets.footer import KbFooter


def body_of(text: str) -> str:
    """A note's text without its front matter (for the preview)."""
    if text.startswith("---\n") or text.startswith("---\r\n"):
        end = text.find("\n---", 3)
        if end >= 0:
            after = text.find("\n", end + 4)
            return text[after + 1 :] if after >= 0 else ""
    return text


class NotesScreen(KbScreen):
    """The notes folder, as a list with a preview and an editor."""

    SCREEN_TITLE = "Notes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit here"),
        Binding("E", "external", "$EDITOR"),
        Binding("c", "create", "New note"),
        Binding("L", "follow", "Follow link", show=False),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "stop_editing", "Stop editing", show=False),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("g", "move(-1000000)", "First", show=False),
        Binding("G", "move(1000000)", "Last", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[Note] = []
        self.path: str | None = None
        self.snapshot: Any = None  # opaque to the TUI: the library checks it on save
        self.saved_text = ""
        self._discard_armed = False
        self.targets: list[Target] = []  # the shown note's paper and section links (kb.tui.screens.links)

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="title")
        with Horizontal(id="notes-body"):
            yield OptionList(id="note-list")
            with Vertical(id="note-pane"):
                yield Static(Text(""), id="note-meta")
                with VerticalScroll(id="note-preview-scroll"):
                    yield Markdown("", id="note-preview", open_links=False)
                yield TextArea("", id="note-editor", language=None, soft_wrap=True)
        yield KbFooter()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#note-editor", TextArea)

    @property
    def editing(self) -> bool:
        return bool(self.editor.display)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Editing keys only while editing, browsing keys only while not (None hides them)."""
        if action in ("save", "stop_editing"):
            return True if self.editing else None
        if action in ("edit", "external", "create", "move", "follow"):
            return None if self.editing else True
        return True

    def _set_editing(self, on: bool) -> None:
        self.editor.display = on
        self.query_one("#note-preview-scroll").display = not on
        self.refresh_bindings()

    def on_mount(self) -> None:
        self.editor.display = False
        self.kb.notes_changed.subscribe(self, lambda _: self.reload())

    def on_screen_resume(self) -> None:
        self.kb.wiring.start()
        self.reload()
        self.kb.wiring.sync_notes()
        if not self.editing:
            self.query_one("#note-list", OptionList).focus()

    def reload(self) -> None:
        """List the notes again (after a sync), keeping the selection."""
        wanted = self.kb.wanted_note or self.path
        self.kb.wanted_note = None
        self.notes = sorted(self.kb.library.list_notes(), key=lambda note: note.path.lower())
        options = self.query_one("#note-list", OptionList)
        options.clear_options()
        options.add_options([Option(note_line(note), id=note.path) for note in self.notes])
        paths = [note.path for note in self.notes]
        self.query_one(".title", Static).update(self.title_text(counted(len(self.notes), "note")))
        if not paths:
            return
        index = paths.index(wanted) if wanted in paths else 0
        options.highlighted = index
        if not self.editing:
            self.preview(paths[index])

    @on(OptionList.OptionHighlighted, "#note-list")
    def note_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # Only the latest highlight counts: a reload may have moved it since this event was posted.
        latest = event.option_index == event.option_list.highlighted
        if event.option.id and latest and not self.editing and event.option.id != self.path:
            self.preview(event.option.id)

    @on(OptionList.OptionSelected, "#note-list")
    def note_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_external()

    def preview(self, path: str) -> None:
        """Show a note: its links, backlinks and body."""
        library = self.kb.library
        try:
            text, _snapshot = library.read_note(path)
        except KbError as error:
            self.fail(error)
            return
        self.path = path
        note = next((n for n in self.notes if n.path == path), None)
        self.targets = note_targets(body_of(text), note.papers if note else ())
        self.query_one("#note-meta", Static).update(self.meta_text(note, library.backlinks(path)))
        self.query_one("#note-preview", Markdown).update(terminal_safe(body_of(text)))

    def meta_text(self, note: Note | None, backlinks: list[Note]) -> Text:
        """Title, path, tags, linked papers (with their titles) and the notes that link here."""
        text = Text()
        if note is None:
            return text
        text.append(one_line(note.title) + "\n", "bold")
        text.append(note.path + ("  #" + " #".join(note.tags) if note.tags else "") + "\n", "dim")
        if note.front_matter_error:
            text.append(f"front matter: {one_line(note.front_matter_error)}\n", "red")
        papers = {item.id: item for item in self.kb.library.items(list(note.papers))}
        for paper in note.papers:
            title = one_line(papers[paper].title) if paper in papers and papers[paper].title else "(not fetched)"
            text.append(f"→ {paper} {title}\n")
        for target in self.targets:
            if target[1] is not None:
                text.append(f"→ {one_line(target_label(target), 120)}\n")
        for link in backlinks:
            text.append(f"← {one_line(link.title)} ({link.path})\n", "italic")
        return text

    def action_follow(self) -> None:
        """Open a paper the note links in the reader, at the section a section link names (asks when several)."""
        targets = list(dict.fromkeys(self.targets))
        if not targets:
            self.say("this note links no paper")
            return

        def follow(choice: int | None) -> None:
            if choice is None:
                return
            paper, anchor = targets[choice]
            item = self.kb.library.item_or_none(paper)
            if item is None:
                self.say(f"{paper} is not in the store yet: `kb fetch` fetches the papers notes link")
                return
            self.kb.open_item(item, None, anchor)

        if len(targets) == 1:
            follow(0)
        else:
            titles = {item.id: item.title for item in self.kb.library.items([paper for paper, _ in targets])}
            self.app.push_screen(ChooseLink(targets, titles), follow)

    # --- editing ------------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Move in the list of notes (clamped)."""
        options = self.query_one("#note-list", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(min(current + step, options.option_count - 1), 0)

    def action_edit(self) -> None:
        """Edit the note here (ctrl+s saves; a change on disk meanwhile is refused, never overwritten)."""
        if self.path is None:
            self.say("no note selected")
            return
        try:
            text, self.snapshot = self.kb.library.read_note(self.path)
        except KbError as error:
            self.fail(error)
            return
        self.saved_text = text
        self.editor.load_text(text)
        self._set_editing(True)
        self.editor.focus()

    def action_save(self) -> None:
        """Save the note being edited."""
        if not self.editing or self.path is None:
            return
        text, path, snapshot = self.editor.text, self.path, self.snapshot

        def saved(new_snapshot: Any) -> None:
            self.snapshot, self.saved_text = new_snapshot, text
            self.say(f"saved {path}")
            self.kb.notes_changed.publish([])

        # Saving re-indexes the note: off the event loop. A conflict (the file changed on disk) is refused and
        # notified; the text stays in the editor, so nothing is lost.
        self.kb.wiring.run_indexed(lambda: self.kb.library.save_note(path, text, snapshot), saved, "saving the note")

    def action_stop_editing(self) -> None:
        """Leave the editor (twice when there are unsaved changes)."""
        if not self.editing:
            return
        if self.editor.text != self.saved_text and not self._discard_armed:
            self._discard_armed = True
            self.say("unsaved changes: ctrl+s saves, escape again discards them")
            return
        self._discard_armed = False
        self._set_editing(False)
        self.query_one("#note-list", OptionList).focus()
        if self.path:
            self.preview(self.path)

    def action_external(self) -> None:
        """Open the note in $VISUAL/$EDITOR (the app steps aside until it exits)."""
        if self.path is None:
            self.say("no note selected")
            return
        try:
            edit_file(self.app, self.kb.library.note_file(self.path))
        except KbError as error:
            self.fail(error)
            return
        self.preview(self.path)
        self.kb.wiring.sync_notes()

    def action_create(self) -> None:
        """Create a note (asks for its title) and edit it here."""

        def created(path: str) -> None:
            self.kb.wanted_note = path
            self.reload()
            self.preview(path)
            self.action_edit()

        def made(title: str | None) -> None:
            if title:
                self.kb.wiring.run_indexed(lambda: self.kb.library.new_note(title), created, "new note")

        self.app.push_screen(TextPrompt("Title of the new note"), made)


def note_line(note: Note) -> Text:
    """A note in the list: title, and how many papers it links."""
    text = Text(one_line(note.title) or note.path, no_wrap=True, overflow="ellipsis")
    if note.papers:
        text.append(f"  {len(note.papers)}↗", "dim")
    if note.front_matter_error:
        text.append("  !", "red")
    return text
