"""Fast sets of matching documents, for counting results and for date ranges.

Whoosh walks postings one document at a time through layers of Python matchers, so counting every match
of a common word costs as much as scoring it. Here a term's postings are read a block (up to 128 ids) at a
time into a Python set and queries combine with C-speed set operations; only phrases still go through a
matcher (on the intersection of their words). Queries of shapes not known here use Whoosh's own way.

This reads a little below Whoosh's public API (the posting blocks of its W3 codec); whoosh-reloaded 2.7.5
is frozen code, and every path falls back to the public one if those internals are missing.
"""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

from kb.index.phrase import ExactPhrase


def count(searcher: Any, q: Any) -> int:
    """How many documents match ``q`` (deleted documents excluded)."""
    return sum(len(docs(sub.reader(), sub, q)) for sub, _ in searcher.leaf_searchers())


def docs(reader: Any, searcher: Any, q: Any) -> set[int]:
    """The segment-local numbers of the documents of one segment that match ``q``."""
    if isinstance(q, wq.Term):
        return _term(reader, q.fieldname, q.text)
    if isinstance(q, wq.And):
        return _and(reader, searcher, q.subqueries)
    if isinstance(q, wq.Or):
        out: set[int] = set()
        for sub in q.subqueries:
            out |= docs(reader, searcher, sub)
        return out
    if isinstance(q, wq.Not):
        return _live(reader) - docs(reader, searcher, q.query)
    if isinstance(q, wq.AndNot):
        return docs(reader, searcher, q.a) - docs(reader, searcher, q.b)
    if isinstance(q, wq.Every):
        return _live(reader)
    if isinstance(q, wq.NumericRange):
        return docs(reader, searcher, q._compile_query(reader))
    if isinstance(q, wq.ConstantScoreQuery):
        return docs(reader, searcher, q.child)
    if isinstance(q, (wq.Prefix, wq.TermRange)):
        out = set()
        for btext in q._btexts(reader):
            out |= _term(reader, q.fieldname, btext)
        return out
    if isinstance(q, ExactPhrase):
        return set(q.matcher(searcher).all_ids()) if _and_terms(reader, q) else set()
    if q is wq.NullQuery:
        return set()
    return set(q.docs(searcher))  # anything else: Whoosh's own (slower) way


def _and(reader: Any, searcher: Any, subs: list[Any]) -> set[int]:
    negatives = [s.query for s in subs if isinstance(s, wq.Not)]
    positives = [s for s in subs if not isinstance(s, wq.Not)]
    out = docs(reader, searcher, positives[0]) if positives else _live(reader)
    for sub in positives[1:]:
        if not out:
            break
        out &= docs(reader, searcher, sub)
    for sub in negatives:
        if not out:
            break
        out -= docs(reader, searcher, sub)
    return out


def _and_terms(reader: Any, q: ExactPhrase) -> bool:
    field = reader.schema[q.fieldname]
    return all((q.fieldname, field.to_bytes(w)) in reader for w in q.words)


def _term(reader: Any, fieldname: str, text: Any) -> set[int]:
    if fieldname not in reader.schema:
        return set()
    field = reader.schema[fieldname]
    btext = text if isinstance(text, bytes) else field.to_bytes(text)
    if (fieldname, btext) not in reader:
        return set()
    m = reader.postings(fieldname, btext)
    if isinstance(m, FilterMatcher):
        m = m.child  # deletions are removed below, all at once
    ids = set(_block_ids(m))
    if reader.has_deletions():
        deleted = getattr(reader, "deleted_docs_set", None)
        if deleted is None:
            return {i for i in ids if not reader.is_deleted(i)}
        ids -= deleted
    return ids


def _block_ids(m: Any) -> Any:
    if not all(hasattr(m, a) for a in ("_ids", "_data", "_read_data", "_next_block", "_i", "_byteids")):
        return m.all_ids()
    out: list[int] = []
    while m.is_active():
        if m._ids is not None:
            out.extend(m._ids[m._i :])
        else:  # a block not decoded yet: its ids are deltas from 0; accumulate() decodes them in C
            if m._data is None:
                m._read_data()
            out.extend(m._data[0] if m._byteids else accumulate(m._data[0]))
        m._next_block()
    return out


def _live(reader: Any) -> set[int]:
    return set(reader.all_doc_ids())


class FastRange(wq.NumericRange):
    """A numeric range that gathers its documents as a set instead of a union of many term matchers."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        found = docs(searcher.reader(), searcher, self)
        if not found:
            return matching.NullMatcher()
        return matching.ListMatcher(array("I", sorted(found)), all_weights=self.boost)
