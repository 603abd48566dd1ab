"""Documents whose answers are known, recorded papers from the corpus, and small search helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kb.fetchers.arxiv_atom import parse_api_response
from kb.index import SearchIndex
from kb.models import IndexDoc, Kind, Status


def when(year: int, month: int = 1, day: int = 1, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


DOCS = (
    IndexDoc(
        id="arxiv:1706.03762",
        kind=Kind.PAPER,
        title="Attention Is All You Need",
        text="The dominant sequence transduction models are based on complex recurrent or convolutional "
        "neural networks. We propose the Transformer, based solely on self-attention mechanisms.",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        categories=("cs.CL", "cs.LG"),
        sources=("cs.LG", "transformers"),
        status=Status.READ,
        starred=True,
        has_note=True,
        tags=("transformers", "to read"),
        published=when(2017, 6, 12),
        comment="15 pages, 5 figures",
    ),
    IndexDoc(
        id="arxiv:hep-th/9901001",
        kind=Kind.PAPER,
        title="Kernel machines and string dualities",
        text="Support vector network learning meets string theory; compare 1706.03762v5 and cs.LG methods.",
        authors=("Bernhard Schölkopf", "Jean-Pierre Dupont"),
        categories=("hep-th",),
        sources=("hinton",),
        status=Status.NEW,
        published=when(1999, 1, 3),
        journal_ref="Phys. Rev. D 60 (1999)",
    ),
    IndexDoc(
        id="arxiv:2401.00001",
        kind=Kind.PAPER,
        title="Graph neural networks for molecules",
        text="We study message passing on graphs. The network predicts energies; prediction is fast.",
        authors=("Ada Lovelace",),
        categories=("cs.LG", "stat.ML"),
        sources=("medical-imaging",),
        status=Status.SKIPPED,
        published=when(2024, 3, 15),
    ),
    IndexDoc(
        id="arxiv:2406.12345",
        kind=Kind.PAPER,
        title="Sparse mixtures of experts",
        text="Routing tokens to experts makes large models cheaper. State-of-the-art results on translation.",
        authors=("Grace Hopper",),
        categories=("cs.CL",),
        status=Status.NEW,
        published=when(2024, 6, 30, 23),
    ),
    IndexDoc(
        id="post:abc123def456",
        kind=Kind.POST,
        title="The Transformer Family",
        text="A long read about attention heads, positional encodings and efficient transformers.",
        authors=("Lilian Weng",),
        sources=("Lil'Log",),
        tags=("blog",),
        status=Status.NEW,
        published=when(2025, 3, 2),
    ),
    IndexDoc(
        id="note:reading/attention.md",
        kind=Kind.NOTE,
        title="Notes on attention",
        text="First line has nothing.\nScaled dot-product attention is the core.\nCompare with kernels.\n"
        "Last line mentions graphs.",
        tags=("transformers",),
        linked_papers=("arxiv:1706.03762",),
        linked_titles=("Attention Is All You Need",),
    ),
)


def ids(ix: SearchIndex, query: str, **kwargs: object) -> set[str]:
    """The ids a query finds (all of them)."""
    return {hit.id for hit in ix.search(query, limit=100, **kwargs).hits}  # type: ignore[arg-type]


def corpus_papers(corpus: Path) -> list[IndexDoc]:
    """Real papers from the recorded arXiv API responses (read by kb's own reader), as IndexDocs."""
    seen: dict[str, IndexDoc] = {}
    for path in sorted((corpus / "arxiv-api").glob("*.xml")):
        for paper in parse_api_response(path.read_bytes()).papers:
            seen[paper.id] = IndexDoc(
                id=paper.id,
                kind=Kind.PAPER,
                title=paper.title,
                text=paper.summary,
                authors=tuple(author.name for author in paper.authors),
                categories=paper.categories,
                comment=paper.comment,
                journal_ref=paper.journal_ref,
                status=Status.NEW,
                published=paper.published or when(2000),
            )
    return list(seen.values())
