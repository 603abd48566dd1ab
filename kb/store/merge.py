"""What a fetched item does to the stored one: the rules of identity, versions and updates, without I/O.

The rules (the store's contract):
- an id not stored yet, or stored only as a placeholder, is NEW;
- a paper with a newer version is UPDATED: title, abstract, version, authors, categories, comment, doi and
  journal_ref follow the new version, and the previous version is remembered;
- an older version (a stale API page) changes nothing;
- at the same version only comment, doi and journal_ref can change (they are edited on arXiv without a new
  version); sources differ in how they render titles and abstracts, so those are not compared, or a paper
  seen in RSS and in a search would flip on every run;
- a post is UPDATED when its title, text or HTML changed;
- a field the fetched item leaves empty never erases a stored value (RSS carries no journal_ref, for one).
Triage state is never part of any of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from kb.models import FetchedItem, Kind

from .convert import as_utc


class Change(Enum):
    """What storing one fetched item does."""

    NEW = "new"  # insert everything
    FILL = "fill"  # a placeholder gets its metadata: reported as new
    UPDATE = "update"  # the columns in ``row`` rewritten; authors/categories replaced when ``replace_lists``
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Stored:
    """The columns of a stored item the rules look at."""

    id: str
    version: int | None
    has_metadata: bool
    title: str
    summary: str
    html: str | None
    comment: str | None
    doi: str | None
    journal_ref: str | None
    published: datetime | None
    first_seen: datetime


@dataclass(frozen=True)
class Decision:
    """A change and, for NEW/FILL/UPDATE, the item columns to write."""

    change: Change
    row: dict[str, Any] | None = None
    replace_lists: bool = False  # rewrite authors and categories (each only when the fetched item has some)
    new_version: int | None = None  # a version to record in paper_version


UNCHANGED = Decision(Change.UNCHANGED)

# Optional columns a fetched item may simply not carry (RSS has no journal_ref or comment, for one).
_KEPT_WHEN_EMPTY = ("updated", "comment", "journal_ref", "doi", "pdf_url", "announce_type", "feed", "guid")


def decide(stored: Stored | None, item: FetchedItem, now: datetime) -> Decision:
    """Apply the rules above to one fetched item against what is stored."""
    if stored is None or not stored.has_metadata:
        change = Change.NEW if stored is None else Change.FILL
        # A filled placeholder is new to the person: it was known by id only, so it starts its inbox life now.
        return Decision(change, full_row(item, now), replace_lists=True, new_version=item.version)
    if item.kind is Kind.POST:
        return _decide_post(stored, item, now)
    return _decide_paper(stored, item, now)


def full_row(item: FetchedItem, now: datetime) -> dict[str, Any]:
    """Every item column for a fetched item seen for the first time."""
    return {
        "id": item.id,
        "kind": item.kind.value,
        "title": item.title,
        "summary": item.summary,
        "url": item.url,
        "published": as_utc(item.published),
        "updated": as_utc(item.updated),
        "version": item.version,
        "previous_version": None,
        "comment": item.comment,
        "journal_ref": item.journal_ref,
        "doi": item.doi,
        "pdf_url": item.pdf_url,
        "announce_type": item.announce_type,
        "html": item.html,
        "feed": item.feed,
        "guid": item.guid,
        "has_metadata": True,
        "first_seen": now,
        "changed_at": now,
    }


def _decide_paper(stored: Stored, item: FetchedItem, now: datetime) -> Decision:
    old, new = stored.version, item.version
    if new is not None and (old is None or new > old):
        row = {**_updated_row(stored, item, now), "version": new, "previous_version": old}
        return Decision(Change.UPDATE, row, replace_lists=True, new_version=new)
    if new is not None and old is not None and new < old:
        return UNCHANGED
    extras = {"comment": item.comment, "doi": item.doi, "journal_ref": item.journal_ref}
    earlier = _earlier_published(stored, item)
    if earlier is None and all(value is None or value == getattr(stored, key) for key, value in extras.items()):
        return UNCHANGED
    # Same version: only the fields arXiv edits in place move; everything else stays as stored.
    row = {"id": stored.id, **_kept(stored, extras), "changed_at": now}
    if earlier is not None:
        row["published"] = earlier
    return Decision(Change.UPDATE, row)


def _earlier_published(stored: Stored, item: FetchedItem) -> datetime | None:
    """The fetched publication date when it is earlier than the stored one.

    The earliest date seen is the nearest to the first submission: RSS dates each announcement (a replacement
    included) on the day it is announced, while the API gives the date of version 1.
    """
    fetched, known = as_utc(item.published), as_utc(stored.published)
    return fetched if fetched is not None and known is not None and fetched < known else None


def _decide_post(stored: Stored, item: FetchedItem, now: datetime) -> Decision:
    if (item.title, item.summary, item.html) == (stored.title, stored.summary, stored.html):
        return UNCHANGED
    return Decision(Change.UPDATE, _updated_row(stored, item, now), replace_lists=True)


def _updated_row(stored: Stored, item: FetchedItem, now: datetime) -> dict[str, Any]:
    """The columns a newer version or a changed post rewrites; columns left out keep their stored value."""
    row = full_row(item, now)
    for key in ("first_seen", "version", "previous_version"):
        del row[key]
    for key in _KEPT_WHEN_EMPTY:
        if row[key] is None:
            del row[key]
    if stored.published is not None and _earlier_published(stored, item) is None:
        # The earliest publication date stays (RSS gives the announcement date of each version instead).
        del row["published"]
    return row


def _kept(stored: Stored, fetched: dict[str, str | None]) -> dict[str, str | None]:
    """Fetched optional values, except that None keeps what is stored."""
    return {key: getattr(stored, key) if value is None else value for key, value in fetched.items()}
