"""The `kb` command: a thin layer that parses, calls the library and formats.

stdout carries data, stderr diagnostics. Every KbError becomes one line on stderr and its exit status.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kb import __version__
from kb.cli.exchange import exchange_commands
from kb.cli.fetch import add_command, fetch_command
from kb.cli.items import list_command, show_command
from kb.cli.notes import bib_command, note_command, notes_command
from kb.cli.path import path_command
from kb.cli.search import reindex_command, search_command
from kb.cli.status import status_command
from kb.cli.triage import triage_commands
from kb.cli.why import why_command
from kb.cli.workspace import init_command
from kb.errors import KbError
from kb.text import one_line


class KbGroup(click.Group):
    """Turns errors a person can cause into one readable line and an exit status; never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KbError as error:
            # Messages may quote file names and feed text: shown inert, on one line.
            click.echo(f"kb: {one_line(str(error))}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("kb: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as error:
            if os.environ.get("KB_DEBUG"):
                raise
            click.echo(f"kb: internal error: {type(error).__name__}: {error} (set KB_DEBUG=1 for details)", err=True)
            sys.exit(70)


@click.group(cls=KbGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KB_ROOT",
    help="The workspace folder (default: KB_ROOT, else the nearest folder upwards with a feeds.yaml).",
)
@click.version_option(__version__, prog_name="kb")
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """kb: arXiv papers, researchers' blogs and your notes, triaged and searched from the terminal.

    Run `kb` alone to open the inbox.
    """
    ctx.obj = root
    if ctx.invoked_subcommand is None:
        from kb.cli.tui import open_tui

        open_tui(root)


for command in (
    init_command,
    fetch_command,
    add_command,
    list_command,
    show_command,
    why_command,
    search_command,
    reindex_command,
    note_command,
    notes_command,
    bib_command,
    status_command,
    path_command,
    *triage_commands,
    *exchange_commands,
):
    main.add_command(command)


if __name__ == "__main__":
    main()
