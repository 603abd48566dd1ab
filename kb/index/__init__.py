"""Full-text search over papers, posts and notes (Whoosh, hidden behind this package).

The index is derived data: the library rebuilds it from the store and notes/ (``SearchIndex.rebuild``)
and keeps it current with ``update`` and ``delete``. Nothing outside kb.index knows it is Whoosh.
"""

from __future__ import annotations

from kb.index.compile import compile_query
from kb.index.querylang import QUERY_HELP
from kb.index.schema import SCHEMA_VERSION
from kb.index.search_index import SearchIndex

__all__ = ["QUERY_HELP", "SCHEMA_VERSION", "SearchIndex", "validate_query"]


def validate_query(query: str) -> None:
    """Raise kb.errors.QueryError (with the 0-based ``position``) if ``query`` cannot be searched."""
    compile_query(query)
