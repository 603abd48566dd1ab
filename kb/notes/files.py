"""Read a note with a snapshot, and write one atomically without overwriting someone else's edit."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from kb.errors import KbError, NoteConflict, NotFound, UsageError

try:  # a writer holds its temp file locked, so a sweep can tell a killed writer's file from a live one's
    import fcntl
except ImportError:  # pragma: no cover - Windows: age alone decides
    fcntl = None  # type: ignore[assignment]

#: Seconds after which an unheld temp file is a killed writer's (a live writer's is locked, and seconds old).
ABANDONED_AFTER = 2.0


class NoteSnapshot(NamedTuple):
    """A note file as kb last read or wrote it."""

    mtime_ns: int
    size: int
    sha256: str


def read_snapshot(path: Path) -> tuple[bytes, NoteSnapshot]:
    """The file's bytes and its snapshot, taken from the same open file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read()
            stat = os.fstat(handle.fileno())
    except FileNotFoundError:
        raise NotFound(f"no note at {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a note") from None
    except OSError as exc:
        raise KbError(f"cannot read {path}: {exc.strerror}") from None
    return raw, NoteSnapshot(stat.st_mtime_ns, len(raw), hashlib.sha256(raw).hexdigest())


def write_note_atomic(path: Path, text: str, expected: NoteSnapshot | None, *, notes_dir: Path) -> NoteSnapshot:
    """Write ``text`` (UTF-8) to ``path`` inside ``notes_dir`` so a reader sees the old file or the new one.

    ``expected`` is the snapshot taken when the note was read: if the file's content changed since, nothing is
    written and NoteConflict is raised. ``None`` means the file must not exist yet (created exclusively).
    A path that resolves outside ``notes_dir`` (``..``, a symlink) is refused.
    """
    target = _inside(path, notes_dir)
    data = text.encode("utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp, held = _write_temp(target.parent, data, _mode_of(target) if expected is not None else None)
        try:
            if expected is None:
                _create_exclusive(temp, target, data)
            else:
                _check_unchanged(target, expected)
                os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
            os.close(held)
        _sync_folder(target.parent)
        stat = target.stat()
    except OSError as exc:
        raise KbError(f"cannot write {path}: {exc.strerror or exc}") from None
    return NoteSnapshot(stat.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def _inside(path: Path, notes_dir: Path) -> Path:
    """The real path to write, refusing anything that lands outside notes_dir."""
    root = notes_dir.resolve()
    target = path.resolve()  # follows '..' and symlinks, including a symlinked note itself
    if target == root or not target.is_relative_to(root):
        raise UsageError(f"refusing to write {path}: it is not inside the notes folder {root}")
    if target.exists() and not target.is_file():
        raise UsageError(f"refusing to write {path}: it is not a regular file")
    return target


def _mode_of(target: Path) -> int | None:
    # Replacing a file gives it the temp file's permissions: carry the note's own over.
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return None


def _write_temp(folder: Path, data: bytes, mode: int | None) -> tuple[Path, int]:
    """A fully written, fsynced hidden temp file in ``folder`` (hidden, so scans skip it), and its descriptor,
    held locked until the caller closes it (see :func:`remove_abandoned`)."""
    temp = folder / f".kb-{secrets.token_hex(8)}.tmp"
    # 0o666 lets the umask decide, as for any file an editor creates.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    return temp, fd


def is_temp_name(name: str) -> bool:
    """True for the name of a temp file :func:`write_note_atomic` writes."""
    return name.startswith(".kb-") and name.endswith(".tmp")


def remove_abandoned(temps: Iterable[str], now: float | None = None) -> list[str]:
    """Delete the temp files of writers killed mid-save: older than ABANDONED_AFTER and held by nobody."""
    removed = []
    for temp in temps:
        try:
            if (now or time.time()) - os.stat(temp).st_mtime < ABANDONED_AFTER:
                continue  # perhaps a writer that has not locked it yet
            with open(temp, "rb") as handle:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.unlink(temp)
        except OSError:
            continue  # a live writer holds it, or it is gone already
        removed.append(temp)
    return removed


def _create_exclusive(temp: Path, target: Path, data: bytes) -> None:
    """Make ``target`` from ``temp`` only if it does not exist (a hard link is atomic and exclusive)."""
    try:
        os.link(temp, target)
        return
    except FileExistsError:
        raise _exists(target) from None
    except OSError:
        pass  # no hard links here (FAT, some network shares): fall back to O_EXCL, still exclusive
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except FileExistsError:
        raise _exists(target) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _exists(target: Path) -> NoteConflict:
    return NoteConflict(f"{target} already exists; kb did not overwrite it", hint="open it, or pick another name")


def _check_unchanged(target: Path, expected: NoteSnapshot) -> None:
    """Refuse when the content differs from what was read.

    Size and hash decide, not mtime: a file touched or re-saved with the same bytes loses nothing when
    replaced.
    """
    try:
        _, current = read_snapshot(target)
    except NotFound:
        raise NoteConflict(
            f"{target} was moved or deleted since kb read it; kb did not write it",
            hint="re-open the note and make the change again",
        ) from None
    if (current.size, current.sha256) != (expected[1], expected[2]):
        raise NoteConflict(
            f"{target} changed on disk since kb read it; kb did not overwrite it",
            hint="re-open the note and make the change again",
        )


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder entry is; not possible on Windows, where it is not needed.
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
