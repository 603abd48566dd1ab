"""Date filters select by the publication minute on both engines: an undated document never falls in a
range, whether the range has a start (tantivy reads its ``newest`` column then) or not, and both ends hold."""

from __future__ import annotations

from datetime import UTC, datetime

from kb.index import SearchIndex
from kb.models import IndexDoc, Kind


def _post(name: str, when: datetime | None) -> IndexDoc:
    return IndexDoc(id=f"post:{name}", kind=Kind.POST, title=f"Optimizer {name}", text="optimizer", published=when)


def test_ranges_select_dated_documents_only(index: SearchIndex) -> None:
    index.update(
        [
            _post("undated", None),
            _post("first", datetime(2020, 1, 1, 0, 0, tzinfo=UTC)),
            _post("last", datetime(2020, 6, 30, 23, 59, tzinfo=UTC)),
            _post("after", datetime(2020, 7, 1, 0, 0, tzinfo=UTC)),
            _post("ancient", datetime(1, 1, 1, 0, 0, tzinfo=UTC)),
        ]
    )

    def ids(query: str) -> set[str]:
        result = index.search(query, limit=50)
        assert result.total == len(result.hits)
        return {hit.id.removeprefix("post:") for hit in result.hits}

    assert ids("optimizer published:2020-01..2020-06") == {"first", "last"}
    assert ids("published:2020-01..2020-06") == {"first", "last"}
    assert ids("optimizer published:>2020-06-30") == {"after"}
    assert ids("optimizer published:>=2020-01-01") == {"first", "last", "after"}
    assert ids("optimizer published:<2020") == {"ancient"}
    assert ids("optimizer published:..2020-06") == {"ancient", "first", "last"}
    assert ids("optimizer -published:2020") == {"undated", "ancient"}
