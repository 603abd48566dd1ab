"""Triage done elsewhere (the CLI, another TUI: another Library on the same workspace) shows in the open app."""

from __future__ import annotations

from pathlib import Path

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.screens.inbox import InboxScreen
from kb.tui.screens.reader import ReaderScreen
from kb.tui.screens.search import SearchScreen
from kb.tui.widgets.reader import Reader
from tests.tui.helpers import settle, until


def row(app: KbApp, item_id: str) -> str:
    screen = app.get_screen("inbox") if not isinstance(app.screen, InboxScreen) else app.screen
    assert isinstance(screen, InboxScreen)
    pages = screen.items.pages
    assert pages is not None
    index = pages.index_of(item_id)
    assert index is not None
    return screen.items.row_texts()[index]


async def test_triage_from_another_library_shows_in_the_open_inbox_and_reader(
    library: Library, workspace: Path
) -> None:
    first, second = library.list_items(ItemFilter(status=Status.NEW, limit=2))
    app = KbApp(library, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert row(app, first.id).startswith("• ")
        with Library.open(workspace) as other:  # as `kb read` or a second TUI would
            other.set_status(first.id, Status.READ)
            other.set_starred(second.id, True)
        await until(pilot, lambda: row(app, first.id).startswith("  "))  # read: no • any more
        await until(pilot, lambda: row(app, second.id).startswith("•★"))
        # The reader screen shows the item as stored now, too.
        app.open_item(second, None)
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        with Library.open(workspace) as other:
            other.set_tags(second.id, ["elsewhere"])
        await until(pilot, lambda: "#elsewhere" in app.screen.query_one(Reader).text())
    app.finish_writes()


async def test_triage_from_another_library_shows_in_the_search_results(library: Library, workspace: Path) -> None:
    app = KbApp(library, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"attention")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await until(pilot, lambda: screen.shown_query == "attention" and bool(screen.items))
        index, hit = next((n, hit) for n, hit in enumerate(screen.hits) if hit.id in screen.items)
        assert str(screen.hit_list.get_option_at_index(index).prompt).startswith("• ")
        with Library.open(workspace) as other:
            other.set_status(hit.id, Status.SKIPPED)
            other.set_starred(hit.id, True)
        await until(pilot, lambda: str(screen.hit_list.get_option_at_index(index).prompt).startswith("-★"))
    app.finish_writes()
