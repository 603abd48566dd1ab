"""Read a note with a snapshot, and write one atomically without overwriting someone else's edit."""

from __future__ import annotations

import errno
import functools
import hashlib
import os
from pathlib import Path
from typing import NamedTuple

from kb.atomic import WriteFailed, remove_abandoned, write_atomic
from kb.errors import KbError, NoteConflict, NotFound, UsageError

__all__ = ["NoteSnapshot", "read_snapshot", "remove_abandoned", "write_note_atomic"]


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
    A path that resolves outside ``notes_dir`` (``..``, a symlink) is refused. The write itself is
    kb.atomic's; what is the notes' own is where a note may go and the conflict check just before the rename.
    """
    target = _inside(path, notes_dir)
    data = text.encode("utf-8")
    check = None if expected is None else functools.partial(_check_unchanged, target, expected)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data, exclusive=expected is None, before_replace=check)
        stat = target.stat()
    except WriteFailed as error:
        if error.errno == errno.EEXIST and expected is None:
            raise _exists(target) from None
        raise
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
