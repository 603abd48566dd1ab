"""The reader: enter opens an item, r/x move on, links open in $BROWSER, n opens the note in $EDITOR."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.screens.inbox import InboxScreen
from kb.tui.screens.notes import NotesScreen
from kb.tui.screens.prompts import ChooseNote
from kb.tui.screens.reader import ReaderScreen
from kb.tui.widgets.reader import Reader
from tests.tui.conftest import script
from tests.tui.helpers import notifications, screen_text, settle, until


@pytest.fixture
def browser_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$BROWSER is a script that writes down the URLs it is given."""
    log = tmp_path / "browser.log"
    monkeypatch.setenv("BROWSER", str(script(tmp_path / "browser.sh", f'echo "$1" >> "{log}"')))
    return log


def inbox_to(app: KbApp, item_id: str) -> None:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    pages = screen.items.pages
    assert pages is not None
    pages.ensure(len(pages) - 1)
    index = pages.index_of(item_id)
    assert index is not None
    screen.items.move_to(index)


def reader_text(app: KbApp) -> str:
    return app.screen.query_one(Reader).text()


async def test_enter_opens_the_reader_and_r_reads_and_moves_on(app: KbApp, library: Library) -> None:
    expected = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, "arxiv:2606.01234")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        text = reader_text(app)
        assert "Self-Attention Networks for Schölkopf Kernels" in text
        assert "Ada Lovelace, Bernhard Schölkopf" in text
        assert "We study self-attention networks" in text
        assert "Reading list (reading-list.md)" in text  # the note that links it
        await pilot.press("r")
        await settle(pilot)
        assert library.get_item("arxiv:2606.01234").status is Status.READ
        following = expected[expected.index("arxiv:2606.01234") + 1]
        assert app.screen.query_one(Reader).item.id == following  # type: ignore[union-attr]
        await pilot.press("x")
        await settle(pilot)
        assert library.get_item(following).status is Status.SKIPPED
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        assert screen.items.current is not None
        assert screen.items.current.id == expected[expected.index(following) + 1]  # the inbox followed


async def test_a_post_reads_as_markdown(app: KbApp, library: Library) -> None:
    post = next(item for item in library.list_items(ItemFilter(source="Lil'Log")) if item.html and "<h" in item.html)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, post.id)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        reader = app.screen.query_one(Reader)
        assert reader.item is not None and reader.item.id == post.id
        markdown = reader.query_one(".reader-post").source  # type: ignore[attr-defined]
        assert "#" in markdown and "<p>" not in markdown
        assert "feed: Lil'Log" in screen_text(app)


async def test_o_and_p_open_the_pages_in_the_browser_but_never_a_javascript_link(
    app: KbApp, library: Library, browser_log: Path
) -> None:
    post = next(item for item in library.list_items(ItemFilter(source="Hostile")) if item.url.startswith("javascript"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        inbox_to(app, "arxiv:2606.01234")
        await pilot.press("o")
        await until(pilot, lambda: browser_log.exists() and len(browser_log.read_text().splitlines()) == 1)
        await pilot.press("p")
        await until(pilot, lambda: len(browser_log.read_text().splitlines()) == 2)
        inbox_to(app, post.id)
        await pilot.press("o")
        await until(pilot, lambda: "only http and https links are opened" in notifications(app))
    assert browser_log.read_text().splitlines() == [
        "https://arxiv.org/abs/2606.01234",
        "https://arxiv.org/pdf/2606.01234v1",
    ]


async def test_n_creates_the_note_from_the_template_and_opens_it_in_the_editor(
    app: KbApp, library: Library, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = script(tmp_path / "editor.sh", 'printf "\\nMy thoughts on [[attention]].\\n" >> "$1"')
    monkeypatch.setenv("VISUAL", str(editor))
    target = next(item for item in library.list_items(ItemFilter(status=Status.NEW)) if item.id.startswith("arxiv:24"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, target.id)
        await pilot.press("n")
        await settle(pilot)
        await settle(pilot)
        notes = library.notes_linking(target.id)
        assert len(notes) == 1
        text = (workspace / "notes" / notes[0].path).read_text(encoding="utf-8")
        assert text.rstrip().endswith("My thoughts on [[attention]].")
        assert target.id in text
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        assert target.id in screen.items.noted  # the ✎ mark
        # Pressing n again opens the same note, it does not make a second one.
        await pilot.press("n")
        await settle(pilot)
        await settle(pilot)
        assert [note.path for note in library.notes_linking(target.id)] == [notes[0].path]


async def test_b_opens_the_note_that_links_the_item_or_lets_the_person_choose(app: KbApp, workspace: Path) -> None:
    (workspace / "notes" / "second.md").write_text("# Second look\n\nAgain [[arxiv:1706.03762]].\n", encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, "arxiv:2606.01234")  # linked by one note: it opens
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert app.screen.path == "reading-list.md"
        await pilot.press("1")
        await settle(pilot)
        inbox_to(app, "arxiv:1706.03762")  # linked by two: the person picks
        await pilot.press("b")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, ChooseNote)
        paths = [note.path for note in chooser.notes]
        assert sorted(paths) == ["attention.md", "second.md"]
        await pilot.press(*["down"] * paths.index("attention.md"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert app.screen.path == "attention.md"
        assert "Scaled dot-product attention" in screen_text(app)
