"""`kb similar ID|NOTE`: the papers, posts and notes most like one item, with the words they share.

Like `kb search`, this path never imports Textual.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kb.cli.complete import complete_id
from kb.cli.context import open_library
from kb.cli.output import echo_json
from kb.library.serialize import item_json
from kb.models import Item, SimilarHit, SimilarResult
from kb.text import one_line, terminal_safe


def similar_json(source: str, result: SimilarResult, items: dict[str, Item]) -> dict[str, Any]:
    """The `kb similar --json` object (documented in the README)."""
    return {
        "source": source,
        "based_on": list(result.based_on),
        "terms": list(result.terms),
        "results": [_json_hit(found, items.get(found.hit.id)) for found in result.hits],
    }


def _json_hit(found: SimilarHit, item: Item | None) -> dict[str, Any]:
    hit = found.hit
    data: dict[str, Any] = item_json(item) if item else {"id": hit.id, "kind": hit.kind.value}
    data.update(
        {
            "id": hit.id,
            "kind": hit.kind.value,
            "title": hit.title,
            "score": round(hit.score, 4),
            "shared": list(found.shared),
            "snippet": hit.snippet,
        }
    )
    return data


def _text_hit(found: SimilarHit) -> str:
    hit = found.hit
    date = hit.published.strftime("%Y-%m-%d") if hit.published else ""
    lines = [f"{hit.kind.value:<5} {one_line(hit.id)}  {date}", f"  {one_line(hit.title, 200)}"]
    if found.shared:
        lines.append(f"  shares: {one_line(', '.join(found.shared), 200)}")
    return terminal_safe("\n".join(lines))


@click.command("similar")
@click.argument("source", shell_complete=complete_id)
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="At most N results.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object (stable; see the README).")
@click.pass_obj
def similar_command(root: Path | None, source: str, limit: int, as_json: bool) -> None:
    """The papers, posts and notes most like an item (or like the papers a note links), each with the words it
    shares. SOURCE is an arXiv id, post:..., or a note (note:PATH, PATH.md). Exit status 1 when nothing is like it."""
    with open_library(root) as library:
        result = library.similar(source, limit=limit)
        items = {item.id: item for item in library.items([found.hit.id for found in result.hits])}
    if as_json:
        echo_json(similar_json(source, result, items))
    elif result.hits:
        click.echo("\n\n".join(_text_hit(found) for found in result.hits))
    if not result.hits:
        if not as_json:
            click.echo(f"nothing like {one_line(source, 200)} in this workspace", err=True)
        sys.exit(1)
