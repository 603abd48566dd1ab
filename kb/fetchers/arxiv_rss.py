"""arXiv's daily announcements (the 2024+ RSS 2.0 feed at rss.arxiv.org) to FetchedItems.

The feed is well-formed XML with plain-text abstracts, so it is read with ElementTree rather than
feedparser: exact namespaces, and abstracts without an HTML round trip.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from kb.models import Author, FetchedItem, Kind, parse_arxiv_id

_ARXIV = "{http://arxiv.org/schemas/atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"
# "arXiv:2609.26811v1 Announce Type: new \nAbstract: ..." -> the abstract alone.
_PREAMBLE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S*\s*(?:Abstract:\s*)?", re.IGNORECASE)
_GUID = re.compile(r"^oai:arXiv\.org:(?P<id>.+)$", re.IGNORECASE)
ERROR_TITLE = "Feed error for query"


@dataclass(frozen=True)
class Announcements:
    """The papers announced in one feed, or arXiv's error."""

    items: tuple[FetchedItem, ...] = ()
    error: str | None = None


def parse_announcements(body: bytes) -> Announcements:
    """Parse an arXiv RSS document. An empty channel is a day without announcements, not an error."""
    if not body.strip():
        return Announcements(error="empty response from arXiv RSS")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return Announcements(error=f"arXiv RSS is not well-formed XML ({exc})")
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        return Announcements(error=f"not an arXiv RSS feed (root element <{_local(root.tag)}>)")
    title = _text(channel, "title")
    if title.startswith(ERROR_TITLE):
        return Announcements(error=f"arXiv: {_text(channel, 'description') or title}")
    items = []
    for element in channel.iterfind("item"):
        item = _paper(element)
        if item is not None:
            items.append(item)
    return Announcements(tuple(items))


def _paper(element: ET.Element) -> FetchedItem | None:
    guid = _GUID.match(_text(element, "guid"))
    arxiv_id = parse_arxiv_id(guid.group("id") if guid else _text(element, "link"))
    if arxiv_id is None:
        return None
    announced = _date(_text(element, "pubDate"))
    version = arxiv_id.version
    versioned = f"{arxiv_id.id}v{version}" if version else arxiv_id.id
    return FetchedItem(
        id=arxiv_id.key,
        kind=Kind.PAPER,
        title=" ".join(_text(element, "title").split()),
        summary=_abstract(_text(element, "description")),
        url=f"https://arxiv.org/abs/{arxiv_id.id}",
        authors=tuple(Author(name) for name in split_authors(_text(element, f"{_DC}creator"))),
        # The announcement date is the paper's publication date only for its first version.
        published=announced if version == 1 else None,
        updated=announced,
        version=version,
        categories=_unique(_text(category) for category in element.iterfind("category")),
        journal_ref=_text(element, f"{_ARXIV}journal_reference") or None,
        doi=_text(element, f"{_ARXIV}DOI") or None,
        pdf_url=f"https://arxiv.org/pdf/{versioned}",
        announce_type=_text(element, f"{_ARXIV}announce_type") or None,
    )


def _abstract(description: str) -> str:
    return " ".join(_PREAMBLE.sub("", description, count=1).split())


def split_authors(creators: str) -> list[str]:
    """dc:creator is one comma-separated list ("A, B and C" in older feeds)."""
    names = []
    for part in creators.split(","):
        for name in re.split(r"(?:^|\s+)and\s+", part.strip()):
            name = " ".join(name.split())
            if name:
                names.append(name)
    return names


def _date(text: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


def _text(element: ET.Element, path: str | None = None) -> str:
    found = element.find(path) if path else element
    return (found.text or "").strip() if found is not None else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
