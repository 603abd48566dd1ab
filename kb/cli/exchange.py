"""`kb export`, `kb import`, `kb opml import|export`, `kb digest` and `kb muted`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from kb.cli.context import open_library
from kb.cli.items import parse_since
from kb.cli.output import echo_json, item_row
from kb.cli.progress import StatusLine
from kb.errors import UsageError
from kb.library.serialize import item_json
from kb.text import counted, one_line


def _write_output(text: str, output: Path | None) -> None:
    """``text`` to stdout, or atomically to ``output`` (a reader never sees half a file)."""
    if output is None:
        click.echo(text, nl=False)
        return
    from kb.config.edit import write_atomically

    try:
        write_atomically(output.expanduser().resolve(), text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from None


def _read_input(file: str) -> tuple[bytes, str]:
    """The bytes of FILE (``-``: standard input) and the name to give it in messages."""
    if file == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        return Path(file).expanduser().read_bytes(), file
    except OSError as error:
        raise UsageError(f"cannot read {file}: {error.strerror or error}") from None


_OUTPUT = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout.",
)


# --- export / import -------------------------------------------------------------------------------


@click.command("export")
@_OUTPUT
@click.pass_obj
def export_command(root: Path | None, output: Path | None) -> None:
    """Write the triage state (and the fetch history) as JSON, for `kb import` on another machine."""
    from kb.library.formats.exchange import export_state

    with open_library(root) as library:
        data = export_state(library)
    _write_output(json.dumps(data, ensure_ascii=False, indent=1) + "\n", output)
    click.echo(f"kb export: {counted(len(data['items']), 'triaged item')}", err=True)


@click.command("import")
@click.argument("file", metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="Print what changed as a JSON object.")
@click.pass_obj
def import_command(root: Path | None, file: str, as_json: bool) -> None:
    """Merge a `kb export` file (or - for stdin): per item and field the newer change wins."""
    from kb.library.formats.exchange import import_state, read_export

    raw, name = _read_input(file)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise UsageError(f"{name}: not JSON{where}", hint="give a file written by `kb export`") from None
    except RecursionError:
        raise UsageError(
            f"{name}: nested too deeply to be a kb export file", hint="give a file written by `kb export`"
        ) from None
    items = read_export(data, name)
    with StatusLine() as line, open_library(root) as library:
        line.show(f"import: merging {len(items)} items and updating the search index")
        report = import_state(library, items)
    if as_json:
        echo_json(report.as_json())
    click.echo(f"kb import: {report.summary()}", err=True)
    for item_id, reason in report.skipped:
        click.echo(f"kb import: skipped {item_id}: {reason}", err=True)
    if report.index_error:
        click.echo(f"kb import: {report.index_error}", err=True)


# --- OPML ------------------------------------------------------------------------------------------


@click.group("opml")
def opml_group() -> None:
    """Subscription lists (OPML) in and out."""


@opml_group.command("import")
@click.argument("file", metavar="FILE")
@click.option("--dry-run", is_flag=True, help="Say what would be added; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print what was added and skipped as a JSON object.")
@click.pass_obj
def opml_import_command(root: Path | None, file: str, dry_run: bool, as_json: bool) -> None:
    """Add the feeds of an OPML file to feeds.yaml, keeping its comments; duplicates are skipped."""
    from kb.library.formats.opml import import_opml
    from kb.paths import find_workspace

    raw, name = _read_input(file)
    result = import_opml(find_workspace(root).config, raw, name, dry_run=dry_run)
    for warning in result.warnings:
        click.echo(f"kb opml: warning: {one_line(warning)}", err=True)
    if as_json:
        echo_json(
            {
                "written": result.written,
                "feeds": [{"name": f.name, "url": f.url, "tags": list(f.tags)} for f in result.feeds],
                "categories": result.categories,
                "queries": [{"name": q.name, "query": q.query} for q in result.queries],
                "renamed": [{"title": title, "name": given} for title, given in result.renamed],
                "skipped": [{"title": s.title, "url": s.url, "reason": s.reason} for s in result.skipped],
                "warnings": result.warnings,
            }
        )
    else:
        _opml_text(result)
    verb = "would add" if dry_run else "added"
    click.echo(f"kb opml: {verb} {result.added}, skipped {len(result.skipped)}", err=True)


def _opml_text(result: Any) -> None:
    for category in result.categories:
        click.echo(f"added  arXiv category {category}")
    for query in result.queries:
        click.echo(f"added  saved search {one_line(query.name)}: {one_line(query.query)}")
    for feed in result.feeds:
        click.echo(f"added  {one_line(feed.name)}  {one_line(feed.url)}")
    for title, given in result.renamed:
        click.echo(f"renamed  '{one_line(title)}' to '{one_line(given)}': the name was taken")
    for skipped in result.skipped:
        click.echo(f"skipped  {one_line(skipped.title) or '(no title)'}  {one_line(skipped.url)}: {skipped.reason}")


@opml_group.command("export")
@_OUTPUT
@click.pass_obj
def opml_export_command(root: Path | None, output: Path | None) -> None:
    """Write feeds.yaml's feeds, arXiv categories and saved searches as OPML 2.0."""
    from kb.config import load_config
    from kb.library.formats.opml import export_opml
    from kb.paths import find_workspace

    _write_output(export_opml(load_config(find_workspace(root).config)), output)


# --- digest and muted ------------------------------------------------------------------------------


@click.command("digest")
@click.option("--since", metavar="DATE", help="Since DATE (YYYY-MM-DD, an ISO time, or 7d); default: the last digest.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True)
@click.option("--per-source", type=click.IntRange(min=1), default=None, help="At most N items per source.")
@_OUTPUT
@click.pass_obj
def digest_command(root: Path | None, since: str | None, fmt: str, per_source: int | None, output: Path | None) -> None:
    """What arrived since DATE (default: since the last digest, else a day), grouped by source, ranked, with links.

    Without --since the digest remembers where it ended, so a daily cron line never repeats or misses an item.
    """
    from kb.library.formats.digest import default_since, remember_digest, render_html, render_markdown

    now = datetime.now(UTC)
    with open_library(root) as library:
        state = library.workspace.state
        start = parse_since(since) or default_since(state, now)
        digest = library.digest(start, now, per_source)
    _write_output((render_html if fmt == "html" else render_markdown)(digest), output)
    if since is None:
        remember_digest(state, now)


@click.command("muted")
@click.option("--since", metavar="DATE", help="Only items first seen since DATE (YYYY-MM-DD, or 7d).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {rule, count, items}.")
@click.pass_obj
def muted_command(root: Path | None, since: str | None, as_json: bool) -> None:
    """Items mute rules filed as skipped on arrival, by rule (`kb unread ID` brings one back)."""
    with open_library(root) as library:
        groups = library.muted_by_rule(parse_since(since))
    if as_json:
        echo_json(
            [
                {"rule": rule.label, "count": len(items), "items": [item_json(i) for i in items]}
                for rule, items in groups
            ]
        )
        return
    for rule, items in groups:
        click.echo(f"{one_line(rule.label)}: {len(items)} muted")
        for item in items:
            click.echo("  " + item_row(item))


exchange_commands: list[click.Command] = [
    export_command,
    import_command,
    opml_group,
    digest_command,
    muted_command,
]
