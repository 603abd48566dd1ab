"""The whole fetch path on a temporary workspace: real server, real arxiv client and feedparser, real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.library import Library
from kb.models import ItemFilter, Kind, Status
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, all_of_arxiv, arxiv_api, make_workspace

__all__ = ["http_server"]

ATTENTION_API = "arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"
LILLOG = "blogs/lilianweng_lil-log_hugo_rss2_index.xml"


@pytest.fixture
def workspace(tmp_path: Path, http_server: HttpServer, corpus: Path) -> Path:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    http_server.add_handler("/api/query", arxiv_api(corpus, {"attention": ATTENTION_API}))
    http_server.add_file("/blogs/lillog", corpus / LILLOG, "application/rss+xml", ETag='"v1"')
    http_server.add("/blogs/gone", b"not here", status=404)
    return make_workspace(
        tmp_path / "ws",
        http_server,
        categories=("cs.CL",),
        queries={"attention": "attention"},
        feeds={"Lil'Log": "/blogs/lillog", "Gone": "/blogs/gone"},
        first_run_days=all_of_arxiv(),  # the recorded 1706.03762 (2017) is past a 10-year window from mid-2027
    )


def test_fetch_stores_every_source_and_a_failing_one_does_not_stop_the_rest(workspace: Path) -> None:
    with Library.open(workspace) as library:
        report = library.fetch()
        assert [outcome.source for outcome in report.failed] == ["Gone"]
        assert "404" in (report.failed[0].error or "")
        papers = library.list_items(ItemFilter(kind=Kind.PAPER))
        posts = library.list_items(ItemFilter(kind=Kind.POST))
        assert {paper.id for paper in papers} == {"arxiv:1706.03762", "arxiv:2606.01234"}
        assert len(posts) == 53  # every item of the recorded Lil'Log feed
        assert report.new == 55
        runs = library.recent_runs(1)
        assert runs[0].failed_sources == ("Gone",)


def test_a_paper_from_rss_and_a_saved_search_is_one_item_with_both_sources(workspace: Path) -> None:
    with Library.open(workspace) as library:
        library.fetch()
        paper = library.get_item("https://arxiv.org/abs/1706.03762v7")
        assert set(paper.sources) == {"arxiv", "attention"}
        assert paper.version == 7
        assert len(paper.authors) == 8 and paper.authors[0].name == "Ashish Vaswani"
        assert not paper.summary.startswith("arXiv:")


def test_a_second_fetch_changes_nothing_and_sends_conditional_requests(
    workspace: Path, http_server: HttpServer
) -> None:
    with Library.open(workspace) as library:
        library.fetch()
        before = [(item.id, item.title, item.version) for item in library.list_items(ItemFilter())]
        report = library.fetch()
        after = [(item.id, item.title, item.version) for item in library.list_items(ItemFilter())]
    assert report.new == 0 and report.updated == 0
    assert before == after
    second = http_server.requests_for("/blogs/lillog")[-1]
    assert second.headers.get("if-none-match") == '"v1"'


def test_a_new_version_updates_the_paper_and_keeps_its_triage(workspace: Path, http_server: HttpServer) -> None:
    with Library.open(workspace) as library:
        library.fetch()
        library.set_starred("arxiv:1706.03762", True)
        library.set_status("arxiv:1706.03762", Status.READ)
        library.set_tags("arxiv:1706.03762", ["transformers"])
        http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v8.xml")
        report = library.fetch()
        paper = library.get_item("1706.03762")
    assert "arxiv:1706.03762" in report.changed_ids
    assert paper.version == 8 and paper.previous_version == 7
    assert paper.title == "Attention Is All You Need (revised)"
    # Starred and tagged: the new version puts it back in the inbox, marked (sources.alerts); star and tags stay.
    assert (paper.status, paper.alert, paper.starred, paper.tags) == (Status.NEW, "v7 -> v8", True, ("transformers",))


def test_fetched_items_are_searchable_and_triage_shows_in_search_at_once(workspace: Path) -> None:
    with Library.open(workspace) as library:
        library.fetch()
        assert [hit.id for hit in library.search("transformer attention kind:paper").hits] == ["arxiv:1706.03762"]
        assert library.search("scholkopf").hits[0].id == "arxiv:2606.01234"
        assert library.search("is:starred").total == 0
        library.set_starred("arxiv:2606.01234", True)
        assert [hit.id for hit in library.search("is:starred").hits] == ["arxiv:2606.01234"]
        library.set_status("arxiv:2606.01234", Status.SKIPPED)
        assert [hit.id for hit in library.search("status:skipped").hits] == ["arxiv:2606.01234"]


def test_fetch_of_one_source_leaves_the_others_alone(workspace: Path, http_server: HttpServer) -> None:
    with Library.open(workspace) as library:
        report = library.fetch(["Lil'Log"])
    assert [outcome.source for outcome in report.outcomes] == ["Lil'Log"]
    assert http_server.requests_for("/rss/cs.CL") == []


def test_mute_rules_file_matching_items_as_skipped(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",), extra={"mute": [{"title": "kernels"}]})
    with Library.open(root) as library:
        report = library.fetch()
        assert report.outcomes[0].muted == 1
        assert library.get_item("2606.01234").status is Status.SKIPPED
        assert library.get_item("1706.03762").status is Status.NEW
