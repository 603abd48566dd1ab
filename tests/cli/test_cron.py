"""The cron path as a real subprocess: exit statuses, -q silence, the fetch lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from filelock import FileLock

from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

REPO = Path(__file__).resolve().parents[2]


def kb(*args: str, root: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KB_DEBUG", None)
    command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def _workspace(tmp_path: Path, server: HttpServer, broken: bool = False) -> Path:
    server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    server.add("/blogs/gone", b"gone", status=410)
    feeds = {"Gone": "/blogs/gone"} if broken else {}
    return make_workspace(tmp_path / "ws", server, categories=("cs.CL",), feeds=feeds)


def test_quiet_fetch_prints_nothing_and_exits_0_when_all_went_well(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server)
    result = kb("fetch", "-q", root=root)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    listed = kb("list", "--json", root=root)
    assert '"arxiv:1706.03762"' in listed.stdout
    log = (root / ".kb" / "kb.log").read_text()
    assert "fetch start" in log and "2 new" in log


def test_a_failing_source_exits_1_names_it_and_stores_the_rest(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server, broken=True)
    result = kb("fetch", "-q", root=root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Gone" in result.stderr and "410" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert '"arxiv:2606.01234"' in kb("list", "--json", root=root).stdout


def test_without_q_the_summary_says_what_happened(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server, broken=True)
    result = kb("fetch", root=root)
    assert result.returncode == 1
    assert "2 new, 0 updated from 2 sources; 1 failed: Gone" in result.stderr


def test_a_bad_feeds_yaml_exits_2_with_one_line_and_changes_nothing(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server)
    (root / "feeds.yaml").write_text("arxiv:\n  categories: [cs.LG, cs.lg]\n")
    before = sorted(p.name for p in (root / ".kb").iterdir())
    result = kb("fetch", "-q", root=root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "feeds.yaml:2: arxiv.categories[1]" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (root / ".kb").iterdir()) == before


def test_a_second_fetch_waits_briefly_then_stands_down_with_exit_0(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server)
    with FileLock(str(root / ".kb" / "fetch.lock")):
        started = time.monotonic()
        result = kb("fetch", root=root)
        waited = time.monotonic() - started
    assert result.returncode == 0
    assert "another kb fetch is running" in result.stderr
    assert waited >= 4.5
    quiet = kb("fetch", "-q", root=root)  # the lock is free again: this one runs
    assert quiet.returncode == 0 and '"arxiv:1706.03762"' in kb("list", "--json", root=root).stdout


def test_a_lock_left_by_a_killed_fetch_does_not_block_the_next(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; "
            "FileLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)",
            str(root / ".kb" / "fetch.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    result = kb("fetch", "-q", root=root)
    assert (result.returncode, result.stderr) == (0, "")


def test_no_workspace_is_a_clear_error(tmp_path: Path) -> None:
    result = kb("list", root=tmp_path / "nowhere")
    assert result.returncode == 2
    assert "no workspace" in result.stderr and "kb init" in result.stderr
