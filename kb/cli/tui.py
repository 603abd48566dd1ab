"""`kb` with no command: the TUI. Textual is imported here only, never on another command's path."""

from __future__ import annotations

from pathlib import Path

from kb.cli.context import open_library


def open_tui(root: Path | None) -> None:
    """Open the inbox on the workspace."""
    library = open_library(root)
    from kb.tui.app import KbApp

    with library:
        KbApp(library).run()
