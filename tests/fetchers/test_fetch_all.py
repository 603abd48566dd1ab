"""fetch_all: the arXiv lane and the blog pool at once, results delivered in the calling thread."""

from __future__ import annotations

import threading

import pytest

from kb.config import ArxivQuery, BlogFeed
from kb.errors import NotFound
from kb.models import FeedState, SourceKind, SourceResult
from tests.fetchers.conftest import corpus_file
from tests.support.httpserver import Exchange, Handler, HttpServer, Response, delayed

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>b</title>
<item><title>Post</title><guid>g1</guid><link>https://example.org/1</link></item></channel></rss>"""


def test_every_source_once_in_the_calling_thread(http_server, make_config, fetcher_for):
    http_server.add_file("/rss/cs.LG", corpus_file("arxiv-rss/rss2026_cs.LG_2026-04-27_trimmed3items_reserialized.xml"))
    http_server.add_file("/api/query", corpus_file("arxiv-api/api2026_id_1605.08386_s0_m100_199195aa31ad.xml"))
    feeds = tuple(BlogFeed(f"blog{n}", http_server.add(f"/b{n}.xml", RSS)) for n in range(5))
    query = ArxivQuery("q", "x", first_run_days=365 * 100)
    config = make_config(arxiv={"categories": ("cs.LG",), "queries": (query,)}, feeds=feeds)
    caller = threading.get_ident()
    seen: list[tuple[SourceResult, int]] = []
    fetcher_for(config).fetch_all(None, {}, lambda r: seen.append((r, threading.get_ident())))
    assert sorted(r.source for r, _ in seen) == sorted(config.source_names())
    assert all(thread == caller for _, thread in seen)
    assert all(r.ok for r, _ in seen)
    kinds = {r.source: r.kind for r, _ in seen}
    assert kinds["arxiv"] is SourceKind.ARXIV_RSS and kinds["q"] is SourceKind.ARXIV_QUERY
    assert kinds["blog0"] is SourceKind.FEED


def test_only_named_sources_with_their_state(http_server, make_config, fetcher_for):
    http_server.add("/a.xml", RSS, headers={"ETag": '"a1"'})
    http_server.add("/b.xml", RSS)
    feeds = (BlogFeed("a", http_server.url("/a.xml")), BlogFeed("b", http_server.url("/b.xml")))
    config = make_config(arxiv={"categories": ("cs.LG",)}, feeds=feeds)
    seen: list[SourceResult] = []
    fetcher_for(config).fetch_all(["a"], {"a": FeedState("a", etag='"a1"')}, seen.append)
    assert [(r.source, r.not_modified) for r in seen] == [("a", True)]
    assert [r.route for r in http_server.requests] == ["/a.xml"]


def test_unknown_name_raises_before_fetching(http_server, make_config, fetcher_for):
    config = make_config(feeds=(BlogFeed("a", http_server.url("/a.xml")),))
    with pytest.raises(NotFound, match="no source named 'nope'"):
        fetcher_for(config).fetch_all(["a", "nope"], {}, lambda r: None)
    assert http_server.requests == []


def concurrency_probe(server: HttpServer, seconds: float) -> tuple[dict[str, int], Handler]:
    """A handler that answers after ``seconds`` and records the most requests in flight, per port."""
    lock = threading.Lock()
    current: dict[str, int] = {}
    peak: dict[str, int] = {}
    inner = delayed(seconds, Response(RSS))

    def handle(exchange: Exchange) -> Response | None:
        host = exchange.request.headers["host"]
        with lock:
            current[host] = current.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), current[host])
        try:
            return inner(exchange)
        finally:
            with lock:
                current[host] -= 1

    return peak, handle


def test_one_request_per_host_and_hosts_in_parallel(make_config, fetcher_for):
    servers = [HttpServer().start() for _ in range(3)]
    try:
        probes = []
        feeds = []
        for index, server in enumerate(servers):
            peak, handler = concurrency_probe(server, 0.25)
            probes.append(peak)
            for n in range(3):
                feeds.append(BlogFeed(f"s{index}-{n}", server.add_handler(f"/f{n}.xml", handler)))
        config = make_config(feeds=tuple(feeds), fetch={"concurrency": 8})
        seen: list[SourceResult] = []
        fetcher_for(config).fetch_all(None, {}, seen.append)
        assert len(seen) == 9 and all(r.ok for r in seen)
        for peak in probes:
            assert list(peak.values()) == [1]  # never two at once on one host
        # Three hosts in parallel: all nine in about three rounds, not nine.
        durations = sorted(r.duration for r in seen)
        assert durations[-1] < 0.25 * 6
        starts = sorted(r.time for server in servers for r in server.requests)
        assert starts[2] - starts[0] < 0.2  # the three hosts started together, not 0.25 s apart
    finally:
        for server in servers:
            server.close()


def test_arxiv_and_blogs_progress_together(http_server, make_config, fetcher_for):
    http_server.add_file("/rss/cs.LG", corpus_file("arxiv-rss/rss2026_cs.LG_2026-04-27_trimmed3items_reserialized.xml"))
    http_server.add_file("/api/query", corpus_file("arxiv-api/api2026_id_0000.0000_s0_m100_8b51d9633a68.xml"))
    queries = tuple(ArxivQuery(f"q{n}", "x") for n in range(3))
    blogs = HttpServer().start()
    try:
        feeds = tuple(BlogFeed(f"b{n}", blogs.add(f"/b{n}.xml", RSS)) for n in range(3))
        config = make_config(arxiv={"categories": ("cs.LG",), "queries": queries, "delay_seconds": 0.3}, feeds=feeds)
        order: list[str] = []
        fetcher_for(config).fetch_all(None, {}, lambda r: order.append(r.source))
        # The arXiv lane takes 4 x 0.3 s of pacing; the blogs are done long before it ends.
        assert set(order[:4]) >= {"b0", "b1", "b2"}
        assert order[-1] == "q2"
    finally:
        blogs.close()


def test_callback_error_stops_the_run(http_server, make_config, fetcher_for):
    feeds = tuple(BlogFeed(f"b{n}", http_server.add(f"/b{n}.xml", RSS)) for n in range(3))
    config = make_config(feeds=feeds, fetch={"concurrency": 1})

    def explode(result: SourceResult) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        fetcher_for(config).fetch_all(None, {}, explode)
