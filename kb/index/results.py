"""Running a compiled query on an open searcher: the top hits, the exact total and the snippets."""

from __future__ import annotations

from typing import Any

from whoosh import collectors

from kb.index import docsets
from kb.index.compile import Compiled
from kb.index.document import from_minutes
from kb.index.hits import hit_snippet
from kb.index.ranking import prune
from kb.models import Hit, Kind


def run(
    searcher: Any, compiled: Compiled, limit: int, by_date: bool, marks: tuple[str, str], count: bool = True
) -> tuple[list[Hit], int]:
    """The first ``limit`` hits (best first, or newest first when ``by_date``) and how many match in all
    (without ``count``: the hits returned, which spares counting a broad OR such as more-like-this)."""
    q = prune(compiled.query, searcher.reader())
    if q is None:  # a word the index has never seen
        return [], 0
    wanted = max(limit, 1)
    if by_date:
        results = searcher.search(q, limit=wanted, sortedby="newest", reverse=True)
    else:
        # replace=0: Whoosh's matcher replacement (an OR turned into an AND or AND-MAYBE once the top hits
        # fill up) loses the score of a side that had already moved past a document, so the best hit of
        # `--limit 1` was not the best of `--limit 50`. Block skipping stays (kb.index.skipping).
        collector = collectors.TopCollector(limit=wanted, usequality=True, replace=0)
        searcher.search_with_collector(q, collector)
        results = collector.results()
    reader = searcher.reader()
    column = reader.column_reader("sections") if reader.has_column("sections") else None
    hits = [_hit(hit, column, compiled, by_date, marks) for hit in results[: max(limit, 0)]]
    return hits, _total(searcher, q, results, wanted) if count else len(hits)


def _hit(hit: Any, column: Any, compiled: Compiled, by_date: bool, marks: tuple[str, str]) -> Hit:
    stored = hit.fields()
    kind = Kind(stored["kind"])
    published = stored.get("pub")
    snippet, section = hit_snippet(stored.get("text", ""), kind, compiled, marks, lambda: _sections(column, hit.docnum))
    return Hit(
        id=stored["id"],
        kind=kind,
        title=stored.get("title", ""),
        score=0.0 if by_date else float(hit.score),
        snippet=snippet,
        published=from_minutes(published) if published is not None else None,
        section=section,
    )


def _sections(column: Any, docnum: int) -> bytes | None:
    """A hit's stored sections (kb.index.body); None for a document without any."""
    if column is None:
        return None
    try:
        return bytes(column[docnum])
    except IndexError:  # an index written before every document had a value: the column ends early
        return None


def _total(searcher: Any, q: Any, results: Any, limit: int) -> int:
    """Every match: known when the collector saw them all, else counted with sets (not a second walk)."""
    if results.has_exact_length():
        return len(results)
    if results.scored_length() < limit:
        # The top-N never filled up, so no block was skipped as unable to reach it: all were seen.
        return int(results.scored_length())
    return docsets.count(searcher, q)
