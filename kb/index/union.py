"""A flat OR for Whoosh: one matcher over all the alternatives, instead of Whoosh's binary tree of unions.

Each query word is an OR over several fields (title, text, authors, extra, body and the unstemmed copies), so
`value OR predict` is an OR of a dozen postings lists. Whoosh matches it with a binary tree of UnionMatchers:
every step of every document walks the tree (``is_active``, ``id``, ``next`` and ``score`` recurse through
each level), which was two thirds of such a query's time. Here the sub-matchers sit in a heap keyed by their
current document; a step touches only the sub-matchers on that document.

Skipping stays exact (the best hit of ``--limit 1`` is the best of ``--limit 50``): the collector asks to skip
what cannot score above ``minquality``, and two safe rules apply (MaxScore):

- the alternatives whose best scores add up to at most ``minquality`` cannot lift a document into the top
  hits on their own, so the documents only they match are skipped: those alternatives move to the next
  document one of the others holds;
- a sub-matcher's blocks whose best score plus every other alternative's best cannot exceed ``minquality``
  are skipped.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from whoosh import query as wq
from whoosh.matching import NullMatcher
from whoosh.matching.mcore import Matcher

# Scores are sums of floats added in different orders: a bound must stay below minquality by more than rounding.
_MARGIN = 1e-9


class FlatOr(wq.Or):
    """Whoosh's Or, matched by a :class:`FlatUnionMatcher` (the same documents and the same scores)."""

    def _matcher(self, subs: list[Any], searcher: Any, context: Any) -> Any:
        matchers = [q.matcher(searcher, context) for q in _flat(subs)]
        active = [m for m in matchers if m.is_active()]
        if not active:
            return NullMatcher()
        return FlatUnionMatcher(active, self.boost)


def _flat(subs: list[Any]) -> Iterator[Any]:
    """The alternatives of ``subs``, those of an unboosted FlatOr among them included (an OR of ORs is one OR)."""
    for q in subs:
        if isinstance(q, FlatOr) and q.boost == 1.0:
            yield from _flat(q.subqueries)
        else:
            yield q


class FlatUnionMatcher(Matcher):
    """Matches the documents any of ``subs`` matches; the score is the sum of theirs, times ``boost``."""

    def __init__(self, subs: list[Any], boost: float = 1.0) -> None:
        self._subs = subs
        self._boost = boost
        self._here: list[int] = []  # the sub-matchers on the current document (indexes into _subs)
        self._heap: list[tuple[int, int]] = []  # (document, index) of the others still active
        self._id = -1
        self._reheap([i for i, m in enumerate(subs) if m.is_active()])

    def _reheap(self, moved: list[int]) -> None:
        """Put the sub-matchers ``moved`` back by their current document, then take those on the next one."""
        heap, subs, push, pop = self._heap, self._subs, heapq.heappush, heapq.heappop
        for i in moved:
            m = subs[i]
            if m.is_active():
                push(heap, (m.id(), i))
        if not heap:
            self._here = []
            return
        first, i = pop(heap)
        here = [i]
        while heap and heap[0][0] == first:
            here.append(pop(heap)[1])
        self._id = first
        self._here = here

    def is_active(self) -> bool:
        return bool(self._here)

    def id(self) -> int:
        return self._id

    def score(self) -> float:
        subs = self._subs
        return sum(subs[i].score() for i in self._here) * self._boost

    def next(self) -> bool:
        """Move to the next document; True when a sub-matcher entered a new block (the collector then
        checks whether blocks can be skipped)."""
        subs = self._subs
        new_block = False
        for i in self._here:
            if subs[i].next():
                new_block = True
        self._reheap(self._here)
        return new_block

    def skip_to(self, docnum: int) -> None:
        if not self._here or docnum <= self._id:
            return
        moved = self._active()
        self._heap = []
        for i in moved:
            m = self._subs[i]
            if m.is_active() and m.id() < docnum:
                m.skip_to(docnum)
        self._reheap(moved)

    def supports_block_quality(self) -> bool:
        return all(m.supports_block_quality() for m in self._subs)

    def _active(self) -> list[int]:
        return self._here + [i for _, i in self._heap]

    def max_quality(self) -> float:
        subs = self._subs
        return sum(subs[i].max_quality() for i in self._active()) * self._boost

    def block_quality(self) -> float:
        # The blocks of the sub-matchers end at different documents: only the sum of their best scores
        # anywhere bounds every document from here on.
        return self.max_quality()

    def skip_to_quality(self, minquality: float) -> int:
        """Skip the documents that cannot score above ``minquality``; returns how many blocks were skipped
        (0: nothing could be skipped)."""
        if not self._here or self._boost <= 0:
            return 0
        need = minquality / self._boost * (1 - _MARGIN)
        subs = self._subs
        active = self._active()
        best = {i: subs[i].max_quality() for i in active}
        total = sum(best.values())
        skipped = 0
        # Blocks of one sub-matcher that cannot reach ``need`` whatever the others add.
        for i in active:
            others = total - best[i]
            if subs[i].block_quality() + others <= need:
                skipped += int(subs[i].skip_to_quality(need - others))
        # Alternatives too weak together: their documents count only where a stronger one matches too.
        weak: list[int] = []
        so_far = 0.0
        for i in sorted(active, key=best.__getitem__):
            if so_far + best[i] > need:
                break
            so_far += best[i]
            weak.append(i)
        strong = [i for i in active if i not in weak and subs[i].is_active()]
        if strong:
            target = min(subs[i].id() for i in strong)
            for i in weak:
                m = subs[i]
                if m.is_active() and m.id() < target:
                    m.skip_to(target)
                    skipped += 1
        else:  # nothing left can reach the top hits: this matcher is done
            self._heap, self._here = [], []
            return skipped + 1
        if skipped:
            self._heap = []
            self._reheap(active)
        return skipped

    def replace(self, minquality: float = 0) -> Any:
        return self if self._here else NullMatcher()

    def copy(self) -> FlatUnionMatcher:
        return FlatUnionMatcher([m.copy() for m in self._subs], self._boost)

    def children(self) -> Iterator[Any]:
        return iter(self._subs)

    def supports(self, astype: str) -> bool:
        return all(m.supports(astype) for m in self._subs)

    def depth(self) -> int:
        return 1 + max((m.depth() for m in self._subs), default=0)

    def spans(self) -> list[Any]:
        subs = self._subs
        return sorted(span for i in self._here for span in subs[i].spans())

    def matching_terms(self, id: int | None = None) -> Iterator[Any]:
        subs = self._subs
        for i in self._here:
            yield from subs[i].matching_terms(id)

    def term_matchers(self) -> Iterator[Any]:
        for m in self._subs:
            yield from m.term_matchers()
