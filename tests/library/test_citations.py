"""Citations through the Library: the step of `kb fetch`, `cites:`/`citedby:` on both engines, the inbox
source, the for-you lift and its why line, the weekly refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kb.library import Library
from kb.library.citations import SOURCE, refresh_kept
from kb.models import ItemFilter
from tests.support.httpserver import HttpServer, http_server
from tests.support.inside import store_of
from tests.support.s2_server import CitationWorld, citation_world

__all__ = ["http_server"]


def s2_requests(server: HttpServer) -> list[str]:
    return [r.path for r in server.requests if r.route.startswith("/graph/v1/")]


@pytest.fixture(params=["whoosh", "tantivy"])
def world(request: pytest.FixtureRequest, tmp_path: Path, http_server: HttpServer, corpus: Path) -> CitationWorld:
    return citation_world(tmp_path, http_server, corpus, engine=request.param)


def test_fetch_refreshes_the_kept_papers_and_search_follows_the_links(
    world: CitationWorld, http_server: HttpServer
) -> None:
    first, second = world.starred
    with Library.open(world.root) as library:
        library.fetch()
        assert len(s2_requests(http_server)) == 5  # first: 2 pages of citations + references; second: 1 + 1
        hits = lambda query: {hit.id for hit in library.search(query, limit=50).hits}  # noqa: E731
        assert hits(f"cites:{first.removeprefix('arxiv:')}") == {world.both, world.one}
        assert hits(f"cites:{second}") == {world.both}
        assert hits(f"citedby:{first}") == {world.cited}
        assert hits(f"citedby:{world.both}") == {first, second}  # from the starred papers' citations
        assert hits(f"cites:{first} -cites:{second}") == {world.one}
        assert hits(f"cites:{world.outside}") == set()
        assert hits(f"cites:{first} OR citedby:{first}") == {world.both, world.one, world.cited}
    log = (world.root / ".kb" / "kb.log").read_text()
    assert "citations due=2 refreshed=2 not_found=0 links=" in log and "citing_starred=2" in log


def test_new_items_citing_starred_papers_are_a_source_and_rank_high(world: CitationWorld) -> None:
    with Library.open(world.root) as library:
        library.fetch()
        filed = {item.id for item in library.list_items(ItemFilter(source=SOURCE))}
        assert filed == {world.both, world.one}
        assert {hit.id for hit in library.search(f"source:{SOURCE}").hits} == filed
        inbox = library.list_items(ItemFilter(status=library.get_item(world.both).status))
        ranked = library.rank(inbox)
        assert [item.id for item, _, _ in ranked[:2]] == [world.both, world.one]
        (_, score_both, why_both), (_, score_one, why_one) = ranked[:2]
        assert score_both > score_one > ranked[2][1]
        assert why_both.startswith("+ cites 2 of your starred papers (")
        assert why_one.startswith("+ cites a starred paper (")
        assert not ranked[2][2].startswith("+ cites")


def test_the_weekly_refresh_is_skipped_until_due(world: CitationWorld, http_server: HttpServer) -> None:
    with Library.open(world.root) as library:
        library.fetch()
        http_server.clear()
        library.fetch()
        assert s2_requests(http_server) == []  # fresh lists are not asked again
        shown = library.citations(world.starred[0])
        assert shown is not None and not shown.refreshed and s2_requests(http_server) == []
        from kb.fetchers import Fetcher

        with Fetcher(library.config) as fetcher:
            later = refresh_kept(library, fetcher, now=datetime.now(UTC) + timedelta(days=8))
        assert later.refreshed == list(world.starred) and len(s2_requests(http_server)) == 5


def test_a_dead_host_is_one_line_and_the_fetch_goes_on(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    world = citation_world(tmp_path, http_server, corpus)
    config = (world.root / "feeds.yaml").read_text()
    dead = HttpServer()
    dead_url = dead.url("/graph/v1")
    dead.close()  # nothing listens there any more: connections are refused
    (world.root / "feeds.yaml").write_text(config.replace(http_server.url("/graph/v1"), dead_url))
    with Library.open(world.root) as library:
        report = library.fetch()
        assert report.failed == []
        assert store_of(library).citations_due(datetime.now(UTC), 10) == list(world.starred)  # still due
    lines = [line for line in (world.root / ".kb" / "kb.log").read_text().splitlines() if "citations" in line]
    assert len(lines) == 1 and "FAILED" in lines[0] and "refreshed=0" in lines[0]


def test_an_unknown_paper_is_stored_as_not_found(world: CitationWorld, http_server: HttpServer) -> None:
    with Library.open(world.root) as library:
        shown = library.citations("0000.00001")
        assert shown is not None and shown.lists.not_found and shown.references == ()
        http_server.clear()
        again = library.citations("0000.00001")
        assert again is not None and again.lists.not_found and s2_requests(http_server) == []


def test_the_reader_gets_only_what_is_stored(world: CitationWorld, http_server: HttpServer) -> None:
    with Library.open(world.root) as library:
        assert library.citations(world.starred[0], network=False) is None
        assert s2_requests(http_server) == []
        library.citations(world.starred[0])
        shown = library.citations(world.starred[0], network=False)
        assert shown is not None
        marked = {link.item_id for link in shown.citations if link.item_id}
        assert marked == {world.both, world.one}
        assert [link.item_id for link in shown.references] == [world.cited, None]


def test_papers_newly_citing_a_starred_one_come_into_the_inbox(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    from tests.support.s2_server import links_body, s2_entry
    from tests.support.workspace import arxiv_api

    world = citation_world(tmp_path, http_server, corpus)
    newcomer = "1707.08567"  # a recorded arXiv paper the workspace does not hold
    http_server.add_handler(
        "/api/query", arxiv_api(corpus, {newcomer: "arxiv-api/api2026_id_1707.08567_s0_m100_6a1afebfc6a3.xml"})
    )
    config = (world.root / "feeds.yaml").read_text()
    (world.root / "feeds.yaml").write_text(config.replace("max_links: 5000", "max_links: 5000\n  refresh_days: 0"))
    second = world.starred[1].removeprefix("arxiv:")
    with Library.open(world.root) as library:
        library.fetch()  # the first lists are the baseline: nothing is fetched from arXiv
        assert not [r for r in http_server.requests if r.route == "/api/query"]
        world.api.add(
            second,
            "citations",
            {0: links_body([s2_entry(world.both.removeprefix("arxiv:"), "b"), s2_entry(newcomer, "new")], "citations")},
        )
        report = library.fetch()
        assert f"arxiv:{newcomer}" in report.changed_ids
        item = library.get_item(newcomer)
        assert SOURCE in item.sources and item.status.value == "new"
        ranked = library.rank(library.list_items(ItemFilter(source=SOURCE)))
        assert {entry[0].id for entry in ranked} == {world.both, world.one, f"arxiv:{newcomer}"}
        http_server.clear()
        library.fetch()  # known now: not fetched again
        assert not [r for r in http_server.requests if r.route == "/api/query"]
    log = (world.root / ".kb" / "kb.log").read_text()
    assert "newly_citing=1" in log and "source='citing-starred' ok" in log
