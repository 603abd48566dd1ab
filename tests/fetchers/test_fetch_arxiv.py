"""arXiv through the real `arxiv` client and our RSS reader, against recorded responses on loopback."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime

from kb.config import ArxivQuery
from kb.models import FeedState, SourceKind, SourceResult
from tests.fetchers.conftest import DELAY, corpus_file
from tests.support.httpserver import Exchange, Response, hang, sequence

COMBINED = "arxiv-rss/rss2026_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4items.xml"
CATEGORIES = ("cs.LG", "cs.AI", "cs.CL", "stat.ML")
EMPTY_API = "arxiv-api/api2026_id_0000.0000_s0_m100_8b51d9633a68.xml"
PAGES = {  # start -> page of the recorded `testing` search
    0: "arxiv-api/api2026_q_testing_s0_m10_bc5a6c384fe9.xml",
    10: "arxiv-api/api2026_q_testing_s10_m10_34e56e15aaac.xml",
    20: "arxiv-api/api2026_q_testing_s20_m10_348a237fecab.xml",
    30: "arxiv-api/api2026_q_testing_s30_m10_f2e39f0143dc.xml",
}


def published_dates(body: bytes) -> list[datetime]:
    """The entries' <published> dates, read straight from the file."""
    found = re.findall(rb"<published>([^<]+)</published>", body)
    return [datetime.fromisoformat(d.decode().replace("Z", "+00:00")) for d in found]


def paged(files: dict[int, bytes], empty: bytes) -> object:
    """An API handler answering each `start` with its page, and `empty` past the known pages."""

    def handle(exchange: Exchange) -> Response:
        start = int(exchange.request.query.get("start", ["0"])[0])
        return Response(files.get(start, empty), 200, {"Content-Type": "application/atom+xml"})

    return handle


# --- RSS announcements -------------------------------------------------------------------------------


def test_announcements(http_server, make_config, fetcher_for):
    http_server.add_file("/rss/" + "+".join(CATEGORIES), corpus_file(COMBINED))
    fetcher = fetcher_for(make_config(arxiv={"categories": CATEGORIES}))
    result = fetcher.fetch_announcements(None)
    assert result.ok and result.kind is SourceKind.ARXIV_RSS and result.source == "arxiv"
    assert result.http_status == 200
    by_id = {item.id: item for item in result.items}
    assert list(by_id) == ["arxiv:2609.26811", "arxiv:2609.26820", "arxiv:2205.06398", "arxiv:2009.13987"]
    assert [item.announce_type for item in result.items] == ["new", "new", "cross", "replace"]
    for item in result.items:
        assert not item.summary.startswith("arXiv:") and "Announce Type" not in item.summary
        assert item.updated == datetime(2026, 9, 24, 4, 0, tzinfo=UTC)
    cross = by_id["arxiv:2205.06398"]
    assert cross.summary.startswith("It has become routine in neuroscience")
    assert [a.name for a in cross.authors] == ["Pritam Dey", "Zhengwu Zhang", "David B. Dunson"]
    assert cross.categories == ("stat.ME", "stat.AP", "stat.ML")  # primary first, as arXiv lists them
    assert cross.doi == "10.1093/bioinformatics/btac431" and cross.version == 2
    assert cross.url == "https://arxiv.org/abs/2205.06398"
    assert cross.pdf_url == "https://arxiv.org/pdf/2205.06398v2"
    replaced = by_id["arxiv:2009.13987"]
    assert replaced.version == 3 and replaced.published is None  # announced today, not published today
    assert by_id["arxiv:2609.26811"].published == datetime(2026, 9, 24, 4, 0, tzinfo=UTC)


def test_empty_announcements_are_ok(http_server, make_config, fetcher_for):
    http_server.add_file("/rss/test", corpus_file("arxiv-rss/rss2024_empty_feed_archive_test.xml"))
    fetcher = fetcher_for(make_config(arxiv={"categories": ("test",)}))
    result = fetcher.fetch_announcements(None)
    assert result.ok and result.items == ()


def test_error_feed_is_a_source_error(http_server, make_config, fetcher_for):
    http_server.add_file("/rss/astroph", corpus_file("arxiv-rss/rss2024_error_feed_bad_archive_astroph.xml"))
    fetcher = fetcher_for(make_config(arxiv={"categories": ("astroph",)}))
    result = fetcher.fetch_announcements(None)
    assert not result.ok and result.items == ()
    assert (result.error or "").startswith("arXiv: Bad archive 'astroph'. Valid archive names are: astro-ph")


def test_announcements_not_modified(http_server, make_config, fetcher_for):
    body = corpus_file(COMBINED).read_bytes()
    http_server.add("/rss/cs.LG", body, headers={"ETag": '"day1"'})
    fetcher = fetcher_for(make_config(arxiv={"categories": ("cs.LG",)}))
    result = fetcher.fetch_announcements(FeedState("arxiv", etag='"day1"'))
    assert result.ok and result.not_modified and result.etag == '"day1"' and result.items == ()


def test_broken_announcements_are_an_error(http_server, make_config, fetcher_for):
    body = corpus_file(COMBINED).read_bytes()
    http_server.add("/rss/cs.LG", body[: len(body) // 2])
    fetcher = fetcher_for(make_config(arxiv={"categories": ("cs.LG",)}))
    result = fetcher.fetch_announcements(None)
    assert not result.ok and "not well-formed" in (result.error or "")


def test_no_categories(make_config, fetcher_for):
    result = fetcher_for(make_config()).fetch_announcements(None)
    assert not result.ok and result.error == "no arXiv categories configured"


# --- API: ids ---------------------------------------------------------------------------------------


def test_paper_by_id(http_server, make_config, fetcher_for):
    http_server.add_file("/api/query", corpus_file("arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"))
    fetcher = fetcher_for(make_config())
    result = fetcher.fetch_ids(["arxiv:1706.03762v1"])
    assert result.ok and result.kind is SourceKind.ARXIV_IDS and result.source == "kb add"
    (paper,) = result.items
    assert paper.id == "arxiv:1706.03762" and paper.version == 7
    assert paper.title == "Attention Is All You Need"
    assert len(paper.authors) == 8 and paper.authors[0].name == "Ashish Vaswani"
    assert paper.categories == ("cs.CL", "cs.LG") and paper.comment == "15 pages, 5 figures"
    assert paper.published is not None and paper.published.tzinfo is not None
    assert paper.pdf_url == "https://arxiv.org/pdf/1706.03762v7"
    (request,) = http_server.requests
    assert request.query["id_list"] == ["1706.03762"]  # the latest version is asked for
    assert request.headers["user-agent"].startswith("kb/")


def test_affiliations_and_journal_ref(http_server, make_config, fetcher_for):
    http_server.add_file("/api/query", corpus_file("arxiv-api/api2026_id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"))
    result = fetcher_for(make_config()).fetch_ids(["astro-ph/0601001"])
    (paper,) = result.items
    assert paper.id == "arxiv:astro-ph/0601001" and paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert len(paper.authors) == 4 and all(author.affiliations for author in paper.authors)


def test_legacy_format_doi_and_wrapped_text(http_server, make_config, fetcher_for):
    http_server.add_file("/api/query", corpus_file("arxiv-api/api2016_id_list_1111.2011v2.xml"))
    (paper,) = fetcher_for(make_config()).fetch_ids(["1111.2011"]).items
    assert paper.doi and paper.journal_ref and paper.comment
    assert "\n" not in paper.title and "  " not in paper.summary


def test_ids_are_chunked(http_server, make_config, fetcher_for):
    http_server.add_file("/api/query", corpus_file(EMPTY_API))
    ids = [f"2401.{n:05d}" for n in range(250)]
    result = fetcher_for(make_config(arxiv={"delay_seconds": 0.0})).fetch_ids(ids, source="notes")
    assert result.ok and result.source == "notes"
    sizes = [len(r.query["id_list"][0].split(",")) for r in http_server.requests]
    assert sizes == [100, 100, 50]


def test_not_an_id_is_refused_without_a_request(http_server, make_config, fetcher_for):
    result = fetcher_for(make_config()).fetch_ids(["1706.03762", "abc"])
    assert not result.ok and result.error == "not an arXiv id: 'abc'" and http_server.requests == []


def test_api_400_gives_arxivs_message(http_server, make_config, fetcher_for):
    body = corpus_file("arxiv-api/api2026_id_abc_s0_m100_b79c8dcf6bc3.xml").read_bytes()
    http_server.add("/api/query", body, status=400)
    query = ArxivQuery("bad", "id:abc")
    result = fetcher_for(make_config(arxiv={"queries": (query,)})).fetch_query(query, None)
    assert not result.ok and result.http_status == 400
    assert result.error == "arXiv API: incorrect id format for abc (HTTP 400)"
    assert len(http_server.requests) == 1  # arXiv's refusal is not retried


def test_api_503_is_retried(http_server, make_config, fetcher_for):
    body = corpus_file("arxiv-api/api2026_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    http_server.add_handler("/api/query", sequence(Response(b"", 503), Response(body)))
    result = fetcher_for(make_config(arxiv={"delay_seconds": 0.0})).fetch_ids(["1605.08386"])
    assert result.ok and len(result.items) == 1 and len(http_server.requests) == 2


def test_api_that_never_answers_times_out(http_server, make_config, fetcher_for):
    http_server.add_handler("/api/query", hang())
    config = make_config(arxiv={"delay_seconds": 0.0, "retries": 0}, fetch={"read_timeout": 0.3})
    started = time.monotonic()
    result = fetcher_for(config).fetch_ids(["1605.08386"])
    assert not result.ok and "arXiv API unreachable" in (result.error or "")
    assert time.monotonic() - started < 1.5


# --- API: saved searches ---------------------------------------------------------------------------


def test_paging_stops_at_newest_seen(http_server, make_config, fetcher_for):
    # Served newest-first order: the pages are re-ordered so their dates fall as arXiv's would.
    files = {start: corpus_file(PAGES[page]).read_bytes() for start, page in ((0, 20), (10, 10), (20, 0), (30, 30))}
    http_server.add_handler("/api/query", paged(files, corpus_file(EMPTY_API).read_bytes()))
    cutoff = datetime(2014, 1, 1, tzinfo=UTC)
    assert all(d >= cutoff for d in published_dates(files[0]) + published_dates(files[10]))
    assert any(d < cutoff for d in published_dates(files[20]))
    query = ArxivQuery("testing", "testing")
    fetcher = fetcher_for(make_config(arxiv={"queries": (query,), "delay_seconds": 0.0}))
    result = fetcher.fetch_query(query, FeedState("testing", newest_seen=cutoff))
    assert result.ok and result.complete and result.kind is SourceKind.ARXIV_QUERY
    assert [r.query["start"] for r in http_server.requests] == [["0"], ["10"], ["20"]]
    assert http_server.requests[0].query["sortBy"] == ["submittedDate"]
    assert http_server.requests[0].query["sortOrder"] == ["descending"]
    expected = 20 + sum(d >= cutoff for d in published_dates(files[20]))
    assert len(result.items) == expected
    assert all(item.published and item.published >= cutoff for item in result.items)


def test_first_run_window_and_cap(http_server, make_config, fetcher_for):
    files = {start: corpus_file(page).read_bytes() for start, page in PAGES.items()}
    http_server.add_handler("/api/query", paged(files, corpus_file(EMPTY_API).read_bytes()))
    query = ArxivQuery("testing", "testing", first_run_days=365 * 100, max_results=15)
    fetcher = fetcher_for(make_config(arxiv={"queries": (query,), "delay_seconds": 0.0}))
    result = fetcher.fetch_query(query, None)
    assert result.ok and len(result.items) == 15
    assert [r.query["max_results"] for r in http_server.requests] == [["10"], ["5"]]


def test_first_run_window_stops_paging(http_server, make_config, fetcher_for):
    files = {start: corpus_file(page).read_bytes() for start, page in PAGES.items()}
    http_server.add_handler("/api/query", paged(files, corpus_file(EMPTY_API).read_bytes()))
    days = (datetime.now(UTC) - datetime(2012, 3, 1, tzinfo=UTC)).days  # page 0 reaches back to 2012-02
    query = ArxivQuery("testing", "testing", first_run_days=days)
    result = fetcher_for(make_config(arxiv={"queries": (query,), "delay_seconds": 0.0})).fetch_query(query, None)
    assert result.ok and len(http_server.requests) == 1
    assert len(result.items) == sum(d >= datetime(2012, 3, 1, tzinfo=UTC) for d in published_dates(files[0]))


def test_empty_page_is_retried_then_incomplete(http_server, make_config, fetcher_for):
    # The recorded empty page even claims 0 results: the first page's count says otherwise.
    files = {0: corpus_file(PAGES[0]).read_bytes()}
    http_server.add_handler("/api/query", paged(files, corpus_file(EMPTY_API).read_bytes()))
    query = ArxivQuery("testing", "testing", first_run_days=365 * 100)
    config = make_config(
        arxiv={"queries": (query,), "delay_seconds": 0.0, "retries": 2}, fetch={"backoff_seconds": 0.1}
    )
    result = fetcher_for(config).fetch_query(query, None)
    assert result.ok and not result.complete and len(result.items) == 10
    starts = [r.query["start"][0] for r in http_server.requests]
    assert starts == ["0", "10", "10", "10"]  # one try and two retries of the empty page
    gaps = [b.time - a.time for a, b in zip(http_server.requests[1:], http_server.requests[2:], strict=False)]
    assert gaps[0] >= 0.1 * 0.9 and gaps[1] >= 0.2 * 0.9  # backoff doubles (10% slack for arrival jitter)


def test_empty_result_is_complete(http_server, make_config, fetcher_for):
    http_server.add_file("/api/query", corpus_file(EMPTY_API))
    query = ArxivQuery("nothing", "ti:zzzz")
    result = fetcher_for(make_config(arxiv={"queries": (query,)})).fetch_query(query, None)
    assert result.ok and result.complete and result.items == () and len(http_server.requests) == 1


def test_pacing_spans_rss_api_and_retries(http_server, make_config, fetcher_for):
    http_server.add_file("/rss/cs.LG", corpus_file(COMBINED))
    api = corpus_file("arxiv-api/api2026_id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    http_server.add_handler("/api/query", sequence(Response(b"", 503), Response(api)))
    queries = (ArxivQuery("q1", "a", first_run_days=365 * 100), ArxivQuery("q2", "b", first_run_days=365 * 100))
    config = make_config(arxiv={"categories": ("cs.LG",), "queries": queries})
    results: list[SourceResult] = []
    fetcher_for(config).fetch_all(None, {}, results.append)
    assert all(r.ok for r in results) and len(results) == 3
    times = [r.time for r in http_server.requests]
    assert len(times) == 4  # RSS, a 503, its retry, the second query
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Measured on the server: arrival jitter on loopback is far below the 10 ms allowed.
    assert min(gaps) >= DELAY - 0.01, gaps
