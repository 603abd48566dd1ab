"""`cites:` and `citedby:`: found in a query by the one parser, compiled from the id sets the caller resolved."""

from __future__ import annotations

import pytest

from kb.errors import QueryError
from kb.index import SearchIndex, validate_query
from kb.index.compile import store_filters
from tests.index.helpers import ids

ATTENTION, KERNELS, GRAPHS = "arxiv:1706.03762", "arxiv:hep-th/9901001", "arxiv:2401.00001"


def test_store_filters_names_each_citation_filter_once_wherever_it_stands() -> None:
    query = "attention (cites:1706.03762v7 OR -citedby:arxiv:hep-th/9901001) cites:1706.03762 title:cites"
    assert store_filters(query) == [("cites", ATTENTION), ("citedby", KERNELS)]
    assert store_filters("cites:(") == []  # a query that does not parse: searching it says why
    assert store_filters("attention") == []


@pytest.mark.parametrize("query", ["cites:nonsense", "citedby:17*", "cites:post:abc"])
def test_a_citation_filter_needs_an_arxiv_id(query: str) -> None:
    with pytest.raises(QueryError, match="needs an arXiv id"):
        validate_query(query)


def test_the_id_sets_select_on_both_engines(index: SearchIndex) -> None:
    sets = {("cites", ATTENTION): {KERNELS, GRAPHS}, ("citedby", GRAPHS): {ATTENTION}}
    assert ids(index, "cites:1706.03762", id_sets=sets) == {KERNELS, GRAPHS}
    assert ids(index, "cites:1706.03762 graph", id_sets=sets) == {GRAPHS}
    assert ids(index, "citedby:2401.00001 OR cites:1706.03762", id_sets=sets) == {ATTENTION, KERNELS, GRAPHS}
    assert ids(index, "kind:paper -cites:1706.03762", id_sets=sets) == {ATTENTION, "arxiv:2406.12345"}
    assert ids(index, "cites:2406.12345", id_sets=sets) == set()  # nothing known cites it
    assert ids(index, "cites:1706.03762") == set()  # no sets given: selects nothing
