"""Snapshots of the main screens at a fixed size on fixed data (the recorded corpus through the real fetch path).

Each screen's text is compared with tests/tui/snapshots/NAME.txt after the parts that change from run to run
(today's date, clock times, timings, the test server's port) are masked. After a deliberate change of a screen,
regenerate with KB_UPDATE_SNAPSHOTS=1 and review the diff.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot

from kb.tui.app import KbApp
from tests.tui.helpers import screen_text, settle

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SIZE = (110, 32)


def masked(text: str) -> str:
    today = date.today()
    text = text.replace(today.isoformat(), "<today>").replace(today.strftime("%d %b"), "<today>")
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
        await pilot.pause(1.0)
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
