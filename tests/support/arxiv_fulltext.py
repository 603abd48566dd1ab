"""arXiv's full-text endpoints on the loopback server: the corpus papers at arXiv-shaped URLs, and faults.

    papers = serve_fulltexts(server, corpus)          # /html/<id>v<n> and /pdf/<id>v<n>
    root = fulltext_workspace(tmp_path / "ws", server, {"for": ["starred"], "per_run": 2})
    seed_papers(library, papers)                       # the items, so kb knows their versions

Real pages and PDFs from ../shared/corpus/fulltext; a PDF-only paper's HTML is arXiv's 404 "No HTML" page.
Faults get ids of their own (2601.0000N) so one workspace can hold them all.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.library import Library
from kb.models import Author, FetchedItem, Kind
from tests.support.httpserver import HttpServer, hang
from tests.support.inside import store_of
from tests.support.pdfs import encrypted
from tests.support.workspace import make_workspace

HTML_PAPER = ("2501.11120", 1, "arxiv-html_2501.11120v1.html")
PDF_PAPERS = {  # id: (version, file)
    "2203.00130": (1, "arxiv-pdf_2203.00130v1.pdf"),
    "2206.10883": (3, "arxiv-pdf_2206.10883v3.pdf"),
    "2302.07302": (1, "arxiv-pdf_2302.07302v1.pdf"),
    "2304.02623": (1, "arxiv-pdf_2304.02623v1.pdf"),
    "1903.10676": (1, "arxiv-pdf_1903.10676.pdf"),
}
# Fault papers: an id each.
TRUNCATED = "2601.00001"  # an HTML page cut off half way: the PDF is used
NOT_A_PDF = "2601.00002"  # no HTML, and the "PDF" is an HTML error page
HUGE = "2601.00003"  # no HTML, and a PDF over the size cap
ENCRYPTED = "2601.00004"  # no HTML, and an encrypted PDF
SLOW = "2601.00005"  # the HTML never comes
#: fetch.max_bytes in these workspaces: above every corpus file (3.4 MB at most), below HUGE's PDF.
MAX_BYTES = 4_000_000

NO_HTML = (
    b"<!DOCTYPE html><html><head><title>HTML is not available for the source</title></head><body>"
    b"<h1>No HTML for '%s'</h1><p>HTML is not available for the source. This could be due to the source files "
    b"not being HTML, LaTeX, or a conversion failure.</p></body></html>"
)


@dataclass(frozen=True)
class Paper:
    number: str
    version: int

    @property
    def id(self) -> str:
        return f"arxiv:{self.number}"


def serve_fulltexts(server: HttpServer, corpus: Path, slow_seconds: float = 0) -> list[Paper]:
    """Serve every corpus paper and every fault; returns the papers served (faults last, SLOW only if asked)."""
    folder = corpus / "fulltext"
    number, version, name = HTML_PAPER
    page = (folder / name).read_bytes()
    server.add(f"/html/{number}v{version}", page, headers={"Content-Type": "text/html; charset=utf-8"})
    papers = [Paper(number, version)]
    for number, (version, name) in PDF_PAPERS.items():
        _no_html(server, number, version)
        server.add(
            f"/pdf/{number}v{version}", (folder / name).read_bytes(), headers={"Content-Type": "application/pdf"}
        )
        papers.append(Paper(number, version))
    small_pdf = (folder / PDF_PAPERS["2304.02623"][1]).read_bytes()
    server.add(f"/html/{TRUNCATED}v1", page[: len(page) // 2], headers={"Content-Type": "text/html"})
    server.add(f"/pdf/{TRUNCATED}v1", small_pdf, headers={"Content-Type": "application/pdf"})
    _no_html(server, NOT_A_PDF, 1)
    server.add(
        f"/pdf/{NOT_A_PDF}v1", b"<html><body>Access denied</body></html>", headers={"Content-Type": "application/pdf"}
    )
    _no_html(server, HUGE, 1)
    server.add(f"/pdf/{HUGE}v1", b"%PDF-1.5\n" + b"0" * (MAX_BYTES + 1), headers={"Content-Type": "application/pdf"})
    _no_html(server, ENCRYPTED, 1)
    server.add(f"/pdf/{ENCRYPTED}v1", encrypted(small_pdf), headers={"Content-Type": "application/pdf"})
    papers += [Paper(number, 1) for number in (TRUNCATED, NOT_A_PDF, HUGE, ENCRYPTED)]
    if slow_seconds:
        server.add_handler(f"/html/{SLOW}v1", hang(slow_seconds))
        papers.append(Paper(SLOW, 1))
    return papers


def serve_paper_texts(server: HttpServer, corpus: Path, papers: tuple[Paper, ...] | list[Paper]) -> None:
    """Serve the corpus's texts under other papers' ids, in turn: the HTML page, then each PDF (with no HTML)."""
    folder = corpus / "fulltext"
    page = (folder / HTML_PAPER[2]).read_bytes()
    pdfs = [(folder / name).read_bytes() for _, name in PDF_PAPERS.values()]
    for position, paper in enumerate(papers):
        path = f"{paper.number}v{paper.version}"
        turn = position % (len(pdfs) + 1)
        if turn == 0:
            server.add(f"/html/{path}", page, headers={"Content-Type": "text/html; charset=utf-8"})
        else:
            _no_html(server, paper.number, paper.version)
            server.add(f"/pdf/{path}", pdfs[turn - 1], headers={"Content-Type": "application/pdf"})


def _no_html(server: HttpServer, number: str, version: int) -> None:
    body = NO_HTML % f"{number}v{version}".encode()
    server.add(f"/html/{number}v{version}", body, status=404, headers={"Content-Type": "text/html"})


def big_page(seed: int, size: int) -> bytes:
    """A LaTeXML page of ``size`` bytes of random words: its text hardly compresses (for eviction tests)."""
    rng = random.Random(seed)
    words = base64.b64encode(rng.randbytes(size * 3 // 4)).decode()
    body = " ".join(words[i : i + 9] for i in range(0, len(words), 9))
    return (
        '<html><body><div class="ltx_page_main"><article class="ltx_document"><section class="ltx_section">'
        f'<h2 class="ltx_title"><span class="ltx_tag">1 </span>Words</h2><p>{body}</p></section></article></div>'
        "</body></html>"
    ).encode()


def fulltext_workspace(root: Path, server: HttpServer, fulltext: dict[str, Any] | None = None, **fetch: Any) -> Path:
    """A workspace whose arXiv HTML and PDF endpoints are the test server, with no sources to fetch."""
    make_workspace(root, server)
    config = yaml.safe_load((root / "feeds.yaml").read_text(encoding="utf-8"))
    config["arxiv"].update(html_url=server.url("/html/"), pdf_url=server.url("/pdf/"))
    config["fetch"].update({"max_bytes": MAX_BYTES, **fetch})
    if fulltext is not None:
        config["fulltext"] = fulltext
    (root / "feeds.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def seed_papers(library: Library, papers: list[Paper]) -> None:
    """Store the papers (as a fetch would) so kb knows them and their versions."""
    store_of(library).upsert_items([fetched(paper.number, paper.version) for paper in papers], "seed")


def fetched(number: str, version: int) -> FetchedItem:
    return FetchedItem(
        id=f"arxiv:{number}",
        kind=Kind.PAPER,
        title=f"Paper {number}",
        summary=f"The abstract of {number}.",
        url=f"https://arxiv.org/abs/{number}",
        authors=(Author("Ada Lovelace"),),
        version=version,
        categories=("cs.LG",),
    )
