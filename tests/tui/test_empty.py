"""Empty lists say what to do next: fetch when nothing is stored or new, widen the filter when nothing matches."""

from __future__ import annotations

from pathlib import Path

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.screens.inbox import InboxScreen
from tests.support.httpserver import HttpServer
from tests.support.workspace import make_workspace
from tests.tui.helpers import screen_text, settle


def inbox(app: KbApp) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


async def test_a_new_workspace_says_to_fetch(tmp_path: Path, tui_server: HttpServer) -> None:
    root = make_workspace(tmp_path / "ws", tui_server)
    with Library.open(root) as library:
        app = KbApp(library)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "0 items" in text
            assert "nothing is fetched yet. f fetches every source" in text
        app.finish_writes()


async def test_an_inbox_all_triaged_says_to_fetch_or_change_the_filter(app: KbApp, library: Library) -> None:
    for item in library.list_items(ItemFilter(status=Status.NEW)):
        library.set_status(item.id, Status.READ)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "Nothing new: all triaged. f fetches new items; l changes the filter" in screen_text(app)


async def test_a_filter_with_no_match_says_how_to_widen_it(app: KbApp) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        inbox(app).show_filter("status:new tag:nosuchtag")
        await settle(pilot)
        text = screen_text(app)
        assert "Nothing matches 'status:new tag:nosuchtag'. l widens the filter" in text
        inbox(app).show_filter("zzzyzzx-no-such-word")  # a search
        await settle(pilot)
        assert "Nothing matches 'zzzyzzx-no-such-word'" in screen_text(app)
        inbox(app).show_filter("status:new")
        await settle(pilot)
        assert "Nothing matches" not in screen_text(app) and "Nothing new" not in screen_text(app)
