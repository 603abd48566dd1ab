"""`kb fetch --repair`: what each gap refetches, through the real arxiv client and a loopback server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from kb.cli.main import main
from kb.config import ArxivQuery
from kb.library import Library
from kb.library.sources.gaps import previous_weekday, weekdays
from kb.library.sources.repair import REPAIR_LOOKBACK, further_back
from kb.models import FeedState, ItemFilter, Status
from tests.alerts.conftest import FRIDAY, announcement, first_page, gap_days, recorded_api, serve_announcement
from tests.support.httpserver import HttpServer, Response
from tests.support.inside import store_of
from tests.support.workspace import all_of_arxiv

BOTH = ("cs.CL", "cs.LG")
RSS_PATH = "/rss/cs.CL+cs.LG"
MAESTRO = "arxiv-api/api2016_search_au_del_maestro_AND_ti_quantum_criticality.xml"  # 2 of 2 results
RO = "arxiv-api/api2025_search_cat_cs.RO_AND_neural_max2.xml"  # 2 of 5619: later pages come back empty
ATTENTION = "arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"
TUESDAY_QUERY = "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202610301800 TO 202611021959]"


def _with_missed_days(library: Library, server: HttpServer) -> None:
    """Announcements seen on Monday 2 and Thursday 5 November: Tuesday and Wednesday missed."""
    for day in (date(2026, 11, 2), date(2026, 11, 5)):
        serve_announcement(server, RSS_PATH, announcement(day))
        library.fetch()


def test_repair_asks_the_api_for_each_missed_day_and_records_it(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    api = recorded_api(http_server, corpus, first_page({"submittedDate": MAESTRO}))
    root = workspace_factory(categories=BOTH)
    with Library.open(root) as library:
        _with_missed_days(library, http_server)
        etag_before = store_of(library).feed_state("arxiv")
        report = library.repair(now=FRIDAY)
        assert api.queries == [
            TUESDAY_QUERY,
            TUESDAY_QUERY.replace("202610301800 TO 202611021959", "202611021800 TO 202611031959"),
        ]
        assert report.repaired == ["announcement:2026-11-03", "announcement:2026-11-04"]
        assert [o.source for o in report.outcomes] == ["arxiv repair 2026-11-03", "arxiv repair 2026-11-04"]
        assert report.new == 2 and "2 gaps repaired" in report.summary()
        found = library.list_items(ItemFilter(source="arxiv", status=Status.NEW))
        assert {"arxiv:1111.2011", "arxiv:cond-mat/0607501"} <= {item.id for item in found}
        assert library.search("criticality").total == 2  # indexed like any fetch
        assert gap_days(library, FRIDAY) == []
        assert store_of(library).feed_state("arxiv") == etag_before  # the announcements' own state is left alone
        again = library.repair(now=FRIDAY)
    assert again.outcomes == [] and len(api.asked) == 2


def test_a_repair_that_fails_or_stops_short_leaves_the_gap(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    def answer(query: str, start: int) -> str | int | None:
        if "TO 202611021959" in query:
            return 400  # Tuesday's repair is refused
        return RO if start == 0 else None  # Wednesday's gets 2 of 5619, then empty pages

    recorded_api(http_server, corpus, answer)
    root = workspace_factory(categories=BOTH)
    with Library.open(root) as library:
        _with_missed_days(library, http_server)
        report = library.repair(now=FRIDAY)
        assert report.repaired == [] and [o.source for o in report.failed] == ["arxiv repair 2026-11-03"]
        assert [o.source for o in report.incomplete] == ["arxiv repair 2026-11-04"]
        assert library.get_item("2510.14968").sources == ("arxiv",)  # what came is kept
        assert [day for day, _ in gap_days(library, FRIDAY)] == ["2026-11-03", "2026-11-04"]


def test_repair_runs_an_incomplete_search_again_from_further_back(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    answers = {"neural": RO}
    api = recorded_api(http_server, corpus, first_page(answers))
    # The recorded 1706.03762 (2017) must stay inside the search's first-run window however old it grows.
    root = workspace_factory(queries={"robots": "neural"}, first_run_days=all_of_arxiv())
    with Library.open(root) as library:
        library.fetch()
        library.fetch()
        assert [gap.source for gap in library.gaps()] == ["robots"]
        answers["neural"] = ATTENTION  # arXiv answers in full again
        api.asked.clear()
        report = library.repair()
        assert report.repaired and not report.failed and library.gaps() == []
        assert api.asked == [("neural", 0)]
        assert store_of(library).source_log("robots", limit=1)[0].complete is True
        assert library.get_item("1706.03762").sources == ("robots",)


def test_further_back_pages_a_week_past_the_high_water_mark_with_twice_the_cap() -> None:
    query = ArxivQuery("robots", "neural", first_run_days=14, max_results=500)
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    widened, state = further_back(query, FeedState("robots", etag="e", newest_seen=seen, failures=2))
    assert (widened.max_results, state.newest_seen, state.etag, state.failures) == (
        1000,
        seen - REPAIR_LOOKBACK,
        "e",
        2,
    )
    _, fresh = further_back(query, None, now=FRIDAY)
    assert fresh.newest_seen == FRIDAY - timedelta(days=14) - REPAIR_LOOKBACK


def test_repair_fetches_a_failing_source_again_even_when_it_rests(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    blog = (corpus / "blogs" / "lilianweng_lil-log_hugo_rss2_index.xml").read_bytes()
    healthy: list[bool] = []
    http_server.add_handler("/blog", lambda _: Response(blog, 200) if healthy else Response(b"", 500))
    root = workspace_factory(feeds={"Blog": "/blog"})
    with Library.open(root) as library:
        for _ in range(3):
            library.fetch()
        assert library.fetch().resting == ["Blog"]
        later = datetime.now(UTC) + timedelta(days=2)
        assert [gap.source for gap in library.gaps(later)] == ["Blog"]
        healthy.append(True)
        report = library.repair(now=later)
        assert report.new == 53 and len(report.repaired) == 1
        assert library.gaps(later) == []


def test_fetch_repair_on_the_command_line(
    workspace_factory: Callable[..., Path], http_server: HttpServer, corpus: Path
) -> None:
    recorded_api(http_server, corpus, lambda query, start: 503)
    http_server.add("/blog", b"", status=500)
    # The command line uses the real clock: the last announcement seen three weekdays ago leaves two gaps.
    today = datetime.now(UTC).date()
    seen = previous_weekday(previous_weekday(previous_weekday(today)))
    serve_announcement(http_server, RSS_PATH, announcement(seen))
    root = workspace_factory(categories=BOTH, feeds={"Blog": "/blog"})
    runner = CliRunner()
    with Library.open(root) as library:
        library.fetch()
    missed = [f"arxiv repair {day.isoformat()}" for day in weekdays(seen + timedelta(days=1), today - timedelta(1))]
    # Only the named source's gaps; the announcement days' repair fails, so the exit status says so.
    failed = runner.invoke(main, ["--root", str(root), "fetch", "--repair", "--source", "arxiv"])
    assert failed.exit_code == 1, failed.output
    assert f"{len(missed)} failed: {', '.join(missed)}" in failed.output
    other = runner.invoke(main, ["--root", str(root), "fetch", "--repair", "--source", "Blog", "-q"])
    assert (other.exit_code, other.output) == (0, "")  # Blog has failed for hours, not days: nothing to repair
    nothing = runner.invoke(main, ["--root", str(root), "fetch", "--repair", "--source", "Blog"])
    assert nothing.exit_code == 0 and "no gaps to repair" in nothing.output
    unknown = runner.invoke(main, ["--root", str(root), "fetch", "--repair", "--source", "nope"])
    assert unknown.exit_code == 2 and "no source named 'nope'" in unknown.output
