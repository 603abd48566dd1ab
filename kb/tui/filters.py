"""The inbox's filter line: store filters (status, kind, tag, source, starred) or any search query.

``status:new kind:paper`` and friends are answered by the store (paged, exact, fast on 100k items). Anything
else (``cat:cs.LG``, free words, phrases) is a query for the search index, in the same language as `kb search`.
This module only reads the line into a kb.models.ItemFilter; what each filter selects is ItemFilter.admits.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace

from kb.errors import UsageError
from kb.models import ItemFilter, Kind, Status

#: What the inbox shows when it opens.
DEFAULT_FILTER = "status:new"
_STORE_KEYS = ("status", "kind", "tag", "source", "is")


@dataclass(frozen=True)
class InboxQuery:
    """What the filter line asked for: a store filter, or a search query (exactly one is set)."""

    text: str
    store: ItemFilter | None = None
    search: str | None = None


def parse_filter(text: str) -> InboxQuery:
    """Read the filter line. Raises UsageError for a bad value (``status:maybe``) or an unclosed quote."""
    text = text.strip()
    try:
        tokens = shlex.split(text)
    except ValueError:
        raise UsageError(f"filter '{text}': unclosed quote") from None
    flt = ItemFilter()
    for token in tokens:
        key, colon, value = token.partition(":")
        key = key.lower()
        if token.lower() == "starred":
            key, colon, value = "is", ":", "starred"
        if not colon or key not in _STORE_KEYS:
            return InboxQuery(text, search=_search_text(text))
        flt = _with(flt, key, value)
    return InboxQuery(text, store=flt)


def _with(flt: ItemFilter, key: str, value: str) -> ItemFilter:
    lowered = value.lower()
    if key == "status":
        if lowered == "all":
            return replace(flt, status=None)
        return replace(flt, status=_status(lowered))
    if key == "kind":
        return replace(flt, kind=_kind(lowered))
    if key == "is":
        if lowered != "starred":
            raise UsageError(f"filter is:{value}: only is:starred is known")
        return replace(flt, starred=True)
    if not value:
        raise UsageError(f"filter {key}: needs a value")
    return replace(flt, tag=value) if key == "tag" else replace(flt, source=value)


def _status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise UsageError(f"filter status:{value}: expected new|read|skipped|all") from None


def _kind(value: str) -> Kind:
    if value in (Kind.PAPER, Kind.POST):
        return Kind(value)
    raise UsageError(f"filter kind:{value}: expected paper|post")


def _search_text(text: str) -> str:
    # "status:all" means "no status condition"; the index does not know it.
    return " ".join(word for word in text.split() if word.lower() != "status:all") or "*"


def source_filter(name: str) -> str:
    """The inbox filter of a source's new items: ``status:new source:NAME``, quoted when the name needs it."""
    if name and not any(char.isspace() or char in "\"'\\" for char in name):
        return f"{DEFAULT_FILTER} source:{name}"
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'{DEFAULT_FILTER} source:"{escaped}"'
