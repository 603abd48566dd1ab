"""One host must not hold a run hostage: a host that hangs, refuses or asks to slow down costs one wait.

Counted in requests the host received and in what each source reports, not in seconds (the seconds are
benchmarks/reliability.py's). Each scenario is one loopback server, so one host, with 20 feeds on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.config import load_config
from kb.errors import ConfigError
from kb.fetchers import Fetcher
from kb.models import SourceResult
from tests.support.httpserver import HttpServer, Response, hang, http_server, static
from tests.support.workspace import make_workspace

__all__ = ["http_server"]

FEEDS = 20
FAST = {"connect_timeout": 1, "read_timeout": 0.5, "total_timeout": 10, "retries": 1, "backoff_seconds": 0.05}
RSS = b"<rss version='2.0'><channel><title>ok</title><item><title>One</title><guid>g1</guid></item></channel></rss>"


def _fetch(tmp_path: Path, server: HttpServer, paths: dict[str, str], **fetch: float) -> dict[str, SourceResult]:
    root = make_workspace(tmp_path / "ws", server, feeds=paths, extra={"fetch": {**FAST, **fetch}})
    config = load_config(root / "feeds.yaml")
    results: dict[str, SourceResult] = {}
    with Fetcher(config) as fetcher:
        fetcher.fetch_all(None, {}, lambda result: results.__setitem__(result.source, result))
    return results


def test_a_hanging_host_is_down_for_the_rest_of_the_run(tmp_path: Path, http_server: HttpServer) -> None:
    paths = {f"Hung {n}": f"/hung/{n}" for n in range(FEEDS)}
    for path in paths.values():
        http_server.add_handler(path, hang(30))
    results = _fetch(tmp_path, http_server, paths)
    assert len(results) == FEEDS and not any(result.ok for result in results.values())
    # One source's tries (1 + retries) and no more: every other feed of the host ends at once.
    assert len(http_server.requests) == 2
    skipped = [result for result in results.values() if (result.error or "").startswith("skipped: host down")]
    assert len(skipped) == FEEDS - 1
    assert all("timed out" in (result.error or "") for result in skipped)  # says what the host did


def test_a_refusing_host_is_down_and_other_hosts_are_not(tmp_path: Path, http_server: HttpServer) -> None:
    with HttpServer() as good:
        good.add("/feed", RSS, headers={"Content-Type": "application/rss+xml"})
        dead = HttpServer().start()
        dead_url = dead.url("/feed")
        dead.close()  # nothing listens there any more: connection refused
        root = make_workspace(tmp_path / "ws", http_server, extra={"fetch": FAST})
        feeds = [{"name": f"Dead {n}", "url": dead_url} for n in range(5)] + [
            {"name": "Good", "url": good.url("/feed")}
        ]
        text = (root / "feeds.yaml").read_text().replace("feeds: []", "feeds: " + repr(feeds).replace("'", '"'))
        (root / "feeds.yaml").write_text(text)
        results: dict[str, SourceResult] = {}
        with Fetcher(load_config(root / "feeds.yaml")) as fetcher:
            fetcher.fetch_all(None, {}, lambda result: results.__setitem__(result.source, result))
    assert results["Good"].ok
    down = [name for name, result in results.items() if "skipped: host down" in (result.error or "")]
    assert len(down) == 4


def test_a_429_host_costs_one_wait_for_all_its_feeds(tmp_path: Path, http_server: HttpServer) -> None:
    paths = {f"Busy {n}": f"/busy/{n}" for n in range(FEEDS)}
    for path in paths.values():
        http_server.add_handler(path, static(Response(b"slow down", 429, {"Retry-After": "1"})))
    results = _fetch(tmp_path, http_server, paths)
    assert len(http_server.requests) == 2  # asked, waited once as told, asked again, then left alone
    assert sum("skipped: host down" in (result.error or "") for result in results.values()) == FEEDS - 1


def test_the_run_timeout_cuts_what_is_left_and_says_so(tmp_path: Path, http_server: HttpServer) -> None:
    paths = {f"Slow {n}": f"/slow/{n}" for n in range(3)}
    for path in paths.values():
        http_server.add_handler(path, hang(30))
    results = _fetch(tmp_path, http_server, paths, read_timeout=20, total_timeout=60, run_timeout=1)
    assert len(results) == 3
    assert all("run_timeout" in (result.error or "") for result in results.values()), results


def test_a_bad_run_timeout_is_one_line_naming_the_file_and_line(tmp_path: Path, http_server: HttpServer) -> None:
    root = make_workspace(tmp_path / "ws", http_server, extra={"fetch": {"run_timeout": -5}})
    with pytest.raises(ConfigError) as raised:
        load_config(root / "feeds.yaml")
    assert "feeds.yaml:" in str(raised.value) and "fetch.run_timeout" in str(raised.value)
