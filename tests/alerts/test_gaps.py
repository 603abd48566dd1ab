"""Completeness: the gaps kb finds in what real fetches recorded (loopback server, real parsers, real store)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from kb.cli.main import main
from kb.fetchers import Fetcher
from kb.library import Library
from kb.library.sources.gaps import GAP_WINDOW_DAYS, GapKind, previous_weekday, record_announcements, weekdays
from tests.alerts.conftest import FRIDAY, announcement, first_page, gap_days, recorded_api, serve_announcement
from tests.support.httpserver import HttpServer, Response, sequence
from tests.support.inside import store_of

BOTH = ("cs.CL", "cs.LG")
RSS_PATH = "/rss/cs.CL+cs.LG"
EMPTY_RSS = "arxiv-rss/rss2024_empty_feed_archive_test.xml"
RO = "arxiv-api/api2025_search_cat_cs.RO_AND_neural_max2.xml"  # 2 entries of 5619: later pages come back empty


def _fetch_days(library: Library, server: HttpServer, days: list[date], path: str = RSS_PATH) -> None:
    for day in days:
        serve_announcement(server, path, announcement(day))
        assert not library.fetch().failed


def test_weekdays_without_an_announcement_are_gaps_and_weekends_are_not(
    workspace_factory: Callable[..., Path], http_server: HttpServer
) -> None:
    root = workspace_factory(categories=BOTH)
    with Library.open(root) as library:
        _fetch_days(library, http_server, [date(2026, 10, 29), date(2026, 11, 2), date(2026, 11, 5)])
        gaps = library.gaps(FRIDAY)
    assert [(gap.day.isoformat() if gap.day else None, gap.categories) for gap in gaps] == [
        ("2026-10-30", BOTH),  # a Friday; the weekend after it is no gap, nor is today (its feed may be to come)
        ("2026-11-03", BOTH),
        ("2026-11-04", BOTH),
    ]
    assert gaps[1].kind is GapKind.ANNOUNCEMENT and gaps[1].source == "arxiv"
    assert gaps[1].detail == "no cs.CL, cs.LG announcement seen for Tue 2026-11-03"
    assert gaps[1].repair_keys == ("announcement:2026-11-03:cs.CL", "announcement:2026-11-03:cs.LG")


def test_a_category_without_papers_that_day_is_a_gap_for_that_category_alone(
    workspace_factory: Callable[..., Path], http_server: HttpServer
) -> None:
    root = workspace_factory(categories=("cs.CL", "stat.ML"))
    with Library.open(root) as library:
        _fetch_days(library, http_server, [date(2026, 11, 4), date(2026, 11, 5)], "/rss/cs.CL+stat.ML")
        assert gap_days(library, FRIDAY) == [("2026-11-04", ("stat.ML",)), ("2026-11-05", ("stat.ML",))]


def test_the_recorded_four_category_announcement_covers_what_it_carries(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    recorded = corpus / "arxiv-rss" / "rss2026_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4items.xml"
    http_server.add_file("/rss/cs.LG+cs.AI+cs.CL+stat.ML", recorded, "application/rss+xml")
    root = workspace_factory(categories=("cs.LG", "cs.AI", "cs.CL", "stat.ML"))
    with Library.open(root) as library:
        library.fetch()
        days = store_of(library).announcement_days(date(2026, 9, 1))
        # The trimmed feed has no cs.CL paper: that category's day is a gap, the others' are not.
        assert gap_days(library, datetime(2026, 9, 25, 9, tzinfo=UTC)) == [("2026-09-24", ("cs.CL",))]
    thursday = date(2026, 9, 24)
    assert {category: counts[thursday] for category, counts in days.items()} == {
        "cs.LG": 3,
        "cs.AI": 1,
        "cs.CL": 0,
        "stat.ML": 2,
    }


def test_an_empty_feed_on_a_weekday_is_a_gap_that_day_until_its_papers_come(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    http_server.add_file(RSS_PATH, corpus / EMPTY_RSS, "application/rss+xml")
    root = workspace_factory(categories=BOTH)
    wednesday, saturday = datetime(2026, 11, 4, 9, tzinfo=UTC), datetime(2026, 11, 7, 9, tzinfo=UTC)
    with Library.open(root) as library, Fetcher(library.config) as fetcher:
        empty = fetcher.fetch_announcements(None)
        assert empty.ok and not empty.items
        record_announcements(store_of(library), library.config, empty, now=saturday)
        assert gap_days(library, saturday) == []  # no announcement on a Saturday is the rule
        record_announcements(store_of(library), library.config, empty, now=wednesday)
        assert gap_days(library, wednesday) == [("2026-11-04", BOTH)]
        serve_announcement(http_server, RSS_PATH, announcement(wednesday.date()))
        later = fetcher.fetch_announcements(None)  # the announcement came out after all
        record_announcements(store_of(library), library.config, later, now=wednesday + timedelta(hours=12))
        assert gap_days(library, wednesday + timedelta(hours=12)) == []


def test_a_failed_fetch_covers_no_day(workspace_factory: Callable[..., Path], http_server: HttpServer) -> None:
    root = workspace_factory(categories=BOTH)
    with Library.open(root) as library:
        _fetch_days(library, http_server, [date(2026, 11, 2)])
        http_server.add(RSS_PATH, b"", status=503)
        assert library.fetch().failed
        assert list(store_of(library).announcement_days(date(2026, 11, 1))["cs.CL"]) == [date(2026, 11, 2)]
        assert [day for day, _ in gap_days(library, FRIDAY)] == ["2026-11-03", "2026-11-04", "2026-11-05"]


def test_only_the_last_weeks_are_looked_at(workspace_factory: Callable[..., Path], http_server: HttpServer) -> None:
    root = workspace_factory(categories=BOTH)
    long_ago = FRIDAY.date() - timedelta(days=60)
    with Library.open(root) as library:
        _fetch_days(library, http_server, [long_ago])
        days = [date.fromisoformat(day) for day, _ in gap_days(library, FRIDAY)]
    window = FRIDAY.date() - timedelta(days=GAP_WINDOW_DAYS)
    assert days == weekdays(window, FRIDAY.date() - timedelta(days=1))


def test_a_search_incomplete_run_after_run_is_a_gap(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    recorded_api(http_server, corpus, first_page({"neural": RO}))
    root = workspace_factory(queries={"robots": "cat:cs.RO AND neural"})
    with Library.open(root) as library:
        assert library.fetch().incomplete
        assert library.gaps() == []  # one incomplete run: the next run pages back as far again
        library.fetch()
        (gap,) = library.gaps()
    assert (gap.kind, gap.source) == (GapKind.SEARCH, "robots")
    assert gap.detail.startswith("last 2 runs incomplete (arXiv gave empty pages) since ")
    assert gap.since is not None and gap.key == f"search:robots:{gap.since.isoformat()}"


def test_a_source_failing_for_days_is_a_gap(workspace_factory: Callable[..., Path], http_server: HttpServer) -> None:
    http_server.add_handler("/blog", sequence(Response(b"", 500)))
    root = workspace_factory(feeds={"Blog": "/blog"})
    with Library.open(root) as library:
        library.fetch()
        library.fetch(["Blog"])
        now = datetime.now(UTC)
        assert library.gaps(now + timedelta(hours=3)) == []  # a bad morning is not yet a gap
        (gap,) = library.gaps(now + timedelta(days=2))
    assert (gap.kind, gap.source) == (GapKind.FAILING, "Blog")
    assert "(2 in a row)" in gap.detail and "500" in gap.detail


def test_status_lists_the_gaps_in_text_and_json(
    workspace_factory: Callable[..., Path], http_server: HttpServer
) -> None:
    today = datetime.now(UTC).date()
    three_back = previous_weekday(previous_weekday(previous_weekday(today)))
    serve_announcement(http_server, RSS_PATH, announcement(three_back))
    root = workspace_factory(categories=BOTH)
    with Library.open(root) as library:
        library.fetch()
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["--root", str(root), "status", "--json"], catch_exceptions=False).output)
    expected = weekdays(three_back + timedelta(days=1), today - timedelta(days=1))
    assert [gap["day"] for gap in data["gaps"]] == [day.isoformat() for day in expected]
    assert data["gaps"][0] == {
        "key": f"announcement:{expected[0].isoformat()}",
        "kind": "announcement",
        "source": "arxiv",
        "detail": f"no cs.CL, cs.LG announcement seen for {expected[0]:%a %Y-%m-%d}",
        "day": expected[0].isoformat(),
        "categories": ["cs.CL", "cs.LG"],
        "since": None,
    }
    text = runner.invoke(main, ["--root", str(root), "status"], catch_exceptions=False).output
    assert "gaps (`kb fetch --repair` refetches them):" in text
    assert f"no cs.CL, cs.LG announcement seen for {expected[-1]:%a %Y-%m-%d}" in text


def test_status_says_when_there_are_no_gaps(workspace_factory: Callable[..., Path]) -> None:
    root = workspace_factory()
    text = CliRunner().invoke(main, ["--root", str(root), "status"], catch_exceptions=False).output
    assert "gaps: none" in text
