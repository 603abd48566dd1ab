"""`.kb/kb.log`: what each run did, rotated so it stays bounded, and never a reason for a command to fail.

The log is a diagnostic, not a record: a read-only `.kb/`, a kb.log left root-owned by one `sudo kb fetch`, or
a full disk must not stop a command nor print tracebacks into cron mail. Such a log is switched off for the
rest of the process and one line on stderr says why and how to fix it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER_NAME = "kb"
MAX_BYTES = 1_000_000
BACKUPS = 3


class QuietRotatingFileHandler(RotatingFileHandler):
    """A rotating handler whose write errors (disk full, permissions) end logging with one line, not a traceback."""

    def __init__(self, filename: str, **kwargs: object) -> None:
        super().__init__(filename, **kwargs)  # type: ignore[arg-type]
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """Called by logging from inside an ``except``: say once why the log stopped, then stay quiet."""
        if self.failed:
            return
        self.failed = True
        error = sys.exc_info()[1]
        reason = getattr(error, "strerror", None) or (str(error) if error else "write failed")
        _warn(f"cannot write the log {self.baseFilename} ({reason}); logging is off for this run")
        try:
            if self.stream is not None:
                self.stream.close()
        except OSError:
            pass
        self.stream = None


def run_logger(path: Path) -> logging.Logger:
    """The workspace's logger, writing to ``path`` (at most ~4 MB across rotations). Idempotent.

    When the log cannot be opened the logger is still returned, with no handler: the command carries on.
    """
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    target = str(path)
    if any(getattr(handler, "baseFilename", None) == target for handler in logger.handlers):
        return logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())  # no "last resort" handler printing to stderr
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = QuietRotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as error:
        _warn(f"cannot write the log {path} ({error.strerror or error}); {_fix(path)}")
        return logger
    handler.setFormatter(logging.Formatter("%(asctime)s pid=%(process)d %(levelname)s %(message)s"))
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    return logger


def _fix(path: Path) -> str:
    folder = path.parent
    return f"kb carries on without it (fix: make {folder} writable by you, e.g. `sudo chown -R $USER {folder}`)"


def _warn(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr itself may be gone
        print(f"kb: warning: {message}", file=sys.stderr)
