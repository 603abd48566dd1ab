"""The inbox's rows, loaded a page at a time: 100,000 stored items never become 100,000 rows in memory.

A list is a snapshot: rows the person triages stay where they are (dimmed) until the filter changes, as in a
mail client. The store, though, stops counting them (a read item is no longer ``status:new``), so the offset of
the next page is the number of loaded rows the store still counts; a small overlap, dropped by id, absorbs
what another process changed in between. New arrivals are merged in at their place in the order.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from kb.library import Library
from kb.models import Item, ItemFilter
from kb.tui.filters import still_matches

PAGE_SIZE = 100
OVERLAP = 20


class Listing(Protocol):
    """Where rows come from, in display order."""

    def count(self) -> int: ...
    def fetch(self, offset: int, limit: int) -> list[Item]: ...
    def matches(self, item: Item) -> bool: ...
    def arrivals(self, since: datetime) -> list[Item]: ...


class StoreListing:
    """Rows of a store filter, newest first."""

    def __init__(self, library: Library, flt: ItemFilter) -> None:
        self.library = library
        self.flt = replace(flt, limit=None, offset=0)

    def count(self) -> int:
        return self.library.store.count_items(self.flt)

    def fetch(self, offset: int, limit: int) -> list[Item]:
        return self.library.list_items(replace(self.flt, offset=offset, limit=limit))

    def matches(self, item: Item) -> bool:
        return still_matches(item, self.flt)

    def arrivals(self, since: datetime) -> list[Item]:
        return self.library.list_items(replace(self.flt, since=since, limit=1000))


class IdListing:
    """Rows of a search: a fixed list of ids (its order is the search's order)."""

    def __init__(self, library: Library, ids: Sequence[str]) -> None:
        self.library = library
        self.ids = list(ids)

    def count(self) -> int:
        return len(self.ids)

    def fetch(self, offset: int, limit: int) -> list[Item]:
        return self.library.store.get_items(self.ids[offset : offset + limit])

    def matches(self, item: Item) -> bool:
        return True

    def arrivals(self, since: datetime) -> list[Item]:
        return []


def sort_key(item: Item) -> tuple[float, float, str]:
    """The store's order as an ascending key: Item.dated desc, first seen desc, id asc."""
    published = -item.dated.timestamp() if item.dated else float("inf")
    first_seen = -item.first_seen.timestamp() if item.first_seen else float("inf")
    return (published, first_seen, item.id)


class ItemPages:
    """The rows of one list, loaded in order as far as someone looks."""

    def __init__(self, listing: Listing, page_size: int = PAGE_SIZE) -> None:
        self.listing = listing
        self.page_size = page_size
        self.items: list[Item] = []
        self.positions: dict[str, int] = {}
        self.total = listing.count()
        self.exhausted = self.total == 0

    def __len__(self) -> int:
        return len(self.items) if self.exhausted else max(self.total, len(self.items))

    def get(self, index: int) -> Item | None:
        """The row at ``index``, loading pages up to it; None past the end."""
        self.ensure(index)
        return self.items[index] if 0 <= index < len(self.items) else None

    def ensure(self, index: int) -> None:
        """Load rows until ``index`` is loaded or the listing ends."""
        while index >= len(self.items) and not self.exhausted:
            self._load(max(self.page_size, index + 1 - len(self.items)))

    def _load(self, wanted: int) -> None:
        still_counted = sum(1 for item in self.items if self.listing.matches(item))
        offset = max(still_counted - OVERLAP, 0) if self.items else 0
        asked = wanted + (still_counted - offset)
        batch = self.listing.fetch(offset, asked)
        fresh = [item for item in batch if item.id not in self.positions]
        for item in fresh:
            self.positions[item.id] = len(self.items)
            self.items.append(item)
        if len(batch) < asked or not fresh:
            self.exhausted = True
            self.total = len(self.items)
        else:
            self.total = max(self.total, len(self.items))

    def index_of(self, item_id: str) -> int | None:
        """Where the row of ``item_id`` is, if loaded."""
        return self.positions.get(item_id)

    def replace(self, item: Item) -> int | None:
        """Put a newer copy of a loaded row in place; its index, or None when not loaded."""
        index = self.positions.get(item.id)
        if index is not None:
            self.items[index] = item
        return index

    def merge(self, arrivals: Sequence[Item]) -> list[int]:
        """Insert new rows at their place among the loaded ones; the indexes they took (ascending).

        Arrivals that sort after the last loaded row are left for the page that will bring them.
        """
        fresh = [item for item in arrivals if item.id not in self.positions]
        if not fresh:
            return []
        last = sort_key(self.items[-1]) if self.items else None
        placed = [item for item in fresh if self.exhausted or (last is not None and sort_key(item) < last)]
        for item in placed:
            # Insert without re-sorting the rest: rows already shown never move among themselves.
            bisect.insort(self.items, item, key=sort_key)
        if placed:
            self.positions = {item.id: index for index, item in enumerate(self.items)}
        if self.exhausted:
            self.total = len(self.items)
        else:
            # Rows the store no longer counts (triaged here) still hold their place in this list.
            departed = sum(1 for item in self.items if not self.listing.matches(item))
            self.total = max(self.listing.count() + departed, len(self.items))
        return sorted(self.positions[item.id] for item in placed)
