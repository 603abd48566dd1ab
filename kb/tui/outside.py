"""The person's own browser and editor.

The browser is ``$BROWSER`` when set (read each time, so a change is honoured), else Python's ``webbrowser``
default, always run in a thread because some browsers block until closed. The editor is ``$VISUAL``, then
``$EDITOR``, then nano or vi (kb.notes.editor, as for `kb note`), run with the app suspended so it owns the
terminal.
"""

from __future__ import annotations

import os
import subprocess
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from textual.app import App, SuspendNotSupported

from kb.errors import UsageError
from kb.notes.editor import editor_command as find_editor


def check_url(url: str | None) -> str:
    """``url`` if it is an http(s) URL; a UsageError otherwise (a feed's ``javascript:`` or ``file:`` link)."""
    if not url:
        raise UsageError("this item has no such link")
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise UsageError(f"not opening {url[:80]!r}: only http and https links are opened")
    return url


def _open(url: str) -> bool:
    for command in os.environ.get("BROWSER", "").split(os.pathsep):
        if not command.strip():
            continue
        try:
            browser = webbrowser.get(command if "%s" in command else f"{command} %s")
        except webbrowser.Error:
            continue
        return browser.open(url)
    return webbrowser.open(url)


def open_url(url: str, on_error: Callable[[str], object]) -> threading.Thread:
    """Open ``url`` in the browser on a thread; ``on_error`` gets one line if no browser could open it."""

    def run() -> None:
        try:
            opened = _open(url)
        except Exception as error:  # a broken $BROWSER must not take the app down
            on_error(f"could not open {url}: {error}")
            return
        if not opened:
            on_error(f"no browser opened {url}; set $BROWSER")

    thread = threading.Thread(target=run, name="kb-browser", daemon=True)
    thread.start()
    return thread


def editor_command(path: Path) -> list[str]:
    """The command line that edits ``path`` (kb.notes.editor: ``$VISUAL``, ``$EDITOR``, nano, vi)."""
    return [*find_editor(), str(path)]


def _call(command: list[str], stdin: int | None = None) -> int | None:
    try:
        return subprocess.call(command, stdin=stdin)
    except FileNotFoundError:
        return None


def edit_file(app: App[Any], path: Path) -> int:
    """Edit ``path`` in the person's editor with the app suspended; the editor's exit status."""
    command = editor_command(path)
    try:
        with app.suspend():
            # Errors are caught inside the block: one escaping it would leave the terminal un-resumed.
            status = _call(command)
    except SuspendNotSupported:
        # Headless (tests) or a web driver: nothing to hand the terminal over; run the editor as is.
        status = _call(command, stdin=subprocess.DEVNULL)
    if status is None:
        raise UsageError(f"editor {command[0]!r} not found", hint="set $VISUAL or $EDITOR")
    return status
