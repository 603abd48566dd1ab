"""The one progress display of long commands: a status line on stderr, rewritten in place.

Only on a terminal (stderr a TTY) and never under ``-q`` (cron): a pipe or a log file gets no carriage
returns or escapes, and stdout (data, ``--json``) never gets any. Used by `kb backfill`, `kb reindex`,
`kb fetch` (`--repair`: which gap it is on), `kb import`, `kb import-bib`, and the index rebuild any command
may have to run first (kb.cli.context).
"""

from __future__ import annotations

import sys
from types import TracebackType

import click

from kb.text import one_line

#: Erases the rest of the line after the text (a shorter line must not leave the tail of a longer one).
_CLEAR_TO_END = "\x1b[K"


class StatusLine:
    """One line of progress on stderr; ``with`` ends it with a newline when something was shown."""

    def __init__(self, quiet: bool = False) -> None:
        #: False off a terminal or under -q: every call is then a no-op.
        self.enabled = not quiet and sys.stderr.isatty()
        self.shown = False

    def show(self, text: str) -> None:
        """Replace the line with ``text`` (one line, terminal-safe)."""
        if self.enabled:
            click.echo(f"\r{one_line(text, 200)}{_CLEAR_TO_END}", err=True, nl=False)
            self.shown = True

    def echo(self, text: str) -> None:
        """Print ``text`` as a line of its own on stderr, above the status line (which the next show redraws)."""
        if self.shown:
            click.echo(f"\r{_CLEAR_TO_END}", err=True, nl=False)
            self.shown = False
        click.echo(text, err=True)

    def end(self) -> None:
        """Finish the line, so that what follows starts on a line of its own."""
        if self.shown:
            click.echo("", err=True)
            self.shown = False

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.end()
