"""An exact phrase query that respects the gaps left by dropped common words.

The analyzer drops words like "is" and "the" but keeps their positions, so "attention is all you need"
is indexed as attention@0 ... need@4. Whoosh's Phrase only knows "next to each other" (or a uniform slop),
which would either miss such phrases or match too loosely; this query checks each word at its exact offset.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import matching
from whoosh.matching import IntersectionMatcher
from whoosh.query import And, Query, Term
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.util import make_binary_tree


class ExactPhrase(Query):
    """Documents where ``words[i]`` occurs at position ``p + offsets[i]`` for some ``p``."""

    def __init__(self, fieldname: str, words: Sequence[str], offsets: Sequence[int], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.words = list(words)
        self.offsets = list(offsets)
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExactPhrase) and (self.fieldname, self.words, self.offsets, self.boost) == (
            other.fieldname,
            other.words,
            other.offsets,
            other.boost,
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, tuple(self.words), tuple(self.offsets), self.boost))

    def __repr__(self) -> str:
        return f"ExactPhrase({self.fieldname!r}, {self.words!r}, {self.offsets!r}, boost={self.boost})"

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, str]]:
        if phrases:
            for word in self.words:
                yield self.fieldname, word

    def _and_query(self) -> Query:
        return And([Term(self.fieldname, word) for word in self.words])

    def estimate_size(self, ixreader: Any) -> int:
        return int(self._and_query().estimate_size(ixreader))

    def estimate_min_size(self, ixreader: Any) -> int:
        return int(self._and_query().estimate_min_size(ixreader))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        for word in self.words:
            if (self.fieldname, field.to_bytes(word)) not in reader:
                return matching.NullMatcher()  # a missing word: no document can match
        subs = [Term(self.fieldname, word).matcher(searcher, context) for word in self.words]
        m: Any = _ExactMatcher(subs, self.offsets)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class _ExactMatcher(SpanWrappingMatcher):
    def __init__(self, subs: list[Any], offsets: list[int]) -> None:
        self.subs = subs
        self.offsets = offsets
        super().__init__(make_binary_tree(IntersectionMatcher, subs))

    def copy(self) -> _ExactMatcher:
        return _ExactMatcher([m.copy() for m in self.subs], self.offsets)

    def replace(self, minquality: float = 0) -> Any:
        # The sub-matchers must stay the ones the intersection moves, so never swap the tree.
        return self if self.is_active() else matching.NullMatcher()

    def _get_spans(self) -> list[Span]:
        first = self.subs[0].value_as("positions")
        rest = [
            (set(m.value_as("positions")), off - self.offsets[0])
            for m, off in zip(self.subs[1:], self.offsets[1:], strict=True)
        ]
        return [Span(p) for p in first if all(p + off in positions for positions, off in rest)]
