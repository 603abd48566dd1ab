"""Shared plumbing of the commands: the workspace root and opening the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.library import Library


def open_library(root: Path | None) -> Library:
    """The workspace's library (errors name the problem: no workspace, bad feeds.yaml).

    On a terminal, a command that must rebuild the index first (it is missing or damaged, or
    ``search.engine`` changed) shows how far the rebuild has come on stderr.
    """
    library = Library.open(root)
    if sys.stderr.isatty():
        library.rebuild_progress = _rebuild_progress
    return library


def _rebuild_progress(done: int | None) -> None:
    if done is None:
        click.echo("", err=True)
    else:
        click.echo(f"\rrebuilding the search index: {done} documents", err=True, nl=False)
