"""Builders of fetched items for the store tests, and a reader of the recorded arXiv API responses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kb.models import Author, FetchedItem, Kind, parse_arxiv_id, post_id

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


_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


def _text(node: ET.Element, tag: str) -> str | None:
    found = node.find(tag)
    return " ".join(found.text.split()) if found is not None and found.text else None


def _date(node: ET.Element, tag: str) -> datetime | None:
    text = _text(node, tag)
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def recorded_papers(path: Path) -> list[FetchedItem]:
    """The papers of one recorded arXiv API response, in feed order (error entries skipped)."""
    items = []
    for entry in ET.parse(path).getroot().findall(f"{_ATOM}entry"):
        parsed = parse_arxiv_id(_text(entry, f"{_ATOM}id") or "")
        if parsed is None:
            continue
        authors = tuple(
            Author(
                _text(a, f"{_ATOM}name") or "",
                tuple(x.text.strip() for x in a.findall(f"{_ARXIV}affiliation") if x.text),
            )
            for a in entry.findall(f"{_ATOM}author")
        )
        items.append(
            FetchedItem(
                id=parsed.key,
                kind=Kind.PAPER,
                title=_text(entry, f"{_ATOM}title") or "",
                summary=_text(entry, f"{_ATOM}summary") or "",
                url=f"https://arxiv.org/abs/{parsed.id}",
                authors=authors,
                published=_date(entry, f"{_ATOM}published"),
                updated=_date(entry, f"{_ATOM}updated"),
                version=parsed.version,
                categories=tuple(c.get("term", "") for c in entry.findall(f"{_ATOM}category")),
                comment=_text(entry, f"{_ARXIV}comment"),
                journal_ref=_text(entry, f"{_ARXIV}journal_ref"),
                doi=_text(entry, f"{_ARXIV}doi"),
            )
        )
    return items
