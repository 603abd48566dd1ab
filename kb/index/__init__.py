"""Full-text search over papers, posts and notes, behind one interface whatever the engine.

The index is derived data: the library rebuilds it from the store and notes/ (``SearchIndex.rebuild``)
and keeps it current with ``update`` and ``delete``. Two engines can run it (kb.index.engines: Whoosh,
the default, and tantivy); nothing outside kb.index knows which one does.
"""

from __future__ import annotations

from kb.index.compile import compile_query
from kb.index.engines import DEFAULT_ENGINE, ENGINES
from kb.index.querylang import QUERY_HELP
from kb.index.schema import SCHEMA_VERSIONS
from kb.index.search_index import SearchIndex

__all__ = ["DEFAULT_ENGINE", "ENGINES", "QUERY_HELP", "SCHEMA_VERSIONS", "SearchIndex", "validate_query"]


def validate_query(query: str) -> None:
    """Raise kb.errors.QueryError (with the 0-based ``position``) if ``query`` cannot be searched."""
    compile_query(query)
