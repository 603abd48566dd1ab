"""The store's SQL selects and orders exactly as kb.models says: ItemFilter.admits and newest_first.

The inbox decides with ItemFilter.admits whether a row it triaged still belongs to its list, and places arrivals
with newest_first; the store answers the same filters in SQL. These tests hold the two to one meaning.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from store_helpers import T0, at, paper, post

from kb.models import Item, ItemFilter, Kind, Status, newest_first
from kb.store import Store


@pytest.fixture
def shelf(store: Store) -> list[Item]:
    """Papers and posts with mixed dates, sources, triage, tags and a placeholder; every stored item."""
    day = lambda d: datetime(2026, 11, d, tzinfo=UTC)  # noqa: E731
    store.upsert_items([paper("2611.00001", published=day(3))], "cs.LG", now=T0)
    store.upsert_items([paper("2611.00002", published=day(2))], "cs.LG", now=at(1))
    store.upsert_items([paper("2611.00003", published=day(2))], "hinton", now=at(2))
    store.upsert_items([paper("2611.00004", published=day(1))], "cs.LG", now=at(3))
    store.upsert_items([paper("2611.00004", published=day(1))], "hinton", now=at(4))
    store.ensure_papers(["arxiv:2611.00005"], now=at(5))
    store.upsert_items([post(guid="b1", published=datetime(2026, 10, 1, tzinfo=UTC))], "Lil'Log", now=at(6))
    store.upsert_items([post(guid="b2", published=day(3))], "Lil'Log", now=at(7))
    store.set_status("arxiv:2611.00001", Status.READ)
    store.set_status("arxiv:2611.00002", Status.SKIPPED)
    store.set_starred("arxiv:2611.00003", True)
    store.set_starred("arxiv:2611.00004", True)
    store.set_tags("arxiv:2611.00003", ["ML"])
    store.set_tags("arxiv:2611.00001", ["ml", "rl"])
    return store.list_items(ItemFilter())


FILTERS = [
    ItemFilter(),
    ItemFilter(status=Status.NEW),
    ItemFilter(status=Status.READ),
    ItemFilter(status=Status.SKIPPED),
    ItemFilter(kind=Kind.PAPER),
    ItemFilter(kind=Kind.POST),
    ItemFilter(source="cs.LG"),
    ItemFilter(source="hinton"),
    ItemFilter(source="nowhere"),
    ItemFilter(since=at(3)),
    ItemFilter(since=at(3).replace(tzinfo=None)),  # naive: taken as UTC, as the store takes it
    ItemFilter(starred=True),
    ItemFilter(starred=False),
    ItemFilter(tag="ml"),
    ItemFilter(tag=" ML "),  # tags compare as kept: stripped, lower case
    ItemFilter(tag="rl"),
    ItemFilter(tag="   "),
    ItemFilter(ids=("arxiv:2611.00003", "arxiv:2611.00005", "arxiv:9999.99999")),
    ItemFilter(status=Status.NEW, kind=Kind.PAPER, starred=True),
    ItemFilter(source="cs.LG", tag="ml"),
    ItemFilter(kind=Kind.POST, since=at(6.5)),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_the_store_selects_what_the_filter_admits_in_the_listing_order(
    store: Store, shelf: list[Item], flt: ItemFilter
) -> None:
    expected = sorted((item for item in shelf if flt.admits(item)), key=newest_first)
    assert [item.id for item in store.list_items(flt)] == [item.id for item in expected]
    assert store.count_items(flt) == len(expected)


def test_the_shelf_is_listed_newest_first_with_the_placeholder_last(shelf: list[Item]) -> None:
    assert len(shelf) == 7
    assert shelf == sorted(shelf, key=newest_first)
    assert shelf[-1].id == "arxiv:2611.00005" and shelf[-1].published is None
