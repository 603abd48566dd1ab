"""The index's queue (kb.store.pending): written in the transaction of every change the index holds."""

from __future__ import annotations

import sqlite3

import pytest

from kb.errors import NotFound
from kb.models import Note, Status, TriageChange
from kb.store import Store, upsert
from kb.store.exchange import TriageRecord
from kb.store.pending import DELETE, UPDATE
from tests.store.store_helpers import T0, at, paper, post


def rows(store: Store) -> list[tuple[str, str]]:
    """The queue as it stands, oldest first, read with sqlite3 alone."""
    with sqlite3.connect(store.path) as conn:
        return [(doc_id, op) for doc_id, op in conn.execute("SELECT doc_id, op FROM index_pending ORDER BY seq")]


def drain(store: Store) -> None:
    store.clear_index_backlog(store.index_position())


def test_a_fetched_batch_queues_its_new_and_updated_items(store: Store) -> None:
    store.upsert_items([paper("2611.00001"), post()], "s", now=T0)
    assert sorted(rows(store)) == sorted([("arxiv:2611.00001", UPDATE), (post().id, UPDATE)])
    drain(store)
    store.upsert_items([paper("2611.00001", version=2), paper("2611.00002")], "s", now=at(1))
    assert sorted(rows(store)) == [("arxiv:2611.00001", UPDATE), ("arxiv:2611.00002", UPDATE)]
    drain(store)
    store.upsert_items([paper("2611.00001", version=2)], "s", now=at(2))  # nothing changed
    assert rows(store) == []


def test_an_item_seen_in_another_source_is_queued_for_its_sources(store: Store) -> None:
    store.upsert_items([paper("2611.00001")], "rss", now=T0)
    drain(store)
    store.upsert_items([paper("2611.00001")], "rss", now=at(1))
    assert rows(store) == []
    store.upsert_items([paper("2611.00001")], "a search", now=at(2))
    assert rows(store) == [("arxiv:2611.00001", UPDATE)]


def test_a_transaction_that_fails_writes_neither_the_items_nor_their_queue_rows(store: Store) -> None:
    def store_then_fail(conn: object) -> None:
        upsert.upsert_items(conn, [paper("2611.00001")], "s", T0)  # type: ignore[arg-type]
        raise RuntimeError("killed half way")

    with pytest.raises(RuntimeError):
        store._db.write(store_then_fail)  # the transaction every Store write uses
    assert store.get_item("arxiv:2611.00001") is None
    assert rows(store) == []


def test_one_triage_change_is_one_transaction_with_one_queue_row(store: Store) -> None:
    store.upsert_items([paper("2611.00001")], "s", now=T0)
    drain(store)
    change = TriageChange(status=Status.READ, starred=True, tags=(" B", "a", "b"))
    item = store.set_triage("arxiv:2611.00001", change, now=at(1))
    assert (item.status, item.starred, item.tags) == (Status.READ, True, ("a", "b"))
    assert item.status_changed == item.starred_changed == item.tags_changed == at(1)
    assert rows(store) == [("arxiv:2611.00001", UPDATE)]
    drain(store)
    store.set_triage("arxiv:2611.00001", change, now=at(2))  # the same state again: nothing to tell
    assert rows(store) == []
    with pytest.raises(NotFound):
        store.set_triage("arxiv:9999.99999", change)
    assert rows(store) == []


def test_imports_and_alerts_queue_the_items_whose_status_they_change(store: Store) -> None:
    store.upsert_items([paper("2611.00001"), paper("2611.00002")], "s", now=T0)
    store.set_status("arxiv:2611.00002", Status.READ, now=at(1))
    drain(store)
    merged = store.merge_triage([TriageRecord("arxiv:2611.00001", Status.SKIPPED, at(2))])
    assert merged.changed == ("arxiv:2611.00001",) and rows(store) == [("arxiv:2611.00001", UPDATE)]
    drain(store)
    store.set_alerts({"arxiv:2611.00002": "v1 -> v2"}, now=at(3))
    assert rows(store) == [("arxiv:2611.00002", UPDATE)]


def test_notes_are_queued_with_the_papers_whose_has_note_flag_flips(store: Store) -> None:
    store.upsert_items([paper("2611.00001"), paper("2611.00002")], "s", now=T0)
    drain(store)
    store.save_notes([Note("a.md", "A", "", papers=("arxiv:2611.00001",))])
    assert rows(store) == [("note:a.md", UPDATE), ("arxiv:2611.00001", UPDATE)]
    drain(store)
    store.save_notes([Note("b.md", "B", "", papers=("arxiv:2611.00001",))])  # already noted: no flip
    assert rows(store) == [("note:b.md", UPDATE)]
    drain(store)
    store.save_notes([Note("a.md", "A", "", papers=("arxiv:2611.00002",))])  # 00001 still noted by b.md
    assert rows(store) == [("note:a.md", UPDATE), ("arxiv:2611.00002", UPDATE)]
    drain(store)
    store.delete_notes(["b.md"])
    assert rows(store) == [("note:b.md", DELETE), ("arxiv:2611.00001", UPDATE)]


def test_a_note_is_queued_when_a_paper_it_links_gets_its_title(store: Store) -> None:
    store.update_notes([Note("a.md", "A", "", papers=("arxiv:2611.00001",))], [], now=T0)  # a placeholder paper
    assert ("arxiv:2611.00001", UPDATE) in rows(store)
    drain(store)
    store.upsert_items([paper("2611.00001")], "s", now=at(1))  # the placeholder filled: its title is in a.md's doc
    assert rows(store) == [("arxiv:2611.00001", UPDATE), ("note:a.md", UPDATE)]


def test_the_backlog_folds_ids_and_clearing_spares_rows_written_after_the_read(store: Store) -> None:
    store.upsert_items([paper("2611.00001"), paper("2611.00002")], "s", now=T0)
    store.set_starred("arxiv:2611.00001", True, now=at(1))
    store.delete_notes([])  # nothing: no rows
    backlog = store.index_backlog()
    assert backlog.updates == ("arxiv:2611.00002", "arxiv:2611.00001") and backlog.deletes == ()
    assert backlog.upto == store.index_position()
    store.set_starred("arxiv:2611.00002", True, now=at(2))  # written after the read
    assert store.clear_index_backlog(backlog.upto) == 3
    assert rows(store) == [("arxiv:2611.00002", UPDATE)]
    assert store.index_backlog_size() == 1


def test_a_bounded_read_reaches_only_as_far_as_its_rows(store: Store) -> None:
    store.upsert_items([paper(f"2611.{n:05d}") for n in range(1, 6)], "s", now=T0)
    first = store.index_backlog(limit=2)
    assert len(first.updates) == 2 and first.upto < store.index_position()
    store.clear_index_backlog(first.upto)
    assert store.index_backlog_size() == 3


def test_positions_are_never_reused_after_the_queue_empties(store: Store) -> None:
    store.upsert_items([paper("2611.00001")], "s", now=T0)
    covered = store.index_position()
    drain(store)
    assert store.index_position() == 0  # empty
    store.set_starred("arxiv:2611.00001", True, now=at(1))
    assert store.index_backlog().upto > covered  # a rebuild that recorded `covered` cannot clear this row
