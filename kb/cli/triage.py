"""Triage from the shell: `kb read`, `kb skip`, `kb unread`, `kb star`, `kb unstar`, `kb tag`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from kb.cli.complete import complete_id
from kb.cli.context import open_library
from kb.library import Library
from kb.models import Status, normalise_tags


def _each(action: Callable[[Library, str], None], name: str, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("ids", nargs=-1, required=True, metavar="ID...", shell_complete=complete_id)
    @click.pass_obj
    def command(root: Path | None, ids: tuple[str, ...]) -> None:
        with open_library(root) as library:
            for text in ids:
                action(library, library.get_item(text).id)

    return command


def _status(status: Status) -> Callable[[Library, str], None]:
    def action(library: Library, item_id: str) -> None:
        library.set_status(item_id, status)

    return action


def _star(starred: bool) -> Callable[[Library, str], None]:
    def action(library: Library, item_id: str) -> None:
        library.set_starred(item_id, starred)

    return action


triage_commands = [
    _each(_status(Status.READ), "read", "Mark items read."),
    _each(_status(Status.SKIPPED), "skip", "Mark items skipped."),
    _each(_status(Status.NEW), "unread", "Put items back in the inbox (status new)."),
    _each(_star(True), "star", "Star items."),
    _each(_star(False), "unstar", "Unstar items."),
]


@click.command("tag")
@click.argument("item_id", metavar="ID", shell_complete=complete_id)
@click.argument("tags", nargs=-1)
@click.option("--remove", is_flag=True, help="Remove these tags instead of adding them.")
@click.pass_obj
def tag_command(root: Path | None, item_id: str, tags: tuple[str, ...], remove: bool) -> None:
    """Add (or --remove) tags on an item; with no tags, print its tags."""
    with open_library(root) as library:
        item = library.get_item(item_id)
        if tags:
            wanted = set(normalise_tags(tags))
            current = set(item.tags)
            item = library.set_tags(item.id, sorted(current - wanted if remove else current | wanted))
    click.echo(" ".join(item.tags))


triage_commands.append(tag_command)
