"""Fixtures for the fetcher tests: a loopback server, fast settings, the recorded corpus."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kb.config import ArxivSettings, Config, FetchSettings
from kb.fetchers import Fetcher
from tests.support.httpserver import HttpServer, http_server

__all__ = ["http_server"]

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("KB_CORPUS") or REPO.parent / "shared" / "corpus")
NO_CORPUS = "recorded corpus not found: set KB_CORPUS or put shared/corpus beside the repository"

# Small numbers keep the fault tests fast while still measurable.
FAST = FetchSettings(
    connect_timeout=1.0,
    read_timeout=1.0,
    total_timeout=5.0,
    max_bytes=1_000_000,
    concurrency=4,
    retries=2,
    backoff_seconds=0.05,
    max_retry_after=2.0,
)
DELAY = 0.2  # arXiv pacing in tests


def corpus_files(folder: str, pattern: str = "*.xml") -> list[Any]:
    """Parameters for every corpus file in ``folder`` (one skipped parameter when the corpus is absent)."""
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_CORPUS))]
    return [pytest.param(path, id=path.name) for path in sorted((CORPUS / folder).glob(pattern))]


def corpus_file(relative: str) -> Path:
    """One corpus file; skips the test when the corpus is absent."""
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(NO_CORPUS)
    return path


@pytest.fixture
def make_config(tmp_path: Path, http_server: HttpServer) -> Callable[..., Config]:
    """A Config pointing every arXiv endpoint at the test server, with fast timeouts."""

    def make(arxiv: dict[str, Any] | None = None, fetch: dict[str, Any] | None = None, **fields: Any) -> Config:
        settings = ArxivSettings(
            api_url=http_server.url("/api/query"),
            rss_url=http_server.url("/rss/"),
            delay_seconds=DELAY,
            page_size=10,
            retries=2,
        )
        return Config(
            path=tmp_path / "feeds.yaml",
            arxiv=replace(settings, **(arxiv or {})),
            fetch=replace(FAST, **(fetch or {})),
            **fields,
        )

    return make


@pytest.fixture
def fetcher_for() -> Iterator[Callable[[Config], Fetcher]]:
    """Build Fetchers that are closed after the test."""
    made: list[Fetcher] = []

    def build(config: Config) -> Fetcher:
        made.append(Fetcher(config))
        return made[-1]

    yield build
    for fetcher in made:
        fetcher.close()
