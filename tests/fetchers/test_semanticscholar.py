"""The Semantic Scholar client against recorded Graph API answers served on the loopback server."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from kb.config import CitationSettings
from kb.fetchers.http import Downloader
from kb.fetchers.pacing import Pacer
from kb.fetchers.semanticscholar import API_KEY_VARIABLE, SemanticScholar, parse_links
from kb.models import LinkDirection
from tests.fetchers.conftest import FAST
from tests.support.httpserver import HttpServer
from tests.support.s2_server import S2Api, cassette, links_body, pages, s2_api

PAPER = "arxiv:2401.01234"


@pytest.fixture
def api(http_server: HttpServer, corpus: Path) -> S2Api:
    return s2_api(http_server, corpus)


def client(server: HttpServer, api_key: str | None = "", **settings: object) -> SemanticScholar:
    values: dict[str, object] = {"api_url": server.url("/graph/v1"), "delay_seconds": 0, "max_links": 5000}
    values.update(settings)
    citation_settings = CitationSettings(**values)  # type: ignore[arg-type]
    return SemanticScholar(citation_settings, FAST, Downloader(FAST, "kb-test"), Pacer(0), api_key=api_key)


def recorded_titles(corpus: Path, name: str, key: str) -> list[str]:
    titles = []
    for recording in cassette(corpus, name):
        titles += [entry[key]["title"] for entry in json.loads(recording.body)["data"] if entry[key]["title"]]
    return titles


def test_every_page_of_1881_citations_is_read_to_the_end(api: S2Api, http_server: HttpServer, corpus: Path) -> None:
    api.add_recorded("2401.01234", "s2_test_get_paper_references.yaml", "s2_test_get_paper_citations.yaml")
    lists = client(http_server).lists(PAPER)
    assert lists.ok and lists.complete
    assert [p.title for p in lists.citations] == recorded_titles(
        corpus, "s2_test_get_paper_citations.yaml", "citingPaper"
    )
    assert len(lists.citations) > 1800
    asked = [r for r in http_server.requests if r.route.endswith("/citations")]
    assert [int(r.query["offset"][0]) for r in asked] == list(range(0, 1900, 100))
    assert all(r.route == "/graph/v1/paper/arXiv:2401.01234/citations" for r in asked)
    assert asked[0].query["fields"] == ["paperId,externalIds,title,year"]
    # The references were recorded 50 a page: the recorded `next` leads to the second page.
    recorded = [
        e["citedPaper"]
        for r in cassette(corpus, "s2_test_get_paper_references.yaml")
        for e in json.loads(r.body)["data"]
    ]
    assert [p.title for p in lists.references] == [p["title"] or "" for p in recorded if p["title"] or p["paperId"]]
    assert len(lists.references) == 67
    assert lists.requests == len(asked) + 2


def test_a_list_is_cut_at_max_links_and_says_so(api: S2Api, http_server: HttpServer) -> None:
    api.add_recorded("2401.01234", citations="s2_test_get_paper_citations.yaml")
    lists = client(http_server, max_links=250).lists(PAPER)
    assert len(lists.citations) == 250 and not lists.complete
    limits = [int(r.query["limit"][0]) for r in http_server.requests if r.route.endswith("/citations")]
    assert limits == [100, 100, 50]


def test_429_is_retried_after_the_servers_retry_after(api: S2Api, http_server: HttpServer) -> None:
    api.add_recorded("2401.01234", "s2_test_get_paper_references.yaml")
    api.fail_next(429, retry_after="1", times=2)
    lists = client(http_server).lists(PAPER)
    assert lists.ok and len(lists.references) > 50
    first, second, third = http_server.requests[:3]
    assert second.time - first.time >= 0.9 and third.time - second.time >= 0.9  # Retry-After: 1 honoured


def test_a_retry_after_longer_than_allowed_ends_the_attempt(api: S2Api, http_server: HttpServer) -> None:
    api.add_recorded("2401.01234", "s2_test_get_paper_references.yaml")
    api.fail_next(429, retry_after="3600")
    lists = client(http_server).lists(PAPER)
    assert not lists.ok and not lists.not_found
    assert "3600" in (lists.error or "") and "\n" not in (lists.error or "")
    assert len(http_server.requests) == 1


def test_an_unknown_paper_is_the_apis_404_in_one_line(api: S2Api, http_server: HttpServer) -> None:
    lists = client(http_server).lists("arxiv:0000.00000")
    assert lists.not_found and lists.ok
    assert lists.error == "not in Semantic Scholar (HTTP 404 Not Found: Paper with id 0 not found)"
    assert len(http_server.requests) == 1


def test_the_api_key_is_sent_when_set(api: S2Api, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    api.add_recorded("2401.01234")
    monkeypatch.setenv(API_KEY_VARIABLE, "secret-key")
    client(http_server, api_key=None).lists(PAPER)
    assert {r.headers.get("x-api-key") for r in http_server.requests} == {"secret-key"}
    http_server.clear()
    monkeypatch.delenv(API_KEY_VARIABLE)
    client(http_server, api_key=None).lists(PAPER)
    assert all("x-api-key" not in r.headers for r in http_server.requests)


def test_requests_are_paced(api: S2Api, http_server: HttpServer) -> None:
    api.add_recorded("2401.01234", citations="s2_test_get_paper_citations.yaml")
    settings = CitationSettings(api_url=http_server.url("/graph/v1"), max_links=300)
    SemanticScholar(settings, FAST, Downloader(FAST, "kb-test"), Pacer(0.3), api_key="").lists(PAPER)
    times = [r.time for r in http_server.requests]
    assert len(times) == 4 and all(later - earlier >= 0.29 for earlier, later in itertools.pairwise(times))


def test_external_ids_become_kb_ids() -> None:
    body = links_body(
        [
            {
                "paperId": "abc",
                "externalIds": {"ArXiv": "1706.03762", "DOI": "10.5/x"},
                "title": "Attention",
                "year": 2017,
            },
            {"paperId": "def", "externalIds": {"ArXiv": "hep-th/9901001v2"}, "title": "Old", "year": "1999"},
            {"paperId": None, "externalIds": None, "title": None},
            {"paperId": "ghi", "externalIds": ["bad"], "title": 12, "year": True},
        ],
        "references",
    )
    papers, following = parse_links(body, LinkDirection.REFERENCES)
    assert following is None
    assert [(p.arxiv_id, p.doi, p.s2_id, p.title, p.year) for p in papers] == [
        ("arxiv:1706.03762", "10.5/x", "abc", "Attention", 2017),
        ("arxiv:hep-th/9901001", None, "def", "Old", None),
        (None, None, "ghi", "12", None),
    ]


def test_every_recorded_page_parses(corpus: Path) -> None:
    for name, direction in (
        ("s2_test_get_paper_citations.yaml", LinkDirection.CITATIONS),
        ("s2_test_get_paper_references.yaml", LinkDirection.REFERENCES),
    ):
        for offset, body in pages(corpus, name).items():
            papers, following = parse_links(body, direction)
            assert papers and (following is None or following == offset + len(json.loads(body)["data"]))
