"""kb's flat OR matcher: the same documents and scores as Whoosh's own OR, and exact top hits with skipping."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import collectors, index
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema

from kb.index import skipping  # noqa: F401 - kb's exact skipping for AND and AND-NOT (installed with kb.index)
from kb.index.union import FlatOr, FlatUnionMatcher

WORDS = ["graph", "neural", "kernel", "sparse", "expert", "energy", "vision", "model", "robust", "quantum"]
FIELDS = ("title", "text", "extra")


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real Whoosh index of 5,000 documents whose words repeat across many posting blocks, in 3 segments."""
    folder: Path = tmp_path_factory.mktemp("flat")
    ix = index.create_in(str(folder), Schema(id=ID(stored=True), title=TEXT, text=TEXT, extra=TEXT))
    rng = random.Random(3)
    for part in range(3):
        writer = ix.writer()
        for n in range(part * 1700, min(5000, (part + 1) * 1700)):
            weights = [rng.random() ** 3 for _ in WORDS]  # some words rare, some common, differently per document
            writer.add_document(
                id=str(n),
                title=" ".join(rng.choices(WORDS, weights, k=rng.randint(1, 5))),
                text=" ".join(rng.choices(WORDS, weights, k=rng.randint(5, 60))),
                extra=" ".join(rng.choices(WORDS, k=rng.randint(0, 3))),
            )
        writer.commit(merge=False)
    with ix.searcher() as s:
        yield s


def word(w: str, flat: bool) -> Any:
    terms = [wq.Term(f, w, boost=b) for f, b in zip(FIELDS, (3.0, 1.0, 0.5), strict=True)]
    return FlatOr(terms) if flat else wq.Or(terms)


def build(shape: str, words: list[str], flat: bool) -> Any:
    subs = [word(w, flat) for w in words]
    if shape == "or" or len(subs) == 1:
        return FlatOr(subs) if flat else wq.Or(subs)
    if shape == "and":
        return wq.And(subs)
    return wq.AndNot(FlatOr(subs[:-1]) if flat else wq.Or(subs[:-1]), subs[-1])


def every_match(s: Any, q: Any) -> list[tuple[int, float]]:
    """Every (document, score) of ``q``, walked one by one without skipping."""
    out = []
    for sub, offset in s.leaf_searchers():
        m = q.matcher(sub, sub.context())
        while m.is_active():
            out.append((offset + m.id(), round(m.score(), 9)))
            m.next()
    return out


def top(s: Any, q: Any, limit: int) -> list[float]:
    collector = collectors.TopCollector(limit=limit, usequality=True, replace=0)
    s.search_with_collector(q, collector)
    return [round(hit.score, 9) for hit in collector.results()]


queries = st.tuples(
    st.sampled_from(["or", "and", "andnot"]), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True)
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(queries)
def test_same_documents_and_scores_as_whoosh_or(searcher: Any, shape_words: tuple[str, list[str]]) -> None:
    shape, words = shape_words
    assert every_match(searcher, build(shape, words, flat=True)) == every_match(searcher, build(shape, words, False))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(queries, st.sampled_from([1, 3, 20]))
def test_top_hits_with_skipping_are_the_best_of_every_match(
    searcher: Any, shape_words: tuple[str, list[str]], limit: int
) -> None:
    shape, words = shape_words
    q = build(shape, words, flat=True)
    best = sorted((score for _, score in every_match(searcher, q)), reverse=True)[:limit]
    assert top(searcher, q, limit) == best


def test_the_flat_or_is_one_matcher_over_every_alternative(searcher: Any) -> None:
    q = FlatOr([word("graph", True), word("kernel", True)])
    sub = next(iter(searcher.leaf_searchers()))[0]
    m = q.matcher(sub, sub.context())
    assert isinstance(m, FlatUnionMatcher)
    assert len(list(m.children())) == 6  # two words x three fields, not a tree


def test_skipping_can_end_the_matcher(searcher: Any) -> None:
    sub = next(iter(searcher.leaf_searchers()))[0]
    m = FlatOr([word("graph", True), word("kernel", True)]).matcher(sub, sub.context())
    assert m.is_active()
    assert m.skip_to_quality(m.max_quality() * 2) > 0  # no document can score that
    assert not m.is_active()
