"""Promise 2, end to end: arXiv's empty pages and its pacing, through real `kb fetch` processes."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.reliability.helpers import assert_inert, kb, status_json, store_facts
from tests.support.httpserver import Exchange, HttpServer, Response, http_server, sequence
from tests.support.workspace import make_workspace

__all__ = ["http_server"]

EMPTY = "arxiv-api/api2026_id_0000.0000_s0_m100_8b51d9633a68.xml"
PAGES = {
    0: "arxiv-api/api2026_q_testing_s0_m10_bc5a6c384fe9.xml",
    10: "arxiv-api/api2026_q_testing_s10_m10_34e56e15aaac.xml",
    20: "arxiv-api/api2026_q_testing_s20_m10_348a237fecab.xml",
}
COMBINED = "arxiv-rss/rss2026_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4items.xml"
ONE_PAPER = "arxiv-api/api2026_id_1605.08386_s0_m100_199195aa31ad.xml"


def recent(body: bytes, start: int) -> bytes:
    """A recorded page with its papers dated 1, 2, 3 ... days ago from ``start``: inside any first-run window."""
    count = itertools.count(start + 1)

    def redate(match: re.Match[bytes]) -> bytes:
        day = (datetime.now(UTC) - timedelta(days=next(count))).strftime("%Y-%m-%dT%H:%M:%SZ")
        return b"<published>" + day.encode() + b"</published>"

    return re.sub(rb"<published>[^<]+</published>", redate, body)


class Pages:
    """An API endpoint whose pages can be changed between runs; a missing page is the recorded empty one."""

    def __init__(self, corpus: Path) -> None:
        self.empty = (corpus / EMPTY).read_bytes()
        self.pages: dict[int, bytes] = {}

    def __call__(self, exchange: Exchange) -> Response:
        start = int(exchange.request.query.get("start", ["0"])[0])
        return Response(self.pages.get(start, self.empty), 200, {"Content-Type": "application/atom+xml"})


def _search_workspace(tmp_path: Path, server: HttpServer, pages: Pages) -> Path:
    server.add_handler("/api/query", pages)
    root = make_workspace(tmp_path / "ws", server, queries={"testing": "all:testing"})
    text = (root / "feeds.yaml").read_text()
    text = text.replace("first_run_days: 3650", "first_run_days: 3650\n    max_results: 30")
    text = text.replace("  retries: 1\n", "  retries: 2\n  page_size: 10\n", 1)
    (root / "feeds.yaml").write_text(text)
    return root


def test_an_empty_page_is_retried_recorded_incomplete_and_repaired_by_the_next_run(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    pages = Pages(corpus)
    pages.pages = {0: recent((corpus / PAGES[0]).read_bytes(), 0)}  # page 2 comes back empty although 214881 exist
    root = _search_workspace(tmp_path, http_server, pages)

    first = kb("fetch", root=root)
    assert first.returncode == 0, first.stderr  # nothing a person must do: the next run repairs it
    assert "10 new, 0 updated from 1 source; 1 incomplete: testing" in first.stderr
    starts = [r.query["start"][0] for r in http_server.requests]
    assert starts == ["0", "10", "10", "10"]  # the empty page, retried twice
    status = status_json(root)
    assert status["incomplete"] == ["testing"] and status["failing"] == []
    text = kb("status", root=root).stdout
    assert re.search(r"testing .*incomplete last time", text), text
    assert "complete=False" in (root / ".kb" / "kb.log").read_text()

    http_server.clear()
    pages.pages = {start: recent((corpus / name).read_bytes(), start) for start, name in PAGES.items()}
    second = kb("fetch", root=root)
    assert second.returncode == 0, second.stderr
    assert "20 new, 0 updated from 1 source" in second.stderr and "incomplete" not in second.stderr
    # The incomplete run did not move the high-water mark: the repair pages back as far as the first run.
    assert [r.query["start"][0] for r in http_server.requests] == ["0", "10", "20"]
    assert status_json(root)["incomplete"] == []
    facts = store_facts(root)
    assert len(facts.ids) == 30 and facts.duplicates == 0


def test_an_empty_first_page_that_counts_results_is_a_failure_not_nothing_new(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    pages = Pages(corpus)
    page = (corpus / PAGES[0]).read_text(encoding="utf-8")
    head, _, _ = page.partition("<entry>")
    pages.pages = {0: (head + "</feed>\n").encode()}  # the header says 214881 results, no entries follow
    root = _search_workspace(tmp_path, http_server, pages)
    result = kb("fetch", root=root)
    assert result.returncode == 1
    assert "1 failed: testing" in result.stderr
    status = status_json(root)
    assert status["failing"] == ["testing"]
    source = status["sources"][0]  # type: ignore[index]
    assert "empty page" in source["last_error"]
    assert len(http_server.requests) == 3  # one try and two retries
    assert_inert(result.stderr, "kb fetch")


def test_pacing_holds_across_rss_api_and_retries_while_blogs_run_meanwhile(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    delay = 0.3
    http_server.add_file("/rss/cs.LG+cs.AI", corpus / COMBINED)
    paper = (corpus / ONE_PAPER).read_bytes()
    http_server.add_handler(
        "/api/query", sequence(Response(b"", 503), Response(paper), Response(b"", 502), Response(paper))
    )
    with HttpServer() as blogs:
        feeds = {
            f"blog {n}": blogs.add(f"/b{n}", _blog(n), headers={"Content-Type": "application/rss+xml"})
            for n in range(6)
        }
        root = make_workspace(
            tmp_path / "ws",
            http_server,
            categories=("cs.LG", "cs.AI"),
            queries={"q1": "all:a", "q2": "all:b"},
        )
        text = (root / "feeds.yaml").read_text()
        text = text.replace("delay_seconds: 0", f"delay_seconds: {delay}")
        text = text.replace("feeds: []", "feeds:\n" + "".join(f"- name: {n}\n  url: {u}\n" for n, u in feeds.items()))
        (root / "feeds.yaml").write_text(text)
        result = kb("fetch", root=root)
        assert result.returncode == 0, result.stderr
        assert len(blogs.requests) == 6
    arxiv = [r for r in http_server.requests if r.route.startswith(("/rss/", "/api/"))]
    assert len(arxiv) == 5  # the announcements, q1 (503 then ok), q2 (502 then ok)
    gaps = [b.time - a.time for a, b in itertools.pairwise(arxiv)]
    assert min(gaps) >= delay - 0.01, gaps  # measured where arXiv would measure it: on arrival


def _blog(n: int) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>b{n}</title><item><title>post {n}</title>'
        f"<guid>b{n}</guid><link>http://example.org/{n}</link></item></channel></rss>"
    ).encode()
