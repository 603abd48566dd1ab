"""A workspace filled from the repository's own fixtures (tests/fixtures) through the real fetch path.

Tests that need a realistic workspace (the TUI, the CLI, the store) use this instead of the shared corpus, so they
run from a plain clone. A loopback server serves excerpts of recorded arXiv responses and of a blog feed
(tests/fixtures/README.md names their sources); ``kb``'s own fetcher (the arxiv client, feedparser) reads them and
stores what it finds, exactly as against the real services.

The search excerpt holds 20 papers published in 2021 or later, inside the fetch's first-run window (at most 3650
days back from the real date), then one from 2001, older than that window on any date from now on: there the
fetch stops paging, as at a real cutoff (the response's totalResults promises many more). :func:`fill_fixture_workspace`
checks that the 20 were stored, so the day the window passes them by is a loud failure, not a quietly smaller inbox.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from kb.library import Library
from kb.models import ItemFilter
from tests.support.httpserver import HttpServer
from tests.support.workspace import FIXTURES, arxiv_api, make_workspace

#: An excerpt (21 entries: 20 recent, the last from 2001) of a recorded arXiv API answer to search_query=testing.
TESTING_API = "arxiv-api/api2026_q_testing_s0_m100_excerpt21.xml"
#: How many of them a first fetch stores: all but the one from 2001.
TESTING_STORED = 20
#: Recorded arXiv API answers for single ids.
ATTENTION_API = "arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"
ASTRO_API = "arxiv-api/api2026_id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"
MANY_AUTHORS_API = "arxiv-api/api2026_id_1707.08567_s0_m100_6a1afebfc6a3.xml"
#: An excerpt (10 items) of Lil'Log's RSS feed.
LILLOG = "blogs/lilianweng_lil-log_hugo_rss2_excerpt10.xml"
#: Two arXiv RSS items (cs.CL), the first a replacement of "Attention Is All You Need".
RSS_CL = "rss_attention_v7.xml"


def entry_count(path: Path) -> int:
    """How many entries (Atom) or items (RSS) a fixture file holds."""
    return len(re.findall(rb"<entry>|<item>", path.read_bytes()))


def serve_fixtures(server: HttpServer) -> None:
    """Serve the fixture sources at the paths :func:`fill_fixture_workspace`'s feeds.yaml points at."""
    server.add_file("/rss/cs.CL", FIXTURES / RSS_CL)
    server.add_handler("/api/query", arxiv_api(FIXTURES, {"testing": TESTING_API, "1706.03762": ATTENTION_API}))
    server.add_file("/blogs/lillog", FIXTURES / LILLOG, "application/rss+xml")


def fill_fixture_workspace(root: Path, server: HttpServer, feeds: Mapping[str, str] | None = None) -> Path:
    """A workspace at ``root``, filled by one real fetch of the fixture sources (plus ``feeds``: name -> path
    of a route the caller added to ``server``). Fails, saying why, if the fetch did not store every fixture paper."""
    serve_fixtures(server)
    make_workspace(
        root,
        server,
        categories=("cs.CL",),
        queries={"testing": "testing"},
        feeds={"Lil'Log": "/blogs/lillog", **(feeds or {})},
    )
    with Library.open(root) as library:
        report = library.fetch()
        assert not report.failed, report.summary()
        stored = len(library.list_items(ItemFilter(source="testing")))
        assert stored == TESTING_STORED, (
            f"{stored} of the {TESTING_STORED} recent papers in {TESTING_API} were stored: some fell out of the"
            " first-run window"
            " (first_run_days, counted back from today); replace them with newer entries of a recorded response"
        )
    return root
