"""`kb why ID`: why the for-you order places an item where it does."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli.complete import complete_id
from kb.cli.context import open_library
from kb.cli.output import echo_json
from kb.text import one_line


@click.command("why")
@click.argument("item_id", metavar="ID", shell_complete=complete_id)
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "score", "why"}.')
@click.pass_obj
def why_command(root: Path | None, item_id: str, as_json: bool) -> None:
    """Say in one line what in your history pushed an item up or down in `kb list --sort foryou`."""
    with open_library(root) as library:
        item = library.get_item(item_id)
        [(_, score, why)] = library.rank([item])
    if as_json:
        echo_json({"id": item.id, "score": round(score, 4), "why": why})
    else:
        click.echo(one_line(why))
