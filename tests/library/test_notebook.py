"""The library's notebook: what a writer killed mid-save leaves in notes/ is removed by the next sync."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kb.library import Library, init_workspace

fcntl = pytest.importorskip("fcntl")


def test_a_killed_writers_temp_file_goes_and_a_live_writers_stays(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    init_workspace(root)
    notes = root / "notes"
    abandoned, held, fresh = notes / ".kb-0000000000000001.tmp", notes / ".kb-0000000000000002.tmp", notes / ".kb-3.tmp"
    for path in (abandoned, held, fresh):
        path.write_text("half a note")
    old = time.time() - 60
    os.utime(abandoned, (old, old))
    os.utime(held, (old, old))
    with open(held, "rb") as writer:  # a slow writer still at work holds its file locked
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX)
        with Library.open(root) as library:
            library.sync_notes(index=False)
    assert not abandoned.exists()
    assert held.exists() and fresh.exists()  # held, or too young to judge
    assert (notes / "README.md").exists()
