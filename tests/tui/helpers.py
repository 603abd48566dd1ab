"""Driving the app in tests: what is on screen, and waiting until the background is done."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from textual.app import App
from textual.pilot import Pilot

from kb.tui.app import KbApp


def screen_segments(app: App[Any]) -> list[list[Segment]]:
    """The screen as drawn: one list of Rich segments (text and style) per line.

    Textual has no public way to read the screen as text: its own ``export_screenshot`` (SVG) reads the screen's
    compositor as here. This is the one place the tests do.
    """
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def screen_text(app: App[Any]) -> str:
    """Every line of the screen as plain text (what a person would read)."""
    return "\n".join("".join(segment.text for segment in line).rstrip() for line in screen_segments(app))


def notifications(app: App[Any]) -> str:
    """The text of every notification on screen (Textual shows each one as a ``Toast`` widget), `` | ``-joined."""
    return " | ".join(str(toast.render()) for toast in app.screen.query("Toast"))


async def settle(pilot: Pilot[None]) -> None:
    """Let queued writes, workers and the messages they post all finish, then repaint."""
    app = pilot.app
    assert isinstance(app, KbApp)
    await pilot.pause()
    await app.settle()
    await pilot.pause()  # what the finished work posted (messages, signals) is handled and drawn


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Pause until ``condition()`` holds (the watch, the browser thread); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
        await asyncio.sleep(0)
