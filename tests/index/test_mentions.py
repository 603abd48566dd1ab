"""A paper your own posts and notes mention ranks above an equally good match they never mention (issue 12).

kb.index.mentions: a blog post whose text holds the paper's arXiv id, or a note whose front matter names the
paper, lifts the paper's score, within the best hits only; on both engines.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kb.index import SearchIndex
from kb.index.mentions import WINDOW
from kb.models import IndexDoc, Kind, Status
from tests.support.known_item import known_item_docs

from .helpers import when

MENTIONED = "arxiv:2301.00001"
RIVAL = "arxiv:2301.00002"


def _paper(paper_id: str, text: str, title: str = "Routing tokens to experts") -> IndexDoc:
    return IndexDoc(id=paper_id, kind=Kind.PAPER, title=title, text=text, status=Status.NEW)


def _papers() -> list[IndexDoc]:
    """Two papers on sparse experts, the rival a little better by words alone, and papers on other things."""
    return [
        _paper(
            MENTIONED, "We route tokens to sparse experts with a learned router and a balancing loss over many batches."
        ),
        _paper(
            RIVAL,
            "We route tokens to sparse experts with a learned router and a sparse balancing loss over many batches.",
        ),
        *(_paper(f"arxiv:2302.{n:05d}", "Message passing on graphs of molecules.", f"Graphs {n}") for n in range(30)),
    ]


POST = IndexDoc(
    id="post:reading-list",
    kind=Kind.POST,
    title="A reading list",
    text="Start with https://arxiv.org/abs/2301.00001 and then the rest.",
    status=Status.NEW,
)
NOTE = IndexDoc(
    id="note:routing.md",
    kind=Kind.NOTE,
    title="Routing notes",
    text="What the router learns.",
    linked_papers=(MENTIONED,),
)


def _ids(ix: SearchIndex, query: str, limit: int = 10) -> list[str]:
    return [hit.id for hit in ix.search(query, limit=limit).hits]


@pytest.mark.parametrize("mention", [[], [POST], [NOTE]], ids=["none", "post", "note"])
def test_a_mention_lifts_a_paper_above_a_slightly_better_match(
    tmp_path: Path, engine: str, mention: list[IndexDoc]
) -> None:
    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        ix.rebuild([[*_papers(), *mention]])
        expected = [MENTIONED, RIVAL] if mention else [RIVAL, MENTIONED]
        assert _ids(ix, "sparse experts kind:paper") == expected
        assert _ids(ix, "sparse experts kind:paper", limit=1) == expected[:1]  # the same first hit at any limit
        lifted, plain = ix.search("sparse experts kind:paper").hits
        assert lifted.score > plain.score


def test_a_note_that_links_a_paper_in_its_body_counts_once(tmp_path: Path, engine: str) -> None:
    # Its body's link is in its text and in its links: counted as one document, like one post's mention.
    text = "We route tokens to sparse experts with a learned router."
    twins = [_paper(MENTIONED, text), _paper(RIVAL, text)]
    body_link = replace(NOTE, text="See https://arxiv.org/abs/2301.00001 for the router.")
    post = replace(POST, text="Start with arxiv.org/abs/2301.00002 today.")
    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        ix.rebuild([[*twins, body_link, post]])
        hits = ix.search("sparse experts kind:paper").hits
        assert {hit.id for hit in hits} == {MENTIONED, RIVAL}
        assert hits[0].score == pytest.approx(hits[1].score, rel=1e-6)
        ix.rebuild([[*twins, body_link]])
        assert _ids(ix, "sparse experts kind:paper") == [MENTIONED, RIVAL]


def test_a_versioned_link_is_a_mention_and_is_found_by_the_id(tmp_path: Path, engine: str) -> None:
    linked = [
        replace(POST, id=f"post:{n}", text=f"See {link} for the router.")
        for n, link in enumerate(["https://arxiv.org/abs/2301.00001v3", "arxiv.org/pdf/2301.00001v1.pdf"])
    ]
    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        ix.rebuild([[*_papers(), *linked]])
        assert set(_ids(ix, "2301.00001")) == {MENTIONED, "post:0", "post:1"}
        assert set(_ids(ix, "https://arxiv.org/abs/2301.00001v2")) == {MENTIONED, "post:0", "post:1"}
        assert _ids(ix, "sparse experts kind:paper") == [MENTIONED, RIVAL]


def test_a_mention_only_reorders_the_best_hits(tmp_path: Path, engine: str) -> None:
    # A weak match mentioned everywhere stays where its words put it, below WINDOW strong matches.
    strong = [
        _paper(f"arxiv:2303.{n:05d}", "Sparse experts route tokens; sparse experts scale.", f"Sparse experts {n}")
        for n in range(WINDOW + 5)
    ]
    weak = _paper(
        "arxiv:2304.00001",
        "A long survey of many things: " + "methods and results, " * 40 + "one of them sparse.",
        "A survey",
    )
    posts = [
        IndexDoc(
            id=f"post:p{n}",
            kind=Kind.POST,
            title=f"Post {n}",
            text="See arxiv.org/abs/2304.00001 today.",
            status=Status.NEW,
        )
        for n in range(50)
    ]
    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        ix.rebuild([[*strong, weak, *posts]])
        ids = _ids(ix, "sparse kind:paper", limit=50)
        assert ids.index(weak.id) >= WINDOW
        assert ix.search("sparse kind:paper", limit=50).total == len(strong) + 1


def test_sorting_by_date_is_not_lifted(tmp_path: Path, engine: str) -> None:
    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        dated = {MENTIONED: when(2023, 1, 2), RIVAL: when(2023, 1, 3)}
        ix.rebuild([[*(replace(doc, published=dated.get(doc.id)) for doc in _papers()), POST]])
        hits = ix.search("sparse experts kind:paper", sort="date").hits
        assert [hit.id for hit in hits] == [RIVAL, MENTIONED]
        assert {hit.score for hit in hits} == {0.0}


def test_on_the_recorded_corpus_transformer_finds_attention_first(tmp_path: Path, corpus: Path, engine: str) -> None:
    # By words alone another abstract ranks first (it says "transformer" three times to the paper's two);
    # a recorded blog post (The Gradient) mentions 1706.03762, which lifts the paper above it.
    _, docs = known_item_docs(corpus)
    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        ix.rebuild([docs])
        assert _ids(ix, "1706.03762 kind:post"), "the corpus has a post that mentions the paper"
        assert _ids(ix, "transformer kind:paper", limit=1) == ["arxiv:1706.03762"]
    without_posts = [doc for doc in docs if doc.kind is Kind.PAPER]
    with SearchIndex.open(tmp_path / "bare", procs=1, engine=engine) as ix:
        ix.rebuild([without_posts])
        assert _ids(ix, "transformer kind:paper", limit=2)[1] == "arxiv:1706.03762"  # second by words alone
