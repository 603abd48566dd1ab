"""The inbox, driven through the real app on a workspace filled by the real fetch path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kb.library import Library
from kb.models import Item, ItemFilter, Kind, Status
from kb.tui.app import KbApp
from kb.tui.paging import PAGE_SIZE
from kb.tui.screens.inbox import InboxScreen
from kb.tui.screens.prompts import TagPrompt
from kb.tui.widgets.item_list import ItemList
from tests.support.httpserver import HttpServer
from tests.support.inside import store_of
from tests.tui.conftest import ESC_TITLE, ESCAPE_IDS, LINK_TITLE, MARKUP_TITLE, add_feed
from tests.tui.helpers import notifications, screen_segments, screen_text, settle, until

REPO = Path(__file__).resolve().parents[2]


def inbox(app: KbApp) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def items(app: KbApp) -> ItemList:
    return inbox(app).items


def rows(app: KbApp) -> list[Item]:
    """The inbox rows loaded so far."""
    pages = items(app).pages
    assert pages is not None
    return pages.items


def newest_first(library: Library) -> list[str]:
    return [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]


async def test_the_inbox_shows_new_items_newest_first_and_loads_one_page(
    workspace: Path, tui_server: HttpServer
) -> None:
    route = f"/blogs/bulk-{workspace.parent.name}"
    titles = [f"Bulk post {n}" for n in range(PAGE_SIZE)]  # more than a page in all, and older than the rest
    add_feed(workspace, tui_server, "Bulk", route, titles, day="Tue, 01 Jan 2019")
    with Library.open(workspace) as library:
        assert not library.fetch(["Bulk"]).failed
        expected = newest_first(library)
        app = KbApp(library)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            pages = items(app).pages
            assert pages is not None
            assert len(pages) == len(expected) > PAGE_SIZE
            assert len(pages.items) == PAGE_SIZE  # not every row: only what the screen may need soon
            assert [item.id for item in pages.items] == expected[:PAGE_SIZE]
            text = screen_text(app)
            assert f"status:new · {len(expected)} items · newest" in text
            assert "Lil'Log" in text  # a post shows its feed
            # A replacement (no publication date in the RSS) is filed under its announcement, not last.
            dates = [item.dated for item in library.items(expected)]
            assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
            assert expected[-1] != "arxiv:1706.03762"
        app.finish_writes()


async def test_cursor_keys_move_and_g_G_reach_both_ends(app: KbApp, library: Library) -> None:
    expected = newest_first(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "down", "k")
        assert items(app).cursor == 2
        await pilot.press("G")
        assert items(app).cursor == len(expected) - 1
        current = items(app).current
        assert current is not None and current.id == expected[-1]
        await settle(pilot)
        last = library.get_item(expected[-1])
        assert last.title[:15] in screen_text(app)
        await pilot.press("g")
        assert items(app).cursor == 0
        await pilot.press("pagedown")
        assert items(app).cursor > 10
        await pilot.press("up", "home")
        assert items(app).cursor == 0


async def test_read_and_skip_are_stored_at_once_and_advance(app: KbApp, library: Library, workspace: Path) -> None:
    expected = newest_first(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "r", "x")
        assert items(app).cursor == 3
        await settle(pilot)
        # Another connection (another process would see the same): stored, not just shown.
        with Library.open(workspace) as other:
            assert other.get_item(expected[1]).status is Status.READ
            assert other.get_item(expected[2]).status is Status.SKIPPED
            assert other.get_item(expected[3]).status is Status.NEW
        texts = items(app).row_texts()
        assert texts[1].startswith(" ") and texts[2].startswith("-") and texts[3].startswith("•")
        # The row stays where it was (a snapshot, as in a mail client): nothing jumps under the cursor.
        assert [item.id for item in rows(app)[:4]] == expected[:4]


async def test_star_toggles_and_undo_takes_back_the_last_actions(app: KbApp, library: Library) -> None:
    expected = newest_first(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert library.get_item(expected[0]).starred
        assert "★" in items(app).row_texts()[0]
        await pilot.press("r")  # read item 0, now on item 1
        await settle(pilot)
        assert library.get_item(expected[0]).status is Status.READ
        await pilot.press("u")  # takes back the read, and goes back to it
        await settle(pilot)
        assert library.get_item(expected[0]).status is Status.NEW
        assert library.get_item(expected[0]).starred
        assert items(app).cursor == 0
        await pilot.press("u")  # takes back the star
        await settle(pilot)
        assert not library.get_item(expected[0]).starred
        await pilot.press("u")
        await settle(pilot)
        assert "nothing to undo" in notifications(app)


async def test_t_edits_tags_with_completion_of_tags_in_use(app: KbApp, library: Library) -> None:
    expected = newest_first(library)
    library.set_tags(expected[5], ["transformers", "Reading Group"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPrompt)
        await pilot.press("t", "r", "a")
        await settle(pilot)
        await pilot.press("tab")
        await pilot.press(*", new-tag")
        await pilot.press("enter")
        await settle(pilot)
        assert library.get_item(expected[0]).tags == ("new-tag", "transformers")
        assert "#transformers" in screen_text(app)  # the reader shows the tags
        await pilot.press("u")
        await settle(pilot)
        assert library.get_item(expected[0]).tags == ()


async def test_the_filter_line_narrows_by_store_fields_and_by_search(app: KbApp, library: Library) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("l")
        field = inbox(app).query_one("#filter")
        field.value = "kind:post"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        pages = items(app).pages
        assert pages is not None and len(pages) == library.count_items(ItemFilter(kind=Kind.POST))
        assert all(item.kind is Kind.POST for item in pages.items)
        assert items(app).has_focus
        # Anything else is a search, in the same language as `kb search`, run in a worker.
        await pilot.press("l")
        field.value = "cat:cs.CR"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        found = rows(app)
        assert set(ESCAPE_IDS) <= {item.id for item in found}
        assert all("cs.CR" in item.categories for item in found)
        assert f"cat:cs.CR · {len(found)} items" in screen_text(app)
        # A bad value: one readable error, and the list stays as it was.
        await pilot.press("l")
        field.value = "status:maybe"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert "status:maybe: expected new|read|skipped|all" in notifications(app)
        assert rows(app) == found
        # S cycles newest, for you and (for a search filter only) best match.
        await pilot.press("S", "S")
        await settle(pilot)
        assert inbox(app).sort == "relevance" and "· relevance" in screen_text(app)
        inbox(app).apply_filter("kind:post")
        await settle(pilot)
        assert inbox(app).sort == "newest"  # a store filter has no best match
        await pilot.press("S", "S")
        await settle(pilot)
        assert inbox(app).sort == "newest" and "· newest" in screen_text(app)


async def test_hostile_titles_show_as_text_and_no_escape_reaches_the_terminal(app: KbApp) -> None:
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for title in (MARKUP_TITLE, LINK_TITLE):
            assert title[:40] in text
        assert ESC_TITLE.replace("\x1b", "\ufffd") in text
        assert "\ufffd]52;c;aGVsbG8=" in text
        for line in screen_segments(app):
            for segment in line:
                assert "\x1b" not in segment.text and "\x07" not in segment.text
                assert segment.style is None or not segment.style.link
        # The markup post in the reader: its text as text, its javascript: link gone.
        pages = items(app).pages
        assert pages is not None
        index = next(i for i, item in enumerate(pages.items) if item.title == MARKUP_TITLE)
        items(app).move_to(index)
        await until(pilot, lambda: "Text with [b]brackets[/b] and js" in screen_text(app))  # the reader followed
        assert app.is_running  # "[@click=app.quit]" did nothing


async def test_the_inbox_is_usable_at_80x24(app: KbApp, library: Library) -> None:
    expected = newest_first(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app).splitlines()
        assert len(text) == 24
        assert text[0].startswith(" kb · Inbox")
        assert "r Read+next" in text[-1]
        rows = [line for line in text if line.startswith("•")]
        assert len(rows) >= 8
        await pilot.press("j", "r")
        await settle(pilot)
        assert library.get_item(expected[1]).status is Status.READ
        assert "Ada Lovelace" in screen_text(app) or "id: " in screen_text(app)  # the reader below the list


def cron_fetch(root: Path, source: str) -> subprocess.CompletedProcess[str]:
    """`kb fetch -q --source NAME` as cron runs it: another process on the same workspace."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KB_DEBUG", None)
    command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), "fetch", "-q", "--source", source]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)


async def test_items_a_cron_fetch_stores_appear_without_moving_the_cursor(
    library: Library, workspace: Path, tui_server: HttpServer
) -> None:
    app = KbApp(library, poll_seconds=0.2)  # looks at the store often, so the test need not wait long
    route = f"/blogs/cron-{workspace.parent.name}"
    add_feed(workspace, tui_server, "Cron", route, ["Fresh one", "Fresh two", "Fresh three"])
    async with app.run_test(
        size=(120, 20), notifications=True
    ) as pilot:  # fewer rows on screen than items: the list scrolls
        await settle(pilot)
        await pilot.press(*"jjjjj")
        list_widget = items(app)
        under_cursor = list_widget.current
        assert under_cursor is not None
        on_screen_row = list_widget.cursor - list_widget.scroll_offset.y
        result = cron_fetch(workspace, "Cron")
        assert result.returncode == 0, result.stderr
        await until(pilot, lambda: len(list_widget.pages or []) == len(newest_first(library)))
        await settle(pilot)
        assert list_widget.current is not None and list_widget.current.id == under_cursor.id
        assert list_widget.cursor - list_widget.scroll_offset.y == on_screen_row
        titles = [item.title for item in rows(app)[:4]]  # an undated post may be newer: first seen
        assert [title for title in titles if title.startswith("Fresh")] == ["Fresh three", "Fresh two", "Fresh one"]
        assert "3 new items in the inbox" in notifications(app)
    app.finish_writes()


async def test_the_inbox_counts_muted_items_by_rule_and_M_shows_them(app: KbApp, library: Library) -> None:
    from dataclasses import replace

    from kb.config import MuteRule

    library.config = replace(library.config, mute=(MuteRule(title="kernels"),))
    paper = library.get_item("2606.01234")  # "Self-Attention Networks for Schölkopf Kernels"
    store_of(library).set_status(paper.id, Status.SKIPPED, now=paper.first_seen)  # as fetch files a muted arrival
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert "1 muted (M shows them)" in screen_text(app)
        await pilot.press("M")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen) and inbox.items.pages is not None
        assert [item.id for item in inbox.items.pages.items] == [paper.id]
        assert "title: kernels: 1" in notifications(app)


async def test_the_cursor_row_stays_on_screen_when_the_terminal_shrinks(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*["j"] * 30)
        await settle(pilot)
        listing = items(app)
        assert listing.cursor == 30
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await settle(pilot)
        height = listing.scrollable_content_region.height
        assert 0 < height < 30
        assert listing.scroll_y <= listing.cursor < listing.scroll_y + height  # no key pressed since
