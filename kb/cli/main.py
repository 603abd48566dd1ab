"""The `kb` command: a thin layer that parses, calls the library and formats.

stdout carries data, stderr diagnostics. Every KbError becomes one line on stderr and its exit status.

Subcommands load lazily (``LazyGroup``): `kb --help` and `kb --version` import no command module, so they
never pay for SQLAlchemy, SQLModel, pydantic or Whoosh (about 345 ms on a 2-core machine); a command's
module is imported only when that command runs (or its own --help is asked for).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from kb import __version__
from kb.cli.oserrors import machine_error_line
from kb.errors import KbError
from kb.text import one_line

#: The exit status when stdout's reader went away: what a shell reports for a tool that SIGPIPE ended.
BROKEN_PIPE_STATUS = 141

# name -> (module, attribute, one-line summary for `kb --help`). The attribute is a click command, or a
# list of them to pick ``name`` from. tests/cli/test_imports.py checks each entry against the real command.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("kb.cli.workspace", "init_command", "Create a workspace in FOLDER (default: here)."),
    "fetch": ("kb.cli.fetch", "fetch_command", "Fetch new papers and posts from every source in feeds.yaml."),
    "add": ("kb.cli.fetch", "add_command", "Fetch papers by arXiv id or URL and store them."),
    "list": ("kb.cli.items", "list_command", "List stored papers and posts, newest first (or --sort foryou)."),
    "show": ("kb.cli.items", "show_command", "Show one paper, post or note."),
    "why": ("kb.cli.why", "why_command", "Say in one line what in your history pushed an item up or down."),
    "search": ("kb.cli.search", "search_command", "Search papers, posts and notes."),
    "similar": (
        "kb.cli.similar",
        "similar_command",
        "The papers, posts and notes most like an item (or like the papers a note links).",
    ),
    "follow": (
        "kb.cli.people",
        "follow_command",
        "Follow a person wherever they publish: arXiv, blog, Mastodon, Bluesky.",
    ),
    "person": (
        "kb.cli.people",
        "person_command",
        "A followed person's papers and posts, newest first, with your triage and notes.",
    ),
    "reindex": ("kb.cli.search", "reindex_command", "Rebuild the search index from the store and notes/."),
    "note": ("kb.cli.notes", "note_command", "Open (creating it first) the note of a paper in $VISUAL/$EDITOR."),
    "notes": ("kb.cli.notes", "notes_command", "List notes with the papers they link."),
    "bib": ("kb.cli.notes", "bib_command", "Print BibTeX for the selected papers."),
    "status": (
        "kb.cli.status",
        "status_command",
        "Show the last runs, failing sources, incomplete fetches and the index's health.",
    ),
    "read": ("kb.cli.triage", "triage_commands", "Mark items read."),
    "skip": ("kb.cli.triage", "triage_commands", "Mark items skipped."),
    "unread": ("kb.cli.triage", "triage_commands", "Put items back in the inbox (status new)."),
    "star": ("kb.cli.triage", "triage_commands", "Star items."),
    "unstar": ("kb.cli.triage", "triage_commands", "Unstar items."),
    "tag": ("kb.cli.triage", "tag_command", "Add (or --remove) tags on an item; with no tags, print its tags."),
    "export": ("kb.cli.exchange", "export_command", "Write the triage state (and the fetch history) as JSON."),
    "import": ("kb.cli.exchange", "import_command", "Merge a `kb export` file (or - for stdin)."),
    "import-bib": (
        "kb.cli.importbib",
        "import_bib_command",
        "Add the arXiv papers of a BibTeX or CSL JSON export (Zotero), marked read, keywords as tags.",
    ),
    "opml": ("kb.cli.exchange", "opml_group", "Subscription lists (OPML) in and out."),
    "digest": ("kb.cli.exchange", "digest_command", "What arrived since DATE, grouped by source, ranked, with links."),
    "doctor": (
        "kb.cli.doctor",
        "doctor_command",
        "Check the store (integrity_check), salvage a damaged one into a new file, and rebuild the index.",
    ),
    "backfill": (
        "kb.cli.backfill",
        "backfill_command",
        "Harvest the history of an arXiv category (cs.LG), archive (hep-th) or group (cs) over OAI-PMH.",
    ),
    "citations": (
        "kb.cli.citations",
        "citations_command",
        "List a paper's references and the papers citing it, from Semantic Scholar.",
    ),
    "path": ("kb.cli.path", "path_command", "Print the workspace's paths, one `name: path` a line."),
    "muted": ("kb.cli.exchange", "muted_command", "Items mute rules filed as skipped on arrival, by rule."),
    "fulltext": (
        "kb.cli.fulltext",
        "fulltext_command",
        "Fetch papers' full texts now (arXiv HTML, else PDF); --text prints one as Markdown.",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module of command ``name`` and return the command (KeyError for a name not in COMMANDS)."""
    module, attribute, _ = COMMANDS[name]
    found = getattr(importlib.import_module(module), attribute)
    if isinstance(found, click.Command):
        return found
    return next(command for command in found if command.name == name)


class LazyGroup(click.Group):
    """A group whose subcommands are imported when invoked; the listing in --help comes from COMMANDS."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, summary) for name, (_, _, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class KbGroup(LazyGroup):
    """Turns errors a person can cause into one readable line and an exit status; never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            try:
                return super().invoke(ctx)
            finally:
                # Flush here, not at exit, so a reader that went away (`kb list | head -1`) is noticed here.
                sys.stdout.flush()
        except BrokenPipeError:
            _reader_gone()
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
            line = machine_error_line(error) if isinstance(error, OSError) else None
            if line is not None:  # a read-only or full disk: the machine's state, not a bug
                click.echo(f"kb: {one_line(line)}", err=True)
                sys.exit(1)
            if os.environ.get("KB_DEBUG"):
                raise
            click.echo(f"kb: internal error: {type(error).__name__}: {error} (set KB_DEBUG=1 for details)", err=True)
            sys.exit(70)


def _reader_gone() -> NoReturn:
    """The reader of stdout closed the pipe: stop quietly, as `yes | head -1` does (status 128 + SIGPIPE)."""
    # Python would try to flush stdout again at exit and print a warning: point it at nothing first.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(BROKEN_PIPE_STATUS)


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


if __name__ == "__main__":
    main()
