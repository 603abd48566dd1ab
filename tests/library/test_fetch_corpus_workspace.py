"""Every recorded blog and tricky feed in one workspace: stored once, counted right, and a second fetch adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.library import Library
from kb.models import ItemFilter
from tests.fetchers.test_fetch_corpus import entry_count
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import make_workspace

__all__ = ["http_server"]


@pytest.mark.slow
def test_the_whole_corpus_in_one_workspace(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    files = sorted((corpus / "blogs").glob("*.xml")) + sorted((corpus / "tricky" / "feed-rs-fixtures").glob("*.xml"))
    files += sorted((corpus / "tricky" / "feedparser-tests").glob("*.xml"))
    feeds = {}
    for number, path in enumerate(files):
        feeds[f"{number:03d} {path.stem}"] = http_server.add_file(f"/feeds/{number}", path).removeprefix(
            http_server.base_url
        )
    root = make_workspace(tmp_path / "ws", http_server, feeds=feeds)
    expected = {name: entry_count(files[int(name[:3])].read_bytes()) for name in feeds}

    with Library.open(root) as library:
        first = library.fetch()
        outcomes = {outcome.source: outcome for outcome in first.outcomes}
        assert set(outcomes) == set(feeds)
        for name, outcome in outcomes.items():
            stored = library.count_items(ItemFilter(source=name))
            assert stored == outcome.new, name
            if name.split(" ", 1)[1].startswith(("lilianweng", "colah", "olshansk", "iclr", "davidbau")):
                assert outcome.ok and outcome.new == expected[name], name
            if not outcome.ok:
                assert outcome.error and "\n" not in outcome.error and outcome.new == 0
        blog_items = sum(outcomes[name].new for name in feeds if "blogs" in str(files[int(name[:3])]))
        assert blog_items > 900
        second = library.fetch()
        assert (second.new, second.updated) == (0, 0)
        assert [o.source for o in second.failed] == [o.source for o in first.failed]
        total = library.count_items(ItemFilter())
        assert total == first.new
        assert library.status()["index"]["ok"]  # type: ignore[index]
