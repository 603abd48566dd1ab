"""The fetch log (runs and per-source entries) and the per-source state kept between runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from store_helpers import T0, at, paper

from kb.errors import NotFound
from kb.models import FeedState, SourceKind, SourceLogEntry, SourceResult, UpsertReport
from kb.store import Store


def ok(source: str = "cs.LG", **fields: object) -> SourceResult:
    values: dict[str, object] = {"kind": SourceKind.ARXIV_RSS, "http_status": 200, "duration": 1.5}
    values.update(fields)
    return SourceResult(source, **values)  # type: ignore[arg-type]


def failed(source: str = "cs.LG", **fields: object) -> SourceResult:
    values: dict[str, object] = {"ok": False, "http_status": 503, "error": "HTTP 503 from rss.arxiv.org"}
    values.update(fields)
    return ok(source, **values)


def test_a_run_logs_each_source_and_sums_up(store: Store) -> None:
    run = store.start_run(now=T0)
    store.record_source(run, ok("cs.LG"), UpsertReport(new=("a", "b"), unchanged=4), now=at(0.1))
    store.record_source(run, ok("hinton", kind=SourceKind.ARXIV_QUERY), UpsertReport(updated=("c",)), now=at(0.2))
    store.record_source(run, failed("Lil'Log", kind=SourceKind.FEED), UpsertReport(), now=at(0.3))
    summary = store.finish_run(run, now=at(0.5))
    assert (summary.run_id, summary.started, summary.finished) == (run, T0, at(0.5))
    assert (summary.new, summary.updated, summary.failed_sources) == (2, 1, ("Lil'Log",))
    assert store.recent_runs() == [summary]


def test_recent_runs_newest_first_including_unfinished_ones(store: Store) -> None:
    first = store.start_run(now=T0)
    store.finish_run(first, now=at(1))
    second = store.start_run(now=at(2))  # never finished (killed)
    third = store.start_run(now=at(3))
    store.record_source(third, failed("a,b"), UpsertReport())
    store.record_source(third, failed("a,b"), UpsertReport())
    runs = store.recent_runs()
    assert [r.run_id for r in runs] == [third, second, first]
    assert (runs[1].finished, runs[1].new, runs[1].failed_sources) == (None, 0, ())
    assert runs[0].failed_sources == ("a,b",)  # once, and a comma in a name survives
    assert [r.run_id for r in store.recent_runs(limit=1)] == [third]


def test_source_log_entries_say_when_how_and_how_many(store: Store) -> None:
    run = store.start_run(now=T0)
    store.record_source(
        run,
        ok("cs.LG", url="https://rss.arxiv.org/rss/cs.LG"),
        UpsertReport(new=("a",), updated=("b",), unchanged=3),
        now=at(1),
    )
    store.record_source(run, failed("Lil'Log", kind=SourceKind.FEED, complete=False), UpsertReport(), now=at(2))
    log = store.source_log()
    assert [entry.source for entry in log] == ["Lil'Log", "cs.LG"]  # newest first
    assert log[1] == SourceLogEntry(
        run_id=run, source="cs.LG", kind="arxiv-rss", when=at(1), http_status=200, ok=True, complete=True,
        not_modified=False, new=1, updated=1, unchanged=3, error=None, duration=1.5,
        url="https://rss.arxiv.org/rss/cs.LG",
    )  # fmt: skip
    assert (log[0].ok, log[0].complete, log[0].error) == (
        False,
        False,
        "HTTP 503 from rss.arxiv.org",
    )
    assert [e.source for e in store.source_log("cs.LG")] == ["cs.LG"]
    assert len(store.source_log(limit=1)) == 1


def test_recording_into_an_unknown_run_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no fetch run 42"):
        store.record_source(42, ok(), UpsertReport())
    with pytest.raises(NotFound):
        store.finish_run(42)
    assert store.source_log() == []


def test_recording_a_source_leaves_its_feed_state_to_the_caller(store: Store) -> None:
    run = store.start_run(now=T0)
    store.record_source(run, failed(), UpsertReport())
    store.record_source(run, ok(etag='"v1"', items=(paper(),)), UpsertReport())
    assert store.feed_state("cs.LG") is None


def test_saved_feed_state_round_trips(store: Store) -> None:
    assert store.feed_state("x") is None and store.feed_states() == {}
    state = FeedState("x", etag='W/"1"', last_modified="lm", last_success=T0, newest_seen=at(-48), failures=3)
    store.save_feed_state(state)
    assert store.feed_state("x") == state
    store.save_feed_state(FeedState("x"))  # replaces every field
    store.save_feed_state(FeedState("a", failures=1))
    assert store.feed_states() == {"a": FeedState("a", failures=1), "x": FeedState("x")}


def test_feed_state_times_come_back_as_utc_whatever_zone_went_in(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    store.save_feed_state(FeedState("x", last_success=at(1).astimezone(paris), newest_seen=datetime(2026, 11, 2)))
    state = store.feed_state("x")
    assert state is not None
    assert (state.last_success, state.newest_seen) == (at(1), datetime(2026, 11, 2, tzinfo=UTC))
    assert state.last_success.tzinfo is UTC  # type: ignore[union-attr]
