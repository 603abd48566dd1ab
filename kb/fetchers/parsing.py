"""Where feeds are parsed: in the calling thread, or in worker processes during a big fetch.

feedparser is pure Python and holds the GIL, so blog threads downloading in parallel still parse one at
a time. With more than one core, a run over many feeds parses in a small process pool instead; small
feeds stay in-thread, where pickling them would cost more than parsing.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Collection, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kb.fetchers.feeds import ParsedFeed, parse_feed

#: Feeds smaller than this are parsed in the calling thread even when a pool runs.
MIN_POOLED_BYTES = 16 * 1024


def default_workers() -> int:
    """Parser processes worth having here: one per core, none on a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 else 0


#: Start methods safe in a process that runs threads, best first. Plain fork is not: it can copy a lock
#: another thread holds into the child. Windows has only spawn; Linux and macOS have forkserver too.
SAFE_START_METHODS = ("forkserver", "spawn")


class ParserPool:
    """Parses feed bytes into items, in worker processes while ``workers`` are started."""

    def __init__(self, start_methods: Collection[str] | None = None) -> None:
        """``start_methods``: what this system offers (default: multiprocessing's list), to choose from."""
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        offered = multiprocessing.get_all_start_methods() if start_methods is None else start_methods
        #: The start method worker processes use; None: parse in-thread (no safe method here).
        self.method = next((name for name in SAFE_START_METHODS if name in offered), None)

    def start(self, workers: int) -> None:
        """Start ``workers`` parser processes (none, or no safe start method: parse in-thread). Idempotent."""
        with self._lock:
            if self._pool is None and workers > 0 and self.method is not None:
                context = multiprocessing.get_context(self.method)
                self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def parse(self, body: bytes, headers: Mapping[str, str], feed_name: str, url: str) -> ParsedFeed:
        """Parse one downloaded feed."""
        pool = self._pool
        if pool is None or len(body) < MIN_POOLED_BYTES:
            return parse_feed(body, headers, feed_name, url)
        try:
            return pool.submit(parse_feed, body, dict(headers), feed_name, url).result()
        except (BrokenProcessPool, RuntimeError, OSError):
            # A worker died (killed, out of memory), processes cannot start here, or the pool is shutting
            # down: parse in this thread, now and for the rest of the run.
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return parse_feed(body, headers, feed_name, url)

    def close(self) -> None:
        """Stop the worker processes."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
