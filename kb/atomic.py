"""The one way kb replaces a file: a reader, or a crash, meets the old file or the new one, never half of one.

Every writer of a file a person or another kb process may read goes through ``write_atomic``: notes,
feeds.yaml, the ranking cache, the index's pointer, digest state and exports. The bytes go to a temp file
created exclusively (``O_EXCL``, a random name) in the target's own folder, so the final rename never
crosses a file system and two writers never share a temp file; the temp file is fsynced before the rename
and the folder after it, so the new name survives a power cut; the target's permissions are carried over
(a new file gets 0o666 less the umask, as an editor would give it); and the temp file is removed whatever
goes wrong. A failure is a ``WriteFailed``: a KbError (one line with a hint for the person) that is also an
OSError (callers that treat the file as a cache can ignore it as they would any I/O error).
"""

from __future__ import annotations

import errno
import os
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: temp files are not locked; leftovers stay until removed by hand
    fcntl = None  # type: ignore[assignment]

from kb.errors import KbError

TEMP_PREFIX = ".kb-"  # hidden, so note scans and directory listings skip a temp file caught mid-write
TEMP_SUFFIX = ".tmp"
_BINARY = getattr(os, "O_BINARY", 0)
_NAME_ROOM = 100  # of the target's name kept in the temp name: readable, and far from NAME_MAX
#: Seconds after which an unlocked temp file counts as abandoned (a writer locks its own at once).
ABANDONED_AFTER = 2.0


class WriteFailed(KbError, OSError):
    """A file could not be written; the file on disk is as it was. ``errno`` and ``filename`` say why and where."""

    def __init__(self, path: Path, error: OSError) -> None:
        reason = error.strerror or str(error) or type(error).__name__
        super().__init__(f"cannot write {path}: {reason}", hint=_hint(path, error.errno))
        self.errno = error.errno
        self.strerror = reason
        self.filename = str(path)


def write_atomic(
    path: Path,
    data: bytes,
    *,
    exclusive: bool = False,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Replace ``path`` with ``data`` all at once; its folder must exist.

    ``exclusive``: create ``path`` only if no file has that name (WriteFailed with ``errno.EEXIST``
    otherwise), so two writers creating the same file cannot both win. ``before_replace`` runs once the
    new bytes are safely on disk, just before they take the name: it raises to refuse the write (the
    notes writer's "changed since it was read" check); its exception reaches the caller unchanged.
    """
    try:
        temp, held = _write_temp(path, data)
    except OSError as error:
        raise WriteFailed(path, error) from None
    try:
        if before_replace is not None:
            before_replace()
        if exclusive:
            _link_exclusive(temp, path, data)
        else:
            os.replace(temp, path)
        _sync_folder(path.parent)
    except WriteFailed:
        raise
    except OSError as error:
        raise WriteFailed(path, error) from None
    finally:
        temp.unlink(missing_ok=True)  # gone already after a rename; the spare name after a link
        os.close(held)  # releases the lock that tells remove_abandoned this writer is alive


def leftover_temps(folder: Path) -> list[Path]:
    """Temp files ``write_atomic`` left in ``folder`` (only a killed process leaves one): safe to delete
    when no writer can be running there."""
    return sorted(folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))


def is_temp_name(name: str) -> bool:
    """True for the name of a temp file :func:`write_atomic` writes."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def remove_abandoned(temps: Iterable[str | Path], now: float | None = None) -> list[str]:
    """Delete the temp files of writers killed mid-write: older than ABANDONED_AFTER and locked by nobody
    (a live writer holds a lock on its temp file until it is renamed or removed)."""
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
        removed.append(str(temp))
    return removed


def _write_temp(path: Path, data: bytes) -> tuple[Path, int]:
    """A new, fully written and fsynced temp file beside ``path``, with ``path``'s permissions, and its
    descriptor, held locked (see :func:`remove_abandoned`) until the caller closes it."""
    mode = _mode_of(path)
    for _ in range(3):  # a name clash needs two equal 64-bit tokens: retry rather than reason about it
        temp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}-{path.name[:_NAME_ROOM]}{TEMP_SUFFIX}"
        try:
            # 0o666: the umask decides for a new file, as for any file an editor creates.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
        except FileExistsError:
            continue
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(data)
                handle.flush()
                if mode is not None:
                    os.chmod(temp, mode)
                os.fsync(handle.fileno())
        except BaseException:
            os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        return temp, fd
    raise FileExistsError(errno.EEXIST, "no free temp file name", str(path.parent))


def _mode_of(path: Path) -> int | None:
    """The permission bits of the file being replaced (a rename would otherwise give it the temp file's)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None


def _link_exclusive(temp: Path, target: Path, data: bytes) -> None:
    """Give ``temp`` the name ``target`` only if it is free: a hard link is atomic and exclusive."""
    try:
        os.link(temp, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass  # no hard links here (FAT, some network shares): O_EXCL is still exclusive, though not atomic
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        target.unlink(missing_ok=True)  # ours: created above, and half written
        raise


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; not possible (nor needed) on Windows or some network file systems."""
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


def _hint(path: Path, number: int | None) -> str | None:
    folder = path.parent
    if number in (errno.EACCES, errno.EPERM):
        return f"kb may not write in {folder}: check the permissions of the folder and of {path.name}"
    if number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"the disk (or quota) holding {folder} is full: free some space and run the command again"
    if number == errno.EROFS:
        return f"{folder} is on a read-only file system: remount it writable or point kb elsewhere"
    if number in (errno.ENOENT, errno.ENOTDIR):
        return f"the folder {folder} does not exist (or is a file)"
    return None
