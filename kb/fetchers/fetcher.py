"""The Fetcher: every configured source to a SourceResult. It never touches the store.

Each fetch_* returns a SourceResult whatever happens: a failure is ``ok=False`` with one readable line,
never an exception.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from types import TracebackType
from typing import ParamSpec

from kb.config import ArxivQuery, BlogFeed, Config
from kb.fetchers.arxiv_api import ArxivApi
from kb.fetchers.arxiv_rss import parse_announcements
from kb.fetchers.fulltext import FullTextFetcher
from kb.fetchers.http import Download, Downloader
from kb.fetchers.oai_client import OaiClient
from kb.fetchers.pacing import Pacer
from kb.fetchers.parsing import ParserPool, default_workers
from kb.fetchers.schedule import run_all
from kb.fetchers.semanticscholar import SemanticScholar
from kb.models import FeedState, FetchedItem, SourceKind, SourceResult

DEFAULT_USER_AGENT = "kb/0.1 (+https://github.com/kb; research knowledge base)"

_P = ParamSpec("_P")


def _never_raises(
    kind: SourceKind, name: Callable[..., str]
) -> Callable[[Callable[_P, SourceResult]], Callable[_P, SourceResult]]:
    """Turn a bug that escapes a fetch into a failed SourceResult, so one source never stops the rest."""

    def decorate(fetch: Callable[_P, SourceResult]) -> Callable[_P, SourceResult]:
        @functools.wraps(fetch)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> SourceResult:
            started = time.monotonic()
            try:
                return fetch(*args, **kwargs)
            except Exception as exc:  # a bug of ours or a library's: report it, keep going
                return SourceResult(
                    source=name(*args, **kwargs),
                    kind=kind,
                    ok=False,
                    error=f"internal error: {type(exc).__name__}: {exc}",
                    duration=time.monotonic() - started,
                )

        return guarded

    return decorate


class Fetcher:
    """Fetches arXiv announcements, saved searches, papers by id and blog feeds."""

    def __init__(self, config: Config, user_agent: str = DEFAULT_USER_AGENT, parsers: ParserPool | None = None) -> None:
        self.config = config
        # One pace for every arXiv request, RSS and API alike, whichever thread makes it.
        self.pacer = Pacer(config.arxiv.delay_seconds)
        self.downloader = Downloader(config.fetch, user_agent, max_connections=config.fetch.concurrency + 2)
        self.arxiv_api = ArxivApi(config.arxiv, config.fetch, self.pacer, self.downloader)
        #: arXiv's OAI-PMH endpoint (`kb backfill`), on the same pace.
        self.oai = OaiClient(config.arxiv, config.fetch, self.pacer, self.downloader)
        #: Papers' full texts (HTML, else PDF), on the same pace (issue 14).
        self.fulltext = FullTextFetcher(config.arxiv, self.downloader, self.pacer)
        #: Semantic Scholar's Graph API (references and citing papers), on its own pace.
        self.citations = SemanticScholar(config.citations, config.fetch, self.downloader)
        self.parsers = parsers or ParserPool()
        #: Parser processes fetch_all may start for a run over many feeds (0: parse in-thread).
        self.parse_workers = default_workers()

    def close(self) -> None:
        """Release connections and parser processes."""
        self.downloader.close()
        self.parsers.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @_never_raises(SourceKind.ARXIV_RSS, lambda self, *_: self.config.arxiv.rss_source_name)
    def fetch_announcements(self, state: FeedState | None) -> SourceResult:
        """Today's announcements of every configured category, from one RSS URL."""
        started = time.monotonic()
        settings = self.config.arxiv
        source, kind = settings.rss_source_name, SourceKind.ARXIV_RSS
        if not settings.categories:
            return SourceResult(source, kind, ok=False, error="no arXiv categories configured")
        download = self.downloader.get(settings.rss_feed_url, state, pacer=self.pacer)
        if not download.ok or download.not_modified:
            return _from_download(source, kind, download, started)
        parsed = parse_announcements(download.body)
        return _from_download(source, kind, download, started, parsed.items, parsed.error)

    @_never_raises(SourceKind.ARXIV_QUERY, lambda self, query, *_: query.name)
    def fetch_query(self, query: ArxivQuery, state: FeedState | None) -> SourceResult:
        """A saved API search, newest first, back to what the last run saw (less a person's ``exclude``)."""
        result = self.arxiv_api.search(query, state)
        if query.exclude:  # author names collide: papers the person said are not theirs never arrive
            result = dataclasses.replace(result, items=tuple(i for i in result.items if i.id not in query.exclude))
        return result

    @_never_raises(SourceKind.ARXIV_IDS, lambda self, ids, source="kb add": source)
    def fetch_ids(self, ids: Sequence[str], source: str = "kb add") -> SourceResult:
        """Papers by arXiv id (any form parse_arxiv_id reads); always their latest version."""
        return self.arxiv_api.by_ids(ids, source)

    @_never_raises(SourceKind.FEED, lambda self, feed, *_: feed.name)
    def fetch_feed(self, feed: BlogFeed, state: FeedState | None) -> SourceResult:
        """A blog's feed, conditionally when ``state`` has an ETag or Last-Modified."""
        started = time.monotonic()
        download = self.downloader.get(feed.url, state)
        if not download.ok or download.not_modified:
            return _from_download(feed.name, SourceKind.FEED, download, started)
        parsed = self.parsers.parse(download.body, download.headers, feed.name, download.final_url)
        return _from_download(feed.name, SourceKind.FEED, download, started, parsed.items, parsed.error)

    def fetch_all(
        self,
        names: Collection[str] | None,
        states: Mapping[str, FeedState],
        on_result: Callable[[SourceResult], None],
    ) -> None:
        """Fetch every source (or those named), calling ``on_result`` in this thread as each completes.

        arXiv sources run one after another (one pace); blogs run meanwhile in a bounded pool, one request
        per host at a time. Raises kb.errors.NotFound, before fetching anything, for an unknown name.
        """
        run_all(self, names, states, on_result)


def _from_download(
    source: str,
    kind: SourceKind,
    download: Download,
    started: float,
    items: tuple[FetchedItem, ...] = (),
    parse_error: str | None = None,
) -> SourceResult:
    error = download.error or parse_error
    return SourceResult(
        source=source,
        kind=kind,
        items=() if error else items,
        ok=error is None,
        http_status=download.status,
        error=error,
        not_modified=download.not_modified,
        etag=download.etag,
        last_modified=download.last_modified,
        # Where to ask next time: the target of a permanent redirect, else the URL asked for.
        url=download.moved_to or download.url,
        duration=time.monotonic() - started,
    )
