"""Store.merge_triage on real SQLite files: per item and per field the newer change wins."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.models import Item, Status
from kb.store import Store
from kb.store.exchange import TriageRecord

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
IDS = ["arxiv:1706.03762", "arxiv:2005.14165", "arxiv:hep-th/9901001"]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def record(item: Item) -> TriageRecord:
    return TriageRecord(
        item.id, item.status, item.status_changed, item.starred, item.starred_changed, item.tags, item.tags_changed
    )


def triage(store: Store, ids: list[str] = IDS) -> dict[str, tuple[object, ...]]:
    return {
        i.id: (i.status, i.status_changed, i.starred, i.starred_changed, i.tags, i.tags_changed)
        for i in store.get_items(ids)
    }


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "kb.sqlite") as opened:
        opened.ensure_papers(IDS, now=T0)
        yield opened


def test_a_newer_change_wins_field_by_field(store: Store) -> None:
    store.set_status(IDS[0], Status.READ, now=at(10))
    store.set_starred(IDS[0], True, now=at(10))
    store.set_tags(IDS[0], ["mine"], now=at(30))
    theirs = TriageRecord(
        IDS[0], Status.SKIPPED, at(20), False, at(5), ("theirs",), at(20)
    )  # newer status, older star, older tags
    merged = store.merge_triage([theirs])
    item = store.get_item(IDS[0])
    assert item is not None
    assert (item.status, item.status_changed) == (Status.SKIPPED, at(20))
    assert (item.starred, item.starred_changed) == (True, at(10))
    assert (item.tags, item.tags_changed) == (("mine",), at(30))
    assert (merged.changed, merged.status, merged.starred, merged.tags) == ((IDS[0],), 1, 0, 0)


def test_a_field_that_never_changed_never_wins(store: Store) -> None:
    store.set_status(IDS[1], Status.READ, now=at(1))
    merged = store.merge_triage([TriageRecord(IDS[1], Status.NEW, None, True, None, ("x",), None)])
    item = store.get_item(IDS[1])
    assert item is not None and item.status is Status.READ and not item.starred and item.tags == ()
    assert merged.changed == ()


def test_tags_replace_whole_and_are_normalised(store: Store) -> None:
    store.set_tags(IDS[2], ["a", "b"], now=at(1))
    store.merge_triage([TriageRecord(IDS[2], tags=(" Zeta", "alpha", "ALPHA"), tags_changed=at(2))])
    item = store.get_item(IDS[2])
    assert item is not None and item.tags == ("alpha", "zeta") and item.tags_changed == at(2)


def test_unknown_ids_are_reported_and_nothing_else_changes(store: Store) -> None:
    before = triage(store)
    merged = store.merge_triage([TriageRecord("arxiv:9999.99999", Status.READ, at(1))])
    assert merged.missing == ("arxiv:9999.99999",) and merged.changed == ()
    assert triage(store) == before


def test_merging_the_same_records_twice_changes_nothing_the_second_time(store: Store) -> None:
    records = [TriageRecord(i, Status.READ, at(n), True, at(n), ("t",), at(n)) for n, i in enumerate(IDS)]
    assert len(store.merge_triage(records).changed) == 3
    after = triage(store)
    assert store.merge_triage(records).changed == ()
    assert triage(store) == after


moments = st.one_of(st.none(), st.integers(0, 5).map(at))
states = st.tuples(
    st.sampled_from(list(Status)), moments, st.booleans(), moments, st.sets(st.sampled_from("abc")), moments
)


State = tuple[Status, datetime | None, bool, datetime | None, set[str], datetime | None]


def _apply(store: Store, item_id: str, state: State) -> None:
    status, status_at, starred, starred_at, tags, tags_at = state
    if status_at is not None:
        store.set_status(item_id, status, now=status_at)
    if starred_at is not None:
        store.set_starred(item_id, starred, now=starred_at)
    if tags_at is not None:
        store.set_tags(item_id, sorted(tags), now=tags_at)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    """Two stores shared by the examples (each example uses a paper of its own): opening one costs ~50 ms."""
    folder = tmp_path_factory.mktemp("merge")
    with Store.open(folder / "a.sqlite") as a, Store.open(folder / "b.sqlite") as b:
        yield a, b


_serial = itertools.count(1)


@settings(max_examples=40)
@given(ours=states, theirs=states)
def test_merging_either_way_converges_and_is_idempotent(pair: tuple[Store, Store], ours: State, theirs: State) -> None:
    a, b = pair
    ids = [f"arxiv:2601.{next(_serial):05d}"]
    for store, state in ((a, ours), (b, theirs)):
        store.ensure_papers(ids, now=T0)
        _apply(store, ids[0], state)
    from_a = [record(i) for i in a.get_items(ids)]
    from_b = [record(i) for i in b.get_items(ids)]
    a.merge_triage(from_b)
    b.merge_triage(from_a)
    assert triage(a, ids) == triage(b, ids)  # nothing lost either way: both hold the newer of each field
    settled = triage(a, ids)
    assert a.merge_triage(from_b).changed == () and triage(a, ids) == settled
