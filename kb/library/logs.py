"""`.kb/kb.log`: what each run did, rotated so it stays bounded."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER_NAME = "kb"
MAX_BYTES = 1_000_000
BACKUPS = 3


def run_logger(path: Path) -> logging.Logger:
    """The workspace's logger, writing to ``path`` (at most ~4 MB across rotations). Idempotent."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    target = str(path)
    if not any(getattr(handler, "baseFilename", None) == target for handler in logger.handlers):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s pid=%(process)d %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger
