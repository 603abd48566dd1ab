"""`kb fulltext`: fetch papers' full texts now, or print one as Markdown (issue 14)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kb.cli.complete import complete_id
from kb.cli.context import open_library
from kb.cli.output import echo_json
from kb.errors import FetchLocked, KbError, UsageError
from kb.library import Library
from kb.library.fulltext_fetching import FullTextReport
from kb.library.serialize import fulltext_json
from kb.text import one_line, terminal_safe


@click.command("fulltext")
@click.argument("ids", metavar="ID...", nargs=-1, required=True, shell_complete=complete_id)
@click.option("--text", "as_text", is_flag=True, help="Print the text as Markdown (fetching it first if need be).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per paper.")
@click.pass_obj
def fulltext_command(root: Path | None, ids: tuple[str, ...], as_text: bool, as_json: bool) -> None:
    """Fetch papers' full texts now (arXiv's HTML, else the PDF); with --text, print them as Markdown.

    A paper whose text of its current version is held is not fetched again. Exit status: 0 when every paper's
    text is held, 1 when one could not be had (a line on stderr says why) or a kb fetch holds the workspace, 2 for
    a usage error.
    """
    if as_text and as_json:
        raise UsageError("--text and --json cannot be combined", hint="--text prints Markdown, --json the summary")
    with open_library(root) as library:
        order = [library.resolve_id(text) for text in ids]
        try:
            report = library.fetch_fulltexts(ids)
        except FetchLocked:  # unlike a cron fetch standing down, nothing the person asked for was done: exit 1
            raise KbError(
                "another kb fetch is running in this workspace", hint="run kb fulltext when it ends"
            ) from None
        rows = _rows(report, order)
        if as_text:
            _print_texts(library, [row["id"] for row in rows if row["ok"]])
    if as_json:
        echo_json(rows)
    for row in rows:
        if not row["ok"]:
            click.echo(f"kb fulltext: {row['id']}: {one_line(row['error'], 400)}", err=True)
        elif not as_json and not as_text:
            click.echo(_line(row))
    sys.exit(1 if any(not row["ok"] for row in rows) else 0)


def _rows(report: FullTextReport, order: list[str]) -> list[dict[str, Any]]:
    """One object per paper, in the order asked: ``id``, ``ok``, ``fetched`` (now, rather than already held),
    ``fulltext`` (as in `kb show --json`) and ``error`` (one line, or null)."""
    rows: dict[str, dict[str, Any]] = {}
    for info, fetched in [(info, True) for info in report.fetched] + [(info, False) for info in report.held]:
        rows[info.item_id] = {"fetched": fetched, "fulltext": fulltext_json(info), "error": None}
    for item_id, error in report.failed:
        rows[item_id] = {"fetched": False, "fulltext": None, "error": error}
    for item_id in report.left:
        rows[item_id] = {"fetched": False, "fulltext": None, "error": f"not tried: {report.cut}"}
    ordered = dict.fromkeys(order)
    return [{"id": item_id, "ok": rows[item_id]["error"] is None, **rows[item_id]} for item_id in ordered]


def _line(row: dict[str, Any]) -> str:
    held = row["fulltext"]
    version = f" v{held['version']}" if held["version"] else ""
    what = "fetched" if row["fetched"] else "already held"
    return (
        f"{row['id']}: {what}: {held['source']}{version}, {held['sections']} sections, {held['bytes'] / 1024:,.0f} KB"
    )


def _print_texts(library: Library, ids: list[str]) -> None:
    """Each text as Markdown, a blank line between; reading them keeps them longest (eviction)."""
    texts = [text for text in map(library.fulltexts.get, ids) if text is not None]
    click.echo("\n\n".join(terminal_safe(text.text) for text in texts))
    library.fulltexts.mark_used([text.item_id for text in texts])
