"""Feed parsing details: relative links, escaped HTML, parser processes, and the test server itself."""

from __future__ import annotations

import itertools

import httpx
import pytest

from kb.config import BlogFeed
from kb.fetchers import Fetcher
from kb.fetchers.feeds import parse_feed, resolve_uris
from kb.fetchers.parsing import MIN_POOLED_BYTES, ParserPool
from kb.fetchers.schedule import POOLED_PARSING_MIN_FEEDS
from kb.models import SourceResult
from tests.fetchers.conftest import corpus_file
from tests.support.httpserver import HttpServer


def test_links_resolve_against_xml_base():
    body = corpus_file("tricky/feed-rs-fixtures/atom__atom_xml_base.xml").read_bytes()
    (item,) = parse_feed(body, {}, "uke", "http://127.0.0.1/feed.xml").items
    assert '<img src="https://numi.st/post/2022/travel-uke/IMG_1232.jpeg" />' in (item.html or "")


def test_links_resolve_against_content_location():
    path = "tricky/feedparser-tests/wellformed__base__http_item_description_base_content_location.xml"
    headers = {"Content-Location": "http://example.com/"}
    (item,) = parse_feed(corpus_file(path).read_bytes(), headers, "b", "http://127.0.0.1/f.xml").items
    assert item.html == '<a href="http://example.com/relative/uri">click here</a>'  # feedparser's expectation


def test_resolve_uris_keeps_text_and_unsafe_links_out():
    html = '<p>write href="/x" in text</p><a href="/a?b=1&amp;c=2">a</a><a href="">gone</a><q cite="q.html">q</q>'
    assert resolve_uris(html, "https://blog.example/posts/") == (
        '<p>write href="/x" in text</p><a href="https://blog.example/a?b=1&amp;c=2">a</a>'
        '<a href="">gone</a><q cite="https://blog.example/posts/q.html">q</q>'
    )


def test_escaped_html_in_a_text_summary_becomes_text():
    body = corpus_file("blogs/ai-news-direct_atom_huggingface_daily_papers.xml").read_bytes()
    items = parse_feed(body, {}, "hf", "http://127.0.0.1/hf.xml").items
    assert items and all("<a href" not in item.summary and "<a href" not in (item.html or "") for item in items)


def test_parser_processes_give_the_same_items():
    body = corpus_file("blogs/lilianweng_lil-log_hugo_rss2_index.xml").read_bytes()
    assert len(body) >= MIN_POOLED_BYTES
    pool = ParserPool()
    try:
        pool.start(1)
        pooled = pool.parse(body, {"content-type": "application/xml"}, "lil", "https://lilianweng.github.io/index.xml")
    finally:
        pool.close()
    direct = parse_feed(body, {"content-type": "application/xml"}, "lil", "https://lilianweng.github.io/index.xml")
    assert pooled == direct and len(direct.items) == 53


def test_a_big_run_parses_in_processes(make_config, fetcher_for):
    body = corpus_file("blogs/olshansk_feedgen_rss2_meta_ai.xml").read_bytes()
    servers = [HttpServer().start() for _ in range(2)]
    try:
        feeds = tuple(
            BlogFeed(f"f{n}", servers[n % 2].add(f"/f{n}.xml", body)) for n in range(POOLED_PARSING_MIN_FEEDS)
        )
        fetcher = fetcher_for(make_config(feeds=feeds))
        fetcher.parse_workers = 1
        results: list[SourceResult] = []
        fetcher.fetch_all(None, {}, results.append)
        assert len(results) == len(feeds) and all(r.ok and len(r.items) == 88 for r in results)
    finally:
        for server in servers:
            server.close()


def test_server_conditional_get_and_log(http_server):
    url = http_server.add("/f", b"body", headers={"ETag": '"x"', "Last-Modified": "Tue, 01 Sep 2026 10:00:00 GMT"})
    with httpx.Client() as client:
        assert client.get(url).content == b"body"
        assert client.get(url, headers={"If-None-Match": '"x"'}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": "Wed, 02 Sep 2026 10:00:00 GMT"}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"y"'}).status_code == 200
        assert client.get(http_server.url("/nothing")).status_code == 404
    logged = http_server.requests
    assert [r.route for r in logged] == ["/f"] * 4 + ["/nothing"]
    assert logged[1].headers["if-none-match"] == '"x"'
    assert all(a.time <= b.time for a, b in itertools.pairwise(logged))


@pytest.mark.parametrize(("available", "chosen"), [(("spawn",), "spawn"), ((), None), (("fork",), None)])
def test_without_forkserver_a_big_run_falls_back(make_config, available, chosen):
    """Windows has no forkserver (only spawn): the run parses in spawned processes, or in-thread without any."""
    body = corpus_file("blogs/olshansk_feedgen_rss2_meta_ai.xml").read_bytes()
    with HttpServer() as server:
        feeds = tuple(BlogFeed(f"f{n}", server.add(f"/f{n}.xml", body)) for n in range(POOLED_PARSING_MIN_FEEDS))
        parsers = ParserPool(start_methods=available)
        with Fetcher(make_config(feeds=feeds), parsers=parsers) as fetcher:
            fetcher.parse_workers = 1
            results: list[SourceResult] = []
            fetcher.fetch_all(None, {}, results.append)
            assert parsers.method == chosen
    assert len(results) == len(feeds) and all(r.ok and len(r.items) == 88 for r in results)
