"""Triage setters and their timestamps; tags; reading items back by id and in batches."""

from __future__ import annotations

import pytest
from store_helpers import T0, at, paper, post

from kb.errors import NotFound, UsageError
from kb.models import Status
from kb.store import Store

ID = "arxiv:2611.00001"


@pytest.fixture
def stored(store: Store) -> Store:
    store.upsert_items([paper()], "cs.LG", now=T0)
    return store


def test_set_status_records_when_it_changed(stored: Store) -> None:
    item = stored.set_status(ID, Status.READ, now=at(1))
    assert (item.status, item.status_changed) == (Status.READ, at(1))
    item = stored.set_status(ID, Status.READ, now=at(2))  # no change: the time stays
    assert item.status_changed == at(1)
    item = stored.set_status(ID, "skipped", now=at(3))  # type: ignore[arg-type]  # a CLI passes text
    assert (item.status, item.status_changed) == (Status.SKIPPED, at(3))
    assert (item.starred_changed, item.tags_changed) == (None, None)


def test_set_starred_records_when_it_changed(stored: Store) -> None:
    assert stored.set_starred(ID, True, now=at(1)).starred_changed == at(1)
    assert stored.set_starred(ID, True, now=at(2)).starred_changed == at(1)
    item = stored.set_starred(ID, False, now=at(3))
    assert (item.starred, item.starred_changed, item.status_changed) == (False, at(3), None)


def test_tags_are_normalised_and_their_change_time_recorded(stored: Store) -> None:
    item = stored.set_tags(ID, ["  Transformers ", "ml", "ML", "", "  ", "attention"], now=at(1))
    assert (item.tags, item.tags_changed) == (("attention", "ml", "transformers"), at(1))
    assert stored.set_tags(ID, ["ML", "attention", "transformers"], now=at(2)).tags_changed == at(1)
    item = stored.set_tags(ID, "Single", now=at(3))  # one tag, not six letters
    assert (item.tags, item.tags_changed) == (("single",), at(3))
    assert stored.set_tags(ID, [], now=at(4)).tags == ()


def test_all_tags_counts_items_per_tag(stored: Store) -> None:
    stored.upsert_items([paper("2611.00002"), post()], "x", now=T0)
    stored.set_tags(ID, ["b", "a"])
    stored.set_tags("arxiv:2611.00002", ["b"])
    assert stored.all_tags() == [("a", 1), ("b", 2)]


def test_editing_an_unknown_item_is_not_found(stored: Store) -> None:
    for edit in (
        lambda: stored.set_status("arxiv:2611.09999", Status.READ),
        lambda: stored.set_starred("arxiv:2611.09999", True),
        lambda: stored.set_tags("arxiv:2611.09999", ["x"]),
    ):
        with pytest.raises(NotFound, match=r"no item arxiv:2611\.09999"):
            edit()
    assert stored.all_tags() == []


def test_an_unknown_status_is_a_usage_error_naming_the_valid_ones(stored: Store) -> None:
    with pytest.raises(UsageError, match="unknown status 'done'") as raised:
        stored.set_status(ID, "done")  # type: ignore[arg-type]
    assert raised.value.hint == "use one of: new, read, skipped"


def test_get_items_keeps_the_given_order_and_omits_missing(stored: Store) -> None:
    stored.upsert_items([paper("2611.00002"), paper("2611.00003")], "q", now=T0)
    ids = ["arxiv:2611.00003", "arxiv:2611.09999", ID, "arxiv:2611.00002"]
    assert [i.id for i in stored.get_items(ids)] == ["arxiv:2611.00003", ID, "arxiv:2611.00002"]
    assert stored.get_items([]) == []
    assert stored.get_item("arxiv:2611.09999") is None


def test_iter_items_yields_everything_in_batches(store: Store) -> None:
    store.upsert_items([paper(f"2611.{n:05d}") for n in range(2500)], "q", now=T0)
    store.upsert_items([post(guid=f"https://example.org/{n}") for n in range(7)], "blog", now=T0)
    store.ensure_papers(["arxiv:2001.00001"])
    batches = list(store.iter_items(batch_size=1000))
    assert [len(b) for b in batches] == [1000, 1000, 508]
    ids = [item.id for batch in batches for item in batch]
    assert len(set(ids)) == 2508 and ids == sorted(ids)
    assert all(item.authors and item.sources for batch in batches for item in batch if item.has_metadata)
    assert sum(not item.has_metadata for batch in batches for item in batch) == 1
