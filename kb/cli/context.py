"""Shared plumbing of the commands: the workspace root and opening the library."""

from __future__ import annotations

from pathlib import Path

from kb.library import Library


def open_library(root: Path | None) -> Library:
    """The workspace's library (errors name the problem: no workspace, bad feeds.yaml)."""
    return Library.open(root)
