"""Blog feeds over real HTTP on loopback: conditional requests, redirects, retries, timeouts, limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from kb.config import BlogFeed, Config
from kb.fetchers import Fetcher
from kb.models import FeedState, SourceKind
from tests.fetchers.conftest import FAST, corpus_file
from tests.support.httpserver import (
    HttpServer,
    Response,
    corrupt_gzip,
    gzipped,
    hang,
    redirect,
    reset,
    sequence,
    slow_body,
    truncated,
)

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2026-01-02T00:00:00Z</updated>
<entry><id>urn:1</id><title>One</title><link href="/posts/one"/><updated>2026-01-02T00:00:00Z</updated>
<content type="html">&lt;p&gt;Hello &lt;a href="rel/x.html"&gt;there&lt;/a&gt;&lt;/p&gt;</content></entry>
</feed>"""
XML = {"Content-Type": "application/atom+xml"}

Setup = Callable[..., tuple[Fetcher, BlogFeed]]


def setup_feed(
    http_server: HttpServer, make_config: Callable[..., Config], fetcher_for: Callable[[Config], Fetcher]
) -> Setup:
    def setup(path: str = "/feed.xml", **fetch: object) -> tuple[Fetcher, BlogFeed]:
        feed = BlogFeed("blog", http_server.url(path))
        return fetcher_for(make_config(feeds=(feed,), fetch=fetch)), feed

    return setup


def test_items_with_resolved_links(http_server, make_config, fetcher_for):
    http_server.add("/blog/feed.xml", ATOM, headers=XML)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)("/blog/feed.xml")
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and result.kind is SourceKind.FEED and result.http_status == 200
    assert result.duration > 0
    (item,) = result.items
    assert item.url == http_server.url("/posts/one")
    assert f'href="{http_server.url("/blog/rel/x.html")}"' in (item.html or "")
    assert item.summary == "Hello there"
    assert item.guid == "urn:1" and item.feed == "blog"
    assert item.published == datetime(2026, 1, 2, tzinfo=UTC)


def test_etag_gives_304_and_keeps_validators(http_server, make_config, fetcher_for):
    modified = "Tue, 01 Sep 2026 10:00:00 GMT"
    http_server.add("/feed.xml", ATOM, headers={**XML, "ETag": '"v1"', "Last-Modified": modified})
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    first = fetcher.fetch_feed(feed, None)
    assert first.ok and first.etag == '"v1"' and first.last_modified == modified
    state = FeedState("blog", etag=first.etag, last_modified=first.last_modified)
    second = fetcher.fetch_feed(feed, state)
    assert second.ok and second.not_modified and second.items == () and second.http_status == 304
    assert second.etag == '"v1"' and second.last_modified == modified
    sent = http_server.requests_for("/feed.xml")
    assert "if-none-match" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == '"v1"' and sent[1].headers["if-modified-since"] == modified


def test_if_modified_since_alone(http_server, make_config, fetcher_for):
    modified = format_datetime(datetime(2026, 9, 1, tzinfo=UTC), usegmt=True)
    http_server.add("/feed.xml", ATOM, headers={**XML, "Last-Modified": modified})
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, FeedState("blog", last_modified=modified))
    assert result.not_modified and result.last_modified == modified


def test_permanent_redirect_reports_new_url(http_server, make_config, fetcher_for):
    http_server.add_handler("/old.xml", redirect("/new.xml", 301))
    http_server.add("/new.xml", ATOM, headers=XML)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)("/old.xml")
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and len(result.items) == 1
    assert result.url == http_server.url("/new.xml")
    # Links resolve against where the feed really is.
    assert result.items[0].url == http_server.url("/posts/one")


def test_temporary_redirect_keeps_url(http_server, make_config, fetcher_for):
    http_server.add_handler("/old.xml", redirect("/tmp.xml", 302))
    http_server.add("/tmp.xml", ATOM, headers=XML)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)("/old.xml")
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and result.url == feed.url


def test_redirect_loop_is_an_error(http_server, make_config, fetcher_for):
    http_server.add_handler("/a.xml", redirect("/b.xml", 302))
    http_server.add_handler("/b.xml", redirect("/a.xml", 302))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)("/a.xml")
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and "redirect loop" in (result.error or "")
    assert len(http_server.requests) == 2  # not retried: a loop does not heal


def test_too_many_redirects(http_server, make_config, fetcher_for):
    for hop in range(15):
        http_server.add_handler(f"/r{hop}", redirect(f"/r{hop + 1}", 307))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)("/r0")
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and "too many redirects" in (result.error or "")


def test_404_is_not_retried(http_server, make_config, fetcher_for):
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)("/missing.xml")
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and result.error == "HTTP 404 Not Found" and result.http_status == 404
    assert len(http_server.requests) == 1


def test_410_gone(http_server, make_config, fetcher_for):
    http_server.add("/gone.xml", b"", status=410)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)("/gone.xml")
    assert fetcher.fetch_feed(feed, None).error == "HTTP 410 Gone"


def test_500_then_success_is_retried_with_backoff(http_server, make_config, fetcher_for):
    http_server.add_handler("/feed.xml", sequence(Response(b"oops", 500), Response(b"", 503), Response(ATOM)))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)(backoff_seconds=0.1)
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and len(result.items) == 1 and result.http_status == 200
    times = [r.time for r in http_server.requests]
    assert len(times) == 3
    # Exponential: 0.1 s then 0.2 s (10% slack for arrival jitter).
    assert times[1] - times[0] >= 0.1 * 0.9
    assert times[2] - times[1] >= 0.2 * 0.9


def test_persistent_500_gives_up(http_server, make_config, fetcher_for):
    http_server.add("/feed.xml", b"down", status=500)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and result.http_status == 500
    assert result.error == "HTTP 500 Internal Server Error (gave up after 3 tries)"
    assert len(http_server.requests) == 1 + FAST.retries


def test_429_retry_after_seconds_is_honoured(http_server, make_config, fetcher_for):
    http_server.add_handler("/feed.xml", sequence(Response(b"", 429, {"Retry-After": "1"}), Response(ATOM)))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert result.ok
    first, second = http_server.requests
    assert second.time - first.time >= 0.95  # not the 0.05 s backoff


def test_429_retry_after_http_date(http_server, make_config, fetcher_for):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    http_server.add_handler("/feed.xml", sequence(Response(b"", 503, {"Retry-After": when}), Response(ATOM)))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    assert fetcher.fetch_feed(feed, None).ok
    first, second = http_server.requests
    assert second.time - first.time >= 0.9  # HTTP dates have one-second resolution


def test_retry_after_longer_than_cap_ends_the_source(http_server, make_config, fetcher_for):
    http_server.add("/feed.xml", b"", status=429, headers={"Retry-After": "3600"})
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    started = time.monotonic()
    result = fetcher.fetch_feed(feed, None)
    assert time.monotonic() - started < 1
    assert not result.ok and result.http_status == 429
    assert "retry after 3600" in (result.error or "") and len(http_server.requests) == 1


def test_server_that_never_answers_ends_within_timeout(http_server, make_config, fetcher_for):
    http_server.add_handler("/feed.xml", hang())
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)(read_timeout=0.3, total_timeout=1.0)
    started = time.monotonic()
    result = fetcher.fetch_feed(feed, None)
    elapsed = time.monotonic() - started
    assert not result.ok and "timed out" in (result.error or "")
    assert elapsed < 1.0 + 0.5  # the total deadline bounds the retries


def test_slow_drip_body_hits_the_total_deadline(http_server, make_config, fetcher_for):
    # Each chunk arrives within the read timeout; only the total deadline stops it.
    http_server.add_handler("/feed.xml", slow_body(ATOM * 4, chunk=16, interval=0.1))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)(total_timeout=0.8)
    started = time.monotonic()
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and time.monotonic() - started < 1.5
    assert "0.8 s" in (result.error or "")


def test_size_cap(http_server, make_config, fetcher_for):
    big = ATOM.replace(b"Hello", b"Hello " * 5000)
    http_server.add("/feed.xml", big, headers=XML)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)(max_bytes=10_000)
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and "too large" in (result.error or "")


def test_size_cap_applies_to_the_decompressed_body(http_server, make_config, fetcher_for):
    big = ATOM.replace(b"Hello", b"Hello " * 50_000)  # compresses to a few KB
    http_server.add_handler("/feed.xml", gzipped(big))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)(max_bytes=100_000)
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and "too large" in (result.error or "")


def test_gzip_body(http_server, make_config, fetcher_for):
    http_server.add_handler("/feed.xml", gzipped(ATOM, XML))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and len(result.items) == 1
    assert "gzip" in http_server.requests[0].headers["accept-encoding"]


def test_corrupt_gzip_is_an_error(http_server, make_config, fetcher_for):
    http_server.add_handler("/feed.xml", corrupt_gzip(ATOM))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and "corrupt compressed body" in (result.error or "")


def test_truncated_body_is_retried(http_server, make_config, fetcher_for):
    http_server.add_handler("/feed.xml", sequence(truncated(ATOM, 100), Response(ATOM)))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and len(result.items) == 1 and len(http_server.requests) == 2


def test_connection_reset_is_retried(http_server, make_config, fetcher_for):
    http_server.add_handler("/feed.xml", sequence(reset(), Response(ATOM)))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and len(http_server.requests) == 2


def test_connection_refused_is_readable(make_config, fetcher_for):
    closed = HttpServer()
    url = closed.url("/feed.xml")
    closed.close()  # the port is free again: nothing listens there
    feed = BlogFeed("blog", url)
    fetcher = fetcher_for(make_config(feeds=(feed,)))
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and result.error and result.error.startswith("connection failed")
    assert result.http_status is None


def test_html_page_is_not_a_feed(http_server, make_config, fetcher_for):
    page = b"<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Hi</p></body></html>"
    http_server.add("/feed.xml", page, headers={"Content-Type": "text/html; charset=utf-8"})
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and result.error == "not a feed: the server sent an HTML page (text/html)"


def test_empty_and_garbage_bodies(http_server, make_config, fetcher_for):
    http_server.add("/empty.xml", b"", headers=XML)
    http_server.add("/garbage.xml", bytes(range(256)) * 4, headers=XML)
    fetcher, _ = setup_feed(http_server, make_config, fetcher_for)()
    empty = fetcher.fetch_feed(BlogFeed("e", http_server.url("/empty.xml")), None)
    garbage = fetcher.fetch_feed(BlogFeed("g", http_server.url("/garbage.xml")), None)
    assert not empty.ok and "empty" in (empty.error or "")
    assert not garbage.ok and (garbage.error or "").startswith("not a feed")


def test_bozo_feed_with_entries_is_kept(http_server, make_config, fetcher_for):
    path = corpus_file("blogs/sebastianraschka_2014_handwritten_rss2_MALFORMED.xml")
    http_server.add_file("/feed.xml", path)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and len(result.items) == 18


def test_truncated_feed_without_entries_is_an_error(http_server, make_config, fetcher_for):
    http_server.add_file("/feed.xml", corpus_file("tricky/feed-rs-fixtures/rss2__rss_2.0_invalid_1.xml"))
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and (result.error or "").startswith("not a feed: line ")


def test_charset_from_content_type_header(http_server, make_config, fetcher_for):
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>é</title>'
        "<item><title>Café</title><guid>1</guid></item></channel></rss>"
    )
    http_server.add("/feed.xml", body.encode("iso-8859-1"), headers={"Content-Type": "text/xml; charset=iso-8859-1"})
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    result = fetcher.fetch_feed(feed, None)
    assert result.ok and result.items[0].title == "Café"


def test_user_agent(http_server, make_config, fetcher_for):
    http_server.add("/feed.xml", ATOM, headers=XML)
    fetcher, feed = setup_feed(http_server, make_config, fetcher_for)()
    fetcher.fetch_feed(feed, None)
    assert http_server.requests[0].headers["user-agent"].startswith("kb/")


def test_invalid_url_is_an_error(make_config, fetcher_for):
    feed = BlogFeed("bad", "notaurl")
    fetcher = fetcher_for(make_config(feeds=(feed,)))
    result = fetcher.fetch_feed(feed, None)
    assert not result.ok and result.error


def test_get_once_makes_one_try_and_says_whether_to_retry(http_server, make_config):
    from kb.fetchers.http import Downloader

    http_server.add_handler(
        "/busy", sequence(Response(b"", 503, {"Retry-After": "7"}), Response(b"never asked for", 200))
    )
    http_server.add("/gone", b"<p>no such feed</p>", status=404)
    downloader = Downloader(make_config().fetch, "kb/test")
    try:
        busy = downloader.get_once(http_server.url("/busy"))
        gone = downloader.get_once(http_server.url("/gone"))
    finally:
        downloader.close()
    assert not busy.ok and busy.transient and busy.retry_after == "7" and busy.status == 503
    assert not gone.ok and not gone.transient and gone.status == 404
    assert gone.body == b"<p>no such feed</p>"  # an error page is kept: a server may explain itself there
    assert [r.route for r in http_server.requests] == ["/busy", "/gone"]  # no retry of the 503
