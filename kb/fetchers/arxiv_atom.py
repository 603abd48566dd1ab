"""An arXiv API response (Atom with arXiv's and OpenSearch's extensions) read into kb's papers: bytes in, page out.

Pure: no network, no clock. The fetcher pages with it, and tests and benchmarks read recorded responses with
it, so there is one reading of arXiv's Atom in kb. Both of arXiv's formats are read: the legacy one (up to
2025: namespaces declared on each element, ``http://`` ids) and the current one (namespaces on the feed,
``https://``). The standard library's ElementTree is enough for arXiv's well-formed XML, and its expat
refuses entity bombs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

from kb.models import Author, FetchedItem, Kind, parse_arxiv_id

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ERROR_ID = "/api/errors"  # an error arrives as a feed whose one entry has an id .../api/errors#what_went_wrong


class UnreadableResponse(ValueError):
    """The body is not an arXiv API response (not XML, or XML of another kind)."""


@dataclass(frozen=True)
class ApiPage:
    """One page of an arXiv API answer."""

    #: How many results the whole search has (``opensearch:totalResults``); 0 when arXiv leaves it out.
    total: int
    #: The offset of this page's first result (``opensearch:startIndex``).
    start: int
    #: The papers, in arXiv's order.
    papers: tuple[FetchedItem, ...]
    #: How many ``<entry>`` elements the page held: the next page starts this many further on, even when an
    #: entry was not a paper kb can read.
    entries: int = 0
    #: arXiv's own words when it refused the request ("incorrect id format for abc"), sent as an entry.
    error: str | None = None


def parse_api_response(body: bytes) -> ApiPage:
    """The page ``body`` holds. Raises UnreadableResponse for a body that is not an arXiv API feed."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise UnreadableResponse(f"not well-formed XML: {exc}") from None
    if root.tag != f"{ATOM}feed":
        raise UnreadableResponse(f"not an Atom feed (root element <{root.tag.rsplit('}', 1)[-1]}>)")
    entries = root.findall(f"{ATOM}entry")
    papers, error = [], None
    for entry in entries:
        if _ERROR_ID in (entry.findtext(f"{ATOM}id") or ""):
            error = error or _error_message(entry)
            continue
        paper = paper_from_entry(entry)
        if paper is not None:
            papers.append(paper)
    return ApiPage(
        total=_count(root, "totalResults"),
        start=_count(root, "startIndex"),
        papers=tuple(papers),
        entries=len(entries),
        error=error,
    )


def paper_from_entry(entry: ET.Element) -> FetchedItem | None:
    """One ``<entry>`` as a paper; None when its id is not an arXiv id."""
    arxiv_id = parse_arxiv_id(entry.findtext(f"{ATOM}id") or "")
    if arxiv_id is None:
        return None
    version = arxiv_id.version
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term") if primary is not None else None]
    terms += [category.get("term") for category in entry.iterfind(f"{ATOM}category")]
    return FetchedItem(
        id=arxiv_id.key,
        kind=Kind.PAPER,
        title=_text(entry, f"{ATOM}title"),
        summary=_text(entry, f"{ATOM}summary"),
        url=f"https://arxiv.org/abs/{arxiv_id.id}",
        authors=tuple(_author(author) for author in entry.iterfind(f"{ATOM}author")),
        published=_date(entry, f"{ATOM}published"),
        updated=_date(entry, f"{ATOM}updated"),
        version=version,
        categories=tuple(dict.fromkeys(term.strip() for term in terms if term and term.strip())),
        comment=_text(entry, f"{ARXIV}comment") or None,
        journal_ref=_text(entry, f"{ARXIV}journal_ref") or None,
        doi=_text(entry, f"{ARXIV}doi") or None,
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id.id}" + (f"v{version}" if version else ""),
    )


def _author(element: ET.Element) -> Author:
    affiliations = (squash(node.text) for node in element.iterfind(f"{ARXIV}affiliation"))
    return Author(_text(element, f"{ATOM}name"), tuple(a for a in affiliations if a))


def _error_message(entry: ET.Element) -> str:
    # The summary says it in words; the id's fragment (incorrect_id_format_for_abc) when there is none.
    return _text(entry, f"{ATOM}summary") or (entry.findtext(f"{ATOM}id") or "").rsplit("#", 1)[-1].replace("_", " ")


def _count(root: ET.Element, name: str) -> int:
    text = (root.findtext(f"{OPENSEARCH}{name}") or "").strip()
    return int(text) if text.isdigit() else 0


def _date(entry: ET.Element, tag: str) -> datetime | None:
    text = (entry.findtext(tag) or "").strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _text(element: ET.Element, tag: str) -> str:
    return squash(element.findtext(tag))


def squash(text: str | None) -> str:
    """``text`` on one line: arXiv wraps titles and abstracts at about 80 columns."""
    return re.sub(r"\s+", " ", text or "").strip()
