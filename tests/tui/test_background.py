"""The writer queues: order kept, failures delivered, exit never hangs on the index; triage with undo."""

from __future__ import annotations

import threading
import time

import pytest

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.background import Background, SerialQueue
from kb.tui.triage import Triage


def test_jobs_run_in_order_and_failures_reach_the_future() -> None:
    serial = SerialQueue("test")
    seen: list[int] = []
    futures = [serial.submit(lambda n=n: seen.append(n)) for n in range(50)]  # type: ignore[misc]
    failing = serial.submit(lambda: 1 / 0)
    assert serial.close(5)
    assert seen == list(range(50)) and all(f.done() for f in futures)
    with pytest.raises(ZeroDivisionError):
        failing.result()


def test_closing_gives_a_stuck_index_job_only_the_wait_it_was_given() -> None:
    background = Background()
    release = threading.Event()
    background.index(lambda: release.wait(10))
    background.store(lambda: time.sleep(0.05))
    started = time.monotonic()
    background.close_store()
    assert not background.close_index(wait=0.2)
    assert time.monotonic() - started < 2
    release.set()


class Inbox:
    """A stand-in message target that records what the triage posts (the app is not needed here)."""

    def __init__(self) -> None:
        self.messages: list[object] = []

    def post_message(self, message: object) -> bool:
        self.messages.append(message)
        return True


def test_triage_is_stored_in_order_and_undone(library: Library) -> None:
    target = Inbox()
    background = Background()
    triage = Triage(library, background, target)  # type: ignore[arg-type]
    first, second = library.list_items(ItemFilter(status=Status.NEW, limit=2))
    shown = triage.apply(first, status=Status.READ)
    assert shown.status is Status.READ  # at once, before the store thread ran
    triage.apply(shown, starred=True)
    triage.apply(second, tags=["B", " a ", "b"])
    assert triage.undo() is not None  # the tags
    background.close_store()
    assert library.get_item(first.id).status is Status.READ and library.get_item(first.id).starred
    assert library.get_item(second.id).tags == ()
    stored = [m for m in target.messages if isinstance(m, Triage.Stored)]
    assert [m.item.id for m in stored] == [first.id, first.id, second.id, second.id]
    assert stored[2].item.tags == ("a", "b")
    triage.flush_index()  # one index job for everything triaged
    assert background.close_index(30)
    assert first.id in {hit.id for hit in library.search("status:read is:starred", limit=200).hits}


def test_triage_waits_in_the_store_queue_until_the_index_catches_up(library: Library) -> None:
    def skipped() -> set[str]:
        return {hit.id for hit in library.search("status:skipped", limit=500).hits}

    background = Background()
    triage = Triage(library, background, Inbox())  # type: ignore[arg-type]
    item = library.list_items(ItemFilter(status=Status.NEW, limit=1))[0]
    assert item.id not in skipped()  # (the index is open from here on: nothing catches up behind the test's back)
    triage.apply(item, status=Status.SKIPPED)
    background.close_store()
    assert library.index_backlog() == 1  # stored, and queued for the index in the same transaction
    assert item.id not in skipped()
    triage.flush_index()
    assert background.close_index(30)
    assert library.index_backlog() == 0
    assert item.id in skipped()
