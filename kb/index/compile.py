"""Turn a parsed query (kb.index.querylang) into a Whoosh query, plus what the snippets should mark.

Values are checked here (kinds, statuses, dates, ids), so a query that compiles can always be run.
Filters (kind:, status:, tag:, dates, ...) get a tiny boost: they select documents without changing
their order, which the words alone decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from kb.errors import QueryError
from kb.index.analysis import NAME_ANALYZER, TEXT_ANALYZER, fold
from kb.index.dates import Interval, parse_interval, parse_year
from kb.index.docsets import FastRange
from kb.index.phrase import ExactPhrase
from kb.index.querylang import And, Node, Not, Word, parse_query
from kb.index.schema import DEFAULT_FIELDS, to_minutes
from kb.models import parse_arxiv_id

_TEXT_TERMS = TEXT_ANALYZER.terms()
_NAME_TERMS = NAME_ANALYZER.terms()
_NO_STEM = NAME_ANALYZER.terms()  # folded words without stemming, for prefixes
_FIELD_OF = {"title": "title", "text": "text", "author": "authors"}
_KINDS = {"paper": "paper", "papers": "paper", "post": "post", "posts": "post", "note": "note", "notes": "note"}
_STATUSES = {"new": "new", "unread": "new", "read": "read", "skipped": "skipped", "skip": "skipped"}
_MIN_PREFIX = 2
_FILTER_BOOST = 0.001
_CATEGORY_RE = re.compile(r"^(?:[a-z]+(?:-[a-z]+)?\.[a-z][a-z\-]*|[a-z]+-[a-z]+)$", re.IGNORECASE)


@dataclass
class Marks:
    """What to mark in a snippet of the text: terms, prefixes of folded words, and phrases, each a tuple
    of ``(term, offset)`` that only counts where all its words stand at their offsets."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: set[tuple[tuple[str, int], ...]] = field(default_factory=set)

    def add(self, found: list[tuple[str, int]]) -> None:
        """Mark one word (a term) or phrase (several terms at their positions)."""
        if len(found) == 1:
            self.terms.add(found[0][0])
        elif found:
            first = found[0][1]
            self.phrases.add(tuple((term, pos - first) for term, pos in found))


@dataclass
class Compiled:
    """A runnable query. ``scored`` is False when only filters were given (no words to rank by)."""

    query: Any
    marks: Marks
    scored: bool


def compile_query(text: str) -> Compiled:
    """Parse and compile ``text``; raises QueryError for anything that cannot be searched."""
    compiler = _Compiler()
    q = compiler.node(parse_query(text), negated=False)
    if q is None:
        raise QueryError("nothing to search for: the query has only very common words (like 'the', 'of')", 0)
    return Compiled(q, compiler.marks, compiler.scored)


class _Compiler:
    def __init__(self) -> None:
        self.marks = Marks()
        self.scored = False

    def node(self, node: Node, negated: bool) -> Any:
        if isinstance(node, Word):
            return self.word(node, negated)
        if isinstance(node, Not):
            inner = self.node(node.item, not negated)
            return None if inner is None else wq.Not(inner)
        if isinstance(node, And):
            return self.conjunction(node, negated)
        return _or([q for q in (self.node(item, negated) for item in node.items) if q is not None])

    def conjunction(self, node: And, negated: bool) -> Any:
        # AndNot, not And([.., Not(..)]): Whoosh gives the latter an inverse matcher over every document,
        # which also turns off its skipping of blocks that cannot reach the top hits.
        wanted = [self.node(item, negated) for item in node.items if not isinstance(item, Not)]
        unwanted = [self.node(item.item, not negated) for item in node.items if isinstance(item, Not)]
        wanted = [q for q in wanted if q is not None]
        unwanted = [q for q in unwanted if q is not None]
        if not unwanted:
            return _and(wanted) if wanted else None
        if not wanted:
            return wq.Not(_or(unwanted))
        return wq.AndNot(_and(wanted), _or(unwanted))

    def word(self, w: Word, negated: bool) -> Any:
        if w.field in (None, "title", "text", "author"):
            q = self.text_word(w, negated)
            self.scored = self.scored or (q is not None and not negated)
            return q
        value = w.text if w.phrase else w.text.strip()
        q = _FILTERS[w.field](w, value)
        return _filter(q)

    def text_word(self, w: Word, negated: bool) -> Any:
        if w.prefix:
            return self.prefix(w, negated)
        if w.field is None and not w.phrase and (arxiv := parse_arxiv_id(w.text)) is not None:
            bare = fold(arxiv.id)
            if not negated:
                self.marks.terms.add(bare)
            in_text = _or([wq.Term(f, bare) for f in DEFAULT_FIELDS if f != "authors"])
            return wq.Or([wq.Term("id", arxiv.key, boost=3.0), wq.Term("links", bare), in_text])
        fields = list(DEFAULT_FIELDS) if w.field is None else [_FIELD_OF[w.field]]
        words = [(term, pos) for term, pos, _, _ in _TEXT_TERMS(w.text)]
        if w.field is None and not words:
            return None  # only common words: not searched, even though author names keep them
        if "text" in fields and not negated:
            self.marks.add(words)
        subs = [q for name in fields if (q := _field_word(name, w.text)) is not None]
        if w.field is None and not w.phrase and _CATEGORY_RE.match(w.text):
            subs.append(wq.Term("cat", w.text.lower()))  # cs.LG, hep-th: also the paper's categories
        return _or(subs)

    def prefix(self, w: Word, negated: bool) -> Any:
        words = [term for term, _, _, _ in _NO_STEM(w.text)]
        if not words or len(words[-1]) < _MIN_PREFIX:
            raise QueryError(
                f"prefix '{w.text}*' at position {w.pos + 1} is too short: give at least {_MIN_PREFIX} letters",
                w.pos,
            )
        *whole, last = words
        fields = list(DEFAULT_FIELDS) if w.field is None else [_FIELD_OF[w.field]]
        # Stems are indexed, and "studies" stems to "studi": look for both the word and its stem.
        stems = {last, *(t for t, _, _, _ in _TEXT_TERMS(last))}
        if "text" in fields and not negated:
            self.marks.prefixes.add(last)
            for word in whole:
                self.marks.add([(t, pos) for t, pos, _, _ in _TEXT_TERMS(word)])
        subs = []
        for name in fields:
            forms = {last} if name == "authors" else stems
            ends = _or([wq.Prefix(name, form) for form in sorted(forms)])
            heads = [q for word in whole if (q := _field_word(name, word)) is not None]
            subs.append(_and([*heads, ends]))
        return _or(subs)


def _field_word(fieldname: str, text: str) -> Any:
    """The query for ``text`` in one field: a term, an exact phrase, or None when nothing is indexed."""
    splitter = _NAME_TERMS if fieldname == "authors" else _TEXT_TERMS
    found = [(term, pos) for term, pos, _, _ in splitter(text)]
    return _terms_query(fieldname, found) if found else None


def _terms_query(fieldname: str, found: list[tuple[str, int]]) -> Any:
    # No boosts: field weights are applied by the scorer (kb.index.ranking).
    if len(found) == 1:
        return wq.Term(fieldname, found[0][0])
    return ExactPhrase(fieldname, [t for t, _ in found], [p for _, p in found])


def _or(subs: list[Any]) -> Any:
    return None if not subs else subs[0] if len(subs) == 1 else wq.Or(subs)


def _and(subs: list[Any]) -> Any:
    return None if not subs else subs[0] if len(subs) == 1 else wq.And(subs)


def _filter(q: Any) -> Any:
    # Filters select; they should not change the order of what they select. Not a zero boost: Whoosh
    # drops matchers whose best score is 0, so `tag:x OR word` would lose the documents of tag:x.
    return q.with_boost(_FILTER_BOOST)


def _error(w: Word, what: str, allowed: str) -> QueryError:
    return QueryError(f"{what} '{w.text}' at position {w.pos + 1}: use {allowed}", w.pos)


def _keyword(fieldname: str) -> Any:
    def build(w: Word, value: str) -> Any:
        value = value.lower()
        if w.prefix:
            if not value:
                raise QueryError(f"prefix at position {w.pos + 1} is empty: give its first letters", w.pos)
            return wq.Prefix(fieldname, value)
        if fieldname == "cat" and "." not in value and not w.phrase:
            return wq.Or([wq.Term("cat", value), wq.Prefix("cat", value + ".")])  # cat:cs = cs.*
        return wq.Term(fieldname, value)

    return build


def _kind(w: Word, value: str) -> Any:
    if value.lower() not in _KINDS or w.prefix:
        raise _error(w, "unknown kind", "kind:paper, kind:post or kind:note")
    return wq.Term("kind", _KINDS[value.lower()])


def _status(w: Word, value: str) -> Any:
    if value.lower() not in _STATUSES or w.prefix:
        raise _error(w, "unknown status", "status:new, status:read or status:skipped")
    return wq.Term("status", _STATUSES[value.lower()])


def _is(w: Word, value: str) -> Any:
    if value.lower() == "starred" and not w.prefix:
        return wq.Term("starred", True)
    if value.lower() in ("unstarred", "notstarred") and not w.prefix:
        return wq.Term("starred", False)
    if value.lower() in _STATUSES and not w.prefix:
        return wq.Term("status", _STATUSES[value.lower()])
    raise _error(w, "unknown is: value", "is:starred, is:new, is:read or is:skipped")


def _has(w: Word, value: str) -> Any:
    if value.lower() in ("note", "notes") and not w.prefix:
        return wq.Term("has_note", True)
    raise _error(w, "unknown has: value", "has:note")


def _id(w: Word, value: str) -> Any:
    arxiv = parse_arxiv_id(value)
    if arxiv is not None and not w.prefix:
        return wq.Term("id", arxiv.key)
    if value.startswith(("post:", "note:", "arxiv:")) and len(value) > 5:
        return wq.Prefix("id", value) if w.prefix else wq.Term("id", value)
    raise _error(w, "not an id", "an arXiv id (1706.03762, arxiv:1706.03762v2) or post:... / note:...")


def _range(interval: Interval) -> Any:
    low, high = interval
    return FastRange(
        "published",
        None if low is None else to_minutes(low),
        None if high is None else to_minutes(high),
        endexcl=True,
    )


def _year(w: Word, value: str) -> Any:
    year = parse_year(value, w.pos)
    return wq.Term("year", year) if isinstance(year, str) else _range(year)


def _published(w: Word, value: str) -> Any:
    if w.prefix:
        raise _error(w, "bad date", "YYYY, YYYY-MM or YYYY-MM-DD, ranges A..B, >A or <A")
    return _range(parse_interval(value, w.pos))


_FILTERS = {
    "cat": _keyword("cat"),
    "tag": _keyword("tags"),
    "source": _keyword("sources"),
    "kind": _kind,
    "status": _status,
    "is": _is,
    "has": _has,
    "id": _id,
    "year": _year,
    "published": _published,
}
