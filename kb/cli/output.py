"""Formatting for people (terminal-safe text) and for scripts (stable JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import click

from kb.models import Item
from kb.text import one_line, terminal_safe


def echo_json(data: Any) -> None:
    """Print JSON to stdout: UTF-8, two-space indent (stable key order as built)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_json_list(values: Iterable[Any]) -> None:
    """Print a JSON list element by element, exactly as ``echo_json(list(values))`` would: a list of a
    million items is never held as one string."""
    first = True
    for value in values:
        text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        click.echo(("[\n  " if first else ",\n  ") + text, nl=False)
        first = False
    click.echo("[]" if first else "\n]")


def day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "----------"


def authors_line(item: Item, most: int = 3) -> str:
    names = [author.name for author in item.authors]
    text = ", ".join(names[:most]) + (f" +{len(names) - most}" if len(names) > most else "")
    return one_line(text)


def marks(item: Item) -> str:
    """One-character flags: * starred, status initial (! for a watched paper back in the inbox with a change)."""
    star = "*" if item.starred else " "
    status = "!" if item.alert else {"new": "N", "read": " ", "skipped": "-"}[item.status.value]
    return f"{star}{status}"


def item_row(item: Item, width: int = 100) -> str:
    """One line of `kb list`."""
    where = item.categories[0] if item.categories else (item.feed or "")
    head = f"{marks(item)} {day(item.dated)} {item.id:<22} {one_line(where, 10):<10} "
    head += f"[{one_line(item.alert, 40)}] " if item.alert else ""
    return head + one_line(item.title or "(no title yet)", max(width - len(head), 20))


def item_details(item: Item) -> str:
    """The text of `kb show`: every field, terminal-safe."""
    lines = [one_line(item.title or "(no title yet: fetched at the next `kb fetch`)"), ""]
    fields: list[tuple[str, str | None]] = [
        ("id", item.id),
        ("kind", item.kind.value),
        (
            "authors",
            "; ".join(
                author.name + (f" ({', '.join(author.affiliations)})" if author.affiliations else "")
                for author in item.authors
            ),
        ),
        ("published", day(item.published) if item.published else None),
        # An arXiv RSS replacement carries only the day it was announced (see Item.dated).
        ("announced" if item.published is None else "updated", day(item.updated) if item.updated else None),
        ("version", f"v{item.version}" if item.version else None),
        ("categories", " ".join(item.categories)),
        ("feed", item.feed),
        ("comment", item.comment),
        ("journal", item.journal_ref),
        ("doi", item.doi),
        ("url", item.url),
        ("pdf", item.pdf_url),
        ("sources", ", ".join(item.sources)),
        ("status", item.status.value + (" (starred)" if item.starred else "")),
        ("changed", item.alert),
        ("tags", ", ".join(item.tags)),
    ]
    for name, value in fields:
        if value:
            lines.append(f"{name + ':':<12}{one_line(value)}")
    if item.summary:
        lines += ["", terminal_safe(item.summary)]
    return "\n".join(lines)


def use_color(mode: str, is_terminal: bool, env: Mapping[str, str]) -> bool:
    """Whether to write colour escapes: ``always``, ``never``, or ``auto``.

    ``auto`` colours a terminal only, and not when ``NO_COLOR`` is set to anything non-empty (no-color.org)
    or ``TERM`` is ``dumb`` (a terminal that cannot show them).
    """
    if mode != "auto":
        return mode == "always"
    return is_terminal and not env.get("NO_COLOR") and env.get("TERM", "") != "dumb"
