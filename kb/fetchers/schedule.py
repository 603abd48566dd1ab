"""fetch_all: arXiv in one lane, blogs in a bounded pool, results delivered in the caller's thread.

The caller writes SQLite, whose connections belong to one thread, so workers never call back: they put
results on a queue that the calling thread drains. Blogs are grouped into one lane per host (scheme, host
and port) so that no host is asked twice at once; lanes run concurrently, longest first.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kb.config import BlogFeed
from kb.errors import NotFound
from kb.models import FeedState, SourceResult

if TYPE_CHECKING:
    from kb.fetchers.fetcher import Fetcher

_Job = Callable[[], SourceResult]

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
    arxiv_jobs: list[_Job] = []
    if config.arxiv.categories and config.arxiv.rss_source_name in wanted:
        arxiv_jobs.append(functools.partial(fetcher.fetch_announcements, states.get(config.arxiv.rss_source_name)))
    for query in config.arxiv.queries:
        if query.name in wanted:
            arxiv_jobs.append(functools.partial(fetcher.fetch_query, query, states.get(query.name)))
    lanes = _lanes([feed for feed in config.feeds if feed.name in wanted])
    feed_count = sum(len(lane) for lane in lanes)
    expected = len(arxiv_jobs) + feed_count

    results: queue.Queue[SourceResult] = queue.Queue()
    stop = threading.Event()  # set when the caller stops listening (its callback raised, or Ctrl-C)

    def run_lane(jobs: Sequence[_Job]) -> None:
        for job in jobs:
            if stop.is_set():
                return
            results.put(job())

    blog_jobs = [
        [functools.partial(fetcher.fetch_feed, feed, states.get(feed.name)) for feed in lane] for lane in lanes
    ]
    arxiv_thread = threading.Thread(target=run_lane, args=(arxiv_jobs,), name="kb-fetch-arxiv", daemon=True)
    pool = ThreadPoolExecutor(max_workers=max(1, min(config.fetch.concurrency, len(lanes))))
    finished = False
    try:
        if len(lanes) > 1 and feed_count >= POOLED_PARSING_MIN_FEEDS:
            fetcher.parsers.start(fetcher.parse_workers)
        arxiv_thread.start()
        for jobs in blog_jobs:
            pool.submit(run_lane, jobs)
        for _ in range(expected):
            on_result(results.get())
        finished = True
    finally:
        stop.set()
        # After a failure, in-flight fetches end on their own timeouts; nobody waits for them.
        pool.shutdown(wait=finished, cancel_futures=not finished)
        if finished:
            arxiv_thread.join()
            fetcher.parsers.close()


def _lanes(feeds: list[BlogFeed]) -> list[list[BlogFeed]]:
    """Feeds grouped by origin, the longest lane first so it starts early."""
    by_origin: dict[str, list[BlogFeed]] = {}
    for feed in feeds:
        by_origin.setdefault(_origin(feed.url), []).append(feed)
    return sorted(by_origin.values(), key=len, reverse=True)


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
