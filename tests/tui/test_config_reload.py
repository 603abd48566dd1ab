"""The TUI follows feeds.yaml: re-read when it changed, before each fetch and on focus; mistakes are shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from kb.config import load_config
from kb.errors import ConfigError
from kb.library import Library
from kb.models import ItemFilter
from kb.tui.app import KbApp
from tests.support.httpserver import HttpServer
from tests.tui.conftest import add_feed
from tests.tui.helpers import settle, until


def messages(app: KbApp) -> list[tuple[str, str]]:
    return [(n.message, n.severity) for n in app._notifications]


def the_cli_message(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    return str(raised.value)


async def test_a_feed_added_while_the_tui_runs_is_fetched_by_f(
    app: KbApp, library: Library, workspace: Path, tui_server: HttpServer
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        add_feed(workspace, tui_server, "Added later", f"/blogs/later-{workspace.parent.name}", ["Late news"])
        await pilot.press("f")
        await until(pilot, lambda: not app.fetcher.running and app.fetcher.worker is not None, timeout=30)
        await settle(pilot)
    assert "Added later" in library.config.source_names()
    assert [item.title for item in library.list_items(ItemFilter(source="Added later"))] == ["Late news"]


async def test_a_mistake_in_feeds_yaml_is_shown_as_the_cli_shows_it_and_nothing_is_fetched(
    app: KbApp, library: Library, workspace: Path, tui_server: HttpServer
) -> None:
    config = workspace / "feeds.yaml"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        add_feed(workspace, tui_server, "Never", f"/blogs/never-{workspace.parent.name}", ["Not fetched"])
        config.write_text(config.read_text(encoding="utf-8").replace("feeds:", "feds:"), encoding="utf-8")
        expected = the_cli_message(config)
        assert "feeds.yaml:" in expected and "did you mean" in expected
        await pilot.press("f")
        await settle(pilot)
        assert (expected, "error") in messages(app)
        assert app.fetcher.worker is None  # no fetch ran on the old or the broken config
        assert tui_server.requests_for(f"/blogs/never-{workspace.parent.name}") == []
        # On focus too, once per change; fixed, the next f fetches.
        app.post_message(events.AppFocus())
        await settle(pilot)
        config.write_text(config.read_text(encoding="utf-8").replace("feds:", "feeds:"), encoding="utf-8")
        app.post_message(events.AppFocus())
        await settle(pilot)
        assert "Never" in library.config.source_names()
        errors = [text for text, severity in messages(app) if severity == "error"]
        assert errors == [expected]
