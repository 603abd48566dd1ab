"""The index kept in step through the store's queue: caught up after writes and on opening, cleared by a rebuild.

Other processes are played by a second Store on the same SQLite file (what a cron fetch or a CLI triage writes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.library import Library, init_workspace
from kb.models import Status, TriageChange
from kb.store import Store
from tests.store.store_helpers import paper


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder)
    with Library.open(folder) as library:
        library.reindex()
    return folder


@pytest.fixture
def other(root: Path) -> Iterator[Store]:
    """Another process's store connection."""
    with Store.open(root / ".kb" / "kb.sqlite") as store:
        yield store


def found(library: Library, query: str) -> set[str]:
    return {hit.id for hit in library.search(query, limit=500).hits}


def rebuilds(root: Path) -> list[str]:
    return [line for line in (root / ".kb" / "kb.log").read_text().splitlines() if "rebuild start" in line]


def test_opening_the_index_catches_up_with_what_another_process_stored(root: Path, other: Store) -> None:
    other.upsert_items([paper("2611.00001", title="Zyzzyva lemmas")], "s")
    with Library.open(root) as library:
        assert library.index_backlog() == 1
        assert found(library, "zyzzyva") == {"arxiv:2611.00001"}
        assert library.index_backlog() == 0
    assert len(rebuilds(root)) == 1 and "(asked)" in rebuilds(root)[0]  # the fixture's reindex only


def test_triage_is_indexed_at_once_or_left_queued_for_a_later_catch_up(root: Path, other: Store) -> None:
    other.upsert_items([paper("2611.00001"), paper("2611.00002")], "s")
    with Library.open(root) as library:
        library.catch_up_index()
        library.set_triage("arxiv:2611.00001", TriageChange(status=Status.READ, starred=True, tags=("Rl",)))
        assert found(library, "status:read is:starred tag:rl") == {"arxiv:2611.00001"}
        library.set_triage("arxiv:2611.00002", TriageChange(status=Status.SKIPPED), catch_up=False)
        assert library.index_backlog() == 1 and found(library, "status:skipped") == set()
        assert library.catch_up_index() == 1
        assert found(library, "status:skipped") == {"arxiv:2611.00002"} and library.index_backlog() == 0


def test_a_rebuild_clears_what_it_covers_and_keeps_what_came_meanwhile(root: Path, other: Store) -> None:
    other.upsert_items([paper(f"2611.{n:05d}") for n in range(1, 4)], "s")
    with Library.open(root) as library:
        assert library.index_backlog() == 3

        def meanwhile(_done: int) -> None:  # another process triages while the rebuild runs
            other.set_status("arxiv:2611.00003", Status.READ)

        library.reindex(meanwhile)
        assert library.index_backlog() == 0
        assert found(library, "kind:paper") == {f"arxiv:2611.{n:05d}" for n in range(1, 4)}
        assert found(library, "status:read") == {"arxiv:2611.00003"}


def test_a_deleted_note_leaves_the_index_and_its_paper_loses_has_note(root: Path, other: Store) -> None:
    other.upsert_items([paper("2611.00001"), paper("2611.00002")], "s")
    with Library.open(root) as library:
        library.save_note("a.md", "---\ntitle: A\n---\nSee [[arxiv:2611.00001]].\n", None)
        assert "note:a.md" in found(library, "kind:note")
        assert found(library, "has:note") == {"arxiv:2611.00001"}
        text, snapshot = library.read_note("a.md")
        library.save_note("a.md", text.replace("2611.00001", "2611.00002"), snapshot)  # the link moves
        assert found(library, "has:note") == {"arxiv:2611.00002"}
        (root / "notes" / "a.md").unlink()
        library.sync_notes()
        assert "note:a.md" not in found(library, "kind:note")
        assert found(library, "has:note") == set()
        assert library.index_backlog() == 0


def test_a_fetched_title_reaches_the_notes_that_link_the_paper(root: Path, other: Store) -> None:
    with Library.open(root) as library:
        library.save_note("a.md", "Links [[arxiv:2611.00001]].\n", None)  # the paper: a placeholder
        assert found(library, "kind:note zyzzyva") == set()
    other.upsert_items([paper("2611.00001", title="Zyzzyva lemmas")], "s")
    with Library.open(root) as library:
        assert found(library, "kind:note zyzzyva") == {"note:a.md"}
