"""Fixtures of the store tests: a real SQLite file in tmp_path, and builders of fetched items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store in a temporary workspace's .kb folder."""
    with Store.open(tmp_path / ".kb" / "kb.sqlite") as opened:
        yield opened
