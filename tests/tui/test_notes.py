"""Notes: list, preview, backlinks, editing in place with conflict detection, $EDITOR, new notes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import TextArea

from kb.library import Library
from kb.tui.app import KbApp
from kb.tui.screens.notes import NotesScreen
from kb.tui.screens.prompts import TextPrompt
from tests.tui.conftest import NOTES, script
from tests.tui.helpers import notifications, screen_text, settle


async def open_notes(pilot: object, app: KbApp, path: str) -> NotesScreen:
    app.open_note(path)
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, NotesScreen)
    assert screen.path == path
    return screen


async def test_the_notes_screen_lists_notes_with_links_backlinks_and_a_preview(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NotesScreen)
        assert [note.path for note in screen.notes] == ["attention.md", "reading-list.md"]  # not the guide README.md
        await open_notes(pilot, app, "attention.md")
        text = screen_text(app)
        assert "→ arxiv:1706.03762 Attention Is All You Need" in text  # linked paper, with its title
        assert "← Reading list (reading-list.md)" in text  # backlink
        assert "Scaled dot-product attention" in text  # preview of the body
        assert "papers: [arxiv" not in text  # front matter is not previewed as text
        await pilot.press("down")
        await settle(pilot)
        assert screen.path == "reading-list.md"


async def test_edit_in_place_and_save_writes_the_file(app: KbApp, workspace: Path, library: Library) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_notes(pilot, app, "reading-list.md")
        await pilot.press("e")
        await settle(pilot)
        editor = screen.query_one(TextArea)
        assert editor.has_focus and editor.text == NOTES["reading-list.md"]
        editor.move_cursor(editor.document.end)
        await pilot.press(*"- [[new]] 1706.03762")  # digits and q go into the text, not to the app keys
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = (workspace / "notes" / "reading-list.md").read_text(encoding="utf-8")
        assert saved == NOTES["reading-list.md"] + "- [[new]] 1706.03762"
        assert "saved reading-list.md" in notifications(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.editing
        assert library.search("new").total >= 0  # the index took the note without complaint


async def test_a_note_changed_on_disk_while_editing_is_never_overwritten(app: KbApp, workspace: Path) -> None:
    note = workspace / "notes" / "attention.md"
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_notes(pilot, app, "attention.md")
        await pilot.press("e")
        await settle(pilot)
        note.write_text("changed elsewhere\n", encoding="utf-8")
        os.utime(note, ns=(1, 1))  # a different mtime even on coarse clocks
        editor = screen.query_one(TextArea)
        editor.insert("mine ")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert note.read_text(encoding="utf-8") == "changed elsewhere\n"
        messages = notifications(app)
        assert "changed" in messages.lower()
        assert screen.editing and editor.text.startswith("mine ")  # nothing typed is lost
        await pilot.press("escape")  # unsaved: the first escape warns
        assert screen.editing
        await pilot.press("escape")
        assert not screen.editing


async def test_E_opens_the_note_in_the_editor_and_rereads_it(
    app: KbApp, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", str(script(tmp_path / "ed.sh", 'printf "\\nAdded in vi.\\n" >> "$1"')))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_notes(pilot, app, "attention.md")
        await pilot.press("E")
        await settle(pilot)
        assert (workspace / "notes" / "attention.md").read_text(encoding="utf-8").endswith("Added in vi.\n")
        assert "Added in vi." in screen_text(app)


async def test_c_creates_a_note_and_opens_it_for_editing(app: KbApp, workspace: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"Ideas: part 1", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NotesScreen)
        assert screen.editing and screen.path is not None
        created = workspace / "notes" / screen.path
        assert created.is_file() and "Ideas: part 1" in created.read_text(encoding="utf-8")
        assert screen.path in [note.path for note in screen.notes]


async def test_notes_written_outside_kb_appear_when_the_terminal_regains_focus(app: KbApp, workspace: Path) -> None:
    from textual import events

    from tests.tui.helpers import until

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "Written elsewhere" not in screen_text(app)
        (workspace / "notes" / "elsewhere.md").write_text(
            "# Written elsewhere\n\nFrom another editor, about zyzzogetons.\n"
        )
        app.post_message(events.AppFocus())
        await until(pilot, lambda: "Written elsewhere" in screen_text(app))
        await settle(pilot)
        assert [hit.id for hit in app.library.search("zyzzogeton").hits] == ["note:elsewhere.md"]
