"""The inbox's orders through the real app: `S` cycles newest / for you (/ best match), scores and reasons shown."""

from __future__ import annotations

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.ordering import FOR_YOU, NEWEST
from kb.tui.screens.inbox import InboxScreen
from kb.tui.widgets.reader import Reader
from tests.ranking.helpers import day, liked_and_disliked, paper
from tests.support.inside import store_of
from tests.tui.helpers import notifications, screen_text, settle


def inbox(app: KbApp) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def row_ids(app: KbApp) -> list[str]:
    pages = inbox(app).items.pages
    assert pages is not None
    return [item.id for item in pages.items]


async def test_for_you_in_the_first_days_says_it_is_newest_first_until_kb_has_learned(
    app: KbApp, library: Library
) -> None:
    ranked = [item.id for item, _, _ in library.rank(library.list_items(ItemFilter(status=Status.NEW)))]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert inbox(app).sort == FOR_YOU
        assert "for you (too little history: newest first)" in screen_text(app)
        # The line `kb why` prints, once.
        assert "kb learns your taste once you have triaged 50 items" in notifications(app)
        assert row_ids(app) == ranked  # no opinion yet: the order of `kb list --sort foryou`
        assert all(text.startswith("•    0.50 ") for text in inbox(app).items.row_texts())
        await pilot.press("S")
        await settle(pilot)
        assert inbox(app).sort == NEWEST and "· newest" in screen_text(app)
        assert "0.50" not in inbox(app).items.row_texts()[0]


async def test_for_you_ranks_the_inbox_by_the_triage_with_scores_and_the_reader_says_why(
    app: KbApp, library: Library
) -> None:
    liked_and_disliked(store_of(library))
    disliked = paper(901, "Malware detection survey", categories=("cs.CR",), authors=("Dee Evans",), published=40)
    liked = paper(900, "Latent diffusion models", authors=("Jonathan Ho",), categories=("cs.CV",), published=39)
    store_of(library).upsert_items([liked, disliked], "test", now=day(41))
    ranked = library.rank(library.list_items(ItemFilter(status=Status.NEW)))
    assert [item.id for item, _, _ in ranked] != [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert row_ids(app).index(disliked.id) < row_ids(app).index(liked.id)  # newest first
        await pilot.press("S")
        await settle(pilot)
        assert "· for you" in screen_text(app) and "too little history" not in screen_text(app)
        assert row_ids(app) == [item.id for item, _, _ in ranked]
        scores = {item.id: score for item, score, _ in ranked}
        texts = dict(zip(row_ids(app), inbox(app).items.row_texts(), strict=True))
        assert f" {scores[liked.id]:.2f} " in texts[liked.id]
        # The reader shows the `kb why` line of the row under the cursor.
        inbox(app).reveal(liked.id)
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
        [(_, _, why)] = library.rank([library.get_item(liked.id)])
        assert "+ author Ho J." in why
        assert f"for you: {why}" in app.screen.query_one(Reader).text()
