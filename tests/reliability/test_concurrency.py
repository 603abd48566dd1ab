"""Promise 4: the TUI triaging during a cron fetch, two fetches at once, a fetch during a reindex.

Real processes against one workspace: no "database is locked" or index lock error reaches anyone, and
nothing is dropped.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kb.library import Library
from kb.models import Author, FetchedItem, Kind, Status, post_id
from kb.store import Store
from tests.reliability.faults import entry_count
from tests.reliability.helpers import LOCK_WORDS, index_ids, kb, kb_popen, note_ids, reap_group, store_facts
from tests.support.httpserver import HttpServer, http_server, slow_body
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

BIG = (
    "olshansk_feedgen_rss2_the_batch.xml",
    "olshansk_feedgen_rss2_meta_ai.xml",
    "lilianweng_lil-log_hugo_rss2_index.xml",
)
RSS = "application/rss+xml"


def _serve_blogs(server: HttpServer, corpus: Path) -> dict[str, str]:
    for name in BIG:
        server.add_file(f"/{name}", corpus / "blogs" / name, RSS)
    return {name.removesuffix(".xml"): f"/{name}" for name in BIG}


def _expected_posts(corpus: Path) -> int:
    return sum(entry_count((corpus / "blogs" / name).read_bytes()) for name in BIG)


def _clean(stderr: bytes | str, who: str) -> None:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    assert not LOCK_WORDS.search(text), f"{who} showed a lock error: {text[-800:]}"


def test_triage_in_a_loop_while_a_fetch_process_stores_and_indexes(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",), feeds=_serve_blogs(http_server, corpus))
    assert kb("fetch", "-q", "--source", "arxiv", root=root).returncode == 0
    papers = sorted(store_facts(root).ids)
    assert len(papers) == 2

    fetch = kb_popen("fetch", "-q", root=root)
    edits = 0
    last: dict[str, tuple[Status, bool, list[str]]] = {}
    try:
        with Library.open(root) as library:  # as the TUI holds it: one library, open all along
            while fetch.poll() is None or edits < 20:
                item_id = papers[edits % 2]
                state = ((Status.READ, Status.SKIPPED, Status.NEW)[edits % 3], edits % 2 == 0, [f"t{edits % 5}"])
                library.set_status(item_id, state[0])
                library.set_starred(item_id, state[1])
                library.set_tags(item_id, state[2])
                last[item_id] = state
                edits += 1
            starred = {hit.id for hit in library.search("is:starred").hits}
        _, err = fetch.communicate(timeout=60)
    finally:
        reap_group(fetch)
    assert fetch.returncode == 0, err
    _clean(err, "kb fetch")
    facts = store_facts(root)
    assert facts.integrity == "ok" and facts.duplicates == 0
    assert len([i for i in facts.ids if i.startswith("post:")]) == _expected_posts(corpus)
    for item_id, (status, star, tags) in last.items():
        assert facts.triage[item_id] == (status.value, star, tuple(tags))
    assert starred == {i for i, (_, star, _) in last.items() if star}  # the index agrees with the store
    count, indexed = index_ids(root)
    assert indexed == set(facts.ids) | note_ids(root) and count == len(indexed)


def test_two_fetches_started_together_one_runs_the_other_stands_down(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    slow = (corpus / "blogs" / BIG[2]).read_bytes()
    # ~6 s in all, each piece well within the read timeout: a slow but healthy feed.
    http_server.add_handler("/slow.xml", slow_body(slow, chunk=len(slow) // 8 + 1, interval=0.75))
    root = make_workspace(tmp_path / "ws", http_server, feeds={"slow": "/slow.xml"})
    first, second = kb_popen("fetch", root=root), kb_popen("fetch", root=root)
    try:
        outputs = [process.communicate(timeout=60) for process in (first, second)]
    finally:
        reap_group(first)
        reap_group(second)
    assert (first.returncode, second.returncode) == (0, 0)
    errors = [err.decode() for _, err in outputs]
    stood_down = [err for err in errors if "another kb fetch is running" in err]
    assert len(stood_down) == 1, errors  # the fetch takes over 6 s; the second waits 5 s, then stands down
    ran = next(err for err in errors if err not in stood_down)
    assert "53 new, 0 updated from 1 source" in ran
    for err in errors:
        _clean(err, "kb fetch")
    assert len(http_server.requests_for("/slow.xml")) == 1
    assert store_facts(root).duplicates == 0 and len(store_facts(root).ids) == 53


def _fill(root: Path, count: int) -> None:
    """Many stored posts, straight into the store, so that a reindex takes a while."""
    now = datetime.now(UTC)
    items = [
        FetchedItem(
            id=post_id("bulk", str(n)),
            kind=Kind.POST,
            title=f"Bulk post {n} on sparse attention and kernels",
            summary=" ".join(f"word{(n * 7 + k) % 997}" for k in range(120)),
            url=f"http://example.org/bulk/{n}",
            authors=(Author(f"Author {n % 50}"),),
            published=now - timedelta(minutes=n),
            feed="bulk",
            guid=str(n),
        )
        for n in range(count)
    ]
    with Store.open(root / ".kb" / "kb.sqlite") as store:
        store.upsert_items(items, "bulk")


@pytest.mark.slow
def test_a_fetch_and_a_search_during_a_reindex(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    root = make_workspace(tmp_path / "ws", http_server, feeds=_serve_blogs(http_server, corpus))
    _fill(root, 2500)
    assert kb("reindex", root=root).returncode == 0
    before = set(store_facts(root).ids)
    index = root / ".kb" / "index"
    generations = {p.name for p in index.iterdir() if p.name.startswith("g")}
    reindex = kb_popen("reindex", root=root)
    try:
        deadline = time.monotonic() + 30
        while not {p.name for p in index.iterdir() if p.name.startswith("g")} - generations:
            assert time.monotonic() < deadline and reindex.poll() is None, "the reindex never started writing"
            time.sleep(0.02)
        searched = kb("search", "sparse", "attention", "--limit", "3", root=root)  # served by the old generation
        overlapped = reindex.poll() is None
        fetch = kb("fetch", "-q", root=root)
        _, err = reindex.communicate(timeout=120)
    finally:
        reap_group(reindex)
    assert overlapped, "the reindex ended before the fetch began: nothing was tested"
    assert reindex.returncode == 0, err
    _clean(err, "kb reindex")
    assert searched.returncode == 0 and searched.stdout.count("post:") == 3, searched.stderr
    _clean(searched.stderr, "kb search")
    assert fetch.returncode == 0, fetch.stderr
    _clean(fetch.stderr, "kb fetch")
    facts = store_facts(root)
    assert before <= set(facts.ids) and len(facts.ids) == 2500 + _expected_posts(corpus)
    count, indexed = index_ids(root)
    assert indexed == set(facts.ids) | note_ids(root) and count == len(indexed)
