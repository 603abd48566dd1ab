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

This module is engine-neutral: the query compiler, the snippets and the tantivy engine use :data:`TEXT_TERMS`
and :data:`NAME_TERMS`. The Whoosh analyzer classes live in kb.index.whoosh_analysis, and are reachable here
too (``KbAnalyzer``, ``KbPositions``, ``TEXT_ANALYZER``, ``NAME_ANALYZER``, loaded on first use) because
Whoosh's stored schema of every existing index names ``kb.index.analysis.KbAnalyzer``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

#: Longest term indexed (see kb.index.document).
MAX_TERM = 200
#: Separates the values of a multi-valued text field (authors, extras); phrases never cross it.
SEPARATOR = "\x1e"
#: Position gap between the values of a multi-valued field.
_GAP = 10
#: Between the terms of a text given to tantivy as one string (:meth:`Terms.joined`): its whitespace
#: tokenizer splits at ASCII whitespace, and the one a term can hold is written as SPACE (:func:`as_token`).
TERM_BREAK = " "
#: A term's space in tantivy (folding a few Arabic and Greek compatibility characters gives one); never in a term.
SPACE = "\x1f"
#: A position without a term (a common word, the gap between two values) in a joined text; never a term.
HOLE = "."
#: A position whose term is longer than MAX_TERM in a joined text; never a term, and not a HOLE (SectionTerms).
LONG = ".."
_VALUE_GAP = TERM_BREAK + TERM_BREAK.join([HOLE] * _GAP) + TERM_BREAK

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
# An arXiv id inside a link (``arxiv.org/abs/1706.03762v5``, ``pdf/1706.03762.pdf``): indexed as the bare id, as
# the query side searches it (a whole chunk that is an id is matched by _ID_RE above).
_LINKED_ID_RE = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?$", re.IGNORECASE)
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
        self.joins: dict[str, str] = {}

    def __call__(self, chunk: str) -> _Parts:
        parts = self.cache.get(chunk)
        if parts is None:
            if len(self.cache) >= _MAX_CACHE:
                self.cache.clear()
            parts = self.cache[chunk] = self._split(chunk)
        return parts

    def joined(self, chunk: str) -> str:
        """The chunk's terms joined by TERM_BREAK, one per position it takes (HOLE or LONG where none is kept)."""
        out = self.joins.get(chunk)
        if out is None:
            if len(self.joins) >= _MAX_CACHE:
                self.joins.clear()
            kept = [
                HOLE if term is None else as_token(term) if len(term) <= MAX_TERM else LONG
                for term, _, _, _ in self._split(chunk)  # not cached twice: indexing reads only the joined form
            ]
            out = self.joins[chunk] = TERM_BREAK.join(kept) or HOLE  # a chunk without parts still takes a position
        return out

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
            linked = _LINKED_ID_RE.match(word)
            out.append((linked.group(1) if linked else self._term(word), start, start + len(word), offset))
            offset += 1
        return tuple(out)

    def _term(self, word: str) -> str | None:
        term = fold(word)
        if not term or (self.stops and term in STOP_WORDS):
            return None
        if self.stemming and term.isalpha():
            return _stem(term)
        return term


def as_token(term: str) -> str:
    """``term`` as tantivy's whitespace tokenizer keeps it whole: its spaces written as SPACE."""
    return term.replace(" ", SPACE) if " " in term else term


def _stem(word: str) -> str:
    """Porter2 (Whoosh's own implementation, a small pure-Python module), imported on the first word to stem."""
    global _stem
    from whoosh.lang.porter2 import stem

    _stem = stem
    return stem(word)


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

    def joined(self, text: str) -> str:
        """The terms of ``text`` as one string for tantivy's ``kb`` tokenizer (kb.index.tantivy_schema).

        Its terms are split at TERM_BREAK, one position each from 0, and HOLE and LONG are dropped as stop words:
        what tantivy indexes is then exactly ``(term, position)`` of :meth:`__call__` for the terms of at most
        MAX_TERM characters. One string instead of a token object per term: the Python side of indexing is a
        dictionary lookup per chunk of text, and the splitting runs in tantivy's indexing threads.
        """
        return self.join(chunks(text))

    def join(self, values: list[list[str]]) -> str:
        """:meth:`joined` of a text already split by :func:`chunks` (texts analysed twice are split once)."""
        joins = self._split.joins
        try:  # most chunks were seen before: a C-level lookup each
            return _VALUE_GAP.join([TERM_BREAK.join(map(joins.__getitem__, value)) for value in values])
        except KeyError:
            joined = self._split.joined
            return _VALUE_GAP.join([TERM_BREAK.join([joined(chunk) for chunk in value]) for value in values])

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


def chunks(text: str) -> list[list[str]]:
    """The chunks of each value of ``text`` (its parts between SEPARATORs), as :meth:`Terms.join` takes them."""
    if SEPARATOR not in text:
        return [_CHUNK_RE.findall(text)]
    return [_CHUNK_RE.findall(value) for value in text.split(SEPARATOR)]


_TERMS: dict[tuple[bool, bool], Terms] = {}


def terms_for(stemming: bool, stops: bool) -> Terms:
    """The process-wide term splitter (and its cache) for one analyzer setting."""
    key = (stemming, stops)
    if key not in _TERMS:
        _TERMS[key] = Terms(stemming, stops)
    return _TERMS[key]


#: Words: titles, abstracts, post texts, note bodies, comments.
TEXT_TERMS = terms_for(stemming=True, stops=True)
#: Names: folded but neither stemmed nor stopped ("De", "Van", "An" are names).
NAME_TERMS = terms_for(stemming=False, stops=False)
#: Exact forms: folded words, common ones dropped as in TEXT_TERMS, but not stemmed.
EXACT_TERMS = terms_for(stemming=False, stops=True)

_WHOOSH_NAMES = frozenset({"KbAnalyzer", "KbPositions", "TEXT_ANALYZER", "NAME_ANALYZER"})


def __getattr__(name: str) -> Any:
    """The Whoosh analyzer names, imported only when asked for (so `import kb.index` loads no Whoosh)."""
    if name in _WHOOSH_NAMES:
        from kb.index import whoosh_analysis

        return getattr(whoosh_analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
