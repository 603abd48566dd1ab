"""feeds.yaml as the TUI sees it: re-read when the file changed, so `f` never fetches with a stale config.

The CLI reads feeds.yaml at every command; a TUI session lasts hours. Before each fetch and when the terminal
regains focus the app asks :meth:`ConfigWatch.refresh`, which re-reads the file only when its modification
time or size changed. A mistake raises the CLI's own ConfigError (``feeds.yaml:12: ... did you mean``) and
keeps raising it until the file is fixed, so no fetch runs on a broken or an outdated config.
"""

from __future__ import annotations

from kb.config import load_config
from kb.errors import KbError
from kb.library import Library


class ConfigWatch:
    """Keeps ``library.config`` in step with feeds.yaml on disk."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._seen: tuple[int, int] | None = None  # None: not read by the watch yet, so the first look reads
        self._error: KbError | None = None

    def refresh(self, repeat: bool = True) -> bool:
        """Re-read feeds.yaml if it changed; True when it was re-read.

        Raises KbError while the file has a mistake: at every call, or (``repeat=False``) only when the file
        changed, so a look that nobody asked for (focus) says it once.
        """
        stamp = self._stamp()
        if stamp is not None and stamp == self._seen:
            if self._error is not None and repeat:
                raise self._error
            return False
        self._seen = stamp
        try:
            config = load_config(self.library.workspace.config)
        except KbError as error:
            self._error = error
            raise
        self._error = None
        self.library.config = config
        return True

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.library.workspace.config.stat()
        except OSError:
            return None  # gone or unreadable: load_config says so
        return stat.st_mtime_ns, stat.st_size
