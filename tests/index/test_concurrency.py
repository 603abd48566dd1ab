"""Several processes at once, kills at any moment, damaged and outdated indexes: real processes, real files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.errors import KbError
from kb.index import SearchIndex, layout

from .helpers import DOCS, ids
from .worker import doc

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("worker.py")


def start(*args: str, engine: str = "whoosh") -> subprocess.Popen[str]:
    """A worker process in its own process group (so its helpers can be found after a kill)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "KB_TEST_ENGINE": engine}
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_line(proc: subprocess.Popen[str], prefix: str) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(prefix):
            return line
    raise AssertionError(f"worker ended before printing {prefix!r}: {proc.stderr.read() if proc.stderr else ''}")


def group_gone(pgid: int, timeout: float = 5.0) -> bool:
    """True once no process of the group is left (a killed rebuild's helper exits on its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # pragma: no cover - zombies of another user
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def index(index_dir: Path, engine: str) -> Iterator[SearchIndex]:
    ix = SearchIndex.open(index_dir, procs=1, engine=engine)
    ix.rebuild([DOCS])
    yield ix
    ix.close()


@pytest.fixture
def whoosh_index(index_dir: Path) -> Iterator[SearchIndex]:
    """For what only Whoosh has (its segments' files, its refresh bug, its helper process)."""
    ix = SearchIndex.open(index_dir, procs=1, engine="whoosh")
    ix.rebuild([DOCS])
    yield ix
    ix.close()


def test_two_processes_writing_at_once_lose_nothing(
    index: SearchIndex, index_dir: Path, tmp_path: Path, engine: str
) -> None:
    go = tmp_path / "go"
    workers = [start("singles", str(index_dir), prefix, "30", str(go), engine=engine) for prefix in ("a", "b")]
    time.sleep(0.3)  # both are open and waiting
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        assert "LockError" not in err
    expected = {d.id for d in DOCS} | {f"post:{p}{n}" for p in "ab" for n in range(30)}
    assert index.ids() == expected
    assert index.search("common", limit=5).total == 60


def test_writers_in_threads_take_turns(index: SearchIndex, index_dir: Path) -> None:
    held = threading.Event()

    def hold() -> None:
        with layout.write_lock(index_dir, timeout=5):
            held.set()
            time.sleep(0.4)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    started = time.monotonic()
    index.update([doc("t", 1)])  # waits for the holder instead of failing
    assert time.monotonic() - started >= 0.3
    holder.join()
    assert "post:t1" in index.ids()


def test_searching_goes_on_while_an_update_waits_for_the_lock(index: SearchIndex, index_dir: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with layout.write_lock(index_dir, timeout=5):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    waiting = threading.Thread(target=index.update, args=([doc("w", 1)],))
    waiting.start()  # blocked on the index's lock, as behind another process's reindex
    time.sleep(0.1)
    started = time.monotonic()
    assert ids(index, "scholkopf")
    assert time.monotonic() - started < 1.0
    release.set()
    holder.join()
    waiting.join()
    assert "post:w1" in index.ids()


def test_a_writer_that_cannot_get_the_lock_says_so(index_dir: Path, index: SearchIndex, engine: str) -> None:
    impatient = SearchIndex.open(index_dir, lock_timeout=0.2, engine=engine)
    with layout.write_lock(index_dir, timeout=5), pytest.raises(KbError, match="busy"):
        impatient.update([doc("x", 1)])
    impatient.close()


@pytest.mark.slow
def test_killed_at_any_moment_while_committing(index_dir: Path, whoosh_index: SearchIndex) -> None:
    index = whoosh_index
    base = {d.id for d in DOCS}
    torn = 0  # kills that left a half-written segment behind: proof they hit a commit
    for delay in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45):
        worker = start("batches", str(index_dir), f"k{delay}-", "400")
        wait_for_line(worker, "done 0")  # one batch is in; the next one is being written
        wait_for_line(worker, "start 1")
        time.sleep(delay)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        torn += _half_written(index_dir)
        with SearchIndex.open(index_dir, engine="whoosh") as after:
            if after.needs_rebuild:
                continue  # allowed, though a commit is atomic and this should not happen
            found = after.ids()
            assert base <= found
            assert (len(found) - len(base)) % 400 == 0  # whole batches or nothing
            assert after.search("common", limit=3).total == len(found) - len(DOCS)
        base = found
    index.update([doc("after", 1)])  # and writing still works
    assert "post:after1" in index.ids()
    assert torn >= 1, "no kill landed inside a commit"


def _half_written(index_dir: Path) -> bool:
    # Whoosh writes a segment's pieces, then joins them into one .seg file; pieces mean "killed mid-commit".
    gen = index_dir / json.loads((index_dir / layout.POINTER).read_text())["generation"]
    return any(p.suffix in (".pst", ".trm", ".col") for p in gen.iterdir())


@pytest.mark.slow
def test_a_killed_rebuild_leaves_the_old_index_in_use(index_dir: Path, index: SearchIndex, engine: str) -> None:
    for _ in range(2):  # two interrupted rebuilds: their half-built generations must not accumulate
        worker = start("rebuild", str(index_dir), "6000", "2", "0.5", engine=engine)
        wait_for_line(worker, "progress 4500")  # Whoosh's helper process is indexing by now
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert group_gone(worker.pid), "the rebuild's helper process outlived it"
        assert len(layout.generations(index_dir)) == 2  # the live one and the half-built one
        with SearchIndex.open(index_dir, engine=engine) as after:  # opening alone cleans up
            assert layout.generations(index_dir) == [layout.read_pointer(index_dir).generation]  # type: ignore[union-attr]
            assert not after.needs_rebuild
            assert after.ids() == {d.id for d in DOCS}
    index.update([doc("next", 1)])
    assert index.doc_count() == len(DOCS) + 1


@pytest.mark.slow
def test_a_two_process_rebuild_in_a_subprocess(index_dir: Path, whoosh_index: SearchIndex) -> None:
    index = whoosh_index
    worker = start("rebuild", str(index_dir), "3000", "2")
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert "rebuilt" in out
    assert index.doc_count() == 3000  # the open reader follows the new generation
    assert index.segments() == 2  # one segment from each process
    assert index.search("common", limit=1).total == 3000
    assert len({h.id for h in index.search("graph", limit=3000).hits}) == index.search("graph").total


def test_readers_follow_a_rebuild_and_old_generations_go(index_dir: Path, index: SearchIndex, engine: str) -> None:
    assert ids(index, "scholkopf")  # a searcher is open on the first generation
    with SearchIndex.open(index_dir, engine=engine) as other:
        other.rebuild([[doc("new", n) for n in range(5)]])
    assert index.ids() == {f"post:new{n}" for n in range(5)}
    assert ids(index, "scholkopf") == set()
    with SearchIndex.open(index_dir, engine=engine) as other:
        other.update([doc("new", 6)])  # nobody reads the first generation now: it is removed
    assert len([p for p in index_dir.iterdir() if p.is_dir()]) == 1


def test_refresh_bug_regression_merging_commits(index_dir: Path, whoosh_index: SearchIndex) -> None:
    """whoosh-reloaded 2.7.5's Searcher.refresh() returns duplicated or stale documents after commits that
    merge segments; kb reopens its searcher instead. Many small commits here force merges."""
    index = whoosh_index
    assert index.doc_count() == len(DOCS)  # cache a searcher before the commits
    with SearchIndex.open(index_dir) as writer:
        for n in range(25):
            writer.update([doc("m", n), doc("m", n // 2)])  # adds, and replaces an earlier one
            assert index.doc_count() == len(DOCS) + n + 1
    expected = {d.id for d in DOCS} | {f"post:m{n}" for n in range(25)}
    assert index.ids() == expected
    hits = index.search("common", limit=100).hits
    assert len(hits) == len({h.id for h in hits}) == 25
    segments = index.segments()  # the commits were merged, or the test proves nothing
    assert segments < 25


def test_schema_version_mismatch_needs_rebuild(index_dir: Path, index: SearchIndex, engine: str) -> None:
    index.close()
    pointer = json.loads((index_dir / layout.POINTER).read_text())
    (index_dir / layout.POINTER).write_text(json.dumps({**pointer, "schema": 0}))
    with SearchIndex.open(index_dir, engine=engine) as old:
        assert old.needs_rebuild
        assert old.search("attention").total == 0  # never answers from a schema it does not know
        old.rebuild([DOCS])
        assert not old.needs_rebuild
        assert ids(old, "attention")


@pytest.mark.parametrize("damage", ["pointer", "toc", "segment", "no-generation"])
def test_damaged_index_needs_rebuild_and_never_raises(
    index_dir: Path, index: SearchIndex, damage: str, engine: str
) -> None:
    index.close()
    gen = index_dir / json.loads((index_dir / layout.POINTER).read_text())["generation"]
    if damage == "pointer":
        (index_dir / layout.POINTER).write_text("{not json")
    elif damage == "toc":  # the file that lists the segments
        for toc in [*gen.glob("_MAIN_*.toc"), *gen.glob("meta.json")]:
            toc.write_bytes(b"\x00garbage")
    elif damage == "segment":
        for seg in [*gen.glob("*.seg"), *gen.glob("*.store"), *gen.glob("*.idx")]:
            seg.write_bytes(seg.read_bytes()[:100])
    else:
        for path in gen.iterdir():
            path.unlink()
        gen.rmdir()
    with SearchIndex.open(index_dir, engine=engine) as broken:
        assert broken.needs_rebuild
        assert broken.search("attention").total == 0
        assert broken.rebuild([DOCS]) == len(DOCS)
        assert not broken.needs_rebuild
        assert ids(broken, "attention")


def test_an_index_folder_removed_while_open_is_recreated(index_dir: Path, index: SearchIndex) -> None:
    import shutil

    assert ids(index, "attention")
    shutil.rmtree(index_dir)
    assert index.needs_rebuild
    assert index.search("attention").total == 0
    index.update([doc("back", 1)])
    assert index.ids() == {"post:back1"}
    assert index.needs_rebuild  # until the library rebuilds it from the store


def test_a_rebuild_from_a_threaded_process_stays_in_one_process(index_dir: Path, whoosh_index: SearchIndex) -> None:
    import multiprocessing

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # like a TUI's event loop beside the worker
    other.start()
    try:
        with SearchIndex.open(index_dir, procs=2, engine="whoosh") as ix:
            assert ix.rebuild([[doc("th", n) for n in range(2500)]]) == 2500  # past the serial start
            assert not multiprocessing.active_children()
            assert ix.search("common", limit=1).total == 2500
    finally:
        stop.set()
        other.join()
