"""Several rows at once (read above, read on screen, select and triage) with one undo, and copying to the clipboard."""

from __future__ import annotations

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.screens.inbox import InboxScreen
from tests.tui.helpers import notifications, settle


def inbox(app: KbApp) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def statuses(library: Library, ids: list[str]) -> list[Status]:
    return [item.status for item in library.items(ids)]


async def test_R_reads_everything_above_the_cursor_and_one_u_takes_it_back(app: KbApp, library: Library) -> None:
    ids = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j", "R")
        await settle(pilot)
        assert statuses(library, ids[:3]) == [Status.READ] * 3
        assert statuses(library, ids[3:]) == [Status.NEW] * (len(ids) - 3)
        assert "3 items above the cursor marked read" in notifications(app)
        assert inbox(app).items.cursor == 3  # the cursor stays
        await pilot.press("u")
        await settle(pilot)
        assert statuses(library, ids) == [Status.NEW] * len(ids)
        assert all(text.startswith("•") for text in inbox(app).items.row_texts())


async def test_A_reads_every_row_on_screen_and_one_u_takes_it_back(app: KbApp, library: Library) -> None:
    ids = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        shown = [item.id for item in inbox(app).items.on_screen()]
        assert 0 < len(shown) < len(ids)
        await pilot.press("A")
        await settle(pilot)
        assert statuses(library, shown) == [Status.READ] * len(shown)
        assert statuses(library, ids[len(shown) :]) == [Status.NEW] * (len(ids) - len(shown))
        await pilot.press("u")
        await settle(pilot)
        assert statuses(library, ids) == [Status.NEW] * len(ids)


async def test_v_selects_rows_that_one_key_then_triages_together(app: KbApp, library: Library) -> None:
    ids = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("v", "j", "v")  # rows 0 and 2
        texts = inbox(app).items.row_texts()
        assert "▶" in texts[0][:6] and "▶" not in texts[1][:6] and "▶" in texts[2][:6]
        await pilot.press("x")
        await settle(pilot)
        assert statuses(library, ids[:3]) == [Status.SKIPPED, Status.NEW, Status.SKIPPED]
        assert not inbox(app).items.selected  # done with them
        await pilot.press("v", "escape")  # escape unselects
        assert not inbox(app).items.selected
        await pilot.press("u")
        await settle(pilot)
        assert statuses(library, ids[:3]) == [Status.NEW] * 3
        # Star: all of them; again: none of them.
        await pilot.press("g", "v", "v", "s")
        await settle(pilot)
        assert [item.starred for item in library.items(ids[:2])] == [True, True]


async def test_y_copies_the_id_the_url_or_the_bibtex_entry(app: KbApp, library: Library) -> None:
    first = library.list_items(ItemFilter(status=Status.NEW, kind=None))[0]
    paper = library.get_item("arxiv:1706.03762")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("y", "i")
        await settle(pilot)
        assert app.clipboard == first.id
        # No terminal here (headless): the text is shown to copy by hand.
        assert f"select and copy the id here:\n{first.id}" in notifications(app)
        inbox(app).reveal(paper.id)
        await pilot.press("y", "u")
        await settle(pilot)
        assert app.clipboard == paper.url
        await pilot.press("y", "b")
        await settle(pilot)
        assert app.clipboard.startswith("@") and "Attention Is All You Need" in app.clipboard
        assert "1706.03762" in app.clipboard
        await pilot.press("y", "escape")
        await settle(pilot)
        assert "Attention" in app.clipboard  # cancelled: unchanged
