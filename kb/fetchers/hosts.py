"""What a run has learned about each host, so one host cannot hold a run hostage.

kb asks a host one request at a time, so its feeds run in series; without this, a host that hangs costs
each of its feeds its own timeouts and retries, and a host answering 429 is asked again for every feed.
Within one run (one Fetcher):

- a host that timed out, refused or reset a connection (after that source's retries) is *down*: its other
  sources end at once as "skipped: host down", and are tried again next run;
- a 429/503 Retry-After applies to the whole host: every request to it waits until then, and a host still
  asking to slow down after its wait (or asking for longer than ``max_retry_after``) is down for the run;
- the whole run has a deadline (``fetch.run_timeout``): nothing starts after it, nothing waits past it.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit


def origin(url: str) -> str:
    """scheme://host:port, lower-cased: what "one host" means here."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class HostBoard:
    """Thread-safe per-run record of hosts that are down or asked for a pause, and of the run's deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: dict[str, str] = {}  # origin -> why
        self._not_before: dict[str, float] = {}  # origin -> monotonic time it asked us to wait for
        #: Monotonic time by which the run must end (None: unbounded); set by run_all.
        self.deadline: float | None = None
        self.run_timeout: float | None = None

    def start_run(self, run_timeout: float) -> None:
        """Start the run's clock: nothing may start or wait past ``run_timeout`` seconds from now."""
        self.run_timeout = run_timeout
        self.deadline = time.monotonic() + run_timeout

    def over_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def cut_message(self) -> str:
        return f"skipped: the run reached fetch.run_timeout ({self.run_timeout or 0:g} s); tried next run"

    def down_reason(self, url: str) -> str | None:
        """Why the host of ``url`` is down for this run, or None while it is not."""
        with self._lock:
            return self._down.get(origin(url))

    def mark_down(self, url: str, why: str) -> None:
        with self._lock:
            self._down.setdefault(origin(url), why)

    def pause(self, url: str, seconds: float) -> None:
        """The host asked (Retry-After) not to be asked again for ``seconds``: applies to all its sources."""
        until = time.monotonic() + seconds
        with self._lock:
            key = origin(url)
            self._not_before[key] = max(until, self._not_before.get(key, 0.0))

    def wait_for(self, url: str) -> float:
        """Seconds to wait before asking the host of ``url`` (0 when it asked for no pause)."""
        with self._lock:
            until = self._not_before.get(origin(url), 0.0)
        return max(0.0, until - time.monotonic())
