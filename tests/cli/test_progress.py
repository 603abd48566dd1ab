"""Progress of long commands (issue 12): a status line on stderr when it is a terminal, never under -q, never on
stdout (so never in --json), and no carriage returns or escapes when stderr is a pipe or a file.

Real processes with stderr on a pseudo-terminal (python's pty), a real workspace over the loopback server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb.library import Library
from tests.alerts.conftest import recorded_api
from tests.support.arxiv_ids import IdListApi
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

REPO = Path(__file__).resolve().parent.parent.parent
RO = "arxiv-api/api2025_search_cat_cs.RO_AND_neural_max2.xml"  # 2 of 5619: later pages come back empty
STATUS = "\x1b[K"  # what ends every status line


def on_terminal(root: Path, *args: str) -> tuple[int, str, str]:
    """Run kb with stderr on a pseudo-terminal and stdout on a pipe: (exit status, stdout, the terminal's text)."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm"}
    command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), *args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, env=env
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the other side closed: the process ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        stdout = process.stdout.read().decode() if process.stdout else ""
        status = process.wait(timeout=120)
    os.close(leader)
    return status, stdout, b"".join(chunks).decode().replace("\r\n", "\n")  # the terminal's own newline


def on_pipes(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.fixture
def root(tmp_path: Path, http_server: HttpServer, corpus: Path) -> Path:
    """A workspace with one recorded blog (53 posts) fetched, and the arXiv API answering id look-ups."""
    http_server.add_handler("/api/query", IdListApi(corpus))
    blog = http_server.add_file("/lilog.xml", corpus / "blogs" / "lilianweng_lil-log_hugo_rss2_index.xml")
    workspace = make_workspace(tmp_path / "ws", http_server, feeds={"Lil'Log": blog.removeprefix(http_server.base_url)})
    with Library.open(workspace) as library:
        assert library.fetch().new == 53
    return workspace


def test_reindex_shows_its_progress_on_a_terminal_only(root: Path) -> None:
    status, stdout, terminal = on_terminal(root, "reindex")
    assert status == 0 and stdout == ""
    assert "\rreindex: " in terminal and STATUS in terminal
    assert terminal.rstrip().endswith("indexed 53 documents")  # the status line ended before the summary
    piped = on_pipes(root, "reindex")
    assert piped.returncode == 0 and "\r" not in piped.stderr and "\x1b" not in piped.stderr


def test_import_bib_progress_stays_off_stdout_and_out_of_quiet_runs(root: Path) -> None:
    bib = FIXTURES / "zotero" / "library.bib"
    status, stdout, terminal = on_terminal(root, "import-bib", "--json", str(bib))
    assert status == 1  # arXiv does not know one of the fixture's ids
    assert json.loads(stdout)["marked"]  # stdout is the JSON alone
    assert "import-bib: fetching from arXiv 0/4" in terminal and "import-bib: marking 3/3" in terminal
    status, stdout, terminal = on_terminal(root, "import-bib", "-q", str(bib))
    assert "\r" not in terminal and STATUS not in terminal  # -q: only what could not be imported
    assert "not imported" in terminal and "entries" not in terminal


def test_a_rebuild_any_command_must_run_first_shows_progress_unless_quiet(root: Path) -> None:
    (root / ".kb" / "index").rename(root / ".kb" / "index-gone")
    _, _, terminal = on_terminal(root, "search", "attention")
    assert "\rrebuilding the search index: " in terminal
    (root / ".kb" / "index").rename(root / ".kb" / "index-gone-2")
    _, _, quiet = on_terminal(root, "fetch", "-q")
    assert quiet == ""  # cron's flag: nothing at all when all went well


def test_fetch_repair_says_which_gap_it_is_on(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    recorded_api(http_server, corpus, lambda query, start: RO if start == 0 else None)
    root = make_workspace(tmp_path / "ws", http_server, queries={"robots": "cat:cs.RO AND neural"})
    for _ in range(2):  # arXiv promises 5619 and sends 2: two incomplete runs make a gap to repair
        assert "incomplete" in on_pipes(root, "fetch").stderr
    _, stdout, terminal = on_terminal(root, "fetch", "--repair")
    assert stdout == ""
    assert "\rrepair: gap 1/1: robots: last 2 runs incomplete" in terminal
    shown = [line.split("\r")[-1].replace(STATUS, "") for line in terminal.split("\n")]  # as the screen shows it
    assert any(line.startswith(("  ✓ robots", "  ✗ robots")) for line in shown)  # the outcome on a line of its own
    assert any(" new, " in line and "from 1 source" in line for line in shown)  # the summary on its own line
