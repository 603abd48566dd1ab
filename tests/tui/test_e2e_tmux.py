"""The real `kb` in a real terminal (tmux): open, move, star, read, search, quit; then `kb list --json` agrees."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kb.library import Library
from kb.models import ItemFilter, Status

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """One tmux session of 120x40 running a command."""

    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.name = name
        self.socket = ["-L", name]  # a private tmux server: nothing of the person's sessions is touched
        exports = " ".join(f"{key}={_quote(value)}" for key, value in env.items())
        subprocess.run(
            [
                "tmux",
                *self.socket,
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "120",
                "-y",
                "40",
                f"env {exports} {command}",
            ],
            check=True,
        )

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", *self.socket, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", *self.socket, "send-keys", "-t", self.name, *keys], check=True)

    def alive(self) -> bool:
        return (
            subprocess.run(["tmux", *self.socket, "has-session", "-t", self.name], capture_output=True).returncode == 0
        )

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{self.screen()}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", *self.socket, "kill-server"], capture_output=True)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


@pytest.fixture
def terminal(workspace: Path, tmp_path: Path) -> Iterator[Terminal]:
    env = {
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path / "home"),
        "TERM": "xterm-256color",
        "EDITOR": "true",
        "BROWSER": "true",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    command = f"{_quote(sys.executable)} -m kb.cli.main --root {_quote(str(workspace))}"
    term = Terminal(f"kb-e2e-{os.getpid()}-{tmp_path.name}"[:60], command, env)
    try:
        yield term
    finally:
        term.close()


def kb_json(*args: str, root: Path) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli.main", "--root", str(root), *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_kb_in_a_real_terminal(terminal: Terminal, workspace: Path) -> None:
    with Library.open(workspace) as library:
        expected = [item.id for item in library.list_items(ItemFilter(status=Status.NEW, limit=3))]
    terminal.wait(lambda: "kb · Inbox" in terminal.screen(), "the inbox")
    screen = terminal.screen()
    assert "\x1b" not in screen
    assert "[bold red]Markup[/]" in screen  # feed markup shows as text in a real terminal too
    terminal.keys("j")
    terminal.keys("s")
    terminal.wait(lambda: "★" in terminal.screen(), "the star")
    terminal.keys("r")
    time.sleep(0.3)
    terminal.keys("/")
    terminal.wait(lambda: "kb · Search" in terminal.screen(), "the search screen")
    terminal.keys("schölkopf")
    terminal.wait(lambda: "Self-Attention Networks" in terminal.screen(), "search results")
    terminal.keys("Enter")  # to the hits
    time.sleep(0.5)  # a person's pause: the focus moves to the hits before the next key
    terminal.keys("1")
    terminal.wait(lambda: "kb · Inbox" in terminal.screen(), "back to the inbox")
    terminal.keys("q")
    terminal.wait(lambda: not terminal.alive(), "kb to quit")
    listed = {item["id"]: item for item in kb_json("list", root=workspace)}
    assert listed[expected[1]]["starred"] is True
    assert listed[expected[1]]["status"] == "read"
    assert listed[expected[0]]["status"] == "new" and listed[expected[0]]["starred"] is False
    assert listed[expected[2]]["status"] == "new"
