"""A workspace for TUI tests, filled once per session by the real fetch path, copied fresh for every test.

The session's loopback server serves the repository's fixtures (excerpts of recorded arXiv responses and of a
blog feed, tests/support/fixture_workspace.py), plus a hostile feed written here (markup, links and escapes in
titles): no shared corpus needed. Each test gets its own copy of the filled workspace (store, index, notes), so
tests can triage, fetch and edit freely without seeing each other. The app runs on a fixed clock (:data:`NOW`),
so what it draws does not depend on the day the tests run.
"""

from __future__ import annotations

import shutil
import stat
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from kb.library import Library
from kb.models import Author, FetchedItem, Kind
from kb.tui.app import KbApp
from tests.support.fixture_workspace import fill_fixture_workspace
from tests.support.httpserver import Exchange, HttpServer, Response, static
from tests.support.inside import store_of

#: Titles that must show as the characters they are made of.
MARKUP_TITLE = "[bold red]Markup[/] in a title [@click=app.quit]quit[/]"
LINK_TITLE = "[link=file:///etc/passwd]Click me[/link] please"
ESC_TITLE = "ANSI \x1b[31mred\x1b[0m title"
OSC52_TITLE = "OSC \x1b]52;c;aGVsbG8=\x07 clipboard"
ESCAPE_IDS = ("arxiv:2611.99001", "arxiv:2611.99002")


def hostile_feed() -> bytes:
    """An RSS feed whose titles and bodies are made to look like markup (XML-escaped, so it parses)."""
    items = [
        (
            MARKUP_TITLE,
            "https://example.org/markup",
            "<p>Text with [b]brackets[/b] and <a href='javascript:alert(1)'>js</a></p>",
        ),
        (LINK_TITLE, "https://example.org/link", "<p>See <a href='https://example.org/ok'>a fine link</a>.</p>"),
        ("A post with a script", "javascript:alert(1)", "<p>Hello</p><script>alert(1)</script>"),
    ]
    entries = "".join(
        f"<item><title>{_esc(title)}</title><link>{_esc(link)}</link><guid>{_esc(link)}</guid>"
        f"<pubDate>Mon, 0{n + 1} Jun 2026 10:00:00 +0000</pubDate><description>{_esc(body)}</description></item>"
        for n, (title, link, body) in enumerate(items)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Hostile</title>"
        f"<link>https://example.org/</link><description>x</description>{entries}</channel></rss>"
    ).encode()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")


NOTES = {
    "attention.md": "---\ntitle: Attention notes\npapers: [arxiv:1706.03762]\ntags: [transformers]\n---\n"
    "# Attention notes\n\nScaled dot-product attention. See [[reading-list]].\n",
    "reading-list.md": "# Reading list\n\n- [[attention]]\n- https://arxiv.org/abs/2606.01234\n",
}


def _fill(root: Path, server: HttpServer) -> None:
    server.add("/blogs/hostile", hostile_feed(), headers={"Content-Type": "application/rss+xml"})
    fill_fixture_workspace(root, server, feeds={"Hostile": "/blogs/hostile"})
    for name, text in NOTES.items():
        (root / "notes" / name).write_text(text, encoding="utf-8")
    with Library.open(root) as library:
        when = datetime(2026, 11, 1, tzinfo=UTC)
        store_of(library).upsert_items(
            [
                FetchedItem(
                    id=ESCAPE_IDS[0],
                    kind=Kind.PAPER,
                    title=ESC_TITLE,
                    summary="Abstract \x1b[2J cleared?",
                    url="https://arxiv.org/abs/2611.99001",
                    authors=(Author("Eve \x1b[5mBlink"),),
                    published=when,
                    categories=("cs.CR",),
                    version=1,
                ),
                FetchedItem(
                    id=ESCAPE_IDS[1],
                    kind=Kind.PAPER,
                    title=OSC52_TITLE,
                    summary="OSC 8: \x1b]8;;file:///etc/passwd\x07x",
                    url="https://arxiv.org/abs/2611.99002",
                    published=when,
                    categories=("cs.CR",),
                    version=1,
                ),
            ],
            source="hostile-ids",
        )
        library.sync_notes()
        library.reindex()


@pytest.fixture(scope="session")
def tui_server() -> Iterator[HttpServer]:
    """One loopback server for the session (the template workspace's feeds.yaml points at it)."""
    with HttpServer() as server:
        yield server


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, tui_server: HttpServer) -> Path:
    """The filled workspace every test copies."""
    root = tmp_path_factory.mktemp("tui-template") / "ws"
    _fill(root, tui_server)
    return root


@pytest.fixture
def workspace(tmp_path: Path, template: Path) -> Path:
    """A fresh copy of the filled workspace."""
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    return root


@pytest.fixture
def library(workspace: Path) -> Iterator[Library]:
    with Library.open(workspace) as opened:
        yield opened


@pytest.fixture
async def app(library: Library) -> AsyncIterator[KbApp]:
    """The app on the copied workspace (looking for other processes' items every 3 s, as in real use)."""
    kb_app = KbApp(library)
    yield kb_app
    kb_app.finish_writes()


def script(path: Path, body: str) -> Path:
    """An executable shell script (a fake $EDITOR or $BROWSER)."""
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def add_feed(
    root: Path,
    server: HttpServer,
    name: str,
    route: str,
    titles: list[str],
    status: int = 200,
    gate: threading.Event | None = None,
    day: str = "Sun, 22 Nov 2026",
) -> None:
    """Serve a feed of ``titles`` (dated ``day``, a minute apart, the newest last) and add it to feeds.yaml.

    With ``gate``, the server holds every answer until the test sets it (a slow feed, deterministically).
    """
    entries = "".join(
        f"<item><title>{_esc(title)}</title><link>https://example.org/{n}</link><guid>{route}/{n}</guid>"
        f"<pubDate>{day} {n // 60:02d}:{n % 60:02d}:00 +0000</pubDate><description>Body {n}</description></item>"
        for n, title in enumerate(titles)
    )
    body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>{name}</title>{entries}</channel></rss>"
    response = Response(body.encode(), status, {"Content-Type": "application/rss+xml"})

    def held(_exchange: Exchange) -> Response:
        assert gate is not None
        gate.wait(30)
        return response

    server.add_handler(route, held if gate is not None else static(response))
    config = yaml.safe_load((root / "feeds.yaml").read_text(encoding="utf-8"))
    config["feeds"].append({"name": name, "url": server.url(route)})
    (root / "feeds.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
