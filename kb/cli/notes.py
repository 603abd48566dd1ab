"""`kb note`, `kb notes` and `kb bib`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from kb.cli.complete import complete_tag
from kb.cli.context import open_library
from kb.cli.output import echo_json
from kb.errors import UsageError
from kb.library import Library
from kb.library.formats.bib import bibtex
from kb.library.serialize import note_json
from kb.models import Item, ItemFilter, Kind
from kb.notes.editor import editor_command
from kb.text import one_line


def edit(library: Library, note_path: str, command: list[str]) -> None:
    """Open a note in the editor, then pick up what the editor changed."""
    path = library.note_file(note_path)
    try:
        status = subprocess.call([*command, str(path)])
    except OSError as error:
        raise UsageError(f"cannot run the editor {command[0]!r}: {error.strerror or error}") from None
    if status != 0:
        click.echo(f"kb note: the editor exited with status {status}", err=True)
    for warning in library.sync_notes():
        click.echo(f"kb note: {one_line(warning)}", err=True)


def _choose(library: Library, item: Item, paths: list[str]) -> str:
    """Several notes are the paper's own (their front matter names it): let the person pick one (or a new one)."""
    for number, path in enumerate(paths, 1):
        click.echo(f"{number}) {path}", err=True)
    click.echo("n) a new note", err=True)
    if not sys.stdin.isatty():
        raise UsageError(
            f"{len(paths)} notes name {item.id} in their front matter",
            hint="open one by path: kb note notes/NAME.md, or --new",
        )
    choice = click.prompt("open", default="1", err=True).strip().lower()
    if choice == "n":
        return library.new_paper_note(item.id)
    if choice.isdigit() and 1 <= int(choice) <= len(paths):
        return paths[int(choice) - 1]
    raise UsageError(f"'{choice}' is not one of the choices")


@click.command("note")
@click.argument("target", nargs=-1, required=True, metavar="ID | NOTE.md | new TITLE")
@click.option("--new", "force_new", is_flag=True, help="Create another note for the paper even if one exists.")
@click.option("--print-path", is_flag=True, help="Print the note's path instead of opening an editor.")
@click.pass_obj
def note_command(root: Path | None, target: tuple[str, ...], force_new: bool, print_path: bool) -> None:
    """Open (creating it first) the note of a paper in $VISUAL/$EDITOR.

    `kb note new "TITLE"` creates a note that is not about one paper; `kb note notes/NAME.md` opens a note.
    """
    # Found first: a missing editor must not leave a new, unedited note behind.
    command = None if print_path else editor_command()
    with open_library(root) as library:
        if target[0] == "new":
            path = library.new_note(" ".join(target[1:]))
        elif target[0].endswith(".md") or target[0].startswith("note:"):
            path = library.get_note(target[0]).path
        else:
            item = library.get_item(" ".join(target))
            existing = [note.path for note in library.owned_notes(item)]  # not notes that only link it
            if force_new or not existing:
                path = library.new_paper_note(item.id)
            elif len(existing) == 1:
                path = existing[0]
            else:
                path = _choose(library, item, existing)
        if command is None:
            click.echo(str(library.note_file(path)))
        else:
            edit(library, path, command)


@click.command("notes")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_obj
def notes_command(root: Path | None, as_json: bool) -> None:
    """List notes with the papers they link."""
    with open_library(root) as library:
        warnings = library.sync_notes()
        notes = library.list_notes()
    for warning in warnings:
        click.echo(f"kb notes: {one_line(warning)}", err=True)
    if as_json:
        echo_json([note_json(note) for note in notes])
        return
    for note in notes:
        papers = " ".join(note.papers)
        click.echo(f"{one_line(note.path)}  {one_line(note.title, 60)}" + (f"  [{papers}]" if papers else ""))


@click.command("bib")
@click.argument("selection", nargs=-1, metavar="[QUERY | NOTE_PATH]")
@click.option("--tag", metavar="TAG", shell_complete=complete_tag, help="Papers with this tag.")
@click.option("--starred", is_flag=True, help="Starred papers.")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True, help="At most N papers.")
@click.pass_obj
def bib_command(root: Path | None, selection: tuple[str, ...], tag: str | None, starred: bool, limit: int) -> None:
    """Print BibTeX for the selected papers: a search query, the papers a note links, a tag, or the starred."""
    if not selection and not tag and not starred:
        raise UsageError("say which papers: a QUERY, a NOTE_PATH, --tag T or --starred")
    with open_library(root) as library:
        items = _selected(library, " ".join(selection), tag, starred, limit)
    papers = [item for item in items if item.kind is Kind.PAPER and item.has_metadata]
    if not papers:
        click.echo("kb bib: no papers selected", err=True)
        sys.exit(1)
    click.echo(bibtex(papers), nl=False)


def _selected(library: Library, text: str, tag: str | None, starred: bool, limit: int) -> list[Item]:
    if text.endswith(".md") or text.startswith("note:"):
        papers, _ = library.note_links(text)
        return library.items(papers)
    if text:
        result = library.search(f"({text}) kind:paper", limit=limit)
        return library.items([hit.id for hit in result.hits])
    flt = ItemFilter(kind=Kind.PAPER, tag=tag.lower() if tag else None, starred=True if starred else None, limit=limit)
    return library.list_items(flt)
