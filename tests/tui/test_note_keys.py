"""`n` opens the item's own note (papers and posts alike), `b` finds it, and a missing editor leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.library import Library
from kb.models import ItemFilter, Kind
from kb.tui.app import KbApp
from kb.tui.screens.notes import NotesScreen
from tests.tui.conftest import script
from tests.tui.helpers import settle
from tests.tui.test_reader import inbox_to


async def press_n(pilot: object, app: KbApp) -> None:
    await pilot.press("n")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await settle(pilot)  # type: ignore[arg-type]


async def test_n_on_a_paper_never_writes_into_a_note_that_only_links_it(
    app: KbApp, library: Library, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # reading-list.md links 2606.01234 in its body: a backlink, not the paper's note.
    before = (workspace / "notes" / "reading-list.md").read_text(encoding="utf-8")
    monkeypatch.setenv("VISUAL", str(script(tmp_path / "ed.sh", 'printf "\\nMine.\\n" >> "$1"')))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, "arxiv:2606.01234")
        await press_n(pilot, app)
    assert (workspace / "notes" / "reading-list.md").read_text(encoding="utf-8") == before
    [own] = library.owned_notes(library.get_item("2606.01234"))
    assert own.path != "reading-list.md"
    assert (workspace / "notes" / own.path).read_text(encoding="utf-8").rstrip().endswith("Mine.")


async def test_n_twice_on_a_post_opens_one_note_and_b_finds_it(
    app: KbApp, library: Library, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", str(script(tmp_path / "ed.sh", 'printf "\\nOn agents.\\n" >> "$1"')))
    post = library.list_items(ItemFilter(kind=Kind.POST, source="Lil'Log"))[0]
    before = {path.name for path in (workspace / "notes").iterdir()}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, post.id)
        await press_n(pilot, app)
        await press_n(pilot, app)
        created = {path.name for path in (workspace / "notes").iterdir()} - before
        assert len(created) == 1
        [name] = created
        assert (workspace / "notes" / name).read_text(encoding="utf-8").count("On agents.") == 2
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen) and app.screen.path == name
    assert post.id in {hit.id for hit in library.search("has:note").hits}


async def test_a_missing_editor_is_a_notification_and_leaves_no_note(
    app: KbApp, library: Library, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = library.list_items(ItemFilter(kind=Kind.PAPER))
    target = next(item for item in papers if item.title and not library.notes_for_paper(item.id))
    monkeypatch.setenv("VISUAL", "")
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    before = sorted(path.name for path in (workspace / "notes").iterdir())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, target.id)
        await press_n(pilot, app)
        messages = [(n.message, n.severity) for n in app._notifications]
        assert any("/nonexistent/editor" in text and severity == "error" for text, severity in messages), messages
    assert sorted(path.name for path in (workspace / "notes").iterdir()) == before
