"""`kb list` and `kb show`."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from kb.cli.complete import complete_id, complete_source, complete_tag
from kb.cli.context import open_library
from kb.cli.output import echo_json, echo_json_list, item_details, item_row
from kb.errors import UsageError
from kb.library.serialize import fulltext_json, item_json, note_json
from kb.models import Item, ItemFilter, Kind, Status
from kb.text import one_line


def parse_since(text: str | None) -> datetime | None:
    """A date (2026-11-01) or a number of days back (7d)."""
    if text is None:
        return None
    text = text.strip()
    try:
        if text.endswith("d") and text[:-1].isdigit():
            return datetime.now(UTC) - timedelta(days=int(text[:-1]))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--since: '{text}' is not a date", hint="use YYYY-MM-DD or a number of days like 7d"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command("list")
@click.option("--status", type=click.Choice([s.value for s in Status]), help="Only items with this triage status.")
@click.option("--kind", type=click.Choice([Kind.PAPER.value, Kind.POST.value]), help="Only papers or only posts.")
@click.option(
    "--source",
    metavar="NAME",
    shell_complete=complete_source,
    help="Only items from this source (a feed or search name, or 'arxiv').",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Only items dated on or after DATE (YYYY-MM-DD, or 7d): the date the rows show "
    "(published, else announced, else first seen).",
)
@click.option("--starred", is_flag=True, default=None, help="Only starred items.")
@click.option("--tag", metavar="TAG", shell_complete=complete_tag, help="Only items with this tag.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N items.")
@click.option(
    "--sort",
    type=click.Choice(["newest", "foryou"]),
    default="newest",
    help="newest first, or foryou: learned from your stars, reads, skips, tags and notes (`kb why ID` says why).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (the stable scripting interface).")
@click.pass_obj
def list_command(
    root: Path | None,
    status: str | None,
    kind: str | None,
    source: str | None,
    since: str | None,
    starred: bool | None,
    tag: str | None,
    limit: int | None,
    sort: str,
    as_json: bool,
) -> None:
    """List stored papers and posts, newest first (or --sort foryou)."""
    moment = parse_since(since)
    flt = ItemFilter(
        status=Status(status) if status else None,
        kind=Kind(kind) if kind else None,
        source=source,
        # The store narrows on first_seen (never before an item's date), the rows' date decides below.
        since=moment,
        starred=starred,
        tag=tag.lower() if tag else None,
        # rank everything then keep the best; with --since, keep the first N of those dated since
        limit=None if sort == "foryou" or moment is not None else limit,
    )
    with open_library(root) as library:
        if sort == "foryou":
            candidates = [item for item in library.list_items(flt) if _dated_since(item, moment)]
            # The text list shows no reasons: explaining 2,000 items would cost a third of the time.
            list_ranked(library.rank(candidates, explain=as_json)[:limit], as_json)
            return
        # A page of items at a time: a million rows never sit in memory.
        rows: Iterator[Item] = (item for page in library.list_pages(flt) for item in page)
        if moment is not None:
            rows = itertools.islice((item for item in rows if _dated_since(item, moment)), limit)
        if as_json:
            echo_json_list(item_json(item) for item in rows)
            return
        width = shutil.get_terminal_size((120, 24)).columns
        for item in rows:
            click.echo(item_row(item, width))


def list_ranked(ranked: list[tuple[Item, float, str]], as_json: bool) -> None:
    """`kb list --sort foryou`: each row led by its score; the JSON adds "score" and "why"."""
    if as_json:
        echo_json([{**item_json(item), "score": round(score, 4), "why": why} for item, score, why in ranked])
        return
    width = shutil.get_terminal_size((120, 24)).columns
    for item, score, _ in ranked:
        click.echo(f"{score:.2f} {item_row(item, width - 5)}")


@click.command("show")
@click.argument("item_id", metavar="ID", shell_complete=complete_id)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_obj
def show_command(root: Path | None, item_id: str, as_json: bool) -> None:
    """Show one paper, post or note: an arXiv id (any version), an arXiv URL, post:..., note:... or NOTE.md."""
    with open_library(root) as library:
        if item_id.startswith("note:") or item_id.endswith(".md"):
            note = library.get_note(item_id)
            papers, linked = library.note_links(note.path)
            cap_kb = library.config.notes.max_index_kb
            head_only = note.size > cap_kb * 1024
            data = {
                **note_json(note),
                "links": {"papers": papers, "notes": [n.path for n in linked]},
                "backlinks": [n.path for n in library.backlinks(note.path)],
                "indexed_kb": cap_kb if head_only else None,  # None: the whole note is searchable
            }
            text = f"{one_line(note.title)}\n\n" + "\n".join(
                f"{key + ':':<12}{one_line(str(value))}"
                for key, value in (
                    ("id", note.id),
                    ("papers", " ".join(papers)),
                    ("links", " ".join(n.path for n in linked)),
                    ("backlinks", " ".join(data["backlinks"])),
                    ("tags", ", ".join(note.tags)),
                    (
                        "indexed",
                        f"first {cap_kb} KB of {note.size / 1e6:.1f} MB (notes.max_index_kb)" if head_only else "",
                    ),
                )
                if value
            )
        else:
            item = library.get_item(item_id)
            notes = [n.path for n in library.notes_for_paper(item.id)]
            held = library.fulltexts.info(item.id)
            data = {**item_json(item), "notes": notes, "fulltext": fulltext_json(held) if held else None}
            text = item_details(item) + (f"\n\nnotes: {', '.join(notes)}" if notes else "")
            if held:
                version = f" v{held.version}" if held.version else ""
                text += (
                    f"\nfull text: {held.source.value}{version}, {held.sections} sections, {held.bytes / 1024:,.0f} KB"
                )
    if as_json:
        echo_json(data)
    else:
        click.echo(text)


def _dated_since(item: Item, moment: datetime | None) -> bool:
    """Whether the date ``item``'s row shows (Item.dated) is on or after ``moment`` (always, without one)."""
    return moment is None or (item.dated is not None and item.dated >= moment)
