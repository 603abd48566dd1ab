"""Turn a parsed query (kb.index.querylang) into an engine's query, plus what the snippets should mark.

One compiler serves every engine: it decides what each word means (fields, ids, categories, stems,
prefixes, dates) and checks every value (kinds, statuses, dates, ids), so both engines answer the same
question and a query that compiles can always be run. The engine only supplies a :class:`Builder` that
makes its own query objects (kb.index.whoosh_query, kb.index.tantivy_query).

Filters (kind:, status:, tag:, dates, ...) get a tiny constant score: they select documents without
changing their order, which the words alone decide.

Some filters are answered by the store, not the index: ``cites:ID`` (the papers citing ID) and ``citedby:ID``
(the papers ID cites) come from the citation links. The caller asks ``store_filters(query)`` which ones a
query holds, resolves each to the ids it selects, and passes them as ``id_sets``; the compiler turns each into
an id filter. Without them (``kb.index.validate_query``) such a filter selects nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from kb.config.people import source_names as person_source_names
from kb.errors import QueryError
from kb.index.analysis import EXACT_TERMS, NAME_TERMS, TEXT_TERMS, fold
from kb.index.body import in_term
from kb.index.dates import END_OF_TIME, Interval, parse_interval, parse_year
from kb.index.document import DEFAULT_FIELDS, EXACT_FIELDS, from_minutes, keyword_value, to_minutes
from kb.index.querylang import And, Node, Not, Or, Word, parse_query
from kb.index.sectionfilter import split_kinds
from kb.models import parse_arxiv_id

_TEXT_TERMS = TEXT_TERMS
_NAME_TERMS = NAME_TERMS
_NO_STEM = NAME_TERMS  # folded words without stemming, for prefixes
_SPLITTERS = {"authors": _NAME_TERMS, **dict.fromkeys(EXACT_FIELDS, EXACT_TERMS)}
_FIELD_OF = {"title": "title", "text": "text", "author": "authors", "body": "body"}
#: The fields that hold a paper's full text: a match there is shown from the section it is in.
_BODY_FIELDS = ("body", "insection")
_KINDS = {"paper": "paper", "papers": "paper", "post": "post", "posts": "post", "note": "note", "notes": "note"}
_STATUSES = {"new": "new", "unread": "new", "read": "read", "skipped": "skipped", "skip": "skipped"}
_MIN_PREFIX = 2
_CATEGORY_RE = re.compile(r"^(?:[a-z]+(?:-[a-z]+)?\.[a-z][a-z\-]*|[a-z]+-[a-z]+)$", re.IGNORECASE)


#: What store-backed filters select: (field, paper id) -> the ids of the documents it matches.
IdSets = Mapping[tuple[str, str], Collection[str]]
#: The fields the store answers (kb.store.citations): ``cites:`` and ``citedby:``.
STORE_FIELDS = ("cites", "citedby")
_NOTHING = "\x00nothing"  # an id no document has: a filter that selects nothing


def store_filters(query: str) -> list[tuple[str, str]]:
    """The store-backed filters of ``query`` as (field, paper id): ``cites:1706.03762`` ->
    ("cites", "arxiv:1706.03762").

    Empty for a query that does not parse (searching it raises the error) and for values that are not ids
    (compiling them does).
    """
    try:
        tree = parse_query(query)
    except QueryError:
        return []
    found: list[tuple[str, str]] = []
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Word):
            arxiv = parse_arxiv_id(node.text) if node.field in STORE_FIELDS and not node.prefix else None
            if node.field is not None and arxiv is not None:
                found.append((node.field, arxiv.key))
        elif isinstance(node, Not):
            stack.append(node.item)
        elif isinstance(node, And | Or):
            stack.extend(node.items)
    return list(dict.fromkeys(found))


class Builder(Protocol):
    """What an engine supplies to build its queries. ``None`` never reaches it: the compiler drops it."""

    #: The engine's name, for error messages.
    name: str
    #: The latest ``published`` minute the engine can search (None: any date a datetime can hold).
    max_minutes: int | None

    def term(self, fieldname: str, value: str | bool, boost: float = 1.0) -> Any: ...
    def phrase(self, fieldname: str, words: Sequence[str], offsets: Sequence[int]) -> Any: ...
    def prefix(self, fieldname: str, text: str) -> Any: ...
    def all_of(self, subs: Sequence[Any]) -> Any: ...
    def any_of(self, subs: Sequence[Any]) -> Any: ...
    def none_of(self, sub: Any) -> Any: ...
    def but_not(self, wanted: Any, unwanted: Any) -> Any: ...
    def published(self, low: int | None, high: int | None) -> Any: ...
    def filter(self, q: Any) -> Any: ...


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
    """A runnable query. ``scored`` is False when only filters were given (no words to rank by).

    ``body_marks`` is what to mark in a paper's full text, and ``kinds`` the section kinds ``in:`` allows
    (None: any), so that a hit whose body matched is shown from the best section it may match in.
    """

    query: Any
    marks: Marks
    scored: bool
    body_marks: Marks = field(default_factory=Marks)
    kinds: frozenset[str] | None = None


def compile_query(text: str, builder: Builder | None = None, id_sets: IdSets | None = None) -> Compiled:
    """Parse and compile ``text`` for ``builder``'s engine (Whoosh by default); raises QueryError for
    anything that cannot be searched. ``id_sets``: what the store-backed filters select (``store_filters``)."""
    if builder is None:
        from kb.index.whoosh_query import WHOOSH

        builder = WHOOSH
    tree, kinds = split_kinds(parse_query(text))
    if tree is None:
        raise QueryError("in: needs words to look for in those sections (in:method dropout)", 0)
    compiler = _Compiler(builder, id_sets or {}, kinds)
    q = compiler.node(tree, negated=False)
    if q is None:
        raise QueryError("nothing to search for: the query has only very common words (like 'the', 'of')", 0)
    return Compiled(q, compiler.marks, compiler.scored, compiler.body_marks, kinds)


class _Compiler:
    def __init__(self, builder: Builder, id_sets: IdSets, kinds: frozenset[str] | None = None) -> None:
        self.b = builder
        self.id_sets = id_sets
        self.marks = Marks()
        self.body_marks = Marks()
        self.scored = False
        self.kinds = None if kinds is None else sorted(kinds)

    def node(self, node: Node, negated: bool) -> Any:
        if isinstance(node, Word):
            return self.word(node, negated)
        if isinstance(node, Not):
            inner = self.node(node.item, not negated)
            return None if inner is None else self.b.none_of(inner)
        if isinstance(node, And):
            return self.conjunction(node, negated)
        return self.any_of([self.node(item, negated) for item in node.items])

    def any_of(self, subs: list[Any]) -> Any:
        subs = [q for q in subs if q is not None]
        return None if not subs else subs[0] if len(subs) == 1 else self.b.any_of(subs)

    def all_of(self, subs: list[Any]) -> Any:
        subs = [q for q in subs if q is not None]
        return None if not subs else subs[0] if len(subs) == 1 else self.b.all_of(subs)

    def conjunction(self, node: And, negated: bool) -> Any:
        # "wanted but not unwanted", not And([.., Not(..)]): an engine can then skip what cannot reach the top.
        wanted = self.all_of([self.node(item, negated) for item in node.items if not isinstance(item, Not)])
        unwanted = self.any_of([self.node(item.item, not negated) for item in node.items if isinstance(item, Not)])
        if unwanted is None:
            return wanted
        if wanted is None:
            return self.b.none_of(unwanted)
        return self.b.but_not(wanted, unwanted)

    def word(self, w: Word, negated: bool) -> Any:
        if w.field in (None, "title", "text", "author", "body"):
            q = self.text_word(w, negated)
            self.scored = self.scored or (q is not None and not negated)
            return q
        value = w.text if w.phrase else w.text.strip()
        return self.b.filter(_FILTERS[w.field](self, w, value))

    def text_word(self, w: Word, negated: bool) -> Any:
        if w.prefix:
            return self.prefix(w, negated)
        targets = self.targets(w)
        if w.field is None and not w.phrase and (arxiv := parse_arxiv_id(w.text)) is not None:
            bare = fold(arxiv.id)
            if not negated:
                self.marks.terms.add(bare)
                self.body_marks.terms.add(bare)
            if self.kinds is not None:  # in:references 1706.03762: the papers whose references cite it
                return self.any_of([self.b.term(f, in_term(kind or "", bare)) for f, kind in targets])
            in_text = self.any_of([self.b.term(f, bare) for f in DEFAULT_FIELDS if f != "authors"])
            return self.b.any_of([self.b.term("id", arxiv.key, boost=3.0), self.b.term("links", bare), in_text])
        fields = [name for name, _ in targets]
        words = [(term, pos) for term, pos, _, _ in _TEXT_TERMS(w.text)]
        if w.field in (None, "body") and not words:
            return None  # only common words: not searched, even though author names keep them
        if not negated:
            if "text" in fields:
                self.marks.add(words)
            if any(name in _BODY_FIELDS for name in fields):
                self.body_marks.add(words)
        subs = [self.field_word(name, w.text, kind) for name, kind in targets]
        if w.field is None and self.kinds is None and subs:
            # Matches nothing the stemmed fields miss, but ranks the exact form above other forms of its stem.
            subs += [self.field_word(name, w.text) for name in EXACT_FIELDS]
        if w.field is None and self.kinds is None and not w.phrase and _CATEGORY_RE.match(w.text):
            subs.append(self.b.term("cat", w.text.lower()))  # cs.LG, hep-th: also the paper's categories
        return self.any_of(subs)

    def prefix(self, w: Word, negated: bool) -> Any:
        words = [term for term, _, _, _ in _NO_STEM(w.text)]
        if not words or len(words[-1]) < _MIN_PREFIX:
            raise QueryError(
                f"prefix '{w.text}*' at position {w.pos + 1} is too short: give at least {_MIN_PREFIX} letters",
                w.pos,
            )
        *whole, last = words
        targets = self.targets(w)
        fields = [name for name, _ in targets]
        # Stems are indexed, and "studies" stems to "studi": look for both the word and its stem.
        stems = {last, *(t for t, _, _, _ in _TEXT_TERMS(last))}
        if not negated:
            for marks in (
                *([self.marks] if "text" in fields else []),
                *([self.body_marks] if any(name in _BODY_FIELDS for name in fields) else []),
            ):
                marks.prefixes.add(last)
                for word in whole:
                    marks.add([(t, pos) for t, pos, _, _ in _TEXT_TERMS(word)])
        subs = []
        for name, kind in targets:
            forms = {last} if name == "authors" else stems
            ends = self.any_of([self.b.prefix(name, in_term(kind, form) if kind else form) for form in sorted(forms)])
            heads = [self.field_word(name, word, kind) for word in whole]
            subs.append(self.all_of([*heads, ends]))
        return self.any_of(subs)

    def targets(self, w: Word) -> list[tuple[str, str | None]]:
        """The fields a text word is searched in, each with the section kind its terms carry (``in:``)."""
        if w.field in (None, "body") and self.kinds is not None:
            return [("insection", kind) for kind in self.kinds]
        if w.field is None:
            return [(name, None) for name in DEFAULT_FIELDS]
        return [(_FIELD_OF[w.field], None)]

    def field_word(self, fieldname: str, text: str, kind: str | None = None) -> Any:
        """The query for ``text`` in one field: a term, an exact phrase, or None when nothing is indexed.
        ``kind``: the terms of sections of that kind (the ``insection`` field)."""
        splitter = _SPLITTERS.get(fieldname, _TEXT_TERMS)
        found = [(term if kind is None else in_term(kind, term), pos) for term, pos, _, _ in splitter(text)]
        if not found:
            return None
        if len(found) == 1:
            return self.b.term(fieldname, found[0][0])
        return self.b.phrase(fieldname, [t for t, _ in found], [p for _, p in found])

    def published(self, w: Word, interval: Interval) -> Any:
        start, end = interval
        low = None if start is None else self.minutes(w, start)
        high = None if end is None or end == END_OF_TIME else self.minutes(w, end)
        return self.b.published(low, high)

    def minutes(self, w: Word, moment: datetime) -> int:
        minutes = to_minutes(moment)
        limit = self.b.max_minutes
        if limit is not None and minutes > limit:
            raise QueryError(
                f"date '{w.text}' at position {w.pos + 1} is later than the {self.b.name} engine can search "
                f"(it holds dates up to {from_minutes(limit):%Y-%m-%d}): use year:, "
                "or `search: {engine: tantivy}` in feeds.yaml",
                w.pos,
            )
        return minutes


def _error(w: Word, what: str, allowed: str) -> QueryError:
    return QueryError(f"{what} '{w.text}' at position {w.pos + 1}: use {allowed}", w.pos)


def _keyword(fieldname: str) -> Any:
    def build(c: _Compiler, w: Word, value: str) -> Any:
        value = value.lower()
        if w.prefix:
            if not value:
                raise QueryError(f"prefix at position {w.pos + 1} is empty: give its first letters", w.pos)
            return c.b.prefix(fieldname, value)
        if fieldname == "cat" and "." not in value and not w.phrase:
            return c.b.any_of([c.b.term("cat", value), c.b.prefix("cat", value + ".")])  # cat:cs = cs.*
        return c.b.term(fieldname, value)

    return build


def _kind(c: _Compiler, w: Word, value: str) -> Any:
    if value.lower() not in _KINDS or w.prefix:
        raise _error(w, "unknown kind", "kind:paper, kind:post or kind:note")
    return c.b.term("kind", _KINDS[value.lower()])


def _status(c: _Compiler, w: Word, value: str) -> Any:
    if value.lower() not in _STATUSES or w.prefix:
        raise _error(w, "unknown status", "status:new, status:read or status:skipped")
    return c.b.term("status", _STATUSES[value.lower()])


def _is(c: _Compiler, w: Word, value: str) -> Any:
    if value.lower() == "starred" and not w.prefix:
        return c.b.term("starred", True)
    if value.lower() in ("unstarred", "notstarred") and not w.prefix:
        return c.b.term("starred", False)
    if value.lower() in _STATUSES and not w.prefix:
        return c.b.term("status", _STATUSES[value.lower()])
    raise _error(w, "unknown is: value", "is:starred, is:new, is:read or is:skipped")


def _has(c: _Compiler, w: Word, value: str) -> Any:
    if value.lower() in ("note", "notes") and not w.prefix:
        return c.b.term("has_note", True)
    raise _error(w, "unknown has: value", "has:note")


def _id(c: _Compiler, w: Word, value: str) -> Any:
    arxiv = parse_arxiv_id(value)
    if arxiv is not None and not w.prefix:
        return c.b.term("id", arxiv.key)
    if value.startswith(("post:", "note:", "arxiv:")) and len(value) > 5:
        return c.b.prefix("id", value) if w.prefix else c.b.term("id", value)
    raise _error(w, "not an id", "an arXiv id (1706.03762, arxiv:1706.03762v2) or post:... / note:...")


def _year(c: _Compiler, w: Word, value: str) -> Any:
    year = parse_year(value, w.pos)
    return c.b.term("year", year) if isinstance(year, str) else c.published(w, year)


def _person(c: _Compiler, w: Word, value: str) -> Any:
    # A person's items are those that came from one of their sources, named after them (kb.config.people):
    # the index needs no field of its own, and renaming a person in feeds.yaml is a rename of sources.
    if w.prefix or not value.strip():
        raise _error(w, "not a person's name", 'the name as feeds.yaml gives it: person:"Ada Lovelace"')
    return c.b.any_of([c.b.term("sources", keyword_value(name)) for name in person_source_names(value.strip())])


def _published(c: _Compiler, w: Word, value: str) -> Any:
    if w.prefix:
        raise _error(w, "bad date", "YYYY, YYYY-MM or YYYY-MM-DD, ranges A..B, >A or <A")
    return c.published(w, parse_interval(value, w.pos))


def _linked(fieldname: str) -> Any:
    def build(c: _Compiler, w: Word, value: str) -> Any:
        arxiv = parse_arxiv_id(value)
        if arxiv is None or w.prefix:
            raise _error(w, f"{fieldname}: needs an arXiv id, not", f"{fieldname}:1706.03762")
        ids = sorted(c.id_sets.get((fieldname, arxiv.key), ()))
        return c.any_of([c.b.term("id", doc_id) for doc_id in ids]) if ids else c.b.term("id", _NOTHING)

    return build


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
    "cites": _linked("cites"),
    "citedby": _linked("citedby"),
    "person": _person,
}
