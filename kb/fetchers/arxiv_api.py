"""Saved arXiv API searches and id look-ups, through the `arxiv` package (4.x).

The package's Client builds URLs, makes the request through its session and parses the Atom. kb gives
it a session that is paced (the shared Pacer), times out and names kb, and does the paging and retrying
itself: the client cannot tell an empty page from "no results", retries without backoff, and hides
arXiv's error message behind "HTTP 400".
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import arxiv
import requests

from kb.config import ArxivQuery, ArxivSettings, FetchSettings
from kb.fetchers.pacing import Pacer, backoff_delay
from kb.models import Author, FeedState, FetchedItem, Kind, SourceKind, SourceResult, parse_arxiv_id

ID_CHUNK = 100  # ids per id_list request
_ATOM = "{http://www.w3.org/2005/Atom}"


class PacedSession(requests.Session):
    """A requests session for the arxiv client: every request paced, timed out, with kb's User-Agent."""

    def __init__(self, pacer: Pacer, user_agent: str, timeout: tuple[float, float]) -> None:
        super().__init__()
        self.pacer = pacer
        self.user_agent = user_agent
        self.timeout = timeout
        self.last_response: requests.Response | None = None

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send one request in the pacer's slot (redirect hops re-enter it, each paced)."""
        # The client sends its own User-Agent and no timeout (it would hang forever on a stalled socket).
        request.headers["User-Agent"] = self.user_agent
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        with self.pacer.slot():
            response = super().send(request, **kwargs)
        self.last_response = response
        return response


@dataclass
class _Page:
    results: list[Any]  # arxiv.Result
    total: int


@dataclass
class _Failure(Exception):
    """A page that could not be had: ``permanent`` for arXiv's own refusal (bad query, bad id)."""

    message: str
    status: int | None = None
    permanent: bool = False


@dataclass
class _Collected:
    items: dict[str, FetchedItem] = field(default_factory=dict)
    complete: bool = True
    status: int | None = None


class ArxivApi:
    """Runs saved searches and id look-ups against the arXiv API."""

    def __init__(self, settings: ArxivSettings, fetch: FetchSettings, pacer: Pacer, user_agent: str) -> None:
        self.settings = settings
        self.fetch_settings = fetch
        self.session = PacedSession(pacer, user_agent, (fetch.connect_timeout, fetch.read_timeout))
        # Pacing and retries are ours (one pace shared with RSS; backoff on retries).
        self.client = arxiv.Client(page_size=settings.page_size, delay_seconds=0.0, num_retries=0)
        self.client.query_url_format = settings.api_url + "?{}"
        self.client._session = self.session

    def close(self) -> None:
        """Close the session's connection."""
        self.session.close()

    def search(self, query: ArxivQuery, state: FeedState | None, now: datetime | None = None) -> SourceResult:
        """Newest first, back to ``state.newest_seen`` (first run: ``first_run_days`` back), capped."""
        started = time.monotonic()
        cutoff = _aware(state.newest_seen) if state and state.newest_seen else None
        cutoff = cutoff or (now or datetime.now(UTC)) - timedelta(days=query.first_run_days)
        search = arxiv.Search(
            query=query.query,
            max_results=None,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        collected = _Collected()
        start = total = 0
        try:
            while len(collected.items) < query.max_results:
                size = min(self.settings.page_size, query.max_results - len(collected.items))
                page = self._page(search, start, size, collected, known_total=total)
                total = max(total, page.total)
                reached_cutoff = False
                for paper in _papers(page.results):
                    if paper.published is not None and paper.published < cutoff:
                        reached_cutoff = True  # older than what we already have: stop paging
                        continue
                    collected.items.setdefault(paper.id, paper)
                start += len(page.results)
                if reached_cutoff or not page.results or start >= total:
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
                search = arxiv.Search(id_list=chunk, max_results=len(chunk))
                page = self._page(search, 0, len(chunk), collected)
                for paper in _papers(page.results):
                    collected.items.setdefault(paper.id, paper)
        except _Failure as failure:
            return _failed(source, SourceKind.ARXIV_IDS, failure, collected, started)
        return _result(source, SourceKind.ARXIV_IDS, tuple(collected.items.values()), collected, started)

    def _page(self, search: Any, start: int, size: int, collected: _Collected, known_total: int = 0) -> _Page:
        """One page, retried with backoff while arXiv fails or answers empty when it has more.

        ``known_total`` is the count an earlier page gave: a flaky empty page may claim 0 results.
        """
        url = self.client._format_url(search, start, size)
        attempt = 0
        while True:
            outcome, retry_after = self._try_page(url, start, known_total, collected)
            if isinstance(outcome, _Page):
                return outcome
            failure = outcome
            if failure.permanent or attempt >= self.settings.retries:
                raise failure
            wait = backoff_delay(attempt, self.fetch_settings, retry_after)
            if wait is None:
                raise _Failure(f"{failure.message}; arXiv asks to retry after {retry_after} s", failure.status)
            time.sleep(wait)  # the pacer adds its own spacing on top
            attempt += 1

    def _try_page(
        self, url: str, start: int, known_total: int, collected: _Collected
    ) -> tuple[_Page | _Failure, str | None]:
        try:
            feed = self.client._parse_feed(url, first_page=True)
        except arxiv.HTTPError as exc:
            collected.status = exc.status
            response = self.session.last_response
            retry_after = response.headers.get("retry-after") if response is not None else None
            transient = exc.status == 429 or exc.status >= 500
            return _Failure(self._http_error(exc.status), exc.status, not transient), retry_after
        except requests.RequestException as exc:
            return _Failure(f"arXiv API unreachable: {_first_line(exc)}"), None
        collected.status = 200
        message = _error_entry(feed.results)
        if message:
            return _Failure(f"arXiv API: {message}", 200, permanent=True), None
        if feed.malformed:
            return _Failure(f"arXiv API sent an unreadable page ({_first_line(feed.error)})"), None
        if not feed.results and max(feed.header.total_results, known_total) > start:
            # arXiv's known flake: an empty page although it counts more results.
            return _Failure(f"arXiv API kept returning an empty page at result {start}"), None
        return _Page(list(feed.results), feed.header.total_results), None

    def _http_error(self, status: int) -> str:
        """arXiv's own words from the error feed it sends with a 400, else the status line."""
        response = self.session.last_response
        reason = response.reason if response is not None and response.reason else ""
        message = _error_summary(response.content) if response is not None else None
        if message:
            return f"arXiv API: {message} (HTTP {status})"
        return f"arXiv API: HTTP {status} {reason}".rstrip()


def _papers(results: Sequence[Any]) -> Iterator[FetchedItem]:
    for result in results:
        paper = paper_from_result(result)
        if paper is not None:
            yield paper


def paper_from_result(result: Any) -> FetchedItem | None:
    """An ``arxiv.Result`` as a FetchedItem; None for an entry that is not a paper."""
    arxiv_id = parse_arxiv_id(result.get_short_id())
    if arxiv_id is None:
        return None
    version = arxiv_id.version
    categories = dict.fromkeys(c for c in (result.primary_category, *result.categories) if c)
    return FetchedItem(
        id=arxiv_id.key,
        kind=Kind.PAPER,
        title=_squash(result.title),
        summary=_squash(result.summary),
        url=f"https://arxiv.org/abs/{arxiv_id.id}",
        authors=tuple(
            Author(_squash(a.name), tuple(_squash(x) for x in a.affiliation if x.strip())) for a in result.authors
        ),
        published=_aware(result.published),
        updated=_aware(result.updated),
        version=version,
        categories=tuple(categories),
        comment=_squash(result.comment) or None,
        journal_ref=_squash(result.journal_ref) or None,
        doi=_squash(result.doi) or None,
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id.id}" + (f"v{version}" if version else ""),
    )


def _error_entry(results: Sequence[Any]) -> str | None:
    """arXiv reports some errors as a 200 feed whose one entry is titled "Error"."""
    for result in results:
        if "/api/errors" in result.entry_id:
            return _squash(result.summary) or result.entry_id.rsplit("#", 1)[-1].replace("_", " ")
    return None


def _error_summary(body: bytes) -> str | None:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    for entry in root.iter(f"{_ATOM}entry"):
        if (entry.findtext(f"{_ATOM}title") or "").strip() == "Error":
            return _squash(entry.findtext(f"{_ATOM}summary")) or None
    return None


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


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
