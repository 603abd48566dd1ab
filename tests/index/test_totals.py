"""The total of a search counts every match, on both engines, when the top hits fill up and when they do
not, after documents were replaced and deleted (tantivy counts them apart from ranking the top hits)."""

from __future__ import annotations

from kb.index import SearchIndex
from kb.models import IndexDoc, Kind


def _doc(n: int, text: str) -> IndexDoc:
    return IndexDoc(id=f"post:n{n}", kind=Kind.POST, title=f"Post {n}", text=text)


def test_totals_count_every_match_after_updates_and_deletes(index: SearchIndex) -> None:
    index.update([_doc(n, "gradient descent" if n % 3 else "gradient boosting") for n in range(60)])
    assert index.search("gradient", limit=5).total == 60
    assert index.search("descent", limit=5).total == 40
    assert index.search("boosting", limit=50).total == 20  # the top hits never filled up
    index.update([_doc(n, "boosting only") for n in range(10)])  # replaced: n0..n9 lose "gradient"
    index.delete([f"post:n{n}" for n in range(50, 60)])
    assert index.search("gradient", limit=5).total == 40
    assert index.search("boosting", limit=5).total == 10 + 13
    assert index.search("gradient OR boosting", limit=1).total == 50
    assert index.search("gradient -boosting", limit=3).total == 40 - 13
    for limit in (1, 7, 100):
        result = index.search("gradient", limit=limit)
        assert len(result.hits) == min(limit, 40)
        assert result.total == 40
