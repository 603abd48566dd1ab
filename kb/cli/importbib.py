"""`kb import-bib FILE`: bring a reference manager's library in (BibTeX or CSL JSON, as Zotero exports)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli.context import open_library
from kb.cli.output import echo_json
from kb.cli.progress import StatusLine
from kb.library.formats.bibimport import ImportReport
from kb.text import counted, one_line


@click.command("import-bib")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--star", is_flag=True, help="Star the imported papers as well as marking them read.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but what could not be imported.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object (keys in README).")
@click.pass_obj
def import_bib_command(root: Path | None, file: Path, star: bool, quiet: bool, as_json: bool) -> None:
    """Add the arXiv papers of a BibTeX or CSL JSON export (Zotero), marked read, keywords as tags.

    FILE is BibTeX (.bib) or CSL JSON (.json).

    Entries are matched by eprint/arxiv fields, arxiv.org URLs or DOIs 10.48550/arXiv.*; papers kb lacks
    are fetched from the arXiv API. Prints the ids of the papers it added or marked; entries it could not
    match are listed on stderr with the reason. Running it again changes nothing.

    Exit status: 0 when every matched paper is stored and marked, 1 when arXiv does not know an id or the
    arXiv request failed, 2 for a file that cannot be read (its line is named).
    """
    with StatusLine(quiet) as line, open_library(root) as library:
        report = library.import_bib(
            file, star, lambda what, done, total: line.show(f"import-bib: {what} {done}/{total}")
        )
    if as_json:
        echo_json(report.as_json())
    else:
        for item_id in [*report.added, *(i for i in report.marked if i not in report.added)]:
            click.echo(item_id)
        _explain(report, quiet)
    unknown = report.fetch_error or any(u.reason.startswith("arXiv does not know") for u in report.unmatched)
    sys.exit(1 if unknown else 0)


def _explain(report: ImportReport, quiet: bool) -> None:
    """What could not be imported (always), and the summary (unless -q), on stderr."""
    for entry in report.unmatched:
        where = f" (line {entry.line})" if entry.line else ""
        click.echo(f"kb import-bib: not imported: {one_line(entry.key, 80)}{where}: {entry.reason}", err=True)
    if report.fetch_error:
        click.echo(f"kb import-bib: {one_line(report.fetch_error, 300)}", err=True)
    if quiet:
        return
    matched = len(report.matched)
    summary = (
        f"kb import-bib: {counted(report.entries, 'entry', 'entries')}, {matched} matched to arXiv: "
        f"{len(report.added)} fetched, {len(report.marked)} marked, {len(report.unchanged)} already imported"
    )
    if not report.changed:
        summary += "; nothing changed"
    if report.unmatched:
        summary += f"; {len(report.unmatched)} not imported"
    click.echo(summary, err=True)
