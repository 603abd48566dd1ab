"""Downloading one feed over HTTP: timeouts, size cap, redirects, conditional requests, retries.

Every outcome is a Download; nothing here raises for a network or server problem. Redirects are followed
by hand so that loops are caught, hops are bounded, and a permanent move can be reported.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

import httpx

from kb.config import FetchSettings
from kb.fetchers.hosts import HostBoard
from kb.fetchers.pacing import Pacer, backoff_delay, parse_retry_after
from kb.fetchers.proxies import Proxies
from kb.models import FeedState

MAX_REDIRECTS = 10
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True)
class Download:
    """What one GET (with its redirects and retries) gave."""

    url: str  # the URL asked for
    final_url: str  # where the body came from, after redirects
    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # where permanent redirects from `url` lead
    error: str | None = None  # one readable line when it failed
    transient: bool = False  # the failure may pass: worth retrying (5xx, 429, timeouts, resets)
    retry_after: str | None = None  # the server's Retry-After with a transient failure

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class _Transient:
    """A failure worth retrying (5xx, 429, timeout, reset)."""

    message: str
    status: int | None = None
    retry_after: str | None = None
    network: bool = False  # timed out, refused or reset: the host is down for the rest of the run


@dataclass(frozen=True)
class _Redirect:
    target: str
    status: int


class _BodyError(Exception):
    """The body cannot be used: too large, or too slow for the deadline."""


class Downloader:
    """GETs feeds with one shared httpx client (thread-safe, keeps connections alive)."""

    def __init__(
        self, settings: FetchSettings, user_agent: str, max_connections: int = 10, hosts: HostBoard | None = None
    ) -> None:
        self.settings = settings
        #: What this run learned about each host (down, paused) and the run's deadline (hosts.py).
        self.hosts = hosts or HostBoard()
        #: The proxy variables, checked (a bad one is a UsageError naming it) and applied by kb (proxies.py).
        self.proxies = Proxies.from_environment()
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            follow_redirects=False,
            limits=limits,
            trust_env=False,  # proxies come from self.proxies, not from httpx's own reading of the variables
            mounts=self.proxies.mounts(limits),
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self._client.close()

    def get(self, url: str, state: FeedState | None = None, pacer: Pacer | None = None) -> Download:
        """Fetch ``url``, conditionally when ``state`` has validators, retrying transient failures.

        A host found down earlier in the run is not asked again; one that stays down through this source's
        retries is marked down for the rest of the run (hosts.py).
        """
        skipped = self._skip(url)
        if skipped:
            return skipped
        deadline, budget = self._deadline()
        attempt = 0
        while True:
            paused = self.hosts.wait_for(url)  # the host asked every source of it to wait (Retry-After)
            if paused:
                if time.monotonic() + paused > deadline:
                    return _failed(url, f"the host asked to wait {paused:.0f} s more, over {budget}")
                time.sleep(paused)
            outcome = self._attempt(url, _conditional_headers(state), pacer, deadline)
            if isinstance(outcome, Download):
                return _keep_validators(outcome, state)
            asked = parse_retry_after(outcome.retry_after) if outcome.retry_after else None
            if asked is not None and outcome.status in (429, 503):
                self.hosts.pause(url, min(asked, self.settings.max_retry_after))
            if self.hosts.over_time():  # the run's deadline cut it: not the host's fault
                return _failed(url, f"{outcome.message}; {self.hosts.cut_message()}", outcome.status)
            tries = f"{attempt + 1} {'try' if attempt == 0 else 'tries'}"
            if attempt >= self.settings.retries:
                self._host_gave_up(url, outcome)
                return _failed(url, f"{outcome.message} (gave up after {tries})", outcome.status)
            wait = backoff_delay(attempt, self.settings, outcome.retry_after)
            if wait is None:
                message = f"{outcome.message}: the server asks to retry after {outcome.retry_after}"
                self.hosts.mark_down(url, f"asks to retry after {outcome.retry_after}")
                return _failed(url, f"{message}, longer than {self.settings.max_retry_after:g} s", outcome.status)
            if time.monotonic() + wait > deadline:
                self._host_gave_up(url, outcome)
                message = f"{outcome.message} (gave up after {tries}: over {budget})"
                return _failed(url, message, outcome.status)
            time.sleep(wait)
            attempt += 1

    def _skip(self, url: str) -> Download | None:
        """A Download that ends this source at once (its host is down, the run is over time), or None."""
        down = self.hosts.down_reason(url)
        if down:
            return _failed(url, f"skipped: host down ({down}); tried next run")
        if self.hosts.over_time():
            return _failed(url, self.hosts.cut_message())
        return None

    def _deadline(self) -> tuple[float, str]:
        """When this source must end: its total_timeout, or the run's deadline when that comes first."""
        own = time.monotonic() + self.settings.total_timeout
        run = self.hosts.deadline
        if run is not None and run < own:
            return run, f"fetch.run_timeout ({self.hosts.run_timeout or 0:g} s)"
        return own, f"{self.settings.total_timeout:g} s"

    def _host_gave_up(self, url: str, outcome: _Transient) -> None:
        """The host failed this source through its retries: down for the run if it hung, refused or asked to wait."""
        if outcome.network:
            self.hosts.mark_down(url, outcome.message)
        elif outcome.status in (429, 503):
            self.hosts.mark_down(url, f"HTTP {outcome.status}: asks kb to slow down")

    def get_once(self, url: str, pacer: Pacer | None = None, headers: Mapping[str, str] | None = None) -> Download:
        """One try at ``url`` (redirects followed, each hop paced), never retried.

        For a caller with its own retry policy: the arXiv API also retries pages that come back empty. A
        failure that may pass is ``transient`` (with the server's ``retry_after``); any other HTTP error keeps
        its body, where a server explains itself (arXiv's 400 names what was wrong with the query). ``headers``
        are sent with it (an API key).
        """
        skipped = self._skip(url)
        if skipped:
            return skipped
        outcome = self._attempt(url, dict(headers or {}), pacer, self._deadline()[0])
        if isinstance(outcome, _Transient):
            return Download(
                url, url, outcome.status, error=outcome.message, transient=True, retry_after=outcome.retry_after
            )
        return outcome

    def _attempt(
        self, url: str, headers: dict[str, str], pacer: Pacer | None, deadline: float
    ) -> Download | _Transient:
        """One try: the request and the redirects it leads to."""
        current, seen, moved_to, still_permanent = url, {url}, None, True
        for _hop in range(MAX_REDIRECTS + 1):
            slot: AbstractContextManager[None] = pacer.slot() if pacer else nullcontext()
            with slot:
                outcome = self._request(url, current, headers, deadline)
            if not isinstance(outcome, _Redirect):
                if isinstance(outcome, Download) and outcome.ok and moved_to:  # a move counts once it works
                    outcome = replace(outcome, moved_to=moved_to)
                return outcome
            if outcome.target in seen:
                return _failed(url, f"redirect loop: {current} leads back to {outcome.target}", outcome.status)
            still_permanent = still_permanent and outcome.status in _PERMANENT
            moved_to = outcome.target if still_permanent else moved_to
            seen.add(outcome.target)
            current = outcome.target
        return _failed(url, f"too many redirects (more than {MAX_REDIRECTS})", outcome.status)

    def _request(
        self, url: str, current: str, headers: dict[str, str], deadline: float
    ) -> Download | _Transient | _Redirect:
        """One HTTP exchange, mapped to an outcome; network exceptions end here."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _failed(url, f"gave up: over {self.settings.total_timeout:g} s")
        s = self.settings
        timeout = httpx.Timeout(
            connect=min(s.connect_timeout, remaining),
            read=min(s.read_timeout, remaining),
            write=min(s.read_timeout, remaining),
            pool=remaining,
        )
        try:
            with self._client.stream("GET", current, headers=headers, timeout=timeout) as response:
                return self._response(url, current, response, deadline)
        except httpx.TimeoutException as exc:
            return _Transient(self._via(current, _describe_timeout(exc, timeout, current)), network=True)
        except httpx.DecodingError as exc:
            return _failed(url, f"corrupt compressed body ({_first_line(exc)})")
        except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
            message = f"connection failed: {_first_line(exc) or type(exc).__name__}"
            return _Transient(self._via(current, message), network=True)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            return _failed(url, f"cannot request {current}: {_first_line(exc)}")
        except _BodyError as exc:
            return _failed(url, str(exc))

    def _via(self, url: str, message: str) -> str:
        """``message`` naming the proxy the request went through, if any: a dead proxy is not a dead host."""
        proxy = self.proxies.describe(url)
        return f"{message} (through the {proxy})" if proxy else message

    def _response(
        self, url: str, current: str, response: httpx.Response, deadline: float
    ) -> Download | _Transient | _Redirect:
        status = response.status_code
        status_line = f"HTTP {status} {response.reason_phrase or httpx.codes.get_reason_phrase(status)}"
        location = response.headers.get("location")
        if 300 <= status < 400 and status != 304 and location:
            return _Redirect(urljoin(current, location.strip()), status)
        if status == 304 or 200 <= status < 300:
            body = b"" if status == 304 else self._read_body(response, deadline)
            return Download(
                url,
                current,
                status,
                body,
                _headers(response),
                not_modified=status == 304,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
        if (status >= 500 and status != 501) or status in (408, 425, 429):
            return _Transient(status_line.strip(), status, response.headers.get("retry-after"))
        try:
            body = self._read_body(response, deadline)
        except _BodyError:
            body = b""  # the status says enough
        return Download(url, current, status, body, _headers(response), error=status_line.strip())

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        """The decoded body, refusing more than max_bytes and anything slower than the deadline."""
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _BodyError(f"too large: {int(declared)} bytes, over the {limit} byte limit (fetch.max_bytes)")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise _BodyError(f"too large: over the {limit} byte limit (fetch.max_bytes)")
            if time.monotonic() > deadline:
                raise _BodyError(f"gave up: the body took over {self.settings.total_timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)


def _conditional_headers(state: FeedState | None) -> dict[str, str]:
    headers = {}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _keep_validators(download: Download, state: FeedState | None) -> Download:
    """A 304 need not repeat the validators; the ones we sent still hold."""
    if not download.not_modified or state is None:
        return download
    return replace(
        download,
        etag=download.etag or state.etag,
        last_modified=download.last_modified or state.last_modified,
    )


def _headers(response: httpx.Response) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _failed(url: str, message: str, status: int | None = None) -> Download:
    return Download(url, url, status, error=message)


def _describe_timeout(exc: httpx.TimeoutException, timeout: httpx.Timeout, url: str) -> str:
    host = urlsplit(url).netloc
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting to {host} (over {timeout.connect or 0:.3g} s)"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timed out: {host} sent nothing for {timeout.read or 0:.3g} s"
    return f"timed out talking to {host}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
