"""The inbox's orders: newest first, for you (the library's ranking, learned from triage), best match.

`S` cycles through the orders the filter allows: a store filter is newest first or for you; a search in the filter
adds best match (relevance). Newest first of a store filter is paged straight from the store (kb.tui.paging);
the other orders are a list of ids computed here, in a worker thread, through the library's own ranking
(``Library.rank``, the order of `kb list --sort foryou`) and search.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kb.library import Library
from kb.models import Kind
from kb.tui.filters import InboxQuery

NEWEST = "newest"
FOR_YOU = "for you"
RELEVANCE = "relevance"
#: The most hits a search filter puts in the inbox.
SEARCH_LIMIT = 500
#: How many of a store filter's newest items the for-you order ranks (an answer within a second or two).
RANK_LIMIT = 5000


def orders(query: InboxQuery) -> tuple[str, ...]:
    """The orders ``query`` allows, in the order `S` cycles through them."""
    return (NEWEST, FOR_YOU, RELEVANCE) if query.search is not None else (NEWEST, FOR_YOU)


def next_order(current: str, query: InboxQuery) -> str:
    """The order after ``current`` for ``query`` (newest when ``current`` is not one it allows)."""
    allowed = orders(query)
    if current not in allowed:
        return NEWEST
    return allowed[(allowed.index(current) + 1) % len(allowed)]


@dataclass(frozen=True)
class Ordered:
    """A list in a computed order: ids, each one's for-you score (for you only), and the ranking's note."""

    ids: list[str]
    scores: dict[str, float] = field(default_factory=dict)
    #: While the ranking has too little history: the one line saying so (the order is then newest first).
    untrained: str | None = None


def ordered(library: Library, query: InboxQuery, order: str) -> Ordered:
    """The ids ``query`` selects in ``order`` (a search, or a ranking of the filter's newest RANK_LIMIT items).

    Runs in a worker thread: a ranking trains the model when the triage changed since the last one.
    """
    if query.search is not None:
        sort = "date" if order == NEWEST else "relevance"
        result = library.search(query.search or "*", limit=SEARCH_LIMIT, sort=sort)
        ids = [hit.id for hit in result.hits if hit.kind is not Kind.NOTE]
        if order != FOR_YOU:
            return Ordered(ids)
        candidates = library.items(ids)
    else:
        assert query.store is not None
        candidates = library.list_items(replace(query.store, limit=RANK_LIMIT, offset=0))
    ranked = library.rank(candidates, explain=False)
    scores = {item.id: score for item, score, _why in ranked}
    return Ordered(list(scores), scores, library.ranking_untrained())


def why(library: Library, item_id: str) -> str | None:
    """The `kb why` line of one item (None when it is not stored). Runs in a worker thread."""
    item = library.item_or_none(item_id)
    if item is None:
        return None
    [(_item, _score, line)] = library.rank([item])
    return line
