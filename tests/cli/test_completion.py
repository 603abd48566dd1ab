"""Shell completion through click's protocol: source names and tags; silent outside a workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kb.cli.main import main
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import arxiv_api, make_workspace

__all__ = ["http_server"]

ATTENTION = "arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"


def complete(words: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs kb as bash's completion script does (a real process: the environment protocol)."""
    env = {
        **os.environ,
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        "_KB_COMPLETE": "bash_complete",
    }
    env.pop("KB_ROOT", None)
    code = "from kb.cli.main import main; main(prog_name='kb')"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_source_names_and_tags_complete(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    result = complete(f"kb --root {root} fetch --source ", tmp_path)
    assert result.returncode == 0, result.stderr
    names = [line.split(",", 1)[1] for line in result.stdout.splitlines()]
    assert names and "arxiv" in names
    tags = complete(f"kb --root {root} list --tag ", tmp_path)
    assert tags.returncode == 0 and tags.stdout.strip() == ""  # no tags yet: nothing offered


def test_completion_outside_a_workspace_is_silent(tmp_path: Path) -> None:
    result = complete("kb list --source ", tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "" and "Traceback" not in result.stderr


def test_ids_and_tags_of_stored_items_complete(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    http_server.add_handler("/api/query", arxiv_api(corpus, {"1706.03762": ATTENTION}))
    root = make_workspace(tmp_path / "ws", http_server)
    assert CliRunner().invoke(main, ["--root", str(root), "add", "1706.03762"]).exit_code == 0
    assert CliRunner().invoke(main, ["--root", str(root), "tag", "1706.03762", "transformers"]).exit_code == 0
    ids = complete(f"kb --root {root} show arxiv:17", tmp_path)
    assert [line.split(",", 1)[1] for line in ids.stdout.splitlines()] == ["arxiv:1706.03762"]
    assert complete(f"kb --root {root} show arxiv:99", tmp_path).stdout.strip() == ""
    tags = complete(f"kb --root {root} list --tag tr", tmp_path)
    assert [line.split(",", 1)[1] for line in tags.stdout.splitlines()] == ["transformers"]
