"""The reader's `C`: a paper's stored references and citing papers, workspace papers marked and opened with enter."""

from __future__ import annotations

from kb.library import Library
from kb.models import CitationLists, ItemFilter, LinkedPaper, Status
from kb.tui.app import KbApp
from kb.tui.screens.citations import CitationsScreen
from kb.tui.screens.inbox import InboxScreen
from kb.tui.screens.reader import ReaderScreen
from kb.tui.widgets.reader import Reader
from tests.reliability.helpers import inert_problems
from tests.support.inside import store_of
from tests.tui.helpers import screen_text, settle

PAPER = "arxiv:2606.01234"
HOSTILE = "[bold red]markup[/bold red] \x1b[2Jcleared \u202eevil"


def open_reader(app: KbApp, item_id: str) -> None:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    pages = screen.items.pages
    assert pages is not None
    pages.ensure(len(pages) - 1)
    index = pages.index_of(item_id)
    assert index is not None
    screen.items.move_to(index)


async def test_c_lists_the_stored_citations_and_enter_opens_a_workspace_paper(app: KbApp, library: Library) -> None:
    papers = [item for item in library.list_items(ItemFilter(status=Status.NEW)) if item.id.startswith("arxiv:")]
    other = next(item for item in papers if item.id != PAPER)
    store_of(library).save_citations(
        CitationLists(
            PAPER,
            references=(LinkedPaper("Outside the workspace", doi="10.1/x", year=2001), LinkedPaper(HOSTILE)),
            citations=(LinkedPaper(other.title, arxiv_id=other.id, s2_id="s2x", year=2026),),
        )
    )
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        open_reader(app, PAPER)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CitationsScreen)
        text = screen_text(app)
        assert "References (2, 0 in this workspace ●)" in text and "Cited by (1, 1 in this workspace ●)" in text
        assert "Outside the workspace" in text and "doi:10.1/x" in text
        assert "[bold red]markup[/bold red]" in text  # shown as typed, not as markup
        assert not inert_problems(text)
        await pilot.press("enter")  # the one selectable line: the citing paper in the workspace
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.query_one(Reader).item is not None
        assert app.screen.query_one(Reader).item.id == other.id  # type: ignore[union-attr]


async def test_a_paper_without_stored_citations_says_how_to_get_them(app: KbApp) -> None:
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        open_reader(app, PAPER)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert "No citations stored for this paper yet" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
