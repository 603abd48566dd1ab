"""Temporary workspaces whose feeds.yaml points every source at a loopback test server."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import yaml

from kb.library import init_workspace
from tests.support.httpserver import Exchange, Handler, HttpServer, Response

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EMPTY_API = "arxiv-api/api2026_id_0000.0000_s0_m100_8b51d9633a68.xml"
#: arXiv's first day: a first-run window reaching back to it holds every paper a recording can have.
ARXIV_BEGAN = date(1991, 8, 14)


def all_of_arxiv() -> int:
    """first_run_days reaching back to arXiv's first day from today, whatever today is (recordings age)."""
    return (date.today() - ARXIV_BEGAN).days + 1


def arxiv_api(corpus: Path, answers: Mapping[str, str]) -> Handler:
    """An arXiv API endpoint: the response file for a search_query or id_list value; an empty result otherwise."""
    empty = (corpus / EMPTY_API).read_bytes()

    def handle(exchange: Exchange) -> Response:
        query = exchange.request.query
        start = int(query.get("start", ["0"])[0])
        key = (query.get("search_query") or query.get("id_list") or [""])[0]
        if key in answers and start == 0:
            body = (corpus / answers[key]).read_bytes()
            status = 400 if "id_abc" in answers[key] else 200
            return Response(body, status, {"Content-Type": "application/atom+xml; charset=utf-8"})
        return Response(empty, 200, {"Content-Type": "application/atom+xml; charset=utf-8"})

    return handle


def make_workspace(
    root: Path,
    server: HttpServer,
    *,
    categories: tuple[str, ...] = (),
    queries: Mapping[str, str] | None = None,
    feeds: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
    first_run_days: int = 3650,
) -> Path:
    """A workspace at ``root``; feeds map names to server paths, queries names to arXiv query strings.

    The saved searches look back ``first_run_days`` on their first run: ``all_of_arxiv()`` for a test whose
    recorded papers must all be taken however old the recording has grown.
    """
    init_workspace(root)
    config: dict[str, object] = {
        "arxiv": {
            "categories": list(categories),
            "queries": [
                {"name": name, "query": query, "first_run_days": first_run_days}
                for name, query in (queries or {}).items()
            ],
            "api_url": server.url("/api/query"),
            "rss_url": server.url("/rss/"),
            # Papers' full texts come from the test server too (unserved: 404), never from arxiv.org.
            "html_url": server.url("/html/"),
            "pdf_url": server.url("/pdf/"),
            "delay_seconds": 0,
            "retries": 1,
        },
        "feeds": [{"name": name, "url": server.url(path)} for name, path in (feeds or {}).items()],
        "fetch": {
            "connect_timeout": 2,
            "read_timeout": 2,
            "total_timeout": 10,
            "retries": 1,
            "backoff_seconds": 0.05,
        },
        # A fetch gets no full texts unless a test asks (extra={"fulltext": ...}): the other tests stay as they were.
        "fulltext": {"for": []},
        **(extra or {}),
    }
    (root / "feeds.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root
