"""How hits are ranked: BM25F with per-field weights, and queries trimmed to the terms an index has.

The weights live in the scorer (they scale every score of a field's terms) rather than as query boosts: a boost wraps
every posting matcher in one more Python layer, and the ranking is the same. Terms absent from the index
are dropped before matching, so Whoosh builds smaller matcher trees.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer

from kb.index import skipping  # noqa: F401 - fixes Whoosh's block skipping (see there)
from kb.index.document import FIELD_WEIGHTS
from kb.index.phrase import ExactPhrase
from kb.index.whoosh_lengths import field_lengths


class KbWeighting(BM25F):
    """BM25F where a match in the title counts FIELD_WEIGHTS["title"] times one in the text."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        return FieldScorer(searcher, fieldname, text, B, self.K1, qf=qf, field_weight=FIELD_WEIGHTS.get(fieldname, 1.0))


class FieldScorer(BM25FScorer):
    """BM25F times the field's weight, in every score it gives, its best possible score included.

    The weight must be known before Whoosh computes a term's best score (``setup``): Whoosh skips the
    posting blocks whose best score cannot reach the current top hits, so a best score computed without
    the weight made it skip the block holding the real best hit (`--limit 1` gave the second best).
    """

    def __init__(
        self,
        searcher: Any,
        fieldname: str,
        text: bytes,
        B: float,
        K1: float,
        qf: int,
        field_weight: float,
    ) -> None:
        self.field_weight = field_weight
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self.dfl = field_lengths(searcher, fieldname)  # the segment's lengths read once (kb.index.whoosh_lengths)

    def _score(self, weight: float, length: float) -> float:
        return float(super()._score(weight, length)) * self.field_weight


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
