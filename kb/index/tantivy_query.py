"""The tantivy side of the query compiler (kb.index.compile): tantivy queries for each part.

Terms are already analysed by kb, so every query is built from terms (never tantivy's query parser).
Field weights are boosts on the field's clauses (BM25 per field, title above the text), and filters
score a tiny constant, as on Whoosh.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tantivy import FieldType, Occur, Query

from kb.index.document import FIELD_WEIGHTS
from kb.index.tantivy_schema import build_schema, token

_FILTER_SCORE = 0.001
#: Prefix queries kept built (tantivy compiles each into an automaton: some 0.2 ms, nine for one word).
_MAX_PREFIXES = 1024
# tantivy's regex syntax: escape ASCII punctuation (escaping anything else is an error there; SPACE is a
# control character, matched as itself).
_META = re.compile(r"([^0-9A-Za-z\x1f\x80-\U0010ffff])")


class TantivyBuilder:
    """Builds tantivy queries for kb's tantivy schema."""

    name = "tantivy"
    max_minutes: int | None = None

    def __init__(self) -> None:
        self.schema = build_schema()
        self._prefixes: dict[tuple[str, str], Any] = {}

    def term(self, fieldname: str, value: str | bool, boost: float = 1.0) -> Any:
        q = Query.term_query(self.schema, fieldname, token(fieldname, value) if isinstance(value, str) else value)
        return _weighted(q, fieldname, boost)

    def phrase(self, fieldname: str, words: Sequence[str], offsets: Sequence[int]) -> Any:
        first = offsets[0]
        q = Query.phrase_query(
            self.schema, fieldname, [(p - first, token(fieldname, w)) for w, p in zip(words, offsets, strict=True)]
        )
        return _weighted(q, fieldname, 1.0)

    def prefix(self, fieldname: str, text: str) -> Any:
        """Terms of ``fieldname`` starting with ``text``; built once (a query is immutable, so it is shared
        by every query it is part of) while fewer than _MAX_PREFIXES are kept."""
        key = (fieldname, text)
        q = self._prefixes.get(key)
        if q is None:
            if len(self._prefixes) >= _MAX_PREFIXES:
                self._prefixes.clear()
            q = self._prefixes[key] = Query.regex_query(
                self.schema, fieldname, _META.sub(r"\\\1", token(fieldname, text)) + ".*"
            )
        return q

    def all_of(self, subs: Sequence[Any]) -> Any:
        return Query.boolean_query([(Occur.Must, q) for q in subs])

    def any_of(self, subs: Sequence[Any]) -> Any:
        return Query.boolean_query([(Occur.Should, q) for q in subs])

    def none_of(self, sub: Any) -> Any:
        return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, sub)])

    def but_not(self, wanted: Any, unwanted: Any) -> Any:
        return Query.boolean_query([(Occur.Must, wanted), (Occur.MustNot, unwanted)])

    def published(self, low: int | None, high: int | None) -> Any:
        # [low, high): tantivy's bounds are inclusive, so the end is the minute before.
        upper = None if high is None else high - 1
        if low is not None and low >= 1:
            # The same documents, from the fast column ``newest`` (a dated document's minute, an undated one's 0):
            # at a million papers, six months on the indexed ``published`` join some 260,000 minute terms'
            # postings (7.5 ms); the column is read only for the documents the rest of the query matches.
            return Query.range_query(self.schema, "newest", FieldType.Integer, low, upper)
        return Query.range_query(self.schema, "published", FieldType.Integer, low, upper)

    def filter(self, q: Any) -> Any:
        return Query.const_score_query(q, _FILTER_SCORE)


def _weighted(q: Any, fieldname: str, boost: float) -> Any:
    weight = FIELD_WEIGHTS.get(fieldname, 1.0) * boost
    return q if weight == 1.0 else Query.boost_query(q, weight)
