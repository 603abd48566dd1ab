"""`kb init`."""

from __future__ import annotations

from pathlib import Path

import click

from kb.library import init_workspace


@click.command("init")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def init_command(folder: Path | None) -> None:
    """Create a workspace in FOLDER (default: here): a commented feeds.yaml, notes/ and .kb/."""
    workspace, created = init_workspace(folder or Path.cwd())
    for name in created:
        click.echo(f"created {workspace.root / name}", err=True)
    if not created:
        click.echo(f"{workspace.root} is already a workspace; nothing changed", err=True)
    click.echo(str(workspace.root))
