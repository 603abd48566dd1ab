"""Full text from real arXiv pages and PDFs (issue 14): sections in order, words where they belong, math as LaTeX,
and a clear one-line error for anything that is not a usable page or PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.errors import FetchError
from kb.fetchers.fulltext_html import HtmlUnusable, parse_arxiv_html
from kb.fetchers.fulltext_pdf import PdfUnreadable, parse_pdf
from kb.models import FullText, SectionKind
from tests.fetchers.conftest import corpus_file
from tests.support.pdfs import encrypted

HTML = "fulltext/arxiv-html_2501.11120v1.html"
NINE = [
    "Introduction",
    "Out-of-context reasoning",
    "Awareness of behaviors",
    "Awareness of backdoors",
    "Multi-Persona experiments",
    "Related work",
    "Discussion",
    "Conclusion",
    "Acknowledgments",
]


@pytest.fixture(scope="module")
def paper() -> FullText:
    return parse_arxiv_html(corpus_file(HTML).read_bytes(), "arxiv:2501.11120", 1)


def _section_with(text: FullText, words: str) -> str:
    """The heading of the one section whose text holds ``words``."""
    found = [s.heading for s in text.sections if words in s.text]
    assert len(found) == 1, found
    return found[0]


def test_the_html_outline_has_the_nine_sections_in_order(paper: FullText) -> None:
    body = [s for s in paper.sections if s.level == 1 and s.kind not in (SectionKind.ABSTRACT, SectionKind.REFERENCES)]
    main = [s.heading for s in body if s.kind is not SectionKind.APPENDIX]
    assert main == NINE
    assert [s.number for s in body][:8] == [str(n) for n in range(1, 9)]
    # Then the references, then the appendices A, B, C with their own numbering, each of kind APPENDIX.
    appendices = [s for s in paper.sections if s.kind is SectionKind.APPENDIX and s.level == 1]
    assert [s.number for s in appendices] == ["A", "B", "C"]
    headings = [s.heading for s in paper.sections]
    assert headings.index("References") < headings.index(appendices[0].heading)
    sub = next(s for s in paper.sections if s.number == "3.2")
    assert (sub.level, sub.heading) == (2, "Finetuning on long dialogues (Make Me Say)")
    assert next(s for s in paper.sections if s.number == "B.1").kind is SectionKind.APPENDIX


def test_html_words_are_in_their_section(paper: FullText) -> None:
    assert _section_with(paper, "We define an LLM as demonstrating behavioral self-awareness") == "Introduction"
    method = "In this section, we define our setup and evaluations formally"
    assert _section_with(paper, method) == "Out-of-context reasoning"
    assert paper.sections[0].kind is SectionKind.ABSTRACT
    assert "behavioral self-awareness" in paper.sections[0].text
    refs = next(s for s in paper.sections if s.kind is SectionKind.REFERENCES)
    assert "Physics of language models: Part 3.2, knowledge manipulation." in refs.text
    assert refs.text.startswith("- AI@Meta (2024)")


def test_html_keeps_captions_footnotes_and_tables(paper: FullText) -> None:
    assert _section_with(paper, "Table 1: Overview of experiments for evaluating behavioral self-awareness") == (
        "Awareness of behaviors"
    )
    assert "Economic decisions (Section 3.1) | “A” or “B” | Economic preference" in paper.text
    assert "Figure 2: Models finetuned to select risk-seeking or risk-averse options" in paper.text
    # A footnote: marked where it is cited, its text after the paragraph, without the page's own number.
    intro = next(s for s in paper.sections if s.heading == "Introduction").text
    assert "mechanisms behind it.[^1] For backdoors" in intro
    assert "[^1]: We replicate some of our experiments on open-weight models" in intro


def test_html_math_is_its_latex(paper: FullText) -> None:
    text = paper.text
    assert r"$D=\{d^{n}\}_{n=1}^{N}$" in text
    assert r"\varphi_{T}" in text
    assert "𝜑" not in text and "italic_" not in text  # no MathML leftovers


def test_html_leaves_out_the_page_around_the_paper(paper: FullText) -> None:
    text = paper.text
    assert "Generated on" not in text and "ltx_" not in text
    assert "Warsaw University of Technology" not in text  # the author block is the item's, not the body's
    assert "Report issue" not in text


def test_a_cut_off_page_is_unusable() -> None:
    page = corpus_file(HTML).read_bytes()
    cut = page[: page.find(b'<section class="ltx_section" id="S4">')]
    with pytest.raises(HtmlUnusable, match="cut off"):
        parse_arxiv_html(cut, "arxiv:2501.11120", 1)


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        (b"<html><body><h1>No HTML for this paper</h1></body></html>", "no LaTeXML document"),
        (b"", "no LaTeXML document"),
        (b'<div class="ltx_page_main"><article class="ltx_document"><p>x</p></article></div>', "almost no text"),
    ],
)
def test_a_page_without_the_paper_is_unusable(page: bytes, problem: str) -> None:
    with pytest.raises(HtmlUnusable, match=problem) as caught:
        parse_arxiv_html(page, "arxiv:1", 1)
    assert isinstance(caught.value, FetchError)


def test_math_without_alttext_takes_the_tex_annotation() -> None:
    page = (
        '<div class="ltx_page_main"><article class="ltx_document"><section class="ltx_section">'
        '<h2 class="ltx_title"><span class="ltx_tag">1 </span>Loss</h2><p>We minimise '
        '<math display="block"><semantics><mi>L</mi><annotation encoding="application/x-tex">\\mathcal{L}</annotation>'
        "</semantics></math> over the data. " + "Words. " * 40 + "</p></section></article></div>"
    )
    text = parse_arxiv_html(page, "arxiv:1", 1)
    assert text.sections[0].heading == "Loss" and text.sections[0].number == "1"
    assert "We minimise $$\\mathcal{L}$$ over the data." in text.sections[0].text


# --- PDFs ---------------------------------------------------------------------------------------

PDFS = {
    # file: the headings that must be found, in this order
    "arxiv-pdf_2203.00130v1.pdf": [
        "INTRODUCTION",
        "BACKGROUND AND RELATED WORK",
        "Healthcare consumers reading medical research",
        "REFERENCES",
    ],
    "arxiv-pdf_2206.10883v3.pdf": ["Abstract", "Introduction", "Related work", "Task definition", "References"],
    "arxiv-pdf_2302.07302v1.pdf": ["ABSTRACT", "INTRODUCTION", "RELATED WORK", "CONCLUSION", "REFERENCES"],
    "arxiv-pdf_2304.02623v1.pdf": ["ABSTRACT", "INTRODUCTION", "CONCLUSION", "REFERENCES"],
    "arxiv-pdf_1903.10676.pdf": ["Computer Science Domain", "Multiple Domains", "Discussion", "Effect of Finetuning"],
}


@pytest.mark.parametrize("name", sorted(PDFS))
def test_each_pdf_gives_its_sections_in_order(name: str) -> None:
    expected = PDFS[name]
    text = parse_pdf(corpus_file(f"fulltext/{name}").read_bytes(), "arxiv:1", 1)
    headings = [s.heading for s in text.sections]
    positions = [headings.index(heading) for heading in expected]
    assert positions == sorted(positions)
    for section in text.sections:  # numbers and levels agree
        if section.number:
            assert section.level == len(section.number.split("."))
    assert "\r" not in text.text and "\ufffe" not in text.text


def test_pdf_words_are_in_their_section() -> None:
    pages = parse_pdf(corpus_file("fulltext/arxiv-pdf_2206.10883v3.pdf").read_bytes(), "arxiv:2206.10883", 3)
    assert not any("Multi-LexSum distribution and maintenance" in s.text for s in pages.sections)  # a heading
    assert pages.section("A.1") is not None and pages.section("A.1").kind is SectionKind.APPENDIX  # type: ignore[union-attr]
    intro = pages.section("1")
    assert intro is not None and intro.heading == "Introduction" and intro.kind is SectionKind.INTRODUCTION
    assert "Civil Rights Litigation Clearinghouse" in " ".join(intro.text.split())  # lines wrap as on the page
    refs = next(s for s in pages.sections if s.kind is SectionKind.REFERENCES)
    assert re.search(r"\[\d+\]", refs.text)
    one_page = parse_pdf(corpus_file("fulltext/arxiv-pdf_1903.10676.pdf").read_bytes(), "arxiv:1903.10676", None)
    assert one_page.section("5.1") is not None and "SCIVOCAB" in one_page.text


def test_a_39_page_pdf_is_read_whole() -> None:
    text = parse_pdf(corpus_file("fulltext/arxiv-pdf_2203.00130v1.pdf").read_bytes(), "arxiv:2203.00130", 1)
    assert text.size > 100_000
    numbers = [s.number for s in text.sections if s.level == 1 and s.number]
    assert numbers == [*map(str, range(1, 10)), "A", "B", "C", "D"]


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda pdf: b"<html>403 Forbidden</html>", r"not a PDF \(it starts with '<html>403 Fo'\)"),
        (lambda pdf: b"", r"not a PDF \(empty body\)"),
        (lambda pdf: pdf[: len(pdf) // 2], r"damaged PDF \("),
        (lambda pdf: pdf[:9] + bytes(range(256)) * 64, r"damaged PDF \("),
        (encrypted, r"the PDF is encrypted"),
    ],
    ids=["html", "empty", "truncated", "garbage", "encrypted"],
)
def test_a_bad_pdf_is_one_clear_line(make: object, problem: str) -> None:
    pdf = corpus_file("fulltext/arxiv-pdf_2304.02623v1.pdf").read_bytes()
    with pytest.raises(PdfUnreadable, match=problem) as caught:
        parse_pdf(make(pdf), "arxiv:2304.02623", 1)  # type: ignore[operator]
    assert "\n" not in str(caught.value)


def test_pdf_text_is_terminal_safe(tmp_path: Path) -> None:
    from kb.fetchers.fulltext_pdf import clean

    assert clean("a\x1b[31mred\x07\r\nsumma\ufffe\r\nrization") == "a\ufffd[31mred\nsummarization"


@pytest.mark.parametrize(
    ("name", "number", "heading", "words"),
    [
        (
            "arxiv-pdf_2203.00130v1.pdf",
            "5.1",
            "Term Definitions",
            "identifies medical terms in the paper using scispaCy",
        ),
        (
            "arxiv-pdf_2206.10883v3.pdf",
            "4.1",
            "Experimental Setup",
            "We split all cases into train (70%, 3177 samples)",
        ),
        ("arxiv-pdf_2302.07302v1.pdf", "3.1", "Fear of Overlooking Important Citations", "importance of using inline"),
        (
            "arxiv-pdf_2304.02623v1.pdf",
            "2",
            "CHARACTERIZING EXPOSITORY",
            "it is evidence-driven and knowledge-generating",
        ),
        (
            "arxiv-pdf_1903.10676.pdf",
            "5.1",
            "Effect of Finetuning",
            "rather than task-specific architectures atop frozen",
        ),
    ],
)
def test_each_pdf_has_words_in_their_numbered_section(name: str, number: str, heading: str, words: str) -> None:
    text = parse_pdf(corpus_file(f"fulltext/{name}").read_bytes(), "arxiv:1", 1)
    found = [s for s in text.sections if words in " ".join(s.text.split())]
    assert [(s.number, s.heading) for s in found] == [(number, heading)]
