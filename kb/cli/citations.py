"""`kb citations ID`: a paper's references and the papers citing it, from Semantic Scholar (cached weekly)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli.complete import complete_id
from kb.cli.context import open_library
from kb.cli.output import day, echo_json
from kb.library.citations import Link, PaperCitations
from kb.text import counted, one_line


def _row(link: Link, width: int) -> str:
    p = link.paper
    mark = "*" if link.item_id else " "
    year = str(p.year) if p.year else "----"
    where = p.arxiv_id.removeprefix("arxiv:") if p.arxiv_id else (f"doi:{p.doi}" if p.doi else "-")
    head = f"{mark} {year} {one_line(where, 24):<24} "
    return head + one_line(p.title or "(no title)", max(width - len(head), 20))


def _text(shown: PaperCitations, limit: int, width: int) -> list[str]:
    lists = shown.lists
    lines = [one_line(f"{shown.title} ({shown.paper_id})" if shown.title else shown.paper_id, width)]
    fetched = f"fetched {day(lists.fetched_at)} from Semantic Scholar"
    if lists.not_found:
        return [*lines, f"{fetched}: it does not know this paper"]
    state = "" if lists.complete else " (cut at citations.max_links)"
    refs, cits = shown.references, shown.citations
    lines.append(f"{fetched}: {counted(len(refs), 'reference')}, {counted(len(cits), 'citing paper')}{state}")
    if lists.error:
        lines.append(f"last refresh failed: {one_line(lists.error, width)}")
    for name, links in (("References", refs), ("Cited by", cits)):
        inside = sum(1 for link in links if link.item_id)
        lines.append(f"{name} ({len(links)}, {inside} in this workspace marked *):")
        lines += [f"  {_row(link, width - 2)}" for link in links[:limit]]
        if len(links) > limit:
            lines.append(f"  ... {len(links) - limit} more (--limit N, or --json for all)")
    return lines


@click.command("citations")
@click.argument("item_id", metavar="ID", shell_complete=complete_id)
@click.option("--refresh", is_flag=True, help="Ask Semantic Scholar now, even if the cached lists are recent.")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, help="Entries shown per list.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (for cron: kb citations ID --refresh -q).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object (keys in README).")
@click.pass_obj
def citations_command(root: Path | None, item_id: str, refresh: bool, limit: int, quiet: bool, as_json: bool) -> None:
    """List a paper's references and the papers citing it, from Semantic Scholar; * marks papers in the workspace.

    The lists are cached in the store and asked again when older than citations.refresh_days (7) or with
    --refresh. `kb fetch` refreshes those of the papers you star, tag or note by itself.

    Exit status: 0 on success, 1 when Semantic Scholar could not be asked and nothing is cached, 2 for an ID
    that is not an arXiv id or a bad feeds.yaml.
    """
    show = not quiet and not as_json and sys.stderr.isatty()

    def progress(line: str) -> None:
        click.echo(f"\r{one_line(line, 70)}\x1b[K", err=True, nl=False)

    with open_library(root) as library:
        shown = library.citations(item_id, refresh=refresh, progress=progress if show else None)
    if show:
        click.echo("\r\x1b[K", err=True, nl=False)
    assert shown is not None  # asked with the network allowed
    if as_json:
        echo_json(shown.as_json())
    elif not quiet:
        width = 100
        for line in _text(shown, limit, width):
            click.echo(line)
