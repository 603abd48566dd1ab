"""The index folder on disk: a pointer file, a write lock, and one engine's index per generation.

::

    index/
      kb-index.json   {"schema": 1, "engine": "whoosh", "generation": "g000003", "built": true}
      write.lock      held by whoever writes: update, delete, rebuild, create
      g000003/        the index the pointer names; readers hold a shared lock on its in-use file

The pointer is replaced atomically. A rebuild writes a new generation beside the live one and swaps the
pointer with one atomic rename, so a rebuild killed at any moment leaves the previous generation in use.
Generations the pointer does not name (old ones, or one a killed rebuild left half-built) are deleted by
the next process that opens the index or writes to it, once no reader holds them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kb.atomic import leftover_temps, write_atomic
from kb.errors import KbError

try:  # shared locks mark generations in use; without fcntl (Windows) open files simply resist deletion
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

POINTER = "kb-index.json"
WRITE_LOCK = "write.lock"
IN_USE = "in-use.lock"
_GEN_RE = re.compile(r"^g(\d{6})$")


@dataclass(frozen=True)
class Pointer:
    """What the pointer file says: the schema version, the live generation, whether a rebuild made it,
    and which engine wrote it (pointers written before there were two engines are Whoosh's)."""

    schema: int
    generation: str
    built: bool
    engine: str = "whoosh"


def read_pointer(root: Path) -> Pointer | None:
    """The pointer, or None when it is missing or unreadable."""
    try:
        data = json.loads((root / POINTER).read_text(encoding="utf-8"))
        engine = str(data.get("engine", "whoosh"))
        pointer = Pointer(int(data["schema"]), str(data["generation"]), bool(data["built"]), engine)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pointer if _GEN_RE.match(pointer.generation) else None


def pointer_stamp(root: Path) -> tuple[int, int, int] | None:
    """Changes whenever the pointer file is replaced: a cheap way to notice a rebuild or a re-creation."""
    try:
        st = os.stat(root / POINTER)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def write_pointer(root: Path, pointer: Pointer) -> None:
    """Replace the pointer atomically (kb.atomic: a reader meets the old pointer or the new one)."""
    data = {
        "schema": pointer.schema,
        "engine": pointer.engine,
        "generation": pointer.generation,
        "built": pointer.built,
    }
    write_atomic(root / POINTER, json.dumps(data).encode("utf-8"))


class _WriteLock:
    """An exclusive OS lock on one file (flock: released by the OS when its holder dies), tried without waiting.

    The same lock Whoosh's FcntlLock takes on the same file, so processes of older kb versions still take
    turns with this one; kb's own, so that opening a tantivy index loads nothing of Whoosh.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._other: Any = None

    def acquire(self) -> bool:
        if fcntl is None:  # pragma: no cover - Windows: Whoosh's msvcrt lock
            from whoosh.util.filelock import FileLock

            self._other = FileLock(str(self.path))
            return bool(self._other.acquire(blocking=False))
        fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return False
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if self._other is not None:  # pragma: no cover - Windows
            self._other.release()
            self._other = None
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


def generations(root: Path) -> list[str]:
    """The generation folders on disk."""
    try:
        return sorted(p.name for p in root.iterdir() if _GEN_RE.match(p.name) and p.is_dir())
    except OSError:
        return []


def new_generation(root: Path) -> str:
    """A generation name above every one on disk."""
    numbers = [int(m.group(1)) for p in root.iterdir() if (m := _GEN_RE.match(p.name))]
    return f"g{max(numbers, default=0) + 1:06d}"


@contextlib.contextmanager
def write_lock(root: Path, timeout: float, delay: float = 0.05) -> Iterator[None]:
    """Hold the index's write lock, waiting up to ``timeout`` seconds for another writer to finish.

    The lock is an OS file lock: a writer killed at any moment releases it, so waiting never deadlocks.
    """
    lock = _WriteLock(root / WRITE_LOCK)
    deadline = time.monotonic() + timeout
    while not lock.acquire():
        if time.monotonic() >= deadline:
            raise KbError(
                f"the search index is busy: another kb process kept it locked for {timeout:.0f} s",
                hint="wait for the other kb (a reindex?) to finish and try again",
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def try_write_lock(root: Path) -> Iterator[bool]:
    """Hold the write lock if nobody else does (yields True), without waiting (yields False)."""
    lock = _WriteLock(root / WRITE_LOCK)
    try:
        got = lock.acquire()
    except OSError:
        got = False
    try:
        yield got
    finally:
        if got:
            lock.release()


def size_on_disk(root: Path, generation: str) -> int:
    """Bytes of the files of one generation."""
    total = 0
    for path in (root / generation).rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            continue
    return total


def hold_in_use(gen_dir: Path) -> IO[Any] | None:
    """Mark a generation as read by this process until the returned file is closed."""
    if fcntl is None:
        return None
    try:
        f = open(gen_dir / IN_USE, "a+")  # noqa: SIM115 - held open for the reader's lifetime
        fcntl.flock(f.fileno(), fcntl.LOCK_SH)
    except OSError:
        return None
    return f


def remove_unused(root: Path, keep: str) -> None:
    """Delete generations other than ``keep`` that no reader holds (call with the write lock held)."""
    for path in root.iterdir():
        if path.name == keep or not _GEN_RE.match(path.name) or not path.is_dir():
            continue
        if fcntl is None:  # pragma: no cover - Windows: files in use refuse deletion
            shutil.rmtree(path, ignore_errors=True)
            continue
        try:
            with open(path / IN_USE, "a+") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue  # a reader still uses it: a later writer will remove it
    for tmp in [*root.glob(f"{POINTER}.*.tmp"), *leftover_temps(root)]:  # the first: written before kb.atomic
        with contextlib.suppress(OSError):
            tmp.unlink()
