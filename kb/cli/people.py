"""`kb follow NAME ...` (a person into feeds.yaml's ``people``) and `kb person NAME` (what kb holds of them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kb.cli.complete import complete_person
from kb.cli.context import open_library
from kb.cli.output import echo_json, item_row
from kb.config import Person
from kb.library.people import PersonPage, PersonSource
from kb.library.serialize import item_json
from kb.text import one_line, terminal_safe


def _sources_json(sources: tuple[PersonSource, ...]) -> list[dict[str, str]]:
    return [{"name": source.name, "kind": source.kind, "target": source.target} for source in sources]


@click.command("follow")
@click.argument("name")
@click.option("--arxiv", "arxiv", multiple=True, metavar="AUTHOR", help="An arXiv author name variant (repeatable).")
@click.option("--exclude", multiple=True, metavar="ID", help="An arXiv id that is someone else's (repeatable).")
@click.option("--category", "categories", multiple=True, metavar="CAT", help="Only their papers in CAT (repeatable).")
@click.option("--blog", metavar="URL", help="Their blog's feed URL.")
@click.option("--mastodon", metavar="@USER@INSTANCE", help="Their Mastodon account (or its RSS URL).")
@click.option("--bluesky", metavar="HANDLE", help="Their Bluesky handle (or its RSS URL).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when all went well.")
@click.option("--json", "as_json", is_flag=True, help="Print the person's sources as a JSON object (see README).")
@click.pass_obj
def follow_command(
    root: Path | None,
    name: str,
    arxiv: tuple[str, ...],
    exclude: tuple[str, ...],
    categories: tuple[str, ...],
    blog: str | None,
    mastodon: str | None,
    bluesky: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Follow a person wherever they publish: arXiv, blog, Mastodon, Bluesky. Adds NAME to feeds.yaml's people
    (comments kept); `kb fetch` then fetches their papers (an arXiv author search) and posts."""
    from kb.library.people import follow, sources_of
    from kb.paths import find_workspace

    wanted = Person(name.strip(), arxiv, exclude, categories, blog, mastodon, bluesky)  # feeds.yaml's loader checks
    person = follow(find_workspace(root).config, wanted)
    sources = sources_of(person)
    if as_json:
        echo_json({"name": person.name, "sources": _sources_json(sources)})
    elif not quiet:
        names = ", ".join(source.name for source in sources)
        click.echo(f"kb follow: following {one_line(person.name)}: {one_line(names)}", err=True)


def person_json(page: PersonPage) -> dict[str, Any]:
    """The `kb person --json` object (documented in the README)."""
    return {
        "name": page.person.name,
        "sources": _sources_json(page.sources),
        "counts": page.counts(),
        "items": [
            {**item_json(item), "notes": [note.path for note in page.notes.get(item.id, ())]} for item in page.items
        ],
    }


def _person_text(page: PersonPage) -> str:
    counts = page.counts()
    lines = [terminal_safe(one_line(page.person.name))]
    lines += [f"  {one_line(source.name)}: {one_line(source.target)}" for source in page.sources]
    lines.append(
        f"  {counts['items']} items: {counts['new']} new, {counts['read']} read, {counts['skipped']} skipped, "
        f"{counts['starred']} starred, {counts['noted']} with notes"
    )
    lines.append("")
    for item in page.items:
        lines.append(item_row(item))
        lines += [f"      note: {one_line(note.path)}" for note in page.notes.get(item.id, ())]
    return "\n".join(lines)


@click.command("person")
@click.argument("name", shell_complete=complete_person)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object (stable; see the README).")
@click.pass_obj
def person_command(root: Path | None, name: str, as_json: bool) -> None:
    """A followed person's papers and posts, newest first, with your triage and notes. NAME may be a unique
    start of the name."""
    with open_library(root) as library:
        page = library.person(name)
    if as_json:
        echo_json(person_json(page))
    else:
        click.echo(_person_text(page))
