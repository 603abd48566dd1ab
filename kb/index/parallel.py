"""A bulk writer that indexes in this process and one helper process at once (two processes in all).

Whoosh's own multiprocessing writer sends every document to ``procs`` children while the parent only
pickles, i.e. three busy processes for two workers. Here the parent indexes some batches itself and one
child the rest (the parent also reads, prepares and pickles the child's); each finishes its own segment and
the two are listed together in one commit. Which process takes a batch is decided as it starts: the helper
while its queue has room, else the parent. A fixed share (two batches in five, as before) kept each process
waiting for the other about a quarter of the time at a million documents: the parent blocked on a full queue,
then the helper on an empty one.

The child is forked, which is only safe in a process with a single thread: ``can_fork()`` says so, and
kb.index falls back to one process otherwise (a TUI's worker thread). Spawning instead would re-run the
caller's main script in the child. The child exits by itself when its parent dies, so a killed rebuild
leaves no orphan behind. Small rebuilds never start it: the first ``serial_first`` documents are indexed
in this process alone.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from kb.index.bulk import BulkCodec, bulk_writer, speed_up
from kb.index.document import Prepared
from kb.index.schema import to_fields

#: Memory for each process's posting buffer, in MB (runs beyond it spill to disk).
LIMITMB = 256
_FORK = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def can_fork() -> bool:
    """Whether a helper process can be forked safely: fork exists and this process has one thread."""
    return _FORK is not None and threading.active_count() == 1


class _Helper(SubWriterTask):
    """Whoosh's sub-writer process, forked, watching its parent, writing with kb's faster pool."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        assert _FORK is not None
        return _FORK.Process._Popen(process_obj)

    def run(self) -> None:
        threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
        ix = self.storage.open_index(self.indexname)
        # _lk=False: the parent holds the index's lock for both of us.
        self.writer = bulk_writer(ix, _lk=False, **self.kwargs)
        while (job := self.jobqueue.get()) is not None:
            self._process_file(*job)
        fieldnames = self.writer.pool.fieldnames
        segment = self.writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=60)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class PairWriter(MpWriter):
    """Index batches here and in one forked helper; commit both segments together."""

    def __init__(self, ix: Any, limitmb: int, serial_first: int = 2000, batchsize: int = 250) -> None:
        super().__init__(
            ix,
            procs=1,
            batchsize=batchsize,
            subargs={"limitmb": limitmb},
            multisegment=True,
            limitmb=limitmb,
            codec=BulkCodec(),
        )
        speed_up(self, limitmb)
        assert _FORK is not None
        self.jobqueue = _FORK.Queue(4)
        self.resultqueue = _FORK.Queue()
        self.serial_first = serial_first
        self.count = 0
        self.to_helper = False

    def _new_task(self) -> Any:
        task = _Helper(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True)
        task.daemon = True
        self.tasks.append(task)
        task.start()
        return task

    def add_document(self, **fields: Any) -> None:
        self.count += 1
        if self.count <= self.serial_first:
            SegmentWriter.add_document(self, **fields)
            return
        if (self.count - self.serial_first - 1) % self.batchsize == 0:
            # A batch starts: the helper's while it has room for it (only this process fills its queue, so
            # the batch's put never waits), else this process's (the helper is busy with four already).
            self.to_helper = not self.jobqueue.full()
        if self.to_helper:
            MpWriter.add_document(self, **fields)
        else:
            SegmentWriter.add_document(self, **fields)

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        # Finish our own segment while the helper finishes its own, then collect it.
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        for task in self.tasks:
            segments.append(self._result_of(task)[2])
            task.join()
        self._commit_toc(segments)
        self._finish()

    def _result_of(self, task: Any) -> Any:
        while True:
            try:
                return self.resultqueue.get(timeout=1.0)
            except queue.Empty:
                if not task.is_alive() and self.resultqueue.empty():
                    raise RuntimeError(f"the indexing helper died (exit code {task.exitcode})") from None

    def cancel(self) -> None:
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
        SegmentWriter.cancel(self)


def write_all(
    ix: Any, batches: Iterable[Sequence[Prepared]], progress: Callable[[int], None] | None, procs: int
) -> int:
    """Index every document of ``batches`` into the empty index ``ix`` in one commit; returns how many.

    Two processes only where forking is safe (a single thread): a TUI's worker thread indexes alone.
    """
    parallel = procs > 1 and can_fork()
    writer = PairWriter(ix, limitmb=LIMITMB) if parallel else bulk_writer(ix, limitmb=LIMITMB)
    written = 0
    try:
        for batch in batches:
            for doc in batch:
                writer.add_document(**to_fields(doc))
            written += len(batch)
            if progress is not None:
                progress(written)
        writer.commit()
    except BaseException:
        # A commit that failed half-way (a full disk) leaves whoosh's files closed, and its cancel() then fails
        # on them; the first error is the one to report, and the unfinished generation is removed on next open.
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    return written
