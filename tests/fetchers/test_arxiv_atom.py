"""parse_api_response on every recorded arXiv API response, checked against the files and against the `arxiv`
package's own reader (its public Client, on loopback) as a reference."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import arxiv
import pytest

from kb.fetchers.arxiv_atom import ApiPage, UnreadableResponse, parse_api_response
from tests.fetchers.conftest import corpus_file, corpus_files
from tests.support.httpserver import HttpServer


def squash(text: str) -> str:
    return " ".join(text.split())


def golden_status(path: Path) -> int:
    """The HTTP status arXiv sent with the file (the upstream recording says; 200 when not recorded)."""
    golden = path.parent / "arxiv.py-golden-json" / (path.stem.removeprefix("api2026_") + ".json")
    return int(json.loads(golden.read_text())["status_code"]) if golden.is_file() else 200


@pytest.mark.parametrize("path", corpus_files("arxiv-api"))
def test_every_recorded_response(path: Path) -> None:
    body = path.read_bytes()
    page = parse_api_response(body)
    total = int(re.search(rb"totalResults[^>]*>\s*(\d+)", body).group(1))  # type: ignore[union-attr]
    assert page.total == total
    assert page.entries == body.count(b"<entry>")
    if b"/api/errors#" in body:
        assert page.papers == () and page.error
        return
    assert page.error is None and len(page.papers) == page.entries
    ids = [m.decode() for m in re.findall(rb"<id>https?://arxiv\.org/abs/([^<]+)</id>", body)]
    assert [f"{p.id.removeprefix('arxiv:')}v{p.version}" for p in page.papers] == ids
    for paper in page.papers:
        assert paper.title and paper.summary and paper.authors and paper.categories
        assert "\n" not in paper.title + paper.summary and "  " not in paper.title + paper.summary
        assert paper.published and paper.updated and paper.published.tzinfo is UTC
        assert paper.published <= paper.updated
        assert paper.url == f"https://arxiv.org/abs/{paper.id.removeprefix('arxiv:')}"
        assert paper.pdf_url == f"{paper.url.replace('/abs/', '/pdf/')}v{paper.version}"


@pytest.mark.parametrize("path", corpus_files("arxiv-api"))
def test_agrees_with_the_arxiv_packages_reader(path: Path, http_server: HttpServer) -> None:
    body = path.read_bytes()
    page = parse_api_response(body)
    http_server.add("/api/query", body)
    client = arxiv.Client(page_size=100, delay_seconds=0.0, num_retries=0)
    client.query_url_format = http_server.url("/api/query") + "?{}"
    everything = list(client.results(arxiv.Search(query="x", max_results=max(page.entries, 1))))
    results = [result for result in everything if "/api/errors#" not in result.entry_id]
    assert len(results) == len(page.papers)
    for paper, result in zip(page.papers, results, strict=True):
        assert f"{paper.id.removeprefix('arxiv:')}v{paper.version}" == result.get_short_id()
        assert paper.title == squash(result.title) and paper.summary == squash(result.summary)
        assert [(a.name, a.affiliations) for a in paper.authors] == [
            (squash(a.name), tuple(squash(x) for x in a.affiliation)) for a in result.authors
        ]
        assert paper.categories == tuple(dict.fromkeys([result.primary_category, *result.categories]))
        assert (paper.published, paper.updated) == (result.published, result.updated)
        assert paper.comment == (squash(result.comment) if result.comment else None)
        assert paper.journal_ref == (squash(result.journal_ref) if result.journal_ref else None)
        assert paper.doi == (squash(result.doi) if result.doi else None)


def test_versions_and_old_style_ids() -> None:
    (old,) = parse_api_response(
        corpus_file("arxiv-api/api2026_id_hep-ex_0406020v1_s0_m100_84b15d66c0ce.xml").read_bytes()
    ).papers
    assert old.id == "arxiv:hep-ex/0406020" and old.version == 1
    assert old.pdf_url == "https://arxiv.org/pdf/hep-ex/0406020v1"
    (latest,) = parse_api_response(
        corpus_file("arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml").read_bytes()
    ).papers
    assert latest.id == "arxiv:1706.03762" and latest.version == 7
    assert latest.categories == ("cs.CL", "cs.LG") and latest.comment == "15 pages, 5 figures"


def test_affiliations_doi_and_journal_ref() -> None:
    astro = corpus_file("arxiv-api/api2026_id_astro-ph_0601001_s0_m100_3150dca9dc76.xml").read_bytes()
    (paper,) = parse_api_response(astro).papers
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert [a.affiliations for a in paper.authors][:3] == [("Ohio State",), ("Ohio State",), ("CfA",)]
    legacy = corpus_file("arxiv-api/api2020_id_list_1601.00001v1_doi_journal_ref.xml").read_bytes()
    (paper,) = parse_api_response(legacy).papers
    assert paper.doi == "10.1063/1.4944470" and paper.journal_ref == "J. Chem. Phys. 144, 124107 (2016)"
    assert paper.published == datetime.fromisoformat(
        re.search(rb"<published>([^<]+)", legacy).group(1).decode().replace("Z", "+00:00")  # type: ignore[union-attr]
    )


def test_the_empty_result() -> None:
    page = parse_api_response(corpus_file("arxiv-api/api2026_id_0000.0000_s0_m100_8b51d9633a68.xml").read_bytes())
    assert page == ApiPage(total=0, start=0, papers=(), entries=0, error=None)


def test_the_400_error_response() -> None:
    path = corpus_file("arxiv-api/api2026_id_abc_s0_m100_b79c8dcf6bc3.xml")
    assert golden_status(path) == 400
    page = parse_api_response(path.read_bytes())
    assert page.error == "incorrect id format for abc" and page.papers == () and page.entries == 1


def test_paging_counts() -> None:
    page = parse_api_response(corpus_file("arxiv-api/api2026_q_testing_s10_m10_34e56e15aaac.xml").read_bytes())
    assert page.start == 10 and page.total > 1000 and page.entries == len(page.papers) == 10


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "not well-formed"),
        (b"<html><body>Service Unavailable</body></html>", "root element <html>"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>', "not well-formed"),
        (b'<rss version="2.0"><channel/></rss>', "root element <rss>"),
    ],
)
def test_what_is_not_an_api_response(body: bytes, problem: str) -> None:
    with pytest.raises(UnreadableResponse, match=problem):
        parse_api_response(body)


def test_entries_that_are_not_papers_are_counted_but_skipped() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:o="http://a9.com/-/spec/opensearch/1.1/">'
        b"<o:totalResults>2</o:totalResults><o:startIndex>0</o:startIndex>"
        b"<entry><id>http://example.org/not-a-paper</id><title>x</title></entry>"
        b"<entry><id>http://arxiv.org/abs/2611.00001v2</id><title> A\n  title </title>"
        b"<published>not a date</published></entry></feed>"
    )
    page = parse_api_response(body)
    assert page.entries == 2 and page.total == 2
    (paper,) = page.papers
    assert paper.id == "arxiv:2611.00001" and paper.title == "A title" and paper.published is None
