"""Promise 1, end to end: every network fault at once in one workspace, one real `kb fetch` process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reliability.faults import FAULTS, UNICODE_TITLE, FaultRun, describe, run_fault_scenario
from tests.reliability.helpers import assert_inert, kb, status_json
from tests.support.httpserver import HttpServer, Response, http_server, static
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

FAILING = sorted(fault.name for fault in FAULTS if fault.error)
COPING = sorted(fault.name for fault in FAULTS if fault.error is None)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    from tests.conftest import corpus_dir

    corpus = corpus_dir()
    if corpus is None:
        pytest.skip("recorded corpus not found: set KB_CORPUS or put shared/corpus beside the repository")
    return run_fault_scenario(tmp_path_factory.mktemp("faults"), corpus)


def test_the_run_ends_in_bounded_time_with_exit_1(run: FaultRun) -> None:
    # The slowest fault is bounded by total_timeout (4 s) plus a retry; hosts are fetched in parallel.
    assert run.returncode == 1, describe(run)
    assert run.seconds < 25, f"a fetch over faulty hosts took {run.seconds:.1f} s"
    assert run.stdout == ""
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert_inert(run.stderr, "kb fetch")


def test_every_good_source_is_stored_in_full(run: FaultRun) -> None:
    assert run.good_lost == 0, {s: len(run.stored_by_source.get(s, ())) for s in run.good_expected}
    for name in COPING:
        assert run.source(name)["consecutive_failures"] == 0, run.source(name)


def test_each_fault_is_recorded_for_its_source_with_a_readable_error(run: FaultRun) -> None:
    assert sorted(run.status["failing"]) == FAILING  # type: ignore[call-overload]
    for fault in FAULTS:
        if fault.error is None:
            continue
        entry = run.source(fault.name)
        error = entry["last_error"]
        assert isinstance(error, str) and re.search(fault.error, error), (fault.name, error)
        assert "\n" not in error and len(error) < 300 and "Traceback" not in error
        assert entry["consecutive_failures"] == 1
        assert f"source={fault.name!r} FAILED" in run.log
    assert sorted(run.survived) == sorted(fault.name for fault in FAULTS)


def test_the_summary_tells_the_truth(run: FaultRun) -> None:
    summary = run.stderr.strip().splitlines()[-1]
    total = len(FAULTS) + 4  # two good blogs, the announcements and a saved search
    distinct = len(set().union(*run.stored_by_source.values()))
    match = re.match(rf"(\d+) new, (\d+) updated from {total} sources; {len(FAILING)} failed: (.*)$", summary)
    assert match, summary
    # One paper comes from the announcements and the saved search: new once, then updated by the richer source.
    assert int(match.group(1)) == distinct and int(match.group(2)) <= 1
    assert sorted(match.group(3).split(", ")) == FAILING
    runs = run.status["runs"]
    assert isinstance(runs, list) and sorted(runs[0]["failed_sources"]) == FAILING and runs[0]["new"] == distinct
    assert f"done: {summary}" in run.log


def test_transient_failures_are_retried_with_backoff_and_retry_after_is_honoured(run: FaultRun) -> None:
    times = run.request_times
    for name in ("HTTP 500", "HTTP 502", "HTTP 429", "HTTP 503 Retry-After", "500 then fine", "429 then fine"):
        assert len(times[name]) == 2, (name, times[name])  # retries: 1
    for name in ("HTTP 404", "HTTP 410", "HTML page", "corrupt gzip", "over the size cap"):
        if name in times:
            assert len(times[name]) == 1, (name, times[name])  # permanent: asked once
    for name in ("HTTP 503 Retry-After", "429 then fine"):  # Retry-After: 1
        assert times[name][1] - times[name][0] >= 0.95, (name, times[name])
    assert times["HTTP 500"][1] - times["HTTP 500"][0] >= 0.04  # backoff_seconds: 0.05


def test_quirks_kb_copes_with_end_well(run: FaultRun) -> None:
    assert run.titles["missing charset"] == [UNICODE_TITLE]
    assert run.titles["wrong charset"] == [UNICODE_TITLE]
    assert run.titles["permanent redirect"] == ["Moved post"]
    assert run.titles["500 then fine"] == ["Flaky"] and run.titles["429 then fine"] == ["Patient"]
    assert "always 304" not in run.stored_by_source  # "not modified": nothing new, nothing broken


def test_status_text_names_every_failing_source(run: FaultRun) -> None:
    result = kb("status", root=run.root)
    assert result.returncode == 0
    assert_inert(result.stdout + result.stderr, "kb status")
    for name in FAILING:
        assert re.search(rf"{re.escape(name)}.*failing \(1 in a row\)", result.stdout), name


def test_a_source_that_keeps_failing_rests_and_status_says_until_when(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_handler("/gone", static(Response(b"", 500)))
    http_server.add_file("/ok", FIXTURES / "rss_attention_v7.xml", "application/rss+xml")
    root = make_workspace(tmp_path / "ws", http_server, feeds={"Down": "/gone", "Fine": "/ok"})
    for _ in range(3):
        assert kb("fetch", "-q", root=root).returncode == 1
    asked = len(http_server.requests_for("/gone"))
    assert asked == 6  # three runs, each with one retry
    rested = kb("fetch", root=root)
    assert rested.returncode == 0, rested.stderr  # nothing failed: the failing source was not tried
    assert "resting after repeated failures: Down" in rested.stderr
    assert len(http_server.requests_for("/gone")) == asked
    down = next(s for s in status_json(root)["sources"] if s["name"] == "Down")  # type: ignore[attr-defined]
    assert down["consecutive_failures"] == 3 and down["next_due"] is not None
    assert "resting until" in kb("status", root=root).stdout
