"""Search: live results as you type, debounced and off the event loop; enter opens a paper, post or note."""

from __future__ import annotations

import time

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from kb.library import Library
from kb.models import Kind, Status
from kb.tui.app import KbApp
from kb.tui.screens.notes import NotesScreen
from kb.tui.screens.reader import ReaderScreen
from kb.tui.screens.search import SearchScreen
from tests.tui.helpers import screen_text, settle, until


async def query(pilot: Pilot[None], text: str) -> SearchScreen:
    """Go to search and put ``text`` in the box (as a paste would: one change, debounced like typing)."""
    await pilot.press("slash")
    screen = search_screen(pilot.app)  # type: ignore[arg-type]
    screen.box.value = text
    await until(pilot, lambda: screen.shown_query == text)
    return screen


def search_screen(app: KbApp) -> SearchScreen:
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    return screen


async def test_slash_opens_search_and_results_come_as_you_type(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        screen = search_screen(app)
        assert screen.box.has_focus
        started = time.monotonic()
        await pilot.press(*"attention")
        typed = time.monotonic() - started
        assert screen.box.value == "attention"  # every key reached the box: typing never waits on a search
        assert typed < 2.0
        await until(pilot, lambda: bool(screen.hits))
        await settle(pilot)
        kinds = {hit.kind for hit in screen.hits}
        assert {Kind.PAPER, Kind.NOTE} <= kinds
        text = screen_text(app)
        assert "hits ·" in text and "Attention notes" in text
        # The match is highlighted in the snippets (the marks themselves never show).
        options = screen.hit_list
        prompt = options.get_option_at_index(0).prompt
        assert any(span.style == "reverse" for span in prompt.spans)  # type: ignore[union-attr]
        assert "\ue000" not in text and "\ue001" not in text


async def test_only_the_last_query_is_shown(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        screen = search_screen(app)
        screen.box.focus()
        await pilot.press(*"kernel")
        await pilot.press(*["backspace"] * 6, *"bert")
        await until(pilot, lambda: bool(screen.hits))
        await settle(pilot)
        assert screen.box.value == "bert"
        assert "kernels" not in screen_text(app).lower().split("hits")[0]


async def test_enter_opens_a_paper_in_the_reader_and_its_keys_work(app: KbApp, library: Library) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await query(pilot, "schölkopf")
        await pilot.press("enter")  # from the box to the hits
        await settle(pilot)
        assert screen.hit_list.has_focus
        assert screen.hits[0].id == "arxiv:2606.01234"
        await pilot.press("s")  # triage keys work on the highlighted hit
        await settle(pilot)
        assert library.get_item("arxiv:2606.01234").starred
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "Self-Attention Networks for Schölkopf Kernels" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert library.get_item("arxiv:2606.01234").status is Status.READ


async def test_enter_on_a_note_hit_opens_the_note(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await query(pilot, "kind:note scaled")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert app.screen.path == "attention.md"


async def test_S_sorts_by_date_a_blank_query_clears_and_a_bad_one_says_where(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await query(pilot, "testing")
        screen.hit_list.focus()
        await pilot.press("S")
        await until(pilot, lambda: "by date" in screen_text(app))
        dates = [hit.published for hit in screen.hits if hit.published]
        assert dates == sorted(dates, reverse=True)
        await pilot.press("slash")
        screen.query_one(Input).value = ""
        # the debounced search of the empty box clears the hits
        await until(pilot, lambda: screen.hits == [] and screen.query_one(OptionList).option_count == 0)
        await query(pilot, 'title:"unclosed')
        text = screen_text(app)
        assert screen.hits == [] and "unclosed" in text.lower()
        assert 'title:"unclosed\n' in text + "\n" and "^" in text.split('title:"unclosed', 1)[1]
        assert app.is_running


async def test_one_hit_is_counted_in_the_singular(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await query(pilot, "id:1706.03762 kind:paper")
        await until(pilot, lambda: len(screen.hits) == 1)
        await settle(pilot)
        text = screen_text(app)
        assert "1 hit ·" in text and "1 hits" not in text


async def test_escape_leaves_the_box_for_the_results_where_slash_and_S_are_keys(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"attention")
        screen = search_screen(app)
        await until(pilot, lambda: screen.shown_query == "attention")
        await pilot.press("escape")
        assert screen.hit_list.has_focus and screen.hit_list.highlighted == 0
        await pilot.press("S")
        await settle(pilot)
        assert screen.sort == "date" and screen.box.value == "attention"
        await pilot.press("slash")
        assert screen.box.has_focus and screen.box.value == "attention"
        await pilot.press("escape", "j")
        assert screen.hit_list.has_focus and screen.box.value == "attention"


async def test_hits_show_their_triage_marks_and_the_title_counts_what_is_left(app: KbApp, library: Library) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await query(pilot, "attention")
        await settle(pilot)
        items = [hit for hit in screen.hits if hit.kind is not Kind.NOTE]
        total = len(items)
        assert total >= 2
        assert f"attention · {total} of {total} items new" in screen_text(app)

        def marks(index: int) -> str:
            return str(screen.hit_list.get_option_at_index(index).prompt)[:2]

        first = next(index for index, hit in enumerate(screen.hits) if hit.kind is not Kind.NOTE)
        assert marks(first) == "• "
        screen.hit_list.focus()
        screen.hit_list.highlighted = first
        await pilot.press("s", "r")  # star, then read (and move on)
        await settle(pilot)
        assert marks(first) == " ★"
        assert f"attention · {total - 1} of {total} items new" in screen_text(app)
        stored = library.get_item(screen.hits[first].id)
        assert stored.starred and stored.status is Status.READ
        note = next(index for index, hit in enumerate(screen.hits) if hit.kind is Kind.NOTE)
        assert marks(note) == "  "
