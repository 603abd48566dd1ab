"""Bad queries give one QueryError saying what and where; any string at all gives results or a QueryError."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.errors import QueryError, UsageError
from kb.index import ENGINES, QUERY_HELP, SearchIndex, validate_query
from kb.index.dates import parse_interval
from kb.index.querylang import And, Not, Or, Word, parse_query

from .helpers import DOCS


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ('graph "neural net', 6, "unclosed quote"),
        ("(graph OR tree", 0, "unclosed parenthesis"),
        ("graph)", 5, "unmatched ')'"),
        ("title:graph foo:bar", 12, "unknown field 'foo:'"),
        ('foo:"x y"', 0, "unknown field"),
        ("kind:book", 5, "unknown kind 'book'"),
        ("status:done", 7, "unknown status"),
        ("is:great", 3, "unknown is: value"),
        ("has:pdf", 4, "unknown has: value"),
        ("id:banana", 3, "not an id"),
        ("published:2024-13", 10, "no such date"),
        ("published:2024-02-30", 10, "no such date"),
        ("published:2024-01..2023-01", 10, "ends before it starts"),
        ("published:yesterday", 10, "bad date"),
        ("published:2020..20x1", 16, "bad date"),
        ("year:24", 5, "bad year"),
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("the of and", 0, "nothing to search for"),
        ("graph OR", 6, "OR at position 7 needs something after it"),
        ("OR graph", 0, "needs something before it"),
        ("graph NOT", 6, "NOT at position 7 needs something after it"),
        ("()", 0, "empty parentheses"),
        ('""', 0, "empty phrase"),
        ("x*", 0, "too short"),
        ("tag:*", 4, "is empty"),
        ("title:", 0, "needs a value"),
        ("kind:(paper OR note)", 0, "takes one value"),
        ("title:(author:x)", 7, "inside another field"),
    ],
)
def test_errors_say_what_and_where(query: str, position: int, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        validate_query(query)
    assert words in str(caught.value)
    assert caught.value.position == position
    assert isinstance(caught.value, UsageError)  # the CLI shows one line and exits 2


@pytest.mark.parametrize(
    "query",
    [
        "https://arxiv.org/abs/1706.03762",  # a URL is text, not the field "https"
        "arxiv:1706.03762",  # an id with its prefix, not the field "arxiv"
        "meeting at 10:30",
        "Note: attention",  # a word ending in a colon
        "TITLE:graph Author:hinton",  # field names are case-insensitive
        "ti:graph au:hinton abs:kernel",  # arXiv's own field names
        "cat:cs.LG tag:(rl OR vision) -source:hinton",
        "published:>=2024-03 published:<=2025 year:2020..2024 year:>2019",
        "published:2024.. published:..2025-06-01",
        "id:post:abc123def456 OR id:note:reading/attention.md OR id:1706.03762v2",
        "title: graph",  # a space after the colon is forgiven
        "c++ f(x) a-b-c",
        "graph AND neural && net || tree",
    ],
)
def test_queries_that_look_odd_but_are_fine(query: str) -> None:
    validate_query(query)


def test_parse_tree_shapes() -> None:
    tree = parse_query('graph (neural OR "deep net") -survey title:att*')
    assert tree == And(
        (
            Word(None, "graph", 0),
            Or((Word(None, "neural", 7), Word(None, "deep net", 18, phrase=True))),
            Not(Word(None, "survey", 30)),
            Word("title", "att", 43, prefix=True),
        )
    )


def test_date_intervals() -> None:
    start, end = parse_interval("2024-01..2024-06", 0)
    assert start is not None and end is not None
    assert (start.isoformat(), end.isoformat()) == ("2024-01-01T00:00:00+00:00", "2024-07-01T00:00:00+00:00")
    start, end = parse_interval(">2025-03-01", 0)
    assert end is None and start is not None and start.isoformat() == "2025-03-02T00:00:00+00:00"
    start, end = parse_interval("<2020", 0)
    assert start is None and end is not None and end.isoformat() == "2020-01-01T00:00:00+00:00"
    start, end = parse_interval("2024-12", 0)
    assert end is not None and end.isoformat() == "2025-01-01T00:00:00+00:00"


def test_help_names_every_field() -> None:
    for name in (
        "title:",
        "author:",
        "abstract:",
        "text:",
        "cat:",
        "tag:",
        "kind:",
        "source:",
        "status:",
        "is:starred",
        "has:note",
        "id:",
        "year:",
        "published:",
        "OR",
        "NOT",
        "prefix",
        '"',
    ):
        assert name in QUERY_HELP or (name == "prefix" and "transform*" in QUERY_HELP), name


def test_search_raises_the_same_errors(index: SearchIndex) -> None:
    with pytest.raises(QueryError):
        index.search("kind:book")
    with pytest.raises(UsageError):
        index.search("graph", sort="popularity")


QUERY_ALPHABET = st.sampled_from(
    [*"abcxyz019 ()\"*-:.\\/'", "OR ", "AND ", "NOT ", "title:", "published:", "cat:", "is:", "id:", "ö", "\x1e"]
)


@pytest.fixture(scope="module", params=ENGINES)
def shared_index(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[SearchIndex]:
    """One index per engine for every example: hypothesis runs the test body many times within one test."""
    ix = SearchIndex.open(tmp_path_factory.mktemp("hyp") / "index", procs=1, engine=request.param)
    ix.rebuild([DOCS])
    yield ix
    ix.close()


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=40), st.lists(QUERY_ALPHABET, max_size=15).map("".join)))
def test_any_string_gives_results_or_a_query_error(shared_index: SearchIndex, query: str) -> None:
    try:
        result = shared_index.search(query)
    except QueryError as error:
        assert error.position is None or 0 <= error.position <= len(query)
        assert str(error)
    else:
        assert result.total >= len(result.hits)


def test_the_config_knows_every_engine() -> None:
    from kb.config import SEARCH_ENGINES

    assert SEARCH_ENGINES == ENGINES  # feeds.yaml accepts exactly the engines kb.index runs
