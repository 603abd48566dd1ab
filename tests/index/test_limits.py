"""Any value a feed can send is indexable on both engines (issue 13, bug 1).

A post dated 31 Dec 9999 once broke `kb reindex` and every later search (Whoosh's 32-bit date field).
Now the index layer clamps or cuts what an engine cannot hold (kb.index.document); the store keeps the
original. Dates from year 1 to 9999 in any time zone, huge numbers, huge texts and lists, odd characters.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.errors import QueryError
from kb.index import ENGINES, SearchIndex
from kb.index.document import MAX_MINUTES, MAX_TEXT, from_minutes, prepare, to_minutes
from kb.models import IndexDoc, Kind, Status

from .helpers import DOCS

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), None])
DATES = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=ZONES)  # type: ignore[arg-type]
NUMBERS = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=1, max_value=5000).map(lambda n: "9" * n),
)


def fresh_random() -> None:
    """Hypothesis seeds the global random the same way for every example, and Whoosh names its new
    segments with it: without this, two examples' commits would name their segments alike."""
    random.seed(os.urandom(16))


def post(n: int, **fields: object) -> IndexDoc:
    base: dict[str, object] = {"id": f"post:limit{n}", "kind": Kind.POST, "title": "limits", "text": "edge case"}
    return IndexDoc(**{**base, "status": Status.NEW, **fields})  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=ENGINES)
def shared_index(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[SearchIndex]:
    ix = SearchIndex.open(tmp_path_factory.mktemp("limits") / "index", procs=1, engine=request.param)
    ix.rebuild([DOCS])
    yield ix
    ix.close()


def search_works(ix: SearchIndex) -> None:
    for query in ("edge", "published:>2000", "kind:post", "attention", "year:2024"):
        ix.search(query, sort="date")
        ix.search(query)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(DATES, min_size=1, max_size=4), NUMBERS)
def test_any_date_and_number_is_indexed_and_searchable(
    shared_index: SearchIndex, dates: list[datetime], number: str
) -> None:
    fresh_random()
    docs = [
        post(n, published=moment, title=f"limits {number}", text=f"edge {number}") for n, moment in enumerate(dates)
    ]
    shared_index.update(docs)
    for doc in {d.id: d for d in docs}.values():
        [hit] = shared_index.search(f"id:{doc.id}").hits
        assert doc.published is not None and hit.published is not None
        assert hit.published == from_minutes(to_minutes(doc.published))  # the true date, to the minute
        year = hit.published.year
        if 1000 <= year <= 4083:  # what every engine's published: can search
            assert doc.id in {h.id for h in shared_index.search(f"published:{year}", limit=500).hits}
    search_works(shared_index)


def test_dates_at_the_ends_of_time(shared_index: SearchIndex) -> None:
    ends = [datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC), datetime(1969, 7, 20)]
    ends.append(datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12))))  # past year 9999 in UTC
    shared_index.update([post(100 + n, published=moment) for n, moment in enumerate(ends)])
    newest = shared_index.search("kind:post", sort="date", limit=2).hits
    assert {h.id for h in newest} == {"post:limit100", "post:limit103"}  # 9999 sorts first
    assert shared_index.search("id:post:limit100").hits[0].published == datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    assert "post:limit101" in {h.id for h in shared_index.search("year:0001").hits}
    assert "post:limit102" in {h.id for h in shared_index.search("published:1969-07").hits}
    assert "post:limit100" in {h.id for h in shared_index.search("year:9999").hits}
    if shared_index.engine == "tantivy":  # Whoosh's published: stops at 4084 (a QueryError, below)
        assert "post:limit100" in {h.id for h in shared_index.search("published:9999-12-31").hits}
        assert "post:limit100" in {h.id for h in shared_index.search("published:>9000").hits}
    assert shared_index.rebuild([DOCS, [post(100 + n, published=m) for n, m in enumerate(ends)]]) == len(DOCS) + 4
    search_works(shared_index)


def test_a_date_an_engine_cannot_search_is_a_clean_query_error(shared_index: SearchIndex) -> None:
    if shared_index.engine == "whoosh":
        with pytest.raises(QueryError, match="later than the whoosh engine can search"):
            shared_index.search("published:>5000")
    else:
        shared_index.search("published:>5000")
    shared_index.search("published:>4000")  # within both engines' reach


@settings(max_examples=8, deadline=None, derandomize=True)
@given(
    st.integers(min_value=0, max_value=3 * MAX_TEXT),
    st.integers(min_value=0, max_value=20_000),
    st.integers(min_value=0, max_value=3_000),
)
def test_huge_texts_and_lists_are_cut_to_what_is_indexed(
    shared_index: SearchIndex, text_size: int, values: int, value_size: int
) -> None:
    fresh_random()
    text = ("needle " + "x" * 300 + " ") * (text_size // 308 + 1)
    doc = post(
        200,
        title="huge " * (values + 1),
        text=text[:text_size],
        authors=tuple(f"Author {n}" for n in range(values)),
        tags=tuple(f"t{n}" + "y" * value_size for n in range(values // 10)),
        categories=("cs.LG",) * values,
        comment="c" * value_size,
    )
    shared_index.update([doc])
    [hit] = shared_index.search("id:post:limit200").hits
    assert len(hit.snippet) < 1000
    if text_size > 10:
        assert shared_index.search("needle id:post:limit200").total == 1
    search_works(shared_index)


def test_odd_characters_and_ids_never_break_indexing(shared_index: SearchIndex) -> None:
    shared_index.update(
        [
            post(300, title="lone \ud800 surrogate", text="nul \x00 and \x1e separator"),
            post(301, id="post:" + "i" * 5000, title="an id too long to be a term is not indexed"),
            post(302, title="emoji 🧪 and ﬁ ligature", text="𝔘𝔫𝔦𝔠𝔬𝔡𝔢"),
        ]
    )
    assert shared_index.search("surrogate").total == 1
    assert shared_index.search("emoji").total == 1
    assert shared_index.search("ligature").total == 1
    assert shared_index.search('"too long to be a term"').total == 0
    search_works(shared_index)


def test_a_200_mb_text_is_cut_before_indexing() -> None:
    prepared = prepare(post(400, text="word " * 40_000_000))  # 200 MB
    assert prepared is not None and len(prepared.text) == MAX_TEXT
    assert to_minutes(datetime.max.replace(tzinfo=timezone(timedelta(hours=-12)))) == MAX_MINUTES
