"""The threads that write for the app: the store and the search index each get one, so writes keep their order.

Triage must be stored the moment it is made, yet a store write can wait on a cron fetch's transaction and an
index commit can take a second: neither may freeze the screen. Each goes to its own single-thread queue (the
store's never waits behind the index's). ``index_gate`` serialises every use of the index from this process
(warm-up, searches, updates, note sync), because the library opens the index lazily and is not built for two
threads opening it at once.

On the way out the store queue is always finished. The index queue is given a few seconds: a first-time
rebuild of a large index can take minutes, and quitting must not hang on a cache. Nothing is lost by quitting
early: every store write queued its index work in the store (kb.store.pending), and the next kb command that
opens the index catches up.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds the app waits, when quitting, for index work still queued.
INDEX_EXIT_WAIT = 5.0


class SerialQueue:
    """Jobs run one at a time, in order, on one daemon thread (so an unfinished job never blocks exit)."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def _run(self) -> None:
        while (entry := self._jobs.get()) is not None:
            job, future = entry
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # delivered to whoever waits on the future
                future.set_exception(error)

    def close(self, timeout: float | None = None) -> bool:
        """Stop after the queued jobs; wait up to ``timeout`` seconds (None: until done). True when done."""
        self._jobs.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()


class Background:
    """Two ordered writer queues and the index gate, shared by the whole app."""

    def __init__(self) -> None:
        self._store = SerialQueue("kb-store")
        self._index = SerialQueue("kb-index")
        self.index_gate = threading.RLock()
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def store(self, job: Callable[[], T]) -> Future[T]:
        """Run ``job`` on the store writer, after every store job submitted before it."""
        return self._track(self._store.submit(job))

    def index(self, job: Callable[[], T]) -> Future[T]:
        """Run ``job`` on the index writer, holding the index gate."""

        def gated() -> T:
            with self.index_gate:
                return job()

        return self._track(self._index.submit(gated))

    def _track(self, future: Future[T]) -> Future[T]:
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    @property
    def busy(self) -> bool:
        """True while a write is queued or running."""
        with self._lock:
            return bool(self._pending)

    async def settle(self) -> None:
        """Wait (without blocking the event loop) until every queued write has finished, including follow-ups."""
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            await asyncio.gather(*(asyncio.wrap_future(f) for f in pending), return_exceptions=True)

    def close_store(self) -> None:
        """Finish every queued store write (nothing the person did is dropped), then stop that thread."""
        self._store.close()

    def close_index(self, wait: float = INDEX_EXIT_WAIT) -> bool:
        """Give queued index work ``wait`` seconds, then stop; True when it finished."""
        return self._index.close(wait)
