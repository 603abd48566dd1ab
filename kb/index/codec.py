"""Whoosh's W3 codec with a faster posting reader; the files on disk are exactly W3's.

Intersecting a rare word with a common one calls ``skip_to`` on the common word's postings for every
candidate, and W3's matcher then walks its 128-id block one id at a time in Python. Here the block is
searched with ``bisect`` (in C), and a block's ids are decoded with ``itertools.accumulate`` instead of a
Python generator. Segments written by kb record this codec, so their readers get this matcher.
"""

from __future__ import annotations

import secrets
import string
from bisect import bisect_left
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.matching import ReadTooFar

_ALPHABET = string.ascii_lowercase + string.digits


def fresh_segment(segment: Any) -> Any:
    """``segment`` with a name from the OS's randomness. Whoosh names segments with the ``random`` module,
    whose state a forked child inherits and a test framework may reset (Hypothesis does, per example):
    two writers drawing the same name write over each other's files."""
    segment.segid = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return segment


class KbCodec(W3Codec):
    """W3, reading postings with :class:`FastLeafMatcher`."""

    def new_segment(self, storage: Any, indexname: str) -> Any:
        return fresh_segment(super().new_segment(storage, indexname))

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return FastLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class FastLeafMatcher(W3LeafMatcher):
    """W3's posting matcher with a binary search inside blocks."""

    _i: int  # the position in the current block (set by W3LeafMatcher)
    _ids: Any

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        self._ids = ids if self._byteids else tuple(accumulate(ids))

    def skip_to(self, targetid: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        while targetid > self._maxid:  # whole blocks end before the target: skip them unread
            self._next_block()
            if not self.is_active():
                return
        if self._ids is None:
            self._read_ids()
        # The block ends at or after the target, so the search lands inside it.
        self._i = bisect_left(self._ids, targetid, self._i)
