"""`kb path`: the workspace's files, as lines and as JSON; outside a workspace, one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from kb.cli.main import main

KEYS = ["workspace", "feeds", "notes", "store", "index", "log"]


def kb(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_kb_path_names_each_file_of_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert kb("init", str(root)).exit_code == 0
    lines = kb("--root", str(root), "path").stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == KEYS
    listed = {name: Path(path) for name, path in (line.split(": ", 1) for line in lines)}
    assert listed["workspace"] == root.resolve() or listed["workspace"] == root
    assert listed["feeds"].is_file() and listed["notes"].is_dir()
    assert listed["store"].parent == listed["index"].parent == listed["log"].parent
    as_json = json.loads(kb("--root", str(root), "path", "--json").stdout)
    assert as_json == {name: str(path) for name, path in listed.items()}


def test_kb_path_outside_a_workspace_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path / "nowhere"), "path"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
