"""Snapshots of the main screens at a fixed size, on fixed data (the repository's fixtures through the real fetch
path), as of a fixed day (the app's clock is :data:`NOW`, whatever the date the tests run).

Each screen's text is compared with tests/tui/snapshots/NAME.txt after the parts that change from run to run
(the day and time the fetch stamped, timings, the test server's port) are masked. After a deliberate change of a screen,
regenerate with KB_UPDATE_SNAPSHOTS=1 and review the diff.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from kb.library import Library
from kb.tui.app import KbApp
from kb.tui.clock import fixed_clock
from kb.tui.screens.search import SearchScreen
from tests.tui.helpers import screen_text, settle, until

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SIZE = (110, 32)
#: The app's "now" in every snapshot: after every date in the fixtures, so rows of 2026 show as ``01 Nov``.
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
async def app(library: Library) -> AsyncIterator[KbApp]:
    """The app on the copied workspace, on a clock fixed at :data:`NOW`."""
    kb_app = KbApp(library, clock=fixed_clock(NOW))
    yield kb_app
    kb_app.finish_writes()


def masked(text: str) -> str:
    today = date.today()  # the day the fetch that filled the workspace stamped (first seen, last success)
    text = text.replace(today.isoformat(), "<today>")
    # The list's day column (8 wide) shows the fetch's day as "04 Dec", or as "Dec 2027" when that day falls in
    # another year than the app's fixed clock (the suite run with the system clock moved ahead).
    for label in (today.strftime("%d %b"), today.strftime("%b %Y")):
        text = text.replace(label.ljust(8), "<today> ").replace(label, "<today>")
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)
    text = re.sub(r"\b\d{1,2}:\d{2}(:\d{2})?\b", "<time>", text)
    text = re.sub(r"\b\d+(\.\d+)? ?(ms|s)\b", "<duration>", text)
    text = re.sub(r"\b\d+ (seconds?|minutes?|hours?) ago\b", "<ago>", text)
    # which weekdays lack an announcement depends on today's date
    text = re.sub(r"\d+ possible gaps .*?\n(  .*\n)*", "<gaps>\n", text)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"  # blank rows vary with the masked blocks' heights


def check(name: str, app: KbApp) -> None:
    text = masked(screen_text(app))
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("KB_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not os.environ.get("KB_UPDATE_SNAPSHOTS"):
            pytest.fail(f"no snapshot for {name}: written to {path}; review it and commit it")
    assert text == path.read_text(encoding="utf-8"), f"screen {name} changed (KB_UPDATE_SNAPSHOTS=1 to accept)"


async def opened(pilot: Pilot[None], *keys: str) -> None:
    await settle(pilot)
    if keys:
        await pilot.press(*keys)
        await settle(pilot)


async def test_inbox_snapshot(app: KbApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        check("inbox", app)


async def test_reader_snapshot(app: KbApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, "j", "enter")  # the second row: a title full of escapes (the first is undated FAQ)
        check("reader", app)


async def test_search_snapshot(app: KbApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, "slash", *"attention", "enter")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await until(pilot, lambda: bool(screen.hits))  # the debounced search has answered
        await settle(pilot)
        check("search", app)


async def test_notes_snapshot(app: KbApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, "4")
        check("notes", app)


async def test_sources_snapshot(app: KbApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, "5")
        check("sources", app)
