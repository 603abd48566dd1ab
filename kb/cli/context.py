"""Shared plumbing of the commands: the workspace root and opening the library."""

from __future__ import annotations

from pathlib import Path

from kb.cli.progress import StatusLine
from kb.library import Library


def open_library(root: Path | None, quiet: bool = False) -> Library:
    """The workspace's library (errors name the problem: no workspace, bad feeds.yaml).

    On a terminal (and not ``quiet``), a command that must rebuild the index first (it is missing or damaged,
    or ``search.engine`` changed) shows how far the rebuild has come on stderr.
    """
    library = Library.open(root)
    line = StatusLine(quiet)
    if line.enabled:

        def rebuild_progress(done: int | None) -> None:
            if done is None:
                line.end()
            else:
                line.show(f"rebuilding the search index: {done} documents")

        library.rebuild_progress = rebuild_progress
    return library
