"""`kb status` and the rest a failing source gets."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli.main import main
from kb.library import Library
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]


def _status(root: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["--root", str(root), "status", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def test_status_reports_runs_sources_and_index(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    http_server.add("/gone", b"", status=500)
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",), feeds={"Gone": "/gone"})
    with Library.open(root) as library:
        library.fetch()
    status = _status(root)
    assert status["items"] == {
        "paper": {"new": 2, "read": 0, "skipped": 0},
        "post": {"new": 0, "read": 0, "skipped": 0},
    }
    assert status["failing"] == ["Gone"] and status["incomplete"] == []
    index = status["index"]
    assert isinstance(index, dict)
    assert {k: index[k] for k in ("documents", "expected", "ok", "engine", "pending")} == {
        "documents": 2,
        "expected": 2,
        "ok": True,
        "pending": 0,
        "engine": "whoosh",
    }
    assert index["bytes"] > 0  # 2 papers (notes/README.md is no note)
    runs = status["runs"]
    assert isinstance(runs, list) and runs[0]["failed_sources"] == ["Gone"]
    text = CliRunner().invoke(main, ["--root", str(root), "status"]).output
    assert "failing (1 in a row)" in text and "HTTP 500" in text


def test_a_source_failing_again_and_again_rests_until_named(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add("/gone", b"", status=404)
    http_server.add_file("/ok", FIXTURES / "rss_attention_v7.xml", "application/rss+xml")
    root = make_workspace(tmp_path / "ws", http_server, feeds={"Gone": "/gone", "Fine": "/ok"})
    with Library.open(root) as library:
        for _ in range(3):
            library.fetch()
        assert len(http_server.requests_for("/gone")) == 3
        report = library.fetch()
        assert report.resting == ["Gone"] and not report.failed
        assert "resting after repeated failures: Gone" in report.summary()
        assert len(http_server.requests_for("/gone")) == 3  # not asked again
        assert len(http_server.requests_for("/ok")) == 4
        named = library.fetch(["Gone"])
        assert [outcome.source for outcome in named.failed] == ["Gone"]
    sources = {source["name"]: source for source in _status(root)["sources"]}  # type: ignore[attr-defined]
    assert sources["Gone"]["consecutive_failures"] == 4 and sources["Gone"]["next_due"] is not None
    assert sources["Fine"]["consecutive_failures"] == 0 and sources["Fine"]["next_due"] is None
