"""`kb backfill`: a category's history before kb started, from arXiv's OAI-PMH, resumable."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from kb.cli.context import open_library
from kb.cli.output import echo_json
from kb.cli.progress import StatusLine
from kb.errors import UsageError
from kb.library.backfill import BackfillProgress, BackfillReport
from kb.text import one_line


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{flag} {value!r} is not a date", hint="write it as YYYY-MM-DD") from None


def _progress_line(progress: BackfillProgress) -> str:
    s = progress.state
    line = f"backfill: page {s.pages}: {s.records} records, {s.stored} stored ({s.new} new)"
    if progress.total is not None and progress.done is not None:
        line += f", {progress.done}/{progress.total} of this pass"
    if progress.eta_seconds is not None:
        minutes, seconds = divmod(int(progress.eta_seconds), 60)
        hours, minutes = divmod(minutes, 60)
        line += f", ETA {hours}:{minutes:02d}:{seconds:02d}" if hours else f", ETA {minutes}:{seconds:02d}"
    return line


@click.command("backfill")
@click.argument("target", required=False, metavar="CATEGORY_OR_ARCHIVE")
@click.option("--since", metavar="DATE", help="Keep papers first submitted on or after this day (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="... and on or before this day (default: up to today).")
@click.option("--resume", is_flag=True, help="Continue an unfinished backfill (alone: the latest one).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when it completes (for cron).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object (keys in README).")
@click.pass_obj
def backfill_command(
    root: Path | None,
    target: str | None,
    since: str | None,
    until: str | None,
    resume: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Harvest the history of an arXiv category (cs.LG), archive (hep-th) or group (cs) over OAI-PMH.

    Papers first submitted between --since and --until are stored as history: searchable and ranked, but
    not in the inbox. Killed or failed, the same command (or --resume) continues from the last page stored.

    Exit status: 0 when the harvest is complete, 1 when it stopped early (resumable), 2 for a usage error
    (unknown category, bad date) or a bad feeds.yaml.
    """
    first, last = _date(since, "--since"), _date(until, "--until")
    with StatusLine(quiet) as line, open_library(root, quiet) as library:
        report = library.backfill(
            target, first, last, resume, (lambda p: line.show(_progress_line(p))) if line.enabled else None
        )
    _finish(report, quiet, as_json)


def _finish(report: BackfillReport, quiet: bool, as_json: bool) -> None:
    if as_json:
        echo_json(report.as_json())
    if report.complete:
        if not quiet and not as_json:
            click.echo(report.summary(), err=True)
        sys.exit(0)
    if report.error:
        click.echo(f"kb backfill: {one_line(report.error, 300)}", err=True)
    s = report.state
    until = f" --until {s.until}" if s.until else ""
    again = f"kb backfill {s.set_spec} --since {s.since}{until}"
    resume = f"resume with `{again}` (or `kb backfill --resume`)"
    click.echo(f"kb backfill: incomplete after {s.pages} pages; {resume}", err=True)
    sys.exit(1)
