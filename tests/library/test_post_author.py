"""`author:` finds a blog post by its feed when the feed names no author (issue 12): a personal blog is
named for its person. Real fetch of recorded feeds over loopback, real store and index."""

from __future__ import annotations

from pathlib import Path

from kb.library import Library
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import make_workspace

__all__ = ["http_server"]


def test_author_finds_posts_of_a_feed_without_authors(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    colah = http_server.add_file("/colah.xml", corpus / "blogs" / "colah_blog_handwritten_rss2.xml")
    pearl = http_server.add_file("/pearl.xml", corpus / "blogs" / "judea-pearl_ucla_causality_blog_wordpress_rss2.xml")
    feeds = {"colah": colah.removeprefix(http_server.base_url), "Causality": pearl.removeprefix(http_server.base_url)}
    root = make_workspace(tmp_path / "ws", http_server, feeds=feeds)
    with Library.open(root) as library:
        assert library.fetch().new > 6
        found = library.search("author:colah", limit=50)
        assert found.total == 6  # every post of the feed, whose entries name no author
        # A feed whose entries name their author is searched by that name, not by the feed's.
        assert library.search("author:causality", limit=50).total == 0
        assert library.search("author:pearl", limit=50).total > 0
