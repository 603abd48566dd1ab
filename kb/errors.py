"""One error hierarchy. Every error a user can cause is a KbError with a readable message and a hint.

The CLI turns these into one line on stderr and an exit status; the TUI into a notification.
"""

from __future__ import annotations


class KbError(Exception):
    """A problem the person can understand and fix. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; hint: {self.hint}" if self.hint else self.message


class UsageError(KbError):
    """The command was given something it cannot use (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """feeds.yaml is wrong. The message names the file, the line and the key."""


class WorkspaceNotFound(UsageError):
    """No workspace at --root, KB_ROOT or above the current directory."""


class QueryError(UsageError):
    """A search query that cannot be parsed. ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.position = position


class NotFound(KbError):
    """An item, note or source that does not exist."""


class NoteConflict(KbError):
    """A note changed on disk since kb read it; kb refuses to overwrite it."""


class FetchLocked(KbError):
    """Another fetch holds the workspace's fetch lock."""

    exit_code = 0


class FetchError(KbError):
    """Something kb fetched cannot be used (a paper's full text: no HTML and a broken PDF, say)."""


class StoreError(KbError):
    """The store cannot be opened or is damaged."""


class StoreMissing(StoreError):
    """The workspace had a store and it is gone: kb will not start an empty one silently (`kb doctor --new-store`)."""

    exit_code = 2
