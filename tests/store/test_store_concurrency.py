"""Several processes on one store: no "database is locked" reaches anyone, and nothing is lost."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from store_helpers import paper

from kb.errors import StoreError
from kb.models import ItemFilter, SourceKind, SourceResult, Status, UpsertReport
from kb.store import Store

REPO = Path(__file__).resolve().parents[2]

WORKER = """
import sys, time
from pathlib import Path
from kb.models import FetchedItem, ItemFilter, Kind, SourceKind, SourceResult
from kb.store import Store

db, name, folder = sys.argv[1], sys.argv[2], Path(sys.argv[5])
number, rounds = int(sys.argv[3]), int(sys.argv[4])

def paper(n):
    item_id = f"arxiv:2611.{n:05d}"
    return FetchedItem(id=item_id, kind=Kind.PAPER, title=f"t{n}", summary="s", url="u", version=1)

(folder / f"ready-{name}").touch()
while not (folder / "go").exists():
    time.sleep(0.005)
with Store.open(Path(db)) as store:  # every worker opens a blank store at once: the migrations race too
    for r in range(rounds):
        own = [paper(number * 10000 + r * 10 + k) for k in range(10)]
        shared = [paper(90000 + r * 10 + k) for k in range(10)]
        report = store.upsert_items(own + shared, name)
        run = store.start_run()
        store.record_source(run, SourceResult(name, SourceKind.ARXIV_QUERY), report)
        store.finish_run(run)
        store.set_starred(own[0].id, True)
        store.set_tags(shared[r % 10].id, [name])
        store.list_items(ItemFilter(limit=20))
print("done")
"""


def test_processes_writing_at_once_lose_nothing_and_never_see_a_lock(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    db = tmp_path / ".kb" / "kb.sqlite"
    names, rounds = ["alpha", "beta", "gamma"], 30
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), str(db), name, str(n + 1), str(rounds), str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n, name in enumerate(names)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{name}").exists() for name in names):
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    (tmp_path / "go").touch()
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert "locked" not in err and "Traceback" not in err, err
        assert (worker.returncode, out.strip()) == (0, "done"), err
    with Store.open(db) as store:
        assert store.count_items(ItemFilter()) == len(names) * rounds * 10 + rounds * 10
        shared = store.list_items(ItemFilter(ids=tuple(f"arxiv:2611.{90000 + n:05d}" for n in range(rounds * 10))))
        assert len(shared) == rounds * 10 and all(set(item.sources) == set(names) for item in shared)
        assert store.count_items(ItemFilter(starred=True)) == len(names) * rounds
        assert len(store.recent_runs(limit=1000)) == len(names) * rounds
        assert sum(len(store.source_log(name, limit=1000)) for name in names) == len(names) * rounds


def _hold_write_lock(db: Path, seconds: float) -> threading.Thread:
    """Another connection takes the write lock, writes, and commits after ``seconds``."""
    taken = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE triage SET status = 'read' WHERE item_id = 'arxiv:2611.00001'")
        taken.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait()
    return thread


@pytest.fixture
def impatient(tmp_path: Path) -> Store:
    """A store that gives up waiting for a lock after 50 ms (then retries a few times)."""
    store = Store.open(tmp_path / "kb.sqlite", busy_timeout=0.05)
    store.upsert_items([paper()], "q")
    return store


def test_a_lock_held_briefly_is_waited_out_by_retrying(impatient: Store) -> None:
    holder = _hold_write_lock(impatient.path, 0.3)
    item = impatient.set_starred("arxiv:2611.00001", True)  # longer than the busy timeout: retried
    holder.join()
    assert item.starred and item.status is Status.READ  # ran after the other commit, saw it, kept it
    impatient.close()


def test_readers_are_not_blocked_by_a_writer(impatient: Store) -> None:
    holder = _hold_write_lock(impatient.path, 0.5)
    started = time.monotonic()
    assert [i.status for i in impatient.list_items(ItemFilter())] == [Status.NEW]  # the last committed state
    assert time.monotonic() - started < 0.3
    holder.join()
    impatient.close()


def test_a_lock_held_too_long_is_one_readable_error_and_loses_nothing(impatient: Store) -> None:
    run = impatient.start_run()
    holder = _hold_write_lock(impatient.path, 1.6)  # longer than the busy timeout and every retry
    with pytest.raises(StoreError, match="stayed locked by another kb process") as raised:
        impatient.record_source(run, SourceResult("q", SourceKind.FEED), UpsertReport())
    holder.join()
    assert "\n" not in str(raised.value) and raised.value.hint
    assert impatient.source_log() == []  # nothing half-written
    impatient.record_source(run, SourceResult("q", SourceKind.FEED), UpsertReport())  # works once it is free
    assert [e.source for e in impatient.source_log()] == ["q"]
    assert impatient.get_item("arxiv:2611.00001").status is Status.READ  # type: ignore[union-attr]
    impatient.close()
