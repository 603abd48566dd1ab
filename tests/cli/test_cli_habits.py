"""The habits of a terminal tool: pipes, colour, dash queries, exit statuses a script can rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli.main import main
from kb.cli.output import use_color
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, arxiv_api, make_workspace

__all__ = ["http_server"]

REPO = Path(__file__).resolve().parents[2]
ATTENTION = "arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], env=env, catch_exceptions=False)


@pytest.fixture
def root(tmp_path: Path, http_server: HttpServer) -> Path:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",))
    assert run(root, "fetch", "-q").exit_code == 0
    return root


# --- 8: a closed pipe -------------------------------------------------------------------------------


def test_a_reader_that_stops_early_ends_kb_quietly(root: Path) -> None:
    """`kb list | head -1`: the pipe closes before kb is done writing; no traceback, no internal error."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KB_DEBUG", None)
    command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), "list"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # as `head` does once it has its line
        stderr = process.stderr.read().decode()
        status = process.wait(timeout=60)
    assert stderr == ""
    assert status == 141  # 128 + SIGPIPE, what a shell reports for `yes | head -1`


# --- 9: colour --------------------------------------------------------------------------------------


def test_colour_follows_no_color_term_and_the_flag() -> None:
    terminal = {"TERM": "xterm-256color"}
    assert use_color("auto", True, terminal)
    assert not use_color("auto", False, terminal)
    assert not use_color("auto", True, {**terminal, "NO_COLOR": "1"})
    assert not use_color("auto", True, {"TERM": "dumb"})
    assert use_color("auto", True, {**terminal, "NO_COLOR": ""})  # no-color.org: only a non-empty value counts
    assert use_color("always", False, {"TERM": "dumb", "NO_COLOR": "1"})
    assert not use_color("never", True, terminal)


def test_search_writes_escapes_only_when_asked(root: Path) -> None:
    always = run(root, "search", "--color", "always", "attention")
    assert always.exit_code == 0 and "\x1b[" in always.stdout
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        plain = run(root, "search", "attention", env=env)
        assert plain.exit_code == 0 and "\x1b" not in plain.stdout
    assert "\x1b" not in run(root, "search", "--color", "never", "attention").stdout
    assert run(root, "search", "--color", "sometimes", "attention").exit_code == 2


def test_search_in_a_terminal_honours_no_color(root: Path) -> None:
    """A real pseudo-terminal: auto colours it, unless NO_COLOR or TERM=dumb say no."""
    pty = pytest.importorskip("pty")

    def search(extra: dict[str, str]) -> str:
        inherited = {name: value for name, value in os.environ.items() if name != "NO_COLOR"}
        env = {**inherited, "PYTHONPATH": str(REPO), "TERM": "xterm", **extra}
        leader, follower = pty.openpty()
        command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), "search", "attention"]
        with subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL, env=env) as process:
            os.close(follower)
            chunks = []
            while True:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            process.wait(timeout=60)
        os.close(leader)
        return b"".join(chunks).decode()

    assert "\x1b[" in search({})
    assert "\x1b" not in search({"NO_COLOR": "1"})
    assert "\x1b" not in search({"TERM": "dumb"})


# --- 10: a query that starts with '-' ----------------------------------------------------------------


def test_a_query_may_start_with_a_dash(root: Path) -> None:
    for args in (["-survey", "attention"], ["--", "-survey", "attention"], ["-survey attention"]):
        result = run(root, "search", *args)
        assert result.exit_code == 0, result.output
        assert "arxiv:1706.03762" in result.stdout
    assert run(root, "search", "-survey").exit_code in (0, 1)  # hits or none, but never a usage error
    limited = run(root, "search", "-survey", "--limit", "1", "attention", "--json")  # options still work anywhere
    assert limited.exit_code == 0 and len(json.loads(limited.stdout)) == 1
    not_help = run(root, "search", "-hinton", "attention")  # a word, not -h (help) and "inton"
    assert not_help.exit_code == 0 and "Usage:" not in not_help.stdout and "arxiv:1706.03762" in not_help.stdout
    assert "Usage:" in run(root, "search", "-h").stdout
    assert run(root, "search", "--limit").exit_code == 2


# --- 6: ids arXiv does not know ---------------------------------------------------------------------


def test_kb_add_names_the_ids_arxiv_does_not_know(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    http_server.add_handler("/api/query", arxiv_api(corpus, {"1706.03762": ATTENTION}))
    root = make_workspace(tmp_path / "ws", http_server)
    unknown = run(root, "add", "1234.5678")
    assert unknown.exit_code == 1
    assert "arXiv does not know 1234.5678" in unknown.stderr
    first = run(root, "add", "1706.03762")
    assert first.exit_code == 0 and first.stdout.split() == ["arxiv:1706.03762"]
    again = run(root, "add", "1706.03762")
    assert again.exit_code == 0
    assert "arxiv:1706.03762 is already stored" in again.stderr
    mixed = run(root, "add", "1706.03762", "1234.5678")
    assert mixed.exit_code == 1 and "1234.5678" in mixed.stderr and "1706.03762 is already" in mixed.stderr


def test_a_summary_counts_one_source_in_the_singular(root: Path) -> None:
    result = run(root, "fetch")
    assert "from 1 source" in result.stderr and "from 1 sources" not in result.stderr


# --- 7: an editor that does not exist ---------------------------------------------------------------


def test_a_missing_editor_is_one_line_exit_2_and_no_note_left(root: Path) -> None:
    before = sorted(path.name for path in (root / "notes").iterdir())
    result = run(root, "note", "1706.03762", env={"VISUAL": "", "EDITOR": "/nonexistent/editor"})
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "/nonexistent/editor" in lines[0] and "$EDITOR" in lines[0]
    assert sorted(path.name for path in (root / "notes").iterdir()) == before
    assert '"notes": []' in run(root, "show", "1706.03762", "--json").stdout


# --- 5: undated papers in `kb list` ------------------------------------------------------------------


def test_a_list_row_shows_the_announcement_of_an_undated_replacement() -> None:
    from datetime import UTC, datetime

    from kb.cli.output import item_details, item_row
    from kb.models import Item, Kind

    replacement = Item(
        id="arxiv:2611.00009",
        kind=Kind.PAPER,
        title="Replaced",
        summary="",
        url="https://arxiv.org/abs/2611.00009",
        updated=datetime(2026, 11, 19, tzinfo=UTC),
        first_seen=datetime(2026, 11, 19, 6, tzinfo=UTC),
    )
    assert " 2026-11-19 " in item_row(replacement)
    assert "announced:  2026-11-19" in item_details(replacement)


def test_a_search_without_hits_prints_nothing_on_stdout(root: Path) -> None:
    # grep's habit: `kb search x | wc -l` counts hits, so no hits is no line at all; the reason goes to stderr
    result = run(root, "search", "zzyzxnotaword")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "no results for: zzyzxnotaword" in result.stderr
    assert run(root, "search", "zzyzxnotaword", "--json").stdout.strip() == "[]"
