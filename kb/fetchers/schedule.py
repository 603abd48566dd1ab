"""fetch_all: arXiv in one lane, blogs in a bounded pool, results delivered in the caller's thread.

The caller writes SQLite, whose connections belong to one thread, so workers never call back: they put
results on a queue that the calling thread drains. Blogs are grouped into one lane per host (scheme, host
and port) so that no host is asked twice at once; lanes run concurrently, longest first. The run is bounded
by ``fetch.run_timeout``: what has not ended by then is reported as cut (hosts.py says how hosts are spared).
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from kb.config import BlogFeed
from kb.errors import NotFound
from kb.fetchers.hosts import origin
from kb.models import FeedState, SourceKind, SourceResult

if TYPE_CHECKING:
    from kb.fetchers.fetcher import Fetcher

_Named = tuple[str, SourceKind, Callable[[], SourceResult]]

#: Seconds past fetch.run_timeout the run waits for sources in flight before cutting them.
_GRACE = 2.0

#: Runs over fewer feeds parse in-thread: starting parser processes costs more than it saves.
POOLED_PARSING_MIN_FEEDS = 16


def run_all(
    fetcher: Fetcher,
    names: Collection[str] | None,
    states: Mapping[str, FeedState],
    on_result: Callable[[SourceResult], None],
) -> None:
    """Fetch the selected sources, calling ``on_result`` in this thread as each one completes."""
    config = fetcher.config
    known = set(config.source_names())
    unknown = sorted(set(names or ()) - known)
    if unknown:
        raise NotFound(
            f"no source named {', '.join(repr(n) for n in unknown)} in {config.path.name}",
            hint="sources are the arXiv announcements, saved queries and feeds of feeds.yaml",
        )
    wanted = set(known if names is None else names)
    arxiv_jobs: list[_Named] = []
    if config.arxiv.categories and config.arxiv.rss_source_name in wanted:
        job = functools.partial(fetcher.fetch_announcements, states.get(config.arxiv.rss_source_name))
        arxiv_jobs.append((config.arxiv.rss_source_name, SourceKind.ARXIV_RSS, job))
    for query in config.arxiv.queries:
        if query.name in wanted:
            job = functools.partial(fetcher.fetch_query, query, states.get(query.name))
            arxiv_jobs.append((query.name, SourceKind.ARXIV_QUERY, job))
    lanes = _lanes([feed for feed in config.feeds if feed.name in wanted])
    feed_count = sum(len(lane) for lane in lanes)
    hosts = fetcher.downloader.hosts
    hosts.start_run(config.fetch.run_timeout)

    results: queue.Queue[SourceResult] = queue.Queue()
    stop = threading.Event()  # set when the caller stops listening (its callback raised, or Ctrl-C)

    def run_lane(jobs: Sequence[_Named]) -> None:
        for _name, _kind, job in jobs:
            if stop.is_set():
                return
            results.put(job())

    blog_jobs = [
        [
            (feed.name, SourceKind.FEED, functools.partial(fetcher.fetch_feed, feed, states.get(feed.name)))
            for feed in lane
        ]
        for lane in lanes
    ]
    pending = {name: kind for name, kind, _job in [*arxiv_jobs, *(job for lane in blog_jobs for job in lane)]}
    arxiv_thread = threading.Thread(target=run_lane, args=(arxiv_jobs,), name="kb-fetch-arxiv", daemon=True)
    pool = ThreadPoolExecutor(max_workers=max(1, min(config.fetch.concurrency, len(lanes))))
    finished = False
    try:
        if len(lanes) > 1 and feed_count >= POOLED_PARSING_MIN_FEEDS:
            fetcher.parsers.start(fetcher.parse_workers)
        arxiv_thread.start()
        for jobs in blog_jobs:
            pool.submit(run_lane, jobs)
        while pending:
            try:
                # A little past the deadline: a source in flight then ends on its own, with its own words.
                result = results.get(timeout=max(0.0, (hosts.deadline or 0) - time.monotonic()) + _GRACE)
            except queue.Empty:
                break
            pending.pop(result.source, None)
            on_result(result)
        for name, kind in pending.items():  # still running at the deadline: cut, and said so
            on_result(SourceResult(source=name, kind=kind, ok=False, error=hosts.cut_message()))
        finished = not pending
    finally:
        stop.set()
        # After a failure or a cut, in-flight fetches end on their own timeouts; nobody waits for them.
        pool.shutdown(wait=finished, cancel_futures=not finished)
        if finished:
            arxiv_thread.join()
            fetcher.parsers.close()


def _feed_job(fetcher: Fetcher, feed: BlogFeed, states: Mapping[str, FeedState]) -> _Named:
    return feed.name, SourceKind.FEED, functools.partial(fetcher.fetch_feed, feed, states.get(feed.name))


def _lanes(feeds: list[BlogFeed]) -> list[list[BlogFeed]]:
    """Feeds grouped by origin, the longest lane first so it starts early."""
    by_origin: dict[str, list[BlogFeed]] = {}
    for feed in feeds:
        by_origin.setdefault(origin(feed.url), []).append(feed)
    return sorted(by_origin.values(), key=len, reverse=True)
