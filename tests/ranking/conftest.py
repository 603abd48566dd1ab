"""Fixtures of the ranking tests: a real store in tmp_path, and a workspace with a Library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.library import Library, init_workspace
from kb.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store."""
    with Store.open(tmp_path / "kb.sqlite") as opened:
        yield opened


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh workspace (feeds.yaml, notes/, .kb/)."""
    root = tmp_path / "ws"
    init_workspace(root)
    return root


@pytest.fixture
def library(workspace: Path) -> Iterator[Library]:
    """The workspace's library."""
    with Library.open(workspace) as opened:
        yield opened
