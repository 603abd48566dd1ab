"""HTML to plain text, for post summaries and the search index.

Small on purpose: drop script/style, turn block elements into paragraph breaks and <br> into line breaks,
unescape entities, collapse whitespace. It never raises on any input: html.parser is lenient.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never text a person reads.
_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title", "svg", "math", "iframe", "object"})
# Elements that start and end a paragraph.
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot",
        "tr", "ul", "body", "html",
    }
)  # fmt: skip
_SPACES = re.compile(r"[^\S\n]+")  # whitespace except newlines
_BREAKS = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    """Collects text; "\n" marks a line break, "\n\n" a paragraph break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "td" or tag == "th":
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> and friends hold no content; only the break of <br/> and <hr/> matters.
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            # Newlines in source text are just whitespace; real breaks come from tags.
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by a blank line, whitespace collapsed."""
    if "<" not in html and "&" not in html:
        return _tidy(html.replace("\r", " ").replace("\n", " "))
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()
