"""Paging the inbox over a real store: nothing skipped or repeated while rows are triaged and items arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.library import Library, init_workspace
from kb.models import FetchedItem, ItemFilter, Kind, Status
from kb.tui.paging import PAGE_SIZE, IdListing, ItemPages, StoreListing
from tests.support.inside import store_of

START = datetime(2026, 11, 1, tzinfo=UTC)


def paper(n: int, hours: float) -> FetchedItem:
    return FetchedItem(
        id=f"arxiv:2611.{n:05d}",
        kind=Kind.PAPER,
        title=f"Paper {n}",
        summary="",
        url=f"https://arxiv.org/abs/2611.{n:05d}",
        published=START - timedelta(hours=hours),
    )


@pytest.fixture
def library(tmp_path: Path) -> Library:
    init_workspace(tmp_path / "ws")
    opened = Library.open(tmp_path / "ws")
    store_of(opened).upsert_items([paper(n, n) for n in range(450)], source="x")
    return opened


def ids(pages: ItemPages) -> list[str]:
    return [item.id for item in pages.items]


def test_only_the_pages_looked_at_are_loaded(library: Library) -> None:
    pages = ItemPages(StoreListing(library, ItemFilter(status=Status.NEW)))
    assert len(pages) == 450 and pages.items == []
    assert pages.get(0) is not None
    assert len(pages.items) == PAGE_SIZE
    assert pages.get(PAGE_SIZE + 5) is not None
    assert len(pages.items) == 2 * PAGE_SIZE
    assert pages.get(449) is not None and pages.get(450) is None
    assert ids(pages) == [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]


def test_rows_triaged_before_the_next_page_loads_shift_nothing(library: Library) -> None:
    everything = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
    pages = ItemPages(StoreListing(library, ItemFilter(status=Status.NEW)))
    pages.ensure(0)
    # The person reads 60 of the first page: the store no longer counts them as new.
    for item in list(pages.items[:60]):
        pages.replace(store_of(library).set_status(item.id, Status.READ))
    pages.ensure(449)
    assert ids(pages) == everything  # in order, none skipped, none twice


def test_another_process_triaging_a_few_rows_is_absorbed_by_the_overlap(library: Library) -> None:
    everything = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
    pages = ItemPages(StoreListing(library, ItemFilter(status=Status.NEW)))
    pages.ensure(0)
    for item_id in everything[10:15]:  # not through this list: it does not know
        store_of(library).set_status(item_id, Status.SKIPPED)
    pages.ensure(449)
    assert ids(pages) == everything[:100] + [i for i in everything[100:] if i not in everything[10:15]]


def test_arrivals_are_merged_in_order_and_counted(library: Library) -> None:
    pages = ItemPages(StoreListing(library, ItemFilter(status=Status.NEW)))
    pages.ensure(0)
    since = datetime.now(UTC) - timedelta(seconds=5)
    store_of(library).upsert_items([paper(1000, -5), paper(1001, 2.5)], source="x")
    placed = pages.merge(pages.listing.arrivals(since))
    assert placed == [0, 4]  # the newest at the top, the other between the papers 2 and 3 hours old
    assert ids(pages)[:4] == ["arxiv:2611.01000", "arxiv:2611.00000", "arxiv:2611.00001", "arxiv:2611.00002"]
    assert len(pages) == 452
    pages.ensure(451)
    assert len(set(ids(pages))) == len(ids(pages)) == 452


def test_a_search_listing_keeps_its_own_order(library: Library) -> None:
    wanted = ["arxiv:2611.00300", "arxiv:2611.00001", "arxiv:2611.00200"]
    pages = ItemPages(IdListing(library, wanted), page_size=2)
    assert pages.get(2) is not None
    assert ids(pages) == wanted


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 449), st.sampled_from(list(Status))), max_size=40), st.integers(1, 60))
def test_any_triage_between_page_loads_keeps_the_list_whole(
    tmp_path_factory: pytest.TempPathFactory, actions: list[tuple[int, Status]], page_size: int
) -> None:
    root = tmp_path_factory.mktemp("paging") / "ws"
    init_workspace(root)
    with Library.open(root) as library:
        store_of(library).upsert_items([paper(n, n) for n in range(450)], source="x")
        everything = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
        pages = ItemPages(StoreListing(library, ItemFilter(status=Status.NEW)), page_size=page_size)
        for position, status in actions:
            pages.ensure(min(position, 449))
            if position < len(pages.items):  # only rows on screen can be triaged from the list
                item = pages.items[position]
                pages.replace(store_of(library).set_status(item.id, status))
        pages.ensure(449)
        assert ids(pages) == everything
