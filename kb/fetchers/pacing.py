"""One pace for every request to arXiv, and the retry policy shared by all fetchers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from kb.config import FetchSettings


class Pacer:
    """Spaces consecutive requests by at least ``delay`` seconds, one request at a time.

    arXiv asks for one request every 3 s over one connection, and measures when requests arrive. A request
    arrives somewhere between its start and its end (sooner over a kept-alive connection than over a new
    one), so the next one starts ``delay`` after the previous one *ended*: then no two arrivals are closer.
    Every arXiv request (RSS and API, retries and redirect hops included) runs inside ``with
    pacer.slot():``; the lock is held for the whole request so two never overlap, whichever thread makes them.
    """

    def __init__(self, delay: float) -> None:
        self.delay = delay
        # Re-entrant: a request made inside a paced request is itself paced rather than a deadlock.
        self._lock = threading.RLock()
        self._last_end: float | None = None

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for our turn, then hold it while the caller makes one request."""
        with self._lock:
            if self._last_end is not None:
                wait = self._last_end + self.delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                yield
            finally:
                self._last_end = time.monotonic()


def backoff_delay(attempt: int, settings: FetchSettings, retry_after: str | None = None) -> float | None:
    """Seconds to wait before retry number ``attempt + 1``, or None when the server asks for too long.

    Exponential (backoff_seconds, doubling) unless the server sent Retry-After, which wins when it is no
    longer than ``max_retry_after``; a longer one means "not in this run".
    """
    asked = parse_retry_after(retry_after) if retry_after else None
    if asked is not None:
        return asked if asked <= settings.max_retry_after else None
    return settings.backoff_seconds * (2**attempt)


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
