"""Saved arXiv API searches and id look-ups: kb's paced HTTP, kb's reader of the answers, kb's paging.

Each page is one paced GET through the fetchers' Downloader (timeouts, size cap, kb's User-Agent, the
pace shared with the RSS fetch) and is read by ``arxiv_atom.parse_api_response``. The paging and
retrying are here because arXiv needs them its own way: a page can come back empty although the search
counts more results (retried with backoff, then the fetch is recorded incomplete), and a 400 carries
arXiv's explanation in an Atom body. docs/architecture.md says why the ``arxiv`` package is not used.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from kb.config import ArxivQuery, ArxivSettings, FetchSettings
from kb.fetchers.arxiv_atom import ApiPage, UnreadableResponse, parse_api_response
from kb.fetchers.http import Downloader
from kb.fetchers.pacing import Pacer, backoff_delay
from kb.models import FeedState, FetchedItem, SourceKind, SourceResult, parse_arxiv_id

ID_CHUNK = 100  # ids per id_list request
# The API's parameters (https://info.arxiv.org/help/api/user-manual.html#_query_interface).
_NEWEST_FIRST = {"sortBy": "submittedDate", "sortOrder": "descending"}


@dataclass
class _Failure(Exception):
    """A page that could not be had: ``permanent`` for arXiv's own refusal (bad query, bad id)."""

    message: str
    status: int | None = None
    permanent: bool = False
    retry_after: str | None = None


@dataclass
class _Collected:
    items: dict[str, FetchedItem] = field(default_factory=dict)
    complete: bool = True
    status: int | None = None


class ArxivApi:
    """Runs saved searches and id look-ups against the arXiv API."""

    def __init__(self, settings: ArxivSettings, fetch: FetchSettings, pacer: Pacer, downloader: Downloader) -> None:
        self.settings = settings
        self.fetch_settings = fetch
        self.pacer = pacer
        self.downloader = downloader  # shared with the feeds: closed by the Fetcher

    def search(self, query: ArxivQuery, state: FeedState | None, now: datetime | None = None) -> SourceResult:
        """Newest first, back to ``state.newest_seen`` (first run: ``first_run_days`` back), capped."""
        started = time.monotonic()
        cutoff = _aware(state.newest_seen) if state and state.newest_seen else None
        cutoff = cutoff or (now or datetime.now(UTC)) - timedelta(days=query.first_run_days)
        params = {"search_query": query.query, **_NEWEST_FIRST}
        collected = _Collected()
        start = total = 0
        try:
            while len(collected.items) < query.max_results:
                size = min(self.settings.page_size, query.max_results - len(collected.items))
                page = self._page(params, start, size, collected, known_total=total)
                total = max(total, page.total)
                reached_cutoff = False
                for paper in page.papers:
                    if paper.published is not None and paper.published < cutoff:
                        reached_cutoff = True  # older than what we already have: stop paging
                        continue
                    collected.items.setdefault(paper.id, paper)
                start += page.entries
                if reached_cutoff or not page.entries or start >= total:
                    break
        except _Failure as failure:
            return _failed(query.name, SourceKind.ARXIV_QUERY, failure, collected, started)
        items = tuple(collected.items.values())[: query.max_results]
        return _result(query.name, SourceKind.ARXIV_QUERY, items, collected, started)

    def by_ids(self, ids: Sequence[str], source: str) -> SourceResult:
        """The latest version of each paper (versions are dropped), ``ID_CHUNK`` ids per request."""
        started = time.monotonic()
        wanted: dict[str, None] = {}
        for text in ids:
            parsed = parse_arxiv_id(text)
            if parsed is None:
                failure = _Failure(f"not an arXiv id: {text!r}", permanent=True)
                return _failed(source, SourceKind.ARXIV_IDS, failure, _Collected(), started)
            wanted.setdefault(parsed.id, None)
        collected = _Collected()
        try:
            for chunk in _chunks(list(wanted), ID_CHUNK):
                page = self._page({"id_list": ",".join(chunk)}, 0, len(chunk), collected)
                for paper in page.papers:
                    collected.items.setdefault(paper.id, paper)
        except _Failure as failure:
            return _failed(source, SourceKind.ARXIV_IDS, failure, collected, started)
        return _result(source, SourceKind.ARXIV_IDS, tuple(collected.items.values()), collected, started)

    def _page(
        self, params: dict[str, str], start: int, size: int, collected: _Collected, known_total: int = 0
    ) -> ApiPage:
        """One page, retried with backoff while arXiv fails or answers empty when it has more.

        ``known_total`` is the count an earlier page gave: a flaky empty page may claim 0 results.
        """
        url = self.settings.api_url + "?" + urlencode({**params, "start": start, "max_results": size})
        attempt = 0
        while True:
            outcome = self._try_page(url, start, known_total, collected)
            if isinstance(outcome, ApiPage):
                return outcome
            if outcome.permanent or attempt >= self.settings.retries:
                raise outcome
            wait = backoff_delay(attempt, self.fetch_settings, outcome.retry_after)
            if wait is None:
                message = f"{outcome.message}; arXiv asks to retry after {outcome.retry_after} s"
                raise _Failure(message, outcome.status)
            time.sleep(wait)  # the pacer adds its own spacing on top
            attempt += 1

    def _try_page(self, url: str, start: int, known_total: int, collected: _Collected) -> ApiPage | _Failure:
        download = self.downloader.get_once(url, self.pacer)
        if download.status is not None:
            collected.status = download.status
        if download.status is None and not download.ok:
            return _Failure(f"arXiv API unreachable: {download.error}", permanent=not download.transient)
        if not download.ok:
            return _Failure(
                _http_error(download.body, download.error or ""),
                download.status,
                permanent=not download.transient,
                retry_after=download.retry_after,
            )
        try:
            page = parse_api_response(download.body)
        except UnreadableResponse as exc:
            return _Failure(f"arXiv API sent an unreadable page ({exc})", download.status)
        if page.error:
            return _Failure(f"arXiv API: {page.error}", download.status, permanent=True)
        if not page.entries and max(page.total, known_total) > start:
            # arXiv's known flake: an empty page although it counts more results.
            return _Failure(f"arXiv API kept returning an empty page at result {start}", download.status)
        return page


def _http_error(body: bytes, status_line: str) -> str:
    """arXiv's own words from the error feed it sends with a 400, else the status line."""
    try:
        message = parse_api_response(body).error
    except UnreadableResponse:
        message = None
    status = status_line.split(" ", 2)[1] if status_line.startswith("HTTP ") else ""
    return f"arXiv API: {message} (HTTP {status})" if message and status else f"arXiv API: {status_line}"


def _result(
    source: str, kind: SourceKind, items: tuple[FetchedItem, ...], collected: _Collected, started: float
) -> SourceResult:
    return SourceResult(
        source=source,
        kind=kind,
        items=items,
        http_status=collected.status,
        complete=collected.complete,
        duration=time.monotonic() - started,
    )


def _failed(source: str, kind: SourceKind, failure: _Failure, collected: _Collected, started: float) -> SourceResult:
    """Items got before a transient failure are kept (ok, incomplete); otherwise the source failed."""
    if collected.items and not failure.permanent:
        collected.complete = False
        return _result(source, kind, tuple(collected.items.values()), collected, started)
    return SourceResult(
        source=source,
        kind=kind,
        ok=False,
        error=failure.message,
        http_status=failure.status if failure.status is not None else collected.status,
        complete=failure.permanent,
        duration=time.monotonic() - started,
    )


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for index in range(0, len(values), size):
        yield values[index : index + size]


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
