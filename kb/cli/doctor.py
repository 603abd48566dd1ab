"""`kb doctor`: check the store, salvage a damaged one, rebuild the index (kb.library.doctor)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli.context import open_library


@click.command("doctor")
@click.option(
    "--new-store", is_flag=True, help="The store is gone and no backup exists: start an empty one on purpose."
)
@click.pass_obj
def doctor_command(root: Path | None, new_store: bool) -> None:
    """Check the store (integrity_check), salvage a damaged one into a new file, and rebuild the index.

    Exit 0 when the store was sound, 1 when it was damaged and has been salvaged (the damaged file is kept
    beside it), 2 when it is missing and --new-store was not given.
    """
    with open_library(root) as library:
        report = library.doctor(new_store=new_store)
    for line in report.lines():
        click.echo(f"kb doctor: {line}")
    if report.damaged:
        sys.exit(1)
