"""How hits are ranked: BM25F with per-field weights, and queries trimmed to the terms an index has.

The weights live in the scorer (they scale each term's idf) rather than as query boosts: a boost wraps
every posting matcher in one more Python layer, and the ranking is the same. Terms absent from the index
are dropped before matching, so Whoosh builds smaller matcher trees.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.scoring import BM25F, BM25FScorer

from kb.index.phrase import ExactPhrase
from kb.index.schema import DEFAULT_FIELDS


class KbWeighting(BM25F):
    """BM25F where a match in the title counts DEFAULT_FIELDS["title"] times one in the text."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        weight = DEFAULT_FIELDS.get(fieldname, 1.0)
        if weight != 1.0 and isinstance(scorer, BM25FScorer):
            scorer.idf *= weight
        return scorer


def prune(q: Any, reader: Any) -> Any:
    """``q`` without the terms ``reader`` does not have; None when nothing can match."""
    if isinstance(q, wq.Term):
        field = reader.schema[q.fieldname]
        return q if (q.fieldname, field.to_bytes(q.text)) in reader else None
    if isinstance(q, ExactPhrase):
        field = reader.schema[q.fieldname]
        return q if all((q.fieldname, field.to_bytes(w)) in reader for w in q.words) else None
    if isinstance(q, wq.And):
        subs = [prune(sub, reader) for sub in q.subqueries]
        return None if any(sub is None for sub in subs) else _rebuilt(q, subs)
    if isinstance(q, wq.Or):
        subs = [sub for sub in (prune(sub, reader) for sub in q.subqueries) if sub is not None]
        return _rebuilt(q, subs) if subs else None
    if isinstance(q, wq.AndNot):
        wanted, unwanted = prune(q.a, reader), prune(q.b, reader)
        return None if wanted is None else wanted if unwanted is None else wq.AndNot(wanted, unwanted)
    if isinstance(q, wq.Not):
        unwanted = prune(q.query, reader)
        return wq.Every() if unwanted is None else wq.Not(unwanted)
    return q


def _rebuilt(q: Any, subs: list[Any]) -> Any:
    if len(subs) == 1 and q.boost == 1.0:
        return subs[0]
    return q.__class__(subs, boost=q.boost)
