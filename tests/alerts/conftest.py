"""Fixtures of the alert and completeness tests: announcements re-dated from the recorded RSS fixture, an
arXiv API endpoint that records what it was asked, and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kb.library import Library
from tests.support.httpserver import Exchange, HttpServer, Response, http_server
from tests.support.workspace import EMPTY_API, FIXTURES, make_workspace

__all__ = ["http_server"]

RSS_DAY = "Mon, 29 Jun 2026"  # the announcement date in tests/fixtures/rss_attention_v*.xml
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
RSS = "application/rss+xml"
#: A Friday morning in November 2026: tests pass ``now=`` so the days around it are known.
FRIDAY = datetime(2026, 11, 6, 10, 0, tzinfo=UTC)


def announcement(day: date, version: int = 7, extra: str = "") -> bytes:
    """The recorded two-paper announcement (1706.03762 and 2606.01234), dated ``day``.

    ``version`` renumbers 1706.03762 (the v8 fixture also revises its title); ``extra`` is XML added to its
    ``<item>``, such as an ``<arxiv:journal_reference>``.
    """
    source = FIXTURES / ("rss_attention_v8.xml" if version >= 8 else "rss_attention_v7.xml")
    text = source.read_text(encoding="utf-8").replace(RSS_DAY, day.strftime("%a, %d %b %Y"))
    if version > 8:
        text = text.replace("1706.03762v8", f"1706.03762v{version}")
    if extra:
        text = text.replace("<arxiv:announce_type>replace", f"{extra}<arxiv:announce_type>replace", 1)
    return text.encode("utf-8")


def serve_announcement(server: HttpServer, path: str, body: bytes) -> None:
    """Serve an announcement body at ``path`` (replacing what was there)."""
    server.add(path, body, headers={"Content-Type": RSS})


@dataclass
class ApiLog:
    """What the recorded arXiv API endpoint was asked: each search_query (or id_list) at each start."""

    asked: list[tuple[str, int]] = field(default_factory=list)

    @property
    def queries(self) -> list[str]:
        return [query for query, _ in self.asked]


def recorded_api(server: HttpServer, corpus: Path, answer: Callable[[str, int], str | int | None]) -> ApiLog:
    """Serve /api/query: ``answer(query, start)`` names a corpus file, or an HTTP status, or None (empty)."""
    log = ApiLog()
    empty = (corpus / EMPTY_API).read_bytes()

    def handle(exchange: Exchange) -> Response:
        params = exchange.request.query
        query = (params.get("search_query") or params.get("id_list") or [""])[0]
        start = int(params.get("start", ["0"])[0])
        log.asked.append((query, start))
        chosen = answer(query, start)
        if isinstance(chosen, int):
            return Response(b"arXiv is down", chosen, {"Content-Type": "text/plain"})
        return Response((corpus / chosen).read_bytes() if chosen else empty, 200, ATOM)

    server.add_handler("/api/query", handle)
    return log


def first_page(files: Mapping[str, str]) -> Callable[[str, int], str | None]:
    """An answer giving, for a query containing a key, that file on the first page (empty after)."""

    def answer(query: str, start: int) -> str | None:
        for key, file in files.items():
            if key in query and start == 0:
                return file
        return None

    return answer


@pytest.fixture
def workspace_factory(tmp_path: Path, http_server: HttpServer) -> Callable[..., Path]:
    """Make a workspace on the test server (see tests.support.workspace.make_workspace)."""
    counter = iter(range(1000))

    def make(**options: object) -> Path:
        return make_workspace(tmp_path / f"ws{next(counter)}", http_server, **options)  # type: ignore[arg-type]

    return make


def open_library(root: Path) -> Library:
    """The library of a test workspace."""
    return Library.open(root)


def gap_days(library: Library, now: datetime) -> list[tuple[str, tuple[str, ...]]]:
    """The announcement gaps at ``now`` as (ISO day, categories)."""
    return [(gap.day.isoformat(), gap.categories) for gap in library.gaps(now) if gap.day is not None]
