"""The shell paths stay light: `kb search`, `kb fetch`, `kb list` never import Textual (proved in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

REPO = Path(__file__).resolve().parents[2]

# Runs a kb command in this process, then reports which heavy packages it imported.
PROBE = """
import json, sys
from kb.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {'textual', 'rich', 'whoosh', 'feedparser', 'arxiv', 'httpx', 'pypdfium2'}
loaded = sorted({name.split('.')[0] for name in sys.modules} & heavy)
print('LOADED=' + json.dumps(loaded), file=sys.stderr)
"""


def loaded_by(*args: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("LOADED="))
    return set(json.loads(line.removeprefix("LOADED=")))


@pytest.fixture
def root(tmp_path: Path, http_server: HttpServer) -> Path:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    return make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",))


def test_fetch_search_and_list_never_import_textual(root: Path) -> None:
    fetch = loaded_by("--root", str(root), "fetch", "-q")
    assert "textual" not in fetch  # (httpx itself imports rich for its own CLI when rich is installed)
    assert "pypdfium2" not in fetch  # loaded by the first PDF read, not by every fetch
    assert {"feedparser", "httpx"} <= fetch  # the probe does see what a command imports
    search = loaded_by("--root", str(root), "search", "attention")
    assert "textual" not in search and "rich" not in search
    assert "whoosh" in search and "feedparser" not in search and "arxiv" not in search
    listed = loaded_by("--root", str(root), "list", "--json")
    assert not listed & {"textual", "rich", "whoosh", "feedparser", "arxiv", "httpx"}


# What `kb --help` / `kb --version` may not import: the store's ORM stack, the index engine, the TUI.
HEAVY_FOR_HELP = {"sqlalchemy", "sqlmodel", "pydantic", "whoosh", "tantivy", "textual", "rich", "feedparser", "httpx"}

HELP_PROBE = """
import json, sys
from kb.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print('MODULES=' + json.dumps(sorted({name.split('.')[0] for name in sys.modules})), file=sys.stderr)
"""


def modules_after(*args: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", HELP_PROBE, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_load_no_subcommand(flag: str) -> None:
    loaded = modules_after(flag)
    assert "click" in loaded  # the probe does see what ran
    assert not loaded & HEAVY_FOR_HELP


def test_a_command_loads_its_module_only_when_run(tmp_path: Path) -> None:
    loaded = modules_after("--root", str(tmp_path), "search", "--help")
    assert "whoosh" not in loaded  # its --help needs the command, not the engine
    assert "kb" in loaded


def test_every_listed_command_is_the_command_that_runs() -> None:
    from kb.cli.main import COMMANDS, load_command

    for name, (_, _, summary) in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        first = " ".join((command.help or "").split()).split(". ")[0].rstrip(".")
        words = summary.rstrip(".").split(": ")[0].split(", ")[0]
        assert first.startswith(words.split(" (")[0]), (name, summary, first)
