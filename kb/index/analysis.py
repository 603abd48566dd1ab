"""Text analysis for research writing: one pass from raw text to index terms.

What the index and the query side both need, done identically in both places:

- case and accent folding (``Schölkopf`` and ``scholkopf`` are one term);
- Porter2 (Snowball English) stemming of plain words (``networks`` finds ``network``), never of ids,
  numbers or categories;
- hyphenated and slashed words split into parts at consecutive positions, so ``self-attention`` is the
  phrase ``self attention`` and also matches ``attention``;
- arXiv ids (``1706.03762v7``, ``hep-th/9901001``) kept whole, without their version;
- dotted names (``cs.LG``, ``3.5``) kept whole;
- common English words dropped, but their positions kept, so phrases stay exact.

Whoosh chains a generator per filter; here every distinct chunk of text is split, folded and stemmed once
and cached, which makes indexing markedly faster than a filter chain (see benchmarks/search.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions
from whoosh.lang.porter2 import stem

#: Longest term indexed (see kb.index.document).
MAX_TERM = 200
#: Separates the values of a multi-valued text field (authors, extras); phrases never cross it.
SEPARATOR = "\x1e"
#: Position gap between the values of a multi-valued field.
_GAP = 10

#: Frequent function words that are not indexed (their positions are kept, so phrases stay exact).
STOP_WORDS = frozenset(
    "a an and are as at be been but by for from has have in into is it its of on or our s t that the "  # noqa: SIM905
    "their then there these this those to was we were which with".split()
)

# A chunk is a run of word characters joined by the punctuation that may sit inside a term.
_CHUNK_RE = re.compile(r"\w(?:[\w.\-/'’]*\w)?")
_ID_RE = re.compile(
    r"^(?:(\d{4}\.\d{4,5})|([a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7}))(?:v\d+)?$",
    re.IGNORECASE,
)
_PART_RE = re.compile(r"[^\-/'’]+")
_SPECIAL = str.maketrans({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "æ": "ae"})
_SPECIAL.update(str.maketrans({"Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "ð": "d"}))

# One split per distinct chunk: (term, start, end, position offset); term None = a stop word.
_Parts = tuple[tuple[str | None, int, int, int], ...]
_MAX_CACHE = 300_000


def fold(word: str) -> str:
    """Lower-case ``word`` and strip its accents: ``Schölkopf`` -> ``scholkopf``."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _Splitter:
    """Splits chunks into terms, remembering every chunk it has seen (text repeats a lot)."""

    def __init__(self, stemming: bool, stops: bool) -> None:
        self.stemming = stemming
        self.stops = stops
        self.cache: dict[str, _Parts] = {}

    def __call__(self, chunk: str) -> _Parts:
        parts = self.cache.get(chunk)
        if parts is None:
            if len(self.cache) >= _MAX_CACHE:
                self.cache.clear()
            parts = self.cache[chunk] = self._split(chunk)
        return parts

    def _split(self, chunk: str) -> _Parts:
        id_match = _ID_RE.match(chunk)
        if id_match:
            return ((fold(id_match.group(1) or id_match.group(2)), 0, len(chunk), 0),)
        out: list[tuple[str | None, int, int, int]] = []
        offset = 0
        for part in _PART_RE.finditer(chunk):
            word = part.group().strip(".")
            if not word:
                continue
            start = part.start() + part.group().index(word)
            if word in ("s", "S") and start > 0 and chunk[start - 1] in "'’":
                continue  # a possessive: "Schölkopf's" is "Schölkopf"
            out.append((self._term(word), start, start + len(word), offset))
            offset += 1
        return tuple(out)

    def _term(self, word: str) -> str | None:
        term = fold(word)
        if not term or (self.stops and term in STOP_WORDS):
            return None
        if self.stemming and term.isalpha():
            return stem(term)
        return term


class Terms:
    """The terms of a text: ``(term, position, start, end)`` with stop words left out."""

    def __init__(self, stemming: bool = True, stops: bool = True) -> None:
        self._split = _Splitter(stemming, stops)

    def __call__(self, text: str, start_pos: int = 0) -> Iterator[tuple[str, int, int, int]]:
        """Yield the terms of ``text``; positions start at ``start_pos``."""
        pos = start_pos
        base = 0
        split = self._split
        for value in text.split(SEPARATOR) if SEPARATOR in text else (text,):
            for match in _CHUNK_RE.finditer(value):
                start = match.start() + base
                last = 0
                for term, s, e, offset in split(match.group()):
                    last = offset
                    if term is not None:
                        yield term, pos + offset, start + s, start + e
                pos += last + 1
            pos += _GAP
            base += len(value) + 1

    def find(self, text: str, terms: set[str] | frozenset[str]) -> list[tuple[int, int, str]]:
        """The ``(start, end, term)`` of every occurrence of one of ``terms`` (a tight loop for snippets)."""
        out: list[tuple[int, int, str]] = []
        split = self._split
        cached = split.cache.get  # most chunks were seen before: skip the call
        for match in _CHUNK_RE.finditer(text):
            chunk = match.group()
            for term, s, e, _ in cached(chunk) or split(chunk):
                if term is not None and term in terms:
                    base = match.start()
                    out.append((base + s, base + e, term))
        return out

    def positions(self, text: str) -> dict[str, list[int]]:
        """Every term of ``text`` with its positions: what a posting needs, without per-token objects."""
        out: dict[str, list[int]] = {}
        pos = 0
        split = self._split
        for value in text.split(SEPARATOR) if SEPARATOR in text else (text,):
            for match in _CHUNK_RE.finditer(value):
                last = 0
                for term, _, _, offset in split(match.group()):
                    last = offset
                    if term is not None:
                        if term in out:
                            out[term].append(pos + offset)
                        else:
                            out[term] = [pos + offset]
                pos += last + 1
            pos += _GAP
        return out


class KbPositions(Positions):
    """Whoosh's Positions format (same bytes), fed straight from :meth:`Terms.positions` for speed."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, KbAnalyzer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for term, poslist in analyzer.terms().positions(value).items():
            if len(term) > MAX_TERM:
                continue  # a blob, not a word (kb.index.document)
            yield term, len(poslist), len(poslist) * boost, encode(poslist)


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


_TERMS: dict[tuple[bool, bool], Terms] = {}


def terms_for(stemming: bool, stops: bool) -> Terms:
    """The process-wide term splitter (and its cache) for one analyzer setting."""
    key = (stemming, stops)
    if key not in _TERMS:
        _TERMS[key] = Terms(stemming, stops)
    return _TERMS[key]


#: Words: titles, abstracts, post texts, note bodies, comments.
TEXT_ANALYZER = KbAnalyzer(stemming=True, stops=True)
#: Exact forms: folded words, common ones dropped as in TEXT_ANALYZER, but not stemmed.
EXACT_ANALYZER = KbAnalyzer(stemming=False, stops=True)
#: Names: folded but neither stemmed nor stopped ("De", "Van", "An" are names).
NAME_ANALYZER = KbAnalyzer(stemming=False, stops=False)
