"""`kb path`: where the workspace keeps its files, for scripts and for people looking for them."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli.output import echo_json
from kb.paths import find_workspace


@click.command("path")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the same keys.")
@click.pass_obj
def path_command(root: Path | None, as_json: bool) -> None:
    """Print the workspace's paths, one `name: path` a line.

    Keys: workspace, feeds (feeds.yaml), notes (notes/), store (the SQLite file), index (the search
    index folder), log (the fetch log). Only resolves the workspace: a broken feeds.yaml does not stop it.
    """
    workspace = find_workspace(root)
    paths = {
        "workspace": workspace.root,
        "feeds": workspace.config,
        "notes": workspace.notes,
        "store": workspace.database,
        "index": workspace.index,
        "log": workspace.log,
    }
    if as_json:
        echo_json({name: str(path) for name, path in paths.items()})
        return
    for name, path in paths.items():
        click.echo(f"{name}: {path}")
