"""Shell completion through click's protocol: source names and tags; silent outside a workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kb.cli.main import main


def complete(words: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs kb as bash's completion script does (a real process: the environment protocol)."""
    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split())), "_KB_COMPLETE": "bash_complete"}
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
