"""The machine said no: a read-only or full disk, a file that is not ours. One line naming the file and the fix."""

from __future__ import annotations

import errno

#: The errors that come from the machine's state, not from a bug: reported in one line, exit 1.
MACHINE_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def machine_error_line(error: OSError) -> str | None:
    """One line for an OSError caused by the machine's state, or None for any other."""
    if error.errno not in MACHINE_ERRNOS:
        return None
    where = error.filename or "a file"
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        fix = "free some space (nothing stored was lost), then run the command again"
    else:
        fix = "make the workspace's .kb/ writable by you, e.g. `sudo chown -R $USER .kb`"
    return f"cannot write {where}: {error.strerror or error}; hint: {fix}"
