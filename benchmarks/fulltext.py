"""Full-text extraction per paper (issue 14): kb's readers beside the extraction library alone, on the same files.

For the recorded arXiv HTML page: kb.fetchers.fulltext_html.parse_arxiv_html (sections, captions, footnotes, math
as LaTeX) against a bare html.parser pass over the same page that only collects its text (the floor any reader
built on html.parser pays). For each recorded PDF: kb.fetchers.fulltext_pdf.parse_pdf (pages joined, cleaned,
sections found) against a bare pypdfium2 loop (PdfDocument, get_textpage().get_text_range() per page). Each
figure is the median of REPEATS runs, in seconds, printed as ``name: value``.

    python benchmarks/fulltext.py [REPEATS]        (corpus from KB_CORPUS or ../shared/corpus)
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

import pypdfium2 as pdfium

from benchmarks.corpus import corpus_dir
from kb.fetchers.fulltext_html import parse_arxiv_html
from kb.fetchers.fulltext_pdf import parse_pdf

REPO = Path(__file__).resolve().parent.parent


class _BareText(HTMLParser):
    """The least an html.parser reader does: every piece of text, kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def bare_html(body: bytes) -> int:
    parser = _BareText()
    parser.feed(body.decode("utf-8", errors="replace"))
    parser.close()
    return sum(map(len, parser.parts))


def bare_pdf(body: bytes) -> int:
    document = pdfium.PdfDocument(body)
    size = 0
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        size += len(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return size


def medians(ours: Callable[[], object], bare: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median seconds of each, the two run alternately so that a busy moment of the machine hits both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for work, kept in ((ours, times[0]), (bare, times[1])):
            started = time.perf_counter()
            work()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def html_figures(path: Path, repeats: int) -> None:
    body = path.read_bytes()
    text = parse_arxiv_html(body, "arxiv:x", 1)
    name = path.stem.removeprefix("arxiv-html_")
    print(f"html {name} bytes: {len(body)}")
    print(f"html {name} sections: {len(text.sections)}")
    print(f"html {name} text chars: {sum(len(s.text) for s in text.sections)}")
    ours, bare = medians(lambda: parse_arxiv_html(body, "arxiv:x", 1), lambda: bare_html(body), repeats)
    print(f"html {name} kb seconds: {ours:.4f}")
    print(f"html {name} bare html.parser seconds: {bare:.4f}")
    print(f"html {name} kb / bare: {ours / bare:.2f}")


def pdf_figures(path: Path, repeats: int) -> None:
    body = path.read_bytes()
    text = parse_pdf(body, "arxiv:x", 1)
    name = path.stem.removeprefix("arxiv-pdf_")
    print(f"pdf {name} pages: {len(pdfium.PdfDocument(body))}")
    print(f"pdf {name} sections: {len(text.sections)}")
    ours, bare = medians(lambda: parse_pdf(body, "arxiv:x", 1), lambda: bare_pdf(body), repeats)
    print(f"pdf {name} kb seconds: {ours:.4f}")
    print(f"pdf {name} bare pypdfium2 seconds: {bare:.4f}")
    print(f"pdf {name} kb / bare: {ours / bare:.2f}")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    folder = corpus_dir() / "fulltext"
    print(f"repeats: {repeats}")
    for path in sorted(folder.glob("*.html")):
        html_figures(path, repeats)
    for path in sorted(folder.glob("*.pdf")):
        pdf_figures(path, repeats)


if __name__ == "__main__":
    main()
