"""Completeness: what kb may have missed, worked out from what fetches recorded.

Three kinds of gap:
- an **announcement** gap: a weekday (arXiv announces Monday to Friday) on which kb saw no paper of a followed
  category, since the first announcement it saw and within the last ``GAP_WINDOW_DAYS``: the RSS feed only
  ever shows today's announcement, so a day without a successful fetch, or a weekday whose feed was empty,
  is lost unless the API is asked for that day's submissions;
- a **search** gap: a saved search whose last ``INCOMPLETE_RUNS`` runs were all incomplete (arXiv kept
  giving empty pages);
- a **failing** gap: a source that has failed every try for at least ``FAILING_FOR``.

Days are UTC dates of the announcements' RSS dates. `kb fetch --repair` (kb.library.sources.repair) refetches what
a gap covers and records it as repaired, which takes it off the list.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kb.config import Config
from kb.models import SourceKind, SourceLogEntry, SourceResult

if TYPE_CHECKING:
    from kb.store import Store
    from kb.store.peek import StatusReads

#: How far back announcement days are checked (older misses are not listed, and not repaired).
GAP_WINDOW_DAYS = 21
#: Incomplete runs in a row after which a saved search is listed (one incomplete run repairs itself next time).
INCOMPLETE_RUNS = 2
#: How long a source must have been failing to be listed.
FAILING_FOR = timedelta(days=1)
_LOG_DEPTH = 50  # log entries read per source to find how long a streak has lasted


class GapKind(StrEnum):
    """What was missed."""

    ANNOUNCEMENT = "announcement"
    SEARCH = "search"
    FAILING = "failing"


@dataclass(frozen=True)
class Gap:
    """Something kb may have missed, and what a repair would refetch."""

    key: str  # stable for the same gap: `announcement:2026-11-03`, `search:NAME:SINCE`, `failing:NAME:SINCE`
    kind: GapKind
    source: str  # the configured source it belongs to (the announcements' source name for a day)
    detail: str  # one readable line
    day: date | None = None  # announcement gaps
    categories: tuple[str, ...] = ()  # announcement gaps: the categories without papers that day
    since: datetime | None = None  # search and failing gaps: when the trouble began

    @property
    def repair_keys(self) -> tuple[str, ...]:
        """The keys a repair records: one per category for a day, so a later partial miss still shows."""
        if self.kind is GapKind.ANNOUNCEMENT and self.day is not None:
            return tuple(announcement_key(self.day, category) for category in self.categories)
        return (self.key,)

    def as_json(self) -> dict[str, Any]:
        """The shape of one entry of `kb status --json`'s ``gaps``."""
        return {
            "key": self.key,
            "kind": self.kind.value,
            "source": self.source,
            "detail": self.detail,
            "day": self.day.isoformat() if self.day else None,
            "categories": list(self.categories),
            "since": self.since.isoformat() if self.since else None,
        }


def announcement_key(day: date, category: str) -> str:
    """The repair key of one category's announcement on one day."""
    return f"announcement:{day.isoformat()}:{category}"


# --- recording, at fetch time ---------------------------------------------------------------------


def in_category(item_categories: Collection[str], followed: str) -> bool:
    """Whether a paper belongs to a followed category (``cs`` follows the whole archive)."""
    return any(c == followed or c.startswith(followed + ".") for c in item_categories)


def announcement_counts(
    categories: Collection[str], result: SourceResult, now: datetime
) -> dict[tuple[str, date], int]:
    """Papers per (followed category, announcement day) in an RSS result; an empty feed counts 0 for today."""
    if result.kind is not SourceKind.ARXIV_RSS or not result.ok or result.not_modified:
        return {}  # a failure or a 304 says nothing about what was announced
    if not result.items:
        return {(category, now.astimezone(UTC).date()): 0 for category in categories}
    counts: dict[tuple[str, date], int] = {}
    for item in result.items:
        announced = item.updated or item.published
        if announced is None:
            continue
        day = announced.astimezone(UTC).date()
        for category in categories:
            hit = in_category(item.categories, category)
            counts[category, day] = counts.get((category, day), 0) + int(hit)
    return counts


def record_announcements(store: Store, config: Config, result: SourceResult, now: datetime | None = None) -> None:
    """Remember which days the announcements in ``result`` covered, per followed category."""
    moment = now or datetime.now(UTC)
    counts = announcement_counts(config.arxiv.categories, result, moment)
    if counts:
        store.record_announcements(counts, moment)


# --- finding gaps ---------------------------------------------------------------------------------


def find_gaps(store: StatusReads, config: Config, now: datetime | None = None) -> list[Gap]:
    """Every gap, oldest announcement day first, then incomplete searches, then failing sources."""
    moment = now or datetime.now(UTC)
    gaps = announcement_gaps(store, config, moment.astimezone(UTC).date())
    gaps += search_gaps(store, config)
    gaps += failing_gaps(store, config, moment)
    return gaps


def previous_weekday(day: date) -> date:
    """The last Monday-to-Friday day before ``day``."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def weekdays(first: date, last: date) -> list[date]:
    """Monday-to-Friday days from ``first`` to ``last``, both included."""
    count = (last - first).days + 1
    days = (first + timedelta(days=n) for n in range(max(count, 0)))
    return [day for day in days if day.weekday() < 5]


def announcement_gaps(store: StatusReads, config: Config, today: date) -> list[Gap]:
    """Weekdays without papers of a followed category, grouped by day."""
    categories = config.arxiv.categories
    window = today - timedelta(days=GAP_WINDOW_DAYS)
    firsts = store.first_announcement_days()
    seen = store.announcement_days(window)
    missing: dict[date, list[str]] = {}
    for category in categories:
        first = firsts.get(category)
        if first is None:
            continue  # never fetched: nothing to have missed yet
        counts = seen.get(category, {})
        # Today counts only once a fetch found today's feed empty: the announcement may simply be still to come.
        days = weekdays(max(first, window), today - timedelta(days=1))
        days += [today] if counts.get(today) == 0 and today.weekday() < 5 else []
        for day in days:
            if not counts.get(day):
                missing.setdefault(day, []).append(category)
    keys = [announcement_key(day, c) for day, cats in missing.items() for c in cats]
    done = store.repaired(keys)
    gaps = []
    for day in sorted(missing):
        left = tuple(c for c in missing[day] if announcement_key(day, c) not in done)
        if left:
            detail = f"no {', '.join(left)} announcement seen for {day:%a %Y-%m-%d}"
            source = config.arxiv.rss_source_name
            gaps.append(Gap(f"announcement:{day.isoformat()}", GapKind.ANNOUNCEMENT, source, detail, day, left))
    return gaps


def _streak(entries: list[SourceLogEntry], ok: bool, complete: bool | None = None) -> list[SourceLogEntry]:
    """The newest log entries, newest first, that match ``ok`` (and ``complete``), up to the first that does not."""
    streak = []
    for entry in entries:
        if entry.ok is not ok or (complete is not None and entry.complete is not complete):
            break
        streak.append(entry)
    return streak


def search_gaps(store: StatusReads, config: Config) -> list[Gap]:
    """Saved searches whose last runs were all incomplete."""
    gaps = []
    for query in config.arxiv.queries:
        streak = _streak(store.source_log(query.name, limit=_LOG_DEPTH), ok=True, complete=False)
        if len(streak) < INCOMPLETE_RUNS:
            continue
        since = streak[-1].when
        key = f"search:{query.name}:{since.isoformat()}"
        if store.repaired([key]):
            continue
        detail = f"last {len(streak)} runs incomplete (arXiv gave empty pages) since {since:%Y-%m-%d %H:%M}"
        gaps.append(Gap(key, GapKind.SEARCH, query.name, detail, since=since))
    return gaps


def failing_gaps(store: StatusReads, config: Config, now: datetime) -> list[Gap]:
    """Sources that have failed every try for at least FAILING_FOR."""
    gaps = []
    states = store.feed_states()
    for name in config.source_names():
        state = states.get(name)
        if state is None or not state.failures:
            continue
        streak = _streak(store.source_log(name, limit=_LOG_DEPTH), ok=False)
        if not streak:
            continue
        since = streak[-1].when
        if now - since < FAILING_FOR:
            continue
        key = f"failing:{name}:{since.isoformat()}"
        if store.repaired([key]):
            continue
        error = streak[0].error or "failed"
        detail = f"failing since {since:%Y-%m-%d %H:%M} ({state.failures} in a row): {error}"
        gaps.append(Gap(key, GapKind.FAILING, name, detail, since=since))
    return gaps


def submission_window(day: date) -> tuple[datetime, datetime]:
    """The submissions (UTC) arXiv announced on ``day``, with an hour's margin each side.

    The announcement dated D goes out the evening before and carries what was submitted between the 14:00
    US Eastern deadlines of the two weekdays before D: Friday 14:00 to Monday 14:00 for a Tuesday. 14:00
    Eastern is 18:00 or 19:00 UTC with daylight saving time, hence 18:00 to 19:59.
    """
    end = previous_weekday(day)
    start = previous_weekday(end)
    return datetime.combine(start, time(18, 0), UTC), datetime.combine(end, time(19, 59), UTC)


def day_query(categories: Collection[str], day: date) -> str:
    """The arXiv API query for the followed categories' submissions announced on ``day``."""
    start, end = submission_window(day)
    cats = " OR ".join(f"cat:{category}" for category in categories)
    cats = f"({cats})" if len(categories) > 1 else cats
    return f"{cats} AND submittedDate:[{start:%Y%m%d%H%M} TO {end:%Y%m%d%H%M}]"
