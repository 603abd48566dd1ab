"""Shell completion values (click's `_KB_COMPLETE=bash_source kb`): source names and tags.

Completion runs on every Tab press, often outside a workspace: any failure yields no candidates,
never a traceback in the person's shell.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from kb.library import Library
from kb.models import ItemFilter


def _candidates(ctx: click.Context, names: Callable[[Library], list[str]], incomplete: str) -> list[CompletionItem]:
    root = ctx.find_root().params.get("root")
    try:
        library = Library.open(Path(root) if root else None)
        try:
            found = names(library)
        finally:
            library.close()
    except Exception:
        return []
    wanted = incomplete.lower()
    return [CompletionItem(name) for name in found if name.lower().startswith(wanted)]


def complete_source(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The sources feeds.yaml defines."""
    return _candidates(ctx, lambda library: library.config.source_names(), incomplete)


def complete_tag(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The tags in use."""
    return _candidates(ctx, lambda library: [tag for tag, _count in library.all_tags()], incomplete)


def complete_id(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The ids of the newest stored items (bounded, so Tab stays fast on a large store)."""
    return _candidates(ctx, lambda library: [item.id for item in library.list_items(ItemFilter(limit=500))], incomplete)


def complete_person(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The people feeds.yaml follows."""
    return _candidates(ctx, lambda library: [person.name for person in library.config.people], incomplete)
