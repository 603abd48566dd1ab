"""`kb search` and `kb reindex`. This path must never import Textual: a shell search starts fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from kb.cli.context import open_library
from kb.cli.output import echo_json, use_color
from kb.cli.progress import StatusLine
from kb.library.serialize import item_json
from kb.models import Hit, Item
from kb.text import one_line, terminal_safe

QUERY_HELP = """
\b
Query language:
  attention transformer      all words (AND)
  vision OR language         either;  NOT survey / -survey   without
  (a OR b) c                 grouping;  "exact phrase";  diffus*  prefix
  title: author: abstract:/text: body: (full text) in:method|references|...
  cat:cs.LG tag: kind:paper|post|note
  source:NAME person:"NAME" status:new|read|skipped is:starred has:note id:1706.03762
  year:2024 published:2024-01..2024-06 published:>2025-03-01
Exit status: 0 hits, 1 no hits (as grep), 2 a query that cannot be parsed.
"""


def _json_hit(hit: Hit, item: Item | None) -> dict[str, object]:
    data: dict[str, object] = item_json(item) if item else {"id": hit.id, "kind": hit.kind.value}
    data.update(
        {
            "id": hit.id,
            "kind": hit.kind.value,
            "title": hit.title,
            "score": round(hit.score, 4),
            "snippet": hit.snippet,
            "section": hit.section,
        }
    )
    return data


def _text_hit(hit: Hit, names: Sequence[str], bold: bool) -> str:
    date = hit.published.strftime("%Y-%m-%d") if hit.published else ""
    authors = ", ".join(names[:3])
    lines = [f"{hit.kind.value:<5} {one_line(hit.id)}  {date}", f"  {one_line(hit.title, 200)}"]
    if authors:
        lines.append(f"  {one_line(authors, 120)}")
    snippet = one_line(hit.snippet, 400)
    if bold:  # the marks are ours, added after the text was made safe
        snippet = snippet.replace("«", "\x1b[1;33m").replace("»", "\x1b[0m")
    if hit.section:  # a match in the paper's full text: the section it is in
        snippet = f"§ {one_line(hit.section, 80)}: {snippet}"
    if snippet:
        lines.append(f"  {snippet}")
    return "\n".join(lines)


class QueryCommand(click.Command):
    """A command whose arguments are query words: any word that is not one of its options belongs to the query.

    `kb search -survey attention` means NOT survey (not an option -s), and `-hinton` is no request for -h
    help. The command's own options still work anywhere; after `--` everything is query.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {
            name: not param.is_flag
            for param in self.get_params(ctx)
            if isinstance(param, click.Option)
            for name in [*param.opts, *param.secondary_opts]
        }
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name not in takes_value:
                words.append(arg)
                continue
            options.append(arg)
            value = next(rest, None) if takes_value[name] and name == arg else None
            if value is not None:  # the option's value (a missing one, click reports)
                options.append(value)
        return super().parse_args(ctx, [*options, "--", *words])


@click.command("search", cls=QueryCommand, epilog=QUERY_HELP)
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most N hits.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (stable; see the README).")
@click.option(
    "--color",
    "color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Highlight matches: auto = on a terminal, unless NO_COLOR is set or TERM=dumb.",
)
@click.pass_obj
def search_command(root: Path | None, query: tuple[str, ...], limit: int, sort: str, as_json: bool, color: str) -> None:
    """Search papers, posts and notes. A query may start with '-' (`kb search -survey attention`)."""
    text = " ".join(query)
    with open_library(root) as library:
        result = library.search(text, limit=limit, sort=sort)
        ids = [hit.id for hit in result.hits]
        # The hit lines need only the authors' names: read without loading items (no SQLAlchemy when settled).
        items = {item.id: item for item in library.items(ids)} if as_json else {}
        authors = {} if as_json else library.author_names(ids)
    if as_json:
        echo_json([_json_hit(hit, items.get(hit.id)) for hit in result.hits])
    elif result.hits:  # no hits: nothing on stdout (an empty line would count as one for `wc -l`)
        bold = use_color(color, sys.stdout.isatty(), os.environ)
        click.echo(
            "\n\n".join(
                terminal_safe(_text_hit(hit, authors.get(hit.id, ()), bold))
                if not bold
                else _text_hit(hit, authors.get(hit.id, ()), bold)
                for hit in result.hits
            ),
            color=bold,  # click would strip the escapes off a pipe even when --color always asks for them
        )
    if not result.hits:
        if not as_json:
            click.echo(f"no results for: {one_line(text, 200)}", err=True)
        sys.exit(1)


@click.command("reindex")
@click.pass_obj
def reindex_command(root: Path | None) -> None:
    """Rebuild the search index from the store and notes/."""
    with StatusLine() as line, open_library(root) as library:
        written = library.reindex(lambda done: line.show(f"reindex: {done} documents indexed"))
    click.echo(f"indexed {written} documents", err=True)
