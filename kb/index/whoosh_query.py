"""The Whoosh side of the query compiler (kb.index.compile): Whoosh query objects for each part."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from whoosh import query as wq

from kb.index.docsets import FastRange
from kb.index.phrase import ExactPhrase
from kb.index.schema import WHOOSH_MAX_MINUTES
from kb.index.union import FlatOr

_FILTER_BOOST = 0.001


class WhooshBuilder:
    """Builds Whoosh queries. Field weights are not boosts here: the scorer applies them (kb.index.ranking)."""

    name = "whoosh"
    max_minutes: int | None = WHOOSH_MAX_MINUTES

    def term(self, fieldname: str, value: str | bool, boost: float = 1.0) -> Any:
        return wq.Term(fieldname, value, boost=boost)

    def phrase(self, fieldname: str, words: Sequence[str], offsets: Sequence[int]) -> Any:
        return ExactPhrase(fieldname, words, offsets)

    def prefix(self, fieldname: str, text: str) -> Any:
        return wq.Prefix(fieldname, text)

    def all_of(self, subs: Sequence[Any]) -> Any:
        return wq.And(list(subs))

    def any_of(self, subs: Sequence[Any]) -> Any:
        return FlatOr(list(subs))

    def none_of(self, sub: Any) -> Any:
        return wq.Not(sub)

    def but_not(self, wanted: Any, unwanted: Any) -> Any:
        # AndNot, not And([.., Not(..)]): Whoosh gives the latter an inverse matcher over every document,
        # which also turns off its skipping of blocks that cannot reach the top hits.
        return wq.AndNot(wanted, unwanted)

    def published(self, low: int | None, high: int | None) -> Any:
        return FastRange("published", low, high, endexcl=True)

    def filter(self, q: Any) -> Any:
        # Filters select; they should not change the order of what they select. Not a zero boost: Whoosh
        # drops matchers whose best score is 0, so `tag:x OR word` would lose the documents of tag:x.
        return q.with_boost(_FILTER_BOOST)


WHOOSH = WhooshBuilder()
