"""Promise 1 as a scenario: one workspace with a source per network fault, plus good sources, one `kb fetch`.

Shared by tests/reliability/test_network_faults.py (which asserts on it) and benchmarks/reliability.py (which
counts it). Every fault gets its own loopback server, so its own host: kb fetches hosts in parallel, and
one misbehaving host must not delay the others beyond its own timeouts.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.library import init_workspace
from tests.reliability.helpers import kb, status_json, write_config
from tests.support.httpserver import (
    Handler,
    HttpServer,
    Response,
    corrupt_gzip,
    hang,
    redirect,
    reset,
    sequence,
    slow_body,
    static,
    truncated,
)
from tests.support.workspace import FIXTURES, all_of_arxiv, arxiv_api

LILLOG = "blogs/lilianweng_lil-log_hugo_rss2_index.xml"
COLAH = "blogs/colah_blog_handwritten_rss2.xml"
ATTENTION_API = "arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"
RSS = "application/rss+xml"
UNICODE_TITLE = "Ünïcödé, naïve café"

#: The fetch settings the scenario writes into feeds.yaml: small, so the whole run stays short.
FETCH = {
    "connect_timeout": 1,
    "read_timeout": 1,
    "total_timeout": 4,
    "retries": 1,
    "backoff_seconds": 0.05,
    "max_retry_after": 2,
    "max_bytes": 1_000_000,
    "concurrency": 8,
}


@dataclass(frozen=True)
class Fault:
    """A source that misbehaves: its handler, and what the person should read about it (a regex)."""

    name: str
    handler: Callable[[HttpServer], Handler]
    error: str | None  # None: the source is expected to end well (kb copes with the quirk)


def _feed(title: str, guid: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>{title}</title><guid>{guid}</guid><link>http://example.org/{guid}</link>"
        f"<description>A post about {title}.</description></item></channel></rss>"
    ).encode()


def _html(server: HttpServer) -> Handler:
    page = b"<!doctype html><html><head><title>Blog</title></head><body><p>Subscribe!</p></body></html>"
    return static(Response(page, 200, {"Content-Type": "text/html; charset=utf-8"}))


def _loop(server: HttpServer) -> Handler:
    server.add_handler("/loop-b", redirect("/feed", 302))
    return redirect("/loop-b", 302)


def _moved(server: HttpServer) -> Handler:
    server.add("/new-home.xml", _feed("Moved post", "moved-1"), headers={"Content-Type": RSS})
    return redirect("/new-home.xml", 301)


def _latin1_without_charset(server: HttpServer) -> Handler:
    body = _feed(UNICODE_TITLE, "latin-1").replace(b' encoding="utf-8"', b"")
    return static(Response(body.decode("utf-8").encode("latin-1"), 200, {"Content-Type": "application/xml"}))


def _utf8_called_ascii(server: HttpServer) -> Handler:
    return static(Response(_feed(UNICODE_TITLE, "ascii"), 200, {"Content-Type": f"{RSS}; charset=us-ascii"}))


FAULTS: tuple[Fault, ...] = (
    Fault("HTTP 500", lambda s: static(Response(b"oops", 500)), r"HTTP 500"),
    Fault("HTTP 502", lambda s: static(Response(b"bad gateway", 502)), r"HTTP 502"),
    Fault("HTTP 503 Retry-After", lambda s: static(Response(b"", 503, {"Retry-After": "1"})), r"HTTP 503"),
    Fault("HTTP 429", lambda s: static(Response(b"slow down", 429)), r"HTTP 429"),
    Fault("HTTP 404", lambda s: static(Response(b"no", 404)), r"HTTP 404"),
    Fault("HTTP 410", lambda s: static(Response(b"gone", 410)), r"HTTP 410"),
    Fault("never answers", lambda s: hang(), r"timed out"),
    Fault(
        "1 byte a second", lambda s: slow_body(_feed("drip", "drip") * 4, chunk=1, interval=0.9), r"gave up|timed out"
    ),
    Fault("connection reset", lambda s: reset(), r"connection"),
    Fault("truncated body", lambda s: truncated(_feed("cut", "cut") * 3, 60), r"connection|incomplete"),
    Fault("corrupt gzip", lambda s: corrupt_gzip(_feed("zip", "zip")), r"corrupt"),
    Fault("HTML page", _html, r"HTML"),
    Fault("redirect loop", _loop, r"redirect loop"),
    Fault("over the size cap", lambda s: static(Response(b" " * 2_000_000 + _feed("big", "big"), 200)), r"too large"),
    # Quirks kb is expected to get right rather than fail on:
    Fault("permanent redirect", _moved, None),
    Fault("always 304", lambda s: static(Response(b"", 304)), None),
    Fault("missing charset", _latin1_without_charset, None),
    Fault("wrong charset", _utf8_called_ascii, None),
    Fault("500 then fine", lambda s: sequence(Response(b"", 500), Response(_feed("Flaky", "flaky"), 200)), None),
    Fault(
        "429 then fine",
        lambda s: sequence(Response(b"", 429, {"Retry-After": "1"}), Response(_feed("Patient", "patient"), 200)),
        None,
    ),
)


@dataclass
class FaultRun:
    """What one `kb fetch` over the fault workspace did, as the person and the scripts can see it."""

    root: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    status: dict[str, object]
    log: str
    stored_by_source: dict[str, set[str]]
    titles: dict[str, list[str]]
    request_times: dict[str, list[float]] = field(default_factory=dict)
    good_expected: dict[str, int] = field(default_factory=dict)

    def source(self, name: str) -> dict[str, object]:
        sources = self.status["sources"]
        assert isinstance(sources, list)
        return next(s for s in sources if s["name"] == name)

    @property
    def survived(self) -> list[str]:
        """Faults whose source ended as expected: a readable recorded error, or stored when kb copes."""
        kept = []
        for fault in FAULTS:
            entry = self.source(fault.name)
            error = entry["last_error"]
            if fault.error is None:
                ok = not entry["consecutive_failures"] and entry["last_attempt"] is not None
            else:
                ok = isinstance(error, str) and "\n" not in error and re.search(fault.error, error) is not None
            if ok:
                kept.append(fault.name)
        return kept

    @property
    def good_lost(self) -> int:
        """Items of the good sources that did not reach the store."""
        return sum(max(0, n - len(self.stored_by_source.get(s, set()))) for s, n in self.good_expected.items())


def entry_count(data: bytes) -> int:
    """<item>/<entry> start tags in a feed file (its UTF-8 text)."""
    return len(re.findall(r"<(?:item|entry)[\s>/]", data.decode("utf-8", errors="ignore")))


def run_fault_scenario(base: Path, corpus: Path) -> FaultRun:
    """Build the workspace under ``base``, run one `kb fetch`, and gather what it left on record."""
    with contextlib.ExitStack() as stack:
        good = stack.enter_context(HttpServer())
        good.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
        good.add_handler("/api/query", arxiv_api(corpus, {"attention": ATTENTION_API}))
        good.add_file("/lillog.xml", corpus / LILLOG, RSS)
        good.add_file("/colah.xml", corpus / COLAH, RSS)
        feeds = [{"name": "Lil'Log", "url": good.url("/lillog.xml")}, {"name": "colah", "url": good.url("/colah.xml")}]
        servers: dict[str, HttpServer] = {}
        for fault in FAULTS:
            server = stack.enter_context(HttpServer())
            servers[fault.name] = server
            feeds.append({"name": fault.name, "url": server.add_handler("/feed", fault.handler(server))})
        root = base / "faults"
        init_workspace(root)
        config = {
            "arxiv": {
                "categories": ["cs.CL"],
                "queries": [{"name": "attention", "query": "attention", "first_run_days": all_of_arxiv()}],
                "api_url": good.url("/api/query"),
                "rss_url": good.url("/rss/"),
                "delay_seconds": 0,
                "retries": 1,
            },
            "feeds": feeds,
            "fetch": FETCH,
        }
        write_config(root, config)
        started = time.monotonic()
        result = kb("fetch", root=root, timeout=120)
        seconds = time.monotonic() - started
        request_times = {name: [r.time for r in server.requests_for("/feed")] for name, server in servers.items()}
    stored, titles = _stored_by_source(root)
    return FaultRun(
        root=root,
        returncode=result.returncode,
        stdout=result.stdout,
        stderr=result.stderr,
        seconds=seconds,
        status=status_json(root),
        log=(root / ".kb" / "kb.log").read_text(encoding="utf-8"),
        stored_by_source=stored,
        titles=titles,
        request_times=request_times,
        good_expected={
            "Lil'Log": entry_count((corpus / LILLOG).read_bytes()),
            "colah": entry_count((corpus / COLAH).read_bytes()),
            "arxiv": entry_count((FIXTURES / "rss_attention_v7.xml").read_bytes()),
            "attention": 1,
        },
    )


def _stored_by_source(root: Path) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    conn = sqlite3.connect(root / ".kb" / "kb.sqlite")
    try:
        stored: dict[str, set[str]] = {}
        titles: dict[str, list[str]] = {}
        query = "SELECT s.source, i.id, i.title FROM item_source s JOIN item i ON i.id = s.item_id"
        for source, item_id, title in conn.execute(query):
            stored.setdefault(source, set()).add(item_id)
            titles.setdefault(source, []).append(title)
    finally:
        conn.close()
    return stored, titles


def describe(run: FaultRun) -> str:
    """A short account of a run for assertion messages."""
    return json.dumps({"exit": run.returncode, "stderr": run.stderr[-2000:], "failing": run.status["failing"]})
