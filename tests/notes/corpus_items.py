"""Items built from recorded arXiv API responses, read by kb's own reader of them.

Only for tests of code that takes Items (templates, BibTeX): fetching them is another package's job.
"""

from __future__ import annotations

from pathlib import Path

from kb.fetchers.arxiv_atom import parse_api_response
from kb.models import Item


def items_from_api(path: Path) -> list[Item]:
    """Every paper of an arXiv API Atom response as an Item (as the store would hold it, untriaged)."""
    return [
        Item(
            id=paper.id,
            kind=paper.kind,
            title=paper.title,
            summary=paper.summary,
            url=paper.url,
            authors=paper.authors,
            published=paper.published,
            updated=paper.updated,
            version=paper.version,
            categories=paper.categories,
            comment=paper.comment,
            journal_ref=paper.journal_ref,
            doi=paper.doi,
            pdf_url=paper.pdf_url,
        )
        for paper in parse_api_response(path.read_bytes()).papers
    ]


def corpus_papers(corpus: Path) -> list[Item]:
    """Every paper of every recorded API response, deduplicated by id (about 170)."""
    papers: dict[str, Item] = {}
    for path in sorted((corpus / "arxiv-api").glob("api*.xml")):
        if "_id_abc_" in path.name:  # the recorded error response
            continue
        for item in items_from_api(path):
            papers.setdefault(item.id, item)
    return list(papers.values())
