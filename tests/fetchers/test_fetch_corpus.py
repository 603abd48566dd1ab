"""Every recorded feed and API response, served over loopback and fetched through the real stack.

No file may raise; entry counts must match what the file holds (counted here from the raw bytes, not by
feedparser); a failure must be a readable error on a file that has no entries to give.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.config import ArxivQuery, ArxivSettings, BlogFeed, Config
from kb.fetchers import Fetcher
from kb.models import Kind
from tests.fetchers.conftest import FAST, corpus_files
from tests.support.httpserver import HttpServer

ENTRY = re.compile(r"<(?:item|entry)[\s>/]")
HEADER = re.compile(r"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.MULTILINE)


def entry_count(data: bytes) -> int:
    """<item>/<entry> start tags in the file, whatever its encoding (UTF-16/32 included)."""
    texts = (
        data.decode(encoding, errors="ignore")
        for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
    )
    return max(len(ENTRY.findall(text)) for text in texts)


@pytest.fixture(scope="module")
def server() -> Iterator[HttpServer]:
    with HttpServer() as running:
        yield running


@pytest.fixture(scope="module")
def fetcher(server: HttpServer) -> Iterator[Fetcher]:
    arxiv = ArxivSettings(api_url=server.url("/api/query"), rss_url=server.url("/rss/"), delay_seconds=0.0, retries=0)
    with Fetcher(Config(path=Path("feeds.yaml"), arxiv=arxiv, fetch=FAST)) as made:
        yield made


def check_posts(items: tuple, feed_name: str) -> None:
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids))
    for item in items:
        assert item.kind is Kind.POST and item.id.startswith("post:") and item.feed == feed_name
        assert re.match(r"https?://", item.url), item.url
        if re.search(r"<(?:p|div|a|img|script|br)\b", item.summary):  # markup left in the text...
            assert "&lt;" in (item.html or ""), item.summary[:200]  # ...only where the post shows code
        for when in (item.published, item.updated):
            assert when is None or when.utcoffset() is not None
            assert when is None or when.year >= 1971, (item.title, when)  # Hugo's "0001-01-01" means no date


@pytest.mark.parametrize("path", corpus_files("blogs"))
def test_blog(path: Path, server: HttpServer, fetcher: Fetcher) -> None:
    data = path.read_bytes()
    feed = BlogFeed(path.stem, server.add("/blogs/" + path.name, data, headers={"Content-Type": "application/xml"}))
    result = fetcher.fetch_feed(feed, None)
    assert result.ok, result.error
    assert len(result.items) == entry_count(data)
    check_posts(result.items, path.stem)
    assert all(item.title for item in result.items)


@pytest.mark.parametrize("path", corpus_files("tricky/feedparser-tests") + corpus_files("tricky/feed-rs-fixtures"))
def test_tricky(path: Path, server: HttpServer, fetcher: Fetcher) -> None:
    data = path.read_bytes()
    # feedparser's own suite states the HTTP headers a file is to be served with.
    headers = dict(HEADER.findall(data.decode("utf-8", errors="ignore"))) or {"Content-Type": "application/xml"}
    feed = BlogFeed(path.stem, server.add(f"/tricky/{path.parent.name}/{path.name}", data, headers=headers))
    result = fetcher.fetch_feed(feed, None)
    expected = entry_count(data)
    if result.ok:
        assert len(result.items) == expected
        check_posts(result.items, path.stem)
    else:
        assert expected == 0, f"a feed with {expected} entries was refused: {result.error}"
        assert result.error and "\n" not in result.error
    if "Expect: not bozo" in data.decode("utf-8", errors="ignore"):
        assert result.ok, result.error


@pytest.mark.parametrize("path", corpus_files("arxiv-rss"))
def test_arxiv_rss(path: Path, server: HttpServer) -> None:
    data = path.read_bytes()
    server.add(f"/rss/{path.stem}", data)
    arxiv = ArxivSettings(categories=(path.stem,), rss_url=server.url("/rss/"), delay_seconds=0.0)
    with Fetcher(Config(path=Path("feeds.yaml"), arxiv=arxiv, fetch=FAST)) as rss_fetcher:
        result = rss_fetcher.fetch_announcements(None)
    if "Feed error for query" in data.decode():
        assert not result.ok and (result.error or "").startswith("arXiv: ")
        return
    assert result.ok, result.error
    assert len(result.items) == entry_count(data)
    for item in result.items:
        assert item.kind is Kind.PAPER and item.id.startswith("arxiv:") and item.version
        assert item.summary and not item.summary.startswith("arXiv:") and item.authors and item.categories
        assert item.announce_type in ("new", "cross", "replace", "replace-cross")


@pytest.mark.parametrize("path", corpus_files("arxiv-api"))
def test_arxiv_api(path: Path, server: HttpServer) -> None:
    data = path.read_bytes()
    golden = path.parent / "arxiv.py-golden-json" / (path.stem.removeprefix("api2026_") + ".json")
    status = json.loads(golden.read_text())["status_code"] if golden.is_file() else 200
    route = "/api/" + path.stem
    server.add(route, data, status=status)
    expected = entry_count(data)
    query = ArxivQuery(path.stem, "all:x", first_run_days=365 * 100, max_results=max(expected, 1))
    arxiv = ArxivSettings(api_url=server.url(route), delay_seconds=0.0, retries=0, page_size=100)
    with Fetcher(Config(path=Path("feeds.yaml"), arxiv=arxiv, fetch=FAST)) as api_fetcher:
        result = api_fetcher.fetch_query(query, None)
    if b"/api/errors#" in data:
        assert not result.ok and result.http_status == status
        assert (result.error or "").startswith("arXiv API: ")
        return
    assert result.ok and result.complete, result.error
    assert len(result.items) == expected
    for item in result.items:
        assert item.kind is Kind.PAPER and item.version and item.title and item.summary and item.authors
        assert item.categories and item.published and item.published.utcoffset() is not None
