"""Whoosh's side of kb's analysis: the analyzer and the positions format Whoosh's TEXT fields use.

Both classes keep the module name ``kb.index.analysis``: Whoosh pickles its schema, analyzers included, into
every index it writes, and indexes written before this module existed name ``kb.index.analysis.KbAnalyzer``.
kb.index.analysis hands these names out on first use, so the pickles of old and new indexes read alike.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions

from kb.index.analysis import MAX_TERM, Terms, terms_for
from kb.index.body import SectionTerms


class KbPositions(Positions):
    """Whoosh's Positions format (same bytes), fed straight from :meth:`Terms.positions` for speed."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, KbAnalyzer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        single = _single_position_values()
        for term, poslist in analyzer.terms().positions(value).items():
            if len(term) > MAX_TERM:
                continue  # a blob, not a word (kb.index.document)
            if len(poslist) == 1 and poslist[0] < _SINGLE_CACHED:
                yield term, 1, boost, single[poslist[0]]  # most terms of a title or an abstract occur once
            else:
                yield term, len(poslist), len(poslist) * boost, encode(poslist)


#: Positions below this have their one-position posting value encoded once per process.
_SINGLE_CACHED = 4096


@functools.cache
def _single_position_values() -> tuple[bytes, ...]:
    """The encoded value of a posting at each single position below _SINGLE_CACHED (Whoosh's bytes)."""
    encode = Positions().encode
    return tuple(encode([pos]) for pos in range(_SINGLE_CACHED))


class KbAnalyzer(Tokenizer):
    """The Whoosh analyzer of kb's text fields (picklable: Whoosh stores it in the index's schema)."""

    def __init__(self, stemming: bool = True, stops: bool = True) -> None:
        self.stemming = stemming
        self.stops = stops

    def __getstate__(self) -> dict[str, Any]:
        return {"stemming": self.stemming, "stops": self.stops}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.stemming = state["stemming"]
        self.stops = state["stops"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KbAnalyzer) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.stemming, self.stops))

    def terms(self) -> Terms:
        """The shared term splitter for these settings."""
        return terms_for(self.stemming, self.stops)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term, pos, start, end in self.terms()(value, start_pos):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            if keeporiginal:
                token.original = value[start:end]
            yield token


for _cls in (KbPositions, KbAnalyzer):
    _cls.__module__ = "kb.index.analysis"  # the name old indexes' pickled schemas use (see above)

#: Words: titles, abstracts, post texts, note bodies, comments.
TEXT_ANALYZER = KbAnalyzer(stemming=True, stops=True)
#: Names: folded but neither stemmed nor stopped ("De", "Van", "An" are names).
NAME_ANALYZER = KbAnalyzer(stemming=False, stops=False)
#: Exact forms: folded words, common ones dropped as in TEXT_ANALYZER, but not stemmed.
EXACT_ANALYZER = KbAnalyzer(stemming=False, stops=True)


class SectionAnalyzer(KbAnalyzer):
    """The analyzer of the ``insection`` field (kb's text analysis, terms prefixed with the section kind)."""

    def terms(self) -> SectionTerms:  # type: ignore[override]
        return SectionTerms(terms_for(self.stemming, self.stops))

    def __eq__(self, other: object) -> bool:
        return type(other) is SectionAnalyzer and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash(("insection", self.stemming, self.stops))


SECTION_ANALYZER = SectionAnalyzer(stemming=True, stops=True)
