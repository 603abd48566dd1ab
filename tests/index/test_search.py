"""Queries with known answers on a real index: every field and operator, snippets, sorting, updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kb.index import SearchIndex
from kb.models import Kind, Status

from .helpers import DOCS, ids

ATTENTION, KERNEL, GRAPH, EXPERTS, POST, NOTE = (d.id for d in DOCS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # words, accents, stemming, hyphens
        ("attention", {ATTENTION, POST, NOTE}),
        ("scholkopf", {KERNEL}),
        ("SCHÖLKOPF", {KERNEL}),
        ("network", {ATTENTION, KERNEL, GRAPH}),
        ("predicted", {GRAPH}),
        ("self-attention", {ATTENTION}),
        ('"self attention"', {ATTENTION}),
        ("state-of-the-art", {EXPERTS}),
        ('"state of the art"', {EXPERTS}),
        # phrases are exact, gaps of dropped words included
        ('"attention is all you need"', {ATTENTION, NOTE}),
        ('"attention all you need"', set()),
        ('"neural networks"', {ATTENTION, GRAPH}),
        ('"networks neural"', set()),
        # ids and categories kept whole
        ("1706.03762", {ATTENTION, KERNEL, NOTE}),
        ("arxiv:1706.03762", {ATTENTION, KERNEL, NOTE}),
        ("https://arxiv.org/abs/1706.03762v7", {ATTENTION, KERNEL, NOTE}),
        ("hep-th/9901001", {KERNEL}),
        ("cs.LG", {ATTENTION, KERNEL, GRAPH}),
        # operators
        ("graph molecules", {GRAPH}),
        ("graph kernels", {NOTE}),  # its lines mention kernels and graphs
        ("graph OR kernel", {GRAPH, KERNEL, NOTE}),
        ("attention -heads", {ATTENTION, NOTE}),
        ("attention NOT heads", {ATTENTION, NOTE}),
        ("attention -transformer", set()),  # the note is tagged transformers
        ("(graph OR experts) -molecules", {EXPERTS, NOTE}),
        ("transform*", {ATTENTION, POST, NOTE}),
        ("stud*", {GRAPH}),
        ("-attention -kernel", {GRAPH, EXPERTS}),
        # fields
        ("title:attention", {ATTENTION, NOTE}),
        ("title:(graph OR experts)", {GRAPH, EXPERTS}),
        ('title:"mixtures of experts"', {EXPERTS}),
        ("author:vaswani", {ATTENTION}),
        ("author:schölkopf", {KERNEL}),
        ('author:"noam shazeer"', {ATTENTION}),
        ('author:"shazeer ashish"', set()),  # a phrase never spans two authors
        ("author:lov*", {GRAPH}),
        ("abstract:transformer", {ATTENTION, POST}),
        ("text:kernels", {NOTE}),
        ("cat:cs.LG", {ATTENTION, GRAPH}),
        ("cat:cs.lg", {ATTENTION, GRAPH}),
        ("cat:stat", {GRAPH}),
        ("cat:hep-th", {KERNEL}),
        ("tag:transformers", {ATTENTION, NOTE}),
        ('tag:"to read"', {ATTENTION}),
        ("kind:paper", {ATTENTION, KERNEL, GRAPH, EXPERTS}),
        ("kind:post", {POST}),
        ("kind:notes", {NOTE}),
        ("source:hinton", {KERNEL}),
        ("source:lil'log", {POST}),
        ("source:medical-imaging", {GRAPH}),
        ("status:new", {KERNEL, EXPERTS, POST}),
        ("status:read", {ATTENTION}),
        ("status:skipped", {GRAPH}),
        ("is:starred", {ATTENTION}),
        ("is:read", {ATTENTION}),
        ("has:note", {ATTENTION}),
        ("id:1706.03762", {ATTENTION}),
        ("id:arxiv:1706.03762v7", {ATTENTION}),
        ("id:hep-th/9901001", {KERNEL}),
        ("id:post:abc123def456", {POST}),
        ("id:note:reading/attention.md", {NOTE}),
        ("year:2024", {GRAPH, EXPERTS}),
        ("year:2017..2024", {ATTENTION, GRAPH, EXPERTS}),
        ("published:2024", {GRAPH, EXPERTS}),
        ("published:2024-01..2024-06", {GRAPH, EXPERTS}),
        ("published:2024-06-30", {EXPERTS}),
        ("published:>2024-03-15", {EXPERTS, POST}),
        ("published:>=2024-03-15", {GRAPH, EXPERTS, POST}),
        ("published:<2000", {KERNEL}),
        ("published:..2017", {KERNEL, ATTENTION}),
        ("PUBLISHED:2025-03", {POST}),
        # free words also search comments, journal refs, tags and the titles a note links
        ("figures", {ATTENTION}),
        ("phys", {KERNEL}),
        ("blog", {POST}),
        # filters combine with words
        ("attention kind:note", {NOTE}),
        ("network status:new", {KERNEL}),
        ("networks published:2024", {GRAPH}),
    ],
)
def test_known_answers(index: SearchIndex, query: str, expected: set[str]) -> None:
    assert ids(index, query) == expected


def test_title_outranks_text(index: SearchIndex) -> None:
    hits = index.search("graph").hits
    assert hits[0].id == GRAPH  # "graph" in its title
    hits = index.search("attention").hits
    assert {h.id for h in hits[:2]} == {ATTENTION, NOTE}  # in their titles
    assert hits[2].id == POST  # in its text only


def test_total_counts_every_match_beyond_the_limit(index: SearchIndex) -> None:
    result = index.search("kind:paper", limit=2)
    assert (len(result.hits), result.total) == (2, 4)
    result = index.search("network OR attention", limit=1)
    assert (len(result.hits), result.total) == (1, 5)
    assert index.search("network", limit=0).total == 3


def test_sort_by_date_newest_first(index: SearchIndex) -> None:
    hits = index.search("network OR attention", sort="date").hits
    assert [h.id for h in hits] == [POST, GRAPH, ATTENTION, KERNEL, NOTE]  # the note has no date: last
    assert hits[0].published == datetime(2025, 3, 2, 12, tzinfo=UTC)


def test_sort_by_date_with_no_dated_document(tmp_path: Path, engine: str) -> None:
    # Notes alone (a new workspace): Whoosh had no sort column in any segment and reported a damaged index.
    undated = [replace(doc, published=None) for doc in DOCS]
    with SearchIndex.open(tmp_path / "undated", procs=1, engine=engine) as ix:
        ix.rebuild([undated])
        hits = ix.search("network OR attention", sort="date").hits
        assert [h.id for h in hits] == sorted(h.id for h in hits)  # the same date: by id
        assert len(hits) == 5
        assert ix.search("kind:note").total == 1  # and the index was not marked broken
        ix.update([replace(DOCS[0], published=datetime(2020, 1, 1, tzinfo=UTC))])
        assert ix.search("network OR attention", sort="date").hits[0].id == DOCS[0].id


def test_filters_alone_list_newest_first(index: SearchIndex) -> None:
    assert [h.id for h in index.search("status:new").hits] == [POST, EXPERTS, KERNEL]


def test_snippets_mark_matches_in_plain_text(index: SearchIndex) -> None:
    hit = index.search("self-attention networks").hits[0]
    assert hit.snippet.endswith("«self-attention» mechanisms.")
    assert "«networks»" in hit.snippet
    assert "<" not in hit.snippet
    hit = index.search("predicted", marks=("[", "]")).hits[0]
    assert "[predicts]" in hit.snippet and "[prediction]" in hit.snippet
    hits = index.search("transform*").hits
    assert any("«transformers»" in h.snippet for h in hits)


def test_phrases_are_marked_only_where_they_occur_whole(index: SearchIndex) -> None:
    hit = index.search('"neural networks" OR molecules').hits
    snippets = {h.id: h.snippet for h in hit}
    assert "convolutional «neural networks»." in snippets[ATTENTION]
    assert "«" not in snippets[GRAPH]  # "network" alone is not the phrase
    assert "The network predicts" in snippets[GRAPH]


def test_title_only_match_shows_the_start_of_the_text(index: SearchIndex) -> None:
    hit = index.search("title:sparse").hits[0]
    assert hit.snippet.startswith("Routing tokens to experts")
    assert "«" not in hit.snippet


def test_note_hits_show_the_lines_that_matched(index: SearchIndex) -> None:
    hit = index.search("attention OR graphs kind:note").hits[0]
    assert hit.kind is Kind.NOTE
    assert hit.snippet == "Scaled dot-product «attention» is the core.\nLast line mentions «graphs»."


def test_hits_carry_what_the_list_needs(index: SearchIndex) -> None:
    hit = index.search("vaswani").hits[0]
    assert (hit.id, hit.kind, hit.title) == (ATTENTION, Kind.PAPER, "Attention Is All You Need")
    assert hit.published == datetime(2017, 6, 12, 12, tzinfo=UTC)
    assert hit.score > 0


def test_update_changes_filters_at_once(index: SearchIndex) -> None:
    assert ids(index, "is:starred") == {ATTENTION}  # the searcher is now cached
    graph = DOCS[2]
    index.update([replace(graph, starred=True, status=Status.READ, tags=("gnn",))])
    assert ids(index, "is:starred") == {ATTENTION, GRAPH}
    assert ids(index, "status:read") == {ATTENTION, GRAPH}
    assert ids(index, "status:skipped") == set()
    assert ids(index, "tag:gnn") == {GRAPH}
    assert index.doc_count() == len(DOCS)


def test_update_adds_and_replaces_by_id(index: SearchIndex) -> None:
    fresh = replace(DOCS[3], id="arxiv:2501.00002", title="Brand new routing paper")
    index.update([fresh, replace(DOCS[3], title="Renamed experts paper")])
    assert ids(index, "routing") == {EXPERTS, "arxiv:2501.00002"}
    assert ids(index, "title:renamed") == {EXPERTS}
    assert ids(index, "title:mixtures") == set()
    assert index.doc_count() == len(DOCS) + 1


def test_delete_removes_by_id(index: SearchIndex) -> None:
    index.delete([GRAPH, "arxiv:0000.00000"])
    assert GRAPH not in index.ids()
    assert ids(index, "molecules") == set()
    assert index.doc_count() == len(DOCS) - 1
    assert index.search("network").total == 2


def test_ids_lists_every_document(index: SearchIndex) -> None:
    assert index.ids() == {d.id for d in DOCS}
    index.delete([NOTE])
    assert index.ids() == {d.id for d in DOCS} - {NOTE}


def test_a_new_index_is_empty_and_needs_a_rebuild(index_dir: Path, engine: str) -> None:
    with SearchIndex.open(index_dir, engine=engine) as ix:
        assert ix.needs_rebuild
        assert ix.doc_count() == 0
        assert ix.ids() == set()
        assert ix.search("anything").total == 0
        ix.update([DOCS[0]])  # updates work before the first rebuild
        assert ids(ix, "attention") == {ATTENTION}
        assert ix.rebuild([DOCS]) == len(DOCS)
        assert not ix.needs_rebuild


def test_rebuild_replaces_everything_and_skips_repeated_ids(index: SearchIndex) -> None:
    assert index.rebuild([[DOCS[0], DOCS[1]], [DOCS[0]]]) == 2
    assert index.ids() == {ATTENTION, KERNEL}
    assert ids(index, "graph") == set()


def test_reopening_finds_the_same_documents(index: SearchIndex, index_dir: Path, engine: str) -> None:
    with SearchIndex.open(index_dir, engine=engine) as again:
        assert not again.needs_rebuild
        assert again.ids() == index.ids()
        assert ids(again, "author:vaswani") == {ATTENTION}


def test_recorded_papers(tmp_path: Path, corpus: Path, engine: str) -> None:
    from .helpers import corpus_papers

    papers = corpus_papers(corpus)
    assert len(papers) > 100
    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        ix.rebuild([papers])
        assert ids(ix, "attention is all you need") >= {"arxiv:1706.03762"}
        assert ids(ix, "author:wubben") == {"arxiv:1707.08567"}  # recorded as "Dirk Wübben"
        assert "arxiv:1706.03762" in ids(ix, "id:1706.03762v7")
        assert ids(ix, "id:astro-ph/0601001") == {"arxiv:astro-ph/0601001"}
        assert ids(ix, "astro-ph/0601001") >= {"arxiv:astro-ph/0601001"}
        testing = ix.search("testing", limit=5)
        assert testing.total > 50 and all("«test" in h.snippet or "testing" not in h.snippet for h in testing.hits)
        assert ix.search('"quantum criticality"').total >= 1


def test_an_index_of_the_other_engine_needs_a_rebuild_and_is_kept_until_then(index_dir: Path) -> None:
    from kb.index import layout

    with SearchIndex.open(index_dir, engine="whoosh") as ix:
        ix.rebuild([DOCS])
    whoosh_generation = layout.generations(index_dir)
    with SearchIndex.open(index_dir, engine="tantivy") as other:
        assert other.needs_rebuild
        assert other.search("attention").total == 0  # never a traceback, never the other engine's files
        assert layout.generations(index_dir) == whoosh_generation  # opening alone drops nothing
        assert other.rebuild([DOCS]) == len(DOCS)
        assert not other.needs_rebuild and ids(other, "attention") == {ATTENTION, POST, NOTE}
        assert len(layout.generations(index_dir)) == 1 and layout.generations(index_dir) != whoosh_generation
    with SearchIndex.open(index_dir, engine="whoosh") as back:
        assert back.needs_rebuild
