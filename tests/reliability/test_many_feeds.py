"""A 10,000-feed OPML (issue 13): `kb list` and `kb status` run, and status reads each source's newest log entry.

`kb status` asked the store once per source (4 s of its 5 s at 10,000 feeds); it now reads every source's
newest log entry in one query. Timing is in benchmarks/reliability.py --only-many-feeds; here the behaviour.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cron import kb
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import make_workspace

__all__ = ["http_server"]

FEEDS = 10_000
RSS = b"<rss version='2.0'><channel><title>ok</title><item><title>One</title><guid>g1</guid></item></channel></rss>"


def _opml(path: Path, server: HttpServer) -> Path:
    outlines = [
        f'<outline type="rss" text="Blog {n}" xmlUrl="https://blog{n}.example.org/feed.xml"/>' for n in range(FEEDS)
    ]
    outlines.append(f'<outline type="rss" text="Good" xmlUrl="{server.url("/good")}"/>')
    outlines.append(f'<outline type="rss" text="Flaky" xmlUrl="{server.url("/flaky")}"/>')
    path.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>' + "\n".join(outlines) + "</body></opml>")
    return path


def _sources(root: Path) -> dict[str, dict[str, object]]:
    status = kb("status", "--json", root=root, timeout=300)
    assert status.returncode == 0, status.stderr
    return {source["name"]: source for source in json.loads(status.stdout)["sources"]}


@pytest.mark.slow
def test_list_and_status_run_with_10000_feeds_and_show_each_sources_newest_entry(
    tmp_path: Path, http_server: HttpServer
) -> None:
    http_server.add("/good", RSS, headers={"Content-Type": "application/rss+xml"})
    http_server.add("/flaky", b"gone", status=404)
    root = make_workspace(tmp_path / "ws", http_server)
    imported = kb("opml", "import", str(_opml(tmp_path / "big.opml", http_server)), root=root, timeout=300)
    assert imported.returncode == 0, imported.stderr
    for _ in range(2):  # two failures in a row for Flaky: two log rows each
        kb("fetch", "-q", "--source", "Good", "--source", "Flaky", root=root, timeout=300)
    sources = _sources(root)
    assert len(sources) >= FEEDS + 2
    assert sources["Flaky"]["consecutive_failures"] == 2 and "404" in str(sources["Flaky"]["last_error"])
    assert sources["Good"]["last_error"] is None and sources["Good"]["last_attempt"] is not None
    assert sources["Blog 9999"]["last_attempt"] is None
    http_server.add("/flaky", RSS, headers={"Content-Type": "application/rss+xml"})
    assert kb("fetch", "-q", "--source", "Flaky", root=root, timeout=300).returncode == 0
    flaky = _sources(root)["Flaky"]
    assert flaky["consecutive_failures"] == 0 and flaky["last_error"] is None  # the newest entry, not an older
    listed = kb("list", "--json", root=root, timeout=300)
    assert listed.returncode == 0, listed.stderr
    assert [item["title"] for item in json.loads(listed.stdout)] == ["One", "One"]
    text = kb("status", root=root, timeout=300)
    assert text.returncode == 0 and "Blog 9999" in text.stdout
