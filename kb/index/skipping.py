"""A fix for Whoosh's block skipping in ORs and ANDs, which could drop the best hit.

Whoosh skips the posting blocks of one side of an OR or AND when that block's best score plus the best
score of the *other side's current block* cannot reach the top hits. Blocks of the two sides do not line
up, so a document in the skipped block may meet a better block of the other side further on: Whoosh then
misses it (`kb search attention --limit 1` showed the second-best hit). Here the other side counts with
its best score anywhere (``max_quality``), which bounds every document, so only documents that cannot
reach the top are skipped; blocks still skip where one side is weak (MaxScore's rule).

Skipping can now end one side of an AND-NOT, which Whoosh's own AND-NOT did not expect (it read the
ended side's current document): that is fixed here too. whoosh-reloaded 2.7.5 is frozen code; these
three methods replace its own at import of kb.index.
"""

from __future__ import annotations

from typing import Any

from whoosh.matching import ReadTooFar
from whoosh.matching.binary import AndNotMatcher, IntersectionMatcher, UnionMatcher


def _skip_one_side(a: Any, b: Any, minquality: float) -> int:
    """Skip blocks of ``a`` or of ``b`` that cannot reach ``minquality`` whatever the other side adds."""
    amax, bmax = a.max_quality(), b.max_quality()
    if a.block_quality() + bmax <= minquality:
        return int(a.skip_to_quality(minquality - bmax))
    if b.block_quality() + amax <= minquality:
        return int(b.skip_to_quality(minquality - amax))
    return 0


def union_skip_to_quality(self: Any, minquality: float) -> int:
    self._id = None
    a, b = self.a, self.b
    if not (a.is_active() or b.is_active()):
        raise ReadTooFar
    if not a.is_active():
        return int(b.skip_to_quality(minquality))
    if not b.is_active():
        return int(a.skip_to_quality(minquality))
    skipped = 0
    while a.is_active() and b.is_active():
        step = _skip_one_side(a, b, minquality)
        if not step:
            break
        skipped += step
    return skipped


def intersection_skip_to_quality(self: Any, minquality: float) -> int:
    a, b = self.a, self.b
    skipped = 0
    while a.is_active() and b.is_active():
        step = _skip_one_side(a, b, minquality)
        if not step:
            break
        skipped += step
        if not a.is_active() or not b.is_active():
            break
        if a.id() != b.id():
            self._find_next()  # leave both sides on the same document, as Whoosh's own does
    return skipped


def and_not_skip_to_quality(self: Any, minquality: float) -> int:
    # Whoosh's own re-aligns the unwanted side even when skipping ended the wanted one: an IndexError.
    skipped = int(self.a.skip_to_quality(minquality))
    if self.a.is_active():
        self._find_next()
    return skipped


def install() -> None:
    """Replace Whoosh's three methods (idempotent)."""
    UnionMatcher.skip_to_quality = union_skip_to_quality
    IntersectionMatcher.skip_to_quality = intersection_skip_to_quality
    AndNotMatcher.skip_to_quality = and_not_skip_to_quality


install()
