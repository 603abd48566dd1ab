"""`kb fetch --repair`: refetch what each gap covers; a gap whose refetch succeeds is recorded as repaired.

- an announcement day: the arXiv API, for the followed categories' submissions of that day
  (`cat:cs.LG AND submittedDate:[202610301800 TO 202611021959]`), stored under the announcements' source;
- an incomplete saved search: the search again, paging ``REPAIR_LOOKBACK`` further back than it had got,
  with twice its usual cap;
- a failing source: fetched again (a resting one too), the search further back for a saved search.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kb.config import ArxivQuery
from kb.library.fetching import FetchRun
from kb.library.sources.gaps import Gap, GapKind, day_query
from kb.models import FeedState, SourceResult

if TYPE_CHECKING:
    from kb.fetchers import Fetcher

#: How much further back than its high-water mark a repaired search pages.
REPAIR_LOOKBACK = timedelta(days=7)
#: Most results one announcement day's repair takes; a repair that reaches it is not recorded as done.
REPAIR_MAX_RESULTS = 5000
# A cutoff before arXiv began: the day's query bounds the results, the cutoff must drop none of them.
_BEFORE_ARXIV = datetime(1991, 1, 1, tzinfo=UTC)


def select_gaps(gaps: Sequence[Gap], names: Collection[str] | None) -> list[Gap]:
    """The gaps of the sources named (all when ``names`` is None); names match case-insensitively."""
    if names is None:
        return list(gaps)
    wanted = {name.lower() for name in names}
    return [gap for gap in gaps if gap.source.lower() in wanted]


def repair_gaps(
    fetcher: Fetcher,
    run: FetchRun,
    gaps: Sequence[Gap],
    now: datetime | None = None,
    starting: Callable[[int, int, Gap], None] | None = None,
) -> None:
    """Refetch each gap through ``run`` (stored, logged, muted, alerted as any fetch); record those that succeed.

    ``starting`` is told (number, of how many, gap) before each gap: one can take minutes of paced requests.
    """
    for number, gap in enumerate(gaps, 1):
        if starting:
            starting(number, len(gaps), gap)
        result, store_as, cap = refetch(fetcher, run, gap, now)
        run.on_result(result, store_as=store_as)
        capped = cap is not None and len(result.items) >= cap
        if result.ok and result.complete and not capped:
            run.store.record_repairs(gap.repair_keys, gap.source, run.report.outcomes[-1].new, now)
            run.report.repaired.append(gap.key)
        run.logger.info("repair %s: %s", gap.key, "done" if gap.key in run.report.repaired else "not done")


def refetch(
    fetcher: Fetcher, run: FetchRun, gap: Gap, now: datetime | None = None
) -> tuple[SourceResult, str | None, int | None]:
    """Fetch what ``gap`` covers: the result, the source to store it under (None: its own), its result cap."""
    if gap.kind is GapKind.ANNOUNCEMENT and gap.day is not None:
        query = day_repair_query(gap)
        return (
            fetcher.fetch_query(query, FeedState(query.name, newest_seen=_BEFORE_ARXIV)),
            gap.source,
            query.max_results,
        )
    config = run.config
    state = run.store.feed_state(gap.source)
    for search in config.arxiv.queries:
        if search.name == gap.source:
            query, state = further_back(search, state, now)
            return fetcher.fetch_query(query, state), None, query.max_results
    for feed in config.feeds:
        if feed.name == gap.source:
            return fetcher.fetch_feed(feed, state), None, None
    return fetcher.fetch_announcements(state), None, None


def day_repair_query(gap: Gap) -> ArxivQuery:
    """The API search for an announcement gap's day (logged under its own name, stored under the source's)."""
    assert gap.day is not None
    return ArxivQuery(
        name=f"{gap.source} repair {gap.day.isoformat()}",
        query=day_query(gap.categories, gap.day),
        max_results=REPAIR_MAX_RESULTS,
    )


def further_back(
    query: ArxivQuery, state: FeedState | None, now: datetime | None = None
) -> tuple[ArxivQuery, FeedState]:
    """A saved search and a state that page REPAIR_LOOKBACK further back than a normal run, with twice its cap."""
    moment = now or datetime.now(UTC)
    reached = state.newest_seen if state and state.newest_seen else moment - timedelta(days=query.first_run_days)
    widened = replace(state or FeedState(query.name), newest_seen=reached - REPAIR_LOOKBACK)
    return replace(query, max_results=query.max_results * 2), widened
