"""`kb fetch` (the cron entry point) and `kb add`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from kb.cli.complete import complete_source
from kb.cli.context import open_library
from kb.cli.progress import StatusLine
from kb.errors import FetchLocked, NotFound
from kb.library import FetchReport, Library, SourceOutcome
from kb.text import one_line

if TYPE_CHECKING:
    from kb.library.sources.gaps import Gap


def _progress_line(outcome: SourceOutcome) -> str:
    name = one_line(outcome.source, 40)
    if not outcome.ok:
        return f"  ✗ {name}: {one_line(outcome.error or 'failed', 200)}"
    if outcome.not_modified:
        return f"  · {name}: not modified"
    line = f"  ✓ {name}: {outcome.new} new, {outcome.updated} updated"
    if outcome.muted:
        line += f", {outcome.muted} muted"
    return line + ("" if outcome.complete else " (incomplete: arXiv gave empty pages; the next run retries)")


def _finish(report: FetchReport, quiet: bool) -> NoReturn:
    """The summary, and the exit status: 0 when every source succeeded, 1 when some failed."""
    if report.failed and quiet:
        for outcome in report.failed:
            click.echo(f"kb fetch: {_progress_line(outcome).strip()}", err=True)
    if not quiet:
        click.echo(report.summary(), err=True)
    if report.index_error:
        click.echo(f"kb fetch: {report.index_error}", err=True)
    sys.exit(1 if report.failed else 0)


@click.command("fetch")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when all went well (for cron).")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_source,
    help="Fetch only this source (repeatable).",
)
@click.option("--repair", is_flag=True, help="Refetch only what `kb status` lists as gaps (of the --source given).")
@click.pass_obj
def fetch_command(root: Path | None, quiet: bool, sources: tuple[str, ...], repair: bool) -> None:
    """Fetch new papers and posts from every source in feeds.yaml.

    With --repair, refetch only what `kb status` lists as gaps: missed announcement days (through the arXiv
    API), saved searches left incomplete (from further back) and sources failing for days.

    Exit status: 0 when every source succeeded, 1 when some failed (the others are stored),
    2 for a usage or feeds.yaml error. A second fetch while one runs waits briefly, then exits 0.
    """
    with StatusLine(quiet) as line, open_library(root, quiet) as library:
        done = (lambda o: line.echo(_progress_line(o))) if line.enabled else None
        try:
            if repair:
                report = library.repair(sources or None, done, starting=_gap_status(line) if line.enabled else None)
            else:
                report = library.fetch(sources or None, done)
        except FetchLocked as locked:
            line.end()
            if not quiet:
                click.echo(f"kb fetch: {locked}", err=True)
            sys.exit(0)
    if repair and not report.outcomes and not quiet:
        click.echo("kb fetch --repair: no gaps to repair (`kb status` lists them)", err=True)
    _finish(report, quiet)


def _gap_status(line: StatusLine) -> Callable[[int, int, Gap], None]:
    """Shows which gap a repair is on: one can take minutes of requests paced for arXiv."""
    return lambda number, total, gap: line.show(f"repair: gap {number}/{total}: {gap.source}: {gap.detail}")


@click.command("add")
@click.argument("ids", nargs=-1, required=True, metavar="ARXIV_ID_OR_URL...")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when all went well.")
@click.pass_obj
def add_command(root: Path | None, ids: tuple[str, ...], quiet: bool) -> None:
    """Fetch papers by arXiv id or URL and store them.

    Exit status: 0 when every paper is stored, 1 when arXiv does not know an id or the fetch failed.
    """
    with open_library(root) as library:
        before = _stored(library, ids)
        report = library.add(ids)
        for item_id in sorted(report.changed_ids):
            click.echo(item_id)
        after = _stored(library, ids)
    if report.failed:  # a failed request says nothing about which ids arXiv knows
        _finish(report, quiet)
    for text in ids:
        key = before.get(text)
        if key is not None and key not in report.changed_ids:
            click.echo(f"kb add: {key} is already stored", err=True)
    unknown = [text for text in ids if after.get(text) is None]
    if unknown:
        click.echo(f"kb add: arXiv does not know {', '.join(unknown)}", err=True)
        if not quiet:
            click.echo(report.summary(), err=True)
        sys.exit(1)
    _finish(report, quiet)


def _stored(library: Library, texts: tuple[str, ...]) -> dict[str, str | None]:
    """Each id as typed -> its stored key, or None when kb has no metadata for it (a placeholder counts as none)."""
    found: dict[str, str | None] = {}
    for text in texts:
        try:
            item = library.get_item(text)
        except NotFound:
            found[text] = None
        else:
            found[text] = item.id if item.has_metadata else None
    return found
