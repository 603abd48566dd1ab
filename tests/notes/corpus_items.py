"""Items built from recorded arXiv API responses, read with the standard library's XML parser.

Only for tests of code that takes Items (templates, BibTeX): the real fetcher is another package's job.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from kb.models import Author, Item, Kind, parse_arxiv_id

NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def _text(entry: ET.Element, path: str) -> str | None:
    found = entry.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def items_from_api(path: Path) -> list[Item]:
    """Every entry of an arXiv API Atom response as an Item."""
    items = []
    for entry in ET.parse(path).getroot().findall("a:entry", NS):
        parsed = parse_arxiv_id(_text(entry, "a:id") or "")
        assert parsed is not None
        primary = entry.find("arxiv:primary_category", NS)
        categories = [primary.get("term", "")] if primary is not None else []
        categories += [c.get("term", "") for c in entry.findall("a:category", NS) if c.get("term") not in categories]
        pdf = next((link.get("href") for link in entry.findall("a:link", NS) if link.get("title") == "pdf"), None)
        items.append(
            Item(
                id=parsed.key,
                kind=Kind.PAPER,
                title=_text(entry, "a:title") or "",
                summary=_text(entry, "a:summary") or "",
                url=f"https://arxiv.org/abs/{parsed.id}",
                authors=tuple(
                    Author(
                        _text(author, "a:name") or "",
                        tuple(a.text or "" for a in author.findall("arxiv:affiliation", NS)),
                    )
                    for author in entry.findall("a:author", NS)
                ),
                published=datetime.fromisoformat((_text(entry, "a:published") or "").replace("Z", "+00:00")),
                version=parsed.version,
                categories=tuple(categories),
                comment=_text(entry, "arxiv:comment"),
                journal_ref=_text(entry, "arxiv:journal_ref"),
                doi=_text(entry, "arxiv:doi"),
                pdf_url=pdf,
            )
        )
    return items


def corpus_papers(corpus: Path) -> list[Item]:
    """Every paper of every recorded API response, deduplicated by id (about 170)."""
    papers: dict[str, Item] = {}
    for path in sorted((corpus / "arxiv-api").glob("api*.xml")):
        if "_id_abc_" in path.name:  # the recorded error response
            continue
        for item in items_from_api(path):
            papers.setdefault(item.id, item)
    return list(papers.values())
