"""Builders of fetched items for the store tests, and a reader of the recorded arXiv API responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kb.fetchers.arxiv_atom import parse_api_response
from kb.models import Author, FetchedItem, Kind, post_id

#: A fixed clock: tests pass ``now=T0 + ...`` so every timestamp is known.
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    """``hours`` after T0."""
    return T0 + timedelta(hours=hours)


def paper(number: str = "2611.00001", version: int | None = 1, **fields: Any) -> FetchedItem:
    """A paper as a fetcher would give it; ``fields`` override the defaults."""
    values: dict[str, Any] = {
        "id": f"arxiv:{number}",
        "kind": Kind.PAPER,
        "title": f"Paper {number}",
        "summary": f"The abstract of {number}.",
        "url": f"https://arxiv.org/abs/{number}",
        "authors": (Author("Ada Lovelace", ("Analytical Engine Co.",)), Author("Alan Turing")),
        "published": datetime(2026, 11, 1, tzinfo=UTC),
        "updated": datetime(2026, 11, 1, tzinfo=UTC),
        "version": version,
        "categories": ("cs.LG", "stat.ML"),
        "pdf_url": f"https://arxiv.org/pdf/{number}v{version}",
    }
    values.update(fields)
    return FetchedItem(**values)


def post(feed: str = "Lil'Log", guid: str = "https://example.org/p1", **fields: Any) -> FetchedItem:
    """A blog post as the feed fetcher would give it."""
    values: dict[str, Any] = {
        "id": post_id(feed, guid),
        "kind": Kind.POST,
        "title": "A post",
        "summary": "Some text.",
        "url": guid,
        "authors": (Author("Lilian Weng"),),
        "published": datetime(2026, 10, 1, tzinfo=UTC),
        "html": "<p>Some text.</p>",
        "feed": feed,
        "guid": guid,
    }
    values.update(fields)
    return FetchedItem(**values)


def recorded_papers(path: Path) -> list[FetchedItem]:
    """The papers of one recorded arXiv API response, in feed order (error entries skipped)."""
    return list(parse_api_response(path.read_bytes()).papers)
