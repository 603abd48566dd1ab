"""Sources: every configured source with how its last fetch went; fetching from the TUI in the background."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from filelock import FileLock
from textual.widgets import DataTable

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.screens.inbox import InboxScreen
from kb.tui.screens.sources import SourcesScreen
from tests.support.fixture_workspace import LILLOG, entry_count
from tests.support.httpserver import HttpServer
from tests.support.inside import store_of
from tests.support.workspace import FIXTURES
from tests.tui.conftest import add_feed
from tests.tui.helpers import notifications, screen_text, settle, until


async def sources(pilot: object, app: KbApp) -> SourcesScreen:
    await pilot.press("5")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, SourcesScreen)
    return screen


async def test_every_source_is_listed_with_its_last_fetch(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await sources(pilot, app)
        table = screen.query_one(DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            "arxiv",
            "testing",
            "Lil'Log",
            "Hostile",
        ]
        text = screen_text(app)
        assert "arXiv daily" in text and "arXiv search" in text and "feed" in text
        assert "never" not in text  # all four fetched when the workspace was filled
        assert f"{entry_count(FIXTURES / LILLOG)} new" in text  # Lil'Log's last run: every item of its feed


async def test_f_fetches_the_source_under_the_cursor_while_triage_goes_on(
    app: KbApp, library: Library, workspace: Path, tui_server: HttpServer
) -> None:
    gate = threading.Event()
    add_feed(workspace, tui_server, "Slow", f"/blogs/slow-{workspace.parent.name}", ["One", "Two"], gate=gate)
    library.config = Library.open(workspace).config  # feeds.yaml changed: what `kb` would read at start
    first = library.list_items(ItemFilter(status=Status.NEW, limit=1))[0]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await sources(pilot, app)
        await pilot.press("G")
        assert screen.selected_source() == "Slow"
        await pilot.press("f")
        await pilot.pause()  # the key's action has run
        assert app.fetcher.running
        await pilot.press("1", "s")  # triage in the inbox while the feed is slow to answer
        await pilot.pause()
        assert app.fetcher.running
        await until(
            pilot, lambda: (item := library.item_or_none(first.id)) is not None and item.starred
        )  # stored while the fetch waits
        assert app.fetcher.running
        gate.set()
        await until(pilot, lambda: not app.fetcher.running)
        await settle(pilot)
        assert "2 new, 0 updated from 1 source" in notifications(app)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        # At the top (below an undated post, filed under when kb first saw it: today).
        await until(
            pilot, lambda: inbox.items.pages is not None and "Two" in [i.title for i in inbox.items.pages.items[:2]]
        )
        screen = await sources(pilot, app)
        assert "Slow: 2 new, 0 updated" in screen_text(app)


async def test_a_failing_source_shows_its_problem(
    app: KbApp, library: Library, workspace: Path, tui_server: HttpServer
) -> None:
    add_feed(workspace, tui_server, "Broken", f"/blogs/broken-{workspace.parent.name}", ["x"], status=500)
    library.config = Library.open(workspace).config
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await sources(pilot, app)
        await pilot.press("a")  # every source
        await until(pilot, lambda: "1 failed: Broken" in notifications(app), timeout=20)
        await settle(pilot)
        text = screen_text(app)
        assert "Broken" in text and "500" in text


async def test_a_fetch_that_cannot_start_says_why_and_the_app_goes_on(app: KbApp) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.wiring.start_fetch(["no-such-source"])
        await until(pilot, lambda: "no source named 'no-such-source'" in notifications(app))
        await pilot.press("j")
        assert app.is_running and not app.fetcher.running


@pytest.mark.slow
async def test_a_fetch_stands_down_when_cron_holds_the_lock(app: KbApp, workspace: Path) -> None:
    lock = FileLock(str(workspace / ".kb" / "fetch.lock"))
    lock.acquire()
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await until(pilot, lambda: "another kb fetch is running" in notifications(app), timeout=15)
            assert app.is_running
    finally:
        lock.release()


async def test_the_sources_screen_lists_what_kb_may_have_missed(app: KbApp, library: Library) -> None:
    from kb.models import SourceKind, SourceResult, UpsertReport

    for _ in range(2):  # a saved search left incomplete twice in a row (arXiv's empty pages)
        run = store_of(library).start_run()
        result = SourceResult(source="testing", kind=SourceKind.ARXIV_QUERY, complete=False, http_status=200)
        store_of(library).record_source(run, result, UpsertReport())
        store_of(library).finish_run(run)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await sources(pilot, app)
        await settle(pilot)
        text = screen_text(app)
        assert "possible gaps" in text and "kb fetch --repair" in text
        assert "search:" in text and "testing" in text


async def test_each_source_shows_its_unread_count_and_enter_opens_its_inbox(app: KbApp, library: Library) -> None:
    expected = {
        name: library.count_items(ItemFilter(status=Status.NEW, source=name))
        for name in ("arxiv", "testing", "Lil'Log", "Hostile")
    }
    assert all(expected.values())
    assert library.unread_by_source() == {**library.unread_by_source(), **expected}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await sources(pilot, app)
        table = screen.query_one(DataTable)
        counts = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert counts == {name: f"{count:,}" for name, count in expected.items()}
        await pilot.press("j", "j", "enter")  # Lil'Log: a name that needs quoting in the filter
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        assert inbox.query_text == 'status:new source:"Lil\'Log"'
        pages = inbox.items.pages
        assert pages is not None and len(pages) == expected["Lil'Log"]
        assert all("Lil'Log" in item.sources and item.status is Status.NEW for item in pages.items)
        assert inbox.items.has_focus
        # Triage there lowers the count the Sources screen shows.
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        left = expected["Lil'Log"] - 1
        assert str(table.get_row_at(2)[2]) == f"{left:,}"
