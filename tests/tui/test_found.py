"""More like this (`m`) and a person's page (`P`) over the reader: rows load in a worker, enter reads one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from kb.library import Library
from kb.models import FetchedItem, Kind
from kb.tui.app import KbApp
from kb.tui.screens.person import PersonScreen
from kb.tui.screens.reader import ReaderScreen
from kb.tui.screens.similar import SimilarScreen
from tests.support.inside import store_of
from tests.tui.helpers import screen_text, settle, until
from tests.tui.test_reader import inbox_to, reader_text

SOURCE = "arxiv:2606.01234"  # Self-Attention Networks for Schölkopf Kernels
ADA_POST = FetchedItem(
    id="post:ada000000001",
    kind=Kind.POST,
    title="Kernels, attention and the analytical engine",
    summary="A post on self-attention networks and kernels.",
    url="https://ada.example/kernels",
    published=datetime(2026, 11, 20, tzinfo=UTC),
    feed="Ada Lovelace (blog)",
    guid="https://ada.example/kernels",
)


@pytest.fixture
async def people_app(workspace: Path) -> AsyncIterator[KbApp]:
    """The app on a workspace that follows Ada Lovelace, one of whose posts is stored."""
    config = yaml.safe_load((workspace / "feeds.yaml").read_text(encoding="utf-8"))
    config["people"] = [{"name": "Ada Lovelace", "blog": "https://ada.example/feed.xml"}]
    (workspace / "feeds.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with Library.open(workspace) as library:
        store_of(library).upsert_items([ADA_POST], "Ada Lovelace (blog)")
        library.catch_up_index()
        kb_app = KbApp(library)
        yield kb_app
        kb_app.finish_writes()


async def open_reader(app: KbApp, pilot: object, item_id: str) -> None:
    inbox_to(app, item_id)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ReaderScreen)


async def test_m_lists_items_like_this_one_and_enter_reads_one(app: KbApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_reader(app, pilot, SOURCE)
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SimilarScreen)
        ids = [entry.id for entry in screen.entries]
        assert ids and SOURCE not in ids
        text = screen_text(app)
        assert "like it · by" in text and "shares: " in text
        first = next(entry for entry in screen.entries if entry.kind is not Kind.NOTE)
        screen.rows.highlighted = screen.entries.index(first)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.reading is not None and app.reading[0].id == first.id
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)


async def test_p_opens_the_page_of_the_person_an_item_came_from(people_app: KbApp) -> None:
    app = people_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_reader(app, pilot, ADA_POST.id)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        text = screen_text(app)
        assert "Ada Lovelace · blog · 1 items: 1 new" in text
        assert "Kernels, attention and the analytical engine" in text
        await pilot.press("s")  # the triage keys work on the person's page
        await settle(pilot)
        assert app.library.get_item(ADA_POST.id).starred
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "Kernels, attention" in reader_text(app)


async def test_p_on_an_item_from_no_one_says_so(people_app: KbApp) -> None:
    app = people_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_reader(app, pilot, SOURCE)
        await pilot.press("P")
        await until(pilot, lambda: any("came from no one you follow" in n.message for n in app._notifications))
        assert isinstance(app.screen, ReaderScreen)
