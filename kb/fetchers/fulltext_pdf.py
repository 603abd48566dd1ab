"""A paper's PDF to kb's sections, with pypdfium2 (Apache/BSD; 0.02-0.13 s per real arXiv paper here).

The text of every page is joined; sections are found by their numbered heading lines ("1 Introduction",
"2.1 Data", "A Proofs", "A.1 ...") and the usual unnumbered ones ("Abstract", "References", "Acknowledgments").
A PDF's text has no markup, so a numbered line is taken as a heading only when its number follows the last
heading's ("2.1" after "2", "3" after "2.4", a little slack for headings the extraction lost): table rows,
years and list items rarely continue the sequence. A paper with no such lines is one section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.errors import FetchError
from kb.models import FullText, FullTextSource, Section, SectionKind, section_kind
from kb.text import terminal_safe

#: The most pages read: a 2,000-page scan is not a paper, and its text would not be either.
MAX_PAGES = 500
#: Headings longer than this (words) are sentences that happen to start with a number.
MAX_HEADING_WORDS = 14
#: How far a heading's last number may jump past the previous one (the extraction may lose a heading).
MAX_SKIP = 3

_NUMBERED = re.compile(r"^(?P<number>(?:\d{1,2}|[A-H])(?:\.\d{1,2}){0,3})\.?\s+(?P<title>[A-Z][^\n]*)$")
_UNNUMBERED = {
    "abstract": SectionKind.ABSTRACT,
    "references": SectionKind.REFERENCES,
    "bibliography": SectionKind.REFERENCES,
    "acknowledgments": SectionKind.ACKNOWLEDGMENTS,
    "acknowledgements": SectionKind.ACKNOWLEDGMENTS,
    "acknowledgment": SectionKind.ACKNOWLEDGMENTS,
    "acknowledgement": SectionKind.ACKNOWLEDGMENTS,
    "appendix": SectionKind.APPENDIX,
    "appendices": SectionKind.APPENDIX,
}


class PdfUnreadable(FetchError):
    """The body is not a PDF kb can read (not a PDF, damaged, encrypted): one line saying which."""


@dataclass
class _Draft:
    heading: str = ""
    number: str = ""
    level: int = 1
    kind: SectionKind | None = None
    in_appendix: bool = False
    lines: list[str] = field(default_factory=list)


def pdf_pages(body: bytes) -> list[str]:
    """The text of each page, as pdfium gives it. Raises PdfUnreadable for anything that is not a readable PDF."""
    if not body.lstrip()[:5].startswith(b"%PDF"):
        start = body[:16].decode("latin-1").strip()
        raise PdfUnreadable(f"not a PDF (it starts with {start[:12]!r})" if start else "not a PDF (empty body)")
    import pypdfium2 as pdfium  # here, not at the top: every `kb fetch` builds the fetcher, few read a PDF

    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as error:
        raise PdfUnreadable(_describe(error)) from None
    try:
        pages: list[str] = []
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    except pdfium.PdfiumError as error:
        raise PdfUnreadable(f"damaged PDF: {error}") from None
    finally:
        document.close()


def _describe(error: Exception) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "password" in message.lower():
        return "the PDF is encrypted (it needs a password)"
    return f"damaged PDF ({message})"


def parse_pdf(body: bytes, item_id: str, version: int | None) -> FullText:
    """The full text of a paper's PDF. Raises PdfUnreadable for a body kb cannot read, or one with no text."""
    text = clean("\n".join(pdf_pages(body)))
    if not text.strip():
        raise PdfUnreadable("the PDF has no text (a scan without a text layer?)")
    sections = tuple(_section(draft) for draft in split_sections(text.split("\n")) if draft.heading or draft.lines)
    return FullText(item_id=item_id, source=FullTextSource.PDF, version=version, sections=sections)


def clean(text: str) -> str:
    """pdfium's text as plain lines: CRLF to LF, words hyphenated across lines joined, control characters gone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\ufffe\u00ad]\n", "", text)  # pdfium marks a hyphen it found at a line's end
    text = text.replace("\ufffe", "").replace("\x02", "")
    return terminal_safe(text)


def split_sections(lines: list[str]) -> list[_Draft]:
    """The lines grouped under the headings found among them, in order."""
    drafts = [_Draft(level=1)]
    previous: tuple[str, ...] | None = None
    seen: set[SectionKind] = set()
    appendix = False
    for raw in lines:
        line = " ".join(raw.split())
        unnumbered = _UNNUMBERED.get(line.lower().rstrip(":."))
        if unnumbered is not None and unnumbered not in seen:
            seen.add(unnumbered)
            appendix = appendix or unnumbered is SectionKind.APPENDIX
            drafts.append(_Draft(heading=line.rstrip(":."), kind=unnumbered, in_appendix=appendix))
            continue
        match = _NUMBERED.match(line)
        parts = tuple(match["number"].split(".")) if match else ()
        letter = bool(parts) and parts[0].isalpha()
        heading = match is not None and _looks_like_heading(match["title"]) and not (letter and "," in match["title"])
        if match and heading and _follows(previous, parts, appendix_allowed=bool(seen) or appendix):
            previous = parts
            appendix = appendix or letter
            drafts.append(_Draft(heading=match["title"], number=match["number"], level=len(parts), in_appendix=letter))
            continue
        drafts[-1].lines.append(line)
    return drafts


def _looks_like_heading(title: str) -> bool:
    words = title.split()
    if len(words) > MAX_HEADING_WORDS or title.endswith((".", ",", ";")) or ". " in title:
        return False
    letters = sum(ch.isalpha() for ch in title)
    return letters >= max(3, len(title.replace(" ", "")) // 2)  # words, not a row of figures


def _follows(previous: tuple[str, ...] | None, parts: tuple[str, ...], appendix_allowed: bool) -> bool:
    """Whether a heading numbered ``parts`` can come after one numbered ``previous``."""
    if parts[0].isalpha():
        if previous is None or not previous[0].isalpha():  # the first appendix: A, after the paper's sections
            return parts == ("A",) and appendix_allowed
        return _successor(previous, parts, letters=True)
    if previous is None:
        return len(parts) <= 2 and all(p.isdigit() for p in parts)  # an extract may start at "4.2"
    return not previous[0].isalpha() and _successor(previous, parts, letters=False)


def _successor(previous: tuple[str, ...], parts: tuple[str, ...], letters: bool) -> bool:
    """``parts`` is the first child of ``previous`` or the next sibling of it or of one of its ancestors."""
    if parts == (*previous, "1"):
        return True
    depth = len(parts)
    if depth > len(previous) or parts[:-1] != previous[: depth - 1]:
        return False
    before, now = previous[depth - 1], parts[-1]
    if depth == 1 and letters:
        return len(now) == 1 and ord(now) == ord(before) + 1
    if not (before.isdigit() and now.isdigit()):
        return False
    return 1 <= int(now) - int(before) <= MAX_SKIP


def _section(draft: _Draft) -> Section:
    text = "\n".join(draft.lines).strip()
    kind = draft.kind or section_kind(draft.heading, draft.in_appendix)
    return Section(heading=draft.heading, text=text, kind=kind, number=draft.number, level=draft.level)
