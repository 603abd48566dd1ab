"""More like this on both engines: key terms by tf-idf, neighbours that share them, the source left out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.index import SearchIndex
from kb.index.document import prepare
from kb.index.similar import KEY_TERMS, key_terms, shared_terms
from kb.models import IndexDoc

from .helpers import DOCS, corpus_papers

# Three condensed-matter papers of the recorded corpus: quantum phases, criticality, lattices. Among 113
# papers (mostly software testing and robotics) each one's two nearest neighbours are the other two.
CONDENSED = ("arxiv:1301.7746", "arxiv:1111.2011", "arxiv:cond-mat/0607501")


@pytest.fixture
def corpus_index(tmp_path: Path, engine: str, corpus: Path) -> Iterator[tuple[SearchIndex, dict[str, IndexDoc]]]:
    docs = corpus_papers(corpus)
    ix = SearchIndex.open(tmp_path / "index", procs=1, engine=engine)
    ix.rebuild([docs])
    yield ix, {doc.id: doc for doc in docs}
    ix.close()


@pytest.mark.parametrize("source", CONDENSED)
def test_papers_on_one_topic_are_each_others_nearest(
    corpus_index: tuple[SearchIndex, dict[str, IndexDoc]], source: str
) -> None:
    ix, docs = corpus_index
    result = ix.similar([docs[source]], {source}, None, 5)
    found = [entry.hit.id for entry in result.hits]
    assert source not in found  # the paper itself is left out
    assert set(found[:2]) == set(CONDENSED) - {source}
    assert "quantum" in result.terms
    for entry in result.hits[:2]:
        assert "quantum" in entry.shared  # each result says which of the source's words it shares


def test_limit_and_kind_and_exclusions(corpus_index: tuple[SearchIndex, dict[str, IndexDoc]]) -> None:
    ix, docs = corpus_index
    source = docs[CONDENSED[0]]
    assert len(ix.similar([source], {source.id}, None, 1).hits) == 1
    assert not ix.similar([source], {source.id}, "note", 10).hits  # no notes in this index
    left_out = {source.id, CONDENSED[1]}
    assert CONDENSED[1] not in [entry.hit.id for entry in ix.similar([source], left_out, "paper", 10).hits]


def test_both_engines_find_the_same_neighbours(tmp_path: Path, corpus: Path) -> None:
    docs = corpus_papers(corpus)
    answers = []
    for engine in ("whoosh", "tantivy"):
        with SearchIndex.open(tmp_path / engine, procs=1, engine=engine) as ix:
            ix.rebuild([docs])
            result = ix.similar([docs[0]], {docs[0].id}, None, 3)
            answers.append((result.terms, {entry.hit.id: entry.shared for entry in result.hits}))
    assert answers[0][0] == answers[1][0]  # the same key terms (df is the index's, both hold the same terms)
    assert answers[0][1] == answers[1][1]


def test_key_terms_weigh_rare_words_above_common_ones() -> None:
    doc = prepare(DOCS[0])
    assert doc is not None
    freq = {"transform": 2, "attent": 3, "network": 40, "model": 50}
    terms = key_terms([doc], lambda _field, term: freq.get(term, 1), 50)
    words = [key.term for key in terms]
    assert set(words[:2]) == {"transform", "attent"}  # rare, and in the title
    assert "network" in words and "model" not in words  # in every document: tells nothing apart
    assert all(freq.get(word, 1) >= 2 for word in words)  # a word only the source has cannot be shared
    assert len(key_terms([doc] * 30, lambda _f, _t: 2, 10**6)) <= KEY_TERMS


def test_shared_terms_are_the_sources_words_found_in_the_result() -> None:
    doc = prepare(DOCS[0])
    assert doc is not None
    terms = key_terms([doc], lambda _field, _term: 2, 100)
    shared = shared_terms(terms, ["Efficient transformers", "with sparse Attention"])
    assert set(shared) == {"transformer", "attention"}
    assert shared_terms(terms, ["nothing in common here"]) == ()


def test_an_empty_index_or_a_source_without_words_finds_nothing(index: SearchIndex) -> None:
    assert not index.similar([IndexDoc(id="x", kind=DOCS[0].kind, title="", text="")], set(), None, 5).hits
    result = index.similar([DOCS[0]], {DOCS[0].id}, None, 5)
    assert DOCS[0].id not in [entry.hit.id for entry in result.hits]
