"""Promise 7: `.kb/kb.log` says what each unattended run did and stays bounded; `kb status` keeps the record."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kb.library.logs import BACKUPS, MAX_BYTES, run_logger
from tests.reliability.helpers import kb, status_json
from tests.reliability.hostile import huge_title_blog
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} pid=\d+ (INFO|WARNING|ERROR) ")


def _logs(root: Path) -> list[Path]:
    return sorted((root / ".kb").glob("kb.log*"))


def test_a_big_write_rotates_and_the_files_stay_bounded(tmp_path: Path) -> None:
    path = tmp_path / ".kb" / "kb.log"
    logger = run_logger(path)
    for number in range(6_000):  # ~6 MB: more than the four files may hold
        logger.info("line %d %s", number, "x" * 1000)
    for handler in list(logger.handlers):  # leave no open file behind for the next test
        handler.close()
        logger.removeHandler(handler)
    files = sorted(path.parent.glob("kb.log*"))
    assert [f.name for f in files] == ["kb.log", *(f"kb.log.{n}" for n in range(1, BACKUPS + 1))]
    assert all(f.stat().st_size <= MAX_BYTES for f in files)
    assert sum(f.stat().st_size for f in files) <= (BACKUPS + 1) * MAX_BYTES


def test_a_run_rotates_a_full_log_and_never_keeps_more_than_four_files(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",))
    log = root / ".kb" / "kb.log"
    for name in ("kb.log.3", "kb.log.2", "kb.log.1", "kb.log"):  # a log that has been full for a while
        (root / ".kb" / name).write_text(f"old {name}\n" + "y" * (MAX_BYTES - 20) + "\n")
    result = kb("fetch", "-q", root=root)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in _logs(root)] == ["kb.log", "kb.log.1", "kb.log.2", "kb.log.3"]
    assert log.stat().st_size < 10_000 and "fetch start" in log.read_text()
    assert (root / ".kb" / "kb.log.1").read_text().startswith("old kb.log\n")  # the newest old one, kept
    assert sum(p.stat().st_size for p in _logs(root)) <= 4 * MAX_BYTES + 10_000


def test_the_log_says_what_each_run_did(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    http_server.add("/gone", b"", status=404)
    with HttpServer() as other:
        other.add("/huge.xml", huge_title_blog(), headers={"Content-Type": "application/rss+xml"})
        root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",), feeds={"Gone": "/gone"})
        text = (
            (root / "feeds.yaml")
            .read_text()
            .replace("- name: Gone", f"- name: Huge\n  url: {other.url('/huge.xml')}\n- name: Gone")
        )
        (root / "feeds.yaml").write_text(text)
        assert kb("fetch", "-q", root=root).returncode == 1
    assert kb("reindex", root=root).returncode == 0
    lines = (root / ".kb" / "kb.log").read_text().splitlines()
    assert all(LINE.match(line) for line in lines), [line for line in lines if not LINE.match(line)][:3]
    assert all(len(line) < 2_000 for line in lines), "a feed's text reached the log"  # the 1 MB title is not logged
    text = "\n".join(lines)
    assert "fetch start sources=all" in text
    assert re.search(r"source='arxiv' ok http=200 new=2 ", text)
    assert re.search(r"source='Huge' ok http=200 new=1 ", text)
    assert re.search(r"source='Gone' FAILED http=404 error='HTTP 404", text)
    assert re.search(r"fetch run=1 done: 3 new, 0 updated from 3 sources; 1 failed: Gone", text)
    assert re.search(r"reindex: 3 documents", text)  # 3 items (notes/README.md is not a note)


def test_status_shows_runs_failures_and_the_index_health(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    http_server.add("/gone", b"", status=503)
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",), feeds={"Down": "/gone"})
    for _ in range(2):
        assert kb("fetch", "-q", root=root).returncode == 1
    status = status_json(root)
    runs = status["runs"]
    assert isinstance(runs, list) and [run["failed_sources"] for run in runs] == [["Down"], ["Down"]]
    assert runs[0]["new"] == 0 and runs[1]["new"] == 2 and all(run["finished"] for run in runs)
    assert status["failing"] == ["Down"] and status["incomplete"] == []
    index = status["index"]
    assert isinstance(index, dict)
    assert {k: index[k] for k in ("documents", "expected", "ok", "engine", "pending")} == {
        "documents": 2,
        "expected": 2,
        "ok": True,
        "pending": 0,
        "engine": "whoosh",
    }
    assert index["bytes"] > 0

    shutil.rmtree(root / ".kb" / "index")  # the index is a cache: lost, it is reported, then rebuilt on use
    assert status_json(root)["index"]["ok"] is False  # type: ignore[index]
    assert "needs `kb reindex`" in kb("status", root=root).stdout
    searched = kb("search", "attention", root=root)
    assert searched.returncode == 0 and "arxiv:1706.03762" in searched.stdout
    assert {k: status_json(root)["index"][k] for k in ("documents", "expected", "ok", "pending")} == {  # type: ignore[index]
        "documents": 2,
        "expected": 2,
        "ok": True,
        "pending": 0,
    }
