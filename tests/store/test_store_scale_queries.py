"""The store's reads that stay small at a million items: the latest judgements, status counts, paged lists."""

from __future__ import annotations

from kb.models import ItemFilter, Kind, Status
from kb.store import Store
from tests.store.store_helpers import at, paper, post


def test_latest_judgements_are_the_newest_by_any_triage_moment(store: Store) -> None:
    ids = [f"2611.{n:05d}" for n in range(30)]
    store.upsert_items([paper(i) for i in ids], "test", now=at(0))
    for n, number in enumerate(ids[:20]):  # read one an hour: the 20th is the latest read
        store.set_status(f"arxiv:{number}", Status.READ, now=at(n + 1))
    store.set_starred(f"arxiv:{ids[0]}", True, now=at(100))  # the oldest read, starred last of all
    store.set_tags(f"arxiv:{ids[25]}", ["rl"], now=at(99))  # never read, tagged recently
    store.set_status(f"arxiv:{ids[26]}", Status.SKIPPED, now=at(98))
    latest = {item.id for item in store.latest_judgements(3)}
    newest = {f"arxiv:{ids[0]}", f"arxiv:{ids[25]}", f"arxiv:{ids[26]}"}
    assert newest <= latest  # the three newest moments, whatever kind of moment each is
    assert len(latest) <= 9  # at most the limit from each of the three orders
    assert f"arxiv:{ids[5]}" not in latest  # an old read is outside the window
    assert all(item.status is not Status.NEW or item.starred or item.tags for item in store.latest_judgements(50))
    assert len(store.latest_judgements(50)) == 22  # every judged item when the window holds them all


def test_an_item_put_back_in_the_inbox_is_no_judgement(store: Store) -> None:
    store.upsert_items([paper("2611.00001")], "test", now=at(0))
    store.set_status("arxiv:2611.00001", Status.READ, now=at(1))
    store.set_status("arxiv:2611.00001", Status.NEW, now=at(2))
    assert store.latest_judgements(10) == []


def test_status_counts_agree_with_counting_each_filter(store: Store) -> None:
    store.upsert_items([paper(f"2611.{n:05d}") for n in range(7)], "test", now=at(0))
    store.upsert_items([post(guid=f"https://example.org/p{n}") for n in range(3)], "feed", now=at(0))
    store.set_status("arxiv:2611.00001", Status.READ, now=at(1))
    store.set_status("arxiv:2611.00002", Status.SKIPPED, now=at(1))
    store.set_status(store.list_items(ItemFilter(kind=Kind.POST))[0].id, Status.READ, now=at(1))
    counts = store.status_counts()
    for kind in (Kind.PAPER, Kind.POST):
        for status in Status:
            assert counts[kind][status] == store.count_items(ItemFilter(kind=kind, status=status)), (kind, status)
    assert counts[Kind.PAPER][Status.NEW] == 5 and counts[Kind.POST][Status.READ] == 1


def test_pages_hold_the_list_in_its_order(store: Store) -> None:
    store.upsert_items([paper(f"2611.{n:05d}", published=at(n % 4)) for n in range(23)], "test", now=at(0))
    store.set_status("arxiv:2611.00003", Status.READ, now=at(1))
    for flt in (ItemFilter(), ItemFilter(status=Status.NEW), ItemFilter(limit=7, offset=2)):
        pages = list(store.iter_list(flt, batch_size=5))
        assert all(len(page) <= 5 for page in pages)
        assert [item.id for page in pages for item in page] == [item.id for item in store.list_items(flt)]
