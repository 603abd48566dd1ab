"""list_items / count_items: each filter, their combinations, the order, and paging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from store_helpers import T0, at, paper, post

from kb.errors import UsageError
from kb.models import ItemFilter, Kind, Status, newest_first
from kb.store import Store


@pytest.fixture
def shelf(store: Store) -> Store:
    """Five papers and two posts with known dates, sources and triage state.

    published: p1 Nov 3, p2 Nov 2, p3 Nov 2 (seen later than p2), p4 Nov 1, p5 none (a placeholder);
    posts: b1 Oct 1, b2 Nov 5.
    """
    day = lambda d: datetime(2026, 11, d, tzinfo=UTC)  # noqa: E731
    store.upsert_items([paper("2611.00001", published=day(3))], "cs.LG", now=T0)
    store.upsert_items([paper("2611.00002", published=day(2))], "cs.LG", now=at(1))
    store.upsert_items([paper("2611.00003", published=day(2))], "hinton", now=at(2))
    store.upsert_items([paper("2611.00004", published=day(1))], "cs.LG", now=at(3))
    store.upsert_items([paper("2611.00004", published=day(1))], "hinton", now=at(4))
    store.ensure_papers(["arxiv:2611.00005"], now=at(5))
    store.upsert_items([post(guid="b1", published=datetime(2026, 10, 1, tzinfo=UTC))], "Lil'Log", now=at(6))
    store.upsert_items([post(guid="b2", published=day(5))], "Lil'Log", now=at(7))
    store.set_status("arxiv:2611.00001", Status.READ)
    store.set_status("arxiv:2611.00002", Status.SKIPPED)
    store.set_starred("arxiv:2611.00003", True)
    store.set_starred("arxiv:2611.00004", True)
    store.set_tags("arxiv:2611.00003", ["ML"])
    store.set_tags("arxiv:2611.00001", ["ml", "rl"])
    return store


def ids(store: Store, **fields: object) -> list[str]:
    """Short names (p1, b2, ...) of what list_items returns, checking count_items agrees."""
    flt = ItemFilter(**fields)  # type: ignore[arg-type]
    items = store.list_items(flt)
    unpaged = ItemFilter(**{**fields, "limit": None, "offset": 0})  # type: ignore[arg-type]
    assert store.count_items(flt) == len(store.list_items(unpaged))
    return [("b" if i.kind is Kind.POST else "p") + (i.url[-1] if i.kind is Kind.POST else i.id[-1]) for i in items]


def test_everything_newest_first_by_published_then_first_seen_then_id(shelf: Store) -> None:
    # p2 and p3 share a date: p3 was seen later so comes first; the undated placeholder goes by when kb first
    # saw it (Nov 20, the newest date here).
    assert ids(shelf) == ["p5", "b2", "p1", "p3", "p2", "p4", "b1"]


def test_an_undated_replacement_sorts_by_its_announcement_everywhere(store: Store) -> None:
    """An arXiv RSS replacement carries no publication date, only the day it is announced (``updated``)."""
    store.upsert_items([post(guid="old", published=datetime(2013, 5, 1, tzinfo=UTC))], "Lil'Log", now=T0)
    announced = datetime(2026, 11, 19, tzinfo=UTC)
    store.upsert_items([paper("2611.00009", version=3, published=None, updated=announced)], "cs.LG", now=at(1))
    store.upsert_items([paper("2611.00008", published=datetime(2026, 11, 18, tzinfo=UTC))], "cs.LG", now=at(2))
    listed = store.list_items(ItemFilter())
    assert [item.id for item in listed][:2] == ["arxiv:2611.00009", "arxiv:2611.00008"]
    assert listed[-1].url == "old"
    assert listed[0].dated == announced
    assert [i.id for i in store.list_items(ItemFilter(limit=1, offset=1))] == ["arxiv:2611.00008"]


def test_filter_by_status(shelf: Store) -> None:
    assert ids(shelf, status=Status.NEW) == ["p5", "b2", "p3", "p4", "b1"]
    assert ids(shelf, status=Status.READ) == ["p1"]
    assert ids(shelf, status=Status.SKIPPED) == ["p2"]


def test_filter_by_kind(shelf: Store) -> None:
    assert ids(shelf, kind=Kind.POST) == ["b2", "b1"]
    assert ids(shelf, kind=Kind.PAPER) == ["p5", "p1", "p3", "p2", "p4"]
    assert ids(shelf, kind=Kind.NOTE) == []


def test_filter_by_source(shelf: Store) -> None:
    assert ids(shelf, source="hinton") == ["p3", "p4"]
    assert ids(shelf, source="cs.LG") == ["p1", "p2", "p4"]
    assert ids(shelf, source="nobody") == []


def test_filter_by_first_seen_since_inclusive(shelf: Store) -> None:
    assert ids(shelf, since=at(3)) == ["p5", "b2", "p4", "b1"]
    # Any time zone means the same instant.
    assert ids(shelf, since=at(6).astimezone(datetime.now().astimezone().tzinfo)) == ["b2", "b1"]


def test_filter_by_star_and_tag(shelf: Store) -> None:
    assert ids(shelf, starred=True) == ["p3", "p4"]
    assert ids(shelf, starred=False) == ["p5", "b2", "p1", "p2", "b1"]
    assert ids(shelf, tag="ml") == ["p1", "p3"]
    assert ids(shelf, tag=" ML ") == ["p1", "p3"]  # normalised like stored tags
    assert ids(shelf, tag="rl") == ["p1"]
    assert ids(shelf, tag="") == []


def test_filter_by_ids(shelf: Store) -> None:
    assert ids(shelf, ids=("arxiv:2611.00004", "arxiv:2611.00001", "arxiv:2611.09999")) == ["p1", "p4"]
    assert ids(shelf, ids=()) == []


def test_filters_combine(shelf: Store) -> None:
    assert ids(shelf, status=Status.NEW, kind=Kind.PAPER, source="hinton", starred=True, tag="ml") == ["p3"]
    assert ids(shelf, status=Status.NEW, source="cs.LG") == ["p4"]
    assert ids(shelf, status=Status.READ, since=at(1)) == []


def test_a_filter_with_an_unknown_status_or_kind_is_a_usage_error(shelf: Store) -> None:
    with pytest.raises(UsageError, match="unknown status 'unread'"):
        shelf.list_items(ItemFilter(status="unread"))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="unknown kind 'book'"):
        shelf.count_items(ItemFilter(kind="book"))  # type: ignore[arg-type]
    assert ids(shelf, status="read", kind="paper") == ["p1"]  # text from a command line is fine


def test_limit_and_offset_page_through_the_same_order(shelf: Store) -> None:
    everything = ids(shelf)
    assert ids(shelf, limit=3) == everything[:3]
    assert ids(shelf, limit=3, offset=3) == everything[3:6]
    assert ids(shelf, offset=5) == everything[5:]
    assert ids(shelf, limit=0) == []
    assert shelf.count_items(ItemFilter(limit=2, offset=1)) == len(everything)  # counts ignore paging


#: Every field alone, odd values, and combinations, for the test below.
MEANINGS = [
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


@pytest.mark.parametrize("flt", MEANINGS, ids=repr)
def test_the_store_selects_what_the_filter_admits_in_the_listing_order(shelf: Store, flt: ItemFilter) -> None:
    """kb.models states what a filter means (ItemFilter.admits) and the order (newest_first): the SQL agrees."""
    everything = shelf.list_items(ItemFilter())
    assert len(everything) == 7 and everything == sorted(everything, key=newest_first)
    expected = [item.id for item in sorted(everything, key=newest_first) if flt.admits(item)]
    assert [item.id for item in shelf.list_items(flt)] == expected
    assert shelf.count_items(flt) == len(expected)
