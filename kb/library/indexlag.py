"""Knowing that the index may lag the store because a process died between writing one and then the other.

A fetch stores each source as it completes and indexes what changed at the end; a note save updates the
store's note cache and then the index. A process killed in between leaves items stored but not searchable,
and no later run would index them: they are unchanged from then on. So, for that window, the writer holds a
marker file under ``.kb/pending/`` with an OS lock on it. The lock dies with the process: a marker that
nobody holds means its writer crashed (or could not update the index), and the next command that opens
the index rebuilds it from the store, which is the record.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no markers; `kb reindex` remains the repair
    fcntl = None  # type: ignore[assignment]

PENDING = "pending"


class IndexLag:
    """One writer's marker: begun before the store is written, settled once the index has caught up."""

    def __init__(self, state: Path) -> None:
        self.folder = state / PENDING
        self._path: Path | None = None
        self._handle: IO[Any] | None = None

    def begin(self) -> IndexLag:
        """Create and lock the marker (locked under a hidden name first, so nobody sees it unlocked)."""
        if fcntl is None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{secrets.token_hex(6)}"
        hidden = self.folder / f".{name}"
        handle = open(hidden, "w")  # noqa: SIM115 - held open (and locked) until settled
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        os.replace(hidden, self.folder / name)
        self._path, self._handle = self.folder / name, handle
        return self

    def caught_up(self) -> None:
        """The index has everything this writer stored: forget the marker."""
        if self._path is not None:
            self._path.unlink(missing_ok=True)
        self.give_up()

    def give_up(self) -> None:
        """The index could not be updated: leave the marker unlocked, so the next command rebuilds the index."""
        if self._handle is not None:
            self._handle.close()
        self._path, self._handle = None, None


@contextlib.contextmanager
def index_lag(state: Path) -> Iterator[IndexLag]:
    """Hold a marker while the body writes the store and then the index; kept (unlocked) if the body raises."""
    lag = IndexLag(state).begin()
    try:
        yield lag
    except BaseException:
        lag.give_up()
        raise
    lag.caught_up()


def orphaned(state: Path) -> list[Path]:
    """Markers whose writer is gone: the index may miss what they stored."""
    folder = state / PENDING
    if fcntl is None or not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        try:
            with open(path, "a") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live writer holds it (or it was just settled)
        if path.name.startswith("."):  # its writer died before storing anything: nothing to repair
            path.unlink(missing_ok=True)
        else:
            found.append(path)
    return found


def forget(markers: list[Path]) -> None:
    """Drop markers once a rebuild that started after them has finished."""
    for path in markers:
        path.unlink(missing_ok=True)
